/* bayes.c — the triage's learned part: naive Bayes over words, per site. */
#include "moderation/bayes.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moderation/lexicon.h"
#include "moderation/text.h"
#include "util/err.h"

#define BAYES_MAX_WORDS 200000  /* distinct words a model keeps */
#define BAYES_MAX_FEATURES 400  /* distinct words read from one document */
#define BAYES_MAX_TEXT (32u << 10)
#define WORD_MIN 3             /* bytes */
#define WORD_MAX 40             /* bytes */

struct triage_model {
	struct strmap map;        /* word → index into counts and words */
	uint32_t (*counts)[TRIAGE__MAX];
	char **words;             /* owned copies; the map's keys point into them */
	size_t n, cap;
	unsigned docs[TRIAGE__MAX];
};

int triage_model_new(struct triage_model **ret)
{
	struct triage_model *m = calloc(1, sizeof *m);
	if (!m || strmap_init(&m->map, 1024)) {
		free(m);
		return DP_ENOMEM;
	}
	*ret = m;
	return DP_OK;
}

void triage_model_free(struct triage_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->words[i]);
	free(m->words);
	free(m->counts);
	strmap_release(&m->map);
	free(m);
}

unsigned triage_model_docs(const struct triage_model *m, enum triage_verdict label)
{
	if (!m || (unsigned)label >= TRIAGE__MAX)
		return 0;
	return m->docs[label];
}

/* The distinct words of text: lowercase runs of letters and digits, without
 * stopwords. Calls
 * fn(word, len, ctx) once per distinct word, at most BAYES_MAX_FEATURES times;
 * stops early when fn returns non-zero and returns that. */
static int features(const char *text, size_t len, int (*fn)(const char *, size_t, void *), void *ctx)
{
	if (len > BAYES_MAX_TEXT)
		len = BAYES_MAX_TEXT;
	struct strmap seen;
	struct arena a;
	int rc = strmap_init(&seen, 128);
	if (rc)
		return rc;
	arena_init(&a);
	const char *p = text, *end = text + len;
	char word[WORD_MAX + 8];
	size_t wl = 0, nfeat = 0;
	int toolong = 0;
	while (!rc) {
		uint32_t c = p < end ? text_next(&p, end) : 0;
		if (c && (text_is_letter(c) || (c >= '0' && c <= '9'))) {
			if (wl + 4 <= WORD_MAX)
				wl += text_put(word + wl, text_lower(c));
			else
				toolong = 1;
			continue;
		}
		if (wl >= WORD_MIN && !toolong && !lex_is_stop(word, wl)) {
			char *w = arena_strndup(&a, word, wl);
			if (!w) {
				rc = DP_ENOMEM;
				break;
			}
			int r = strmap_put(&seen, w, wl, 0, NULL);
			if (r == DP_OK) {
				rc = fn(w, wl, ctx);
				if (++nfeat >= BAYES_MAX_FEATURES)
					break;
			} else if (r != DP_EEXISTS) {
				rc = r;
			}
		}
		wl = 0;
		toolong = 0;
		if (!c)
			break;
	}
	strmap_release(&seen);
	arena_release(&a);
	return rc;
}

/* The counts of word, added when missing (NULL when the model is full). */
static int model_slot(struct triage_model *m, const char *w, size_t len, uint32_t **ret)
{
	struct strmap_slot *s = strmap_find(&m->map, w, len);
	if (s) {
		*ret = m->counts[s->val];
		return DP_OK;
	}
	*ret = NULL;
	if (m->n >= BAYES_MAX_WORDS)
		return DP_OK;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		void *c = realloc(m->counts, cap * sizeof *m->counts);
		if (!c)
			return DP_ENOMEM;
		m->counts = c;
		void *ws = realloc(m->words, cap * sizeof *m->words);
		if (!ws)
			return DP_ENOMEM;
		m->words = ws;
		m->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return DP_ENOMEM;
	memcpy(copy, w, len);
	copy[len] = '\0';
	if (strmap_put(&m->map, copy, len, (int)m->n, NULL)) {
		free(copy);
		return DP_ENOMEM;
	}
	m->words[m->n] = copy;
	memset(m->counts[m->n], 0, sizeof m->counts[m->n]);
	*ret = m->counts[m->n++];
	return DP_OK;
}

struct learn_ctx {
	struct triage_model *m;
	enum triage_verdict label;
};

static int learn_word(const char *w, size_t len, void *vctx)
{
	struct learn_ctx *ctx = vctx;
	uint32_t *counts;
	int rc = model_slot(ctx->m, w, len, &counts);
	if (!rc && counts && counts[ctx->label] < UINT32_MAX)
		counts[ctx->label]++;
	return rc;
}

int triage_model_learn(struct triage_model *m, const char *text, enum triage_verdict label)
{
	if (!m || (unsigned)label >= TRIAGE__MAX)
		return DP_EINVAL;
	if (!text)
		text = "";
	struct learn_ctx ctx = { m, label };
	int rc = features(text, strlen(text), learn_word, &ctx);
	if (rc)
		return rc;
	m->docs[label]++;
	return DP_OK;
}

struct evidence_ctx {
	const struct triage_model *m;
	struct bayes_evidence *ev;
	double best[TRIAGE__MAX];
};

static int evidence_word(const char *w, size_t len, void *vctx)
{
	struct evidence_ctx *ctx = vctx;
	const struct triage_model *m = ctx->m;
	struct strmap_slot *s = strmap_find(&m->map, w, len);
	if (!s)
		return DP_OK;
	const uint32_t *n = m->counts[s->val];
	uint64_t total = 0;
	for (int l = 0; l < TRIAGE__MAX; l++)
		total += n[l];
	if (total < 2) /* a word seen once says nothing yet */
		return DP_OK;
	double r_ok = (n[TRIAGE_OK] + 0.5) / (m->docs[TRIAGE_OK] + 1.0);
	for (int l = TRIAGE_OK + 1; l < TRIAGE__MAX; l++) {
		if (ctx->ev->weight[l] <= 0)
			continue;
		double r = (n[l] + 0.5) / (m->docs[l] + 1.0);
		double d = log(r / r_ok);
		if (d > 4)
			d = 4;
		if (d < -4)
			d = -4;
		ctx->ev->llr[l] += d;
		if (d > ctx->best[l] && n[l] >= 2) {
			ctx->best[l] = d;
			snprintf(ctx->ev->top[l], sizeof ctx->ev->top[l], "%.*s",
				 (int)(len < 40 ? len : 40), w);
		}
	}
	return DP_OK;
}

void bayes_word(const struct triage_model *m, const char *word, size_t len,
		uint32_t ret_counts[TRIAGE__MAX])
{
	memset(ret_counts, 0, TRIAGE__MAX * sizeof *ret_counts);
	struct strmap_slot *s = m ? strmap_find(&m->map, word, len) : NULL;
	if (s)
		memcpy(ret_counts, m->counts[s->val], TRIAGE__MAX * sizeof *ret_counts);
}

int bayes_evidence(const struct triage_model *m, const char *text, size_t len,
		   struct bayes_evidence *ret)
{
	memset(ret, 0, sizeof *ret);
	if (!m || m->docs[TRIAGE_OK] < BAYES_MIN_DOCS)
		return DP_OK;
	int any = 0;
	for (int l = TRIAGE_OK + 1; l < TRIAGE__MAX; l++) {
		unsigned d = m->docs[l] < m->docs[TRIAGE_OK] ? m->docs[l] : m->docs[TRIAGE_OK];
		if (m->docs[l] < BAYES_MIN_DOCS)
			continue;
		ret->weight[l] = d >= BAYES_FULL_DOCS ? 1.0 : (double)d / BAYES_FULL_DOCS;
		any = 1;
	}
	if (!any)
		return DP_OK;
	struct evidence_ctx ctx = { .m = m, .ev = ret, .best = { 0.5, 0.5, 0.5, 0.5 } };
	int rc = features(text, len, evidence_word, &ctx);
	for (int l = 0; l < TRIAGE__MAX; l++) {
		if (ret->llr[l] > 8)
			ret->llr[l] = 8;
		if (ret->llr[l] < -8)
			ret->llr[l] = -8;
	}
	return rc;
}

/* ---- JSON ----
 *
 *   {"version": 1, "labels": ["ok", "offtopic", "demeaning", "spam"],
 *    "docs": [n_ok, n_offtopic, n_demeaning, n_spam],
 *    "words": {"zorblax": [0, 0, 0, 20], ...}}
 *
 * "words" gives, per word, in how many documents of each label it occurred;
 * keys are sorted so that equal models serialise to equal strings. */

int triage_model_save(const struct triage_model *m, char **ret_json)
{
	int rc = DP_ENOMEM;
	json_t *root = json_object(), *docs = json_array(), *words = json_object(), *labels = json_array();
	if (!root || !docs || !words || !labels)
		goto out;
	for (int l = 0; l < TRIAGE__MAX; l++) {
		if (json_array_append_new(docs, json_integer(m->docs[l])) ||
		    json_array_append_new(labels, json_string(triage_verdict_name(l))))
			goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		json_t *a = json_array();
		if (!a)
			goto out;
		for (int l = 0; l < TRIAGE__MAX; l++)
			json_array_append_new(a, json_integer(m->counts[i][l]));
		if (json_array_size(a) != TRIAGE__MAX || json_object_set_new(words, m->words[i], a))
			goto out;
	}
	if (json_object_set_new(root, "version", json_integer(1)) ||
	    json_object_set(root, "labels", labels) || json_object_set(root, "docs", docs) ||
	    json_object_set(root, "words", words))
		goto out;
	*ret_json = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	rc = *ret_json ? DP_OK : DP_ENOMEM;
out:
	json_decref(labels);
	json_decref(docs);
	json_decref(words);
	json_decref(root);
	return rc;
}

/* A count: an integer 0..UINT32_MAX. */
static int get_count(json_t *v, uint32_t *ret)
{
	if (!json_is_integer(v))
		return DP_EPARSE;
	json_int_t i = json_integer_value(v);
	if (i < 0 || i > (json_int_t)UINT32_MAX)
		return DP_EPARSE;
	*ret = (uint32_t)i;
	return DP_OK;
}

int triage_model_load(const char *json, struct triage_model **ret)
{
	struct triage_model *m = NULL;
	json_t *root = json ? json_loads(json, 0, NULL) : NULL;
	int rc = DP_EPARSE;
	json_t *docs = json_object_get(root, "docs"), *words = json_object_get(root, "words");
	if (!json_is_object(root) || json_integer_value(json_object_get(root, "version")) != 1 ||
	    !json_is_array(docs) || json_array_size(docs) != TRIAGE__MAX || !json_is_object(words))
		goto out;
	rc = triage_model_new(&m);
	if (rc)
		goto out;
	for (int l = 0; l < TRIAGE__MAX; l++) {
		uint32_t d;
		rc = get_count(json_array_get(docs, l), &d);
		if (rc)
			goto out;
		m->docs[l] = d;
	}
	const char *key;
	json_t *val;
	json_object_foreach(words, key, val) {
		size_t len = strlen(key);
		rc = DP_EPARSE;
		if (!json_is_array(val) || json_array_size(val) != TRIAGE__MAX || len == 0 || len > WORD_MAX)
			goto out;
		uint32_t n[TRIAGE__MAX];
		for (int l = 0; l < TRIAGE__MAX; l++) {
			rc = get_count(json_array_get(val, l), &n[l]);
			if (rc)
				goto out;
		}
		uint32_t *counts;
		rc = model_slot(m, key, len, &counts);
		if (rc)
			goto out;
		if (counts)
			memcpy(counts, n, sizeof n);
	}
	*ret = m;
	m = NULL;
	rc = DP_OK;
out:
	triage_model_free(m);
	json_decref(root);
	return rc;
}
