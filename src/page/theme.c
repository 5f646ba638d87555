/* theme.c — loading a theme folder: templates, strings, assets. */
#include "page/theme.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/mustache.h"
#include "util/err.h"

#define ASSET_MAX_BYTES (4u << 20)
#define ASSETS_MAX 64

static const struct { const char *ext; const char *type; } mime[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".webp", "image/webp" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *mime_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof mime / sizeof mime[0]; i++)
		if (strcmp(dot, mime[i].ext) == 0)
			return mime[i].type;
	return NULL;
}

static int read_file(const char *path, char **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return DP_ENOTFOUND;
	struct stat st;
	if (fstat(fileno(f), &st) || st.st_size < 0 || (size_t)st.st_size > ASSET_MAX_BYTES) {
		fclose(f);
		return DP_ETOOBIG;
	}
	char *p = malloc((size_t)st.st_size + 1);
	if (!p) {
		fclose(f);
		return DP_ENOMEM;
	}
	size_t n = fread(p, 1, (size_t)st.st_size, f);
	fclose(f);
	p[n] = '\0';
	*ret = p;
	*ret_len = n;
	return DP_OK;
}

static int load_assets(struct theme *t, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/assets", t->dir);
	DIR *d = opendir(path);
	if (!d)
		return DP_OK; /* a theme without assets is fine */
	t->assets = calloc(ASSETS_MAX, sizeof *t->assets);
	if (!t->assets) {
		closedir(d);
		return DP_ENOMEM;
	}
	struct dirent *de;
	int rc = DP_OK;
	while ((de = readdir(d)) && t->nassets < ASSETS_MAX) {
		const char *type = mime_type(de->d_name);
		if (de->d_name[0] == '.' || !type)
			continue;
		struct theme_asset *a = &t->assets[t->nassets];
		snprintf(path, sizeof path, "%s/assets/%s", t->dir, de->d_name);
		rc = read_file(path, &a->data, &a->len);
		if (rc) {
			snprintf(err, errlen, "%s: %s", path, dp_strerror(rc));
			break;
		}
		a->name = strdup(de->d_name);
		a->type = type;
		t->nassets++;
		if (!a->name) {
			rc = DP_ENOMEM;
			break;
		}
	}
	closedir(d);
	return rc;
}

/* Merges every lang/<part>.<lang>.json into t->strings, in name order so a
 * clash resolves the same way on every machine. */
static int load_more_strings(struct theme *t, const char *lang, char *err, size_t errlen)
{
	char path[4096], suffix[64];
	struct dirent **names = NULL;
	snprintf(path, sizeof path, "%s/lang", t->dir);
	snprintf(suffix, sizeof suffix, ".%s.json", lang);
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return DP_OK;
	int rc = DP_OK;
	size_t sl = strlen(suffix);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		size_t nl = strlen(name);
		if (!rc && name[0] != '.' && nl > sl && strcmp(name + nl - sl, suffix) == 0) {
			json_error_t jerr;
			snprintf(path, sizeof path, "%s/lang/%s", t->dir, name);
			json_t *more = json_load_file(path, 0, &jerr);
			if (!json_is_object(more)) {
				snprintf(err, errlen, "%s: %s", path, more ? "not an object" : jerr.text);
				rc = DP_EPARSE;
			} else {
				json_object_update(t->strings, more);
			}
			json_decref(more);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int theme_load(const char *dir, const char *lang, struct theme **ret, char *err, size_t errlen)
{
	char path[4096];
	json_error_t jerr;
	int rc = DP_ENOMEM;
	struct theme *t = calloc(1, sizeof *t);
	if (!t)
		return DP_ENOMEM;
	if (!dir || !*dir)
		dir = getenv("DEPESCHE_THEME_DIR");
	if (!dir || !*dir)
		dir = DEPESCHE_THEME_DIR;
	t->dir = strdup(dir);
	t->templates = mustache_set_new();
	if (!t->dir || !t->templates)
		goto fail;

	snprintf(path, sizeof path, "%s/templates", dir);
	rc = mustache_set_load_dir(t->templates, path, err, errlen);
	if (rc)
		goto fail;
	static const char *const required[] = { "layout", "home", "article", "archive", "error" };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (!mustache_set_has(t->templates, required[i])) {
			snprintf(err, errlen, "%s/%s.mustache is missing", path, required[i]);
			rc = DP_ENOTFOUND;
			goto fail;
		}
	}

	snprintf(path, sizeof path, "%s/lang/%s.json", dir, lang);
	t->strings = json_load_file(path, 0, &jerr);
	if (!t->strings || !json_is_object(t->strings)) {
		snprintf(err, errlen, "%s: %s", path, t->strings ? "not an object" : jerr.text);
		rc = DP_EPARSE;
		goto fail;
	}
	/* More strings live in files of their own, one per part of the product
	 * (admin.de.json, subscribe.de.json, mail.de.json …); all end up in `t`. */
	rc = load_more_strings(t, lang, err, errlen);
	if (rc)
		goto fail;
	rc = load_assets(t, err, errlen);
	if (rc)
		goto fail;
	const struct theme_asset *css = theme_asset(t, "style.css");
	unsigned char h[8];
	crypto_generichash(h, sizeof h, css ? (const unsigned char *)css->data : NULL,
			   css ? css->len : 0, NULL, 0);
	sodium_bin2hex(t->css_version, sizeof t->css_version, h, sizeof h);
	*ret = t;
	return DP_OK;
fail:
	if (rc == DP_ENOMEM)
		snprintf(err, errlen, "out of memory loading the theme");
	theme_free(t);
	return rc;
}

void theme_free(struct theme *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nassets; i++) {
		free(t->assets[i].name);
		free(t->assets[i].data);
	}
	free(t->assets);
	json_decref(t->strings);
	mustache_set_free(t->templates);
	free(t->dir);
	free(t);
}

const struct theme_asset *theme_asset(const struct theme *t, const char *name)
{
	for (size_t i = 0; i < t->nassets; i++)
		if (strcmp(t->assets[i].name, name) == 0)
			return &t->assets[i];
	return NULL;
}
