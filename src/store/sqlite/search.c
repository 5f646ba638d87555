/* search.c — PLACEHOLDER: helper "search-store" writes it. */
#include <stddef.h>
#include <stdio.h>

#include "store/sqlite/internal.h"
#include "util/err.h"

int sq_search_open(struct store *s) { (void)s; return DP_OK; }
void sq_search_close(struct store *s) { (void)s; }
int sq_search_article(struct store *s, int64_t article_id, int64_t now)
{
	(void)s; (void)article_id; (void)now;
	return DP_OK;
}
int sq_search_forget(struct store *s, int64_t article_id, int64_t now)
{
	(void)s; (void)article_id; (void)now;
	return DP_OK;
}
int store_search(struct store *s, const struct search_query *q, struct search_result *ret)
{
	(void)s; (void)q; (void)ret;
	return DP_EINVAL;
}
int store_related(struct store *s, int64_t article_id, int64_t now, struct article_list *ret)
{
	(void)s; (void)article_id; (void)now;
	ret->items = NULL;
	ret->n = 0;
	return DP_OK;
}
int store_search_reindex(struct store *s, const char *lang, store_progress_fn progress, void *arg)
{
	(void)s; (void)lang; (void)progress; (void)arg;
	return DP_EIO;
}
int store_search_lang(struct store *s, char *ret, size_t n)
{
	(void)s;
	snprintf(ret, n, "de");
	return DP_OK;
}
