/* feed.h — syndication feeds, sitemaps and robots.txt.
 *
 *   RSS 2.0 (https://www.rssboard.org/rss-specification) with the content,
 *     dc and atom namespaces                                        rss.c
 *   Atom 1.0, RFC 4287                                             atom.c
 *   JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/)      jsonfeed.c
 *   sitemaps.org 0.9, Google News sitemaps, robots.txt          sitemap.c
 *   Dates: RFC 822/1123 (RSS), RFC 3339 (Atom, JSON Feed, W3C-DTF for
 *   sitemaps), always UTC.
 *
 * Every writer appends one complete document to `out` and returns
 * buf_error(out) (DP_OK, DP_ENOMEM or DP_ETOOBIG; feed_json may also return
 * DP_ENOMEM when jansson fails). On error `out` holds a partial document: the
 * caller throws it away. Nothing here logs or keeps a pointer to its
 * arguments; all inputs stay owned by the caller and are only read.
 *
 * Escaping: every piece of stored text goes through xml_txt() (XML) or
 * jansson (JSON), so hostile titles, names and bodies ("<script>", "]]>",
 * C0 controls) yield well-formed output. Bodies are carried as escaped HTML,
 * never in CDATA. JSON output additionally writes < > & as \u003c \u003e
 * \u0026, so it is safe to embed. Text must be UTF-8: jansson's strings get
 * invalid bytes replaced by U+FFFD; the XML writers pass bytes through as
 * xml_txt() does (the store validates UTF-8 on input).
 *
 * URLs: site->base_url (no trailing slash) + path. An article's URL is
 * base_url + "/" + slug + "/", the slug percent-encoded as a path segment
 * (a no-op for the [a-z0-9-] slugs the store makes). Term URLs are
 * base_url + "/tag/<slug>/", "/category/<slug>/", "/author/<slug>/".
 *
 * NULL strings in site, meta or articles are treated as empty, with these
 * fallbacks: meta title -> site title; meta description -> site description
 * -> title; self_path -> "/feed/"; html_path -> "/"; site lang -> "en".
 */
#ifndef DEPESCHE_FEED_FEED_H
#define DEPESCHE_FEED_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"

struct feed_meta {
	const char *title;        /* feed title, e.g. "Site" or "Site – Tag: KI" */
	const char *description;  /* subtitle */
	const char *self_path;    /* "/feed/", "/tag/ki/feed/" ... (relative to site->base_url) */
	const char *html_path;    /* the page the feed belongs to: "/", "/tag/ki/" */
	int64_t updated;          /* newest change (Unix s); 0 = newest item's updated_at
				   * (or published_at if later), or now if there are no items */
};

/* The writers take the items in the order given (newest first, as the store
 * lists them) and write all of them: the caller limits the count
 * (site->feed_items). Items should be listed with_body; an item without
 * body_html gets no full content (RSS, Atom) or its excerpt as content_text
 * (JSON Feed). */

/* RSS 2.0: channel title, link, description, language, lastBuildDate,
 * generator, atom:link rel=self; items with title, link, guid
 * isPermaLink=true, pubDate (RFC 822, "+0000"), dc:creator, a category for
 * the category and for each tag, description (the plain-text excerpt,
 * HTML-escaped as RSS descriptions are read as HTML) and content:encoded. */
int feed_rss(struct buf *out, const struct site *site, const struct feed_meta *m,
	     const struct article_list *items);
/* Atom 1.0: feed id (the self URL), title, subtitle, updated, links self and
 * alternate, a feed-level author (the site title) so entries without one stay
 * valid; entries with id (the article URL), title, updated, published,
 * link, author, category term/label/scheme, summary (text), content (html). */
int feed_atom(struct buf *out, const struct site *site, const struct feed_meta *m,
	      const struct article_list *items);
/* JSON Feed 1.1: version, title, home_page_url, feed_url, description,
 * language, items with id (= url), url, title, content_html, summary,
 * date_published, date_modified, authors [{name,url}], tags (tag names, then
 * the category's name if it is not a tag too). */
int feed_json(struct buf *out, const struct site *site, const struct feed_meta *m,
	      const struct article_list *items);

/* The RSS 2.0 feed of one article's comments (/<slug>/feed/): a valid channel
 * with no items for now. */
int feed_rss_comments(struct buf *out, const struct site *site, const struct article *a);

/* sitemaps.org urlset: the home page (lastmod = newest item) then each
 * article (loc, lastmod as W3C datetime). The protocol allows 50,000 URLs per
 * file; the caller keeps below that. */
int feed_sitemap(struct buf *out, const struct site *site, const struct article_list *items);
/* Google News sitemap (xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"):
 * each article with news:publication (name = site title, language = site
 * lang), news:publication_date (W3C), news:title. The caller passes only the
 * last 2 days; at most the first 1000 items are written, as Google allows. */
#define FEED_NEWS_MAX 1000
int feed_news_sitemap(struct buf *out, const struct site *site, const struct article_list *items);
/* robots.txt: allow all, Sitemap: lines for both sitemaps (absolute URLs). */
int feed_robots(struct buf *out, const struct site *site);

/* Date formatting, UTC, independent of the C locale. t is clamped to
 * 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. Write into out (at least
 * FEED_DATE_MAX bytes) and return out. */
#define FEED_DATE_MAX 32
/* RFC 822 as updated by RFC 1123: "Tue, 14 Nov 2023 22:13:20 +0000". */
char *feed_date_rfc822(char *out, int64_t t);
/* RFC 3339 / W3C-DTF: "2023-11-14T22:13:20Z". */
char *feed_date_rfc3339(char *out, int64_t t);

/* Helpers the writers share (defined in rss.c). */
/* Appends base_url + path, XML-escaped. */
void feed_put_url(struct buf *b, const struct site *site, const char *path);
/* Appends base_url + "/" + slug + "/" (the slug percent-encoded), XML-safe. */
void feed_put_article_url(struct buf *b, const struct site *site, const char *slug);
/* The date an item was last changed: max(updated_at, published_at). */
int64_t feed_item_updated(const struct article *a);
/* m->updated, else the newest feed_item_updated() of items, else now. */
int64_t feed_newest(const struct feed_meta *m, const struct article_list *items);
/* site->lang, or "en" when unset. */
const char *feed_lang(const struct site *site);
/* <name>text</name> and a newline, text escaped with xml_txt. */
void feed_elem(struct buf *b, const char *name, const char *text);

/* The job feed (/jobs/feed/): one item per job, newest posted first as
 * given. summary is plain text the page made of employer, place and type
 * (it becomes the item's description, HTML-escaped); type_label is the
 * item's category. */
struct feed_job {
	const struct job *job;       /* with description_html (NULL: none) */
	const char *summary;
	const char *type_label;
};
/* RSS 2.0: the channel as feed_rss() writes it; items with title, link and
 * guid (base_url + "/jobs/" + slug + "/"), pubDate (posted_at), a category
 * for the type and one for the place, description (summary) and
 * content:encoded (the job's description). lastBuildDate is m->updated,
 * else the newest updated_at of the jobs, else now. */
int feed_rss_jobs(struct buf *out, const struct site *site, const struct feed_meta *m,
		  const struct feed_job *items, size_t n);
/* feed_sitemap() followed by the job board (/jobs/, lastmod = the newest
 * job's change) and each of the njobs jobs (loc, lastmod = updated_at)
 * before the urlset closes; njobs 0 writes what feed_sitemap() writes. */
int feed_sitemap_jobs(struct buf *out, const struct site *site, const struct article_list *items,
		      const struct job *jobs, size_t njobs);

/* An article's approved comments (l may be NULL: none) as a feed. */
enum feed_format { FEED_RSS, FEED_ATOM, FEED_JSON };
int feed_comments(struct buf *out, enum feed_format fmt, const struct site *site,
		  const struct article *a, const struct comment_list *l);

#endif
