/* common.c — helpers every subcommand uses. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "site/site.h"
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
