/* json.c — helpers shared by the API handlers: strict query numbers, the
 * JSON body, RFC 3339 times, error answers (json.h). */
#include "api/json.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

int api_fail(struct http_res *res, unsigned status, const char *message)
{
	return http_res_json_error(res, status, message);
}

int api_store_fail(const struct http_req *req, struct http_res *res, int rc,
		   const char *not_found)
{
	if (rc == DP_ENOTFOUND)
		return api_fail(res, 404, not_found);
	log_error("api: %s %s: %s", req->method ? req->method : "?", req->path ? req->path : "?",
		  dp_strerror(rc));
	return api_fail(res, 500, "internal error; the server's log has the details");
}

bool api_query_size(const struct http_req *req, struct http_res *res, const char *name,
		    size_t def, size_t min, size_t max, size_t *ret)
{
	const char *s = http_query(req, name);
	char msg[160];
	size_t v = 0, n;

	if (!s) {
		*ret = def;
		return true;
	}
	n = strspn(s, "0123456789");
	if (n == 0 || n > 9 || s[n] != '\0')
		goto bad;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (size_t)(s[i] - '0');
	if (v < min || v > max)
		goto bad;
	*ret = v;
	return true;
bad:
	/* The name is ours (a literal), the value is never repeated. */
	snprintf(msg, sizeof msg, "the query argument '%s' must be a whole number from %zu to %zu",
		 name, min, max);
	api_fail(res, 400, msg);
	return false;
}

static bool is_form(const char *content_type)
{
	return content_type &&
	       (strncasecmp(content_type, "application/x-www-form-urlencoded", 33) == 0 ||
		strncasecmp(content_type, "multipart/form-data", 19) == 0);
}

json_t *api_body_object(const struct http_req *req, struct http_res *res)
{
	json_error_t e;
	json_t *o;
	char msg[256];

	if (buf_error(&req->body)) {
		api_fail(res, 413, "the request body is too large");
		return NULL;
	}
	if (req->body.len == 0) {
		if (req->form.n || is_form(req->content_type))
			api_fail(res, 400, "send the body as JSON with Content-Type: application/json");
		else
			api_fail(res, 400, "the request body is empty; send a JSON object");
		return NULL;
	}
	o = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!o) {
		/* jansson appends " near '<the text it stopped at>'": keep only
		 * its sentence and the position, never the client's bytes. */
		char *near = strstr(e.text, " near ");
		if (near)
			*near = '\0';
		snprintf(msg, sizeof msg, "invalid JSON at line %d, column %d: %s", e.line, e.column,
			 e.text);
		api_fail(res, 400, msg);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		api_fail(res, 400, "the body must be a JSON object");
		return NULL;
	}
	return o;
}

bool api_keys_only(json_t *o, const char *const *keys, const char *accepted,
		   struct http_res *res)
{
	const char *k;
	json_t *v;
	char msg[256];

	json_object_foreach(o, k, v) {
		size_t i;
		for (i = 0; keys[i]; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (!keys[i]) {
			snprintf(msg, sizeof msg, "unknown field in the body; accepted: %s", accepted);
			api_fail(res, 400, msg);
			return false;
		}
	}
	return true;
}

json_t *api_time(int64_t t)
{
	char s[32];
	time_fmt_iso_utc(s, sizeof s, t);
	return json_string(s);
}

json_t *api_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}
