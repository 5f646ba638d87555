/* cache.h — the page cache: rendered pages and feeds kept in memory as ready
 * libmicrohttpd responses, compressed once (gzip, brotli), with strong
 * ETags, and invalidated by dependency keys.
 *
 * Every entry lists the keys of what it shows ("a:42" for article 42,
 * "l:home" for the main list, "l:tag:ki" for a tag archive). When content
 * changes, cache_invalidate() drops exactly the entries that list one of the
 * changed keys. A render that raced with an invalidation is not stored: take
 * cache_generation() before reading the database and pass it to
 * cache_insert().
 *
 * Memory is capped: past max_bytes the least recently used entries go
 * (CLOCK). All functions are thread-safe. */
#ifndef DEPESCHE_CACHE_CACHE_H
#define DEPESCHE_CACHE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct MHD_Response;

enum cache_enc { ENC_IDENTITY, ENC_GZIP, ENC_BR, ENC__MAX };

/* What a handler produced, ready to be cached and sent. */
struct cache_page {
	unsigned status;           /* 200 only are cached */
	const char *content_type;  /* static string */
	const char *cache_control; /* static string */
	const char *body;          /* not owned */
	size_t len;
	int64_t last_modified;     /* Unix s, 0: unknown */
	int64_t expires_at;        /* Unix s when the page must be re-rendered, 0: never */
	const uint64_t *deps;      /* dependency keys (cache_key()), not owned */
	size_t ndeps;
	const char *allow;         /* Allow header (405 answers), or NULL */
	char *own_body;            /* NULL, or body itself (malloc'd): cache_insert takes it
				      instead of a copy and frees it, whatever happens */
};

struct cache;

int cache_new(size_t max_bytes, struct cache **ret);
void cache_free(struct cache *c);

/* A dependency key from its text ("a:42"). */
uint64_t cache_key(const char *text);
uint64_t cache_keyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t cache_generation(struct cache *c);

/* Conditional request headers, already read from the request. */
struct cache_cond {
	const char *if_none_match;     /* NULL if absent */
	const char *if_modified_since; /* NULL if absent */
	enum cache_enc enc;            /* best encoding the client accepts */
};

/* Looks path up; on a hit queues the response on conn (the 304 when the
 * validators match), sets *ret_status and returns DP_OK. DP_ENOTFOUND on a
 * miss (nothing queued), DP_EIO when MHD refused the response.
 * now: for expiry. Queueing happens under the cache's lock, so an entry
 * dropped meanwhile stays alive through MHD's own reference. */
int cache_lookup(struct cache *c, const char *path, const struct cache_cond *cond, int64_t now,
		 struct MHD_Connection *conn, unsigned *ret_status);

/* Builds the responses for page (compressing once), queues the one this
 * request wants on conn (as cache_lookup would; non-200 pages go out with
 * their status and no validators) and, if store is set, gen is still current
 * and page->status is 200, keeps them under path. store=0 builds without
 * keeping (the --no-cache mode, error pages). */
int cache_insert(struct cache *c, const char *path, const struct cache_page *page, uint64_t gen,
		 int store, const struct cache_cond *cond, struct MHD_Connection *conn,
		 unsigned *ret_status);

/* Drops every entry that depends on one of keys; bumps the generation. */
void cache_invalidate(struct cache *c, const uint64_t *keys, size_t n);
/* Drops everything (theme reload); bumps the generation. */
void cache_clear(struct cache *c);

struct cache_stats {
	size_t entries, bytes, hits, misses, evictions, invalidations;
};
void cache_get_stats(struct cache *c, struct cache_stats *ret);

/* The etag and conditional helpers, exposed for tests. */
int cache_etag_matches(const char *if_none_match, const char *etag);
enum cache_enc cache_pick_encoding(const char *accept_encoding);

#endif
