/* analyze.h — text to search terms, for German news first: words are
 * split at anything but letters and digits, folded (lower case; ä ö ü to
 * a o u, ß to ss, other Latin accents dropped, the same in documents and
 * queries), feminine forms brought back to their base ("Arbeiterinnen",
 * "Arbeiterin" → "Arbeiter"), stemmed with Snowball (libstemmer) in the
 * site's language, and, in documents, compounds split into parts the site's
 * vocabulary knows ("Bahnstrecke" also yields the terms of "Bahn" and
 * "Strecke", at the same position).
 *
 * An analyzer holds a stemmer: use one from one thread at a time. */
#ifndef DEPESCHE_SEARCH_ANALYZE_H
#define DEPESCHE_SEARCH_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

struct vocab;
struct analyzer;

#define ANALYZE_TERM_MAX 64    /* bytes of a term; longer words are cut there */
#define ANALYZE_PARTS_MAX 8    /* compound parts of one word at most */

enum analyze_mode {
	ANALYZE_DOCUMENT,      /* indexing: compounds split (with a vocabulary) */
	ANALYZE_QUERY,         /* a reader's words: no splitting */
};

/* lang: "de" or "en" (DP_EINVAL otherwise). */
int analyzer_new(const char *lang, struct analyzer **ret);
void analyzer_free(struct analyzer *a);   /* NULL-tolerant */
/* The vocabulary compounds are split against in document mode (NULL: no
 * splitting). Not owned; must outlive its use. */
void analyzer_set_vocab(struct analyzer *a, const struct vocab *v);

/* Called for every term: term (len bytes, not NUL-terminated, folded and
 * stemmed), the byte range [start, end) of its word in the text, and
 * whether it is an extra term at the position of the previous one (a
 * compound's part). A nonzero return stops the run and is returned. */
typedef int (*analyze_cb)(void *arg, const char *term, size_t len, size_t start, size_t end,
			  bool colocated);

/* Runs over len bytes of UTF-8 text (invalid bytes separate words). */
int analyzer_run(struct analyzer *a, const char *text, size_t len, enum analyze_mode mode,
		 analyze_cb cb, void *arg);

/* Whether text holds a word at all: a letter or digit as the analyzer
 * sees one (a query token without one yields no term). Needs no analyzer. */
bool analyze_has_word(const char *text, size_t len);

/* Whether term is the term of one of the language's function words ("der",
 * "und", "the"): words so common that a phrase holding one is looked up by
 * its word pairs (the index's tokenizer, store/sqlite/search.c), and that
 * a related-articles query leaves out. */
bool analyzer_function_word(const struct analyzer *a, const char *term, size_t len);

/* The term of one word (the first word in it) into out (ANALYZE_TERM_MAX +
 * 1 bytes, NUL-terminated); *ret_len 0 when there is none. */
int analyzer_term(struct analyzer *a, const char *word, size_t len, char *out, size_t *ret_len);

#endif
