/* message.c — composing newsletter e-mail.
 * RFC 5322, 2045, 2046, 2047, 2369, 2919, 8058. See message.h. */
#include "mail/message.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "util/err.h"
#include "util/utf8.h"

/* Fold headers before this column where a fold point exists (RFC 5322 2.1.1). */
#define HDR_SOFT_MAX 78
/* An encoded-word is at most 75 characters (RFC 2047 2): "=?UTF-8?Q?" + text + "?=". */
#define EW_MAX 75
#define EW_OVERHEAD 12
/* Quoted-printable lines are at most 76 characters, the soft break "=" included. */
#define QP_MAX 76

static const char hexdig[] = "0123456789ABCDEF";

/* ---- validation ------------------------------------------------------- */

static bool is_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* atext of RFC 5322 3.2.3, ASCII only (no locale-dependent isalnum()). */
static bool is_atext(unsigned char c)
{
	return is_ascii_alnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* A domain of LDH labels with at least one dot, no trailing dot. */
static bool domain_valid(const char *d, size_t n)
{
	if (n == 0 || n > 255)
		return false;
	size_t label = 0, dots = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return false;
			label = 0;
			dots++;
		} else if (is_ascii_alnum(c) || c == '-') {
			if (c == '-' && label == 0)
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && d[n - 1] != '-' && dots > 0;
}

bool mail_address_valid(const char *addr)
{
	if (!addr)
		return false;
	size_t n = strlen(addr);
	if (n > 254)
		return false;
	const char *at = strchr(addr, '@');
	if (!at || strchr(at + 1, '@'))
		return false;
	size_t local = (size_t)(at - addr);
	if (local == 0 || local > 64)
		return false;
	/* dot-atom: atext runs separated by single dots */
	if (addr[0] == '.' || addr[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)addr[i];
		if (c == '.') {
			if (addr[i + 1] == '.')
				return false;
		} else if (c >= 0x80 || !is_atext(c)) {
			return false;
		}
	}
	return domain_valid(at + 1, n - local - 1);
}

/* A header value: valid UTF-8 without CR, LF, NUL or any other control. */
static bool header_text_ok(const char *s)
{
	return s && utf8_valid(s, strlen(s)) && !utf8_has_control(s, "");
}

/* Printable ASCII without space or the URL delimiters of RFC 2369. */
static bool url_chars_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAIL_URL_MAX)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7F || *s == '<' || *s == '>' || *s == '"' || *s == ',')
			return false;
	return true;
}

static bool name_ok(const char *name)
{
	return !name || (strlen(name) <= MAIL_NAME_MAX && header_text_ok(name));
}

static bool mailbox_ok(const struct mail_address *a)
{
	return a && mail_address_valid(a->addr) && name_ok(a->name);
}

/* Splits "Description <id>" or "id"; the description may be empty. */
static bool list_id_split(const char *s, size_t *ret_desc_len, const char **ret_id, size_t *ret_id_len)
{
	const char *lt = strchr(s, '<');
	const char *id = s;
	size_t idlen = strlen(s);
	size_t desc = 0;
	if (lt) {
		const char *gt = strchr(lt, '>');
		if (!gt || gt[1] != '\0')
			return false;
		id = lt + 1;
		idlen = (size_t)(gt - id);
		desc = (size_t)(lt - s);
		while (desc > 0 && s[desc - 1] == ' ')
			desc--;
	}
	if (idlen == 0 || idlen > 255 || desc > MAIL_NAME_MAX)
		return false;
	/* list-id = list-label "." list-id-namespace, both dot-atom-text */
	if (id[0] == '.' || id[idlen - 1] == '.' || !memchr(id, '.', idlen))
		return false;
	for (size_t i = 0; i < idlen; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c == '.' ? id[i + 1] == '.' : (c >= 0x80 || !is_atext(c)))
			return false;
	}
	*ret_desc_len = desc;
	*ret_id = id;
	*ret_id_len = idlen;
	return true;
}

static bool https_url(const char *u)
{
	return strncasecmp(u, "https://", 8) == 0 && u[8] != '\0' && url_chars_ok(u);
}

/* An http URL is accepted too (a site on a LAN or a demo without TLS); it
 * gets no List-Unsubscribe-Post, which RFC 8058 3.1 reserves for HTTPS. */
static bool http_url(const char *u)
{
	return strncasecmp(u, "http://", 7) == 0 && u[7] != '\0' && url_chars_ok(u);
}

static bool mailto_ok(const char *u)
{
	if (strncasecmp(u, "mailto:", 7) == 0)
		return u[7] != '\0' && url_chars_ok(u);
	return mail_address_valid(u);
}

static int validate(const struct mail_message *m)
{
	if (!mailbox_ok(&m->from) || !mailbox_ok(&m->to))
		return DP_EINVAL;
	if (m->reply_to && !mailbox_ok(m->reply_to))
		return DP_EINVAL;
	if (!header_text_ok(m->subject))
		return DP_EINVAL;
	if (!m->text || !utf8_valid(m->text, strlen(m->text)))
		return DP_EINVAL;
	if (m->html && !utf8_valid(m->html, strlen(m->html)))
		return DP_EINVAL;
	if (m->list_id) {
		size_t dl, il;
		const char *id;
		if (!header_text_ok(m->list_id) || !list_id_split(m->list_id, &dl, &id, &il))
			return DP_EINVAL;
	}
	if (m->unsubscribe_url && !https_url(m->unsubscribe_url) && !http_url(m->unsubscribe_url))
		return DP_EINVAL;
	if (m->unsubscribe_mailto && !mailto_ok(m->unsubscribe_mailto))
		return DP_EINVAL;
	if (m->message_id_domain && !domain_valid(m->message_id_domain, strlen(m->message_id_domain)))
		return DP_EINVAL;
	/* RFC 5322 wants a four-digit year: 1900-01-01 .. 9999-12-31 */
	if (m->date < INT64_C(-2208988800) || m->date > INT64_C(253402300799))
		return DP_EINVAL;
	return DP_OK;
}

/* ---- header writer with folding --------------------------------------- */

struct hdr {
	struct buf *out;
	size_t col;   /* octets on the current line */
	size_t start; /* column after "Name:"; no fold before the first token */
	bool fold;    /* false: tokens joined by one space (mail_encode_phrase) */
	bool first;   /* no token written yet */
};

static void hdr_begin(struct hdr *h, struct buf *out, const char *name)
{
	h->out = out;
	buf_puts(out, name);
	buf_putc(out, ':');
	h->col = h->start = strlen(name) + 1;
	h->fold = true;
	h->first = true;
}

/* Appends one unbreakable token, preceded by a space or a fold. */
static void hdr_token(struct hdr *h, const char *tok, size_t n, bool space)
{
	if (space) {
		if (h->fold && h->col > h->start && h->col + 1 + n > HDR_SOFT_MAX) {
			buf_puts(h->out, "\r\n ");
			h->col = 1;
		} else {
			buf_putc(h->out, ' ');
			h->col++;
		}
	}
	buf_add(h->out, tok, n);
	h->col += n;
	h->first = false;
}

static void hdr_end(struct hdr *h)
{
	buf_puts(h->out, "\r\n");
}

/* Whether byte c may appear literally in a Q encoded-word in a phrase (RFC 2047 5(3)). */
static bool q_literal(unsigned char c)
{
	return is_ascii_alnum(c) || c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t utf8_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
}

/* Writes s as a run of encoded-words, each a whole number of characters. */
static void hdr_encoded_words(struct hdr *h, const char *s)
{
	char word[EW_MAX + 1];
	size_t i = 0, n = strlen(s);
	bool space = !h->first || h->fold;
	while (i < n) {
		/* Fill the rest of the current line when a useful word fits there,
		 * so the first word after "Subject:" does not overflow it. */
		size_t limit = EW_MAX;
		size_t avail = HDR_SOFT_MAX > h->col + 1 ? HDR_SOFT_MAX - h->col - 1 : 0;
		if (h->fold && avail < limit && avail >= EW_OVERHEAD + 12)
			limit = avail;
		memcpy(word, "=?UTF-8?Q?", 10);
		size_t w = 10;
		while (i < n) {
			size_t len = utf8_seq_len((unsigned char)s[i]);
			if (len > n - i)
				len = n - i; /* unreachable for valid UTF-8 */
			size_t enc = 0;
			for (size_t k = 0; k < len; k++) {
				unsigned char c = (unsigned char)s[i + k];
				enc += (q_literal(c) || c == ' ') ? 1 : 3;
			}
			if (w + enc + 2 > limit)
				break;
			for (size_t k = 0; k < len; k++) {
				unsigned char c = (unsigned char)s[i + k];
				if (c == ' ') {
					word[w++] = '_';
				} else if (q_literal(c)) {
					word[w++] = (char)c;
				} else {
					word[w++] = '=';
					word[w++] = hexdig[c >> 4];
					word[w++] = hexdig[c & 15];
				}
			}
			i += len;
		}
		word[w++] = '?';
		word[w++] = '=';
		hdr_token(h, word, w, space);
		space = true;
	}
}

enum phrase_kind { PHRASE_ATOMS, PHRASE_QUOTED, PHRASE_ENCODED };

static enum phrase_kind phrase_kind(const char *s)
{
	bool atoms = s[0] != ' ';
	if (strstr(s, "=?"))
		return PHRASE_ENCODED;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80)
			return PHRASE_ENCODED;
		if (c == ' ') {
			if (p[1] == ' ' || p[1] == '\0')
				atoms = false;
		} else if (!is_atext(c)) {
			atoms = false;
		}
	}
	return atoms ? PHRASE_ATOMS : PHRASE_QUOTED;
}

/* s is validated: UTF-8, no controls, at most MAIL_NAME_MAX bytes. */
static void hdr_phrase(struct hdr *h, const char *s)
{
	bool space = !h->first || h->fold;
	switch (phrase_kind(s)) {
	case PHRASE_ATOMS:
		for (const char *p = s; *p;) {
			size_t n = strcspn(p, " ");
			hdr_token(h, p, n, space);
			space = true;
			p += n;
			if (*p == ' ')
				p++;
		}
		break;
	case PHRASE_QUOTED: {
		/* At most 2 * MAIL_NAME_MAX + 2 octets: fits a line. */
		struct buf q = BUF_INIT(0);
		buf_putc(&q, '"');
		for (const char *p = s; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(&q, '\\');
			buf_putc(&q, *p);
		}
		buf_putc(&q, '"');
		if (buf_error(&q))
			h->out->err = h->out->err ? h->out->err : buf_error(&q);
		else
			hdr_token(h, q.data, q.len, space);
		buf_release(&q);
		break;
	}
	case PHRASE_ENCODED:
		hdr_encoded_words(h, s);
		break;
	}
}

int mail_encode_phrase(struct buf *out, const char *text)
{
	if (!header_text_ok(text))
		return DP_EINVAL;
	struct hdr h = { out, 0, 0, false, true };
	hdr_phrase(&h, text);
	return buf_error(out);
}

static void hdr_mailbox(struct buf *out, const char *field, const struct mail_address *a)
{
	struct hdr h;
	hdr_begin(&h, out, field);
	if (a->name && a->name[0]) {
		hdr_phrase(&h, a->name);
		char tok[260];
		size_t n = (size_t)snprintf(tok, sizeof(tok), "<%s>", a->addr);
		hdr_token(&h, tok, n, true);
	} else {
		hdr_token(&h, a->addr, strlen(a->addr), true);
	}
	hdr_end(&h);
}

/* Unstructured text: plain ASCII words fold at spaces; anything that could be
 * misread (non-ASCII, "=?", words too long to fold) becomes encoded-words. */
static void hdr_subject(struct buf *out, const char *s)
{
	struct hdr h;
	hdr_begin(&h, out, "Subject");
	bool plain = !strstr(s, "=?");
	size_t word = 0;
	for (const char *p = s; *p && plain; p++) {
		if ((unsigned char)*p >= 0x80)
			plain = false;
		word = *p == ' ' ? 0 : word + 1;
		if (word > HDR_SOFT_MAX - 10)
			plain = false;
	}
	if (plain) {
		const char *p = s;
		for (;;) {
			size_t n = strcspn(p, " ");
			hdr_token(&h, p, n, true);
			p += n;
			if (*p != ' ')
				break;
			p++;
		}
	} else {
		hdr_encoded_words(&h, s);
	}
	hdr_end(&h);
}

static void hdr_date(struct buf *out, int64_t date)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	time_t t = (time_t)date;
	if (!gmtime_r(&t, &tm)) { /* validate() bounded date; cannot happen */
		out->err = out->err ? out->err : DP_EINVAL;
		return;
	}
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", wd[tm.tm_wday], tm.tm_mday,
	           mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void random_hex(char *dst, size_t nbytes)
{
	unsigned char r[32];
	if (nbytes > sizeof(r))
		nbytes = sizeof(r);
	randombytes_buf(r, nbytes);
	for (size_t i = 0; i < nbytes; i++) {
		dst[2 * i] = hexdig[r[i] >> 4];
		dst[2 * i + 1] = hexdig[r[i] & 15];
	}
	dst[2 * nbytes] = '\0';
}

/* ---- bodies ----------------------------------------------------------- */

/* Quoted-printable (RFC 2045 6.7) with CRLF line breaks. Each input line
 * break (LF, CRLF, CR) becomes a hard CRLF; the output ends with CRLF exactly
 * when the input ends with a line break. Spaces and tabs before a line end,
 * "=" and every non-printable or non-ASCII byte are encoded; so is a "." or
 * the "F" of "From " at the start of an output line (defence against
 * transports that forget dot-stuffing, and mbox "From " mangling). */
static void qp_body(struct buf *out, const char *s)
{
	size_t col = 0;
	while (*s) {
		size_t n = strcspn(s, "\r\n");
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			bool last = i + 1 == n;
			bool lit = (c > 32 && c < 127 && c != '=') || ((c == ' ' || c == '\t') && !last);
			size_t len = lit ? 1 : 3;
			/* keep room for the soft break "=" unless this is the line's last char */
			if (col + len > (last ? QP_MAX : QP_MAX - 1)) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			if (col == 0 && (c == '.' || (c == 'F' && strncmp(s + i, "From ", 5) == 0))) {
				lit = false;
				len = 3;
			}
			if (lit) {
				buf_putc(out, (char)c);
			} else {
				char e[3] = { '=', hexdig[c >> 4], hexdig[c & 15] };
				buf_add(out, e, 3);
			}
			col += len;
		}
		s += n;
		if (*s == '\0')
			break;
		s += (s[0] == '\r' && s[1] == '\n') ? 2 : 1;
		buf_puts(out, "\r\n");
		col = 0;
	}
}

static void part_headers(struct buf *out, const char *type)
{
	buf_printf(out, "Content-Type: %s; charset=UTF-8\r\n", type);
	buf_puts(out, "Content-Transfer-Encoding: quoted-printable\r\n");
}

/* ---- the message ------------------------------------------------------ */

int mail_message_write(struct buf *out, const struct mail_message *m, char *ret_message_id, size_t idlen)
{
	size_t start = out->len;
	int rc = validate(m);
	if (rc)
		return rc;

	const char *domain = m->message_id_domain ? m->message_id_domain : strchr(m->from.addr, '@') + 1;
	char rnd[65];
	random_hex(rnd, 16);
	char msgid[MAIL_MESSAGE_ID_MAX];
	snprintf(msgid, sizeof(msgid), "<%s@%s>", rnd, domain);
	if (ret_message_id) {
		if (strlen(msgid) >= idlen)
			return DP_ETOOBIG;
		memcpy(ret_message_id, msgid, strlen(msgid) + 1);
	}

	/* "=_" can never occur in quoted-printable output ('=' is followed by hex
	 * digits or a line break), so the boundary cannot collide with a body. */
	char boundary[80];
	random_hex(rnd, 16);
	snprintf(boundary, sizeof(boundary), "=_dp_%s", rnd);

	hdr_date(out, m->date);
	hdr_mailbox(out, "From", &m->from);
	hdr_mailbox(out, "To", &m->to);
	if (m->reply_to)
		hdr_mailbox(out, "Reply-To", m->reply_to);
	hdr_subject(out, m->subject);
	buf_printf(out, "Message-ID: %s\r\n", msgid);
	buf_puts(out, "MIME-Version: 1.0\r\n");

	if (m->list_id) {
		size_t dl, il;
		const char *id;
		list_id_split(m->list_id, &dl, &id, &il);
		struct hdr h;
		hdr_begin(&h, out, "List-Id");
		if (dl > 0) {
			char desc[MAIL_NAME_MAX + 1];
			memcpy(desc, m->list_id, dl);
			desc[dl] = '\0';
			hdr_phrase(&h, desc);
		}
		char tok[260];
		int n = snprintf(tok, sizeof(tok), "<%.*s>", (int)il, id);
		hdr_token(&h, tok, (size_t)n, true);
		hdr_end(&h);
	}
	if (m->unsubscribe_url || m->unsubscribe_mailto) {
		/* RFC 8058: the web URL first; the mailto is a fallback. */
		struct hdr h;
		hdr_begin(&h, out, "List-Unsubscribe");
		if (m->unsubscribe_url) {
			char tok[MAIL_URL_MAX + 3];
			int n = snprintf(tok, sizeof(tok), "<%s>%s", m->unsubscribe_url, m->unsubscribe_mailto ? "," : "");
			hdr_token(&h, tok, (size_t)n, true);
		}
		if (m->unsubscribe_mailto) {
			char tok[MAIL_URL_MAX + 10];
			bool bare = strncasecmp(m->unsubscribe_mailto, "mailto:", 7) != 0;
			int n = snprintf(tok, sizeof(tok), "<%s%s>", bare ? "mailto:" : "", m->unsubscribe_mailto);
			hdr_token(&h, tok, (size_t)n, true);
		}
		hdr_end(&h);
		if (m->unsubscribe_url && https_url(m->unsubscribe_url))
			buf_puts(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	}

	if (m->html) {
		buf_printf(out, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n", boundary);
		buf_puts(out, "This is a multi-part message in MIME format.\r\n");
		buf_printf(out, "\r\n--%s\r\n", boundary);
		part_headers(out, "text/plain");
		buf_puts(out, "\r\n");
		qp_body(out, m->text);
		buf_printf(out, "\r\n--%s\r\n", boundary);
		part_headers(out, "text/html");
		buf_puts(out, "\r\n");
		qp_body(out, m->html);
		buf_printf(out, "\r\n--%s--\r\n", boundary);
	} else {
		part_headers(out, "text/plain");
		buf_puts(out, "\r\n");
		qp_body(out, m->text);
		if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
			buf_puts(out, "\r\n");
	}

	rc = buf_error(out);
	if (rc && out->data && start <= out->len) {
		out->len = start;
		out->data[start] = '\0';
	}
	return rc;
}
