/* job.c — PLACEHOLDER: helper "jobs" writes it. */
#include "cli/cli.h"

int cli_job(int argc, char **argv, const char *data_dir)
{
	(void)argc; (void)argv; (void)data_dir;
	return cli_fail("job: not built yet");
}
