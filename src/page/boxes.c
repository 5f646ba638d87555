/* boxes.c — PLACEHOLDER: helper "boxes" writes it. */
#include "page/page.h"
#include "util/err.h"

int boxes_fill(const struct page_req *req, struct page_res *res, json_t *ctx)
{
	(void)req; (void)res; (void)ctx;
	return DP_OK;
}
