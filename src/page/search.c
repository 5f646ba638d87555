/* search.c — the reader's search: GET /?s=words (as WordPress has it),
 * /search/?s=words (what the search box sends), /search/<words>/ and
 * /search/<words>/page/N/. Results with highlighted snippets, the reason a
 * query cannot run, and a page with suggestions when nothing was found.
 *
 * Every answer is dynamic (the page cache never keeps a search), marked
 * noindex, and its canonical link is the path form with the words
 * percent-encoded. Searches are limited per client address (429 with the
 * themed page). The words are checked here, the query syntax by
 * search/query.h, the matching by store_search(). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/ratelimit.h"
#include "http/request.h"
#include "page/page.h"
#include "render/html.h"
#include "search/query.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/utf8.h"

#define SEARCH_PAGE_MAX 100000u     /* result pages, as the lists' /page/N/ */
#define SEARCH_WORDS_KEEP 4096      /* bytes of words looked at; longer is "too long" unread */
#define SEARCH_RATE_DEFAULT 120     /* searches per client address per minute, bursts of a sixth */
#define SEARCH_TOPICS_MAX 12        /* topics offered when nothing was found */
#define SEARCH_TOPICS_FROM 20       /* ... taken from this many of the latest articles */
#define SEARCH_RETRY_AFTER "10"     /* seconds, on a 429 */

/* ---- the words ---- */

/* Copies s into out (SEARCH_WORDS_KEEP + 1 bytes) with runs of blanks
 * (space, tab, CR, LF) made one space and none at either end; returns the
 * length. s holds at most SEARCH_WORDS_KEEP bytes. */
static size_t words_tidy(const char *s, char *out)
{
	size_t n = 0;
	int gap = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			gap = n > 0;
			continue;
		}
		if (gap && n < SEARCH_WORDS_KEEP)
			out[n++] = ' ';
		gap = 0;
		if (n < SEARCH_WORDS_KEEP)
			out[n++] = *s;
	}
	out[n] = '\0';
	return n;
}

/* "/search/<words>/" (+ "page/N/"), the words percent-encoded. */
static void search_path(struct buf *b, const char *words, unsigned page)
{
	buf_puts(b, "/search/");
	if (words && *words) {
		url_path_seg(b, words);
		buf_putc(b, '/');
		if (page > 1)
			buf_printf(b, "page/%u/", page);
	}
}

/* A page number: 1..SEARCH_PAGE_MAX in decimal digits, no leading zero; 0
 * when it is not one. */
static unsigned page_parse(const char *s, size_t n)
{
	unsigned v = 0;
	if (n == 0 || n > 6 || s[0] == '0')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= SEARCH_PAGE_MAX ? v : 0;
}

/* ---- the context ---- */

static const char *problem_key(enum query_problem p)
{
	switch (p) {
	case QUERY_EMPTY: return "empty";
	case QUERY_ONLY_EXCLUDED: return "only_excluded";
	case QUERY_TOO_LONG: return "too_long";
	case QUERY_BAD_UTF8: return "bad_utf8";
	default: return NULL;
	}
}

/* The categories and tags of the latest articles, each once: where a reader
 * who found nothing may browse. */
static json_t *recent_topics(const struct page_req *req)
{
	struct article_query q = { .now = req->now, .limit = SEARCH_TOPICS_FROM };
	struct article_list l = { 0 };
	json_t *arr = json_array();
	if (!arr || store_articles(req->store, &q, &l, NULL) != DP_OK)
		return arr;
	char url[300];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < l.n && json_array_size(arr) < SEARCH_TOPICS_MAX; i++) {
			const struct article *a = &l.items[i];
			size_t nt = pass == 0 ? (a->category.id ? 1 : 0) : a->ntags;
			for (size_t k = 0; k < nt && json_array_size(arr) < SEARCH_TOPICS_MAX; k++) {
				const struct term *t = pass == 0 ? &a->category : &a->tags[k];
				snprintf(url, sizeof url, "%s%s/", term_prefix(pass == 0 ? TERM_CATEGORY
										: TERM_TAG),
					 t->slug);
				int seen = 0;
				for (size_t j = 0; j < json_array_size(arr) && !seen; j++)
					seen = strcmp(json_string_value(json_object_get(
							      json_array_get(arr, j), "url")),
						      url) == 0;
				if (!seen)
					json_array_append_new(arr, json_pack("{s:s, s:s}", "name", t->name,
									     "url", url));
			}
		}
	}
	article_list_release(&l);
	return arr;
}

/* The hits as list summaries with the highlighted title and snippet
 * (HTML the store escaped itself, <mark> around the matches). */
static json_t *hits_json(const struct page_req *req, const struct search_result *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < r->n; i++) {
		const struct search_hit *h = &r->hits[i];
		json_t *o = ctx_article_summary(req, &h->article);
		if (!o) {
			json_decref(arr);
			return NULL;
		}
		json_object_set_new(o, "title_html", json_string(h->title_html ? h->title_html : ""));
		if (h->snippet_html && *h->snippet_html)
			json_object_set_new(o, "snippet_html", json_string(h->snippet_html));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *pagination(const char *words, unsigned page, unsigned pages)
{
	struct buf u = BUF_INIT(SEARCH_WORDS_KEEP * 3 + 64);
	json_t *pg = json_pack("{s:i, s:i}", "current", page, "total", pages);
	if (pg && page > 1) {
		search_path(&u, words, page - 1);
		if (!buf_error(&u))
			json_object_set_new(pg, "prev_url", json_string(buf_cstr(&u)));
	}
	if (pg && page < pages) {
		buf_reset(&u);
		search_path(&u, words, page + 1);
		if (!buf_error(&u))
			json_object_set_new(pg, "next_url", json_string(buf_cstr(&u)));
	}
	buf_release(&u);
	return pg;
}

/* ctx with search = { query?, busy? } for the words (NULL: not to be shown). */
static json_t *search_ctx(const struct page_req *req, const char *canonical, const char *words)
{
	json_t *ctx = ctx_new(req, "search", canonical);
	if (!ctx)
		return NULL;
	json_t *page = json_object_get(ctx, "page");
	json_object_set_new(page, "noindex", json_true());
	json_t *search = json_object();
	json_object_set_new(ctx, "search", search);
	if (words && *words)
		json_object_set_new(search, "query", json_string(words));
	return ctx;
}

int page_search(const struct page_req *req, struct page_res *res)
{
	const char *raw = req->args ? req->args->s : NULL;
	unsigned page = req->route->page ? req->route->page : 1;
	size_t per = req->site->per_page > 0 ? (size_t)req->site->per_page : 10;
	char words[SEARCH_WORDS_KEEP + 1] = "";
	enum query_problem problem = QUERY_OK;
	struct query q = { 0 };
	struct search_result r = { 0 };
	struct buf canonical = BUF_INIT(SEARCH_WORDS_KEEP * 3 + 64);
	json_t *ctx = NULL;
	int rc = DP_OK, searched = 0;

	if (raw) {
		size_t n = strlen(raw);
		if (n > SEARCH_WORDS_KEEP)
			problem = QUERY_TOO_LONG;
		else if (!utf8_valid(raw, n) || utf8_has_control(raw, "\t\r\n"))
			problem = QUERY_BAD_UTF8;
		else if (words_tidy(raw, words) > SEARCH_QUERY_MAX)
			problem = QUERY_TOO_LONG;
	}
	if (raw && problem == QUERY_OK) {
		rc = query_parse(words, &q);
		if (rc)
			goto out;
		problem = q.problem;
	}
	if (raw && problem == QUERY_OK) {
		struct search_query sq = { .q = words, .now = req->now,
					   .offset = (size_t)(page - 1) * per, .limit = per };
		rc = store_search(req->store, &sq, &r);
		if (rc == DP_EINVAL) {
			problem = QUERY_EMPTY; /* nothing left to look for once analysed */
			rc = DP_OK;
		} else if (rc) {
			goto out;
		} else {
			searched = 1;
		}
	}
	unsigned pages = searched ? (unsigned)((r.total + per - 1) / per) : 0;
	if (page > 1 && page > pages) {
		rc = DP_ENOTFOUND; /* past the last page, or a page of nothing */
		goto out;
	}

	/* Words that cannot be read are not shown again; too many bytes unread neither. */
	int shown = raw && problem != QUERY_BAD_UTF8 && strlen(raw) <= SEARCH_WORDS_KEEP;
	search_path(&canonical, problem == QUERY_OK ? words : NULL, page);
	rc = DP_ENOMEM;
	if (buf_error(&canonical))
		goto out;
	ctx = search_ctx(req, buf_cstr(&canonical), shown ? words : NULL);
	if (!ctx)
		goto out;
	json_t *search = json_object_get(ctx, "search");
	if (problem != QUERY_OK && raw) {
		json_object_set_new(search, "problem", json_pack("{s:b}", problem_key(problem), 1));
		if (problem == QUERY_TOO_LONG || problem == QUERY_BAD_UTF8)
			res->status = 400;
	} else if (!raw) {
		json_object_set_new(search, "start", json_true());
	} else if (r.total == 0) {
		json_object_set_new(search, "none", json_true());
		json_t *topics = recent_topics(req);
		if (json_array_size(topics))
			json_object_set_new(search, "has_topics", json_true());
		json_object_set_new(search, "topics", topics);
		if (strchr(words, '"'))
			json_object_set_new(search, "had_phrase", json_true());
	} else {
		json_t *hits = hits_json(req, &r);
		if (!hits)
			goto out;
		json_object_set_new(search, "results", hits);
		json_object_set_new(search, "total", json_integer((json_int_t)r.total));
		json_object_set_new(search, r.total == 1 ? "one" : "many", json_true());
		if (r.capped)
			json_object_set_new(search, "capped", json_true());
		json_object_set_new(search, "first",
				    json_integer((json_int_t)((size_t)(page - 1) * per + 1)));
		if (pages > 1)
			json_object_set_new(ctx, "pagination", pagination(words, page, pages));
	}
	res->last_modified = req->now;
	rc = ctx_render(req, res, "search", ctx);
out:
	json_decref(ctx);
	buf_release(&canonical);
	search_result_release(&r);
	query_release(&q);
	return rc;
}

/* The answer to a client over its rate: the search page saying so. */
static int page_search_busy(const struct page_req *req, struct page_res *res)
{
	const char *raw = req->args ? req->args->s : NULL;
	char words[SEARCH_WORDS_KEEP + 1] = "";
	if (raw && strlen(raw) <= SEARCH_WORDS_KEEP && utf8_valid(raw, strlen(raw)) &&
	    !utf8_has_control(raw, "\t\r\n"))
		words_tidy(raw, words);
	json_t *ctx = search_ctx(req, "/search/", words);
	if (!ctx)
		return DP_ENOMEM;
	json_object_set_new(json_object_get(ctx, "search"), "busy", json_true());
	res->status = 429;
	int rc = ctx_render(req, res, "search", ctx);
	json_decref(ctx);
	return rc;
}

/* ---- the rate of searches per client address ---- */

static struct ratelimit *per_ip;
static pthread_mutex_t per_ip_lock = PTHREAD_MUTEX_INITIALIZER;

/* Searches per client address per minute: the setting
 * search_rate_per_minute (site.h), else SEARCH_RATE_DEFAULT. */
static double search_rate(const struct site *site)
{
	return site->search_rate > 0 ? (double)site->search_rate : SEARCH_RATE_DEFAULT;
}

static int rate_ok(const struct http_req *req)
{
	pthread_mutex_lock(&per_ip_lock);
	if (!per_ip) {
		double per_minute = search_rate(req->site);
		/* a sixth of a minute's searches at once, then the steady rate */
		ratelimit_new(per_minute / 60.0, per_minute / 6.0 < 1 ? 1 : per_minute / 6.0,
			      &per_ip);
	}
	pthread_mutex_unlock(&per_ip_lock);
	return !per_ip || ratelimit_take(per_ip, req->client_ip ? req->client_ip : "",
					 ratelimit_now_ms());
}

/* ---- the request ---- */

/* 301 to the canonical path of words and page. */
static int moved(struct http_res *res, const char *words, unsigned page)
{
	struct buf u = BUF_INIT(SEARCH_WORDS_KEEP * 3 + 64);
	search_path(&u, words, page);
	int rc = buf_error(&u);
	if (!rc)
		rc = http_res_redirect(res, buf_cstr(&u));
	res->status = 301;
	buf_release(&u);
	return rc;
}

static int not_found(const struct page_req *req, struct page_res *res)
{
	(void)req;
	(void)res;
	return DP_ENOTFOUND;
}

int search_get(struct http_req *req, struct http_res *res)
{
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_args args = { 0 };
	char *words = NULL;
	int rc;

	if (req->param_rest) {
		/* /search/<words>/ or /search/<words>/page/N/: the words as
		 * libmicrohttpd decoded them, slashes and all. */
		const char *rest = req->param_rest;
		size_t n = strlen(rest);
		if (n == 0)
			return page_dynamic(req, res, not_found, &route, NULL);
		if (n > SEARCH_WORDS_KEEP + 32)
			n = SEARCH_WORDS_KEEP + 32; /* "too long" is all the page will say */
		int slash = rest[n - 1] == '/';
		size_t end = n - (size_t)slash, wlen = end;
		const char *pg = NULL;
		for (size_t i = end; i-- > 0;)
			if (rest[i] == '/') {
				if (i >= 5 && memcmp(rest + i - 5, "/page", 5) == 0)
					pg = rest + i + 1;
				break;
			}
		if (pg) {
			route.page = page_parse(pg, (size_t)(rest + end - pg));
			wlen = (size_t)(pg - rest) - 6;
		}
		if (wlen == 0 || route.page == 0)
			return page_dynamic(req, res, not_found, &route, NULL);
		words = strndup(rest, wlen);
		if (!words)
			return DP_ENOMEM;
		if (!slash || (pg && route.page == 1)) {
			rc = moved(res, words, route.page);
			free(words);
			return rc;
		}
		args.s = words;
	} else {
		/* /?s=words&paged=N (WordPress) and /search/?s=words from the search box */
		args.s = http_query(req, "s");
		const char *paged = http_query(req, "paged");
		if (paged && *paged)
			route.page = page_parse(paged, strlen(paged));
		if (route.page == 0 || (!args.s && strcmp(req->path, "/search/") != 0)) {
			route.page = 1;
			return page_dynamic(req, res, not_found, &route, NULL);
		}
	}

	if (args.s && args.s[strspn(args.s, " \t\r\n")] && !rate_ok(req)) {
		rc = page_dynamic(req, res, page_search_busy, &route, &args);
		if (!rc)
			rc = http_res_header(res, "Retry-After", SEARCH_RETRY_AFTER);
	} else {
		rc = page_dynamic(req, res, page_search, &route, &args);
	}
	free(words);
	return rc;
}
