/* auth.c — argon2id passwords, sessions, CSRF, API tokens, login throttling. */
#include "http/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "http/ratelimit.h"
#include "util/err.h"

static const char *const role_names[ROLE__MAX] = {
	[ROLE_ADMIN] = "admin", [ROLE_EDITOR] = "editor",
	[ROLE_AUTHOR] = "author", [ROLE_MODERATOR] = "moderator",
};

const char *role_name(enum role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "?";
}

int role_parse(const char *s, enum role *ret)
{
	for (int i = 0; s && i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*ret = (enum role)i;
			return DP_OK;
		}
	return DP_EINVAL;
}

int auth_password_hash(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES || sodium_init() < 0)
		return DP_EINVAL;
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return DP_ENOMEM;
	return DP_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
	if (!hash || !password || sodium_init() < 0)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_random_token(char *out)
{
	unsigned char b[32];
	randombytes_buf(b, sizeof b);
	sodium_bin2hex(out, AUTH_HASH_HEX, b, sizeof b);
}

void auth_token_hash(const char *token, char *out)
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, AUTH_HASH_HEX, h, sizeof h);
}

static void fill_auth(struct http_req *req, const struct user *u, const char *csrf, bool token)
{
	req->auth.user_id = u->id;
	snprintf(req->auth.name, sizeof req->auth.name, "%s", u->name);
	req->auth.role = u->role;
	snprintf(req->auth.csrf, sizeof req->auth.csrf, "%s", csrf ? csrf : "");
	req->auth.via_token = token;
}

static int set_cookie(struct http_req *req, struct http_res *res, const char *value, long max_age)
{
	char c[256];
	snprintf(c, sizeof c, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
		 AUTH_SESSION_COOKIE, value, max_age, req->https ? "; Secure" : "");
	return http_res_header(res, "Set-Cookie", c);
}

int auth_session_start(struct http_req *req, struct http_res *res, const struct user *u)
{
	char id[AUTH_HASH_HEX], hash[AUTH_HASH_HEX], csrf[AUTH_HASH_HEX];
	auth_random_token(id);
	auth_random_token(csrf);
	auth_token_hash(id, hash);
	int rc = store_session_add(req->store, hash, u->id, csrf, req->now + AUTH_SESSION_TTL);
	if (rc)
		return rc;
	fill_auth(req, u, csrf, false);
	return set_cookie(req, res, id, AUTH_SESSION_TTL);
}

/* The session id of the request's cookie, if it looks like one. */
static const char *cookie_id(const struct http_req *req)
{
	const char *id = http_cookie(req, AUTH_SESSION_COOKIE);
	if (!id || strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return NULL;
	return id;
}

int auth_session_end(struct http_req *req, struct http_res *res)
{
	const char *id = cookie_id(req);
	if (id) {
		char hash[AUTH_HASH_HEX];
		auth_token_hash(id, hash);
		store_session_delete(req->store, hash);
	}
	memset(&req->auth, 0, sizeof req->auth);
	return set_cookie(req, res, "", 0);
}

int auth_session_load(struct http_req *req)
{
	const char *id = cookie_id(req);
	if (!id)
		return DP_ENOTFOUND;
	char hash[AUTH_HASH_HEX];
	auth_token_hash(id, hash);
	struct session se = { 0 };
	struct user u = { 0 };
	int rc = store_session_get(req->store, hash, req->now, &se);
	if (!rc)
		rc = store_user_by_id(req->store, se.user_id, &u);
	if (!rc)
		fill_auth(req, &u, se.csrf, false);
	session_release(&se);
	user_release(&u);
	return rc;
}

int auth_token_load(struct http_req *req)
{
	const char *h = http_header(req, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return DP_ENOTFOUND;
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	if (strlen(tok) != 64 || strspn(tok, "0123456789abcdef") != 64)
		return DP_ENOTFOUND;
	char hash[AUTH_HASH_HEX];
	auth_token_hash(tok, hash);
	struct api_token t = { 0 };
	int rc = store_token_by_hash(req->store, hash, &t);
	if (!rc) {
		struct user u = { .id = -t.id, .name = t.name, .role = t.role };
		fill_auth(req, &u, NULL, true);
	}
	api_token_release(&t);
	return rc;
}

bool auth_csrf_ok(const struct http_req *req, const char *token)
{
	size_t n = strlen(req->auth.csrf);
	if (!token || n != 64 || strlen(token) != n)
		return false;
	return sodium_memcmp(token, req->auth.csrf, n) == 0;
}

/* 5 failures per 15 minutes, per address and per account. */
static struct ratelimit *login_by_ip, *login_by_name;
static pthread_once_t login_once = PTHREAD_ONCE_INIT;

static void login_init(void)
{
	ratelimit_new(5.0 / 900.0, 5.0, &login_by_ip);
	ratelimit_new(5.0 / 900.0, 5.0, &login_by_name);
}

bool auth_login_allowed(const char *ip, const char *name, int64_t now)
{
	(void)now;
	pthread_once(&login_once, login_init);
	int64_t ms = ratelimit_now_ms();
	return login_by_ip && login_by_name && ratelimit_peek(login_by_ip, ip ? ip : "", ms) &&
	       ratelimit_peek(login_by_name, name ? name : "", ms);
}

void auth_login_failed(const char *ip, const char *name, int64_t now)
{
	(void)now;
	pthread_once(&login_once, login_init);
	int64_t ms = ratelimit_now_ms();
	if (login_by_ip)
		ratelimit_take(login_by_ip, ip ? ip : "", ms);
	if (login_by_name)
		ratelimit_take(login_by_name, name ? name : "", ms);
}

void auth_login_succeeded(const char *ip, const char *name)
{
	pthread_once(&login_once, login_init);
	(void)ip; /* an address may hold several accounts: only the account's failures go */
	if (login_by_name)
		ratelimit_reset(login_by_name, name ? name : "");
}
