/* query.c — a reader's search words to an FTS5 expression.
 *
 * The input is split at ASCII blanks and control characters into words; a
 * double quote (also „ “ ” « ») starts a phrase that runs to the next quote
 * or to the end; a "-" in front of a word or phrase excludes it. The
 * words come back as typed, phrases in ASCII double quotes. Every word and
 * phrase becomes one FTS5 string ("…", inner quotes doubled), so FTS5
 * operators, column filters, brackets and stars typed by a reader are only
 * text for the tokenizer. The shape of the result is fixed:
 *
 *   "w1" "w2"                              wanted words, ANDed
 *   ("w1" "w2") NOT ("x1" OR "x2")         with exclusions
 *
 * (FTS5 binds the implicit AND tighter than NOT, so "w1" "w2" NOT "x1"
 * NOT "x2" means the same; the brackets make it plain. search_test.c checks
 * both shapes against a real FTS5 table.) */
#include "search/query.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "search/analyze.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/utf8.h"


struct token {
	const char *s;
	size_t len;
	bool phrase;
	bool excluded;
};

/* The quote marks a phrase may start and end with; any one closes any. */
static size_t quote_at(const char *s)
{
	static const char *const quotes[] = { "\"", "\xE2\x80\x9E", "\xE2\x80\x9C", "\xE2\x80\x9D",
					      "\xC2\xAB", "\xC2\xBB" };
	for (size_t i = 0; i < sizeof quotes / sizeof quotes[0]; i++) {
		size_t n = strlen(quotes[i]);
		if (!strncmp(s, quotes[i], n))
			return n;
	}
	return 0;
}

/* Control characters are read as blanks (query_parse replaces them): none
 * reaches the expression, where the store gives strings that start with one
 * a meaning of its own, nor the page. */
static bool blank(char c)
{
	return c == ' ';
}

/* The next token at *p (moved past it); false at the end. */
static bool next_token(const char **p, struct token *t)
{
	const char *s = *p;
	while (blank(*s))
		s++;
	if (!*s) {
		*p = s;
		return false;
	}
	t->excluded = false;
	if (*s == '-' && s[1] && !blank(s[1])) {
		t->excluded = true;
		s++;
	}
	size_t q = quote_at(s);
	t->phrase = q != 0;
	if (q) {
		s += q;
		while (blank(*s))
			s++;
		t->s = s;
		while (*s && !quote_at(s))
			s++;
		t->len = (size_t)(s - t->s);
		while (t->len && blank(t->s[t->len - 1]))
			t->len--;
		s += quote_at(s);
	} else {
		t->s = s;
		while (*s && !blank(*s) && !quote_at(s))
			s++;
		t->len = (size_t)(s - t->s);
	}
	*p = s;
	return true;
}

/* Appends the token as an FTS5 string. */
static void put_string(struct buf *b, const struct token *t)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, t->s[i]);
	}
	buf_putc(b, '"');
}

static char *word_as_typed(const struct token *t)
{
	char *w = malloc(t->len + 3);
	if (!w)
		return NULL;
	size_t o = 0;
	if (t->phrase)
		w[o++] = '"';
	memcpy(w + o, t->s, t->len);
	o += t->len;
	if (t->phrase)
		w[o++] = '"';
	w[o] = '\0';
	return w;
}

int query_parse(const char *q, struct query *ret)
{
	memset(ret, 0, sizeof *ret);
	size_t n = strnlen(q, SEARCH_QUERY_MAX + 1);
	if (n > SEARCH_QUERY_MAX) {
		ret->problem = QUERY_TOO_LONG;
		return DP_OK;
	}
	if (!utf8_valid(q, n)) {
		ret->problem = QUERY_BAD_UTF8;
		return DP_OK;
	}
	char text[SEARCH_QUERY_MAX + 1];
	for (size_t i = 0; i <= n; i++)
		text[i] = i < n && ((unsigned char)q[i] < 0x20 || q[i] == 0x7F) ? ' ' : q[i];
	struct token toks[QUERY_WORDS_MAX];
	size_t ntoks = 0, nwanted = 0;
	struct token t;
	for (const char *p = text; ntoks < QUERY_WORDS_MAX && next_token(&p, &t);) {
		if (!analyze_has_word(t.s, t.len))
			continue;
		toks[ntoks++] = t;
		nwanted += !t.excluded;
	}
	if (!ntoks) {
		ret->problem = QUERY_EMPTY;
		return DP_OK;
	}
	if (!nwanted) {
		ret->problem = QUERY_ONLY_EXCLUDED;
		return DP_OK;
	}

	struct buf b = BUF_INIT(4 * SEARCH_QUERY_MAX + 64);
	bool excluding = nwanted < ntoks;
	if (excluding)
		buf_putc(&b, '(');
	for (size_t i = 0, k = 0; i < ntoks; i++) {
		if (toks[i].excluded)
			continue;
		if (k++)
			buf_putc(&b, ' ');
		put_string(&b, &toks[i]);
	}
	if (excluding) {
		buf_puts(&b, ") NOT (");
		for (size_t i = 0, k = 0; i < ntoks; i++) {
			if (!toks[i].excluded)
				continue;
			if (k++)
				buf_puts(&b, " OR ");
			put_string(&b, &toks[i]);
		}
		buf_putc(&b, ')');
	}
	ret->words = calloc(nwanted, sizeof *ret->words);
	ret->match = buf_take(&b, NULL);
	if (!ret->words || !ret->match)
		goto nomem;
	for (size_t i = 0; i < ntoks; i++) {
		if (toks[i].excluded)
			continue;
		if (!(ret->words[ret->nwords] = word_as_typed(&toks[i])))
			goto nomem;
		ret->nwords++;
	}
	ret->problem = QUERY_OK;
	return DP_OK;
nomem:
	buf_release(&b);
	query_release(ret);
	return DP_ENOMEM;
}

void query_release(struct query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nwords; i++)
		free(q->words[i]);
	free(q->words);
	free(q->match);
	q->words = NULL;
	q->match = NULL;
	q->nwords = 0;
}

const char *query_problem_name(enum query_problem p)
{
	switch (p) {
	case QUERY_OK:
		return "ok";
	case QUERY_EMPTY:
		return "empty";
	case QUERY_ONLY_EXCLUDED:
		return "only-excluded";
	case QUERY_TOO_LONG:
		return "too-long";
	case QUERY_BAD_UTF8:
		return "bad-utf8";
	}
	return "empty";
}
