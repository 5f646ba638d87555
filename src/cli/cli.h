/* cli.h — the subcommands. Each returns the process exit status: 0 on
 * success, 1 on an error (message on stderr), 2 on a usage error. */
#ifndef DEPESCHE_CLI_CLI_H
#define DEPESCHE_CLI_CLI_H

#include <stdint.h>
#include <stdio.h>

struct site;

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2 };

int cli_init(int argc, char **argv, const char *data_dir);
int cli_post(int argc, char **argv, const char *data_dir);
int cli_serve(int argc, char **argv, const char *data_dir);
int cli_user(int argc, char **argv, const char *data_dir);
int cli_token(int argc, char **argv, const char *data_dir);
int cli_moderation(int argc, char **argv, const char *data_dir);
int cli_config(int argc, char **argv, const char *data_dir);
int cli_mail(int argc, char **argv, const char *data_dir);
int cli_newsletter(int argc, char **argv, const char *data_dir);
int cli_subscriber(int argc, char **argv, const char *data_dir);
int cli_job(int argc, char **argv, const char *data_dir);
int cli_search(int argc, char **argv, const char *data_dir);
int cli_box(int argc, char **argv, const char *data_dir);

/* What a subcommand of a command group (post, job, newsletter, subscriber)
 * gets: the loaded site, its open database and the time the command began. */
struct store;
struct cli_env {
	const struct site *site;
	struct store *st;
	int64_t now;
};
/* One subcommand; argv[0] is its name. Returns the exit status. */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv, const struct cli_env *env);
};
/* The shape every command group shares: no subcommand → help on stderr
 * (exit 2); --help or -h anywhere → help on stdout (exit 0); an unknown
 * subcommand → a message and the help (exit 2); else the site and its
 * database are opened, the subcommand runs with argv from its name on, and
 * both are closed. cmds ends with { NULL, NULL }. */
int cli_dispatch(const char *group, const struct cli_cmd *cmds, void (*help)(FILE *out),
		 int argc, char **argv, const char *data_dir);

/* Reports the option getopt_long just refused ("depesche: unknown option or
 * missing value: --x"); returns EXIT_USAGE. */
int cli_bad_option(char **argv);
/* "depesche: " + message on stderr; returns EXIT_ERR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Loads the site in data_dir and applies its time zone; prints the error. */
int cli_site_open(const char *data_dir, struct site *ret);
/* store_open() for a command: a search index that needs building (an
 * upgrade) is built first with a note on stderr, as it can take minutes.
 * Returns store_open()'s code; prints nothing else. */
struct store;
int cli_store_open(const char *path, int flags, struct store **ret);

#endif
