/* array.h — growing a malloc'd array of fixed-size elements (the lists the
 * store reads row by row). */
#ifndef DEPESCHE_UTIL_ARRAY_H
#define DEPESCHE_UTIL_ARRAY_H

#include <stddef.h>

/* Makes room for at least need elements of elem bytes in the array whose
 * pointer is at arrp (e.g. &items, a struct job **) and whose capacity is
 * *cap, doubling (from 8). DP_ENOMEM leaves the array and *cap as they were. */
int array_reserve(void *arrp, size_t *cap, size_t need, size_t elem);

#endif
