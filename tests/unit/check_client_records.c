/* client records: the typed client (docs/typed-client.md) against the canned controller of
 * check_client_mock.h, with Drove's answers as DROVE_API.md shows them: every getter of every
 * record, lists, local-service instances as instances, an ExecutorNodeData summed up, and bad
 * bodies as DROVE_ERROR naming the field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/client.h>
#include <drove/ctx.h>
#include <drove/model.h>
#include "client/client_internal.h"
#include "model/model.h"
#include "harness.h"
#include "check_client_mock.h"

#define OK_ENV(d) "{\"status\":\"SUCCESS\",\"data\":" d ",\"message\":\"success\"}"

/* Drove's answers (DROVE_API.md §2.2, §2.6, §2.7, §6.2–§6.5, §7.1). */
#define APP1                                                                                 \
	"{\"id\":\"TEST_APP-1\",\"name\":\"TEST_APP\",\"requiredInstances\":2,"              \
	"\"healthyInstances\":1,\"totalCPUs\":2,\"totalMemory\":256,\"tags\":{\"k\":\"v\"}," \
	"\"state\":\"RUNNING\",\"created\":1719826995764,\"updated\":1719892126096}"
#define APP2                                                                                     \
	"{\"id\":\"OTHER-2\",\"name\":\"OTHER\",\"requiredInstances\":0,\"healthyInstances\":0," \
	"\"totalCPUs\":0,\"totalMemory\":0,\"created\":1,\"updated\":2}"
#define INST                                                                              \
	"{\"appId\":\"TEST_APP-1\",\"appName\":\"TEST_APP\",\"instanceId\":\"AI-58eb\","  \
	"\"executorId\":\"a45442a1\",\"localInfo\":{\"hostname\":\"ppessdev\",\"ports\":" \
	"{\"main\":{\"containerPort\":8000,\"hostPort\":33857,\"portType\":\"HTTP\"}}},"  \
	"\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[2]}},{\"type\":\"MEMORY\","   \
	"\"memoryInMB\":{\"0\":128}}],\"state\":\"HEALTHY\",\"metadata\":{},"             \
	"\"errorMessage\":\"\",\"created\":1719892354194,\"updated\":1719893180105}"
#define INST_PENDING                                                                  \
	"{\"appId\":\"TEST_APP-1\",\"appName\":\"TEST_APP\",\"instanceId\":\"AI-2\"," \
	"\"executorId\":\"a45442a1\",\"state\":\"PENDING\",\"created\":5,\"updated\":6}"
#define LS_INST                                                                             \
	"{\"serviceId\":\"LS-1\",\"serviceName\":\"LS\",\"instanceId\":\"SI-9\","           \
	"\"executorId\":\"ex-2\",\"localInfo\":{\"hostname\":\"h2\",\"ports\":{\"admin\":"  \
	"{\"containerPort\":9000,\"hostPort\":40001,\"portType\":\"TCP\"}}},\"state\":"     \
	"\"START_FAILED\",\"metadata\":{},\"errorMessage\":\"pull failed\",\"created\":11," \
	"\"updated\":12}"
#define TASK                                                                               \
	"{\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T0012\",\"instanceId\":\"TI-6cf3\"," \
	"\"executorId\":\"a45442a1\",\"hostname\":\"ppessdev\",\"executable\":{\"type\":"  \
	"\"DOCKER\",\"url\":\"ghcr.io/x/t:1\",\"dockerPullTimeout\":\"100 seconds\"},"     \
	"\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[3]}}],\"volumes\":[],"         \
	"\"loggingSpec\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,"          \
	"\"compress\":true},\"env\":{\"ITERATIONS\":\"10\"},\"state\":\"STOPPED\","        \
	"\"metadata\":{},\"taskResult\":{\"status\":\"SUCCESSFUL\",\"exitCode\":3},"       \
	"\"errorMessage\":\"\",\"created\":1719823470267,\"updated\":1719823483836}"
#define TASK_RUNNING                                                                 \
	"{\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T2\",\"instanceId\":\"TI-2\"," \
	"\"executorId\":\"e\",\"state\":\"PROVISIONING\",\"created\":1,\"updated\":2}"
#define LS1                                                                               \
	"{\"id\":\"LS-1\",\"name\":\"LS\",\"instancesPerHost\":2,\"healthyInstances\":3," \
	"\"totalCPUs\":4,\"totalMemory\":512,\"tags\":{\"t\":\"u\"},\"activationState\":" \
	"\"CONFIG_TESTING\",\"state\":\"DEPLOYING_TEST_INSTANCE\",\"created\":21,\"updated\":22}"
#define CLUSTER                                                                                \
	"{\"leader\":\"ppessdev:4000\",\"state\":\"MAINTENANCE\",\"numExecutors\":1,"          \
	"\"numApplications\":3,\"numActiveApplications\":2,\"numActiveTasks\":4,"              \
	"\"numLocalServices\":5,\"numActiveLocalServices\":6,\"freeCores\":9,\"usedCores\":1," \
	"\"totalCores\":10,\"freeMemory\":18898,\"usedMemory\":128,\"totalMemory\":19026}"
#define EXEC_SUM                                                                           \
	"{\"executorId\":\"a45442a1\",\"hostname\":\"ppessdev\",\"port\":3000,"            \
	"\"transportType\":\"HTTP\",\"freeCores\":9,\"usedCores\":1,\"freeMemory\":18898," \
	"\"usedMemory\":128,\"tags\":[\"ppessdev\",\"gpu\"],\"state\":\"ACTIVE\"}"
#define EXEC_GONE                                                                               \
	"{\"executorId\":\"old\",\"hostname\":\"h9\",\"port\":3000,\"transportType\":\"HTTP\"," \
	"\"freeCores\":0,\"usedCores\":0,\"freeMemory\":0,\"usedMemory\":0,\"tags\":[],"        \
	"\"state\":\"REMOVED\"}"
#define EXEC_NODE                                                                                \
	"{\"type\":\"EXECUTOR\",\"hostname\":\"ppessdev\",\"port\":3000,\"transportType\":"      \
	"\"HTTP\",\"updated\":1719897100104,\"state\":{\"executorId\":\"a45442a1\",\"cpus\":"    \
	"{\"type\":\"CPU\",\"freeCores\":{\"0\":[3,4,5],\"1\":[8]},\"usedCores\":{\"0\":[2]}},"  \
	"\"memory\":{\"type\":\"MEMORY\",\"freeMemory\":{\"0\":18898,\"1\":100},\"usedMemory\":" \
	"{\"0\":128}},\"layout\":{\"cores\":{\"0\":[2,3,4,5]},\"memory\":{\"0\":19026}}},"       \
	"\"instances\":[" INST "],\"tasks\":[],\"serviceInstances\":[],\"tags\":[\"ppessdev\"]," \
	"\"metadata\":{},\"executorState\":\"BLACKLISTED\"}"
#define EVENT1                                                                            \
	"{\"type\":\"INSTANCE_STATE_CHANGE\",\"id\":\"55d5876f\",\"time\":1719977631534," \
	"\"metadata\":{\"APP_ID\":\"TEST_APP-1\",\"INSTANCE_ID\":\"AI-5efb\",\"PORTS\":"  \
	"\"main:44315:http\",\"CREATED\":1719977629042,\"CURRENT_STATE\":\"HEALTHY\"}}"
#define EVENT2                                                                     \
	"{\"type\":\"MAINTENANCE_MODE_SET\",\"id\":\"e2\",\"time\":1719977631000," \
	"\"metadata\":{\"HOSTNAME\":\"ppessdev\"}}"

#define ENDPOINT1                                                                             \
	"{\"appName\":\"TEST_APP\",\"appId\":\"TEST_APP-1\",\"vhost\":\"testapp.local\","     \
	"\"tags\":{\"superSpecialApp\":\"yes_i_am\"},\"hosts\":[{\"host\":\"ppessdev\","      \
	"\"port\":44315,\"portType\":\"HTTP\"},{\"host\":\"h2\",\"port\":44316,\"portType\":" \
	"\"HTTPS\"}]}"
#define ENDPOINT2 \
	"{\"appName\":\"IDLE\",\"appId\":\"IDLE-3\",\"vhost\":\"idle.local\",\"hosts\":[]}"

static drove_ctx *ctx;
static drove_client *cl;
static struct mock *mk;

static void setup(void)
{
	char url[64];
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_client_new(&cl, ctx), 0);
	ck_assert_int_eq(drove_client_set_retries(cl, 0, 20, 40), 0);
	mk = mock_start();
	mock_url(mk, url, sizeof(url));
	ck_assert_int_eq(drove_client_add_endpoint(cl, url), 0);
}

static void teardown(void)
{
	drove_client_free(cl);
	drove_ctx_free(ctx);
	mock_stop(mk);
}

static void ok(int rc)
{
	ck_assert_msg(rc == 0, "rc %d: %s", rc, drove_error_last()->message);
}

/* The call failed with DROVE_ERROR and a message holding `what`. */
static void bad(int rc, const char *what)
{
	ck_assert_int_eq(rc, DROVE_ERROR);
	ck_assert_msg(strstr(drove_error_last()->message, what) != NULL, "'%s' lacks '%s'",
	              drove_error_last()->message, what);
}

START_TEST(test_application)
{
	drove_application *a = NULL;
	drove_application_list *l = NULL;
	const drove_application *b;

	mock_add(mk, "GET", "/apis/v1/applications/TEST_APP-1", 200, OK_ENV(APP1));
	mock_add(mk, "GET", "/apis/v1/applications", 200,
	         OK_ENV("{\"TEST_APP-1\":" APP1 ",\"OTHER-2\":" APP2 "}"));
	ok(drove_client_app_get(cl, "TEST_APP-1", &a));
	ck_assert_str_eq(drove_application_id(a), "TEST_APP-1");
	ck_assert_str_eq(drove_application_name(a), "TEST_APP");
	ck_assert_int_eq(drove_application_state(a), DROVE_APP_RUNNING);
	ck_assert_int_eq(drove_application_required_instances(a), 2);
	ck_assert_int_eq(drove_application_healthy_instances(a), 1);
	ck_assert_int_eq(drove_application_total_cpus(a), 2);
	ck_assert_int_eq(drove_application_total_memory(a), 256);
	ck_assert_str_eq(drove_strmap_get(drove_application_tags(a), "k"), "v");
	ck_assert_int_eq(drove_application_created(a), 1719826995764LL);
	ck_assert_int_eq(drove_application_updated(a), 1719892126096LL);
	ck_assert_ptr_nonnull(strstr(drove_application_json(a), "\"totalMemory\":256"));
	drove_application_free(a);

	ok(drove_client_app_list(cl, &l));
	ck_assert_uint_eq(drove_application_list_count(l), 2);
	b = drove_application_list_get(l, 1);
	ck_assert_str_eq(drove_application_id(b), "OTHER-2");
	ck_assert_int_eq(drove_application_state(b), -1); /* no state machine: omitted */
	ck_assert_ptr_null(drove_application_tags(b));
	ck_assert_str_eq(drove_application_json(b),
	                 "{\"id\":\"OTHER-2\",\"name\":\"OTHER\",\"requiredInstances\":0,"
	                 "\"healthyInstances\":0,\"totalCPUs\":0,\"totalMemory\":0,\"created\":1,"
	                 "\"updated\":2}");
	ck_assert_str_eq(drove_application_id(drove_application_list_get(l, 0)), "TEST_APP-1");
	ck_assert_ptr_null(drove_application_list_get(l, 2));
	drove_application_list_free(l);
	drove_application_free(NULL);
	drove_application_list_free(NULL);
}
END_TEST

static void check_inst(const drove_instance *i)
{
	ck_assert_str_eq(drove_instance_app_id(i), "TEST_APP-1");
	ck_assert_str_eq(drove_instance_app_name(i), "TEST_APP");
	ck_assert_str_eq(drove_instance_id(i), "AI-58eb");
	ck_assert_str_eq(drove_instance_executor_id(i), "a45442a1");
	ck_assert_str_eq(drove_instance_host(i), "ppessdev");
	ck_assert_int_eq(drove_instance_state(i), DROVE_INST_HEALTHY);
	ck_assert_uint_eq(drove_instance_port_count(i), 1);
	ck_assert_str_eq(drove_instance_port_name(i, 0), "main");
	ck_assert_int_eq(drove_instance_port_host(i, 0), 33857);
	ck_assert_int_eq(drove_instance_port_container(i, 0), 8000);
	ck_assert_str_eq(drove_instance_port_type(i, 0), "HTTP");
	ck_assert_ptr_null(drove_instance_port_name(i, 1));
	ck_assert_int_eq(drove_instance_port_host(i, 1), 0);
	ck_assert_int_eq(drove_instance_port_container(i, 1), 0);
	ck_assert_ptr_null(drove_instance_port_type(i, 1));
	ck_assert_str_eq(drove_instance_error_message(i), "");
	ck_assert_int_eq(drove_instance_created(i), 1719892354194LL);
	ck_assert_int_eq(drove_instance_updated(i), 1719893180105LL);
	ck_assert_ptr_nonnull(strstr(drove_instance_json(i), "\"memoryInMB\":{\"0\":128}"));
}

START_TEST(test_instance)
{
	drove_instance *i = NULL;
	drove_instance_list *l = NULL;
	const drove_instance *p;
	char m[16], u[1024], b[64];

	/* later routes win */
	mock_add(mk, "GET", "/apis/v1/applications/TEST_APP-1/instances*", 200,
	         OK_ENV("[" INST "," INST_PENDING "]"));
	mock_add(mk, "GET", "/apis/v1/applications/TEST_APP-1/instances/AI-58eb", 200,
	         OK_ENV(INST));
	mock_add(mk, "GET", "/apis/v1/applications/TEST_APP-1/instances/old", 200, OK_ENV("[]"));
	ok(drove_client_app_instance_get(cl, "TEST_APP-1", "AI-58eb", &i));
	check_inst(i);
	drove_instance_free(i);

	ok(drove_client_app_instance_list(cl, "TEST_APP-1", "HEALTHY,PENDING", &l));
	mock_last(mk, m, sizeof(m), u, sizeof(u), b, sizeof(b));
	ck_assert_str_eq(u,
	                 "/apis/v1/applications/TEST_APP-1/instances?state=HEALTHY&state=PENDING");
	ck_assert_uint_eq(drove_instance_list_count(l), 2);
	check_inst(drove_instance_list_get(l, 0));
	p = drove_instance_list_get(l, 1);
	ck_assert_int_eq(drove_instance_state(p), DROVE_INST_PENDING);
	ck_assert_ptr_null(drove_instance_host(p)); /* no localInfo yet */
	ck_assert_uint_eq(drove_instance_port_count(p), 0);
	ck_assert_ptr_null(drove_instance_error_message(p));
	ck_assert_ptr_null(drove_instance_list_get(l, 2));
	drove_instance_list_free(l);

	ok(drove_client_app_instance_list_old(cl, "TEST_APP-1", &l));
	ck_assert_uint_eq(drove_instance_list_count(l), 0);
	ck_assert_ptr_null(drove_instance_list_get(l, 0));
	drove_instance_list_free(l);
	drove_instance_free(NULL);
	drove_instance_list_free(NULL);
}
END_TEST

static void check_ls_inst(const drove_instance *i)
{
	ck_assert_str_eq(drove_instance_app_id(i), "LS-1");
	ck_assert_str_eq(drove_instance_app_name(i), "LS");
	ck_assert_str_eq(drove_instance_id(i), "SI-9");
	ck_assert_str_eq(drove_instance_executor_id(i), "ex-2");
	ck_assert_str_eq(drove_instance_host(i), "h2");
	ck_assert_int_eq(drove_instance_state(i), DROVE_INST_START_FAILED);
	ck_assert_str_eq(drove_instance_port_name(i, 0), "admin");
	ck_assert_int_eq(drove_instance_port_host(i, 0), 40001);
	ck_assert_int_eq(drove_instance_port_container(i, 0), 9000);
	ck_assert_str_eq(drove_instance_port_type(i, 0), "TCP");
	ck_assert_str_eq(drove_instance_error_message(i), "pull failed");
	ck_assert_int_eq(drove_instance_created(i), 11);
	ck_assert_int_eq(drove_instance_updated(i), 12);
	ck_assert_ptr_nonnull(strstr(drove_instance_json(i), "\"serviceId\":\"LS-1\""));
}

START_TEST(test_local_service)
{
	drove_local_service *s = NULL;
	drove_local_service_list *sl = NULL;
	drove_instance *i = NULL;
	drove_instance_list *l = NULL;

	mock_add(mk, "GET", "/apis/v1/localservices/LS-1/instances/SI-9", 200, OK_ENV(LS_INST));
	mock_add(mk, "GET", "/apis/v1/localservices/LS-1/instances/old", 200,
	         OK_ENV("[" LS_INST "]"));
	mock_add(mk, "GET", "/apis/v1/localservices/LS-1/instances", 200,
	         OK_ENV("[" LS_INST "," LS_INST "]"));
	mock_add(mk, "GET", "/apis/v1/localservices/LS-1", 200, OK_ENV(LS1));
	mock_add(mk, "GET", "/apis/v1/localservices", 200, OK_ENV("{\"LS-1\":" LS1 "}"));

	ok(drove_client_local_service_get(cl, "LS-1", &s));
	ck_assert_str_eq(drove_local_service_id(s), "LS-1");
	ck_assert_str_eq(drove_local_service_name(s), "LS");
	ck_assert_int_eq(drove_local_service_state(s), DROVE_LS_DEPLOYING_TEST_INSTANCE);
	ck_assert_int_eq(drove_local_service_activation(s), DROVE_LS_ACT_CONFIG_TESTING);
	ck_assert_int_eq(drove_local_service_instances_per_host(s), 2);
	ck_assert_int_eq(drove_local_service_healthy_instances(s), 3);
	ck_assert_int_eq(drove_local_service_total_cpus(s), 4);
	ck_assert_int_eq(drove_local_service_total_memory(s), 512);
	ck_assert_str_eq(drove_strmap_get(drove_local_service_tags(s), "t"), "u");
	ck_assert_int_eq(drove_local_service_created(s), 21);
	ck_assert_int_eq(drove_local_service_updated(s), 22);
	ck_assert_ptr_nonnull(strstr(drove_local_service_json(s), "\"instancesPerHost\":2"));
	drove_local_service_free(s);

	ok(drove_client_local_service_list(cl, &sl));
	ck_assert_uint_eq(drove_local_service_list_count(sl), 1);
	ck_assert_str_eq(drove_local_service_id(drove_local_service_list_get(sl, 0)), "LS-1");
	ck_assert_ptr_null(drove_local_service_list_get(sl, 1));
	drove_local_service_list_free(sl);

	ok(drove_client_local_service_instance_get(cl, "LS-1", "SI-9", &i));
	check_ls_inst(i);
	drove_instance_free(i);
	ok(drove_client_local_service_instance_list(cl, "LS-1", NULL, &l));
	ck_assert_uint_eq(drove_instance_list_count(l), 2);
	check_ls_inst(drove_instance_list_get(l, 1));
	drove_instance_list_free(l);
	ok(drove_client_local_service_instance_list_old(cl, "LS-1", &l));
	ck_assert_uint_eq(drove_instance_list_count(l), 1);
	check_ls_inst(drove_instance_list_get(l, 0));
	drove_instance_list_free(l);
	drove_local_service_free(NULL);
	drove_local_service_list_free(NULL);
}
END_TEST

START_TEST(test_task)
{
	drove_task *t = NULL;
	drove_task_list *l = NULL;
	const drove_task *r;

	mock_add(mk, "GET", "/apis/v1/tasks/TEST_APP/instances/T0012", 200, OK_ENV(TASK));
	mock_add(mk, "GET", "/apis/v1/tasks", 200, OK_ENV("[" TASK_RUNNING "," TASK "]"));
	ok(drove_client_task_get(cl, "TEST_APP", "T0012", &t));
	ck_assert_str_eq(drove_task_source_app(t), "TEST_APP");
	ck_assert_str_eq(drove_task_id(t), "T0012");
	ck_assert_str_eq(drove_task_instance_id(t), "TI-6cf3");
	ck_assert_str_eq(drove_task_executor_id(t), "a45442a1");
	ck_assert_str_eq(drove_task_host(t), "ppessdev");
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_STOPPED);
	ck_assert_int_eq(drove_task_result_status(t), DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_int_eq(drove_task_exit_code(t), 3);
	ck_assert_str_eq(drove_task_error_message(t), "");
	ck_assert_int_eq(drove_task_created(t), 1719823470267LL);
	ck_assert_int_eq(drove_task_updated(t), 1719823483836LL);
	ck_assert_ptr_nonnull(strstr(drove_task_json(t), "\"ITERATIONS\":\"10\""));
	drove_task_free(t);

	ok(drove_client_task_list(cl, &l));
	ck_assert_uint_eq(drove_task_list_count(l), 2);
	r = drove_task_list_get(l, 0);
	ck_assert_int_eq(drove_task_state(r), DROVE_TASK_PROVISIONING);
	ck_assert_int_eq(drove_task_result_status(r), -1);
	ck_assert_int_eq(drove_task_exit_code(r), 0);
	ck_assert_ptr_null(drove_task_host(r));
	ck_assert_str_eq(drove_task_id(drove_task_list_get(l, 1)), "T0012");
	ck_assert_ptr_null(drove_task_list_get(l, 2));
	drove_task_list_free(l);
	drove_task_free(NULL);
	drove_task_list_free(NULL);
}
END_TEST

START_TEST(test_cluster_and_events)
{
	drove_cluster_summary *c = NULL;
	drove_cluster_event_list *l = NULL;
	const drove_cluster_event *e;
	char m[16], u[1024], b[64];

	mock_add(mk, "GET", "/apis/v1/cluster", 200, OK_ENV(CLUSTER));
	mock_add(mk, "GET", "/apis/v1/cluster/events*", 200, OK_ENV("[" EVENT1 "," EVENT2 "]"));
	ok(drove_client_cluster_get(cl, &c));
	ck_assert_str_eq(drove_cluster_summary_leader(c), "ppessdev:4000");
	ck_assert_int_eq(drove_cluster_summary_state(c), DROVE_CLUSTER_MAINTENANCE);
	ck_assert_int_eq(drove_cluster_summary_executors(c), 1);
	ck_assert_int_eq(drove_cluster_summary_applications(c), 3);
	ck_assert_int_eq(drove_cluster_summary_active_applications(c), 2);
	ck_assert_int_eq(drove_cluster_summary_active_tasks(c), 4);
	ck_assert_int_eq(drove_cluster_summary_local_services(c), 5);
	ck_assert_int_eq(drove_cluster_summary_active_local_services(c), 6);
	ck_assert_int_eq(drove_cluster_summary_free_cores(c), 9);
	ck_assert_int_eq(drove_cluster_summary_used_cores(c), 1);
	ck_assert_int_eq(drove_cluster_summary_total_cores(c), 10);
	ck_assert_int_eq(drove_cluster_summary_free_memory(c), 18898);
	ck_assert_int_eq(drove_cluster_summary_used_memory(c), 128);
	ck_assert_int_eq(drove_cluster_summary_total_memory(c), 19026);
	ck_assert_ptr_nonnull(strstr(drove_cluster_summary_json(c), "\"numActiveTasks\":4"));
	drove_cluster_summary_free(c);
	drove_cluster_summary_free(NULL);

	ok(drove_client_event_list(cl, 1719977630000LL, 10, &l));
	mock_last(mk, m, sizeof(m), u, sizeof(u), b, sizeof(b));
	ck_assert_str_eq(u, "/apis/v1/cluster/events?lastSyncTime=1719977630000&size=10");
	ck_assert_uint_eq(drove_cluster_event_list_count(l), 2);
	e = drove_cluster_event_list_get(l, 0);
	ck_assert_int_eq(drove_cluster_event_type(e), DROVE_EVENT_INSTANCE_STATE_CHANGE);
	ck_assert_str_eq(drove_cluster_event_id(e), "55d5876f");
	ck_assert_int_eq(drove_cluster_event_time(e), 1719977631534LL);
	ck_assert_str_eq(drove_strmap_get(drove_cluster_event_metadata(e), "CREATED"),
	                 "1719977629042");
	ck_assert_str_eq(drove_strmap_get(drove_cluster_event_metadata(e), "PORTS"),
	                 "main:44315:http");
	ck_assert_ptr_nonnull(strstr(drove_cluster_event_json(e), "\"CURRENT_STATE\":\"HEALTHY\""));
	e = drove_cluster_event_list_get(l, 1);
	ck_assert_int_eq(drove_cluster_event_type(e), DROVE_EVENT_MAINTENANCE_MODE_SET);
	ck_assert_ptr_null(drove_cluster_event_list_get(l, 2));
	drove_cluster_event_list_free(l);
	drove_cluster_event_list_free(NULL);
}
END_TEST

START_TEST(test_executor)
{
	drove_executor_info *x = NULL;
	drove_executor_info_list *l = NULL;
	const drove_executor_info *g;

	mock_add(mk, "GET", "/apis/v1/cluster/executors/a45442a1", 200, OK_ENV(EXEC_NODE));
	mock_add(mk, "GET", "/apis/v1/cluster/executors", 200,
	         OK_ENV("[" EXEC_SUM "," EXEC_GONE "]"));
	ok(drove_client_executor_list(cl, &l));
	ck_assert_uint_eq(drove_executor_info_list_count(l), 2);
	g = drove_executor_info_list_get(l, 0);
	ck_assert_str_eq(drove_executor_info_id(g), "a45442a1");
	ck_assert_str_eq(drove_executor_info_host(g), "ppessdev");
	ck_assert_int_eq(drove_executor_info_port(g), 3000);
	ck_assert_str_eq(drove_executor_info_transport(g), "HTTP");
	ck_assert_int_eq(drove_executor_info_state(g), DROVE_EXECUTOR_ACTIVE);
	ck_assert_int_eq(drove_executor_info_free_cores(g), 9);
	ck_assert_int_eq(drove_executor_info_used_cores(g), 1);
	ck_assert_int_eq(drove_executor_info_free_memory(g), 18898);
	ck_assert_int_eq(drove_executor_info_used_memory(g), 128);
	ck_assert_uint_eq(drove_executor_info_tag_count(g), 2);
	ck_assert_str_eq(drove_executor_info_tag(g, 1), "gpu");
	ck_assert_ptr_null(drove_executor_info_tag(g, 2));
	ck_assert_ptr_nonnull(strstr(drove_executor_info_json(g), "\"transportType\":\"HTTP\""));
	ck_assert_int_eq(drove_executor_info_state(drove_executor_info_list_get(l, 1)),
	                 DROVE_EXECUTOR_REMOVED);
	ck_assert_ptr_null(drove_executor_info_list_get(l, 2));
	drove_executor_info_list_free(l);

	/* the full ExecutorNodeData, summed up over its NUMA nodes */
	ok(drove_client_executor_get(cl, "a45442a1", &x));
	ck_assert_str_eq(drove_executor_info_id(x), "a45442a1");
	ck_assert_str_eq(drove_executor_info_host(x), "ppessdev");
	ck_assert_int_eq(drove_executor_info_port(x), 3000);
	ck_assert_str_eq(drove_executor_info_transport(x), "HTTP");
	ck_assert_int_eq(drove_executor_info_state(x), DROVE_EXECUTOR_BLACKLISTED);
	ck_assert_int_eq(drove_executor_info_free_cores(x), 4);
	ck_assert_int_eq(drove_executor_info_used_cores(x), 1);
	ck_assert_int_eq(drove_executor_info_free_memory(x), 18998);
	ck_assert_int_eq(drove_executor_info_used_memory(x), 128);
	ck_assert_uint_eq(drove_executor_info_tag_count(x), 1);
	ck_assert_str_eq(drove_executor_info_tag(x, 0), "ppessdev");
	ck_assert_ptr_nonnull(strstr(drove_executor_info_json(x), "\"instanceId\":\"AI-58eb\""));
	drove_executor_info_free(x);
	drove_executor_info_free(NULL);
	drove_executor_info_list_free(NULL);
}
END_TEST

/* Bodies that do not decode: DROVE_ERROR naming the record and field; nothing handed out. */
START_TEST(test_bad_bodies)
{
	drove_application *a = (drove_application *)1;
	drove_application_list *al = NULL;
	drove_instance *i = NULL;
	drove_instance_list *il = NULL;
	drove_task *t = NULL;
	drove_task_list *tl = NULL;
	drove_local_service *s = NULL;
	drove_local_service_list *sl = NULL;
	drove_cluster_summary *c = NULL;
	drove_executor_info *x = NULL;
	drove_executor_info_list *xl = NULL;
	drove_cluster_event_list *el = NULL;

	mock_add(mk, "GET", "/apis/v1/applications/A", 200,
	         OK_ENV("{\"id\":\"A\",\"state\":\"SLEEPING\"}"));
	mock_add(mk, "GET", "/apis/v1/applications/B", 200, OK_ENV("[1]"));
	mock_add(mk, "GET", "/apis/v1/applications/A/instances/I", 200,
	         OK_ENV("{\"localInfo\":{\"ports\":{\"main\":{\"hostPort\":\"x\"}}}}"));
	mock_add(mk, "GET", "/apis/v1/applications/A/instances", 200,
	         OK_ENV("[" INST ",{\"created\":\"yesterday\"}]"));
	mock_add(mk, "GET", "/apis/v1/applications", 200,
	         OK_ENV("{\"A-1\":{\"requiredInstances\":true}}"));
	mock_add(mk, "GET", "/apis/v1/tasks/A/instances/T", 200,
	         OK_ENV("{\"taskResult\":{\"status\":\"MAYBE\"}}"));
	mock_add(mk, "GET", "/apis/v1/tasks", 200, OK_ENV("\"none\""));
	mock_add(mk, "GET", "/apis/v1/localservices/L/instances*", 200,
	         OK_ENV("[{\"state\":\"GONE\"}]"));
	mock_add(mk, "GET", "/apis/v1/localservices/L/instances/S", 200,
	         OK_ENV("{\"serviceId\":7}"));
	mock_add(mk, "GET", "/apis/v1/localservices/L", 200,
	         OK_ENV("{\"activationState\":\"HALF\"}"));
	mock_add(mk, "GET", "/apis/v1/localservices", 200, OK_ENV("[null]"));
	mock_add(mk, "GET", "/apis/v1/cluster", 200, OK_ENV("{\"numExecutors\":1.5}"));
	mock_add(mk, "GET", "/apis/v1/cluster/executors", 200, OK_ENV("[{\"tags\":[1]}]"));
	mock_add(mk, "GET", "/apis/v1/cluster/executors/E", 200,
	         OK_ENV("{\"type\":\"EXECUTOR\",\"port\":\"80\"}"));
	mock_add(mk, "GET", "/apis/v1/cluster/events*", 200, OK_ENV("[{\"type\":\"BOOM\"}]"));

	bad(drove_client_app_get(cl, "A", &a), "AppSummary: state:");
	ck_assert_ptr_null(a);
	bad(drove_client_app_get(cl, "B", &a), "AppSummary: (document): expected an object");
	bad(drove_client_app_list(cl, &al), "AppSummary: A-1: requiredInstances:");
	ck_assert_ptr_null(al);
	bad(drove_client_app_instance_get(cl, "A", "I", &i), "localInfo.ports.main.hostPort");
	bad(drove_client_app_instance_list(cl, "A", NULL, &il), "InstanceInfo: [1].created:");
	ck_assert_ptr_null(il);
	bad(drove_client_task_get(cl, "A", "T", &t), "TaskInfo: taskResult.status:");
	bad(drove_client_task_list(cl, &tl), "expected a list");
	bad(drove_client_local_service_instance_get(cl, "L", "S", &i), "serviceId:");
	bad(drove_client_local_service_instance_list(cl, "L", NULL, &il), "[0].state:");
	bad(drove_client_local_service_instance_list_old(cl, "L", &il), "[0].state:");
	bad(drove_client_local_service_get(cl, "L", &s), "activationState:");
	bad(drove_client_local_service_list(cl, &sl), "[0]");
	bad(drove_client_cluster_get(cl, &c), "ClusterSummary: numExecutors:");
	bad(drove_client_executor_get(cl, "E", &x), "ExecutorNodeData: port:");
	bad(drove_client_executor_list(cl, &xl), "ExecutorSummary: [0].tags[0]:");
	bad(drove_client_event_list(cl, 0, 10, &el), "Event: [0].type:");
	ck_assert_ptr_null(i);
	ck_assert_ptr_null(t);
	ck_assert_ptr_null(tl);
	ck_assert_ptr_null(s);
	ck_assert_ptr_null(sl);
	ck_assert_ptr_null(c);
	ck_assert_ptr_null(x);
	ck_assert_ptr_null(xl);
	ck_assert_ptr_null(el);
}
END_TEST

/* GET /endpoints (§2.4), through the client and from a body fetched elsewhere. */
START_TEST(test_endpoints)
{
	drove_endpoint_list *l = NULL;
	const drove_endpoint *e;
	char m[16], u[1024], b[64];
	const char *env = OK_ENV("[" ENDPOINT1 "," ENDPOINT2 "]");

	mock_add(mk, "GET", "/apis/v1/endpoints*", 200, env);
	ok(drove_client_endpoint_list(cl, "TEST_APP", &l));
	mock_last(mk, m, sizeof(m), u, sizeof(u), b, sizeof(b));
	ck_assert_str_eq(u, "/apis/v1/endpoints?app=TEST_APP");
	ck_assert_uint_eq(drove_endpoint_list_count(l), 2);
	e = drove_endpoint_list_get(l, 0);
	ck_assert_str_eq(drove_endpoint_app_id(e), "TEST_APP-1");
	ck_assert_str_eq(drove_endpoint_app_name(e), "TEST_APP");
	ck_assert_str_eq(drove_endpoint_vhost(e), "testapp.local");
	ck_assert_str_eq(drove_strmap_get(drove_endpoint_tags(e), "superSpecialApp"), "yes_i_am");
	ck_assert_uint_eq(drove_endpoint_host_count(e), 2);
	ck_assert_str_eq(drove_endpoint_host(e, 0), "ppessdev");
	ck_assert_int_eq(drove_endpoint_host_port(e, 0), 44315);
	ck_assert_str_eq(drove_endpoint_host_port_type(e, 0), "HTTP");
	ck_assert_str_eq(drove_endpoint_host(e, 1), "h2");
	ck_assert_int_eq(drove_endpoint_host_port(e, 1), 44316);
	ck_assert_str_eq(drove_endpoint_host_port_type(e, 1), "HTTPS");
	ck_assert_ptr_null(drove_endpoint_host(e, 2));
	ck_assert_int_eq(drove_endpoint_host_port(e, 2), 0);
	ck_assert_ptr_null(drove_endpoint_host_port_type(e, 2));
	ck_assert_ptr_nonnull(strstr(drove_endpoint_json(e), "\"superSpecialApp\":\"yes_i_am\""));
	e = drove_endpoint_list_get(l, 1);
	ck_assert_str_eq(drove_endpoint_app_id(e), "IDLE-3");
	ck_assert_ptr_null(drove_endpoint_tags(e));
	ck_assert_uint_eq(drove_endpoint_host_count(e), 0);
	ck_assert_ptr_null(drove_endpoint_list_get(l, 2));
	drove_endpoint_list_free(l);
	drove_endpoint_list_free(NULL);
	ok(drove_client_endpoint_list(cl, NULL, &l));
	mock_last(mk, m, sizeof(m), u, sizeof(u), b, sizeof(b));
	ck_assert_str_eq(u, "/apis/v1/endpoints");
	drove_endpoint_list_free(l);

	/* a body fetched by the caller: the envelope or the bare array */
	ok(drove_endpoint_list_decode(env, strlen(env), &l));
	ck_assert_uint_eq(drove_endpoint_list_count(l), 2);
	drove_endpoint_list_free(l);
	ok(drove_endpoint_list_decode("[" ENDPOINT2 "]", strlen("[" ENDPOINT2 "]"), &l));
	ck_assert_str_eq(drove_endpoint_vhost(drove_endpoint_list_get(l, 0)), "idle.local");
	drove_endpoint_list_free(l);
	ok(drove_endpoint_list_decode("[]", 2, &l));
	ck_assert_uint_eq(drove_endpoint_list_count(l), 0);
	drove_endpoint_list_free(l);
	ck_assert_int_eq(drove_endpoint_list_decode(NULL, 0, &l), DROVE_EINVAL);
	ck_assert_int_eq(drove_endpoint_list_decode("[]", 2, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_client_endpoint_list(cl, NULL, NULL), DROVE_EINVAL);
}
END_TEST

static void bad_endpoints(const char *body, const char *what)
{
	drove_endpoint_list *l = (drove_endpoint_list *)1;
	bad(drove_endpoint_list_decode(body, strlen(body), &l), what);
	ck_assert_ptr_null(l);
}

/* Bad /endpoints bodies: DROVE_ERROR naming the field, nothing handed out. */
START_TEST(test_endpoints_bad)
{
	drove_endpoint_list *l = NULL;

	bad_endpoints("{", "ExposedAppInfo: invalid json");
	bad_endpoints("[] x", "invalid json at offset 3");
	bad_endpoints("{\"status\":\"FAILED\",\"message\":\"no\"}", "status: FAILED");
	bad_endpoints("{\"data\":{}}", "data: expected an array");
	bad_endpoints("\"x\"", "data: expected an array");
	bad_endpoints("[1]", "[0]");
	bad_endpoints("[{\"vhost\":\"a\"}]", "[0].appName: required");
	bad_endpoints("[{\"appName\":\"a\"}]", "[0].vhost: required");
	bad_endpoints("[{\"appName\":1,\"vhost\":\"v\"}]", "[0].appName");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"appId\":[]}]", "[0].appId");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":{}}]", "[0].hosts");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"tags\":[]}]", "[0].tags");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"tags\":{\"k\":{}}}]", "[0].tags");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"port\":1}]}]",
	              "[0].hosts[0].host: required");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\"}]}]",
	              "[0].hosts[0].port: 0 is not a port");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\","
	              "\"port\":65536}]}]",
	              "[0].hosts[0].port: 65536 is not a port");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\","
	              "\"port\":\"1\"}]}]",
	              "[0].hosts[0].port");
	bad_endpoints("[{\"appName\":\"a\",\"vhost\":\"v\",\"hosts\":[{\"host\":\"h\","
	              "\"port\":1,\"portType\":2}]}]",
	              "[0].hosts[0].portType");
	/* through the client: the same */
	mock_add(mk, "GET", "/apis/v1/endpoints*", 200, OK_ENV("[{\"appName\":\"a\"}]"));
	bad(drove_client_endpoint_list(cl, NULL, &l), "ExposedAppInfo: [0].vhost: required");
	ck_assert_ptr_null(l);
	/* NULL records: absent values */
	ck_assert_ptr_null(drove_endpoint_app_id(NULL));
	ck_assert_ptr_null(drove_endpoint_app_name(NULL));
	ck_assert_ptr_null(drove_endpoint_vhost(NULL));
	ck_assert_ptr_null(drove_endpoint_tags(NULL));
	ck_assert_ptr_null(drove_endpoint_json(NULL));
	ck_assert_uint_eq(drove_endpoint_host_count(NULL), 0);
	ck_assert_ptr_null(drove_endpoint_host(NULL, 0));
	ck_assert_int_eq(drove_endpoint_host_port(NULL, 0), 0);
	ck_assert_ptr_null(drove_endpoint_host_port_type(NULL, 0));
	ck_assert_uint_eq(drove_endpoint_list_count(NULL), 0);
	ck_assert_ptr_null(drove_endpoint_list_get(NULL, 0));
}
END_TEST

/* drove__task_decode: the typed task record with a state or result newer than this build
 * read as unknown (Epoch's poll), and every other bad field an error naming it. */
static int task_decode(const char *json, drove_task **t, unsigned *news)
{
	return drove__task_decode(drove__strdup(json), t, news);
}

START_TEST(test_task_decode_tolerant)
{
	drove_task *t = NULL;
	unsigned news = 99;

	ok(task_decode(TASK, &t, &news));
	ck_assert_uint_eq(news, 0);
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_STOPPED);
	ck_assert_int_eq(drove_task_result_status(t), DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_str_eq(drove_task_id(t), "T0012");
	ck_assert_ptr_nonnull(strstr(drove_task_json(t), "\"ITERATIONS\":\"10\""));
	drove_task_free(t);

	/* a new state: UNKNOWN, the rest decoded */
	ok(task_decode("{\"taskId\":\"T1\",\"state\":\"SOMETHING_NEW\",\"errorMessage\":\"why\"}",
	               &t, &news));
	ck_assert_uint_eq(news, DROVE__TASK_NEW_STATE);
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_UNKNOWN);
	ck_assert_int_eq(drove_task_result_status(t), -1);
	ck_assert_str_eq(drove_task_id(t), "T1");
	ck_assert_str_eq(drove_task_error_message(t), "why");
	ck_assert_int_eq(drove_error_last()->code, 0);
	drove_task_free(t);

	/* a new result: -1, the exit code kept; both new at once */
	ok(task_decode("{\"state\":\"STOPPED\",\"taskResult\":{\"status\":\"EVAPORATED\","
	               "\"exitCode\":9}}",
	               &t, &news));
	ck_assert_uint_eq(news, DROVE__TASK_NEW_RESULT);
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_STOPPED);
	ck_assert_int_eq(drove_task_result_status(t), -1);
	ck_assert_int_eq(drove_task_exit_code(t), 9);
	drove_task_free(t);
	ok(task_decode("{\"state\":\"X\",\"taskResult\":{\"status\":\"Y\"}}", &t, NULL));
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_UNKNOWN);
	drove_task_free(t);

	/* anything else is an error naming the field, nothing handed out */
	t = (drove_task *)1;
	bad(task_decode("{\"state\":3}", &t, &news), "TaskInfo: state: expected a string");
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(news, 0);
	bad(task_decode("{\"state\":\"NEW\",\"created\":\"yesterday\"}", &t, &news),
	    "TaskInfo: created: expected an integer");
	bad(task_decode("{\"state\":\"RUNNING\",\"taskResult\":\"FAILED\"}", &t, NULL),
	    "TaskInfo: taskResult: expected an object");
	bad(task_decode("{\"taskResult\":{\"status\":7}}", &t, NULL),
	    "TaskInfo: taskResult.status: expected a string");
	bad(task_decode("[1]", &t, NULL), "TaskInfo: (document): expected an object");
	bad(task_decode("\"RUNNING\"", &t, NULL), "TaskInfo: (document): expected an object");
	bad(task_decode("{", &t, NULL), "TaskInfo: invalid json");
	ck_assert_int_eq(drove__task_decode(NULL, &t, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove__task_decode(drove__strdup("{}"), NULL, NULL), DROVE_EINVAL);
}
END_TEST

/* drove__task_decode_jobj: the same from `data` as parsed, the record's text made from it. */
static int task_decode_jobj(const char *json, drove_task **t, unsigned *news)
{
	struct json_object *j = json_tokener_parse(json);
	int rc = drove__task_decode_jobj(j, t, news);
	json_object_put(j);
	return rc;
}

START_TEST(test_task_decode_jobj)
{
	drove_task *t = NULL;
	unsigned news = 99;

	ok(task_decode_jobj(TASK, &t, &news));
	ck_assert_uint_eq(news, 0);
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_STOPPED);
	ck_assert_int_eq(drove_task_result_status(t), DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_str_eq(drove_task_json(t), TASK); /* compact, in the order received */
	drove_task_free(t);

	ok(task_decode_jobj("{\"state\":\"NEW\",\"taskResult\":{\"status\":\"NEWER\"}}", &t,
	                    &news));
	ck_assert_uint_eq(news, DROVE__TASK_NEW_STATE | DROVE__TASK_NEW_RESULT);
	ck_assert_int_eq(drove_task_state(t), DROVE_TASK_UNKNOWN);
	ck_assert_int_eq(drove_task_result_status(t), -1);
	drove_task_free(t);

	bad(task_decode_jobj("{\"state\":\"NEW\",\"updated\":true}", &t, &news),
	    "TaskInfo: updated: expected an integer, got boolean");
	ck_assert_ptr_null(t);
	ck_assert_uint_eq(news, 0);
	bad(drove__task_decode_jobj(NULL, &t, NULL), "TaskInfo: (document): expected an object");
	ck_assert_int_eq(drove__task_decode_jobj(NULL, NULL, NULL), DROVE_EINVAL);
	{
		/* the cap of a record parsed from text holds for one parsed once */
		size_t n = DROVE_MODEL_MAX_SIZE + 16;
		char *big = malloc(n + 1);
		ck_assert_ptr_nonnull(big);
		memset(big, 'x', n);
		big[n] = '\0';
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "errorMessage", json_object_new_string(big));
		bad(drove__task_decode_jobj(j, &t, NULL), "TaskInfo: document too large");
		json_object_put(j);
		free(big);
	}
}
END_TEST

/* GET /cluster/events/summary, through the client and from a body fetched elsewhere. */
START_TEST(test_event_summary)
{
	drove_event_summary *s = NULL;
	char m[16], u[1024], b[64];
	const char *env = OK_ENV("{\"eventsCount\":{\"INSTANCE_STATE_CHANGE\":2,"
	                         "\"APP_STATE_CHANGE\":1},\"lastSyncTime\":1719977631534}");
	const char *bare = "{\"eventsCount\":{},\"lastSyncTime\":7}";

	mock_add(mk, "GET", "/apis/v1/cluster/events/summary*", 200, env);
	ok(drove_client_event_summary_get(cl, 1719977630000LL, &s));
	mock_last(mk, m, sizeof(m), u, sizeof(u), b, sizeof(b));
	ck_assert_str_eq(u, "/apis/v1/cluster/events/summary?lastSyncTime=1719977630000");
	ck_assert_int_eq(drove_event_summary_last_sync_time(s), 1719977631534LL);
	ck_assert_int_eq(drove_event_summary_count(s, "INSTANCE_STATE_CHANGE"), 2);
	ck_assert_int_eq(drove_event_summary_count(s, "APP_STATE_CHANGE"), 1);
	ck_assert_int_eq(drove_event_summary_count(s, "EXECUTOR_ADDED"), 0);
	ck_assert_int_eq(drove_event_summary_count(s, NULL), 0);
	ck_assert_ptr_nonnull(
	        strstr(drove_event_summary_json(s), "\"lastSyncTime\":1719977631534"));
	drove_event_summary_free(s);
	drove_event_summary_free(NULL);
	ok(drove_event_summary_decode(env, strlen(env), &s));
	ck_assert_int_eq(drove_event_summary_count(s, "APP_STATE_CHANGE"), 1);
	drove_event_summary_free(s);
	ok(drove_event_summary_decode(bare, strlen(bare), &s));
	ck_assert_int_eq(drove_event_summary_last_sync_time(s), 7);
	ck_assert_int_eq(drove_event_summary_count(s, "APP_STATE_CHANGE"), 0);
	drove_event_summary_free(s);
	/* bad bodies: DROVE_ERROR naming the field */
	s = (drove_event_summary *)1;
	bad(drove_event_summary_decode("{\"status\":\"FAILED\"}", strlen("{\"status\":\"FAILED\"}"),
	                               &s),
	    "DroveEventsSummary: status: FAILED, not SUCCESS");
	ck_assert_ptr_null(s);
	bad(drove_event_summary_decode("{\"status\":\"SUCCESS\",\"data\":[]}",
	                               strlen("{\"status\":\"SUCCESS\",\"data\":[]}"), &s),
	    "DroveEventsSummary: data: expected an object");
	bad(drove_event_summary_decode("{\"lastSyncTime\":\"x\"}",
	                               strlen("{\"lastSyncTime\":\"x\"}"), &s),
	    "DroveEventsSummary: lastSyncTime");
	bad(drove_event_summary_decode("{\"eventsCount\":[]}", strlen("{\"eventsCount\":[]}"), &s),
	    "DroveEventsSummary: eventsCount");
	bad(drove_event_summary_decode("{", strlen("{"), &s), "DroveEventsSummary: invalid json");
	ck_assert_int_eq(drove_event_summary_decode(NULL, 0, &s), DROVE_EINVAL);
	ck_assert_int_eq(drove_event_summary_decode("{}", 2, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_client_event_summary_get(cl, 0, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_event_summary_last_sync_time(NULL), 0);
	ck_assert_int_eq(drove_event_summary_count(NULL, "APP_STATE_CHANGE"), 0);
	ck_assert_ptr_null(drove_event_summary_json(NULL));
}
END_TEST

/* Errors of the call itself come through unchanged; NULL out is DROVE_EINVAL. */
START_TEST(test_call_errors)
{
	drove_application *a = NULL;
	drove_task *t = NULL;

	mock_add(mk, "GET", "/apis/v1/applications/NOPE", 200,
	         "{\"status\":\"FAILED\",\"message\":\"App NOPE not found\"}");
	ck_assert_int_eq(drove_client_app_get(cl, "NOPE", &a), DROVE_ENOTFOUND);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(drove_client_app_get(cl, "NOPE", NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_client_task_get(cl, "A", "", &t), DROVE_EINVAL);
	ck_assert_ptr_null(t);
	/* the generic call: the envelope's data as text, the status of the last answer */
	{
		char *data = NULL;
		mock_add(mk, "GET", "/apis/v1/ping", 200,
		         "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
		ck_assert_int_eq(drove_client_call(cl, "GET", "/apis/v1/ping", NULL, NULL, &data),
		                 0);
		ck_assert_str_eq(data, "\"pong\"");
		ck_assert_int_eq(drove_client_last_status(cl), 200);
		drove_free(data);
		data = NULL;
		mock_add(mk, "POST", "/apis/v1/applications/operations", 400,
		         "{\"status\":\"FAILED\",\"message\":\"Validation failed\",\"data\":"
		         "{\"validationErrors\":[\"opSpec: must not be null\"]}}");
		ck_assert_int_eq(drove_client_call(cl, "POST", "/apis/v1/applications/operations",
		                                   NULL, "{\"type\":\"SCALE\"}", &data),
		                 DROVE_EINVAL);
		ck_assert_ptr_null(data);
		ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "opSpec"));
		ck_assert_int_eq(drove_client_last_status(cl), 400);
		ck_assert_int_eq(drove_client_call(cl, NULL, "/x", NULL, NULL, &data),
		                 DROVE_EINVAL);
	}
	/* NULL records: absent values */
	ck_assert_ptr_null(drove_application_id(NULL));
	ck_assert_int_eq(drove_application_state(NULL), -1);
	ck_assert_int_eq(drove_instance_state(NULL), -1);
	ck_assert_int_eq(drove_task_result_status(NULL), -1);
	ck_assert_ptr_null(drove_instance_host(NULL));
	ck_assert_uint_eq(drove_instance_port_count(NULL), 0);
	ck_assert_ptr_null(drove_executor_info_tag(NULL, 0));
	ck_assert_ptr_null(drove_executor_info_transport(NULL));
	ck_assert_int_eq(drove_cluster_event_type(NULL), -1);
	ck_assert_ptr_null(drove_cluster_summary_json(NULL));
}
END_TEST

Suite *client_records_suite(void)
{
	Suite *s = suite_create("client_records");
	TCase *tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_application);
	tcase_add_test(tc, test_instance);
	tcase_add_test(tc, test_local_service);
	tcase_add_test(tc, test_task);
	tcase_add_test(tc, test_task_decode_tolerant);
	tcase_add_test(tc, test_task_decode_jobj);
	tcase_add_test(tc, test_cluster_and_events);
	tcase_add_test(tc, test_executor);
	tcase_add_test(tc, test_bad_bodies);
	tcase_add_test(tc, test_call_errors);
	tcase_add_test(tc, test_endpoints);
	tcase_add_test(tc, test_endpoints_bad);
	tcase_add_test(tc, test_event_summary);
	suite_add_tcase(s, tc);
	return s;
}
