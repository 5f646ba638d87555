/* config.c — `depesche config`: show and change the site's settings in
 * DIR/site.json. Settings take effect at the next start of the server;
 * a new language also rebuilds the search index at once. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "site/settings.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"

#define MASK "********"

static void help(FILE *f)
{
	size_t n;
	const struct setting *t = settings_table(&n);
	fputs("usage: depesche [--data DIR] config COMMAND ...\n\n"
	      "  set KEY VALUE             check VALUE and store it in DIR/site.json\n"
	      "  set KEY --value-stdin     the same, VALUE from the first line of stdin\n"
	      "                            (keeps a password out of the process list)\n"
	      "  get KEY [--show-secrets]  print the value (or its default)\n"
	      "  list [--json] [--show-secrets]\n"
	      "                            every setting as \"key = value\", sorted\n"
	      "  unset KEY                 remove the value; the default applies again\n\n"
	      "Changes take effect at the next start of 'depesche serve'; a running\n"
	      "server keeps the settings it started with. Keys site.json holds that are\n"
	      "not listed here are kept as they are. Secrets are shown as " MASK "\n"
	      "unless --show-secrets is given; storing one makes site.json mode 0600.\n"
	      "A list is given comma-separated: blocklist \"casino, spam.example\".\n\n"
	      "Settings (type, default):\n",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-24s %-6s %-22s %s\n", t[i].key, settings_type_name(t[i].type),
			*t[i].def ? t[i].def : "-", t[i].help);
}

/* "unknown setting 'x'; did you mean: a, b?" */
static int unknown_key(const char *key)
{
	const char *near[8];
	size_t n = settings_suggest(key, near, 8);
	fprintf(stderr, "depesche: unknown setting '%s'", key);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "; did you mean: ", near[i]);
	fprintf(stderr, n ? "?\n" : " (see 'depesche config --help' for all keys)\n");
	return EXIT_ERR;
}

static bool is_set(json_t *doc, const struct setting *s)
{
	json_t *v = settings_lookup(doc, s->key);
	return v && !json_is_null(v) && !(json_is_string(v) && !json_string_length(v));
}

/* Value of s as printed, masked when secret; caller frees. */
static char *shown(json_t *doc, const struct setting *s, bool show_secrets)
{
	if (s->secret && !show_secrets)
		return strdup(is_set(doc, s) ? MASK : "");
	return settings_format(s, doc);
}

static int load(const char *data_dir, json_t **doc)
{
	char err[512];
	int rc = settings_read(site_dir_default(data_dir), doc, err, sizeof err);
	return rc ? cli_fail("%s", err) : EXIT_OK;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const struct setting *const *)a)->key,
		      (*(const struct setting *const *)b)->key);
}

static int do_list(const char *data_dir, bool as_json, bool show_secrets)
{
	json_t *doc = NULL, *out = NULL;
	size_t n;
	const struct setting *t = settings_table(&n);
	const struct setting **sorted = calloc(n, sizeof *sorted);
	int r = EXIT_ERR;
	if (!sorted)
		return cli_fail("out of memory");
	for (size_t i = 0; i < n; i++)
		sorted[i] = &t[i];
	qsort(sorted, n, sizeof *sorted, cmp_key);
	if (load(data_dir, &doc))
		goto out;
	if (as_json) {
		out = json_object();
		for (size_t i = 0; out && i < n; i++) {
			const struct setting *s = sorted[i];
			json_t *v = s->secret && !show_secrets ? json_string(is_set(doc, s) ? MASK : "")
							       : settings_json(s, doc);
			if (!v || json_object_set_new(out, s->key, v))
				goto oom;
		}
		char *text = out ? json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		if (!text)
			goto oom;
		puts(text);
		free(text);
	} else {
		for (size_t i = 0; i < n; i++) {
			char *v = shown(doc, sorted[i], show_secrets);
			if (!v)
				goto oom;
			printf("%s = %s\n", sorted[i]->key, v);
			free(v);
		}
	}
	r = EXIT_OK;
	goto out;
oom:
	cli_fail("out of memory");
out:
	json_decref(out);
	json_decref(doc);
	free(sorted);
	return r;
}

static int do_get(const char *data_dir, const char *key, bool show_secrets)
{
	const struct setting *s = settings_find(key);
	json_t *doc = NULL;
	if (!s)
		return unknown_key(key);
	if (load(data_dir, &doc))
		return EXIT_ERR;
	char *v = shown(doc, s, show_secrets);
	json_decref(doc);
	if (!v)
		return cli_fail("out of memory");
	puts(v);
	free(v);
	return EXIT_OK;
}

/* The first line of stdin, without its line break; caller frees. */
static char *read_value(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		cli_fail("no value on stdin");
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* The search index analyses words in the site's language: a new language
 * means a new index (with a progress bar; `depesche search reindex`). */
static int search_follow_lang(const char *data_dir)
{
	struct site site = { 0 };
	struct store *st = NULL;
	char lang[8] = "";
	if (cli_site_open(data_dir, &site))
		return EXIT_ERR;
	char *path = site_db_path(&site);
	int rc = path ? cli_store_open(path, 0, &st) : DP_ENOMEM;
	free(path);
	if (!rc)
		rc = store_search_lang(st, lang, sizeof lang);
	store_close(st);
	bool same = !rc && !strcmp(lang, site.lang);
	site_release(&site);
	if (rc)
		return cli_fail("cannot open the database: %s", dp_strerror(rc));
	if (same)
		return EXIT_OK;
	char *argv[] = { "search", "reindex", NULL };
	return cli_search(2, argv, data_dir);
}

static int do_set(const char *data_dir, const char *key, const char *value, bool from_stdin)
{
	const struct setting *s = settings_find(key);
	char err[512], *line = NULL;
	if (!s)
		return unknown_key(key);
	if (from_stdin) {
		line = read_value();
		if (!line)
			return EXIT_ERR;
		value = line;
	}
	int rc = settings_set(site_dir_default(data_dir), key, value, err, sizeof err);
	if (line) {
		explicit_bzero(line, strlen(line));
		free(line);
	}
	if (rc)
		return cli_fail("%s", err);
	int r = do_get(data_dir, key, false);
	if (!r && !strcmp(key, "lang"))
		r = search_follow_lang(data_dir);
	return r;
}

static int do_unset(const char *data_dir, const char *key)
{
	char err[512];
	if (!settings_find(key))
		return unknown_key(key);
	int rc = settings_unset(site_dir_default(data_dir), key, err, sizeof err);
	return rc ? cli_fail("%s", err) : EXIT_OK;
}

int cli_config(int argc, char **argv, const char *data_dir)
{
	const char *pos[3];
	size_t npos = 0;
	bool as_json = false, show_secrets = false, from_stdin = false, only_pos = false;
	if (argc < 2) {
		help(stderr);
		return EXIT_USAGE;
	}
	/* By hand rather than getopt: a value may start with '-' ("-0.5"). */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
		} else if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			help(stdout);
			return EXIT_OK;
		} else if (!only_pos && strcmp(a, "--json") == 0) {
			as_json = true;
		} else if (!only_pos && strcmp(a, "--show-secrets") == 0) {
			show_secrets = true;
		} else if (!only_pos && strcmp(a, "--value-stdin") == 0) {
			from_stdin = true;
		} else if (!only_pos && strncmp(a, "--", 2) == 0) {
			fprintf(stderr, "depesche: unknown option: %s\n", a);
			help(stderr);
			return EXIT_USAGE;
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			fprintf(stderr, "depesche: unexpected argument '%s'\n", a);
			return EXIT_USAGE;
		}
	}
	const char *cmd = npos ? pos[0] : "";
	const char *usage = NULL;
	if (strcmp(cmd, "help") == 0) {
		help(stdout);
		return EXIT_OK;
	} else if (strcmp(cmd, "list") == 0) {
		if (npos != 1 || from_stdin)
			usage = "usage: depesche config list [--json] [--show-secrets]";
		else
			return do_list(data_dir, as_json, show_secrets);
	} else if (strcmp(cmd, "get") == 0) {
		if (npos != 2 || as_json || from_stdin)
			usage = "usage: depesche config get KEY [--show-secrets]";
		else
			return do_get(data_dir, pos[1], show_secrets);
	} else if (strcmp(cmd, "set") == 0) {
		if (npos != (from_stdin ? 2u : 3u) || as_json || show_secrets)
			usage = "usage: depesche config set KEY VALUE | set KEY --value-stdin";
		else
			return do_set(data_dir, pos[1], from_stdin ? NULL : pos[2], from_stdin);
	} else if (strcmp(cmd, "unset") == 0) {
		if (npos != 2 || as_json || show_secrets || from_stdin)
			usage = "usage: depesche config unset KEY";
		else
			return do_unset(data_dir, pos[1]);
	} else {
		fprintf(stderr, "depesche: unknown config command '%s'\n", cmd);
		help(stderr);
		return EXIT_USAGE;
	}
	fprintf(stderr, "depesche: %s\n", usage);
	return EXIT_USAGE;
}
