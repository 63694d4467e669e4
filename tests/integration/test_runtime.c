/* The runtime against a real engine: podman's API service (DROVE_TEST_DOCKER_SOCK) and, when
 * the harness started one, dockerd (DROVE_TEST_DOCKERD_SOCK). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drove/clock.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/runtime.h>
#include <drove/metrics.h>
#include <drove/strlist.h>
#include "core/internal.h"
#include "http/client.h"
#include "harness.h"

static const char *image;
static drove_ctx *ctx;
static drove_loop *loop;
static char run_label[96]; /* drove.test.run=<unique> on every container of this test */

struct res {
	int done, code, exit_code, running, host_port, nlist;
	int64_t started_at, mem_limit;
	char msg[2048], id[160], engine[16], api[16], state[32], label[128], output[8192];
	char names[1024];
	drove__buf out, err; /* log lines (the line callback shares the userdata) */
};

static void on_res(const drove_runtime_result *r, void *ud)
{
	struct res *o = ud;
	const drove_container_info *c = drove_runtime_result_container(r);
	size_t len;
	o->done = 1;
	o->code = drove_runtime_result_code(r);
	snprintf(o->msg, sizeof(o->msg), "%s", drove_runtime_result_message(r));
	snprintf(o->id, sizeof(o->id), "%s",
	         drove_runtime_result_id(r) ? drove_runtime_result_id(r) : "");
	snprintf(o->engine, sizeof(o->engine), "%s", drove_runtime_result_engine(r));
	snprintf(o->api, sizeof(o->api), "%s", drove_runtime_result_api_version(r));
	o->exit_code = drove_runtime_result_exit_code(r);
	snprintf(o->output, sizeof(o->output), "%s", drove_runtime_result_output(r, &len));
	o->mem_limit = drove_runtime_result_stat(r, DROVE_STAT_MEM_LIMIT);
	if (c) {
		const char *l = drove_container_info_label(c, "drove.test.run");
		o->running = drove_container_info_running(c);
		o->host_port = drove_container_info_host_port(c, 8000);
		o->started_at = drove_container_info_started_at(c);
		o->exit_code = drove_container_info_exit_code(c);
		snprintf(o->state, sizeof(o->state), "%s", drove_container_info_state(c));
		snprintf(o->label, sizeof(o->label), "%s", l ? l : "");
	}
	o->nlist = (int)drove_runtime_result_container_count(r);
	for (size_t i = 0; i < drove_runtime_result_container_count(r); i++) {
		size_t n = strlen(o->names);
		snprintf(o->names + n, sizeof(o->names) - n, "%s,",
		         drove_container_info_name(drove_runtime_result_container_at(r, i)));
	}
}

static void wait_res(struct res *r, int64_t max_ms)
{
	int64_t end = drove_time_mono_ms() + max_ms;
	while (!r->done && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 20);
	ck_assert_msg(r->done, "no completion within %lld ms", (long long)max_ms);
}

#define DO(call_expr, r)                          \
	do {                                      \
		memset(&(r), 0, sizeof(r));       \
		ck_assert_int_eq((call_expr), 0); \
		wait_res(&(r), 60000);            \
	} while (0)

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	snprintf(run_label, sizeof(run_label), "drovetest-%d-%lld", (int)getpid(),
	         (long long)drove_time_wall_ms());
}

/* Remove whatever this test created (everything carries its run label). */
static void cleanup_on(const char *sock)
{
	drove_runtime *rt;
	struct res r;
	char filter[160];
	if (drove_runtime_docker_new(&rt, loop, sock) < 0)
		return;
	snprintf(filter, sizeof(filter), "drove.test.run=%s", run_label);
	DO(drove_runtime_list(rt, filter, 1, on_res, &r), r);
	if (r.code == 0 && r.nlist) {
		char *save = NULL;
		for (char *n = strtok_r(r.names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
			struct res rr;
			DO(drove_runtime_remove(rt, n, on_res, &rr), rr);
		}
	}
	drove_runtime_free(rt);
}

static void teardown(void)
{
	const char *s = getenv("DROVE_TEST_DOCKER_SOCK");
	const char *d = getenv("DROVE_TEST_DOCKERD_SOCK");
	if (s && *s)
		cleanup_on(s);
	if (d && *d)
		cleanup_on(d);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}

static void exec_sh(drove_runtime *rt, const char *id, const char *script, struct res *r)
{
	drove_strlist *argv;
	ck_assert_int_eq(drove_strlist_new(&argv), 0);
	drove_strlist_add(argv, "sh");
	drove_strlist_add(argv, "-c");
	drove_strlist_add(argv, script);
	DO(drove_runtime_exec(rt, id, argv, 20000, on_res, r), *r);
	drove_strlist_free(argv);
}

static drove_container_spec *new_spec(const char *name)
{
	drove_container_spec *spec;
	ck_assert_int_eq(drove_container_spec_new(&spec, name, image), 0);
	ck_assert_int_eq(drove_container_spec_set_label(spec, "drove.test.run", run_label), 0);
	ck_assert_int_eq(drove_container_spec_set_label(spec, "drove.instance.id", name), 0);
	return spec;
}

static void name_for(char *buf, size_t n, const char *what)
{
	snprintf(buf, n, "%s-%s", run_label, what);
}

/* ---- the core scenario: pinned, limited busybox httpd; exec; port; configs; list; rm ---- */

static void core_scenario(const char *sock, const char *engine)
{
	drove_runtime *rt;
	drove_container_spec *spec;
	struct res r;
	char name[160], filter[160], url[64];
	static const char cfg[] = "hello-config\n";
	int port = 0;
	drove_metrics *metrics = NULL;
	char *text = NULL;

	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, sock), 0);
	ck_assert_int_eq(drove_metrics_new(&metrics), 0);
	ck_assert_int_eq(drove_runtime_set_metrics(rt, NULL), DROVE_EINVAL);
	ck_assert_int_eq(drove_runtime_set_metrics(rt, metrics), 0);
	DO(drove_runtime_version(rt, on_res, &r), r);
	ck_assert_msg(r.code == 0, "%s", r.msg);
	ck_assert_str_eq(r.engine, engine);
	ck_assert_str_eq(r.api, "1.41");
	ck_assert_str_eq(drove_runtime_engine(rt), engine);
	ck_assert_str_eq(drove_runtime_api_version(rt), "1.41");

	DO(drove_runtime_image_inspect(rt, image, on_res, &r), r);
	ck_assert_msg(r.code == 0, "%s", r.msg);
	ck_assert_ptr_nonnull(strstr(r.id, "sha256:") ? r.id : strlen(r.id) >= 12 ? r.id : NULL);

	name_for(name, sizeof(name), "httpd");
	spec = new_spec(name);
	drove_container_spec_add_arg(spec, "httpd");
	drove_container_spec_add_arg(spec, "-f");
	drove_container_spec_add_arg(spec, "-p");
	drove_container_spec_add_arg(spec, "8000");
	drove_container_spec_add_arg(spec, "-h");
	drove_container_spec_add_arg(spec, "/www");
	ck_assert_int_eq(drove_container_spec_set_cpuset(spec, "0", "0"), 0);
	ck_assert_int_eq(drove_container_spec_set_cpu_count(spec, 1), 0);
	ck_assert_int_eq(drove_container_spec_set_memory(spec, 64 << 20), 0);
	ck_assert_int_eq(drove_container_spec_set_env(spec, "DROVE_TEST_ENV", "v1"), 0);
	ck_assert_int_eq(drove_container_spec_set_hostname(spec, "drovehost"), 0);
	ck_assert_int_eq(drove_container_spec_set_nofile(spec, 1024), 0);
	/* podman replaces its configured default ulimits by these: keep nproc settable here */
	ck_assert_int_eq(drove_container_spec_set_ulimit(spec, "nproc", 4096, 4096), 0);
	ck_assert_int_eq(drove_container_spec_add_port(spec, 8000, 0, &port), 0);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(
	        drove_container_spec_add_file(spec, "/www/config.txt", cfg, sizeof(cfg) - 1, 0644),
	        0);
	drove_container_spec_set_log_driver(spec, "json-file");
	drove_container_spec_set_log_opt(spec, "max-size", "10m");
	drove_container_spec_set_log_opt(spec, "cache-disabled", "false");
	DO(drove_runtime_create(rt, spec, on_res, &r), r);
	drove_container_spec_free(spec);
	ck_assert_msg(r.code == 0, "create: %s", r.msg);
	ck_assert_int_gt(strlen(r.id), 10);

	/* a second config file through put archive, before start */
	DO(drove_runtime_put_file(rt, name, "/etc/drove/extra/app.conf", "k=v\n", 4, 0600, on_res,
	                          &r),
	   r);
	ck_assert_msg(r.code == 0, "put: %s", r.msg);

	DO(drove_runtime_start(rt, name, on_res, &r), r);
	ck_assert_msg(r.code == 0, "start: %s", r.msg);
	DO(drove_runtime_start(rt, name, on_res, &r), r); /* already running: fine */
	ck_assert_msg(r.code == 0, "start again: %s", r.msg);

	DO(drove_runtime_inspect(rt, name, on_res, &r), r);
	ck_assert_msg(r.code == 0, "%s", r.msg);
	ck_assert_int_eq(r.running, 1);
	ck_assert_str_eq(r.state, "running");
	ck_assert_int_eq(r.host_port, port);
	ck_assert_str_eq(r.label, run_label);
	ck_assert_int_gt(r.started_at, drove_time_wall_ms() - 600000);

	exec_sh(rt, name, "grep Cpus_allowed_list /proc/self/status", &r);
	ck_assert_msg(r.code == 0, "%s", r.msg);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(strstr(r.output, "Cpus_allowed_list:\t0\n") != NULL, "output: %s", r.output);

	exec_sh(rt, name,
	        "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || "
	        "cat /sys/fs/cgroup/memory.max",
	        &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.output, "67108864\n");

	exec_sh(rt, name,
	        "cat /etc/drove/extra/app.conf; echo $DROVE_TEST_ENV; hostname; ulimit -n", &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.output, "k=v\nv1\ndrovehost\n1024\n");

	exec_sh(rt, name, "echo to-stderr >&2; exit 3", &r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_str_eq(r.output, "to-stderr\n");

	/* the published port over loopback, with the HTTP client; httpd may need a moment */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/config.txt", port);
	{
		drove__http_response *resp = NULL;
		drove__http_request req = {.url = url, .timeout_ms = 2000};
		int64_t end = drove_time_mono_ms() + 15000;
		while (drove__http_request_sync(ctx, &req, &resp) != 0 &&
		       drove_time_mono_ms() < end)
			usleep(100000);
		ck_assert_ptr_nonnull(resp);
		ck_assert_int_eq(resp->status, 200);
		ck_assert_str_eq(resp->body, cfg);
		drove__http_response_free(resp);
	}

	DO(drove_runtime_stats(rt, name, on_res, &r), r);
	ck_assert_msg(r.code == 0, "stats: %s", r.msg);
	ck_assert_int_eq(r.mem_limit, 64 << 20);

	snprintf(filter, sizeof(filter), "drove.test.run=%s", run_label);
	DO(drove_runtime_list(rt, filter, 0, on_res, &r), r);
	ck_assert_msg(r.code == 0, "%s", r.msg);
	ck_assert_int_eq(r.nlist, 1);
	ck_assert_ptr_nonnull(strstr(r.names, name));
	DO(drove_runtime_list(rt, "drove.test.run=no-such-run", 1, on_res, &r), r);
	ck_assert_int_eq(r.nlist, 0);

	DO(drove_runtime_kill(rt, name, NULL, on_res, &r), r);
	ck_assert_msg(r.code == 0, "kill: %s", r.msg);
	DO(drove_runtime_list(rt, filter, 0, on_res, &r), r); /* running only: none */
	ck_assert_int_eq(r.nlist, 0);
	DO(drove_runtime_list(rt, filter, 1, on_res, &r), r); /* all: still there */
	ck_assert_int_eq(r.nlist, 1);

	DO(drove_runtime_remove(rt, name, on_res, &r), r);
	ck_assert_msg(r.code == 0, "remove: %s", r.msg);
	DO(drove_runtime_inspect(rt, name, on_res, &r), r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_msg(strstr(r.msg, name) != NULL || strstr(r.msg, "no such container"), "msg: %s",
	              r.msg);
	drove_runtime_free(rt);
	/* every call timed by kind; the missing container after remove is not an error */
	ck_assert_int_eq(drove_metrics_render(metrics, &text, NULL), 0);
	ck_assert_ptr_nonnull(
	        strstr(text, "drove_engine_call_duration_seconds_count{call=\"create\"} 1"));
	ck_assert_ptr_nonnull(
	        strstr(text, "drove_engine_call_duration_seconds_count{call=\"start\"} 2"));
	ck_assert_ptr_null(strstr(text, "drove_engine_call_errors_total{call=\"inspect\"}"));
	drove_free(text);
	drove_metrics_free(metrics);
}

START_TEST(test_podman_core)
{
	core_scenario(getenv("DROVE_TEST_DOCKER_SOCK"), "podman");
}
END_TEST

START_TEST(test_dockerd_core)
{
	core_scenario(getenv("DROVE_TEST_DOCKERD_SOCK"), "docker");
}
END_TEST

/* ---- logs follow and stop with a grace period ---- */

static void on_line(int stream, const char *line, size_t len, void *ud)
{
	struct res *l = ud;
	ck_assert_uint_eq(strlen(line), len);
	drove__buf *b = stream == DROVE_RUNTIME_STDERR ? &l->err : &l->out;
	drove__buf_append(b, line, len);
	drove__buf_putc(b, '\n');
}

static void wait_for_text(drove__buf *b, const char *text, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while ((!b->data || !strstr(b->data, text)) && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 20);
	ck_assert_msg(b->data && strstr(b->data, text), "'%s' not seen in '%s'", text,
	              b->data ? b->data : "");
}

static void start_shell(drove_runtime *rt, const char *name, const char *script)
{
	drove_container_spec *spec = new_spec(name);
	struct res r;
	drove_container_spec_add_arg(spec, "sh");
	drove_container_spec_add_arg(spec, "-c");
	drove_container_spec_add_arg(spec, script);
	DO(drove_runtime_create(rt, spec, on_res, &r), r);
	drove_container_spec_free(spec);
	ck_assert_msg(r.code == 0, "create: %s", r.msg);
	DO(drove_runtime_start(rt, name, on_res, &r), r);
	ck_assert_msg(r.code == 0, "start: %s", r.msg);
}

START_TEST(test_logs_follow_and_graceful_stop)
{
	drove_runtime *rt;
	struct res lr = {0}, r;
	char name[160];
	int64_t t0;

	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, getenv("DROVE_TEST_DOCKER_SOCK")), 0);
	name_for(name, sizeof(name), "term");
	start_shell(rt, name,
	            "echo line1; echo err1 >&2; trap 'echo got-term; exit 0' TERM; "
	            "while true; do sleep 0.1; done");
	ck_assert_int_eq(drove_runtime_logs(rt, name, 1, -1, on_line, on_res, &lr, NULL), 0);
	wait_for_text(&lr.out, "line1\n", 10000);
	wait_for_text(&lr.err, "err1\n", 10000);
	ck_assert_int_eq(lr.done, 0); /* still following */

	t0 = drove_time_mono_ms();
	DO(drove_runtime_stop(rt, name, 10, on_res, &r), r);
	ck_assert_msg(r.code == 0, "stop: %s", r.msg);
	ck_assert_int_lt(drove_time_mono_ms() - t0, 8000); /* the TERM trap ended it, no KILL */
	wait_for_text(&lr.out, "got-term\n", 10000);
	wait_res(&lr, 10000); /* the followed stream ends with the container */
	ck_assert_msg(lr.code == 0, "logs: %s", lr.msg);
	DO(drove_runtime_inspect(rt, name, on_res, &r), r);
	ck_assert_int_eq(r.running, 0);
	ck_assert_int_eq(r.exit_code, 0);
	DO(drove_runtime_stop(rt, name, 1, on_res, &r), r); /* stopping a stopped one: fine */
	ck_assert_msg(r.code == 0, "%s", r.msg);
	DO(drove_runtime_kill(rt, name, NULL, on_res, &r), r); /* not running: conflict */
	ck_assert_int_lt(r.code, 0);
	ck_assert_str_ne(r.msg, "");

	/* non-follow logs of the stopped container, last line only */
	DO(drove_runtime_logs(rt, name, 0, 1, on_line, on_res, &r, NULL), r);
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.out.data, "got-term\n");
	drove__buf_free(&r.out);
	drove__buf_free(&r.err);
	drove__buf_free(&lr.out);
	drove__buf_free(&lr.err);
	drove_runtime_free(rt);
}
END_TEST

START_TEST(test_logs_cancel)
{
	drove_runtime *rt;
	drove_runtime_call *call = NULL;
	struct res lr = {0};
	char name[160];

	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, getenv("DROVE_TEST_DOCKER_SOCK")), 0);
	name_for(name, sizeof(name), "tick");
	start_shell(rt, name, "while true; do echo tick; sleep 0.1; done");
	ck_assert_int_eq(drove_runtime_logs(rt, name, 1, 0, on_line, on_res, &lr, &call), 0);
	wait_for_text(&lr.out, "tick\n", 10000);
	drove_runtime_call_cancel(call);
	drove__buf_reset(&lr.out);
	drove_loop_run_for(loop, 400);
	ck_assert_uint_eq(lr.out.len, 0);
	ck_assert_int_eq(lr.done, 0);
	/* a follow in flight when the runtime is freed: no callback, no leak */
	ck_assert_int_eq(drove_runtime_logs(rt, name, 1, 0, on_line, on_res, &lr, NULL), 0);
	drove_loop_run_for(loop, 300);
	drove_runtime_free(rt);
	drove_loop_run_for(loop, 100);
	ck_assert_int_eq(lr.done, 0);
	drove__buf_free(&lr.out);
	drove__buf_free(&lr.err);
}
END_TEST

/* ---- failures ---- */

START_TEST(test_missing_image)
{
	drove_runtime *rt;
	drove_container_spec *spec;
	struct res r;
	char missing[128], name[160];
	int progress = 0;

	snprintf(missing, sizeof(missing), "localhost/drove-missing-%d:1", (int)getpid());
	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, getenv("DROVE_TEST_DOCKER_SOCK")), 0);
	DO(drove_runtime_image_inspect(rt, missing, on_res, &r), r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_msg(strstr(r.msg, missing) != NULL, "msg: %s", r.msg);

	name_for(name, sizeof(name), "noimage");
	ck_assert_int_eq(drove_container_spec_new(&spec, name, missing), 0);
	DO(drove_runtime_create(rt, spec, on_res, &r), r);
	drove_container_spec_free(spec);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_msg(strstr(r.msg, missing) != NULL, "msg: %s", r.msg);
	ck_assert_msg(strstr(drove_error_last()->message, missing) != NULL, "thread error: %s",
	              drove_error_last()->message);

	/* no registry here: the pull fails with the engine's text naming the image */
	DO(drove_runtime_image_pull(rt, missing, "e30=", 30000, NULL, on_res, &r), r);
	(void)progress;
	ck_assert_int_lt(r.code, 0);
	ck_assert_msg(strstr(r.msg, "drove-missing") != NULL, "msg: %s", r.msg);

	DO(drove_runtime_start(rt, "drove-no-such-container", on_res, &r), r);
	ck_assert_int_eq(r.code, DROVE_ENOTFOUND);
	ck_assert_msg(strstr(r.msg, "drove-no-such-container") != NULL, "msg: %s", r.msg);
	drove_runtime_free(rt);
}
END_TEST

START_TEST(test_missing_socket)
{
	drove_runtime *rt;
	struct res r;
	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, "/nonexistent/drove/engine.sock"), 0);
	DO(drove_runtime_version(rt, on_res, &r), r);
	ck_assert_int_eq(r.code, DROVE_EUNAVAIL);
	ck_assert_msg(strstr(r.msg, "/nonexistent/drove/engine.sock") != NULL, "msg: %s", r.msg);
	DO(drove_runtime_inspect(rt, "x", on_res, &r), r);
	ck_assert_int_eq(r.code, DROVE_EUNAVAIL);
	drove_runtime_free(rt);
}
END_TEST

static pid_t start_private_podman(const char *sock)
{
	char uri[256];
	pid_t pid;
	snprintf(uri, sizeof(uri), "unix://%s", sock);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("podman", "podman", "system", "service", "--time=0", uri, (char *)NULL);
		_exit(127);
	}
	return pid;
}

START_TEST(test_engine_dies_mid_call)
{
	drove_runtime *rt, *rt2;
	struct res lr = {0};
	char name[160], sock[128];
	struct stat st;
	int64_t end;
	pid_t pid;

	ck_assert_int_eq(drove_runtime_docker_new(&rt, loop, getenv("DROVE_TEST_DOCKER_SOCK")), 0);
	name_for(name, sizeof(name), "dies");
	start_shell(rt, name, "while true; do echo tick; sleep 0.1; done");

	snprintf(sock, sizeof(sock), "/tmp/drove-test-podman-%d.sock", (int)getpid());
	unlink(sock);
	pid = start_private_podman(sock);
	ck_assert_int_gt(pid, 0);
	end = drove_time_mono_ms() + 30000;
	while (stat(sock, &st) != 0 && drove_time_mono_ms() < end)
		usleep(50000);
	ck_assert_int_eq(stat(sock, &st), 0);
	usleep(300000);

	ck_assert_int_eq(drove_runtime_docker_new(&rt2, loop, sock), 0);
	ck_assert_int_eq(drove_runtime_logs(rt2, name, 1, 0, on_line, on_res, &lr, NULL), 0);
	wait_for_text(&lr.out, "tick\n", 20000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	wait_res(&lr, 15000); /* no hang */
	ck_assert_msg(lr.code == DROVE_EUNAVAIL || lr.code == DROVE_EIO, "code %d: %s", lr.code,
	              lr.msg);
	ck_assert_str_ne(lr.msg, "");
	unlink(sock);
	drove_runtime_free(rt2);
	drove_runtime_free(rt);
	drove__buf_free(&lr.out);
	drove__buf_free(&lr.err);
}
END_TEST

Suite *runtime_suite(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("podman");
	const char *dockerd = getenv("DROVE_TEST_DOCKERD_SOCK");
	const char *want_docker = getenv("DROVE_WITH_DOCKER");

	drove_test_require_env("DROVE_TEST_DOCKER_SOCK", "podman API service");
	/* When the harness was asked for Docker's engine, its absence is not a silent pass. */
	if (want_docker && strcmp(want_docker, "1") == 0)
		dockerd = drove_test_require_env("DROVE_TEST_DOCKERD_SOCK", "dockerd");
	image = drove_test_require_env("DROVE_TEST_IMAGE", "test image");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_podman_core);
	tcase_add_test(tc, test_logs_follow_and_graceful_stop);
	tcase_add_test(tc, test_logs_cancel);
	tcase_add_test(tc, test_missing_image);
	tcase_add_test(tc, test_missing_socket);
	tcase_add_test(tc, test_engine_dies_mid_call);
	suite_add_tcase(s, tc);
	if (dockerd && *dockerd) {
		TCase *td = tcase_create("dockerd");
		tcase_add_checked_fixture(td, setup, teardown);
		tcase_set_timeout(td, 180);
		tcase_add_test(td, test_dockerd_core);
		suite_add_tcase(s, td);
	}
	return s;
}
