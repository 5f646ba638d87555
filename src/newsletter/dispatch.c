/* dispatch.c — what mail goes out, in rounds (dispatch.h): expiring
 * sign-ups, topic alerts, digests, newsletter issues, the moderators' mail
 * about pending comments and the commenters' notices; and the background
 * thread of `serve` that runs the rounds and the outbox sender.
 *
 * Every decision is written in the same transaction as the mail it queues
 * (alert pairs, digest items, an issue's cursor, the comments looked at), so
 * a crash never sends a mail twice nor loses one, and two dispatchers (serve
 * and `mail run`) never do the same work twice.
 *
 * State kept in the kv store: mail.digest_daily / mail.digest_weekly (the
 * start of the last digest period whose digests are all made),
 * mail.moderation_at (when moderators were last mailed) and
 * mail.moderation_seen ("T ID": created_at and id of the newest comment
 * mailed about). Digest periods and dates use the process's time zone,
 * which the CLI sets from the site's (timezone; a change needs a restart).
 *
 * Library code except for the thread (dispatch_start), which logs once
 * what keeps mail from going out. */
#include "newsletter/dispatch.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/auth.h"
#include "mail/message.h"
#include "mail/sender.h"
#include "newsletter/links.h"
#include "page/theme.h"
#include "render/date.h"
#include "render/html.h"
#include "render/markdown.h"
#include "site/site.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"
#include "util/utf8.h"

#define ALERT_ARTICLES_MAX 32     /* articles looked at per round */
#define DIGEST_BATCH 100          /* subscribers per digest transaction */
#define DIGEST_ITEMS_MAX 200      /* articles listed in one digest */
#define NEWSLETTER_BUDGET_NS 500000000LL /* newsletter work per round: 0.5 s */
#define MODERATION_FETCH 200      /* pending comments read per moderators' mail */
#define MODERATION_LISTED 50      /* of them listed in the mail */
#define NOTIFY_BATCH 50           /* approved comments looked at per round */
#define NOTIFY_MAX_AGE (30 * 24 * 3600) /* older comments get no notices */
#define EXCERPT_CHARS 300
#define SUBJECT_CHARS 200
#define MAIL_MAX (8u << 20)       /* bytes of one composed message */
#define WEEKLY_DAYS 7
#define WEEKLY_ARTICLES_MAX 50

#define KV_MOD_AT "mail.moderation_at"
#define KV_MOD_SEEN "mail.moderation_seen"
#define KV_DIGEST_DAILY "mail.digest_daily"
#define KV_DIGEST_WEEKLY "mail.digest_weekly"

/* ---- small helpers ---- */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The theme's string for key, or key itself when the theme lacks it. */
static const char *tstr(const struct mail_env *env, const char *key)
{
	json_t *v = env->theme ? json_object_get(env->theme->strings, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : key;
}

/* pattern with every "{name}" replaced by value, control characters turned
 * into spaces and cut to SUBJECT_CHARS characters: a subject line.
 * malloc'd, NULL when out of memory. */
static char *subject_fill(const char *pattern, const char *name, const char *value)
{
	struct buf b = BUF_INIT(64 * 1024);
	char tag[64];
	int n = snprintf(tag, sizeof tag, "{%s}", name);
	size_t tl = n > 0 && (size_t)n < sizeof tag ? (size_t)n : 0;
	for (const char *p = pattern; *p;) {
		if (tl && strncmp(p, tag, tl) == 0) {
			buf_puts(&b, value ? value : "");
			p += tl;
		} else {
			buf_putc(&b, *p++);
		}
	}
	char *s = buf_take(&b, NULL);
	if (!s)
		return NULL;
	for (char *q = s; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	if (!utf8_valid(s, strlen(s))) {
		free(s);
		return strdup("?");
	}
	s[utf8_prefix(s, SUBJECT_CHARS)] = '\0';
	return s;
}

/* base_url + path (path starts with '/'); malloc'd. */
static char *abs_url(const struct site *site, const char *path)
{
	char *s = NULL;
	return asprintf(&s, "%s%s", site->base_url ? site->base_url : "", path) < 0 ? NULL : s;
}

/* The first EXCERPT_CHARS characters of text, cut at a space, "…" added
 * when cut. malloc'd. */
static char *text_excerpt(const char *text)
{
	if (!text)
		return strdup("");
	size_t n = strlen(text);
	if (!utf8_valid(text, n))
		return strdup("");
	size_t cut = utf8_prefix(text, EXCERPT_CHARS);
	if (cut == n)
		return strdup(text);
	size_t sp = cut;
	while (sp > cut / 2 && text[sp] != ' ' && text[sp] != '\n')
		sp--;
	if (sp > cut / 2)
		cut = sp;
	char *s = malloc(cut + 4);
	if (!s)
		return NULL;
	memcpy(s, text, cut);
	memcpy(s + cut, "…", 4); /* 3 bytes + NUL */
	return s;
}

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

/* Sets key to a new string of s (stolen: freed here); false when s is NULL. */
static bool set_take(json_t *o, const char *key, char *s)
{
	if (!s)
		return false;
	json_object_set_new(o, key, json_string(s));
	free(s);
	return true;
}

static bool is_public(const struct article *a, int64_t now)
{
	return a->status == ARTICLE_PUBLISHED && a->published_at <= now;
}

/* The "name" members (or the strings) of an array, joined by ", ";
 * malloc'd. */
static char *names_joined(json_t *arr)
{
	struct buf b = BUF_INIT(64 * 1024);
	size_t i;
	json_t *v;
	buf_puts(&b, "");
	json_array_foreach(arr, i, v) {
		json_t *name = json_is_object(v) ? json_object_get(v, "name") : v;
		if (i)
			buf_puts(&b, ", ");
		buf_puts(&b, json_is_string(name) ? json_string_value(name) : "");
	}
	return buf_take(&b, NULL);
}

/* An article as the alert and digest templates show it:
 * {title, url, dateline?, excerpt, date, tags:[{name,url}], has_tags,
 * tags_text ("a, b")}. */
static json_t *article_json(const struct mail_env *env, const struct article *a)
{
	char path[300], date[64];
	json_t *o = json_object(), *tags = json_array();
	if (!o || !tags)
		goto fail;
	snprintf(path, sizeof path, "/%s/", a->slug);
	date_human(date, sizeof date, a->published_at, env->site->lang);
	json_object_set_new(o, "title", jstr(a->title));
	if (!set_take(o, "url", abs_url(env->site, path)))
		goto fail;
	if (a->dateline && *a->dateline)
		json_object_set_new(o, "dateline", jstr(a->dateline));
	json_object_set_new(o, "excerpt", jstr(a->excerpt));
	json_object_set_new(o, "date", json_string(date));
	for (size_t i = 0; i < a->ntags; i++) {
		snprintf(path, sizeof path, "/tag/%s/", a->tags[i].slug);
		json_t *t = json_object();
		if (!t || !set_take(t, "url", abs_url(env->site, path))) {
			json_decref(t);
			goto fail;
		}
		json_object_set_new(t, "name", jstr(a->tags[i].name));
		json_array_append_new(tags, t);
	}
	json_object_set_new(o, "has_tags", json_boolean(a->ntags > 0));
	json_object_set_new(o, "tags", tags);
	if (!set_take(o, "tags_text", names_joined(tags)))
		goto fail_tags;
	return o;
fail_tags:
	json_decref(o);
	return NULL;
fail:
	json_decref(tags);
	json_decref(o);
	return NULL;
}

/* A mail that could not be made for one recipient only (a stored address
 * the message writer refuses) is skipped; anything else stops the batch. */
static bool recipient_fault(int rc, const char *to)
{
	return rc == DP_EINVAL && !mail_address_valid(to);
}

/* ---- topic alerts ---- */

/* The names of the subscriber's topics among the article's tags. */
static json_t *matched_topics(const struct subscriber *sub, const struct article *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < a->ntags; i++)
		for (size_t k = 0; k < sub->ntopics; k++)
			if (strcmp(a->tags[i].slug, sub->topics[k]) == 0) {
				json_array_append_new(arr, jstr(a->tags[i].name));
				break;
			}
	return arr;
}

static int alert_article(const struct mail_env *env, int64_t id, struct dispatch_stats *stats)
{
	struct article a = { 0 };
	struct subscriber *subs = NULL;
	json_t *base = NULL;
	char *subject = NULL;
	size_t n = 0;
	int64_t after = 0;
	bool open = false;
	int rc = store_article_by_id(env->store, id, &a);
	if (rc)
		return rc == DP_ENOTFOUND ? DP_OK : rc; /* deleted meanwhile */
	base = json_object();
	json_t *aj = article_json(env, &a);
	subject = subject_fill(tstr(env, "notify_alert_subject"), "title", a.title);
	if (!base || !aj || !subject) {
		json_decref(aj);
		rc = DP_ENOMEM;
		goto out;
	}
	json_object_set_new(base, "article", aj);
	json_object_set_new(base, "subject", json_string(subject));
	for (;;) {
		struct article now_a = { 0 };
		if ((rc = store_begin(env->store)))
			goto out;
		open = true;
		/* Unpublished since it was found: no alerts now; they are made
		 * when it is public again. */
		rc = store_article_by_id(env->store, id, &now_a);
		bool pub = !rc && is_public(&now_a, env->now);
		article_release(&now_a);
		if (rc == DP_ENOTFOUND || (!rc && !pub)) {
			rc = DP_OK;
			goto out;
		}
		if (rc || (rc = store_alert_recipients(env->store, id, after, DISPATCH_BATCH, &subs,
						       &n)))
			goto out;
		for (size_t i = 0; i < n; i++) {
			const struct subscriber *sub = &subs[i];
			bool immediate = sub->frequency == FREQ_IMMEDIATE, fresh = false;
			if ((rc = store_alert_record(env->store, sub->id, id, !immediate, env->now,
						     &fresh)))
				goto out;
			if (!immediate || !fresh)
				continue;
			json_t *ctx = json_copy(base);
			if (!ctx) {
				rc = DP_ENOMEM;
				goto out;
			}
			json_t *matched = matched_topics(sub, &a);
			json_object_set_new(ctx, "has_topics", json_boolean(json_array_size(matched)));
			if (!set_take(ctx, "topics_text", names_joined(matched))) {
				json_decref(matched);
				json_decref(ctx);
				rc = DP_ENOMEM;
				goto out;
			}
			json_object_set_new(ctx, "topics", matched);
			struct mail_job job = { .kind = OUTBOX_ALERT, .template = "alert",
						.subject = subject, .to = sub->email, .ctx = ctx,
						.sub = sub };
			rc = mail_queue(env, &job, NULL);
			json_decref(ctx);
			if (recipient_fault(rc, sub->email))
				rc = DP_OK;
			else if (rc)
				goto out;
			else if (stats)
				stats->alerts++;
		}
		if (n < DISPATCH_BATCH && (rc = store_alerts_done(env->store, id, env->now)))
			goto out;
		if ((rc = store_commit(env->store)))
			goto out;
		open = false;
		if (n)
			after = subs[n - 1].id;
		subscribers_free(subs, n);
		subs = NULL;
		if (n < DISPATCH_BATCH)
			break;
		n = 0;
	}
out:
	if (open) {
		if (rc)
			store_rollback(env->store);
		else
			rc = store_commit(env->store);
	}
	subscribers_free(subs, n);
	json_decref(base);
	free(subject);
	article_release(&a);
	return rc;
}

static int alerts(const struct mail_env *env, struct dispatch_stats *stats)
{
	int64_t ids[ALERT_ARTICLES_MAX];
	size_t n = 0;
	int rc = store_alerts_due(env->store, env->now, env->now - DISPATCH_ALERT_MAX_AGE, ids,
				  ALERT_ARTICLES_MAX, &n);
	for (size_t i = 0; !rc && i < n; i++)
		rc = alert_article(env, ids[i], stats);
	return rc;
}

/* ---- digests ---- */

/* The start of the digest period now lies in: the latest local time at
 * `hour` o'clock (daily) or at that hour on `weekday` (1 = Monday … 7 =
 * Sunday; 0: daily) that is not after now. */
static int64_t period_start(int64_t now, int hour, int weekday)
{
	time_t t = (time_t)now;
	struct tm lt;
	localtime_r(&t, &lt);
	int back = 0, step = 1;
	if (weekday >= 1 && weekday <= 7) {
		back = (lt.tm_wday - weekday % 7 + 7) % 7;
		step = 7;
	}
	for (int tries = 0; tries < 3; tries++) {
		struct tm c = { 0 };
		c.tm_year = lt.tm_year;
		c.tm_mon = lt.tm_mon;
		c.tm_mday = lt.tm_mday - back;
		c.tm_hour = hour;
		c.tm_isdst = -1;
		time_t s = mktime(&c);
		if (s != (time_t)-1 && (int64_t)s <= now)
			return (int64_t)s;
		back += step;
	}
	return now - (int64_t)step * 24 * 3600;
}

/* Articles seen in this round's digests, by id: the same ones go to many
 * subscribers. Values are article_json() objects, or null for one that is
 * not public any more. */
static json_t *digest_article(const struct mail_env *env, json_t *cache, int64_t id, int *ret_rc)
{
	char key[24];
	snprintf(key, sizeof key, "%" PRId64, id);
	json_t *v = json_object_get(cache, key);
	if (v)
		return json_is_null(v) ? NULL : v;
	struct article a = { 0 };
	int rc = store_article_by_id(env->store, id, &a);
	if (rc == DP_ENOTFOUND) {
		json_object_set_new(cache, key, json_null());
		return NULL;
	}
	if (rc) {
		*ret_rc = rc;
		return NULL;
	}
	v = is_public(&a, env->now) ? article_json(env, &a) : json_null();
	article_release(&a);
	if (!v) {
		*ret_rc = DP_ENOMEM;
		return NULL;
	}
	json_object_set_new(cache, key, v);
	return json_is_null(v) ? NULL : v;
}

static int digest_one(const struct mail_env *env, const struct subscriber *sub, bool weekly,
		      json_t *cache, struct dispatch_stats *stats)
{
	int64_t *ids = malloc(DIGEST_ITEMS_MAX * sizeof *ids);
	json_t *ctx = json_object(), *list = json_array();
	char *subject = NULL, date[64];
	size_t n = 0, waiting = 0;
	int rc = ids && ctx && list ? DP_OK : DP_ENOMEM;
	if (rc || (rc = store_digest_items(env->store, sub->id, ids, DIGEST_ITEMS_MAX, &n, &waiting)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *a = digest_article(env, cache, ids[i], &rc);
		if (rc)
			goto out;
		if (a)
			json_array_append(list, a);
	}
	if (json_array_size(list)) {
		date_human(date, sizeof date, env->now, env->site->lang);
		subject = subject_fill(tstr(env, weekly ? "notify_digest_weekly_subject"
							: "notify_digest_daily_subject"),
				       "date", date);
		if (!subject) {
			rc = DP_ENOMEM;
			goto out;
		}
		json_object_set_new(ctx, "subject", json_string(subject));
		json_object_set_new(ctx, "count", json_integer((json_int_t)json_array_size(list)));
		/* Past DIGEST_ITEMS_MAX the newest are listed; the mail says how
		 * many more there were (all count as sent below). */
		if (waiting > n)
			json_object_set_new(ctx, "more", json_integer((json_int_t)(waiting - n)));
		json_object_set_new(ctx, weekly ? "weekly" : "daily", json_true());
		json_object_set_new(ctx, "articles", list);
		list = NULL;
		struct mail_job job = { .kind = OUTBOX_ALERT, .template = "digest", .subject = subject,
					.to = sub->email, .ctx = ctx, .sub = sub };
		rc = mail_queue(env, &job, NULL);
		if (recipient_fault(rc, sub->email))
			rc = DP_OK;
		else if (rc)
			goto out;
		else if (stats)
			stats->digests++;
	}
	/* Also when nothing listed is public any more: the items are done. */
	rc = store_digest_done(env->store, sub->id, env->now);
out:
	free(ids);
	free(subject);
	json_decref(list);
	json_decref(ctx);
	return rc;
}

static int kv_get_i64(struct store *st, const char *key, int64_t *ret)
{
	char *v = NULL;
	*ret = 0;
	int rc = store_kv_get(st, key, &v);
	if (rc == DP_ENOTFOUND)
		return DP_OK;
	if (!rc)
		*ret = strtoll(v, NULL, 10);
	free(v);
	return rc;
}

static int kv_set_i64(struct store *st, const char *key, int64_t v)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRId64, v);
	return store_kv_set(st, key, s);
}

/* The digests of one frequency, once per period: the key holds the start
 * of the last period whose digests are all made. */
static int digests(const struct mail_env *env, enum sub_frequency f, struct dispatch_stats *stats)
{
	bool weekly = f == FREQ_WEEKLY;
	const char *key = weekly ? KV_DIGEST_WEEKLY : KV_DIGEST_DAILY;
	int64_t start = period_start(env->now, env->site->digest_hour,
				     weekly ? env->site->digest_weekday : 0);
	int64_t done = 0, after = 0;
	struct subscriber *subs = NULL;
	json_t *cache = NULL;
	size_t n = 0;
	bool open = false;
	int rc = kv_get_i64(env->store, key, &done);
	if (rc || done >= start)
		return rc;
	if (!(cache = json_object()))
		return DP_ENOMEM;
	for (;;) {
		if ((rc = store_begin(env->store)))
			goto out;
		open = true;
		if ((rc = store_digest_due(env->store, f, start, after, DIGEST_BATCH, &subs, &n)))
			goto out;
		for (size_t i = 0; i < n; i++)
			if ((rc = digest_one(env, &subs[i], weekly, cache, stats)))
				goto out;
		if (n < DIGEST_BATCH && (rc = kv_set_i64(env->store, key, start)))
			goto out;
		if ((rc = store_commit(env->store)))
			goto out;
		open = false;
		if (n)
			after = subs[n - 1].id;
		subscribers_free(subs, n);
		subs = NULL;
		if (n < DIGEST_BATCH)
			break;
		n = 0;
	}
out:
	if (open)
		store_rollback(env->store);
	subscribers_free(subs, n);
	json_decref(cache);
	return rc;
}

static int daily_digests(const struct mail_env *env, struct dispatch_stats *stats)
{
	return digests(env, FREQ_DAILY, stats);
}

static int weekly_digests(const struct mail_env *env, struct dispatch_stats *stats)
{
	return digests(env, FREQ_WEEKLY, stats);
}

/* ---- newsletter issues ---- */

/* Inline styles for the tags Markdown makes: mail clients drop <style>.
 * No colours: the layout's dark scheme sets them. Links and list items
 * keep the clients' own styles (links only get the layout's class for dark
 * mode): a long issue has many, and every byte is sent 100,000 times. */
static const struct {
	const char *tag;
	const char *style;
} mail_styles[] = {
	{ "p", "margin:0 0 16px 0;font-size:16px;line-height:1.55;" },
	{ "h1", "margin:24px 0 8px 0;font-size:24px;line-height:1.25;font-family:Georgia,serif;" },
	{ "h2", "margin:24px 0 8px 0;font-size:21px;line-height:1.25;font-family:Georgia,serif;" },
	{ "h3", "margin:20px 0 8px 0;font-size:18px;line-height:1.3;font-family:Georgia,serif;" },
	{ "h4", "margin:16px 0 8px 0;font-size:16px;line-height:1.3;" },
	{ "ul", "margin:0 0 16px 0;padding-left:24px;" },
	{ "ol", "margin:0 0 16px 0;padding-left:24px;" },
	{ "blockquote", "margin:0 0 16px 0;padding-left:12px;border-left:3px solid #cccccc;" },
	{ "pre", "margin:0 0 16px 0;padding-left:12px;border-left:3px solid #cccccc;white-space:pre-wrap;font-size:14px;" },
	{ "code", "font-family:Menlo,Consolas,monospace;font-size:14px;" },
	{ "hr", "border:0;border-top:1px solid #dddddd;margin:24px 0;" },
	{ "img", "max-width:100%;height:auto;border:0;" },
	{ "table", "border-collapse:collapse;margin:0 0 16px 0;" },
	{ "th", "padding:4px 8px;border-bottom:2px solid #cccccc;text-align:left;" },
	{ "td", "padding:4px 8px;border-bottom:1px solid #dddddd;vertical-align:top;" },
};

/* Appends html (made by markdown_render(), so well-formed, with every '<'
 * and '>' inside text and attributes escaped) with inline styles on the
 * tags above and site-relative links (<a href>, <img src>) made absolute. */
static void mail_html_styled(struct buf *out, const char *html, const char *base_url)
{
	const char *p = html;
	while (*p) {
		const char *lt = strchr(p, '<');
		if (!lt) {
			buf_puts(out, p);
			break;
		}
		buf_add(out, p, (size_t)(lt - p));
		const char *gt = strchr(lt, '>');
		if (!gt) {
			buf_puts(out, lt);
			break;
		}
		size_t taglen = (size_t)(gt - lt + 1);
		size_t nl = strspn(lt + 1, "abcdefghijklmnopqrstuvwxyz0123456789");
		const char *style = NULL;
		for (size_t i = 0; nl && i < sizeof mail_styles / sizeof mail_styles[0]; i++)
			if (strlen(mail_styles[i].tag) == nl && strncmp(lt + 1, mail_styles[i].tag, nl) == 0)
				style = mail_styles[i].style;
		bool links = (nl == 1 && lt[1] == 'a') || (nl == 3 && strncmp(lt + 1, "img", 3) == 0);
		if (style && memmem(lt, taglen, " style=", 7))
			style = NULL;
		if (!style && !links) {
			buf_add(out, lt, taglen);
			p = gt + 1;
			continue;
		}
		buf_add(out, lt, 1 + nl);
		if (style)
			buf_printf(out, " style=\"%s\"", style);
		if (nl == 1 && lt[1] == 'a' && !memmem(lt, taglen, " class=", 7))
			buf_puts(out, " class=\"m-link\"");
		/* The attributes, with href="/…" and src="/…" made absolute. */
		const char *q = lt + 1 + nl;
		while (q < gt) {
			const char *attr = NULL;
			size_t alen = 0;
			if (strncmp(q, " href=\"/", 8) == 0)
				alen = 7;
			else if (strncmp(q, " src=\"/", 7) == 0)
				alen = 6;
			if (alen && q[alen + 1] != '/') {
				attr = q;
				buf_add(out, attr, alen);
				html_attr(out, base_url);
				q += alen;
				continue;
			}
			buf_putc(out, *q++);
		}
		buf_putc(out, '>');
		p = gt + 1;
	}
}

/* The parts of an issue that are the same for every subscriber:
 * {subject, html (raw, styled), text (the Markdown), date}. */
static json_t *issue_json(const struct mail_env *env, const struct newsletter *nl, int *ret_rc)
{
	char *html = NULL, *excerpt = NULL, date[64];
	struct buf styled = BUF_INIT(MAIL_MAX);
	const char *md = nl->body_md ? nl->body_md : "";
	json_t *o = NULL;
	/* Raw HTML never: a mail goes to clients we do not know. */
	int rc = markdown_render(md, strlen(md), false, EXCERPT_CHARS, &html, &excerpt);
	if (rc)
		goto out;
	mail_html_styled(&styled, html, env->site->base_url ? env->site->base_url : "");
	if ((rc = buf_error(&styled)))
		goto out;
	date_human(date, sizeof date, env->now, env->site->lang);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject", nl->subject ? nl->subject : "",
		      "html", buf_cstr(&styled), "text", md, "excerpt", excerpt ? excerpt : "",
		      "date", date);
	if (!o)
		rc = DP_ENOMEM;
out:
	free(html);
	free(excerpt);
	buf_release(&styled);
	*ret_rc = rc;
	return o;
}

/* The issue's mail context: {subject, issue:{…}}. New reference. */
static json_t *issue_ctx(const struct mail_env *env, const struct newsletter *nl, int *ret_rc)
{
	json_t *issue = issue_json(env, nl, ret_rc);
	if (!issue)
		return NULL;
	json_t *ctx = json_pack("{s:s, s:o}", "subject", nl->subject ? nl->subject : "", "issue",
				issue);
	if (!ctx)
		*ret_rc = DP_ENOMEM;
	return ctx;
}

/* Splits "a b c" into slugs (pointers into the copy *ret_copy). */
static int split_topics(const char *topics, char **ret_copy, const char ***ret, size_t *ret_n)
{
	*ret_copy = NULL;
	*ret = NULL;
	*ret_n = 0;
	if (!topics || !*topics)
		return DP_OK;
	char *copy = strdup(topics);
	const char **arr = calloc(strlen(topics) / 2 + 2, sizeof *arr);
	if (!copy || !arr) {
		free(copy);
		free(arr);
		return DP_ENOMEM;
	}
	size_t n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save))
		arr[n++] = tok;
	*ret_copy = copy;
	*ret = arr;
	*ret_n = n;
	return DP_OK;
}

/* ---- an issue's mail, composed once per round ----
 * 100,000 subscribers get the same issue; only the address, the manage key
 * (in the links and List-Unsubscribe) and the Message-ID differ. So the
 * issue is composed once for a stand-in subscriber, cut into literal text
 * and the decoded text of its quoted-printable parts, with the stand-in's
 * address and key marked; each subscriber's mail is then those pieces with
 * their own values, the parts encoded again exactly as mail/message.c
 * encodes them. A self-check at setup composes a second stand-in in full
 * and compares it byte for byte with the pieced one: any difference (a
 * theme that shows a subscriber's topics, a changed encoder) and every mail
 * is composed in full instead. Addresses other than plain ASCII atoms (and
 * keys other than hex) are always composed in full. */

#define FAST_ADDR_MAX 60   /* longer addresses could fold the To header */
#define QP_LINE_MAX 76     /* mail/message.c's QP_MAX */

/* A piece of a mail: text, one of the stand-in's values, or the bounds of
 * a line of a quoted-printable part that holds one of them (encoded for
 * each subscriber; the other lines of such a part are stored encoded). */
enum fast_kind { FAST_TEXT, FAST_EMAIL, FAST_KEY, FAST_MSGID, FAST_LINE, FAST_EOL };

struct fast_piece {
	size_t off, len;           /* FAST_TEXT: bytes in fast->store; FAST_EOL: 1 when a
				    * line break follows */
	enum fast_kind kind;
};

struct fast_seg {
	struct fast_piece *p;
	size_t n, cap;
};

struct fast {
	struct buf store;          /* text, and the encoded lines of the parts */
	struct fast_seg segs[8];
	size_t nsegs;
	char email[64], key[SUB_KEY_LEN + 1], msgid[40];
	struct buf raw;            /* scratch: one line filled in */
};

static void fast_release(struct fast *f)
{
	for (size_t i = 0; i < f->nsegs; i++)
		free(f->segs[i].p);
	buf_release(&f->store);
	buf_release(&f->raw);
	memset(f, 0, sizeof *f);
}

static bool fast_addr_ok(const char *a)
{
	const char *at = a ? strchr(a, '@') : NULL;
	size_t n = a ? strlen(a) : 0;
	return at && at != a && n <= FAST_ADDR_MAX && at[1] &&
	       strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") ==
		       (size_t)(at - a) &&
	       strspn(at + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
		       strlen(at + 1) &&
	       mail_address_valid(a);
}

static bool fast_key_ok(const char *k)
{
	return k && strlen(k) == SUB_KEY_LEN && strspn(k, "0123456789abcdef") == SUB_KEY_LEN;
}

static int fast_add(struct fast_seg *seg, struct fast_piece piece)
{
	/* Text right after text in the store: one piece. */
	if (piece.kind == FAST_TEXT && seg->n && seg->p[seg->n - 1].kind == FAST_TEXT &&
	    seg->p[seg->n - 1].off + seg->p[seg->n - 1].len == piece.off) {
		seg->p[seg->n - 1].len += piece.len;
		return DP_OK;
	}
	if (seg->n == seg->cap) {
		size_t cap = seg->cap ? seg->cap * 2 : 16;
		struct fast_piece *np = realloc(seg->p, cap * sizeof *np);
		if (!np)
			return DP_ENOMEM;
		seg->p = np;
		seg->cap = cap;
	}
	seg->p[seg->n++] = piece;
	return DP_OK;
}

/* Stores text as a piece. */
static int fast_text(struct fast *f, struct fast_seg *seg, const char *text, size_t len)
{
	if (!len)
		return DP_OK;
	size_t off = f->store.len;
	if (buf_add(&f->store, text, len))
		return buf_error(&f->store);
	return fast_add(seg, (struct fast_piece){ off, len, FAST_TEXT });
}

/* Where the next of the stand-in's values is in text[0..len): *ret_kind
 * and *ret_len; NULL when none is. */
static const char *fast_find(const struct fast *f, const char *text, size_t len,
			     enum fast_kind *ret_kind, size_t *ret_len)
{
	const char *needles[] = { f->email, f->key, f->msgid };
	const enum fast_kind kinds[] = { FAST_EMAIL, FAST_KEY, FAST_MSGID };
	const char *hit = NULL;
	for (size_t i = 0; i < 3; i++) {
		size_t nl = strlen(needles[i]);
		const char *h = nl ? memmem(text, len, needles[i], nl) : NULL;
		if (h && (!hit || h < hit)) {
			hit = h;
			*ret_kind = kinds[i];
			*ret_len = nl;
		}
	}
	return hit;
}

/* Appends text[0..len) to the segment, split at the stand-in's address,
 * key and Message-ID. */
static int fast_split(struct fast *f, struct fast_seg *seg, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int rc = DP_OK;
	while (!rc && p < end) {
		enum fast_kind kind = FAST_TEXT;
		size_t nl = 0;
		const char *hit = fast_find(f, p, (size_t)(end - p), &kind, &nl);
		rc = fast_text(f, seg, p, (size_t)((hit ? hit : end) - p));
		if (rc || !hit)
			break;
		rc = fast_add(seg, (struct fast_piece){ 0, 0, kind });
		p = hit + nl;
	}
	return rc;
}

static void fast_qp(struct buf *out, const char *s, size_t slen);

/* Appends the decoded text of a quoted-printable part: lines without the
 * stand-in's values encoded now, the others marked for each subscriber. */
static int fast_part(struct fast *f, struct fast_seg *seg, const char *text, size_t len)
{
	struct buf enc = BUF_INIT(MAIL_MAX);
	const char *p = text, *end = text + len;
	int rc = DP_OK;
	while (!rc && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((eol ? eol : end) - p);
		enum fast_kind kind;
		size_t nl;
		if (!fast_find(f, p, n, &kind, &nl)) {
			buf_reset(&enc);
			fast_qp(&enc, p, n);
			if (eol)
				buf_add(&enc, "\r\n", 2);
			rc = buf_error(&enc) ? buf_error(&enc) : fast_text(f, seg, enc.data, enc.len);
		} else if (!(rc = fast_add(seg, (struct fast_piece){ 0, 0, FAST_LINE })) &&
			   !(rc = fast_split(f, seg, p, n))) {
			rc = fast_add(seg, (struct fast_piece){ 0, eol != NULL, FAST_EOL });
		}
		p = eol ? eol + 1 : end;
	}
	buf_release(&enc);
	return rc;
}

/* Quoted-printable as mail/message.c writes it (qp_body): lines of at most
 * 76 characters with "=" soft breaks, "=XX" for '=', controls and
 * non-ASCII, a space or tab encoded at a line's end, a '.' or the 'F' of
 * "From " encoded at the start of a line; line breaks become CRLF. */
static void fast_qp(struct buf *out, const char *s, size_t slen)
{
	static const char hex[] = "0123456789ABCDEF";
	char line[QP_LINE_MAX + 8];
	const char *end = s + slen;
	while (s < end) {
		const char *eol = s;
		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		size_t n = (size_t)(eol - s), col = 0, w = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			bool last = i + 1 == n;
			bool lit = (c > 32 && c < 127 && c != '=') || ((c == ' ' || c == '\t') && !last);
			size_t len = lit ? 1 : 3;
			if (col + len > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
				line[w++] = '=';
				line[w++] = '\r';
				line[w++] = '\n';
				buf_add(out, line, w);
				w = col = 0;
			}
			if (col == 0 && (c == '.' || (c == 'F' && (size_t)(end - (s + i)) >= 5 &&
							memcmp(s + i, "From ", 5) == 0))) {
				lit = false;
				len = 3;
			}
			if (lit) {
				line[w++] = (char)c;
			} else {
				line[w++] = '=';
				line[w++] = hex[c >> 4];
				line[w++] = hex[c & 15];
			}
			col += len;
		}
		buf_add(out, line, w);
		s = eol;
		if (s >= end)
			break;
		s += (s[0] == '\r' && s + 1 < end && s[1] == '\n') ? 2 : 1;
		buf_add(out, "\r\n", 2);
	}
}

/* Decodes a quoted-printable body (soft breaks dropped, CRLF as LF). */
static void fast_unqp(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *end = s + len;
	while (s < end) {
		if (s[0] == '=' && end - s >= 3 && s[1] == '\r' && s[2] == '\n') {
			s += 3;
		} else if (s[0] == '=' && end - s >= 3 && strchr(hex, s[1]) && strchr(hex, s[2]) &&
			   s[1] && s[2]) {
			buf_putc(out, (char)((strchr(hex, s[1]) - hex) * 16 + (strchr(hex, s[2]) - hex)));
			s += 3;
		} else if (s[0] == '\r' && end - s >= 2 && s[1] == '\n') {
			buf_putc(out, '\n');
			s += 2;
		} else {
			buf_putc(out, *s++);
		}
	}
}

/* The mail for one subscriber from the pieces, into out. msgid: 32 hex
 * characters for the Message-ID (NULL: fresh random ones). */
static int fast_build(struct fast *f, const char *email, const char *key, const char *msgid,
		      struct buf *out)
{
	char fresh[33];
	if (!msgid) {
		static const char hex[] = "0123456789ABCDEF";
		unsigned char r[16];
		randombytes_buf(r, sizeof r);
		for (size_t i = 0; i < sizeof r; i++) {
			fresh[2 * i] = hex[r[i] >> 4];
			fresh[2 * i + 1] = hex[r[i] & 15];
		}
		fresh[32] = '\0';
		msgid = fresh;
	}
	for (size_t s = 0; s < f->nsegs; s++) {
		const struct fast_seg *seg = &f->segs[s];
		struct buf *to = out;
		for (size_t i = 0; i < seg->n; i++) {
			const struct fast_piece *p = &seg->p[i];
			switch (p->kind) {
			case FAST_TEXT: buf_add(to, f->store.data + p->off, p->len); break;
			case FAST_EMAIL: buf_puts(to, email); break;
			case FAST_KEY: buf_puts(to, key); break;
			case FAST_MSGID: buf_puts(to, msgid); break;
			case FAST_LINE:
				buf_reset(&f->raw);
				to = &f->raw;
				break;
			case FAST_EOL:
				if (buf_error(&f->raw))
					return buf_error(&f->raw);
				fast_qp(out, f->raw.data ? f->raw.data : "", f->raw.len);
				if (p->len)
					buf_add(out, "\r\n", 2);
				to = out;
				break;
			}
		}
	}
	return buf_error(out);
}

/* The Message-ID's hex and the boundary of a message we composed. */
static bool msg_ids(const char *m, char msgid[40], char boundary[80])
{
	const char *p = strstr(m, "\r\nMessage-ID: <"), *b = strstr(m, "boundary=\"");
	if (!p || !b)
		return false;
	p += 15;
	size_t n = strcspn(p, "@>\r");
	b += 10;
	size_t bn = strcspn(b, "\"\r");
	if (!n || n >= 40 || !bn || bn >= 80)
		return false;
	memcpy(msgid, p, n);
	msgid[n] = '\0';
	memcpy(boundary, b, bn);
	boundary[bn] = '\0';
	return true;
}

static void stand_in(struct subscriber *s, char *email, char *key, bool second)
{
	unsigned char r[SUB_KEY_LEN / 2];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(key, SUB_KEY_LEN + 1, r, sizeof r);
	/* Same length for both: the self-check compares bytes. */
	snprintf(email, 64, "dp%c%.16s@stand-in.invalid", second ? 'b' : 'a', key);
	static char *topics_b[] = { (char *)"stand-in" };
	memset(s, 0, sizeof *s);
	s->email = email;
	s->key = key;
	s->status = SUB_CONFIRMED;
	s->newsletter = !second;
	s->frequency = second ? FREQ_WEEKLY : FREQ_IMMEDIATE;
	s->topics = second ? topics_b : NULL;
	s->ntopics = second ? 1 : 0;
}

/* Sets f up for the issue; false (f unusable) when the issue's mail cannot
 * be pieced together safely. */
static bool fast_setup(struct fast *f, const struct mail_env *env, const struct newsletter *nl,
		       json_t *ctx)
{
	struct subscriber a, b;
	char key_b[SUB_KEY_LEN + 1], email_b[64], msgid_b[40], bound_a[80], bound_b[80];
	struct buf ma = BUF_INIT(MAIL_MAX), mb = BUF_INIT(MAIL_MAX), built = BUF_INIT(MAIL_MAX);
	bool ok = false;
	memset(f, 0, sizeof *f);
	buf_init(&f->store, MAIL_MAX);
	buf_init(&f->raw, MAIL_MAX);
	stand_in(&a, f->email, f->key, false);
	stand_in(&b, email_b, key_b, true);
	struct mail_job ja = { .kind = OUTBOX_NEWSLETTER, .template = "newsletter",
			       .subject = nl->subject, .to = a.email, .ctx = ctx, .sub = &a,
			       .newsletter_id = nl->id };
	struct mail_job jb = ja;
	jb.to = b.email;
	jb.sub = &b;
	if (mail_compose(env, &ja, &ma) || mail_compose(env, &jb, &mb) ||
	    !msg_ids(ma.data, f->msgid, bound_a) || !msg_ids(mb.data, msgid_b, bound_b))
		goto out;
	/* Literal text, then each quoted-printable part up to its boundary. */
	static const char cte[] = "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
	char delim[96];
	snprintf(delim, sizeof delim, "\r\n--%s", bound_a);
	const char *p = ma.data, *end = ma.data + ma.len;
	while (p < end && f->nsegs + 2 <= sizeof f->segs / sizeof f->segs[0]) {
		const char *q = memmem(p, (size_t)(end - p), cte, sizeof cte - 1);
		const char *lit_end = q ? q + sizeof cte - 1 : end;
		if (fast_split(f, &f->segs[f->nsegs++], p, (size_t)(lit_end - p)))
			goto out;
		p = lit_end;
		if (!q)
			break;
		const char *body_end = memmem(lit_end, (size_t)(end - lit_end), delim, strlen(delim));
		if (!body_end)
			goto out; /* a single part: not pieced */
		struct buf dec = BUF_INIT(MAIL_MAX);
		fast_unqp(&dec, lit_end, (size_t)(body_end - lit_end));
		struct fast_seg *seg = &f->segs[f->nsegs++];
		int rc = buf_error(&dec) ? buf_error(&dec)
					 : fast_part(f, seg, dec.data ? dec.data : "", dec.len);
		buf_release(&dec);
		if (rc)
			goto out;
		p = body_end;
	}
	if (p < end)
		goto out;
	/* The check: stand-in b pieced from a's mail is b's mail. */
	if (fast_build(f, email_b, key_b, msgid_b, &built))
		goto out;
	char *swapped = NULL;
	struct buf cmp = BUF_INIT(MAIL_MAX);
	const char *s = built.data ? built.data : "";
	for (const char *h; (h = strstr(s, bound_a)); s = h + strlen(bound_a)) {
		buf_add(&cmp, s, (size_t)(h - s));
		buf_puts(&cmp, bound_b);
	}
	buf_puts(&cmp, s);
	swapped = cmp.data;
	ok = !buf_error(&cmp) && cmp.len == mb.len && swapped && memcmp(swapped, mb.data, mb.len) == 0;
	buf_release(&cmp);
out:
	buf_release(&ma);
	buf_release(&mb);
	buf_release(&built);
	if (!ok)
		fast_release(f);
	return ok;
}

struct composed {
	char *to;
	char *msg;
	size_t len;
};

static void composed_free(struct composed *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].to);
		free(c[i].msg);
	}
	free(c);
}

/* One batch of an issue: composed outside the transaction (the write lock
 * is held only for the inserts), queued in one that also moves the cursor.
 * *ret_more: the issue has more subscribers to go. */
static int newsletter_batch(const struct mail_env *env, const struct newsletter *nl, json_t *ctx,
			    struct fast *fast, const char *const *topics, size_t ntopics,
			    int64_t *cursor, bool *ret_more, struct dispatch_stats *stats)
{
	struct subscriber *subs = NULL;
	struct composed *msgs = NULL;
	struct newsletter cur = { 0 };
	struct buf out = BUF_INIT(MAIL_MAX);
	size_t n = 0, nmsg = 0;
	bool open = false;
	*ret_more = false;
	int rc = store_subscribers_batch(env->store, *cursor, DISPATCH_BATCH, topics, ntopics,
					 &subs, &n);
	if (rc)
		goto out;
	if (n && !(msgs = calloc(n, sizeof *msgs))) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct mail_job job = { .kind = OUTBOX_NEWSLETTER, .template = "newsletter",
					.subject = nl->subject, .to = subs[i].email, .ctx = ctx,
					.sub = &subs[i], .newsletter_id = nl->id };
		buf_reset(&out);
		if (fast && fast_addr_ok(subs[i].email) && fast_key_ok(subs[i].key))
			rc = fast_build(fast, subs[i].email, subs[i].key, NULL, &out);
		else
			rc = mail_compose(env, &job, &out);
		if (recipient_fault(rc, subs[i].email)) {
			rc = DP_OK;
			continue;
		}
		if (rc)
			goto out;
		size_t len = 0;
		char *to = strdup(subs[i].email), *msg = buf_take(&out, &len);
		if (!to || !msg) {
			free(to);
			free(msg);
			rc = DP_ENOMEM;
			goto out;
		}
		buf_init(&out, MAIL_MAX);
		msgs[nmsg++] = (struct composed){ to, msg, len };
	}
	bool finished = n < DISPATCH_BATCH;
	int64_t last = n ? subs[n - 1].id : *cursor;
	if ((rc = store_begin(env->store)))
		goto out;
	open = true;
	/* Another dispatcher may have taken this batch meanwhile. */
	if ((rc = store_newsletter_get(env->store, nl->id, &cur)))
		goto out;
	if (cur.status != NEWSLETTER_SENDING || cur.cursor != *cursor) {
		store_rollback(env->store);
		open = false;
		goto out;
	}
	for (size_t i = 0; i < nmsg; i++)
		if ((rc = store_outbox_add_for(env->store, OUTBOX_NEWSLETTER, nl->id, msgs[i].to,
					       msgs[i].msg, msgs[i].len, env->now, NULL)))
			goto out;
	if ((rc = store_newsletter_advance(env->store, nl->id, last, nmsg, finished, env->now)) ||
	    (rc = store_commit(env->store)))
		goto out;
	open = false;
	*cursor = last;
	*ret_more = !finished;
	if (stats)
		stats->newsletters += nmsg;
out:
	if (open)
		store_rollback(env->store);
	newsletter_release(&cur);
	composed_free(msgs, nmsg);
	subscribers_free(subs, n);
	buf_release(&out);
	return rc;
}

static int newsletters(const struct mail_env *env, struct dispatch_stats *stats)
{
	struct newsletter nl = { 0 };
	char *topics_copy = NULL;
	const char **topics = NULL;
	size_t ntopics = 0;
	json_t *ctx = NULL;
	struct fast fast;
	bool have_fast = false;
	int64_t until = mono_ns() + NEWSLETTER_BUDGET_NS;
	int rc = store_newsletter_sending(env->store, &nl);
	if (rc == DP_ENOTFOUND)
		return DP_OK;
	if (rc || (rc = split_topics(nl.topics, &topics_copy, &topics, &ntopics)))
		goto out;
	if (!(ctx = issue_ctx(env, &nl, &rc)))
		goto out;
	have_fast = fast_setup(&fast, env, &nl, ctx);
	int64_t cursor = nl.cursor;
	bool more = true;
	while (more && !rc && mono_ns() < until)
		rc = newsletter_batch(env, &nl, ctx, have_fast ? &fast : NULL, topics, ntopics,
				      &cursor, &more, stats);
out:
	if (have_fast)
		fast_release(&fast);
	json_decref(ctx);
	free(topics);
	free(topics_copy);
	newsletter_release(&nl);
	return rc;
}

/* ---- mail about comments ---- */

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

static const char *verdict_label(const struct mail_env *env, const char *verdict)
{
	static const char *const known[] = { "ok", "offtopic", "demeaning", "spam" };
	char key[48];
	for (size_t i = 0; verdict && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(verdict, known[i]) == 0) {
			snprintf(key, sizeof key, "notify_verdict_%s", known[i]);
			return tstr(env, key);
		}
	return verdict && *verdict ? verdict : tstr(env, "notify_verdict_none");
}

/* A signed moderation link for comment id: BASE/moderate/?t=… (malloc'd). */
static char *moderation_url(const struct mail_env *env, int64_t id, const char *action,
			    int64_t expires)
{
	char value[LINK_SIGNED_MAX], path[LINK_SIGNED_MAX + 32];
	if (link_moderation_sign(id, action, expires, value, sizeof value))
		return NULL;
	snprintf(path, sizeof path, "/moderate/?t=%s", value);
	return abs_url(env->site, path);
}

static json_t *pending_json(const struct mail_env *env, const struct comment *c, int64_t expires)
{
	char path[300], date[64];
	snprintf(path, sizeof path, "/%s/", c->article_slug ? c->article_slug : "");
	date_human(date, sizeof date, c->created_at, env->site->lang);
	json_t *reasons = reasons_array(c->reasons);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:o}", "id", (json_int_t)c->id,
			      "article_title", c->article_title ? c->article_title : "",
			      "author_name", c->author_name ? c->author_name : "", "date", date,
			      "verdict", c->verdict ? c->verdict : "", "verdict_label",
			      verdict_label(env, c->verdict), "has_reasons",
			      json_array_size(reasons) > 0, "reasons", reasons);
	if (!o)
		return NULL;
	if (!set_take(o, "article_url", abs_url(env->site, path)) ||
	    !set_take(o, "reasons_text", names_joined(reasons)) ||
	    !set_take(o, "excerpt", text_excerpt(c->text)) ||
	    !set_take(o, "approve_url", moderation_url(env, c->id, "approve", expires)) ||
	    !set_take(o, "reject_url", moderation_url(env, c->id, "reject", expires))) {
		json_decref(o);
		return NULL;
	}
	if (c->verdict && *c->verdict) {
		char is[48];
		snprintf(is, sizeof is, "verdict_is_%s", c->verdict);
		json_object_set_new(o, is, json_true());
	}
	return o;
}

/* "T ID": created_at and id of the newest comment mailed about. */
static void seen_parse(const char *s, int64_t *ret_t, int64_t *ret_id)
{
	long long t = 0, id = 0;
	*ret_t = *ret_id = 0;
	if (s && sscanf(s, "%lld %lld", &t, &id) == 2) {
		*ret_t = t;
		*ret_id = id;
	}
}

static bool staff_role(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_EDITOR || r == ROLE_MODERATOR;
}

/* One mail to every moderator with an address about comments waiting
 * since the last such mail, at most every moderation_mail_minutes. */
static int moderation_mail(const struct mail_env *env, struct dispatch_stats *stats)
{
	struct comment_list list = { 0 };
	struct user *users = NULL;
	size_t nusers = 0, total = 0;
	json_t *ctx = NULL, *arr = NULL;
	char *seen = NULL, *subject = NULL, *queue_url = NULL, count[24], seen_new[64];
	int64_t last = 0, seen_t = 0, seen_id = 0;
	bool open = false;
	int minutes = env->site->moderation_mail_minutes;
	if (minutes <= 0)
		return DP_OK;
	int rc = kv_get_i64(env->store, KV_MOD_AT, &last);
	if (rc || (last && env->now - last < (int64_t)minutes * 60))
		return rc;
	if ((rc = store_begin(env->store)))
		return rc;
	open = true;
	/* Read again in the transaction: another dispatcher may have mailed. */
	if ((rc = kv_get_i64(env->store, KV_MOD_AT, &last)))
		goto out;
	if (last && env->now - last < (int64_t)minutes * 60)
		goto out;
	rc = store_kv_get(env->store, KV_MOD_SEEN, &seen);
	if (rc && rc != DP_ENOTFOUND)
		goto out;
	seen_parse(seen, &seen_t, &seen_id);
	free(seen);
	seen = NULL;
	/* Comments of the second the last mail ended in, less those it listed. */
	if ((rc = store_comments_pending_since(env->store, seen_t ? seen_t - 1 : 0,
					       MODERATION_FETCH, &list, &total)))
		goto out;
	if (!(arr = json_array())) {
		rc = DP_ENOMEM;
		goto out;
	}
	int64_t expires = env->now + LINK_MODERATION_TTL, max_t = seen_t, max_id = seen_id;
	size_t fresh = 0, listed = 0;
	for (size_t i = 0; i < list.n; i++) {
		const struct comment *c = &list.items[i];
		if (c->created_at < seen_t || (c->created_at == seen_t && c->id <= seen_id))
			continue;
		fresh++;
		if (c->created_at > max_t || (c->created_at == max_t && c->id > max_id)) {
			max_t = c->created_at;
			max_id = c->id;
		}
		if (listed >= MODERATION_LISTED)
			continue;
		json_t *o = pending_json(env, c, expires);
		if (!o) {
			rc = DP_ENOMEM;
			goto out;
		}
		json_array_append_new(arr, o);
		listed++;
	}
	if (!fresh) {
		/* Nothing new: no mail, and the clock is not reset. */
		rc = store_rollback(env->store);
		open = false;
		goto out;
	}
	/* Every pending comment counts for "in the queue"; listed are new. */
	size_t waiting = 0;
	if ((rc = store_comment_count(env->store, COMMENT_PENDING, &waiting)))
		goto out;
	snprintf(count, sizeof count, "%zu", fresh);
	subject = subject_fill(tstr(env, fresh == 1 ? "notify_moderation_subject_one"
						   : "notify_moderation_subject"),
			       "count", count);
	queue_url = abs_url(env->site, "/admin/comments");
	char expires_date[64];
	date_human(expires_date, sizeof expires_date, expires, env->site->lang);
	ctx = json_pack("{s:s?, s:o, s:I, s:I, s:b, s:I, s:s?, s:s}", "subject", subject,
			"comments", arr, "count", (json_int_t)fresh, "more",
			(json_int_t)(fresh - listed), "has_more", fresh > listed, "waiting",
			(json_int_t)waiting, "queue_url", queue_url, "expires_date", expires_date);
	arr = NULL;
	if (!ctx || !subject || !queue_url) {
		rc = DP_ENOMEM;
		goto out;
	}
	if ((rc = store_users(env->store, &users, &nusers)))
		goto out;
	for (size_t i = 0; i < nusers; i++) {
		const struct user *u = &users[i];
		if (!staff_role(u->role) || !u->email || !*u->email || !mail_address_valid(u->email))
			continue;
		json_t *uctx = json_copy(ctx);
		if (!uctx) {
			rc = DP_ENOMEM;
			goto out;
		}
		json_object_set_new(uctx, "user_name", jstr(u->name));
		struct mail_job job = { .kind = OUTBOX_NOTIFY, .template = "moderation",
					.subject = subject, .to = u->email, .to_name = u->name,
					.ctx = uctx };
		rc = mail_queue(env, &job, NULL);
		json_decref(uctx);
		if (rc)
			goto out;
		if (stats)
			stats->notices++;
	}
	snprintf(seen_new, sizeof seen_new, "%" PRId64 " %" PRId64, max_t, max_id);
	if ((rc = kv_set_i64(env->store, KV_MOD_AT, env->now)) ||
	    (rc = store_kv_set(env->store, KV_MOD_SEEN, seen_new)))
		goto out;
	rc = store_commit(env->store);
	open = false;
out:
	if (open)
		store_rollback(env->store);
	if (users) {
		for (size_t i = 0; i < nusers; i++)
			user_release(&users[i]);
		free(users);
	}
	json_decref(arr);
	json_decref(ctx);
	free(subject);
	free(queue_url);
	comment_list_release(&list);
	return rc;
}

/* {title, url} of the comment's article and the comment's own link. */
static json_t *comment_ctx(const struct mail_env *env, const struct comment *c)
{
	char path[300];
	json_t *art = json_object(), *com = json_object();
	json_t *ctx = json_pack("{s:o, s:o}", "article", art, "comment", com);
	if (!ctx)
		return NULL;
	snprintf(path, sizeof path, "/%s/", c->article_slug ? c->article_slug : "");
	json_object_set_new(art, "title", jstr(c->article_title));
	bool ok = set_take(art, "url", abs_url(env->site, path));
	snprintf(path, sizeof path, "/%s/#comment-%" PRId64, c->article_slug ? c->article_slug : "",
		 c->id);
	ok = ok && set_take(com, "url", abs_url(env->site, path)) &&
	     set_take(com, "excerpt", text_excerpt(c->text));
	json_object_set_new(com, "author_name", jstr(c->author_name));
	json_object_set_new(com, "by_site", json_boolean(c->by_site));
	if (!ok) {
		json_decref(ctx);
		return NULL;
	}
	return ctx;
}

static bool wants_mail(const struct comment *c)
{
	return c->notify && c->author_email && *c->author_email &&
	       mail_address_valid(c->author_email);
}

/* The notices one approved comment causes, queued in the caller's
 * transaction. */
static int comment_notices(const struct mail_env *env, const struct comment *c,
			   struct dispatch_stats *stats)
{
	struct comment parent = { 0 };
	json_t *ctx = NULL;
	char *subject = NULL;
	int rc = DP_OK;
	if (env->now - c->created_at > NOTIFY_MAX_AGE)
		return DP_OK;
	bool approved = wants_mail(c) && !c->by_site;
	bool reply = false;
	if (c->parent_id) {
		rc = store_comment_get(env->store, c->parent_id, &parent);
		if (rc == DP_ENOTFOUND)
			rc = DP_OK;
		else if (rc)
			goto out;
		else
			reply = parent.status == COMMENT_APPROVED && wants_mail(&parent) &&
				!parent.by_site &&
				!(c->author_email && strcasecmp(parent.author_email, c->author_email) == 0);
	}
	if (!approved && !reply)
		goto out;
	if (!(ctx = comment_ctx(env, c))) {
		rc = DP_ENOMEM;
		goto out;
	}
	if (approved) {
		subject = subject_fill(tstr(env, "notify_approved_subject"), "title",
				       c->article_title);
		json_object_set_new(ctx, "subject", jstr(subject));
		struct mail_job job = { .kind = OUTBOX_NOTIFY, .template = "comment_approved",
					.subject = subject, .to = c->author_email,
					.to_name = c->author_name, .ctx = ctx };
		if (!subject) {
			rc = DP_ENOMEM;
			goto out;
		}
		if ((rc = mail_queue(env, &job, NULL)))
			goto out;
		if (stats)
			stats->notices++;
		free(subject);
		subject = NULL;
	}
	if (reply) {
		json_t *p = json_object();
		if (!p || !set_take(p, "excerpt", text_excerpt(parent.text))) {
			json_decref(p);
			rc = DP_ENOMEM;
			goto out;
		}
		json_object_set_new(p, "author_name", jstr(parent.author_name));
		json_object_set_new(ctx, "parent", p);
		subject = subject_fill(tstr(env, "notify_reply_subject"), "title", c->article_title);
		json_object_set_new(ctx, "subject", jstr(subject));
		struct mail_job job = { .kind = OUTBOX_NOTIFY, .template = "comment_reply",
					.subject = subject, .to = parent.author_email,
					.to_name = parent.author_name, .ctx = ctx };
		if (!subject) {
			rc = DP_ENOMEM;
			goto out;
		}
		if ((rc = mail_queue(env, &job, NULL)))
			goto out;
		if (stats)
			stats->notices++;
	}
out:
	json_decref(ctx);
	free(subject);
	comment_release(&parent);
	return rc;
}

static int commenters(const struct mail_env *env, struct dispatch_stats *stats)
{
	struct comment_list list = { 0 };
	struct dispatch_stats s = { 0 };
	/* A look without the write lock first: mostly there is nothing. */
	int rc = store_comments_to_notify(env->store, 1, &list);
	size_t any = list.n;
	comment_list_release(&list);
	memset(&list, 0, sizeof list);
	if (rc || !any)
		return rc;
	/* Read again, decided and queued in one transaction: two dispatchers
	 * never both mail about one comment. */
	if ((rc = store_begin(env->store)))
		return rc;
	rc = store_comments_to_notify(env->store, NOTIFY_BATCH, &list);
	for (size_t i = 0; !rc && i < list.n; i++) {
		rc = comment_notices(env, &list.items[i], &s);
		/* A notice that cannot be made for its address is dropped, not
		 * retried forever (mail.from is known to be set here). */
		if (rc == DP_EINVAL)
			rc = DP_OK;
		if (!rc)
			rc = store_comment_notified(env->store, list.items[i].id);
	}
	if (rc)
		store_rollback(env->store);
	else if (!(rc = store_commit(env->store)) && stats)
		stats->notices += s.notices;
	comment_list_release(&list);
	return rc;
}

/* ---- the round ---- */

int dispatch_round(const struct mail_env *env, struct dispatch_stats *ret)
{
	struct dispatch_stats s = { 0 };
	if (!env || !env->site || !env->theme || !env->store)
		return DP_EINVAL;
	int first = store_subscribers_expire(env->store, env->now, &s.expired);
	/* Without a sender address no mail can be made: the work waits. */
	if (!env->site->mail_from || !*env->site->mail_from) {
		if (!first)
			first = DP_EINVAL;
	} else {
		int (*const steps[])(const struct mail_env *, struct dispatch_stats *) = {
			alerts, daily_digests, weekly_digests, newsletters, moderation_mail,
			commenters,
		};
		/* One step failing (a busy database) does not hold up the others. */
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			int rc = steps[i](env, &s);
			if (rc && !first)
				first = rc;
		}
	}
	if (ret) {
		ret->alerts += s.alerts;
		ret->digests += s.digests;
		ret->newsletters += s.newsletters;
		ret->notices += s.notices;
		ret->expired += s.expired;
	}
	return first;
}

/* ---- the editor's tools ---- */

#define SAMPLE_KEY "0000000000000000000000000000000000000000000000000000000000000000"

/* A subscriber who stands for everybody in a test or preview: its links
 * lead to a page that knows no such key. */
static void sample_subscriber(struct subscriber *s, char *email)
{
	memset(s, 0, sizeof *s);
	s->email = email;
	s->status = SUB_CONFIRMED;
	s->newsletter = true;
	s->key = (char *)SAMPLE_KEY;
}

int dispatch_newsletter_test(const struct mail_env *env, const struct newsletter *nl,
			     const char *to)
{
	struct subscriber sub;
	char *subject = NULL;
	int rc = DP_OK;
	if (!env || !nl || !to || !mail_address_valid(to))
		return DP_EINVAL;
	json_t *ctx = issue_ctx(env, nl, &rc);
	if (!ctx)
		return rc;
	if (asprintf(&subject, "[Test] %s", nl->subject ? nl->subject : "") < 0) {
		json_decref(ctx);
		return DP_ENOMEM;
	}
	json_object_set_new(ctx, "test", json_true());
	sample_subscriber(&sub, (char *)to);
	struct mail_job job = { .kind = OUTBOX_TEST, .template = "newsletter", .subject = subject,
				.to = to, .ctx = ctx, .sub = &sub };
	rc = mail_queue(env, &job, NULL);
	free(subject);
	json_decref(ctx);
	return rc;
}

/* The part of a multipart message with this content type, decoded from
 * quoted-printable (mail/message.h writes every body so). malloc'd. */
static char *mime_part(const char *msg, const char *type)
{
	char want[64];
	snprintf(want, sizeof want, "Content-Type: %s", type);
	const char *p = strstr(msg, want);
	if (!p || !(p = strstr(p, "\r\n\r\n")))
		return NULL;
	p += 4;
	const char *end = strstr(p, "\r\n--");
	if (!end)
		end = p + strlen(p);
	struct buf b = BUF_INIT(MAIL_MAX);
	static const char hex[] = "0123456789ABCDEF";
	while (p < end) {
		if (*p == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3; /* soft line break */
		} else if (*p == '=' && p[1] && p[2] && strchr(hex, p[1]) && strchr(hex, p[2])) {
			buf_putc(&b, (char)((strchr(hex, p[1]) - hex) * 16 + (strchr(hex, p[2]) - hex)));
			p += 3;
		} else if (*p == '\r' && p[1] == '\n') {
			buf_putc(&b, '\n');
			p += 2;
		} else {
			buf_putc(&b, *p++);
		}
	}
	return buf_take(&b, NULL);
}

int dispatch_newsletter_preview(const struct mail_env *env, const struct newsletter *nl,
				char **ret_html, char **ret_text)
{
	struct subscriber sub;
	struct buf out = BUF_INIT(MAIL_MAX);
	char email[] = "leserin@example.org";
	int rc = DP_OK;
	*ret_html = *ret_text = NULL;
	if (!env || !nl)
		return DP_EINVAL;
	json_t *ctx = issue_ctx(env, nl, &rc);
	if (!ctx)
		return rc;
	sample_subscriber(&sub, email);
	struct mail_job job = { .kind = OUTBOX_NEWSLETTER, .template = "newsletter",
				.subject = nl->subject ? nl->subject : "", .to = email, .ctx = ctx,
				.sub = &sub };
	if ((rc = mail_compose(env, &job, &out)))
		goto out;
	*ret_html = mime_part(buf_cstr(&out), "text/html");
	*ret_text = mime_part(buf_cstr(&out), "text/plain");
	if (!*ret_html || !*ret_text) {
		free(*ret_html);
		free(*ret_text);
		*ret_html = *ret_text = NULL;
		rc = DP_ENOMEM;
	}
out:
	json_decref(ctx);
	buf_release(&out);
	return rc;
}

/* Text for Markdown with its punctuation escaped, so a title stays text. */
static void md_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]()<>#+-.!|~&", *s))
			buf_putc(b, '\\');
		buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

int dispatch_weekly_draft(const struct mail_env *env, struct newsletter *ret)
{
	struct article_list list = { 0 };
	struct buf md = BUF_INIT(1u << 20);
	char date[64];
	memset(ret, 0, sizeof *ret);
	if (!env || !env->site || !env->store)
		return DP_EINVAL;
	struct article_query q = { .now = env->now, .since = env->now - WEEKLY_DAYS * 24 * 3600,
				   .limit = WEEKLY_ARTICLES_MAX };
	int rc = store_articles(env->store, &q, &list, NULL);
	if (rc)
		return rc;
	date_human(date, sizeof date, env->now, env->site->lang);
	buf_puts(&md, tstr(env, "notify_weekly_intro"));
	buf_puts(&md, "\n\n");
	if (!list.n) {
		buf_puts(&md, tstr(env, "notify_weekly_empty"));
		buf_puts(&md, "\n");
	}
	/* Oldest first reads like the week went. */
	for (size_t k = list.n; k-- > 0;) {
		const struct article *a = &list.items[k];
		char d[64];
		date_human(d, sizeof d, a->published_at, env->site->lang);
		buf_puts(&md, "## [");
		md_text(&md, a->title);
		buf_printf(&md, "](%s/%s/)\n\n", env->site->base_url ? env->site->base_url : "", a->slug);
		buf_putc(&md, '*');
		md_text(&md, d);
		if (a->dateline && *a->dateline) {
			buf_puts(&md, " · ");
			md_text(&md, a->dateline);
		}
		buf_puts(&md, "*\n\n");
		if (a->excerpt && *a->excerpt) {
			md_text(&md, a->excerpt);
			buf_puts(&md, "\n\n");
		}
	}
	ret->subject = subject_fill(tstr(env, "notify_weekly_subject"), "date", date);
	if (ret->subject) {
		char *s = subject_fill(ret->subject, "site", env->site->title);
		free(ret->subject);
		ret->subject = s;
	}
	ret->body_md = buf_take(&md, NULL);
	ret->topics = strdup("");
	ret->status = NEWSLETTER_DRAFT;
	if (!ret->subject || !ret->body_md || !ret->topics) {
		newsletter_release(ret);
		memset(ret, 0, sizeof *ret);
		rc = DP_ENOMEM;
	}
	buf_release(&md);
	article_list_release(&list);
	return rc;
}

/* ---- the background thread ---- */

struct dispatcher {
	char *dir;
	char *db_path;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;                      /* guarded by mu */
	/* the sender, in its own thread */
	pthread_t sender;
	bool sender_running;            /* joined when false again */
	bool sender_exited;             /* guarded by mu: the thread returned */
	int sender_rc;                  /* guarded by mu */
	int64_t sender_ended_at;
	volatile sig_atomic_t sender_stop;
	struct mail_sender_stats sent;  /* written by the sender thread only */
	/* what was logged last, so a lasting problem is said once */
	char said_config[300];
	char said_round[200];
	int64_t said_round_at;
};

static void *sender_main(void *arg)
{
	struct dispatcher *d = arg;
	int rc = mail_sender_run(d->dir, &d->sender_stop, &d->sent);
	pthread_mutex_lock(&d->mu);
	d->sender_rc = rc;
	d->sender_exited = true;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static void sender_join(struct dispatcher *d)
{
	if (!d->sender_running)
		return;
	d->sender_stop = 1;
	pthread_join(d->sender, NULL);
	d->sender_running = false;
	d->sender_exited = false;
	d->sender_stop = 0;
}

/* Starts the sender when mail is configured and it is not running; says
 * once why mail cannot go out. */
static void sender_manage(struct dispatcher *d, int64_t now)
{
	struct mail_sender_config cfg;
	char err[256] = "";
	pthread_mutex_lock(&d->mu);
	bool exited = d->sender_exited;
	int src = d->sender_rc;
	pthread_mutex_unlock(&d->mu);
	if (d->sender_running && exited) {
		sender_join(d);
		d->sender_ended_at = now;
		if (src && src != DP_EINVAL)
			log_error("mail: the sender stopped: %s; starting it again shortly",
				  dp_strerror(src));
	}
	if (d->sender_running || (d->sender_ended_at && now - d->sender_ended_at < 5))
		return;
	int rc = mail_sender_config_load(d->dir, &cfg, err, sizeof err);
	if (rc) {
		if (strcmp(err, d->said_config) != 0) {
			log_warn("mail: not configured, nothing is sent (mail waits in the outbox): %s",
				 err);
			snprintf(d->said_config, sizeof d->said_config, "%s", err);
		}
		return;
	}
	mail_sender_config_release(&cfg);
	if (d->said_config[0] || !d->sender_ended_at)
		log_info("mail: sending the outbox through the configured relay");
	d->said_config[0] = '\0';
	if (pthread_create(&d->sender, NULL, sender_main, d) == 0)
		d->sender_running = true;
	else
		d->sender_ended_at = now;
}

/* The secret that signs links: the site's comment secret, made here when
 * the database has none yet (as the server does). */
static int load_secret(struct store *st)
{
	char *secret = NULL;
	int rc = store_kv_get(st, "comment_secret", &secret);
	if (rc == DP_ENOTFOUND) {
		char fresh[65];
		auth_random_token(fresh);
		rc = store_kv_set(st, "comment_secret", fresh);
		/* Another process may have made one at the same moment. */
		if (!rc)
			rc = store_kv_get(st, "comment_secret", &secret);
	}
	if (!rc)
		link_set_secret((const unsigned char *)secret, strlen(secret));
	free(secret);
	return rc;
}

static void round_error(struct dispatcher *d, int rc, int64_t now)
{
	const char *msg = dp_strerror(rc);
	/* A lasting problem once a minute at most, a new one at once. */
	if (strcmp(msg, d->said_round) == 0 && now - d->said_round_at < 60)
		return;
	log_error("mail: a dispatch round failed: %s", msg);
	snprintf(d->said_round, sizeof d->said_round, "%s", msg);
	d->said_round_at = now;
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void *dispatcher_main(void *arg)
{
	struct dispatcher *d = arg;
	struct store *st = NULL;
	struct theme *theme = NULL;
	struct site site = { 0 };
	char *theme_dir = NULL, *theme_lang = NULL, err[512];
	bool have_site = false, said_site = false, said_theme = false;
	int rc;

	if ((rc = store_open(d->db_path, STORE_DURABLE, &st)) || (rc = load_secret(st))) {
		log_error("mail: cannot open the database %s: %s; no mail is dispatched", d->db_path,
			  dp_strerror(rc));
		store_close(st);
		return NULL;
	}
	for (;;) {
		pthread_mutex_lock(&d->mu);
		bool stop = d->stop;
		pthread_mutex_unlock(&d->mu);
		if (stop)
			break;
		int64_t now = (int64_t)time(NULL);
		bool more = false;

		/* site.json again each round: `config set` takes effect. */
		struct site fresh = { 0 };
		if ((rc = site_load(d->dir, &fresh, err, sizeof err))) {
			if (!said_site)
				log_error("mail: cannot read the site's settings: %s", err);
			said_site = true;
		} else {
			said_site = false;
			if (have_site)
				site_release(&site);
			site = fresh;
			have_site = true;
		}
		if (have_site && (!theme || !same_str(theme_dir, site.theme_dir) ||
				  !same_str(theme_lang, site.lang))) {
			struct theme *t = NULL;
			if (theme_load(site.theme_dir, site.lang, &t, err, sizeof err)) {
				if (!said_theme)
					log_error("mail: cannot load the theme: %s", err);
				said_theme = true;
			} else {
				said_theme = false;
				theme_free(theme);
				theme = t;
				free(theme_dir);
				free(theme_lang);
				theme_dir = strdup(site.theme_dir ? site.theme_dir : "");
				theme_lang = strdup(site.lang ? site.lang : "");
			}
		}
		sender_manage(d, now);
		if (have_site && theme) {
			struct dispatch_stats stats = { 0 };
			struct mail_env env = { &site, theme, st, now };
			if (site.mail_from && *site.mail_from)
				rc = dispatch_round(&env, &stats);
			else
				rc = store_subscribers_expire(st, now, NULL);
			if (rc)
				round_error(d, rc, now);
			else
				d->said_round[0] = '\0';
			/* An issue still being queued: on at once (each round is
			 * bounded, so alerts and notices keep their turn). */
			more = !rc && stats.newsletters > 0;
		}
		if (!more) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_mutex_lock(&d->mu);
			if (!d->stop)
				pthread_cond_timedwait(&d->cv, &d->mu, &until);
			pthread_mutex_unlock(&d->mu);
		}
	}
	sender_join(d);
	if (d->sent.sent || d->sent.retried || d->sent.failed)
		log_info("mail: stopped; sent %zu, to retry %zu, failed %zu", d->sent.sent,
			 d->sent.retried, d->sent.failed);
	theme_free(theme);
	free(theme_dir);
	free(theme_lang);
	if (have_site)
		site_release(&site);
	store_close(st);
	return NULL;
}

int dispatch_start(const char *site_dir, struct dispatcher **ret)
{
	*ret = NULL;
	if (!site_dir)
		return DP_EINVAL;
	if (sodium_init() < 0)
		return DP_EIO;
	struct dispatcher *d = calloc(1, sizeof *d);
	if (!d)
		return DP_ENOMEM;
	d->dir = strdup(site_dir);
	if (!d->dir || asprintf(&d->db_path, "%s/depesche.db", site_dir) < 0) {
		free(d->dir);
		free(d);
		return DP_ENOMEM;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (pthread_create(&d->thread, NULL, dispatcher_main, d)) {
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		free(d->db_path);
		free(d->dir);
		free(d);
		return DP_ENOMEM;
	}
	*ret = d;
	return DP_OK;
}

void dispatch_stop(struct dispatcher *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	d->sender_stop = 1;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d->db_path);
	free(d->dir);
	free(d);
}
