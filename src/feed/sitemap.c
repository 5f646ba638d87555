/* sitemap.c — /sitemap.xml, /news-sitemap.xml and /robots.txt.
 *
 * Sitemaps protocol 0.9: https://www.sitemaps.org/protocol.html
 * Google News sitemaps: https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
 * W3C-DTF dates (https://www.w3.org/TR/NOTE-datetime), here RFC 3339 UTC.
 * robots.txt: RFC 9309; the Sitemap: line is the sitemaps.org extension. */
#include "feed/feed.h"

#include "render/html.h"
#include "util/err.h"

#define NS_SITEMAP "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NS_NEWS "http://www.google.com/schemas/sitemap-news/0.9"

static void lastmod(struct buf *b, int64_t t)
{
	char d[FEED_DATE_MAX];
	buf_printf(b, "<lastmod>%s</lastmod>\n", feed_date_rfc3339(d, t));
}

int feed_sitemap(struct buf *out, const struct site *site, const struct article_list *items)
{
	return feed_sitemap_jobs(out, site, items, NULL, 0);
}

int feed_sitemap_jobs(struct buf *out, const struct site *site, const struct article_list *items,
		      const struct job *jobs, size_t njobs)
{
	/* With no articles the home page keeps a lastmod of "now" (see
	 * feed_newest()); a constant 1970 would tell crawlers it never changes. */
	struct feed_meta none = { 0 };

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"" NS_SITEMAP "\">\n<url>\n<loc>");
	feed_put_url(out, site, "/");
	buf_puts(out, "</loc>\n");
	lastmod(out, feed_newest(&none, items));
	buf_puts(out, "</url>\n");
	for (size_t i = 0; items && i < items->n; i++) {
		const struct article *a = &items->items[i];
		buf_puts(out, "<url>\n<loc>");
		feed_put_article_url(out, site, a->slug);
		buf_puts(out, "</loc>\n");
		lastmod(out, feed_item_updated(a));
		buf_puts(out, "</url>\n");
	}
	if (jobs && njobs) {
		int64_t newest = 0;
		for (size_t i = 0; i < njobs; i++)
			if (jobs[i].updated_at > newest)
				newest = jobs[i].updated_at;
		buf_puts(out, "<url>\n<loc>");
		feed_put_url(out, site, "/jobs/");
		buf_puts(out, "</loc>\n");
		lastmod(out, newest);
		buf_puts(out, "</url>\n");
		for (size_t i = 0; i < njobs; i++) {
			buf_puts(out, "<url>\n<loc>");
			xml_txt(out, site->base_url);
			buf_puts(out, "/jobs/");
			url_path_seg(out, jobs[i].slug ? jobs[i].slug : "");
			buf_puts(out, "/</loc>\n");
			lastmod(out, jobs[i].updated_at);
			buf_puts(out, "</url>\n");
		}
	}
	buf_puts(out, "</urlset>\n");
	return buf_error(out);
}

int feed_news_sitemap(struct buf *out, const struct site *site, const struct article_list *items)
{
	char d[FEED_DATE_MAX];
	size_t n = items ? items->n : 0;

	if (n > FEED_NEWS_MAX)
		n = FEED_NEWS_MAX;
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"" NS_SITEMAP "\" xmlns:news=\"" NS_NEWS "\">\n");
	for (size_t i = 0; i < n; i++) {
		const struct article *a = &items->items[i];
		buf_puts(out, "<url>\n<loc>");
		feed_put_article_url(out, site, a->slug);
		buf_puts(out, "</loc>\n<news:news>\n<news:publication>\n<news:name>");
		xml_txt(out, site->title);
		buf_puts(out, "</news:name>\n<news:language>");
		xml_txt(out, feed_lang(site));
		buf_printf(out, "</news:language>\n</news:publication>\n"
				"<news:publication_date>%s</news:publication_date>\n<news:title>",
			   feed_date_rfc3339(d, a->published_at));
		xml_txt(out, a->title);
		buf_puts(out, "</news:title>\n</news:news>\n</url>\n");
	}
	buf_puts(out, "</urlset>\n");
	return buf_error(out);
}

/* base_url without the bytes that could end a robots.txt line early. */
static void put_base_line(struct buf *b, const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			buf_putc(b, *s);
}

int feed_robots(struct buf *out, const struct site *site)
{
	buf_puts(out, "User-agent: *\nAllow: /\n\nSitemap: ");
	put_base_line(out, site->base_url);
	buf_puts(out, "/sitemap.xml\nSitemap: ");
	put_base_line(out, site->base_url);
	buf_puts(out, "/news-sitemap.xml\n");
	return buf_error(out);
}
