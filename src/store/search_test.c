/* search_test.c — unit tests of the site search and the related articles
 * (store.h, store/sqlite/search.c): ranking, German stemming and compounds
 * end to end, highlighted snippets with hostile text, visibility, the index
 * following every change, related lists and their change-log entries,
 * rebuilding, and an upgraded database getting its articles indexed.
 *
 * Every test works on its own database in one mkdtemp() folder. Times are
 * fixed (T0), so nothing depends on the clock. */
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

#include "store/sqlite/internal.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "util/err.h"

#define T0 ((int64_t)1790000000) /* 2026-09-21 */
#define DAY ((int64_t)86400)

/* Saves an article (id 0: a new one) with body_html as given; returns its id. */
static int64_t put(struct store *s, int64_t id, const char *slug, const char *title,
		   const char *html, enum article_status st, int64_t published_at,
		   const char *tags_csv)
{
	const char *tags[8];
	char buf[256];
	size_t ntags = 0;
	if (tags_csv) {
		snprintf(buf, sizeof buf, "%s", tags_csv);
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && ntags < 8;
		     t = strtok_r(NULL, ",", &save))
			tags[ntags++] = t;
	}
	struct article a = {
		.id = id,
		.slug = (char *)slug,
		.title = (char *)title,
		.body_md = "(markdown)",
		.body_html = (char *)html,
		.status = st,
		.published_at = published_at,
	};
	assert_int_equal(store_article_save(s, &a, tags, ntags, NULL, NULL), DP_OK);
	return a.id;
}

static int64_t pub(struct store *s, const char *slug, const char *title, const char *html,
		   int64_t published_at)
{
	return put(s, 0, slug, title, html, ARTICLE_PUBLISHED, published_at, NULL);
}

/* Searches q at now (page: offset, limit) and returns store_search()'s result. */
static int find(struct store *s, const char *q, int64_t now, size_t offset, size_t limit,
		struct search_result *r)
{
	struct search_query sq = { .q = q, .now = now, .offset = offset, .limit = limit };
	return store_search(s, &sq, r);
}

/* The slugs of the hits of q at now, space-separated ("" for none). */
static char *slugs(struct store *s, const char *q, int64_t now)
{
	static char out[1024];
	struct search_result r;
	assert_int_equal(find(s, q, now, 0, 50, &r), DP_OK);
	out[0] = '\0';
	for (size_t i = 0; i < r.n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "",
			 r.hits[i].article.slug);
	assert_int_equal(r.total, r.n);
	search_result_release(&r);
	return out;
}

/* The same, sorted by name, where the order is not the point. */
static char *sorted(struct store *s, const char *q, int64_t now)
{
	static char out[1024];
	char *words[64], *save = NULL;
	size_t n = 0;
	snprintf(out, sizeof out, "%s", slugs(s, q, now));
	char copy[1024];
	snprintf(copy, sizeof copy, "%s", out);
	for (char *w = strtok_r(copy, " ", &save); w && n < 64; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(words[k - 1], words[k]) > 0; k--) {
			char *t = words[k];
			words[k] = words[k - 1];
			words[k - 1] = t;
		}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "", words[i]);
	return out;
}

/* The slugs of the related articles of id at now. */
static char *related(struct store *s, int64_t id, int64_t now)
{
	static char out[1024];
	struct article_list l;
	assert_int_equal(store_related(s, id, now, &l), DP_OK);
	out[0] = '\0';
	for (size_t i = 0; i < l.n; i++)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", i ? " " : "",
			 l.items[i].slug);
	article_list_release(&l);
	return out;
}

/* The number of articles the index holds term in (a word, or a pair "a b"),
 * read through the store's own connection (its tokenizer opens the index). */
static int64_t index_docs(struct store *s, const char *term)
{
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_exec(sq_db(s), "CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms"
						" USING fts5vocab(main, search_fts, 'row')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq_db(s), "SELECT coalesce(sum(doc), 0) FROM temp.terms"
						      " WHERE term = ?1", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, term, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t last_change(struct store *s)
{
	int64_t last;
	assert_int_equal(store_last_change(s, &last), DP_OK);
	return last;
}

/* Whether article id has a change-log entry after `after`. */
static bool changed_since(struct store *s, int64_t after, int64_t id)
{
	int64_t ids[512], last;
	size_t n;
	assert_int_equal(store_changes_since(s, after, ids, NULL, 512, &n, &last), DP_OK);
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* ---- ranking ---- */

static void test_ranking(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	/* The word in the title beats the word in the body, however new. */
	pub(s, "body-only", "Nachrichten aus dem Rathaus",
	    "<p>Der Haushalt der Stadt ist beschlossen.</p>", T0);
	pub(s, "in-title", "Haushalt beschlossen", "<p>Der Rat hat entschieden.</p>", T0 - 300 * DAY);
	/* Two the same but for their date: the newer first. */
	pub(s, "older", "Hafenfest", "<p>Das Hafenfest beginnt am Freitag.</p>", T0 - 20 * DAY);
	pub(s, "newer", "Hafenfest", "<p>Das Hafenfest beginnt am Freitag.</p>", T0 - 2 * DAY);
	/* A phrase only in its order. */
	pub(s, "order", "Bericht", "<p>Die rote Ampel blieb stehen.</p>", T0 - DAY);
	pub(s, "reversed", "Bericht", "<p>Die Ampel, rote Farbe, blieb stehen.</p>", T0 - DAY);

	assert_string_equal(slugs(s, "Haushalt", T0 + DAY), "in-title body-only");
	assert_string_equal(slugs(s, "hafenfest", T0 + DAY), "newer older");
	assert_string_equal(slugs(s, "\"rote Ampel\"", T0 + DAY), "order");
	assert_string_equal(slugs(s, "rote Ampel", T0 + DAY), "order reversed");

	/* Scores come best (lowest) first. */
	struct search_result r;
	assert_int_equal(find(s, "Haushalt", T0 + DAY, 0, 10, &r), DP_OK);
	assert_int_equal(r.n, 2);
	assert_true(r.hits[0].score < r.hits[1].score);
	assert_true(r.hits[1].score < 0);
	/* Hits are filled as in lists. */
	assert_string_equal(r.hits[0].article.title, "Haushalt beschlossen");
	assert_int_equal(r.hits[0].article.published_at, T0 - 300 * DAY);
	assert_null(r.hits[0].article.body_html);
	search_result_release(&r);
	search_result_release(&r); /* idempotent */
	store_close(s);
}

/* ---- German: stems, feminine forms, folding, compounds ---- */

static void test_german(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	pub(s, "frauen", "Streik", "<p>Die Arbeiterinnen legen die Arbeit nieder.</p>", T0 - 3 * DAY);
	pub(s, "plural", "Tarif", "<p>Den Arbeitern wurde gekündigt.</p>", T0 - 2 * DAY);
	pub(s, "strasse", "Umleitung", "<p>Die Hauptstraße in Köln ist gesperrt.</p>", T0 - DAY);
	assert_string_equal(sorted(s, "Arbeiter", T0), "frauen plural");
	assert_string_equal(sorted(s, "arbeiterin", T0), "frauen plural");
	/* Umlauts and ß fold the same way in index and query. */
	assert_string_equal(slugs(s, "HAUPTSTRASSE koln", T0), "strasse");
	assert_string_equal(slugs(s, "Hauptstraße Köln", T0), "strasse");

	/* "Strecke" and "Bahn" stand alone in one article: a compound of them
	 * in an article written later is found by either part. */
	pub(s, "teile", "Die Bahn fährt", "<p>Die Strecke ist frei, die Bahn fährt.</p>", T0 - DAY);
	int64_t compound = pub(s, "neubau", "Neubau im Norden",
			       "<p>Die neue Bahnstrecke wird gebaut.</p>", T0);
	assert_string_equal(slugs(s, "Bahnstrecke", T0 + DAY), "neubau");
	assert_string_equal(slugs(s, "Strecke", T0 + DAY), "neubau teile");
	/* A query does not split: "Bahnstrecke" is not "Bahn Strecke". */
	assert_string_equal(slugs(s, "\"Bahn Strecke\"", T0 + DAY), "");

	/* An article written before its parts were known is split when they
	 * come, and its old entries go: edited to another word, it is no
	 * longer found by the parts. */
	int64_t early = pub(s, "frueh", "Früh", "<p>Ein Hafenkran wurde aufgestellt.</p>", T0 - 9 * DAY);
	assert_string_equal(slugs(s, "Kran", T0 + DAY), "");
	pub(s, "kran", "Kran", "<p>Der Kran steht am Hafen.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Kran", T0 + DAY), "kran frueh");
	put(s, early, "frueh", "Früh", "<p>Ein Hafenkran wurde aufgestellt.</p>", ARTICLE_PUBLISHED,
	    T0 - 9 * DAY, NULL);
	assert_string_equal(slugs(s, "Kran", T0 + DAY), "kran frueh");
	put(s, early, "frueh", "Früh", "<p>Ein Leuchtturm wurde gestrichen.</p>", ARTICLE_PUBLISHED,
	    T0 - 9 * DAY, NULL);
	assert_string_equal(slugs(s, "Kran", T0 + DAY), "kran");
	assert_string_equal(slugs(s, "Hafenkran", T0 + DAY), "");
	/* In one transaction (an import), a compound splits against the words
	 * of all its articles, whatever their order. */
	assert_int_equal(store_begin(s), DP_OK);
	pub(s, "import-1", "Import", "<p>Der Windradflügel ist gebrochen.</p>", T0 - DAY);
	pub(s, "import-2", "Import", "<p>Ein Windrad hat einen Flügel.</p>", T0 - DAY);
	assert_int_equal(store_commit(s), DP_OK);
	assert_string_equal(sorted(s, "Flügel", T0 + DAY), "import-1 import-2");

	put(s, compound, "neubau", "Neubau im Norden", "<p>Die neue Brücke wird gebaut.</p>",
	    ARTICLE_PUBLISHED, T0, NULL);
	assert_string_equal(slugs(s, "Strecke", T0 + DAY), "teile");
	assert_string_equal(slugs(s, "Bahn", T0 + DAY), "teile");
	store_close(s);
}

/* ---- snippets and titles: escaped, only <mark> raw ---- */

static void test_snippets_escaped(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	/* body_html as the renderer stores it (entities), with raw HTML an
	 * editor may allow, a comment and a control character. */
	pub(s, "boese", "Wahl <script>alert(1)</script> & \"Quote\"",
	    "<p>Vor der Wahl: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Zitat&quot; "
	    "O&#39;Brien &amp;amp; <em>Wahl</em>kampf\x02x\x03 <b>x</b></p>"
	    "<script>var wahl = 1;</script><!-- Wahl im Kommentar -->"
	    "<p>Die Wahl endet.</p>",
	    T0);
	struct search_result r;
	assert_int_equal(find(s, "Wahl", T0 + DAY, 0, 10, &r), DP_OK);
	assert_int_equal(r.n, 1);
	const char *t = r.hits[0].title_html, *sn = r.hits[0].snippet_html;
	assert_string_equal(t, "<mark>Wahl</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
			       "&quot;Quote&quot;");
	assert_non_null(strstr(sn, "<mark>Wahl</mark>: &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
				   "&quot;Zitat&quot; O&#39;Brien &amp;amp; Wahlkampf x x"));
	assert_non_null(strstr(sn, "Die <mark>Wahl</mark> endet."));
	/* Script content and comments are not text. */
	assert_null(strstr(sn, "var"));
	assert_null(strstr(sn, "Kommentar"));
	/* Every '<' in the result opens or closes a mark. */
	for (const char *p = sn; (p = strchr(p, '<')); p++)
		assert_true(!strncmp(p, "<mark>", 6) || !strncmp(p, "</mark>", 7));
	for (const char *p = t; (p = strchr(p, '<')); p++)
		assert_true(!strncmp(p, "<mark>", 6) || !strncmp(p, "</mark>", 7));
	assert_null(strchr(sn, '\x02'));
	assert_null(strchr(sn, '\x03'));
	search_result_release(&r);

	/* A long body is cut around the match, with "…". */
	char body[4096] = "<p>";
	for (int i = 0; i < 60; i++)
		strcat(body, "Lorem ipsum dolor sit amet. ");
	strcat(body, "Hier steht das Stichwort Leuchtturm mitten im Text. ");
	for (int i = 0; i < 60; i++)
		strcat(body, "Consectetur adipiscing elit. ");
	strcat(body, "</p>");
	pub(s, "lang", "Lang", body, T0);
	assert_int_equal(find(s, "Leuchtturm", T0 + DAY, 0, 10, &r), DP_OK);
	assert_int_equal(r.n, 1);
	sn = r.hits[0].snippet_html;
	assert_non_null(strstr(sn, "<mark>Leuchtturm</mark>"));
	assert_true(!strncmp(sn, "…", strlen("…")));
	assert_true(strlen(sn) < 400);
	assert_string_equal(r.hits[0].title_html, "Lang");
	search_result_release(&r);
	store_close(s);
}

/* ---- visibility and following the articles ---- */

static void test_visibility_and_changes(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t draft = put(s, 0, "entwurf", "Leuchtturm Entwurf", "<p>Leuchtturm.</p>",
			    ARTICLE_DRAFT, T0 - DAY, NULL);
	int64_t future = pub(s, "morgen", "Leuchtturm morgen", "<p>Leuchtturm.</p>", T0 + DAY);
	int64_t live = pub(s, "heute", "Leuchtturm heute", "<p>Leuchtturm.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "heute");
	/* The scheduled one appears when its time comes, without a change. */
	assert_string_equal(slugs(s, "Leuchtturm", T0 + DAY), "morgen heute");
	(void)future;

	/* Publish, edit, unpublish, delete: followed at once. */
	assert_int_equal(store_article_set_status(s, draft, ARTICLE_PUBLISHED, T0), DP_OK);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "heute entwurf");
	put(s, draft, "entwurf", "Segelboot", "<p>Ein Segelboot.</p>", ARTICLE_PUBLISHED, T0 - DAY,
	    NULL);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "heute");
	assert_string_equal(slugs(s, "Segelboot", T0), "entwurf");
	assert_int_equal(store_article_set_status(s, draft, ARTICLE_DRAFT, T0), DP_OK);
	assert_string_equal(slugs(s, "Segelboot", T0), "");
	assert_int_equal(store_article_delete(s, live), DP_OK);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "");
	assert_string_equal(slugs(s, "Leuchtturm", T0 + DAY), "morgen");
	/* Moving the date moves it out of sight and back. */
	put(s, future, "morgen", "Leuchtturm morgen", "<p>Leuchtturm.</p>", ARTICLE_PUBLISHED,
	    T0 + 30 * DAY, NULL);
	assert_string_equal(slugs(s, "Leuchtturm", T0 + DAY), "");

	/* A write that fails leaves the index as it was. */
	assert_int_equal(store_begin(s), DP_OK);
	pub(s, "weg", "Leuchtturm weg", "<p>Leuchtturm.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "weg");
	assert_int_equal(store_rollback(s), DP_OK);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "");
	pub(s, "wieder", "Leuchtturm wieder", "<p>Leuchtturm.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Leuchtturm", T0), "wieder");
	store_close(s);

	/* The document counts followed: "morgen" (scheduled) and "wieder". */
	assert_int_equal(raw_int(path, "SELECT df FROM search_vocab WHERE term = 'leuchtturm'"), 2);
	assert_int_equal(raw_int(path, "SELECT df FROM search_vocab WHERE term = 'segelboot'"), 0);
	assert_int_equal(raw_int(path, "SELECT ndocs FROM search_state"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM search_docs"), 2);
}

/* ---- the reader's query ---- */

static void test_query_forms(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	pub(s, "a", "Hafen", "<p>Der Hafen von Hamburg wächst.</p>", T0 - 3 * DAY);
	pub(s, "b", "Hafen", "<p>Der Hafen von Kiel schrumpft.</p>", T0 - 2 * DAY);
	pub(s, "c", "Hafen", "<p>Hamburg und Kiel: der Hafen im Vergleich.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Hafen -Kiel", T0), "a");
	assert_string_equal(sorted(s, "Hafen -\"von Kiel\"", T0), "a c");
	assert_string_equal(slugs(s, "\"Hafen von\" Kiel", T0), "b");
	assert_string_equal(slugs(s, "„Hafen von Hamburg“", T0), "a");
	/* FTS5 syntax is only text. */
	assert_string_equal(slugs(s, "Hafen OR Kiel", T0), "");
	assert_string_equal(slugs(s, "title:Hafen", T0), "");
	assert_string_equal(slugs(s, "NEAR(Hafen Kiel)", T0), "");
	assert_string_equal(sorted(s, "(Hafen*)", T0), "a b c");
	assert_string_equal(slugs(s, "Flughafen", T0), "");

	struct search_result r = { .n = 7 };
	assert_int_equal(find(s, "", T0, 0, 10, &r), DP_EINVAL);
	assert_int_equal(r.n, 0);
	assert_null(r.hits);
	assert_int_equal(find(s, "  ,;!  ", T0, 0, 10, &r), DP_EINVAL);
	assert_int_equal(find(s, "-Hafen", T0, 0, 10, &r), DP_EINVAL);
	assert_int_equal(find(s, "-Hafen -\"von Kiel\"", T0, 0, 10, &r), DP_EINVAL);
	char longq[SEARCH_QUERY_MAX + 10];
	memset(longq, 'a', sizeof longq - 1);
	longq[sizeof longq - 1] = '\0';
	assert_int_equal(find(s, longq, T0, 0, 10, &r), DP_EINVAL);
	assert_int_equal(find(s, "Hafen \xff", T0, 0, 10, &r), DP_EINVAL);
	assert_int_equal(store_search(s, NULL, &r), DP_EINVAL);
	store_close(s);
}

/* Phrases holding function words are looked up by word pairs: the same
 * answers as word by word, compound parts included, and the pairs follow
 * every change. */
static void test_phrase_pairs(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	pub(s, "a", "Lage", "<p>Die Lage in der Stadt bleibt angespannt.</p>", T0 - 4 * DAY);
	pub(s, "b", "Zukunft", "<p>In der Lage: die Stadt der Zukunft.</p>", T0 - 3 * DAY);
	pub(s, "teile", "Bahn", "<p>Eine Strecke, eine Bahn, eine Region.</p>", T0 - 2 * DAY);
	int64_t d = pub(s, "d", "Ausbau", "<p>Auf der Bahnstrecke der Region wird gebaut.</p>",
			T0 - DAY);
	assert_string_equal(slugs(s, "\"in der Stadt\"", T0), "a");
	assert_string_equal(slugs(s, "\"die Stadt\"", T0), "b");
	assert_string_equal(sorted(s, "\"der Stadt\"", T0), "a");
	assert_string_equal(slugs(s, "\"Stadt der\"", T0), "b");
	assert_string_equal(slugs(s, "\"Stadt der Zukunft\"", T0), "b");
	assert_string_equal(sorted(s, "\"in der\"", T0), "a b");
	assert_string_equal(slugs(s, "\"Lage in der Stadt bleibt\"", T0), "a");
	assert_string_equal(slugs(s, "\"die die\"", T0), "");
	assert_string_equal(slugs(s, "\"der der\"", T0), "");
	assert_string_equal(slugs(s, "\"Stadt in der\"", T0), "");
	/* A single function word is a word: every article that has it. */
	assert_string_equal(sorted(s, "\"der\"", T0), "a b d");
	/* The parts of a compound pair up too. */
	assert_string_equal(slugs(s, "\"der Strecke\"", T0), "d");
	assert_string_equal(slugs(s, "\"Strecke der\"", T0), "d");
	assert_string_equal(slugs(s, "\"der Bahnstrecke der Region\"", T0), "d");
	/* As word by word: a compound stands at its place for each of its parts. */
	assert_string_equal(slugs(s, "\"der Bahn der\"", T0), "d");
	/* Excluded phrases pair up the same way. */
	assert_string_equal(sorted(s, "Stadt -\"in der Stadt\"", T0), "b");

	/* Every word of the phrase is marked, not only those of its pairs. */
	struct search_result r;
	assert_int_equal(find(s, "\"in der Stadt\"", T0, 0, 10, &r), DP_OK);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(r.hits[0].snippet_html, "<mark>in der Stadt</mark>"));
	search_result_release(&r);

	/* Changed and unpublished, its pairs go with it (the parts recorded
	 * at insert make the same pairs at removal). */
	put(s, d, "d", "Ausbau", "<p>Auf der Brücke wird gebaut.</p>", ARTICLE_PUBLISHED, T0 - DAY,
	    NULL);
	assert_string_equal(slugs(s, "\"der Strecke\"", T0), "");
	assert_string_equal(slugs(s, "\"der Region\"", T0), "");
	assert_string_equal(slugs(s, "\"der Brücke\"", T0), "d");
	assert_int_equal(store_article_set_status(s, d, ARTICLE_DRAFT, T0), DP_OK);
	assert_string_equal(slugs(s, "\"der Brücke\"", T0), "");

	/* A phrase of more words than are paired is looked up word by word. */
	char body[512] = "<p>", q[256] = "\"";
	for (int i = 1; i <= 40; i++) {
		snprintf(body + strlen(body), sizeof body - strlen(body), "%sw%d", i > 1 ? " " : "", i);
		snprintf(q + strlen(q), sizeof q - strlen(q), "%sw%d", i > 1 ? " " : "", i);
	}
	strcat(body, "</p>");
	strcat(q, "\"");
	pub(s, "lang", "Lang", body, T0 - DAY);
	assert_string_equal(slugs(s, q, T0), "lang");
	store_close(s);
}

/* Words in many articles at a rebuild are paired too (search_common), and
 * the pairs follow the articles saved and changed after it. */
static void test_common_word_pairs(void **state)
{
	(void)state;
	char path[256], slug[32], html[128];
	struct store *s = open_new(path, sizeof path);
	assert_int_equal(store_begin(s), DP_OK);
	for (int i = 0; i < 1000; i++) {
		snprintf(slug, sizeof slug, "m%d", i);
		snprintf(html, sizeof html, "<p>Wetter heute in Zone%d: Sonne.</p>", i);
		pub(s, slug, "Wetterbericht", html, T0 - DAY - i * 60);
	}
	pub(s, "umgekehrt", "Anders", "<p>Sonne, heute Wetter wie gestern.</p>", T0 - 2 * DAY);
	assert_int_equal(store_commit(s), DP_OK);
	assert_int_equal(store_search_reindex(s, "de", NULL, NULL), DP_OK);
	store_close(s);
	/* "Wetter", "heute", "Sonne", "Zone…"? Only those in 2 % of the articles. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM search_common"
				       " WHERE term IN ('wett', 'heut', 'sonn', 'wetterbericht')"), 4);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM search_common WHERE term = 'zone5'"), 0);
	assert_int_equal(store_open(path, 0, &s), DP_OK);

	struct search_result r;
	assert_int_equal(find(s, "\"Wetter heute\"", T0, 0, 10, &r), DP_OK);
	assert_int_equal(r.total, 1000);
	search_result_release(&r);
	assert_string_equal(slugs(s, "\"heute Wetter\"", T0), "umgekehrt");
	assert_string_equal(slugs(s, "\"Sonne heute Wetter wie\"", T0), "umgekehrt");
	assert_string_equal(slugs(s, "\"Zone7 Sonne\"", T0), "m7");
	assert_string_equal(slugs(s, "\"heute Zone7\"", T0), "");
	/* The pairs are there: of common words with any word, not of two rare ones. */
	assert_int_equal(index_docs(s, "wett heut"), 1000);
	assert_int_equal(index_docs(s, "heut wett"), 1);
	assert_int_equal(index_docs(s, "zone7 sonn"), 1);
	assert_int_equal(index_docs(s, "in zone7"), 1);
	assert_int_equal(index_docs(s, "wett"), 1001);

	/* Saved after the rebuild: paired as the rebuild's articles; changed,
	 * its pairs go. */
	int64_t id = pub(s, "neu", "Neu", "<p>Morgen Sonne, heute Wetter.</p>", T0 - DAY / 2);
	assert_string_equal(sorted(s, "\"heute Wetter\"", T0), "neu umgekehrt");
	put(s, id, "neu", "Neu", "<p>Morgen Regen.</p>", ARTICLE_PUBLISHED, T0 - DAY / 2, NULL);
	assert_string_equal(slugs(s, "\"heute Wetter\"", T0), "umgekehrt");
	assert_string_equal(slugs(s, "\"Morgen Regen\"", T0), "neu");
	assert_int_equal(index_docs(s, "heut wett"), 1);
	assert_int_equal(index_docs(s, "morg"), 1);
	assert_int_equal(index_docs(s, "reg"), 1);
	assert_int_equal(index_docs(s, "morg reg"), 0);   /* two rare words: no pair */
	store_close(s);
}

static void test_pagination(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	char slug[32], title[64];
	assert_int_equal(store_begin(s), DP_OK);
	for (int i = 0; i < 25; i++) {
		snprintf(slug, sizeof slug, "meldung-%02d", i);
		snprintf(title, sizeof title, "Meldung %d", i);
		pub(s, slug, title, "<p>Eine Meldung über das Wetter.</p>", T0 - (25 - i) * DAY);
	}
	pub(s, "anders", "Anders", "<p>Nichts davon.</p>", T0 - DAY);
	assert_int_equal(store_commit(s), DP_OK);

	struct search_result r;
	char seen[25] = { 0 };
	for (size_t page = 0; page < 3; page++) {
		assert_int_equal(find(s, "Wetter", T0, page * 10, 10, &r), DP_OK);
		assert_int_equal(r.total, 25);
		assert_int_equal(r.n, page < 2 ? 10 : 5);
		for (size_t i = 0; i < r.n; i++) {
			int k = atoi(r.hits[i].article.slug + strlen("meldung-"));
			assert_false(seen[k]);
			seen[k] = 1;
			if (i)
				assert_true(r.hits[i - 1].score <= r.hits[i].score);
		}
		/* Equal texts: newest first. */
		assert_int_equal(atoi(r.hits[0].article.slug + 8), 24 - (int)page * 10);
		search_result_release(&r);
	}
	assert_int_equal(find(s, "Wetter", T0, 25, 10, &r), DP_OK);
	assert_int_equal(r.total, 25);
	assert_int_equal(r.n, 0);
	search_result_release(&r);
	assert_int_equal(find(s, "Wetter", T0, 0, 0, &r), DP_OK);
	assert_int_equal(r.n, 10); /* limit 0 means 10 */
	search_result_release(&r);
	/* Only what was public at now counts. */
	assert_int_equal(find(s, "Wetter", T0 - 20 * DAY, 0, 10, &r), DP_OK);
	assert_int_equal(r.total, 6);
	search_result_release(&r);
	store_close(s);
}

/* ---- related articles ---- */

static void test_related(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = put(s, 0, "windpark-a", "Windpark vor Rügen genehmigt",
			"<p>Der Windpark vor Rügen bekommt Turbinen. Die Turbinen liefern Strom.</p>",
			ARTICLE_PUBLISHED, T0 - 5 * DAY, "Energie,Windkraft");
	int64_t b = put(s, 0, "windpark-b", "Turbinen für den Windpark",
			"<p>Die Turbinen des Windparks vor Rügen kommen aus Dänemark.</p>",
			ARTICLE_PUBLISHED, T0 - 4 * DAY, "Windkraft");
	int64_t c = put(s, 0, "kita", "Neue Kita eröffnet",
			"<p>Die Kita hat vierzig Plätze und einen Garten.</p>", ARTICLE_PUBLISHED,
			T0 - 3 * DAY, "Bildung");
	int64_t d = put(s, 0, "kita-b", "Kita sucht Personal",
			"<p>Für die neue Kita fehlen Erzieher. Die Plätze bleiben leer.</p>",
			ARTICLE_PUBLISHED, T0 - 2 * DAY, "Bildung");
	assert_string_equal(related(s, a, T0), "windpark-b");
	assert_string_equal(related(s, b, T0), "windpark-a");
	assert_string_equal(related(s, c, T0), "kita-b");
	assert_string_equal(related(s, d, T0), "kita");

	/* A new article enters the lists of those it resembles, and they are
	 * logged as changed so their pages are made again. */
	int64_t mark = last_change(s);
	int64_t e = put(s, 0, "windpark-c", "Windpark liefert Strom",
			"<p>Die ersten Turbinen vor Rügen liefern Strom.</p>", ARTICLE_PUBLISHED,
			T0 - DAY, "Energie,Windkraft");
	assert_non_null(strstr(related(s, a, T0), "windpark-c"));
	assert_non_null(strstr(related(s, b, T0), "windpark-c"));
	assert_non_null(strstr(related(s, e, T0), "windpark-a"));
	assert_non_null(strstr(related(s, e, T0), "windpark-b"));
	assert_true(changed_since(s, mark, a));
	assert_true(changed_since(s, mark, b));
	assert_false(changed_since(s, mark, c));
	assert_false(changed_since(s, mark, d));

	/* An edit that changes the subject leaves the lists it no longer fits. */
	mark = last_change(s);
	put(s, e, "windpark-c", "Kita-Plätze in der Stadt",
	    "<p>Die Kita hat neue Plätze, sagt die Kita.</p>", ARTICLE_PUBLISHED, T0 - DAY, "Bildung");
	assert_null(strstr(related(s, a, T0), "windpark-c"));
	assert_non_null(strstr(related(s, c, T0), "windpark-c"));
	assert_true(changed_since(s, mark, a));
	assert_true(changed_since(s, mark, c));

	/* Unpublished, scheduled and deleted articles are not shown. */
	assert_int_equal(store_article_set_status(s, d, ARTICLE_DRAFT, T0), DP_OK);
	assert_null(strstr(related(s, c, T0), "kita-b"));
	assert_string_equal(related(s, d, T0), "");
	put(s, d, "kita-b", "Kita sucht Personal",
	    "<p>Für die neue Kita fehlen Erzieher. Die Plätze bleiben leer.</p>", ARTICLE_PUBLISHED,
	    T0 + 10 * DAY, "Bildung");
	assert_null(strstr(related(s, c, T0), "kita-b"));
	assert_non_null(strstr(related(s, c, T0 + 11 * DAY), "kita-b"));
	mark = last_change(s);
	assert_int_equal(store_article_delete(s, e), DP_OK);
	assert_null(strstr(related(s, c, T0 + 11 * DAY), "windpark-c"));
	assert_true(changed_since(s, mark, c));
	/* At most SEARCH_RELATED are shown. */
	for (int i = 0; i < 6; i++) {
		char slug[32];
		snprintf(slug, sizeof slug, "kita-%d", i);
		put(s, 0, slug, "Kita Plätze", "<p>Die Kita und ihre Plätze.</p>", ARTICLE_PUBLISHED,
		    T0 - DAY, "Bildung");
	}
	struct article_list l;
	assert_int_equal(store_related(s, c, T0, &l), DP_OK);
	assert_int_equal(l.n, SEARCH_RELATED);
	assert_string_equal(l.items[0].title, "Kita Plätze");
	assert_true(!strncmp(l.items[0].slug, "kita-", 5));
	assert_true(l.items[0].published_at == T0 - DAY);
	assert_int_equal(l.items[0].ntags, 0);   /* a link needs no tags */
	article_list_release(&l);
	store_close(s);
}

/* ---- rebuilding ---- */

static void progress(void *arg, int phase, size_t done, size_t total)
{
	size_t *calls = arg;
	assert_true(phase == 0 || phase == 1);
	assert_true(done <= total);
	calls[phase]++;
	if (done == total)
		calls[2 + phase] = total;
}

static void test_reindex(void **state)
{
	(void)state;
	char path[256], lang[8];
	struct store *s = open_new(path, sizeof path);
	assert_int_equal(store_search_lang(s, lang, sizeof lang), DP_OK);
	assert_string_equal(lang, "de");
	int64_t early = pub(s, "frueh", "Früh", "<p>Ein Hafenkran wurde aufgestellt.</p>", T0 - 9 * DAY);
	pub(s, "kran", "Kran am Hafen", "<p>Der Kran steht am Hafen.</p>", T0 - DAY);
	put(s, 0, "entwurf", "Kran Entwurf", "<p>Kran.</p>", ARTICLE_DRAFT, T0 - DAY, NULL);
	pub(s, "workers", "Workers", "<p>The workers were running.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "Kran", T0), "kran frueh");

	/* A rebuild splits every compound against the whole vocabulary. */
	size_t calls[4] = { 0 };
	assert_int_equal(store_search_reindex(s, "de", progress, calls), DP_OK);
	assert_true(calls[0] >= 3 && calls[1] >= 1);
	assert_int_equal(calls[2], 6);  /* two passes over three published articles */
	assert_int_equal(calls[3], 3);
	assert_string_equal(slugs(s, "Kran", T0), "kran frueh");
	assert_string_equal(related(s, early, T0), "kran");
	assert_string_equal(slugs(s, "run", T0), "");  /* German stems "running" otherwise */

	/* English: Porter stems, no compounds; the language is kept. */
	assert_int_equal(store_search_reindex(s, "en", NULL, NULL), DP_OK);
	assert_int_equal(store_search_lang(s, lang, sizeof lang), DP_OK);
	assert_string_equal(lang, "en");
	assert_string_equal(slugs(s, "run", T0), "workers");
	assert_string_equal(slugs(s, "Kran", T0), "kran");
	/* New articles follow in the new language, also on another connection. */
	struct store *s2;
	assert_int_equal(store_open(path, 0, &s2), DP_OK);
	pub(s2, "runner", "Runner", "<p>A runner runs.</p>", T0 - DAY);
	assert_string_equal(slugs(s, "running", T0), "runner workers");
	store_close(s2);
	assert_int_equal(store_search_reindex(s, "fr", NULL, NULL), DP_EINVAL);
	assert_int_equal(store_search_lang(s, lang, 2), DP_ETOOBIG);
	store_close(s);

	/* Reopened: still English. */
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	assert_int_equal(store_search_lang(s, lang, sizeof lang), DP_OK);
	assert_string_equal(lang, "en");
	assert_string_equal(slugs(s, "workers", T0), "workers");
	store_close(s);
}

/* ---- an upgraded site ---- */

static void test_upgrade_indexes(void **state)
{
	(void)state;
	char path[256];
	sqlite3 *db;
	snprintf(path, sizeof path, "%s/upgrade.db", tmpdir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,"
					  " applied_at INTEGER NOT NULL)", NULL, NULL, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < sqlite_nmigrations && sqlite_migrations[i].version <= 8; i++) {
		char rec[128];
		assert_int_equal(sqlite3_exec(db, sqlite_migrations[i].sql, NULL, NULL, NULL), SQLITE_OK);
		snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%d, 1)",
			 sqlite_migrations[i].version);
		assert_int_equal(sqlite3_exec(db, rec, NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO articles (slug, title, status, published_at, updated_at,"
				      " created_at, body_html) VALUES"
				      " ('alt', 'Altes Rathaus', 1, 1700000000, 1, 1, '<p>Der Umbau.</p>'),"
				      " ('alt2', 'Rathaus saniert', 1, 1700000100, 1, 1, '<p>Umbau fertig.</p>'),"
				      " ('skizze', 'Rathaus Skizze', 0, 1700000000, 1, 1, '<p>Umbau.</p>')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);

	struct store *s;
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	/* As good as each other: the newer first. */
	assert_string_equal(slugs(s, "Rathaus", T0), "alt2 alt");
	assert_string_equal(slugs(s, "Umbau", T0), "alt2 alt");
	struct article a;
	assert_int_equal(store_article_by_slug(s, "alt", &a), DP_OK);
	assert_string_equal(related(s, a.id, T0), "alt2");
	article_release(&a);
	store_close(s);
	/* Opened again, nothing is rebuilt (the related lists stay as made). */
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	assert_string_equal(slugs(s, "Rathaus", T0), "alt2 alt");
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranking),
		cmocka_unit_test(test_german),
		cmocka_unit_test(test_snippets_escaped),
		cmocka_unit_test(test_visibility_and_changes),
		cmocka_unit_test(test_query_forms),
		cmocka_unit_test(test_phrase_pairs),
		cmocka_unit_test(test_common_word_pairs),
		cmocka_unit_test(test_pagination),
		cmocka_unit_test(test_related),
		cmocka_unit_test(test_reindex),
		cmocka_unit_test(test_upgrade_indexes),
	};
	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
