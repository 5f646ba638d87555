/* test_fixture.h — what the store's unit tests (src/store/…_test.c) share:
 * one mkdtemp() folder per test program (fixture_setup and
 * fixture_teardown, as cmocka group setup and teardown), a fresh database
 * path in it (fixture_path) or a new database there (open_new) per test,
 * and raw_int: one integer read from the plain tables on a read-only
 * connection of its own (-1 when there is no row).
 *
 * Include it once per test program, after cmocka.h; everything here is
 * static inline, so a test uses what it needs. */
#ifndef DEPESCHE_STORE_TEST_FIXTURE_H
#define DEPESCHE_STORE_TEST_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"
#include "util/err.h"

static char tmpdir[] = "/tmp/depesche_store_test.XXXXXX";
static int dbcount;

/* A database path in tmpdir that no test used yet. */
static inline const char *fixture_path(char *path, size_t n)
{
	snprintf(path, n, "%s/t%d.db", tmpdir, ++dbcount);
	return path;
}

static inline struct store *open_new(char *path, size_t n)
{
	struct store *s = NULL;
	assert_int_equal(store_open(fixture_path(path, n), STORE_CREATE, &s), DP_OK);
	assert_non_null(s);
	return s;
}

static inline int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static inline int fixture_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline int fixture_setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int fixture_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, fixture_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
