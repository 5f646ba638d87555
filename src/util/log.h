/* log.h — one line per event on stderr: "2026-11-27T10:00:00Z LEVEL message".
 * Only programs log (server, CLI); library layers return errors instead. */
#ifndef DEPESCHE_UTIL_LOG_H
#define DEPESCHE_UTIL_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
