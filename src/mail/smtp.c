/* smtp.c — one message to the relay through libcurl (smtp.h).
 * RFCs: 5321, 3207, 8314, 4954. */
#include "mail/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"

struct smtp {
	CURL *curl;
	struct smtp_config cfg;
	char last[SMTP_ANSWER_MAX]; /* the last reply line the relay sent */
	char errbuf[CURL_ERROR_SIZE];
};

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, n = u->len - u->pos;
	if (n > room)
		n = room;
	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* Keeps the last line the relay sent (CURLINFO_HEADER_IN carries SMTP
 * replies), so errors and `mail test` can show the relay's own words. */
static int debug_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
	struct smtp *s = arg;
	(void)c;
	if (type != CURLINFO_HEADER_IN || !size)
		return 0;
	while (size && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	/* 221 answers the QUIT libcurl sends after a failure: the reply that
	 * matters came before it. */
	if (size >= 3 && memcmp(data, "221", 3) == 0)
		return 0;
	/* A multi-line reply arrives a line at a time; keep the last. */
	size_t n = size < sizeof s->last - 1 ? size : sizeof s->last - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)data[i];
		s->last[i] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
	}
	s->last[n] = '\0';
	return 0;
}

int smtp_new(const struct smtp_config *cfg, struct smtp **ret)
{
	struct smtp *s;
	if (!cfg || !ret || !cfg->url || !*cfg->url || !cfg->mail_from || !*cfg->mail_from)
		return DP_EINVAL;
	*ret = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return DP_ENOMEM;
	s->cfg = *cfg;
	if (!(s->curl = curl_easy_init())) {
		free(s);
		return DP_ENOMEM;
	}
	*ret = s;
	return DP_OK;
}

void smtp_free(struct smtp *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	free(s);
}

int smtp_envelope_address(const char *from, char *out, size_t outlen)
{
	const char *a, *b;
	if (!from || !out || !outlen)
		return DP_EINVAL;
	if ((a = strrchr(from, '<'))) {
		a++;
		if (!(b = strchr(a, '>')))
			return DP_EINVAL;
	} else {
		a = from;
		while (*a == ' ')
			a++;
		b = a + strlen(a);
		while (b > a && b[-1] == ' ')
			b--;
	}
	size_t n = (size_t)(b - a);
	if (!n || !memchr(a, '@', n))
		return DP_EINVAL;
	if (n >= outlen)
		return DP_ETOOBIG;
	memcpy(out, a, n);
	out[n] = '\0';
	return DP_OK;
}

/* The outcome of a finished transfer. A reply code decides when there is
 * one: 5xx permanent, anything else temporary. AUTH refused (535) is a
 * configuration fault, not the message's: temporary, so nothing is lost
 * while the password is fixed. */
static enum smtp_outcome classify(CURLcode res, long code)
{
	if (res == CURLE_OK)
		return SMTP_SENT;
	if (res == CURLE_LOGIN_DENIED)
		return SMTP_TEMPORARY;
	if (code >= 500 && code <= 599)
		return SMTP_PERMANENT;
	return SMTP_TEMPORARY;
}

int smtp_send(struct smtp *s, const char *rcpt, const char *message, size_t len,
	      struct smtp_result *ret)
{
	struct upload u = { message, len, 0 };
	struct curl_slist *rcpts = NULL;
	char from[330];
	CURL *c;
	CURLcode res;
	long code = 0;

	if (!s || !rcpt || !*rcpt || !message || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if (smtp_envelope_address(s->cfg.mail_from, from + 1, sizeof from - 2))
		return DP_EINVAL;
	/* libcurl puts MAIL FROM in angle brackets itself only when missing. */
	from[0] = '<';
	strcat(from, ">");
	if (!(rcpts = curl_slist_append(NULL, rcpt)))
		return DP_ENOMEM;

	c = s->curl;
	s->last[0] = '\0';
	s->errbuf[0] = '\0';
	/* Options are set again for each message: curl_easy_reset() is not
	 * used, as it would not keep the connection, but set options stay. */
	curl_easy_setopt(c, CURLOPT_URL, s->cfg.url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	if (s->cfg.user && *s->cfg.user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->cfg.user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->cfg.password ? s->cfg.password : "");
	}
	/* smtp://: STARTTLS when the relay offers it; smtps:// is TLS from the
	 * first byte whatever this says. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* threads */
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L); /* for debug_cb; it prints nothing */

	res = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpts);

	ret->outcome = classify(res, code);
	ret->code = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ? 0 : code;
	if (res == CURLE_OK || (ret->code && s->last[0]))
		snprintf(ret->answer, sizeof ret->answer, "%s", s->last);
	else if (res == CURLE_LOGIN_DENIED)
		snprintf(ret->answer, sizeof ret->answer, "login refused%s%.400s",
			 s->last[0] ? ": " : "", s->last);
	else
		snprintf(ret->answer, sizeof ret->answer, "%s",
			 s->errbuf[0] ? s->errbuf : curl_easy_strerror(res));
	return DP_OK;
}
