/* admin_subscribers.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/admin.h"

int admin_subscribers(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_subscribers_csv(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_subscriber(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_subscriber_delete(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

