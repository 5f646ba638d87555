/* api.h — the JSON API under /api/v1/ for integrations. Bearer tokens
 * (depesche token add); errors are {"error": "..."} with the right status
 * (400, 401, 403, 404, 409, 413, 429). One file per resource. */
#ifndef DEPESCHE_API_API_H
#define DEPESCHE_API_API_H

#include "http/request.h"

/* GET /api/v1/comments?status=pending|approved|spam|rejected&limit=&offset= */
int api_comments_list(struct http_req *req, struct http_res *res);
/* PATCH /api/v1/comments/:id  {"status": "approved"|"spam"|"rejected"} */
int api_comment_patch(struct http_req *req, struct http_res *res);

/* GET /api/v1/posts, POST /api/v1/posts, GET/PATCH/DELETE /api/v1/posts/:id */
int api_posts_list(struct http_req *req, struct http_res *res);
int api_post_create(struct http_req *req, struct http_res *res);
int api_post_get(struct http_req *req, struct http_res *res);
int api_post_patch(struct http_req *req, struct http_res *res);
int api_post_delete(struct http_req *req, struct http_res *res);

#endif
