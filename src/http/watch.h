/* watch.h — the watcher thread: polls the database's change log (written by
 * every CLI or admin change, from any process) and the clock (scheduled
 * articles becoming public) and invalidates the cached pages that show what
 * changed. */
#ifndef DEPESCHE_HTTP_WATCH_H
#define DEPESCHE_HTTP_WATCH_H

struct cache;
struct watch;

/* Starts watching db_path; invalidations go to cache. */
int watch_start(const char *db_path, struct cache *cache, struct watch **ret);
/* Stops the thread and frees w. NULL-tolerant. */
void watch_stop(struct watch *w);

#endif
