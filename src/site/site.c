/* site.c — DIR/site.json: the site's settings. */
#include "site/site.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

const char *site_dir_default(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("DEPESCHE_DATA");
	if (env && *env)
		return env;
	return "./data";
}

void site_release(struct site *s)
{
	if (!s)
		return;
	free(s->dir);
	free(s->title);
	free(s->description);
	free(s->base_url);
	free(s->lang);
	free(s->theme_dir);
	free(s->timezone);
	free(s->comment_policy);
	free(s->mail_from);
	free(s->mail_reply_to);
	for (size_t i = 0; i < s->nblocklist; i++)
		free(s->blocklist[i]);
	free(s->blocklist);
	memset(s, 0, sizeof *s);
}

char *site_db_path(const struct site *s)
{
	char *p = NULL;
	if (asprintf(&p, "%s/depesche.db", s->dir) < 0)
		return NULL;
	return p;
}

static char *json_strdup(json_t *o, const char *key, const char *def)
{
	const char *v = json_string_value(json_object_get(o, key));
	return strdup(v ? v : def);
}

static int json_int(json_t *o, const char *key, int def, int lo, int hi)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		return def;
	json_int_t i = json_integer_value(v);
	return i < lo ? lo : i > hi ? hi : (int)i;
}

int site_load(const char *dir, struct site *ret, char *err, size_t errlen)
{
	char *path = NULL;
	json_error_t jerr;
	int rc = DP_ENOMEM;
	memset(ret, 0, sizeof *ret);
	if (asprintf(&path, "%s/site.json", dir) < 0)
		return DP_ENOMEM;
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "no site in %s (run 'depesche init' first)", dir);
		free(path);
		return DP_ENOTFOUND;
	}
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, o ? "not a JSON object" : jerr.text);
		json_decref(o);
		free(path);
		return DP_EPARSE;
	}
	ret->dir = strdup(dir);
	ret->title = json_strdup(o, "title", "Depesche");
	ret->description = json_strdup(o, "description", "");
	ret->base_url = json_strdup(o, "base_url", "http://127.0.0.1:8080");
	ret->lang = json_strdup(o, "lang", "de");
	ret->theme_dir = json_strdup(o, "theme_dir", "");
	ret->timezone = json_strdup(o, "timezone", "Europe/Berlin");
	ret->allow_html = json_is_true(json_object_get(o, "allow_html"));
	ret->per_page = json_int(o, "per_page", 10, 1, 100);
	ret->feed_items = json_int(o, "feed_items", 20, 1, 200);
	json_t *open = json_object_get(o, "comments_open");
	ret->comments_open = !json_is_false(open);
	ret->comment_policy = json_strdup(o, "comment_policy", "");
	ret->comment_rate = json_int(o, "comment_rate_per_minute", 5, 1, 1000000);
	ret->search_rate = json_int(o, "search_rate_per_minute", 120, 1, 1000000000);
	ret->comment_min_seconds = json_int(o, "comment_min_seconds", 3, 0, 3600);
	json_t *as = json_object_get(o, "auto_spam_score");
	ret->auto_spam = json_is_number(as) ? json_number_value(as) : 0.95;
	json_t *mail = json_object_get(o, "mail");
	ret->mail_from = json_strdup(mail, "from", "");
	ret->mail_reply_to = json_strdup(mail, "reply_to", "");
	ret->subscribe_open = !json_is_false(json_object_get(mail, "subscribe_open"));
	ret->digest_hour = json_int(mail, "digest_hour", 7, 0, 23);
	ret->digest_weekday = json_int(mail, "digest_weekday", 1, 1, 7);
	ret->moderation_mail_minutes = json_int(mail, "moderation_minutes", 15, 0, 10080);
	json_t *bl = json_object_get(o, "blocklist");
	if (json_is_array(bl) && json_array_size(bl)) {
		ret->blocklist = calloc(json_array_size(bl), sizeof *ret->blocklist);
		size_t i;
		json_t *v;
		json_array_foreach(bl, i, v) {
			if (ret->blocklist && json_is_string(v) && json_string_length(v))
				ret->blocklist[ret->nblocklist++] = strdup(json_string_value(v));
		}
	}
	json_decref(o);
	free(path);
	if (!ret->dir || !ret->title || !ret->description || !ret->base_url || !ret->lang ||
	    !ret->theme_dir || !ret->timezone || !ret->mail_from || !ret->mail_reply_to)
		goto fail;
	/* No trailing slash: URLs are built as base_url + "/path/". */
	size_t n = strlen(ret->base_url);
	while (n && ret->base_url[n - 1] == '/')
		ret->base_url[--n] = '\0';
	return DP_OK;
fail:
	site_release(ret);
	return rc;
}

int site_save(const struct site *s)
{
	int rc = DP_ENOMEM;
	char *path = NULL, *tmp = NULL;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:b, s:s, s:i, s:i, s:f, s:[]}",
			      "title", s->title, "description", s->description ? s->description : "",
			      "base_url", s->base_url, "lang", s->lang,
			      "timezone", s->timezone ? s->timezone : "Europe/Berlin",
			      "theme_dir", s->theme_dir ? s->theme_dir : "",
			      "allow_html", s->allow_html, "per_page", s->per_page,
			      "feed_items", s->feed_items, "comments_open", s->comments_open,
			      "comment_policy", s->comment_policy ? s->comment_policy : "",
			      "comment_rate_per_minute", s->comment_rate ? s->comment_rate : 5,
			      "comment_min_seconds", s->comment_min_seconds,
			      "auto_spam_score", s->auto_spam > 0 ? s->auto_spam : 0.95, "blocklist");
	for (size_t i = 0; o && i < s->nblocklist; i++)
		json_array_append_new(json_object_get(o, "blocklist"), json_string(s->blocklist[i]));
	if (!o || asprintf(&path, "%s/site.json", s->dir) < 0 ||
	    asprintf(&tmp, "%s/.site.json.tmp", s->dir) < 0)
		goto out;
	rc = DP_EIO;
	if (json_dump_file(o, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		goto out;
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out;
	}
	rc = DP_OK;
out:
	json_decref(o);
	free(path);
	free(tmp);
	return rc;
}
