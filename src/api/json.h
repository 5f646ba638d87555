/* json.h — what the API handlers (src/api/) share: strict query numbers,
 * the JSON request body, RFC 3339 times and the mapping of errors to
 * statuses. Internal to src/api/.
 *
 * Convention: a helper that answers the client itself (a 400 for a bad
 * body, say) returns NULL or false; the handler then returns DP_OK without
 * touching the response again. Error answers never echo what the client
 * sent. */
#ifndef DEPESCHE_API_JSON_H
#define DEPESCHE_API_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* Upper bound of every offset in a query string: nine digits. */
#define API_OFFSET_MAX 999999999u

/* {"error": message} with status; returns what the handler should return
 * (DP_OK, or DP_ENOMEM when even the error could not be written). */
int api_fail(struct http_res *res, unsigned status, const char *message);

/* A storage error: 404 with not_found for DP_ENOTFOUND, else 500 (logged
 * once here with the request's method and path, never its body). */
int api_store_fail(const struct http_req *req, struct http_res *res, int rc,
		   const char *not_found);

/* The query argument name as a number in [min, max]: only ASCII digits, at
 * most nine of them; def when the argument is absent. false (and a 400
 * answered) for anything else, including an empty value. */
bool api_query_size(const struct http_req *req, struct http_res *res, const char *name,
		    size_t def, size_t min, size_t max, size_t *ret);

/* The request body as a JSON object (a new reference the caller decrefs):
 * duplicate keys, a non-object, an empty or form-encoded body and invalid
 * JSON answer 400 (the parser's message and position, not the text near it)
 * and return NULL. */
json_t *api_body_object(const struct http_req *req, struct http_res *res);

/* false (and 400 answered, listing the accepted fields) when o has a key that
 * is not in the NULL-terminated keys. */
bool api_keys_only(json_t *o, const char *const *keys, const char *accepted,
		   struct http_res *res);

/* t as "2026-11-27T10:00:00Z" (RFC 3339, UTC). */
json_t *api_time(int64_t t);

/* A string or JSON null for NULL. */
json_t *api_str_or_null(const char *s);

#endif
