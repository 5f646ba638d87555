/* buf.h — a growable byte buffer with a hard size cap and a sticky error.
 *
 * Appends never fail loudly: the first failure (out of memory, or growing past
 * `max`) sets `err` and every later append is a no-op, so a writer appends
 * freely and checks buf_error() once at the end (SQLite's StrAccum, curl's
 * dynbuf). The data is always NUL-terminated once anything was appended.
 *
 *   struct buf b;
 *   buf_init(&b, 1 << 20);
 *   buf_puts(&b, "hello");
 *   if (buf_error(&b)) ...;
 *   buf_release(&b);
 */
#ifndef DEPESCHE_UTIL_BUF_H
#define DEPESCHE_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, not counting the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 means the default of 64 MiB */
	int err;     /* sticky: DP_OK, DP_ENOMEM or DP_ETOOBIG */
};

#define BUF_INIT(m) { NULL, 0, 0, (m), 0 }

void buf_init(struct buf *b, size_t max);
/* Frees the data; the buffer may be reused after buf_init(). NULL-tolerant. */
void buf_release(struct buf *b);
/* Empties the buffer and clears the error, keeping the allocation. */
void buf_reset(struct buf *b);

int buf_add(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* The error state: DP_OK while every append succeeded. */
static inline int buf_error(const struct buf *b) { return b->err; }
/* The contents as a C string; "" for an empty buffer. Owned by b. */
const char *buf_cstr(const struct buf *b);
/* Hands the data to the caller (free() it) and empties b. Returns NULL after
 * an error; *ret_len (optional) receives the length. Never NULL on success. */
char *buf_take(struct buf *b, size_t *ret_len);

#endif
