/* store.c — the backend-independent part of the store: freeing what the
 * backends return. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void term_release(struct term *t)
{
	if (!t)
		return;
	free(t->slug);
	free(t->name);
	memset(t, 0, sizeof *t);
}

void article_release(struct article *a)
{
	if (!a)
		return;
	free(a->slug);
	free(a->title);
	free(a->dateline);
	free(a->body_md);
	free(a->body_html);
	free(a->excerpt);
	free(a->lang);
	term_release(&a->author);
	term_release(&a->category);
	for (size_t i = 0; i < a->ntags; i++)
		term_release(&a->tags[i]);
	free(a->tags);
	memset(a, 0, sizeof *a);
}

void article_list_release(struct article_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		article_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
