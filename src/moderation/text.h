/* text.h — UTF-8 text helpers of the comment triage (internal to
 * src/moderation): decoding, case folding for German and English, a bump
 * allocator and a string hash map.
 *
 * Nothing here is shared with the rest of Depesche; the triage needs only a
 * small, predictable subset of Unicode: ASCII, the Latin-1 supplement and a
 * few letters of Latin Extended-A. Other letters are kept as they are. */
#ifndef DEPESCHE_MODERATION_TEXT_H
#define DEPESCHE_MODERATION_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at *s (s < end) and advances *s past it. A byte that
 * does not start a well-formed sequence yields U+FFFD and advances by one, so
 * any input can be scanned. */
uint32_t text_next(const char **s, const char *end);
/* Appends the UTF-8 encoding of c to dst (at least 4 bytes free); returns the
 * number of bytes written. */
size_t text_put(char *dst, uint32_t c);

/* True for letters: ASCII, Latin-1 and everything from U+0100 that is not in
 * the punctuation, symbol and emoji blocks. */
bool text_is_letter(uint32_t c);
bool text_is_upper(uint32_t c);
/* Lowercase for ASCII, Latin-1 and Latin Extended-A; other code points as is. */
uint32_t text_lower(uint32_t c);
/* The ASCII spelling of a lowercase letter without its diacritic ("ä" → "a",
 * "ß" → "ss", "é" → "e"), or NULL when c is not such a letter. */
const char *text_fold(uint32_t c);

/* 32-bit FNV-1a. */
uint32_t text_hash(const char *s, size_t n);

/* A bump allocator: everything is freed at once by arena_release().
 * Allocation failure sets `err` and returns NULL. */
struct arena {
	struct arena_block *head;
	char *cur, *end;
	int err; /* DP_OK or DP_ENOMEM */
};
void arena_init(struct arena *a);
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n) in the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* An open-addressing hash map from byte strings to ints. The keys are not
 * copied: they must outlive the map. */
struct strmap {
	struct strmap_slot {
		const char *key; /* NULL: free slot */
		uint32_t len, hash;
		int val;
	} *slots;
	size_t cap; /* a power of two */
	size_t n;
};
/* cap_hint: expected number of keys. DP_OK or DP_ENOMEM. */
int strmap_init(struct strmap *m, size_t cap_hint);
void strmap_release(struct strmap *m);
/* Inserts key → val; when the key is present, leaves it and returns DP_EEXISTS
 * with *ret_val (optional) set to the stored value. */
int strmap_put(struct strmap *m, const char *key, size_t len, int val, int *ret_val);
/* The slot of key, or NULL. */
struct strmap_slot *strmap_find(const struct strmap *m, const char *key, size_t len);

#endif
