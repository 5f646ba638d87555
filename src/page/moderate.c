/* moderate.c — the approve and reject links of the moderators' mail
 * (moderate.h). The signed value in the link is the capability: whoever
 * holds an unexpired one may do that one thing to that one comment, without
 * a session. GET only shows the comment and a button (mail scanners and
 * link previews follow links); POST decides through moderation_decide(),
 * as the admin and the API do, with "mail link" as the actor in the audit
 * log. A comment decided already stays as it is.
 *
 * Answers: 200 form or result; 400 without a value; 403 for a forged one;
 * 404 for a comment that is gone; 410 for an expired link (with the way to
 * the admin's queue). Never cached (the dynamic layer: no-store), noindex. */
#include "page/moderate.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "moderation/actions.h"
#include "newsletter/links.h"
#include "page/page.h"
#include "page/theme.h"
#include "render/date.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"

#define ACTOR "mail link"

static const char *tr(const struct http_req *req, const char *key)
{
	json_t *v = json_object_get(req->theme->strings, key);
	return json_is_string(v) ? json_string_value(v) : key;
}

/* The reasons column: a JSON array of strings; anything else, none. */
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

static const char *const state_keys[COMMENT_STATUS__MAX] = {
	[COMMENT_PENDING] = "notify_mod_state_pending",
	[COMMENT_APPROVED] = "notify_mod_state_approved",
	[COMMENT_SPAM] = "notify_mod_state_spam",
	[COMMENT_REJECTED] = "notify_mod_state_rejected",
};

/* The comment as the page shows it (text as paragraphs of escaped lines,
 * never linked). */
static json_t *comment_json(const struct http_req *req, const struct comment *c,
			    const struct article *a)
{
	char human[64], iso[40], url[300], key[48];
	date_human(human, sizeof human, c->created_at, req->site->lang);
	time_fmt_iso_local(iso, sizeof iso, c->created_at);
	snprintf(url, sizeof url, "/%s/", a->slug);
	const char *verdict = c->verdict ? c->verdict : "";
	const char *vlabel = verdict;
	static const char *const known[] = { "ok", "offtopic", "demeaning", "spam" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(verdict, known[i]) == 0) {
			snprintf(key, sizeof key, "notify_verdict_%s", known[i]);
			vlabel = tr(req, key);
		}
	json_t *reasons = reasons_array(c->reasons);
	bool has_reasons = json_array_size(reasons) > 0;
	json_t *paras = ctx_text_paras(c->text);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s, s:b, s:o, s:s}", "id",
			 (json_int_t)c->id, "article_title", a->title ? a->title : "",
			 "article_url", url, "author_name", c->author_name ? c->author_name : "",
			 "date_human", human, "date_iso", iso, "paras", paras ? paras : json_array(),
			 "has_verdict", verdict[0] != '\0', "verdict_label", vlabel, "has_reasons",
			 has_reasons, "reasons", reasons, "state_label",
			 tr(req, state_keys[c->status < COMMENT_STATUS__MAX ? c->status : 0]));
}

/* Renders templates/moderate with `what` as ctx.moderate, with status. */
static int render(struct http_req *req, struct http_res *res, unsigned status, json_t *what)
{
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_req preq = { req->site, req->theme, req->store, req->now, &route, NULL };
	struct page_res pres;
	int rc = DP_ENOMEM;
	json_t *ctx = ctx_new(&preq, "moderate", "/moderate/");
	if (!ctx || !what)
		goto out;
	json_t *page = json_object_get(ctx, "page");
	json_object_set_new(page, "noindex", json_true());
	json_object_del(page, "og");
	json_object_del(page, "canonical");
	json_object_set(ctx, "moderate", what);
	page_res_init(&pres);
	rc = ctx_render(&preq, &pres, "moderate", ctx);
	if (!rc) {
		res->status = status;
		res->content_type = "text/html; charset=utf-8";
		buf_reset(&res->body);
		buf_add(&res->body, pres.body.data, pres.body.len);
		rc = buf_error(&res->body);
	}
	page_res_release(&pres);
out:
	json_decref(what);
	json_decref(ctx);
	return rc;
}

/* A page without a comment: forged, expired, gone, or no value at all. */
static int refuse(struct http_req *req, struct http_res *res, unsigned status, const char *flag)
{
	json_t *what = json_pack("{s:b, s:s}", flag, 1, "queue_url", "/admin/comments");
	return render(req, res, status, what);
}

/* Checks the signed value; on failure the answer is in res and *ret_done
 * is set. */
static int check(struct http_req *req, struct http_res *res, const char *value,
		 int64_t *ret_id, enum comment_status *ret_status, bool *ret_done)
{
	char action[16];
	*ret_done = true;
	if (!value || !*value)
		return refuse(req, res, 400, "missing");
	int rc = link_moderation_check(value, req->now, ret_id, action, sizeof action);
	if (rc == DP_EBUSY)
		return refuse(req, res, 410, "expired");
	if (rc || moderation_status_parse(action, ret_status) ||
	    (*ret_status != COMMENT_APPROVED && *ret_status != COMMENT_REJECTED))
		return refuse(req, res, 403, "forged");
	*ret_done = false;
	return DP_OK;
}

/* The page for a valid link: the comment, and the button while it waits
 * (form), or what became of it (decided: this request's action; else its
 * state as somebody else left it). */
static int show(struct http_req *req, struct http_res *res, const char *value, int64_t id,
		enum comment_status action, bool decided)
{
	struct comment c = { 0 };
	struct article a = { 0 };
	int rc = store_comment_get(req->store, id, &c);
	if (rc == DP_ENOTFOUND)
		return refuse(req, res, 404, "gone");
	if (rc || (rc = store_article_by_id(req->store, c.article_id, &a))) {
		comment_release(&c);
		return rc == DP_ENOTFOUND ? refuse(req, res, 404, "gone") : rc;
	}
	bool approve = action == COMMENT_APPROVED;
	json_t *what = json_pack("{s:o, s:b, s:b, s:s, s:s}", "comment", comment_json(req, &c, &a),
				 "approve", approve, "reject", !approve, "queue_url",
				 "/admin/comments", "token", value);
	if (what) {
		if (decided)
			json_object_set_new(what, approve ? "approved" : "rejected", json_true());
		else if (c.status == COMMENT_PENDING)
			json_object_set_new(what, "form", json_true());
		else
			json_object_set_new(what, "settled", json_true());
		if (c.status == COMMENT_APPROVED && !decided)
			json_object_set_new(what, "public", json_true());
		if (decided && approve)
			json_object_set_new(what, "public", json_true());
	}
	rc = render(req, res, 200, what);
	comment_release(&c);
	article_release(&a);
	return rc;
}

int moderate_link_form(struct http_req *req, struct http_res *res)
{
	int64_t id = 0;
	enum comment_status st = COMMENT_PENDING;
	bool done = false;
	const char *value = http_query(req, "t");
	int rc = check(req, res, value, &id, &st, &done);
	if (rc || done)
		return rc;
	return show(req, res, value, id, st, false);
}

int moderate_link(struct http_req *req, struct http_res *res)
{
	struct comment c = { 0 };
	int64_t id = 0;
	enum comment_status st = COMMENT_PENDING;
	bool done = false;
	const char *value = form_get(&req->form, "t");
	int rc = check(req, res, value, &id, &st, &done);
	if (rc || done)
		return rc;
	/* Looked at and decided in one transaction: two clicks (or a moderator
	 * in the admin at the same moment) decide once. */
	if ((rc = store_begin(req->store)))
		return rc;
	rc = store_comment_get(req->store, id, &c);
	bool pending = !rc && c.status == COMMENT_PENDING;
	comment_release(&c);
	if (!rc && pending)
		rc = moderation_decide(req->store, req->triage, id, st, ACTOR);
	if (rc || !pending) {
		store_rollback(req->store);
		if (rc == DP_ENOTFOUND)
			return refuse(req, res, 404, "gone");
		if (rc)
			return rc;
		return show(req, res, value, id, st, false); /* decided before: unchanged */
	}
	if ((rc = store_commit(req->store)))
		return rc;
	return show(req, res, value, id, st, true);
}
