/* page.h — one file per page type; each turns a route into a rendered page.
 *
 * A page function reads the database through req->store, builds a jansson
 * context (see docs/CONTRACTS.md) and renders a theme template into
 * res->body. It records what the page shows as cache dependency keys and
 * never touches the network or logs: the HTTP layer does that. */
#ifndef DEPESCHE_PAGE_PAGE_H
#define DEPESCHE_PAGE_PAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

struct site;
struct theme;

#define PAGE_MAX_DEPS 64
#define PAGE_MAX_BYTES (8u << 20)

/* Parsed from the URL by route_parse(). */
enum route_kind {
	ROUTE_HOME,           /* / and /page/N/ */
	ROUTE_ARTICLE,        /* /<slug>/ */
	ROUTE_ARTICLE_FEED,   /* /<slug>/feed/ (+ atom/, json/): its comments */
	ROUTE_FEED_RSS,       /* /feed/ */
	ROUTE_FEED_ATOM,      /* /feed/atom/ */
	ROUTE_FEED_JSON,      /* /feed/json/ */
	ROUTE_ARCHIVE,        /* /tag|category|author/<slug>/ (+ page/N/) */
	ROUTE_ARCHIVE_FEED,   /* /tag|category|author/<slug>/feed/ */
	ROUTE_SITEMAP,
	ROUTE_NEWS_SITEMAP,
	ROUTE_ROBOTS,
	ROUTE_HEALTHZ,
	ROUTE_ASSET,          /* /assets/<file> */
	ROUTE_UPLOAD,         /* /uploads/YYYY/MM/<file>: images from the admin */
	ROUTE_JOBS,           /* /jobs/ (+ page/N/): current job listings */
	ROUTE_JOB,            /* /jobs/<slug>/ */
	ROUTE_JOBS_FEED,      /* /jobs/feed/: RSS 2.0 of current jobs */
	ROUTE_REDIRECT,       /* add the trailing slash */
	ROUTE_NOT_FOUND,
	ROUTE_BAD_REQUEST,
	ROUTE__MAX
};

#define ROUTE_SLUG_MAX 200

struct route {
	enum route_kind kind;
	enum term_kind term;          /* ROUTE_ARCHIVE* */
	char slug[ROUTE_SLUG_MAX + 1];/* article or term slug, asset name */
	unsigned page;                /* 1-based list page */
	unsigned format;              /* ROUTE_ARTICLE_FEED: 0 RSS, 1 Atom, 2 JSON Feed */
};

/* Parses an URL path (without query). Never fails: unknown shapes become
 * ROUTE_NOT_FOUND, hostile ones (NUL, "..", bad escapes) ROUTE_BAD_REQUEST. */
void route_parse(const char *path, struct route *ret);

/* Query arguments the few pages that read any take (search, job filters).
 * Only dynamic requests carry them (a cached page never depends on its
 * query string); NULL otherwise. Values are as the client sent them (NULL
 * when absent): the page validates. */
struct page_args {
	const char *s;                /* the search words (/?s=, /search/<words>/) */
	const char *location;         /* /jobs/?location= */
	const char *type;             /* /jobs/?type=full-time|part-time|contract|internship */
	const char *remote;           /* /jobs/?remote=1 */
};

/* What every page function gets. */
struct page_req {
	const struct site *site;
	const struct theme *theme;
	struct store *store;          /* this thread's connection */
	int64_t now;
	const struct route *route;
	const struct page_args *args; /* NULL for cached pages */
};

/* What a page function fills. */
struct page_res {
	unsigned status;              /* 200 by default */
	const char *content_type;     /* static string */
	const char *cache_control;    /* static string */
	struct buf body;
	int64_t last_modified;
	int64_t expires_at;
	uint64_t deps[PAGE_MAX_DEPS];
	size_t ndeps;
	char location[512];           /* for redirects */
};

void page_res_init(struct page_res *res);
void page_res_release(struct page_res *res);
/* Records a dependency key (see cache.h); past PAGE_MAX_DEPS the page falls
 * back to depending on the whole site ("l:home"), which is always safe. */
void page_dep(struct page_res *res, uint64_t key);

typedef int (*page_fn)(const struct page_req *req, struct page_res *res);

/* Runs the page for req->route (the dispatch table lives in page.c). On an
 * error the result is the themed error page with the right status. */
void page_serve(const struct page_req *req, struct page_res *res);

/* The themed error page (404, 400, 405, 413, 500). */
void page_error(const struct page_req *req, struct page_res *res, unsigned status);

/* ---- pieces shared by page files (context.c) ---- */

/* The context every page starts from: site, t, page.{canonical,…}. New reference. */
json_t *ctx_new(const struct page_req *req, const char *kind, const char *canonical_path);
/* A summary object for lists: the link's fields plus tags, author and
 * category. New reference. */
json_t *ctx_article_summary(const struct page_req *req, const struct article *a);
/* A link to an article (related articles): title, url, excerpt, date_iso,
 * date_human, dateline and lang when set. New reference. */
json_t *ctx_article_link(const struct page_req *req, const struct article *a);
/* Renders template `name` with ctx into res->body as text/html. */
int ctx_render(const struct page_req *req, struct page_res *res, const char *name, json_t *ctx);
/* The article's HTML with its dateline leading the first paragraph:
 * <p><span class="dateline">KYIV / LONDON (Site) – </span>… (malloc'd). */
char *ctx_body_with_dateline(const struct article *a, const struct site *site);
/* Absolute URL of a path ("/x/" → "https://site/x/"); malloc'd. */
char *ctx_abs_url(const struct site *site, const char *path);
/* A schema.org object as the text of a <script type="application/ld+json">:
 * compact JSON with "<" and "/" escaped, so no "</script>" can close it
 * (malloc'd; o stays the caller's). */
char *ctx_jsonld(json_t *o);
/* Plain text (a comment, a box's text) as paragraphs of lines for
 * templates: [ { lines: [ { text, br: bool } ] } ] — "br" marks lines after
 * the first, so a template writes {{#br}}<br>{{/br}}{{text}} and every byte
 * of text is still escaped. New reference. */
json_t *ctx_text_paras(const char *text);
/* "/tag/", "/category/", "/author/" */
const char *term_prefix(enum term_kind kind);

/* Page functions (one file each). */
int page_home(const struct page_req *req, struct page_res *res);
int page_article(const struct page_req *req, struct page_res *res);
int page_archive(const struct page_req *req, struct page_res *res);
int page_feed(const struct page_req *req, struct page_res *res);
int page_sitemap(const struct page_req *req, struct page_res *res);
int page_asset(const struct page_req *req, struct page_res *res);
int page_upload(const struct page_req *req, struct page_res *res);
/* jobs.c: /jobs/ (filtered by req->args), /jobs/<slug>/, /jobs/feed/ */
int page_jobs(const struct page_req *req, struct page_res *res);
int page_job(const struct page_req *req, struct page_res *res);
int page_jobs_feed(const struct page_req *req, struct page_res *res);
/* search.c: the results for req->args->s (route->page: the result page) */
int page_search(const struct page_req *req, struct page_res *res);

/* ---- filled into every page's context by ctx_render ---- */
/* boxes.c: ctx.boxes = { sidebar: [box…], below: [box…], footer: [box…] }
 * (below only on article pages), each box as partials/box.mustache wants
 * it; depends on nothing (a box change drops every page). */
int boxes_fill(const struct page_req *req, struct page_res *res, json_t *ctx);
/* jobs.c: the context of a "jobs" box: box.jobs = the four newest public
 * jobs [{ title, url, employer, location (null when none), remote,
 * type_label, posted_iso, posted_human }]; records "l:jobs" and lowers
 * res->expires_at to the next change of the public jobs (also when there
 * are none yet). */
int jobs_box_fill(const struct page_req *req, struct page_res *res, json_t *box);
/* related.c: article.related = [summary…] (store_related), recording a
 * dependency on each related article. */
int related_fill(const struct page_req *req, struct page_res *res, const struct article *a,
		 json_t *article);

/* ---- pages that answer dynamic requests (query strings) ---- */
struct http_req;
struct http_res;
/* Runs fn for a dynamic request, with args and route, and puts the page (or
 * the themed error page) into res: status, type, body. */
int page_dynamic(struct http_req *req, struct http_res *res, page_fn fn,
		 const struct route *route, const struct page_args *args);
/* search.c — GET /?s=words, /search/, /search/<words>/ (+ page/N/):
 * routes /search/<words>/ into page_search. */
int search_get(struct http_req *req, struct http_res *res);
/* jobs.c — GET /jobs/?location=&type=&remote=: page_jobs with the filters. */
int jobs_filtered(struct http_req *req, struct http_res *res);

#endif
