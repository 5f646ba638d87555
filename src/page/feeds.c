/* feeds.c — the feed and sitemap URLs: fetch the articles, hand them to
 * src/feed/ writers, record what the result depends on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "feed/feed.h"
#include "page/page.h"
#include "site/site.h"
#include "util/err.h"

#define NEWS_WINDOW (2 * 24 * 3600) /* Google News: the last two days */
#define NEWS_MAX 1000
#define SITEMAP_JOBS 1000           /* current jobs in /sitemap.xml, at most */
/* sitemaps.org: 50,000 URLs per file; the home page, /jobs/ and its jobs are some. */
#define SITEMAP_MAX (49998 - SITEMAP_JOBS)

static const char *const kinds[TERM__MAX] = {
	[TERM_TAG] = "tag", [TERM_CATEGORY] = "category", [TERM_AUTHOR] = "author"
};

static int article_comments_feed(const struct page_req *req, struct page_res *res)
{
	struct article a = { 0 };
	int rc = store_article_by_slug(req->store, req->route->slug, &a);
	if (!rc && (a.status != ARTICLE_PUBLISHED || a.published_at > req->now))
		rc = DP_ENOTFOUND;
	struct comment_list l = { 0 };
	if (!rc)
		rc = store_comments_of_article(req->store, a.id, COMMENT_APPROVED, &l);
	if (!rc) {
		static const char *const types[] = { "application/rss+xml; charset=utf-8",
						     "application/atom+xml; charset=utf-8",
						     "application/feed+json; charset=utf-8" };
		page_dep(res, cache_keyf("a:%lld", (long long)a.id));
		res->content_type = types[req->route->format % 3];
		res->last_modified = req->now;
		rc = feed_comments(&res->body, (enum feed_format)(req->route->format % 3), req->site,
				   &a, &l);
	}
	comment_list_release(&l);
	article_release(&a);
	return rc;
}

int page_feed(const struct page_req *req, struct page_res *res)
{
	const struct route *r = req->route;
	struct article_list list = { 0 };
	struct term term = { 0 };
	char title[600], self[320], html[300];
	int rc;

	if (r->kind == ROUTE_ARTICLE_FEED)
		return article_comments_feed(req, res);

	struct article_query q = { .now = req->now, .with_body = true,
				   .limit = (size_t)req->site->feed_items };
	struct feed_meta m = { .title = req->site->title, .description = req->site->description,
			       .self_path = "/feed/", .html_path = "/" };
	if (r->kind == ROUTE_ARCHIVE_FEED) {
		rc = store_term_by_slug(req->store, r->term, r->slug, &term);
		if (rc)
			return rc;
		snprintf(title, sizeof title, "%.300s – %.200s", req->site->title, term.name);
		snprintf(html, sizeof html, "%s%.200s/", term_prefix(r->term), term.slug);
		snprintf(self, sizeof self, "%.300sfeed/", html);
		m.title = title;
		m.self_path = self;
		m.html_path = html;
		q.kind = r->term;
		q.term_slug = term.slug;
		page_dep(res, cache_keyf("l:%s:%s", kinds[r->term], term.slug));
	} else {
		m.self_path = r->kind == ROUTE_FEED_ATOM ? "/feed/atom/"
			      : r->kind == ROUTE_FEED_JSON ? "/feed/json/" : "/feed/";
		page_dep(res, cache_key("l:home"));
	}
	rc = store_articles(req->store, &q, &list, NULL);
	if (rc)
		goto out;
	for (size_t i = 0; i < list.n; i++) {
		struct article *a = &list.items[i];
		page_dep(res, cache_keyf("a:%lld", (long long)a->id));
		/* Feed readers show the dateline as the page does. */
		char *body = ctx_body_with_dateline(a, req->site);
		if (!body) {
			rc = DP_ENOMEM;
			goto out;
		}
		free(a->body_html);
		a->body_html = body;
	}
	res->last_modified = req->now;
	switch (r->kind) {
	case ROUTE_FEED_ATOM:
		res->content_type = "application/atom+xml; charset=utf-8";
		rc = feed_atom(&res->body, req->site, &m, &list);
		break;
	case ROUTE_FEED_JSON:
		res->content_type = "application/feed+json; charset=utf-8";
		rc = feed_json(&res->body, req->site, &m, &list);
		break;
	default:
		res->content_type = "application/rss+xml; charset=utf-8";
		rc = feed_rss(&res->body, req->site, &m, &list);
		break;
	}
out:
	article_list_release(&list);
	term_release(&term);
	return rc;
}

int page_sitemap(const struct page_req *req, struct page_res *res)
{
	struct article_list list = { 0 };
	int news = req->route->kind == ROUTE_NEWS_SITEMAP;
	struct article_query q = { .now = req->now, .limit = news ? NEWS_MAX : SITEMAP_MAX };
	if (news)
		q.since = req->now - NEWS_WINDOW;
	int rc = store_articles(req->store, &q, &list, NULL);
	if (rc)
		return rc;
	page_dep(res, cache_key("l:home"));
	res->content_type = "application/xml; charset=utf-8";
	res->last_modified = req->now;
	if (news) {
		/* The oldest item leaves the two-day window: render again then. */
		if (list.n)
			res->expires_at = list.items[list.n - 1].published_at + NEWS_WINDOW;
		rc = feed_news_sitemap(&res->body, req->site, &list);
	} else {
		/* The current jobs too: the sitemap follows them ("l:jobs") and
		 * is rendered again when one leaves or appears. */
		struct job *jobs = NULL;
		size_t njobs = 0;
		int64_t next = 0;
		struct job_query jq = { .now = req->now, .type = -1, .limit = SITEMAP_JOBS };
		rc = store_jobs(req->store, &jq, &jobs, &njobs, NULL);
		if (!rc)
			rc = store_job_next_expiry(req->store, req->now, &next);
		if (!rc) {
			page_dep(res, cache_key("l:jobs"));
			res->expires_at = next;
			rc = feed_sitemap_jobs(&res->body, req->site, &list, jobs, njobs);
		}
		jobs_free(jobs, njobs);
	}
	article_list_release(&list);
	return rc;
}
