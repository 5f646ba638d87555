/* subscribe.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/subscribe.h"

int subscribe_form(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int subscribe_post(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int subscribe_confirm_form(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int subscribe_confirm(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int subscribe_prefs_form(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int subscribe_prefs(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int unsubscribe_form(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int unsubscribe_post(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

