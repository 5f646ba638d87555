/* post.h — creating and changing articles, shared by the CLI, the admin and
 * the JSON API: validation of every field, slug choice, Markdown rendering,
 * saving. Library code: errors come back as a code and a message for the
 * user, nothing is printed. */
#ifndef DEPESCHE_POST_POST_H
#define DEPESCHE_POST_POST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct site;

#define POST_BODY_MAX (1u << 20) /* bytes of Markdown */
#define POST_TITLE_MAX 300       /* characters */
#define POST_DATELINE_MAX 100
#define POST_TERM_MAX 100
#define POST_TAGS_MAX 20
#define POST_EXCERPT_CHARS 300

/* What a user asks to change; NULL (or -1) fields stay as they are. */
struct post_input {
	const char *title, *slug, *dateline, *tags, *category, *author, *date, *lang;
	int draft;         /* -1 unchanged, 0 publish, 1 draft */
	const char *body;  /* Markdown; NULL: unchanged */
	json_t *tag_list;  /* alternative to tags: a JSON array of strings (borrowed) */
};

#define POST_INPUT_INIT { .draft = -1 }

/* Applies in to *a (zeroed for a new article, or loaded with
 * store_article_by_*) and saves it. On success *a is the saved article.
 * On failure returns DP_EINVAL (bad input), DP_EEXISTS (slug taken) or a
 * storage error, with a sentence for the user in err; the database is
 * unchanged. A new article without in->draft set is published. */
int post_save(struct store *st, const struct site *site, struct article *a,
	      const struct post_input *in, int64_t now, char *err, size_t errlen);

/* Valid slug: [a-z0-9-], no leading/trailing '-', at most 200 bytes, not reserved. */
int post_slug_valid(const char *slug);

#endif
