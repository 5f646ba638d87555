/* migrations.c — the SQLite schema, as numbered migrations run at open.
 *
 * Append a migration for every change; never edit one that has shipped. The
 * schema stays portable to PostgreSQL (INTEGER Unix times, TEXT, standard
 * constraints); what only SQLite understands (AUTOINCREMENT, the rowid alias
 * `INTEGER PRIMARY KEY`) stays in this file, and the pg backend will carry
 * its own list with the same version numbers. */
#include "store/sqlite/migrations.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "util/err.h"

/* Notes on version 1:
 * - articles: the bodies come last so that a row's small columns sit in its
 *   b-tree page and lists, which skip the bodies, never read overflow pages.
 *   status: 0 draft, 1 published (enum article_status).
 * - article_tags repeats the article's status and published_at so that a tag
 *   archive is one walk of article_tags_list in published_at order, however
 *   many articles carry the tag. The store writes them with the tag set and
 *   on every status change; nothing else may write article_tags.
 * - changes: the log a running server polls to invalidate its page cache.
 *   AUTOINCREMENT keeps ids growing even if old rows are pruned; no foreign
 *   key, since deletions are logged too.
 * - indexes: articles_public serves home, neighbors, next_scheduled and
 *   counts; articles_category/_author/article_tags_list the archives (term
 *   first, then the same order); articles_published lists with drafts (CLI);
 *   articles_updated Last-Modified. The unique slugs index the lookups. */
static const char v1[] =
	"CREATE TABLE authors ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL);"
	"CREATE TABLE categories ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL);"
	"CREATE TABLE tags ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL);"
	"CREATE TABLE articles ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" dateline TEXT,"
	" excerpt TEXT NOT NULL DEFAULT '',"
	" status INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1)),"
	" author_id INTEGER REFERENCES authors (id) ON DELETE SET NULL,"
	" category_id INTEGER REFERENCES categories (id) ON DELETE SET NULL,"
	" published_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" body_md TEXT NOT NULL DEFAULT '',"
	" body_html TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE article_tags ("
	" article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	" tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,"
	" status INTEGER NOT NULL,"
	" published_at INTEGER NOT NULL,"
	" PRIMARY KEY (article_id, tag_id));"
	"CREATE TABLE changes ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" article_id INTEGER NOT NULL,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX articles_public ON articles (status, published_at, id);"
	"CREATE INDEX articles_published ON articles (published_at, id);"
	"CREATE INDEX articles_category ON articles (category_id, status, published_at, id);"
	"CREATE INDEX articles_author ON articles (author_id, status, published_at, id);"
	"CREATE INDEX articles_updated ON articles (status, updated_at, published_at);"
	"CREATE INDEX article_tags_list ON article_tags (tag_id, status, published_at, article_id);";

/* 2: the change log names the terms an article had before each change. */
static const char v2[] =
	"ALTER TABLE changes ADD COLUMN terms TEXT NOT NULL DEFAULT '';";

/* 3: an article may be in another language than its site ("" = the site's). */
static const char v3[] =
	"ALTER TABLE articles ADD COLUMN lang TEXT NOT NULL DEFAULT '';";

/* 4: reader comments, accounts, sessions, API tokens, the audit log and a
 * small key-value table of site state (the triage model, secrets).
 * - comments: the small columns first and the text last, as in articles.
 *   text_hash is a hash of the text normalised by the store (see
 *   comments.c), so duplicates are one index lookup. status is enum
 *   comment_status, role enum role; neither has a CHECK, since SQLite cannot
 *   change one without rebuilding the table and the store validates both.
 *   reasons is a JSON array of strings.
 * - indexes: comments_article lists an article's comments of one status in
 *   order and counts them; comments_queue pages the moderation queue newest
 *   first (and counts a status); comments_text finds duplicates;
 *   comments_parent and sessions_user serve the ON DELETE CASCADEs, which
 *   would otherwise scan the whole child table for every deleted row;
 *   sessions_expires the purge; audit_log_at the log newest first. */
static const char v4[] =
	"CREATE TABLE comments ("
	" id INTEGER PRIMARY KEY,"
	" article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	" parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,"
	" depth INTEGER NOT NULL DEFAULT 0,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" notify INTEGER NOT NULL DEFAULT 0,"
	" by_site INTEGER NOT NULL DEFAULT 0,"
	" score REAL NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" text_hash TEXT NOT NULL,"
	" verdict TEXT NOT NULL DEFAULT '',"
	" author_name TEXT NOT NULL,"
	" author_email TEXT NOT NULL DEFAULT '',"
	" ip TEXT NOT NULL DEFAULT '',"
	" reasons TEXT NOT NULL DEFAULT '[]',"
	" text TEXT NOT NULL);"
	"CREATE INDEX comments_article ON comments (article_id, status, created_at, id);"
	"CREATE INDEX comments_queue ON comments (status, created_at DESC, id DESC);"
	"CREATE INDEX comments_text ON comments (text_hash, created_at);"
	"CREATE INDEX comments_parent ON comments (parent_id);"
	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" pwhash TEXT NOT NULL,"
	" role INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	" id_hash TEXT PRIMARY KEY,"
	" user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	" csrf TEXT NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"
	"CREATE INDEX sessions_user ON sessions (user_id);"
	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" role INTEGER NOT NULL,"
	" hash TEXT NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL,"
	" last_used_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE audit_log ("
	" id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" object TEXT NOT NULL,"
	" detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);"
	"CREATE TABLE kv ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL);";

/* 5: the mail outbox. kind is 'confirm', 'alert', 'newsletter', 'notify' or
 * 'test'; message the whole RFC 5322 message as sent; status enum
 * outbox_status (0 queued, 1 sending, 2 sent, 3 failed), validated by the
 * store as for comments. claimed_by/claimed_at name the sender that marked
 * the row as sending, so a crashed sender's rows can be taken back.
 * outbox_due serves the claim (queued rows due first) and the counts. */
static const char v5[] =
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" created_at INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt_at INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" sent_at INTEGER NOT NULL DEFAULT 0,"
	" claimed_by TEXT,"
	" claimed_at INTEGER NOT NULL DEFAULT 0,"
	" message BLOB NOT NULL);"
	"CREATE INDEX outbox_due ON outbox (status, next_attempt_at, id);";

/* 6: newsletter subscribers, consent records, topic alerts, digests,
 * newsletter issues; outbox rows counted per issue; staff e-mail addresses;
 * comments remember whether their mail was made.
 * - subscribers: email as given (domain lower-cased), email_key the whole
 *   address lower-cased, unique, so "Anna@X.de" and "anna@x.de" are one
 *   person. status enum subscriber_status (0 pending, 1 confirmed, 2
 *   unsubscribed), frequency enum sub_frequency (0 immediate, 1 daily, 2
 *   weekly); key the manage key (hex of 32 random bytes). Times 0 = never.
 *   subscribers_batch walks the confirmed newsletter readers in id order
 *   (the newsletter run); subscribers_digest those of one frequency.
 * - subscriber_topics: the tag slugs a subscriber follows; its key serves
 *   one subscriber's topics (and the cascade), subscriber_topics_slug the
 *   alerts and topic newsletters (slug -> subscribers in id order).
 * - consents: every sign-up request; token_hash (hex of a hash of the
 *   link's token) is set to NULL once used, so a link works once and the
 *   UNIQUE index (which allows many NULLs) finds a token in one lookup.
 *   consents_subscriber serves the cascade, the list and the flood count;
 *   consents_open the purge of unconfirmed, expired requests.
 * - subscriber_alerts: one row per (subscriber, article) ever alerted,
 *   waiting = 1 while it waits for the subscriber's digest. WITHOUT ROWID:
 *   the key is the row. subscriber_alerts_waiting (partial) finds the
 *   digest items; subscriber_alerts_article serves the cascade when an
 *   article is deleted (its id could otherwise be reused by SQLite and the
 *   new article taken for alerted).
 * - article_alerts_done: articles whose alerts are all made. Every article
 *   public at upgrade time is put in, so an upgraded site mails nobody about
 *   its old articles; drafts and scheduled ones get their alerts when they
 *   go public (as new articles, they are news to the readers).
 * - newsletters: status enum newsletter_status (0 draft, 1 sending, 2
 *   sent); cursor the last subscriber id queued, queued the messages so far.
 * - outbox.newsletter_id: the issue a message belongs to (0: none);
 *   outbox_newsletter counts an issue's messages by status, outbox_status
 *   lists one status newest first (the admin's outbox page).
 * - comments.notified: 1 once the mails about the comment are made; the
 *   comments there at upgrade time count as done. comments_to_notify
 *   (partial) holds only the approved ones still to look at. */
static const char v6[] =
	"CREATE TABLE subscribers ("
	" id INTEGER PRIMARY KEY,"
	" email TEXT NOT NULL,"
	" email_key TEXT NOT NULL UNIQUE,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" newsletter INTEGER NOT NULL DEFAULT 0,"
	" frequency INTEGER NOT NULL DEFAULT 0,"
	" key TEXT NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL,"
	" confirmed_at INTEGER NOT NULL DEFAULT 0,"
	" unsubscribed_at INTEGER NOT NULL DEFAULT 0,"
	" last_digest_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX subscribers_batch ON subscribers (status, newsletter, id);"
	"CREATE INDEX subscribers_digest ON subscribers (status, frequency, id);"
	"CREATE TABLE subscriber_topics ("
	" subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
	" slug TEXT NOT NULL,"
	" PRIMARY KEY (subscriber_id, slug)) WITHOUT ROWID;"
	"CREATE INDEX subscriber_topics_slug ON subscriber_topics (slug, subscriber_id);"
	"CREATE TABLE consents ("
	" id INTEGER PRIMARY KEY,"
	" subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
	" token_hash TEXT UNIQUE,"
	" newsletter INTEGER NOT NULL DEFAULT 0,"
	" requested_at INTEGER NOT NULL,"
	" expires_at INTEGER NOT NULL,"
	" confirmed_at INTEGER NOT NULL DEFAULT 0,"
	" request_ip TEXT NOT NULL DEFAULT '',"
	" confirm_ip TEXT NOT NULL DEFAULT '',"
	" version TEXT NOT NULL DEFAULT '',"
	" topics TEXT NOT NULL DEFAULT '',"
	" wording TEXT NOT NULL);"
	"CREATE INDEX consents_subscriber ON consents (subscriber_id, requested_at);"
	"CREATE INDEX consents_open ON consents (expires_at) WHERE confirmed_at = 0;"
	"CREATE TABLE subscriber_alerts ("
	" subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
	" article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	" at INTEGER NOT NULL,"
	" waiting INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (subscriber_id, article_id)) WITHOUT ROWID;"
	"CREATE INDEX subscriber_alerts_waiting ON subscriber_alerts (subscriber_id, at, article_id)"
	" WHERE waiting = 1;"
	"CREATE INDEX subscriber_alerts_article ON subscriber_alerts (article_id);"
	"CREATE TABLE article_alerts_done ("
	" article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
	" at INTEGER NOT NULL);"
	"INSERT INTO article_alerts_done (article_id, at) SELECT id, unixepoch() FROM articles"
	" WHERE status = 1 AND published_at <= unixepoch();"
	"CREATE TABLE newsletters ("
	" id INTEGER PRIMARY KEY,"
	" status INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" started_at INTEGER NOT NULL DEFAULT 0,"
	" finished_at INTEGER NOT NULL DEFAULT 0,"
	" cursor INTEGER NOT NULL DEFAULT 0,"
	" queued INTEGER NOT NULL DEFAULT 0,"
	" created_by TEXT NOT NULL DEFAULT '',"
	" topics TEXT NOT NULL DEFAULT '',"
	" subject TEXT NOT NULL,"
	" body_md TEXT NOT NULL);"
	"CREATE INDEX newsletters_status ON newsletters (status, started_at, id);"
	"ALTER TABLE outbox ADD COLUMN newsletter_id INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_newsletter ON outbox (newsletter_id, status);"
	"CREATE INDEX outbox_status ON outbox (status, id);"
	"ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE comments ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;"
	"UPDATE comments SET notified = 1;"
	"CREATE INDEX comments_to_notify ON comments (id) WHERE status = 1 AND notified = 0;";

/* v7: message bytes in a table of their own, so that claiming a message and
 * marking it sent rewrite a small row, not ~20 KB of mail (3 writes per
 * message while a newsletter goes out). Rows queued before keep their bytes
 * in outbox.message; readers take the body table's first. */
static const char v7[] =
	"CREATE TABLE outbox_bodies (id INTEGER PRIMARY KEY, message BLOB NOT NULL);"
	"CREATE TRIGGER outbox_bodies_gone AFTER DELETE ON outbox"
	" BEGIN DELETE FROM outbox_bodies WHERE id = old.id; END;";

/* v8: job listings and the editor's boxes.
 * - jobs: type enum job_type (0 full-time, 1 part-time, 2 contract, 3
 *   internship); public while posted_at <= now < valid_through. jobs_public
 *   serves the lists (newest posted first) and the next expiry.
 * - boxes: place enum box_place (0 sidebar, 1 below the article, 2 footer),
 *   position the order within the place (1..n). A site gets the jobs box
 *   below its articles, as the reference page has it; its title "" means
 *   the theme's heading and its link /jobs/ until an editor sets the job
 *   board's address. */
static const char v8[] =
	"CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" title TEXT NOT NULL,"
	" employer TEXT NOT NULL,"
	" location TEXT NOT NULL DEFAULT '',"
	" remote INTEGER NOT NULL DEFAULT 0 CHECK (remote IN (0, 1)),"
	" type INTEGER NOT NULL DEFAULT 0 CHECK (type BETWEEN 0 AND 3),"
	" apply_url TEXT NOT NULL,"
	" posted_at INTEGER NOT NULL,"
	" valid_through INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" description_md TEXT NOT NULL DEFAULT '',"
	" description_html TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX jobs_public ON jobs (valid_through, posted_at);"
	"CREATE INDEX jobs_posted ON jobs (posted_at, id);"
	"CREATE TABLE boxes ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" place INTEGER NOT NULL DEFAULT 0 CHECK (place BETWEEN 0 AND 2),"
	" position INTEGER NOT NULL DEFAULT 1,"
	" visible INTEGER NOT NULL DEFAULT 1 CHECK (visible IN (0, 1)),"
	" title TEXT NOT NULL DEFAULT '',"
	" body TEXT NOT NULL DEFAULT '',"
	" link_url TEXT NOT NULL DEFAULT '',"
	" link_text TEXT NOT NULL DEFAULT '',"
	" image_url TEXT NOT NULL DEFAULT '',"
	" image_alt TEXT NOT NULL DEFAULT '',"
	" author TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL);"
	"CREATE INDEX boxes_order ON boxes (place, position, id);"
	"INSERT INTO boxes (kind, place, position, link_url, created_at, updated_at)"
	" VALUES ('jobs', 1, 1, '/jobs/', unixepoch(), unixepoch());";

/* v9: the site search (store/sqlite/search.c).
 * - search_fts: the FTS5 index of public and scheduled articles: title, tags
 *   (tag and category names) and body (plain text of body_html, dateline
 *   first). Its tokenizer "depesche" (registered on every connection before
 *   the migrations run) takes the index's language. The rowid is not the
 *   article id but a key that sorts by date: published_at << 29 | id, so a
 *   rowid bound is the visibility cut-off and rowid order is date order.
 *   detail=full: phrases and snippets need positions.
 * - search_docs: one row per indexed article: its key, the compound parts
 *   its index entry got ("main-token-number term ...", so that removing it
 *   from the index emits exactly what was added, however the vocabulary has
 *   grown since), and its most distinctive terms ("term:tf ...", from
 *   which the query for its related articles is made).
 * - search_vocab: the site's vocabulary, the terms of every word that
 *   stands alone in an indexed article (compounds are split into these),
 *   with df, the number of indexed articles holding the term. Ids only grow
 *   between rebuilds, so a connection tops up its copy by id.
 * - search_related: each article's related articles, closest first
 *   (position 1..; score: the share of the article's own score the related
 *   one reaches), a few more than shown so scheduled ones can be skipped
 *   when read; search_related_to finds the lists an article is in.
 * - search_state: the index's language, a generation that every rebuild
 *   moves on (connections then reload their vocabulary), and the number of
 *   indexed articles. The index fills right after the migration (store_open
 *   indexes the published articles of an upgraded site). */
static const char v9[] =
	"CREATE VIRTUAL TABLE search_fts USING fts5(title, tags, body,"
	" tokenize = 'depesche de', detail = full);"
	"CREATE TABLE search_docs ("
	" article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
	" fts_key INTEGER NOT NULL,"
	" parts TEXT NOT NULL DEFAULT '',"
	" terms TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE search_vocab ("
	" id INTEGER PRIMARY KEY,"
	" term TEXT NOT NULL UNIQUE,"
	" df INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE search_related ("
	" article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL,"
	" related_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,"
	" score REAL NOT NULL,"
	" PRIMARY KEY (article_id, position)) WITHOUT ROWID;"
	"CREATE INDEX search_related_to ON search_related (related_id);"
	"CREATE TABLE search_state ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" lang TEXT NOT NULL,"
	" generation INTEGER NOT NULL,"
	" ndocs INTEGER NOT NULL DEFAULT 0);"
	"INSERT INTO search_state (id, lang, generation) VALUES (1, 'de', 1);";

/* v10: the format of the search index's terms (SEARCH_INDEX_FORMAT in
 * store/sqlite/search.c; an index of another format is built again when
 * the store opens, and the indexes of version 9 are format 1, without word
 * pairs), and search_common: the words in so many articles at the last
 * rebuild that the index pairs them with their neighbours. */
static const char v10[] =
	"ALTER TABLE search_state ADD COLUMN format INTEGER NOT NULL DEFAULT 1;"
	"CREATE TABLE search_common (term TEXT PRIMARY KEY) WITHOUT ROWID;";

const struct migration sqlite_migrations[] = {
	{ 1, v1 },
	{ 2, v2 },
	{ 3, v3 },
	{ 4, v4 },
	{ 5, v5 },
	{ 6, v6 },
	{ 7, v7 },
	{ 8, v8 },
	{ 9, v9 },
	{ 10, v10 },
};
const size_t sqlite_nmigrations = sizeof sqlite_migrations / sizeof sqlite_migrations[0];

static int map_err(int rc)
{
	switch (rc & 0xFF) {
	case SQLITE_OK: return DP_OK;
	case SQLITE_NOMEM: return DP_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DP_EBUSY;
	default: return DP_EDB;
	}
}

/* Runs one statement without results. */
static int exec(sqlite3 *db, const char *sql)
{
	return map_err(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

/* *ret: the highest applied version, 0 for a new database. */
static int current_version(sqlite3 *db, int64_t *ret)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM sqlite_master"
		"        WHERE type = 'table' AND name = 'schema_migrations')";
	static const char sql_max[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
	sqlite3_stmt *st = NULL;
	bool exists;
	int rc;

	*ret = 0;
	rc = map_err(sqlite3_prepare_v2(db, sql, -1, &st, NULL));
	if (rc)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = map_err(sqlite3_errcode(db));
		rc = rc ? rc : DP_EDB;
		goto out;
	}
	exists = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	st = NULL;
	if (!exists)
		goto out;

	rc = map_err(sqlite3_prepare_v2(db, sql_max, -1, &st, NULL));
	if (rc)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = map_err(sqlite3_errcode(db));
		rc = rc ? rc : DP_EDB;
		goto out;
	}
	*ret = sqlite3_column_int64(st, 0);
out:
	sqlite3_finalize(st);
	return rc;
}

static int record(sqlite3 *db, int version)
{
	sqlite3_stmt *st = NULL;
	int rc = map_err(sqlite3_prepare_v2(
		db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", -1, &st,
		NULL));
	if (rc)
		goto out;
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = map_err(sqlite3_errcode(db));
		rc = rc ? rc : DP_EDB;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

int sqlite_migrate(sqlite3 *db, size_t *ret_applied)
{
	const int newest = sqlite_migrations[sqlite_nmigrations - 1].version;
	size_t applied = 0;
	int64_t cur;
	int rc;

	if (ret_applied)
		*ret_applied = 0;
	/* The common case, an up-to-date schema, needs only a read. */
	rc = current_version(db, &cur);
	if (rc)
		return rc;
	if (cur > newest)
		return DP_EDB; /* written by a newer Depesche */
	if (cur == newest)
		return DP_OK;

	rc = exec(db, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	rc = exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		      " version INTEGER PRIMARY KEY,"
		      " applied_at INTEGER NOT NULL)");
	if (rc)
		goto fail;
	/* Another process may have migrated since the read above. */
	rc = current_version(db, &cur);
	if (rc)
		goto fail;
	if (cur > newest) {
		rc = DP_EDB;
		goto fail;
	}
	for (size_t i = 0; i < sqlite_nmigrations; i++) {
		const struct migration *m = &sqlite_migrations[i];
		if (m->version <= cur)
			continue;
		rc = exec(db, m->sql);
		if (rc)
			goto fail;
		rc = record(db, m->version);
		if (rc)
			goto fail;
		applied++;
	}
	rc = exec(db, "COMMIT");
	if (rc)
		goto fail;
	if (ret_applied)
		*ret_applied = applied;
	return DP_OK;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}
