/* fuzz_route.c — libFuzzer target: URL paths and the request headers the
 * server parses (If-None-Match, Accept-Encoding, HTTP dates). Checks that
 * parsing never crashes and that a route's slug is always a safe slug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "page/page.h"
#include "util/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 2);
	if (!s)
		return 0;
	s[0] = '/';
	memcpy(s + 1, data, size);
	s[size + 1] = '\0';

	struct route r;
	route_parse(s, &r);
	if (r.kind == ROUTE_ARTICLE || r.kind == ROUTE_ARCHIVE || r.kind == ROUTE_ARTICLE_FEED ||
	    r.kind == ROUTE_ARCHIVE_FEED) {
		/* what reaches the store and the templates is [a-z0-9-] */
		if (!r.slug[0] || strspn(r.slug, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
				      strlen(r.slug))
			abort();
	}
	if (r.kind == ROUTE_REDIRECT && r.slug[0] != '/')
		abort(); /* never an open redirect to another host */
	if (r.kind == ROUTE_REDIRECT && r.slug[1] == '/')
		abort();

	cache_etag_matches(s + 1, "\"0123456789abcdef\"");
	cache_pick_encoding(s + 1);
	int64_t t;
	time_parse_http(s + 1, &t);
	time_parse_iso(s + 1, &t);
	free(s);
	return 0;
}
