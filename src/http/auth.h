/* auth.h — passwords (argon2id), browser sessions, CSRF tokens, API bearer
 * tokens and login throttling. Library code: no logging. */
#ifndef DEPESCHE_HTTP_AUTH_H
#define DEPESCHE_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "store/store.h"

#define AUTH_SESSION_COOKIE "depesche_session"
#define AUTH_SESSION_TTL (12 * 3600)   /* seconds */
#define AUTH_PASSWORD_MIN 10           /* characters */
#define AUTH_PASSWORD_MAX 1024         /* bytes */
#define AUTH_HASH_HEX 65               /* 32-byte hashes as hex + NUL */

/* argon2id via libsodium (crypto_pwhash_str, interactive limits). out must
 * hold crypto_pwhash_STRBYTES (128). */
int auth_password_hash(const char *password, char *out, size_t outlen);
/* true when password matches hash (constant time). */
bool auth_password_verify(const char *hash, const char *password);

/* A fresh random token: 32 bytes as 64 hex digits (out: 65 bytes). */
void auth_random_token(char *out);
/* BLAKE2b-256 of token as hex (out: 65 bytes): what the database keeps. */
void auth_token_hash(const char *token, char *out);

/* Starts a session for user u: stores it, sets the cookie on res (HttpOnly,
 * SameSite=Strict, Path=/, Secure when req->https) and fills req->auth. */
int auth_session_start(struct http_req *req, struct http_res *res, const struct user *u);
/* Ends the caller's session (if any) and clears the cookie. */
int auth_session_end(struct http_req *req, struct http_res *res);
/* Fills req->auth from the session cookie; DP_ENOTFOUND without a valid one. */
int auth_session_load(struct http_req *req);
/* Fills req->auth from "Authorization: Bearer TOKEN"; DP_ENOTFOUND without a valid one. */
int auth_token_load(struct http_req *req);
/* true when token equals the session's CSRF token (constant time). */
bool auth_csrf_ok(const struct http_req *req, const char *token);

/* Login throttling (in memory, per client address and per account name):
 * after 5 failures in 15 minutes further attempts are refused until the
 * window passes. */
bool auth_login_allowed(const char *ip, const char *name, int64_t now);
void auth_login_failed(const char *ip, const char *name, int64_t now);
void auth_login_succeeded(const char *ip, const char *name);

const char *role_name(enum role r);        /* "admin", ... */
int role_parse(const char *s, enum role *ret);

#endif
