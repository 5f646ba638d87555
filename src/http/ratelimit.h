/* ratelimit.h — token buckets in memory, keyed by a string (a client
 * address, an account, a token name). A fixed table: a key that collides
 * with another takes its slot over, so memory stays bounded whatever
 * clients send. Thread-safe. */
#ifndef DEPESCHE_HTTP_RATELIMIT_H
#define DEPESCHE_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

/* rate: tokens added per second; burst: the bucket's size. */
int ratelimit_new(double rate, double burst, struct ratelimit **ret);
void ratelimit_free(struct ratelimit *rl);
/* Takes one token for key: true when there was one. now_ms: a clock in ms. */
bool ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms);
/* True when key has at least one token (nothing is taken). */
bool ratelimit_peek(struct ratelimit *rl, const char *key, int64_t now_ms);
/* Refills key's bucket (a successful login clears its failures). */
void ratelimit_reset(struct ratelimit *rl, const char *key);

/* A monotonic clock in milliseconds. */
int64_t ratelimit_now_ms(void);

#endif
