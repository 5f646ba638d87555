/* message_test.c — newsletter e-mail composition, table-driven; the output is
 * parsed back with Python's email package (a real, independent MIME parser). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail/message.h"
#include "util/buf.h"
#include "util/err.h"

#define PYTHON "/usr/bin/python3"

static struct mail_message base_message(void)
{
	struct mail_message m = {
		.from = { "Depesche Redaktion", "news@example.org" },
		.to = { "Leserin", "reader@example.com" },
		.reply_to = NULL,
		.subject = "Weekly digest",
		.text = "Hello\nworld\n",
		.html = "<p>Hello</p>\n<p>world</p>\n",
		.list_id = "Example News <news.example.org>",
		.unsubscribe_url = "https://example.org/unsubscribe?t=abc123",
		.unsubscribe_mailto = "unsubscribe@example.org",
		.message_id_domain = "example.org",
		.date = 1700000000,
	};
	return m;
}

/* Every line ends in CRLF, is 7-bit, at most 998 octets (78 in headers
 * unless a token cannot be folded, 76 in bodies), and none starts with ".". */
static void check_lines(const char *msg)
{
	bool in_body = false;
	const char *p = msg;
	assert_true(strlen(msg) > 2);
	while (*p) {
		const char *e = strstr(p, "\r\n");
		assert_non_null(e); /* the message ends with CRLF */
		size_t n = (size_t)(e - p);
		assert_true(n <= 998);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)p[i];
			assert_true(c < 0x80);
			assert_true(c != '\r' && c != '\n' && c != '\0');
		}
		if (n == 0)
			in_body = true;
		else if (in_body && strncmp(p, "--", 2) != 0)
			assert_true(n <= 76);
		else if (!in_body)
			assert_true(n <= 78);
		assert_true(n == 0 || p[0] != '.');
		p = e + 2;
	}
	assert_true(in_body);
}

/* The value of header name (first occurrence, unfolded: CRLFs removed, the
 * folding whitespace kept); caller frees. */
static char *header_raw(const char *msg, const char *name)
{
	size_t nl = strlen(name);
	const char *end = strstr(msg, "\r\n\r\n");
	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n") + 2) {
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			const char *q = v;
			while ((q = strstr(q, "\r\n")) && (q[2] == ' ' || q[2] == '\t'))
				q += 2;
			char *r = strndup(v, (size_t)(q - v)), *w = r;
			for (const char *c = r; *c; c++)
				if (*c != '\r' && *c != '\n')
					*w++ = *c;
			*w = '\0';
			return r;
		}
	}
	return NULL;
}

static const char pyscript[] =
	"import sys, os, email, email.policy\n"
	"e = os.environb\n"
	"def d(k):\n"
	"    v = e.get(k.encode())\n"
	"    return None if v is None else v.decode(\"utf-8\")\n"
	"m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)\n"
	"err = []\n"
	"def chk(what, got, want):\n"
	"    if got != want: err.append(\"%s: got %r want %r\" % (what, got, want))\n"
	"nl = lambda s: s.replace(\"\\r\\n\", \"\\n\")\n"
	"chk(\"subject\", str(m[\"subject\"]), d(\"EXP_SUBJECT\"))\n"
	"a = m[\"from\"].addresses[0]\n"
	"chk(\"from name\", a.display_name, d(\"EXP_FROM_NAME\") or \"\")\n"
	"chk(\"from addr\", a.addr_spec, d(\"EXP_FROM_ADDR\"))\n"
	"h = d(\"EXP_HTML\")\n"
	"if h is not None:\n"
	"    chk(\"multipart\", m.is_multipart(), True)\n"
	"    chk(\"type\", m.get_content_type(), \"multipart/alternative\")\n"
	"    parts = list(m.iter_parts())\n"
	"    chk(\"parts\", [p.get_content_type() for p in parts], [\"text/plain\", \"text/html\"])\n"
	"    chk(\"text\", nl(parts[0].get_content()), d(\"EXP_TEXT\"))\n"
	"    chk(\"html\", nl(parts[1].get_content()), h)\n"
	"    for p in parts: chk(\"part defects\", p.defects, [])\n"
	"else:\n"
	"    chk(\"multipart\", m.is_multipart(), False)\n"
	"    chk(\"text\", nl(m.get_content()), d(\"EXP_TEXT\"))\n"
	"chk(\"defects\", m.defects, [])\n"
	"for k in m.keys(): chk(\"defects \" + k, list(getattr(m[k], \"defects\", [])), [])\n"
	"u = d(\"EXP_UNSUB\")\n"
	"if u is not None:\n"
	"    lu = str(m[\"List-Unsubscribe\"])\n"
	"    chk(\"List-Unsubscribe\", (\"<\" + u + \">\") in lu, True)\n"
	"    chk(\"List-Unsubscribe-Post\", str(m[\"List-Unsubscribe-Post\"]), \"List-Unsubscribe=One-Click\")\n"
	"chk(\"Auto-Submitted\", m[\"Auto-Submitted\"], None)\n"
	"chk(\"MIME-Version\", str(m[\"MIME-Version\"]), \"1.0\")\n"
	"for x in err: print(x, file=sys.stderr)\n"
	"sys.exit(1 if err else 0)\n";

static void set_or_unset(const char *k, const char *v)
{
	if (v)
		setenv(k, v, 1);
	else
		unsetenv(k);
}

/* Runs Python's parser on msg; true when every check passed. */
static bool python_check(const char *msg, const struct mail_message *m)
{
	set_or_unset("EXP_SUBJECT", m->subject);
	set_or_unset("EXP_FROM_NAME", m->from.name);
	set_or_unset("EXP_FROM_ADDR", m->from.addr);
	set_or_unset("EXP_TEXT", m->text);
	set_or_unset("EXP_HTML", m->html);
	set_or_unset("EXP_UNSUB", m->unsubscribe_url);
	struct buf cmd = BUF_INIT(0);
	buf_printf(&cmd, "%s -c '%s'", PYTHON, pyscript);
	assert_int_equal(buf_error(&cmd), DP_OK);
	FILE *f = popen(buf_cstr(&cmd), "w");
	assert_non_null(f);
	fwrite(msg, 1, strlen(msg), f);
	int st = pclose(f);
	buf_release(&cmd);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		fprintf(stderr, "--- message ---\n%s--- end ---\n", msg);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_address_valid(void **state)
{
	(void)state;
	static char long_local[80], long_label[80], long_total[400];
	memset(long_local, 'a', 65);
	strcpy(long_local + 65, "@example.org");
	strcpy(long_label, "a@");
	memset(long_label + 2, 'b', 64);
	strcpy(long_label + 66, ".org");
	/* 64 + 1 + 4 labels of 60 + dots: > 254 */
	memset(long_total, 'a', 64);
	long_total[64] = '@';
	size_t n = 65;
	for (int i = 0; i < 4; i++) {
		memset(long_total + n, 'd', 60);
		n += 60;
		long_total[n++] = '.';
	}
	strcpy(long_total + n, "org");
	static const struct { const char *a; bool ok; } cases[] = {
		{ "reader@example.com", true },
		{ "first.last+tag@sub.example.co.uk", true },
		{ "o'brien@example.ie", true },
		{ "x@a-b.de", true },
		{ "!#$%&'*+-/=?^_`{|}~@example.org", true },
		{ "", false },
		{ "plain", false },
		{ "@example.org", false },
		{ "reader@", false },
		{ "a@@example.org", false },
		{ "a@b@example.org", false },
		{ "a b@example.org", false },
		{ "a@exa mple.org", false },
		{ "reader@example.com\r\nBcc: victim@evil.example", false },
		{ "reader@example.com\n", false },
		{ "reader\r@example.com", false },
		{ "\"quoted\"@example.org", false },
		{ ".lead@example.org", false },
		{ "trail.@example.org", false },
		{ "two..dots@example.org", false },
		{ "a@example..org", false },
		{ "a@.example.org", false },
		{ "a@example.org.", false },
		{ "a@-example.org", false },
		{ "a@example-.org", false },
		{ "a@localhost", false },
		{ "a@[192.0.2.1]", false },
		{ "jürgen@example.de", false },
		{ "a@exämple.de", false },
		{ "<a@example.org>", false },
		{ "a@example.org,b@example.org", false },
		{ "a\t@example.org", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (mail_address_valid(cases[i].a) != cases[i].ok)
			fail_msg("case %zu: %s", i, cases[i].a);
	}
	assert_false(mail_address_valid(NULL));
	assert_false(mail_address_valid(long_local));
	long_local[1] = '@'; /* "a@aaaa...@example.org" */
	assert_false(mail_address_valid(long_local));
	assert_false(mail_address_valid(long_label));
	assert_true(strlen(long_total) > 254);
	assert_false(mail_address_valid(long_total));
	/* exactly 64 in the local part is fine */
	char ok64[100];
	memset(ok64, 'a', 64);
	strcpy(ok64 + 64, "@example.org");
	assert_true(mail_address_valid(ok64));
}

enum field { F_SUBJECT, F_FROM_NAME, F_FROM_ADDR, F_TO_NAME, F_TO_ADDR, F_LIST_ID, F_UNSUB_URL,
	     F_UNSUB_MAILTO, F_MSGID_DOMAIN, F_TEXT, F_HTML, F_REPLY_ADDR, F_REPLY_NAME };

static void set_field(struct mail_message *m, struct mail_address *reply, enum field f, const char *v)
{
	switch (f) {
	case F_SUBJECT: m->subject = v; break;
	case F_FROM_NAME: m->from.name = v; break;
	case F_FROM_ADDR: m->from.addr = v; break;
	case F_TO_NAME: m->to.name = v; break;
	case F_TO_ADDR: m->to.addr = v; break;
	case F_LIST_ID: m->list_id = v; break;
	case F_UNSUB_URL: m->unsubscribe_url = v; break;
	case F_UNSUB_MAILTO: m->unsubscribe_mailto = v; break;
	case F_MSGID_DOMAIN: m->message_id_domain = v; break;
	case F_TEXT: m->text = v; break;
	case F_HTML: m->html = v; break;
	case F_REPLY_ADDR: reply->addr = v; m->reply_to = reply; break;
	case F_REPLY_NAME: reply->name = v; m->reply_to = reply; break;
	}
}

static void test_rejects_hostile_headers(void **state)
{
	(void)state;
	static const struct { enum field f; const char *v; } cases[] = {
		{ F_SUBJECT, "Hi\r\nBcc: victim@evil.example" },
		{ F_SUBJECT, "Hi\nBcc: victim@evil.example" },
		{ F_SUBJECT, "Hi\rthere" },
		{ F_SUBJECT, "tab\tand bell\a" },
		{ F_SUBJECT, "bad utf8 \xc3" },
		{ F_SUBJECT, "C1 \xc2\x85 NEL" },
		{ F_SUBJECT, NULL },
		{ F_FROM_NAME, "Evil\r\nBcc: victim@evil.example" },
		{ F_FROM_NAME, "Evil\n" },
		{ F_FROM_NAME, "\xff\xfe" },
		{ F_FROM_ADDR, "news@example.org\r\nBcc: victim@evil.example" },
		{ F_FROM_ADDR, "not an address" },
		{ F_FROM_ADDR, NULL },
		{ F_TO_NAME, "Leser\r\nX-Evil: 1" },
		{ F_TO_ADDR, "reader@example.com\nBcc: x@evil.example" },
		{ F_TO_ADDR, "" },
		{ F_REPLY_ADDR, "reply@example.org\r\n" },
		{ F_REPLY_NAME, "Reply\rName" },
		{ F_LIST_ID, "News <news.example.org>\r\nX-Evil: 1" },
		{ F_LIST_ID, "News <news.example.org" },
		{ F_LIST_ID, "News <>" },
		{ F_LIST_ID, "News <no dots allowed here>" },
		{ F_UNSUB_URL, "https://example.org/u\r\nX-Evil: 1" },
		{ F_UNSUB_URL, "ftp://example.org/u" },
		{ F_UNSUB_URL, "http://" },
		{ F_UNSUB_URL, "http://example.org/u\r\nX-Evil: 1" },
		{ F_UNSUB_URL, "https://example.org/u>, <https://evil.example/" },
		{ F_UNSUB_URL, "https://exa mple.org/" },
		{ F_UNSUB_URL, "https://" },
		{ F_UNSUB_MAILTO, "mailto:u@example.org\nX-Evil: 1" },
		{ F_UNSUB_MAILTO, "not an address" },
		{ F_MSGID_DOMAIN, "example.org>\r\nX-Evil: 1" },
		{ F_MSGID_DOMAIN, "exa mple.org" },
		{ F_TEXT, "broken \xe2\x82 utf8" },
		{ F_TEXT, "\xed\xa0\x80 surrogate" },
		{ F_TEXT, NULL },
		{ F_HTML, "<p>\xc0\xaf</p>" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_message m = base_message();
		struct mail_address reply = { NULL, "reply@example.org" };
		set_field(&m, &reply, cases[i].f, cases[i].v);
		struct buf out = BUF_INIT(0);
		buf_puts(&out, "kept");
		char id[MAIL_MESSAGE_ID_MAX] = "";
		int rc = mail_message_write(&out, &m, id, sizeof(id));
		if (rc != DP_EINVAL)
			fail_msg("case %zu: rc %d", i, rc);
		assert_string_equal(buf_cstr(&out), "kept"); /* nothing written */
		buf_release(&out);
	}
	/* dates outside four-digit years */
	struct mail_message m = base_message();
	struct buf out = BUF_INIT(0);
	m.date = INT64_MAX;
	assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_EINVAL);
	m.date = INT64_C(-3000000000);
	assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_EINVAL);
	assert_int_equal(out.len, 0);
	buf_release(&out);
}

static void test_encode_phrase(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "Anna", "Anna" },
		{ "Anna Muster", "Anna Muster" },
		{ "Muster, Anna", "\"Muster, Anna\"" },
		{ "Say \"hi\" \\o/", "\"Say \\\"hi\\\" \\\\o/\"" },
		{ "Dr. Who", "\"Dr. Who\"" },
		{ "two  spaces", "\"two  spaces\"" },
		{ "Jürgen", "=?UTF-8?Q?J=C3=BCrgen?=" },
		{ "Grüße aus Köln", "=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=" },
		{ "\xf0\x9f\x98\x80", "=?UTF-8?Q?=F0=9F=98=80?=" },
		{ "=?UTF-8?Q?fake?=", "=?UTF-8?Q?=3D=3FUTF-8=3FQ=3Ffake=3F=3D?=" },
		{ "a_b=c?", "a_b=c?" }, /* all atext: an atom */
		{ "Ä_(x)", "=?UTF-8?Q?=C3=84=5F=28x=29?=" },
		/* 20 × "ü" = 120 encoded chars: split into words of whole characters */
		{ "üüüüüüüüüüüüüüüüüüüü",
		  "=?UTF-8?Q?=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC?= "
		  "=?UTF-8?Q?=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC=C3=BC?=" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT(0);
		assert_int_equal(mail_encode_phrase(&b, cases[i].in), DP_OK);
		if (strcmp(buf_cstr(&b), cases[i].want) != 0)
			fail_msg("case %zu: got %s want %s", i, buf_cstr(&b), cases[i].want);
		buf_release(&b);
	}
	static const char *const bad[] = { NULL, "a\r\nb", "a\nb", "\xc3", "nul\x01" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct buf b = BUF_INIT(0);
		assert_int_equal(mail_encode_phrase(&b, bad[i]), DP_EINVAL);
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
}

static char *long_subject(void)
{
	struct buf b = BUF_INIT(0);
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "Überraschung für Straßenbahn-Fahrgäste \xf0\x9f\x9a\x8b ");
	buf_puts(&b, "Ende");
	return buf_take(&b, NULL);
}

static char *long_ascii_subject(void)
{
	struct buf b = BUF_INIT(0);
	for (int i = 0; i < 60; i++)
		buf_puts(&b, "The quick brown fox jumps over the lazy dog ");
	buf_puts(&b, "end");
	return buf_take(&b, NULL);
}

static void test_long_subject_folded(void **state)
{
	(void)state;
	char *subjects[3] = { long_subject(), long_ascii_subject(), NULL };
	/* one word far too long to fold: must still stay within the limits */
	struct buf w = BUF_INIT(0);
	for (int i = 0; i < 1500; i++)
		buf_putc(&w, 'x');
	subjects[2] = buf_take(&w, NULL);
	for (int s = 0; s < 3; s++) {
		struct mail_message m = base_message();
		m.subject = subjects[s];
		struct buf out = BUF_INIT(0);
		assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_OK);
		check_lines(buf_cstr(&out));
		/* every encoded-word is at most 75 characters */
		char *subj = header_raw(buf_cstr(&out), "Subject");
		assert_non_null(subj);
		size_t words = 0;
		for (const char *p = subj; (p = strstr(p, "=?UTF-8?Q?"));) {
			const char *e = strstr(p + 10, "?=");
			assert_non_null(e);
			assert_true((size_t)(e + 2 - p) <= 75);
			p = e + 2;
			words++;
		}
		/* the ASCII one folds at spaces, the others need encoded-words */
		assert_true(s == 1 ? words == 0 : words > 10);
		free(subj);
		assert_true(python_check(buf_cstr(&out), &m));
		buf_release(&out);
	}
	for (int s = 0; s < 3; s++)
		free(subjects[s]);
}

/* Single-part text: the body is exactly the expected quoted-printable. */
static void test_quoted_printable(void **state)
{
	(void)state;
	static char long_in[200], long_want[300];
	memset(long_in, 'x', 100);
	memset(long_want, 'x', 75);
	strcpy(long_want + 75, "=\r\n");
	memset(long_want + 78, 'x', 25);
	strcpy(long_want + 103, "\r\n");
	static const struct { const char *in, *want; } cases[] = {
		{ "plain", "plain\r\n" },
		{ "a=b", "a=3Db\r\n" },
		{ "trailing  \n", "trailing =20\r\n" },
		{ "tab\t", "tab=09\r\n" },
		{ "inner space stays", "inner space stays\r\n" },
		{ "Grüße", "Gr=C3=BC=C3=9Fe\r\n" },
		{ "\xf0\x9f\x98\x80", "=F0=9F=98=80\r\n" },
		{ "one\r\ntwo\rthree\nfour", "one\r\ntwo\r\nthree\r\nfour\r\n" },
		{ "a\n.\nb\n", "a\r\n=2E\r\nb\r\n" },
		{ ".leading dot", "=2Eleading dot\r\n" },
		{ "From me\nnot From you", "=46rom me\r\nnot From you\r\n" },
		{ "\n\n", "\r\n\r\n" },
		{ "ctl\x01\x7f", "ctl=01=7F\r\n" },
		{ "", "" },
		{ long_in, long_want },
		/* an escape is never split by a soft break: 74 x then "=" */
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=y",
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\r\n=3Dy\r\n" },
		/* the last char may use column 76: 74 x then a trailing space */
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ",
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\r\n=20\r\n" },
		/* a soft break followed by "." encodes the dot */
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.y",
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=\r\n=2Ey\r\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_message m = base_message();
		m.html = NULL;
		m.text = cases[i].in;
		struct buf out = BUF_INIT(0);
		assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_OK);
		const char *msg = buf_cstr(&out);
		check_lines(msg);
		const char *body = strstr(msg, "\r\n\r\n");
		assert_non_null(body);
		body += 4;
		if (strcmp(body, cases[i].want) != 0)
			fail_msg("case %zu: got [%s] want [%s]", i, body, cases[i].want);
		char *cte = header_raw(msg, "Content-Transfer-Encoding");
		assert_string_equal(cte, " quoted-printable");
		free(cte);
		buf_release(&out);
	}
}

/* The whole message read back by Python's email package. */
static void test_python_roundtrip(void **state)
{
	(void)state;
	if (access(PYTHON, X_OK) != 0)
		skip();
	static char long_line[4000];
	long_line[0] = '\0';
	for (int i = 0; i < 250; i++) /* one 3000-byte line: "=", non-ASCII, spaces */
		strcat(long_line, "Grüße = x ");
	strcat(long_line, "  \nend ");
	static const struct {
		const char *subject, *name, *text, *html, *url, *mailto;
	} cases[] = {
		{ "Weekly digest", "Depesche Redaktion", "Hello\nworld\n", "<p>Hello</p>\n", "https://example.org/u?t=1", NULL },
		{ "Grüße aus Köln – Ausgabe 7", "Jürgen Müller", "Grüße\n", "<p>Grüße</p>", "https://example.org/u", "unsubscribe@example.org" },
		{ "Neu: \xf0\x9f\x93\xb0 Nachrichten \xf0\x9f\x98\x80", "\xf0\x9f\x98\x80 Emoji Börse", "Text \xf0\x9f\x98\x80\n", "<b>\xf0\x9f\x98\x80</b>\n", "https://example.org/u", "mailto:u@example.org?subject=unsubscribe" },
		{ "Muster, Anna said \"hi\" (really)", "Muster, Anna \"AM\"", "x = 1\ny == 2\n", "<a href=\"https://example.org/?a=1&b=2\">link</a>", "https://example.org/u", NULL },
		{ "=?UTF-8?Q?not_an_encoded_word?=", "=?UTF-8?B?Zm9v?=", "trailing spaces   \ntabs\t\t\nend", "<p>\n.\n</p>\n", "https://example.org/u", NULL },
		{ "", NULL, "From here\n.\n..\nFrom\n", NULL, NULL, "u@example.org" },
		{ "Lines", "Büro", long_line, long_line, "https://example.org/u", NULL },
		{ "CRLF", "A", "a\r\nb\r\n", "<p>a</p>\r\n", "https://example.org/u", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mail_message m = base_message();
		m.subject = cases[i].subject;
		m.from.name = cases[i].name;
		m.text = cases[i].text;
		m.html = cases[i].html;
		m.unsubscribe_url = cases[i].url;
		m.unsubscribe_mailto = cases[i].mailto;
		struct mail_address reply = { "Leserbriefe — Redaktion", "letters@example.org" };
		m.reply_to = &reply;
		struct buf out = BUF_INIT(0);
		char id[MAIL_MESSAGE_ID_MAX];
		assert_int_equal(mail_message_write(&out, &m, id, sizeof(id)), DP_OK);
		const char *msg = buf_cstr(&out);
		check_lines(msg);
		/* Python compares bodies with \n line ends */
		struct mail_message want = m;
		char *t = NULL, *h = NULL;
		if (strchr(m.text, '\r') || (m.html && strchr(m.html, '\r'))) {
			struct buf a = BUF_INIT(0), b = BUF_INIT(0);
			for (const char *p = m.text; *p; p++)
				if (*p != '\r')
					buf_putc(&a, *p);
			for (const char *p = m.html; p && *p; p++)
				if (*p != '\r')
					buf_putc(&b, *p);
			want.text = t = buf_take(&a, NULL);
			want.html = m.html ? (h = buf_take(&b, NULL)) : NULL;
			buf_release(&b);
		}
		/* single-part bodies always end with a line break */
		struct buf tt = BUF_INIT(0);
		if (!m.html && m.text[0] && want.text[strlen(want.text) - 1] != '\n') {
			buf_printf(&tt, "%s\n", want.text);
			want.text = buf_cstr(&tt);
		}
		if (!python_check(msg, &want))
			fail_msg("case %zu", i);
		free(t);
		free(h);
		buf_release(&tt);

		/* header facts */
		char *v = header_raw(msg, "Message-ID");
		assert_non_null(v);
		assert_true(v[0] == ' ' && strcmp(v + 1, id) == 0);
		assert_non_null(strstr(id, "@example.org>"));
		free(v);
		assert_null(header_raw(msg, "Auto-Submitted"));
		v = header_raw(msg, "List-Unsubscribe-Post");
		if (m.unsubscribe_url)
			assert_string_equal(v, " List-Unsubscribe=One-Click");
		else
			assert_null(v);
		free(v);
		v = header_raw(msg, "List-Id");
		assert_string_equal(v, " Example News <news.example.org>");
		free(v);
		v = header_raw(msg, "Date");
		assert_string_equal(v, " Tue, 14 Nov 2023 22:13:20 +0000");
		free(v);
		buf_release(&out);
	}
}

static void test_headers_and_ids(void **state)
{
	(void)state;
	struct mail_message m = base_message();
	m.list_id = "Nachrichten aus Köln <koeln.news.example.org>";
	m.to.name = NULL;
	m.message_id_domain = NULL;
	m.unsubscribe_url = NULL;
	m.unsubscribe_mailto = "mailto:u@example.org";
	struct buf out = BUF_INIT(0);
	char id1[MAIL_MESSAGE_ID_MAX], id2[MAIL_MESSAGE_ID_MAX];
	assert_int_equal(mail_message_write(&out, &m, id1, sizeof(id1)), DP_OK);
	const char *msg = buf_cstr(&out);
	check_lines(msg);
	char *v = header_raw(msg, "List-Id");
	assert_string_equal(v, " =?UTF-8?Q?Nachrichten_aus_K=C3=B6ln?= <koeln.news.example.org>");
	free(v);
	v = header_raw(msg, "To");
	assert_string_equal(v, " reader@example.com");
	free(v);
	v = header_raw(msg, "From");
	assert_string_equal(v, " Depesche Redaktion <news@example.org>");
	free(v);
	v = header_raw(msg, "List-Unsubscribe");
	assert_string_equal(v, " <mailto:u@example.org>");
	free(v);
	assert_null(header_raw(msg, "List-Unsubscribe-Post"));
	assert_null(header_raw(msg, "Reply-To"));
	assert_non_null(strstr(id1, "@example.org>")); /* From's domain */
	/* boundary: quoted, starts with "=_" which quoted-printable never produces */
	assert_non_null(strstr(msg, "multipart/alternative;\r\n boundary=\"=_"));

	/* an http URL (a site without TLS): List-Unsubscribe, but no one-click
	 * List-Unsubscribe-Post, which RFC 8058 allows for HTTPS only */
	m = base_message();
	m.unsubscribe_url = "http://127.0.0.1:8080/unsubscribe/?k=ab12";
	m.unsubscribe_mailto = NULL;
	buf_reset(&out);
	assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_OK);
	check_lines(buf_cstr(&out));
	v = header_raw(buf_cstr(&out), "List-Unsubscribe");
	assert_string_equal(v, " <http://127.0.0.1:8080/unsubscribe/?k=ab12>");
	free(v);
	assert_null(header_raw(buf_cstr(&out), "List-Unsubscribe-Post"));
	m.unsubscribe_url = "HTTPS://example.org/u";
	buf_reset(&out);
	assert_int_equal(mail_message_write(&out, &m, NULL, 0), DP_OK);
	v = header_raw(buf_cstr(&out), "List-Unsubscribe-Post");
	assert_string_equal(v, " List-Unsubscribe=One-Click");
	free(v);

	/* both URLs: https first, then mailto */
	m = base_message();
	buf_reset(&out);
	assert_int_equal(mail_message_write(&out, &m, id2, sizeof(id2)), DP_OK);
	v = header_raw(buf_cstr(&out), "List-Unsubscribe");
	assert_string_equal(v, " <https://example.org/unsubscribe?t=abc123>, <mailto:unsubscribe@example.org>");
	free(v);
	assert_string_not_equal(id1, id2);

	/* a too-small id buffer is refused before anything is written */
	buf_reset(&out);
	char small[8];
	assert_int_equal(mail_message_write(&out, &m, small, sizeof(small)), DP_ETOOBIG);
	assert_int_equal(out.len, 0);

	/* a full buffer is rolled back to where it was */
	struct buf tiny = BUF_INIT(100);
	buf_puts(&tiny, "x");
	assert_int_equal(mail_message_write(&tiny, &m, NULL, 0), DP_ETOOBIG);
	assert_int_equal(tiny.len, 1);
	buf_release(&tiny);
	buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_valid),
		cmocka_unit_test(test_rejects_hostile_headers),
		cmocka_unit_test(test_encode_phrase),
		cmocka_unit_test(test_quoted_printable),
		cmocka_unit_test(test_long_subject_folded),
		cmocka_unit_test(test_python_roundtrip),
		cmocka_unit_test(test_headers_and_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
