/* admin.h — the newsroom admin under /admin/: one file per page type
 * (admin_login.c, admin_comments.c, admin_posts.c, admin_upload.c,
 * admin_audit.c). Every handler is a dynamic route (src/http/router.c):
 * never cached, the caller already authenticated and authorised by the
 * router, POST forms already CSRF-checked. Pages render theme templates
 * under templates/admin/. */
#ifndef DEPESCHE_PAGE_ADMIN_H
#define DEPESCHE_PAGE_ADMIN_H

#include "http/request.h"

/* GET/POST /admin/login, POST /admin/logout */
int admin_login_form(struct http_req *req, struct http_res *res);
int admin_login(struct http_req *req, struct http_res *res);
int admin_logout(struct http_req *req, struct http_res *res);
/* GET /admin/ — the dashboard: pending count, links */
int admin_dashboard(struct http_req *req, struct http_res *res);

/* GET /admin/comments?status=pending|approved|spam|rejected&page=N — the queue */
int admin_comments(struct http_req *req, struct http_res *res);
/* POST /admin/comments — bulk: action=approve|reject|spam and one or more id */
int admin_comments_action(struct http_req *req, struct http_res *res);
/* GET/POST /admin/comments/:id/edit — a moderator edits the text */
int admin_comment_edit_form(struct http_req *req, struct http_res *res);
int admin_comment_edit(struct http_req *req, struct http_res *res);
/* POST /admin/comments/:id/reply — reply as the site (approved at once) */
int admin_comment_reply(struct http_req *req, struct http_res *res);

/* GET /admin/posts (filters: status, q), GET /admin/posts/new, POST /admin/posts */
int admin_posts(struct http_req *req, struct http_res *res);
int admin_post_new(struct http_req *req, struct http_res *res);
int admin_post_create(struct http_req *req, struct http_res *res);
/* GET/POST /admin/posts/:id — edit; the form's "action" is save, preview,
 * publish, unpublish or schedule */
int admin_post_edit(struct http_req *req, struct http_res *res);
int admin_post_update(struct http_req *req, struct http_res *res);
/* GET/POST /admin/posts/:id/delete — confirm, then delete */
int admin_post_delete_form(struct http_req *req, struct http_res *res);
int admin_post_delete(struct http_req *req, struct http_res *res);

/* POST /admin/uploads — an image (multipart field "file") */
int admin_upload(struct http_req *req, struct http_res *res);

/* GET /admin/audit — admins only */
int admin_audit(struct http_req *req, struct http_res *res);

/* admin_subscribers.c — GET /admin/subscribers (q, status, page): search;
 * GET /admin/subscribers.csv: export; GET /admin/subscribers/:id: topics and
 * the consent record; POST /admin/subscribers/:id/delete: erase on request */
int admin_subscribers(struct http_req *req, struct http_res *res);
int admin_subscribers_csv(struct http_req *req, struct http_res *res);
int admin_subscriber(struct http_req *req, struct http_res *res);
int admin_subscriber_delete(struct http_req *req, struct http_res *res);

/* admin_newsletters.c — issues: list with figures, compose (or start from the
 * week's digest), preview, test to oneself, send, progress. The form's
 * "action" is save, preview, test, send or delete. */
int admin_newsletters(struct http_req *req, struct http_res *res);
int admin_newsletter_new(struct http_req *req, struct http_res *res);
int admin_newsletter_create(struct http_req *req, struct http_res *res);
int admin_newsletter_edit(struct http_req *req, struct http_res *res);
int admin_newsletter_update(struct http_req *req, struct http_res *res);

/* admin_outbox.c — GET /admin/outbox (status, page): the queue, failures with
 * the relay's answer, the relay's state; POST: retry failed messages */
int admin_outbox(struct http_req *req, struct http_res *res);
int admin_outbox_action(struct http_req *req, struct http_res *res);

/* admin_settings.c — GET/POST /admin/settings: the settings of `depesche
 * config` (site/settings.h), admins only */
int admin_settings(struct http_req *req, struct http_res *res);
int admin_settings_save(struct http_req *req, struct http_res *res);

/* admin_jobs.c — job listings: GET /admin/jobs (list incl. expired, page),
 * GET /admin/jobs/new, POST /admin/jobs (create), GET/POST /admin/jobs/:id
 * (edit; the form's "action" is save, expire or delete) */
int admin_jobs(struct http_req *req, struct http_res *res);
int admin_job_new(struct http_req *req, struct http_res *res);
int admin_job_create(struct http_req *req, struct http_res *res);
int admin_job_edit(struct http_req *req, struct http_res *res);
int admin_job_update(struct http_req *req, struct http_res *res);

/* admin_boxes.c — the site's boxes: GET /admin/boxes (by place, in order),
 * POST /admin/boxes (action=up|down|show|hide|delete with id), GET/POST
 * /admin/boxes/new, GET/POST /admin/boxes/:id (edit) */
int admin_boxes(struct http_req *req, struct http_res *res);
int admin_boxes_action(struct http_req *req, struct http_res *res);
int admin_box_new(struct http_req *req, struct http_res *res);
int admin_box_create(struct http_req *req, struct http_res *res);
int admin_box_edit(struct http_req *req, struct http_res *res);
int admin_box_update(struct http_req *req, struct http_res *res);

#endif
