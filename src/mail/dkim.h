/* dkim.h — DKIM signatures (RFC 6376) on outgoing mail, through Debian's
 * libopendkim: RSA-SHA256, relaxed/relaxed canonicalisation, signing From,
 * To, Subject, Date, Message-ID, Reply-To, MIME headers and the list headers
 * (List-Id, List-Unsubscribe, List-Unsubscribe-Post: RFC 8058 asks that a
 * one-click unsubscribe be covered by a valid signature), with From and the
 * list headers over-signed so that none can be added in transit.
 *
 * Optional: configured by mail.dkim_domain, mail.dkim_selector and
 * mail.dkim_key (a PEM private key file; relative paths are in the site's
 * folder). Without them mail leaves unsigned (the relay may sign).
 * Signing happens in the sender, just before a message goes to the relay,
 * so the outbox keeps messages as made and a key change applies at once.
 *
 * A signer is used by one thread at a time (each sender worker has one). */
#ifndef DEPESCHE_MAIL_DKIM_H
#define DEPESCHE_MAIL_DKIM_H

#include <stddef.h>

#include "util/buf.h"

#define DKIM_KEY_MAX (16u * 1024u)  /* bytes of a PEM key file */

struct dkim_signer;

/* A signer for domain/selector with a PEM private key. DP_EINVAL with a
 * message in err for a bad domain, selector or key. */
int dkim_signer_new(const char *domain, const char *selector, const char *key_pem,
		    struct dkim_signer **ret, char *err, size_t errlen);
/* Reads the mail.dkim_* settings of the site in site_dir and the key file.
 * *ret is NULL (and DP_OK) when DKIM is not configured; DP_EINVAL/DP_EIO
 * with a message when it is configured wrongly (half set, unreadable key). */
int dkim_signer_load(const char *site_dir, struct dkim_signer **ret, char *err, size_t errlen);
/* NULL-tolerant. */
void dkim_signer_free(struct dkim_signer *s);

/* Appends "DKIM-Signature: …" + CRLF and then the message (len bytes, CRLF
 * line ends) to out. DP_EINVAL with libopendkim's reason in err when the
 * message cannot be signed; out is then unchanged. */
int dkim_signer_sign(struct dkim_signer *s, const char *msg, size_t len, struct buf *out,
		     char *err, size_t errlen);

#endif
