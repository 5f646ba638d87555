/* search.c — PLACEHOLDER: helper "search-store" writes it. */
#include "cli/cli.h"

int cli_search(int argc, char **argv, const char *data_dir)
{
	(void)argc; (void)argv; (void)data_dir;
	return cli_fail("search: not built yet");
}
