/* compose.h — mail from the theme: renders a pair of templates (plain text
 * and HTML) into a multipart message (mail/message.h) and queues it in the
 * outbox (store.h). Every mail the product sends is made here.
 *
 * Templates live in the theme under templates/mail/: <name>_text.mustache
 * and <name>_html.mustache. The HTML ones fill the blocks of
 * mail/layout_html ({{$preheader}}, {{$content}}); the text ones end with
 * {{>mail/footer_text}}. HTML for mail: tables and inline styles, no
 * scripts, no external CSS (common clients drop <style> and <link>).
 *
 * Every render gets, besides the caller's keys:
 *   site.{title,url,lang}   t (the theme's strings)   now_date (localised)
 *   for mail to a subscriber (sub != NULL):
 *     subscriber.email, preferences_url, unsubscribe_url (visible link;
 *     the same URL takes the RFC 8058 one-click POST), list mail headers.
 *
 * Thread-safe: the theme is read-only, the store is the caller's. */
#ifndef DEPESCHE_NEWSLETTER_COMPOSE_H
#define DEPESCHE_NEWSLETTER_COMPOSE_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

struct site;
struct theme;

/* What composing needs; all borrowed. */
struct mail_env {
	const struct site *site;   /* mail_from, mail_reply_to, base_url, title, lang */
	const struct theme *theme;
	struct store *store;
	int64_t now;
};

/* One mail to make. */
struct mail_job {
	enum outbox_kind kind;
	const char *template;        /* "confirm" → mail/confirm_text + mail/confirm_html */
	const char *subject;         /* UTF-8 */
	const char *to;              /* addr-spec */
	const char *to_name;         /* display name or NULL */
	json_t *ctx;                 /* the template's own keys (borrowed; may be NULL) */
	const struct subscriber *sub;/* list mail to a subscriber, or NULL (transactional) */
	int64_t newsletter_id;       /* counted for this issue (0: none) */
};

/* Renders job into out (RFC 5322 bytes). DP_EINVAL when mail.from is not
 * set or an address is invalid, DP_ENOTFOUND when a template is missing. */
int mail_compose(const struct mail_env *env, const struct mail_job *job, struct buf *out);

/* mail_compose() + store_outbox_add_for(). *ret_id (optional): the outbox id. */
int mail_queue(const struct mail_env *env, const struct mail_job *job, int64_t *ret_id);

/* Absolute URLs of a subscriber's pages (malloc'd):
 * BASE/subscribe/preferences/?k=KEY and BASE/unsubscribe/?k=KEY. */
char *mail_preferences_url(const struct site *site, const struct subscriber *sub);
char *mail_unsubscribe_url(const struct site *site, const struct subscriber *sub);

#endif
