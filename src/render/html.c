/* html.c — escaping writers for HTML, XML and URLs. */
#include "render/html.h"

#include <string.h>

void html_txt_n(struct buf *b, const char *s, size_t n)
{
	if (!s)
		return;
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_add(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

void html_txt(struct buf *b, const char *s)
{
	if (s)
		html_txt_n(b, s, strlen(s));
}

void xml_txt(struct buf *b, const char *s)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t start = 0, i = 0;
	for (; p[i]; i++) {
		const char *rep = NULL;
		size_t skip = 1;
		unsigned char c = p[i];
		if (c == '&') rep = "&amp;";
		else if (c == '<') rep = "&lt;";
		else if (c == '>') rep = "&gt;";
		else if (c == '"') rep = "&quot;";
		else if (c == '\'') rep = "&apos;";
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') rep = "";
		else if (c == 0xEF && p[i + 1] == 0xBF && (p[i + 2] == 0xBE || p[i + 2] == 0xBF)) {
			rep = "";
			skip = 3;
		} else
			continue;
		buf_add(b, s + start, i - start);
		buf_puts(b, rep);
		i += skip - 1;
		start = i + 1;
	}
	buf_add(b, s + start, i - start);
}

void url_arg(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			buf_add(b, e, 3);
		}
	}
}
