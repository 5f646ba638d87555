/* posts.c — the API's article resource: list, read, create, change
 * (including publish and unpublish) and delete under /api/v1/posts.
 * Validation and saving are post_save()'s (post.h), the one path the CLI and
 * the admin take too; this file maps JSON to a struct post_input, enforces
 * who may touch which article, and writes the audit log in the same
 * transaction as the change. */
#include "api/api.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api/json.h"
#include "post/post.h"
#include "site/site.h"
#include "util/err.h"

#define LIMIT_DEFAULT 50
#define LIMIT_MAX 100
#define SCAN_CHUNK 200 /* articles read per step when filtering by status */

static const char *const post_keys[] = { "title", "body", "slug", "dateline", "tags",
					 "category", "author", "date", "lang", "status", NULL };
#define POST_KEYS_TEXT "title, body, slug, dateline, tags, category, author, date, lang, status"

enum list_filter { FILTER_ALL, FILTER_PUBLISHED, FILTER_DRAFT, FILTER_SCHEDULED, FILTER__MAX };

static const char *const filter_names[FILTER__MAX] = {
	[FILTER_ALL] = "all",
	[FILTER_PUBLISHED] = "published",
	[FILTER_DRAFT] = "draft",
	[FILTER_SCHEDULED] = "scheduled",
};

/* "draft", "scheduled" (published, its date still ahead) or "published". */
static enum list_filter status_of(const struct article *a, int64_t now)
{
	if (a->status == ARTICLE_DRAFT)
		return FILTER_DRAFT;
	return a->published_at > now ? FILTER_SCHEDULED : FILTER_PUBLISHED;
}

static json_t *post_json(const struct http_req *req, const struct article *a, bool with_body)
{
	const char *base = req->site && req->site->base_url ? req->site->base_url : "";
	char path[256], url[1024];
	json_t *o = json_object(), *tags = json_array();

	if (!o || !tags) {
		json_decref(o);
		json_decref(tags);
		return NULL;
	}
	snprintf(path, sizeof path, "/%s/", a->slug);
	snprintf(url, sizeof url, "%s%s", base, path);
	for (size_t i = 0; i < a->ntags; i++)
		json_array_append_new(tags, json_string(a->tags[i].name));
	json_object_set_new(o, "id", json_integer(a->id));
	json_object_set_new(o, "slug", json_string(a->slug));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "url", json_string(url));
	json_object_set_new(o, "title", json_string(a->title ? a->title : ""));
	json_object_set_new(o, "status", json_string(filter_names[status_of(a, req->now)]));
	json_object_set_new(o, "date", api_time(a->published_at));
	json_object_set_new(o, "updated", api_time(a->updated_at));
	json_object_set_new(o, "dateline", api_str_or_null(a->dateline));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "category", a->category.id ? json_string(a->category.name) : json_null());
	json_object_set_new(o, "author", a->author.id ? json_string(a->author.name) : json_null());
	json_object_set_new(o, "lang", json_string(a->lang ? a->lang : ""));
	if (with_body)
		json_object_set_new(o, "body", json_string(a->body_md ? a->body_md : ""));
	return o;
}

/* ---- reading ---- */

/* The drafts or the scheduled articles, offset/limit of them: the store lists
 * only "public" or "everything", so this walks everything in chunks and
 * counts. Only integrations that ask for these filters pay for it. */
static int list_filtered(const struct http_req *req, enum list_filter f, size_t offset,
			 size_t limit, json_t *items, size_t *ret_total)
{
	struct article_query q = { .now = req->now, .include_hidden = true, .limit = SCAN_CHUNK };
	size_t seen = 0;
	int rc;

	for (;;) {
		struct article_list l = { 0 };
		if ((rc = store_articles(req->store, &q, &l, NULL)))
			return rc;
		for (size_t i = 0; i < l.n; i++) {
			if (status_of(&l.items[i], req->now) != f)
				continue;
			if (seen >= offset && seen - offset < limit &&
			    json_array_append_new(items, post_json(req, &l.items[i], false))) {
				article_list_release(&l);
				return DP_ENOMEM;
			}
			seen++;
		}
		size_t n = l.n;
		article_list_release(&l);
		if (n < SCAN_CHUNK)
			break;
		q.offset += SCAN_CHUNK;
	}
	*ret_total = seen;
	return DP_OK;
}

int api_posts_list(struct http_req *req, struct http_res *res)
{
	enum list_filter f = FILTER_ALL;
	size_t limit, offset, total = 0;
	const char *s = http_query(req, "status");
	json_t *items;
	int rc;

	if (s) {
		int i;
		for (i = 0; i < FILTER__MAX; i++)
			if (strcmp(s, filter_names[i]) == 0)
				break;
		if (i == FILTER__MAX)
			return api_fail(res, 400,
					"status must be one of all, published, draft, scheduled");
		f = (enum list_filter)i;
	}
	if (!api_query_size(req, res, "limit", LIMIT_DEFAULT, 1, LIMIT_MAX, &limit) ||
	    !api_query_size(req, res, "offset", 0, 0, API_OFFSET_MAX, &offset))
		return DP_OK;
	if (!(items = json_array()))
		return DP_ENOMEM;

	if (f == FILTER_ALL || f == FILTER_PUBLISHED) {
		struct article_query q = { .now = req->now, .include_hidden = f == FILTER_ALL,
					   .offset = offset, .limit = limit };
		struct article_list l = { 0 };
		rc = store_articles(req->store, &q, &l, &total);
		for (size_t i = 0; !rc && i < l.n; i++)
			if (json_array_append_new(items, post_json(req, &l.items[i], false)))
				rc = DP_ENOMEM;
		article_list_release(&l);
	} else {
		rc = list_filtered(req, f, offset, limit, items, &total);
	}
	if (rc) {
		json_decref(items);
		return api_store_fail(req, res, rc, "not found");
	}
	return http_res_json(res, 200, json_pack("{s:o, s:I, s:I, s:I}", "posts", items, "total",
						 (json_int_t)total, "limit", (json_int_t)limit,
						 "offset", (json_int_t)offset));
}

/* Answers with the article id as it is stored now (body included). */
static int answer_post(struct http_req *req, struct http_res *res, unsigned status, int64_t id)
{
	struct article a = { 0 };
	int rc = store_article_by_id(req->store, id, &a);
	if (rc)
		return api_store_fail(req, res, rc, "no post with this id");
	rc = http_res_json(res, status, post_json(req, &a, true));
	article_release(&a);
	return rc;
}

int api_post_get(struct http_req *req, struct http_res *res)
{
	if (req->auth.role == ROLE_MODERATOR)
		return api_fail(res, 403, "moderators cannot work on posts");
	if (req->param_id <= 0)
		return api_fail(res, 404, "no post with this id");
	return answer_post(req, res, 200, req->param_id);
}

/* ---- writing ---- */

/* The fields of a create or change request, mapped onto in. Strings must be
 * strings; dateline, category, author, lang and tags may be null to clear
 * them. *ret_content tells whether anything but status was given. Returns
 * NULL, or the message for a 400. owned: receives an empty array this
 * function made for "tags": null (the caller decrefs it). */
static const char *read_input(json_t *o, struct post_input *in, bool *ret_content, json_t **owned)
{
	static const struct {
		const char *key;
		size_t off;
		bool nullable;     /* null clears the field */
		const char *wrong; /* the 400 message for any other type */
	} strs[] = {
		{ "title", offsetof(struct post_input, title), false, "title must be a string" },
		{ "body", offsetof(struct post_input, body), false, "body must be a string" },
		{ "slug", offsetof(struct post_input, slug), false, "slug must be a string" },
		{ "date", offsetof(struct post_input, date), false, "date must be an ISO 8601 string" },
		{ "dateline", offsetof(struct post_input, dateline), true,
		  "dateline must be a string or null" },
		{ "category", offsetof(struct post_input, category), true,
		  "category must be a string or null" },
		{ "author", offsetof(struct post_input, author), true,
		  "author must be a string or null" },
		{ "lang", offsetof(struct post_input, lang), true,
		  "lang must be a string or null" },
	};
	json_t *v;

	*ret_content = false;
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		const char **field = (const char **)((char *)in + strs[i].off);
		if (!(v = json_object_get(o, strs[i].key)))
			continue;
		*ret_content = true;
		if (json_is_string(v))
			*field = json_string_value(v);
		else if (json_is_null(v) && strs[i].nullable)
			*field = "";
		else
			return strs[i].wrong;
	}
	if ((v = json_object_get(o, "tags"))) {
		*ret_content = true;
		if (json_is_null(v)) {
			if (!(*owned = json_array()))
				return "out of memory";
			in->tag_list = *owned;
		} else if (json_is_array(v)) {
			in->tag_list = v; /* post_save checks the elements */
		} else {
			return "tags must be an array of strings";
		}
	}
	if ((v = json_object_get(o, "status"))) {
		const char *s = json_string_value(v);
		if (s && strcmp(s, "draft") == 0)
			in->draft = 1;
		else if (s && strcmp(s, "published") == 0)
			in->draft = 0;
		else
			return "status must be \"draft\" or \"published\"";
	}
	return NULL;
}

/* Authors work under their own name only; moderators not on posts at all. */
static const char *forbidden(const struct http_req *req, const struct article *a,
			     const struct post_input *in)
{
	if (req->auth.role == ROLE_MODERATOR)
		return "moderators cannot work on posts";
	if (req->auth.role != ROLE_AUTHOR)
		return NULL;
	if (a && a->id && (!a->author.id || strcmp(a->author.name, req->auth.name) != 0))
		return "authors may only change their own posts";
	if (in && in->author && strcmp(in->author, req->auth.name) != 0)
		return "authors may only write under their own name";
	return NULL;
}

/* Maps post_save()'s failures: its message for bad input and taken slugs. */
static int save_fail(struct http_req *req, struct http_res *res, int rc, const char *err)
{
	if (rc == DP_EINVAL)
		return api_fail(res, 400, err[0] ? err : "invalid input");
	if (rc == DP_EEXISTS)
		return api_fail(res, 409, err[0] ? err : "the slug is taken by another post");
	return api_store_fail(req, res, rc, "no post with this id");
}

/* Appends the audit entry for the article's path (slugs hold at most 200
 * bytes: post_slug_valid()). */
static int audit(struct http_req *req, const char *action, const char *slug)
{
	char path[512];
	snprintf(path, sizeof path, "/%s/", slug);
	return store_audit_add(req->store, req->auth.name, action, path, "");
}

int api_post_create(struct http_req *req, struct http_res *res)
{
	struct post_input in = POST_INPUT_INIT;
	struct article a = { 0 };
	json_t *body = NULL, *owned = NULL;
	const char *msg;
	char err[512] = "";
	bool content, began = false;
	int rc = DP_OK;

	if ((msg = forbidden(req, NULL, NULL)))
		return api_fail(res, 403, msg);
	if (!(body = api_body_object(req, res)))
		return DP_OK;
	if (!api_keys_only(body, post_keys, POST_KEYS_TEXT, res))
		goto out;
	if ((msg = read_input(body, &in, &content, &owned))) {
		rc = api_fail(res, 400, msg);
		goto out;
	}
	if (!in.title || !in.body) {
		rc = api_fail(res, 400, "a new post needs a title and a body");
		goto out;
	}
	if ((msg = forbidden(req, NULL, &in))) {
		rc = api_fail(res, 403, msg);
		goto out;
	}
	if (req->auth.role == ROLE_AUTHOR)
		in.author = req->auth.name;

	if ((rc = store_begin(req->store))) {
		rc = api_store_fail(req, res, rc, "not found");
		goto out;
	}
	began = true;
	if ((rc = post_save(req->store, req->site, &a, &in, req->now, err, sizeof err))) {
		rc = save_fail(req, res, rc, err);
		goto out;
	}
	if ((rc = audit(req, "post.create", a.slug)) || (rc = store_commit(req->store))) {
		rc = api_store_fail(req, res, rc, "not found");
		goto out;
	}
	began = false;

	char location[64];
	snprintf(location, sizeof location, "/api/v1/posts/%lld", (long long)a.id);
	if (!(rc = answer_post(req, res, 201, a.id)) && res->status == 201)
		rc = http_res_header(res, "Location", location);
out:
	if (began)
		store_rollback(req->store);
	article_release(&a);
	json_decref(owned);
	json_decref(body);
	return rc;
}

int api_post_patch(struct http_req *req, struct http_res *res)
{
	struct post_input in = POST_INPUT_INIT;
	struct article a = { 0 };
	json_t *body = NULL, *owned = NULL;
	const char *msg;
	char err[512] = "", slug[256];
	bool content, began = false, status_changes;
	int rc;

	if ((msg = forbidden(req, NULL, NULL)))
		return api_fail(res, 403, msg);
	if (req->param_id <= 0)
		return api_fail(res, 404, "no post with this id");
	/* Read, check and write in one transaction: no change of another
	 * request can fall between what we check and what we save. */
	if ((rc = store_begin(req->store)))
		return api_store_fail(req, res, rc, "not found");
	began = true;
	if ((rc = store_article_by_id(req->store, req->param_id, &a))) {
		rc = api_store_fail(req, res, rc, "no post with this id");
		goto out;
	}
	if ((msg = forbidden(req, &a, NULL))) {
		rc = api_fail(res, 403, msg);
		goto out;
	}
	if (!(body = api_body_object(req, res)))
		goto out;
	if (!api_keys_only(body, post_keys, POST_KEYS_TEXT, res))
		goto out;
	if ((msg = read_input(body, &in, &content, &owned))) {
		rc = api_fail(res, 400, msg);
		goto out;
	}
	if ((msg = forbidden(req, &a, &in))) {
		rc = api_fail(res, 403, msg);
		goto out;
	}
	status_changes = in.draft >= 0 && (in.draft == 1) != (a.status == ARTICLE_DRAFT);

	if (content) {
		/* One save for the fields and, if given, the status. */
		if ((rc = post_save(req->store, req->site, &a, &in, req->now, err, sizeof err))) {
			rc = save_fail(req, res, rc, err);
			goto out;
		}
	} else if (status_changes) {
		/* Only the status: the article's content (and so "updated")
		 * stays as it was, as with `depesche post publish`. */
		rc = store_article_set_status(req->store, a.id,
					      in.draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED, req->now);
		if (rc) {
			rc = api_store_fail(req, res, rc, "no post with this id");
			goto out;
		}
	}
	snprintf(slug, sizeof slug, "%s", a.slug);
	if ((content && (rc = audit(req, "post.update", slug))) ||
	    (status_changes && (rc = audit(req, in.draft ? "post.unpublish" : "post.publish", slug))) ||
	    (rc = store_commit(req->store))) {
		rc = api_store_fail(req, res, rc, "not found");
		goto out;
	}
	began = false;
	rc = answer_post(req, res, 200, a.id);
out:
	if (began)
		store_rollback(req->store);
	article_release(&a);
	json_decref(owned);
	json_decref(body);
	return rc;
}

int api_post_delete(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	const char *msg;
	bool began = false;
	int rc;

	if ((msg = forbidden(req, NULL, NULL)))
		return api_fail(res, 403, msg);
	if (req->param_id <= 0)
		return api_fail(res, 404, "no post with this id");
	if ((rc = store_begin(req->store)))
		return api_store_fail(req, res, rc, "not found");
	began = true;
	if ((rc = store_article_by_id(req->store, req->param_id, &a))) {
		rc = api_store_fail(req, res, rc, "no post with this id");
		goto out;
	}
	if ((msg = forbidden(req, &a, NULL))) {
		rc = api_fail(res, 403, msg);
		goto out;
	}
	if ((rc = store_article_delete(req->store, a.id)) || (rc = audit(req, "post.delete", a.slug)) ||
	    (rc = store_commit(req->store))) {
		rc = api_store_fail(req, res, rc, "no post with this id");
		goto out;
	}
	began = false;
	/* 204: no body; the type stays JSON like every other answer here. */
	res->status = 204;
	res->content_type = "application/json; charset=utf-8";
	buf_reset(&res->body);
out:
	if (began)
		store_rollback(req->store);
	article_release(&a);
	return rc;
}
