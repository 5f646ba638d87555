/* moderate.h — the approve and reject links in moderators' mails: signed
 * and expiring (newsletter/links.h), they work without logging in. GET
 * shows the comment and a button (mail scanners follow links); POST acts
 * through moderation/actions.h like the admin does. */
#ifndef DEPESCHE_PAGE_MODERATE_H
#define DEPESCHE_PAGE_MODERATE_H

#include "http/request.h"

/* GET /moderate/?t=SIGNED */
int moderate_link_form(struct http_req *req, struct http_res *res);
/* POST /moderate/ with t=SIGNED */
int moderate_link(struct http_req *req, struct http_res *res);

#endif
