/* subscriber.c — backend-independent parts of the store for newsletter
 * subscribers, consent records and newsletter issues (store.h,
 * "newsletter subscribers" and "newsletter issues"): names of states and
 * frequencies, and freeing what the backends return. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static const char *const sub_statuses[SUB_STATUS__MAX] = {
	[SUB_PENDING] = "pending",
	[SUB_CONFIRMED] = "confirmed",
	[SUB_UNSUBSCRIBED] = "unsubscribed",
};

static const char *const frequencies[FREQ__MAX] = {
	[FREQ_IMMEDIATE] = "immediate",
	[FREQ_DAILY] = "daily",
	[FREQ_WEEKLY] = "weekly",
};

static const char *const newsletter_statuses[NEWSLETTER_STATUS__MAX] = {
	[NEWSLETTER_DRAFT] = "draft",
	[NEWSLETTER_SENDING] = "sending",
	[NEWSLETTER_SENT] = "sent",
};

const char *subscriber_status_name(enum subscriber_status st)
{
	return (unsigned)st < SUB_STATUS__MAX ? sub_statuses[st] : "?";
}

const char *sub_frequency_name(enum sub_frequency f)
{
	return (unsigned)f < FREQ__MAX ? frequencies[f] : "?";
}

/* Exact, lower-case names only: they come from forms and the CLI, which
 * offer exactly these. */
int sub_frequency_parse(const char *name, enum sub_frequency *ret)
{
	if (!name || !ret)
		return DP_EINVAL;
	for (int f = 0; f < FREQ__MAX; f++)
		if (strcmp(name, frequencies[f]) == 0) {
			*ret = (enum sub_frequency)f;
			return DP_OK;
		}
	return DP_EINVAL;
}

const char *newsletter_status_name(enum newsletter_status st)
{
	return (unsigned)st < NEWSLETTER_STATUS__MAX ? newsletter_statuses[st] : "?";
}

void subscriber_release(struct subscriber *sub)
{
	if (!sub)
		return;
	free(sub->email);
	for (size_t i = 0; i < sub->ntopics; i++)
		free(sub->topics[i]);
	free(sub->topics);
	free(sub->key);
	memset(sub, 0, sizeof *sub);
}

void subscribers_free(struct subscriber *subs, size_t n)
{
	if (!subs)
		return;
	for (size_t i = 0; i < n; i++)
		subscriber_release(&subs[i]);
	free(subs);
}

void consent_release(struct consent *c)
{
	if (!c)
		return;
	free(c->wording);
	free(c->version);
	free(c->topics);
	free(c->request_ip);
	free(c->confirm_ip);
	memset(c, 0, sizeof *c);
}

void consents_free(struct consent *c, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++)
		consent_release(&c[i]);
	free(c);
}

void newsletter_release(struct newsletter *n)
{
	if (!n)
		return;
	free(n->subject);
	free(n->body_md);
	free(n->topics);
	free(n->created_by);
	memset(n, 0, sizeof *n);
}

void newsletters_free(struct newsletter *n, size_t count)
{
	if (!n)
		return;
	for (size_t i = 0; i < count; i++)
		newsletter_release(&n[i]);
	free(n);
}
