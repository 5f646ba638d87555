/* html.h — the escaping writers. Every byte of client or editor text that
 * reaches HTML, XML or a URL goes through one of these (cgit's html.c).
 * JSON is written by jansson, which escapes for itself.
 *
 * All of them append to a struct buf (sticky error, see util/buf.h) and
 * accept NULL as the empty string. */
#ifndef DEPESCHE_RENDER_HTML_H
#define DEPESCHE_RENDER_HTML_H

#include <stddef.h>

#include "util/buf.h"

/* Text content and attribute values: & < > " ' become entities. */
void html_txt(struct buf *b, const char *s);
void html_txt_n(struct buf *b, const char *s, size_t n);
/* Same escaping, named for readability at attribute sites. */
#define html_attr html_txt

/* XML 1.0 character data and attribute values: & < > " ' as entities, and
 * characters XML forbids (C0 controls other than TAB, LF, CR; U+FFFE/U+FFFF)
 * dropped, so a feed stays well-formed whatever was stored. */
void xml_txt(struct buf *b, const char *s);

/* A query-string value: everything but unreserved characters (RFC 3986
 * §2.3) percent-encoded; a space becomes %20. */
void url_arg(struct buf *b, const char *s);

/* A path segment, percent-encoded like url_arg. */
#define url_path_seg url_arg

#endif
