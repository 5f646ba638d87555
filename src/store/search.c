/* search.c — the parts of the search interface (store.h) every backend
 * shares. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

void search_result_release(struct search_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		article_release(&r->hits[i].article);
		free(r->hits[i].title_html);
		free(r->hits[i].snippet_html);
	}
	free(r->hits);
	memset(r, 0, sizeof *r);
}
