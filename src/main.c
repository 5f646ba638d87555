/* main.c — command-line dispatch: one table of subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv, const char *data_dir);
	const char *summary;
} commands[] = {
	{ "init", cli_init, "create a site (database and settings)" },
	{ "post", cli_post, "write, list, edit, publish and delete articles" },
	{ "serve", cli_serve, "serve the site over HTTP" },
	{ "user", cli_user, "accounts for the admin (add, list, passwd, delete)" },
	{ "token", cli_token, "bearer tokens for the JSON API" },
	{ "moderation", cli_moderation, "try the comment policy: score comments" },
	{ "config", cli_config, "show and change the site's settings" },
	{ "mail", cli_mail, "send the mail outbox, send a test message, show counts" },
	{ "newsletter", cli_newsletter, "newsletter issues: create, list, show, send, delete" },
	{ "subscriber", cli_subscriber, "newsletter subscribers: list, add, import, delete" },
	{ "job", cli_job, "job listings: add, list, edit, expire, delete" },
	{ "search", cli_search, "the site search: reindex, query, bench" },
	{ "box", cli_box, "the site's boxes: list, add, up, down, show, hide, delete" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: depesche [--data DIR] COMMAND [ARGS]\n\n"
		   "Depesche %s — a self-hosted news publishing engine.\n\n"
		   "Commands:\n", DEPESCHE_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  --data DIR   the site's folder (default: $DEPESCHE_DATA, else ./data)\n"
		   "  --help       this text; 'depesche COMMAND --help' describes a command\n"
		   "  --version    print the version\n");
}

int main(int argc, char **argv)
{
	const char *data_dir = NULL;
	opterr = 0; /* commands report bad options themselves, as "depesche: …" */
	/* --data may stand anywhere; take it out so commands never see it. */
	int n = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "depesche: --data needs a folder\n");
				return EXIT_USAGE;
			}
			data_dir = argv[++i];
		} else if (strncmp(argv[i], "--data=", 7) == 0) {
			data_dir = argv[i] + 7;
		} else {
			argv[n++] = argv[i];
		}
	}
	argc = n;
	argv[argc] = NULL;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("depesche %s\n", DEPESCHE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1, data_dir);
	fprintf(stderr, "depesche: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
