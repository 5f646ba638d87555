/* search.c — the site search and related articles in the SQLite backend:
 * an FTS5 index with a tokenizer of our own (search/analyze.h), a ranking
 * function of our own, the vocabulary compounds are split against, and the
 * related-article lists (migration 9 describes the tables).
 *
 * The tokenizer "depesche" is registered on every connection (before the
 * migrations, which create the index) with the language as its argument.
 * Queries (FTS5_TOKENIZE_QUERY) and snippets (FTS5_TOKENIZE_AUX) are
 * analysed in query mode; documents in document mode against this
 * connection's copy of the vocabulary, with compound parts passed as
 * FTS5_TOKEN_COLOCATED. Both modes yield the same tokens apart from the
 * parts, so snippet positions line up with the index. A quoted string that
 * starts with TERM_MARK is taken as one term as it is: related-article
 * queries are made of terms, not words.
 *
 * Word pairs: a phrase of common words ("in der", "die Lage") would make
 * FTS5 walk the position lists of nearly every article. So a document
 * also yields, at a word's position, the pair of each of its terms (word
 * and compound parts) with each term of the next word ("der lag") when
 * either of the two is paired: a function word (analyzer_function_word),
 * or a common word, one in at least COMMON_SHARE of the articles when the
 * index was last built (search_common; none below COMMON_MIN_DOCS). A
 * phrase is looked up by its pairs: "die Lage bleibe" as the phrase
 * "die lag" "bleib", whose lists are short. A single word is looked up as
 * it is. The pairs of a row depend on its words and the common words
 * alone, which change only with a rebuild (and its new generation), so a
 * removal makes the same pairs as the insert did; changing the rule or the
 * function words needs a rebuild (SEARCH_INDEX_FORMAT). The marks of a
 * result (highlight, snippet) are made from the plain phrase (PLAIN_MARK),
 * so every word of it is marked.
 *
 * Removing a row makes FTS5 tokenize its stored text again; had the
 * vocabulary grown since, the compounds would split differently and the
 * index would keep entries nobody removes. So every insert records the parts
 * it emitted (search_docs.parts: the number of the token they follow and the
 * term) and a removal emits the tokens without splitting plus exactly those
 * parts (DOC_RECORD, DOC_REPLAY).
 *
 * The work of a change is split in two. sq_search_article, inside the
 * write, takes the article's old row out of the index and adds its words to
 * the vocabulary; sq_search_flush, when the transaction ends (store_commit,
 * or the end of a write that opened its own), indexes the articles noted,
 * writes the document counts once per term, indexes again older articles
 * whose compounds the transaction's new words split (bounded), and makes
 * the related lists. So the compounds of an import split against the words
 * of all its articles, as in a rebuild, and each list is made once.
 *
 * The index rowid is published_at << KEY_ID_BITS | id. Rowid order is date
 * order, and "rowid < key(now + 1, 0)" is the visibility cut-off, which
 * FTS5 applies inside the index (drafts are never in it).
 *
 * Ranking (dp_rank): BM25 (k1 1.2, b 0.75) over weighted term frequencies
 * (title 10, tags 5, body 1) and the whole row's length, with idf from the
 * vocabulary's document counts, times 1 + 0.3 / (1 + age in days / 30) for
 * a reader's search. FTS5's bm25() counts the rows of every phrase on each
 * query, a walk over the whole doclist (25 ms for a phrase of common words
 * in 100,000 articles); the counts kept in search_vocab cost a lookup.
 * A search ranks at most SEARCH_RANKED_MAX matches: the newest, when more
 * match (scoring every match of a common word is ~100 ms at that size); the
 * count then stops there too.
 *
 * Related articles: an article keeps its RELATED_TERMS_KEPT most frequent
 * terms (title and tags weighted, function words left out); its query is
 * the RELATED_TERMS of them with the highest tf × idf that another article
 * has too, ORed, ranked by dp_rank without recency. Candidates are the
 * RELATED_HALF articles on either side of its date and, for terms rarer
 * than RELATED_RARE_DF, the whole index; one is related when it reaches
 * RELATED_MIN_SHARE of the score the article gets for its own query (that
 * share, its sim, is stored). When an article changes, its list is made
 * again, so are (up to RELATED_REFRESH_MAX) the lists it is in, and it is
 * placed in the lists of its closest matches with the same sim (relations
 * are taken as symmetric: no query of their own); each article whose list
 * changed gets a change-log entry. */
#include "store/store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/html.h"
#include "search/analyze.h"
#include "search/query.h"
#include "search/vocab.h"
#include "store/sqlite/internal.h"
#include "util/buf.h"
#include "util/err.h"

#define KEY_ID_BITS 29                     /* article ids below 2^29 */
#define KEY_TIME_MAX ((INT64_C(1) << 34) - 1) /* dates up to the year 2514 */
#define TERM_MARK '\x01'                   /* "\x01term": a term as it is */
#define MARK_OPEN '\x02'                   /* highlight markers, never in the text */
#define MARK_CLOSE '\x03'
#define PLAIN_MARK '\x04'                  /* "\x04words": looked up word by word, no pairs */
#define PAIR_SEP ' '                       /* joins the terms of a pair: no term has a space */
#define PHRASE_PAIRS_MAX 32                /* terms of a phrase looked up by pairs */
#define SEARCH_INDEX_FORMAT 2              /* of the index's terms; another one is rebuilt */
#define COMMON_MIN_DOCS 1000               /* a rebuild of fewer articles pairs function words only */
#define COMMON_SHARE 0.02                  /* of the articles a common word is in, at least */
#define COMMON_MAX 1000                    /* common words at most (the most frequent) */

#define SEARCH_PAGE_MAX 100                /* hits per page at most */
#define SNIPPET_TOKENS 24

#define RANK_PHRASES_MAX 64
#define RANK_K1 1.2
#define RANK_B 0.75

#define RELATED_KEEP 6            /* stored per article; SEARCH_RELATED shown */
#define RELATED_TERMS 12          /* distinctive terms in an article's query */
#define RELATED_TERMS_KEPT 40     /* candidates for them kept with the article */
#define RELATED_HALF 150          /* candidates on either side of the article's date */
#define RELATED_RARE_DF 200       /* terms at most this common are looked up everywhere */
#define RELATED_RARE_ROWS 2000    /* rows such a lookup scores at most */
#define RELATED_MIN_SHARE 0.2     /* of the score an article gets for its own query */
#define RELATED_REFRESH_MAX 12    /* lists holding a changed article recomputed in full */
#define RELATED_HOLDERS_MAX 500   /* lists holding it that are looked at at all */
#define RELATED_NOTES_MAX 256     /* a rebuild changing more lists drops every page */
#define FLUSH_OPTIMIZE_MIN 1000   /* articles of one transaction that merit an optimize */
#define RETRO_PART_MIN 4          /* bytes of a new term that may be a compound's part */
#define RETRO_COMPOUND_MIN 7      /* bytes of a term that may be a compound */
#define RETRO_TERMS_MAX 64        /* new terms looked for in older compounds per transaction */
#define RETRO_DOCS_MAX 100        /* older articles indexed again per transaction */
#define TF_TITLE 3.0              /* term weights when picking distinctive terms */
#define TF_TAGS 3.0
#define TF_BODY 1.0

static const double col_weight[3] = { 10.0, 5.0, 1.0 }; /* title, tags, body */

_Static_assert(RELATED_TERMS * 2 <= RANK_PHRASES_MAX, "a related query fits the ranking");
_Static_assert(QUERY_WORDS_MAX <= RANK_PHRASES_MAX, "a reader's query fits the ranking");

/* ---- a small map of terms (a document's terms, document counts) ---- */

struct bag_item {
	uint32_t off, len;    /* the term in bytes[] */
	double tf;            /* summed weights */
	double head;          /* the part of tf from an article's title and tags */
};

struct bag {
	uint32_t *slots;      /* index into items + 1; 0: free */
	size_t cap;           /* a power of two */
	struct bag_item *items;
	size_t n, items_cap;
	char *bytes;
	size_t used, size;
};

static uint32_t hash32(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void bag_free(struct bag *b)
{
	free(b->slots);
	free(b->items);
	free(b->bytes);
	memset(b, 0, sizeof *b);
}

static void bag_clear(struct bag *b)
{
	if (b->slots)
		memset(b->slots, 0, b->cap * sizeof *b->slots);
	b->n = 0;
	b->used = 0;
}

static const char *bag_term(const struct bag *b, const struct bag_item *it)
{
	return b->bytes + it->off;
}

static uint32_t *bag_probe(const struct bag *b, const char *t, size_t len, uint32_t h)
{
	for (size_t i = h & (b->cap - 1);; i = (i + 1) & (b->cap - 1)) {
		uint32_t *slot = &b->slots[i];
		if (!*slot)
			return slot;
		const struct bag_item *it = &b->items[*slot - 1];
		if (it->len == len && !memcmp(b->bytes + it->off, t, len))
			return slot;
	}
}

static int bag_grow(struct bag *b)
{
	size_t cap = b->cap ? 2 * b->cap : 64;
	uint32_t *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return DP_ENOMEM;
	free(b->slots);
	b->slots = slots;
	b->cap = cap;
	for (size_t i = 0; i < b->n; i++) {
		const struct bag_item *it = &b->items[i];
		*bag_probe(b, b->bytes + it->off, it->len, hash32(b->bytes + it->off, it->len)) =
			(uint32_t)i + 1;
	}
	return DP_OK;
}

/* The item of term (added with tf 0 if new), its tf raised by tf. */
static int bag_add(struct bag *b, const char *t, size_t len, double tf, struct bag_item **ret)
{
	if (len > ANALYZE_TERM_MAX || b->n >= UINT32_MAX - 1)
		return DP_ETOOBIG;
	if ((b->n + 1) * 2 > b->cap && bag_grow(b))
		return DP_ENOMEM;
	uint32_t h = hash32(t, len);
	uint32_t *slot = bag_probe(b, t, len, h);
	if (!*slot) {
		if (b->n == b->items_cap) {
			size_t ncap = b->items_cap ? 2 * b->items_cap : 64;
			struct bag_item *items = realloc(b->items, ncap * sizeof *items);
			if (!items)
				return DP_ENOMEM;
			b->items = items;
			b->items_cap = ncap;
		}
		if (b->used + len + 1 > b->size) {
			size_t nsize = b->size ? 2 * b->size : 1024;
			while (nsize < b->used + len + 1)
				nsize *= 2;
			if (nsize > UINT32_MAX)
				return DP_ETOOBIG;
			char *bytes = realloc(b->bytes, nsize);
			if (!bytes)
				return DP_ENOMEM;
			b->bytes = bytes;
			b->size = nsize;
		}
		memcpy(b->bytes + b->used, t, len);
		b->bytes[b->used + len] = '\0';
		b->items[b->n] = (struct bag_item){ (uint32_t)b->used, (uint32_t)len, 0, 0 };
		b->used += len + 1;
		*slot = (uint32_t)++b->n;
	}
	struct bag_item *it = &b->items[*slot - 1];
	it->tf += tf;
	if (ret)
		*ret = it;
	return DP_OK;
}

static struct bag_item *bag_find(const struct bag *b, const char *t, size_t len)
{
	if (!b->cap)
		return NULL;
	uint32_t *slot = bag_probe(b, t, len, hash32(t, len));
	return *slot ? &b->items[*slot - 1] : NULL;
}

/* ---- per-connection state ---- */

enum doc_mode {
	DOC_PLAIN,   /* document tokenizations nobody announced: split, record nothing */
	DOC_RECORD,  /* an insert: split, record parts and terms */
	DOC_REPLAY,  /* a removal: no splitting, the recorded parts, record terms */
};

struct rank_params {
	double weight[RANK_PHRASES_MAX]; /* per phrase: idf times the query's weight */
	size_t n;                        /* phrases scored; the others count nothing */
	int64_t now;                     /* recency from this time; 0: none */
};

struct sq_search {
	char lang[8];             /* the index's language as last read */
	int64_t generation;       /* of the index the vocabulary copy belongs to */
	int64_t ndocs;            /* indexed articles */
	struct analyzer *an;      /* our own passes, in lang */
	bool an_vocab_set;        /* vocab (of an_vocab_version) is set on an */
	unsigned an_vocab_version;
	struct vocab *vocab;      /* copy of search_vocab; NULL until a document needs it */
	struct vocab *common;     /* search_common, of this generation; NULL: none */
	bool common_loaded;
	unsigned vocab_version;   /* moves on whenever vocab is replaced */
	int64_t vocab_last;       /* highest id loaded into vocab */
	bool reload;              /* a rollback: vocab may hold terms that are gone */
	enum doc_mode doc_mode;
	size_t main_tokens;       /* tokens (not parts) of the current row so far */
	struct buf parts;         /* DOC_RECORD: "n term " per part */
	const char *replay;       /* DOC_REPLAY: the parts still to emit */
	struct bag doc_terms;     /* DOC_RECORD, DOC_REPLAY: distinct terms of the row */
	struct bag tf;            /* the terms of the words of the article being indexed */
	struct bag df_article;    /* document count moves of the article being indexed */
	struct bag df_pending;    /* those of the open transaction, not yet written */
	struct bag fresh;         /* terms new to the vocabulary in the open transaction */
	struct rank_params rank;  /* what dp_rank uses for the statement being stepped */
	int64_t *pending;         /* articles changed in the open transaction */
	size_t npending, pending_cap;
};

static struct sq_search *state(struct store *s)
{
	return *sq_search_slot(s);
}

/* ---- the tokenizer ---- */

struct dp_tok {
	struct analyzer *an;
	struct sq_search *ss;
	unsigned vocab_version;   /* of the vocabulary set on an */
	bool vocab_set;
};

/* The terms at one position: the word's term, then its compound parts. */
struct spot {
	size_t n;
	size_t len[1 + ANALYZE_PARTS_MAX];
	char term[1 + ANALYZE_PARTS_MAX][ANALYZE_TERM_MAX];
	bool paired[1 + ANALYZE_PARTS_MAX];   /* the term is a function or common word */
	bool any;                 /* one of them is */
	int start, end;           /* the word's bytes */
};

struct emit {
	struct sq_search *ss;
	struct analyzer *an;
	void *ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
	enum doc_mode mode;
	int src;                  /* the SQLite error that stopped the run */
	struct spot spot[2];      /* documents: the last word emitted, the word being read */
	int last;                 /* spot[last] was emitted; -1: none yet in this text */
	bool reading;             /* spot[!last] (spot[0] at first) holds a word */
};

/* Parses "n term " at *p: false at the end or on garbage. */
static bool next_part(const char **p, size_t *ret_n, const char **ret_term, size_t *ret_len)
{
	const char *s = *p;
	size_t n = 0;
	if (!s || !*s)
		return false;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		n = n * 10 + (size_t)(*s++ - '0');
	if (*s++ != ' ')
		return false;
	const char *t = s;
	while (*s && *s != ' ')
		s++;
	if (s == t)
		return false;
	*ret_n = n;
	*ret_term = t;
	*ret_len = (size_t)(s - t);
	*p = *s ? s + 1 : s;
	return true;
}

/* One token of a document, recorded as doc_mode says. */
static int emit_token(struct emit *e, const char *term, size_t len, size_t start, size_t end,
		      bool colocated)
{
	struct sq_search *ss = e->ss;
	int rc = e->xToken(e->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, term, (int)len,
			   (int)start, (int)end);
	if (rc) {
		e->src = rc;
		return 1;
	}
	if (e->mode == DOC_PLAIN)
		return 0;
	if (bag_add(&ss->doc_terms, term, len, 0, NULL)) {
		e->src = SQLITE_NOMEM;
		return 1;
	}
	if (colocated) {
		if (ss->main_tokens)
			buf_printf(&ss->parts, "%zu %.*s ", ss->main_tokens - 1, (int)len, term);
		return 0;
	}
	size_t at = ss->main_tokens++;
	if (e->mode != DOC_REPLAY)
		return 0;
	/* The parts this token had when the row went in, in their order. */
	for (;;) {
		const char *p = ss->replay, *part;
		size_t n, plen;
		if (!next_part(&p, &n, &part, &plen) || n > at)
			break;
		ss->replay = p;
		if (n < at)
			continue;
		rc = e->xToken(e->ctx, FTS5_TOKEN_COLOCATED, part, (int)plen, (int)start, (int)end);
		if (!rc && bag_add(&ss->doc_terms, part, plen, 0, NULL))
			rc = SQLITE_NOMEM;
		if (rc) {
			e->src = rc;
			return 1;
		}
	}
	return 0;
}

/* Whether a phrase pairs term with its neighbours (see the top). */
static bool paired(const struct analyzer *an, const struct sq_search *ss, const char *term,
		   size_t len)
{
	return analyzer_function_word(an, term, len) ||
	       (ss->common && vocab_has(ss->common, term, len));
}

static void spot_add(struct emit *e, struct spot *w, const char *term, size_t len)
{
	if (w->n < 1 + ANALYZE_PARTS_MAX && len <= ANALYZE_TERM_MAX) {
		memcpy(w->term[w->n], term, len);
		w->len[w->n] = len;
		w->paired[w->n] = paired(e->an, e->ss, term, len);
		w->any |= w->paired[w->n++];
	}
}

/* The pair a b ("a b") as one token at the current position. */
static int emit_pair(struct emit *e, const char *a, size_t alen, const char *b, size_t blen,
		     int start, int end)
{
	char pair[2 * ANALYZE_TERM_MAX + 1];
	memcpy(pair, a, alen);
	pair[alen] = PAIR_SEP;
	memcpy(pair + alen + 1, b, blen);
	int rc = e->xToken(e->ctx, FTS5_TOKEN_COLOCATED, pair, (int)(alen + 1 + blen), start, end);
	if (rc)
		e->src = rc;
	return rc ? 1 : 0;
}

/* The word being read goes out: first, at the last word's position, the
 * pairs of a term of the last word and a term of this one where either is
 * paired, then its own terms. */
static int emit_spot(struct emit *e)
{
	int at = e->last < 0 ? 0 : !e->last;
	const struct spot *w = &e->spot[at];
	if (e->last >= 0 && (w->any || e->spot[e->last].any)) {
		const struct spot *v = &e->spot[e->last];
		for (size_t i = 0; i < v->n; i++)
			for (size_t j = 0; j < w->n; j++)
				if ((v->paired[i] || w->paired[j]) &&
				    emit_pair(e, v->term[i], v->len[i], w->term[j], w->len[j], v->start,
					      w->end))
					return 1;
	}
	/* In a removal the parts come from the record (emit_token replays them). */
	size_t own = e->mode == DOC_REPLAY ? 1 : w->n;
	for (size_t i = 0; i < own; i++)
		if (emit_token(e, w->term[i], w->len[i], (size_t)w->start, (size_t)w->end, i > 0))
			return 1;
	e->last = at;
	e->reading = false;
	return 0;
}

/* The analyzer's terms of a document, a word at a time (emit_spot). */
static int doc_cb(void *arg, const char *term, size_t len, size_t start, size_t end,
		  bool colocated)
{
	struct emit *e = arg;
	if (colocated) {
		if (e->reading)
			spot_add(e, &e->spot[e->last < 0 ? 0 : !e->last], term, len);
		return 0;
	}
	if (e->reading && emit_spot(e))
		return 1;
	struct spot *w = &e->spot[e->last < 0 ? 0 : !e->last];
	w->n = 0;
	w->any = false;
	w->start = (int)start;
	w->end = (int)end;
	spot_add(e, w, term, len);
	e->reading = true;
	if (e->mode == DOC_REPLAY) {
		/* the parts recorded for this word, for its pairs */
		const char *p = e->ss->replay, *part;
		size_t n, plen, at = e->ss->main_tokens;
		while (next_part(&p, &n, &part, &plen) && n <= at)
			if (n == at)
				spot_add(e, w, part, plen);
	}
	return 0;
}

/* A phrase's terms, for a query. */
struct phrase {
	size_t n;
	size_t len[PHRASE_PAIRS_MAX];
	char term[PHRASE_PAIRS_MAX][ANALYZE_TERM_MAX];
	bool paired[PHRASE_PAIRS_MAX];
	bool long_;               /* more than PHRASE_PAIRS_MAX terms */
	struct analyzer *an;
	const struct sq_search *ss;
};

static int phrase_cb(void *arg, const char *term, size_t len, size_t start, size_t end,
		     bool colocated)
{
	struct phrase *ph = arg;
	(void)start;
	(void)end;
	if (colocated)
		return 0;
	if (ph->n == PHRASE_PAIRS_MAX || len > ANALYZE_TERM_MAX) {
		ph->long_ = true;
		return 1;
	}
	memcpy(ph->term[ph->n], term, len);
	ph->len[ph->n] = len;
	ph->paired[ph->n++] = paired(ph->an, ph->ss, term, len);
	return 0;
}

/* A query's terms as they are (a phrase word by word). */
static int plain_cb(void *arg, const char *term, size_t len, size_t start, size_t end,
		    bool colocated)
{
	struct emit *e = arg;
	int rc = e->xToken(e->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, term, (int)len,
			   (int)start, (int)end);
	if (rc)
		e->src = rc;
	return rc ? 1 : 0;
}

/* A phrase of a query by its pairs: at each word, its pair with the next
 * one when either is paired, else the word; the last word is
 * left out when the pair before it holds it. A single word stays a word. */
static int query_phrase(struct dp_tok *t, struct emit *e, const char *text, size_t n)
{
	struct phrase ph = { .an = t->an, .ss = t->ss };
	int rc = analyzer_run(t->an, text, n, ANALYZE_QUERY, phrase_cb, &ph);
	if (ph.long_)
		return analyzer_run(t->an, text, n, ANALYZE_QUERY, plain_cb, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < ph.n; i++) {
		bool pair = i + 1 < ph.n && (ph.paired[i] || ph.paired[i + 1]);
		if (pair) {
			char buf[2 * ANALYZE_TERM_MAX + 1];
			memcpy(buf, ph.term[i], ph.len[i]);
			buf[ph.len[i]] = PAIR_SEP;
			memcpy(buf + ph.len[i] + 1, ph.term[i + 1], ph.len[i + 1]);
			rc = e->xToken(e->ctx, 0, buf, (int)(ph.len[i] + 1 + ph.len[i + 1]), 0, (int)n);
			if (!rc && i + 2 == ph.n)
				break;    /* the pair holds the last word */
		} else {
			rc = e->xToken(e->ctx, 0, ph.term[i], (int)ph.len[i], 0, (int)n);
		}
		if (rc) {
			e->src = rc;
			return DP_OK;
		}
	}
	return DP_OK;
}

static int tok_create(void *ctx, const char **args, int nargs, Fts5Tokenizer **ret)
{
	struct dp_tok *t;
	if (nargs > 1)
		return SQLITE_ERROR;
	if (!(t = calloc(1, sizeof *t)))
		return SQLITE_NOMEM;
	t->ss = ctx;
	int rc = analyzer_new(nargs ? args[0] : "de", &t->an);
	if (rc) {
		free(t);
		return rc == DP_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
	}
	*ret = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
	struct dp_tok *t = (struct dp_tok *)p;
	if (t) {
		analyzer_free(t->an);
		free(t);
	}
}

/* Sets the vocabulary the analyzer splits against, only when it changed:
 * setting one makes the analyzer forget the parts it has cached. */
static void tok_vocab(struct dp_tok *t, bool split)
{
	struct sq_search *ss = t->ss;
	const struct vocab *v = split ? ss->vocab : NULL;
	unsigned version = v ? ss->vocab_version : 0;
	if (t->vocab_set && t->vocab_version == version)
		return;
	analyzer_set_vocab(t->an, v);
	t->vocab_set = true;
	t->vocab_version = version;
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int ntext,
			int (*xToken)(void *, int, const char *, int, int, int))
{
	struct dp_tok *t = (struct dp_tok *)p;
	struct emit e = { .ss = t->ss, .an = t->an, .ctx = ctx, .xToken = xToken,
			  .mode = DOC_PLAIN, .last = -1 };
	int rc;
	if (!text || ntext <= 0)
		return SQLITE_OK;
	if (flags & FTS5_TOKENIZE_QUERY) {
		if (text[0] == TERM_MARK) {
			if (ntext == 1 || ntext - 1 > ANALYZE_TERM_MAX)
				return SQLITE_OK;
			return xToken(ctx, 0, text + 1, ntext - 1, 0, ntext);
		}
		if (text[0] == PLAIN_MARK)
			rc = analyzer_run(t->an, text + 1, (size_t)ntext - 1, ANALYZE_QUERY, plain_cb, &e);
		else
			rc = query_phrase(t, &e, text, (size_t)ntext);
	} else if (flags & FTS5_TOKENIZE_DOCUMENT) {
		e.mode = t->ss->doc_mode;
		tok_vocab(t, e.mode != DOC_REPLAY);
		rc = analyzer_run(t->an, text, (size_t)ntext, ANALYZE_DOCUMENT, doc_cb, &e);
		if (!rc && !e.src && e.reading)
			emit_spot(&e);
	} else {
		/* snippets and highlights: positions and offsets only */
		rc = analyzer_run(t->an, text, (size_t)ntext, ANALYZE_QUERY, plain_cb, &e);
	}
	if (e.src)
		return e.src;
	return rc == DP_OK ? SQLITE_OK : rc == DP_ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

/* ---- the ranking function ---- */

static int64_t key_of(int64_t published_at, int64_t id)
{
	int64_t t = published_at < 0 ? 0 : published_at > KEY_TIME_MAX ? KEY_TIME_MAX : published_at;
	return (t << KEY_ID_BITS) | id;
}

static int64_t id_of(int64_t key)
{
	return key & ((INT64_C(1) << KEY_ID_BITS) - 1);
}

/* The first key after every article public at now. */
static int64_t key_bound(int64_t now)
{
	return now < KEY_TIME_MAX ? key_of(now + 1, 0) : INT64_MAX;
}

static void dp_rank(const Fts5ExtensionApi *api, Fts5Context *fc, sqlite3_context *ctx, int nval,
		    sqlite3_value **val)
{
	struct sq_search *ss = api->xUserData(fc);
	const struct rank_params *p = &ss->rank;
	double freq[RANK_PHRASES_MAX] = { 0 };
	sqlite3_int64 nrow = 0, total = 0;
	int nphrase = api->xPhraseCount(fc), ninst = 0, len = 0, rc;
	size_t n = p->n < (size_t)(nphrase > 0 ? nphrase : 0) ? p->n : (size_t)(nphrase > 0 ? nphrase : 0);
	(void)nval;
	(void)val;

	if ((rc = api->xInstCount(fc, &ninst)))
		goto fail;
	for (int i = 0; i < ninst; i++) {
		int phrase, col, off;
		if ((rc = api->xInst(fc, i, &phrase, &col, &off)))
			goto fail;
		if (phrase >= 0 && (size_t)phrase < n && col >= 0 && col < 3)
			freq[phrase] += col_weight[col];
	}
	if ((rc = api->xRowCount(fc, &nrow)) || (rc = api->xColumnTotalSize(fc, -1, &total)) ||
	    (rc = api->xColumnSize(fc, -1, &len)))
		goto fail;
	double avg = nrow > 0 && total > 0 ? (double)total / (double)nrow : 1.0;
	double norm = RANK_K1 * (1.0 - RANK_B + RANK_B * (double)len / avg);
	double score = 0;
	for (size_t i = 0; i < n; i++)
		if (freq[i] > 0)
			score += p->weight[i] * freq[i] * (RANK_K1 + 1.0) / (freq[i] + norm);
	if (p->now) {
		double age = (double)(p->now - (api->xRowid(fc) >> KEY_ID_BITS)) / 86400.0;
		score *= 1.0 + 0.3 / (1.0 + (age > 0 ? age : 0) / 30.0);
	}
	sqlite3_result_double(ctx, -score);
	return;
fail:
	sqlite3_result_error_code(ctx, rc);
}

static double idf(int64_t df, int64_t ndocs)
{
	if (df < 0)
		df = 0;
	if (ndocs < df)
		ndocs = df;
	return log(1.0 + ((double)(ndocs - df) + 0.5) / ((double)df + 0.5));
}

/* ---- statements (slots 160..191) ---- */

enum {
	SS_STATE = 160,
	SS_STATE_SET,
	SS_VOCAB_LOAD,
	SS_VOCAB_ADD,
	SS_DF_ADD,
	SS_DF_GET,
	SS_ARTICLE,
	SS_ARTICLES,
	SS_COUNT_PUBLISHED,
	SS_DOC_GET,
	SS_DOC_PUT,
	SS_DOC_DEL,
	SS_DOCS_ALL,
	SS_FTS_INSERT,
	SS_FTS_DELETE,
	SS_BEFORE,
	SS_AFTER,
	SS_EVERYWHERE,
	SS_ONE,
	SS_MARKS,
	SS_REL_GET,
	SS_REL_DEL,
	SS_REL_ADD,
	SS_REL_HOLDERS,
	SS_REL_READ,
	SS_READY,
	SS_BEGIN,
	SS_COMMIT,
	SS_ROLLBACK,
	SS_COMPOUNDS,
	SS_TERM_ROWS,
	SS_COMMON,
	SS__END
};
_Static_assert(SS__END <= 192, "search.c owns slots 160..191");

/* The article columns: id, status, published_at, title, dateline,
 * body_html, category name, tag names. */
#define DOC_COLS                                                                        \
	"a.id, a.status, a.published_at, a.title, a.dateline, a.body_html, c.name,"     \
	" (SELECT group_concat(t.name, ' ') FROM article_tags x JOIN tags t"            \
	"  ON t.id = x.tag_id WHERE x.article_id = a.id)"                               \
	" FROM articles a LEFT JOIN categories c ON c.id = a.category_id"
/* Candidates with their score: ?1 the expression, ?2 a key, ?3 how many. */
#define CANDIDATES "SELECT rowid, dp_rank(search_fts) FROM search_fts WHERE search_fts MATCH ?1"

static const char *const sql_of[SS__END - SS_STATE] = {
#define S(id) [id - SS_STATE]
	S(SS_STATE) = "SELECT lang, generation, ndocs FROM search_state WHERE id = 1",
	S(SS_STATE_SET) = "UPDATE search_state SET ndocs = max(ndocs + ?1, 0),"
			  " lang = coalesce(?2, lang), generation = generation + ?3 WHERE id = 1",
	S(SS_VOCAB_LOAD) = "SELECT id, term FROM search_vocab WHERE id > ?1 ORDER BY id",
	S(SS_VOCAB_ADD) = "INSERT OR IGNORE INTO search_vocab (term) VALUES (?1)",
	S(SS_DF_ADD) = "INSERT INTO search_vocab (term, df) VALUES (?1, max(?2, 0))"
		       " ON CONFLICT (term) DO UPDATE SET df = max(df + ?2, 0) RETURNING df",
	S(SS_DF_GET) = "SELECT df FROM search_vocab WHERE term = ?1",
	S(SS_ARTICLE) = "SELECT " DOC_COLS " WHERE a.id = ?1",
	S(SS_ARTICLES) = "SELECT " DOC_COLS " WHERE a.status = 1 ORDER BY a.id",
	S(SS_COUNT_PUBLISHED) = "SELECT count(*) FROM articles WHERE status = 1",
	S(SS_DOC_GET) = "SELECT fts_key, parts, terms FROM search_docs WHERE article_id = ?1",
	S(SS_DOC_PUT) = "INSERT OR REPLACE INTO search_docs (article_id, fts_key, parts, terms)"
			" VALUES (?1, ?2, ?3, ?4)",
	S(SS_DOC_DEL) = "DELETE FROM search_docs WHERE article_id = ?1",
	S(SS_DOCS_ALL) = "SELECT article_id, fts_key, terms FROM search_docs ORDER BY article_id",
	S(SS_FTS_INSERT) = "INSERT INTO search_fts (rowid, title, tags, body) VALUES (?1, ?2, ?3, ?4)",
	S(SS_FTS_DELETE) = "DELETE FROM search_fts WHERE rowid = ?1",
	S(SS_BEFORE) = CANDIDATES " AND rowid < ?2 ORDER BY rowid DESC LIMIT ?3",
	S(SS_AFTER) = CANDIDATES " AND rowid > ?2 ORDER BY rowid LIMIT ?3",
	S(SS_EVERYWHERE) = CANDIDATES " AND rowid <> ?2 LIMIT ?3",
	S(SS_ONE) = "SELECT dp_rank(search_fts) FROM search_fts WHERE search_fts MATCH ?1 AND rowid = ?2",
	S(SS_MARKS) = "SELECT highlight(search_fts, 0, char(2), char(3)),"
		      " snippet(search_fts, 2, char(2), char(3), '…', 24)"
		      " FROM search_fts WHERE search_fts MATCH ?1 AND rowid = ?2",
	S(SS_REL_GET) = "SELECT related_id, score FROM search_related WHERE article_id = ?1"
			" ORDER BY position",
	S(SS_REL_DEL) = "DELETE FROM search_related WHERE article_id = ?1",
	S(SS_REL_ADD) = "INSERT INTO search_related (article_id, position, related_id, score)"
			" VALUES (?1, ?2, ?3, ?4)",
	S(SS_REL_HOLDERS) = "SELECT article_id FROM search_related WHERE related_id = ?1"
			    " ORDER BY article_id DESC LIMIT ?2",
	/* CROSS JOIN keeps the order: the article's few rows first, then each
	 * related one by id (the planner would walk every public article). */
	S(SS_REL_READ) = "SELECT " SQ_ARTICLE_LINK_COLS " FROM search_related r CROSS JOIN articles a"
			 " ON a.id = r.related_id"
			 " WHERE r.article_id = ?1 AND a.status = 1 AND a.published_at <= ?2"
			 " ORDER BY r.position LIMIT ?3",
	S(SS_READY) = "SELECT EXISTS (SELECT 1 FROM search_docs),"
		      " EXISTS (SELECT 1 FROM articles WHERE status = 1),"
		      " (SELECT format FROM search_state WHERE id = 1)",
	S(SS_BEGIN) = "BEGIN",
	S(SS_COMMIT) = "COMMIT",
	S(SS_ROLLBACK) = "ROLLBACK",
	S(SS_COMPOUNDS) = "SELECT term FROM search_vocab WHERE length(term) >= ?1",
	S(SS_TERM_ROWS) = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 LIMIT ?2",
	S(SS_COMMON) = "SELECT term FROM search_common",
#undef S
};

static int use(struct store *s, unsigned slot, sqlite3_stmt **ret)
{
	return sq_use(s, slot, sql_of[slot - SS_STATE], ret);
}

static int bind_text_n(sqlite3_stmt *st, int i, const char *v, size_t n)
{
	if (n > INT32_MAX)
		return DP_ETOOBIG;
	return sqlite3_bind_text(st, i, v, (int)n, SQLITE_STATIC) == SQLITE_OK ? DP_OK : DP_ENOMEM;
}

static int bind_double(sqlite3_stmt *st, int i, double v)
{
	return sqlite3_bind_double(st, i, v) == SQLITE_OK ? DP_OK : DP_ENOMEM;
}

/* Runs a statement of a slot without parameters or results. */
static int run(struct store *s, unsigned slot)
{
	sqlite3_stmt *st;
	int rc = use(s, slot, &st);
	if (!rc)
		rc = sq_step(st, NULL);
	if (st)
		sqlite3_reset(st);
	return rc;
}

/* A read of several statements sees one snapshot (as in store_sqlite.c). */
static int read_begin(struct store *s, bool *own)
{
	*own = sqlite3_get_autocommit(sq_db(s)) != 0;
	return *own ? run(s, SS_BEGIN) : DP_OK;
}

static void read_end(struct store *s, bool own)
{
	if (own && run(s, SS_COMMIT))
		run(s, SS_ROLLBACK);
}

static int exec(struct store *s, const char *sql)
{
	int rc = sqlite3_exec(sq_db(s), sql, NULL, NULL, NULL);
	switch (rc & 0xFF) {
	case SQLITE_OK: return DP_OK;
	case SQLITE_NOMEM: return DP_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DP_EBUSY;
	default: return DP_EDB;
	}
}

/* ---- state and vocabulary ---- */

/* Forgets the vocabulary copy (our analyzer must not keep a pointer to it). */
static void vocab_drop(struct sq_search *ss)
{
	if (ss->an_vocab_set && ss->an) {
		analyzer_set_vocab(ss->an, NULL);
		ss->an_vocab_set = false;
	}
	vocab_free(ss->vocab);
	ss->vocab = NULL;
	ss->vocab_version++;
	ss->vocab_last = 0;
}

static void common_drop(struct sq_search *ss)
{
	vocab_free(ss->common);
	ss->common = NULL;
	ss->common_loaded = false;
}

/* The common words of the index's generation (search_common). */
static int common_load(struct store *s, struct sq_search *ss)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_COMMON, &st);
	common_drop(ss);
	if (rc)
		return rc;
	while (!(rc = sq_step(st, &row)) && row) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		if (!t)
			continue;
		if (!ss->common && (rc = vocab_new(&ss->common)))
			break;
		if ((rc = vocab_add(ss->common, t, (size_t)sqlite3_column_bytes(st, 0), NULL)))
			break;
	}
	sqlite3_reset(st);
	if (rc)
		common_drop(ss);
	else
		ss->common_loaded = true;
	return rc;
}

/* Reads the index's language, generation and size; a new language gets a
 * new analyzer, a new generation drops the vocabulary copy. */
static int state_load(struct store *s, struct sq_search *ss)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_STATE, &st);
	if (rc)
		return rc;
	if ((rc = sq_step(st, &row)) || !row) {
		sqlite3_reset(st);
		return rc ? rc : DP_EDB;
	}
	const char *lang = (const char *)sqlite3_column_text(st, 0);
	int64_t generation = sqlite3_column_int64(st, 1);
	ss->ndocs = sqlite3_column_int64(st, 2);
	if (!lang || strlen(lang) >= sizeof ss->lang) {
		sqlite3_reset(st);
		return DP_EDB;
	}
	if (!ss->an || strcmp(lang, ss->lang) != 0) {
		struct analyzer *an;
		if ((rc = analyzer_new(lang, &an))) {
			sqlite3_reset(st);
			return rc == DP_EINVAL ? DP_EDB : rc;
		}
		analyzer_free(ss->an);
		ss->an = an;
		ss->an_vocab_set = false;
		snprintf(ss->lang, sizeof ss->lang, "%s", lang);
	}
	sqlite3_reset(st);
	if (generation != ss->generation) {
		vocab_drop(ss);
		common_drop(ss);
		ss->generation = generation;
	}
	return ss->common_loaded ? DP_OK : common_load(s, ss);
}

/* Brings the vocabulary copy up to date: terms other connections added
 * since the last look, or all of them the first time. */
static int vocab_load(struct store *s, struct sq_search *ss)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	if (ss->reload) {
		vocab_drop(ss);
		ss->reload = false;
	}
	if (!ss->vocab) {
		if ((rc = vocab_new(&ss->vocab)))
			return rc;
		ss->vocab_version++;
		ss->vocab_last = 0;
	}
	if ((rc = use(s, SS_VOCAB_LOAD, &st)))
		return rc;
	rc = sq_bind_i64(st, 1, ss->vocab_last);
	while (!rc && !(rc = sq_step(st, &row)) && row) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		int n = sqlite3_column_bytes(st, 1);
		if (t && n > 0)
			rc = vocab_add(ss->vocab, t, (size_t)n, NULL);
		ss->vocab_last = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	if (rc)
		ss->reload = true;
	return rc;
}

static void on_rollback(void *arg)
{
	struct sq_search *ss = arg;
	/* Terms added in the transaction are gone from the table but not from
	 * the copy, and their ids will be given again; the changes whose lists
	 * were to be made are undone. */
	ss->reload = true;
	ss->npending = 0;
	bag_clear(&ss->df_pending);
	bag_clear(&ss->fresh);
}

static int fts5_api_of(sqlite3 *db, fts5_api **ret)
{
	sqlite3_stmt *st = NULL;
	*ret = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return DP_EDB;
	sqlite3_bind_pointer(st, 1, (void *)ret, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return *ret ? DP_OK : DP_EDB;
}

int sq_search_open(struct store *s)
{
	static fts5_tokenizer tokenizer = { tok_create, tok_delete, tok_tokenize };
	struct sq_search *ss = calloc(1, sizeof *ss);
	fts5_api *api;
	int rc;
	if (!ss)
		return DP_ENOMEM;
	buf_init(&ss->parts, 0);
	*sq_search_slot(s) = ss;
	if ((rc = fts5_api_of(sq_db(s), &api)))
		return rc;
	if (api->xCreateTokenizer(api, "depesche", ss, &tokenizer, NULL) != SQLITE_OK ||
	    api->xCreateFunction(api, "dp_rank", ss, dp_rank, NULL) != SQLITE_OK)
		return DP_EDB;
	sqlite3_rollback_hook(sq_db(s), on_rollback, ss);
	return DP_OK;
}

void sq_search_close(struct store *s)
{
	struct sq_search *ss = state(s);
	if (!ss)
		return;
	sqlite3_rollback_hook(sq_db(s), NULL, NULL);
	analyzer_free(ss->an);
	vocab_free(ss->vocab);
	vocab_free(ss->common);
	buf_release(&ss->parts);
	bag_free(&ss->doc_terms);
	bag_free(&ss->tf);
	bag_free(&ss->df_article);
	bag_free(&ss->df_pending);
	bag_free(&ss->fresh);
	free(ss->pending);
	free(ss);
	*sq_search_slot(s) = NULL;
}

/* ---- article text ---- */

struct doc {
	int64_t id;
	int status;
	int64_t published_at;
	struct buf title, tags, body;
};

static void doc_init(struct doc *d)
{
	memset(d, 0, sizeof *d);
	buf_init(&d->title, 0);
	buf_init(&d->tags, 0);
	buf_init(&d->body, 0);
}

static void doc_release(struct doc *d)
{
	buf_release(&d->title);
	buf_release(&d->tags);
	buf_release(&d->body);
}

/* Appends a space unless out is empty or ends in one. */
static void space(struct buf *out)
{
	if (out->len && out->data[out->len - 1] != ' ')
		buf_putc(out, ' ');
}

/* Appends plain text: runs of blanks and control characters (C0, DEL,
 * C1) as one space, so the highlight markers can never come from it. */
static void put_plain(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F) {
			space(out);
		} else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
			   (unsigned char)s[i + 1] <= 0x9F) {
			space(out);
			i++;
		} else if (c == ' ') {
			space(out);
		} else {
			buf_putc(out, (char)c);
		}
	}
}

static void put_code_point(struct buf *out, uint32_t c)
{
	char u[4];
	size_t n;
	if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
		space(out);
		return;
	}
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	put_plain(out, u, n);
}

/* The named entities an editor's HTML is likely to hold; cmark itself
 * writes only &amp; &lt; &gt; &quot;. */
static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{ "amp", "&" },       { "lt", "<" },        { "gt", ">" },        { "quot", "\"" },
	{ "apos", "'" },      { "nbsp", " " },      { "shy", "" },        { "auml", "ä" },
	{ "ouml", "ö" },      { "uuml", "ü" },      { "Auml", "Ä" },      { "Ouml", "Ö" },
	{ "Uuml", "Ü" },      { "szlig", "ß" },     { "eacute", "é" },    { "egrave", "è" },
	{ "agrave", "à" },    { "ccedil", "ç" },    { "ndash", "–" },     { "mdash", "—" },
	{ "hellip", "…" },    { "laquo", "«" },     { "raquo", "»" },     { "bdquo", "„" },
	{ "ldquo", "“" },     { "rdquo", "”" },     { "lsquo", "‘" },     { "rsquo", "’" },
	{ "sbquo", "‚" },     { "euro", "€" },      { "copy", "©" },      { "deg", "°" },
	{ "sect", "§" },      { "middot", "·" },    { "times", "×" },
};

/* Decodes the entity at s[0] == '&'; returns the bytes it took (0: not an
 * entity, the '&' is text). */
static size_t put_entity(struct buf *out, const char *s)
{
	size_t i = 1;
	if (s[1] == '#') {
		uint32_t c = 0;
		bool hex = s[2] == 'x' || s[2] == 'X';
		size_t digits = 0;
		for (i = hex ? 3 : 2; digits < 8; i++, digits++) {
			char d = s[i];
			if (d >= '0' && d <= '9')
				c = c * (hex ? 16 : 10) + (uint32_t)(d - '0');
			else if (hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f')
				c = c * 16 + (uint32_t)((d | 0x20) - 'a' + 10);
			else
				break;
		}
		if (!digits || s[i] != ';')
			return 0;
		put_code_point(out, c);
		return i + 1;
	}
	while (i < 12 && ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
		i++;
	if (s[i] != ';')
		return 0;
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
		if (strlen(entities[k].name) == i - 1 && !memcmp(entities[k].name, s + 1, i - 1)) {
			if (!strcmp(entities[k].name, "nbsp"))
				space(out);
			else
				buf_puts(out, entities[k].text);
			return i + 1;
		}
	return 0;
}

/* Whether s[0..n) is lit (lower case ASCII) in any case. */
static bool ascii_ieq(const char *s, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != lit[i])
			return false;
	return true;
}

/* Elements inside a line of text: their tags do not separate words
 * ("<em>Bahn</em>strecke" is one word). */
static bool inline_element(const char *name, size_t n)
{
	static const char *const names[] = { "a",    "abbr", "b",   "bdi",    "bdo",  "cite",
					     "code", "data", "del", "dfn",    "em",   "i",
					     "ins",  "kbd",  "mark", "q",     "s",    "samp",
					     "small", "span", "strong", "sub", "sup", "time",
					     "u",    "var",  "wbr" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (ascii_ieq(name, n, names[i]))
			return true;
	return false;
}

/* Whether s starts with lit (lower case ASCII) in any case. */
static bool ascii_prefix(const char *s, const char *lit)
{
	for (; *lit; s++, lit++)
		if ((*s >= 'A' && *s <= 'Z' ? *s + 32 : *s) != *lit)
			return false;
	return true;
}

static bool ascii_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Appends the text of the HTML h: tags dropped (those of block elements
 * and <br> as a space), comments and the content of script and style too;
 * entities decoded. */
static void put_html_text(struct buf *out, const char *h)
{
	const char *p = h;
	while (*p) {
		if (*p == '&') {
			size_t k = put_entity(out, p);
			if (!k)
				buf_putc(out, '&');
			p += k ? k : 1;
			continue;
		}
		if (*p != '<') {
			size_t n = strcspn(p, "<&");
			put_plain(out, p, n);
			p += n;
			continue;
		}
		if (!strncmp(p, "<!--", 4)) {
			const char *e = strstr(p + 4, "-->");
			p = e ? e + 3 : p + strlen(p);
			space(out);
			continue;
		}
		const char *q = p + 1;
		bool closing = *q == '/';
		q += closing;
		if (!(((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '!' || *q == '?')) {
			buf_putc(out, '<');   /* not a tag: text */
			p++;
			continue;
		}
		const char *name = q;
		while (ascii_alnum(*q))
			q++;
		size_t nlen = (size_t)(q - name);
		char quote = 0;
		while (*q && (quote || *q != '>')) {
			if (quote && *q == quote)
				quote = 0;
			else if (!quote && (*q == '"' || *q == '\''))
				quote = *q;
			q++;
		}
		p = *q ? q + 1 : q;
		if (!inline_element(name, nlen))
			space(out);
		const char *raw = ascii_ieq(name, nlen, "script") ? "</script"
				  : ascii_ieq(name, nlen, "style") ? "</style" : NULL;
		if (!closing && raw) {
			while (*p && !(ascii_prefix(p, raw) && !ascii_alnum(p[strlen(raw)])))
				p++;
		}
	}
}

/* Fills d (doc_init'ed; what it held before is dropped) from a row of DOC_COLS. */
static int doc_read(sqlite3_stmt *st, struct doc *d)
{
	buf_reset(&d->title);
	buf_reset(&d->tags);
	buf_reset(&d->body);
	d->id = sqlite3_column_int64(st, 0);
	d->status = (int)sqlite3_column_int64(st, 1);
	d->published_at = sqlite3_column_int64(st, 2);
	const char *title = (const char *)sqlite3_column_text(st, 3);
	put_plain(&d->title, title ? title : "", title ? (size_t)sqlite3_column_bytes(st, 3) : 0);
	const char *tags = (const char *)sqlite3_column_text(st, 7);
	if (tags)
		put_plain(&d->tags, tags, (size_t)sqlite3_column_bytes(st, 7));
	const char *category = (const char *)sqlite3_column_text(st, 6);
	if (category) {
		space(&d->tags);
		put_plain(&d->tags, category, (size_t)sqlite3_column_bytes(st, 6));
	}
	const char *dateline = (const char *)sqlite3_column_text(st, 4);
	if (dateline && *dateline) {
		put_plain(&d->body, dateline, (size_t)sqlite3_column_bytes(st, 4));
		space(&d->body);
	}
	const char *html = (const char *)sqlite3_column_text(st, 5);
	if (html)
		put_html_text(&d->body, html);
	int rc = buf_error(&d->title);
	if (!rc)
		rc = buf_error(&d->tags);
	if (!rc)
		rc = buf_error(&d->body);
	return rc;
}

/* Reads article id into d; *ret_found false when there is none. */
static int doc_get(struct store *s, int64_t id, struct doc *d, bool *ret_found)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_ARTICLE, &st);
	*ret_found = false;
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, ret_found)) && *ret_found)
		rc = doc_read(st, d);
	sqlite3_reset(st);
	return rc;
}

/* The index row of article id: its key, recorded parts and terms
 * (malloc'd, optional); *ret_had false when it is not indexed. */
static int docrow_get(struct store *s, int64_t id, int64_t *ret_key, char **ret_parts,
		      char **ret_terms, bool *ret_had)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_DOC_GET, &st);
	*ret_had = false;
	*ret_key = 0;
	if (ret_parts)
		*ret_parts = NULL;
	if (ret_terms)
		*ret_terms = NULL;
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_step(st, ret_had)) && *ret_had) {
		*ret_key = sqlite3_column_int64(st, 0);
		if (ret_parts)
			rc = sq_col_dup(st, 1, ret_parts);
		if (!rc && ret_terms)
			rc = sq_col_dup(st, 2, ret_terms);
	}
	sqlite3_reset(st);
	if (rc) {
		if (ret_parts) {
			free(*ret_parts);
			*ret_parts = NULL;
		}
		if (ret_terms) {
			free(*ret_terms);
			*ret_terms = NULL;
		}
	}
	return rc;
}

/* ---- indexing ---- */

struct tf_run {
	struct bag *bag;
	double weight;
	bool head;            /* title or tags */
};

static int tf_cb(void *arg, const char *term, size_t len, size_t start, size_t end, bool colocated)
{
	struct tf_run *r = arg;
	struct bag_item *it;
	(void)start;
	(void)end;
	(void)colocated;
	int rc = bag_add(r->bag, term, len, r->weight, &it);
	if (!rc && r->head)
		it->head += r->weight;
	return rc;
}

/* The terms of d into tf, weighted by where they stand: those of its words
 * (split false), or as indexed, with compound parts split against the
 * vocabulary copy (split true). */
static int doc_tf(struct sq_search *ss, const struct doc *d, bool split, struct bag *tf)
{
	const struct buf *part[3] = { &d->title, &d->tags, &d->body };
	const double weight[3] = { TF_TITLE, TF_TAGS, TF_BODY };
	int rc = DP_OK;
	bag_clear(tf);
	if (split && (!ss->an_vocab_set || ss->an_vocab_version != ss->vocab_version)) {
		analyzer_set_vocab(ss->an, ss->vocab);
		ss->an_vocab_set = true;
		ss->an_vocab_version = ss->vocab_version;
	}
	for (size_t i = 0; !rc && i < 3; i++) {
		struct tf_run r = { tf, weight[i], i < 2 };
		rc = analyzer_run(ss->an, buf_cstr(part[i]), part[i]->len,
				  split ? ANALYZE_DOCUMENT : ANALYZE_QUERY, tf_cb, &r);
	}
	return rc;
}

static bool all_digits(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return true;
}

/* Adds the terms of tf the vocabulary lacks, to the table and the copy. */
static int vocab_grow(struct store *s, struct sq_search *ss, const struct bag *tf,
		      struct bag *fresh)
{
	sqlite3_stmt *st;
	int rc = DP_OK;
	for (size_t i = 0; !rc && i < tf->n; i++) {
		const struct bag_item *it = &tf->items[i];
		const char *t = bag_term(tf, it);
		if (vocab_has(ss->vocab, t, it->len))
			continue;
		if ((rc = vocab_add(ss->vocab, t, it->len, NULL)) || (rc = use(s, SS_VOCAB_ADD, &st)))
			break;
		if (fresh && it->len >= RETRO_PART_MIN && !all_digits(t, it->len) &&
		    (rc = bag_add(fresh, t, it->len, 0, NULL)))
			break;
		if (!(rc = bind_text_n(st, 1, t, it->len)))
			rc = sq_step(st, NULL);
		sqlite3_reset(st);
	}
	return rc;
}

/* Inserts d into the index under key, recording its parts (ss->parts) and
 * distinct terms (ss->doc_terms). */
static int fts_insert(struct store *s, struct sq_search *ss, int64_t key, const struct doc *d)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_FTS_INSERT, &st);
	if (rc)
		return rc;
	bag_clear(&ss->doc_terms);
	buf_reset(&ss->parts);
	ss->main_tokens = 0;
	ss->doc_mode = DOC_RECORD;
	if (!(rc = sq_bind_i64(st, 1, key)) && !(rc = sq_bind_text(st, 2, buf_cstr(&d->title))) &&
	    !(rc = sq_bind_text(st, 3, buf_cstr(&d->tags))) &&
	    !(rc = sq_bind_text(st, 4, buf_cstr(&d->body))))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	ss->doc_mode = DOC_PLAIN;
	return rc ? rc : buf_error(&ss->parts);
}

/* Removes the row key from the index, emitting the parts it was given;
 * its distinct terms go to ss->doc_terms. */
static int fts_delete(struct store *s, struct sq_search *ss, int64_t key, const char *parts)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_FTS_DELETE, &st);
	if (rc)
		return rc;
	bag_clear(&ss->doc_terms);
	ss->main_tokens = 0;
	ss->replay = parts;
	ss->doc_mode = DOC_REPLAY;
	if (!(rc = sq_bind_i64(st, 1, key)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	ss->doc_mode = DOC_PLAIN;
	ss->replay = NULL;
	return rc;
}

/* Notes a move of the document count of every term in ss->doc_terms by
 * delta (in ss->df_article, merged into ss->df_pending when the article is
 * done; sq_search_flush writes them: once per term and transaction, not
 * once per article). */
static int df_note(struct sq_search *ss, double delta)
{
	const struct bag *b = &ss->doc_terms;
	int rc = DP_OK;
	for (size_t i = 0; !rc && i < b->n; i++)
		rc = bag_add(&ss->df_article, bag_term(b, &b->items[i]), b->items[i].len, delta, NULL);
	return rc;
}

/* Adds the article's document count moves to those of the transaction. */
static int df_merge(struct sq_search *ss)
{
	const struct bag *b = &ss->df_article;
	int rc = DP_OK;
	for (size_t i = 0; !rc && i < b->n; i++)
		rc = bag_add(&ss->df_pending, bag_term(b, &b->items[i]), b->items[i].len,
			     b->items[i].tf, NULL);
	bag_clear(&ss->df_article);
	return rc;
}

/* Writes the noted document counts. */
static int df_write(struct store *s, struct sq_search *ss)
{
	const struct bag *b = &ss->df_pending;
	sqlite3_stmt *st;
	bool row;
	int rc = b->n ? use(s, SS_DF_ADD, &st) : DP_OK;
	for (size_t i = 0; !rc && i < b->n; i++) {
		const struct bag_item *it = &b->items[i];
		if (it->tf == 0)
			continue;
		if (!(rc = bind_text_n(st, 1, bag_term(b, it), it->len)) &&
		    !(rc = sq_bind_i64(st, 2, (int64_t)it->tf)) && !(rc = sq_step(st, &row)) && row)
			rc = sq_step(st, NULL);   /* RETURNING: done at the first step */
		sqlite3_reset(st);
	}
	if (!rc)
		bag_clear(&ss->df_pending);
	return rc;
}

static int ndocs_move(struct store *s, struct sq_search *ss, int64_t delta)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_STATE_SET, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, delta)) && !(rc = sq_bind_text(st, 2, NULL)) &&
	    !(rc = sq_bind_i64(st, 3, 0)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	if (!rc)
		ss->ndocs = ss->ndocs + delta < 0 ? 0 : ss->ndocs + delta;
	return rc;
}

struct pick {
	const struct bag_item *it;
	double score;
	const char *term;
};

static int pick_order(const void *pa, const void *pb)
{
	const struct pick *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return strcmp(a->term, b->term);
}

/* RELATED_TERMS_KEPT terms of tf as "term:tf " into out: those of the
 * title and tags first, then the most frequent (tf weighted: title and
 * tags count TF_TITLE and TF_TAGS times), leaving out numbers, single
 * letters and function words. The query picks the distinctive ones
 * among them with the document counts of its day (rquery_make). */
static int pick_terms(const struct bag *tf, const struct analyzer *an, struct buf *out)
{
	struct pick *p = tf->n ? calloc(tf->n, sizeof *p) : NULL;
	size_t n = 0;
	buf_reset(out);
	if (tf->n && !p)
		return DP_ENOMEM;
	for (size_t i = 0; i < tf->n; i++) {
		const struct bag_item *it = &tf->items[i];
		const char *t = bag_term(tf, it);
		if (it->len < 2 || all_digits(t, it->len) || analyzer_function_word(an, t, it->len))
			continue;
		p[n].it = it;
		p[n].term = t;
		p[n].score = (it->head > 0 ? 1e6 : 0) + it->tf;
		n++;
	}
	if (n > 1)
		qsort(p, n, sizeof *p, pick_order);
	for (size_t i = 0; i < n && i < RELATED_TERMS_KEPT; i++)
		buf_printf(out, "%s:%.0f ", p[i].term, p[i].it->tf);
	free(p);
	return buf_error(out);
}

static int docrow_put(struct store *s, int64_t id, int64_t key, const char *parts,
		      const char *terms)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_DOC_PUT, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, key)) &&
	    !(rc = sq_bind_text(st, 3, parts)) && !(rc = sq_bind_text(st, 4, terms)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

static int docrow_del(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc = use(s, SS_DOC_DEL, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	return rc;
}

/* Takes article id (key, recorded parts) out of the index. */
static int unindex(struct store *s, struct sq_search *ss, int64_t id, int64_t key, const char *parts)
{
	int rc = fts_delete(s, ss, key, parts);
	if (!rc)
		rc = df_note(ss, -1);
	if (!rc)
		rc = ndocs_move(s, ss, -1);
	if (!rc)
		rc = docrow_del(s, id);
	return rc;
}

/* Indexes d under key (the vocabulary holds its words already); its kept
 * terms go to terms. With df_all (a rebuild), the terms' document counts
 * are added up there; else they are noted (df_note). */
static int index_doc(struct store *s, struct sq_search *ss, const struct doc *d, int64_t key,
		     struct bag *df_all, struct buf *terms)
{
	int rc = doc_tf(ss, d, true, &ss->tf);
	if (!rc)
		rc = fts_insert(s, ss, key, d);
	for (size_t i = 0; !rc && df_all && i < ss->doc_terms.n; i++) {
		const struct bag_item *it = &ss->doc_terms.items[i];
		rc = bag_add(df_all, bag_term(&ss->doc_terms, it), it->len, 1, NULL);
	}
	if (!rc && !df_all && !(rc = df_note(ss, 1)))
		rc = ndocs_move(s, ss, 1);
	if (!rc)
		rc = pick_terms(&ss->tf, ss->an, terms);
	if (!rc)
		rc = docrow_put(s, d->id, key, buf_cstr(&ss->parts), buf_cstr(terms));
	return rc;
}

/* ---- related articles ---- */

struct cand {
	int64_t key, id;
	double score;     /* dp_rank: lower is better */
	double sim;       /* score / the article's own score: higher is closer */
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static int cands_push(struct cands *c, int64_t key, double score)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 64;
		struct cand *v = realloc(c->v, ncap * sizeof *v);
		if (!v)
			return DP_ENOMEM;
		c->v = v;
		c->cap = ncap;
	}
	c->v[c->n++] = (struct cand){ key, id_of(key), score, 0 };
	return DP_OK;
}

/* Best first; of two as good, the newer. */
static int by_score(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return a->key > b->key ? -1 : a->key < b->key ? 1 : 0;
}

static int by_sim(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->sim != b->sim)
		return a->sim > b->sim ? -1 : 1;
	return a->key > b->key ? -1 : a->key < b->key ? 1 : 0;
}

static int by_key(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	return a->key < b->key ? -1 : a->key > b->key ? 1 : 0;
}

/* Steps a candidate statement (CANDIDATES) into c. ss->rank must be set. */
static int cands_run(struct store *s, unsigned slot, const char *expr, int64_t key, int64_t limit,
		     struct cands *c)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, slot, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_text(st, 1, expr)) && !(rc = sq_bind_i64(st, 2, key)) &&
	    !(rc = sq_bind_i64(st, 3, limit)))
		while (!(rc = sq_step(st, &row)) && row)
			if ((rc = cands_push(c, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1))))
				break;
	sqlite3_reset(st);
	return rc;
}

/* An article's related-articles query, from its kept terms. */
struct rquery {
	struct buf expr;      /* the terms ORed */
	struct buf rare;      /* (expr) AND (the rare terms ORed); empty when none is rare */
	struct rank_params rank;
};

static void rquery_release(struct rquery *q)
{
	buf_release(&q->expr);
	buf_release(&q->rare);
}

static void put_term_string(struct buf *b, const char *t, size_t n)
{
	buf_putc(b, '"');
	buf_putc(b, TERM_MARK);
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '"')
			buf_putc(b, '"');
		buf_putc(b, t[i]);
	}
	buf_putc(b, '"');
}

static int df_get(struct store *s, const char *t, size_t n, int64_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_DF_GET, &st);
	*ret = 0;
	if (rc)
		return rc;
	if (!(rc = bind_text_n(st, 1, t, n)) && !(rc = sq_step(st, &row)) && row)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

struct qterm {
	const char *t;
	size_t len;
	double weight;
	int64_t df;
};

static int qterm_order(const void *pa, const void *pb)
{
	const struct qterm *a = pa, *b = pb;
	return a->weight > b->weight ? -1 : a->weight < b->weight ? 1 : 0;
}

/* Builds q from the kept terms ("term:tf ..."): the RELATED_TERMS best by
 * tf × idf among those another article has too; q->rank.n 0 when there
 * is none. */
static int rquery_make(struct store *s, struct sq_search *ss, const char *terms, struct rquery *q)
{
	struct qterm qt[RELATED_TERMS_KEPT];
	struct buf rare = BUF_INIT(0);
	size_t nqt = 0;
	int rc = DP_OK;
	memset(q, 0, sizeof *q);
	buf_init(&q->expr, 0);
	buf_init(&q->rare, 0);
	for (const char *p = terms; p && *p && nqt < RELATED_TERMS_KEPT;) {
		size_t n = strcspn(p, " ");
		const char *colon = memchr(p, ':', n);
		if (colon && colon > p) {
			size_t tlen = (size_t)(colon - p);
			double tf = strtod(colon + 1, NULL);
			int64_t df;
			if ((rc = df_get(s, p, tlen, &df)))
				break;
			if (df >= 2)
				qt[nqt++] = (struct qterm){ p, tlen,
							    (1.0 + log(tf < 1 ? 1 : tf)) * idf(df, ss->ndocs),
							    df };
		}
		p += n;
		p += strspn(p, " ");
	}
	if (nqt > 1)
		qsort(qt, nqt, sizeof qt[0], qterm_order);
	for (size_t i = 0; !rc && i < nqt && i < RELATED_TERMS; i++) {
		if (i)
			buf_puts(&q->expr, " OR ");
		put_term_string(&q->expr, qt[i].t, qt[i].len);
		if (qt[i].df <= RELATED_RARE_DF) {
			if (rare.len)
				buf_puts(&rare, " OR ");
			put_term_string(&rare, qt[i].t, qt[i].len);
		}
		q->rank.weight[q->rank.n++] = qt[i].weight;
	}
	if (!rc && rare.len)
		buf_printf(&q->rare, "(%s) AND (%s)", buf_cstr(&q->expr), buf_cstr(&rare));
	buf_release(&rare);
	if (!rc)
		rc = buf_error(&q->expr) ? buf_error(&q->expr) : buf_error(&q->rare);
	return rc;
}

/* The articles related to the indexed article at key (kept terms: terms)
 * into c, closest first: those that score at least RELATED_MIN_SHARE of
 * what the article itself scores for the query (sharing a few common words
 * is not enough), with that share as their sim. The article's own row
 * comes with the window before it, so its score costs no lookup of its
 * own. */
static int related_compute(struct store *s, struct sq_search *ss, int64_t key, const char *terms,
			   struct cands *c)
{
	struct rquery q;
	double self = 0;
	int rc = rquery_make(s, ss, terms, &q);
	c->n = 0;
	if (rc || !q.rank.n)
		goto out;
	ss->rank = q.rank;
	ss->rank.now = 0;
	if ((rc = cands_run(s, SS_BEFORE, buf_cstr(&q.expr), key + 1, RELATED_HALF + 1, c)) ||
	    (rc = cands_run(s, SS_AFTER, buf_cstr(&q.expr), key, RELATED_HALF, c)) ||
	    (q.rare.len && (rc = cands_run(s, SS_EVERYWHERE, buf_cstr(&q.rare), key, RELATED_RARE_ROWS, c))))
		goto out;
	if (!c->n)
		goto out;
	/* The same row from two lookups has the same score. */
	size_t m = 0;
	qsort(c->v, c->n, sizeof *c->v, by_key);
	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].key == key) {
			self = c->v[i].score;
			continue;
		}
		if (!m || c->v[m - 1].key != c->v[i].key)
			c->v[m++] = c->v[i];
	}
	c->n = 0;
	for (size_t i = 0; self < 0 && i < m; i++) {
		c->v[i].sim = c->v[i].score / self;
		if (c->v[i].sim >= RELATED_MIN_SHARE)
			c->v[c->n++] = c->v[i];
	}
	if (c->n > 1)
		qsort(c->v, c->n, sizeof *c->v, by_sim);
out:
	rquery_release(&q);
	return rc;
}

/* The stored list of article id (at most RELATED_KEEP). */
static int related_get(struct store *s, int64_t id, struct cand *out, size_t *ret_n)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_REL_GET, &st);
	*ret_n = 0;
	if (rc)
		return rc;
	rc = sq_bind_i64(st, 1, id);
	while (!rc && *ret_n < RELATED_KEEP && !(rc = sq_step(st, &row)) && row)
		out[(*ret_n)++] = (struct cand){ 0, sqlite3_column_int64(st, 0), 0,
						 sqlite3_column_double(st, 1) };
	sqlite3_reset(st);
	return rc;
}

/* Replaces the list of article id with list[0..n) unless it holds the
 * same articles in the same order; *ret_changed tells. */
static int related_put(struct store *s, int64_t id, const struct cand *list, size_t n,
		       bool *ret_changed)
{
	struct cand old[RELATED_KEEP];
	size_t nold;
	sqlite3_stmt *st;
	int rc = related_get(s, id, old, &nold);
	*ret_changed = false;
	if (rc)
		return rc;
	bool same = nold == n;
	for (size_t i = 0; same && i < n; i++)
		same = old[i].id == list[i].id;
	if (same)
		return DP_OK;
	if ((rc = use(s, SS_REL_DEL, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	if (!rc && n && (rc = use(s, SS_REL_ADD, &st)))
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, (int64_t)i + 1)) &&
		    !(rc = sq_bind_i64(st, 3, list[i].id)) && !(rc = bind_double(st, 4, list[i].sim)))
			rc = sq_step(st, NULL);
		sqlite3_reset(st);
	}
	if (!rc)
		*ret_changed = true;
	return rc;
}

/* Computes the list of article id from its index row (c: room for the
 * candidates); an article that is not indexed loses its list. */
static int related_again(struct store *s, struct sq_search *ss, int64_t id, struct cands *c,
			 bool *ret_changed)
{
	char *terms = NULL;
	int64_t key;
	bool had;
	int rc = docrow_get(s, id, &key, NULL, &terms, &had);
	c->n = 0;
	if (!rc && had)
		rc = related_compute(s, ss, key, terms, c);
	if (!rc)
		rc = related_put(s, id, c->v, c->n < RELATED_KEEP ? c->n : RELATED_KEEP, ret_changed);
	free(terms);
	return rc;
}

/* Places article a in the list of article c as close as sim (0: not
 * related any more): relations are taken as symmetric, so an article's
 * new matches need no query of their own. */
static int related_place(struct store *s, int64_t c, int64_t a, double sim, bool *ret_changed)
{
	struct cand list[RELATED_KEEP + 1];
	size_t n = 0, m = 0;
	int rc = related_get(s, c, list, &n);
	*ret_changed = false;
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (list[i].id != a)
			list[m++] = list[i];
	n = m;
	if (sim >= RELATED_MIN_SHARE) {
		size_t at = n;
		while (at > 0 && list[at - 1].sim < sim)
			at--;
		memmove(&list[at + 1], &list[at], (n - at) * sizeof list[0]);
		list[at] = (struct cand){ 0, a, 0, sim };
		n++;
	}
	return related_put(s, c, list, n < RELATED_KEEP ? n : RELATED_KEEP, ret_changed);
}

/* The lists holding article id (up to RELATED_HOLDERS_MAX) into a
 * malloc'd array. */
static int holders_of(struct store *s, int64_t id, int64_t **ret, size_t *ret_n)
{
	sqlite3_stmt *st;
	bool row;
	int rc;
	*ret_n = 0;
	if (!(*ret = malloc(RELATED_HOLDERS_MAX * sizeof **ret)))
		return DP_ENOMEM;
	if ((rc = use(s, SS_REL_HOLDERS, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, id)) && !(rc = sq_bind_i64(st, 2, RELATED_HOLDERS_MAX)))
		while (*ret_n < RELATED_HOLDERS_MAX && !(rc = sq_step(st, &row)) && row)
			(*ret)[(*ret_n)++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

static bool among(const int64_t *v, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == id)
			return true;
	return false;
}

/* Whether id is in the sorted set v[0..n). */
static bool in_set(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else if (v[mid] > id)
			hi = mid;
		else
			return true;
	}
	return false;
}

/* The sim of article id among c's candidates, 0 if it is not there. */
static double sim_of(const struct cands *c, int64_t id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].id == id)
			return c->v[i].sim;
	return 0;
}

/* After article id changed (key: its index key and terms its kept terms;
 * key 0 when it is not indexed): its own list, the lists it is in (the
 * first RELATED_REFRESH_MAX made again in full), and the lists of its
 * closest matches, leaving alone those of the articles in skip[0..nskip)
 * (sorted: they are made in full anyway). Each article whose list changed
 * gets a change-log entry at now. */
static int related_refresh(struct store *s, struct sq_search *ss, int64_t id, int64_t key,
			   const char *terms, const int64_t *skip, size_t nskip, int64_t now)
{
	struct cands mine = { 0 }, other = { 0 };
	int64_t *holders = NULL;
	size_t nholders = 0, recomputed = 0;
	bool changed;
	int rc = key ? related_compute(s, ss, key, terms, &mine) : DP_OK;
	if (!rc)
		rc = related_put(s, id, mine.v, mine.n < RELATED_KEEP ? mine.n : RELATED_KEEP, &changed);
	if (!rc)
		rc = holders_of(s, id, &holders, &nholders);
	for (size_t i = 0; !rc && i < nholders; i++) {
		int64_t h = holders[i];
		if (h == id || in_set(skip, nskip, h))
			continue;
		rc = recomputed++ < RELATED_REFRESH_MAX ? related_again(s, ss, h, &other, &changed)
							: related_place(s, h, id, sim_of(&mine, h), &changed);
		if (!rc && changed)
			rc = sq_change_add(s, h, now);
	}
	for (size_t i = 0; !rc && i < mine.n && i < RELATED_KEEP; i++) {
		int64_t c = mine.v[i].id;
		if (among(holders, nholders, c) || in_set(skip, nskip, c))
			continue;
		if (!(rc = related_place(s, c, id, mine.v[i].sim, &changed)) && changed)
			rc = sq_change_add(s, c, now);
	}
	free(holders);
	free(mine.v);
	free(other.v);
	return rc;
}

/* Computes and stores the list of every indexed article (a rebuild);
 * *ret_changed tells whether it changed. */
static int related_update(struct store *s, struct sq_search *ss, int64_t id, int64_t key,
			  const char *terms, struct cands *c, bool *ret_changed)
{
	int rc = related_compute(s, ss, key, terms, c);
	if (!rc)
		rc = related_put(s, id, c->v, c->n < RELATED_KEEP ? c->n : RELATED_KEEP, ret_changed);
	return rc;
}

static int cmp_id(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	return a < b ? -1 : a > b;
}

/* Indexes article id again (split against today's vocabulary). */
static int reindex_one(struct store *s, struct sq_search *ss, int64_t id, struct doc *d,
		       struct buf *terms)
{
	char *parts = NULL;
	int64_t key;
	bool found, had;
	bag_clear(&ss->df_article);
	int rc = docrow_get(s, id, &key, &parts, NULL, &had);
	if (!rc && had && !(rc = doc_get(s, id, d, &found)) && found &&
	    d->status == ARTICLE_PUBLISHED && !(rc = unindex(s, ss, id, key, parts)) &&
	    !(rc = index_doc(s, ss, d, key, NULL, terms)))
		rc = df_merge(ss);
	free(parts);
	return rc;
}

/* Words that stood alone for the first time in this transaction (fresh)
 * may be parts of compounds indexed before, unsplit: those articles are
 * indexed again, so that a new "Strecke" finds the older "Bahnstrecke".
 * Bounded: RETRO_TERMS_MAX new terms (a larger batch, an import, is left
 * to `search reindex`), RETRO_DOCS_MAX articles. */
static int flush_retro(struct store *s, struct sq_search *ss)
{
	int64_t ids[RETRO_DOCS_MAX];
	size_t nids = 0;
	struct bag compounds = { 0 };
	struct buf expr = BUF_INIT(0), terms = BUF_INIT(0);
	struct doc d;
	sqlite3_stmt *st;
	bool row;
	int rc = DP_OK;
	if (!ss->fresh.n || ss->fresh.n > RETRO_TERMS_MAX || strcmp(ss->lang, "de") != 0)
		goto out;
	if ((rc = use(s, SS_COMPOUNDS, &st)))
		goto out;
	rc = sq_bind_i64(st, 1, RETRO_COMPOUND_MIN);
	while (!rc && compounds.n < RETRO_DOCS_MAX && !(rc = sq_step(st, &row)) && row) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		for (size_t i = 0; t && i < ss->fresh.n; i++) {
			const struct bag_item *f = &ss->fresh.items[i];
			if (f->len < n && memmem(t, n, bag_term(&ss->fresh, f), f->len) &&
			    !bag_find(&ss->fresh, t, n)) {
				rc = bag_add(&compounds, t, n, 0, NULL);
				break;
			}
		}
	}
	sqlite3_reset(st);
	if (rc || !compounds.n || (rc = use(s, SS_TERM_ROWS, &st)))
		goto out;
	for (size_t i = 0; !rc && i < compounds.n && nids < RETRO_DOCS_MAX; i++) {
		const struct bag_item *c = &compounds.items[i];
		buf_reset(&expr);
		put_term_string(&expr, bag_term(&compounds, c), c->len);
		if ((rc = buf_error(&expr)) || (rc = sq_bind_text(st, 1, buf_cstr(&expr))) ||
		    (rc = sq_bind_i64(st, 2, RETRO_DOCS_MAX)))
			break;
		while (nids < RETRO_DOCS_MAX && !(rc = sq_step(st, &row)) && row) {
			int64_t id = id_of(sqlite3_column_int64(st, 0));
			if (!among(ids, nids, id) && !in_set(ss->pending, ss->npending, id))
				ids[nids++] = id;
		}
		sqlite3_reset(st);
	}
	doc_init(&d);
	for (size_t i = 0; !rc && i < nids; i++)
		rc = reindex_one(s, ss, ids[i], &d, &terms);
	doc_release(&d);
out:
	bag_free(&compounds);
	buf_release(&expr);
	buf_release(&terms);
	if (!rc)
		bag_clear(&ss->fresh);
	return rc;
}

/* Indexes the pending articles that are published (their words are in
 * the vocabulary since they were saved, so every compound of the
 * transaction splits against all of it, as in a rebuild). */
static int flush_index(struct store *s, struct sq_search *ss)
{
	struct buf terms = BUF_INIT(0);
	struct doc d;
	int rc = vocab_load(s, ss);
	doc_init(&d);
	for (size_t i = 0; !rc && i < ss->npending; i++) {
		int64_t id = ss->pending[i], key;
		bool found, had;
		if ((rc = doc_get(s, id, &d, &found)) || !found || d.status != ARTICLE_PUBLISHED ||
		    (rc = docrow_get(s, id, &key, NULL, NULL, &had)) || had)
			continue;
		bag_clear(&ss->df_article);
		if (!(rc = index_doc(s, ss, &d, key_of(d.published_at, id), NULL, &terms)))
			rc = df_merge(ss);
	}
	doc_release(&d);
	buf_release(&terms);
	return rc;
}

int sq_search_flush(struct store *s)
{
	struct sq_search *ss = state(s);
	int64_t now = (int64_t)time(NULL);
	size_t n = 0;
	int rc = DP_OK;
	if (!ss || (!ss->npending && !ss->df_pending.n && !ss->fresh.n))
		return DP_OK;
	if (ss->npending > 1)
		qsort(ss->pending, ss->npending, sizeof ss->pending[0], cmp_id);
	for (size_t i = 0; i < ss->npending; i++)
		if (!n || ss->pending[n - 1] != ss->pending[i])
			ss->pending[n++] = ss->pending[i];
	ss->npending = n;
	if ((rc = state_load(s, ss)) || (rc = flush_index(s, ss)) || (rc = flush_retro(s, ss)) ||
	    (rc = df_write(s, ss)))
		goto out;
	/* A large share of the index came in this transaction (an import):
	 * merged into one segment first, the index answers the related-list
	 * queries that follow much faster (see rebuild_index). */
	if (n >= FLUSH_OPTIMIZE_MIN && (int64_t)n * 4 >= ss->ndocs &&
	    (rc = exec(s, "INSERT INTO search_fts (search_fts) VALUES ('optimize')")))
		goto out;
	/* Every article changed in the transaction is in the index as it
	 * will be committed: their lists are made once, in full. */
	for (size_t i = 0; !rc && i < n; i++) {
		char *terms = NULL;
		int64_t key;
		bool had;
		if (!(rc = docrow_get(s, ss->pending[i], &key, NULL, &terms, &had)))
			rc = related_refresh(s, ss, ss->pending[i], had ? key : 0, terms, ss->pending, n,
					     now);
		free(terms);
	}
out:
	if (rc)
		ss->reload = true;
	else
		ss->npending = 0;
	return rc;
}

static int pending_add(struct sq_search *ss, int64_t id)
{
	if (ss->npending == ss->pending_cap) {
		size_t ncap = ss->pending_cap ? 2 * ss->pending_cap : 16;
		int64_t *p = realloc(ss->pending, ncap * sizeof *p);
		if (!p)
			return DP_ENOMEM;
		ss->pending = p;
		ss->pending_cap = ncap;
	}
	ss->pending[ss->npending++] = id;
	return DP_OK;
}

/* ---- following the articles ---- */

int sq_search_article(struct store *s, int64_t article_id, int64_t now)
{
	struct sq_search *ss = state(s);
	struct doc d;
	char *parts = NULL;
	int64_t old_key;
	bool found, had;
	int rc;

	(void)now;
	doc_init(&d);
	bag_clear(&ss->df_article);
	if ((rc = state_load(s, ss)) || (rc = doc_get(s, article_id, &d, &found)) ||
	    (rc = docrow_get(s, article_id, &old_key, &parts, NULL, &had)))
		goto out;
	if (had && (rc = unindex(s, ss, article_id, old_key, parts)))
		goto out;
	/* Its words join the vocabulary now; it goes into the index when the
	 * transaction ends (sq_search_flush), so that the compounds of an
	 * import split against the words of all its articles, and the related
	 * lists are made once. */
	if (found && d.status == ARTICLE_PUBLISHED) {
		if (article_id <= 0 || article_id >= (INT64_C(1) << KEY_ID_BITS)) {
			rc = DP_ETOOBIG;
			goto out;
		}
		if ((rc = vocab_load(s, ss)) || (rc = doc_tf(ss, &d, false, &ss->tf)) ||
		    (rc = vocab_grow(s, ss, &ss->tf, &ss->fresh)))
			goto out;
	}
	if (!(rc = pending_add(ss, article_id)))
		rc = df_merge(ss);
out:
	if (rc)
		ss->reload = true;
	free(parts);
	doc_release(&d);
	return rc;
}

int sq_search_forget(struct store *s, int64_t article_id, int64_t now)
{
	struct sq_search *ss = state(s);
	char *parts = NULL;
	int64_t key;
	bool had;
	int rc;
	bag_clear(&ss->df_article);
	if ((rc = state_load(s, ss)) || (rc = docrow_get(s, article_id, &key, &parts, NULL, &had)))
		goto out;
	if (had && ((rc = unindex(s, ss, article_id, key, parts)) || (rc = df_merge(ss))))
		goto out;
	/* At once: the delete that follows takes the article out of the lists
	 * (ON DELETE CASCADE), which would hide them from a later look. */
	rc = related_refresh(s, ss, article_id, 0, NULL, NULL, 0, now);
out:
	if (rc)
		ss->reload = true;
	free(parts);
	return rc;
}

/* ---- reading ---- */

/* Text with highlight markers to HTML: the text escaped, the markers as
 * <mark> and </mark> (a mark left open is closed). */
static int marks_html(const char *s, size_t n, char **ret)
{
	struct buf b = BUF_INIT(0);
	bool open = false;
	size_t i = 0;
	while (i < n) {
		size_t k = i;
		while (k < n && s[k] != MARK_OPEN && s[k] != MARK_CLOSE)
			k++;
		html_txt_n(&b, s + i, k - i);
		if (k == n)
			break;
		if (s[k] == MARK_OPEN && !open)
			buf_puts(&b, "<mark>");
		else if (s[k] == MARK_CLOSE && open)
			buf_puts(&b, "</mark>");
		open = s[k] == MARK_OPEN ? true : s[k] == MARK_CLOSE ? false : open;
		i = k + 1;
	}
	if (open)
		buf_puts(&b, "</mark>");
	buf_putc(&b, '\0');
	*ret = buf_take(&b, NULL);
	return *ret ? DP_OK : buf_error(&b) ? buf_error(&b) : DP_ENOMEM;
}

struct df_min {
	struct store *s;
	int64_t df;      /* the smallest count of the phrase's terms; -1: none yet */
	int rc;
};

static int df_min_cb(void *arg, const char *term, size_t len, size_t start, size_t end,
		     bool colocated)
{
	struct df_min *m = arg;
	int64_t df;
	(void)start;
	(void)end;
	(void)colocated;
	if ((m->rc = df_get(m->s, term, len, &df)))
		return 1;
	if (m->df < 0 || df < m->df)
		m->df = df;
	return 0;
}

/* The weight (idf) of every phrase of a reader's expression, in the order
 * FTS5 numbers them: query.h makes every word and phrase one quoted string,
 * so the strings are the phrases. A phrase counts as common as its rarest
 * term. */
static int phrase_weights(struct store *s, struct sq_search *ss, const char *match,
			  struct rank_params *rp)
{
	struct buf text = BUF_INIT(0);
	int rc = DP_OK;
	rp->n = 0;
	for (const char *p = match; *p && rp->n < RANK_PHRASES_MAX && !rc;) {
		if (*p++ != '"')
			continue;
		buf_reset(&text);
		while (*p) {
			if (*p == '"' && p[1] == '"') {
				buf_putc(&text, '"');
				p += 2;
			} else if (*p == '"') {
				p++;
				break;
			} else {
				buf_putc(&text, *p++);
			}
		}
		struct df_min m = { s, -1, DP_OK };
		if ((rc = buf_error(&text)))
			break;
		rc = analyzer_run(ss->an, buf_cstr(&text), text.len, ANALYZE_QUERY, df_min_cb, &m);
		if (m.rc)
			rc = m.rc;
		rp->weight[rp->n++] = m.df < 0 ? 0 : idf(m.df, ss->ndocs);
	}
	buf_release(&text);
	return rc;
}

/* The expression match with every string looked up word by word (no
 * pairs), so that the marks cover every word of a phrase. */
static int plain_match(const char *match, struct buf *out)
{
	bool in = false;
	buf_reset(out);
	for (const char *p = match; *p; p++) {
		buf_putc(out, *p);
		if (*p != '"')
			continue;
		if (!in) {
			buf_putc(out, PLAIN_MARK);
			in = true;
		} else if (p[1] == '"') {
			buf_putc(out, *++p);    /* a quote inside the string */
		} else {
			in = false;
		}
	}
	buf_putc(out, '\0');
	return buf_error(out);
}

/* Fills hit with the article's title and a passage of its body, marked. */
static int hit_marks(struct store *s, const char *match, int64_t key, struct search_hit *hit)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_MARKS, &st);
	if (rc)
		return rc;
	if (!(rc = sq_bind_text(st, 1, match)) && !(rc = sq_bind_i64(st, 2, key)) &&
	    !(rc = sq_step(st, &row))) {
		const char *title = row ? (const char *)sqlite3_column_text(st, 0) : NULL;
		size_t tlen = title ? (size_t)sqlite3_column_bytes(st, 0) : 0;
		const char *snip = row ? (const char *)sqlite3_column_text(st, 1) : NULL;
		size_t slen = snip ? (size_t)sqlite3_column_bytes(st, 1) : 0;
		if (!(rc = marks_html(title ? title : "", tlen, &hit->title_html)))
			rc = marks_html(snip ? snip : "", slen, &hit->snippet_html);
	}
	sqlite3_reset(st);
	return rc;
}

int store_search(struct store *s, const struct search_query *q, struct search_result *ret)
{
	struct query pq = { 0 };
	struct cands c = { 0 };
	struct article_list list = { 0 };
	struct buf plain = BUF_INIT(0);
	int64_t *ids = NULL;
	struct sq_search *ss;
	bool own = false;
	int rc;

	if (!ret)
		return DP_EINVAL;
	memset(ret, 0, sizeof *ret);
	if (!s || !q || !q->q)
		return DP_EINVAL;
	ss = state(s);
	if ((rc = query_parse(q->q, &pq)))
		return rc;
	if (pq.problem != QUERY_OK) {
		query_release(&pq);
		return DP_EINVAL;
	}
	size_t limit = q->limit ? q->limit : 10;
	if (limit > SEARCH_PAGE_MAX)
		limit = SEARCH_PAGE_MAX;

	/* Inside its own write transaction the caller sees what it wrote. */
	if (sqlite3_txn_state(sq_db(s), NULL) == SQLITE_TXN_WRITE && (rc = sq_search_flush(s)))
		goto out;
	if ((rc = read_begin(s, &own)) || (rc = state_load(s, ss)) ||
	    (rc = phrase_weights(s, ss, pq.match, &ss->rank)))
		goto out;
	ss->rank.now = q->now;
	if ((rc = cands_run(s, SS_BEFORE, pq.match, key_bound(q->now), SEARCH_RANKED_MAX + 1, &c)))
		goto out;
	if (c.n > SEARCH_RANKED_MAX) {
		c.n = SEARCH_RANKED_MAX; /* the newest were ranked; the page says "more than" */
		ret->capped = true;
	}
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, by_score);
	ret->total = c.n;
	if (q->offset >= c.n)
		goto out;
	size_t n = c.n - q->offset < limit ? c.n - q->offset : limit;
	if (!(ids = malloc(n * sizeof *ids)) || !(ret->hits = calloc(n, sizeof *ret->hits))) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ids[i] = c.v[q->offset + i].id;
	if ((rc = sq_articles_by_ids(s, ids, n, &list)) || (rc = plain_match(pq.match, &plain)))
		goto out;
	/* Articles come in the order asked for; one gone meanwhile is skipped. */
	for (size_t i = 0, k = 0; i < list.n && !rc; i++) {
		while (k < n && ids[k] != list.items[i].id)
			k++;
		if (k == n)
			break;
		struct search_hit *hit = &ret->hits[ret->n++];
		hit->article = list.items[i];
		memset(&list.items[i], 0, sizeof list.items[i]);
		hit->score = c.v[q->offset + k].score;
		rc = hit_marks(s, buf_cstr(&plain), c.v[q->offset + k].key, hit);
	}
out:
	if (own)
		read_end(s, own);
	article_list_release(&list);
	buf_release(&plain);
	free(ids);
	free(c.v);
	query_release(&pq);
	if (rc)
		search_result_release(ret);
	return rc;
}

int store_related(struct store *s, int64_t article_id, int64_t now, struct article_list *ret)
{
	sqlite3_stmt *st;
	bool own;
	int rc;
	if (!ret)
		return DP_EINVAL;
	ret->items = NULL;
	ret->n = 0;
	if (!s)
		return DP_EINVAL;
	if ((rc = read_begin(s, &own)))
		return rc;
	if (!(rc = use(s, SS_REL_READ, &st))) {
		if (!(rc = sq_bind_i64(st, 1, article_id)) && !(rc = sq_bind_i64(st, 2, now)) &&
		    !(rc = sq_bind_i64(st, 3, SEARCH_RELATED)))
			rc = sq_articles_read(s, st, SEARCH_RELATED, false, ret);
		sqlite3_reset(st);
	}
	read_end(s, own);
	return rc;
}

int store_search_lang(struct store *s, char *ret, size_t n)
{
	struct sq_search *ss;
	bool own;
	int rc;
	if (!s || !ret || !n)
		return DP_EINVAL;
	ss = state(s);
	if ((rc = read_begin(s, &own)))
		return rc;
	rc = state_load(s, ss);
	read_end(s, own);
	if (rc)
		return rc;
	if (strlen(ss->lang) >= n)
		return DP_ETOOBIG;
	memcpy(ret, ss->lang, strlen(ss->lang) + 1);
	return DP_OK;
}

/* ---- rebuilding ---- */

static int count_published(struct store *s, int64_t *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_COUNT_PUBLISHED, &st);
	*ret = 0;
	if (rc)
		return rc;
	if (!(rc = sq_step(st, &row)) && row)
		*ret = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc;
}

/* Empties the index and makes it anew for lang (checked by the caller:
 * it goes into the table's definition). */
static int rebuild_tables(struct store *s, struct sq_search *ss, const char *lang)
{
	char sql[256];
	sqlite3_stmt *st;
	int rc;
	snprintf(sql, sizeof sql,
		 "DROP TABLE search_fts;"
		 "CREATE VIRTUAL TABLE search_fts USING fts5(title, tags, body,"
		 " tokenize = 'depesche %s', detail = full);"
		 "DELETE FROM search_docs; DELETE FROM search_vocab; DELETE FROM search_common;"
		 "UPDATE search_state SET format = %d;",
		 lang, SEARCH_INDEX_FORMAT);
	if ((rc = exec(s, sql)) || (rc = use(s, SS_STATE_SET, &st)))
		return rc;
	if (!(rc = sq_bind_i64(st, 1, INT64_MIN / 2)) && !(rc = sq_bind_text(st, 2, lang)) &&
	    !(rc = sq_bind_i64(st, 3, 1)))
		rc = sq_step(st, NULL);
	sqlite3_reset(st);
	if (!rc)
		rc = state_load(s, ss);
	if (!rc)
		rc = vocab_load(s, ss);
	return rc;
}

static int by_count_desc(const void *pa, const void *pb)
{
	const struct bag_item *a = *(const struct bag_item *const *)pa;
	const struct bag_item *b = *(const struct bag_item *const *)pb;
	return a->tf < b->tf ? 1 : a->tf > b->tf ? -1 : 0;
}

/* The common words of a rebuild from the document counts of pass 1 (df:
 * term → articles in its tf), into search_common and ss->common. */
static int common_pick(struct store *s, struct sq_search *ss, const struct bag *df, size_t ndocs)
{
	const struct bag_item **v = NULL;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc = DP_OK;
	common_drop(ss);
	ss->common_loaded = true;
	if (ndocs < COMMON_MIN_DOCS || df->n == 0)
		return DP_OK;
	if (!(v = malloc(df->n * sizeof *v)))
		return DP_ENOMEM;
	for (size_t i = 0; i < df->n; i++)
		if (df->items[i].tf >= COMMON_SHARE * (double)ndocs)
			v[n++] = &df->items[i];
	if (n > 1)
		qsort(v, n, sizeof *v, by_count_desc);
	if (n > COMMON_MAX)
		n = COMMON_MAX;
	if (n && sqlite3_prepare_v2(sq_db(s), "INSERT OR IGNORE INTO search_common (term) VALUES (?1)",
				    -1, &st, NULL) != SQLITE_OK)
		rc = DP_EDB;
	if (!rc && n)
		rc = vocab_new(&ss->common);
	for (size_t i = 0; i < n && !rc; i++) {
		const char *t = bag_term(df, v[i]);
		if (!(rc = bind_text_n(st, 1, t, v[i]->len)) && !(rc = sq_step(st, NULL)))
			rc = vocab_add(ss->common, t, v[i]->len, NULL);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	free(v);
	if (rc)
		common_drop(ss);
	return rc;
}

/* Pass 1: the vocabulary from every published article's words, and the
 * common words. */
static int rebuild_vocab(struct store *s, struct sq_search *ss, size_t total,
			 store_progress_fn progress, void *arg)
{
	struct bag df = { 0 };
	sqlite3_stmt *st;
	bool row;
	size_t done = 0, ndocs = 0;
	struct doc d;
	int rc = use(s, SS_ARTICLES, &st);
	if (rc)
		return rc;
	doc_init(&d);
	while (!(rc = sq_step(st, &row)) && row) {
		if ((rc = doc_read(st, &d)) || (rc = doc_tf(ss, &d, false, &ss->tf)) ||
		    (rc = vocab_grow(s, ss, &ss->tf, NULL)))
			break;
		for (size_t i = 0; i < ss->tf.n && !rc; i++)
			rc = bag_add(&df, bag_term(&ss->tf, &ss->tf.items[i]), ss->tf.items[i].len, 1,
				     NULL);
		if (rc)
			break;
		ndocs++;
		if (progress && done < total)
			progress(arg, 0, ++done, 2 * total);
	}
	sqlite3_reset(st);
	doc_release(&d);
	if (!rc)
		rc = common_pick(s, ss, &df, ndocs);
	bag_free(&df);
	return rc;
}

/* Pass 2: every published article into the index, its compounds split
 * against the whole vocabulary; *ret_n of them. */
static int rebuild_index(struct store *s, struct sq_search *ss, size_t total,
			 store_progress_fn progress, void *arg, size_t *ret_n)
{
	struct buf terms = BUF_INIT(0);
	struct bag df_all = { 0 };
	sqlite3_stmt *st;
	bool row;
	size_t done = 0;
	struct doc d;
	int rc = use(s, SS_ARTICLES, &st);
	*ret_n = 0;
	if (rc)
		return rc;
	doc_init(&d);
	while (!(rc = sq_step(st, &row)) && row) {
		if ((rc = doc_read(st, &d)))
			break;
		if (d.id <= 0 || d.id >= (INT64_C(1) << KEY_ID_BITS)) {
			rc = DP_ETOOBIG;
			break;
		}
		if ((rc = index_doc(s, ss, &d, key_of(d.published_at, d.id), &df_all, &terms)))
			break;
		(*ret_n)++;
		if (progress && done < total)
			progress(arg, 0, total + ++done, 2 * total);
	}
	sqlite3_reset(st);
	doc_release(&d);
	buf_release(&terms);
	/* The counts, at last: every term's row starts at 0. */
	if (!rc) {
		bag_free(&ss->df_pending);
		ss->df_pending = df_all;
		memset(&df_all, 0, sizeof df_all);
		rc = df_write(s, ss);
	}
	bag_free(&df_all);
	if (!rc)
		rc = ndocs_move(s, ss, (int64_t)*ret_n);
	/* One segment: the related lists that follow read it 2.5 times
	 * faster than the many a long transaction leaves. */
	if (!rc)
		rc = exec(s, "INSERT INTO search_fts (search_fts) VALUES ('optimize')");
	return rc;
}

/* Phase 1: every indexed article's related list. */
static int rebuild_related(struct store *s, struct sq_search *ss, size_t total,
			   store_progress_fn progress, void *arg)
{
	int64_t *changed = NULL;
	size_t nchanged = 0, done = 0;
	struct cands c = { 0 };
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_DOCS_ALL, &st);
	if (rc)
		return rc;
	if (!(changed = malloc(RELATED_NOTES_MAX * sizeof *changed))) {
		sqlite3_reset(st);
		return DP_ENOMEM;
	}
	while (!(rc = sq_step(st, &row)) && row) {
		int64_t id = sqlite3_column_int64(st, 0), key = sqlite3_column_int64(st, 1);
		const char *terms = (const char *)sqlite3_column_text(st, 2);
		bool ch;
		if ((rc = related_update(s, ss, id, key, terms ? terms : "", &c, &ch)))
			break;
		if (ch && nchanged <= RELATED_NOTES_MAX) {
			if (nchanged < RELATED_NOTES_MAX)
				changed[nchanged] = id;
			nchanged++;
		}
		if (progress)
			progress(arg, 1, ++done, total);
	}
	sqlite3_reset(st);
	if (!rc)
		rc = exec(s, "DELETE FROM search_related"
			     " WHERE article_id NOT IN (SELECT article_id FROM search_docs)");
	/* A running server shows the new lists: a few pages are dropped one by
	 * one, many with one note that drops them all. */
	int64_t now = (int64_t)time(NULL);
	if (!rc && nchanged > RELATED_NOTES_MAX)
		rc = sq_change_note(s, "boxes", now);
	for (size_t i = 0; !rc && nchanged <= RELATED_NOTES_MAX && i < nchanged; i++)
		rc = sq_change_add(s, changed[i], now);
	free(changed);
	free(c.v);
	return rc;
}

int store_search_reindex(struct store *s, const char *lang, store_progress_fn progress, void *arg)
{
	struct sq_search *ss;
	int64_t published;
	size_t indexed = 0;
	bool own;
	int rc;

	if (!s || !lang || (strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0))
		return DP_EINVAL;
	ss = state(s);
	if ((rc = sq_write_begin(s, &own)))
		return rc;
	/* What the transaction noted so far is part of the rebuild. */
	ss->npending = 0;
	bag_clear(&ss->df_pending);
	bag_clear(&ss->fresh);
	if ((rc = count_published(s, &published)))
		goto out;
	/* Dropping the old index visits all its pages: 40 s for 100,000
	 * articles, so say at once that the work has begun. */
	if (progress)
		progress(arg, 0, 0, 2 * (size_t)published);
	if ((rc = rebuild_tables(s, ss, lang)))
		goto out;
	if ((rc = rebuild_vocab(s, ss, (size_t)published, progress, arg)) ||
	    (rc = rebuild_index(s, ss, (size_t)published, progress, arg, &indexed)) ||
	    (rc = rebuild_related(s, ss, indexed, progress, arg)))
		goto out;
out:
	if (rc)
		ss->reload = true;
	return sq_write_end(s, own, rc);
}

/* Whether the index needs building (SS_READY), as the caller's transaction sees it. */
static int stale(struct store *s, bool *ret)
{
	sqlite3_stmt *st;
	bool row;
	int rc = use(s, SS_READY, &st);
	*ret = false;
	if (rc)
		return rc;
	if (!(rc = sq_step(st, &row)) && row) {
		*ret = (sqlite3_column_int64(st, 0) == 0 && sqlite3_column_int64(st, 1) != 0) ||
		       sqlite3_column_int64(st, 2) != SEARCH_INDEX_FORMAT;
	}
	sqlite3_reset(st);
	return rc;
}

int store_search_stale(struct store *s, bool *ret, size_t *ret_articles)
{
	int64_t published = 0;
	bool own;
	int rc;
	if (!s || !ret)
		return DP_EINVAL;
	if ((rc = read_begin(s, &own)))
		return rc;
	if (!(rc = stale(s, ret)) && *ret)
		rc = count_published(s, &published);
	read_end(s, own);
	if (ret_articles)
		*ret_articles = published > 0 ? (size_t)published : 0;
	return rc;
}

int sq_search_ready(struct store *s)
{
	bool needed, own;
	int rc;
	if ((rc = stale(s, &needed)) || !needed)
		return rc;
	/* Again under the write lock: another process may be at it. */
	if ((rc = sq_write_begin(s, &own)))
		return rc == DP_EBUSY ? DP_OK : rc;
	if (!(rc = stale(s, &needed)) && needed) {
		char lang[8];
		rc = store_search_lang(s, lang, sizeof lang);
		if (!rc)
			rc = store_search_reindex(s, lang, NULL, NULL);
	}
	return sq_write_end(s, own, rc);
}
