/* ratelimit.c — fixed-size table of token buckets. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"

#define SLOTS 8192
#define KEY_MAX 96

struct bucket {
	char key[KEY_MAX];
	double tokens;
	int64_t at_ms;
};

struct ratelimit {
	pthread_mutex_t lock;
	double rate, burst;
	struct bucket b[SLOTS];
};

int ratelimit_new(double rate, double burst, struct ratelimit **ret)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return DP_ENOMEM;
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate;
	rl->burst = burst;
	*ret = rl;
	return DP_OK;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

int64_t ratelimit_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The bucket for key, refilled up to now. Lock held. */
static struct bucket *find(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	struct bucket *b = &rl->b[h % SLOTS];
	if (strncmp(b->key, key, KEY_MAX - 1) != 0) {
		/* a new key (or a collision): a full bucket */
		strncpy(b->key, key, KEY_MAX - 1);
		b->key[KEY_MAX - 1] = '\0';
		b->tokens = rl->burst;
		b->at_ms = now_ms;
	}
	if (now_ms > b->at_ms) {
		b->tokens += (double)(now_ms - b->at_ms) / 1000.0 * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->at_ms = now_ms;
	}
	return b;
}

bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = find(rl, key, now_ms);
	bool ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool ratelimit_peek(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	pthread_mutex_lock(&rl->lock);
	bool ok = find(rl, key, now_ms)->tokens >= 1.0;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

void ratelimit_reset(struct ratelimit *rl, const char *key)
{
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = find(rl, key, ratelimit_now_ms());
	b->tokens = rl->burst;
	pthread_mutex_unlock(&rl->lock);
}
