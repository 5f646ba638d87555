/* store.h — the one storage interface. SQLite (store/sqlite/) is the embedded
 * default; a PostgreSQL backend will sit behind the same functions.
 *
 * A struct store is one connection: use it from one thread at a time (the
 * server opens one per worker thread). Every function returns an enum dp_err.
 * Strings in returned structs are owned by the struct and freed by its
 * _release function; the caller owns the struct itself.
 *
 * Times are Unix seconds (UTC). An article is public when its status is
 * ARTICLE_PUBLISHED and published_at <= now. */
#ifndef DEPESCHE_STORE_STORE_H
#define DEPESCHE_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum article_status { ARTICLE_DRAFT, ARTICLE_PUBLISHED, ARTICLE_STATUS__MAX };

enum term_kind { TERM_TAG, TERM_CATEGORY, TERM_AUTHOR, TERM__MAX };

/* A tag, category or author. id 0 means "none". */
struct term {
	int64_t id;
	char *slug;
	char *name;
};

struct article {
	int64_t id;                  /* 0 until saved */
	char *slug;
	char *title;
	char *dateline;              /* "KYIV / LONDON" or NULL */
	char *body_md;               /* Markdown source; NULL in lists unless asked */
	char *body_html;             /* rendered at save time; NULL in lists unless asked */
	char *excerpt;               /* plain text, first ~300 characters */
	char *lang;                  /* BCP 47 tag ("en") or "" for the site's language */
	struct term author;
	struct term category;
	struct term *tags;           /* ntags entries, ordered by name */
	size_t ntags;
	enum article_status status;
	int64_t published_at;        /* the date shown; may lie in the future (scheduled) */
	int64_t updated_at;          /* last change of content */
	int64_t created_at;
};

struct article_list {
	struct article *items;
	size_t n;
};

/* Which articles to list, newest published_at first. */
struct article_query {
	enum term_kind kind;         /* with term_slug: only articles with that term */
	const char *term_slug;       /* NULL: all */
	int64_t now;                 /* visibility cut-off */
	int64_t since;               /* only published_at >= since (0: no limit) */
	bool include_hidden;         /* drafts and scheduled too (CLI) */
	bool with_body;              /* fill body_md and body_html */
	size_t offset, limit;        /* limit 0 means 10 */
};

void term_release(struct term *t);
void article_release(struct article *a);
void article_list_release(struct article_list *l);

#define STORE_CREATE 1  /* create the database file if missing */
#define STORE_DURABLE 2 /* every commit synced to disk (the server: comments, admin) */
#define STORE_NO_INDEX_BUILD 4 /* leave a search index that needs building as it is
				  (store_search_stale): the caller builds it, with progress */

/* Opens (and with STORE_CREATE creates) the database at path and runs pending
 * migrations in a transaction; then, unless STORE_NO_INDEX_BUILD, builds the
 * search index when it needs it (store_search_stale: minutes for a big site). */
int store_open(const char *path, int flags, struct store **ret);
/* NULL-tolerant. */
void store_close(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);
/* A read-only stretch of several reads (a page being built): one snapshot
 * of the site for all of them, and one round of database locks instead of
 * one per read. Reads inside join it; no writes inside. DP_EINVAL when a
 * transaction is open already. store_read_end is NULL-tolerant. */
int store_read_begin(struct store *s);
void store_read_end(struct store *s);

/* Any status. DP_ENOTFOUND when there is none. */
int store_article_by_slug(struct store *s, const char *slug, struct article *ret);
/* The same without body_md (NULL): what a reader's page needs, and cheaper
 * to read (the Markdown source is as long as the HTML). */
int store_article_page(struct store *s, const char *slug, struct article *ret);
int store_article_by_id(struct store *s, int64_t id, struct article *ret);

/* Lists per q; *ret_total (optional) receives the count of all matches. */
int store_articles(struct store *s, const struct article_query *q, struct article_list *ret,
		   size_t *ret_total);

/* The public articles published just before and just after a (by
 * published_at, then id). Only id, slug, title and published_at are filled;
 * id stays 0 where there is none. */
int store_article_neighbors(struct store *s, const struct article *a, int64_t now,
			    struct article *ret_prev, struct article *ret_next);

/* Inserts (a->id == 0) or updates the article with its terms: tags by name
 * (created as needed), category and author by name (NULL or "": none).
 * Sets a->id, updated_at (and created_at on insert) and records a change.
 * DP_EEXISTS when the slug belongs to another article. */
int store_article_save(struct store *s, struct article *a, const char *const *tags,
		       size_t ntags, const char *category, const char *author);
/* Changes only the status; records a change. */
int store_article_set_status(struct store *s, int64_t id, enum article_status st, int64_t now);
/* Deletes the article; records a change. DP_ENOTFOUND if none. */
int store_article_delete(struct store *s, int64_t id);
/* *ret true when another article (id != except_id) uses slug. */
int store_slug_taken(struct store *s, const char *slug, int64_t except_id, bool *ret);

int store_term_by_slug(struct store *s, enum term_kind kind, const char *slug, struct term *ret);

/* The change log: every save, status change or delete appends the article's
 * id and the terms it had before the change ("tag:ki category:technik
 * author:anna-berg"), so a reader can tell which lists it left. Fills up to
 * max ids of changes after `after` (and, if ret_terms is not NULL, their
 * terms: malloc'd strings the caller frees) and *ret_last with the newest
 * change id seen (== after when nothing changed). */
int store_changes_since(struct store *s, int64_t after, int64_t *ret_ids, char **ret_terms,
			size_t max, size_t *ret_n, int64_t *ret_last);
/* The newest change id (0 if none). */
int store_last_change(struct store *s, int64_t *ret);
/* The earliest published_at > now among published articles, 0 if none. */
int store_next_scheduled(struct store *s, int64_t now, int64_t *ret);
/* Largest updated_at among public articles (0 if none): a cheap
 * Last-Modified for lists. */
int store_last_modified(struct store *s, int64_t now, int64_t *ret);

/* ---- reader comments ---- */

enum comment_status {
	COMMENT_PENDING,   /* waiting for a moderator; shown to nobody */
	COMMENT_APPROVED,  /* public */
	COMMENT_SPAM,      /* kept for learning, never shown */
	COMMENT_REJECTED,  /* deleted by a moderator (kept for the audit) */
	COMMENT_STATUS__MAX
};

struct comment {
	int64_t id;
	int64_t article_id;
	int64_t parent_id;        /* 0: a top-level comment */
	int depth;                /* 0, 1 or 2 (replies nest three levels deep) */
	char *author_name;
	char *author_email;       /* "" when none was given; never shown publicly */
	char *text;               /* as written (plain text) */
	char *ip;                 /* the client's address */
	enum comment_status status;
	bool notify;              /* the writer wants mail about replies */
	bool by_site;             /* written by the newsroom ("reply as the site") */
	char *verdict;            /* triage: "ok", "offtopic", "demeaning", "spam" */
	double score;             /* triage score 0..1 */
	char *reasons;            /* triage reasons: a JSON array of strings */
	int64_t created_at, updated_at;
	char *article_slug;       /* filled by store_comments() (joins the article) */
	char *article_title;
};

struct comment_list {
	struct comment *items;
	size_t n;
};

void comment_release(struct comment *c);
void comment_list_release(struct comment_list *l);

/* Inserts c (status as set; depth from its parent, DP_EINVAL past depth 2 or
 * for a parent of another article). Sets id, depth, created_at, updated_at.
 * An approved comment records a change of its article. */
int store_comment_add(struct store *s, struct comment *c);
int store_comment_get(struct store *s, int64_t id, struct comment *ret);
/* The comments of an article with status st, oldest first. */
int store_comments_of_article(struct store *s, int64_t article_id, enum comment_status st,
			      struct comment_list *ret);
/* All comments with status st, newest first, with article slug and title. */
int store_comments(struct store *s, enum comment_status st, size_t offset, size_t limit,
		   struct comment_list *ret, size_t *ret_total);
/* Changes the status; records a change of the article when the comment
 * becomes or stops being public. */
int store_comment_set_status(struct store *s, int64_t id, enum comment_status st);
/* Replaces the text (a moderator's edit); records a change if public. */
int store_comment_set_text(struct store *s, int64_t id, const char *text);
/* How many comments have status st. */
int store_comment_count(struct store *s, enum comment_status st, size_t *ret);
/* Approved comments of each of n articles, into ret_counts[n]. */
int store_comment_counts(struct store *s, const int64_t *article_ids, size_t n,
			 size_t *ret_counts);
/* Comments with the same text (compared with ASCII case and runs of white
 * space folded) created at or after since, any status. */
int store_comment_duplicates(struct store *s, const char *text, int64_t since, size_t *ret);

/* ---- accounts, sessions, API tokens, audit log ---- */

enum role { ROLE_ADMIN, ROLE_EDITOR, ROLE_AUTHOR, ROLE_MODERATOR, ROLE__MAX };

struct user {
	int64_t id;
	char *name;               /* login name; also the byline an author writes under */
	char *pwhash;             /* argon2id string (crypto_pwhash_str) */
	enum role role;
	char *email;              /* for mail to staff (moderation, tests); "" when none */
	int64_t created_at;
};

void user_release(struct user *u);
/* Inserts u; sets id and created_at. DP_EEXISTS for a taken name. */
int store_user_add(struct store *s, struct user *u);
int store_user_by_name(struct store *s, const char *name, struct user *ret);
int store_user_by_id(struct store *s, int64_t id, struct user *ret);
/* All users by name; *ret is an array of *ret_n users (free each, then the array). */
int store_users(struct store *s, struct user **ret, size_t *ret_n);
int store_user_set_password(struct store *s, int64_t id, const char *pwhash);
/* "" removes the address. */
int store_user_set_email(struct store *s, int64_t id, const char *email);
/* Deletes the user and their sessions. */
int store_user_delete(struct store *s, int64_t id);

/* Sessions are stored by a hash of their id, never the id itself. */
struct session {
	int64_t user_id;
	char *csrf;               /* the token every state-changing form carries */
	int64_t expires_at;
};
void session_release(struct session *se);
int store_session_add(struct store *s, const char *id_hash, int64_t user_id, const char *csrf,
		      int64_t expires_at);
/* DP_ENOTFOUND for an unknown or expired session. */
int store_session_get(struct store *s, const char *id_hash, int64_t now, struct session *ret);
int store_session_delete(struct store *s, const char *id_hash);
int store_sessions_purge(struct store *s, int64_t now);

struct api_token {
	int64_t id;
	char *name;
	enum role role;
	int64_t created_at;
	int64_t last_used_at;
};
void api_token_release(struct api_token *t);
/* hash: of the secret token (the token itself is never stored). DP_EEXISTS for a taken name. */
int store_token_add(struct store *s, const char *name, enum role role, const char *hash,
		    int64_t *ret_id);
int store_token_by_hash(struct store *s, const char *hash, struct api_token *ret);
int store_tokens(struct store *s, struct api_token **ret, size_t *ret_n);
int store_token_delete(struct store *s, const char *name);

struct audit_entry {
	int64_t id, at;
	char *actor;              /* user or token name, "cli" */
	char *action;             /* "comment.approve", "post.publish", ... */
	char *object;             /* "comment 12", "/neue-bahnstrecke/" */
	char *detail;             /* free text, may be "" */
};
void audit_entry_release(struct audit_entry *e);
int store_audit_add(struct store *s, const char *actor, const char *action, const char *object,
		    const char *detail);
/* Newest first; *ret is an array of *ret_n entries. */
int store_audit(struct store *s, size_t offset, size_t limit, struct audit_entry **ret,
		size_t *ret_n);

/* ---- small site state (the triage model, secrets) ---- */
/* DP_ENOTFOUND when key is not set; *ret is malloc'd. */
int store_kv_get(struct store *s, const char *key, char **ret);
int store_kv_set(struct store *s, const char *key, const char *value);

/* ---- the mail outbox ----
 * Every message leaves through this durable queue: a message is added as
 * built (RFC 5322 bytes), a sender claims due messages (queued -> sending),
 * sends them and marks each sent or failed. A crash leaves claimed rows as
 * sending; a claim older than OUTBOX_CLAIM_STALE seconds is taken back as
 * queued at the next claim, so only messages in flight at the crash can go
 * out twice. */
enum outbox_status { OUTBOX_QUEUED, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED, OUTBOX_STATUS__MAX };
enum outbox_kind { OUTBOX_CONFIRM, OUTBOX_ALERT, OUTBOX_NEWSLETTER, OUTBOX_NOTIFY, OUTBOX_TEST,
		   OUTBOX_KIND__MAX };

#define OUTBOX_CLAIM_STALE 600   /* seconds: a claim this old is taken back */
#define OUTBOX_ATTEMPTS_MAX 8    /* a temporary failure this many times is permanent */
#define OUTBOX_BACKOFF_BASE 30   /* seconds before the first retry; doubles each time */
#define OUTBOX_BACKOFF_MAX 21600 /* seconds: the longest wait between attempts (6 h) */
#define OUTBOX_ERROR_MAX 500     /* bytes of last_error kept */

struct outbox_msg {
	int64_t id;
	enum outbox_kind kind;
	enum outbox_status status;
	char *recipient;             /* the envelope recipient (addr-spec) */
	char *message;               /* len bytes of RFC 5322 text, NUL-terminated too */
	size_t len;
	int attempts;                /* failed attempts so far */
	int64_t created_at, next_attempt_at, sent_at;
	char *last_error;            /* "" when none */
};

/* "confirm", "alert", … ; "?" for a value out of range. Static storage. */
const char *outbox_kind_name(enum outbox_kind k);
const char *outbox_status_name(enum outbox_status st);
/* NULL-tolerant; frees the strings, not m itself. */
void outbox_msg_release(struct outbox_msg *m);
/* Frees n messages and the array. */
void outbox_msgs_free(struct outbox_msg *m, size_t n);

/* Queues message (len bytes, copied) for recipient, due now. */
int store_outbox_add(struct store *s, enum outbox_kind kind, const char *recipient,
		     const char *message, size_t len, int64_t now, int64_t *ret_id);
/* The same, counted for newsletter issue newsletter_id (0: none). */
int store_outbox_add_for(struct store *s, enum outbox_kind kind, int64_t newsletter_id,
			 const char *recipient, const char *message, size_t len, int64_t now,
			 int64_t *ret_id);
/* In one write transaction: takes back claims older than OUTBOX_CLAIM_STALE,
 * then marks up to max queued messages due at now (oldest due first) as
 * sending for worker and returns them in *ret (*ret_n of them; the caller
 * frees with outbox_msgs_free). *ret is NULL when none is due. */
int store_outbox_claim(struct store *s, const char *worker, int64_t now, size_t max,
		       struct outbox_msg **ret, size_t *ret_n);
/* Claims message id for worker whatever its due time, if it is queued;
 * DP_ENOTFOUND when there is no such queued message. */
int store_outbox_claim_id(struct store *s, int64_t id, const char *worker, int64_t now,
			  struct outbox_msg *ret);
/* A claimed message went out. */
int store_outbox_done(struct store *s, int64_t id, int64_t now);
/* A claimed message was not sent: attempts + 1 and, for a temporary failure
 * with attempts left, queued again at now + min(BASE * 2^(attempts before),
 * MAX); else failed. error (truncated to OUTBOX_ERROR_MAX) becomes
 * last_error. *ret_status (optional): the new status. */
int store_outbox_fail(struct store *s, int64_t id, bool permanent, const char *error,
		      int64_t now, enum outbox_status *ret_status);
/* Puts a claimed message back as queued, unchanged (a sender stopping). */
int store_outbox_unclaim(struct store *s, int64_t id);
/* One message, any status. DP_ENOTFOUND when none. */
int store_outbox_get(struct store *s, int64_t id, struct outbox_msg *ret);
/* ret[status]: how many messages have that status. */
int store_outbox_counts(struct store *s, size_t ret[OUTBOX_STATUS__MAX]);
/* Messages with status st (OUTBOX_STATUS__MAX: any), newest first, without
 * their bytes (message is "" and len 0); *ret_total (optional): all matches. */
int store_outbox_list(struct store *s, enum outbox_status st, size_t offset, size_t limit,
		      struct outbox_msg **ret, size_t *ret_n, size_t *ret_total);
/* A failed message is queued again, due now, with its attempts reset.
 * DP_ENOTFOUND unless message id exists and has failed. */
int store_outbox_retry(struct store *s, int64_t id, int64_t now);
/* ret[status]: the messages of newsletter issue id by status. */
int store_outbox_counts_for(struct store *s, int64_t newsletter_id,
			    size_t ret[OUTBOX_STATUS__MAX]);

/* ---- newsletter subscribers ----
 * An address signs up (a consent request: the wording shown, its version,
 * time and IP), gets a mail with a single-use confirmation link (only a hash
 * of its token is stored) and is confirmed when it follows the link in time;
 * the request then is the consent record. A confirmed address that signs up
 * again gets the same kind of request: confirming it adds what it asked for.
 * Every subscriber has a manage key (random, in every mail's links) for the
 * preferences page and one-click unsubscribe. */
enum subscriber_status { SUB_PENDING, SUB_CONFIRMED, SUB_UNSUBSCRIBED, SUB_STATUS__MAX };
enum sub_frequency { FREQ_IMMEDIATE, FREQ_DAILY, FREQ_WEEKLY, FREQ__MAX };

#define SUB_TOPICS_MAX 50        /* topics (tag slugs) one subscriber may follow */
#define SUB_KEY_LEN 64           /* hex characters of a manage key */

struct subscriber {
	int64_t id;
	char *email;                 /* as given, domain lower-cased; unique ignoring case */
	enum subscriber_status status;
	bool newsletter;             /* receives the editors' newsletters */
	enum sub_frequency frequency;/* topic alerts: at once, or collected daily/weekly */
	char **topics;               /* ntopics tag slugs, sorted */
	size_t ntopics;
	char *key;                   /* manage key, SUB_KEY_LEN hex characters */
	int64_t created_at, confirmed_at, unsubscribed_at, last_digest_at;
};

/* One sign-up request; once confirmed, the proof of consent. */
struct consent {
	int64_t id, subscriber_id;
	char *wording;               /* the text the person agreed to, as shown */
	char *version;               /* its version (a hash of the wording) */
	char *topics;                /* tag slugs asked for, space-separated ("" none) */
	bool newsletter;             /* asked for the newsletter */
	int64_t requested_at;
	char *request_ip;
	int64_t expires_at;          /* the link is void after this */
	int64_t confirmed_at;        /* 0 until confirmed */
	char *confirm_ip;            /* "" until confirmed */
};

struct subscriber_query {
	const char *q;               /* part of the address (NULL or "": all) */
	int status;                  /* enum subscriber_status, or -1: any */
	size_t offset, limit;        /* limit 0 means 50 */
};

/* "pending", "confirmed", "unsubscribed"; "immediate", "daily", "weekly". */
const char *subscriber_status_name(enum subscriber_status st);
const char *sub_frequency_name(enum sub_frequency f);
int sub_frequency_parse(const char *name, enum sub_frequency *ret);
void subscriber_release(struct subscriber *sub);
void subscribers_free(struct subscriber *subs, size_t n);  /* each, then the array */
void consent_release(struct consent *c);
void consents_free(struct consent *c, size_t n);

/* Records a sign-up request for email (a new subscriber is created pending
 * with a fresh manage key; an existing one keeps its state): c's wording,
 * version, topics, newsletter, requested_at, request_ip and expires_at are
 * stored with token_hash (hex of a hash of the link's token). Sets c->id and
 * c->subscriber_id. *ret_recent (optional): requests for this address since
 * recent_since before this one, so a caller can stop mail floods. */
int store_subscribe_request(struct store *s, const char *email, struct consent *c,
			    const char *token_hash, int64_t recent_since, size_t *ret_recent);
/* Follows a confirmation link: the request with token_hash, if not expired
 * at now and not used, becomes confirmed (confirmed_at = now, confirm_ip =
 * ip, the token is voided); the subscriber becomes confirmed and gains the
 * request's topics and newsletter wish (resubscribing an unsubscribed one).
 * *ret (optional) receives the subscriber afterwards. DP_ENOTFOUND for an
 * unknown or used token, DP_EBUSY for an expired one. */
int store_subscribe_confirm(struct store *s, const char *token_hash, const char *ip, int64_t now,
			    struct subscriber *ret);
int store_subscriber_by_key(struct store *s, const char *key, struct subscriber *ret);
int store_subscriber_by_id(struct store *s, int64_t id, struct subscriber *ret);
int store_subscriber_by_email(struct store *s, const char *email, struct subscriber *ret);
/* Adds a confirmed subscriber brought from another system (an operator's
 * import of people who consented there): a consent record with wording
 * note, version "import", request_ip "import", confirmed at now.
 * DP_EEXISTS when the address is there already; DP_EINVAL past
 * SUB_TOPICS_MAX topics. */
int store_subscriber_import(struct store *s, const char *email, const char *const *topics,
			    size_t ntopics, bool newsletter, enum sub_frequency f, const char *note,
			    int64_t now, int64_t *ret_id);
/* Replaces topics, newsletter wish and frequency (the preferences page).
 * DP_EINVAL past SUB_TOPICS_MAX topics. */
int store_subscriber_set_prefs(struct store *s, int64_t id, const char *const *topics,
			       size_t ntopics, bool newsletter, enum sub_frequency f, int64_t now);
/* Unsubscribes from everything: status unsubscribed, no topics, no
 * newsletter, waiting digest items dropped. The consent records stay. */
int store_subscriber_unsubscribe(struct store *s, int64_t id, int64_t now);
/* Deletes the subscriber with every record of them (erasure on request). */
int store_subscriber_delete(struct store *s, int64_t id);
/* Lists per q, newest first; *ret_total (optional): all matches. */
int store_subscribers(struct store *s, const struct subscriber_query *q,
		      struct subscriber **ret, size_t *ret_n, size_t *ret_total);
/* ret[status]: how many subscribers have that status. */
int store_subscriber_counts(struct store *s, size_t ret[SUB_STATUS__MAX]);
/* The requests of a subscriber, oldest first. */
int store_subscriber_consents(struct store *s, int64_t id, struct consent **ret, size_t *ret_n);
/* Deletes requests never confirmed that expired before now, and pending
 * subscribers left without any request. *ret_n (optional): subscribers gone. */
int store_subscribers_expire(struct store *s, int64_t now, size_t *ret_n);
/* Confirmed subscribers with id > after_id in id order, up to limit: those
 * who want the newsletter when topics is NULL or empty, else those following
 * one of the ntopics tag slugs. The batches of a newsletter run. */
int store_subscribers_batch(struct store *s, int64_t after_id, size_t limit,
			    const char *const *topics, size_t ntopics,
			    struct subscriber **ret, size_t *ret_n);

/* ---- topic alerts and digests ----
 * Each (subscriber, article) pair is recorded once, so nobody gets an
 * article twice: sent at once, or waiting for the subscriber's digest. */
/* Public articles (published_at <= now, published_at >= since) for which
 * no alerts were made yet, oldest first; ids into ret (up to max). */
int store_alerts_due(struct store *s, int64_t now, int64_t since, int64_t *ret, size_t max,
		     size_t *ret_n);
/* The alerts of the article are all made (also when nobody followed it). */
int store_alerts_done(struct store *s, int64_t article_id, int64_t now);
/* Confirmed subscribers following one of the article's tags who have no
 * record for the article yet, id > after_id in id order, up to limit. */
int store_alert_recipients(struct store *s, int64_t article_id, int64_t after_id, size_t limit,
			   struct subscriber **ret, size_t *ret_n);
/* Records the pair: sent now (digest false) or waiting for the digest.
 * *ret_new false when the pair was recorded before (then nothing changes). */
int store_alert_record(struct store *s, int64_t subscriber_id, int64_t article_id, bool digest,
		       int64_t now, bool *ret_new);
/* Confirmed subscribers with frequency f who have waiting digest items and
 * whose last digest was before `before`, id > after_id, up to limit. */
int store_digest_due(struct store *s, enum sub_frequency f, int64_t before, int64_t after_id,
		     size_t limit, struct subscriber **ret, size_t *ret_n);
/* The article ids waiting for the subscriber's digest: the newest max of
 * them, listed oldest first; *ret_waiting (optional): how many wait in all,
 * so a digest can say how many more there were. */
int store_digest_items(struct store *s, int64_t subscriber_id, int64_t *ret, size_t max,
		       size_t *ret_n, size_t *ret_waiting);
/* The waiting items went out in a digest at now (last_digest_at = now). */
int store_digest_done(struct store *s, int64_t subscriber_id, int64_t now);

/* ---- newsletter issues ---- */
enum newsletter_status { NEWSLETTER_DRAFT, NEWSLETTER_SENDING, NEWSLETTER_SENT,
			 NEWSLETTER_STATUS__MAX };

struct newsletter {
	int64_t id;                  /* 0 until saved */
	char *subject;
	char *body_md;               /* Markdown */
	char *topics;                /* tag slugs, space-separated; "": all who want the newsletter */
	enum newsletter_status status;
	char *created_by;            /* user name */
	int64_t created_at, updated_at, started_at, finished_at;
	int64_t cursor;              /* the last subscriber id queued while sending */
	size_t queued;               /* messages queued so far */
};
const char *newsletter_status_name(enum newsletter_status st);
void newsletter_release(struct newsletter *n);
void newsletters_free(struct newsletter *n, size_t count);
/* Inserts (id 0) or updates a draft's subject, body and topics; sets id,
 * created_at/updated_at. DP_EBUSY when the issue is not a draft any more. */
int store_newsletter_save(struct store *s, struct newsletter *n, int64_t now);
int store_newsletter_get(struct store *s, int64_t id, struct newsletter *ret);
/* Newest first; *ret_total (optional): how many there are. */
int store_newsletters(struct store *s, size_t offset, size_t limit, struct newsletter **ret,
		      size_t *ret_n, size_t *ret_total);
/* A draft starts sending (started_at = now). DP_EBUSY if it is not a draft. */
int store_newsletter_start(struct store *s, int64_t id, int64_t now);
/* The oldest issue being sent; DP_ENOTFOUND when none. */
int store_newsletter_sending(struct store *s, struct newsletter *ret);
/* After a batch: cursor = the last subscriber id queued, queued += added;
 * finished: status sent, finished_at = now. Call in the batch's transaction. */
int store_newsletter_advance(struct store *s, int64_t id, int64_t cursor, size_t added,
			     bool finished, int64_t now);
/* Deletes a draft. DP_EBUSY for an issue that was sent. */
int store_newsletter_delete(struct store *s, int64_t id);

/* ---- mail about comments ---- */
/* Approved comments not yet looked at for mail (to their writer, and to the
 * writer of the comment they answer), oldest first, up to limit; article
 * slug and title filled. */
int store_comments_to_notify(struct store *s, size_t limit, struct comment_list *ret);
/* The comment's mails are made. */
int store_comment_notified(struct store *s, int64_t id);
/* Pending comments created after `after`, oldest first, up to limit, with
 * article slug and title; *ret_total (optional): how many there are. */
int store_comments_pending_since(struct store *s, int64_t after, size_t limit,
				 struct comment_list *ret, size_t *ret_total);

/* ---- site search and related articles ----
 * Public articles are indexed (title, body text, tags) with the analyzer of
 * search/analyze.h in the site's language: folded, stemmed, compounds split
 * into parts the site's own vocabulary knows. The index follows every save,
 * status change and delete at once (in the same transaction), so drafts and
 * deleted articles are never found; scheduled ones are indexed but only
 * found once published_at <= now. Related articles (SEARCH_RELATED of them,
 * by content similarity) are computed when an article changes, for it and
 * for the articles whose lists it enters or leaves, never per request. */
#define SEARCH_RELATED 3
#define SEARCH_QUERY_MAX 200       /* bytes of a reader's query */
#define SEARCH_RANKED_MAX 1000     /* matches ranked per search: a common word's newest */

struct search_query {
	const char *q;               /* the reader's words: "a phrase", -excluded */
	int64_t now;                 /* visibility cut-off */
	size_t offset, limit;        /* limit 0 means 10 */
};

struct search_hit {
	struct article article;      /* as in lists: no bodies; tags, author, category filled */
	char *title_html;            /* the title, HTML-escaped, matches in <mark>…</mark> */
	char *snippet_html;          /* a passage of the body, HTML-escaped, matches in
				      * <mark>…</mark>, "…" where it is cut */
	double score;                /* lower is better (bm25 with recency) */
};

struct search_result {
	struct search_hit *hits;
	size_t n;
	size_t total;                /* public matches, at most SEARCH_RANKED_MAX */
	bool capped;                 /* more matched: the newest SEARCH_RANKED_MAX were ranked */
};

void search_result_release(struct search_result *r);

/* Best matches first: BM25 with the title above the tags above the body and
 * recent articles slightly ahead. DP_EINVAL when q holds nothing to search
 * for (search/query.h tells why). */
int store_search(struct store *s, const struct search_query *q, struct search_result *ret);
/* Up to SEARCH_RELATED public articles related to article_id, best first
 * (fields as in lists but author, category and tags: a link to each is
 * what a page shows).
 * Read from what was computed at the last change. */
int store_related(struct store *s, int64_t article_id, int64_t now, struct article_list *ret);
/* Rebuilds the index from the articles in the analyzer of lang ("de",
 * "en"), then the related lists, in one transaction; progress (optional) is
 * called now and then with the work done and the total (phase 0: index,
 * phase 1: related). */
typedef void (*store_progress_fn)(void *arg, int phase, size_t done, size_t total);
int store_search_reindex(struct store *s, const char *lang, store_progress_fn progress,
			 void *arg);
/* Whether the index needs building before it can be used: articles are
 * published and none is indexed (an upgraded site), or the index was made
 * by a version whose terms differ. *ret_articles: the published articles. */
int store_search_stale(struct store *s, bool *ret, size_t *ret_articles);
/* The language the index was built for ("de" until a reindex says otherwise). */
int store_search_lang(struct store *s, char *ret, size_t n);

/* ---- job listings ----
 * A job is public from posted_at until valid_through (exclusive); `expire`
 * sets valid_through to now. Every change records a change note "jobs" so a
 * running server drops the pages that show jobs (cache key "l:jobs"); pages
 * that show jobs expire themselves at the earliest valid_through shown. */
enum job_type { JOB_FULL_TIME, JOB_PART_TIME, JOB_CONTRACT, JOB_INTERNSHIP, JOB_TYPE__MAX };

struct job {
	int64_t id;                  /* 0 until saved */
	char *slug;
	char *title;
	char *employer;
	char *location;              /* "" when none (remote only) */
	bool remote;
	enum job_type type;
	char *description_md;        /* Markdown; NULL in lists */
	char *description_html;      /* rendered at save time (no raw HTML); NULL in lists */
	char *apply_url;             /* http(s) URL or mailto: */
	int64_t posted_at;
	int64_t valid_through;       /* required */
	int64_t created_at, updated_at;
};

struct job_query {
	int64_t now;                 /* only jobs public at now, unless include_expired */
	bool include_expired;        /* the admin and the CLI */
	const char *location;        /* exact location, ignoring case (NULL or "": any) */
	int type;                    /* enum job_type, or -1: any */
	bool remote_only;
	size_t offset, limit;        /* limit 0 means 20 */
};

/* "full-time", "part-time", "contract", "internship" (also the CLI's words);
 * schema.org's employmentType: "FULL_TIME", "PART_TIME", "CONTRACTOR", "INTERN". */
const char *job_type_name(enum job_type t);
const char *job_type_schema(enum job_type t);
int job_type_parse(const char *name, enum job_type *ret);
void job_release(struct job *j);
void jobs_free(struct job *j, size_t n);

/* Inserts (id 0) or updates; sets id, created_at, updated_at. The slug must
 * be set (DP_EEXISTS when another job has it). */
int store_job_save(struct store *s, struct job *j, int64_t now);
int store_job_get(struct store *s, int64_t id, struct job *ret);
int store_job_by_slug(struct store *s, const char *slug, struct job *ret);
/* Newest posted first; *ret_total (optional): all matches. */
int store_jobs(struct store *s, const struct job_query *q, struct job **ret, size_t *ret_n,
	       size_t *ret_total);
/* The distinct locations of public jobs, sorted (the filter's choices). */
int store_job_locations(struct store *s, int64_t now, char ***ret, size_t *ret_n);
/* valid_through = now. DP_ENOTFOUND when none. */
int store_job_expire(struct store *s, int64_t id, int64_t now);
int store_job_delete(struct store *s, int64_t id);
/* *ret: the earliest time after now at which the public jobs change — the
 * valid_through of a public job or the posted_at of a job posted ahead (0
 * if none) — for the expiry of the pages that show them. */
int store_job_next_expiry(struct store *s, int64_t now, int64_t *ret);

/* ---- boxes: the site's editor-managed boxes ----
 * A box has a kind the theme knows how to render (partials/box.mustache:
 * "newsletter", "book", "support", "jobs", "links", "text"), a place and an
 * order in it. Every change records a change note "boxes", so a running
 * server renders every page again. */
enum box_place { BOX_SIDEBAR, BOX_BELOW, BOX_FOOTER, BOX_PLACE__MAX };

#define BOX_KIND_MAX 20              /* [a-z] characters of a kind */

struct box {
	int64_t id;                  /* 0 until saved */
	char *kind;
	enum box_place place;
	int position;                /* order within the place, ascending */
	bool visible;
	char *title;                 /* heading; "" uses the theme's for the kind */
	char *body;                  /* short plain text; "" none */
	char *link_url;              /* "" none */
	char *link_text;
	char *image_url;             /* a cover image (books); "" none */
	char *image_alt;
	char *author;                /* books */
	int64_t created_at, updated_at;
};

/* "sidebar", "below", "footer". */
const char *box_place_name(enum box_place p);
int box_place_parse(const char *name, enum box_place *ret);
void box_release(struct box *b);
void boxes_free(struct box *b, size_t n);

/* Inserts (id 0) or updates; sets id and times. */
int store_box_save(struct store *s, struct box *b, int64_t now);
int store_box_get(struct store *s, int64_t id, struct box *ret);
/* By place, then position, then id; only visible ones unless all. */
int store_boxes(struct store *s, bool all, struct box **ret, size_t *ret_n);
/* Swaps the box with its neighbour in its place (up: -1, down: +1) so the
 * order is always 1..n per place. DP_ENOTFOUND for no such box;
 * *ret_moved (optional): false when it was first (last) already. */
int store_box_move(struct store *s, int64_t id, int delta, int64_t now, bool *ret_moved);
int store_box_delete(struct store *s, int64_t id);

#endif
