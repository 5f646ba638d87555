/* admin_boxes.c — PLACEHOLDER: helper writes it. */
#include "page/admin.h"
#include "page/admin_common.h"

int admin_boxes(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_boxes_action(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_box_new(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_box_create(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_box_edit(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_box_update(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

