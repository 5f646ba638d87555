/* dispatch.h — deciding what mail goes out, in rounds: expiring unconfirmed
 * sign-ups, topic alerts for articles that became public (also scheduled
 * ones going live), daily and weekly digests, newsletter issues being sent
 * (in batches, resumable after a crash), the moderators' batched mail about
 * pending comments and the commenters' notifications. Every round only
 * queues into the outbox (store.h); mail/sender.h sends.
 *
 * Runs inside `depesche serve` (a thread, with the sender) and in `depesche
 * mail run`. Two processes dispatching at once do no harm: every decision is
 * recorded in the same transaction as the mail it queues. */
#ifndef DEPESCHE_NEWSLETTER_DISPATCH_H
#define DEPESCHE_NEWSLETTER_DISPATCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "newsletter/compose.h"

/* Subscribers handled per transaction while sending a newsletter. */
#define DISPATCH_BATCH 500
/* Articles older than this when first seen get no alerts (an import of the
 * archive must not mail everybody). */
#define DISPATCH_ALERT_MAX_AGE (2 * 24 * 3600)

struct dispatch_stats {
	size_t alerts;       /* alert mails queued */
	size_t digests;      /* digest mails queued */
	size_t newsletters;  /* newsletter mails queued */
	size_t notices;      /* mails about comments queued */
	size_t expired;      /* unconfirmed sign-ups removed */
};

/* One round at env->now; stats added to *ret (optional). */
int dispatch_round(const struct mail_env *env, struct dispatch_stats *ret);

/* The newsletter issue rendered for one address, queued as OUTBOX_TEST
 * (the editor's test mail: "[Test]" before the subject, no subscriber). */
int dispatch_newsletter_test(const struct mail_env *env, const struct newsletter *nl,
			     const char *to);
/* The mail text and HTML as a subscriber would get it (preview in
 * the admin); *ret_html and *ret_text malloc'd. */
int dispatch_newsletter_preview(const struct mail_env *env, const struct newsletter *nl,
				char **ret_html, char **ret_text);
/* A draft with the public articles of the last 7 days (subject and
 * Markdown body) for the editor to edit; fields of *ret owned. */
int dispatch_weekly_draft(const struct mail_env *env, struct newsletter *ret);

/* The background thread of `serve`: a round every second (and the sender),
 * until dispatch_stop(). site_dir is read again each round for settings. */
struct dispatcher;
int dispatch_start(const char *site_dir, struct dispatcher **ret);
void dispatch_stop(struct dispatcher *d);

#endif
