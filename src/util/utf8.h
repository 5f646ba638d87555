/* utf8.h — validation of text that editors and readers send. */
#ifndef DEPESCHE_UTIL_UTF8_H
#define DEPESCHE_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);

/* True when s has a control character: any C0 byte other than those in
 * `allowed` (e.g. "\n\t" for a body, "" for a title), DEL, or a C1 control. */
bool utf8_has_control(const char *s, const char *allowed);

/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);

/* Byte length of the longest prefix of s with at most max code points that
 * does not split a character. */
size_t utf8_prefix(const char *s, size_t max_chars);

#endif
