/* subscribe.h — signing up for mail without HTTP: checking what a form
 * asks for, the consent wording a person agrees to (and its version), the
 * double opt-in request with its confirmation mail, confirming, and the
 * checks of the secrets in links. The web pages (page/subscribe.c) and any
 * other front end use it.
 *
 * The answer to a sign-up never tells whether an address is known: a new,
 * pending, confirmed or flooded address gets DP_OK alike. */
#ifndef DEPESCHE_NEWSLETTER_SUBSCRIBE_H
#define DEPESCHE_NEWSLETTER_SUBSCRIBE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "newsletter/compose.h"
#include "store/store.h"

struct site;

#define SUBSCRIBE_EMAIL_MAX 254            /* bytes of an address */
#define SUBSCRIBE_TOKEN_TTL (48 * 3600)     /* a confirmation link lives this long */
#define SUBSCRIBE_FLOOD_MAX 3               /* confirmation mails per address ... */
#define SUBSCRIBE_FLOOD_WINDOW (24 * 3600)  /* ... in this many seconds */
#define SUBSCRIBE_VERSION_LEN 16            /* hex characters of a wording's version */

/* Why a sign-up was refused (the reader can fix each of these). */
enum subscribe_problem {
	SUBSCRIBE_OK,
	SUBSCRIBE_BAD_EMAIL,      /* not an addr-spec mail_address_valid() takes, or too long */
	SUBSCRIBE_BAD_TOPIC,      /* a topic that is no tag of the site */
	SUBSCRIBE_TOO_MANY,       /* more than SUB_TOPICS_MAX topics */
	SUBSCRIBE_NOTHING,        /* neither a topic nor the newsletter */
	SUBSCRIBE_PROBLEM__MAX
};

/* "ok", "bad_email", "bad_topic", "too_many", "nothing" (static). */
const char *subscribe_problem_name(enum subscribe_problem p);

/* What a person asks for, the topics resolved to the site's tags. */
struct subscribe_choice {
	struct term *topics;      /* ntopics tags (slug and name), in the order asked, no repeats */
	size_t ntopics;
	bool newsletter;
};
/* NULL-tolerant; frees the topics, not c itself. */
void subscribe_choice_release(struct subscribe_choice *c);

/* Resolves n tag slugs (repeats dropped) into *ret. DP_EINVAL with
 * *ret_problem set when a slug is no tag, when there are more than
 * SUB_TOPICS_MAX, or when neither a topic nor the newsletter is asked for;
 * DP_EDB and friends from the store. */
int subscribe_choice_load(struct store *s, const char *const *slugs, size_t n, bool newsletter,
			  struct subscribe_choice *ret, enum subscribe_problem *ret_problem);

/* True for an address we send to: at most SUBSCRIBE_EMAIL_MAX bytes and
 * mail_address_valid(). */
bool subscribe_email_ok(const char *email);

/* The consent text a form shows for a choice and the sign-up stores, built
 * from the theme's strings (sub_wording, sub_wording_newsletter,
 * sub_wording_topic, sub_wording_topics, sub_wording_and, sub_quote_open,
 * sub_quote_close) naming the site, the topics and the newsletter.
 * topic_names: n tag names. malloc'd; NULL when out of memory. */
char *subscribe_wording(const json_t *strings, const char *site_title,
			const char *const *topic_names, size_t n, bool newsletter);
/* The same for a resolved choice. */
char *subscribe_choice_wording(const json_t *strings, const char *site_title,
			       const struct subscribe_choice *c);
/* The wording's version: the first 16 hex characters of its BLAKE2b hash. */
void subscribe_wording_version(const char *wording, char out[SUBSCRIBE_VERSION_LEN + 1]);

/* Signs email up for c: records the request (wording, version, topics,
 * newsletter, time, ip, a fresh token valid SUBSCRIBE_TOKEN_TTL) and queues
 * the confirmation mail (template "confirm"), in one transaction. When the
 * address already had SUBSCRIBE_FLOOD_MAX requests in SUBSCRIBE_FLOOD_WINDOW
 * nothing is stored or sent, and the answer is DP_OK all the same.
 * DP_EINVAL with *ret_problem for a bad address. env->store is used. */
int subscribe_request(const struct mail_env *env, const char *email,
		      const struct subscribe_choice *c, const char *ip,
		      enum subscribe_problem *ret_problem);

/* BASE/subscribe/confirm/?t=TOKEN (malloc'd). */
char *subscribe_confirm_url(const struct site *site, const char *token);

/* A confirmation link's token and a subscriber's manage key have exactly
 * 64 lower-case hex characters; anything else finds nothing. */
bool subscribe_token_ok(const char *token);
bool subscribe_key_ok(const char *key);

/* Follows a confirmation link (store_subscribe_confirm): DP_OK with the
 * subscriber in *ret (optional), DP_ENOTFOUND for a malformed, unknown or
 * used token, DP_EBUSY for an expired one. */
int subscribe_confirm_token(struct store *s, const char *token, const char *ip, int64_t now,
			    struct subscriber *ret);

#endif
