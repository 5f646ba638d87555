/* fuzz_search.c — libFuzzer target: what a reader types into the search box
 * and the text the index is built from. The query parser must turn any
 * input into a problem or an expression a real FTS5 table accepts, with
 * no control character in it or in the words it gives back; the
 * analyzer must give well-formed terms at offsets inside the text, and the
 * same ones from a long-used analyzer (its word cache full of earlier
 * inputs) as from a fresh one. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/analyze.h"
#include "search/query.h"
#include "search/vocab.h"
#include "util/utf8.h"

struct tok {
	char term[ANALYZE_TERM_MAX];
	size_t len, start, end;
	bool colocated;
};

struct toks {
	struct tok v[4096];
	size_t n;
	size_t text_len;
};

static int collect(void *arg, const char *term, size_t len, size_t start, size_t end,
		   bool colocated)
{
	struct toks *t = arg;
	if (!len || len > ANALYZE_TERM_MAX || !utf8_valid(term, len) || start >= end ||
	    end > t->text_len || (t->n && start < t->v[t->n - 1].start) ||
	    (colocated && (!t->n || t->v[t->n - 1].start != start || t->v[t->n - 1].end != end)))
		abort();
	if (t->n == sizeof t->v / sizeof t->v[0])
		return 1;   /* enough: stop the run here */
	struct tok *k = &t->v[t->n++];
	memcpy(k->term, term, len);
	k->len = len;
	k->start = start;
	k->end = end;
	k->colocated = colocated;
	return 0;
}

static struct analyzer *make_analyzer(const struct vocab *v)
{
	struct analyzer *a;
	if (analyzer_new("de", &a))
		abort();
	analyzer_set_vocab(a, v);
	return a;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return true;
	return false;
}

static void check_query(sqlite3 *db, const char *q)
{
	struct query r;
	if (query_parse(q, &r))
		abort();
	if (r.problem != QUERY_OK) {
		if (r.match || r.nwords)
			abort();
		return;
	}
	if (!r.match || !r.nwords)
		abort();
	for (size_t i = 0; i < r.nwords; i++)
		if (!utf8_valid(r.words[i], strlen(r.words[i])) || has_control(r.words[i]))
			abort();
	if (has_control(r.match))
		abort();
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?", -1, &st, NULL))
		abort();
	sqlite3_bind_text(st, 1, r.match, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE)
		abort();   /* the expression did not parse */
	sqlite3_finalize(st);
	query_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sqlite3 *db;
	static struct vocab *vocab;
	static struct analyzer *warm;
	static struct toks cold_toks, warm_toks;
	if (!db) {
		if (sqlite3_open(":memory:", &db) ||
		    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body);"
				     "INSERT INTO t VALUES ('Bahnstrecke gesperrt', 'a b c or not');",
				 NULL, NULL, NULL) ||
		    vocab_new(&vocab))
			abort();
		static const char *const words[] = { "Bahn", "Strecke", "Arbeit", "Markt", "Haus",
						     "in", "er", "ab", "Innen", "Land", "Stadt" };
		warm = make_analyzer(vocab);
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
			char term[ANALYZE_TERM_MAX + 1];
			size_t len;
			if (analyzer_term(warm, words[i], strlen(words[i]), term, &len) ||
			    vocab_add(vocab, term, len, NULL))
				abort();
		}
	}

	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_query(db, text);   /* up to the first NUL, as a C string arrives */

	struct analyzer *cold = make_analyzer(vocab);
	for (int mode = 0; mode < 2; mode++) {
		enum analyze_mode m = mode ? ANALYZE_QUERY : ANALYZE_DOCUMENT;
		cold_toks.n = warm_toks.n = 0;
		cold_toks.text_len = warm_toks.text_len = size;
		int rc1 = analyzer_run(cold, text, size, m, collect, &cold_toks);
		int rc2 = analyzer_run(warm, text, size, m, collect, &warm_toks);
		if (rc1 != rc2 || cold_toks.n != warm_toks.n)
			abort();
		for (size_t i = 0; i < cold_toks.n; i++) {
			const struct tok *x = &cold_toks.v[i], *y = &warm_toks.v[i];
			if (x->len != y->len || memcmp(x->term, y->term, x->len) || x->start != y->start ||
			    x->end != y->end || x->colocated != y->colocated)
				abort();
			if (m == ANALYZE_QUERY && x->colocated)
				abort();
		}
	}
	char term[ANALYZE_TERM_MAX + 1];
	size_t len;
	if (analyzer_term(cold, text, size, term, &len) || strlen(term) != len)
		abort();
	analyzer_free(cold);
	free(text);
	return 0;
}
