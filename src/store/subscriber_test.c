/* subscriber_test.c — unit tests of the store's newsletter subscribers,
 * consent records, topic alerts, digests, newsletter issues, the outbox
 * additions of issue 4, staff e-mail addresses, the comment mail queries
 * and schema migration 6 (SQLite backend).
 *
 * Every test works on its own database file in one mkdtemp() folder; a raw
 * SQLite connection counts rows the store cannot show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/test_fixture.h"

#include <ftw.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "util/err.h"

/* A fixed "now"; times in the tests count from it. */
#define T0 ((int64_t)1800000000)
#define HOUR ((int64_t)3600)
#define DAY (24 * HOUR)

/* A sign-up request made at T0, valid for a day; returns the rc. */
static int request(struct store *s, const char *email, const char *topics, bool newsletter,
		   const char *token, struct consent *ret)
{
	struct consent c = {
		.wording = "Ja, schickt mir E-Mails über diese Themen.",
		.version = "v1abc",
		.topics = (char *)topics,
		.newsletter = newsletter,
		.requested_at = T0,
		.request_ip = "192.0.2.7",
		.expires_at = T0 + DAY,
	};
	int rc = store_subscribe_request(s, email, &c, token, 0, NULL);
	if (ret)
		*ret = c;
	return rc;
}

/* A confirmed subscriber (request + confirm); returns its id. */
static int64_t confirmed(struct store *s, const char *email, const char *topics, bool newsletter)
{
	char token[64];
	struct consent c;
	snprintf(token, sizeof token, "tok-%s", email);
	assert_int_equal(request(s, email, topics, newsletter, token, &c), DP_OK);
	assert_int_equal(store_subscribe_confirm(s, token, "198.51.100.1", T0 + 60, NULL), DP_OK);
	return c.subscriber_id;
}

/* A published article with tags (names = slugs here); returns its id. */
static int64_t article(struct store *s, const char *slug, const char *const *tags, size_t ntags,
		       int64_t published_at, enum article_status status)
{
	struct article a = {
		.slug = (char *)slug,
		.title = (char *)slug,
		.body_md = "Text.",
		.body_html = "<p>Text.</p>",
		.status = status,
		.published_at = published_at,
	};
	assert_int_equal(store_article_save(s, &a, tags, ntags, NULL, NULL), DP_OK);
	return a.id;
}

static bool has_topic(const struct subscriber *sub, const char *t)
{
	for (size_t i = 0; i < sub->ntopics; i++)
		if (strcmp(sub->topics[i], t) == 0)
			return true;
	return false;
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	return fixture_setup(state);
}

/* ---- names ---- */

static void test_names(void **state)
{
	(void)state;
	enum sub_frequency f = FREQ__MAX;
	assert_string_equal(subscriber_status_name(SUB_PENDING), "pending");
	assert_string_equal(subscriber_status_name(SUB_CONFIRMED), "confirmed");
	assert_string_equal(subscriber_status_name(SUB_UNSUBSCRIBED), "unsubscribed");
	assert_string_equal(subscriber_status_name(SUB_STATUS__MAX), "?");
	assert_string_equal(sub_frequency_name(FREQ_WEEKLY), "weekly");
	assert_string_equal(sub_frequency_name((enum sub_frequency)-1), "?");
	assert_string_equal(newsletter_status_name(NEWSLETTER_SENDING), "sending");
	assert_string_equal(newsletter_status_name(NEWSLETTER_STATUS__MAX), "?");
	assert_int_equal(sub_frequency_parse("daily", &f), DP_OK);
	assert_int_equal(f, FREQ_DAILY);
	assert_int_equal(sub_frequency_parse("immediate", &f), DP_OK);
	assert_int_equal(f, FREQ_IMMEDIATE);
	assert_int_equal(sub_frequency_parse("Daily", &f), DP_EINVAL);
	assert_int_equal(sub_frequency_parse("", &f), DP_EINVAL);
	assert_int_equal(sub_frequency_parse(NULL, &f), DP_EINVAL);
	/* NULL-tolerant release functions. */
	subscriber_release(NULL);
	subscribers_free(NULL, 3);
	consent_release(NULL);
	consents_free(NULL, 1);
	newsletter_release(NULL);
	newsletters_free(NULL, 2);
}

/* ---- sign-up and confirmation ---- */

static void test_request_confirm(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub, again;
	struct consent c, *cs;
	size_t n, recent = 99;

	struct consent req = {
		.wording = "Ja, bitte.",
		.version = "v1abc",
		.topics = "klima ki klima",
		.newsletter = true,
		.requested_at = T0,
		.request_ip = "192.0.2.7",
		.expires_at = T0 + DAY,
	};
	assert_int_equal(store_subscribe_request(s, "Anna.Berg@Example.ORG", &req, "hash-1",
						 T0 - HOUR, &recent),
			 DP_OK);
	assert_true(req.id > 0);
	assert_true(req.subscriber_id > 0);
	assert_int_equal(recent, 0);

	/* Pending, with a manage key, no topics yet. */
	assert_int_equal(store_subscriber_by_id(s, req.subscriber_id, &sub), DP_OK);
	assert_string_equal(sub.email, "Anna.Berg@example.org");
	assert_int_equal(sub.status, SUB_PENDING);
	assert_false(sub.newsletter);
	assert_int_equal(sub.frequency, FREQ_IMMEDIATE);
	assert_int_equal(sub.ntopics, 0);
	assert_int_equal(strlen(sub.key), SUB_KEY_LEN);
	for (size_t i = 0; i < SUB_KEY_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", sub.key[i]));
	assert_int_equal(sub.created_at, T0);
	assert_int_equal(sub.confirmed_at, 0);
	/* Found by key and by the address in any case. */
	assert_int_equal(store_subscriber_by_key(s, sub.key, &again), DP_OK);
	assert_int_equal(again.id, sub.id);
	subscriber_release(&again);
	assert_int_equal(store_subscriber_by_email(s, "anna.berg@EXAMPLE.org", &again), DP_OK);
	assert_int_equal(again.id, sub.id);
	subscriber_release(&again);
	assert_int_equal(store_subscriber_by_email(s, "nobody@example.org", &again), DP_ENOTFOUND);
	assert_int_equal(store_subscriber_by_key(s, "00", &again), DP_ENOTFOUND);

	/* Unknown token; then the real one. */
	assert_int_equal(store_subscribe_confirm(s, "hash-x", "198.51.100.1", T0 + 60, NULL),
			 DP_ENOTFOUND);
	assert_int_equal(store_subscribe_confirm(s, "hash-1", "198.51.100.1", T0 + 60, &again),
			 DP_OK);
	assert_int_equal(again.id, sub.id);
	assert_int_equal(again.status, SUB_CONFIRMED);
	assert_true(again.newsletter);
	assert_int_equal(again.confirmed_at, T0 + 60);
	assert_int_equal(again.ntopics, 2);
	assert_string_equal(again.topics[0], "ki");
	assert_string_equal(again.topics[1], "klima");
	assert_string_equal(again.key, sub.key);
	subscriber_release(&again);
	subscriber_release(&sub);

	/* The request is the consent record now; the token is gone. */
	assert_int_equal(store_subscriber_consents(s, req.subscriber_id, &cs, &n), DP_OK);
	assert_int_equal(n, 1);
	c = cs[0];
	assert_int_equal(c.id, req.id);
	assert_string_equal(c.wording, "Ja, bitte.");
	assert_string_equal(c.version, "v1abc");
	assert_string_equal(c.topics, "klima ki");
	assert_true(c.newsletter);
	assert_int_equal(c.requested_at, T0);
	assert_string_equal(c.request_ip, "192.0.2.7");
	assert_int_equal(c.expires_at, T0 + DAY);
	assert_int_equal(c.confirmed_at, T0 + 60);
	assert_string_equal(c.confirm_ip, "198.51.100.1");
	consents_free(cs, n);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents WHERE token_hash IS NULL"), 1);

	/* A used link works no more. */
	assert_int_equal(store_subscribe_confirm(s, "hash-1", "198.51.100.1", T0 + 120, NULL),
			 DP_ENOTFOUND);

	/* Bad input. */
	assert_int_equal(request(s, "no-at-sign", NULL, true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "a b@example.org", NULL, true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "@example.org", NULL, true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "x@", NULL, true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "x@example.org", "Klima", true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "x@example.org", "ki k_i", true, "hash-2", NULL), DP_EINVAL);
	assert_int_equal(request(s, "x@example.org", NULL, true, "", NULL), DP_EINVAL);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 1);
	store_close(s);
}

static void test_duplicate_email(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct consent a, b;
	struct subscriber sub;
	size_t recent = 99;

	assert_int_equal(request(s, "lea@example.org", "ki", false, "h-a", &a), DP_OK);
	struct consent c2 = {
		.wording = "w",
		.topics = "",
		.requested_at = T0 + 10,
		.expires_at = T0 + DAY,
	};
	assert_int_equal(store_subscribe_request(s, "LEA@Example.Org", &c2, "h-b", T0 - HOUR, &recent),
			 DP_OK);
	assert_int_equal(c2.subscriber_id, a.subscriber_id);
	assert_int_equal(recent, 1);
	/* Only requests since recent_since count. */
	struct consent c3 = c2;
	c3.requested_at = T0 + 20;
	assert_int_equal(store_subscribe_request(s, "lea@example.org", &c3, "h-c", T0 + 5, &recent),
			 DP_OK);
	assert_int_equal(recent, 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 3);
	/* The same token twice is refused (it must be unique). */
	assert_int_equal(request(s, "lea@example.org", NULL, false, "h-a", &b), DP_EEXISTS);

	/* A confirmed subscriber stays confirmed through a new request, and the
	 * address keeps its first spelling. */
	assert_int_equal(store_subscribe_confirm(s, "h-a", "ip", T0 + 30, NULL), DP_OK);
	assert_int_equal(request(s, "Lea@EXAMPLE.org", "wetter", false, "h-d", &b), DP_OK);
	assert_int_equal(store_subscriber_by_id(s, a.subscriber_id, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_CONFIRMED);
	assert_string_equal(sub.email, "lea@example.org");
	assert_int_equal(sub.ntopics, 1);
	assert_int_equal(sub.confirmed_at, T0 + 30);
	subscriber_release(&sub);
	/* Confirming the second request adds its topics, keeps confirmed_at. */
	assert_int_equal(store_subscribe_confirm(s, "h-d", "ip", T0 + 40, &sub), DP_OK);
	assert_int_equal(sub.ntopics, 2);
	assert_true(has_topic(&sub, "ki") && has_topic(&sub, "wetter"));
	assert_int_equal(sub.confirmed_at, T0 + 30);
	assert_false(sub.newsletter);
	subscriber_release(&sub);
	store_close(s);
}

static void test_expiry(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub;
	struct consent c, *cs;
	size_t n = 99;

	assert_int_equal(request(s, "old@example.org", "ki", true, "h-old", &c), DP_OK);
	/* Past expires_at: DP_EBUSY, and the request stays for the purge. */
	assert_int_equal(store_subscribe_confirm(s, "h-old", "ip", T0 + DAY + 1, NULL), DP_EBUSY);
	assert_int_equal(store_subscriber_by_id(s, c.subscriber_id, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_PENDING);
	subscriber_release(&sub);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents WHERE token_hash = 'h-old'"), 1);
	/* At expires_at exactly it still works (another request, same time). */
	assert_int_equal(request(s, "edge@example.org", NULL, true, "h-edge", NULL), DP_OK);
	assert_int_equal(store_subscribe_confirm(s, "h-edge", "ip", T0 + DAY, NULL), DP_OK);

	/* A confirmed subscriber with a later request that expired. */
	int64_t kept = confirmed(s, "kept@example.org", "ki", true);
	struct consent late = {
		.wording = "w", .requested_at = T0 + HOUR, .expires_at = T0 + 2 * HOUR,
	};
	assert_int_equal(store_subscribe_request(s, "kept@example.org", &late, "h-late", 0, NULL),
			 DP_OK);

	/* Nothing has expired yet at T0. */
	assert_int_equal(store_subscribers_expire(s, T0, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 4);

	assert_int_equal(store_subscribers_expire(s, T0 + DAY + 1, &n), DP_OK);
	assert_int_equal(n, 1); /* old@ */
	assert_int_equal(store_subscriber_by_id(s, c.subscriber_id, &sub), DP_ENOTFOUND);
	assert_int_equal(store_subscriber_by_email(s, "old@example.org", &sub), DP_ENOTFOUND);
	/* The confirmed ones keep their proof; the unused late request went. */
	assert_int_equal(store_subscriber_consents(s, kept, &cs, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_true(cs[0].confirmed_at > 0);
	consents_free(cs, n);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 2);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 2);
	/* A second run finds nothing. */
	assert_int_equal(store_subscribers_expire(s, T0 + 10 * DAY, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_subscribers_expire(s, T0 + 10 * DAY, NULL), DP_OK);
	store_close(s);
}

static void test_topics_merge_cap(void **state)
{
	(void)state;
	char path[256], name[32];
	struct store *s = open_new(path, sizeof path);
	const char *many[SUB_TOPICS_MAX + 1];
	char store_names[SUB_TOPICS_MAX + 1][16];
	struct subscriber sub;
	int64_t id;

	for (int i = 0; i <= SUB_TOPICS_MAX; i++) {
		snprintf(store_names[i], sizeof store_names[i], "t%02d", i);
		many[i] = store_names[i];
	}
	id = confirmed(s, "cap@example.org", NULL, false);
	/* 51 distinct topics are too many for the preferences and the import. */
	assert_int_equal(store_subscriber_set_prefs(s, id, many, SUB_TOPICS_MAX + 1, false,
						    FREQ_IMMEDIATE, T0),
			 DP_EINVAL);
	assert_int_equal(store_subscriber_import(s, "imp@example.org", many, SUB_TOPICS_MAX + 1,
						 true, FREQ_DAILY, "note", T0, NULL),
			 DP_EINVAL);
	/* 48 now; a request for 5 new ones and one it has merges to 50. */
	assert_int_equal(store_subscriber_set_prefs(s, id, many, 48, false, FREQ_IMMEDIATE, T0),
			 DP_OK);
	snprintf(name, sizeof name, "t00 z1 z2 z3 z4 z5");
	struct consent c = {
		.wording = "w", .topics = name, .requested_at = T0, .expires_at = T0 + DAY,
	};
	assert_int_equal(store_subscribe_request(s, "cap@example.org", &c, "h-cap", 0, NULL), DP_OK);
	assert_int_equal(store_subscribe_confirm(s, "h-cap", "ip", T0 + 1, &sub), DP_OK);
	assert_int_equal(sub.ntopics, SUB_TOPICS_MAX);
	assert_true(has_topic(&sub, "t00") && has_topic(&sub, "t47"));
	assert_true(has_topic(&sub, "z1") && has_topic(&sub, "z2"));
	assert_false(has_topic(&sub, "z3"));
	/* Sorted. */
	for (size_t i = 1; i < sub.ntopics; i++)
		assert_true(strcmp(sub.topics[i - 1], sub.topics[i]) < 0);
	subscriber_release(&sub);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_topics"), SUB_TOPICS_MAX);

	/* Duplicates count once: 50 distinct of 52 given are fine. */
	const char *dups[SUB_TOPICS_MAX + 2];
	for (int i = 0; i < SUB_TOPICS_MAX; i++)
		dups[i] = many[i];
	dups[SUB_TOPICS_MAX] = many[0];
	dups[SUB_TOPICS_MAX + 1] = many[1];
	assert_int_equal(store_subscriber_set_prefs(s, id, dups, SUB_TOPICS_MAX + 2, false,
						    FREQ_IMMEDIATE, T0),
			 DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_topics"), SUB_TOPICS_MAX);
	/* An invalid topic changes nothing. */
	const char *bad[] = { "ki", "Ki" };
	assert_int_equal(store_subscriber_set_prefs(s, id, bad, 2, false, FREQ_IMMEDIATE, T0),
			 DP_EINVAL);
	const char *empty[] = { "" };
	assert_int_equal(store_subscriber_set_prefs(s, id, empty, 1, false, FREQ_IMMEDIATE, T0),
			 DP_EINVAL);
	char longest[202];
	memset(longest, 'a', 201);
	longest[201] = '\0';
	const char *too_long[] = { longest };
	assert_int_equal(store_subscriber_set_prefs(s, id, too_long, 1, false, FREQ_IMMEDIATE, T0),
			 DP_EINVAL);
	longest[200] = '\0';
	assert_int_equal(store_subscriber_set_prefs(s, id, too_long, 1, false, FREQ_IMMEDIATE, T0),
			 DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_topics"), 1);
	store_close(s);
}

static void test_prefs(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub;
	const char *topics[] = { "wetter", "bahn" };
	int64_t id = confirmed(s, "p@example.org", "ki", true);
	int64_t art = article(s, "a1", NULL, 0, T0, ARTICLE_PUBLISHED);
	bool added;

	assert_int_equal(store_subscriber_set_prefs(s, id, topics, 2, false, FREQ_WEEKLY, T0), DP_OK);
	assert_int_equal(store_subscriber_by_id(s, id, &sub), DP_OK);
	assert_int_equal(sub.ntopics, 2);
	assert_string_equal(sub.topics[0], "bahn");
	assert_string_equal(sub.topics[1], "wetter");
	assert_false(sub.newsletter);
	assert_int_equal(sub.frequency, FREQ_WEEKLY);
	assert_int_equal(sub.status, SUB_CONFIRMED);
	subscriber_release(&sub);

	assert_int_equal(store_subscriber_set_prefs(s, id, NULL, 0, true, FREQ__MAX, T0), DP_EINVAL);
	assert_int_equal(store_subscriber_set_prefs(s, id + 100, NULL, 0, true, FREQ_DAILY, T0),
			 DP_ENOTFOUND);

	/* A weekly reader's waiting item goes when they switch to immediate
	 * alerts (no digest would ever send it). */
	assert_int_equal(store_alert_record(s, id, art, true, T0, &added), DP_OK);
	assert_true(added);
	assert_int_equal(store_subscriber_set_prefs(s, id, topics, 2, true, FREQ_DAILY, T0), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts WHERE waiting = 1"), 1);
	assert_int_equal(store_subscriber_set_prefs(s, id, NULL, 0, true, FREQ_IMMEDIATE, T0), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts"), 0);
	assert_int_equal(store_subscriber_by_id(s, id, &sub), DP_OK);
	assert_int_equal(sub.ntopics, 0);
	assert_true(sub.newsletter);
	subscriber_release(&sub);
	store_close(s);
}

static void test_unsubscribe(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub;
	struct consent *cs;
	size_t n;
	const char *tags[] = { "ki" };
	int64_t id = confirmed(s, "u@example.org", "ki klima", true);
	int64_t a1 = article(s, "a1", tags, 1, T0, ARTICLE_PUBLISHED);
	int64_t a2 = article(s, "a2", tags, 1, T0, ARTICLE_PUBLISHED);

	assert_int_equal(store_subscriber_set_prefs(s, id, tags, 1, true, FREQ_DAILY, T0), DP_OK);
	assert_int_equal(store_alert_record(s, id, a1, false, T0, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, id, a2, true, T0, NULL), DP_OK);

	assert_int_equal(store_subscriber_unsubscribe(s, id, T0 + HOUR), DP_OK);
	assert_int_equal(store_subscriber_by_id(s, id, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_UNSUBSCRIBED);
	assert_false(sub.newsletter);
	assert_int_equal(sub.ntopics, 0);
	assert_int_equal(sub.unsubscribed_at, T0 + HOUR);
	assert_int_equal(sub.confirmed_at, T0 + 60);
	subscriber_release(&sub);
	/* The waiting item went; the record of what was sent stays, and so do
	 * the consent records. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts WHERE waiting = 0"), 1);
	assert_int_equal(store_subscriber_consents(s, id, &cs, &n), DP_OK);
	assert_int_equal(n, 1);
	consents_free(cs, n);
	/* A second time keeps the first time. */
	assert_int_equal(store_subscriber_unsubscribe(s, id, T0 + 2 * HOUR), DP_OK);
	assert_int_equal(raw_int(path, "SELECT unsubscribed_at FROM subscribers"), T0 + HOUR);
	assert_int_equal(store_subscriber_unsubscribe(s, id + 1, T0), DP_ENOTFOUND);

	/* Unsubscribed: no newsletter batch, no alerts. */
	struct subscriber *list;
	assert_int_equal(store_subscribers_batch(s, 0, 10, NULL, 0, &list, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_null(list);

	/* Signing up again and confirming resubscribes. */
	struct consent c;
	assert_int_equal(request(s, "u@example.org", "bahn", false, "h-again", &c), DP_OK);
	assert_int_equal(store_subscriber_by_id(s, id, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_UNSUBSCRIBED); /* until confirmed */
	subscriber_release(&sub);
	assert_int_equal(store_subscribe_confirm(s, "h-again", "ip", T0 + DAY - 1, &sub), DP_OK);
	assert_int_equal(sub.status, SUB_CONFIRMED);
	assert_int_equal(sub.unsubscribed_at, 0);
	assert_int_equal(sub.confirmed_at, T0 + 60);
	assert_false(sub.newsletter);
	assert_int_equal(sub.ntopics, 1);
	assert_string_equal(sub.topics[0], "bahn");
	subscriber_release(&sub);
	store_close(s);
}

static void test_delete(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub;
	const char *tags[] = { "ki" };
	int64_t gone = confirmed(s, "gone@example.org", "ki klima", true);
	int64_t stays = confirmed(s, "stays@example.org", "ki", true);
	int64_t a1 = article(s, "a1", tags, 1, T0, ARTICLE_PUBLISHED);

	assert_int_equal(request(s, "gone@example.org", "bahn", false, "h-2", NULL), DP_OK);
	assert_int_equal(store_alert_record(s, gone, a1, true, T0, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, stays, a1, false, T0, NULL), DP_OK);

	assert_int_equal(store_subscriber_delete(s, gone), DP_OK);
	assert_int_equal(store_subscriber_by_id(s, gone, &sub), DP_ENOTFOUND);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_topics"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers WHERE email_key LIKE 'gone%'"),
			 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents WHERE subscriber_id <> "
				       "(SELECT id FROM subscribers)"),
			 0);
	assert_int_equal(store_subscriber_delete(s, gone), DP_ENOTFOUND);
	/* The address can sign up afresh. */
	assert_int_equal(request(s, "gone@example.org", NULL, true, "h-3", NULL), DP_OK);
	assert_int_equal(store_subscriber_by_email(s, "gone@example.org", &sub), DP_OK);
	assert_int_equal(sub.status, SUB_PENDING);
	assert_true(sub.id != gone);
	subscriber_release(&sub);
	store_close(s);
}

static void test_import(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber sub;
	struct consent *cs;
	size_t n;
	int64_t id = 0;
	const char *topics[] = { "klima", "ki", "klima" };

	assert_int_equal(store_subscriber_import(s, "Imp@Example.ORG", topics, 3, true, FREQ_DAILY,
						 "Formular auf der Messe 2025", T0, &id),
			 DP_OK);
	assert_true(id > 0);
	assert_int_equal(store_subscriber_by_id(s, id, &sub), DP_OK);
	assert_string_equal(sub.email, "Imp@example.org");
	assert_int_equal(sub.status, SUB_CONFIRMED);
	assert_true(sub.newsletter);
	assert_int_equal(sub.frequency, FREQ_DAILY);
	assert_int_equal(sub.confirmed_at, T0);
	assert_int_equal(sub.ntopics, 2);
	assert_int_equal(strlen(sub.key), SUB_KEY_LEN);
	subscriber_release(&sub);
	assert_int_equal(store_subscriber_consents(s, id, &cs, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_string_equal(cs[0].wording, "Formular auf der Messe 2025");
	assert_string_equal(cs[0].version, "import");
	assert_string_equal(cs[0].request_ip, "import");
	assert_string_equal(cs[0].topics, "ki klima");
	assert_int_equal(cs[0].confirmed_at, T0);
	assert_true(cs[0].newsletter);
	consents_free(cs, n);

	/* The same address in another case is there already. */
	assert_int_equal(store_subscriber_import(s, "imp@example.org", NULL, 0, false,
						 FREQ_IMMEDIATE, "n", T0, NULL),
			 DP_EEXISTS);
	assert_int_equal(store_subscriber_import(s, "x@example.org", NULL, 0, false, FREQ_IMMEDIATE,
						 "", T0, NULL),
			 DP_EINVAL);
	assert_int_equal(store_subscriber_import(s, "x@example.org", NULL, 0, false, FREQ_IMMEDIATE,
						 NULL, T0, NULL),
			 DP_EINVAL);
	assert_int_equal(store_subscriber_import(s, "x@example.org", NULL, 0, false, FREQ__MAX, "n",
						 T0, NULL),
			 DP_EINVAL);
	assert_int_equal(store_subscriber_import(s, "bad address", NULL, 0, false, FREQ_IMMEDIATE,
						 "n", T0, NULL),
			 DP_EINVAL);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 1);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM consents"), 1);

	/* Inside a caller's transaction, a failed import leaves the earlier
	 * ones of that transaction alone. */
	assert_int_equal(store_begin(s), DP_OK);
	assert_int_equal(store_subscriber_import(s, "one@example.org", NULL, 0, true,
						 FREQ_IMMEDIATE, "n", T0, NULL),
			 DP_OK);
	assert_int_equal(store_subscriber_import(s, "ONE@example.org", NULL, 0, true,
						 FREQ_IMMEDIATE, "n", T0, NULL),
			 DP_EEXISTS);
	assert_int_equal(store_rollback(s), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscribers"), 1);
	store_close(s);
}

/* ---- lists ---- */

static void test_list_counts(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct subscriber *list;
	size_t n, total, counts[SUB_STATUS__MAX];

	int64_t a = confirmed(s, "alpha@example.org", "ki", true);
	int64_t b = confirmed(s, "beta@news.example", NULL, true);
	assert_int_equal(request(s, "gamma@example.org", NULL, true, "h-g", NULL), DP_OK);
	assert_int_equal(store_subscriber_unsubscribe(s, b, T0), DP_OK);

	assert_int_equal(store_subscriber_counts(s, counts), DP_OK);
	assert_int_equal(counts[SUB_PENDING], 1);
	assert_int_equal(counts[SUB_CONFIRMED], 1);
	assert_int_equal(counts[SUB_UNSUBSCRIBED], 1);

	struct subscriber_query q = { .status = -1 };
	assert_int_equal(store_subscribers(s, &q, &list, &n, &total), DP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_string_equal(list[0].email, "gamma@example.org"); /* newest first */
	assert_int_equal(list[2].id, a);
	assert_int_equal(list[2].ntopics, 1);
	assert_string_equal(list[2].topics[0], "ki");
	subscribers_free(list, n);

	q.q = "EXAMPLE.ORG";
	assert_int_equal(store_subscribers(s, &q, &list, &n, &total), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	subscribers_free(list, n);
	q.q = "%";
	assert_int_equal(store_subscribers(s, &q, &list, &n, &total), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	q.q = "";
	q.status = SUB_UNSUBSCRIBED;
	assert_int_equal(store_subscribers(s, &q, &list, &n, NULL), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, b);
	subscribers_free(list, n);
	q.status = -1;
	q.limit = 2;
	q.offset = 2;
	assert_int_equal(store_subscribers(s, &q, &list, &n, &total), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 3);
	assert_int_equal(list[0].id, a);
	subscribers_free(list, n);
	q.status = 7;
	assert_int_equal(store_subscribers(s, &q, &list, &n, &total), DP_EINVAL);
	store_close(s);
}

static void test_batch(void **state)
{
	(void)state;
	char path[256], email[64];
	struct store *s = open_new(path, sizeof path);
	int64_t ids[40];
	bool want_nl[40], want_topic[40];
	int seen_nl[40] = { 0 }, seen_topic[40] = { 0 };

	/* 40 subscribers: every 3rd pending, every 5th unsubscribed, every
	 * 2nd without the newsletter, every 4th following "ki", every 7th
	 * "wetter". */
	for (int i = 0; i < 40; i++) {
		const char *topics = i % 4 == 0 ? (i % 7 == 0 ? "ki wetter" : "ki")
						: i % 7 == 0 ? "wetter" : "bahn";
		char token[32];
		struct consent c;
		snprintf(email, sizeof email, "r%02d@example.org", i);
		snprintf(token, sizeof token, "t%d", i);
		assert_int_equal(request(s, email, topics, i % 2 == 1, token, &c), DP_OK);
		ids[i] = c.subscriber_id;
		if (i % 3 != 0)
			assert_int_equal(store_subscribe_confirm(s, token, "ip", T0 + 1, NULL), DP_OK);
		if (i % 5 == 0 && i % 3 != 0)
			assert_int_equal(store_subscriber_unsubscribe(s, ids[i], T0 + 2), DP_OK);
		bool active = i % 3 != 0 && i % 5 != 0;
		want_nl[i] = active && i % 2 == 1;
		want_topic[i] = active && (i % 4 == 0 || i % 7 == 0);
	}

	int64_t after = 0, last = 0;
	struct subscriber *list;
	size_t n, total = 0;
	do {
		assert_int_equal(store_subscribers_batch(s, after, 7, NULL, 0, &list, &n), DP_OK);
		for (size_t k = 0; k < n; k++) {
			assert_true(list[k].id > last);
			last = list[k].id;
			assert_int_equal(list[k].status, SUB_CONFIRMED);
			assert_true(list[k].newsletter);
			for (int i = 0; i < 40; i++)
				if (ids[i] == list[k].id)
					seen_nl[i]++;
		}
		if (n)
			after = list[n - 1].id;
		total += n;
		subscribers_free(list, n);
	} while (n == 7);
	for (int i = 0; i < 40; i++)
		assert_int_equal(seen_nl[i], want_nl[i] ? 1 : 0);

	const char *topics[] = { "wetter", "ki", "ki" };
	after = last = 0;
	do {
		assert_int_equal(store_subscribers_batch(s, after, 3, topics, 3, &list, &n), DP_OK);
		for (size_t k = 0; k < n; k++) {
			assert_true(list[k].id > last);
			last = list[k].id;
			assert_true(has_topic(&list[k], "ki") || has_topic(&list[k], "wetter"));
			for (int i = 0; i < 40; i++)
				if (ids[i] == list[k].id)
					seen_topic[i]++;
		}
		if (n)
			after = list[n - 1].id;
		subscribers_free(list, n);
	} while (n == 3);
	for (int i = 0; i < 40; i++)
		assert_int_equal(seen_topic[i], want_topic[i] ? 1 : 0);

	const char *bad[] = { "K I" };
	assert_int_equal(store_subscribers_batch(s, 0, 3, bad, 1, &list, &n), DP_EINVAL);
	store_close(s);
}

/* ---- alerts and digests ---- */

static void test_alerts(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	const char *ki[] = { "ki" }, *both[] = { "ki", "klima" }, *none[] = { "sport" };
	int64_t due[10];
	size_t n;

	int64_t f1 = confirmed(s, "f1@example.org", "ki", false);
	int64_t f2 = confirmed(s, "f2@example.org", "klima", false);
	int64_t f3 = confirmed(s, "f3@example.org", "ki klima", false);
	assert_int_equal(request(s, "pending@example.org", "ki", false, "h-p", NULL), DP_OK);
	int64_t gone = confirmed(s, "gone@example.org", "ki", false);
	assert_int_equal(store_subscriber_unsubscribe(s, gone, T0), DP_OK);
	(void)f2;

	int64_t a_old = article(s, "old", ki, 1, T0 - 10 * DAY, ARTICLE_PUBLISHED);
	int64_t a1 = article(s, "a1", both, 2, T0 - HOUR, ARTICLE_PUBLISHED);
	int64_t a2 = article(s, "a2", ki, 1, T0 - 2 * HOUR, ARTICLE_PUBLISHED);
	int64_t a3 = article(s, "a3", none, 1, T0 - 3 * HOUR, ARTICLE_PUBLISHED);
	article(s, "draft", ki, 1, T0 - HOUR, ARTICLE_DRAFT);
	int64_t later = article(s, "later", ki, 1, T0 + HOUR, ARTICLE_PUBLISHED);

	/* Public, not too old, oldest first; drafts and scheduled ones not. */
	assert_int_equal(store_alerts_due(s, T0, T0 - DAY, due, 10, &n), DP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(due[0], a3);
	assert_int_equal(due[1], a2);
	assert_int_equal(due[2], a1);
	assert_int_equal(store_alerts_due(s, T0, T0 - DAY, due, 2, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_alerts_due(s, T0, 0, due, 10, &n), DP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(due[0], a_old);
	/* The scheduled one is due once its time has come. */
	assert_int_equal(store_alerts_due(s, T0 + HOUR, T0 - DAY, due, 10, &n), DP_OK);
	assert_int_equal(n, 4);
	assert_int_equal(due[3], later);

	/* Nobody follows "sport": done without recipients. */
	struct subscriber *r;
	assert_int_equal(store_alert_recipients(s, a3, 0, 10, &r, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_alerts_done(s, a3, T0), DP_OK);
	assert_int_equal(store_alerts_done(s, a3, T0), DP_OK); /* twice is fine */
	assert_int_equal(store_alerts_due(s, T0, T0 - DAY, due, 10, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(due[0], a2);

	/* a1 (ki, klima): f1, f2, f3 once each, confirmed only, in id order. */
	assert_int_equal(store_alert_recipients(s, a1, 0, 10, &r, &n), DP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].id, f1);
	assert_int_equal(r[2].id, f3);
	assert_true(r[0].id < r[1].id && r[1].id < r[2].id);
	assert_int_equal(r[2].ntopics, 2);
	subscribers_free(r, n);
	/* Paging. */
	assert_int_equal(store_alert_recipients(s, a1, 0, 2, &r, &n), DP_OK);
	assert_int_equal(n, 2);
	int64_t page_last = r[1].id;
	subscribers_free(r, n);
	assert_int_equal(store_alert_recipients(s, a1, page_last, 2, &r, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].id, f3);
	subscribers_free(r, n);

	/* Recorded pairs are left out, and recorded once. */
	bool fresh = false;
	assert_int_equal(store_alert_record(s, f1, a1, false, T0, &fresh), DP_OK);
	assert_true(fresh);
	assert_int_equal(store_alert_record(s, f1, a1, true, T0 + 5, &fresh), DP_OK);
	assert_false(fresh);
	assert_int_equal(raw_int(path, "SELECT waiting FROM subscriber_alerts"), 0);
	assert_int_equal(raw_int(path, "SELECT at FROM subscriber_alerts"), T0);
	assert_int_equal(store_alert_record(s, f3, a1, true, T0, &fresh), DP_OK);
	assert_true(fresh);
	assert_int_equal(store_alert_recipients(s, a1, 0, 10, &r, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].id, f2);
	subscribers_free(r, n);
	/* The same subscriber is still a recipient of another article. */
	assert_int_equal(store_alert_recipients(s, a2, 0, 10, &r, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].id, f1);
	assert_int_equal(r[1].id, f3);
	subscribers_free(r, n);

	/* Deleting an article takes its records (its id may come again). */
	assert_int_equal(store_alerts_done(s, a1, T0), DP_OK);
	assert_int_equal(store_article_delete(s, a1), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM subscriber_alerts"), 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM article_alerts_done WHERE article_id = 2"),
			 0);
	/* A record for an article that does not exist fails. */
	assert_int_not_equal(store_alert_record(s, f1, a1, false, T0, &fresh), DP_OK);
	assert_int_equal(store_alerts_done(s, a1, T0), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM article_alerts_done"), 1);
	store_close(s);
}

/* The recipients of an article with three tags, in batches of 7, against
 * a plain count: every confirmed follower without a record exactly once,
 * in id order. Recorded pairs, pending and unsubscribed ones are spread so
 * that whole rounds of candidates are left out. */
static void test_alert_recipients_merge(void **state)
{
	(void)state;
	char path[256], email[64], token[32];
	struct store *s = open_new(path, sizeof path);
	const char *tags[] = { "alpha", "beta", "gamma" };
	const char *sets[] = { "alpha", "beta", "gamma", "alpha beta", "beta gamma",
			       "alpha gamma", "alpha beta gamma", "delta" };
	int64_t ids[80];
	bool want[80];
	int seen[80] = { 0 };
	int64_t art = article(s, "drei", tags, 3, T0, ARTICLE_PUBLISHED);
	int64_t other = article(s, "andere", tags, 1, T0, ARTICLE_PUBLISHED);

	for (int i = 0; i < 80; i++) {
		struct consent c;
		snprintf(email, sizeof email, "m%02d@example.org", i);
		snprintf(token, sizeof token, "m%d", i);
		assert_int_equal(request(s, email, sets[i % 8], false, token, &c), DP_OK);
		ids[i] = c.subscriber_id;
		bool pending = i % 11 == 3;
		bool gone = i % 13 == 5;
		/* Records for this article: a run of ten in a row, and some more. */
		bool recorded = (i >= 20 && i < 30) || i % 9 == 0;
		if (!pending)
			assert_int_equal(store_subscribe_confirm(s, token, "ip", T0, NULL), DP_OK);
		if (!pending && gone)
			assert_int_equal(store_subscriber_unsubscribe(s, ids[i], T0), DP_OK);
		if (!pending && !gone && recorded)
			assert_int_equal(store_alert_record(s, ids[i], art, i % 2, T0, NULL), DP_OK);
		/* A record for another article changes nothing here. */
		if (!pending && !gone)
			assert_int_equal(store_alert_record(s, ids[i], other, false, T0, NULL), DP_OK);
		want[i] = !pending && !gone && !recorded && i % 8 != 7;
	}
	int64_t after = 0, last = 0;
	struct subscriber *r;
	size_t n;
	do {
		assert_int_equal(store_alert_recipients(s, art, after, 7, &r, &n), DP_OK);
		for (size_t k = 0; k < n; k++) {
			assert_true(r[k].id > last);
			last = r[k].id;
			assert_int_equal(r[k].status, SUB_CONFIRMED);
			for (int i = 0; i < 80; i++)
				if (ids[i] == r[k].id)
					seen[i]++;
		}
		if (n)
			after = r[n - 1].id;
		subscribers_free(r, n);
	} while (n == 7);
	for (int i = 0; i < 80; i++)
		assert_int_equal(seen[i], want[i] ? 1 : 0);
	/* An article without tags, or unknown, has no recipients. */
	int64_t bare = article(s, "ohne", NULL, 0, T0, ARTICLE_PUBLISHED);
	assert_int_equal(store_alert_recipients(s, bare, 0, 7, &r, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_alert_recipients(s, 9999, 0, 7, &r, &n), DP_OK);
	assert_int_equal(n, 0);
	store_close(s);
}

static void test_digest(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	const char *ki[] = { "ki" };
	struct subscriber *list;
	int64_t items[10];
	size_t n;

	int64_t d1 = confirmed(s, "d1@example.org", "ki", false);
	int64_t d2 = confirmed(s, "d2@example.org", "ki", false);
	int64_t w1 = confirmed(s, "w1@example.org", "ki", false);
	int64_t im = confirmed(s, "im@example.org", "ki", false);
	assert_int_equal(store_subscriber_set_prefs(s, d1, ki, 1, false, FREQ_DAILY, T0), DP_OK);
	assert_int_equal(store_subscriber_set_prefs(s, d2, ki, 1, false, FREQ_DAILY, T0), DP_OK);
	assert_int_equal(store_subscriber_set_prefs(s, w1, ki, 1, false, FREQ_WEEKLY, T0), DP_OK);
	int64_t a1 = article(s, "a1", ki, 1, T0, ARTICLE_PUBLISHED);
	int64_t a2 = article(s, "a2", ki, 1, T0, ARTICLE_PUBLISHED);
	int64_t a3 = article(s, "a3", ki, 1, T0, ARTICLE_PUBLISHED);

	/* d1 waits for a2 (recorded first) then a1; d2 has only a sent one. */
	assert_int_equal(store_alert_record(s, d1, a2, true, T0 + 1, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, d1, a1, true, T0 + 2, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, d2, a1, false, T0 + 1, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, w1, a3, true, T0 + 1, NULL), DP_OK);
	assert_int_equal(store_alert_record(s, im, a3, false, T0 + 1, NULL), DP_OK);

	assert_int_equal(store_digest_due(s, FREQ_DAILY, T0 + DAY, 0, 10, &list, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, d1);
	subscribers_free(list, n);
	assert_int_equal(store_digest_due(s, FREQ_WEEKLY, T0 + DAY, 0, 10, &list, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, w1);
	subscribers_free(list, n);
	assert_int_equal(store_digest_due(s, FREQ_DAILY, T0 + DAY, d1, 10, &list, &n), DP_OK);
	assert_int_equal(n, 0);

	size_t waiting = 99;
	assert_int_equal(store_digest_items(s, d1, items, 10, &n, &waiting), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(waiting, 2);
	assert_int_equal(items[0], a2);
	assert_int_equal(items[1], a1);
	/* Past max, the newest are listed, and the count says how many more wait. */
	assert_int_equal(store_digest_items(s, d1, items, 1, &n, &waiting), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0], a1);
	assert_int_equal(waiting, 2);
	assert_int_equal(store_digest_items(s, d2, items, 10, &n, &waiting), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(waiting, 0);

	assert_int_equal(store_digest_done(s, d1, T0 + DAY), DP_OK);
	assert_int_equal(store_digest_items(s, d1, items, 10, &n, NULL), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(raw_int(path, "SELECT last_digest_at FROM subscribers WHERE email_key = "
				       "'d1@example.org'"),
			 T0 + DAY);
	assert_int_equal(store_digest_due(s, FREQ_DAILY, T0 + 2 * DAY, 0, 10, &list, &n), DP_OK);
	assert_int_equal(n, 0);
	/* A new item: due again only for a cut-off after the last digest. */
	assert_int_equal(store_alert_record(s, d1, a3, true, T0 + DAY + 5, NULL), DP_OK);
	assert_int_equal(store_digest_due(s, FREQ_DAILY, T0 + DAY, 0, 10, &list, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_digest_due(s, FREQ_DAILY, T0 + DAY + 1, 0, 10, &list, &n), DP_OK);
	assert_int_equal(n, 1);
	subscribers_free(list, n);
	assert_int_equal(store_digest_done(s, 9999, T0), DP_ENOTFOUND);
	assert_int_equal(store_digest_due(s, FREQ__MAX, T0, 0, 10, &list, &n), DP_EINVAL);
	store_close(s);
}

/* ---- newsletter issues ---- */

static void test_newsletters(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct newsletter nl = {
		.subject = "Die Woche",
		.body_md = "# Hallo\n\nText.",
		.topics = " klima  ki klima ",
		.created_by = "redaktion",
	};
	struct newsletter got, *list;
	size_t n, total;

	assert_int_equal(store_newsletter_save(s, &nl, T0), DP_OK);
	assert_true(nl.id > 0);
	assert_int_equal(nl.created_at, T0);
	assert_int_equal(nl.updated_at, T0);
	assert_int_equal(store_newsletter_get(s, nl.id, &got), DP_OK);
	assert_string_equal(got.subject, "Die Woche");
	assert_string_equal(got.body_md, "# Hallo\n\nText.");
	assert_string_equal(got.topics, "klima ki");
	assert_string_equal(got.created_by, "redaktion");
	assert_int_equal(got.status, NEWSLETTER_DRAFT);
	assert_int_equal(got.queued, 0);
	newsletter_release(&got);

	/* Update the draft; created_by and created_at stay. */
	nl.subject = "Die Woche, neu";
	nl.topics = "";
	nl.created_by = "someone-else";
	assert_int_equal(store_newsletter_save(s, &nl, T0 + 10), DP_OK);
	assert_int_equal(nl.created_at, T0);
	assert_int_equal(nl.updated_at, T0 + 10);
	assert_int_equal(store_newsletter_get(s, nl.id, &got), DP_OK);
	assert_string_equal(got.subject, "Die Woche, neu");
	assert_string_equal(got.topics, "");
	assert_string_equal(got.created_by, "redaktion");
	assert_int_equal(got.updated_at, T0 + 10);
	newsletter_release(&got);

	struct newsletter bad = { .subject = "x", .body_md = "y", .topics = "KI" };
	assert_int_equal(store_newsletter_save(s, &bad, T0), DP_EINVAL);
	bad.topics = NULL;
	bad.subject = NULL;
	assert_int_equal(store_newsletter_save(s, &bad, T0), DP_EINVAL);
	bad.subject = "x";
	bad.id = 999;
	assert_int_equal(store_newsletter_save(s, &bad, T0), DP_ENOTFOUND);

	struct newsletter second = { .subject = "Zwei", .body_md = "b", .created_by = "r" };
	assert_int_equal(store_newsletter_save(s, &second, T0 + 20), DP_OK);
	assert_int_equal(store_newsletters(s, 0, 10, &list, &n, &total), DP_OK);
	assert_int_equal(n, 2);
	assert_int_equal(total, 2);
	assert_int_equal(list[0].id, second.id);
	assert_int_equal(list[1].id, nl.id);
	newsletters_free(list, n);
	assert_int_equal(store_newsletters(s, 1, 10, &list, &n, NULL), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, nl.id);
	newsletters_free(list, n);

	/* Nothing is being sent; start two; the older start comes first. */
	assert_int_equal(store_newsletter_sending(s, &got), DP_ENOTFOUND);
	assert_int_equal(store_newsletter_start(s, second.id, T0 + 30), DP_OK);
	assert_int_equal(store_newsletter_start(s, nl.id, T0 + 40), DP_OK);
	assert_int_equal(store_newsletter_start(s, nl.id, T0 + 50), DP_EBUSY);
	assert_int_equal(store_newsletter_start(s, 999, T0), DP_ENOTFOUND);
	assert_int_equal(store_newsletter_save(s, &nl, T0 + 60), DP_EBUSY);
	assert_int_equal(store_newsletter_delete(s, nl.id), DP_EBUSY);
	assert_int_equal(store_newsletter_sending(s, &got), DP_OK);
	assert_int_equal(got.id, second.id);
	assert_int_equal(got.status, NEWSLETTER_SENDING);
	assert_int_equal(got.started_at, T0 + 30);
	assert_int_equal(got.cursor, 0);
	newsletter_release(&got);

	/* Batches, in the caller's transaction, with their outbox rows. */
	assert_int_equal(store_begin(s), DP_OK);
	assert_int_equal(store_outbox_add_for(s, OUTBOX_NEWSLETTER, second.id, "a@example.org",
					      "m1", 2, T0, NULL),
			 DP_OK);
	assert_int_equal(store_outbox_add_for(s, OUTBOX_NEWSLETTER, second.id, "b@example.org",
					      "m2", 2, T0, NULL),
			 DP_OK);
	assert_int_equal(store_newsletter_advance(s, second.id, 17, 2, false, T0 + 31), DP_OK);
	assert_int_equal(store_commit(s), DP_OK);
	assert_int_equal(store_newsletter_get(s, second.id, &got), DP_OK);
	assert_int_equal(got.cursor, 17);
	assert_int_equal(got.queued, 2);
	assert_int_equal(got.status, NEWSLETTER_SENDING);
	assert_int_equal(got.finished_at, 0);
	newsletter_release(&got);
	/* A batch rolled back leaves nothing behind. */
	assert_int_equal(store_begin(s), DP_OK);
	assert_int_equal(store_outbox_add_for(s, OUTBOX_NEWSLETTER, second.id, "c@example.org",
					      "m3", 2, T0, NULL),
			 DP_OK);
	assert_int_equal(store_newsletter_advance(s, second.id, 20, 1, false, T0 + 32), DP_OK);
	assert_int_equal(store_rollback(s), DP_OK);
	size_t counts[OUTBOX_STATUS__MAX];
	assert_int_equal(store_outbox_counts_for(s, second.id, counts), DP_OK);
	assert_int_equal(counts[OUTBOX_QUEUED], 2);
	assert_int_equal(counts[OUTBOX_SENT], 0);

	assert_int_equal(store_newsletter_advance(s, second.id, 30, 1, true, T0 + 33), DP_OK);
	assert_int_equal(store_newsletter_get(s, second.id, &got), DP_OK);
	assert_int_equal(got.status, NEWSLETTER_SENT);
	assert_int_equal(got.finished_at, T0 + 33);
	assert_int_equal(got.queued, 3);
	assert_int_equal(got.cursor, 30);
	newsletter_release(&got);
	/* A finished issue advances no more; the other one is sending now. */
	assert_int_equal(store_newsletter_advance(s, second.id, 40, 1, true, T0 + 34), DP_EBUSY);
	assert_int_equal(store_newsletter_advance(s, 999, 40, 1, true, T0 + 34), DP_ENOTFOUND);
	assert_int_equal(store_newsletter_sending(s, &got), DP_OK);
	assert_int_equal(got.id, nl.id);
	newsletter_release(&got);
	assert_int_equal(store_newsletter_delete(s, second.id), DP_EBUSY);

	/* Counts per issue. */
	struct outbox_msg *claimed;
	assert_int_equal(store_outbox_claim(s, "w", T0, 1, &claimed, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_outbox_done(s, claimed[0].id, T0), DP_OK);
	outbox_msgs_free(claimed, n);
	assert_int_equal(store_outbox_add(s, OUTBOX_TEST, "t@example.org", "t", 1, T0, NULL), DP_OK);
	assert_int_equal(store_outbox_counts_for(s, second.id, counts), DP_OK);
	assert_int_equal(counts[OUTBOX_QUEUED], 1);
	assert_int_equal(counts[OUTBOX_SENT], 1);
	assert_int_equal(store_outbox_counts_for(s, 0, counts), DP_OK);
	assert_int_equal(counts[OUTBOX_QUEUED], 1);
	assert_int_equal(store_outbox_counts_for(s, nl.id, counts), DP_OK);
	assert_int_equal(counts[OUTBOX_QUEUED] + counts[OUTBOX_SENT], 0);

	/* Only drafts can be deleted. */
	struct newsletter third = { .subject = "Drei", .body_md = "" };
	assert_int_equal(store_newsletter_save(s, &third, T0), DP_OK);
	assert_int_equal(store_newsletter_delete(s, third.id), DP_OK);
	assert_int_equal(store_newsletter_get(s, third.id, &got), DP_ENOTFOUND);
	assert_int_equal(store_newsletter_delete(s, third.id), DP_ENOTFOUND);
	store_close(s);
}

/* ---- outbox additions ---- */

static void test_outbox_list_retry(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct outbox_msg *list, *claimed, m;
	size_t n, total;
	int64_t ids[3];
	enum outbox_status st;

	for (int i = 0; i < 3; i++) {
		char to[32];
		snprintf(to, sizeof to, "r%d@example.org", i);
		assert_int_equal(store_outbox_add(s, OUTBOX_ALERT, to, "Subject: x\r\n\r\nbody", 17,
						  T0 + i, &ids[i]),
				 DP_OK);
	}
	assert_int_equal(store_outbox_claim_id(s, ids[1], "w", T0 + 5, &m), DP_OK);
	outbox_msg_release(&m);
	assert_int_equal(store_outbox_fail(s, ids[1], true, "550 no such user", T0 + 6, &st), DP_OK);
	assert_int_equal(st, OUTBOX_FAILED);

	assert_int_equal(store_outbox_list(s, OUTBOX_STATUS__MAX, 0, 10, &list, &n, &total), DP_OK);
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_int_equal(list[0].id, ids[2]); /* newest first */
	assert_string_equal(list[0].message, "");
	assert_int_equal(list[0].len, 0);
	assert_string_equal(list[0].recipient, "r2@example.org");
	assert_int_equal(list[0].kind, OUTBOX_ALERT);
	outbox_msgs_free(list, n);

	assert_int_equal(store_outbox_list(s, OUTBOX_FAILED, 0, 10, &list, &n, &total), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(list[0].id, ids[1]);
	assert_string_equal(list[0].last_error, "550 no such user");
	assert_int_equal(list[0].attempts, 1);
	outbox_msgs_free(list, n);
	assert_int_equal(store_outbox_list(s, OUTBOX_QUEUED, 1, 1, &list, &n, &total), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 2);
	assert_int_equal(list[0].id, ids[0]);
	outbox_msgs_free(list, n);
	assert_int_equal(store_outbox_list(s, OUTBOX_SENT, 0, 10, &list, &n, &total), DP_OK);
	assert_int_equal(n, 0);
	assert_null(list);
	assert_int_equal(total, 0);
	assert_int_equal(store_outbox_list(s, (enum outbox_status)9, 0, 10, &list, &n, NULL),
			 DP_EINVAL);

	/* Retry: only a failed message; it is queued, due now, attempts 0. */
	assert_int_equal(store_outbox_retry(s, ids[0], T0 + 100), DP_ENOTFOUND);
	assert_int_equal(store_outbox_retry(s, 999, T0 + 100), DP_ENOTFOUND);
	assert_int_equal(store_outbox_retry(s, ids[1], T0 + 100), DP_OK);
	assert_int_equal(store_outbox_get(s, ids[1], &m), DP_OK);
	assert_int_equal(m.status, OUTBOX_QUEUED);
	assert_int_equal(m.attempts, 0);
	assert_int_equal(m.next_attempt_at, T0 + 100);
	assert_int_equal(m.len, 17);
	outbox_msg_release(&m);
	assert_int_equal(store_outbox_retry(s, ids[1], T0 + 100), DP_ENOTFOUND);
	assert_int_equal(store_outbox_claim(s, "w", T0 + 100, 10, &claimed, &n), DP_OK);
	assert_int_equal(n, 3);
	outbox_msgs_free(claimed, n);
	/* store_outbox_add counts for no issue. */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM outbox WHERE newsletter_id = 0"), 3);
	assert_int_equal(store_outbox_add_for(s, OUTBOX_NEWSLETTER, -1, "x@example.org", "m", 1, T0,
					      NULL),
			 DP_EINVAL);
	store_close(s);
}

/* ---- staff addresses ---- */

static void test_user_email(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct user u = { .name = "anna", .pwhash = "$argon2id$x", .role = ROLE_MODERATOR,
			  .email = "anna@example.org" };
	struct user v = { .name = "ben", .pwhash = "$argon2id$y", .role = ROLE_EDITOR };
	struct user got, *list;
	size_t n;

	assert_int_equal(store_user_add(s, &u), DP_OK);
	assert_int_equal(store_user_add(s, &v), DP_OK);
	assert_int_equal(store_user_by_name(s, "anna", &got), DP_OK);
	assert_string_equal(got.email, "anna@example.org");
	user_release(&got);
	assert_int_equal(store_user_by_id(s, v.id, &got), DP_OK);
	assert_string_equal(got.email, "");
	user_release(&got);

	assert_int_equal(store_user_set_email(s, v.id, "ben@example.org"), DP_OK);
	assert_int_equal(store_user_set_email(s, u.id, ""), DP_OK);
	assert_int_equal(store_user_set_email(s, 999, "x@example.org"), DP_ENOTFOUND);
	assert_int_equal(store_user_set_email(s, u.id, NULL), DP_EINVAL);
	assert_int_equal(store_users(s, &list, &n), DP_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "anna");
	assert_string_equal(list[0].email, "");
	assert_string_equal(list[1].email, "ben@example.org");
	for (size_t i = 0; i < n; i++)
		user_release(&list[i]);
	free(list);
	user_release(NULL);
	store_close(s);
}

/* ---- comment mail ---- */

static int64_t add_comment(struct store *s, int64_t article_id, int64_t parent,
			   enum comment_status st, int64_t created_at)
{
	struct comment c = {
		.article_id = article_id,
		.parent_id = parent,
		.author_name = "Leser",
		.author_email = "leser@example.org",
		.text = "Ein Kommentar.",
		.status = st,
		.notify = true,
		.created_at = created_at,
	};
	assert_int_equal(store_comment_add(s, &c), DP_OK);
	return c.id;
}

static void test_comment_mail(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	struct comment_list l;
	size_t total;
	int64_t art = article(s, "artikel", NULL, 0, T0 - DAY, ARTICLE_PUBLISHED);

	int64_t c1 = add_comment(s, art, 0, COMMENT_APPROVED, T0 - 50);
	int64_t c2 = add_comment(s, art, c1, COMMENT_PENDING, T0 - 40);
	int64_t c3 = add_comment(s, art, c1, COMMENT_APPROVED, T0 - 30);
	int64_t c4 = add_comment(s, art, 0, COMMENT_PENDING, T0 - 20);
	add_comment(s, art, 0, COMMENT_SPAM, T0 - 10);

	assert_int_equal(store_comments_to_notify(s, 10, &l), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, c1);
	assert_int_equal(l.items[1].id, c3);
	assert_int_equal(l.items[1].parent_id, c1);
	assert_true(l.items[1].notify);
	assert_string_equal(l.items[0].article_slug, "artikel");
	assert_string_equal(l.items[0].article_title, "artikel");
	comment_list_release(&l);
	assert_int_equal(store_comments_to_notify(s, 1, &l), DP_OK);
	assert_int_equal(l.n, 1);
	comment_list_release(&l);

	assert_int_equal(store_comment_notified(s, c1), DP_OK);
	assert_int_equal(store_comment_notified(s, 999), DP_ENOTFOUND);
	/* Approving a pending one puts it in line. */
	assert_int_equal(store_comment_set_status(s, c2, COMMENT_APPROVED), DP_OK);
	assert_int_equal(store_comments_to_notify(s, 10, &l), DP_OK);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.items[0].id, c2);
	assert_int_equal(l.items[1].id, c3);
	comment_list_release(&l);
	/* Once notified, never again, even approved a second time. */
	assert_int_equal(store_comment_notified(s, c2), DP_OK);
	assert_int_equal(store_comment_set_status(s, c2, COMMENT_PENDING), DP_OK);
	assert_int_equal(store_comment_set_status(s, c2, COMMENT_APPROVED), DP_OK);
	assert_int_equal(store_comments_to_notify(s, 10, &l), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].id, c3);
	comment_list_release(&l);

	/* Pending ones created after a time, oldest first. */
	assert_int_equal(store_comments_pending_since(s, 0, 10, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(l.items[0].id, c4);
	assert_string_equal(l.items[0].article_slug, "artikel");
	comment_list_release(&l);
	int64_t c5 = add_comment(s, art, 0, COMMENT_PENDING, T0 - 5);
	assert_int_equal(store_comments_pending_since(s, T0 - 20, 10, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(l.items[0].id, c5);
	comment_list_release(&l);
	assert_int_equal(store_comments_pending_since(s, 0, 1, &l, &total), DP_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(total, 2);
	assert_int_equal(l.items[0].id, c4);
	comment_list_release(&l);
	assert_int_equal(store_comments_pending_since(s, 0, 10, &l, NULL), DP_OK);
	assert_int_equal(l.n, 2);
	comment_list_release(&l);
	store_close(s);
}

/* ---- migration 6 on a database of version 5 ---- */

static void test_migration_from_v5(void **state)
{
	(void)state;
	char path[256];
	sqlite3 *db;
	struct store *s;
	int64_t due[4];
	size_t n;
	struct comment_list l;

	snprintf(path, sizeof path, "%s/v5-%d.db", tmpdir, ++dbcount);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE schema_migrations (version INTEGER PRIMARY"
					  " KEY, applied_at INTEGER NOT NULL)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < sqlite_nmigrations && sqlite_migrations[i].version <= 5; i++) {
		char rec[128];
		assert_int_equal(sqlite3_exec(db, sqlite_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
		snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%d, 1)",
			 sqlite_migrations[i].version);
		assert_int_equal(sqlite3_exec(db, rec, NULL, NULL, NULL), SQLITE_OK);
	}
	/* A site of version 5: an article, an approved and a pending comment,
	 * a user, a message in the outbox. */
	assert_int_equal(
		sqlite3_exec(db,
			     "INSERT INTO articles (id, slug, title, status, published_at,"
			     " updated_at, created_at) VALUES (1, 'alt', 'Alt', 1, 1700000000,"
			     " 1700000000, 1700000000), (2, 'geplant', 'Geplant', 1, 4000000000,"
			     " 1700000000, 1700000000), (3, 'entwurf', 'Entwurf', 0, 1700000000,"
			     " 1700000000, 1700000000);"
			     "INSERT INTO comments (article_id, status, created_at, updated_at,"
			     " text_hash, author_name, text) VALUES (1, 1, 1, 1, 'h', 'a', 't'),"
			     " (1, 0, 2, 2, 'h2', 'b', 'u');"
			     "INSERT INTO users (name, pwhash, role, created_at) VALUES"
			     " ('old', 'x', 0, 1);"
			     "INSERT INTO outbox (created_at, kind, recipient, message) VALUES"
			     " (1, 'test', 'a@example.org', x'41');",
			     NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(store_open(path, 0, &s), DP_OK);
	assert_int_equal(raw_int(path, "SELECT max(version) FROM schema_migrations"),
			 sqlite_migrations[sqlite_nmigrations - 1].version);
	/* The public article is taken for alerted, the old comments for
	 * notified (the pending one too, when it is approved later). The
	 * scheduled one is news when its time comes, the draft when it is
	 * published. */
	assert_int_equal(store_alerts_due(s, T0 + DAY, 0, due, 4, &n), DP_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_alerts_due(s, 4000000000, 0, due, 4, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0], 2);
	assert_int_equal(store_article_set_status(s, 3, ARTICLE_PUBLISHED, T0), DP_OK);
	assert_int_equal(store_alerts_due(s, T0 + DAY, 0, due, 4, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0], 3);
	assert_int_equal(store_alerts_done(s, 3, T0), DP_OK);
	assert_int_equal(store_comments_to_notify(s, 10, &l), DP_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM comments WHERE notified = 1"), 2);
	struct user u;
	assert_int_equal(store_user_by_name(s, "old", &u), DP_OK);
	assert_string_equal(u.email, "");
	user_release(&u);
	size_t counts[OUTBOX_STATUS__MAX];
	assert_int_equal(store_outbox_counts_for(s, 0, counts), DP_OK);
	assert_int_equal(counts[OUTBOX_QUEUED], 1);
	/* A new article after the upgrade is due. */
	int64_t fresh = article(s, "neu", NULL, 0, T0, ARTICLE_PUBLISHED);
	assert_int_equal(store_alerts_due(s, T0 + DAY, 0, due, 4, &n), DP_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0], fresh);
	store_close(s);

	/* Opening again runs nothing more. */
	assert_int_equal(store_open(path, 0, &s), DP_OK);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM schema_migrations"),
			 (int64_t)sqlite_nmigrations);
	store_close(s);

	/* A fresh database is at version 7 with the new tables. */
	s = open_new(path, sizeof path);
	assert_int_equal(raw_int(path, "SELECT max(version) FROM schema_migrations"),
			 sqlite_migrations[sqlite_nmigrations - 1].version);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN"
				       " ('subscribers', 'subscriber_topics', 'consents',"
				       " 'subscriber_alerts', 'article_alerts_done', 'newsletters')"),
			 6);
	store_close(s);
}

/* ---- the hot queries use their indexes ---- */

/* The plan of sql on path has no SCAN (but of json_each or of a partial
 * index, which holds only the rows wanted) and no sort. */
static void assert_no_scan(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char q[2048];
	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);
		if ((strncmp(detail, "SCAN ", 5) == 0 && !strstr(detail, "json_each") &&
		     !strstr(detail, "comments_to_notify")) ||
		    strstr(detail, "TEMP B-TREE"))
			fail_msg("%s: %s", sql, detail);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_query_plans(void **state)
{
	(void)state;
	char path[256];
	struct store *s = open_new(path, sizeof path);
	store_close(s);
	/* The same SQL as subscribers.c's batch, recipients and digest
	 * queries (their shapes; the store's columns do not change plans). */
	assert_no_scan(path, "SELECT s.id FROM subscribers s WHERE s.status = 1 AND"
			     " s.newsletter = 1 AND s.id > 5 ORDER BY s.id LIMIT 500");
	assert_no_scan(path, "SELECT s.id FROM subscribers s WHERE +s.status = 1 AND s.id > 5"
			     " AND EXISTS (SELECT 1 FROM subscriber_topics t WHERE"
			     " t.subscriber_id = s.id AND t.slug IN (SELECT value FROM"
			     " json_each('[\"ki\"]'))) ORDER BY s.id LIMIT 500");
	assert_no_scan(path, "SELECT g.slug FROM article_tags x JOIN tags g ON"
			     " g.id = x.tag_id WHERE x.article_id = 1");
	assert_no_scan(path, "SELECT subscriber_id FROM subscriber_topics WHERE slug = 'ki'"
			     " AND subscriber_id > 5 ORDER BY subscriber_id LIMIT 500");
	assert_no_scan(path, "SELECT s.id FROM subscribers s WHERE s.id = 7 AND s.status = 1"
			     " AND NOT EXISTS (SELECT 1 FROM subscriber_alerts r WHERE"
			     " r.subscriber_id = s.id AND r.article_id = 1)");
	assert_no_scan(path, "SELECT s.id FROM subscribers s WHERE s.status = 1 AND s.frequency = 1"
			     " AND s.id > 0 AND s.last_digest_at < 5 AND EXISTS (SELECT 1 FROM"
			     " subscriber_alerts r INDEXED BY subscriber_alerts_waiting WHERE"
			     " r.subscriber_id = s.id AND r.waiting = 1) ORDER BY s.id LIMIT 50");
	assert_no_scan(path, "SELECT a.id FROM articles a WHERE a.status = 1 AND a.published_at"
			     " <= 9 AND a.published_at >= 1 AND NOT EXISTS (SELECT 1 FROM"
			     " article_alerts_done d WHERE d.article_id = a.id) ORDER BY"
			     " a.published_at, a.id LIMIT 50");
	assert_no_scan(path, "SELECT c.id FROM comments c INDEXED BY comments_to_notify JOIN"
			     " articles a ON a.id = c.article_id WHERE c.status = 1 AND"
			     " c.notified = 0 ORDER BY c.id LIMIT 50");
	assert_no_scan(path, "SELECT c.id FROM comments c JOIN articles a ON a.id = c.article_id"
			     " WHERE c.status = 0 AND c.created_at > 5 ORDER BY c.created_at, c.id"
			     " LIMIT 50");
	assert_no_scan(path, "SELECT status, count(*) FROM outbox WHERE newsletter_id = 3"
			     " GROUP BY status");
	assert_no_scan(path, "SELECT id FROM outbox WHERE status = 3 ORDER BY id DESC LIMIT 50");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_request_confirm),
		cmocka_unit_test(test_duplicate_email),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_topics_merge_cap),
		cmocka_unit_test(test_prefs),
		cmocka_unit_test(test_unsubscribe),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_list_counts),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_alert_recipients_merge),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_newsletters),
		cmocka_unit_test(test_outbox_list_retry),
		cmocka_unit_test(test_user_email),
		cmocka_unit_test(test_comment_mail),
		cmocka_unit_test(test_migration_from_v5),
		cmocka_unit_test(test_query_plans),
	};
	return cmocka_run_group_tests_name("store_subscribers", tests, group_setup, fixture_teardown);
}
