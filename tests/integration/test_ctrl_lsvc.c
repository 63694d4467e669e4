/* Local services on a real cluster: drove-controller (embedded store) and two drove-executor
 * processes on this host (core 0 and core 1) with podman, and the sample local service of
 * tests/data/model/localservice.json (busybox httpd, 1 core, 32 MB). Create, activate (one
 * HEALTHY instance on each executor), blacklist one executor (its instance goes, the other
 * stays), unblacklist (it gets one again), restart and replace (new ids), the state table's
 * rejections, deactivate (none left), destroy (gone). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "core/internal.h"
#include "cluster.h"
#include "harness.h"

#define LS "DROVE_TEST_LS-1"

static char exec_id[2][64];

static long ls_op(const char *json, char **out)
{
	return dtc_http("POST", "/apis/v1/localservices/operations", json, out);
}

static void ls_op_ok(const char *json)
{
	char *b = NULL;
	long code = ls_op(json, &b);
	ck_assert_msg(code == 200 && strstr(b, "\"serviceId\":\"" LS "\""), "%s -> %ld %s", json,
	              code, b);
	free(b);
}

/* The op fails with 400 and a message containing `want`. */
static void ls_op_400(const char *json, const char *want)
{
	char *b = NULL;
	long code = ls_op(json, &b);
	ck_assert_msg(code == 400 && b && strstr(b, want), "%s -> %ld %s (wanted %s)", json, code,
	              b, want);
	free(b);
}

static void simple(const char *type, const char *fields)
{
	char *body = drove__asprintf("{\"type\":\"%s\",\"serviceId\":\"" LS "\"%s%s}", type,
	                             fields ? "," : "", fields ? fields : "");
	ls_op_ok(body);
	free(body);
}

/* HEALTHY instances per executor (h[0], h[1]), other active ones (`others`), and their ids. */
static void census(int h[2], int *others, char *ids, size_t idlen)
{
	struct json_object *root,
	        *d = dtc_get_data("/apis/v1/localservices/" LS "/instances", &root);
	h[0] = h[1] = 0;
	*others = 0;
	if (ids)
		ids[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *in = json_object_array_get_idx(d, i);
		const char *st = json_object_get_string(json_object_object_get(in, "state"));
		const char *ex = json_object_get_string(json_object_object_get(in, "executorId"));
		const char *iid = json_object_get_string(json_object_object_get(in, "instanceId"));
		int k = ex && !strcmp(ex, exec_id[0]) ? 0 : ex && !strcmp(ex, exec_id[1]) ? 1 : -1;
		ck_assert_str_eq(json_object_get_string(json_object_object_get(in, "serviceId")),
		                 LS);
		if (st && !strcmp(st, "HEALTHY") && k >= 0) {
			h[k]++;
			if (ids) {
				size_t used = strlen(ids);
				snprintf(ids + used, idlen - used, "%s%s", used ? "," : "", iid);
			}
		} else {
			(*others)++;
		}
	}
	json_object_put(root);
}

/* The same comma-separated ids, in any order. */
static int same_ids(const char *a, const char *b)
{
	char copy[1024], *save = NULL, *tok;
	if (strlen(a) != strlen(b))
		return 0;
	snprintf(copy, sizeof(copy), "%s", a);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strstr(b, tok))
			return 0;
	return 1;
}

/* Active instances on executor `i`. */
static int active_on(int i)
{
	struct json_object *root,
	        *d = dtc_get_data("/apis/v1/localservices/" LS "/instances", &root);
	int n = 0;
	for (size_t k = 0; k < json_object_array_length(d); k++) {
		const char *ex = json_object_get_string(
		        json_object_object_get(json_object_array_get_idx(d, k), "executorId"));
		if (ex && !strcmp(ex, exec_id[i]))
			n++;
	}
	json_object_put(root);
	return n;
}

static int svc_in(const char *state)
{
	char *b = NULL, *want = drove__asprintf("\"state\":\"%s\"", state);
	int ok = dtc_http("GET", "/apis/v1/localservices/" LS, NULL, &b) == 200 && b &&
	         strstr(b, want) && strstr(b, "\"status\":\"SUCCESS\"");
	free(b);
	free(want);
	return ok;
}

/* Wait for the service in `state` with exactly h0/h1 HEALTHY instances on executor 0/1 and
 * nothing else active; `ids` (may be NULL) gets the healthy ids. */
static void wait_for(const char *state, int h0, int h1, int64_t ms, char *ids, size_t idlen)
{
	int64_t end = drove_time_mono_ms() + ms;
	int h[2] = {0, 0}, others = 0;
	while (drove_time_mono_ms() < end) {
		census(h, &others, ids, idlen);
		if (h[0] == h0 && h[1] == h1 && others == 0 && svc_in(state))
			return;
		usleep(200 * 1000);
	}
	{
		char *b = NULL, *i = NULL;
		dtc_http("GET", "/apis/v1/localservices/" LS, NULL, &b);
		dtc_http("GET", "/apis/v1/localservices/" LS "/instances", NULL, &i);
		ck_abort_msg("not %s with %d/%d healthy within %lld ms: %d/%d, %d others: %s %s",
		             state, h0, h1, (long long)ms, h[0], h[1], others, b, i);
	}
}

static void find_exec_ids(int n)
{
	struct json_object *root, *d = dtc_get_data("/apis/v1/cluster/executors", &root);
	for (size_t k = 0; k < json_object_array_length(d); k++) {
		struct json_object *e = json_object_array_get_idx(d, k);
		int port = json_object_get_int(json_object_object_get(e, "port"));
		for (int i = 0; i < n; i++)
			if (port == dtc.eport[i])
				snprintf(exec_id[i], sizeof(exec_id[i]), "%s",
				         json_object_get_string(
				                 json_object_object_get(e, "executorId")));
	}
	json_object_put(root);
	for (int i = 0; i < n; i++)
		ck_assert(exec_id[i][0]);
}

/* Executor `i`'s state in the executor list. */
static int exec_is(int i, const char *state)
{
	struct json_object *root, *d = dtc_get_data("/apis/v1/cluster/executors", &root);
	int ok = 0;
	for (size_t k = 0; k < json_object_array_length(d); k++) {
		struct json_object *e = json_object_array_get_idx(d, k);
		if (!strcmp(json_object_get_string(json_object_object_get(e, "executorId")),
		            exec_id[i]) &&
		    !strcmp(json_object_get_string(json_object_object_get(e, "state")), state))
			ok = 1;
	}
	json_object_put(root);
	return ok;
}

/* Exactly `n` HEALTHY instances in the cluster and nothing else active, in `state`. */
static void wait_total(const char *state, int n, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	int h[2] = {0, 0}, others = 0;
	while (drove_time_mono_ms() < end) {
		census(h, &others, NULL, 0);
		if (h[0] + h[1] == n && others == 0 && svc_in(state))
			return;
		usleep(200 * 1000);
	}
	ck_abort_msg("not %s with %d healthy within %lld ms: %d/%d, %d others", state, n,
	             (long long)ms, h[0], h[1], others);
}

static char *reserved(void)
{
	const char *hdrs[] = {"Cluster-Authorization: " DTC_EXECUTOR_SECRET, NULL};
	char url[128], *b = NULL;
	snprintf(url, sizeof(url),
	         "http://127.0.0.1:%d/apis/v1/internal/cluster/resources/reserved", dtc.port);
	ck_assert_int_eq(dtc_http_full("GET", url, NULL, hdrs, NULL, &b), 200);
	return b;
}

static void blacklist(int i, const char *what)
{
	char path[160], *b = NULL, *want = drove__asprintf("\"successful\":[\"%s\"]", exec_id[i]);
	snprintf(path, sizeof(path), "/apis/v1/cluster/executors/%s/%s", exec_id[i], what);
	ck_assert_int_eq(dtc_http("POST", path, "", &b), 200);
	ck_assert_msg(strstr(b, want), "%s: %s", path, b);
	free(b);
	free(want);
}

static void get_contains(const char *path, const char *want)
{
	char *b = NULL;
	ck_assert_int_eq(dtc_http("GET", path, NULL, &b), 200);
	ck_assert_msg(b && strstr(b, want), "GET %s: %s (wanted %s)", path, b, want);
	free(b);
}

START_TEST(test_local_service_lifecycle)
{
	char ids[1024], ids2[1024], *b, *spec, *body;
	size_t len;
	int64_t t0;

	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(10000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);
	find_exec_ids(1);

	/* create: INACTIVE, no instances, nothing reserved */
	spec = drove_test_read_source_file("tests/data/model/localservice.json", &len);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instancesPerHost\":1}", spec);
	ls_op_ok(body);
	ls_op_400(body, "Local service " LS " already exists");
	free(body);
	body = drove__asprintf("%s", spec);
	ck_assert_int_eq(dtc_http("POST", "/apis/v1/localservices/validate/spec", body, &b), 400);
	ck_assert_ptr_nonnull(strstr(b, "already exists"));
	free(b);
	free(body);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instancesPerHost\":300}", spec);
	ls_op_400(body, "instancesPerHost");
	free(body);
	free(spec);
	ck_assert(svc_in("INACTIVE"));
	get_contains("/apis/v1/localservices", "\"activationState\":\"INACTIVE\"");
	get_contains("/apis/v1/localservices/" LS "/instances", "\"data\":[]");
	get_contains("/apis/v1/localservices/" LS "/spec", "\"data\":\"\""); /* masked INLINE */
	b = reserved();
	ck_assert_ptr_nonnull(strstr(b, "\"requiredInstances\":{}"));
	free(b);

	/* misses and rejections */
	get_contains("/apis/v1/localservices/NOPE-1",
	             "{\"status\":\"FAILED\",\"message\":\"Local service NOPE-1 not found\"}");
	get_contains("/apis/v1/localservices/" LS "/instances/SI-x",
	             "No such local service instance " LS "/SI-x");
	ls_op_400("{\"type\":\"ACTIVATE\",\"serviceId\":\"NOPE-1\"}",
	          "Local service NOPE-1 not found");
	ls_op_400("{\"type\":\"EXPLODE\",\"serviceId\":\"" LS "\"}", "JSON validation failure");
	ls_op_400("{\"type\":\"DEACTIVATE\",\"serviceId\":\"" LS "\"}",
	          "Only [ACTIVATE, DEPLOY_TEST_INSTANCE, UPDATE_INSTANCE_COUNT, ADJUST_INSTANCES, "
	          "DESTROY] allowed for local service " LS " as it is in INACTIVE state");
	ls_op_400("{\"type\":\"UPDATE_INSTANCE_COUNT\",\"serviceId\":\"" LS "\"}",
	          "instancesPerHost: is required");

	/* activate: one HEALTHY instance on the executor */
	t0 = drove_time_mono_ms();
	simple("ACTIVATE", NULL);
	wait_for("ACTIVE", 1, 0, 60000, ids, sizeof(ids));
	fprintf(stderr, "test_ctrl_lsvc: instance HEALTHY %lld ms after ACTIVATE\n",
	        (long long)(drove_time_mono_ms() - t0));

	/* a new executor gets its instance, and turns ACTIVE once it is HEALTHY */
	t0 = drove_time_mono_ms();
	dtc_start_executor(1, 1, NULL);
	dtc_wait_execs(2, 30000);
	find_exec_ids(2);
	wait_for("ACTIVE", 1, 1, 60000, ids, sizeof(ids));
	for (int i = 0; i < 100 && !exec_is(1, "ACTIVE"); i++)
		usleep(100 * 1000);
	ck_assert(exec_is(1, "ACTIVE"));
	fprintf(stderr, "test_ctrl_lsvc: new executor served in %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));

	/* a controller restart: the new leader loads the service (ACTIVE) and its instance
	 * records, and starts nothing new */
	{
		char cfg[256], log[256];
		ck_assert_int_eq(dtc_stop(&dtc.cpid[0], 0), 0);
		snprintf(cfg, sizeof(cfg), "%s/controller0.yml", dtc.dir);
		snprintf(log, sizeof(log), "%s/controller0.log", dtc.dir);
		dtc.cpid[0] = dtc_spawn(DTC_CTRL_BIN, cfg, log);
		dtc_wait_ping(10000);
		dtc_wait_execs(2, 30000);
		wait_for("ACTIVE", 1, 1, 30000, ids2, sizeof(ids2));
		ck_assert_msg(same_ids(ids, ids2), "%s became %s", ids, ids2);
	}
	b = reserved();
	ck_assert_ptr_nonnull(strstr(b, "\"requiredInstances\":{\"" LS "\":1}"));
	ck_assert_ptr_nonnull(strstr(b, "\"cpus\":1,\"memory\":32"));
	free(b);
	get_contains("/apis/v1/cluster", "\"numActiveLocalServices\":1");
	ls_op_400("{\"type\":\"DESTROY\",\"serviceId\":\"" LS "\"}", "as it is in ACTIVE state");
	ls_op_400("{\"type\":\"DEPLOY_TEST_INSTANCE\",\"serviceId\":\"" LS "\"}",
	          "as it is in ACTIVE state");
	ls_op_400("{\"type\":\"STOP_INSTANCES\",\"serviceId\":\"" LS
	          "\",\"instanceIds\":[\"SI-x\"]}",
	          "Local service " LS " does not have any instances with the following ids: SI-x");
	ls_op_400("{\"type\":\"REPLACE_INSTANCES\",\"serviceId\":\"" LS
	          "\",\"instanceIds\":[\"SI-y\"]}",
	          "There are no replaceable healthy instances with ids: [SI-y]");
	/* UPDATE_INSTANCE_COUNT is allowed while ACTIVE (and INACTIVE) */
	simple("UPDATE_INSTANCE_COUNT", "\"instancesPerHost\":1");
	wait_for("ACTIVE", 1, 1, 10000, NULL, 0);

	/* blacklist executor 0: its instance stops, the other stays */
	t0 = drove_time_mono_ms();
	blacklist(0, "blacklist");
	wait_for("ACTIVE", 0, 1, 30000, NULL, 0);
	fprintf(stderr, "test_ctrl_lsvc: blacklisted executor emptied in %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));
	/* and it is not given one again while blacklisted */
	usleep(2000 * 1000);
	ck_assert_int_eq(active_on(0), 0);
	wait_for("ACTIVE", 0, 1, 30000, NULL, 0);

	/* unblacklist: it gets one again (and turns ACTIVE once it is HEALTHY) */
	t0 = drove_time_mono_ms();
	blacklist(0, "unblacklist");
	wait_for("ACTIVE", 1, 1, 60000, ids, sizeof(ids));
	fprintf(stderr, "test_ctrl_lsvc: unblacklisted executor served again in %lld ms\n",
	        (long long)(drove_time_mono_ms() - t0));

	/* restart: every instance replaced by a new one (start first) */
	simple("RESTART", "\"stopFirst\":false");
	ck_assert(svc_in("REPLACING_INSTANCES"));
	ls_op_400("{\"type\":\"DEACTIVATE\",\"serviceId\":\"" LS "\"}",
	          "No operations allowed for local service " LS
	          " as it is in REPLACING_INSTANCES state");
	wait_for("ACTIVE", 1, 1, 60000, ids2, sizeof(ids2));
	{
		char *save = NULL, *tok, copy[1024];
		snprintf(copy, sizeof(copy), "%s", ids);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			ck_assert_msg(!strstr(ids2, tok), "%s survived the restart (%s)", tok,
			              ids2);
	}

	/* replace one instance, stop first */
	{
		char one[1024], *comma;
		memcpy(one, ids2, sizeof(one));
		if ((comma = strchr(one, ',')))
			*comma = '\0';
		body = drove__asprintf("\"instanceIds\":[\"%s\"],\"stopFirst\":true", one);
		simple("REPLACE_INSTANCES", body);
		free(body);
		wait_for("ACTIVE", 1, 1, 60000, ids, sizeof(ids));
		ck_assert_msg(!strstr(ids, one), "%s not replaced (%s)", one, ids);
		/* the old one is listed among the old instances */
		get_contains("/apis/v1/localservices/" LS "/instances/old", one);
	}

	/* deactivate: none left */
	simple("DEACTIVATE", NULL);
	wait_for("INACTIVE", 0, 0, 30000, NULL, 0);
	b = reserved();
	ck_assert_ptr_nonnull(strstr(b, "\"requiredInstances\":{}"));
	free(b);

	/* config testing: exactly one instance in the cluster; then deactivate again */
	simple("DEPLOY_TEST_INSTANCE", NULL);
	wait_total("CONFIG_TESTING", 1, 60000);
	ls_op_400("{\"type\":\"UPDATE_INSTANCE_COUNT\",\"serviceId\":\"" LS
	          "\",\"instancesPerHost\":2}",
	          "as it is in CONFIG_TESTING state");
	usleep(1500 * 1000);
	wait_total("CONFIG_TESTING", 1, 30000); /* still one */
	simple("DEACTIVATE", NULL);
	wait_for("INACTIVE", 0, 0, 30000, NULL, 0);

	/* destroy: gone */
	simple("DESTROY", NULL);
	get_contains("/apis/v1/localservices/" LS, "Local service " LS " not found");
	get_contains("/apis/v1/localservices", "\"data\":{}");
}
END_TEST

Suite *ctrl_lsvc_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_lsvc");
	s = suite_create("ctrl_lsvc");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_local_service_lifecycle);
	suite_add_tcase(s, tc);
	return s;
}
