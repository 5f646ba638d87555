/* watch.c — change log and schedule polling for cache invalidation. */
#include "http/watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "store/store.h"
#include "util/err.h"
#include "util/log.h"

#define POLL_MS 100
#define BATCH 256
#define MAX_KEYS 4096

static const char *const kinds[TERM__MAX] = {
	[TERM_TAG] = "tag", [TERM_CATEGORY] = "category", [TERM_AUTHOR] = "author"
};

struct watch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
	struct store *store;
	struct cache *cache;
	int64_t last_change;   /* newest change id handled */
	int64_t last_now;      /* clock at the previous poll */
	uint64_t keys[MAX_KEYS];
	size_t nkeys;
	int clear;             /* drop every page (a box changed) */
};

static void add_key(struct watch *w, uint64_t k)
{
	if (w->nkeys < MAX_KEYS)
		w->keys[w->nkeys++] = k;
}

static void add_term(struct watch *w, enum term_kind kind, const struct term *t)
{
	if (t->id && t->slug)
		add_key(w, cache_keyf("l:%s:%s", kinds[kind], t->slug));
}

/* The keys of every page that may show article id, now or before the change:
 * the article, the lists it is in now and the ones it was in (old_terms, from
 * the change log: "tag:ki category:technik"), and its neighbours (whose
 * prev/next links point at it). */
static void collect(struct watch *w, int64_t id, const char *old_terms, int64_t now)
{
	struct article a = { 0 }, prev = { 0 }, next = { 0 };
	if (id == 0) {
		/* A note without an article (store/sqlite/internal.h): "jobs"
		 * names the pages keyed "l:jobs"; "boxes" shows on every page. */
		for (const char *p = old_terms; p && *p;) {
			size_t n = strcspn(p, " ");
			if (n == 5 && memcmp(p, "boxes", 5) == 0)
				w->clear = 1;
			else if (n)
				add_key(w, cache_keyf("l:%.*s", (int)n, p));
			p += n;
			p += strspn(p, " ");
		}
		return;
	}
	add_key(w, cache_keyf("a:%lld", (long long)id));
	add_key(w, cache_key("l:home"));
	for (const char *p = old_terms; p && *p;) {
		size_t n = strcspn(p, " ");
		if (n)
			add_key(w, cache_keyf("l:%.*s", (int)n, p));
		p += n;
		p += strspn(p, " ");
	}
	if (store_article_by_id(w->store, id, &a) != DP_OK)
		return; /* deleted: the pages showing it depend on a:id */
	add_term(w, TERM_AUTHOR, &a.author);
	add_term(w, TERM_CATEGORY, &a.category);
	for (size_t i = 0; i < a.ntags; i++)
		add_term(w, TERM_TAG, &a.tags[i]);
	if (store_article_neighbors(w->store, &a, now, &prev, &next) == DP_OK) {
		if (prev.id)
			add_key(w, cache_keyf("a:%lld", (long long)prev.id));
		if (next.id)
			add_key(w, cache_keyf("a:%lld", (long long)next.id));
	}
	article_release(&a);
	article_release(&prev);
	article_release(&next);
}

static void poll_once(struct watch *w)
{
	int64_t now = (int64_t)time(NULL), last = 0, ids[BATCH];
	char *terms[BATCH];
	size_t n = 0;
	w->nkeys = 0;
	w->clear = 0;

	if (store_last_change(w->store, &last) == DP_OK && last > w->last_change) {
		while (store_changes_since(w->store, w->last_change, ids, terms, BATCH, &n,
					   &last) == DP_OK && n > 0) {
			for (size_t i = 0; i < n; i++) {
				collect(w, ids[i], terms[i], now);
				free(terms[i]);
			}
			w->last_change = last;
		}
	}
	/* Scheduled articles whose time came since the last poll. */
	if (now > w->last_now) {
		struct article_query q = { .now = now, .since = w->last_now + 1, .limit = 200 };
		struct article_list l = { 0 };
		if (store_articles(w->store, &q, &l, NULL) == DP_OK) {
			for (size_t i = 0; i < l.n; i++)
				collect(w, l.items[i].id, NULL, now);
			article_list_release(&l);
		}
		w->last_now = now;
	}
	if (w->nkeys)
		cache_invalidate(w->cache, w->keys, w->nkeys);
	if (w->nkeys == MAX_KEYS || w->clear)
		cache_clear(w->cache); /* a flood of changes, or a box: start afresh */
}

static void *run(void *arg)
{
	struct watch *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		pthread_mutex_unlock(&w->lock);
		poll_once(w);
		pthread_mutex_lock(&w->lock);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += POLL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!w->stop)
			pthread_cond_timedwait(&w->wake, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int watch_start(const char *db_path, struct cache *cache, struct watch **ret)
{
	struct watch *w = calloc(1, sizeof *w);
	if (!w)
		return DP_ENOMEM;
	int rc = store_open(db_path, 0, &w->store);
	if (rc) {
		free(w);
		return rc;
	}
	w->cache = cache;
	w->last_now = (int64_t)time(NULL);
	store_last_change(w->store, &w->last_change);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, run, w)) {
		store_close(w->store);
		free(w);
		return DP_ENOMEM;
	}
	*ret = w;
	return DP_OK;
}

void watch_stop(struct watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	store_close(w->store);
	free(w);
}
