/* route.c — URL path to route. WordPress-shaped: /<slug>/, /tag/<t>/,
 * /page/N/, /feed/ … so a site moving from WordPress keeps its links. */
#include <stdio.h>
#include <string.h>

#include "page/page.h"

#define MAX_SEGS 6
#define MAX_PAGE 100000u

static const char *const term_words[TERM__MAX] = {
	[TERM_TAG] = "tag", [TERM_CATEGORY] = "category", [TERM_AUTHOR] = "author"
};

/* Slugs are what slug_from_text makes: [a-z0-9-], not empty. */
static int is_slug(const char *s, size_t n)
{
	if (n == 0 || n > ROUTE_SLUG_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return 1;
}

static int is_asset_name(const char *s, size_t n)
{
	if (n == 0 || n > 100 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* A page number: digits only, 2..MAX_PAGE (page 1 is the list's own URL). */
static unsigned page_number(const char *s, size_t n)
{
	unsigned v = 0;
	if (n == 0 || n > 6)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v <= MAX_PAGE ? v : 0;
}

struct seg {
	const char *p;
	size_t n;
};

static int seg_is(const struct seg *s, const char *word)
{
	return s->n == strlen(word) && memcmp(s->p, word, s->n) == 0;
}

static void set_slug(struct route *r, const struct seg *s)
{
	memcpy(r->slug, s->p, s->n);
	r->slug[s->n] = '\0';
}

void route_parse(const char *path, struct route *r)
{
	memset(r, 0, sizeof *r);
	r->page = 1;
	r->kind = ROUTE_NOT_FOUND;
	size_t len = strlen(path);
	if (path[0] != '/' || len > 1024 || strstr(path, "..") || strstr(path, "//")) {
		r->kind = ROUTE_BAD_REQUEST;
		return;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			r->kind = ROUTE_BAD_REQUEST;
			return;
		}

	struct seg segs[MAX_SEGS];
	size_t n = 0;
	const char *p = path + 1;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t sl = slash ? (size_t)(slash - p) : strlen(p);
		if (n == MAX_SEGS)
			return; /* not found */
		segs[n++] = (struct seg){ p, sl };
		p += sl;
		if (*p == '/')
			p++;
	}
	int trailing = len > 1 && path[len - 1] == '/';

	/* Files: no trailing slash. */
	if (n == 1 && !trailing) {
		static const struct { const char *name; enum route_kind kind; } files[] = {
			{ "sitemap.xml", ROUTE_SITEMAP },
			{ "news-sitemap.xml", ROUTE_NEWS_SITEMAP },
			{ "robots.txt", ROUTE_ROBOTS },
			{ "healthz", ROUTE_HEALTHZ },
		};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			if (seg_is(&segs[0], files[i].name)) {
				r->kind = files[i].kind;
				return;
			}
	}
	if (n == 4 && !trailing && seg_is(&segs[0], "uploads") && segs[1].n == 4 &&
	    segs[2].n == 2 && strspn(segs[1].p, "0123456789") >= 4 &&
	    strspn(segs[2].p, "0123456789") >= 2 && is_asset_name(segs[3].p, segs[3].n)) {
		r->kind = ROUTE_UPLOAD;
		snprintf(r->slug, sizeof r->slug, "%.4s/%.2s/%.*s", segs[1].p, segs[2].p,
			 (int)segs[3].n, segs[3].p);
		return;
	}
	if (n == 2 && !trailing && seg_is(&segs[0], "assets")) {
		if (is_asset_name(segs[1].p, segs[1].n)) {
			r->kind = ROUTE_ASSET;
			set_slug(r, &segs[1]);
		}
		return;
	}

	/* Pages: the canonical form ends with a slash. */
	enum route_kind kind = ROUTE_NOT_FOUND;
	if (n == 0) {
		kind = ROUTE_HOME;
	} else if (seg_is(&segs[0], "page")) {
		if (n == 2 && (r->page = page_number(segs[1].p, segs[1].n)) >= 1)
			kind = ROUTE_HOME;
	} else if (seg_is(&segs[0], "jobs")) {
		if (n == 1)
			kind = ROUTE_JOBS;
		else if (n == 2 && seg_is(&segs[1], "feed"))
			kind = ROUTE_JOBS_FEED;
		else if (n == 3 && seg_is(&segs[1], "page") &&
			 (r->page = page_number(segs[2].p, segs[2].n)) >= 1)
			kind = ROUTE_JOBS;
		else if (n == 2 && is_slug(segs[1].p, segs[1].n)) {
			set_slug(r, &segs[1]);
			kind = ROUTE_JOB;
		}
	} else if (seg_is(&segs[0], "feed")) {
		if (n == 1)
			kind = ROUTE_FEED_RSS;
		else if (n == 2 && seg_is(&segs[1], "atom"))
			kind = ROUTE_FEED_ATOM;
		else if (n == 2 && seg_is(&segs[1], "json"))
			kind = ROUTE_FEED_JSON;
		else if (n == 2 && seg_is(&segs[1], "rss2"))
			kind = ROUTE_FEED_RSS;
	} else {
		int t;
		for (t = 0; t < TERM__MAX; t++)
			if (seg_is(&segs[0], term_words[t]))
				break;
		if (t < TERM__MAX) {
			if (n >= 2 && is_slug(segs[1].p, segs[1].n)) {
				r->term = (enum term_kind)t;
				set_slug(r, &segs[1]);
				if (n == 2)
					kind = ROUTE_ARCHIVE;
				else if (n == 3 && seg_is(&segs[2], "feed"))
					kind = ROUTE_ARCHIVE_FEED;
				else if (n == 4 && seg_is(&segs[2], "page") &&
					 (r->page = page_number(segs[3].p, segs[3].n)) >= 1)
					kind = ROUTE_ARCHIVE;
			}
		} else if (is_slug(segs[0].p, segs[0].n)) {
			set_slug(r, &segs[0]);
			if (n == 1)
				kind = ROUTE_ARTICLE;
			else if (n == 2 && seg_is(&segs[1], "feed"))
				kind = ROUTE_ARTICLE_FEED;
			else if (n == 3 && seg_is(&segs[1], "feed") &&
				 (seg_is(&segs[2], "atom") || seg_is(&segs[2], "json"))) {
				kind = ROUTE_ARTICLE_FEED;
				r->format = seg_is(&segs[2], "atom") ? 1 : 2;
			}
		}
	}
	if (kind == ROUTE_NOT_FOUND) {
		r->page = 1;
		return;
	}
	if (r->page == 0) {
		r->kind = ROUTE_NOT_FOUND;
		return;
	}
	if (!trailing && n > 0) {
		if (len + 2 > sizeof r->slug) {
			r->kind = ROUTE_NOT_FOUND;
			return;
		}
		r->kind = ROUTE_REDIRECT;
		memcpy(r->slug, path, len);
		memcpy(r->slug + len, "/", 2);
		return;
	}
	if (r->page == 1 && (kind == ROUTE_HOME || kind == ROUTE_ARCHIVE || kind == ROUTE_JOBS) &&
	    n >= 2 &&
	    segs[n - 1].n && segs[n - 1].p[0] >= '0' && segs[n - 1].p[0] <= '9') {
		/* /page/1/ is the list itself. */
		r->kind = ROUTE_REDIRECT;
		size_t keep = (size_t)(segs[n - 2].p - path);
		snprintf(r->slug, sizeof r->slug, "%.*s", (int)keep, path);
		return;
	}
	r->kind = kind;
}
