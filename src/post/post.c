/* post.c — creating and changing articles: every field validated, the slug
 * chosen, the Markdown rendered, then one save. Shared by the CLI, the admin
 * and the JSON API (post.h). */
#include "post/post.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/markdown.h"
#include "site/site.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/slug.h"
#include "util/timeutil.h"
#include "util/utf8.h"

/* The message of the last failure on this thread; post_save() copies it out. */
static __thread char last_error[512];

static int fail_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_code(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return code;
}
#define FAIL(...) fail_code(DP_EINVAL, __VA_ARGS__)
#define FAIL_CODE(code, ...) fail_code(code, __VA_ARGS__)

static int check_text(const char *what, const char *s, size_t max, const char *allowed_ctl)
{
	if (!utf8_valid(s, strlen(s)))
		return FAIL("%s is not valid UTF-8", what);
	if (utf8_has_control(s, allowed_ctl))
		return FAIL("%s contains control characters", what);
	if (utf8_len(s) > max)
		return FAIL("%s is longer than %zu characters", what, max);
	return DP_OK;
}

/* A language tag as HTML's lang takes it: "en", "de-AT", "pt-BR". */
static bool lang_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
	if (n < 2 || n > 3)
		return false;
	while (s[n] == '-') {
		size_t k = strspn(s + n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
		if (k < 2 || k > 8)
			return false;
		n += k + 1;
	}
	return s[n] == '\0';
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static const char *const reserved_slugs[] = { "tag", "category", "author", "page", "feed",
					      "assets", "admin", "api", "search", "healthz",
					      "sitemap-xml", "robots-txt", "uploads",
					      "subscribe", "unsubscribe", "moderate", "jobs", NULL };

static bool reserved(const char *slug)
{
	for (size_t i = 0; reserved_slugs[i]; i++)
		if (strcmp(slug, reserved_slugs[i]) == 0)
			return true;
	return false;
}

static bool slug_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 200 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* Picks the slug: the given one must be free; a derived one is numbered. */
static int choose_slug(struct store *st, const struct post_input *in, int64_t self_id,
		       char *out, size_t outlen)
{
	bool taken;
	if (in->slug) {
		if (!slug_valid(in->slug))
			return FAIL("the slug may only hold a-z, 0-9 and inner '-' (at most 200)");
		if (reserved(in->slug))
			return FAIL("the slug is reserved for the site's own pages");
		if (store_slug_taken(st, in->slug, self_id, &taken))
			return FAIL_CODE(DP_EDB, "cannot read the database");
		if (taken)
			return FAIL_CODE(DP_EEXISTS, "the slug is taken by another article");
		snprintf(out, outlen, "%s", in->slug);
		return DP_OK;
	}
	char base[SLUG_MAX + 1];
	if (slug_from_text(in->title, base, sizeof base))
		return FAIL("cannot make a slug from the title");
	for (unsigned i = 1; i < 10000; i++) {
		if (i == 1)
			snprintf(out, outlen, "%s", base);
		else
			snprintf(out, outlen, "%s-%u", base, i);
		if (reserved(out))
			continue;
		if (store_slug_taken(st, out, self_id, &taken))
			return FAIL_CODE(DP_EDB, "cannot read the database");
		if (!taken)
			return DP_OK;
	}
	return FAIL("no free slug for this title");
}

/* Splits "a, b,c" into trimmed names; validates each. */
static int split_tags(const char *list, char ***ret, size_t *ret_n)
{
	char *copy = strdup(list), *save = NULL;
	char **names = calloc(POST_TAGS_MAX, sizeof *names);
	size_t n = 0;
	int rc = DP_OK;
	if (!copy || !names) {
		rc = FAIL_CODE(DP_ENOMEM, "out of memory");
		goto out;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t len = strlen(t);
		while (len && (t[len - 1] == ' ' || t[len - 1] == '\t'))
			t[--len] = '\0';
		if (!len)
			continue;
		if ((rc = check_text("a tag", t, POST_TERM_MAX, "")))
			goto out;
		if (n == POST_TAGS_MAX) {
			rc = FAIL("at most %d tags", POST_TAGS_MAX);
			goto out;
		}
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup |= strcasecmp(names[i], t) == 0;
		if (!dup && !(names[n++] = strdup(t))) {
			rc = FAIL_CODE(DP_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	free(copy);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return rc;
	}
	*ret = names;
	*ret_n = n;
	return DP_OK;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static char *dupz(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Applies in to a (a fresh or a loaded article) and saves it. On success
 * *a holds the saved article. */
static int apply_and_save(struct store *st, const struct site *site, struct article *a,
			  const struct post_input *in, int64_t now, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	char slug[256];
	char **tags = NULL;
	size_t ntags = 0;
	const char *category = a->category.id ? a->category.name : NULL;
	const char *author = a->author.id ? a->author.name : NULL;
	int rc;

	if (!a->id && !in->title)
		return FAIL("a new article needs a title");
	if (in->title) {
		if (blank(in->title))
			return FAIL("the title must not be empty");
		if ((rc = check_text("the title", in->title, POST_TITLE_MAX, "")))
			return rc;
	}
	if (in->dateline && (rc = check_text("the dateline", in->dateline, POST_DATELINE_MAX, "")))
		return rc;
	if (in->category && (rc = check_text("the category", in->category, POST_TERM_MAX, "")))
		return rc;
	if (in->author && (rc = check_text("the author", in->author, POST_TERM_MAX, "")))
		return rc;
	if (in->body && (rc = check_text("the body", in->body, POST_BODY_MAX, "\n\r\t")))
		return rc;
	if (in->lang && *in->lang && !lang_valid(in->lang))
		return FAIL("the language is not a tag like en or de-AT");
	int64_t date = a->id ? a->published_at : now;
	if (in->date && time_parse_iso(in->date, &date))
		return FAIL("the date is not a date like 2026-11-27T10:00:00+01:00");

	if (in->tag_list) {
		size_t i;
		json_t *v;
		struct buf joined = BUF_INIT(64 * 1024);
		json_array_foreach(in->tag_list, i, v) {
			if (!json_is_string(v)) {
				buf_release(&joined);
				return FAIL("tags must be strings");
			}
			if (strchr(json_string_value(v), ',')) {
				buf_release(&joined);
				return FAIL("a tag must not contain a comma");
			}
			buf_printf(&joined, "%s%s", i ? "," : "", json_string_value(v));
		}
		rc = split_tags(buf_cstr(&joined), &tags, &ntags);
		buf_release(&joined);
		if (rc)
			return rc;
	} else if (in->tags) {
		if ((rc = split_tags(in->tags, &tags, &ntags)))
			return rc;
	} else if (a->ntags) {
		tags = calloc(a->ntags, sizeof *tags);
		for (size_t i = 0; tags && i < a->ntags; i++)
			tags[ntags++] = strdup(a->tags[i].name);
	}

	struct post_input eff = *in;
	if (!eff.title)
		eff.title = a->title;
	/* The slug stays on edit unless one is given: links must not break. */
	if (in->slug || !a->id) {
		if ((rc = choose_slug(st, &eff, a->id, slug, sizeof slug)))
			goto out;
	} else {
		snprintf(slug, sizeof slug, "%s", a->slug);
	}

	char *html = NULL, *excerpt = NULL;
	if (in->body || !a->id) {
		const char *md = in->body ? in->body : "";
		if (markdown_render(md, strlen(md), site->allow_html, POST_EXCERPT_CHARS, &html, &excerpt)) {
			rc = FAIL("cannot render the Markdown body");
			goto out;
		}
		free(a->body_md);
		free(a->body_html);
		free(a->excerpt);
		a->body_md = strdup(md);
		a->body_html = html;
		a->excerpt = excerpt;
	}
	if (in->title) {
		free(a->title);
		a->title = strdup(in->title);
	}
	if (in->lang) {
		free(a->lang);
		a->lang = strdup(in->lang);
	}
	if (in->dateline) {
		free(a->dateline);
		a->dateline = blank(in->dateline) ? NULL : strdup(in->dateline);
	}
	free(a->slug);
	a->slug = strdup(slug);
	a->published_at = date;
	/* A new article was last changed when it says it was published; only
	 * later edits make it "updated". */
	if (!a->id)
		a->updated_at = date;
	if (in->draft >= 0)
		a->status = in->draft ? ARTICLE_DRAFT : ARTICLE_PUBLISHED;
	if (in->category)
		category = in->category;
	if (in->author)
		author = in->author;
	if (!a->title || !a->slug || !a->body_md) {
		rc = FAIL_CODE(DP_ENOMEM, "out of memory");
		goto out;
	}
	/* category/author point into a's terms until save: copy them first. */
	char *cat = dupz(category), *aut = dupz(author);
	int src = store_article_save(st, a, (const char *const *)tags, ntags,
				     cat && !blank(cat) ? cat : NULL, aut && !blank(aut) ? aut : NULL);
	free(cat);
	free(aut);
	if (src == DP_EEXISTS)
		rc = FAIL_CODE(DP_EEXISTS, "the slug is taken by another article");
	else if (src)
		rc = FAIL_CODE(src, "cannot save the article: %s", dp_strerror(src));
	else
		rc = DP_OK;
out:
	free_names(tags, ntags);
	return rc;
}


int post_slug_valid(const char *slug)
{
	return slug_valid(slug) && !reserved(slug);
}

int post_save(struct store *st, const struct site *site, struct article *a,
	      const struct post_input *in, int64_t now, char *err, size_t errlen)
{
	last_error[0] = '\0';
	if (!a->id && in->draft < 0) {
		struct post_input pub = *in;
		pub.draft = 0;
		int rc = apply_and_save(st, site, a, &pub, now, err, errlen);
		if (rc && err)
			snprintf(err, errlen, "%s", last_error[0] ? last_error : dp_strerror(rc));
		return rc;
	}
	int rc = apply_and_save(st, site, a, in, now, err, errlen);
	if (rc && err)
		snprintf(err, errlen, "%s", last_error[0] ? last_error : dp_strerror(rc));
	return rc;
}
