/* dynamic.c — the request path of the admin, the API and the comment form.
 * Linear: read the body (form fields through libmicrohttpd's post processor,
 * JSON raw), then authenticate, authorise, check CSRF and rate, call the
 * handler, send. Every answer is Cache-Control: no-store. */
#include "http/dynamic.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/auth.h"
#include "http/groupcommit.h"
#include "http/ratelimit.h"
#include "page/admin_common.h"
#include "page/page.h"
#include "page/theme.h"
#include "site/site.h"
#include "util/err.h"
#include "util/log.h"

#define DYN_MAGIC 0x44594e31u /* "DYN1" */
#define PP_BUFFER 16384
#define FIELDS_MAX 512
#define API_RATE 50.0         /* requests per second per token, bursts of 200 */
#define API_BURST 200.0

struct dyn_state {
	unsigned magic;
	const struct dyn_route *route;
	unsigned early_status;          /* answer without a handler (404/405/413) */
	int too_big;
	struct MHD_PostProcessor *pp;
	struct http_req req;
	struct http_res res;            /* kept while a deferred write commits */
	int suspended;
};

static struct ratelimit *api_limit;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void api_init(void)
{
	ratelimit_new(API_RATE, API_BURST, &api_limit);
}

int dynamic_is(void *con_cls)
{
	return con_cls && ((struct dyn_state *)con_cls)->magic == DYN_MAGIC;
}

void dynamic_free(void *con_cls)
{
	struct dyn_state *d = con_cls;
	if (!dynamic_is(d))
		return;
	if (d->pp)
		MHD_destroy_post_processor(d->pp);
	form_release(&d->req.form);
	buf_release(&d->req.body);
	if (d->suspended)
		http_res_release(&d->res);
	d->magic = 0;
	free(d);
}

/* The post processor's callback: one call per chunk of a field. */
static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *filename, const char *content_type,
				const char *transfer_encoding, const char *data, uint64_t off,
				size_t size)
{
	struct dyn_state *d = cls;
	struct form *f = &d->req.form;
	(void)kind;
	(void)transfer_encoding;
	f->bytes += size + (off == 0 ? strlen(key) : 0);
	if (f->bytes > d->route->body_max) {
		d->too_big = 1;
		return MHD_NO;
	}
	struct form_field *fld = NULL;
	if (off > 0 && f->n && strcmp(f->fields[f->n - 1].name, key) == 0)
		fld = &f->fields[f->n - 1]; /* the same field, continued */
	if (!fld) {
		if (f->n == FIELDS_MAX) {
			d->too_big = 1;
			return MHD_NO;
		}
		if (f->n == f->cap) {
			size_t cap = f->cap ? f->cap * 2 : 16;
			struct form_field *p = realloc(f->fields, cap * sizeof *p);
			if (!p)
				return MHD_NO;
			f->fields = p;
			f->cap = cap;
		}
		fld = &f->fields[f->n++];
		memset(fld, 0, sizeof *fld);
		fld->name = strdup(key);
		fld->filename = filename ? strdup(filename) : NULL;
		fld->content_type = content_type ? strdup(content_type) : NULL;
		fld->value = calloc(1, 64); /* the capacity rule below starts at 64 */
		if (!fld->name || !fld->value)
			return MHD_NO;
	}
	/* Grow by doubling: a 5 MiB upload arrives in many small chunks. */
	size_t cap = 64, need = fld->len + size + 1;
	while (cap < fld->len + 1)
		cap <<= 1;
	if (need > cap) {
		while (cap < need)
			cap <<= 1;
		char *v = realloc(fld->value, cap);
		if (!v)
			return MHD_NO;
		fld->value = v;
	}
	memcpy(fld->value + fld->len, data, size);
	fld->len += size;
	fld->value[fld->len] = '\0';
	return MHD_YES;
}

static bool handler_set(const struct http_res *res, const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0)
			return true;
	return false;
}

/* The defaults of every dynamic answer; a header the handler set itself
 * replaces its default (the newsletter preview's policy allows inline
 * styles for the mail in its frame; subscriber pages send no referrer). */
static void security_headers(struct MHD_Response *r, const struct http_res *res)
{
	if (!handler_set(res, MHD_HTTP_HEADER_CACHE_CONTROL))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (!handler_set(res, "Referrer-Policy"))
		MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	if (strncmp(res->content_type, "text/html", 9) == 0 &&
	    !handler_set(res, "Content-Security-Policy"))
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' https: data:; "
					"script-src 'none'; object-src 'none'; base-uri 'self'; "
					"form-action 'self'; frame-ancestors 'none'");
}

static enum MHD_Result send_res(struct MHD_Connection *conn, struct http_res *res)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		res->body.len, res->body.data ? res->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
	security_headers(r, res);
	for (size_t i = 0; i < res->nheaders; i++)
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static int is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0;
}

/* An error answer: JSON for the API, the themed page elsewhere. Never
 * echoes the request. */
static void error_res(const struct dyn_env *env, struct http_req *req, struct http_res *res,
		      unsigned status, const char *api_message)
{
	if (is_api(req->path)) {
		http_res_json_error(res, status, api_message);
		return;
	}
	if (strncmp(req->path, "/admin", 6) == 0 && req->store &&
	    admin_error(req, res, status, NULL) == DP_OK)
		return; /* the admin's own error page */
	struct route route = { .kind = ROUTE_NOT_FOUND, .page = 1 };
	struct page_req preq = { env->site, env->theme, req->store, req->now, &route, NULL };
	struct page_res pres;
	page_res_init(&pres);
	page_error(&preq, &pres, status);
	res->status = status;
	res->content_type = pres.content_type;
	buf_reset(&res->body);
	buf_add(&res->body, pres.body.data, pres.body.len);
	page_res_release(&pres);
}

static enum MHD_Result answer_error(const struct dyn_env *env, struct MHD_Connection *conn,
				    struct http_req *req, unsigned status, const char *msg)
{
	struct http_res res;
	http_res_init(&res);
	error_res(env, req, &res, status, msg);
	if (status == 405)
		http_res_header(&res, "Allow", is_api(req->path) ? "GET, POST, PATCH, DELETE"
								 : "GET, HEAD, POST");
	enum MHD_Result ret = send_res(conn, &res);
	http_res_release(&res);
	return ret;
}

enum MHD_Result dynamic_begin(const struct dyn_env *env, struct MHD_Connection *conn,
			      const char *url, const char *method, void **con_cls)
{
	(void)env;
	struct dyn_state *d = calloc(1, sizeof *d);
	if (!d)
		return MHD_NO;
	d->magic = DYN_MAGIC;
	d->req.path = url;
	d->req.method = method;
	d->req.conn = conn;
	d->req.now = (int64_t)time(NULL);
	buf_init(&d->req.body, 0);
	*con_cls = d;

	int known = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	d->route = router_match(m, url, &d->req, &known);
	if (!d->route && strcmp(url, "/admin") == 0 && strcmp(m, "GET") == 0) {
		d->early_status = 301; /* the admin lives at /admin/ */
		return MHD_YES;
	}
	if (!d->route) {
		/* Too large is said first: the body is not read either way. */
		const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							      MHD_HTTP_HEADER_CONTENT_LENGTH);
		d->early_status = len && strtoull(len, NULL, 10) > (1u << 20) ? 413
				  : known ? 405 : router_owns(url) ? 404 : 405;
		return MHD_YES;
	}
	buf_init(&d->req.body, d->route->body_max ? d->route->body_max : 1);
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > d->route->body_max) {
		d->early_status = 413;
		d->too_big = 1;
		return MHD_YES;
	}
	d->req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_CONTENT_TYPE);
	if (d->req.content_type &&
	    (strncasecmp(d->req.content_type, "application/x-www-form-urlencoded", 33) == 0 ||
	     strncasecmp(d->req.content_type, "multipart/form-data", 19) == 0))
		d->pp = MHD_create_post_processor(conn, PP_BUFFER, on_field, d);
	return MHD_YES;
}

/* Authentication, roles, CSRF and rate for the matched route. Returns 0 to
 * go on, else the status to answer with. */
static unsigned gate(struct dyn_state *d, struct http_res *res)
{
	struct http_req *req = &d->req;
	const struct dyn_route *rt = d->route;
	if (rt->access == ACCESS_PUBLIC)
		return 0;
	int rc = DP_ENOTFOUND;
	if (rt->access == ACCESS_TOKEN)
		rc = auth_token_load(req);
	if (rc)
		rc = auth_session_load(req);
	if (rc) {
		if (rt->access == ACCESS_SESSION && strcmp(rt->method, "GET") == 0) {
			char next[600];
			snprintf(next, sizeof next, "/admin/login?next=%s",
				 strlen(req->path) < 200 ? req->path : "/admin/");
			http_res_redirect(res, next);
			return 303;
		}
		return 401;
	}
	if (!(rt->roles & ROLE_BIT(req->auth.role)))
		return 403;
	if (!req->auth.via_token && strcmp(rt->method, "GET") != 0) {
		/* a browser session: every state change carries the CSRF token */
		const char *t = form_get(&req->form, "csrf");
		if (!t)
			t = http_header(req, "X-CSRF-Token");
		if (!auth_csrf_ok(req, t))
			return 403;
	}
	if (req->auth.via_token) {
		pthread_once(&api_once, api_init);
		if (api_limit && !ratelimit_take(api_limit, req->auth.name, ratelimit_now_ms()))
			return 429;
	}
	return 0;
}

static const char *api_message(unsigned status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "a valid bearer token is required";
	case 403: return "not allowed for this account";
	case 404: return "no such resource";
	case 405: return "method not allowed";
	case 413: return "request body too large";
	case 429: return "too many requests, slow down";
	default: return "internal error";
	}
}

enum MHD_Result dynamic_continue(const struct dyn_env *env, struct MHD_Connection *conn,
				 const char *url, const char *method, const char *data,
				 size_t *size, void **con_cls)
{
	struct dyn_state *d = *con_cls;
	(void)url;
	(void)method;
	if (*size) {
		if (!d->too_big && !d->early_status) {
			if (d->pp) {
				if (MHD_post_process(d->pp, data, *size) != MHD_YES && !d->too_big)
					d->early_status = 400;
			} else if (buf_add(&d->req.body, data, *size)) {
				d->too_big = 1;
			}
		}
		*size = 0;
		return MHD_YES;
	}

	/* Back from a group commit: the prepared answer, or the failure. */
	if (d->suspended) {
		struct gc_job *job = d->res.defer;
		if (job && job->rc) {
			log_error("%s %s: commit failed: %s", method, d->route->pattern,
				  dp_strerror(job->rc));
			error_res(env, &d->req, &d->res, job->rc == DP_EINVAL ? 400 : 500,
				  api_message(job->rc == DP_EINVAL ? 400 : 500));
			http_res_header(&d->res, "X-Status", "commit-failed");
		}
		enum MHD_Result r = send_res(conn, &d->res);
		http_res_release(&d->res);
		d->suspended = 0;
		return r;
	}

	/* The whole request is here. */
	struct http_req *req = &d->req;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	static __thread char ip[64];
	ip[0] = '\0';
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
	}
	req->client_ip = ip;
	req->site = env->site;
	req->theme = env->theme;
	req->triage = env->triage;
	req->https = strncmp(env->site->base_url, "https://", 8) == 0;
	req->store = env->thread_store(env->ctx);

	if (d->too_big)
		return answer_error(env, conn, req, 413, api_message(413));
	if (d->early_status == 301) {
		struct http_res r;
		http_res_init(&r);
		http_res_redirect(&r, "/admin/");
		r.status = 301;
		enum MHD_Result ret = send_res(conn, &r);
		http_res_release(&r);
		return ret;
	}
	if (d->early_status)
		return answer_error(env, conn, req, d->early_status, api_message(d->early_status));
	if (!req->store)
		return answer_error(env, conn, req, 500, api_message(500));

	struct http_res res;
	http_res_init(&res);
	unsigned st = gate(d, &res);
	enum MHD_Result ret;
	if (st == 303) {
		ret = send_res(conn, &res);
	} else if (st) {
		error_res(env, req, &res, st, api_message(st));
		if (st == 401 && is_api(req->path))
			http_res_header(&res, "WWW-Authenticate", "Bearer");
		ret = send_res(conn, &res);
	} else {
		int rc = d->route->fn(req, &res);
		if (!rc && res.defer && env->gc) {
			/* Answer once the write is on disk; others share the fsync. */
			d->res = res;
			d->suspended = 1;
			res.defer->conn = conn;
			MHD_suspend_connection(conn);
			groupcommit_submit(env->gc, d->res.defer);
			return MHD_YES;
		}
		if (!rc && res.defer) {
			res.defer->rc = res.defer->run(req->store, res.defer->arg);
			if (res.defer->rc)
				rc = res.defer->rc;
		}
		if (rc && res.status < 400) {
			log_error("%s %s failed: %s", method, d->route->pattern, dp_strerror(rc));
			error_res(env, req, &res, 500, api_message(500));
		} else if (!rc && buf_error(&res.body)) {
			error_res(env, req, &res, 500, api_message(500));
		}
		ret = send_res(conn, &res);
	}
	http_res_release(&res);
	return ret;
}
