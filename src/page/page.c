/* page.c — the dispatch table from route to page function, and the error
 * page. Error pages never echo the request. */
#include <stdio.h>
#include <string.h>

#include "feed/feed.h"
#include "http/request.h"
#include "page/page.h"
#include "page/theme.h"
#include "site/site.h"
#include "util/err.h"

static int page_healthz(const struct page_req *req, struct page_res *res)
{
	(void)req;
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = "no-store";
	buf_puts(&res->body, "ok\n");
	return buf_error(&res->body);
}

static int page_robots(const struct page_req *req, struct page_res *res)
{
	res->content_type = "text/plain; charset=utf-8";
	return feed_robots(&res->body, req->site);
}

static int page_redirect(const struct page_req *req, struct page_res *res)
{
	res->status = 301;
	res->content_type = "text/plain; charset=utf-8";
	res->cache_control = "public, max-age=86400";
	snprintf(res->location, sizeof res->location, "%s", req->route->slug);
	buf_puts(&res->body, "Moved permanently.\n");
	return DP_OK;
}

static int page_not_found(const struct page_req *req, struct page_res *res)
{
	(void)req;
	(void)res;
	return DP_ENOTFOUND;
}

static int page_bad_request(const struct page_req *req, struct page_res *res)
{
	(void)req;
	(void)res;
	return DP_EINVAL;
}

static const page_fn dispatch[ROUTE__MAX] = {
	[ROUTE_HOME] = page_home,
	[ROUTE_ARTICLE] = page_article,
	[ROUTE_ARTICLE_FEED] = page_feed,
	[ROUTE_FEED_RSS] = page_feed,
	[ROUTE_FEED_ATOM] = page_feed,
	[ROUTE_FEED_JSON] = page_feed,
	[ROUTE_ARCHIVE] = page_archive,
	[ROUTE_ARCHIVE_FEED] = page_feed,
	[ROUTE_SITEMAP] = page_sitemap,
	[ROUTE_NEWS_SITEMAP] = page_sitemap,
	[ROUTE_ROBOTS] = page_robots,
	[ROUTE_HEALTHZ] = page_healthz,
	[ROUTE_ASSET] = page_asset,
	[ROUTE_UPLOAD] = page_upload,
	[ROUTE_JOBS] = page_jobs,
	[ROUTE_JOB] = page_job,
	[ROUTE_JOBS_FEED] = page_jobs_feed,
	[ROUTE_REDIRECT] = page_redirect,
	[ROUTE_NOT_FOUND] = page_not_found,
	[ROUTE_BAD_REQUEST] = page_bad_request,
};

void page_serve(const struct page_req *req, struct page_res *res)
{
	int rc = dispatch[req->route->kind](req, res);
	if (rc == DP_OK && buf_error(&res->body))
		rc = buf_error(&res->body);
	switch (rc) {
	case DP_OK:
		return;
	case DP_ENOTFOUND:
		page_error(req, res, 404);
		return;
	case DP_EINVAL:
		page_error(req, res, 400);
		return;
	default:
		page_error(req, res, 500);
		return;
	}
}

void page_error(const struct page_req *req, struct page_res *res, unsigned status)
{
	char key[8];
	res->status = status;
	res->ndeps = 0;
	res->expires_at = 0;
	res->location[0] = '\0';
	res->cache_control = status == 404 ? "public, max-age=30" : "no-store";
	buf_reset(&res->body);
	json_t *ctx = ctx_new(req, "error", "/");
	json_t *err = json_object();
	if (ctx && err) {
		json_object_set_new(err, "status", json_integer(status));
		snprintf(key, sizeof key, "is%u", status);
		json_object_set_new(err, key, json_true());
		json_object_set_new(ctx, "error", err);
		err = NULL;
		json_object_set_new(json_object_get(ctx, "page"), "noindex", json_true());
		if (ctx_render(req, res, "error", ctx) == DP_OK) {
			json_decref(ctx);
			return;
		}
	}
	json_decref(err);
	json_decref(ctx);
	/* The theme failed us: a plain page still says what happened. */
	buf_reset(&res->body);
	res->content_type = "text/plain; charset=utf-8";
	buf_printf(&res->body, "Error %u\n", status);
}

int page_asset(const struct page_req *req, struct page_res *res)
{
	const struct theme_asset *a = theme_asset(req->theme, req->route->slug);
	if (!a)
		return DP_ENOTFOUND;
	res->content_type = a->type;
	/* The stylesheet is linked with its hash (?v=…), so it never changes under a URL. */
	res->cache_control = strcmp(a->name, "style.css") == 0 ? "public, max-age=31536000, immutable"
							       : "public, max-age=86400";
	return buf_add(&res->body, a->data, a->len);
}

int page_upload(const struct page_req *req, struct page_res *res)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".png", "image/png" },
		{ ".gif", "image/gif" }, { ".webp", "image/webp" },
	};
	const char *dot = strrchr(req->route->slug, '.');
	const char *type = NULL;
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			type = types[i].type;
	if (!type)
		return DP_ENOTFOUND;
	char path[4096];
	snprintf(path, sizeof path, "%s/uploads/%s", req->site->dir, req->route->slug);
	FILE *f = fopen(path, "rb");
	if (!f)
		return DP_ENOTFOUND;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !buf_add(&res->body, chunk, n))
		;
	fclose(f);
	res->content_type = type;
	/* Upload names are random and never reused. */
	res->cache_control = "public, max-age=31536000, immutable";
	return buf_error(&res->body);
}

int page_dynamic(struct http_req *req, struct http_res *res, page_fn fn,
		 const struct route *route, const struct page_args *args)
{
	struct page_req preq = { req->site, req->theme, req->store, req->now, route, args };
	struct page_res pres;
	page_res_init(&pres);
	int rc = fn(&preq, &pres);
	if (rc == DP_OK && buf_error(&pres.body))
		rc = buf_error(&pres.body);
	if (rc == DP_ENOTFOUND)
		page_error(&preq, &pres, 404);
	else if (rc == DP_EINVAL)
		page_error(&preq, &pres, 400);
	else if (rc != DP_OK)
		page_error(&preq, &pres, 500);
	res->status = pres.status;
	res->content_type = pres.content_type;
	buf_reset(&res->body);
	rc = buf_add(&res->body, pres.body.data, pres.body.len);
	page_res_release(&pres);
	return rc;
}
