/* store_test.c — unit tests of the store (SQLite backend) and slug_from_text.
 *
 * Every test works on its own database file in one mkdtemp() folder. The
 * last test is a rough benchmark: it prints timings as TAP comments and
 * asserts nothing about them. STORE_BENCH_N sets its number of articles
 * (default 100000, which takes about 12 s; 0 leaves it out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/test_fixture.h"

#include <ftw.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "util/err.h"
#include "util/slug.h"

/* A fixed "now" well after every date the tests use. */
#define T0 ((int64_t)1700000000)
#define DAY ((int64_t)86400)

static struct store *new_store(char *path, size_t n)
{
	struct store *s = NULL;
	assert_int_equal(store_open(fixture_path(path, n), STORE_CREATE, &s), DP_OK);
	assert_non_null(s);
	return s;
}

/* Saves a new article; tags as a NULL-terminated list. Returns its id. */
static int64_t add(struct store *s, const char *slug, enum article_status st, int64_t published_at,
		   const char *category, const char *author, ...)
{
	const char *tags[16];
	size_t ntags = 0;
	va_list ap;
	va_start(ap, author);
	for (const char *t; (t = va_arg(ap, const char *)) && ntags < 16;)
		tags[ntags++] = t;
	va_end(ap);

	char title[128], body[256];
	snprintf(title, sizeof title, "Title of %s", slug);
	snprintf(body, sizeof body, "Body of *%s*.", slug);
	struct article a = {
		.slug = (char *)slug,
		.title = title,
		.body_md = body,
		.body_html = "<p>html</p>",
		.excerpt = "An excerpt.",
		.status = st,
		.published_at = published_at,
	};
	assert_int_equal(store_article_save(s, &a, tags, ntags, category, author), DP_OK);
	assert_true(a.id > 0);
	return a.id;
}

/* ---- slug_from_text ---- */

static void test_slug_table(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "Hello World", "hello-world" },
		{ "Größenwahn über Äpfel", "groessenwahn-ueber-aepfel" },
		{ "ÄÖÜ äöü ß ẞ", "aeoeue-aeoeue-ss-ss" },
		{ "Straße", "strasse" },
		{ "  --Hello,   World!--  ", "hello-world" },
		{ "C'est la vie: café, crème brûlée", "c-est-la-vie-cafe-creme-brulee" },
		{ "Łódź, Kraków & Gdańsk", "lodz-krakow-gdansk" },
		{ "Œuvre Ærø Þór", "oeuvre-aero-thor" },
		{ "Bucureşti / București", "bucuresti-bucuresti" },
		{ "KYIV / LONDON", "kyiv-london" },
		{ "2024: 10 Jahre", "2024-10-jahre" },
		{ "a×b÷c", "a-b-c" },
		{ "tabs\tand\nnewlines", "tabs-and-newlines" },
		{ "bad \xff\xfe utf8", "bad-utf8" },
		{ "overlong \xc1\x81", "overlong" },
		{ "emoji 🙂 mid", "emoji-mid" },
		{ "x", "x" },
	};
	char out[SLUG_MAX + 1];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(slug_from_text(cases[i].in, out, sizeof out), DP_OK);
		assert_string_equal(out, cases[i].out);
	}
}

static void test_slug_fallback_and_limits(void **state)
{
	(void)state;
	char out[SLUG_MAX + 1], out2[SLUG_MAX + 1];

	/* Nothing left: "n-" and a hash of the text, stable and distinct. */
	assert_int_equal(slug_from_text("", out, sizeof out), DP_OK);
	assert_int_equal(strncmp(out, "n-", 2), 0);
	assert_int_equal(strlen(out), 10);
	assert_int_equal(slug_from_text(NULL, out2, sizeof out2), DP_OK);
	assert_string_equal(out, out2);
	assert_int_equal(slug_from_text("日本", out, sizeof out), DP_OK);
	assert_int_equal(slug_from_text("日本", out2, sizeof out2), DP_OK);
	assert_string_equal(out, out2);
	assert_int_equal(strncmp(out, "n-", 2), 0);
	assert_int_equal(slug_from_text("中国", out2, sizeof out2), DP_OK);
	assert_string_not_equal(out, out2);
	assert_int_equal(slug_from_text("!!! ---", out, sizeof out), DP_OK);
	assert_int_equal(strncmp(out, "n-", 2), 0);

	/* Very long: at most SLUG_MAX bytes, cut at a word boundary, no '-' at
	 * the end. */
	char longtext[1000] = "";
	for (int i = 0; i < 60; i++)
		strcat(longtext, "Wort ");
	assert_int_equal(slug_from_text(longtext, out, sizeof out), DP_OK);
	assert_true(strlen(out) <= SLUG_MAX);
	assert_true(strlen(out) > SLUG_MAX - 5);
	assert_int_not_equal(out[strlen(out) - 1], '-');
	assert_int_equal(strcmp(out + strlen(out) - 4, "wort"), 0);
	/* One word longer than the limit is cut hard. */
	memset(longtext, 'a', 200);
	longtext[200] = '\0';
	assert_int_equal(slug_from_text(longtext, out, sizeof out), DP_OK);
	assert_int_equal(strlen(out), SLUG_MAX);
	/* Umlaut expansions count against the limit. */
	longtext[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(longtext, "ü");
	assert_int_equal(slug_from_text(longtext, out, sizeof out), DP_OK);
	assert_int_equal(strlen(out), SLUG_MAX);

	/* Too small an out buffer. */
	assert_int_equal(slug_from_text("hello world", out, 11), DP_EINVAL);
	assert_string_equal(out, "");
	assert_int_equal(slug_from_text("hello world", out, 12), DP_OK);
	assert_string_equal(out, "hello-world");
	assert_int_equal(slug_from_text("x", NULL, 10), DP_EINVAL);
	assert_int_equal(slug_from_text("x", out, 0), DP_EINVAL);
}

/* ---- opening and migrations ---- */

static void test_open_schema(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	store_close(s);

	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
				       " ('articles', 'authors', 'categories', 'tags', 'article_tags',"
				       "  'changes', 'schema_migrations')"),
			 7);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_migrations"),
			 (int64_t)sqlite_nmigrations);
	assert_int_equal(raw_int(path, "SELECT max(version) FROM schema_migrations"),
			 sqlite_migrations[sqlite_nmigrations - 1].version);
	int64_t applied_at = raw_int(path, "SELECT max(applied_at) FROM schema_migrations");
	assert_true(applied_at > 0);

	/* Reopening runs nothing again. */
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	store_close(s);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_migrations"),
			 (int64_t)sqlite_nmigrations);
	assert_int_equal(raw_int(path, "SELECT max(applied_at) FROM schema_migrations"), applied_at);
	sqlite3 *db;
	size_t applied = 99;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite_migrate(db, &applied), DP_OK);
	assert_int_equal(applied, 0);
	/* A schema newer than this program is refused. */
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (9999, 1)", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite_migrate(db, NULL), DP_EDB);
	sqlite3_close(db);

	/* WAL mode is persistent in the file. */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* Without STORE_CREATE a missing file is not found. */
	char missing[300];
	snprintf(missing, sizeof missing, "%s/missing.db", tmpdir);
	s = (struct store *)1;
	assert_int_equal(store_open(missing, 0, &s), DP_ENOTFOUND);
	assert_null(s);
	assert_int_equal(access(missing, F_OK), -1);
	store_close(NULL);
}

/* ---- articles ---- */

static void test_save_and_get(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	const char *tags[] = { "Zeitgeschehen", "Ukraine", "Außenpolitik", "ukraine", "  " };
	struct article a = {
		.slug = "erster-artikel",
		.title = "Erster Artikel",
		.dateline = "KYIV / LONDON",
		.body_md = "Hallo *Welt*",
		.body_html = "<p>Hallo <em>Welt</em></p>",
		.excerpt = "Hallo Welt",
		.status = ARTICLE_PUBLISHED,
		.published_at = T0 - DAY,
	};
	int64_t before = (int64_t)time(NULL);
	assert_int_equal(store_article_save(s, &a, tags, 5, "Politik & Welt", " Jana Müller "), DP_OK);
	assert_true(a.id > 0);
	assert_true(a.created_at >= before && a.updated_at >= before);
	assert_int_equal(a.published_at, T0 - DAY);

	struct article g;
	assert_int_equal(store_article_by_slug(s, "erster-artikel", &g), DP_OK);
	assert_int_equal(g.id, a.id);
	assert_string_equal(g.title, "Erster Artikel");
	assert_string_equal(g.dateline, "KYIV / LONDON");
	assert_string_equal(g.body_md, "Hallo *Welt*");
	assert_string_equal(g.body_html, "<p>Hallo <em>Welt</em></p>");
	assert_string_equal(g.excerpt, "Hallo Welt");
	assert_int_equal(g.status, ARTICLE_PUBLISHED);
	assert_int_equal(g.published_at, T0 - DAY);
	assert_int_equal(g.created_at, a.created_at);
	assert_string_equal(g.author.slug, "jana-mueller");
	assert_string_equal(g.author.name, "Jana Müller");
	assert_string_equal(g.category.slug, "politik-welt");
	assert_string_equal(g.category.name, "Politik & Welt");
	/* Blank and duplicate (same slug) tags dropped; ordered by name. */
	assert_int_equal(g.ntags, 3);
	assert_string_equal(g.tags[0].name, "Außenpolitik");
	assert_string_equal(g.tags[0].slug, "aussenpolitik");
	assert_string_equal(g.tags[1].name, "Ukraine");
	assert_string_equal(g.tags[2].slug, "zeitgeschehen");
	article_release(&g);
	article_release(&g); /* release is idempotent */

	assert_int_equal(store_article_by_id(s, a.id, &g), DP_OK);
	assert_string_equal(g.slug, "erster-artikel");
	assert_int_equal(g.ntags, 3);

	/* Update: new title, slug, tags replaced, no author/category. */
	int64_t created = g.created_at;
	free(g.title);
	g.title = strdup("Erster Artikel, neu");
	free(g.slug);
	g.slug = strdup("erster-artikel-neu");
	free(g.dateline);
	g.dateline = NULL;
	const char *tags2[] = { "Ukraine", "Neu" };
	assert_int_equal(store_article_save(s, &g, tags2, 2, NULL, ""), DP_OK);
	assert_int_equal(g.created_at, created);
	article_release(&g);

	assert_int_equal(store_article_by_slug(s, "erster-artikel", &g), DP_ENOTFOUND);
	assert_null(g.slug);
	assert_int_equal(store_article_by_slug(s, "erster-artikel-neu", &g), DP_OK);
	assert_int_equal(g.id, a.id);
	assert_string_equal(g.title, "Erster Artikel, neu");
	assert_null(g.dateline);
	assert_int_equal(g.author.id, 0);
	assert_null(g.author.slug);
	assert_int_equal(g.category.id, 0);
	assert_int_equal(g.ntags, 2);
	assert_string_equal(g.tags[0].slug, "neu");
	assert_string_equal(g.tags[1].slug, "ukraine");
	assert_int_equal(g.created_at, created);

	/* Updating an id that does not exist. */
	g.id = 424242;
	free(g.slug);
	g.slug = strdup("ghost");
	assert_int_equal(store_article_save(s, &g, NULL, 0, NULL, NULL), DP_ENOTFOUND);
	article_release(&g);

	assert_int_equal(store_article_by_id(s, 424242, &g), DP_ENOTFOUND);
	/* Bad input. */
	struct article bad = { .slug = "", .title = "x" };
	assert_int_equal(store_article_save(s, &bad, NULL, 0, NULL, NULL), DP_EINVAL);
	bad.slug = "ok";
	bad.title = NULL;
	assert_int_equal(store_article_save(s, &bad, NULL, 0, NULL, NULL), DP_EINVAL);

	/* Terms by slug. */
	struct term t;
	assert_int_equal(store_term_by_slug(s, TERM_TAG, "aussenpolitik", &t), DP_OK);
	assert_string_equal(t.name, "Außenpolitik");
	term_release(&t);
	assert_int_equal(store_term_by_slug(s, TERM_AUTHOR, "jana-mueller", &t), DP_OK);
	assert_true(t.id > 0);
	term_release(&t);
	assert_int_equal(store_term_by_slug(s, TERM_CATEGORY, "politik-welt", &t), DP_OK);
	term_release(&t);
	assert_int_equal(store_term_by_slug(s, TERM_CATEGORY, "aussenpolitik", &t), DP_ENOTFOUND);
	assert_int_equal(store_term_by_slug(s, TERM__MAX, "x", &t), DP_EINVAL);
	store_close(s);
}

static void test_duplicate_slug(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t id1 = add(s, "same", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	int64_t id2 = add(s, "other", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	int64_t last;
	assert_int_equal(store_last_change(s, &last), DP_OK);

	struct article a = { .slug = "same", .title = "Dup" };
	const char *tags[] = { "newtag" };
	assert_int_equal(store_article_save(s, &a, tags, 1, "newcat", NULL), DP_EEXISTS);
	assert_int_equal(a.id, 0);
	/* Nothing of the failed save stays: no term, no change. */
	struct term t;
	assert_int_equal(store_term_by_slug(s, TERM_TAG, "newtag", &t), DP_ENOTFOUND);
	assert_int_equal(store_term_by_slug(s, TERM_CATEGORY, "newcat", &t), DP_ENOTFOUND);
	int64_t last2;
	assert_int_equal(store_last_change(s, &last2), DP_OK);
	assert_int_equal(last2, last);

	/* Renaming another article onto a taken slug. */
	a.id = id2;
	assert_int_equal(store_article_save(s, &a, NULL, 0, NULL, NULL), DP_EEXISTS);
	/* Saving an article under its own slug is fine. */
	a.id = id1;
	assert_int_equal(store_article_save(s, &a, NULL, 0, NULL, NULL), DP_OK);

	bool taken;
	assert_int_equal(store_slug_taken(s, "same", 0, &taken), DP_OK);
	assert_true(taken);
	assert_int_equal(store_slug_taken(s, "same", id1, &taken), DP_OK);
	assert_false(taken);
	assert_int_equal(store_slug_taken(s, "same", id2, &taken), DP_OK);
	assert_true(taken);
	assert_int_equal(store_slug_taken(s, "free", 0, &taken), DP_OK);
	assert_false(taken);
	store_close(s);
}

/* ---- lists ---- */

static void test_visibility(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t pub = add(s, "published", ARTICLE_PUBLISHED, T0 - 3 * DAY, NULL, NULL, "t", NULL);
	int64_t draft = add(s, "draft", ARTICLE_DRAFT, T0 - 2 * DAY, NULL, NULL, "t", NULL);
	int64_t sched = add(s, "scheduled", ARTICLE_PUBLISHED, T0 + DAY, NULL, NULL, "t", NULL);

	struct article_list l;
	size_t total;
	struct article_query q = { .now = T0 };
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(l.items[0].id, pub);
	assert_null(l.items[0].body_md);
	assert_null(l.items[0].body_html);
	assert_string_equal(l.items[0].excerpt, "An excerpt.");
	article_list_release(&l);

	/* The same through the tag archive. */
	q.kind = TERM_TAG;
	q.term_slug = "t";
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 1);
	article_list_release(&l);
	q.term_slug = NULL;

	/* Time passes: the scheduled article becomes public. */
	q.now = T0 + DAY;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(total, 2);
	assert_int_equal(l.items[0].id, sched);
	assert_int_equal(l.items[1].id, pub);
	article_list_release(&l);

	/* include_hidden shows drafts and scheduled, bodies on request. */
	q.now = T0;
	q.include_hidden = true;
	q.with_body = true;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(l.items[0].id, sched);
	assert_int_equal(l.items[1].id, draft);
	assert_int_equal(l.items[1].status, ARTICLE_DRAFT);
	assert_int_equal(l.items[2].id, pub);
	assert_string_equal(l.items[2].body_md, "Body of *published*.");
	assert_string_equal(l.items[2].body_html, "<p>html</p>");
	assert_int_equal(l.items[2].ntags, 1);
	article_list_release(&l);
	q.kind = TERM_TAG;
	q.term_slug = "t";
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(total, 3);
	article_list_release(&l);
	q.term_slug = NULL;
	q.include_hidden = false;

	/* Publishing the draft shows it, in the tag archive too; unpublishing
	 * hides it again. */
	assert_int_equal(store_article_set_status(s, draft, ARTICLE_PUBLISHED, T0), DP_OK);
	q.kind = TERM_TAG;
	q.term_slug = "t";
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, draft);
	assert_int_equal(l.items[0].status, ARTICLE_PUBLISHED);
	article_list_release(&l);
	assert_int_equal(store_article_set_status(s, pub, ARTICLE_DRAFT, T0), DP_OK);
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 1);
	article_list_release(&l);
	assert_int_equal(store_article_set_status(s, 999, ARTICLE_DRAFT, T0), DP_ENOTFOUND);
	assert_int_equal(store_article_set_status(s, pub, ARTICLE_STATUS__MAX, T0), DP_EINVAL);

	/* Any status is found by slug. */
	struct article g;
	assert_int_equal(store_article_by_slug(s, "scheduled", &g), DP_OK);
	article_release(&g);
	store_close(s);
}

static void test_list_filters(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t ids[25];
	/* 25 public articles, one per day, ids ascending with the date; every
	 * article has tag "all", even ones "even", every third "drei" as its
	 * category; authors alternate between Anna and Bernd. Two more share
	 * article 24's date, to test the id tie-break. */
	for (int i = 0; i < 25; i++) {
		char slug[32];
		snprintf(slug, sizeof slug, "a%02d", i);
		ids[i] = add(s, slug, ARTICLE_PUBLISHED, T0 - (25 - i) * DAY,
			     i % 3 == 0 ? "Drei" : "Sonst", i % 2 ? "Bernd" : "Anna", "All",
			     i % 2 == 0 ? "Even" : NULL, NULL);
	}
	int64_t tie1 = add(s, "tie1", ARTICLE_PUBLISHED, T0 - 1 * DAY, NULL, NULL, NULL);
	int64_t tie2 = add(s, "tie2", ARTICLE_PUBLISHED, T0 - 1 * DAY, NULL, NULL, NULL);
	add(s, "hidden", ARTICLE_DRAFT, T0 - 2 * DAY, "Drei", "Anna", "All", "Even", NULL);

	struct article_list l;
	size_t total;
	struct article_query q = { .now = T0 };

	/* Home: default limit 10; ties by id descending. */
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(total, 27);
	assert_int_equal(l.n, 10);
	assert_int_equal(l.items[0].id, tie2);
	assert_int_equal(l.items[1].id, tie1);
	assert_int_equal(l.items[2].id, ids[24]);
	assert_int_equal(l.items[3].id, ids[23]);
	/* Every listed article has its tags and terms. */
	assert_int_equal(l.items[2].ntags, 2);
	assert_string_equal(l.items[2].tags[0].slug, "all");
	assert_string_equal(l.items[2].tags[1].slug, "even");
	assert_int_equal(l.items[3].ntags, 1);
	assert_string_equal(l.items[3].author.name, "Bernd");
	assert_string_equal(l.items[3].category.slug, "sonst");
	assert_int_equal(l.items[0].ntags, 0);
	assert_null(l.items[0].author.slug);
	article_list_release(&l);

	/* Last page: offset 20, limit 10 → 7. Total is optional. */
	q.offset = 20;
	assert_int_equal(store_articles(s, &q, &l, NULL), DP_OK);
	assert_int_equal(l.n, 7);
	assert_int_equal(l.items[6].id, ids[0]);
	article_list_release(&l);
	q.offset = 100;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 0);
	assert_null(l.items);
	assert_int_equal(total, 27);
	article_list_release(&l);

	/* A limit over the tag query's batch (20) still fills every article. */
	q.offset = 0;
	q.limit = 1000;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 27);
	for (size_t i = 2; i < 27; i++) {
		int k = 24 - (int)(i - 2);
		assert_int_equal(l.items[i].id, ids[k]);
		assert_int_equal(l.items[i].ntags, k % 2 == 0 ? 2 : 1);
	}
	article_list_release(&l);

	/* Tag archive with offset/limit. */
	q.kind = TERM_TAG;
	q.term_slug = "even";
	q.limit = 5;
	q.offset = 5;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(total, 13);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.items[0].id, ids[14]);
	assert_int_equal(l.items[4].id, ids[6]);
	assert_int_equal(l.items[0].ntags, 2);
	article_list_release(&l);

	/* Category. */
	q.kind = TERM_CATEGORY;
	q.term_slug = "drei";
	q.offset = 0;
	q.limit = 0;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(total, 9);
	assert_int_equal(l.n, 9);
	assert_int_equal(l.items[0].id, ids[24]);
	assert_string_equal(l.items[0].category.name, "Drei");
	assert_string_equal(l.items[0].author.name, "Anna");
	assert_int_equal(l.items[8].id, ids[0]);
	article_list_release(&l);

	/* Author. */
	q.kind = TERM_AUTHOR;
	q.term_slug = "bernd";
	q.limit = 3;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(total, 12);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.items[0].id, ids[23]);
	assert_string_equal(l.items[0].author.slug, "bernd");
	assert_string_equal(l.items[0].category.slug, "sonst");
	assert_int_equal(l.items[0].ntags, 1);
	article_list_release(&l);

	/* Unknown term: empty. */
	q.kind = TERM_TAG;
	q.term_slug = "nope";
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(total, 0);
	article_list_release(&l);

	/* since: the last 5 days (articles 20..24 and the ties). */
	q.term_slug = NULL;
	q.limit = 100;
	q.since = T0 - 5 * DAY;
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(total, 7);
	assert_int_equal(l.n, 7);
	assert_int_equal(l.items[6].id, ids[20]);
	article_list_release(&l);

	q.kind = TERM__MAX;
	q.term_slug = "x";
	assert_int_equal(store_articles(s, &q, &l, &total), DP_EINVAL);
	store_close(s);
}

static void test_neighbors(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t a = add(s, "a", ARTICLE_PUBLISHED, T0 - 5 * DAY, NULL, NULL, NULL);
	add(s, "d", ARTICLE_DRAFT, T0 - 4 * DAY, NULL, NULL, NULL);
	int64_t b = add(s, "b", ARTICLE_PUBLISHED, T0 - 3 * DAY, NULL, NULL, NULL);
	int64_t c = add(s, "c", ARTICLE_PUBLISHED, T0 - 3 * DAY, NULL, NULL, NULL); /* same time as b */
	int64_t e = add(s, "e", ARTICLE_PUBLISHED, T0 - 1 * DAY, NULL, NULL, NULL);
	add(s, "future", ARTICLE_PUBLISHED, T0 + DAY, NULL, NULL, NULL);

	struct article cur, prev, next;
	assert_int_equal(store_article_by_id(s, b, &cur), DP_OK);
	assert_int_equal(store_article_neighbors(s, &cur, T0, &prev, &next), DP_OK);
	assert_int_equal(prev.id, a); /* the draft between is skipped */
	assert_string_equal(prev.slug, "a");
	assert_string_equal(prev.title, "Title of a");
	assert_int_equal(prev.published_at, T0 - 5 * DAY);
	assert_null(prev.body_html);
	assert_int_equal(next.id, c); /* same published_at, larger id */
	article_release(&cur);
	article_release(&prev);
	article_release(&next);

	assert_int_equal(store_article_by_id(s, c, &cur), DP_OK);
	assert_int_equal(store_article_neighbors(s, &cur, T0, &prev, &next), DP_OK);
	assert_int_equal(prev.id, b);
	assert_int_equal(next.id, e);
	article_release(&cur);
	article_release(&prev);
	article_release(&next);

	/* Ends: none before the first; the scheduled one is not next yet. */
	assert_int_equal(store_article_by_id(s, a, &cur), DP_OK);
	assert_int_equal(store_article_neighbors(s, &cur, T0, &prev, &next), DP_OK);
	assert_int_equal(prev.id, 0);
	assert_null(prev.slug);
	assert_int_equal(next.id, b);
	article_release(&cur);
	article_release(&prev);
	article_release(&next);
	assert_int_equal(store_article_by_id(s, e, &cur), DP_OK);
	assert_int_equal(store_article_neighbors(s, &cur, T0, &prev, &next), DP_OK);
	assert_int_equal(prev.id, c);
	assert_int_equal(next.id, 0);
	article_release(&prev);
	article_release(&next);
	assert_int_equal(store_article_neighbors(s, &cur, T0 + DAY, &prev, &next), DP_OK);
	assert_string_equal(next.slug, "future");
	article_release(&cur);
	article_release(&prev);
	article_release(&next);
	store_close(s);
}

static void test_delete_cascades(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t id = add(s, "gone", ARTICLE_PUBLISHED, T0, "Cat", "Au", "x", "y", NULL);
	int64_t keep = add(s, "kept", ARTICLE_PUBLISHED, T0, NULL, NULL, "x", NULL);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM article_tags"), 3);

	assert_int_equal(store_article_delete(s, id), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM article_tags"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM article_tags WHERE article_id = 1"), 0);
	struct article g;
	assert_int_equal(store_article_by_id(s, id, &g), DP_ENOTFOUND);
	assert_int_equal(store_article_delete(s, id), DP_ENOTFOUND);
	/* Terms stay (an archive of an emptied tag is just empty). */
	struct term t;
	assert_int_equal(store_term_by_slug(s, TERM_TAG, "y", &t), DP_OK);
	term_release(&t);

	struct article_list l;
	size_t total;
	struct article_query q = { .now = T0, .kind = TERM_TAG, .term_slug = "x" };
	assert_int_equal(store_articles(s, &q, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, keep);
	article_list_release(&l);
	store_close(s);
}

/* ---- change log, schedule, Last-Modified ---- */

/* An article sharing no word with any other, so that no related-articles
 * list (store/sqlite/search.c) changes with it and logs a change of its
 * own. */
static int64_t add_unrelated(struct store *s, const char *slug, enum article_status st,
			     int64_t published_at)
{
	char html[64];
	snprintf(html, sizeof html, "<p>%s</p>", slug);
	struct article a = {
		.slug = (char *)slug,
		.title = (char *)slug,
		.body_md = (char *)slug,
		.body_html = html,
		.status = st,
		.published_at = published_at,
	};
	assert_int_equal(store_article_save(s, &a, NULL, 0, NULL, NULL), DP_OK);
	return a.id;
}

static void test_changes(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t last, ids[10];
	size_t n;

	assert_int_equal(store_last_change(s, &last), DP_OK);
	assert_int_equal(last, 0);
	assert_int_equal(store_changes_since(s, 0, ids, NULL, 10, &n, &last), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(last, 0);

	int64_t a = add_unrelated(s, "alpha", ARTICLE_DRAFT, T0);
	int64_t b = add_unrelated(s, "beta", ARTICLE_PUBLISHED, T0);
	struct article g;
	assert_int_equal(store_article_by_id(s, a, &g), DP_OK);
	assert_int_equal(store_article_save(s, &g, NULL, 0, NULL, NULL), DP_OK);
	article_release(&g);
	assert_int_equal(store_article_set_status(s, a, ARTICLE_PUBLISHED, T0), DP_OK);
	assert_int_equal(store_article_delete(s, b), DP_OK);
	/* Failed writes log nothing. */
	assert_int_equal(store_article_delete(s, b), DP_ENOTFOUND);
	assert_int_equal(store_article_set_status(s, b, ARTICLE_DRAFT, T0), DP_ENOTFOUND);

	assert_int_equal(store_last_change(s, &last), DP_OK);
	assert_int_equal(last, 5);
	assert_int_equal(store_changes_since(s, 0, ids, NULL, 10, &n, &last), DP_OK);
	assert_int_equal(n, 5);
	assert_int_equal(last, 5);
	int64_t want[] = { a, b, a, a, b };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(ids[i], want[i]);

	/* In pages of two. */
	assert_int_equal(store_changes_since(s, 1, ids, NULL, 2, &n, &last), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(last, 3);
	assert_int_equal(ids[0], b);
	assert_int_equal(ids[1], a);
	assert_int_equal(store_changes_since(s, last, ids, NULL, 2, &n, &last), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(last, 5);
	assert_int_equal(store_changes_since(s, last, ids, NULL, 2, &n, &last), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(last, 5);
	assert_int_equal(store_changes_since(s, 3, NULL, NULL, 0, &n, &last), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(last, 3);
	store_close(s);
}

/* An edit or delete logs the terms the article had before it, so a reader of
 * the log knows which lists the article left. */
static void test_changes_name_old_terms(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	const char *tags[] = { "Alt", "Bleibt" };
	int64_t id = add(s, "t", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	struct article g;
	assert_int_equal(store_article_by_id(s, id, &g), DP_OK);
	assert_int_equal(store_article_save(s, &g, tags, 2, "Rubrik", "Anna Berg"), DP_OK);
	const char *newtags[] = { "Bleibt", "Neu" };
	assert_int_equal(store_article_save(s, &g, newtags, 2, NULL, NULL), DP_OK);
	assert_int_equal(store_article_delete(s, id), DP_OK);
	article_release(&g);

	int64_t ids[8], last;
	char *terms[8];
	size_t n;
	assert_int_equal(store_changes_since(s, 0, ids, terms, 8, &n, &last), DP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(terms[0], "");  /* the insert: nothing before */
	assert_string_equal(terms[1], "");  /* first edit: it had no terms yet */
	/* second edit: the old set, before "Alt" left and the category went */
	assert_non_null(strstr(terms[2], "tag:alt"));
	assert_non_null(strstr(terms[2], "tag:bleibt"));
	assert_non_null(strstr(terms[2], "category:rubrik"));
	assert_non_null(strstr(terms[2], "author:anna-berg"));
	assert_null(strstr(terms[3], "tag:alt"));  /* the delete: the set it had then */
	assert_non_null(strstr(terms[3], "tag:neu"));
	for (size_t i = 0; i < n; i++)
		free(terms[i]);
	store_close(s);
}

static void test_schedule_and_last_modified(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	int64_t v;

	assert_int_equal(store_next_scheduled(s, T0, &v), DP_OK);
	assert_int_equal(v, 0);
	assert_int_equal(store_last_modified(s, T0, &v), DP_OK);
	assert_int_equal(v, 0);

	add(s, "past", ARTICLE_PUBLISHED, T0 - DAY, NULL, NULL, NULL);
	add(s, "soon", ARTICLE_PUBLISHED, T0 + 100, NULL, NULL, NULL);
	add(s, "later", ARTICLE_PUBLISHED, T0 + 200, NULL, NULL, NULL);
	add(s, "draft", ARTICLE_DRAFT, T0 + 50, NULL, NULL, NULL);
	assert_int_equal(store_next_scheduled(s, T0, &v), DP_OK);
	assert_int_equal(v, T0 + 100);
	assert_int_equal(store_next_scheduled(s, T0 + 100, &v), DP_OK);
	assert_int_equal(v, T0 + 200);
	assert_int_equal(store_next_scheduled(s, T0 + 200, &v), DP_OK);
	assert_int_equal(v, 0);

	/* An import keeps the times it sets on insert. */
	char path2[256];
	struct store *s2 = new_store(path2, sizeof path2);
	struct article a = {
		.slug = "old", .title = "Old", .status = ARTICLE_PUBLISHED,
		.published_at = T0 - 10 * DAY, .updated_at = T0 - 9 * DAY, .created_at = T0 - 10 * DAY,
	};
	assert_int_equal(store_article_save(s2, &a, NULL, 0, NULL, NULL), DP_OK);
	assert_int_equal(a.updated_at, T0 - 9 * DAY);
	assert_int_equal(a.created_at, T0 - 10 * DAY);
	/* Last-Modified is at least the newest public edit... */
	assert_int_equal(store_last_modified(s2, T0 - 9 * DAY - 1, &v), DP_OK);
	assert_true(v >= T0 - 9 * DAY);
	/* ...and moves with any later change (the logged save itself). */
	int64_t now = (int64_t)time(NULL);
	assert_int_equal(store_last_modified(s2, now, &v), DP_OK);
	assert_true(v >= now - 5 && v <= now + 1);
	/* An edit sets updated_at to now. */
	a.title = "Old, edited";
	assert_int_equal(store_article_save(s2, &a, NULL, 0, NULL, NULL), DP_OK);
	assert_true(a.updated_at >= now);
	assert_int_equal(a.created_at, T0 - 10 * DAY);
	store_close(s2);
	store_close(s);
}

/* ---- transactions and concurrency ---- */

static void test_transactions(void **state)
{
	(void)state;
	char path[256];
	struct store *s = new_store(path, sizeof path);
	struct article g;

	assert_int_equal(store_begin(s), DP_OK);
	add(s, "r1", ARTICLE_PUBLISHED, T0, NULL, NULL, "x", NULL);
	add(s, "r2", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	assert_int_equal(store_rollback(s), DP_OK);
	assert_int_equal(store_article_by_slug(s, "r1", &g), DP_ENOTFOUND);
	assert_int_equal(store_article_by_slug(s, "r2", &g), DP_ENOTFOUND);

	/* A failing save inside a transaction undoes only itself. */
	assert_int_equal(store_begin(s), DP_OK);
	add(s, "c1", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	struct article dup = { .slug = "c1", .title = "dup" };
	const char *tags[] = { "only-in-failed" };
	assert_int_equal(store_article_save(s, &dup, tags, 1, NULL, NULL), DP_EEXISTS);
	add(s, "c2", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	assert_int_equal(store_commit(s), DP_OK);
	assert_int_equal(store_article_by_slug(s, "c1", &g), DP_OK);
	article_release(&g);
	assert_int_equal(store_article_by_slug(s, "c2", &g), DP_OK);
	article_release(&g);
	struct term t;
	assert_int_equal(store_term_by_slug(s, TERM_TAG, "only-in-failed", &t), DP_ENOTFOUND);
	int64_t last;
	assert_int_equal(store_last_change(s, &last), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM changes"), 2);
	store_close(s);
}

static void test_two_connections(void **state)
{
	(void)state;
	char path[256];
	struct store *w = new_store(path, sizeof path), *r = NULL;
	assert_int_equal(store_open(path, 0, &r), DP_OK);

	int64_t seen, ids[8];
	size_t n;
	assert_int_equal(store_last_change(r, &seen), DP_OK);
	int64_t id = add_unrelated(w, "fresh", ARTICLE_PUBLISHED, T0);
	assert_int_equal(store_changes_since(r, seen, ids, NULL, 8, &n, &seen), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	struct article g;
	assert_int_equal(store_article_by_slug(r, "fresh", &g), DP_OK);
	article_release(&g);

	/* The reader reads while the writer holds an open write transaction,
	 * and sees its work only after the commit. */
	assert_int_equal(store_begin(w), DP_OK);
	add_unrelated(w, "pending", ARTICLE_PUBLISHED, T0);
	struct article_list l;
	size_t total;
	struct article_query q = { .now = T0 };
	assert_int_equal(store_articles(r, &q, &l, &total), DP_OK);
	assert_int_equal(total, 1);
	article_list_release(&l);
	assert_int_equal(store_changes_since(r, seen, ids, NULL, 8, &n, &seen), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_commit(w), DP_OK);
	assert_int_equal(store_changes_since(r, seen, ids, NULL, 8, &n, &seen), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_articles(r, &q, &l, &total), DP_OK);
	assert_int_equal(total, 2);
	article_list_release(&l);

	/* Both write in turn; the second waits for the first's lock. */
	add(r, "from-reader", ARTICLE_DRAFT, T0, NULL, NULL, NULL);
	add(w, "from-writer", ARTICLE_DRAFT, T0, NULL, NULL, NULL);
	assert_int_equal(store_last_change(w, &seen), DP_OK);
	assert_int_equal(seen, 4);
	store_close(r);
	store_close(w);
}

/* A second process holds the write lock for a while; a write here waits for
 * it (busy timeout) instead of failing, and both writes land. */
static void test_two_processes(void **state)
{
	(void)state;
	char path[256];
	/* No connection may cross fork(): the parent opens its own after. */
	struct store *s = new_store(path, sizeof path);
	store_close(s);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *c = NULL;
		struct article a = { .slug = "from-child", .title = "Child" };
		int ok = store_open(path, 0, &c) == DP_OK && store_begin(c) == DP_OK &&
			 store_article_save(c, &a, NULL, 0, NULL, NULL) == DP_OK;
		char b = ok ? 'y' : 'n';
		if (write(fds[1], &b, 1) != 1)
			ok = 0;
		usleep(300 * 1000);
		ok = ok && store_commit(c) == DP_OK;
		store_close(c);
		_exit(ok ? 0 : 1);
	}
	char b = 0;
	assert_int_equal(read(fds[0], &b, 1), 1);
	assert_int_equal(b, 'y');
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	add(s, "from-parent", ARTICLE_PUBLISHED, T0, NULL, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	double waited = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
	assert_true(waited > 0.1); /* it did wait for the child's lock */
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(fds[0]);
	close(fds[1]);

	struct article g;
	assert_int_equal(store_article_by_slug(s, "from-child", &g), DP_OK);
	article_release(&g);
	assert_int_equal(store_article_by_slug(s, "from-parent", &g), DP_OK);
	article_release(&g);
	int64_t last;
	assert_int_equal(store_last_change(s, &last), DP_OK);
	assert_int_equal(last, 2);
	store_close(s);
}

/* ---- a rough benchmark ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_list(struct store *s, const char *what, struct article_query *q, bool total,
		       int reps)
{
	struct article_list l;
	size_t t = 0, n = 0;
	double t0 = now_s();
	for (int i = 0; i < reps; i++) {
		assert_int_equal(store_articles(s, q, &l, total ? &t : NULL), DP_OK);
		n = l.n;
		article_list_release(&l);
	}
	double us = (now_s() - t0) / reps * 1e6;
	if (total)
		printf("# bench: %-38s %8.1f us  (%zu rows, total %zu)\n", what, us, n, t);
	else
		printf("# bench: %-38s %8.1f us  (%zu rows)\n", what, us, n);
}

static void test_bench(void **state)
{
	(void)state;
	const char *env = getenv("STORE_BENCH_N");
	long nart = env ? atol(env) : 100000;
	if (nart <= 0) { /* not skip(): meson reads cmocka's "not ok # SKIP" as a failure */
		printf("# bench: skipped (STORE_BENCH_N=%s)\n", env);
		return;
	}
	char path[256];
	struct store *s = new_store(path, sizeof path);

	static const char *const cats[] = { "Politik", "Wirtschaft", "Kultur", "Sport", "Wissen",
					    "Panorama", "Meinung", "Reise", "Auto", "Digital" };
	char body_md[1200], body_html[1400];
	memset(body_md, 'm', sizeof body_md - 1);
	body_md[sizeof body_md - 1] = '\0';
	memset(body_html, 'h', sizeof body_html - 1);
	body_html[sizeof body_html - 1] = '\0';

	/* 100,000 articles over ~3 years, 3 tags each from 300 (tag0 on every
	 * second article, rare tags tag299..), 10 categories, 40 authors. */
	double t0 = now_s();
	assert_int_equal(store_begin(s), DP_OK);
	for (long i = 0; i < nart; i++) {
		char slug[32], title[64], t1[16], t2[16], t3[16], author[32];
		snprintf(slug, sizeof slug, "article-%ld", i);
		snprintf(title, sizeof title, "Article number %ld", i);
		snprintf(t1, sizeof t1, "tag%ld", i % 2 ? 1 + i % 7 : 0);
		snprintf(t2, sizeof t2, "tag%ld", 10 + (i * 7) % 280);
		snprintf(t3, sizeof t3, "tag%ld", i % 1000 == 0 ? 299L : 10 + (i * 13) % 280);
		snprintf(author, sizeof author, "Author %ld", i % 40);
		const char *tags[] = { t1, t2, t3 };
		struct article a = {
			.slug = slug, .title = title, .body_md = body_md, .body_html = body_html,
			.excerpt = "An excerpt of about a line of plain text for the list pages.",
			.status = i % 50 == 7 ? ARTICLE_DRAFT : ARTICLE_PUBLISHED,
			/* the last 20 are scheduled */
			.published_at = T0 - (nart - 20 - i) * 1000,
		};
		assert_int_equal(store_article_save(s, &a, tags, 3, cats[i % 10], author), DP_OK);
	}
	assert_int_equal(store_commit(s), DP_OK);
	double ins = now_s() - t0;
	printf("# bench: inserted %ld articles in one transaction: %.2f s (%.1f us/article)\n", nart,
	       ins, ins / (double)nart * 1e6);
	store_close(s);
	/* Reopen: a cold connection, statements prepared on first use. */
	assert_int_equal(store_open(path, 0, &s), DP_OK);

	int reps = 2000;
	struct article_query q = { .now = T0 };
	bench_list(s, "home page 1", &q, false, reps);
	bench_list(s, "home page 1 + total", &q, true, reps / 10);
	q.with_body = true;
	bench_list(s, "home page 1 with bodies", &q, false, reps);
	q.with_body = false;
	q.offset = 5000;
	bench_list(s, "home page 501 (offset 5000)", &q, false, reps / 10);
	q.offset = 0;
	q.kind = TERM_TAG;
	q.term_slug = "tag0"; /* on half of all articles */
	bench_list(s, "tag archive page 1 (50,000 articles)", &q, false, reps);
	bench_list(s, "tag archive page 1 + total", &q, true, reps / 10);
	q.term_slug = "tag299"; /* on 1 in 1000 */
	bench_list(s, "tag archive page 1 (rare tag)", &q, true, reps);
	q.kind = TERM_CATEGORY;
	q.term_slug = "kultur";
	bench_list(s, "category archive page 1", &q, false, reps);
	q.kind = TERM_AUTHOR;
	q.term_slug = "author-3";
	bench_list(s, "author archive page 1", &q, false, reps);
	q.kind = TERM_TAG;
	q.term_slug = NULL;
	q.include_hidden = true;
	bench_list(s, "all incl. hidden page 1 (CLI)", &q, false, reps);

	struct article a, prev, next;
	unsigned seed = 1;
	int lookups = 20000;
	t0 = now_s();
	for (int i = 0; i < lookups; i++) {
		char slug[32];
		seed = seed * 1103515245u + 12345u;
		snprintf(slug, sizeof slug, "article-%ld", (long)(seed >> 8) % nart);
		assert_int_equal(store_article_by_slug(s, slug, &a), DP_OK);
		article_release(&a);
	}
	printf("# bench: %-38s %8.1f us\n", "slug lookup (full article + tags)",
	       (now_s() - t0) / lookups * 1e6);

	char mid[32];
	snprintf(mid, sizeof mid, "article-%ld", nart / 2);
	assert_int_equal(store_article_by_slug(s, mid, &a), DP_OK);
	t0 = now_s();
	for (int i = 0; i < lookups; i++) {
		assert_int_equal(store_article_neighbors(s, &a, T0, &prev, &next), DP_OK);
		article_release(&prev);
		article_release(&next);
	}
	printf("# bench: %-38s %8.1f us\n", "neighbors (prev + next)", (now_s() - t0) / lookups * 1e6);
	article_release(&a);

	int64_t v;
	t0 = now_s();
	for (int i = 0; i < lookups; i++) {
		assert_int_equal(store_last_modified(s, T0, &v), DP_OK);
		assert_int_equal(store_next_scheduled(s, T0, &v), DP_OK);
		assert_int_equal(store_last_change(s, &v), DP_OK);
	}
	printf("# bench: %-38s %8.1f us\n", "last_modified+next_scheduled+last_change",
	       (now_s() - t0) / lookups * 1e6);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slug_table),
		cmocka_unit_test(test_slug_fallback_and_limits),
		cmocka_unit_test(test_open_schema),
		cmocka_unit_test(test_save_and_get),
		cmocka_unit_test(test_duplicate_slug),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_list_filters),
		cmocka_unit_test(test_neighbors),
		cmocka_unit_test(test_delete_cascades),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_changes_name_old_terms),
		cmocka_unit_test(test_schedule_and_last_modified),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_two_connections),
		cmocka_unit_test(test_two_processes),
		cmocka_unit_test(test_bench),
	};
	return cmocka_run_group_tests_name("store", tests, fixture_setup, fixture_teardown);
}
