/* smtp.h — sending one message to the site's mail relay through libcurl.
 *
 * RFCs: 5321 (SMTP), 3207 (STARTTLS), 8314 (implicit TLS, smtps://),
 * 4954 (AUTH). libcurl does the dialogue, dot-stuffing and TLS; this module
 * keeps one CURL handle (and so one open connection) per sender worker and
 * sorts the outcome into sent, temporary and permanent failure.
 *
 * Library code: nothing is logged. curl_global_init() must have run before
 * the first smtp_new() (the sender and the CLI do it once at start). */
#ifndef DEPESCHE_MAIL_SMTP_H
#define DEPESCHE_MAIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a relay answer or error text kept, with its NUL. */
#define SMTP_ANSWER_MAX 512

/* Where and how to send; strings borrowed for the life of the smtp. */
struct smtp_config {
	const char *url;       /* smtp://host[:port] (STARTTLS when offered) or smtps:// */
	const char *user;      /* NULL or "": no AUTH */
	const char *password;  /* with user */
	const char *mail_from; /* envelope sender, an addr-spec */
};

enum smtp_outcome {
	SMTP_SENT,      /* the relay accepted the message */
	SMTP_TEMPORARY, /* 4xx, a connection or TLS error, a timeout: try later */
	SMTP_PERMANENT, /* 5xx: this message will never go */
	SMTP_OUTCOME__MAX
};

struct smtp_result {
	enum smtp_outcome outcome;
	long code;                     /* the relay's last reply code, 0 when none came */
	char answer[SMTP_ANSWER_MAX];  /* the relay's last reply line, or what failed */
};

struct smtp;

/* A sender with its own CURL handle; cfg's strings must outlive it.
 * DP_ENOMEM, DP_EINVAL (no url or mail_from). */
int smtp_new(const struct smtp_config *cfg, struct smtp **ret);
/* NULL-tolerant; closes the connection. */
void smtp_free(struct smtp *s);

/* Sends len bytes of an RFC 5322 message (CRLF line ends) to rcpt. The
 * outcome is in *ret; the return value is DP_OK unless the call itself
 * could not be made (DP_EINVAL, DP_ENOMEM). */
int smtp_send(struct smtp *s, const char *rcpt, const char *message, size_t len,
	      struct smtp_result *ret);

/* "user@example.org" from "Name <user@example.org>" or a bare address,
 * into out (outlen bytes). DP_EINVAL when there is no address in it,
 * DP_ETOOBIG when out is too small. */
int smtp_envelope_address(const char *from, char *out, size_t outlen);

#endif
