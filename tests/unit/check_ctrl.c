/* The controller's pure parts: the §5.1 state machine tables, SCALE planning, the event store
 * (§7.2), endpoints filtering (§2.4), masking (§3.8), known-instances classification (§8.5),
 * policy conversion to the scheduler, summaries and instance specs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/engine.h"
#include "harness.h"

static drove_ctx *ctx;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
}

static void teardown(void)
{
	drove_ctx_free(ctx);
}

/* ---- state machine ---- */

START_TEST(test_allowed_ops_table)
{
	unsigned mon = drove__ctrl_allowed_ops(DROVE_APP_MONITORING);
	unsigned run = drove__ctrl_allowed_ops(DROVE_APP_RUNNING);
	unsigned scl = drove__ctrl_allowed_ops(DROVE_APP_SCALING_REQUESTED);

	ck_assert_uint_eq(mon, DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_START_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_SCALE_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_DESTROY) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_RECOVER));
	ck_assert_uint_eq(run, DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_START_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_STOP_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_SCALE_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_REPLACE_INSTANCES) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_SUSPEND) |
	                               DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_RECOVER));
	ck_assert_uint_eq(scl, DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_SCALE_INSTANCES));
	for (int st = DROVE_APP_INIT; st <= DROVE_APP_FAILED; st++)
		if (st != DROVE_APP_MONITORING && st != DROVE_APP_RUNNING &&
		    st != DROVE_APP_SCALING_REQUESTED)
			ck_assert_uint_eq(drove__ctrl_allowed_ops(st), 0);
	ck_assert_uint_eq(drove__ctrl_allowed_ops(-1), 0);
	ck_assert_uint_eq(drove__ctrl_allowed_ops(99), 0);
	/* SUSPEND only in RUNNING (source), DESTROY only in MONITORING */
	ck_assert(!(mon & DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_SUSPEND)));
	ck_assert(!(run & DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_DESTROY)));
}
END_TEST

START_TEST(test_transitions_table)
{
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_INIT, DROVE_APP_RUNNING));
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_INIT, DROVE_APP_MONITORING));
	ck_assert(!drove__ctrl_transition_ok(DROVE_APP_INIT, DROVE_APP_DESTROYED));
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_MONITORING, DROVE_APP_DESTROY_REQUESTED));
	ck_assert(!drove__ctrl_transition_ok(DROVE_APP_RUNNING, DROVE_APP_DESTROY_REQUESTED));
	ck_assert(
	        drove__ctrl_transition_ok(DROVE_APP_OUTAGE_DETECTED, DROVE_APP_SCALING_REQUESTED));
	ck_assert(!drove__ctrl_transition_ok(DROVE_APP_OUTAGE_DETECTED, DROVE_APP_RUNNING));
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_SCALING_REQUESTED,
	                                    DROVE_APP_SCALING_REQUESTED));
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_REPLACE_INSTANCES_REQUESTED,
	                                    DROVE_APP_MONITORING));
	ck_assert(drove__ctrl_transition_ok(DROVE_APP_DESTROY_REQUESTED, DROVE_APP_DESTROYED));
	for (int to = 0; to <= DROVE_APP_FAILED; to++) {
		ck_assert(!drove__ctrl_transition_ok(DROVE_APP_DESTROYED, to));
		ck_assert(!drove__ctrl_transition_ok(DROVE_APP_FAILED, to));
	}
	ck_assert(!drove__ctrl_transition_ok(-1, DROVE_APP_RUNNING));
	ck_assert(!drove__ctrl_transition_ok(DROVE_APP_RUNNING, 40));
}
END_TEST

START_TEST(test_check_op_messages)
{
	ck_assert_int_eq(
	        drove__ctrl_check_op(DROVE_APP_RUNNING, DROVE__CTRL_OP_SCALE_INSTANCES, "A-1"), 0);
	drove_assert_error(
	        drove__ctrl_check_op(DROVE_APP_MONITORING, DROVE__CTRL_OP_STOP_INSTANCES, "A-1"),
	        DROVE_EINVAL,
	        "Only [START_INSTANCES, SCALE_INSTANCES, RECOVER, DESTROY] allowed for "
	        "app A-1 as it is in MONITORING state");
	drove_assert_error(
	        drove__ctrl_check_op(DROVE_APP_SCALING_REQUESTED, DROVE__CTRL_OP_SUSPEND, "A-1"),
	        DROVE_EINVAL,
	        "Only [SCALE_INSTANCES] allowed for app A-1 as it is in "
	        "SCALING_REQUESTED state");
	drove_assert_error(drove__ctrl_check_op(DROVE_APP_DESTROY_REQUESTED,
	                                        DROVE__CTRL_OP_SCALE_INSTANCES, "A-1"),
	                   DROVE_EINVAL,
	                   "No operations allowed for A-1 as it is in DESTROY_REQUESTED state");
	ck_assert_int_eq(drove__ctrl_op_from_api(DROVE_APP_OP_SCALE),
	                 DROVE__CTRL_OP_SCALE_INSTANCES);
	ck_assert_str_eq(drove__ctrl_op_name(DROVE__CTRL_OP_SCALE_INSTANCES), "SCALE_INSTANCES");
	ck_assert_ptr_null(drove__ctrl_op_name(99));
	ck_assert_int_eq(drove__ctrl_op_from_api(99), -1);
}
END_TEST

/* ---- SCALE planning ---- */

START_TEST(test_plan_scale)
{
	size_t idx[10], start, n_stop;
	drove__ctrl_plan_scale(ctx, 2, 5, &start, idx, &n_stop);
	ck_assert_uint_eq(start, 3);
	ck_assert_uint_eq(n_stop, 0);
	drove__ctrl_plan_scale(ctx, 3, 3, &start, idx, &n_stop);
	ck_assert_uint_eq(start + n_stop, 0);
	drove__ctrl_plan_scale(ctx, 10, -4, &start, idx, &n_stop);
	ck_assert_uint_eq(n_stop, 10);
	for (int round = 0; round < 50; round++) {
		int seen[10] = {0};
		drove__ctrl_plan_scale(ctx, 10, 6, &start, idx, &n_stop);
		ck_assert_uint_eq(start, 0);
		ck_assert_uint_eq(n_stop, 4);
		for (size_t i = 0; i < n_stop; i++) {
			ck_assert_uint_lt(idx[i], 10);
			ck_assert_int_eq(seen[idx[i]]++, 0); /* distinct */
		}
	}
}
END_TEST

/* ---- events ---- */

static drove_event *ev_at(int type, int64_t t)
{
	drove_event *e = drove__ctrl_event_new(ctx, type);
	ck_assert_ptr_nonnull(e);
	e->time = t;
	return e;
}

START_TEST(test_events_latest_and_sync)
{
	drove__ctrl_events s = {0};
	const drove_event **v = NULL;
	int64_t sync;
	int n;

	/* empty: the request's lastSyncTime comes back */
	n = drove__ctrl_events_latest(&s, 1234, 10, &v, &sync);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(sync, 1234);
	for (int i = 1; i <= 5; i++)
		ck_assert_int_eq(
		        drove__ctrl_events_add(&s, ev_at(DROVE_EVENT_APP_STATE_CHANGE, 100 * i)),
		        0);
	/* time > lastSyncTime, newest first, truncated to size */
	n = drove__ctrl_events_latest(&s, 200, 2, &v, &sync);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(v[0]->time, 500);
	ck_assert_int_eq(v[1]->time, 400);
	ck_assert_int_eq(sync, 500);
	free(v);
	n = drove__ctrl_events_latest(&s, 500, 10, &v, &sync);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(sync, 500);
	n = drove__ctrl_events_latest(&s, 0, 0, &v, &sync);
	ck_assert_int_eq(n, 0);
	/* a clock stepping back keeps the order */
	ck_assert_int_eq(drove__ctrl_events_add(&s, ev_at(DROVE_EVENT_EXECUTOR_ADDED, 50)), 0);
	n = drove__ctrl_events_latest(&s, 0, 1, &v, &sync);
	ck_assert_int_eq(v[0]->type, DROVE_EVENT_EXECUTOR_ADDED);
	ck_assert_int_eq(v[0]->time, 500);
	free(v);
	drove__ctrl_events_clear(&s);
}
END_TEST

START_TEST(test_events_summary_purge)
{
	drove__ctrl_events s = {0};
	size_t counts[DROVE_EVENT_LEADERSHIP_LOST + 1];
	int64_t sync;

	for (int i = 1; i <= 300; i++)
		drove__ctrl_events_add(&s, ev_at(i % 3 ? DROVE_EVENT_INSTANCE_STATE_CHANGE
		                                       : DROVE_EVENT_APP_STATE_CHANGE,
		                                 i));
	drove__ctrl_events_summary(&s, 150, counts, DROVE_ARRAY_LEN(counts), &sync);
	ck_assert_uint_eq(counts[DROVE_EVENT_APP_STATE_CHANGE], 50);
	ck_assert_uint_eq(counts[DROVE_EVENT_INSTANCE_STATE_CHANGE], 100);
	ck_assert_int_eq(sync, 300);
	drove__ctrl_events_purge(&s, 201);
	ck_assert_uint_eq(drove__ctrl_events_count(&s), 100);
	drove__ctrl_events_summary(&s, 0, counts, DROVE_ARRAY_LEN(counts), &sync);
	ck_assert_uint_eq(counts[DROVE_EVENT_APP_STATE_CHANGE] +
	                          counts[DROVE_EVENT_INSTANCE_STATE_CHANGE],
	                  100);
	/* adding after a purge compacts rather than growing forever */
	for (int i = 301; i <= 700; i++)
		drove__ctrl_events_add(&s, ev_at(DROVE_EVENT_APP_STATE_CHANGE, i));
	ck_assert_uint_eq(drove__ctrl_events_count(&s), 500);
	drove__ctrl_events_purge(&s, 10000);
	ck_assert_uint_eq(drove__ctrl_events_count(&s), 0);
	drove__ctrl_events_summary(&s, 7, counts, DROVE_ARRAY_LEN(counts), &sync);
	ck_assert_int_eq(sync, 7);
	drove__ctrl_events_clear(&s);
}
END_TEST

/* ---- apps built from the sample spec ---- */

static drove__ctrl_app *sample_app(const char *id, int state)
{
	size_t len;
	char *json = drove_test_read_source_file("tests/data/model/application.json", &len);
	drove__ctrl_app *app = calloc(1, sizeof(*app));
	drove_app_info *info = calloc(1, sizeof(*info));

	ck_assert_int_eq(drove__app_spec_decode(json, len, 0, &info->spec, NULL, NULL), 0);
	free(json);
	info->app_id = strdup(id);
	info->instances = 2;
	info->created = info->updated = 1000;
	app->id = strdup(id);
	app->info = info;
	app->state = state;
	app->cpus = 1;
	app->mem_mb = 64;
	return app;
}

static void add_inst(drove__ctrl_app *app, const char *iid, int state, int64_t created,
                     int64_t seen, const char *port_name, int host_port)
{
	drove__ctrl_inst *in = calloc(1, sizeof(*in));
	drove_instance_info *ii = calloc(1, sizeof(*ii));
	ii->app_id = strdup(app->id);
	ii->app_name = strdup(app->info->spec->name);
	ii->instance_id = strdup(iid);
	ii->executor_id = strdup("e1");
	ii->state = (enum drove_instance_state)state;
	ii->created = created;
	ii->local_info = calloc(1, sizeof(*ii->local_info));
	ii->local_info->hostname = strdup("host1");
	ii->local_info->ports = calloc(1, sizeof(*ii->local_info->ports));
	ii->local_info->n_ports = 1;
	ii->local_info->ports[0].name = strdup(port_name);
	ii->local_info->ports[0].host_port = host_port;
	ii->local_info->ports[0].container_port = 8000;
	in->info = ii;
	in->seen_ms = seen;
	drove__grow(&app->insts, &app->cap_insts, app->n_insts + 1, sizeof(*app->insts));
	app->insts[app->n_insts++] = in;
}

static void free_app(drove__ctrl_app *app)
{
	for (size_t i = 0; i < app->n_insts; i++) {
		drove__instance_info_free(app->insts[i]->info);
		free(app->insts[i]);
	}
	free(app->insts);
	drove__app_info_free(app->info);
	free(app->id);
	free(app);
}

START_TEST(test_endpoints_filtering)
{
	int64_t now = 100000;
	drove__ctrl_app *apps[3];
	struct json_object *j, *hosts;
	drove_strlist *names = NULL;
	const char *txt;

	apps[0] = sample_app("DROVE_TEST_APP-1", DROVE_APP_RUNNING);
	apps[1] = sample_app("DROVE_TEST_APP-2", DROVE_APP_MONITORING); /* not active */
	apps[2] = sample_app("DROVE_TEST_APP-3", DROVE_APP_SCALING_REQUESTED);
	add_inst(apps[0], "AI-b", DROVE_INST_HEALTHY, 20, now, "main", 2002);
	add_inst(apps[0], "AI-a", DROVE_INST_HEALTHY, 10, now, "main", 2001);
	add_inst(apps[0], "AI-stale", DROVE_INST_HEALTHY, 5, now - 61000, "main", 2000);
	add_inst(apps[0], "AI-unready", DROVE_INST_UNREADY, 1, now, "main", 1999);
	add_inst(apps[0], "AI-otherport", DROVE_INST_HEALTHY, 30, now, "admin", 3000);
	add_inst(apps[1], "AI-m", DROVE_INST_HEALTHY, 1, now, "main", 4000);

	j = drove__ctrl_endpoints(apps, 3, NULL, now, 60000, false);
	ck_assert_int_eq(json_object_array_length(j), 2);
	hosts = json_object_object_get(json_object_array_get_idx(j, 0), "hosts");
	ck_assert_int_eq(json_object_array_length(hosts), 2);
	/* sorted by created; the host port */
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
	                         json_object_array_get_idx(hosts, 0), "port")),
	                 2001);
	txt = json_object_to_json_string_ext(json_object_array_get_idx(hosts, 0),
	                                     JSON_C_TO_STRING_PLAIN);
	ck_assert_str_eq(txt, "{\"host\":\"host1\",\"port\":2001,\"portType\":\"HTTP\"}");
	/* zero healthy: included with hosts [] */
	ck_assert_int_eq(json_object_array_length(
	                         json_object_object_get(json_object_array_get_idx(j, 1), "hosts")),
	                 0);
	ck_assert_str_eq(json_object_get_string(
	                         json_object_object_get(json_object_array_get_idx(j, 0), "vhost")),
	                 "testapp.local");
	json_object_put(j);
	/* in the maintenance window the staleness filter is skipped */
	j = drove__ctrl_endpoints(apps, 3, NULL, now, 60000, true);
	ck_assert_int_eq(json_object_array_length(
	                         json_object_object_get(json_object_array_get_idx(j, 0), "hosts")),
	                 3);
	json_object_put(j);
	/* by name */
	drove_strlist_new(&names);
	drove_strlist_add(names, "OTHER");
	j = drove__ctrl_endpoints(apps, 3, names, now, 60000, false);
	ck_assert_int_eq(json_object_array_length(j), 0);
	json_object_put(j);
	drove_strlist_add(names, "DROVE_TEST_APP");
	j = drove__ctrl_endpoints(apps, 3, names, now, 60000, false);
	ck_assert_int_eq(json_object_array_length(j), 2);
	json_object_put(j);
	drove_strlist_free(names);
	for (int i = 0; i < 3; i++)
		free_app(apps[i]);
}
END_TEST

START_TEST(test_summary_and_masking)
{
	drove__ctrl_app *app = sample_app("DROVE_TEST_APP-1", DROVE_APP_RUNNING);
	struct json_object *j, *configs;
	int64_t now = 100000;

	add_inst(app, "AI-1", DROVE_INST_HEALTHY, 1, now, "main", 1);
	add_inst(app, "AI-2", DROVE_INST_HEALTHY, 1, now - 70000, "main", 2); /* stale */
	j = drove__ctrl_app_summary(app, now, 60000);
	ck_assert_str_eq(
	        json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
	        "{\"id\":\"DROVE_TEST_APP-1\",\"name\":\"DROVE_TEST_APP\","
	        "\"requiredInstances\":2,\"healthyInstances\":1,\"totalCPUs\":2,"
	        "\"totalMemory\":128,\"tags\":{\"owner\":\"drove-c\"},\"state\":\"RUNNING\","
	        "\"created\":1000,\"updated\":1000}");
	json_object_put(j);
	j = drove__ctrl_masked_spec(app->info->spec);
	configs = json_object_object_get(j, "configs");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
	                         json_object_array_get_idx(configs, 0), "data")),
	                 "");
	json_object_put(j);
	/* the stored spec is untouched */
	ck_assert_uint_eq(app->info->spec->configs[0].data_len, 3);
	ck_assert_int_eq(drove__ctrl_max_start_ms(app->info->spec), 100000 + 18000 + 15000);
	ck_assert_int_eq(drove__ctrl_max_stop_ms(app->info->spec), 1000);
	free_app(app);
}
END_TEST

START_TEST(test_instance_spec)
{
	drove__ctrl_app *app = sample_app("DROVE_TEST_APP-1", DROVE_APP_RUNNING);
	drove_app_instance_spec *s = NULL;
	int cores[] = {4, 5};
	char *json = NULL;

	ck_assert_int_eq(
	        drove__ctrl_instance_spec(app->info->spec, app->id, "AI-x", 1, cores, 2, 64, &s),
	        0);
	ck_assert_str_eq(s->app_id, "DROVE_TEST_APP-1");
	ck_assert_str_eq(s->app_name, "DROVE_TEST_APP");
	ck_assert_uint_eq(s->n_ports, 1);
	ck_assert_uint_eq(s->n_configs, 1);
	ck_assert_ptr_nonnull(s->healthcheck);
	ck_assert_str_eq(s->instance_auth_token, "");
	ck_assert_int_eq(drove__app_instance_spec_encode(s, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "{\"type\":\"CPU\",\"cores\":{\"1\":[4,5]}}"));
	ck_assert_ptr_nonnull(strstr(json, "{\"type\":\"MEMORY\",\"memoryInMB\":{\"1\":64}}"));
	free(json);
	drove__app_instance_spec_free(s);
	free_app(app);
}
END_TEST

/* ---- known instances (§8.5) ---- */

static int64_t expected(const char *app_id, void *ud)
{
	(void)ud;
	if (!strcmp(app_id, "RUN-1"))
		return 2;
	if (!strcmp(app_id, "SUSPENDED-1"))
		return 0;
	return -1;
}

static bool inst_lost(const drove_instance_info *in, void *ud)
{
	(void)ud;
	return !strcmp(in->instance_id, "AI-1");
}

/* the leader's scale-down job still stops AI-2 (of SUSPENDED-1) and AI-1 */
static bool inst_live(const drove_instance_info *in, void *ud)
{
	(void)ud;
	return !strcmp(in->instance_id, "AI-2") || !strcmp(in->instance_id, "AI-1");
}

static bool task_known(const drove_task_info *t, void *ud)
{
	(void)ud;
	return !strcmp(t->instance_id, "TI-tracked");
}

static bool lsi_known(const drove_ls_instance_info *li, void *ud)
{
	(void)ud;
	return !strcmp(li->instance_id, "SI-tracked");
}

START_TEST(test_known_instances)
{
	drove__ctrl_known_fns fns = {.app_expected = expected};
	drove_node_data nd = {0};
	drove_instance_info insts[3] = {0};
	drove_ls_instance_info ls[2] = {0};
	drove_task_info tasks[2] = {0};
	drove_known_instances *k = NULL;
	drove_strlist *extra = NULL;

	insts[0].app_id = "RUN-1";
	insts[0].instance_id = "AI-1";
	insts[1].app_id = "SUSPENDED-1";
	insts[1].instance_id = "AI-2";
	insts[2].app_id = "GONE-1";
	insts[2].instance_id = "AI-3";
	ls[0].instance_id = "SI-1";
	nd.instances = insts;
	nd.n_instances = 3;
	nd.service_instances = ls;
	nd.n_service_instances = 1;
	drove_strlist_new(&extra);
	drove_strlist_add(extra, "AI-starting");
	ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, extra, NULL, &k), 0);
	ck_assert_uint_eq(k->n_app_instance_ids, 2);
	ck_assert_str_eq(k->app_instance_ids[0], "AI-starting");
	ck_assert_str_eq(k->app_instance_ids[1], "AI-1");
	ck_assert_uint_eq(k->n_stale_app_instance_ids, 2);
	ck_assert_str_eq(k->stale_app_instance_ids[0], "AI-2");
	ck_assert_str_eq(k->stale_app_instance_ids[1], "AI-3");
	ck_assert_uint_eq(k->n_stale_local_service_instance_ids, 1);
	drove__known_instances_free(k);
	/* an instance the leader declared LOST is stale although its app expects instances */
	fns.app_inst_lost = inst_lost;
	ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, extra, NULL, &k), 0);
	ck_assert_uint_eq(k->n_app_instance_ids, 1);
	ck_assert_str_eq(k->app_instance_ids[0], "AI-starting");
	ck_assert_uint_eq(k->n_stale_app_instance_ids, 3);
	ck_assert_str_eq(k->stale_app_instance_ids[0], "AI-1");
	drove__known_instances_free(k);
	/* an instance of an app scaled to none that the leader still stops itself is known (the
	 * executor kills what is stale at once); LOST wins over a live record */
	fns.app_inst_live = inst_live;
	ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, extra, NULL, &k), 0);
	ck_assert_uint_eq(k->n_app_instance_ids, 2);
	ck_assert_str_eq(k->app_instance_ids[1], "AI-2");
	ck_assert_uint_eq(k->n_stale_app_instance_ids, 2);
	ck_assert_str_eq(k->stale_app_instance_ids[0], "AI-1");
	ck_assert_str_eq(k->stale_app_instance_ids[1], "AI-3");
	drove__known_instances_free(k);
	fns.app_inst_live = NULL;
	fns.app_inst_lost = NULL;
	/* no snapshot: only the extras */
	ck_assert_int_eq(drove__ctrl_known_instances(NULL, &fns, extra, NULL, &k), 0);
	ck_assert_uint_eq(k->n_app_instance_ids, 1);
	ck_assert_uint_eq(k->n_stale_app_instance_ids, 0);
	drove__known_instances_free(k);
	/* the records' LOST instances are stale too, after the node's, each once */
	{
		drove_strlist *lost = NULL;
		drove_strlist_new(&lost);
		drove_strlist_add(lost, "AI-3");
		drove_strlist_add(lost, "AI-lost");
		ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, NULL, lost, &k), 0);
		ck_assert_uint_eq(k->n_stale_app_instance_ids, 3);
		ck_assert_str_eq(k->stale_app_instance_ids[0], "AI-2");
		ck_assert_str_eq(k->stale_app_instance_ids[1], "AI-3");
		ck_assert_str_eq(k->stale_app_instance_ids[2], "AI-lost");
		drove__known_instances_free(k);
		ck_assert_int_eq(drove__ctrl_known_instances(NULL, &fns, NULL, lost, &k), 0);
		ck_assert_uint_eq(k->n_app_instance_ids, 0);
		ck_assert_uint_eq(k->n_stale_app_instance_ids, 2);
		drove__known_instances_free(k);
		drove_strlist_free(lost);
	}
	/* tasks: without a classifier, active ones are known; with one, as it says */
	tasks[0].instance_id = "TI-tracked";
	tasks[0].state = DROVE_TASK_STOPPED;
	tasks[1].instance_id = "TI-other";
	tasks[1].state = DROVE_TASK_RUNNING;
	nd.tasks = tasks;
	nd.n_tasks = 2;
	ls[1].instance_id = "SI-tracked";
	nd.n_service_instances = 2;
	ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, NULL, NULL, &k), 0);
	ck_assert_uint_eq(k->n_task_instance_ids, 1);
	ck_assert_str_eq(k->task_instance_ids[0], "TI-other");
	ck_assert_uint_eq(k->n_stale_local_service_instance_ids, 2);
	ck_assert_uint_eq(k->n_local_service_instance_ids, 0);
	drove__known_instances_free(k);
	fns.task_known = task_known;
	fns.lsi_known = lsi_known;
	ck_assert_int_eq(drove__ctrl_known_instances(&nd, &fns, NULL, NULL, &k), 0);
	ck_assert_uint_eq(k->n_task_instance_ids, 1);
	ck_assert_str_eq(k->task_instance_ids[0], "TI-tracked");
	ck_assert_uint_eq(k->n_stale_task_instance_ids, 1);
	ck_assert_str_eq(k->stale_task_instance_ids[0], "TI-other");
	ck_assert_uint_eq(k->n_local_service_instance_ids, 1);
	ck_assert_str_eq(k->local_service_instance_ids[0], "SI-tracked");
	ck_assert_uint_eq(k->n_stale_local_service_instance_ids, 1);
	ck_assert_str_eq(k->stale_local_service_instance_ids[0], "SI-1");
	drove__known_instances_free(k);
	drove_strlist_free(extra);
}
END_TEST

/* ---- policy conversion, checked through placements ---- */

static void add_exec(drove_sched *s, const char *id, const char *tag, int ncores)
{
	drove_sched_snapshot *snap = NULL;
	int cores[16];
	for (int i = 0; i < ncores; i++)
		cores[i] = i;
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, id, 3000), 0);
	if (tag)
		drove_sched_snapshot_add_tag(snap, tag);
	drove_sched_snapshot_set_free_cores(snap, 0, cores, (size_t)ncores);
	drove_sched_snapshot_set_memory(snap, 0, 4096, 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

START_TEST(test_policy_convert)
{
	drove_sched *s = NULL;
	drove_sched_session *sess = NULL;
	drove_sched_policy *sp = NULL;
	drove_sched_alloc *a = NULL;
	drove_placement_policy tag = {.type = DROVE_PLACE_MATCH_TAG, .tag = "gpu"};
	drove_placement_policy kids[2] = {{.type = DROVE_PLACE_ONE_PER_HOST},
	                                  {.type = DROVE_PLACE_ANY}};
	drove_placement_policy comp = {
	        .type = DROVE_PLACE_COMPOSITE, .policies = kids, .n_policies = 2};
	drove_placement_policy bad = {.type = DROVE_PLACE_MAX_N_PER_HOST, .max = 0};

	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	add_exec(s, "plain1", NULL, 8);
	add_exec(s, "plain2", NULL, 8);
	add_exec(s, "tagged", "gpu", 8);
	/* MATCH_TAG lands on the tagged host */
	ck_assert_int_eq(drove__ctrl_policy_convert(&tag, &sp), 0);
	ck_assert_int_eq(drove_sched_session_new(&sess, s, DROVE_KIND_APP, "A-1"), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(drove_sched_place(s, sess, sp, 1, 64, &a), 0);
		ck_assert_str_eq(drove_sched_alloc_executor(a), "tagged");
		drove_sched_alloc_free(a);
	}
	drove_sched_policy_free(sp);
	drove_sched_session_free(sess);
	/* NULL (ANY): the implicit NO_TAG keeps work off the tagged host; ONE_PER_HOST in a
	 * composite allows two instances on the two plain hosts, then none */
	ck_assert_int_eq(drove__ctrl_policy_convert(&comp, &sp), 0);
	ck_assert_int_eq(drove_sched_session_new(&sess, s, DROVE_KIND_APP, "B-1"), 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(drove_sched_place(s, sess, sp, 1, 64, &a), 0);
		ck_assert_str_ne(drove_sched_alloc_executor(a), "tagged");
		drove_sched_alloc_free(a);
	}
	ck_assert_int_eq(drove_sched_place(s, sess, sp, 1, 64, &a), DROVE_ENORESOURCE);
	drove_sched_policy_free(sp);
	drove_sched_session_free(sess);
	ck_assert_int_eq(drove__ctrl_policy_convert(NULL, &sp), 0);
	drove_sched_policy_free(sp);
	sp = NULL;
	ck_assert_int_eq(drove__ctrl_policy_convert(&bad, &sp), DROVE_EINVAL);
	ck_assert_ptr_null(sp);
	drove_sched_free(s);
}
END_TEST

START_TEST(test_sched_snapshot_from_node_data)
{
	size_t len;
	char *json = drove_test_read_source_file("tests/data/model/executor_node.json", &len);
	drove_node_data *nd = NULL;
	drove_sched_snapshot *snap = NULL;
	drove_sched *s = NULL;
	int fc;
	int64_t fm;

	ck_assert_int_eq(drove__node_data_decode(json, len, 0, &nd, NULL, NULL), 0);
	free(json);
	ck_assert_int_eq(drove__ctrl_sched_snapshot(nd->state->executor_id, nd, &snap), 0);
	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	ck_assert_int_eq(drove_sched_executor_node_free(s, nd->state->executor_id, 0, &fc, &fm), 0);
	ck_assert_int_eq(fc, (int)nd->state->cpus->free_cores[0].n_cores);
	ck_assert_int_eq(fm, nd->state->memory->free_memory[0].mb);
	drove_sched_snapshot_free(snap);
	drove_sched_free(s);
	drove__node_data_free(nd);
}
END_TEST

START_TEST(test_event_metadata)
{
	drove__ctrl_app *app = sample_app("DROVE_TEST_APP-1", DROVE_APP_RUNNING);
	drove_event *ev = drove__ctrl_event_new(ctx, DROVE_EVENT_APP_STATE_CHANGE);
	char *json = NULL;

	ck_assert_int_eq(drove__ctrl_event_app(ev, app), 0);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "PORTS"), "main:8000:http");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_STATE"), "RUNNING");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "VHOST"), "testapp.local");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "PLACEMENT_POLICY"), "ANY");
	ck_assert_int_eq(drove__event_encode(ev, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"CURRENT_INSTANCES\":2"));
	free(json);
	drove__event_free(ev);
	add_inst(app, "AI-1", DROVE_INST_HEALTHY, 77, 0, "main", 31000);
	ev = drove__ctrl_event_new(ctx, DROVE_EVENT_INSTANCE_STATE_CHANGE);
	ck_assert_int_eq(drove__ctrl_event_instance(ev, app->insts[0]->info), 0);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "PORTS"), "main:31000:http");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "EXECUTOR_HOST"), "host1");
	ck_assert_ptr_null(drove_strmap_get(ev->metadata, "ERROR"));
	drove__event_free(ev);
	free_app(app);
}
END_TEST

/* ---- liveness pings in slices (issue 21) ---- */

START_TEST(test_probe_offsets_are_stable)
{
	char id[DROVE_UUID_LEN + 1];

	/* FNV-1a 64: the same offsets on every controller, run and build */
	ck_assert_uint_eq(drove__ctrl_id_hash(""), 14695981039346656037ULL);
	ck_assert_uint_eq(drove__ctrl_id_hash("a"), 0xaf63dc4c8601ec8cULL);
	ck_assert_uint_eq(drove__ctrl_id_hash(NULL), drove__ctrl_id_hash(""));
	ck_assert_int_eq(drove_executor_id("host7", 3000, id, sizeof(id)), 0);
	ck_assert_uint_eq(drove__ctrl_id_hash(id), drove__ctrl_id_hash(id));
	for (int64_t iv = 1; iv < 100000; iv = iv * 3 + 1) {
		int64_t off = drove__ctrl_probe_offset(drove__ctrl_id_hash(id), iv);
		ck_assert_int_ge(off, 0);
		ck_assert_int_lt(off, iv);
	}
	ck_assert_int_eq(drove__ctrl_probe_offset(12345, 0), 0);
	/* the tick's period: 20 ms, or the interval if shorter */
	ck_assert_int_eq(DROVE__CTRL_PROBE_TICK_MS(1000), 20);
	ck_assert_int_eq(DROVE__CTRL_PROBE_TICK_MS(10000), 20);
	ck_assert_int_eq(DROVE__CTRL_PROBE_TICK_MS(100), 20);
	ck_assert_int_eq(DROVE__CTRL_PROBE_TICK_MS(5), 5);
}
END_TEST

START_TEST(test_probe_due_window)
{
	/* offset 300 in 1000 ms: due in the tick whose span (last, now] holds 300 (mod 1000) */
	ck_assert(drove__ctrl_probe_due(300, 280, 300, 1000));
	ck_assert(!drove__ctrl_probe_due(300, 300, 320, 1000));
	ck_assert(!drove__ctrl_probe_due(300, 260, 280, 1000));
	ck_assert(drove__ctrl_probe_due(300, 5290, 5310, 1000));
	ck_assert(!drove__ctrl_probe_due(300, 5310, 6290, 1000));
	/* a span crossing the interval's end, and times before the first offset */
	ck_assert(drove__ctrl_probe_due(0, 990, 1010, 1000));
	ck_assert(drove__ctrl_probe_due(5, 995, 1005, 1000));
	ck_assert(!drove__ctrl_probe_due(500, 10, 30, 1000));
	ck_assert(drove__ctrl_probe_due(20, 10, 30, 1000));
	/* after a stall of an interval or more, everyone once; an empty span, no one */
	ck_assert(drove__ctrl_probe_due(300, 400, 1400, 1000));
	ck_assert(drove__ctrl_probe_due(300, 400, 9000, 1000));
	ck_assert(!drove__ctrl_probe_due(300, 300, 300, 1000));
	ck_assert(!drove__ctrl_probe_due(300, 310, 300, 1000));
	ck_assert(!drove__ctrl_probe_due(0, 0, 10, 0));
}
END_TEST

START_TEST(test_probe_every_executor_once_per_interval)
{
	enum { N = 1000, ROUNDS = 5 };
	static int64_t off[N];
	static int pinged[N];
	char id[DROVE_UUID_LEN + 1];
	const int64_t ivs[] = {1000, 10000, 997};

	for (size_t v = 0; v < sizeof(ivs) / sizeof(ivs[0]); v++) {
		int64_t iv = ivs[v], slice = DROVE__CTRL_PROBE_TICK_MS(iv);
		int64_t start = 123456789, last = start, now, max_tick = 0;
		unsigned seed = 7;

		for (int i = 0; i < N; i++) {
			char host[32];
			snprintf(host, sizeof(host), "exec-%d.example", i);
			ck_assert_int_eq(drove_executor_id(host, 3000 + i % 7, id, sizeof(id)), 0);
			off[i] = drove__ctrl_probe_offset(drove__ctrl_id_hash(id), iv);
			pinged[i] = 0;
		}
		/* ticks late by up to a slice (a loop busy elsewhere), ending exactly ROUNDS
		 * intervals after the start: every executor is pinged exactly ROUNDS times */
		while (last < start + ROUNDS * iv) {
			int in_tick = 0;
			seed = seed * 1103515245u + 12345u;
			now = last + slice + (int64_t)((seed >> 16) % (unsigned)slice);
			if (now > start + ROUNDS * iv)
				now = start + ROUNDS * iv;
			for (int i = 0; i < N; i++)
				if (drove__ctrl_probe_due(off[i], last, now, iv)) {
					pinged[i]++;
					in_tick++;
				}
			if (in_tick > max_tick)
				max_tick = in_tick;
			last = now;
		}
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(pinged[i], ROUNDS);
		/* a tick's share: 20 ms of the interval on average (at most 40 ms here), never
		 * all of them at once */
		ck_assert_int_lt(max_tick, N * 40 / iv + N / 20);
	}
}
END_TEST

/* ---- the apps' instance records by executor (issue 21) ---- */

static drove__ctrl_inst *bx_inst(const char *exec_id)
{
	drove__ctrl_inst *in = calloc(1, sizeof(*in));
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(in->info = calloc(1, sizeof(*in->info)));
	in->info->executor_id = exec_id ? strdup(exec_id) : NULL;
	return in;
}

/* 1 when `in` is among the records the index lists for `exec_id`. */
static bool bx_has(const drove__ctrl_byexec *x, const char *exec_id, const drove__ctrl_inst *in)
{
	size_t n;
	const drove__ctrl_bxent *v = drove__ctrl_byexec_of(x, exec_id, &n);
	for (size_t i = 0; i < n; i++)
		if (v[i].in == in)
			return true;
	return false;
}

START_TEST(test_byexec_index)
{
	enum { EXECS = 300, PER = 7 };
	drove__ctrl_byexec *x = NULL;
	drove__ctrl_app app = {0};
	static drove__ctrl_inst *ins[EXECS][PER];
	char id[32];
	size_t n;

	ck_assert_ptr_null(drove__ctrl_byexec_of(NULL, "e1", &n));
	ck_assert_uint_eq(n, 0);
	/* no executor yet: not indexed, and no index made */
	drove__ctrl_inst *none = bx_inst(NULL);
	ck_assert_int_eq(drove__ctrl_byexec_add(&x, &app, none), 0);
	ck_assert_ptr_null(x);
	/* many executors: the table grows past its first size */
	for (int e = 0; e < EXECS; e++)
		for (int i = 0; i < PER; i++) {
			snprintf(id, sizeof(id), "exec-%d", e);
			ins[e][i] = bx_inst(id);
			ck_assert_int_eq(drove__ctrl_byexec_add(&x, &app, ins[e][i]), 0);
			ck_assert_int_eq(drove__ctrl_byexec_add(&x, &app, ins[e][i]),
			                 0); /* again */
		}
	for (int e = 0; e < EXECS; e++) {
		snprintf(id, sizeof(id), "exec-%d", e);
		ck_assert_ptr_nonnull(drove__ctrl_byexec_of(x, id, &n));
		ck_assert_uint_eq(n, PER);
		for (int i = 0; i < PER; i++)
			ck_assert(bx_has(x, id, ins[e][i]));
	}
	ck_assert_ptr_null(drove__ctrl_byexec_of(x, "exec-none", &n));
	ck_assert_uint_eq(n, 0);
	/* freeing a record takes it out; the others keep their places */
	drove__ctrl_inst_free(ins[5][0]);
	drove__ctrl_inst_free(ins[5][3]);
	drove__ctrl_inst_free(ins[5][PER - 1]);
	ins[5][0] = ins[5][3] = ins[5][PER - 1] = NULL;
	drove__ctrl_byexec_of(x, "exec-5", &n);
	ck_assert_uint_eq(n, PER - 3);
	for (int i = 0; i < PER; i++)
		ck_assert(!ins[5][i] || bx_has(x, "exec-5", ins[5][i]));
	/* a record whose executor changed moves; one that lost it leaves */
	free(ins[7][1]->info->executor_id);
	ins[7][1]->info->executor_id = strdup("exec-8");
	ck_assert_int_eq(drove__ctrl_byexec_add(&x, &app, ins[7][1]), 0);
	ck_assert(!bx_has(x, "exec-7", ins[7][1]));
	ck_assert(bx_has(x, "exec-8", ins[7][1]));
	drove__ctrl_byexec_of(x, "exec-8", &n);
	ck_assert_uint_eq(n, PER + 1);
	free(ins[9][2]->info->executor_id);
	ins[9][2]->info->executor_id = NULL;
	ck_assert_int_eq(drove__ctrl_byexec_add(&x, &app, ins[9][2]), 0);
	ck_assert(!bx_has(x, "exec-9", ins[9][2]));
	ck_assert_ptr_null(ins[9][2]->bx);
	/* records outliving the index are unlinked, then free on their own */
	drove__ctrl_byexec_free(x);
	for (int e = 0; e < EXECS; e++)
		for (int i = 0; i < PER; i++) {
			if (ins[e][i])
				ck_assert_ptr_null(ins[e][i]->bx);
			drove__ctrl_inst_free(ins[e][i]);
		}
	drove__ctrl_inst_free(none);
	drove__ctrl_byexec_free(NULL);
}
END_TEST

Suite *ctrl_suite(void)
{
	Suite *s = suite_create("ctrl");
	TCase *fsm = tcase_create("state machine");
	TCase *ev = tcase_create("events");
	TCase *views = tcase_create("views");
	TCase *probe = tcase_create("probe slices");

	tcase_add_checked_fixture(fsm, setup, teardown);
	tcase_add_test(fsm, test_allowed_ops_table);
	tcase_add_test(fsm, test_transitions_table);
	tcase_add_test(fsm, test_check_op_messages);
	tcase_add_test(fsm, test_plan_scale);
	suite_add_tcase(s, fsm);
	tcase_add_checked_fixture(ev, setup, teardown);
	tcase_add_test(ev, test_events_latest_and_sync);
	tcase_add_test(ev, test_events_summary_purge);
	suite_add_tcase(s, ev);
	tcase_add_checked_fixture(views, setup, teardown);
	tcase_add_test(views, test_endpoints_filtering);
	tcase_add_test(views, test_summary_and_masking);
	tcase_add_test(views, test_instance_spec);
	tcase_add_test(views, test_known_instances);
	tcase_add_test(views, test_policy_convert);
	tcase_add_test(views, test_sched_snapshot_from_node_data);
	tcase_add_test(views, test_event_metadata);
	suite_add_tcase(s, views);
	tcase_add_test(probe, test_probe_offsets_are_stable);
	tcase_add_test(probe, test_probe_due_window);
	tcase_add_test(probe, test_probe_every_executor_once_per_interval);
	tcase_add_test(probe, test_byexec_index);
	suite_add_tcase(s, probe);
	return s;
}
