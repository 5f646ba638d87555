/* atom.c — the Atom 1.0 feed (/feed/atom/).
 *
 * RFC 4287 (The Atom Syndication Format); dates per RFC 3339 §5.6 in UTC.
 * Text constructs are written as type="text" (titles, summary) or
 * type="html" (content), always escaped, never CDATA. */
#include "feed/feed.h"

#include "render/html.h"
#include "util/err.h"

#ifndef DEPESCHE_VERSION
#define DEPESCHE_VERSION "dev"
#endif

static void elem_date(struct buf *b, const char *name, int64_t t)
{
	char d[FEED_DATE_MAX];
	buf_printf(b, "<%s>%s</%s>\n", name, feed_date_rfc3339(d, t), name);
}

static void put_link(struct buf *b, const char *rel, const char *type, const struct site *site,
		     const char *path)
{
	buf_printf(b, "<link rel=\"%s\" type=\"%s\" href=\"", rel, type);
	feed_put_url(b, site, path);
	buf_puts(b, "\"/>\n");
}

/* Tags and the category: term is the slug (the stable identifier), label the
 * name readers show, scheme the archive the term belongs to. */
static void category(struct buf *b, const struct site *site, const char *kind,
		     const struct term *t)
{
	if (!t->name || !*t->name)
		return;
	buf_puts(b, "<category term=\"");
	xml_txt(b, t->slug && *t->slug ? t->slug : t->name);
	buf_puts(b, "\" label=\"");
	xml_txt(b, t->name);
	buf_puts(b, "\" scheme=\"");
	xml_txt(b, site->base_url);
	buf_printf(b, "/%s/\"/>\n", kind);
}

static void entry(struct buf *b, const struct site *site, const struct article *a)
{
	buf_puts(b, "<entry>\n<id>");
	feed_put_article_url(b, site, a->slug);
	buf_puts(b, "</id>\n");
	feed_elem(b, "title", a->title);
	elem_date(b, "updated", feed_item_updated(a));
	elem_date(b, "published", a->published_at);
	buf_puts(b, "<link rel=\"alternate\" type=\"text/html\" href=\"");
	feed_put_article_url(b, site, a->slug);
	buf_puts(b, "\"/>\n");
	if (a->author.name && *a->author.name) {
		buf_puts(b, "<author>\n");
		feed_elem(b, "name", a->author.name);
		if (a->author.slug && *a->author.slug) {
			buf_puts(b, "<uri>");
			xml_txt(b, site->base_url);
			buf_puts(b, "/author/");
			url_path_seg(b, a->author.slug);
			buf_puts(b, "/</uri>\n");
		}
		buf_puts(b, "</author>\n");
	}
	category(b, site, "category", &a->category);
	for (size_t i = 0; i < a->ntags; i++)
		category(b, site, "tag", &a->tags[i]);
	if (a->excerpt)
		feed_elem(b, "summary", a->excerpt);
	if (a->body_html) {
		buf_puts(b, "<content type=\"html\">");
		xml_txt(b, a->body_html);
		buf_puts(b, "</content>\n");
	}
	buf_puts(b, "</entry>\n");
}

int feed_atom(struct buf *out, const struct site *site, const struct feed_meta *m,
	      const struct article_list *items)
{
	const char *title = m->title ? m->title : site->title;
	const char *desc = m->description ? m->description : site->description;
	const char *self = m->self_path ? m->self_path : "/feed/";

	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	xml_txt(out, feed_lang(site));
	buf_puts(out, "\">\n<id>");
	/* The feed's own URL: stable, and distinct per archive feed. */
	feed_put_url(out, site, self);
	buf_puts(out, "</id>\n");
	feed_elem(out, "title", title);
	if (desc && *desc)
		feed_elem(out, "subtitle", desc);
	elem_date(out, "updated", feed_newest(m, items));
	put_link(out, "self", "application/atom+xml", site, self);
	put_link(out, "alternate", "text/html", site, m->html_path ? m->html_path : "/");
	/* A feed-level author makes entries without one valid (§4.1.1). */
	buf_puts(out, "<author>\n");
	feed_elem(out, "name", site->title);
	buf_puts(out, "<uri>");
	feed_put_url(out, site, "/");
	buf_puts(out, "</uri>\n</author>\n");
	buf_puts(out, "<generator version=\"" DEPESCHE_VERSION "\">Depesche</generator>\n");
	for (size_t i = 0; items && i < items->n; i++)
		entry(out, site, &items->items[i]);
	buf_puts(out, "</feed>\n");
	return buf_error(out);
}
