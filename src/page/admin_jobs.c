/* admin_jobs.c — job listings in the admin: the list of every job (online,
 * scheduled, expired) with pages; the form for a new or an existing job
 * (every field, the Markdown description, the last day to apply as a date
 * and the posting time); ending a job now; deleting one after a
 * confirmation step. For admins and editors (router.c: STAFF).
 *
 * Checking and saving are job_apply()'s (store/job_input.h, shared with
 * the CLI); this file maps form fields to a struct job_input, keeps what
 * was typed when a field is refused (shown with its message, the field
 * marked) and writes the audit log. Notices after a redirect come from a
 * fixed list (?done=job_…); the query's text is never shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "site/site.h"
#include "store/job_input.h"
#include "util/err.h"

#define JOBS_PER_PAGE 20
#define JOBS_PAGE_MAX 100000
#define ADMIN_ROLES_JOBS ((1u << ROLE_ADMIN) | (1u << ROLE_EDITOR))

/* ?done=NAME after a redirect → t["jobs_admin_done_" + NAME without "job_"]. */
static const char *const notices[] = { "job_created", "job_saved", "job_expired", "job_deleted" };

enum state { STATE_CURRENT, STATE_EXPIRED, STATE_AHEAD, STATE__MAX };
static const char *const state_names[STATE__MAX] = { "current", "expired", "ahead" };

static enum state job_state(const struct job *j, int64_t now)
{
	if (j->posted_at > now)
		return STATE_AHEAD;
	return j->valid_through > now ? STATE_CURRENT : STATE_EXPIRED;
}

/* The admin context with the jobs item of the nav marked and a notice for
 * ?done=job_…. New reference. */
static json_t *jobs_ctx(struct http_req *req)
{
	char key[64];
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_NONE);
	if (!ctx)
		return NULL;
	json_t *nav = json_object_get(ctx, "nav");
	if (nav)
		json_object_set_new(nav, "jobs", json_true());
	const char *done = http_query(req, "done");
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++) {
		if (strcmp(done, notices[i]) == 0) {
			snprintf(key, sizeof key, "jobs_admin_done_%s", notices[i] + 4);
			json_object_set_new(ctx, "notice", json_string(admin_t(req, key)));
		}
	}
	return ctx;
}

static void set_state(struct http_req *req, json_t *o, const struct job *j)
{
	char key[48], path[200];
	enum state st = job_state(j, req->now);
	snprintf(key, sizeof key, "jobs_admin_state_%s", state_names[st]);
	json_object_set_new(o, "state", json_string(state_names[st]));
	json_object_set_new(o, "state_label", json_string(admin_t(req, key)));
	snprintf(key, sizeof key, "is_%s", state_names[st]);
	json_object_set_new(o, key, json_true());
	if (st == STATE_CURRENT) {
		snprintf(path, sizeof path, "/jobs/%s/", j->slug);
		json_object_set_new(o, "public_url", json_string(path));
	}
}

/* ---- the list ---- */

static json_t *row_obj(struct http_req *req, const struct job *j)
{
	char posted_h[96], posted_i[40], valid_h[96], valid_i[40], url[64];
	admin_fmt_time(req, j->posted_at, posted_h, sizeof posted_h, posted_i, sizeof posted_i);
	admin_fmt_time(req, j->valid_through, valid_h, sizeof valid_h, valid_i, sizeof valid_i);
	snprintf(url, sizeof url, "/admin/jobs/%lld", (long long)j->id);
	/* No location is null: an empty string counts as true in a section. */
	json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:b, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)j->id, "title", j->title, "employer", j->employer,
			      "location", *j->location ? json_string(j->location) : json_null(),
			      "remote", j->remote, "type",
			      job_type_name(j->type), "edit_url", url, "posted_human", posted_h,
			      "posted_iso", posted_i, "valid_human", valid_h, "valid_iso", valid_i);
	if (o)
		set_state(req, o, j);
	return o;
}

int admin_jobs(struct http_req *req, struct http_res *res)
{
	struct job *list = NULL;
	size_t n = 0, total = 0;
	json_t *ctx = NULL;
	if (!admin_role_in(req, ADMIN_ROLES_JOBS))
		return admin_forbidden(req, res);
	int64_t page = admin_query_num(req, "page", 1, JOBS_PAGE_MAX);
	struct job_query q = { .now = req->now, .include_expired = true, .type = -1,
			       .limit = JOBS_PER_PAGE,
			       .offset = (size_t)(page - 1) * JOBS_PER_PAGE };
	int rc = store_jobs(req->store, &q, &list, &n, &total);
	if (rc)
		return rc;
	size_t pages = (total + JOBS_PER_PAGE - 1) / JOBS_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	rc = DP_ENOMEM;
	if (!(ctx = jobs_ctx(req)))
		goto out;
	json_t *rows = json_array();
	for (size_t i = 0; rows && i < n; i++)
		json_array_append_new(rows, row_obj(req, &list[i]));
	if (!rows)
		goto out;
	json_object_set_new(ctx, "jobs", rows);
	json_object_set_new(ctx, "has_jobs", json_boolean(total > 0));
	json_object_set_new(ctx, "total", json_integer((json_int_t)total));
	if (pages > 1) {
		char url[64];
		json_t *pg = json_pack("{s:I, s:I}", "current", (json_int_t)page, "total",
				       (json_int_t)pages);
		if (page > 1) {
			snprintf(url, sizeof url, "/admin/jobs?page=%lld", (long long)page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if ((size_t)page < pages) {
			snprintf(url, sizeof url, "/admin/jobs?page=%lld", (long long)page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "jobs", ctx);
out:
	json_decref(ctx);
	jobs_free(list, n);
	return rc;
}

/* ---- the form ---- */

/* What the form shows, every pointer borrowed. */
struct fields {
	const char *title, *employer, *location, *type, *apply_url, *valid_through, *posted,
		*slug, *description;
	bool remote;
};

/* The value of an <input type="datetime-local">: local time to the minute. */
static void fmt_local_input(char *out, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(out, len, "%Y-%m-%dT%H:%M", &tm))
		snprintf(out, len, "%s", "");
}

/* The fields of a stored job; valid and posted receive the dates. */
static void fields_of_job(const struct job *j, struct fields *f, char valid[16], char posted[32])
{
	job_last_day(valid, 16, j->valid_through);
	fmt_local_input(posted, 32, j->posted_at);
	f->title = j->title;
	f->employer = j->employer;
	f->location = j->location;
	f->type = job_type_name(j->type);
	f->apply_url = j->apply_url;
	f->valid_through = valid;
	f->posted = posted;
	f->slug = j->slug;
	f->description = j->description_md;
	f->remote = j->remote;
}

static void fields_of_form(const struct http_req *req, struct fields *f)
{
	const struct form *fm = &req->form;
	f->title = form_get(fm, "title");
	f->employer = form_get(fm, "employer");
	f->location = form_get(fm, "location");
	f->type = form_get(fm, "type");
	f->apply_url = form_get(fm, "apply_url");
	f->valid_through = form_get(fm, "valid_through");
	f->posted = form_get(fm, "posted");
	f->slug = form_get(fm, "slug");
	f->description = form_get(fm, "description");
	const char *r = form_get(fm, "remote");
	f->remote = r && *r;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/* Renders the form. j: the stored job (NULL for a new one); f: what the
 * fields show; e: why the last try was refused (or NULL). */
static int form_page(struct http_req *req, struct http_res *res, unsigned status,
		     const struct job *j, const struct fields *f, const struct job_error *e)
{
	char url[96], key[96];
	json_t *ctx = jobs_ctx(req);
	if (!ctx)
		return DP_ENOMEM;
	json_t *o = json_object();
	set_str(o, "title", f->title);
	set_str(o, "employer", f->employer);
	set_str(o, "location", f->location);
	set_str(o, "apply_url", f->apply_url);
	set_str(o, "valid_through", f->valid_through);
	set_str(o, "posted", f->posted);
	set_str(o, "slug", f->slug);
	set_str(o, "description", f->description);
	json_object_set_new(o, "remote", json_boolean(f->remote));
	json_t *types = json_array();
	for (int i = 0; types && i < JOB_TYPE__MAX; i++) {
		static const char *const labels[JOB_TYPE__MAX] = {
			"jobs_type_full_time", "jobs_type_part_time", "jobs_type_contract",
			"jobs_type_internship",
		};
		const char *name = job_type_name((enum job_type)i);
		bool selected = f->type ? strcmp(f->type, name) == 0 : i == 0;
		json_array_append_new(types, json_pack("{s:s, s:s, s:b}", "value", name, "label",
						       admin_t(req, labels[i]), "selected",
						       selected));
	}
	json_object_set_new(o, "types", types);
	if (j) {
		json_object_set_new(o, "id", json_integer((json_int_t)j->id));
		snprintf(url, sizeof url, "/admin/jobs/%lld", (long long)j->id);
		json_object_set_new(o, "action_url", json_string(url));
		set_state(req, o, j);
	} else {
		json_object_set_new(o, "action_url", json_string("/admin/jobs"));
		json_object_set_new(o, "is_new", json_true());
	}
	json_object_set_new(ctx, "job", o);
	json_object_set_new(ctx, "timezone",
			    json_string(req->site->timezone && *req->site->timezone
						? req->site->timezone : "UTC"));
	if (e) {
		/* A field's problem shows beside it (errors.<field>), with a
		 * pointer to it on top; one of no field shows on top. */
		snprintf(key, sizeof key, "jobs_admin_err_%s", e->code);
		const char *msg = admin_t(req, key);
		if (e->field && *e->field) {
			const char *check = admin_t(req, "jobs_admin_err_check");
			json_object_set_new(ctx, "error", json_string(check));
			json_object_set_new(ctx, "errors", json_pack("{s:s}", e->field, msg));
		} else {
			json_object_set_new(ctx, "error", json_string(msg));
		}
	}
	int rc = admin_render(req, res, status, "job_form", ctx);
	json_decref(ctx);
	return rc;
}

int admin_job_new(struct http_req *req, struct http_res *res)
{
	struct fields f = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_JOBS))
		return admin_forbidden(req, res);
	return form_page(req, res, 200, NULL, &f, NULL);
}

int admin_job_edit(struct http_req *req, struct http_res *res)
{
	struct job j;
	struct fields f;
	char valid[16], posted[32];
	if (!admin_role_in(req, ADMIN_ROLES_JOBS))
		return admin_forbidden(req, res);
	int rc = store_job_get(req->store, req->param_id, &j);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	fields_of_job(&j, &f, valid, posted);
	rc = form_page(req, res, 200, &j, &f, NULL);
	job_release(&j);
	return rc;
}

static void audit(struct http_req *req, const char *action, const struct job *j)
{
	char object[200];
	snprintf(object, sizeof object, "/jobs/%s/", j->slug);
	admin_audit_add(req, action, object, j->title);
}

/* Creates (j->id == 0) or changes *j from the form. */
static int save(struct http_req *req, struct http_res *res, struct job *j)
{
	struct fields f;
	struct job_input in = JOB_INPUT_INIT;
	struct job_error e;
	char valid[16] = "", posted[32] = "";
	const bool is_new = j->id == 0;
	const int64_t id = j->id;

	fields_of_form(req, &f);
	if (!is_new) {
		job_last_day(valid, sizeof valid, j->valid_through);
		fmt_local_input(posted, sizeof posted, j->posted_at);
	}
	in.title = f.title ? f.title : "";
	in.employer = f.employer ? f.employer : "";
	in.location = f.location ? f.location : "";
	in.remote = f.remote;
	in.type = f.type ? f.type : "";
	in.apply_url = f.apply_url ? f.apply_url : "";
	in.description = f.description ? f.description : "";
	/* The form shows the last day and the posting time to the minute:
	 * what is shown unchanged keeps the stored time exactly (an ended
	 * job keeps the minute it ended). */
	in.valid_through = f.valid_through ? f.valid_through : "";
	if (!is_new && strcmp(in.valid_through, valid) == 0)
		in.valid_through = NULL;
	in.posted = f.posted ? f.posted : "";
	if (!is_new && strcmp(in.posted, posted) == 0)
		in.posted = NULL;
	/* An edit keeps the slug unless another one is typed. */
	in.slug = f.slug && *f.slug && !(j->slug && strcmp(f.slug, j->slug) == 0) ? f.slug : NULL;

	int rc = job_apply(req->store, req->site, j, &in, req->now, &e);
	if (rc == DP_EINVAL || rc == DP_EEXISTS) {
		/* job_apply may have changed *j; the database holds the job as
		 * it was. */
		struct job before = { 0 };
		if (is_new)
			return form_page(req, res, 422, NULL, &f, &e);
		rc = store_job_get(req->store, id, &before);
		if (rc == DP_OK)
			rc = form_page(req, res, 422, &before, &f, &e);
		job_release(&before);
		return rc;
	}
	if (rc)
		return rc;
	audit(req, is_new ? "job.create" : "job.update", j);
	char path[64];
	snprintf(path, sizeof path, "/admin/jobs/%lld", (long long)j->id);
	return admin_redirect_done(res, path, is_new ? "job_created" : "job_saved", NULL);
}

int admin_job_create(struct http_req *req, struct http_res *res)
{
	struct job j = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_JOBS))
		return admin_forbidden(req, res);
	int rc = save(req, res, &j);
	job_release(&j);
	return rc;
}

/* The confirmation step of delete: the job and one button. */
static int delete_page(struct http_req *req, struct http_res *res, const struct job *j)
{
	char url[64];
	json_t *ctx = jobs_ctx(req);
	if (!ctx)
		return DP_ENOMEM;
	snprintf(url, sizeof url, "/admin/jobs/%lld", (long long)j->id);
	json_object_set_new(ctx, "job", json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)j->id,
						  "title", j->title, "employer", j->employer,
						  "action_url", url));
	int rc = admin_render(req, res, 200, "job_delete", ctx);
	json_decref(ctx);
	return rc;
}

int admin_job_update(struct http_req *req, struct http_res *res)
{
	struct job j;
	if (!admin_role_in(req, ADMIN_ROLES_JOBS))
		return admin_forbidden(req, res);
	const char *action = form_get(&req->form, "action");
	if (!action)
		action = "save";
	if (strcmp(action, "save") != 0 && strcmp(action, "expire") != 0 &&
	    strcmp(action, "delete") != 0)
		return admin_error(req, res, 400, "jobs_admin_err_action");
	int rc = store_job_get(req->store, req->param_id, &j);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	char path[64];
	snprintf(path, sizeof path, "/admin/jobs/%lld", (long long)j.id);
	if (strcmp(action, "save") == 0) {
		rc = save(req, res, &j);
	} else if (strcmp(action, "expire") == 0) {
		rc = store_job_expire(req->store, j.id, req->now);
		if (rc == DP_ENOTFOUND)
			rc = admin_error(req, res, 404, NULL);
		else if (!rc) {
			audit(req, "job.expire", &j);
			rc = admin_redirect_done(res, path, "job_expired", NULL);
		}
	} else {
		const char *confirm = form_get(&req->form, "confirm");
		if (!confirm || strcmp(confirm, "1") != 0) {
			rc = delete_page(req, res, &j);
		} else {
			rc = store_job_delete(req->store, j.id);
			if (rc == DP_ENOTFOUND)
				rc = admin_error(req, res, 404, NULL);
			else if (!rc) {
				audit(req, "job.delete", &j);
				rc = admin_redirect_done(res, "/admin/jobs", "job_deleted", NULL);
			}
		}
	}
	job_release(&j);
	return rc;
}
