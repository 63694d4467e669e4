/* The drove CLI binary (daemons/drove) against a REAL local cluster (tests/harness/cluster.h):
 * drove-controller with the embedded store, one drove-executor, podman and the sample app.
 * Each command's happy path with its output and exit code, and a bad path per group (unknown
 * object -> the controller's message and exit 1, invalid spec -> exit 1 naming the field,
 * wrong password -> exit 1 with the controller's 401).
 * tcase "cli": cluster, executor, apps, appinstances, describe, plan, config, auth.
 * tcase "tasks_ls": tasks, localservices and lsinstances (they need the controller's task and
 * local-service engines, libdrove/ctrl/tasks.c and lsvc.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"
#include "cli_run.h"

#define APP  "DROVE_TEST_APP-1"
#define LS   "DROVE_TEST_LS-1"
#define TAPP "DROVE_TEST_APP"

static char ep[64]; /* http://127.0.0.1:<controller port> */

#define CLI(r, ...) drove_run((r), "-e", ep, __VA_ARGS__, (const char *)NULL)

/* ---- fixture and helpers ---- */

static void setup(void)
{
	dtc_setup();
	snprintf(cli_bin, sizeof(cli_bin), "%s", DTC_CLI_BIN);
	snprintf(cli_home, sizeof(cli_home), "%s/home", dtc.dir);
	ck_assert_int_eq(mkdir(cli_home, 0700), 0);
	cli_deadline_s = 120;
}

static void teardown(void)
{
	dtc_teardown();
}

/* Controller (embedded store) and one executor; ep is the controller. */
static void start_cluster(void)
{
	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(30000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", dtc.port);
}

/* stdout of a successful --json run, parsed (json_object_put). */
static json_object *out_json(const struct run *r)
{
	json_object *o;
	ck_assert_msg(r->status == 0, "exit %d, stderr: %s", r->status, r->err);
	o = json_tokener_parse(r->out);
	ck_assert_msg(o != NULL, "not JSON: %s", r->out);
	return o;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* The id of the only executor. */
static void executor_id(char *buf, size_t n)
{
	json_object *root, *d = dtc_get_data("/apis/v1/cluster/executors", &root);
	ck_assert_int_ge(json_object_array_length(d), 1);
	snprintf(buf, n, "%s", jstr(json_object_array_get_idx(d, 0), "executorId"));
	json_object_put(root);
}

/* Poll `path` on the controller until its body contains `needle` (or, with `absent`, does
 * not); fails after `ms`. */
static void wait_body(const char *path, const char *needle, int absent, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	char *b = NULL;
	for (;;) {
		int has;
		free(b);
		b = NULL;
		dtc_http("GET", path, NULL, &b);
		has = b && strstr(b, needle) != NULL;
		if (has != absent)
			break;
		ck_assert_msg(drove_time_mono_ms() < end, "%s: '%s' %s within %lld ms: %s", path,
		              needle, absent ? "still there" : "not there", (long long)ms, b);
		usleep(200 * 1000);
	}
	free(b);
}

/* The sample app's spec with a first log line, as $HOME/app.json; its shell (PID 1) exits on
 * SIGTERM, so that a stop does not wait for podman's 10 s kill timeout. */
static const char *app_spec(char *buf, size_t n)
{
	char p[1024];
	json_object *o = json_object_from_file(spec_path("application.json", p, sizeof(p))), *args;
	ck_assert_ptr_nonnull(o);
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(
	        args, json_object_new_string("echo hello from $GREETING; trap 'exit 0' TERM; "
	                                     "httpd -f -p 8000 -h /www & wait"));
	json_object_object_add(o, "args", args);
	write_home_file("app.json", json_object_to_json_string(o), buf, n);
	json_object_put(o);
	return buf;
}

/* HEALTHY instance ids of the app, through the CLI's --json (at most 4). */
static size_t healthy(char ids[][64])
{
	struct run r;
	json_object *o;
	size_t k = 0;
	CLI(&r, "--json", "appinstances", "list", APP);
	o = out_json(&r);
	for (size_t i = 0; i < json_object_array_length(o) && k < 4; i++) {
		json_object *in = json_object_array_get_idx(o, i);
		if (strcmp(jstr(in, "state"), "HEALTHY") == 0)
			snprintf(ids[k++], 64, "%s", jstr(in, "instanceId"));
	}
	json_object_put(o);
	return k;
}

/* ---- cluster, executor, describe cluster, config ---- */

START_TEST(test_cluster_executor)
{
	struct run r;
	char ex[128], want[160];
	json_object *o;

	start_cluster();
	executor_id(ex, sizeof(ex));

	CLI(&r, "cluster", "ping");
	snprintf(want, sizeof(want), "Cluster ping successful (leader at %s)", ep);
	assert_ok(&r, want);
	CLI(&r, "cluster", "summary");
	assert_ok(&r, "State                         NORMAL\n");
	ck_assert_ptr_nonnull(strstr(r.out, "Number of live executors      1\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Cores                         Utilization: 0%"));
	CLI(&r, "cluster", "leader");
	snprintf(want, sizeof(want), ":%d\n", dtc.port);
	assert_ok(&r, want);
	ck_assert_ptr_nonnull(strstr(r.out, "Cluster leader: "));
	CLI(&r, "--json", "cluster", "summary");
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "numExecutors"), "1");
	ck_assert_str_eq(jstr(o, "state"), "NORMAL");
	json_object_put(o);

	/* maintenance on and off: the summary follows, and both are events */
	CLI(&r, "cluster", "maintenance-on");
	assert_ok(&r, "Cluster state: MAINTENANCE\n");
	wait_body("/apis/v1/cluster", "\"state\":\"MAINTENANCE\"", 0, 5000);
	CLI(&r, "--json", "cluster", "summary");
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "state"), "MAINTENANCE");
	json_object_put(o);
	CLI(&r, "cluster", "maintenance-off");
	assert_ok(&r, "Maintenance mode removal accepted");
	CLI(&r, "cluster", "events");
	assert_ok(&r, "EXECUTOR_ADDED");
	ck_assert_ptr_nonnull(strstr(r.out, "MAINTENANCE_MODE_SET"));
	ck_assert_ptr_nonnull(strstr(r.out, "MAINTENANCE_MODE_REMOVED"));
	/* oldest first */
	ck_assert(strstr(r.out, "MAINTENANCE_MODE_SET") <
	          strstr(r.out, "MAINTENANCE_MODE_REMOVED"));
	snprintf(want, sizeof(want), "\"EXECUTOR_ID\": \"%s\"", ex);
	ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "EXECUTOR_ADDED            | "));
	CLI(&r, "cluster", "events", "--type", "MAINTENANCE_MODE_SET");
	assert_ok(&r, "MAINTENANCE_MODE_SET");
	ck_assert_ptr_null(strstr(r.out, "EXECUTOR_ADDED"));
	/* drove-cli's short flags and its --textfmt */
	CLI(&r, "cluster", "events", "-t", "EXECUTOR_ADDED", "-c", "10", "-s", "<{type}>");
	assert_ok(&r, "<EXECUTOR_ADDED>\n");
	ck_assert_ptr_null(strstr(r.out, "MAINTENANCE"));

	/* executors */
	CLI(&r, "executor", "list");
	assert_ok(&r, "Executor ID");
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	ck_assert_ptr_nonnull(strstr(r.out, "ACTIVE"));
	ck_assert_ptr_nonnull(strstr(r.out, "Free Memory (MB)"));
	CLI(&r, "executor", "info", ex);
	assert_ok(&r, "Free cores: ");
	ck_assert_ptr_nonnull(strstr(r.out, "Host                          localhost\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "NUMA node 0"));
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	/* nothing runs yet: the tables have their headers only */
	CLI(&r, "executor", "appinstances", ex);
	assert_ok(&r, "Instance ID");
	ck_assert_ptr_nonnull(strstr(r.out, "App name"));
	CLI(&r, "executor", "tasks", ex, "--app", "X");
	assert_ok(&r, "Source App");
	CLI(&r, "executor", "lsinstances", ex);
	assert_ok(&r, "Service name");
	CLI(&r, "executor", "lsinstances", "nope");
	assert_fail(&r, 1, "No executor found with id: nope");
	CLI(&r, "executor", "blacklist", ex);
	snprintf(want, sizeof(want), "Successful: %s\nFailed: \n", ex);
	assert_ok(&r, want);
	CLI(&r, "executor", "list");
	assert_ok(&r, "BLACKLIST");
	CLI(&r, "executor", "unblacklist", ex);
	assert_ok(&r, "Successful");
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	wait_body("/apis/v1/cluster/executors", "\"state\":\"ACTIVE\"", 0, 20000);
	CLI(&r, "executor", "list");
	assert_ok(&r, "ACTIVE");
	ck_assert_ptr_null(strstr(r.out, "BLACKLIST"));
	/* bad paths: an unknown executor */
	CLI(&r, "executor", "info", "nope");
	assert_fail(&r, 1, "No executor found with id: nope");
	ck_assert_str_eq(r.out, "");
	CLI(&r, "executor", "blacklist", "nope");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "nope"));

	/* describe */
	CLI(&r, "describe", "cluster");
	assert_ok(&r, "numExecutors");
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	CLI(&r, "describe", "executor", ex);
	assert_ok(&r, "Free cores: ");
	CLI(&r, "describe", "cluster", "-j");
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "numExecutors"), "1");
	json_object_put(o);
	CLI(&r, "describe", "executor", "nope");
	assert_fail(&r, 1, "No executor found with id: nope");

	/* config: ~/.drove written, then used without -e */
	{
		char path[512], *text;
		drove_run(&r, "config", "init", "-e", ep, "-n", "local", (const char *)NULL);
		assert_ok(&r, "Current cluster set to: local");
		snprintf(path, sizeof(path), "%s/.drove", cli_home);
		text = dtc_read_file(path);
		ck_assert_ptr_nonnull(text);
		ck_assert_ptr_nonnull(strstr(text, "[DEFAULT]\ncurrent_cluster = local\n"));
		snprintf(want, sizeof(want), "[local]\nendpoint = %s\n", ep);
		ck_assert_msg(strstr(text, want) != NULL, "%s", text);
		free(text);
		drove_run(&r, "cluster", "ping", (const char *)NULL);
		assert_ok(&r, "Cluster ping successful");
		drove_run(&r, "config", "add-cluster", "dead", "-e", "http://127.0.0.1:1",
		          (const char *)NULL);
		assert_ok(&r, "Cluster 'dead' added");
		drove_run(&r, "config", "get-clusters", (const char *)NULL);
		assert_ok(&r, "CURRENT    NAME                 ENDPOINT");
		ck_assert_ptr_nonnull(strstr(r.out, "*          local"));
		ck_assert_ptr_nonnull(strstr(r.out, "dead"));
		ck_assert_ptr_nonnull(strstr(r.out, "Current cluster: local"));
		drove_run(&r, "config", "view", (const char *)NULL);
		assert_ok(&r, "[local] (current)\n");
		ck_assert_ptr_nonnull(strstr(r.out, "[dead]\n  endpoint = http://127.0.0.1:1\n"));
		/* drove-cli's -f names the file */
		drove_run(&r, "-f", path, "-c", "local", "cluster", "ping", (const char *)NULL);
		assert_ok(&r, "Cluster ping successful");
		drove_run(&r, "config", "use-cluster", "dead", (const char *)NULL);
		assert_ok(&r, "Switched to cluster \"dead\"");
		text = dtc_read_file(path);
		ck_assert_ptr_nonnull(strstr(text, "current_cluster = dead\n"));
		free(text);
		drove_run(&r, "cluster", "ping", (const char *)NULL);
		assert_fail(&r, 1, "no leader controller");
		drove_run(&r, "-c", "local", "executor", "list", (const char *)NULL);
		assert_ok(&r, ex);
		drove_run(&r, "config", "use-cluster", "nope", (const char *)NULL);
		assert_fail(&r, 1, "cluster 'nope' not found");
	}
}
END_TEST

/* ---- apps, appinstances, plan, describe app ---- */

START_TEST(test_apps)
{
	struct run r;
	char spec[512], p[1024], ex[128], want[768], ids[4][64], ids2[4][64], dl[512];
	json_object *o;

	start_cluster();
	executor_id(ex, sizeof(ex));
	app_spec(spec, sizeof(spec));

	/* plan against the live cluster: one core, two v-cores (cpuMultiplier 2) */
	CLI(&r, "plan", spec, "--count", "2");
	assert_ok(&r, "2 of 2 instance(s) placed");
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	ck_assert_ptr_nonnull(strstr(r.out, "NUMA Node"));
	CLI(&r, "plan", spec, "--count", "2", "--json");
	o = out_json(&r);
	{
		json_object *pl, *one, *v;
		ck_assert(json_object_object_get_ex(o, "placements", &pl));
		ck_assert_int_eq(json_object_array_length(pl), 2);
		one = json_object_array_get_idx(pl, 0);
		ck_assert_str_eq(jstr(one, "executorId"), ex);
		ck_assert(json_object_object_get_ex(one, "cores", &v));
		ck_assert_int_eq(json_object_array_length(v), 1);
	}
	json_object_put(o);
	CLI(&r, "plan", spec, "--count", "3");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "2 of 3 instance(s) placed"));
	ck_assert_msg(strstr(r.err, "cannot place instance 3") != NULL, "%s", r.err);
	CLI(&r, "plan", spec_path("invalid_app.json", p, sizeof(p)));
	assert_fail(&r, 1, "invalid spec file");
	ck_assert_msg(strstr(r.err, "  - resources[0].count: must be at least 1, got 0\n"), "%s",
	              r.err);

	/* bad paths first: invalid spec (the controller names the field), unknown app */
	CLI(&r, "apps", "create", spec_path("invalid_app.json", p, sizeof(p)));
	assert_fail(&r, 1, "spec.placementPolicy.type: unknown type \"SOMEWHERE\"");
	ck_assert_str_eq(r.out, "");
	{
		json_object *s = json_object_from_file(spec);
		json_object_object_add(s, "name", json_object_new_string("bad name!"));
		write_home_file("bad_name.json", json_object_to_json_string(s), p, sizeof(p));
		json_object_put(s);
	}
	CLI(&r, "apps", "create", p);
	assert_fail(&r, 1,
	            "Command validation failure: spec.name: only characters, numbers, hyphen and "
	            "underscore is allowed, got \"bad name!\"");
	CLI(&r, "plan", p);
	assert_fail(&r, 1, "invalid spec file:\n  - name: only characters");
	CLI(&r, "apps", "create", write_home_file("bad.json", "{\"name\": ", p, sizeof(p)));
	assert_fail(&r, 1, "invalid spec file");
	CLI(&r, "apps", "summary", APP);
	assert_fail(&r, 1, "App " APP " not found");
	ck_assert_str_eq(r.out, "");
	CLI(&r, "apps", "scale", "NOPE-1", "1");
	assert_fail(&r, 1, "No state found for app: NOPE-1");

	/* create, list, summary, spec */
	CLI(&r, "apps", "create", spec);
	assert_ok(&r, "Application created with app id: " APP);
	CLI(&r, "apps", "create", spec);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, APP) != NULL, "%s", r.err);
	CLI(&r, "apps", "list");
	assert_ok(&r, APP);
	ck_assert_ptr_nonnull(strstr(r.out, "Healthy Instances"));
	ck_assert_ptr_nonnull(strstr(r.out, "MONITORING"));
	CLI(&r, "--json", "apps", "summary", APP);
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "state"), "MONITORING");
	ck_assert_str_eq(jstr(o, "requiredInstances"), "0");
	json_object_put(o);
	CLI(&r, "apps", "summary", APP);
	assert_ok(&r, "requiredInstances");
	CLI(&r, "apps", "spec", APP);
	assert_ok(&r, "\"name\": \"DROVE_TEST_APP\"");
	ck_assert_ptr_nonnull(strstr(r.out, "hello from"));

	/* scale 0 -> 1 and deploy 1 more, waiting */
	CLI(&r, "apps", "scale", APP, "1", "--wait", "-t", "1m");
	assert_ok(&r, "Healthy instances: 1/1");
	ck_assert_ptr_nonnull(strstr(r.out, "Required number of instances reached"));
	CLI(&r, "apps", "deploy", APP, "1", "--wait");
	assert_ok(&r, "Healthy instances: 2/2");
	ck_assert_ptr_nonnull(strstr(r.out, "Required number of instances reached"));
	ck_assert_int_eq(healthy(ids), 2);
	/* the cluster is full now */
	CLI(&r, "plan", spec);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "0 of 1 instance(s) placed"));

	/* instances */
	CLI(&r, "appinstances", "list", APP);
	assert_ok(&r, ids[0]);
	ck_assert_ptr_nonnull(strstr(r.out, ids[1]));
	ck_assert_ptr_nonnull(strstr(r.out, "main:"));
	ck_assert_ptr_nonnull(strstr(r.out, "HEALTHY"));
	ck_assert_ptr_nonnull(strstr(r.out, "Executor Host"));
	CLI(&r, "appinstances", "info", APP, ids[0]);
	assert_ok(&r, "State                         HEALTHY\n");
	ck_assert_ptr_nonnull(strstr(r.out, ex));
	ck_assert_ptr_nonnull(strstr(r.out, "Ports                         main: 8000->"));
	/* what runs on the executor, and the endpoints a gateway would route */
	CLI(&r, "executor", "appinstances", ex);
	assert_ok(&r, ids[0]);
	ck_assert_ptr_nonnull(strstr(r.out, "DROVE_TEST_APP "));
	CLI(&r, "cluster", "endpoints");
	assert_ok(&r, "endpoints\n");
	ck_assert_ptr_nonnull(strstr(r.out, APP));
	{
		json_object *ea, *one;
		CLI(&r, "--json", "cluster", "endpoints");
		ea = out_json(&r);
		ck_assert_int_ge(json_object_array_length(ea), 1);
		one = json_object_array_get_idx(ea, 0);
		snprintf(want, sizeof(want), "%s", jstr(one, "vhost"));
		json_object_put(ea);
		CLI(&r, "cluster", "endpoints", "-v", want);
		assert_ok(&r, want);
		CLI(&r, "cluster", "endpoints", "--vhost", "no.such.vhost");
		assert_ok(&r, "endpoints");
		ck_assert_ptr_null(strstr(r.out, APP));
	}
	CLI(&r, "describe", "instance", APP, ids[0]);
	assert_ok(&r, ids[0]);
	CLI(&r, "describe", "app", APP);
	assert_ok(&r, "requiredInstances");
	ck_assert_ptr_nonnull(strstr(r.out, ids[1]));
	CLI(&r, "appinstances", "info", APP, "AI-nope");
	assert_fail(&r, 1, "No such application instance " APP "/AI-nope");

	/* log files, through the controller's proxy to the executor */
	CLI(&r, "appinstances", "logs", APP, ids[0]);
	assert_ok(&r, "files                         ['output.log'");
	CLI(&r, "appinstances", "tail", APP, ids[0], "--from-start", "--for", "1");
	assert_ok(&r, "hello from hello\n");
	/* drove-cli's -l and -S: "hello from " is 11 characters */
	CLI(&r, "appinstances", "tail", APP, ids[0], "-l", "output.log", "-S", "11", "--from-start",
	    "--for", "1");
	assert_ok(&r, "hello\n");
	ck_assert_ptr_null(strstr(r.out, "hello from"));
	snprintf(dl, sizeof(dl), "%s/dl.log", cli_home);
	/* the log file as drove-cli's positional argument */
	CLI(&r, "appinstances", "download", APP, ids[0], "output.log", "-o", dl);
	snprintf(want, sizeof(want), "Downloading log to: %s\n", dl);
	assert_ok(&r, want);
	{
		char *text = dtc_read_file(dl);
		ck_assert_ptr_nonnull(text);
		ck_assert_msg(strstr(text, "hello from hello\n") != NULL, "%s", text);
		snprintf(want, sizeof(want), "Downloaded size: %zu bytes", strlen(text));
		ck_assert_msg(strstr(r.out, want) != NULL, "%s", r.out);
		free(text);
	}

	/* replace one (stop first, drove-cli's -s: no room for a third), waiting (-w) */
	CLI(&r, "appinstances", "replace", APP, ids[0], "-s", "-w", "-t", "1m");
	assert_ok(&r, "All instances replaced\n");
	ck_assert_ptr_nonnull(strstr(r.out, "Healthy instances: 2/2, old instances remaining: 0"));
	ck_assert_int_eq(healthy(ids2), 2);
	ck_assert(strcmp(ids2[0], ids[0]) != 0 && strcmp(ids2[1], ids[0]) != 0);
	/* kill lowers the count by default, as drove-cli */
	CLI(&r, "appinstances", "kill", APP, ids2[0], "-w");
	assert_ok(&r, "All instances stopped\n");
	wait_body("/apis/v1/applications/" APP, "\"requiredInstances\":1,", 0, 30000);
	wait_body("/apis/v1/applications/" APP, "\"healthyInstances\":1,", 0, 30000);
	wait_body("/apis/v1/applications/" APP "/instances/old", ids2[0], 0, 30000);
	CLI(&r, "appinstances", "list", APP, "--old");
	assert_ok(&r, ids[0]);
	ck_assert_ptr_nonnull(strstr(r.out, ids2[0]));

	/* rolling restart, waiting */
	CLI(&r, "apps", "restart", APP, "--wait", "-s");
	assert_ok(&r, "All instances replaced");
	ck_assert_ptr_nonnull(strstr(r.out, "old instances remaining: 0"));

	/* cancel a running scale */
	CLI(&r, "apps", "scale", APP, "2");
	assert_ok(&r, "Application scaling command accepted.");
	CLI(&r, "apps", "cancelop", APP);
	assert_ok(&r, "Operation cancellation request registered");
	wait_body("/apis/v1/applications/" APP, "\"state\":\"RUNNING\"", 0, 60000);
	CLI(&r, "apps", "cancelop", APP);
	assert_fail(&r, 1, "could not be cancelled");

	/* suspend, destroy */
	CLI(&r, "apps", "suspend", APP, "--wait");
	assert_ok(&r, "All instances suspended");
	wait_body("/apis/v1/applications/" APP, "\"state\":\"MONITORING\"", 0, 30000);
	CLI(&r, "apps", "suspend", APP);
	ck_assert_int_eq(r.status, 1);
	ck_assert_msg(strstr(r.err, "MONITORING") != NULL, "%s", r.err);
	CLI(&r, "apps", "destroy", APP);
	assert_ok(&r, "Application destroyed");
	wait_body("/apis/v1/applications/" APP, "not found", 0, 20000);
	CLI(&r, "apps", "list");
	assert_ok(&r, "Healthy Instances");
	ck_assert_ptr_null(strstr(r.out, APP));
}
END_TEST

/* ---- wrong password: a controller with userAuth ---- */

START_TEST(test_auth)
{
	struct run r;

	dtc_start_auth_controller(1);
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", dtc.port);
	for (int i = 0; i < 100; i++) {
		CLI(&r, "-u", "admin", "-p", "adminpw", "cluster", "ping");
		if (r.status == 0)
			break;
		usleep(100 * 1000);
	}
	assert_ok(&r, "Cluster ping successful");

	CLI(&r, "-u", "admin", "-p", "wrong", "cluster", "ping");
	assert_fail(&r, 1, "401 unauthorized: Credentials are required to access this resource.");
	ck_assert_str_eq(r.out, "");
	CLI(&r, "-u", "admin", "-p", "wrong", "apps", "list");
	assert_fail(&r, 1, "401 unauthorized: Credentials are required to access this resource.");
	CLI(&r, "apps", "list");
	assert_fail(&r, 1, "401 unauthorized: Credentials are required to access this resource.");
	CLI(&r, "-u", "guest", "-p", "guestpw", "apps", "list");
	assert_ok(&r, "Healthy Instances");
	/* a read-only user may not write */
	CLI(&r, "-u", "guest", "-p", "guestpw", "cluster", "maintenance-on");
	assert_fail(&r, 1, "403 forbidden: the user may not call /apis/v1/cluster/maintenance/set");
	/* credentials from ~/.drove */
	drove_run(&r, "config", "init", "-e", ep, "-u", "admin", "-p", "adminpw", "-n", "secure",
	          (const char *)NULL);
	assert_ok(&r, "Current cluster set to: secure");
	drove_run(&r, "cluster", "maintenance-off", (const char *)NULL);
	assert_ok(&r, "Cluster state: ");
	drove_run(&r, "-p", "wrong", "-u", "admin", "cluster", "ping", (const char *)NULL);
	assert_fail(&r, 1, "401 unauthorized: Credentials are required to access this resource.");
}
END_TEST

/* ---- tasks (needs libdrove/ctrl/tasks.c) ---- */

START_TEST(test_tasks)
{
	struct run r;
	char p[1024], spec2[512], dl[512];
	json_object *o;

	start_cluster();

	/* bad paths: unknown task, invalid spec */
	CLI(&r, "tasks", "show", TAPP, "T9");
	assert_fail(&r, 1, "No such task instance " TAPP "/T9");
	CLI(&r, "tasks", "create",
	    write_home_file("bad_task.json",
	                    "{\"sourceAppName\":\"" TAPP "\",\"taskId\":\"bad id!\","
	                    "\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:"
	                    "latest\",\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{"
	                    "\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":32}],"
	                    "\"placementPolicy\":{\"type\":\"ANY\"}}",
	                    p, sizeof(p)));
	assert_fail(&r, 1, "taskId");

	/* a 3-second task: create, list, show, logs, tail, download */
	CLI(&r, "tasks", "create", spec_path("task.json", p, sizeof(p)));
	assert_ok(&r, "Task created. Source App Name: " TAPP
	              " Task ID: T0001. Drove assigned task ID: " TAPP "-T0001\n");
	CLI(&r, "tasks", "create", spec_path("task.json", p, sizeof(p)));
	assert_fail(&r, 1, "Task already exists for " TAPP "/T0001");
	CLI(&r, "tasks", "list");
	assert_ok(&r, "T0001");
	CLI(&r, "tasks", "list", "--app", "OTHER");
	assert_ok(&r, "Source App");
	ck_assert_ptr_null(strstr(r.out, "T0001"));
	wait_body("/apis/v1/tasks/" TAPP "/instances/T0001", "\"state\":\"STOPPED\"", 0, 60000);
	CLI(&r, "tasks", "show", TAPP, "T0001");
	assert_ok(&r, "Result                        SUCCESSFUL (Task exit code: 0)\n");
	ck_assert_ptr_nonnull(strstr(r.out, "State                         STOPPED\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Executable                    localhost/drove-test"));
	CLI(&r, "--json", "tasks", "show", TAPP, "T0001");
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "taskId"), "T0001");
	ck_assert_int_eq(strncmp(jstr(o, "instanceId"), "TI-", 3), 0);
	json_object_put(o);
	CLI(&r, "describe", "task", TAPP, "T0001");
	assert_ok(&r, "SUCCESSFUL");
	CLI(&r, "tasks", "logs", TAPP, "T0001");
	assert_ok(&r, "output.log");
	CLI(&r, "tasks", "tail", TAPP, "T0001", "--from-start", "--for", "1", "-l", "output.log");
	assert_ok(&r, "iteration 3\n");
	ck_assert_ptr_nonnull(strstr(r.out, "iterations=3\n"));
	snprintf(dl, sizeof(dl), "%s/task.log", cli_home);
	CLI(&r, "tasks", "download", TAPP, "T0001", "output.log", "--out", dl);
	assert_ok(&r, "Downloaded size: ");
	{
		char *text = dtc_read_file(dl);
		ck_assert_ptr_nonnull(text);
		ck_assert_msg(strstr(text, "iteration 3\n") != NULL, "%s", text);
		free(text);
	}
	/* a finished task is not active, and its record can be deleted */
	CLI(&r, "tasks", "list");
	assert_ok(&r, "Source App");
	ck_assert_ptr_null(strstr(r.out, "T0001"));
	CLI(&r, "tasks", "kill", TAPP, "T0001");
	assert_fail(&r, 1, "Either task does not exist or has already finished");
	CLI(&r, "tasks", "delete", TAPP, "T0001");
	assert_ok(&r, "Task record deleted.");
	CLI(&r, "tasks", "show", TAPP, "T0001");
	assert_fail(&r, 1, "No such task instance " TAPP "/T0001");

	/* a long task, killed */
	{
		char tmp[1024];
		json_object *t = json_object_from_file(spec_path("task.json", tmp, sizeof(tmp))),
		            *args = json_object_new_array();
		json_object_object_add(t, "taskId", json_object_new_string("T0002"));
		json_object_array_add(args, json_object_new_string("sleep"));
		json_object_array_add(args, json_object_new_string("600"));
		json_object_object_add(t, "args", args);
		write_home_file("long.json", json_object_to_json_string(t), spec2, sizeof(spec2));
		json_object_put(t);
	}
	CLI(&r, "tasks", "create", spec2);
	assert_ok(&r, "Drove assigned task ID: " TAPP "-T0002");
	wait_body("/apis/v1/tasks/" TAPP "/instances/T0002", "\"state\":\"RUNNING\"", 0, 30000);
	CLI(&r, "tasks", "list", "--app", TAPP);
	assert_ok(&r, "T0002");
	ck_assert_ptr_nonnull(strstr(r.out, "RUNNING"));
	{
		char ex[128];
		executor_id(ex, sizeof(ex));
		/* the executor's view comes from its snapshots: it may lag the task's reports */
		for (int i = 0; i < 60; i++) {
			CLI(&r, "executor", "tasks", ex, "-a", TAPP);
			assert_ok(&r, "T0002");
			if (strstr(r.out, "RUNNING"))
				break;
			usleep(500 * 1000);
		}
		ck_assert_ptr_nonnull(strstr(r.out, "RUNNING"));
		CLI(&r, "executor", "tasks", ex, "-a", "OTHER");
		assert_ok(&r, "Source App");
		ck_assert_ptr_null(strstr(r.out, "T0002"));
	}
	CLI(&r, "tasks", "kill", TAPP, "T0002");
	assert_ok(&r, "Task kill issued");
	wait_body("/apis/v1/tasks/" TAPP "/instances/T0002", "\"state\":\"STOPPED\"", 0, 30000);
	CLI(&r, "tasks", "show", TAPP, "T0002");
	assert_ok(&r, "CANCELLED");
}
END_TEST

/* ---- local services and their instances (needs libdrove/ctrl/lsvc.c) ---- */

START_TEST(test_localservices)
{
	struct run r;
	char p[1024], si[64] = "", si2[64] = "";
	json_object *o;

	start_cluster();

	/* bad paths: unknown service, invalid spec (not LOCAL placement) */
	CLI(&r, "localservices", "summary", "NOPE-1");
	assert_fail(&r, 1, "Local service NOPE-1 not found");
	CLI(&r, "lsinstances", "info", LS, "SI-nope");
	assert_fail(&r, 1, "No such local service instance " LS "/SI-nope");
	{
		json_object *s = json_object_from_file(
		                    spec_path("localservice.json", p, sizeof(p))),
		            *pp = json_object_new_object();
		json_object_object_add(pp, "type", json_object_new_string("ANY"));
		json_object_object_add(s, "placementPolicy", pp);
		write_home_file("bad_ls.json", json_object_to_json_string(s), p, sizeof(p));
		json_object_put(s);
	}
	CLI(&r, "localservices", "create", p);
	assert_fail(&r, 1, "Only local placement is allowed for local services");

	/* create (INACTIVE), list, summary, spec */
	CLI(&r, "localservices", "create", spec_path("localservice.json", p, sizeof(p)));
	assert_ok(&r, "Local service created with service id: " LS);
	CLI(&r, "localservices", "list");
	assert_ok(&r, LS);
	ck_assert_ptr_nonnull(strstr(r.out, "Activation State"));
	ck_assert_ptr_nonnull(strstr(r.out, "INACTIVE"));
	CLI(&r, "--json", "localservices", "summary", LS);
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "activationState"), "INACTIVE");
	ck_assert_str_eq(jstr(o, "instancesPerHost"), "1");
	json_object_put(o);
	CLI(&r, "localservices", "spec", LS);
	assert_ok(&r, "\"name\": \"DROVE_TEST_LS\"");
	CLI(&r, "localservices", "update-instances", LS, "1");
	assert_ok(&r, "Local service instance count updated");
	CLI(&r, "localservices", "update", LS, "1");
	assert_ok(&r, "Local service instance count updated");

	/* activate: one instance on the executor */
	CLI(&r, "localservices", "activate", LS);
	assert_ok(&r, "Local service activated");
	wait_body("/apis/v1/localservices/" LS "/instances", "\"state\":\"HEALTHY\"", 0, 60000);
	CLI(&r, "--json", "lsinstances", "list", LS);
	o = out_json(&r);
	ck_assert_int_eq(json_object_array_length(o), 1);
	snprintf(si, sizeof(si), "%s", jstr(json_object_array_get_idx(o, 0), "instanceId"));
	json_object_put(o);
	CLI(&r, "lsinstances", "list", LS);
	assert_ok(&r, si);
	ck_assert_ptr_nonnull(strstr(r.out, "HEALTHY"));
	CLI(&r, "lsinstances", "info", LS, si);
	assert_ok(&r, "Service ID");
	ck_assert_ptr_nonnull(strstr(r.out, "HEALTHY"));
	CLI(&r, "describe", "localservice", LS);
	assert_ok(&r, si);
	CLI(&r, "describe", "lsinstance", LS, si);
	assert_ok(&r, si);
	CLI(&r, "lsinstances", "logs", LS, si);
	assert_ok(&r, "output.log");
	{
		char ex[128];
		executor_id(ex, sizeof(ex));
		CLI(&r, "executor", "lsinstances", ex);
		assert_ok(&r, si);
		ck_assert_ptr_nonnull(strstr(r.out, "DROVE_TEST_LS"));
	}

	/* replace the instance (drove-cli's --stop); then kill the new one */
	CLI(&r, "lsinstances", "replace", LS, si, "--stop");
	assert_ok(&r, "Instance(s) replace command accepted.");
	{
		int64_t end = drove_time_mono_ms() + 60000;
		for (;;) {
			CLI(&r, "--json", "lsinstances", "list", LS);
			o = out_json(&r);
			for (size_t i = 0; i < json_object_array_length(o); i++) {
				json_object *in = json_object_array_get_idx(o, i);
				if (!strcmp(jstr(in, "state"), "HEALTHY") &&
				    strcmp(jstr(in, "instanceId"), si))
					snprintf(si2, sizeof(si2), "%s", jstr(in, "instanceId"));
			}
			json_object_put(o);
			if (*si2)
				break;
			ck_assert_msg(drove_time_mono_ms() < end, "%s not replaced", si);
			usleep(300 * 1000);
		}
	}
	{
		char path[256];
		snprintf(path, sizeof(path), "/apis/v1/localservices/" LS "/instances/old");
		wait_body(path, si, 0, 30000);
	}
	CLI(&r, "lsinstances", "list", LS, "--old");
	assert_ok(&r, si);
	wait_body("/apis/v1/localservices/" LS, "\"state\":\"ACTIVE\"", 0, 30000);
	/* restart, waiting, with drove-cli's -s */
	CLI(&r, "localservices", "restart", LS, "-s", "-w");
	assert_ok(&r, "All instances replaced\n");
	ck_assert_ptr_nonnull(strstr(r.out, "old instances remaining: 0"));
	wait_body("/apis/v1/localservices/" LS, "\"state\":\"ACTIVE\"", 0, 60000);
	CLI(&r, "localservices", "cancelop", LS);
	ck_assert_int_eq(r.status, 1); /* nothing to cancel */

	/* deactivate: the instances stop; destroy */
	CLI(&r, "localservices", "deactivate", LS);
	assert_ok(&r, "Local service deactivated");
	wait_body("/apis/v1/localservices/" LS "/instances", "\"instanceId\"", 1, 60000);
	wait_body("/apis/v1/localservices/" LS, "\"state\":\"INACTIVE\"", 0, 30000);
	CLI(&r, "localservices", "conftest", LS);
	assert_ok(&r, "Local service test instance deployment accepted");
	wait_body("/apis/v1/localservices/" LS "/instances", "\"state\":\"HEALTHY\"", 0, 60000);
	wait_body("/apis/v1/localservices/" LS, "\"state\":\"CONFIG_TESTING\"", 0, 30000);
	CLI(&r, "--json", "localservices", "summary", LS);
	o = out_json(&r);
	ck_assert_str_eq(jstr(o, "activationState"), "CONFIG_TESTING");
	json_object_put(o);
	CLI(&r, "localservices", "deactivate", LS);
	assert_ok(&r, "Local service deactivated");
	wait_body("/apis/v1/localservices/" LS "/instances", "\"instanceId\"", 1, 60000);
	wait_body("/apis/v1/localservices/" LS, "\"state\":\"INACTIVE\"", 0, 30000);
	CLI(&r, "localservices", "destroy", LS);
	assert_ok(&r, "Local service destroyed");
	wait_body("/apis/v1/localservices/" LS, "not found", 0, 20000);
	CLI(&r, "localservices", "summary", LS);
	assert_fail(&r, 1, "Local service " LS " not found");
}
END_TEST

Suite *client_ctrl_cli_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_client_ctrl_cli");
	if (access(DTC_CLI_BIN, X_OK) != 0) {
		fprintf(stderr, "test_client_ctrl_cli: %s not built\n", DTC_CLI_BIN);
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	s = suite_create("client_ctrl_cli");
	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_cluster_executor);
	tcase_add_test(tc, test_apps);
	tcase_add_test(tc, test_auth);
	suite_add_tcase(s, tc);
	/* run alone with CK_RUN_CASE=tasks_ls (or exclude with CK_EXCLUDE_TCASE=tasks_ls) */
	tc = tcase_create("tasks_ls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_localservices);
	suite_add_tcase(s, tc);
	return s;
}
