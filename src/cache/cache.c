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

struct entry {
	struct entry *next;       /* bucket chain */
	uint64_t hash;
	char *path;
	struct MHD_Response *resp[ENC__MAX];  /* NULL where a variant is not worth it */
	struct MHD_Response *r304[ENC__MAX];
	char etag[ENC__MAX][24];
	int64_t last_modified, expires_at;
	uint64_t *deps;
	size_t ndeps, bytes;
	atomic_int referenced;    /* CLOCK bit, set on every hit */
};

struct cache {
	pthread_rwlock_t lock;
	struct entry *buckets[NBUCKETS];
	size_t max_bytes, bytes, entries;
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
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
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
	if (!BrotliEncoderCompress(9, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, len,
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

/* A new entry with all variants built. Not yet linked. */
static struct entry *entry_build(const char *path, const struct cache_page *p)
{
	struct entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->path = strdup(path);
	e->hash = fnv1a(path, strlen(path));
	e->last_modified = p->last_modified;
	e->expires_at = p->expires_at;
	if (p->ndeps) {
		e->deps = malloc(p->ndeps * sizeof *e->deps);
		if (!e->deps)
			goto fail;
		memcpy(e->deps, p->deps, p->ndeps * sizeof *e->deps);
		e->ndeps = p->ndeps;
	}
	if (!e->path)
		goto fail;

	/* A strong validator from the bytes: equal bodies, equal tags. */
	unsigned char h[8];
	crypto_generichash(h, sizeof h, (const unsigned char *)p->body, p->len, NULL, 0);
	char hex[17];
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);

	for (int enc = 0; enc < ENC__MAX; enc++) {
		char *data = NULL;
		size_t len = 0;
		if (enc == ENC_IDENTITY) {
			data = malloc(p->len ? p->len : 1);
			if (!data)
				goto fail;
			memcpy(data, p->body, p->len);
			len = p->len;
		} else {
			if (p->len < COMPRESS_MIN)
				continue;
			data = enc == ENC_GZIP ? gzip_body(p->body, p->len, &len)
					       : brotli_body(p->body, p->len, &len);
			if (!data)
				continue; /* identity still works */
			if (len >= p->len) {
				free(data);
				continue;
			}
		}
		snprintf(e->etag[enc], sizeof e->etag[enc], "\"%s%s\"", hex,
			 enc == ENC_GZIP ? "-gz" : enc == ENC_BR ? "-br" : "");
		e->resp[enc] = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
		if (!e->resp[enc]) {
			free(data);
			goto fail;
		}
		add_headers(e->resp[enc], p, e->etag[enc], (enum cache_enc)enc, 1);
		e->r304[enc] = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!e->r304[enc])
			goto fail;
		add_headers(e->r304[enc], p, e->etag[enc], (enum cache_enc)enc, 0);
		e->bytes += len;
	}
	e->bytes += ENTRY_OVERHEAD + strlen(path) + e->ndeps * sizeof(uint64_t);
	return e;
fail:
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

/* Queues e's response for this request on conn. Lock held (any mode). */
static int answer(struct entry *e, unsigned status, const struct cache_cond *cond,
		  struct MHD_Connection *conn, unsigned *ret_status)
{
	enum cache_enc enc = cond->enc;
	while (enc > ENC_IDENTITY && !e->resp[enc])
		enc = enc == ENC_BR && e->resp[ENC_GZIP] ? ENC_GZIP : ENC_IDENTITY;
	int nm = 0;
	if (status == 200 && cond->if_none_match) {
		nm = cache_etag_matches(cond->if_none_match, e->etag[enc]);
	} else if (status == 200 && cond->if_modified_since && e->last_modified > 0) {
		int64_t ims;
		nm = time_parse_http(cond->if_modified_since, &ims) == DP_OK && e->last_modified <= ims;
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
		if (e->expires_at && now >= e->expires_at)
			break;
		atomic_store_explicit(&e->referenced, 1, memory_order_relaxed);
		rc = answer(e, 200, cond, conn, ret_status);
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
	while (c->bytes + need > c->max_bytes && c->entries && guard--) {
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
	int rc = answer(e, page->status, cond, conn, ret_status);
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
