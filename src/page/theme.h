/* theme.h — a theme folder loaded once at start: templates/ (Mustache),
 * lang/<lang>.json (interface strings), assets/ (CSS, icons). Immutable
 * after loading and shared by all threads. */
#ifndef DEPESCHE_PAGE_THEME_H
#define DEPESCHE_PAGE_THEME_H

#include <jansson.h>
#include <stddef.h>

struct mustache_set;

struct theme_asset {
	char *name;          /* "style.css" */
	char *data;
	size_t len;
	const char *type;    /* static MIME type */
};

struct theme {
	char *dir;
	struct mustache_set *templates;
	json_t *strings;     /* lang/<lang>.json */
	struct theme_asset *assets;
	size_t nassets;
	char css_version[17];/* hash of style.css, for cache-busting URLs */
};

/* Loads dir (or the built-in default theme if dir is NULL or ""). On
 * failure a message naming the file is written to err. */
int theme_load(const char *dir, const char *lang, struct theme **ret, char *err, size_t errlen);
void theme_free(struct theme *t);
const struct theme_asset *theme_asset(const struct theme *t, const char *name);

#endif
