/* request.h — dynamic (never cached) requests: the admin, the JSON API and
 * the comment form. The server parses the body (urlencoded and multipart
 * forms through libmicrohttpd's post processor, anything else kept raw for
 * the JSON API) within the route's size limit, then hands the handler a
 * struct http_req and sends what it puts in struct http_res.
 *
 * Handlers never see a socket: tests drive them with a hand-made request. */
#ifndef DEPESCHE_HTTP_REQUEST_H
#define DEPESCHE_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

struct site;
struct theme;
struct MHD_Connection;
struct triage_model;

/* One form field; files carry a filename and their bytes. */
struct form_field {
	char *name;
	char *value;        /* NUL-terminated; for files the bytes (may hold NULs) */
	size_t len;
	char *filename;     /* NULL unless a file */
	char *content_type; /* as the client declared it (never trusted) */
};

struct form {
	struct form_field *fields;
	size_t n, cap;
	size_t bytes;       /* total kept, checked against the route's limit */
};

const char *form_get(const struct form *f, const char *name);          /* NULL if absent */
/* Every value of a repeated field (checkboxes "id" in bulk actions). */
size_t form_get_all(const struct form *f, const char *name, const char **ret, size_t max);
const struct form_field *form_file(const struct form *f, const char *name);
void form_release(struct form *f);

/* The authenticated caller, if any. */
struct http_auth {
	int64_t user_id;          /* 0: nobody */
	char name[128];           /* user or token name */
	enum role role;
	char csrf[65];            /* the session's CSRF token ("" for API tokens) */
	bool via_token;           /* API bearer token, not a browser session */
};

struct http_req {
	const char *method;       /* "GET", "POST", "PATCH", ... */
	const char *path;         /* decoded, without the query string */
	const char *client_ip;    /* text form */
	int64_t now;
	int64_t param_id;         /* :id in the route pattern, else 0 */
	char param_slug[201];     /* :slug in the route pattern, else "" */
	const char *param_rest;   /* what a trailing "*" of the pattern matched (in path), else NULL */
	struct form form;         /* urlencoded or multipart bodies */
	struct buf body;          /* any other body (JSON), raw */
	const char *content_type; /* of the body, NULL if none */
	bool https;               /* served over HTTPS (base_url), for Secure cookies */
	struct http_auth auth;    /* filled by the router for routes that need it */
	const struct site *site;
	const struct theme *theme;
	struct store *store;      /* this thread's connection */
	struct triage_model *triage; /* the site's learned model (may be NULL) */
	struct MHD_Connection *conn; /* for headers; NULL in unit tests */
	/* For unit tests without a connection: headers as "Name: value" lines. */
	const char *test_headers;
};

/* A header, cookie or query argument of the request; NULL if absent. */
const char *http_header(const struct http_req *req, const char *name);
const char *http_cookie(const struct http_req *req, const char *name);
const char *http_query(const struct http_req *req, const char *name);

#define HTTP_RES_MAX_HEADERS 8

struct http_res {
	unsigned status;          /* 200 by default */
	const char *content_type; /* static string; "text/html; charset=utf-8" by default */
	struct buf body;
	struct {
		char *name, *value;   /* owned */
	} headers[HTTP_RES_MAX_HEADERS];
	size_t nheaders;
	/* A write to commit before answering (groupcommit.h): the handler
	 * prepares the answer, the dynamic layer sends it once the job is on
	 * disk (or a 500 if it failed). Owned by the response. */
	struct gc_job *defer;
};

void http_res_init(struct http_res *res);
void http_res_release(struct http_res *res);
/* Adds a response header (copied). Values with CR or LF are refused. */
int http_res_header(struct http_res *res, const char *name, const char *value);
/* 303 See Other to a local path (must start with '/', never "//"). */
int http_res_redirect(struct http_res *res, const char *path);
/* A JSON body (jansson, stolen) with status. */
int http_res_json(struct http_res *res, unsigned status, void *json_t_value);
/* {"error": message} with status: the API's error shape. */
int http_res_json_error(struct http_res *res, unsigned status, const char *message);

typedef int (*http_handler)(struct http_req *req, struct http_res *res);

#endif
