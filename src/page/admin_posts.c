/* admin_posts.c — the article editor: a filtered list, the form for new and
 * existing articles (save, preview, publish, schedule, unpublish) and delete
 * with a confirmation page.
 *
 * Validation and saving are post_save()'s (shared with the CLI and the API);
 * this file maps form fields to a struct post_input, enforces who may touch
 * which article and writes the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "page/page.h"
#include "post/post.h"
#include "render/html.h"
#include "render/markdown.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define POSTS_PER_PAGE 20
#define POSTS_PAGE_MAX 100000
#define SCAN_CHUNK 500        /* articles read per query while filtering */
#define SEARCH_MAX 200        /* bytes of a title search */

enum post_filter { FILTER_ALL, FILTER_PUBLISHED, FILTER_DRAFT, FILTER_SCHEDULED, FILTER__MAX };

static const char *const filter_names[FILTER__MAX] = {
	[FILTER_ALL] = "all",
	[FILTER_PUBLISHED] = "published",
	[FILTER_DRAFT] = "draft",
	[FILTER_SCHEDULED] = "scheduled",
};

/* What the form holds; every pointer borrowed (from the request or from
 * strings the caller keeps alive). */
struct post_fields {
	const char *title, *slug, *dateline, *tags, *category, *author, *date, *lang, *body;
};

/* Draft, published (public now) or scheduled (published, date ahead). */
static enum post_filter article_state(const struct article *a, int64_t now)
{
	if (a->status != ARTICLE_PUBLISHED)
		return FILTER_DRAFT;
	return a->published_at > now ? FILTER_SCHEDULED : FILTER_PUBLISHED;
}

/* The value of an <input type="datetime-local">: local time to the minute. */
static void fmt_local_input(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M", &tm);
}

static bool is_blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* ---- the list ---- */

static bool owned_by_caller(const struct http_req *req, const struct article *a)
{
	return a->author.id && a->author.name && strcmp(a->author.name, req->auth.name) == 0;
}

static json_t *row_obj(struct http_req *req, const struct article *a)
{
	char human[96], iso[40], url[64], key[48], pub[256];
	enum post_filter state = article_state(a, req->now);
	admin_fmt_time(req, a->published_at, human, sizeof human, iso, sizeof iso);
	snprintf(key, sizeof key, "admin_post_status_%s", filter_names[state]);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)a->id,
			      "title", a->title ? a->title : "", "state", filter_names[state],
			      "state_label", admin_t(req, key), "date_human", human, "date_iso",
			      iso, "can_edit", admin_can_edit_article(req, a));
	if (!o)
		return NULL;
	snprintf(url, sizeof url, "/admin/posts/%lld", (long long)a->id);
	json_object_set_new(o, "edit_url", json_string(url));
	snprintf(url, sizeof url, "/admin/posts/%lld/delete", (long long)a->id);
	json_object_set_new(o, "delete_url", json_string(url));
	if (state == FILTER_PUBLISHED) {
		snprintf(pub, sizeof pub, "/%s/", a->slug);
		json_object_set_new(o, "public_url", json_string(pub));
	}
	if (a->author.id)
		json_object_set_new(o, "author", json_string(a->author.name));
	if (a->category.id)
		json_object_set_new(o, "category", json_string(a->category.name));
	return o;
}

/* Appends "?status=..&q=..&page=N" (URL-encoded) for list links. */
static void list_url(struct buf *b, enum post_filter f, const char *q, int64_t page)
{
	buf_printf(b, "/admin/posts?status=%s", filter_names[f]);
	if (q && *q) {
		buf_puts(b, "&q=");
		url_arg(b, q);
	}
	if (page > 1)
		buf_printf(b, "&page=%lld", (long long)page);
}

int admin_posts(struct http_req *req, struct http_res *res)
{
	struct article_list list = { 0 };
	json_t *ctx = NULL, *rows = NULL;
	size_t total = 0, matched = 0;
	int rc = DP_OK;

	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	enum post_filter f = FILTER_ALL;
	const char *fs = http_query(req, "status");
	for (int i = 0; fs && i < FILTER__MAX; i++)
		if (strcmp(fs, filter_names[i]) == 0)
			f = (enum post_filter)i;
	const char *q = http_query(req, "q");
	if (q && (strlen(q) > SEARCH_MAX || is_blank(q) || !utf8_valid(q, strlen(q))))
		q = NULL;
	int64_t page = admin_query_num(req, "page", 1, POSTS_PAGE_MAX);
	bool only_own = !admin_role_in(req, (1u << ROLE_ADMIN) | (1u << ROLE_EDITOR));
	size_t first = (size_t)(page - 1) * POSTS_PER_PAGE;

	rows = json_array();
	if (!rows)
		return DP_ENOMEM;
	struct article_query aq = { .now = req->now, .include_hidden = true };
	if (f == FILTER_ALL && !q && !only_own) {
		/* No filter: the store pages for us. */
		aq.offset = first;
		aq.limit = POSTS_PER_PAGE;
		rc = store_articles(req->store, &aq, &list, &total);
		if (rc)
			goto out;
		for (size_t i = 0; i < list.n; i++)
			json_array_append_new(rows, row_obj(req, &list.items[i]));
		matched = total;
	} else {
		/* Filters are applied here, reading the articles in chunks
		 * (newest first) and keeping only the requested page. */
		aq.limit = SCAN_CHUNK;
		for (aq.offset = 0;; aq.offset += SCAN_CHUNK) {
			article_list_release(&list);
			memset(&list, 0, sizeof list);
			rc = store_articles(req->store, &aq, &list, &total);
			if (rc)
				goto out;
			for (size_t i = 0; i < list.n; i++) {
				const struct article *a = &list.items[i];
				if (f != FILTER_ALL && article_state(a, req->now) != f)
					continue;
				if (only_own && !owned_by_caller(req, a))
					continue;
				if (q && !(a->title && strcasestr(a->title, q)))
					continue;
				if (matched >= first && matched < first + POSTS_PER_PAGE)
					json_array_append_new(rows, row_obj(req, a));
				matched++;
			}
			if (list.n < SCAN_CHUNK || aq.offset + SCAN_CHUNK >= total)
				break;
		}
	}
	size_t pages = (matched + POSTS_PER_PAGE - 1) / POSTS_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	ctx = admin_ctx_new(req, ADMIN_SEC_POSTS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *opts = json_array();
	for (int i = 0; i < FILTER__MAX; i++) {
		char key[48];
		snprintf(key, sizeof key, "admin_filter_%s", filter_names[i]);
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", filter_names[i],
						      "label", admin_t(req, key), "selected",
						      i == (int)f));
	}
	json_object_set_new(ctx, "filter", json_pack("{s:o, s:s, s:I, s:b}", "options", opts, "q",
						     q ? q : "", "matched", (json_int_t)matched,
						     "only_own", only_own));
	json_object_set_new(ctx, "posts", rows);
	rows = NULL;
	json_object_set_new(ctx, "has_posts", json_boolean(matched > 0));
	if (pages > 1) {
		json_t *pg = json_pack("{s:I, s:I}", "current", (json_int_t)page, "total",
				       (json_int_t)pages);
		struct buf u = BUF_INIT(2048);
		if (page > 1) {
			list_url(&u, f, q, page - 1);
			json_object_set_new(pg, "prev_url", json_string(buf_cstr(&u)));
		}
		if ((size_t)page < pages) {
			buf_reset(&u);
			list_url(&u, f, q, page + 1);
			json_object_set_new(pg, "next_url", json_string(buf_cstr(&u)));
		}
		buf_release(&u);
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "posts", ctx);
out:
	json_decref(rows);
	json_decref(ctx);
	article_list_release(&list);
	return rc;
}

/* ---- the form ---- */

/* The fields of a stored article, for the edit form. *ret_tags and
 * *ret_date are malloc'd (free them). */
static int fields_from_article(const struct article *a, struct post_fields *f, char **ret_tags,
			       char **ret_date)
{
	struct buf tags = BUF_INIT(64 * 1024);
	for (size_t i = 0; i < a->ntags; i++)
		buf_printf(&tags, "%s%s", i ? ", " : "", a->tags[i].name);
	buf_putc(&tags, '\0'); /* an article without tags still gets a string */
	*ret_tags = buf_take(&tags, NULL);
	*ret_date = malloc(32);
	if (!*ret_tags || !*ret_date) {
		free(*ret_tags);
		free(*ret_date);
		return DP_ENOMEM;
	}
	fmt_local_input(*ret_date, 32, a->published_at);
	f->title = a->title;
	f->slug = a->slug;
	f->dateline = a->dateline;
	f->tags = *ret_tags;
	f->category = a->category.id ? a->category.name : "";
	f->author = a->author.id ? a->author.name : "";
	f->date = *ret_date;
	f->lang = a->lang;
	f->body = a->body_md;
	return DP_OK;
}

static void fields_from_form(const struct http_req *req, struct post_fields *f)
{
	const struct form *fm = &req->form;
	f->title = form_get(fm, "title");
	f->slug = form_get(fm, "slug");
	f->dateline = form_get(fm, "dateline");
	f->tags = form_get(fm, "tags");
	f->category = form_get(fm, "category");
	f->author = form_get(fm, "author");
	f->date = form_get(fm, "date");
	f->lang = form_get(fm, "lang");
	f->body = form_get(fm, "body");
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/* Renders the editor. a: the stored article (NULL for a new one); f: what
 * the form shows; error: a sentence for the user (or NULL); preview: HTML
 * the engine rendered from the body (or NULL). */
static int form_page(struct http_req *req, struct http_res *res, unsigned status,
		     const struct article *a, const struct post_fields *f, const char *error,
		     const char *preview)
{
	char url[96], key[48];
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_POSTS);
	if (!ctx)
		return DP_ENOMEM;
	json_t *p = json_object();
	set_str(p, "title", f->title);
	set_str(p, "slug", f->slug);
	set_str(p, "dateline", f->dateline);
	set_str(p, "tags", f->tags);
	set_str(p, "category", f->category);
	set_str(p, "author", f->author);
	set_str(p, "date", f->date);
	set_str(p, "lang", f->lang);
	set_str(p, "body", f->body);
	if (a) {
		enum post_filter state = article_state(a, req->now);
		json_object_set_new(p, "id", json_integer((json_int_t)a->id));
		snprintf(url, sizeof url, "/admin/posts/%lld", (long long)a->id);
		json_object_set_new(p, "action_url", json_string(url));
		snprintf(url, sizeof url, "/admin/posts/%lld/delete", (long long)a->id);
		json_object_set_new(p, "delete_url", json_string(url));
		snprintf(key, sizeof key, "admin_post_status_%s", filter_names[state]);
		json_object_set_new(p, "state_label", json_string(admin_t(req, key)));
		snprintf(key, sizeof key, "is_%s", filter_names[state]);
		json_object_set_new(p, key, json_true());
		if (state == FILTER_PUBLISHED) {
			char pub[256];
			snprintf(pub, sizeof pub, "/%s/", a->slug);
			json_object_set_new(p, "public_url", json_string(pub));
		}
	} else {
		json_object_set_new(p, "action_url", json_string("/admin/posts"));
		json_object_set_new(p, "is_new", json_true());
	}
	json_object_set_new(ctx, "post", p);
	json_object_set_new(ctx, "author_locked",
			    json_boolean(!admin_role_in(req, (1u << ROLE_ADMIN) |
								 (1u << ROLE_EDITOR))));
	json_object_set_new(ctx, "timezone",
			    json_string(req->site->timezone && *req->site->timezone
						? req->site->timezone : "UTC"));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (preview)
		json_object_set_new(ctx, "preview_html", json_string(preview));
	int rc = admin_render(req, res, status, "post_form", ctx);
	json_decref(ctx);
	return rc;
}

int admin_post_new(struct http_req *req, struct http_res *res)
{
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	/* No date: the article gets the time it is saved or published. */
	struct post_fields f = { .author = req->auth.name };
	return form_page(req, res, 200, NULL, &f, NULL, NULL);
}

int admin_post_edit(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	struct post_fields f = { 0 };
	char *tags = NULL, *date = NULL;
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	int rc = store_article_by_id(req->store, req->param_id, &a);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (!admin_can_edit_article(req, &a)) {
		rc = admin_forbidden(req, res);
		goto out;
	}
	rc = fields_from_article(&a, &f, &tags, &date);
	if (rc)
		goto out;
	rc = form_page(req, res, 200, &a, &f, NULL, NULL);
out:
	free(tags);
	free(date);
	article_release(&a);
	return rc;
}

/* The preview: the body as the article page will show it, dateline included. */
static int preview_page(struct http_req *req, struct http_res *res, const struct article *a,
			const struct post_fields *f)
{
	char *html = NULL, *excerpt = NULL, *full = NULL;
	const char *body = f->body ? f->body : "";
	int rc = markdown_render(body, strlen(body), req->site->allow_html, POST_EXCERPT_CHARS,
				 &html, &excerpt);
	if (rc) {
		rc = form_page(req, res, 422, a, f, admin_t(req, "admin_post_preview_failed"), NULL);
		goto out;
	}
	struct article tmp = { .dateline = (char *)f->dateline, .body_html = html };
	full = ctx_body_with_dateline(&tmp, req->site);
	if (!full) {
		rc = DP_ENOMEM;
		goto out;
	}
	rc = form_page(req, res, 200, a, f, NULL, full);
out:
	free(full);
	free(html);
	free(excerpt);
	return rc;
}

enum post_action { ACT_SAVE, ACT_PUBLISH, ACT_SCHEDULE, ACT_UNPUBLISH, ACT_PREVIEW, ACT__MAX };

static const char *const action_names[ACT__MAX] = {
	[ACT_SAVE] = "save", [ACT_PUBLISH] = "publish", [ACT_SCHEDULE] = "schedule",
	[ACT_UNPUBLISH] = "unpublish", [ACT_PREVIEW] = "preview",
};

/* Create (a->id == 0) or update *a from the form. The caller has checked
 * that the user may change *a. */
static int save_from_form(struct http_req *req, struct http_res *res, struct article *a)
{
	struct post_fields f = { 0 };
	struct post_input in = POST_INPUT_INIT;
	char err[512], now_iso[40], object[256], title[POST_TITLE_MAX * 4 + 1];
	enum post_action act = ACT__MAX;
	const bool is_new = a->id == 0;
	const int64_t id = a->id;
	const bool was_public = !is_new && article_state(a, req->now) == FILTER_PUBLISHED;
	const int64_t old_date = a->published_at;
	const struct article *shown = is_new ? NULL : a;

	const char *action = form_get(&req->form, "action");
	for (int i = 0; i < ACT__MAX; i++)
		if (strcmp(action ? action : "save", action_names[i]) == 0)
			act = (enum post_action)i;
	if (act == ACT__MAX)
		return admin_error(req, res, 400, "admin_error_action");
	fields_from_form(req, &f);
	/* An author writes under their own name, whatever the form says. */
	bool locked = !admin_role_in(req, (1u << ROLE_ADMIN) | (1u << ROLE_EDITOR));
	if (locked)
		f.author = is_new ? req->auth.name : (a->author.id ? a->author.name : "");
	if (act == ACT_PREVIEW)
		return preview_page(req, res, shown, &f);

	in.title = f.title ? f.title : "";
	in.slug = f.slug && *f.slug ? f.slug : NULL;
	in.dateline = f.dateline;
	in.tags = f.tags;
	in.category = f.category;
	in.author = locked ? (is_new ? req->auth.name : NULL) : f.author;
	in.lang = f.lang;
	in.body = f.body ? f.body : (is_new ? "" : NULL);

	/* The form shows the date to the minute: the same minute as stored
	 * means "unchanged" (the seconds stay), empty means "now". */
	int64_t date = 0;
	const bool date_given = f.date && *f.date;
	if (date_given && time_parse_iso(f.date, &date))
		return form_page(req, res, 422, shown, &f, admin_t(req, "admin_post_date_bad"), NULL);
	const bool date_same = !is_new && date_given && date / 60 == old_date / 60;
	in.date = date_given && !date_same ? f.date : NULL;
	if (is_new && act == ACT_UNPUBLISH)
		act = ACT_SAVE;
	switch (act) {
	case ACT_SAVE:
		in.draft = is_new ? 1 : -1;
		break;
	case ACT_PUBLISH:
		in.draft = 0;
		/* Publishing means now, unless the editor deliberately typed a
		 * date in the past (back-dating); an unchanged or future date of
		 * a draft does not hold the article back. */
		if (!was_public && (!date_given || date > req->now || date_same)) {
			time_fmt_iso_utc(now_iso, sizeof now_iso, req->now);
			in.date = now_iso;
		}
		break;
	case ACT_SCHEDULE:
		if (!date_given || date <= req->now)
			return form_page(req, res, 422, shown, &f,
					 admin_t(req, "admin_post_schedule_future"), NULL);
		in.draft = 0;
		break;
	case ACT_UNPUBLISH:
		in.draft = 1;
		break;
	default:
		break;
	}

	int rc = post_save(req->store, req->site, a, &in, req->now, err, sizeof err);
	if (rc == DP_EINVAL || rc == DP_EEXISTS) {
		/* post_save may have changed *a before it failed; the database
		 * still holds the article as it was. */
		struct article before = { 0 };
		if (is_new)
			return form_page(req, res, 422, NULL, &f, err, NULL);
		rc = store_article_by_id(req->store, id, &before);
		if (rc == DP_OK)
			rc = form_page(req, res, 422, &before, &f, err, NULL);
		article_release(&before);
		return rc;
	}
	if (rc)
		return rc;

	const char *audit_action, *done;
	enum post_filter state = article_state(a, req->now);
	if (act == ACT_PUBLISH || (act == ACT_SAVE && is_new && state != FILTER_DRAFT)) {
		audit_action = state == FILTER_SCHEDULED ? "post.schedule" : "post.publish";
		done = state == FILTER_SCHEDULED ? "scheduled" : "published";
	} else if (act == ACT_SCHEDULE) {
		audit_action = "post.schedule";
		done = "scheduled";
	} else if (act == ACT_UNPUBLISH) {
		audit_action = "post.unpublish";
		done = "unpublished";
	} else {
		audit_action = is_new ? "post.create" : "post.update";
		done = is_new ? "created" : "saved";
	}
	snprintf(object, sizeof object, "/%s/", a->slug);
	snprintf(title, sizeof title, "%s", a->title ? a->title : "");
	admin_audit_add(req, audit_action, object, title);

	char path[64];
	snprintf(path, sizeof path, "/admin/posts/%lld", (long long)a->id);
	return admin_redirect_done(res, path, done, NULL);
}

int admin_post_create(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	int rc = save_from_form(req, res, &a);
	article_release(&a);
	return rc;
}

int admin_post_update(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	int rc = store_article_by_id(req->store, req->param_id, &a);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (!admin_can_edit_article(req, &a))
		rc = admin_forbidden(req, res);
	else
		rc = save_from_form(req, res, &a);
	article_release(&a);
	return rc;
}

/* ---- delete ---- */

int admin_post_delete_form(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	json_t *ctx = NULL;
	char url[96];
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	int rc = store_article_by_id(req->store, req->param_id, &a);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (!admin_can_edit_article(req, &a)) {
		rc = admin_forbidden(req, res);
		goto out;
	}
	ctx = admin_ctx_new(req, ADMIN_SEC_POSTS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *p = json_pack("{s:I, s:s}", "id", (json_int_t)a.id, "title", a.title ? a.title : "");
	snprintf(url, sizeof url, "/admin/posts/%lld", (long long)a.id);
	json_object_set_new(p, "edit_url", json_string(url));
	snprintf(url, sizeof url, "/admin/posts/%lld/delete", (long long)a.id);
	json_object_set_new(p, "delete_url", json_string(url));
	json_object_set_new(ctx, "post", p);
	rc = admin_render(req, res, 200, "post_delete", ctx);
out:
	json_decref(ctx);
	article_release(&a);
	return rc;
}

int admin_post_delete(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	char object[256];
	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	int rc = store_article_by_id(req->store, req->param_id, &a);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (!admin_can_edit_article(req, &a)) {
		rc = admin_forbidden(req, res);
		goto out;
	}
	rc = store_article_delete(req->store, a.id);
	if (rc == DP_ENOTFOUND) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	if (rc)
		goto out;
	snprintf(object, sizeof object, "/%s/", a.slug);
	admin_audit_add(req, "post.delete", object, a.title ? a.title : "");
	rc = admin_redirect_done(res, "/admin/posts", "deleted", NULL);
out:
	article_release(&a);
	return rc;
}
