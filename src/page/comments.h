/* comments.h — reader comments on the public site: the form's ticket, the
 * POST handler (validation, anti-abuse, triage, the moderation queue), and
 * the threaded list and feeds of approved comments. */
#ifndef DEPESCHE_PAGE_COMMENTS_H
#define DEPESCHE_PAGE_COMMENTS_H

#include <jansson.h>
#include <stdint.h>

#include "http/request.h"
#include "page/page.h"

#define COMMENT_TEXT_MAX 5000      /* characters */
#define COMMENT_NAME_MAX 80
#define COMMENT_EMAIL_MAX 254
#define COMMENT_TICKET_TTL (7 * 24 * 3600)

/* POST /<slug>/comment/ */
int comment_post(struct http_req *req, struct http_res *res);

/* Adds to an article page's context: comments (a thread tree of approved
 * comments with rendered text), comment_count, and the form (ticket, policy).
 * Records the page's dependency on its comments. */
int comments_context(const struct page_req *req, struct page_res *res, const struct article *a,
		     json_t *article_ctx);

/* A signed form ticket for article id issued at t (65 bytes). */
void comment_ticket(int64_t article_id, int64_t t, char *out, size_t outlen);
/* Checks a ticket: DP_OK and *ret_issued when it is ours and for this article. */
int comment_ticket_check(const char *ticket, int64_t article_id, int64_t now, int64_t *ret_issued);

/* Sets the site's secret for tickets (from the database, at start). */
void comment_set_secret(const unsigned char *key, size_t len);

#endif
