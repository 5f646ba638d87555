/* admin_jobs.c — PLACEHOLDER: helper writes it. */
#include "page/admin.h"
#include "page/admin_common.h"

int admin_job_new(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_job_create(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_job_edit(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_job_update(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

int admin_jobs(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 404, NULL);
}

