/* vocab.h — a set of terms (the site's vocabulary: the terms of words that
 * stand alone somewhere in its articles), for splitting compounds. An open
 * hash table; not thread-safe. */
#ifndef DEPESCHE_SEARCH_VOCAB_H
#define DEPESCHE_SEARCH_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

struct vocab;

int vocab_new(struct vocab **ret);
void vocab_free(struct vocab *v);         /* NULL-tolerant */
/* Adds the term (len bytes); *ret_new (optional) tells whether it was new. */
int vocab_add(struct vocab *v, const char *term, size_t len, bool *ret_new);
bool vocab_has(const struct vocab *v, const char *term, size_t len);
size_t vocab_size(const struct vocab *v);

#endif
