/* subscribe.c — the reader's side of mail (subscribe.h): the sign-up page
 * and POST /subscribe, the confirmation link, the preferences page and
 * unsubscribing, one-click (RFC 8058) included.
 *
 * Sign-ups are guarded like comments (comments.c): a signed ticket issued
 * when the form was rendered (article id 0: the forms are site-wide), a
 * honeypot field, a minimum fill time and a per-address rate. What looks
 * automated gets the same 303 as a person, and nothing is stored or sent.
 * Whether an address is known is never revealed (newsletter/subscribe.h).
 *
 * Links carry the secrets: ?t= a single-use confirmation token, ?k= a
 * subscriber's manage key (there is no session). A GET never changes
 * anything, because mail scanners fetch links; pages that show a
 * subscriber are no-store (the dynamic layer) and send no Referer. */
#include "page/subscribe.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/ratelimit.h"
#include "newsletter/compose.h"
#include "newsletter/subscribe.h"
#include "page/comments.h"
#include "page/page.h"
#include "page/theme.h"
#include "site/site.h"
#include "util/err.h"
#include "util/log.h"
#include "util/utf8.h"

#define EMAIL_KEEP_MAX 320   /* bytes of a typed address shown again in a form */
#define QUERY_TOPICS_MAX SUB_TOPICS_MAX

static bool signup_open(const struct site *s)
{
	return s->subscribe_open && s->mail_from && *s->mail_from;
}

/* ---- rendering ---- */

/* Renders tpl (a page extending layout) with `sub` = obj (stolen) into res
 * with status: noindex, no Referer. */
static int render(struct http_req *req, struct http_res *res, unsigned status, const char *tpl,
		  const char *canonical, json_t *obj)
{
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_req preq = { req->site, req->theme, req->store, req->now, &route, NULL };
	json_t *ctx = obj ? ctx_new(&preq, "subscribe", canonical) : NULL;
	if (!ctx) {
		json_decref(obj);
		return DP_ENOMEM;
	}
	json_t *page = json_object_get(ctx, "page");
	json_object_set_new(page, "noindex", json_true());
	json_object_set_new(page, "no_referrer", json_true());
	json_object_set_new(ctx, "sub", obj);
	struct page_res pres;
	page_res_init(&pres);
	int rc = ctx_render(&preq, &pres, tpl, ctx);
	json_decref(ctx);
	if (!rc)
		rc = buf_error(&pres.body);
	if (!rc) {
		res->status = status;
		res->content_type = "text/html; charset=utf-8";
		buf_reset(&res->body);
		rc = buf_add(&res->body, pres.body.data, pres.body.len);
	}
	page_res_release(&pres);
	if (!rc)
		rc = http_res_header(res, "Referrer-Policy", "no-referrer");
	return rc;
}

/* A page that only says something: closed, unknown or expired link. */
static int result(struct http_req *req, struct http_res *res, unsigned status, const char *what)
{
	json_t *o = json_pack("{s:i, s:b}", "status", (int)status, what, 1);
	return render(req, res, status, "subscribe_result", "/subscribe/", o);
}

/* Something failed on our side: logged once, the themed 500 page. */
static int oops(struct http_req *req, struct http_res *res, const char *where, int rc)
{
	log_error("%s %s: %s failed: %s", req->method, req->path, where, dp_strerror(rc));
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_req preq = { req->site, req->theme, req->store, req->now, &route, NULL };
	struct page_res pres;
	page_res_init(&pres);
	page_error(&preq, &pres, 500);
	res->status = 500;
	res->content_type = pres.content_type;
	buf_reset(&res->body);
	buf_add(&res->body, pres.body.data, pres.body.len);
	page_res_release(&pres);
	return DP_OK;
}

/* ---- input ---- */

struct qvals {
	const char *name;
	const char **v;
	size_t n, max;
};

static enum MHD_Result query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct qvals *q = cls;
	(void)kind;
	if (key && value && strcmp(key, q->name) == 0 && q->n < q->max)
		q->v[q->n++] = value;
	return MHD_YES;
}

/* Every value of a repeated query argument (?topics=a&topics=b). */
static size_t query_all(const struct http_req *req, const char *name, const char **ret, size_t max)
{
	struct qvals q = { name, ret, 0, max };
	if (req->conn) {
		MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, query_cb, &q);
	} else {
		const char *v = http_query(req, name);
		if (v && max)
			ret[q.n++] = v;
	}
	return q.n;
}

/* What the reader typed, fit to show again: spaces around it dropped, ""
 * when it is too long or not UTF-8. */
static void typed_email(const char *raw, char out[EMAIL_KEEP_MAX + 1])
{
	out[0] = '\0';
	if (!raw)
		return;
	while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
		raw++;
	size_t n = strlen(raw);
	while (n && (raw[n - 1] == ' ' || raw[n - 1] == '\t' || raw[n - 1] == '\r' ||
		     raw[n - 1] == '\n'))
		n--;
	if (n > EMAIL_KEEP_MAX || !utf8_valid(raw, n))
		return;
	memcpy(out, raw, n);
	out[n] = '\0';
	if (utf8_has_control(out, ""))
		out[0] = '\0';
}

static bool checked(const char *v)
{
	return v && *v && strcmp(v, "0") != 0;
}

/* The tags among slugs that exist (repeats and unknown ones dropped);
 * with none and no newsletter the newsletter is offered. */
static int known_choice(struct store *s, const char *const *slugs, size_t n, bool newsletter,
			struct subscribe_choice *ret)
{
	memset(ret, 0, sizeof *ret);
	if (n && !(ret->topics = calloc(n, sizeof *ret->topics)))
		return DP_ENOMEM;
	for (size_t i = 0; i < n && ret->ntopics < SUB_TOPICS_MAX; i++) {
		bool seen = false;
		for (size_t k = 0; k < ret->ntopics && !seen; k++)
			seen = strcmp(ret->topics[k].slug, slugs[i]) == 0;
		if (seen || strlen(slugs[i]) > ROUTE_SLUG_MAX)
			continue;
		int rc = store_term_by_slug(s, TERM_TAG, slugs[i], &ret->topics[ret->ntopics]);
		if (rc == DP_OK)
			ret->ntopics++;
		else if (rc != DP_ENOTFOUND) {
			subscribe_choice_release(ret);
			return rc;
		}
	}
	ret->newsletter = newsletter || ret->ntopics == 0;
	return DP_OK;
}

static json_t *topics_json(const struct term *t, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "slug", t[i].slug, "name",
						     t[i].name));
	return arr;
}

/* The sign-up form: action, a fresh ticket, what was typed, the choice
 * and the consent wording for exactly that choice. */
static json_t *form_json(struct http_req *req, const char *email, const struct subscribe_choice *c)
{
	char ticket[96];
	comment_ticket(0, req->now, ticket, sizeof ticket);
	char *wording = subscribe_choice_wording(req->theme->strings, req->site->title, c);
	json_t *o = wording ? json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:s}", "action",
					"/subscribe", "ticket", ticket, "email", email, "topics",
					topics_json(c->topics, c->ntopics), "has_topics",
					c->ntopics > 0, "newsletter", c->newsletter, "wording",
					wording)
			    : NULL;
	free(wording);
	return o;
}

/* The form again with the reason it was refused (status 400 or 429). */
static int form_error(struct http_req *req, struct http_res *res, unsigned status,
		      const char *why, const char *email, const char *const *slugs, size_t n,
		      bool newsletter)
{
	struct subscribe_choice c;
	int rc = known_choice(req->store, slugs, n, newsletter, &c);
	if (rc)
		return oops(req, res, "topics", rc);
	json_t *o = form_json(req, email, &c);
	subscribe_choice_release(&c);
	if (o) {
		json_object_set_new(o, "error", json_pack("{s:b}", why, 1));
		json_object_set_new(o, "has_error", json_true());
	}
	rc = render(req, res, status, "subscribe", "/subscribe/", o);
	return rc ? oops(req, res, "render", rc) : DP_OK;
}

/* ---- the rate of sign-ups per client address ---- */

static struct ratelimit *per_ip;
static pthread_mutex_t per_ip_lock = PTHREAD_MUTEX_INITIALIZER;

static bool rate_ok(const struct http_req *req)
{
	pthread_mutex_lock(&per_ip_lock);
	if (!per_ip)
		ratelimit_new(req->site->comment_rate / 60.0, req->site->comment_rate, &per_ip);
	pthread_mutex_unlock(&per_ip_lock);
	return !per_ip ||
	       ratelimit_take(per_ip, req->client_ip ? req->client_ip : "", ratelimit_now_ms());
}

/* ---- sign up ---- */

int subscribe_form(struct http_req *req, struct http_res *res)
{
	if (!signup_open(req->site))
		return result(req, res, 403, "closed");
	int rc;
	if (checked(http_query(req, "sent"))) {
		rc = render(req, res, 200, "subscribe", "/subscribe/", json_pack("{s:b}", "sent", 1));
		return rc ? oops(req, res, "render", rc) : DP_OK;
	}
	const char *slugs[QUERY_TOPICS_MAX];
	size_t n = query_all(req, "topics", slugs, QUERY_TOPICS_MAX);
	struct subscribe_choice c;
	if ((rc = known_choice(req->store, slugs, n, checked(http_query(req, "newsletter")), &c)))
		return oops(req, res, "topics", rc);
	json_t *o = form_json(req, "", &c);
	subscribe_choice_release(&c);
	rc = render(req, res, 200, "subscribe", "/subscribe/", o);
	return rc ? oops(req, res, "render", rc) : DP_OK;
}

int subscribe_post(struct http_req *req, struct http_res *res)
{
	char email[EMAIL_KEEP_MAX + 1];
	const char *slugs[SUB_TOPICS_MAX + 1];
	struct subscribe_choice c = { 0 };
	enum subscribe_problem problem = SUBSCRIBE_OK;
	int rc;

	if (!signup_open(req->site))
		return result(req, res, 403, "closed");
	const char *raw = form_get(&req->form, "email");
	typed_email(raw, email);
	size_t n = form_get_all(&req->form, "topics", slugs, SUB_TOPICS_MAX + 1);
	bool newsletter = checked(form_get(&req->form, "newsletter"));
	if (!rate_ok(req))
		return form_error(req, res, 429, "rate", email, slugs, n, newsletter);
	rc = subscribe_choice_load(req->store, slugs, n, newsletter, &c, &problem);
	if (rc == DP_EINVAL)
		return form_error(req, res, 400, subscribe_problem_name(problem), email, slugs, n,
				  newsletter);
	if (rc)
		return oops(req, res, "topics", rc);
	if (!raw || !subscribe_email_ok(email)) {
		rc = form_error(req, res, 400, "bad_email", email, slugs, n, newsletter);
		goto out;
	}

	/* What a bot must not learn: it gets the same answer as a person. */
	const char *honey = form_get(&req->form, "website");
	int64_t issued = 0;
	bool bot = (honey && *honey) ||
		   comment_ticket_check(form_get(&req->form, "ticket"), 0, req->now, &issued) ||
		   req->now - issued < req->site->comment_min_seconds;
	if (!bot) {
		struct mail_env env = { req->site, req->theme, req->store, req->now };
		rc = subscribe_request(&env, email, &c, req->client_ip, &problem);
		if (rc == DP_EINVAL && problem != SUBSCRIBE_OK) {
			rc = form_error(req, res, 400, subscribe_problem_name(problem), email, slugs,
					n, newsletter);
			goto out;
		}
		if (rc) {
			rc = oops(req, res, "sign-up", rc);
			goto out;
		}
	}
	rc = http_res_redirect(res, "/subscribe/?sent=1");
out:
	subscribe_choice_release(&c);
	return rc;
}

/* ---- confirm ---- */

static const char *token_arg(struct http_req *req)
{
	const char *t = form_get(&req->form, "t");
	return t ? t : http_query(req, "t");
}

int subscribe_confirm_form(struct http_req *req, struct http_res *res)
{
	const char *t = http_query(req, "t");
	if (!subscribe_token_ok(t))
		return result(req, res, 404, "token_unknown");
	json_t *o = json_pack("{s:b, s:s, s:s}", "ask", 1, "action", "/subscribe/confirm/",
			      "token", t);
	int rc = render(req, res, 200, "subscribe_confirm", "/subscribe/confirm/", o);
	return rc ? oops(req, res, "render", rc) : DP_OK;
}

/* Topics of a subscriber with their tag names (a tag since deleted shows
 * its slug). */
static json_t *sub_topics_json(struct store *s, const struct subscriber *sub, int *ret_rc)
{
	json_t *arr = json_array();
	*ret_rc = DP_OK;
	for (size_t i = 0; arr && i < sub->ntopics; i++) {
		struct term t = { 0 };
		int rc = store_term_by_slug(s, TERM_TAG, sub->topics[i], &t);
		if (rc && rc != DP_ENOTFOUND) {
			*ret_rc = rc;
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, json_pack("{s:s, s:s}", "slug", sub->topics[i], "name",
						     rc ? sub->topics[i] : t.name));
		term_release(&t);
	}
	if (!arr)
		*ret_rc = DP_ENOMEM;
	return arr;
}

static void prefs_path(char *out, size_t len, const struct subscriber *sub, const char *extra)
{
	snprintf(out, len, "/subscribe/preferences/?k=%s%s", sub->key, extra);
}

int subscribe_confirm(struct http_req *req, struct http_res *res)
{
	struct subscriber sub = { 0 };
	char prefs[200];
	int rc = subscribe_confirm_token(req->store, token_arg(req), req->client_ip, req->now, &sub);
	if (rc == DP_ENOTFOUND || rc == DP_EINVAL)
		return result(req, res, 404, "token_unknown");
	if (rc == DP_EBUSY)
		return result(req, res, 410, "token_expired");
	if (rc)
		return oops(req, res, "confirm", rc);
	json_t *topics = sub_topics_json(req->store, &sub, &rc);
	if (!topics) {
		rc = oops(req, res, "topics", rc);
		goto out;
	}
	prefs_path(prefs, sizeof prefs, &sub, "");
	char freq[32];
	snprintf(freq, sizeof freq, "freq_%s", sub_frequency_name(sub.frequency));
	json_t *o = json_pack("{s:b, s:s, s:o, s:b, s:b, s:s, s:b}", "done", 1, "email", sub.email,
			      "topics", topics, "has_topics", sub.ntopics > 0, "newsletter",
			      sub.newsletter, "prefs_url", prefs, freq, 1);
	rc = render(req, res, 200, "subscribe_confirm", "/subscribe/confirm/", o);
	if (rc)
		rc = oops(req, res, "render", rc);
out:
	subscriber_release(&sub);
	return rc;
}

/* ---- preferences ---- */

/* The subscriber whose manage key is key: DP_ENOTFOUND for a malformed or
 * unknown one. */
static int sub_by_key(struct http_req *req, const char *key, struct subscriber *ret)
{
	memset(ret, 0, sizeof *ret);
	if (!subscribe_key_ok(key))
		return DP_ENOTFOUND;
	return store_subscriber_by_key(req->store, key, ret);
}

static const char *key_arg(struct http_req *req)
{
	const char *k = http_query(req, "k");
	return k ? k : form_get(&req->form, "k");
}

static json_t *prefs_json(struct http_req *req, const struct subscriber *sub, int *ret_rc)
{
	json_t *topics = sub_topics_json(req->store, sub, ret_rc);
	if (!topics)
		return NULL;
	json_t *o = json_pack("{s:b, s:s, s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:b, s:b, s:s}",
			      "form", 1, "action", "/subscribe/preferences/", "key", sub->key,
			      "email", sub->email, "topics", topics, "has_topics", sub->ntopics > 0,
			      "newsletter", sub->newsletter, "freq_immediate",
			      sub->frequency == FREQ_IMMEDIATE, "freq_daily",
			      sub->frequency == FREQ_DAILY, "freq_weekly",
			      sub->frequency == FREQ_WEEKLY, "nothing",
			      !sub->ntopics && !sub->newsletter, "unsubscribe_action", "/unsubscribe/");
	if (!o)
		*ret_rc = DP_ENOMEM;
	return o;
}

int subscribe_prefs_form(struct http_req *req, struct http_res *res)
{
	struct subscriber sub;
	int rc = sub_by_key(req, http_query(req, "k"), &sub);
	if (rc == DP_ENOTFOUND)
		return result(req, res, 404, "key_unknown");
	if (rc)
		return oops(req, res, "subscriber", rc);
	json_t *o;
	if (sub.status != SUB_CONFIRMED) {
		o = json_pack("{s:b, s:s}", "inactive", 1, "email", sub.email);
	} else if ((o = prefs_json(req, &sub, &rc))) {
		if (checked(http_query(req, "saved")))
			json_object_set_new(o, "saved", json_true());
	}
	if (!o) {
		rc = oops(req, res, "preferences", rc ? rc : DP_ENOMEM);
		goto out;
	}
	rc = render(req, res, 200, "subscribe_preferences", "/subscribe/preferences/", o);
	if (rc)
		rc = oops(req, res, "render", rc);
out:
	subscriber_release(&sub);
	return rc;
}

int subscribe_prefs(struct http_req *req, struct http_res *res)
{
	struct subscriber sub;
	const char *slugs[SUB_TOPICS_MAX + 1];
	const char *keep[SUB_TOPICS_MAX];
	size_t nkeep = 0;
	int rc = sub_by_key(req, form_get(&req->form, "k"), &sub);
	if (rc == DP_ENOTFOUND)
		return result(req, res, 404, "key_unknown");
	if (rc)
		return oops(req, res, "subscriber", rc);
	if (sub.status != SUB_CONFIRMED) {
		rc = render(req, res, 409, "subscribe_preferences", "/subscribe/preferences/",
			    json_pack("{s:b, s:s}", "inactive", 1, "email", sub.email));
		if (rc)
			rc = oops(req, res, "render", rc);
		goto out;
	}
	enum sub_frequency f;
	size_t n = form_get_all(&req->form, "topics", slugs, SUB_TOPICS_MAX + 1);
	const char *freq = form_get(&req->form, "frequency");
	if (n > SUB_TOPICS_MAX || !freq || sub_frequency_parse(freq, &f)) {
		json_t *o = prefs_json(req, &sub, &rc);
		if (o)
			json_object_set_new(o, "error", json_true());
		rc = o ? render(req, res, 400, "subscribe_preferences", "/subscribe/preferences/", o)
		       : rc;
		if (rc)
			rc = oops(req, res, "render", rc);
		goto out;
	}
	/* Only topics this person follows can stay; new ones come through a
	 * sign-up (with its own consent). */
	for (size_t i = 0; i < sub.ntopics; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(sub.topics[i], slugs[k]) == 0) {
				keep[nkeep++] = sub.topics[i];
				break;
			}
	rc = store_subscriber_set_prefs(req->store, sub.id, keep, nkeep,
					checked(form_get(&req->form, "newsletter")), f, req->now);
	if (rc) {
		rc = oops(req, res, "preferences", rc);
		goto out;
	}
	char target[200];
	prefs_path(target, sizeof target, &sub, "&saved=1");
	rc = http_res_redirect(res, target);
	if (!rc)
		rc = http_res_header(res, "Referrer-Policy", "no-referrer");
out:
	subscriber_release(&sub);
	return rc;
}

/* ---- unsubscribe ---- */

static int unsubscribed_page(struct http_req *req, struct http_res *res)
{
	int rc = render(req, res, 200, "subscribe_unsubscribe", "/unsubscribe/",
			json_pack("{s:b, s:b}", "done", 1, "signup_open", signup_open(req->site)));
	return rc ? oops(req, res, "render", rc) : DP_OK;
}

int unsubscribe_form(struct http_req *req, struct http_res *res)
{
	struct subscriber sub;
	int rc = sub_by_key(req, http_query(req, "k"), &sub);
	if (rc == DP_ENOTFOUND)
		return result(req, res, 404, "key_unknown");
	if (rc)
		return oops(req, res, "subscriber", rc);
	if (sub.status == SUB_UNSUBSCRIBED) {
		rc = unsubscribed_page(req, res);
		goto out;
	}
	char prefs[200];
	prefs_path(prefs, sizeof prefs, &sub, "");
	json_t *o = json_pack("{s:b, s:s, s:s, s:s, s:s, s:b}", "ask", 1, "action", "/unsubscribe/",
			      "key", sub.key, "email", sub.email, "prefs_url", prefs,
			      "confirmed", sub.status == SUB_CONFIRMED);
	rc = render(req, res, 200, "subscribe_unsubscribe", "/unsubscribe/", o);
	if (rc)
		rc = oops(req, res, "render", rc);
out:
	subscriber_release(&sub);
	return rc;
}

/* A form's POST (k in the body) or the RFC 8058 one-click POST to the
 * List-Unsubscribe URL (k in the query, body "List-Unsubscribe=One-Click",
 * no cookies, no ticket). */
int unsubscribe_post(struct http_req *req, struct http_res *res)
{
	struct subscriber sub;
	int rc = sub_by_key(req, key_arg(req), &sub);
	if (rc == DP_ENOTFOUND)
		return result(req, res, 404, "key_unknown");
	if (rc)
		return oops(req, res, "subscriber", rc);
	if (sub.status != SUB_UNSUBSCRIBED &&
	    (rc = store_subscriber_unsubscribe(req->store, sub.id, req->now))) {
		rc = oops(req, res, "unsubscribe", rc);
		goto out;
	}
	rc = unsubscribed_page(req, res);
out:
	subscriber_release(&sub);
	return rc;
}
