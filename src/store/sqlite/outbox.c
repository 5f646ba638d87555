/* outbox.c — the mail outbox in the SQLite backend (store.h, "the mail
 * outbox"); statement slots 64..79 of internal.h.
 *
 * A claim is one UPDATE … RETURNING inside the write bracket (BEGIN
 * IMMEDIATE), so two senders never claim the same row: the second waits
 * for the first's commit and then sees the rows as sending.
 *
 * A message of a newsletter issue carries the id (newsletter_id,
 * 0 for all other mail), so the admin can show an issue's progress. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"
#include "util/err.h"

#define SLOT0 64

enum {
	O_INSERT,
	O_RECLAIM,
	O_CLAIM,
	O_CLAIM_ID,
	O_DONE,
	O_ATTEMPTS,
	O_FAIL,
	O_UNCLAIM,
	O_GET,
	O_COUNTS,
	O_LIST,
	O_LIST_ANY,
	O_COUNT,
	O_COUNT_ANY,
	O_RETRY,
	O_COUNTS_FOR,
	O_INSERT_BODY,
	O_BODY,
	O__MAX
};
_Static_assert(O__MAX <= 32, "outbox.c owns statement slots 64..95");
_Static_assert(SLOT0 + 32 <= SQ_XSLOTS, "internal.h has room for slots 64..95");
_Static_assert(OUTBOX_QUEUED == 0 && OUTBOX_SENDING == 1 && OUTBOX_SENT == 2 &&
		       OUTBOX_FAILED == 3,
	       "the SQL names the statuses by number");

/* The columns read_msg() reads, in its order. */
#define COLS                                                                         \
	"id, kind, status, recipient, attempts, created_at, next_attempt_at, sent_at," \
	" last_error, message"
#define LIST_COLS                                                                    \
	"id, kind, status, recipient, attempts, created_at, next_attempt_at, sent_at," \
	" last_error, ''"

static const char *const sql[O__MAX] = {
	[O_INSERT] = "INSERT INTO outbox (created_at, kind, recipient, message, status, attempts,"
		     " next_attempt_at, newsletter_id) VALUES (?1, ?2, ?3, x'', 0, 0, ?1, ?5)"
		     " RETURNING id",
	[O_INSERT_BODY] = "INSERT INTO outbox_bodies (id, message) VALUES (?1, ?2)",
	[O_BODY] = "SELECT message FROM outbox_bodies WHERE id = ?1",
	[O_RECLAIM] = "UPDATE outbox SET status = 0, claimed_by = NULL"
		      " WHERE status = 1 AND claimed_at <= ?1",
	[O_CLAIM] = "UPDATE outbox SET status = 1, claimed_by = ?1, claimed_at = ?2"
		    " WHERE id IN (SELECT id FROM outbox WHERE status = 0 AND next_attempt_at <= ?2"
		    "  ORDER BY next_attempt_at, id LIMIT ?3) RETURNING " COLS,
	[O_CLAIM_ID] = "UPDATE outbox SET status = 1, claimed_by = ?2, claimed_at = ?3"
		       " WHERE id = ?1 AND status = 0 RETURNING " COLS,
	[O_DONE] = "UPDATE outbox SET status = 2, sent_at = ?2, last_error = '', claimed_by = NULL"
		   " WHERE id = ?1",
	[O_ATTEMPTS] = "SELECT attempts FROM outbox WHERE id = ?1",
	[O_FAIL] = "UPDATE outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4,"
		   " last_error = ?5, claimed_by = NULL WHERE id = ?1",
	[O_UNCLAIM] = "UPDATE outbox SET status = 0, claimed_by = NULL WHERE id = ?1 AND status = 1",
	[O_GET] = "SELECT " COLS " FROM outbox WHERE id = ?1",  /* + fill_body() */
	[O_COUNTS] = "SELECT status, count(*) FROM outbox GROUP BY status",
	/* Lists leave the message out ('' as its last column): a page of the
	 * admin's outbox reads no message bytes. O_LIST walks outbox_status,
	 * O_LIST_ANY the rowid, both newest first. */
	[O_LIST] = "SELECT " LIST_COLS " FROM outbox WHERE status = ?1"
		   " ORDER BY id DESC LIMIT ?2 OFFSET ?3",
	[O_LIST_ANY] = "SELECT " LIST_COLS " FROM outbox ORDER BY id DESC LIMIT ?2 OFFSET ?3",
	[O_COUNT] = "SELECT count(*) FROM outbox WHERE status = ?1",
	[O_COUNT_ANY] = "SELECT count(*) FROM outbox",
	[O_RETRY] = "UPDATE outbox SET status = 0, attempts = 0, next_attempt_at = ?2,"
		    " claimed_by = NULL WHERE id = ?1 AND status = 3",
	[O_COUNTS_FOR] = "SELECT status, count(*) FROM outbox WHERE newsletter_id = ?1"
			 " GROUP BY status",
};

static int use(struct store *s, unsigned o, sqlite3_stmt **ret)
{
	return sq_use(s, SLOT0 + o, sql[o], ret);
}

static int kind_parse(const char *name, enum outbox_kind *ret)
{
	for (int k = 0; k < OUTBOX_KIND__MAX; k++)
		if (strcmp(name, outbox_kind_name((enum outbox_kind)k)) == 0) {
			*ret = (enum outbox_kind)k;
			return DP_OK;
		}
	return DP_EINVAL;
}

/* Fills m (zeroed by the caller) from a row of COLS. */
static int read_msg(sqlite3_stmt *st, struct outbox_msg *m)
{
	const unsigned char *kind = sqlite3_column_text(st, 1);
	int64_t status = sqlite3_column_int64(st, 2);
	int rc;

	m->id = sqlite3_column_int64(st, 0);
	/* A kind or status a newer program wrote reads as the most harmless. */
	if (!kind || kind_parse((const char *)kind, &m->kind))
		m->kind = OUTBOX_NOTIFY;
	m->status = status >= 0 && status < OUTBOX_STATUS__MAX ? (enum outbox_status)status
							       : OUTBOX_FAILED;
	m->attempts = sqlite3_column_int(st, 4);
	m->created_at = sqlite3_column_int64(st, 5);
	m->next_attempt_at = sqlite3_column_int64(st, 6);
	m->sent_at = sqlite3_column_int64(st, 7);
	if ((rc = sq_col_dup(st, 3, &m->recipient)) || (rc = sq_col_dup(st, 8, &m->last_error)))
		return rc;
	const void *blob = sqlite3_column_blob(st, 9);
	int n = sqlite3_column_bytes(st, 9);
	if (n < 0 || !(m->message = malloc((size_t)n + 1)))
		return DP_ENOMEM;
	if (n)
		memcpy(m->message, blob, (size_t)n);
	m->message[n] = '\0';
	m->len = (size_t)n;
	return DP_OK;
}

static int insert_body(struct store *s, int64_t id, const char *message, size_t len)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = use(s, O_INSERT_BODY, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id))) {
		if (sqlite3_bind_blob(st, 2, message, (int)len, SQLITE_STATIC) != SQLITE_OK)
			rc = DP_EDB;
		else
			rc = sq_step(st, NULL);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Messages queued since v7 keep their bytes in outbox_bodies (their
 * outbox.message is empty): reads them into m. */
static int fill_body(struct store *s, struct outbox_msg *m)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (m->len)
		return DP_OK;
	if ((rc = use(s, O_BODY, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, m->id)) && !(rc = sq_step(st, &row)) && row) {
		const void *blob = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
		if (!p) {
			rc = DP_ENOMEM;
		} else {
			if (n)
				memcpy(p, blob, (size_t)n);
			p[n] = '\0';
			free(m->message);
			m->message = p;
			m->len = (size_t)n;
		}
	}
	sqlite3_reset(st);
	return rc;
}

int store_outbox_add(struct store *s, enum outbox_kind kind, const char *recipient,
		     const char *message, size_t len, int64_t now, int64_t *ret_id)
{
	return store_outbox_add_for(s, kind, 0, recipient, message, len, now, ret_id);
}

int store_outbox_add_for(struct store *s, enum outbox_kind kind, int64_t newsletter_id,
			 const char *recipient, const char *message, size_t len, int64_t now,
			 int64_t *ret_id)
{
	sqlite3_stmt *st;
	bool row;
	int rc;

	if (!s || !recipient || !*recipient || !message || !len || len > INT32_MAX ||
	    (unsigned)kind >= OUTBOX_KIND__MAX || newsletter_id < 0)
		return DP_EINVAL;
	bool own;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, O_INSERT, &st)))
		return sq_write_end(s, own, rc);
	if (!(rc = sq_bind_i64(st, 1, now)) &&
	    !(rc = sq_bind_text(st, 2, outbox_kind_name(kind))) &&
	    !(rc = sq_bind_i64(st, 5, newsletter_id)) &&
	    !(rc = sq_bind_text(st, 3, recipient))) {
		if (sqlite3_bind_blob(st, 4, message, (int)len, SQLITE_STATIC) != SQLITE_OK)
			rc = DP_EDB;
		else if (!(rc = sq_step(st, &row))) {
			if (!row)
				rc = DP_EDB;
			else {
				int64_t id = sqlite3_column_int64(st, 0);
				if (ret_id)
					*ret_id = id;
				rc = sq_step(st, NULL);
				if (!rc)
					rc = insert_body(s, id, message, len);
			}
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return sq_write_end(s, own, rc);
}

int store_outbox_claim(struct store *s, const char *worker, int64_t now, size_t max,
		       struct outbox_msg **ret, size_t *ret_n)
{
	struct outbox_msg *items = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s || !worker || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (!max)
		return DP_OK;
	if (max > 10000)
		max = 10000;
	if (!(items = calloc(max, sizeof *items)))
		return DP_ENOMEM;

	if ((rc = sq_write_begin(s, &own)))
		goto out_free;
	if ((rc = use(s, O_RECLAIM, &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, now - OUTBOX_CLAIM_STALE)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	if (rc)
		goto out;

	if ((rc = use(s, O_CLAIM, &st)))
		goto out;
	if (!(rc = sq_bind_text(st, 1, worker)) && !(rc = sq_bind_i64(st, 2, now)) &&
	    !(rc = sq_bind_i64(st, 3, (int64_t)max))) {
		while (!(rc = sq_step(st, &row)) && row && n < max)
			if ((rc = read_msg(st, &items[n++])))
				break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (size_t i = 0; !rc && i < n; i++)
		rc = fill_body(s, &items[i]);
out:
	rc = sq_write_end(s, own, rc);
out_free:
	if (rc || !n) {
		outbox_msgs_free(items, n);
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

int store_outbox_claim_id(struct store *s, int64_t id, const char *worker, int64_t now,
			  struct outbox_msg *ret)
{
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s || !worker || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, O_CLAIM_ID, &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_text(st, 2, worker)) &&
	    !(rc = sq_bind_i64(st, 3, now)) && !(rc = sq_step(st, &row))) {
		if (!row)
			rc = DP_ENOTFOUND;
		else if (!(rc = read_msg(st, ret)))
			rc = sq_step(st, NULL);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc)
		rc = fill_body(s, ret);
out:
	rc = sq_write_end(s, own, rc);
	if (rc)
		outbox_msg_release(ret);
	return rc;
}

int store_outbox_done(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, O_DONE, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, now)) &&
	    !(rc = sq_step(st, NULL)) && sq_changes(s) == 0)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
	return rc;
}

/* Bytes of error to keep: at most OUTBOX_ERROR_MAX, never ending inside a
 * UTF-8 sequence. */
static size_t error_cut(const char *error)
{
	size_t n = strlen(error);
	if (n <= OUTBOX_ERROR_MAX)
		return n;
	n = OUTBOX_ERROR_MAX;
	while (n && ((unsigned char)error[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int store_outbox_fail(struct store *s, int64_t id, bool permanent, const char *error,
		      int64_t now, enum outbox_status *ret_status)
{
	enum outbox_status status = OUTBOX_FAILED;
	int64_t attempts = 0, next = now;
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s)
		return DP_EINVAL;
	if (!error)
		error = "";
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, O_ATTEMPTS, &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row))) {
		if (row)
			attempts = sqlite3_column_int64(st, 0);
		else
			rc = DP_ENOTFOUND;
	}
	sqlite3_reset(st);
	if (rc)
		goto out;

	if (attempts < 0)
		attempts = 0;
	if (!permanent && attempts + 1 < OUTBOX_ATTEMPTS_MAX) {
		int64_t wait = OUTBOX_BACKOFF_BASE;
		for (int64_t i = 0; i < attempts && wait < OUTBOX_BACKOFF_MAX; i++)
			wait *= 2;
		next = now + (wait < OUTBOX_BACKOFF_MAX ? wait : OUTBOX_BACKOFF_MAX);
		status = OUTBOX_QUEUED;
	}
	if ((rc = use(s, O_FAIL, &st)))
		goto out;
	if (sqlite3_bind_text(st, 5, error, (int)error_cut(error), SQLITE_STATIC) != SQLITE_OK)
		rc = DP_EDB;
	else if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, status)) &&
		 !(rc = sq_bind_i64(st, 3, attempts + 1)) && !(rc = sq_bind_i64(st, 4, next)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	rc = sq_write_end(s, own, rc);
	if (!rc && ret_status)
		*ret_status = status;
	return rc;
}

int store_outbox_unclaim(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, O_UNCLAIM, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

int store_outbox_get(struct store *s, int64_t id, struct outbox_msg *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, O_GET, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row)))
		rc = row ? read_msg(st, ret) : DP_ENOTFOUND;
	sqlite3_reset(st);
	if (!rc)
		rc = fill_body(s, ret);
	if (rc)
		outbox_msg_release(ret);
	return rc;
}

int store_outbox_counts(struct store *s, size_t ret[OUTBOX_STATUS__MAX])
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	if ((rc = use(s, O_COUNTS, &st)))
		return rc;
	return sq_status_counts(st, ret, OUTBOX_STATUS__MAX);
}

static int64_t clamp_size(size_t n, int64_t over)
{
	return n > (size_t)INT64_MAX ? over : (int64_t)n;
}

/* One count: the first column of the first row of slot o bound to status
 * (when the statement takes it). */
static int count_one(struct store *s, unsigned o, int64_t status, size_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	*ret = 0;
	if ((rc = use(s, o, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, status)) && !(rc = sq_step(st, &row)) && row)
		*ret = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int store_outbox_list(struct store *s, enum outbox_status status, size_t offset, size_t limit,
		      struct outbox_msg **ret, size_t *ret_n, size_t *ret_total)
{
	const bool any = status == OUTBOX_STATUS__MAX;
	struct outbox_msg *items = NULL;
	size_t n = 0;
	sqlite3_stmt *st;
	bool row;
	int rc;

	if (!s || !ret || !ret_n || (unsigned)status > OUTBOX_STATUS__MAX)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (ret_total)
		*ret_total = 0;
	if (!limit)
		limit = 50;
	if (limit > 1000)
		limit = 1000;
	if (!(items = calloc(limit, sizeof *items)))
		return DP_ENOMEM;
	if ((rc = use(s, any ? O_LIST_ANY : O_LIST, &st)))
		goto out;
	/* O_LIST_ANY does not use ?1, but SQLite numbers its parameters up to
	 * the highest (?3), so binding it is harmless. */
	if (!(rc = sq_bind_i64(st, 1, status)) && !(rc = sq_bind_i64(st, 2, (int64_t)limit)) &&
	    !(rc = sq_bind_i64(st, 3, clamp_size(offset, INT64_MAX)))) {
		while (n < limit && !(rc = sq_step(st, &row)) && row)
			if ((rc = read_msg(st, &items[n++])))
				break;
	}
	sqlite3_reset(st);
	if (!rc && ret_total)
		rc = count_one(s, any ? O_COUNT_ANY : O_COUNT, status, ret_total);
out:
	if (rc || !n) {
		outbox_msgs_free(items, n);
		if (ret_total && rc)
			*ret_total = 0;
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

int store_outbox_retry(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, O_RETRY, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, now)) &&
	    !(rc = sq_step(st, NULL)) && sq_changes(s) == 0)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
	return rc;
}

int store_outbox_counts_for(struct store *s, int64_t newsletter_id,
			    size_t ret[OUTBOX_STATUS__MAX])
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, OUTBOX_STATUS__MAX * sizeof ret[0]);
	if ((rc = use(s, O_COUNTS_FOR, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, newsletter_id))) {
		sqlite3_reset(st);
		return rc;
	}
	return sq_status_counts(st, ret, OUTBOX_STATUS__MAX);
}
