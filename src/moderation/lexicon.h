/* lexicon.h — the word lists of the comment triage, compiled into the binary
 * (internal to src/moderation).
 *
 * One table of entries for everything matched against the de-obfuscated words
 * of a comment: demeaning words in German and English, spam phrasing, words
 * that tie a comment to the article, words that announce a change of topic,
 * and the words that tell whom a sentence addresses. Separate lists hold the
 * stopwords (ignored when comparing a comment with its article) and the
 * top-level domains that make a word look like a link.
 *
 * Entries are written as people spell them (lowercase, with umlauts); the
 * triage folds them with the same function it applies to comments, so the
 * table needs no pre-computed keys. A phrase is words separated by single
 * spaces; its first word carries the flags. Maintain the lists here only. */
#ifndef DEPESCHE_MODERATION_LEXICON_H
#define DEPESCHE_MODERATION_LEXICON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lex_cat {
	LEX_INSULT,   /* a word that insults a person: »Idiot«, »moron« */
	LEX_ADJ,      /* demeans only when said of a person: »dumm«, »stupid« */
	LEX_SLUR,     /* a slur against a group of people */
	LEX_DEHUMAN,  /* dehumanising: »Abschaum«, »vermin« */
	LEX_ABUSE,    /* abusive phrases and wishes of harm: »halt die Fresse« */
	LEX_PRESS,    /* contempt for journalists: »Lügenpresse« */
	LEX_PROFANE,  /* swearing that aims at no one by itself */
	LEX_SPAM,     /* spam phrasing */
	LEX_ONTOPIC,  /* refers to the article or thanks its author */
	LEX_OFFTOPIC, /* announces a change of topic: »OT«, »weiß jemand« */
	LEX_YOU,      /* second person, as subject or object (not possessive) */
	LEX_AUTHOR,   /* the author, the newsroom */
	LEX_READER,   /* other commenters */
	LEX_ANYONE,   /* »wer …«, »anyone who …«: whoever thinks or does something */
	LEX_GROUP,    /* names of groups of people */
	LEX_NEGATION, /* »nicht«, »kein«, »not« */
	LEX_COPULA,   /* »bist«, »sind«, »are«: links an addressee to an adjective */
	LEX__MAX
};

/* Which endings a word may take and still match (after folding). */
enum lex_infl {
	INF_NONE,   /* exactly as written */
	INF_DE_N,   /* German noun: -e -n -en -s -es -er -ern -in -innen */
	INF_DE_ADJ, /* German adjective: -e -en -er -es -em -ste -sten -ster -stes -ere -eren */
	INF_EN_N,   /* English noun: -s -es */
	INF_EN_ADJ, /* English adjective: -er -est */
	INF__MAX
};

enum {
	LEX_F_TAIL = 1, /* also matches as the last part of a German compound (»Vollidiot«) */
	LEX_F_HEAD = 2, /* also matches as the first part of a compound (»Drecks-«) */
	LEX_F_ADDR = 4, /* harmless words too: counts only when a person or group is addressed */
	LEX_F_CAP = 8,  /* only when written in capitals (»OT«) */
};

struct lex_entry {
	const char *text;  /* word or phrase, lowercase */
	uint8_t cat;       /* enum lex_cat */
	uint8_t infl;      /* enum lex_infl, for the last word */
	uint8_t flags;     /* LEX_F_* */
	uint8_t weight;    /* 0..100: how strongly it signals its category */
};

extern const struct lex_entry lex_entries[];
extern const size_t lex_nentries;

/* NULL-terminated lists. */
extern const char *const lex_stop_de[];
extern const char *const lex_stop_en[];
extern const char *const lex_tlds[];

/* The endings of an inflection class, NULL-terminated ("" is not listed). */
const char *const *lex_endings(enum lex_infl infl);

/* True when the folded key w[0..n) is a compound that ends like an insult but
 * is harmless (»zündversager«): it is never matched as a compound. */
bool lex_is_harmless(const char *w, size_t n);

/* True when w[0..n) (lowercase, as written) is a German or English stopword.
 * Thread-safe; builds its table on first use. */
bool lex_is_stop(const char *w, size_t n);

#endif
