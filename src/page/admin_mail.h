/* admin_mail.h — what the admin's mail pages share (admin_subscribers.c,
 * admin_newsletters.c, admin_outbox.c, admin_settings.c): their page
 * context (nav mark, notices), and the state of mail delivery — the mail
 * settings in site.json and the relay's last answer — that the outbox, the
 * newsletter pages and the dashboard warn about.
 *
 * Library code: nothing here logs. Texts come from the theme (admin_mail_*
 * keys); the relay's own words are shown escaped like any other text. */
#ifndef DEPESCHE_PAGE_ADMIN_MAIL_H
#define DEPESCHE_PAGE_ADMIN_MAIL_H

#include <jansson.h>

#include "http/request.h"
#include "store/store.h"

/* Who may see the mail pages (router.c: STAFF) and the settings (admins). */
#define ADMIN_ROLES_MAIL ((1u << ROLE_ADMIN) | (1u << ROLE_EDITOR))
#define ADMIN_ROLES_SETTINGS (1u << ROLE_ADMIN)

/* The sections of the mail pages in the admin nav. */
enum admin_mail_section {
	ADMIN_MAIL_SUBSCRIBERS,
	ADMIN_MAIL_NEWSLETTERS,
	ADMIN_MAIL_OUTBOX,
	ADMIN_MAIL_SETTINGS,
	ADMIN_MAIL__MAX
};

/* admin_ctx_new() plus: nav.<section> for aria-current, and the notice
 * for ?done=NAME when NAME is one of the mail pages' fixed names
 * (admin_mail_done_NAME); the query's text itself is never copied into the
 * page. New reference, NULL when out of memory. (The nav entries show by
 * role: user.is_admin / user.is_editor in templates/admin/layout.) */
json_t *admin_mail_ctx_new(struct http_req *req, enum admin_mail_section sec);

/* The state of mail delivery, read afresh (site.json, the kv key
 * "mail.relay" the sender writes as {"ok":bool,"at":unix,"message":text}):
 *   { ready: bool            — settings complete and the relay not failing
 *     configured: bool       — smtp.url and mail.from are set
 *     problems: [ {text, detail?} ], has_problems: bool
 *     relay: { ok, failed, date_human, date_iso, message? } — absent before
 *            the first delivery attempt
 *     smtp_url?: the relay's URL (no secrets: settings forbid credentials
 *            in it) }
 * New reference, NULL when out of memory. */
json_t *admin_mail_state(struct http_req *req);

/* For the dashboard (admin_dashboard in admin_login.c): sets ctx.mail to
 *   { subscribers_confirmed, subscribers_pending, outbox_failed,
 *     outbox_queued, has_failed, state: admin_mail_state() }
 * for the roles of ADMIN_ROLES_MAIL; leaves ctx alone for the others. */
int admin_mail_summary(struct http_req *req, json_t *ctx);

#endif
