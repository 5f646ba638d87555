/* compose_test.c — mail from the theme (compose.c) and signing up without
 * HTTP (subscribe.c), on a temporary site with the default theme
 * (DEPESCHE_THEME_DIR) and its own database: the headers a client reads,
 * RFC 2047 words, list headers only on list mail (one-click only for https),
 * HTML escaping of hostile values, the outbox, the consent wording and its
 * version, the flood limit and confirming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mail/message.h"
#include "newsletter/compose.h"
#include "newsletter/links.h"
#include "newsletter/subscribe.h"
#include "page/theme.h"
#include "site/site.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

#define NOW ((int64_t)1790000000)

static char tmpdir[] = "/tmp/compose_test.XXXXXX";
static int dbcount;

struct fixture {
	struct site site;
	struct theme *theme;
	struct store *store;
	struct mail_env env;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char path[4200], err[512] = "";
	if (!f)
		return -1;
	f->site = (struct site){
		.dir = tmpdir, .title = "Der Testbote", .description = "Nachrichten",
		.base_url = "https://news.example.org", .lang = "de", .theme_dir = "",
		.timezone = "UTC", .per_page = 10, .feed_items = 20, .comments_open = true,
		.comment_rate = 5, .comment_min_seconds = 3,
		.mail_from = "Redaktion Düsseldorf <news@example.org>",
		.mail_reply_to = "leserbriefe@example.org", .subscribe_open = true,
	};
	if (theme_load(NULL, "de", &f->theme, err, sizeof err)) {
		fprintf(stderr, "theme: %s\n", err);
		return -1;
	}
	snprintf(path, sizeof path, "%s/c%d.db", tmpdir, ++dbcount);
	if (store_open(path, STORE_CREATE, &f->store))
		return -1;
	f->env = (struct mail_env){ &f->site, f->theme, f->store, NOW };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->store);
	theme_free(f->theme);
	free(f);
	return 0;
}

/* ---- reading a message back ---- */

/* A header's value unfolded, without the leading space; malloc'd or NULL. */
static char *header(const char *msg, const char *name)
{
	size_t nl = strlen(name);
	const char *end = strstr(msg, "\r\n\r\n");
	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1, *q = v;
			while ((q = strstr(q, "\r\n")) && (q[2] == ' ' || q[2] == '\t'))
				q += 2;
			char *r = strndup(v, (size_t)(q - v)), *w = r;
			for (const char *c = r; *c; c++)
				if (*c != '\r' && *c != '\n')
					*w++ = *c;
			*w = '\0';
			return r[0] == ' ' ? memmove(r, r + 1, strlen(r)) : r;
		}
	}
	return NULL;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The body of the part with this Content-Type, quoted-printable decoded
 * (CRLF as LF); malloc'd or NULL. */
static char *part(const char *msg, const char *type)
{
	char want[64];
	snprintf(want, sizeof want, "Content-Type: %s;", type);
	const char *p = strstr(msg, want);
	if (!p || !(p = strstr(p, "\r\n\r\n")))
		return NULL;
	p += 4;
	const char *end = strstr(p, "\r\n--=_dp_");
	if (!end)
		end = p + strlen(p);
	char *out = malloc((size_t)(end - p) + 1), *w = out;
	while (p < end) {
		if (p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 3;
		} else if (p[0] == '=' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*w++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 3;
		} else if (p[0] == '\r' && p[1] == '\n') {
			*w++ = '\n';
			p += 2;
		} else {
			*w++ = *p++;
		}
	}
	*w = '\0';
	return out;
}

static void assert_header(const char *msg, const char *name, const char *want)
{
	char *v = header(msg, name);
	if (!want) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static json_t *confirm_ctx(const char *wording)
{
	return json_pack("{s:s, s:s, s:b, s:b, s:s, s:s}", "confirm_url",
			 "https://news.example.org/subscribe/confirm/?t=abc", "email",
			 "leserin@example.net", "newsletter", 1, "has_topics", 1, "topics_text",
			 "„Energie“", "wording", wording);
}

/* ---- compose ---- */

static void test_transactional_headers(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1u << 22);
	json_t *ctx = confirm_ctx("Ja, ich will.");
	struct mail_job job = { .kind = OUTBOX_CONFIRM, .template = "confirm",
				.subject = "Bitte bestätigen – Grüße aus Köln", .to = "leserin@example.net",
				.ctx = ctx };
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	const char *m = buf_cstr(&out);
	assert_header(m, "From", "=?UTF-8?Q?Redaktion_D=C3=BCsseldorf?= <news@example.org>");
	assert_header(m, "Reply-To", "leserbriefe@example.org");
	assert_header(m, "To", "leserin@example.net");
	assert_header(m, "Date", "Mon, 21 Sep 2026 14:13:20 +0000");
	assert_header(m, "List-Id", "Der Testbote <news.example.org>");
	assert_header(m, "List-Unsubscribe", NULL);
	assert_header(m, "List-Unsubscribe-Post", NULL);
	assert_header(m, "MIME-Version", "1.0");
	char *v = header(m, "Subject");
	assert_non_null(strstr(v, "=?UTF-8?Q?"));
	assert_null(strstr(v, "ä"));
	free(v);
	v = header(m, "Message-ID");
	assert_true(v[0] == '<' && strstr(v, "@example.org>") && v[strlen(v) - 1] == '>');
	free(v);
	v = header(m, "Content-Type");
	assert_non_null(strstr(v, "multipart/alternative"));
	free(v);
	for (const unsigned char *p = (const unsigned char *)m; *p; p++)
		assert_true(*p < 0x80); /* 7-bit on the wire */

	char *text = part(m, "text/plain"), *html = part(m, "text/html");
	assert_non_null(text);
	assert_non_null(html);
	assert_non_null(strstr(text, "https://news.example.org/subscribe/confirm/?t=abc"));
	assert_non_null(strstr(text, "„Energie“"));
	assert_non_null(strstr(text, "Ja, ich will."));
	assert_non_null(strstr(text, "\n-- \n")); /* the footer */
	assert_non_null(strstr(html, "<html lang=\"de\">"));
	assert_non_null(strstr(html, "href=\"https://news.example.org/subscribe/confirm/?t=abc\""));
	assert_non_null(strstr(html, "max-width:600px"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "src=\"http")); /* no external resources */
	/* transactional: no preferences or unsubscribe links */
	assert_null(strstr(html, "/unsubscribe/"));
	assert_null(strstr(text, "/unsubscribe/"));
	free(text);
	free(html);
	json_decref(ctx);
	buf_release(&out);
}

static void test_list_mail_headers(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1u << 22);
	char key[SUB_KEY_LEN + 1];
	memset(key, 'a', SUB_KEY_LEN);
	key[SUB_KEY_LEN] = '\0';
	char *topics[] = { "energie" };
	struct subscriber sub = { .id = 7, .email = "abo@example.net", .status = SUB_CONFIRMED,
				  .topics = topics, .ntopics = 1, .key = key };
	json_t *ctx = confirm_ctx("w");
	struct mail_job job = { .kind = OUTBOX_ALERT, .template = "confirm", .subject = "Neu",
				.to = sub.email, .ctx = ctx, .sub = &sub };
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	const char *m = buf_cstr(&out);
	char want[300];
	snprintf(want, sizeof want, "<https://news.example.org/unsubscribe/?k=%s>", key);
	assert_header(m, "List-Unsubscribe", want);
	assert_header(m, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
	assert_header(m, "Subject", "Neu");
	char *text = part(m, "text/plain"), *html = part(m, "text/html");
	snprintf(want, sizeof want, "https://news.example.org/subscribe/preferences/?k=%s", key);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(html, want));
	snprintf(want, sizeof want, "https://news.example.org/unsubscribe/?k=%s", key);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(text, "abo@example.net"));
	free(text);
	free(html);

	/* a site on plain http: the link, but no one-click promise */
	f->site.base_url = "http://127.0.0.1:8080";
	buf_reset(&out);
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	snprintf(want, sizeof want, "<http://127.0.0.1:8080/unsubscribe/?k=%s>", key);
	assert_header(buf_cstr(&out), "List-Unsubscribe", want);
	assert_header(buf_cstr(&out), "List-Unsubscribe-Post", NULL);
	assert_header(buf_cstr(&out), "List-Id", "Der Testbote <127.0.0.1>");
	/* a host without a dot: the sender's domain names the list */
	f->site.base_url = "http://localhost:8080";
	f->site.title = "Nachrichten <aus> Köln";
	buf_reset(&out);
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	assert_header(buf_cstr(&out), "List-Id",
		      "=?UTF-8?Q?Nachrichten_aus_K=C3=B6ln?= <example.org>");
	f->site.base_url = "https://news.example.org";
	f->site.title = "Der Testbote";

	char *u = mail_preferences_url(&f->site, &sub);
	snprintf(want, sizeof want, "https://news.example.org/subscribe/preferences/?k=%s", key);
	assert_string_equal(u, want);
	free(u);
	u = mail_unsubscribe_url(&f->site, &sub);
	snprintf(want, sizeof want, "https://news.example.org/unsubscribe/?k=%s", key);
	assert_string_equal(u, want);
	free(u);
	json_decref(ctx);
	buf_release(&out);
}

static void test_hostile_values(void **state)
{
	struct fixture *f = *state;
	struct buf out = BUF_INIT(1u << 22);
	static const char evil[] = "<script>alert(\"x\")</script><img src=x onerror=alert(1)> & 'q'";
	json_t *ctx = confirm_ctx(evil);
	json_object_set_new(ctx, "confirm_url", json_string("javascript:\"><script>x()</script>"));
	/* a caller cannot point the footer links elsewhere */
	json_object_set_new(ctx, "unsubscribe_url", json_string("https://evil.example/"));
	struct mail_job job = { .kind = OUTBOX_CONFIRM, .template = "confirm", .subject = "S",
				.to = "leserin@example.net", .to_name = "Anna \"A\" <x>", .ctx = ctx };
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	const char *m = buf_cstr(&out);
	char *html = part(m, "text/html"), *text = part(m, "text/plain");
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_non_null(strstr(html, "javascript:&quot;&gt;&lt;script&gt;"));
	assert_null(strstr(html, "evil.example"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&amp; &#39;q&#39;"));
	/* plain text is text: the value as it was, not HTML-escaped */
	assert_non_null(strstr(text, evil));
	assert_null(strstr(text, "&amp;"));
	assert_header(m, "To", "\"Anna \\\"A\\\" <x>\" <leserin@example.net>");
	free(html);
	free(text);

	/* header injection and bad addresses are refused before anything is written */
	size_t len = out.len;
	job.subject = "Hallo\r\nBcc: alle@example.net";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	job.subject = "S";
	job.to = "leserin@example.net\r\nBcc: x@example.net";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	job.to = "kein adresse";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	job.to = "leserin@example.net";
	job.template = "../layout";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	job.template = "gibt_es_nicht";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_ENOTFOUND);
	job.template = "confirm";
	f->site.mail_from = "";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	f->site.mail_from = "Redaktion <kaputt>";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_EINVAL);
	f->site.mail_from = "news@example.org";
	f->site.mail_reply_to = "";
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	assert_header(buf_cstr(&out) + len, "From", "news@example.org");
	assert_header(buf_cstr(&out) + len, "Reply-To", NULL);
	f->site.mail_from = "\"Die Redaktion\" <news@example.org>";
	buf_reset(&out);
	assert_int_equal(mail_compose(&f->env, &job, &out), DP_OK);
	assert_header(buf_cstr(&out), "From", "Die Redaktion <news@example.org>");
	json_decref(ctx);
	buf_release(&out);
}

static void test_queue(void **state)
{
	struct fixture *f = *state;
	json_t *ctx = confirm_ctx("w");
	struct mail_job job = { .kind = OUTBOX_NEWSLETTER, .template = "confirm", .subject = "Ausgabe",
				.to = "leserin@example.net", .ctx = ctx, .newsletter_id = 0 };
	int64_t id = 0;
	assert_int_equal(mail_queue(&f->env, &job, &id), DP_OK);
	assert_true(id > 0);
	struct outbox_msg msg = { 0 };
	assert_int_equal(store_outbox_get(f->store, id, &msg), DP_OK);
	assert_int_equal(msg.kind, OUTBOX_NEWSLETTER);
	assert_int_equal(msg.status, OUTBOX_QUEUED);
	assert_string_equal(msg.recipient, "leserin@example.net");
	assert_int_equal(msg.created_at, NOW);
	assert_non_null(strstr(msg.message, "Subject: Ausgabe\r\n"));
	outbox_msg_release(&msg);
	size_t counts[OUTBOX_STATUS__MAX];
	assert_int_equal(store_outbox_counts(f->store, counts), DP_OK);
	job.to = "bad";
	assert_int_equal(mail_queue(&f->env, &job, &id), DP_EINVAL);
	size_t again[OUTBOX_STATUS__MAX];
	assert_int_equal(store_outbox_counts(f->store, again), DP_OK);
	assert_memory_equal(counts, again, sizeof counts); /* nothing queued */
	json_decref(ctx);
}

/* ---- signing up ---- */

static void test_wording(void **state)
{
	struct fixture *f = *state;
	const json_t *t = f->theme->strings;
	char *w = subscribe_wording(t, "Der Testbote", NULL, 0, true);
	assert_non_null(w);
	assert_non_null(strstr(w, "Der Testbote darf mir per E-Mail den Newsletter der Redaktion"));
	char v1[SUBSCRIBE_VERSION_LEN + 1], v2[SUBSCRIBE_VERSION_LEN + 1];
	subscribe_wording_version(w, v1);
	assert_int_equal(strlen(v1), 16);
	assert_int_equal(strspn(v1, "0123456789abcdef"), 16);
	/* BLAKE2b-256 of the text, first 16 hex characters */
	unsigned char h[32];
	char hex[65];
	crypto_generichash(h, sizeof h, (const unsigned char *)w, strlen(w), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	assert_memory_equal(v1, hex, 16);
	free(w);

	const char *one[] = { "Energie" };
	w = subscribe_wording(t, "Der Testbote", one, 1, false);
	assert_non_null(strstr(w, "Hinweise auf neue Artikel zum Thema „Energie“"));
	assert_null(strstr(w, "Newsletter"));
	subscribe_wording_version(w, v2);
	assert_string_not_equal(v1, v2);
	free(w);
	const char *three[] = { "Energie", "Verkehr & Bahn", "Köln" };
	w = subscribe_wording(t, "Der Testbote", three, 3, true);
	assert_non_null(strstr(w, "den Newsletter der Redaktion und Hinweise auf neue Artikel zu den "
				  "Themen „Energie“, „Verkehr & Bahn“ und „Köln“"));
	free(w);
}

static void add_article(struct store *s, const char *slug, const char *tag)
{
	struct article a = { .slug = (char *)slug, .title = (char *)slug, .body_md = "x",
			     .body_html = "<p>x</p>", .status = ARTICLE_PUBLISHED,
			     .published_at = NOW - 3600 };
	const char *tags[] = { tag };
	assert_int_equal(store_article_save(s, &a, tags, 1, NULL, NULL), DP_OK);
}

static void test_request_flood_and_confirm(void **state)
{
	struct fixture *f = *state;
	add_article(f->store, "strom", "Energie");
	struct subscribe_choice c;
	enum subscribe_problem p;
	const char *bad[] = { "energie", "nosuch" };
	assert_int_equal(subscribe_choice_load(f->store, bad, 2, false, &c, &p), DP_EINVAL);
	assert_int_equal(p, SUBSCRIBE_BAD_TOPIC);
	assert_int_equal(subscribe_choice_load(f->store, NULL, 0, false, &c, &p), DP_EINVAL);
	assert_int_equal(p, SUBSCRIBE_NOTHING);
	const char *twice[] = { "energie", "energie" };
	assert_int_equal(subscribe_choice_load(f->store, twice, 2, false, &c, &p), DP_OK);
	assert_int_equal(c.ntopics, 1);
	assert_string_equal(c.topics[0].name, "Energie");

	assert_int_equal(subscribe_request(&f->env, "nicht gültig", &c, "192.0.2.1", &p), DP_EINVAL);
	assert_int_equal(p, SUBSCRIBE_BAD_EMAIL);
	size_t before[OUTBOX_STATUS__MAX], after[OUTBOX_STATUS__MAX];
	assert_int_equal(store_outbox_counts(f->store, before), DP_OK);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(subscribe_request(&f->env, "Flut@Example.NET", &c, "192.0.2.1", &p),
				 DP_OK);
		assert_int_equal(p, SUBSCRIBE_OK);
	}
	assert_int_equal(store_outbox_counts(f->store, after), DP_OK);
	assert_int_equal(after[OUTBOX_QUEUED] - before[OUTBOX_QUEUED], SUBSCRIBE_FLOOD_MAX);

	struct subscriber sub;
	assert_int_equal(store_subscriber_by_email(f->store, "flut@example.net", &sub), DP_OK);
	struct consent *cs = NULL;
	size_t n = 0;
	assert_int_equal(store_subscriber_consents(f->store, sub.id, &cs, &n), DP_OK);
	assert_int_equal(n, SUBSCRIBE_FLOOD_MAX);
	char version[SUBSCRIBE_VERSION_LEN + 1];
	subscribe_wording_version(cs[0].wording, version);
	assert_string_equal(cs[0].version, version);
	assert_string_equal(cs[0].topics, "energie");
	assert_string_equal(cs[0].request_ip, "192.0.2.1");
	assert_int_equal(cs[0].expires_at, NOW + SUBSCRIBE_TOKEN_TTL);
	assert_false(cs[0].newsletter);
	consents_free(cs, n);
	subscriber_release(&sub);

	/* the token of the mail confirms once */
	struct outbox_msg *list = NULL;
	size_t nl = 0;
	assert_int_equal(store_outbox_list(f->store, OUTBOX_QUEUED, 0, 1, &list, &nl, NULL), DP_OK);
	assert_int_equal(nl, 1);
	struct outbox_msg msg = { 0 };
	assert_int_equal(store_outbox_get(f->store, list[0].id, &msg), DP_OK);
	outbox_msgs_free(list, nl);
	char *text = part(msg.message, "text/plain");
	const char *t = strstr(text, "/subscribe/confirm/?t=");
	assert_non_null(t);
	char token[LINK_TOKEN_LEN + 1];
	memcpy(token, t + strlen("/subscribe/confirm/?t="), LINK_TOKEN_LEN);
	token[LINK_TOKEN_LEN] = '\0';
	assert_true(subscribe_token_ok(token));
	free(text);
	outbox_msg_release(&msg);
	assert_int_equal(subscribe_confirm_token(f->store, "nope", "192.0.2.2", NOW + 60, NULL),
			 DP_ENOTFOUND);
	assert_int_equal(subscribe_confirm_token(f->store, token, "192.0.2.2", NOW + 60, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_CONFIRMED);
	assert_int_equal(sub.ntopics, 1);
	assert_true(subscribe_key_ok(sub.key));
	subscriber_release(&sub);
	assert_int_equal(subscribe_confirm_token(f->store, token, "192.0.2.2", NOW + 61, NULL),
			 DP_ENOTFOUND);
	subscribe_choice_release(&c);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transactional_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_mail_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wording, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_flood_and_confirm, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
