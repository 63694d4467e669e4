/* Topology: hwloc discovery (this machine, synthetic), §9.1 rules, §9.4 pinning strings. */
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <hwloc.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "topo/topo.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_topo_opts *opts;
static drove_topo *topo;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	drove_ctx_set_seed(ctx, 42);
	ck_assert_int_eq(drove_topo_opts_new(&opts), 0);
	topo = NULL;
}

static void teardown(void)
{
	drove_topo_free(topo);
	drove_topo_opts_free(opts);
	drove_ctx_free(ctx);
}

/* Assert node `i` has exactly the `n` cores listed. */
static void assert_cores(const int *got, size_t n_got, const int *want, size_t n)
{
	ck_assert_uint_eq(n_got, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "core[%zu] = %d, want %d", i, got[i], want[i]);
}

#define ASSERT_PHYS(i, ...)                                                       \
	do {                                                                      \
		const int want_[] = {__VA_ARGS__};                                \
		size_t n_;                                                        \
		const int *got_ = drove_topo_node_physical_cores(topo, (i), &n_); \
		assert_cores(got_, n_, want_, DROVE_ARRAY_LEN(want_));            \
	} while (0)
#define ASSERT_CORES(i, ...)                                             \
	do {                                                             \
		const int want_[] = {__VA_ARGS__};                       \
		size_t n_;                                               \
		const int *got_ = drove_topo_node_cores(topo, (i), &n_); \
		assert_cores(got_, n_, want_, DROVE_ARRAY_LEN(want_));   \
	} while (0)

static void discover(const char *synthetic)
{
	ck_assert_int_eq(drove_topo_opts_set_synthetic(opts, synthetic), 0);
	ck_assert_int_eq(drove_topo_discover(&topo, ctx, opts), 0);
}

/* ---- discovery ---- */

START_TEST(test_this_machine)
{
	size_t n = 0;
	ck_assert_int_eq(drove_topo_discover(&topo, ctx, NULL), 0);
	ck_assert_uint_ge(drove_topo_node_count(topo), 1);
	ck_assert_int_ge(drove_topo_node_id(topo, 0), 0);
	ck_assert_ptr_nonnull(drove_topo_node_physical_cores(topo, 0, &n));
	ck_assert_uint_ge(n, 1);
	ck_assert_int_gt(drove_topo_node_physical_mb(topo, 0), 0);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), drove_topo_node_physical_mb(topo, 0));
	ck_assert_int_eq(drove_topo_is_overprovisioned(topo), 0);
}
END_TEST

START_TEST(test_synthetic_two_nodes)
{
	discover("pack:2 numa:1 core:4 pu:2");
	ck_assert_uint_eq(drove_topo_node_count(topo), 2);
	ck_assert_int_eq(drove_topo_node_id(topo, 0), 0);
	ck_assert_int_eq(drove_topo_node_id(topo, 1), 1);
	ck_assert_int_eq(drove_topo_node_id(topo, 2), -1);
	ck_assert_int_eq(drove_topo_node_index(topo, 1), 1);
	ck_assert_int_eq(drove_topo_node_index(topo, 7), -1);
	ASSERT_PHYS(0, 0, 1, 2, 3, 4, 5, 6, 7);
	ASSERT_PHYS(1, 8, 9, 10, 11, 12, 13, 14, 15);
	ASSERT_CORES(1, 8, 9, 10, 11, 12, 13, 14, 15);
	/* hwloc gives synthetic numa nodes 1 GiB by default */
	ck_assert_int_eq(drove_topo_node_physical_mb(topo, 0), 1024);
	ck_assert_int_eq(drove_topo_node_mb(topo, 1), 1024);
	ck_assert_int_eq(drove_topo_node_mb(topo, 2), -1);
	ck_assert_int_eq(drove_topo_physical_core(topo, 1, 9), 9);
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 9), -1);
}
END_TEST

START_TEST(test_synthetic_four_nodes_with_memory)
{
	discover("pack:2 numa:2(memory=32GiB) core:3 pu:1");
	ck_assert_uint_eq(drove_topo_node_count(topo), 4);
	ASSERT_PHYS(0, 0, 1, 2);
	ASSERT_PHYS(3, 9, 10, 11);
	ck_assert_int_eq(drove_topo_node_physical_mb(topo, 3), 32768);
}
END_TEST

START_TEST(test_reference_example_topology)
{
	discover("pack:2 numa:1 core:24 pu:2");
	ck_assert_uint_eq(drove_topo_node_count(topo), 2);
	size_t n;
	drove_topo_node_cores(topo, 0, &n);
	ck_assert_uint_eq(n, 48);
	drove_topo_node_cores(topo, 1, &n);
	ck_assert_uint_eq(n, 48);
}
END_TEST

START_TEST(test_bad_synthetic_and_xml)
{
	ck_assert_int_eq(drove_topo_opts_set_synthetic(opts, "garbage:3"), 0);
	drove_assert_error(drove_topo_discover(&topo, ctx, opts), DROVE_EINVAL,
	                   "topology: invalid hwloc synthetic description 'garbage:3'");
	ck_assert_ptr_null(topo);
	ck_assert_int_eq(drove_topo_opts_set_xml_path(opts, "/nonexistent/topo.xml"), 0);
	drove_assert_error(drove_topo_discover(&topo, ctx, opts), DROVE_EINVAL,
	                   "topologyXml: cannot read hwloc xml '/nonexistent/topo.xml'");
	drove_assert_error(drove_topo_opts_set_synthetic(opts, ""), DROVE_EINVAL,
	                   "topology: empty");
	ck_assert_int_eq(drove_topo_opts_set_xml_path(opts, NULL), 0);
	drove_assert_error(drove_topo_discover(NULL, ctx, opts), DROVE_EINVAL, "out");
}
END_TEST

START_TEST(test_xml_topology)
{
	hwloc_topology_t h;
	char path[] = "/tmp/drove-topo-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(hwloc_topology_init(&h), 0);
	ck_assert_int_eq(hwloc_topology_set_synthetic(h, "pack:3 numa:1 core:2 pu:1"), 0);
	ck_assert_int_eq(hwloc_topology_load(h), 0);
	ck_assert_int_eq(hwloc_topology_export_xml(h, path, 0), 0);
	hwloc_topology_destroy(h);
	ck_assert_int_eq(drove_topo_opts_set_synthetic(opts, "numa:1 core:1 pu:1"), 0);
	ck_assert_int_eq(drove_topo_opts_set_xml_path(opts, path), 0); /* replaces synthetic */
	ck_assert_int_eq(drove_topo_discover(&topo, ctx, opts), 0);
	unlink(path);
	ck_assert_uint_eq(drove_topo_node_count(topo), 3);
	ASSERT_PHYS(2, 4, 5);
}
END_TEST

/* ---- §9.1 rules ---- */

START_TEST(test_os_cores_removed)
{
	const int os[] = {0, 1, 9, 99};
	ck_assert_int_eq(drove_topo_opts_set_os_cores(opts, os, 4), 0);
	discover("pack:2 numa:1 core:4 pu:1");
	ASSERT_PHYS(0, 2, 3);
	ASSERT_CORES(0, 2, 3);
	ASSERT_PHYS(1, 4, 5, 6, 7); /* 9 and 99 do not exist: ignored */
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 0), -1);
}
END_TEST

START_TEST(test_os_cores_all_removed)
{
	const int os[] = {0, 1};
	const int bad[] = {-1};
	ck_assert_int_eq(drove_topo_opts_set_os_cores(opts, os, 2), 0);
	ck_assert_int_eq(drove_topo_opts_set_synthetic(opts, "numa:1 core:2 pu:1"), 0);
	drove_assert_error(drove_topo_discover(&topo, ctx, opts), DROVE_ENORESOURCE,
	                   "osCores: no core is left for containers");
	drove_assert_error(drove_topo_opts_set_os_cores(opts, bad, 1), DROVE_EINVAL,
	                   "osCores[0]: -1 is below 0");
	ck_assert_int_eq(drove_topo_opts_set_os_cores(opts, NULL, 0), 0);
	ck_assert_int_eq(drove_topo_discover(&topo, ctx, opts), 0);
}
END_TEST

START_TEST(test_exposed_mem_percent)
{
	drove_assert_error(drove_topo_opts_set_exposed_mem_percent(opts, 49), DROVE_EINVAL,
	                   "exposedMemPercentage: 49 is below 50");
	drove_assert_error(drove_topo_opts_set_exposed_mem_percent(opts, 101), DROVE_EINVAL,
	                   "exposedMemPercentage: 101 is above 100");
	ck_assert_int_eq(drove_topo_opts_set_exposed_mem_percent(opts, 90), 0);
	discover("pack:2 numa:1(memory=1000MiB) core:1 pu:1");
	ck_assert_int_eq(drove_topo_node_physical_mb(topo, 0), 900);
	ck_assert_int_eq(drove_topo_node_mb(topo, 1), 900);
}
END_TEST

START_TEST(test_exposed_mem_floor)
{
	const int cpus[] = {0};
	drove__topo_raw_node raw[] = {{0, cpus, 1, 1001}};
	ck_assert_int_eq(drove_topo_opts_set_exposed_mem_percent(opts, 55), 0);
	ck_assert_int_eq(drove__topo_build(&topo, ctx, raw, 1, opts), 0);
	ck_assert_int_eq(drove_topo_node_physical_mb(topo, 0), 550); /* 1001*55/100 = 550.55 */
}
END_TEST

START_TEST(test_next_prime)
{
	ck_assert_int_eq(drove__topo_next_prime(1), 2);
	ck_assert_int_eq(drove__topo_next_prime(2), 3);
	ck_assert_int_eq(drove__topo_next_prime(3), 5);
	ck_assert_int_eq(drove__topo_next_prime(4), 5);
	ck_assert_int_eq(drove__topo_next_prime(10), 11);
	ck_assert_int_eq(drove__topo_next_prime(20), 23);
}
END_TEST

START_TEST(test_overprov_multiplier_1)
{
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 1, 1), 0);
	discover("pack:2 numa:1 core:2 pu:1");
	/* p = 2: core c -> (c+1)*2 + 1 */
	ASSERT_CORES(0, 3, 5);
	ASSERT_CORES(1, 7, 9);
	ASSERT_PHYS(1, 2, 3);
	ck_assert_int_eq(drove_topo_physical_core(topo, 1, 9), 3);
	ck_assert_int_eq(drove_topo_is_overprovisioned(topo), 1);
}
END_TEST

START_TEST(test_overprov_multiplier_2)
{
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 2, 3), 0);
	discover("pack:2 numa:1 core:2 pu:1");
	/* p = 3: core c -> (c+1)*3 + 1, +2 */
	ASSERT_CORES(0, 4, 5, 7, 8);
	ASSERT_CORES(1, 10, 11, 13, 14);
	ck_assert_int_eq(drove_topo_node_physical_mb(topo, 0), 1024);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), 3072);
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 8), 1);
	ck_assert_int_eq(drove_topo_physical_core(topo, 1, 13), 3);
	/* per node: node 1's v-cores do not map on node 0 (the Java bug shares the map) */
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 13), -1);
}
END_TEST

START_TEST(test_overprov_multiplier_3_and_4)
{
	const int os[] = {0};
	ck_assert_int_eq(drove_topo_opts_set_os_cores(opts, os, 1), 0);
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 3, 1), 0);
	discover("numa:1 core:3 pu:1");
	/* p = 5; cores 1, 2 */
	ASSERT_CORES(0, 11, 12, 13, 16, 17, 18);
	ASSERT_PHYS(0, 1, 2);
	drove_topo_free(topo);
	topo = NULL;
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 4, 1), 0);
	ck_assert_int_eq(drove_topo_discover(&topo, ctx, opts), 0);
	ASSERT_CORES(0, 11, 12, 13, 14, 16, 17, 18, 19);
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 19), 2);
}
END_TEST

START_TEST(test_overprov_multiplier_10)
{
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 10, 2), 0);
	discover("pack:2 numa:1 core:1 pu:1");
	/* p = 11: core 0 -> 12..21; core 1 -> 23..32 */
	ASSERT_CORES(0, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21);
	ASSERT_CORES(1, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32);
	ck_assert_int_eq(drove_topo_node_mb(topo, 1), 2048);
}
END_TEST

START_TEST(test_overprov_disabled_keeps_multipliers_out)
{
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 0, 4, 4), 0);
	discover("numa:1 core:2 pu:1");
	ASSERT_CORES(0, 0, 1);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), 1024);
	drove_assert_error(drove_topo_opts_set_overprovisioning(opts, 1, 0, 1), DROVE_EINVAL,
	                   "overProvisioning.cpuMultiplier: 0 is below 1");
	drove_assert_error(drove_topo_opts_set_overprovisioning(opts, 1, 1, 21), DROVE_EINVAL,
	                   "overProvisioning.memoryMultiplier: 21 is above 20");
}
END_TEST

START_TEST(test_no_numa_merge)
{
	const int os[] = {4};
	ck_assert_int_eq(drove_topo_opts_set_os_cores(opts, os, 1), 0);
	ck_assert_int_eq(drove_topo_opts_set_disable_numa_pinning(opts, 1), 0);
	discover("pack:4 numa:1 core:2 pu:1");
	ck_assert_uint_eq(drove_topo_node_count(topo), 1);
	ck_assert_int_eq(drove_topo_node_id(topo, 0), 0);
	ASSERT_PHYS(0, 0, 1, 2, 3, 5, 6, 7);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), 4096);
	ck_assert_int_eq(drove_topo_is_numa_pinning_disabled(topo), 1);
}
END_TEST

START_TEST(test_no_numa_merge_overprov)
{
	ck_assert_int_eq(drove_topo_opts_set_disable_numa_pinning(opts, 1), 0);
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 2, 2), 0);
	discover("pack:2 numa:1 core:1 pu:1");
	ASSERT_CORES(0, 4, 5, 7, 8);
	ASSERT_PHYS(0, 0, 1);
	ck_assert_int_eq(drove_topo_physical_core(topo, 0, 7), 1);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), 4096);
}
END_TEST

START_TEST(test_raw_build_sorts_and_rejects_duplicates)
{
	const int c0[] = {3, 2}, c1[] = {1, 0};
	drove__topo_raw_node raw[] = {{1, c0, 2, 100}, {0, c1, 2, 200}};
	ck_assert_int_eq(drove__topo_build(&topo, ctx, raw, 2, NULL), 0);
	ck_assert_int_eq(drove_topo_node_id(topo, 0), 0);
	ASSERT_PHYS(0, 0, 1);
	ASSERT_PHYS(1, 2, 3);
	ck_assert_int_eq(drove_topo_node_mb(topo, 0), 200);
	drove_topo_free(topo);
	topo = NULL;
	raw[1].id = 1;
	drove_assert_error(drove__topo_build(&topo, ctx, raw, 2, NULL), DROVE_EINVAL,
	                   "topology: numa node 1 appears twice");
}
END_TEST

/* ---- §9.4 pinning ---- */

START_TEST(test_cpuset_plain)
{
	const int nodes[] = {1, 1, 0};
	const int cores[] = {9, 8, 2};
	char *cpus = NULL, *mems = NULL;
	discover("pack:2 numa:1 core:4 pu:2");
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 3, &cpus, &mems), 0);
	ck_assert_str_eq(cpus, "2,8,9");
	ck_assert_str_eq(mems, "0,1");
	drove_free(cpus);
	drove_free(mems);
	drove_assert_error(
	        drove_topo_cpuset(topo, ctx, nodes, (const int[]){0, 0, 0}, 3, &cpus, &mems),
	        DROVE_EINVAL, "cpuset: core 0 is not on numa node 1");
	drove_assert_error(drove_topo_cpuset(topo, ctx, (const int[]){5}, cores, 1, &cpus, &mems),
	                   DROVE_EINVAL, "cpuset: numa node 5 does not exist");
}
END_TEST

START_TEST(test_cpuset_no_numa_has_no_mems)
{
	const int nodes[] = {0, 0};
	const int cores[] = {5, 1};
	char *cpus = NULL, *mems = NULL;
	ck_assert_int_eq(drove_topo_opts_set_disable_numa_pinning(opts, 1), 0);
	discover("pack:2 numa:1 core:4 pu:1");
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 2, &cpus, &mems), 0);
	ck_assert_str_eq(cpus, "1,5");
	ck_assert_str_eq(mems, "");
	drove_free(cpus);
	drove_free(mems);
}
END_TEST

/* Parse "a,b,c" into ints; returns the count. */
static size_t parse_list(const char *s, int *out, size_t max)
{
	size_t n = 0;
	char *end;
	while (*s && n < max) {
		out[n++] = (int)strtol(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

START_TEST(test_cpuset_overprov_random_physical)
{
	/* 2 nodes x 4 cores, multiplier 3 (p = 5); node 1 cores are 4..7 */
	const int nodes[] = {1, 1, 1, 0};
	const int cores[] = {26, 27, 31, 6}; /* v-cores of 4, 4, 5 on node 1; core 0 on node 0 */
	char *cpus = NULL, *mems = NULL, *again = NULL, *mems2 = NULL;
	int got[8];
	size_t n;
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 3, 1), 0);
	discover("pack:2 numa:1 core:4 pu:1");
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 4, &cpus, &mems), 0);
	ck_assert_str_eq(mems, "0,1");
	n = parse_list(cpus, got, 8);
	ck_assert_uint_eq(n, 4);
	int on0 = 0, on1 = 0;
	for (size_t i = 0; i < n; i++) {
		on0 += got[i] >= 0 && got[i] <= 3;
		on1 += got[i] >= 4 && got[i] <= 7;
		if (i)
			ck_assert_int_lt(got[i - 1], got[i]); /* distinct, ascending */
	}
	ck_assert_int_eq(on0, 1);
	ck_assert_int_eq(on1, 3);
	/* the same seed gives the same picks */
	drove_ctx_set_seed(ctx, 42);
	char *first = NULL, *fm = NULL;
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 4, &first, &fm), 0);
	drove_ctx_set_seed(ctx, 42);
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 4, &again, &mems2), 0);
	ck_assert_str_eq(first, again);
	drove_free(first);
	drove_free(fm);
	drove_free(cpus);
	drove_free(mems);
	drove_free(again);
	drove_free(mems2);
}
END_TEST

START_TEST(test_cpuset_overprov_shortfall)
{
	/* node 0 has 1 physical core, 3 v-cores (p = 5: 6, 7, 8) */
	const int nodes[] = {0, 0, 0};
	const int cores[] = {6, 7, 8};
	char *cpus = NULL, *mems = NULL;
	ck_assert_int_eq(drove_topo_opts_set_overprovisioning(opts, 1, 3, 1), 0);
	discover("pack:2 numa:1 core:1 pu:1");
	/* one from node 0, the shortfall of 2 cannot be met by node 1's single core: no cpuset */
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 3, &cpus, &mems), 0);
	ck_assert_str_eq(cpus, "");
	ck_assert_str_eq(mems, "0");
	drove_free(cpus);
	drove_free(mems);
	/* two v-cores: one from node 0, the other filled from node 1 */
	ck_assert_int_eq(drove_topo_cpuset(topo, ctx, nodes, cores, 2, &cpus, &mems), 0);
	ck_assert_str_eq(cpus, "0,1");
	ck_assert_str_eq(mems, "0");
	drove_free(cpus);
	drove_free(mems);
}
END_TEST

Suite *topo_suite(void)
{
	Suite *s = suite_create("topo");
	TCase *tc = tcase_create("discovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_this_machine);
	tcase_add_test(tc, test_synthetic_two_nodes);
	tcase_add_test(tc, test_synthetic_four_nodes_with_memory);
	tcase_add_test(tc, test_reference_example_topology);
	tcase_add_test(tc, test_bad_synthetic_and_xml);
	tcase_add_test(tc, test_xml_topology);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_os_cores_removed);
	tcase_add_test(tc, test_os_cores_all_removed);
	tcase_add_test(tc, test_exposed_mem_percent);
	tcase_add_test(tc, test_exposed_mem_floor);
	tcase_add_test(tc, test_next_prime);
	tcase_add_test(tc, test_overprov_multiplier_1);
	tcase_add_test(tc, test_overprov_multiplier_2);
	tcase_add_test(tc, test_overprov_multiplier_3_and_4);
	tcase_add_test(tc, test_overprov_multiplier_10);
	tcase_add_test(tc, test_overprov_disabled_keeps_multipliers_out);
	tcase_add_test(tc, test_no_numa_merge);
	tcase_add_test(tc, test_no_numa_merge_overprov);
	tcase_add_test(tc, test_raw_build_sorts_and_rejects_duplicates);
	suite_add_tcase(s, tc);

	tc = tcase_create("pinning");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cpuset_plain);
	tcase_add_test(tc, test_cpuset_no_numa_has_no_mems);
	tcase_add_test(tc, test_cpuset_overprov_random_physical);
	tcase_add_test(tc, test_cpuset_overprov_shortfall);
	suite_add_tcase(s, tc);
	return s;
}
