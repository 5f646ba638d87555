/* search.c — PLACEHOLDER: helper "search-page" writes it. */
#include "http/request.h"
#include "page/page.h"
#include "util/err.h"

int page_search(const struct page_req *req, struct page_res *res) { (void)req; (void)res; return DP_ENOTFOUND; }
int search_get(struct http_req *req, struct http_res *res)
{
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	return page_dynamic(req, res, page_search, &route, NULL);
}
