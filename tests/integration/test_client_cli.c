/* The drove CLI binary (daemons/drove) run as a child process against a canned-response
 * Drove controller (tests/unit/check_client_mock.h): each command group's happy paths with
 * their output, and a bad path per group (unknown object -> the controller's message and
 * exit 1, invalid spec file -> exit 1, wrong password -> 401 and exit 1, usage -> exit 2). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "harness.h"
#include "../unit/check_client_mock.h"
#include "cli_run.h"

#define OK(d)   "{\"status\":\"SUCCESS\",\"data\":" d ",\"message\":\"success\"}"
#define MISS(m) "{\"status\":\"FAILED\",\"message\":\"" m "\"}"

static struct mock *m;
static char url[64];

#define CLI(r, ...) drove_run((r), "-e", url, __VA_ARGS__, (const char *)NULL)

static void last_body_has(const char *needle)
{
	char body[8192], method[16], uri[1024];
	mock_last(m, method, sizeof(method), uri, sizeof(uri), body, sizeof(body));
	ck_assert_msg(strstr(body, needle) != NULL, "%s %s body '%s' lacks '%s'", method, uri, body,
	              needle);
}

static void last_uri_is(const char *method, const char *want)
{
	char uri[1024], meth[16];
	mock_last(m, meth, sizeof(meth), uri, sizeof(uri), NULL, 0);
	ck_assert_str_eq(meth, method);
	ck_assert_str_eq(uri, want);
}

#define INST1                                                                                      \
	"{\"appId\":\"TEST_APP-1\",\"appName\":\"TEST_APP\",\"instanceId\":\"AI-1111\","           \
	"\"executorId\":"                                                                          \
	"\"ex-1\",\"localInfo\":{\"hostname\":\"node1\",\"ports\":{\"main\":{\"containerPort\":"   \
	"8000,"                                                                                    \
	"\"hostPort\":33857,\"portType\":\"HTTP\"}}},\"resources\":[{\"type\":\"CPU\",\"cores\":{" \
	"\"0\":"                                                                                   \
	"[2]}},{\"type\":\"MEMORY\",\"memoryInMB\":{\"0\":128}}],\"state\":\"HEALTHY\","           \
	"\"metadata\":{},"                                                                         \
	"\"errorMessage\":\"\",\"created\":1719892354194,\"updated\":1719893180105}"
#define INST2                                                                            \
	"{\"appId\":\"TEST_APP-1\",\"appName\":\"TEST_APP\",\"instanceId\":\"AI-2222\"," \
	"\"executorId\":"                                                                \
	"\"ex-1\",\"state\":\"HEALTHY\",\"created\":1719892354194,\"updated\":1719893180105}"

/* An executor with two NUMA nodes of 2 free cores each. */
#define EXECUTOR                                                                                   \
	"{\"type\":\"EXECUTOR\",\"hostname\":\"node1\",\"port\":3000,\"transportType\":\"HTTP\","  \
	"\"updated\":1719897100104,\"state\":{\"executorId\":\"ex-1\",\"cpus\":{\"type\":\"CPU\"," \
	"\"freeCores\":{\"0\":[2,3],\"1\":[6,7]},\"usedCores\":{\"0\":[1]}},\"memory\":{\"type\":" \
	"\"MEMORY\",\"freeMemory\":{\"0\":4000,\"1\":4000},\"usedMemory\":{\"0\":128}},"           \
	"\"layout\":"                                                                              \
	"{\"cores\":{\"0\":[1,2,3],\"1\":[5,6,7]},\"memory\":{\"0\":4128,\"1\":4000}}},"           \
	"\"instances\":[" INST1 "],\"tasks\":[{\"sourceAppName\":\"TEST_APP\",\"taskId\":"         \
	"\"T0001\",\"instanceId\":\"TI-1\",\"state\":\"RUNNING\",\"resources\":[{\"type\":"        \
	"\"CPU\",\"cores\":{\"1\":[6]}},{\"type\":\"MEMORY\",\"memoryInMB\":{\"1\":2048}}],"       \
	"\"created\":1,\"updated\":2}],\"serviceInstances\":[{\"serviceId\":\"LS-1\","             \
	"\"serviceName\":\"LS\",\"instanceId\":\"SI-1\",\"state\":\"HEALTHY\",\"created\":1,"      \
	"\"updated\":2}],\"tags\":[\"node1\"],\"metadata\":{},\"executorState\":\"ACTIVE\"}"

static void canned(void)
{
	/* cluster */
	mock_add(m, "GET", "/apis/v1/cluster", 200,
	         OK("{\"leader\":\"node1:4000\",\"state\":\"NORMAL\",\"numExecutors\":1,"
	            "\"numApplications\":1,\"freeCores\":4,\"usedCores\":1,\"totalCores\":5}"));
	mock_add(m, "POST", "/apis/v1/cluster/maintenance/set", 200,
	         OK("{\"state\":\"MAINTENANCE\",\"updated\":1719897526772}"));
	mock_add(m, "POST", "/apis/v1/cluster/maintenance/unset", 200,
	         OK("{\"state\":\"NORMAL\",\"updated\":1719897526772}"));
	mock_add(m, "GET", "/apis/v1/cluster/events", 200,
	         OK("[{\"type\":\"APP_STATE_CHANGE\",\"id\":\"e2\",\"time\":1719977631534,"
	            "\"metadata\":"
	            "{\"APP_ID\":\"TEST_APP-1\",\"CURRENT_STATE\":\"RUNNING\"}},{\"type\":"
	            "\"EXECUTOR_ADDED\",\"id\":\"e1\",\"time\":1719977600000,\"metadata\":{"
	            "\"EXECUTOR_ID\":"
	            "\"ex-1\"}}]"));
	mock_add(m, "GET", "/apis/v1/endpoints", 200,
	         OK("[{\"appId\":\"B-1\",\"vhost\":\"b.local\",\"tags\":{},\"hosts\":[{"
	            "\"host\":\"node1\",\"port\":33000,\"portType\":\"HTTP\"}]},{\"appId\":"
	            "\"A-1\",\"vhost\":\"a.local\",\"tags\":{},\"hosts\":[{\"host\":\"node2\","
	            "\"port\":33001,\"portType\":\"HTTP\"}]}]"));
	/* executors */
	mock_add(m, "GET", "/apis/v1/cluster/executors", 200,
	         OK("[{\"executorId\":\"ex-1\",\"hostname\":\"node1\",\"port\":3000,"
	            "\"transportType\":"
	            "\"HTTP\",\"freeCores\":4,\"usedCores\":1,\"freeMemory\":8000,\"usedMemory\":"
	            "128,"
	            "\"tags\":[\"node1\"],\"state\":\"ACTIVE\"}]"));
	mock_add(m, "GET", "/apis/v1/cluster/executors/ex-1", 200, OK(EXECUTOR));
	mock_add(m, "GET", "/apis/v1/cluster/executors/nope", 200,
	         MISS("No executor found with id: nope"));
	mock_add(m, "POST", "/apis/v1/cluster/executors/blacklist?id=ex-1", 200,
	         OK("{\"successful\":[\"ex-1\"],\"failed\":[],\"approxCompletionTimeMs\":330000,"
	            "\"message\":\"Blacklisting successful and app movement scheduled\"}"));
	mock_add(m, "POST", "/apis/v1/cluster/executors/unblacklist?id=ex-1", 200,
	         OK("{\"successful\":[\"ex-1\"],\"failed\":[],\"approxCompletionTimeMs\":0,"
	            "\"message\":\"Unblacklisting successful\"}"));
	/* apps */
	mock_add(m, "GET", "/apis/v1/applications", 200,
	         OK("{\"TEST_APP-1\":{\"id\":\"TEST_APP-1\",\"name\":\"TEST_APP\","
	            "\"requiredInstances\":2,"
	            "\"healthyInstances\":2,\"totalCPUs\":2,\"totalMemory\":256,\"state\":"
	            "\"RUNNING\","
	            "\"created\":1719826995764,\"updated\":1719892126096}}"));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1", 200,
	         OK("{\"id\":\"TEST_APP-1\",\"name\":\"TEST_APP\",\"requiredInstances\":2,"
	            "\"healthyInstances\":2,\"state\":\"RUNNING\",\"created\":1719826995764}"));
	mock_add(m, "GET", "/apis/v1/applications/NOPE-1", 200, MISS("App NOPE-1 not found"));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1/spec", 200,
	         OK("{\"name\":\"TEST_APP\",\"version\":\"1\"}"));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1/instances", 200,
	         OK("[" INST1 "," INST2 "]"));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1/instances/old", 200, OK("[]"));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1/instances/AI-1111", 200, OK(INST1));
	mock_add(m, "GET", "/apis/v1/applications/TEST_APP-1/instances/AI-9", 200,
	         MISS("No such application instance TEST_APP-1/AI-9"));
	mock_add(m, "POST", "/apis/v1/applications/operations", 200,
	         OK("{\"appId\":\"TEST_APP-1\"}"));
	mock_add(m, "POST", "/apis/v1/applications/operations/TEST_APP-1/cancel", 200,
	         "{\"status\":\"SUCCESS\",\"message\":\"success\"}");
	/* logs */
	mock_add(m, "GET", "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/list", 200,
	         "{\"files\":[\"output.log\",\"output.log-2024-07-03\"]}");
	mock_add(m, "GET",
	         "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/read/"
	         "output.log?offset=-1&length=-1",
	         200, "{\"data\":\"\",\"offset\":0}");
	mock_add(m, "GET",
	         "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/read/"
	         "output.log?offset=0&length=-1",
	         200, "{\"data\":\"first line\\n\",\"offset\":0}");
	mock_add(m, "GET",
	         "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/read/"
	         "output.log?offset=11&length=-1",
	         200, "{\"data\":\"\",\"offset\":11}");
	mock_add_raw(m, "GET",
	             "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/download/output.log", 200,
	             "log contents\n", "text/plain", 0);
	mock_add(m, "GET", "/apis/v1/logfiles/tasks/TEST_APP/T0001/list", 200,
	         "{\"files\":[\"output.log\"]}");
	/* tasks */
	mock_add(m, "GET", "/apis/v1/tasks", 200,
	         OK("[{\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T0001\",\"instanceId\":\"TI-1\","
	            "\"executorId\":\"ex-1\",\"hostname\":\"node1\",\"state\":\"RUNNING\","
	            "\"created\":1719823470267,\"updated\":1719823483836}]"));
	mock_add(m, "GET", "/apis/v1/tasks/TEST_APP/instances/T0001", 200,
	         OK("{\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T0001\",\"instanceId\":\"TI-1\","
	            "\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"SUCCESSFUL\",\"exitCode\":"
	            "0}}"));
	mock_add(m, "GET", "/apis/v1/tasks/TEST_APP/instances/T9", 200,
	         MISS("No such task instance TEST_APP/T9"));
	mock_add(m, "POST", "/apis/v1/tasks/operations", 200,
	         OK("{\"taskId\":\"DROVE_TEST_APP-T0001\"}"));
	/* local services */
	mock_add(m, "GET", "/apis/v1/localservices", 200,
	         OK("{\"LS-1\":{\"id\":\"LS-1\",\"name\":\"LS\",\"instancesPerHost\":1,"
	            "\"healthyInstances\":1,"
	            "\"activationState\":\"ACTIVE\",\"state\":\"ACTIVE\",\"created\":1,\"updated\":"
	            "2}}"));
	mock_add(m, "GET", "/apis/v1/localservices/LS-1", 200,
	         OK("{\"id\":\"LS-1\",\"name\":\"LS\",\"activationState\":\"ACTIVE\"}"));
	mock_add(m, "GET", "/apis/v1/localservices/NOPE-1", 200,
	         MISS("Local service NOPE-1 not found"));
	mock_add(m, "GET", "/apis/v1/localservices/LS-1/spec", 200,
	         OK("{\"name\":\"LS\",\"version\":\"1\"}"));
	mock_add(m, "GET", "/apis/v1/localservices/LS-1/instances", 200,
	         OK("[{\"serviceId\":\"LS-1\",\"serviceName\":\"LS\",\"instanceId\":\"SI-1\","
	            "\"state\":"
	            "\"HEALTHY\",\"created\":1,\"updated\":2}]"));
	mock_add(m, "GET", "/apis/v1/localservices/LS-1/instances/SI-1", 200,
	         OK("{\"serviceId\":\"LS-1\",\"serviceName\":\"LS\",\"instanceId\":\"SI-1\","
	            "\"state\":"
	            "\"HEALTHY\"}"));
	mock_add(m, "GET", "/apis/v1/localservices/LS-1/instances/SI-9", 200,
	         MISS("No such local service instance LS-1/SI-9"));
	mock_add(m, "POST", "/apis/v1/localservices/operations", 200,
	         OK("{\"serviceId\":\"LS-1\"}"));
	mock_add(m, "POST", "/apis/v1/localservices/operations/LS-1/cancel", 200,
	         "{\"status\":\"SUCCESS\",\"message\":\"success\"}");
}

static void setup(void)
{
	char tmpl[] = "/tmp/drove-cli-home-XXXXXX";
	snprintf(cli_bin, sizeof(cli_bin), "%s/daemons/drove/drove", DROVE_BINARY_DIR);
	if (access(cli_bin, X_OK) != 0) {
		/* built only with the client, model and sched modules */
		const char *req = getenv("DROVE_REQUIRE_COMPONENTS");
		fprintf(stderr, "the drove binary is not built: %s\n", cli_bin);
		exit(req && strcmp(req, "1") == 0 ? 1 : 77);
	}
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(cli_home, sizeof(cli_home), "%s", tmpl);
	m = mock_start();
	ck_assert_ptr_nonnull(m);
	mock_url(m, url, sizeof(url));
	canned();
}

static void teardown(void)
{
	char cmd[512];
	mock_stop(m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cli_home);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- cluster ---- */

START_TEST(test_cluster)
{
	struct run r;
	CLI(&r, "cluster", "ping");
	assert_ok(&r, "Cluster ping successful");
	/* drove-cli's labels */
	CLI(&r, "cluster", "summary");
	assert_ok(&r, "State                         NORMAL\n");
	ck_assert_ptr_nonnull(strstr(r.out, "Leader Controller             node1:4000\n"));
	ck_assert_ptr_nonnull(
	        strstr(r.out, "Cores                         Utilization: 20% (Total: 5 Used: 1 "
	                      "Free: 4)\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Number of live executors      1\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Applications                  Active: 0 Total: 1\n"));
	CLI(&r, "cluster", "leader");
	assert_ok(&r, "Cluster leader: node1:4000\n");
	CLI(&r, "cluster", "maintenance-on");
	assert_ok(&r, "Cluster state: MAINTENANCE\n");
	last_uri_is("POST", "/apis/v1/cluster/maintenance/set");
	CLI(&r, "cluster", "maintenance-off");
	assert_ok(&r, "Cluster state: NORMAL\nMaintenance mode removal accepted.");
	CLI(&r, "cluster", "events");
	assert_ok(&r, "EXECUTOR_ADDED            | e1                                   | "
	              "03/07/2024, 03:33:20 | {\"EXECUTOR_ID\": \"ex-1\"}\n");
	/* oldest first */
	ck_assert(strstr(r.out, "EXECUTOR_ADDED") < strstr(r.out, "APP_STATE_CHANGE"));
	ck_assert_ptr_nonnull(strstr(r.out, "{\"APP_ID\": \"TEST_APP-1\", \"CURRENT_STATE\": "
	                                    "\"RUNNING\"}"));
	last_uri_is("GET", "/apis/v1/cluster/events?lastSyncTime=0&size=1024");
	/* drove-cli's -t, -c and -s (with Python's format spec), and our -n */
	CLI(&r, "cluster", "events", "-t", "APP_STATE_CHANGE", "-c", "5", "-s",
	    "[{id:>4}] {type:*^20} {{x}}");
	assert_ok(&r, "[  e2] **APP_STATE_CHANGE** {x}\n");
	ck_assert_ptr_null(strstr(r.out, "EXECUTOR_ADDED"));
	last_uri_is("GET", "/apis/v1/cluster/events?lastSyncTime=0&size=5");
	CLI(&r, "cluster", "events", "--type", "APP_STATE_CHANGE", "-n", "7");
	assert_ok(&r, "APP_STATE_CHANGE");
	last_uri_is("GET", "/apis/v1/cluster/events?lastSyncTime=0&size=7");
	CLI(&r, "cluster", "events", "-s", "{nope}");
	assert_fail(&r, 2, "--textfmt: unknown field 'nope'");
	CLI(&r, "cluster", "events", "-s", "{type:.3}");
	assert_fail(&r, 2, "unsupported format spec");
	/* endpoints, sorted by vhost; -v keeps one */
	CLI(&r, "cluster", "endpoints");
	assert_ok(&r, "endpoints\n");
	ck_assert(strstr(r.out, "a.local") < strstr(r.out, "b.local"));
	ck_assert_ptr_nonnull(strstr(r.out, "appId                         A-1\n"));
	CLI(&r, "cluster", "endpoints", "-v", "b.local");
	assert_ok(&r, "b.local");
	ck_assert_ptr_null(strstr(r.out, "a.local"));
	CLI(&r, "--json", "cluster", "endpoints", "--vhost", "a.local");
	{
		json_object *o = json_tokener_parse(r.out);
		ck_assert_ptr_nonnull(o);
		ck_assert_int_eq(json_object_array_length(o), 1);
		json_object_put(o);
	}
	CLI(&r, "--json", "cluster", "summary");
	{
		json_object *o = json_tokener_parse(r.out), *v;
		ck_assert_ptr_nonnull(o);
		ck_assert(json_object_object_get_ex(o, "totalCores", &v));
		ck_assert_int_eq(json_object_get_int(v), 5);
		json_object_put(o);
	}
}
END_TEST

START_TEST(test_wrong_password)
{
	struct run r;
	pthread_mutex_lock(&m->lock);
	m->require_auth = "Basic YWRtaW46c2VjcmV0"; /* admin:secret */
	pthread_mutex_unlock(&m->lock);
	CLI(&r, "-u", "admin", "-p", "wrong", "cluster", "ping");
	assert_fail(&r, 1, "401 unauthorized: Credentials are required to access this resource.");
	CLI(&r, "-u", "admin", "-p", "secret", "apps", "list");
	assert_ok(&r, "TEST_APP-1");
	CLI(&r, "apps", "list");
	assert_fail(&r, 1, "401");
}
END_TEST

START_TEST(test_no_controller)
{
	struct run r;
	char dead[64];
	snprintf(dead, sizeof(dead), "http://127.0.0.1:%d", mock_dead_port());
	drove_run(&r, "-e", dead, "cluster", "ping", (const char *)NULL);
	assert_fail(&r, 1, "no leader controller");
}
END_TEST

/* ---- executors ---- */

START_TEST(test_executor)
{
	struct run r;
	CLI(&r, "executor", "list");
	assert_ok(&r, "Executor ID");
	ck_assert_ptr_nonnull(strstr(r.out, "Free Memory (MB)"));
	ck_assert_ptr_nonnull(strstr(r.out, "ex-1"));
	ck_assert_ptr_nonnull(strstr(r.out, "ACTIVE"));
	CLI(&r, "executor", "info", "ex-1");
	assert_ok(&r, "ID                            ex-1\nHost                          node1\n");
	ck_assert_ptr_nonnull(strstr(r.out, "NUMA node 0                   Free cores: 2,3 Used "
	                                    "cores: 1\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "NUMA node 1                   Free : 4,000 MB\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "Tags                          node1\n"));
	/* what runs on it: drove-cli's columns, sorted by column 1 by default */
	CLI(&r, "executor", "appinstances", "ex-1");
	assert_ok(&r, "Instance ID");
	ck_assert_ptr_nonnull(strstr(r.out, "App name"));
	ck_assert_ptr_nonnull(strstr(r.out, "AI-1111"));
	ck_assert_ptr_nonnull(strstr(r.out, "Last Updated"));
	CLI(&r, "executor", "tasks", "ex-1");
	assert_ok(&r, "Source App");
	ck_assert_ptr_nonnull(strstr(r.out, "TI-1"));
	ck_assert_ptr_nonnull(strstr(r.out, "2,048"));
	CLI(&r, "executor", "tasks", "ex-1", "-a", "OTHER");
	assert_ok(&r, "Source App");
	ck_assert_ptr_null(strstr(r.out, "TI-1"));
	CLI(&r, "executor", "lsinstances", "ex-1", "-s", "0", "-r");
	assert_ok(&r, "Service name");
	ck_assert_ptr_nonnull(strstr(r.out, "SI-1"));
	CLI(&r, "executor", "appinstances", "ex-1", "-s", "9");
	assert_fail(&r, 2, "--sort");
	CLI(&r, "executor", "blacklist", "ex-1");
	assert_ok(&r, "Successful: ex-1\nFailed: \nBlacklisting successful");
	ck_assert_ptr_nonnull(strstr(r.out, "Approximate completion time: 330.00 seconds"));
	last_uri_is("POST", "/apis/v1/cluster/executors/blacklist?id=ex-1");
	CLI(&r, "executor", "unblacklist", "ex-1");
	assert_ok(&r, "Unblacklisting successful");
	CLI(&r, "executor", "info", "nope");
	assert_fail(&r, 1, "No executor found with id: nope");
	CLI(&r, "executor", "blacklist");
	assert_fail(&r, 2, "missing argument");
}
END_TEST

/* ---- apps ---- */

START_TEST(test_apps)
{
	struct run r;
	char p[1024];
	CLI(&r, "apps", "list");
	assert_ok(&r, "TEST_APP-1");
	ck_assert_ptr_nonnull(strstr(r.out, "Healthy Instances"));
	ck_assert_ptr_nonnull(strstr(r.out, "Total Memory(MB)"));
	ck_assert_ptr_nonnull(strstr(r.out, "RUNNING"));
	CLI(&r, "apps", "list", "--json");
	{
		json_object *o = json_tokener_parse(r.out), *v;
		ck_assert_ptr_nonnull(o);
		ck_assert(json_object_object_get_ex(o, "TEST_APP-1", &v));
		json_object_put(o);
	}
	CLI(&r, "apps", "summary", "TEST_APP-1");
	assert_ok(&r, "requiredInstances");
	CLI(&r, "apps", "spec", "TEST_APP-1");
	assert_ok(&r, "\"name\": \"TEST_APP\"");
	CLI(&r, "apps", "create", spec_path("app_condensed.json", p, sizeof(p)));
	assert_ok(&r, "Application created with app id: TEST_APP-1");
	last_body_has("{\"type\":\"CREATE\",\"spec\":{\"name\":\"DROVE_TEST_APP\"");
	CLI(&r, "--json", "apps", "create", spec_path("app_condensed.json", p, sizeof(p)));
	{
		json_object *o = json_tokener_parse(r.out), *v;
		ck_assert_msg(o != NULL, "not JSON: %s", r.out);
		ck_assert(json_object_object_get_ex(o, "appId", &v));
		ck_assert_str_eq(json_object_get_string(v), "TEST_APP-1");
		json_object_put(o);
	}
	CLI(&r, "apps", "scale", "TEST_APP-1", "3", "-p", "2", "-t", "2m");
	assert_ok(&r, "scaling command accepted");
	last_body_has("\"type\":\"SCALE\",\"appId\":\"TEST_APP-1\",\"requiredInstances\":3,"
	              "\"opSpec\":{\"timeout\":\"2m\",\"parallelism\":2");
	CLI(&r, "apps", "scale", "TEST_APP-1", "2", "--wait");
	assert_ok(&r, "Healthy instances: 2/2");
	ck_assert_ptr_nonnull(strstr(r.out, "Required number of instances reached"));
	CLI(&r, "apps", "scale", "TEST_APP-1", "3", "--wait", "--wait-timeout", "1");
	assert_fail(&r, 1, "timed out waiting for TEST_APP-1: 2/3 instances healthy");
	CLI(&r, "apps", "deploy", "TEST_APP-1", "1");
	assert_ok(&r, "deployment command accepted");
	last_body_has("\"type\":\"START_INSTANCES\",\"appId\":\"TEST_APP-1\",\"instances\":1");
	CLI(&r, "apps", "suspend", "TEST_APP-1");
	assert_ok(&r, "suspend command accepted");
	last_body_has("\"type\":\"SUSPEND\"");
	CLI(&r, "apps", "restart", "TEST_APP-1");
	assert_ok(&r, "restart command accepted");
	last_body_has("\"type\":\"REPLACE_INSTANCES\"");
	CLI(&r, "apps", "restart", "TEST_APP-1", "-s");
	assert_ok(&r, "restart command accepted");
	last_body_has("\"stopFirst\":true");
	CLI(&r, "apps", "cancelop", "TEST_APP-1");
	assert_ok(&r, "cancellation request registered");
	last_uri_is("POST", "/apis/v1/applications/operations/TEST_APP-1/cancel");
	CLI(&r, "apps", "destroy", "TEST_APP-1");
	assert_ok(&r, "Application destroyed");
	last_body_has("\"type\":\"DESTROY\"");
}
END_TEST

START_TEST(test_apps_bad_paths)
{
	struct run r;
	char p[1024];
	CLI(&r, "apps", "summary", "NOPE-1");
	assert_fail(&r, 1, "App NOPE-1 not found");
	ck_assert_str_eq(r.out, "");
	CLI(&r, "apps", "create", write_home_file("bad.json", "{\"name\": ", p, sizeof(p)));
	assert_fail(&r, 1, "invalid spec file");
	CLI(&r, "apps", "create", "/nonexistent/spec.json");
	assert_fail(&r, 1, "No such file or directory");
	mock_add(m, "POST", "/apis/v1/applications/operations", 400,
	         "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"Cluster does not have "
	         "enough "
	         "CPU. Required: 10 Available: 4\"]},\"message\":\"Command validation failure\"}");
	CLI(&r, "apps", "scale", "TEST_APP-1", "10");
	assert_fail(&r, 1, "Command validation failure: Cluster does not have enough CPU");
	CLI(&r, "apps", "scale", "TEST_APP-1", "many");
	assert_fail(&r, 2, "instances: 'many' is not an integer");
	CLI(&r, "apps", "scale", "TEST_APP-1");
	assert_fail(&r, 2, "missing argument");
	CLI(&r, "apps", "list", "--bogus");
	assert_fail(&r, 2, "unknown option '--bogus'");
	/* a table needs a decodable answer (a state this build does not know); --json does not */
	mock_add(m, "GET", "/apis/v1/applications", 200,
	         "{\"status\":\"SUCCESS\",\"data\":{\"X-1\":{\"id\":\"X-1\",\"state\":"
	         "\"HIBERNATING\"}},\"message\":\"success\"}");
	CLI(&r, "apps", "list");
	assert_fail(&r, 1, "AppSummary: X-1: state: ");
	ck_assert_str_eq(r.out, "");
	CLI(&r, "apps", "list", "--json");
	assert_ok(&r, "HIBERNATING");
	CLI(&r, "apps", "frobnicate");
	assert_fail(&r, 2, "unknown subcommand 'frobnicate'");
}
END_TEST

/* ---- app instances ---- */

START_TEST(test_appinstances)
{
	struct run r;
	char out[512], buf[64];
	FILE *f;
	CLI(&r, "appinstances", "list", "TEST_APP-1");
	assert_ok(&r, "AI-1111");
	ck_assert_ptr_nonnull(strstr(r.out, "Executor Host"));
	ck_assert_ptr_nonnull(strstr(r.out, "Error Message"));
	ck_assert_ptr_nonnull(strstr(r.out, "main:33857"));
	ck_assert_ptr_nonnull(strstr(r.out, "AI-2222"));
	CLI(&r, "appinstances", "list", "TEST_APP-1", "--old");
	assert_ok(&r, "Instance ID");
	last_uri_is("GET", "/apis/v1/applications/TEST_APP-1/instances/old");
	CLI(&r, "appinstances", "info", "TEST_APP-1", "AI-1111");
	assert_ok(&r,
	          "State                         HEALTHY\nHost                          node1\n");
	ck_assert_ptr_nonnull(
	        strstr(r.out, "CPU                           NUMA Node 0: Cores: [ 2 ]"));
	ck_assert_ptr_nonnull(
	        strstr(r.out, "Ports                         main: 8000->33857 (HTTP)"));
	CLI(&r, "appinstances", "logs", "TEST_APP-1", "AI-1111");
	assert_ok(&r, "files                         ['output.log', 'output.log-2024-07-03']\n");
	CLI(&r, "appinstances", "tail", "TEST_APP-1", "AI-1111", "--from-start", "--for", "1");
	assert_ok(&r, "first line\n");
	/* drove-cli's -l and -S (and --skipChars) */
	CLI(&r, "appinstances", "tail", "TEST_APP-1", "AI-1111", "-l", "output.log", "-S", "6",
	    "--from-start", "--for", "1");
	assert_ok(&r, "line\n");
	ck_assert_ptr_null(strstr(r.out, "first"));
	CLI(&r, "appinstances", "tail", "TEST_APP-1", "AI-1111", "--skipChars", "100",
	    "--from-start", "--for", "1");
	assert_ok(&r, "");
	ck_assert_str_eq(r.out, "");
	snprintf(out, sizeof(out), "%s/dl.log", cli_home);
	CLI(&r, "appinstances", "download", "TEST_APP-1", "AI-1111", "-o", out);
	assert_ok(&r, "Downloading log to: ");
	ck_assert_ptr_nonnull(strstr(r.out, "Downloaded size: 13 bytes"));
	/* the log file as drove-cli's positional argument */
	CLI(&r, "appinstances", "download", "TEST_APP-1", "AI-1111", "output.log", "-o", out);
	assert_ok(&r, "Downloaded size: 13 bytes");
	last_uri_is("GET", "/apis/v1/logfiles/applications/TEST_APP-1/AI-1111/download/output.log");
	f = fopen(out, "re");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	ck_assert_str_eq(buf, "log contents\n");
	fclose(f);
	CLI(&r, "appinstances", "replace", "TEST_APP-1", "AI-1111");
	assert_ok(&r, "Instance(s) replace command accepted.");
	last_body_has("\"type\":\"REPLACE_INSTANCES\",\"appId\":\"TEST_APP-1\",\"instanceIds\":["
	              "\"AI-1111\"]");
	/* kill lowers the count by default, as drove-cli; --respawn keeps it */
	CLI(&r, "appinstances", "kill", "TEST_APP-1", "AI-1111", "AI-2222");
	assert_ok(&r, "Instance(s) kill command accepted.");
	last_body_has("\"instanceIds\":[\"AI-1111\",\"AI-2222\"],\"skipRespawn\":true");
	CLI(&r, "appinstances", "kill", "TEST_APP-1", "AI-1111", "--respawn");
	assert_ok(&r, "kill command accepted");
	last_body_has("\"skipRespawn\":false");
	CLI(&r, "appinstances", "kill", "TEST_APP-1", "AI-1111", "--respawn", "--skip-respawn");
	assert_fail(&r, 2, "exclude each other");
	/* --wait: the mock never drops AI-1111, so the wait times out naming the app */
	CLI(&r, "appinstances", "kill", "TEST_APP-1", "AI-1111", "-w", "--wait-timeout", "1");
	assert_fail(&r, 1, "timed out waiting for TEST_APP-1");
	CLI(&r, "appinstances", "info", "TEST_APP-1", "AI-9");
	assert_fail(&r, 1, "No such application instance TEST_APP-1/AI-9");
	CLI(&r, "appinstances", "logs", "TEST_APP-1", "AI-9");
	assert_fail(&r, 1, "404");
}
END_TEST

/* ---- tasks ---- */

START_TEST(test_tasks)
{
	struct run r;
	char p[1024];
	CLI(&r, "tasks", "create", spec_path("task.json", p, sizeof(p)));
	assert_ok(&r,
	          "Task created. Source App Name: DROVE_TEST_APP Task ID: T0001. Drove assigned "
	          "task ID: DROVE_TEST_APP-T0001\n");
	last_body_has("{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"DROVE_TEST_APP\"");
	CLI(&r, "tasks", "list");
	assert_ok(&r, "T0001");
	ck_assert_ptr_nonnull(strstr(r.out, "RUNNING"));
	ck_assert_ptr_nonnull(strstr(r.out, "Memory(MB)"));
	CLI(&r, "tasks", "list", "--app", "OTHER");
	assert_ok(&r, "Source App");
	ck_assert_ptr_null(strstr(r.out, "T0001"));
	CLI(&r, "tasks", "show", "TEST_APP", "T0001");
	assert_ok(&r, "Result                        SUCCESSFUL (Task exit code: 0)\n");
	CLI(&r, "tasks", "kill", "TEST_APP", "T0001");
	assert_ok(&r, "Task kill issued");
	last_body_has("{\"type\":\"KILL\",\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T0001\"");
	CLI(&r, "tasks", "logs", "TEST_APP", "T0001");
	assert_ok(&r, "output.log");
	CLI(&r, "tasks", "tail", "TEST_APP", "T0001", "-l", "x/y");
	assert_fail(&r, 1, "");
	CLI(&r, "tasks", "show", "TEST_APP", "T9");
	assert_fail(&r, 1, "No such task instance TEST_APP/T9");
	CLI(&r, "tasks", "create", write_home_file("t.json", "[1,2]", p, sizeof(p)));
	assert_fail(&r, 1, "invalid spec file: not a JSON object");
}
END_TEST

/* ---- local services ---- */

START_TEST(test_localservices)
{
	struct run r;
	char p[1024];
	CLI(&r, "localservices", "list");
	assert_ok(&r, "LS-1");
	ck_assert_ptr_nonnull(strstr(r.out, "Activation State"));
	CLI(&r, "localservices", "summary", "LS-1");
	assert_ok(&r, "activationState");
	CLI(&r, "localservices", "spec", "LS-1");
	assert_ok(&r, "\"name\": \"LS\"");
	CLI(&r, "localservices", "create", spec_path("localservice.json", p, sizeof(p)), "-i", "2");
	assert_ok(&r, "Local service created with service id: LS-1");
	last_body_has("\"instancesPerHost\":2");
	CLI(&r, "localservices", "activate", "LS-1");
	assert_ok(&r, "Local service activated");
	last_body_has("{\"type\":\"ACTIVATE\",\"serviceId\":\"LS-1\"}");
	CLI(&r, "localservices", "conftest", "LS-1");
	assert_ok(&r, "test instance deployment accepted");
	last_body_has("{\"type\":\"DEPLOY_TEST_INSTANCE\",\"serviceId\":\"LS-1\"}");
	CLI(&r, "localservices", "deactivate", "LS-1");
	assert_ok(&r, "Local service deactivated");
	CLI(&r, "localservices", "scale", "LS-1", "3");
	assert_ok(&r, "Local service instance count updated");
	last_body_has(
	        "\"type\":\"UPDATE_INSTANCE_COUNT\",\"serviceId\":\"LS-1\",\"instancesPerHost\":3");
	CLI(&r, "localservices", "update-instances", "LS-1", "2");
	assert_ok(&r, "instance count updated");
	CLI(&r, "localservices", "update", "LS-1", "4");
	assert_ok(&r, "instance count updated");
	last_body_has("\"instancesPerHost\":4");
	CLI(&r, "localservices", "restart", "LS-1", "--stop-first");
	assert_ok(&r, "restart command accepted");
	last_body_has("\"type\":\"RESTART\",\"serviceId\":\"LS-1\",\"stopFirst\":true");
	CLI(&r, "localservices", "restart", "LS-1", "-s", "-p", "2");
	assert_ok(&r, "restart command accepted");
	last_body_has("\"stopFirst\":true");
	CLI(&r, "localservices", "cancelop", "LS-1");
	assert_ok(&r, "cancellation request registered");
	CLI(&r, "localservices", "destroy", "LS-1");
	assert_ok(&r, "Local service destroyed");
	CLI(&r, "localservices", "summary", "NOPE-1");
	assert_fail(&r, 1, "Local service NOPE-1 not found");
}
END_TEST

START_TEST(test_lsinstances)
{
	struct run r;
	CLI(&r, "lsinstances", "list", "LS-1");
	assert_ok(&r, "SI-1");
	CLI(&r, "lsinstances", "info", "LS-1", "SI-1");
	assert_ok(&r, "Service ID");
	CLI(&r, "lsinstances", "replace", "LS-1", "SI-1");
	assert_ok(&r, "Instance(s) replace command accepted.");
	last_body_has(
	        "\"type\":\"REPLACE_INSTANCES\",\"serviceId\":\"LS-1\",\"instanceIds\":[\"SI-1\"],"
	        "\"stopFirst\":false");
	CLI(&r, "lsinstances", "replace", "LS-1", "SI-1", "--stop");
	assert_ok(&r, "replace command accepted");
	last_body_has("\"stopFirst\":true");
	CLI(&r, "lsinstances", "kill", "LS-1", "SI-1");
	assert_ok(&r, "kill command accepted");
	last_body_has("\"type\":\"STOP_INSTANCES\"");
	CLI(&r, "lsinstances", "info", "LS-1", "SI-9");
	assert_fail(&r, 1, "No such local service instance LS-1/SI-9");
}
END_TEST

/* ---- describe, plan ---- */

START_TEST(test_describe)
{
	struct run r;
	CLI(&r, "describe", "app", "TEST_APP-1");
	assert_ok(&r, "requiredInstances");
	ck_assert_ptr_nonnull(strstr(r.out, "AI-1111"));
	CLI(&r, "describe", "cluster");
	assert_ok(&r, "ex-1");
	CLI(&r, "describe", "executor", "ex-1");
	assert_ok(&r, "Free cores: 2,3");
	ck_assert_ptr_nonnull(strstr(r.out, "Application instances"));
	CLI(&r, "describe", "executor", "ex-1", "-j");
	{
		json_object *o = json_tokener_parse(r.out), *v;
		ck_assert_msg(o != NULL, "not JSON: %s", r.out);
		ck_assert(json_object_object_get_ex(o, "executorState", &v));
		json_object_put(o);
	}
	CLI(&r, "describe", "task", "TEST_APP", "T0001");
	assert_ok(&r, "SUCCESSFUL");
	CLI(&r, "describe", "app", "NOPE-1");
	assert_fail(&r, 1, "App NOPE-1 not found");
	CLI(&r, "describe", "bogus");
	assert_fail(&r, 2, "unknown kind 'bogus'");
}
END_TEST

START_TEST(test_plan)
{
	struct run r;
	char p[1024];
	CLI(&r, "plan", spec_path("app_condensed.json", p, sizeof(p)), "--count", "4", "--seed",
	    "7");
	assert_ok(&r, "4 of 4 instance(s) placed");
	ck_assert_ptr_nonnull(strstr(r.out, "ex-1"));
	ck_assert_ptr_nonnull(strstr(r.out, "NUMA Node"));
	CLI(&r, "plan", spec_path("app_condensed.json", p, sizeof(p)), "--count", "4", "--json");
	{
		json_object *o = json_tokener_parse(r.out), *pl, *one, *v;
		int nodes[2] = {0, 0};
		ck_assert_ptr_nonnull(o);
		ck_assert(json_object_object_get_ex(o, "placements", &pl));
		ck_assert_int_eq(json_object_array_length(pl), 4);
		for (int i = 0; i < 4; i++) {
			one = json_object_array_get_idx(pl, (size_t)i);
			ck_assert(json_object_object_get_ex(one, "numaNode", &v));
			nodes[json_object_get_int(v) & 1]++;
			ck_assert(json_object_object_get_ex(one, "cores", &v));
			ck_assert_int_eq(json_object_array_length(v), 1);
		}
		/* four free cores, two per node: every core used once */
		ck_assert_int_eq(nodes[0], 2);
		ck_assert_int_eq(nodes[1], 2);
		json_object_put(o);
	}
	CLI(&r, "plan", spec_path("app_condensed.json", p, sizeof(p)), "--count", "5");
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.out, "4 of 5 instance(s) placed"));
	ck_assert_ptr_nonnull(strstr(r.err, "cannot place instance 5"));
	CLI(&r, "plan", spec_path("invalid_app.json", p, sizeof(p)));
	assert_fail(&r, 1, "invalid spec file");
}
END_TEST

/* ---- config and usage ---- */

START_TEST(test_config)
{
	struct run r;
	char cfg[512], text[2048];
	FILE *f;
	size_t n;

	drove_run(&r, "config", "init", "-e", url, "-n", "local", (const char *)NULL);
	assert_ok(&r, "Current cluster set to: local");
	snprintf(cfg, sizeof(cfg), "%s/.drove", cli_home);
	f = fopen(cfg, "re");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "[DEFAULT]\ncurrent_cluster = local\n"));
	ck_assert_ptr_nonnull(strstr(text, "[local]\nendpoint = http://127.0.0.1:"));
	/* the config is used when no -e is given */
	drove_run(&r, "apps", "list", (const char *)NULL);
	assert_ok(&r, "TEST_APP-1");
	drove_run(&r, "config", "add-cluster", "other", "-e", "http://127.0.0.1:1", "-u", "u", "-p",
	          "p", (const char *)NULL);
	assert_ok(&r, "Cluster 'other' added");
	drove_run(&r, "config", "get-clusters", (const char *)NULL);
	assert_ok(&r, "CURRENT    NAME                 ENDPOINT");
	ck_assert_ptr_nonnull(strstr(r.out, "*          local                http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(r.out, "           other                http://127.0.0.1:1 "));
	ck_assert_ptr_nonnull(strstr(r.out, "Current cluster: local"));
	/* view masks secrets; --raw prints the file */
	drove_run(&r, "config", "view", (const char *)NULL);
	assert_ok(&r, "Config file: ");
	ck_assert_ptr_nonnull(strstr(r.out, "Current cluster: local\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "[local] (current)\n  endpoint = http://127.0.0.1:"));
	ck_assert_ptr_nonnull(strstr(r.out, "[other]\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  password = ****\n"));
	drove_run(&r, "config", "view", "-r", (const char *)NULL);
	assert_ok(&r, "[other]\n");
	ck_assert_ptr_nonnull(strstr(r.out, "password = p\n"));
	drove_run(&r, "config", "use-cluster", "other", (const char *)NULL);
	assert_ok(&r, "Switched to cluster \"other\"");
	drove_run(&r, "config", "current-cluster", (const char *)NULL);
	assert_ok(&r, "other\n");
	drove_run(&r, "-c", "local", "apps", "list", (const char *)NULL);
	assert_ok(&r, "TEST_APP-1");
	drove_run(&r, "config", "use-cluster", "nope", (const char *)NULL);
	assert_fail(&r, 1, "cluster 'nope' not found");
	drove_run(&r, "-c", "nope", "apps", "list", (const char *)NULL);
	assert_fail(&r, 1, "cluster 'nope' not found");
	drove_run(&r, "config", "init", "-e", url, (const char *)NULL);
	assert_fail(&r, 1, "already exists");
	drove_run(&r, "config", "delete-cluster", "other", (const char *)NULL);
	assert_ok(&r, "deleted");
	/* a --config file in Drove's format, written by hand */
	{
		char p[512], body[512];
		snprintf(body, sizeof(body),
		         "[DEFAULT]\ncurrent_cluster = x\n\n[x]\nendpoint = %s\n", url);
		write_home_file("alt.ini", body, p, sizeof(p));
		drove_run(&r, "--config", p, "cluster", "leader", (const char *)NULL);
		assert_ok(&r, "node1:4000");
		/* drove-cli's -f/--file */
		drove_run(&r, "-f", p, "cluster", "leader", (const char *)NULL);
		assert_ok(&r, "node1:4000");
		drove_run(&r, "--file", p, "config", "current-cluster", (const char *)NULL);
		assert_ok(&r, "x\n");
		write_home_file("broken.ini", "[x\n", p, sizeof(p));
		drove_run(&r, "--config", p, "cluster", "leader", (const char *)NULL);
		assert_fail(&r, 1, "line 1: bad section header");
	}
}
END_TEST

START_TEST(test_usage)
{
	struct run r;
	drove_run(&r, "--version", (const char *)NULL);
	assert_ok(&r, "drove ");
	drove_run(&r, "--help", (const char *)NULL);
	assert_ok(&r, "appinstances");
	drove_run(&r, "apps", "scale", "-h", (const char *)NULL);
	assert_ok(&r, "--parallelism");
	ck_assert_ptr_nonnull(strstr(r.out, "--wait"));
	drove_run(&r, "apps", "--help", (const char *)NULL);
	assert_ok(&r, "cancelop");
	drove_run(&r, "frob", (const char *)NULL);
	assert_fail(&r, 2, "unknown command 'frob'");
	drove_run(&r, "--frob", (const char *)NULL);
	assert_fail(&r, 2, "unknown option '--frob'");
	drove_run(&r, (const char *)NULL);
	ck_assert_int_eq(r.status, 2);
	drove_run(&r, "-e", "ftp://x", "cluster", "ping", (const char *)NULL);
	assert_fail(&r, 2, "not an http:// or https:// url");
	/* --full-help: every command's help, separated */
	drove_run(&r, "--full-help", (const char *)NULL);
	assert_ok(&r, "========");
	ck_assert_ptr_nonnull(strstr(r.out, "usage: drove executor tasks <executor-id>"));
	ck_assert_ptr_nonnull(strstr(r.out, "usage: drove localservices conftest"));
	ck_assert_ptr_nonnull(strstr(r.out, "-S, --skip-chars"));
	drove_run(&r, "--print-completion", "fish", (const char *)NULL);
	assert_fail(&r, 2, "not one of bash, zsh, tcsh");
	drove_run(&r, "--print-completion", "tcsh", (const char *)NULL);
	assert_ok(&r, "complete drove 'p/1/(cluster executor apps");
	ck_assert_ptr_nonnull(strstr(r.out, "'n/executor/(list info appinstances tasks"));
}
END_TEST

/* The bash completion, generated from the command table, completes groups, subcommands and
 * each command's options (aliases included) when bash runs it. */
START_TEST(test_completion)
{
	struct run r;
	char path[512], cmd[1024], out[256];
	FILE *p;
	size_t n;
	drove_run(&r, "--print-completion", "bash", (const char *)NULL);
	assert_ok(&r, "complete -F _drove drove");
	write_home_file("drove.bash", r.out, path, sizeof(path));
	snprintf(cmd, sizeof(cmd),
	         "bash -c 'source %s; "
	         "COMP_WORDS=(drove -e x executor ls); COMP_CWORD=4; _drove; echo "
	         "\"${COMPREPLY[*]}\"; "
	         "COMP_WORDS=(drove appinstances tail A I --sk); COMP_CWORD=5; _drove; "
	         "echo \"${COMPREPLY[*]}\"; "
	         "COMP_WORDS=(drove --print-completion z); COMP_CWORD=2; _drove; "
	         "echo \"${COMPREPLY[*]}\"'",
	         path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(out, "lsinstances\n--skip-chars --skipChars\nzsh\n");
	drove_run(&r, "--print-completion", "zsh", (const char *)NULL);
	assert_ok(&r, "#compdef drove\n");
	ck_assert_ptr_nonnull(strstr(r.out, "bashcompinit"));
}
END_TEST

Suite *client_cli_suite(void)
{
	Suite *s = suite_create("client_cli");
	TCase *tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cluster);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_test(tc, test_no_controller);
	tcase_add_test(tc, test_executor);
	tcase_add_test(tc, test_apps);
	tcase_add_test(tc, test_apps_bad_paths);
	tcase_add_test(tc, test_appinstances);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_localservices);
	tcase_add_test(tc, test_lsinstances);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_usage);
	tcase_add_test(tc, test_completion);
	suite_add_tcase(s, tc);
	return s;
}
