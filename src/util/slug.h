/* slug.h — URL slugs derived from free text (titles, tag and author names).
 *
 * The rules: ASCII letters are lowercased and digits kept; German umlauts
 * become ae/oe/ue and ß (and ẞ) ss, upper case alike; other accented Latin
 * letters (Latin-1 and Latin Extended-A, plus Romanian ș ț) become their base
 * letter (é→e, ł→l, æ→ae, œ→oe, þ→th). Every other character, including
 * invalid UTF-8, separates words: runs of them become one '-', and '-' never
 * leads or ends a slug. A slug is at most SLUG_MAX bytes; a longer one is cut
 * at a word boundary when one lies in its second half. When nothing remains
 * (empty text, only punctuation, a non-Latin script) the slug is "n-" and
 * eight hex digits of a hash of the text, so the same text always gives the
 * same slug. */
#ifndef DEPESCHE_UTIL_SLUG_H
#define DEPESCHE_UTIL_SLUG_H

#include <stddef.h>

#define SLUG_MAX 80

/* Writes the slug of `text` (NULL is taken as "") to out as a C string.
 * Returns DP_OK, or DP_EINVAL when out cannot hold the slug and its NUL
 * (outlen > SLUG_MAX is always enough); out is then left "" if outlen > 0. */
int slug_from_text(const char *text, char *out, size_t outlen);

#endif
