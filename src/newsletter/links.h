/* links.h — the secrets in links of mails: random single-use tokens (only
 * their hash is stored) and signed, expiring links that need no storage
 * (a moderator's approve/reject link). */
#ifndef DEPESCHE_NEWSLETTER_LINKS_H
#define DEPESCHE_NEWSLETTER_LINKS_H

#include <stddef.h>
#include <stdint.h>

#define LINK_TOKEN_LEN 64      /* hex characters of a token (32 random bytes) */
#define LINK_SIGNED_MAX 160    /* bytes of a signed link value with its NUL */
#define LINK_MODERATION_TTL (7 * 24 * 3600)

/* A fresh random token (LINK_TOKEN_LEN hex + NUL) and its hash as stored
 * (64 hex + NUL). */
void link_token_new(char token[LINK_TOKEN_LEN + 1], char hash[65]);
/* The hash of a token from a link (any string; a wrong one simply finds
 * nothing). */
void link_token_hash(const char *token, char hash[65]);

/* Sets the key that signs links (the site's secret, read from the database
 * at start by serve and by mail run). */
void link_set_secret(const unsigned char *key, size_t len);

/* A signed value "<comment id>.<action>.<expires>.<mac>" for a moderation
 * link; action is "approve" or "reject". */
int link_moderation_sign(int64_t comment_id, const char *action, int64_t expires, char *out,
			 size_t outlen);
/* Checks one: DP_OK with the comment id and action (out, actlen bytes) when
 * it is ours and not expired at now; DP_EINVAL when forged or malformed,
 * DP_EBUSY when expired. */
int link_moderation_check(const char *value, int64_t now, int64_t *ret_comment_id, char *action,
			  size_t actlen);

#endif
