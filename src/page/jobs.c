/* jobs.c — PLACEHOLDER: helper "jobs" writes it. */
#include "http/request.h"
#include "page/page.h"
#include "util/err.h"

int page_jobs(const struct page_req *req, struct page_res *res) { (void)req; (void)res; return DP_ENOTFOUND; }
int page_job(const struct page_req *req, struct page_res *res) { (void)req; (void)res; return DP_ENOTFOUND; }
int page_jobs_feed(const struct page_req *req, struct page_res *res) { (void)req; (void)res; return DP_ENOTFOUND; }
int jobs_box_fill(const struct page_req *req, struct page_res *res, json_t *box)
{
	(void)req; (void)res; (void)box;
	return DP_OK;
}
int jobs_filtered(struct http_req *req, struct http_res *res)
{
	struct route route = { .kind = ROUTE_JOBS, .page = 1 };
	return page_dynamic(req, res, page_jobs, &route, NULL);
}
