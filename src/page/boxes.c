/* boxes.c — the site's boxes in every public page's context (page.h,
 * boxes_fill): ctx.boxes = { sidebar, below, footer: [box…], has_sidebar,
 * has_below, has_footer }, the visible boxes of each place in their order;
 * "below" only on article pages.
 *
 * A box as partials/box.mustache gets it:
 *   { id, kind, is_<kind>: true (the other known kinds false), place,
 *     has_title, title, title_default (the theme's heading), body_paras
 *     [{lines: [{text, br}]}], has_body, has_link, link_url, link_text,
 *     external, has_image, image_url, image_alt, has_author, author }
 * Every has_* is set, true or false, and body_paras is always there ([]
 * without text), so a template's lookup never falls through to a name of
 * the page around the box. Texts stay plain: the
 * template escapes them. An empty title or link text takes the theme's
 * words for the kind (t.box_title_<kind>, t.box_link_<kind>, else
 * t.box_link_default), an empty body t.box_text_<kind> when the theme has
 * one. Kinds the theme knows nothing about render as a generic box, so an
 * editor's new kind needs no code.
 *
 * Links are checked again here (http(s):// or a path of this site), so a
 * row written around the store's checks still shows no javascript: link.
 * A "newsletter" box without its own link points at /subscribe/ and is left
 * out while sign-up is closed (and on the sign-up pages themselves); a "jobs" box shows the newest jobs
 * (jobs_box_fill, which records the page's dependency on jobs) and is left
 * out when there are none. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "page/page.h"
#include "page/theme.h"
#include "site/site.h"
#include "util/err.h"
#include "util/utf8.h"

#define KIND_MAX_BYTES (BOX_KIND_MAX + 1)

/* The kinds of partials/box.mustache in the default theme. */
static const char *const known[] = { "newsletter", "book", "support", "jobs", "links", "text" };

static bool kind_ok(const char *k)
{
	size_t n = 0;
	for (; k && k[n]; n++)
		if (k[n] < 'a' || k[n] > 'z')
			return false;
	return n >= 1 && n <= BOX_KIND_MAX;
}

/* As the store checks it (store/sqlite/boxes.c): "" is no link. */
static bool url_ok(const char *u)
{
	if (!u || !*u)
		return false;
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

static bool is_external(const char *u)
{
	return strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* Whether every text of b is well-formed UTF-8 (the store writes nothing
 * else; a row changed by hand is left out rather than shown mangled). */
static bool texts_ok(const struct box *b)
{
	const char *all[] = { b->title, b->body, b->link_url, b->link_text, b->image_url,
			      b->image_alt, b->author };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (all[i] && !utf8_valid(all[i], strlen(all[i])))
			return false;
	return true;
}

/* t[prefix + kind], or NULL when the theme has no such string. */
static const char *theme_word(const struct page_req *req, const char *prefix, const char *kind)
{
	char key[64];
	snprintf(key, sizeof key, "%s%s", prefix, kind);
	return json_string_value(json_object_get(req->theme->strings, key));
}

static void set_text(json_t *o, const char *has, const char *name, const char *value)
{
	bool on = value && !blank(value);
	json_object_set_new(o, has, json_boolean(on));
	if (on)
		json_object_set_new(o, name, json_string(value));
}

/* The context of box b; *ret NULL when the box is left out. */
static int box_obj(const struct page_req *req, struct page_res *res, json_t *ctx,
		   const struct box *b, json_t **ret)
{
	char key[KIND_MAX_BYTES + 8];
	*ret = NULL;
	if (!kind_ok(b->kind) || !texts_ok(b))
		return DP_OK; /* not a kind any theme can name, or not text */
	const char *kind = b->kind;
	bool newsletter = strcmp(kind, "newsletter") == 0;
	bool jobs = strcmp(kind, "jobs") == 0;
	const char *link = url_ok(b->link_url) ? b->link_url : NULL;
	if (!link && newsletter) {
		const struct site *s = req->site;
		if (!s->subscribe_open || !s->mail_from || !*s->mail_from)
			return DP_OK; /* nowhere to sign up */
		if (json_is_true(json_object_get(ctx, "is_subscribe")))
			return DP_OK; /* the sign-up page is the form itself */
		link = "/subscribe/";
	}
	if (!link && jobs)
		link = "/jobs/";

	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)b->id, "kind", kind, "place",
			      box_place_name(b->place));
	if (!o)
		return DP_ENOMEM;
	/* The kinds the default theme knows, each said true or false: a page
	 * of the same name (is_jobs on /jobs/) must not shine through. */
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		snprintf(key, sizeof key, "is_%s", known[i]);
		json_object_set_new(o, key, json_false());
	}
	snprintf(key, sizeof key, "is_%s", kind);
	json_object_set_new(o, key, json_true());

	bool own_title = !blank(b->title);
	const char *title = own_title ? b->title : theme_word(req, "box_title_", kind);
	set_text(o, "has_title", "title", title);
	json_object_set_new(o, "title_default", json_boolean(!own_title));

	const char *body = blank(b->body) ? theme_word(req, "box_text_", kind) : b->body;
	bool has_body = body && !blank(body);
	json_object_set_new(o, "has_body", json_boolean(has_body));
	json_t *paras = has_body ? ctx_text_paras(body) : json_array();
	if (!paras) {
		json_decref(o);
		return DP_ENOMEM;
	}
	json_object_set_new(o, "body_paras", paras);

	json_object_set_new(o, "has_link", json_boolean(link != NULL));
	json_object_set_new(o, "external", json_boolean(link && is_external(link)));
	if (link) {
		const char *text = b->link_text;
		if (blank(text))
			text = theme_word(req, "box_link_", kind);
		if (blank(text))
			text = theme_word(req, "box_link_", "default");
		json_object_set_new(o, "link_url", json_string(link));
		json_object_set_new(o, "link_text", json_string(text ? text : link));
	}

	bool image = url_ok(b->image_url) && !blank(b->image_alt);
	json_object_set_new(o, "has_image", json_boolean(image));
	if (image) {
		json_object_set_new(o, "image_url", json_string(b->image_url));
		json_object_set_new(o, "image_alt", json_string(b->image_alt));
	}
	set_text(o, "has_author", "author", b->author);

	if (jobs) {
		int rc = jobs_box_fill(req, res, o);
		if (rc || json_array_size(json_object_get(o, "jobs")) == 0) {
			json_decref(o);
			return rc; /* no jobs: no box */
		}
	}
	*ret = o;
	return DP_OK;
}

int boxes_fill(const struct page_req *req, struct page_res *res, json_t *ctx)
{
	static const char *const has[BOX_PLACE__MAX] = {
		[BOX_SIDEBAR] = "has_sidebar", [BOX_BELOW] = "has_below", [BOX_FOOTER] = "has_footer",
	};
	struct box *list = NULL;
	size_t n = 0;
	json_t *places[BOX_PLACE__MAX] = { 0 };
	int rc = store_boxes(req->store, false, &list, &n);
	if (rc)
		return rc;
	json_t *boxes = json_object();
	if (!boxes) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (int p = 0; p < BOX_PLACE__MAX; p++) {
		places[p] = json_array();
		if (!places[p] || json_object_set_new(boxes, box_place_name((enum box_place)p),
						      places[p])) {
			rc = DP_ENOMEM;
			goto out;
		}
	}
	bool article = json_is_true(json_object_get(ctx, "is_article"));
	for (size_t i = 0; i < n; i++) {
		json_t *o = NULL;
		if (list[i].place == BOX_BELOW && !article)
			continue;
		if ((rc = box_obj(req, res, ctx, &list[i], &o)))
			goto out;
		if (o && json_array_append_new(places[list[i].place], o)) {
			rc = DP_ENOMEM;
			goto out;
		}
	}
	for (int p = 0; p < BOX_PLACE__MAX; p++)
		json_object_set_new(boxes, has[p], json_boolean(json_array_size(places[p]) > 0));
	rc = json_object_set_new(ctx, "boxes", boxes) ? DP_ENOMEM : DP_OK;
	boxes = NULL;
out:
	json_decref(boxes);
	boxes_free(list, n);
	return rc;
}
