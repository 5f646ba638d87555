/* router.h — the table of dynamic routes (admin, API, comment form): method,
 * path pattern, handler, who may call it, how large a body it takes. The
 * server asks router_match() on the first call of every request; matched
 * requests bypass the page cache. */
#ifndef DEPESCHE_HTTP_ROUTER_H
#define DEPESCHE_HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"

enum route_access {
	ACCESS_PUBLIC,    /* anyone (the comment form, the login page) */
	ACCESS_SESSION,   /* a logged-in browser; POSTs must carry the session's CSRF token */
	ACCESS_TOKEN,     /* an API bearer token (or a session, for the admin's own use) */
};

#define ROLES_ALL ((1u << ROLE__MAX) - 1)
#define ROLE_BIT(r) (1u << (r))

struct dyn_route {
	const char *method;       /* "GET", "POST", ... */
	const char *pattern;      /* "/admin/comments/:id/edit", "/:slug/comment/" */
	http_handler fn;
	enum route_access access;
	unsigned roles;           /* ROLE_BIT()s allowed (ignored for ACCESS_PUBLIC) */
	size_t body_max;          /* bytes of body accepted; larger is 413 */
};

/* The route for method and path, filling req->param_id / param_slug; NULL
 * when none matches. *ret_path_known is set when the path matched another
 * method (so the caller answers 405, not 404). */
const struct dyn_route *router_match(const char *method, const char *path, struct http_req *req,
				     int *ret_path_known);
/* True when path belongs to the dynamic part at all (/admin/, /api/). */
int router_owns(const char *path);

#endif
