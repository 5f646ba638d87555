/* jobs.c — the job board: /jobs/ (and /jobs/page/N/) with its filters
 * (location, type, remote: a GET form answered by jobs_filtered()), one job
 * at /jobs/<slug>/ with schema.org JobPosting JSON-LD, the RSS feed
 * /jobs/feed/, and the newest jobs for a "jobs" box (jobs_box_fill()).
 *
 * Every page that shows jobs depends on "l:jobs" (a change note of the
 * store drops it) and expires by itself when what it shows changes with
 * time: a job's page at its valid_through, lists at the store's next
 * expiry (a job leaving or a job posted ahead appearing). So an expired
 * job leaves every page and feed at its time, without a restart.
 *
 * JobPosting (https://schema.org/JobPosting, and what Google's job search
 * requires: title, description as HTML, datePosted, validThrough,
 * hiringOrganization.name, jobLocation with an address, or for remote work
 * jobLocationType TELECOMMUTE with applicantLocationRequirements). The
 * country of those two is the site's: told by its time zone (Europe/Berlin
 * is Germany, Europe/Vienna Austria, …) and Germany when the zone says
 * nothing, as the engine is made for German newsrooms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache/cache.h"
#include "feed/feed.h"
#include "http/request.h"
#include "page/page.h"
#include "page/theme.h"
#include "render/date.h"
#include "render/html.h"
#include "site/site.h"
#include "store/job_input.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define BOX_JOBS 4           /* jobs in a "jobs" box, as the reference page has */
#define ARG_MAX 200          /* bytes of one filter value */
#define PAGE_ARG_MAX 10000   /* the highest ?page= of a filtered list */
#define FEED_DEFAULT 20      /* items of the job feed when the site says 0 */

/* ---- small helpers ---- */

/* t[key] of the theme, or "" (a missing string shows as nothing rather
 * than breaking the page). */
static const char *tr(const struct page_req *req, const char *key)
{
	const char *s = json_string_value(json_object_get(req->theme->strings, key));
	return s ? s : "";
}

static const char *type_label(const struct page_req *req, enum job_type t)
{
	static const char *const keys[JOB_TYPE__MAX] = {
		[JOB_FULL_TIME] = "jobs_type_full_time",
		[JOB_PART_TIME] = "jobs_type_part_time",
		[JOB_CONTRACT] = "jobs_type_contract",
		[JOB_INTERNSHIP] = "jobs_type_internship",
	};
	const char *s = (unsigned)t < JOB_TYPE__MAX ? tr(req, keys[t]) : "";
	return *s ? s : job_type_name(t);
}

static void job_path(char *out, size_t len, const char *slug)
{
	snprintf(out, len, "/jobs/%s/", slug);
}

/* The earliest of a and b that is set (0: none). */
static int64_t earliest(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

/* The page depends on the jobs and must be rendered again at `at`. */
static void depend(struct page_res *res, int64_t at)
{
	page_dep(res, cache_key("l:jobs"));
	res->expires_at = earliest(res->expires_at, at);
}

/* The site's country for JobPosting: ISO code and its name in the site's
 * language. */
struct country {
	const char *zone, *code, *de, *en;
};

static const struct country countries[] = {
	{ "Europe/Berlin", "DE", "Deutschland", "Germany" },
	{ "Europe/Busingen", "DE", "Deutschland", "Germany" },
	{ "Europe/Vienna", "AT", "Österreich", "Austria" },
	{ "Europe/Zurich", "CH", "Schweiz", "Switzerland" },
	{ "Europe/Vaduz", "LI", "Liechtenstein", "Liechtenstein" },
	{ "Europe/Luxembourg", "LU", "Luxemburg", "Luxembourg" },
	{ "Europe/Brussels", "BE", "Belgien", "Belgium" },
	{ "Europe/Amsterdam", "NL", "Niederlande", "Netherlands" },
	{ "Europe/Copenhagen", "DK", "Dänemark", "Denmark" },
	{ "Europe/Paris", "FR", "Frankreich", "France" },
	{ "Europe/Rome", "IT", "Italien", "Italy" },
	{ "Europe/Warsaw", "PL", "Polen", "Poland" },
	{ "Europe/Prague", "CZ", "Tschechien", "Czechia" },
	{ "Europe/Kyiv", "UA", "Ukraine", "Ukraine" },
	{ "Europe/Kiev", "UA", "Ukraine", "Ukraine" },
	{ "Europe/London", "GB", "Vereinigtes Königreich", "United Kingdom" },
	{ "Europe/Dublin", "IE", "Irland", "Ireland" },
	{ "America/New_York", "US", "Vereinigte Staaten", "United States" },
	{ "America/Chicago", "US", "Vereinigte Staaten", "United States" },
	{ "America/Denver", "US", "Vereinigte Staaten", "United States" },
	{ "America/Los_Angeles", "US", "Vereinigte Staaten", "United States" },
};

static const struct country *site_country(const struct site *site)
{
	for (size_t i = 0; site->timezone && i < sizeof countries / sizeof countries[0]; i++)
		if (strcmp(site->timezone, countries[i].zone) == 0)
			return &countries[i];
	return &countries[0];
}

static const char *country_name(const struct site *site, const struct country *c)
{
	return strcmp(site->lang ? site->lang : "", "de") == 0 ? c->de : c->en;
}

/* A job as lists and the box show it. New reference. */
static json_t *job_summary(const struct page_req *req, const struct job *j)
{
	char url[300], posted_iso[40], posted_human[64];
	job_path(url, sizeof url, j->slug);
	time_fmt_iso_local(posted_iso, sizeof posted_iso, j->posted_at);
	date_human(posted_human, sizeof posted_human, j->posted_at, req->site->lang);
	/* Every key is set, so a template's lookup never falls through to a
	 * name of the page around the job; no location is null (an empty
	 * string would count as true in a section). */
	return json_pack("{s:s, s:s, s:s, s:o, s:b, s:s, s:s, s:s}", "title", j->title, "url", url,
			 "employer", j->employer, "location",
			 j->location && *j->location ? json_string(j->location) : json_null(),
			 "remote", j->remote, "type_label", type_label(req, j->type), "posted_iso",
			 posted_iso, "posted_human", posted_human);
}

/* ---- the filters ---- */

struct filter {
	const char *location;   /* the stored spelling, or NULL: any */
	int type;               /* enum job_type or -1 */
	bool remote;
	bool active;            /* any of them set */
};

/* One filter value as the client sent it: NULL or "" is none; more than
 * ARG_MAX bytes, invalid UTF-8 or control characters are a bad request. */
static int arg_ok(const char *v)
{
	if (!v || !*v)
		return DP_OK;
	size_t n = strlen(v);
	if (n > ARG_MAX || !utf8_valid(v, n) || utf8_has_control(v, ""))
		return DP_EINVAL;
	return DP_OK;
}

/* Reads req->args into f, checking each against what exists: the location
 * must be one of the current ones (compared ignoring ASCII case, as the
 * store does), the type one of the four, remote "1". DP_EINVAL otherwise. */
static int read_filter(const struct page_req *req, char **locs, size_t nlocs, struct filter *f)
{
	const struct page_args *a = req->args;
	memset(f, 0, sizeof *f);
	f->type = -1;
	if (!a)
		return DP_OK;
	if (arg_ok(a->location) || arg_ok(a->type) || arg_ok(a->remote))
		return DP_EINVAL;
	if (a->location && *a->location) {
		for (size_t i = 0; i < nlocs && !f->location; i++)
			if (strcasecmp(locs[i], a->location) == 0)
				f->location = locs[i];
		if (!f->location)
			return DP_EINVAL;
	}
	if (a->type && *a->type) {
		enum job_type t;
		if (job_type_parse(a->type, &t))
			return DP_EINVAL;
		f->type = (int)t;
	}
	if (a->remote && *a->remote) {
		if (strcmp(a->remote, "1") != 0)
			return DP_EINVAL;
		f->remote = true;
	}
	f->active = f->location || f->type >= 0 || f->remote;
	return DP_OK;
}

/* The URL of list page `page` under filter f: "/jobs/page/N/" without
 * filters, "/jobs/?location=…&type=…&remote=1&page=N" with them. */
static void list_url(struct buf *b, const struct filter *f, unsigned page)
{
	if (!f->active) {
		if (page <= 1)
			buf_puts(b, "/jobs/");
		else
			buf_printf(b, "/jobs/page/%u/", page);
		return;
	}
	buf_puts(b, "/jobs/?location=");
	if (f->location)
		url_arg(b, f->location);
	buf_puts(b, "&type=");
	if (f->type >= 0)
		buf_puts(b, job_type_name((enum job_type)f->type));
	if (f->remote)
		buf_puts(b, "&remote=1");
	if (page > 1)
		buf_printf(b, "&page=%u", page);
}

static json_t *filter_obj(const struct page_req *req, const struct filter *f, char **locs,
			  size_t nlocs)
{
	json_t *l = json_array(), *t = json_array();
	for (size_t i = 0; l && i < nlocs; i++)
		json_array_append_new(l, json_pack("{s:s, s:b}", "value", locs[i], "selected",
						   f->location == locs[i]));
	for (int i = 0; t && i < JOB_TYPE__MAX; i++)
		json_array_append_new(t, json_pack("{s:s, s:s, s:b}", "value",
						   job_type_name((enum job_type)i), "label",
						   type_label(req, (enum job_type)i), "selected",
						   f->type == i));
	return json_pack("{s:o, s:o, s:b, s:b, s:b}", "locations", l ? l : json_array(), "types",
			 t ? t : json_array(), "remote", f->remote, "active", f->active,
			 "has_locations", nlocs > 0);
}

/* ---- /jobs/ ---- */

int page_jobs(const struct page_req *req, struct page_res *res)
{
	char **locs = NULL;
	size_t nlocs = 0, n = 0, total = 0;
	struct job *list = NULL;
	struct filter f;
	json_t *ctx = NULL;
	int64_t next = 0;
	unsigned page = req->route->page ? req->route->page : 1;
	const size_t per = req->site->per_page > 0 ? (size_t)req->site->per_page : 10;

	int rc = store_job_locations(req->store, req->now, &locs, &nlocs);
	if (rc)
		return rc;
	if ((rc = read_filter(req, locs, nlocs, &f)))
		goto out;
	struct job_query q = { .now = req->now, .location = f.location, .type = f.type,
			       .remote_only = f.remote, .limit = per,
			       .offset = (size_t)(page - 1) * per };
	if ((rc = store_jobs(req->store, &q, &list, &n, &total)) ||
	    (rc = store_job_next_expiry(req->store, req->now, &next)))
		goto out;
	unsigned pages = (unsigned)((total + per - 1) / per);
	if (page > 1 && page > pages) {
		rc = DP_ENOTFOUND;
		goto out;
	}
	depend(res, next);

	char canonical[64];
	if (page > 1 && !f.active)
		snprintf(canonical, sizeof canonical, "/jobs/page/%u/", page);
	else
		snprintf(canonical, sizeof canonical, "/jobs/");
	rc = DP_ENOMEM;
	if (!(ctx = ctx_new(req, "jobs", canonical)))
		goto out;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, job_summary(req, &list[i]));
	if (!arr)
		goto out;
	json_object_set_new(ctx, "jobs", arr);
	json_object_set_new(ctx, "has_jobs", json_boolean(n > 0));
	json_object_set_new(ctx, "jobs_total", json_integer((json_int_t)total));
	json_object_set_new(ctx, "jobs_one", json_boolean(total == 1));
	json_object_set_new(ctx, "filter", filter_obj(req, &f, locs, nlocs));
	if (pages > 1) {
		struct buf u = BUF_INIT(4096);
		json_t *pg = json_pack("{s:i, s:i}", "current", page, "total", pages);
		if (page > 1) {
			list_url(&u, &f, page - 1);
			json_object_set_new(pg, "prev_url", json_string(buf_cstr(&u)));
		}
		if (page < pages) {
			buf_reset(&u);
			list_url(&u, &f, page + 1);
			json_object_set_new(pg, "next_url", json_string(buf_cstr(&u)));
		}
		buf_release(&u);
		json_object_set_new(ctx, "pagination", pg);
	}
	json_t *pj = json_object_get(ctx, "page");
	char title[512];
	snprintf(title, sizeof title, "%s – %s", tr(req, "jobs_title"), req->site->title);
	json_object_set_new(pj, "description", json_string(tr(req, "jobs_intro")));
	json_array_append_new(json_object_get(pj, "feeds"),
			      json_pack("{s:s, s:s, s:s}", "title", title, "url", "/jobs/feed/",
					"type", "application/rss+xml"));
	json_object_set_new(json_object_get(pj, "og"), "title", json_string(title));
	json_object_set_new(json_object_get(pj, "og"), "description",
			    json_string(tr(req, "jobs_intro")));
	/* A filtered list is the same jobs again: crawlers get the plain one. */
	if (f.active)
		json_object_set_new(pj, "noindex", json_true());
	res->last_modified = req->now;
	rc = ctx_render(req, res, "jobs", ctx);
out:
	json_decref(ctx);
	jobs_free(list, n);
	for (size_t i = 0; i < nlocs; i++)
		free(locs[i]);
	free(locs);
	return rc;
}

/* ---- /jobs/<slug>/ ---- */

static bool is_public(const struct job *j, int64_t now)
{
	return j->posted_at <= now && now < j->valid_through;
}

/* schema.org JobPosting for j as text safe inside <script> (ctx_jsonld). */
static char *jsonld(const struct page_req *req, const struct job *j, const char *abs)
{
	char posted[40], valid[40];
	time_fmt_iso_local(posted, sizeof posted, j->posted_at);
	time_fmt_iso_local(valid, sizeof valid, j->valid_through);
	const struct country *c = site_country(req->site);
	/* Google wants a description; a job without one gets its title. */
	struct buf d = BUF_INIT(1u << 20);
	if (j->description_html && *j->description_html) {
		buf_puts(&d, j->description_html);
	} else {
		buf_puts(&d, "<p>");
		html_txt(&d, j->title);
		buf_puts(&d, " – ");
		html_txt(&d, j->employer);
		buf_puts(&d, "</p>");
	}
	json_t *o = buf_error(&d) ? NULL
		: json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:b, s:s}",
			    "@context", "https://schema.org", "@type", "JobPosting", "title",
			    j->title, "description", buf_cstr(&d), "datePosted", posted,
			    "validThrough", valid, "employmentType", job_type_schema(j->type),
			    "hiringOrganization", "@type", "Organization", "name", j->employer,
			    "directApply", 0, "url", abs);
	buf_release(&d);
	if (!o)
		return NULL;
	if (j->location && *j->location)
		json_object_set_new(o, "jobLocation",
				    json_pack("{s:s, s:{s:s, s:s, s:s}}", "@type", "Place",
					      "address", "@type", "PostalAddress",
					      "addressLocality", j->location, "addressCountry",
					      c->code));
	if (j->remote) {
		json_object_set_new(o, "jobLocationType", json_string("TELECOMMUTE"));
		json_object_set_new(o, "applicantLocationRequirements",
				    json_pack("{s:s, s:s}", "@type", "Country", "name",
					      country_name(req->site, c)));
	}
	char *text = ctx_jsonld(o);
	json_decref(o);
	return text;
}

int page_job(const struct page_req *req, struct page_res *res)
{
	struct job j = { 0 };
	json_t *ctx = NULL;
	char path[300], *abs = NULL, *ld = NULL;
	int rc = store_job_by_slug(req->store, req->route->slug, &j);
	if (rc)
		return rc;
	if (!is_public(&j, req->now)) {
		rc = DP_ENOTFOUND; /* expired, or posted ahead */
		goto out;
	}
	job_path(path, sizeof path, j.slug);
	rc = DP_ENOMEM;
	if (!(abs = ctx_abs_url(req->site, path)) || !(ld = jsonld(req, &j, abs)) ||
	    !(ctx = ctx_new(req, "job", path)))
		goto out;
	json_t *o = job_summary(req, &j);
	if (!o)
		goto out;
	json_object_set_new(ctx, "job", o);
	char valid_iso[16], valid_human[64];
	/* Shown as the last day it is open: "Bewerbung bis 31. Dezember". */
	job_last_day(valid_iso, sizeof valid_iso, j.valid_through);
	date_human(valid_human, sizeof valid_human, j.valid_through - 1, req->site->lang);
	bool mail = strncmp(j.apply_url, "mailto:", 7) == 0;
	json_object_set_new(o, "valid_iso", json_string(valid_iso));
	json_object_set_new(o, "valid_human", json_string(valid_human));
	json_object_set_new(o, "description_html",
			    json_string(j.description_html ? j.description_html : ""));
	json_object_set_new(o, "has_description",
			    json_boolean(j.description_html && *j.description_html));
	json_object_set_new(o, "apply_url", json_string(j.apply_url));
	json_object_set_new(o, "apply_mail", json_boolean(mail));
	/* Links off the site get rel="nofollow noopener"; one into the site
	 * itself (base_url) needs neither. */
	size_t bl = strlen(req->site->base_url);
	bool own = strncmp(j.apply_url, req->site->base_url, bl) == 0 &&
		   (j.apply_url[bl] == '/' || j.apply_url[bl] == '\0');
	json_object_set_new(o, "apply_external", json_boolean(!mail && !own));
	json_object_set_new(o, "abs_url", json_string(abs));

	char title[700];
	snprintf(title, sizeof title, "%s – %s", j.title, j.employer);
	struct buf desc = BUF_INIT(4096);
	buf_printf(&desc, "%s: %s", tr(req, "jobs_employer"), j.employer);
	if (*j.location)
		buf_printf(&desc, ", %s", j.location);
	if (j.remote)
		buf_printf(&desc, " (%s)", tr(req, "jobs_remote"));
	buf_printf(&desc, ". %s. %s %s.", type_label(req, j.type), tr(req, "jobs_valid_through"),
		   valid_human);
	json_t *pj = json_object_get(ctx, "page");
	json_object_set_new(pj, "description", json_string(buf_cstr(&desc)));
	json_object_set_new(pj, "jsonld", json_string(ld));
	json_array_append_new(json_object_get(pj, "feeds"),
			      json_pack("{s:s, s:s, s:s}", "title", tr(req, "jobs_title"), "url",
					"/jobs/feed/", "type", "application/rss+xml"));
	json_t *og = json_object_get(pj, "og");
	json_object_set_new(og, "title", json_string(title));
	json_object_set_new(og, "description", json_string(buf_cstr(&desc)));
	buf_release(&desc);
	depend(res, j.valid_through);
	res->last_modified = req->now;
	rc = ctx_render(req, res, "job", ctx);
out:
	json_decref(ctx);
	free(abs);
	free(ld);
	job_release(&j);
	return rc;
}

/* ---- /jobs/feed/ ---- */

int page_jobs_feed(const struct page_req *req, struct page_res *res)
{
	struct job *list = NULL;
	struct feed_job *items = NULL;
	char **summaries = NULL;
	size_t n = 0;
	int64_t next = 0;
	size_t max = req->site->feed_items > 0 ? (size_t)req->site->feed_items : FEED_DEFAULT;
	struct job_query q = { .now = req->now, .type = -1, .limit = max };
	int rc = store_jobs(req->store, &q, &list, &n, NULL);
	if (rc || (rc = store_job_next_expiry(req->store, req->now, &next)))
		goto out;
	rc = DP_ENOMEM;
	if (n && (!(items = calloc(n, sizeof *items)) ||
		  !(summaries = calloc(n, sizeof *summaries))))
		goto out;
	for (size_t i = 0; i < n; i++) {
		/* Lists carry no description: read each job whole. */
		struct job full;
		if ((rc = store_job_get(req->store, list[i].id, &full)))
			goto out;
		job_release(&list[i]);
		list[i] = full;
		struct buf s = BUF_INIT(4096);
		buf_puts(&s, list[i].employer);
		if (*list[i].location)
			buf_printf(&s, " · %s", list[i].location);
		if (list[i].remote)
			buf_printf(&s, " · %s", tr(req, "jobs_remote"));
		buf_printf(&s, " · %s", type_label(req, list[i].type));
		summaries[i] = buf_take(&s, NULL);
		if (!summaries[i]) {
			rc = DP_ENOMEM;
			goto out;
		}
		items[i] = (struct feed_job){ &list[i], summaries[i],
					      type_label(req, list[i].type) };
	}
	char title[600];
	snprintf(title, sizeof title, "%.300s – %.200s", req->site->title, tr(req, "jobs_title"));
	struct feed_meta m = { .title = title, .description = tr(req, "jobs_intro"),
			       .self_path = "/jobs/feed/", .html_path = "/jobs/" };
	depend(res, next);
	res->content_type = "application/rss+xml; charset=utf-8";
	res->last_modified = req->now;
	rc = feed_rss_jobs(&res->body, req->site, &m, items, n);
out:
	for (size_t i = 0; summaries && i < n; i++)
		free(summaries[i]);
	free(summaries);
	free(items);
	jobs_free(list, n);
	return rc;
}

/* ---- the "jobs" box ---- */

int jobs_box_fill(const struct page_req *req, struct page_res *res, json_t *box)
{
	struct job *list = NULL;
	size_t n = 0;
	int64_t next = 0;
	struct job_query q = { .now = req->now, .type = -1, .limit = BOX_JOBS };
	int rc = store_jobs(req->store, &q, &list, &n, NULL);
	if (rc || (rc = store_job_next_expiry(req->store, req->now, &next)))
		goto out;
	/* Also a page without jobs now must learn of the first one. */
	depend(res, next);
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, job_summary(req, &list[i]));
	if (!arr) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_object_set_new(box, "jobs", arr);
out:
	jobs_free(list, n);
	return rc;
}

/* ---- GET /jobs/?location=&type=&remote=&page= ---- */

/* A query no list answers: the themed 400 page. */
static int bad_request(const struct page_req *req, struct page_res *res)
{
	(void)req;
	(void)res;
	return DP_EINVAL;
}

int jobs_filtered(struct http_req *req, struct http_res *res)
{
	struct route route = { .kind = ROUTE_JOBS, .page = 1 };
	struct page_args args = {
		.location = http_query(req, "location"),
		.type = http_query(req, "type"),
		.remote = http_query(req, "remote"),
	};
	page_fn fn = page_jobs;
	const char *p = http_query(req, "page");
	if (p) {
		/* Bounded: digits only, 1..PAGE_ARG_MAX. */
		size_t len = strlen(p);
		long v = 0;
		if (len && len <= 5 && strspn(p, "0123456789") == len)
			v = strtol(p, NULL, 10);
		if (v < 1 || v > PAGE_ARG_MAX)
			fn = bad_request;
		else
			route.page = (unsigned)v;
	}
	return page_dynamic(req, res, fn, &route, &args);
}
