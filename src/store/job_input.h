/* job_input.h — creating and changing job listings, shared by the CLI
 * (`depesche job`) and the admin (/admin/jobs): every field checked, dates
 * read in the site's zone, the slug chosen from title and employer, the
 * Markdown description rendered (never with raw HTML), then one
 * store_job_save(). The job-listing counterpart of post/post.h for
 * articles; implemented in store/job.c beside the store's own helpers.
 *
 * Library code: a failure comes back as a code and a job_error (a stable
 * code a caller can translate, the field it concerns and an English
 * sentence); nothing is printed. */
#ifndef DEPESCHE_STORE_JOB_INPUT_H
#define DEPESCHE_STORE_JOB_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct site;

#define JOB_TITLE_MAX 200             /* characters */
#define JOB_EMPLOYER_MAX 200          /* characters */
#define JOB_LOCATION_MAX 100          /* characters */
#define JOB_URL_MAX 2000              /* bytes of the apply URL */
#define JOB_SLUG_MAX 120              /* bytes of a slug given by hand */
#define JOB_DESCRIPTION_MAX (64u << 10) /* bytes of Markdown */

/* What a user asks to set; NULL (remote: -1) leaves a field as it is on an
 * edit. A new job needs title, employer, apply_url and valid_through; the
 * others default: location "", remote 0, type full-time, posted now,
 * slug from title and employer, description empty. */
struct job_input {
	const char *title, *employer, *location;
	int remote;                  /* -1 unchanged, 0 on site, 1 remote possible */
	const char *type;            /* "full-time", "part-time", "contract", "internship" */
	const char *apply_url;       /* http(s)://… or mailto:… */
	const char *valid_through;   /* "2026-12-31" (through the end of that day in the
				      * site's zone) or a time as time_parse_iso() reads it */
	const char *posted;          /* a time as time_parse_iso() reads it; "" = now */
	const char *slug;            /* [a-z0-9-]; NULL: derived (new) or kept (edit) */
	const char *description;     /* Markdown */
};

#define JOB_INPUT_INIT { .remote = -1 }

/* Why an input was refused. code names the problem ("title_missing",
 * "url_bad", "slug_taken", …: the admin shows t["admin_job_err_" code]);
 * field is the input's name ("title", "employer", "location", "type",
 * "apply_url", "valid_through", "posted", "slug", "description") or "" for
 * none; message is an English sentence for the CLI. */
struct job_error {
	const char *code;
	const char *field;
	char message[256];
};

/* Applies in to *j (zeroed for a new job, or loaded with store_job_get)
 * and saves it at now. On success *j is the saved job. On failure returns
 * DP_EINVAL (bad input), DP_EEXISTS (the slug is taken) or a storage
 * error, fills *ret_err and leaves the database unchanged (*j may hold some
 * of the new values: reload it to show the stored job). */
int job_apply(struct store *st, const struct site *site, struct job *j,
	      const struct job_input *in, int64_t now, struct job_error *ret_err);

/* Reads a date or time as users type it: "2026-12-31" is the day and,
 * with end_of_day, means the first second after it (local time, the
 * process's zone: the CLI and the server set it from the site), so a job
 * "valid through 2026-12-31" is shown all that day; anything else as
 * time_parse_iso() reads it. DP_EINVAL when it is no date. */
int job_time_parse(const char *s, bool end_of_day, int64_t *ret);

/* The local date (YYYY-MM-DD, out needs 11 bytes) of the last second a job
 * valid until valid_through is shown: the day job_time_parse(…, true, …)
 * turns back into valid_through when it is a day's end. */
void job_last_day(char *out, size_t len, int64_t valid_through);

/* True when slug can name a job: [a-z0-9-], no '-' at either end, at most
 * JOB_SLUG_MAX bytes, and not a word /jobs/ uses itself ("feed", "page"). */
bool job_slug_valid(const char *slug);

/* True when url is an http(s) URL with a host or a mailto: address, without
 * blanks or control characters, at most JOB_URL_MAX bytes. */
bool job_url_valid(const char *url);

#endif
