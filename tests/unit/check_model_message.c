/* The controller <-> executor message codec (docs/protocol.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "model/message.h"
#include "harness.h"

static char *fixture(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "tests/data/model/%s", name);
	return drove_test_read_source_file(path, NULL);
}

/* Build {"type":T,"header":{...},<key>:<fixture>...}, decode, encode, decode, compare. */
static drove_message *round_trip(const char *json)
{
	drove_message *m = NULL, *m2 = NULL;
	char *enc = NULL, *enc2 = NULL;
	struct json_object *a, *b;

	ck_assert_msg(drove__message_decode(json, strlen(json), &m) == 0, "%s",
	              drove_error_last()->message);
	ck_assert_int_eq(drove__message_encode(m, &enc), 0);
	ck_assert_int_eq(drove__message_decode(enc, strlen(enc), &m2), 0);
	ck_assert_int_eq(drove__message_encode(m2, &enc2), 0);
	a = json_tokener_parse(enc);
	b = json_tokener_parse(enc2);
	ck_assert_msg(json_object_equal(a, b), "%s\n!=\n%s", enc, enc2);
	json_object_put(a);
	json_object_put(b);
	free(enc);
	free(enc2);
	drove__message_free(m2);
	return m;
}

static char *wrap(const char *type, int64_t term, const char *k1, const char *v1, const char *k2,
                  const char *v2)
{
	drove__buf b = DROVE_BUF_INIT;
	drove__buf_printf(
	        &b,
	        "{\"type\":\"%s\",\"header\":{\"id\":\"6b2e-1\",\"senderType\":\"CONTROLLER\","
	        "\"direction\":\"REQUEST\",\"messageTime\":1719892354194,\"term\":%lld},"
	        "\"address\":{\"executorId\":\"a45442a1-d4d0-3479-ab9e-3ed0aa5f7d2d\","
	        "\"hostname\":\"ppessdev\",\"port\":3000,\"transportType\":\"HTTP\"}",
	        type, (long long)term);
	if (k1)
		drove__buf_printf(&b, ",\"%s\":%s", k1, v1);
	if (k2)
		drove__buf_printf(&b, ",\"%s\":%s", k2, v2);
	drove__buf_puts(&b, "}");
	return drove__buf_steal(&b);
}

START_TEST(test_start_messages_round_trip)
{
	struct {
		const char *type, *fixture;
	} cases[] = {{"START_INSTANCE", "app_instance_spec.json"},
	             {"START_TASK", "task_instance_spec.json"},
	             {"START_LOCAL_SERVICE_INSTANCE", "ls_instance_spec.json"}};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(cases); i++) {
		char *spec = fixture(cases[i].fixture);
		char *json = wrap(cases[i].type, 7, "spec", spec, NULL, NULL);
		drove_message *m = round_trip(json);
		ck_assert_str_eq(drove__message_type_name(m->type), cases[i].type);
		ck_assert_int_eq(m->header.term, 7);
		ck_assert_str_eq(m->address->hostname, "ppessdev");
		ck_assert_int_eq(m->address->port, 3000);
		ck_assert(m->app_spec || m->task_spec || m->ls_spec);
		drove__message_free(m);
		free(json);
		free(spec);
	}
}
END_TEST

START_TEST(test_reports_and_snapshot_round_trip)
{
	char *snap = fixture("resource_snapshot.json");
	char *inst = fixture("instance_info.json");
	char *task = fixture("task_info.json");
	char *ls = fixture("ls_instance_info.json");
	char *node = fixture("executor_node.json");
	char *known = fixture("known_instances.json");
	char *json;
	drove_message *m;

	json = wrap("INSTANCE_STATE_REPORT", 0, "resourceSnapshot", snap, "instanceInfo", inst);
	m = round_trip(json);
	ck_assert_ptr_nonnull(m->snapshot);
	ck_assert_ptr_nonnull(m->instance);
	ck_assert_int_eq(m->instance->state, DROVE_INST_HEALTHY);
	drove__message_free(m);
	free(json);

	json = wrap("TASK_STATE_REPORT", 0, "resourceSnapshot", snap, "instanceInfo", task);
	m = round_trip(json);
	ck_assert_ptr_nonnull(m->task);
	drove__message_free(m);
	free(json);

	json = wrap("LOCAL_SERVICE_INSTANCE_STATE_REPORT", 0, "resourceSnapshot", snap,
	            "instanceInfo", ls);
	m = round_trip(json);
	ck_assert_ptr_nonnull(m->ls_instance);
	drove__message_free(m);
	free(json);

	json = wrap("EXECUTOR_SNAPSHOT", 0, "nodeData", node, NULL, NULL);
	m = round_trip(json);
	ck_assert_ptr_nonnull(m->node_data);
	drove__message_free(m);
	free(json);

	json = wrap("EXPECTED_INSTANCES", 3, "knownInstances", known, NULL, NULL);
	m = round_trip(json);
	ck_assert_ptr_nonnull(m->known);
	drove__message_free(m);
	free(json);

	json = wrap("STOP_INSTANCE", 3, "instanceId", "\"AI-1\"", NULL, NULL);
	m = round_trip(json);
	ck_assert_str_eq(m->instance_id, "AI-1");
	drove__message_free(m);
	free(json);

	json = wrap("BLACKLIST", 3, NULL, NULL, NULL, NULL);
	m = round_trip(json);
	ck_assert_int_eq(m->type, DROVE_MSG_BLACKLIST);
	drove__message_free(m);
	free(json);

	free(snap);
	free(inst);
	free(task);
	free(ls);
	free(node);
	free(known);
}
END_TEST

START_TEST(test_message_errors_name_the_field)
{
	drove_message *m = NULL;
	const char *bad_type = "{\"type\":\"REBOOT\",\"header\":{}}";
	const char *no_spec = "{\"type\":\"START_INSTANCE\",\"header\":{}}";
	const char *no_id = "{\"type\":\"STOP_TASK\",\"header\":{}}";
	const char *neg_term = "{\"type\":\"BLACKLIST\",\"header\":{\"term\":-1}}";
	const char *bad_spec = "{\"type\":\"START_INSTANCE\",\"header\":{},\"spec\":{\"appId\":7}}";

	drove_assert_error(drove__message_decode(bad_type, strlen(bad_type), &m), DROVE_EINVAL,
	                   "REBOOT");
	drove_assert_error(drove__message_decode(no_spec, strlen(no_spec), &m), DROVE_EINVAL,
	                   "spec: required");
	drove_assert_error(drove__message_decode(no_id, strlen(no_id), &m), DROVE_EINVAL,
	                   "instanceId");
	drove_assert_error(drove__message_decode(neg_term, strlen(neg_term), &m), DROVE_EINVAL,
	                   "header.term");
	drove_assert_error(drove__message_decode(bad_spec, strlen(bad_spec), &m), DROVE_EINVAL,
	                   "spec.appId");
	drove_assert_error(drove__message_decode("{", 1, &m), DROVE_EINVAL, "malformed");
	drove_assert_error(drove__message_decode("[]", 2, &m), DROVE_EINVAL, "object");
	ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_response_round_trip_and_header)
{
	drove_ctx *ctx;
	drove_message_response r = {0}, *back = NULL;
	char *enc = NULL;

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	drove__message_header_init(&r.header, ctx, DROVE_SENDER_EXECUTOR, 9);
	ck_assert_uint_eq(strlen(r.header.id), 36);
	ck_assert_int_gt(r.header.message_time, 0);
	r.status = DROVE_MSG_REJECTED;
	r.message = "stale leader term 4 < 5";
	ck_assert_int_eq(drove__message_response_encode(&r, &enc), 0);
	ck_assert_int_eq(drove__message_response_decode(enc, strlen(enc), &back), 0);
	ck_assert_int_eq(back->status, DROVE_MSG_REJECTED);
	ck_assert_str_eq(back->message, "stale leader term 4 < 5");
	ck_assert_int_eq(back->header.term, 9);
	ck_assert_int_eq(back->header.sender_type, DROVE_SENDER_EXECUTOR);
	ck_assert_str_eq(back->header.id, r.header.id);
	drove__message_response_free(back);
	free(enc);
	drove_assert_error(drove__message_response_decode("{}", 2, &back), DROVE_EINVAL, "status");
	drove_ctx_free(ctx);
}
END_TEST

START_TEST(test_kept_tokener_is_reset_between_messages)
{
	/* the decoder worker keeps one tokener: a truncated or malformed message must not leak
	 * its state into the next one, and the depth cap is the one of a fresh tokener */
	struct json_tokener *tok = drove__message_tokener_new();
	drove_message *m = NULL;
	const char *ok = "{\"type\":\"STOP_TASK\",\"header\":{},\"instanceId\":\"T-1\"}";
	char deep[2 * 200 + 1];

	ck_assert_ptr_nonnull(tok);
	for (int round = 0; round < 3; round++) {
		drove_assert_error(drove__message_decode_with(tok, "{\"type\":\"ST", 12, &m),
		                   DROVE_EINVAL, "malformed");
		drove_assert_error(drove__message_decode_with(tok, "{]", 2, &m), DROVE_EINVAL,
		                   "malformed");
		ck_assert_int_eq(drove__message_decode_with(tok, ok, strlen(ok), &m), 0);
		ck_assert_int_eq(m->type, DROVE_MSG_STOP_TASK);
		ck_assert_str_eq(m->instance_id, "T-1");
		drove__message_free(m);
		m = NULL;
	}
	/* nesting deeper than the model's cap fails on the kept tokener as on a fresh one */
	memset(deep, '[', 200);
	memset(deep + 200, ']', 200);
	deep[400] = '\0';
	drove_assert_error(drove__message_decode_with(tok, deep, 400, &m), DROVE_EINVAL,
	                   "malformed");
	drove_assert_error(drove__message_decode(deep, 400, &m), DROVE_EINVAL, "malformed");
	ck_assert_int_eq(drove__message_decode_with(tok, ok, strlen(ok), &m), 0);
	drove__message_free(m);
	drove__message_tokener_free(tok);
	drove__message_tokener_free(NULL);
}
END_TEST

Suite *model_message_suite(void)
{
	Suite *s = suite_create("model_message");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_start_messages_round_trip);
	tcase_add_test(tc, test_reports_and_snapshot_round_trip);
	tcase_add_test(tc, test_message_errors_name_the_field);
	tcase_add_test(tc, test_response_round_trip_and_header);
	tcase_add_test(tc, test_kept_tokener_is_reset_between_messages);
	suite_add_tcase(s, tc);
	return s;
}
