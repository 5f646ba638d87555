/* admin_outbox.c — the mail outbox in the admin: counts by status, the
 * messages of one status (failed first) with the relay's answer, retrying
 * failed messages (selected ones or all), and the state of delivery: the
 * mail settings and the relay's last answer (kv "mail.relay", written by
 * the sender). Also home of what every mail page shares (admin_mail.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "page/admin_mail.h"
#include "site/settings.h"
#include "site/site.h"
#include "util/err.h"

#define OUTBOX_PER_PAGE 50
#define OUTBOX_PAGE_MAX 100000
#define RETRY_MAX 200            /* ids one bulk retry takes */
#define RETRY_ALL_MAX 100000     /* messages "retry all" requeues at most */
#define RELAY_JSON_MAX 4096      /* bytes of the relay's state we read */

/* ---- shared by the mail pages ---- */

static const char *const section_names[ADMIN_MAIL__MAX] = {
	[ADMIN_MAIL_SUBSCRIBERS] = "subscribers",
	[ADMIN_MAIL_NEWSLETTERS] = "newsletters",
	[ADMIN_MAIL_OUTBOX] = "outbox",
	[ADMIN_MAIL_SETTINGS] = "settings",
};

/* The notices a mail page's redirect may ask for with ?done=NAME. */
static const char *const notices[] = {
	"sub_deleted", "nl_created", "nl_saved",  "nl_started",     "nl_deleted",
	"retried",     "retry_none", "settings_saved", "settings_none",
};

json_t *admin_mail_ctx_new(struct http_req *req, enum admin_mail_section sec)
{
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_NONE);
	if (!ctx)
		return NULL;
	if ((unsigned)sec < ADMIN_MAIL__MAX) {
		json_t *nav = json_object_get(ctx, "nav");
		if (nav)
			json_object_set_new(nav, section_names[sec], json_true());
	}
	const char *done = http_query(req, "done");
	for (size_t i = 0; done && i < sizeof notices / sizeof notices[0]; i++) {
		if (strcmp(done, notices[i]) == 0) {
			char key[64];
			snprintf(key, sizeof key, "admin_mail_done_%s", notices[i]);
			json_object_set_new(ctx, "notice", json_string(admin_t(req, key)));
		}
	}
	return ctx;
}

static bool setting_is_set(json_t *doc, const char *key)
{
	json_t *v = settings_lookup(doc, key);
	return json_is_string(v) && json_string_length(v) > 0;
}

static void add_problem(struct http_req *req, json_t *problems, const char *key,
			const char *detail)
{
	json_t *p = json_pack("{s:s}", "text", admin_t(req, key));
	if (p && detail && *detail)
		json_object_set_new(p, "detail", json_string(detail));
	json_array_append_new(problems, p);
}

/* The relay's state as the sender left it; NULL when there is none (or it
 * cannot be read as the object the sender writes). */
static json_t *relay_state(struct http_req *req)
{
	char *text = NULL;
	if (store_kv_get(req->store, "mail.relay", &text) != DP_OK)
		return NULL;
	json_t *in = strlen(text) <= RELAY_JSON_MAX ? json_loads(text, JSON_REJECT_DUPLICATES, NULL)
						    : NULL;
	free(text);
	json_t *ok = json_object_get(in, "ok");
	json_t *at = json_object_get(in, "at");
	json_t *msg = json_object_get(in, "message");
	json_t *out = NULL;
	if (json_is_boolean(ok)) {
		out = json_pack("{s:b, s:b}", "ok", json_is_true(ok), "failed", !json_is_true(ok));
		if (out && json_is_integer(at) && json_integer_value(at) > 0) {
			char human[96], iso[40];
			admin_fmt_time(req, (int64_t)json_integer_value(at), human, sizeof human, iso,
				       sizeof iso);
			json_object_set_new(out, "date_human", json_string(human));
			json_object_set_new(out, "date_iso", json_string(iso));
		}
		if (out && json_is_string(msg) && json_string_length(msg) > 0)
			json_object_set_new(out, "message", json_string(json_string_value(msg)));
	}
	json_decref(in);
	return out;
}

json_t *admin_mail_state(struct http_req *req)
{
	char err[256];
	json_t *doc = NULL;
	json_t *problems = json_array();
	json_t *st = json_object();
	bool configured = false, ready = false;
	if (!problems || !st) {
		json_decref(problems);
		json_decref(st);
		return NULL;
	}
	if (settings_read(req->site->dir, &doc, err, sizeof err) != DP_OK) {
		add_problem(req, problems, "admin_mail_state_unreadable", NULL);
	} else {
		bool url = setting_is_set(doc, "smtp.url");
		bool from = setting_is_set(doc, "mail.from");
		if (!url)
			add_problem(req, problems, "admin_mail_state_no_url", NULL);
		if (!from)
			add_problem(req, problems, "admin_mail_state_no_from", NULL);
		/* The server composes mail with the settings it read at start;
		 * a sender set or changed since then only counts after a restart. */
		const char *now_from = json_string_value(settings_lookup(doc, "mail.from"));
		if (from && strcmp(now_from, req->site->mail_from ? req->site->mail_from : "") != 0)
			add_problem(req, problems, "admin_mail_state_restart", NULL);
		if (url)
			json_object_set_new(st, "smtp_url",
					    json_string(json_string_value(settings_lookup(doc, "smtp.url"))));
		configured = url && from;
	}
	json_t *relay = relay_state(req);
	if (relay) {
		if (json_is_true(json_object_get(relay, "failed")))
			add_problem(req, problems, "admin_mail_state_relay_failed",
				    json_string_value(json_object_get(relay, "message")));
		json_object_set_new(st, "relay", relay);
	}
	ready = configured && json_array_size(problems) == 0;
	json_object_set_new(st, "ready", json_boolean(ready));
	json_object_set_new(st, "configured", json_boolean(configured));
	json_object_set_new(st, "has_problems", json_boolean(json_array_size(problems) > 0));
	json_object_set_new(st, "problems", problems);
	json_decref(doc);
	return st;
}

int admin_mail_summary(struct http_req *req, json_t *ctx)
{
	size_t subs[SUB_STATUS__MAX], box[OUTBOX_STATUS__MAX];
	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return DP_OK;
	int rc = store_subscriber_counts(req->store, subs);
	if (rc)
		return rc;
	rc = store_outbox_counts(req->store, box);
	if (rc)
		return rc;
	json_t *state = admin_mail_state(req);
	if (!state)
		return DP_ENOMEM;
	json_t *m = json_pack("{s:I, s:I, s:I, s:I, s:b, s:o}",
			      "subscribers_confirmed", (json_int_t)subs[SUB_CONFIRMED],
			      "subscribers_pending", (json_int_t)subs[SUB_PENDING],
			      "outbox_failed", (json_int_t)box[OUTBOX_FAILED],
			      "outbox_queued", (json_int_t)(box[OUTBOX_QUEUED] + box[OUTBOX_SENDING]),
			      "has_failed", box[OUTBOX_FAILED] > 0, "state", state);
	if (!m)
		return DP_ENOMEM;
	json_object_set_new(ctx, "mail", m);
	return DP_OK;
}

/* ---- the outbox ---- */

/* The tabs: one per status, failed first, and all. */
static const enum outbox_status tab_order[] = { OUTBOX_FAILED, OUTBOX_QUEUED, OUTBOX_SENDING,
						OUTBOX_SENT, OUTBOX_STATUS__MAX };

static const char *tab_name(enum outbox_status st)
{
	return st == OUTBOX_STATUS__MAX ? "all" : outbox_status_name(st);
}

static bool tab_parse(const char *s, enum outbox_status *ret)
{
	for (size_t i = 0; s && i < sizeof tab_order / sizeof tab_order[0]; i++) {
		if (strcmp(s, tab_name(tab_order[i])) == 0) {
			*ret = tab_order[i];
			return true;
		}
	}
	return false;
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

static json_t *msg_obj(struct http_req *req, const struct outbox_msg *m)
{
	char kkey[48], skey[48];
	snprintf(kkey, sizeof kkey, "admin_mail_kind_%s", outbox_kind_name(m->kind));
	snprintf(skey, sizeof skey, "admin_mail_outbox_%s", outbox_status_name(m->status));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "id", (json_int_t)m->id,
			      "kind", outbox_kind_name(m->kind), "kind_label", admin_t(req, kkey),
			      "status", outbox_status_name(m->status), "status_label",
			      admin_t(req, skey), "recipient", m->recipient ? m->recipient : "",
			      "attempts", m->attempts, "is_failed", m->status == OUTBOX_FAILED);
	if (!o)
		return NULL;
	set_time(req, o, "created", m->created_at);
	if (m->status == OUTBOX_QUEUED)
		set_time(req, o, "next", m->next_attempt_at);
	if (m->status == OUTBOX_SENT)
		set_time(req, o, "sent", m->sent_at);
	if (m->last_error && *m->last_error)
		json_object_set_new(o, "last_error", json_string(m->last_error));
	return o;
}

int admin_outbox(struct http_req *req, struct http_res *res)
{
	struct outbox_msg *msgs = NULL;
	size_t n = 0, total = 0, counts[OUTBOX_STATUS__MAX];
	json_t *ctx = NULL;
	char url[96], key[64];

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	int rc = store_outbox_counts(req->store, counts);
	if (rc)
		return rc;
	/* Failures first: they are what needs a person; without any, all. */
	enum outbox_status st = counts[OUTBOX_FAILED] ? OUTBOX_FAILED : OUTBOX_STATUS__MAX;
	const char *want = http_query(req, "status");
	if (want && !tab_parse(want, &st))
		return admin_error(req, res, 400, "admin_mail_outbox_bad_status");
	int64_t page = admin_query_num(req, "page", 1, OUTBOX_PAGE_MAX);
	rc = store_outbox_list(req->store, st, (size_t)(page - 1) * OUTBOX_PER_PAGE,
			       OUTBOX_PER_PAGE, &msgs, &n, &total);
	if (rc)
		return rc;
	size_t pages = (total + OUTBOX_PER_PAGE - 1) / OUTBOX_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_OUTBOX);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *tabs = json_array();
	size_t all = 0;
	for (int i = 0; i < OUTBOX_STATUS__MAX; i++)
		all += counts[i];
	for (size_t i = 0; i < sizeof tab_order / sizeof tab_order[0]; i++) {
		enum outbox_status t = tab_order[i];
		snprintf(key, sizeof key, "admin_mail_outbox_tab_%s", tab_name(t));
		snprintf(url, sizeof url, "/admin/outbox?status=%s", tab_name(t));
		json_array_append_new(tabs, json_pack("{s:s, s:s, s:s, s:I, s:b}", "name",
						      tab_name(t), "label", admin_t(req, key), "url",
						      url, "count",
						      (json_int_t)(t == OUTBOX_STATUS__MAX ? all
											    : counts[t]),
						      "current", t == st));
	}
	json_object_set_new(ctx, "tabs", tabs);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, msg_obj(req, &msgs[i]));
	json_object_set_new(ctx, "messages", arr);
	json_object_set_new(ctx, "has_messages", json_boolean(n > 0));
	snprintf(key, sizeof key, "admin_mail_outbox_tab_%s", tab_name(st));
	json_object_set_new(ctx, "box",
			    json_pack("{s:s, s:s, s:I, s:I, s:b, s:b}", "status", tab_name(st),
				      "label", admin_t(req, key), "total", (json_int_t)total,
				      "page", (json_int_t)page, "failed_tab", st == OUTBOX_FAILED,
				      "can_retry", counts[OUTBOX_FAILED] > 0));
	json_object_set_new(ctx, "failed_count", json_integer((json_int_t)counts[OUTBOX_FAILED]));
	json_t *state = admin_mail_state(req);
	if (!state) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_object_set_new(ctx, "mail_state", state);
	if (pages > 1) {
		json_t *pg = json_pack("{s:I, s:I}", "current", (json_int_t)page, "total",
				       (json_int_t)pages);
		if (page > 1) {
			snprintf(url, sizeof url, "/admin/outbox?status=%s&page=%lld", tab_name(st),
				 (long long)page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if ((size_t)page < pages) {
			snprintf(url, sizeof url, "/admin/outbox?status=%s&page=%lld", tab_name(st),
				 (long long)page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "outbox", ctx);
out:
	json_decref(ctx);
	outbox_msgs_free(msgs, n);
	return rc;
}

/* Requeues every failed message (a page at a time: each retry takes the
 * message out of the failed list). */
static int retry_all(struct http_req *req, size_t *ret_done)
{
	while (*ret_done < RETRY_ALL_MAX) {
		struct outbox_msg *msgs = NULL;
		size_t n = 0, now_done = 0;
		int rc = store_outbox_list(req->store, OUTBOX_FAILED, 0, RETRY_MAX, &msgs, &n, NULL);
		if (rc)
			return rc;
		for (size_t i = 0; i < n && !rc; i++) {
			rc = store_outbox_retry(req->store, msgs[i].id, req->now);
			if (rc == DP_ENOTFOUND) { /* retried meanwhile by someone else */
				rc = DP_OK;
				continue;
			}
			if (!rc)
				now_done++;
		}
		outbox_msgs_free(msgs, n);
		if (rc)
			return rc;
		*ret_done += now_done;
		if (n < RETRY_MAX || now_done == 0)
			break;
	}
	return DP_OK;
}

int admin_outbox_action(struct http_req *req, struct http_res *res)
{
	const char *ids[RETRY_MAX];
	char detail[64];
	size_t done = 0;
	int rc = DP_OK;

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	const char *action = form_get(&req->form, "action");
	if (action && strcmp(action, "retry") == 0) {
		size_t n = form_get_all(&req->form, "id", ids, RETRY_MAX);
		for (size_t i = 0; i < n; i++) {
			int64_t id = admin_parse_id(ids[i]);
			if (!id)
				continue;
			rc = store_outbox_retry(req->store, id, req->now);
			if (rc == DP_ENOTFOUND)
				continue; /* not failed (any more): nothing to do */
			if (rc)
				return rc;
			done++;
		}
	} else if (action && strcmp(action, "retry_all") == 0) {
		rc = retry_all(req, &done);
		if (rc && !done)
			return rc;
	} else {
		return admin_error(req, res, 400, "admin_error_action");
	}
	if (done) {
		snprintf(detail, sizeof detail, "%zu message%s queued again", done,
			 done == 1 ? "" : "s");
		admin_audit_add(req, "outbox.retry", "outbox", detail);
	}
	return admin_redirect_done(res, "/admin/outbox", done ? "retried" : "retry_none",
				   done ? "&status=queued" : "&status=failed");
}
