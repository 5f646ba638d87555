/* common.c — helpers every subcommand uses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "site/site.h"
#include "store/store.h"
#include "util/err.h"

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("depesche: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

int cli_bad_option(char **argv)
{
	extern int optind;
	fprintf(stderr, "depesche: unknown option or missing value: %s\n",
		optind > 0 ? argv[optind - 1] : "?");
	return EXIT_USAGE;
}

int cli_site_open(const char *data_dir, struct site *ret)
{
	char err[512];
	int rc = site_load(site_dir_default(data_dir), ret, err, sizeof err);
	if (rc)
		return cli_fail("%s", err);
	/* Readers see dates in the newsroom's zone; the CLI reads them so too. */
	if (ret->timezone && *ret->timezone)
		setenv("TZ", ret->timezone, 1);
	tzset();
	return EXIT_OK;
}

int cli_store_open(const char *path, int flags, struct store **ret)
{
	struct store *st = NULL;
	bool stale = false;
	size_t articles = 0;
	char lang[8];
	int rc = store_open(path, flags | STORE_NO_INDEX_BUILD, &st);
	if (rc)
		return rc;
	if (!(flags & STORE_NO_INDEX_BUILD) && !(rc = store_search_stale(st, &stale, &articles)) &&
	    stale) {
		if (articles > 0)
			fprintf(stderr, "depesche: building the search index of %zu articles first"
					" (made by an older version) ...\n", articles);
		if (!(rc = store_search_lang(st, lang, sizeof lang)))
			rc = store_search_reindex(st, lang, NULL, NULL);
		if (!rc && articles > 0)
			fprintf(stderr, "depesche: search index built\n");
	}
	if (rc) {
		store_close(st);
		return rc;
	}
	*ret = st;
	return DP_OK;
}

static int is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int cli_dispatch(const char *group, const struct cli_cmd *cmds, void (*help)(FILE *out),
		 int argc, char **argv, const char *data_dir)
{
	if (argc < 2 || is_help(argv[1])) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	const struct cli_cmd *cmd = cmds;
	while (cmd->name && strcmp(cmd->name, argv[1]) != 0)
		cmd++;
	if (!cmd->name) {
		cli_fail("unknown %s command '%s'", group, argv[1]);
		help(stderr);
		return EXIT_USAGE;
	}
	for (int k = 2; k < argc; k++)
		if (is_help(argv[k])) {
			help(stdout);
			return EXIT_OK;
		}
	struct site site;
	struct store *st = NULL;
	if (cli_site_open(data_dir, &site))
		return EXIT_ERR;
	char *path = site_db_path(&site);
	int rc = path ? cli_store_open(path, 0, &st) : DP_ENOMEM;
	int r = EXIT_OK;
	if (rc) {
		r = cli_fail("cannot open the database %s: %s", path ? path : "", dp_strerror(rc));
	} else {
		struct cli_env env = { &site, st, (int64_t)time(NULL) };
		r = cmd->fn(argc - 1, argv + 1, &env);
	}
	free(path);
	store_close(st);
	site_release(&site);
	return r;
}
