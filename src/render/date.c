/* date.c — localised dates. */
#include "render/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const months_de[12] = { "Januar", "Februar", "März", "April", "Mai", "Juni",
					   "Juli", "August", "September", "Oktober", "November",
					   "Dezember" };
static const char *const months_en[12] = { "January", "February", "March", "April", "May",
					   "June", "July", "August", "September", "October",
					   "November", "December" };

void date_human(char *out, size_t len, int64_t t, const char *lang)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	if (lang && strcmp(lang, "de") == 0)
		snprintf(out, len, "%d. %s %d", tm.tm_mday, months_de[tm.tm_mon], tm.tm_year + 1900);
	else
		snprintf(out, len, "%s %d, %d", months_en[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900);
}

int date_same_day(int64_t a, int64_t b)
{
	time_t ta = (time_t)a, tb = (time_t)b;
	struct tm x, y;
	localtime_r(&ta, &x);
	localtime_r(&tb, &y);
	return x.tm_year == y.tm_year && x.tm_yday == y.tm_yday;
}
