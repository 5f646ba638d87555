/* comment.h — reader comments from plain text to safe HTML: paragraphs at
 * blank lines, <br> at single line breaks, http(s) URLs and www. addresses
 * as links with rel="nofollow ugc noopener", everything else escaped. No
 * markup of the writer's ever passes. */
#ifndef DEPESCHE_RENDER_COMMENT_H
#define DEPESCHE_RENDER_COMMENT_H

#include "util/buf.h"

/* Appends the HTML of text to out; returns buf_error(out). */
int comment_html(struct buf *out, const char *text);

#endif
