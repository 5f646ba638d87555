/* fuzz_mustache.c — libFuzzer target: template source (themes are edited by
 * site owners). The first part of the input is a template, the rest JSON
 * data; compile errors are fine, crashes, leaks and hangs are not. */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "render/mustache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0, size);
	size_t tlen = sep ? (size_t)(sep - data) : size;
	struct mustache_set *set = mustache_set_new();
	if (!set)
		return 0;
	char err[256];
	mustache_set_add(set, "p", "[{{x}}{{>t}}]", 13, err, sizeof err);
	if (mustache_set_add(set, "t", (const char *)data, tlen, err, sizeof err) == 0) {
		json_t *ctx = NULL;
		if (sep)
			ctx = json_loadb((const char *)sep + 1, size - tlen - 1, 0, NULL);
		if (!ctx)
			ctx = json_pack("{s:s, s:[i, i], s:{s:b}}", "x", "<&>", "list", 1, 2, "o", "b", 1);
		struct buf out = BUF_INIT(1 << 20);
		mustache_set_render(set, "t", ctx, &out);
		buf_release(&out);
		mustache_set_render(set, "p", ctx, &out);
		buf_release(&out);
		json_decref(ctx);
	}
	mustache_set_free(set);
	return 0;
}
