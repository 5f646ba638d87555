/* markdown.c — cmark-gfm wrapper. */
#include "render/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/utf8.h"

static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static int attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *e = cmark_find_syntax_extension(name);
	return e && cmark_parser_attach_syntax_extension(p, e) ? DP_OK : DP_EINVAL;
}

/* Plain text of the leading paragraphs, for summaries and meta descriptions. */
static void collect_text(cmark_node *root, struct buf *out, size_t max_bytes)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && out->len < max_bytes) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)) {
			buf_puts(out, cmark_node_get_literal(n));
		} else if (ev == CMARK_EVENT_ENTER &&
			   (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)) {
			buf_putc(out, ' ');
		} else if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING)) {
			if (out->len)
				buf_putc(out, ' ');
		} else if (ev == CMARK_EVENT_ENTER &&
			   (t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK ||
			    t == CMARK_NODE_HTML_INLINE)) {
			continue;
		}
	}
	cmark_iter_free(it);
}

static char *make_excerpt(cmark_node *root, size_t max_chars)
{
	struct buf text = BUF_INIT(64 * 1024);
	collect_text(root, &text, max_chars * 4 + 64);
	if (buf_error(&text)) {
		buf_release(&text);
		return NULL;
	}
	/* Trim, then cut at the last space within max_chars. */
	const char *s = buf_cstr(&text);
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	struct buf out = BUF_INIT(0);
	char *tmp = strndup(s, n);
	if (tmp && utf8_len(tmp) > max_chars) {
		size_t cut = utf8_prefix(tmp, max_chars);
		size_t sp = cut;
		while (sp > 0 && tmp[sp] != ' ')
			sp--;
		if (sp > cut / 2)
			cut = sp;
		while (cut && (tmp[cut - 1] == ' ' || tmp[cut - 1] == ',' || tmp[cut - 1] == '.'))
			cut--;
		buf_add(&out, tmp, cut);
		buf_puts(&out, "…");
	} else if (tmp) {
		buf_puts(&out, tmp);
	}
	free(tmp);
	buf_release(&text);
	return buf_take(&out, NULL);
}

/* Post-processing of cmark's HTML:
 * - wide tables and code blocks scroll inside their own box, so a keyboard
 *   user must be able to focus that box (WCAG 2.1.1): tabindex="0";
 * - table cell alignment becomes a class: the align attribute is obsolete in
 *   HTML5 and inline styles are blocked by our Content-Security-Policy. */
static char *postprocess(char *html)
{
	static const struct { const char *from, *to; } reps[] = {
		{ "<pre>", "<pre tabindex=\"0\">" },
		{ "<table>", "<table tabindex=\"0\">" },
		{ " align=\"left\"", " class=\"align-left\"" },
		{ " align=\"center\"", " class=\"align-center\"" },
		{ " align=\"right\"", " class=\"align-right\"" },
	};
	struct buf b = BUF_INIT(0);
	const char *p = html, *start = html;
	for (; *p; p++) {
		if (*p != '<' && *p != ' ')
			continue;
		for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++) {
			size_t n = strlen(reps[i].from);
			if (strncmp(p, reps[i].from, n) == 0) {
				buf_add(&b, start, (size_t)(p - start));
				buf_puts(&b, reps[i].to);
				p += n - 1;
				start = p + 1;
				break;
			}
		}
	}
	p = start;
	buf_puts(&b, p);
	free(html);
	return buf_take(&b, NULL);
}

int markdown_render(const char *md, size_t len, bool allow_html, size_t max_excerpt,
		    char **ret_html, char **ret_excerpt)
{
	int rc = DP_ENOMEM;
	char *html = NULL, *excerpt = NULL;
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	if (allow_html)
		opts |= CMARK_OPT_UNSAFE;

	pthread_once(&ext_once, register_extensions);
	cmark_parser *p = cmark_parser_new(opts);
	if (!p)
		return DP_ENOMEM;
	if (attach(p, "table") || attach(p, "strikethrough") || attach(p, "autolink") ||
	    attach(p, "tagfilter")) {
		rc = DP_EINVAL;
		goto out;
	}
	cmark_parser_feed(p, md, len);
	cmark_node *doc = cmark_parser_finish(p);
	if (!doc)
		goto out;

	/* The headline is the page's <h1>: the body's top heading level becomes
	 * <h2> and the others keep their distance to it (capped at <h6>). */
	int top = 7;
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING &&
		    cmark_node_get_heading_level(n) < top)
			top = cmark_node_get_heading_level(n);
	}
	cmark_iter_free(it);
	int shift = top <= 6 ? 2 - top : 0;
	it = cmark_iter_new(doc);
	while (shift && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
			int lvl = cmark_node_get_heading_level(n) + shift;
			cmark_node_set_heading_level(n, lvl > 6 ? 6 : lvl);
		}
	}
	cmark_iter_free(it);

	html = cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p));
	if (html)
		html = postprocess(html);
	excerpt = make_excerpt(doc, max_excerpt);
	cmark_node_free(doc);
	if (!html || !excerpt)
		goto out;
	*ret_html = html;
	*ret_excerpt = excerpt;
	html = excerpt = NULL;
	rc = DP_OK;
out:
	free(html);
	free(excerpt);
	cmark_parser_free(p);
	return rc;
}
