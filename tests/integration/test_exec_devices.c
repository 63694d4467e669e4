/* Devices and RSYSLOG logging of the executor engine against the real engine (issue 22):
 * - DIRECT devices: /dev/zero mapped at another path is a character device inside the
 *   container and reads zeros;
 * - DETAILED devices and `resources.enableNvidiaGpu` reach the engine as device requests (CDI
 *   names on podman); this machine has no GPU, so the start fails (RUN_FAILED, Error creating
 * container) naming the GPU, the task is STOPPED and nothing is left running (on a GPU host the
 * engine would accept it and the task would succeed: both are accepted here, a crash or a silent
 *   start without the device is not);
 * - RSYSLOG loggingSpec through podman, which has no syslog log driver taking Drove's options:
 *   the executor sends every line itself as RFC 5424, to a UDP and a TCP listener of the test
 *   on loopback, with the tag (prefix + instance id + suffix) as APP-NAME. */
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "test_exec_env.h"

/* A task spec running `cmd` with `extra` JSON members inserted before "args". */
static char *task_with(const char *cmd, const char *extra, int core, char *id, size_t n,
                       const char *tid)
{
	char *s = task_spec(cmd, core, id, n, tid), *p = strstr(s, "\"args\":"), *t;
	ck_assert_ptr_nonnull(p);
	t = drove__asprintf("%.*s%s,%s", (int)(p - s), s, extra, p);
	free(s);
	track("", id);
	return t;
}

static void send_task(const char *spec)
{
	struct hres h;
	char *extra = drove__asprintf("\"spec\":%s", spec);
	send_msg(drove_executor_port(ex), "START_TASK", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
}

static char *output_log(const char *tid)
{
	char p[256], *buf = calloc(1, 65536);
	FILE *f;
	snprintf(p, sizeof(p), "%s/logs/EXEC_TEST/%s-%s/output.log", tmpdir, tid, run_id);
	ck_assert_ptr_nonnull(buf);
	if ((f = fopen(p, "re"))) {
		(void)!fread(buf, 1, 65535, f);
		fclose(f);
	}
	return buf;
}

START_TEST(test_direct_device)
{
	char id[64], *spec, *log = NULL;
	int k = -1;
	start_executor();
	spec = task_with("test -c /dev/drove-zero && head -c 3 /dev/drove-zero | od -An -tx1 && "
	                 "echo device-ok",
	                 "\"devices\":[{\"type\":\"DIRECT\",\"pathOnHost\":\"/dev/zero\","
	                 "\"pathInContainer\":\"/dev/drove-zero\",\"permissions\":\"READ_ONLY\"}]",
	                 0, id, sizeof(id), "dev");
	send_task(spec);
	free(spec);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED)) >= 0,
	         90000, "the device task done");
	ck_assert_msg(recs[k].exit_code == 0, "exit %d: %s", (int)recs[k].exit_code, recs[k].err);
	WAIT_FOR((free(log), log = output_log("dev"), strstr(log, "device-ok")), 10000,
	         "device-ok in the log");
	ck_assert_msg(strstr(log, "00 00 00"), "%s", log);
	free(log);
	ck_assert_int_eq(recs[k].exit_code, 0);
	ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_SUCCESSFUL);
}
END_TEST

/* Start a task asking for a GPU in `extra` (or through the executor's config) and check it
 * either failed naming the GPU or, where the engine has one, ran. */
static void gpu_task(const char *extra, const char *tid)
{
	char id[64], *spec;
	int k = -1, ok = -1;
	spec = task_with("echo gpu-task", extra, 0, id, sizeof(id), tid);
	send_task(spec);
	free(spec);
	WAIT_FOR((ok = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_COMPLETED)) >=
	                         0 ||
	                 (k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT,
	                               DROVE_TASK_RUN_FAILED)) >= 0,
	         90000, "the GPU task done");
	if (k >= 0) {
		fprintf(stderr, "test_exec_devices: %s: %s\n", tid, recs[k].err);
		ck_assert_msg(strstr(recs[k].err, "nvidia.com/gpu") || strstr(recs[k].err, "gpu"),
		              "%s", recs[k].err);
		ck_assert_msg(strstr(recs[k].err, "Error creating container") ||
		                      strstr(recs[k].err, "Error starting"),
		              "%s", recs[k].err);
		ck_assert(recs[k].has_result);
		ck_assert_int_eq(recs[k].rstatus, DROVE_TASK_RESULT_FAILED);
	} else {
		ck_assert_int_eq(recs[ok].exit_code, 0); /* a host with a GPU */
	}
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 30000,
	         "STOPPED");
	WAIT_FOR(drove_executor_instance_count(ex) == 0, 10000, "no instance left");
}

START_TEST(test_detailed_gpu_request)
{
	start_executor();
	gpu_task("\"devices\":[{\"type\":\"DETAILED\",\"driver\":\"nvidia\",\"count\":-1,"
	         "\"capabilities\":[[\"gpu\"]]}]",
	         "gpu");
}
END_TEST

START_TEST(test_enable_nvidia_gpu)
{
	exec_yaml_tail = "resources:\n  enableNvidiaGpu: true\n";
	start_executor();
	exec_yaml_tail = "";
	gpu_task("\"devices\":[]", "nvgpu");
}
END_TEST

/* ---- RSYSLOG ---- */

/* The engine's name ("docker", "podman") once the runtime asked it. */
static const char *engine(void)
{
	struct rres r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(drove_runtime_version(rt, on_rres, &r), 0);
	WAIT_FOR(r.done, 30000, "version");
	return drove_runtime_engine(rt);
}

static int listen_on(int type, int *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(fd, 4), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Everything received so far: UDP datagrams one per line, the TCP stream as it comes. */
static drove__buf udp_in = DROVE_BUF_INIT, tcp_in = DROVE_BUF_INIT;
static int udp_fd = -1, tcp_fd = -1, tcp_conn = -1;

static void drain(void)
{
	char b[65536];
	ssize_t n;
	while ((n = recv(udp_fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		drove__buf_append(&udp_in, b, (size_t)n);
		drove__buf_putc(&udp_in, '\n');
	}
	if (tcp_conn < 0)
		tcp_conn = accept4(tcp_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (tcp_conn >= 0 && (n = recv(tcp_conn, b, sizeof(b), MSG_DONTWAIT)) > 0)
		drove__buf_append(&tcp_in, b, (size_t)n);
}

static int has(const drove__buf *b, const char *s)
{
	return b->data && memmem(b->data, b->len, s, strlen(s)) != NULL;
}

static char *syslog_task(const char *server, int core, char *id, size_t n, const char *tid)
{
	char *extra = drove__asprintf("\"loggingSpec\":{\"type\":\"RSYSLOG\",\"server\":\"%s\","
	                              "\"tagPrefix\":\"pre-\",\"tagSuffix\":\"-suf\"}",
	                              server);
	char *spec = task_with("i=1; while [ $i -le 20 ]; do echo rsys-line-$i; i=$((i+1)); "
	                       "done; echo rsys-err >&2",
	                       extra, core, id, n, tid);
	free(extra);
	return spec;
}

START_TEST(test_rsyslog_through_engine)
{
	char uid[64], tid[64], server[64], want[256], *spec;
	int uport, tport;
	udp_fd = listen_on(SOCK_DGRAM, &uport);
	tcp_fd = listen_on(SOCK_STREAM, &tport);
	start_executor();
	if (strcmp(engine(), "podman") != 0)
		fprintf(stderr,
		        "test_exec_devices: engine %s: Docker's syslog driver sends the lines\n",
		        engine());
	snprintf(server, sizeof(server), "udp://127.0.0.1:%d", uport);
	spec = syslog_task(server, 0, uid, sizeof(uid), "rsu");
	send_task(spec);
	free(spec);
	snprintf(server, sizeof(server), "tcp://127.0.0.1:%d", tport);
	spec = syslog_task(server, 1, tid, sizeof(tid), "rst");
	send_task(spec);
	free(spec);
	for (int k = 1; k <= 20; k++) {
		snprintf(want, sizeof(want),
		         "pre-%s-suf - - [drove@32473 appId=\"EXEC_TEST\" "
		         "instanceId=\"%s\"] rsys-line-%d\n",
		         uid, uid, k);
		WAIT_FOR((drain(), has(&udp_in, want)), 60000, want);
		snprintf(want, sizeof(want),
		         "pre-%s-suf - - [drove@32473 appId=\"EXEC_TEST\" "
		         "instanceId=\"%s\"] rsys-line-%d",
		         tid, tid, k);
		WAIT_FOR((drain(), has(&tcp_in, want)), 60000, want);
	}
	/* daemon facility (3): info for stdout (<30>), error for stderr (<27>) */
	ck_assert_msg(has(&udp_in, "<30>1 ") && has(&tcp_in, "<30>1 "), "%s", udp_in.data);
	WAIT_FOR((drain(), has(&udp_in, "rsys-err") && has(&tcp_in, "rsys-err")), 30000,
	         "stderr lines");
	ck_assert(has(&udp_in, "<27>1 "));
	WAIT_FOR(find_rec(0, uid, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0 &&
	                 find_rec(0, tid, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0,
	         60000, "both STOPPED");
}
END_TEST

START_TEST(test_rsyslog_bad_server)
{
	char id[64], *spec;
	int k;
	start_executor();
	if (strcmp(engine(), "podman") != 0)
		return; /* Docker's syslog driver judges the address */
	spec = syslog_task("tcp+tls://127.0.0.1:1", 0, id, sizeof(id), "rsb");
	send_task(spec);
	free(spec);
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_RUN_FAILED)) >= 0,
	         60000, "RUN_FAILED");
	ck_assert_msg(strstr(recs[k].err, "loggingSpec.server 'tcp+tls://127.0.0.1:1'"), "%s",
	              recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_TASK_STATE_REPORT, DROVE_TASK_STOPPED) >= 0, 30000,
	         "STOPPED");
}
END_TEST

static void devices_teardown(void)
{
	teardown();
	if (udp_fd >= 0)
		close(udp_fd);
	if (tcp_fd >= 0)
		close(tcp_fd);
	if (tcp_conn >= 0)
		close(tcp_conn);
	udp_fd = tcp_fd = tcp_conn = -1;
	drove__buf_free(&udp_in);
	drove__buf_free(&tcp_in);
}

Suite *exec_devices_suite(void)
{
	Suite *s = suite_create("exec_devices");
	TCase *tc = tcase_create("podman");
	tcase_add_checked_fixture(tc, setup, devices_teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_direct_device);
	tcase_add_test(tc, test_detailed_gpu_request);
	tcase_add_test(tc, test_enable_nvidia_gpu);
	tcase_add_test(tc, test_rsyslog_through_engine);
	tcase_add_test(tc, test_rsyslog_bad_server);
	suite_add_tcase(s, tc);
	return s;
}
