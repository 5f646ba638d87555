/* dynamic.h — serving the dynamic routes (router.h): reading the body within
 * the route's limit, authenticating, authorising, checking CSRF tokens and
 * rate limits, calling the handler and sending its answer, never cached. */
#ifndef DEPESCHE_HTTP_DYNAMIC_H
#define DEPESCHE_HTTP_DYNAMIC_H

#include <microhttpd.h>

#include "http/router.h"

struct site;
struct theme;
struct store;
struct triage_model;
struct groupcommit;

/* What the server lends to dynamic requests. */
struct dyn_env {
	const struct site *site;
	const struct theme *theme;
	struct triage_model *triage;
	struct groupcommit *gc;                   /* NULL: deferred writes run inline */
	struct store *(*thread_store)(void *ctx); /* this worker's connection */
	void *ctx;
};

struct dyn_state;

/* First call of a request the router matched (or a non-GET request, or a
 * path under /admin/ or /api/): sets up body reading, or answers at once
 * (404, 405, 413). Stores its state in *con_cls. */
enum MHD_Result dynamic_begin(const struct dyn_env *env, struct MHD_Connection *conn,
			      const char *url, const char *method, void **con_cls);
/* Later calls: body bytes, then the final call with *upload_data_size 0. */
enum MHD_Result dynamic_continue(const struct dyn_env *env, struct MHD_Connection *conn,
				 const char *url, const char *method, const char *data,
				 size_t *size, void **con_cls);
/* True when con_cls holds a dynamic request's state. */
int dynamic_is(void *con_cls);
void dynamic_free(void *con_cls);

#endif
