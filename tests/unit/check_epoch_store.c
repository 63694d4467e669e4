/* Epoch's records in the store (local backend): topologies, runs recorded at most once under
 * a leader's fence, retention. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_store_opts *opts;
static drove_store *st;
static char dir[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drove-check-epoch-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_store_opts_new(&opts), 0);
	ck_assert_int_eq(drove_store_opts_set_local(opts, dir), 0);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
}

static void teardown(void)
{
	char cmd[256];
	drove_store_close(st);
	drove_store_opts_free(opts);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define TOPO(name, spec)                                                                          \
	"{\"name\":\"" name "\",\"task\":{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"t\","   \
	"\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\","            \
	"\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"   \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"},"          \
	"\"logging\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}}," \
	"\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"" spec "\"}}"

static drove_epoch_topology *topo(const char *json)
{
	drove_epoch_topology *t = NULL;
	if (drove_epoch_topology_from_json(&t, ctx, json, strlen(json), 1000, NULL) != 0)
		ck_abort_msg("%s", drove_error_last()->message);
	return t;
}

START_TEST(test_topologies)
{
	drove_epoch_topology *a = topo(TOPO("alpha", "* * * * * ?"));
	drove_epoch_topology *a2 = topo(TOPO("alpha", "0 * * * * ?"));
	drove_epoch_topology *b = topo(TOPO("beta", "0 0 * * * ?"));
	drove_strlist *ids = NULL;
	char *doc = NULL;

	ck_assert_int_eq(drove_epoch_topology_save(st, a, DROVE_EPOCH_ACTIVE, 100, 1), 0);
	ck_assert_int_eq(drove_epoch_topology_save(st, b, DROVE_EPOCH_ACTIVE, 100, 1), 0);
	/* a duplicate name is refused and changes nothing */
	drove_assert_error(drove_epoch_topology_save(st, a2, DROVE_EPOCH_ACTIVE, 200, 1),
	                   DROVE_EEXISTS, "topology alpha: exists already");
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"timeSpec\":\"* * * * * ?\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"ACTIVE\""));
	drove_free(doc);
	/* a replace keeps the creation time */
	ck_assert_int_eq(drove_epoch_topology_save(st, a2, DROVE_EPOCH_ACTIVE, 300, 0), 0);
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"timeSpec\":\"0 * * * * ?\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"created\":100"));
	ck_assert_ptr_nonnull(strstr(doc, "\"updated\":300"));
	drove_free(doc);

	ck_assert_int_eq(drove_epoch_topology_set_state(st, "alpha", DROVE_EPOCH_PAUSED, 400), 0);
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"PAUSED\""));
	drove_free(doc);
	drove_assert_error(drove_epoch_topology_set_state(st, "gamma", DROVE_EPOCH_PAUSED, 1),
	                   DROVE_ENOTFOUND, "topology gamma: not found");
	ck_assert_int_eq(drove_epoch_topology_set_state(st, "alpha", 9, 1), DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_topology_save(st, a, 0, 1, 0), DROVE_EINVAL);

	ck_assert_int_eq(drove_epoch_topology_ids(st, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 2);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "alpha");
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_topology_remove(st, "alpha"), 0);
	drove_assert_error(drove_epoch_topology_load(st, "alpha", &doc), DROVE_ENOTFOUND,
	                   "topology alpha: not found");
	drove_assert_error(drove_epoch_topology_remove(st, "alpha"), DROVE_ENOTFOUND, "alpha");
	drove_assert_error(drove_epoch_topology_load(st, "../x", &doc), DROVE_EINVAL,
	                   "topology id");
	drove_epoch_topology_free(a);
	drove_epoch_topology_free(a2);
	drove_epoch_topology_free(b);
}
END_TEST

START_TEST(test_runs_at_most_once_and_fenced)
{
	int fence1, fence2;
	char *doc = NULL;
	drove_strlist *ids = NULL;

	ck_assert_int_eq(drove_epoch_topology_ids(st, &ids), 0); /* none yet: empty */
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_fence(st, 5, &fence1), 0);
	ck_assert_int_eq(drove_epoch_run_begin(st, fence1, "alpha", "SR-100",
	                                       DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                       NULL, 100000),
	                 0);
	/* the same scheduled time again: refused, whoever asks */
	drove_assert_error(drove_epoch_run_begin(st, fence1, "alpha", "SR-100",
	                                         DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                         NULL, 100500),
	                   DROVE_EEXISTS, "run alpha/SR-100: recorded already");
	/* a new leader takes the fence: the old one can no longer record runs */
	ck_assert_int_eq(drove_epoch_fence(st, 6, &fence2), 0);
	ck_assert_int_ne(fence1, fence2);
	drove_assert_error(drove_epoch_run_begin(st, fence1, "alpha", "SR-101",
	                                         DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                         NULL, 101000),
	                   DROVE_ESTALE, "fence");
	drove_assert_error(drove_epoch_fence(st, 5, &fence1), DROVE_ESTALE, "newer leader");
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "SR-101",
	                                       DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_SKIPPED,
	                                       "missed while no leader ran", 101000),
	                 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "alpha", "SR-101", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"SKIPPED\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"message\":\"missed while no leader ran\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"runType\":\"SCHEDULED\""));
	drove_free(doc);

	const char *upd = "{\"topologyId\":\"alpha\",\"runId\":\"SR-100\",\"state\":\"SUCCESSFUL\","
	                  "\"tasks\":{},\"runType\":\"SCHEDULED\",\"created\":100000}";
	ck_assert_int_eq(drove_epoch_run_put(st, "alpha", "SR-100", upd), 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "alpha", "SR-100", &doc), 0);
	ck_assert_str_eq(doc, upd);
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_run_put(st, "alpha", "SR-999", upd), DROVE_ENOTFOUND);
	drove_assert_error(drove_epoch_run_put(st, "alpha", "SR-100", "[1]"), DROVE_EINVAL,
	                   "JSON object");
	drove_assert_error(drove_epoch_run_get(st, "alpha", "SR-999", &doc), DROVE_ENOTFOUND,
	                   "run alpha/SR-999: not found");
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "a/b", 1, 1, NULL, 1),
	                 DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "SR-7", 3, 1, NULL, 1),
	                 DROVE_EINVAL);
}
END_TEST

START_TEST(test_retention)
{
	int fence;
	drove_strlist *ids = NULL;
	size_t gone = 99;
	char rid[32];

	ck_assert_int_eq(drove_epoch_fence(st, 1, &fence), 0);
	for (int i = 0; i < 8; i++) {
		snprintf(rid, sizeof(rid), "SR-%d", 1000 + i);
		ck_assert_int_eq(drove_epoch_run_begin(
		                         st, fence, "alpha", rid, DROVE_EPOCH_RUN_SCHEDULED,
		                         i == 1 ? DROVE_EPOCH_RUN_RUNNING : DROVE_EPOCH_RUN_SKIPPED,
		                         NULL, 1000000 + i * 1000),
		                 0);
	}
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 8);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "SR-1007"); /* newest first */
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_runs_trim(st, "alpha", 3, &gone), 0);
	ck_assert_uint_eq(gone, 4); /* SR-1001 is still RUNNING and stays */
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 4);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "SR-1007");
	ck_assert_str_eq(drove_strlist_get(ids, 3), "SR-1001");
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_runs_list(st, "nobody", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
	/* removing the topology takes its runs */
	ck_assert_int_eq(drove_epoch_topology_remove(st, "alpha"), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
}
END_TEST

Suite *epoch_store_suite(void)
{
	Suite *s = suite_create("epoch_store");
	TCase *tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_topologies);
	tcase_add_test(tc, test_runs_at_most_once_and_fenced);
	tcase_add_test(tc, test_retention);
	suite_add_tcase(s, tc);
	return s;
}
