/* comments.c — reader comments on the public site.
 *
 * The form works without JavaScript: a POST to /<slug>/comment/, then a 303
 * to /<slug>/#comment-pending, where the theme shows "your comment awaits
 * moderation" through CSS :target (the article page itself stays one cached
 * page for everybody). Anti-abuse: a signed ticket (issued when the page is
 * rendered: proves the form came from us, gives a lower bound for the fill
 * time), a honeypot field, a per-address rate, size limits, duplicates and
 * the site's blocklist. A bot learns nothing: what looks automated is filed
 * as spam and answered like any other comment. */
#include "page/comments.h"

#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "http/groupcommit.h"
#include "http/ratelimit.h"
#include "moderation/actions.h"
#include "moderation/triage.h"
#include "page/theme.h"
#include "render/comment.h"
#include "render/date.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define MAX_THREAD 500           /* approved comments shown per article */
#define DUPLICATE_WINDOW (24 * 3600)

static unsigned char secret[crypto_auth_KEYBYTES];
static int have_secret;

void comment_set_secret(const unsigned char *key, size_t len)
{
	crypto_generichash(secret, sizeof secret, key, len, NULL, 0);
	have_secret = 1;
}

/* "ISSUED.MAC": MAC = HMAC-SHA512/256 over "ARTICLE:ISSUED". */
void comment_ticket(int64_t article_id, int64_t t, char *out, size_t outlen)
{
	char msg[64];
	unsigned char mac[crypto_auth_BYTES];
	char hex[2 * crypto_auth_BYTES + 1];
	if (!have_secret) {
		randombytes_buf(secret, sizeof secret);
		have_secret = 1;
	}
	int n = snprintf(msg, sizeof msg, "%lld:%lld", (long long)article_id, (long long)t);
	crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)n, secret);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	snprintf(out, outlen, "%lld.%.32s", (long long)t, hex);
}

int comment_ticket_check(const char *ticket, int64_t article_id, int64_t now, int64_t *ret_issued)
{
	char want[96];
	if (!ticket || strlen(ticket) > 64)
		return DP_EINVAL;
	char *dot = strchr(ticket, '.');
	if (!dot || dot == ticket || strspn(ticket, "0123456789") != (size_t)(dot - ticket))
		return DP_EINVAL;
	int64_t t = strtoll(ticket, NULL, 10);
	if (t > now + 60 || now - t > COMMENT_TICKET_TTL)
		return DP_EINVAL;
	comment_ticket(article_id, t, want, sizeof want);
	if (strlen(want) != strlen(ticket) ||
	    sodium_memcmp(want, ticket, strlen(want)) != 0)
		return DP_EINVAL;
	*ret_issued = t;
	return DP_OK;
}

/* ---- the page side ---- */

static json_t *comment_json(const struct page_req *req, const struct comment *c)
{
	char iso[40], human[64];
	struct buf html = BUF_INIT(64 * 1024);
	time_fmt_iso_local(iso, sizeof iso, c->created_at);
	date_human(human, sizeof human, c->created_at, req->site->lang);
	comment_html(&html, c->text);
	json_t *o = json_pack("{s:I, s:s, s:b, s:s, s:s, s:s, s:b, s:[]}", "id", (json_int_t)c->id,
			      "author", c->author_name, "by_site", c->by_site, "date_iso", iso,
			      "date_human", human, "html", buf_cstr(&html), "can_reply", c->depth < 2,
			      "replies");
	buf_release(&html);
	return o;
}

int comments_context(const struct page_req *req, struct page_res *res, const struct article *a,
		     json_t *art)
{
	struct comment_list l = { 0 };
	int rc = store_comments_of_article(req->store, a->id, COMMENT_APPROVED, &l);
	if (rc)
		return rc;
	json_t *top = json_array();
	/* Oldest first; a reply comes after its parent, so one pass builds the tree. */
	json_t **nodes = calloc(l.n ? l.n : 1, sizeof *nodes);
	size_t shown = l.n < MAX_THREAD ? l.n : MAX_THREAD;
	for (size_t i = 0; top && nodes && i < shown; i++) {
		json_t *o = comment_json(req, &l.items[i]);
		if (!o)
			continue;
		nodes[i] = o;
		json_t *parent = NULL;
		for (size_t k = 0; l.items[i].parent_id && k < i; k++)
			if (l.items[k].id == l.items[i].parent_id)
				parent = nodes[k];
		if (parent)
			json_object_set_new(parent, "has_replies", json_true());
		json_array_append_new(parent ? json_object_get(parent, "replies") : top, o);
	}
	free(nodes);
	json_object_set_new(art, "comments", top);
	json_object_set_new(art, "comment_count", json_integer((json_int_t)l.n));
	json_object_set_new(art, "has_comments", json_boolean(l.n > 0));
	if (req->site->comments_open) {
		char ticket[96], action[300];
		comment_ticket(a->id, req->now, ticket, sizeof ticket);
		snprintf(action, sizeof action, "/%s/comment/", a->slug);
		json_t *form = json_pack("{s:s, s:s}", "action", action, "ticket", ticket);
		if (form && req->site->comment_policy && *req->site->comment_policy)
			json_object_set_new(form, "policy", json_string(req->site->comment_policy));
		json_object_set_new(art, "comment_form", form);
		/* Keep tickets fresh: the page is rendered again within the hour. */
		res->expires_at = req->now + 3600;
	}
	comment_list_release(&l);
	return DP_OK;
}

/* ---- the POST ---- */

static struct ratelimit *per_ip;
static pthread_mutex_t per_ip_lock = PTHREAD_MUTEX_INITIALIZER;

static int rate_ok(const struct http_req *req)
{
	pthread_mutex_lock(&per_ip_lock);
	if (!per_ip)
		ratelimit_new(req->site->comment_rate / 60.0, req->site->comment_rate, &per_ip);
	pthread_mutex_unlock(&per_ip_lock);
	return !per_ip || ratelimit_take(per_ip, req->client_ip ? req->client_ip : "",
					 ratelimit_now_ms());
}

static int email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	return at && at != e && strchr(at + 1, '.') && !strchr(at + 1, '@') &&
	       !strpbrk(e, " \t<>\"'(),;:\\[]") && at[1] != '.' && e[strlen(e) - 1] != '.';
}

/* A clear 4xx page that keeps what the reader wrote. */
static int reject(struct http_req *req, struct http_res *res, unsigned status,
		  const struct article *a, const char *key)
{
	struct route route = { .kind = ROUTE_ARTICLE, .page = 1 };
	struct page_req preq = { req->site, req->theme, req->store, req->now, &route, NULL };
	char path[300], ticket[96];
	snprintf(path, sizeof path, "/%s/", a->slug);
	json_t *ctx = ctx_new(&preq, "error", path);
	if (!ctx)
		return DP_ENOMEM;
	json_object_set_new(json_object_get(ctx, "page"), "noindex", json_true());
	comment_ticket(a->id, req->now, ticket, sizeof ticket);
	const char *name = form_get(&req->form, "name"), *email = form_get(&req->form, "email");
	const char *text = form_get(&req->form, "text"), *parent = form_get(&req->form, "parent");
	json_t *err = json_pack("{s:i, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s}", "status", status,
				"reason", key, key, 1, "article_title", a->title, "article_url", path,
				"ticket", ticket, "name", name && utf8_valid(name, strlen(name)) ? name : "",
				"email", email && utf8_valid(email, strlen(email)) ? email : "",
				"text", text && utf8_valid(text, strlen(text)) ? text : "");
	if (err && parent && strspn(parent, "0123456789") == strlen(parent) && *parent)
		json_object_set_new(err, "parent", json_string(parent));
	char action[300];
	snprintf(action, sizeof action, "/%s/comment/", a->slug);
	json_object_set_new(err, "action", json_string(action));
	json_object_set_new(ctx, "comment_error", err);
	struct page_res pres;
	page_res_init(&pres);
	int rc = ctx_render(&preq, &pres, "comment_error", ctx);
	json_decref(ctx);
	res->status = status;
	buf_reset(&res->body);
	buf_add(&res->body, pres.body.data, pres.body.len);
	page_res_release(&pres);
	return rc;
}

static char *reasons_json(const struct triage_result *t, int forced_spam)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < t->nreasons; i++)
		json_array_append_new(arr, json_string(t->reasons[i]));
	static const char *const why[] = { "", "honeypot field filled", "form ticket missing or forged",
					   "form sent back faster than a person writes" };
	if (forced_spam > 0 && forced_spam < 4)
		json_array_append_new(arr, json_string(why[forced_spam]));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static int insert_comment(struct store *st, void *arg)
{
	return store_comment_add(st, arg);
}

static void free_comment(void *arg)
{
	if (arg) {
		comment_release(arg);
		free(arg);
	}
}

int comment_post(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	struct comment c = { 0 };
	char *reasons = NULL, target[300];
	int rc = store_article_by_slug(req->store, req->param_slug, &a);
	if (rc == DP_ENOTFOUND || (!rc && (a.status != ARTICLE_PUBLISHED || a.published_at > req->now))) {
		res->status = 404;
		rc = DP_OK;
		goto not_found;
	}
	if (rc)
		goto out;
	if (!req->site->comments_open) {
		rc = reject(req, res, 403, &a, "closed");
		goto out;
	}
	if (!rate_ok(req)) {
		rc = reject(req, res, 429, &a, "rate");
		goto out;
	}

	const char *name = form_get(&req->form, "name"), *email = form_get(&req->form, "email");
	const char *text = form_get(&req->form, "text"), *parent = form_get(&req->form, "parent");
	const char *honey = form_get(&req->form, "website"), *ticket = form_get(&req->form, "ticket");
	const char *notify = form_get(&req->form, "notify");
	email = email ? email : "";
	if (!name || !text || !utf8_valid(name, strlen(name)) || !utf8_valid(text, strlen(text)) ||
	    !utf8_valid(email, strlen(email))) {
		rc = reject(req, res, 400, &a, "missing");
		goto out;
	}
	while (*name == ' ')
		name++;
	if (!*name || utf8_len(name) > COMMENT_NAME_MAX || utf8_has_control(name, "")) {
		rc = reject(req, res, 400, &a, "bad_name");
		goto out;
	}
	if (*email && (strlen(email) > COMMENT_EMAIL_MAX || !email_ok(email))) {
		rc = reject(req, res, 400, &a, "bad_email");
		goto out;
	}
	size_t tlen = utf8_len(text);
	const char *t = text;
	while (*t == ' ' || *t == '\n' || *t == '\r' || *t == '\t')
		t++;
	if (!*t || tlen > COMMENT_TEXT_MAX || utf8_has_control(text, "\n\r\t")) {
		rc = reject(req, res, tlen > COMMENT_TEXT_MAX ? 413 : 400, &a,
			    tlen > COMMENT_TEXT_MAX ? "too_long" : "bad_text");
		goto out;
	}
	int64_t parent_id = 0;
	if (parent && *parent) {
		struct comment p = { 0 };
		if (strspn(parent, "0123456789") != strlen(parent) || strlen(parent) > 15 ||
		    store_comment_get(req->store, (parent_id = strtoll(parent, NULL, 10)), &p) ||
		    p.article_id != a.id || p.status != COMMENT_APPROVED || p.depth >= 2) {
			comment_release(&p);
			rc = reject(req, res, 400, &a, "bad_parent");
			goto out;
		}
		comment_release(&p);
	}

	/* Signals a bot must not learn about: they only decide the queue. */
	int64_t issued = 0;
	int forced = 0;
	if (honey && *honey)
		forced = 1;
	else if (comment_ticket_check(ticket, a.id, req->now, &issued))
		forced = 2;
	else if (req->now - issued < req->site->comment_min_seconds)
		forced = 3;
	size_t dups = 0;
	store_comment_duplicates(req->store, text, req->now - DUPLICATE_WINDOW, &dups);

	struct triage_input in = {
		.lang = req->site->lang, .title = a.title, .body = a.body_md, .comment = text,
		.author_name = name, .author_email = email, .honeypot_filled = forced == 1,
		/* the form checks above decide; the scorer weighs the content */
		.fill_seconds = -1, .duplicates = (int)dups,
		.blocklist = (const char *const *)req->site->blocklist,
		.nblocklist = req->site->nblocklist, .client_ip = req->client_ip,
	};
	struct triage_result tr;
	rc = moderation_score(req->triage, &in, &tr);
	if (rc)
		goto out;
	reasons = reasons_json(&tr, forced);

	c.article_id = a.id;
	c.parent_id = parent_id;
	c.author_name = (char *)name;
	c.author_email = (char *)email;
	c.text = (char *)text;
	c.ip = (char *)(req->client_ip ? req->client_ip : "");
	c.notify = notify && *notify && *email;
	c.verdict = (char *)(forced ? "spam" : triage_verdict_name(tr.verdict));
	c.score = forced ? 1.0 : tr.score;
	c.reasons = reasons ? reasons : "[]";
	c.status = forced || (tr.verdict == TRIAGE_SPAM && tr.score >= req->site->auto_spam)
			   ? COMMENT_SPAM
			   : COMMENT_PENDING;
	/* Stored through the group commit: the 303 goes out once it is on disk. */
	struct gc_job *job = calloc(1, sizeof *job);
	struct comment *copy = calloc(1, sizeof *copy);
	if (!job || !copy) {
		free(job);
		free(copy);
		rc = DP_ENOMEM;
		goto out;
	}
	*copy = c;
	copy->author_name = strdup(c.author_name);
	copy->author_email = strdup(c.author_email);
	copy->text = strdup(c.text);
	copy->ip = strdup(c.ip);
	copy->verdict = strdup(c.verdict);
	copy->reasons = strdup(c.reasons);
	job->run = insert_comment;
	job->arg = copy;
	job->free_arg = free_comment;
	res->defer = job;
	if (!copy->author_name || !copy->author_email || !copy->text || !copy->ip ||
	    !copy->verdict || !copy->reasons) {
		rc = DP_ENOMEM;
		goto out;
	}
	snprintf(target, sizeof target, "/%s/#comment-pending", a.slug);
	rc = http_res_redirect(res, target);
	goto out;
not_found:
	{
		struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
		struct page_req preq = { req->site, req->theme, req->store, req->now, &route, NULL };
		struct page_res pres;
		page_res_init(&pres);
		page_error(&preq, &pres, 404);
		buf_reset(&res->body);
		buf_add(&res->body, pres.body.data, pres.body.len);
		page_res_release(&pres);
	}
out:
	free(reasons);
	article_release(&a);
	return rc;
}
