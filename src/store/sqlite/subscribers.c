/* subscribers.c — newsletter subscribers, consent records, topic alerts,
 * digests and newsletter issues in the SQLite backend (store.h, from
 * "newsletter subscribers" to "newsletter issues"); statement slots 96..159
 * of internal.h. The schema is migration 6 (migrations.c).
 *
 * Addresses: a subscriber's email is kept as given with its domain
 * lower-cased; email_key, the whole address lower-cased (ASCII), is the
 * unique key, so "Anna@Example.ORG" and "anna@example.org" are one person.
 * Topics are tag slugs ([a-z0-9-]{1,200}); anything else is DP_EINVAL.
 *
 * Every write of more than one statement runs in the write bracket
 * (sq_write_begin/end), so it is atomic alone and also inside a caller's
 * transaction (the dispatcher queues a batch of alerts and newsletter mails
 * in one). Reads of a subscriber and its topics run in one read transaction
 * (one snapshot) unless the caller has one open.
 *
 * The hot queries and their indexes (EXPLAIN QUERY PLAN shows no full scan):
 * - newsletter batches: subscribers_batch (status, newsletter, id); the
 *   topic variant walks confirmed subscribers on the same index with an
 *   EXISTS over the primary key of subscriber_topics;
 * - alert recipients: the article's tags (article_tags key) -> tags ->
 *   subscriber_topics_slug (slug, subscriber_id), walked per slug in id
 *   order and merged in C (store_alert_recipients()), then each candidate
 *   by id with the pair looked up in subscriber_alerts' key;
 * - digests: subscribers_digest (status, frequency, id) with an EXISTS on
 *   the partial index subscriber_alerts_waiting. */
#include "store/store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"
#include "util/array.h"
#include "util/err.h"

#define SLOT0 96

/* Longest address accepted (RFC 5321: a path holds at most 256 octets,
 * less the angle brackets). */
#define EMAIL_MAX 254
/* Longest topic (tag slug), the same bound as the slugs of terms. */
#define TOPIC_MAX 200
/* A list's limit when the caller gives 0 (struct subscriber_query). */
#define LIMIT_DEFAULT 50
/* The most rows one call returns, whatever the caller asks. */
#define LIMIT_MAX 10000
/* Bounds of what an issue or a consent record may hold. */
#define SUBJECT_MAX 1000
#define BODY_MAX (1024 * 1024)
#define WORDING_MAX (64 * 1024)
#define SHORT_MAX 1000 /* version, IPs, token hash, user name */
/* A list's topics are read in one range query over subscriber_topics' key
 * when its ids are this dense (span <= DENSE * n), else one by one. */
#define DENSE 4

enum {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_BY_ID,
	S_BY_KEY,
	S_BY_EMAIL,
	S_TOPICS_OF,
	S_TOPICS_RANGE,
	S_INSERT,
	S_CONSENT_INSERT,
	S_RECENT,
	S_CONSENT_BY_TOKEN,
	S_CONSENT_CONFIRM,
	S_SUB_CONFIRM,
	S_TOPIC_COUNT,
	S_TOPIC_ADD,
	S_TOPICS_CLEAR,
	S_PREFS,
	S_WAITING_DROP,
	S_UNSUBSCRIBE,
	S_DELETE,
	S_DELETE_MAIL,
	S_LIST,
	S_LIST_COUNT,
	S_COUNTS,
	S_CONSENTS,
	S_EXPIRE_CONSENTS,
	S_EXPIRE_SUBS,
	S_BATCH,
	S_BATCH_TOPICS,
	S_ALERTS_DUE,
	S_ALERTS_DONE,
	S_ARTICLE_SLUGS,
	S_FOLLOWERS,
	S_RECIPIENT,
	S_ALERT_RECORD,
	S_DIGEST_DUE,
	S_DIGEST_ITEMS,
	S_DIGEST_WAITING,
	S_DIGEST_DONE_ITEMS,
	S_DIGEST_DONE_SUB,
	S_NL_INSERT,
	S_NL_UPDATE,
	S_NL_STATUS,
	S_NL_GET,
	S_NL_LIST,
	S_NL_COUNT,
	S_NL_START,
	S_NL_SENDING,
	S_NL_ADVANCE,
	S_NL_DELETE,
	S__MAX
};
_Static_assert(S__MAX <= 64, "subscribers.c owns statement slots 96..159");
_Static_assert(SLOT0 + 64 <= SQ_XSLOTS, "internal.h has room for slots 96..159");
_Static_assert(SUB_PENDING == 0 && SUB_CONFIRMED == 1 && SUB_UNSUBSCRIBED == 2 &&
		       FREQ_IMMEDIATE == 0 && NEWSLETTER_DRAFT == 0 && NEWSLETTER_SENDING == 1 &&
		       NEWSLETTER_SENT == 2 && ARTICLE_PUBLISHED == 1,
	       "the SQL names statuses and frequencies by number");

/* The columns read_sub() reads, in its order. */
#define SUB_COLS                                                                      \
	"s.id, s.email, s.status, s.newsletter, s.frequency, s.key, s.created_at,"    \
	" s.confirmed_at, s.unsubscribed_at, s.last_digest_at"
/* The columns read_consent() reads, in its order. */
#define CONSENT_COLS                                                                  \
	"id, subscriber_id, newsletter, requested_at, expires_at, confirmed_at,"       \
	" request_ip, confirm_ip, version, topics, wording"
/* The columns read_newsletter() reads, in its order. */
#define NL_COLS                                                                       \
	"id, status, created_at, updated_at, started_at, finished_at, cursor, queued," \
	" created_by, topics, subject, body_md"

static const char *const sql[S__MAX] = {
	[S_BEGIN] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",

	[S_BY_ID] = "SELECT " SUB_COLS " FROM subscribers s WHERE s.id = ?1",
	[S_BY_KEY] = "SELECT " SUB_COLS " FROM subscribers s WHERE s.key = ?1",
	[S_BY_EMAIL] = "SELECT " SUB_COLS " FROM subscribers s WHERE s.email_key = ?1",
	[S_TOPICS_OF] = "SELECT subscriber_id, slug FROM subscriber_topics WHERE subscriber_id = ?1"
			" ORDER BY slug",
	[S_TOPICS_RANGE] = "SELECT subscriber_id, slug FROM subscriber_topics"
			   " WHERE subscriber_id BETWEEN ?1 AND ?2 ORDER BY subscriber_id, slug",
	[S_INSERT] = "INSERT INTO subscribers (email, email_key, status, newsletter, frequency, key,"
		     " created_at, confirmed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
	[S_CONSENT_INSERT] = "INSERT INTO consents (subscriber_id, token_hash, newsletter,"
			     " requested_at, expires_at, confirmed_at, request_ip, confirm_ip,"
			     " version, topics, wording)"
			     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
	[S_RECENT] = "SELECT count(*) FROM consents"
		     " WHERE subscriber_id = ?1 AND requested_at >= ?2 AND id <> ?3",
	[S_CONSENT_BY_TOKEN] = "SELECT id, subscriber_id, expires_at, newsletter, topics"
			       " FROM consents WHERE token_hash = ?1",
	/* The token goes: the link works once. */
	[S_CONSENT_CONFIRM] = "UPDATE consents SET token_hash = NULL, confirmed_at = ?2,"
			      " confirm_ip = ?3 WHERE id = ?1",
	[S_SUB_CONFIRM] = "UPDATE subscribers SET status = 1, newsletter = (newsletter OR ?2),"
			  " confirmed_at = CASE WHEN confirmed_at = 0 THEN ?3 ELSE confirmed_at END,"
			  " unsubscribed_at = 0 WHERE id = ?1",
	[S_TOPIC_COUNT] = "SELECT count(*) FROM subscriber_topics WHERE subscriber_id = ?1",
	[S_TOPIC_ADD] = "INSERT OR IGNORE INTO subscriber_topics (subscriber_id, slug) VALUES (?1, ?2)",
	[S_TOPICS_CLEAR] = "DELETE FROM subscriber_topics WHERE subscriber_id = ?1",
	[S_PREFS] = "UPDATE subscribers SET newsletter = ?2, frequency = ?3 WHERE id = ?1",
	/* INDEXED BY: the partial index holds only the waiting items, where
	 * the key would walk everything the subscriber was ever sent. */
	[S_WAITING_DROP] = "DELETE FROM subscriber_alerts INDEXED BY subscriber_alerts_waiting"
			   " WHERE subscriber_id = ?1 AND waiting = 1",
	/* unsubscribed_at keeps the first time when it is done twice. */
	[S_UNSUBSCRIBE] = "UPDATE subscribers SET newsletter = 0,"
			  " unsubscribed_at = CASE WHEN status = 2 THEN unsubscribed_at ELSE ?2 END,"
			  " status = 2 WHERE id = ?1",
	/* Topics, consents and alerts go by ON DELETE CASCADE. */
	[S_DELETE] = "DELETE FROM subscribers WHERE id = ?1",
	/* Erasure takes the person's mail in the outbox too: its recipient and
	 * bytes hold the address. */
	[S_DELETE_MAIL] = "DELETE FROM outbox WHERE lower(recipient) ="
			  " (SELECT email_key FROM subscribers WHERE id = ?1)",
	/* ?1 status or -1, ?2 "" or a lower-cased part of the address. instr()
	 * rather than LIKE: no wildcards to escape. Newest first by id. */
	[S_LIST] = "SELECT " SUB_COLS " FROM subscribers s"
		   " WHERE (?1 < 0 OR s.status = ?1) AND (?2 = '' OR instr(s.email_key, ?2) > 0)"
		   " ORDER BY s.id DESC LIMIT ?3 OFFSET ?4",
	[S_LIST_COUNT] = "SELECT count(*) FROM subscribers s"
			 " WHERE (?1 < 0 OR s.status = ?1) AND (?2 = '' OR instr(s.email_key, ?2) > 0)",
	[S_COUNTS] = "SELECT status, count(*) FROM subscribers GROUP BY status",
	[S_CONSENTS] = "SELECT " CONSENT_COLS " FROM consents WHERE subscriber_id = ?1"
		       " ORDER BY requested_at, id",
	/* Confirmed requests stay: they are the proof of consent. */
	[S_EXPIRE_CONSENTS] = "DELETE FROM consents WHERE confirmed_at = 0 AND expires_at < ?1",
	[S_EXPIRE_SUBS] = "DELETE FROM subscribers WHERE status = 0 AND NOT EXISTS"
			  " (SELECT 1 FROM consents c WHERE c.subscriber_id = subscribers.id)",
	[S_BATCH] = "SELECT " SUB_COLS " FROM subscribers s"
		    " WHERE s.status = 1 AND s.newsletter = 1 AND s.id > ?1 ORDER BY s.id LIMIT ?2",
	/* ?3: a JSON array of the (validated) slugs. The unary + keeps the
	 * planner off the status indexes, which do not yield id order: the
	 * walk is on the rowid from ?1, so a whole run reads every
	 * subscriber once. */
	[S_BATCH_TOPICS] = "SELECT " SUB_COLS " FROM subscribers s"
			   " WHERE +s.status = 1 AND s.id > ?1 AND EXISTS (SELECT 1"
			   "  FROM subscriber_topics t WHERE t.subscriber_id = s.id"
			   "  AND t.slug IN (SELECT value FROM json_each(?3)))"
			   " ORDER BY s.id LIMIT ?2",
	[S_ALERTS_DUE] = "SELECT a.id FROM articles a"
			 " WHERE a.status = 1 AND a.published_at <= ?1 AND a.published_at >= ?2"
			 " AND NOT EXISTS (SELECT 1 FROM article_alerts_done d WHERE d.article_id = a.id)"
			 " ORDER BY a.published_at, a.id LIMIT ?3",
	/* Nothing for an article that is gone. */
	[S_ALERTS_DONE] = "INSERT OR IGNORE INTO article_alerts_done (article_id, at)"
			  " SELECT id, ?2 FROM articles WHERE id = ?1",
	/* Alert recipients (see store_alert_recipients()): the article's tag
	 * slugs; the followers of one slug in id order (subscriber_topics_slug);
	 * one candidate, if confirmed and without a record for the article. */
	[S_ARTICLE_SLUGS] = "SELECT g.slug FROM article_tags x JOIN tags g ON g.id = x.tag_id"
			    " WHERE x.article_id = ?1",
	[S_FOLLOWERS] = "SELECT subscriber_id FROM subscriber_topics WHERE slug = ?1"
			" AND subscriber_id > ?2 ORDER BY subscriber_id LIMIT ?3",
	[S_RECIPIENT] = "SELECT " SUB_COLS " FROM subscribers s WHERE s.id = ?1 AND s.status = 1"
			" AND NOT EXISTS (SELECT 1 FROM subscriber_alerts r"
			"  WHERE r.subscriber_id = s.id AND r.article_id = ?2)",
	[S_ALERT_RECORD] = "INSERT INTO subscriber_alerts (subscriber_id, article_id, at, waiting)"
			   " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
	[S_DIGEST_DUE] = "SELECT " SUB_COLS " FROM subscribers s"
			 " WHERE s.status = 1 AND s.frequency = ?1 AND s.id > ?3"
			 " AND s.last_digest_at < ?2 AND EXISTS (SELECT 1 FROM subscriber_alerts r"
			 "  INDEXED BY subscriber_alerts_waiting"
			 "  WHERE r.subscriber_id = s.id AND r.waiting = 1)"
			 " ORDER BY s.id LIMIT ?4",
	[S_DIGEST_ITEMS] = "SELECT article_id FROM (SELECT article_id, at FROM subscriber_alerts"
			   "  WHERE subscriber_id = ?1 AND waiting = 1"
			   "  ORDER BY at DESC, article_id DESC LIMIT ?2)"
			   " ORDER BY at, article_id",
	[S_DIGEST_WAITING] = "SELECT count(*) FROM subscriber_alerts"
			     " INDEXED BY subscriber_alerts_waiting"
			     " WHERE subscriber_id = ?1 AND waiting = 1",
	[S_DIGEST_DONE_ITEMS] = "UPDATE subscriber_alerts INDEXED BY subscriber_alerts_waiting"
				" SET waiting = 0, at = ?2"
				" WHERE subscriber_id = ?1 AND waiting = 1",
	[S_DIGEST_DONE_SUB] = "UPDATE subscribers SET last_digest_at = ?2 WHERE id = ?1",

	/* Both take ?1 id (unused by the insert), ?2 subject, ?3 body, ?4
	 * topics, ?5 now; the insert ?6 created_by. */
	[S_NL_INSERT] = "INSERT INTO newsletters (subject, body_md, topics, status, created_by,"
			" created_at, updated_at) VALUES (?2, ?3, ?4, 0, ?6, ?5, ?5)"
			" RETURNING id, created_at, created_by",
	[S_NL_UPDATE] = "UPDATE newsletters SET subject = ?2, body_md = ?3, topics = ?4,"
			" updated_at = ?5 WHERE id = ?1 AND status = 0 RETURNING created_at, created_by",
	[S_NL_STATUS] = "SELECT status FROM newsletters WHERE id = ?1",
	[S_NL_GET] = "SELECT " NL_COLS " FROM newsletters WHERE id = ?1",
	[S_NL_LIST] = "SELECT " NL_COLS " FROM newsletters ORDER BY id DESC LIMIT ?1 OFFSET ?2",
	[S_NL_COUNT] = "SELECT count(*) FROM newsletters",
	[S_NL_START] = "UPDATE newsletters SET status = 1, started_at = ?2, cursor = 0, queued = 0"
		       " WHERE id = ?1 AND status = 0",
	[S_NL_SENDING] = "SELECT " NL_COLS " FROM newsletters WHERE status = 1"
			 " ORDER BY started_at, id LIMIT 1",
	[S_NL_ADVANCE] = "UPDATE newsletters SET cursor = ?2, queued = queued + ?3,"
			 " status = CASE WHEN ?4 THEN 2 ELSE 1 END,"
			 " finished_at = CASE WHEN ?4 THEN ?5 ELSE 0 END"
			 " WHERE id = ?1 AND status = 1",
	[S_NL_DELETE] = "DELETE FROM newsletters WHERE id = ?1 AND status = 0",
};

static int use(struct store *s, unsigned o, sqlite3_stmt **ret)
{
	return sq_use(s, SLOT0 + o, sql[o], ret);
}

static int64_t clamp_size(size_t n, int64_t over)
{
	return n > (size_t)INT64_MAX ? over : (int64_t)n;
}

static size_t clamp_limit(size_t limit, size_t dflt)
{
	if (!limit)
		return dflt;
	return limit > LIMIT_MAX ? LIMIT_MAX : limit;
}

/* Runs slot o (no rows wanted) and resets it; the bindings are done by the
 * caller. ret_changed (optional): whether a row changed. */
static int run(struct store *s, sqlite3_stmt *st, bool *ret_changed)
{
	int rc = sq_step(st, NULL);
	if (!rc && ret_changed)
		*ret_changed = sq_changes(s) > 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* A one-row, one-integer query bound by the caller; reset afterwards. */
static int scalar(sqlite3_stmt *st, int64_t *ret)
{
	bool row;
	int rc = sq_step(st, &row);
	*ret = !rc && row ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The read bracket: a read of several statements sees one snapshot. Inside
 * a caller's transaction it joins that. */
static int read_begin(struct store *s, bool *own)
{
	sqlite3_stmt *st;
	int rc;
	*own = false;
	if ((rc = use(s, S_BEGIN, &st)))
		return rc;
	if (!sqlite3_get_autocommit(sqlite3_db_handle(st)))
		return DP_OK;
	rc = sq_step(st, NULL);
	sqlite3_reset(st);
	*own = !rc;
	return rc;
}

static void read_end(struct store *s, bool own)
{
	sqlite3_stmt *st;
	if (!own)
		return;
	if (!use(s, S_COMMIT, &st)) {
		int rc = sq_step(st, NULL);
		sqlite3_reset(st);
		if (!rc)
			return;
	}
	if (!use(s, S_ROLLBACK, &st)) {
		sq_step(st, NULL);
		sqlite3_reset(st);
	}
}

/* ---- validation ---- */

static bool topic_valid(const char *t)
{
	size_t n = 0;
	if (!t)
		return false;
	for (; t[n]; n++)
		if (!((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= '0' && t[n] <= '9') || t[n] == '-'))
			return false;
	return n >= 1 && n <= TOPIC_MAX;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The valid, distinct topics of topics[n] in *ret (a malloc'd array of
 * pointers into topics, sorted), *ret_n of them. DP_EINVAL for an invalid
 * one; more than max distinct ones: DP_EINVAL, or with drop_extra the
 * first max (in the caller's order) are kept. */
static int topics_set(const char *const *topics, size_t n, size_t max, bool drop_extra,
		      const char ***ret, size_t *ret_n)
{
	const char **set;
	size_t k = 0;

	*ret = NULL;
	*ret_n = 0;
	if (n && !topics)
		return DP_EINVAL;
	if (!n)
		return DP_OK;
	if (!(set = malloc(n * sizeof *set)))
		return DP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		if (!topic_valid(topics[i])) {
			free(set);
			return DP_EINVAL;
		}
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(set[j], topics[i]) == 0;
		if (dup)
			continue;
		if (k == max) {
			if (drop_extra)
				continue;
			free(set);
			return DP_EINVAL;
		}
		set[k++] = topics[i];
	}
	qsort(set, k, sizeof *set, cmp_str);
	*ret = set;
	*ret_n = k;
	return DP_OK;
}

/* Splits a space-separated list of topics into *ret (*ret_n words pointing
 * into *ret_buf, a copy of list; the caller frees both). No validation. */
static int topics_split(const char *list, char **ret_buf, char ***ret, size_t *ret_n)
{
	size_t cap = 0, n = 0;
	char **words = NULL, *buf, *save = NULL;

	*ret_buf = NULL;
	*ret = NULL;
	*ret_n = 0;
	if (!list)
		return DP_OK;
	if (!(buf = strdup(list)))
		return DP_ENOMEM;
	for (char *w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			char **p = realloc(words, ncap * sizeof *p);
			if (!p) {
				free(words);
				free(buf);
				return DP_ENOMEM;
			}
			words = p;
			cap = ncap;
		}
		words[n++] = w;
	}
	*ret_buf = buf;
	*ret = words;
	*ret_n = n;
	return DP_OK;
}

/* *ret: the topics of a space-separated list validated, de-duplicated and
 * joined by single spaces in their given order ("" for none); malloc'd.
 * DP_EINVAL for an invalid topic or more than SUB_TOPICS_MAX distinct ones. */
static int topics_normalise(const char *list, char **ret)
{
	char *buf, **words, *out;
	size_t n, len = 0, k = 0;
	int rc;

	*ret = NULL;
	if ((rc = topics_split(list, &buf, &words, &n)))
		return rc;
	if (!(out = malloc(list ? strlen(list) + 1 : 1))) {
		rc = DP_ENOMEM;
		goto out;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		if (!topic_valid(words[i])) {
			rc = DP_EINVAL;
			goto out;
		}
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(words[j], words[i]) == 0;
		if (dup)
			continue;
		if (++k > SUB_TOPICS_MAX) {
			rc = DP_EINVAL;
			goto out;
		}
		size_t wn = strlen(words[i]);
		if (len)
			out[len++] = ' ';
		memcpy(out + len, words[i], wn + 1);
		len += wn;
	}
	*ret = out;
	out = NULL;
out:
	free(out);
	free(words);
	free(buf);
	return rc;
}

/* Copies the address with its domain lower-cased into *ret_email and
 * wholly lower-cased into *ret_key. Only a coarse check (the callers
 * validate the address as an addr-spec first): 3..EMAIL_MAX printable
 * ASCII bytes without spaces, an "@" with something on both sides. */
static int email_norm(const char *email, char **ret_email, char **ret_key)
{
	const char *at;
	size_t n;

	*ret_email = *ret_key = NULL;
	if (!email)
		return DP_EINVAL;
	n = strlen(email);
	at = strrchr(email, '@');
	if (n < 3 || n > EMAIL_MAX || !at || at == email || !at[1])
		return DP_EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)email[i] <= ' ' || (unsigned char)email[i] >= 0x7F)
			return DP_EINVAL;
	if (!(*ret_email = strdup(email)) || !(*ret_key = strdup(email))) {
		free(*ret_email);
		*ret_email = NULL;
		return DP_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char c = email[i];
		char lc = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		(*ret_key)[i] = lc;
		if (email + i > at)
			(*ret_email)[i] = lc;
	}
	return DP_OK;
}

/* Text that must be there and not exceed max bytes. */
static int text_ok(const char *t, size_t max)
{
	if (!t)
		return DP_EINVAL;
	return strlen(t) > max ? DP_ETOOBIG : DP_OK;
}

/* A fresh manage key: hex of 32 random bytes. */
static void new_key(char key[SUB_KEY_LEN + 1])
{
	unsigned char raw[SUB_KEY_LEN / 2];
	_Static_assert(SUB_KEY_LEN % 2 == 0, "a key is whole bytes in hex");
	if (sodium_init() < 0)
		abort(); /* no randomness: nothing safe to do */
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(key, SUB_KEY_LEN + 1, raw, sizeof raw);
}

/* ---- reading rows ---- */

/* Fills sub (zeroed by the caller) from a row of SUB_COLS; no topics. */
static int read_sub(sqlite3_stmt *st, struct subscriber *sub)
{
	int64_t status = sqlite3_column_int64(st, 2), freq = sqlite3_column_int64(st, 4);
	int rc;
	sub->id = sqlite3_column_int64(st, 0);
	/* A value a newer program wrote reads as the most harmless. */
	sub->status = status >= 0 && status < SUB_STATUS__MAX ? (enum subscriber_status)status
							      : SUB_UNSUBSCRIBED;
	sub->newsletter = sqlite3_column_int64(st, 3) != 0;
	sub->frequency = freq >= 0 && freq < FREQ__MAX ? (enum sub_frequency)freq : FREQ_WEEKLY;
	sub->created_at = sqlite3_column_int64(st, 6);
	sub->confirmed_at = sqlite3_column_int64(st, 7);
	sub->unsubscribed_at = sqlite3_column_int64(st, 8);
	sub->last_digest_at = sqlite3_column_int64(st, 9);
	if ((rc = sq_col_dup(st, 1, &sub->email)) || (rc = sq_col_dup(st, 5, &sub->key)))
		return rc;
	return DP_OK;
}

/* Appends a copy of slug to sub's topics. */
static int topic_push(struct subscriber *sub, const unsigned char *slug, size_t *cap)
{
	if (!slug)
		return DP_ENOMEM;
	if (sub->ntopics == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		char **p = realloc(sub->topics, ncap * sizeof *p);
		if (!p)
			return DP_ENOMEM;
		sub->topics = p;
		*cap = ncap;
	}
	if (!(sub->topics[sub->ntopics] = strdup((const char *)slug)))
		return DP_ENOMEM;
	sub->ntopics++;
	return DP_OK;
}

static int by_id_cmp(const void *a, const void *b)
{
	const struct subscriber *x = *(struct subscriber *const *)a;
	const struct subscriber *y = *(struct subscriber *const *)b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Fills the topics of subs[n] (sorted by slug): one range query over the
 * key of subscriber_topics when the ids lie close together, else one query
 * per subscriber (a sparse list, say the followers of one tag, would
 * otherwise read everybody's topics in between). */
static int load_topics(struct store *s, struct subscriber *subs, size_t n)
{
	struct subscriber **by_id = NULL;
	size_t *caps = NULL;
	int64_t lo, hi;
	sqlite3_stmt *st;
	bool row;
	int rc = DP_OK;

	if (!n)
		return DP_OK;
	if (!(by_id = malloc(n * sizeof *by_id)) || !(caps = calloc(n, sizeof *caps))) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		by_id[i] = &subs[i];
	qsort(by_id, n, sizeof *by_id, by_id_cmp);
	lo = by_id[0]->id;
	hi = by_id[n - 1]->id;

	if ((uint64_t)(hi - lo) < (uint64_t)DENSE * n) {
		if ((rc = use(s, S_TOPICS_RANGE, &st)))
			goto out;
		if ((rc = sq_bind_i64(st, 1, lo)) || (rc = sq_bind_i64(st, 2, hi))) {
			sqlite3_reset(st);
			goto out;
		}
		/* Both sequences ascend by id: one merge. */
		size_t j = 0;
		while (!(rc = sq_step(st, &row)) && row) {
			int64_t id = sqlite3_column_int64(st, 0);
			while (j < n && by_id[j]->id < id)
				j++;
			if (j == n)
				break;
			if (by_id[j]->id != id)
				continue;
			/* The caps of equal ids are kept on the first of them. */
			if ((rc = topic_push(by_id[j], sqlite3_column_text(st, 1),
					     &caps[by_id[j] - subs])))
				break;
		}
		sqlite3_reset(st);
	} else {
		if ((rc = use(s, S_TOPICS_OF, &st)))
			goto out;
		for (size_t j = 0; j < n && !rc; j++) {
			if (j && by_id[j]->id == by_id[j - 1]->id)
				continue;
			if ((rc = sq_bind_i64(st, 1, by_id[j]->id)))
				break;
			while (!(rc = sq_step(st, &row)) && row)
				if ((rc = topic_push(by_id[j], sqlite3_column_text(st, 1),
						     &caps[by_id[j] - subs])))
					break;
			sqlite3_reset(st);
		}
	}
out:
	free(caps);
	free(by_id);
	return rc;
}

/* Steps the bound st to its end (at most max rows), collecting subscribers
 * with their topics in *ret / *ret_n; resets st. *ret NULL when none. */
static int read_subs(struct store *s, sqlite3_stmt *st, size_t max, struct subscriber **ret,
		     size_t *ret_n)
{
	struct subscriber *items = NULL;
	size_t n = 0, cap = 0;
	bool row;
	int rc;

	*ret = NULL;
	*ret_n = 0;
	rc = DP_OK;
	while (n < max && !(rc = sq_step(st, &row)) && row) {
		if ((rc = array_reserve(&items, &cap, n + 1,
						 sizeof *items)))
			break;
		memset(&items[n], 0, sizeof items[n]);
		if ((rc = read_sub(st, &items[n++])))
			break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc)
		rc = load_topics(s, items, n);
	if (rc || !n) {
		subscribers_free(items, n);
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

/* A list query: bound by the caller, read in one snapshot. */
static int list_subs(struct store *s, sqlite3_stmt *st, size_t max, struct subscriber **ret,
		     size_t *ret_n)
{
	bool own;
	int rc = read_begin(s, &own);
	if (rc) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return rc;
	}
	rc = read_subs(s, st, max, ret, ret_n);
	read_end(s, own);
	return rc;
}

/* The one subscriber slot o finds by its text or id argument. */
static int sub_get(struct store *s, unsigned o, const char *text, int64_t id,
		   struct subscriber *ret)
{
	struct subscriber *items;
	sqlite3_stmt *st;
	size_t n;
	int rc;

	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, o, &st)))
		return rc;
	if ((rc = text ? sq_bind_text(st, 1, text) : sq_bind_i64(st, 1, id))) {
		sqlite3_reset(st);
		return rc;
	}
	if ((rc = list_subs(s, st, 1, &items, &n)))
		return rc;
	if (!n)
		return DP_ENOTFOUND;
	*ret = items[0];
	free(items);
	return DP_OK;
}

int store_subscriber_by_key(struct store *s, const char *key, struct subscriber *ret)
{
	if (!s || !key || !ret)
		return DP_EINVAL;
	return sub_get(s, S_BY_KEY, key, 0, ret);
}

int store_subscriber_by_id(struct store *s, int64_t id, struct subscriber *ret)
{
	if (!s || !ret)
		return DP_EINVAL;
	return sub_get(s, S_BY_ID, NULL, id, ret);
}

int store_subscriber_by_email(struct store *s, const char *email, struct subscriber *ret)
{
	char *norm, *key;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = email_norm(email, &norm, &key)))
		return rc == DP_EINVAL ? DP_ENOTFOUND : rc;
	rc = sub_get(s, S_BY_EMAIL, key, 0, ret);
	free(norm);
	free(key);
	return rc;
}

/* ---- writes on one subscriber (inside the caller's write bracket) ---- */

/* *ret_id: the subscriber with email_key key, 0 if none. */
static int id_by_key(struct store *s, const char *key, int64_t *ret_id)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	*ret_id = 0;
	if ((rc = use(s, S_BY_EMAIL, &st)))
		return rc;
	if (!(rc = sq_bind_text(st, 1, key)) && !(rc = sq_step(st, &row)) && row)
		*ret_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static int sub_insert(struct store *s, const char *email, const char *email_key,
		      enum subscriber_status status, bool newsletter, enum sub_frequency f,
		      int64_t now, int64_t *ret_id)
{
	char key[SUB_KEY_LEN + 1];
	sqlite3_stmt *st;
	bool row;
	int rc;

	new_key(key);
	if ((rc = use(s, S_INSERT, &st)))
		return rc;
	if (!(rc = sq_bind_text(st, 1, email)) && !(rc = sq_bind_text(st, 2, email_key)) &&
	    !(rc = sq_bind_i64(st, 3, status)) && !(rc = sq_bind_i64(st, 4, newsletter)) &&
	    !(rc = sq_bind_i64(st, 5, f)) && !(rc = sq_bind_text(st, 6, key)) &&
	    !(rc = sq_bind_i64(st, 7, now)) &&
	    !(rc = sq_bind_i64(st, 8, status == SUB_CONFIRMED ? now : 0)) &&
	    !(rc = sq_step(st, &row))) {
		if (!row)
			rc = DP_EDB;
		else {
			*ret_id = sqlite3_column_int64(st, 0);
			rc = sq_step(st, NULL);
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Inserts a consent record; token_hash NULL for one confirmed at once. */
static int consent_insert(struct store *s, int64_t sub_id, const char *token_hash,
			  const struct consent *c, const char *topics, int64_t *ret_id)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if ((rc = use(s, S_CONSENT_INSERT, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, sub_id)) && !(rc = sq_bind_text(st, 2, token_hash)) &&
	    !(rc = sq_bind_i64(st, 3, c->newsletter)) && !(rc = sq_bind_i64(st, 4, c->requested_at)) &&
	    !(rc = sq_bind_i64(st, 5, c->expires_at)) && !(rc = sq_bind_i64(st, 6, c->confirmed_at)) &&
	    !(rc = sq_bind_text(st, 7, c->request_ip ? c->request_ip : "")) &&
	    !(rc = sq_bind_text(st, 8, c->confirm_ip ? c->confirm_ip : "")) &&
	    !(rc = sq_bind_text(st, 9, c->version ? c->version : "")) &&
	    !(rc = sq_bind_text(st, 10, topics)) && !(rc = sq_bind_text(st, 11, c->wording)) &&
	    !(rc = sq_step(st, &row))) {
		if (!row)
			rc = DP_EDB;
		else {
			*ret_id = sqlite3_column_int64(st, 0);
			rc = sq_step(st, NULL);
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* Adds topics[n] (valid, distinct) to the subscriber's as long as they
 * follow fewer than SUB_TOPICS_MAX; the others are dropped. */
static int topics_add(struct store *s, int64_t id, const char *const *topics, size_t n)
{
	sqlite3_stmt *st;
	int64_t have;
	int rc;

	if (!n)
		return DP_OK;
	if ((rc = use(s, S_TOPIC_COUNT, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = scalar(st, &have)))
		return rc;
	if ((rc = use(s, S_TOPIC_ADD, &st)))
		return rc;
	for (size_t i = 0; i < n && have < SUB_TOPICS_MAX && !rc; i++) {
		bool added = false;
		if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_text(st, 2, topics[i])))
			rc = run(s, st, &added);
		else
			sqlite3_reset(st);
		have += added;
	}
	return rc;
}

/* Replaces the subscriber's topics with topics[n] (valid, distinct). */
static int topics_replace(struct store *s, int64_t id, const char *const *topics, size_t n)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = use(s, S_TOPICS_CLEAR, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = run(s, st, NULL)))
		return rc;
	return topics_add(s, id, topics, n);
}

/* ---- sign-up, confirmation, import ---- */

int store_subscribe_request(struct store *s, const char *email, struct consent *c,
			    const char *token_hash, int64_t recent_since, size_t *ret_recent)
{
	char *addr = NULL, *key = NULL, *topics = NULL;
	int64_t sub_id = 0, consent_id = 0, recent = 0;
	struct consent rec;
	sqlite3_stmt *st;
	bool own;
	int rc;

	if (ret_recent)
		*ret_recent = 0;
	if (!s || !c || !token_hash || !*token_hash)
		return DP_EINVAL;
	if ((rc = text_ok(c->wording, WORDING_MAX)) || (rc = text_ok(token_hash, SHORT_MAX)) ||
	    (c->version && (rc = text_ok(c->version, SHORT_MAX))) ||
	    (c->request_ip && (rc = text_ok(c->request_ip, SHORT_MAX))))
		return rc;
	if ((rc = email_norm(email, &addr, &key)) || (rc = topics_normalise(c->topics, &topics)))
		goto out_free;
	/* Only what a request holds: confirmation comes later. */
	rec = *c;
	rec.confirmed_at = 0;
	rec.confirm_ip = "";

	if ((rc = sq_write_begin(s, &own)))
		goto out_free;
	if ((rc = id_by_key(s, key, &sub_id)))
		goto out;
	if (!sub_id &&
	    (rc = sub_insert(s, addr, key, SUB_PENDING, false, FREQ_IMMEDIATE, c->requested_at,
			     &sub_id)))
		goto out;
	if ((rc = consent_insert(s, sub_id, token_hash, &rec, topics, &consent_id)))
		goto out;
	if (ret_recent) {
		if ((rc = use(s, S_RECENT, &st)))
			goto out;
		if ((rc = sq_bind_i64(st, 1, sub_id)) || (rc = sq_bind_i64(st, 2, recent_since)) ||
		    (rc = sq_bind_i64(st, 3, consent_id)))
			sqlite3_reset(st);
		else
			rc = scalar(st, &recent);
	}
out:
	rc = sq_write_end(s, own, rc);
	if (!rc) {
		c->id = consent_id;
		c->subscriber_id = sub_id;
		if (ret_recent)
			*ret_recent = (size_t)recent;
	}
out_free:
	free(addr);
	free(key);
	free(topics);
	return rc;
}

int store_subscribe_confirm(struct store *s, const char *token_hash, const char *ip, int64_t now,
			    struct subscriber *ret)
{
	int64_t consent_id = 0, sub_id = 0, expires_at = 0;
	char *topics = NULL, *buf = NULL, **words = NULL;
	const char **set = NULL;
	size_t nwords = 0, nset = 0;
	bool newsletter = false, row, own;
	sqlite3_stmt *st;
	int rc;

	if (ret)
		memset(ret, 0, sizeof *ret);
	if (!s || !token_hash)
		return DP_EINVAL;
	if (!ip)
		ip = "";
	if ((rc = text_ok(ip, SHORT_MAX)))
		return rc;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, S_CONSENT_BY_TOKEN, &st)))
		goto out;
	if (!(rc = sq_bind_text(st, 1, token_hash)) && !(rc = sq_step(st, &row))) {
		if (!row)
			rc = DP_ENOTFOUND;
		else {
			consent_id = sqlite3_column_int64(st, 0);
			sub_id = sqlite3_column_int64(st, 1);
			expires_at = sqlite3_column_int64(st, 2);
			newsletter = sqlite3_column_int64(st, 3) != 0;
			rc = sq_col_dup(st, 4, &topics);
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc)
		goto out;
	if (now > expires_at) {
		rc = DP_EBUSY; /* left in place: the purge takes it */
		goto out;
	}
	/* Stored topics were validated; the merge drops what is past the cap. */
	if ((rc = topics_split(topics, &buf, &words, &nwords)) ||
	    (rc = topics_set((const char *const *)words, nwords, SUB_TOPICS_MAX, true, &set, &nset)))
		goto out;

	if ((rc = use(s, S_CONSENT_CONFIRM, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, consent_id)) || (rc = sq_bind_i64(st, 2, now)) ||
	    (rc = sq_bind_text(st, 3, ip)) || (rc = run(s, st, NULL)))
		goto out;
	if ((rc = use(s, S_SUB_CONFIRM, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, sub_id)) || (rc = sq_bind_i64(st, 2, newsletter)) ||
	    (rc = sq_bind_i64(st, 3, now)) || (rc = run(s, st, NULL)))
		goto out;
	rc = topics_add(s, sub_id, set, nset);
out:
	rc = sq_write_end(s, own, rc);
	free(set);
	free(words);
	free(buf);
	free(topics);
	if (!rc && ret)
		rc = store_subscriber_by_id(s, sub_id, ret);
	return rc;
}

int store_subscriber_import(struct store *s, const char *email, const char *const *topics,
			    size_t ntopics, bool newsletter, enum sub_frequency f, const char *note,
			    int64_t now, int64_t *ret_id)
{
	char *addr = NULL, *key = NULL, *joined = NULL;
	const char **set = NULL;
	size_t nset = 0, len = 0;
	int64_t sub_id = 0, existing = 0, consent_id;
	bool own;
	int rc;

	if (!s || (unsigned)f >= FREQ__MAX)
		return DP_EINVAL;
	if ((rc = text_ok(note, WORDING_MAX)))
		return rc;
	if (!*note)
		return DP_EINVAL;
	if ((rc = email_norm(email, &addr, &key)) ||
	    (rc = topics_set(topics, ntopics, SUB_TOPICS_MAX, false, &set, &nset)))
		goto out_free;
	for (size_t i = 0; i < nset; i++)
		len += strlen(set[i]) + 1;
	if (!(joined = malloc(len + 1))) {
		rc = DP_ENOMEM;
		goto out_free;
	}
	len = 0;
	joined[0] = '\0';
	for (size_t i = 0; i < nset; i++) {
		size_t wn = strlen(set[i]);
		if (len)
			joined[len++] = ' ';
		memcpy(joined + len, set[i], wn + 1);
		len += wn;
	}
	const struct consent rec = {
		.wording = (char *)note,
		.version = "import",
		.topics = joined,
		.newsletter = newsletter,
		.requested_at = now,
		.request_ip = "import",
		.expires_at = now,
		.confirmed_at = now,
		.confirm_ip = "import",
	};

	if ((rc = sq_write_begin(s, &own)))
		goto out_free;
	if ((rc = id_by_key(s, key, &existing)))
		goto out;
	if (existing) {
		rc = DP_EEXISTS;
		goto out;
	}
	if ((rc = sub_insert(s, addr, key, SUB_CONFIRMED, newsletter, f, now, &sub_id)) ||
	    (rc = consent_insert(s, sub_id, NULL, &rec, joined, &consent_id)))
		goto out;
	rc = topics_add(s, sub_id, set, nset);
out:
	rc = sq_write_end(s, own, rc);
	if (!rc && ret_id)
		*ret_id = sub_id;
out_free:
	free(set);
	free(joined);
	free(addr);
	free(key);
	return rc;
}

/* ---- preferences, unsubscribing, erasure ---- */

/* DP_ENOTFOUND unless subscriber id exists (inside a write bracket). */
static int sub_exists(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if ((rc = use(s, S_BY_ID, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row)) && !row)
		rc = DP_ENOTFOUND;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The status stays as it is (an unsubscribed reader signs up again through
 * a confirmed request). Changing to immediate alerts drops the items that
 * wait for a digest, which no digest would send any more. now is not
 * needed by this backend. */
int store_subscriber_set_prefs(struct store *s, int64_t id, const char *const *topics,
			       size_t ntopics, bool newsletter, enum sub_frequency f, int64_t now)
{
	const char **set = NULL;
	size_t nset = 0;
	sqlite3_stmt *st;
	bool own;
	int rc;

	(void)now;
	if (!s || (unsigned)f >= FREQ__MAX)
		return DP_EINVAL;
	if ((rc = topics_set(topics, ntopics, SUB_TOPICS_MAX, false, &set, &nset)))
		return rc;
	if ((rc = sq_write_begin(s, &own)))
		goto out_free;
	if ((rc = sub_exists(s, id)) || (rc = use(s, S_PREFS, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = sq_bind_i64(st, 2, newsletter)) ||
	    (rc = sq_bind_i64(st, 3, f)) || (rc = run(s, st, NULL)))
		goto out;
	if (f == FREQ_IMMEDIATE) {
		if ((rc = use(s, S_WAITING_DROP, &st)))
			goto out;
		if ((rc = sq_bind_i64(st, 1, id)) || (rc = run(s, st, NULL)))
			goto out;
	}
	rc = topics_replace(s, id, set, nset);
out:
	rc = sq_write_end(s, own, rc);
out_free:
	free(set);
	return rc;
}

int store_subscriber_unsubscribe(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	bool own, changed = false;
	int rc;

	if (!s)
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, S_UNSUBSCRIBE, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = sq_bind_i64(st, 2, now)) ||
	    (rc = run(s, st, &changed)))
		goto out;
	if (!changed) {
		rc = DP_ENOTFOUND;
		goto out;
	}
	if ((rc = use(s, S_WAITING_DROP, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = run(s, st, NULL)))
		goto out;
	rc = topics_replace(s, id, NULL, 0);
out:
	return sq_write_end(s, own, rc);
}

/* Mail already in the outbox stays there: the outbox is the sender's log
 * and knows addresses, not subscribers. */
int store_subscriber_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	bool changed = false;
	int rc;
	if (!s)
		return DP_EINVAL;
	bool own, mail = false;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if (!(rc = use(s, S_DELETE_MAIL, &st)) && !(rc = sq_bind_i64(st, 1, id)))
		rc = run(s, st, &mail);
	if (!rc && !(rc = use(s, S_DELETE, &st)) && !(rc = sq_bind_i64(st, 1, id)))
		rc = run(s, st, &changed);
	if (!rc && !changed)
		rc = DP_ENOTFOUND;
	return sq_write_end(s, own, rc);
}

/* ---- lists ---- */

/* The page and its count are two snapshots unless the caller holds a
 * transaction, as for the comment queue. */
int store_subscribers(struct store *s, const struct subscriber_query *q,
		      struct subscriber **ret, size_t *ret_n, size_t *ret_total)
{
	char *needle = NULL;
	size_t limit;
	sqlite3_stmt *st;
	int64_t total = 0;
	int rc;

	if (!s || !q || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (ret_total)
		*ret_total = 0;
	if (q->status < -1 || q->status >= SUB_STATUS__MAX)
		return DP_EINVAL;
	if (q->q && strlen(q->q) > EMAIL_MAX)
		return DP_ETOOBIG;
	if (!(needle = strdup(q->q ? q->q : "")))
		return DP_ENOMEM;
	for (char *p = needle; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	limit = clamp_limit(q->limit, LIMIT_DEFAULT);

	if ((rc = use(s, S_LIST, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, q->status)) || (rc = sq_bind_text(st, 2, needle)) ||
	    (rc = sq_bind_i64(st, 3, (int64_t)limit)) ||
	    (rc = sq_bind_i64(st, 4, clamp_size(q->offset, INT64_MAX)))) {
		sqlite3_reset(st);
		goto out;
	}
	if ((rc = list_subs(s, st, limit, ret, ret_n)) || !ret_total)
		goto out;
	if ((rc = use(s, S_LIST_COUNT, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, q->status)) || (rc = sq_bind_text(st, 2, needle)))
		sqlite3_reset(st);
	else if (!(rc = scalar(st, &total)))
		*ret_total = (size_t)total;
out:
	free(needle);
	if (rc) {
		subscribers_free(*ret, *ret_n);
		*ret = NULL;
		*ret_n = 0;
		if (ret_total)
			*ret_total = 0;
	}
	return rc;
}

int store_subscriber_counts(struct store *s, size_t ret[SUB_STATUS__MAX])
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	if ((rc = use(s, S_COUNTS, &st)))
		return rc;
	return sq_status_counts(st, ret, SUB_STATUS__MAX);
}

static int read_consent(sqlite3_stmt *st, struct consent *c)
{
	int rc;
	c->id = sqlite3_column_int64(st, 0);
	c->subscriber_id = sqlite3_column_int64(st, 1);
	c->newsletter = sqlite3_column_int64(st, 2) != 0;
	c->requested_at = sqlite3_column_int64(st, 3);
	c->expires_at = sqlite3_column_int64(st, 4);
	c->confirmed_at = sqlite3_column_int64(st, 5);
	if ((rc = sq_col_dup(st, 6, &c->request_ip)) || (rc = sq_col_dup(st, 7, &c->confirm_ip)) ||
	    (rc = sq_col_dup(st, 8, &c->version)) || (rc = sq_col_dup(st, 9, &c->topics)) ||
	    (rc = sq_col_dup(st, 10, &c->wording)))
		return rc;
	return DP_OK;
}

int store_subscriber_consents(struct store *s, int64_t id, struct consent **ret, size_t *ret_n)
{
	struct consent *items = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	bool row;
	int rc;

	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, S_CONSENTS, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id))) {
		sqlite3_reset(st);
		return rc;
	}
	while (!(rc = sq_step(st, &row)) && row) {
		if ((rc = array_reserve(&items, &cap, n + 1,
						 sizeof *items)))
			break;
		memset(&items[n], 0, sizeof items[n]);
		if ((rc = read_consent(st, &items[n++])))
			break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc || !n) {
		consents_free(items, n);
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

int store_subscribers_expire(struct store *s, int64_t now, size_t *ret_n)
{
	sqlite3_stmt *st;
	int gone = 0;
	bool own;
	int rc;

	if (ret_n)
		*ret_n = 0;
	if (!s)
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, S_EXPIRE_CONSENTS, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, now)) || (rc = run(s, st, NULL)))
		goto out;
	if ((rc = use(s, S_EXPIRE_SUBS, &st)))
		goto out;
	if (!(rc = sq_step(st, NULL)))
		gone = sq_changes(s);
	sqlite3_reset(st);
out:
	rc = sq_write_end(s, own, rc);
	if (!rc && ret_n)
		*ret_n = gone > 0 ? (size_t)gone : 0;
	return rc;
}

/* *ret: topics[n] (valid, distinct) as a JSON array, malloc'd. Slugs need
 * no escaping: [a-z0-9-] only. */
static int topics_json(const char *const *topics, size_t n, char **ret)
{
	size_t len = 3;
	char *p;
	for (size_t i = 0; i < n; i++)
		len += strlen(topics[i]) + 3;
	if (!(*ret = p = malloc(len)))
		return DP_ENOMEM;
	*p++ = '[';
	for (size_t i = 0; i < n; i++) {
		size_t wn = strlen(topics[i]);
		if (i)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, topics[i], wn);
		p += wn;
		*p++ = '"';
	}
	*p++ = ']';
	*p = '\0';
	return DP_OK;
}

int store_subscribers_batch(struct store *s, int64_t after_id, size_t limit,
			    const char *const *topics, size_t ntopics,
			    struct subscriber **ret, size_t *ret_n)
{
	const char **set = NULL;
	char *json = NULL;
	size_t nset = 0;
	sqlite3_stmt *st;
	int rc;

	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	limit = clamp_limit(limit, LIMIT_DEFAULT);
	if ((rc = topics_set(topics, ntopics, SIZE_MAX, false, &set, &nset)))
		return rc;
	if (nset && (rc = topics_json(set, nset, &json)))
		goto out;
	if ((rc = use(s, nset ? S_BATCH_TOPICS : S_BATCH, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, after_id)) || (rc = sq_bind_i64(st, 2, (int64_t)limit)) ||
	    (nset && (rc = sq_bind_text(st, 3, json)))) {
		sqlite3_reset(st);
		goto out;
	}
	rc = list_subs(s, st, limit, ret, ret_n);
out:
	free(json);
	free(set);
	return rc;
}

/* ---- topic alerts and digests ---- */

/* Steps the bound st, collecting the first column of up to max rows. */
static int read_ids(sqlite3_stmt *st, int64_t *ret, size_t max, size_t *ret_n)
{
	size_t n = 0;
	bool row;
	int rc = DP_OK;
	while (n < max && !(rc = sq_step(st, &row)) && row)
		ret[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	*ret_n = rc ? 0 : n;
	return rc;
}

int store_alerts_due(struct store *s, int64_t now, int64_t since, int64_t *ret, size_t max,
		     size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret_n || (max && !ret))
		return DP_EINVAL;
	*ret_n = 0;
	if (!max)
		return DP_OK;
	if ((rc = use(s, S_ALERTS_DUE, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, now)) || (rc = sq_bind_i64(st, 2, since)) ||
	    (rc = sq_bind_i64(st, 3, clamp_size(max, -1)))) {
		sqlite3_reset(st);
		return rc;
	}
	return read_ids(st, ret, max, ret_n);
}

int store_alerts_done(struct store *s, int64_t article_id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, S_ALERTS_DONE, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, article_id)) || (rc = sq_bind_i64(st, 2, now))) {
		sqlite3_reset(st);
		return rc;
	}
	return run(s, st, NULL);
}

/* The article's tag slugs into *ret (malloc'd strings, *ret_n). */
static int article_slugs(struct store *s, int64_t article_id, char ***ret, size_t *ret_n)
{
	char **slugs = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	bool row;
	int rc;

	*ret = NULL;
	*ret_n = 0;
	if ((rc = use(s, S_ARTICLE_SLUGS, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, article_id))) {
		sqlite3_reset(st);
		return rc;
	}
	while (!(rc = sq_step(st, &row)) && row) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			char **p = realloc(slugs, ncap * sizeof *p);
			if (!p) {
				rc = DP_ENOMEM;
				break;
			}
			slugs = p;
			cap = ncap;
		}
		if ((rc = sq_col_dup(st, 0, &slugs[n])))
			break;
		n++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			free(slugs[i]);
		free(slugs);
		return rc;
	}
	*ret = slugs;
	*ret_n = n;
	return DP_OK;
}

/* Up to want followers of slug with id > after, in id order, into ids. */
static int followers(struct store *s, const char *slug, int64_t after, size_t want, int64_t *ids,
		     size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = use(s, S_FOLLOWERS, &st)))
		return rc;
	if ((rc = sq_bind_text(st, 1, slug)) || (rc = sq_bind_i64(st, 2, after)) ||
	    (rc = sq_bind_i64(st, 3, (int64_t)want))) {
		sqlite3_reset(st);
		return rc;
	}
	return read_ids(st, ids, want, ret_n);
}

/* Reads candidate id into *sub (zeroed by the caller) if it is confirmed
 * and has no record for the article; *ret_ok tells. */
static int recipient(struct store *s, int64_t id, int64_t article_id, struct subscriber *sub,
		     bool *ret_ok)
{
	sqlite3_stmt *st;
	int rc;
	*ret_ok = false;
	if ((rc = use(s, S_RECIPIENT, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, article_id)) &&
	    !(rc = sq_step(st, ret_ok)) && *ret_ok)
		rc = read_sub(st, sub);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* A merge of the article's tags' follower lists. Each round takes the want
 * smallest ids after the cursor from every slug's list (an ordered walk of
 * subscriber_topics_slug), merges them and keeps the want smallest distinct
 * ones: no follower below the last of them can be missing. Those that are
 * confirmed and not yet recorded are recipients; rounds go on until limit
 * are found or the lists end. A batch so reads about (tags + 1) * limit
 * index entries, however many follow the tags: a single query with an IN
 * over all followers re-read every remaining follower for each batch. */
int store_alert_recipients(struct store *s, int64_t article_id, int64_t after_id, size_t limit,
			   struct subscriber **ret, size_t *ret_n)
{
	struct subscriber *items = NULL;
	char **slugs = NULL;
	size_t nslugs = 0, n = 0;
	int64_t *lists = NULL, *merged = NULL, cursor = after_id;
	size_t *lens = NULL, *pos = NULL;
	bool own;
	int rc;

	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	limit = clamp_limit(limit, LIMIT_DEFAULT);
	if ((rc = read_begin(s, &own)))
		return rc;
	if ((rc = article_slugs(s, article_id, &slugs, &nslugs)) || !nslugs)
		goto out;
	if (!(items = calloc(limit, sizeof *items)) ||
	    !(lists = malloc(nslugs * limit * sizeof *lists)) ||
	    !(lens = calloc(nslugs, sizeof *lens)) || !(pos = calloc(nslugs, sizeof *pos)) ||
	    !(merged = malloc(limit * sizeof *merged))) {
		rc = DP_ENOMEM;
		goto out;
	}
	while (n < limit) {
		size_t want = limit - n, nmerged = 0;
		bool ended = true;
		for (size_t k = 0; k < nslugs; k++) {
			if ((rc = followers(s, slugs[k], cursor, want, lists + k * limit, &lens[k])))
				goto out;
			if (lens[k] == want)
				ended = false;
			pos[k] = 0;
		}
		/* The want smallest distinct ids of the sorted lists. */
		while (nmerged < want) {
			int64_t min = INT64_MAX;
			for (size_t k = 0; k < nslugs; k++)
				if (pos[k] < lens[k] && lists[k * limit + pos[k]] < min)
					min = lists[k * limit + pos[k]];
			if (min == INT64_MAX)
				break;
			for (size_t k = 0; k < nslugs; k++)
				if (pos[k] < lens[k] && lists[k * limit + pos[k]] == min)
					pos[k]++;
			merged[nmerged++] = min;
		}
		for (size_t i = 0; i < nmerged; i++) {
			bool ok;
			if ((rc = recipient(s, merged[i], article_id, &items[n], &ok)))
				goto out;
			if (ok)
				n++;
		}
		if (nmerged)
			cursor = merged[nmerged - 1];
		if (ended || !nmerged)
			break;
	}
	rc = load_topics(s, items, n);
out:
	read_end(s, own);
	for (size_t i = 0; i < nslugs; i++)
		free(slugs[i]);
	free(slugs);
	free(lists);
	free(lens);
	free(pos);
	free(merged);
	/* A candidate that failed to read may be half-filled: release it too. */
	if (rc || !n) {
		subscribers_free(items, rc && items && n < limit ? n + 1 : n);
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

int store_alert_record(struct store *s, int64_t subscriber_id, int64_t article_id, bool digest,
		       int64_t now, bool *ret_new)
{
	sqlite3_stmt *st;
	bool added = false;
	int rc;
	if (ret_new)
		*ret_new = false;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, S_ALERT_RECORD, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, subscriber_id)) || (rc = sq_bind_i64(st, 2, article_id)) ||
	    (rc = sq_bind_i64(st, 3, now)) || (rc = sq_bind_i64(st, 4, digest))) {
		sqlite3_reset(st);
		return rc;
	}
	/* A foreign key failure (no such subscriber or article) is DP_EDB:
	 * the caller had both from the store a moment ago. */
	if ((rc = run(s, st, &added)))
		return rc;
	if (ret_new)
		*ret_new = added;
	return DP_OK;
}

int store_digest_due(struct store *s, enum sub_frequency f, int64_t before, int64_t after_id,
		     size_t limit, struct subscriber **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret || !ret_n || (unsigned)f >= FREQ__MAX)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	limit = clamp_limit(limit, LIMIT_DEFAULT);
	if ((rc = use(s, S_DIGEST_DUE, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, f)) || (rc = sq_bind_i64(st, 2, before)) ||
	    (rc = sq_bind_i64(st, 3, after_id)) || (rc = sq_bind_i64(st, 4, (int64_t)limit))) {
		sqlite3_reset(st);
		return rc;
	}
	return list_subs(s, st, limit, ret, ret_n);
}

int store_digest_items(struct store *s, int64_t subscriber_id, int64_t *ret, size_t max,
		       size_t *ret_n, size_t *ret_waiting)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || !ret_n || (max && !ret))
		return DP_EINVAL;
	*ret_n = 0;
	if (ret_waiting) {
		bool row;
		if ((rc = use(s, S_DIGEST_WAITING, &st)))
			return rc;
		if (!(rc = sq_bind_i64(st, 1, subscriber_id)) && !(rc = sq_step(st, &row)))
			*ret_waiting = row ? (size_t)sqlite3_column_int64(st, 0) : 0;
		sqlite3_reset(st);
		if (rc)
			return rc;
	}
	if (!max)
		return DP_OK;
	if ((rc = use(s, S_DIGEST_ITEMS, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, subscriber_id)) || (rc = sq_bind_i64(st, 2, clamp_size(max, -1)))) {
		sqlite3_reset(st);
		return rc;
	}
	return read_ids(st, ret, max, ret_n);
}

/* Every waiting item counts as sent, so the caller reads them all (max at
 * least what may wait) before it calls this. */
int store_digest_done(struct store *s, int64_t subscriber_id, int64_t now)
{
	sqlite3_stmt *st;
	bool own, changed = false;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	if ((rc = use(s, S_DIGEST_DONE_ITEMS, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, subscriber_id)) || (rc = sq_bind_i64(st, 2, now)) ||
	    (rc = run(s, st, NULL)))
		goto out;
	if ((rc = use(s, S_DIGEST_DONE_SUB, &st)))
		goto out;
	if ((rc = sq_bind_i64(st, 1, subscriber_id)) || (rc = sq_bind_i64(st, 2, now)) ||
	    (rc = run(s, st, &changed)))
		goto out;
	if (!changed)
		rc = DP_ENOTFOUND;
out:
	return sq_write_end(s, own, rc);
}

/* ---- newsletter issues ---- */

static int read_newsletter(sqlite3_stmt *st, struct newsletter *nl)
{
	int64_t status = sqlite3_column_int64(st, 1), queued = sqlite3_column_int64(st, 7);
	int rc;
	nl->id = sqlite3_column_int64(st, 0);
	/* An unknown status reads as sent: nothing more happens to it. */
	nl->status = status >= 0 && status < NEWSLETTER_STATUS__MAX ? (enum newsletter_status)status
								    : NEWSLETTER_SENT;
	nl->created_at = sqlite3_column_int64(st, 2);
	nl->updated_at = sqlite3_column_int64(st, 3);
	nl->started_at = sqlite3_column_int64(st, 4);
	nl->finished_at = sqlite3_column_int64(st, 5);
	nl->cursor = sqlite3_column_int64(st, 6);
	nl->queued = queued > 0 ? (size_t)queued : 0;
	if ((rc = sq_col_dup(st, 8, &nl->created_by)) || (rc = sq_col_dup(st, 9, &nl->topics)) ||
	    (rc = sq_col_dup(st, 10, &nl->subject)) || (rc = sq_col_dup(st, 11, &nl->body_md)))
		return rc;
	return DP_OK;
}

/* *ret: the status of issue id; DP_ENOTFOUND if there is none. */
static int newsletter_status(struct store *s, int64_t id, int64_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if ((rc = use(s, S_NL_STATUS, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row))) {
		if (row)
			*ret = sqlite3_column_int64(st, 0);
		else
			rc = DP_ENOTFOUND;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* The topics are stored normalised: valid slugs, each once, one space
 * between them (nl's strings are the caller's and stay untouched). */
int store_newsletter_save(struct store *s, struct newsletter *nl, int64_t now)
{
	char *topics = NULL, *created_by = NULL;
	int64_t id = 0, created_at = now, status;
	sqlite3_stmt *st;
	bool row, own;
	int rc;

	if (!s || !nl)
		return DP_EINVAL;
	if ((rc = text_ok(nl->subject, SUBJECT_MAX)) || (rc = text_ok(nl->body_md, BODY_MAX)) ||
	    (nl->created_by && (rc = text_ok(nl->created_by, SHORT_MAX))))
		return rc;
	if ((rc = topics_normalise(nl->topics, &topics)))
		return rc;
	if ((rc = sq_write_begin(s, &own)))
		goto out_free;
	if ((rc = use(s, nl->id ? S_NL_UPDATE : S_NL_INSERT, &st)))
		goto out;
	if (!(rc = sq_bind_i64(st, 1, nl->id)) && !(rc = sq_bind_text(st, 2, nl->subject)) &&
	    !(rc = sq_bind_text(st, 3, nl->body_md)) && !(rc = sq_bind_text(st, 4, topics)) &&
	    !(rc = sq_bind_i64(st, 5, now)) &&
	    !(rc = sq_bind_text(st, 6, nl->created_by ? nl->created_by : "")) &&
	    !(rc = sq_step(st, &row)) && row) {
		/* The update returns created_at, created_by; the insert id first. */
		int k = nl->id ? 0 : 1;
		id = nl->id ? nl->id : sqlite3_column_int64(st, 0);
		created_at = sqlite3_column_int64(st, k);
		if (!(rc = sq_col_dup(st, k + 1, &created_by)))
			rc = sq_step(st, NULL);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc && !id) {
		/* No row updated: no such issue, or not a draft any more. */
		rc = newsletter_status(s, nl->id, &status);
		if (!rc)
			rc = DP_EBUSY;
	}
out:
	rc = sq_write_end(s, own, rc);
	if (!rc) {
		nl->id = id;
		nl->created_at = created_at;
		nl->updated_at = now;
		nl->status = NEWSLETTER_DRAFT;
	}
out_free:
	free(created_by);
	free(topics);
	return rc;
}

int store_newsletter_get(struct store *s, int64_t id, struct newsletter *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, S_NL_GET, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, &row)))
		rc = row ? read_newsletter(st, ret) : DP_ENOTFOUND;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc)
		newsletter_release(ret);
	return rc;
}

int store_newsletters(struct store *s, size_t offset, size_t limit, struct newsletter **ret,
		      size_t *ret_n, size_t *ret_total)
{
	struct newsletter *items = NULL;
	size_t n = 0, cap = 0;
	int64_t total = 0;
	sqlite3_stmt *st;
	bool row;
	int rc;

	if (!s || !ret || !ret_n)
		return DP_EINVAL;
	*ret = NULL;
	*ret_n = 0;
	if (ret_total)
		*ret_total = 0;
	limit = clamp_limit(limit, LIMIT_DEFAULT);
	if ((rc = use(s, S_NL_LIST, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, (int64_t)limit)) &&
	    !(rc = sq_bind_i64(st, 2, clamp_size(offset, INT64_MAX)))) {
		while (n < limit && !(rc = sq_step(st, &row)) && row) {
			if ((rc = array_reserve(&items, &cap, n + 1,
							 sizeof *items)))
				break;
			memset(&items[n], 0, sizeof items[n]);
			if ((rc = read_newsletter(st, &items[n++])))
				break;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (!rc && ret_total) {
		if (!(rc = use(s, S_NL_COUNT, &st)) && !(rc = scalar(st, &total)))
			*ret_total = (size_t)total;
	}
	if (rc || !n) {
		newsletters_free(items, n);
		if (rc && ret_total)
			*ret_total = 0;
		return rc;
	}
	*ret = items;
	*ret_n = n;
	return DP_OK;
}

/* A write that changes issue id only in the state it must be in: when no
 * row changed, DP_ENOTFOUND for no issue, else DP_EBUSY. */
static int newsletter_step(struct store *s, sqlite3_stmt *st, int64_t id)
{
	bool own, changed = false;
	int64_t status;
	int rc;
	if ((rc = sq_write_begin(s, &own))) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return rc;
	}
	if (!(rc = run(s, st, &changed)) && !changed && !(rc = newsletter_status(s, id, &status)))
		rc = DP_EBUSY;
	return sq_write_end(s, own, rc);
}

int store_newsletter_start(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, S_NL_START, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = sq_bind_i64(st, 2, now))) {
		sqlite3_reset(st);
		return rc;
	}
	return newsletter_step(s, st, id);
}

int store_newsletter_sending(struct store *s, struct newsletter *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if ((rc = use(s, S_NL_SENDING, &st)))
		return rc;
	if (!(rc = sq_step(st, &row)))
		rc = row ? read_newsletter(st, ret) : DP_ENOTFOUND;
	sqlite3_reset(st);
	if (rc)
		newsletter_release(ret);
	return rc;
}

/* DP_EBUSY when the issue is not being sent (a second dispatcher finished
 * it first); the caller's transaction should then be rolled back. */
int store_newsletter_advance(struct store *s, int64_t id, int64_t cursor, size_t added,
			     bool finished, int64_t now)
{
	sqlite3_stmt *st;
	int rc;
	if (!s || added > INT64_MAX)
		return DP_EINVAL;
	if ((rc = use(s, S_NL_ADVANCE, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id)) || (rc = sq_bind_i64(st, 2, cursor)) ||
	    (rc = sq_bind_i64(st, 3, (int64_t)added)) || (rc = sq_bind_i64(st, 4, finished)) ||
	    (rc = sq_bind_i64(st, 5, now))) {
		sqlite3_reset(st);
		return rc;
	}
	return newsletter_step(s, st, id);
}

/* The issue's messages in the outbox keep its id (their counts stay
 * readable); a draft has none. */
int store_newsletter_delete(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;
	if (!s)
		return DP_EINVAL;
	if ((rc = use(s, S_NL_DELETE, &st)))
		return rc;
	if ((rc = sq_bind_i64(st, 1, id))) {
		sqlite3_reset(st);
		return rc;
	}
	return newsletter_step(s, st, id);
}
