/* outbox.c — backend-independent parts of the mail outbox (store.h, "the
 * mail outbox"): names of kinds and statuses, release functions. */
#include "store/store.h"

#include <stdlib.h>

static const char *const kinds[OUTBOX_KIND__MAX] = {
	[OUTBOX_CONFIRM] = "confirm", [OUTBOX_ALERT] = "alert", [OUTBOX_NEWSLETTER] = "newsletter",
	[OUTBOX_NOTIFY] = "notify",   [OUTBOX_TEST] = "test",
};

static const char *const statuses[OUTBOX_STATUS__MAX] = {
	[OUTBOX_QUEUED] = "queued", [OUTBOX_SENDING] = "sending", [OUTBOX_SENT] = "sent",
	[OUTBOX_FAILED] = "failed",
};

const char *outbox_kind_name(enum outbox_kind k)
{
	return (unsigned)k < OUTBOX_KIND__MAX ? kinds[k] : "?";
}

const char *outbox_status_name(enum outbox_status st)
{
	return (unsigned)st < OUTBOX_STATUS__MAX ? statuses[st] : "?";
}

void outbox_msg_release(struct outbox_msg *m)
{
	if (!m)
		return;
	free(m->recipient);
	free(m->message);
	free(m->last_error);
	m->recipient = m->message = m->last_error = NULL;
	m->len = 0;
}

void outbox_msgs_free(struct outbox_msg *m, size_t n)
{
	if (!m)
		return;
	for (size_t i = 0; i < n; i++)
		outbox_msg_release(&m[i]);
	free(m);
}
