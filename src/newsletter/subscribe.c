/* subscribe.c — signing up for mail without HTTP (subscribe.h): the
 * choice, the consent wording and its version, the double opt-in request
 * with its confirmation mail, and confirming. */
#include "newsletter/subscribe.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/message.h"
#include "newsletter/links.h"
#include "page/theme.h"
#include "render/html.h"
#include "site/site.h"
#include "util/buf.h"
#include "util/err.h"

#define WORDING_MAX (32u * 1024)
#define SLUG_MAX 200

const char *subscribe_problem_name(enum subscribe_problem p)
{
	static const char *const names[SUBSCRIBE_PROBLEM__MAX] = {
		[SUBSCRIBE_OK] = "ok", [SUBSCRIBE_BAD_EMAIL] = "bad_email",
		[SUBSCRIBE_BAD_TOPIC] = "bad_topic", [SUBSCRIBE_TOO_MANY] = "too_many",
		[SUBSCRIBE_NOTHING] = "nothing",
	};
	return (unsigned)p < SUBSCRIBE_PROBLEM__MAX ? names[p] : "?";
}

void subscribe_choice_release(struct subscribe_choice *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ntopics; i++)
		term_release(&c->topics[i]);
	free(c->topics);
	c->topics = NULL;
	c->ntopics = 0;
}

static bool slug_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= SLUG_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int subscribe_choice_load(struct store *s, const char *const *slugs, size_t n, bool newsletter,
			  struct subscribe_choice *ret, enum subscribe_problem *ret_problem)
{
	int rc = DP_OK;
	memset(ret, 0, sizeof *ret);
	*ret_problem = SUBSCRIBE_OK;
	ret->newsletter = newsletter;
	if (n > SUB_TOPICS_MAX) {
		*ret_problem = SUBSCRIBE_TOO_MANY;
		return DP_EINVAL;
	}
	if (n && !(ret->topics = calloc(n, sizeof *ret->topics)))
		return DP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t k = 0; k < ret->ntopics && !seen; k++)
			seen = slugs[i] && strcmp(ret->topics[k].slug, slugs[i]) == 0;
		if (seen)
			continue;
		if (!slug_ok(slugs[i])) {
			rc = DP_ENOTFOUND;
		} else {
			rc = store_term_by_slug(s, TERM_TAG, slugs[i], &ret->topics[ret->ntopics]);
			if (!rc)
				ret->ntopics++;
		}
		if (rc == DP_ENOTFOUND) {
			*ret_problem = SUBSCRIBE_BAD_TOPIC;
			rc = DP_EINVAL;
		}
		if (rc)
			goto fail;
	}
	if (!ret->ntopics && !newsletter) {
		*ret_problem = SUBSCRIBE_NOTHING;
		rc = DP_EINVAL;
		goto fail;
	}
	return DP_OK;
fail:
	subscribe_choice_release(ret);
	return rc;
}

bool subscribe_email_ok(const char *email)
{
	return email && strlen(email) <= SUBSCRIBE_EMAIL_MAX && mail_address_valid(email);
}

/* ---- the wording ---- */

static const char *tstr(const json_t *strings, const char *key)
{
	const char *v = json_string_value(json_object_get(strings, key));
	return v ? v : "";
}

/* Appends tpl with each "{name}" of vars (name, value pairs, NULL-ended)
 * replaced by its value; other braces stay as they are. */
static void fill(struct buf *b, const char *tpl, const char *const *vars)
{
	for (const char *p = tpl; *p;) {
		if (*p == '{') {
			bool done = false;
			for (size_t i = 0; vars[i] && !done; i += 2) {
				size_t n = strlen(vars[i]);
				if (strncmp(p + 1, vars[i], n) == 0 && p[1 + n] == '}') {
					buf_puts(b, vars[i + 1]);
					p += n + 2;
					done = true;
				}
			}
			if (done)
				continue;
		}
		buf_putc(b, *p++);
	}
}

char *subscribe_wording(const json_t *strings, const char *site_title,
			const char *const *topic_names, size_t n, bool newsletter)
{
	struct buf topics = BUF_INIT(WORDING_MAX), what = BUF_INIT(WORDING_MAX);
	struct buf out = BUF_INIT(WORDING_MAX);
	const char *and = tstr(strings, "sub_wording_and");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(&topics, i + 1 == n ? and : ", ");
		buf_puts(&topics, tstr(strings, "sub_quote_open"));
		buf_puts(&topics, topic_names[i] ? topic_names[i] : "");
		buf_puts(&topics, tstr(strings, "sub_quote_close"));
	}
	if (newsletter)
		buf_puts(&what, tstr(strings, "sub_wording_newsletter"));
	if (n) {
		if (newsletter)
			buf_puts(&what, and);
		const char *vars[] = { "topics", buf_cstr(&topics), NULL };
		fill(&what, tstr(strings, n == 1 ? "sub_wording_topic" : "sub_wording_topics"), vars);
	}
	const char *vars[] = { "what", buf_cstr(&what), "site", site_title ? site_title : "", NULL };
	fill(&out, tstr(strings, "sub_wording"), vars);
	int err = buf_error(&topics) || buf_error(&what);
	buf_release(&topics);
	buf_release(&what);
	if (err || buf_error(&out)) {
		buf_release(&out);
		return NULL;
	}
	return buf_take(&out, NULL);
}

char *subscribe_choice_wording(const json_t *strings, const char *site_title,
			       const struct subscribe_choice *c)
{
	const char **names = calloc(c->ntopics ? c->ntopics : 1, sizeof *names);
	if (!names)
		return NULL;
	for (size_t i = 0; i < c->ntopics; i++)
		names[i] = c->topics[i].name;
	char *w = subscribe_wording(strings, site_title, names, c->ntopics, c->newsletter);
	free(names);
	return w;
}

void subscribe_wording_version(const char *wording, char out[SUBSCRIBE_VERSION_LEN + 1])
{
	unsigned char h[crypto_generichash_BYTES];
	char hex[2 * crypto_generichash_BYTES + 1];
	crypto_generichash(h, sizeof h, (const unsigned char *)(wording ? wording : ""),
			   wording ? strlen(wording) : 0, NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	memcpy(out, hex, SUBSCRIBE_VERSION_LEN);
	out[SUBSCRIBE_VERSION_LEN] = '\0';
}

/* ---- links ---- */

static bool hex64(const char *s)
{
	return s && strlen(s) == LINK_TOKEN_LEN && strspn(s, "0123456789abcdef") == LINK_TOKEN_LEN;
}

bool subscribe_token_ok(const char *token)
{
	return hex64(token);
}

_Static_assert(SUB_KEY_LEN == LINK_TOKEN_LEN, "manage keys and tokens have one shape");

bool subscribe_key_ok(const char *key)
{
	return hex64(key);
}

char *subscribe_confirm_url(const struct site *site, const char *token)
{
	struct buf b = BUF_INIT(4096);
	buf_puts(&b, site->base_url ? site->base_url : "");
	buf_puts(&b, "/subscribe/confirm/?t=");
	url_arg(&b, token);
	return buf_take(&b, NULL);
}

/* ---- the request ---- */

/* The confirmation mail's own keys. New reference. */
static json_t *confirm_ctx(const struct mail_env *env, const char *email,
			   const struct subscribe_choice *c, const char *wording, const char *url)
{
	const json_t *strings = env->theme ? env->theme->strings : NULL;
	struct buf topics = BUF_INIT(WORDING_MAX);
	json_t *list = json_array();
	for (size_t i = 0; list && i < c->ntopics; i++) {
		if (i)
			buf_puts(&topics, ", ");
		buf_puts(&topics, tstr(strings, "sub_quote_open"));
		buf_puts(&topics, c->topics[i].name);
		buf_puts(&topics, tstr(strings, "sub_quote_close"));
		json_array_append_new(list, json_pack("{s:s, s:s}", "slug", c->topics[i].slug,
						      "name", c->topics[i].name));
	}
	json_t *ctx = json_pack("{s:s, s:s, s:b, s:b, s:o, s:s, s:s}", "confirm_url", url, "email",
				email, "newsletter", c->newsletter, "has_topics", c->ntopics > 0,
				"topics", list, "topics_text", buf_cstr(&topics), "wording", wording);
	buf_release(&topics);
	return ctx;
}

int subscribe_request(const struct mail_env *env, const char *email,
		      const struct subscribe_choice *c, const char *ip,
		      enum subscribe_problem *ret_problem)
{
	char token[LINK_TOKEN_LEN + 1], hash[65], version[SUBSCRIBE_VERSION_LEN + 1];
	char subject[600];
	char *wording = NULL, *topics = NULL, *url = NULL;
	json_t *ctx = NULL;
	bool open = false;
	int rc;

	*ret_problem = SUBSCRIBE_OK;
	if (!env || !env->store || !env->site || !env->theme || !c)
		return DP_EINVAL;
	if (!subscribe_email_ok(email)) {
		*ret_problem = SUBSCRIBE_BAD_EMAIL;
		return DP_EINVAL;
	}
	if (!c->ntopics && !c->newsletter) {
		*ret_problem = SUBSCRIBE_NOTHING;
		return DP_EINVAL;
	}
	const json_t *strings = env->theme->strings;
	struct buf tb = BUF_INIT(SUB_TOPICS_MAX * (SLUG_MAX + 1) + 1);
	for (size_t i = 0; i < c->ntopics; i++) {
		if (i)
			buf_putc(&tb, ' ');
		buf_puts(&tb, c->topics[i].slug);
	}
	topics = buf_take(&tb, NULL);
	wording = subscribe_choice_wording(strings, env->site->title, c);
	if (!topics || !wording) {
		rc = DP_ENOMEM;
		goto out;
	}
	subscribe_wording_version(wording, version);
	link_token_new(token, hash);

	struct consent rec = {
		.wording = wording, .version = version, .topics = topics,
		.newsletter = c->newsletter, .requested_at = env->now,
		.request_ip = (char *)(ip ? ip : ""),
		.expires_at = env->now + SUBSCRIBE_TOKEN_TTL,
	};
	size_t recent = 0;
	if ((rc = store_begin(env->store)))
		goto out;
	open = true;
	rc = store_subscribe_request(env->store, email, &rec, hash, env->now - SUBSCRIBE_FLOOD_WINDOW,
				     &recent);
	if (rc == DP_EINVAL) {
		*ret_problem = SUBSCRIBE_BAD_EMAIL;
		goto out;
	}
	if (rc)
		goto out;
	if (recent >= SUBSCRIBE_FLOOD_MAX) {
		/* Flooded: keep nothing, send nothing, say the same. */
		store_rollback(env->store);
		open = false;
		rc = DP_OK;
		goto out;
	}
	if (!(url = subscribe_confirm_url(env->site, token)) ||
	    !(ctx = confirm_ctx(env, email, c, wording, url))) {
		rc = DP_ENOMEM;
		goto out;
	}
	snprintf(subject, sizeof subject, "%s – %s", tstr(strings, "mail_confirm_subject"),
		 env->site->title ? env->site->title : "");
	struct mail_job job = { .kind = OUTBOX_CONFIRM, .template = "confirm", .subject = subject,
				.to = email, .ctx = ctx };
	if ((rc = mail_queue(env, &job, NULL)))
		goto out;
	rc = store_commit(env->store);
	open = false;
out:
	if (open)
		store_rollback(env->store);
	sodium_memzero(token, sizeof token);
	json_decref(ctx);
	free(url);
	free(wording);
	free(topics);
	return rc;
}

int subscribe_confirm_token(struct store *s, const char *token, const char *ip, int64_t now,
			    struct subscriber *ret)
{
	char hash[65];
	if (ret)
		memset(ret, 0, sizeof *ret);
	if (!subscribe_token_ok(token))
		return DP_ENOTFOUND;
	link_token_hash(token, hash);
	return store_subscribe_confirm(s, hash, ip ? ip : "", now, ret);
}
