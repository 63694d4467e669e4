/*
 * Pipelined reads of the stored topologies and their runs (load.h): for each topology, a get
 * of /topologies/{id}, then the children of /runs/{id}, then a get of each run, all
 * asynchronous; up to `window` topologies are under way at once.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "epoch/load.h"

struct drove__eload {
	drove_store *st;
	drove_strlist *ids;
	size_t window, next, active, returned;
	int freed;   /* drove__eload_free() ran: callbacks dropped */
	int pumping; /* inside pump(): items that end at once do not pump again */
	drove__eload_topo_fn topo;
	drove__eload_done_fn done;
	void *ud;
};

/* One topology under way. */
struct item {
	drove__eload *l;
	const char *id; /* in l->ids */
	char *doc;
	int runs_parent;
	size_t nruns, pending;
	struct drove__eload_run *runs; /* ids and texts owned here */
};

static void pump(drove__eload *l);

static void item_end(struct item *it)
{
	drove__eload *l = it->l;
	for (size_t i = 0; i < it->nruns; i++) {
		free((char *)it->runs[i].id);
		free((char *)it->runs[i].json);
	}
	free(it->runs);
	free(it->doc);
	free(it);
	l->active--;
	l->returned++;
	drove_error_clear();
	if (l->freed) {
		if (!l->active) {
			drove_strlist_free(l->ids);
			free(l);
		}
		return;
	}
	if (!l->pumping)
		pump(l);
}

/* Every read of the topology is back: hand it over, the runs that could be read packed. */
static void item_deliver(struct item *it)
{
	drove__eload *l = it->l;
	size_t n = 0;
	if (l->freed || !it->doc) {
		item_end(it);
		return;
	}
	for (size_t i = 0; i < it->nruns; i++)
		if (it->runs[i].json)
			it->runs[n++] = it->runs[i];
		else
			free((char *)it->runs[i].id);
	it->nruns = n;
	l->topo(l->ud, it->id, it->doc, it->runs_parent, n, it->runs);
	item_end(it);
}

struct run_ref {
	struct item *it;
	size_t i;
};

static void got_run(int rc, const char *data, size_t len, const drove_store_stat *stat, void *ud)
{
	struct run_ref *ref = ud;
	struct item *it = ref->it;
	(void)stat;
	if (rc == 0 && !it->l->freed) {
		char *text = malloc(len + 1);
		if (text) {
			memcpy(text, data, len);
			text[len] = '\0';
		}
		it->runs[ref->i].json = text;
	}
	drove_error_clear();
	free(ref);
	if (--it->pending == 0)
		item_deliver(it);
}

static void got_children(int rc, const drove_strlist *children, void *ud)
{
	struct item *it = ud;
	size_t n = rc == 0 ? drove_strlist_count(children) : 0;
	it->runs_parent = rc == 0;
	drove_error_clear();
	if (it->l->freed || !n) {
		item_deliver(it);
		return;
	}
	if (!(it->runs = calloc(n, sizeof(*it->runs)))) {
		item_deliver(it); /* its runs unknown: followed by the trim job's reads */
		return;
	}
	it->pending = 1; /* held while sending */
	for (size_t i = 0; i < n; i++) {
		const char *rid = drove_strlist_get(children, i);
		char *path = drove__asprintf("/runs/%s/%s", it->id, rid);
		struct run_ref *ref = malloc(sizeof(*ref));
		if (!path || !ref || !(it->runs[it->nruns].id = strdup(rid))) {
			free(path);
			free(ref);
			break;
		}
		*ref = (struct run_ref){it, it->nruns++};
		it->pending++;
		if (drove_store_get_async(it->l->st, path, NULL, NULL, got_run, ref) < 0) {
			drove_error_clear();
			free(ref);
			it->pending--;
		}
		free(path);
	}
	if (--it->pending == 0)
		item_deliver(it);
}

static void got_topology(int rc, const char *data, size_t len, const drove_store_stat *stat,
                         void *ud)
{
	struct item *it = ud;
	char *path;
	(void)stat;
	if (rc < 0 || it->l->freed || !(it->doc = malloc(len + 1)) ||
	    !(path = drove__asprintf("/runs/%s", it->id))) {
		item_end(it); /* deleted meanwhile, or the store failed: left out */
		return;
	}
	memcpy(it->doc, data, len);
	it->doc[len] = '\0';
	rc = drove_store_children_async(it->l->st, path, NULL, NULL, got_children, it);
	free(path);
	if (rc < 0)
		item_end(it);
}

static void pump(drove__eload *l)
{
	size_t count = drove_strlist_count(l->ids);
	l->pumping = 1;
	while (!l->freed && l->active < l->window && l->next < count) {
		struct item *it = calloc(1, sizeof(*it));
		const char *id = drove_strlist_get(l->ids, l->next++);
		char *path = drove__asprintf("/topologies/%s", id);
		l->active++;
		if (!it || !path) {
			free(it);
			free(path);
			l->active--;
			l->returned++;
			continue;
		}
		it->l = l;
		it->id = id;
		int rc = drove_store_get_async(l->st, path, NULL, NULL, got_topology, it);
		free(path);
		if (rc < 0)
			item_end(it);
	}
	l->pumping = 0;
	drove_error_clear();
	if (!l->freed && !l->active && l->next >= count)
		l->done(l->ud); /* may free the loader */
}

int drove__eload_start(drove__eload **out, drove_store *st, drove_strlist *ids, size_t window,
                       drove__eload_topo_fn topo, drove__eload_done_fn done, void *userdata)
{
	drove__eload *l = calloc(1, sizeof(*l));
	if (!l) {
		drove_strlist_free(ids);
		return drove__enomem();
	}
	*l = (drove__eload){.st = st,
	                    .ids = ids,
	                    .window = window ? window : 1,
	                    .topo = topo,
	                    .done = done,
	                    .ud = userdata};
	*out = l;
	pump(l);
	return 0;
}

size_t drove__eload_progress(const drove__eload *l)
{
	return l ? l->returned : 0;
}

void drove__eload_free(drove__eload *l)
{
	if (!l)
		return;
	if (l->active) {
		l->freed = 1; /* the last read to come back frees it */
		return;
	}
	drove_strlist_free(l->ids);
	free(l);
}
