/* comments.c — an article's approved comments as RSS 2.0, Atom (RFC 4287)
 * and JSON Feed 1.1, oldest first as they read on the page. Comment text is
 * rendered by render/comment.c (safe HTML) and escaped for the format. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "render/comment.h"
#include "render/html.h"
#include "site/site.h"
#include "util/err.h"

/* The article's URL, unescaped: each format escapes it its own way
 * (xml_txt for XML, jansson for JSON). */
static void article_url(struct buf *b, const struct site *site, const struct article *a)
{
	buf_puts(b, site->base_url);
	buf_putc(b, '/');
	if (a->slug && *a->slug) {
		url_path_seg(b, a->slug);
		buf_putc(b, '/');
	}
}

static void comment_url(struct buf *b, const struct site *site, const struct article *a,
			const struct comment *c)
{
	article_url(b, site, a);
	buf_printf(b, "#comment-%lld", (long long)c->id);
}

static char *title_of(const struct site *site, const struct article *a)
{
	char *t = NULL;
	const char *prefix = strcmp(feed_lang(site), "de") == 0 ? "Kommentare zu: " : "Comments on: ";
	if (asprintf(&t, "%s%s", prefix, a->title ? a->title : "") < 0)
		return NULL;
	return t;
}

static int64_t newest(const struct article *a, const struct comment_list *l)
{
	int64_t t = feed_item_updated(a);
	for (size_t i = 0; l && i < l->n; i++)
		if (l->items[i].updated_at > t)
			t = l->items[i].updated_at;
	return t;
}

static void self_url(struct buf *b, const struct site *site, const struct article *a,
		     const char *suffix)
{
	article_url(b, site, a);
	buf_puts(b, "feed/");
	buf_puts(b, suffix);
}

static int rss(struct buf *out, const struct site *site, const struct article *a,
	       const struct comment_list *l, const char *title)
{
	char d[FEED_DATE_MAX];
	struct buf tmp = BUF_INIT(out->max);
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" "
		      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
	feed_elem(out, "title", title);
	buf_puts(out, "<link>");
	article_url(&tmp, site, a);
	xml_txt(out, buf_cstr(&tmp));
	/* Readers may show a description as HTML: escaped for HTML, then for XML,
	 * as rss.c does for items. */
	buf_reset(&tmp);
	html_txt(&tmp, title);
	buf_puts(out, "</link>\n<description>");
	xml_txt(out, buf_cstr(&tmp));
	buf_puts(out, "</description>\n");
	feed_elem(out, "language", feed_lang(site));
	buf_printf(out, "<lastBuildDate>%s</lastBuildDate>\n", feed_date_rfc822(d, newest(a, l)));
	buf_reset(&tmp);
	self_url(&tmp, site, a, "");
	buf_puts(out, "<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"");
	xml_txt(out, buf_cstr(&tmp));
	buf_puts(out, "\"/>\n");
	for (size_t i = 0; l && i < l->n; i++) {
		const struct comment *c = &l->items[i];
		buf_reset(&tmp);
		comment_url(&tmp, site, a, c);
		buf_puts(out, "<item>\n<title>");
		xml_txt(out, c->author_name);
		buf_puts(out, "</title>\n<link>");
		xml_txt(out, buf_cstr(&tmp));
		buf_puts(out, "</link>\n<guid isPermaLink=\"true\">");
		xml_txt(out, buf_cstr(&tmp));
		buf_puts(out, "</guid>\n");
		feed_elem(out, "dc:creator", c->author_name);
		buf_printf(out, "<pubDate>%s</pubDate>\n", feed_date_rfc822(d, c->created_at));
		buf_reset(&tmp);
		comment_html(&tmp, c->text);
		feed_elem(out, "description", buf_cstr(&tmp));
		buf_puts(out, "</item>\n");
	}
	buf_puts(out, "</channel>\n</rss>\n");
	buf_release(&tmp);
	return buf_error(out);
}

static int atom(struct buf *out, const struct site *site, const struct article *a,
		const struct comment_list *l, const char *title)
{
	char d[FEED_DATE_MAX];
	struct buf tmp = BUF_INIT(out->max);
	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_txt(out, feed_lang(site));
	buf_puts(out, "\">\n");
	self_url(&tmp, site, a, "atom/");
	buf_puts(out, "<id>");
	xml_txt(out, buf_cstr(&tmp));
	buf_puts(out, "</id>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	xml_txt(out, buf_cstr(&tmp));
	buf_puts(out, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	buf_reset(&tmp);
	article_url(&tmp, site, a);
	xml_txt(out, buf_cstr(&tmp));
	buf_puts(out, "\"/>\n");
	feed_elem(out, "title", title);
	buf_printf(out, "<updated>%s</updated>\n", feed_date_rfc3339(d, newest(a, l)));
	buf_puts(out, "<author><name>");
	xml_txt(out, site->title);
	buf_puts(out, "</name></author>\n");
	for (size_t i = 0; l && i < l->n; i++) {
		const struct comment *c = &l->items[i];
		buf_reset(&tmp);
		comment_url(&tmp, site, a, c);
		buf_puts(out, "<entry>\n<id>");
		xml_txt(out, buf_cstr(&tmp));
		buf_puts(out, "</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
		xml_txt(out, buf_cstr(&tmp));
		buf_puts(out, "\"/>\n");
		feed_elem(out, "title", c->author_name);
		buf_puts(out, "<author><name>");
		xml_txt(out, c->author_name);
		buf_puts(out, "</name></author>\n");
		buf_printf(out, "<published>%s</published>\n", feed_date_rfc3339(d, c->created_at));
		buf_printf(out, "<updated>%s</updated>\n",
			   feed_date_rfc3339(d, c->updated_at > c->created_at ? c->updated_at
									     : c->created_at));
		buf_reset(&tmp);
		comment_html(&tmp, c->text);
		buf_puts(out, "<content type=\"html\">");
		xml_txt(out, buf_cstr(&tmp));
		buf_puts(out, "</content>\n</entry>\n");
	}
	buf_puts(out, "</feed>\n");
	buf_release(&tmp);
	return buf_error(out);
}

static int json_feed(struct buf *out, const struct site *site, const struct article *a,
		     const struct comment_list *l, const char *title)
{
	char d[FEED_DATE_MAX];
	struct buf home = BUF_INIT(out->max), self = BUF_INIT(out->max), tmp = BUF_INIT(out->max);
	article_url(&home, site, a);
	self_url(&self, site, a, "json/");
	json_t *items = json_array();
	for (size_t i = 0; items && l && i < l->n; i++) {
		const struct comment *c = &l->items[i];
		buf_reset(&tmp);
		comment_url(&tmp, site, a, c);
		char *url = strdup(buf_cstr(&tmp));
		buf_reset(&tmp);
		comment_html(&tmp, c->text);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:[{s:s}]}",
						       "id", url ? url : "", "url", url ? url : "",
						       "content_html", buf_cstr(&tmp),
						       "date_published",
						       feed_date_rfc3339(d, c->created_at), "authors",
						       "name", c->author_name));
		free(url);
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "version",
			      "https://jsonfeed.org/version/1.1", "title", title, "home_page_url",
			      buf_cstr(&home), "feed_url", buf_cstr(&self), "language",
			      feed_lang(site), "items", items);
	char *text = o ? json_dumps(o, JSON_INDENT(0) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text) {
		if (!out->err)
			out->err = DP_ENOMEM;
	} else {
		/* as jsonfeed.c: no raw < > & in case the feed is shown inside HTML */
		for (const char *p = text; *p; p++) {
			if (*p == '<')
				buf_puts(out, "\\u003c");
			else if (*p == '>')
				buf_puts(out, "\\u003e");
			else if (*p == '&')
				buf_puts(out, "\\u0026");
			else
				buf_putc(out, *p);
		}
		buf_putc(out, '\n');
	}
	free(text);
	buf_release(&home);
	buf_release(&self);
	buf_release(&tmp);
	return buf_error(out);
}

int feed_comments(struct buf *out, enum feed_format fmt, const struct site *site,
		  const struct article *a, const struct comment_list *l)
{
	char *title = title_of(site, a);
	if (!title)
		return out->err ? out->err : (out->err = DP_ENOMEM);
	int rc = fmt == FEED_ATOM ? atom(out, site, a, l, title)
		 : fmt == FEED_JSON ? json_feed(out, site, a, l, title)
				    : rss(out, site, a, l, title);
	free(title);
	return rc;
}
