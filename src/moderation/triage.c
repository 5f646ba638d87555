/* triage.c — the comment triage: off-topic, demeaning and spam scores with
 * reasons a moderator can read (see triage.h for the policy it serves).
 *
 * One call reads the comment three ways:
 *   chunks  whitespace-separated pieces, de-obfuscated into lexicon keys
 *           (l33t digits, inner dots and asterisks, s p a c e d letters,
 *           reeepeated letters); the lexicon (lexicon.c) is matched on them,
 *           which also finds whom a sentence addresses;
 *   terms   the comment's content words, stemmed with Snowball, compared
 *           with the article's words (no stemming needed there: a stem is a
 *           prefix of its word once umlauts are folded);
 *   raw     links, disguised links, e-mail addresses, phone numbers, money.
 * The learned part (bayes.c) then raises the spam and demeaning scores when
 * the comment resembles what moderators rejected, and softens words the
 * moderators keep approving. */
#include "moderation/triage.h"

#include <libstemmer.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/bayes.h"
#include "moderation/lexicon.h"
#include "moderation/text.h"
#include "util/err.h"

#define MAX_COMMENT (32u << 10)
#define MAX_ARTICLE (256u << 10)
#define MAX_NAME 256
#define KEY_MAX 64           /* bytes of a chunk's key; the rest is cut */
#define PHRASE_WORDS 6
#define MAX_HITS 2048        /* lexicon matches kept per comment */
#define MAX_TERMS 256        /* distinct content words of a comment */
#define MAX_CANDIDATES 32    /* reasons collected before the best 8 are kept */
#define ROLE_NONE 0xFF

static double clamp01(double x) { return x < 0 ? 0 : x > 0.99 ? 0.99 : x; }
static double noisy_or(double a, double b) { return 1 - (1 - a) * (1 - b); }

/* ======================================================================
 * Keys: the de-obfuscated spelling of a chunk or of a lexicon word
 * ====================================================================== */

struct key {
	char nat[KEY_MAX + 8];  /* lowercase, diacritics folded, l33t read as letters */
	char col[KEY_MAX + 8];  /* nat with runs of one letter collapsed: "idiooot" → "idiot" */
	char alt[KEY_MAX + 8];  /* nat with ae/oe/ue read as umlauts: "bloed" → "blod" */
	char one[KEY_MAX + 8];  /* nat with a "1" read as "l", not "i": "b1öd" → "blod" */
	size_t natlen, collen, altlen, onelen;
	unsigned letters, upper, leet, punct, maxrun;
	bool wild;              /* an asterisk stands for letters */
	bool first_upper;
};

static char leet(uint32_t c)
{
	switch (c) {
	case '0': return 'o';
	case '1': return 'i';
	case '3': return 'e';
	case '4': return 'a';
	case '5': return 's';
	case '7': return 't';
	case '8': return 'b';
	case '9': return 'g';
	case '@': return 'a';
	case '$': return 's';
	case '!': return 'i';
	case '|': return 'i';
	case 0x20AC: return 'e'; /* € */
	default: return 0;
	}
}

static bool inner_punct(uint32_t c)
{
	return c == '.' || c == '-' || c == '_' || c == '\'' || c == 0x2019 || c == 0x2018 ||
	       c == '`' || c == 0xB4 || c == '~' || c == '^' || c == '+' || c == '=';
}

static void key_push(struct key *k, const char *s, size_t n)
{
	if (k->natlen + n > KEY_MAX)
		return;
	memcpy(k->nat + k->natlen, s, n);
	k->natlen += n;
}

static void make_key(const char *s, size_t n, struct key *k)
{
	memset(k, 0, sizeof *k);
	bool ones[KEY_MAX + 8] = { false };
	const char *p = s, *end = s + n;
	while (p < end) {
		unsigned char b = (unsigned char)*p;
		if (((b | 0x20) >= 'a' && (b | 0x20) <= 'z')) { /* ASCII letters, the common case */
			p++;
			if (b <= 'Z') {
				k->upper++;
				if (!k->letters)
					k->first_upper = true;
				b = (unsigned char)(b + 32);
			}
			k->letters++;
			char ch = (char)b;
			key_push(k, &ch, 1);
			continue;
		}
		uint32_t c = text_next(&p, end);
		char l;
		if (text_is_letter(c)) {
			if (text_is_upper(c)) {
				k->upper++;
				if (!k->letters)
					k->first_upper = true;
			}
			k->letters++;
			uint32_t lc = text_lower(c);
			const char *f = text_fold(lc);
			if (f) {
				key_push(k, f, strlen(f));
			} else {
				char b[4];
				key_push(k, b, text_put(b, lc));
			}
		} else if ((l = leet(c)) != 0) {
			k->leet++;
			if (c == '1' && k->natlen < KEY_MAX)
				ones[k->natlen] = true;
			key_push(k, &l, 1);
		} else if (c == '*' || c == '#') {
			if (k->natlen && k->nat[k->natlen - 1] != '*')
				key_push(k, "*", 1);
			k->wild = true;
		} else if (inner_punct(c)) {
			k->punct++;
		}
	}
	if (!k->letters) {
		k->natlen = 0;
		k->wild = false;
	}
	while (k->natlen && k->nat[k->natlen - 1] == '*')
		k->natlen--;
	k->nat[k->natlen] = '\0';
	if (!memchr(k->nat, '*', k->natlen))
		k->wild = false;
	/* Collapse runs of one ASCII letter; multi-byte letters stay as they are. */
	unsigned run = 0;
	for (size_t i = 0; i < k->natlen; i++) {
		unsigned char ch = (unsigned char)k->nat[i];
		if (i && ch < 0x80 && ch == (unsigned char)k->nat[i - 1]) {
			if (++run + 1 > k->maxrun)
				k->maxrun = run + 1;
			continue;
		}
		run = 0;
		k->col[k->collen++] = (char)ch;
	}
	k->col[k->collen] = '\0';
	if (k->maxrun == 0 && k->natlen)
		k->maxrun = 1;
	/* ASCII spellings of umlauts. */
	if (strstr(k->nat, "ae") || strstr(k->nat, "oe") || strstr(k->nat, "ue")) {
		for (size_t i = 0; i < k->natlen; i++) {
			char ch = k->nat[i];
			k->alt[k->altlen++] = ch;
			if ((ch == 'a' || ch == 'o' || ch == 'u') && k->nat[i + 1] == 'e')
				i++;
		}
	}
	k->alt[k->altlen] = '\0';
	for (size_t i = 0; i < k->natlen; i++) {
		if (ones[i])
			k->onelen = k->natlen;
		k->one[i] = ones[i] ? 'l' : k->nat[i];
	}
	k->one[k->onelen] = '\0';
}

/* ======================================================================
 * Tables built once: the lexicon by key, stopwords, top-level domains
 * ====================================================================== */

struct lex_info {
	const char *word[PHRASE_WORDS]; /* keys of the entry's words */
	uint8_t len[PHRASE_WORDS];
	uint8_t nwords;
	int next_nat, next_col;         /* the next entry with the same first key */
};

static struct {
	struct lex_info *info;
	struct strmap nat, col;  /* first word's key (natural / collapsed) → first entry */
	struct strmap tld;
	int heads[8];            /* entries with LEX_F_HEAD */
	size_t nheads;
	int err;
} T;
static pthread_once_t T_once = PTHREAD_ONCE_INIT;

/* Every ending any class allows, longest first so "innen" is tried before "n". */
static const char *const all_endings[] = {
	"innen", "sten", "ster", "stes", "eren", "erer", "ern", "ste", "ere", "est", "en", "er",
	"es", "em", "in", "st", "e", "n", "s",
};
#define NENDINGS (sizeof all_endings / sizeof all_endings[0])
static const uint8_t all_endings_len[NENDINGS] = { 5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1 };

static bool infl_allows(enum lex_infl infl, const char *end, size_t len)
{
	for (const char *const *e = lex_endings(infl); *e; e++)
		if (strlen(*e) == len && memcmp(*e, end, len) == 0)
			return true;
	return false;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	return p ? memcpy(p, s, n) : NULL;
}

static int chain_add(struct strmap *m, const char *key, size_t len, int idx, int *next)
{
	int old;
	int rc = strmap_put(m, key, len, idx, &old);
	if (rc == DP_EEXISTS) {
		*next = old;
		strmap_find(m, key, len)->val = idx;
		return DP_OK;
	}
	*next = -1;
	return rc;
}

static void tables_build(void)
{
	int rc = DP_ENOMEM;
	T.info = calloc(lex_nentries, sizeof *T.info);
	if (!T.info || strmap_init(&T.nat, lex_nentries) || strmap_init(&T.col, lex_nentries) ||
	    strmap_init(&T.tld, 80))
		goto out;
	for (size_t i = 0; i < lex_nentries; i++) {
		const struct lex_entry *e = &lex_entries[i];
		struct lex_info *li = &T.info[i];
		const char *p = e->text;
		struct key k;
		while (*p && li->nwords < PHRASE_WORDS) {
			const char *sp = strchr(p, ' ');
			size_t n = sp ? (size_t)(sp - p) : strlen(p);
			make_key(p, n, &k);
			if (!(li->word[li->nwords] = xstrdup(k.nat)))
				goto out;
			li->len[li->nwords++] = (uint8_t)k.natlen;
			if (li->nwords == 1) {
				/* One copy per distinct key: the map keeps the first. */
				struct strmap_slot *sl = strmap_find(&T.col, k.col, k.collen);
				const char *col = sl ? sl->key : xstrdup(k.col);
				if (!col || chain_add(&T.col, col, k.collen, (int)i, &li->next_col))
					goto out;
			}
			p += n;
			while (*p == ' ')
				p++;
		}
		if (chain_add(&T.nat, li->word[0], li->len[0], (int)i, &li->next_nat))
			goto out;
		if ((e->flags & LEX_F_HEAD) && T.nheads < sizeof T.heads / sizeof T.heads[0])
			T.heads[T.nheads++] = (int)i;
	}
	for (const char *const *w = lex_tlds; *w; w++)
		if (strmap_put(&T.tld, *w, strlen(*w), 0, NULL) == DP_ENOMEM)
			goto out;
	rc = DP_OK;
out:
	T.err = rc;
}

static bool is_tld(const char *s, size_t n)
{
	char low[16];
	if (n == 0 || n >= sizeof low)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c < 'a' || c > 'z')
			return false;
		low[i] = c;
	}
	return strmap_find(&T.tld, low, n) != NULL;
}

/* ======================================================================
 * The call's state
 * ====================================================================== */

struct chunk {
	const char *raw;        /* in the comment */
	uint32_t rawlen;
	const char *nat, *col, *alt, *one;
	uint8_t natlen, collen, altlen, onelen;
	uint16_t sent;          /* sentence number */
	bool sent_start;
	bool first_upper, allcaps, wild;
	bool obf;               /* written to dodge a filter */
	bool joined;            /* made of s p a c e d letters */
	bool digit;             /* a lone digit, kept only as part of spaced letters */
	bool neg, cop;
	uint8_t role;           /* LEX_YOU .. LEX_GROUP (the lower, the more direct), or ROLE_NONE */
	const char *role_word;  /* the raw text that gave the role */
	uint32_t role_wordlen;
};

struct hit {
	int e;                  /* lex_entries index */
	uint32_t chunk, n;      /* first chunk and number of chunks */
	bool obf;               /* one of them was disguised */
};

struct reason {
	int label;
	double strength;
	char text[TRIAGE_REASON_LEN];
};

struct aword {
	const char *w;   /* lowercase, folded */
	uint16_t len;
	bool title;
};

struct vocab {             /* the article's words */
	struct aword *words;
	size_t n, cap;
	struct aword *sufs;  /* tails of long words (compound parts), sorted */
	size_t nsuf;
	struct strmap seen;
};

struct ctx {
	const struct triage_input *in;
	struct vocab art;     /* the article's words */
	bool en;                /* reasons in English */
	struct arena a;
	struct chunk *ch;
	size_t nch, capch;
	struct hit *hits;       /* lexicon matches (not the addressee words: see chunk) */
	double *damp;           /* per hit: 1, or less when moderators approved its word */
	size_t nhits, caphits;
	struct reason reasons[MAX_CANDIDATES];
	size_t nreasons;
	double sc[TRIAGE__MAX];
	unsigned contacts;      /* links, e-mail addresses, phone numbers, messengers */
	unsigned nwild;         /* chunks with asterisks seen */
	const struct chunk *anyone; /* the comment's strongest addressee, or NULL */
};

static const char *tr(const struct ctx *x, const char *de, const char *en)
{
	return x->en ? en : de;
}

/* Copies at most max bytes of s[0..n) to out as clean UTF-8 on one line. */
static void quote(const char *s, size_t n, char *out, size_t outcap, size_t max)
{
	const char *p = s, *end = s + n;
	size_t o = 0;
	if (max > outcap - 4)
		max = outcap - 4;
	while (p < end) {
		const char *start = p;
		uint32_t c = text_next(&p, end);
		if (c == 0xFFFD && p - start == 1)
			continue;
		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
			c = ' ';
		char b[4];
		size_t bl = text_put(b, c);
		if (o + bl > max) {
			memcpy(out + o, "…", 3);
			o += 3;
			break;
		}
		memcpy(out + o, b, bl);
		o += bl;
	}
	out[o] = '\0';
}

static void add_reason(struct ctx *x, int label, double strength, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_reason(struct ctx *x, int label, double strength, const char *fmt, ...)
{
	struct reason *r;
	if (x->nreasons < MAX_CANDIDATES) {
		r = &x->reasons[x->nreasons++];
	} else { /* replace the weakest */
		r = &x->reasons[0];
		for (size_t i = 1; i < MAX_CANDIDATES; i++)
			if (x->reasons[i].strength < r->strength)
				r = &x->reasons[i];
		if (r->strength >= strength)
			return;
	}
	r->label = label;
	r->strength = strength;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof r->text) { /* cut at a character boundary */
		size_t i = sizeof r->text - 1;
		while (i > 0 && ((unsigned char)r->text[i] & 0xC0) == 0x80)
			i--;
		r->text[i] = '\0';
	}
}

/* ======================================================================
 * Chunks
 * ====================================================================== */

static bool is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
	       c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x3000 || c == 0xFEFF;
}

static bool is_hard_sep(uint32_t c)
{
	switch (c) {
	case ',': case ';': case ':': case '?': case '(': case ')': case '[': case ']': case '{':
	case '}': case '"': case '/': case '\\': case '<': case '>': case 0xAB: case 0xBB:
	case 0x201E: case 0x201C: case 0x201D: case 0x201A: case 0x2039: case 0x203A:
	case 0x2026: case 0x2013: case 0x2014: case 0xBF: case 0xA1:
		return true;
	default:
		return false;
	}
}

static bool word_char(uint32_t c)
{
	return text_is_letter(c) || (c >= '0' && c <= '9');
}

static bool keep_edge(uint32_t c)
{
	return word_char(c) || c == '$' || c == 0x20AC;
}

static uint32_t peek(const char *p, const char *end)
{
	return p < end ? text_next(&p, end) : 0;
}

static int push_chunk(struct ctx *x, const char *raw, size_t rawlen, uint16_t sent, bool start)
{
	/* Trim what cannot belong to a word at either end. */
	const char *b = raw, *e = raw + rawlen;
	while (b < e) {
		const char *q = b;
		uint32_t c = text_next(&q, e);
		if (keep_edge(c))
			break;
		b = q;
	}
	while (e > b) {
		const char *q = e - 1;
		while (q > b && ((unsigned char)*q & 0xC0) == 0x80)
			q--;
		const char *r = q;
		uint32_t c = text_next(&r, e);
		if (keep_edge(c))
			break;
		e = q;
	}
	if (b == e)
		return DP_OK;
	struct key k;
	make_key(b, (size_t)(e - b), &k);
	/* A lone digit may be a letter of »I d i 0 t«; join_spaced() drops it
	 * again when it is not. */
	bool digit = false;
	if (!k.natlen && e - b == 1 && *b >= '0' && *b <= '9' && leet((unsigned char)*b)) {
		k.nat[0] = k.col[0] = leet((unsigned char)*b);
		k.nat[1] = k.col[1] = '\0';
		k.natlen = k.collen = 1;
		digit = true;
	}
	if (!k.natlen)
		return DP_OK;
	if (x->nch == x->capch) {
		size_t cap = x->capch ? x->capch * 2 : 128;
		struct chunk *nc = arena_alloc(&x->a, cap * sizeof *nc);
		if (!nc)
			return DP_ENOMEM;
		if (x->nch)
			memcpy(nc, x->ch, x->nch * sizeof *nc);
		x->ch = nc;
		x->capch = cap;
	}
	struct chunk *c = &x->ch[x->nch];
	memset(c, 0, sizeof *c);
	c->raw = b;
	c->rawlen = (uint32_t)(e - b);
	c->nat = arena_strndup(&x->a, k.nat, k.natlen);
	c->col = k.collen != k.natlen ? arena_strndup(&x->a, k.col, k.collen) : c->nat;
	c->alt = k.altlen ? arena_strndup(&x->a, k.alt, k.altlen) : NULL;
	c->one = k.onelen ? arena_strndup(&x->a, k.one, k.onelen) : NULL;
	if (!c->nat || !c->col || (k.altlen && !c->alt) || (k.onelen && !c->one))
		return DP_ENOMEM;
	c->natlen = (uint8_t)k.natlen;
	c->collen = (uint8_t)k.collen;
	c->altlen = (uint8_t)k.altlen;
	c->onelen = (uint8_t)k.onelen;
	c->sent = sent;
	c->sent_start = start;
	c->first_upper = k.first_upper;
	c->allcaps = k.letters >= 2 && k.upper == k.letters;
	c->wild = k.wild;
	c->digit = digit;
	c->role = ROLE_NONE;
	/* Deliberate spelling: digits or symbols for letters inside a word, letters
	 * kept apart by dots, stars, or a letter held for three or more. */
	c->obf = k.wild || k.maxrun >= 3 || (k.leet && k.letters >= 2 && k.leet < k.letters) ||
		 (k.punct >= 2 && k.punct + 1 >= k.letters);
	x->nch++;
	return DP_OK;
}

/* Splits the comment into chunks and numbers its sentences. */
static int chunk_text(struct ctx *x, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *start = NULL;
	uint16_t sent = 0;
	bool sent_start = true;
	int rc = DP_OK;
	uint32_t prev = 0, prev2 = 0;
	while (!rc) {
		const char *here = p;
		uint32_t c = p < end ? text_next(&p, end) : 0;
		bool boundary = !c || is_space(c) || is_hard_sep(c);
		bool ends_sentence = c == '?' || c == '\n' || c == 0x2026;
		if (c == '.' || c == '!') {
			uint32_t nx = peek(p, end);
			bool inner = word_char(prev) && (word_char(nx) || nx == '*');
			boundary = !inner;
			ends_sentence = !inner;
		} else if (c == '-') {
			/* A hyphen between two words splits them ("Lügenpresse-Journalist");
			 * one between single letters is disguise ("I-d-i-o-t"). */
			const char *q = p;
			uint32_t n1 = peek(q, end);
			if (n1)
				text_next(&q, end);
			uint32_t n2 = peek(q, end);
			boundary = text_is_letter(prev) && text_is_letter(prev2) && text_is_letter(n1) &&
				   text_is_letter(n2);
		}
		if (boundary) {
			if (start) {
				rc = push_chunk(x, start, (size_t)(here - start), sent, sent_start);
				if (x->nch && x->ch[x->nch - 1].sent == sent)
					sent_start = false;
				start = NULL;
			}
			if (ends_sentence && !sent_start) {
				sent++;
				sent_start = true;
			}
			if (!c)
				break;
		} else if (!start) {
			start = here;
		}
		prev2 = prev;
		prev = c;
	}
	return rc;
}

/* ======================================================================
 * Lexicon matching
 * ====================================================================== */

static bool demeaning_cat(int cat)
{
	return cat == LEX_INSULT || cat == LEX_ADJ || cat == LEX_SLUR || cat == LEX_DEHUMAN ||
	       cat == LEX_ABUSE || cat == LEX_PRESS || cat == LEX_PROFANE;
}

/* Grammar words mark their chunks instead of becoming hits. */
static bool mark_chunks(struct ctx *x, int e, size_t chunk, size_t n)
{
	int cat = lex_entries[e].cat;
	if (cat != LEX_NEGATION && cat != LEX_COPULA && !(cat >= LEX_YOU && cat <= LEX_GROUP))
		return false;
	for (size_t i = chunk; i < chunk + n; i++) {
		struct chunk *c = &x->ch[i];
		if (cat == LEX_NEGATION) {
			c->neg = true;
		} else if (cat == LEX_COPULA) {
			c->cop = true;
		} else if (c->role == ROLE_NONE || cat < c->role) {
			c->role = (uint8_t)cat;
			c->role_word = x->ch[chunk].raw;
			const struct chunk *last = &x->ch[chunk + n - 1];
			c->role_wordlen = (uint32_t)(last->raw + last->rawlen - c->role_word);
		}
	}
	return true;
}

static void add_hit(struct ctx *x, int e, size_t chunk, size_t n)
{
	const struct lex_entry *le = &lex_entries[e];
	if (mark_chunks(x, e, chunk, n))
		return;
	bool obf = false;
	for (size_t i = chunk; i < chunk + n; i++)
		obf |= x->ch[i].obf;
	/* Chunks are matched in order: the hits of this one are at the end. */
	for (size_t i = x->nhits; i-- > 0 && x->hits[i].chunk == chunk;) {
		struct hit *h = &x->hits[i];
		if (h->e == e)
			return;
		/* One demeaning reading per word: keep the stronger. */
		if (h->chunk == chunk && h->n == 1 && n == 1 && demeaning_cat(le->cat) &&
		    demeaning_cat(lex_entries[h->e].cat)) {
			if (lex_entries[h->e].weight < le->weight) {
				h->e = e;
				h->obf = obf;
			}
			return;
		}
	}
	if (x->nhits == x->caphits) {
		size_t cap = x->caphits ? x->caphits * 2 : 64;
		struct hit *nh = cap <= MAX_HITS ? arena_alloc(&x->a, cap * sizeof *nh) : NULL;
		double *nd = nh ? arena_alloc(&x->a, cap * sizeof *nd) : NULL;
		if (!nd)
			return; /* full (or out of memory): later matches are not counted */
		if (x->nhits) {
			memcpy(nh, x->hits, x->nhits * sizeof *nh);
			memcpy(nd, x->damp, x->nhits * sizeof *nd);
		}
		x->hits = nh;
		x->damp = nd;
		x->caphits = cap;
	}
	x->damp[x->nhits] = 1;
	x->hits[x->nhits++] = (struct hit){ e, (uint32_t)chunk, (uint32_t)n, obf };
}

static bool chunk_is(const struct chunk *c, const char *w, size_t len)
{
	return (c->natlen == len && memcmp(c->nat, w, len) == 0) ||
	       (c->alt && c->altlen == len && memcmp(c->alt, w, len) == 0);
}

static bool filler(const struct chunk *c)
{
	static const char *const words[] = { "doch", "einfach", "mal", "endlich", "jetzt", "bitte",
					     "sofort", "just", "please", "now", "right", NULL };
	for (const char *const *w = words; *w; w++)
		if (chunk_is(c, *w, strlen(*w)))
			return true;
	return false;
}

/* The remaining words of a phrase entry, from chunk i on. Returns how many
 * chunks it covers, 0 when it does not match. Demeaning phrases may have up to
 * two filler words in between (»halt doch einfach die Klappe«). */
static size_t phrase_rest(const struct ctx *x, int e, size_t i)
{
	const struct lex_info *li = &T.info[e];
	unsigned skips = demeaning_cat(lex_entries[e].cat) ? 2 : 0;
	size_t j = i;
	for (size_t w = 1; w < li->nwords; w++) {
		if (++j >= x->nch)
			return 0;
		const struct chunk *c = &x->ch[j];
		if (c->sent != x->ch[i].sent && !x->ch[i].joined)
			return 0;
		if (chunk_is(c, li->word[w], li->len[w]))
			continue;
		if (skips && filler(c)) {
			skips--;
			w--;
			continue;
		}
		if (w + 1 < li->nwords)
			return 0;
		/* The last word may take an ending. */
		bool ok = false;
		for (size_t k = 0; k < NENDINGS && !ok; k++) {
			size_t el = all_endings_len[k];
			ok = c->natlen == li->len[w] + el && memcmp(c->nat, li->word[w], li->len[w]) == 0 &&
			     memcmp(c->nat + li->len[w], all_endings[k], el) == 0 &&
			     infl_allows(lex_entries[e].infl, all_endings[k], el);
		}
		if (!ok)
			return 0;
	}
	return j - i + 1;
}

/* Looks key[0..len) up; tail: only entries that may end a compound. */
static void lookup(struct ctx *x, size_t i, const char *key, size_t len, bool collapsed, bool tail)
{
	const struct strmap *m = collapsed ? &T.col : &T.nat;
	for (size_t k = 0; k <= NENDINGS; k++) {
		const char *end = k < NENDINGS ? all_endings[k] : "";
		size_t el = k < NENDINGS ? all_endings_len[k] : 0;
		if (el && (len < el + 3 || key[len - 1] != end[el - 1] || memcmp(key + len - el, end, el) != 0))
			continue;
		struct strmap_slot *s = strmap_find(m, key, len - el);
		for (int e = s ? s->val : -1; e >= 0;
		     e = collapsed ? T.info[e].next_col : T.info[e].next_nat) {
			const struct lex_entry *le = &lex_entries[e];
			if (tail && !(le->flags & LEX_F_TAIL))
				continue;
			if ((le->flags & LEX_F_CAP) && !x->ch[i].allcaps)
				continue;
			size_t n = 1;
			if (T.info[e].nwords > 1) {
				if (el || tail)
					continue;
				n = phrase_rest(x, e, i);
				if (!n)
					continue;
			} else if (el && !infl_allows(le->infl, end, el)) {
				continue;
			}
			add_hit(x, e, i, n);
		}
	}
}

#define WILD_MAX 6      /* letters one asterisk may stand for */
#define WILD_CHUNKS 32  /* chunks with asterisks looked at per comment */

/* Whether p[0..pn) matches s[0..sn), '*' standing for one to WILD_MAX
 * characters. Linear in pn * sn: no backtracking on hostile patterns. */
static bool glob(const char *p, size_t pn, const char *s, size_t sn)
{
	bool dp[KEY_MAX + 24], nx[KEY_MAX + 24];
	if (sn > KEY_MAX + 16)
		return false;
	memset(dp, 0, sizeof dp);
	dp[0] = true; /* dp[j]: p[0..i) matches s[0..j) */
	for (size_t i = 0; i < pn; i++) {
		bool any = false;
		for (size_t j = 0; j <= sn; j++) {
			bool v = false;
			if (p[i] == '*') {
				for (size_t k = 1; k <= WILD_MAX && k <= j && !v; k++)
					v = dp[j - k];
			} else {
				v = j > 0 && dp[j - 1] && s[j - 1] == p[i];
			}
			nx[j] = v;
			any |= v;
		}
		if (!any)
			return false;
		memcpy(dp, nx, (sn + 1) * sizeof *dp);
	}
	return dp[sn];
}

static void match_wild(struct ctx *x, size_t i)
{
	const struct chunk *c = &x->ch[i];
	size_t lit = 0, stars = 0;
	for (size_t k = 0; k < c->natlen; k++)
		c->nat[k] == '*' ? stars++ : lit++;
	if (lit < 2)
		return;
	char form[KEY_MAX + 16];
	for (size_t e = 0; e < lex_nentries; e++) {
		const struct lex_entry *le = &lex_entries[e];
		const struct lex_info *li = &T.info[e];
		if (li->nwords != 1 || !(demeaning_cat(le->cat) || le->cat == LEX_SPAM) ||
		    (le->flags & LEX_F_ADDR) || li->len[0] < 4 || li->word[0][0] != c->nat[0])
			continue;
		const char *const *ends = lex_endings(le->infl);
		bool hit = false;
		for (size_t k = 0; !hit && (k == 0 || ends[k - 1]); k++) {
			const char *suffix = k == 0 ? "" : ends[k - 1];
			int fl = snprintf(form, sizeof form, "%s%s", li->word[0], suffix);
			/* Cheap tests first: the last letter and the length must fit. */
			if (fl <= 0 || (size_t)fl >= sizeof form || form[fl - 1] != c->nat[c->natlen - 1] ||
			    (size_t)fl < lit + stars || (size_t)fl > lit + stars * WILD_MAX)
				continue;
			hit = glob(c->nat, c->natlen, form, (size_t)fl);
		}
		if (hit)
			add_hit(x, (int)e, i, 1);
	}
}

static void match_chunk(struct ctx *x, size_t i)
{
	const struct chunk *c = &x->ch[i];
	if (c->wild) {
		if (x->nwild++ < WILD_CHUNKS)
			match_wild(x, i);
		return;
	}
	lookup(x, i, c->nat, c->natlen, false, false);
	if (c->alt)
		lookup(x, i, c->alt, c->altlen, false, false);
	if (c->one)
		lookup(x, i, c->one, c->onelen, false, false);
	if (c->col != c->nat)
		lookup(x, i, c->col, c->collen, true, false);
	/* German compounds: »Vollidiot«, »Berufslügner«. */
	if (c->natlen >= 7 && !lex_is_harmless(c->nat, c->natlen))
		for (size_t p = 3; p + 4 <= c->natlen; p++)
			lookup(x, i, c->nat + p, c->natlen - p, false, true);
	if (c->col != c->nat && c->collen >= 7)
		for (size_t p = 3; p + 4 <= c->collen; p++)
			lookup(x, i, c->col + p, c->collen - p, true, true);
	for (size_t h = 0; h < T.nheads; h++) {
		const struct lex_info *li = &T.info[T.heads[h]];
		if (c->natlen >= li->len[0] + 3 && memcmp(c->nat, li->word[0], li->len[0]) == 0)
			add_hit(x, T.heads[h], i, 1);
	}
}

#define SPACED_MAX 64      /* longest run of single letters searched for words */
#define SPACED_WORD 24     /* longest word looked for in such a run */
#define SPACED_TRIES 2000  /* lookups per comment: hostile input stays cheap */

/* Tries the letters of chunks [i, i + n) as one word in place of chunk i and
 * keeps it there (*ret true) when it is a demeaning or spam word of the
 * lexicon or the start of a link. */
static int try_join(struct ctx *x, size_t i, size_t n, bool *ret)
{
	char buf[KEY_MAX + 1];
	size_t len = 0;
	for (size_t k = i; k < i + n && len < KEY_MAX; k++)
		buf[len++] = x->ch[k].nat[0];
	buf[len] = '\0';
	struct key k;
	make_key(buf, len, &k);
	struct chunk save = x->ch[i];
	struct chunk *c = &x->ch[i];
	c->nat = arena_strndup(&x->a, k.nat, k.natlen);
	c->col = k.collen != k.natlen ? arena_strndup(&x->a, k.col, k.collen) : c->nat;
	if (!c->nat || !c->col)
		return DP_ENOMEM;
	c->natlen = (uint8_t)k.natlen;
	c->collen = (uint8_t)k.collen;
	c->alt = c->one = NULL;
	c->altlen = c->onelen = 0;
	c->joined = c->obf = true;
	c->digit = false;
	c->rawlen = (uint32_t)(x->ch[i + n - 1].raw + x->ch[i + n - 1].rawlen - c->raw);
	size_t before = x->nhits;
	match_chunk(x, i);
	bool keep = strncmp(c->nat, "http", 4) == 0 || strncmp(c->nat, "www", 3) == 0;
	for (size_t h = before; h < x->nhits && !keep; h++) {
		int cat = lex_entries[x->hits[h].e].cat;
		keep = demeaning_cat(cat) || cat == LEX_SPAM;
	}
	x->nhits = before;
	if (!keep)
		*c = save;
	*ret = keep;
	return DP_OK;
}

/* Joins s p a c e d letters (»I d i o t«, »h t t p«) into the longest words
 * the lexicon knows, also several in one run (»d u  i d i o t«); letters that
 * form no such word stay single. Lone digits that did not join are dropped. */
static int join_spaced(struct ctx *x)
{
	size_t out = 0, tries = 0;
	for (size_t i = 0; i < x->nch;) {
		size_t j = i;
		while (j < x->nch && x->ch[j].natlen == 1 && x->ch[j].rawlen <= 2)
			j++;
		if (j - i >= 3 && j - i <= SPACED_MAX) {
			/* out <= pos: writing x->ch[out] never touches what is still to read. */
			for (size_t pos = i; pos < j;) {
				bool joined = false;
				size_t n = j - pos < SPACED_WORD ? j - pos : SPACED_WORD;
				for (; n >= 3 && tries < SPACED_TRIES; n--, tries++) {
					int rc = try_join(x, pos, n, &joined);
					if (rc)
						return rc;
					if (joined)
						break;
				}
				if (joined) {
					x->ch[out++] = x->ch[pos];
					pos += n;
				} else {
					if (!x->ch[pos].digit)
						x->ch[out++] = x->ch[pos];
					pos++;
				}
			}
			i = j;
			continue;
		}
		size_t stop = j > i ? j : i + 1;
		for (; i < stop; i++)
			if (!x->ch[i].digit)
				x->ch[out++] = x->ch[i];
	}
	x->nch = out;
	return DP_OK;
}

/* Formal »Sie«/»Ihnen« (capitalised inside a sentence), »ihr seid«, and the
 * sentence-initial »Sie sind« count as addressing someone. */
static void formal_you(struct ctx *x)
{
	static const char *const formal[] = { "sie", "ihnen", "ihr", NULL };
	static const char *const verbs[] = { "sind", "haben", "sollten", "koennen", "konnen", "mussen",
					     "wissen", "schreiben", "behaupten", "verstehen",
					     "glauben", "hatten", "waren", "meinen", NULL };
	for (size_t i = 0; i < x->nch; i++) {
		struct chunk *c = &x->ch[i];
		if (c->role != ROLE_NONE)
			continue;
		bool f = false;
		for (const char *const *w = formal; *w; w++)
			f |= chunk_is(c, *w, strlen(*w));
		if (!f)
			continue;
		const struct chunk *nx = i + 1 < x->nch && x->ch[i + 1].sent == c->sent ? &x->ch[i + 1] : NULL;
		bool you = c->first_upper && !c->sent_start;
		if (chunk_is(c, "ihr", 3) &&
		    (c->sent_start || (nx && (chunk_is(nx, "seid", 4) || chunk_is(nx, "habt", 4)))))
			you = true;
		if (c->sent_start && chunk_is(c, "sie", 3) && nx)
			for (const char *const *v = verbs; *v; v++)
				you |= chunk_is(nx, *v, strlen(*v));
		if (you) {
			c->role = LEX_YOU;
			c->role_word = c->raw;
			c->role_wordlen = c->rawlen;
		}
	}
}

static int match_all(struct ctx *x)
{
	int rc = join_spaced(x);
	if (rc)
		return rc;
	for (size_t i = 0; i < x->nch; i++)
		match_chunk(x, i);
	formal_you(x);
	x->anyone = NULL;
	for (size_t k = 0; k < x->nch; k++)
		if (x->ch[k].role != ROLE_NONE && (!x->anyone || x->ch[k].role < x->anyone->role))
			x->anyone = &x->ch[k];
	return DP_OK;
}

/* ======================================================================
 * Demeaning
 * ====================================================================== */

/* The strongest addressee in chunk i's sentence within dist chunks. */
static const struct chunk *addressee(const struct ctx *x, size_t i, size_t dist)
{
	const struct chunk *best = NULL;
	size_t lo = i > dist ? i - dist : 0, hi = i + dist < x->nch ? i + dist + 1 : x->nch;
	for (size_t k = lo; k < hi; k++) {
		const struct chunk *c = &x->ch[k];
		if (c->sent != x->ch[i].sent || c->role == ROLE_NONE)
			continue;
		if (!best || c->role < best->role)
			best = c;
	}
	return best;
}

/* The strongest addressee of the whole comment (found by match_all()). */
static const struct chunk *addressee_anywhere(const struct ctx *x)
{
	return x->anyone;
}

static bool negated(const struct ctx *x, size_t i)
{
	for (size_t k = i >= 2 ? i - 2 : 0; k < i; k++)
		if (x->ch[k].neg && x->ch[k].sent == x->ch[i].sent)
			return true;
	return false;
}

/* An adjective said of a person: »du bist dumm«, »Sind Sie blöd?«, »dummer
 * Autor«, »you stupid …«. */
static const struct chunk *predicated(const struct ctx *x, size_t i)
{
	const struct chunk *a = &x->ch[i];
	size_t lo = i >= 4 ? i - 4 : 0, cop = SIZE_MAX;
	for (size_t k = lo; k < i; k++)
		if (x->ch[k].cop && x->ch[k].sent == a->sent)
			cop = k;
	/* The subject of the copula: »Sie sind …«, »Wer so etwas schreibt, ist …«,
	 * »Sind Sie …«. */
	if (cop != SIZE_MAX)
		for (size_t k = cop >= 10 ? cop - 10 : 0; k < i; k++) {
			const struct chunk *c = &x->ch[k];
			if (c->sent == a->sent && c->role != ROLE_NONE)
				return c;
		}
	/* »du dummer …«, »you stupid …«; »dummer Autor«, »stupid commenters«. */
	for (size_t k = i >= 2 ? i - 2 : 0; k < i + 3 && k < x->nch; k++) {
		const struct chunk *c = &x->ch[k];
		if (k == i || c->sent != a->sent || c->role == ROLE_NONE)
			continue;
		if ((k < i && c->role == LEX_YOU) || (k > i && c->role != LEX_YOU))
			return c;
	}
	return NULL;
}

static void addressee_text(const struct ctx *x, const struct chunk *who, char *out, size_t cap)
{
	char q[64];
	if (!who) {
		out[0] = '\0';
		return;
	}
	switch (who->role) {
	case LEX_YOU:
		snprintf(out, cap, "%s", tr(x, " (an die angesprochene Person gerichtet)",
					     " (aimed at the person addressed)"));
		break;
	case LEX_AUTHOR:
		snprintf(out, cap, "%s", tr(x, " (an den Autor gerichtet)", " (aimed at the author)"));
		break;
	case LEX_READER:
		snprintf(out, cap, "%s", tr(x, " (gegen andere Leser)", " (aimed at other readers)"));
		break;
	case LEX_ANYONE:
		quote(who->role_word, who->role_wordlen, q, sizeof q, 32);
		snprintf(out, cap, tr(x, " (verallgemeinernd: »%s …«)", " (generalising: »%s …«)"), q);
		break;
	default:
		quote(who->role_word, who->role_wordlen, q, sizeof q, 32);
		snprintf(out, cap, tr(x, " (gegen eine Gruppe: »%s«)", " (aimed at a group: »%s«)"), q);
		break;
	}
}

static const char *cat_name(const struct ctx *x, int cat)
{
	switch (cat) {
	case LEX_INSULT: return tr(x, "beleidigendes Wort", "insult");
	case LEX_ADJ: return tr(x, "herabsetzende Zuschreibung", "demeaning description");
	case LEX_SLUR: return tr(x, "abwertende Bezeichnung für eine Gruppe", "slur");
	case LEX_DEHUMAN: return tr(x, "entmenschlichende Sprache", "dehumanising language");
	case LEX_ABUSE: return tr(x, "beleidigende Wendung", "abusive phrase");
	case LEX_PRESS: return tr(x, "Verachtung für Journalisten", "contempt for journalists");
	case LEX_PROFANE: return tr(x, "Kraftausdruck", "profanity");
	case LEX_SPAM: return tr(x, "Spam-Formulierung", "spam phrasing");
	default: return "?";
	}
}

static void hit_text(const struct ctx *x, const struct hit *h, char *out, size_t cap)
{
	const struct chunk *a = &x->ch[h->chunk], *b = &x->ch[h->chunk + h->n - 1];
	quote(a->raw, (size_t)(b->raw + b->rawlen - a->raw), out, cap, 48);
}

static void score_demeaning(struct ctx *x)
{
	double total = 0, profane = 0;
	for (size_t h = 0; h < x->nhits; h++) {
		const struct hit *ht = &x->hits[h];
		const struct lex_entry *le = &lex_entries[ht->e];
		if (!demeaning_cat(le->cat))
			continue;
		double s = le->weight / 100.0;
		size_t i = ht->chunk;
		const struct chunk *who = NULL;
		bool addr = le->flags & LEX_F_ADDR;
		const struct chunk *prev = i ? &x->ch[i - 1] : NULL;
		bool direct = prev && prev->role == LEX_YOU && prev->sent == x->ch[i].sent;
		switch (le->cat) {
		case LEX_INSULT:
			who = addressee(x, i, 10);
			if (direct)
				who = prev;
			if (addr)
				s = who ? s + 0.15 : addressee_anywhere(x) ? s * 0.6 : s * 0.35;
			else if (who)
				s += 0.12;
			if (negated(x, i))
				s *= 0.3;
			break;
		case LEX_ADJ:
			who = predicated(x, i);
			s = who ? s + 0.1 : s * 0.25;
			if (negated(x, i))
				s *= 0.3;
			break;
		case LEX_SLUR:
		case LEX_DEHUMAN:
			who = addressee(x, i, 8);
			if (addr && !who && (who = addressee_anywhere(x)) != NULL)
				s *= 0.75; /* "These immigrants … Vermin, all of them." */
			else if (addr)
				s = who ? s + 0.1 : s * 0.35;
			else if (who)
				s += 0.1;
			break;
		case LEX_ABUSE:
			who = addressee(x, i, 6);
			if (addr && !who)
				s *= 0.5;
			break;
		case LEX_PRESS:
			who = addressee_anywhere(x);
			if (who && (who->role == LEX_AUTHOR || who->role == LEX_YOU))
				s += 0.1;
			else
				who = NULL;
			break;
		default:
			break;
		}
		if (ht->obf && s >= 0.3)
			s += 0.1;
		s = clamp01(s * x->damp[h]);
		if (le->cat == LEX_PROFANE)
			profane = noisy_or(profane, s);
		else
			total = noisy_or(total, s);
		if (s < 0.15)
			continue;
		char what[64], to[96];
		hit_text(x, ht, what, sizeof what);
		addressee_text(x, who, to, sizeof to);
		add_reason(x, TRIAGE_DEMEANING, s, "%s: »%s«%s%s", cat_name(x, le->cat), what, to,
			   ht->obf ? tr(x, ", verschleiert", ", obfuscated") : "");
	}
	/* Swearing alone is rude, not demeaning. */
	x->sc[TRIAGE_DEMEANING] = noisy_or(total, profane < 0.35 ? profane : 0.35);
}

/* ======================================================================
 * Spam
 * ====================================================================== */

static bool ci_prefix(const char *s, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - s) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != lit[i])
			return false;
	}
	return true;
}

struct rawtok {
	const char *s;
	size_t n;
};

/* Whitespace-separated pieces with surrounding brackets, quotes and
 * sentence punctuation removed. */
static size_t raw_tokens(const char *s, size_t n, struct rawtok *out, size_t max)
{
	size_t k = 0;
	const char *p = s, *end = s + n;
	while (p < end && k < max) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *b = p;
		while (p < end && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *e = p;
		for (;;) {
			if (b < e && *b && strchr("\"'<({[*_", *b))
				b++;
			else if (e - b >= 2 && (ci_prefix(b, e, "«") || ci_prefix(b, e, "»")))
				b += 2;
			else if (e - b >= 3 && (ci_prefix(b, e, "„") || ci_prefix(b, e, "“")))
				b += 3;
			else
				break;
		}
		for (;;) {
			if (e > b && e[-1] && strchr("\"'>)}],;:!?.*_", e[-1]))
				e--;
			else if (e - b >= 2 && (ci_prefix(e - 2, e, "«") || ci_prefix(e - 2, e, "»")))
				e -= 2;
			else if (e - b >= 3 && (ci_prefix(e - 3, e, "“") || ci_prefix(e - 3, e, "”")))
				e -= 3;
			else
				break;
		}
		if (e > b)
			out[k++] = (struct rawtok){ b, (size_t)(e - b) };
	}
	return k;
}

/* A link: http(s)://, www., or name.tld[/...]. Sets *host to what names it. */
static bool raw_link(const struct rawtok *t, struct rawtok *host)
{
	const char *s = t->s, *end = t->s + t->n;
	if (ci_prefix(s, end, "http://") || ci_prefix(s, end, "https://") || ci_prefix(s, end, "www.")) {
		const char *h = ci_prefix(s, end, "www.") ? s : strstr(s, "//") + 2;
		const char *he = h;
		while (he < end && *he != '/' && *he != '?' && *he != '#')
			he++;
		*host = (struct rawtok){ h, (size_t)(he - h) };
		return true;
	}
	if (memchr(s, '@', t->n))
		return false;
	/* name.tld: letters, digits and hyphens, a dot, a known TLD, then / or the end. */
	const char *he = s;
	while (he < end && *he != '/' && *he != '?')
		he++;
	const char *dot = NULL;
	for (const char *q = s; q < he; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '.')
			dot = q;
		else if (!(c == '-' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return false;
	}
	if (!dot || dot - s < 2 || !is_tld(dot + 1, (size_t)(he - dot - 1)))
		return false;
	*host = (struct rawtok){ s, (size_t)(he - s) };
	return true;
}

static bool raw_is(const struct rawtok *t, const char *const *words)
{
	for (; *words; words++)
		if (t->n == strlen(*words) && ci_prefix(t->s, t->s + t->n, *words))
			return true;
	return false;
}

/* The token starts with a TLD, alone or followed by a path. */
static bool raw_tld_start(const struct rawtok *t)
{
	size_t n = 0;
	while (n < t->n && ((t->s[n] | 0x20) >= 'a' && (t->s[n] | 0x20) <= 'z'))
		n++;
	return n && (n == t->n || t->s[n] == '/') && is_tld(t->s, n);
}

static bool contains_ci(const struct rawtok *t, const char *lit)
{
	size_t n = strlen(lit);
	for (size_t i = 0; i + n <= t->n; i++)
		if (ci_prefix(t->s + i, t->s + t->n, lit))
			return true;
	return false;
}

struct spam_raw {
	unsigned links, obf, emails, money, phones;
	char first_link[64], first_obf[64];
};

static void scan_raw(const char *s, size_t n, struct spam_raw *r, struct rawtok *toks, size_t maxtoks)
{
	static const char *const dots[] = { "dot", "punkt", "(dot)", "[dot]", "{dot}", "(punkt)",
					    "[punkt]", ".", "(.)", "[.]", "dott", NULL };
	static const char *const money[] = { "euro", "eur", "dollar", "dollars", "usd", "€", "$", NULL };
	size_t k = raw_tokens(s, n, toks, maxtoks);
	for (size_t i = 0; i < k; i++) {
		struct rawtok *t = &toks[i], host;
		if (raw_link(t, &host)) {
			if (!r->links++)
				quote(host.s, host.n, r->first_link, sizeof r->first_link, 40);
			continue;
		}
		bool obf = false;
		size_t span = 1;
		bool telltale = false;
		for (size_t j = 0; j < t->n && !telltale; j++) {
			char ch = t->s[j];
			telltale = ch == 'x' || ch == 'X' || ch == '*' || ch == '[' || ch == '(' || ch == '{';
		}
		if (telltale && (contains_ci(t, "hxxp") || contains_ci(t, "h**p") || contains_ci(t, "[.]") ||
				 contains_ci(t, "(.)") || contains_ci(t, "[dot]") || contains_ci(t, "(dot)") ||
				 contains_ci(t, "{dot}")))
			obf = true;
		else if (i > 0 && i + 1 < k && raw_is(t, dots) && raw_tld_start(&toks[i + 1]))
			obf = true, span = 2;
		else if (t->n == 3 && ci_prefix(t->s, t->s + 3, "www") && i + 1 < k)
			obf = true, span = 2;
		if (obf) {
			if (!r->obf++) {
				const char *b = span == 2 && i > 0 && !ci_prefix(t->s, t->s + t->n, "www") ?
							toks[i - 1].s : t->s;
				const struct rawtok *last = &toks[i + span - 1 < k ? i + span - 1 : i];
				quote(b, (size_t)(last->s + last->n - b), r->first_obf, sizeof r->first_obf, 40);
			}
			continue;
		}
		if (memchr(t->s, '@', t->n) && memchr(t->s, '.', t->n) && t->n > 5 && t->s[0] != '@')
			r->emails++;
		bool digits = false;
		for (size_t j = 0; j < t->n; j++)
			digits |= t->s[j] >= '0' && t->s[j] <= '9';
		if (digits && (contains_ci(t, "€") || contains_ci(t, "$") ||
			       (i + 1 < k && raw_is(&toks[i + 1], money))))
			r->money++;
	}
	/* Phone numbers: nine or more digits with only spaces, +, -, / or
	 * brackets between them. */
	unsigned run = 0, gap = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : '\0';
		if (c >= '0' && c <= '9') {
			run++;
			gap = 0;
		} else if (c && strchr(" +-/()", c) && gap < 2 && run) {
			gap++;
		} else {
			if (run >= 9)
				r->phones++;
			run = gap = 0;
		}
	}
}

/* Case-insensitive search of a blocklist word in s, at word boundaries. */
static bool find_word_ci(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	if (!n)
		return false;
	char first = w[0] >= 'A' && w[0] <= 'Z' ? (char)(w[0] + 32) : w[0];
	char lw[256];
	if (n >= sizeof lw)
		return false;
	for (size_t i = 0; i <= n; i++) /* the word in lowercase, as ci_prefix wants it */
		lw[i] = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] + 32) : w[i];
	const char *end = s + len;
	for (const char *p = s; p + n <= end; p++) {
		if ((*p | 0x20) != first && *p != first)
			continue;
		if (!ci_prefix(p, end, lw))
			continue;
		/* Whole words only: the characters around it are no letters. */
		bool before = p == s;
		if (!before) { /* the character that ends before p */
			const char *q = p - 1;
			while (q > s && ((unsigned char)*q & 0xC0) == 0x80)
				q--;
			before = !word_char(text_next(&q, p));
		}
		const char *r = p + n;
		bool after = r >= end || !word_char(text_next(&r, end));
		if (before && after)
			return true;
	}
	return false;
}

static void lower_ascii(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[i] = '\0';
}

static bool looks_like_ip(const char *b)
{
	size_t dots = 0, colons = 0;
	for (const char *p = b; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p == ':')
			colons++;
		else if (!((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')))
			return false;
	}
	return (dots && !colons && strspn(b, "0123456789.") == strlen(b)) || colons >= 2 ||
	       (colons == 1 && b[strlen(b) - 1] == ':');
}

static void check_blocklist(struct ctx *x, const char *comment, size_t clen)
{
	const struct triage_input *in = x->in;
	char q[64];
	for (size_t i = 0; i < in->nblocklist; i++) {
		const char *b = in->blocklist[i];
		if (!b || !*b)
			continue;
		bool ip = looks_like_ip(b);
		if (ip && in->client_ip) {
			size_t bl = strlen(b);
			bool range = b[bl - 1] == '.' || b[bl - 1] == ':';
			char lb[64], lc[64];
			lower_ascii(b, lb, sizeof lb);
			lower_ascii(in->client_ip, lc, sizeof lc);
			if (range ? strncmp(lc, lb, bl) == 0 : strcmp(lc, lb) == 0) {
				quote(b, bl, q, sizeof q, 40);
				x->sc[TRIAGE_SPAM] = noisy_or(x->sc[TRIAGE_SPAM], 0.9);
				add_reason(x, TRIAGE_SPAM, 0.9, tr(x, "Sperrliste: IP-Adresse »%s«",
								   "blocklist: IP address »%s«"), q);
				return;
			}
			continue;
		}
		const char *dom = b[0] == '@' ? b + 1 : b;
		const char *at = in->author_email ? strrchr(in->author_email, '@') : NULL;
		if (at && strchr(dom, '.') && !strchr(dom, ' ')) {
			char ld[256], le[256];
			lower_ascii(dom, ld, sizeof ld);
			lower_ascii(at + 1, le, sizeof le);
			size_t dl = strlen(ld), el = strlen(le);
			if (strcmp(ld, le) == 0 || (el > dl && le[el - dl - 1] == '.' && strcmp(le + el - dl, ld) == 0)) {
				quote(dom, strlen(dom), q, sizeof q, 40);
				x->sc[TRIAGE_SPAM] = noisy_or(x->sc[TRIAGE_SPAM], 0.9);
				add_reason(x, TRIAGE_SPAM, 0.9, tr(x, "Sperrliste: E-Mail-Domain »%s«",
								   "blocklist: e-mail domain »%s«"), q);
				return;
			}
		}
		if (b[0] != '@' && (find_word_ci(comment, clen, b) ||
				    (in->author_name && find_word_ci(in->author_name, strnlen(in->author_name, MAX_NAME), b)) ||
				    (in->author_email && find_word_ci(in->author_email, strnlen(in->author_email, MAX_NAME), b)))) {
			quote(b, strlen(b), q, sizeof q, 40);
			x->sc[TRIAGE_SPAM] = noisy_or(x->sc[TRIAGE_SPAM], 0.9);
			add_reason(x, TRIAGE_SPAM, 0.9, tr(x, "Sperrliste: »%s«", "blocklist: »%s«"), q);
			return;
		}
	}
}

static const struct aword *prefix_find(const struct aword *ws, size_t n, const char *s, size_t sl,
				       size_t slack);

/* Spam phrasing that the article itself uses ("work from home" under an
 * article about working from home) is the reader's topic, not an advert. */
static bool phrase_in_article(const struct ctx *x, const struct hit *h)
{
	size_t content = 0;
	for (size_t i = h->chunk; i < h->chunk + h->n; i++) {
		const struct chunk *c = &x->ch[i];
		if (c->natlen < 4 || lex_is_stop(c->nat, c->natlen))
			continue;
		content++;
		size_t pre = c->natlen > 6 ? c->natlen - 2 : c->natlen;
		if (!prefix_find(x->art.words, x->art.n, c->nat, pre, SIZE_MAX))
			return false;
	}
	return content > 0;
}

static int score_spam(struct ctx *x, const char *comment, size_t len)
{
	const struct triage_input *in = x->in;
	double s = 0;
	char q[64];
	if (in->honeypot_filled) {
		s = noisy_or(s, 0.97);
		add_reason(x, TRIAGE_SPAM, 0.97, "%s", tr(x, "verstecktes Feld (Honeypot) ausgefüllt",
							  "hidden honeypot field filled in"));
	}
	if (in->fill_seconds >= 0) {
		size_t chars = 0;
		for (size_t i = 0; i < len; i++)
			chars += ((unsigned char)comment[i] & 0xC0) != 0x80;
		double cps = (double)chars / (in->fill_seconds > 0 ? in->fill_seconds : 1);
		double f = in->fill_seconds <= 2 ? 0.8 : cps > 15 ? 0.6 : cps > 8 ? 0.3 : 0;
		if (f > 0) {
			s = noisy_or(s, f);
			add_reason(x, TRIAGE_SPAM, f, tr(x, "Formular nach %d s abgeschickt (%zu Zeichen)",
							 "form sent after %d s (%zu characters)"),
				   in->fill_seconds, chars);
		}
	}
	if (in->duplicates > 0) {
		double d = in->duplicates >= 3 ? 0.75 : in->duplicates == 2 ? 0.55 : 0.35;
		if (len < 30) /* "Danke!" is written by many */
			d /= 2;
		s = noisy_or(s, d);
		add_reason(x, TRIAGE_SPAM, d, tr(x, "%d gleiche Kommentare kurz zuvor",
						 "%d identical comments shortly before"), in->duplicates);
	}
	x->sc[TRIAGE_SPAM] = s;
	check_blocklist(x, comment, len);
	s = x->sc[TRIAGE_SPAM];

	struct spam_raw r = { 0 };
	size_t maxtoks = len / 2 + 2;
	struct rawtok *toks = arena_alloc(&x->a, maxtoks * sizeof *toks);
	if (!toks)
		return DP_ENOMEM;
	scan_raw(comment, len, &r, toks, maxtoks);
	/* Spaced "h t t p" was joined into one chunk. */
	for (size_t i = 0; i < x->nch; i++)
		if (x->ch[i].joined && (strncmp(x->ch[i].nat, "http", 4) == 0 || strncmp(x->ch[i].nat, "www", 3) == 0) &&
		    !r.obf++)
			quote(x->ch[i].raw, x->ch[i].rawlen, r.first_obf, sizeof r.first_obf, 40);
	x->contacts = r.links + r.obf + r.emails + r.phones;
	if (r.links) {
		double l = r.links >= 3 ? 0.7 : r.links == 2 ? 0.45 : 0.2;
		s = noisy_or(s, l);
		add_reason(x, TRIAGE_SPAM, l, tr(x, "%u Link(s): %s", "%u link(s): %s"), r.links, r.first_link);
	}
	if (r.obf) {
		double o = r.obf >= 2 ? 0.8 : 0.65;
		s = noisy_or(s, o);
		add_reason(x, TRIAGE_SPAM, o, tr(x, "verschleierter Link: »%s«", "disguised link: »%s«"),
			   r.first_obf);
	}
	if (r.emails) {
		s = noisy_or(s, 0.25);
		add_reason(x, TRIAGE_SPAM, 0.25, "%s", tr(x, "E-Mail-Adresse im Text", "e-mail address in the text"));
	}
	if (r.phones) {
		s = noisy_or(s, 0.35);
		add_reason(x, TRIAGE_SPAM, 0.35, "%s", tr(x, "Telefonnummer im Text", "phone number in the text"));
	}
	if (r.money) {
		double m = r.money >= 2 ? 0.3 : 0.2;
		if (r.links + r.obf)
			m += 0.3; /* a price and where to pay it */
		s = noisy_or(s, m);
		add_reason(x, TRIAGE_SPAM, m, "%s", r.links + r.obf ? tr(x, "Preis und Link", "a price and a link")
								  : tr(x, "Geldbeträge", "sums of money"));
	}
	for (size_t h = 0; h < x->nhits; h++) {
		const struct hit *ht = &x->hits[h];
		const struct lex_entry *le = &lex_entries[ht->e];
		if (le->cat != LEX_SPAM)
			continue;
		double w = le->weight / 100.0 + (ht->obf ? 0.15 : 0);
		if (phrase_in_article(x, ht))
			w *= 0.3;
		w *= x->damp[h];
		s = noisy_or(s, w);
		if (w < 0.1)
			continue;
		hit_text(x, ht, q, sizeof q);
		add_reason(x, TRIAGE_SPAM, w, "%s: »%s«%s", cat_name(x, LEX_SPAM), q,
			   ht->obf ? tr(x, ", verschleiert", ", obfuscated") : "");
		if (strcmp(le->text, "whatsapp") == 0 || strcmp(le->text, "telegram") == 0)
			x->contacts++;
	}
	/* Shouting. */
	size_t letters = 0, upper = 0;
	for (const char *p = comment, *end = comment + len; p < end;) {
		uint32_t c = text_next(&p, end);
		if (text_is_letter(c)) {
			letters++;
			upper += text_is_upper(c);
		}
	}
	if (letters >= 20 && upper * 10 >= letters * 6) {
		s = noisy_or(s, 0.15);
		add_reason(x, TRIAGE_SPAM, 0.15, "%s", tr(x, "überwiegend Großbuchstaben", "mostly capitals"));
	}
	/* A name that advertises. */
	if (in->author_name && *in->author_name) {
		size_t nl = strnlen(in->author_name, MAX_NAME);
		struct rawtok nt[32], host;
		size_t k = raw_tokens(in->author_name, nl, nt, 32);
		bool bad = false;
		for (size_t i = 0; i < k && !bad; i++)
			bad = raw_link(&nt[i], &host);
		if (!bad) {
			struct ctx nx = { .in = x->in, .en = x->en };
			arena_init(&nx.a);
			if (!chunk_text(&nx, in->author_name, nl) && !match_all(&nx))
				for (size_t h = 0; h < nx.nhits && !bad; h++)
					bad = lex_entries[nx.hits[h].e].cat == LEX_SPAM && lex_entries[nx.hits[h].e].weight >= 25;
			arena_release(&nx.a);
		}
		if (bad) {
			quote(in->author_name, nl, q, sizeof q, 40);
			s = noisy_or(s, 0.5);
			add_reason(x, TRIAGE_SPAM, 0.5, tr(x, "Name wirbt: »%s«", "name advertises: »%s«"), q);
		}
	}
	x->sc[TRIAGE_SPAM] = s;
	return DP_OK;
}

/* ======================================================================
 * Off-topic
 * ====================================================================== */

/* Lowercases and folds word[0..n) (UTF-8) into out; returns the length. */
static size_t fold_word(const char *w, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (const char *p = w, *end = w + n; p < end;) {
		if ((unsigned char)*p < 0x80) {
			if (o + 1 >= cap)
				break;
			char ch = *p++;
			out[o++] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
			continue;
		}
		uint32_t c = text_lower(text_next(&p, end));
		const char *f = text_fold(c);
		char b[4];
		size_t bl = f ? strlen(f) : text_put(b, c);
		if (o + bl >= cap)
			break;
		memcpy(out + o, f ? f : b, bl);
		o += bl;
	}
	out[o] = '\0';
	return o;
}

/* Calls fn for every word of s (letters and digits), skipping links, Markdown
 * link targets and HTML tags. The word is lowercase, not folded. */
static int each_word(const char *s, size_t n,
		     int (*fn)(void *, const char *, size_t, const char *), void *arg)
{
	const char *p = s, *end = s + n;
	char w[KEY_MAX + 8];
	size_t wl = 0;
	const char *wstart = NULL;
	bool toolong = false;
	while (1) {
		const char *here = p;
		if (p < end && !wl && ((*p | 0x20) == 'h' || (*p | 0x20) == 'w') &&
		    (ci_prefix(p, end, "http://") || ci_prefix(p, end, "https://") || ci_prefix(p, end, "www."))) {
			while (p < end && !strchr(" \t\r\n)]>\"", *p))
				p++;
			continue;
		}
		if (p + 1 < end && p[0] == ']' && p[1] == '(') {
			while (p < end && *p != ')')
				p++;
		}
		if (p + 1 < end && *p == '<' && (((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z') || p[1] == '/')) {
			const char *gt = memchr(p, '>', (size_t)(end - p) < 200 ? (size_t)(end - p) : 200);
			if (gt)
				p = gt + 1;
		}
		here = p;
		uint32_t c;
		if (p < end && (unsigned char)*p < 0x80) { /* ASCII without the decoder */
			c = (unsigned char)*p++;
			if (((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9')) {
				if (!wl)
					wstart = here;
				if (wl + 4 <= KEY_MAX)
					w[wl++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
				else
					toolong = true;
				continue;
			}
		} else {
			c = p < end ? text_next(&p, end) : 0;
		}
		if (c && word_char(c)) {
			if (!wl)
				wstart = here;
			uint32_t lc = text_lower(c);
			if (wl + 4 <= KEY_MAX)
				wl += text_put(w + wl, lc);
			else
				toolong = true;
			continue;
		}
		/* Apostrophes inside words ("don't", "gibt's") do not split them. */
		if ((c == '\'' || c == 0x2019) && wl && p < end && word_char(peek(p, end)))
			continue;
		if (wl && !toolong) {
			w[wl] = '\0';
			int rc = fn(arg, w, wl, wstart);
			if (rc)
				return rc;
		}
		wl = 0;
		toolong = false;
		if (!c)
			break;
	}
	return DP_OK;
}

static bool content_word(const char *w, size_t n)
{
	size_t chars = 0, digits = 0;
	for (size_t i = 0; i < n; i++) {
		chars += ((unsigned char)w[i] & 0xC0) != 0x80;
		digits += w[i] >= '0' && w[i] <= '9';
	}
	if (digits == chars)
		return chars >= 2;
	return chars >= 3 && !lex_is_stop(w, n);
}

struct vocab_add {
	struct ctx *x;
	struct vocab *art;
	bool title;
};

static int article_word(void *vp, const char *w, size_t n, const char *raw)
{
	(void)raw;
	struct vocab_add *aa = vp;
	struct vocab *art = aa->art;
	if (!content_word(w, n))
		return DP_OK;
	char f[KEY_MAX + 8];
	size_t fl = fold_word(w, n, f, sizeof f);
	int old;
	int rc = strmap_put(&art->seen, f, fl, (int)art->n, &old);
	if (rc == DP_EEXISTS) {
		if (aa->title)
			art->words[old].title = true;
		return DP_OK;
	}
	if (rc)
		return rc;
	/* The map holds f for now; point it at the arena copy. */
	char *copy = arena_strndup(&aa->x->a, f, fl);
	if (!copy)
		return DP_ENOMEM;
	strmap_find(&art->seen, f, fl)->key = copy;
	if (art->n == art->cap) {
		size_t cap = art->cap ? art->cap * 2 : 256;
		struct aword *nw = arena_alloc(&aa->x->a, cap * sizeof *nw);
		if (!nw)
			return DP_ENOMEM;
		if (art->n)
			memcpy(nw, art->words, art->n * sizeof *nw);
		art->words = nw;
		art->cap = cap;
	}
	art->words[art->n++] = (struct aword){ copy, (uint16_t)fl, aa->title };
	return DP_OK;
}

static int aword_cmp(const void *a, const void *b)
{
	return strcmp(((const struct aword *)a)->w, ((const struct aword *)b)->w);
}

static int vocab_build(struct ctx *x, struct vocab *art)
{
	const struct triage_input *in = x->in;
	memset(art, 0, sizeof *art);
	int rc = strmap_init(&art->seen, 512);
	if (rc)
		return rc;
	struct vocab_add aa = { x, art, true };
	if (in->title)
		rc = each_word(in->title, strnlen(in->title, MAX_ARTICLE), article_word, &aa);
	aa.title = false;
	if (!rc && in->body)
		rc = each_word(in->body, strnlen(in->body, MAX_ARTICLE), article_word, &aa);
	if (rc)
		return rc;
	if (art->n)
		qsort(art->words, art->n, sizeof *art->words, aword_cmp);
	/* Tails of compounds: "warmepumpenforderung" also offers "forderung". */
	size_t nsuf = 0;
	for (size_t i = 0; i < art->n; i++)
		if (art->words[i].len >= 9)
			nsuf += art->words[i].len - 7;
	if (nsuf) {
		art->sufs = arena_alloc(&x->a, nsuf * sizeof *art->sufs);
		if (!art->sufs)
			return DP_ENOMEM;
		for (size_t i = 0; i < art->n; i++) {
			const struct aword *w = &art->words[i];
			for (size_t p = 3; w->len >= 9 && p + 5 <= w->len; p++)
				art->sufs[art->nsuf++] = (struct aword){ w->w + p, (uint16_t)(w->len - p), w->title };
		}
		qsort(art->sufs, art->nsuf, sizeof *art->sufs, aword_cmp);
	}
	return DP_OK;
}

/* A word of ws[0..n) that starts with s[0..sl) and is at most slack bytes
 * longer (SIZE_MAX: any length); title words are preferred. */
static const struct aword *prefix_find(const struct aword *ws, size_t n, const char *s, size_t sl,
				       size_t slack)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(ws[mid].w, s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	const struct aword *best = NULL;
	for (size_t i = lo; i < n && strncmp(ws[i].w, s, sl) == 0; i++) {
		if (ws[i].len - sl <= slack && (!best || ws[i].title > best->title))
			best = &ws[i];
	}
	return best;
}

/* Word endings that are not words: a shared "-ungen" says nothing. */
static bool suffixy(const char *t)
{
	static const char *const starts[] = { "ung", "heit", "keit", "schaft", "lich", "isch", "tion",
					      "ier", "ern", "end", "ens", "ent", "est", "ell", "tung",
					      "rung", "lung", "nung", "ige", "iger", "ungs", "ness",
					      "ment", "ing", "able", "ive", NULL };
	for (const char *const *s = starts; *s; s++)
		if (strncmp(t, *s, strlen(*s)) == 0)
			return true;
	return false;
}

/* Whether a comment word (folded: f, its stem: st) is in the article. */
static const struct aword *article_match(const struct vocab *art, const char *f, size_t fl,
					 const char *st, size_t sl, bool en)
{
	const struct aword *m = prefix_find(art->words, art->n, st, sl, 5);
	/* The comment's word starts an article compound: "hitze" in "hitzewelle". */
	if (!m && fl >= 5)
		m = prefix_find(art->words, art->n, f, fl, SIZE_MAX);
	if (!m && en && sl >= 3 && st[sl - 1] == 'i') { /* "studi" is "study" */
		char y[KEY_MAX + 8];
		memcpy(y, st, sl);
		y[sl - 1] = 'y';
		y[sl] = '\0';
		m = prefix_find(art->words, art->n, y, sl, 5);
	}
	/* … or ends one: "forder" in "warmepumpenforderung", "hitze" in "mittagshitze". */
	if (!m && sl >= 5)
		m = prefix_find(art->sufs, art->nsuf, st, sl, 5);
	if (!m && fl >= 5)
		m = prefix_find(art->sufs, art->nsuf, f, fl, 3);
	/* An article word starts the comment's compound: "einkommen" in
	 * "einkommensgrenze", "preis" in "preiserhohung". */
	for (size_t l = fl > 3 ? fl - 3 : 0; !m && l >= 5; l--) {
		struct strmap_slot *s = strmap_find(&art->seen, f, l);
		if (s)
			m = prefix_find(art->words, art->n, s->key, l, 0);
	}
	/* Both are compounds of the same word: "lieferfahrer" and
	 * "lieferverkehr", "jobticket" and "deutschlandticket". */
	if (!m && fl >= 8)
		for (const struct aword *w = prefix_find(art->words, art->n, f, 6, SIZE_MAX);
		     w && !m; w = NULL)
			m = w->len >= 8 ? w : NULL;
	for (size_t p = 3; !m && fl >= 9 && p + 6 <= fl; p++)
		if (!suffixy(f + p))
			m = prefix_find(art->sufs, art->nsuf, f + p, fl - p, 3);
	/* The comment's compound ends in an article word: "heizungsgesetzes". */
	for (size_t p = 3; !m && fl >= 8 && p + 5 <= fl; p++) {
		const char *t = f + p;
		size_t tl = fl - p;
		for (size_t l = 5; !m && l <= tl; l++) {
			if (tl - l > 3)
				continue;
			struct strmap_slot *s = strmap_find(&art->seen, t, l);
			if (s)
				m = prefix_find(art->words, art->n, s->key, l, 0);
		}
	}
	return m;
}

struct term_ctx {
	struct ctx *x;
	const struct vocab *art;
	struct sb_stemmer *stem;
	struct strmap seen;
	size_t n, matched;
	const char *shown[3];
	uint16_t shownlen[3];
	size_t nshown;
	int err;
};

static int comment_word(void *vp, const char *w, size_t n, const char *raw)
{
	struct term_ctx *t = vp;
	if (!content_word(w, n) || t->n >= MAX_TERMS)
		return DP_OK;
	char *copy = arena_strndup(&t->x->a, w, n);
	if (!copy)
		return DP_ENOMEM;
	int r = strmap_put(&t->seen, copy, n, 0, NULL);
	if (r)
		return r == DP_EEXISTS ? DP_OK : r;
	char f[KEY_MAX + 8], stf[KEY_MAX + 8];
	size_t fl = fold_word(w, n, f, sizeof f);
	const sb_symbol *st = t->stem ? sb_stemmer_stem(t->stem, (const sb_symbol *)w, (int)n) : NULL;
	size_t sl = st ? fold_word((const char *)st, (size_t)sb_stemmer_length(t->stem), stf, sizeof stf)
		       : (memcpy(stf, f, fl + 1), fl);
	t->n++;
	if (article_match(t->art, f, fl, stf, sl, t->x->en)) {
		t->matched++;
		if (t->nshown < 3) {
			t->shown[t->nshown] = raw;
			t->shownlen[t->nshown++] = (uint16_t)n;
		}
	}
	return DP_OK;
}

static int score_offtopic(struct ctx *x, const char *comment, size_t len)
{
	struct term_ctx t = { .x = x, .art = &x->art };
	int rc = strmap_init(&t.seen, 64);
	if (rc)
		goto out;
	t.stem = sb_stemmer_new(x->en ? "english" : "german", "UTF_8");
	rc = each_word(comment, len, comment_word, &t);
	if (rc)
		goto out;

	double on = 0, offmark = 0;
	char q[64];
	const char *marker = NULL;
	size_t markerlen = 0;
	for (size_t h = 0; h < x->nhits; h++) {
		const struct hit *ht = &x->hits[h];
		const struct lex_entry *le = &lex_entries[ht->e];
		if (le->cat == LEX_ONTOPIC) {
			on += le->weight / 100.0;
			if (!marker) {
				marker = x->ch[ht->chunk].raw;
				markerlen = x->ch[ht->chunk + ht->n - 1].raw + x->ch[ht->chunk + ht->n - 1].rawlen - marker;
			}
		} else if (le->cat == LEX_OFFTOPIC) {
			offmark = noisy_or(offmark, le->weight / 100.0);
			hit_text(x, ht, q, sizeof q);
			add_reason(x, TRIAGE_OFFTOPIC, le->weight / 100.0,
				   tr(x, "kündigt ein anderes Thema an: »%s«", "announces another topic: »%s«"), q);
		}
	}
	/* A question to the author is on topic: »Herr Autor«, the formal »Sie«,
	 * English »you«. (»Weißt du …?« asks another reader.) */
	bool to_author = false;
	for (size_t i = 0; i < x->nch && !to_author; i++) {
		const struct chunk *c = &x->ch[i];
		to_author = c->role == LEX_AUTHOR ||
			    (c->role == LEX_YOU && (chunk_is(c, "sie", 3) || chunk_is(c, "ihnen", 5) ||
						    chunk_is(c, "you", 3)));
	}
	if (to_author && offmark == 0 && memchr(comment, '?', len)) {
		on += 0.6;
		add_reason(x, TRIAGE_OK, 0.3, "%s", tr(x, "Frage an den Autor", "question to the author"));
	}
	/* Answering another reader is part of the discussion. */
	for (size_t i = 0; i < x->nch; i++)
		if (x->ch[i].role == LEX_READER) {
			on += 0.5;
			break;
		}
	if (on > 2)
		on = 2;
	double n = (double)t.n, m = (double)t.matched + on;
	double off;
	if (t.n == 0) {
		off = 0.1;
	} else {
		double r = m / n > 1 ? 1 : m / n;
		double conf = 1 - exp(-n / 3);
		double base = r >= 0.34 ? 0.04 : 0.92 - 2.6 * r;
		off = conf * base;
	}
	off = noisy_or(off, offmark);
	x->sc[TRIAGE_OFFTOPIC] = clamp01(off);
	if (t.n && off >= 0.3)
		add_reason(x, TRIAGE_OFFTOPIC, off,
			   tr(x, "kaum Bezug zum Artikel: %zu von %zu Begriffen kommen darin vor",
			      "little relation to the article: %zu of %zu terms occur in it"),
			   t.matched, t.n);
	if (t.nshown) {
		char list[3][48];
		for (size_t i = 0; i < 3; i++)
			list[i][0] = '\0';
		for (size_t i = 0; i < t.nshown; i++)
			quote(t.shown[i], t.shownlen[i], list[i], sizeof list[i], 30);
		add_reason(x, TRIAGE_OK, 0.2 + 0.1 * (double)t.nshown,
			   tr(x, "Bezug zum Artikel: »%s«%s%s%s%s%s%s", "relates to the article: »%s«%s%s%s%s%s%s"),
			   list[0], t.nshown > 1 ? ", »" : "", list[1], t.nshown > 1 ? "«" : "",
			   t.nshown > 2 ? ", »" : "", list[2], t.nshown > 2 ? "«" : "");
	}
	if (marker && on >= 0.8 && t.n <= 8) {
		quote(marker, markerlen, q, sizeof q, 30);
		add_reason(x, TRIAGE_OK, 0.35, tr(x, "kurzer Kommentar zum Artikel (»%s«)",
						  "short comment on the article (»%s«)"), q);
	}
out:
	if (t.stem)
		sb_stemmer_delete(t.stem);
	strmap_release(&t.seen);
	return rc;
}

/* ======================================================================
 * The learned part and the verdict
 * ====================================================================== */

static const char *label_text(const struct ctx *x, int l)
{
	switch (l) {
	case TRIAGE_OFFTOPIC: return tr(x, "am Thema vorbei", "off-topic");
	case TRIAGE_DEMEANING: return tr(x, "herabwürdigend", "demeaning");
	case TRIAGE_SPAM: return tr(x, "Spam", "spam");
	default: return "ok";
	}
}

/* Words the rules flag but the moderators keep approving (»Ratten« on a site
 * that writes about pest control) count less. */
static void model_damp(struct ctx *x, const struct triage_model *m)
{
	if (!m)
		return;
	for (size_t h = 0; h < x->nhits; h++) {
		const struct hit *ht = &x->hits[h];
		int cat = lex_entries[ht->e].cat;
		if (ht->n != 1 || !(demeaning_cat(cat) || cat == LEX_SPAM))
			continue;
		/* The word as the model saw it: lowercase letters and digits. */
		const struct chunk *c = &x->ch[ht->chunk];
		char w[KEY_MAX + 8];
		size_t wl = 0;
		bool plain = true;
		for (const char *p = c->raw, *end = c->raw + c->rawlen; p < end && plain;) {
			uint32_t ch = text_next(&p, end);
			plain = word_char(ch) && wl + 4 <= KEY_MAX;
			if (plain)
				wl += text_put(w + wl, text_lower(ch));
		}
		if (!plain || !wl)
			continue;
		uint32_t n[TRIAGE__MAX];
		bayes_word(m, w, wl, n);
		uint32_t bad = cat == LEX_SPAM ? n[TRIAGE_SPAM] : n[TRIAGE_DEMEANING];
		double approval = n[TRIAGE_OK] ? (double)n[TRIAGE_OK] / (n[TRIAGE_OK] + bad) : 0;
		if (n[TRIAGE_OK] < 3 || approval < 0.75)
			continue;
		double seen = n[TRIAGE_OK] >= 10 ? 1 : n[TRIAGE_OK] / 10.0;
		x->damp[h] = 1 - 0.6 * approval * seen;
		char q[64];
		quote(c->raw, c->rawlen, q, sizeof q, 40);
		add_reason(x, TRIAGE_OK, 0.3, tr(x, "gelernt: »%s« wurde %u-mal freigegeben",
						 "learned: »%s« was approved %u times"), q, n[TRIAGE_OK]);
	}
}

/* Whole-comment evidence of the learned part raises the spam and demeaning
 * scores; it never lowers them (model_damp() does that, word by word) and
 * leaves off-topic alone: whether a comment fits depends on its article,
 * which words alone cannot learn. */
static int apply_model(struct ctx *x, const struct triage_model *m, const char *comment, size_t len)
{
	struct bayes_evidence ev;
	int rc = bayes_evidence(m, comment, len, &ev);
	if (rc)
		return rc;
	static const int labels[] = { TRIAGE_DEMEANING, TRIAGE_SPAM };
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		int l = labels[i];
		double w = ev.weight[l], llr = ev.llr[l];
		/* A margin: a couple of weakly spammy words ("euro", "woche") must
		 * not add up to a verdict; a word seen in twenty spam comments and
		 * no approved one (ln ratio ≈ 3.7) does. */
		if (w <= 0 || llr <= 2)
			continue;
		double push = 0.9 * w * (2 / (1 + exp(-(llr - 2))) - 1);
		x->sc[l] = noisy_or(x->sc[l], push);
		if (push >= 0.2 && ev.top[l][0]) {
			char q[64];
			quote(ev.top[l], strlen(ev.top[l]), q, sizeof q, 40);
			add_reason(x, l, push, tr(x, "gelernt: ähnelt Kommentaren, die als %s markiert wurden (»%s«)",
						  "learned: like comments marked %s (»%s«)"),
				   label_text(x, l), q);
		}
	}
	return DP_OK;
}

static void sort_reasons(struct reason *r, size_t n, int verdict)
{
	/* Insertion sort: n is small, and the order depends on the verdict. */
	for (size_t i = 1; i < n; i++) {
		struct reason tmp = r[i];
		size_t j = i;
		while (j > 0) {
			const struct reason *p = &r[j - 1];
			int vp = p->label == verdict, vt = tmp.label == verdict;
			bool before = vt > vp || (vt == vp && tmp.strength > p->strength);
			if (!before)
				break;
			r[j] = r[j - 1];
			j--;
		}
		r[j] = tmp;
	}
}

const char *triage_verdict_name(enum triage_verdict v)
{
	static const char *const names[TRIAGE__MAX] = { "ok", "offtopic", "demeaning", "spam" };
	return (unsigned)v < TRIAGE__MAX ? names[v] : "?";
}

int triage_verdict_parse(const char *name)
{
	for (int v = 0; v < TRIAGE__MAX && name; v++)
		if (strcmp(name, triage_verdict_name(v)) == 0)
			return v;
	return -1;
}

int triage_score(const struct triage_model *m, const struct triage_input *in, struct triage_result *ret)
{
	if (!ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	ret->verdict = TRIAGE_OK;
	ret->scores[TRIAGE_OK] = 1;
	if (!in)
		return DP_EINVAL;
	pthread_once(&T_once, tables_build);
	if (T.err)
		return T.err;

	struct ctx x = { .in = in, .en = in->lang && strncmp(in->lang, "en", 2) == 0 };
	arena_init(&x.a);
	const char *comment = in->comment ? in->comment : "";
	size_t len = strnlen(comment, MAX_COMMENT);
	int rc = vocab_build(&x, &x.art);
	if (!rc)
		rc = chunk_text(&x, comment, len);
	if (!rc)
		rc = match_all(&x);
	if (!rc)
		model_damp(&x, m);
	if (!rc)
		rc = score_spam(&x, comment, len);
	if (!rc)
		rc = score_offtopic(&x, comment, len);
	if (rc)
		goto out;
	score_demeaning(&x);
	/* A way to reach someone (link, address, number, messenger) in a comment
	 * unrelated to the article is what spam looks like; a reader who strays
	 * from the topic rarely leaves one. */
	if (x.contacts && x.sc[TRIAGE_OFFTOPIC] >= 0.6) {
		x.sc[TRIAGE_SPAM] = noisy_or(x.sc[TRIAGE_SPAM], 0.4);
		add_reason(&x, TRIAGE_SPAM, 0.4, "%s", tr(&x, "Kontaktweg in einem Kommentar ohne Bezug zum Artikel",
							  "contact details in a comment unrelated to the article"));
	}
	rc = apply_model(&x, m, comment, len);
	if (rc)
		goto out;

	double top = 0;
	for (int l = TRIAGE_OK + 1; l < TRIAGE__MAX; l++) {
		ret->scores[l] = clamp01(x.sc[l]);
		if (ret->scores[l] > top)
			top = ret->scores[l];
	}
	ret->scores[TRIAGE_OK] = 1 - top;
	/* Demeaning and spam come first: an insulting or advertising comment is
	 * usually off-topic as well, and that is the lesser finding. */
	double d = ret->scores[TRIAGE_DEMEANING], s = ret->scores[TRIAGE_SPAM];
	if (d >= TRIAGE_THRESHOLD || s >= TRIAGE_THRESHOLD)
		ret->verdict = d >= s ? TRIAGE_DEMEANING : TRIAGE_SPAM;
	else if (ret->scores[TRIAGE_OFFTOPIC] >= TRIAGE_THRESHOLD)
		ret->verdict = TRIAGE_OFFTOPIC;
	ret->score = ret->verdict == TRIAGE_OK ? top : ret->scores[ret->verdict];

	sort_reasons(x.reasons, x.nreasons, (int)ret->verdict);
	for (size_t i = 0; i < x.nreasons && ret->nreasons < TRIAGE_NREASONS; i++) {
		const struct reason *r = &x.reasons[i];
		if (r->label != (int)ret->verdict && r->strength < 0.2)
			continue;
		memcpy(ret->reasons[ret->nreasons++], r->text, TRIAGE_REASON_LEN);
	}
out:
	strmap_release(&x.art.seen);
	arena_release(&x.a);
	if (rc) {
		memset(ret, 0, sizeof *ret);
		ret->verdict = TRIAGE_OK;
		ret->scores[TRIAGE_OK] = 1;
	}
	return rc;
}
