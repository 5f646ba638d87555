/* request.c — forms, headers, cookies and query arguments of dynamic
 * requests, and building their answers. */
#include "http/request.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/groupcommit.h"
#include "util/err.h"

const char *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (!f->fields[i].filename && strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

size_t form_get_all(const struct form *f, const char *name, const char **ret, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; f && i < f->n && n < max; i++)
		if (!f->fields[i].filename && strcmp(f->fields[i].name, name) == 0)
			ret[n++] = f->fields[i].value;
	return n;
}

const struct form_field *form_file(const struct form *f, const char *name)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (f->fields[i].filename && strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

void form_release(struct form *f)
{
	for (size_t i = 0; f && i < f->n; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
		free(f->fields[i].filename);
		free(f->fields[i].content_type);
	}
	if (f) {
		free(f->fields);
		memset(f, 0, sizeof *f);
	}
}

/* In unit tests, headers come as "Name: value\n" lines. */
static const char *test_header(const char *lines, const char *name)
{
	static __thread char value[1024];
	size_t n = strlen(name);
	for (const char *p = lines; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		if (len > n + 1 && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof value, "%.*s", (int)(len - (size_t)(v - p)), v);
			return value;
		}
		p += len + (eol ? 1 : 0);
	}
	return NULL;
}

const char *http_header(const struct http_req *req, const char *name)
{
	if (req->conn)
		return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
	return test_header(req->test_headers, name);
}

const char *http_cookie(const struct http_req *req, const char *name)
{
	if (req->conn)
		return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
	/* tests: parse the Cookie header */
	static __thread char value[256];
	const char *c = test_header(req->test_headers, "Cookie");
	size_t n = strlen(name);
	for (const char *p = c; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			snprintf(value, sizeof value, "%.*s", (int)(len - n - 1), p + n + 1);
			return value;
		}
		p += len;
	}
	return NULL;
}

const char *http_query(const struct http_req *req, const char *name)
{
	if (req->conn)
		return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
	return NULL;
}

void http_res_init(struct http_res *res)
{
	memset(res, 0, sizeof *res);
	res->status = 200;
	res->content_type = "text/html; charset=utf-8";
	buf_init(&res->body, 16u << 20);
}

void http_res_release(struct http_res *res)
{
	gc_job_free(res->defer);
	res->defer = NULL;
	buf_release(&res->body);
	for (size_t i = 0; i < res->nheaders; i++) {
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->nheaders = 0;
}

int http_res_header(struct http_res *res, const char *name, const char *value)
{
	if (res->nheaders == HTTP_RES_MAX_HEADERS || strpbrk(name, "\r\n:") ||
	    strpbrk(value, "\r\n"))
		return DP_EINVAL;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return DP_ENOMEM;
	}
	res->headers[res->nheaders].name = n;
	res->headers[res->nheaders].value = v;
	res->nheaders++;
	return DP_OK;
}

int http_res_redirect(struct http_res *res, const char *path)
{
	/* Only local targets: a path, never "//host" or a scheme. */
	if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		path = "/";
	res->status = 303;
	res->content_type = "text/plain; charset=utf-8";
	buf_reset(&res->body);
	buf_puts(&res->body, "See other.\n");
	return http_res_header(res, "Location", path);
}

int http_res_json(struct http_res *res, unsigned status, void *value)
{
	json_t *v = value;
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	buf_reset(&res->body);
	if (!v)
		return DP_ENOMEM;
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(v);
	if (!text)
		return DP_ENOMEM;
	buf_puts(&res->body, text);
	buf_putc(&res->body, '\n');
	free(text);
	return buf_error(&res->body);
}

int http_res_json_error(struct http_res *res, unsigned status, const char *message)
{
	return http_res_json(res, status, json_pack("{s:s}", "error", message));
}
