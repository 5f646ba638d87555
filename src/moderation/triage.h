/* triage.h — comment triage: a verdict, a score and readable reasons for every
 * new comment, computed locally (no data leaves the server).
 *
 * The site's policy: every comment is moderated; a comment that does not
 * address the article's topic, or whose only aim is to demean readers or
 * authors, is deleted; sharp but civil disagreement is welcome. The triage
 * only advises: it never deletes. It combines
 *   - off-topic: the comment's stemmed words against the article's words
 *     (German compounds included), with allowances for short on-topic
 *     comments (thanks, a question to the author);
 *   - demeaning: a German and English lexicon (lexicon.c) matched after
 *     undoing the usual obfuscations (l33t digits, s p a c e d letters,
 *     reeepeated letters, asterisks), with the addressee (you, the author,
 *     other readers, a group) taken into account;
 *   - spam: links and disguised links, spam phrasing, the site's blocklist,
 *     the honeypot field, the time taken to fill the form, duplicates;
 *   - a learned part (naive Bayes over words, bayes.c) that moderators'
 *     decisions train per site.
 *
 * Ownership: src/moderation/ (triage.c, lexicon.c, bayes.c, text.c). The
 * library does not log and keeps no global mutable state apart from tables
 * built once on first use (pthread_once); triage_score() is thread-safe and
 * may share one model between threads as long as nobody calls
 * triage_model_learn() on it at the same time.
 *
 * Limits: the first 32 KiB of a comment and the first 256 KiB of an article
 * are read; the rest is ignored. */
#ifndef DEPESCHE_MODERATION_TRIAGE_H
#define DEPESCHE_MODERATION_TRIAGE_H

#include <stddef.h>

enum triage_verdict { TRIAGE_OK, TRIAGE_OFFTOPIC, TRIAGE_DEMEANING, TRIAGE_SPAM, TRIAGE__MAX };

/* "ok", "offtopic", "demeaning", "spam"; "?" for anything else. Static. */
const char *triage_verdict_name(enum triage_verdict v);
/* The verdict named name, or -1. */
int triage_verdict_parse(const char *name);

/* What the triage reads. Strings are UTF-8 (invalid bytes are tolerated and
 * ignored) and only borrowed for the call. */
struct triage_input {
	const char *lang;          /* site language "de"/"en": picks the stemmer and the
				      language of the reasons; both lexicons always apply.
				      NULL or anything else: "de" */
	const char *title, *body;  /* the article: plain text or Markdown; NULL as "" */
	const char *comment;       /* the comment text; NULL as "" */
	const char *author_name, *author_email;   /* may be NULL */
	int honeypot_filled;       /* the hidden field had content */
	int fill_seconds;          /* seconds between form render and submit; -1 unknown */
	int duplicates;            /* how many identical comments the site saw recently */
	const char *const *blocklist; size_t nblocklist;   /* words or phrases, IPs (a
				      prefix ending in "." or ":" matches a range), e-mail
				      domains ("@example.com" or "example.com") */
	const char *client_ip;     /* may be NULL */
};

#define TRIAGE_NREASONS 8
#define TRIAGE_REASON_LEN 160

struct triage_result {
	enum triage_verdict verdict;
	double score;              /* 0..1: confidence that the verdict is not "ok"; for
				      ok, the highest of the others */
	double scores[TRIAGE__MAX];/* per-label scores 0..1; scores[TRIAGE_OK] is
				      1 - the highest of the others */
	char reasons[TRIAGE_NREASONS][TRIAGE_REASON_LEN];
				   /* NUL-terminated, valid UTF-8, in the site language, the
				      verdict's reasons first, e.g. "beleidigendes Wort:
				      »Idiot« (an den Autor gerichtet)". They quote the
				      comment: escape them like any user text. */
	size_t nreasons;
};

/* A verdict other than ok needs its score to reach this. */
#define TRIAGE_THRESHOLD 0.5

/* The learned part: documents and word counts per label (bayes.c). Reading
 * (triage_score, triage_model_save) is thread-safe; learning is not. */
struct triage_model;

/* An empty model. DP_OK or DP_ENOMEM. */
int triage_model_new(struct triage_model **ret);
/* NULL-tolerant. */
void triage_model_free(struct triage_model *m);
/* Learns from a moderator's decision: TRIAGE_OK for approve, TRIAGE_SPAM for
 * spam, and the verdict the moderator picked for a reject. DP_EINVAL for a bad
 * label, DP_ENOMEM. The model keeps at most 200,000 distinct words; past that,
 * new words are not counted. */
int triage_model_learn(struct triage_model *m, const char *text, enum triage_verdict label);
/* Number of documents learnt with label (0 for a bad label or NULL model). */
unsigned triage_model_docs(const struct triage_model *m, enum triage_verdict label);
/* Serialises to a JSON string; *ret_json is the caller's to free(). */
int triage_model_save(const struct triage_model *m, char **ret_json);
/* Parses what triage_model_save() wrote: DP_EPARSE when it is not such a
 * document, DP_ENOMEM. *ret is the caller's (triage_model_free). */
int triage_model_load(const char *json, struct triage_model **ret);

/* Scores one comment. m may be NULL (no learned part yet). *ret is filled in
 * completely, also on error (as ok with no reasons). DP_OK, DP_EINVAL (in or
 * ret NULL) or DP_ENOMEM. */
int triage_score(const struct triage_model *m, const struct triage_input *in,
		 struct triage_result *ret);

#endif
