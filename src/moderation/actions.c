/* actions.c — a moderator's decision: status, learning, audit. */
#include "moderation/actions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/triage.h"
#include "util/err.h"

/* Scoring reads the model on many threads; learning writes it. */
static pthread_rwlock_t model_lock = PTHREAD_RWLOCK_INITIALIZER;

static const char *const status_names[COMMENT_STATUS__MAX] = {
	[COMMENT_PENDING] = "pending", [COMMENT_APPROVED] = "approved",
	[COMMENT_SPAM] = "spam", [COMMENT_REJECTED] = "rejected",
};

const char *moderation_status_name(enum comment_status st)
{
	return (unsigned)st < COMMENT_STATUS__MAX ? status_names[st] : "?";
}

int moderation_status_parse(const char *s, enum comment_status *ret)
{
	static const struct { const char *name; enum comment_status st; } names[] = {
		{ "pending", COMMENT_PENDING }, { "approved", COMMENT_APPROVED },
		{ "approve", COMMENT_APPROVED }, { "spam", COMMENT_SPAM },
		{ "rejected", COMMENT_REJECTED }, { "reject", COMMENT_REJECTED },
	};
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			*ret = names[i].st;
			return DP_OK;
		}
	return DP_EINVAL;
}

int moderation_score(struct triage_model *m, const struct triage_input *in,
		     struct triage_result *ret)
{
	pthread_rwlock_rdlock(&model_lock);
	int rc = triage_score(m, in, ret);
	pthread_rwlock_unlock(&model_lock);
	return rc;
}

/* What a decision teaches: approve is "ok", spam is "spam", a reject is the
 * policy the comment broke — its own verdict when that was not "ok", else
 * off-topic (the policy's other ground for deleting). */
static enum triage_verdict lesson(const struct comment *c, enum comment_status st)
{
	if (st == COMMENT_APPROVED)
		return TRIAGE_OK;
	if (st == COMMENT_SPAM)
		return TRIAGE_SPAM;
	for (int v = TRIAGE_OFFTOPIC; v < TRIAGE__MAX; v++)
		if (c->verdict && strcmp(c->verdict, triage_verdict_name((enum triage_verdict)v)) == 0)
			return (enum triage_verdict)v;
	return TRIAGE_OFFTOPIC;
}

int moderation_decide(struct store *st, struct triage_model *m, int64_t comment_id,
		      enum comment_status status, const char *actor)
{
	struct comment c = { 0 };
	char object[64];
	if (status == COMMENT_PENDING || (unsigned)status >= COMMENT_STATUS__MAX)
		return DP_EINVAL;
	int rc = store_comment_get(st, comment_id, &c);
	if (rc)
		return rc;
	rc = store_comment_set_status(st, comment_id, status);
	if (!rc && m && !c.by_site && c.status != status) {
		char *json = NULL;
		pthread_rwlock_wrlock(&model_lock);
		rc = triage_model_learn(m, c.text, lesson(&c, status));
		if (!rc)
			rc = triage_model_save(m, &json);
		pthread_rwlock_unlock(&model_lock);
		if (!rc)
			rc = store_kv_set(st, "triage_model", json);
		free(json);
	}
	if (!rc) {
		char action[48];
		snprintf(action, sizeof action, "comment.%s", moderation_status_name(status));
		snprintf(object, sizeof object, "comment %lld", (long long)comment_id);
		rc = store_audit_add(st, actor ? actor : "?", action, object,
				     c.article_slug ? c.article_slug : "");
	}
	comment_release(&c);
	return rc;
}
