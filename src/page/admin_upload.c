/* admin_upload.c — images for articles: recognised by their first bytes
 * (JPEG, PNG, GIF, WebP), never by name or declared type; at most
 * UPLOAD_MAX bytes; stored as DATA_DIR/uploads/YYYY/MM/<random>.<ext>
 * (written to a temporary file, then renamed, so a reader never sees half a
 * file). The public /uploads/ route serves them with long cache headers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/auth.h"
#include "page/admin.h"
#include "page/admin_common.h"
#include "post/post.h"
#include "site/site.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/utf8.h"

#define UPLOAD_MAX (5u << 20)   /* bytes of one image */
#define ALT_MAX 200             /* characters of the description */

/* The image type of data by its magic bytes: the file extension, or NULL
 * when it is none of the four. */
static const char *sniff(const unsigned char *d, size_t n)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a };
	if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return "jpg";
	if (n >= 8 && memcmp(d, png, 8) == 0)
		return "png";
	if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
		return "gif";
	if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return "webp";
	return NULL;
}

/* Creates dir (one level) unless it exists. */
static int mkdir_one(const char *dir)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return DP_OK;
	return DP_EIO;
}

/* Writes data to dir/name through a temporary file in the same folder. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
	char tmp[4096], dst[4096];
	int n1 = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	int n2 = snprintf(dst, sizeof dst, "%s/%s", dir, name);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof tmp || (size_t)n2 >= sizeof dst)
		return DP_ETOOBIG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return DP_EIO;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) != 0)
		goto fail;
	return DP_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return DP_EIO;
}

/* The description for the Markdown image: the form's "alt" without the
 * characters that would end or break the construct, else the default. */
static void alt_text(const struct http_req *req, char *out, size_t len)
{
	const char *alt = form_get(&req->form, "alt");
	size_t o = 0;
	if (alt && utf8_valid(alt, strlen(alt))) {
		size_t n = utf8_prefix(alt, ALT_MAX);
		for (size_t i = 0; i < n && o + 1 < len; i++) {
			unsigned char c = (unsigned char)alt[i];
			if (c < 0x20 || c == 0x7f || strchr("[]()\\<>!*_`", c))
				continue;
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	/* nothing but spaces is no description */
	if (strspn(out, " ") == o)
		snprintf(out, len, "%s", admin_t(req, "admin_upload_alt_default"));
}

/* The result page: the snippet to paste, the image, another upload form. */
static int result_page(struct http_req *req, struct http_res *res, const char *url,
		       const char *snippet, const char *alt, const char *error)
{
	json_t *ctx = admin_ctx_new(req, ADMIN_SEC_POSTS);
	if (!ctx)
		return DP_ENOMEM;
	json_object_set_new(ctx, "upload",
			    json_pack("{s:s, s:s, s:s}", "url", url, "snippet", snippet, "alt", alt));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	int rc = admin_render(req, res, error ? 422 : 200, "upload", ctx);
	json_decref(ctx);
	return rc;
}

int admin_upload(struct http_req *req, struct http_res *res)
{
	struct article a = { 0 };
	char dir[4096], name[64], url[128], alt[ALT_MAX * 4 + 1], hex[65], err[512];
	struct buf snippet = BUF_INIT(4096);
	int rc;

	if (!admin_role_in(req, ADMIN_ROLES_POSTS))
		return admin_forbidden(req, res);
	const struct form_field *ff = form_file(&req->form, "file");
	if (!ff || ff->len == 0)
		return admin_error(req, res, 400, "admin_upload_missing");
	if (ff->len > UPLOAD_MAX)
		return admin_error(req, res, 413, "admin_upload_too_big");
	const char *ext = sniff((const unsigned char *)ff->value, ff->len);
	if (!ext)
		return admin_error(req, res, 415, "admin_upload_type");

	/* The article to append to, if any: checked before anything is written. */
	const char *post = form_get(&req->form, "post_id");
	if (!post)
		post = form_get(&req->form, "post");
	int64_t post_id = admin_parse_id(post);
	if (post && *post && !post_id)
		return admin_error(req, res, 400, NULL);
	if (post_id) {
		rc = store_article_by_id(req->store, post_id, &a);
		if (rc == DP_ENOTFOUND)
			return admin_error(req, res, 404, NULL);
		if (rc)
			return rc;
		if (!admin_can_edit_article(req, &a)) {
			rc = admin_forbidden(req, res);
			goto out;
		}
	}

	time_t now = (time_t)req->now;
	struct tm tm;
	localtime_r(&now, &tm);
	auth_random_token(hex);
	hex[32] = '\0'; /* 128 random bits name the file */
	snprintf(name, sizeof name, "%.32s.%s", hex, ext);
	snprintf(url, sizeof url, "/uploads/%04d/%02d/%s", tm.tm_year + 1900, tm.tm_mon + 1, name);
	rc = DP_ETOOBIG;
	if ((size_t)snprintf(dir, sizeof dir, "%s/uploads", req->site->dir) >= sizeof dir)
		goto out;
	if ((rc = mkdir_one(dir)))
		goto out;
	snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%04d", tm.tm_year + 1900);
	if ((rc = mkdir_one(dir)))
		goto out;
	snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/%02d", tm.tm_mon + 1);
	if ((rc = mkdir_one(dir)))
		goto out;
	if ((rc = write_atomic(dir, name, ff->value, ff->len)))
		goto out;

	alt_text(req, alt, sizeof alt);
	buf_printf(&snippet, "![%s](%s)", alt, url);
	if ((rc = buf_error(&snippet)))
		goto out;
	admin_audit_add(req, "upload.add", url, post_id ? a.slug : "");

	if (!post_id) {
		rc = result_page(req, res, url, buf_cstr(&snippet), alt, NULL);
		goto out;
	}
	/* Append the image to the article's body and go back to its editor. */
	struct buf body = BUF_INIT(POST_BODY_MAX + 8192);
	const char *old = a.body_md ? a.body_md : "";
	size_t ol = strlen(old);
	buf_puts(&body, old);
	if (ol && old[ol - 1] != '\n')
		buf_putc(&body, '\n');
	if (ol)
		buf_putc(&body, '\n');
	buf_printf(&body, "%s\n", buf_cstr(&snippet));
	if ((rc = buf_error(&body))) {
		buf_release(&body);
		goto out;
	}
	struct post_input in = POST_INPUT_INIT;
	in.body = buf_cstr(&body);
	rc = post_save(req->store, req->site, &a, &in, req->now, err, sizeof err);
	buf_release(&body);
	if (rc == DP_EINVAL || rc == DP_EEXISTS) {
		/* The image is stored; show its snippet with the reason it could
		 * not be added (e.g. the body would grow past its limit). */
		rc = result_page(req, res, url, buf_cstr(&snippet), alt, err);
		goto out;
	}
	if (rc)
		goto out;
	char object[256], path[64];
	snprintf(object, sizeof object, "/%s/", a.slug);
	admin_audit_add(req, "post.update", object, url);
	snprintf(path, sizeof path, "/admin/posts/%lld", (long long)a.id);
	rc = admin_redirect_done(res, path, "uploaded", NULL);
out:
	buf_release(&snippet);
	article_release(&a);
	return rc;
}
