/* admin_settings.c — the site's settings (site/settings.h, the same table
 * and the same checks as `depesche config set`) as a form for admins: one
 * field per setting by its type, grouped; every field is checked before
 * anything is written, and a bad one is named next to its field (400, the
 * input kept). Secrets are password fields that are never filled in: left
 * empty they keep the stored value. Only changed settings are written; the
 * audit log names their keys, never a value.
 *
 * The running server read site.json at its start: most changes apply after
 * a restart. The mail sender and the dispatcher read the mail settings
 * afresh every round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "page/admin_mail.h"
#include "render/html.h"
#include "site/settings.h"
#include "site/site.h"
#include "util/err.h"
#include "util/utf8.h"

#define VALUE_MAX 8192          /* bytes of one field (site/settings.c caps each type lower) */
#define AUDIT_KEYS_MAX 900      /* bytes of the key list in the audit entry */

enum group { GROUP_GENERAL, GROUP_COMMENTS, GROUP_MAIL, GROUP_RELAY, GROUP__MAX };

static const char *const group_names[GROUP__MAX] = {
	[GROUP_GENERAL] = "general",
	[GROUP_COMMENTS] = "comments",
	[GROUP_MAIL] = "mail",
	[GROUP_RELAY] = "relay",
};

static enum group group_of(const struct setting *s)
{
	if (strncmp(s->key, "smtp.", 5) == 0)
		return GROUP_RELAY;
	if (strncmp(s->key, "mail.", 5) == 0)
		return GROUP_MAIL;
	if (strncmp(s->key, "comment", 7) == 0 || strcmp(s->key, "auto_spam_score") == 0 ||
	    strcmp(s->key, "blocklist") == 0)
		return GROUP_COMMENTS;
	return GROUP_GENERAL;
}

/* "smtp.url" -> "smtp_url" (t keys) or "smtp-url" (element ids). */
static void key_with(char *out, size_t len, const char *key, char sep)
{
	size_t i = 0;
	for (; key[i] && i + 1 < len; i++)
		out[i] = key[i] == '.' || key[i] == '_' ? sep : key[i];
	out[i] = '\0';
}

static void fmt_num(char *out, size_t len, double d)
{
	snprintf(out, len, "%.15g", d);
}

/* Replaces {min}, {max} and {choices} in the theme's sentence tpl. */
static void fill(struct buf *b, const char *tpl, const struct setting *s)
{
	char min[32], max[32], choices[128];
	fmt_num(min, sizeof min, s->min);
	fmt_num(max, sizeof max, s->max);
	snprintf(choices, sizeof choices, "%s", s->choices ? s->choices : "");
	for (char *p = choices; *p; p++)
		if (*p == '|')
			*p = ',';
	for (const char *p = tpl; *p;) {
		if (strncmp(p, "{min}", 5) == 0) {
			buf_puts(b, min);
			p += 5;
		} else if (strncmp(p, "{max}", 5) == 0) {
			buf_puts(b, max);
			p += 5;
		} else if (strncmp(p, "{choices}", 9) == 0) {
			buf_puts(b, choices);
			p += 9;
		} else {
			buf_putc(b, *p++);
		}
	}
}

/* The sentence that explains what setting s takes, in the site's language. */
static char *problem_text(const struct http_req *req, const struct setting *s, bool empty)
{
	const char *key;
	switch (s->type) {
	case SETTING_BOOL: key = "admin_mail_set_err_bool"; break;
	case SETTING_INT: key = "admin_mail_set_err_int"; break;
	case SETTING_FLOAT: key = "admin_mail_set_err_float"; break;
	case SETTING_URL: key = "admin_mail_set_err_url"; break;
	case SETTING_EMAIL: key = "admin_mail_set_err_email"; break;
	case SETTING_LIST: key = "admin_mail_set_err_list"; break;
	default:
		key = s->choices ? "admin_mail_set_err_choice"
		      : s->zone ? "admin_mail_set_err_zone" : "admin_mail_set_err_text";
	}
	if (empty && s->type != SETTING_BOOL && s->min >= 1 && !s->choices)
		key = "admin_mail_set_err_empty";
	struct buf b = BUF_INIT(4096);
	fill(&b, admin_t(req, key), s);
	buf_putc(&b, '\0');
	return buf_take(&b, NULL);
}

/* What the form sent for s: NULL when the field is absent (unchanged).
 * Booleans come as a hidden "false" and, when ticked, a "true". */
static const char *form_value(const struct http_req *req, const struct setting *s)
{
	if (s->type == SETTING_BOOL) {
		const char *v[4];
		size_t n = form_get_all(&req->form, s->key, v, 4);
		if (n == 0)
			return NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i], "true") == 0)
				return "true";
		return "false";
	}
	return form_get(&req->form, s->key);
}

/* One field's outcome after checking. */
struct field {
	const struct setting *s;
	char *value;             /* trimmed input (malloc'd), NULL when absent */
	bool change, unset;      /* write it / remove it (its default applies) */
	char *error;             /* the sentence for the user (malloc'd) */
	char detail[256];        /* the engine's own words (English) */
};

static char *trimmed(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return strndup(v, n);
}

/* Checks one field against what doc holds; sets change/unset/error. */
static int check_field(struct http_req *req, json_t *doc, struct field *f)
{
	const struct setting *s = f->s;
	const char *in = form_value(req, s);
	if (!in)
		return DP_OK;
	if (strlen(in) > VALUE_MAX || !utf8_valid(in, strlen(in))) {
		f->error = problem_text(req, s, false);
		return f->error ? DP_OK : DP_ENOMEM;
	}
	if (s->secret) {
		/* Empty keeps the stored secret; a ticked "clear" removes it. */
		const char *v[16];
		size_t n = form_get_all(&req->form, "clear", v, 16);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i], s->key) == 0) {
				f->change = f->unset = settings_lookup(doc, s->key) != NULL;
				return DP_OK;
			}
		}
		json_t *cur = settings_lookup(doc, s->key);
		if (!*in || (json_is_string(cur) && strcmp(json_string_value(cur), in) == 0))
			return DP_OK;
		f->value = strdup(in);
	} else {
		f->value = trimmed(in);
	}
	if (!f->value)
		return DP_ENOMEM;
	if (!s->secret) {
		char *now = settings_format(s, doc);
		if (!now)
			return DP_ENOMEM;
		bool same = strcmp(now, f->value) == 0;
		free(now);
		if (same)
			return DP_OK;
	}
	/* Empty where the default is empty: back to the default. */
	if (!*f->value && !*s->def && s->type != SETTING_BOOL) {
		f->change = f->unset = true;
		return DP_OK;
	}
	json_t *v = NULL;
	if (settings_parse(s, f->value, &v, f->detail, sizeof f->detail) != DP_OK) {
		f->error = problem_text(req, s, !*f->value);
		return f->error ? DP_OK : DP_ENOMEM;
	}
	json_decref(v);
	f->change = true;
	return DP_OK;
}

static json_t *field_obj(struct http_req *req, json_t *doc, const struct field *f)
{
	const struct setting *s = f->s;
	char tkey[96], id[96], num[32];
	key_with(id, sizeof id, s->key, '-');
	key_with(tkey, sizeof tkey, s->key, '_');
	char label_key[128], hint_key[128];
	snprintf(label_key, sizeof label_key, "admin_mail_setting_%s", tkey);
	snprintf(hint_key, sizeof hint_key, "admin_mail_setting_%s_hint", tkey);
	const char *label = admin_t(req, label_key);
	const char *hint = admin_t(req, hint_key);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", s->key, "id", id, "label",
			      strcmp(label, label_key) ? label : s->key, "hint",
			      strcmp(hint, hint_key) ? hint : s->help, "type",
			      settings_type_name(s->type));
	if (!o)
		return NULL;
	/* The value shown: what was typed (after an error), else the stored
	 * one; never a secret. */
	char *stored = settings_format(s, doc);
	const char *shown = f->value && !s->secret ? f->value : stored ? stored : "";
	if (s->secret) {
		json_object_set_new(o, "is_secret", json_true());
		json_t *cur = settings_lookup(doc, s->key);
		json_object_set_new(o, "secret_set",
				    json_boolean(json_is_string(cur) && json_string_length(cur) > 0));
	} else if (s->type == SETTING_BOOL) {
		json_object_set_new(o, "is_bool", json_true());
		json_object_set_new(o, "checked", json_boolean(strcmp(shown, "true") == 0));
	} else if ((s->type == SETTING_INT || s->type == SETTING_FLOAT) && !f->error) {
		json_object_set_new(o, "is_number", json_true());
		json_object_set_new(o, "value", json_string(shown));
		fmt_num(num, sizeof num, s->min);
		json_object_set_new(o, "min", json_string(num));
		fmt_num(num, sizeof num, s->max);
		json_object_set_new(o, "max", json_string(num));
		json_object_set_new(o, "step", json_string(s->type == SETTING_INT ? "1" : "any"));
	} else if (s->type == SETTING_STRING && s->choices) {
		json_object_set_new(o, "is_select", json_true());
		json_t *opts = json_array();
		for (const char *p = s->choices; *p;) {
			size_t n = strcspn(p, "|");
			json_t *opt = json_pack("{s:s%, s:b}", "value", p, n, "selected",
						strlen(shown) == n && strncmp(shown, p, n) == 0);
			json_array_append_new(opts, opt);
			p += n;
			if (*p == '|')
				p++;
		}
		json_object_set_new(o, "options", opts);
	} else {
		json_object_set_new(o, "is_text", json_true());
		json_object_set_new(o, "value", json_string(shown));
		if (s->max > 0 && s->type != SETTING_LIST) {
			fmt_num(num, sizeof num, s->max);
			json_object_set_new(o, "maxlength", json_string(num));
		}
		if (s->type == SETTING_INT || s->type == SETTING_FLOAT) /* a bad number, kept as typed */
			json_object_set_new(o, "inputmode",
					    json_string(s->type == SETTING_INT ? "numeric" : "decimal"));
		if (s->type == SETTING_URL || s->type == SETTING_EMAIL || s->zone)
			json_object_set_new(o, "code", json_true());
	}
	free(stored);
	if (f->error) {
		json_object_set_new(o, "field_error", json_string(f->error));
		if (f->detail[0])
			json_object_set_new(o, "field_error_detail", json_string(f->detail));
	}
	return o;
}

static int settings_page(struct http_req *req, struct http_res *res, unsigned status, json_t *doc,
			 const struct field *fields, size_t n, const char *error,
			 const char *error_detail)
{
	json_t *ctx = admin_mail_ctx_new(req, ADMIN_MAIL_SETTINGS);
	if (!ctx)
		return DP_ENOMEM;
	json_t *groups[GROUP__MAX];
	json_t *arr = json_array();
	for (int g = 0; g < GROUP__MAX; g++) {
		char key[64];
		groups[g] = json_array();
		snprintf(key, sizeof key, "admin_mail_set_group_%s", group_names[g]);
		json_t *go = json_pack("{s:s, s:s, s:o}", "name", group_names[g], "label",
				       admin_t(req, key), "fields", groups[g]);
		snprintf(key, sizeof key, "admin_mail_set_group_%s_hint", group_names[g]);
		json_object_set_new(go, "hint", json_string(admin_t(req, key)));
		json_array_append_new(arr, go);
	}
	size_t errors = 0;
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(groups[group_of(fields[i].s)], field_obj(req, doc, &fields[i]));
		if (fields[i].error)
			errors++;
	}
	json_object_set_new(ctx, "groups", arr);
	if (errors)
		json_object_set_new(ctx, "error",
				    json_string(admin_t(req, "admin_mail_set_check_fields")));
	if (error)
		json_object_set_new(ctx, "error", json_string(admin_t(req, error)));
	if (error_detail && *error_detail)
		json_object_set_new(ctx, "error_detail", json_string(error_detail));
	int rc = admin_render(req, res, status, "settings", ctx);
	json_decref(ctx);
	return rc;
}

static void fields_release(struct field *fields, size_t n)
{
	for (size_t i = 0; fields && i < n; i++) {
		free(fields[i].value);
		free(fields[i].error);
	}
	free(fields);
}

int admin_settings(struct http_req *req, struct http_res *res)
{
	char err[256];
	json_t *doc = NULL;
	size_t n;
	if (!admin_role_in(req, ADMIN_ROLES_SETTINGS))
		return admin_forbidden(req, res);
	const struct setting *table = settings_table(&n);
	struct field *fields = calloc(n, sizeof *fields);
	if (!fields)
		return DP_ENOMEM;
	for (size_t i = 0; i < n; i++)
		fields[i].s = &table[i];
	int rc = settings_read(req->site->dir, &doc, err, sizeof err);
	if (rc == DP_OK)
		rc = settings_page(req, res, 200, doc, fields, n, NULL, NULL);
	fields_release(fields, n);
	json_decref(doc);
	return rc;
}

int admin_settings_save(struct http_req *req, struct http_res *res)
{
	char err[256];
	json_t *doc = NULL;
	size_t n, errors = 0, changed = 0;
	struct buf keys = BUF_INIT(AUDIT_KEYS_MAX + 64);
	if (!admin_role_in(req, ADMIN_ROLES_SETTINGS))
		return admin_forbidden(req, res);
	const struct setting *table = settings_table(&n);
	struct field *fields = calloc(n, sizeof *fields);
	if (!fields)
		return DP_ENOMEM;
	int rc = settings_read(req->site->dir, &doc, err, sizeof err);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		fields[i].s = &table[i];
		rc = check_field(req, doc, &fields[i]);
		if (rc)
			goto out;
		if (fields[i].error)
			errors++;
	}
	if (errors) {
		rc = settings_page(req, res, 400, doc, fields, n, NULL, NULL);
		goto out;
	}
	/* Each write replaces site.json whole (temp file + rename). */
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		if (!f->change)
			continue;
		err[0] = '\0';
		rc = f->unset ? settings_unset(req->site->dir, f->s->key, err, sizeof err)
			      : settings_set(req->site->dir, f->s->key, f->value, err, sizeof err);
		if (rc == DP_ENOMEM)
			goto out;
		if (rc) {
			/* Keep the form as sent; what was written so far stays. */
			json_t *now = NULL;
			char err2[256];
			if (settings_read(req->site->dir, &now, err2, sizeof err2) == DP_OK) {
				json_decref(doc);
				doc = now;
			}
			rc = settings_page(req, res, 500, doc, fields, n, "admin_mail_set_write_failed",
					   err);
			goto out;
		}
		if (keys.len < AUDIT_KEYS_MAX)
			buf_printf(&keys, "%s%s", changed ? ", " : "", f->s->key);
		changed++;
	}
	if (changed) {
		if (keys.len >= AUDIT_KEYS_MAX)
			buf_puts(&keys, ", …");
		admin_audit_add(req, "settings.change", "site.json", buf_cstr(&keys));
	}
	rc = admin_redirect_done(res, "/admin/settings", changed ? "settings_saved" : "settings_none",
				 NULL);
out:
	buf_release(&keys);
	fields_release(fields, n);
	json_decref(doc);
	return rc;
}
