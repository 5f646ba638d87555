/* article.c — the article page: headline, dateline, byline, body, tags,
 * feeds box, research links, previous/next; canonical, OpenGraph and
 * schema.org NewsArticle JSON-LD. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "page/comments.h"
#include "page/page.h"
#include "render/date.h"
#include "render/html.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"

static json_t *research_links(const struct page_req *req, const char *title)
{
	int de = strcmp(req->site->lang, "de") == 0;
	struct { const char *name, *prefix, *suffix; } engines[] = {
		{ "Google", de ? "https://www.google.de/search?q=" : "https://www.google.com/search?q=", "" },
		{ "Bing", "https://www.bing.com/search?q=", "" },
		{ "Google News", "https://news.google.com/search?q=", de ? "&hl=de" : "&hl=en" },
	};
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < sizeof engines / sizeof engines[0]; i++) {
		struct buf u = BUF_INIT(4096);
		buf_puts(&u, engines[i].prefix);
		url_arg(&u, title);
		buf_puts(&u, engines[i].suffix);
		if (!buf_error(&u))
			json_array_append_new(arr, json_pack("{s:s, s:s}", "name", engines[i].name,
							     "url", buf_cstr(&u)));
		buf_release(&u);
	}
	return arr;
}

/* schema.org NewsArticle as text safe inside <script>: jansson escapes "/"
 * and we turn every "<" into \u003c, so no "</script" or "<!--" survives. */
static char *jsonld(const struct page_req *req, const struct article *a, const char *url)
{
	char pub[40], mod[40];
	time_fmt_iso_local(pub, sizeof pub, a->published_at);
	time_fmt_iso_local(mod, sizeof mod, a->updated_at > a->published_at ? a->updated_at
									    : a->published_at);
	char *home = ctx_abs_url(req->site, "/");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}",
			      "@context", "https://schema.org", "@type", "NewsArticle",
			      "headline", a->title, "url", url, "mainEntityOfPage", url,
			      "datePublished", pub, "dateModified", mod,
			      "inLanguage", a->lang && *a->lang ? a->lang : req->site->lang,
			      "description", a->excerpt ? a->excerpt : "",
			      "publisher", "@type", "Organization", "name", req->site->title,
			      "url", home ? home : "");
	free(home);
	if (!o)
		return NULL;
	if (a->author.id) {
		char path[300];
		snprintf(path, sizeof path, "/author/%s/", a->author.slug);
		char *au = ctx_abs_url(req->site, path);
		json_object_set_new(o, "author", json_pack("[{s:s, s:s, s:s}]", "@type", "Person",
							   "name", a->author.name, "url", au ? au : ""));
		free(au);
	}
	if (a->category.id)
		json_object_set_new(o, "articleSection", json_string(a->category.name));
	if (a->ntags) {
		json_t *kw = json_array();
		for (size_t i = 0; i < a->ntags; i++)
			json_array_append_new(kw, json_string(a->tags[i].name));
		json_object_set_new(o, "keywords", kw);
	}
	char *text = ctx_jsonld(o);
	json_decref(o);
	return text;
}

static json_t *neighbor(const struct article *n)
{
	char url[300];
	snprintf(url, sizeof url, "/%s/", n->slug);
	return json_pack("{s:s, s:s}", "title", n->title, "url", url);
}

int page_article(const struct page_req *req, struct page_res *res)
{
	struct article a = { 0 }, prev = { 0 }, next = { 0 };
	json_t *ctx = NULL;
	char *abs = NULL, *body = NULL, *ld = NULL;
	char path[300], feed[320];
	int rc = store_article_page(req->store, req->route->slug, &a);
	if (rc)
		goto out;
	if (a.status != ARTICLE_PUBLISHED || a.published_at > req->now) {
		rc = DP_ENOTFOUND; /* drafts and scheduled articles do not exist yet */
		goto out;
	}
	rc = store_article_neighbors(req->store, &a, req->now, &prev, &next);
	if (rc)
		goto out;
	snprintf(path, sizeof path, "/%s/", a.slug);
	snprintf(feed, sizeof feed, "/%s/feed/", a.slug);
	rc = DP_ENOMEM;
	abs = ctx_abs_url(req->site, path);
	body = ctx_body_with_dateline(&a, req->site);
	ld = jsonld(req, &a, abs ? abs : "");
	ctx = ctx_new(req, "article", path);
	json_t *art = ctx ? ctx_article_summary(req, &a) : NULL;
	if (!abs || !body || !ld || !art)
		goto out;
	json_object_set_new(ctx, "article", art);
	json_object_set_new(art, "abs_url", json_string(abs));
	json_object_set_new(art, "body_html", json_string(body));
	json_object_set_new(art, "feed_url", json_string(feed));
	json_object_set_new(art, "research", research_links(req, a.title));
	rc = related_fill(req, res, &a, art);
	if (rc)
		goto out;
	rc = comments_context(req, res, &a, art);
	if (rc)
		goto out;
	rc = DP_ENOMEM;
	if (a.updated_at > a.published_at && !date_same_day(a.updated_at, a.published_at)) {
		char iso[40], human[64];
		time_fmt_iso_local(iso, sizeof iso, a.updated_at);
		date_human(human, sizeof human, a.updated_at, req->site->lang);
		json_object_set_new(art, "updated", json_pack("{s:s, s:s}", "iso", iso, "human", human));
	}
	if (prev.id) {
		json_object_set_new(art, "prev", neighbor(&prev));
		page_dep(res, cache_keyf("a:%lld", (long long)prev.id));
	}
	if (next.id) {
		json_object_set_new(art, "next", neighbor(&next));
		page_dep(res, cache_keyf("a:%lld", (long long)next.id));
	}
	page_dep(res, cache_keyf("a:%lld", (long long)a.id));

	json_t *page = json_object_get(ctx, "page");
	json_object_set_new(page, "description", json_string(a.excerpt ? a.excerpt : ""));
	json_object_set_new(page, "jsonld", json_string(ld));
	json_array_append_new(json_object_get(page, "feeds"),
			      json_pack("{s:s, s:s, s:s}", "title", a.title, "url", feed, "type",
					"application/rss+xml"));
	json_t *og = json_object_get(page, "og");
	json_object_set_new(og, "type", json_string("article"));
	json_object_set_new(og, "title", json_string(a.title));
	json_object_set_new(og, "description", json_string(a.excerpt ? a.excerpt : ""));
	res->last_modified = req->now;
	rc = ctx_render(req, res, "article", ctx);
out:
	json_decref(ctx);
	free(abs);
	free(body);
	free(ld);
	article_release(&a);
	article_release(&prev);
	article_release(&next);
	return rc;
}
