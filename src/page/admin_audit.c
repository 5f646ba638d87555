/* admin_audit.c — the audit log for admins: who decided on which comment,
 * who published, changed or deleted which article, newest first. */
#include <stdio.h>
#include <stdlib.h>

#include "page/admin.h"
#include "page/admin_common.h"
#include "util/err.h"

#define AUDIT_PER_PAGE 50
#define AUDIT_PAGE_MAX 100000

int admin_audit(struct http_req *req, struct http_res *res)
{
	struct audit_entry *e = NULL;
	size_t n = 0;
	json_t *ctx = NULL;
	char url[64];

	if (!admin_role_in(req, ADMIN_ROLES_AUDIT))
		return admin_forbidden(req, res);
	int64_t page = admin_query_num(req, "page", 1, AUDIT_PAGE_MAX);
	/* One more than a page tells whether a next page exists. */
	int rc = store_audit(req->store, (size_t)(page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE + 1,
			     &e, &n);
	if (rc)
		return rc;
	if (page > 1 && n == 0) {
		rc = admin_error(req, res, 404, NULL);
		goto out;
	}
	ctx = admin_ctx_new(req, ADMIN_SEC_AUDIT);
	if (!ctx) {
		rc = DP_ENOMEM;
		goto out;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n && i < AUDIT_PER_PAGE; i++) {
		char human[96], iso[40];
		admin_fmt_time(req, e[i].at, human, sizeof human, iso, sizeof iso);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "date_human",
						     human, "date_iso", iso, "actor",
						     e[i].actor ? e[i].actor : "", "action",
						     e[i].action ? e[i].action : "", "object",
						     e[i].object ? e[i].object : "", "detail",
						     e[i].detail ? e[i].detail : ""));
	}
	json_object_set_new(ctx, "entries", arr);
	json_object_set_new(ctx, "has_entries", json_boolean(n > 0));
	if (page > 1 || n > AUDIT_PER_PAGE) {
		json_t *pg = json_pack("{s:I}", "current", (json_int_t)page);
		if (page > 1) {
			snprintf(url, sizeof url, "/admin/audit?page=%lld", (long long)page - 1);
			json_object_set_new(pg, "prev_url", json_string(url));
		}
		if (n > AUDIT_PER_PAGE) {
			snprintf(url, sizeof url, "/admin/audit?page=%lld", (long long)page + 1);
			json_object_set_new(pg, "next_url", json_string(url));
		}
		json_object_set_new(ctx, "pagination", pg);
	}
	rc = admin_render(req, res, 200, "audit", ctx);
out:
	json_decref(ctx);
	for (size_t i = 0; i < n; i++)
		audit_entry_release(&e[i]);
	free(e);
	return rc;
}
