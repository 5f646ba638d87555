/* dkim.c — DKIM signing through libopendkim (dkim.h). */
#include "mail/dkim.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opendkim/dkim.h>

#include "site/settings.h"
#include "util/err.h"

/* Headers signed, in this order; RFC 6376 5.4.1 recommends these, RFC 8058
 * section 4 requires the two List-Unsubscribe headers. */
static const char *const signed_headers[] = {
	"from", "to", "cc", "subject", "date", "message-id", "reply-to", "in-reply-to",
	"references", "mime-version", "content-type", "content-transfer-encoding", "list-id",
	"list-unsubscribe", "list-unsubscribe-post", NULL
};
/* Signed once more than they occur, so a copy added in transit breaks the
 * signature (RFC 6376 8.15). */
static const char *const oversigned_headers[] = {
	"from", "subject", "list-id", "list-unsubscribe", "list-unsubscribe-post", NULL
};

struct dkim_signer {
	DKIM_LIB *lib;
	unsigned char *key;      /* PEM, NUL-terminated */
	char domain[254];
	char selector[64];
	unsigned long serial;    /* an id per message, for libopendkim's own logs */
};

void dkim_signer_free(struct dkim_signer *s)
{
	if (!s)
		return;
	if (s->lib)
		dkim_close(s->lib);
	if (s->key) {
		memset(s->key, 0, strlen((char *)s->key));
		free(s->key);
	}
	free(s);
}

/* LDH labels separated by dots (a domain), or one label (a selector may
 * also hold dots: "2026.mail"). */
static int name_ok(const char *s, size_t max)
{
	size_t n = strlen(s), label = 0;
	if (n == 0 || n > max || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

int dkim_signer_new(const char *domain, const char *selector, const char *key_pem,
		    struct dkim_signer **ret, char *err, size_t errlen)
{
	*ret = NULL;
	if (!domain || !name_ok(domain, 253) || !strchr(domain, '.')) {
		snprintf(err, errlen, "mail.dkim_domain is not a domain name");
		return DP_EINVAL;
	}
	if (!selector || !name_ok(selector, 63)) {
		snprintf(err, errlen, "mail.dkim_selector is not a valid selector");
		return DP_EINVAL;
	}
	if (!key_pem || !strstr(key_pem, "-----BEGIN ") || !strstr(key_pem, "PRIVATE KEY-----")) {
		snprintf(err, errlen, "the DKIM key is not a PEM private key");
		return DP_EINVAL;
	}
	struct dkim_signer *s = calloc(1, sizeof *s);
	if (!s || !(s->key = (unsigned char *)strdup(key_pem)) || !(s->lib = dkim_init(NULL, NULL))) {
		dkim_signer_free(s);
		snprintf(err, errlen, "out of memory");
		return DP_ENOMEM;
	}
	snprintf(s->domain, sizeof s->domain, "%s", domain);
	snprintf(s->selector, sizeof s->selector, "%s", selector);
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
	if (dkim_options(s->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags, sizeof flags) != DKIM_STAT_OK ||
	    dkim_options(s->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS, (void *)signed_headers,
			 sizeof(char **)) != DKIM_STAT_OK ||
	    dkim_options(s->lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS, (void *)oversigned_headers,
			 sizeof(char **)) != DKIM_STAT_OK) {
		dkim_signer_free(s);
		snprintf(err, errlen, "libopendkim refused its options");
		return DP_EINVAL;
	}
	/* Sign a small message now, so a key that cannot sign is reported at
	 * start and not on the first newsletter. */
	static const char probe[] = "From: a@example.org\r\nSubject: probe\r\n\r\nprobe\r\n";
	struct buf out = BUF_INIT(0);
	int rc = dkim_signer_sign(s, probe, sizeof probe - 1, &out, err, errlen);
	buf_release(&out);
	if (rc) {
		dkim_signer_free(s);
		return rc;
	}
	*ret = s;
	return DP_OK;
}

int dkim_signer_sign(struct dkim_signer *s, const char *msg, size_t len, struct buf *out,
		     char *err, size_t errlen)
{
	static const char name[] = "DKIM-Signature: ";
	char id[32];
	DKIM_STAT st = DKIM_STAT_OK;
	snprintf(id, sizeof id, "depesche-%lu", ++s->serial);
	DKIM *d = dkim_sign(s->lib, (const unsigned char *)id, NULL, s->key,
			    (const unsigned char *)s->selector, (const unsigned char *)s->domain,
			    DKIM_CANON_RELAXED, DKIM_CANON_RELAXED, DKIM_SIGN_RSASHA256, -1, &st);
	unsigned char *hdr = NULL;
	size_t hlen = 0;
	if (d && st == DKIM_STAT_OK)
		st = dkim_chunk(d, (unsigned char *)msg, len);
	if (d && st == DKIM_STAT_OK)
		st = dkim_chunk(d, NULL, 0);
	if (d && st == DKIM_STAT_OK)
		st = dkim_eom(d, NULL);
	if (d && st == DKIM_STAT_OK)
		st = dkim_getsighdr_d(d, sizeof name - 1, &hdr, &hlen);
	if (!d || st != DKIM_STAT_OK) {
		const char *why = d ? dkim_geterror(d) : NULL;
		snprintf(err, errlen, "DKIM signing failed: %s", why && *why ? why : dkim_getresultstr(st));
		if (d)
			dkim_free(d);
		return DP_EINVAL;
	}
	size_t before = out->len;
	buf_add(out, name, sizeof name - 1);
	/* libopendkim folds with bare LF + tab; the message uses CRLF. */
	for (size_t i = 0; i < hlen; i++) {
		if (hdr[i] == '\n' && (i == 0 || hdr[i - 1] != '\r'))
			buf_putc(out, '\r');
		buf_putc(out, (char)hdr[i]);
	}
	buf_add(out, "\r\n", 2);
	buf_add(out, msg, len);
	dkim_free(d);
	int rc = buf_error(out);
	if (rc) {
		if (out->data) {
			out->len = before;
			out->data[before] = '\0';
		}
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

static char *setting(json_t *doc, const char *key)
{
	json_t *v = settings_lookup(doc, key);
	return strdup(json_is_string(v) ? json_string_value(v) : "");
}

static int read_key(const char *site_dir, const char *file, char **ret, char *err, size_t errlen)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s%s%s", file[0] == '/' ? "" : site_dir,
			     file[0] == '/' ? "" : "/", file) >= sizeof path) {
		snprintf(err, errlen, "mail.dkim_key: the path is too long");
		return DP_EINVAL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "mail.dkim_key: cannot read %s", path);
		return DP_EIO;
	}
	char *key = calloc(1, DKIM_KEY_MAX + 1);
	size_t n = key ? fread(key, 1, DKIM_KEY_MAX + 1, f) : 0;
	int bad = ferror(f);
	fclose(f);
	if (!key) {
		snprintf(err, errlen, "out of memory");
		return DP_ENOMEM;
	}
	if (bad || n > DKIM_KEY_MAX) {
		free(key);
		snprintf(err, errlen, "mail.dkim_key: %s is %s", path, bad ? "unreadable" : "too large");
		return DP_EIO;
	}
	*ret = key;
	return DP_OK;
}

int dkim_signer_load(const char *site_dir, struct dkim_signer **ret, char *err, size_t errlen)
{
	json_t *doc = NULL;
	char *domain = NULL, *selector = NULL, *file = NULL, *key = NULL;
	*ret = NULL;
	int rc = settings_read(site_dir, &doc, err, errlen);
	if (rc)
		return rc;
	domain = setting(doc, "mail.dkim_domain");
	selector = setting(doc, "mail.dkim_selector");
	file = setting(doc, "mail.dkim_key");
	json_decref(doc);
	if (!domain || !selector || !file) {
		rc = DP_ENOMEM;
		snprintf(err, errlen, "out of memory");
	} else if (!*domain && !*selector && !*file) {
		rc = DP_OK; /* not configured: mail leaves unsigned */
	} else if (!*domain || !*selector || !*file) {
		rc = DP_EINVAL;
		snprintf(err, errlen, "DKIM needs all of mail.dkim_domain, mail.dkim_selector and "
				      "mail.dkim_key (or none of them)");
	} else if (!(rc = read_key(site_dir, file, &key, err, errlen))) {
		rc = dkim_signer_new(domain, selector, key, ret, err, errlen);
	}
	if (key) {
		memset(key, 0, strlen(key));
		free(key);
	}
	free(domain);
	free(selector);
	free(file);
	return rc;
}
