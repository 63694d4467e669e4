/* Images and node metadata of the executor engine against real components (issue 22):
 * - dockerAuth: a pull from a real registry on loopback (components.sh: Debian's
 *   docker-registry, bcrypt htpasswd basic auth, a password holding '"' and '\') works with the
 *   right credentials and fails with a clear error naming the registry with wrong ones;
 * - cacheImages false: an image is removed once no instance uses it any more, kept while one
 *   does, and kept when cacheImages is true (a private tag of the test image, never the shared
 *   localhost/drove-test:latest itself);
 * - DYNAMIC_COMMAND metadata providers: values of real commands in the executor's snapshot;
 *   failing, flooding and hanging commands cut off with their defaultValue, the loop serving
 *   requests meanwhile. */
#include "test_exec_env.h"

struct ires {
	int done, code;
};

static void on_ires(const drove_runtime_result *r, void *ud)
{
	struct ires *o = ud;
	o->done = 1;
	o->code = drove_runtime_result_code(r);
}

/* 0 when `img` is in the engine, else its error (DROVE_ENOTFOUND). */
static int image_state(const char *img)
{
	struct ires r = {0, 0};
	ck_assert_int_eq(drove_runtime_image_inspect(rt, img, on_ires, &r), 0);
	WAIT_FOR(r.done, 30000, "image inspect");
	return r.code;
}

static int image_remove(const char *img)
{
	struct ires r = {0, 0};
	ck_assert_int_eq(drove_runtime_image_remove(rt, img, 0, on_ires, &r), 0);
	WAIT_FOR(r.done, 30000, "image remove");
	return r.code;
}

static void stop_executor(void)
{
	drove_executor_free(ex);
	ex = NULL;
	drove_config_free(cfg);
	cfg = NULL;
}

/* The task `id` reached STOPPED; returns its record's index. */
static int wait_stopped(const char *id, int64_t ms)
{
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, ms,
	         "task STOPPED");
	return find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED);
}

/* ---- dockerAuth against a real registry ---- */

START_TEST(test_registry_credentials)
{
	const char *reg = drove_test_require_env("DROVE_TEST_REGISTRY", "a registry");
	const char *user = drove_test_require_env("DROVE_TEST_REGISTRY_USER", "a registry");
	const char *pass = drove_test_require_env("DROVE_TEST_REGISTRY_PASSWORD", "a registry");
	char img[256], id[64], *tail;
	int k;

	ck_assert_msg(strchr(pass, '"') && strchr(pass, '\\'), "the password must need escaping");
	snprintf(img, sizeof(img), "%s/drove-test:latest", reg);
	(void)image_remove(img); /* a copy left by an earlier run: this run must pull */
	ck_assert_int_eq(image_state(img), DROVE_ENOTFOUND);
	image = img;

	/* right credentials (YAML single quotes keep '"' and '\' as they are) */
	tail = drove__asprintf("dockerAuth:\n  entries:\n    \"%s\": {type: CREDENTIALS, "
	                       "username: %s, password: '%s'}\n",
	                       reg, user, pass);
	exec_yaml_tail = tail;
	exec_cache_images = "false";
	start_executor();
	start_task("echo pulled-from-the-registry", 0, id, sizeof(id), "pull");
	k = wait_stopped(id, 60000);
	ck_assert_msg(recs[k].has_result && recs[k].rstatus == DROVE_TASK_RESULT_SUCCESSFUL &&
	                      recs[k].exit_code == 0,
	              "task result %d exit %lld: %s", recs[k].rstatus, (long long)recs[k].exit_code,
	              recs[k].err);
	ck_assert_int_lt(
	        find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_PROVISIONING_FAILED), 0);
	/* cacheImages false: the pulled image went with the task's container */
	WAIT_FOR(image_state(img) == DROVE_ENOTFOUND, 10000, "the pulled image removed");
	ck_assert_int_eq(image_state("localhost/drove-test:latest"), 0);
	stop_executor();
	free(tail);

	/* wrong credentials: the start fails, naming the registry and the refusal */
	tail = drove__asprintf("dockerAuth:\n  entries:\n    \"%s\": {type: CREDENTIALS, "
	                       "username: %s, password: 'not-the-password'}\n",
	                       reg, user);
	exec_yaml_tail = tail;
	start_executor();
	start_task("echo never", 0, id, sizeof(id), "badauth");
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_PROVISIONING_FAILED) >= 0,
	         60000, "PROVISIONING_FAILED");
	k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_PROVISIONING_FAILED);
	ck_assert_msg(strstr(recs[k].err, "refused the credentials (dockerAuth)") &&
	                      strstr(recs[k].err, reg) && strstr(recs[k].err, "unauthorized"),
	              "%s", recs[k].err);
	wait_stopped(id, 30000);
	ck_assert_int_eq(image_state(img), DROVE_ENOTFOUND);
	stop_executor();
	free(tail);
	exec_yaml_tail = "";
}
END_TEST

/* ---- cacheImages ---- */

/* The private tag of test_cache_images, untagged at teardown even when the test failed. */
static char private_img[128];

static void images_teardown(void)
{
	if (private_img[0] && rt)
		(void)image_remove(private_img);
	private_img[0] = '\0';
	teardown();
}

START_TEST(test_cache_images)
{
	char *img = private_img, tag_cmd[512], a[64], b[64], c[64];

	snprintf(private_img, sizeof(private_img), "localhost/drove-test-cache-%d:1",
	         (int)getpid());
	snprintf(tag_cmd, sizeof(tag_cmd), "podman tag %s %s", image, img);
	ck_assert_int_eq(system(tag_cmd), 0);
	ck_assert_int_eq(image_state(img), 0);
	image = img;

	/* false: kept while b still runs, removed after the last one */
	exec_cache_images = "false";
	start_executor();
	start_task("sleep 4", 0, b, sizeof(b), "long");
	start_task("true", 1, a, sizeof(a), "short");
	wait_stopped(a, 60000);
	ck_assert_int_lt(find_rec(0, b, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED), 0);
	spin(500);
	ck_assert_int_eq(image_state(img), 0);
	wait_stopped(b, 60000);
	WAIT_FOR(image_state(img) == DROVE_ENOTFOUND, 10000, "the private image removed");
	/* only a tag went: the shared test image is untouched */
	ck_assert_int_eq(image_state("localhost/drove-test:latest"), 0);
	stop_executor();

	/* true: kept */
	ck_assert_int_eq(system(tag_cmd), 0);
	exec_cache_images = "true";
	start_executor();
	start_task("true", 0, c, sizeof(c), "cached");
	wait_stopped(c, 60000);
	spin(1000);
	ck_assert_int_eq(image_state(img), 0);
	stop_executor();
	ck_assert_int_eq(image_remove(img), 0);
	private_img[0] = '\0';
	image = drove_test_require_env("DROVE_TEST_IMAGE", "podman");
}
END_TEST

/* ---- DYNAMIC_COMMAND metadata providers ---- */

static int snapshot_has(const char *needle)
{
	char *snap = NULL;
	int hit;
	ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
	hit = strstr(snap, needle) != NULL;
	drove_free(snap);
	return hit;
}

/* The value of metadata key `key` in the snapshot ("" when absent). */
static void snapshot_value(const char *key, char *out, size_t n)
{
	char *snap = NULL;
	struct json_object *o, *md, *v;
	ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
	o = json_tokener_parse(snap);
	ck_assert_ptr_nonnull(o);
	out[0] = '\0';
	if (json_object_object_get_ex(o, "metadata", &md) && json_object_object_get_ex(md, key, &v))
		snprintf(out, n, "%s", json_object_get_string(v));
	json_object_put(o);
	drove_free(snap);
}

/* Warnings of the metadata runner, in order: how many failing-command lines came before the
 * hanging command was cut off (the loop went on meanwhile iff there are some). */
static int n_failing, failing_before_hang = -1;

static void md_log(int level, const char *module, const char *msg, void *ud)
{
	(void)ud;
	if (strstr(msg, "command failing exited with 3") && strstr(msg, ": oops; using"))
		n_failing++;
	if (strstr(msg, "command hang timed out") && failing_before_hang < 0)
		failing_before_hang = n_failing;
	if (getenv("DROVE_TEST_VERBOSE"))
		log_stderr(level, module, msg, NULL);
}

START_TEST(test_dynamic_metadata)
{
	char v1[128], v2[128], *y;
	struct hres h;
	int64_t t0;

	exec_yaml_tail =
	        "resources:\n  metadata:\n    metadataProviders:\n"
	        "      cmds:\n        type: DYNAMIC_COMMAND\n        commandRerunInSecs: 1\n"
	        "        commands:\n"
	        "          rack: {type: STATIC, command: \"printf 'r1\\\\r\\\\nr2\\\\n'\", "
	        "defaultValue: none}\n"
	        "          tick: {type: DYNAMIC, command: \"date +%s%N\", defaultValue: none}\n"
	        "          failing: {type: DYNAMIC, command: \"echo oops >&2; exit 3\", "
	        "defaultValue: fell-back}\n"
	        "          flood: {type: STATIC, command: \"yes\", defaultValue: was-flooding}\n"
	        "      slow:\n        type: DYNAMIC_COMMAND\n"
	        "        commands:\n"
	        "          hang: {type: STATIC, command: \"sleep 300\", defaultValue: hung}\n"
	        "      conf: {type: CONFIGURED, metadata: {zone: z1}}\n";
	drove_ctx_set_log(ctx, DROVE_LOG_WARN, md_log, NULL);
	t0 = drove_time_mono_ms();
	/* started, not waited for: the commands do not depend on a leader or the engine */
	y = exec_yaml(0, 1);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", y, strlen(y)),
	                 0);
	free(y);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_start(ex), 0);
	WAIT_FOR(snapshot_has("\"failing\":\"fell-back\"") && snapshot_has("\"tick\":\"") &&
	                 snapshot_has("\"flood\""),
	         30000, "the first round of metadata commands");
	snapshot_value("rack", v1, sizeof(v1));
	ck_assert_str_eq(v1, "r1\nr2");
	ck_assert(snapshot_has("\"flood\":\"was-flooding\""));
	ck_assert(snapshot_has("\"zone\":\"z1\""));
	call("GET", drove_executor_port(ex), "/apis/v1/ping", NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);

	/* DYNAMIC commands run again (commandRerunInSecs 1); STATIC values stay */
	snapshot_value("tick", v1, sizeof(v1));
	ck_assert_int_gt((int)strlen(v1), 10);
	WAIT_FOR((snapshot_value("tick", v2, sizeof(v2)), strcmp(v1, v2) != 0), 15000,
	         "a re-run of the DYNAMIC command");
	snapshot_value("rack", v1, sizeof(v1));
	ck_assert_str_eq(v1, "r1\nr2");

	/* the hanging command is cut off after 10 s and gives its defaultValue; the other
	 * provider's reruns went on meanwhile (the loop was never held by it) */
	WAIT_FOR(snapshot_has("\"hang\":\"hung\""), 30000, "the hanging command cut off");
	ck_assert_int_ge(drove_time_mono_ms() - t0, 9000);
	ck_assert_msg(failing_before_hang >= 2, "only %d reruns while the hang ran",
	              failing_before_hang);
	/* and it was killed: no "sleep 300" of ours remains */
	{
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "pgrep -P %d -f 'slee[p] 300' >/dev/null",
		         (int)getpid());
		ck_assert_int_ne(system(cmd), 0);
	}
	stop_executor();
	exec_yaml_tail = "";
}
END_TEST

Suite *exec_images_suite(void)
{
	Suite *s = suite_create("exec_images");
	TCase *tc = tcase_create("podman");
	tcase_add_checked_fixture(tc, setup, images_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_registry_credentials);
	tcase_add_test(tc, test_cache_images);
	tcase_add_test(tc, test_dynamic_metadata);
	suite_add_tcase(s, tc);
	return s;
}
