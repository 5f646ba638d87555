/* fuzz_comment.c — libFuzzer target: what a reader types into the comment
 * form. The renderer must never let markup through (the only tags it writes
 * are p, br and a), and the triage scorer must take anything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/triage.h"
#include "render/comment.h"

static int only_our_tags(const char *html)
{
	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		if (strncmp(p, "<p>", 3) && strncmp(p, "</p>", 4) && strncmp(p, "<br>", 4) &&
		    strncmp(p, "<a href=\"", 9) && strncmp(p, "</a>", 4))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct buf out = BUF_INIT(1 << 22);
	if (comment_html(&out, text) == 0 && !only_our_tags(buf_cstr(&out)))
		abort();
	buf_release(&out);

	struct triage_input in = { .lang = "de", .title = "Neue Radwege in der Innenstadt",
				   .body = "Die Stadt baut zwölf Kilometer Radwege.", .comment = text,
				   .author_name = text, .author_email = "", .fill_seconds = -1 };
	struct triage_result r;
	triage_score(NULL, &in, &r);
	free(text);
	return 0;
}
