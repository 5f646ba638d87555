/* markdown.h — article bodies from Markdown to HTML with cmark-gfm
 * (CommonMark + GFM tables, strikethrough, autolinks, tag filter).
 *
 * Raw HTML in the source is dropped unless allow_html is set, and so are
 * javascript:/vbscript:/file:/data: links (cmark's safe mode). The body's top
 * heading level becomes <h2> (the page's <h1> is the headline) and the others
 * keep their distance to it. */
#ifndef DEPESCHE_RENDER_MARKDOWN_H
#define DEPESCHE_RENDER_MARKDOWN_H

#include <stdbool.h>
#include <stddef.h>

/* Renders md. *ret_html and *ret_excerpt (plain text of the first
 * paragraphs, at most max_excerpt characters, cut at a word with "…") are
 * malloc'd and owned by the caller. */
int markdown_render(const char *md, size_t len, bool allow_html, size_t max_excerpt,
		    char **ret_html, char **ret_excerpt);

#endif
