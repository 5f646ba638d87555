/* cache_test.c — validators and content negotiation (RFC 9110 §12.5.3,
 * §13.1.2); storing and invalidation are tested through the real server in
 * tests/integration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache/cache.h"

static void test_etag_matching(void **state)
{
	(void)state;
	static const struct { const char *inm; int match; } cases[] = {
		{ "\"abc\"", 1 },
		{ "W/\"abc\"", 1 },                 /* weak comparison */
		{ "\"x\", \"abc\"", 1 },
		{ "\"x\",\"y\"", 0 },
		{ "*", 1 },
		{ "abc", 0 },                       /* unquoted: malformed */
		{ "\"abc", 0 },
		{ "", 0 },
		{ "\"ab\"", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(cache_etag_matches(cases[i].inm, "\"abc\""), cases[i].match);
}

static void test_encoding(void **state)
{
	(void)state;
	static const struct { const char *ae; enum cache_enc enc; } cases[] = {
		{ NULL, ENC_IDENTITY },
		{ "", ENC_IDENTITY },
		{ "gzip", ENC_GZIP },
		{ "gzip, deflate, br", ENC_BR },
		{ "br;q=0, gzip", ENC_GZIP },
		{ "gzip;q=0.5, br;q=0.4", ENC_GZIP },
		{ "identity", ENC_IDENTITY },
		{ "*", ENC_BR },
		{ "GZIP", ENC_GZIP },
		{ "gzip;q=0", ENC_IDENTITY },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(cache_pick_encoding(cases[i].ae), cases[i].enc);
}

static void test_keys(void **state)
{
	(void)state;
	assert_int_equal(cache_key("a:42"), cache_keyf("a:%d", 42));
	assert_int_not_equal(cache_key("a:42"), cache_key("a:43"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_etag_matching),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
