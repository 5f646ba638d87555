/* query.c — PLACEHOLDER: helper "search-core" writes it. */
#include "search/query.h"

#include <string.h>

#include "util/err.h"

int query_parse(const char *q, struct query *ret)
{
	(void)q;
	memset(ret, 0, sizeof *ret);
	ret->problem = QUERY_EMPTY;
	return DP_OK;
}
void query_release(struct query *q) { (void)q; }
const char *query_problem_name(enum query_problem p)
{
	(void)p;
	return "empty";
}
