/* moderate.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/moderate.h"

int moderate_link_form(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int moderate_link(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

