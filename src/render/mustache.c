/* mustache.c — Mustache templates: a compiler to a flat node array and a
 * lock-free renderer over jansson values. Spec: github.com/mustache/spec
 * (core modules and ~inheritance; no lambdas, no dynamic names). */
#include "render/mustache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/html.h"
#include "util/err.h"

#define MAX_DELIM 16      /* bytes in a set delimiter */
#define MAX_DIR_DEPTH 16  /* folder levels mustache_set_load_dir descends */
#define NONE UINT32_MAX

/* ---- compiled form ------------------------------------------------------ */

enum node_type {
	N_TEXT,     /* literal text */
	N_VAR,      /* {{x}}: escaped */
	N_RAW,      /* {{{x}}} and {{&x}} */
	N_SECTION,  /* {{#x}} */
	N_INVERTED, /* {{^x}} */
	N_PARTIAL,  /* {{>x}} */
	N_PARENT,   /* {{<x}}: children are ignored except its direct blocks */
	N_BLOCK,    /* {{$x}}: children are the default content */
};

enum node_flag {
	NF_STANDALONE = 1, /* partial, parent: `ind` goes before every line */
	NF_BLOCK_ALL = 2,  /* block: an override gets `ind` before every line */
	NF_BLOCK_CONT = 4, /* block: an override gets `ind` before lines 2.. */
};

/* A slice of the template's source. */
struct seg {
	uint32_t off, len;
};

/* One node of a template. Children of sections, parents and blocks follow
 * their opener directly; `next` is the index just past them, so the tree is
 * walked without pointers and skipped in O(1). */
struct node {
	uint8_t type;   /* enum node_type */
	uint8_t flags;  /* enum node_flag */
	uint16_t nseg;  /* VAR..INVERTED: parts of a dotted name; 0 for "." */
	uint32_t next;  /* index after this node and its children */
	uint32_t off;   /* TEXT: the text; others: the name; in tmpl->src */
	uint32_t len;
	uint32_t aux;   /* VAR..INVERTED: first part in segs; PARENT: first in args */
	uint32_t nargs; /* PARENT: number of block arguments */
	struct seg ind; /* PARTIAL, PARENT, BLOCK: indentation, see flags */
	struct tmpl *target; /* PARTIAL, PARENT: never NULL, maybe undefined */
};

/* A named template. Entries are created on first mention (as a template or
 * as a partial) and never move, so nodes point at them directly. */
struct tmpl {
	struct tmpl *hnext; /* hash chain */
	char *name;
	size_t namelen;
	uint32_t hash;
	bool defined;       /* added, not only referenced */
	char *src;          /* NUL-terminated copy; nodes slice it */
	struct node *nodes;
	uint32_t nnodes;
	struct seg *segs;   /* name parts of VAR..INVERTED nodes */
	uint32_t *args;     /* node indexes of parents' direct blocks */
};

struct mustache_set {
	struct tmpl **bucket;
	size_t nbucket; /* power of two */
	size_t count;
};

/* ---- the set ------------------------------------------------------------- */

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static struct tmpl *set_find(const struct mustache_set *set, const char *name, size_t len)
{
	uint32_t h = hash_name(name, len);
	for (struct tmpl *t = set->bucket[h & (set->nbucket - 1)]; t; t = t->hnext)
		if (t->hash == h && t->namelen == len && !memcmp(t->name, name, len))
			return t;
	return NULL;
}

/* Finds or creates the entry for name; NULL when out of memory. */
static struct tmpl *set_get(struct mustache_set *set, const char *name, size_t len)
{
	struct tmpl *t = set_find(set, name, len);
	if (t)
		return t;
	if (set->count >= set->nbucket) {
		size_t nb = set->nbucket * 2;
		struct tmpl **b = calloc(nb, sizeof(*b));
		if (!b)
			return NULL;
		for (size_t i = 0; i < set->nbucket; i++) {
			struct tmpl *e = set->bucket[i], *nx;
			for (; e; e = nx) {
				nx = e->hnext;
				e->hnext = b[e->hash & (nb - 1)];
				b[e->hash & (nb - 1)] = e;
			}
		}
		free(set->bucket);
		set->bucket = b;
		set->nbucket = nb;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->name = malloc(len + 1);
	if (!t->name) {
		free(t);
		return NULL;
	}
	memcpy(t->name, name, len);
	t->name[len] = '\0';
	t->namelen = len;
	t->hash = hash_name(name, len);
	t->hnext = set->bucket[t->hash & (set->nbucket - 1)];
	set->bucket[t->hash & (set->nbucket - 1)] = t;
	set->count++;
	return t;
}

static void tmpl_clear(struct tmpl *t)
{
	free(t->src);
	free(t->nodes);
	free(t->segs);
	free(t->args);
	t->src = NULL;
	t->nodes = NULL;
	t->segs = NULL;
	t->args = NULL;
	t->nnodes = 0;
	t->defined = false;
}

struct mustache_set *mustache_set_new(void)
{
	struct mustache_set *set = calloc(1, sizeof(*set));
	if (!set)
		return NULL;
	set->nbucket = 64;
	set->bucket = calloc(set->nbucket, sizeof(*set->bucket));
	if (!set->bucket) {
		free(set);
		return NULL;
	}
	return set;
}

void mustache_set_free(struct mustache_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nbucket; i++) {
		struct tmpl *t = set->bucket[i], *nx;
		for (; t; t = nx) {
			nx = t->hnext;
			tmpl_clear(t);
			free(t->name);
			free(t);
		}
	}
	free(set->bucket);
	free(set);
}

bool mustache_set_has(const struct mustache_set *set, const char *name)
{
	const struct tmpl *t = set_find(set, name, strlen(name));
	return t && t->defined;
}

/* ---- the compiler -------------------------------------------------------- */

enum tok_type {
	T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_DELIM,
	T_PARTIAL, T_PARENT, T_BLOCK,
};

/* A token of the source: text, or a whole tag with its delimiters. */
struct tok {
	uint8_t type;      /* enum tok_type */
	uint8_t flags;     /* enum node_flag, decided by the standalone pass */
	uint32_t start;    /* span in the source; the standalone pass trims texts */
	uint32_t end;
	uint32_t noff;     /* the tag's name (trimmed content) */
	uint32_t nlen;
	uint32_t line;     /* 1-based, where the tag starts */
	uint32_t match;    /* opener <-> its close tag */
	uint32_t up;       /* the enclosing opener, or NONE */
	struct seg ind;    /* indentation, see enum node_flag */
};

struct comp {
	struct mustache_set *set;
	const char *name;  /* for messages */
	char *src;         /* owned until installed */
	uint32_t len;
	char *err;
	size_t errlen;
	struct tok *toks;
	uint32_t ntoks, ctoks;
	struct node *nodes;
	uint32_t nnodes, cnodes;
	struct seg *segs;
	uint32_t nsegs, csegs;
	uint32_t *args;
	uint32_t nargs, cargs;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Formats "name:line: message" into the caller's buffer; returns DP_EPARSE. */
static int perr(struct comp *c, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct comp *c, uint32_t line, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		int n = snprintf(c->err, c->errlen, "%s:%" PRIu32 ": ", c->name, line);
		if (n >= 0 && (size_t)n < c->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return DP_EPARSE;
}

/* Grows *p (an array of size-byte items with capacity *cap) to hold one more. */
static int grow(void *pp, uint32_t *cap, uint32_t used, size_t size)
{
	void **p = pp;
	if (used < *cap)
		return DP_OK;
	if (*cap >= UINT32_MAX / 2)
		return DP_ETOOBIG;
	uint32_t nc = *cap ? *cap * 2 : 16;
	void *np = realloc(*p, (size_t)nc * size);
	if (!np)
		return DP_ENOMEM;
	*p = np;
	*cap = nc;
	return DP_OK;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool all_blank(const char *s, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++)
		if (!is_blank(s[i]))
			return false;
	return true;
}

static int add_tok(struct comp *c, const struct tok *t)
{
	int rc = grow(&c->toks, &c->ctoks, c->ntoks, sizeof(*c->toks));
	if (rc)
		return rc;
	c->toks[c->ntoks++] = *t;
	return DP_OK;
}

/* Checks a tag's name: non-empty, no blanks inside; for names that are looked
 * up in the context also no empty part in a dotted name. */
static int check_name(struct comp *c, const struct tok *t)
{
	const char *s = c->src + t->noff;
	if (!t->nlen)
		return perr(c, t->line, "empty tag name");
	for (uint32_t i = 0; i < t->nlen; i++)
		if (is_ws(s[i]))
			return perr(c, t->line, "blank inside tag name '%.*s'", (int)(t->nlen > 64 ? 64 : t->nlen), s);
	bool dotted = t->type == T_VAR || t->type == T_RAW || t->type == T_SECTION ||
		      t->type == T_INVERTED || t->type == T_CLOSE;
	if (!dotted || (t->nlen == 1 && s[0] == '.'))
		return DP_OK;
	if (s[0] == '.' || s[t->nlen - 1] == '.' || memmem(s, t->nlen, "..", 2))
		return perr(c, t->line, "bad dotted name '%.*s'", (int)(t->nlen > 64 ? 64 : t->nlen), s);
	return DP_OK;
}

/* Parses the content of {{=open close=}} into the two delimiters. */
static int parse_delims(struct comp *c, const struct tok *t, char *otag, size_t *olen, char *ctag,
			size_t *clen)
{
	const char *s = c->src + t->noff;
	uint32_t n = t->nlen, i = 0, a, b;
	for (a = i; i < n && !is_ws(s[i]); i++)
		;
	uint32_t alen = i - a;
	while (i < n && is_ws(s[i]))
		i++;
	for (b = i; i < n && !is_ws(s[i]); i++)
		;
	uint32_t blen = i - b;
	if (!alen || !blen || i != n || alen > MAX_DELIM || blen > MAX_DELIM ||
	    memchr(s + a, '=', alen) || memchr(s + b, '=', blen))
		return perr(c, t->line, "bad set-delimiter tag");
	memcpy(otag, s + a, alen);
	*olen = alen;
	memcpy(ctag, s + b, blen);
	*clen = blen;
	return DP_OK;
}

/* Splits the source into text and tag tokens, applying set-delimiter tags. */
static int scan(struct comp *c)
{
	const char *s = c->src;
	uint32_t n = c->len, pos = 0, line = 1, counted = 0;
	char otag[MAX_DELIM] = "{{", ctag[MAX_DELIM] = "}}", closer[MAX_DELIM + 1];
	size_t olen = 2, clen = 2;
	int rc;

	for (;;) {
		const char *o = memmem(s + pos, n - pos, otag, olen);
		uint32_t ts = o ? (uint32_t)(o - s) : n;
		if (ts > pos) {
			struct tok t = { .type = T_TEXT, .start = pos, .end = ts, .match = NONE, .up = NONE };
			if ((rc = add_tok(c, &t)))
				return rc;
		}
		if (!o)
			return DP_OK;
		for (; counted < ts; counted++)
			line += s[counted] == '\n';

		struct tok t = { .start = ts, .line = line, .match = NONE, .up = NONE };
		uint32_t p = ts + (uint32_t)olen;
		char sig = p < n ? s[p] : '\0';
		switch (sig) {
		case '#': t.type = T_SECTION; break;
		case '^': t.type = T_INVERTED; break;
		case '/': t.type = T_CLOSE; break;
		case '!': t.type = T_COMMENT; break;
		case '=': t.type = T_DELIM; break;
		case '>': t.type = T_PARTIAL; break;
		case '<': t.type = T_PARENT; break;
		case '$': t.type = T_BLOCK; break;
		case '&': case '{': t.type = T_RAW; break;
		default: t.type = T_VAR; break;
		}
		if (t.type != T_VAR)
			p++;
		size_t cl = 0;
		if (sig == '{' || sig == '=')
			closer[cl++] = sig == '{' ? '}' : '=';
		memcpy(closer + cl, ctag, clen);
		cl += clen;
		const char *e = memmem(s + p, n - p, closer, cl);
		if (!e)
			return perr(c, line, "unclosed tag");
		uint32_t ce = (uint32_t)(e - s);
		t.end = ce + (uint32_t)cl;
		while (p < ce && is_ws(s[p]))
			p++;
		while (ce > p && is_ws(s[ce - 1]))
			ce--;
		t.noff = p;
		t.nlen = ce - p;
		if (t.type == T_DELIM) {
			if ((rc = parse_delims(c, &t, otag, &olen, ctag, &clen)))
				return rc;
		} else if (t.type != T_COMMENT) {
			if ((rc = check_name(c, &t)))
				return rc;
		}
		if ((rc = add_tok(c, &t)))
			return rc;
		pos = t.end;
	}
}

static bool is_opener(uint8_t type)
{
	return type == T_SECTION || type == T_INVERTED || type == T_PARENT || type == T_BLOCK;
}

/* Pairs openers with close tags and records each token's enclosing opener. */
static int match(struct comp *c)
{
	uint32_t *stack = NULL, depth = 0, cap = 0;
	int rc = DP_OK;
	for (uint32_t i = 0; i < c->ntoks; i++) {
		struct tok *t = &c->toks[i];
		t->up = depth ? stack[depth - 1] : NONE;
		if (is_opener(t->type)) {
			if ((rc = grow(&stack, &cap, depth, sizeof(*stack))))
				goto out;
			stack[depth++] = i;
		} else if (t->type == T_CLOSE) {
			const char *name = c->src + t->noff;
			int nl = (int)(t->nlen > 64 ? 64 : t->nlen);
			if (!depth) {
				rc = perr(c, t->line, "close tag '%.*s' without an open section", nl, name);
				goto out;
			}
			struct tok *o = &c->toks[stack[--depth]];
			if (o->nlen != t->nlen || memcmp(c->src + o->noff, name, t->nlen)) {
				rc = perr(c, t->line, "close tag '%.*s' does not match '%.*s' opened on line %" PRIu32,
					  nl, name, (int)(o->nlen > 64 ? 64 : o->nlen), c->src + o->noff, o->line);
				goto out;
			}
			t->up = o->up;
			t->match = stack[depth];
			o->match = i;
		}
	}
	if (depth) {
		struct tok *o = &c->toks[stack[depth - 1]];
		rc = perr(c, o->line, "unclosed section '%.*s'", (int)(o->nlen > 64 ? 64 : o->nlen),
			  c->src + o->noff);
	}
out:
	free(stack);
	return rc;
}

static bool can_stand_alone(uint8_t type)
{
	return type != T_TEXT && type != T_VAR && type != T_RAW;
}

static bool is_inheritance(const struct comp *c, const struct tok *t)
{
	if (t->type == T_CLOSE)
		t = &c->toks[t->match];
	return t->type == T_PARENT || t->type == T_BLOCK;
}

/* Decides whether the tags first..last (one line's worth, with blank-free or
 * blank texts between) stand alone, and trims their line if so. */
static void standalone_group(struct comp *c, uint32_t first, uint32_t last)
{
	const char *s = c->src;
	struct tok *toks = c->toks;
	uint32_t ntags = 0;
	bool ok = true, inherit = false;

	for (uint32_t k = first; k <= last; k++) {
		if (toks[k].type == T_TEXT) {
			ok = ok && all_blank(s, toks[k].start, toks[k].end);
			continue;
		}
		ntags++;
		ok = ok && can_stand_alone(toks[k].type);
		inherit = inherit || is_inheritance(c, &toks[k]);
	}

	/* Left: from the line start to the first tag. The token before a group is
	 * a text holding a newline, or the source's first token. */
	uint32_t lstart = 0;
	if (first > 0) {
		const struct tok *lt = &toks[first - 1];
		const char *nl = memrchr(s + lt->start, '\n', lt->end - lt->start);
		lstart = nl ? (uint32_t)(nl - s) + 1 : lt->start;
	}
	bool lclear = all_blank(s, lstart, toks[first].start);

	/* Right: from the last tag through the end of the line. */
	uint32_t rend = c->len;
	bool rclear = true;
	if (last + 1 < c->ntoks) {
		const struct tok *rt = &toks[last + 1];
		const char *nl = memchr(s + rt->start, '\n', rt->end - rt->start);
		uint32_t stop = nl ? (uint32_t)(nl - s) : rt->end;
		rend = nl ? stop + 1 : rt->end;
		if (nl && stop > rt->start && s[stop - 1] == '\r')
			stop--;
		rclear = all_blank(s, rt->start, stop);
	}

	bool pair = toks[first].type == T_BLOCK && toks[first].match == last;
	if (!(ok && lclear && rclear && !pair && (ntags == 1 || inherit))) {
		/* A block first on its line (after blanks) indents the lines after
		 * the first of an override like the blanks before it. */
		if (lclear && toks[first].type == T_BLOCK) {
			toks[first].flags |= NF_BLOCK_CONT;
			toks[first].ind = (struct seg){ lstart, toks[first].start - lstart };
		}
		return;
	}

	if (first > 0)
		toks[first - 1].end = lstart;
	for (uint32_t k = first; k <= last; k++)
		if (toks[k].type == T_TEXT)
			toks[k].end = toks[k].start;
	if (last + 1 < c->ntoks)
		toks[last + 1].start = rend;

	uint32_t nb = rend;
	while (nb < c->len && is_blank(s[nb]))
		nb++;
	for (uint32_t k = first; k <= last; k++) {
		struct tok *t = &toks[k];
		if (t->type == T_PARTIAL || t->type == T_PARENT) {
			t->flags |= NF_STANDALONE;
			t->ind = (struct seg){ lstart, toks[first].start - lstart };
		} else if (t->type == T_BLOCK) {
			t->flags |= NF_BLOCK_ALL;
			/* Content starting on the next line brings its own
			 * indentation ("intrinsic indentation"). */
			if (t->match > last)
				t->ind = (struct seg){ rend, nb - rend };
			else
				t->ind = (struct seg){ lstart, toks[first].start - lstart };
		}
	}
}

/* Groups the tags of each line and applies the standalone rules. */
static void standalone(struct comp *c)
{
	uint32_t i = 0;
	while (i < c->ntoks) {
		if (c->toks[i].type == T_TEXT) {
			i++;
			continue;
		}
		uint32_t first = i, last = i, j = i + 1;
		while (j < c->ntoks) {
			const struct tok *t = &c->toks[j];
			if (t->type != T_TEXT) {
				last = j++;
			} else if (j + 1 < c->ntoks && !memchr(c->src + t->start, '\n', t->end - t->start)) {
				j++;
			} else {
				break;
			}
		}
		standalone_group(c, first, last);
		i = last + 1;
	}
}

static int add_node(struct comp *c, const struct node *n)
{
	int rc = grow(&c->nodes, &c->cnodes, c->nnodes, sizeof(*c->nodes));
	if (rc)
		return rc;
	c->nodes[c->nnodes] = *n;
	c->nodes[c->nnodes].next = c->nnodes + 1;
	c->nnodes++;
	return DP_OK;
}

static int add_text(struct comp *c, uint32_t from, uint32_t to)
{
	if (from >= to)
		return DP_OK;
	struct node *prev = c->nnodes ? &c->nodes[c->nnodes - 1] : NULL;
	if (prev && prev->type == N_TEXT && prev->off + prev->len == from) {
		prev->len += to - from;
		return DP_OK;
	}
	return add_node(c, &(struct node){ .type = N_TEXT, .off = from, .len = to - from });
}

/* Emits a text, removing up to `strip` blanks at the start of each line: the
 * indentation a block argument brings from where it is written. */
static int emit_text(struct comp *c, uint32_t from, uint32_t to, uint32_t strip)
{
	const char *s = c->src;
	if (!strip)
		return add_text(c, from, to);
	bool bol = from == 0 || s[from - 1] == '\n';
	int rc = DP_OK;
	while (from < to && !rc) {
		for (uint32_t k = 0; bol && k < strip && from < to && is_blank(s[from]); k++)
			from++;
		const char *nl = memchr(s + from, '\n', to - from);
		uint32_t q = nl ? (uint32_t)(nl - s) + 1 : to;
		rc = add_text(c, from, q);
		from = q;
		bol = true;
	}
	return rc;
}

static int emit_name(struct comp *c, struct node *n, const struct tok *t)
{
	const char *s = c->src;
	n->nseg = 0;
	n->aux = c->nsegs;
	if (t->nlen == 1 && s[t->noff] == '.')
		return DP_OK;
	uint32_t p = t->noff, end = t->noff + t->nlen;
	while (p < end) {
		const char *dot = memchr(s + p, '.', end - p);
		uint32_t q = dot ? (uint32_t)(dot - s) : end;
		if (n->nseg == UINT16_MAX)
			return perr(c, t->line, "name has too many parts");
		int rc = grow(&c->segs, &c->csegs, c->nsegs, sizeof(*c->segs));
		if (rc)
			return rc;
		c->segs[c->nsegs++] = (struct seg){ p, q - p };
		n->nseg++;
		p = q + 1;
	}
	return DP_OK;
}

/* Drops `strip` blanks from the front of an indentation slice. */
static struct seg dedent(struct seg ind, uint32_t strip)
{
	uint32_t k = ind.len < strip ? ind.len : strip;
	return (struct seg){ ind.off + k, ind.len - k };
}

/* Turns the tokens into nodes. */
static int emit(struct comp *c)
{
	struct frame {
		uint32_t node;  /* the opener's node */
		uint32_t strip; /* the strip in force outside it */
	} *stack = NULL;
	uint32_t depth = 0, cap = 0, strip = 0;
	int rc = DP_OK;

	for (uint32_t i = 0; i < c->ntoks && !rc; i++) {
		const struct tok *t = &c->toks[i];
		struct node n = { .off = t->noff, .len = t->nlen, .flags = t->flags };
		switch (t->type) {
		case T_TEXT:
			rc = emit_text(c, t->start, t->end, strip);
			continue;
		case T_COMMENT:
		case T_DELIM:
			continue;
		case T_CLOSE:
			depth--;
			c->nodes[stack[depth].node].next = c->nnodes;
			strip = stack[depth].strip;
			continue;
		case T_VAR: n.type = N_VAR; break;
		case T_RAW: n.type = N_RAW; break;
		case T_SECTION: n.type = N_SECTION; break;
		case T_INVERTED: n.type = N_INVERTED; break;
		case T_PARTIAL: n.type = N_PARTIAL; break;
		case T_PARENT: n.type = N_PARENT; break;
		case T_BLOCK: n.type = N_BLOCK; break;
		}
		if (n.type <= N_INVERTED && n.type != N_TEXT && (rc = emit_name(c, &n, t)))
			break;
		if (n.type == N_PARTIAL || n.type == N_PARENT) {
			n.target = set_get(c->set, c->src + t->noff, t->nlen);
			if (!n.target) {
				rc = DP_ENOMEM;
				break;
			}
		}
		n.ind = dedent(t->ind, strip);
		if ((rc = add_node(c, &n)))
			break;
		if (!is_opener(t->type))
			continue;
		if ((rc = grow(&stack, &cap, depth, sizeof(*stack))))
			break;
		stack[depth++] = (struct frame){ c->nnodes - 1, strip };
		/* An argument whose content starts on its own line loses that
		 * line's indentation on every line; the block it replaces adds
		 * its own back when rendering. */
		if (t->type == T_BLOCK && t->up != NONE && c->toks[t->up].type == T_PARENT &&
		    (t->flags & NF_BLOCK_ALL))
			strip = t->ind.len;
	}
	free(stack);
	return rc;
}

/* Lists each parent's direct block children: its arguments. */
static int collect_args(struct comp *c)
{
	for (uint32_t i = 0; i < c->nnodes; i++) {
		struct node *p = &c->nodes[i];
		if (p->type != N_PARENT)
			continue;
		p->aux = c->nargs;
		p->nargs = 0;
		for (uint32_t j = i + 1; j < p->next; j = c->nodes[j].next) {
			if (c->nodes[j].type != N_BLOCK)
				continue;
			int rc = grow(&c->args, &c->cargs, c->nargs, sizeof(*c->args));
			if (rc)
				return rc;
			c->args[c->nargs++] = j;
			p = &c->nodes[i];
			p->nargs++;
		}
	}
	return DP_OK;
}

int mustache_set_add(struct mustache_set *set, const char *name, const char *src, size_t len,
		     char *err, size_t errlen)
{
	struct comp c = { .set = set, .name = name, .err = err, .errlen = errlen };
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!name || !*name)
		return DP_EINVAL;
	if (len > MUSTACHE_MAX_SRC) {
		set_err(err, errlen, "%s: template larger than %zu bytes", name, MUSTACHE_MAX_SRC);
		return DP_ETOOBIG;
	}
	c.len = (uint32_t)len;
	c.src = malloc(len + 1);
	if (!c.src)
		return DP_ENOMEM;
	if (len)
		memcpy(c.src, src, len);
	c.src[len] = '\0';

	if ((rc = scan(&c)) || (rc = match(&c)))
		goto out;
	standalone(&c);
	if ((rc = emit(&c)) || (rc = collect_args(&c)))
		goto out;

	struct tmpl *t = set_get(set, name, strlen(name));
	if (!t) {
		rc = DP_ENOMEM;
		goto out;
	}
	tmpl_clear(t);
	t->src = c.src;
	t->nodes = c.nodes;
	t->nnodes = c.nnodes;
	t->segs = c.segs;
	t->args = c.args;
	t->defined = true;
	c.src = NULL;
	c.nodes = NULL;
	c.segs = NULL;
	c.args = NULL;
out:
	if (rc == DP_ENOMEM)
		set_err(err, errlen, "%s: out of memory", name);
	free(c.toks);
	free(c.src);
	free(c.nodes);
	free(c.segs);
	free(c.args);
	return rc;
}

/* ---- loading a folder ---------------------------------------------------- */

static int read_file(const char *path, char **ret, size_t *ret_len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	int rc = DP_EIO;

	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return DP_EIO;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size > MUSTACHE_MAX_SRC) {
		set_err(err, errlen, "%s: template larger than %zu bytes", path, MUSTACHE_MAX_SRC);
		rc = DP_ETOOBIG;
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		rc = DP_ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*ret = data;
	*ret_len = got;
	data = NULL;
	rc = DP_OK;
out:
	free(data);
	close(fd);
	return rc;
}

/* Loads the templates of dir/rel (rel is "" at the top). */
static int load_tree(struct mustache_set *set, const char *dir, const char *rel, int level,
		     char *err, size_t errlen)
{
	static const char ext[] = ".mustache";
	const size_t extlen = sizeof(ext) - 1;
	char path[PATH_MAX], sub[PATH_MAX];
	int rc = DP_OK;

	if (level > MAX_DIR_DEPTH) {
		set_err(err, errlen, "%s/%s: folders nested too deeply", dir, rel);
		return DP_ETOOBIG;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel) >= sizeof(path)) {
		set_err(err, errlen, "%s/%s: path too long", dir, rel);
		return DP_EIO;
	}
	DIR *d = opendir(path);
	if (!d) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return DP_EIO;
	}
	struct dirent *de;
	while (!rc && (errno = 0, de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= sizeof(sub) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, sub) >= sizeof(path)) {
			set_err(err, errlen, "%s/%s: path too long", dir, de->d_name);
			rc = DP_EIO;
			break;
		}
		struct stat st;
		if (stat(path, &st) < 0) {
			set_err(err, errlen, "%s: %s", path, strerror(errno));
			rc = DP_EIO;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			rc = load_tree(set, dir, sub, level + 1, err, errlen);
			continue;
		}
		size_t sl = strlen(sub);
		if (!S_ISREG(st.st_mode) || sl <= extlen || strcmp(sub + sl - extlen, ext))
			continue;
		char *data = NULL;
		size_t len = 0;
		if ((rc = read_file(path, &data, &len, err, errlen)))
			break;
		sub[sl - extlen] = '\0';
		rc = mustache_set_add(set, sub, data, len, err, errlen);
		free(data);
	}
	if (!rc && errno) {
		set_err(err, errlen, "%s/%s: %s", dir, rel, strerror(errno));
		rc = DP_EIO;
	}
	closedir(d);
	return rc;
}

int mustache_set_load_dir(struct mustache_set *set, const char *dir, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	return load_tree(set, dir, "", 0, err, errlen);
}

/* ---- the renderer -------------------------------------------------------- */

/* The context stack, innermost first; it lives on the C stack. */
struct ctx {
	json_t *v;
	const struct ctx *up;
};

/* The parents being rendered, innermost first: where block arguments come
 * from. The outermost argument of a name wins. */
struct chain {
	const struct tmpl *t;
	const struct node *parent;
	const struct chain *outer;
};

struct rstate {
	struct buf *out;
	int err;          /* DP_ETOOBIG when a depth limit was hit */
	bool bol;         /* the output is at the start of a line */
	unsigned depth;   /* nested inclusions */
	unsigned nest;    /* nested render_range() calls */
	unsigned nind;
	struct {
		const char *s;
		size_t len;
	} ind[MUSTACHE_MAX_DEPTH + 1]; /* the indentation, outermost first */
};

static json_t *lookup(const struct tmpl *t, const struct node *n, const struct ctx *cx)
{
	if (!n->nseg)
		return cx ? cx->v : NULL;
	const struct seg *sg = t->segs + n->aux;
	json_t *v = NULL;
	for (; cx && !v; cx = cx->up)
		if (json_is_object(cx->v))
			v = json_object_getn(cx->v, t->src + sg[0].off, sg[0].len);
	for (uint16_t k = 1; v && k < n->nseg; k++)
		v = json_is_object(v) ? json_object_getn(v, t->src + sg[k].off, sg[k].len) : NULL;
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return true;
	}
}

static void put_indent(struct rstate *st)
{
	for (unsigned k = 0; k < st->nind; k++)
		buf_add(st->out, st->ind[k].s, st->ind[k].len);
}

static void put_text(struct rstate *st, const char *s, size_t len)
{
	if (!len)
		return;
	if (!st->nind) {
		buf_add(st->out, s, len);
		st->bol = s[len - 1] == '\n';
		return;
	}
	const char *end = s + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *q = nl ? nl + 1 : end;
		/* Empty lines stay empty. */
		if (st->bol && *s != '\n' && !(*s == '\r' && s + 1 < end && s[1] == '\n'))
			put_indent(st);
		buf_add(st->out, s, (size_t)(q - s));
		st->bol = nl != NULL;
		s = q;
	}
}

static size_t fmt_int(char *p, json_int_t v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[len++] = '-';
	while (n)
		p[len++] = tmp[--n];
	return len;
}

/* The shortest of %.15g and %.17g that reads back as the same double. */
static size_t fmt_real(char *p, size_t size, double d)
{
	int n = snprintf(p, size, "%.15g", d);
	if (n > 0 && strtod(p, NULL) != d)
		n = snprintf(p, size, "%.17g", d);
	return n > 0 ? (size_t)n : 0;
}

static void put_value(struct rstate *st, const json_t *v, bool escape)
{
	char tmp[40];
	const char *s;
	size_t len;

	if (!v)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		len = json_string_length(v);
		break;
	case JSON_INTEGER:
		len = fmt_int(tmp, json_integer_value(v));
		s = tmp;
		break;
	case JSON_REAL:
		len = fmt_real(tmp, sizeof(tmp), json_real_value(v));
		s = tmp;
		break;
	case JSON_TRUE:
		s = "true";
		len = 4;
		break;
	case JSON_FALSE:
		s = "false";
		len = 5;
		break;
	default:
		return;
	}
	if (!len)
		return;
	if (st->nind && st->bol)
		put_indent(st);
	st->bol = false;
	if (escape)
		html_txt_n(st->out, s, len);
	else
		buf_add(st->out, s, len);
}

/* Finds the outermost argument for block n of template t. */
static bool find_arg(const struct chain *ch, const struct tmpl *t, const struct node *n,
		     const struct tmpl **ret_t, const struct node **ret_n)
{
	const char *name = t->src + n->off;
	bool found = false;
	for (; ch; ch = ch->outer) {
		const struct node *p = ch->parent;
		for (uint32_t k = 0; k < p->nargs; k++) {
			const struct node *a = &ch->t->nodes[ch->t->args[p->aux + k]];
			if (a->len == n->len && !memcmp(ch->t->src + a->off, name, n->len)) {
				*ret_t = ch->t;
				*ret_n = a;
				found = true;
				break;
			}
		}
	}
	return found;
}

static void render_range(struct rstate *st, const struct tmpl *t, uint32_t i, uint32_t end,
			 const struct ctx *cx, const struct chain *ch);

/* Renders nodes [from, to) of t one inclusion deeper, with extra indentation
 * (which a NULL src does not add). */
static void include(struct rstate *st, const struct tmpl *t, uint32_t from, uint32_t to,
		    const struct ctx *cx, const struct chain *ch, const struct tmpl *it,
		    struct seg ind)
{
	if (from >= to)
		return;
	if (st->depth >= MUSTACHE_MAX_DEPTH) {
		st->err = DP_ETOOBIG;
		return;
	}
	bool push = it && ind.len;
	if (push) {
		st->ind[st->nind].s = it->src + ind.off;
		st->ind[st->nind].len = ind.len;
		st->nind++;
	}
	st->depth++;
	render_range(st, t, from, to, cx, ch);
	st->depth--;
	if (push)
		st->nind--;
}

static void render_range(struct rstate *st, const struct tmpl *t, uint32_t i, uint32_t end,
			 const struct ctx *cx, const struct chain *ch)
{
	if (++st->nest > MUSTACHE_MAX_NEST) {
		st->err = DP_ETOOBIG;
		goto out;
	}
	while (i < end && !st->err && !st->out->err) {
		const struct node *n = &t->nodes[i];
		json_t *v;
		switch ((enum node_type)n->type) {
		case N_TEXT:
			put_text(st, t->src + n->off, n->len);
			i++;
			break;
		case N_VAR:
		case N_RAW:
			put_value(st, lookup(t, n, cx), n->type == N_VAR);
			i++;
			break;
		case N_SECTION:
			v = lookup(t, n, cx);
			if (json_is_array(v)) {
				size_t m = json_array_size(v);
				for (size_t k = 0; k < m && !st->err && !st->out->err; k++) {
					struct ctx sub = { json_array_get(v, k), cx };
					render_range(st, t, i + 1, n->next, &sub, ch);
				}
			} else if (truthy(v)) {
				struct ctx sub = { v, cx };
				render_range(st, t, i + 1, n->next, &sub, ch);
			}
			i = n->next;
			break;
		case N_INVERTED:
			/* The content follows the node: fall into it, or skip it. */
			i = truthy(lookup(t, n, cx)) ? n->next : i + 1;
			break;
		case N_PARTIAL:
			/* A partial passes the parents' arguments through, like a
			 * parent without arguments. */
			include(st, n->target, 0, n->target->nnodes, cx, ch,
				n->flags & NF_STANDALONE ? t : NULL, n->ind);
			i++;
			break;
		case N_PARENT: {
			struct chain link = { t, n, ch };
			include(st, n->target, 0, n->target->nnodes, cx, &link,
				n->flags & NF_STANDALONE ? t : NULL, n->ind);
			i = n->next;
			break;
		}
		case N_BLOCK: {
			const struct tmpl *at;
			const struct node *a;
			if (!find_arg(ch, t, n, &at, &a)) {
				i++; /* the default content follows */
				break;
			}
			include(st, at, (uint32_t)(a - at->nodes) + 1, a->next, cx, ch,
				n->flags & (NF_BLOCK_ALL | NF_BLOCK_CONT) ? t : NULL, n->ind);
			i = n->next;
			break;
		}
		}
	}
out:
	st->nest--;
}

int mustache_set_render(const struct mustache_set *set, const char *name, json_t *ctx,
			struct buf *out)
{
	const struct tmpl *t = set_find(set, name, strlen(name));
	if (!t || !t->defined)
		return DP_ENOTFOUND;
	struct rstate st = { .out = out, .bol = !out->len || out->data[out->len - 1] == '\n' };
	struct ctx root = { ctx, NULL };
	render_range(&st, t, 0, t->nnodes, ctx ? &root : NULL, NULL);
	return st.err ? st.err : buf_error(out);
}
