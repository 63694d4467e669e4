/* The executor engine in-process on the test's loop against real podman and the fake leader
 * of test_exec_env.h: app instances, checks, tasks, the reaper, local services. The daemon
 * (kill -9, bad config) and ZooKeeper mode are in test_exec_daemon.c. */
#include "cluster.h"
#include "test_exec_env.h"

/* ---- scenarios ---- */

START_TEST(test_app_lifecycle)
{
	char id[64], name[700], path[512], *spec, *extra;
	struct hres h;
	struct rres r;
	int k, hp = -1;
	start_executor();
	spec = app_instance_spec(1, NULL, 1, id, sizeof(id));
	track("DROVE_TEST_APP-1-", id);
	extra = drove__asprintf("\"spec\":%s", spec);

	/* no secret: 401; stale term: REJECTED */
	call("POST", drove_executor_port(ex), "/apis/v1/messages", "{}", NULL, &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), "/apis/v1/ping", NULL, "wrong-secret", &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), "/apis/v1/ping", NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "pong"));
	send_msg(drove_executor_port(ex), "BLACKLIST_REQUESTED", NULL, &h); /* term 7 seen */
	send_msg(drove_executor_port(ex), "UNBLACKLIST", NULL, &h);
	term = 6;
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	term = 7;
	ck_assert_ptr_nonnull(strstr(h.body, "\"status\":\"REJECTED\""));
	ck_assert_ptr_nonnull(strstr(h.body, "stale leader term 6 < 7"));
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	WAIT_FOR(drove_executor_state(ex) == DROVE_EXECUTOR_ACTIVE, 10000, "ACTIVE again");

	/* start; idempotent by id */
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 1);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_PENDING), 0);
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNREADY), 0);
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READY), 0);

	/* pinned as allocated; env; the real port serves the injected config */
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", id);
	exec_in(name,
	        "grep Cpus_allowed_list /proc/self/status; echo G=$GREETING I=$DROVE_INSTANCE_ID "
	        "P=$PORT_8000",
	        &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.output, "Cpus_allowed_list:\t1\n"), "%s", r.output);
	ck_assert_ptr_nonnull(strstr(r.output, "G=hello"));
	ck_assert_ptr_nonnull(strstr(r.output, id));
	sscanf(strstr(r.output, "P=") + 2, "%d", &hp);
	ck_assert_int_gt(hp, 0);
	snprintf(path, sizeof(path), "/index.html");
	call("GET", hp, path, NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "ok\n");
	call("GET", hp, "/local.txt", NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "from-a-local-file\n");
	call("GET", hp, "/fetched.txt", NULL, NULL, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "fetched-over-http\n");
	{
		char *snap = NULL;
		char want[64];
		ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
		ck_assert_ptr_nonnull(strstr(snap, id));
		ck_assert_ptr_nonnull(strstr(snap, "\"usedCores\":{\"0\":[1]}"));
		snprintf(want, sizeof(want), "\"hostPort\":%d", hp);
		ck_assert_ptr_nonnull(strstr(snap, want));
		drove_free(snap);
	}

	/* overlapping cores fail cleanly */
	{
		char id2[64], *spec2 = app_instance_spec(1, NULL, 0, id2, sizeof(id2));
		char *extra2 = drove__asprintf("\"spec\":%s", spec2);
		char want[160];
		send_msg(drove_executor_port(ex), "START_INSTANCE", extra2, &h);
		ck_assert_msg(strstr(h.body, "\"status\":\"FAILED\""), "%s", h.body);
		snprintf(want, sizeof(want), "cores 1 on node 0 are in use by %s", id);
		ck_assert_msg(strstr(h.body, want), "%s", h.body);
		free(spec2);
		free(extra2);
	}

	/* log endpoints: confined, Drove's read semantics */
	snprintf(path, sizeof(path), "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/list", id);
	call("GET", drove_executor_port(ex), path, NULL, NULL, &h);
	ck_assert_int_eq(h.status, 401);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "{\"files\":[\"output.log\"]}");
	snprintf(path, sizeof(path), "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "\"data\":\"\""));
	snprintf(
	        path, sizeof(path),
	        "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/..%%2F..%%2F..%%2Fetc%%2Fpasswd",
	        id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 400);
	ck_assert_ptr_nonnull(strstr(h.body, "\"error\""));

	/* stop: pre-shutdown hook, then the container goes */
	extra = (free(extra), drove__asprintf("\"instanceId\":\"%s\"", id));
	send_msg(drove_executor_port(ex), "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED");
	ck_assert_int_ge(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPING), 0);
	ck_assert_int_ge(
	        find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_DEPROVISIONING), 0);
	inspect(name, &r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	{
		char *data = NULL;
		size_t len;
		snprintf(path, sizeof(path), "logs/DROVE_TEST_APP-1/%s/output.log", id);
		(void)len;
		snprintf(name, sizeof(name), "%s/%s", tmpdir, path);
		FILE *f = fopen(name, "re");
		ck_assert_ptr_nonnull(f);
		data = calloc(1, 65536);
		len = fread(data, 1, 65535, f);
		fclose(f);
		ck_assert_msg(strstr(data, "pre-shutdown hook done: exit code 0: shutting down"),
		              "%s", data);
		free(data);
	}
	/* the log file outlives the instance: read with offsets, download */
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log?offset=0&length=22",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(h.body, "{\"data\":\"pre-shutdown hook done\",\"offset\":0}");
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/read/output.log?offset=-1&length=5",
	         id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 400);
	ck_assert_ptr_nonnull(strstr(h.body, "offset: -1 needs length -1"));
	snprintf(path, sizeof(path),
	         "/apis/v1/logs/filestream/DROVE_TEST_APP-1/%s/download/output.log", id);
	call("GET", drove_executor_port(ex), path, NULL, SECRET_C, &h);
	ck_assert_int_eq(h.status, 200);
	ck_assert_ptr_nonnull(strstr(h.body, "shutting down"));
	/* the cores are free again */
	{
		char *snap = NULL;
		ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
		ck_assert_ptr_null(strstr(snap, "usedCores\":{\"0\""));
		drove_free(snap);
	}
	k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED);
	ck_assert_int_ge(k, 0);
	free(extra);
	free(spec);
}
END_TEST

START_TEST(test_unhealthy)
{
	char id[64], name[160], *spec, *extra;
	struct hres h;
	struct rres r;
	int k;
	const char *health = "{\"mode\":{\"type\":\"CMD\",\"command\":\"test ! -f /tmp/sick\"},"
	                     "\"timeout\":\"2 seconds\",\"interval\":\"500 milliseconds\","
	                     "\"attempts\":2,\"initialDelay\":\"0 seconds\"}";
	start_executor();
	spec = app_instance_spec(0, health, 0, id, sizeof(id));
	track("DROVE_TEST_APP-1-", id);
	extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	snprintf(name, sizeof(name), "DROVE_TEST_APP-1-%s", id);
	exec_in(name, "touch /tmp/sick", &r);
	ck_assert_int_eq(r.code, 0);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNHEALTHY)) >= 0,
	         30000, "UNHEALTHY");
	ck_assert_msg(strstr(recs[k].err, "Healthcheck failed:"), "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED after UNHEALTHY");
	inspect(name, &r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	free(spec);
	free(extra);
}
END_TEST

/* An app whose server starts 2 s after its container, with a readiness interval of 20 s:
 * while nothing listens the check is asked again every 250 ms within the interval, so it is
 * READY soon after the server starts, not an interval later; the attempts and the interval
 * (the time the spec allows) are unchanged. */
START_TEST(test_readiness_while_starting)
{
	char id[64], *spec, *extra;
	struct json_object *j, *rd, *args;
	struct hres h;
	int64_t unready = 0, ready = 0;
	start_executor();
	spec = app_instance_spec(0, NULL, 0, id, sizeof(id));
	track("DROVE_TEST_APP-1-", id);
	ck_assert_ptr_nonnull(j = json_tokener_parse(spec));
	ck_assert(json_object_object_get_ex(j, "readiness", &rd));
	json_object_object_add(rd, "interval", json_object_new_string("20 seconds"));
	json_object_object_add(rd, "attempts", json_object_new_int(2));
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(args,
	                      json_object_new_string("sleep 2; exec httpd -f -p 8000 -h /www"));
	json_object_object_add(j, "args", args);
	extra = drove__asprintf("\"spec\":%s", json_object_to_json_string(j));
	json_object_put(j);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	{
		int64_t end = drove_time_mono_ms() + 60000;
		while (!ready && drove_time_mono_ms() < end) {
			spin(20);
			if (!unready && find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT,
			                         DROVE_INST_UNREADY) >= 0)
				unready = drove_time_mono_ms();
			if (find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READY) >= 0)
				ready = drove_time_mono_ms();
		}
	}
	ck_assert_msg(unready && ready, "never READY");
	/* an interval (20 s) later would be the old behaviour; allow a loaded machine plenty */
	ck_assert_msg(ready - unready < 12000, "READY %lld ms after UNREADY",
	              (long long)(ready - unready));
	ck_assert_int_lt(
	        find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READINESS_CHECK_FAILED),
	        0);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 30000,
	         "HEALTHY");
	free(spec);
	free(extra);
}
END_TEST

START_TEST(test_tasks)
{
	char ok_id[64], bad_id[64], long_id[64], *s, *extra;
	struct hres h;
	int k;
	start_executor();
	s = task_spec("echo task-says-hi; exit 0", 0, ok_id, sizeof(ok_id), "ok");
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(s);
	free(extra);
	s = task_spec("exit 3", 1, bad_id, sizeof(bad_id), "bad");
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(s);
	free(extra);
	WAIT_FOR(find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0 &&
	                 find_rec(0, bad_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0,
	         60000, "both tasks STOPPED");
	k = find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED);
	ck_assert_int_ge(k, 0);
	ck_assert(recs[k].has_result);
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_SUCCESSFUL);
	ck_assert_int_eq(recs[k].exit_code, 0);
	ck_assert_int_ge(find_rec(0, ok_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING), 0);
	k = find_rec(0, bad_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED);
	ck_assert_int_ge(k, 0);
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_FAILED);
	ck_assert_int_eq(recs[k].exit_code, 3);
	ck_assert_str_eq(recs[k].err, "Task instance exited with status: 3");
	{
		char p[256];
		FILE *f;
		char buf[4096] = "";
		snprintf(p, sizeof(p), "%s/logs/EXEC_TEST/ok-%s/output.log", tmpdir, run_id);
		f = fopen(p, "re");
		ck_assert_ptr_nonnull(f);
		(void)!fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		ck_assert_msg(strstr(buf, "task-says-hi"), "%s", buf);
	}
	/* STOP_TASK kills: CANCELLED */
	start_task("sleep 300", 1, long_id, sizeof(long_id), "long");
	WAIT_FOR(find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUNNING) >= 0, 60000,
	         "RUNNING");
	extra = drove__asprintf("\"instanceId\":\"%s\"", long_id);
	send_msg(drove_executor_port(ex), "STOP_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR((k = find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT,
	                       DROVE_TASK_RUN_COMPLETED)) >= 0,
	         60000, "cancelled");
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_CANCELLED);
	WAIT_FOR(find_rec(0, long_id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 60000,
	         "STOPPED");
}
END_TEST

START_TEST(test_unknown_image)
{
	char id[64], *s, *extra, *bad;
	struct hres h;
	int k;
	start_executor();
	s = task_spec("true", 0, id, sizeof(id), "img");
	bad = drove__asprintf("localhost/drove-no-such-image-%s:1", run_id);
	{
		/* swap the image url */
		char *p = strstr(s, image);
		char *t = drove__asprintf("%.*s%s%s", (int)(p - s), s, bad, p + strlen(image));
		free(s);
		s = t;
	}
	extra = drove__asprintf("\"spec\":%s", s);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT,
	                       DROVE_TASK_PROVISIONING_FAILED)) >= 0,
	         120000, "PROVISIONING_FAILED");
	ck_assert_msg(strstr(recs[k].err, "Error while pulling image"), "%s", recs[k].err);
	ck_assert_msg(strstr(recs[k].err, bad), "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 10000,
	         "STOPPED");
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	free(bad);
	free(s);
	free(extra);
}
END_TEST

/* Creates and starts a `sleep 300` container carrying the executor's labels; `info` may be
 * NULL (no drove.instance.info label). */
static void start_labelled(const char *name, const char *instance_id, const char *info)
{
	drove_container_spec *cs;
	struct rres r;
	track("", name);
	ck_assert_int_eq(drove_container_spec_new(&cs, name, image), 0);
	drove_container_spec_add_arg(cs, "sleep");
	drove_container_spec_add_arg(cs, "300");
	drove_container_spec_set_label(cs, "drove.job.type", "SERVICE");
	drove_container_spec_set_label(cs, "drove.instance.id", instance_id);
	drove_container_spec_set_label(cs, "drove.instance.spec", "{}");
	if (info)
		drove_container_spec_set_label(cs, "drove.instance.info", info);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(drove_runtime_create(rt, cs, on_rres, &r), 0);
	drove_container_spec_free(cs);
	WAIT_FOR(r.done, 30000, "create");
	ck_assert_int_eq(r.code, 0);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(drove_runtime_start(rt, name, on_rres, &r), 0);
	WAIT_FOR(r.done, 30000, "start");
	ck_assert_int_eq(r.code, 0);
}

/* The reaper removes an unexpected container only when its labels name this executor: a
 * container with drove.instance.id but no owner (a test's, another tool's) and another
 * executor's container sharing the engine both survive (issue 14). */
START_TEST(test_zombie_reaped)
{
	struct rres r;
	struct hres h;
	char name[96], orphan[96], foreign[96], info[160];
	start_executor();
	snprintf(name, sizeof(name), "drove-exec-zombie-%s", run_id);
	snprintf(orphan, sizeof(orphan), "drove-exec-noowner-%s", run_id);
	snprintf(foreign, sizeof(foreign), "drove-exec-foreign-%s", run_id);
	snprintf(info, sizeof(info), "{\"executorId\":\"%s\"}", drove_executor_node_id(ex));
	start_labelled(name, "AI-zombie", info);
	start_labelled(orphan, "AI-noowner", NULL);
	start_labelled(foreign, "AI-foreign", "{\"executorId\":\"some-other-executor\"}");
	send_msg(drove_executor_port(ex), "EXPECTED_INSTANCES",
	         "\"knownInstances\":{\"appInstanceIds\":[],\"staleAppInstanceIds\":[],"
	         "\"taskInstanceIds\":[],\"staleTaskInstanceIds\":[],"
	         "\"localServiceInstanceIds\":[],\"staleLocalServiceInstanceIds\":[]}",
	         &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	{
		int64_t end = drove_time_mono_ms() + 30000;
		do {
			spin(300);
			inspect(name, &r);
		} while (r.code == 0 && drove_time_mono_ms() < end);
	}
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	/* the sweep that removed ours has passed over the others: both still run */
	spin(1000);
	inspect(orphan, &r);
	ck_assert_int_eq(r.code, 0);
	inspect(foreign, &r);
	ck_assert_int_eq(r.code, 0);
	force_remove(name);
	force_remove(orphan);
	force_remove(foreign);
}
END_TEST

/* Start the executor and one app instance (id[64], its container's name[160]); wait until
 * it is HEALTHY. */
static void start_healthy_app(char *id, char *name)
{
	char *spec, *extra;
	struct hres h;
	start_executor();
	spec = app_instance_spec(0, NULL, 0, id, 64);
	snprintf(name, 160, "DROVE_TEST_APP-1-%s", id);
	track("", name);
	extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 60000,
	         "HEALTHY");
	free(spec);
	free(extra);
}

/* The reaper notices a tracked instance whose container vanished. */
START_TEST(test_vanished_container)
{
	char id[64], name[160];
	int k;
	start_healthy_app(id, name);
	force_remove(name);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED)) >= 0,
	         20000, "STOPPED after the container vanished");
	ck_assert_str_eq(recs[k].err, "Container vanished");
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
}
END_TEST

/* A tracked app instance the leader lists as stale (LOST and replaced elsewhere: the copy of an
 * executor back from a partition) is removed at once: STOPPING "Instance is stale", then
 * DEPROVISIONING, without its pre-shutdown hook (which a STOP_INSTANCE runs, test above). */
START_TEST(test_stale_instance_removed)
{
	char id[64], name[160], path[256], *extra, *log;
	struct hres h;
	struct rres r;
	int k;
	start_healthy_app(id, name);
	extra = drove__asprintf(
	        "\"knownInstances\":{\"appInstanceIds\":[],\"staleAppInstanceIds\":[\"%s\"],"
	        "\"taskInstanceIds\":[],\"staleTaskInstanceIds\":[],"
	        "\"localServiceInstanceIds\":[],\"staleLocalServiceInstanceIds\":[]}",
	        id);
	send_msg(drove_executor_port(ex), "EXPECTED_INSTANCES", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED");
	ck_assert_int_ge(k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPING),
	                 0);
	ck_assert_str_eq(recs[k].err, "Instance is stale");
	ck_assert_int_ge(
	        find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_DEPROVISIONING), 0);
	inspect(name, &r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	snprintf(path, sizeof(path), "%s/logs/DROVE_TEST_APP-1/%s/output.log", tmpdir, id);
	log = dtc_read_file(path);
	ck_assert_msg(!log || !strstr(log, "pre-shutdown hook"), "%s", log);
	free(log);
	free(extra);
}
END_TEST

/* A local-service instance: same lifecycle, LS reports and environment. */
START_TEST(test_local_service)
{
	char *iid = NULL, *extra, name[128];
	struct hres h;
	struct rres r;
	start_executor();
	ck_assert_int_eq(drove_instance_id_new(ctx, DROVE_KIND_LOCAL_SERVICE, &iid), 0);
	snprintf(name, sizeof(name), "EXEC_LS-1-%s", iid);
	track("", name);
	extra = drove__asprintf(
	        "\"spec\":{\"serviceId\":\"EXEC_LS-1\",\"serviceName\":\"EXEC_LS\","
	        "\"instanceId\":\"%s\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"%s\"},"
	        "\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[0]}},{\"type\":\"MEMORY\","
	        "\"memoryInMB\":{\"0\":32}}],\"ports\":[{\"name\":\"main\",\"port\":8000,"
	        "\"type\":\"HTTP\"}],\"hostLevelInstance\":false,\"configs\":[{\"type\":"
	        "\"INLINE\",\"localFilename\":\"/www/index.html\",\"data\":\"b2sK\"}],"
	        "\"readiness\":{\"mode\":{\"type\":\"HTTP\",\"portName\":\"main\",\"path\":"
	        "\"/\"},\"timeout\":\"1 second\",\"interval\":\"500 milliseconds\","
	        "\"attempts\":20},\"healthcheck\":{\"mode\":{\"type\":\"CMD\",\"command\":"
	        "\"wget -q -O - http://127.0.0.1:8000/\"},\"timeout\":\"5 seconds\","
	        "\"interval\":\"2 seconds\",\"attempts\":3},\"args\":[\"httpd\",\"-f\",\"-p\","
	        "\"8000\",\"-h\",\"/www\"],\"instanceAuthToken\":\"ls-token\"}",
	        iid, image);
	send_msg(drove_executor_port(ex), "START_LOCAL_SERVICE_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(0, iid, DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT,
	                  DROVE_INST_HEALTHY) >= 0,
	         60000, "LS HEALTHY");
	exec_in(name,
	        "echo S=$DROVE_SERVICE_ID N=$DROVE_SERVICE_NAME I=$DROVE_SERVICE_INSTANCE_ID "
	        "T=$DROVE_APP_INSTANCE_AUTH_TOKEN X=${DROVE_INSTANCE_ID:-none}",
	        &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.output, "S=EXEC_LS-1 N=EXEC_LS I=SI-"), "%s", r.output);
	ck_assert_msg(strstr(r.output, "T=ls-token X=none"), "%s", r.output);
	/* STOP_INSTANCE does not stop a local-service instance */
	extra = drove__asprintf("\"instanceId\":\"%s\"", iid);
	send_msg(drove_executor_port(ex), "STOP_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"FAILED\""), "%s", h.body);
	send_msg(drove_executor_port(ex), "STOP_LOCAL_SERVICE_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
	WAIT_FOR(find_rec(0, iid, DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT,
	                  DROVE_INST_STOPPED) >= 0,
	         60000, "LS STOPPED");
	drove_free(iid);
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = tcase_create("podman");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_app_lifecycle);
	tcase_add_test(tc, test_unhealthy);
	tcase_add_test(tc, test_readiness_while_starting);
	tcase_add_test(tc, test_tasks);
	tcase_add_test(tc, test_unknown_image);
	tcase_add_test(tc, test_zombie_reaped);
	tcase_add_test(tc, test_local_service);
	tcase_add_test(tc, test_vanished_container);
	tcase_add_test(tc, test_stale_instance_removed);
	suite_add_tcase(s, tc);
	return s;
}
