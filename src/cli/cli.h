/* cli.h — the subcommands. Each returns the process exit status: 0 on
 * success, 1 on an error (message on stderr), 2 on a usage error. */
#ifndef DEPESCHE_CLI_CLI_H
#define DEPESCHE_CLI_CLI_H

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

/* Reports the option getopt_long just refused ("depesche: unknown option or
 * missing value: --x"); returns EXIT_USAGE. */
int cli_bad_option(char **argv);
/* "depesche: " + message on stderr; returns EXIT_ERR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Loads the site in data_dir and applies its time zone; prints the error. */
int cli_site_open(const char *data_dir, struct site *ret);

#endif
