/* util_test.c — buffer, UTF-8 and date parsing, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

static void test_buf_cap_is_sticky(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "1234"), DP_OK);
	assert_int_equal(buf_puts(&b, "56789"), DP_ETOOBIG);
	assert_int_equal(buf_puts(&b, "x"), DP_ETOOBIG); /* sticky */
	assert_string_equal(buf_cstr(&b), "1234");
	assert_null(buf_take(&b, NULL));
	buf_release(&b);
}

static void test_buf_printf_and_take(void **state)
{
	(void)state;
	struct buf b = BUF_INIT(0);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(buf_error(&b), DP_OK);
	size_t len;
	char *s = buf_take(&b, &len);
	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	assert_memory_equal(s, "0,1,2,", 6);
	free(s);
	assert_int_equal(b.len, 0);
	s = buf_take(&b, NULL); /* empty, not NULL */
	assert_string_equal(s, "");
	free(s);
}

static void test_utf8(void **state)
{
	(void)state;
	static const struct { const char *s; int valid; } cases[] = {
		{ "plain", 1 },
		{ "Grüße aus Köln", 1 },
		{ "\xe2\x80\x93 dash", 1 },
		{ "\xf0\x9f\x98\x80", 1 },
		{ "\xc3", 0 },               /* truncated */
		{ "\xc0\xaf", 0 },           /* overlong */
		{ "\xed\xa0\x80", 0 },       /* surrogate */
		{ "\xf4\x90\x80\x80", 0 },   /* > U+10FFFF */
		{ "\xff", 0 },
		{ "ok\x80", 0 },             /* stray continuation */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].valid);
	assert_true(utf8_has_control("a\x01b", ""));
	assert_true(utf8_has_control("a\nb", ""));
	assert_false(utf8_has_control("a\nb", "\n"));
	assert_true(utf8_has_control("a\xc2\x85", "\n")); /* C1 NEL */
	assert_true(utf8_has_control("a\x7f", ""));
	assert_int_equal(utf8_len("Grüße"), 5);
	assert_int_equal(utf8_prefix("Grüße", 3), 4);
}

static void test_iso_dates(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	static const struct { const char *s; int ok; int64_t t; } cases[] = {
		{ "2026-11-27T10:00:00Z", 1, 1795773600 },
		{ "2026-11-27T11:00:00+01:00", 1, 1795773600 },
		{ "2026-11-27T11:00:00+0100", 1, 1795773600 },
		{ "2026-11-27T10:00", 1, 1795773600 },
		{ "2026-11-27 10:00:00", 1, 1795773600 },
		{ "2026-11-27T10:00:00.123Z", 1, 1795773600 },
		{ "2026-11-27", 1, 1795737600 },
		{ "2026-02-30", 0, 0 },
		{ "2026-13-01", 0, 0 },
		{ "2026-11-27T25:00", 0, 0 },
		{ "2026-11-27T10:00:00X", 0, 0 },
		{ "27.11.2026", 0, 0 },
		{ "", 0, 0 },
		{ "2026-11-27T10:00:00Zjunk", 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t t = 0;
		int rc = time_parse_iso(cases[i].s, &t);
		assert_int_equal(rc == DP_OK, cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(t, cases[i].t);
	}
}

static void test_http_dates(void **state)
{
	(void)state;
	char out[32];
	time_fmt_http(out, sizeof out, 784111777);
	assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	int64_t t;
	assert_int_equal(time_parse_http("Sun, 06 Nov 1994 08:49:37 GMT", &t), DP_OK);
	assert_int_equal(t, 784111777);
	assert_int_equal(time_parse_http("Sunday, 06-Nov-94 08:49:37 GMT", &t), DP_OK);
	assert_int_equal(t, 784111777);
	assert_int_equal(time_parse_http("Sun Nov  6 08:49:37 1994", &t), DP_OK);
	assert_int_equal(t, 784111777);
	assert_int_not_equal(time_parse_http("yesterday", &t), DP_OK);
	time_fmt_iso_utc(out, sizeof out, 784111777);
	assert_string_equal(out, "1994-11-06T08:49:37Z");
}

static void test_array_reserve(void **state)
{
	(void)state;
	int *a = NULL;
	size_t cap = 0;
	assert_int_equal(array_reserve(&a, &cap, 1, sizeof *a), DP_OK);
	assert_non_null(a);
	assert_int_equal(cap, 8);
	for (int i = 0; i < 8; i++)
		a[i] = i;
	int *before = a;
	assert_int_equal(array_reserve(&a, &cap, 8, sizeof *a), DP_OK);
	assert_ptr_equal(a, before); /* room enough: nothing moves */
	assert_int_equal(array_reserve(&a, &cap, 20, sizeof *a), DP_OK);
	assert_int_equal(cap, 32);
	for (int i = 0; i < 8; i++)
		assert_int_equal(a[i], i); /* kept across the growth */
	assert_int_equal(array_reserve(&a, &cap, (size_t)-1 / 2, sizeof *a), DP_ENOMEM);
	assert_int_equal(cap, 32); /* a failure leaves it as it was */
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_reserve),
		cmocka_unit_test(test_buf_cap_is_sticky),
		cmocka_unit_test(test_buf_printf_and_take),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_iso_dates),
		cmocka_unit_test(test_http_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
