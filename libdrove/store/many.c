/* Synchronous reads of many nodes in one pipeline (store_internal.h): a window of requests in
 * flight at once, each path's outcome in one owned result set. */
#include <stdlib.h>

#include "store/store_internal.h"

#define MANY_WINDOW 256 /* requests in flight at once */

void drove__store_many_free(struct drove__store_many *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->item[i].data);
		drove_strlist_free(m->item[i].kids);
	}
	free(m);
}

/* Take a finished request's result into `it`: 0 or DROVE_ENOMEM. */
static int take(struct drove__store_req *r, struct drove__store_item *it)
{
	if (r->type == DROVE__OP_CHILDREN) {
		it->kids = r->children;
		r->children = NULL;
		return it->kids ? 0 : drove_strlist_new(&it->kids);
	}
	it->data = r->rdata ? r->rdata : drove__strdup("");
	r->rdata = NULL;
	it->len = it->data ? r->rlen : 0;
	return it->data ? 0 : DROVE_ENOMEM;
}

static int read_many(drove_store *s, int type, const char *const *paths, size_t n,
                     struct drove__store_many **out)
{
	struct drove__store_req *win[MANY_WINDOW];
	struct drove__store_many *m;

	DROVE_CHECK_ARG(s && (paths || !n) && out);
	*out = NULL;
	if (!(m = calloc(1, sizeof(*m) + n * sizeof(m->item[0]))))
		return drove__enomem();
	m->n = n;
	for (size_t base = 0; base < n; base += MANY_WINDOW) {
		size_t w = n - base < MANY_WINDOW ? n - base : MANY_WINDOW;
		for (size_t k = 0; k < w; k++) {
			struct drove__store_item *it = &m->item[base + k];
			win[k] = NULL;
			if ((it->rc = drove__store_path_check(paths[base + k])) < 0)
				continue;
			if (!(win[k] = drove__store_req_new(s, type, paths[base + k], true)))
				it->rc = DROVE_ENOMEM;
			else if ((it->rc = drove__store_req_submit(win[k], false)) < 0) {
				drove__store_req_free(win[k]);
				win[k] = NULL;
			}
		}
		for (size_t k = 0; k < w; k++) {
			struct drove__store_item *it = &m->item[base + k];
			if (!win[k])
				continue;
			if ((it->rc = drove__store_req_wait(win[k])) == 0)
				it->rc = take(win[k], it);
			drove__store_req_free(win[k]);
		}
	}
	drove_error_clear(); /* each path's outcome is in its item */
	*out = m;
	return 0;
}

int drove__store_get_many(drove_store *s, const char *const *paths, size_t n,
                          struct drove__store_many **out)
{
	return read_many(s, DROVE__OP_GET, paths, n, out);
}

int drove__store_children_many(drove_store *s, const char *const *paths, size_t n,
                               struct drove__store_many **out)
{
	return read_many(s, DROVE__OP_CHILDREN, paths, n, out);
}
