/* message.h — composing newsletter e-mail (RFC 5322, MIME, list headers).
 *
 * RFCs: 5322 (message format), 2045/2046 (MIME, quoted-printable,
 * multipart/alternative), 2047 (encoded-words), 2369 + 8058 (List-Unsubscribe,
 * one-click), 2919 (List-Id), 3629 (UTF-8).
 *
 * The output is 7-bit ASCII with CRLF line endings and no line longer than
 * 78 octets in the headers where a fold point exists (never more than 998),
 * and 76 octets in the bodies. Bodies are quoted-printable; a body line that
 * starts with "." or "From " has that first character encoded (=2E, =46), so
 * no line of the message starts with a dot. SMTP dot-stuffing (RFC 5321
 * 4.5.2) is nevertheless the transport's job: a sender must not rely on this.
 *
 * The boundary and Message-ID come from libsodium's randombytes_buf(); the
 * program calls sodium_init() once at start-up, as for all its crypto.
 *
 * Library code: nothing is logged, nothing is kept. All strings are borrowed
 * from the caller for the duration of the call only.
 */
#ifndef DEPESCHE_MAIL_MESSAGE_H
#define DEPESCHE_MAIL_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Longest display name or List-Id description accepted, in bytes. */
#define MAIL_NAME_MAX 256
/* Longest unsubscribe URL (https, http or mailto) accepted, in bytes; it must fit on
 * one header line because RFC 8058 receivers do not unfold inside <...>. */
#define MAIL_URL_MAX 900
/* Size of a buffer that holds any generated Message-ID with its brackets. */
#define MAIL_MESSAGE_ID_MAX 300

struct mail_address {
	const char *name; /* display name, UTF-8, may be NULL or "" (then none) */
	const char *addr; /* addr-spec local@domain, ASCII; see mail_address_valid() */
};

struct mail_message {
	struct mail_address from, to;        /* both required */
	const struct mail_address *reply_to; /* NULL: no Reply-To header */
	const char *subject;                 /* UTF-8, required ("" allowed) */
	const char *text;                    /* text/plain body, UTF-8, required */
	const char *html;                    /* text/html body or NULL (then single-part text) */
	const char *list_id;                 /* "Site <news.example.org>" or "news.example.org" or NULL */
	const char *unsubscribe_url;         /* https or http URL, or NULL: List-Unsubscribe, and for
					      * https only List-Unsubscribe-Post (RFC 8058 one-click
					      * needs HTTPS; an http URL is a plain RFC 2369 link) */
	const char *unsubscribe_mailto;      /* "mailto:..." or a bare address, or NULL */
	const char *message_id_domain;       /* domain for Message-ID; NULL: the From address's domain */
	int64_t date;                        /* Unix seconds for the Date header (written as +0000) */
};

/* Appends the whole message (headers, blank line, body) with CRLF line endings
 * to out. Line breaks in text and html (LF, CRLF or CR) become CRLF; the body
 * always ends with CRLF, so a trailing newline of a single-part text is not
 * distinguishable from none.
 *
 * Everything is validated before anything is written. Returns:
 *   DP_EINVAL  an address is invalid; a header value (name, subject, list_id,
 *              URLs, domain) holds CR, LF or another control character
 *              (header injection); subject, name, text or html is not valid
 *              UTF-8; unsubscribe_url is not https or http; a name or URL is too long
 *   DP_ETOOBIG ret_message_id is too small (idlen < MAIL_MESSAGE_ID_MAX is
 *              enough for every domain of up to 253 octets); or out's cap hit
 *   DP_ENOMEM  out of memory
 * On any error out is restored to its length before the call (a sticky buffer
 * error stays set).
 *
 * ret_message_id (optional, idlen bytes) receives the generated Message-ID
 * with its angle brackets, "<hex@domain>", NUL-terminated, as it appears in
 * the header — ready for a later In-Reply-To or References. */
int mail_message_write(struct buf *out, const struct mail_message *m, char *ret_message_id, size_t idlen);

/* Appends text as an RFC 5322 phrase (a display name): plain ASCII atoms pass
 * through, ASCII with specials becomes a quoted-string, and anything else
 * (non-ASCII, or text containing "=?") becomes "=?UTF-8?Q?...?=" encoded-words
 * of at most 75 characters separated by single spaces, never splitting a
 * UTF-8 character. Returns DP_EINVAL for NULL, invalid UTF-8 or a control
 * character, else buf_error(out). */
int mail_encode_phrase(struct buf *out, const char *text);

/* True when addr is a plain addr-spec "local@domain": local part a dot-atom
 * of 1..64 ASCII characters, domain of 1..255 octets made of LDH labels of
 * 1..63 octets with at least one dot, total at most 254 octets; no spaces,
 * controls, quoted local parts, address literals or non-ASCII. */
bool mail_address_valid(const char *addr);

#endif
