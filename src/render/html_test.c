/* html_test.c — the escapers against a table of hostile inputs, and the
 * Markdown renderer's safety rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "render/comment.h"
#include "render/date.h"
#include "render/html.h"
#include "render/markdown.h"
#include "util/err.h"

typedef void (*escaper)(struct buf *, const char *);

static void check(escaper fn, const char *in, const char *want)
{
	struct buf b = BUF_INIT(0);
	fn(&b, in);
	assert_int_equal(buf_error(&b), DP_OK);
	assert_string_equal(buf_cstr(&b), want);
	buf_release(&b);
}

static void test_html_txt(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "plain", "plain" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\" onmouseover='x'", "&quot; onmouseover=&#39;x&#39;" },
		{ "&amp;", "&amp;amp;" },
		{ "Grüße", "Grüße" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check(html_txt, cases[i].in, cases[i].want);
	check(html_txt, NULL, "");
}

static void test_xml_txt(void **state)
{
	(void)state;
	check(xml_txt, "<a href=\"x\">&'", "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
	check(xml_txt, "bell\x07 and tab\t", "bell and tab\t");
	check(xml_txt, "]]>", "]]&gt;");
	check(xml_txt, "x\xef\xbf\xbey", "xy"); /* U+FFFE is not an XML character */
}

static void test_url_arg(void **state)
{
	(void)state;
	check(url_arg, "Neue Bahnstrecke & mehr", "Neue%20Bahnstrecke%20%26%20mehr");
	check(url_arg, "ä", "%C3%A4");
	check(url_arg, "a-b_c.d~e", "a-b_c.d~e");
	check(url_arg, "\"><script>", "%22%3E%3Cscript%3E");
}

static void test_markdown_drops_raw_html(void **state)
{
	(void)state;
	const char *md = "Hallo <script>alert(1)</script> Welt\n\n<img src=x onerror=alert(1)>\n\n"
			 "[klick](javascript:alert(1))\n\n# Titel\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n";
	char *html = NULL, *ex = NULL;
	assert_int_equal(markdown_render(md, strlen(md), false, 300, &html, &ex), DP_OK);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "javascript:"));
	assert_non_null(strstr(html, "<h2>Titel</h2>"));
	assert_non_null(strstr(html, "<table tabindex=\"0\">"));
	assert_null(strstr(html, " align="));
	assert_non_null(strstr(html, "<td class=\"align-right\">2</td>"));
	assert_null(strstr(ex, "<"));
	free(html);
	free(ex);
	/* ## under the headline stays <h2>; ### below it becomes <h3>. */
	assert_int_equal(markdown_render("## A\n\n### B\n", 14, false, 300, &html, &ex), DP_OK);
	assert_non_null(strstr(html, "<h2>A</h2>"));
	assert_non_null(strstr(html, "<h3>B</h3>"));
	free(html);
	free(ex);
	/* With the site setting on, raw HTML passes. */
	assert_int_equal(markdown_render("<b>x</b>", 8, true, 300, &html, &ex), DP_OK);
	assert_non_null(strstr(html, "<b>x</b>"));
	free(html);
	free(ex);
}

static void test_markdown_excerpt(void **state)
{
	(void)state;
	char md[4000];
	memset(md, 0, sizeof md);
	for (int i = 0; i < 200; i++)
		strcat(md, "Wort ");
	char *html = NULL, *ex = NULL;
	assert_int_equal(markdown_render(md, strlen(md), false, 50, &html, &ex), DP_OK);
	assert_true(strlen(ex) <= 50 + strlen("…"));
	assert_non_null(strstr(ex, "…"));
	free(html);
	free(ex);
}

static void test_dates_human(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	char out[64];
	date_human(out, sizeof out, 1795773600, "de"); /* 2026-11-27T10:00Z */
	assert_string_equal(out, "27. November 2026");
	date_human(out, sizeof out, 1795773600, "en");
	assert_string_equal(out, "November 27, 2026");
	date_human(out, sizeof out, 1772323200, "de"); /* 2026-03-01 */
	assert_string_equal(out, "1. März 2026");
}

static void test_comment_html(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "Danke!", "<p>Danke!</p>\n" },
		{ "a\nb", "<p>a<br>\nb</p>\n" },
		{ "a\n\n\nb", "<p>a</p>\n<p>b</p>\n" },
		{ "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n" },
		{ "siehe https://example.org/x?a=1&b=2.",
		  "<p>siehe <a href=\"https://example.org/x?a=1&amp;b=2\" rel=\"nofollow ugc noopener\">"
		  "https://example.org/x?a=1&amp;b=2</a>.</p>\n" },
		{ "www.example.org", "<p><a href=\"https://www.example.org\" rel=\"nofollow ugc noopener\">"
				     "www.example.org</a></p>\n" },
		{ "javascript:alert(1)", "<p>javascript:alert(1)</p>\n" },
		{ "https://x.de\"onmouseover=alert(1)", "<p><a href=\"https://x.de\" rel=\"nofollow ugc noopener\">"
							"https://x.de</a>&quot;onmouseover=alert(1)</p>\n" },
		{ "ahttp://x.de", "<p>ahttp://x.de</p>\n" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = BUF_INIT(0);
		assert_int_equal(comment_html(&b, cases[i].in), DP_OK);
		assert_string_equal(buf_cstr(&b), cases[i].want);
		buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_txt),
		cmocka_unit_test(test_xml_txt),
		cmocka_unit_test(test_url_arg),
		cmocka_unit_test(test_markdown_drops_raw_html),
		cmocka_unit_test(test_markdown_excerpt),
		cmocka_unit_test(test_dates_human),
		cmocka_unit_test(test_comment_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
