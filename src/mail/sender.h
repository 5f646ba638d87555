/* sender.h — the outbox sender: claims due messages from the outbox and sends
 * them through the relay with up to mail.connections workers (threads, each
 * with its own store connection and SMTP connection), at most mail.rate
 * messages a second in all, and marks each sent or failed (store.h, "the
 * mail outbox", for retries and the crash rules).
 *
 * Library code: nothing is logged; counts come back in the stats. */
#ifndef DEPESCHE_MAIL_SENDER_H
#define DEPESCHE_MAIL_SENDER_H

#include <signal.h>
#include <stddef.h>

/* The settings the sender reads from DIR/site.json. All strings owned. */
struct mail_sender_config {
	char *url;         /* smtp.url ("" when unset) */
	char *user;        /* smtp.user */
	char *password;    /* smtp.password */
	char *from;        /* mail.from as written: "Name <a@b>" or "a@b" */
	char *envelope;    /* the address part of from */
	long rate;         /* mail.rate, messages per second */
	long connections;  /* mail.connections */
};

struct mail_sender_stats {
	size_t sent;      /* accepted by the relay */
	size_t retried;   /* temporary failure: queued again for later */
	size_t failed;    /* permanent failure, or out of attempts */
};

/* Reads the settings of the site in site_dir. DP_EINVAL with a message in
 * err when smtp.url or mail.from is missing (or mail.from has no address);
 * other errors as settings_read(). Release with mail_sender_config_release. */
int mail_sender_config_load(const char *site_dir, struct mail_sender_config *ret, char *err,
			    size_t errlen);
void mail_sender_config_release(struct mail_sender_config *c);

/* Sends the messages due now, up to max of them (0: all that are due, also
 * those that become due while it runs), and returns when none is left to
 * claim. Stats are added to *ret (optional). DP_EINVAL when the mail
 * settings are incomplete; a store error from any worker is returned after
 * all workers have stopped. Relay failures are not errors: they are in the
 * outbox and the stats. */
int mail_sender_run_once(const char *site_dir, size_t max, struct mail_sender_stats *ret);

/* The long-running sender: runs as mail_sender_run_once() does, then looks
 * for due messages again every second, until *stop becomes non-zero (set it
 * from a signal handler). On a stop, messages being sent are finished and
 * no new one is claimed. Settings are read again every
 * round, so a changed relay takes effect without a restart. */
int mail_sender_run(const char *site_dir, volatile sig_atomic_t *stop,
		    struct mail_sender_stats *ret);

#endif
