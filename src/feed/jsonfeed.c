/* jsonfeed.c — the JSON Feed (/feed/json/).
 *
 * JSON Feed 1.1: https://www.jsonfeed.org/version/1.1/ ; RFC 8259 (JSON);
 * dates per RFC 3339 in UTC. jansson builds and escapes the document; the
 * dump callback then writes < > & as \u003c \u003e \u0026 (legal inside
 * JSON strings, the only place those bytes can occur), so no "<script>" or
 * "</script>" ever appears raw, wherever the JSON ends up. */
#include "feed/feed.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "util/err.h"

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 §4: no overlongs,
 * no surrogates, nothing above U+10FFFF), 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* A JSON string for s (NULL: ""). jansson refuses invalid UTF-8; rather
 * than lose the whole feed to one bad byte, such bytes become U+FFFD.
 * NULL only when memory runs out. */
static json_t *jstr(const char *s)
{
	if (!s)
		s = "";
	json_t *j = json_string(s);
	if (j)
		return j;

	size_t len = strlen(s);
	char *fixed = malloc(len * 3 + 1);
	if (!fixed)
		return NULL;
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;
	while (*p) {
		size_t n = utf8_seq(p);
		if (n) {
			memcpy(fixed + o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(fixed + o, "\xEF\xBF\xBD", 3);
			o += 3;
			p++;
		}
	}
	j = json_stringn(fixed, o);
	free(fixed);
	return j;
}

/* base_url + prefix [+ slug as a path segment + "/"], unescaped (jansson
 * escapes). NULL when memory runs out. */
static json_t *jurl(const struct site *site, const char *prefix, const char *slug)
{
	struct buf b = BUF_INIT(0);
	json_t *j = NULL;

	buf_puts(&b, site->base_url ? site->base_url : "");
	buf_puts(&b, prefix);
	if (slug && *slug) {
		url_path_seg(&b, slug);
		buf_putc(&b, '/');
	}
	if (!buf_error(&b))
		j = jstr(buf_cstr(&b));
	buf_release(&b);
	return j;
}

static json_t *jdate(int64_t t)
{
	char d[FEED_DATE_MAX];
	return json_string(feed_date_rfc3339(d, t));
}

/* json_object_set_new() and json_array_append_new() take ownership of v even
 * on failure and fail on a NULL v, so a chain of these needs one check. */
static int set(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) ? -1 : 0;
}

static int append(json_t *a, json_t *v)
{
	return json_array_append_new(a, v) ? -1 : 0;
}

static json_t *item(const struct site *site, const struct article *a)
{
	json_t *it = json_object();
	int bad = 0;

	if (!it)
		return NULL;
	bad |= set(it, "id", jurl(site, "/", a->slug));
	bad |= set(it, "url", jurl(site, "/", a->slug));
	bad |= set(it, "title", jstr(a->title));
	/* content_html or content_text is required (§3 items). */
	if (a->body_html)
		bad |= set(it, "content_html", jstr(a->body_html));
	else
		bad |= set(it, "content_text", jstr(a->excerpt));
	if (a->excerpt)
		bad |= set(it, "summary", jstr(a->excerpt));
	bad |= set(it, "date_published", jdate(a->published_at));
	bad |= set(it, "date_modified", jdate(feed_item_updated(a)));

	if (a->author.name && *a->author.name) {
		json_t *authors = json_array(), *au = json_object();
		if (au) {
			bad |= set(au, "name", jstr(a->author.name));
			if (a->author.slug && *a->author.slug)
				bad |= set(au, "url", jurl(site, "/author/", a->author.slug));
		}
		if (authors)
			bad |= append(authors, au);
		else
			json_decref(au);
		bad |= set(it, "authors", authors);
	}

	bool has_cat = a->category.name && *a->category.name;
	if (a->ntags || has_cat) {
		json_t *tags = json_array();
		if (tags) {
			for (size_t i = 0; i < a->ntags; i++) {
				if (!a->tags[i].name || !*a->tags[i].name)
					continue;
				if (has_cat && strcmp(a->tags[i].name, a->category.name) == 0)
					has_cat = false; /* already there */
				bad |= append(tags, jstr(a->tags[i].name));
			}
			if (has_cat)
				bad |= append(tags, jstr(a->category.name));
		}
		bad |= set(it, "tags", tags);
	}

	if (bad) {
		json_decref(it);
		return NULL;
	}
	return it;
}

/* Appends jansson's output to the buf, making < > & \u escapes. */
static int dump_cb(const char *p, size_t n, void *data)
{
	struct buf *b = data;
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (p[i]) {
		case '<': rep = "\\u003c"; break;
		case '>': rep = "\\u003e"; break;
		case '&': rep = "\\u0026"; break;
		default: continue;
		}
		buf_add(b, p + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_add(b, p + start, n - start);
	return buf_error(b) ? -1 : 0;
}

int feed_json(struct buf *out, const struct site *site, const struct feed_meta *m,
	      const struct article_list *items)
{
	const char *title = m->title ? m->title : site->title;
	const char *desc = m->description ? m->description : site->description;
	json_t *root = json_object(), *list = json_array();
	int bad = 0;

	if (!root || !list) {
		json_decref(list);
		bad = 1;
		goto out;
	}
	bad |= set(root, "version", json_string("https://jsonfeed.org/version/1.1"));
	bad |= set(root, "title", jstr(title));
	bad |= set(root, "home_page_url", jurl(site, m->html_path ? m->html_path : "/", NULL));
	bad |= set(root, "feed_url", jurl(site, m->self_path ? m->self_path : "/feed/", NULL));
	if (desc && *desc)
		bad |= set(root, "description", jstr(desc));
	bad |= set(root, "language", jstr(feed_lang(site)));
	for (size_t i = 0; items && i < items->n; i++)
		bad |= append(list, item(site, &items->items[i]));
	bad |= set(root, "items", list);
	if (bad)
		goto out;

	/* JSON_INDENT(0): one line per value, no indentation; no
	 * JSON_ESCAPE_SLASH, as "</" cannot occur once '<' is escaped. */
	if (json_dump_callback(root, dump_cb, out, JSON_INDENT(0) | JSON_PRESERVE_ORDER) &&
	    !buf_error(out))
		bad = 1;
	buf_putc(out, '\n');
out:
	json_decref(root);
	if (bad && !out->err)
		out->err = DP_ENOMEM;
	return buf_error(out);
}
