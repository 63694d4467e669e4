/* Model: validation rules (one bad value per rule, message asserted) and the public spec API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/ctx.h>
#include <drove/spec.h>
#include <drove/strlist.h>
#include "core/internal.h"
#include "harness.h"

#define DATA "tests/data/model/"

static drove_ctx *ctx;
static drove_spec_opts *opts;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_spec_opts_new(&opts), 0);
}

static void teardown(void)
{
	drove_spec_opts_free(opts);
	drove_ctx_free(ctx);
}

static char *fixture(const char *name, size_t *len)
{
	char path[256];
	snprintf(path, sizeof(path), DATA "%s", name);
	return drove_test_read_source_file(path, len);
}

/* Walk "a.b[2].c" to the parent of the last step; returns the parent and the last key/index. */
static struct json_object *walk(struct json_object *root, const char *path, char *key, size_t klen,
                                int *idx)
{
	struct json_object *cur = root;
	char buf[256];
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	*idx = -1;
	key[0] = '\0';
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		char *br = strchr(tok, '[');
		if (key[0] || *idx >= 0) { /* descend into the previous step */
			struct json_object *next = NULL;
			if (*idx >= 0)
				next = json_object_array_get_idx(cur, (size_t)*idx);
			else
				json_object_object_get_ex(cur, key, &next);
			ck_assert_msg(next != NULL, "path %s: no %s", path, key);
			cur = next;
		}
		*idx = -1;
		if (br) {
			*br = '\0';
			if (*tok) {
				struct json_object *next = NULL;
				json_object_object_get_ex(cur, tok, &next);
				ck_assert_msg(next != NULL, "path %s: no %s", path, tok);
				cur = next;
			}
			*idx = atoi(br + 1);
			key[0] = '\0';
		} else {
			snprintf(key, klen, "%s", tok);
		}
	}
	return cur;
}

/* The fixture with `path` set to `value` (JSON text), or deleted when `value` is NULL. */
static char *mutate(const char *file, const char *path, const char *value)
{
	size_t len;
	char *json = fixture(file, &len), key[128], *out;
	struct json_object *root = json_tokener_parse(json), *parent;
	int idx;

	ck_assert_ptr_nonnull(root);
	parent = walk(root, path, key, sizeof(key), &idx);
	if (idx >= 0) {
		ck_assert_ptr_nonnull(value);
		json_object_array_put_idx(parent, (size_t)idx, json_tokener_parse(value));
	} else if (value) {
		struct json_object *v = json_tokener_parse(value);
		ck_assert_msg(v != NULL, "bad test value %s", value);
		json_object_object_add(parent, key, v);
	} else {
		json_object_object_del(parent, key);
	}
	out = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	free(json);
	return out;
}

/* Validation of `json` fails with exactly the `expected` messages (each a prefix of one). */
static void expect_errors(const char *json, const char *const *expected, size_t n)
{
	drove_strlist *errs = NULL;
	int rc = drove_spec_validate_json(ctx, json, strlen(json), opts, &errs);
	char *all;

	ck_assert_int_eq(rc, DROVE_EINVAL);
	ck_assert_ptr_nonnull(errs);
	all = drove_strlist_join(errs, "\n");
	ck_assert_msg(drove_strlist_count(errs) == n, "expected %zu errors, got:\n%s", n, all);
	for (size_t i = 0; i < n; i++) {
		int found = 0;
		for (size_t k = 0; k < drove_strlist_count(errs) && !found; k++)
			found = strncmp(drove_strlist_get(errs, k), expected[i],
			                strlen(expected[i])) == 0;
		ck_assert_msg(found, "no error starting with '%s' in:\n%s", expected[i], all);
	}
	/* the thread error names the first problem */
	ck_assert_int_eq(drove_error_last()->code, DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, drove_strlist_get(errs, 0)));
	drove_free(all);
	drove_strlist_free(errs);
}

static void expect_one(const char *file, const char *path, const char *value, const char *msg)
{
	char *json = mutate(file, path, value);
	const char *exp[] = {msg};
	expect_errors(json, exp, 1);
	free(json);
}

static void expect_valid(const char *json)
{
	drove_strlist *errs = NULL;
	int rc = drove_spec_validate_json(ctx, json, strlen(json), opts, &errs);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, drove_error_last()->message);
	ck_assert_ptr_null(errs);
}

#define APP  "application.json"
#define TASK "task.json"
#define LS   "localservice.json"

/* ---- the samples and the example ---- */

START_TEST(test_samples_valid)
{
	const char *files[] = {APP, TASK, LS, "app_condensed.json"};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(files); i++) {
		size_t len;
		char *json = fixture(files[i], &len);
		expect_valid(json);
		free(json);
	}
}
END_TEST

START_TEST(test_zero_cpu_bad_name_unknown_policy)
{
	char *a = mutate(APP, "resources[0].count", "0"), *b, *c;
	const char *exp[] = {
	        "resources[0].count: must be at least 1",
	        "name: only characters, numbers, hyphen and underscore is allowed",
	        "placementPolicy.type: unknown",
	};
	FILE *f;
	b = strdup(a);
	free(a);
	{
		struct json_object *root = json_tokener_parse(b);
		json_object_object_add(root, "name", json_object_new_string("bad name!"));
		json_object_object_add(root, "placementPolicy",
		                       json_tokener_parse("{\"type\":\"SOMEWHERE\"}"));
		c = strdup(json_object_to_json_string(root));
		json_object_put(root);
	}
	expect_errors(c, exp, 3);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "(and 2 more)"));
	/* also the fixture the example's CTest uses */
	f = fopen(DROVE_SOURCE_DIR "/" DATA "invalid_app.json", "rb");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	{
		size_t len;
		char *inv = fixture("invalid_app.json", &len);
		expect_errors(inv, exp, 3);
		free(inv);
	}
	free(b);
	free(c);
}
END_TEST

/* ---- application rules ---- */

START_TEST(test_app_name_version)
{
	expect_one(APP, "name", "\"a b\"",
	           "name: only characters, numbers, hyphen and underscore is allowed, got \"a b\"");
	expect_one(APP, "name", NULL, "name: is required");
	expect_one(APP, "version", "\"\"", "version: is required");
	expect_one(APP, "version", "\"1.0\"", "version: only characters, numbers");
}
END_TEST

START_TEST(test_app_executable)
{
	expect_one(APP, "executable.url", NULL,
	           "executable.url: is required (Specify url for container)");
	expect_one(APP, "executable.dockerPullTimeout", NULL,
	           "executable.dockerPullTimeout: is required (Specify container fetch (docker "
	           "pull) timeout)");
	expect_one(APP, "executable", NULL, "executable: is required");
	expect_one(APP, "executable.dockerPullTimeout", "\"5 parsecs\"",
	           "executable.dockerPullTimeout: invalid duration \"5 parsecs\"");
	expect_one(APP, "executable.type", "\"RKT\"",
	           "executable.type: unknown type \"RKT\" (expected one of DOCKER)");
}
END_TEST

START_TEST(test_app_ports)
{
	char *json;
	json = mutate(APP, "exposedPorts", "[]");
	expect_errors(
	        json,
	        (const char *const[]){"exposedPorts: Port specifications are needed",
	                              "healthcheck.mode.portName: Invalid port name for health "
	                              "check: main. Available ports: []",
	                              "readiness.mode.portName: Invalid port name",
	                              "exposureSpec.portName: Exposed port name main is "
	                              "undefined. Defined port names: []"},
	        4);
	free(json);
	expect_one(APP, "exposedPorts[0].port", "0",
	           "exposedPorts[0].port: must be at least 1, got 0");
	expect_one(APP, "exposedPorts[0].port", "65536",
	           "exposedPorts[0].port: must be at most 65535, got 65536");
	expect_one(APP, "exposedPorts[0].type", "\"FTP\"",
	           "exposedPorts[0].type: unknown value \"FTP\" (expected one of HTTP, HTTPS, TCP, "
	           "UDP)");
	expect_one(APP, "exposedPorts[0].type", NULL, "exposedPorts[0].type: is required");
	expect_one(APP, "exposedPorts[0].port", "\"8000\"",
	           "exposedPorts[0].port: expected an integer, got string");
	/* renaming the port breaks the checks and the exposure that refer to it */
	json = mutate(APP, "exposedPorts[0].name", "\"web\"");
	{
		const char *exp[] = {
		        "healthcheck.mode.portName: Invalid port name for health check: main. "
		        "Available ports: [web]",
		        "readiness.mode.portName: Invalid port name for health check: main",
		        "exposureSpec.portName: Exposed port name main is undefined. Defined port "
		        "names: [web]",
		};
		expect_errors(json, exp, 3);
	}
	free(json);
	json = mutate(APP, "exposedPorts[1]", "{\"name\":\"main\",\"port\":9,\"type\":\"tcp\"}");
	expect_errors(json, (const char *const[]){"exposedPorts[1].name: duplicate port name"}, 1);
	free(json);
}
END_TEST

START_TEST(test_app_volumes)
{
	char *json = mutate(
	        APP, "volumes[0]",
	        "{\"pathInContainer\":\"/d\",\"pathOnHost\":\"/etc/x\",\"mode\":\"read_only\"}");
	expect_valid(json);
	ck_assert_int_eq(drove_spec_opts_add_allowed_mount_dir(opts, "/var/lib/drove"), 0);
	expect_errors(json,
	              (const char *const[]){"volumes[0].pathOnHost: Volume mount requested on non "
	                                    "whitelisted host directory: /etc/x"},
	              1);
	free(json);
	json = mutate(APP, "volumes[0]",
	              "{\"pathInContainer\":\"/d\",\"pathOnHost\":\"/var/lib/drove/a\"}");
	expect_errors(json, (const char *const[]){"volumes[0].mode: is required"}, 1);
	free(json);
	drove_assert_error(drove_spec_opts_add_allowed_mount_dir(opts, ""), DROVE_EINVAL,
	                   "invalid argument");
}
END_TEST

START_TEST(test_app_configs)
{
	expect_one(APP, "configs[0].data", NULL, "configs[0].data: is required");
	expect_one(APP, "configs[0].data", "\"not base64!\"", "configs[0].data: invalid base64");
	expect_one(APP, "configs[0].localFilename", NULL, "configs[0].localFilename: is required");
	expect_one(APP, "configs[0]", "{\"type\":\"EXECUTOR_LOCAL_FILE\",\"localFilename\":\"/a\"}",
	           "configs[0].filePathOnHost: is required");
	expect_one(APP, "configs[0]",
	           "{\"type\":\"CONTROLLER_HTTP_FETCH\",\"localFilename\":\"/a\",\"http\":"
	           "{\"protocol\":\"HTTP\",\"hostname\":\"h\",\"port\":70000}}",
	           "configs[0].http.port: must be at most 65535, got 70000");
	expect_one(APP, "configs[0]", "{\"type\":\"EXECUTOR_HTTP_FETCH\",\"localFilename\":\"/a\"}",
	           "configs[0].http: is required");
	expect_one(APP, "configs[0]",
	           "{\"type\":\"EXECUTOR_HTTP_FETCH\",\"localFilename\":\"/a\",\"http\":"
	           "{\"hostname\":\"h\"}}",
	           "configs[0].http.protocol: is required");
	expect_one(APP, "configs[0].type", "\"FROM_S3\"",
	           "configs[0].type: unknown type \"FROM_S3\"");
}
END_TEST

START_TEST(test_app_resources)
{
	expect_one(APP, "resources[0].count", "0", "resources[0].count: must be at least 1, got 0");
	expect_one(APP, "resources[1].sizeInMB", "-5",
	           "resources[1].sizeInMB: must be at least 1, got -5");
	expect_one(APP, "resources[0]", "{\"type\":\"MEMORY\",\"sizeInMB\":1}",
	           "resources: Cpu requirements are mandatory");
	expect_one(APP, "resources[1]", "{\"type\":\"CPU\",\"count\":1}",
	           "resources: Memory requirements are mandatory");
	expect_one(APP, "resources[0].count", NULL, "resources[0].count: is required");
	{
		char *json = mutate(APP, "resources", "[]");
		expect_errors(json,
		              (const char *const[]){"resources: Cpu requirements are mandatory",
		                                    "resources: Memory requirements are mandatory"},
		              2);
		free(json);
	}
	/* a wrong JSON type is reported once, not again as missing */
	expect_one(APP, "resources[0].count", "\"one\"",
	           "resources[0].count: expected an integer, got string");
	/* an unknown resource type is reported once, without follow-on errors for that entry */
	expect_one(APP, "resources[0].type", "\"GPU\"",
	           "resources[0].type: unknown type \"GPU\" (expected one of CPU, "
	           "MEMORY)");
}
END_TEST

START_TEST(test_app_placement)
{
	char *json = mutate(APP, "placementPolicy", NULL);
	expect_valid(json); /* defaults to ANY */
	free(json);
	expect_one(APP, "placementPolicy", "{\"type\":\"MAX_N_PER_HOST\",\"max\":65}",
	           "placementPolicy.max: must be at most 64, got 65");
	expect_one(APP, "placementPolicy", "{\"type\":\"MAX_N_PER_HOST\",\"max\":0}",
	           "placementPolicy.max: must be at least 1, got 0");
	expect_one(APP, "placementPolicy", "{\"type\":\"MAX_N_PER_HOST\"}",
	           "placementPolicy.max: is required");
	expect_one(APP, "placementPolicy", "{\"type\":\"MATCH_TAG\"}",
	           "placementPolicy.tag: is required");
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"RULE_BASED\",\"rule\":\"x\",\"ruleType\":\"MVEL\"}",
	           "placementPolicy.ruleType: MVEL rules are not supported, use HOPE");
	expect_one(APP, "placementPolicy", "{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\"}",
	           "placementPolicy.rule: is required");
	/* a HOPE rule that does not parse is refused here, with the parser's reason */
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"RULE_BASED\",\"rule\":\"x == 1\",\"ruleType\":\"HOPE\"}",
	           "placementPolicy.rule: unknown function 'x' at position 1");
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"ANY\"},"
	           "{\"type\":\"RULE_BASED\",\"rule\":\"'/a' == \",\"ruleType\":\"HOPE\"}]}",
	           "placementPolicy.policies[1].rule: expected a string, number, boolean, pointer, "
	           "path or function at end of rule (position 9)");
	{
		char *ok = mutate(
		        APP, "placementPolicy",
		        "{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\",\"rule\":"
		        "\"str.match('r[0-9]', '/allocatedExecutorNodeMetadata/rack') == true "
		        "&& arr.in('/applicationEnvironment/ZONE', ['z1', 'z2']) == true\"}");
		expect_valid(ok);
		free(ok);
	}
	expect_one(APP, "placementPolicy", "{\"type\":\"COMPOSITE\",\"policies\":[]}",
	           "placementPolicy.policies: must not be empty");
	expect_one(APP, "placementPolicy", "{\"type\":\"LOCAL\"}",
	           "placementPolicy: Local service placement is not allowed for apps");
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"COMPOSITE\",\"combiner\":\"or\",\"policies\":[{\"type\":\"ANY\"},"
	           "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"MATCH_TAG\"}]}]}",
	           "placementPolicy.policies[1].policies[0].tag: is required");
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"LOCAL\"}]}",
	           "placementPolicy.policies[0]: Local service placement is not allowed for apps");
	expect_one(APP, "placementPolicy",
	           "{\"type\":\"COMPOSITE\",\"combiner\":\"XOR\","
	           "\"policies\":[{\"type\":\"ANY\"}]}",
	           "placementPolicy.combiner: unknown value \"XOR\" (expected one of AND, OR)");
	expect_one(APP, "placementPolicy", "{\"max\":2}", "placementPolicy.type: missing");
}
END_TEST

START_TEST(test_app_checks)
{
	expect_one(APP, "healthcheck", NULL, "healthcheck: is required");
	expect_one(APP, "readiness.mode", NULL, "readiness.mode: is required");
	expect_one(APP, "healthcheck.attempts", "0",
	           "healthcheck.attempts: must be at least 1, got 0");
	expect_one(APP, "readiness.attempts", "101",
	           "readiness.attempts: must be at most 100, got 101");
	expect_one(APP, "readiness.attempts", NULL, "readiness.attempts: is required");
	expect_one(APP, "healthcheck.timeout", NULL, "healthcheck.timeout: is required");
	expect_one(APP, "healthcheck.interval", NULL, "healthcheck.interval: is required");
	expect_one(APP, "healthcheck.mode.successCodes", "[]",
	           "healthcheck.mode.successCodes: must not be empty");
	expect_one(APP, "healthcheck.mode.path", NULL, "healthcheck.mode.path: is required");
	expect_one(
	        APP, "healthcheck.mode.verb", "\"DELETE\"",
	        "healthcheck.mode.verb: unknown value \"DELETE\" (expected one of GET, POST, PUT)");
	expect_one(APP, "healthcheck.mode.protocol", NULL,
	           "healthcheck.mode.protocol: is required");
	expect_one(APP, "healthcheck.mode.portName", "\"admin\"",
	           "healthcheck.mode.portName: Invalid port name for health check: admin. "
	           "Available ports: [main]");
	expect_one(APP, "readiness.mode", "{\"type\":\"CMD\"}",
	           "readiness.mode.command: is required");
	expect_one(APP, "readiness.mode", "{\"type\":\"TCP\"}", "readiness.mode.type: unknown");
	expect_one(APP, "preShutdown.hooks[0]",
	           "{\"type\":\"HTTP\",\"protocol\":\"HTTP\",\"portName\":\"x\",\"path\":\"/\","
	           "\"verb\":\"GET\",\"successCodes\":[200]}",
	           "preShutdown.hooks[0].portName: Invalid port name for pre-shutdown hook: x");
}
END_TEST

START_TEST(test_app_logging_exposure_user)
{
	expect_one(APP, "logging.maxFiles", "0", "logging.maxFiles: must be at least 1, got 0");
	expect_one(APP, "logging.maxFiles", "101",
	           "logging.maxFiles: must be at most 100, got 101");
	expect_one(APP, "logging.maxSize", NULL, "logging.maxSize: is required");
	expect_one(APP, "logging", "{\"type\":\"RSYSLOG\"}", "logging.server: is required");
	expect_one(APP, "exposureSpec.vhost", NULL, "exposureSpec.vhost: is required");
	expect_one(APP, "exposureSpec.portName", "\"admin\"",
	           "exposureSpec.portName: Exposed port name admin is undefined. Defined port "
	           "names: [main]");
	expect_one(APP, "userSpec", "{\"group\":\"g\"}", "userSpec.user: is required");
	expect_one(APP, "env", "{\"A\":1}", "env.A: expected a string, got int");
	expect_one(APP, "tags", "[]", "tags: expected an object, got array");
	/* a sub-object of the wrong type is one error, without follow-on errors below it */
	expect_one(APP, "healthcheck", "5", "healthcheck: expected an object, got int");
	expect_one(APP, "resources", "{}", "resources: expected an array, got object");
	{
		/* ... but what refers to a port that did not decode is still reported */
		char *json = mutate(APP, "exposedPorts[0]", "\"main\"");
		expect_errors(
		        json,
		        (const char *const[]){"exposedPorts[0]: expected an object, got string",
		                              "healthcheck.mode.portName: Invalid port name",
		                              "readiness.mode.portName: Invalid port name",
		                              "exposureSpec.portName: Exposed port name main"},
		        4);
		free(json);
	}
}
END_TEST

START_TEST(test_app_devices)
{
	char *json =
	        mutate(APP, "devices",
	               "[{\"type\":\"DIRECT\",\"pathOnHost\":\"/dev/fuse\"},{\"type\":\"DETAILED\","
	               "\"driver\":\"nvidia\",\"count\":-1,\"capabilities\":[[\"gpu\"]]}]");
	expect_errors(json,
	              (const char *const[]){"devices: Device access is disabled. To enable, set "
	                                    "enableRawDeviceAccess: true in controller options."},
	              1);
	drove_spec_opts_set_enable_raw_device_access(opts, 1);
	expect_valid(json);
	free(json);
	expect_one(APP, "devices", "[{\"type\":\"DIRECT\"}]", "devices[0].pathOnHost: is required");
	expect_one(APP, "devices",
	           "[{\"type\":\"DIRECT\",\"pathOnHost\":\"/dev/x\","
	           "\"permissions\":\"rwx\"}]",
	           "devices[0].permissions: unknown value \"rwx\"");
}
END_TEST

START_TEST(test_app_args)
{
	size_t n = 0;
	char *json, *big = malloc(2100 * 4 + 16);
	drove_spec_opts_set_disable_cmdl_args(opts, 1);
	{
		size_t len;
		char *app = fixture(APP, &len);
		expect_errors(app,
		              (const char *const[]){"args: Passing command line to containers is "
		                                    "disabled on this cluster"},
		              1);
		free(app);
	}
	drove_spec_opts_set_disable_cmdl_args(opts, 0);
	big[n++] = '[';
	big[n++] = '"';
	memset(big + n, 'x', 2049);
	n += 2049;
	big[n++] = '"';
	big[n++] = ']';
	big[n] = '\0';
	json = mutate(APP, "args", big);
	expect_errors(json,
	              (const char *const[]){"args: Maximum combined length of command line "
	                                    "arguments can be 2048 (got 2049)"},
	              1);
	free(json);
	/* 2048 single-character args joined with spaces: 4095 characters */
	n = 0;
	big[n++] = '[';
	for (int i = 0; i < 2049; i++) {
		if (i)
			big[n++] = ',';
		memcpy(big + n, "\"a\"", 3);
		n += 3;
	}
	big[n++] = ']';
	big[n] = '\0';
	json = mutate(APP, "args", big);
	expect_errors(json,
	              (const char *const[]){"args: at most 2048 arguments are allowed, got 2049"},
	              1);
	free(json);
	free(big);
	expect_one(APP, "args", "[\"a\",1]", "args[1]: expected a string, got int");
}
END_TEST

START_TEST(test_all_errors_at_once)
{
	const char *json = "{\"name\":\"x y\",\"version\":\"1\",\"type\":\"SERVICE\","
	                   "\"exposedPorts\":[{\"name\":\"main\",\"port\":0,\"type\":\"HTTP\"}],"
	                   "\"resources\":[{\"type\":\"CPU\",\"count\":0}],"
	                   "\"placementPolicy\":{\"type\":\"MAX_N_PER_HOST\",\"max\":100}}";
	const char *exp[] = {
	        "name: only characters",
	        "executable: is required",
	        "exposedPorts[0].port: must be at least 1",
	        "resources[0].count: must be at least 1",
	        "resources: Memory requirements are mandatory",
	        "placementPolicy.max: must be at most 64",
	        "healthcheck: is required",
	        "readiness: is required",
	};
	expect_errors(json, exp, DROVE_ARRAY_LEN(exp));
}
END_TEST

/* ---- task and local-service rules ---- */

START_TEST(test_task_rules)
{
	expect_one(TASK, "taskId", "\"T 1\"",
	           "taskId: only characters, numbers, hyphen and "
	           "underscore is allowed, got \"T 1\"");
	expect_one(TASK, "sourceAppName", NULL, "sourceAppName: is required");
	expect_one(TASK, "placementPolicy", "{\"type\":\"LOCAL\"}",
	           "placementPolicy: Local service placement is not allowed for tasks");
	expect_one(TASK, "resources[1].sizeInMB", "0", "resources[1].sizeInMB: must be at least 1");
	expect_one(TASK, "executable.url", "\"\"", "executable.url: is required");
	expect_one(TASK, "devices", "[{\"type\":\"DIRECT\",\"pathOnHost\":\"/dev/x\"}]",
	           "devices: Device access is disabled.");
}
END_TEST

START_TEST(test_ls_rules)
{
	char *json;
	expect_one(LS, "placementPolicy", "{\"type\":\"ANY\"}",
	           "placementPolicy: Only local placement is allowed for local services");
	expect_one(LS, "placementPolicy", NULL,
	           "placementPolicy: Only local placement is allowed for local services");
	json = mutate(
	        LS, "placementPolicy",
	        "{\"type\":\"COMPOSITE\",\"policies\":[{\"type\":\"LOCAL\",\"hostLevel\":true},"
	        "{\"type\":\"MATCH_TAG\",\"tag\":\"edge\"}]}");
	expect_valid(json);
	free(json);
	/* local services have no exposureSpec: it is an unknown (ignored) field there */
	json = mutate(LS, "exposureSpec", "{\"vhost\":\"x\",\"portName\":\"nope\"}");
	expect_valid(json);
	free(json);
	expect_one(LS, "readiness.mode.command", "\"\"", "readiness.mode.command: is required");
}
END_TEST

/* ---- public API ---- */

START_TEST(test_kind_detection)
{
	int kind = -1;
	size_t len;
	char *app = fixture(APP, &len), *json;
	ck_assert_int_eq(drove_spec_detect_kind(app, len, &kind), 0);
	ck_assert_int_eq(kind, DROVE_KIND_APP);
	free(app);
	app = fixture(TASK, &len);
	ck_assert_int_eq(drove_spec_detect_kind(app, len, &kind), 0);
	ck_assert_int_eq(kind, DROVE_KIND_TASK);
	free(app);
	app = fixture(LS, &len);
	ck_assert_int_eq(drove_spec_detect_kind(app, len, &kind), 0);
	ck_assert_int_eq(kind, DROVE_KIND_LOCAL_SERVICE);
	free(app);
	/* without `type`: a LOCAL placement means a local service */
	json = mutate(LS, "type", NULL);
	ck_assert_int_eq(drove_spec_detect_kind(json, strlen(json), &kind), 0);
	ck_assert_int_eq(kind, DROVE_KIND_LOCAL_SERVICE);
	free(json);
	json = mutate(APP, "type", "\"service\"");
	ck_assert_int_eq(drove_spec_detect_kind(json, strlen(json), &kind), 0);
	ck_assert_int_eq(kind, DROVE_KIND_APP);
	free(json);
	drove_assert_error(drove_spec_detect_kind("{\"a\":1}", 7, &kind), DROVE_EINVAL,
	                   "cannot tell the kind of spec");
	drove_assert_error(drove_spec_detect_kind("[]", 2, &kind), DROVE_EINVAL,
	                   "expected an object, got array");
	ck_assert_str_eq(drove_spec_kind_name(DROVE_KIND_LOCAL_SERVICE), "local service");
	ck_assert_str_eq(drove_spec_kind_name(DROVE_KIND_TASK), "task");
	ck_assert_str_eq(drove_spec_kind_name(DROVE_KIND_APP), "application");
	ck_assert_str_eq(drove_spec_kind_name(42), "unknown");
}
END_TEST

START_TEST(test_getters)
{
	size_t len;
	char *json = fixture(APP, &len);
	drove_spec *s = NULL;

	ck_assert_int_eq(drove_spec_from_json(&s, ctx, DROVE_KIND_UNKNOWN, json, len, opts), 0);
	ck_assert_int_eq(drove_spec_kind(s), DROVE_KIND_APP);
	ck_assert_str_eq(drove_spec_name(s), "DROVE_TEST_APP");
	ck_assert_str_eq(drove_spec_version(s), "1");
	ck_assert_str_eq(drove_spec_id(s), "DROVE_TEST_APP-1");
	ck_assert_ptr_null(drove_spec_source_app_name(s));
	ck_assert_int_eq(drove_spec_cpu_count(s), 1);
	ck_assert_int_eq(drove_spec_memory_mb(s), 64);
	ck_assert_str_eq(drove_spec_image(s), "localhost/drove-test:latest");
	ck_assert_int_eq(drove_spec_validate(s, opts, NULL), 0);
	drove_spec_free(s);
	free(json);

	json = fixture(TASK, &len);
	ck_assert_int_eq(drove_spec_from_json(&s, ctx, DROVE_KIND_TASK, json, len, NULL), 0);
	ck_assert_str_eq(drove_spec_name(s), "T0001");
	ck_assert_str_eq(drove_spec_source_app_name(s), "DROVE_TEST_APP");
	ck_assert_ptr_null(drove_spec_version(s));
	ck_assert_str_eq(drove_spec_id(s), "DROVE_TEST_APP-T0001");
	ck_assert_int_eq(drove_spec_memory_mb(s), 32);
	drove_spec_free(s);
	free(json);

	json = fixture(LS, &len);
	ck_assert_int_eq(drove_spec_from_json(&s, ctx, DROVE_KIND_UNKNOWN, json, len, NULL), 0);
	ck_assert_int_eq(drove_spec_kind(s), DROVE_KIND_LOCAL_SERVICE);
	ck_assert_str_eq(drove_spec_id(s), "DROVE_TEST_LS-1");
	ck_assert_int_eq(drove_spec_cpu_count(s), 1);
	drove_spec_free(s);
	free(json);

	ck_assert_int_eq(drove_spec_kind(NULL), DROVE_KIND_UNKNOWN);
	ck_assert_ptr_null(drove_spec_name(NULL));
	ck_assert_ptr_null(drove_spec_id(NULL));
	ck_assert_ptr_null(drove_spec_image(NULL));
	ck_assert_int_eq(drove_spec_cpu_count(NULL), 0);
	ck_assert_int_eq(drove_spec_memory_mb(NULL), 0);
	drove_spec_free(NULL);
	drove_spec_opts_free(NULL);
}
END_TEST

START_TEST(test_from_json_and_validate)
{
	char *json = mutate(APP, "resources[0].count", "0");
	drove_spec *s = NULL;
	drove_strlist *errs = NULL;

	/* parsing succeeds; validation reports */
	ck_assert_int_eq(drove_spec_from_json(&s, ctx, 0, json, strlen(json), NULL), 0);
	drove_assert_error(drove_spec_validate(s, NULL, &errs), DROVE_EINVAL,
	                   "resources[0].count: must be at least 1, got 0");
	ck_assert_uint_eq(drove_strlist_count(errs), 1);
	drove_strlist_free(errs);
	drove_spec_free(s);
	s = NULL;
	free(json);

	json = mutate(APP, "resources[0].count", "\"x\"");
	drove_assert_error(drove_spec_from_json(&s, ctx, 0, json, strlen(json), NULL), DROVE_EINVAL,
	                   "resources[0].count: expected an integer, got string");
	ck_assert_ptr_null(s);
	free(json);
	drove_assert_error(drove_spec_from_json(&s, ctx, DROVE_KIND_APP, "{", 1, NULL),
	                   DROVE_EINVAL, "unexpected end of input");
	drove_assert_error(drove_spec_from_json(&s, ctx, 9, "{}", 2, NULL), DROVE_EINVAL,
	                   "unknown spec kind 9");
	ck_assert_ptr_null(s);
	/* a parse failure of validate_json is one error too */
	{
		drove_strlist *e2 = NULL;
		drove_assert_error(drove_spec_validate_json(ctx, "nope", 4, NULL, &e2),
		                   DROVE_EINVAL, "invalid json");
		ck_assert_uint_eq(drove_strlist_count(e2), 1);
		drove_strlist_free(e2);
	}
}
END_TEST

START_TEST(test_unknown_fields_and_strict)
{
	char *json = mutate(APP, "instances", "1"), *json2;
	drove_strlist *unknown = NULL;

	json2 = NULL;
	{
		struct json_object *root = json_tokener_parse(json);
		struct json_object *hc = NULL;
		json_object_object_get_ex(root, "healthcheck", &hc);
		json_object_object_add(hc, "retries", json_object_new_int(3));
		json2 = strdup(json_object_to_json_string(root));
		json_object_put(root);
	}
	expect_valid(json2); /* lenient by default, as Drove */
	ck_assert_int_eq(drove_spec_unknown_fields(json2, strlen(json2), &unknown), 0);
	ck_assert_uint_eq(drove_strlist_count(unknown), 2);
	ck_assert(drove_strlist_contains(unknown, "instances: unknown field"));
	ck_assert(drove_strlist_contains(unknown, "healthcheck.retries: unknown field"));
	drove_strlist_free(unknown);

	drove_spec_opts_set_strict(opts, 1);
	expect_errors(json2,
	              (const char *const[]){"instances: unknown field",
	                                    "healthcheck.retries: unknown field"},
	              2);
	drove_spec_opts_set_strict(opts, 0);
	{
		size_t len;
		char *app = fixture(APP, &len);
		ck_assert_int_eq(drove_spec_unknown_fields(app, len, &unknown), 0);
		ck_assert_uint_eq(drove_strlist_count(unknown), 0);
		drove_strlist_free(unknown);
		free(app);
	}
	free(json);
	free(json2);
}
END_TEST

START_TEST(test_masking_public)
{
	size_t len;
	char *json = fixture("app_rich.json", &len), *masked = NULL, *plain = NULL;
	drove_spec *s = NULL;
	struct json_object *m, *cfgs, *c;

	ck_assert_int_eq(drove_spec_from_json(&s, ctx, 0, json, len, NULL), 0);
	ck_assert_int_eq(drove_spec_to_json(s, 1, &masked), 0);
	ck_assert_int_eq(drove_spec_to_json(s, 0, &plain), 0);
	m = json_tokener_parse(masked);
	ck_assert(json_object_object_get_ex(m, "configs", &cfgs));
	c = json_object_array_get_idx(cfgs, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "data")), "");
	c = json_object_object_get(json_object_array_get_idx(cfgs, 2), "http");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "username")), "***");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "password")), "***");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "hostname")),
	                 "cfg.local");
	c = json_object_object_get(json_object_array_get_idx(cfgs, 3), "http");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "authHeader")), "***");
	/* env is not masked; the spec itself is unchanged */
	ck_assert_ptr_nonnull(strstr(masked, "\"GREETING\":\"hello\""));
	ck_assert_ptr_nonnull(strstr(plain, "\"data\":\"b2sK\""));
	ck_assert_ptr_nonnull(strstr(plain, "\"username\":\"u\""));
	json_object_put(m);
	drove_free(masked);
	drove_free(plain);
	drove_spec_free(s);
	free(json);

	/* tasks and local services too */
	json = fixture(TASK, &len);
	ck_assert_int_eq(drove_spec_from_json(&s, ctx, 0, json, len, NULL), 0);
	ck_assert_int_eq(drove_spec_to_json(s, 1, &masked), 0);
	ck_assert_ptr_nonnull(strstr(masked, "\"data\":\"\""));
	drove_free(masked);
	drove_spec_free(s);
	free(json);
	json = fixture(LS, &len);
	ck_assert_int_eq(drove_spec_from_json(&s, ctx, 0, json, len, NULL), 0);
	ck_assert_int_eq(drove_spec_to_json(s, 1, &masked), 0);
	ck_assert_ptr_nonnull(strstr(masked, "\"data\":\"\""));
	ck_assert_ptr_null(strstr(masked, "exposureSpec"));
	drove_free(masked);
	ck_assert_int_eq(drove_spec_to_json(s, 0, &plain), 0);
	ck_assert_ptr_nonnull(strstr(plain, "\"data\":\"b2sK\""));
	ck_assert_ptr_nonnull(strstr(plain, "\"type\":\"LOCAL_SERVICE\""));
	drove_free(plain);
	drove_spec_free(s);
	free(json);
}
END_TEST

START_TEST(test_public_roundtrip_samples)
{
	const char *files[] = {APP, TASK, LS, "app_condensed.json", "app_rich.json"};
	drove_spec_opts_set_enable_raw_device_access(opts, 1);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(files); i++) {
		size_t len;
		char *json = fixture(files[i], &len), *e1 = NULL, *e2 = NULL;
		drove_spec *s1 = NULL, *s2 = NULL;
		struct json_object *o1, *o2;
		ck_assert_int_eq(drove_spec_from_json(&s1, ctx, 0, json, len, opts), 0);
		ck_assert_int_eq(drove_spec_validate(s1, opts, NULL), 0);
		ck_assert_int_eq(drove_spec_to_json(s1, 0, &e1), 0);
		ck_assert_int_eq(
		        drove_spec_from_json(&s2, ctx, drove_spec_kind(s1), e1, strlen(e1), opts),
		        0);
		ck_assert_int_eq(drove_spec_validate(s2, opts, NULL), 0);
		ck_assert_int_eq(drove_spec_to_json(s2, 0, &e2), 0);
		o1 = json_tokener_parse(e1);
		o2 = json_tokener_parse(e2);
		ck_assert_msg(json_object_equal(o1, o2), "%s", files[i]);
		json_object_put(o1);
		json_object_put(o2);
		drove_free(e1);
		drove_free(e2);
		drove_spec_free(s1);
		drove_spec_free(s2);
		free(json);
	}
}
END_TEST

Suite *model_validate_suite(void)
{
	Suite *s = suite_create("model_validate");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_samples_valid);
	tcase_add_test(tc, test_zero_cpu_bad_name_unknown_policy);
	tcase_add_test(tc, test_app_name_version);
	tcase_add_test(tc, test_app_executable);
	tcase_add_test(tc, test_app_ports);
	tcase_add_test(tc, test_app_volumes);
	tcase_add_test(tc, test_app_configs);
	tcase_add_test(tc, test_app_resources);
	tcase_add_test(tc, test_app_placement);
	tcase_add_test(tc, test_app_checks);
	tcase_add_test(tc, test_app_logging_exposure_user);
	tcase_add_test(tc, test_app_devices);
	tcase_add_test(tc, test_app_args);
	tcase_add_test(tc, test_all_errors_at_once);
	tcase_add_test(tc, test_task_rules);
	tcase_add_test(tc, test_ls_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_kind_detection);
	tcase_add_test(tc, test_getters);
	tcase_add_test(tc, test_from_json_and_validate);
	tcase_add_test(tc, test_unknown_fields_and_strict);
	tcase_add_test(tc, test_masking_public);
	tcase_add_test(tc, test_public_roundtrip_samples);
	suite_add_tcase(s, tc);
	return s;
}
