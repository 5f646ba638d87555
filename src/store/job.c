/* job.c — the backend-independent parts of job listings (store.h, "job
 * listings"): type names, releasing, and job_input.h's checked creation and
 * change of a job shared by the CLI and the admin. */
#include "store/job_input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail/message.h"
#include "render/markdown.h"
#include "util/err.h"
#include "util/slug.h"
#include "util/timeutil.h"
#include "util/utf8.h"

static const char *const type_names[JOB_TYPE__MAX] = {
	[JOB_FULL_TIME] = "full-time",
	[JOB_PART_TIME] = "part-time",
	[JOB_CONTRACT] = "contract",
	[JOB_INTERNSHIP] = "internship",
};

/* schema.org JobPosting employmentType values (Google's list). */
static const char *const type_schema[JOB_TYPE__MAX] = {
	[JOB_FULL_TIME] = "FULL_TIME",
	[JOB_PART_TIME] = "PART_TIME",
	[JOB_CONTRACT] = "CONTRACTOR",
	[JOB_INTERNSHIP] = "INTERN",
};

const char *job_type_name(enum job_type t)
{
	return (unsigned)t < JOB_TYPE__MAX ? type_names[t] : "?";
}

const char *job_type_schema(enum job_type t)
{
	return (unsigned)t < JOB_TYPE__MAX ? type_schema[t] : "?";
}

int job_type_parse(const char *name, enum job_type *ret)
{
	for (int i = 0; name && i < JOB_TYPE__MAX; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*ret = (enum job_type)i;
			return DP_OK;
		}
	}
	return DP_EINVAL;
}

void job_release(struct job *j)
{
	if (!j)
		return;
	free(j->slug);
	free(j->title);
	free(j->employer);
	free(j->location);
	free(j->description_md);
	free(j->description_html);
	free(j->apply_url);
	memset(j, 0, sizeof *j);
}

void jobs_free(struct job *j, size_t n)
{
	for (size_t i = 0; j && i < n; i++)
		job_release(&j[i]);
	free(j);
}

/* ---- dates ---- */

static bool is_day(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

int job_time_parse(const char *s, bool end_of_day, int64_t *ret)
{
	int64_t start;
	if (!s || time_parse_iso(s, &start))
		return DP_EINVAL;
	if (!end_of_day || !is_day(s)) {
		*ret = start;
		return DP_OK;
	}
	/* The next day's first second, by the calendar (not + 86400: a day
	 * with a clock change has 23 or 25 hours). */
	struct tm tm = { 0 };
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8) + 1;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 || (int64_t)t <= start)
		return DP_EINVAL;
	*ret = (int64_t)t;
	return DP_OK;
}

void job_last_day(char *out, size_t len, int64_t valid_through)
{
	time_t t = (time_t)(valid_through - 1);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(out, len, "%Y-%m-%d", &tm))
		snprintf(out, len, "%s", "");
}

/* ---- checks ---- */

bool job_slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > JOB_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	if (strcmp(s, "feed") == 0 || strcmp(s, "page") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool job_url_valid(const char *url)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0 || n > JOB_URL_MAX || !utf8_valid(url, n) || utf8_has_control(url, ""))
		return false;
	for (size_t i = 0; i < n; i++)
		if (url[i] == ' ' || url[i] == '<' || url[i] == '>' || url[i] == '"')
			return false;
	if (strncmp(url, "mailto:", 7) == 0) {
		/* One plain address; "?subject=…" may follow. */
		char addr[256];
		size_t an = strcspn(url + 7, "?");
		if (an == 0 || an >= sizeof addr)
			return false;
		memcpy(addr, url + 7, an);
		addr[an] = '\0';
		return mail_address_valid(addr);
	}
	const char *host;
	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return false;
	/* A host: at least one character before the path, no user info. */
	size_t hn = strcspn(host, "/?#");
	if (hn == 0 || memchr(host, '@', hn))
		return false;
	for (size_t i = 0; i < hn; i++) {
		unsigned char c = (unsigned char)host[i];
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':' || c == '[' ||
		      c == ']'))
			return false;
	}
	return host[0] != '.' && host[0] != ':';
}

__attribute__((format(printf, 5, 6)))
static int fail(struct job_error *e, int rc, const char *code, const char *field,
		const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	e->field = field;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
	return rc;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* A copy of s without leading and trailing blanks (NULL: out of memory). */
static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char *c = malloc(n + 1);
	if (c) {
		memcpy(c, s, n);
		c[n] = '\0';
	}
	return c;
}

/* The codes of one line's problems (job_error.code). */
struct line_codes {
	const char *bad, *missing, *long_;
};

static const struct line_codes title_codes = { "title_bad", "title_missing", "title_long" };
static const struct line_codes employer_codes = { "employer_bad", "employer_missing",
						  "employer_long" };
static const struct line_codes location_codes = { "location_bad", "location_missing",
						  "location_long" };

/* One line of text: valid UTF-8, no control characters, at most max
 * characters, not empty when required; *ret is the trimmed copy. */
static int one_line(struct job_error *e, const char *in, const char *field,
		    const struct line_codes *codes, size_t max, bool required, char **ret)
{
	*ret = NULL;
	if (!utf8_valid(in, strlen(in)) || utf8_has_control(in, ""))
		return fail(e, DP_EINVAL, codes->bad, field, "the %s must be one line of text",
			    field);
	if (!(*ret = trimmed(in)))
		return fail(e, DP_ENOMEM, "save_failed", "", "out of memory");
	if (required && !**ret) {
		free(*ret);
		*ret = NULL;
		return fail(e, DP_EINVAL, codes->missing, field, "the %s must not be empty", field);
	}
	if (utf8_len(*ret) > max) {
		free(*ret);
		*ret = NULL;
		return fail(e, DP_EINVAL, codes->long_, field,
			    "the %s is longer than %zu characters", field, max);
	}
	return DP_OK;
}

/* Whether another job than self_id has slug. */
static int slug_taken(struct store *st, const char *slug, int64_t self_id, bool *ret)
{
	struct job other = { 0 };
	int rc = store_job_by_slug(st, slug, &other);
	*ret = rc == DP_OK && other.id != self_id;
	job_release(&other);
	return rc == DP_ENOTFOUND ? DP_OK : rc;
}

/* A free slug from title and employer: "redakteurin-m-w-d-der-testbote",
 * numbered "-2", "-3", … when taken. */
static int derive_slug(struct store *st, const char *title, const char *employer,
		       int64_t self_id, char *out, size_t outlen, struct job_error *e)
{
	char base[SLUG_MAX + 1];
	size_t tn = strlen(title), en = strlen(employer);
	char *text = malloc(tn + en + 2);
	if (!text)
		return fail(e, DP_ENOMEM, "save_failed", "", "out of memory");
	memcpy(text, title, tn);
	text[tn] = ' ';
	memcpy(text + tn + 1, employer, en + 1);
	int rc = slug_from_text(text, base, sizeof base);
	free(text);
	if (rc)
		return fail(e, DP_EINVAL, "slug_none", "slug", "cannot make a slug from the title");
	for (unsigned i = 1; i < 1000; i++) {
		bool taken;
		if (i == 1)
			snprintf(out, outlen, "%s", base);
		else
			snprintf(out, outlen, "%s-%u", base, i);
		if (!job_slug_valid(out))
			continue;
		if ((rc = slug_taken(st, out, self_id, &taken)))
			return fail(e, rc, "save_failed", "", "cannot read the jobs: %s",
				    dp_strerror(rc));
		if (!taken)
			return DP_OK;
	}
	return fail(e, DP_EINVAL, "slug_none", "slug", "no free slug for this title; give --slug");
}

static void replace(char **dst, char *src)
{
	free(*dst);
	*dst = src;
}

int job_apply(struct store *st, const struct site *site, struct job *j,
	      const struct job_input *in, int64_t now, struct job_error *e)
{
	(void)site; /* descriptions never keep raw HTML, whatever allow_html says */
	char *title = NULL, *employer = NULL, *location = NULL, *url = NULL, *md = NULL;
	char *html = NULL, *excerpt = NULL;
	char slug[JOB_SLUG_MAX + 16];
	const bool is_new = j->id == 0;
	int rc;

	memset(e, 0, sizeof *e);
	e->code = "";
	e->field = "";
	if (is_new && (!in->title || blank(in->title)))
		return fail(e, DP_EINVAL, "title_missing", "title",
			    "a job needs a title (--title)");
	if (is_new && (!in->employer || blank(in->employer)))
		return fail(e, DP_EINVAL, "employer_missing", "employer",
			    "a job needs an employer (--employer)");
	if (is_new && (!in->apply_url || !*in->apply_url))
		return fail(e, DP_EINVAL, "url_missing", "apply_url",
			    "a job needs the address to apply at (--apply-url)");
	if (is_new && (!in->valid_through || !*in->valid_through))
		return fail(e, DP_EINVAL, "valid_missing", "valid_through",
			    "a job needs the last day it is open (--valid-through)");

	if (in->title && (rc = one_line(e, in->title, "title", &title_codes, JOB_TITLE_MAX,
					true, &title)))
		goto out;
	if (in->employer && (rc = one_line(e, in->employer, "employer", &employer_codes,
					   JOB_EMPLOYER_MAX, true, &employer)))
		goto out;
	if (in->location && (rc = one_line(e, in->location, "location", &location_codes,
					   JOB_LOCATION_MAX, false, &location)))
		goto out;

	enum job_type type = is_new ? JOB_FULL_TIME : j->type;
	if (in->type && *in->type && job_type_parse(in->type, &type)) {
		rc = fail(e, DP_EINVAL, "type_bad", "type",
			  "the type must be full-time, part-time, contract or internship");
		goto out;
	}
	if (in->apply_url) {
		if (!(url = trimmed(in->apply_url))) {
			rc = fail(e, DP_ENOMEM, "save_failed", "", "out of memory");
			goto out;
		}
		if (!*url) {
			rc = fail(e, DP_EINVAL, "url_missing", "apply_url",
				  "a job needs the address to apply at");
			goto out;
		}
		if (!job_url_valid(url)) {
			rc = fail(e, DP_EINVAL, "url_bad", "apply_url",
				  "the apply URL must start with https://, http:// or mailto:"
				  " (at most %d bytes, no spaces)", JOB_URL_MAX);
			goto out;
		}
	}

	int64_t posted = is_new ? now : j->posted_at;
	if (in->posted && *in->posted && job_time_parse(in->posted, false, &posted)) {
		rc = fail(e, DP_EINVAL, "posted_bad", "posted",
			  "the posting date is not a date like 2026-11-27 or"
			  " 2026-11-27T10:00:00+01:00");
		goto out;
	}
	if (in->posted && !*in->posted)
		posted = now;
	int64_t valid = j->valid_through;
	if (in->valid_through) {
		if (!*in->valid_through) {
			rc = fail(e, DP_EINVAL, "valid_missing", "valid_through",
				  "a job needs the last day it is open");
			goto out;
		}
		if (job_time_parse(in->valid_through, true, &valid)) {
			rc = fail(e, DP_EINVAL, "valid_bad", "valid_through",
				  "valid-through is not a date like 2026-12-31 or"
				  " 2026-12-31T18:00:00+01:00");
			goto out;
		}
	}
	if (is_new && valid <= now) {
		rc = fail(e, DP_EINVAL, "valid_past", "valid_through",
			  "valid-through lies in the past: the job would never be shown");
		goto out;
	}
	/* Dates left alone stay as they are (an ended job may have left
	 * the second it was posted). */
	if ((in->valid_through || in->posted) && valid <= posted) {
		rc = fail(e, DP_EINVAL, "valid_order", "valid_through",
			  "valid-through must lie after the posting date");
		goto out;
	}
	const bool remote = in->remote >= 0 ? in->remote != 0 : (!is_new && j->remote);
	const char *loc = location ? location : (!is_new && j->location ? j->location : "");
	if (!*loc && !remote) {
		rc = fail(e, DP_EINVAL, "location_missing", "location",
			  "a job needs a location unless it can be done remotely (--remote)");
		goto out;
	}

	if (in->description) {
		size_t n = strlen(in->description);
		if (n > JOB_DESCRIPTION_MAX) {
			rc = fail(e, DP_EINVAL, "description_long", "description",
				  "the description is longer than %u bytes", JOB_DESCRIPTION_MAX);
			goto out;
		}
		if (!utf8_valid(in->description, n) ||
		    utf8_has_control(in->description, "\n\r\t")) {
			rc = fail(e, DP_EINVAL, "description_bad", "description",
				  "the description is not UTF-8 text");
			goto out;
		}
	}

	if (in->slug && *in->slug) {
		bool taken;
		if (!job_slug_valid(in->slug)) {
			rc = fail(e, DP_EINVAL, "slug_bad", "slug",
				  "the slug may only hold a-z, 0-9 and inner '-' (at most %d), and"
				  " not be \"feed\" or \"page\"", JOB_SLUG_MAX);
			goto out;
		}
		if ((rc = slug_taken(st, in->slug, j->id, &taken))) {
			fail(e, rc, "save_failed", "", "cannot read the jobs: %s", dp_strerror(rc));
			goto out;
		}
		if (taken) {
			rc = fail(e, DP_EEXISTS, "slug_taken", "slug",
				  "the slug '%s' belongs to another job", in->slug);
			goto out;
		}
		snprintf(slug, sizeof slug, "%s", in->slug);
	} else if (is_new) {
		if ((rc = derive_slug(st, title, employer, 0, slug, sizeof slug, e)))
			goto out;
	} else {
		/* Links must not break: an edit keeps the slug. */
		snprintf(slug, sizeof slug, "%s", j->slug ? j->slug : "");
	}

	if (in->description || is_new) {
		const char *src = in->description ? in->description : "";
		if (markdown_render(src, strlen(src), false, 1, &html, &excerpt)) {
			rc = fail(e, DP_EINVAL, "description_bad", "description",
				  "cannot render the Markdown description");
			goto out;
		}
		if (!(md = strdup(src))) {
			rc = fail(e, DP_ENOMEM, "save_failed", "", "out of memory");
			goto out;
		}
		replace(&j->description_md, md);
		replace(&j->description_html, html);
		md = html = NULL;
	}
	if (title)
		replace(&j->title, title);
	if (employer)
		replace(&j->employer, employer);
	title = employer = NULL;
	if (location || is_new) {
		replace(&j->location, location ? location : strdup(""));
		location = NULL;
	}
	if (url) {
		replace(&j->apply_url, url);
		url = NULL;
	}
	replace(&j->slug, strdup(slug));
	j->remote = remote;
	j->type = type;
	j->posted_at = posted;
	j->valid_through = valid;
	if (!j->slug || !j->title || !j->employer || !j->location || !j->apply_url ||
	    !j->description_md || !j->description_html) {
		rc = fail(e, DP_ENOMEM, "save_failed", "", "out of memory");
		goto out;
	}
	rc = store_job_save(st, j, now);
	if (rc == DP_EEXISTS)
		fail(e, rc, "slug_taken", "slug", "the slug '%s' belongs to another job", j->slug);
	else if (rc)
		fail(e, rc, "save_failed", "", "cannot save the job: %s", dp_strerror(rc));
out:
	free(title);
	free(employer);
	free(location);
	free(url);
	free(md);
	free(html);
	free(excerpt);
	return rc;
}
