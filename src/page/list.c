/* list.c — article lists: the home page and the tag, category and author
 * archives share the listing, pagination and dependency bookkeeping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "page/page.h"
#include "site/site.h"
#include "util/err.h"

/* base: "/" or "/tag/ki/"; page N lives at base + "page/N/". */
static void page_url(char *out, size_t len, const char *base, unsigned page)
{
	if (page <= 1)
		snprintf(out, len, "%s", base);
	else
		snprintf(out, len, "%spage/%u/", base, page);
}

/* Lists q into ctx (articles, pagination) and records dependencies.
 * DP_ENOTFOUND when page is beyond the last (page 1 always exists). */
static int fill_list(const struct page_req *req, struct page_res *res, json_t *ctx,
		     struct article_query *q, const char *base)
{
	struct article_list list = { 0 };
	size_t total = 0;
	unsigned page = req->route->page;
	q->now = req->now;
	q->limit = (size_t)req->site->per_page;
	q->offset = (size_t)(page - 1) * q->limit;
	int rc = store_articles(req->store, q, &list, &total);
	if (rc)
		return rc;
	unsigned pages = (unsigned)((total + q->limit - 1) / q->limit);
	if (page > 1 && page > pages) {
		article_list_release(&list);
		return DP_ENOTFOUND;
	}
	/* Approved comments per article: one query for the page. */
	int64_t ids[100];
	size_t counts[100] = { 0 }, nids = list.n < 100 ? list.n : 100;
	for (size_t i = 0; i < nids; i++)
		ids[i] = list.items[i].id;
	if (nids && store_comment_counts(req->store, ids, nids, counts))
		memset(counts, 0, sizeof counts);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < list.n; i++) {
		json_t *sum = ctx_article_summary(req, &list.items[i]);
		if (sum && i < nids && counts[i]) {
			json_object_set_new(sum, "comment_count", json_integer((json_int_t)counts[i]));
			json_object_set_new(sum, "has_comments", json_true());
		}
		json_array_append_new(arr, sum);
		page_dep(res, cache_keyf("a:%lld", (long long)list.items[i].id));
	}
	json_object_set_new(ctx, "articles", arr);
	if (pages > 1) {
		char url[300];
		json_t *pg = json_pack("{s:i, s:i}", "current", page, "total", pages);
		if (page > 1) {
			page_url(url, sizeof url, base, page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if (page < pages) {
			page_url(url, sizeof url, base, page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	res->last_modified = req->now;
	article_list_release(&list);
	return DP_OK;
}

int page_home(const struct page_req *req, struct page_res *res)
{
	char canonical[64];
	page_url(canonical, sizeof canonical, "/", req->route->page);
	json_t *ctx = ctx_new(req, "home", canonical);
	if (!ctx)
		return DP_ENOMEM;
	page_dep(res, cache_key("l:home"));
	struct article_query q = { 0 };
	int rc = fill_list(req, res, ctx, &q, "/");
	if (!rc)
		rc = ctx_render(req, res, "home", ctx);
	json_decref(ctx);
	return rc;
}

int page_archive(const struct page_req *req, struct page_res *res)
{
	static const char *const kinds[TERM__MAX] = {
		[TERM_TAG] = "tag", [TERM_CATEGORY] = "category", [TERM_AUTHOR] = "author"
	};
	const struct route *r = req->route;
	struct term term = { 0 };
	json_t *ctx = NULL;
	char base[300], canonical[320], feed[320];
	int rc = store_term_by_slug(req->store, r->term, r->slug, &term);
	if (rc)
		return rc;
	snprintf(base, sizeof base, "%s%s/", term_prefix(r->term), term.slug);
	snprintf(feed, sizeof feed, "%sfeed/", base);
	page_url(canonical, sizeof canonical, base, r->page);
	ctx = ctx_new(req, "archive", canonical);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	char is_kind[16];
	snprintf(is_kind, sizeof is_kind, "is_%s", kinds[r->term]);
	json_t *archive = json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", kinds[r->term], "name",
				    term.name, "url", base, "feed_url", feed, is_kind, 1);
	json_object_set_new(ctx, "archive", archive);
	json_t *page = json_object_get(ctx, "page");
	json_array_append_new(json_object_get(page, "feeds"),
			      json_pack("{s:s, s:s, s:s}", "title", term.name, "url", feed, "type",
					"application/rss+xml"));
	json_object_set_new(json_object_get(page, "og"), "title", json_string(term.name));
	page_dep(res, cache_keyf("l:%s:%s", kinds[r->term], term.slug));

	struct article_query q = { .kind = r->term, .term_slug = term.slug };
	rc = fill_list(req, res, ctx, &q, base);
	if (!rc && json_array_size(json_object_get(ctx, "articles")) == 0)
		rc = DP_ENOTFOUND; /* nothing public under this term: no soft 404 */
	if (!rc)
		rc = ctx_render(req, res, "archive", ctx);
out:
	json_decref(ctx);
	term_release(&term);
	return rc;
}
