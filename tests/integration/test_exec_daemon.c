/* The drove-executor daemon (a child process: kill -9 and restart, a bad config) and the
 * executor in ZooKeeper mode (the leader found through /controller, its node published, a
 * new session after expiry), over the fixture of test_exec_env.h. */
#include "test_exec_env.h"

/* ---- kill -9 and restart of the daemon ---- */

static pid_t spawn_daemon(const char *cfgpath, const char *logpath)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execl(DROVE_BINARY_DIR "/daemons/drove-executor/drove-executor", "drove-executor",
		      "-c", cfgpath, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

START_TEST(test_kill9_recovery)
{
	char cfgpath[128], logpath[128], app_id[64], task_id[64], name[160], tname[96];
	char *y, *spec, *extra, *s;
	struct hres h;
	struct rres r;
	int64_t app_started, task_started;
	int port = free_port(), mark, status = 0;
	pid_t pid;
	FILE *f;

	snprintf(cfgpath, sizeof(cfgpath), "%s/executor.yml", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/executor.log", tmpdir);
	y = exec_yaml(port, 1);
	f = fopen(cfgpath, "we");
	ck_assert_ptr_nonnull(f);
	fputs(y, f);
	fclose(f);
	free(y);
	pid = spawn_daemon(cfgpath, logpath);
	WAIT_FOR(nsnaps > 0, 20000, "the daemon's first snapshot");
	/* wait for ACTIVE: a START is refused before */
	spec = app_instance_spec(1, NULL, 0, app_id, sizeof(app_id));
	track("DROVE_TEST_APP-1-", app_id);
	extra = drove__asprintf("\"spec\":%s", spec);
	{
		int64_t end = drove_time_mono_ms() + 20000;
		do {
			spin(200);
			send_msg(port, "START_INSTANCE", extra, &h);
		} while (!strstr(h.body, "ACCEPTED") && drove_time_mono_ms() < end);
		ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	}
	free(extra);
	free(spec);
	s = task_spec("sleep 300", 0, task_id, sizeof(task_id), "rec");
	track("", task_id);
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(port, "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	free(s);
	WAIT_FOR(find_rec(0, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0 &&
	                 find_rec(0, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >= 0,
	         60000, "HEALTHY app and RUNNING task");
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", app_id);
	snprintf(tname, sizeof(tname), "%s", task_id);
	inspect(name, &r);
	ck_assert(r.running);
	app_started = r.started_at;
	inspect(tname, &r);
	ck_assert(r.running);
	task_started = r.started_at;

	/* kill -9, then restart */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	mark = nrecs;
	spin(1500); /* the periodic reaper of a dead executor does nothing */
	snap_mark = nsnaps;
	snap_first_n = -1;
	pid = spawn_daemon(cfgpath, logpath);
	WAIT_FOR(find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0 &&
	                 find_rec(mark, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >=
	                         0,
	         60000, "recovered app HEALTHY and task RUNNING");
	ck_assert_int_ge(
	        find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNREADY), 0);
	ck_assert_int_lt(
	        find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STARTING), 0);
	/* its first snapshot comes after recovery and lists both: none that says they are gone */
	ck_assert_int_eq(snap_first_n, 2);
	spin(2500); /* a couple of reaper sweeps: tracked containers survive */
	inspect(name, &r);
	ck_assert(r.running);
	ck_assert_int_eq(r.started_at, app_started); /* not restarted */
	inspect(tname, &r);
	ck_assert(r.running);
	ck_assert_int_eq(r.started_at, task_started);
	ck_assert(alive(pid));

	/* the recovered executor still commands them: stop both */
	extra = drove__asprintf("\"instanceId\":\"%s\"", app_id);
	send_msg(port, "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	extra = drove__asprintf("\"instanceId\":\"%s\"", task_id);
	send_msg(port, "STOP_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(mark, app_id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0 &&
	                 find_rec(mark, task_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >=
	                         0,
	         60000, "both STOPPED");
	/* graceful stop: exit 0 */
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	force_remove(name);
	force_remove(tname);
}
END_TEST

START_TEST(test_daemon_bad_config)
{
	char cfgpath[128], logpath[128];
	int status;
	pid_t pid;
	FILE *f;
	snprintf(cfgpath, sizeof(cfgpath), "%s/bad.yml", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/bad.log", tmpdir);
	f = fopen(cfgpath, "we");
	fputs("options: {nosuchkey: 1}\n", f);
	fclose(f);
	pid = spawn_daemon(cfgpath, logpath);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	{
		char buf[2048] = "";
		f = fopen(logpath, "re");
		(void)!fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		ck_assert_msg(strstr(buf, "nosuchkey"), "%s", buf);
	}
}
END_TEST

/* Wait (10 s) until the executor's node `node` is in the store (`present`) or gone. */
static void wait_record(drove_store *store, const char *node, bool present)
{
	int64_t end = drove_time_mono_ms() + 10000;
	int rc;
	do {
		char *json = NULL;
		size_t len;
		spin(100);
		rc = drove_record_get(store, DROVE_RECORD_EXECUTOR, NULL, node, &json, &len);
		drove_free(json);
	} while ((rc == 0) != present && drove_time_mono_ms() < end);
	ck_assert_int_eq(rc, present ? 0 : DROVE_ENOTFOUND);
}

/* ZooKeeper mode: the leader comes from the /controller children, the node data goes to
 * /executor/{hostname}-{port}. */
START_TEST(test_zk_mode)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	drove_store_opts *so;
	drove_store *store = NULL;
	char ns[64], *y, *json = NULL, *ctl, id[64], node[64];
	size_t len;
	snprintf(ns, sizeof(ns), "drove-exec-%s", run_id);
	ck_assert_int_eq(drove_store_opts_new(&so), 0);
	ck_assert_int_eq(drove_store_opts_set_zk(so, zk), 0);
	{
		char slash[80];
		snprintf(slash, sizeof(slash), "/%s", ns);
		ck_assert_int_eq(drove_store_opts_set_namespace(so, slash), 0);
	}
	ck_assert_int_eq(drove_store_open(&store, loop, so), 0);
	drove_store_opts_free(so);
	ctl = drove__asprintf("{\"type\":\"CONTROLLER\",\"hostname\":\"127.0.0.1\",\"port\":%d,"
	                      "\"transportType\":\"HTTP\",\"updated\":1,\"leader\":true}",
	                      leader_port);
	ck_assert_int_eq(drove_record_put(store, DROVE_RECORD_CONTROLLER, NULL, "fake-4000", ctl,
	                                  strlen(ctl)),
	                 0);
	free(ctl);
	y = drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: 0, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  appenders:\n    - {type: drove, logPath: %s/logs}\n"
	        "zookeeper: {connectionString: \"%s\", nameSpace: %s}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: %s}\n"
	        "    - {nodeType: EXECUTOR, secret: %s}\n"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  maxOpenFiles: 1024\n"
	        "  cacheImages: true\n"
	        "  snapshotInterval: 200ms\n  leaderLookupInterval: 500ms\n",
	        tmpdir, zk, ns, SECRET_C, SECRET_E, sock);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", y, strlen(y)),
	                 0);
	free(y);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_start(ex), 0);
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 20000, "ACTIVE (zk leader)");
	spin(500);
	snprintf(node, sizeof(node), "localhost-%d", drove_executor_port(ex));
	ck_assert_int_eq(drove_record_get(store, DROVE_RECORD_EXECUTOR, NULL, node, &json, &len),
	                 0);
	ck_assert_ptr_nonnull(strstr(json, "\"executorState\":\"ACTIVE\""));
	ck_assert_ptr_nonnull(strstr(json, drove_executor_node_id(ex)));
	drove_free(json);
	start_task("exit 0", 0, id, sizeof(id), "zk");
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "task reported through the zk-found leader");
	/* its session expires (ended on the server): it starts a new one, publishes its node
	 * again (the old ephemeral went with the old session) and still finds the leader */
	{
		unsigned gen = ex->store_gen;
		for (int a = 0; a < 20 && ex->store_gen == gen; a++) {
			int64_t end = drove_time_mono_ms() + 2000;
			drove_test_zk_end_session(ex->store, zk);
			while (ex->store_gen == gen && drove_time_mono_ms() < end)
				spin(50);
		}
		ck_assert_msg(ex->store_gen != gen, "no new session after the expiry");
	}
	wait_record(store, node, true);
	start_task("exit 0", 0, id, sizeof(id), "zk2");
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "task reported through the leader found with the new session");
	/* the ephemeral node goes with the executor */
	drove_executor_free(ex);
	ex = NULL;
	wait_record(store, node, false);
	drove_store_close(store);
}
END_TEST

Suite *exec_daemon_suite(void)
{
	Suite *s = suite_create("exec_daemon");
	TCase *tc = tcase_create("daemon");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_kill9_recovery);
	tcase_add_test(tc, test_daemon_bad_config);
	tcase_add_test(tc, test_zk_mode);
	suite_add_tcase(s, tc);
	return s;
}
