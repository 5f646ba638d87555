/* boxes.c — PLACEHOLDER: helper "boxes" writes it. */
#include "store/store.h"
#include "util/err.h"

int box_place_parse(const char *name, enum box_place *ret)
{
	(void)name;
	(void)ret;
	return DP_EIO;
}

void box_release(struct box *b)
{
	(void)b;
}

void boxes_free(struct box *b, size_t n)
{
	(void)b;
	(void)n;
}

int store_box_save(struct store *s, struct box *b, int64_t now)
{
	(void)s;
	(void)b;
	(void)now;
	return DP_EIO;
}

int store_box_get(struct store *s, int64_t id, struct box *ret)
{
	(void)s;
	(void)id;
	(void)ret;
	return DP_EIO;
}

int store_boxes(struct store *s, bool all, struct box **ret, size_t *ret_n)
{
	(void)s;
	(void)all;
	(void)ret;
	(void)ret_n;
	return DP_EIO;
}

int store_box_move(struct store *s, int64_t id, int delta, int64_t now)
{
	(void)s;
	(void)id;
	(void)delta;
	(void)now;
	return DP_EIO;
}

int store_box_delete(struct store *s, int64_t id)
{
	(void)s;
	(void)id;
	return DP_EIO;
}

const char *box_place_name(enum box_place p)
{
	(void)p;
	return "?";
}
