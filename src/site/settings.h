/* settings.h — the table of every site setting (DIR/site.json) and the
 * functions that read, check and change one setting in place.
 *
 * A dotted key ("smtp.url") lives in a nested object in site.json:
 *     { "title": "…", "smtp": { "url": "smtps://…", "password": "…" } }
 * The change functions rewrite site.json atomically (temp file + rename) and
 * keep every key they do not know, unlike site_save(), which writes a fixed
 * set. Library code: nothing here prints; errors come back in err. */
#ifndef DEPESCHE_SITE_SETTINGS_H
#define DEPESCHE_SITE_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum setting_type {
	SETTING_STRING, /* UTF-8 text without control characters */
	SETTING_INT,    /* decimal integer within [min, max] */
	SETTING_BOOL,   /* true/false (set also takes yes/no, on/off, 1/0) */
	SETTING_FLOAT,  /* decimal number within [min, max] */
	SETTING_URL,    /* scheme://host… with a scheme from `choices` */
	SETTING_EMAIL,  /* "addr@domain" or "Name <addr@domain>" */
	SETTING_LIST,   /* comma-separated in `set`, a JSON array of strings in the file */
	SETTING__MAX
};

struct setting {
	const char *key;        /* "per_page", "smtp.url" */
	enum setting_type type;
	const char *def;        /* default as `config get` prints it ("" = none) */
	double min, max;        /* INT/FLOAT: the bounds; text types: min and max length
				 * in characters (LIST: of each entry); max 0 = no bound */
	const char *choices;    /* STRING: allowed values "de|en"; URL: schemes "http|https"; or NULL */
	bool secret;            /* never shown unless asked for; the file becomes 0600 */
	bool zone;              /* STRING: must name an IANA time zone */
	const char *help;       /* one line for `config --help` */
};

/* The table, sorted by key; *ret_n gets its length. Static storage. */
const struct setting *settings_table(size_t *ret_n);
/* The entry for key, or NULL when there is no such setting. */
const struct setting *settings_find(const char *key);
/* Writes up to max known keys that look like key (typos, a part of the key)
 * into ret; returns how many. */
size_t settings_suggest(const char *key, const char **ret, size_t max);
/* Name of a type ("int", "url", …). */
const char *settings_type_name(enum setting_type t);

/* Checks value for s and converts it to what site.json stores (*ret is a new
 * reference). DP_EINVAL with a message in err that never repeats the value. */
int settings_parse(const struct setting *s, const char *value, json_t **ret, char *err,
		   size_t errlen);

/* The node for a dotted key inside a site.json document, or NULL (borrowed). */
json_t *settings_lookup(json_t *doc, const char *key);
/* The value of s in doc (or its default when absent) as text: lists joined
 * with ", ", numbers in decimal. Caller frees; NULL when out of memory. */
char *settings_format(const struct setting *s, json_t *doc);
/* The value of s in doc (or its default) as a JSON value (new reference). */
json_t *settings_json(const struct setting *s, json_t *doc);

/* Reads DIR/site.json (*ret owned by the caller). DP_ENOTFOUND when there is
 * no site, DP_EPARSE when it is not a JSON object; a message in err. */
int settings_read(const char *dir, json_t **ret, char *err, size_t errlen);
/* Sets one setting: validates value, then rewrites DIR/site.json keeping all
 * other keys. The file is untouched on any error. DP_ENOTFOUND for an
 * unknown key, DP_EINVAL for a bad value, DP_EIO when the write fails. */
int settings_set(const char *dir, const char *key, const char *value, char *err, size_t errlen);
/* Removes a setting so its default applies again (no change when absent). */
int settings_unset(const char *dir, const char *key, char *err, size_t errlen);

#endif
