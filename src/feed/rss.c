/* rss.c — RSS 2.0 feeds (main, archive, comment and job feeds) and the helpers
 * every feed writer shares: URLs, RFC 822 dates, the "updated" rule.
 *
 * RSS 2.0: https://www.rssboard.org/rss-specification
 * content:encoded: http://purl.org/rss/1.0/modules/content/
 * dc:creator: Dublin Core, http://purl.org/dc/elements/1.1/
 * atom:link rel=self: RFC 4287 §4.2.7, as the RSS Advisory Board recommends
 * Dates: RFC 822 §5 with RFC 1123's four-digit years. */
#include "feed/feed.h"

#include <string.h>
#include <time.h>

#include "render/html.h"
#include "util/err.h"

#ifndef DEPESCHE_VERSION
#define DEPESCHE_VERSION "dev"
#endif

/* 9999-12-31T23:59:59Z: the last second with a four-digit year. */
#define FEED_TIME_MAX INT64_C(253402300799)

/* Fills tm for t clamped to the range four-digit years allow. */
static void utc(int64_t t, struct tm *tm)
{
	if (t < 0)
		t = 0;
	if (t > FEED_TIME_MAX)
		t = FEED_TIME_MAX;
	time_t tt = (time_t)t;
	if (!gmtime_r(&tt, tm)) {
		/* Cannot happen within the clamp; keep the epoch rather than garbage. */
		memset(tm, 0, sizeof *tm);
		tm->tm_mday = 1;
		tm->tm_year = 70;
		tm->tm_wday = 4;
	}
}

char *feed_date_rfc822(char *out, int64_t t)
{
	/* Names from tables, not strftime's %a/%b: those follow LC_TIME, and
	 * RFC 822 wants English whatever locale the server runs in. */
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	utc(t, &tm);
	/* Numeric fields from strftime (locale-independent); the clamp keeps the
	 * year at four digits, so the names go at fixed offsets. */
	if (!strftime(out, FEED_DATE_MAX, "Day, %d Mon %Y %H:%M:%S +0000", &tm))
		strcpy(out, "Thu, 01 Jan 1970 00:00:00 +0000");
	else {
		memcpy(out, days[tm.tm_wday % 7], 3);
		memcpy(out + 8, months[tm.tm_mon % 12], 3);
	}
	return out;
}

/* Defined here beside its sibling so both share the clamp. */
char *feed_date_rfc3339(char *out, int64_t t)
{
	struct tm tm;
	utc(t, &tm);
	/* Only numeric conversions: locale-independent. */
	if (!strftime(out, FEED_DATE_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm))
		strcpy(out, "1970-01-01T00:00:00Z");
	return out;
}

void feed_put_url(struct buf *b, const struct site *site, const char *path)
{
	xml_txt(b, site->base_url);
	xml_txt(b, path);
}

void feed_put_article_url(struct buf *b, const struct site *site, const char *slug)
{
	xml_txt(b, site->base_url);
	buf_putc(b, '/');
	if (slug && *slug) {
		/* Percent-encoding leaves only unreserved characters and %XX:
		 * nothing XML would need escaped. */
		url_path_seg(b, slug);
		buf_putc(b, '/');
	}
}

int64_t feed_item_updated(const struct article *a)
{
	return a->updated_at > a->published_at ? a->updated_at : a->published_at;
}

int64_t feed_newest(const struct feed_meta *m, const struct article_list *items)
{
	if (m && m->updated)
		return m->updated;
	int64_t newest = 0;
	for (size_t i = 0; items && i < items->n; i++) {
		int64_t u = feed_item_updated(&items->items[i]);
		if (u > newest)
			newest = u;
	}
	return newest ? newest : (int64_t)time(NULL);
}

const char *feed_lang(const struct site *site)
{
	return site->lang && *site->lang ? site->lang : "en";
}

void feed_elem(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	xml_txt(b, text);
	buf_printf(b, "</%s>\n", name);
}

static void elem_date(struct buf *b, const char *name, int64_t t)
{
	char d[FEED_DATE_MAX];
	buf_printf(b, "<%s>%s</%s>\n", name, feed_date_rfc822(d, t), name);
}

/* Plain text where RSS readers expect entity-encoded HTML (<description>):
 * HTML-escape, then XML-escape, so "<b>" in an excerpt shows as "<b>"
 * instead of turning bold — or worse. */
static void text_as_html(struct buf *b, const char *s)
{
	struct buf tmp = BUF_INIT(b->max);
	html_txt(&tmp, s);
	if (buf_error(&tmp)) {
		if (!b->err)
			b->err = tmp.err;
	} else {
		xml_txt(b, buf_cstr(&tmp));
	}
	buf_release(&tmp);
}

/* Everything of a channel up to its first item. */
static void channel_open(struct buf *b, const struct site *site, const char *title,
			 const char *description, const char *html_path, const char *self_path,
			 int64_t updated)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
		    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
		    " xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
		    "<channel>\n");
	feed_elem(b, "title", title);
	buf_puts(b, "<link>");
	feed_put_url(b, site, html_path);
	buf_puts(b, "</link>\n");
	feed_elem(b, "description", description);
	feed_elem(b, "language", feed_lang(site));
	elem_date(b, "lastBuildDate", updated);
	buf_puts(b, "<generator>Depesche " DEPESCHE_VERSION "</generator>\n");
	buf_puts(b, "<atom:link href=\"");
	feed_put_url(b, site, self_path);
	buf_puts(b, "\" rel=\"self\" type=\"application/rss+xml\"/>\n");
}

static void channel_close(struct buf *b)
{
	buf_puts(b, "</channel>\n</rss>\n");
}

static void item(struct buf *b, const struct site *site, const struct article *a)
{
	buf_puts(b, "<item>\n");
	feed_elem(b, "title", a->title);
	buf_puts(b, "<link>");
	feed_put_article_url(b, site, a->slug);
	buf_puts(b, "</link>\n<guid isPermaLink=\"true\">");
	feed_put_article_url(b, site, a->slug);
	buf_puts(b, "</guid>\n");
	elem_date(b, "pubDate", a->published_at);
	if (a->author.name && *a->author.name)
		feed_elem(b, "dc:creator", a->author.name);
	if (a->category.name && *a->category.name)
		feed_elem(b, "category", a->category.name);
	for (size_t i = 0; i < a->ntags; i++)
		if (a->tags[i].name && *a->tags[i].name)
			feed_elem(b, "category", a->tags[i].name);
	buf_puts(b, "<description>");
	text_as_html(b, a->excerpt);
	buf_puts(b, "</description>\n");
	if (a->body_html) {
		/* Escaped, not CDATA: a body containing "]]>" cannot end it. */
		feed_elem(b, "content:encoded", a->body_html);
	}
	buf_puts(b, "</item>\n");
}

int feed_rss(struct buf *out, const struct site *site, const struct feed_meta *m,
	     const struct article_list *items)
{
	const char *title = m->title ? m->title : site->title;
	const char *desc = m->description ? m->description
			 : site->description ? site->description : title;

	channel_open(out, site, title, desc, m->html_path ? m->html_path : "/",
		     m->self_path ? m->self_path : "/feed/", feed_newest(m, items));
	for (size_t i = 0; items && i < items->n; i++)
		item(out, site, &items->items[i]);
	channel_close(out);
	return buf_error(out);
}

/* base_url + "/jobs/" + slug + "/", XML-safe. */
static void put_job_url(struct buf *b, const struct site *site, const char *slug)
{
	xml_txt(b, site->base_url);
	buf_puts(b, "/jobs/");
	url_path_seg(b, slug ? slug : "");
	buf_putc(b, '/');
}

int feed_rss_jobs(struct buf *out, const struct site *site, const struct feed_meta *m,
		  const struct feed_job *items, size_t n)
{
	const char *title = m->title ? m->title : site->title;
	const char *desc = m->description ? m->description
			 : site->description ? site->description : title;
	int64_t updated = m->updated;
	for (size_t i = 0; !m->updated && i < n; i++)
		if (items[i].job->updated_at > updated)
			updated = items[i].job->updated_at;
	if (!updated)
		updated = (int64_t)time(NULL);

	channel_open(out, site, title, desc, m->html_path ? m->html_path : "/jobs/",
		     m->self_path ? m->self_path : "/jobs/feed/", updated);
	for (size_t i = 0; i < n; i++) {
		const struct job *j = items[i].job;
		buf_puts(out, "<item>\n");
		feed_elem(out, "title", j->title);
		buf_puts(out, "<link>");
		put_job_url(out, site, j->slug);
		buf_puts(out, "</link>\n<guid isPermaLink=\"true\">");
		put_job_url(out, site, j->slug);
		buf_puts(out, "</guid>\n");
		elem_date(out, "pubDate", j->posted_at);
		if (items[i].type_label && *items[i].type_label)
			feed_elem(out, "category", items[i].type_label);
		if (j->location && *j->location)
			feed_elem(out, "category", j->location);
		buf_puts(out, "<description>");
		text_as_html(out, items[i].summary);
		buf_puts(out, "</description>\n");
		if (j->description_html && *j->description_html)
			feed_elem(out, "content:encoded", j->description_html);
		buf_puts(out, "</item>\n");
	}
	channel_close(out);
	return buf_error(out);
}

int feed_rss_comments(struct buf *out, const struct site *site, const struct article *a)
{
	return feed_comments(out, FEED_RSS, site, a, NULL);
}
