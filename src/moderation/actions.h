/* actions.h — what a moderator's decision does, the same from the admin, the
 * API and the CLI: set the comment's status, teach the site's triage model
 * (approve: ok; spam: spam; reject: the comment's own verdict, or offtopic),
 * store the model, and write the audit log. */
#ifndef DEPESCHE_MODERATION_ACTIONS_H
#define DEPESCHE_MODERATION_ACTIONS_H

#include <stdint.h>

#include "store/store.h"

struct triage_model;

/* m may be NULL (nothing learned then). actor names the moderator for the
 * audit log. DP_ENOTFOUND for an unknown comment, DP_EINVAL for a status a
 * moderator cannot set (pending). */
int moderation_decide(struct store *st, struct triage_model *m, int64_t comment_id,
		      enum comment_status status, const char *actor);

/* triage_score() under the model's read lock: scoring runs on many threads
 * while a decision teaches the model. */
struct triage_input;
struct triage_result;
int moderation_score(struct triage_model *m, const struct triage_input *in,
		     struct triage_result *ret);

/* The status named by a form or API value: "approved"/"approve",
 * "spam", "rejected"/"reject", "pending". DP_EINVAL otherwise. */
int moderation_status_parse(const char *s, enum comment_status *ret);
const char *moderation_status_name(enum comment_status st);

#endif
