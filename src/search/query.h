/* query.h — a reader's search words to an FTS5 query expression.
 *
 * Words are ANDed; "words in quotes" are a phrase; -word (or -"a phrase")
 * excludes; everything else (FTS5 operators, brackets, stars, column
 * filters) is plain text. Every word goes to FTS5 as a quoted string, so
 * the index's tokenizer (analyze.h, query mode) makes its terms and no
 * input can change the expression's shape. */
#ifndef DEPESCHE_SEARCH_QUERY_H
#define DEPESCHE_SEARCH_QUERY_H

#include <stddef.h>

#define QUERY_WORDS_MAX 16     /* words and phrases beyond this are ignored */

enum query_problem {
	QUERY_OK,
	QUERY_EMPTY,           /* nothing but blanks and punctuation */
	QUERY_ONLY_EXCLUDED,   /* only -words: nothing to look for */
	QUERY_TOO_LONG,        /* more than SEARCH_QUERY_MAX bytes (store.h) */
	QUERY_BAD_UTF8,
};

struct query {
	char *match;           /* the FTS5 expression, NULL unless QUERY_OK */
	char **words;          /* the wanted words and phrases as typed (for the page) */
	size_t nwords;
	enum query_problem problem;
};

/* Parses q (NUL-terminated). DP_OK also when the query has a problem (see
 * ret->problem); DP_ENOMEM only when out of memory. */
int query_parse(const char *q, struct query *ret);
void query_release(struct query *q);
/* "empty", "only-excluded", "too-long", "bad-utf8" (template flags). */
const char *query_problem_name(enum query_problem p);

#endif
