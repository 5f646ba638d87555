/* admin_login.c — signing in and out of the admin, and its start page.
 *
 * A failed, unknown or throttled login all get the same answer, so the page
 * tells nobody which names exist or that an address is being throttled. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "http/auth.h"
#include "page/admin.h"
#include "page/admin_common.h"
#include "page/admin_mail.h"
#include "util/err.h"

#define ADMIN_NAME_MAX 127
#define NEXT_MAX 256

/* A place to go after signing in: a local admin path of harmless
 * characters, never another host ("//x", "/\x"), never a parent ("..").
 * Returns next itself or NULL. */
static const char *safe_next(const char *next)
{
	if (!next || strncmp(next, "/admin/", 7) != 0 || strlen(next) > NEXT_MAX)
		return NULL;
	if (strstr(next, "//") || strstr(next, ".."))
		return NULL;
	for (const char *p = next; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("/-_.?=&%", c)))
			return NULL;
	}
	return next;
}

static int login_page(struct http_req *req, struct http_res *res, unsigned status,
		      const char *name, const char *next, bool failed)
{
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_NONE);
	if (!ctx)
		return DP_ENOMEM;
	/* The login page belongs to nobody yet: no user, nav or badge. */
	json_object_del(ctx, "user");
	json_object_del(ctx, "can");
	json_object_del(ctx, "pending");
	json_object_del(ctx, "csrf");
	if (name)
		json_object_set_new(ctx, "name", json_string(name));
	if (next)
		json_object_set_new(ctx, "next", json_string(next));
	if (failed)
		json_object_set_new(ctx, "error", json_string(admin_t(req, "admin_login_failed")));
	int rc = admin_render(req, res, status, "login", ctx);
	json_decref(ctx);
	return rc;
}

int admin_login_form(struct http_req *req, struct http_res *res)
{
	return login_page(req, res, 200, NULL, safe_next(http_query(req, "next")), false);
}

int admin_login(struct http_req *req, struct http_res *res)
{
	const char *name = form_get(&req->form, "name");
	const char *password = form_get(&req->form, "password");
	const char *next = safe_next(form_get(&req->form, "next"));
	const char *ip = req->client_ip ? req->client_ip : "";
	struct user u = { 0 };
	bool ok = false;
	int rc = DP_OK;

	/* Names are echoed back into the form only when they are sane. */
	if (!name || !*name || strlen(name) > ADMIN_NAME_MAX || !password || !*password ||
	    strlen(password) > AUTH_PASSWORD_MAX)
		return login_page(req, res, 403, NULL, next, true);
	if (!auth_login_allowed(ip, name, req->now))
		return login_page(req, res, 403, name, next, true);

	rc = store_user_by_name(req->store, name, &u);
	if (rc == DP_OK) {
		ok = auth_password_verify(u.pwhash, password);
	} else if (rc == DP_ENOTFOUND) {
		/* Spend the time a verification takes, so an unknown name does
		 * not answer faster than a known one. */
		char dummy[crypto_pwhash_STRBYTES];
		auth_password_hash(password, dummy, sizeof dummy);
		rc = DP_OK;
	} else {
		goto out;
	}
	if (!ok) {
		auth_login_failed(ip, name, req->now);
		rc = login_page(req, res, 403, name, next, true);
		goto out;
	}
	auth_login_succeeded(ip, name);
	rc = auth_session_start(req, res, &u);
	if (rc)
		goto out;
	rc = http_res_redirect(res, next ? next : "/admin/");
out:
	user_release(&u);
	return rc;
}

int admin_logout(struct http_req *req, struct http_res *res)
{
	int rc = auth_session_end(req, res);
	if (rc)
		return rc;
	return http_res_redirect(res, "/admin/login?done=logout");
}

int admin_dashboard(struct http_req *req, struct http_res *res)
{
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_DASHBOARD);
	int rc = DP_OK;
	if (!ctx)
		return DP_ENOMEM;
	if (admin_role_in(req, ADMIN_ROLES_COMMENTS)) {
		static const enum comment_status shown[] = { COMMENT_PENDING, COMMENT_APPROVED,
							     COMMENT_SPAM, COMMENT_REJECTED };
		static const char *const names[] = { "pending", "approved", "spam", "rejected" };
		json_t *counts = json_array();
		for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
			size_t n = 0;
			char key[48], url[64];
			rc = store_comment_count(req->store, shown[i], &n);
			if (rc)
				goto out;
			snprintf(key, sizeof key, "admin_status_%s", names[i]);
			snprintf(url, sizeof url, "/admin/comments?status=%s", names[i]);
			json_array_append_new(counts, json_pack("{s:s, s:s, s:I}", "label",
								admin_t(req, key), "url", url,
								"count", (json_int_t)n));
		}
		json_object_set_new(ctx, "comment_counts", counts);
	}
	rc = admin_mail_summary(req, ctx);
	if (rc)
		goto out;
	rc = admin_render(req, res, 200, "dashboard", ctx);
out:
	json_decref(ctx);
	return rc;
}
