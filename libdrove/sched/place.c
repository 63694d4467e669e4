/* Placement: strategies, sessions, soft-locked allocations, plans and the §3.7 check. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched_internal.h"

/* ---- sessions ---- */

int drove_sched_session_new(drove_sched_session **out, drove_sched *s, int kind,
                            const char *deployable_id)
{
	drove_sched_session *x;
	DROVE_CHECK_ARG(out && s && deployable_id);
	if (kind < DROVE_KIND_APP || kind > DROVE_KIND_LOCAL_SERVICE)
		return drove__error(DROVE_EINVAL, "kind: %d is not app, task or local service",
		                    kind);
	if (!(x = calloc(1, sizeof(*x))))
		return drove__enomem();
	x->s = s;
	x->kind = kind;
	if (!(x->deployable = drove__strdup(deployable_id)) || drove_strmap_new(&x->env) < 0) {
		drove_sched_session_free(x);
		return DROVE_ENOMEM;
	}
	*out = x;
	return 0;
}

void drove_sched_session_free(drove_sched_session *x)
{
	if (!x)
		return;
	free(x->deployable);
	free(x->counts);
	free(x->used);
	drove_strmap_free(x->env);
	free(x);
}

/* Make room to record one more instance on `slot` (so the commit cannot fail). */
static int session_reserve(drove_sched_session *x, uint32_t slot)
{
	int rc;
	if (slot >= x->ncounts) {
		size_t n = x->s->nexecs > slot + 1 ? x->s->nexecs : slot + 1;
		uint32_t *c = realloc(x->counts, n * sizeof(*c));
		if (!c)
			return drove__enomem();
		memset(c + x->ncounts, 0, (n - x->ncounts) * sizeof(*c));
		x->counts = c;
		x->ncounts = n;
	}
	if ((rc = drove__grow(&x->used, &x->capused, x->nused + 1, sizeof(*x->used))) < 0)
		return rc;
	return 0;
}

static void session_record(drove_sched_session *x, uint32_t slot)
{
	if (x->counts[slot]++ == 0)
		x->used[x->nused++] = slot;
}

static void session_forget(drove_sched_session *x, uint32_t slot)
{
	if (slot >= x->ncounts || x->counts[slot] == 0)
		return;
	if (--x->counts[slot] == 0)
		for (size_t i = 0; i < x->nused; i++)
			if (x->used[i] == slot) {
				memmove(&x->used[i], &x->used[i + 1],
				        (x->nused - i - 1) * sizeof(*x->used));
				x->nused--;
				break;
			}
}

int drove_sched_session_seed(drove_sched_session *x, const char *executor_id)
{
	uint32_t slot;
	int rc;
	DROVE_CHECK_ARG(x && executor_id);
	if (drove__sched_find(x->s, executor_id, &slot) < 0)
		return drove__error(DROVE_ENOTFOUND, "executor %s: not in the view", executor_id);
	if ((rc = session_reserve(x, slot)) < 0)
		return rc;
	session_record(x, slot);
	return 0;
}

int drove_sched_session_set_env(drove_sched_session *x, const char *key, const char *value)
{
	DROVE_CHECK_ARG(x && key && value);
	return drove_strmap_set(x->env, key, value);
}

int drove_sched_session_count(const drove_sched_session *x, const char *executor_id)
{
	uint32_t slot;
	if (!x || !executor_id || drove__sched_find(x->s, executor_id, &slot) < 0)
		return 0;
	return (int)drove__sched_session_count_slot(x, slot);
}

/* ---- candidates ---- */

static inline bool state_ok(const struct sched_query *q, const struct sched_exec *e)
{
	return e->live && (q->state_mask >> e->state & 1);
}

static inline bool candidate(struct sched_query *q, uint32_t slot, uint32_t ni)
{
	const struct sched_exec *e = &q->s->execs[slot];
	const struct sched_node *n = &e->nodes[ni];
	if (n->nfree < (uint32_t)q->cores || n->free_mb < q->mb || !state_ok(q, e))
		return false;
	if (q->notag_only && e->tagged)
		return false;
	return drove__sched_policy_eval(q->policy, q, slot);
}

/* Which bucket indexes can hold candidates: k = class * 2 + tagged. */
static int sources(const struct sched_query *q, int *ks)
{
	int n = 0;
	for (int k = 0; k < SCHED_NIDX; k++) {
		int cls = k / 2;
		if (cls == 0 && !(q->state_mask & (1 << DROVE_EXECUTOR_ACTIVE)))
			continue;
		if (cls == 1 && !(q->state_mask & (1 << DROVE_EXECUTOR_UNREADY)))
			continue;
		if ((k & 1) && q->notag_only)
			continue;
		ks[n++] = k;
	}
	return n;
}

static inline uint32_t bmin_of(int cores)
{
	return cores >= DROVE_SCHED_NBUCKETS - 1 ? DROVE_SCHED_NBUCKETS - 1 : (uint32_t)cores;
}

/* Next non-empty bucket >= b in index x, or NBUCKETS. */
static inline uint32_t next_bucket(const struct sched_bidx *x, uint32_t b)
{
	while (b < DROVE_SCHED_NBUCKETS) {
		uint64_t w = x->nonempty[b / 64] >> (b % 64);
		if (w)
			return b + (uint32_t)__builtin_ctzll(w);
		b = (b / 64 + 1) * 64;
	}
	return DROVE_SCHED_NBUCKETS;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* A start and a stride coprime with n: visits 0..n-1 once each, from a random place. */
static void perm_init(uint64_t r, uint64_t n, uint64_t *pos, uint64_t *stride)
{
	*pos = (r & 0xffffffffu) % n;
	*stride = n > 1 ? 1 + ((r >> 32) % (n - 1)) : 1;
	while (n > 1 && gcd64(*stride, n) != 1)
		*stride = *stride + 1 >= n ? 1 : *stride + 1;
}

/* ---- the tag path: a MATCH_TAG every candidate must pass ---- */

typedef bool (*visit_fn)(struct sched_query *q, uint32_t slot, uint32_t ni, void *ud);

/* Visit every candidate once (no order guarantee beyond a random start). */
static void scan_all(struct sched_query *q, uint64_t r, visit_fn fn, void *ud)
{
	if (q->req_tag) {
		const struct sched_taglist *l = drove__sched_taglist(q->s, q->req_tag);
		if (!l || !l->n)
			return;
		q->in_taglist = true;
		for (size_t i = 0, st = r % l->n; i < l->n; i++) {
			uint32_t slot = l->slots[(st + i) % l->n];
			for (uint32_t ni = 0; ni < q->s->execs[slot].nnodes; ni++)
				if (candidate(q, slot, ni) && fn(q, slot, ni, ud)) {
					q->in_taglist = false;
					return;
				}
		}
		q->in_taglist = false;
		return;
	}
	int ks[SCHED_NIDX], nk = sources(q, ks);
	for (int j = 0; j < nk; j++) {
		const struct sched_bidx *x = &q->s->idx[ks[j]];
		for (uint32_t b = next_bucket(x, bmin_of(q->cores)); b < DROVE_SCHED_NBUCKETS;
		     b = next_bucket(x, b + 1)) {
			const struct sched_bucket *bk = &x->b[b];
			for (uint32_t i = 0, st = (uint32_t)(r % bk->n); i < bk->n; i++) {
				uint32_t it = bk->items[(st + i) % bk->n];
				if (candidate(q, it >> 6, it & 63) && fn(q, it >> 6, it & 63, ud))
					return;
			}
		}
	}
}

struct best {
	bool found;
	int64_t score;
	struct sched_choice c;
	int mode; /* 0 first, 1 fewest free, 2 most free, 3 custom */
	const struct sched_strategy *st;
};

static bool visit_best(struct sched_query *q, uint32_t slot, uint32_t ni, void *ud)
{
	struct best *b = ud;
	const struct sched_exec *e = &q->s->execs[slot];
	const struct sched_node *n = &e->nodes[ni];
	int64_t sc = 0;
	switch (b->mode) {
	case 0:
		b->found = true;
		b->c.slot = slot;
		b->c.node = ni;
		return true;
	case 1:
		sc = n->nfree;
		break;
	case 2:
		sc = -(int64_t)n->nfree;
		break;
	default:
		sc = b->st->score(e->id, n->id, (int)n->nfree, n->free_mb, (int)e->total_free,
		                  b->st->ud);
		break;
	}
	if (!b->found || sc < b->score) {
		b->found = true;
		b->score = sc;
		b->c.slot = slot;
		b->c.node = ni;
	}
	return false;
}

/* Random first fit over a tag list: random start and stride over executors, first fitting
 * node of the first executor that passes (Drove's order within an executor). */
static int tag_first_fit(struct sched_query *q, struct sched_choice *out)
{
	const struct sched_taglist *l = drove__sched_taglist(q->s, q->req_tag);
	uint64_t pos, stride;
	if (!l || !l->n)
		return DROVE_ENORESOURCE;
	perm_init(drove__rand_u64(q->s->ctx), l->n, &pos, &stride);
	q->in_taglist = true;
	for (size_t i = 0; i < l->n; i++) {
		uint32_t slot = l->slots[pos];
		for (uint32_t ni = 0; ni < q->s->execs[slot].nnodes; ni++)
			if (candidate(q, slot, ni)) {
				q->in_taglist = false;
				out->slot = slot;
				out->node = ni;
				return 0;
			}
		pos += stride;
		if (pos >= l->n)
			pos -= l->n;
	}
	q->in_taglist = false;
	return DROVE_ENORESOURCE;
}

static int scan_select(struct sched_query *q, struct sched_choice *out, int mode,
                       const struct sched_strategy *st)
{
	struct best b = {false, 0, {0, 0}, mode, st};
	scan_all(q, drove__rand_u64(q->s->ctx), visit_best, &b);
	if (!b.found)
		return DROVE_ENORESOURCE;
	*out = b.c;
	return 0;
}

/* ---- built-in strategies ---- */

struct range {
	uint32_t start;
	uint16_t k, b;
};

static int select_random(struct sched_query *q, struct sched_choice *out, void *ud)
{
	struct range rg[SCHED_NIDX * DROVE_SCHED_NBUCKETS];
	int ks[SCHED_NIDX], nk;
	uint32_t nr = 0, total = 0;
	uint64_t pos, stride;

	(void)ud;
	if (q->req_tag)
		return tag_first_fit(q, out);
	nk = sources(q, ks);
	for (int j = 0; j < nk; j++) {
		const struct sched_bidx *x = &q->s->idx[ks[j]];
		for (uint32_t b = next_bucket(x, bmin_of(q->cores)); b < DROVE_SCHED_NBUCKETS;
		     b = next_bucket(x, b + 1)) {
			rg[nr].start = total;
			rg[nr].k = (uint16_t)ks[j];
			rg[nr].b = (uint16_t)b;
			nr++;
			total += x->b[b].n;
		}
	}
	if (!total)
		return DROVE_ENORESOURCE;
	perm_init(drove__rand_u64(q->s->ctx), total, &pos, &stride);
	for (uint32_t i = 0; i < total; i++) {
		uint32_t lo = 0, hi = nr;
		while (hi - lo > 1) {
			uint32_t mid = (lo + hi) / 2;
			if (rg[mid].start <= pos)
				lo = mid;
			else
				hi = mid;
		}
		uint32_t it = q->s->idx[rg[lo].k].b[rg[lo].b].items[pos - rg[lo].start];
		if (candidate(q, it >> 6, it & 63)) {
			out->slot = it >> 6;
			out->node = it & 63;
			return 0;
		}
		pos += stride;
		if (pos >= total)
			pos -= total;
	}
	return DROVE_ENORESOURCE;
}

/* Previous non-empty bucket <= b in index x, or -1. */
static inline int prev_bucket(const struct sched_bidx *x, int b)
{
	while (b >= 0) {
		uint64_t w = x->nonempty[b / 64] << (63 - b % 64);
		if (w)
			return b - __builtin_clzll(w);
		b = (b / 64) * 64 - 1;
	}
	return -1;
}

/* Buckets in order (ascending: best fit; descending: spread), random start within each. */
static int select_ordered(struct sched_query *q, struct sched_choice *out, bool ascending)
{
	int ks[SCHED_NIDX], nk;
	uint64_t r;
	if (q->req_tag)
		return scan_select(q, out, ascending ? 1 : 2, NULL);
	nk = sources(q, ks);
	r = drove__rand_u64(q->s->ctx);
	int bmin = (int)bmin_of(q->cores);
	int b = ascending ? bmin : DROVE_SCHED_NBUCKETS - 1;
	for (;;) {
		/* the nearest non-empty bucket over every source */
		int nb = ascending ? DROVE_SCHED_NBUCKETS : -1;
		for (int j = 0; j < nk; j++) {
			const struct sched_bidx *x = &q->s->idx[ks[j]];
			int c = ascending ? (int)next_bucket(x, (uint32_t)b) : prev_bucket(x, b);
			if (ascending ? c < nb : c > nb)
				nb = c;
		}
		if (nb < bmin || nb >= DROVE_SCHED_NBUCKETS)
			return DROVE_ENORESOURCE;
		for (int j = 0; j < nk; j++) {
			const struct sched_bucket *bk = &q->s->idx[ks[j]].b[nb];
			if (!bk->n)
				continue;
			for (uint32_t i = 0, st = (uint32_t)(r % bk->n); i < bk->n; i++) {
				uint32_t it = bk->items[(st + i) % bk->n];
				if (candidate(q, it >> 6, it & 63)) {
					out->slot = it >> 6;
					out->node = it & 63;
					return 0;
				}
			}
		}
		b = ascending ? nb + 1 : nb - 1;
	}
}

static int select_best(struct sched_query *q, struct sched_choice *out, void *ud)
{
	(void)ud;
	return select_ordered(q, out, true);
}

static int select_spread(struct sched_query *q, struct sched_choice *out, void *ud)
{
	(void)ud;
	return select_ordered(q, out, false);
}

static int select_custom(struct sched_query *q, struct sched_choice *out, void *ud)
{
	return scan_select(q, out, 3, ud);
}

static int add_strategy(drove_sched *s, const char *name, sched_select_fn fn,
                        drove_sched_score_fn score, void *ud, int *id_out)
{
	int rc;
	if ((rc = drove__grow(&s->strategies, &s->capstrategies, s->nstrategies + 1,
	                      sizeof(*s->strategies))) < 0)
		return rc;
	struct sched_strategy *st = &s->strategies[s->nstrategies];
	if (!(st->name = drove__strdup(name)))
		return DROVE_ENOMEM;
	st->select = fn;
	st->score = score;
	st->ud = ud;
	if (id_out)
		*id_out = (int)s->nstrategies;
	s->nstrategies++;
	return 0;
}

static int strategies_builtin(drove_sched *s)
{
	int rc;
	if ((rc = add_strategy(s, "random-first-fit", select_random, NULL, NULL, NULL)) < 0 ||
	    (rc = add_strategy(s, "best-fit", select_best, NULL, NULL, NULL)) < 0 ||
	    (rc = add_strategy(s, "spread", select_spread, NULL, NULL, NULL)) < 0)
		return rc;
	return 0;
}

/* The scheduler is built here, at the top of the module, because it starts with the
 * built-in strategies. */
int drove_sched_new(drove_sched **out, drove_ctx *ctx)
{
	drove_sched *s;
	DROVE_CHECK_ARG(out && ctx);
	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	s->ctx = ctx;
	s->next_lock = 1;
	if (strategies_builtin(s) < 0) {
		drove_sched_free(s);
		return DROVE_ENOMEM;
	}
	*out = s;
	return 0;
}

int drove_sched_strategy_register(drove_sched *s, const char *name, drove_sched_score_fn score,
                                  void *userdata, int *id_out)
{
	int rc, id;
	DROVE_CHECK_ARG(s && name && score && id_out);
	if (!*name)
		return drove__error(DROVE_EINVAL, "strategy name: must not be empty");
	for (size_t i = 0; i < s->nstrategies; i++)
		if (strcmp(s->strategies[i].name, name) == 0)
			return drove__error(DROVE_EINVAL, "strategy %s: already registered", name);
	if ((rc = add_strategy(s, name, select_custom, score, userdata, &id)) < 0)
		return rc;
	/* the custom strategy's ud is the strategy itself, found again by id at select time */
	s->strategies[id].ud = userdata;
	*id_out = id;
	return 0;
}

int drove_sched_set_strategy(drove_sched *s, int strategy)
{
	DROVE_CHECK_ARG(s);
	if (strategy < 0 || (size_t)strategy >= s->nstrategies)
		return drove__error(DROVE_EINVAL, "strategy: %d is not registered", strategy);
	s->strategy = strategy;
	return 0;
}

const char *drove_sched_strategy_name(const drove_sched *s)
{
	return s ? s->strategies[s->strategy].name : "";
}

static int run_strategy(struct sched_query *q, struct sched_choice *out)
{
	const struct sched_strategy *st = &q->s->strategies[q->s->strategy];
	/* custom strategies get their own record (name, score, userdata) */
	return st->select(q, out, st->score ? (void *)st : st->ud);
}

/* ---- diagnosis of a failed placement ---- */

static const char *state_words(const struct sched_query *q)
{
	return (q->state_mask & (1 << DROVE_EXECUTOR_UNREADY)) ? "ACTIVE or UNREADY" : "ACTIVE";
}

static int diagnose(struct sched_query *q)
{
	const drove_sched *s = q->s;
	size_t n_state = 0, fit_cores = 0, fit_both = 0;
	const struct sched_exec *blk_e = NULL, *mem_e = NULL;
	const struct sched_node *blk_n = NULL, *mem_n = NULL;

	for (size_t k = 0; k < s->nexecs; k++) {
		const struct sched_exec *e = &s->execs[k];
		bool fc = false, fb = false;
		if (!state_ok(q, e))
			continue;
		n_state++;
		for (size_t i = 0; i < e->nnodes; i++) {
			const struct sched_node *n = &e->nodes[i];
			if (!blk_n || n->nfree > blk_n->nfree) {
				blk_n = n;
				blk_e = e;
			}
			if (n->nfree >= (uint32_t)q->cores) {
				fc = true;
				if (!mem_n || n->free_mb > mem_n->free_mb) {
					mem_n = n;
					mem_e = e;
				}
				if (n->free_mb >= q->mb)
					fb = true;
			}
		}
		fit_cores += fc;
		fit_both += fb;
	}
	if (n_state == 0)
		return drove__error(DROVE_ENORESOURCE, "no %s executor in the cluster (%zu known)",
		                    state_words(q), s->nlive);
	if (fit_cores == 0) {
		if (!blk_n)
			return drove__error(DROVE_ENORESOURCE,
			                    "no %s executor has %d free cores on one NUMA node; no "
			                    "executor reports any NUMA node",
			                    state_words(q), q->cores);
		return drove__error(
		        DROVE_ENORESOURCE,
		        "no %s executor has %d free cores on one NUMA node; largest free "
		        "block: %u cores on executor %s node %d",
		        state_words(q), q->cores, blk_n->nfree, blk_e->id, blk_n->id);
	}
	if (fit_both == 0)
		return drove__error(DROVE_ENORESOURCE,
		                    "no %s executor has %d free cores and %" PRId64
		                    " MB free on one NUMA node; most memory on a node with %d free "
		                    "cores: %" PRId64 " MB on executor %s node %d",
		                    state_words(q), q->cores, q->mb, q->cores, mem_n->free_mb,
		                    mem_e->id, mem_n->id);
	return drove__error(DROVE_ENORESOURCE,
	                    "the placement policy excluded all %zu %s executors with %d free cores "
	                    "and %" PRId64 " MB free on one NUMA node",
	                    fit_both, state_words(q), q->cores, q->mb);
}

/* ---- placing ---- */

static int query_init(struct sched_query *q, drove_sched *s, const drove_sched_session *sess,
                      int kind, const drove_sched_policy *policy, int cores, int64_t mb)
{
	int rc;
	if (cores < 1)
		return drove__error(DROVE_EINVAL, "resources.cpu.count: %d is below 1", cores);
	if (mb < 0)
		return drove__error(DROVE_EINVAL,
		                    "resources.memory.sizeInMB: %" PRId64 " is negative", mb);
	if (policy && (rc = drove__sched_policy_validate(policy)) < 0)
		return rc;
	memset(q, 0, sizeof(*q));
	q->s = s;
	q->sess = sess;
	q->policy = policy;
	q->cores = cores;
	q->mb = mb;
	q->state_mask = 1 << DROVE_EXECUTOR_ACTIVE;
	if (kind == DROVE_KIND_LOCAL_SERVICE)
		q->state_mask |= 1 << DROVE_EXECUTOR_UNREADY;
	q->wrap_notag = !policy || !drove__sched_policy_targets(policy);
	if (policy)
		drove__sched_policy_requirements(policy, q);
	if (q->wrap_notag)
		q->notag_only = true;
	return 0;
}

/* Take the first `cores` free cores of the chosen node; records a soft lock. */
static int commit(drove_sched *s, drove_sched_session *sess, const struct sched_query *q,
                  const struct sched_choice *c, drove_sched_alloc **out)
{
	struct sched_exec *e = &s->execs[c->slot];
	struct sched_node *n = &e->nodes[c->node];
	drove_sched_alloc *a;
	int *lcores;
	int rc;

	if ((rc = drove__grow(&e->locks, &e->caplocks, e->nlocks + 1, sizeof(*e->locks))) < 0)
		return rc;
	if (sess && (rc = session_reserve(sess, c->slot)) < 0)
		return rc;
	size_t idlen = strlen(e->id) + 1, hlen = strlen(e->hostname) + 1;
	if (!(a = malloc(sizeof(*a) + 2 * (size_t)q->cores * sizeof(int) + idlen + hlen)))
		return drove__enomem();
	if (!(lcores = malloc((size_t)q->cores * sizeof(int)))) {
		free(a);
		return drove__enomem();
	}
	a->cores = (int *)(a + 1);
	a->phys = a->cores + q->cores;
	a->executor = (char *)(a->phys + q->cores);
	a->hostname = a->executor + idlen;
	memcpy(a->executor, e->id, idlen);
	memcpy(a->hostname, e->hostname, hlen);
	a->slot = c->slot;
	a->node = n->id;
	a->mb = q->mb;
	a->ncores = (uint32_t)q->cores;
	a->lock_id = s->next_lock++;

	uint32_t got = 0;
	size_t words = (n->ncores + 63) / 64;
	for (size_t w = 0; w < words && got < (uint32_t)q->cores; w++) {
		uint64_t bits = n->free[w];
		while (bits && got < (uint32_t)q->cores) {
			int bit = __builtin_ctzll(bits);
			size_t d = w * 64 + (size_t)bit;
			bits &= bits - 1;
			n->free[w] &= ~(1ULL << bit);
			a->cores[got] = n->ids[d];
			a->phys[got] = n->phys ? n->phys[d] : n->ids[d];
			lcores[got] = n->ids[d];
			got++;
		}
	}
	n->nfree -= got;
	n->free_mb -= q->mb;
	e->total_free -= got;
	struct sched_lock *l = &e->locks[e->nlocks++];
	l->id = a->lock_id;
	l->node_id = n->id;
	l->mb = q->mb;
	l->time_ms = drove__sched_now(s);
	l->ncores = got;
	l->cores = lcores;
	drove__sched_node_reindex(s, c->slot, c->node);
	if (sess)
		session_record(sess, c->slot);
	*out = a;
	return 0;
}

int drove_sched_place(drove_sched *s, drove_sched_session *sess, const drove_sched_policy *policy,
                      int cores, int64_t mb, drove_sched_alloc **out)
{
	struct sched_query q;
	struct sched_choice c;
	int rc;

	DROVE_CHECK_ARG(s && out);
	if (sess && sess->s != s)
		return drove__error(DROVE_EINVAL, "session: belongs to another scheduler");
	if ((rc = query_init(&q, s, sess, sess ? sess->kind : DROVE_KIND_APP, policy, cores, mb)) <
	    0)
		return rc;
	if (run_strategy(&q, &c) < 0)
		return diagnose(&q);
	return commit(s, sess, &q, &c, out);
}

static int release_lock(drove_sched *s, uint32_t slot, uint64_t lock_id)
{
	struct sched_exec *e = &s->execs[slot];
	for (size_t i = 0; i < e->nlocks; i++) {
		struct sched_lock *l = &e->locks[i];
		if (l->id != lock_id)
			continue;
		for (uint32_t ni = 0; ni < e->nnodes; ni++) {
			struct sched_node *n = &e->nodes[ni];
			if (n->id != l->node_id)
				continue;
			for (uint32_t k = 0; k < l->ncores; k++) {
				int d = drove__sched_dense(n, l->cores[k]);
				if (d >= 0 && !(n->free[d / 64] >> (d % 64) & 1)) {
					n->free[d / 64] |= 1ULL << (d % 64);
					n->nfree++;
					e->total_free++;
				}
			}
			n->free_mb += l->mb;
			drove__sched_node_reindex(s, slot, ni);
		}
		free(l->cores);
		e->locks[i] = e->locks[--e->nlocks];
		return 1;
	}
	return 0;
}

int drove_sched_release(drove_sched *s, drove_sched_session *sess, const drove_sched_alloc *a)
{
	DROVE_CHECK_ARG(s && a);
	if (a->slot >= s->nexecs || strcmp(s->execs[a->slot].id, a->executor) != 0)
		return drove__error(DROVE_EINVAL,
		                    "allocation: executor %s is not in this scheduler",
		                    a->executor);
	if (sess && sess->s != s)
		return drove__error(DROVE_EINVAL, "session: belongs to another scheduler");
	(void)release_lock(s, a->slot, a->lock_id);
	if (sess)
		session_forget(sess, a->slot);
	return 0;
}

/* ---- allocation getters ---- */

const char *drove_sched_alloc_executor(const drove_sched_alloc *a)
{
	return a ? a->executor : NULL;
}

const char *drove_sched_alloc_hostname(const drove_sched_alloc *a)
{
	return a ? a->hostname : NULL;
}

int drove_sched_alloc_node(const drove_sched_alloc *a)
{
	return a ? a->node : -1;
}

size_t drove_sched_alloc_core_count(const drove_sched_alloc *a)
{
	return a ? a->ncores : 0;
}

int drove_sched_alloc_core(const drove_sched_alloc *a, size_t i)
{
	return a && i < a->ncores ? a->cores[i] : -1;
}

int drove_sched_alloc_physical_core(const drove_sched_alloc *a, size_t i)
{
	return a && i < a->ncores ? a->phys[i] : -1;
}

int64_t drove_sched_alloc_mb(const drove_sched_alloc *a)
{
	return a ? a->mb : 0;
}

void drove_sched_alloc_free(drove_sched_alloc *a)
{
	free(a);
}

/* ---- plans ---- */

struct drove_sched_plan {
	size_t requested, placed;
	drove_sched_alloc **allocs;
	char *reason;
};

int drove_sched_plan_new(drove_sched_plan **out, drove_sched *s, const drove_sched_session *sess,
                         int kind, const drove_sched_policy *policy, int cores, int64_t mb,
                         size_t count)
{
	drove_sched_session *tmp = NULL;
	drove_sched_plan *p = NULL;
	struct sched_query q;
	int rc;

	DROVE_CHECK_ARG(out && s);
	if (sess && sess->s != s)
		return drove__error(DROVE_EINVAL, "session: belongs to another scheduler");
	if (count > 100000)
		return drove__error(DROVE_EINVAL, "count: %zu is above 100000", count);
	if ((rc = drove_sched_session_new(&tmp, s, sess ? sess->kind : kind,
	                                  sess ? sess->deployable : "plan")) < 0)
		return rc;
	if (sess) {
		for (size_t i = 0; i < sess->nused; i++)
			for (uint32_t k = 0; k < sess->counts[sess->used[i]]; k++) {
				if ((rc = session_reserve(tmp, sess->used[i])) < 0)
					goto fail;
				session_record(tmp, sess->used[i]);
			}
		for (size_t i = 0; i < drove_strmap_count(sess->env); i++)
			if ((rc = drove_strmap_set(tmp->env, drove_strmap_key(sess->env, i),
			                           drove_strmap_value(sess->env, i))) < 0)
				goto fail;
	}
	if ((rc = query_init(&q, s, tmp, tmp->kind, policy, cores, mb)) < 0)
		goto fail;
	if (!(p = calloc(1, sizeof(*p))) ||
	    !(p->allocs = calloc(count ? count : 1, sizeof(*p->allocs)))) {
		rc = drove__enomem();
		goto fail;
	}
	p->requested = count;
	for (; p->placed < count; p->placed++) {
		struct sched_choice c;
		if (run_strategy(&q, &c) < 0) {
			diagnose(&q);
			if (!(p->reason = drove__strdup(drove_error_last()->message))) {
				rc = DROVE_ENOMEM;
				goto fail;
			}
			break;
		}
		if ((rc = commit(s, tmp, &q, &c, &p->allocs[p->placed])) < 0)
			goto fail;
	}
	/* undo, newest first, so the view is as before */
	for (size_t i = p->placed; i-- > 0;)
		release_lock(s, p->allocs[i]->slot, p->allocs[i]->lock_id);
	drove_sched_session_free(tmp);
	drove_error_clear();
	*out = p;
	return 0;
fail:
	if (p)
		for (size_t i = p->placed; i-- > 0;)
			if (p->allocs[i])
				release_lock(s, p->allocs[i]->slot, p->allocs[i]->lock_id);
	drove_sched_plan_free(p);
	drove_sched_session_free(tmp);
	return rc;
}

void drove_sched_plan_free(drove_sched_plan *p)
{
	if (!p)
		return;
	if (p->allocs)
		for (size_t i = 0; i < p->requested; i++)
			free(p->allocs[i]);
	free(p->allocs);
	free(p->reason);
	free(p);
}

size_t drove_sched_plan_requested(const drove_sched_plan *p)
{
	return p ? p->requested : 0;
}

size_t drove_sched_plan_placed(const drove_sched_plan *p)
{
	return p ? p->placed : 0;
}

const char *drove_sched_plan_executor(const drove_sched_plan *p, size_t i)
{
	return p && i < p->placed ? p->allocs[i]->executor : NULL;
}

int drove_sched_plan_node(const drove_sched_plan *p, size_t i)
{
	return p && i < p->placed ? p->allocs[i]->node : -1;
}

size_t drove_sched_plan_core_count(const drove_sched_plan *p, size_t i)
{
	return p && i < p->placed ? p->allocs[i]->ncores : 0;
}

int drove_sched_plan_core(const drove_sched_plan *p, size_t i, size_t j)
{
	return p && i < p->placed ? drove_sched_alloc_core(p->allocs[i], j) : -1;
}

const char *drove_sched_plan_reason(const drove_sched_plan *p)
{
	return p ? p->reason : NULL;
}

/* ---- the §3.7 resource check ---- */

int drove_sched_check_resources(const drove_sched *s, const drove_sched_policy *policy, int cores,
                                int64_t mb, size_t count)
{
	size_t active = 0;
	int64_t free_cores = 0, free_mb = 0, max_node = 0;
	bool wrap;
	int rc;

	DROVE_CHECK_ARG(s);
	if (cores < 1)
		return drove__error(DROVE_EINVAL, "resources.cpu.count: %d is below 1", cores);
	if (mb < 0)
		return drove__error(DROVE_EINVAL,
		                    "resources.memory.sizeInMB: %" PRId64 " is negative", mb);
	if (count > 1000000)
		return drove__error(DROVE_EINVAL, "count: %zu is above 1000000", count);
	if (policy && (rc = drove__sched_policy_validate(policy)) < 0)
		return rc;
	wrap = !policy || !drove__sched_policy_targets(policy);
	for (size_t k = 0; k < s->nexecs; k++) {
		const struct sched_exec *e = &s->execs[k];
		if (!e->live || e->state != DROVE_EXECUTOR_ACTIVE)
			continue;
		active++;
		if ((wrap && e->tagged) || (policy && !drove__sched_policy_static(policy, e)))
			continue;
		for (size_t i = 0; i < e->nnodes; i++) {
			free_cores += e->nodes[i].nfree;
			free_mb += e->nodes[i].free_mb;
			if ((int64_t)e->nodes[i].layout_cores > max_node)
				max_node = e->nodes[i].layout_cores;
		}
	}
	if (active == 0)
		return drove__error(DROVE_ENORESOURCE, "No executors on cluster");
	if ((int64_t)cores * (int64_t)count > free_cores)
		return drove__error(DROVE_ENORESOURCE,
		                    "Cluster does not have enough CPU. Required: %" PRId64
		                    " Available: %" PRId64,
		                    (int64_t)cores * (int64_t)count, free_cores);
	if (count && mb > INT64_MAX / (int64_t)count)
		return drove__error(DROVE_ENORESOURCE,
		                    "Cluster does not have enough Memory. Required: %" PRId64
		                    " Available: %" PRId64,
		                    INT64_MAX, free_mb);
	if (mb * (int64_t)count > free_mb)
		return drove__error(DROVE_ENORESOURCE,
		                    "Cluster does not have enough Memory. Required: %" PRId64
		                    " Available: %" PRId64,
		                    mb * (int64_t)count, free_mb);
	if (cores > max_node)
		return drove__error(DROVE_ENORESOURCE,
		                    "Required cores exceeds the maximum core available on a single "
		                    "NUMA node in the cluster. Required: %d Max: %" PRId64,
		                    cores, max_node);
	return 0;
}
