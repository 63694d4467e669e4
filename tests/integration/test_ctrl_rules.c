/* RULE_BASED placement end to end: a real drove-controller, two drove-executor processes whose
 * CONFIGURED metadata providers give rack r1 and r2, podman. A HOPE rule with a function, a
 * pointer comparison and an array lands every instance on the r2 executor; an unparsable rule
 * and an MVEL rule are refused with 400 naming placementPolicy.rule / ruleType, and nothing is
 * stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

#define APP "DROVE_TEST_APP-1"

/* The sample app with `policy` (JSON) as its placementPolicy, as a CREATE operation. */
static char *create_body(const char *policy, int instances)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *s = json_tokener_parse(spec), *pp = json_tokener_parse(policy);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(pp);
	json_object_object_add(s, "placementPolicy", pp);
	char *body = drove__asprintf(
	        "{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d," DTC_OPSPEC "}",
	        json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN), instances);
	json_object_put(s);
	free(spec);
	return body;
}

static void refused(const char *policy, const char *msg)
{
	char *body = create_body(policy, 1), *b = NULL;
	long code = dtc_http("POST", "/apis/v1/applications/operations", body, &b);
	ck_assert_msg(code == 400 && b && strstr(b, msg), "%s -> %ld %s (want '%s')", policy, code,
	              b, msg);
	free(b);
	free(body);
	b = NULL;
	code = dtc_http("GET", "/apis/v1/applications/" APP, NULL, &b);
	ck_assert_msg(code == 404 || (b && strstr(b, "not found")), "stored: %ld %s", code, b);
	free(b);
}

/* Healthy instances and how many run on executor `i`. */
static int healthy_on(int i, int *total)
{
	struct json_object *root,
	        *d = dtc_get_data("/apis/v1/applications/" APP "/instances?state=HEALTHY", &root);
	char id[64];
	int n = 0;
	dtc_executor_id(i, id, sizeof(id));
	*total = (int)json_object_array_length(d);
	for (int k = 0; k < *total; k++) {
		struct json_object *in = json_object_array_get_idx(d, (size_t)k);
		if (strcmp(json_object_get_string(json_object_object_get(in, "executorId")), id) ==
		    0)
			n++;
	}
	json_object_put(root);
	return n;
}

START_TEST(test_rule_places_by_metadata)
{
	int total = 0, on1 = 0;
	char *body, *b = NULL;

	dtc_start_controller(0, 0, NULL);
	dtc.port = dtc.cport[0];
	dtc_wait_ping(10000);
	dtc.exec_resources =
	        "  metadata:\n    metadataProviders:\n      static: {type: CONFIGURED, "
	        "metadata: {rack: r1}}\n";
	dtc_start_executor(0, 1, NULL);
	dtc.exec_resources =
	        "  metadata:\n    metadataProviders:\n      static: {type: CONFIGURED, "
	        "metadata: {rack: r2}}\n";
	dtc_start_executor(1, 1, NULL);
	dtc.exec_resources = NULL;
	dtc_wait_execs(2, 30000);

	/* refused at validation, nothing stored */
	refused("{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\",\"rule\":\"rack == 'r2'\"}",
	        "placementPolicy.rule: unknown function 'rack' at position 1");
	refused("{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\",\"rule\":"
	        "\"'/allocatedExecutorNodeMetadata/rack' == \"}",
	        "placementPolicy.rule: expected a string, number, boolean, pointer, path or "
	        "function at end of rule");
	refused("{\"type\":\"RULE_BASED\",\"ruleType\":\"MVEL\",\"rule\":\"true\"}",
	        "placementPolicy.ruleType: MVEL rules are not supported, use HOPE");

	/* r2 only: a function, an array and a pointer comparison */
	body = create_body(
	        "{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\",\"rule\":"
	        "\"str.match('r[0-9]', '/allocatedExecutorNodeMetadata/rack') == true && "
	        "arr.in('/allocatedExecutorNodeMetadata/rack', ['r2', 'r3']) == true && "
	        "'/allocatedExecutorNodeMetadata/rack' != 'r1'\"}",
	        2);
	ck_assert_int_eq(dtc_http("POST", "/apis/v1/applications/operations", body, &b), 200);
	free(b);
	free(body);
	body = drove__asprintf("{\"type\":\"SCALE\",\"appId\":\"" APP
	                       "\",\"requiredInstances\":2," DTC_OPSPEC "}");
	b = NULL;
	ck_assert_int_eq(dtc_http("POST", "/apis/v1/applications/operations", body, &b), 200);
	free(b);
	free(body);
	for (int64_t end = drove_time_mono_ms() + 90000; drove_time_mono_ms() < end;) {
		on1 = healthy_on(1, &total);
		if (total == 2)
			break;
		usleep(200 * 1000);
	}
	ck_assert_int_eq(total, 2);
	ck_assert_int_eq(on1, 2);
}
END_TEST

Suite *ctrl_rules_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_rules");
	s = suite_create("ctrl_rules");
	tc = tcase_create("processes");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 200);
	tcase_add_test(tc, test_rule_places_by_metadata);
	suite_add_tcase(s, tc);
	return s;
}
