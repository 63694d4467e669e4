/* Scheduler property test: thousands of random place / release / snapshot / state operations,
 * checked against an independent shadow model of the executors. Never a core allocated
 * twice, never more memory than a node has, and the view always equals the model. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include <drove/sched.h>
#include "harness.h"

#define NEXEC  8
#define NNODE  2
#define NCORE  8
#define NODEMB 1000
#define MAXA   4096

enum { SOFT, CONFIRMED, RELEASED_CONFIRMED, DEAD };

struct salloc {
	drove_sched_alloc *a;
	int exec, node, ncores, dense[8];
	int64_t mb, time;
	int status;
};

struct model {
	int owner[NEXEC][NNODE][NCORE]; /* alloc index holding the core, or -1 */
	int used[NEXEC][NNODE];
	int64_t used_mb[NEXEC][NNODE];
	int state[NEXEC];
	struct salloc al[MAXA];
	int nal;
};

static drove_ctx *ctx;
static drove_sched *s;
static struct model m;
static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* core ids are sparse, like v-cores: (c+1)*p + i style numbers */
static int core_id(int node, int c)
{
	return node * 1000 + (c + 1) * 3 + 1;
}

static void exec_name(int e, char *buf, size_t n)
{
	snprintf(buf, n, "exec-%d", e);
}

static void holds(int i, bool on)
{
	struct salloc *x = &m.al[i];
	for (int k = 0; k < x->ncores; k++) {
		int *o = &m.owner[x->exec][x->node][x->dense[k]];
		if (on) {
			ck_assert_msg(*o == -1, "core %d of exec-%d node %d allocated twice",
			              core_id(x->node, x->dense[k]), x->exec, x->node);
			*o = i;
		} else {
			ck_assert_int_eq(*o, i);
			*o = -1;
		}
	}
	m.used[x->exec][x->node] += on ? x->ncores : -x->ncores;
	m.used_mb[x->exec][x->node] += on ? x->mb : -x->mb;
	ck_assert_int_le(m.used_mb[x->exec][x->node], NODEMB);
}

/* The executor reports: cores of CONFIRMED allocations (and of ones it has not seen yet but
 * "started" now) are used; everything else is free. */
static void snapshot(int e, int64_t now)
{
	drove_sched_snapshot *snap;
	char id[32];
	int64_t t = now - (int64_t)(rnd() % 4);
	int freec[NNODE][NCORE], usedc[NNODE][NCORE], nf[NNODE] = {0}, nu[NNODE] = {0};
	int64_t umb[NNODE] = {0};

	for (int i = 0; i < m.nal; i++) {
		struct salloc *x = &m.al[i];
		if (x->exec != e)
			continue;
		if (x->status == SOFT) {
			bool started = rnd() % 2;
			if (started)
				x->status = CONFIRMED;
			else if (x->time < t) {
				x->status = DEAD; /* the start never happened: dropped */
				holds(i, false);
			}
		} else if (x->status == RELEASED_CONFIRMED) {
			x->status = DEAD; /* the executor stopped it */
			holds(i, false);
		}
		if (x->status == CONFIRMED)
			umb[x->node] += x->mb;
	}
	for (int n = 0; n < NNODE; n++)
		for (int c = 0; c < NCORE; c++) {
			int o = m.owner[e][n][c];
			if (o >= 0 && m.al[o].status == CONFIRMED)
				usedc[n][nu[n]++] = core_id(n, c);
			else
				freec[n][nf[n]++] = core_id(n, c);
		}
	exec_name(e, id, sizeof(id));
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, id, 1), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_state(snap, m.state[e]), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_time(snap, t), 0);
	for (int n = 0; n < NNODE; n++) {
		ck_assert_int_eq(
		        drove_sched_snapshot_set_free_cores(snap, n, freec[n], (size_t)nf[n]), 0);
		ck_assert_int_eq(
		        drove_sched_snapshot_set_used_cores(snap, n, usedc[n], (size_t)nu[n]), 0);
		ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, n, NODEMB - umb[n], umb[n]),
		                 0);
	}
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

static void check_view(void)
{
	char id[32];
	for (int e = 0; e < NEXEC; e++) {
		exec_name(e, id, sizeof(id));
		for (int n = 0; n < NNODE; n++) {
			int fc;
			int64_t fm;
			ck_assert_int_eq(drove_sched_executor_node_free(s, id, n, &fc, &fm), 0);
			ck_assert_msg(fc == NCORE - m.used[e][n],
			              "exec-%d node %d: view %d free, model %d", e, n, fc,
			              NCORE - m.used[e][n]);
			ck_assert_int_eq(fm, NODEMB - m.used_mb[e][n]);
		}
	}
}

static void place(int64_t now)
{
	drove_sched_alloc *a = NULL;
	int cores = 1 + (int)(rnd() % 5);
	int64_t mb = (int64_t)(rnd() % 400);
	int rc = drove_sched_place(s, NULL, NULL, cores, mb, &a);
	if (rc == DROVE_ENORESOURCE) {
		for (int e = 0; e < NEXEC; e++)
			for (int n = 0; n < NNODE; n++)
				ck_assert_msg(
				        m.state[e] != DROVE_EXECUTOR_ACTIVE ||
				                NCORE - m.used[e][n] < cores ||
				                NODEMB - m.used_mb[e][n] < mb,
				        "refused %d cores %lld MB but exec-%d node %d has room: %s",
				        cores, (long long)mb, e, n, drove_error_last()->message);
		return;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_lt(m.nal, MAXA);
	struct salloc *x = &m.al[m.nal];
	memset(x, 0, sizeof(*x));
	x->a = a;
	ck_assert_int_eq(sscanf(drove_sched_alloc_executor(a), "exec-%d", &x->exec), 1);
	ck_assert_int_eq(m.state[x->exec], DROVE_EXECUTOR_ACTIVE);
	x->node = drove_sched_alloc_node(a);
	x->ncores = (int)drove_sched_alloc_core_count(a);
	ck_assert_int_eq(x->ncores, cores);
	x->mb = mb;
	for (int k = 0; k < cores; k++) {
		int id = drove_sched_alloc_core(a, (size_t)k), d = -1;
		for (int c = 0; c < NCORE; c++)
			if (core_id(x->node, c) == id)
				d = c;
		ck_assert_msg(d >= 0, "core %d is not on node %d", id, x->node);
		x->dense[k] = d;
	}
	x->status = SOFT;
	x->time = now;
	holds(m.nal, true);
	m.nal++;
}

static void release(int64_t now)
{
	int live[MAXA], n = 0;
	(void)now;
	for (int i = 0; i < m.nal; i++)
		if (m.al[i].status == SOFT || m.al[i].status == CONFIRMED)
			live[n++] = i;
	if (!n)
		return;
	int i = live[rnd() % (uint64_t)n];
	struct salloc *x = &m.al[i];
	ck_assert_int_eq(drove_sched_release(s, NULL, x->a), 0);
	if (x->status == SOFT) {
		x->status = DEAD;
		holds(i, false);
	} else {
		x->status =
		        RELEASED_CONFIRMED; /* the executor frees it; the next snapshot says so */
	}
}

static void run(uint64_t seed, int strategy_mix)
{
	memset(&m, 0, sizeof(m));
	memset(m.owner, -1, sizeof(m.owner));
	rng = seed * 2654435761u + 1;
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	drove_ctx_set_seed(ctx, seed);
	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	for (int e = 0; e < NEXEC; e++) {
		m.state[e] = DROVE_EXECUTOR_ACTIVE;
		drove_sched_set_time(s, 5);
		snapshot(e, 5);
	}
	for (int64_t op = 0; op < 4000; op++) {
		int64_t now = 10 + op;
		drove_sched_set_time(s, now);
		if (strategy_mix)
			ck_assert_int_eq(drove_sched_set_strategy(s, (int)(op % 3)), 0);
		unsigned r = (unsigned)(rnd() % 100);
		if (r < 55) {
			place(now);
		} else if (r < 75) {
			release(now);
		} else if (r < 95) {
			snapshot((int)(rnd() % NEXEC), now);
		} else {
			int e = (int)(rnd() % NEXEC);
			char id[32];
			static const int states[] = {DROVE_EXECUTOR_ACTIVE, DROVE_EXECUTOR_UNREADY,
			                             DROVE_EXECUTOR_BLACKLIST_REQUESTED,
			                             DROVE_EXECUTOR_BLACKLISTED};
			m.state[e] = states[rnd() % 4 == 0 ? rnd() % 4 : 0];
			exec_name(e, id, sizeof(id));
			ck_assert_int_eq(drove_sched_executor_set_state(s, id, m.state[e]), 0);
		}
		check_view();
		if (m.nal > MAXA - 10) {
			/* compact: forget finished allocations */
			int k = 0;
			for (int i = 0; i < m.nal; i++) {
				if (m.al[i].status == DEAD) {
					drove_sched_alloc_free(m.al[i].a);
					continue;
				}
				m.al[k] = m.al[i];
				for (int c = 0; c < m.al[k].ncores; c++)
					m.owner[m.al[k].exec][m.al[k].node][m.al[k].dense[c]] = k;
				k++;
			}
			m.nal = k;
		}
	}
	for (int i = 0; i < m.nal; i++)
		drove_sched_alloc_free(m.al[i].a);
	drove_sched_free(s);
	drove_ctx_free(ctx);
}

START_TEST(test_random_ops_default_strategy)
{
	run(1, 0);
	run(2, 0);
}
END_TEST

START_TEST(test_random_ops_all_strategies)
{
	run(3, 1);
	run(4, 1);
}
END_TEST

Suite *sched_prop_suite(void)
{
	Suite *su = suite_create("sched_prop");
	TCase *tc = tcase_create("property");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_random_ops_default_strategy);
	tcase_add_test(tc, test_random_ops_all_strategies);
	suite_add_tcase(su, tc);
	return su;
}
