/* sender.h — the outbox sender: claims due messages from the outbox and sends
 * them through the relay with up to mail.connections workers (threads, each
 * with its own store connection and SMTP connection), at most mail.rate
 * messages a second in all, and marks each sent or failed (store.h, "the
 * mail outbox", for retries and the crash rules).
 *
 * The relay itself failing (unreachable, TLS, login refused, 421) is not a
 * fault of the message: the message is put back unchanged (no attempt
 * counted, so an outage of hours loses nothing), the run stops and the
 * long-running sender tries again after a pause that grows to a minute.
 * Such a change of the relay's state (failing, or working again after a
 * failure) is recorded in the kv store under MAIL_RELAY_KEY for the admin
 * and `mail status`, and logged once (src/util/log.h) — the only lines this
 * module logs. Counts come back in the stats.
 *
 * A message that went out is recorded with the next claim of its worker,
 * in one transaction, through a connection that does not wait for the disk
 * on commit: 100,000 messages are 100,000 small writes, not 200,000 synced
 * ones (see sender.c for what a crash can cost).
 *
 * DKIM (mail/dkim.h): when mail.dkim_* are set, every message is signed
 * just before it goes to the relay; settings that cannot sign make the
 * configuration invalid (nothing leaves unsigned by mistake). */
#ifndef DEPESCHE_MAIL_SENDER_H
#define DEPESCHE_MAIL_SENDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/smtp.h"

struct store;

/* The settings the sender reads from DIR/site.json. All strings owned. */
struct mail_sender_config {
	char *url;         /* smtp.url ("" when unset) */
	char *user;        /* smtp.user */
	char *password;    /* smtp.password */
	char *from;        /* mail.from as written: "Name <a@b>" or "a@b" */
	char *envelope;    /* the address part of from */
	long rate;         /* mail.rate, messages per second */
	long connections;  /* mail.connections */
	bool dkim;         /* mail.dkim_* are set (and sign) */
};

struct mail_sender_stats {
	size_t sent;      /* accepted by the relay */
	size_t retried;   /* temporary failure: queued again for later */
	size_t failed;    /* permanent failure, or out of attempts */
	size_t deferred;  /* put back unchanged: the relay failed */
	char relay_error[SMTP_ANSWER_MAX + 128]; /* the last relay failure, "" when none */
};

/* kv key of the relay's state: {"ok": true|false, "at": unix seconds,
 * "message": "…"}; absent until the relay first failed. */
#define MAIL_RELAY_KEY "mail.relay"

/* The recorded relay state: DP_ENOTFOUND when nothing was recorded (the
 * relay never failed); *ret_message malloc'd. */
int mail_relay_state(struct store *st, bool *ret_ok, int64_t *ret_at, char **ret_message);

/* Reads the settings of the site in site_dir. DP_EINVAL with a message in
 * err when smtp.url or mail.from is missing (or mail.from has no address) or
 * DKIM is set but cannot sign (dkim_signer_load()); other errors as
 * settings_read(). Release with mail_sender_config_release. */
int mail_sender_config_load(const char *site_dir, struct mail_sender_config *ret, char *err,
			    size_t errlen);
void mail_sender_config_release(struct mail_sender_config *c);

/* Sends the messages due now, up to max of them (0: all that are due, also
 * those that become due while it runs), and returns when none is left to
 * claim, or the relay failed (then stats->relay_error says how). Stats are
 * added to *ret (optional). DP_EINVAL when the mail settings are
 * incomplete; a store error from any worker is returned after all workers
 * have stopped. Relay failures are not errors: they are in the outbox and
 * the stats. */
int mail_sender_run_once(const char *site_dir, size_t max, struct mail_sender_stats *ret);

/* The long-running sender: runs as mail_sender_run_once() does, then looks
 * for due messages again every second, until *stop becomes non-zero (set it
 * from a signal handler). On a stop, messages being sent are finished and
 * no new one is claimed. Settings are read again every round, so a changed
 * relay takes effect without a restart; after a relay failure the next round
 * waits 2 s, then twice as long each time, at most 60 s. Returns DP_EINVAL
 * when the settings become incomplete (the caller says so and starts it
 * again once they are complete). */
int mail_sender_run(const char *site_dir, volatile sig_atomic_t *stop,
		    struct mail_sender_stats *ret);

#endif
