/* related.c — PLACEHOLDER: helper "search-page" writes it. */
#include "page/page.h"
#include "util/err.h"

int related_fill(const struct page_req *req, struct page_res *res, const struct article *a,
		 json_t *article)
{
	(void)req; (void)res; (void)a; (void)article;
	return DP_OK;
}
