/* accounts.c — users, sessions, API tokens, the audit log and the kv table
 * in the SQLite backend (store.h, "accounts, sessions, API tokens, audit
 * log" and "small site state"); statement slots 32..63 of internal.h.
 *
 * Secrets never reach this file: sessions and tokens are stored and looked
 * up by a hash the caller made of them, passwords as the caller's argon2id
 * string. Most functions here are one statement, bound from a small table
 * of arguments (struct arg) by write_one() and read_one(). */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/internal.h"
#include "util/err.h"

/* store_token_by_hash() records a use only when the stored time is at least
 * this old, so that a client's requests do not each take the write lock. */
#define TOKEN_USE_GRANULARITY 60
/* The audit log's page size when the caller gives 0. */
#define LIMIT_DEFAULT 10

enum {
	A_FIRST = 32,
	A_USER_ADD = A_FIRST,
	A_USER_BY_NAME,
	A_USER_BY_ID,
	A_USERS,
	A_USER_PASSWORD,
	A_USER_DELETE,
	A_SESSION_ADD,
	A_SESSION_GET,
	A_SESSION_DELETE,
	A_SESSIONS_PURGE,
	A_TOKEN_ADD,
	A_TOKEN_BY_HASH,
	A_TOKEN_USED,
	A_TOKENS,
	A_TOKEN_DELETE,
	A_AUDIT_ADD,
	A_AUDIT,
	A_KV_GET,
	A_KV_SET,
	A_USER_EMAIL,
	A__END
};
_Static_assert(A__END <= 64 && A__END <= SQ_XSLOTS, "accounts.c owns statement slots 32..63");

#define USER_COLS "id, name, pwhash, role, created_at, email"
#define TOKEN_COLS "id, name, role, created_at, last_used_at"

static const char *const sql[A__END - A_FIRST] = {
	[A_USER_ADD - A_FIRST] = "INSERT INTO users (name, pwhash, role, created_at, email)"
				 " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[A_USER_BY_NAME - A_FIRST] = "SELECT " USER_COLS " FROM users WHERE name = ?1",
	[A_USER_BY_ID - A_FIRST] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
	[A_USERS - A_FIRST] = "SELECT " USER_COLS " FROM users ORDER BY name",
	[A_USER_PASSWORD - A_FIRST] = "UPDATE users SET pwhash = ?2 WHERE id = ?1",
	/* Its sessions go by ON DELETE CASCADE. */
	[A_USER_DELETE - A_FIRST] = "DELETE FROM users WHERE id = ?1",
	/* Inserts nothing for an unknown user, which the caller reports as
	 * DP_ENOTFOUND (a foreign key failure would be an anonymous DP_EDB). */
	[A_SESSION_ADD - A_FIRST] = "INSERT INTO sessions (id_hash, user_id, csrf, expires_at)"
				    " SELECT ?1, id, ?3, ?4 FROM users WHERE id = ?2",
	[A_SESSION_GET - A_FIRST] = "SELECT user_id, csrf, expires_at FROM sessions"
				    " WHERE id_hash = ?1 AND expires_at > ?2",
	[A_SESSION_DELETE - A_FIRST] = "DELETE FROM sessions WHERE id_hash = ?1",
	[A_SESSIONS_PURGE - A_FIRST] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[A_TOKEN_ADD - A_FIRST] = "INSERT INTO api_tokens (name, role, hash, created_at,"
				  " last_used_at) VALUES (?1, ?2, ?3, ?4, 0) RETURNING id",
	[A_TOKEN_BY_HASH - A_FIRST] = "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = ?1",
	[A_TOKEN_USED - A_FIRST] = "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
	[A_TOKENS - A_FIRST] = "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY name",
	[A_TOKEN_DELETE - A_FIRST] = "DELETE FROM api_tokens WHERE name = ?1",
	[A_AUDIT_ADD - A_FIRST] = "INSERT INTO audit_log (at, actor, action, object, detail)"
				  " VALUES (?1, ?2, ?3, ?4, ?5)",
	[A_AUDIT - A_FIRST] = "SELECT id, at, actor, action, object, detail FROM audit_log"
			      " ORDER BY at DESC, id DESC LIMIT ?1 OFFSET ?2",
	[A_KV_GET - A_FIRST] = "SELECT value FROM kv WHERE key = ?1",
	[A_KV_SET - A_FIRST] = "INSERT INTO kv (key, value) VALUES (?1, ?2)"
			       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[A_USER_EMAIL - A_FIRST] = "UPDATE users SET email = ?2 WHERE id = ?1",
};

/* One bound value: text when is_text (NULL binds NULL), else i. */
struct arg {
	const char *text;
	int64_t i;
	bool is_text;
};
#define I(v) { .i = (int64_t)(v) }
#define T(v) { .text = (v), .is_text = true }
#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

static int use(struct store *s, unsigned slot, sqlite3_stmt **ret)
{
	return sq_use(s, slot, sql[slot - A_FIRST], ret);
}

/* Binds args to ?1..?n of st. */
static int bind_args(sqlite3_stmt *st, const struct arg *args, size_t n)
{
	int rc = DP_OK;
	for (size_t i = 0; i < n && !rc; i++)
		rc = args[i].is_text ? sq_bind_text(st, (int)i + 1, args[i].text)
				     : sq_bind_i64(st, (int)i + 1, args[i].i);
	return rc;
}

static int64_t clamp_size(size_t n, int64_t over)
{
	return n > (size_t)INT64_MAX ? over : (int64_t)n;
}

/* Runs the write in slot with args, in the write bracket. DP_ENOTFOUND
 * when must_change and no row changed. ret_id (optional) receives the
 * first column of a RETURNING row. */
static int write_one(struct store *s, unsigned slot, const struct arg *args, size_t n,
		     bool must_change, int64_t *ret_id)
{
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, slot, &st)))
		goto out;
	if (!(rc = bind_args(st, args, n)) && !(rc = sq_step(st, &row))) {
		if (row && ret_id)
			*ret_id = sqlite3_column_int64(st, 0);
		if (row)
			rc = sq_step(st, NULL); /* to the end of RETURNING */
		if (!rc && must_change && sq_changes(s) == 0)
			rc = DP_ENOTFOUND;
	}
	sqlite3_reset(st);
out:
	return sq_write_end(s, own, rc);
}

/* *ret: the statement in slot, bound to args and stepped to its first row;
 * the caller reads the row and resets *ret. DP_ENOTFOUND (and reset) when
 * there is none. */
static int read_one(struct store *s, unsigned slot, const struct arg *args, size_t n,
		    sqlite3_stmt **ret)
{
	bool row;
	int rc;
	if ((rc = use(s, slot, ret)))
		return rc;
	if (!(rc = bind_args(*ret, args, n)) && !(rc = sq_step(*ret, &row)) && !row)
		rc = DP_ENOTFOUND;
	if (rc)
		sqlite3_reset(*ret);
	return rc;
}

/* *ret: the role in column col; DP_EDB for one this program does not know
 * (never read as some other role: unknown means no rights). */
static int col_role(sqlite3_stmt *st, int col, enum role *ret)
{
	int64_t v = sqlite3_column_int64(st, col);
	if (v < 0 || v >= ROLE__MAX)
		return DP_EDB;
	*ret = (enum role)v;
	return DP_OK;
}

/* items (*cap elements of size bytes) with room for n + 1: items itself,
 * or moved by realloc(), or NULL (items untouched) when memory ran out. */
static void *grow(void *items, size_t size, size_t n, size_t *cap)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 8;
	void *p = realloc(items, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* ---- users ---- */

static int read_user(sqlite3_stmt *st, struct user *u)
{
	int rc;
	u->id = sqlite3_column_int64(st, 0);
	u->created_at = sqlite3_column_int64(st, 4);
	if ((rc = col_role(st, 3, &u->role)) || (rc = sq_col_dup(st, 1, &u->name)) ||
	    (rc = sq_col_dup(st, 2, &u->pwhash)) || (rc = sq_col_dup(st, 5, &u->email)))
		return rc;
	return DP_OK;
}

/* Steps st to the end, reading each row into a grown array of `size`-byte
 * items with read (which gets a zeroed item); on failure releases what was
 * read with release. Resets st. The one loop behind every list here. */
static int read_rows(sqlite3_stmt *st, size_t size, int (*read)(sqlite3_stmt *, void *),
		     void (*release)(void *), void **ret, size_t *ret_n)
{
	char *items = NULL;
	size_t n = 0, cap = 0;
	bool row;
	int rc;
	while (!(rc = sq_step(st, &row)) && row) {
		void *p = grow(items, size, n, &cap);
		if (!p) {
			rc = DP_ENOMEM;
			break;
		}
		items = p;
		memset(items + n * size, 0, size);
		rc = read(st, items + n++ * size);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			release(items + i * size);
		free(items);
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

static int read_user_row(sqlite3_stmt *st, void *item)
{
	return read_user(st, item);
}

static void release_user(void *item)
{
	user_release(item);
}


int store_user_add(struct store *s, struct user *u)
{
	int64_t id = 0;
	int rc;
	if (!s || !u || !u->name || !*u->name || !u->pwhash || (unsigned)u->role >= ROLE__MAX)
		return DP_EINVAL;
	int64_t created_at = u->created_at ? u->created_at : (int64_t)time(NULL);
	const struct arg args[] = { T(u->name), T(u->pwhash), I(u->role), I(created_at),
				    T(u->email ? u->email : "") };
	rc = write_one(s, A_USER_ADD, args, NARGS(args), false, &id);
	if (!rc && !id)
		rc = DP_EDB;
	if (!rc) {
		u->id = id;
		u->created_at = created_at;
	}
	return rc;
}

/* Reads the one user slot finds with args. */
static int user_get(struct store *s, unsigned slot, const struct arg *args, size_t n,
		    struct user *ret)
{
	sqlite3_stmt *st;
	int rc;
	memset(ret, 0, sizeof *ret);
	if ((rc = read_one(s, slot, args, n, &st)))
		return rc;
	rc = read_user(st, ret);
	sqlite3_reset(st);
	if (rc)
		user_release(ret);
	return rc;
}

int store_user_by_name(struct store *s, const char *name, struct user *ret)
{
	if (!s || !name || !ret)
		return DP_EINVAL;
	const struct arg args[] = { T(name) };
	return user_get(s, A_USER_BY_NAME, args, NARGS(args), ret);
}

int store_user_by_id(struct store *s, int64_t id, struct user *ret)
{
	if (!s || !ret)
		return DP_EINVAL;
	const struct arg args[] = { I(id) };
	return user_get(s, A_USER_BY_ID, args, NARGS(args), ret);
}

int store_users(struct store *s, struct user **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, A_USERS, &st)))
		return rc;
	void *items = NULL;
	rc = read_rows(st, sizeof **ret, read_user_row, release_user, &items, ret_n);
	*ret = items;
	return rc;
}

int store_user_set_password(struct store *s, int64_t id, const char *pwhash)
{
	if (!s || !pwhash)
		return DP_EINVAL;
	const struct arg args[] = { I(id), T(pwhash) };
	return write_one(s, A_USER_PASSWORD, args, NARGS(args), true, NULL);
}

/* The address is the caller's to check (the CLI and admin validate it as an
 * addr-spec); the store only keeps it. DP_ENOTFOUND for an unknown user. */
int store_user_set_email(struct store *s, int64_t id, const char *email)
{
	if (!s || !email)
		return DP_EINVAL;
	const struct arg args[] = { I(id), T(email) };
	return write_one(s, A_USER_EMAIL, args, NARGS(args), true, NULL);
}

int store_user_delete(struct store *s, int64_t id)
{
	if (!s)
		return DP_EINVAL;
	const struct arg args[] = { I(id) };
	return write_one(s, A_USER_DELETE, args, NARGS(args), true, NULL);
}

/* ---- sessions ---- */

int store_session_add(struct store *s, const char *id_hash, int64_t user_id, const char *csrf,
		      int64_t expires_at)
{
	if (!s || !id_hash || !*id_hash || !csrf)
		return DP_EINVAL;
	const struct arg args[] = { T(id_hash), I(user_id), T(csrf), I(expires_at) };
	return write_one(s, A_SESSION_ADD, args, NARGS(args), true, NULL);
}

int store_session_get(struct store *s, const char *id_hash, int64_t now, struct session *ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !id_hash || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	const struct arg args[] = { T(id_hash), I(now) };
	if ((rc = read_one(s, A_SESSION_GET, args, NARGS(args), &st)))
		return rc;
	ret->user_id = sqlite3_column_int64(st, 0);
	ret->expires_at = sqlite3_column_int64(st, 2);
	rc = sq_col_dup(st, 1, &ret->csrf);
	sqlite3_reset(st);
	if (rc)
		session_release(ret);
	return rc;
}

int store_session_delete(struct store *s, const char *id_hash)
{
	if (!s || !id_hash)
		return DP_EINVAL;
	const struct arg args[] = { T(id_hash) };
	return write_one(s, A_SESSION_DELETE, args, NARGS(args), true, NULL);
}

int store_sessions_purge(struct store *s, int64_t now)
{
	if (!s)
		return DP_EINVAL;
	const struct arg args[] = { I(now) };
	return write_one(s, A_SESSIONS_PURGE, args, NARGS(args), false, NULL);
}

/* ---- API tokens ---- */

static int read_token(sqlite3_stmt *st, struct api_token *t)
{
	int rc;
	t->id = sqlite3_column_int64(st, 0);
	t->created_at = sqlite3_column_int64(st, 3);
	t->last_used_at = sqlite3_column_int64(st, 4);
	if ((rc = col_role(st, 2, &t->role)) || (rc = sq_col_dup(st, 1, &t->name)))
		return rc;
	return DP_OK;
}

int store_token_add(struct store *s, const char *name, enum role role, const char *hash,
		    int64_t *ret_id)
{
	int64_t id = 0;
	int rc;
	if (!s || !name || !*name || !hash || !*hash || (unsigned)role >= ROLE__MAX)
		return DP_EINVAL;
	const struct arg args[] = { T(name), I(role), T(hash), I(time(NULL)) };
	rc = write_one(s, A_TOKEN_ADD, args, NARGS(args), false, &id);
	if (!rc && !id)
		rc = DP_EDB;
	if (!rc && ret_id)
		*ret_id = id;
	return rc;
}

int store_token_by_hash(struct store *s, const char *hash, struct api_token *ret)
{
	const int64_t now = (int64_t)time(NULL);
	sqlite3_stmt *st;
	int rc;
	if (!s || !hash || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	const struct arg args[] = { T(hash) };
	if ((rc = read_one(s, A_TOKEN_BY_HASH, args, NARGS(args), &st)))
		return rc;
	rc = read_token(st, ret);
	sqlite3_reset(st);
	if (rc)
		goto out;
	/* A clock set back counts as a change too. */
	if (now - ret->last_used_at >= TOKEN_USE_GRANULARITY ||
	    ret->last_used_at - now >= TOKEN_USE_GRANULARITY) {
		const struct arg used[] = { I(ret->id), I(now) };
		rc = write_one(s, A_TOKEN_USED, used, NARGS(used), false, NULL);
		if (!rc)
			ret->last_used_at = now;
	}
out:
	if (rc)
		api_token_release(ret);
	return rc;
}

static int read_token_row(sqlite3_stmt *st, void *item)
{
	return read_token(st, item);
}

static void release_token(void *item)
{
	api_token_release(item);
}

int store_tokens(struct store *s, struct api_token **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, A_TOKENS, &st)))
		return rc;
	void *items = NULL;
	rc = read_rows(st, sizeof **ret, read_token_row, release_token, &items, ret_n);
	*ret = items;
	return rc;
}

int store_token_delete(struct store *s, const char *name)
{
	if (!s || !name)
		return DP_EINVAL;
	const struct arg args[] = { T(name) };
	return write_one(s, A_TOKEN_DELETE, args, NARGS(args), true, NULL);
}

/* ---- audit log ---- */

int store_audit_add(struct store *s, const char *actor, const char *action, const char *object,
		    const char *detail)
{
	if (!s || !actor || !action || !object)
		return DP_EINVAL;
	const struct arg args[] = { I(time(NULL)), T(actor), T(action), T(object),
				    T(detail ? detail : "") };
	return write_one(s, A_AUDIT_ADD, args, NARGS(args), false, NULL);
}

static int read_audit_row(sqlite3_stmt *st, void *item)
{
	struct audit_entry *e = item;
	int rc;
	e->id = sqlite3_column_int64(st, 0);
	e->at = sqlite3_column_int64(st, 1);
	if ((rc = sq_col_dup(st, 2, &e->actor)) || (rc = sq_col_dup(st, 3, &e->action)) ||
	    (rc = sq_col_dup(st, 4, &e->object)) || (rc = sq_col_dup(st, 5, &e->detail)))
		return rc;
	return DP_OK;
}

static void release_audit(void *item)
{
	audit_entry_release(item);
}

int store_audit(struct store *s, size_t offset, size_t limit, struct audit_entry **ret,
		size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (!limit)
		limit = LIMIT_DEFAULT;
	if ((rc = use(s, A_AUDIT, &st)))
		return rc;
	const struct arg args[] = { I(clamp_size(limit, -1)), I(clamp_size(offset, INT64_MAX)) };
	if ((rc = bind_args(st, args, NARGS(args)))) {
		sqlite3_reset(st);
		return rc;
	}
	void *items = NULL;
	rc = read_rows(st, sizeof **ret, read_audit_row, release_audit, &items, ret_n);
	*ret = items;
	return rc;
}

/* ---- kv ---- */

int store_kv_get(struct store *s, const char *key, char **ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !key || !ret)
		return DP_EINVAL;
	*ret = NULL;
	const struct arg args[] = { T(key) };
	if ((rc = read_one(s, A_KV_GET, args, NARGS(args), &st)))
		return rc;
	rc = sq_col_dup(st, 0, ret);
	sqlite3_reset(st);
	if (rc) {
		free(*ret);
		*ret = NULL;
	}
	return rc;
}

int store_kv_set(struct store *s, const char *key, const char *value)
{
	if (!s || !key || !*key || !value)
		return DP_EINVAL;
	const struct arg args[] = { T(key), T(value) };
	return write_one(s, A_KV_SET, args, NARGS(args), false, NULL);
}
