/* related.c — "Mehr zum Thema" under an article: the related articles the
 * store computed when articles last changed (store_related reads them; no
 * similarity is worked out per request). */
#include "cache/cache.h"
#include "page/page.h"
#include "util/err.h"

int related_fill(const struct page_req *req, struct page_res *res, const struct article *a,
		 json_t *article)
{
	struct article_list l = { 0 };
	int rc = store_related(req->store, a->id, req->now, &l);
	if (rc)
		return rc;
	json_t *arr = json_array();
	if (!arr) {
		rc = DP_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		json_t *sum = ctx_article_link(req, &l.items[i]);
		if (!sum) {
			rc = DP_ENOMEM;
			goto out;
		}
		json_array_append_new(arr, sum);
		/* a related article retitled, unpublished or deleted changes this page */
		page_dep(res, cache_keyf("a:%lld", (long long)l.items[i].id));
	}
	if (l.n) {
		json_object_set_new(article, "related", arr);
		json_object_set_new(article, "has_related", json_true());
		arr = NULL;
	}
out:
	json_decref(arr);
	article_list_release(&l);
	return rc;
}
