/* context.c — the parts of a template context that every page shares
 * (docs/CONTRACTS.md lists the shape). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "newsletter/subscribe.h"
#include "page/comments.h"
#include "page/page.h"
#include "page/theme.h"
#include "render/html.h"
#include "render/date.h"
#include "render/mustache.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"

const char *term_prefix(enum term_kind kind)
{
	static const char *const p[TERM__MAX] = {
		[TERM_TAG] = "/tag/", [TERM_CATEGORY] = "/category/", [TERM_AUTHOR] = "/author/"
	};
	return p[kind];
}

char *ctx_abs_url(const struct site *site, const char *path)
{
	char *u = NULL;
	if (asprintf(&u, "%s%s", site->base_url, path) < 0)
		return NULL;
	return u;
}

void page_res_init(struct page_res *res)
{
	memset(res, 0, sizeof *res);
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	res->cache_control = "public, max-age=60, stale-while-revalidate=30";
	buf_init(&res->body, PAGE_MAX_BYTES);
}

void page_res_release(struct page_res *res)
{
	buf_release(&res->body);
}

void page_dep(struct page_res *res, uint64_t key)
{
	for (size_t i = 0; i < res->ndeps; i++)
		if (res->deps[i] == key)
			return;
	if (res->ndeps < PAGE_MAX_DEPS - 1)
		res->deps[res->ndeps++] = key;
	else if (res->ndeps == PAGE_MAX_DEPS - 1)
		res->deps[res->ndeps++] = cache_key("l:home");
}

static json_t *term_obj(enum term_kind kind, const struct term *t)
{
	char url[300];
	snprintf(url, sizeof url, "%s%s/", term_prefix(kind), t->slug);
	return json_pack("{s:s, s:s, s:s}", "name", t->name, "url", url, "slug", t->slug);
}

static json_t *tags_array(const struct article *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < a->ntags; i++)
		json_array_append_new(arr, term_obj(TERM_TAG, &a->tags[i]));
	return arr;
}

/* body_html with the dateline leading its first paragraph:
 * "<p><span class="dateline">KYIV / LONDON (Site) – </span>…". */
char *ctx_body_with_dateline(const struct article *a, const struct site *site)
{
	const char *body = a->body_html ? a->body_html : "";
	struct buf b = BUF_INIT(PAGE_MAX_BYTES);
	if (!a->dateline || !*a->dateline) {
		buf_puts(&b, body);
		return buf_take(&b, NULL);
	}
	struct buf dl = BUF_INIT(4096);
	buf_puts(&dl, "<span class=\"dateline\">");
	html_txt(&dl, a->dateline);
	buf_puts(&dl, " (");
	html_txt(&dl, site->title);
	buf_puts(&dl, ") – </span>");
	const char *p = strstr(body, "<p>");
	if (p) {
		buf_add(&b, body, (size_t)(p - body) + 3);
		buf_add(&b, dl.data, dl.len);
		buf_puts(&b, p + 3);
	} else {
		buf_puts(&b, "<p>");
		buf_add(&b, dl.data, dl.len);
		buf_puts(&b, "</p>");
		buf_puts(&b, body);
	}
	buf_release(&dl);
	return buf_take(&b, NULL);
}

json_t *ctx_article_link(const struct page_req *req, const struct article *a)
{
	char url[300], iso[40], human[64];
	snprintf(url, sizeof url, "/%s/", a->slug);
	time_fmt_iso_local(iso, sizeof iso, a->published_at);
	date_human(human, sizeof human, a->published_at, req->site->lang);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", a->title, "url", url,
			      "excerpt", a->excerpt ? a->excerpt : "", "date_iso", iso,
			      "date_human", human);
	if (!o)
		return NULL;
	if (a->dateline && *a->dateline)
		json_object_set_new(o, "dateline", json_string(a->dateline));
	/* Only a language other than the page's needs marking (hyphenation,
	 * screen readers). */
	if (a->lang && *a->lang && strcmp(a->lang, req->site->lang) != 0)
		json_object_set_new(o, "lang", json_string(a->lang));
	return o;
}

json_t *ctx_article_summary(const struct page_req *req, const struct article *a)
{
	json_t *o = ctx_article_link(req, a);
	if (!o)
		return NULL;
	json_object_set_new(o, "tags", tags_array(a));
	if (a->author.id)
		json_object_set_new(o, "author", term_obj(TERM_AUTHOR, &a->author));
	if (a->category.id)
		json_object_set_new(o, "category", term_obj(TERM_CATEGORY, &a->category));
	return o;
}

json_t *ctx_new(const struct page_req *req, const char *kind, const char *canonical_path)
{
	const struct site *s = req->site;
	char css[128], year[16], is_kind[32];
	snprintf(css, sizeof css, "/assets/style.css?v=%s", req->theme->css_version);
	time_t now = (time_t)req->now;
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
	char *canonical = ctx_abs_url(s, canonical_path);
	char *feed_abs = ctx_abs_url(s, "/feed/");
	if (!canonical || !feed_abs) {
		free(canonical);
		free(feed_abs);
		return NULL;
	}
	json_t *site = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				 "title", s->title, "description", s->description, "lang", s->lang,
				 "base_url", s->base_url, "home_url", "/", "feed_url", "/feed/",
				 "atom_url", "/feed/atom/", "json_url", "/feed/json/", "css_url", css,
				 "year", year);
	json_t *feeds = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]",
				  "title", s->title, "url", "/feed/", "type", "application/rss+xml",
				  "title", s->title, "url", "/feed/atom/", "type", "application/atom+xml",
				  "title", s->title, "url", "/feed/json/", "type", "application/feed+json");
	json_t *page = json_pack("{s:s, s:s, s:s, s:b, s:o, s:{s:s, s:s, s:s, s:s}}",
				 "kind", kind, "canonical", canonical, "description", s->description,
				 "noindex", 0, "feeds", feeds,
				 "og", "type", "website", "title", s->title, "description",
				 s->description, "url", canonical);
	json_t *ctx = json_pack("{s:o, s:O, s:o}", "site", site, "t", req->theme->strings, "page", page);
	free(canonical);
	free(feed_abs);
	if (!ctx)
		return NULL;
	snprintf(is_kind, sizeof is_kind, "is_%s", kind);
	json_object_set_new(ctx, is_kind, json_true());
	return ctx;
}

/* The sign-up box of every public page (subscribe_box) and, on an article
 * with tags, "similar news" (article.similar): each with the consent
 * wording for exactly what it asks for and a form ticket (comments.h,
 * article id 0: site-wide). Tickets age, so such a page is rendered again
 * within the hour (res->expires_at), as comments.c does for its form. The
 * pages of sign-up itself carry their own form and get no box. */
static void subscribe_forms(const struct page_req *req, struct page_res *res, json_t *ctx)
{
	const struct site *s = req->site;
	if (!s->subscribe_open || !s->mail_from || !*s->mail_from ||
	    json_is_true(json_object_get(ctx, "is_subscribe")))
		return;
	char ticket[96];
	comment_ticket(0, req->now, ticket, sizeof ticket);
	const json_t *strings = req->theme->strings;
	char *w = subscribe_wording(strings, s->title, NULL, 0, true);
	if (!w)
		return;
	json_object_set_new(ctx, "subscribe_box", json_pack("{s:s, s:s, s:s}", "action", "/subscribe",
							     "ticket", ticket, "wording", w));
	free(w);
	json_t *art = json_object_get(ctx, "article");
	json_t *tags = json_object_get(art, "tags");
	size_t n = json_array_size(tags);
	if (json_is_true(json_object_get(ctx, "is_article")) && n > 0 && n <= SUB_TOPICS_MAX) {
		const char *names[SUB_TOPICS_MAX];
		for (size_t i = 0; i < n; i++) {
			names[i] = json_string_value(json_object_get(json_array_get(tags, i), "name"));
			if (!names[i])
				names[i] = "";
		}
		w = subscribe_wording(strings, s->title, names, n, false);
		if (w)
			json_object_set_new(art, "similar",
					    json_pack("{s:s, s:s, s:s, s:O}", "action", "/subscribe",
						      "ticket", ticket, "wording", w, "topics", tags));
		free(w);
	}
	if (!res->expires_at || res->expires_at > req->now + 3600)
		res->expires_at = req->now + 3600;
}

char *ctx_jsonld(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_PRESERVE_ORDER);
	if (!text)
		return NULL;
	struct buf b = BUF_INIT(0);
	for (const char *p = text, *lt; *p; p = lt + 1) {
		if (!(lt = strchr(p, '<'))) {
			buf_puts(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(lt - p));
		buf_puts(&b, "\\u003c");
	}
	free(text);
	return buf_take(&b, NULL);
}

json_t *ctx_text_paras(const char *text)
{
	json_t *paras = json_array();
	json_t *lines = NULL;
	const char *p = text ? text : "";
	if (!paras)
		return NULL;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t m = n;
		if (m && p[m - 1] == '\r')
			m--;
		bool blank = true;
		for (size_t i = 0; i < m; i++)
			if (!isspace((unsigned char)p[i]))
				blank = false;
		if (blank) {
			lines = NULL; /* a blank line ends the paragraph */
		} else {
			if (!lines) {
				lines = json_array();
				json_array_append_new(paras, json_pack("{s:o}", "lines", lines));
			}
			json_array_append_new(lines, json_pack("{s:s%, s:b}", "text", p, m, "br",
							       json_array_size(lines) > 0));
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return paras;
}

int ctx_render(const struct page_req *req, struct page_res *res, const char *name, json_t *ctx)
{
	subscribe_forms(req, res, ctx);
	int rc = boxes_fill(req, res, ctx);
	if (rc)
		return rc;
	buf_reset(&res->body);
	rc = mustache_set_render(req->theme->templates, name, ctx, &res->body);
	res->content_type = "text/html; charset=utf-8";
	return rc;
}
