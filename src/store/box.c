/* box.c — backend-independent parts of the site's boxes (store.h, "boxes"):
 * the names of places and the release functions. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"

static const char *const places[BOX_PLACE__MAX] = {
	[BOX_SIDEBAR] = "sidebar",
	[BOX_BELOW] = "below",
	[BOX_FOOTER] = "footer",
};

const char *box_place_name(enum box_place p)
{
	return (unsigned)p < BOX_PLACE__MAX ? places[p] : "?";
}

int box_place_parse(const char *name, enum box_place *ret)
{
	for (int p = 0; name && p < BOX_PLACE__MAX; p++)
		if (strcmp(name, places[p]) == 0) {
			*ret = (enum box_place)p;
			return DP_OK;
		}
	return DP_EINVAL;
}

void box_release(struct box *b)
{
	if (!b)
		return;
	free(b->kind);
	free(b->title);
	free(b->body);
	free(b->link_url);
	free(b->link_text);
	free(b->image_url);
	free(b->image_alt);
	free(b->author);
	b->kind = b->title = b->body = b->link_url = b->link_text = NULL;
	b->image_url = b->image_alt = b->author = NULL;
}

void boxes_free(struct box *b, size_t n)
{
	if (!b)
		return;
	for (size_t i = 0; i < n; i++)
		box_release(&b[i]);
	free(b);
}
