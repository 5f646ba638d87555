/* admin_settings.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "page/admin.h"

int admin_settings(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

int admin_settings_save(struct http_req *req, struct http_res *res)
{
	(void)req;
	res->status = 501;
	return 0;
}

