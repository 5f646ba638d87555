/* admin_boxes.c — the site's boxes in the admin (admins and editors): the
 * list by place in order, each with its state and small forms to move it
 * up or down, show or hide it, and a link to delete it after a
 * confirmation page; the form to create or edit one (kind, place,
 * visibility, heading, text, link, image with its description, author).
 *
 * The form checks every field against the limits below and says what is
 * wrong next to the field, keeping what was typed. Links and images take
 * http(s):// addresses or paths of this site ("/x", never "//x"); the
 * store checks the same again (store/sqlite/boxes.c). Every change goes to
 * the audit log; the store's change note makes a running server render its
 * pages afresh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "util/err.h"
#include "util/utf8.h"

#define ADMIN_ROLES_BOXES ((1u << ROLE_ADMIN) | (1u << ROLE_EDITOR))

/* Characters of each field (bytes for addresses). */
#define TITLE_CHARS 120
#define BODY_CHARS 1000
#define LINK_TEXT_CHARS 80
#define ALT_CHARS 250
#define AUTHOR_CHARS 120
#define URL_BYTES 2000
/* Longest text sent back into the form after an error; anything longer is
 * dropped rather than echoed (the route takes 64 KiB in all). */
#define KEEP_BYTES (16u * 1024u)
/* Characters of a box's heading in the audit log. */
#define AUDIT_TITLE_CHARS 80

/* The kinds partials/box.mustache of the default theme knows. */
static const char *const known_kinds[] = { "newsletter", "book", "support", "jobs", "links",
					   "text" };

/* The notices a redirect may ask for with ?done=box_NAME. */
static const char *const notices[] = { "created", "saved", "moved", "unchanged", "shown",
				       "hidden", "deleted" };

/* What the form holds: malloc'd copies, single-line fields trimmed. */
struct fields {
	char *kind, *place, *title, *body, *link_url, *link_text, *image_url, *image_alt,
		*author;
	bool visible;
};

/* The t key of each field's problem, NULL when fine. */
struct problems {
	const char *kind, *place, *title, *body, *link_url, *link_text, *image_url, *image_alt,
		*author;
};

static void fields_release(struct fields *f)
{
	free(f->kind);
	free(f->place);
	free(f->title);
	free(f->body);
	free(f->link_url);
	free(f->link_text);
	free(f->image_url);
	free(f->image_alt);
	free(f->author);
	memset(f, 0, sizeof *f);
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* A copy of s (NULL: "") without leading and trailing white space when trim. */
static char *copy(const char *s, bool trim)
{
	s = s ? s : "";
	size_t n = strlen(s);
	if (trim) {
		while (n && strchr(" \t\r\n", *s)) {
			s++;
			n--;
		}
		while (n && strchr(" \t\r\n", s[n - 1]))
			n--;
	}
	return strndup(s, n);
}

static bool kind_syntax_ok(const char *k)
{
	size_t n = 0;
	for (; k && k[n]; n++)
		if (k[n] < 'a' || k[n] > 'z')
			return false;
	return n >= 1 && n <= BOX_KIND_MAX;
}

/* "" or http(s)://host… or "/path" (not "//", not "/\"); no white space,
 * control characters or backslashes. */
static bool url_ok(const char *u)
{
	if (!*u)
		return true;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '\\' || *p == 0x7f)
			return false;
	if (u[0] == '/')
		return u[1] != '/';
	if (strncasecmp(u, "https://", 8) == 0)
		return u[8] && u[8] != '/';
	if (strncasecmp(u, "http://", 7) == 0)
		return u[7] && u[7] != '/';
	return false;
}

/* A line of text: valid UTF-8, no control characters (allowed: those the
 * field may hold), at most max characters. */
static const char *check_text(const char *s, const char *allowed, size_t max,
			      const char *too_long)
{
	if (!utf8_valid(s, strlen(s)) || utf8_has_control(s, allowed))
		return "box_admin_err_chars";
	if (utf8_len(s) > max)
		return too_long;
	return NULL;
}

static const char *check_url(const char *u)
{
	if (strlen(u) > URL_BYTES)
		return "box_admin_err_url_long";
	if (!utf8_valid(u, strlen(u)) || utf8_has_control(u, ""))
		return "box_admin_err_chars";
	return url_ok(u) ? NULL : "box_admin_err_url";
}

/* ---- kinds ---- */

/* The kinds the form offers: the known ones, then every other kind a box
 * in the table has (*ret: malloc'd strings, *ret_n of them). */
static int kinds_offered(struct http_req *req, char ***ret, size_t *ret_n)
{
	struct box *list = NULL;
	size_t n = 0, k = 0;
	size_t nknown = sizeof known_kinds / sizeof known_kinds[0];
	char **out = NULL;
	*ret = NULL;
	*ret_n = 0;
	int rc = store_boxes(req->store, true, &list, &n);
	if (rc)
		return rc;
	if (!(out = calloc(nknown + n, sizeof *out))) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nknown + n; i++) {
		const char *kind = i < nknown ? known_kinds[i] : list[i - nknown].kind;
		bool seen = !kind_syntax_ok(kind);
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(out[j], kind) == 0;
		if (seen)
			continue;
		if (!(out[k] = strdup(kind))) {
			rc = DP_ENOMEM;
			goto out;
		}
		k++;
	}
out:
	boxes_free(list, n);
	if (rc) {
		for (size_t i = 0; out && i < k; i++)
			free(out[i]);
		free(out);
		return rc;
	}
	*ret = out;
	*ret_n = k;
	return DP_OK;
}

static void kinds_free(char **k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i]);
	free(k);
}

/* The admin's name of a kind: t.box_admin_kind_<kind>, else the kind. */
static const char *kind_label(const struct http_req *req, const char *kind)
{
	char key[64];
	snprintf(key, sizeof key, "box_admin_kind_%s", kind);
	const char *l = admin_t(req, key);
	return l == key ? kind : l;
}

/* ---- pages ---- */

/* The base context: nav.boxes marked, the notice for ?done=box_NAME. */
static json_t *boxes_ctx_new(struct http_req *req)
{
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_NONE);
	if (!ctx)
		return NULL;
	json_object_set_new(json_object_get(ctx, "nav"), "boxes", json_true());
	const char *done = http_query(req, "done");
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++) {
		if (strncmp(done, "box_", 4) == 0 && strcmp(done + 4, notices[i]) == 0) {
			char key[64];
			snprintf(key, sizeof key, "box_admin_done_%s", notices[i]);
			json_object_set_new(ctx, "notice", json_string(admin_t(req, key)));
		}
	}
	return ctx;
}

/* The heading the list shows: the box's own, else the theme's for the kind. */
static const char *heading_of(const struct http_req *req, const struct box *b, bool *ret_default)
{
	char key[64];
	*ret_default = blank(b->title);
	if (!*ret_default)
		return b->title;
	snprintf(key, sizeof key, "box_title_%s", b->kind);
	const char *t = admin_t(req, key);
	return t == key ? kind_label(req, b->kind) : t;
}

static json_t *list_item(struct http_req *req, const struct box *b, bool first, bool last)
{
	char url[64], del[80];
	bool dflt;
	const char *heading = heading_of(req, b, &dflt);
	snprintf(url, sizeof url, "/admin/boxes/%lld", (long long)b->id);
	snprintf(del, sizeof del, "/admin/boxes/%lld?delete=1", (long long)b->id);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:b, s:b, s:s, s:s}", "id",
			      (json_int_t)b->id, "kind", b->kind, "kind_label",
			      kind_label(req, b->kind), "title", heading, "title_default", dflt,
			      "visible", b->visible, "state", b->visible ? "visible" : "hidden",
			      "state_label",
			      admin_t(req, b->visible ? "box_admin_visible" : "box_admin_hidden"),
			      "first", first, "last", last, "edit_url", url, "delete_url", del);
	if (!o)
		return NULL;
	const char *note = NULL;
	if (strcmp(b->kind, "jobs") == 0)
		note = "box_admin_jobs_note";
	else if (strcmp(b->kind, "newsletter") == 0 && blank(b->link_url))
		note = "box_admin_newsletter_note";
	json_object_set_new(o, "has_note", json_boolean(note != NULL));
	if (note)
		json_object_set_new(o, "note", json_string(admin_t(req, note)));
	return o;
}

int admin_boxes(struct http_req *req, struct http_res *res)
{
	struct box *list = NULL;
	size_t n = 0;
	json_t *ctx = NULL;

	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	int rc = store_boxes(req->store, true, &list, &n);
	if (rc)
		return rc;
	if (!(ctx = boxes_ctx_new(req))) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *places = json_array();
	json_object_set_new(ctx, "places", places);
	for (int p = 0; p < BOX_PLACE__MAX; p++) {
		char key[64];
		const char *name = box_place_name((enum box_place)p);
		json_t *arr = json_array();
		size_t count = 0, seen = 0;
		for (size_t i = 0; i < n; i++)
			count += list[i].place == (enum box_place)p;
		for (size_t i = 0; i < n; i++) {
			if (list[i].place != (enum box_place)p)
				continue;
			json_t *o = list_item(req, &list[i], seen == 0, seen + 1 == count);
			seen++;
			if (!o || json_array_append_new(arr, o)) {
				json_decref(arr);
				rc = DP_ENOMEM;
				goto out;
			}
		}
		snprintf(key, sizeof key, "box_admin_place_%s", name);
		json_t *po = json_pack("{s:s, s:s, s:o, s:b, s:I}", "name", name, "label",
				       admin_t(req, key), "boxes", arr, "has_boxes", count > 0,
				       "count", (json_int_t)count);
		if (!po || json_array_append_new(places, po)) {
			rc = DP_ENOMEM;
			goto out;
		}
	}
	rc = admin_render(req, res, 200, "boxes", ctx);
out:
	json_decref(ctx);
	boxes_free(list, n);
	return rc;
}

/* ---- the list's actions ---- */

static void audit(struct http_req *req, const char *action, const struct box *b)
{
	char object[48], detail[512];
	const char *title = b->title ? b->title : "";
	size_t n = utf8_valid(title, strlen(title)) ? utf8_prefix(title, AUDIT_TITLE_CHARS) : 0;
	snprintf(object, sizeof object, "box %lld", (long long)b->id);
	snprintf(detail, sizeof detail, "%s, %s%s%.*s%s", b->kind, box_place_name(b->place),
		 n ? ": " : "", (int)n, title, n < strlen(title) ? "…" : "");
	admin_audit_add(req, action, object, detail);
}

/* 303 to the list at the box, with the notice done. */
static int back_to_list(struct http_res *res, const char *done, int64_t id)
{
	char name[32], anchor[40];
	snprintf(name, sizeof name, "box_%s", done);
	snprintf(anchor, sizeof anchor, "#box-%lld", (long long)id);
	return admin_redirect_done(res, "/admin/boxes", name, id ? anchor : NULL);
}

int admin_boxes_action(struct http_req *req, struct http_res *res)
{
	struct box b = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	const char *action = form_get(&req->form, "action");
	int64_t id = admin_parse_id(form_get(&req->form, "id"));
	static const char *const actions[] = { "up", "down", "show", "hide", "delete" };
	size_t a = 0, na = sizeof actions / sizeof actions[0];
	while (action && a < na && strcmp(action, actions[a]) != 0)
		a++;
	if (!action || a == na || id <= 0)
		return admin_error(req, res, 400, "box_admin_err_action");
	int rc = store_box_get(req->store, id, &b);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	const char *done = NULL;
	bool moved = false;
	switch (a) {
	case 0:
	case 1:
		rc = store_box_move(req->store, id, a == 0 ? -1 : 1, req->now, &moved);
		if (!rc && moved)
			audit(req, a == 0 ? "box.up" : "box.down", &b);
		done = moved ? "moved" : "unchanged";
		break;
	case 2:
	case 3:
		b.visible = a == 2;
		rc = store_box_save(req->store, &b, req->now);
		if (!rc)
			audit(req, a == 2 ? "box.show" : "box.hide", &b);
		done = a == 2 ? "shown" : "hidden";
		break;
	default:
		rc = store_box_delete(req->store, id);
		if (!rc)
			audit(req, "box.delete", &b);
		done = "deleted";
		id = 0;
		break;
	}
	if (rc == DP_ENOTFOUND) /* gone meanwhile */
		rc = admin_error(req, res, 404, NULL);
	else if (!rc)
		rc = back_to_list(res, done, id);
	box_release(&b);
	return rc;
}

/* ---- the form ---- */

/* The form page; f holds the values to show, pr the problems (NULL: none),
 * id 0 for a new box. */
static int form_page(struct http_req *req, struct http_res *res, unsigned status, int64_t id,
		     const struct fields *f, const struct problems *pr, const char *error)
{
	char **kinds = NULL, url[64];
	size_t nk = 0;
	int rc = kinds_offered(req, &kinds, &nk);
	if (rc)
		return rc;
	json_t *ctx = boxes_ctx_new(req);
	if (!ctx) {
		kinds_free(kinds, nk);
		return DP_ENOMEM;
	}
	json_t *kopts = json_array(), *popts = json_array();
	for (size_t i = 0; i < nk; i++)
		json_array_append_new(kopts, json_pack("{s:s, s:s, s:b}", "value", kinds[i], "label",
						       kind_label(req, kinds[i]), "selected",
						       strcmp(kinds[i], f->kind) == 0));
	for (int p = 0; p < BOX_PLACE__MAX; p++) {
		char key[64];
		const char *name = box_place_name((enum box_place)p);
		snprintf(key, sizeof key, "box_admin_place_%s", name);
		json_array_append_new(popts, json_pack("{s:s, s:s, s:b}", "value", name, "label",
						       admin_t(req, key), "selected",
						       strcmp(name, f->place) == 0));
	}
	json_t *o = json_pack("{s:o, s:o, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kinds", kopts,
			      "places", popts, "visible", f->visible, "title", f->title, "body",
			      f->body, "link_url", f->link_url, "link_text", f->link_text,
			      "image_url", f->image_url, "image_alt", f->image_alt, "author",
			      f->author);
	if (!o) {
		rc = DP_ENOMEM;
		goto out;
	}
	if (id) {
		snprintf(url, sizeof url, "/admin/boxes/%lld", (long long)id);
		json_object_set_new(o, "id", json_integer((json_int_t)id));
		json_object_set_new(o, "action_url", json_string(url));
		snprintf(url, sizeof url, "/admin/boxes/%lld?delete=1", (long long)id);
		json_object_set_new(o, "delete_url", json_string(url));
	} else {
		json_object_set_new(o, "action_url", json_string("/admin/boxes/new"));
		json_object_set_new(o, "is_new", json_true());
	}
	json_object_set_new(ctx, "box", o);
	if (pr) {
		const struct { const char *name, *key; } each[] = {
			{ "kind", pr->kind },           { "place", pr->place },
			{ "title", pr->title },         { "body", pr->body },
			{ "link_url", pr->link_url },   { "link_text", pr->link_text },
			{ "image_url", pr->image_url }, { "image_alt", pr->image_alt },
			{ "author", pr->author },
		};
		json_t *e = json_object();
		for (size_t i = 0; i < sizeof each / sizeof each[0]; i++)
			if (each[i].key)
				json_object_set_new(e, each[i].name,
						    json_string(admin_t(req, each[i].key)));
		json_object_set_new(ctx, "errors", e);
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(admin_t(req, error)));
	rc = admin_render(req, res, status, "box_form", ctx);
out:
	json_decref(ctx);
	kinds_free(kinds, nk);
	return rc;
}

/* Reads the request's form into f. */
static int read_fields(struct http_req *req, struct fields *f)
{
	const struct form *fm = &req->form;
	f->kind = copy(form_get(fm, "kind"), true);
	f->place = copy(form_get(fm, "place"), true);
	f->title = copy(form_get(fm, "title"), true);
	f->body = copy(form_get(fm, "body"), false);
	f->link_url = copy(form_get(fm, "link_url"), true);
	f->link_text = copy(form_get(fm, "link_text"), true);
	f->image_url = copy(form_get(fm, "image_url"), true);
	f->image_alt = copy(form_get(fm, "image_alt"), true);
	f->author = copy(form_get(fm, "author"), true);
	/* Browsers send line breaks as CRLF and count them as one character. */
	char *w = f->body;
	for (const char *r = f->body; w && *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	if (w)
		*w = '\0';
	const char *v = form_get(fm, "visible");
	f->visible = v && strcmp(v, "1") == 0;
	if (!f->kind || !f->place || !f->title || !f->body || !f->link_url || !f->link_text ||
	    !f->image_url || !f->image_alt || !f->author)
		return DP_ENOMEM;
	return DP_OK;
}

/* Checks f; true when every field is fine. The kind must be one the form
 * offers. */
static int check_fields(struct http_req *req, const struct fields *f, struct problems *pr,
			bool *ret_ok)
{
	char **kinds = NULL;
	size_t nk = 0;
	enum box_place place;
	memset(pr, 0, sizeof *pr);
	int rc = kinds_offered(req, &kinds, &nk);
	if (rc)
		return rc;
	pr->kind = "box_admin_err_kind";
	for (size_t i = 0; i < nk; i++)
		if (strcmp(kinds[i], f->kind) == 0)
			pr->kind = NULL;
	kinds_free(kinds, nk);
	if (box_place_parse(f->place, &place))
		pr->place = "box_admin_err_place";
	pr->title = check_text(f->title, "", TITLE_CHARS, "box_admin_err_title_long");
	pr->body = check_text(f->body, "\t\r\n", BODY_CHARS, "box_admin_err_body_long");
	pr->link_text = check_text(f->link_text, "", LINK_TEXT_CHARS, "box_admin_err_link_text_long");
	pr->image_alt = check_text(f->image_alt, "", ALT_CHARS, "box_admin_err_alt_long");
	pr->author = check_text(f->author, "", AUTHOR_CHARS, "box_admin_err_author_long");
	pr->link_url = check_url(f->link_url);
	pr->image_url = check_url(f->image_url);
	if (!pr->image_alt && *f->image_url && !*f->image_alt)
		pr->image_alt = "box_admin_err_alt_missing";
	*ret_ok = !pr->kind && !pr->place && !pr->title && !pr->body && !pr->link_url &&
		  !pr->link_text && !pr->image_url && !pr->image_alt && !pr->author;
	return DP_OK;
}

/* Control characters of valid UTF-8 text v become spaces (C0 but those in
 * allowed, DEL, and C1, whose two bytes become two spaces), so no page
 * carries them back. */
static void scrub(char *v, const char *allowed)
{
	for (unsigned char *p = (unsigned char *)v; *p; p++) {
		if ((*p < 0x20 && !strchr(allowed, *p)) || *p == 0x7f)
			*p = ' ';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = ' ';
	}
}

/* After a failed check: the form again with what was typed, except text
 * too long to send back or not UTF-8, and without control characters. */
static void keep_safe(struct fields *f)
{
	char **all[] = { &f->kind, &f->place, &f->title, &f->body, &f->link_url, &f->link_text,
			 &f->image_url, &f->image_alt, &f->author };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		char *v = *all[i];
		if (strlen(v) > KEEP_BYTES || !utf8_valid(v, strlen(v)))
			v[0] = '\0';
		scrub(v, *all[i] == f->body ? "\t\n" : "");
	}
}

/* Create (stored NULL) or update from the request's form. */
static int save_form(struct http_req *req, struct http_res *res, struct box *stored)
{
	struct fields f = { 0 };
	struct problems pr;
	bool ok = false;
	int64_t id = stored ? stored->id : 0;
	int rc = read_fields(req, &f);
	if (!rc)
		rc = check_fields(req, &f, &pr, &ok);
	if (rc)
		goto out;
	if (!ok) {
		keep_safe(&f);
		rc = form_page(req, res, 422, id, &f, &pr, "box_admin_err_check");
		goto out;
	}
	struct box b = { 0 };
	b.id = id;
	b.kind = f.kind;
	box_place_parse(f.place, &b.place);
	b.visible = f.visible;
	b.title = f.title;
	b.body = f.body;
	b.link_url = f.link_url;
	b.link_text = f.link_text;
	b.image_url = f.image_url;
	b.image_alt = f.image_alt;
	b.author = f.author;
	rc = store_box_save(req->store, &b, req->now);
	if (rc == DP_ETOOBIG || rc == DP_EINVAL) {
		rc = form_page(req, res, 422, id, &f, NULL,
			       rc == DP_ETOOBIG ? "box_admin_err_full" : "box_admin_err_check");
		goto out;
	}
	if (rc == DP_ENOTFOUND) { /* deleted meanwhile */
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	if (rc)
		goto out;
	audit(req, id ? "box.update" : "box.create", &b);
	rc = back_to_list(res, id ? "saved" : "created", b.id);
out:
	fields_release(&f);
	return rc;
}

int admin_box_new(struct http_req *req, struct http_res *res)
{
	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	struct fields f = { .kind = "text", .place = "sidebar", .visible = true, .title = "",
			    .body = "", .link_url = "", .link_text = "", .image_url = "",
			    .image_alt = "", .author = "" };
	return form_page(req, res, 200, 0, &f, NULL, NULL);
}

int admin_box_create(struct http_req *req, struct http_res *res)
{
	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	return save_form(req, res, NULL);
}

/* The confirmation page of a delete. */
static int delete_page(struct http_req *req, struct http_res *res, const struct box *b)
{
	bool dflt = false;
	json_t *ctx = boxes_ctx_new(req);
	if (!ctx)
		return DP_ENOMEM;
	/* Apart from the json_pack below: its arguments have no order. */
	const char *heading = heading_of(req, b, &dflt);
	char key[64];
	snprintf(key, sizeof key, "box_admin_place_%s", box_place_name(b->place));
	json_object_set_new(ctx, "box",
			    json_pack("{s:I, s:s, s:b, s:s, s:s}", "id", (json_int_t)b->id, "title",
				      heading, "title_default", dflt,
				      "kind_label", kind_label(req, b->kind), "place_label",
				      admin_t(req, key)));
	int rc = admin_render(req, res, 200, "box_delete", ctx);
	json_decref(ctx);
	return rc;
}

int admin_box_edit(struct http_req *req, struct http_res *res)
{
	struct box b = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	int rc = store_box_get(req->store, req->param_id, &b);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	const char *del = http_query(req, "delete");
	if (del && strcmp(del, "1") == 0) {
		rc = delete_page(req, res, &b);
	} else {
		struct fields f = { .kind = b.kind, .place = (char *)box_place_name(b.place),
				    .visible = b.visible, .title = b.title, .body = b.body,
				    .link_url = b.link_url, .link_text = b.link_text,
				    .image_url = b.image_url, .image_alt = b.image_alt,
				    .author = b.author };
		rc = form_page(req, res, 200, b.id, &f, NULL, NULL);
	}
	box_release(&b);
	return rc;
}

int admin_box_update(struct http_req *req, struct http_res *res)
{
	struct box b = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_BOXES))
		return admin_forbidden(req, res);
	int rc = store_box_get(req->store, req->param_id, &b);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (!rc)
		rc = save_form(req, res, &b);
	box_release(&b);
	return rc;
}
