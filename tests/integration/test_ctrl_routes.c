/* The last Drove routes (issue 22) end to end over loopback against the real engine with
 * simulated executors (test_ctrl_env.h): POST /applications/placementpolicy/rule/dryrun
 * (§3.9), GET /cluster/dashboard (§6.6) and the console's task search (/tasks/search). */

#include <math.h>

#include "test_ctrl_env.h"

#define DRYRUN  "/apis/v1/applications/placementpolicy/rule/dryrun"
#define RULE(r) "{\"type\":\"RULE_BASED\",\"rule\":\"" r "\",\"ruleType\":\"HOPE\"}"
#define INFO                                                                               \
	"{\"executorNodeId\":\"ex-1\",\"allocatedExecutorNodeMetadata\":{\"rack\":\"r1\"," \
	"\"cores\":64},\"allExecutorMetadata\":{\"ex-0\":{\"zone\":\"z1\"}},"              \
	"\"applicationEnvironment\":{\"K\":\"V\"}}"

static char *dry_body(const char *policy, const char *info)
{
	return drove__asprintf("{\"ruleBasedPlacementPolicy\":%s,\"schedulingInfo\":%s}", policy,
	                       info);
}

/* POST a dry run expecting 200 SUCCESS; returns `data` as text. */
static char *dry_ok(const char *policy, const char *info)
{
	char *body = dry_body(policy, info), *b = NULL, *out;
	struct json_object *j, *d;
	long code = http("POST", DRYRUN, body, &b);
	ck_assert_msg(code == 200, "%s: %ld %s", body, code, b);
	j = json_tokener_parse(b);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(j, "status")), "SUCCESS");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(j, "message")), "success");
	d = json_object_object_get(j, "data");
	out = drove__strdup(json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
	json_object_put(j);
	free(b);
	free(body);
	return out;
}

/* POST `body` expecting 400 with `message` and a validation error containing `what`. */
static void dry_bad(const char *body, const char *message, const char *what)
{
	char *b = NULL, *want = drove__asprintf("\"message\":\"%s\"", message);
	long code = http("POST", DRYRUN, body, &b);
	ck_assert_msg(code == 400, "%s: %ld %s", body, code, b);
	ck_assert_msg(strstr(b, want) && strstr(b, "validationErrors") && strstr(b, what),
	              "%s: %s (want %s)", body, b, what);
	free(want);
	free(b);
}

START_TEST(test_dryrun)
{
	char *d;

	/* a match, on every part of the SchedulingInfo document */
	d = dry_ok(RULE("\\\"/allocatedExecutorNodeMetadata/rack\\\" == 'r1' && "
	                "\\\"/executorNodeId\\\" == 'ex-1' && "
	                "\\\"/allExecutorMetadata/ex-0/zone\\\" == 'z1' && "
	                "\\\"/applicationEnvironment/K\\\" == 'V' && "
	                "\\\"/allocatedExecutorNodeMetadata/cores\\\" == '64'"),
	           INFO);
	ck_assert_str_eq(d, "{\"status\":true,\"checkResult\":{\"status\":\"SUCCESS\"},"
	                    "\"evalResult\":{\"status\":\"SUCCESS\",\"result\":true}}");
	free(d);
	/* no match */
	d = dry_ok(RULE("\\\"/allocatedExecutorNodeMetadata/rack\\\" == 'r2'"), INFO);
	ck_assert_str_eq(d, "{\"status\":true,\"checkResult\":{\"status\":\"SUCCESS\"},"
	                    "\"evalResult\":{\"status\":\"SUCCESS\",\"result\":false}}");
	free(d);
	/* an empty document: members are optional, a lone pointer tests existence */
	d = dry_ok(RULE("\\\"/allocatedExecutorNodeMetadata/rack\\\""), "{}");
	ck_assert_ptr_nonnull(strstr(d, "\"result\":false"));
	free(d);
	/* a comparison with a missing value fails the evaluation (HOPE's rule: the executor
	 * would be skipped), and the dry run says why */
	d = dry_ok(RULE("\\\"/allocatedExecutorNodeMetadata/rack\\\" == 'r1'"), "{}");
	ck_assert_msg(strstr(d, "\"status\":false,\"checkResult\":{\"status\":\"SUCCESS\"},"
	                        "\"evalResult\":{\"status\":\"FAILURE\",\"error\":\""),
	              "%s", d);
	free(d);
	/* a rule that does not parse is the dry run's answer (Drove: SUCCESS, status false) */
	d = dry_ok(RULE("\\\"/allocatedExecutorNodeMetadata/rack\\\" == "), INFO);
	ck_assert_msg(strstr(d, "\"status\":false,\"checkResult\":{\"status\":\"FAILURE\","
	                        "\"error\":\"rule: ") &&
	                      strstr(d, "\"evalResult\":{\"status\":\"FAILURE\",\"error\":\"Not "
	                                "evaluated\"}}"),
	              "%s", d);
	free(d);
}
END_TEST

#define OK_RULE RULE("'a' == 'a'")
#define JSONF   "JSON validation failure"
#define CMDF    "Command validation failure"

/* Bad DryRunRuleInfo bodies: policy and schedulingInfo, the message, the error expected. */
static const struct {
	const char *policy, *info, *message, *what;
} dry_cases[] = {
        {"{\"type\":\"RULE_BASED\",\"ruleType\":\"HOPE\"}", "{}", CMDF,
         "ruleBasedPlacementPolicy.rule must not be empty"},
        {"{\"type\":\"RULE_BASED\",\"rule\":\"\",\"ruleType\":\"HOPE\"}", "{}", CMDF,
         "ruleBasedPlacementPolicy.rule must not be empty"},
        {"{\"type\":\"RULE_BASED\",\"rule\":\"'a' == 'a'\"}", "{}", CMDF,
         "ruleBasedPlacementPolicy.ruleType must not be null"},
        {"{\"type\":\"RULE_BASED\",\"rule\":\"hostname == 'x'\",\"ruleType\":\"MVEL\"}", "{}", CMDF,
         "ruleBasedPlacementPolicy.ruleType: MVEL rules are not supported"},
        {"{\"type\":\"RULE_BASED\",\"rule\":\"'a' == 'a'\",\"ruleType\":\"LUA\"}", "{}", JSONF,
         "ruleBasedPlacementPolicy.ruleType"},
        {"{\"type\":\"ANY\"}", "{}", JSONF,
         "ruleBasedPlacementPolicy.type: not RULE_BASED but ANY"},
        {"{\"type\":\"NOPE\"}", "{}", JSONF, "ruleBasedPlacementPolicy.type"},
        {OK_RULE, "\"x\"", JSONF, "schedulingInfo: must be an object"},
        {OK_RULE, "{\"executorNodeId\":5}", JSONF,
         "schedulingInfo.executorNodeId: must be a string"},
        {OK_RULE, "{\"allocatedExecutorNodeMetadata\":[\"a\"]}", JSONF,
         "schedulingInfo.allocatedExecutorNodeMetadata: must be a map of strings"},
        {OK_RULE, "{\"applicationEnvironment\":{\"K\":{\"x\":1}}}", JSONF,
         "schedulingInfo.applicationEnvironment: must be a map of strings"},
        {OK_RULE, "{\"allExecutorMetadata\":{\"ex-0\":[1]}}", JSONF,
         "schedulingInfo.allExecutorMetadata.ex-0: must be a map of strings"},
        {OK_RULE, "{\"allExecutorMetadata\":7}", JSONF,
         "schedulingInfo.allExecutorMetadata: must be an object"},
};

START_TEST(test_dryrun_bad_input)
{
	char *b;

	dry_bad("{\"ruleBasedPlacementPolicy\":", JSONF, "malformed JSON");
	dry_bad("", JSONF, "No content");
	dry_bad("[1,2]", JSONF, "DryRunRuleInfo: must be an object");
	dry_bad("{\"schedulingInfo\":{}}", CMDF, "ruleBasedPlacementPolicy must not be null");
	dry_bad("{\"ruleBasedPlacementPolicy\":" OK_RULE "}", CMDF,
	        "schedulingInfo must not be null");
	for (size_t i = 0; i < sizeof(dry_cases) / sizeof(dry_cases[0]); i++) {
		b = dry_body(dry_cases[i].policy, dry_cases[i].info);
		dry_bad(b, dry_cases[i].message, dry_cases[i].what);
		free(b);
	}
	/* nothing was created by any of them, and the engine still answers */
	ck_assert_int_eq(http("GET", "/apis/v1/applications", NULL, &b), 200);
	ck_assert_str_eq(b, "{\"status\":\"SUCCESS\",\"data\":{},\"message\":\"success\"}");
	free(b);
}
END_TEST

START_TEST(test_dryrun_in_window)
{
	char *body = dry_body(RULE("'a' == 'a'"), "{}"), *b = NULL, *d;
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/set", NULL, &b), 200);
	free(b);
	dry_bad(body, "Command validation failure", "Cluster is in maintenance mode");
	/* bad input is still reported as such */
	dry_bad("{", "JSON validation failure", "malformed JSON");
	ck_assert_int_eq(http("POST", "/apis/v1/cluster/maintenance/unset", NULL, &b), 200);
	free(b);
	d = dry_ok(RULE("'a' == 'a'"), "{}");
	ck_assert_ptr_nonnull(strstr(d, "\"result\":true"));
	free(d);
	free(body);
}
END_TEST

/* ---- the dashboard ---- */

static struct json_object *jget(struct json_object *o, const char *path)
{
	char buf[256], *save = NULL, *k;
	snprintf(buf, sizeof(buf), "%s", path);
	for (k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_object_get(o, k);
	ck_assert_msg(o != NULL, "no %s", path);
	return o;
}

static int64_t jint(struct json_object *o, const char *path)
{
	return json_object_get_int64(jget(o, path));
}

static void set_task_mode(void *ud)
{
	for (int i = 0; i < 2; i++)
		fx[i]->task_mode = *(int *)ud;
}

#define TASK_OP                                                                        \
	"{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"TAPP\",\"taskId\":\"T1\"," \
	"\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/t:1\","               \
	"\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\","     \
	"\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":32}]}," OPSPEC "}"

/* Create TAPP/T1 on the simulated executors and wait until it runs. */
static void run_task(void)
{
	int mode = FAKE_TASKS_RUN;
	char *b = NULL;
	on_loop(set_task_mode, &mode);
	ck_assert_int_eq(http("POST", "/apis/v1/tasks/operations", TASK_OP, &b), 200);
	free(b);
	for (int i = 0;; i++) {
		struct json_object *root, *d = get_data("/apis/v1/tasks/TAPP/instances/T1", &root);
		int ok = d && !strcmp(json_object_get_string(json_object_object_get(d, "state")),
		                      "RUNNING");
		json_object_put(root);
		if (ok)
			return;
		ck_assert_msg(i < 200, "task T1 not RUNNING");
		usleep(25 * 1000);
	}
}

START_TEST(test_dashboard)
{
	struct json_object *root, *d, *ex, *exroot, *top;
	double avg = 0, hi = 0, lo = 1, sum2 = 0, u[2];

	create_app(2);
	wait_app("RUNNING", 2, 10000);
	run_task();
	d = get_data("/apis/v1/cluster/dashboard", &root);
	/* clusterSummary: GET /cluster's shape */
	ck_assert_int_eq(jint(d, "clusterSummary.numExecutors"), 2);
	ck_assert_int_eq(jint(d, "clusterSummary.numApplications"), 1);
	ck_assert_int_eq(jint(d, "clusterSummary.numActiveTasks"), 1);
	ck_assert_int_eq(jint(d, "clusterSummary.totalCores"), 16);
	ck_assert_str_eq(json_object_get_string(jget(d, "clusterSummary.state")), "NORMAL");
	/* appStats: every state counted (zeros too), the app on top */
	ck_assert_int_eq(jint(d, "appStats.appCountByState.RUNNING"), 1);
	ck_assert_int_eq(jint(d, "appStats.appCountByState.DESTROYED"), 0);
	ck_assert_int_eq(jint(d, "appStats.appCountByState.INIT"), 0);
	ck_assert_int_eq(jint(d, "appStats.totalHealthyInstances"), 2);
	top = jget(d, "appStats.topApps");
	ck_assert_int_eq((int)json_object_array_length(top), 1);
	ck_assert_str_eq(json_object_get_string(jget(json_object_array_get_idx(top, 0), "id")),
	                 APP);
	ck_assert_int_eq(jint(json_object_array_get_idx(top, 0), "healthyInstances"), 2);
	/* taskStats */
	ck_assert_int_eq(jint(d, "taskStats.taskCountByState.RUNNING"), 1);
	ck_assert_int_eq(jint(d, "taskStats.taskCountByState.STOPPED"), 0);
	top = jget(d, "taskStats.topTasks");
	ck_assert_int_eq((int)json_object_array_length(top), 1);
	ck_assert_str_eq(json_object_get_string(jget(json_object_array_get_idx(top, 0), "taskId")),
	                 "T1");
	/* serviceStats: none, every state at zero */
	ck_assert_int_eq(jint(d, "serviceStats.serviceCountByState.ACTIVE"), 0);
	ck_assert_int_eq(jint(d, "serviceStats.serviceCountByActivationState.INACTIVE"), 0);
	ck_assert_int_eq((int)json_object_array_length(jget(d, "serviceStats.topServices")), 0);
	ck_assert_int_eq(jint(d, "serviceStats.totalHealthyInstances"), 0);
	/* executorStats against the executor list: dominant share per executor */
	ck_assert_int_eq(jint(d, "executorStats.executorCountByState.ACTIVE"), 2);
	ck_assert_int_eq(jint(d, "executorStats.executorCountByState.BLACKLISTED"), 0);
	ex = get_data("/apis/v1/cluster/executors", &exroot);
	ck_assert_int_eq((int)json_object_array_length(ex), 2);
	for (int i = 0; i < 2; i++) {
		struct json_object *e = json_object_array_get_idx(ex, (size_t)i);
		double cpu = (double)jint(e, "usedCores") /
		             (double)(jint(e, "usedCores") + jint(e, "freeCores")),
		       mem = (double)jint(e, "usedMemory") /
		             (double)(jint(e, "usedMemory") + jint(e, "freeMemory"));
		u[i] = cpu > mem ? cpu : mem;
		avg += u[i] / 2;
		hi = u[i] > hi ? u[i] : hi;
		lo = u[i] < lo ? u[i] : lo;
	}
	for (int i = 0; i < 2; i++)
		sum2 += (u[i] - avg) * (u[i] - avg) / 2;
	ck_assert_msg(avg > 0, "nothing used");
	ck_assert_double_eq_tol(json_object_get_double(jget(d, "executorStats.utilization."
	                                                       "averageUtilization")),
	                        avg, 1e-9);
	ck_assert_double_eq_tol(json_object_get_double(jget(d, "executorStats.utilization."
	                                                       "highestUtilization")),
	                        hi, 1e-9);
	ck_assert_double_eq_tol(json_object_get_double(jget(d, "executorStats.utilization."
	                                                       "lowestUtilization")),
	                        lo, 1e-9);
	ck_assert_double_eq_tol(
	        json_object_get_double(jget(d, "executorStats.utilization.balanceScore")),
	        sqrt(sum2) / avg, 1e-9);
	ck_assert_int_ge(jint(d, "generatedAt"), drove_time_wall_ms() - 60000);
	json_object_put(exroot);
	json_object_put(root);
}
END_TEST

START_TEST(test_dashboard_empty)
{
	struct json_object *root, *d = get_data("/apis/v1/cluster/dashboard", &root);
	ck_assert_int_eq((int)json_object_array_length(jget(d, "appStats.topApps")), 0);
	ck_assert_int_eq((int)json_object_array_length(jget(d, "taskStats.topTasks")), 0);
	ck_assert_double_eq(json_object_get_double(jget(d, "executorStats.utilization."
	                                                   "averageUtilization")),
	                    0);
	ck_assert_double_eq(
	        json_object_get_double(jget(d, "executorStats.utilization.balanceScore")), 0);
	ck_assert_int_eq(jint(d, "executorStats.executorCountByState.ACTIVE"), 2);
	json_object_put(root);
}
END_TEST

/* ---- task search ---- */

/* POST a form (or GET with `form` as the query when `get`); *loc gets the Location. */
static long search(int get, const char *form, const char *userpass, char *loc, size_t nloc)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[512], *b = NULL;
	const char *where = NULL;
	FILE *sink = open_memstream(&b, &(size_t){0});
	long code = 0;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1/tasks/search%s%s", port,
	         get ? "?" : "", get ? form : "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (userpass)
		curl_easy_setopt(h, CURLOPT_USERPWD, userpass);
	if (!get) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
		hl = curl_slist_append(hl, "Content-Type: application/x-www-form-urlencoded");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	}
	*loc = '\0';
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &where) == CURLE_OK && where)
			snprintf(loc, nloc, "%s",
			         where + strlen("http://127.0.0.1:") +
			                 (size_t)snprintf(NULL, 0, "%d", port));
	}
	fclose(sink);
	if (code == 400)
		ck_assert_msg(strstr(b, "validationErrors") || strstr(b, "Malformed"), "%s", b);
	if (code == 400 && strstr(b, "validationErrors"))
		snprintf(loc, nloc, "%s", b);
	free(b);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return code;
}

START_TEST(test_task_search)
{
	char loc[512];

	run_task();
	for (int get = 0; get < 2; get++) {
		ck_assert_int_eq(search(get, "taskSearchAppName=TAPP&taskSearchTaskID=T1", NULL,
		                        loc, sizeof(loc)),
		                 303);
		ck_assert_str_eq(loc, "/ui/tasks/TAPP/T1");
		ck_assert_int_eq(search(get, "taskSearchAppName=TAPP&taskSearchTaskID=T2", NULL,
		                        loc, sizeof(loc)),
		                 303);
		ck_assert_str_eq(loc, "/");
		/* bad input: 400 naming the field */
		ck_assert_int_eq(search(get, "taskSearchAppName=TAPP", NULL, loc, sizeof(loc)),
		                 400);
		ck_assert_ptr_nonnull(strstr(loc, "taskSearchTaskID must not be empty"));
		ck_assert_int_eq(search(get, "taskSearchAppName=&taskSearchTaskID=T1", NULL, loc,
		                        sizeof(loc)),
		                 400);
		ck_assert_ptr_nonnull(strstr(loc, "taskSearchAppName must not be empty"));
		ck_assert_int_eq(search(get, "taskSearchAppName=TA%2FPP&taskSearchTaskID=T%201",
		                        NULL, loc, sizeof(loc)),
		                 400);
		ck_assert_ptr_nonnull(strstr(loc, "taskSearchAppName must match"));
		ck_assert_ptr_nonnull(strstr(loc, "taskSearchTaskID must match"));
		ck_assert_ptr_nonnull(strstr(loc, "Command validation failure"));
	}
	/* a form body that does not parse */
	ck_assert_int_eq(search(0, "garbage", NULL, loc, sizeof(loc)), 400);
}
END_TEST

/* ---- roles: every authenticated user may call them; nobody else ---- */

START_TEST(test_roles)
{
	char *b = NULL, *body = dry_body(RULE("'a' == 'a'"), "{}"), loc[512];
	const char *users[] = {"guest:guestpw", "ops:opspw", "admin:adminpw"};

	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(http_to(port, "POST", DRYRUN, body, users[i], NULL, &b), 200);
		ck_assert_ptr_nonnull(strstr(b, "\"result\":true"));
		free(b);
		ck_assert_int_eq(http_to(port, "GET", "/apis/v1/cluster/dashboard", NULL, users[i],
		                         NULL, &b),
		                 200);
		ck_assert_ptr_nonnull(strstr(b, "\"executorStats\""));
		free(b);
		ck_assert_int_eq(search(0, "taskSearchAppName=A&taskSearchTaskID=B", users[i], loc,
		                        sizeof(loc)),
		                 303);
	}
	ck_assert_int_eq(http_to(port, "POST", DRYRUN, body, NULL, NULL, &b), 401);
	free(b);
	ck_assert_int_eq(http_to(port, "POST", DRYRUN, body, "guest:wrong", NULL, &b), 401);
	free(b);
	ck_assert_int_eq(http_to(port, "GET", "/apis/v1/cluster/dashboard", NULL, NULL, NULL, &b),
	                 401);
	free(b);
	ck_assert_int_eq(
	        search(0, "taskSearchAppName=A&taskSearchTaskID=B", NULL, loc, sizeof(loc)), 401);
	free(body);
}
END_TEST

Suite *ctrl_routes_suite(void)
{
	Suite *s = suite_create("ctrl_routes");
	TCase *tc = tcase_create("routes"), *tu = tcase_create("users");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dryrun);
	tcase_add_test(tc, test_dryrun_bad_input);
	tcase_add_test(tc, test_dryrun_in_window);
	tcase_add_test(tc, test_dashboard);
	tcase_add_test(tc, test_dashboard_empty);
	tcase_add_test(tc, test_task_search);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tu, setup_users, teardown);
	tcase_add_test(tu, test_roles);
	suite_add_tcase(s, tu);
	return s;
}
