/* The pure parts of the controller's local services (libdrove/ctrl/lsvc_pure.c): the §5.4
 * tables and rejection messages, the operation decoder, the per-executor plan, the summary,
 * event metadata, the LocalServiceInstanceSpec and the rule that pins a placement to one
 * executor. */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "ctrl/lsvc.h"
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

#define OB(op) DROVE__LS_OP_BIT(DROVE_LS_OP_##op)

START_TEST(test_allowed_ops)
{
	ck_assert_uint_eq(drove__lsvc_allowed_ops(DROVE_LS_INACTIVE),
	                  OB(ACTIVATE) | OB(DEPLOY_TEST_INSTANCE) | OB(ADJUST_INSTANCES) |
	                          OB(DESTROY) | OB(UPDATE_INSTANCE_COUNT));
	ck_assert_uint_eq(drove__lsvc_allowed_ops(DROVE_LS_CONFIG_TESTING),
	                  OB(ACTIVATE) | OB(DEACTIVATE) | OB(ADJUST_INSTANCES) |
	                          OB(REPLACE_INSTANCES) | OB(RESTART) | OB(STOP_INSTANCES));
	ck_assert_uint_eq(drove__lsvc_allowed_ops(DROVE_LS_ACTIVE),
	                  OB(DEACTIVATE) | OB(UPDATE_INSTANCE_COUNT) | OB(ADJUST_INSTANCES) |
	                          OB(REPLACE_INSTANCES) | OB(RESTART) | OB(STOP_INSTANCES));
	ck_assert_uint_eq(drove__lsvc_allowed_ops(DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED),
	                  OB(DEACTIVATE));
	for (int st = DROVE_LS_INIT; st <= DROVE_LS_DESTROYED; st++)
		if (st != DROVE_LS_INACTIVE && st != DROVE_LS_ACTIVE &&
		    st != DROVE_LS_CONFIG_TESTING &&
		    st != DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED)
			ck_assert_uint_eq(drove__lsvc_allowed_ops(st), 0);
	ck_assert_uint_eq(drove__lsvc_allowed_ops(-1), 0);
	ck_assert_uint_eq(drove__lsvc_allowed_ops(99), 0);
	/* DESTROY only when INACTIVE; UPDATE_INSTANCE_COUNT not while config testing */
	ck_assert(!(drove__lsvc_allowed_ops(DROVE_LS_ACTIVE) & OB(DESTROY)));
	ck_assert(!(drove__lsvc_allowed_ops(DROVE_LS_CONFIG_TESTING) & OB(UPDATE_INSTANCE_COUNT)));
}
END_TEST

START_TEST(test_check_op_messages)
{
	ck_assert_int_eq(drove__lsvc_check_op(DROVE_LS_INACTIVE, DROVE_LS_OP_ACTIVATE, "S-1"), 0);
	ck_assert_int_eq(drove__lsvc_check_op(DROVE_LS_ACTIVE, DROVE_LS_OP_DESTROY, "S-1"),
	                 DROVE_EINVAL);
	ck_assert_str_eq(drove_error_last()->message,
	                 "Only [DEACTIVATE, UPDATE_INSTANCE_COUNT, ADJUST_INSTANCES, "
	                 "REPLACE_INSTANCES, RESTART, STOP_INSTANCES] allowed for local service "
	                 "S-1 as it is in ACTIVE state");
	ck_assert_int_eq(drove__lsvc_check_op(DROVE_LS_CONFIG_TESTING,
	                                      DROVE_LS_OP_UPDATE_INSTANCE_COUNT, "S-1"),
	                 DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "in CONFIG_TESTING state"));
	ck_assert_int_eq(
	        drove__lsvc_check_op(DROVE_LS_ADJUSTING_INSTANCES, DROVE_LS_OP_DEACTIVATE, "S-1"),
	        DROVE_EINVAL);
	ck_assert_str_eq(drove_error_last()->message,
	                 "No operations allowed for local service S-1 as it is in "
	                 "ADJUSTING_INSTANCES state");
	ck_assert_int_eq(drove__lsvc_check_op(DROVE_LS_INACTIVE, 77, "S-1"), DROVE_EINVAL);
	ck_assert_int_eq(drove__lsvc_check_op(DROVE_LS_INACTIVE, -1, "S-1"), DROVE_EINVAL);
}
END_TEST

START_TEST(test_transitions)
{
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_INIT, DROVE_LS_ACTIVE));
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_INIT, DROVE_LS_INACTIVE));
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_INACTIVE, DROVE_LS_CONFIG_TESTING_REQUESTED));
	ck_assert(!drove__lsvc_transition_ok(DROVE_LS_ACTIVE, DROVE_LS_CONFIG_TESTING_REQUESTED));
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_ACTIVE, DROVE_LS_ADJUSTING_INSTANCES));
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_ADJUSTING_INSTANCES,
	                                    DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED));
	ck_assert(!drove__lsvc_transition_ok(DROVE_LS_STOPPING_INSTANCES,
	                                     DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED));
	ck_assert(drove__lsvc_transition_ok(DROVE_LS_DESTROY_REQUESTED, DROVE_LS_DESTROYED));
	ck_assert(!drove__lsvc_transition_ok(DROVE_LS_DESTROY_REQUESTED, DROVE_LS_ACTIVE));
	ck_assert(!drove__lsvc_transition_ok(DROVE_LS_DESTROYED, DROVE_LS_ACTIVE));
	ck_assert(!drove__lsvc_transition_ok(DROVE_LS_ACTIVE, 99));
	ck_assert_int_eq(drove__lsvc_stable_state(DROVE_LS_ACT_ACTIVE), DROVE_LS_ACTIVE);
	ck_assert_int_eq(drove__lsvc_stable_state(DROVE_LS_ACT_CONFIG_TESTING),
	                 DROVE_LS_CONFIG_TESTING);
	ck_assert_int_eq(drove__lsvc_stable_state(DROVE_LS_ACT_INACTIVE), DROVE_LS_INACTIVE);
}
END_TEST

/* ---- the plan ---- */

static const char *const EXECS[] = {"e1", "e2", "e3"};

START_TEST(test_plan_active)
{
	/* e1 has one healthy; e2 has two (one unhealthy); e3 none; x is not eligible */
	drove__lsvc_live live[] = {
	        {"e1", true, false}, {"e2", true, false}, {"e2", false, false}, {"x", true, false}};
	drove__lsvc_plan p;

	ck_assert_int_eq(drove__lsvc_plan_make(DROVE_LS_ACT_ACTIVE, 1, EXECS, 3, live, 4, &p), 0);
	ck_assert_uint_eq(p.starts[0], 0);
	ck_assert_uint_eq(p.starts[1], 0);
	ck_assert_uint_eq(p.starts[2], 1);
	ck_assert_uint_eq(p.any, 0);
	ck_assert_uint_eq(p.n_stops, 2);
	ck_assert_uint_eq(p.stops[0], 3); /* the ineligible executor's */
	ck_assert_uint_eq(p.stops[1], 2); /* the unhealthy extra on e2 */
	drove__lsvc_plan_free(&p);

	/* two per host: starts in flight count, and are never stopped */
	{
		drove__lsvc_live l2[] = {
		        {"e1", false, true}, {"e1", false, true}, {"e1", true, false}};
		ck_assert_int_eq(drove__lsvc_plan_make(DROVE_LS_ACT_ACTIVE, 2, EXECS, 2, l2, 3, &p),
		                 0);
		ck_assert_uint_eq(p.starts[0], 0);
		ck_assert_uint_eq(p.starts[1], 2);
		ck_assert_uint_eq(p.n_stops, 1);
		ck_assert_uint_eq(p.stops[0], 2);
		drove__lsvc_plan_free(&p);
	}
}
END_TEST

START_TEST(test_plan_config_testing_and_inactive)
{
	drove__lsvc_live none[1] = {{NULL, false, false}};
	drove__lsvc_live two[] = {{"e1", true, false}, {"e2", true, false}};
	drove__lsvc_live starting[] = {{"e1", false, true}};
	drove__lsvc_plan p;

	ck_assert_int_eq(
	        drove__lsvc_plan_make(DROVE_LS_ACT_CONFIG_TESTING, 3, EXECS, 3, none, 0, &p), 0);
	ck_assert_uint_eq(p.any, 1);
	ck_assert_uint_eq(p.starts[0] + p.starts[1] + p.starts[2], 0);
	ck_assert_uint_eq(p.n_stops, 0);
	drove__lsvc_plan_free(&p);

	ck_assert_int_eq(
	        drove__lsvc_plan_make(DROVE_LS_ACT_CONFIG_TESTING, 3, EXECS, 3, two, 2, &p), 0);
	ck_assert_uint_eq(p.any, 0);
	ck_assert_uint_eq(p.n_stops, 1);
	ck_assert_uint_eq(p.stops[0], 1);
	drove__lsvc_plan_free(&p);

	/* one starting somewhere: nothing more */
	ck_assert_int_eq(
	        drove__lsvc_plan_make(DROVE_LS_ACT_CONFIG_TESTING, 1, EXECS, 3, starting, 1, &p),
	        0);
	ck_assert_uint_eq(p.any, 0);
	ck_assert_uint_eq(p.n_stops, 0);
	drove__lsvc_plan_free(&p);

	/* no eligible executor: nothing to start */
	ck_assert_int_eq(
	        drove__lsvc_plan_make(DROVE_LS_ACT_CONFIG_TESTING, 1, EXECS, 0, none, 0, &p), 0);
	ck_assert_uint_eq(p.any, 0);
	drove__lsvc_plan_free(&p);

	/* INACTIVE: every recorded one stops, a start in flight is left alone */
	{
		drove__lsvc_live l[] = {
		        {"e1", true, false}, {"e2", false, true}, {"x", false, false}};
		ck_assert_int_eq(
		        drove__lsvc_plan_make(DROVE_LS_ACT_INACTIVE, 1, EXECS, 3, l, 3, &p), 0);
		ck_assert_uint_eq(p.n_stops, 2);
		ck_assert_uint_eq(p.stops[0], 0);
		ck_assert_uint_eq(p.stops[1], 2);
		ck_assert_uint_eq(p.starts[0] + p.starts[1] + p.starts[2] + p.any, 0);
		drove__lsvc_plan_free(&p);
	}
}
END_TEST

/* ---- decoding, views, specs ---- */

static char *sample_spec(void)
{
	size_t len;
	return drove_test_read_source_file("tests/data/model/localservice.json", &len);
}

static int decode(const char *json, drove_ls_op **op, drove_strlist **errors)
{
	ck_assert_int_eq(drove_strlist_new(errors), 0);
	return drove__lsvc_op_decode(json, strlen(json), NULL, op, *errors);
}

START_TEST(test_op_decode)
{
	drove_ls_op *op = NULL;
	drove_strlist *errors = NULL;
	char *spec = sample_spec(), *body;

	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instancesPerHost\":2}", spec);
	ck_assert_int_eq(decode(body, &op, &errors), 0);
	ck_assert_int_eq(op->type, DROVE_LS_OP_CREATE);
	ck_assert_int_eq(op->instances_per_host, 2);
	drove__ls_op_free(op);
	drove_strlist_free(errors);
	free(body);

	/* instancesPerHost out of range: validation, naming the field */
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instancesPerHost\":0}", spec);
	ck_assert_int_eq(decode(body, &op, &errors), 2);
	ck_assert_ptr_null(op);
	ck_assert_ptr_nonnull(strstr(drove_strlist_get(errors, 0), "instancesPerHost"));
	drove_strlist_free(errors);
	free(body);

	/* STOP is DEACTIVATE */
	ck_assert_int_eq(decode("{\"type\":\"STOP\",\"serviceId\":\"S-1\"}", &op, &errors), 0);
	ck_assert_int_eq(op->type, DROVE_LS_OP_DEACTIVATE);
	drove__ls_op_free(op);
	drove_strlist_free(errors);

	/* unknown type: JSON validation failure */
	ck_assert_int_eq(decode("{\"type\":\"EXPLODE\",\"serviceId\":\"S-1\"}", &op, &errors), 1);
	ck_assert_uint_ge(drove_strlist_count(errors), 1);
	drove_strlist_free(errors);
	ck_assert_int_eq(decode("{not json", &op, &errors), 1);
	drove_strlist_free(errors);

	/* missing serviceId and instance ids */
	ck_assert_int_eq(decode("{\"type\":\"STOP_INSTANCES\"}", &op, &errors), 2);
	ck_assert_ptr_nonnull(strstr(drove_strlist_get(errors, 0), "serviceId"));
	drove_strlist_free(errors);
	free(spec);
}
END_TEST

static drove_ls_info *sample_info(void)
{
	drove_ls_info *info = NULL;
	size_t len;
	char *json = drove_test_read_source_file("tests/data/model/ls_info.json", &len);
	ck_assert_int_eq(drove__ls_info_decode(json, len, 0, &info, NULL, NULL), 0);
	free(json);
	return info;
}

START_TEST(test_summary_and_events)
{
	drove_ls_info *info = sample_info();
	struct json_object *o = drove__lsvc_summary(info, DROVE_LS_ADJUSTING_INSTANCES, 1, 2);
	drove_event *ev = drove__ctrl_event_new(ctx, DROVE_EVENT_LOCAL_SERVICE_STATE_CHANGE);
	const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	ck_assert_ptr_nonnull(strstr(txt, "\"id\":\"DROVE_TEST_LS-1\""));
	ck_assert_ptr_nonnull(strstr(txt, "\"instancesPerHost\":1"));
	ck_assert_ptr_nonnull(strstr(txt, "\"healthyInstances\":1"));
	ck_assert_ptr_nonnull(strstr(txt, "\"totalCPUs\":2"));
	ck_assert_ptr_nonnull(strstr(txt, "\"totalMemory\":64"));
	ck_assert_ptr_nonnull(strstr(txt, "\"activationState\":\"ACTIVE\""));
	ck_assert_ptr_nonnull(strstr(txt, "\"state\":\"ADJUSTING_INSTANCES\""));
	ck_assert_ptr_nonnull(strstr(txt, "\"tags\":{\"owner\":\"drove-c\"}"));
	json_object_put(o);

	ck_assert_int_eq(drove__lsvc_event_service(ev, info, DROVE_LS_ACTIVE), 0);
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "LOCAL_SERVICE_ID"), "DROVE_TEST_LS-1");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_STATE"), "ACTIVE");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "PLACEMENT_POLICY"), "LOCAL");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "PORTS"), "main:8001:http");
	ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_INSTANCES_PER_HOST"), "1");
	drove__event_free(ev);

	{
		size_t len;
		char *json =
		        drove_test_read_source_file("tests/data/model/ls_instance_info.json", &len);
		drove_ls_instance_info *li = NULL;
		ck_assert_int_eq(drove__ls_instance_info_decode(json, len, 0, &li, NULL, NULL), 0);
		ev = drove__ctrl_event_new(ctx, DROVE_EVENT_LOCAL_SERVICE_INSTANCE_STATE_CHANGE);
		ck_assert_int_eq(drove__lsvc_event_instance(ev, li), 0);
		ck_assert_str_eq(drove_strmap_get(ev->metadata, "SERVICE_ID"), li->service_id);
		ck_assert_str_eq(drove_strmap_get(ev->metadata, "INSTANCE_ID"), li->instance_id);
		ck_assert_str_eq(drove_strmap_get(ev->metadata, "CURRENT_STATE"),
		                 drove_instance_state_name((int)li->state));
		drove__event_free(ev);
		drove__ls_instance_info_free(li);
		free(json);
	}
	drove__ls_info_free(info);
}
END_TEST

START_TEST(test_instance_spec)
{
	drove_ls_info *info = sample_info();
	drove_ls_instance_spec *is = NULL;
	int cores[] = {5};
	char *json = NULL;

	ck_assert_int_eq(drove__lsvc_instance_spec(info->spec, "DROVE_TEST_LS-1", "SI-1", 0, cores,
	                                           1, 32, "tok", &is),
	                 0);
	ck_assert_str_eq(is->service_id, "DROVE_TEST_LS-1");
	ck_assert_str_eq(is->service_name, "DROVE_TEST_LS");
	ck_assert_str_eq(is->instance_id, "SI-1");
	ck_assert_str_eq(is->instance_auth_token, "tok");
	ck_assert(!is->host_level_instance);
	ck_assert_uint_eq(is->n_ports, 1);
	ck_assert_int_eq(is->ports[0].port, 8001);
	ck_assert_uint_eq(is->n_configs, 1);
	ck_assert_ptr_nonnull(is->healthcheck);
	ck_assert_ptr_nonnull(is->readiness);
	ck_assert_uint_eq(is->n_args, 6);
	ck_assert_int_eq(drove__ls_instance_spec_encode(is, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"cores\":{\"0\":[5]}"));
	ck_assert_ptr_nonnull(strstr(json, "\"memoryInMB\":{\"0\":32}"));
	free(json);
	drove__ls_instance_spec_free(is);

	/* a host-level service */
	info->spec->placement_policy->host_level = true;
	ck_assert(drove__lsvc_host_level(info->spec->placement_policy));
	ck_assert_int_eq(drove__lsvc_instance_spec(info->spec, "DROVE_TEST_LS-1", "SI-2", 0, cores,
	                                           1, 32, NULL, &is),
	                 0);
	ck_assert(is->host_level_instance);
	ck_assert_str_eq(is->instance_auth_token, "");
	drove__ls_instance_spec_free(is);
	ck_assert(!drove__lsvc_host_level(NULL));
	drove__ls_info_free(info);
}
END_TEST

static void add_exec(drove_sched *s, const char *id)
{
	drove_sched_snapshot *snap = NULL;
	int cores[] = {2, 3};
	ck_assert_int_eq(drove_sched_snapshot_new(&snap, id, "localhost", 3000), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_free_cores(snap, 0, cores, 2), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_memory(snap, 0, 1000, 0), 0);
	ck_assert_int_eq(drove_sched_snapshot_set_state(snap, DROVE_EXECUTOR_UNREADY), 0);
	ck_assert_int_eq(drove_sched_executor_update(s, snap), 0);
	drove_sched_snapshot_free(snap);
}

/* Two executors on the same host: the rule pins each placement to the one asked for, UNREADY
 * executors included (local services). */
START_TEST(test_pin_rule_places_on_one_executor)
{
	drove_sched *s = NULL;
	const char *ids[] = {"1b6ee680-9f83-33ba-a208-efa7ca28be65",
	                     "a45442a1-d4d0-3479-ab9e-3ed0aa5f7d2d"};

	ck_assert_int_eq(drove_sched_new(&s, ctx), 0);
	add_exec(s, ids[0]);
	add_exec(s, ids[1]);
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < 2; k++) {
			drove_sched_session *sess = NULL;
			drove_sched_policy *pin = NULL;
			drove_sched_alloc *a = NULL;
			char *rule = drove__lsvc_pin_rule(ids[k]);
			ck_assert_ptr_nonnull(rule);
			ck_assert_int_eq(drove_sched_policy_rule_hope(&pin, rule), 0);
			ck_assert_int_eq(
			        drove_sched_session_new(&sess, s, DROVE_KIND_LOCAL_SERVICE, "S-1"),
			        0);
			ck_assert_int_eq(drove_sched_place(s, sess, pin, 1, 32, &a), 0);
			ck_assert_str_eq(drove_sched_alloc_executor(a), ids[k]);
			drove_sched_alloc_free(a);
			drove_sched_session_free(sess);
			drove_sched_policy_free(pin);
			free(rule);
		}
	/* both cores of each are taken now */
	{
		drove_sched_session *sess = NULL;
		drove_sched_policy *pin = NULL;
		drove_sched_alloc *a = NULL;
		char *rule = drove__lsvc_pin_rule(ids[0]);
		ck_assert_int_eq(drove_sched_policy_rule_hope(&pin, rule), 0);
		ck_assert_int_eq(drove_sched_session_new(&sess, s, DROVE_KIND_LOCAL_SERVICE, "S-1"),
		                 0);
		ck_assert_int_eq(drove_sched_place(s, sess, pin, 1, 32, &a), DROVE_ENORESOURCE);
		drove_sched_session_free(sess);
		drove_sched_policy_free(pin);
		free(rule);
	}
	drove_sched_free(s);
	ck_assert_ptr_null(drove__lsvc_pin_rule("bad'id"));
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "bad'id"));
	ck_assert_ptr_null(drove__lsvc_pin_rule(""));
}
END_TEST

Suite *ctrl_lsvc_suite(void)
{
	Suite *s = suite_create("ctrl_lsvc");
	TCase *tc = tcase_create("pure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_allowed_ops);
	tcase_add_test(tc, test_check_op_messages);
	tcase_add_test(tc, test_transitions);
	tcase_add_test(tc, test_plan_active);
	tcase_add_test(tc, test_plan_config_testing_and_inactive);
	tcase_add_test(tc, test_op_decode);
	tcase_add_test(tc, test_summary_and_events);
	tcase_add_test(tc, test_instance_spec);
	tcase_add_test(tc, test_pin_rule_places_on_one_executor);
	suite_add_tcase(s, tc);
	return s;
}
