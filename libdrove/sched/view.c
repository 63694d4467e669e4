/* The cluster resource view: executors, NUMA nodes as core bitmaps, soft locks, and the
 * indexes that keep placement away from a walk over every executor. */
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include "sched/sched_internal.h"

/* ---- snapshots ---- */

struct snap_node {
	int id;
	int *free, *used, *layout, *vc, *vp;
	size_t nfree, nused, nlayout, nv;
	int64_t free_mb, used_mb, layout_mb;
	bool has_layout;
};

struct drove_sched_snapshot {
	char *id, *host;
	int port, state;
	int64_t time_ms;
	char **tags;
	size_t ntags, captags;
	drove_strmap *meta;
	struct snap_node *nodes;
	size_t nnodes, capnodes;
};

int drove_sched_snapshot_new(drove_sched_snapshot **out, const char *executor_id,
                             const char *hostname, int port)
{
	drove_sched_snapshot *s;
	DROVE_CHECK_ARG(out && executor_id && hostname);
	if (!*executor_id)
		return drove__error(DROVE_EINVAL, "executorId: must not be empty");
	if (!*hostname)
		return drove__error(DROVE_EINVAL, "hostname: must not be empty");
	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	s->port = port;
	s->state = DROVE_EXECUTOR_ACTIVE;
	if (!(s->id = drove__strdup(executor_id)) || !(s->host = drove__strdup(hostname)) ||
	    drove_strmap_new(&s->meta) < 0 || drove_sched_snapshot_add_tag(s, hostname) < 0) {
		drove_sched_snapshot_free(s);
		return DROVE_ENOMEM;
	}
	*out = s;
	return 0;
}

static void snap_node_clear(struct snap_node *n)
{
	free(n->free);
	free(n->used);
	free(n->layout);
	free(n->vc);
	free(n->vp);
}

void drove_sched_snapshot_free(drove_sched_snapshot *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->host);
	for (size_t i = 0; i < s->ntags; i++)
		free(s->tags[i]);
	free(s->tags);
	drove_strmap_free(s->meta);
	for (size_t i = 0; i < s->nnodes; i++)
		snap_node_clear(&s->nodes[i]);
	free(s->nodes);
	free(s);
}

int drove_sched_snapshot_set_state(drove_sched_snapshot *s, int state)
{
	DROVE_CHECK_ARG(s);
	if (state < DROVE_EXECUTOR_UNREADY || state > DROVE_EXECUTOR_REMOVED)
		return drove__error(DROVE_EINVAL, "executorState: %d is not a state", state);
	s->state = state;
	return 0;
}

int drove_sched_snapshot_set_time(drove_sched_snapshot *s, int64_t ms)
{
	DROVE_CHECK_ARG(s);
	if (ms < 0)
		return drove__error(DROVE_EINVAL, "updated: %lld is negative", (long long)ms);
	s->time_ms = ms;
	return 0;
}

int drove_sched_snapshot_add_tag(drove_sched_snapshot *s, const char *tag)
{
	int rc;
	DROVE_CHECK_ARG(s && tag);
	if (!*tag)
		return drove__error(DROVE_EINVAL, "tags: an empty tag");
	for (size_t i = 0; i < s->ntags; i++)
		if (strcmp(s->tags[i], tag) == 0)
			return 0;
	if ((rc = drove__grow(&s->tags, &s->captags, s->ntags + 1, sizeof(*s->tags))) < 0)
		return rc;
	if (!(s->tags[s->ntags] = drove__strdup(tag)))
		return DROVE_ENOMEM;
	s->ntags++;
	return 0;
}

int drove_sched_snapshot_set_metadata(drove_sched_snapshot *s, const char *key, const char *value)
{
	DROVE_CHECK_ARG(s && key && value);
	return drove_strmap_set(s->meta, key, value);
}

static int snap_node(drove_sched_snapshot *s, int node, struct snap_node **out)
{
	int rc;
	if (node < 0 || node > DROVE_SCHED_MAX_NODE_ID)
		return drove__error(DROVE_EINVAL, "numa node: %d is outside 0..%d", node,
		                    DROVE_SCHED_MAX_NODE_ID);
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->nodes[i].id == node) {
			*out = &s->nodes[i];
			return 0;
		}
	if (s->nnodes >= DROVE_SCHED_MAX_NODES)
		return drove__error(DROVE_EINVAL, "numa node: more than %d nodes",
		                    DROVE_SCHED_MAX_NODES);
	if ((rc = drove__grow(&s->nodes, &s->capnodes, s->nnodes + 1, sizeof(*s->nodes))) < 0)
		return rc;
	*out = &s->nodes[s->nnodes++];
	memset(*out, 0, sizeof(**out));
	(*out)->id = node;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Copy `n` core ids, checking range and duplicates. */
static int copy_ids(const int *in, size_t n, int **out, const char *what, int node)
{
	int *c;
	if (n && !in)
		return drove__error(DROVE_EINVAL, "%s[%d]: NULL array", what, node);
	if (n > (size_t)DROVE_SCHED_MAX_CORE_ID)
		return drove__error(DROVE_EINVAL, "%s[%d]: too many cores", what, node);
	if (!(c = malloc((n ? n : 1) * sizeof(int))))
		return drove__enomem();
	for (size_t i = 0; i < n; i++) {
		if (in[i] < 0 || in[i] > DROVE_SCHED_MAX_CORE_ID) {
			int bad = in[i];
			free(c);
			return drove__error(DROVE_EINVAL, "%s[%d]: core id %d is outside 0..%d",
			                    what, node, bad, DROVE_SCHED_MAX_CORE_ID);
		}
		c[i] = in[i];
	}
	qsort(c, n, sizeof(int), cmp_int);
	for (size_t i = 1; i < n; i++)
		if (c[i] == c[i - 1]) {
			int dup = c[i];
			free(c);
			return drove__error(DROVE_EINVAL, "%s[%d]: core id %d appears twice", what,
			                    node, dup);
		}
	*out = c;
	return 0;
}

int drove_sched_snapshot_set_free_cores(drove_sched_snapshot *s, int node, const int *cores,
                                        size_t n)
{
	struct snap_node *sn;
	int *c, rc;
	DROVE_CHECK_ARG(s);
	if ((rc = snap_node(s, node, &sn)) < 0 ||
	    (rc = copy_ids(cores, n, &c, "freeCores", node)) < 0)
		return rc;
	free(sn->free);
	sn->free = c;
	sn->nfree = n;
	return 0;
}

int drove_sched_snapshot_set_used_cores(drove_sched_snapshot *s, int node, const int *cores,
                                        size_t n)
{
	struct snap_node *sn;
	int *c, rc;
	DROVE_CHECK_ARG(s);
	if ((rc = snap_node(s, node, &sn)) < 0 ||
	    (rc = copy_ids(cores, n, &c, "usedCores", node)) < 0)
		return rc;
	free(sn->used);
	sn->used = c;
	sn->nused = n;
	return 0;
}

int drove_sched_snapshot_set_memory(drove_sched_snapshot *s, int node, int64_t free_mb,
                                    int64_t used_mb)
{
	struct snap_node *sn;
	int rc;
	DROVE_CHECK_ARG(s);
	if (free_mb < 0 || used_mb < 0)
		return drove__error(DROVE_EINVAL, "freeMemory[%d]: %lld MB is negative", node,
		                    (long long)(free_mb < 0 ? free_mb : used_mb));
	if ((rc = snap_node(s, node, &sn)) < 0)
		return rc;
	sn->free_mb = free_mb;
	sn->used_mb = used_mb;
	return 0;
}

int drove_sched_snapshot_set_layout(drove_sched_snapshot *s, int node, const int *physical,
                                    size_t n, int64_t mb)
{
	struct snap_node *sn;
	int *c, rc;
	DROVE_CHECK_ARG(s);
	if (mb < 0)
		return drove__error(DROVE_EINVAL, "layout.memory[%d]: %lld MB is negative", node,
		                    (long long)mb);
	if ((rc = snap_node(s, node, &sn)) < 0 ||
	    (rc = copy_ids(physical, n, &c, "layout.cores", node)) < 0)
		return rc;
	free(sn->layout);
	sn->layout = c;
	sn->nlayout = n;
	sn->layout_mb = mb;
	sn->has_layout = true;
	return 0;
}

int drove_sched_snapshot_set_vcore_map(drove_sched_snapshot *s, int node, const int *vcores,
                                       const int *physical, size_t n)
{
	struct snap_node *sn;
	int *vc, *vp, rc;
	DROVE_CHECK_ARG(s && (n == 0 || (vcores && physical)));
	if ((rc = snap_node(s, node, &sn)) < 0 ||
	    (rc = copy_ids(vcores, n, &vc, "vcoreMap", node)) < 0)
		return rc;
	if (!(vp = malloc((n ? n : 1) * sizeof(int)))) {
		free(vc);
		return drove__enomem();
	}
	/* keep the pairs: sort (vcore, physical) by vcore */
	for (size_t i = 0; i < n; i++) {
		if (physical[i] < 0) {
			free(vc);
			free(vp);
			return drove__error(DROVE_EINVAL,
			                    "vcoreMap[%d]: physical core %d is negative", node,
			                    physical[i]);
		}
		int *at = bsearch(&vcores[i], vc, n, sizeof(int), cmp_int);
		vp[at - vc] = physical[i];
	}
	free(sn->vc);
	free(sn->vp);
	sn->vc = vc;
	sn->vp = vp;
	sn->nv = n;
	return 0;
}

/* ---- hashing: executor ids and tags (open addressing, entries are index + 1) ---- */

static uint64_t hstr(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

int drove__sched_find(const drove_sched *s, const char *id, uint32_t *slot_out)
{
	if (!s->hashcap)
		return DROVE_ENOTFOUND;
	size_t mask = s->hashcap - 1, i = hstr(id) & mask;
	for (; s->hash[i]; i = (i + 1) & mask) {
		uint32_t slot = s->hash[i] - 1;
		if (strcmp(s->execs[slot].id, id) == 0) {
			*slot_out = slot;
			return 0;
		}
	}
	return DROVE_ENOTFOUND;
}

static int hash_rebuild(drove_sched *s, size_t cap)
{
	uint32_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return drove__enomem();
	for (size_t k = 0; k < s->nexecs; k++) {
		size_t i = hstr(s->execs[k].id) & (cap - 1);
		while (t[i])
			i = (i + 1) & (cap - 1);
		t[i] = (uint32_t)k + 1;
	}
	free(s->hash);
	s->hash = t;
	s->hashcap = cap;
	return 0;
}

const struct sched_taglist *drove__sched_taglist(const drove_sched *s, const char *tag)
{
	if (!s->taghashcap)
		return NULL;
	size_t mask = s->taghashcap - 1, i = hstr(tag) & mask;
	for (; s->taghash[i]; i = (i + 1) & mask)
		if (strcmp(s->tags[s->taghash[i] - 1].tag, tag) == 0)
			return &s->tags[s->taghash[i] - 1];
	return NULL;
}

static int tagtab_rebuild(drove_sched *s, size_t cap)
{
	uint32_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return drove__enomem();
	for (size_t k = 0; k < s->ntags; k++) {
		size_t i = hstr(s->tags[k].tag) & (cap - 1);
		while (t[i])
			i = (i + 1) & (cap - 1);
		t[i] = (uint32_t)k + 1;
	}
	free(s->taghash);
	s->taghash = t;
	s->taghashcap = cap;
	return 0;
}

static int taglist_get(drove_sched *s, const char *tag, struct sched_taglist **out)
{
	struct sched_taglist *l = (struct sched_taglist *)drove__sched_taglist(s, tag);
	int rc;
	if (l) {
		*out = l;
		return 0;
	}
	if ((s->ntags + 1) * 2 > s->taghashcap &&
	    (rc = tagtab_rebuild(s, s->taghashcap ? s->taghashcap * 2 : 64)) < 0)
		return rc;
	if ((rc = drove__grow(&s->tags, &s->captags, s->ntags + 1, sizeof(*s->tags))) < 0)
		return rc;
	l = &s->tags[s->ntags];
	memset(l, 0, sizeof(*l));
	if (!(l->tag = drove__strdup(tag)))
		return DROVE_ENOMEM;
	s->ntags++;
	size_t i = hstr(tag) & (s->taghashcap - 1);
	while (s->taghash[i])
		i = (i + 1) & (s->taghashcap - 1);
	s->taghash[i] = (uint32_t)s->ntags;
	*out = l;
	return 0;
}

static void taglist_remove(struct sched_taglist *l, uint32_t slot)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->slots[i] == slot) {
			memmove(&l->slots[i], &l->slots[i + 1], (l->n - i - 1) * sizeof(uint32_t));
			l->n--;
			return;
		}
}

bool drove__sched_exec_has_tag(const struct sched_exec *e, const char *tag)
{
	for (size_t i = 0; i < e->ntags; i++)
		if (strcmp(e->tags[i], tag) == 0)
			return true;
	return false;
}

/* ---- the scheduler ---- */

static void node_clear(struct sched_node *n)
{
	free(n->ids);
	free(n->phys);
	free(n->free);
	free(n->used);
}

static void exec_clear_view(struct sched_exec *e)
{
	for (size_t i = 0; i < e->nnodes; i++)
		node_clear(&e->nodes[i]);
	free(e->nodes);
	e->nodes = NULL;
	e->nnodes = 0;
}

static void lock_free(struct sched_lock *l)
{
	free(l->cores);
}

void drove_sched_free(drove_sched *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nexecs; k++) {
		struct sched_exec *e = &s->execs[k];
		free(e->id);
		free(e->hostname);
		for (size_t i = 0; i < e->ntags; i++)
			free(e->tags[i]);
		free(e->tags);
		drove_strmap_free(e->meta);
		exec_clear_view(e);
		for (size_t i = 0; i < e->nlocks; i++)
			lock_free(&e->locks[i]);
		free(e->locks);
	}
	free(s->execs);
	free(s->hash);
	for (int k = 0; k < SCHED_NIDX; k++)
		for (int b = 0; b < DROVE_SCHED_NBUCKETS; b++)
			free(s->idx[k].b[b].items);
	for (size_t i = 0; i < s->ntags; i++) {
		free(s->tags[i].tag);
		free(s->tags[i].slots);
	}
	free(s->tags);
	free(s->taghash);
	for (size_t i = 0; i < s->nstrategies; i++)
		free(s->strategies[i].name);
	free(s->strategies);
	free(s);
}

void drove_sched_set_time(drove_sched *s, int64_t now_ms)
{
	if (s)
		s->fixed_now = now_ms;
}

int64_t drove__sched_now(const drove_sched *s)
{
	return s->fixed_now ? s->fixed_now : drove_time_wall_ms();
}

size_t drove_sched_executor_count(const drove_sched *s)
{
	return s ? s->nlive : 0;
}

/* ---- the bucket index ---- */

static inline struct sched_node *item_node(drove_sched *s, uint32_t item)
{
	return &s->execs[item >> 6].nodes[item & 63];
}

static void bidx_remove(drove_sched *s, struct sched_node *n)
{
	if (n->idx < 0)
		return;
	struct sched_bidx *x = &s->idx[(int)n->idx];
	struct sched_bucket *b = &x->b[n->bucket];
	uint32_t last = b->items[--b->n];
	if (n->pos != b->n) {
		b->items[n->pos] = last;
		item_node(s, last)->pos = n->pos;
	}
	if (b->n == 0)
		x->nonempty[n->bucket / 64] &= ~(1ULL << (n->bucket % 64));
	x->total--;
	n->idx = -1;
}

static int index_class(const struct sched_exec *e)
{
	if (!e->live)
		return -1;
	if (e->state == DROVE_EXECUTOR_ACTIVE)
		return 0 + (e->tagged ? 1 : 0);
	if (e->state == DROVE_EXECUTOR_UNREADY)
		return 2 + (e->tagged ? 1 : 0);
	return -1;
}

void drove__sched_node_reindex(drove_sched *s, uint32_t slot, uint32_t ni)
{
	struct sched_exec *e = &s->execs[slot];
	struct sched_node *n = &e->nodes[ni];
	int k = index_class(e);
	uint16_t bucket = n->nfree >= DROVE_SCHED_NBUCKETS - 1 ? DROVE_SCHED_NBUCKETS - 1
	                                                       : (uint16_t)n->nfree;
	if (n->idx == k && n->bucket == bucket && k >= 0)
		return;
	bidx_remove(s, n);
	if (k < 0 || n->nfree == 0)
		return;
	struct sched_bidx *x = &s->idx[k];
	struct sched_bucket *b = &x->b[bucket];
	if (b->n == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : 16;
		uint32_t *it = realloc(b->items, ncap * sizeof(*it));
		if (!it)
			return; /* out of memory: the node stays out of the index until it changes
			         */
		b->items = it;
		b->cap = ncap;
	}
	n->idx = (int8_t)k;
	n->bucket = bucket;
	n->pos = b->n;
	b->items[b->n++] = slot << 6 | ni;
	x->nonempty[bucket / 64] |= 1ULL << (bucket % 64);
	x->total++;
}

void drove__sched_exec_reindex(drove_sched *s, uint32_t slot)
{
	struct sched_exec *e = &s->execs[slot];
	for (uint32_t i = 0; i < e->nnodes; i++)
		drove__sched_node_reindex(s, slot, i);
}

/* ---- executor updates ---- */

static int find_dense(const struct sched_node *n, int core)
{
	size_t lo = 0, hi = n->ncores;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n->ids[mid] < core)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n->ncores && n->ids[lo] == core ? (int)lo : -1;
}

int drove__sched_dense(const struct sched_node *n, int core)
{
	return find_dense(n, core);
}

static int merge_unique(const struct snap_node *sn, int **out, size_t *nout)
{
	size_t cap = sn->nfree + sn->nused + sn->nv, n = 0;
	int *all = malloc((cap ? cap : 1) * sizeof(int));
	if (!all)
		return drove__enomem();
	memcpy(all, sn->free, sn->nfree * sizeof(int));
	if (sn->nused)
		memcpy(all + sn->nfree, sn->used, sn->nused * sizeof(int));
	if (sn->nv)
		memcpy(all + sn->nfree + sn->nused, sn->vc, sn->nv * sizeof(int));
	qsort(all, cap, sizeof(int), cmp_int);
	for (size_t i = 0; i < cap; i++)
		if (n == 0 || all[i] != all[n - 1])
			all[n++] = all[i];
	*out = all;
	*nout = n;
	return 0;
}

static int build_node(const struct snap_node *sn, struct sched_node *n)
{
	size_t words;
	int rc;

	memset(n, 0, sizeof(*n));
	n->idx = -1;
	n->id = sn->id;
	for (size_t i = 0, j = 0; i < sn->nfree && j < sn->nused;) {
		if (sn->free[i] == sn->used[j])
			return drove__error(DROVE_EINVAL,
			                    "numa node %d: core %d is both free and used", sn->id,
			                    sn->free[i]);
		if (sn->free[i] < sn->used[j])
			i++;
		else
			j++;
	}
	size_t nc = 0;
	if ((rc = merge_unique(sn, &n->ids, &nc)) < 0)
		return rc;
	n->ncores = (uint32_t)nc;
	words = (nc + 63) / 64;
	if (!(n->free = calloc(words ? words : 1, 8)) || !(n->used = calloc(words ? words : 1, 8)))
		return drove__enomem();
	for (size_t i = 0; i < sn->nfree; i++) {
		int d = find_dense(n, sn->free[i]);
		n->free[d / 64] |= 1ULL << (d % 64);
	}
	for (size_t i = 0; i < sn->nused; i++) {
		int d = find_dense(n, sn->used[i]);
		n->used[d / 64] |= 1ULL << (d % 64);
	}
	n->nfree = (uint32_t)sn->nfree;
	if (sn->nv) {
		if (!(n->phys = malloc(nc * sizeof(int))))
			return drove__enomem();
		for (size_t i = 0; i < nc; i++)
			n->phys[i] = n->ids[i];
		for (size_t i = 0; i < sn->nv; i++)
			n->phys[find_dense(n, sn->vc[i])] = sn->vp[i];
	}
	n->free_mb = sn->free_mb;
	n->used_mb = sn->used_mb;
	n->layout_cores = sn->has_layout ? (uint32_t)sn->nlayout : (uint32_t)nc;
	n->layout_mb = sn->has_layout ? sn->layout_mb : sn->free_mb + sn->used_mb;
	return 0;
}

static struct sched_node *node_by_id(struct sched_exec *e, int id)
{
	for (size_t i = 0; i < e->nnodes; i++)
		if (e->nodes[i].id == id)
			return &e->nodes[i];
	return NULL;
}

/* Re-apply soft locks newer than the snapshot (docs/scheduler.md, "Soft locks"). */
static void reapply_locks(struct sched_exec *e, int64_t snap_ms)
{
	size_t keep = 0;
	for (size_t i = 0; i < e->nlocks; i++) {
		struct sched_lock *l = &e->locks[i];
		struct sched_node *n = l->time_ms >= snap_ms ? node_by_id(e, l->node_id) : NULL;
		bool all_free = n != NULL, all_used = n != NULL;
		for (uint32_t c = 0; n && c < l->ncores; c++) {
			int d = find_dense(n, l->cores[c]);
			bool f = d >= 0 && (n->free[d / 64] >> (d % 64) & 1);
			bool u = d >= 0 && (n->used[d / 64] >> (d % 64) & 1);
			all_free = all_free && f;
			all_used = all_used && u;
		}
		if (n && all_free && n->free_mb >= l->mb) {
			for (uint32_t c = 0; c < l->ncores; c++) {
				int d = find_dense(n, l->cores[c]);
				n->free[d / 64] &= ~(1ULL << (d % 64));
			}
			n->nfree -= l->ncores;
			n->free_mb -= l->mb;
			e->locks[keep++] = *l;
			continue;
		}
		/* older than the snapshot, confirmed (all used) or contradicted: the snapshot
		 * is the truth now */
		(void)all_used;
		lock_free(l);
	}
	e->nlocks = keep;
}

static int set_tags(drove_sched *s, uint32_t slot, const drove_sched_snapshot *snap)
{
	struct sched_exec *e = &s->execs[slot];
	bool same = e->ntags == snap->ntags;
	int rc;
	for (size_t i = 0; same && i < snap->ntags; i++)
		same = strcmp(e->tags[i], snap->tags[i]) == 0;
	if (same && e->live)
		return 0;
	char **nt = calloc(snap->ntags ? snap->ntags : 1, sizeof(char *));
	if (!nt)
		return drove__enomem();
	for (size_t i = 0; i < snap->ntags; i++)
		if (!(nt[i] = drove__strdup(snap->tags[i]))) {
			for (size_t j = 0; j < i; j++)
				free(nt[j]);
			free(nt);
			return DROVE_ENOMEM;
		}
	/* make sure every new tag has a list with room before changing anything */
	for (size_t i = 0; i < snap->ntags; i++) {
		struct sched_taglist *l;
		if ((rc = taglist_get(s, snap->tags[i], &l)) < 0 ||
		    (rc = drove__grow(&l->slots, &l->cap, l->n + 1, sizeof(uint32_t))) < 0) {
			for (size_t j = 0; j < snap->ntags; j++)
				free(nt[j]);
			free(nt);
			return rc;
		}
	}
	for (size_t i = 0; i < e->ntags; i++) {
		if (e->live)
			taglist_remove((struct sched_taglist *)drove__sched_taglist(s, e->tags[i]),
			               slot);
		free(e->tags[i]);
	}
	free(e->tags);
	e->tags = nt;
	e->ntags = snap->ntags;
	e->tagged = false;
	for (size_t i = 0; i < snap->ntags; i++) {
		struct sched_taglist *l = (struct sched_taglist *)drove__sched_taglist(s, nt[i]);
		l->slots[l->n++] = slot;
		if (strcmp(nt[i], snap->host) != 0)
			e->tagged = true;
	}
	return 0;
}

int drove_sched_executor_update(drove_sched *s, const drove_sched_snapshot *snap)
{
	struct sched_node *nodes = NULL;
	drove_strmap *meta = NULL;
	char *host = NULL;
	uint32_t slot;
	size_t i;
	int rc;

	DROVE_CHECK_ARG(s && snap);
	if (!(nodes = calloc(snap->nnodes ? snap->nnodes : 1, sizeof(*nodes))))
		return drove__enomem();
	for (i = 0; i < snap->nnodes; i++)
		if ((rc = build_node(&snap->nodes[i], &nodes[i])) < 0) {
			i++;
			goto fail;
		}
	if ((rc = drove_strmap_new(&meta)) < 0)
		goto fail;
	for (size_t k = 0; k < drove_strmap_count(snap->meta); k++)
		if ((rc = drove_strmap_set(meta, drove_strmap_key(snap->meta, k),
		                           drove_strmap_value(snap->meta, k))) < 0)
			goto fail;
	if (!(host = drove__strdup(snap->host))) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	if (drove__sched_find(s, snap->id, &slot) < 0) {
		if (s->nexecs >= (1u << 25)) {
			rc = drove__error(DROVE_EINVAL, "executors: more than %u", 1u << 25);
			goto fail;
		}
		if ((s->nexecs + 1) * 2 > s->hashcap &&
		    (rc = hash_rebuild(s, s->hashcap ? s->hashcap * 2 : 64)) < 0)
			goto fail;
		if ((rc = drove__grow(&s->execs, &s->capexecs, s->nexecs + 1, sizeof(*s->execs))) <
		    0)
			goto fail;
		slot = (uint32_t)s->nexecs;
		memset(&s->execs[slot], 0, sizeof(s->execs[0]));
		if (!(s->execs[slot].id = drove__strdup(snap->id))) {
			rc = DROVE_ENOMEM;
			goto fail;
		}
		s->nexecs++;
		size_t mask = s->hashcap - 1, h = hstr(snap->id) & mask;
		while (s->hash[h])
			h = (h + 1) & mask;
		s->hash[h] = slot + 1;
	}
	if ((rc = set_tags(s, slot, snap)) < 0)
		goto fail;

	struct sched_exec *e = &s->execs[slot];
	for (size_t k = 0; k < e->nnodes; k++)
		bidx_remove(s, &e->nodes[k]);
	exec_clear_view(e);
	/* nodes sorted by id, so "first fitting node" follows node order as in Drove */
	for (size_t a = 1; a < snap->nnodes; a++)
		for (size_t b = a; b > 0 && nodes[b - 1].id > nodes[b].id; b--) {
			struct sched_node t = nodes[b];
			nodes[b] = nodes[b - 1];
			nodes[b - 1] = t;
		}
	e->nodes = nodes;
	e->nnodes = snap->nnodes;
	free(e->hostname);
	e->hostname = host;
	drove_strmap_free(e->meta);
	e->meta = meta;
	e->port = snap->port;
	e->state = snap->state;
	if (!e->live)
		s->nlive++;
	e->live = true;
	e->snap_ms = snap->time_ms ? snap->time_ms : drove__sched_now(s);
	reapply_locks(e, e->snap_ms);
	e->total_free = 0;
	for (size_t k = 0; k < e->nnodes; k++)
		e->total_free += e->nodes[k].nfree;
	drove__sched_exec_reindex(s, slot);
	return 0;
fail:
	for (size_t k = 0; k < i && k < snap->nnodes; k++)
		node_clear(&nodes[k]);
	free(nodes);
	drove_strmap_free(meta);
	free(host);
	return rc;
}

int drove_sched_executor_set_state(drove_sched *s, const char *id, int state)
{
	uint32_t slot;
	DROVE_CHECK_ARG(s && id);
	if (state < DROVE_EXECUTOR_UNREADY || state > DROVE_EXECUTOR_REMOVED)
		return drove__error(DROVE_EINVAL, "executorState: %d is not a state", state);
	if (drove__sched_find(s, id, &slot) < 0 || !s->execs[slot].live)
		return drove__error(DROVE_ENOTFOUND, "executor %s: not in the view", id);
	s->execs[slot].state = state;
	drove__sched_exec_reindex(s, slot);
	return 0;
}

int drove_sched_executor_remove(drove_sched *s, const char *id)
{
	uint32_t slot;
	DROVE_CHECK_ARG(s && id);
	if (drove__sched_find(s, id, &slot) < 0 || !s->execs[slot].live)
		return drove__error(DROVE_ENOTFOUND, "executor %s: not in the view", id);
	struct sched_exec *e = &s->execs[slot];
	for (size_t k = 0; k < e->nnodes; k++)
		bidx_remove(s, &e->nodes[k]);
	exec_clear_view(e);
	for (size_t i = 0; i < e->ntags; i++) {
		taglist_remove((struct sched_taglist *)drove__sched_taglist(s, e->tags[i]), slot);
		free(e->tags[i]);
	}
	free(e->tags);
	e->tags = NULL;
	e->ntags = 0;
	for (size_t i = 0; i < e->nlocks; i++)
		lock_free(&e->locks[i]);
	e->nlocks = 0;
	e->live = false;
	e->total_free = 0;
	s->nlive--;
	return 0;
}

int drove_sched_executor_node_free(const drove_sched *s, const char *id, int node, int *free_cores,
                                   int64_t *free_mb)
{
	uint32_t slot;
	DROVE_CHECK_ARG(s && id);
	if (drove__sched_find(s, id, &slot) < 0 || !s->execs[slot].live)
		return drove__error(DROVE_ENOTFOUND, "executor %s: not in the view", id);
	struct sched_node *n = node_by_id(&s->execs[slot], node);
	if (!n)
		return drove__error(DROVE_ENOTFOUND, "executor %s: no numa node %d", id, node);
	if (free_cores)
		*free_cores = (int)n->nfree;
	if (free_mb)
		*free_mb = n->free_mb;
	return 0;
}
