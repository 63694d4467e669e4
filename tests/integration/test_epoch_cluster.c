/* Epoch's library path on a real cluster (tests/harness/cluster.h: drove-controller +
 * drove-executor, podman behind the Docker Engine API): a topology firing every second is
 * taken from the timetable, recorded in the (embedded) store under a fence, started on Drove
 * through the client and followed to SUCCESSFUL; the run is recorded, a second CREATE of the
 * same run starts nothing, and a deposed leader cannot record the next run. A COMPOSITE run
 * with one task failing ends SUCCESSFUL under ANY and FAILED under ALL.
 * The drove-epoch daemon and its REST API are not part of this test (not written yet). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/drove.h>

#include "core/internal.h"
#include "cluster.h"
#include "harness.h"

#define TOPO                                                                                     \
	"{\"name\":\"every-second\",\"task\":{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":"    \
	"\"hello\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\"," \
	"\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"  \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"},"         \
	"\"args\":[\"sh\",\"-c\",\"echo hello from epoch\"]},"                                   \
	"\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"* * * * * ?\"}}"

START_TEST(test_fire_run_to_successful)
{
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_store_opts *so = NULL;
	drove_store *st = NULL;
	drove_client *cl = NULL;
	drove_epoch_topology *t = NULL;
	drove_epoch_timetable *tt = NULL;
	char url[64], sdir[192], *tid = NULL, *rid = NULL, *task_id, *doc = NULL;
	int fence, fence2, already = -1, state = 0;
	int64_t at = 0, handled, next;

	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(10000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	snprintf(sdir, sizeof(sdir), "%s/epoch-store", dtc.dir);
	ck_assert_int_eq(drove_store_opts_new(&so), 0);
	ck_assert_int_eq(drove_store_opts_set_local(so, sdir), 0);
	ck_assert_int_eq(drove_store_open(&st, loop, so), 0);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", dtc.port);
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);

	int64_t now = drove_time_wall_ms();
	ck_assert_int_eq(drove_epoch_topology_from_json(&t, ctx, TOPO, strlen(TOPO), now, NULL), 0);
	ck_assert_int_eq(drove_epoch_topology_save(st, t, DROVE_EPOCH_ACTIVE, now, 1), 0);
	ck_assert_int_eq(drove_epoch_fence(st, 1, &fence), 0);
	ck_assert_int_eq(drove_epoch_timetable_new(&tt), 0);
	ck_assert_int_eq(
	        drove_epoch_timetable_add(tt, "every-second", drove_epoch_topology_cron(t), now),
	        0);

	/* the next second: due, recorded, started */
	while (drove_epoch_timetable_pop(tt, drove_time_wall_ms(), &tid, &at) != 1)
		usleep(20 * 1000);
	ck_assert_str_eq(tid, "every-second");
	ck_assert_int_eq(drove_epoch_step(st, fence, t, at - 1000, drove_time_wall_ms(), 5000, &rid,
	                                  &handled, &next),
	                 0);
	ck_assert_ptr_nonnull(rid);
	ck_assert_int_eq(handled, at);
	ck_assert_int_eq(drove_epoch_task_start(cl, t, 0, "EPOCH", rid, 120, &already), 0);
	ck_assert_int_eq(already, 0);
	/* the same run sent again (a leader that died before noting it): nothing new starts */
	ck_assert_int_eq(drove_epoch_task_start(cl, t, 0, "EPOCH", rid, 120, &already), 0);
	ck_assert_int_eq(already, 1);

	/* followed to the end on Drove */
	task_id = drove__asprintf("every-second-%s-hello", rid);
	int64_t deadline = drove_time_mono_ms() + 60000;
	do {
		char *err = NULL;
		int rc = drove_epoch_task_poll(cl, "EPOCH", task_id, &state, &err);
		drove_free(err);
		if (rc == 0 &&
		    (state == DROVE_EPOCH_TASK_COMPLETED || state == DROVE_EPOCH_TASK_FAILED ||
		     state == DROVE_EPOCH_TASK_CANCELLED))
			break;
		usleep(250 * 1000);
	} while (drove_time_mono_ms() < deadline);
	ck_assert_msg(state == DROVE_EPOCH_TASK_COMPLETED, "task %s ended %s", task_id,
	              drove_epoch_task_state_name(state));
	ck_assert_int_eq(drove_epoch_topology_run_state(t, &state, 1), DROVE_EPOCH_RUN_SUCCESSFUL);

	/* the run's record, as the engine would write it */
	char *run = drove__asprintf(
	        "{\"topologyId\":\"every-second\",\"runId\":\"%s\",\"state\":\"SUCCESSFUL\","
	        "\"tasks\":{\"hello\":{\"taskId\":\"%s\",\"state\":\"COMPLETED\"}},"
	        "\"runType\":\"SCHEDULED\",\"created\":%lld,\"updated\":%lld}",
	        rid, task_id, (long long)at, (long long)drove_time_wall_ms());
	ck_assert_int_eq(drove_epoch_run_put(st, "every-second", rid, run), 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "every-second", rid, &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"SUCCESSFUL\""));
	drove_free(doc);
	ck_assert_int_eq(drove_client_task_delete(cl, "EPOCH", task_id), 0); /* cleanup */

	/* a new leader takes the fence: the old one cannot record the following run */
	ck_assert_int_eq(drove_epoch_fence(st, 2, &fence2), 0);
	drove_assert_error(
	        drove_epoch_step(st, fence, t, at, at + 1500, 5000, &rid, &handled, &next),
	        DROVE_ESTALE, "fence");

	free(run);
	free(task_id);
	drove_free(rid);
	drove_free(tid);
	drove_epoch_timetable_free(tt);
	drove_epoch_topology_free(t);
	drove_client_free(cl);
	drove_store_close(st);
	drove_store_opts_free(so);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}
END_TEST

#define LEAF(name, cmd)                                                                           \
	"{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"" name "\",\"executable\":{\"type\":"   \
	"\"DOCKER\",\"url\":\"localhost/drove-test:latest\",\"dockerPullTimeout\":"               \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\","    \
	"\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"},\"args\":[\"sh\",\"-c\",\"" cmd \
	"\"]}"
#define COMPOSITE(kind)                                                                           \
	"{\"name\":\"etl-" kind "\",\"task\":{\"type\":\"COMPOSITE\",\"compositionType\":\"" kind \
	"\",\"tasks\":[" LEAF("ok", "true") "," LEAF(                                             \
	        "bad", "exit 3") "]},"                                                            \
	                         "\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"0 0 * * * ?\"}}"

/* Both tasks of a COMPOSITE run on Drove; one succeeds, one fails: ANY succeeds, ALL fails. */
START_TEST(test_composite_any_all)
{
	drove_ctx *ctx = NULL;
	drove_client *cl = NULL;
	drove_epoch_topology *any = NULL, *all = NULL;
	char url[64];
	int states[2] = {0, 0}, already;

	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(10000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", dtc.port);
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
	ck_assert_int_eq(drove_epoch_topology_from_json(&any, ctx, COMPOSITE("ANY"),
	                                                strlen(COMPOSITE("ANY")), 0, NULL),
	                 0);
	ck_assert_int_eq(drove_epoch_topology_from_json(&all, ctx, COMPOSITE("ALL"),
	                                                strlen(COMPOSITE("ALL")), 0, NULL),
	                 0);
	/* the executor's first snapshot may not be in yet: wait until both tasks fit */
	{
		int64_t end = drove_time_mono_ms() + 30000;
		for (;;) {
			json_object *root, *d = dtc_get_data("/apis/v1/cluster", &root), *v;
			int free_cores = d && json_object_object_get_ex(d, "freeCores", &v)
			                         ? json_object_get_int(v)
			                         : 0;
			json_object_put(root);
			if (free_cores >= 2)
				break;
			ck_assert_msg(drove_time_mono_ms() < end,
			              "fewer than 2 free cores after 30 s");
			usleep(200 * 1000);
		}
	}
	for (size_t i = 0; i < 2; i++) {
		int rc = drove_epoch_task_start(cl, any, i, "EPOCH", "IR-1", 120, &already);
		ck_assert_msg(rc == 0, "task %zu: %d %s", i, rc, drove_error_last()->message);
		ck_assert_int_eq(already, 0);
	}
	int64_t deadline = drove_time_mono_ms() + 60000;
	for (size_t i = 0; i < 2; i++) {
		char *task_id =
		        drove__asprintf("etl-ANY-IR-1-%s", drove_epoch_topology_task_name(any, i));
		while (drove_time_mono_ms() < deadline) {
			if (drove_epoch_task_poll(cl, "EPOCH", task_id, &states[i], NULL) == 0 &&
			    (states[i] == DROVE_EPOCH_TASK_COMPLETED ||
			     states[i] == DROVE_EPOCH_TASK_FAILED))
				break;
			usleep(250 * 1000);
		}
		free(task_id);
	}
	ck_assert_int_eq(states[0], DROVE_EPOCH_TASK_COMPLETED);
	ck_assert_int_eq(states[1], DROVE_EPOCH_TASK_FAILED);
	ck_assert_int_eq(drove_epoch_topology_run_state(any, states, 2),
	                 DROVE_EPOCH_RUN_SUCCESSFUL);
	ck_assert_int_eq(drove_epoch_topology_run_state(all, states, 2), DROVE_EPOCH_RUN_FAILED);
	drove_epoch_topology_free(any);
	drove_epoch_topology_free(all);
	drove_client_free(cl);
	drove_ctx_free(ctx);
}
END_TEST

Suite *epoch_cluster_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_epoch_cluster");
	s = suite_create("epoch_cluster");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fire_run_to_successful);
	tcase_add_test(tc, test_composite_any_all);
	suite_add_tcase(s, tc);
	return s;
}
