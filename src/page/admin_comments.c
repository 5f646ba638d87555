/* admin_comments.c — the moderation queue: comments by status, newest first,
 * with the triage verdict and its reasons; approve, mark as spam, reject
 * (one or in bulk), edit the text, reply as the site.
 *
 * Decisions go through moderation_decide() (status, learning, audit), the
 * same as from the API and the CLI. */
#include <stdio.h>
#include <string.h>

#include "http/auth.h"
#include "moderation/actions.h"
#include "page/admin.h"
#include "page/admin_common.h"
#include "page/page.h"
#include "site/site.h"
#include "util/err.h"
#include "util/utf8.h"

#define QUEUE_PER_PAGE 20
#define QUEUE_PAGE_MAX 100000
#define BULK_MAX 200             /* ids one bulk action takes */
#define COMMENT_TEXT_MAX 20000   /* bytes of a moderator's edit or reply */
#define REPLY_DEPTH_MAX 2        /* store.h: replies nest three levels deep */

static const char *const status_names[COMMENT_STATUS__MAX] = {
	[COMMENT_PENDING] = "pending",
	[COMMENT_APPROVED] = "approved",
	[COMMENT_SPAM] = "spam",
	[COMMENT_REJECTED] = "rejected",
};

static const char *const verdicts[] = { "ok", "offtopic", "demeaning", "spam" };

/* The tab named s ("pending", ...); def when s names none. */
static enum comment_status status_from_name(const char *s, enum comment_status def)
{
	for (int i = 0; s && i < COMMENT_STATUS__MAX; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (enum comment_status)i;
	return def;
}

/* Text a moderator typed: not blank, not too long, valid UTF-8 without
 * control characters other than line breaks and tabs. Returns the t key of
 * the problem, or NULL when the text is fine. */
static const char *text_problem(const char *text)
{
	if (!text)
		return "admin_comment_text_empty";
	size_t n = strlen(text);
	bool blank = true;
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", text[i]))
			blank = false;
	if (blank)
		return "admin_comment_text_empty";
	if (n > COMMENT_TEXT_MAX)
		return "admin_comment_text_long";
	if (!utf8_valid(text, n) || utf8_has_control(text, "\n\r\t"))
		return "admin_comment_text_bad";
	return NULL;
}

/* The reasons column holds a JSON array of strings; anything else shows no
 * reasons rather than failing the page. */
static json_t *reasons_array(const char *reasons)
{
	json_t *out = json_array();
	json_t *in = reasons ? json_loads(reasons, JSON_REJECT_DUPLICATES, NULL) : NULL;
	size_t i;
	json_t *v;
	if (json_is_array(in))
		json_array_foreach(in, i, v)
			if (json_is_string(v))
				json_array_append(out, v);
	json_decref(in);
	return out;
}

/* One comment as the queue and the edit page show it. article_title and
 * article_slug may be NULL (then taken from c). */
static json_t *comment_obj(struct http_req *req, const struct comment *c, const char *title,
			   const char *slug)
{
	char human[96], iso[40], url[256], score[16], key[48];
	title = title ? title : (c->article_title ? c->article_title : "");
	slug = slug ? slug : (c->article_slug ? c->article_slug : "");
	admin_fmt_time(req, c->created_at, human, sizeof human, iso, sizeof iso);
	snprintf(url, sizeof url, "/%s/", slug);
	snprintf(score, sizeof score, "%.2f", c->score);
	const char *verdict = c->verdict ? c->verdict : "";
	const char *vlabel = verdict;
	bool known = false;
	for (size_t i = 0; i < sizeof verdicts / sizeof verdicts[0]; i++) {
		if (strcmp(verdict, verdicts[i]) == 0) {
			snprintf(key, sizeof key, "admin_verdict_%s", verdicts[i]);
			vlabel = admin_t(req, key);
			known = true;
		}
	}
	snprintf(key, sizeof key, "admin_status_%s", status_names[c->status]);
	json_t *reasons = reasons_array(c->reasons);
	bool has_reasons = json_array_size(reasons) > 0;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o,"
			      " s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b}",
			      "id", (json_int_t)c->id, "article_title", title, "article_url", url,
			      "author_name", c->author_name ? c->author_name : "",
			      "date_human", human, "date_iso", iso,
			      "paras", ctx_text_paras(c->text),
			      "verdict", verdict, "verdict_label", vlabel, "score", score,
			      "reasons", reasons,
			      "status", status_names[c->status], "status_label", admin_t(req, key),
			      "back_status", status_names[c->status],
			      "by_site", c->by_site, "verdict_known", known,
			      "has_verdict", verdict[0] != '\0', "has_reasons", has_reasons,
			      "can_reply", c->depth < REPLY_DEPTH_MAX &&
						   (c->status == COMMENT_PENDING ||
						    c->status == COMMENT_APPROVED));
	if (!o)
		return NULL;
	char is[32];
	snprintf(is, sizeof is, "is_%s", status_names[c->status]);
	json_object_set_new(o, is, json_true());
	if (verdict[0] && known) {
		snprintf(is, sizeof is, "verdict_is_%s", verdict);
		json_object_set_new(o, is, json_true());
	}
	if (c->author_email && c->author_email[0])
		json_object_set_new(o, "author_email", json_string(c->author_email));
	if (c->ip && c->ip[0])
		json_object_set_new(o, "ip", json_string(c->ip));
	if (c->parent_id)
		json_object_set_new(o, "parent_id", json_integer((json_int_t)c->parent_id));
	if (c->depth >= REPLY_DEPTH_MAX)
		json_object_set_new(o, "depth_max", json_true());
	return o;
}

int admin_comments(struct http_req *req, struct http_res *res)
{
	struct comment_list list = { 0 };
	size_t total = 0;
	json_t *ctx = NULL;
	int rc;
	char url[128];

	if (!admin_role_in(req, ADMIN_ROLES_COMMENTS))
		return admin_forbidden(req, res);
	enum comment_status st = status_from_name(http_query(req, "status"), COMMENT_PENDING);
	int64_t page = admin_query_num(req, "page", 1, QUEUE_PAGE_MAX);
	rc = store_comments(req->store, st, (size_t)(page - 1) * QUEUE_PER_PAGE, QUEUE_PER_PAGE,
			    &list, &total);
	if (rc)
		return rc;
	size_t pages = (total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		/* The page emptied (decisions move comments to other tabs):
		 * show the last one that still has comments. */
		comment_list_release(&list);
		memset(&list, 0, sizeof list);
		page = pages ? (int64_t)pages : 1;
		rc = store_comments(req->store, st, (size_t)(page - 1) * QUEUE_PER_PAGE,
				    QUEUE_PER_PAGE, &list, &total);
		if (rc)
			goto out;
		pages = (total + QUEUE_PER_PAGE - 1) / QUEUE_PER_PAGE;
	}
	ctx = admin_ctx_new(req, ADMIN_SEC_COMMENTS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *tabs = json_array();
	for (int i = 0; i < COMMENT_STATUS__MAX; i++) {
		char key[48];
		size_t n = 0;
		rc = store_comment_count(req->store, (enum comment_status)i, &n);
		if (rc)
			goto out;
		snprintf(key, sizeof key, "admin_status_%s", status_names[i]);
		snprintf(url, sizeof url, "/admin/comments?status=%s", status_names[i]);
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:s, s:I, s:b}", "name",
						      status_names[i], "label", admin_t(req, key),
						      "url", url, "count", (json_int_t)n,
						      "current", i == (int)st));
	}
	json_object_set_new(ctx, "tabs", tabs);
	json_t *arr = json_array();
	for (size_t i = 0; i < list.n; i++) {
		json_t *co = comment_obj(req, &list.items[i], NULL, NULL);
		json_object_set_new(co, "show_edit_link", json_true());
		if (page > 1)
			json_object_set_new(co, "back_page", json_integer(page));
		json_array_append_new(arr, co);
	}
	json_object_set_new(ctx, "comments", arr);
	json_object_set_new(ctx, "has_comments", json_boolean(list.n > 0));
	char key[48];
	snprintf(key, sizeof key, "admin_status_%s", status_names[st]);
	json_object_set_new(ctx, "queue",
			    json_pack("{s:s, s:s, s:I, s:I, s:I}", "status", status_names[st],
				      "label", admin_t(req, key), "total", (json_int_t)total,
				      "page", (json_int_t)page, "pages",
				      (json_int_t)(pages ? pages : 1)));
	if (pages > 1) {
		json_t *pg = json_object();
		if (page > 1) {
			snprintf(url, sizeof url, "/admin/comments?status=%s&page=%lld",
				 status_names[st], (long long)page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if ((size_t)page < pages) {
			snprintf(url, sizeof url, "/admin/comments?status=%s&page=%lld",
				 status_names[st], (long long)page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(pg, "current", json_integer(page));
		json_object_set_new(pg, "total", json_integer((json_int_t)pages));
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "comments", ctx);
out:
	json_decref(ctx);
	comment_list_release(&list);
	return rc;
}

/* "&status=pending&page=2" for the way back to where the form was sent. */
static void back_query(const struct http_req *req, char *out, size_t len)
{
	enum comment_status st = status_from_name(form_get(&req->form, "status"), COMMENT_PENDING);
	int64_t page = admin_parse_id(form_get(&req->form, "page"));
	if (page > 1 && page <= QUEUE_PAGE_MAX)
		snprintf(out, len, "&status=%s&page=%lld", status_names[st], (long long)page);
	else
		snprintf(out, len, "&status=%s", status_names[st]);
}

int admin_comments_action(struct http_req *req, struct http_res *res)
{
	const char *ids[BULK_MAX];
	enum comment_status st;
	char back[64];

	if (!admin_role_in(req, ADMIN_ROLES_COMMENTS))
		return admin_forbidden(req, res);
	const char *action = form_get(&req->form, "action");
	if (!action || moderation_status_parse(action, &st) || st == COMMENT_PENDING)
		return admin_error(req, res, 400, "admin_error_action");
	size_t n = form_get_all(&req->form, "id", ids, BULK_MAX);
	size_t done = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t id = admin_parse_id(ids[i]);
		if (!id)
			continue;
		int rc = moderation_decide(req->store, req->triage, id, st, req->auth.name);
		if (rc == DP_ENOTFOUND)
			continue; /* gone meanwhile (another moderator): nothing to do */
		if (rc)
			return rc;
		done++;
	}
	back_query(req, back, sizeof back);
	return admin_redirect_done(res, "/admin/comments", done ? status_names[st] : "none", back);
}

/* The edit page of comment id: its text in a form, the reply form, the
 * decision buttons. The *_text arguments keep what the user typed after an
 * error; *_error are t keys. */
static int comment_page(struct http_req *req, struct http_res *res, unsigned status,
			const char *edit_text, const char *edit_error, const char *reply_text,
			const char *reply_error)
{
	struct comment c = { 0 };
	struct article a = { 0 };
	json_t *ctx = NULL;
	int rc = store_comment_get(req->store, req->param_id, &c);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	rc = store_article_by_id(req->store, c.article_id, &a);
	if (rc && rc != DP_ENOTFOUND)
		goto out;
	ctx = admin_ctx_new(req, ADMIN_SEC_COMMENTS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *co = comment_obj(req, &c, a.title, a.slug);
	json_object_set_new(co, "text", json_string(c.text ? c.text : ""));
	json_object_set_new(ctx, "comment", co);
	json_object_set_new(ctx, "edit_text", json_string(edit_text ? edit_text : c.text ? c.text : ""));
	if (edit_error)
		json_object_set_new(ctx, "edit_error", json_string(admin_t(req, edit_error)));
	if (reply_text)
		json_object_set_new(ctx, "reply_text", json_string(reply_text));
	if (reply_error)
		json_object_set_new(ctx, "reply_error", json_string(admin_t(req, reply_error)));
	rc = admin_render(req, res, status, "comment_edit", ctx);
out:
	json_decref(ctx);
	article_release(&a);
	comment_release(&c);
	return rc;
}

int admin_comment_edit_form(struct http_req *req, struct http_res *res)
{
	if (!admin_role_in(req, ADMIN_ROLES_COMMENTS))
		return admin_forbidden(req, res);
	return comment_page(req, res, 200, NULL, NULL, NULL, NULL);
}

int admin_comment_edit(struct http_req *req, struct http_res *res)
{
	struct comment c = { 0 };
	char object[48], back[48];
	if (!admin_role_in(req, ADMIN_ROLES_COMMENTS))
		return admin_forbidden(req, res);
	const char *text = form_get(&req->form, "text");
	const char *problem = text_problem(text);
	if (problem)
		return comment_page(req, res, 422, text && strlen(text) <= COMMENT_TEXT_MAX ? text : "",
				    problem, NULL, NULL);
	int rc = store_comment_get(req->store, req->param_id, &c);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	rc = store_comment_set_text(req->store, c.id, text);
	if (rc)
		goto out;
	snprintf(object, sizeof object, "comment %lld", (long long)c.id);
	admin_audit_add(req, "comment.edit", object, "");
	snprintf(back, sizeof back, "&status=%s", status_names[c.status]);
	rc = admin_redirect_done(res, "/admin/comments", "edited", back);
out:
	comment_release(&c);
	return rc;
}

int admin_comment_reply(struct http_req *req, struct http_res *res)
{
	struct comment parent = { 0 };
	struct comment reply = { 0 };
	char object[48], detail[64], back[48];
	if (!admin_role_in(req, ADMIN_ROLES_COMMENTS))
		return admin_forbidden(req, res);
	const char *text = form_get(&req->form, "text");
	const char *problem = text_problem(text);
	const char *keep = text && strlen(text) <= COMMENT_TEXT_MAX ? text : "";
	if (problem)
		return comment_page(req, res, 422, NULL, NULL, keep, problem);
	int rc = store_comment_get(req->store, req->param_id, &parent);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (parent.depth >= REPLY_DEPTH_MAX) {
		rc = comment_page(req, res, 422, NULL, NULL, keep, "admin_reply_too_deep");
		goto out;
	}
	if (parent.status != COMMENT_PENDING && parent.status != COMMENT_APPROVED) {
		rc = comment_page(req, res, 422, NULL, NULL, keep, "admin_reply_hidden_parent");
		goto out;
	}
	/* Strings are only borrowed: reply's fields are not released below. */
	reply.article_id = parent.article_id;
	reply.parent_id = parent.id;
	reply.author_name = req->site->title;
	reply.author_email = "";
	reply.text = (char *)text;
	reply.ip = (char *)(req->client_ip ? req->client_ip : "");
	reply.status = COMMENT_APPROVED;
	reply.by_site = true;
	reply.verdict = "ok";
	reply.score = 0;
	reply.reasons = "[]";
	rc = store_comment_add(req->store, &reply);
	if (rc == DP_EINVAL) { /* the store's own depth rule */
		rc = comment_page(req, res, 422, NULL, NULL, keep, "admin_reply_too_deep");
		goto out;
	}
	if (rc)
		goto out;
	snprintf(object, sizeof object, "comment %lld", (long long)reply.id);
	snprintf(detail, sizeof detail, "reply to comment %lld", (long long)parent.id);
	admin_audit_add(req, "comment.reply", object, detail);
	if (parent.status == COMMENT_PENDING) {
		rc = moderation_decide(req->store, req->triage, parent.id, COMMENT_APPROVED,
				       req->auth.name);
		if (rc && rc != DP_ENOTFOUND)
			goto out;
	}
	snprintf(back, sizeof back, "&status=%s", status_names[parent.status]);
	rc = admin_redirect_done(res, "/admin/comments", "replied", back);
out:
	comment_release(&parent);
	return rc;
}
