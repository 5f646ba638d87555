/* comment.c — the backend-independent part of the store for comments,
 * accounts and the audit log: freeing what the backends return. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void comment_release(struct comment *c)
{
	if (!c)
		return;
	free(c->author_name);
	free(c->author_email);
	free(c->text);
	free(c->ip);
	free(c->verdict);
	free(c->reasons);
	free(c->article_slug);
	free(c->article_title);
	memset(c, 0, sizeof *c);
}

void comment_list_release(struct comment_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		comment_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void user_release(struct user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->pwhash);
	free(u->email);
	memset(u, 0, sizeof *u);
}

void session_release(struct session *se)
{
	if (!se)
		return;
	free(se->csrf);
	memset(se, 0, sizeof *se);
}

void api_token_release(struct api_token *t)
{
	if (!t)
		return;
	free(t->name);
	memset(t, 0, sizeof *t);
}

void audit_entry_release(struct audit_entry *e)
{
	if (!e)
		return;
	free(e->actor);
	free(e->action);
	free(e->object);
	free(e->detail);
	memset(e, 0, sizeof *e);
}
