/* Scheduler: view, policies, NUMA allocation, soft locks, sessions, plans, §3.7 check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include <drove/sched.h>
#include "core/internal.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_sched *s;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	drove_ctx_set_seed(ctx, 42);
	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	drove_sched_set_time(s, 1000);
}

static void teardown(void)
{
	drove_sched_free(s);
	drove_ctx_free(ctx);
}

/* An executor with `nnodes` nodes of `cores` cores each (ids node*cores ..), `mb` per node.
 * `tags` is a NULL-terminated list or NULL. */
static void add_exec_full(const char *id, int nnodes, int cores, int64_t mb, int state,
                          const char *const *tags, int64_t t)
{
	drove_sched_snapshot *snap;
	char host[64];
	snprintf(host, sizeof(host), "host-%s", id);
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, host, 3000), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_state(snap, state), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_time(snap, t), 0);
	for (int n = 0; n < nnodes; n++) {
		int ids[256];
		for (int c = 0; c < cores; c++)
			ids[c] = n * cores + c;
		ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, n, ids, (size_t)cores),
		                 0);
		ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, n, mb, 0), 0);
		ck_assert_int_eq(drove_sched_snapshot_set_layout(snap, n, ids, (size_t)cores, mb),
		                 0);
	}
	for (; tags && *tags; tags++)
		ck_assert_int_eq(drove_sched_snapshot_add_tag(snap, *tags), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

static void add_exec(const char *id, int nnodes, int cores, int64_t mb)
{
	add_exec_full(id, nnodes, cores, mb, DROVE_EXECUTOR_ACTIVE, NULL, 0);
}

static drove_sched_alloc *place_ok(drove_sched_session *sess, const drove_sched_policy *p,
                                   int cores, int64_t mb)
{
	drove_sched_alloc *a = NULL;
	int rc = drove_sched_place(s, sess, p, cores, mb, &a);
	ck_assert_msg(rc == 0, "place failed: %s", drove_error_last()->message);
	ck_assert_ptr_nonnull(a);
	return a;
}

static int node_free(const char *id, int node)
{
	int fc = -1;
	ck_assert_int_eq(drove_sched_executor_node_free(s, id, node, &fc, NULL), 0);
	return fc;
}

/* ---- allocation and NUMA ---- */

START_TEST(test_place_exact_cores_one_node)
{
	drove_sched_alloc *a;
	add_exec("e1", 2, 8, 1000);
	a = place_ok(NULL, NULL, 3, 100);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "e1");
	ck_assert_str_eq(drove_sched_alloc_hostname(a), "host-e1");
	ck_assert_uint_eq(drove_sched_alloc_core_count(a), 3);
	int node = drove_sched_alloc_node(a);
	/* the first free cores of the node, ascending */
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(drove_sched_alloc_core(a, i), node * 8 + (int)i);
		ck_assert_int_eq(drove_sched_alloc_physical_core(a, i), node * 8 + (int)i);
	}
	ck_assert_int_eq(drove_sched_alloc_core(a, 3), -1);
	ck_assert_int_eq(drove_sched_alloc_mb(a), 100);
	ck_assert_int_eq(node_free("e1", node), 5);
	int64_t mb;
	ck_assert_int_eq(drove_sched_executor_node_free(s, "e1", node, NULL, &mb), 0);
	ck_assert_int_eq(mb, 900);
	drove_sched_alloc_free(a);
}
END_TEST

START_TEST(test_numa_never_spans_and_exhaustion_message)
{
	drove_sched_alloc *a, *b, *c = NULL;
	add_exec("e1", 2, 4, 1000);
	/* 4 + 4 free on two nodes: a 5-core instance cannot span them */
	drove_assert_error(drove_sched_place(s, NULL, NULL, 5, 10, &c), DROVE_ENORESOURCE,
	                   "no ACTIVE executor has 5 free cores on one NUMA node; largest free "
	                   "block: 4 cores on executor e1 node 0");
	ck_assert_ptr_null(c);
	a = place_ok(NULL, NULL, 3, 10);
	b = place_ok(NULL, NULL, 3, 10);
	ck_assert_int_ne(drove_sched_alloc_node(a), drove_sched_alloc_node(b));
	drove_assert_error(drove_sched_place(s, NULL, NULL, 2, 10, &c), DROVE_ENORESOURCE,
	                   "largest free block: 1 cores on executor e1 node 0");
	c = place_ok(NULL, NULL, 1, 10);
	drove_sched_alloc_free(c);
	c = place_ok(NULL, NULL, 1, 10);
	drove_sched_alloc_free(c);
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, 10, &c), DROVE_ENORESOURCE,
	                   "largest free block: 0 cores");
	drove_sched_alloc_free(a);
	drove_sched_alloc_free(b);
}
END_TEST

START_TEST(test_memory_stays_on_the_node)
{
	drove_sched_alloc *a, *c = NULL;
	add_exec("e1", 2, 8, 1000);
	/* 1500 MB fits the executor (2000) but no single node */
	drove_assert_error(
	        drove_sched_place(s, NULL, NULL, 1, 1500, &c), DROVE_ENORESOURCE,
	        "no ACTIVE executor has 1 free cores and 1500 MB free on one NUMA node; "
	        "most memory on a node with 1 free cores: 1000 MB on executor e1 node 0");
	a = place_ok(NULL, NULL, 1, 1000);
	int other = 1 - drove_sched_alloc_node(a);
	c = place_ok(NULL, NULL, 1, 600);
	ck_assert_int_eq(drove_sched_alloc_node(c), other);
	drove_sched_alloc_free(c);
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, 600, &c), DROVE_ENORESOURCE,
	                   "400 MB on executor e1");
	drove_sched_alloc_free(a);
}
END_TEST

START_TEST(test_no_executors_message)
{
	drove_sched_alloc *a = NULL;
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, 1, &a), DROVE_ENORESOURCE,
	                   "no ACTIVE executor in the cluster (0 known)");
	drove_assert_error(drove_sched_place(s, NULL, NULL, 0, 1, &a), DROVE_EINVAL,
	                   "resources.cpu.count: 0 is below 1");
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, -1, &a), DROVE_EINVAL,
	                   "sizeInMB: -1 is negative");
}
END_TEST

START_TEST(test_overprovisioned_vcores)
{
	/* physical cores 2,3 with multiplier 2 -> p = 3, v-cores (c+1)*3 + i, i = 1..2 */
	drove_sched_snapshot *snap;
	int vc[4] = {10, 11, 13, 14}, ph[4] = {2, 2, 3, 3}, phys[2] = {2, 3};
	drove_sched_alloc *a;
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, "ov", "ovhost", 3000), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, vc, 4), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_vcore_map(snap, 0, vc, ph, 4), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_layout(snap, 0, phys, 2, 512), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 0, 1024, 0), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
	a = place_ok(NULL, NULL, 3, 100);
	ck_assert_int_eq(drove_sched_alloc_core(a, 0), 10);
	ck_assert_int_eq(drove_sched_alloc_core(a, 1), 11);
	ck_assert_int_eq(drove_sched_alloc_core(a, 2), 13);
	ck_assert_int_eq(drove_sched_alloc_physical_core(a, 0), 2);
	ck_assert_int_eq(drove_sched_alloc_physical_core(a, 1), 2);
	ck_assert_int_eq(drove_sched_alloc_physical_core(a, 2), 3);
	drove_sched_alloc_free(a);
	/* §3.7 uses the physical layout: 2 physical cores per node */
	ck_assert_int_eq(drove_sched_check_resources(s, NULL, 1, 10, 1), 0);
}
END_TEST

START_TEST(test_large_vcore_ids_and_os_cores)
{
	/* osCores 0 and 1 removed by the executor: ids start at 2; big sparse v-core ids */
	drove_sched_snapshot *snap;
	int ids[3] = {2, 700001, 1 << 29};
	drove_sched_alloc *a;
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, "big", "bighost", 3000), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 3, ids, 3), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 3, 100, 0), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
	a = place_ok(NULL, NULL, 3, 10);
	ck_assert_int_eq(drove_sched_alloc_node(a), 3);
	ck_assert_int_eq(drove_sched_alloc_core(a, 0), 2);
	ck_assert_int_eq(drove_sched_alloc_core(a, 2), 1 << 29);
	drove_sched_alloc_free(a);
}
END_TEST

START_TEST(test_snapshot_validation)
{
	drove_sched_snapshot *snap;
	int dup[2] = {1, 1}, ok[2] = {1, 2}, bad[1] = {-3};
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, "x", "h", 1), 0);
	drove_assert_error(drove_sched_snapshot_set_free_cores(snap, 0, dup, 2), DROVE_EINVAL,
	                   "freeCores[0]: core id 1 appears twice");
	drove_assert_error(drove_sched_snapshot_set_free_cores(snap, 0, bad, 1), DROVE_EINVAL,
	                   "core id -3 is outside");
	drove_assert_error(drove_sched_snapshot_set_free_cores(snap, 5000, ok, 2), DROVE_EINVAL,
	                   "numa node: 5000 is outside 0..1023");
	drove_assert_error(drove_sched_snapshot_set_state(snap, 9), DROVE_EINVAL,
	                   "executorState: 9 is not a state");
	drove_assert_error(drove_sched_snapshot_set_memory(snap, 0, -1, 0), DROVE_EINVAL,
	                   "freeMemory[0]: -1 MB is negative");
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, ok, 2), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_used_cores(snap, 0, ok, 1), 0);
	drove_assert_error(drove_sched_executor_update(s, snap), DROVE_EINVAL,
	                   "numa node 0: core 1 is both free and used");
	ck_assert_uint_eq(drove_sched_executor_count(s), 0);
	drove_sched_snapshot_free(snap);
	drove_assert_error(drove_sched_snapshot_new(&snap, "", "h", 1), DROVE_EINVAL,
	                   "executorId: must not be empty");
}
END_TEST

/* ---- states ---- */

START_TEST(test_states)
{
	drove_sched_session *app, *ls;
	drove_sched_alloc *a = NULL;
	add_exec_full("u", 1, 4, 100, DROVE_EXECUTOR_UNREADY, NULL, 0);
	add_exec_full("br", 1, 4, 100, DROVE_EXECUTOR_BLACKLIST_REQUESTED, NULL, 0);
	add_exec_full("bl", 1, 4, 100, DROVE_EXECUTOR_BLACKLISTED, NULL, 0);
	ck_assert_int_eq(drove_sched_session_new(&app, s, DROVE_KIND_APP, "A-1"), 0);
	ck_assert_int_eq(drove_sched_session_new(&ls, s, DROVE_KIND_LOCAL_SERVICE, "L-1"), 0);
	drove_assert_error(drove_sched_place(s, app, NULL, 1, 1, &a), DROVE_ENORESOURCE,
	                   "no ACTIVE executor in the cluster (3 known)");
	a = place_ok(ls, NULL, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "u");
	drove_sched_alloc_free(a);
	/* blacklisting the only usable one leaves nothing for local services either */
	ck_assert_int_eq(drove_sched_executor_set_state(s, "u", DROVE_EXECUTOR_BLACKLISTED), 0);
	drove_assert_error(drove_sched_place(s, ls, NULL, 1, 1, &a), DROVE_ENORESOURCE,
	                   "no ACTIVE or UNREADY executor in the cluster");
	/* un-blacklisting makes it ACTIVE: apps go there */
	ck_assert_int_eq(drove_sched_executor_set_state(s, "bl", DROVE_EXECUTOR_ACTIVE), 0);
	a = place_ok(app, NULL, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "bl");
	drove_sched_alloc_free(a);
	drove_assert_error(drove_sched_executor_set_state(s, "nope", 1), DROVE_ENOTFOUND,
	                   "executor nope: not in the view");
	/* removal */
	ck_assert_int_eq(drove_sched_executor_remove(s, "bl"), 0);
	ck_assert_uint_eq(drove_sched_executor_count(s), 2);
	drove_assert_error(drove_sched_place(s, app, NULL, 1, 1, &a), DROVE_ENORESOURCE,
	                   "no ACTIVE executor");
	drove_assert_error(drove_sched_executor_remove(s, "bl"), DROVE_ENOTFOUND,
	                   "not in the view");
	/* it can come back */
	add_exec("bl", 1, 4, 100);
	ck_assert_uint_eq(drove_sched_executor_count(s), 3);
	a = place_ok(app, NULL, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "bl");
	drove_sched_alloc_free(a);
	drove_sched_session_free(app);
	drove_sched_session_free(ls);
}
END_TEST

/* ---- release, snapshots and soft locks ---- */

START_TEST(test_release_and_reallocate)
{
	drove_sched_alloc *a, *b;
	drove_sched_session *x;
	add_exec("e1", 1, 4, 100);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "A-1"), 0);
	a = place_ok(x, NULL, 4, 100);
	ck_assert_int_eq(drove_sched_session_count(x, "e1"), 1);
	ck_assert_int_eq(node_free("e1", 0), 0);
	ck_assert_int_eq(drove_sched_release(s, x, a), 0);
	ck_assert_int_eq(drove_sched_session_count(x, "e1"), 0);
	ck_assert_int_eq(node_free("e1", 0), 4);
	/* releasing twice is harmless */
	ck_assert_int_eq(drove_sched_release(s, NULL, a), 0);
	ck_assert_int_eq(node_free("e1", 0), 4);
	b = place_ok(x, NULL, 4, 100);
	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(drove_sched_alloc_core(a, i), drove_sched_alloc_core(b, i));
	drove_sched_alloc_free(a);
	drove_sched_alloc_free(b);
	drove_sched_session_free(x);
}
END_TEST

static void snap_one(const char *id, const int *freec, size_t nf, const int *used, size_t nu,
                     int64_t free_mb, int64_t used_mb, int64_t t)
{
	drove_sched_snapshot *snap;
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, "h1", 3000), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, freec, nf), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_used_cores(snap, 0, used, nu), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 0, free_mb, used_mb), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_time(snap, t), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

START_TEST(test_soft_locks_and_snapshots)
{
	int all[4] = {0, 1, 2, 3}, rest[2] = {2, 3}, used[2] = {0, 1};
	drove_sched_alloc *a;
	int64_t mb;
	snap_one("e1", all, 4, NULL, 0, 1000, 0, 500);
	drove_sched_set_time(s, 1000);
	a = place_ok(NULL, NULL, 2, 100); /* soft lock on 0,1 at t=1000 */
	ck_assert_int_eq(node_free("e1", 0), 2);
	/* an older snapshot (taken before the allocation) does not drop the lock */
	snap_one("e1", all, 4, NULL, 0, 1000, 0, 900);
	ck_assert_int_eq(node_free("e1", 0), 2);
	ck_assert_int_eq(drove_sched_executor_node_free(s, "e1", 0, NULL, &mb), 0);
	ck_assert_int_eq(mb, 900);
	/* a newer snapshot showing the cores used confirms it: no double counting */
	snap_one("e1", rest, 2, used, 2, 900, 100, 1000);
	ck_assert_int_eq(node_free("e1", 0), 2);
	ck_assert_int_eq(drove_sched_executor_node_free(s, "e1", 0, NULL, &mb), 0);
	ck_assert_int_eq(mb, 900);
	/* the lock is settled: a later release does not hand the cores out again */
	ck_assert_int_eq(drove_sched_release(s, NULL, a), 0);
	ck_assert_int_eq(node_free("e1", 0), 2);
	drove_sched_alloc_free(a);

	/* a newer snapshot without the cores (start never happened) drops the lock */
	snap_one("e1", all, 4, NULL, 0, 1000, 0, 1100);
	drove_sched_set_time(s, 1200);
	a = place_ok(NULL, NULL, 4, 10);
	ck_assert_int_eq(node_free("e1", 0), 0);
	snap_one("e1", all, 4, NULL, 0, 1000, 0, 1300);
	ck_assert_int_eq(node_free("e1", 0), 4);
	drove_sched_alloc_free(a);
	/* snapshot time 0 means "now": it drops locks made before now */
	a = place_ok(NULL, NULL, 4, 10);
	drove_sched_set_time(s, 1500);
	snap_one("e1", all, 4, NULL, 0, 1000, 0, 0);
	ck_assert_int_eq(node_free("e1", 0), 4);
	drove_sched_alloc_free(a);
}
END_TEST

START_TEST(test_snapshot_replaces_view)
{
	int two[2] = {5, 6}, used[2] = {1, 2};
	drove_sched_alloc *a = NULL;
	add_exec("e1", 2, 8, 1000);
	ck_assert_int_eq(node_free("e1", 1), 8);
	/* one node now, with other ids */
	snap_one("e1", two, 2, used, 2, 50, 950, 0);
	ck_assert_int_eq(node_free("e1", 0), 2);
	ck_assert_int_eq(drove_sched_executor_node_free(s, "e1", 1, NULL, NULL), DROVE_ENOTFOUND);
	drove_assert_error(drove_sched_place(s, NULL, NULL, 3, 10, &a), DROVE_ENORESOURCE,
	                   "largest free block: 2 cores on executor e1 node 0");
	a = place_ok(NULL, NULL, 2, 50);
	ck_assert_int_eq(drove_sched_alloc_core(a, 0), 5);
	ck_assert_int_eq(drove_sched_alloc_core(a, 1), 6);
	drove_sched_alloc_free(a);
}
END_TEST

/* ---- policies ---- */

START_TEST(test_implicit_no_tag)
{
	static const char *const gpu[] = {"gpu", NULL};
	drove_sched_policy *any, *tag, *notag;
	drove_sched_alloc *a = NULL;
	add_exec_full("tagged", 1, 8, 1000, DROVE_EXECUTOR_ACTIVE, gpu, 0);
	ck_assert_int_eq(drove_sched_policy_any(&any), 0);
	ck_assert_int_eq(drove_sched_policy_match_tag(&tag, "gpu"), 0);
	ck_assert_int_eq(drove_sched_policy_no_tag(&notag), 0);
	drove_assert_error(drove_sched_place(s, NULL, any, 1, 1, &a), DROVE_ENORESOURCE,
	                   "the placement policy excluded all 1 ACTIVE executors with 1 free cores "
	                   "and 1 MB free on one NUMA node");
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, 1, &a), DROVE_ENORESOURCE,
	                   "policy excluded all 1");
	drove_assert_error(drove_sched_place(s, NULL, notag, 1, 1, &a), DROVE_ENORESOURCE,
	                   "policy excluded");
	a = place_ok(NULL, tag, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "tagged");
	drove_sched_alloc_free(a);
	add_exec("plain", 1, 8, 1000);
	for (int i = 0; i < 5; i++) {
		a = place_ok(NULL, any, 1, 1);
		ck_assert_str_eq(drove_sched_alloc_executor(a), "plain");
		drove_sched_alloc_free(a);
		a = place_ok(NULL, tag, 1, 1);
		ck_assert_str_eq(drove_sched_alloc_executor(a), "tagged");
		drove_sched_alloc_free(a);
	}
	/* hostname is a tag: MATCH_TAG(hostname) pins (and does not make it "tagged") */
	drove_sched_policy *pin;
	ck_assert_int_eq(drove_sched_policy_match_tag(&pin, "host-plain"), 0);
	a = place_ok(NULL, pin, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "plain");
	drove_sched_alloc_free(a);
	drove_sched_policy_free(pin);
	drove_sched_policy_free(any);
	drove_sched_policy_free(tag);
	drove_sched_policy_free(notag);
}
END_TEST

START_TEST(test_one_per_host_and_max_per_host)
{
	drove_sched_policy *one, *two;
	drove_sched_session *x, *y;
	drove_sched_alloc *a[8] = {0}, *z = NULL;
	add_exec("e1", 2, 8, 1000);
	add_exec("e2", 2, 8, 1000);
	add_exec("e3", 2, 8, 1000);
	ck_assert_int_eq(drove_sched_policy_one_per_host(&one), 0);
	ck_assert_int_eq(drove_sched_policy_max_per_host(&two, 2), 0);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "A-1"), 0);
	for (int i = 0; i < 3; i++)
		a[i] = place_ok(x, one, 1, 1);
	ck_assert_str_ne(drove_sched_alloc_executor(a[0]), drove_sched_alloc_executor(a[1]));
	ck_assert_str_ne(drove_sched_alloc_executor(a[0]), drove_sched_alloc_executor(a[2]));
	ck_assert_str_ne(drove_sched_alloc_executor(a[1]), drove_sched_alloc_executor(a[2]));
	drove_assert_error(drove_sched_place(s, x, one, 1, 1, &z), DROVE_ENORESOURCE,
	                   "the placement policy excluded all 3 ACTIVE executors");
	/* another deployable is not constrained by A-1's instances */
	ck_assert_int_eq(drove_sched_session_new(&y, s, DROVE_KIND_APP, "B-1"), 0);
	z = place_ok(y, one, 1, 1);
	drove_sched_alloc_free(z);
	drove_sched_session_free(y);
	/* MAX 2 per host in a fresh session: 6 fit on 3 hosts, the 7th does not */
	ck_assert_int_eq(drove_sched_session_new(&y, s, DROVE_KIND_APP, "C-1"), 0);
	drove_sched_alloc *m[7];
	for (int i = 0; i < 6; i++)
		m[i] = place_ok(y, two, 1, 1);
	ck_assert_int_eq(drove_sched_session_count(y, "e1"), 2);
	ck_assert_int_eq(drove_sched_session_count(y, "e2"), 2);
	ck_assert_int_eq(drove_sched_session_count(y, "e3"), 2);
	drove_assert_error(drove_sched_place(s, y, two, 1, 1, &z), DROVE_ENORESOURCE,
	                   "policy excluded all 3");
	for (int i = 0; i < 6; i++)
		drove_sched_alloc_free(m[i]);
	drove_sched_policy *bad = NULL;
	drove_assert_error(drove_sched_policy_max_per_host(&bad, 65), DROVE_EINVAL,
	                   "placementPolicy.max: 65 is outside 1..64");
	drove_assert_error(drove_sched_policy_max_per_host(&bad, 0), DROVE_EINVAL,
	                   "placementPolicy.max: 0 is outside 1..64");
	ck_assert_ptr_null(bad);
	for (int i = 0; i < 3; i++)
		drove_sched_alloc_free(a[i]);
	drove_sched_session_free(x);
	drove_sched_session_free(y);
	drove_sched_policy_free(one);
	drove_sched_policy_free(two);
}
END_TEST

START_TEST(test_session_seeded_with_existing)
{
	drove_sched_policy *one;
	drove_sched_session *x;
	drove_sched_alloc *a;
	add_exec("e1", 1, 8, 1000);
	add_exec("e2", 1, 8, 1000);
	ck_assert_int_eq(drove_sched_policy_one_per_host(&one), 0);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "A-1"), 0);
	ck_assert_int_eq(drove_sched_session_seed(x, "e1"), 0);
	drove_assert_error(drove_sched_session_seed(x, "gone"), DROVE_ENOTFOUND,
	                   "executor gone: not in the view");
	for (int i = 0; i < 10; i++) {
		drove_sched_plan *p;
		ck_assert_int_eq(drove_sched_plan_new(&p, s, x, 0, one, 1, 1, 1), 0);
		ck_assert_str_eq(drove_sched_plan_executor(p, 0), "e2");
		drove_sched_plan_free(p);
	}
	a = place_ok(x, one, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "e2");
	drove_sched_alloc_free(a);
	drove_sched_session_free(x);
	drove_sched_policy_free(one);
}
END_TEST

static drove_sched_policy *composite(int comb, drove_sched_policy *a, drove_sched_policy *b)
{
	drove_sched_policy *c;
	ck_assert_int_eq(drove_sched_policy_composite(&c, comb), 0);
	ck_assert_int_eq(drove_sched_policy_add(c, a), 0);
	if (b)
		ck_assert_int_eq(drove_sched_policy_add(c, b), 0);
	return c;
}

static drove_sched_policy *tagp(const char *t)
{
	drove_sched_policy *p;
	ck_assert_int_eq(drove_sched_policy_match_tag(&p, t), 0);
	return p;
}

START_TEST(test_composites)
{
	static const char *const ta[] = {"a", NULL}, *const tb[] = {"b", NULL},
	                         *const tab[] = {"a", "b", NULL};
	drove_sched_policy *or_ab, *and_ab, *nested, *one;
	drove_sched_session *x;
	drove_sched_alloc *a = NULL;
	add_exec_full("ea", 1, 8, 1000, DROVE_EXECUTOR_ACTIVE, ta, 0);
	add_exec_full("eb", 1, 8, 1000, DROVE_EXECUTOR_ACTIVE, tb, 0);
	add_exec_full("eab", 1, 8, 1000, DROVE_EXECUTOR_ACTIVE, tab, 0);
	add_exec("plain", 1, 8, 1000);
	or_ab = composite(DROVE_SCHED_OR, tagp("a"), tagp("b"));
	and_ab = composite(DROVE_SCHED_AND, tagp("a"), tagp("b"));
	for (int i = 0; i < 20; i++) {
		a = place_ok(NULL, or_ab, 1, 1);
		ck_assert_str_ne(drove_sched_alloc_executor(a), "plain");
		drove_sched_release(s, NULL, a);
		drove_sched_alloc_free(a);
		a = place_ok(NULL, and_ab, 1, 1);
		ck_assert_str_eq(drove_sched_alloc_executor(a), "eab");
		drove_sched_release(s, NULL, a);
		drove_sched_alloc_free(a);
	}
	/* AND(OR(a, b), ONE_PER_HOST): three hosts, then exhausted */
	ck_assert_int_eq(drove_sched_policy_one_per_host(&one), 0);
	nested = composite(DROVE_SCHED_AND, composite(DROVE_SCHED_OR, tagp("a"), tagp("b")), one);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "N-1"), 0);
	drove_sched_alloc *got[3];
	for (int i = 0; i < 3; i++) {
		got[i] = place_ok(x, nested, 1, 1);
		ck_assert_str_ne(drove_sched_alloc_executor(got[i]), "plain");
	}
	drove_assert_error(drove_sched_place(s, x, nested, 1, 1, &a), DROVE_ENORESOURCE,
	                   "policy excluded all 4");
	for (int i = 0; i < 3; i++)
		drove_sched_alloc_free(got[i]);
	/* a composite without MATCH_TAG/RULE is wrapped with NO_TAG: only "plain" */
	drove_sched_policy *anyc, *any1, *any2;
	ck_assert_int_eq(drove_sched_policy_any(&any1), 0);
	ck_assert_int_eq(drove_sched_policy_one_per_host(&any2), 0);
	anyc = composite(DROVE_SCHED_OR, any1, any2);
	a = place_ok(NULL, anyc, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "plain");
	drove_sched_alloc_free(a);
	/* empty composites, cycles and wrong parents are rejected */
	drove_sched_policy *empty, *leaf;
	ck_assert_int_eq(drove_sched_policy_composite(&empty, DROVE_SCHED_AND), 0);
	drove_assert_error(drove_sched_place(s, NULL, empty, 1, 1, &a), DROVE_EINVAL,
	                   "a COMPOSITE needs at least one member");
	drove_assert_error(drove_sched_policy_add(empty, empty), DROVE_EINVAL, "invalid argument");
	ck_assert_int_eq(drove_sched_policy_any(&leaf), 0);
	drove_assert_error(drove_sched_policy_add(leaf, empty), DROVE_EINVAL,
	                   "only a COMPOSITE takes members");
	ck_assert_int_eq(drove_sched_policy_add(empty, leaf), 0);
	drove_assert_error(drove_sched_policy_add(empty, leaf), DROVE_EINVAL,
	                   "already belongs to a composite");
	drove_assert_error(drove_sched_policy_composite(&leaf, 7), DROVE_EINVAL,
	                   "combiner: 7 is not AND or OR");
	drove_sched_policy_free(empty);
	drove_sched_policy_free(anyc);
	drove_sched_policy_free(nested);
	drove_sched_policy_free(or_ab);
	drove_sched_policy_free(and_ab);
	drove_sched_session_free(x);
}
END_TEST

START_TEST(test_composite_depth_and_cycle)
{
	drove_sched_policy *root, *cur, *leaf;
	ck_assert_int_eq(drove_sched_policy_composite(&root, DROVE_SCHED_AND), 0);
	cur = root;
	for (int i = 0; i < 15; i++) {
		drove_sched_policy *c;
		ck_assert_int_eq(drove_sched_policy_composite(&c, DROVE_SCHED_AND), 0);
		ck_assert_int_eq(drove_sched_policy_add(cur, c), 0);
		cur = c;
	}
	ck_assert_int_eq(drove_sched_policy_any(&leaf), 0);
	drove_assert_error(drove_sched_policy_add(cur, leaf), DROVE_EINVAL,
	                   "nesting deeper than 16");
	drove_assert_error(drove_sched_policy_add(cur, root), DROVE_EINVAL, "makes a cycle");
	drove_sched_policy_free(leaf);
	drove_sched_policy_free(root);
}
END_TEST

START_TEST(test_local_policy_and_rules)
{
	static const char *const gpu[] = {"gpu", NULL};
	drove_sched_snapshot *snap;
	drove_sched_policy *local, *rule, *rule2;
	drove_sched_session *x;
	drove_sched_alloc *a = NULL;
	add_exec_full("tagged", 1, 8, 1000, DROVE_EXECUTOR_ACTIVE, gpu, 0);
	for (int i = 0; i < 4; i++) {
		char id[8];
		int ids[4] = {0, 1, 2, 3};
		snprintf(id, sizeof(id), "r%d", i);
		ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, id, 3000), 0);
		ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, ids, 4), 0);
		ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 0, 100, 0), 0);
		ck_assert_int_eq(
		        drove_sched_snapshot_set_metadata(snap, "rack", i < 2 ? "r1" : "r2"), 0);
		ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
		drove_sched_snapshot_free(snap);
	}
	ck_assert_int_eq(drove_sched_policy_local(&local, 1), 0);
	a = place_ok(NULL, local, 1, 1);
	ck_assert_str_ne(drove_sched_alloc_executor(a), "tagged");
	drove_sched_release(s, NULL, a);
	drove_sched_alloc_free(a);
	ck_assert_int_eq(
	        drove_sched_policy_rule(&rule,
	                                "\"/allocatedExecutorNodeMetadata/rack\" == \"r2\" "
	                                "&& \"/applicationEnvironment/ZONE\" == 'z1'",
	                                "hope"),
	        0);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "R-1"), 0);
	drove_assert_error(drove_sched_place(s, x, rule, 1, 1, &a), DROVE_ENORESOURCE,
	                   "the placement policy excluded all 5");
	ck_assert_int_eq(drove_sched_session_set_env(x, "ZONE", "z1"), 0);
	for (int i = 0; i < 10; i++) {
		a = place_ok(x, rule, 1, 1);
		ck_assert(strcmp(drove_sched_alloc_executor(a), "r2") == 0 ||
		          strcmp(drove_sched_alloc_executor(a), "r3") == 0);
		drove_sched_release(s, x, a);
		drove_sched_alloc_free(a);
	}
	/* RULE_BASED switches off the implicit NO_TAG: a rule can select tagged hosts */
	ck_assert_int_eq(drove_sched_policy_rule_hope(&rule2, "\"/executorNodeId\" == \"tagged\""),
	                 0);
	a = place_ok(x, rule2, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "tagged");
	drove_sched_alloc_free(a);
	drove_sched_policy_free(rule2);
	/* allExecutorMetadata: keep away from racks already used in this session */
	ck_assert_int_eq(drove_sched_policy_rule_hope(
	                         &rule2, "\"/allocatedExecutorNodeMetadata/rack\" == 'r1' && "
	                                 "!\"/allExecutorMetadata/r0\""),
	                 0);
	drove_sched_session_free(x);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "R-2"), 0);
	ck_assert_int_eq(drove_sched_session_seed(x, "r0"), 0);
	for (int i = 0; i < 5; i++) {
		drove_sched_plan *p;
		ck_assert_int_eq(drove_sched_plan_new(&p, s, x, 0, rule2, 1, 1, 1), 0);
		ck_assert_uint_eq(drove_sched_plan_placed(p), 0);
		ck_assert_ptr_nonnull(strstr(drove_sched_plan_reason(p), "policy excluded"));
		drove_sched_plan_free(p);
	}
	drove_sched_session_free(x);
	ck_assert_int_eq(drove_sched_session_new(&x, s, DROVE_KIND_APP, "R-3"), 0);
	ck_assert_int_eq(drove_sched_session_seed(x, "r1"), 0);
	a = place_ok(x, rule2, 1, 1);
	ck_assert(strcmp(drove_sched_alloc_executor(a), "r0") == 0 ||
	          strcmp(drove_sched_alloc_executor(a), "r1") == 0);
	drove_sched_alloc_free(a);
	drove_sched_session_free(x);
	drove_sched_policy_free(rule2);
	drove_sched_policy_free(rule);
	drove_sched_policy_free(local);
}
END_TEST

/* ---- strategies and determinism ---- */

static void fill_two(void)
{
	int c8[8] = {0, 1, 2, 3, 4, 5, 6, 7};
	drove_sched_snapshot *snap;
	/* "full": node 0 has 2 free, node 1 has 8; "empty": 8 and 8 */
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, "full", "full", 1), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, c8, 2), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_used_cores(snap, 0, c8 + 2, 6), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 0, 100, 0), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 1, c8, 8), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 1, 100, 0), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, "empty", "empty", 1), 0);
	for (int n = 0; n < 2; n++) {
		ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, n, c8, 8), 0);
		ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, n, 100, 0), 0);
	}
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

START_TEST(test_best_fit_and_spread)
{
	drove_sched_alloc *a;
	fill_two();
	ck_assert_str_eq(drove_sched_strategy_name(s), "random-first-fit");
	ck_assert_int_eq(drove_sched_set_strategy(s, DROVE_SCHED_BEST_FIT), 0);
	ck_assert_str_eq(drove_sched_strategy_name(s), "best-fit");
	for (int i = 0; i < 5; i++) {
		a = place_ok(NULL, NULL, 2, 1);
		ck_assert_str_eq(drove_sched_alloc_executor(a), "full");
		ck_assert_int_eq(drove_sched_alloc_node(a), 0);
		drove_sched_release(s, NULL, a);
		drove_sched_alloc_free(a);
	}
	ck_assert_int_eq(drove_sched_set_strategy(s, DROVE_SCHED_SPREAD), 0);
	ck_assert_str_eq(drove_sched_strategy_name(s), "spread");
	/* spread: 8-free nodes first: "full" node 1 and "empty" nodes; never full node 0 */
	for (int i = 0; i < 5; i++) {
		a = place_ok(NULL, NULL, 2, 1);
		ck_assert(!(strcmp(drove_sched_alloc_executor(a), "full") == 0 &&
		            drove_sched_alloc_node(a) == 0));
		drove_sched_release(s, NULL, a);
		drove_sched_alloc_free(a);
	}
	drove_assert_error(drove_sched_set_strategy(s, 17), DROVE_EINVAL,
	                   "strategy: 17 is not registered");
}
END_TEST

static int64_t prefer_node1(const char *exec, int node, int free_cores, int64_t free_mb,
                            int exec_free, void *ud)
{
	(*(int *)ud)++;
	(void)free_cores;
	(void)free_mb;
	(void)exec_free;
	return (strcmp(exec, "full") == 0 ? 0 : 10) + (node == 1 ? 0 : 1);
}

START_TEST(test_custom_strategy)
{
	int calls = 0, id = -1;
	drove_sched_alloc *a;
	fill_two();
	ck_assert_int_eq(drove_sched_strategy_register(s, "mine", prefer_node1, &calls, &id), 0);
	ck_assert_int_eq(id, 3);
	drove_assert_error(drove_sched_strategy_register(s, "mine", prefer_node1, &calls, &id),
	                   DROVE_EINVAL, "strategy mine: already registered");
	ck_assert_int_eq(drove_sched_set_strategy(s, id), 0);
	ck_assert_str_eq(drove_sched_strategy_name(s), "mine");
	a = place_ok(NULL, NULL, 1, 1);
	ck_assert_str_eq(drove_sched_alloc_executor(a), "full");
	ck_assert_int_eq(drove_sched_alloc_node(a), 1);
	ck_assert_int_eq(calls, 4); /* every candidate node was scored */
	drove_sched_alloc_free(a);
}
END_TEST

static void run_sequence(uint64_t seed, char out[50][16])
{
	drove_sched_set_time(s, 1);
	drove_ctx_set_seed(ctx, seed);
	for (int i = 0; i < 50; i++) {
		drove_sched_alloc *a = place_ok(NULL, NULL, 1 + i % 3, 1);
		snprintf(out[i], 16, "%s/%d/%d", drove_sched_alloc_executor(a),
		         drove_sched_alloc_node(a), drove_sched_alloc_core(a, 0));
		drove_sched_alloc_free(a);
	}
}

START_TEST(test_deterministic_given_seed)
{
	char a[50][16], b[50][16], c[50][16];
	char id[8];
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "x%02d", i);
		add_exec(id, 2, 8, 1000);
	}
	run_sequence(7, a);
	teardown();
	setup();
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "x%02d", i);
		add_exec(id, 2, 8, 1000);
	}
	run_sequence(7, b);
	teardown();
	setup();
	for (int i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "x%02d", i);
		add_exec(id, 2, 8, 1000);
	}
	run_sequence(8, c);
	int same = 1, differ = 0;
	for (int i = 0; i < 50; i++) {
		same &= strcmp(a[i], b[i]) == 0;
		differ |= strcmp(a[i], c[i]) != 0;
	}
	ck_assert(same);
	ck_assert(differ);
}
END_TEST

START_TEST(test_random_first_fit_spreads_over_candidates)
{
	int hits[10] = {0};
	char id[8];
	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "x%d", i);
		add_exec(id, 1, 64, 100000);
	}
	for (int i = 0; i < 400; i++) {
		drove_sched_alloc *a = place_ok(NULL, NULL, 1, 1);
		hits[drove_sched_alloc_executor(a)[1] - '0']++;
		drove_sched_release(s, NULL, a);
		drove_sched_alloc_free(a);
	}
	for (int i = 0; i < 10; i++)
		ck_assert_msg(hits[i] > 10, "executor x%d chosen %d times of 400", i, hits[i]);
}
END_TEST

/* ---- plans and the §3.7 check ---- */

START_TEST(test_plan_changes_nothing)
{
	drove_sched_plan *p;
	drove_sched_policy *one;
	add_exec("e1", 2, 4, 1000);
	add_exec("e2", 2, 4, 1000);
	ck_assert_int_eq(drove_sched_policy_one_per_host(&one), 0);
	ck_assert_int_eq(drove_sched_plan_new(&p, s, NULL, DROVE_KIND_APP, NULL, 2, 10, 8), 0);
	ck_assert_uint_eq(drove_sched_plan_requested(p), 8);
	ck_assert_uint_eq(drove_sched_plan_placed(p), 8);
	ck_assert_ptr_null(drove_sched_plan_reason(p));
	for (size_t i = 0; i < 8; i++) {
		ck_assert_ptr_nonnull(drove_sched_plan_executor(p, i));
		ck_assert_uint_eq(drove_sched_plan_core_count(p, i), 2);
		ck_assert_int_ge(drove_sched_plan_node(p, i), 0);
		ck_assert_int_ge(drove_sched_plan_core(p, i, 1), 0);
	}
	ck_assert_ptr_null(drove_sched_plan_executor(p, 8));
	drove_sched_plan_free(p);
	ck_assert_int_eq(node_free("e1", 0), 4);
	ck_assert_int_eq(node_free("e2", 1), 4);
	/* more than fits: stops with the reason */
	ck_assert_int_eq(drove_sched_plan_new(&p, s, NULL, DROVE_KIND_APP, NULL, 3, 10, 5), 0);
	ck_assert_uint_eq(drove_sched_plan_placed(p), 4);
	ck_assert_str_eq(drove_sched_plan_reason(p),
	                 "no ACTIVE executor has 3 free cores on one NUMA node; largest free "
	                 "block: 1 cores on executor e1 node 0");
	drove_sched_plan_free(p);
	/* policy in plan */
	ck_assert_int_eq(drove_sched_plan_new(&p, s, NULL, DROVE_KIND_APP, one, 1, 10, 3), 0);
	ck_assert_uint_eq(drove_sched_plan_placed(p), 2);
	ck_assert_str_ne(drove_sched_plan_executor(p, 0), drove_sched_plan_executor(p, 1));
	ck_assert_ptr_nonnull(strstr(drove_sched_plan_reason(p), "policy excluded all 2"));
	drove_sched_plan_free(p);
	for (int n = 0; n < 2; n++) {
		ck_assert_int_eq(node_free("e1", n), 4);
		ck_assert_int_eq(node_free("e2", n), 4);
	}
	drove_sched_policy_free(one);
}
END_TEST

START_TEST(test_check_resources_messages)
{
	static const char *const gpu[] = {"gpu", NULL};
	drove_sched_policy *tag;
	drove_assert_error(drove_sched_check_resources(s, NULL, 1, 1, 1), DROVE_ENORESOURCE,
	                   "No executors on cluster");
	ck_assert_str_eq(drove_error_last()->message, "No executors on cluster");
	add_exec_full("u", 2, 16, 1000, DROVE_EXECUTOR_UNREADY, NULL, 0);
	drove_assert_error(drove_sched_check_resources(s, NULL, 1, 1, 1), DROVE_ENORESOURCE,
	                   "No executors on cluster");
	add_exec("e1", 2, 4, 1000);
	add_exec_full("g", 2, 8, 4000, DROVE_EXECUTOR_ACTIVE, gpu, 0);
	ck_assert_int_eq(drove_sched_check_resources(s, NULL, 2, 100, 4), 0);
	drove_sched_check_resources(s, NULL, 2, 100, 5);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Cluster does not have enough CPU. Required: 10 Available: 8");
	drove_sched_check_resources(s, NULL, 1, 500, 5);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Cluster does not have enough Memory. Required: 2500 Available: 2000");
	ck_assert_int_eq(drove_sched_check_resources(s, NULL, 5, 1, 1), DROVE_ENORESOURCE);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Required cores exceeds the maximum core available on a single NUMA node "
	                 "in the cluster. Required: 5 Max: 4");
	drove_sched_check_resources(s, NULL, 1, INT64_MAX / 2, 5);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "not have enough Memory"));
	drove_assert_error(drove_sched_check_resources(s, NULL, 0, 1, 1), DROVE_EINVAL,
	                   "resources.cpu.count: 0 is below 1");
	/* MATCH_TAG counts only the tagged executor (no implicit NO_TAG) */
	ck_assert_int_eq(drove_sched_policy_match_tag(&tag, "gpu"), 0);
	ck_assert_int_eq(drove_sched_check_resources(s, tag, 8, 4000, 2), 0);
	drove_sched_check_resources(s, tag, 9, 1, 1);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Required cores exceeds the maximum core available on a single NUMA node "
	                 "in the cluster. Required: 9 Max: 8");
	drove_sched_check_resources(s, tag, 8, 1, 3);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Cluster does not have enough CPU. Required: 24 Available: 16");
	drove_sched_policy_free(tag);
}
END_TEST

Suite *sched_suite(void)
{
	Suite *su = suite_create("sched");
	TCase *tc = tcase_create("allocation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_place_exact_cores_one_node);
	tcase_add_test(tc, test_numa_never_spans_and_exhaustion_message);
	tcase_add_test(tc, test_memory_stays_on_the_node);
	tcase_add_test(tc, test_no_executors_message);
	tcase_add_test(tc, test_overprovisioned_vcores);
	tcase_add_test(tc, test_large_vcore_ids_and_os_cores);
	tcase_add_test(tc, test_snapshot_validation);
	suite_add_tcase(su, tc);

	tc = tcase_create("view");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_states);
	tcase_add_test(tc, test_release_and_reallocate);
	tcase_add_test(tc, test_soft_locks_and_snapshots);
	tcase_add_test(tc, test_snapshot_replaces_view);
	suite_add_tcase(su, tc);

	tc = tcase_create("policies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_implicit_no_tag);
	tcase_add_test(tc, test_one_per_host_and_max_per_host);
	tcase_add_test(tc, test_session_seeded_with_existing);
	tcase_add_test(tc, test_composites);
	tcase_add_test(tc, test_composite_depth_and_cycle);
	tcase_add_test(tc, test_local_policy_and_rules);
	suite_add_tcase(su, tc);

	tc = tcase_create("strategies");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_best_fit_and_spread);
	tcase_add_test(tc, test_custom_strategy);
	tcase_add_test(tc, test_deterministic_given_seed);
	tcase_add_test(tc, test_random_first_fit_spreads_over_candidates);
	suite_add_tcase(su, tc);

	tc = tcase_create("plans");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plan_changes_nothing);
	tcase_add_test(tc, test_check_resources_messages);
	suite_add_tcase(su, tc);
	return su;
}
