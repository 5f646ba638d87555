/* admin_newsletters.c — newsletter issues in the admin: the list with each
 * issue's figures (queued, sent, failed) and its progress while it goes out;
 * composing (empty, or from the week's articles); the form's actions save,
 * preview (the mail as subscribers get it, in a sandboxed frame, and its
 * text part), test (to the signed-in user's own address), send (a
 * confirmation step with the number of recipients, then the dispatcher of
 * the server queues the mails in batches) and delete (drafts, confirmed).
 * An issue that started sending is read-only.
 *
 * What a mail looks like is the dispatcher's (newsletter/dispatch.h); this
 * file checks the form, keeps the draft and writes the audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newsletter/dispatch.h"
#include "page/admin.h"
#include "page/admin_common.h"
#include "page/admin_mail.h"
#include "site/site.h"
#include "util/err.h"
#include "util/utf8.h"

#define NL_PER_PAGE 20
#define NL_PAGE_MAX 100000
#define SUBJECT_MAX 200              /* characters, as `depesche newsletter` */
#define BODY_MAX (1000u * 1000u)     /* bytes of Markdown (the route takes 1 MiB in all) */
#define TOPICS_TEXT_MAX 4096         /* bytes of the topics field */
#define COUNT_BATCH 1000             /* subscribers read per query while counting */

/* The default policy of admin pages (http/dynamic.c) with inline styles
 * allowed, for the mail in the preview frame. */
#define PREVIEW_CSP                                                                        \
	"default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; " \
	"script-src 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; "        \
	"frame-ancestors 'none'"

/* What the form holds (borrowed from the request or a stored issue). */
struct nl_fields {
	const char *subject, *body, *topics;
};

/* Per-field problems (t keys) and the normalised topics ("a b", malloc'd). */
struct nl_check {
	const char *subject, *body, *topics;
	char *topic_bad;             /* the first unknown topic (malloc'd), for the message */
	char *topics_norm;
};

static void check_release(struct nl_check *c)
{
	free(c->topic_bad);
	free(c->topics_norm);
}

static bool is_blank(const char *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* Whether the space-separated list has word w. */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; *p;) {
		size_t m = strcspn(p, " ");
		if (m == n && strncmp(p, w, n) == 0)
			return true;
		p += m;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* "a, B c" -> "a b c" after checking each is the slug of a tag. */
static int check_topics(struct http_req *req, const char *in, struct nl_check *c)
{
	struct buf out = BUF_INIT(TOPICS_TEXT_MAX);
	char *copy = NULL, *save = NULL;
	size_t n = 0;
	int rc = DP_OK;
	in = in ? in : "";
	if (strlen(in) > TOPICS_TEXT_MAX || !utf8_valid(in, strlen(in)) ||
	    utf8_has_control(in, "")) {
		c->topics = "admin_mail_nl_topics_bad";
		return DP_OK;
	}
	copy = strdup(in);
	if (!copy)
		return DP_ENOMEM;
	for (char *p = copy; *p; p++) /* slugs are lower case: "Hafen" means hafen */
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		struct term term = { 0 };
		if (has_word(buf_cstr(&out), t))
			continue; /* named twice */
		rc = store_term_by_slug(req->store, TERM_TAG, t, &term);
		term_release(&term);
		if (rc == DP_ENOTFOUND) {
			rc = DP_OK;
			c->topics = "admin_mail_nl_topics_unknown";
			c->topic_bad = strdup(t);
			break;
		}
		if (rc)
			break;
		if (++n > SUB_TOPICS_MAX) {
			c->topics = "admin_mail_nl_topics_many";
			break;
		}
		buf_printf(&out, "%s%s", out.len ? " " : "", t);
	}
	free(copy);
	if (!rc && !c->topics) {
		buf_putc(&out, '\0'); /* no topics still makes a string */
		rc = buf_error(&out);
		if (!rc) {
			c->topics_norm = buf_take(&out, NULL);
			rc = c->topics_norm ? DP_OK : DP_ENOMEM;
		}
	}
	buf_release(&out);
	return rc;
}

/* Checks the form; true when it is fine. A store error comes back in *rc. */
static bool check_fields(struct http_req *req, const struct nl_fields *f, struct nl_check *c,
			 int *rc)
{
	const char *s = f->subject ? f->subject : "";
	const char *b = f->body ? f->body : "";
	if (is_blank(s))
		c->subject = "admin_mail_nl_subject_empty";
	else if (!utf8_valid(s, strlen(s)) || utf8_has_control(s, ""))
		c->subject = "admin_mail_nl_subject_bad";
	else if (utf8_len(s) > SUBJECT_MAX)
		c->subject = "admin_mail_nl_subject_long";
	if (strlen(b) > BODY_MAX)
		c->body = "admin_mail_nl_body_long";
	else if (!utf8_valid(b, strlen(b)) || utf8_has_control(b, "\n\r\t"))
		c->body = "admin_mail_nl_body_bad";
	else if (is_blank(b))
		c->body = "admin_mail_nl_body_empty";
	*rc = check_topics(req, f->topics, c);
	return !*rc && !c->subject && !c->body && !c->topics;
}

static struct mail_env env_of(struct http_req *req)
{
	struct mail_env e = { req->site, req->theme, req->store, req->now };
	return e;
}

/* Splits "a b c" into at most SUB_TOPICS_MAX pointers into copy. */
static size_t split_topics(char *copy, const char **ret)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t && n < SUB_TOPICS_MAX;
	     t = strtok_r(NULL, " ", &save))
		ret[n++] = t;
	return n;
}

/* Confirmed subscribers the issue goes to with id > after_id (as the
 * dispatcher chooses them: store_subscribers_batch). */
static int count_recipients(struct http_req *req, const char *topics, int64_t after_id,
			    size_t *ret)
{
	const char *t[SUB_TOPICS_MAX];
	char *copy = strdup(topics ? topics : "");
	int rc = DP_OK;
	*ret = 0;
	if (!copy)
		return DP_ENOMEM;
	size_t nt = split_topics(copy, t);
	for (;;) {
		struct subscriber *subs = NULL;
		size_t n = 0;
		rc = store_subscribers_batch(req->store, after_id, COUNT_BATCH, nt ? t : NULL, nt,
					     &subs, &n);
		if (rc)
			break;
		if (n)
			after_id = subs[n - 1].id;
		subscribers_free(subs, n);
		*ret += n;
		if (n < COUNT_BATCH)
			break;
	}
	free(copy);
	return rc;
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

static json_t *topics_array(const char *topics)
{
	json_t *a = json_array();
	const char *t[SUB_TOPICS_MAX];
	char *copy = strdup(topics ? topics : "");
	if (!copy || !a) {
		free(copy);
		return a;
	}
	size_t n = split_topics(copy, t);
	for (size_t i = 0; i < n; i++) {
		char url[256];
		snprintf(url, sizeof url, "/tag/%s/", t[i]);
		json_array_append_new(a, json_pack("{s:s, s:s}", "slug", t[i], "url", url));
	}
	free(copy);
	return a;
}

/* The issue's state, figures and progress:
 *   id, subject, url, status, status_label, is_<status>, created_by, topics,
 *   has_topics, dates; for issues past the draft: figures {queued, waiting,
 *   sent, failed, has_failed}, progress {percent, expected, delivering}. */
static int issue_obj(struct http_req *req, const struct newsletter *nl, json_t **ret)
{
	char key[64], url[64];
	const char *st = newsletter_status_name(nl->status);
	*ret = NULL;
	json_t *topics = topics_array(nl->topics);
	bool has_topics = json_array_size(topics) > 0;
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:b}", "id", (json_int_t)nl->id,
			      "subject", nl->subject ? nl->subject : "", "status", st,
			      "created_by", nl->created_by ? nl->created_by : "", "topics", topics,
			      "has_topics", has_topics);
	if (!o)
		return DP_ENOMEM;
	snprintf(url, sizeof url, "/admin/newsletters/%lld", (long long)nl->id);
	json_object_set_new(o, "url", json_string(url));
	snprintf(key, sizeof key, "is_%s", st);
	json_object_set_new(o, key, json_true());
	set_time(req, o, "created", nl->created_at);
	set_time(req, o, "updated", nl->updated_at);
	set_time(req, o, "started", nl->started_at);
	set_time(req, o, "finished", nl->finished_at);
	const char *label = st;
	if (nl->status != NEWSLETTER_DRAFT) {
		size_t c[OUTBOX_STATUS__MAX];
		int rc = store_outbox_counts_for(req->store, nl->id, c);
		if (rc) {
			json_decref(o);
			return rc;
		}
		size_t waiting = c[OUTBOX_QUEUED] + c[OUTBOX_SENDING];
		size_t done = c[OUTBOX_SENT] + c[OUTBOX_FAILED];
		/* While the dispatcher still queues, the rest of the list is
		 * counted from where it stands (the cursor). */
		size_t expected = nl->queued;
		if (nl->status == NEWSLETTER_SENDING) {
			size_t rest = 0;
			rc = count_recipients(req, nl->topics, nl->cursor, &rest);
			if (rc) {
				json_decref(o);
				return rc;
			}
			expected += rest;
		}
		if (expected < done + waiting)
			expected = done + waiting;
		int percent = expected ? (int)(done * 100 / expected) : 100;
		bool delivering = nl->status == NEWSLETTER_SENDING || waiting > 0;
		json_object_set_new(o, "figures",
				    json_pack("{s:I, s:I, s:I, s:I, s:b}", "queued",
					      (json_int_t)nl->queued, "waiting", (json_int_t)waiting,
					      "sent", (json_int_t)c[OUTBOX_SENT], "failed",
					      (json_int_t)c[OUTBOX_FAILED], "has_failed",
					      c[OUTBOX_FAILED] > 0));
		json_object_set_new(o, "progress",
				    json_pack("{s:i, s:I, s:b}", "percent", percent, "expected",
					      (json_int_t)expected, "delivering", delivering));
		label = delivering ? "delivering" : "done";
	}
	snprintf(key, sizeof key, "admin_mail_nl_status_%s", label);
	json_object_set_new(o, "status_label", json_string(admin_t(req, key)));
	*ret = o;
	return DP_OK;
}

/* ---- the list ---- */

int admin_newsletters(struct http_req *req, struct http_res *res)
{
	struct newsletter *list = NULL;
	size_t n = 0, total = 0;
	json_t *ctx = NULL;
	char url[64];

	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	int64_t page = admin_query_num(req, "page", 1, NL_PAGE_MAX);
	int rc = store_newsletters(req->store, (size_t)(page - 1) * NL_PER_PAGE, NL_PER_PAGE, &list,
				   &n, &total);
	if (rc)
		return rc;
	size_t pages = (total + NL_PER_PAGE - 1) / NL_PER_PAGE;
	if (page > 1 && (size_t)page > pages) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_NEWSLETTERS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *arr = json_array();
	json_object_set_new(ctx, "issues", arr);
	for (size_t i = 0; i < n; i++) {
		json_t *o = NULL;
		rc = issue_obj(req, &list[i], &o);
		if (rc)
			goto out;
		json_array_append_new(arr, o);
	}
	json_object_set_new(ctx, "has_issues", json_boolean(n > 0));
	json_object_set_new(ctx, "total", json_integer((json_int_t)total));
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
			snprintf(url, sizeof url, "/admin/newsletters?page=%lld", (long long)page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if ((size_t)page < pages) {
			snprintf(url, sizeof url, "/admin/newsletters?page=%lld", (long long)page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "newsletters", ctx);
out:
	json_decref(ctx);
	newsletters_free(list, n);
	return rc;
}

/* ---- the form ---- */

/* Extras of the form page: a problem sentence (t key) with its detail, the
 * preview, and the outcome of a test mail. All optional. */
struct form_extra {
	const char *error;           /* t key of a problem of the whole form */
	const char *error_detail;
	const struct nl_check *check;
	const char *preview_html, *preview_text;
	const char *test_to;         /* a test mail was queued to this address */
};

/* Renders the composer for stored issue nl (NULL: a new one) with fields f. */
static int form_page(struct http_req *req, struct http_res *res, unsigned status,
		     const struct newsletter *nl, const struct nl_fields *f,
		     const struct form_extra *x)
{
	char url[64];
	json_t *ctx = admin_mail_ctx_new(req, ADMIN_MAIL_NEWSLETTERS);
	if (!ctx)
		return DP_ENOMEM;
	json_t *o = json_pack("{s:s, s:s, s:s}", "subject", f->subject ? f->subject : "", "body",
			      f->body ? f->body : "", "topics", f->topics ? f->topics : "");
	if (nl) {
		json_object_set_new(o, "id", json_integer((json_int_t)nl->id));
		snprintf(url, sizeof url, "/admin/newsletters/%lld", (long long)nl->id);
		json_object_set_new(o, "action_url", json_string(url));
		json_object_set_new(o, "created_by",
				    json_string(nl->created_by ? nl->created_by : ""));
		set_time(req, o, "created", nl->created_at);
		set_time(req, o, "updated", nl->updated_at);
	} else {
		json_object_set_new(o, "action_url", json_string("/admin/newsletters"));
		json_object_set_new(o, "is_new", json_true());
	}
	json_object_set_new(ctx, "nl", o);
	if (x && x->check) {
		const struct nl_check *c = x->check;
		json_t *e = json_object();
		if (c->subject)
			json_object_set_new(e, "subject", json_string(admin_t(req, c->subject)));
		if (c->body)
			json_object_set_new(e, "body", json_string(admin_t(req, c->body)));
		if (c->topics)
			json_object_set_new(e, "topics", json_string(admin_t(req, c->topics)));
		if (c->topic_bad)
			json_object_set_new(e, "topic_bad", json_string(c->topic_bad));
		bool any = c->subject || c->body || c->topics;
		json_object_set_new(ctx, "errors", e);
		if (any)
			json_object_set_new(ctx, "error",
					    json_string(admin_t(req, "admin_mail_nl_check_fields")));
	}
	if (x && x->error)
		json_object_set_new(ctx, "error", json_string(admin_t(req, x->error)));
	if (x && x->error_detail && *x->error_detail)
		json_object_set_new(ctx, "error_detail", json_string(x->error_detail));
	if (x && x->preview_html)
		json_object_set_new(ctx, "preview",
				    json_pack("{s:s, s:s}", "html", x->preview_html, "text",
					      x->preview_text ? x->preview_text : ""));
	if (x && x->test_to)
		json_object_set_new(ctx, "test_to", json_string(x->test_to));
	json_t *state = admin_mail_state(req);
	if (!state) {
		json_decref(ctx);
		return DP_ENOMEM;
	}
	json_object_set_new(ctx, "mail_state", state);
	int rc = admin_render(req, res, status, "newsletter_form", ctx);
	json_decref(ctx);
	return rc;
}

int admin_newsletter_new(struct http_req *req, struct http_res *res)
{
	struct nl_fields f = { "", "", "" };
	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	const char *from = http_query(req, "from");
	if (!from || strcmp(from, "week") != 0)
		return form_page(req, res, 200, NULL, &f, NULL);
	/* Start from the public articles of the last seven days. */
	struct newsletter draft = { 0 };
	struct mail_env env = env_of(req);
	int rc = dispatch_weekly_draft(&env, &draft);
	if (rc == DP_ENOMEM)
		return rc;
	if (rc) {
		struct form_extra x = { .error = "admin_mail_nl_week_failed" };
		rc = form_page(req, res, 200, NULL, &f, &x);
	} else {
		f.subject = draft.subject ? draft.subject : "";
		f.body = draft.body_md ? draft.body_md : "";
		f.topics = draft.topics ? draft.topics : "";
		rc = form_page(req, res, 200, NULL, &f, NULL);
	}
	newsletter_release(&draft);
	return rc;
}

/* The draft as the form has it: strings borrowed, never released. */
static struct newsletter draft_of(const struct newsletter *stored, const struct nl_fields *f,
				  const struct nl_check *c, const char *by)
{
	struct newsletter nl = { 0 };
	if (stored) {
		nl.id = stored->id;
		nl.created_by = stored->created_by;
		nl.created_at = stored->created_at;
	} else {
		nl.created_by = (char *)by;
	}
	nl.status = NEWSLETTER_DRAFT;
	nl.subject = (char *)f->subject;
	nl.body_md = (char *)f->body;
	nl.topics = c->topics_norm ? c->topics_norm : (char *)"";
	return nl;
}

/* The preview: the mail's HTML (for a sandboxed frame) and its text part. */
static int preview(struct http_req *req, struct http_res *res, const struct newsletter *stored,
		   const struct nl_fields *f, const struct nl_check *c)
{
	char *html = NULL, *text = NULL;
	struct newsletter nl = draft_of(stored, f, c, req->auth.name);
	struct mail_env env = env_of(req);
	int rc = dispatch_newsletter_preview(&env, &nl, &html, &text);
	if (rc == DP_ENOMEM)
		return rc;
	if (rc) {
		/* Without a sender no mail can be made, not even to look at. */
		bool no_from = !req->site->mail_from || !*req->site->mail_from;
		struct form_extra x = { .error = no_from ? "admin_mail_nl_test_no_from"
							 : "admin_mail_nl_preview_failed",
					.error_detail = no_from ? NULL : dp_strerror(rc) };
		return form_page(req, res, 422, stored, f, &x);
	}
	struct form_extra x = { .preview_html = html, .preview_text = text };
	rc = form_page(req, res, 200, stored, f, &x);
	/* A srcdoc frame inherits the page's policy: the mail's inline styles
	 * need 'unsafe-inline' for styles (scripts stay off, the frame is
	 * sandboxed besides). Takes effect where the server lets a handler's
	 * policy replace its default one (http/dynamic.c). */
	if (!rc)
		rc = http_res_header(res, "Content-Security-Policy", PREVIEW_CSP);
	free(html);
	free(text);
	return rc;
}

/* A test mail of the form's content to the signed-in user's own address. */
static int send_test(struct http_req *req, struct http_res *res, const struct newsletter *stored,
		     const struct nl_fields *f, const struct nl_check *c)
{
	struct user u = { 0 };
	struct form_extra x = { 0 };
	int rc = req->auth.user_id ? store_user_by_id(req->store, req->auth.user_id, &u)
				   : DP_ENOTFOUND;
	if (rc && rc != DP_ENOTFOUND)
		return rc;
	if (rc || !u.email || !*u.email) {
		x.error = "admin_mail_nl_test_no_address";
		rc = form_page(req, res, 422, stored, f, &x);
		goto out;
	}
	if (!req->site->mail_from || !*req->site->mail_from) {
		x.error = "admin_mail_nl_test_no_from";
		rc = form_page(req, res, 422, stored, f, &x);
		goto out;
	}
	struct newsletter nl = draft_of(stored, f, c, req->auth.name);
	struct mail_env env = env_of(req);
	rc = dispatch_newsletter_test(&env, &nl, u.email);
	if (rc == DP_ENOMEM)
		goto out;
	if (rc) {
		x.error = "admin_mail_nl_test_failed";
		x.error_detail = dp_strerror(rc);
		rc = form_page(req, res, 422, stored, f, &x);
		goto out;
	}
	x.test_to = u.email;
	rc = form_page(req, res, 200, stored, f, &x);
out:
	user_release(&u);
	return rc;
}

/* The confirmation step of send and delete (template name, issue id). */
static int confirm_page(struct http_req *req, struct http_res *res, unsigned status,
			const char *tpl, int64_t id, const char *problem)
{
	struct newsletter nl = { 0 };
	json_t *ctx = NULL, *o = NULL;
	int rc = store_newsletter_get(req->store, id, &nl);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_NEWSLETTERS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	rc = issue_obj(req, &nl, &o);
	if (rc)
		goto out;
	json_object_set_new(ctx, "nl", o);
	if (strcmp(tpl, "newsletter_send") == 0) {
		size_t n = 0;
		rc = count_recipients(req, nl.topics, 0, &n);
		if (rc)
			goto out;
		json_object_set_new(ctx, "recipients", json_integer((json_int_t)n));
		json_object_set_new(ctx, "has_recipients", json_boolean(n > 0));
		json_object_set_new(ctx, "one_recipient", json_boolean(n == 1));
		json_t *state = admin_mail_state(req);
		if (!state) {
			rc = DP_ENOMEM;
			goto out;
		}
		json_object_set_new(ctx, "mail_state", state);
	}
	if (problem)
		json_object_set_new(ctx, "error", json_string(admin_t(req, problem)));
	rc = admin_render(req, res, status, tpl, ctx);
out:
	json_decref(ctx);
	newsletter_release(&nl);
	return rc;
}

enum nl_action { ACT_SAVE, ACT_PREVIEW, ACT_TEST, ACT_SEND, ACT_DELETE, ACT_SEND_CONFIRMED,
		 ACT_DELETE_CONFIRMED, ACT__MAX };

static const char *const action_names[ACT__MAX] = {
	[ACT_SAVE] = "save", [ACT_PREVIEW] = "preview", [ACT_TEST] = "test", [ACT_SEND] = "send",
	[ACT_DELETE] = "delete", [ACT_SEND_CONFIRMED] = "send_confirmed",
	[ACT_DELETE_CONFIRMED] = "delete_confirmed",
};

static enum nl_action action_of(const struct http_req *req)
{
	const char *a = form_get(&req->form, "action");
	for (int i = 0; i < ACT__MAX; i++)
		if (strcmp(a ? a : "save", action_names[i]) == 0)
			return (enum nl_action)i;
	return ACT__MAX;
}

static int start_sending(struct http_req *req, struct http_res *res, const struct newsletter *nl)
{
	char object[48], path[64], detail[96];
	size_t n = 0;
	int rc = count_recipients(req, nl->topics, 0, &n);
	if (rc)
		return rc;
	if (n == 0)
		return confirm_page(req, res, 422, "newsletter_send", nl->id,
				    "admin_mail_nl_send_nobody");
	rc = store_newsletter_start(req->store, nl->id, req->now);
	if (rc == DP_EBUSY)
		return admin_error(req, res, 409, "admin_mail_nl_readonly");
	if (rc)
		return rc;
	snprintf(object, sizeof object, "newsletter %lld", (long long)nl->id);
	snprintf(detail, sizeof detail, "to %zu confirmed subscriber%s", n, n == 1 ? "" : "s");
	admin_audit_add(req, "newsletter.send", object, detail);
	snprintf(path, sizeof path, "/admin/newsletters/%lld", (long long)nl->id);
	return admin_redirect_done(res, path, "nl_started", NULL);
}

/* Every action of the form; stored is NULL for a new issue. */
static int act(struct http_req *req, struct http_res *res, const struct newsletter *stored)
{
	struct nl_check c = { 0 };
	char object[48], path[64];
	enum nl_action a = action_of(req);
	int rc = DP_OK;

	if (a == ACT__MAX || (!stored && (a == ACT_DELETE || a == ACT_SEND_CONFIRMED ||
					   a == ACT_DELETE_CONFIRMED)))
		return admin_error(req, res, 400, "admin_error_action");
	if (stored && stored->status != NEWSLETTER_DRAFT)
		return admin_error(req, res, 409, "admin_mail_nl_readonly");
	switch (a) {
	case ACT_DELETE:
		return confirm_page(req, res, 200, "newsletter_delete", stored->id, NULL);
	case ACT_DELETE_CONFIRMED:
		rc = store_newsletter_delete(req->store, stored->id);
		if (rc == DP_EBUSY)
			return admin_error(req, res, 409, "admin_mail_nl_readonly");
		if (rc == DP_ENOTFOUND)
			return admin_error(req, res, 404, NULL);
		if (rc)
			return rc;
		snprintf(object, sizeof object, "newsletter %lld", (long long)stored->id);
		admin_audit_add(req, "newsletter.delete", object,
				stored->subject ? stored->subject : "");
		return admin_redirect_done(res, "/admin/newsletters", "nl_deleted", NULL);
	case ACT_SEND_CONFIRMED:
		return start_sending(req, res, stored);
	default:
		break;
	}

	struct nl_fields f = { form_get(&req->form, "subject"), form_get(&req->form, "body"),
			       form_get(&req->form, "topics") };
	if (!check_fields(req, &f, &c, &rc)) {
		if (!rc) {
			/* Keep what was typed, unless it is too long to send back. */
			struct nl_fields keep = f;
			if (keep.body && strlen(keep.body) > BODY_MAX)
				keep.body = "";
			if (keep.topics && strlen(keep.topics) > TOPICS_TEXT_MAX)
				keep.topics = "";
			if (keep.subject && strlen(keep.subject) > SUBJECT_MAX * 4)
				keep.subject = "";
			struct form_extra x = { .check = &c };
			rc = form_page(req, res, 422, stored, &keep, &x);
		}
		goto out;
	}
	if (a == ACT_PREVIEW) {
		rc = preview(req, res, stored, &f, &c);
		goto out;
	}
	if (a == ACT_TEST) {
		rc = send_test(req, res, stored, &f, &c);
		goto out;
	}
	/* save, and send (which saves first, then asks) */
	struct newsletter nl = draft_of(stored, &f, &c, req->auth.name);
	rc = store_newsletter_save(req->store, &nl, req->now);
	if (rc == DP_EBUSY) {
		rc = admin_error(req, res, 409, "admin_mail_nl_readonly");
		goto out;
	}
	if (rc)
		goto out;
	snprintf(object, sizeof object, "newsletter %lld", (long long)nl.id);
	admin_audit_add(req, stored ? "newsletter.update" : "newsletter.create", object,
			f.subject);
	if (a == ACT_SEND) {
		rc = confirm_page(req, res, 200, "newsletter_send", nl.id, NULL);
		goto out;
	}
	snprintf(path, sizeof path, "/admin/newsletters/%lld", (long long)nl.id);
	rc = admin_redirect_done(res, path, stored ? "nl_saved" : "nl_created", NULL);
out:
	check_release(&c);
	return rc;
}

int admin_newsletter_create(struct http_req *req, struct http_res *res)
{
	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	return act(req, res, NULL);
}

int admin_newsletter_update(struct http_req *req, struct http_res *res)
{
	struct newsletter nl = { 0 };
	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	int rc = store_newsletter_get(req->store, req->param_id, &nl);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	rc = act(req, res, &nl);
	newsletter_release(&nl);
	return rc;
}

/* ---- one issue ---- */

int admin_newsletter_edit(struct http_req *req, struct http_res *res)
{
	struct newsletter nl = { 0 };
	json_t *ctx = NULL, *o = NULL;
	if (!admin_role_in(req, ADMIN_ROLES_MAIL))
		return admin_forbidden(req, res);
	int rc = store_newsletter_get(req->store, req->param_id, &nl);
	if (rc == DP_ENOTFOUND)
		return admin_error(req, res, 404, NULL);
	if (rc)
		return rc;
	if (nl.status == NEWSLETTER_DRAFT) {
		/* The form shows topics as the editor types them: "a, b". */
		struct buf t = BUF_INIT(TOPICS_TEXT_MAX * 2);
		for (const char *p = nl.topics ? nl.topics : ""; *p; p++) {
			if (*p == ' ')
				buf_puts(&t, ", ");
			else
				buf_putc(&t, *p);
		}
		buf_putc(&t, '\0');
		struct nl_fields f = { nl.subject, nl.body_md, buf_cstr(&t) };
		rc = buf_error(&t) ? buf_error(&t) : form_page(req, res, 200, &nl, &f, NULL);
		buf_release(&t);
		goto out;
	}
	/* Sending or sent: read-only, with its figures. */
	ctx = admin_mail_ctx_new(req, ADMIN_MAIL_NEWSLETTERS);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	rc = issue_obj(req, &nl, &o);
	if (rc)
		goto out;
	json_object_set_new(o, "body", json_string(nl.body_md ? nl.body_md : ""));
	json_object_set_new(ctx, "nl", o);
	rc = admin_render(req, res, 200, "newsletter", ctx);
out:
	json_decref(ctx);
	newsletter_release(&nl);
	return rc;
}
