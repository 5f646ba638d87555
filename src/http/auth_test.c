/* auth_test.c — passwords, tokens, CSRF, login throttling, the route table,
 * response helpers that guard headers and redirects, comment tickets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/auth.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "page/comments.h"
#include "util/err.h"

static void test_passwords(void **state)
{
	(void)state;
	char h[256];
	assert_int_equal(auth_password_hash("richtig-langes-Passwort", h, sizeof h), DP_OK);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(auth_password_verify(h, "richtig-langes-Passwort"));
	assert_false(auth_password_verify(h, "richtig-langes-passwort"));
	assert_false(auth_password_verify(h, ""));
	assert_false(auth_password_verify("not a hash", "x"));
	assert_int_equal(auth_password_hash("x", h, 10), DP_EINVAL); /* too small a buffer */
}

static void test_tokens(void **state)
{
	(void)state;
	char a[AUTH_HASH_HEX], b[AUTH_HASH_HEX], ha[AUTH_HASH_HEX], ha2[AUTH_HASH_HEX];
	auth_random_token(a);
	auth_random_token(b);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
	auth_token_hash(a, ha);
	auth_token_hash(a, ha2);
	assert_string_equal(ha, ha2);
	assert_string_not_equal(ha, a);
}

static void test_csrf(void **state)
{
	(void)state;
	struct http_req req = { 0 };
	auth_random_token(req.auth.csrf);
	char copy[AUTH_HASH_HEX];
	strcpy(copy, req.auth.csrf);
	assert_true(auth_csrf_ok(&req, copy));
	copy[10] = copy[10] == 'a' ? 'b' : 'a';
	assert_false(auth_csrf_ok(&req, copy));
	assert_false(auth_csrf_ok(&req, NULL));
	assert_false(auth_csrf_ok(&req, ""));
	req.auth.csrf[0] = '\0'; /* API tokens have none: nothing matches */
	assert_false(auth_csrf_ok(&req, ""));
}

static void test_login_throttle(void **state)
{
	(void)state;
	assert_true(auth_login_allowed("10.0.0.1", "anna", 0));
	for (int i = 0; i < 5; i++)
		auth_login_failed("10.0.0.1", "anna", 0);
	assert_false(auth_login_allowed("10.0.0.1", "anna", 0));
	assert_false(auth_login_allowed("10.0.0.2", "anna", 0)); /* the account is locked */
	assert_false(auth_login_allowed("10.0.0.1", "bert", 0)); /* and the address */
	assert_true(auth_login_allowed("10.0.0.3", "carla", 0));
}

static void test_roles(void **state)
{
	(void)state;
	enum role r;
	assert_int_equal(role_parse("moderator", &r), DP_OK);
	assert_int_equal(r, ROLE_MODERATOR);
	assert_string_equal(role_name(ROLE_AUTHOR), "author");
	assert_int_equal(role_parse("root", &r), DP_EINVAL);
	assert_int_equal(role_parse(NULL, &r), DP_EINVAL);
}

static void test_router(void **state)
{
	(void)state;
	static const struct {
		const char *method, *path;
		int found, known;
		int64_t id;
		const char *slug;
	} cases[] = {
		{ "POST", "/neue-radwege/comment/", 1, 0, 0, "neue-radwege" },
		{ "GET", "/neue-radwege/comment/", 0, 1, 0, "" },
		{ "GET", "/admin/comments", 1, 0, 0, "" },
		{ "POST", "/admin/comments/42/reply", 1, 0, 42, "" },
		{ "POST", "/admin/comments/4x/reply", 0, 0, 0, "" },
		{ "PATCH", "/api/v1/comments/7", 1, 0, 7, "" },
		{ "PUT", "/api/v1/comments/7", 0, 1, 0, "" },
		{ "DELETE", "/api/v1/posts/3", 1, 0, 3, "" },
		{ "GET", "/api/v1/nothing", 0, 0, 0, "" },
		{ "POST", "/Gross/comment/", 0, 0, 0, "" },
		{ "POST", "/a/b/comment/", 0, 0, 0, "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct http_req req = { 0 };
		int known = 0;
		const struct dyn_route *rt = router_match(cases[i].method, cases[i].path, &req, &known);
		if (!!rt != cases[i].found)
			fail_msg("%s %s: found %d", cases[i].method, cases[i].path, !!rt);
		if (known != cases[i].known)
			fail_msg("%s %s: known %d", cases[i].method, cases[i].path, known);
		if (rt) {
			assert_int_equal(req.param_id, cases[i].id);
			assert_string_equal(req.param_slug, cases[i].slug);
		}
	}
	/* the admin's write routes all need a session (CSRF-checked) */
	struct http_req req = { 0 };
	int known;
	assert_int_equal(router_match("POST", "/admin/comments", &req, &known)->access, ACCESS_SESSION);
	assert_int_equal(router_match("POST", "/admin/login", &req, &known)->access, ACCESS_PUBLIC);
	assert_false(router_match("GET", "/admin/audit", &req, &known)->roles &
		     ROLE_BIT(ROLE_EDITOR));
}

static void test_response_guards(void **state)
{
	(void)state;
	struct http_res res;
	http_res_init(&res);
	assert_int_equal(http_res_header(&res, "X-Test", "a\r\nSet-Cookie: x=1"), DP_EINVAL);
	assert_int_equal(http_res_redirect(&res, "//evil.example/"), DP_OK);
	assert_string_equal(res.headers[0].value, "/"); /* never off the site */
	http_res_release(&res);
	http_res_init(&res);
	http_res_redirect(&res, "/admin/comments?done=approved");
	assert_int_equal(res.status, 303);
	assert_string_equal(res.headers[0].value, "/admin/comments?done=approved");
	http_res_release(&res);
}

static void test_tickets(void **state)
{
	(void)state;
	const unsigned char key[] = "test-secret";
	char t[96];
	int64_t issued = 0;
	comment_set_secret(key, sizeof key);
	comment_ticket(7, 1000000, t, sizeof t);
	assert_int_equal(comment_ticket_check(t, 7, 1000010, &issued), DP_OK);
	assert_int_equal(issued, 1000000);
	assert_int_equal(comment_ticket_check(t, 8, 1000010, &issued), DP_EINVAL); /* other article */
	assert_int_equal(comment_ticket_check(t, 7, 1000000 + COMMENT_TICKET_TTL + 1, &issued),
			 DP_EINVAL); /* too old */
	t[strlen(t) - 1] = t[strlen(t) - 1] == '0' ? '1' : '0';
	assert_int_equal(comment_ticket_check(t, 7, 1000010, &issued), DP_EINVAL); /* forged */
	assert_int_equal(comment_ticket_check("1000000.00", 7, 1000010, &issued), DP_EINVAL);
	assert_int_equal(comment_ticket_check(NULL, 7, 1000010, &issued), DP_EINVAL);
}

static void test_ratelimit(void **state)
{
	(void)state;
	struct ratelimit *rl;
	assert_int_equal(ratelimit_new(1.0, 2.0, &rl), DP_OK);
	assert_true(ratelimit_take(rl, "a", 0));
	assert_true(ratelimit_take(rl, "a", 0));
	assert_false(ratelimit_take(rl, "a", 0));
	assert_true(ratelimit_take(rl, "b", 0));
	assert_true(ratelimit_take(rl, "a", 1000)); /* one token back after a second */
	assert_false(ratelimit_take(rl, "a", 1000));
	ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwords),     cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_csrf),          cmocka_unit_test(test_login_throttle),
		cmocka_unit_test(test_roles),         cmocka_unit_test(test_router),
		cmocka_unit_test(test_response_guards), cmocka_unit_test(test_tickets),
		cmocka_unit_test(test_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
