/* mustache.h — a Mustache template engine: compile once, render many times.
 *
 * Implements the Mustache spec (github.com/mustache/spec, v1.4 data in
 * shared/mustache-spec): interpolation, sections, inverted sections,
 * comments, partials, set delimiters and the optional inheritance module
 * (blocks {{$name}} and parents {{<name}}). Lambdas and dynamic names are not
 * supported. The data model is jansson: the context stack holds json_t values.
 *
 * Data rules
 *   - Falsey: a missing name, null, false and the empty array. Everything else,
 *     including 0 and "", is truthy (the spec leaves these to the language;
 *     JSON values keep their identity here).
 *   - A non-empty array section renders once per element; any other truthy
 *     value renders once with the value pushed on the context stack.
 *   - Interpolation: strings as they are, integers in decimal, reals in the
 *     shortest of %.15g / %.17g that reads back exactly, true/false as words,
 *     null, objects, arrays and misses as nothing.
 *   - {{x}} goes through html_txt_n() (escapes & < > " '); {{{x}}} and {{&x}}
 *     are raw and reserved for HTML the engine produced itself (STYLE.md §5).
 *
 * Whitespace: standalone lines follow the spec. A line holding several tags is
 * standalone only if one of them is a parent or block tag (the inheritance
 * spec's "{{<p}}{{/p}}" pairs); other lines need exactly one tag, as in the
 * core spec. Indentation of standalone partials and parents is applied while
 * rendering, before each non-empty line of template text, never to lines
 * inside interpolated values. A block argument whose opening tag ends its line
 * loses the indentation of its first line from every line; where it replaces a
 * block, it gets that block's indentation: the indentation of the block's first
 * content line if the block tag stands alone, or of the block tag itself (for
 * lines after the first) if the tag starts a line it shares, as in
 * "  {{$b}}{{/b}}\n" (such a line keeps its newline, as the spec asks).
 *
 * Limits: at most MUSTACHE_MAX_DEPTH nested inclusions (partials, parents and
 * block substitutions) and MUSTACHE_MAX_NEST nested renders in all (sections
 * included) per render; runaway output is stopped by the cap of the output
 * buffer. Templates are at most MUSTACHE_MAX_SRC bytes.
 *
 * Threads: a set is built single-threaded (new, add, load_dir). Once loading
 * is done it is read-only: any number of threads may call mustache_set_render()
 * and mustache_set_has() on it at once without locks, as long as nobody adds
 * to it or frees it meanwhile. The json_t passed to render is only read (no
 * reference counts change), so one context may be shared by several renders.
 *
 * Needs jansson >= 2.14 (json_object_getn).
 */
#ifndef DEPESCHE_RENDER_MUSTACHE_H
#define DEPESCHE_RENDER_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"

#define MUSTACHE_MAX_DEPTH 64               /* nested partials/parents/blocks */
#define MUSTACHE_MAX_NEST 256               /* nested renders incl. sections */
#define MUSTACHE_MAX_SRC ((size_t)16 << 20) /* bytes per template */

/* A set of named, compiled templates. Partials and parents are looked up by
 * name in the same set; references are resolved when a template is added, so
 * rendering never looks a name up or parses anything. */
struct mustache_set;

/* Returns an empty set, or NULL when out of memory. The caller owns it. */
struct mustache_set *mustache_set_new(void);

/* Frees the set and every template in it. NULL-tolerant. No render may be
 * running on it. */
void mustache_set_free(struct mustache_set *set);

/* Compiles src[0..len) (need not be NUL-terminated; it is copied) under
 * `name`, e.g. "article" or "partials/head". A name added twice replaces the
 * earlier template. Partial and parent names used by src may be added before
 * or after it.
 *
 * Returns DP_OK; DP_EPARSE on a syntax error (unclosed tag or section,
 * mismatched or stray close tag, bad set-delimiter tag, empty or malformed
 * name) with "name:line: message" written to err (errlen bytes, always
 * NUL-terminated; err may be NULL); DP_ETOOBIG if len exceeds
 * MUSTACHE_MAX_SRC; DP_EINVAL for an empty name; DP_ENOMEM. On error any
 * earlier template of that name is left in place. */
int mustache_set_add(struct mustache_set *set, const char *name, const char *src, size_t len,
		     char *err, size_t errlen);

/* Loads every file ending in ".mustache" below dir, recursively (entries
 * starting with '.' are skipped). A template's name is its path relative to
 * dir without the extension: dir/partials/head.mustache -> "partials/head".
 * Returns DP_OK, DP_EIO when a folder or file cannot be read, or the first
 * error of mustache_set_add(); err gets a message naming the file. Templates
 * loaded before an error stay in the set. */
int mustache_set_load_dir(struct mustache_set *set, const char *dir, char *err, size_t errlen);

/* True if a template of that name was added (a name only referenced as a
 * partial does not count). */
bool mustache_set_has(const struct mustache_set *set, const char *name);

/* Renders template `name` with the context ctx (may be NULL; only read, not
 * stolen, not incref'd) and appends the result to out. A missing partial or
 * parent renders as the empty string.
 *
 * Returns DP_ENOTFOUND if `name` is not in the set (nothing appended);
 * DP_ETOOBIG if MUSTACHE_MAX_DEPTH or MUSTACHE_MAX_NEST was exceeded (e.g. a
 * partial that includes itself unconditionally); otherwise buf_error(out)
 * (DP_ENOMEM, or DP_ETOOBIG at the buffer's cap). After an error out holds
 * partial output and should be discarded. Thread-safe, see above. */
int mustache_set_render(const struct mustache_set *set, const char *name, json_t *ctx,
			struct buf *out);

#endif
