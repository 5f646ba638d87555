/* boxes.c — the site's editor-managed boxes in the SQLite backend (store.h,
 * "boxes"); statement slots 224..255 of internal.h. The table is migration
 * 8's (migrations.c).
 *
 * Order: positions run 1..n within each place. Every write that can leave
 * a gap or a tie renumbers the places it touched in one UPDATE (row_number()
 * over position, then id), inside the same write bracket, so a row someone
 * changed by hand is put back in line by the next write instead of
 * breaking the order for good. A new box, and a box moved to another
 * place, go last there; store_box_move() swaps neighbours.
 *
 * Every write records the change note "boxes" (sq_change_note), which makes
 * a running server drop its page cache (http/watch.c).
 *
 * What is stored is checked here too, whoever calls: kind [a-z]{1,
 * BOX_KIND_MAX}, a known place, well-formed UTF-8 without control
 * characters (the body may hold line breaks and tabs), bounded lengths, and
 * links that are http(s):// or a path of this site ("/x", never "//x"), so
 * no javascript: or data: URL reaches a page whatever wrote the row. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/sqlite/internal.h"
#include "util/array.h"
#include "util/err.h"
#include "util/utf8.h"

#define SLOT0 224

/* Bytes of each field: room for the admin's limits in characters
 * (admin_boxes.c) at up to four bytes each. */
#define TITLE_MAX 800
#define BODY_MAX 8000
#define URL_MAX 2000
#define LINK_TEXT_MAX 400
#define ALT_MAX 1200
#define AUTHOR_MAX 800
/* Boxes a site may have in all: every public page renders the visible ones. */
#define BOXES_MAX 100

enum {
	B_GET,
	B_LIST_ALL,
	B_LIST_VISIBLE,
	B_COUNT,
	B_LAST,
	B_STATE,
	B_INSERT,
	B_UPDATE,
	B_RENUMBER,
	B_AT,
	B_SWAP,
	B_DELETE,
	B__MAX
};
_Static_assert(B__MAX <= 32, "boxes.c owns statement slots 224..255");
_Static_assert(SLOT0 + 32 <= SQ_XSLOTS, "internal.h has room for slots 224..255");

/* The columns read_box() reads, in its order. */
#define COLS                                                                        \
	"id, kind, place, position, visible, created_at, updated_at, title, body,"  \
	" link_url, link_text, image_url, image_alt, author"

static const char *const sql[B__MAX] = {
	[B_GET] = "SELECT " COLS " FROM boxes WHERE id = ?1",
	/* Both walk boxes_order. */
	[B_LIST_ALL] = "SELECT " COLS " FROM boxes ORDER BY place, position, id",
	[B_LIST_VISIBLE] = "SELECT " COLS " FROM boxes WHERE visible = 1"
			   " ORDER BY place, position, id",
	[B_COUNT] = "SELECT count(*) FROM boxes",
	[B_LAST] = "SELECT coalesce(max(position), 0) FROM boxes WHERE place = ?1",
	[B_STATE] = "SELECT place, position, created_at FROM boxes WHERE id = ?1",
	[B_INSERT] = "INSERT INTO boxes (kind, place, position, visible, title, body, link_url,"
		     " link_text, image_url, image_alt, author, created_at, updated_at)"
		     " VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"
		     " RETURNING id",
	[B_UPDATE] = "UPDATE boxes SET kind = ?2, place = ?3, position = ?4, visible = ?5,"
		     " title = ?6, body = ?7, link_url = ?8, link_text = ?9, image_url = ?10,"
		     " image_alt = ?11, author = ?12, updated_at = ?13 WHERE id = ?1",
	/* Positions 1..n in place ?1, keeping the order (ties by id); rows
	 * already in place are not written. */
	[B_RENUMBER] = "UPDATE boxes SET position = r.n FROM (SELECT id, row_number()"
		       "  OVER (ORDER BY position, id) AS n FROM boxes WHERE place = ?1) AS r"
		       " WHERE boxes.id = r.id AND boxes.position <> r.n",
	[B_AT] = "SELECT id FROM boxes WHERE place = ?1 AND position = ?2",
	/* ?1 takes position ?3, ?2 position ?4. */
	[B_SWAP] = "UPDATE boxes SET position = CASE id WHEN ?1 THEN ?3 ELSE ?4 END,"
		   " updated_at = ?5 WHERE id IN (?1, ?2)",
	[B_DELETE] = "DELETE FROM boxes WHERE id = ?1 RETURNING place",
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

/* ---- checks ---- */

static bool kind_valid(const char *k)
{
	size_t n = 0;
	if (!k)
		return false;
	for (; k[n]; n++)
		if (k[n] < 'a' || k[n] > 'z')
			return false;
	return n >= 1 && n <= BOX_KIND_MAX;
}

/* NULL counts as "". allowed: the control characters the field may hold. */
static bool text_valid(const char *s, size_t max, const char *allowed)
{
	size_t n = s ? strlen(s) : 0;
	return n <= max && (!n || (utf8_valid(s, n) && !utf8_has_control(s, allowed)));
}

/* "" (none), http(s)://… or a path of this site: "/" not followed by "/"
 * or "\" (which browsers read as "//", another host). No white space,
 * no backslash anywhere. */
static bool url_valid(const char *u)
{
	if (!u || !*u)
		return true;
	if (!text_valid(u, URL_MAX, ""))
		return false;
	for (const char *p = u; *p; p++)
		if (*p == ' ' || *p == '\\')
			return false;
	if (u[0] == '/')
		return u[1] != '/';
	if (strncasecmp(u, "https://", 8) == 0)
		return u[8] != '\0' && u[8] != '/';
	if (strncasecmp(u, "http://", 7) == 0)
		return u[7] != '\0' && u[7] != '/';
	return false;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

static bool box_valid(const struct box *b)
{
	if (!kind_valid(b->kind) || (unsigned)b->place >= BOX_PLACE__MAX)
		return false;
	if (!text_valid(b->title, TITLE_MAX, "") || !text_valid(b->body, BODY_MAX, "\t\r\n") ||
	    !text_valid(b->link_text, LINK_TEXT_MAX, "") || !text_valid(b->image_alt, ALT_MAX, "") ||
	    !text_valid(b->author, AUTHOR_MAX, ""))
		return false;
	if (!url_valid(b->link_url) || !url_valid(b->image_url))
		return false;
	/* A cover must say what it shows. */
	return !(b->image_url && *b->image_url && blank(b->image_alt));
}

/* ---- reading ---- */

/* Fills b (zeroed by the caller) from a row of COLS. */
static int read_box(sqlite3_stmt *st, struct box *b)
{
	int64_t place = sqlite3_column_int64(st, 2);
	int rc;
	b->id = sqlite3_column_int64(st, 0);
	/* The table's CHECK keeps place in 0..2. */
	b->place = place >= 0 && place < BOX_PLACE__MAX ? (enum box_place)place : BOX_SIDEBAR;
	b->position = sqlite3_column_int(st, 3);
	b->visible = sqlite3_column_int64(st, 4) != 0;
	b->created_at = sqlite3_column_int64(st, 5);
	b->updated_at = sqlite3_column_int64(st, 6);
	if ((rc = sq_col_dup(st, 1, &b->kind)) || (rc = sq_col_dup(st, 7, &b->title)) ||
	    (rc = sq_col_dup(st, 8, &b->body)) || (rc = sq_col_dup(st, 9, &b->link_url)) ||
	    (rc = sq_col_dup(st, 10, &b->link_text)) || (rc = sq_col_dup(st, 11, &b->image_url)) ||
	    (rc = sq_col_dup(st, 12, &b->image_alt)) || (rc = sq_col_dup(st, 13, &b->author)))
		return rc;
	return DP_OK;
}

int store_box_get(struct store *s, int64_t id, struct box *ret)
{
	sqlite3_stmt *st;
	bool row = false;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, B_GET, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row))) {
		if (row)
			rc = read_box(st, ret);
		else
			rc = DP_ENOTFOUND;
	}
	done(st);
	if (rc)
		box_release(ret);
	return rc;
}

int store_boxes(struct store *s, bool all, struct box **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	struct box *list = NULL;
	size_t n = 0, cap = 0;
	bool row;
	int rc;
	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, all ? B_LIST_ALL : B_LIST_VISIBLE, &st)))
		return rc;
	while (!(rc = sq_step(st, &row)) && row) {
		if ((rc = array_reserve(&list, &cap, n + 1,
						 sizeof *list)))
			break;
		memset(&list[n], 0, sizeof list[n]);
		rc = read_box(st, &list[n]);
		n++;
		if (rc)
			break;
	}
	done(st);
	if (rc) {
		boxes_free(list, n);
		return rc;
	}
	*ret = list;
	*ret_n = n;
	return DP_OK;
}

/* ---- writing (inside the write bracket) ---- */

/* A one-integer query with up to two integer arguments; *ret 0 without a row. */
static int scalar(struct store *s, unsigned o, int64_t a, int64_t b, int nargs, int64_t *ret,
		  bool *ret_row)
{
	sqlite3_stmt *st;
	bool row = false;
	int rc = use(s, o, &st);
	*ret = 0;
	if (rc)
		return rc;
	if (nargs >= 1)
		rc = sq_bind_i64(st, 1, a);
	if (!rc && nargs >= 2)
		rc = sq_bind_i64(st, 2, b);
	if (!rc && !(rc = sq_step(st, &row)) && row)
		*ret = sqlite3_column_int64(st, 0);
	done(st);
	if (ret_row)
		*ret_row = row;
	return rc;
}

static int renumber(struct store *s, enum box_place place)
{
	sqlite3_stmt *st;
	int rc = use(s, B_RENUMBER, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, place)))
		rc = sq_step(st, NULL);
	done(st);
	return rc;
}

/* The stored place, position and creation time of box id. */
static int box_state(struct store *s, int64_t id, enum box_place *ret_place, int *ret_pos,
		     int64_t *ret_created)
{
	sqlite3_stmt *st;
	bool row = false;
	int rc = use(s, B_STATE, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row))) {
		if (!row) {
			rc = DP_ENOTFOUND;
		} else {
			int64_t p = sqlite3_column_int64(st, 0);
			*ret_place = p >= 0 && p < BOX_PLACE__MAX ? (enum box_place)p : BOX_SIDEBAR;
			*ret_pos = sqlite3_column_int(st, 1);
			if (ret_created)
				*ret_created = sqlite3_column_int64(st, 2);
		}
	}
	done(st);
	return rc;
}

/* Binds ?2..?13 of B_INSERT and B_UPDATE. */
static int bind_fields(sqlite3_stmt *st, const struct box *b, int position, int64_t now)
{
	const char *text[] = { b->title, b->body, b->link_url, b->link_text, b->image_url,
			       b->image_alt, b->author };
	int rc;
	if ((rc = sq_bind_text(st, 2, b->kind)) || (rc = sq_bind_i64(st, 3, b->place)) ||
	    (rc = sq_bind_i64(st, 4, position)) || (rc = sq_bind_i64(st, 5, b->visible ? 1 : 0)))
		return rc;
	for (int i = 0; i < 7; i++)
		if ((rc = sq_bind_text(st, 6 + i, text[i] ? text[i] : "")))
			return rc;
	return sq_bind_i64(st, 13, now);
}

/* The write of store_box_save(); fills *ret_pos and *ret_created. */
static int save(struct store *s, const struct box *b, int64_t now, int64_t *ret_id, int *ret_pos,
		int64_t *ret_created)
{
	sqlite3_stmt *st;
	enum box_place old_place = b->place;
	int64_t last = 0, id = b->id;
	bool row = false;
	int rc;

	if (id) {
		if ((rc = box_state(s, id, &old_place, ret_pos, ret_created)))
			return rc;
	} else {
		int64_t count = 0;
		if ((rc = scalar(s, B_COUNT, 0, 0, 0, &count, NULL)))
			return rc;
		if (count >= BOXES_MAX)
			return DP_ETOOBIG;
		*ret_created = now;
	}
	/* New here: last in the place. */
	if (!id || old_place != b->place) {
		if ((rc = scalar(s, B_LAST, b->place, 0, 1, &last, NULL)))
			return rc;
		*ret_pos = last >= 0 && last < BOXES_MAX * 4 ? (int)last + 1 : BOXES_MAX * 4;
	}
	if ((rc = use(s, id ? B_UPDATE : B_INSERT, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = bind_fields(st, b, *ret_pos, now)) &&
	    !(rc = sq_step(st, &row)) && !id)
		id = row ? sqlite3_column_int64(st, 0) : 0;
	done(st);
	if (rc)
		return rc;
	if (!id)
		return DP_EDB;
	if (old_place != b->place && (rc = renumber(s, old_place)))
		return rc;
	if ((rc = renumber(s, b->place)))
		return rc;
	/* Renumbering may have moved this box too (a hand-made tie). */
	if ((rc = box_state(s, id, &old_place, ret_pos, NULL)))
		return rc;
	*ret_id = id;
	return sq_change_note(s, "boxes", now);
}

int store_box_save(struct store *s, struct box *b, int64_t now)
{
	int64_t id = 0, created = 0;
	int pos = 0;
	bool own;
	int rc;
	if (!s || !b || b->id < 0)
		return DP_EINVAL;
	if (!box_valid(b))
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	rc = save(s, b, now, &id, &pos, &created);
	rc = sq_write_end(s, own, rc);
	if (rc)
		return rc;
	b->id = id;
	b->position = pos;
	b->created_at = created;
	b->updated_at = now;
	return DP_OK;
}

static int move(struct store *s, int64_t id, int delta, int64_t now, bool *ret_moved)
{
	sqlite3_stmt *st;
	enum box_place place;
	int pos = 0;
	int64_t other = 0;
	bool row = false;
	int rc;
	/* Close any gap first, so "the neighbour" is the next position. */
	if ((rc = box_state(s, id, &place, &pos, NULL)) || (rc = renumber(s, place)) ||
	    (rc = box_state(s, id, &place, &pos, NULL)))
		return rc;
	if ((rc = scalar(s, B_AT, place, (int64_t)pos + delta, 2, &other, &row)))
		return rc;
	if (!row)
		return DP_OK; /* first or last already: nothing changes */
	*ret_moved = true;
	if ((rc = use(s, B_SWAP, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, other)) &&
	    !(rc = sq_bind_i64(st, 3, (int64_t)pos + delta)) && !(rc = sq_bind_i64(st, 4, pos)) &&
	    !(rc = sq_bind_i64(st, 5, now)))
		rc = sq_step(st, NULL);
	done(st);
	if (rc)
		return rc;
	return sq_change_note(s, "boxes", now);
}

int store_box_move(struct store *s, int64_t id, int delta, int64_t now, bool *ret_moved)
{
	bool own, moved = false;
	int rc;
	if (ret_moved)
		*ret_moved = false;
	if (!s || id <= 0 || (delta != -1 && delta != 1))
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	rc = move(s, id, delta, now, &moved);
	rc = sq_write_end(s, own, rc);
	if (!rc && ret_moved)
		*ret_moved = moved;
	return rc;
}

static int delete(struct store *s, int64_t id, int64_t now)
{
	int64_t place = 0;
	bool row = false;
	int rc = scalar(s, B_DELETE, id, 0, 1, &place, &row);
	if (rc)
		return rc;
	if (!row)
		return DP_ENOTFOUND;
	if (place >= 0 && place < BOX_PLACE__MAX && (rc = renumber(s, (enum box_place)place)))
		return rc;
	return sq_change_note(s, "boxes", now);
}

int store_box_delete(struct store *s, int64_t id)
{
	bool own;
	int rc;
	if (!s || id <= 0)
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	/* The contract gives no clock: the note takes the wall clock's time,
	 * which only dates the change (the watcher goes by the note's id). */
	rc = delete(s, id, (int64_t)time(NULL));
	return sq_write_end(s, own, rc);
}
