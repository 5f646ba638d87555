/* admin_common.h — what every admin page shares: the base template context
 * (site, t, the signed-in user, the CSRF token, the pending-comment count,
 * a flash notice), rendering a template under templates/admin/, themed
 * error pages (403, 404, 400, 413, 415, 500), per-object role checks and
 * bounded parsing of client numbers.
 *
 * Library code: nothing here logs. Error pages never echo the request. */
#ifndef DEPESCHE_PAGE_ADMIN_COMMON_H
#define DEPESCHE_PAGE_ADMIN_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "store/store.h"

/* Bytes of an admin page (the comment queue and editor stay far below). */
#define ADMIN_PAGE_MAX (4u << 20)

/* Which section of the admin a page belongs to (marks the nav item). */
enum admin_section {
	ADMIN_SEC_NONE,
	ADMIN_SEC_DASHBOARD,
	ADMIN_SEC_COMMENTS,
	ADMIN_SEC_POSTS,
	ADMIN_SEC_AUDIT,
	ADMIN_SEC__MAX
};

/* Roles allowed to see each area (the router enforces the same per route;
 * handlers check again so a routing mistake fails closed). */
#define ADMIN_ROLES_COMMENTS ((1u << ROLE_ADMIN) | (1u << ROLE_EDITOR) | (1u << ROLE_MODERATOR))
#define ADMIN_ROLES_POSTS ((1u << ROLE_ADMIN) | (1u << ROLE_EDITOR) | (1u << ROLE_AUTHOR))
#define ADMIN_ROLES_AUDIT (1u << ROLE_ADMIN)

/* The context every admin page starts from (new reference, NULL when out of
 * memory):
 *   site:   { title, lang, home_url:"/", admin_css_url }
 *   t:      the theme's strings (admin_* keys included)
 *   user:   { name, role, role_label, is_<role>: true } — absent when nobody
 *           is signed in (the login page)
 *   can:    { comments, posts, audit } booleans for the nav
 *   nav:    { <section>: true } for aria-current
 *   csrf:   the session's token, for every form
 *   pending, pending_label: comments waiting (only for roles that moderate)
 *   notice: the message for ?done=NAME, when NAME is one of a fixed set;
 *           the request's text itself is never echoed. */
json_t *admin_ctx_new(struct http_req *req, enum admin_section sec);

/* Renders templates/admin/<name>.mustache with ctx into res->body as
 * text/html with status `status` (the router marks every dynamic answer
 * Cache-Control: no-store). */
int admin_render(struct http_req *req, struct http_res *res, unsigned status, const char *name,
		 json_t *ctx);

/* A themed error page for status (400, 403, 404, 413, 415, 422, 500). The
 * message is chosen by status (or message_key, a key in t, when not NULL),
 * never from the request. Returns DP_OK once the page is in res. */
int admin_error(struct http_req *req, struct http_res *res, unsigned status,
		const char *message_key);
/* admin_error(req, res, 403, NULL). */
int admin_forbidden(struct http_req *req, struct http_res *res);

/* True when the signed-in user's role is in the ROLE_BIT mask. */
bool admin_role_in(const struct http_req *req, unsigned mask);

/* True when the caller may change article a: admins and editors any; an
 * author only one whose author name equals their own name. */
bool admin_can_edit_article(const struct http_req *req, const struct article *a);

/* The interface string t[key] of the theme; the key itself when missing
 * (so a missing translation shows up, and nothing crashes). Never NULL. */
const char *admin_t(const struct http_req *req, const char *key);

/* Parses a decimal number 1..max from the query (page=, id=); def when the
 * argument is absent or malformed. Bounded: never more than max. */
int64_t admin_query_num(const struct http_req *req, const char *name, int64_t def, int64_t max);
/* Parses a strictly decimal id 1..INT64_MAX/2 from s; 0 when s is no id. */
int64_t admin_parse_id(const char *s);

/* 303 to path + "?done=" + done (done: one of the fixed notice names);
 * extra (may be NULL) is a pre-encoded "&k=v" query tail. */
int admin_redirect_done(struct http_res *res, const char *path, const char *done,
			const char *extra);

/* Date of t in the site's language and zone: "27. November 2026, 10:00"
 * (human, 96 bytes) and ISO 8601 (iso, 32 bytes). */
void admin_fmt_time(const struct http_req *req, int64_t t, char *human, size_t hlen, char *iso,
		    size_t ilen);

/* Whether an audit write failed is not the user's problem once the action
 * itself succeeded; this writes the entry and returns its result. actor is
 * the signed-in user's name. */
int admin_audit_add(struct http_req *req, const char *action, const char *object,
		    const char *detail);

#endif
