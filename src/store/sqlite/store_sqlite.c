/* store_sqlite.c — the SQLite backend of store.h.
 *
 * One struct store is one connection in WAL mode, so readers never wait for
 * the writer and the server's worker threads and CLI commands can share one
 * file; a writer that finds the database locked waits up to BUSY_TIMEOUT_MS.
 * Every statement is prepared once per connection, on first use, into
 * s->st[] (indexed by enum stmt, SQL in the table sql[]), takes its values
 * only through bound parameters and is reset right after use, so that no
 * statement holds a read snapshot open between calls.
 *
 * Writes run inside a savepoint. Outside a caller's store_begin() they first
 * open their own BEGIN IMMEDIATE transaction: taking the write lock up front
 * lets the busy timeout wait for another writer, where a deferred
 * transaction that later upgrades would fail at once with SQLITE_BUSY. */
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/sqlite/internal.h"
#include "store/sqlite/migrations.h"
#include "util/array.h"
#include "util/err.h"
#include "util/slug.h"

#define BUSY_TIMEOUT_MS 5000
/* Articles whose tags one ST_TAGS_IN fills; a default page takes one query. */
#define TAGS_IN_SLOTS 20
#define TAGS_ONE_BY_ONE 4      /* lists this short read their tags article by article */

enum stmt {
	ST_BEGIN,
	ST_BEGIN_IMMEDIATE,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_ART_BY_ID,
	ST_ART_BY_SLUG,
	ST_ART_PAGE,
	ST_ART_LIST_BY_ID,
	ST_TAGS_OF,
	ST_TAGS_IN,
	/* Lists and counts: ST_LIST (ST_COUNT) + 2 * filter + include_hidden,
	 * where filter is 0 for none, else enum term_kind + 1. */
	ST_LIST,
	ST_LIST_HIDDEN,
	ST_LIST_TAG,
	ST_LIST_TAG_HIDDEN,
	ST_LIST_CATEGORY,
	ST_LIST_CATEGORY_HIDDEN,
	ST_LIST_AUTHOR,
	ST_LIST_AUTHOR_HIDDEN,
	ST_COUNT,
	ST_COUNT_HIDDEN,
	ST_COUNT_TAG,
	ST_COUNT_TAG_HIDDEN,
	ST_COUNT_CATEGORY,
	ST_COUNT_CATEGORY_HIDDEN,
	ST_COUNT_AUTHOR,
	ST_COUNT_AUTHOR_HIDDEN,
	ST_PREV,
	ST_NEXT,
	/* Per term kind: + enum term_kind. */
	ST_TERM_GET,
	ST_TERM_GET_CATEGORY,
	ST_TERM_GET_AUTHOR,
	ST_TERM_ADD,
	ST_TERM_ADD_CATEGORY,
	ST_TERM_ADD_AUTHOR,
	ST_ART_INSERT,
	ST_ART_UPDATE,
	ST_ART_TAGS_CLEAR,
	ST_ART_TAG_ADD,
	ST_ART_TAGS_STATUS,
	ST_ART_STATUS,
	ST_ART_DELETE,
	ST_SLUG_TAKEN,
	ST_CHANGE_ADD,
	ST_CHANGE_NOTE,
	ST_CHANGES_SINCE,
	ST_LAST_CHANGE,
	ST_NEXT_SCHEDULED,
	ST_LAST_MODIFIED,
	ST__MAX
};

_Static_assert(TERM_TAG == 0 && ST_TERM_GET + TERM_CATEGORY == ST_TERM_GET_CATEGORY &&
		       ST_TERM_GET + TERM_AUTHOR == ST_TERM_GET_AUTHOR &&
		       ST_TERM_ADD + TERM_AUTHOR == ST_TERM_ADD_AUTHOR,
	       "term statements follow enum term_kind");
_Static_assert(ST_LIST + 2 * (TERM_AUTHOR + 1) + 1 == ST_LIST_AUTHOR_HIDDEN &&
		       ST_COUNT + 2 * (TERM_AUTHOR + 1) + 1 == ST_COUNT_AUTHOR_HIDDEN,
	       "list statements follow enum term_kind");

/* The columns read_article() reads, in its order (internal.h's
 * SQ_ARTICLE_LINK_COLS must follow it). Lists bind ?1 to say whether they want the
 * bodies; the CASE keeps SQLite from reading them. */
#define ART_COLS                                                                        \
	"a.id, a.slug, a.title, a.dateline, a.excerpt, a.status, a.published_at,"       \
	" a.updated_at, a.created_at, au.id, au.slug, au.name, c.id, c.slug, c.name, a.lang"

#define ART_BODIES ", a.body_md, a.body_html"
#define ART_BODIES_IF ", CASE WHEN ?1 THEN a.body_md END, CASE WHEN ?1 THEN a.body_html END"
#define JOIN_AUTHOR " LEFT JOIN authors au ON au.id = a.author_id"
#define JOIN_CATEGORY " LEFT JOIN categories c ON c.id = a.category_id"
#define FROM_ALL " FROM articles a"
/* The archives start at the term (one row by its unique slug) and walk an
 * index in the list's order. */
#define FROM_TAG " FROM tags t JOIN article_tags x ON x.tag_id = t.id"
#define FROM_CATEGORY " FROM categories c JOIN articles a ON a.category_id = c.id"
#define FROM_AUTHOR " FROM authors au JOIN articles a ON a.author_id = au.id"
/* List parameters: ?1 with_body, ?2 now, ?3 since, ?4 limit, ?5 offset,
 * ?6 term slug. */
#define PUBLIC(t) t ".status = 1 AND " t ".published_at <= ?2 AND "
#define SINCE(t) t ".published_at >= ?3"
#define ORDER(t, id) " ORDER BY " t ".published_at DESC, " id " DESC LIMIT ?4 OFFSET ?5"
/* A list pages through ids on a covering index (`inner`, which yields the
 * column id) and reads only the rows of its page, so OFFSET skips index
 * entries, not rows with their joins (offset 20,000 of 100,000 articles:
 * 0.8 ms instead of 35 ms). SQL does not promise that p's order survives
 * the join, so store_articles() sorts the page itself. */
#define LIST(inner)                                                                     \
	"SELECT " ART_COLS ART_BODIES_IF " FROM (" inner ") p"                           \
	" JOIN articles a ON a.id = p.id" JOIN_AUTHOR JOIN_CATEGORY
#define SLOTS_20 "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20"

static const char *const sql[ST__MAX] = {
	[ST_BEGIN] = "BEGIN",
	[ST_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT store_write",
	[ST_RELEASE] = "RELEASE store_write",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_write",

	[ST_ART_BY_ID] = "SELECT " ART_COLS ART_BODIES FROM_ALL JOIN_AUTHOR JOIN_CATEGORY
			 " WHERE a.id = ?1",
	[ST_ART_BY_SLUG] = "SELECT " ART_COLS ART_BODIES FROM_ALL JOIN_AUTHOR JOIN_CATEGORY
			   " WHERE a.slug = ?1",
	[ST_ART_PAGE] = "SELECT " ART_COLS ", NULL, a.body_html" FROM_ALL JOIN_AUTHOR JOIN_CATEGORY
			" WHERE a.slug = ?1",
	/* One article as in lists (search hits, related articles). */
	[ST_ART_LIST_BY_ID] = "SELECT " ART_COLS ", NULL, NULL" FROM_ALL JOIN_AUTHOR JOIN_CATEGORY
			      " WHERE a.id = ?1",
	[ST_TAGS_OF] = "SELECT t.id, t.slug, t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
		       " WHERE x.article_id = ?1",
	[ST_TAGS_IN] = "SELECT x.article_id, t.id, t.slug, t.name"
		       " FROM article_tags x JOIN tags t ON t.id = x.tag_id"
		       " WHERE x.article_id IN (" SLOTS_20 ")",

	[ST_LIST] = LIST("SELECT a.id" FROM_ALL " WHERE " PUBLIC("a") SINCE("a") ORDER("a", "a.id")),
	[ST_LIST_HIDDEN] = LIST("SELECT a.id" FROM_ALL " WHERE " SINCE("a") ORDER("a", "a.id")),
	[ST_LIST_TAG] = LIST("SELECT x.article_id AS id" FROM_TAG " WHERE t.slug = ?6 AND " PUBLIC("x")
			     SINCE("x") ORDER("x", "x.article_id")),
	[ST_LIST_TAG_HIDDEN] = LIST("SELECT x.article_id AS id" FROM_TAG " WHERE t.slug = ?6 AND "
				    SINCE("x") ORDER("x", "x.article_id")),
	[ST_LIST_CATEGORY] = LIST("SELECT a.id" FROM_CATEGORY " WHERE c.slug = ?6 AND " PUBLIC("a")
				  SINCE("a") ORDER("a", "a.id")),
	[ST_LIST_CATEGORY_HIDDEN] = LIST("SELECT a.id" FROM_CATEGORY " WHERE c.slug = ?6 AND "
					 SINCE("a") ORDER("a", "a.id")),
	[ST_LIST_AUTHOR] = LIST("SELECT a.id" FROM_AUTHOR " WHERE au.slug = ?6 AND " PUBLIC("a")
				SINCE("a") ORDER("a", "a.id")),
	[ST_LIST_AUTHOR_HIDDEN] = LIST("SELECT a.id" FROM_AUTHOR " WHERE au.slug = ?6 AND "
				       SINCE("a") ORDER("a", "a.id")),

	[ST_COUNT] = "SELECT count(*)" FROM_ALL " WHERE " PUBLIC("a") SINCE("a"),
	[ST_COUNT_HIDDEN] = "SELECT count(*)" FROM_ALL " WHERE " SINCE("a"),
	[ST_COUNT_TAG] = "SELECT count(*)" FROM_TAG " WHERE t.slug = ?6 AND " PUBLIC("x") SINCE("x"),
	[ST_COUNT_TAG_HIDDEN] = "SELECT count(*)" FROM_TAG " WHERE t.slug = ?6 AND " SINCE("x"),
	[ST_COUNT_CATEGORY] = "SELECT count(*)" FROM_CATEGORY
			      " WHERE c.slug = ?6 AND " PUBLIC("a") SINCE("a"),
	[ST_COUNT_CATEGORY_HIDDEN] = "SELECT count(*)" FROM_CATEGORY " WHERE c.slug = ?6 AND " SINCE("a"),
	[ST_COUNT_AUTHOR] = "SELECT count(*)" FROM_AUTHOR " WHERE au.slug = ?6 AND " PUBLIC("a") SINCE("a"),
	[ST_COUNT_AUTHOR_HIDDEN] = "SELECT count(*)" FROM_AUTHOR " WHERE au.slug = ?6 AND " SINCE("a"),

	/* ?1 now, (?2, ?3) the article's (published_at, id); row values compare
	 * them as one key of articles_public. PREV gets the smaller of that key
	 * and (now, INT64_MAX) as its only bound: given two upper bounds, SQLite
	 * walked down from the looser one, through every newer article. */
	[ST_PREV] = "SELECT id, slug, title, published_at FROM articles"
		    " WHERE status = 1 AND (published_at, id) < (?2, ?3)"
		    " ORDER BY published_at DESC, id DESC LIMIT 1",
	[ST_NEXT] = "SELECT id, slug, title, published_at FROM articles"
		    " WHERE status = 1 AND published_at <= ?1 AND (published_at, id) > (?2, ?3)"
		    " ORDER BY published_at, id LIMIT 1",

	[ST_TERM_GET] = "SELECT id, slug, name FROM tags WHERE slug = ?1",
	[ST_TERM_GET_CATEGORY] = "SELECT id, slug, name FROM categories WHERE slug = ?1",
	[ST_TERM_GET_AUTHOR] = "SELECT id, slug, name FROM authors WHERE slug = ?1",
	[ST_TERM_ADD] = "INSERT INTO tags (slug, name) VALUES (?1, ?2) RETURNING id",
	[ST_TERM_ADD_CATEGORY] = "INSERT INTO categories (slug, name) VALUES (?1, ?2) RETURNING id",
	[ST_TERM_ADD_AUTHOR] = "INSERT INTO authors (slug, name) VALUES (?1, ?2) RETURNING id",

	[ST_ART_INSERT] = "INSERT INTO articles (slug, title, dateline, excerpt, status, author_id,"
			  " category_id, published_at, updated_at, created_at, body_md, body_html,"
			  " lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14)"
			  " RETURNING id",
	/* ?10 (created_at) is bound but left alone. */
	[ST_ART_UPDATE] = "UPDATE articles SET slug = ?1, title = ?2, dateline = ?3, excerpt = ?4,"
			  " status = ?5, author_id = ?6, category_id = ?7, published_at = ?8,"
			  " updated_at = ?9, body_md = ?11, body_html = ?12, lang = ?14"
			  " WHERE id = ?13 RETURNING created_at",
	[ST_ART_TAGS_CLEAR] = "DELETE FROM article_tags WHERE article_id = ?1",
	[ST_ART_TAG_ADD] = "INSERT OR IGNORE INTO article_tags (article_id, tag_id, status, published_at)"
			   " VALUES (?1, ?2, ?3, ?4)",
	[ST_ART_TAGS_STATUS] = "UPDATE article_tags SET status = ?2 WHERE article_id = ?1",
	[ST_ART_STATUS] = "UPDATE articles SET status = ?2 WHERE id = ?1",
	[ST_ART_DELETE] = "DELETE FROM articles WHERE id = ?1",
	[ST_SLUG_TAKEN] = "SELECT 1 FROM articles WHERE slug = ?1 AND id <> ?2",

	/* The terms the article has at this moment: logged before an edit or a
	 * delete, they name the lists the article may be leaving. */
	[ST_CHANGE_ADD] = "INSERT INTO changes (article_id, at, terms) VALUES (?1, ?2,"
			  " coalesce((SELECT group_concat(k, ' ') FROM ("
			  "  SELECT 'tag:' || t.slug AS k FROM article_tags x"
			  "   JOIN tags t ON t.id = x.tag_id WHERE x.article_id = ?1"
			  "  UNION ALL SELECT 'category:' || c.slug FROM articles a"
			  "   JOIN categories c ON c.id = a.category_id WHERE a.id = ?1"
			  "  UNION ALL SELECT 'author:' || u.slug FROM articles a"
			  "   JOIN authors u ON u.id = a.author_id WHERE a.id = ?1)), ''))",
	[ST_CHANGE_NOTE] = "INSERT INTO changes (article_id, at, terms) VALUES (0, ?2, ?1)",
	[ST_CHANGES_SINCE] = "SELECT id, article_id, terms FROM changes WHERE id > ?1 ORDER BY id"
			     " LIMIT ?2",
	[ST_LAST_CHANGE] = "SELECT coalesce(max(id), 0) FROM changes",
	[ST_NEXT_SCHEDULED] = "SELECT published_at FROM articles WHERE status = 1 AND published_at > ?1"
			      " ORDER BY published_at LIMIT 1",
	/* Besides the newest public edit, a list also changes when an article
	 * becomes due, is published, unpublished or deleted: the newest due
	 * published_at and the time of the last logged change cover those.
	 * Left alone, SQLite would range-scan articles_public and sort. */
	[ST_LAST_MODIFIED] =
		"SELECT max("
		" coalesce((SELECT updated_at FROM articles INDEXED BY articles_updated"
		"           WHERE status = 1 AND published_at <= ?1"
		"           ORDER BY updated_at DESC LIMIT 1), 0),"
		" coalesce((SELECT published_at FROM articles WHERE status = 1 AND published_at <= ?1"
		"           ORDER BY published_at DESC LIMIT 1), 0),"
		" coalesce((SELECT at FROM changes ORDER BY id DESC LIMIT 1), 0))",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST__MAX]; /* prepared on first use, finalized by store_close() */
	sqlite3_stmt *xst[SQ_XSLOTS]; /* the same for the backend's other files */
	struct sq_search *search;  /* search.c's per-connection state */
};

/* Maps an SQLite result code to enum dp_err. A UNIQUE violation can only be
 * an article's slug: terms are looked up before they are inserted. */
static int map_err(int rc)
{
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return DP_EEXISTS;
	switch (rc & 0xFF) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE: return DP_OK;
	case SQLITE_NOMEM: return DP_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DP_EBUSY;
	case SQLITE_TOOBIG: return DP_ETOOBIG;
	default: return DP_EDB;
	}
}

/* *ret: statement id, prepared if this connection has not used it yet. */
static int use(struct store *s, enum stmt id, sqlite3_stmt **ret)
{
	*ret = NULL;
	if (!s->st[id]) {
		int rc = sqlite3_prepare_v3(s->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->st[id],
					    NULL);
		if (rc != SQLITE_OK || !s->st[id]) {
			sqlite3_finalize(s->st[id]);
			s->st[id] = NULL;
			return rc == SQLITE_OK ? DP_EDB : map_err(rc) ? map_err(rc) : DP_EDB;
		}
	}
	*ret = s->st[id];
	return DP_OK;
}

/* Steps st once: DP_OK with *ret_row telling whether a row came. */
static int step(sqlite3_stmt *st, bool *ret_row)
{
	int rc = sqlite3_step(st);
	if (ret_row)
		*ret_row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return DP_OK;
	return map_err(rc);
}

/* Runs a statement without parameters or results (transaction control). */
static int run(struct store *s, enum stmt id)
{
	sqlite3_stmt *st;
	int rc = use(s, id, &st);
	if (rc)
		return rc;
	rc = step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

/* Binding. Parameter numbers a statement does not have are skipped, so one
 * binding serves a list and its count. Text is bound SQLITE_STATIC: it must
 * outlive the step, and the statement is reset before the caller's strings
 * can change. */
static int bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (i > sqlite3_bind_parameter_count(st))
		return DP_OK;
	return map_err(sqlite3_bind_int64(st, i, (sqlite3_int64)v));
}

static int bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	return id ? bind_i64(st, i, id) : map_err(sqlite3_bind_null(st, i));
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (i > sqlite3_bind_parameter_count(st))
		return DP_OK;
	if (!v)
		return map_err(sqlite3_bind_null(st, i));
	return map_err(sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC));
}

static int bind_text_n(sqlite3_stmt *st, int i, const char *v, size_t n)
{
	if (n > INT_MAX)
		return DP_ETOOBIG;
	return map_err(sqlite3_bind_text(st, i, v, (int)n, SQLITE_STATIC));
}

/* A size_t bound as LIMIT/OFFSET; SQLite reads a negative limit as none. */
static int64_t clamp_size(size_t n, int64_t over)
{
	return n > (size_t)INT64_MAX ? over : (int64_t)n;
}

/* *ret: a copy of column i, NULL for SQL NULL. */
static int col_dup(sqlite3_stmt *st, int i, char **ret)
{
	*ret = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return DP_OK;
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return DP_ENOMEM;
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	char *p = malloc(n + 1);
	if (!p)
		return DP_ENOMEM;
	memcpy(p, t, n + 1);
	*ret = p;
	return DP_OK;
}

static int read_term(sqlite3_stmt *st, int col, struct term *t)
{
	int rc;
	t->id = sqlite3_column_int64(st, col);
	rc = col_dup(st, col + 1, &t->slug);
	if (!rc)
		rc = col_dup(st, col + 2, &t->name);
	return rc;
}

/* Fills a (zeroed by the caller) from a row of ART_COLS + bodies. */
static int read_article(sqlite3_stmt *st, struct article *a)
{
	int rc;
	int64_t status;
	a->id = sqlite3_column_int64(st, 0);
	status = sqlite3_column_int64(st, 5);
	a->status = status == ARTICLE_PUBLISHED ? ARTICLE_PUBLISHED : ARTICLE_DRAFT;
	a->published_at = sqlite3_column_int64(st, 6);
	a->updated_at = sqlite3_column_int64(st, 7);
	a->created_at = sqlite3_column_int64(st, 8);
	if ((rc = col_dup(st, 1, &a->slug)) || (rc = col_dup(st, 2, &a->title)) ||
	    (rc = col_dup(st, 3, &a->dateline)) || (rc = col_dup(st, 4, &a->excerpt)) ||
	    (rc = read_term(st, 9, &a->author)) || (rc = read_term(st, 12, &a->category)) ||
	    (rc = col_dup(st, 15, &a->lang)) ||
	    (rc = col_dup(st, 16, &a->body_md)) || (rc = col_dup(st, 17, &a->body_html)))
		return rc;
	return DP_OK;
}

/* Adds the term in columns col.. of st to a->tags, keeping them ordered by
 * name (bytewise, then id). Sorting the few tags of an article here is
 * cheaper than an ORDER BY, which makes SQLite open a sorter. */
static int add_tag(struct article *a, sqlite3_stmt *st, int col)
{
	struct term t = { 0 };
	struct term *tags;
	size_t i;
	int rc = read_term(st, col, &t);
	if (rc)
		goto fail;
	tags = realloc(a->tags, (a->ntags + 1) * sizeof *tags);
	if (!tags) {
		rc = DP_ENOMEM;
		goto fail;
	}
	a->tags = tags;
	for (i = a->ntags; i > 0; i--) {
		int c = strcmp(tags[i - 1].name ? tags[i - 1].name : "", t.name ? t.name : "");
		if (c < 0 || (c == 0 && tags[i - 1].id < t.id))
			break;
		tags[i] = tags[i - 1];
	}
	tags[i] = t;
	a->ntags++;
	return DP_OK;
fail:
	term_release(&t);
	return rc;
}

/* Fills a->tags of one article. */
static int load_tags(struct store *s, struct article *a)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, ST_TAGS_OF, &st);
	if (rc)
		return rc;
	rc = bind_i64(st, 1, a->id);
	while (!rc && !(rc = step(st, &row)) && row)
		rc = add_tag(a, st, 0);
	sqlite3_reset(st);
	return rc;
}

/* Fills the tags of n listed articles, TAGS_IN_SLOTS per query; a few
 * (related articles) one by one, which is cheaper than an IN list that
 * SQLite turns into a table of its own on every run. */
static int load_list_tags(struct store *s, struct article *items, size_t n)
{
	sqlite3_stmt *st;
	int rc = DP_OK;
	if (n <= TAGS_ONE_BY_ONE) {
		for (size_t i = 0; i < n && !rc; i++)
			rc = load_tags(s, &items[i]);
		return rc;
	}
	if ((rc = use(s, ST_TAGS_IN, &st)))
		return rc;
	for (size_t base = 0; base < n && !rc; base += TAGS_IN_SLOTS) {
		size_t k = n - base < TAGS_IN_SLOTS ? n - base : TAGS_IN_SLOTS;
		bool row;
		for (size_t i = 0; i < TAGS_IN_SLOTS && !rc; i++)
			rc = i < k ? bind_i64(st, (int)i + 1, items[base + i].id)
				   : map_err(sqlite3_bind_null(st, (int)i + 1));
		/* Rows come by article id; a list is in date order, and ids
		 * within one are distinct, so find each row's article. */
		size_t at = 0;
		while (!rc && !(rc = step(st, &row)) && row) {
			int64_t id = sqlite3_column_int64(st, 0);
			if (items[base + at].id != id)
				for (at = 0; at < k && items[base + at].id != id; at++)
					;
			if (at == k) { /* cannot happen: the query asked for these ids */
				rc = DP_EDB;
				break;
			}
			rc = add_tag(&items[base + at], st, 1);
		}
		sqlite3_reset(st);
	}
	return rc;
}

/* A read of several statements runs in one transaction: one snapshot, and
 * one round of WAL read locks instead of one per statement. Inside a
 * caller's transaction it simply joins that. */
static int read_begin(struct store *s, bool *own)
{
	*own = sqlite3_get_autocommit(s->db) != 0;
	return *own ? run(s, ST_BEGIN) : DP_OK;
}

static void read_end(struct store *s, bool own)
{
	if (own && run(s, ST_COMMIT))
		run(s, ST_ROLLBACK);
}

/* Reads the one article that st (bound) finds, with its tags. */
static int article_get(struct store *s, sqlite3_stmt *st, struct article *ret)
{
	bool row, own;
	int rc;
	memset(ret, 0, sizeof *ret);
	rc = read_begin(s, &own);
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	rc = step(st, &row);
	if (!rc && !row)
		rc = DP_ENOTFOUND;
	if (!rc)
		rc = read_article(st, ret);
	sqlite3_reset(st);
	if (!rc)
		rc = load_tags(s, ret);
	read_end(s, own);
	if (rc)
		article_release(ret);
	return rc;
}

int store_open(const char *path, int flags, struct store **ret)
{
	struct store *s = NULL;
	sqlite3_stmt *st = NULL;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	int rc;

	if (!path || !*path || !ret)
		return DP_EINVAL;
	*ret = NULL;
	if (flags & STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	s = calloc(1, sizeof *s);
	if (!s)
		return DP_ENOMEM;

	int src = sqlite3_open_v2(path, &s->db, oflags, NULL);
	if (src != SQLITE_OK) {
		if (!s->db)
			rc = DP_ENOMEM;
		else if ((src & 0xFF) == SQLITE_CANTOPEN)
			rc = sqlite3_system_errno(s->db) == ENOENT ? DP_ENOTFOUND : DP_EIO;
		else
			rc = map_err(src);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* String literals only in single quotes, as in PostgreSQL. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);

	rc = map_err(sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL));
	if (rc)
		goto fail;
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = map_err(src);
		rc = rc ? rc : DP_EDB;
		goto fail;
	}
	const char *mode = (const char *)sqlite3_column_text(st, 0);
	/* "memory" for ":memory:" databases, which cannot have a WAL. */
	if (!mode || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
		rc = DP_EDB;
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	/* FULL syncs the log at every commit: what a reader was told is saved
	 * survives a power cut, not only a crash of the program. */
	rc = map_err(sqlite3_exec(s->db,
				  flags & STORE_DURABLE
					  ? "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON"
					  : "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
				  NULL, NULL, NULL));
	if (rc)
		goto fail;
	if ((rc = sq_search_open(s)))
		goto fail;
	rc = sqlite_migrate(s->db, NULL);
	if (!rc && !(flags & STORE_NO_INDEX_BUILD))
		rc = sq_search_ready(s);
	if (rc)
		goto fail;
	*ret = s;
	return DP_OK;
fail:
	sqlite3_finalize(st);
	store_close(s);
	return rc;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->st[i]);
	for (size_t i = 0; i < SQ_XSLOTS; i++)
		sqlite3_finalize(s->xst[i]);
	sq_search_close(s);
	sqlite3_close_v2(s->db);
	free(s);
}

int store_begin(struct store *s)
{
	return run(s, ST_BEGIN_IMMEDIATE);
}

int store_commit(struct store *s)
{
	int rc = sq_search_flush(s);
	return rc ? rc : run(s, ST_COMMIT);
}

int store_rollback(struct store *s)
{
	return run(s, ST_ROLLBACK);
}

int store_read_begin(struct store *s)
{
	if (!s || !sqlite3_get_autocommit(s->db))
		return DP_EINVAL;
	return run(s, ST_BEGIN);
}

void store_read_end(struct store *s)
{
	if (s && !sqlite3_get_autocommit(s->db) && run(s, ST_COMMIT))
		run(s, ST_ROLLBACK);
}

/* Opens a write: a savepoint, inside a new BEGIN IMMEDIATE transaction
 * unless the caller has one open. *own tells write_end() which it was. */
static int write_begin(struct store *s, bool *own)
{
	int rc;
	*own = sqlite3_get_autocommit(s->db) != 0;
	if (*own && (rc = run(s, ST_BEGIN_IMMEDIATE)))
		return rc;
	rc = run(s, ST_SAVEPOINT);
	if (rc && *own)
		run(s, ST_ROLLBACK);
	return rc;
}

/* Closes a write: keeps it when rc is DP_OK, else undoes it without
 * touching what the caller's transaction did before. Returns rc, or the
 * error of the commit. */
static int write_end(struct store *s, bool own, int rc)
{
	if (!rc) {
		if (own)
			rc = sq_search_flush(s);
		if (!rc)
			rc = run(s, ST_RELEASE);
		if (!rc && own)
			rc = run(s, ST_COMMIT);
		if (!rc)
			return DP_OK;
	}
	/* Each may fail once an earlier step is gone; that is fine. */
	run(s, ST_ROLLBACK_TO);
	run(s, ST_RELEASE);
	if (own && !sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK);
	return rc;
}

static int by_slug(struct store *s, unsigned which, const char *slug, struct article *ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !slug || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	rc = use(s, which, &st);
	if (!rc)
		rc = bind_text(st, 1, slug);
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return article_get(s, st, ret);
}

int store_article_by_slug(struct store *s, const char *slug, struct article *ret)
{
	return by_slug(s, ST_ART_BY_SLUG, slug, ret);
}

int store_article_page(struct store *s, const char *slug, struct article *ret)
{
	return by_slug(s, ST_ART_PAGE, slug, ret);
}

int store_article_by_id(struct store *s, int64_t id, struct article *ret)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	rc = use(s, ST_ART_BY_ID, &st);
	if (rc)
		return rc;
	rc = bind_i64(st, 1, id);
	if (rc) {
		sqlite3_reset(st);
		return rc;
	}
	return article_get(s, st, ret);
}

/* qsort() order of lists: published_at, then id, descending. */
static int newest_first(const void *pa, const void *pb)
{
	const struct article *a = pa, *b = pb;
	if (a->published_at != b->published_at)
		return a->published_at < b->published_at ? 1 : -1;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

int store_articles(struct store *s, const struct article_query *q, struct article_list *ret,
		   size_t *ret_total)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	bool row, own;
	int rc, filter;

	if (!s || !q || !ret)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if (ret_total)
		*ret_total = 0;
	filter = 0;
	if (q->term_slug) {
		if ((unsigned)q->kind >= TERM__MAX)
			return DP_EINVAL;
		filter = (int)q->kind + 1;
	}
	size_t limit = q->limit ? q->limit : 10;

	/* One snapshot for the list, its tags and its count. */
	if ((rc = read_begin(s, &own)))
		return rc;

	rc = use(s, (enum stmt)(ST_LIST + 2 * filter + q->include_hidden), &st);
	if (rc)
		goto out;
	if ((rc = bind_i64(st, 1, q->with_body)) || (rc = bind_i64(st, 2, q->now)) ||
	    (rc = bind_i64(st, 3, q->since ? q->since : INT64_MIN)) ||
	    (rc = bind_i64(st, 4, clamp_size(limit, -1))) ||
	    (rc = bind_i64(st, 5, clamp_size(q->offset, INT64_MAX))) ||
	    (rc = bind_text(st, 6, q->term_slug))) {
		sqlite3_reset(st);
		goto out;
	}
	while (!(rc = step(st, &row)) && row) {
		if ((rc = array_reserve(&ret->items, &cap, ret->n + 1,
						 sizeof *ret->items)))
			break;
		struct article *a = &ret->items[ret->n++];
		memset(a, 0, sizeof *a);
		rc = read_article(st, a);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (rc)
		goto out;
	if (ret->n > 1)
		qsort(ret->items, ret->n, sizeof ret->items[0], newest_first);
	rc = load_list_tags(s, ret->items, ret->n);
	if (rc || !ret_total)
		goto out;

	rc = use(s, (enum stmt)(ST_COUNT + 2 * filter + q->include_hidden), &st);
	if (rc)
		goto out;
	if ((rc = bind_i64(st, 2, q->now)) ||
	    (rc = bind_i64(st, 3, q->since ? q->since : INT64_MIN)) ||
	    (rc = bind_text(st, 6, q->term_slug)) || (rc = step(st, &row))) {
		sqlite3_reset(st);
		goto out;
	}
	*ret_total = row ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
out:
	read_end(s, own);
	if (rc) {
		article_list_release(ret);
		if (ret_total)
			*ret_total = 0;
	}
	return rc;
}

/* Fills ret with the neighbor that statement id finds, if any. */
static int neighbor(struct store *s, enum stmt id, const struct article *a, int64_t now,
		    struct article *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, id, &st);
	if (rc)
		return rc;
	int64_t at = a->published_at, aid = a->id;
	if (id == ST_PREV && at > now) {
		at = now;
		aid = INT64_MAX;
	}
	if (!(rc = bind_i64(st, 1, now)) && !(rc = bind_i64(st, 2, at)) &&
	    !(rc = bind_i64(st, 3, aid)) && !(rc = step(st, &row)) && row) {
		ret->id = sqlite3_column_int64(st, 0);
		ret->published_at = sqlite3_column_int64(st, 3);
		if (!(rc = col_dup(st, 1, &ret->slug)))
			rc = col_dup(st, 2, &ret->title);
	}
	sqlite3_reset(st);
	if (rc)
		article_release(ret);
	return rc;
}

int store_article_neighbors(struct store *s, const struct article *a, int64_t now,
			    struct article *ret_prev, struct article *ret_next)
{
	int rc;
	if (!s || !a || !ret_prev || !ret_next)
		return DP_EINVAL;
	bool own;
	memset(ret_prev, 0, sizeof *ret_prev);
	memset(ret_next, 0, sizeof *ret_next);
	if ((rc = read_begin(s, &own)))
		return rc;
	rc = neighbor(s, ST_PREV, a, now, ret_prev);
	if (!rc)
		rc = neighbor(s, ST_NEXT, a, now, ret_next);
	read_end(s, own);
	if (rc)
		article_release(ret_prev);
	return rc;
}

/* *ret_id: the id of the term named `name` (trimmed of ASCII white space),
 * created if it has none; 0 for a NULL or blank name. Terms are matched by
 * the slug of their name, so "Ukraine" and "ukraine" are one tag. */
static int term_ensure(struct store *s, enum term_kind kind, const char *name, int64_t *ret_id)
{
	char slug[SLUG_MAX + 1];
	sqlite3_stmt *st;
	char *trimmed = NULL;
	bool row;
	int rc;

	*ret_id = 0;
	if (!name)
		return DP_OK;
	while (*name == ' ' || *name == '\t' || *name == '\n' || *name == '\r')
		name++;
	size_t n = strlen(name);
	while (n && (name[n - 1] == ' ' || name[n - 1] == '\t' || name[n - 1] == '\n' ||
		     name[n - 1] == '\r'))
		n--;
	if (!n)
		return DP_OK;
	trimmed = strndup(name, n);
	if (!trimmed)
		return DP_ENOMEM;
	rc = slug_from_text(trimmed, slug, sizeof slug);
	if (rc)
		goto out;

	rc = use(s, (enum stmt)(ST_TERM_GET + kind), &st);
	if (rc)
		goto out;
	if (!(rc = bind_text(st, 1, slug)) && !(rc = step(st, &row)) && row)
		*ret_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc || *ret_id)
		goto out;

	rc = use(s, (enum stmt)(ST_TERM_ADD + kind), &st);
	if (rc)
		goto out;
	if (!(rc = bind_text(st, 1, slug)) && !(rc = bind_text_n(st, 2, trimmed, n)) &&
	    !(rc = step(st, &row)))
		*ret_id = row ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (!rc && !*ret_id)
		rc = DP_EDB;
out:
	free(trimmed);
	return rc;
}

static int change_add(struct store *s, int64_t article_id, int64_t at)
{
	sqlite3_stmt *st;
	int rc = use(s, ST_CHANGE_ADD, &st);
	if (rc)
		return rc;
	if (!(rc = bind_i64(st, 1, article_id)) && !(rc = bind_i64(st, 2, at)))
		rc = step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

/* Binds the article's columns (see ST_ART_INSERT) and runs st, which
 * returns one value: the new id or the unchanged created_at. */
static int article_write(sqlite3_stmt *st, const struct article *a, int64_t author_id,
			 int64_t category_id, int64_t published_at, int64_t updated_at,
			 int64_t created_at, int64_t *ret)
{
	bool row;
	int rc;
	const char *dateline = a->dateline && *a->dateline ? a->dateline : NULL;
	if ((rc = bind_text(st, 1, a->slug)) || (rc = bind_text(st, 2, a->title)) ||
	    (rc = bind_text(st, 3, dateline)) || (rc = bind_text(st, 4, a->excerpt ? a->excerpt : "")) ||
	    (rc = bind_i64(st, 5, a->status)) || (rc = bind_id(st, 6, author_id)) ||
	    (rc = bind_id(st, 7, category_id)) || (rc = bind_i64(st, 8, published_at)) ||
	    (rc = bind_i64(st, 9, updated_at)) || (rc = bind_i64(st, 10, created_at)) ||
	    (rc = bind_text(st, 11, a->body_md ? a->body_md : "")) ||
	    (rc = bind_text(st, 12, a->body_html ? a->body_html : "")) ||
	    (rc = bind_i64(st, 13, a->id)) || (rc = bind_text(st, 14, a->lang ? a->lang : "")) ||
	    (rc = step(st, &row)))
		goto out;
	if (!row) {
		rc = DP_ENOTFOUND;
		goto out;
	}
	*ret = sqlite3_column_int64(st, 0);
	/* RETURNING: SQLite made every change in the first step. */
	rc = step(st, NULL);
out:
	sqlite3_reset(st);
	return rc;
}

int store_article_save(struct store *s, struct article *a, const char *const *tags,
		       size_t ntags, const char *category, const char *author)
{
	int64_t now = (int64_t)time(NULL);
	int64_t author_id, category_id, id = 0, published_at, updated_at, created_at;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if (!s || !a || !a->slug || !*a->slug || !a->title || (ntags && !tags) ||
	    (unsigned)a->status >= ARTICLE_STATUS__MAX)
		return DP_EINVAL;
	published_at = a->published_at ? a->published_at : now;
	/* Insert keeps times the caller set (an import); an edit is now. */
	updated_at = !a->id && a->updated_at ? a->updated_at : now;
	created_at = a->created_at ? a->created_at : now;

	rc = write_begin(s, &own);
	if (rc)
		return rc;
	if ((rc = term_ensure(s, TERM_AUTHOR, author, &author_id)) ||
	    (rc = term_ensure(s, TERM_CATEGORY, category, &category_id)))
		goto out;

	if (!a->id) {
		if ((rc = use(s, ST_ART_INSERT, &st)) ||
		    (rc = article_write(st, a, author_id, category_id, published_at, updated_at,
					created_at, &id)))
			goto out;
	} else {
		id = a->id;
		/* Logged first, so the entry names the terms the article had. */
		if ((rc = change_add(s, id, now)))
			goto out;
		if ((rc = use(s, ST_ART_UPDATE, &st)) ||
		    (rc = article_write(st, a, author_id, category_id, published_at, updated_at,
					created_at, &created_at)))
			goto out;
		if ((rc = use(s, ST_ART_TAGS_CLEAR, &st)))
			goto out;
		if (!(rc = bind_i64(st, 1, id)))
			rc = step(st, NULL);
		sqlite3_reset(st);
		if (rc)
			goto out;
	}

	for (size_t i = 0; i < ntags; i++) {
		int64_t tag_id;
		if ((rc = term_ensure(s, TERM_TAG, tags[i], &tag_id)))
			goto out;
		if (!tag_id)
			continue;
		if ((rc = use(s, ST_ART_TAG_ADD, &st)))
			goto out;
		if (!(rc = bind_i64(st, 1, id)) && !(rc = bind_i64(st, 2, tag_id)) &&
		    !(rc = bind_i64(st, 3, a->status)) && !(rc = bind_i64(st, 4, published_at)))
			rc = step(st, NULL);
		sqlite3_reset(st);
		if (rc)
			goto out;
	}
	if (!a->id && (rc = change_add(s, id, now)))
		goto out;
	rc = sq_search_article(s, id, now);
out:
	rc = write_end(s, own, rc);
	if (!rc) {
		a->id = id;
		a->published_at = published_at;
		a->updated_at = updated_at;
		a->created_at = created_at;
	}
	return rc;
}

int store_article_set_status(struct store *s, int64_t id, enum article_status status, int64_t now)
{
	sqlite3_stmt *st;
	bool own;
	int rc;

	if (!s || (unsigned)status >= ARTICLE_STATUS__MAX)
		return DP_EINVAL;
	rc = write_begin(s, &own);
	if (rc)
		return rc;
	if ((rc = use(s, ST_ART_STATUS, &st)))
		goto out;
	if (!(rc = bind_i64(st, 1, id)) && !(rc = bind_i64(st, 2, status)) && !(rc = step(st, NULL)) &&
	    sqlite3_changes(s->db) == 0)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
	if (rc)
		goto out;
	if ((rc = use(s, ST_ART_TAGS_STATUS, &st)))
		goto out;
	if (!(rc = bind_i64(st, 1, id)) && !(rc = bind_i64(st, 2, status)))
		rc = step(st, NULL);
	sqlite3_reset(st);
	if (rc)
		goto out;
	if (!(rc = change_add(s, id, now)))
		rc = sq_search_article(s, id, now);
out:
	return write_end(s, own, rc);
}

int store_article_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	bool own;
	int rc;

	if (!s)
		return DP_EINVAL;
	rc = write_begin(s, &own);
	if (rc)
		return rc;
	/* Logged first, so the entry names the terms the article had. */
	if ((rc = change_add(s, id, (int64_t)time(NULL))) ||
	    (rc = sq_search_forget(s, id, (int64_t)time(NULL))) || (rc = use(s, ST_ART_DELETE, &st)))
		goto out;
	if (!(rc = bind_i64(st, 1, id)) && !(rc = step(st, NULL)) && sqlite3_changes(s->db) == 0)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
out:
	return write_end(s, own, rc);
}

int store_slug_taken(struct store *s, const char *slug, int64_t except_id, bool *ret)
{
	sqlite3_stmt *st;
	bool row = false;
	int rc;
	if (!s || !slug || !ret)
		return DP_EINVAL;
	*ret = false;
	rc = use(s, ST_SLUG_TAKEN, &st);
	if (rc)
		return rc;
	if (!(rc = bind_text(st, 1, slug)) && !(rc = bind_i64(st, 2, except_id)))
		rc = step(st, &row);
	sqlite3_reset(st);
	if (!rc)
		*ret = row;
	return rc;
}

int store_term_by_slug(struct store *s, enum term_kind kind, const char *slug, struct term *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !slug || !ret || (unsigned)kind >= TERM__MAX)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	rc = use(s, (enum stmt)(ST_TERM_GET + kind), &st);
	if (rc)
		return rc;
	if (!(rc = bind_text(st, 1, slug)) && !(rc = step(st, &row)))
		rc = row ? read_term(st, 0, ret) : DP_ENOTFOUND;
	sqlite3_reset(st);
	if (rc)
		term_release(ret);
	return rc;
}

int store_changes_since(struct store *s, int64_t after, int64_t *ret_ids, char **ret_terms,
			size_t max, size_t *ret_n, int64_t *ret_last)
{
	sqlite3_stmt *st;
	size_t n = 0;
	int64_t last = after;
	bool row;
	int rc;
	if (!s || !ret_n || !ret_last || (max && !ret_ids))
		return DP_EINVAL;
	*ret_n = 0;
	*ret_last = after;
	if (!max)
		return DP_OK;
	rc = use(s, ST_CHANGES_SINCE, &st);
	if (rc)
		return rc;
	if ((rc = bind_i64(st, 1, after)) || (rc = bind_i64(st, 2, clamp_size(max, -1))))
		goto out;
	while (n < max && !(rc = step(st, &row)) && row) {
		last = sqlite3_column_int64(st, 0);
		ret_ids[n] = sqlite3_column_int64(st, 1);
		if (ret_terms) {
			const unsigned char *t = sqlite3_column_text(st, 2);
			if (!(ret_terms[n] = strdup(t ? (const char *)t : ""))) {
				rc = DP_ENOMEM;
				break;
			}
		}
		n++;
	}
out:
	sqlite3_reset(st);
	if (rc && ret_terms)
		while (n)
			free(ret_terms[--n]);
	if (!rc) {
		*ret_n = n;
		*ret_last = last;
	}
	return rc;
}

/* Runs a one-value query with an optional ?1 (`arg`). */
static int scalar(struct store *s, enum stmt id, int64_t arg, int64_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	*ret = 0;
	rc = use(s, id, &st);
	if (rc)
		return rc;
	if (!(rc = bind_i64(st, 1, arg)) && !(rc = step(st, &row)) && row)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

int store_last_change(struct store *s, int64_t *ret)
{
	return scalar(s, ST_LAST_CHANGE, 0, ret);
}

int store_next_scheduled(struct store *s, int64_t now, int64_t *ret)
{
	return scalar(s, ST_NEXT_SCHEDULED, now, ret);
}

int store_last_modified(struct store *s, int64_t now, int64_t *ret)
{
	return scalar(s, ST_LAST_MODIFIED, now, ret);
}

/* ---- shared with the backend's other files (internal.h) ---- */

int sq_use(struct store *s, unsigned slot, const char *sql_text, sqlite3_stmt **ret)
{
	*ret = NULL;
	if (slot >= SQ_XSLOTS)
		return DP_EINVAL;
	if (!s->xst[slot]) {
		int rc = sqlite3_prepare_v3(s->db, sql_text, -1, SQLITE_PREPARE_PERSISTENT,
					    &s->xst[slot], NULL);
		if (rc != SQLITE_OK || !s->xst[slot]) {
			sqlite3_finalize(s->xst[slot]);
			s->xst[slot] = NULL;
			return map_err(rc) ? map_err(rc) : DP_EDB;
		}
	}
	*ret = s->xst[slot];
	return DP_OK;
}

int sq_step(sqlite3_stmt *st, bool *ret_row)
{
	return step(st, ret_row);
}

int sq_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	return bind_i64(st, i, v);
}

int sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	return bind_text(st, i, v);
}

int sq_col_dup(sqlite3_stmt *st, int i, char **ret)
{
	int rc = col_dup(st, i, ret);
	if (!rc && !*ret && !(*ret = strdup("")))
		rc = DP_ENOMEM;
	return rc;
}

int sq_write_begin(struct store *s, bool *own)
{
	return write_begin(s, own);
}

int sq_write_end(struct store *s, bool own, int rc)
{
	return write_end(s, own, rc);
}

int sq_change_add(struct store *s, int64_t article_id, int64_t at)
{
	return change_add(s, article_id, at);
}

int sq_change_note(struct store *s, const char *terms, int64_t at)
{
	sqlite3_stmt *st;
	int rc = use(s, ST_CHANGE_NOTE, &st);
	if (rc)
		return rc;
	if (!(rc = bind_text(st, 1, terms)) && !(rc = bind_i64(st, 2, at)))
		rc = step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

sqlite3 *sq_db(struct store *s)
{
	return s->db;
}

int sq_articles_by_ids(struct store *s, const int64_t *ids, size_t n, struct article_list *ret)
{
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	ret->items = NULL;
	ret->n = 0;
	if (!n)
		return DP_OK;
	if (!(ret->items = calloc(n, sizeof *ret->items)))
		return DP_ENOMEM;
	if ((rc = read_begin(s, &own)))
		goto out;
	rc = use(s, ST_ART_LIST_BY_ID, &st);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!(rc = bind_i64(st, 1, ids[i])) && !(rc = step(st, &row)) && row) {
			rc = read_article(st, &ret->items[ret->n]);
			if (rc)
				article_release(&ret->items[ret->n]);
			else
				ret->n++;
		}
		sqlite3_reset(st);
	}
	if (!rc)
		rc = load_list_tags(s, ret->items, ret->n);
	read_end(s, own);
out:
	if (rc)
		article_list_release(ret);
	return rc;
}

int sq_articles_read(struct store *s, sqlite3_stmt *st, size_t max, bool tags,
		     struct article_list *ret)
{
	bool row;
	int rc = DP_OK;
	ret->items = NULL;
	ret->n = 0;
	if (!max)
		return DP_OK;
	if (!(ret->items = calloc(max, sizeof *ret->items)))
		return DP_ENOMEM;
	while (ret->n < max && !(rc = step(st, &row)) && row) {
		if ((rc = read_article(st, &ret->items[ret->n]))) {
			article_release(&ret->items[ret->n]);
			break;
		}
		ret->n++;
	}
	if (!rc && tags)
		rc = load_list_tags(s, ret->items, ret->n);
	if (rc)
		article_list_release(ret);
	return rc;
}

struct sq_search **sq_search_slot(struct store *s)
{
	return &s->search;
}

int sq_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}

int sq_status_counts(sqlite3_stmt *st, size_t *ret, size_t n)
{
	bool row;
	int rc;
	memset(ret, 0, n * sizeof ret[0]);
	while (!(rc = sq_step(st, &row)) && row) {
		int64_t status = sqlite3_column_int64(st, 0);
		if (status >= 0 && (uint64_t)status < n)
			ret[status] = (size_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc;
}
