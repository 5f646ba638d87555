/* router.c — the one table of dynamic routes: method, path pattern,
 * handler, access, roles, body limit. Patterns: literal segments, ":id"
 * (digits), ":slug" ([a-z0-9-]) and a trailing "*" (the rest of the path,
 * at least one byte: the search words of /search/<words>/). */
#include "http/router.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "page/admin.h"
#include "page/comments.h"
#include "page/moderate.h"
#include "page/page.h"
#include "page/subscribe.h"

#define KB 1024u
#define MB (1024u * 1024u)

#define STAFF (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_EDITOR))
#define MODERATORS (STAFF | ROLE_BIT(ROLE_MODERATOR))
#define WRITERS (STAFF | ROLE_BIT(ROLE_AUTHOR))

static const struct dyn_route routes[] = {
	/* readers */
	{ "POST", "/:slug/comment/", comment_post, ACCESS_PUBLIC, 0, 64 * KB },
	{ "GET", "/subscribe/", subscribe_form, ACCESS_PUBLIC, 0, 0 },
	{ "GET", "/subscribe", subscribe_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/subscribe", subscribe_post, ACCESS_PUBLIC, 0, 16 * KB },
	{ "POST", "/subscribe/", subscribe_post, ACCESS_PUBLIC, 0, 16 * KB },
	{ "GET", "/subscribe/confirm/", subscribe_confirm_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/subscribe/confirm/", subscribe_confirm, ACCESS_PUBLIC, 0, 8 * KB },
	{ "GET", "/subscribe/preferences/", subscribe_prefs_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/subscribe/preferences/", subscribe_prefs, ACCESS_PUBLIC, 0, 16 * KB },
	{ "GET", "/unsubscribe/", unsubscribe_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/unsubscribe/", unsubscribe_post, ACCESS_PUBLIC, 0, 8 * KB },
	{ "GET", "/moderate/", moderate_link_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/moderate/", moderate_link, ACCESS_PUBLIC, 0, 8 * KB },
	/* search: /?s=words (the server sends "/" here only with s), /search/words/ */
	{ "GET", "/", search_get, ACCESS_PUBLIC, 0, 0 },
	{ "GET", "/search/", search_get, ACCESS_PUBLIC, 0, 0 },
	{ "GET", "/search/*", search_get, ACCESS_PUBLIC, 0, 0 },
	/* /jobs/ with filters (the server sends it here only with a query) */
	{ "GET", "/jobs/", jobs_filtered, ACCESS_PUBLIC, 0, 0 },

	/* the admin */
	{ "GET", "/admin/login", admin_login_form, ACCESS_PUBLIC, 0, 0 },
	{ "POST", "/admin/login", admin_login, ACCESS_PUBLIC, 0, 8 * KB },
	{ "POST", "/admin/logout", admin_logout, ACCESS_SESSION, ROLES_ALL, 8 * KB },
	{ "GET", "/admin/", admin_dashboard, ACCESS_SESSION, ROLES_ALL, 0 },
	{ "GET", "/admin/comments", admin_comments, ACCESS_SESSION, MODERATORS, 0 },
	{ "POST", "/admin/comments", admin_comments_action, ACCESS_SESSION, MODERATORS, 64 * KB },
	{ "GET", "/admin/comments/:id/edit", admin_comment_edit_form, ACCESS_SESSION, MODERATORS, 0 },
	{ "POST", "/admin/comments/:id/edit", admin_comment_edit, ACCESS_SESSION, MODERATORS, 64 * KB },
	{ "POST", "/admin/comments/:id/reply", admin_comment_reply, ACCESS_SESSION, MODERATORS, 64 * KB },
	{ "GET", "/admin/posts", admin_posts, ACCESS_SESSION, WRITERS, 0 },
	{ "GET", "/admin/posts/new", admin_post_new, ACCESS_SESSION, WRITERS, 0 },
	{ "POST", "/admin/posts", admin_post_create, ACCESS_SESSION, WRITERS, 2 * MB },
	{ "GET", "/admin/posts/:id", admin_post_edit, ACCESS_SESSION, WRITERS, 0 },
	{ "POST", "/admin/posts/:id", admin_post_update, ACCESS_SESSION, WRITERS, 2 * MB },
	{ "GET", "/admin/posts/:id/delete", admin_post_delete_form, ACCESS_SESSION, WRITERS, 0 },
	{ "POST", "/admin/posts/:id/delete", admin_post_delete, ACCESS_SESSION, WRITERS, 8 * KB },
	{ "POST", "/admin/uploads", admin_upload, ACCESS_SESSION, WRITERS, 6 * MB },
	{ "GET", "/admin/audit", admin_audit, ACCESS_SESSION, ROLE_BIT(ROLE_ADMIN), 0 },
	{ "GET", "/admin/subscribers", admin_subscribers, ACCESS_SESSION, STAFF, 0 },
	{ "GET", "/admin/subscribers.csv", admin_subscribers_csv, ACCESS_SESSION, STAFF, 0 },
	{ "GET", "/admin/subscribers/:id", admin_subscriber, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/subscribers/:id/delete", admin_subscriber_delete, ACCESS_SESSION, STAFF, 8 * KB },
	{ "GET", "/admin/newsletters", admin_newsletters, ACCESS_SESSION, STAFF, 0 },
	{ "GET", "/admin/newsletters/new", admin_newsletter_new, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/newsletters", admin_newsletter_create, ACCESS_SESSION, STAFF, 1 * MB },
	{ "GET", "/admin/newsletters/:id", admin_newsletter_edit, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/newsletters/:id", admin_newsletter_update, ACCESS_SESSION, STAFF, 1 * MB },
	{ "GET", "/admin/outbox", admin_outbox, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/outbox", admin_outbox_action, ACCESS_SESSION, STAFF, 64 * KB },
	{ "GET", "/admin/settings", admin_settings, ACCESS_SESSION, ROLE_BIT(ROLE_ADMIN), 0 },
	{ "POST", "/admin/settings", admin_settings_save, ACCESS_SESSION, ROLE_BIT(ROLE_ADMIN), 64 * KB },
	{ "GET", "/admin/jobs", admin_jobs, ACCESS_SESSION, STAFF, 0 },
	{ "GET", "/admin/jobs/new", admin_job_new, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/jobs", admin_job_create, ACCESS_SESSION, STAFF, 256 * KB },
	{ "GET", "/admin/jobs/:id", admin_job_edit, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/jobs/:id", admin_job_update, ACCESS_SESSION, STAFF, 256 * KB },
	{ "GET", "/admin/boxes", admin_boxes, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/boxes", admin_boxes_action, ACCESS_SESSION, STAFF, 16 * KB },
	{ "GET", "/admin/boxes/new", admin_box_new, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/boxes/new", admin_box_create, ACCESS_SESSION, STAFF, 64 * KB },
	{ "GET", "/admin/boxes/:id", admin_box_edit, ACCESS_SESSION, STAFF, 0 },
	{ "POST", "/admin/boxes/:id", admin_box_update, ACCESS_SESSION, STAFF, 64 * KB },

	/* the JSON API */
	{ "GET", "/api/v1/comments", api_comments_list, ACCESS_TOKEN, MODERATORS, 0 },
	{ "PATCH", "/api/v1/comments/:id", api_comment_patch, ACCESS_TOKEN, MODERATORS, 64 * KB },
	{ "GET", "/api/v1/posts", api_posts_list, ACCESS_TOKEN, WRITERS, 0 },
	{ "POST", "/api/v1/posts", api_post_create, ACCESS_TOKEN, WRITERS, 1 * MB },
	{ "GET", "/api/v1/posts/:id", api_post_get, ACCESS_TOKEN, WRITERS, 0 },
	{ "PATCH", "/api/v1/posts/:id", api_post_patch, ACCESS_TOKEN, WRITERS, 1 * MB },
	{ "DELETE", "/api/v1/posts/:id", api_post_delete, ACCESS_TOKEN, WRITERS, 0 },
};

int router_owns(const char *path)
{
	static const char *const prefixes[] = { "/admin/", "/api/", "/subscribe/", "/unsubscribe/",
						"/moderate/", "/search/" };
	if (strcmp(path, "/admin") == 0 || strcmp(path, "/subscribe") == 0)
		return 1;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(path, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* Matches path against pattern, capturing :id and :slug into req. */
static int match(const char *pattern, const char *path, struct http_req *req)
{
	int64_t id = 0;
	char slug[sizeof req->param_slug] = "";
	const char *p = pattern, *s = path, *rest = NULL;
	while (*p && *s) {
		if (p[0] == '*' && p[1] == '\0') {
			rest = s;
			s += strlen(s);
			p++;
		} else if (p[0] == ':' && strncmp(p, ":id", 3) == 0) {
			size_t n = strspn(s, "0123456789");
			if (n == 0 || n > 15)
				return 0;
			id = strtoll(s, NULL, 10);
			p += 3;
			s += n;
		} else if (p[0] == ':' && strncmp(p, ":slug", 5) == 0) {
			size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");
			if (n == 0 || n >= sizeof slug)
				return 0;
			memcpy(slug, s, n);
			slug[n] = '\0';
			p += 5;
			s += n;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	if (*p || *s)
		return 0;
	if (req) {
		req->param_id = id;
		memcpy(req->param_slug, slug, sizeof slug);
		req->param_rest = rest;
	}
	return 1;
}

const struct dyn_route *router_match(const char *method, const char *path, struct http_req *req,
				     int *ret_path_known)
{
	*ret_path_known = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!match(routes[i].pattern, path, NULL))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			match(routes[i].pattern, path, req);
			*ret_path_known = 0;
			return &routes[i];
		}
		*ret_path_known = 1;
	}
	return NULL;
}
