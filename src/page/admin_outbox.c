/* admin_outbox.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/admin.h"

int admin_outbox(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_outbox_action(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

