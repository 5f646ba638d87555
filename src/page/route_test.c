/* route_test.c — URL paths to routes, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "page/page.h"

static void test_routes(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		enum route_kind kind;
		const char *slug;
		unsigned page;
	} cases[] = {
		{ "/", ROUTE_HOME, "", 1 },
		{ "/page/2/", ROUTE_HOME, "", 2 },
		{ "/jobs/", ROUTE_JOBS, "", 1 },
		{ "/jobs/page/3/", ROUTE_JOBS, "", 3 },
		{ "/jobs/page/1/", ROUTE_REDIRECT, "/jobs/", 1 },
		{ "/jobs/feed/", ROUTE_JOBS_FEED, "", 1 },
		{ "/jobs/redakteurin-politik/", ROUTE_JOB, "redakteurin-politik", 1 },
		{ "/jobs/Bad_Slug/", ROUTE_NOT_FOUND, "", 1 },
		{ "/jobs", ROUTE_REDIRECT, "/jobs/", 1 },
		{ "/page/1/", ROUTE_REDIRECT, "/", 1 },
		{ "/page/0/", ROUTE_NOT_FOUND, "", 1 },
		{ "/page/x/", ROUTE_NOT_FOUND, "", 1 },
		{ "/page/9999999/", ROUTE_NOT_FOUND, "", 1 },
		{ "/neue-bahnstrecke/", ROUTE_ARTICLE, "neue-bahnstrecke", 1 },
		{ "/neue-bahnstrecke", ROUTE_REDIRECT, "/neue-bahnstrecke/", 1 },
		{ "/neue-bahnstrecke/feed/", ROUTE_ARTICLE_FEED, "neue-bahnstrecke", 1 },
		{ "/Neue/", ROUTE_NOT_FOUND, "", 1 },
		{ "/feed/", ROUTE_FEED_RSS, "", 1 },
		{ "/feed/atom/", ROUTE_FEED_ATOM, "", 1 },
		{ "/feed/json/", ROUTE_FEED_JSON, "", 1 },
		{ "/feed", ROUTE_REDIRECT, "/feed/", 1 },
		{ "/tag/ki/", ROUTE_ARCHIVE, "ki", 1 },
		{ "/tag/ki/page/3/", ROUTE_ARCHIVE, "ki", 3 },
		{ "/tag/ki/page/1/", ROUTE_REDIRECT, "/tag/ki/", 1 },
		{ "/tag/ki/feed/", ROUTE_ARCHIVE_FEED, "ki", 1 },
		{ "/category/technik/", ROUTE_ARCHIVE, "technik", 1 },
		{ "/author/anna-berg/feed/", ROUTE_ARCHIVE_FEED, "anna-berg", 1 },
		{ "/tag/", ROUTE_NOT_FOUND, "", 1 },
		{ "/sitemap.xml", ROUTE_SITEMAP, "", 1 },
		{ "/news-sitemap.xml", ROUTE_NEWS_SITEMAP, "", 1 },
		{ "/robots.txt", ROUTE_ROBOTS, "", 1 },
		{ "/healthz", ROUTE_HEALTHZ, "", 1 },
		{ "/assets/style.css", ROUTE_ASSET, "style.css", 1 },
		{ "/assets/.hidden", ROUTE_NOT_FOUND, "", 1 },
		{ "/assets/../site.json", ROUTE_BAD_REQUEST, "", 1 },
		{ "/a//b/", ROUTE_BAD_REQUEST, "", 1 },
		{ "/x\x01y/", ROUTE_BAD_REQUEST, "", 1 },
		{ "relative", ROUTE_BAD_REQUEST, "", 1 },
		{ "/a/b/c/d/e/f/g/h/", ROUTE_NOT_FOUND, "", 1 },
		{ "/wp-login.php", ROUTE_NOT_FOUND, "", 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct route r;
		route_parse(cases[i].path, &r);
		if (r.kind != cases[i].kind)
			fail_msg("%s: kind %d, want %d", cases[i].path, r.kind, cases[i].kind);
		if (r.kind != ROUTE_NOT_FOUND && r.kind != ROUTE_BAD_REQUEST)
			assert_string_equal(r.slug, cases[i].slug);
		assert_int_equal(r.page, cases[i].page);
	}
}

static void test_long_path(void **state)
{
	(void)state;
	char path[2100];
	memset(path, 'a', sizeof path);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	struct route r;
	route_parse(path, &r);
	assert_int_equal(r.kind, ROUTE_BAD_REQUEST);
	path[300] = '\0'; /* a 299-byte slug: too long for any article */
	route_parse(path, &r);
	assert_int_equal(r.kind, ROUTE_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_long_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
