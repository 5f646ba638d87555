/* init.c — `depesche init`: create a site folder with settings and database. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"
#include "util/utf8.h"

static void help(FILE *f)
{
	fputs("usage: depesche [--data DIR] init [--title T] [--base-url URL] [--lang de|en]\n\n"
	      "Creates a site in DIR (default ./data): DIR/site.json holds the settings,\n"
	      "DIR/depesche.db the articles. Refuses to touch an existing site.\n\n"
	      "  --title T         the site's name (default \"Depesche\")\n"
	      "  --description D   one line about the site, for feeds and search engines\n"
	      "  --base-url URL    where readers reach it (default http://127.0.0.1:8080)\n"
	      "  --lang de|en      language of the interface and dates (default de)\n",
	      f);
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int)sizeof tmp)
		return -1;
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static int valid_text(const char *what, const char *s, size_t max)
{
	if (!utf8_valid(s, strlen(s)))
		return cli_fail("%s is not valid UTF-8", what);
	if (utf8_has_control(s, ""))
		return cli_fail("%s contains control characters", what);
	if (utf8_len(s) > max)
		return cli_fail("%s is longer than %zu characters", what, max);
	return EXIT_OK;
}

int cli_init(int argc, char **argv, const char *data_dir)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "description", required_argument, NULL, 'd' },
		{ "base-url", required_argument, NULL, 'b' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *title = "Depesche", *base = "http://127.0.0.1:8080", *lang = "de";
	const char *desc = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'd': desc = optarg; break;
		case 'b': base = optarg; break;
		case 'l': lang = optarg; break;
		case 'h': help(stdout); return EXIT_OK;
		default: cli_bad_option(argv); help(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0)
		return cli_fail("--lang must be de or en");
	if (!*title || valid_text("--title", title, 120) ||
	    (desc && valid_text("--description", desc, 300)))
		return *title ? EXIT_ERR : cli_fail("--title must not be empty");
	if ((strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) ||
	    valid_text("--base-url", base, 200) || strpbrk(base, " \"'<>\\"))
		return cli_fail("--base-url must be an http:// or https:// URL");

	const char *dir = site_dir_default(data_dir);
	struct site site = { 0 };
	char path[4096];
	snprintf(path, sizeof path, "%s/site.json", dir);
	if (access(path, F_OK) == 0)
		return cli_fail("%s already holds a site; refusing to overwrite it", dir);
	snprintf(path, sizeof path, "%s/depesche.db", dir);
	if (access(path, F_OK) == 0)
		return cli_fail("%s already holds a database; refusing to overwrite it", dir);
	if (mkdir_p(dir))
		return cli_fail("cannot create %s: %s", dir, strerror(errno));

	site.dir = (char *)dir;
	site.title = (char *)title;
	site.description = (char *)(desc ? desc
				    : strcmp(lang, "de") == 0 ? "Nachrichten, unabhängig und schnell"
							      : "Independent news, fast");
	site.base_url = (char *)base;
	site.lang = (char *)lang;
	site.theme_dir = "";
	site.timezone = "Europe/Berlin";
	site.per_page = 10;
	site.feed_items = 20;
	site.comments_open = true;
	site.comment_rate = 5;
	site.comment_min_seconds = 3;
	site.auto_spam = 0.95;

	struct store *st = NULL;
	int rc = store_open(path, STORE_CREATE, &st);
	/* The search index is made for German; a site in another language
	 * gets its own (empty yet, so this is quick). */
	if (!rc && strcmp(lang, "de") != 0)
		rc = store_search_reindex(st, lang, NULL, NULL);
	store_close(st);
	if (rc) {
		unlink(path);
		return cli_fail("cannot create the database %s: %s", path, dp_strerror(rc));
	}
	rc = site_save(&site);
	if (rc) {
		unlink(path);
		return cli_fail("cannot write %s/site.json: %s", dir, dp_strerror(rc));
	}
	printf("created a site in %s\n", dir);
	return EXIT_OK;
}
