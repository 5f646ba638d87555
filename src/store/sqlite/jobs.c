/* jobs.c — PLACEHOLDER: helper "store-jobs" writes it. */
#include "store/store.h"
#include "util/err.h"

int job_type_parse(const char *name, enum job_type *ret)
{
	(void)name;
	(void)ret;
	return DP_EIO;
}

void job_release(struct job *j)
{
	(void)j;
}

void jobs_free(struct job *j, size_t n)
{
	(void)j;
	(void)n;
}

int store_job_save(struct store *s, struct job *j, int64_t now)
{
	(void)s;
	(void)j;
	(void)now;
	return DP_EIO;
}

int store_job_get(struct store *s, int64_t id, struct job *ret)
{
	(void)s;
	(void)id;
	(void)ret;
	return DP_EIO;
}

int store_job_by_slug(struct store *s, const char *slug, struct job *ret)
{
	(void)s;
	(void)slug;
	(void)ret;
	return DP_EIO;
}

int store_jobs(struct store *s, const struct job_query *q, struct job **ret, size_t *ret_n, size_t *ret_total)
{
	(void)s;
	(void)q;
	(void)ret;
	(void)ret_n;
	(void)ret_total;
	return DP_EIO;
}

int store_job_locations(struct store *s, int64_t now, char ***ret, size_t *ret_n)
{
	(void)s;
	(void)now;
	(void)ret;
	(void)ret_n;
	return DP_EIO;
}

int store_job_expire(struct store *s, int64_t id, int64_t now)
{
	(void)s;
	(void)id;
	(void)now;
	return DP_EIO;
}

int store_job_delete(struct store *s, int64_t id)
{
	(void)s;
	(void)id;
	return DP_EIO;
}

int store_job_next_expiry(struct store *s, int64_t now, int64_t *ret)
{
	(void)s;
	(void)now;
	(void)ret;
	return DP_EIO;
}

const char *job_type_name(enum job_type t)
{
	(void)t;
	return "?";
}

const char *job_type_schema(enum job_type t)
{
	(void)t;
	return "?";
}
