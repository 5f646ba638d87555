/* fuzz_markdown.c — libFuzzer target: article Markdown as an editor sends it.
 * In the default (safe) mode no raw HTML may come out: no <script> element,
 * no javascript:/vbscript: link or image. (The excerpt is plain text and may
 * hold a '<' that came from an entity: templates escape it.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = NULL, *excerpt = NULL;
	if (markdown_render((const char *)data, size, false, 300, &html, &excerpt) == 0) {
		if (strcasestr(html, "<script") || strcasestr(html, "href=\"javascript:") ||
		    strcasestr(html, "src=\"javascript:") || strcasestr(html, "href=\"vbscript:"))
			abort();
	}
	free(html);
	free(excerpt);
	return 0;
}
