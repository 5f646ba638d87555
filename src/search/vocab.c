/* vocab.c — a set of terms: open addressing with linear probing over slots
 * that hold a hash and an offset into one byte array where every term is
 * stored once. The table doubles at half load, so lookups stay short with
 * millions of terms; the bytes move with realloc (slots keep offsets). */
#include "search/vocab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

struct vocab_slot {
	uint64_t at;     /* the term's offset in bytes + 1; 0: a free slot */
	uint32_t len;
	uint32_t hash;   /* the upper half of the term's 64-bit hash */
};

struct vocab {
	struct vocab_slot *slots;
	size_t cap;      /* a power of two */
	size_t n;
	char *bytes;     /* the terms, back to back, no terminators */
	size_t used, size;
};

#define VOCAB_FIRST_CAP 1024

/* 64-bit FNV-1a. */
static uint64_t hash64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h ^ (h >> 29);
}

int vocab_new(struct vocab **ret)
{
	struct vocab *v = calloc(1, sizeof *v);
	if (!v)
		return DP_ENOMEM;
	v->slots = calloc(VOCAB_FIRST_CAP, sizeof *v->slots);
	if (!v->slots) {
		free(v);
		return DP_ENOMEM;
	}
	v->cap = VOCAB_FIRST_CAP;
	*ret = v;
	return DP_OK;
}

void vocab_free(struct vocab *v)
{
	if (!v)
		return;
	free(v->slots);
	free(v->bytes);
	free(v);
}

/* The slot of the term, or the free slot where it belongs. */
static struct vocab_slot *probe(const struct vocab *v, const char *term, size_t len, uint64_t h)
{
	size_t mask = v->cap - 1;
	uint32_t tag = (uint32_t)(h >> 32);
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct vocab_slot *s = &v->slots[i];
		if (!s->at)
			return s;
		if (s->hash == tag && s->len == len && !memcmp(v->bytes + s->at - 1, term, len))
			return s;
	}
}

static int grow_slots(struct vocab *v)
{
	size_t cap = v->cap * 2;
	struct vocab_slot *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return DP_ENOMEM;
	for (size_t i = 0; i < v->cap; i++) {
		const struct vocab_slot *s = &v->slots[i];
		if (!s->at)
			continue;
		/* Rehash from the stored bytes: the slot keeps only half the hash. */
		uint64_t h = hash64(v->bytes + s->at - 1, s->len);
		size_t j = (size_t)h & (cap - 1);
		while (slots[j].at)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(v->slots);
	v->slots = slots;
	v->cap = cap;
	return DP_OK;
}

static int reserve_bytes(struct vocab *v, size_t len)
{
	if (v->bytes && v->size - v->used >= len)
		return DP_OK;
	size_t size = v->size ? v->size : 4096;
	while (size - v->used < len) {
		if (size > SIZE_MAX / 2)
			return DP_ETOOBIG;
		size *= 2;
	}
	char *bytes = realloc(v->bytes, size);
	if (!bytes)
		return DP_ENOMEM;
	v->bytes = bytes;
	v->size = size;
	return DP_OK;
}

int vocab_add(struct vocab *v, const char *term, size_t len, bool *ret_new)
{
	if (ret_new)
		*ret_new = false;
	if (len > UINT32_MAX)
		return DP_ETOOBIG;
	uint64_t h = hash64(term, len);
	struct vocab_slot *s = probe(v, term, len, h);
	if (s->at)
		return DP_OK;
	if (v->n + 1 > v->cap / 2) {
		int rc = grow_slots(v);
		if (rc)
			return rc;
		s = probe(v, term, len, h);
	}
	int rc = reserve_bytes(v, len);
	if (rc)
		return rc;
	if (len)
		memcpy(v->bytes + v->used, term, len);
	s->at = (uint64_t)v->used + 1;
	s->len = (uint32_t)len;
	s->hash = (uint32_t)(h >> 32);
	v->used += len;
	v->n++;
	if (ret_new)
		*ret_new = true;
	return DP_OK;
}

bool vocab_has(const struct vocab *v, const char *term, size_t len)
{
	if (len > UINT32_MAX)
		return false;
	return probe(v, term, len, hash64(term, len))->at != 0;
}

size_t vocab_size(const struct vocab *v)
{
	return v->n;
}
