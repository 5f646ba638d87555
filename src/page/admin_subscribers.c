/* admin_subscribers.c — newsletter and topic-alert subscribers in the admin:
 * search by a part of the address, filter by state, counts per state; one
 * subscriber with topics, frequency, dates and every consent record (when
 * and from which IP the request came and was confirmed, the exact wording
 * agreed to and its version); erasure on request (a confirmation step,
 * then POST); the CSV export of the current filter.
 *
 * Personal data stays where it is: the audit log names the subscriber's id,
 * never the address. CSV cells are RFC 4180-quoted and cells a spreadsheet
 * would run as a formula are defused with a leading apostrophe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "page/page.h"
#include "page/admin_mail.h"
#include "render/html.h"
#include "site/site.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define SUBS_PER_PAGE 50
#define SUBS_PAGE_MAX 100000
#define SEARCH_MAX 200              /* bytes of an address search */
#define CSV_CHUNK 500               /* subscribers read per query while exporting */
#define CSV_MAX (64u << 20)         /* bytes of an export */

/* The state filter: a subscriber_status, or all. */
#define FILTER_ALL SUB_STATUS__MAX

static const char *filter_name(int f)
{
	return f == FILTER_ALL ? "all" : subscriber_status_name((enum subscriber_status)f);
}

/* The filter of the request (q, status). Returns false for a status that
 * names no state; q is NULL when absent, blank, too long or not UTF-8. */
static bool read_filter(const struct http_req *req, const char **ret_q, int *ret_status)
{
	const char *q = http_query(req, "q");
	const char *s = http_query(req, "status");
	bool blank = true;
	for (const char *p = q; p && *p; p++)
		if (!strchr(" \t\r\n", *p))
			blank = false;
	if (q && (blank || strlen(q) > SEARCH_MAX || !utf8_valid(q, strlen(q)) ||
		  utf8_has_control(q, "")))
		q = NULL;
	*ret_q = q;
	*ret_status = FILTER_ALL;
	if (!s || !*s)
		return true;
	for (int i = 0; i <= FILTER_ALL; i++) {
		if (strcmp(s, filter_name(i)) == 0) {
			*ret_status = i;
			return true;
		}
	}
	return false;
}

/* "PATH?status=..&q=..&page=N" with every argument URL-encoded. */
static void filter_url(struct buf *b, const char *path, int status, const char *q, int64_t page)
{
	buf_printf(b, "%s?status=%s", path, filter_name(status));
	if (q && *q) {
		buf_puts(b, "&q=");
		url_arg(b, q);
	}
	if (page > 1)
		buf_printf(b, "&page=%lld", (long long)page);
}

static void set_time(struct http_req *req, json_t *o, const char *name, int64_t t)
{
	char human[96], iso[40], key[48];
	if (t <= 0)
		return;
	admin_fmt_time(req, t, human, sizeof human, iso, sizeof iso);
	snprintf(key, sizeof key, "%s_human", name);
	json_object_set_new(o, key, json_string(human));
	snprintf(key, sizeof key, "%s_iso", name);
	json_object_set_new(o, key, json_string(iso));
}

static json_t *topics_array(char *const *topics, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++) {
		char url[256];
		snprintf(url, sizeof url, "/tag/%s/", topics[i]);
		json_array_append_new(a, json_pack("{s:s, s:s}", "slug", topics[i], "url", url));
	}
	return a;
}

/* A subscriber as the list and the detail page show them. */
static json_t *sub_obj(struct http_req *req, const struct subscriber *s)
{
	char key[64], url[64];
	snprintf(key, sizeof key, "admin_mail_sub_status_%s", subscriber_status_name(s->status));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b, s:o, s:b}", "id", (json_int_t)s->id,
			      "email", s->email ? s->email : "", "status",
			      subscriber_status_name(s->status), "status_label", admin_t(req, key),
			      "newsletter", s->newsletter, "topics",
			      topics_array(s->topics, s->ntopics), "has_topics", s->ntopics > 0);
	if (!o)
		return NULL;
	snprintf(key, sizeof key, "admin_mail_freq_%s", sub_frequency_name(s->frequency));
	json_object_set_new(o, "frequency_label", json_string(admin_t(req, key)));
	snprintf(key, sizeof key, "is_%s", subscriber_status_name(s->status));
	json_object_set_new(o, key, json_true());
	snprintf(url, sizeof url, "/admin/subscribers/%lld", (long long)s->id);
	json_object_set_new(o, "url", json_string(url));
	snprintf(url, sizeof url, "/admin/subscribers/%lld?delete=1", (long long)s->id);
	json_object_set_new(o, "delete_url", json_string(url));
	snprintf(url, sizeof url, "/admin/subscribers/%lld/delete", (long long)s->id);
	json_object_set_new(o, "delete_action", json_string(url));
	set_time(req, o, "created", s->created_at);
	set_time(req, o, "confirmed", s->confirmed_at);
	set_time(req, o, "unsubscribed", s->unsubscribed_at);
	set_time(req, o, "last_digest", s->last_digest_at);
	return o;
}

int admin_subscribers(struct http_req *req, struct http_res *res)
{
	struct subscriber *subs = NULL;
	size_t n = 0, total = 0, counts[SUB_STATUS__MAX];
	json_t *ctx = NULL;
	const char *q;
	int status;
	struct buf u = BUF_INIT(2048);

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	if (!read_filter(req, &q, &status))
		return admin_error(req, res, 400, "admin_mail_sub_bad_status");
	int64_t page = admin_query_num(req, "page", 1, SUBS_PAGE_MAX);
	int rc = store_subscriber_counts(req->store, counts);
	if (rc)
		return rc;
	struct subscriber_query sq = { .q = q, .status = status == FILTER_ALL ? -1 : status,
				       .offset = (size_t)(page - 1) * SUBS_PER_PAGE,
				       .limit = SUBS_PER_PAGE };
	rc = store_subscribers(req->store, &sq, &subs, &n, &total);
	if (rc)
		return rc;
	size_t pages = (total + SUBS_PER_PAGE - 1) / SUBS_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_SUBSCRIBERS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	/* One tab per state with its count (the search does not narrow the
	 * counts: they are the list's size at a glance). */
	json_t *tabs = json_array(), *opts = json_array();
	size_t all = 0;
	for (int i = 0; i < SUB_STATUS__MAX; i++)
		all += counts[i];
	for (int i = 0; i <= FILTER_ALL; i++) {
		char key[64];
		snprintf(key, sizeof key, "admin_mail_sub_tab_%s", filter_name(i));
		buf_reset(&u);
		filter_url(&u, "/admin/subscribers", i, q, 1);
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:s, s:I, s:b}", "name",
						      filter_name(i), "label", admin_t(req, key),
						      "url", buf_cstr(&u), "count",
						      (json_int_t)(i == FILTER_ALL ? all : counts[i]),
						      "current", i == status));
		json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", filter_name(i),
						      "label", admin_t(req, key), "selected",
						      i == status));
	}
	json_object_set_new(ctx, "tabs", tabs);
	buf_reset(&u);
	filter_url(&u, "/admin/subscribers.csv", status, q, 1);
	json_object_set_new(ctx, "filter",
			    json_pack("{s:o, s:s, s:I, s:s, s:b}", "options", opts, "q", q ? q : "",
				      "matched", (json_int_t)total, "csv_url", buf_cstr(&u),
				      "searching", q != NULL));
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, sub_obj(req, &subs[i]));
	json_object_set_new(ctx, "subscribers", arr);
	json_object_set_new(ctx, "has_subscribers", json_boolean(n > 0));
	if (pages > 1) {
		json_t *pg = json_pack("{s:I, s:I}", "current", (json_int_t)page, "total",
				       (json_int_t)pages);
		if (page > 1) {
			buf_reset(&u);
			filter_url(&u, "/admin/subscribers", status, q, page - 1);
			json_object_set_new(pg, "prev_url", json_string(buf_cstr(&u)));
		}
		if ((size_t)page < pages) {
			buf_reset(&u);
			filter_url(&u, "/admin/subscribers", status, q, page + 1);
			json_object_set_new(pg, "next_url", json_string(buf_cstr(&u)));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = buf_error(&u);
	if (!rc)
		rc = admin_render(req, res, 200, "subscribers", ctx);
out:
	buf_release(&u);
	json_decref(ctx);
	subscribers_free(subs, n);
	return rc;
}

/* ---- one subscriber ---- */

static json_t *consent_obj(struct http_req *req, const struct consent *c)
{
	const char *state = c->confirmed_at ? "confirmed"
			    : c->expires_at && c->expires_at < req->now ? "expired" : "open";
	char key[64];
	snprintf(key, sizeof key, "admin_mail_consent_state_%s", state);
	json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:b}", "id",
			      (json_int_t)c->id, "state", state, "state_label", admin_t(req, key),
			      "wording_paras", ctx_text_paras(c->wording),
			      "wording", c->wording ? c->wording : "",
			      "version", c->version ? c->version : "",
			      "request_ip", c->request_ip ? c->request_ip : "",
			      "newsletter", c->newsletter, "confirmed", c->confirmed_at != 0);
	if (!o)
		return NULL;
	if (c->topics && *c->topics)
		json_object_set_new(o, "topics", json_string(c->topics));
	if (c->confirm_ip && *c->confirm_ip)
		json_object_set_new(o, "confirm_ip", json_string(c->confirm_ip));
	set_time(req, o, "requested", c->requested_at);
	set_time(req, o, "confirmed", c->confirmed_at);
	if (!c->confirmed_at)
		set_time(req, o, "expires", c->expires_at);
	return o;
}

int admin_subscriber(struct http_req *req, struct http_res *res)
{
	struct subscriber s = { 0 };
	struct consent *cs = NULL;
	size_t ncs = 0;
	json_t *ctx = NULL;

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	const char *del = http_query(req, "delete");
	bool confirm_delete = del && strcmp(del, "1") == 0;
	int rc = store_subscriber_by_id(req->store, req->param_id, &s);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	rc = store_subscriber_consents(req->store, s.id, &cs, &ncs);
	if (rc)
		goto out;
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_SUBSCRIBERS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_object_set_new(ctx, "subscriber", sub_obj(req, &s));
	json_t *arr = json_array();
	for (size_t i = 0; i < ncs; i++)
		json_array_append_new(arr, consent_obj(req, &cs[i]));
	json_object_set_new(ctx, "consents", arr);
	json_object_set_new(ctx, "has_consents", json_boolean(ncs > 0));
	json_object_set_new(ctx, "consent_count", json_integer((json_int_t)ncs));
	rc = admin_render(req, res, 200, confirm_delete ? "subscriber_delete" : "subscriber", ctx);
out:
	json_decref(ctx);
	consents_free(cs, ncs);
	subscriber_release(&s);
	return rc;
}

int admin_subscriber_delete(struct http_req *req, struct http_res *res)
{
	struct subscriber s = { 0 };
	struct consent *cs = NULL;
	size_t ncs = 0;
	char object[48], detail[128];

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	int rc = store_subscriber_by_id(req->store, req->param_id, &s);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	rc = store_subscriber_consents(req->store, s.id, &cs, &ncs);
	if (rc)
		goto out;
	rc = store_subscriber_delete(req->store, s.id);
	if (rc == DP_ENOTFOUND) { /* erased meanwhile */
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	if (rc)
		goto out;
	/* What the log needs to show an erasure happened, and no more: the id,
	 * the state it had and how many consent records went with it. */
	snprintf(object, sizeof object, "subscriber %lld", (long long)s.id);
	snprintf(detail, sizeof detail, "erased on request (%s, %zu consent record%s)",
		 subscriber_status_name(s.status), ncs, ncs == 1 ? "" : "s");
	admin_audit_add(req, "subscriber.delete", object, detail);
	rc = admin_redirect_done(res, "/admin/subscribers", "sub_deleted", NULL);
out:
	consents_free(cs, ncs);
	subscriber_release(&s);
	return rc;
}

/* ---- CSV export ---- */

/* One cell: a cell a spreadsheet would read as a formula (=, +, -, @, or a
 * tab or CR that some strip first) gets a leading apostrophe; then quoted
 * as RFC 4180 asks when it holds a comma, a quote, a line break or edge
 * spaces, quotes doubled. */
static void csv_cell(struct buf *b, const char *s)
{
	s = s ? s : "";
	bool defuse = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") != NULL || (n && (s[0] == ' ' || s[n - 1] == ' '));
	if (quote)
		buf_putc(b, '"');
	if (defuse)
		buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	if (quote)
		buf_putc(b, '"');
}

static void csv_time(struct buf *b, int64_t t)
{
	char iso[40] = "";
	if (t > 0)
		time_fmt_iso_utc(iso, sizeof iso, t);
	csv_cell(b, iso);
}

static void csv_row(struct buf *b, const struct subscriber *s)
{
	csv_cell(b, s->email);
	buf_putc(b, ',');
	csv_cell(b, subscriber_status_name(s->status));
	buf_putc(b, ',');
	csv_cell(b, s->newsletter ? "yes" : "no");
	buf_putc(b, ',');
	csv_cell(b, sub_frequency_name(s->frequency));
	buf_putc(b, ',');
	struct buf t = BUF_INIT(64 * 1024);
	for (size_t i = 0; i < s->ntopics; i++)
		buf_printf(&t, "%s%s", i ? " " : "", s->topics[i]);
	csv_cell(b, buf_cstr(&t));
	if (buf_error(&t) && !b->err)
		b->err = buf_error(&t);
	buf_release(&t);
	buf_putc(b, ',');
	csv_time(b, s->created_at);
	buf_putc(b, ',');
	csv_time(b, s->confirmed_at);
	buf_puts(b, "\r\n");
}

int admin_subscribers_csv(struct http_req *req, struct http_res *res)
{
	const char *q;
	int status;
	size_t rows = 0;
	char disp[96], day[40], detail[96];

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	if (!read_filter(req, &q, &status))
		return admin_error(req, res, 400, "admin_mail_sub_bad_status");
	buf_reset(&res->body);
	res->body.max = CSV_MAX;
	buf_puts(&res->body, "email,status,newsletter,frequency,topics,created_at,confirmed_at\r\n");
	/* In pages, newest first: a sign-up during the export may show up
	 * twice or an erasure leave a gap; never a half-written row. */
	for (size_t offset = 0;; offset += CSV_CHUNK) {
		struct subscriber *subs = NULL;
		size_t n = 0;
		struct subscriber_query sq = { .q = q, .status = status == FILTER_ALL ? -1 : status,
					       .offset = offset, .limit = CSV_CHUNK };
		int rc = store_subscribers(req->store, &sq, &subs, &n, NULL);
		if (rc)
			return rc;
		for (size_t i = 0; i < n; i++)
			csv_row(&res->body, &subs[i]);
		subscribers_free(subs, n);
		rows += n;
		if (buf_error(&res->body) == DP_ETOOBIG)
			return admin_error(req, res, 413, "admin_mail_csv_too_big");
		if (buf_error(&res->body))
			return buf_error(&res->body);
		if (n < CSV_CHUNK)
			break;
	}
	time_fmt_iso_utc(day, sizeof day, req->now); /* "2026-11-27T10:…": the date part */
	day[10] = '\0';
	snprintf(disp, sizeof disp, "attachment; filename=\"subscribers-%s.csv\"", day);
	int rc = http_res_header(res, "Content-Disposition", disp);
	if (rc)
		return rc;
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	snprintf(detail, sizeof detail, "%zu row%s, status %s%s", rows, rows == 1 ? "" : "s",
		 filter_name(status), q ? ", with a search" : "");
	admin_audit_add(req, "subscriber.export", "subscribers", detail);
	return DP_OK;
}
