/* err.c — descriptions of the error codes. */
#include "util/err.h"

static const char *const messages[DP_E__MAX] = {
	[DP_OK] = "success",
	[DP_ENOMEM] = "out of memory",
	[DP_EINVAL] = "invalid input",
	[DP_ENOTFOUND] = "not found",
	[DP_EEXISTS] = "already exists",
	[DP_ETOOBIG] = "too large",
	[DP_EIO] = "input/output error",
	[DP_EDB] = "database error",
	[DP_EPARSE] = "parse error",
	[DP_EBUSY] = "busy",
};

const char *dp_strerror(int rc)
{
	if (rc < 0 || rc >= DP_E__MAX || !messages[rc])
		return "unknown error";
	return messages[rc];
}
