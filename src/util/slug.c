/* slug.c — transliterating slugs from UTF-8 text (see slug.h for the rules). */
#include "util/slug.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

/* U+00C0..U+00FF. A lower-case letter stands for itself; the upper-case
 * letters are two-letter expansions (see expand()); '-' is not a letter
 * (× and ÷). */
static const char latin1[64 + 1] =
	"aaaaAaAc" "eeeeiiii" "dnooooO-" "ouuuUyTS"  /* À..ß */
	"aaaaAaAc" "eeeeiiii" "dnooooO-" "ouuuUyTy"; /* à..ÿ */

/* U+0100..U+017F, Latin Extended-A, in code point order. */
static const char latin_ext_a[128 + 1] =
	"aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
	"II" /* Ĳ ĳ */ "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "OO" /* Œ œ */
	"rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";

_Static_assert(sizeof latin1 == 65, "latin1 covers U+00C0..U+00FF");
_Static_assert(sizeof latin_ext_a == 129, "latin_ext_a covers U+0100..U+017F");

/* The ASCII replacement of a table letter. */
static const char *expand(char c, char one[2])
{
	switch (c) {
	case 'A': return "ae";
	case 'O': return "oe";
	case 'U': return "ue";
	case 'S': return "ss";
	case 'T': return "th";
	case 'I': return "ij";
	case '-': return NULL;
	default:
		one[0] = c;
		one[1] = '\0';
		return one;
	}
}

/* The ASCII letters for code point cp, or NULL when cp separates words. */
static const char *translit(uint32_t cp, char one[2])
{
	if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z'))
		return expand((char)cp, one);
	if (cp >= 'A' && cp <= 'Z')
		return expand((char)(cp - 'A' + 'a'), one);
	if (cp >= 0xC0 && cp <= 0xFF)
		return expand(latin1[cp - 0xC0], one);
	if (cp >= 0x100 && cp <= 0x17F)
		return expand(latin_ext_a[cp - 0x100], one);
	if (cp == 0x1E9E) /* ẞ */
		return "ss";
	if (cp == 0x218 || cp == 0x219) /* Ș ș */
		return "s";
	if (cp == 0x21A || cp == 0x21B) /* Ț ț */
		return "t";
	return NULL;
}

/* Decodes one code point at s (not at its NUL) and returns its byte length;
 * invalid UTF-8 yields one byte decoded as U+FFFD. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2; v = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; v = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		goto bad;
	}
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80) /* also stops at the NUL */
			goto bad;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = 0xFFFD;
	return 1;
}

int slug_from_text(const char *text, char *out, size_t outlen)
{
	char tmp[SLUG_MAX + 1];
	size_t n = 0;
	bool sep = false, full = false, split = false;
	const unsigned char *s = (const unsigned char *)(text ? text : "");

	if (!out || outlen == 0)
		return DP_EINVAL;
	out[0] = '\0';

	while (*s && !full) {
		uint32_t cp;
		char one[2];
		s += decode(s, &cp);
		const char *rep = translit(cp, one);
		if (!rep) {
			sep = true;
			continue;
		}
		if (sep && n > 0) {
			if (n == SLUG_MAX) {
				full = true;
				break;
			}
			tmp[n++] = '-';
		}
		sep = false;
		for (; *rep; rep++) {
			if (n == SLUG_MAX) {
				full = split = true;
				break;
			}
			tmp[n++] = *rep;
		}
	}
	/* Drop a word the limit split (when that keeps half the slug). */
	if (split) {
		size_t cut = n;
		while (cut > SLUG_MAX / 2 && tmp[cut - 1] != '-')
			cut--;
		if (cut > SLUG_MAX / 2)
			n = cut;
	}
	while (n > 0 && tmp[n - 1] == '-')
		n--;
	tmp[n] = '\0';

	if (n == 0) {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++)
			h = (h ^ *p) * 16777619u;
		n = (size_t)snprintf(tmp, sizeof tmp, "n-%08x", (unsigned)h);
	}
	if (n + 1 > outlen)
		return DP_EINVAL;
	memcpy(out, tmp, n + 1);
	return DP_OK;
}
