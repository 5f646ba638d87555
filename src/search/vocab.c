/* vocab.c — PLACEHOLDER: helper "search-core" writes it. */
#include "search/vocab.h"

#include <stdlib.h>

#include "util/err.h"

struct vocab { size_t n; };

int vocab_new(struct vocab **ret)
{
	*ret = calloc(1, sizeof **ret);
	return *ret ? DP_OK : DP_ENOMEM;
}
void vocab_free(struct vocab *v) { free(v); }
int vocab_add(struct vocab *v, const char *term, size_t len, bool *ret_new)
{
	(void)v; (void)term; (void)len;
	if (ret_new)
		*ret_new = false;
	return DP_OK;
}
bool vocab_has(const struct vocab *v, const char *term, size_t len)
{
	(void)v; (void)term; (void)len;
	return false;
}
size_t vocab_size(const struct vocab *v) { return v->n; }
