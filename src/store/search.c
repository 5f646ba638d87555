/* search.c — PLACEHOLDER: helper "search-store" writes it (search_result_release). */
#include <stdlib.h>

#include "store/store.h"

void search_result_release(struct search_result *r)
{
	(void)r;
}
