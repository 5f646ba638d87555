/* date.h — dates as readers read them, in the site's language and time zone
 * (the process TZ): "27. November 2026" (de), "November 27, 2026" (en). */
#ifndef DEPESCHE_RENDER_DATE_H
#define DEPESCHE_RENDER_DATE_H

#include <stddef.h>
#include <stdint.h>

/* Writes the date of t into out (64 bytes are always enough). lang is "de"
 * or anything else for English. */
void date_human(char *out, size_t len, int64_t t, const char *lang);
/* True when a and b fall on the same local calendar day. */
int date_same_day(int64_t a, int64_t b);

#endif
