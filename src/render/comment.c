/* comment.c — plain text to safe HTML for reader comments. */
#include "render/comment.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "render/html.h"

/* Length of a URL starting at p ("http://", "https://" or "www."), 0 if none.
 * Trailing punctuation that usually ends a sentence is left out. */
static size_t url_len(const char *p)
{
	size_t start;
	if (strncasecmp(p, "https://", 8) == 0)
		start = 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		start = 7;
	else if (strncasecmp(p, "www.", 4) == 0)
		start = 4;
	else
		return 0;
	size_t n = start;
	while (p[n] && (unsigned char)p[n] > ' ' && p[n] != '<' && p[n] != '>' && p[n] != '"' &&
	       p[n] != '\'' && p[n] != '`')
		n++;
	while (n > start && strchr(".,;:!?)]}", p[n - 1]))
		n--;
	return n > start + 1 ? n : 0;
}

int comment_html(struct buf *out, const char *text)
{
	const char *p = text ? text : "";
	bool open = false;
	/* skip leading blank lines */
	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	while (*p) {
		if (!open) {
			buf_puts(out, "<p>");
			open = true;
		}
		if (*p == '\r') {
			p++;
			continue;
		}
		if (*p == '\n') {
			/* a blank line ends the paragraph, a single break is a <br> */
			const char *q = p + 1;
			while (*q == ' ' || *q == '\t' || *q == '\r')
				q++;
			if (*q == '\n') {
				while (*q == '\n' || *q == '\r' || *q == ' ' || *q == '\t')
					q++;
				buf_puts(out, "</p>\n");
				open = false;
				p = q;
			} else {
				const char *r = q;
				while (*r == ' ' || *r == '\t')
					r++;
				if (*r)
					buf_puts(out, "<br>\n");
				p++;
			}
			continue;
		}
		bool word_start = p == text || !((p[-1] >= 'a' && p[-1] <= 'z') ||
						 (p[-1] >= 'A' && p[-1] <= 'Z') ||
						 (p[-1] >= '0' && p[-1] <= '9'));
		size_t n = word_start ? url_len(p) : 0;
		if (n) {
			buf_puts(out, "<a href=\"");
			if (strncasecmp(p, "www.", 4) == 0)
				buf_puts(out, "https://");
			html_txt_n(out, p, n);
			buf_puts(out, "\" rel=\"nofollow ugc noopener\">");
			html_txt_n(out, p, n);
			buf_puts(out, "</a>");
			p += n;
			continue;
		}
		/* a run of ordinary text */
		size_t k = 1;
		while (p[k] && p[k] != '\n' && p[k] != '\r' && p[k] != 'h' && p[k] != 'H' &&
		       p[k] != 'w' && p[k] != 'W')
			k++;
		html_txt_n(out, p, k);
		p += k;
	}
	if (open) {
		/* trim a trailing <br> left by trailing spaces */
		buf_puts(out, "</p>\n");
	}
	return buf_error(out);
}
