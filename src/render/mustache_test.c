/* mustache_test.c — unit tests for the Mustache engine: every case of the
 * official spec files (one cmocka test each, from $MUSTACHE_SPEC_DIR) plus
 * table-driven tests of escaping, errors, limits, loading and threads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "render/mustache.h"
#include "util/buf.h"
#include "util/err.h"

#define MAIN "test-template"

/* ---- helpers ------------------------------------------------------------- */

/* A set holding MAIN = tmpl and the given (name, source) partials. */
static struct mustache_set *make_set(const char *tmpl, const char *const *partials)
{
	char err[256];
	struct mustache_set *set = mustache_set_new();
	assert_non_null(set);
	for (; partials && partials[0]; partials += 2) {
		int rc = mustache_set_add(set, partials[0], partials[1], strlen(partials[1]), err, sizeof(err));
		if (rc)
			fail_msg("partial %s: %s", partials[0], err);
	}
	int rc = mustache_set_add(set, MAIN, tmpl, strlen(tmpl), err, sizeof(err));
	if (rc)
		fail_msg("template: %s", err);
	return set;
}

/* Renders MAIN from data (JSON text) and checks the result. */
static void check_render(const char *tmpl, const char *const *partials, const char *data,
			 const char *expected)
{
	struct mustache_set *set = make_set(tmpl, partials);
	json_error_t jerr;
	json_t *ctx = json_loads(data, JSON_DECODE_ANY, &jerr);
	if (!ctx)
		fail_msg("bad test data %s: %s", data, jerr.text);
	struct buf out = BUF_INIT(0);
	int rc = mustache_set_render(set, MAIN, ctx, &out);
	assert_int_equal(rc, DP_OK);
	if (strcmp(buf_cstr(&out), expected)) {
		print_error("template: %s\nexpected: %s\nactual:   %s\n", tmpl, expected, buf_cstr(&out));
		fail();
	}
	buf_release(&out);
	json_decref(ctx);
	mustache_set_free(set);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* ---- the official spec --------------------------------------------------- */

static const char *const spec_files[] = {
	"comments", "delimiters", "interpolation", "inverted", "partials", "sections", "~inheritance",
};

struct spec_case {
	const char *file;
	json_t *test; /* borrowed from the loaded file */
};

static char *quoted(const char *s)
{
	json_t *j = json_string(s);
	char *q = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	return q;
}

static void spec_case(void **state)
{
	const struct spec_case *sc = *state;
	json_t *t = sc->test, *partials = json_object_get(t, "partials"), *val;
	const char *name = json_string_value(json_object_get(t, "name"));
	const char *tmpl = json_string_value(json_object_get(t, "template"));
	const char *expected = json_string_value(json_object_get(t, "expected"));
	const char *key;
	char err[256];
	int rc;

	assert_non_null(tmpl);
	assert_non_null(expected);
	struct mustache_set *set = mustache_set_new();
	assert_non_null(set);
	json_object_foreach(partials, key, val) {
		rc = mustache_set_add(set, key, json_string_value(val), json_string_length(val), err, sizeof(err));
		if (rc)
			fail_msg("%s.json \"%s\": partial %s: %s", sc->file, name, key, err);
	}
	rc = mustache_set_add(set, MAIN, tmpl, strlen(tmpl), err, sizeof(err));
	if (rc)
		fail_msg("%s.json \"%s\": %s", sc->file, name, err);

	struct buf out = BUF_INIT(0);
	rc = mustache_set_render(set, MAIN, json_object_get(t, "data"), &out);
	if (rc || strcmp(buf_cstr(&out), expected)) {
		char *qt = quoted(tmpl), *qe = quoted(expected), *qa = quoted(buf_cstr(&out));
		print_error("%s.json \"%s\" (rc %d)\n  template: %s\n  expected: %s\n  actual:   %s\n",
			    sc->file, name, rc, qt, qe, qa);
		free(qt);
		free(qe);
		free(qa);
		buf_release(&out);
		mustache_set_free(set);
		fail();
	}
	buf_release(&out);
	mustache_set_free(set);
}

static void spec_skipped(void **state)
{
	(void)state;
	print_message("# MUSTACHE_SPEC_DIR is unset or not a folder: spec tests skipped\n");
	skip();
}

static void spec_file_missing(void **state)
{
	fail_msg("cannot load spec file %s", (const char *)*state);
}

/* ---- escaping ------------------------------------------------------------ */

static void test_escape_hostile(void **state)
{
	(void)state;
	static const struct {
		const char *data;     /* JSON */
		const char *tmpl;
		const char *expected;
	} cases[] = {
		{ "{\"x\":\"<script>alert(1)</script>\"}", "<p>{{x}}</p>",
		  "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" },
		{ "{\"x\":\"\\\" onmouseover=\\\"alert(1)\"}", "<a title=\"{{x}}\">",
		  "<a title=\"&quot; onmouseover=&quot;alert(1)\">" },
		{ "{\"x\":\"' onload='x\"}", "<img alt='{{x}}'>", "<img alt='&#39; onload=&#39;x'>" },
		{ "{\"x\":\"&amp; &\"}", "{{x}}", "&amp;amp; &amp;" },
		{ "{\"x\":\"{{y}}\",\"y\":\"no\"}", "{{x}}{{{x}}}", "{{y}}{{y}}" },
		{ "{\"x\":[\"<b>\",\"&\"]}", "{{#x}}{{.}}{{/x}}", "&lt;b&gt;&amp;" },
		{ "{\"a\":{\"b\":\"<i>\"}}", "{{a.b}}|{{#a}}{{b}}{{/a}}", "&lt;i&gt;|&lt;i&gt;" },
		{ "{\"x\":\"<b>bold</b>\"}", "{{{x}}}|{{&x}}|{{& x }}", "<b>bold</b>|<b>bold</b>|<b>bold</b>" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_render(cases[i].tmpl, NULL, cases[i].data, cases[i].expected);

	/* A NUL inside a string does not cut the escaping short. */
	struct mustache_set *set = make_set("{{x}}", NULL);
	json_t *ctx = json_pack("{s:s#}", "x", "a\0<b", (size_t)4);
	struct buf out = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, MAIN, ctx, &out), DP_OK);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.data, "a\0&lt;b", 7);
	buf_release(&out);
	json_decref(ctx);
	mustache_set_free(set);
}

/* ---- values and whitespace ----------------------------------------------- */

static void test_values(void **state)
{
	(void)state;
	static const struct {
		const char *data;
		const char *tmpl;
		const char *expected;
	} cases[] = {
		{ "{\"n\":-9223372036854775808}", "{{n}}", "-9223372036854775808" },
		{ "{\"n\":0}", "{{n}}|{{#n}}zero is truthy{{/n}}", "0|zero is truthy" },
		{ "{\"s\":\"\"}", "[{{#s}}empty string is truthy{{/s}}]", "[empty string is truthy]" },
		{ "{\"r\":0.1}", "{{r}}", "0.1" },
		{ "{\"r\":1e300}", "{{r}}", "1e+300" },
		{ "{\"r\":2.0}", "{{r}}", "2" },
		{ "{\"r\":0.30000000000000004}", "{{r}}", "0.30000000000000004" },
		{ "{\"t\":true,\"f\":false}", "{{t}} {{f}}", "true false" },
		{ "{\"o\":{\"a\":1},\"l\":[1]}", "[{{o}}{{l}}]", "[]" },
		{ "{\"o\":{}}", "{{#o}}empty object is truthy{{/o}}", "empty object is truthy" },
		{ "[1,2]", "{{#.}}{{.}}{{/.}}", "12" },
		{ "{\"a\":{\"b\":null},\"b\":\"outer\"}", "{{#a}}[{{b}}]{{/a}}", "[]" },
		{ "null", "x{{a}}{{#a}}y{{/a}}{{^a}}z{{/a}}", "xz" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_render(cases[i].tmpl, NULL, cases[i].data, cases[i].expected);
}

static void test_whitespace(void **state)
{
	(void)state;
	static const char *const nested[] = {
		"p", "b\n  {{>q}}\n", "q", "c\n\nd\n", NULL,
	};
	static const char *const list[] = {
		"li", "{{#items}}\n<li>{{.}}</li>\n{{/items}}\n", NULL,
	};
	static const char *const layout[] = {
		"layout", "<html>\n  <head>\n    {{$head}}\n    {{/head}}\n  </head>\n  <body>\n    {{$body}}\n    default\n    {{/body}}\n  </body>\n</html>\n",
		"nav", "<nav>{{$links}}none{{/links}}</nav>\n",
		"body", "{{>nav}}main\n",
		NULL,
	};
	/* Indentation adds up and skips empty lines. */
	check_render("a\n  {{>p}}\n", nested, "{}", "a\n  b\n    c\n\n    d\n");
	/* Sections inside an indented partial. */
	check_render("<ul>\n  {{>li}}\n</ul>\n", list, "{\"items\":[\"x\",\"y\"]}",
		     "<ul>\n  <li>x</li>\n  <li>y</li>\n</ul>\n");
	/* Block arguments are re-indented to the place of the block; the
	 * parent's arguments reach blocks in partials it includes. */
	check_render("{{<layout}}\n"
		     "  {{$head}}\n"
		     "  <title>{{t}}</title>\n"
		     "  <meta charset=\"utf-8\">\n"
		     "  {{/head}}\n"
		     "  {{$body}}\n"
		     "      {{>body}}\n"
		     "  {{/body}}\n"
		     "  {{$links}}<a>1</a>{{/links}}\n"
		     "{{/layout}}\n",
		     layout, "{\"t\":\"T\"}",
		     "<html>\n  <head>\n    <title>T</title>\n    <meta charset=\"utf-8\">\n  </head>\n"
		     "  <body>\n    <nav><a>1</a></nav>\n    main\n  </body>\n</html>\n");
	/* An indented parent with an indented argument. */
	static const char *const card[] = {
		"card", "<section>\n  {{$body}}\n  {{/body}}\n</section>\n",
		"parent", "I say,\n  {{$block}}\n  Hi there!\n  {{/block}}", NULL,
	};
	check_render("<div>\n  {{<card}}\n    {{$body}}\n    Hello\n    {{/body}}\n  {{/card}}\n</div>\n",
		     card, "{}", "<div>\n  <section>\n    Hello\n  </section>\n</div>\n");
	check_render("{{<parent}}\n        {{$block}}\n        Hello\n        {{/block}}\n{{/parent}}", card,
		     "{}", "I say,\n  Hello\n");
	/* \r\n line ends and an output that does not end a line. */
	check_render("a\r\n  {{#s}}\r\n  b\r\n  {{/s}}\r\nc", NULL, "{\"s\":true}", "a\r\n  b\r\nc");
}

/* ---- errors -------------------------------------------------------------- */

static void test_syntax_errors(void **state)
{
	(void)state;
	static const struct {
		const char *tmpl;
		const char *msg; /* a part of the message */
	} cases[] = {
		{ "a\n{{#s}}x", MAIN ":2: unclosed section 's'" },
		{ "{{#a}}\n{{#b}}{{/b}}\n{{/c}}", MAIN ":3: close tag 'c' does not match 'a' opened on line 1" },
		{ "{{#a}}{{/b}}{{/a}}", "does not match" },
		{ "x\n\n{{name", MAIN ":3: unclosed tag" },
		{ "{{{name}}", "unclosed tag" },
		{ "{{=<% %>=}}<%x}}", "unclosed tag" },
		{ "{{/a}}", "close tag 'a' without an open section" },
		{ "{{=<% =}}", "bad set-delimiter tag" },
		{ "{{=a b c=}}", "bad set-delimiter tag" },
		{ "{{=a= b=}}", "bad set-delimiter tag" },
		{ "{{}}", "empty tag name" },
		{ "{{#}}{{/}}", "empty tag name" },
		{ "{{a b}}", "blank inside tag name 'a b'" },
		{ "{{> a b}}", "blank inside tag name" },
		{ "{{a..b}}", "bad dotted name 'a..b'" },
		{ "{{.a}}", "bad dotted name" },
		{ "{{<p}}{{$b}}{{/p}}", "does not match" },
		{ "{{$b}}", "unclosed section 'b'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "untouched";
		struct mustache_set *set = mustache_set_new();
		assert_non_null(set);
		int rc = mustache_set_add(set, MAIN, cases[i].tmpl, strlen(cases[i].tmpl), err, sizeof(err));
		if (rc != DP_EPARSE || !strstr(err, cases[i].msg))
			fail_msg("template %s: rc %d, message \"%s\", wanted \"%s\"", cases[i].tmpl, rc, err,
				 cases[i].msg);
		assert_false(mustache_set_has(set, MAIN));
		mustache_set_free(set);
	}

	/* A failed replacement keeps the old template. */
	struct mustache_set *set = make_set("old", NULL);
	char err[8]; /* short: the message is cut, still terminated */
	assert_int_equal(mustache_set_add(set, MAIN, "{{#x}}", 6, err, sizeof(err)), DP_EPARSE);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(mustache_set_add(set, "", "x", 1, NULL, 0), DP_EINVAL);
	struct buf out = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, MAIN, NULL, &out), DP_OK);
	assert_string_equal(buf_cstr(&out), "old");
	buf_release(&out);
	mustache_set_free(set);
}

static void test_missing(void **state)
{
	(void)state;
	struct mustache_set *set = make_set("[{{>nope}}|{{<gone}}{{$a}}x{{/a}}{{/gone}}]", NULL);
	struct buf out = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, "other", NULL, &out), DP_ENOTFOUND);
	assert_int_equal(out.len, 0);
	/* Names only referenced do not count as templates. */
	assert_false(mustache_set_has(set, "nope"));
	assert_false(mustache_set_has(set, "gone"));
	assert_int_equal(mustache_set_render(set, "nope", NULL, &out), DP_ENOTFOUND);
	assert_int_equal(mustache_set_render(set, MAIN, NULL, &out), DP_OK);
	assert_string_equal(buf_cstr(&out), "[|]");
	/* A partial added later is found; a replaced one is used. */
	assert_int_equal(mustache_set_add(set, "nope", "N", 1, NULL, 0), DP_OK);
	assert_int_equal(mustache_set_add(set, "nope", "M", 1, NULL, 0), DP_OK);
	assert_true(mustache_set_has(set, "nope"));
	buf_reset(&out);
	out.data[0] = 'z';
	out.len = 1; /* render appends */
	assert_int_equal(mustache_set_render(set, MAIN, NULL, &out), DP_OK);
	assert_string_equal(buf_cstr(&out), "z[M|]");
	buf_release(&out);
	mustache_set_free(set);
	mustache_set_free(NULL);
}

static void test_limits(void **state)
{
	(void)state;
	static const struct {
		const char *tmpl;
		const char *const partials[5];
	} loops[] = {
		{ "{{>self}}", { "self", "x{{>self}}", NULL } },
		{ "{{>self}}", { "self", "  {{>self}}\n", NULL } },
		{ "{{<self}}{{/self}}", { "self", "{{<self}}{{/self}}", NULL } },
		{ "{{>a}}", { "a", "{{>b}}", "b", "{{#x}}{{>a}}{{/x}}" } },
		/* An argument that expands its own block. */
		{ "{{<p}}{{$b}}<{{$b}}{{/b}}>{{/b}}{{/p}}", { "p", "{{$b}}{{/b}}", NULL } },
	};
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		struct mustache_set *set = make_set(loops[i].tmpl, loops[i].partials);
		struct buf out = BUF_INIT(0);
		json_t *ctx = json_pack("{s:b}", "x", 1);
		assert_int_equal(mustache_set_render(set, MAIN, ctx, &out), DP_ETOOBIG);
		assert_true(out.len < 100000);
		buf_release(&out);
		json_decref(ctx);
		mustache_set_free(set);
	}

	/* Legitimate recursion over a deep tree works. */
	static const char *const tree[] = { "node", "{{name}}({{#kids}}{{>node}}{{/kids}})", NULL };
	json_t *root = json_pack("{s:s,s:[]}", "name", "leaf", "kids");
	for (int d = 0; d < 40; d++)
		root = json_pack("{s:s,s:[o]}", "name", "n", "kids", root);
	struct mustache_set *set = make_set("{{>node}}", tree);
	struct buf out = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, MAIN, root, &out), DP_OK);
	assert_int_equal(strncmp(buf_cstr(&out), "n(n(n(", 6), 0);
	buf_release(&out);
	json_decref(root);
	mustache_set_free(set);

	/* Runaway output stops at the buffer's cap. */
	json_t *big = json_array();
	for (int k = 0; k < 10000; k++)
		json_array_append_new(big, json_integer(k));
	json_t *ctx = json_pack("{s:o}", "l", big);
	set = make_set("{{#l}}{{#l}}{{.}}{{/l}}{{/l}}", NULL);
	buf_init(&out, 1 << 16);
	assert_int_equal(mustache_set_render(set, MAIN, ctx, &out), DP_ETOOBIG);
	buf_release(&out);
	json_decref(ctx);
	mustache_set_free(set);
}

/* ---- loading a folder ---------------------------------------------------- */

static void test_load_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/mustache_test.XXXXXX", path[512], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/partials", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/partials/deep", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/article.mustache", dir);
	write_file(path, "<html>\n  {{>partials/head}}\n<p>{{body}}</p>\n</html>\n");
	snprintf(path, sizeof(path), "%s/partials/head.mustache", dir);
	write_file(path, "<head>\n  <title>{{title}}</title>\n</head>\n");
	snprintf(path, sizeof(path), "%s/partials/deep/x.mustache", dir);
	write_file(path, "x");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "{{#not a template");
	snprintf(path, sizeof(path), "%s/.hidden.mustache", dir);
	write_file(path, "{{#broken");

	struct mustache_set *set = mustache_set_new();
	assert_non_null(set);
	int rc = mustache_set_load_dir(set, dir, err, sizeof(err));
	if (rc)
		fail_msg("load_dir: %s", err);
	assert_true(mustache_set_has(set, "article"));
	assert_true(mustache_set_has(set, "partials/head"));
	assert_true(mustache_set_has(set, "partials/deep/x"));
	assert_false(mustache_set_has(set, "notes"));
	assert_false(mustache_set_has(set, ".hidden"));
	json_t *ctx = json_pack("{s:s,s:s}", "title", "A & B", "body", "text");
	struct buf out = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, "article", ctx, &out), DP_OK);
	assert_string_equal(buf_cstr(&out),
			    "<html>\n  <head>\n    <title>A &amp; B</title>\n  </head>\n<p>text</p>\n</html>\n");
	buf_release(&out);
	json_decref(ctx);
	mustache_set_free(set);

	/* A template with a syntax error fails the load and names itself. */
	snprintf(path, sizeof(path), "%s/partials/bad.mustache", dir);
	write_file(path, "ok\n{{/x}}");
	set = mustache_set_new();
	assert_int_equal(mustache_set_load_dir(set, dir, err, sizeof(err)), DP_EPARSE);
	assert_non_null(strstr(err, "partials/bad:2:"));
	mustache_set_free(set);

	set = mustache_set_new();
	snprintf(path, sizeof(path), "%s/no-such-folder", dir);
	assert_int_equal(mustache_set_load_dir(set, path, err, sizeof(err)), DP_EIO);
	mustache_set_free(set);

	static const char *const files[] = {
		"partials/bad.mustache", "partials/deep/x.mustache", "partials/head.mustache",
		"article.mustache", "notes.txt", ".hidden.mustache",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	snprintf(path, sizeof(path), "%s/partials/deep", dir);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/partials", dir);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- a news page: threads and speed -------------------------------------- */

/* A ~25 KB page: 50 interpolations (some with text to escape), a 20-item
 * list, a standalone partial. */
static struct mustache_set *news_set(json_t **ret_ctx)
{
	struct buf t = BUF_INIT(0);
	static const char filler[] =
		"<p class=\"lead\">Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do "
		"eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, "
		"quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>\n";
	buf_puts(&t, "<!doctype html>\n<html lang=\"{{lang}}\">\n<head>\n  {{>head}}\n</head>\n<body>\n");
	for (int i = 0; i < 50; i++) {
		buf_printf(&t, "<section id=\"s%d\">\n  <h2>{{%s}}</h2>\n", i,
			   i % 3 == 0 ? "title" : i % 3 == 1 ? "site.name" : "author.name");
		buf_puts(&t, filler);
		buf_puts(&t, filler);
		buf_puts(&t, "</section>\n");
	}
	buf_puts(&t, "<ul class=\"related\">\n{{#related}}\n  <li><a href=\"/a/{{slug}}\">{{title}}</a> "
		     "<time>{{date}}</time> {{#hot}}<b>hot</b>{{/hot}}</li>\n{{/related}}\n</ul>\n"
		     "{{^related}}nothing{{/related}}\n</body>\n</html>\n");
	assert_int_equal(buf_error(&t), DP_OK);
	static const char *const partials[] = {
		"head", "<meta charset=\"utf-8\">\n<title>{{title}} – {{site.name}}</title>\n", NULL,
	};
	struct mustache_set *set = make_set(buf_cstr(&t), partials);
	buf_release(&t);

	json_t *related = json_array();
	for (int i = 0; i < 20; i++)
		json_array_append_new(related, json_pack("{s:s,s:s,s:s,s:b}", "slug", "some-article-slug",
							 "title", "A headline with <b>markup</b> & more",
							 "date", "2024-05-01", "hot", i % 4 == 0));
	*ret_ctx = json_pack("{s:s,s:s,s:{s:s},s:{s:s},s:o}", "lang", "de", "title",
			     "Breaking: \"quotes\" & <tags>", "site", "name", "Depesche", "author", "name",
			     "Jane O'Doe", "related", related);
	assert_non_null(*ret_ctx);
	return set;
}

struct thread_arg {
	const struct mustache_set *set;
	json_t *ctx;
	const char *expected;
	int failures;
};

static void *render_thread(void *p)
{
	struct thread_arg *a = p;
	struct buf out = BUF_INIT(0);
	for (int i = 0; i < 500; i++) {
		buf_reset(&out);
		if (mustache_set_render(a->set, MAIN, a->ctx, &out) || strcmp(buf_cstr(&out), a->expected))
			a->failures++;
	}
	buf_release(&out);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	json_t *ctx;
	struct mustache_set *set = news_set(&ctx);
	struct buf ref = BUF_INIT(0);
	assert_int_equal(mustache_set_render(set, MAIN, ctx, &ref), DP_OK);
	assert_non_null(strstr(buf_cstr(&ref), "<title>Breaking: &quot;quotes&quot; &amp; &lt;tags&gt; – Depesche</title>"));
	assert_non_null(strstr(buf_cstr(&ref), "  <li><a href=\"/a/some-article-slug\">"));

	pthread_t th[8];
	struct thread_arg args[8];
	for (int i = 0; i < 8; i++) {
		args[i] = (struct thread_arg){ set, ctx, buf_cstr(&ref), 0 };
		assert_int_equal(pthread_create(&th[i], NULL, render_thread, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].failures, 0);
	}
	buf_release(&ref);
	json_decref(ctx);
	mustache_set_free(set);
}

/* Prints the CPU time per render of the news page (thread CPU time, so a
 * busy machine does not inflate it); MUSTACHE_BENCH=n sets the count. */
static void test_speed(void **state)
{
	(void)state;
	json_t *ctx;
	struct mustache_set *set = news_set(&ctx);
	const char *env = getenv("MUSTACHE_BENCH");
	long n = env ? atol(env) : 2000;
	if (n <= 0)
		n = 2000;
	struct buf out = BUF_INIT(0);
	struct timespec a, b;
	size_t len = 0;

	assert_int_equal(mustache_set_render(set, MAIN, ctx, &out), DP_OK); /* warm up */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++) {
		buf_reset(&out);
		mustache_set_render(set, MAIN, ctx, &out);
		len = out.len;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	assert_int_equal(buf_error(&out), DP_OK);
	double us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / (double)n;
	print_message("# news page: %zu bytes, %.2f us CPU per render (%ld renders)\n", len, us, n);
	buf_release(&out);
	json_decref(ctx);
	mustache_set_free(set);
}

/* ---- main ---------------------------------------------------------------- */

int main(void)
{
	static const struct CMUnitTest own[] = {
		cmocka_unit_test(test_escape_hostile),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_load_dir),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_speed),
	};
	const size_t nfiles = sizeof(spec_files) / sizeof(spec_files[0]);
	size_t nown = sizeof(own) / sizeof(own[0]), n = nown, cap = nown + 1;
	json_t *docs[sizeof(spec_files) / sizeof(spec_files[0])] = { NULL };
	struct CMUnitTest *tests = NULL;
	struct spec_case *cases = NULL;
	char **names = NULL;
	size_t ncases = 0;
	struct stat st;
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	bool have_spec = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);

	if (have_spec) {
		for (size_t f = 0; f < nfiles; f++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s.json", dir, spec_files[f]);
			docs[f] = json_load_file(path, 0, NULL);
			cap += json_array_size(json_object_get(docs[f], "tests")) + 1;
		}
	}
	tests = calloc(cap, sizeof(*tests));
	cases = calloc(cap, sizeof(*cases));
	names = calloc(cap, sizeof(*names));
	if (!tests || !cases || !names)
		return 1;
	memcpy(tests, own, sizeof(own));

	if (!have_spec) {
		/* cmocka 1.1.5 writes a skipped test as "not ok N # SKIP", which
		 * meson's TAP parser counts as a failure: under TAP the skip is a
		 * comment line instead. */
		const char *fmt = getenv("CMOCKA_MESSAGE_OUTPUT");
		if (fmt && !strcasecmp(fmt, "TAP"))
			printf("# SKIP spec tests: MUSTACHE_SPEC_DIR is unset or not a folder\n");
		else
			tests[n++] = (struct CMUnitTest){ .name = "spec (skipped)", .test_func = spec_skipped };
	}
	for (size_t f = 0; have_spec && f < nfiles; f++) {
		json_t *arr = json_object_get(docs[f], "tests"), *t;
		size_t k;
		if (!json_is_array(arr)) {
			tests[n++] = (struct CMUnitTest){ .name = spec_files[f], .test_func = spec_file_missing,
							  .initial_state = (void *)spec_files[f] };
			continue;
		}
		json_array_foreach(arr, k, t) {
			const char *tn = json_string_value(json_object_get(t, "name"));
			size_t len = strlen(spec_files[f]) + (tn ? strlen(tn) : 0) + 4;
			names[ncases] = malloc(len);
			if (!names[ncases])
				return 1;
			snprintf(names[ncases], len, "%s: %s", spec_files[f], tn ? tn : "?");
			cases[ncases] = (struct spec_case){ spec_files[f], t };
			tests[n++] = (struct CMUnitTest){ .name = names[ncases], .test_func = spec_case,
							  .initial_state = &cases[ncases] };
			ncases++;
		}
	}

	int failed = _cmocka_run_group_tests("mustache", tests, n, NULL, NULL);

	for (size_t i = 0; i < ncases; i++)
		free(names[i]);
	for (size_t f = 0; f < nfiles; f++)
		json_decref(docs[f]);
	free(names);
	free(cases);
	free(tests);
	return failed;
}
