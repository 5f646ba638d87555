/* admin_common.c — the admin's shared page context, rendering, error pages
 * and small helpers (see admin_common.h). */
#include "page/admin_common.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/auth.h"
#include "page/theme.h"
#include "render/date.h"
#include "render/html.h"
#include "render/mustache.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"

/* The notices a redirect may ask for with ?done=NAME. Anything else shows
 * nothing: the query string is never copied into the page. */
static const char *const notices[] = {
	"approved", "spam", "rejected", "edited", "replied", "none", "saved", "published",
	"scheduled", "unpublished", "deleted", "created", "uploaded", "logout",
};

static const char *const section_names[ADMIN_SEC__MAX] = {
	[ADMIN_SEC_NONE] = "none",
	[ADMIN_SEC_DASHBOARD] = "dashboard",
	[ADMIN_SEC_COMMENTS] = "comments",
	[ADMIN_SEC_POSTS] = "posts",
	[ADMIN_SEC_AUDIT] = "audit",
};

const char *admin_t(const struct http_req *req, const char *key)
{
	const char *s = NULL;
	if (req->theme && req->theme->strings)
		s = json_string_value(json_object_get(req->theme->strings, key));
	return s ? s : key;
}

bool admin_role_in(const struct http_req *req, unsigned mask)
{
	if (req->auth.user_id == 0 && req->auth.name[0] == '\0')
		return false;
	if ((unsigned)req->auth.role >= ROLE__MAX)
		return false;
	return (mask & (1u << req->auth.role)) != 0;
}

bool admin_can_edit_article(const struct http_req *req, const struct article *a)
{
	if (admin_role_in(req, (1u << ROLE_ADMIN) | (1u << ROLE_EDITOR)))
		return true;
	if (!admin_role_in(req, 1u << ROLE_AUTHOR))
		return false;
	return a->author.id != 0 && a->author.name && strcmp(a->author.name, req->auth.name) == 0;
}

int64_t admin_parse_id(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return 0;
	int64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

int64_t admin_query_num(const struct http_req *req, const char *name, int64_t def, int64_t max)
{
	int64_t v = admin_parse_id(http_query(req, name));
	if (v < 1)
		return def;
	return v > max ? max : v;
}

int admin_redirect_done(struct http_res *res, const char *path, const char *done,
			const char *extra)
{
	char loc[512];
	int n = snprintf(loc, sizeof loc, "%s?done=%s%s", path, done, extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof loc)
		return DP_ETOOBIG;
	return http_res_redirect(res, loc);
}

void admin_fmt_time(const struct http_req *req, int64_t t, char *human, size_t hlen, char *iso,
		    size_t ilen)
{
	char day[64], hm[16];
	time_t tt = (time_t)t;
	struct tm tm;
	date_human(day, sizeof day, t, req->site->lang);
	localtime_r(&tt, &tm);
	strftime(hm, sizeof hm, "%H:%M", &tm);
	snprintf(human, hlen, "%s, %s", day, hm);
	time_fmt_iso_local(iso, ilen, t);
}

int admin_audit_add(struct http_req *req, const char *action, const char *object,
		    const char *detail)
{
	const char *actor = req->auth.name[0] ? req->auth.name : "?";
	return store_audit_add(req->store, actor, action, object, detail ? detail : "");
}

/* "/assets/admin.css?v=HASH": the hash changes with the file, so the asset
 * can be cached for long. */
static void admin_css_url(const struct http_req *req, char *out, size_t len)
{
	const struct theme_asset *a = req->theme ? theme_asset(req->theme, "admin.css") : NULL;
	unsigned char h[8];
	char hex[17];
	crypto_generichash(h, sizeof h, a ? (const unsigned char *)a->data : NULL, a ? a->len : 0,
			   NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(out, len, "/assets/admin.css?v=%s", hex);
}

static const char *notice_name(const struct http_req *req)
{
	const char *done = http_query(req, "done");
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++)
		if (strcmp(done, notices[i]) == 0)
			return notices[i];
	return NULL;
}

json_t *admin_ctx_new(struct http_req *req, enum admin_section sec)
{
	char css[96], key[64];
	admin_css_url(req, css, sizeof css);
	json_t *t = req->theme && req->theme->strings ? json_incref(req->theme->strings)
						      : json_object();
	json_t *ctx = json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:{s:b}}",
				"site", "title", req->site->title, "lang", req->site->lang,
				"home_url", "/", "admin_css_url", css,
				"t", t, "nav", section_names[sec], 1);
	if (!ctx)
		return NULL;

	bool signed_in = req->auth.user_id != 0 || req->auth.name[0] != '\0';
	if (signed_in && (unsigned)req->auth.role < ROLE__MAX) {
		const char *role = role_name(req->auth.role);
		snprintf(key, sizeof key, "admin_role_%s", role);
		json_t *user = json_pack("{s:s, s:s, s:s}", "name", req->auth.name, "role", role,
					 "role_label", admin_t(req, key));
		snprintf(key, sizeof key, "is_%s", role);
		json_object_set_new(user, key, json_true());
		json_object_set_new(ctx, "user", user);
		json_object_set_new(ctx, "csrf", json_string(req->auth.csrf));
		bool com = admin_role_in(req, ADMIN_ROLES_COMMENTS);
		json_object_set_new(ctx, "can",
				    json_pack("{s:b, s:b, s:b}", "comments", com, "posts",
					      admin_role_in(req, ADMIN_ROLES_POSTS), "audit",
					      admin_role_in(req, ADMIN_ROLES_AUDIT)));
		size_t pending = 0;
		if (com && store_comment_count(req->store, COMMENT_PENDING, &pending) == DP_OK) {
			json_object_set_new(ctx, "pending", json_integer((json_int_t)pending));
			json_object_set_new(ctx, "has_pending", json_boolean(pending > 0));
		}
	}
	const char *done = notice_name(req);
	if (done) {
		snprintf(key, sizeof key, "admin_done_%s", done);
		json_object_set_new(ctx, "notice", json_string(admin_t(req, key)));
	}
	return ctx;
}

int admin_render(struct http_req *req, struct http_res *res, unsigned status, const char *name,
		 json_t *ctx)
{
	char tpl[96];
	snprintf(tpl, sizeof tpl, "admin/%s", name);
	buf_reset(&res->body);
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	int rc = mustache_set_render(req->theme->templates, tpl, ctx, &res->body);
	if (rc)
		return rc;
	return buf_error(&res->body); /* the router adds Cache-Control: no-store */
}

int admin_error(struct http_req *req, struct http_res *res, unsigned status,
		const char *message_key)
{
	char key[48];
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_NONE);
	if (!ctx)
		return DP_ENOMEM;
	snprintf(key, sizeof key, "admin_error_%u", status);
	const char *title = admin_t(req, key);
	if (title == key) /* no string for this status */
		title = admin_t(req, "admin_error_500");
	snprintf(key, sizeof key, "admin_error_%u_text", status);
	const char *text = message_key ? admin_t(req, message_key) : admin_t(req, key);
	if (text == key)
		text = admin_t(req, "admin_error_500_text");
	json_object_set_new(ctx, "error",
			    json_pack("{s:i, s:s, s:s}", "status", (int)status, "title", title,
				      "text", text));
	int rc = admin_render(req, res, status, "error", ctx);
	json_decref(ctx);
	return rc;
}

int admin_forbidden(struct http_req *req, struct http_res *res)
{
	return admin_error(req, res, 403, NULL);
}
