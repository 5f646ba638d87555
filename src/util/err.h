/* err.h — the one error enum every fallible function in Depesche returns. */
#ifndef DEPESCHE_UTIL_ERR_H
#define DEPESCHE_UTIL_ERR_H

enum dp_err {
	DP_OK = 0,
	DP_ENOMEM,    /* allocation failed */
	DP_EINVAL,    /* bad input from a user or client */
	DP_ENOTFOUND, /* no such thing */
	DP_EEXISTS,   /* it is there already (slug, site) */
	DP_ETOOBIG,   /* a size limit was hit */
	DP_EIO,       /* file or socket error */
	DP_EDB,       /* the database failed */
	DP_EPARSE,    /* a template, config or document did not parse */
	DP_EBUSY,     /* try again later (rate limit, lock) */
	DP_E__MAX
};

/* A short English description of rc, never NULL. */
const char *dp_strerror(int rc);

#endif
