/* analyze.c — PLACEHOLDER: helper "search-core" writes it. */
#include "search/analyze.h"

#include <stdlib.h>

#include "util/err.h"

struct analyzer { int unused; };

int analyzer_new(const char *lang, struct analyzer **ret)
{
	(void)lang;
	*ret = calloc(1, sizeof **ret);
	return *ret ? DP_OK : DP_ENOMEM;
}
void analyzer_free(struct analyzer *a) { free(a); }
void analyzer_set_vocab(struct analyzer *a, const struct vocab *v) { (void)a; (void)v; }
int analyzer_run(struct analyzer *a, const char *text, size_t len, enum analyze_mode mode,
		 analyze_cb cb, void *arg)
{
	(void)a; (void)text; (void)len; (void)mode; (void)cb; (void)arg;
	return DP_OK;
}
int analyzer_term(struct analyzer *a, const char *word, size_t len, char *out, size_t *ret_len)
{
	(void)a; (void)word; (void)len;
	out[0] = '\0';
	*ret_len = 0;
	return DP_OK;
}
