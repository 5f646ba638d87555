/* box_test.c — unit tests of the store's boxes (store.h, "boxes"; SQLite
 * backend): the default jobs box of migration 8, places and their names,
 * the order 1..n per place under save, move, place change and delete
 * (checked against a model over a long fixed sequence of operations), the
 * visible filter, what the store refuses, and the change notes that make a
 * running server drop its pages.
 *
 * Every test works on its own database file in one mkdtemp() folder; a raw
 * SQLite connection reads and breaks what the store cannot. */
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

#include "store/store.h"
#include "util/err.h"

#define T0 ((int64_t)1800000000)

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int64_t notes(const char *path)
{
	return raw_int(path, "SELECT count(*) FROM changes WHERE article_id = 0 AND terms = 'boxes'");
}

/* A box of kind in place; the strings are the caller's (never freed). */
static struct box make(const char *kind, enum box_place place, const char *title)
{
	struct box b = { 0 };
	b.kind = (char *)kind;
	b.place = place;
	b.visible = true;
	b.title = (char *)title;
	return b;
}

static int64_t add(struct store *s, const char *kind, enum box_place place)
{
	struct box b = make(kind, place, "");
	assert_int_equal(store_box_save(s, &b, T0), DP_OK);
	assert_true(b.id > 0);
	return b.id;
}

/* The ids of place p in order from store_boxes(all), and checks that
 * their positions are exactly 1..n. Returns n. */
static size_t order_of(struct store *s, enum box_place p, bool all, int64_t *ids, size_t max)
{
	struct box *list = NULL;
	size_t n = 0, k = 0;
	assert_int_equal(store_boxes(s, all, &list, &n), DP_OK);
	for (size_t i = 0; i < n; i++) {
		if (list[i].place != p)
			continue;
		assert_true(k < max);
		if (all)
			assert_int_equal(list[i].position, (int)k + 1);
		ids[k++] = list[i].id;
	}
	/* By place, then position. */
	for (size_t i = 1; i < n; i++)
		assert_true(list[i - 1].place < list[i].place ||
			    (list[i - 1].place == list[i].place &&
			     list[i - 1].position <= list[i].position));
	boxes_free(list, n);
	return k;
}

static void assert_order(struct store *s, enum box_place p, const int64_t *want, size_t n)
{
	int64_t got[128];
	size_t k = order_of(s, p, true, got, 128);
	assert_int_equal(k, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
}

static void test_places(void **state)
{
	(void)state;
	enum box_place p;
	for (int i = 0; i < BOX_PLACE__MAX; i++) {
		assert_int_equal(box_place_parse(box_place_name((enum box_place)i), &p), DP_OK);
		assert_int_equal(p, i);
	}
	assert_string_equal(box_place_name(BOX_SIDEBAR), "sidebar");
	assert_string_equal(box_place_name(BOX_BELOW), "below");
	assert_string_equal(box_place_name(BOX_FOOTER), "footer");
	assert_string_equal(box_place_name(BOX_PLACE__MAX), "?");
	assert_int_equal(box_place_parse("Sidebar", &p), DP_EINVAL);
	assert_int_equal(box_place_parse("", &p), DP_EINVAL);
	assert_int_equal(box_place_parse(NULL, &p), DP_EINVAL);
	box_release(NULL);
	boxes_free(NULL, 3);
}

static void test_default_box(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct box *list = NULL;
	size_t n = 0;
	assert_int_equal(store_boxes(s, true, &list, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].kind, "jobs");
	assert_int_equal(list[0].place, BOX_BELOW);
	assert_int_equal(list[0].position, 1);
	assert_true(list[0].visible);
	assert_string_equal(list[0].title, "");
	assert_string_equal(list[0].link_url, "/jobs/");
	assert_string_equal(list[0].image_url, "");
	struct box one;
	assert_int_equal(store_box_get(s, list[0].id, &one), DP_OK);
	assert_string_equal(one.kind, "jobs");
	box_release(&one);
	assert_int_equal(store_box_get(s, list[0].id + 1000, &one), DP_ENOTFOUND);
	boxes_free(list, n);
	store_close(s);
}

static void test_roundtrip(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct box b = make("book", BOX_SIDEBAR, "Lesetipp");
	b.body = "Zeile eins\nZeile zwei\n\nAbsatz\twith a tab";
	b.link_url = "https://verlag.example/buch?id=1&x=2";
	b.link_text = "Zum Verlag";
	b.image_url = "/uploads/2026/11/umschlag.png";
	b.image_alt = "Umschlag: ein Zug im Schnee";
	b.author = "Ilse Aichinger";
	assert_int_equal(store_box_save(s, &b, T0), DP_OK);
	assert_int_equal(b.position, 1);
	assert_int_equal(b.created_at, T0);
	assert_int_equal(b.updated_at, T0);

	struct box got;
	assert_int_equal(store_box_get(s, b.id, &got), DP_OK);
	assert_string_equal(got.kind, "book");
	assert_int_equal(got.place, BOX_SIDEBAR);
	assert_string_equal(got.title, "Lesetipp");
	assert_string_equal(got.body, b.body);
	assert_string_equal(got.link_url, b.link_url);
	assert_string_equal(got.link_text, b.link_text);
	assert_string_equal(got.image_url, b.image_url);
	assert_string_equal(got.image_alt, b.image_alt);
	assert_string_equal(got.author, b.author);
	box_release(&got);

	/* An update keeps the creation time and the position in its place;
	 * a position the caller sets is not how the order changes. */
	b.title = "Buch der Woche";
	b.position = 7;
	b.visible = false;
	assert_int_equal(store_box_save(s, &b, T0 + 60), DP_OK);
	assert_int_equal(b.position, 1);
	assert_int_equal(b.created_at, T0);
	assert_int_equal(b.updated_at, T0 + 60);
	assert_int_equal(store_box_get(s, b.id, &got), DP_OK);
	assert_string_equal(got.title, "Buch der Woche");
	assert_false(got.visible);
	assert_int_equal(got.created_at, T0);
	assert_int_equal(got.updated_at, T0 + 60);
	box_release(&got);

	/* NULL strings are stored as "". */
	struct box bare = make("text", BOX_FOOTER, NULL);
	assert_int_equal(store_box_save(s, &bare, T0), DP_OK);
	assert_int_equal(store_box_get(s, bare.id, &got), DP_OK);
	assert_string_equal(got.title, "");
	assert_string_equal(got.body, "");
	assert_string_equal(got.author, "");
	box_release(&got);

	/* Updating a box that is gone. */
	struct box gone = make("text", BOX_FOOTER, "x");
	gone.id = bare.id + 100;
	assert_int_equal(store_box_save(s, &gone, T0), DP_ENOTFOUND);
	store_close(s);
}

static void test_order(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = add(s, "text", BOX_SIDEBAR);
	int64_t b = add(s, "book", BOX_SIDEBAR);
	int64_t c = add(s, "support", BOX_SIDEBAR);
	int64_t f1 = add(s, "links", BOX_FOOTER);
	int64_t f2 = add(s, "newsletter", BOX_FOOTER);
	int64_t jobs;
	{
		int64_t ids[4];
		assert_int_equal(order_of(s, BOX_BELOW, true, ids, 4), 1);
		jobs = ids[0];
	}
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ a, b, c }, 3);
	assert_order(s, BOX_FOOTER, (int64_t[]){ f1, f2 }, 2);

	/* Up and down swap with the neighbour; the ends stay put. */
	assert_int_equal(store_box_move(s, c, -1, T0, NULL), DP_OK);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ a, c, b }, 3);
	assert_int_equal(store_box_move(s, a, +1, T0, NULL), DP_OK);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ c, a, b }, 3);
	bool swapped = true;
	assert_int_equal(store_box_move(s, c, -1, T0, &swapped), DP_OK);
	assert_false(swapped);
	assert_int_equal(store_box_move(s, b, +1, T0, &swapped), DP_OK);
	assert_false(swapped);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ c, a, b }, 3);
	assert_int_equal(store_box_move(s, a, +1, T0, &swapped), DP_OK);
	assert_true(swapped);
	assert_int_equal(store_box_move(s, a, -1, T0, &swapped), DP_OK);
	assert_true(swapped);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ c, a, b }, 3);
	assert_int_equal(store_box_move(s, b, 2, T0, NULL), DP_EINVAL);
	assert_int_equal(store_box_move(s, b, 0, T0, NULL), DP_EINVAL);
	assert_int_equal(store_box_move(s, 9999, 1, T0, NULL), DP_ENOTFOUND);

	/* Another place: last there, the gap closed behind. */
	struct box moved;
	assert_int_equal(store_box_get(s, c, &moved), DP_OK);
	moved.place = BOX_FOOTER;
	assert_int_equal(store_box_save(s, &moved, T0), DP_OK);
	assert_int_equal(moved.position, 3);
	box_release(&moved);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ a, b }, 2);
	assert_order(s, BOX_FOOTER, (int64_t[]){ f1, f2, c }, 3);
	assert_order(s, BOX_BELOW, (int64_t[]){ jobs }, 1);

	/* Delete closes the gap. */
	assert_int_equal(store_box_delete(s, f1), DP_OK);
	assert_order(s, BOX_FOOTER, (int64_t[]){ f2, c }, 2);
	assert_int_equal(store_box_delete(s, f1), DP_ENOTFOUND);
	assert_int_equal(store_box_delete(s, 0), DP_EINVAL);
	store_close(s);
}

static void test_repairs_hand_edits(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = add(s, "text", BOX_SIDEBAR);
	int64_t b = add(s, "text", BOX_SIDEBAR);
	int64_t c = add(s, "text", BOX_SIDEBAR);
	/* Ties and gaps as a hand edit could leave them: b and c share 5,
	 * a sits at 9. The order by (position, id) is b, c, a. */
	char sql[256];
	snprintf(sql, sizeof sql,
		 "UPDATE boxes SET position = CASE id WHEN %lld THEN 9 ELSE 5 END WHERE place = 0",
		 (long long)a);
	raw_exec(path, sql);
	/* A move works from that order and leaves 1..n. */
	assert_int_equal(store_box_move(s, c, -1, T0, NULL), DP_OK);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ c, b, a }, 3);
	/* A new box still goes last. */
	raw_exec(path, "UPDATE boxes SET position = 40 WHERE place = 0 AND position = 1");
	int64_t d = add(s, "text", BOX_SIDEBAR);
	assert_order(s, BOX_SIDEBAR, (int64_t[]){ b, a, c, d }, 4);
	store_close(s);
}

/* The model of the order: ids per place, in order. */
struct model {
	int64_t ids[BOX_PLACE__MAX][128];
	size_t n[BOX_PLACE__MAX];
};

static bool model_find(const struct model *m, int64_t id, int *ret_p, size_t *ret_i)
{
	for (int p = 0; p < BOX_PLACE__MAX; p++)
		for (size_t i = 0; i < m->n[p]; i++)
			if (m->ids[p][i] == id) {
				*ret_p = p;
				*ret_i = i;
				return true;
			}
	return false;
}

static void model_remove(struct model *m, int p, size_t i)
{
	memmove(&m->ids[p][i], &m->ids[p][i + 1], (m->n[p] - i - 1) * sizeof m->ids[p][0]);
	m->n[p]--;
}

static void test_order_model(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct model m = { 0 };
	int64_t all[512];
	size_t nall = 0;
	uint32_t seed = 20261127;
	{
		int64_t ids[4];
		assert_int_equal(order_of(s, BOX_BELOW, true, ids, 4), 1);
		m.ids[BOX_BELOW][m.n[BOX_BELOW]++] = ids[0];
		all[nall++] = ids[0];
	}
	for (int step = 0; step < 600; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned r = (seed >> 8) % 100;
		int64_t id = nall ? all[(seed >> 4) % nall] : 0;
		int p;
		size_t i;
		bool present = id && model_find(&m, id, &p, &i);
		if (r < 30 || !present) {
			size_t total = m.n[0] + m.n[1] + m.n[2];
			if (total >= 90)
				continue;
			enum box_place np = (enum box_place)((seed >> 12) % BOX_PLACE__MAX);
			int64_t nid = add(s, "text", np);
			m.ids[np][m.n[np]++] = nid;
			if (nall < 512)
				all[nall++] = nid;
		} else if (r < 60) {
			int delta = (seed >> 13) & 1 ? 1 : -1;
			assert_int_equal(store_box_move(s, id, delta, T0, NULL), DP_OK);
			size_t j = (size_t)((int64_t)i + delta);
			if ((delta < 0 && i > 0) || (delta > 0 && i + 1 < m.n[p])) {
				m.ids[p][i] = m.ids[p][j];
				m.ids[p][j] = id;
			}
		} else if (r < 80) {
			struct box b;
			enum box_place np = (enum box_place)((seed >> 12) % BOX_PLACE__MAX);
			assert_int_equal(store_box_get(s, id, &b), DP_OK);
			b.place = np;
			b.visible = !b.visible;
			assert_int_equal(store_box_save(s, &b, T0), DP_OK);
			box_release(&b);
			if ((int)np != p) {
				model_remove(&m, p, i);
				m.ids[np][m.n[np]++] = id;
			}
		} else {
			assert_int_equal(store_box_delete(s, id), DP_OK);
			model_remove(&m, p, i);
		}
		for (int q = 0; q < BOX_PLACE__MAX; q++)
			assert_order(s, (enum box_place)q, m.ids[q], m.n[q]);
	}
	store_close(s);
}

static void test_visible(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = add(s, "text", BOX_SIDEBAR);
	int64_t b = add(s, "support", BOX_SIDEBAR);
	int64_t c = add(s, "book", BOX_SIDEBAR);
	struct box hb;
	assert_int_equal(store_box_get(s, b, &hb), DP_OK);
	hb.visible = false;
	assert_int_equal(store_box_save(s, &hb, T0), DP_OK);
	box_release(&hb);

	int64_t ids[8];
	assert_int_equal(order_of(s, BOX_SIDEBAR, false, ids, 8), 2);
	assert_int_equal(ids[0], a);
	assert_int_equal(ids[1], c);
	assert_int_equal(order_of(s, BOX_SIDEBAR, true, ids, 8), 3);
	/* A hidden box keeps its place in the order. */
	assert_int_equal(ids[1], b);
	store_close(s);
}

static void test_refused(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	char long_kind[BOX_KIND_MAX + 2], long_title[2000], long_url[2100];
	memset(long_kind, 'a', sizeof long_kind - 1);
	long_kind[sizeof long_kind - 1] = '\0';
	memset(long_title, 'x', sizeof long_title - 1);
	long_title[sizeof long_title - 1] = '\0';
	memcpy(long_url, "https://", 8);
	memset(long_url + 8, 'a', sizeof long_url - 9);
	long_url[sizeof long_url - 1] = '\0';
	char ok_kind[BOX_KIND_MAX + 1];
	memset(ok_kind, 'z', sizeof ok_kind - 1);
	ok_kind[sizeof ok_kind - 1] = '\0';

	static const char *const bad_kinds[] = { "", "Book", "bo0k", "bo-ok", "b k", "büch" };
	static const char *const bad_urls[] = {
		"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example/",
		"/\\evil.example/", "https://", "http:///x", "https:// x", "ftp://x.example/",
		"vbscript:x", " /x", "/a b", "mailto:x@example.org", "https://a\nb",
	};
	int64_t before = notes(path);
	int64_t rows = raw_int(path, "SELECT count(*) FROM boxes");

	struct box b;
	for (size_t i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
		b = make(bad_kinds[i], BOX_SIDEBAR, "t");
		assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	}
	b = make(long_kind, BOX_SIDEBAR, "t");
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make(NULL, BOX_SIDEBAR, "t");
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", BOX_PLACE__MAX, "t");
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", (enum box_place)-1, "t");
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
		b = make("text", BOX_SIDEBAR, "t");
		b.link_url = (char *)bad_urls[i];
		assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
		b.link_url = "";
		b.image_url = (char *)bad_urls[i];
		b.image_alt = "Bild";
		assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	}
	b = make("text", BOX_SIDEBAR, long_title);
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", BOX_SIDEBAR, "t");
	b.link_url = long_url;
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", BOX_SIDEBAR, "Zeile\nzwei");       /* a title is one line */
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", BOX_SIDEBAR, "\xc3\x28");          /* not UTF-8 */
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("text", BOX_SIDEBAR, "t");
	b.body = "a\x01z";
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	b = make("book", BOX_SIDEBAR, "t");                 /* a cover needs its text */
	b.image_url = "/uploads/2026/11/a.png";
	b.image_alt = " ";
	assert_int_equal(store_box_save(s, &b, T0), DP_EINVAL);
	assert_int_equal(store_box_save(s, NULL, T0), DP_EINVAL);

	assert_int_equal(notes(path), before);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM boxes"), rows);

	/* What is fine. */
	static const char *const good_urls[] = {
		"", "/", "/jobs/", "/uploads/2026/11/a.png", "https://www.patreon.com/x",
		"HTTP://example.org", "https://example.org/ü?a=1&b=2#c",
	};
	for (size_t i = 0; i < sizeof good_urls / sizeof good_urls[0]; i++) {
		b = make("links", BOX_FOOTER, "t");
		b.link_url = (char *)good_urls[i];
		assert_int_equal(store_box_save(s, &b, T0), DP_OK);
	}
	b = make(ok_kind, BOX_FOOTER, "");
	assert_int_equal(store_box_save(s, &b, T0), DP_OK);
	store_close(s);
}

static void test_limit(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t n = raw_int(path, "SELECT count(*) FROM boxes");
	struct box b;
	int rc = DP_OK;
	for (int i = 0; i < 200 && rc == DP_OK; i++) {
		b = make("text", (enum box_place)(i % BOX_PLACE__MAX), "");
		rc = store_box_save(s, &b, T0);
		if (rc == DP_OK)
			n++;
	}
	assert_int_equal(rc, DP_ETOOBIG);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM boxes"), n);
	assert_true(n >= 50 && n < 200);
	/* Updates still work at the limit. */
	struct box *list = NULL;
	size_t k = 0;
	assert_int_equal(store_boxes(s, true, &list, &k), DP_OK);
	assert_int_equal((int64_t)k, n);
	free(list[0].title);
	list[0].title = strdup("Noch da");
	assert_int_equal(store_box_save(s, &list[0], T0), DP_OK);
	boxes_free(list, k);
	store_close(s);
}

static void test_change_notes(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t n0 = notes(path);
	int64_t a = add(s, "text", BOX_SIDEBAR);
	assert_int_equal(notes(path), n0 + 1);
	int64_t b = add(s, "text", BOX_SIDEBAR);
	assert_int_equal(notes(path), n0 + 2);
	assert_int_equal(store_box_move(s, b, -1, T0 + 5, NULL), DP_OK);
	assert_int_equal(notes(path), n0 + 3);
	/* Already first: nothing changed, nothing to drop. */
	assert_int_equal(store_box_move(s, b, -1, T0 + 6, NULL), DP_OK);
	assert_int_equal(notes(path), n0 + 3);
	struct box x;
	assert_int_equal(store_box_get(s, a, &x), DP_OK);
	x.visible = false;
	assert_int_equal(store_box_save(s, &x, T0 + 7), DP_OK);
	box_release(&x);
	assert_int_equal(notes(path), n0 + 4);
	assert_int_equal(store_box_delete(s, a), DP_OK);
	assert_int_equal(notes(path), n0 + 5);
	/* Failed writes leave none. */
	assert_int_equal(store_box_delete(s, a), DP_ENOTFOUND);
	assert_int_equal(store_box_move(s, a, 1, T0, NULL), DP_ENOTFOUND);
	assert_int_equal(notes(path), n0 + 5);
	/* The note is what the page cache's watcher reads. */
	int64_t id = 0, ids[16];
	char *terms[16];
	size_t k = 0;
	int64_t last = 0;
	assert_int_equal(store_changes_since(s, 0, ids, terms, 16, &k, &last), DP_OK);
	assert_true(k >= 5);
	for (size_t i = 0; i < k; i++) {
		if (ids[i] == 0 && strcmp(terms[i], "boxes") == 0)
			id++;
		free(terms[i]);
	}
	assert_int_equal(id, 5);
	/* Inside a caller's transaction the note goes with the write. */
	assert_int_equal(store_begin(s), DP_OK);
	add(s, "text", BOX_FOOTER);
	assert_int_equal(store_rollback(s), DP_OK);
	assert_int_equal(notes(path), n0 + 5);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_default_box),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_repairs_hand_edits),
		cmocka_unit_test(test_order_model),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_change_notes),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
