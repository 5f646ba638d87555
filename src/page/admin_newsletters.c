/* admin_newsletters.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/admin.h"

int admin_newsletters(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_newsletter_new(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_newsletter_create(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_newsletter_edit(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_newsletter_update(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

