/* comments.c — the API's comment resource: the moderation queue as JSON
 * (GET /api/v1/comments) and a moderator's decision on one comment
 * (PATCH /api/v1/comments/:id). A comment's e-mail address and IP address
 * are never part of an answer. */
#include "api/api.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "moderation/actions.h"
#include "util/err.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 100

/* The API's names of the statuses: a contract with integrations, so its own
 * table rather than the admin's looser parser (which takes "approve" too). */
static const char *const status_names[COMMENT_STATUS__MAX] = {
	[COMMENT_PENDING] = "pending",
	[COMMENT_APPROVED] = "approved",
	[COMMENT_SPAM] = "spam",
	[COMMENT_REJECTED] = "rejected",
};

static bool status_parse(const char *s, enum comment_status *ret)
{
	for (int i = 0; i < COMMENT_STATUS__MAX; i++)
		if (s && strcmp(s, status_names[i]) == 0) {
			*ret = (enum comment_status)i;
			return true;
		}
	return false;
}

/* The stored reasons (a JSON array of strings) as an array; [] when the
 * column is empty or not an array. */
static json_t *reasons_json(const char *stored)
{
	json_t *v = stored && *stored ? json_loads(stored, 0, NULL) : NULL;
	if (json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

/* One comment as the API shows it. slug/title: its article's (NULL when it
 * has none any more). */
static json_t *comment_json(const struct comment *c, const char *slug, const char *title)
{
	char path[256];
	json_t *o = json_object();
	if (!o)
		return NULL;
	if (slug)
		snprintf(path, sizeof path, "/%s/", slug);
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "post", slug ? json_string(path) : json_null());
	json_object_set_new(o, "post_title", api_str_or_null(title));
	json_object_set_new(o, "parent", c->parent_id ? json_integer(c->parent_id) : json_null());
	json_object_set_new(o, "author", json_string(c->author_name ? c->author_name : ""));
	json_object_set_new(o, "text", json_string(c->text ? c->text : ""));
	json_object_set_new(o, "status", json_string((unsigned)c->status < COMMENT_STATUS__MAX
							     ? status_names[c->status]
							     : "unknown"));
	json_object_set_new(o, "verdict", c->verdict && *c->verdict ? json_string(c->verdict)
								     : json_null());
	json_object_set_new(o, "score", json_real(c->score));
	json_object_set_new(o, "reasons", reasons_json(c->reasons));
	json_object_set_new(o, "created", api_time(c->created_at));
	return o;
}

/* Authors write articles; comments are the moderators' (and editors'). The
 * router refuses them by route already; this keeps the rule true for any
 * other caller of the handlers. */
static bool may_moderate(const struct http_req *req)
{
	return req->auth.role != ROLE_AUTHOR;
}

int api_comments_list(struct http_req *req, struct http_res *res)
{
	struct comment_list l = { 0 };
	enum comment_status st = COMMENT_PENDING;
	size_t limit, offset, total = 0;
	const char *s;
	json_t *items = NULL;
	int rc;

	if (!may_moderate(req))
		return api_fail(res, 403, "authors cannot read or moderate comments");
	s = http_query(req, "status");
	if (s && !status_parse(s, &st))
		return api_fail(res, 400,
				"status must be one of pending, approved, spam, rejected");
	if (!api_query_size(req, res, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX, &limit) ||
	    !api_query_size(req, res, "offset", 0, 0, API_OFFSET_MAX, &offset))
		return DP_OK;

	rc = store_comments(req->store, st, offset, limit, &l, &total);
	if (rc)
		return api_store_fail(req, res, rc, "not found");
	items = json_array();
	for (size_t i = 0; items && i < l.n; i++) {
		const struct comment *c = &l.items[i];
		if (json_array_append_new(items, comment_json(c, c->article_slug, c->article_title))) {
			json_decref(items);
			items = NULL;
		}
	}
	comment_list_release(&l);
	if (!items)
		return DP_ENOMEM;
	return http_res_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "comments", items, "total",
						 (json_int_t)total, "limit", (json_int_t)limit,
						 "offset", (json_int_t)offset));
}

/* The comment id as the API shows it, with its article's path and title. */
static int answer_comment(struct http_req *req, struct http_res *res, int64_t id)
{
	struct comment c = { 0 };
	struct article a = { 0 };
	const char *slug, *title;
	int rc = store_comment_get(req->store, id, &c);
	if (rc)
		return api_store_fail(req, res, rc, "no comment with this id");
	slug = c.article_slug;
	title = c.article_title;
	if (!slug) {
		rc = store_article_by_id(req->store, c.article_id, &a);
		if (rc && rc != DP_ENOTFOUND) {
			comment_release(&c);
			return api_store_fail(req, res, rc, "not found");
		}
		slug = a.slug;
		title = a.title;
	}
	rc = http_res_json(res, 200, comment_json(&c, slug, title));
	article_release(&a);
	comment_release(&c);
	return rc;
}

int api_comment_patch(struct http_req *req, struct http_res *res)
{
	static const char *const keys[] = { "status", NULL };
	enum comment_status st;
	struct comment c = { 0 };
	json_t *body = NULL, *v;
	int rc;

	if (!may_moderate(req))
		return api_fail(res, 403, "authors cannot read or moderate comments");
	if (req->param_id <= 0)
		return api_fail(res, 404, "no comment with this id");
	rc = store_comment_get(req->store, req->param_id, &c);
	comment_release(&c);
	if (rc)
		return api_store_fail(req, res, rc, "no comment with this id");

	if (!(body = api_body_object(req, res)))
		return DP_OK;
	if (!api_keys_only(body, keys, "status", res))
		goto out;
	v = json_object_get(body, "status");
	if (!json_is_string(v) || !status_parse(json_string_value(v), &st) ||
	    st == COMMENT_PENDING) {
		api_fail(res, 400, "status must be \"approved\", \"spam\" or \"rejected\"");
		goto out;
	}

	rc = moderation_decide(req->store, req->triage, req->param_id, st, req->auth.name);
	if (rc == DP_EINVAL)
		rc = api_fail(res, 400, "a moderator cannot set this status");
	else if (rc)
		rc = api_store_fail(req, res, rc, "no comment with this id");
	else
		rc = answer_comment(req, res, req->param_id);
out:
	json_decref(body);
	return rc;
}
