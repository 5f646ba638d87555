/* timeutil.h — parsing and formatting of the date formats Depesche speaks:
 * ISO 8601 / RFC 3339 (CLI, Atom, JSON Feed, sitemaps) and the HTTP date
 * (RFC 9110 §5.6.7: IMF-fixdate, also read in the obsolete forms). */
#ifndef DEPESCHE_UTIL_TIMEUTIL_H
#define DEPESCHE_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Parses "2026-11-27", "2026-11-27T10:00", "2026-11-27 10:00:00",
 * "2026-11-27T10:00:00Z", "…+01:00" / "…+0100". Without a zone the time is
 * local (the process's TZ, which the server sets from the site). DP_EINVAL on
 * anything else, including out-of-range fields. */
int time_parse_iso(const char *s, int64_t *ret);

/* "2026-11-27T10:00:00+01:00" in local time (out needs 32 bytes). */
void time_fmt_iso_local(char *out, size_t len, int64_t t);
/* "2026-11-27T10:00:00Z" (out needs 32 bytes). */
void time_fmt_iso_utc(char *out, size_t len, int64_t t);
/* "Fri, 27 Nov 2026 10:00:00 GMT" (out needs 32 bytes). */
void time_fmt_http(char *out, size_t len, int64_t t);
/* Reads an HTTP date in any of the three forms RFC 9110 names. */
int time_parse_http(const char *s, int64_t *ret);

#endif
