/* feed_test.c — every feed writer against a table of fixtures, checked by
 * real parsers: xmllint (libxml2) for XML, jansson for JSON.
 *
 * Each row of `docs` is one writer on one fixture (hostile text, an archive
 * feed on a hostile site, an empty list, an article without author,
 * category, tags or body). A row's document must parse, must not carry raw
 * "<script" or "]]>", and must round-trip the stored text through the
 * parser; dates must have their format. Needs xmllint on PATH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <locale.h>
#include <regex.h>

#include "feed/feed.h"
#include "util/err.h"

/* ---- fixtures: no allocation, so nothing to release ---- */

#define HOSTILE_TITLE "<script>alert(\"x\")</script> & ]]> \x01"
/* What a parser reads back: xml_txt drops the C0 control. */
#define HOSTILE_TITLE_XML "<script>alert(\"x\")</script> & ]]> "
#define HOSTILE_BODY "<p><span class=\"dateline\">KYIV</span> Body ]]> with\n<script>alert(1)</script> &amp; it's</p>\n"
#define HOSTILE_EXCERPT "a < b & \"c\" ]]> it's"

static struct term hostile_tags[] = {
	{ 1, (char *)"k-i", (char *)"K&I" },
	{ 2, (char *)"tag", (char *)"<tag> & \"more\"" },
	{ 3, (char *)"politik", (char *)"Politik & <Welt>" }, /* also the category */
};

static struct article full_items[] = {
	{
		.id = 1, .slug = (char *)"hostile", .title = (char *)HOSTILE_TITLE,
		.dateline = (char *)"KYIV", .body_html = (char *)HOSTILE_BODY,
		.excerpt = (char *)HOSTILE_EXCERPT,
		.author = { 7, (char *)"anna-b", (char *)"Anna <A&B>" },
		.category = { 9, (char *)"politik", (char *)"Politik & <Welt>" },
		.tags = hostile_tags, .ntags = 3, .status = ARTICLE_PUBLISHED,
		.published_at = 1782864000 + 3661, /* Wed, 01 Jul 2026 01:01:01 */
		.updated_at = 1782864000 + 7200, .created_at = 1782864000,
	},
	{
		/* No author, no category, no tags. */
		.id = 2, .slug = (char *)"plain", .title = (char *)"Überraschung – „Zitat“",
		.body_html = (char *)"<p>Plain</p>", .excerpt = (char *)"Plain",
		.status = ARTICLE_PUBLISHED, .published_at = 951782400, /* 2000-02-29 */
		.updated_at = 0, .created_at = 951782400,
	},
	{
		/* updated before published (scheduled, edited earlier). */
		.id = 3, .slug = (char *)"third", .title = (char *)"Third",
		.body_html = (char *)"", .excerpt = NULL,
		.author = { 8, NULL, (char *)"No Slug" },
		.status = ARTICLE_PUBLISHED, .published_at = 1700000000,
		.updated_at = 1600000000, .created_at = 1600000000,
	},
};

static struct article minimal_items[] = {
	{ .id = 4, .slug = (char *)"min", .title = (char *)"Minimal", .status = ARTICLE_PUBLISHED,
	  .published_at = 1700000000 },
};

static const struct article_list list_full = { full_items, 3 };
static const struct article_list list_minimal = { minimal_items, 1 };
static const struct article_list list_empty = { NULL, 0 };

static const struct site site_de = {
	.title = (char *)"Depesche Demo", .description = (char *)"Nachrichten & mehr",
	.base_url = (char *)"https://example.org", .lang = (char *)"de",
};
static const struct site site_hostile = {
	.title = (char *)HOSTILE_TITLE, .description = (char *)"<b>bold</b> ]]>",
	.base_url = (char *)"https://example.org/bl&og", .lang = (char *)"en",
};
static const struct site site_bare = { .base_url = (char *)"http://127.0.0.1:8080" };

static const struct feed_meta meta_main = { "Depesche Demo", "Nachrichten", "/feed/", "/", 0 };
static const struct feed_meta meta_tag = { "Site – Tag: K&I <x>", "Tag <K&I>", "/tag/k-i/feed/",
					   "/tag/k-i/", 1782900000 };
static const struct feed_meta meta_null = { 0 };

struct fixture {
	const char *name;
	const struct site *site;
	const struct feed_meta *meta;
	const struct article_list *list;
};

static const struct fixture fixtures[] = {
	{ "hostile", &site_de, &meta_main, &list_full },
	{ "tag-hostile-site", &site_hostile, &meta_tag, &list_full },
	{ "empty", &site_bare, &meta_null, &list_empty },
	{ "minimal", &site_de, &meta_main, &list_minimal },
};

enum writer { W_RSS, W_ATOM, W_JSON, W_SITEMAP, W_NEWS, W_COMMENTS, W_ROBOTS, W__MAX };
static const char *const writer_names[W__MAX] = { "rss", "atom", "json", "sitemap",
						  "news_sitemap", "rss_comments", "robots" };

/* The comments feed is about the fixture's first article, or a bare one. */
static const struct article *first_article(const struct fixture *f)
{
	static const struct article bare = { 0 };
	return f->list->n ? &f->list->items[0] : &bare;
}

static int run(enum writer w, struct buf *b, const struct fixture *f)
{
	switch (w) {
	case W_RSS: return feed_rss(b, f->site, f->meta, f->list);
	case W_ATOM: return feed_atom(b, f->site, f->meta, f->list);
	case W_JSON: return feed_json(b, f->site, f->meta, f->list);
	case W_SITEMAP: return feed_sitemap(b, f->site, f->list);
	case W_NEWS: return feed_news_sitemap(b, f->site, f->list);
	case W_COMMENTS: return feed_rss_comments(b, f->site, first_article(f));
	case W_ROBOTS: return feed_robots(b, f->site);
	case W__MAX: break;
	}
	return DP_EINVAL;
}

/* ---- helpers ---- */

#define RE_RFC822 "^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3][0-9] " \
	"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} " \
	"[0-2][0-9]:[0-5][0-9]:[0-6][0-9] \\+0000$"
#define RE_RFC3339 "^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$"

static bool matches(const char *re, const char *s)
{
	regex_t r;
	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	bool ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

/* Checks the text of every <open>…</close> element in doc against re;
 * returns how many there were. */
static size_t check_dates(const char *doc, const char *tag, const char *re)
{
	char open[64], close[64];
	size_t n = 0;
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	for (const char *p = strstr(doc, open); p; p = strstr(p, open)) {
		p += strlen(open);
		const char *e = strstr(p, close);
		assert_non_null(e);
		char val[64];
		assert_true((size_t)(e - p) < sizeof val);
		memcpy(val, p, (size_t)(e - p));
		val[e - p] = '\0';
		if (!matches(re, val))
			fail_msg("<%s> %s does not match %s", tag, val, re);
		n++;
	}
	return n;
}

/* xmllint's exit status on the document fed to its stdin. */
static int xmllint_noout(const char *doc)
{
	FILE *p = popen("xmllint --noout -", "w");
	assert_non_null(p);
	fputs(doc, p);
	return pclose(p);
}

struct xdoc {
	char path[64];
};

/* The open temp file, if any: a failed assertion jumps past xdoc_close(),
 * so the test's teardown removes it. */
static char tmp_path[64];

static void xdoc_open(struct xdoc *x, const char *doc)
{
	strcpy(x->path, "/tmp/feed_test.XXXXXX");
	int fd = mkstemp(x->path);
	assert_true(fd >= 0);
	size_t len = strlen(doc);
	assert_int_equal(write(fd, doc, len), (ssize_t)len);
	close(fd);
	strcpy(tmp_path, x->path);
}

static void xdoc_close(struct xdoc *x)
{
	unlink(x->path);
	tmp_path[0] = '\0';
}

static int remove_tmp(void **state)
{
	(void)state;
	if (tmp_path[0])
		unlink(tmp_path);
	tmp_path[0] = '\0';
	return 0;
}

/* The XPath expression's value as xmllint prints it (one trailing newline
 * removed), compared with want. Expressions use only double quotes. */
static void xpath_eq(const struct xdoc *x, const char *expr, const char *want)
{
	char cmd[1024];
	struct buf got = BUF_INIT(0);
	char chunk[4096];
	size_t n;

	assert_null(strchr(expr, '\''));
	snprintf(cmd, sizeof cmd, "xmllint --xpath '%s' %s", expr, x->path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&got, chunk, n);
	int rc = pclose(p);
	assert_int_equal(buf_error(&got), DP_OK);
	char *s = got.data ? got.data : (char *)"";
	size_t len = strlen(s);
	if (len && s[len - 1] == '\n')
		s[len - 1] = '\0';
	if (rc != 0 || strcmp(s, want) != 0)
		fail_msg("xpath %s: got \"%s\" (rc %d), want \"%s\"", expr, s, rc, want);
	buf_release(&got);
}

static void xpath_count(const struct xdoc *x, const char *expr, size_t want)
{
	char e[512], w[32];
	snprintf(e, sizeof e, "count(%s)", expr);
	snprintf(w, sizeof w, "%zu", want);
	xpath_eq(x, e, w);
}

/* An element by local name, whatever its namespace. */
#define L(x) "*[local-name()=\"" x "\"]"

/* The expected article URL. */
static const char *art_url(const struct site *s, const struct article *a, char *out, size_t n)
{
	snprintf(out, n, "%s/%s/", s->base_url, a->slug ? a->slug : "");
	return out;
}

/* ---- per-writer checks (doc already parsed well-formed) ---- */

static void check_rss(const struct fixture *f, const char *doc, const struct xdoc *x)
{
	char want[512];
	const struct feed_meta *m = f->meta;
	size_t n = f->list->n;

	xpath_count(x, "/rss/channel/item", n);
	xpath_eq(x, "string(/rss/@version)", "2.0");
	xpath_eq(x, "string(/rss/channel/title)",
		 m->title ? m->title : f->site->title ? f->site->title : "");
	snprintf(want, sizeof want, "%s%s", f->site->base_url, m->self_path ? m->self_path : "/feed/");
	xpath_eq(x, "string(/rss/channel/" L("link") "[@rel=\"self\"]/@href)", want);
	xpath_eq(x, "string(/rss/channel/language)", f->site->lang ? f->site->lang : "en");
	assert_int_equal(check_dates(doc, "pubDate", RE_RFC822), n);
	assert_int_equal(check_dates(doc, "lastBuildDate", RE_RFC822), 1);

	for (size_t i = 0; i < n; i++) {
		const struct article *a = &f->list->items[i];
		char e[256];
		snprintf(e, sizeof e, "string(/rss/channel/item[%zu]/guid[@isPermaLink=\"true\"])", i + 1);
		xpath_eq(x, e, art_url(f->site, a, want, sizeof want));
		snprintf(e, sizeof e, "count(/rss/channel/item[%zu]/category)", i + 1);
		snprintf(want, sizeof want, "%zu", a->ntags + (a->category.name ? 1 : 0));
		xpath_eq(x, e, want);
		snprintf(e, sizeof e, "count(/rss/channel/item[%zu]/" L("creator") ")", i + 1);
		xpath_eq(x, e, a->author.name ? "1" : "0");
	}
	if (f->list == &list_full) {
		xpath_eq(x, "string(/rss/channel/item[1]/title)", HOSTILE_TITLE_XML);
		xpath_eq(x, "string(/rss/channel/item[1]/" L("encoded") ")", HOSTILE_BODY);
		/* The description is HTML: the parser yields the excerpt HTML-escaped. */
		xpath_eq(x, "string(/rss/channel/item[1]/description)",
			 "a &lt; b &amp; &quot;c&quot; ]]&gt; it&#39;s");
		xpath_eq(x, "string(/rss/channel/item[1]/" L("creator") ")", "Anna <A&B>");
		xpath_eq(x, "string(/rss/channel/item[1]/category[1])", "Politik & <Welt>");
		xpath_eq(x, "string(/rss/channel/item[1]/category[2])", "K&I");
		xpath_eq(x, "string(/rss/channel/item[1]/pubDate)", "Wed, 01 Jul 2026 01:01:01 +0000");
	}
	if (f->list == &list_minimal)
		xpath_count(x, "/rss/channel/item/" L("encoded"), 0);
}

static void check_atom(const struct fixture *f, const char *doc, const struct xdoc *x)
{
	char want[512];
	size_t n = f->list->n;

	xpath_count(x, "/" L("feed") "/" L("entry"), n);
	xpath_eq(x, "namespace-uri(/*)", "http://www.w3.org/2005/Atom");
	/* RFC 4287 §4.1.1: exactly one id, title, updated; a self link. */
	xpath_count(x, "/" L("feed") "/" L("id"), 1);
	xpath_count(x, "/" L("feed") "/" L("title"), 1);
	xpath_count(x, "/" L("feed") "/" L("updated"), 1);
	xpath_count(x, "/" L("feed") "/" L("author") "/" L("name"), 1);
	snprintf(want, sizeof want, "%s%s", f->site->base_url,
		 f->meta->self_path ? f->meta->self_path : "/feed/");
	xpath_eq(x, "string(/" L("feed") "/" L("link") "[@rel=\"self\"]/@href)", want);
	assert_int_equal(check_dates(doc, "updated", RE_RFC3339), n + 1);
	assert_int_equal(check_dates(doc, "published", RE_RFC3339), n);
	if (f->meta->updated)
		xpath_eq(x, "string(/" L("feed") "/" L("updated") ")", "2026-07-01T10:00:00Z");

	for (size_t i = 0; i < n; i++) {
		const struct article *a = &f->list->items[i];
		char e[256];
		snprintf(e, sizeof e, "string(/" L("feed") "/" L("entry") "[%zu]/" L("id") ")", i + 1);
		xpath_eq(x, e, art_url(f->site, a, want, sizeof want));
		/* Each entry: one id, title, updated (§4.1.2). */
		snprintf(e, sizeof e, "count(/" L("feed") "/" L("entry") "[%zu]/" L("updated") ")", i + 1);
		xpath_eq(x, e, "1");
	}
	if (f->list == &list_full) {
		const char *e1 = "/" L("feed") "/" L("entry") "[1]/";
		char e[512];
		snprintf(e, sizeof e, "string(%s" L("title") ")", e1);
		xpath_eq(x, e, HOSTILE_TITLE_XML);
		snprintf(e, sizeof e, "string(%s" L("content") "[@type=\"html\"])", e1);
		xpath_eq(x, e, HOSTILE_BODY);
		snprintf(e, sizeof e, "string(%s" L("summary") ")", e1);
		xpath_eq(x, e, HOSTILE_EXCERPT);
		snprintf(e, sizeof e, "string(%s" L("category") "[2]/@label)", e1);
		xpath_eq(x, e, "K&I");
		snprintf(e, sizeof e, "string(%s" L("author") "/" L("name") ")", e1);
		xpath_eq(x, e, "Anna <A&B>");
		snprintf(e, sizeof e, "string(%s" L("published") ")", e1);
		xpath_eq(x, e, "2026-07-01T01:01:01Z");
		/* updated is never before published. */
		xpath_eq(x, "string(/" L("feed") "/" L("entry") "[3]/" L("updated") ")",
			 "2023-11-14T22:13:20Z");
		xpath_count(x, "/" L("feed") "/" L("entry") "[2]/" L("author"), 0);
	}
}

static void check_sitemap(const struct fixture *f, const char *doc, const struct xdoc *x)
{
	char want[512];
	size_t n = f->list->n;

	xpath_eq(x, "namespace-uri(/*)", "http://www.sitemaps.org/schemas/sitemap/0.9");
	xpath_count(x, "/" L("urlset") "/" L("url"), n + 1);
	snprintf(want, sizeof want, "%s/", f->site->base_url);
	xpath_eq(x, "string(/" L("urlset") "/" L("url") "[1]/" L("loc") ")", want);
	assert_int_equal(check_dates(doc, "lastmod", RE_RFC3339), n + 1);
	for (size_t i = 0; i < n; i++) {
		char e[256];
		snprintf(e, sizeof e, "string(/" L("urlset") "/" L("url") "[%zu]/" L("loc") ")", i + 2);
		xpath_eq(x, e, art_url(f->site, &f->list->items[i], want, sizeof want));
	}
}

static void check_news(const struct fixture *f, const char *doc, const struct xdoc *x)
{
	size_t n = f->list->n;

	assert_non_null(strstr(doc, "xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\""));
	xpath_count(x, "//" L("news"), n);
	xpath_count(x, "//*[namespace-uri()=\"http://www.google.com/schemas/sitemap-news/0.9\" and "
		       "local-name()=\"publication\"]", n);
	assert_int_equal(check_dates(doc, "news:publication_date", RE_RFC3339), n);
	if (n) {
		xpath_eq(x, "string(//" L("publication") "/" L("name") ")",
			 f->site == &site_hostile ? HOSTILE_TITLE_XML : f->site->title);
		xpath_eq(x, "string(//" L("publication") "/" L("language") ")", f->site->lang);
	}
	if (f->list == &list_full)
		xpath_eq(x, "string(//" L("url") "[1]/" L("news") "/" L("title") ")", HOSTILE_TITLE_XML);
}

static void check_comments(const struct fixture *f, const char *doc, const struct xdoc *x)
{
	const struct article *a = first_article(f);
	char want[512];

	xpath_count(x, "/rss/channel", 1);
	xpath_count(x, "/rss/channel/item", 0);
	snprintf(want, sizeof want, "%s/%s%sfeed/", f->site->base_url, a->slug ? a->slug : "",
		 a->slug ? "/" : "");
	xpath_eq(x, "string(/rss/channel/" L("link") "[@rel=\"self\"]/@href)", want);
	assert_int_equal(check_dates(doc, "lastBuildDate", RE_RFC822), 1);
	if (f->list == &list_full) {
		snprintf(want, sizeof want, "%s%s",
			 strcmp(f->site->lang, "de") == 0 ? "Kommentare zu: " : "Comments on: ",
			 HOSTILE_TITLE_XML);
		xpath_eq(x, "string(/rss/channel/title)", want);
	}
}

static void check_json(const struct fixture *f, const char *doc)
{
	json_error_t jerr;
	json_t *root = json_loads(doc, 0, &jerr);
	char want[512];

	if (!root)
		fail_msg("JSON does not parse: %s (line %d)", jerr.text, jerr.line);
	/* < > & are \u-escaped, so the raw text has none. */
	assert_null(strpbrk(doc, "<>&"));
	assert_string_equal(json_string_value(json_object_get(root, "version")),
			    "https://jsonfeed.org/version/1.1");
	assert_true(json_is_string(json_object_get(root, "title")));
	snprintf(want, sizeof want, "%s%s", f->site->base_url,
		 f->meta->self_path ? f->meta->self_path : "/feed/");
	assert_string_equal(json_string_value(json_object_get(root, "feed_url")), want);
	snprintf(want, sizeof want, "%s%s", f->site->base_url,
		 f->meta->html_path ? f->meta->html_path : "/");
	assert_string_equal(json_string_value(json_object_get(root, "home_page_url")), want);
	assert_string_equal(json_string_value(json_object_get(root, "language")),
			    f->site->lang ? f->site->lang : "en");

	json_t *items = json_object_get(root, "items");
	assert_true(json_is_array(items));
	assert_int_equal(json_array_size(items), f->list->n);
	for (size_t i = 0; i < f->list->n; i++) {
		const struct article *a = &f->list->items[i];
		json_t *it = json_array_get(items, i);
		art_url(f->site, a, want, sizeof want);
		assert_string_equal(json_string_value(json_object_get(it, "id")), want);
		assert_string_equal(json_string_value(json_object_get(it, "url")), want);
		assert_string_equal(json_string_value(json_object_get(it, "title")), a->title);
		assert_true(json_is_string(json_object_get(it, "content_html")) ||
			    json_is_string(json_object_get(it, "content_text")));
		const char *dp = json_string_value(json_object_get(it, "date_published"));
		const char *dm = json_string_value(json_object_get(it, "date_modified"));
		assert_non_null(dp);
		assert_non_null(dm);
		assert_true(matches(RE_RFC3339, dp));
		assert_true(matches(RE_RFC3339, dm));
		assert_true(strcmp(dm, dp) >= 0);
		assert_int_equal(json_object_get(it, "authors") != NULL, a->author.name != NULL);
	}
	if (f->list == &list_full) {
		json_t *it = json_array_get(items, 0);
		assert_string_equal(json_string_value(json_object_get(it, "content_html")), HOSTILE_BODY);
		assert_string_equal(json_string_value(json_object_get(it, "summary")), HOSTILE_EXCERPT);
		assert_string_equal(json_string_value(json_object_get(it, "date_published")),
				    "2026-07-01T01:01:01Z");
		json_t *au = json_array_get(json_object_get(it, "authors"), 0);
		assert_string_equal(json_string_value(json_object_get(au, "name")), "Anna <A&B>");
		snprintf(want, sizeof want, "%s/author/anna-b/", f->site->base_url);
		assert_string_equal(json_string_value(json_object_get(au, "url")), want);
		/* Three tags; the category is one of them, so not repeated. */
		json_t *tags = json_object_get(it, "tags");
		assert_int_equal(json_array_size(tags), 3);
		assert_string_equal(json_string_value(json_array_get(tags, 0)), "K&I");
		/* An author without a slug has no url. */
		au = json_array_get(json_object_get(json_array_get(items, 2), "authors"), 0);
		assert_null(json_object_get(au, "url"));
	}
	if (f->list == &list_minimal) {
		json_t *it = json_array_get(items, 0);
		assert_null(json_object_get(it, "content_html"));
		assert_string_equal(json_string_value(json_object_get(it, "content_text")), "");
		assert_null(json_object_get(it, "tags"));
	}
	json_decref(root);
}

static void check_robots(const struct fixture *f, const char *doc)
{
	char want[512];
	snprintf(want, sizeof want,
		 "User-agent: *\nAllow: /\n\nSitemap: %s/sitemap.xml\nSitemap: %s/news-sitemap.xml\n",
		 f->site->base_url, f->site->base_url);
	assert_string_equal(doc, want);
}

/* ---- the table-driven document test ---- */

struct row {
	char name[64];
	enum writer w;
	const struct fixture *f;
};

static void test_doc(void **state)
{
	const struct row *r = *state;
	struct buf b = BUF_INIT(0);

	assert_int_equal(run(r->w, &b, r->f), DP_OK);
	const char *doc = buf_cstr(&b);
	assert_true(b.len > 0);
	assert_int_equal(strlen(doc), b.len);
	if (strcasestr(doc, "<script"))
		fail_msg("raw <script in %s", r->name);
	assert_null(strstr(doc, "]]>"));
	assert_null(strchr(doc, '\x01'));

	if (r->w == W_JSON) {
		check_json(r->f, doc);
	} else if (r->w == W_ROBOTS) {
		check_robots(r->f, doc);
	} else {
		if (xmllint_noout(doc) != 0)
			fail_msg("xmllint rejects %s:\n%s", r->name, doc);
		assert_true(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
		struct xdoc x;
		xdoc_open(&x, doc);
		switch (r->w) {
		case W_RSS: check_rss(r->f, doc, &x); break;
		case W_ATOM: check_atom(r->f, doc, &x); break;
		case W_SITEMAP: check_sitemap(r->f, doc, &x); break;
		case W_NEWS: check_news(r->f, doc, &x); break;
		case W_COMMENTS: check_comments(r->f, doc, &x); break;
		default: break;
		}
		xdoc_close(&x);
	}
	buf_release(&b);
}

/* ---- unit tests of the pieces ---- */

static const struct {
	int64_t t;
	const char *rfc822, *rfc3339;
} dates[] = {
	{ 0, "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z" },
	{ 1700000000, "Tue, 14 Nov 2023 22:13:20 +0000", "2023-11-14T22:13:20Z" },
	{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000", "2000-02-29T00:00:00Z" },
	{ 1782864000 + 3661, "Wed, 01 Jul 2026 01:01:01 +0000", "2026-07-01T01:01:01Z" },
	{ -5, "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z" },
	{ INT64_MIN, "Thu, 01 Jan 1970 00:00:00 +0000", "1970-01-01T00:00:00Z" },
	{ INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z" },
	{ INT64_MAX, "Fri, 31 Dec 9999 23:59:59 +0000", "9999-12-31T23:59:59Z" },
};

static void test_dates(void **state)
{
	(void)state;
	char d[FEED_DATE_MAX];
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		assert_string_equal(feed_date_rfc822(d, dates[i].t), dates[i].rfc822);
		assert_true(matches(RE_RFC822, d));
		assert_string_equal(feed_date_rfc3339(d, dates[i].t), dates[i].rfc3339);
		assert_true(matches(RE_RFC3339, d));
	}
}

/* RFC 822 names stay English under a non-English LC_TIME. Where no such
 * locale is installed this runs in "C" and proves less; it does not skip(),
 * as cmocka prints a skip as "not ok # SKIP", which meson counts as failed. */
static void test_dates_locale(void **state)
{
	(void)state;
	static const char *const locs[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE" };
	const char *set = NULL;
	for (size_t i = 0; i < sizeof locs / sizeof locs[0] && !set; i++)
		set = setlocale(LC_TIME, locs[i]);
	char d[FEED_DATE_MAX];
	feed_date_rfc822(d, 1700000000);
	setlocale(LC_TIME, "C");
	assert_string_equal(d, "Tue, 14 Nov 2023 22:13:20 +0000");
}

static void test_newest(void **state)
{
	(void)state;
	struct feed_meta m = { 0 };
	assert_int_equal(feed_newest(&m, &list_full), 1782864000 + 7200);
	assert_int_equal(feed_newest(&meta_tag, &list_full), 1782900000);
	int64_t now = (int64_t)time(NULL);
	int64_t got = feed_newest(&m, &list_empty);
	assert_true(got >= now && got <= now + 5);
	assert_int_equal(feed_item_updated(&full_items[2]), 1700000000);
	assert_int_equal(feed_item_updated(&full_items[0]), 1782864000 + 7200);
}

/* A slug is a path segment: anything else gets percent-encoded. */
static void test_article_url(void **state)
{
	(void)state;
	static const struct {
		const char *slug, *want;
	} t[] = {
		{ "hello-world", "https://example.org/hello-world/" },
		{ "a/b?c&d", "https://example.org/a%2Fb%3Fc%26d/" },
		{ "über", "https://example.org/%C3%BCber/" },
		{ "", "https://example.org/" },
		{ NULL, "https://example.org/" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct buf b = BUF_INIT(0);
		feed_put_article_url(&b, &site_de, t[i].slug);
		assert_string_equal(buf_cstr(&b), t[i].want);
		buf_release(&b);
	}
}

/* Invalid UTF-8 must not cost the whole JSON feed: bytes become U+FFFD. */
static void test_json_bad_utf8(void **state)
{
	(void)state;
	static struct article a[] = {
		{ .slug = (char *)"bad", .title = (char *)"bad \xff\xc3 byte \xed\xa0\x80!",
		  .body_html = (char *)"<p>\xc0\xaf</p>", .excerpt = (char *)"ok \xf4\x90\x80\x80",
		  .published_at = 1700000000 },
	};
	struct article_list l = { a, 1 };
	struct buf b = BUF_INIT(0);
	assert_int_equal(feed_json(&b, &site_de, &meta_main, &l), DP_OK);
	json_t *root = json_loads(buf_cstr(&b), 0, NULL);
	assert_non_null(root);
	json_t *it = json_array_get(json_object_get(root, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "title")),
			    "bad \xef\xbf\xbd\xef\xbf\xbd byte \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	assert_string_equal(json_string_value(json_object_get(it, "content_html")),
			    "<p>\xef\xbf\xbd\xef\xbf\xbd</p>");
	json_decref(root);
	buf_release(&b);
}

/* At most FEED_NEWS_MAX entries in the news sitemap. */
static void test_news_cap(void **state)
{
	(void)state;
	size_t n = FEED_NEWS_MAX + 5;
	struct article *a = calloc(n, sizeof *a);
	assert_non_null(a);
	for (size_t i = 0; i < n; i++) {
		a[i].slug = (char *)"s";
		a[i].title = (char *)"T";
		a[i].published_at = 1700000000;
	}
	struct article_list l = { a, n };
	struct buf b = BUF_INIT(0);
	assert_int_equal(feed_news_sitemap(&b, &site_de, &l), DP_OK);
	size_t count = 0;
	for (const char *p = buf_cstr(&b); (p = strstr(p, "<news:news>")); p++)
		count++;
	assert_int_equal(count, FEED_NEWS_MAX);
	assert_int_equal(xmllint_noout(buf_cstr(&b)), 0);
	buf_release(&b);
	free(a);
}

/* The job feed and the sitemap with jobs (issue 5): hostile text in every
 * field of a job survives as text, the document parses, every item has
 * its link, guid, date and categories. */
static void test_jobs(void **state)
{
	(void)state;
	static const struct job jobs[] = {
		{ .id = 1, .slug = (char *)"volontariat", .title = (char *)HOSTILE_TITLE,
		  .employer = (char *)"M\xC3\xBCller & <S\xC3\xB6hne>", .location = (char *)"K&ln ]]>",
		  .remote = true, .type = JOB_INTERNSHIP, .description_html = (char *)HOSTILE_BODY,
		  .apply_url = (char *)"https://example.org/?a=1&b=2", .posted_at = 1782864000,
		  .valid_through = 1790000000, .updated_at = 1782900000 },
		{ .id = 2, .slug = (char *)"remote", .title = (char *)"Entwickler", .employer = (char *)"E",
		  .location = (char *)"", .remote = true, .type = JOB_CONTRACT,
		  .apply_url = (char *)"mailto:a@example.org", .posted_at = 1700000000,
		  .valid_through = 1790000000, .updated_at = 1700000000 },
	};
	const struct feed_job items[] = {
		{ &jobs[0], HOSTILE_EXCERPT, "Praktikum <&>" },
		{ &jobs[1], "E \xC2\xB7 Remote", "Freie Mitarbeit" },
	};
	struct feed_meta m = { "Site \xE2\x80\x93 Stellen & <Jobs>", "Offene <Stellen>",
			       "/jobs/feed/", "/jobs/", 0 };
	struct buf b = BUF_INIT(0);
	struct xdoc x;
	char want[256];

	assert_int_equal(feed_rss_jobs(&b, &site_hostile, &m, items, 2), DP_OK);
	const char *doc = buf_cstr(&b);
	if (strcasestr(doc, "<script"))
		fail_msg("raw <script in the job feed");
	assert_null(strstr(doc, "]]>"));
	assert_null(strchr(doc, '\x01'));
	if (xmllint_noout(doc) != 0)
		fail_msg("xmllint rejects the job feed:\n%s", doc);
	xdoc_open(&x, doc);
	xpath_count(&x, "/rss/channel/item", 2);
	xpath_eq(&x, "string(/rss/channel/title)", m.title);
	snprintf(want, sizeof want, "%s/jobs/", site_hostile.base_url);
	xpath_eq(&x, "string(/rss/channel/link)", want);
	snprintf(want, sizeof want, "%s/jobs/feed/", site_hostile.base_url);
	xpath_eq(&x, "string(/rss/channel/" L("link") "[@rel=\"self\"]/@href)", want);
	xpath_eq(&x, "string(/rss/channel/item[1]/title)", HOSTILE_TITLE_XML);
	snprintf(want, sizeof want, "%s/jobs/volontariat/", site_hostile.base_url);
	xpath_eq(&x, "string(/rss/channel/item[1]/link)", want);
	xpath_eq(&x, "string(/rss/channel/item[1]/guid[@isPermaLink=\"true\"])", want);
	xpath_eq(&x, "string(/rss/channel/item[1]/category[1])", "Praktikum <&>");
	xpath_eq(&x, "string(/rss/channel/item[1]/category[2])", "K&ln ]]>");
	xpath_eq(&x, "string(/rss/channel/item[1]/description)",
		 "a &lt; b &amp; &quot;c&quot; ]]&gt; it&#39;s");
	xpath_eq(&x, "string(/rss/channel/item[1]/" L("encoded") ")", HOSTILE_BODY);
	xpath_eq(&x, "string(/rss/channel/item[1]/pubDate)", "Wed, 01 Jul 2026 00:00:00 +0000");
	/* No place, no description: one category, no content. */
	xpath_count(&x, "/rss/channel/item[2]/category", 1);
	xpath_count(&x, "/rss/channel/item[2]/" L("encoded"), 0);
	/* lastBuildDate: the newest change of a job. */
	xpath_eq(&x, "string(/rss/channel/lastBuildDate)", "Wed, 01 Jul 2026 10:00:00 +0000");
	assert_int_equal(check_dates(doc, "pubDate", RE_RFC822), 2);
	xdoc_close(&x);
	buf_release(&b);

	/* No jobs: still a valid channel. */
	b = (struct buf)BUF_INIT(0);
	assert_int_equal(feed_rss_jobs(&b, &site_de, &m, NULL, 0), DP_OK);
	assert_int_equal(xmllint_noout(buf_cstr(&b)), 0);
	assert_null(strstr(buf_cstr(&b), "<item>"));
	buf_release(&b);

	/* The sitemap: the articles, then /jobs/ and each job. */
	b = (struct buf)BUF_INIT(0);
	assert_int_equal(feed_sitemap_jobs(&b, &site_hostile, &list_full, jobs, 2), DP_OK);
	doc = buf_cstr(&b);
	if (xmllint_noout(doc) != 0)
		fail_msg("xmllint rejects the sitemap with jobs:\n%s", doc);
	xdoc_open(&x, doc);
	xpath_count(&x, "/" L("urlset") "/" L("url"), 1 + list_full.n + 1 + 2);
	snprintf(want, sizeof want, "%s/jobs/", site_hostile.base_url);
	xpath_eq(&x, "string(/" L("urlset") "/" L("url") "[5]/" L("loc") ")", want);
	xpath_eq(&x, "string(/" L("urlset") "/" L("url") "[5]/" L("lastmod") ")",
		 "2026-07-01T10:00:00Z");
	snprintf(want, sizeof want, "%s/jobs/remote/", site_hostile.base_url);
	xpath_eq(&x, "string(/" L("urlset") "/" L("url") "[7]/" L("loc") ")", want);
	xdoc_close(&x);
	buf_release(&b);

	/* Without jobs it is feed_sitemap() to the byte. */
	struct buf a = BUF_INIT(0);
	b = (struct buf)BUF_INIT(0);
	assert_int_equal(feed_sitemap(&a, &site_de, &list_full), DP_OK);
	assert_int_equal(feed_sitemap_jobs(&b, &site_de, &list_full, NULL, 0), DP_OK);
	assert_string_equal(buf_cstr(&a), buf_cstr(&b));
	buf_release(&a);
	buf_release(&b);
}

/* A buffer too small for the document: every writer reports DP_ETOOBIG. */
static void test_too_big(void **state)
{
	(void)state;
	for (int w = 0; w < W__MAX; w++) {
		struct buf b = BUF_INIT(40);
		assert_int_equal(run((enum writer)w, &b, &fixtures[0]), DP_ETOOBIG);
		buf_release(&b);
	}
}

/* robots.txt cannot be split by a base_url with a line break in it. */
static void test_robots_newline(void **state)
{
	(void)state;
	struct site s = { .base_url = (char *)"https://x.org\r\nDisallow: /" };
	struct buf b = BUF_INIT(0);
	assert_int_equal(feed_robots(&b, &s), DP_OK);
	assert_null(strstr(buf_cstr(&b), "\nDisallow"));
	buf_release(&b);
}

int main(void)
{
	enum { NFIX = sizeof fixtures / sizeof fixtures[0], NROWS = W__MAX * NFIX };
	static struct row rows[NROWS];
	static const struct CMUnitTest units[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_dates_locale),
		cmocka_unit_test(test_newest),
		cmocka_unit_test(test_article_url),
		cmocka_unit_test(test_json_bad_utf8),
		cmocka_unit_test(test_news_cap),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_robots_newline),
		cmocka_unit_test_teardown(test_jobs, remove_tmp),
	};
	enum { NUNITS = sizeof units / sizeof units[0] };
	static struct CMUnitTest tests[NROWS + NUNITS];
	size_t n = 0;

	for (int w = 0; w < W__MAX; w++) {
		for (size_t i = 0; i < NFIX; i++) {
			struct row *r = &rows[w * NFIX + i];
			snprintf(r->name, sizeof r->name, "%s/%s", writer_names[w], fixtures[i].name);
			r->w = (enum writer)w;
			r->f = &fixtures[i];
			tests[n++] = (struct CMUnitTest){ .name = r->name, .test_func = test_doc,
							  .teardown_func = remove_tmp,
							  .initial_state = r };
		}
	}
	for (size_t i = 0; i < NUNITS; i++)
		tests[n++] = units[i];
	return _cmocka_run_group_tests("feed", tests, n, NULL, NULL);
}
