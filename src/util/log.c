/* log.c — timestamped log lines on stderr, one write() each so lines from
 * several threads never interleave. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/timeutil.h"

static void emit(const char *level, const char *fmt, va_list ap)
{
	char line[1024], ts[32];
	time_fmt_iso_utc(ts, sizeof ts, (int64_t)time(NULL));
	int n = snprintf(line, sizeof line, "%s %s ", ts, level);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

#define LOG_FN(name, level)                  \
	void name(const char *fmt, ...)      \
	{                                    \
		va_list ap;                  \
		va_start(ap, fmt);           \
		emit(level, fmt, ap);        \
		va_end(ap);                  \
	}
LOG_FN(log_info, "info")
LOG_FN(log_warn, "warn")
LOG_FN(log_error, "error")
