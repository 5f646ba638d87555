/* internal.h — what store_sqlite.c shares with the backend's other files
 * (comments.c, accounts.c): prepared statements in per-connection slots,
 * binding, stepping and the write bracket. Not part of store.h. */
#ifndef DEPESCHE_STORE_SQLITE_INTERNAL_H
#define DEPESCHE_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Slots for statements defined outside store_sqlite.c; each file owns a
 * range (comments.c 0..31, accounts.c 32..63, outbox.c 64..79, 80..95 free,
 * subscribers.c 96..159, search.c 160..191, jobs.c 192..223, boxes.c
 * 224..255). */
#define SQ_XSLOTS 256

/* *ret: the statement in slot, prepared from sql on this connection's
 * first use. The statement must be reset by the caller after use. */
int sq_use(struct store *s, unsigned slot, const char *sql, sqlite3_stmt **ret);
/* Steps once: DP_OK with *ret_row (optional) telling whether a row came. */
int sq_step(sqlite3_stmt *st, bool *ret_row);
int sq_bind_i64(sqlite3_stmt *st, int i, int64_t v);
int sq_bind_text(sqlite3_stmt *st, int i, const char *v);  /* NULL binds NULL */
int sq_col_dup(sqlite3_stmt *st, int i, char **ret);       /* NULL column: "" */
/* The write bracket: a savepoint, inside BEGIN IMMEDIATE when the caller has
 * no transaction open. End with the write's rc; returns the final rc. */
int sq_write_begin(struct store *s, bool *own);
int sq_write_end(struct store *s, bool own, int rc);
/* Records a change of an article in the change log (cache invalidation). */
int sq_change_add(struct store *s, int64_t article_id, int64_t at);
/* Records a change note without an article (article_id 0): terms names the
 * pages to drop ("jobs": the pages with the key "l:jobs"; "boxes": every
 * page). */
int sq_change_note(struct store *s, const char *terms, int64_t at);
/* The connection (search.c registers its tokenizer on it). */
sqlite3 *sq_db(struct store *s);

/* ---- search.c: the index follows the articles ----
 * sq_search_open: called by store_open before the migrations (the index's
 * tokenizer must exist when a migration or a query touches it);
 * sq_search_close: by store_close. sq_search_article: after an article was
 * saved or changed status (inside its write transaction): takes its old
 * entry out of the index, adds the words of a published one to the
 * vocabulary and notes it for sq_search_flush, which indexes it before the
 * transaction commits. sq_search_forget: before an article is deleted
 * (takes it out of the index and the related lists at once). The
 * per-connection state lives behind *sq_search_slot(s). */
struct sq_search;
struct sq_search **sq_search_slot(struct store *s);
int sq_search_open(struct store *s);
void sq_search_close(struct store *s);
int sq_search_article(struct store *s, int64_t article_id, int64_t now);
int sq_search_forget(struct store *s, int64_t article_id, int64_t now);
/* Indexes the published articles sq_search_article saw in the open
 * transaction and makes their related-article lists (and those of the
 * articles whose lists they enter or leave). Called by write_end before a
 * write commits its own transaction, by store_commit, and by store_search
 * inside a write transaction; cheap when there is nothing to do. */
int sq_search_flush(struct store *s);
/* Called by store_open after the migrations: indexes the published
 * articles when the index is empty while there are some (a site upgraded
 * to the schema with the index). Skips quietly when another connection
 * holds the write lock (the next open tries again). */
int sq_search_ready(struct store *s);
/* The articles of ids[0..n) that exist, in that order, filled as in lists
 * (no bodies; author, category and tags). */
int sq_articles_by_ids(struct store *s, const int64_t *ids, size_t n, struct article_list *ret);
/* An article row as lists read it (read_article() in store_sqlite.c), for a
 * statement of another file, without author and category:
 * "SELECT " SQ_ARTICLE_LINK_COLS " FROM ... articles a ... WHERE ...".
 * sq_articles_read steps st (bound, not reset) for up to max rows and fills
 * ret as sq_articles_by_ids does, with their tags when tags is true. */
#define SQ_ARTICLE_LINK_COLS                                                            \
	"a.id, a.slug, a.title, a.dateline, a.excerpt, a.status, a.published_at,"       \
	" a.updated_at, a.created_at, NULL, NULL, NULL, NULL, NULL, NULL, a.lang,"      \
	" NULL, NULL"
int sq_articles_read(struct store *s, sqlite3_stmt *st, size_t max, bool tags,
		     struct article_list *ret);

/* Steps st (rows of "status, count") to the end into ret[n], zeroed first;
 * statuses outside 0..n-1 are skipped. Resets st. */
int sq_status_counts(sqlite3_stmt *st, size_t *ret, size_t n);
/* The number of rows the last statement changed. */
int sq_changes(struct store *s);

#endif
