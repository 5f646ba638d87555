/* analyze.c — text to search terms.
 *
 * The way of one word: the scanner finds a run of letters and digits (and
 * the marks that belong inside words); a German gender ending ("*innen",
 * ":in", "Innen") is left out of it; the word is folded to lower case
 * without accents (ä → a, ß → ss) and cut at ANALYZE_TERM_MAX bytes; German
 * feminine forms lose "-in"/"-innen"; Snowball stems it. In documents a
 * German word of eight or more letters is also split into parts the site's
 * vocabulary knows, and their terms follow the word's own at its position.
 *
 * Folding happens before stemming, so "Müller" and "Muller", "Straße" and
 * "Strasse", composed and decomposed accents all reach the stemmer as the
 * same bytes. Recent words and their terms (and parts) are kept in a
 * bounded cache: index building sees the same few thousand words again and
 * again. */
#include "search/analyze.h"

#include <libstemmer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search/vocab.h"
#include "util/err.h"

/* ---- characters ---- */

enum char_class {
	CC_SEP,     /* separates words */
	CC_WORD,    /* a letter or digit */
	CC_SILENT,  /* inside a word, but dropped by folding (combining marks, soft hyphen) */
};

struct class_range {
	uint32_t lo, hi;
	enum char_class cls;
};

/* From U+0080 up, sorted; a code point listed nowhere is a letter. The
 * Latin, Greek and Cyrillic ranges are exact; other scripts count as letters
 * except for their most common punctuation. */
static const struct class_range classes[] = {
	{ 0x0080, 0x00A9, CC_SEP },    /* C1 controls, Latin-1 punctuation */
	{ 0x00AB, 0x00AC, CC_SEP },
	{ 0x00AD, 0x00AD, CC_SILENT }, /* soft hyphen: "Bahn\u00ADstrecke" is one word */
	{ 0x00AE, 0x00B4, CC_SEP },
	{ 0x00B6, 0x00B9, CC_SEP },
	{ 0x00BB, 0x00BF, CC_SEP },
	{ 0x00D7, 0x00D7, CC_SEP },    /* × */
	{ 0x00F7, 0x00F7, CC_SEP },    /* ÷ */
	{ 0x02B0, 0x02FF, CC_SEP },    /* spacing modifier letters (ʼ ˈ ˚) */
	{ 0x0300, 0x036F, CC_SILENT }, /* combining diacritics: decomposed "u\u0308" */
	{ 0x0375, 0x0375, CC_SEP },
	{ 0x037E, 0x037E, CC_SEP },    /* Greek question mark */
	{ 0x0384, 0x0385, CC_SEP },
	{ 0x0387, 0x0387, CC_SEP },
	{ 0x0482, 0x0482, CC_SEP },
	{ 0x0483, 0x0489, CC_SILENT },
	{ 0x055A, 0x055F, CC_SEP },
	{ 0x0589, 0x058A, CC_SEP },
	{ 0x05BE, 0x05BE, CC_SEP },
	{ 0x05C0, 0x05C0, CC_SEP },
	{ 0x05C3, 0x05C3, CC_SEP },
	{ 0x05F3, 0x05F4, CC_SEP },
	{ 0x0600, 0x060F, CC_SEP },
	{ 0x061B, 0x061F, CC_SEP },
	{ 0x066A, 0x066D, CC_SEP },
	{ 0x06D4, 0x06D4, CC_SEP },
	{ 0x0964, 0x0965, CC_SEP },    /* danda */
	{ 0x0E3F, 0x0E3F, CC_SEP },
	{ 0x1680, 0x1680, CC_SEP },
	{ 0x2000, 0x200B, CC_SEP },    /* spaces */
	{ 0x200C, 0x200D, CC_SILENT }, /* zero-width (non-)joiner */
	{ 0x200E, 0x2BFF, CC_SEP },    /* punctuation, currency, symbols, arrows, shapes */
	{ 0x2E00, 0x2E7F, CC_SEP },
	{ 0x3000, 0x303F, CC_SEP },    /* CJK punctuation */
	{ 0xD800, 0xF8FF, CC_SEP },    /* surrogates (never decoded), private use */
	{ 0xFD3E, 0xFD3F, CC_SEP },
	{ 0xFE00, 0xFE0F, CC_SILENT }, /* variation selectors */
	{ 0xFE10, 0xFE1F, CC_SEP },
	{ 0xFE20, 0xFE2F, CC_SILENT },
	{ 0xFE30, 0xFE6F, CC_SEP },
	{ 0xFEFF, 0xFF0F, CC_SEP },    /* BOM, fullwidth punctuation */
	{ 0xFF1A, 0xFF20, CC_SEP },
	{ 0xFF3B, 0xFF40, CC_SEP },
	{ 0xFF5B, 0xFF65, CC_SEP },
	{ 0xFFE0, 0xFFFF, CC_SEP },
	{ 0x1F000, 0x1FBFF, CC_SEP },  /* emoji and other pictographs */
	{ 0xE0000, 0xE00FF, CC_SEP },  /* tags */
	{ 0xE0100, 0xE01EF, CC_SILENT },
	{ 0xF0000, 0x10FFFF, CC_SEP }, /* private use */
};

static enum char_class class_of(int32_t c)
{
	if (c < 0)
		return CC_SEP;
	if (c < 0x80)
		return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ? CC_WORD
											: CC_SEP;
	size_t lo = 0, hi = sizeof classes / sizeof classes[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((uint32_t)c < classes[mid].lo)
			hi = mid;
		else if ((uint32_t)c > classes[mid].hi)
			lo = mid + 1;
		else
			return classes[mid].cls;
	}
	return CC_WORD;
}

/* Decodes the code point at s[*i] (*i < n) and moves *i past it. A byte
 * that does not start a well-formed sequence (RFC 3629: no overlongs, no
 * surrogates) yields -1 and moves one byte, so such bytes separate words. */
static int32_t decode(const char *str, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str + *i;
	size_t left = n - *i;
	uint32_t c = s[0], min;
	size_t len;
	if (c < 0x80) {
		*i += 1;
		return (int32_t)c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, c &= 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, c &= 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		*i += 1;
		return -1;
	}
	if (left < len) {
		*i += 1;
		return -1;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) {
			*i += 1;
			return -1;
		}
		c = (c << 6) | (s[k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*i += 1;
		return -1;
	}
	*i += len;
	return (int32_t)c;
}

static size_t encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

struct fold_range {
	uint32_t lo, hi;
	char to[3];
};

/* Latin letters (both cases) to their lower-case ASCII spelling: the
 * Latin-1 supplement, Latin Extended-A, and the few letters of Extended-B
 * and Extended Additional that German, Romanian and pinyin texts use. */
static const struct fold_range folds[] = {
	{ 0x00AA, 0x00AA, "a" },  { 0x00BA, 0x00BA, "o" },  { 0x00C0, 0x00C5, "a" },
	{ 0x00C6, 0x00C6, "ae" }, { 0x00C7, 0x00C7, "c" },  { 0x00C8, 0x00CB, "e" },
	{ 0x00CC, 0x00CF, "i" },  { 0x00D0, 0x00D0, "d" },  { 0x00D1, 0x00D1, "n" },
	{ 0x00D2, 0x00D6, "o" },  { 0x00D8, 0x00D8, "o" },  { 0x00D9, 0x00DC, "u" },
	{ 0x00DD, 0x00DD, "y" },  { 0x00DE, 0x00DE, "th" }, { 0x00DF, 0x00DF, "ss" },
	{ 0x00E0, 0x00E5, "a" },  { 0x00E6, 0x00E6, "ae" }, { 0x00E7, 0x00E7, "c" },
	{ 0x00E8, 0x00EB, "e" },  { 0x00EC, 0x00EF, "i" },  { 0x00F0, 0x00F0, "d" },
	{ 0x00F1, 0x00F1, "n" },  { 0x00F2, 0x00F6, "o" },  { 0x00F8, 0x00F8, "o" },
	{ 0x00F9, 0x00FC, "u" },  { 0x00FD, 0x00FD, "y" },  { 0x00FE, 0x00FE, "th" },
	{ 0x00FF, 0x00FF, "y" },  { 0x0100, 0x0105, "a" },  { 0x0106, 0x010D, "c" },
	{ 0x010E, 0x0111, "d" },  { 0x0112, 0x011B, "e" },  { 0x011C, 0x0123, "g" },
	{ 0x0124, 0x0127, "h" },  { 0x0128, 0x0131, "i" },  { 0x0132, 0x0133, "ij" },
	{ 0x0134, 0x0135, "j" },  { 0x0136, 0x0138, "k" },  { 0x0139, 0x0142, "l" },
	{ 0x0143, 0x014B, "n" },  { 0x014C, 0x0151, "o" },  { 0x0152, 0x0153, "oe" },
	{ 0x0154, 0x0159, "r" },  { 0x015A, 0x0161, "s" },  { 0x0162, 0x0167, "t" },
	{ 0x0168, 0x0173, "u" },  { 0x0174, 0x0175, "w" },  { 0x0176, 0x0178, "y" },
	{ 0x0179, 0x017E, "z" },  { 0x017F, 0x017F, "s" },  { 0x01CD, 0x01CE, "a" },
	{ 0x01CF, 0x01D0, "i" },  { 0x01D1, 0x01D2, "o" },  { 0x01D3, 0x01DC, "u" },
	{ 0x0218, 0x0219, "s" },  { 0x021A, 0x021B, "t" },  { 0x1E9E, 0x1E9E, "ss" },
};

/* Lower case of letters outside the fold table: Greek, Cyrillic (ё as е),
 * Latin Extended Additional; others stay as they are. */
static uint32_t lower(uint32_t c)
{
	if (c >= 0x0391 && c <= 0x03AB && c != 0x03A2)
		return c + 0x20;
	if (c == 0x0386)
		return 0x03AC;
	if (c >= 0x0388 && c <= 0x038A)
		return c + 0x25;
	if (c == 0x038C)
		return 0x03CC;
	if (c == 0x038E || c == 0x038F)
		return c + 0x3F;
	if (c == 0x03C2)
		return 0x03C3;    /* final sigma */
	if (c == 0x0401 || c == 0x0451)
		return 0x0435;
	if (c >= 0x0400 && c <= 0x040F)
		return c + 0x50;
	if (c >= 0x0410 && c <= 0x042F)
		return c + 0x20;
	if ((c >= 0x1E00 && c <= 0x1E95) || (c >= 0x1EA0 && c <= 0x1EFF))
		return c | 1;
	return c;
}

/* The folded spelling of the word character c into out (at least 4 bytes):
 * its length, 0 for a silent mark. */
static size_t fold_char(int32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		return 1;
	}
	if (class_of(c) == CC_SILENT)
		return 0;
	if (c >= 0xFF10 && c <= 0xFF19) {   /* fullwidth digits and letters */
		out[0] = (char)('0' + (c - 0xFF10));
		return 1;
	}
	if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) {
		out[0] = (char)('a' + (c - (c >= 0xFF41 ? 0xFF41 : 0xFF21)));
		return 1;
	}
	size_t lo = 0, hi = sizeof folds / sizeof folds[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((uint32_t)c < folds[mid].lo) {
			hi = mid;
		} else if ((uint32_t)c > folds[mid].hi) {
			lo = mid + 1;
		} else {
			size_t n = folds[mid].to[1] ? 2 : 1;
			memcpy(out, folds[mid].to, n);
			return n;
		}
	}
	return encode(lower((uint32_t)c), out);
}

bool analyze_has_word(const char *text, size_t len)
{
	for (size_t i = 0; i < len;)
		if (class_of(decode(text, len, &i)) == CC_WORD)
			return true;
	return false;
}

/* ---- words ---- */

struct word {
	size_t start, end;   /* the word in the text, a gender ending included */
	size_t base_end;     /* the end of what is analysed */
};

static bool ascii_ieq(const char *s, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != lit[i])
			return false;
	return true;
}

/* Bytes of a gender marker at s: * : _ / /- or the middle dot. */
static size_t gender_marker(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '/' && s[1] == '-')
		return 2;
	if (n >= 1 && (s[0] == '*' || s[0] == ':' || s[0] == '_' || s[0] == '/'))
		return 1;
	if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xB7)
		return 2;
	return 0;
}

/* German gender forms name everyone with one word: "Arbeiter*innen",
 * "Lehrer/-in", "Kolleg:innen", "Kund_innen", "ArbeiterInnen". The ending
 * is not a word of its own, and the word's term is that of its base (the
 * part before the marker), so all of them meet "Arbeiter". */
static void gender_ending(const char *t, size_t len, struct word *w)
{
	size_t e = w->end;
	size_t m = gender_marker(t + e, len - e);
	if (m && e - w->start >= 3) {
		size_t k = e + m, n = 0;
		if (len - k >= 5 && ascii_ieq(t + k, "innen", 5))
			n = 5;
		else if (len - k >= 2 && ascii_ieq(t + k, "in", 2))
			n = 2;
		size_t after = k + n;
		if (n && (after == len || class_of(decode(t, len, &after)) == CC_SEP)) {
			w->end = k + n;
			return;
		}
	}
	/* Binnen-I: a capital I after a small letter; "…In" alone is left to the
	 * feminine rule, which knows which bases may take it ("LinkedIn"). */
	if (e - w->start >= 8 && !memcmp(t + e - 5, "Innen", 5)) {
		unsigned char p = (unsigned char)t[e - 6], q = (unsigned char)t[e - 7];
		if ((p >= 'a' && p <= 'z') ||
		    (q == 0xC3 && (p == 0xA4 || p == 0xB6 || p == 0xBC || p == 0x9F)))
			w->base_end = e - 5;
	}
}

/* Finds the next word at or after *pos and moves *pos past it; false when
 * there is none. */
static bool next_word(const char *text, size_t len, size_t *pos, bool german, struct word *w)
{
	size_t i = *pos;
	for (;;) {
		if (i >= len) {
			*pos = len;
			return false;
		}
		size_t at = i;
		if (class_of(decode(text, len, &i)) == CC_WORD) {
			w->start = at;
			break;
		}
	}
	size_t end = i;
	while (end < len) {
		unsigned char b = (unsigned char)text[end];
		if (b < 0x80) {   /* the common case */
			if (class_of(b) != CC_WORD)
				break;
			end++;
			continue;
		}
		size_t next = end;
		if (class_of(decode(text, len, &next)) == CC_SEP)
			break;
		end = next;
	}
	w->end = w->base_end = end;
	if (german)
		gender_ending(text, len, w);
	*pos = w->end;
	return true;
}

/* Folds the word s[0..n) (word characters only) into out: at most
 * ANALYZE_TERM_MAX bytes, cut before a character that does not fit. */
static size_t fold_word(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x80) {
			if (o == ANALYZE_TERM_MAX)
				break;
			out[o++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
			i++;
			continue;
		}
		char tmp[4];
		size_t k = fold_char(decode(s, n, &i), tmp);
		if (o + k > ANALYZE_TERM_MAX)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	return o;
}

static size_t chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static bool ends_with(const char *s, size_t n, const char *lit, size_t k)
{
	return n >= k && !memcmp(s + n - k, lit, k);
}

/* ---- German feminine forms ---- */

struct ending {
	const char *s;
	size_t len;
	size_t min;      /* letters the base needs at least */
};

/* Bases that take -in/-innen for a woman: agent nouns (Arbeiter, Autor,
 * Journalist, Student, Praktikant, Ingenieur, Therapeut, Biolog(e),
 * Kolleg(e), Kandidat, Architekt, Chirurg, Sekretär, Kommissar,
 * Bibliothekar, Aktionär, Doktorand, Kund(e), Freund) and a few nouns of
 * their own (Ärztin, Chefin, Beamtin). A bare "-t" is not among them:
 * "Martin", "Nikotin", "Pektin". */
static const struct ending feminine[] = {
	{ "er", 2, 5 },   { "or", 2, 5 },   { "ist", 3, 5 },  { "ent", 3, 5 },  { "ant", 3, 5 },
	{ "eur", 3, 5 },  { "eut", 3, 5 },  { "log", 3, 5 },  { "eg", 2, 5 },   { "at", 2, 5 },
	{ "ekt", 3, 5 },  { "urg", 3, 5 },  { "tar", 3, 5 },  { "sar", 3, 5 },  { "kar", 3, 5 },
	{ "nar", 3, 5 },  { "nd", 2, 4 },   { "arzt", 4, 4 }, { "chef", 4, 4 }, { "beamt", 5, 5 },
};

/* Words that only look feminine (and compounds ending in them). */
static const char *const not_feminine[] = {
	"valentin", "konstantin", "schwerin", "severin", "gratin",
	"keratin",  "kreatin",    "gelatin",  "glyzerin", "glycerin",
};

/* The length of the base of a folded word: "arbeiterinnen", "arbeiterin"
 * → "arbeiter"; other words keep their length. */
static size_t feminine_base(const char *w, size_t n)
{
	size_t base;
	if (ends_with(w, n, "innen", 5))
		base = n - 5;
	else if (ends_with(w, n, "in", 2))
		base = n - 2;
	else
		return n;
	if (base == n - 2)
		for (size_t i = 0; i < sizeof not_feminine / sizeof not_feminine[0]; i++)
			if (ends_with(w, n, not_feminine[i], strlen(not_feminine[i])))
				return n;
	size_t letters = chars(w, base);
	for (size_t i = 0; i < sizeof feminine / sizeof feminine[0]; i++)
		if (letters >= feminine[i].min && ends_with(w, base, feminine[i].s, feminine[i].len))
			return base;
	return n;
}

/* ---- the cache of recent words ---- */

#define CACHE_FIRST 1024u        /* slots at first; doubles up to CACHE_MAX */
#define CACHE_MAX 65536u         /* then, when half full, it is emptied */
#define CACHE_BYTES_PER_WORD 48  /* pool bytes per cached word (on average) */

struct cache_slot {
	uint32_t hash;
	uint32_t at;        /* the word, then its term, in the pool, + 1; 0: free */
	uint32_t parts_at;  /* the parts in the pool: nparts × (length byte, bytes) */
	uint32_t epoch;     /* the vocabulary epoch of parts_at; 0: not split yet */
	uint8_t wlen, tlen, nparts;
};

struct cache {
	struct cache_slot *slots;
	size_t cap, n;      /* cap: a power of two */
	char *pool;
	size_t used, size;
};

static uint32_t hash32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int cache_resize(struct cache *c, size_t cap)
{
	struct cache_slot *slots = calloc(cap, sizeof *slots);
	size_t size = cap / 2 * CACHE_BYTES_PER_WORD;
	char *pool = realloc(c->pool, size);
	if (!slots || !pool) {
		free(slots);
		if (pool)
			c->pool = pool;
		return DP_ENOMEM;
	}
	/* Carry the entries over when growing: their bytes stay where they are. */
	for (size_t i = 0; c->slots && i < c->cap && c->n; i++) {
		if (!c->slots[i].at)
			continue;
		size_t j = c->slots[i].hash & (cap - 1);
		while (slots[j].at)
			j = (j + 1) & (cap - 1);
		slots[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
	c->pool = pool;
	c->size = size;
	return DP_OK;
}

static void cache_release(struct cache *c)
{
	free(c->slots);
	free(c->pool);
}

/* The slot of the word, or the free slot where it goes. */
static struct cache_slot *cache_probe(const struct cache *c, const char *w, size_t n, uint32_t h)
{
	for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct cache_slot *s = &c->slots[i];
		if (!s->at || (s->hash == h && s->wlen == n && !memcmp(c->pool + s->at - 1, w, n)))
			return s;
	}
}

/* Makes room for one more word (and its term): grows the table while it
 * may, and empties it when it is at its largest and half full. */
static int cache_room(struct cache *c)
{
	if (c->n + 1 <= c->cap / 2 && c->size - c->used >= 2 * ANALYZE_TERM_MAX)
		return DP_OK;
	if (c->cap < CACHE_MAX)
		return cache_resize(c, c->cap * 2);
	memset(c->slots, 0, c->cap * sizeof *c->slots);
	c->n = 0;
	c->used = 0;
	return DP_OK;
}

/* ---- the analyzer ---- */

#define SEGMENTS_MAX 4       /* a compound is split into at most this many parts */
#define SPLIT_WORK_MAX 200   /* stemmer calls spent on splitting one word */

struct terms {
	char term[ANALYZE_TERM_MAX];
	size_t len;
	size_t nparts;
	char part[ANALYZE_PARTS_MAX][ANALYZE_TERM_MAX];
	size_t part_len[ANALYZE_PARTS_MAX];
};

struct analyzer {
	struct sb_stemmer *stemmer;
	bool german;
	const struct vocab *vocab;
	size_t vocab_seen;       /* its size when last looked at: a change makes cached parts stale */
	uint32_t epoch;          /* of the vocabulary; cached parts of other epochs are stale */
	struct vocab *stop;      /* terms that are never parts of a compound */
	struct vocab *function;  /* the terms of the language's function words */
	size_t work;             /* stemmer calls for the current word's split */
	struct cache cache;
	struct terms out;        /* the terms of the current word */
};

/* Function words: the words nearly every article has. They make no
 * compound part ("Ausland" is not about a Land), a related-articles query
 * leaves them out, and the index pairs them with their neighbours so that a
 * phrase holding one need not walk its whole list (analyze.h). Changing a
 * list changes the index: bump SEARCH_INDEX_FORMAT (store/sqlite/search.c). */
static const char *const function_de[] = {
	"ab",      "aber",    "alle",    "als",     "also",    "am",      "an",      "ander",
	"auch",    "auf",     "aus",     "bei",     "beim",    "bereits", "bis",     "bisher",
	"da",      "dabei",   "dafür",   "dagegen", "daher",   "damit",   "dann",    "dar",
	"darauf",  "darüber", "das",     "dass",    "daß",     "dein",    "dem",     "den",
	"denn",    "der",     "des",     "dessen",  "die",     "dies",    "diese",   "dieser",
	"doch",    "dort",    "du",      "durch",   "ein",     "eine",    "einem",   "einen",
	"einer",   "eines",   "er",      "es",      "etwa",    "euch",    "für",     "gegen",
	"hab",     "haben",   "hat",     "hatte",   "hätten",  "heißt",   "her",     "hier",
	"hieß",    "hin",     "hinter",  "ich",     "ihm",     "ihn",     "ihr",     "ihre",
	"im",      "in",      "ins",     "ist",     "ja",      "jede",    "jetzt",   "kann",
	"kein",    "können",  "mal",     "man",     "mehr",    "mein",    "mich",    "mir",
	"mit",     "muss",    "müssen",  "nach",    "neben",   "nicht",   "noch",    "nun",
	"nur",     "ob",      "oder",    "ohne",    "sagte",   "schon",   "sehr",    "sei",
	"sein",    "seine",   "seit",    "sich",    "sie",     "sind",    "so",      "soll",
	"sollen",  "sonst",   "sowie",   "über",    "um",      "und",     "uns",     "unser",
	"unter",   "vom",     "von",     "vor",     "war",     "waren",   "was",     "weil",
	"wenn",    "wer",     "werden",  "wie",     "wieder",  "will",    "wir",     "wird",
	"wo",      "wurde",   "wurden",  "zu",      "zum",     "zur",     "zwar",    "zwei",
	"zwischen",
};
static const char *const function_en[] = {
	"a",     "about", "after", "all",    "also",  "an",    "and",   "any",   "are",
	"as",    "at",    "be",    "been",   "before", "being", "but",  "by",    "can",
	"could", "did",   "do",    "does",   "for",   "from",  "had",   "has",   "have",
	"he",    "her",   "his",   "how",    "i",     "if",    "in",    "into",  "is",
	"it",    "its",   "may",   "more",   "no",    "not",   "of",    "on",    "or",
	"our",   "out",   "over",  "said",   "she",   "should", "so",   "some",  "than",
	"that",  "the",   "their", "them",   "then",  "there", "these", "they",  "this",
	"those", "to",    "two",   "up",     "was",   "we",    "were",  "what",  "when",
	"where", "which", "while", "who",    "will",  "with",  "would", "you",
};
/* Affixes, which make no compound part either: "Vorstand" is not about a
 * Stand, "Gesellschaft" not about a Schaft. */
static const char *const affixes_de[] = {
	"be",   "ent",  "emp",  "ge",   "miss", "ver",  "zer", "ur",     "chen",
	"heit", "isch", "keit", "lein", "lich", "ling", "schaft", "ung",
};

/* The term of the folded word w[0..n) into out: feminine base (German),
 * then the stemmer; digits alone are their own term. */
static int make_term(struct analyzer *a, const char *w, size_t n, char *out, size_t *ret_len)
{
	if (a->german)
		n = feminine_base(w, n);
	size_t k = 0;
	while (k < n && w[k] >= '0' && w[k] <= '9')
		k++;
	if (k == n) {
		memcpy(out, w, n);
		*ret_len = n;
		return DP_OK;
	}
	a->work++;
	const sb_symbol *s = sb_stemmer_stem(a->stemmer, (const sb_symbol *)w, (int)n);
	if (!s)
		return DP_ENOMEM;
	size_t len = (size_t)sb_stemmer_length(a->stemmer);
	if (len == 0) {
		s = (const sb_symbol *)w;
		len = n;
	}
	if (len > ANALYZE_TERM_MAX) {
		len = ANALYZE_TERM_MAX;
		while (len && (s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	*ret_len = len;
	return DP_OK;
}

/* Adds the terms of the n words to set. */
static int add_terms(struct analyzer *a, struct vocab *set, const char *const *words, size_t n)
{
	int rc = DP_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		char f[ANALYZE_TERM_MAX], t[ANALYZE_TERM_MAX];
		size_t flen = fold_word(words[i], strlen(words[i]), f), tlen;
		rc = make_term(a, f, flen, t, &tlen);
		if (!rc && tlen)
			rc = vocab_add(set, t, tlen, NULL);
	}
	return rc;
}

int analyzer_new(const char *lang, struct analyzer **ret)
{
	const char *algorithm;
	if (lang && !strcmp(lang, "de"))
		algorithm = "german";
	else if (lang && !strcmp(lang, "en"))
		algorithm = "english";
	else
		return DP_EINVAL;
	struct analyzer *a = calloc(1, sizeof *a);
	if (!a)
		return DP_ENOMEM;
	int rc = DP_ENOMEM;
	a->german = algorithm[0] == 'g';
	a->epoch = 1;
	a->stemmer = sb_stemmer_new(algorithm, "UTF_8");
	if (!a->stemmer || cache_resize(&a->cache, CACHE_FIRST))
		goto fail;
	const char *const *fw = a->german ? function_de : function_en;
	size_t nfw = a->german ? sizeof function_de / sizeof function_de[0]
			       : sizeof function_en / sizeof function_en[0];
	if ((rc = vocab_new(&a->function)) || (rc = vocab_new(&a->stop)) ||
	    (rc = add_terms(a, a->function, fw, nfw)))
		goto fail;
	if (a->german && ((rc = add_terms(a, a->stop, function_de, nfw)) ||
			  (rc = add_terms(a, a->stop, affixes_de,
					  sizeof affixes_de / sizeof affixes_de[0]))))
		goto fail;
	*ret = a;
	return DP_OK;
fail:
	analyzer_free(a);
	return rc;
}

void analyzer_free(struct analyzer *a)
{
	if (!a)
		return;
	sb_stemmer_delete(a->stemmer);
	vocab_free(a->stop);
	vocab_free(a->function);
	cache_release(&a->cache);
	free(a);
}

static void next_epoch(struct analyzer *a)
{
	a->vocab_seen = a->vocab ? vocab_size(a->vocab) : 0;
	if (++a->epoch == 0)
		a->epoch = 1;
}

void analyzer_set_vocab(struct analyzer *a, const struct vocab *v)
{
	a->vocab = v;
	next_epoch(a);
}

/* ---- compounds ---- */

static const char *const linking[] = { "es", "en", "er", "s", "n", "e" };

/* Whether w[0..n) is a known part: its term (or, with link, the term of w
 * without a linking element: "Arbeits-", "Bundes-") is in the vocabulary
 * and is no function word. The term goes to out. */
static int known_part(struct analyzer *a, const char *w, size_t n, bool link, char *out,
		      size_t *ret_len, bool *ret_known)
{
	*ret_known = false;
	for (size_t i = 0; i <= (link ? sizeof linking / sizeof linking[0] : 0); i++) {
		size_t cut = i ? strlen(linking[i - 1]) : 0;
		if (i && (!ends_with(w, n, linking[i - 1], cut) || chars(w, n - cut) < 3))
			continue;
		int rc = make_term(a, w, n - cut, out, ret_len);
		if (rc)
			return rc;
		if (vocab_has(a->vocab, out, *ret_len) && !vocab_has(a->stop, out, *ret_len)) {
			*ret_known = true;
			return DP_OK;
		}
	}
	return DP_OK;
}

static void add_part(struct terms *t, const char *term, size_t len)
{
	if (t->nparts == ANALYZE_PARTS_MAX || (len == t->len && !memcmp(term, t->term, len)))
		return;
	for (size_t i = 0; i < t->nparts; i++)
		if (t->part_len[i] == len && !memcmp(t->part[i], term, len))
			return;
	memcpy(t->part[t->nparts], term, len);
	t->part_len[t->nparts++] = len;
}

/* Splits w[0..n) into a head and a known tail of at least four letters,
 * the longest tail that works first; the head must be known itself (maybe
 * with a linking element) or split again. A known tail that is a compound
 * itself is split too, so "Bundesverkehrsminister" with "Verkehrsminister"
 * known still yields "Minister". Appends the parts' terms to t; returns the
 * number of parts (*ret_parts 0: no split), at most `budget`. tail_link:
 * the tail may end in a linking element (w is the head of a longer word). */
static int split(struct analyzer *a, const char *w, size_t n, size_t budget, bool tail_link,
		 struct terms *t, size_t *ret_parts)
{
	*ret_parts = 0;
	size_t total = chars(w, n), head_chars = 0;
	if (budget < 2 || total < 7)
		return DP_OK;
	for (size_t i = 1; i < n; i++) {
		if (((unsigned char)w[i] & 0xC0) == 0x80)
			continue;
		if (++head_chars < 3)
			continue;
		if (total - head_chars < 4 || a->work > SPLIT_WORK_MAX)
			break;
		char tail[ANALYZE_TERM_MAX], head[ANALYZE_TERM_MAX];
		size_t tail_len, head_len, mark = t->nparts, parts = 0;
		bool known;
		int rc = known_part(a, w + i, n - i, tail_link, tail, &tail_len, &known);
		if (rc)
			return rc;
		if (!known)
			continue;
		rc = known_part(a, w, i, true, head, &head_len, &known);
		if (rc)
			return rc;
		if (known)   /* a known head may be a compound itself ("Hochwasser") */
			add_part(t, head, head_len);
		rc = split(a, w, i, budget - 1, true, t, &parts);
		if (rc)
			return rc;
		if (known && !parts)
			parts = 1;
		if (!parts) {
			t->nparts = mark;
			continue;
		}
		add_part(t, tail, tail_len);
		size_t tail_parts = 0;
		rc = split(a, w + i, n - i, budget - parts, tail_link, t, &tail_parts);
		if (rc)
			return rc;
		*ret_parts = parts + (tail_parts ? tail_parts : 1);
		return DP_OK;
	}
	return DP_OK;
}

/* ---- one word ---- */

/* The term of the word s[0..n) into a->out, and with parts, the terms of
 * its compound parts. */
static int word_terms(struct analyzer *a, const char *s, size_t n, bool parts)
{
	struct terms *t = &a->out;
	char w[ANALYZE_TERM_MAX];
	size_t wlen = fold_word(s, n, w);
	struct cache *c = &a->cache;
	uint32_t h = hash32(w, wlen);
	struct cache_slot *slot = cache_probe(c, w, wlen, h);
	t->nparts = 0;
	if (slot->at) {
		t->len = slot->tlen;
		memcpy(t->term, c->pool + slot->at - 1 + slot->wlen, t->len);
	} else {
		int rc = make_term(a, w, wlen, t->term, &t->len);
		if (!rc)
			rc = cache_room(c);
		if (rc)
			return rc;
		slot = cache_probe(c, w, wlen, h);
		slot->hash = h;
		slot->at = (uint32_t)c->used + 1;
		slot->wlen = (uint8_t)wlen;
		slot->tlen = (uint8_t)t->len;
		slot->epoch = 0;
		memcpy(c->pool + c->used, w, wlen);
		memcpy(c->pool + c->used + wlen, t->term, t->len);
		c->used += wlen + t->len;
		c->n++;
	}
	if (!parts)
		return DP_OK;
	if (vocab_size(a->vocab) != a->vocab_seen)
		next_epoch(a);
	if (slot->epoch == a->epoch) {
		const char *p = c->pool + slot->parts_at - 1;
		for (size_t i = 0; i < slot->nparts; i++) {
			t->part_len[i] = (unsigned char)*p++;
			memcpy(t->part[i], p, t->part_len[i]);
			p += t->part_len[i];
		}
		t->nparts = slot->nparts;
		return DP_OK;
	}
	size_t base = feminine_base(w, wlen), nsplit;
	a->work = 0;
	if (chars(w, base) >= 8) {
		int rc = split(a, w, base, SEGMENTS_MAX, false, t, &nsplit);
		if (rc)
			return rc;
	}
	size_t need = t->nparts;
	for (size_t i = 0; i < t->nparts; i++)
		need += t->part_len[i];
	if (c->size - c->used >= need) {   /* else they are computed again next time */
		slot->parts_at = (uint32_t)c->used + 1;
		slot->nparts = (uint8_t)t->nparts;
		slot->epoch = a->epoch;
		for (size_t i = 0; i < t->nparts; i++) {
			c->pool[c->used++] = (char)t->part_len[i];
			memcpy(c->pool + c->used, t->part[i], t->part_len[i]);
			c->used += t->part_len[i];
		}
	}
	return DP_OK;
}

int analyzer_run(struct analyzer *a, const char *text, size_t len, enum analyze_mode mode,
		 analyze_cb cb, void *arg)
{
	bool parts = mode == ANALYZE_DOCUMENT && a->vocab && a->german;
	struct word w;
	size_t pos = 0;
	while (next_word(text, len, &pos, a->german, &w)) {
		int rc = word_terms(a, text + w.start, w.base_end - w.start, parts);
		if (rc)
			return rc;
		const struct terms *t = &a->out;
		if (!t->len)
			continue;
		rc = cb(arg, t->term, t->len, w.start, w.end, false);
		for (size_t i = 0; !rc && i < t->nparts; i++)
			rc = cb(arg, t->part[i], t->part_len[i], w.start, w.end, true);
		if (rc)
			return rc;
	}
	return DP_OK;
}

bool analyzer_function_word(const struct analyzer *a, const char *term, size_t len)
{
	return vocab_has(a->function, term, len);
}

int analyzer_term(struct analyzer *a, const char *word, size_t len, char *out, size_t *ret_len)
{
	struct word w;
	size_t pos = 0;
	out[0] = '\0';
	*ret_len = 0;
	if (!next_word(word, len, &pos, a->german, &w))
		return DP_OK;
	int rc = word_terms(a, word + w.start, w.base_end - w.start, false);
	if (rc)
		return rc;
	memcpy(out, a->out.term, a->out.len);
	out[a->out.len] = '\0';
	*ret_len = a->out.len;
	return DP_OK;
}
