/* cache.c — page cache: hash table of ready responses, CLOCK eviction,
 * dependency-key invalidation. See cache.h. RFC 9110 §8.8.3 (ETag),
 * §13.1.2 (If-None-Match), §13.1.3 (If-Modified-Since). */
#include "cache/cache.h"

#include <brotli/encode.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/err.h"
#include "util/timeutil.h"

#define NBUCKETS (1u << 16)
#define ENTRY_OVERHEAD 1024 /* bookkeeping and MHD's response structs, roughly */
#define COMPRESS_MIN 256    /* smaller bodies are sent as they are */

/* A compressed variant is built the first time a client asks for it, once. */
enum variant_state { VAR_MISSING, VAR_READY, VAR_SKIP /* compression did not pay */ };

struct entry {
	struct entry *next;       /* bucket chain */
	uint64_t hash;
	char *path;
	struct cache_page hdr;    /* status and header values; body and deps not kept here */
	const char *body;         /* the identity bytes, owned by resp[ENC_IDENTITY] */
	size_t len;
	char hex[17];             /* the body's hash: the ETag's base */
	pthread_mutex_t build;    /* serialises building variants */
	_Atomic(struct MHD_Response *) resp[ENC__MAX];
	_Atomic(struct MHD_Response *) r304[ENC__MAX];
	atomic_int state[ENC__MAX];
	char etag[ENC__MAX][24];
	uint64_t *deps;
	size_t ndeps;
	atomic_size_t bytes;
	atomic_int referenced;    /* CLOCK bit, set on every hit */
};

struct cache {
	pthread_rwlock_t lock;
	struct entry *buckets[NBUCKETS];
	size_t max_bytes, entries;
	atomic_size_t bytes;              /* grows under the read lock as variants are built */
	unsigned hand;                    /* CLOCK hand: a bucket index */
	atomic_uint_fast64_t generation;
	atomic_size_t hits, misses, evictions, invalidations;
};

static const char *const enc_names[ENC__MAX] = { NULL, "gzip", "br" };

/* FNV-1a: fast, and collisions only cost a wrong path compare. */
static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

uint64_t cache_key(const char *text)
{
	return fnv1a(text, strlen(text));
}

uint64_t cache_keyf(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	return cache_key(tmp);
}

int cache_new(size_t max_bytes, struct cache **ret)
{
	struct cache *c = calloc(1, sizeof *c);
	if (!c)
		return DP_ENOMEM;
	if (pthread_rwlock_init(&c->lock, NULL)) {
		free(c);
		return DP_ENOMEM;
	}
	c->max_bytes = max_bytes;
	*ret = c;
	return DP_OK;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	for (int i = 0; i < ENC__MAX; i++) {
		if (e->resp[i])
			MHD_destroy_response(e->resp[i]);
		if (e->r304[i])
			MHD_destroy_response(e->r304[i]);
	}
	pthread_mutex_destroy(&e->build);
	free(e->path);
	free(e->deps);
	free(e);
}

/* Unlinks and frees every entry for which drop(e, arg) is true. Lock held. */
static size_t sweep(struct cache *c, int (*drop)(const struct entry *, const void *),
		    const void *arg)
{
	size_t n = 0;
	for (unsigned b = 0; b < NBUCKETS; b++) {
		struct entry **pp = &c->buckets[b];
		while (*pp) {
			struct entry *e = *pp;
			if (drop(e, arg)) {
				*pp = e->next;
				c->bytes -= e->bytes;
				c->entries--;
				entry_free(e);
				n++;
			} else {
				pp = &e->next;
			}
		}
	}
	return n;
}

static int drop_all(const struct entry *e, const void *arg)
{
	(void)e;
	(void)arg;
	return 1;
}

void cache_free(struct cache *c)
{
	if (!c)
		return;
	sweep(c, drop_all, NULL);
	pthread_rwlock_destroy(&c->lock);
	free(c);
}

uint64_t cache_generation(struct cache *c)
{
	return atomic_load(&c->generation);
}

/* ---- compression, once per page ---- */

static char *gzip_body(const char *in, size_t len, size_t *ret_len)
{
	z_stream z = { 0 };
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&z, len);
	char *out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return NULL;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	*ret_len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

static char *brotli_body(const char *in, size_t len, size_t *ret_len)
{
	size_t cap = BrotliEncoderMaxCompressedSize(len);
	char *out = cap ? malloc(cap) : NULL;
	if (!out)
		return NULL;
	*ret_len = cap;
	/* Quality 6 with a 1 MiB window: most of quality 9's gain on HTML at a
	 * fraction of its time and memory (9 allocates ~32 MiB per call). */
	if (!BrotliEncoderCompress(6, 20, BROTLI_MODE_TEXT, len,
				   (const uint8_t *)in, ret_len, (uint8_t *)out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- building responses ---- */

static void add_headers(struct MHD_Response *r, const struct cache_page *p, const char *etag,
			enum cache_enc enc, int full)
{
	char date[32];
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, p->cache_control);
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (p->last_modified > 0) {
		time_fmt_http(date, sizeof date, p->last_modified);
		MHD_add_response_header(r, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	}
	if (!full)
		return;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
	if (p->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, p->allow);
	if (enc != ENC_IDENTITY)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, enc_names[enc]);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
	if (strncmp(p->content_type, "text/html", 9) == 0)
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' https: data:; "
					"script-src 'none'; object-src 'none'; base-uri 'self'; "
					"form-action 'self'; frame-ancestors 'self'");
}

/* Makes the response (and its 304) for variant enc from data, which it takes. */
static int make_variant(struct entry *e, enum cache_enc enc, char *data, size_t len)
{
	snprintf(e->etag[enc], sizeof e->etag[enc], "\"%s%s\"", e->hex,
		 enc == ENC_GZIP ? "-gz" : enc == ENC_BR ? "-br" : "");
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return DP_ENOMEM;
	}
	struct MHD_Response *nm = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!nm) {
		MHD_destroy_response(r);
		return DP_ENOMEM;
	}
	add_headers(r, &e->hdr, e->etag[enc], enc, 1);
	add_headers(nm, &e->hdr, e->etag[enc], enc, 0);
	atomic_store(&e->r304[enc], nm);
	atomic_store(&e->resp[enc], r);
	atomic_fetch_add(&e->bytes, len);
	return DP_OK;
}

/* Builds the compressed variant enc if nobody has yet. Caller holds the
 * cache's read lock (or owns e alone), which keeps e alive meanwhile. */
static void ensure_variant(struct cache *c, struct entry *e, enum cache_enc enc)
{
	if (atomic_load(&e->state[enc]) != VAR_MISSING)
		return;
	pthread_mutex_lock(&e->build);
	if (atomic_load(&e->state[enc]) == VAR_MISSING) {
		size_t len = 0;
		char *data = NULL;
		if (e->len >= COMPRESS_MIN)
			data = enc == ENC_GZIP ? gzip_body(e->body, e->len, &len)
					       : brotli_body(e->body, e->len, &len);
		int st = VAR_SKIP;
		if (data && len < e->len) {
			size_t before = atomic_load(&e->bytes);
			if (make_variant(e, enc, data, len) == DP_OK) {
				st = VAR_READY;
				if (c)
					atomic_fetch_add(&c->bytes, atomic_load(&e->bytes) - before);
			}
		} else {
			free(data);
		}
		atomic_store(&e->state[enc], st);
	}
	pthread_mutex_unlock(&e->build);
}

/* A new entry with its identity variant. Not yet linked. */
static struct entry *entry_build(const char *path, const struct cache_page *p)
{
	char *data = p->own_body; /* ours until make_variant takes it */
	struct entry *e = calloc(1, sizeof *e);
	if (!e)
		goto fail;
	pthread_mutex_init(&e->build, NULL);
	e->path = strdup(path);
	e->hash = fnv1a(path, strlen(path));
	e->hdr = *p;
	e->hdr.body = NULL;
	e->hdr.deps = NULL;
	e->hdr.own_body = NULL;
	if (p->ndeps) {
		e->deps = malloc(p->ndeps * sizeof *e->deps);
		if (!e->deps)
			goto fail;
		memcpy(e->deps, p->deps, p->ndeps * sizeof *e->deps);
		e->ndeps = p->ndeps;
	}
	if (!e->path)
		goto fail;

	if (data) {
		/* A page buffer has room to spare; giving it back keeps the
		 * cache's count of bytes true (glibc shrinks in place). */
		char *shrunk = realloc(data, p->len ? p->len : 1);
		if (shrunk)
			data = shrunk;
	} else {
		if (!(data = malloc(p->len ? p->len : 1)))
			goto fail;
		memcpy(data, p->body, p->len);
	}
	/* A strong validator from the bytes: equal bodies, equal tags. SipHash
	 * (a fixed key: tags stay the same across restarts) hashes a page three
	 * times faster than BLAKE2b, and a tag needs no more than 64 bits. */
	static const unsigned char etag_key[crypto_shorthash_KEYBYTES] = "depesche etag 1";
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, (const unsigned char *)data, p->len, etag_key);
	sodium_bin2hex(e->hex, sizeof e->hex, h, sizeof h);

	e->body = data;
	e->len = p->len;
	int rc = make_variant(e, ENC_IDENTITY, data, p->len);
	data = NULL;
	if (rc)
		goto fail;
	atomic_store(&e->state[ENC_IDENTITY], VAR_READY);
	atomic_fetch_add(&e->bytes, ENTRY_OVERHEAD + strlen(path) + e->ndeps * sizeof(uint64_t));
	return e;
fail:
	free(data);
	entry_free(e);
	return NULL;
}

/* ---- conditional requests ---- */

int cache_etag_matches(const char *inm, const char *etag)
{
	/* If-None-Match uses the weak comparison: W/ prefixes are ignored. */
	const char *tag = etag;
	size_t tlen = strlen(tag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return 0; /* malformed: no match */
		const char *end = strchr(p + 1, '"');
		if (!end)
			return 0;
		if ((size_t)(end + 1 - p) == tlen && memcmp(p, tag, tlen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

/* q-value of a coding in Accept-Encoding; -1 when it is not listed. */
static double coding_q(const char *ae, const char *name)
{
	size_t n = strlen(name);
	const char *p = ae;
	double star = -1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ')
			p++;
		size_t tlen = (size_t)(p - tok);
		double q = 1;
		while (*p == ' ')
			p++;
		if (*p == ';') {
			const char *qs = strstr(p, "q=");
			const char *comma = strchr(p, ',');
			if (qs && (!comma || qs < comma))
				q = strtod(qs + 2, NULL);
		}
		while (*p && *p != ',')
			p++;
		if (tlen == n && strncasecmp(tok, name, n) == 0)
			return q;
		if (tlen == 1 && *tok == '*')
			star = q;
	}
	return star;
}

enum cache_enc cache_pick_encoding(const char *ae)
{
	if (!ae)
		return ENC_IDENTITY;
	double br = coding_q(ae, "br"), gz = coding_q(ae, "gzip");
	if (br > 0 && br >= gz)
		return ENC_BR;
	if (gz > 0)
		return ENC_GZIP;
	return ENC_IDENTITY;
}

/* Queues e's response for this request on conn, building the compressed
 * variant the client wants on first use. c may be NULL for an entry that is
 * not in the cache. Lock held (any mode) or e owned by the caller. */
static int answer(struct cache *c, struct entry *e, unsigned status,
		  const struct cache_cond *cond, struct MHD_Connection *conn, unsigned *ret_status)
{
	enum cache_enc enc = cond->enc;
	if (enc != ENC_IDENTITY)
		ensure_variant(c, e, enc);
	if (enc == ENC_BR && atomic_load(&e->state[ENC_BR]) != VAR_READY)
		enc = ENC_IDENTITY; /* gzip would rarely beat what brotli could not */
	if (enc == ENC_GZIP && atomic_load(&e->state[ENC_GZIP]) != VAR_READY)
		enc = ENC_IDENTITY;
	int nm = 0;
	if (status == 200 && cond->if_none_match) {
		nm = cache_etag_matches(cond->if_none_match, e->etag[enc]);
	} else if (status == 200 && cond->if_modified_since && e->hdr.last_modified > 0) {
		int64_t ims;
		nm = time_parse_http(cond->if_modified_since, &ims) == DP_OK && e->hdr.last_modified <= ims;
	}
	*ret_status = nm ? MHD_HTTP_NOT_MODIFIED : status;
	return MHD_queue_response(conn, *ret_status, nm ? e->r304[enc] : e->resp[enc]) == MHD_YES
		       ? DP_OK
		       : DP_EIO;
}

int cache_lookup(struct cache *c, const char *path, const struct cache_cond *cond, int64_t now,
		 struct MHD_Connection *conn, unsigned *ret_status)
{
	uint64_t h = fnv1a(path, strlen(path));
	int rc = DP_ENOTFOUND;
	pthread_rwlock_rdlock(&c->lock);
	for (struct entry *e = c->buckets[h & (NBUCKETS - 1)]; e; e = e->next) {
		if (e->hash != h || strcmp(e->path, path) != 0)
			continue;
		if (e->hdr.expires_at && now >= e->hdr.expires_at)
			break;
		atomic_store_explicit(&e->referenced, 1, memory_order_relaxed);
		rc = answer(c, e, 200, cond, conn, ret_status);
		break;
	}
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add_explicit(rc == DP_ENOTFOUND ? &c->misses : &c->hits, 1,
				  memory_order_relaxed);
	return rc;
}

/* Evicts by CLOCK until there is room for `need` more bytes. Write lock held. */
static void make_room(struct cache *c, size_t need)
{
	size_t guard = 2 * NBUCKETS + 2 * c->entries;
	while (atomic_load(&c->bytes) + need > c->max_bytes && c->entries && guard--) {
		unsigned b = c->hand;
		struct entry **pp = &c->buckets[b];
		while (*pp) {
			struct entry *e = *pp;
			if (atomic_exchange(&e->referenced, 0)) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			c->bytes -= e->bytes;
			c->entries--;
			entry_free(e);
			atomic_fetch_add(&c->evictions, 1);
		}
		c->hand = (b + 1) & (NBUCKETS - 1);
	}
}

int cache_insert(struct cache *c, const char *path, const struct cache_page *page, uint64_t gen,
		 int store, const struct cache_cond *cond, struct MHD_Connection *conn,
		 unsigned *ret_status)
{
	struct entry *e = entry_build(path, page);
	if (!e)
		return DP_ENOMEM;
	int rc = answer(NULL, e, page->status, cond, conn, ret_status);
	if (rc || !store || page->status != 200 || e->bytes > c->max_bytes / 4) {
		entry_free(e); /* a queued response lives on through MHD's reference */
		return rc;
	}
	pthread_rwlock_wrlock(&c->lock);
	if (atomic_load(&c->generation) != gen) {
		/* The content changed while we rendered: this page may be stale. */
		pthread_rwlock_unlock(&c->lock);
		entry_free(e);
		return rc;
	}
	struct entry **pp = &c->buckets[e->hash & (NBUCKETS - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->hash == e->hash && strcmp((*pp)->path, path) == 0) {
			struct entry *old = *pp;
			*pp = old->next;
			c->bytes -= old->bytes;
			c->entries--;
			entry_free(old);
			break;
		}
	}
	make_room(c, e->bytes);
	e->next = c->buckets[e->hash & (NBUCKETS - 1)];
	c->buckets[e->hash & (NBUCKETS - 1)] = e;
	c->bytes += e->bytes;
	c->entries++;
	pthread_rwlock_unlock(&c->lock);
	return rc;
}

struct keyset {
	const uint64_t *keys;
	size_t n;
};

static int drop_if_depends(const struct entry *e, const void *arg)
{
	const struct keyset *ks = arg;
	for (size_t i = 0; i < e->ndeps; i++)
		for (size_t k = 0; k < ks->n; k++)
			if (e->deps[i] == ks->keys[k])
				return 1;
	return 0;
}

void cache_invalidate(struct cache *c, const uint64_t *keys, size_t n)
{
	struct keyset ks = { keys, n };
	pthread_rwlock_wrlock(&c->lock);
	atomic_fetch_add(&c->generation, 1);
	size_t dropped = sweep(c, drop_if_depends, &ks);
	pthread_rwlock_unlock(&c->lock);
	atomic_fetch_add(&c->invalidations, dropped);
}

void cache_clear(struct cache *c)
{
	pthread_rwlock_wrlock(&c->lock);
	atomic_fetch_add(&c->generation, 1);
	sweep(c, drop_all, NULL);
	pthread_rwlock_unlock(&c->lock);
}

void cache_get_stats(struct cache *c, struct cache_stats *ret)
{
	pthread_rwlock_rdlock(&c->lock);
	ret->entries = c->entries;
	ret->bytes = c->bytes;
	pthread_rwlock_unlock(&c->lock);
	ret->hits = atomic_load(&c->hits);
	ret->misses = atomic_load(&c->misses);
	ret->evictions = atomic_load(&c->evictions);
	ret->invalidations = atomic_load(&c->invalidations);
}
