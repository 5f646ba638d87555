/* links.c — tokens and signed values in the links of mails (links.h). */
#include "newsletter/links.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

#define MAC_BYTES 16

static unsigned char link_key[crypto_generichash_KEYBYTES];
static int have_key;

void link_token_new(char token[LINK_TOKEN_LEN + 1], char hash[65])
{
	unsigned char raw[LINK_TOKEN_LEN / 2];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, LINK_TOKEN_LEN + 1, raw, sizeof raw);
	link_token_hash(token, hash);
}

void link_token_hash(const char *token, char hash[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hash, 65, h, sizeof h);
}

void link_set_secret(const unsigned char *key, size_t len)
{
	/* Derived, so the same site secret signs comment tickets and links
	 * without one ever standing in for the other. */
	static const char ctx[] = "depesche mail links v1";
	crypto_generichash(link_key, sizeof link_key, (const unsigned char *)ctx, sizeof ctx - 1, key,
			   len < crypto_generichash_KEYBYTES_MIN ? 0 : len > crypto_generichash_KEYBYTES_MAX
										 ? crypto_generichash_KEYBYTES_MAX
										 : len);
	have_key = len >= crypto_generichash_KEYBYTES_MIN;
}

static void mac_hex(const char *msg, size_t len, char out[2 * MAC_BYTES + 1])
{
	unsigned char mac[MAC_BYTES];
	crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, len, link_key, sizeof link_key);
	sodium_bin2hex(out, 2 * MAC_BYTES + 1, mac, sizeof mac);
}

static int action_ok(const char *a)
{
	return strcmp(a, "approve") == 0 || strcmp(a, "reject") == 0;
}

int link_moderation_sign(int64_t comment_id, const char *action, int64_t expires, char *out,
			 size_t outlen)
{
	char msg[LINK_SIGNED_MAX], mac[2 * MAC_BYTES + 1];
	if (!have_key || comment_id <= 0 || !action || !action_ok(action))
		return DP_EINVAL;
	int n = snprintf(msg, sizeof msg, "%" PRId64 ".%s.%" PRId64, comment_id, action, expires);
	if (n < 0 || (size_t)n >= sizeof msg)
		return DP_ETOOBIG;
	mac_hex(msg, (size_t)n, mac);
	if ((size_t)snprintf(out, outlen, "%s.%s", msg, mac) >= outlen)
		return DP_ETOOBIG;
	return DP_OK;
}

int link_moderation_check(const char *value, int64_t now, int64_t *ret_comment_id, char *action,
			  size_t actlen)
{
	char msg[LINK_SIGNED_MAX], want[2 * MAC_BYTES + 1], act[16];
	if (!have_key || !value || strlen(value) >= sizeof msg)
		return DP_EINVAL;
	const char *dot = strrchr(value, '.');
	if (!dot || strlen(dot + 1) != 2 * MAC_BYTES)
		return DP_EINVAL;
	size_t mlen = (size_t)(dot - value);
	memcpy(msg, value, mlen);
	msg[mlen] = '\0';
	mac_hex(msg, mlen, want);
	if (sodium_memcmp(want, dot + 1, 2 * MAC_BYTES) != 0)
		return DP_EINVAL;
	/* Ours, so well-formed; parse strictly all the same. */
	int64_t id, expires;
	int used = 0;
	if (sscanf(msg, "%" SCNd64 ".%15[a-z].%" SCNd64 "%n", &id, act, &expires, &used) != 3 ||
	    (size_t)used != mlen || id <= 0 || !action_ok(act))
		return DP_EINVAL;
	if (now > expires)
		return DP_EBUSY;
	if ((size_t)snprintf(action, actlen, "%s", act) >= actlen)
		return DP_ETOOBIG;
	*ret_comment_id = id;
	return DP_OK;
}
