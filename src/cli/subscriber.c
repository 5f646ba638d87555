/* subscriber.c — PLACEHOLDER being written (issue 4); replace whole file. */
#include "cli/cli.h"

int cli_subscriber(int argc, char **argv, const char *data_dir)
{
	(void)argc;
	(void)argv;
	(void)data_dir;
	return 1;
}
