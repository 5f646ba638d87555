/* jobs.c — job listings in the SQLite backend (store.h, "job listings");
 * statement slots 192..223 of internal.h. The table is migration 8's.
 *
 * A job is public while posted_at <= now < valid_through. Every write
 * records the change note "jobs" in the same write bracket, so a running
 * server drops the pages keyed "l:jobs" (http/watch.c) as soon as the
 * write is committed; the pages expire by themselves at the times
 * store_job_next_expiry() names.
 *
 * Queries and their indexes: lists walk jobs_posted (posted_at, id)
 * backwards from now (newest first, the page's order); the next expiry
 * takes the first entry of jobs_public (valid_through, posted_at) after
 * now and the first of jobs_posted after now. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/internal.h"
#include "util/array.h"
#include "util/err.h"

#define SLOT0 192

/* A list's limit when the caller gives 0 (struct job_query), and the most
 * rows one call returns whatever the caller asks. */
#define LIMIT_DEFAULT 20
#define LIMIT_MAX 10000
/* The distinct locations the filter offers, at most. */
#define LOCATIONS_MAX 1000
/* Byte bounds the store keeps whatever its callers check (job_input.h
 * counts characters; four bytes each at most). */
#define SHORT_MAX 1000
#define URL_MAX 4000
#define TEXT_MAX (1u << 20)

enum {
	J_INSERT,
	J_UPDATE,
	J_GET,
	J_BY_SLUG,
	J_LIST,
	J_COUNT,
	J_LOCATIONS,
	J_EXPIRE,
	J_DELETE,
	J_NEXT,
	J__MAX
};
_Static_assert(J__MAX <= 32, "jobs.c owns statement slots 192..223");
_Static_assert(SLOT0 + 32 <= SQ_XSLOTS, "internal.h has room for slots 192..223");

/* The columns read_job() reads, in its order; the full ones add the
 * description. */
#define COLS                                                                     \
	"id, slug, title, employer, location, remote, type, apply_url, posted_at," \
	" valid_through, created_at, updated_at"
#define NCOLS 12
#define FULL_COLS COLS ", description_md, description_html"

/* The filter of J_LIST and J_COUNT: ?1 include expired, ?2 now, ?3
 * location ("" any), ?4 type (-1 any), ?5 remote only. The bound on
 * posted_at keeps the walk of jobs_posted to jobs already posted. */
#define FILTER                                                                       \
	" WHERE posted_at <= CASE WHEN ?1 THEN 9223372036854775807 ELSE ?2 END"      \
	" AND (?1 OR valid_through > ?2)"                                             \
	" AND (?3 = '' OR location = ?3 COLLATE NOCASE)"                              \
	" AND (?4 < 0 OR type = ?4) AND (?5 = 0 OR remote = 1)"

static const char *const sql[J__MAX] = {
	[J_INSERT] = "INSERT INTO jobs (slug, title, employer, location, remote, type, apply_url,"
		     " posted_at, valid_through, created_at, updated_at, description_md,"
		     " description_html)"
		     " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)"
		     " RETURNING id",
	[J_UPDATE] = "UPDATE jobs SET slug = ?2, title = ?3, employer = ?4, location = ?5,"
		     " remote = ?6, type = ?7, apply_url = ?8, posted_at = ?9,"
		     " valid_through = ?10, updated_at = ?11, description_md = ?12,"
		     " description_html = ?13 WHERE id = ?1 RETURNING created_at",
	[J_GET] = "SELECT " FULL_COLS " FROM jobs WHERE id = ?1",
	[J_BY_SLUG] = "SELECT " FULL_COLS " FROM jobs WHERE slug = ?1",
	[J_LIST] = "SELECT " COLS " FROM jobs" FILTER
		   " ORDER BY posted_at DESC, id DESC LIMIT ?6 OFFSET ?7",
	[J_COUNT] = "SELECT count(*) FROM jobs" FILTER,
	/* One spelling per location ignoring case; sorted in C. */
	[J_LOCATIONS] = "SELECT location FROM jobs"
			" WHERE posted_at <= ?1 AND valid_through > ?1 AND location <> ''"
			" GROUP BY location COLLATE NOCASE LIMIT ?2",
	/* An expired job keeps the time it left. */
	[J_EXPIRE] = "UPDATE jobs SET valid_through = min(valid_through, ?2), updated_at = ?2"
		     " WHERE id = ?1",
	[J_DELETE] = "DELETE FROM jobs WHERE id = ?1",
	/* When the public set changes next: a public job leaves, or a job
	 * posted ahead appears (one that would leave before it appears never
	 * does). */
	[J_NEXT] = "SELECT coalesce(min(t), 0) FROM ("
		   " SELECT min(valid_through) AS t FROM jobs"
		   "  WHERE valid_through > ?1 AND posted_at <= ?1"
		   " UNION ALL"
		   " SELECT min(posted_at) FROM jobs"
		   "  WHERE posted_at > ?1 AND valid_through > posted_at)",
};

static int use(struct store *s, unsigned o, sqlite3_stmt **ret)
{
	return sq_use(s, SLOT0 + o, sql[o], ret);
}

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static int text_ok(const char *t, size_t max)
{
	if (!t)
		return DP_EINVAL;
	return strlen(t) > max ? DP_ETOOBIG : DP_OK;
}

static int64_t clamp_size(size_t n)
{
	return n > (size_t)INT64_MAX ? INT64_MAX : (int64_t)n;
}

/* Fills j from the current row (COLS, then the description when full). */
static int read_job(sqlite3_stmt *st, bool full, struct job *j)
{
	int rc;
	memset(j, 0, sizeof *j);
	j->id = sqlite3_column_int64(st, 0);
	j->remote = sqlite3_column_int(st, 5) != 0;
	int type = sqlite3_column_int(st, 6);
	j->type = type >= 0 && type < JOB_TYPE__MAX ? (enum job_type)type : JOB_FULL_TIME;
	j->posted_at = sqlite3_column_int64(st, 8);
	j->valid_through = sqlite3_column_int64(st, 9);
	j->created_at = sqlite3_column_int64(st, 10);
	j->updated_at = sqlite3_column_int64(st, 11);
	if ((rc = sq_col_dup(st, 1, &j->slug)) || (rc = sq_col_dup(st, 2, &j->title)) ||
	    (rc = sq_col_dup(st, 3, &j->employer)) || (rc = sq_col_dup(st, 4, &j->location)) ||
	    (rc = sq_col_dup(st, 7, &j->apply_url)))
		goto fail;
	if (full && ((rc = sq_col_dup(st, NCOLS, &j->description_md)) ||
		     (rc = sq_col_dup(st, NCOLS + 1, &j->description_html))))
		goto fail;
	return DP_OK;
fail:
	job_release(j);
	return rc;
}

int store_job_save(struct store *s, struct job *j, int64_t now)
{
	sqlite3_stmt *st;
	int64_t id = 0, created_at = now;
	bool row = false, own;
	int rc;

	if (!s || !j || !j->slug || !*j->slug || (unsigned)j->type >= JOB_TYPE__MAX ||
	    !j->valid_through)
		return DP_EINVAL;
	if ((rc = text_ok(j->slug, SHORT_MAX)) || (rc = text_ok(j->title, SHORT_MAX)) ||
	    (rc = text_ok(j->employer, SHORT_MAX)) ||
	    (rc = text_ok(j->location ? j->location : "", SHORT_MAX)) ||
	    (rc = text_ok(j->apply_url, URL_MAX)) ||
	    (rc = text_ok(j->description_md ? j->description_md : "", TEXT_MAX)) ||
	    (rc = text_ok(j->description_html ? j->description_html : "", 4 * TEXT_MAX)))
		return rc;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, j->id ? J_UPDATE : J_INSERT, &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, j->id)) && !(rc = sq_bind_text(st, 2, j->slug)) &&
	    !(rc = sq_bind_text(st, 3, j->title)) && !(rc = sq_bind_text(st, 4, j->employer)) &&
	    !(rc = sq_bind_text(st, 5, j->location ? j->location : "")) &&
	    !(rc = sq_bind_i64(st, 6, j->remote ? 1 : 0)) && !(rc = sq_bind_i64(st, 7, j->type)) &&
	    !(rc = sq_bind_text(st, 8, j->apply_url)) && !(rc = sq_bind_i64(st, 9, j->posted_at)) &&
	    !(rc = sq_bind_i64(st, 10, j->valid_through)) && !(rc = sq_bind_i64(st, 11, now)) &&
	    !(rc = sq_bind_text(st, 12, j->description_md ? j->description_md : "")) &&
	    !(rc = sq_bind_text(st, 13, j->description_html ? j->description_html : "")) &&
	    !(rc = sq_step(st, &row)) && row) {
		if (j->id) {
			id = j->id;
			created_at = sqlite3_column_int64(st, 0);
		} else {
			id = sqlite3_column_int64(st, 0);
		}
		rc = sq_step(st, NULL);
	}
	done(st);
	if (!rc && !row)
		rc = DP_ENOTFOUND; /* an update of a job that is gone */
	if (!rc)
		rc = sq_change_note(s, "jobs", now);
out:
	rc = sq_write_end(s, own, rc);
	if (!rc) {
		j->id = id;
		j->created_at = created_at;
		j->updated_at = now;
	}
	return rc;
}

/* One job by the statement o bound by bind (id or slug). */
static int get_one(struct store *s, unsigned o, int64_t id, const char *slug, struct job *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, o, &st)))
		return rc;
	rc = slug ? sq_bind_text(st, 1, slug) : sq_bind_i64(st, 1, id);
	if (!rc && !(rc = sq_step(st, &row)))
		rc = row ? read_job(st, true, ret) : DP_ENOTFOUND;
	done(st);
	return rc;
}

int store_job_get(struct store *s, int64_t id, struct job *ret)
{
	return get_one(s, J_GET, id, NULL, ret);
}

int store_job_by_slug(struct store *s, const char *slug, struct job *ret)
{
	if (!slug)
		return DP_EINVAL;
	return get_one(s, J_BY_SLUG, 0, slug, ret);
}

static int bind_filter(sqlite3_stmt *st, const struct job_query *q)
{
	int rc;
	if ((rc = sq_bind_i64(st, 1, q->include_expired ? 1 : 0)) ||
	    (rc = sq_bind_i64(st, 2, q->now)) ||
	    (rc = sq_bind_text(st, 3, q->location ? q->location : "")) ||
	    (rc = sq_bind_i64(st, 4, q->type >= 0 && q->type < JOB_TYPE__MAX ? q->type : -1)) ||
	    (rc = sq_bind_i64(st, 5, q->remote_only ? 1 : 0)))
		return rc;
	return DP_OK;
}

int store_jobs(struct store *s, const struct job_query *q, struct job **ret, size_t *ret_n,
	       size_t *ret_total)
{
	sqlite3_stmt *st;
	struct job *list = NULL;
	size_t n = 0, cap = 0;
	bool row;
	int rc;

	if (!s || !q || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (q->type >= JOB_TYPE__MAX)
		return DP_EINVAL;
	size_t limit = q->limit ? q->limit : LIMIT_DEFAULT;
	if (limit > LIMIT_MAX)
		limit = LIMIT_MAX;
	if ((rc = use(s, J_LIST, &st)))
		return rc;
	if (!(rc = bind_filter(st, q)) && !(rc = sq_bind_i64(st, 6, clamp_size(limit))) &&
	    !(rc = sq_bind_i64(st, 7, clamp_size(q->offset)))) {
		while (!(rc = sq_step(st, &row)) && row) {
			if ((rc = array_reserve(&list, &cap, n + 1,
							 sizeof *list)))
				break;
			if ((rc = read_job(st, false, &list[n])))
				break;
			n++;
		}
	}
	done(st);
	if (!rc && ret_total) {
		int64_t total = 0;
		if (!(rc = use(s, J_COUNT, &st))) {
			if (!(rc = bind_filter(st, q)) && !(rc = sq_step(st, &row)) && row)
				total = sqlite3_column_int64(st, 0);
			done(st);
		}
		*ret_total = (size_t)total;
	}
	if (rc) {
		jobs_free(list, n);
		return rc;
	}
	*ret = list;
	*ret_n = n;
	return DP_OK;
}

/* The key locations sort by: ASCII folded to lower case, the German
 * letters to their base (ä → a, ß → ss), so "Ärzte" sorts with "Aachen"
 * rather than after "Zwickau". malloc'd. */
static char *sort_key(const char *s)
{
	size_t n = strlen(s);
	char *k = malloc(2 * n + 1), *o = k;
	if (!k)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (p[0] == 0xC3 && p[1]) {
			switch (p[1]) {
			case 0x84: case 0xA4: *o++ = 'a'; p++; continue; /* Ä ä */
			case 0x96: case 0xB6: *o++ = 'o'; p++; continue; /* Ö ö */
			case 0x9C: case 0xBC: *o++ = 'u'; p++; continue; /* Ü ü */
			case 0x9F: *o++ = 's'; *o++ = 's'; p++; continue; /* ß */
			default: break;
			}
		}
		*o++ = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	}
	*o = '\0';
	return k;
}

struct keyed {
	char *key, *text;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->text, y->text);
}

int store_job_locations(struct store *s, int64_t now, char ***ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	struct keyed *items = NULL;
	size_t n = 0, cap = 0;
	bool row;
	int rc;

	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, J_LOCATIONS, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, now)) && !(rc = sq_bind_i64(st, 2, LOCATIONS_MAX))) {
		while (!(rc = sq_step(st, &row)) && row) {
			if ((rc = array_reserve(&items, &cap, n + 1,
							 sizeof *items)))
				break;
			items[n].key = NULL;
			if ((rc = sq_col_dup(st, 0, &items[n].text)))
				break;
			n++;
			if (!(items[n - 1].key = sort_key(items[n - 1].text))) {
				rc = DP_ENOMEM;
				break;
			}
		}
	}
	done(st);
	char **out = NULL;
	if (!rc && n) {
		qsort(items, n, sizeof *items, keyed_cmp);
		if (!(out = malloc(n * sizeof *out)))
			rc = DP_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		free(items[i].key);
		if (out)
			out[i] = items[i].text;
		else
			free(items[i].text);
	}
	free(items);
	if (rc) {
		free(out);
		return rc;
	}
	*ret = out;
	*ret_n = out ? n : 0;
	return DP_OK;
}

/* Runs the id statement o (expire or delete) with the change note. */
static int change(struct store *s, unsigned o, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	bool own;
	int rc;
	if (!s || id <= 0)
		return s ? DP_ENOTFOUND : DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if (!(rc = use(s, o, &st))) {
		if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, now)) &&
		    !(rc = sq_step(st, NULL)) && sq_changes(s) == 0)
			rc = DP_ENOTFOUND;
		done(st);
	}
	if (!rc)
		rc = sq_change_note(s, "jobs", now);
	return sq_write_end(s, own, rc);
}

int store_job_expire(struct store *s, int64_t id, int64_t now)
{
	return change(s, J_EXPIRE, id, now);
}

int store_job_delete(struct store *s, int64_t id)
{
	return change(s, J_DELETE, id, (int64_t)time(NULL));
}

int store_job_next_expiry(struct store *s, int64_t now, int64_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	*ret = 0;
	if ((rc = use(s, J_NEXT, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, now)) && !(rc = sq_step(st, &row)) && row)
		*ret = sqlite3_column_int64(st, 0);
	done(st);
	return rc;
}
