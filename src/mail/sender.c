/* sender.c — the outbox sender (sender.h): worker threads that claim one
 * message at a time, so at most mail.connections messages are ever in
 * flight (and so at most that many can go out twice after a crash). */
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

#include "mail/smtp.h"
#include "site/settings.h"
#include "store/store.h"
#include "util/err.h"

#define WORKERS_MAX 64
#define ENVELOPE_MAX 330

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
	const char *db_path;
	volatile sig_atomic_t *stop; /* may be NULL */
	pthread_mutex_t mu;
	size_t budget;               /* messages still to claim */
	int64_t next_slot_ns;        /* CLOCK_MONOTONIC: when the next send may start */
	struct mail_sender_stats stats;
	int rc;                      /* the first store error */
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

static bool stopped(const struct run *r)
{
	return r->stop && *r->stop;
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

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	struct smtp_config sc = { r->cfg->url, r->cfg->user, r->cfg->password, r->cfg->envelope };
	struct store *st = NULL;
	struct smtp *smtp = NULL;
	char id[128], host[64] = "";
	int rc;

	gethostname(host, sizeof host - 1);
	snprintf(id, sizeof id, "%s:%ld:%u", host, (long)getpid(), w->index);
	if ((rc = store_open(r->db_path, STORE_DURABLE, &st)) || (rc = smtp_new(&sc, &smtp))) {
		set_rc(r, rc);
		goto out;
	}
	while (!stopped(r) && take_budget(r)) {
		struct outbox_msg *m = NULL;
		struct smtp_result res;
		size_t n = 0;
		/* The turn comes before the claim, so a claim is never held
		 * while waiting and a stop leaves nothing claimed. */
		if (!wait_slot(r)) {
			give_budget(r);
			break;
		}
		if ((rc = store_outbox_claim(st, id, (int64_t)time(NULL), 1, &m, &n)) || !n) {
			give_budget(r);
			if (rc)
				set_rc(r, rc);
			break;
		}
		if ((rc = smtp_send(smtp, m->recipient, m->message, m->len, &res))) {
			/* The message itself cannot be sent (a bad recipient). */
			res.outcome = SMTP_PERMANENT;
			snprintf(res.answer, sizeof res.answer, "cannot send: %s", dp_strerror(rc));
		}
		enum outbox_status now_st = OUTBOX_SENT;
		if (res.outcome == SMTP_SENT)
			rc = store_outbox_done(st, m->id, (int64_t)time(NULL));
		else
			rc = store_outbox_fail(st, m->id, res.outcome == SMTP_PERMANENT, res.answer,
					       (int64_t)time(NULL), &now_st);
		pthread_mutex_lock(&r->mu);
		if (!rc) {
			if (now_st == OUTBOX_SENT)
				r->stats.sent++;
			else if (now_st == OUTBOX_QUEUED)
				r->stats.retried++;
			else
				r->stats.failed++;
		} else if (!r->rc) {
			r->rc = rc;
		}
		pthread_mutex_unlock(&r->mu);
		outbox_msgs_free(m, n);
		if (rc)
			break;
	}
out:
	smtp_free(smtp);
	store_close(st);
	return NULL;
}

static void stats_add(struct mail_sender_stats *to, const struct mail_sender_stats *from)
{
	to->sent += from->sent;
	to->retried += from->retried;
	to->failed += from->failed;
}

static int run(const char *site_dir, size_t max, volatile sig_atomic_t *stop,
	       struct mail_sender_stats *ret)
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
	int rc = run(site_dir, max, NULL, ret);
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
	while (!*stop) {
		/* A busy database is a moment's trouble for a long-running
		 * sender, not a reason to stop. */
		if ((rc = run(site_dir, 0, stop, ret)) && rc != DP_EBUSY)
			break;
		rc = DP_OK;
		for (int i = 0; i < 10 && !*stop; i++) {
			struct timespec ts = { 0, 100000000 };
			nanosleep(&ts, NULL);
		}
	}
	curl_global_cleanup();
	return rc;
}
