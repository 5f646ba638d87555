/* job_test.c — unit tests of job listings: the SQLite store (save, update,
 * slug clash, the filters of lists, visibility in time, order, expire,
 * delete, the next expiry, the locations, the change note) and
 * job_input.h's checked input (dates in the site's zone, every refusal,
 * slugs, the Markdown description without raw HTML).
 *
 * Every test works on its own database file in one mkdtemp() folder; a raw
 * SQLite connection counts rows the store cannot show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/test_fixture.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site/site.h"
#include "store/job_input.h"
#include "store/store.h"
#include "util/err.h"

/* A fixed "now"; times in the tests count from it. */
#define T0 ((int64_t)1800000000)
#define HOUR ((int64_t)3600)
#define DAY (24 * HOUR)

static int64_t notes(const char *path)
{
	return raw_int(path,
		       "SELECT count(*) FROM changes WHERE article_id = 0 AND terms = 'jobs'");
}

/* Saves a job made of the arguments; returns its id. */
static int64_t add(struct store *s, const char *slug, const char *location, bool remote,
		   enum job_type type, int64_t posted, int64_t valid)
{
	struct job j = {
		.slug = (char *)slug,
		.title = (char *)"Redakteurin (m/w/d)",
		.employer = (char *)"Der Testbote",
		.location = (char *)location,
		.remote = remote,
		.type = type,
		.apply_url = (char *)"https://example.org/bewerben",
		.description_md = (char *)"Wir suchen **Sie**.",
		.description_html = (char *)"<p>Wir suchen <strong>Sie</strong>.</p>\n",
		.posted_at = posted,
		.valid_through = valid,
	};
	assert_int_equal(store_job_save(s, &j, T0), DP_OK);
	assert_true(j.id > 0);
	return j.id;
}

static int setup(void **state)
{
	(void)state;
	/* job_time_parse reads dates in the process's zone, as the CLI and
	 * the server set it from the site. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	return fixture_setup(state);
}

/* ---- the store ---- */

static void test_types(void **state)
{
	(void)state;
	static const struct { const char *name, *schema; } want[JOB_TYPE__MAX] = {
		{ "full-time", "FULL_TIME" },
		{ "part-time", "PART_TIME" },
		{ "contract", "CONTRACTOR" },
		{ "internship", "INTERN" },
	};
	for (int i = 0; i < JOB_TYPE__MAX; i++) {
		enum job_type t = JOB_TYPE__MAX;
		assert_string_equal(job_type_name((enum job_type)i), want[i].name);
		assert_string_equal(job_type_schema((enum job_type)i), want[i].schema);
		assert_int_equal(job_type_parse(want[i].name, &t), DP_OK);
		assert_int_equal(t, i);
	}
	enum job_type t;
	assert_int_equal(job_type_parse("Full-Time", &t), DP_EINVAL);
	assert_int_equal(job_type_parse("", &t), DP_EINVAL);
	assert_int_equal(job_type_parse(NULL, &t), DP_EINVAL);
	assert_string_equal(job_type_name(JOB_TYPE__MAX), "?");
}

static void test_save_get_update(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t before = notes(path);
	int64_t id = add(s, "redakteurin-testbote", "Berlin", false, JOB_PART_TIME, T0 - DAY,
			 T0 + 30 * DAY);
	assert_int_equal(notes(path), before + 1);

	struct job j;
	assert_int_equal(store_job_get(s, id, &j), DP_OK);
	assert_string_equal(j.slug, "redakteurin-testbote");
	assert_string_equal(j.title, "Redakteurin (m/w/d)");
	assert_string_equal(j.employer, "Der Testbote");
	assert_string_equal(j.location, "Berlin");
	assert_false(j.remote);
	assert_int_equal(j.type, JOB_PART_TIME);
	assert_string_equal(j.apply_url, "https://example.org/bewerben");
	assert_string_equal(j.description_md, "Wir suchen **Sie**.");
	assert_string_equal(j.description_html, "<p>Wir suchen <strong>Sie</strong>.</p>\n");
	assert_int_equal(j.posted_at, T0 - DAY);
	assert_int_equal(j.valid_through, T0 + 30 * DAY);
	assert_int_equal(j.created_at, T0);
	assert_int_equal(j.updated_at, T0);

	/* Update: everything changes but created_at. */
	free(j.title);
	j.title = strdup("Chefin vom Dienst");
	free(j.location);
	j.location = strdup("");
	j.remote = true;
	j.type = JOB_CONTRACT;
	assert_int_equal(store_job_save(s, &j, T0 + HOUR), DP_OK);
	assert_int_equal(j.id, id);
	assert_int_equal(j.created_at, T0);
	assert_int_equal(j.updated_at, T0 + HOUR);
	assert_int_equal(notes(path), before + 2);
	job_release(&j);

	assert_int_equal(store_job_by_slug(s, "redakteurin-testbote", &j), DP_OK);
	assert_int_equal(j.id, id);
	assert_string_equal(j.title, "Chefin vom Dienst");
	assert_string_equal(j.location, "");
	assert_true(j.remote);
	assert_int_equal(j.type, JOB_CONTRACT);
	assert_int_equal(j.created_at, T0);
	assert_int_equal(j.updated_at, T0 + HOUR);
	job_release(&j);

	assert_int_equal(store_job_get(s, id + 100, &j), DP_ENOTFOUND);
	assert_int_equal(store_job_by_slug(s, "gibt-es-nicht", &j), DP_ENOTFOUND);
	/* An update of a job that is gone writes nothing. */
	struct job gone = { .id = id + 100, .slug = (char *)"weg", .title = (char *)"t",
			    .employer = (char *)"e", .apply_url = (char *)"https://x.example/",
			    .valid_through = T0 + DAY };
	int64_t n = notes(path);
	assert_int_equal(store_job_save(s, &gone, T0), DP_ENOTFOUND);
	assert_int_equal(notes(path), n);
	store_close(s);
}

static void test_slug_clash_and_bad_input(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t a = add(s, "eins", "Berlin", false, JOB_FULL_TIME, T0, T0 + DAY);
	int64_t b = add(s, "zwei", "Berlin", false, JOB_FULL_TIME, T0, T0 + DAY);
	int64_t n = notes(path);

	struct job j = { .slug = (char *)"eins", .title = (char *)"t", .employer = (char *)"e",
			 .location = (char *)"", .apply_url = (char *)"https://x.example/",
			 .posted_at = T0, .valid_through = T0 + DAY };
	assert_int_equal(store_job_save(s, &j, T0), DP_EEXISTS);
	assert_int_equal(j.id, 0);
	/* Renaming b to a's slug clashes too; b keeps its own. */
	struct job jb;
	assert_int_equal(store_job_get(s, b, &jb), DP_OK);
	free(jb.slug);
	jb.slug = strdup("eins");
	assert_int_equal(store_job_save(s, &jb, T0), DP_EEXISTS);
	job_release(&jb);
	assert_int_equal(store_job_get(s, b, &jb), DP_OK);
	assert_string_equal(jb.slug, "zwei");
	job_release(&jb);
	assert_int_equal(notes(path), n);

	/* Required parts. */
	j.slug = (char *)"";
	assert_int_equal(store_job_save(s, &j, T0), DP_EINVAL);
	j.slug = (char *)"drei";
	j.valid_through = 0;
	assert_int_equal(store_job_save(s, &j, T0), DP_EINVAL);
	j.valid_through = T0 + DAY;
	j.type = JOB_TYPE__MAX;
	assert_int_equal(store_job_save(s, &j, T0), DP_EINVAL);
	j.type = JOB_FULL_TIME;
	j.title = NULL;
	assert_int_equal(store_job_save(s, &j, T0), DP_EINVAL);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM jobs"), 2);
	assert_int_equal(notes(path), n);
	(void)a;
	store_close(s);
}

/* The slugs of a list, joined by spaces. */
static void slugs(struct store *s, const struct job_query *q, char *out, size_t len,
		  size_t *ret_total)
{
	struct job *l = NULL;
	size_t n = 0;
	assert_int_equal(store_jobs(s, q, &l, &n, ret_total), DP_OK);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		assert_null(l[i].description_md);
		assert_null(l[i].description_html);
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", i ? " " : "", l[i].slug);
	}
	jobs_free(l, n);
}

static void test_lists(void **state)
{
	(void)state;
	char path[256], got[512];
	size_t total = 99;
	struct store *s = open_new(path, sizeof path);
	add(s, "berlin-voll", "Berlin", false, JOB_FULL_TIME, T0 - 5 * DAY, T0 + 10 * DAY);
	add(s, "muenchen-teil", "München", true, JOB_PART_TIME, T0 - 4 * DAY, T0 + 10 * DAY);
	add(s, "berlin-klein", "berlin", false, JOB_INTERNSHIP, T0 - 3 * DAY, T0 + 10 * DAY);
	add(s, "nur-remote", "", true, JOB_CONTRACT, T0 - 2 * DAY, T0 + 10 * DAY);
	add(s, "abgelaufen", "Berlin", false, JOB_FULL_TIME, T0 - 9 * DAY, T0 - DAY);
	add(s, "geht-gerade", "Berlin", false, JOB_FULL_TIME, T0 - 9 * DAY, T0);
	add(s, "kommt-noch", "Berlin", true, JOB_FULL_TIME, T0 + DAY, T0 + 10 * DAY);
	/* Same posting time as berlin-voll, later id: first among equals. */
	add(s, "berlin-gleich", "Berlin", false, JOB_FULL_TIME, T0 - 5 * DAY, T0 + 10 * DAY);

	struct job_query q = { .now = T0, .type = -1 };
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "nur-remote berlin-klein muenchen-teil berlin-gleich berlin-voll");
	assert_int_equal(total, 5);

	/* Location: exact, ignoring case; "" is any. */
	q.location = "BERLIN";
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "berlin-klein berlin-gleich berlin-voll");
	assert_int_equal(total, 3);
	q.location = "Berl";
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "");
	assert_int_equal(total, 0);
	q.location = "München";
	slugs(s, &q, got, sizeof got, NULL);
	assert_string_equal(got, "muenchen-teil");
	q.location = "";

	q.type = JOB_INTERNSHIP;
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "berlin-klein");
	assert_int_equal(total, 1);
	q.type = -1;

	q.remote_only = true;
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "nur-remote muenchen-teil");
	assert_int_equal(total, 2);
	q.location = "münchen";
	q.type = JOB_PART_TIME;
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "muenchen-teil");
	q.type = JOB_FULL_TIME;
	slugs(s, &q, got, sizeof got, &total);
	assert_string_equal(got, "");
	assert_int_equal(total, 0);

	/* The admin and the CLI see everything, scheduled and expired too. */
	struct job_query all = { .now = T0, .type = -1, .include_expired = true };
	slugs(s, &all, got, sizeof got, &total);
	assert_string_equal(got, "kommt-noch nur-remote berlin-klein muenchen-teil berlin-gleich"
				 " berlin-voll geht-gerade abgelaufen");
	assert_int_equal(total, 8);

	/* Pages: limit and offset; the total counts every match. */
	struct job_query pg = { .now = T0, .type = -1, .limit = 2, .offset = 2 };
	slugs(s, &pg, got, sizeof got, &total);
	assert_string_equal(got, "muenchen-teil berlin-gleich");
	assert_int_equal(total, 5);
	pg.offset = 4;
	slugs(s, &pg, got, sizeof got, &total);
	assert_string_equal(got, "berlin-voll");

	/* Later, the scheduled one is there and more have left. */
	struct job_query later = { .now = T0 + DAY, .type = -1 };
	slugs(s, &later, got, sizeof got, &total);
	assert_string_equal(got, "kommt-noch nur-remote berlin-klein muenchen-teil berlin-gleich"
				 " berlin-voll");
	/* valid_through is exclusive: at T0 "geht-gerade" is gone, a second
	 * before it was there. */
	struct job_query just = { .now = T0 - 1, .type = -1, .location = "berlin" };
	slugs(s, &just, got, sizeof got, &total);
	assert_string_equal(got, "berlin-klein berlin-gleich berlin-voll geht-gerade");

	struct job *l = NULL;
	size_t n = 0;
	struct job_query bad = { .now = T0, .type = JOB_TYPE__MAX };
	assert_int_equal(store_jobs(s, &bad, &l, &n, NULL), DP_EINVAL);
	assert_null(l);
	store_close(s);
}

static void test_locations(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	char **locs = NULL;
	size_t n = 9;
	assert_int_equal(store_job_locations(s, T0, &locs, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_null(locs);

	add(s, "a", "Zwickau", false, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "b", "Berlin", false, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "c", "berlin", false, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "d", "Öhringen", false, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "e", "", true, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "f", "Aachen", false, JOB_FULL_TIME, T0 - DAY, T0 + DAY);
	add(s, "g", "Kiel", false, JOB_FULL_TIME, T0 - 5 * DAY, T0 - DAY);   /* expired */
	add(s, "h", "Hamburg", false, JOB_FULL_TIME, T0 + DAY, T0 + 5 * DAY); /* ahead */
	assert_int_equal(store_job_locations(s, T0, &locs, &n), DP_OK);
	assert_int_equal(n, 4);
	assert_string_equal(locs[0], "Aachen");
	assert_true(strcmp(locs[1], "Berlin") == 0 || strcmp(locs[1], "berlin") == 0);
	assert_string_equal(locs[2], "Öhringen");
	assert_string_equal(locs[3], "Zwickau");
	for (size_t i = 0; i < n; i++)
		free(locs[i]);
	free(locs);
	store_close(s);
}

static void test_expire_delete_next(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t next = -1;
	assert_int_equal(store_job_next_expiry(s, T0, &next), DP_OK);
	assert_int_equal(next, 0);

	int64_t a = add(s, "a", "Berlin", false, JOB_FULL_TIME, T0 - DAY, T0 + 3 * DAY);
	int64_t b = add(s, "b", "Berlin", false, JOB_FULL_TIME, T0 - DAY, T0 + 2 * DAY);
	add(s, "old", "Berlin", false, JOB_FULL_TIME, T0 - 9 * DAY, T0 - DAY);
	assert_int_equal(store_job_next_expiry(s, T0, &next), DP_OK);
	assert_int_equal(next, T0 + 2 * DAY);
	/* A job posted ahead changes the lists when it appears. */
	int64_t c = add(s, "c", "Berlin", false, JOB_FULL_TIME, T0 + HOUR, T0 + 9 * DAY);
	assert_int_equal(store_job_next_expiry(s, T0, &next), DP_OK);
	assert_int_equal(next, T0 + HOUR);
	assert_int_equal(store_job_next_expiry(s, T0 + HOUR, &next), DP_OK);
	assert_int_equal(next, T0 + 2 * DAY);

	/* Expire: valid_through = now, the job leaves the public list. */
	int64_t n = notes(path);
	assert_int_equal(store_job_expire(s, b, T0), DP_OK);
	assert_int_equal(notes(path), n + 1);
	struct job j;
	assert_int_equal(store_job_get(s, b, &j), DP_OK);
	assert_int_equal(j.valid_through, T0);
	assert_int_equal(j.updated_at, T0);
	job_release(&j);
	struct job *l = NULL;
	size_t ln = 0;
	struct job_query q = { .now = T0, .type = -1 };
	assert_int_equal(store_jobs(s, &q, &l, &ln, NULL), DP_OK);
	assert_int_equal(ln, 1);
	assert_int_equal(l[0].id, a);
	jobs_free(l, ln);
	assert_int_equal(store_job_next_expiry(s, T0 + HOUR, &next), DP_OK);
	assert_int_equal(next, T0 + 3 * DAY);
	/* Expiring again later keeps the time it left. */
	assert_int_equal(store_job_expire(s, b, T0 + DAY), DP_OK);
	assert_int_equal(store_job_get(s, b, &j), DP_OK);
	assert_int_equal(j.valid_through, T0);
	job_release(&j);
	/* A job expired before it was posted never appears. */
	assert_int_equal(store_job_expire(s, c, T0), DP_OK);
	assert_int_equal(store_job_next_expiry(s, T0, &next), DP_OK);
	assert_int_equal(next, T0 + 3 * DAY);

	n = notes(path);
	assert_int_equal(store_job_expire(s, 9999, T0), DP_ENOTFOUND);
	assert_int_equal(store_job_delete(s, 9999), DP_ENOTFOUND);
	assert_int_equal(notes(path), n);
	assert_int_equal(store_job_delete(s, a), DP_OK);
	assert_int_equal(notes(path), n + 1);
	assert_int_equal(store_job_get(s, a, &j), DP_ENOTFOUND);
	assert_int_equal(store_job_delete(s, a), DP_ENOTFOUND);
	assert_int_equal(store_job_next_expiry(s, T0, &next), DP_OK);
	assert_int_equal(next, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM jobs"), 3);
	store_close(s);
}

/* The change note is in the write's transaction: a failed write leaves
 * none, one inside the caller's transaction goes with its rollback. */
static void test_note_in_transaction(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	int64_t n = notes(path);
	assert_int_equal(store_begin(s), DP_OK);
	add(s, "zurueck", "Berlin", false, JOB_FULL_TIME, T0, T0 + DAY);
	assert_int_equal(store_rollback(s), DP_OK);
	assert_int_equal(notes(path), n);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM jobs"), 0);
	store_close(s);
}

/* ---- job_input.h ---- */

static void test_time_parse(void **state)
{
	(void)state;
	int64_t t = 0;
	/* A day: through its end in the site's zone (Europe/Berlin here). */
	assert_int_equal(job_time_parse("2026-12-31", true, &t), DP_OK);
	assert_int_equal(t, 1798758000); /* 2027-01-01T00:00:00+01:00 */
	/* The day the clocks go forward has 23 hours. */
	assert_int_equal(job_time_parse("2026-03-29", true, &t), DP_OK);
	assert_int_equal(t, 1774821600); /* 2026-03-30T00:00:00+02:00 */
	/* Without end_of_day a day is its start. */
	assert_int_equal(job_time_parse("2026-12-31", false, &t), DP_OK);
	assert_int_equal(t, 1798758000 - DAY);
	/* Full times are taken as they are. */
	assert_int_equal(job_time_parse("2026-12-31T18:00:00Z", true, &t), DP_OK);
	assert_int_equal(t, 1798740000);
	assert_int_equal(job_time_parse("2026-12-31T19:00:00+01:00", true, &t), DP_OK);
	assert_int_equal(t, 1798740000);
	static const char *const bad[] = { "", "morgen", "2026-13-01", "2026-02-30", "31.12.2026",
					   "2026-12-31x", NULL };
	for (size_t i = 0; bad[i]; i++)
		assert_int_equal(job_time_parse(bad[i], true, &t), DP_EINVAL);

	char day[16];
	job_last_day(day, sizeof day, 1798758000);
	assert_string_equal(day, "2026-12-31");
	job_last_day(day, sizeof day, 1798740000);
	assert_string_equal(day, "2026-12-31");
}

static void test_checks(void **state)
{
	(void)state;
	static const char *const good_urls[] = {
		"https://example.org/jobs/1?ref=depesche#x", "http://example.org",
		"https://bücher.example/", "mailto:jobs@example.org",
		"mailto:jobs@example.org?subject=Bewerbung", "https://[2001:db8::1]:8443/x", NULL
	};
	static const char *const bad_urls[] = {
		"", "javascript:alert(1)", "ftp://example.org/", "https://", "https:///x",
		"https://user@example.org/", "https://exa mple.org/", "mailto:", "mailto:kein-at",
		"https://example.org/\"onmouseover=", "//example.org/", "data:text/html,x",
		"https://example.org/\n", NULL
	};
	for (size_t i = 0; good_urls[i]; i++)
		assert_true(job_url_valid(good_urls[i]));
	for (size_t i = 0; bad_urls[i]; i++)
		assert_false(job_url_valid(bad_urls[i]));
	char longurl[JOB_URL_MAX + 20];
	memset(longurl, 'a', sizeof longurl - 1);
	longurl[sizeof longurl - 1] = '\0';
	memcpy(longurl, "https://", 8);
	assert_false(job_url_valid(longurl));

	assert_true(job_slug_valid("redakteurin-m-w-d"));
	assert_true(job_slug_valid("a1"));
	static const char *const bad_slugs[] = { "", "-a", "a-", "Gross", "a_b", "feed", "page",
						 "a/b", "ä", NULL };
	for (size_t i = 0; bad_slugs[i]; i++)
		assert_false(job_slug_valid(bad_slugs[i]));
}

static struct site test_site = { .title = (char *)"Der Testbote", .lang = (char *)"de" };

/* job_apply on a fresh job; returns its rc and fills e. */
static int apply_new(struct store *s, const struct job_input *in, struct job *j,
		     struct job_error *e)
{
	memset(j, 0, sizeof *j);
	return job_apply(s, &test_site, j, in, T0, e);
}

static void test_apply_new(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct job j;
	struct job_error e;
	struct job_input in = {
		.title = "  Redakteurin (m/w/d) Lokales ",
		.employer = "Der Testbote",
		.location = " Görlitz",
		.remote = -1,
		.apply_url = " https://example.org/bewerben ",
		.valid_through = "2027-01-31",
		.description = "## Aufgaben\n\nSie *schreiben*.\n\n<script>alert(1)</script>\n"
			       "<b onclick=\"x\">fett</b>",
	};
	assert_int_equal(apply_new(s, &in, &j, &e), DP_OK);
	assert_true(j.id > 0);
	assert_string_equal(j.slug, "redakteurin-m-w-d-lokales-der-testbote");
	assert_string_equal(j.title, "Redakteurin (m/w/d) Lokales");
	assert_string_equal(j.location, "Görlitz");
	assert_string_equal(j.apply_url, "https://example.org/bewerben");
	assert_false(j.remote);
	assert_int_equal(j.type, JOB_FULL_TIME);
	assert_int_equal(j.posted_at, T0);
	int64_t end;
	assert_int_equal(job_time_parse("2027-01-31", true, &end), DP_OK);
	assert_int_equal(j.valid_through, end);
	/* The Markdown is rendered; raw HTML never survives. */
	assert_non_null(strstr(j.description_html, "<em>schreiben</em>"));
	assert_null(strstr(j.description_html, "<script"));
	assert_null(strstr(j.description_html, "onclick"));
	assert_null(strstr(j.description_html, "<b"));
	assert_string_equal(j.description_md, in.description);
	job_release(&j);

	/* The same title and employer again: numbered. */
	assert_int_equal(apply_new(s, &in, &j, &e), DP_OK);
	assert_string_equal(j.slug, "redakteurin-m-w-d-lokales-der-testbote-2");
	job_release(&j);

	/* Remote without a place; a type; a posting time; a slug of one's own. */
	struct job_input r = {
		.title = "Entwickler", .employer = "Depesche", .location = "", .remote = 1,
		.type = "contract", .apply_url = "mailto:jobs@example.org",
		.valid_through = "2027-02-01T12:00:00Z", .posted = "2026-12-01T08:00:00Z",
		.slug = "entwickler-remote",
	};
	assert_int_equal(apply_new(s, &r, &j, &e), DP_OK);
	assert_string_equal(j.slug, "entwickler-remote");
	assert_true(j.remote);
	assert_int_equal(j.type, JOB_CONTRACT);
	assert_string_equal(j.location, "");
	assert_string_equal(j.description_md, "");
	assert_int_equal(j.valid_through, 1801483200);
	job_release(&j);
	/* The slug is taken now. */
	assert_int_equal(apply_new(s, &r, &j, &e), DP_EEXISTS);
	assert_string_equal(e.code, "slug_taken");
	assert_string_equal(e.field, "slug");
	job_release(&j);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM jobs"), 3);
	store_close(s);
}

static void test_apply_refusals(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	static char longtitle[2 * (JOB_TITLE_MAX + 1) + 1];
	for (size_t i = 0; i < JOB_TITLE_MAX + 1; i++)
		memcpy(longtitle + 2 * i, "ä", 2);
	static char longdesc[JOB_DESCRIPTION_MAX + 2];
	memset(longdesc, 'x', sizeof longdesc - 1);
	const struct job_input base = {
		.title = "Volontariat", .employer = "Der Testbote", .location = "Kiel",
		.remote = -1, .apply_url = "https://example.org/", .valid_through = "2027-01-31",
	};
	struct {
		const char *what;
		struct job_input in;
		const char *code, *field;
	} cases[] = {
		{ "no title", { .employer = "E", .location = "K", .remote = -1,
				.apply_url = "https://x.example/",
				.valid_through = "2027-01-31" },
		  "title_missing", "title" },
		{ "blank title", { .title = "  ", .employer = "E", .location = "K", .remote = -1,
				   .apply_url = "https://x.example/",
				   .valid_through = "2027-01-31" },
		  "title_missing", "title" },
		{ "no employer", { .title = "T", .location = "K", .remote = -1,
				   .apply_url = "https://x.example/", .valid_through = "2027-01-31" },
		  "employer_missing", "employer" },
		{ "no url", { .title = "T", .employer = "E", .location = "K", .remote = -1,
			      .valid_through = "2027-01-31" }, "url_missing", "apply_url" },
		{ "no valid-through", { .title = "T", .employer = "E", .location = "K",
					.remote = -1, .apply_url = "https://x.example/" },
		  "valid_missing", "valid_through" },
	};
	struct job j;
	struct job_error e;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(apply_new(s, &cases[i].in, &j, &e), DP_EINVAL);
		assert_string_equal(e.code, cases[i].code);
		assert_string_equal(e.field, cases[i].field);
		assert_true(strlen(e.message) > 10);
		job_release(&j);
	}

	struct mod {
		const char *code, *field;
		struct job_input in;
	} mods[16];
	size_t nm = 0;
#define MOD(c, f, ...) do { mods[nm].code = c; mods[nm].field = f; mods[nm].in = base; \
		struct job_input *p = &mods[nm].in; __VA_ARGS__; nm++; } while (0)
	MOD("title_long", "title", p->title = longtitle);
	MOD("title_bad", "title", p->title = "Zeile\neins");
	MOD("title_bad", "title", p->title = "kaputt \xC3");
	MOD("employer_bad", "employer", p->employer = "Tab\tstopp");
	MOD("location_missing", "location", p->location = " ");
	MOD("location_missing", "location", p->location = NULL);
	MOD("type_bad", "type", p->type = "vollzeit");
	MOD("url_bad", "apply_url", p->apply_url = "javascript:alert(1)");
	MOD("valid_bad", "valid_through", p->valid_through = "31.12.2027");
	MOD("valid_past", "valid_through", p->valid_through = "2026-01-01");
	MOD("valid_order", "valid_through", p->posted = "2027-03-01");
	MOD("posted_bad", "posted", p->posted = "gestern");
	MOD("slug_bad", "slug", p->slug = "Mit Leerzeichen");
	MOD("slug_bad", "slug", p->slug = "feed");
	MOD("description_long", "description", p->description = longdesc);
	MOD("description_bad", "description", p->description = "nul\x01");
#undef MOD
	for (size_t i = 0; i < nm; i++) {
		assert_int_equal(apply_new(s, &mods[i].in, &j, &e), DP_EINVAL);
		assert_string_equal(e.code, mods[i].code);
		assert_string_equal(e.field, mods[i].field);
		job_release(&j);
	}
	assert_int_equal(raw_int(path, "SELECT count(*) FROM jobs"), 0);
	assert_int_equal(notes(path), 0);
	/* The base itself is fine. */
	assert_int_equal(apply_new(s, &base, &j, &e), DP_OK);
	job_release(&j);
	store_close(s);
}

static void test_apply_edit(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct job j;
	struct job_error e;
	struct job_input in = {
		.title = "Fotograf", .employer = "Der Testbote", .location = "Kiel", .remote = -1,
		.type = "part-time", .apply_url = "https://example.org/",
		.valid_through = "2027-01-31",
		.description = "Kamera *mitbringen*.",
	};
	assert_int_equal(apply_new(s, &in, &j, &e), DP_OK);
	int64_t id = j.id, valid = j.valid_through;
	char *slug = strdup(j.slug);

	/* Only the title: the slug, the dates and the description stay. */
	struct job_input ed = JOB_INPUT_INIT;
	ed.title = "Fotografin";
	assert_int_equal(job_apply(s, &test_site, &j, &ed, T0 + HOUR, &e), DP_OK);
	job_release(&j);
	assert_int_equal(store_job_get(s, id, &j), DP_OK);
	assert_string_equal(j.title, "Fotografin");
	assert_string_equal(j.slug, slug);
	assert_int_equal(j.valid_through, valid);
	assert_int_equal(j.posted_at, T0);
	assert_int_equal(j.type, JOB_PART_TIME);
	assert_string_equal(j.description_md, "Kamera *mitbringen*.");
	assert_int_equal(j.updated_at, T0 + HOUR);

	/* Remote on, location cleared: allowed together, refused alone. */
	struct job_input nowhere = JOB_INPUT_INIT;
	nowhere.location = "";
	assert_int_equal(job_apply(s, &test_site, &j, &nowhere, T0 + HOUR, &e), DP_EINVAL);
	assert_string_equal(e.code, "location_missing");
	job_release(&j);
	assert_int_equal(store_job_get(s, id, &j), DP_OK);
	nowhere.remote = 1;
	assert_int_equal(job_apply(s, &test_site, &j, &nowhere, T0 + HOUR, &e), DP_OK);
	job_release(&j);
	assert_int_equal(store_job_get(s, id, &j), DP_OK);
	assert_true(j.remote);
	assert_string_equal(j.location, "");

	/* A new description is rendered again; a slug of its own is taken. */
	struct job_input d = JOB_INPUT_INIT;
	d.description = "Neu: **fett**";
	d.slug = "fotografin-kiel";
	assert_int_equal(job_apply(s, &test_site, &j, &d, T0 + HOUR, &e), DP_OK);
	job_release(&j);
	assert_int_equal(store_job_get(s, id, &j), DP_OK);
	assert_string_equal(j.slug, "fotografin-kiel");
	assert_non_null(strstr(j.description_html, "<strong>fett</strong>"));
	/* An edit may move valid-through into the past (the job leaves). */
	struct job_input past = JOB_INPUT_INIT;
	past.valid_through = "2026-12-01T00:00:00Z";
	past.posted = "2026-11-01T00:00:00Z";
	assert_int_equal(job_apply(s, &test_site, &j, &past, T0 + HOUR, &e), DP_OK);
	job_release(&j);
	free(slug);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_save_get_update),
		cmocka_unit_test(test_slug_clash_and_bad_input),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_expire_delete_next),
		cmocka_unit_test(test_note_in_transaction),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_apply_new),
		cmocka_unit_test(test_apply_refusals),
		cmocka_unit_test(test_apply_edit),
	};
	return cmocka_run_group_tests(tests, setup, fixture_teardown);
}
