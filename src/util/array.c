/* array.c — see array.h. */
#include "util/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int array_reserve(void *arrp, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return DP_OK;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return DP_ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return DP_ENOMEM;
	void *p;
	memcpy(&p, arrp, sizeof p);
	void *np = realloc(p, ncap * elem);
	if (!np)
		return DP_ENOMEM;
	memcpy(arrp, &np, sizeof np);
	*cap = ncap;
	return DP_OK;
}
