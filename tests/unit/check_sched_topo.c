/* Scheduler views built from synthetic hwloc topologies through the topo module: osCores,
 * over-provisioning maps, merged nodes (disableNUMAPinning) and NUMA boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include <drove/sched.h>
#include <drove/topo.h>
#include "harness.h"

static drove_ctx *ctx;
static drove_sched *s;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	drove_ctx_set_seed(ctx, 5);
	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	drove_sched_set_time(s, 1000);
}

static void teardown(void)
{
	drove_sched_free(s);
	drove_ctx_free(ctx);
}

/* What an executor reports for a fresh topology (§6.5): every offered core free, the layout
 * physical, the v-core map when over-provisioned. */
static drove_topo *add_from_topo(const char *id, const char *synthetic, const int *os_cores,
                                 size_t n_os, int multiplier, int merge)
{
	drove_topo_opts *o;
	drove_topo *t;
	drove_sched_snapshot *snap;

	ck_assert_int_eq(drove_topo_opts_new(&o), 0);
	ck_assert_int_eq(drove_topo_opts_set_synthetic(o, synthetic), 0);
	if (n_os)
		ck_assert_int_eq(drove_topo_opts_set_os_cores(o, os_cores, n_os), 0);
	if (multiplier > 1)
		ck_assert_int_eq(drove_topo_opts_set_overprovisioning(o, 1, multiplier, 1), 0);
	if (merge)
		ck_assert_int_eq(drove_topo_opts_set_disable_numa_pinning(o, 1), 0);
	ck_assert_msg(drove_topo_discover(&t, ctx, o) == 0, "discover: %s",
	              drove_error_last()->message);
	drove_topo_opts_free(o);

	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, id, 3000), 0);
	for (size_t i = 0; i < drove_topo_node_count(t); i++) {
		size_t nc = 0, np = 0;
		int node = drove_topo_node_id(t, i);
		const int *cores = drove_topo_node_cores(t, i, &nc);
		const int *phys = drove_topo_node_physical_cores(t, i, &np);
		ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, node, cores, nc), 0);
		ck_assert_int_eq(
		        drove_sched_snapshot_set_memory(snap, node, drove_topo_node_mb(t, i), 0),
		        0);
		ck_assert_int_eq(drove_sched_snapshot_set_layout(snap, node, phys, np,
		                                                 drove_topo_node_physical_mb(t, i)),
		                 0);
		if (drove_topo_is_overprovisioned(t)) {
			int *pm = malloc(nc * sizeof(int));
			for (size_t k = 0; k < nc; k++)
				pm[k] = drove_topo_physical_core(t, i, cores[k]);
			ck_assert_int_eq(
			        drove_sched_snapshot_set_vcore_map(snap, node, cores, pm, nc), 0);
			free(pm);
		}
	}
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
	return t;
}

static drove_sched_alloc *place_ok(int cores, int64_t mb)
{
	drove_sched_alloc *a = NULL;
	int rc = drove_sched_place(s, NULL, NULL, cores, mb, &a);
	ck_assert_msg(rc == 0, "place failed: %s", drove_error_last()->message);
	return a;
}

START_TEST(test_two_packages_numa_boundary)
{
	drove_topo *t =
	        add_from_topo("e1", "pack:2 numa:1(memory=32GiB) core:8 pu:1", NULL, 0, 1, 0);
	drove_sched_alloc *a, *b, *c = NULL;
	ck_assert_uint_eq(drove_topo_node_count(t), 2);
	drove_assert_error(drove_sched_place(s, NULL, NULL, 9, 100, &c), DROVE_ENORESOURCE,
	                   "no ACTIVE executor has 9 free cores on one NUMA node; largest free "
	                   "block: 8 cores on executor e1 node 0");
	a = place_ok(6, 1024);
	b = place_ok(6, 1024);
	ck_assert_int_ne(drove_sched_alloc_node(a), drove_sched_alloc_node(b));
	/* the cores belong to the node hwloc put them on */
	for (size_t k = 0; k < 6; k++) {
		size_t idx = (size_t)drove_topo_node_index(t, drove_sched_alloc_node(b));
		ck_assert_int_eq(drove_topo_physical_core(t, idx, drove_sched_alloc_core(b, k)),
		                 drove_sched_alloc_core(b, k));
	}
	drove_assert_error(drove_sched_place(s, NULL, NULL, 3, 1, &c), DROVE_ENORESOURCE,
	                   "largest free block: 2 cores");
	/* §3.7 sees the physical layout: 8 per node */
	ck_assert_int_eq(drove_sched_check_resources(s, NULL, 9, 1, 0), DROVE_ENORESOURCE);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Required cores exceeds the maximum core available on a single NUMA node "
	                 "in the cluster. Required: 9 Max: 8");
	drove_sched_alloc_free(a);
	drove_sched_alloc_free(b);
	drove_topo_free(t);
}
END_TEST

START_TEST(test_os_cores_never_allocated)
{
	int os[2] = {0, 8};
	drove_topo *t = add_from_topo("e1", "pack:2 numa:1 core:8 pu:1", os, 2, 1, 0);
	drove_sched_alloc *a[2], *c = NULL;
	/* 7 + 7 cores left */
	a[0] = place_ok(7, 1);
	a[1] = place_ok(7, 1);
	for (int i = 0; i < 2; i++)
		for (size_t k = 0; k < 7; k++) {
			int core = drove_sched_alloc_core(a[i], k);
			ck_assert_int_ne(core, 0);
			ck_assert_int_ne(core, 8);
		}
	drove_assert_error(drove_sched_place(s, NULL, NULL, 1, 1, &c), DROVE_ENORESOURCE,
	                   "largest free block: 0 cores");
	drove_sched_alloc_free(a[0]);
	drove_sched_alloc_free(a[1]);
	drove_topo_free(t);
}
END_TEST

START_TEST(test_overprovisioned_topology)
{
	drove_topo *t = add_from_topo("e1", "pack:2 numa:1 core:4 pu:1", NULL, 0, 2, 0);
	drove_sched_alloc *a;
	size_t n = 0;
	(void)drove_topo_node_cores(t, 0, &n);
	ck_assert_uint_eq(n, 8); /* 4 physical x 2 */
	a = place_ok(8, 1);
	/* every v-core maps to a physical core of the same node, two v-cores per core */
	int seen[64] = {0};
	size_t idx = (size_t)drove_topo_node_index(t, drove_sched_alloc_node(a));
	for (size_t k = 0; k < 8; k++) {
		int v = drove_sched_alloc_core(a, k), p = drove_sched_alloc_physical_core(a, k);
		ck_assert_int_eq(p, drove_topo_physical_core(t, idx, v));
		ck_assert_int_ne(p, v);
		ck_assert_int_lt(p, 64);
		seen[p]++;
	}
	for (int p = 0; p < 64; p++)
		ck_assert(seen[p] == 0 || seen[p] == 2);
	/* §3.7 counts physical cores per node (4) */
	ck_assert_int_eq(drove_sched_check_resources(s, NULL, 5, 1, 1), DROVE_ENORESOURCE);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "Required: 5 Max: 4"));
	drove_sched_alloc_free(a);
	drove_topo_free(t);
}
END_TEST

START_TEST(test_merged_nodes_without_numa_pinning)
{
	drove_topo *t = add_from_topo("e1", "pack:2 numa:1 core:4 pu:1", NULL, 0, 1, 1);
	drove_sched_alloc *a;
	ck_assert_uint_eq(drove_topo_node_count(t), 1);
	/* one merged node 0: 8 cores in one allocation */
	a = place_ok(8, 1);
	ck_assert_int_eq(drove_sched_alloc_node(a), 0);
	drove_sched_alloc_free(a);
	drove_topo_free(t);
}
END_TEST

Suite *sched_topo_suite(void)
{
	Suite *su = suite_create("sched_topo");
	TCase *tc = tcase_create("topo");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_two_packages_numa_boundary);
	tcase_add_test(tc, test_os_cores_never_allocated);
	tcase_add_test(tc, test_overprovisioned_topology);
	tcase_add_test(tc, test_merged_nodes_without_numa_pinning);
	suite_add_tcase(su, tc);
	return su;
}
