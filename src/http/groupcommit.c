/* groupcommit.c — one transaction and one fsync for many queued writes. */
#include "http/groupcommit.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>

#include "store/store.h"
#include "util/err.h"

#define BATCH_MAX 512

struct groupcommit {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct gc_job *head, *tail;
	int stop;
	struct store *st;
};

void gc_job_free(struct gc_job *job)
{
	if (!job)
		return;
	if (job->free_arg)
		job->free_arg(job->arg);
	free(job);
}

static void *writer(void *arg)
{
	struct groupcommit *g = arg;
	for (;;) {
		pthread_mutex_lock(&g->lock);
		while (!g->head && !g->stop)
			pthread_cond_wait(&g->wake, &g->lock);
		if (!g->head && g->stop) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		/* Take up to BATCH_MAX jobs. */
		struct gc_job *batch = g->head, *last = g->head;
		size_t n = 1;
		while (last->next && n < BATCH_MAX) {
			last = last->next;
			n++;
		}
		g->head = last->next;
		if (!g->head)
			g->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&g->lock);

		int rc = store_begin(g->st);
		for (struct gc_job *j = batch; j; j = j->next)
			j->rc = rc ? rc : j->run(g->st, j->arg);
		if (!rc && store_commit(g->st)) {
			store_rollback(g->st);
			rc = DP_EDB;
		}
		for (struct gc_job *j = batch, *next; j; j = next) {
			next = j->next;
			if (rc)
				j->rc = rc;
			j->done = 1;
			MHD_resume_connection(j->conn);
		}
	}
	return NULL;
}

int groupcommit_start(const char *db_path, struct groupcommit **ret)
{
	struct groupcommit *g = calloc(1, sizeof *g);
	if (!g)
		return DP_ENOMEM;
	int rc = store_open(db_path, STORE_DURABLE, &g->st);
	if (rc) {
		free(g);
		return rc;
	}
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (pthread_create(&g->thread, NULL, writer, g)) {
		store_close(g->st);
		free(g);
		return DP_ENOMEM;
	}
	*ret = g;
	return DP_OK;
}

void groupcommit_submit(struct groupcommit *g, struct gc_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&g->lock);
	if (g->tail)
		g->tail->next = job;
	else
		g->head = job;
	g->tail = job;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
}

void groupcommit_stop(struct groupcommit *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->wake);
	store_close(g->st);
	free(g);
}
