/* comment_test.c — unit tests of the store's comments, accounts, sessions,
 * API tokens, audit log and kv table (SQLite backend).
 *
 * Every test works on its own database file in one mkdtemp() folder. A few
 * checks look at the file through a second, raw SQLite connection, to set
 * times the store takes from the clock or to count rows it cannot show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/test_fixture.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/err.h"

/* A fixed time in the past for comments whose created_at the test sets. */
#define T0 ((int64_t)1700000000)
#define HOUR ((int64_t)3600)

/* A published article; returns its id. */
static int64_t article(struct store *s, const char *slug)
{
	char title[128];
	snprintf(title, sizeof title, "Title of %s", slug);
	struct article a = {
		.slug = (char *)slug,
		.title = title,
		.body_md = "Body.",
		.body_html = "<p>Body.</p>",
		.status = ARTICLE_PUBLISHED,
		.published_at = T0 - 100 * HOUR,
	};
	assert_int_equal(store_article_save(s, &a, NULL, 0, NULL, NULL), DP_OK);
	return a.id;
}

/* Adds a comment and returns store_comment_add()'s result; *ret_id (if
 * not NULL) receives the id. created_at 0: now. */
static int comment(struct store *s, int64_t article_id, int64_t parent_id,
		   enum comment_status status, const char *text, int64_t created_at,
		   int64_t *ret_id)
{
	struct comment c = {
		.article_id = article_id,
		.parent_id = parent_id,
		.author_name = "Leserin",
		.text = (char *)text,
		.status = status,
		.created_at = created_at,
	};
	int rc = store_comment_add(s, &c);
	if (ret_id)
		*ret_id = rc ? 0 : c.id;
	return rc;
}

/* As comment(), asserting success; returns the id. */
static int64_t comment_ok(struct store *s, int64_t article_id, int64_t parent_id,
			  enum comment_status status, const char *text, int64_t created_at)
{
	int64_t id;
	assert_int_equal(comment(s, article_id, parent_id, status, text, created_at, &id), DP_OK);
	assert_true(id > 0);
	return id;
}

static int64_t last_change(struct store *s)
{
	int64_t v = -1;
	assert_int_equal(store_last_change(s, &v), DP_OK);
	return v;
}

/* Runs sql (no results) on a raw connection to path. */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* ---- comments ---- */

static void test_add_get(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a");
	int64_t before = (int64_t)time(NULL);

	struct comment c = {
		.article_id = a,
		.author_name = "Anna Berg",
		.author_email = "anna@example.org",
		.text = "Ein guter Text über <b>Bahnstrecken</b>.",
		.ip = "2001:db8::1",
		.status = COMMENT_PENDING,
		.notify = true,
		.verdict = "ok",
		.score = 0.25,
		.reasons = "[\"fine\"]",
	};
	assert_int_equal(store_comment_add(s, &c), DP_OK);
	assert_true(c.id > 0);
	assert_int_equal(c.depth, 0);
	assert_true(c.created_at >= before && c.created_at <= (int64_t)time(NULL));
	assert_int_equal(c.updated_at, c.created_at);

	struct comment g;
	assert_int_equal(store_comment_get(s, c.id, &g), DP_OK);
	assert_int_equal(g.id, c.id);
	assert_int_equal(g.article_id, a);
	assert_int_equal(g.parent_id, 0);
	assert_int_equal(g.depth, 0);
	assert_string_equal(g.author_name, "Anna Berg");
	assert_string_equal(g.author_email, "anna@example.org");
	assert_string_equal(g.text, c.text);
	assert_string_equal(g.ip, "2001:db8::1");
	assert_int_equal(g.status, COMMENT_PENDING);
	assert_true(g.notify);
	assert_false(g.by_site);
	assert_string_equal(g.verdict, "ok");
	assert_true(g.score > 0.249 && g.score < 0.251);
	assert_string_equal(g.reasons, "[\"fine\"]");
	assert_int_equal(g.created_at, c.created_at);
	assert_int_equal(g.updated_at, c.updated_at);
	assert_null(g.article_slug);
	assert_null(g.article_title);
	comment_release(&g);
	comment_release(&g); /* released twice: harmless */

	/* Left out: "" and an empty reasons array; a caller's created_at stays. */
	int64_t id = comment_ok(s, a, 0, COMMENT_APPROVED, "Kurz.", T0);
	assert_int_equal(store_comment_get(s, id, &g), DP_OK);
	assert_string_equal(g.author_email, "");
	assert_string_equal(g.ip, "");
	assert_string_equal(g.verdict, "");
	assert_string_equal(g.reasons, "[]");
	assert_int_equal(g.created_at, T0);
	assert_int_equal(g.updated_at, T0);
	comment_release(&g);

	assert_int_equal(store_comment_get(s, 999999, &g), DP_ENOTFOUND);
	assert_int_equal(comment(s, 999999, 0, COMMENT_PENDING, "x", 0, NULL), DP_ENOTFOUND);
	assert_int_equal(comment(s, a, 0, COMMENT_PENDING, NULL, 0, NULL), DP_EINVAL);
	assert_int_equal(comment(s, a, 0, COMMENT_STATUS__MAX, "x", 0, NULL), DP_EINVAL);
	assert_int_equal(comment(s, a, -1, COMMENT_PENDING, "x", 0, NULL), DP_EINVAL);
	comment_release(NULL);
	comment_list_release(NULL);
	store_close(s);
}

static void test_threading(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a"), b = article(s, "b");

	int64_t c0 = comment_ok(s, a, 0, COMMENT_APPROVED, "top", 0);
	int64_t c1 = comment_ok(s, a, c0, COMMENT_APPROVED, "reply", 0);
	int64_t c2 = comment_ok(s, a, c1, COMMENT_PENDING, "reply to reply", 0);
	int64_t c1b = comment_ok(s, a, c0, COMMENT_PENDING, "second reply", 0);

	struct comment g;
	const struct {
		int64_t id, parent;
		int depth;
	} want[] = { { c0, 0, 0 }, { c1, c0, 1 }, { c2, c1, 2 }, { c1b, c0, 1 } };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_int_equal(store_comment_get(s, want[i].id, &g), DP_OK);
		assert_int_equal(g.parent_id, want[i].parent);
		assert_int_equal(g.depth, want[i].depth);
		comment_release(&g);
	}

	/* Three levels at most; the parent must exist and be of the article. */
	int64_t before = last_change(s);
	assert_int_equal(comment(s, a, c2, COMMENT_APPROVED, "too deep", 0, NULL), DP_EINVAL);
	assert_int_equal(comment(s, b, c0, COMMENT_APPROVED, "elsewhere", 0, NULL), DP_EINVAL);
	assert_int_equal(comment(s, a, 999999, COMMENT_APPROVED, "no parent", 0, NULL), DP_EINVAL);
	assert_int_equal(last_change(s), before); /* refused writes leave no trace */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM comments"), 4);
	store_close(s);
}

static void test_article_list(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a"), b = article(s, "b");

	int64_t late = comment_ok(s, a, 0, COMMENT_APPROVED, "late", T0 + 3 * HOUR);
	int64_t early = comment_ok(s, a, 0, COMMENT_APPROVED, "early", T0 + HOUR);
	int64_t tie1 = comment_ok(s, a, 0, COMMENT_APPROVED, "tie 1", T0 + 2 * HOUR);
	int64_t tie2 = comment_ok(s, a, 0, COMMENT_APPROVED, "tie 2", T0 + 2 * HOUR);
	int64_t pend = comment_ok(s, a, 0, COMMENT_PENDING, "pending", T0 + 2 * HOUR);
	comment_ok(s, a, 0, COMMENT_SPAM, "spam", T0);
	comment_ok(s, b, 0, COMMENT_APPROVED, "other article", T0);

	struct comment_list l;
	assert_int_equal(store_comments_of_article(s, a, COMMENT_APPROVED, &l), DP_OK);
	assert_int_equal(l.n, 4);
	const int64_t order[] = { early, tie1, tie2, late };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(l.items[i].id, order[i]);
		assert_int_equal(l.items[i].status, COMMENT_APPROVED);
	}
	comment_list_release(&l);
	assert_null(l.items);
	assert_int_equal(l.n, 0);

	assert_int_equal(store_comments_of_article(s, a, COMMENT_PENDING, &l), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, pend);
	comment_list_release(&l);

	assert_int_equal(store_comments_of_article(s, 999999, COMMENT_APPROVED, &l), DP_OK);
	assert_int_equal(l.n, 0);
	comment_list_release(&l);
	assert_int_equal(store_comments_of_article(s, a, COMMENT_STATUS__MAX, &l), DP_EINVAL);

	size_t n;
	assert_int_equal(store_comment_count(s, COMMENT_APPROVED, &n), DP_OK);
	assert_int_equal(n, 5);
	assert_int_equal(store_comment_count(s, COMMENT_REJECTED, &n), DP_OK);
	assert_int_equal(n, 0);
	store_close(s);
}

static void test_queue(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "neue-bahnstrecke"), b = article(s, "wahl");

	int64_t p1 = comment_ok(s, a, 0, COMMENT_PENDING, "p1", T0 + 1 * HOUR);
	int64_t p4 = comment_ok(s, b, 0, COMMENT_PENDING, "p4", T0 + 4 * HOUR);
	int64_t p2 = comment_ok(s, b, 0, COMMENT_PENDING, "p2", T0 + 2 * HOUR);
	int64_t p3a = comment_ok(s, a, 0, COMMENT_PENDING, "p3a", T0 + 3 * HOUR);
	int64_t p3b = comment_ok(s, a, 0, COMMENT_PENDING, "p3b", T0 + 3 * HOUR);
	comment_ok(s, a, 0, COMMENT_APPROVED, "approved", T0 + 5 * HOUR);

	struct comment_list l;
	size_t total = 99;
	assert_int_equal(store_comments(s, COMMENT_PENDING, 0, 3, &l, &total), DP_OK);
	assert_int_equal(total, 5);
	assert_int_equal(l.n, 3);
	/* Newest first; in one second, the later comment first. */
	assert_int_equal(l.items[0].id, p4);
	assert_string_equal(l.items[0].article_slug, "wahl");
	assert_string_equal(l.items[0].article_title, "Title of wahl");
	assert_int_equal(l.items[1].id, p3b);
	assert_int_equal(l.items[2].id, p3a);
	assert_string_equal(l.items[2].article_slug, "neue-bahnstrecke");
	assert_string_equal(l.items[2].article_title, "Title of neue-bahnstrecke");
	assert_string_equal(l.items[2].text, "p3a");
	comment_list_release(&l);

	/* A page boundary between two comments of one second. */
	assert_int_equal(store_comments(s, COMMENT_PENDING, 0, 2, &l, NULL), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[1].id, p3b);
	comment_list_release(&l);
	assert_int_equal(store_comments(s, COMMENT_PENDING, 2, 1, &l, NULL), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, p3a);
	comment_list_release(&l);

	assert_int_equal(store_comments(s, COMMENT_PENDING, 3, 3, &l, NULL), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, p2);
	assert_int_equal(l.items[1].id, p1);
	comment_list_release(&l);

	assert_int_equal(store_comments(s, COMMENT_PENDING, 10, 3, &l, &total), DP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(total, 5);
	comment_list_release(&l);

	/* limit 0 is the default page (10); huge numbers are clamped. */
	assert_int_equal(store_comments(s, COMMENT_PENDING, 0, 0, &l, NULL), DP_OK);
	assert_int_equal(l.n, 5);
	comment_list_release(&l);
	assert_int_equal(store_comments(s, COMMENT_PENDING, 0, SIZE_MAX, &l, NULL), DP_OK);
	assert_int_equal(l.n, 5);
	comment_list_release(&l);
	assert_int_equal(store_comments(s, COMMENT_PENDING, SIZE_MAX, 10, &l, &total), DP_OK);
	assert_int_equal(l.n, 0);
	comment_list_release(&l);

	assert_int_equal(store_comments(s, COMMENT_SPAM, 0, 10, &l, &total), DP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(total, 0);
	comment_list_release(&l);
	store_close(s);
}

static void test_status_and_changes(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a");
	struct comment g;

	int64_t c0 = last_change(s);
	int64_t id = comment_ok(s, a, 0, COMMENT_PENDING, "hallo", T0);
	assert_int_equal(last_change(s), c0); /* invisible: no change */

	/* Each step: the new status and whether the article's pages change. */
	const struct {
		enum comment_status st;
		bool change;
	} steps[] = {
		{ COMMENT_SPAM, false },    { COMMENT_APPROVED, true }, { COMMENT_APPROVED, false },
		{ COMMENT_REJECTED, true }, { COMMENT_PENDING, false }, { COMMENT_APPROVED, true },
		{ COMMENT_SPAM, true },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		int64_t before = last_change(s);
		assert_int_equal(store_comment_set_status(s, id, steps[i].st), DP_OK);
		assert_int_equal(last_change(s), before + (steps[i].change ? 1 : 0));
		assert_int_equal(store_comment_get(s, id, &g), DP_OK);
		assert_int_equal(g.status, steps[i].st);
		assert_true(g.updated_at > T0); /* now, not the imported created_at */
		assert_int_equal(g.created_at, T0);
		comment_release(&g);
	}
	int64_t before = last_change(s);
	assert_int_equal(store_comment_set_status(s, 999999, COMMENT_APPROVED), DP_ENOTFOUND);
	assert_int_equal(store_comment_set_status(s, id, COMMENT_STATUS__MAX), DP_EINVAL);
	assert_int_equal(last_change(s), before);

	/* An edit changes the pages only while the comment is public. */
	assert_int_equal(store_comment_set_text(s, id, "edited while spam"), DP_OK);
	assert_int_equal(last_change(s), before);
	assert_int_equal(store_comment_get(s, id, &g), DP_OK);
	assert_string_equal(g.text, "edited while spam");
	comment_release(&g);
	assert_int_equal(store_comment_set_status(s, id, COMMENT_APPROVED), DP_OK);
	before = last_change(s);
	assert_int_equal(store_comment_set_text(s, id, "edited while public"), DP_OK);
	assert_int_equal(last_change(s), before + 1);
	assert_int_equal(store_comment_set_text(s, 999999, "x"), DP_ENOTFOUND);
	assert_int_equal(store_comment_set_text(s, id, NULL), DP_EINVAL);
	assert_int_equal(last_change(s), before + 1);

	/* An approved new comment (the site's reply) changes the pages at once,
	 * and the change names its article. */
	before = last_change(s);
	struct comment reply = { .article_id = a, .parent_id = id, .author_name = "Redaktion",
				 .text = "Danke!", .status = COMMENT_APPROVED, .by_site = true };
	assert_int_equal(store_comment_add(s, &reply), DP_OK);
	assert_int_equal(reply.depth, 1);
	assert_int_equal(last_change(s), before + 1);
	int64_t ids[4], last;
	size_t n;
	assert_int_equal(store_changes_since(s, before, ids, NULL, 4, &n, &last), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a);
	assert_int_equal(last, before + 1);
	assert_int_equal(store_comment_get(s, reply.id, &g), DP_OK);
	assert_true(g.by_site);
	comment_release(&g);
	store_close(s);
}

static void test_counts(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a"), b = article(s, "b"), c = article(s, "c");

	for (int i = 0; i < 3; i++)
		comment_ok(s, a, 0, COMMENT_APPROVED, "a", 0);
	comment_ok(s, a, 0, COMMENT_PENDING, "not counted", 0);
	comment_ok(s, a, 0, COMMENT_SPAM, "not counted", 0);
	int64_t top = comment_ok(s, c, 0, COMMENT_APPROVED, "c", 0);
	comment_ok(s, c, top, COMMENT_APPROVED, "replies count too", 0);

	int64_t ids[] = { b, a, 999999, c, a };
	size_t counts[5];
	memset(counts, 0xff, sizeof counts);
	assert_int_equal(store_comment_counts(s, ids, 5, counts), DP_OK);
	assert_int_equal(counts[0], 0); /* no comments */
	assert_int_equal(counts[1], 3);
	assert_int_equal(counts[2], 0); /* no such article */
	assert_int_equal(counts[3], 2);
	assert_int_equal(counts[4], 3); /* listed twice */

	/* More ids than one query takes: chunks, and the answers land in place. */
	enum { N = 230 };
	int64_t many[N];
	size_t mcounts[N];
	for (size_t i = 0; i < N; i++)
		many[i] = 1000000 + (int64_t)i;
	many[0] = a;
	many[99] = c;
	many[100] = a;
	many[150] = b;
	many[N - 1] = c;
	assert_int_equal(store_comment_counts(s, many, N, mcounts), DP_OK);
	for (size_t i = 0; i < N; i++) {
		size_t want = many[i] == a ? 3 : many[i] == c ? 2 : 0;
		assert_int_equal(mcounts[i], want);
	}

	assert_int_equal(store_comment_counts(s, NULL, 0, NULL), DP_OK);
	assert_int_equal(store_comment_counts(s, NULL, 2, counts), DP_EINVAL);
	store_close(s);
}

static void test_duplicates(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a"), b = article(s, "b");
	size_t n;

	comment_ok(s, a, 0, COMMENT_SPAM, "Buy CHEAP watches\n  now!", T0);
	comment_ok(s, b, 0, COMMENT_PENDING, "  buy cheap\twatches now!  ", T0 + 2 * HOUR);
	comment_ok(s, b, 0, COMMENT_APPROVED, "Buy cheap watches now", T0 + 3 * HOUR);
	comment_ok(s, a, 0, COMMENT_APPROVED, "GRÖSSE", T0 + 3 * HOUR);

	const struct {
		const char *text;
		int64_t since;
		size_t want;
	} cases[] = {
		{ "buy cheap watches now!", 0, 2 },
		{ "BUY cheap watches NOW!", T0, 2 },
		{ "\r\nbuy   cheap watches now!\v", T0 + 1, 1 },  /* the since bound */
		{ "buy cheap watches now!", T0 + 2 * HOUR, 1 },   /* inclusive */
		{ "buy cheap watches now!", T0 + 2 * HOUR + 1, 0 },
		{ "buy cheap watches now", 0, 1 },                /* punctuation counts */
		{ "buycheap watches now!", 0, 0 },                /* gaps count */
		{ "GRÖSSE", 0, 1 },
		{ "grÖsse", 0, 1 },                               /* ASCII lowercased */
		{ "grösse", 0, 0 },                               /* beyond ASCII as is */
		{ "", 0, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(store_comment_duplicates(s, cases[i].text, cases[i].since, &n),
				 DP_OK);
		if (n != cases[i].want)
			print_error("case %zu: \"%s\"\n", i, cases[i].text);
		assert_int_equal(n, cases[i].want);
	}

	/* An edit moves the comment to its new text. */
	int64_t id = comment_ok(s, a, 0, COMMENT_PENDING, "first words", T0);
	assert_int_equal(store_comment_set_text(s, id, "Second  Words"), DP_OK);
	assert_int_equal(store_comment_duplicates(s, "first words", 0, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_comment_duplicates(s, "second words", 0, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_comment_duplicates(s, NULL, 0, &n), DP_EINVAL);
	store_close(s);
}

static void test_article_delete_cascades(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a"), b = article(s, "b");

	int64_t top = comment_ok(s, a, 0, COMMENT_APPROVED, "top", 0);
	int64_t r1 = comment_ok(s, a, top, COMMENT_APPROVED, "r1", 0);
	int64_t r2 = comment_ok(s, a, r1, COMMENT_SPAM, "r2", 0);
	int64_t keep = comment_ok(s, b, 0, COMMENT_APPROVED, "kept", 0);

	assert_int_equal(store_article_delete(s, a), DP_OK);
	struct comment g;
	const int64_t gone[] = { top, r1, r2 };
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(store_comment_get(s, gone[i], &g), DP_ENOTFOUND);
	assert_int_equal(store_comment_get(s, keep, &g), DP_OK);
	comment_release(&g);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM comments"), 1);
	size_t counts[1];
	assert_int_equal(store_comment_counts(s, &a, 1, counts), DP_OK);
	assert_int_equal(counts[0], 0);
	store_close(s);
}

/* Writes join a caller's transaction and go with its rollback. */
static void test_transactions(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = article(s, "a");
	struct comment g;
	struct user u = { .name = "anna", .pwhash = "h", .role = ROLE_EDITOR };

	assert_int_equal(store_begin(s), DP_OK);
	int64_t id = comment_ok(s, a, 0, COMMENT_APPROVED, "in a transaction", 0);
	assert_int_equal(store_user_add(s, &u), DP_OK);
	assert_int_equal(store_audit_add(s, "cli", "user.add", "anna", NULL), DP_OK);
	/* A failing write inside undoes only itself. */
	assert_int_equal(comment(s, a, 999999, COMMENT_APPROVED, "x", 0, NULL), DP_EINVAL);
	assert_int_equal(store_comment_get(s, id, &g), DP_OK);
	comment_release(&g);
	assert_int_equal(store_rollback(s), DP_OK);
	assert_int_equal(store_comment_get(s, id, &g), DP_ENOTFOUND);
	assert_int_equal(store_user_by_name(s, "anna", &u), DP_ENOTFOUND);

	assert_int_equal(store_begin(s), DP_OK);
	id = comment_ok(s, a, 0, COMMENT_APPROVED, "committed", 0);
	assert_int_equal(store_comment_set_status(s, id, COMMENT_SPAM), DP_OK);
	assert_int_equal(store_commit(s), DP_OK);
	assert_int_equal(store_comment_get(s, id, &g), DP_OK);
	assert_int_equal(g.status, COMMENT_SPAM);
	comment_release(&g);
	store_close(s);
}

/* ---- accounts ---- */

static void test_users(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct user u = { .name = "zora", .pwhash = "$argon2id$z", .role = ROLE_MODERATOR };
	assert_int_equal(store_user_add(s, &u), DP_OK);
	int64_t zora = u.id;
	assert_true(zora > 0);
	assert_true(u.created_at > 0);
	u = (struct user){ .name = "anna", .pwhash = "$argon2id$a", .role = ROLE_ADMIN };
	assert_int_equal(store_user_add(s, &u), DP_OK);
	int64_t anna = u.id;
	u = (struct user){ .name = "anna", .pwhash = "other", .role = ROLE_AUTHOR };
	assert_int_equal(store_user_add(s, &u), DP_EEXISTS);
	u = (struct user){ .name = "", .pwhash = "x" };
	assert_int_equal(store_user_add(s, &u), DP_EINVAL);
	u = (struct user){ .name = "bad", .pwhash = "x", .role = ROLE__MAX };
	assert_int_equal(store_user_add(s, &u), DP_EINVAL);

	struct user g;
	assert_int_equal(store_user_by_name(s, "anna", &g), DP_OK);
	assert_int_equal(g.id, anna);
	assert_string_equal(g.pwhash, "$argon2id$a");
	assert_int_equal(g.role, ROLE_ADMIN);
	user_release(&g);
	assert_int_equal(store_user_by_id(s, zora, &g), DP_OK);
	assert_string_equal(g.name, "zora");
	assert_int_equal(g.role, ROLE_MODERATOR);
	user_release(&g);
	assert_int_equal(store_user_by_name(s, "Anna", &g), DP_ENOTFOUND);
	assert_int_equal(store_user_by_id(s, 999999, &g), DP_ENOTFOUND);

	struct user *all;
	size_t n;
	assert_int_equal(store_users(s, &all, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].name, "anna"); /* by name */
	assert_string_equal(all[1].name, "zora");
	for (size_t i = 0; i < n; i++)
		user_release(&all[i]);
	free(all);

	assert_int_equal(store_user_set_password(s, anna, "$argon2id$new"), DP_OK);
	assert_int_equal(store_user_by_id(s, anna, &g), DP_OK);
	assert_string_equal(g.pwhash, "$argon2id$new");
	user_release(&g);
	assert_int_equal(store_user_set_password(s, 999999, "x"), DP_ENOTFOUND);

	/* Deleting a user ends their sessions, not others'. */
	assert_int_equal(store_session_add(s, "h-anna-1", anna, "csrf1", T0 * 2), DP_OK);
	assert_int_equal(store_session_add(s, "h-anna-2", anna, "csrf2", T0 * 2), DP_OK);
	assert_int_equal(store_session_add(s, "h-zora", zora, "csrf3", T0 * 2), DP_OK);
	assert_int_equal(store_user_delete(s, anna), DP_OK);
	assert_int_equal(store_user_by_id(s, anna, &g), DP_ENOTFOUND);
	struct session se;
	assert_int_equal(store_session_get(s, "h-anna-1", T0, &se), DP_ENOTFOUND);
	assert_int_equal(store_session_get(s, "h-anna-2", T0, &se), DP_ENOTFOUND);
	assert_int_equal(store_session_get(s, "h-zora", T0, &se), DP_OK);
	session_release(&se);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(store_user_delete(s, anna), DP_ENOTFOUND);
	user_release(NULL);

	assert_int_equal(store_users(s, &all, &n), DP_OK);
	assert_int_equal(n, 1);
	user_release(&all[0]);
	free(all);
	store_close(s);
}

static void test_sessions(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct user u = { .name = "anna", .pwhash = "h", .role = ROLE_EDITOR };
	assert_int_equal(store_user_add(s, &u), DP_OK);

	assert_int_equal(store_session_add(s, "old", u.id, "c-old", T0 + 10), DP_OK);
	assert_int_equal(store_session_add(s, "new", u.id, "c-new", T0 + 1000), DP_OK);
	assert_int_equal(store_session_add(s, "new", u.id, "again", T0 + 1000), DP_EEXISTS);
	assert_int_equal(store_session_add(s, "nobody", 999999, "c", T0 + 1000), DP_ENOTFOUND);
	assert_int_equal(store_session_add(s, NULL, u.id, "c", T0), DP_EINVAL);

	struct session se;
	assert_int_equal(store_session_get(s, "old", T0 + 9, &se), DP_OK);
	assert_int_equal(se.user_id, u.id);
	assert_string_equal(se.csrf, "c-old");
	assert_int_equal(se.expires_at, T0 + 10);
	session_release(&se);
	assert_null(se.csrf);
	/* Expired at expires_at itself. */
	assert_int_equal(store_session_get(s, "old", T0 + 10, &se), DP_ENOTFOUND);
	assert_int_equal(store_session_get(s, "unknown", T0, &se), DP_ENOTFOUND);

	/* The purge removes only the expired. */
	assert_int_equal(store_sessions_purge(s, T0 + 10), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(store_session_get(s, "old", T0, &se), DP_ENOTFOUND);
	assert_int_equal(store_session_get(s, "new", T0 + 999, &se), DP_OK);
	assert_string_equal(se.csrf, "c-new");
	session_release(&se);

	assert_int_equal(store_session_delete(s, "new"), DP_OK);
	assert_int_equal(store_session_get(s, "new", T0, &se), DP_ENOTFOUND);
	assert_int_equal(store_session_delete(s, "new"), DP_ENOTFOUND);
	assert_int_equal(store_sessions_purge(s, T0), DP_OK); /* nothing to do */
	session_release(NULL);
	store_close(s);
}

static void test_tokens(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t id = 0, id2 = 0;
	assert_int_equal(store_token_add(s, "zeitung-app", ROLE_MODERATOR, "hash-1", &id), DP_OK);
	assert_true(id > 0);
	assert_int_equal(store_token_add(s, "backup", ROLE_ADMIN, "hash-2", &id2), DP_OK);
	assert_int_equal(store_token_add(s, "zeitung-app", ROLE_EDITOR, "hash-3", NULL),
			 DP_EEXISTS);
	assert_int_equal(store_token_add(s, "other", ROLE_EDITOR, "hash-1", NULL), DP_EEXISTS);
	assert_int_equal(store_token_add(s, "", ROLE_EDITOR, "hash-4", NULL), DP_EINVAL);
	assert_int_equal(store_token_add(s, "x", ROLE__MAX, "hash-4", NULL), DP_EINVAL);

	/* The first use is recorded. */
	struct api_token t;
	int64_t before = (int64_t)time(NULL);
	assert_int_equal(store_token_by_hash(s, "hash-1", &t), DP_OK);
	assert_int_equal(t.id, id);
	assert_string_equal(t.name, "zeitung-app");
	assert_int_equal(t.role, ROLE_MODERATOR);
	assert_true(t.created_at >= before - 1);
	assert_true(t.last_used_at >= before);
	api_token_release(&t);
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT last_used_at FROM api_tokens WHERE id = %lld",
		 (long long)id);
	assert_true(raw_int(path, sql) >= before);

	/* Within a minute of the last recorded use, nothing is written. */
	int64_t now = (int64_t)time(NULL);
	char set[160];
	snprintf(set, sizeof set, "UPDATE api_tokens SET last_used_at = %lld WHERE id = %lld",
		 (long long)(now - 30), (long long)id);
	raw_exec(path, set);
	assert_int_equal(store_token_by_hash(s, "hash-1", &t), DP_OK);
	assert_int_equal(t.last_used_at, now - 30);
	api_token_release(&t);
	assert_int_equal(raw_int(path, sql), now - 30);
	/* Older: written. */
	snprintf(set, sizeof set, "UPDATE api_tokens SET last_used_at = %lld WHERE id = %lld",
		 (long long)(now - 120), (long long)id);
	raw_exec(path, set);
	assert_int_equal(store_token_by_hash(s, "hash-1", &t), DP_OK);
	assert_true(t.last_used_at >= now);
	api_token_release(&t);
	assert_true(raw_int(path, sql) >= now);

	assert_int_equal(store_token_by_hash(s, "hash-x", &t), DP_ENOTFOUND);

	struct api_token *all;
	size_t n;
	assert_int_equal(store_tokens(s, &all, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(all[0].name, "backup");
	assert_int_equal(all[0].role, ROLE_ADMIN);
	assert_int_equal(all[0].last_used_at, 0); /* never used */
	assert_string_equal(all[1].name, "zeitung-app");
	for (size_t i = 0; i < n; i++)
		api_token_release(&all[i]);
	free(all);

	assert_int_equal(store_token_delete(s, "zeitung-app"), DP_OK);
	assert_int_equal(store_token_by_hash(s, "hash-1", &t), DP_ENOTFOUND);
	assert_int_equal(store_token_delete(s, "zeitung-app"), DP_ENOTFOUND);
	/* The name and the hash are free again. */
	assert_int_equal(store_token_add(s, "zeitung-app", ROLE_EDITOR, "hash-1", NULL), DP_OK);

	/* A role this program does not know is refused, never guessed. */
	raw_exec(path, "UPDATE api_tokens SET role = 17 WHERE name = 'backup'");
	assert_int_equal(store_token_by_hash(s, "hash-2", &t), DP_EDB);
	api_token_release(NULL);
	store_close(s);
}

static void test_audit(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct audit_entry *e;
	size_t n;

	assert_int_equal(store_audit(s, 0, 10, &e, &n), DP_OK);
	assert_int_equal(n, 0);
	free(e);

	assert_int_equal(store_audit_add(s, "anna", "comment.approve", "comment 12", ""), DP_OK);
	assert_int_equal(store_audit_add(s, "cli", "post.publish", "/neue-bahnstrecke/", NULL),
			 DP_OK);
	assert_int_equal(store_audit_add(s, "app", "comment.spam", "comment 13", "score 0.97"),
			 DP_OK);
	assert_int_equal(store_audit_add(s, NULL, "x", "y", NULL), DP_EINVAL);

	/* Within one second: the later entry first. */
	assert_int_equal(store_audit(s, 0, 10, &e, &n), DP_OK);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].action, "comment.spam");
	assert_string_equal(e[0].detail, "score 0.97");
	assert_string_equal(e[1].actor, "cli");
	assert_string_equal(e[1].object, "/neue-bahnstrecke/");
	assert_string_equal(e[1].detail, "");
	assert_string_equal(e[2].action, "comment.approve");
	assert_true(e[0].id > e[1].id && e[1].id > e[2].id);
	assert_true(e[0].at > 0);
	for (size_t i = 0; i < n; i++)
		audit_entry_release(&e[i]);
	free(e);

	/* By time first: the oldest id, dated latest, comes first. */
	raw_exec(path, "UPDATE audit_log SET at = at + 100 WHERE action = 'comment.approve'");
	assert_int_equal(store_audit(s, 1, 1, &e, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].action, "comment.spam");
	audit_entry_release(&e[0]);
	free(e);
	assert_int_equal(store_audit(s, 0, 1, &e, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].action, "comment.approve");
	audit_entry_release(&e[0]);
	free(e);
	assert_int_equal(store_audit(s, 3, 10, &e, &n), DP_OK);
	assert_int_equal(n, 0);
	free(e);
	audit_entry_release(NULL);
	store_close(s);
}

static void test_kv(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	char *v = (char *)"untouched";

	assert_int_equal(store_kv_get(s, "triage.model", &v), DP_ENOTFOUND);
	assert_null(v);
	assert_int_equal(store_kv_set(s, "triage.model", "{\"v\":1}"), DP_OK);
	assert_int_equal(store_kv_set(s, "secret", ""), DP_OK);
	assert_int_equal(store_kv_get(s, "triage.model", &v), DP_OK);
	assert_string_equal(v, "{\"v\":1}");
	free(v);
	assert_int_equal(store_kv_set(s, "triage.model", "{\"v\":2}"), DP_OK);
	assert_int_equal(store_kv_get(s, "triage.model", &v), DP_OK);
	assert_string_equal(v, "{\"v\":2}");
	free(v);
	assert_int_equal(store_kv_get(s, "secret", &v), DP_OK);
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM kv"), 2);
	assert_int_equal(store_kv_set(s, "", "x"), DP_EINVAL);
	assert_int_equal(store_kv_set(s, "k", NULL), DP_EINVAL);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_get),
		cmocka_unit_test(test_threading),
		cmocka_unit_test(test_article_list),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_status_and_changes),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_article_delete_cascades),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_kv),
	};
	return cmocka_run_group_tests_name("store_comments", tests, fixture_setup, fixture_teardown);
}
