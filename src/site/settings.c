/* settings.c — the table of site settings and in-place edits of DIR/site.json. */
#include "site/settings.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/utf8.h"

#define LIST_MAX_ENTRIES 10000

/* Sorted by key: `config list` and `config --help` print it in this order. */
static const struct setting table[] = {
	{ "allow_html", SETTING_BOOL, "false", 0, 0, NULL, false, false,
	  "keep raw HTML in Markdown articles" },
	{ "auto_spam_score", SETTING_FLOAT, "0.95", 0, 1, NULL, false, false,
	  "a spam verdict at least this sure (0..1) skips the moderation queue" },
	{ "base_url", SETTING_URL, "http://127.0.0.1:8080", 1, 200, "http|https", false, false,
	  "where readers reach the site (http:// or https://)" },
	{ "blocklist", SETTING_LIST, "", 0, 200, NULL, false, false,
	  "words, addresses and e-mail domains that mark a comment as spam" },
	{ "comment_min_seconds", SETTING_INT, "3", 0, 3600, NULL, false, false,
	  "a comment form sent back faster than this is filed as spam" },
	{ "comment_policy", SETTING_STRING, "", 0, 2000, NULL, false, false,
	  "text above the comment form (empty: the theme's text)" },
	{ "comment_rate_per_minute", SETTING_INT, "5", 1, 1000000, NULL, false, false,
	  "comments accepted per client address per minute" },
	{ "comments_open", SETTING_BOOL, "true", 0, 0, NULL, false, false,
	  "readers may comment" },
	{ "description", SETTING_STRING, "", 0, 300, NULL, false, false,
	  "one line about the site, for feeds and search engines" },
	{ "feed_items", SETTING_INT, "20", 1, 200, NULL, false, false,
	  "items per feed" },
	{ "lang", SETTING_STRING, "de", 0, 0, "de|en", false, false,
	  "language of the interface and dates (de or en)" },
	{ "mail.connections", SETTING_INT, "4", 1, 64, NULL, false, false,
	  "SMTP connections used at once" },
	{ "mail.digest_hour", SETTING_INT, "7", 0, 23, NULL, false, false,
	  "hour of the day (site time zone) daily and weekly digests go out" },
	{ "mail.digest_weekday", SETTING_INT, "1", 1, 7, NULL, false, false,
	  "day of the weekly digest: 1 = Monday ... 7 = Sunday" },
	{ "mail.dkim_domain", SETTING_STRING, "", 0, 253, NULL, false, false,
	  "sign outgoing mail with DKIM for this domain (empty: no signing)" },
	{ "mail.dkim_key", SETTING_STRING, "", 0, 4096, NULL, false, false,
	  "DKIM private key: a PEM file, relative to the site's folder or absolute" },
	{ "mail.dkim_selector", SETTING_STRING, "", 0, 63, NULL, false, false,
	  "DKIM selector: the DNS record is SELECTOR._domainkey.DOMAIN" },
	{ "mail.from", SETTING_EMAIL, "", 3, 320, NULL, false, false,
	  "sender of outgoing mail: addr@domain or \"Name <addr@domain>\"" },
	{ "mail.moderation_minutes", SETTING_INT, "15", 0, 10080, NULL, false, false,
	  "mail moderators about new pending comments at most this often (0: never)" },
	{ "mail.rate", SETTING_INT, "50", 1, 10000, NULL, false, false,
	  "messages sent per second at most" },
	{ "mail.reply_to", SETTING_EMAIL, "", 3, 320, NULL, false, false,
	  "Reply-To of outgoing mail (empty: none)" },
	{ "mail.subscribe_open", SETTING_BOOL, "true", 0, 0, NULL, false, false,
	  "readers may sign up for the newsletter and topic alerts" },
	{ "per_page", SETTING_INT, "10", 1, 100, NULL, false, false,
	  "articles per list page" },
	{ "search_rate_per_minute", SETTING_INT, "120", 1, 1000000000, NULL, false, false,
	  "searches accepted per client address per minute (bursts of a sixth)" },
	{ "smtp.password", SETTING_STRING, "", 0, 1000, NULL, true, false,
	  "password for the SMTP server (secret)" },
	{ "smtp.url", SETTING_URL, "", 1, 500, "smtp|smtps", false, false,
	  "the mail server: smtp://host[:port] (STARTTLS) or smtps://host[:port]" },
	{ "smtp.user", SETTING_STRING, "", 0, 320, NULL, false, false,
	  "user name for the SMTP server (empty: no login)" },
	{ "theme_dir", SETTING_STRING, "", 0, 4096, NULL, false, false,
	  "folder of a custom theme (empty: the built-in theme)" },
	{ "timezone", SETTING_STRING, "Europe/Berlin", 1, 100, NULL, false, true,
	  "IANA time zone for dates shown to readers" },
	{ "title", SETTING_STRING, "Depesche", 1, 120, NULL, false, false,
	  "the site's name" },
};

#define NTABLE (sizeof table / sizeof table[0])

const struct setting *settings_table(size_t *ret_n)
{
	*ret_n = NTABLE;
	return table;
}

const struct setting *settings_find(const char *key)
{
	for (size_t i = 0; i < NTABLE; i++)
		if (strcmp(table[i].key, key) == 0)
			return &table[i];
	return NULL;
}

const char *settings_type_name(enum setting_type t)
{
	static const char *const names[SETTING__MAX] = {
		[SETTING_STRING] = "string", [SETTING_INT] = "int", [SETTING_BOOL] = "bool",
		[SETTING_FLOAT] = "float", [SETTING_URL] = "url", [SETTING_EMAIL] = "email",
		[SETTING_LIST] = "list",
	};
	return (unsigned)t < SETTING__MAX ? names[t] : "?";
}

/* Edit distance, case-insensitive; keys are short, so O(n*m) on the stack. */
static size_t distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 64 || m > 64)
		return 99;
	size_t row[65];
	for (size_t j = 0; j <= m; j++)
		row[j] = j;
	for (size_t i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[m];
}

size_t settings_suggest(const char *key, const char **ret, size_t max)
{
	size_t n = 0, len = strlen(key);
	for (size_t i = 0; i < NTABLE && n < max; i++) {
		size_t d = distance(key, table[i].key);
		if (d <= 2 || d <= len / 3 || (len >= 3 && strcasestr(table[i].key, key)))
			ret[n++] = table[i].key;
	}
	return n;
}

/* ---- validation ---------------------------------------------------------- */

static int bad(char *err, size_t errlen, const char *fmt, const char *key, const char *more)
{
	snprintf(err, errlen, fmt, key, more);
	return DP_EINVAL;
}

static int check_text(const struct setting *s, const char *v, char *err, size_t errlen)
{
	char lim[64];
	if (!utf8_valid(v, strlen(v)))
		return bad(err, errlen, "%s: not valid UTF-8%s", s->key, "");
	if (utf8_has_control(v, ""))
		return bad(err, errlen, "%s: must not contain control characters (line breaks, tabs)%s",
			   s->key, "");
	size_t n = utf8_len(v);
	if (s->min >= 1 && n < (size_t)s->min)
		return bad(err, errlen, s->min == 1 ? "%s: must not be empty%s"
					     : "%s: is too short%s", s->key, "");
	if (s->max > 0 && n > (size_t)s->max) {
		snprintf(lim, sizeof lim, "%.0f", s->max);
		return bad(err, errlen, "%s: longer than %s characters", s->key, lim);
	}
	return DP_OK;
}

static bool in_choices(const char *choices, const char *v, size_t vlen, bool nocase)
{
	const char *p = choices;
	while (*p) {
		size_t n = strcspn(p, "|");
		if (n == vlen && (nocase ? strncasecmp(p, v, n) : strncmp(p, v, n)) == 0)
			return true;
		p += n;
		if (*p == '|')
			p++;
	}
	return false;
}

static int check_zone(const struct setting *s, const char *v, char *err, size_t errlen)
{
	const char *msg = "%s: not a time zone name like Europe/Berlin or UTC%s";
	if (!*v || *v == '/' || strstr(v, ".."))
		return bad(err, errlen, msg, s->key, "");
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return bad(err, errlen, msg, s->key, "");
	/* Where the system has a zone database, the zone must be in it. */
	struct stat st;
	if (stat("/usr/share/zoneinfo", &st) == 0) {
		char path[256];
		snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", v);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			return bad(err, errlen, "%s: unknown time zone (see /usr/share/zoneinfo)%s",
				   s->key, "");
	}
	return DP_OK;
}

static bool host_ok(const char *h, size_t n)
{
	if (!n)
		return false;
	if (h[0] == '[') /* an IPv6 literal */
		return n > 2 && h[n - 1] == ']' && strspn(h + 1, "0123456789abcdefABCDEF:.") == n - 2;
	if (h[0] == '.' || h[0] == '-' || h[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-')
			return false;
	return true;
}

static int check_url(const struct setting *s, const char *v, char *err, size_t errlen)
{
	char schemes[64];
	snprintf(schemes, sizeof schemes, "%s", s->choices);
	for (char *p = schemes; *p; p++)
		if (*p == '|')
			*p = '/';
	const char *colon = strstr(v, "://");
	if (!colon || !in_choices(s->choices, v, (size_t)(colon - v), true))
		return bad(err, errlen, "%s: must be a URL starting with %s://", s->key, schemes);
	if (strpbrk(v, " \"'<>\\`{}|^"))
		return bad(err, errlen, "%s: must not contain spaces, quotes or %s", s->key, "<>\\`{}|^");
	const char *auth = colon + 3;
	size_t alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen))
		return bad(err, errlen, "%s: must not hold a user name or password; "
			   "use smtp.user and smtp.password%s", s->key, "");
	/* host[:port]; a port is 1..65535 */
	size_t hlen = alen;
	const char *close = auth[0] == '[' ? memchr(auth, ']', alen) : NULL;
	const char *pc = close ? (close + 1 < auth + alen && close[1] == ':' ? close + 1 : NULL)
			       : memchr(auth, ':', alen);
	if (pc) {
		hlen = (size_t)(pc - auth);
		size_t plen = alen - hlen - 1;
		char port[8];
		if (plen == 0 || plen > 5 || strspn(pc + 1, "0123456789") < plen)
			return bad(err, errlen, "%s: the port must be a number from 1 to 65535%s",
				   s->key, "");
		memcpy(port, pc + 1, plen);
		port[plen] = '\0';
		long p = strtol(port, NULL, 10);
		if (p < 1 || p > 65535)
			return bad(err, errlen, "%s: the port must be a number from 1 to 65535%s",
				   s->key, "");
	}
	if (!host_ok(auth, hlen))
		return bad(err, errlen, "%s: the URL needs a valid host name%s", s->key, "");
	return DP_OK;
}

/* addr@domain, ASCII; the domain has letters, digits, dots and dashes. */
static bool addr_ok(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);
	if (!at || at == a)
		return false;
	size_t llen = (size_t)(at - a), dlen = n - llen - 1;
	if (llen > 64 || dlen == 0 || dlen > 253)
		return false;
	for (size_t i = 0; i < llen; i++) {
		unsigned char c = (unsigned char)a[i];
		if (c <= ' ' || c >= 0x7f || strchr("<>()[]\\,;:\"@", c))
			return false;
	}
	const char *d = at + 1;
	if (d[0] == '.' || d[0] == '-' || d[dlen - 1] == '.' || d[dlen - 1] == '-')
		return false;
	for (size_t i = 0; i < dlen; i++) {
		if (!isalnum((unsigned char)d[i]) && d[i] != '.' && d[i] != '-')
			return false;
		if (d[i] == '.' && i + 1 < dlen && d[i + 1] == '.')
			return false;
	}
	return true;
}

static int check_email(const struct setting *s, const char *v, char *err, size_t errlen)
{
	const char *msg = "%s: must be an address like news@example.org or "
			  "\"Name <news@example.org>\"%s";
	size_t n = strlen(v);
	const char *lt = strchr(v, '<');
	if (!lt)
		return addr_ok(v, n) ? DP_OK : bad(err, errlen, msg, s->key, "");
	if (n < 2 || v[n - 1] != '>' || strchr(lt + 1, '<') || memchr(v, '>', n - 1))
		return bad(err, errlen, msg, s->key, "");
	if (!addr_ok(lt + 1, (size_t)(v + n - 1 - (lt + 1))))
		return bad(err, errlen, msg, s->key, "");
	return DP_OK;
}

static int parse_list(const struct setting *s, const char *v, json_t **ret, char *err,
		      size_t errlen)
{
	json_t *a = json_array();
	char *copy = strdup(v);
	int rc = DP_ENOMEM;
	if (!a || !copy)
		goto out;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		size_t n = strlen(tok);
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (!n)
			continue;
		rc = check_text(s, tok, err, errlen);
		if (rc)
			goto out;
		rc = DP_EINVAL;
		if (json_array_size(a) >= LIST_MAX_ENTRIES) {
			snprintf(err, errlen, "%s: more than %d entries", s->key, LIST_MAX_ENTRIES);
			goto out;
		}
		rc = DP_ENOMEM;
		if (json_array_append_new(a, json_string(tok)))
			goto out;
	}
	*ret = a;
	a = NULL;
	rc = DP_OK;
out:
	json_decref(a);
	free(copy);
	return rc;
}

int settings_parse(const struct setting *s, const char *value, json_t **ret, char *err,
		   size_t errlen)
{
	char *end = NULL;
	int rc;
	*ret = NULL;
	switch (s->type) {
	case SETTING_STRING:
		rc = check_text(s, value, err, errlen);
		if (rc)
			return rc;
		if (s->choices && !in_choices(s->choices, value, strlen(value), false)) {
			char c[64];
			snprintf(c, sizeof c, "%s", s->choices);
			for (char *p = c; *p; p++)
				if (*p == '|')
					*p = ' ';
			return bad(err, errlen, "%s: must be one of: %s", s->key, c);
		}
		if (s->zone && (rc = check_zone(s, value, err, errlen)))
			return rc;
		*ret = json_string(value);
		break;
	case SETTING_INT: {
		char lim[80];
		snprintf(lim, sizeof lim, "%.0f to %.0f", s->min, s->max);
		if (!*value || !(isdigit((unsigned char)*value) || *value == '-' || *value == '+'))
			return bad(err, errlen, "%s: must be a whole number from %s", s->key, lim);
		errno = 0;
		long long i = strtoll(value, &end, 10);
		if (errno || *end || i < (long long)s->min || i > (long long)s->max)
			return bad(err, errlen, "%s: must be a whole number from %s", s->key, lim);
		*ret = json_integer(i);
		break;
	}
	case SETTING_FLOAT: {
		char lim[80];
		snprintf(lim, sizeof lim, "%g to %g", s->min, s->max);
		if (!*value || strspn(value, "0123456789.eE+-") != strlen(value))
			return bad(err, errlen, "%s: must be a number from %s", s->key, lim);
		errno = 0;
		double d = strtod(value, &end);
		if (errno || *end || !isfinite(d) || d < s->min || d > s->max)
			return bad(err, errlen, "%s: must be a number from %s", s->key, lim);
		*ret = json_real(d);
		break;
	}
	case SETTING_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1"))
			*ret = json_true();
		else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
			 !strcasecmp(value, "off") || !strcmp(value, "0"))
			*ret = json_false();
		else
			return bad(err, errlen, "%s: must be true or false%s", s->key, "");
		break;
	case SETTING_URL:
	case SETTING_EMAIL:
		rc = check_text(s, value, err, errlen);
		if (rc)
			return rc;
		rc = s->type == SETTING_URL ? check_url(s, value, err, errlen)
					    : check_email(s, value, err, errlen);
		if (rc)
			return rc;
		*ret = json_string(value);
		break;
	case SETTING_LIST:
		return parse_list(s, value, ret, err, errlen);
	default:
		return bad(err, errlen, "%s: unknown type%s", s->key, "");
	}
	return *ret ? DP_OK : DP_ENOMEM;
}

/* ---- reading ------------------------------------------------------------- */

json_t *settings_lookup(json_t *doc, const char *key)
{
	const char *p = key;
	json_t *o = doc;
	for (;;) {
		size_t n = strcspn(p, ".");
		char part[128];
		if (!json_is_object(o) || n >= sizeof part)
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		o = json_object_get(o, part);
		if (!p[n] || !o)
			return o;
		p += n + 1;
	}
}

json_t *settings_json(const struct setting *s, json_t *doc)
{
	json_t *v = settings_lookup(doc, s->key);
	if (v && !json_is_null(v))
		return json_incref(v);
	switch (s->type) {
	case SETTING_INT: return json_integer(strtoll(s->def, NULL, 10));
	case SETTING_FLOAT: return json_real(strtod(s->def, NULL));
	case SETTING_BOOL: return json_boolean(strcmp(s->def, "true") == 0);
	case SETTING_LIST: return json_array();
	default: return json_string(s->def);
	}
}

/* The shortest decimal that reads back as the same double. */
static char *format_real(double d)
{
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return strdup(buf);
}

char *settings_format(const struct setting *s, json_t *doc)
{
	json_t *v = settings_json(s, doc);
	char *out = NULL;
	if (!v)
		return NULL;
	if (json_is_string(v)) {
		out = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		if (asprintf(&out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			out = NULL;
	} else if (json_is_real(v)) {
		out = format_real(json_real_value(v));
	} else if (json_is_boolean(v)) {
		out = strdup(json_is_true(v) ? "true" : "false");
	} else if (json_is_array(v)) {
		size_t len = 1, i;
		json_t *e;
		json_array_foreach(v, i, e)
			len += (json_is_string(e) ? json_string_length(e) : 0) + 2;
		out = calloc(1, len);
		json_array_foreach(v, i, e) {
			if (!out || !json_is_string(e))
				continue;
			if (*out)
				strcat(out, ", ");
			strcat(out, json_string_value(e));
		}
	} else {
		out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	}
	json_decref(v);
	return out;
}

static char *site_path(const char *dir)
{
	char *p = NULL;
	return asprintf(&p, "%s/site.json", dir) < 0 ? NULL : p;
}

int settings_read(const char *dir, json_t **ret, char *err, size_t errlen)
{
	json_error_t jerr;
	char *path = site_path(dir);
	*ret = NULL;
	if (!path)
		return DP_ENOMEM;
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "no site in %s (run 'depesche init' first)", dir);
		free(path);
		return DP_ENOTFOUND;
	}
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		snprintf(err, errlen, "%s:%d: %s", path, o ? 1 : jerr.line,
			 o ? "not a JSON object" : jerr.text);
		json_decref(o);
		free(path);
		return DP_EPARSE;
	}
	free(path);
	*ret = o;
	return DP_OK;
}

/* ---- writing ------------------------------------------------------------- */

static bool holds_secret(json_t *doc)
{
	for (size_t i = 0; i < NTABLE; i++) {
		json_t *v = table[i].secret ? settings_lookup(doc, table[i].key) : NULL;
		if (v && !json_is_null(v) && !(json_is_string(v) && !json_string_length(v)))
			return true;
	}
	return false;
}

/* Writes doc to DIR/site.json through a temp file in the same folder, so a
 * reader sees the old file or the new one, never half of one. Keeps the
 * file's mode, tightened to 0600 when a secret is stored. */
static int write_doc(const char *dir, json_t *doc, char *err, size_t errlen)
{
	int rc = DP_ENOMEM, fd = -1;
	char *path = site_path(dir), *tmp = NULL, *text = NULL;
	struct stat st;
	mode_t mode = 0644;
	if (!path || asprintf(&tmp, "%s/.site.json.XXXXXX", dir) < 0) {
		tmp = NULL;
		goto out;
	}
	/* 15 digits (DBL_DIG): 0.95 is written as 0.95, not 0.94999999999999996. */
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!text)
		goto out;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 0777;
	if (holds_secret(doc))
		mode = 0600;
	rc = DP_EIO;
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write in %s: %s", dir, strerror(errno));
		goto out;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (write(fd, "\n", 1) != 1 || fchmod(fd, mode) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	rc = DP_OK;
	goto out;
fail:
	snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(path);
	free(tmp);
	free(text);
	return rc;
}

/* Puts v (reference stolen) at the dotted key, making the objects between. */
static int put_path(json_t *doc, const char *key, json_t *v, char *err, size_t errlen)
{
	json_t *o = doc;
	const char *p = key;
	char part[128];
	for (;;) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof part)
			break;
		memcpy(part, p, n);
		part[n] = '\0';
		if (!p[n])
			return json_object_set_new(o, part, v) ? DP_ENOMEM : DP_OK;
		json_t *next = json_object_get(o, part);
		if (!next) {
			next = json_object();
			if (!next || json_object_set_new(o, part, next))
				break;
		} else if (!json_is_object(next)) {
			snprintf(err, errlen, "site.json: \"%s\" is not an object; cannot store %s",
				 part, key);
			json_decref(v);
			return DP_EPARSE;
		}
		o = next;
		p += n + 1;
	}
	json_decref(v);
	return DP_ENOMEM;
}

/* Removes the dotted key from o and the objects it leaves empty; true when
 * anything was removed. */
static bool del_path(json_t *o, const char *key)
{
	size_t n = strcspn(key, ".");
	char part[128];
	if (!json_is_object(o) || n >= sizeof part)
		return false;
	memcpy(part, key, n);
	part[n] = '\0';
	json_t *child = json_object_get(o, part);
	if (!child)
		return false;
	if (!key[n])
		return json_object_del(o, part) == 0;
	if (!del_path(child, key + n + 1))
		return false;
	if (json_is_object(child) && json_object_size(child) == 0)
		json_object_del(o, part);
	return true;
}

int settings_set(const char *dir, const char *key, const char *value, char *err, size_t errlen)
{
	const struct setting *s = settings_find(key);
	json_t *doc = NULL, *v = NULL;
	int rc;
	if (!s) {
		snprintf(err, errlen, "unknown setting");
		return DP_ENOTFOUND;
	}
	rc = settings_parse(s, value, &v, err, errlen);
	if (rc)
		return rc;
	rc = settings_read(dir, &doc, err, errlen);
	if (rc)
		goto out;
	rc = put_path(doc, key, v, err, errlen);
	v = NULL;
	if (rc)
		goto out;
	rc = write_doc(dir, doc, err, errlen);
out:
	json_decref(v);
	json_decref(doc);
	return rc;
}

int settings_unset(const char *dir, const char *key, char *err, size_t errlen)
{
	json_t *doc = NULL;
	int rc;
	if (!settings_find(key)) {
		snprintf(err, errlen, "unknown setting");
		return DP_ENOTFOUND;
	}
	rc = settings_read(dir, &doc, err, errlen);
	if (rc)
		return rc;
	if (del_path(doc, key))
		rc = write_doc(dir, doc, err, errlen);
	json_decref(doc);
	return rc;
}
