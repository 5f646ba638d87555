/* search_test.c — the text analysis of the site search: stemming, folding,
 * feminine and gender forms and compounds against the word lists in
 * testdata/, byte offsets, hostile input, the word cache, the vocabulary
 * set, and the query parser (every expression it makes is run through a
 * real FTS5 MATCH). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search/analyze.h"
#include "search/query.h"
#include "search/search_testdata.h"
#include "search/vocab.h"
#include "store/store.h"
#include "util/err.h"
#include "util/utf8.h"

/* ---- helpers ---- */

struct tok {
	char term[ANALYZE_TERM_MAX + 1];
	size_t start, end;
	bool colocated;
};

struct toks {
	struct tok *v;
	size_t n, cap;
	size_t stop_at;      /* nonzero: the callback returns 42 at this token (1-based) */
};

static int collect(void *arg, const char *term, size_t len, size_t start, size_t end,
		   bool colocated)
{
	struct toks *t = arg;
	assert_true(len > 0 && len <= ANALYZE_TERM_MAX);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = realloc(t->v, t->cap * sizeof *t->v);
		assert_non_null(t->v);
	}
	struct tok *k = &t->v[t->n++];
	memcpy(k->term, term, len);
	k->term[len] = '\0';
	k->start = start;
	k->end = end;
	k->colocated = colocated;
	return t->stop_at && t->n == t->stop_at ? 42 : 0;
}

static struct toks run(struct analyzer *a, const char *text, size_t len, enum analyze_mode mode)
{
	struct toks t = { 0 };
	assert_int_equal(analyzer_run(a, text, len, mode, collect, &t), DP_OK);
	return t;
}

static struct analyzer *analyzer(const char *lang)
{
	struct analyzer *a = NULL;
	assert_int_equal(analyzer_new(lang, &a), DP_OK);
	assert_non_null(a);
	return a;
}

static char *term_of(struct analyzer *a, const char *word)
{
	static char out[ANALYZE_TERM_MAX + 1];
	size_t len;
	assert_int_equal(analyzer_term(a, word, strlen(word), out, &len), DP_OK);
	assert_int_equal(strlen(out), len);
	return out;
}

/* The terms of a run, space-separated (colocated ones marked with +). */
static char *joined(const struct toks *t, bool with_parts)
{
	static char out[8192];
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].colocated && !with_parts)
			continue;
		o += (size_t)snprintf(out + o, sizeof out - o, "%s%s%s", o ? " " : "",
				      t->v[i].colocated ? "+" : "", t->v[i].term);
		assert_true(o < sizeof out);
	}
	return out;
}

static bool same_toks(const struct toks *x, const struct toks *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->v[i].term, y->v[i].term) || x->v[i].start != y->v[i].start ||
		    x->v[i].end != y->v[i].end || x->v[i].colocated != y->v[i].colocated)
			return false;
	return true;
}

/* What every run must satisfy, whatever the input. */
static void check_invariants(const struct toks *t, const char *text, size_t len)
{
	size_t last_start = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct tok *k = &t->v[i];
		assert_true(k->start < k->end && k->end <= len);
		assert_true(k->start >= last_start);
		size_t tl = strlen(k->term);
		assert_true(tl > 0 && tl <= ANALYZE_TERM_MAX);
		assert_true(utf8_valid(k->term, tl));
		assert_true(utf8_valid(text + k->start, k->end - k->start));
		for (size_t j = 0; j < tl; j++)
			assert_false(k->term[j] >= 'A' && k->term[j] <= 'Z');
		/* No umlaut or sharp s survives (their UTF-8 lead byte is C3). */
		assert_null(strstr(k->term, "\xC3\xA4"));
		assert_null(strstr(k->term, "\xC3\x9F"));
		if (k->colocated) {
			assert_true(i > 0);
			assert_int_equal(k->start, t->v[i - 1].start);
			assert_int_equal(k->end, t->v[i - 1].end);
		}
		last_start = k->start;
	}
}

static void toks_free(struct toks *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* Reads testdata/name: its lines without comments and blank lines. */
static char **read_lines(const char *name, size_t *ret_n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", SEARCH_TESTDATA, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	char **lines = NULL, *line = NULL;
	size_t n = 0, cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		lines = realloc(lines, (n + 1) * sizeof *lines);
		assert_non_null(lines);
		lines[n++] = strdup(line);
	}
	free(line);
	fclose(f);
	assert_true(n > 0);
	*ret_n = n;
	return lines;
}

static void lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Splits s at spaces in place; returns the number of words. */
static size_t words_of(char *s, char **w, size_t max)
{
	size_t n = 0;
	for (char *p = strtok(s, " "); p && n < max; p = strtok(NULL, " "))
		w[n++] = p;
	return n;
}

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/* ---- word lists ---- */

/* Every line: words with one term; each is one token over the whole word. */
static void same_groups(const char *lang, const char *file)
{
	struct analyzer *a = analyzer(lang);
	size_t n;
	char **lines = read_lines(file, &n);
	for (size_t i = 0; i < n; i++) {
		char *w[32], want[ANALYZE_TERM_MAX + 1] = "";
		size_t nw = words_of(lines[i], w, 32);
		for (size_t j = 0; j < nw; j++) {
			const char *got = term_of(a, w[j]);
			if (!j)
				strcpy(want, got);
			if (strcmp(got, want))
				fail_msg("%s: \"%s\" gives \"%s\", \"%s\" gives \"%s\"", file, w[0],
					 want, w[j], got);
			struct toks t = run(a, w[j], strlen(w[j]), ANALYZE_QUERY);
			if (t.n != 1 || t.v[0].start != 0 || t.v[0].end != strlen(w[j]))
				fail_msg("%s: \"%s\" is not one token over the word", file, w[j]);
			assert_string_equal(t.v[0].term, want);
			toks_free(&t);
		}
	}
	lines_free(lines, n);
	analyzer_free(a);
}

/* Every line: words whose terms all differ. */
static void distinct_groups(const char *lang, const char *file)
{
	struct analyzer *a = analyzer(lang);
	size_t n;
	char **lines = read_lines(file, &n);
	for (size_t i = 0; i < n; i++) {
		char *w[32], terms[32][ANALYZE_TERM_MAX + 1];
		size_t nw = words_of(lines[i], w, 32);
		assert_true(nw >= 2);
		for (size_t j = 0; j < nw; j++) {
			strcpy(terms[j], term_of(a, w[j]));
			for (size_t k = 0; k < j; k++)
				if (!strcmp(terms[j], terms[k]))
					fail_msg("%s: \"%s\" and \"%s\" both give \"%s\"", file, w[k],
						 w[j], terms[j]);
		}
	}
	lines_free(lines, n);
	analyzer_free(a);
}

static void test_stems_de(void **state)
{
	(void)state;
	same_groups("de", "stems_de.txt");
}

static void test_distinct_de(void **state)
{
	(void)state;
	distinct_groups("de", "distinct_de.txt");
}

static void test_stems_en(void **state)
{
	(void)state;
	same_groups("en", "stems_en.txt");
}

static void test_distinct_en(void **state)
{
	(void)state;
	distinct_groups("en", "distinct_en.txt");
}

/* language TAB text TAB terms: the exact terms of a text in query mode. */
static void test_fold(void **state)
{
	(void)state;
	struct analyzer *de = analyzer("de"), *en = analyzer("en");
	size_t n;
	char **lines = read_lines("fold.txt", &n);
	for (size_t i = 0; i < n; i++) {
		char *lang = lines[i], *text = strchr(lang, '\t'), *want;
		assert_non_null(text);
		*text++ = '\0';
		want = strchr(text, '\t');
		assert_non_null(want);
		*want++ = '\0';
		struct analyzer *a = !strcmp(lang, "en") ? en : de;
		struct toks t = run(a, text, strlen(text), ANALYZE_QUERY);
		check_invariants(&t, text, strlen(text));
		if (strcmp(joined(&t, true), want))
			fail_msg("fold.txt: \"%s\" gives \"%s\", not \"%s\"", text, joined(&t, true),
				 want);
		toks_free(&t);
	}
	lines_free(lines, n);
	analyzer_free(de);
	analyzer_free(en);
}

/* compound | vocabulary words | part terms: one analyzer for all lines, a
 * new vocabulary each time (the cached splits must follow it). */
static void test_compounds(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	size_t n;
	char **lines = read_lines("compounds_de.txt", &n);
	for (size_t i = 0; i < n; i++) {
		char *word = lines[i], *vocab_words = strchr(word, '|'), *want;
		assert_non_null(vocab_words);
		*vocab_words++ = '\0';
		want = strchr(vocab_words, '|');
		assert_non_null(want);
		*want++ = '\0';
		word = trim(word);
		want = trim(want);

		struct vocab *v;
		assert_int_equal(vocab_new(&v), DP_OK);
		char *w[16];
		size_t nw = words_of(vocab_words, w, 16);
		for (size_t j = 0; j < nw; j++) {
			const char *t = term_of(a, w[j]);
			assert_int_equal(vocab_add(v, t, strlen(t), NULL), DP_OK);
		}
		analyzer_set_vocab(a, v);

		char own[ANALYZE_TERM_MAX + 1];
		strcpy(own, term_of(a, word));
		struct toks t = run(a, word, strlen(word), ANALYZE_DOCUMENT);
		check_invariants(&t, word, strlen(word));
		assert_true(t.n >= 1);
		assert_string_equal(t.v[0].term, own);
		assert_false(t.v[0].colocated);
		assert_int_equal(t.v[0].start, 0);
		assert_int_equal(t.v[0].end, strlen(word));
		char got[1024] = "";
		for (size_t j = 1; j < t.n; j++) {
			assert_true(t.v[j].colocated);
			strcat(got, j > 1 ? " " : "");
			strcat(got, t.v[j].term);
		}
		if (strcmp(t.n > 1 ? got : "-", want))
			fail_msg("compounds_de.txt: %s gives \"%s\", not \"%s\"", word,
				 t.n > 1 ? got : "-", want);
		toks_free(&t);

		/* A reader's word is never split. */
		t = run(a, word, strlen(word), ANALYZE_QUERY);
		assert_int_equal(t.n, 1);
		assert_string_equal(t.v[0].term, own);
		toks_free(&t);
		analyzer_set_vocab(a, NULL);
		vocab_free(v);
	}
	/* Without a vocabulary nothing is split. */
	struct toks t = run(a, "Bahnstrecke", 11, ANALYZE_DOCUMENT);
	assert_int_equal(t.n, 1);
	toks_free(&t);
	lines_free(lines, n);
	analyzer_free(a);
}

/* English has no compounds to split and no feminine forms. */
static void test_english_rules(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("en");
	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	assert_int_equal(vocab_add(v, "news", 4, NULL), DP_OK);
	assert_int_equal(vocab_add(v, "paper", 5, NULL), DP_OK);
	analyzer_set_vocab(a, v);
	struct toks t = run(a, "newspaper Arbeiter*innen", 24, ANALYZE_DOCUMENT);
	assert_string_equal(joined(&t, true), "newspap arbeit innen");
	toks_free(&t);
	analyzer_free(a);
	vocab_free(v);

	assert_int_equal(analyzer_new("fr", &a), DP_EINVAL);
	assert_int_equal(analyzer_new("", &a), DP_EINVAL);
	assert_int_equal(analyzer_new(NULL, &a), DP_EINVAL);
	analyzer_free(NULL);
}

static void function_words_are(struct analyzer *a, const char *const *words, size_t n, bool yes)
{
	for (size_t i = 0; i < n; i++) {
		const char *t = term_of(a, words[i]);
		if (analyzer_function_word(a, t, strlen(t)) != yes)
			fail_msg("%s (term %s) %s a function word", words[i], t, yes ? "is not" : "is");
	}
}

/* Function words, by their terms, in either language; content words and
 * the other language's function words are not. */
static void test_function_words(void **state)
{
	(void)state;
	static const char *const de_yes[] = { "der", "Die", "DAS", "und", "einer", "über", "dass",
					      "daß", "sagte", "zwischen" };
	static const char *const de_no[] = { "Stadt", "Lage", "Arbeiterin", "the", "Bahnstrecke" };
	static const char *const en_yes[] = { "the", "The", "and", "said", "which", "of" };
	static const char *const en_no[] = { "city", "railway", "der", "und" };
	struct analyzer *de = analyzer("de"), *en = analyzer("en");
	function_words_are(de, de_yes, sizeof de_yes / sizeof de_yes[0], true);
	function_words_are(de, de_no, sizeof de_no / sizeof de_no[0], false);
	function_words_are(en, en_yes, sizeof en_yes / sizeof en_yes[0], true);
	function_words_are(en, en_no, sizeof en_no / sizeof en_no[0], false);
	assert_false(analyzer_function_word(de, "", 0));
	analyzer_free(de);
	analyzer_free(en);
}

/* ---- offsets and hostile input ---- */

static void test_offsets(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	const char *text = "\xE2\x80\x9EGr\xC3\xBC\xC3\x9F" "e\xE2\x80\x9C aus K\xC3\xB6ln \xE2\x80\x93 5 \xE2\x82\xAC "
			   "f\xC3\xBCr Bahn\xC2\xADstrecke, Mu\xCC\x88ller & die Arbeiter*innen; "
			   "E-Mail: \xF0\x9F\x98\x80Zug.";
	static const struct {
		const char *word, *term;
	} want[] = {
		{ "Gr\xC3\xBC\xC3\x9F" "e", "gruss" }, { "aus", "aus" },
		{ "K\xC3\xB6ln", "koln" },              { "5", "5" },
		{ "f\xC3\xBCr", "fur" },                { "Bahn\xC2\xADstrecke", "bahnstreck" },
		{ "Mu\xCC\x88ller", "mull" },           { "die", "die" },
		{ "Arbeiter*innen", "arbeit" },         { "E", "e" },
		{ "Mail", "mail" },                     { "Zug", "zug" },
	};
	size_t len = strlen(text);
	struct toks t = run(a, text, len, ANALYZE_QUERY);
	check_invariants(&t, text, len);
	assert_int_equal(t.n, sizeof want / sizeof want[0]);
	const char *from = text;
	for (size_t i = 0; i < t.n; i++) {
		const char *at = strstr(from, want[i].word);
		assert_non_null(at);
		assert_int_equal(t.v[i].start, (size_t)(at - text));
		assert_int_equal(t.v[i].end, (size_t)(at - text) + strlen(want[i].word));
		assert_string_equal(t.v[i].term, want[i].term);
		from = at + strlen(want[i].word);
	}
	toks_free(&t);

	/* Gender endings that are no endings: a blank after the marker, a
	 * longer word after it, or a base too short. */
	const char *loose = "Arbeiter* innen Arbeiter*innenhof ab*innen";
	t = run(a, loose, strlen(loose), ANALYZE_QUERY);
	assert_string_equal(joined(&t, true), "arbeit inn arbeit innenhof ab inn");
	assert_int_equal(t.v[2].end, strlen("Arbeiter* innen Arbeiter"));
	toks_free(&t);
	analyzer_free(a);
}

static void test_long_words(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	/* 1000 letters and a short word: one term cut at the limit. */
	char text[1100];
	memset(text, 'a', 1000);
	memcpy(text + 1000, " Haus", 6);
	struct toks t = run(a, text, 1005, ANALYZE_DOCUMENT);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.v[0].start, 0);
	assert_int_equal(t.v[0].end, 1000);
	assert_true(strlen(t.v[0].term) <= ANALYZE_TERM_MAX);
	assert_int_equal(t.v[1].start, 1001);
	assert_string_equal(t.v[1].term, "haus");
	toks_free(&t);

	/* Two-byte letters: the cut never splits one. */
	size_t n = 0;
	text[n++] = 'a';
	for (int i = 0; i < 100; i++) {
		memcpy(text + n, "\xD0\xB6", 2); /* ж */
		n += 2;
	}
	t = run(a, text, n, ANALYZE_QUERY);
	check_invariants(&t, text, n);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.v[0].end, n);
	assert_true(strlen(t.v[0].term) <= ANALYZE_TERM_MAX);
	assert_true(strlen(t.v[0].term) >= ANALYZE_TERM_MAX - 3);
	char out[ANALYZE_TERM_MAX + 1];
	size_t len;
	assert_int_equal(analyzer_term(a, text, n, out, &len), DP_OK);
	assert_string_equal(out, t.v[0].term);
	toks_free(&t);

	/* Words that differ only after the cut share a term. */
	char x[200], y[200];
	memset(x, 'b', 150);
	memset(y, 'b', 150);
	x[149] = 'x';
	y[149] = 'y';
	char tx[ANALYZE_TERM_MAX + 1];
	assert_int_equal(analyzer_term(a, x, 150, tx, &len), DP_OK);
	assert_int_equal(analyzer_term(a, y, 150, out, &len), DP_OK);
	assert_string_equal(tx, out);
	analyzer_free(a);
}

/* xorshift: the same bytes every run. */
static uint64_t rnd_state = 0x9E3779B97F4A7C15u;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state >> 11);
}

static void test_hostile_bytes(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	struct toks t;

	/* NUL inside the length separates. */
	t = run(a, "ab\0cd", 5, ANALYZE_QUERY);
	assert_string_equal(joined(&t, true), "ab cd");
	assert_int_equal(t.v[1].start, 3);
	toks_free(&t);

	/* Ill-formed UTF-8 separates: overlong, surrogate, beyond U+10FFFF,
	 * a lone continuation byte, a sequence cut by the end. */
	const char bad[] = "a\xC0\x80" "b\xED\xA0\x80" "c\xF4\x90\x80\x80" "d\x80" "e\xF5" "f\xE2\x82";
	t = run(a, bad, sizeof bad - 1, ANALYZE_QUERY);
	check_invariants(&t, bad, sizeof bad - 1);
	assert_string_equal(joined(&t, true), "a b c d e f");
	toks_free(&t);

	/* Nothing to find. */
	t = run(a, "", 0, ANALYZE_QUERY);
	assert_int_equal(t.n, 0);
	const char *blanks = " ,;-- \xE2\x80\x94 \xF0\x9F\x98\x80 \xC2\xAD\xCC\x88 ";
	t = run(a, blanks, strlen(blanks), ANALYZE_DOCUMENT);
	assert_int_equal(t.n, 0);
	char out[ANALYZE_TERM_MAX + 1];
	size_t len = 99;
	assert_int_equal(analyzer_term(a, "--", 2, out, &len), DP_OK);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");

	/* A megabyte of random bytes, and of bytes biased to UTF-8 and
	 * markers, in both modes and with a vocabulary. */
	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	static const char *const known[] = { "a", "ab", "bahn", "streck", "in", "er", "abc" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		assert_int_equal(vocab_add(v, known[i], strlen(known[i]), NULL), DP_OK);
	analyzer_set_vocab(a, v);
	size_t big = 1 << 20;
	char *text = malloc(big);
	assert_non_null(text);
	static const char alphabet[] = "abcinnerAIBn*:_/- \xC3\xA4\xC3\x9F\xCC\x88\xE2\x80\x9E";
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < big; i++)
			text[i] = round == 0 ? (char)rnd()
				: round == 1 ? alphabet[rnd() % (sizeof alphabet - 1)]
					     : 'a' + (char)(rnd() % 3);
		for (int mode = 0; mode < 2; mode++) {
			t = run(a, text, big, mode ? ANALYZE_QUERY : ANALYZE_DOCUMENT);
			check_invariants(&t, text, big);
			if (round == 2)   /* one endless word */
				assert_int_equal(t.n, 1);
			toks_free(&t);
		}
	}
	free(text);
	analyzer_free(a);
	vocab_free(v);
}

static void test_callback_stops(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	struct toks t = { .stop_at = 2 };
	assert_int_equal(analyzer_run(a, "eins zwei drei", 14, ANALYZE_QUERY, collect, &t), 42);
	assert_int_equal(t.n, 2);
	toks_free(&t);
	/* Stopping at a compound's part. */
	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	assert_int_equal(vocab_add(v, "bahn", 4, NULL), DP_OK);
	assert_int_equal(vocab_add(v, "streck", 6, NULL), DP_OK);
	analyzer_set_vocab(a, v);
	t = (struct toks){ .stop_at = 2 };
	assert_int_equal(analyzer_run(a, "Bahnstrecke Zug", 15, ANALYZE_DOCUMENT, collect, &t), 42);
	assert_int_equal(t.n, 2);
	assert_true(t.v[1].colocated);
	toks_free(&t);
	analyzer_free(a);
	vocab_free(v);
}

/* ---- the cache ---- */

/* Pseudo-words from syllables: many distinct ones, some compounds, some
 * long enough to fill the cache's bytes before its slots. */
static size_t make_words(char *out, size_t cap, size_t count, uint32_t seed)
{
	static const char *const syl[] = { "bahn", "strecke", "ar", "beits", "markt", "bun", "des",
					   "haus", "schul", "re", "gie", "rung", "wär", "me",
					   "pum", "pe", "kli", "ma", "schutz", "stadt", "rat",
					   "land", "in", "nen", "er", "ö", "ß", "Ü", "tag" };
	uint64_t saved = rnd_state;
	rnd_state = 0x2545F4914F6CDD1Du ^ seed;
	size_t n = 0;
	for (size_t i = 0; i < count && n + 200 < cap; i++) {
		size_t k = rnd() % 2 ? 1 + rnd() % 5 : 10 + rnd() % 6;   /* half longer than a term */
		for (size_t j = 0; j < k; j++) {
			const char *s = syl[rnd() % (sizeof syl / sizeof syl[0])];
			memcpy(out + n, s, strlen(s));
			n += strlen(s);
		}
		out[n++] = (i % 7 == 6) ? '*' : ' ';
	}
	rnd_state = saved;
	return n;
}

static void test_cache(void **state)
{
	(void)state;
	size_t cap = 8 << 20;
	char *big = malloc(cap), *sample = malloc(1 << 16);
	assert_non_null(big);
	assert_non_null(sample);
	size_t big_len = make_words(big, cap, 60000, 1);
	size_t sample_len = make_words(sample, 1 << 16, 3000, 2);

	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	static const char *const parts[] = { "bahn", "streck", "arbeit", "markt", "bund", "haus",
					     "schul", "regier", "warm", "pump", "klima", "schutz",
					     "stadt", "rat", "land", "tag" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
		assert_int_equal(vocab_add(v, parts[i], strlen(parts[i]), NULL), DP_OK);

	for (int mode = 0; mode < 2; mode++) {
		enum analyze_mode m = mode ? ANALYZE_QUERY : ANALYZE_DOCUMENT;
		struct analyzer *fresh = analyzer("de"), *used = analyzer("de");
		analyzer_set_vocab(fresh, v);
		analyzer_set_vocab(used, v);
		struct toks want = run(fresh, sample, sample_len, m);
		assert_true(want.n > 2000);
		/* Fill the cache to its largest size, empty it, fill it again. */
		struct toks junk = run(used, big, big_len, m);
		check_invariants(&junk, big, big_len);
		toks_free(&junk);
		struct toks got = run(used, sample, sample_len, m);
		assert_true(same_toks(&want, &got));
		toks_free(&got);
		/* Now every word of the sample is cached. */
		got = run(used, sample, sample_len, m);
		assert_true(same_toks(&want, &got));
		toks_free(&got);
		toks_free(&want);
		analyzer_free(fresh);
		analyzer_free(used);
	}
	free(big);
	free(sample);
	vocab_free(v);
}

/* A word split (or not) before the vocabulary grew is split again after. */
static void test_cache_follows_vocab(void **state)
{
	(void)state;
	struct analyzer *a = analyzer("de");
	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	assert_int_equal(vocab_add(v, "bahn", 4, NULL), DP_OK);
	analyzer_set_vocab(a, v);
	struct toks t = run(a, "Bahnstrecke", 11, ANALYZE_DOCUMENT);
	assert_string_equal(joined(&t, true), "bahnstreck");
	toks_free(&t);
	assert_int_equal(vocab_add(v, "streck", 6, NULL), DP_OK);
	t = run(a, "Bahnstrecke", 11, ANALYZE_DOCUMENT);
	assert_string_equal(joined(&t, true), "bahnstreck +bahn +streck");
	toks_free(&t);
	/* Another vocabulary of the same size. */
	struct vocab *w;
	assert_int_equal(vocab_new(&w), DP_OK);
	assert_int_equal(vocab_add(w, "x", 1, NULL), DP_OK);
	assert_int_equal(vocab_add(w, "y", 1, NULL), DP_OK);
	analyzer_set_vocab(a, w);
	t = run(a, "Bahnstrecke", 11, ANALYZE_DOCUMENT);
	assert_string_equal(joined(&t, true), "bahnstreck");
	toks_free(&t);
	analyzer_free(a);
	vocab_free(v);
	vocab_free(w);
}

/* ---- the vocabulary ---- */

static void test_vocab(void **state)
{
	(void)state;
	struct vocab *v;
	assert_int_equal(vocab_new(&v), DP_OK);
	assert_int_equal(vocab_size(v), 0);
	assert_false(vocab_has(v, "", 0));
	bool fresh;
	assert_int_equal(vocab_add(v, "", 0, &fresh), DP_OK);
	assert_true(fresh);
	assert_true(vocab_has(v, "", 0));
	char term[32];
	size_t n = 1000000;
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(term, sizeof term, "term%zu", i * 7919);
		assert_int_equal(vocab_add(v, term, (size_t)len, &fresh), DP_OK);
		assert_true(fresh);
	}
	assert_int_equal(vocab_size(v), n + 1);
	for (size_t i = 0; i < n; i += 997) {
		int len = snprintf(term, sizeof term, "term%zu", i * 7919);
		assert_true(vocab_has(v, term, (size_t)len));
		assert_int_equal(vocab_add(v, term, (size_t)len, &fresh), DP_OK);
		assert_false(fresh);
		len = snprintf(term, sizeof term, "term%zu", i * 7919 + 1);
		assert_false(vocab_has(v, term, (size_t)len));
		/* A prefix is another term. */
		assert_false(vocab_has(v, "term", 4));
	}
	assert_int_equal(vocab_size(v), n + 1);
	/* Bytes, not strings: NUL inside a term. */
	assert_int_equal(vocab_add(v, "a\0b", 3, &fresh), DP_OK);
	assert_true(fresh);
	assert_true(vocab_has(v, "a\0b", 3));
	assert_false(vocab_has(v, "a", 1));
	vocab_free(v);
	vocab_free(NULL);
}

/* ---- the query parser ---- */

struct query_case {
	const char *q;
	enum query_problem problem;
	const char *match;
	const char *words;   /* joined with | */
};

static const struct query_case query_cases[] = {
	{ "Bahn", QUERY_OK, "\"Bahn\"", "Bahn" },
	{ "  Bahn \t Strecke\n", QUERY_OK, "\"Bahn\" \"Strecke\"", "Bahn|Strecke" },
	{ "\"Deutsche Bahn\" Streik", QUERY_OK, "\"Deutsche Bahn\" \"Streik\"",
	  "\"Deutsche Bahn\"|Streik" },
	{ "Bahn -Streik", QUERY_OK, "(\"Bahn\") NOT (\"Streik\")", "Bahn" },
	{ "Bahn -\"Deutsche Bahn\" -Streik Zug", QUERY_OK,
	  "(\"Bahn\" \"Zug\") NOT (\"Deutsche Bahn\" OR \"Streik\")", "Bahn|Zug" },
	{ "\"  unclosed phrase ", QUERY_OK, "\"unclosed phrase\"", "\"unclosed phrase\"" },
	{ "\xE2\x80\x9E" "Deutsche Bahn\xE2\x80\x9C", QUERY_OK, "\"Deutsche Bahn\"",
	  "\"Deutsche Bahn\"" },
	{ "\xC2\xBB" "Zug\xC2\xAB" "fahrt", QUERY_OK, "\"Zug\" \"fahrt\"", "\"Zug\"|fahrt" },
	{ "a\"b\"c", QUERY_OK, "\"a\" \"b\" \"c\"", "a|\"b\"|c" },
	{ "title:x OR (y* NEAR z) ^a \"b", QUERY_OK,
	  "\"title:x\" \"OR\" \"(y*\" \"NEAR\" \"z)\" \"^a\" \"b\"", "title:x|OR|(y*|NEAR|z)|^a|\"b\"" },
	{ "NEAR(a b, 3) {t}: c + d", QUERY_OK, "\"NEAR(a\" \"b,\" \"3)\" \"{t}:\" \"c\" \"d\"",
	  "NEAR(a|b,|3)|{t}:|c|d" },
	{ "E-Mail", QUERY_OK, "\"E-Mail\"", "E-Mail" },
	{ "- Bahn --Zug", QUERY_OK, "(\"Bahn\") NOT (\"-Zug\")", "Bahn" },
	{ "Bahn-", QUERY_OK, "\"Bahn-\"", "Bahn-" },
	{ "\xC3\xB6", QUERY_OK, "\"\xC3\xB6\"", "\xC3\xB6" },
	{ "NOT AND OR", QUERY_OK, "\"NOT\" \"AND\" \"OR\"", "NOT|AND|OR" },
	{ "x -\"\" -!!! y", QUERY_OK, "\"x\" \"y\"", "x|y" },
	{ "\x01term \"\x02" "a\x03 b\x7f\" c\x1f", QUERY_OK, "\"term\" \"a  b\" \"c\"",
	  "term|\"a  b\"|c" },
	{ "-Streik", QUERY_ONLY_EXCLUDED, NULL, "" },
	{ "-Streik -\"Deutsche Bahn\"", QUERY_ONLY_EXCLUDED, NULL, "" },
	{ "", QUERY_EMPTY, NULL, "" },
	{ "   \t ", QUERY_EMPTY, NULL, "" },
	{ "!!! ... -- * ^ () \"\"", QUERY_EMPTY, NULL, "" },
	{ "\xE2\x82\xAC \xC2\xA7 \xC2\xA9 \xF0\x9F\x98\x80", QUERY_EMPTY, NULL, "" },
	{ "-", QUERY_EMPTY, NULL, "" },
	{ "a\xFF", QUERY_BAD_UTF8, NULL, "" },
	{ "\xC0\x80", QUERY_BAD_UTF8, NULL, "" },
	{ "\xED\xA0\x80", QUERY_BAD_UTF8, NULL, "" },
};

static void check_query(const struct query_case *c)
{
	struct query q;
	assert_int_equal(query_parse(c->q, &q), DP_OK);
	if (q.problem != c->problem)
		fail_msg("query \"%s\": %s, not %s", c->q, query_problem_name(q.problem),
			 query_problem_name(c->problem));
	if (c->match) {
		assert_non_null(q.match);
		if (strcmp(q.match, c->match))
			fail_msg("query \"%s\": match '%s', not '%s'", c->q, q.match, c->match);
	} else {
		assert_null(q.match);
	}
	char words[1024] = "";
	for (size_t i = 0; i < q.nwords; i++) {
		strcat(words, i ? "|" : "");
		strcat(words, q.words[i]);
	}
	if (strcmp(words, c->words))
		fail_msg("query \"%s\": words '%s', not '%s'", c->q, words, c->words);
	query_release(&q);
	query_release(&q);   /* twice is harmless */
}

static void test_query_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof query_cases / sizeof query_cases[0]; i++)
		check_query(&query_cases[i]);
	assert_string_equal(query_problem_name(QUERY_EMPTY), "empty");
	assert_string_equal(query_problem_name(QUERY_ONLY_EXCLUDED), "only-excluded");
	assert_string_equal(query_problem_name(QUERY_TOO_LONG), "too-long");
	assert_string_equal(query_problem_name(QUERY_BAD_UTF8), "bad-utf8");
}

static void test_query_limits(void **state)
{
	(void)state;
	char q[SEARCH_QUERY_MAX + 2];
	memset(q, 'a', SEARCH_QUERY_MAX);
	q[SEARCH_QUERY_MAX] = '\0';
	struct query r;
	assert_int_equal(query_parse(q, &r), DP_OK);
	assert_int_equal(r.problem, QUERY_OK);
	query_release(&r);
	q[SEARCH_QUERY_MAX] = 'a';
	q[SEARCH_QUERY_MAX + 1] = '\0';
	assert_int_equal(query_parse(q, &r), DP_OK);
	assert_int_equal(r.problem, QUERY_TOO_LONG);
	assert_null(r.match);
	query_release(&r);

	/* Words beyond QUERY_WORDS_MAX are dropped; excluded ones count. */
	char many[SEARCH_QUERY_MAX + 1] = "";
	for (int i = 0; i < QUERY_WORDS_MAX + 4; i++)
		sprintf(many + strlen(many), "%sw%d", i ? " " : "", i);
	assert_int_equal(query_parse(many, &r), DP_OK);
	assert_int_equal(r.problem, QUERY_OK);
	assert_int_equal(r.nwords, QUERY_WORDS_MAX);
	assert_string_equal(r.words[QUERY_WORDS_MAX - 1], "w15");
	assert_null(strstr(r.match, "w16"));
	query_release(&r);
	assert_int_equal(query_parse("-x1 -x2 -x3 -x4 -x5 -x6 -x7 -x8 -x9 -x10 -x11 -x12 -x13 "
				     "-x14 -x15 -x16 wanted", &r), DP_OK);
	assert_int_equal(r.problem, QUERY_ONLY_EXCLUDED);
	query_release(&r);
}

/* An in-memory FTS5 table with the default tokenizer. */
static sqlite3 *fts_open(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	static const char *const docs[] = {
		"a b", "a b c", "a b d", "a c", "b", "a b e f", "x a y b", "title x y z near or not",
	};
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(title, body)", NULL,
				      NULL, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO t(rowid, title, body) VALUES (%zu, '', '%s')",
			 i + 1, docs[i]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	return db;
}

/* The rowids q matches, comma-separated; fails the test on an FTS5 error. */
static char *fts_match(sqlite3 *db, const char *q)
{
	static char out[256];
	struct query r;
	assert_int_equal(query_parse(q, &r), DP_OK);
	out[0] = '\0';
	if (r.problem != QUERY_OK) {
		snprintf(out, sizeof out, "(%s)", query_problem_name(r.problem));
		query_release(&r);
		return out;
	}
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, r.match, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", out[0] ? "," : "",
			 (long long)sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE)
		fail_msg("query \"%s\" -> '%s': %s", q, r.match, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	query_release(&r);
	return out;
}

/* The rowids of a raw FTS5 expression. */
static char *fts_rows(sqlite3 *db, const char *expr)
{
	static char out[256];
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%lld", out[0] ? "," : "",
			 (long long)sqlite3_column_int64(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void test_query_fts5(void **state)
{
	(void)state;
	sqlite3 *db = fts_open();
	/* The shape query.c makes, and FTS5's precedence it relies on: the
	 * implicit AND binds tighter than NOT. */
	assert_string_equal(fts_rows(db, "(\"a\" \"b\") NOT (\"c\" OR \"d\")"), "1,6,7");
	assert_string_equal(fts_rows(db, "\"a\" \"b\" NOT \"c\" NOT \"d\""), "1,6,7");
	assert_string_equal(fts_rows(db, "\"a\" NOT \"c\" \"b\""), "1,3,4,6,7");
	/* What the expressions mean. */
	assert_string_equal(fts_match(db, "a b"), "1,2,3,6,7");
	assert_string_equal(fts_match(db, "a b -c -d"), "1,6,7");
	assert_string_equal(fts_match(db, "a b -\"e f\""), "1,2,3,7");
	assert_string_equal(fts_match(db, "\"a b\""), "1,2,3,6");
	assert_string_equal(fts_match(db, "b -a"), "5");
	assert_string_equal(fts_match(db, "a -b -c"), "");
	/* Column filters and operators are words. */
	assert_string_equal(fts_match(db, "title:x"), "8");
	assert_string_equal(fts_match(db, "body:a"), "");
	assert_string_equal(fts_match(db, "NEAR or"), "8");
	assert_string_equal(fts_match(db, "a OR x"), "");
	/* The cases of the table, and random strings of FTS5 syntax. */
	for (size_t i = 0; i < sizeof query_cases / sizeof query_cases[0]; i++)
		fts_match(db, query_cases[i].q);
	static const char *const bits[] = { "\"", "\xE2\x80\x9E", "-", "(", ")", "*", "^", ":", "+",
					    "{", "}", ",", " ", "NOT", "OR", "AND", "NEAR",
					    "NEAR(", "title", "a", "b", "\xC3\xA4", "'", "\\",
					    "\x01", "\t" };
	for (int i = 0; i < 5000; i++) {
		char q[SEARCH_QUERY_MAX + 1] = "";
		size_t n = 1 + rnd() % 24;
		for (size_t k = 0; k < n; k++) {
			const char *b = bits[rnd() % (sizeof bits / sizeof bits[0])];
			if (strlen(q) + strlen(b) < sizeof q)
				strcat(q, b);
		}
		fts_match(db, q);
	}
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stems_de),
		cmocka_unit_test(test_distinct_de),
		cmocka_unit_test(test_stems_en),
		cmocka_unit_test(test_distinct_en),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_compounds),
		cmocka_unit_test(test_english_rules),
		cmocka_unit_test(test_function_words),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_long_words),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_follows_vocab),
		cmocka_unit_test(test_vocab),
		cmocka_unit_test(test_query_cases),
		cmocka_unit_test(test_query_limits),
		cmocka_unit_test(test_query_fts5),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
