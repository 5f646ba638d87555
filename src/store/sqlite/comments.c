/* comments.c — reader comments in the SQLite backend (store.h, "reader
 * comments"); statement slots 0..31 of internal.h.
 *
 * A comment's visibility is part of its article's pages: every write that
 * makes a comment appear, disappear or change while public records a change
 * of the article (sq_change_add), which the page cache reads to drop the
 * article's pages. Duplicates are found by text_hash, a BLAKE2b hash of the
 * text normalised as normalised_hash() says, kept in an index. */
#include "store/store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/internal.h"
#include "util/err.h"

/* Replies nest this deep below a top-level comment (depth 0). */
#define DEPTH_MAX 2
/* Bytes of text_hash (hex in the table): 128 bits, no accidental equality. */
#define HASH_BYTES 16
/* Articles whose counts one C_COUNTS query fetches: a page of up to 100
 * articles is one query; more go in chunks. */
#define COUNTS_SLOTS 100
/* A list's limit when the caller gives 0 (as in struct article_query). */
#define LIMIT_DEFAULT 10

enum {
	C_CHECK,      /* the article exists; the parent's article and depth */
	C_INSERT,
	C_GET,
	C_OF_ARTICLE,
	C_LIST,
	C_COUNT,
	C_STATE,      /* article and status of one comment */
	C_SET_STATUS,
	C_SET_TEXT,
	C_COUNTS,
	C_DUPLICATES,
	C_TO_NOTIFY,
	C_NOTIFIED,
	C_PENDING_SINCE,
	C_PENDING_COUNT,
	C__MAX
};
_Static_assert(C__MAX <= 32, "comments.c owns statement slots 0..31");

/* The columns read_comment() reads, in its order; C_LIST adds the
 * article's slug and title. */
#define COLS                                                                        \
	"c.id, c.article_id, c.parent_id, c.depth, c.status, c.notify, c.by_site,"  \
	" c.score, c.created_at, c.updated_at, c.verdict, c.author_name,"           \
	" c.author_email, c.ip, c.reasons, c.text"
#define NCOLS 16
/* COUNTS_SLOTS anonymous parameters: SQLite numbers them ?1..?100. */
#define Q5 "?,?,?,?,?"
#define Q25 Q5 "," Q5 "," Q5 "," Q5 "," Q5
#define Q100 Q25 "," Q25 "," Q25 "," Q25

/* "status = +?N": a bare ?N compared with status would let the planner
 * weigh the partial index comments_to_notify (status = 1 AND ...) by the
 * bound value, and SQLite then prepares the statement again at every bind
 * (a third of an article page's time). With the unary plus the value is
 * an expression it does not look into; the other indexes serve as before. */
static const char *const sql[C__MAX] = {
	/* ?1 article, ?2 parent (0: none, which no comment has). No row: no
	 * such article; NULLs: no such parent. */
	[C_CHECK] = "SELECT p.article_id, p.depth FROM articles a"
		    " LEFT JOIN comments p ON p.id = ?2 WHERE a.id = ?1",
	[C_INSERT] = "INSERT INTO comments (article_id, parent_id, depth, status, notify, by_site,"
		     " score, created_at, updated_at, text_hash, verdict, author_name,"
		     " author_email, ip, reasons, text)"
		     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
		     " ?15, ?16) RETURNING id",
	[C_GET] = "SELECT " COLS " FROM comments c WHERE c.id = ?1",
	[C_OF_ARTICLE] = "SELECT " COLS " FROM comments c WHERE c.article_id = ?1 AND c.status = +?2"
			 " ORDER BY c.created_at, c.id",
	/* The page of ids comes from a walk of the covering index
	 * comments_queue, so OFFSET skips index entries, not rows with their
	 * join (as store_articles() does; the spam pile grows without bound).
	 * The join need not keep p's order: store_comments() sorts the page. */
	[C_LIST] = "SELECT " COLS ", a.slug, a.title FROM ("
		   "  SELECT id FROM comments WHERE status = +?1"
		   "  ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3) p"
		   " JOIN comments c ON c.id = p.id JOIN articles a ON a.id = c.article_id",
	[C_COUNT] = "SELECT count(*) FROM comments WHERE status = +?1",
	[C_STATE] = "SELECT article_id, status FROM comments WHERE id = ?1",
	[C_SET_STATUS] = "UPDATE comments SET status = ?2, updated_at = ?3 WHERE id = ?1",
	[C_SET_TEXT] = "UPDATE comments SET text = ?2, text_hash = ?3, updated_at = ?4"
		       " WHERE id = ?1 RETURNING article_id, status",
	/* 1 = COMMENT_APPROVED. Unused slots are bound NULL, which matches
	 * nothing. */
	[C_COUNTS] = "SELECT article_id, count(*) FROM comments"
		     " WHERE article_id IN (" Q100 ") AND status = 1 GROUP BY article_id",
	[C_DUPLICATES] = "SELECT count(*) FROM comments WHERE text_hash = ?1 AND created_at >= ?2",
	/* The partial index comments_to_notify holds exactly these rows, in
	 * id order; left alone, the planner took comments_queue and sorted
	 * every approved comment. */
	[C_TO_NOTIFY] = "SELECT " COLS ", a.slug, a.title FROM comments c"
			" INDEXED BY comments_to_notify JOIN articles a ON a.id = c.article_id"
			" WHERE c.status = 1 AND c.notified = 0 ORDER BY c.id LIMIT ?1",
	[C_NOTIFIED] = "UPDATE comments SET notified = 1 WHERE id = ?1",
	/* 0 = COMMENT_PENDING; comments_queue walked backwards. */
	[C_PENDING_SINCE] = "SELECT " COLS ", a.slug, a.title FROM comments c"
			    " JOIN articles a ON a.id = c.article_id"
			    " WHERE c.status = 0 AND c.created_at > ?1"
			    " ORDER BY c.created_at, c.id LIMIT ?2",
	[C_PENDING_COUNT] = "SELECT count(*) FROM comments WHERE status = 0 AND created_at > ?1",
};
_Static_assert(COMMENT_APPROVED == 1 && COMMENT_PENDING == 0,
	       "C_COUNTS, C_TO_NOTIFY and C_PENDING_* name the statuses by number");

/* Small binding helpers internal.h leaves out. */
static int bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id)
		return sq_bind_i64(st, i, id);
	return sqlite3_bind_null(st, i) == SQLITE_OK ? DP_OK : DP_EDB;
}

static int bind_double(sqlite3_stmt *st, int i, double v)
{
	return sqlite3_bind_double(st, i, v) == SQLITE_OK ? DP_OK : DP_EDB;
}

static int64_t clamp_size(size_t n, int64_t over)
{
	return n > (size_t)INT64_MAX ? over : (int64_t)n;
}

static bool is_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Writes to hex the text_hash of text: BLAKE2b of the text with leading and
 * trailing ASCII white space removed, every inner run of it made one space
 * and ASCII letters lowercased, so "Buy  NOW\n" and "buy now" are one text.
 * Other bytes (all of UTF-8 beyond ASCII) are hashed as they are. */
static int normalised_hash(const char *text, char hex[2 * HASH_BYTES + 1])
{
	crypto_generichash_state h;
	unsigned char chunk[256], out[HASH_BYTES];
	size_t n = 0;
	bool gap = false, started = false;

	if (crypto_generichash_init(&h, NULL, 0, sizeof out) != 0)
		return DP_EINVAL;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (is_space(*p)) {
			gap = true;
			continue;
		}
		/* Room for a space and the byte. */
		if (n + 2 > sizeof chunk) {
			crypto_generichash_update(&h, chunk, n);
			n = 0;
		}
		if (gap && started)
			chunk[n++] = ' ';
		gap = false;
		started = true;
		chunk[n++] = (*p >= 'A' && *p <= 'Z') ? (unsigned char)(*p - 'A' + 'a') : *p;
	}
	crypto_generichash_update(&h, chunk, n);
	crypto_generichash_final(&h, out, sizeof out);
	sodium_bin2hex(hex, 2 * HASH_BYTES + 1, out, sizeof out);
	return DP_OK;
}

/* Fills c (zeroed by the caller) from a row of COLS, and with_article the
 * two columns after them. */
static int read_comment(sqlite3_stmt *st, struct comment *c, bool with_article)
{
	int64_t status = sqlite3_column_int64(st, 4);
	int rc;

	c->id = sqlite3_column_int64(st, 0);
	c->article_id = sqlite3_column_int64(st, 1);
	c->parent_id = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
	c->depth = sqlite3_column_int(st, 3);
	/* A status this program does not know (a newer one wrote it) shows
	 * the comment to nobody. */
	c->status = status >= 0 && status < COMMENT_STATUS__MAX ? (enum comment_status)status
								 : COMMENT_PENDING;
	c->notify = sqlite3_column_int64(st, 5) != 0;
	c->by_site = sqlite3_column_int64(st, 6) != 0;
	c->score = sqlite3_column_double(st, 7);
	c->created_at = sqlite3_column_int64(st, 8);
	c->updated_at = sqlite3_column_int64(st, 9);
	if ((rc = sq_col_dup(st, 10, &c->verdict)) || (rc = sq_col_dup(st, 11, &c->author_name)) ||
	    (rc = sq_col_dup(st, 12, &c->author_email)) || (rc = sq_col_dup(st, 13, &c->ip)) ||
	    (rc = sq_col_dup(st, 14, &c->reasons)) || (rc = sq_col_dup(st, 15, &c->text)))
		return rc;
	if (with_article && ((rc = sq_col_dup(st, NCOLS, &c->article_slug)) ||
			     (rc = sq_col_dup(st, NCOLS + 1, &c->article_title))))
		return rc;
	return DP_OK;
}

/* Steps the bound st to its end, appending every row to l; resets st.
 * hint: the expected number of rows (0: unknown). */
static int read_list(sqlite3_stmt *st, struct comment_list *l, bool with_article, size_t hint)
{
	size_t cap = 0;
	bool row;
	int rc;
	while (!(rc = sq_step(st, &row)) && row) {
		if (l->n == cap) {
			size_t ncap = cap ? 2 * cap : (hint && hint < 16 ? hint : 16);
			struct comment *items = realloc(l->items, ncap * sizeof *items);
			if (!items) {
				rc = DP_ENOMEM;
				break;
			}
			l->items = items;
			cap = ncap;
		}
		struct comment *c = &l->items[l->n++];
		memset(c, 0, sizeof *c);
		if ((rc = read_comment(st, c, with_article)))
			break;
	}
	sqlite3_reset(st);
	return rc;
}

int store_comment_add(struct store *s, struct comment *c)
{
	const int64_t now = (int64_t)time(NULL);
	char hash[2 * HASH_BYTES + 1];
	int64_t id = 0, created_at, updated_at;
	int depth = 0;
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s || !c || !c->author_name || !c->text || c->parent_id < 0 ||
	    (unsigned)c->status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	if ((rc = normalised_hash(c->text, hash)))
		return rc;
	/* An import or a test may give the times; a new comment is now. */
	created_at = c->created_at ? c->created_at : now;
	updated_at = c->updated_at ? c->updated_at : created_at;

	if ((rc = sq_write_begin(s, &own)))
		return rc;
	/* Checked in the write transaction, so the parent cannot go between
	 * the check and the insert. */
	if ((rc = sq_use(s, C_CHECK, sql[C_CHECK], &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, c->article_id)) && !(rc = sq_bind_i64(st, 2, c->parent_id)) &&
	    !(rc = sq_step(st, &row))) {
		if (!row)
			rc = DP_ENOTFOUND;
		else if (c->parent_id) {
			if (sqlite3_column_type(st, 0) == SQLITE_NULL ||
			    sqlite3_column_int64(st, 0) != c->article_id ||
			    sqlite3_column_int64(st, 1) >= DEPTH_MAX)
				rc = DP_EINVAL;
			else
				depth = sqlite3_column_int(st, 1) + 1;
		}
	}
	sqlite3_reset(st);
	if (rc)
		goto out;

	if ((rc = sq_use(s, C_INSERT, sql[C_INSERT], &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, c->article_id)) && !(rc = bind_id(st, 2, c->parent_id)) &&
	    !(rc = sq_bind_i64(st, 3, depth)) && !(rc = sq_bind_i64(st, 4, c->status)) &&
	    !(rc = sq_bind_i64(st, 5, c->notify)) && !(rc = sq_bind_i64(st, 6, c->by_site)) &&
	    !(rc = bind_double(st, 7, c->score)) && !(rc = sq_bind_i64(st, 8, created_at)) &&
	    !(rc = sq_bind_i64(st, 9, updated_at)) && !(rc = sq_bind_text(st, 10, hash)) &&
	    !(rc = sq_bind_text(st, 11, c->verdict ? c->verdict : "")) &&
	    !(rc = sq_bind_text(st, 12, c->author_name)) &&
	    !(rc = sq_bind_text(st, 13, c->author_email ? c->author_email : "")) &&
	    !(rc = sq_bind_text(st, 14, c->ip ? c->ip : "")) &&
	    !(rc = sq_bind_text(st, 15, c->reasons ? c->reasons : "[]")) &&
	    !(rc = sq_bind_text(st, 16, c->text)) && !(rc = sq_step(st, &row))) {
		if (row) {
			id = sqlite3_column_int64(st, 0);
			rc = sq_step(st, NULL); /* to the end of RETURNING */
		} else {
			rc = DP_EDB;
		}
	}
	sqlite3_reset(st);
	if (rc)
		goto out;
	if (c->status == COMMENT_APPROVED)
		rc = sq_change_add(s, c->article_id, now);
out:
	rc = sq_write_end(s, own, rc);
	if (!rc) {
		c->id = id;
		c->depth = depth;
		c->created_at = created_at;
		c->updated_at = updated_at;
	}
	return rc;
}

int store_comment_get(struct store *s, int64_t id, struct comment *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = sq_use(s, C_GET, sql[C_GET], &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row)))
		rc = row ? read_comment(st, ret, false) : DP_ENOTFOUND;
	sqlite3_reset(st);
	if (rc)
		comment_release(ret);
	return rc;
}

int store_comments_of_article(struct store *s, int64_t article_id, enum comment_status status,
			      struct comment_list *ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || (unsigned)status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if ((rc = sq_use(s, C_OF_ARTICLE, sql[C_OF_ARTICLE], &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, article_id)) || (rc = sq_bind_i64(st, 2, status)))
		sqlite3_reset(st);
	else
		rc = read_list(st, ret, false, 0);
	if (rc)
		comment_list_release(ret);
	return rc;
}

/* qsort() order of the queue: created_at, then id, descending. */
static int newest_first(const void *pa, const void *pb)
{
	const struct comment *a = pa, *b = pb;
	if (a->created_at != b->created_at)
		return a->created_at < b->created_at ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

int store_comment_count(struct store *s, enum comment_status status, size_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret || (unsigned)status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	*ret = 0;
	if ((rc = sq_use(s, C_COUNT, sql[C_COUNT], &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, status)) && !(rc = sq_step(st, &row)) && row)
		*ret = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* The page and its count are two statements and, outside a caller's
 * transaction, two snapshots: a comment moderated in between can make the
 * total differ by one from what the page shows, which a queue can bear. */
int store_comments(struct store *s, enum comment_status status, size_t offset, size_t limit,
		   struct comment_list *ret, size_t *ret_total)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || (unsigned)status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if (ret_total)
		*ret_total = 0;
	if (!limit)
		limit = LIMIT_DEFAULT;

	if ((rc = sq_use(s, C_LIST, sql[C_LIST], &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, status)) || (rc = sq_bind_i64(st, 2, clamp_size(limit, -1))) ||
	    (rc = sq_bind_i64(st, 3, clamp_size(offset, INT64_MAX))))
		sqlite3_reset(st);
	else
		rc = read_list(st, ret, true, limit);
	if (rc)
		goto out;
	if (ret->n > 1)
		qsort(ret->items, ret->n, sizeof ret->items[0], newest_first);
	if (ret_total)
		rc = store_comment_count(s, status, ret_total);
out:
	if (rc) {
		comment_list_release(ret);
		if (ret_total)
			*ret_total = 0;
	}
	return rc;
}

/* *ret_article, *ret_status: those of comment id; DP_ENOTFOUND if none. */
static int comment_state(struct store *s, int64_t id, int64_t *ret_article, int64_t *ret_status)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if ((rc = sq_use(s, C_STATE, sql[C_STATE], &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row))) {
		if (row) {
			*ret_article = sqlite3_column_int64(st, 0);
			*ret_status = sqlite3_column_int64(st, 1);
		} else {
			rc = DP_ENOTFOUND;
		}
	}
	sqlite3_reset(st);
	return rc;
}

int store_comment_set_status(struct store *s, int64_t id, enum comment_status status)
{
	const int64_t now = (int64_t)time(NULL);
	int64_t article_id, old;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if (!s || (unsigned)status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = comment_state(s, id, &article_id, &old)) ||
	    (rc = sq_use(s, C_SET_STATUS, sql[C_SET_STATUS], &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, status)) &&
	    !(rc = sq_bind_i64(st, 3, now)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	if (rc)
		goto out;
	/* Only a change of public visibility changes the article's pages. */
	if ((old == COMMENT_APPROVED) != (status == COMMENT_APPROVED))
		rc = sq_change_add(s, article_id, now);
out:
	return sq_write_end(s, own, rc);
}

int store_comment_set_text(struct store *s, int64_t id, const char *text)
{
	const int64_t now = (int64_t)time(NULL);
	char hash[2 * HASH_BYTES + 1];
	int64_t article_id = 0, status = 0;
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s || !text)
		return DP_EINVAL;
	if ((rc = normalised_hash(text, hash)))
		return rc;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = sq_use(s, C_SET_TEXT, sql[C_SET_TEXT], &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_text(st, 2, text)) &&
	    !(rc = sq_bind_text(st, 3, hash)) && !(rc = sq_bind_i64(st, 4, now)) &&
	    !(rc = sq_step(st, &row))) {
		if (row) {
			article_id = sqlite3_column_int64(st, 0);
			status = sqlite3_column_int64(st, 1);
			rc = sq_step(st, NULL); /* to the end of RETURNING */
		} else {
			rc = DP_ENOTFOUND;
		}
	}
	sqlite3_reset(st);
	if (!rc && status == COMMENT_APPROVED)
		rc = sq_change_add(s, article_id, now);
out:
	return sq_write_end(s, own, rc);
}

int store_comment_counts(struct store *s, const int64_t *article_ids, size_t n,
			 size_t *ret_counts)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || (n && (!article_ids || !ret_counts)))
		return DP_EINVAL;
	for (size_t i = 0; i < n; i++)
		ret_counts[i] = 0;
	if (!n)
		return DP_OK;
	if ((rc = sq_use(s, C_COUNTS, sql[C_COUNTS], &st)))
		return rc;
	if (sqlite3_bind_parameter_count(st) != COUNTS_SLOTS)
		return DP_EDB; /* Q100 and COUNTS_SLOTS disagree */
	for (size_t base = 0; base < n && !rc; base += COUNTS_SLOTS) {
		size_t k = n - base < COUNTS_SLOTS ? n - base : COUNTS_SLOTS;
		bool row;
		for (size_t i = 0; i < COUNTS_SLOTS && !rc; i++)
			rc = bind_id(st, (int)i + 1, i < k ? article_ids[base + i] : 0);
		while (!rc && !(rc = sq_step(st, &row)) && row) {
			int64_t id = sqlite3_column_int64(st, 0);
			size_t count = (size_t)sqlite3_column_int64(st, 1);
			/* Every slot with the id: a caller may list one twice. */
			for (size_t i = 0; i < k; i++)
				if (article_ids[base + i] == id)
					ret_counts[base + i] = count;
		}
		sqlite3_reset(st);
	}
	if (rc)
		for (size_t i = 0; i < n; i++)
			ret_counts[i] = 0;
	return rc;
}

int store_comment_duplicates(struct store *s, const char *text, int64_t since, size_t *ret)
{
	char hash[2 * HASH_BYTES + 1];
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !text || !ret)
		return DP_EINVAL;
	*ret = 0;
	if ((rc = normalised_hash(text, hash)) ||
	    (rc = sq_use(s, C_DUPLICATES, sql[C_DUPLICATES], &st)))
		return rc;
	if (!(rc = sq_bind_text(st, 1, hash)) && !(rc = sq_bind_i64(st, 2, since)) &&
	    !(rc = sq_step(st, &row)) && row)
		*ret = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* ---- mail about comments ---- */

int store_comments_to_notify(struct store *s, size_t limit, struct comment_list *ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if (!limit)
		limit = LIMIT_DEFAULT;
	if ((rc = sq_use(s, C_TO_NOTIFY, sql[C_TO_NOTIFY], &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, clamp_size(limit, -1))))
		sqlite3_reset(st);
	else
		rc = read_list(st, ret, true, limit);
	if (rc)
		comment_list_release(ret);
	return rc;
}

int store_comment_notified(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = sq_use(s, C_NOTIFIED, sql[C_NOTIFIED], &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, NULL)) && sq_changes(s) == 0)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
	return rc;
}

/* As store_comments(): the page and its count are two snapshots outside a
 * caller's transaction. */
int store_comments_pending_since(struct store *s, int64_t after, size_t limit,
				 struct comment_list *ret, size_t *ret_total)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if (ret_total)
		*ret_total = 0;
	if (!limit)
		limit = LIMIT_DEFAULT;
	if ((rc = sq_use(s, C_PENDING_SINCE, sql[C_PENDING_SINCE], &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, after)) || (rc = sq_bind_i64(st, 2, clamp_size(limit, -1))))
		sqlite3_reset(st);
	else
		rc = read_list(st, ret, true, limit);
	if (rc || !ret_total)
		goto out;
	if ((rc = sq_use(s, C_PENDING_COUNT, sql[C_PENDING_COUNT], &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, after)) && !(rc = sq_step(st, &row)) && row)
		*ret_total = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
out:
	if (rc) {
		comment_list_release(ret);
		if (ret_total)
			*ret_total = 0;
	}
	return rc;
}
