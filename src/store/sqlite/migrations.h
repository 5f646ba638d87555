/* migrations.h — the numbered schema migrations of the SQLite backend
 * (internal to src/store/sqlite/ and its tests). */
#ifndef DEPESCHE_STORE_SQLITE_MIGRATIONS_H
#define DEPESCHE_STORE_SQLITE_MIGRATIONS_H

#include <sqlite3.h>
#include <stddef.h>

struct migration {
	int version;     /* 1, 2, ...: the array index + 1 */
	const char *sql; /* one or more statements, run with sqlite3_exec() */
};

extern const struct migration sqlite_migrations[];
extern const size_t sqlite_nmigrations;

/* Brings the schema of db up to the newest version: every migration newer
 * than the highest version in schema_migrations runs, and is recorded there,
 * in one BEGIN IMMEDIATE transaction, so concurrent openers run each once.
 * Takes no write lock when nothing is pending. Returns DP_OK, DP_EBUSY when
 * the lock could not be had within the busy timeout, DP_EDB on any other
 * failure, including a database newer than this program. *ret_applied
 * (optional) receives the number of migrations that ran. */
int sqlite_migrate(sqlite3 *db, size_t *ret_applied);

#endif
