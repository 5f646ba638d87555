/* sender.c — the outbox sender (sender.h): worker threads that claim one
 * message at a time, so at most mail.connections messages are ever in
 * flight (and so at most that many can go out twice after a crash).
 *
 * One write per message: a worker records the message it sent in the same
 * transaction as it claims the next. Its store connection commits without
 * waiting for the disk (SQLite's WAL keeps every commit of a killed
 * process); a crash of the machine may at worst send the last messages
 * again, as a killed sender may. */
#include "mail/sender.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mail/dkim.h"
#include "mail/smtp.h"
#include "site/settings.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/log.h"

#define WORKERS_MAX 64
#define ENVELOPE_MAX 330
#define SIGNED_MAX (64u << 20)   /* bytes of a message with its signature */
#define PAUSE_FIRST_S 2          /* after a relay failure: the first pause */
#define PAUSE_MAX_S 60

static char *setting_text(json_t *doc, const char *key)
{
	const struct setting *s = settings_find(key);
	json_t *v = s ? settings_json(s, doc) : NULL;
	char *r = strdup(json_is_string(v) ? json_string_value(v) : "");
	json_decref(v);
	return r;
}

static long setting_int(json_t *doc, const char *key, long def)
{
	const struct setting *s = settings_find(key);
	json_t *v = s ? settings_json(s, doc) : NULL;
	long r = json_is_integer(v) ? (long)json_integer_value(v) : def;
	json_decref(v);
	return r;
}

void mail_sender_config_release(struct mail_sender_config *c)
{
	if (!c)
		return;
	free(c->url);
	free(c->user);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c->from);
	free(c->envelope);
	memset(c, 0, sizeof *c);
}

int mail_sender_config_load(const char *site_dir, struct mail_sender_config *ret, char *err,
			    size_t errlen)
{
	json_t *doc = NULL;
	int rc;

	memset(ret, 0, sizeof *ret);
	if ((rc = settings_read(site_dir, &doc, err, errlen)))
		return rc;
	ret->url = setting_text(doc, "smtp.url");
	ret->user = setting_text(doc, "smtp.user");
	ret->password = setting_text(doc, "smtp.password");
	ret->from = setting_text(doc, "mail.from");
	ret->envelope = malloc(ENVELOPE_MAX);
	ret->rate = setting_int(doc, "mail.rate", 50);
	ret->connections = setting_int(doc, "mail.connections", 4);
	json_decref(doc);
	if (!ret->url || !ret->user || !ret->password || !ret->from || !ret->envelope) {
		rc = DP_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (!*ret->url) {
		rc = DP_EINVAL;
		snprintf(err, errlen, "no mail server: set smtp.url (depesche config set smtp.url "
				      "smtp://host:587)");
		goto out;
	}
	if (!*ret->from) {
		rc = DP_EINVAL;
		snprintf(err, errlen, "no sender address: set mail.from (depesche config set "
				      "mail.from \"Name <news@example.org>\")");
		goto out;
	}
	if (smtp_envelope_address(ret->from, ret->envelope, ENVELOPE_MAX)) {
		rc = DP_EINVAL;
		snprintf(err, errlen, "mail.from holds no address");
		goto out;
	}
	{
		struct dkim_signer *probe = NULL;
		if ((rc = dkim_signer_load(site_dir, &probe, err, errlen))) {
			if (rc != DP_ENOMEM)
				rc = DP_EINVAL;
			goto out;
		}
		ret->dkim = probe != NULL;
		dkim_signer_free(probe);
	}
	if (ret->rate < 1)
		ret->rate = 1;
	if (ret->connections < 1)
		ret->connections = 1;
	if (ret->connections > WORKERS_MAX)
		ret->connections = WORKERS_MAX;
out:
	if (rc)
		mail_sender_config_release(ret);
	return rc;
}

/* What the workers of one run share; mu guards all but the constants. */
struct run {
	const struct mail_sender_config *cfg;
	const char *cfg_dir;         /* the site's folder (DKIM key) */
	const char *db_path;
	volatile sig_atomic_t *stop; /* may be NULL */
	pthread_mutex_t mu;
	size_t budget;               /* messages still to claim */
	int64_t next_slot_ns;        /* CLOCK_MONOTONIC: when the next send may start */
	struct mail_sender_stats stats;
	int rc;                      /* the first store error */
	bool relay_down;             /* a worker found the relay failing: stop */
};

struct worker {
	struct run *run;
	unsigned index;
	pthread_t thread;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool stopped(struct run *r)
{
	if (r->stop && *r->stop)
		return true;
	pthread_mutex_lock(&r->mu);
	bool down = r->relay_down;
	pthread_mutex_unlock(&r->mu);
	return down;
}

/* ---- the relay's state ---- */

/* The relay failed as a whole, not for this message: it cannot be reached,
 * TLS failed before the mail transaction, it closes the session (421) or
 * refuses or wants a login (530, 534, 535, 538; 454 for now). */
static bool relay_fault(const struct smtp_result *res)
{
	if (res->outcome == SMTP_SENT)
		return false;
	switch (res->code) {
	case 0: case 220: case 421: case 454: case 530: case 534: case 535: case 538:
		return true;
	default:
		return false;
	}
}

/* The URL without user information, for messages. */
static void url_shown(const char *url, char *out, size_t outlen)
{
	const char *scheme = strstr(url, "://"), *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	if (at && (!slash || at < slash))
		snprintf(out, outlen, "%.*s%s", (int)(scheme + 3 - url), url, at + 1);
	else
		snprintf(out, outlen, "%s", url);
}

static void relay_text(const struct mail_sender_config *cfg, const struct smtp_result *res,
		       char *out, size_t outlen)
{
	char url[600];
	url_shown(cfg->url, url, sizeof url);
	if (res->code == 530 || res->code == 534 || res->code == 535 || res->code == 538)
		snprintf(out, outlen, "the mail server %.100s refused the login (check smtp.user and "
				      "smtp.password): %.400s", url, res->answer);
	else if (res->code == 0)
		snprintf(out, outlen, "cannot reach the mail server %.100s (check smtp.url): %.400s",
			 url, res->answer);
	else
		snprintf(out, outlen, "the mail server %.100s fails: %.400s", url, res->answer);
}

/* This process's idea of the relay: -1 not known yet, 0 failing, 1 working. */
static pthread_mutex_t relay_mu = PTHREAD_MUTEX_INITIALIZER;
static int relay_state = -1;

static void relay_record(struct store *st, bool ok, const char *message)
{
	json_t *doc = json_pack("{s:b, s:I, s:s}", "ok", ok, "at", (json_int_t)time(NULL),
				"message", message);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (text)
		store_kv_set(st, MAIL_RELAY_KEY, text);
	free(text);
	json_decref(doc);
}

int mail_relay_state(struct store *st, bool *ret_ok, int64_t *ret_at, char **ret_message)
{
	char *text = NULL;
	*ret_ok = true;
	*ret_at = 0;
	*ret_message = NULL;
	int rc = store_kv_get(st, MAIL_RELAY_KEY, &text);
	if (rc)
		return rc;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	json_t *ok = json_object_get(doc, "ok"), *at = json_object_get(doc, "at");
	json_t *msg = json_object_get(doc, "message");
	*ret_ok = !json_is_false(ok);
	*ret_at = json_is_integer(at) ? (int64_t)json_integer_value(at) : 0;
	*ret_message = strdup(json_is_string(msg) ? json_string_value(msg) : "");
	json_decref(doc);
	return *ret_message ? DP_OK : DP_ENOMEM;
}

/* Records and logs a change of the relay's state: a failure, or the first
 * success after one (here or as recorded by another process). */
static void relay_note(struct store *st, const struct mail_sender_config *cfg,
		       const struct smtp_result *res)
{
	bool ok = res->outcome == SMTP_SENT || !relay_fault(res);
	char text[sizeof ((struct mail_sender_stats *)0)->relay_error];
	pthread_mutex_lock(&relay_mu);
	if (ok && relay_state == -1) {
		bool was_ok = true;
		int64_t at;
		char *msg = NULL;
		if (mail_relay_state(st, &was_ok, &at, &msg) == DP_OK && !was_ok)
			relay_state = 0;
		else
			relay_state = 1;
		free(msg);
	}
	if (ok && relay_state == 0) {
		char url[600];
		url_shown(cfg->url, url, sizeof url);
		snprintf(text, sizeof text, "the mail server %.100s accepts mail", url);
		relay_record(st, true, text);
		log_info("mail: %s again", text);
	} else if (!ok && relay_state != 0) {
		relay_text(cfg, res, text, sizeof text);
		relay_record(st, false, text);
		log_warn("mail: %s; mail waits in the outbox and is tried again", text);
	}
	relay_state = ok ? 1 : 0;
	pthread_mutex_unlock(&relay_mu);
}

/* Takes one message from the budget; false when it is spent. */
static bool take_budget(struct run *r)
{
	bool ok;
	pthread_mutex_lock(&r->mu);
	ok = r->budget > 0;
	if (ok)
		r->budget--;
	pthread_mutex_unlock(&r->mu);
	return ok;
}

static void give_budget(struct run *r)
{
	pthread_mutex_lock(&r->mu);
	r->budget++;
	pthread_mutex_unlock(&r->mu);
}

/* Waits for this worker's turn under mail.rate; false when stopped while
 * waiting. Slots are handed out in order, 1/rate seconds apart. */
static bool wait_slot(struct run *r)
{
	int64_t now = mono_ns(), at;
	pthread_mutex_lock(&r->mu);
	at = r->next_slot_ns > now ? r->next_slot_ns : now;
	r->next_slot_ns = at + 1000000000 / r->cfg->rate;
	pthread_mutex_unlock(&r->mu);
	while ((now = mono_ns()) < at) {
		if (stopped(r))
			return false;
		int64_t d = at - now < 100000000 ? at - now : 100000000;
		struct timespec ts = { (time_t)(d / 1000000000), (long)(d % 1000000000) };
		nanosleep(&ts, NULL);
	}
	return true;
}

static void set_rc(struct run *r, int rc)
{
	pthread_mutex_lock(&r->mu);
	if (!r->rc)
		r->rc = rc;
	pthread_mutex_unlock(&r->mu);
}

/* The message as it goes to the relay: signed when DKIM is on (the signer
 * made on first use), else as stored. DP_EINVAL with err when it cannot be
 * signed. */
static int prepare(struct run *r, struct dkim_signer **signer, const struct outbox_msg *m,
		   struct buf *signed_msg, const char **ret, size_t *ret_len, char *err,
		   size_t errlen)
{
	*ret = m->message;
	*ret_len = m->len;
	if (!r->cfg->dkim)
		return DP_OK;
	int rc;
	if (!*signer && (rc = dkim_signer_load(r->cfg_dir, signer, err, errlen)))
		return rc;
	if (!*signer)
		return DP_OK; /* turned off since the run began */
	buf_reset(signed_msg);
	if ((rc = dkim_signer_sign(*signer, m->message, m->len, signed_msg, err, errlen)))
		return rc;
	*ret = signed_msg->data;
	*ret_len = signed_msg->len;
	return DP_OK;
}

/* Records the message sent before (sent_id, 0: none) and, when claim is
 * set, claims the next one, in one transaction: one write per message. */
static int record_and_claim(struct store *st, const char *worker, int64_t sent_id, bool claim,
			    struct outbox_msg **ret, size_t *ret_n)
{
	int rc = store_begin(st);
	if (rc)
		return rc;
	if (sent_id && (rc = store_outbox_done(st, sent_id, (int64_t)time(NULL))) == DP_ENOTFOUND)
		rc = DP_OK; /* gone meanwhile (deleted in the admin) */
	if (!rc && claim)
		rc = store_outbox_claim(st, worker, (int64_t)time(NULL), 1, ret, ret_n);
	if (rc) {
		store_rollback(st);
		if (claim) {
			outbox_msgs_free(*ret, *ret_n);
			*ret = NULL;
			*ret_n = 0;
		}
		return rc;
	}
	return store_commit(st);
}

static void count(struct run *r, enum outbox_status st)
{
	pthread_mutex_lock(&r->mu);
	if (st == OUTBOX_SENT)
		r->stats.sent++;
	else if (st == OUTBOX_QUEUED)
		r->stats.retried++;
	else
		r->stats.failed++;
	pthread_mutex_unlock(&r->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct smtp_config sc = { r->cfg->url, r->cfg->user, r->cfg->password, r->cfg->envelope };
	struct store *st = NULL;
	struct smtp *smtp = NULL;
	struct dkim_signer *signer = NULL;
	struct buf signed_msg = BUF_INIT(SIGNED_MAX);
	char id[128], host[64] = "", err[SMTP_ANSWER_MAX];
	int64_t sent_id = 0; /* went out; recorded with the next claim */
	int rc;

	gethostname(host, sizeof host - 1);
	snprintf(id, sizeof id, "%s:%ld:%u", host, (long)getpid(), w->index);
	/* Commits need not wait for the disk: a killed process loses none
	 * (SQLite's WAL), and a crash of the machine at worst sends the last
	 * messages again, as a killed sender does. */
	if ((rc = store_open(r->db_path, 0, &st)) || (rc = smtp_new(&sc, &smtp))) {
		set_rc(r, rc);
		goto out;
	}
	for (;;) {
		struct outbox_msg *m = NULL;
		struct smtp_result res;
		size_t n = 0;
		/* The turn comes before the claim, so a claim is never held
		 * while waiting and a stop leaves nothing claimed. */
		bool go = !stopped(r) && take_budget(r);
		if (go && !wait_slot(r)) {
			give_budget(r);
			go = false;
		}
		if (!go && !sent_id)
			break;
		rc = record_and_claim(st, id, sent_id, go, &m, &n);
		if (!rc && sent_id)
			count(r, OUTBOX_SENT);
		sent_id = 0;
		if (rc || !go || !n) {
			if (go)
				give_budget(r);
			if (rc)
				set_rc(r, rc);
			break;
		}
		const char *bytes;
		size_t len;
		if ((rc = prepare(r, &signer, m, &signed_msg, &bytes, &len, err, sizeof err))) {
			/* DKIM cannot sign it: nothing leaves unsigned. */
			memset(&res, 0, sizeof res);
			res.outcome = rc == DP_EINVAL ? SMTP_PERMANENT : SMTP_TEMPORARY;
			snprintf(res.answer, sizeof res.answer, "%s", err);
		} else if ((rc = smtp_send(smtp, m->recipient, bytes, len, &res))) {
			/* The message itself cannot be sent (a bad recipient). */
			res.outcome = SMTP_PERMANENT;
			snprintf(res.answer, sizeof res.answer, "cannot send: %s", dp_strerror(rc));
		} else {
			relay_note(st, r->cfg, &res);
		}
		if (!rc && relay_fault(&res)) {
			/* Not this message's fault: back unchanged, and the run
			 * stops until the relay is tried again. */
			rc = store_outbox_unclaim(st, m->id);
			give_budget(r);
			pthread_mutex_lock(&r->mu);
			r->relay_down = true;
			r->stats.deferred++;
			relay_text(r->cfg, &res, r->stats.relay_error, sizeof r->stats.relay_error);
			if (rc && !r->rc)
				r->rc = rc;
			pthread_mutex_unlock(&r->mu);
			outbox_msgs_free(m, n);
			break;
		}
		rc = DP_OK;
		if (res.outcome == SMTP_SENT) {
			sent_id = m->id;
		} else {
			enum outbox_status now_st = OUTBOX_FAILED;
			rc = store_outbox_fail(st, m->id, res.outcome == SMTP_PERMANENT, res.answer,
					       (int64_t)time(NULL), &now_st);
			if (rc)
				set_rc(r, rc);
			else
				count(r, now_st);
		}
		outbox_msgs_free(m, n);
		if (rc)
			break;
	}
out:
	dkim_signer_free(signer);
	buf_release(&signed_msg);
	smtp_free(smtp);
	store_close(st);
	return NULL;
}

static void stats_add(struct mail_sender_stats *to, const struct mail_sender_stats *from)
{
	to->sent += from->sent;
	to->retried += from->retried;
	to->failed += from->failed;
	to->deferred += from->deferred;
	if (from->relay_error[0])
		memcpy(to->relay_error, from->relay_error, sizeof to->relay_error);
}

static int run(const char *site_dir, size_t max, volatile sig_atomic_t *stop,
	       struct mail_sender_stats *ret, bool *ret_relay_down)
{
	struct mail_sender_config cfg;
	struct worker workers[WORKERS_MAX];
	struct run r;
	char err[256], *db_path = NULL;
	size_t started = 0;
	int rc;

	if ((rc = mail_sender_config_load(site_dir, &cfg, err, sizeof err)))
		return rc;
	if (asprintf(&db_path, "%s/depesche.db", site_dir) < 0) {
		mail_sender_config_release(&cfg);
		return DP_ENOMEM;
	}
	memset(&r, 0, sizeof r);
	r.cfg = &cfg;
	r.cfg_dir = site_dir;
	r.db_path = db_path;
	r.stop = stop;
	r.budget = max ? max : SIZE_MAX;
	r.next_slot_ns = mono_ns();
	pthread_mutex_init(&r.mu, NULL);
	for (long i = 0; i < cfg.connections; i++) {
		workers[started] = (struct worker){ .run = &r, .index = (unsigned)i };
		if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]))
			break;
		started++;
	}
	if (!started)
		r.rc = DP_ENOMEM;
	for (size_t i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_mutex_destroy(&r.mu);
	if (ret)
		stats_add(ret, &r.stats);
	if (ret_relay_down)
		*ret_relay_down = r.relay_down;
	free(db_path);
	mail_sender_config_release(&cfg);
	return r.rc;
}

int mail_sender_run_once(const char *site_dir, size_t max, struct mail_sender_stats *ret)
{
	if (!site_dir)
		return DP_EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return DP_ENOMEM;
	int rc = run(site_dir, max, NULL, ret, NULL);
	curl_global_cleanup();
	return rc;
}

int mail_sender_run(const char *site_dir, volatile sig_atomic_t *stop,
		    struct mail_sender_stats *ret)
{
	int rc = DP_OK;
	if (!site_dir || !stop)
		return DP_EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return DP_ENOMEM;
	int pause_s = 0;
	while (!*stop) {
		bool down = false;
		/* A busy database is a moment's trouble for a long-running
		 * sender, not a reason to stop. */
		if ((rc = run(site_dir, 0, stop, ret, &down)) && rc != DP_EBUSY)
			break;
		rc = DP_OK;
		/* A failing relay is tried again after a growing pause. */
		if (!down)
			pause_s = 0;
		else
			pause_s = !pause_s ? PAUSE_FIRST_S
				  : pause_s * 2 > PAUSE_MAX_S ? PAUSE_MAX_S : pause_s * 2;
		for (int i = 0; i < (pause_s ? pause_s : 1) * 10 && !*stop; i++) {
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL);
		}
	}
	curl_global_cleanup();
	return rc;
}
