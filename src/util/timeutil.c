/* timeutil.c — ISO 8601 and HTTP dates. */
#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/err.h"

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *ret)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return DP_EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return DP_OK;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int time_parse_iso(const char *s, int64_t *ret)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = s;
	if (!s || digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return DP_EINVAL;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return DP_EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return DP_EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return DP_EINVAL;
			if (*p == '.') /* fractions are accepted and dropped */
				for (p++; isdigit((unsigned char)*p); p++)
					;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return DP_EINVAL;
	}
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = sec, .tm_isdst = -1 };
	if (*p == '\0') {
		time_t t = mktime(&tm);
		if (t == (time_t)-1)
			return DP_EINVAL;
		*ret = t;
		return DP_OK;
	}
	int off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh))
			return DP_EINVAL;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || oh > 23 || om > 59)
			return DP_EINVAL;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return DP_EINVAL;
	}
	if (*p)
		return DP_EINVAL;
	*ret = (int64_t)timegm(&tm) - off;
	return DP_OK;
}

void time_fmt_iso_local(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char z[8];
	localtime_r(&tt, &tm);
	strftime(z, sizeof z, "%z", &tm);
	size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, "%.3s:%.2s", z, z + 3);
}

void time_fmt_iso_utc(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char wdays[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void time_fmt_http(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	/* Not strftime: %a and %b follow the locale, HTTP wants English. */
	snprintf(out, len, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int month_index(const char *m)
{
	for (int i = 0; i < 12; i++)
		if (strncmp(m, months[i], 3) == 0)
			return i;
	return -1;
}

int time_parse_http(const char *s, int64_t *ret)
{
	char wd[16], mon[4];
	int d, y, h, mi, sec;
	struct tm tm = { 0 };
	if (!s)
		return DP_EINVAL;
	/* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
	if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d GMT", wd, &d, mon, &y, &h, &mi, &sec) == 7) {
	} else if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT", wd, &d, mon, &y, &h, &mi,
			  &sec) == 7) { /* RFC 850 */
		y += y < 70 ? 2000 : 1900;
	} else if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d", wd, mon, &d, &h, &mi, &sec, &y) ==
		   7) { /* asctime */
	} else {
		return DP_EINVAL;
	}
	int m = month_index(mon);
	if (m < 0 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
		return DP_EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = m;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ret = (int64_t)timegm(&tm);
	return DP_OK;
}
