/* text.c — UTF-8 decoding, case folding, arena and string map for the triage. */
#include "moderation/text.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

uint32_t text_next(const char **sp, const char *end)
{
	const unsigned char *s = (const unsigned char *)*sp;
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80) {
		*sp += 1;
		return c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		*sp += 1;
		return 0xFFFD;
	}
	if ((size_t)(end - *sp) < len) {
		*sp += 1;
		return 0xFFFD;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*sp += 1;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF)) {
		*sp += 1;
		return 0xFFFD;
	}
	*sp += len;
	return cp;
}

size_t text_put(char *dst, uint32_t c)
{
	unsigned char *d = (unsigned char *)dst;
	if (c < 0x80) {
		d[0] = (unsigned char)c;
		return 1;
	} else if (c < 0x800) {
		d[0] = (unsigned char)(0xC0 | (c >> 6));
		d[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	} else if (c < 0x10000) {
		d[0] = (unsigned char)(0xE0 | (c >> 12));
		d[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (unsigned char)(0xF0 | (c >> 18));
	d[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

bool text_is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
	if (c < 0xC0)
		return c == 0xAA || c == 0xB5 || c == 0xBA;
	if (c <= 0xFF)
		return c != 0xD7 && c != 0xF7;
	/* Punctuation, symbols, arrows, box drawing, dingbats; CJK punctuation;
	 * private use; specials; variation selectors; emoji and pictographs. */
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
	    (c >= 0xFF00 && c <= 0xFF0F) || c >= 0xFFF0 || (c >= 0x1F000 && c <= 0x1FAFF))
		return false;
	return true;
}

uint32_t text_lower(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 0x20 : c;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 0x20;
	if (c >= 0x100 && c <= 0x17F) {
		if (c <= 0x137 || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? c : c + 1;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c + 1 : c;
		if (c == 0x178)
			return 0xFF;
		return c;
	}
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	return c;
}

bool text_is_upper(uint32_t c)
{
	return text_lower(c) != c;
}

/* ß (U+00DF) to ÿ (U+00FF); NULL where nothing folds. */
static const char *const fold_latin1[0x21] = {
	"ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};
/* U+0100 to U+017F, lowercase and uppercase alike: one base letter each. */
static const char fold_ext_a[0x81] =
	"aaaaaaccccccccdddd"   /* 0100-0111 */
	"eeeeeeeeee"           /* 0112-011B */
	"gggggggghhhh"         /* 011C-0127 */
	"iiiiiiiiii"           /* 0128-0131 */
	"jjjjkkk"              /* 0132-0138 (ĳ as j) */
	"llllllllll"           /* 0139-0142 */
	"nnnnnnnnn"            /* 0143-014B */
	"oooooooo"             /* 014C-0153 (œ as o) */
	"rrrrrr"               /* 0154-0159 */
	"ssssssss"             /* 015A-0161 */
	"tttttt"               /* 0162-0167 */
	"uuuuuuuuuuuu"         /* 0168-0173 */
	"wwyyy"                /* 0174-0178 */
	"zzzzzzs";             /* 0179-017F */

const char *text_fold(uint32_t c)
{
	static const char singles[26][2] = {
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m",
		"n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
	};
	if (c >= 0xDF && c <= 0xFF)
		return fold_latin1[c - 0xDF];
	if (c >= 0x100 && c <= 0x17F) {
		char b = fold_ext_a[c - 0x100];
		return b >= 'a' && b <= 'z' ? singles[b - 'a'] : NULL;
	}
	return NULL;
}

uint32_t text_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* ---- arena ---- */

struct arena_block {
	struct arena_block *next;
	size_t size;
	/* data follows, aligned */
};

#define ARENA_BLOCK ((size_t)16 << 10)

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->cur = a->end = NULL;
	a->err = DP_OK;
}

void arena_release(struct arena *a)
{
	if (!a)
		return;
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (a->err)
		return NULL;
	if (!a->cur || (size_t)(a->end - a->cur) < n) {
		size_t size = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
		size_t hdr = (sizeof(struct arena_block) + 15) & ~(size_t)15;
		struct arena_block *b = malloc(hdr + size);
		if (!b) {
			a->err = DP_ENOMEM;
			return NULL;
		}
		b->size = size;
		b->next = a->head;
		a->head = b;
		a->cur = (char *)b + hdr;
		a->end = a->cur + size;
	}
	void *p = a->cur;
	a->cur += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- string map ---- */

int strmap_init(struct strmap *m, size_t cap_hint)
{
	size_t cap = 16;
	while (cap < cap_hint * 2)
		cap *= 2;
	m->slots = calloc(cap, sizeof *m->slots);
	m->cap = m->slots ? cap : 0;
	m->n = 0;
	return m->slots ? DP_OK : DP_ENOMEM;
}

void strmap_release(struct strmap *m)
{
	if (!m)
		return;
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static int strmap_grow(struct strmap *m)
{
	struct strmap nm;
	if (strmap_init(&nm, m->cap))
		return DP_ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			continue;
		size_t j = s->hash & (nm.cap - 1);
		while (nm.slots[j].key)
			j = (j + 1) & (nm.cap - 1);
		nm.slots[j] = *s;
		nm.n++;
	}
	free(m->slots);
	*m = nm;
	return DP_OK;
}

int strmap_put(struct strmap *m, const char *key, size_t len, int val, int *ret_val)
{
	if ((m->n + 1) * 10 > m->cap * 7 && strmap_grow(m))
		return DP_ENOMEM;
	uint32_t h = text_hash(key, len);
	size_t j = h & (m->cap - 1);
	for (;;) {
		struct strmap_slot *s = &m->slots[j];
		if (!s->key) {
			s->key = key;
			s->len = (uint32_t)len;
			s->hash = h;
			s->val = val;
			m->n++;
			return DP_OK;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
			if (ret_val)
				*ret_val = s->val;
			return DP_EEXISTS;
		}
		j = (j + 1) & (m->cap - 1);
	}
}

struct strmap_slot *strmap_find(const struct strmap *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	uint32_t h = text_hash(key, len);
	size_t j = h & (m->cap - 1);
	for (;;) {
		struct strmap_slot *s = &m->slots[j];
		if (!s->key)
			return NULL;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
		j = (j + 1) & (m->cap - 1);
	}
}
