/* bayes.h — the learned part of the comment triage (internal to
 * src/moderation; the public functions are in triage.h).
 *
 * A Bernoulli naive Bayes over the words of comments (stopwords left out):
 * for every word, in how many documents of each label the moderators saw it.
 * For a new comment it gives, per label, the log-likelihood ratio of that
 * label against "ok", summed over the comment's known words. Labels need a
 * few documents before they count (BAYES_MIN_DOCS), and the evidence is
 * weighted by how much the model has seen, so a young model barely moves the
 * rule-based scores. bayes_word() lets the triage ask how moderators decided
 * on comments that contained one particular word. */
#ifndef DEPESCHE_MODERATION_BAYES_H
#define DEPESCHE_MODERATION_BAYES_H

#include <stddef.h>
#include <stdint.h>

#include "moderation/triage.h"

#define BAYES_MIN_DOCS 3      /* per label, and for "ok", before a label has evidence */
#define BAYES_FULL_DOCS 20    /* documents per label at which the evidence has full weight */

struct bayes_evidence {
	double llr[TRIAGE__MAX];      /* ln P(words | label) / P(words | ok), clipped to ±8 */
	double weight[TRIAGE__MAX];   /* 0..1: how far the model can be trusted for label */
	char top[TRIAGE__MAX][48];    /* the word that argued most for label, "" if none */
};

/* The documents per label that contained word (lowercase, as the comment
 * wrote it); all zero when m is NULL or the word is unknown. */
void bayes_word(const struct triage_model *m, const char *word, size_t len,
		uint32_t ret_counts[TRIAGE__MAX]);

/* Fills *ret for text[0..len) (all zero when m is NULL or empty). DP_OK or
 * DP_ENOMEM. */
int bayes_evidence(const struct triage_model *m, const char *text, size_t len,
		   struct bayes_evidence *ret);

#endif
