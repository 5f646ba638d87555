/* compose.c — mail from the theme's templates (compose.h): the context every
 * mail gets, the text and HTML parts, the headers (From, Reply-To, List-Id,
 * List-Unsubscribe) and the outbox.
 *
 * Text templates are rendered by the same Mustache engine as the pages, so
 * {{x}} comes out HTML-escaped; a plain-text part must not show "&amp;", so
 * the text output is unescaped once afterwards (exactly the five entities
 * html_txt() writes). Template authors write {{x}} in both kinds. */
#include "newsletter/compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/message.h"
#include "mail/smtp.h"
#include "page/theme.h"
#include "render/date.h"
#include "render/html.h"
#include "render/mustache.h"
#include "site/site.h"
#include "util/err.h"
#include "util/utf8.h"

/* Bytes of one rendered part; a mail larger than this is a template bug. */
#define PART_MAX ((size_t)4 << 20)
/* Bytes of a whole message. */
#define MESSAGE_MAX ((size_t)12 << 20)
#define ADDR_MAX 256

/* ---- addresses ---- */

/* "Name <addr>" or "addr" into a display name (quotes and spaces around it
 * dropped; "" when none) and an addr-spec. DP_EINVAL when no valid address. */
static int parse_mailbox(const char *s, char *name, size_t namelen, char *addr, size_t addrlen)
{
	name[0] = addr[0] = '\0';
	if (!s || !*s)
		return DP_EINVAL;
	int rc = smtp_envelope_address(s, addr, addrlen);
	if (rc)
		return rc == DP_ETOOBIG ? DP_EINVAL : rc;
	if (!mail_address_valid(addr))
		return DP_EINVAL;
	const char *lt = strrchr(s, '<');
	if (!lt)
		return DP_OK;
	const char *a = s, *b = lt;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	if (b - a >= 2 && *a == '"' && b[-1] == '"') {
		a++;
		b--;
	}
	size_t n = (size_t)(b - a);
	if (n >= namelen) {
		/* cut on a character boundary */
		n = namelen - 1;
		while (n > 0 && ((unsigned char)a[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(name, a, n);
	name[n] = '\0';
	return DP_OK;
}

/* The host of base_url ("https://news.example.org:8443/x" → "news.example.org"). */
static void url_host(const char *url, char *out, size_t outlen)
{
	out[0] = '\0';
	if (!url)
		return;
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, ":/?#");
	if (n >= outlen)
		return;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
	out[n] = '\0';
}

/* True when s is a list-id namespace RFC 2919 accepts: dot-atom with a dot. */
static int list_host_ok(const char *s)
{
	if (!*s || !strchr(s, '.') || s[0] == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-.") == strlen(s);
}

/* "Site Title <host>": the description cut to MAIL_NAME_MAX bytes on a
 * character boundary, without the brackets that delimit the id. */
static char *list_id(const struct site *site, const char *from_addr)
{
	char host[256];
	url_host(site->base_url, host, sizeof host);
	if (!list_host_ok(host)) {
		/* localhost and friends: the sender's domain names the list */
		const char *at = strchr(from_addr, '@');
		snprintf(host, sizeof host, "%s", at ? at + 1 : "localhost.localdomain");
		for (char *c = host; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
	}
	struct buf b = BUF_INIT(1024);
	const char *title = site->title ? site->title : "";
	if (utf8_valid(title, strlen(title)) && !utf8_has_control(title, "")) {
		size_t n = utf8_prefix(title, 80);
		for (size_t i = 0; i < n; i++)
			if (title[i] != '<' && title[i] != '>')
				buf_putc(&b, title[i]);
	}
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	buf_printf(&b, "%s<%s>", b.len ? " " : "", host);
	return buf_take(&b, NULL);
}

/* ---- links ---- */

static char *sub_url(const struct site *site, const char *path, const struct subscriber *sub)
{
	if (!site || !sub || !sub->key || !*sub->key)
		return NULL;
	struct buf b = BUF_INIT(2048);
	buf_puts(&b, site->base_url ? site->base_url : "");
	buf_puts(&b, path);
	url_arg(&b, sub->key);
	return buf_take(&b, NULL);
}

char *mail_preferences_url(const struct site *site, const struct subscriber *sub)
{
	return sub_url(site, "/subscribe/preferences/?k=", sub);
}

char *mail_unsubscribe_url(const struct site *site, const struct subscriber *sub)
{
	return sub_url(site, "/unsubscribe/?k=", sub);
}

/* ---- the context ---- */

static json_t *sub_json(const struct site *site, const struct subscriber *sub)
{
	char *prefs = mail_preferences_url(site, sub), *unsub = mail_unsubscribe_url(site, sub);
	json_t *topics = json_array();
	for (size_t i = 0; topics && i < sub->ntopics; i++)
		json_array_append_new(topics, json_string(sub->topics[i]));
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:o, s:b, s:b, s:s}", "email",
			      sub->email ? sub->email : "", "preferences_url", prefs,
			      "unsubscribe_url", unsub, "topics", topics, "has_topics",
			      sub->ntopics > 0, "newsletter", sub->newsletter, "frequency",
			      sub_frequency_name(sub->frequency));
	free(prefs);
	free(unsub);
	return o;
}

/* The caller's keys, then what every mail gets (ours win: a caller cannot
 * point the unsubscribe link elsewhere by accident). New reference. */
static json_t *mail_ctx(const struct mail_env *env, const struct mail_job *job)
{
	const struct site *s = env->site;
	char date[64], home[1100];
	json_t *ctx = json_object();
	if (!ctx)
		return NULL;
	if (json_is_object(job->ctx))
		json_object_update(ctx, job->ctx);
	date_human(date, sizeof date, env->now, s->lang);
	snprintf(home, sizeof home, "%s/", s->base_url ? s->base_url : "");
	json_t *site = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", s->title ? s->title : "",
				 "url", s->base_url ? s->base_url : "", "home_url", home, "lang",
				 s->lang ? s->lang : "de", "description",
				 s->description ? s->description : "");
	json_object_set_new(ctx, "site", site);
	if (env->theme && env->theme->strings)
		json_object_set(ctx, "t", env->theme->strings);
	json_object_set_new(ctx, "now_date", json_string(date));
	if (!json_object_get(ctx, "subject"))
		json_object_set_new(ctx, "subject", json_string(job->subject ? job->subject : ""));
	if (job->sub) {
		json_t *sj = sub_json(s, job->sub);
		json_object_set(ctx, "preferences_url", json_object_get(sj, "preferences_url"));
		json_object_set(ctx, "unsubscribe_url", json_object_get(sj, "unsubscribe_url"));
		json_object_set_new(ctx, "subscriber", sj);
		json_object_set_new(ctx, "list_mail", json_true());
	} else {
		json_object_del(ctx, "subscriber");
		json_object_del(ctx, "preferences_url");
		json_object_del(ctx, "unsubscribe_url");
	}
	return ctx;
}

/* Undoes html_txt() in place: &amp; &lt; &gt; &quot; &#39;. */
static void unescape_html(struct buf *b)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
	};
	if (!b->data)
		return;
	size_t w = 0;
	for (size_t r = 0; r < b->len;) {
		char c = b->data[r];
		size_t skip = 1;
		if (c == '&') {
			for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
				size_t n = strlen(ents[i].ent);
				if (b->len - r >= n && memcmp(b->data + r, ents[i].ent, n) == 0) {
					c = ents[i].c;
					skip = n;
					break;
				}
			}
		}
		b->data[w++] = c;
		r += skip;
	}
	b->len = w;
	b->data[w] = '\0';
}

static int render(const struct mail_env *env, const char *name, json_t *ctx, struct buf *out)
{
	return mustache_set_render(env->theme->templates, name, ctx, out);
}

int mail_compose(const struct mail_env *env, const struct mail_job *job, struct buf *out)
{
	char from_name[MAIL_NAME_MAX + 1], from_addr[ADDR_MAX];
	char reply_name[MAIL_NAME_MAX + 1], reply_addr[ADDR_MAX];
	char tname[160], hname[160];
	struct buf text = BUF_INIT(PART_MAX), html = BUF_INIT(PART_MAX);
	json_t *ctx = NULL;
	char *lid = NULL, *unsub = NULL;
	int rc;

	if (!env || !env->site || !env->theme || !job || !job->template || !out)
		return DP_EINVAL;
	const struct site *s = env->site;
	if ((rc = parse_mailbox(s->mail_from, from_name, sizeof from_name, from_addr,
				sizeof from_addr)))
		return DP_EINVAL;
	bool reply = s->mail_reply_to && *s->mail_reply_to;
	if (reply && parse_mailbox(s->mail_reply_to, reply_name, sizeof reply_name, reply_addr,
				   sizeof reply_addr))
		return DP_EINVAL;
	if (!job->to || !mail_address_valid(job->to))
		return DP_EINVAL;
	if (strspn(job->template, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(job->template))
		return DP_EINVAL;
	snprintf(tname, sizeof tname, "mail/%s_text", job->template);
	snprintf(hname, sizeof hname, "mail/%s_html", job->template);
	if (!mustache_set_has(env->theme->templates, tname))
		return DP_ENOTFOUND;
	bool has_html = mustache_set_has(env->theme->templates, hname);

	if (!(ctx = mail_ctx(env, job))) {
		rc = DP_ENOMEM;
		goto out;
	}
	if ((rc = render(env, tname, ctx, &text)))
		goto out;
	unescape_html(&text);
	if (has_html && (rc = render(env, hname, ctx, &html)))
		goto out;
	if (!(lid = list_id(s, from_addr))) {
		rc = DP_ENOMEM;
		goto out;
	}
	if (job->sub) {
		unsub = mail_unsubscribe_url(s, job->sub);
		/* Only a web URL can be a List-Unsubscribe target. */
		if (unsub && strncasecmp(unsub, "https://", 8) != 0 &&
		    strncasecmp(unsub, "http://", 7) != 0) {
			free(unsub);
			unsub = NULL;
		}
	}
	struct mail_address reply_to = { reply_name, reply_addr };
	const char *to_name = job->to_name && *job->to_name &&
					      utf8_valid(job->to_name, strlen(job->to_name)) &&
					      !utf8_has_control(job->to_name, "") &&
					      strlen(job->to_name) <= MAIL_NAME_MAX
				      ? job->to_name
				      : NULL;
	struct mail_message m = {
		.from = { from_name[0] ? from_name : NULL, from_addr },
		.to = { to_name, job->to },
		.reply_to = reply ? &reply_to : NULL,
		.subject = job->subject ? job->subject : "",
		.text = buf_cstr(&text),
		.html = has_html ? buf_cstr(&html) : NULL,
		.list_id = lid,
		.unsubscribe_url = unsub,
		.message_id_domain = NULL, /* the From address's domain */
		.date = env->now,
	};
	rc = mail_message_write(out, &m, NULL, 0);
out:
	free(lid);
	free(unsub);
	json_decref(ctx);
	buf_release(&text);
	buf_release(&html);
	return rc;
}

int mail_queue(const struct mail_env *env, const struct mail_job *job, int64_t *ret_id)
{
	struct buf msg = BUF_INIT(MESSAGE_MAX);
	if (!env || !env->store)
		return DP_EINVAL;
	int rc = mail_compose(env, job, &msg);
	if (!rc)
		rc = store_outbox_add_for(env->store, job->kind, job->newsletter_id, job->to,
					  buf_cstr(&msg), msg.len, env->now, ret_id);
	buf_release(&msg);
	return rc;
}
