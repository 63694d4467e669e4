/* Executor engine, pure parts: transition tables, resource locks, §3.5 environment, log path
 * confinement and reads, rotation, labels; and the message handler's fencing and refusals. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "config/config.h"
#include "exec/exec.h"
#include "model/model.h"
#include "harness.h"

static drove_ctx *ctx;
static char tmpdir[64];

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_exec_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_rf(const char *p)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
	rm_rf(tmpdir);
	drove_ctx_free(ctx);
}

/* ---- transitions ---- */

START_TEST(test_inst_transitions)
{
	ck_assert(drove__exec_inst_can(DROVE_INST_PENDING, DROVE_INST_PROVISIONING));
	ck_assert(drove__exec_inst_can(DROVE_INST_UNREADY, DROVE_INST_READY));
	ck_assert(drove__exec_inst_can(DROVE_INST_HEALTHY, DROVE_INST_UNHEALTHY));
	ck_assert(drove__exec_inst_can(DROVE_INST_UNHEALTHY, DROVE_INST_DEPROVISIONING));
	ck_assert(drove__exec_inst_can(DROVE_INST_UNKNOWN, DROVE_INST_UNREADY));
	ck_assert(drove__exec_inst_can(DROVE_INST_STARTING, DROVE_INST_LOST));
	ck_assert(!drove__exec_inst_can(DROVE_INST_PENDING, DROVE_INST_HEALTHY));
	ck_assert(!drove__exec_inst_can(DROVE_INST_HEALTHY, DROVE_INST_READY));
	ck_assert(!drove__exec_inst_can(DROVE_INST_STOPPED, DROVE_INST_PENDING));
	ck_assert(!drove__exec_inst_can(DROVE_INST_STOPPED, DROVE_INST_LOST));
	ck_assert(!drove__exec_inst_can(DROVE_INST_UNHEALTHY, DROVE_INST_HEALTHY));
	ck_assert(!drove__exec_inst_can(-1, DROVE_INST_PENDING));
	ck_assert(!drove__exec_inst_can(DROVE_INST_PENDING, 99));
	/* every state reaches STOPPED or LOST only through the table */
	for (int s = 0; s <= DROVE_INST_UNKNOWN; s++)
		ck_assert(!drove__exec_inst_can(s, s));
}
END_TEST

START_TEST(test_task_transitions)
{
	ck_assert(drove__exec_task_can(DROVE_TASK_PENDING, DROVE_TASK_PROVISIONING));
	ck_assert(drove__exec_task_can(DROVE_TASK_STARTING, DROVE_TASK_RUNNING));
	ck_assert(drove__exec_task_can(DROVE_TASK_RUNNING, DROVE_TASK_RUN_COMPLETED));
	ck_assert(drove__exec_task_can(DROVE_TASK_RUN_FAILED, DROVE_TASK_DEPROVISIONING));
	ck_assert(drove__exec_task_can(DROVE_TASK_UNKNOWN, DROVE_TASK_RUNNING));
	ck_assert(!drove__exec_task_can(DROVE_TASK_RUNNING, DROVE_TASK_STOPPED));
	ck_assert(!drove__exec_task_can(DROVE_TASK_RUN_COMPLETED, DROVE_TASK_RUNNING));
	ck_assert(!drove__exec_task_can(DROVE_TASK_LOST, DROVE_TASK_LOST));
}
END_TEST

/* ---- resources ---- */

static drove_topo *two_nodes(void)
{
	drove_topo_opts *o;
	drove_topo *t;
	ck_assert_int_eq(drove_topo_opts_new(&o), 0);
	ck_assert_int_eq(drove_topo_opts_set_synthetic(o, "pack:2 numa:1(memory=1GiB) core:4 pu:1"),
	                 0);
	ck_assert_int_eq(drove_topo_discover(&t, ctx, o), 0);
	drove_topo_opts_free(o);
	return t;
}

/* An allocation of `n` cores on `node` plus `mb` MB there. */
struct alloc2 {
	drove_allocation a[2];
	drove_numa_cores nc;
	drove_numa_mem nm;
	int cores[8];
};

static void mk_alloc(struct alloc2 *x, int node, const int *cores, size_t n, int64_t mb)
{
	memset(x, 0, sizeof(*x));
	memcpy(x->cores, cores, n * sizeof(int));
	x->nc.node = node;
	x->nc.cores = x->cores;
	x->nc.n_cores = n;
	x->nm.node = node;
	x->nm.mb = mb;
	x->a[0].type = DROVE_RES_CPU;
	x->a[0].cores = &x->nc;
	x->a[0].n_cores = 1;
	x->a[1].type = DROVE_RES_MEMORY;
	x->a[1].memory = &x->nm;
	x->a[1].n_memory = 1;
}

START_TEST(test_res_lock_conflict_unlock)
{
	drove_topo *t = two_nodes();
	drove__exec_res r;
	struct alloc2 a, b, c, d;
	drove_resource_snapshot *s = NULL;
	char *json = NULL;
	const int c01[] = {0, 1}, c12[] = {1, 2}, c5[] = {5}, c9[] = {9};

	ck_assert_int_eq(drove__exec_res_init(&r, t), 0);
	ck_assert_uint_eq(r.n_nodes, 2);
	mk_alloc(&a, 0, c01, 2, 256);
	ck_assert_int_eq(drove__exec_res_lock(&r, "AI-1", a.a, 2), 0);
	/* idempotent for the same owner */
	ck_assert_int_eq(drove__exec_res_lock(&r, "AI-1", a.a, 2), 0);
	mk_alloc(&b, 0, c12, 2, 128);
	drove_assert_error(drove__exec_res_lock(&r, "AI-2", b.a, 2), DROVE_ECONFLICT,
	                   "cores 1 on node 0 are in use by AI-1");
	mk_alloc(&c, 1, c5, 1, 2000);
	drove_assert_error(drove__exec_res_lock(&r, "AI-3", c.a, 2), DROVE_ENORESOURCE,
	                   "memory: 2000 MB on node 1 requested, 1024 MB available");
	mk_alloc(&d, 0, c9, 1, 1);
	drove_assert_error(drove__exec_res_lock(&r, "AI-4", d.a, 2), DROVE_ENORESOURCE,
	                   "core 9 on node 0 does not exist");
	/* nothing of the failed ones was taken */
	ck_assert_int_eq(drove__exec_res_snapshot(&r, "E1", &s), 0);
	ck_assert_int_eq(drove__resource_snapshot_encode(s, &json), 0);
	ck_assert_str_eq(
	        json,
	        "{\"executorId\":\"E1\",\"cpus\":{\"type\":\"CPU\",\"freeCores\":{\"0\":[2,3],"
	        "\"1\":[4,5,6,7]},\"usedCores\":{\"0\":[0,1]}},\"memory\":{\"type\":\"MEMORY\","
	        "\"freeMemory\":{\"0\":768,\"1\":1024},\"usedMemory\":{\"0\":256}},"
	        "\"layout\":{\"cores\":{\"0\":[0,1,2,3],\"1\":[4,5,6,7]},\"memory\":{\"0\":"
	        "1024,\"1\":1024}}}");
	free(json);
	drove__resource_snapshot_free(s);
	ck_assert_int_eq(drove__exec_res_unlock(&r, "AI-1"), 1);
	ck_assert_int_eq(drove__exec_res_unlock(&r, "AI-1"), 0);
	ck_assert_int_eq(drove__exec_res_lock(&r, "AI-2", b.a, 2), 0);
	ck_assert_int_eq(r.nodes[0].used_mb, 128);
	drove__exec_res_clear(&r);
	drove_topo_free(t);
}
END_TEST

/* ---- environment ---- */

static const char *fake_env(const char *name, void *ud)
{
	(void)ud;
	return !strcmp(name, "FROM_HOST") ? "host-value" : !strcmp(name, "EMPTY_TOO") ? "" : NULL;
}

START_TEST(test_env_app)
{
	drove_strmap *user, *env = NULL;
	drove_port_info ports[1] = {{(char *)"main", 8000, 31000, DROVE_PORT_HTTP}};
	drove__exec_env_in in;
	ck_assert_int_eq(drove_strmap_new(&user), 0);
	ck_assert_int_eq(drove_strmap_set(user, "GREETING", "hello"), 0);
	ck_assert_int_eq(drove_strmap_set(user, "FROM_HOST", ""), 0);
	ck_assert_int_eq(drove_strmap_set(user, "EMPTY_TOO", ""), 0);
	ck_assert_int_eq(drove_strmap_set(user, "MISSING", ""), 0);
	ck_assert_int_eq(drove_strmap_set(user, "HOST", "overridden"), 0);
	memset(&in, 0, sizeof(in));
	in.kind = DROVE__EXEC_APP;
	in.hostname = "exec1";
	in.image = "localhost/x:1";
	in.env = user;
	in.ports = ports;
	in.n_ports = 1;
	in.instance_id = "AI-1";
	in.app_id = "APP-1";
	in.app_name = "APP";
	in.token = "jwt";
	in.task_id = "ignored";
	in.getenv_fn = fake_env;
	ck_assert_int_eq(drove__exec_build_env(&in, &env), 0);
	ck_assert_str_eq(drove_strmap_get(env, "HOST"), "overridden"); /* later wins */
	ck_assert_str_eq(drove_strmap_get(env, "GREETING"), "hello");
	ck_assert_str_eq(drove_strmap_get(env, "FROM_HOST"), "host-value");
	ck_assert_ptr_null(drove_strmap_get(env, "EMPTY_TOO"));
	ck_assert_ptr_null(drove_strmap_get(env, "MISSING"));
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_CONTAINER_ID"), "localhost/x:1");
	ck_assert_str_eq(drove_strmap_get(env, "PORT_8000"), "31000");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_EXECUTOR_HOST"), "exec1");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_INSTANCE_ID"), "AI-1");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_APP_ID"), "APP-1");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_APP_NAME"), "APP");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_APP_INSTANCE_AUTH_TOKEN"), "jwt");
	ck_assert_ptr_null(drove_strmap_get(env, "DROVE_TASK_ID"));
	ck_assert_str_eq(drove_strmap_key(env, 0), "HOST");
	drove_strmap_free(env);
	/* tasks: no ports, no token, task ids */
	in.kind = DROVE__EXEC_TASK;
	in.source_app_name = "SRC";
	ck_assert_int_eq(drove__exec_build_env(&in, &env), 0);
	ck_assert_ptr_null(drove_strmap_get(env, "PORT_8000"));
	ck_assert_ptr_null(drove_strmap_get(env, "DROVE_APP_ID"));
	ck_assert_ptr_null(drove_strmap_get(env, "DROVE_APP_INSTANCE_AUTH_TOKEN"));
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_TASK_ID"), "ignored");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_SOURCE_APP_NAME"), "SRC");
	drove_strmap_free(env);
	/* local services: service ids, no DROVE_INSTANCE_ID */
	in.kind = DROVE__EXEC_LS;
	in.service_id = "LS-1";
	in.service_name = "LS";
	in.instance_id = "SI-1";
	ck_assert_int_eq(drove__exec_build_env(&in, &env), 0);
	ck_assert_ptr_null(drove_strmap_get(env, "DROVE_INSTANCE_ID"));
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_SERVICE_INSTANCE_ID"), "SI-1");
	ck_assert_str_eq(drove_strmap_get(env, "DROVE_SERVICE_ID"), "LS-1");
	ck_assert_str_eq(drove_strmap_get(env, "PORT_8000"), "31000");
	drove_strmap_free(env);
	drove_strmap_free(user);
}
END_TEST

/* ---- logs ---- */

static void write_file(const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	close(fd);
}

START_TEST(test_log_confinement)
{
	char p[256], *out = NULL;
	snprintf(p, sizeof(p), "%s/APP-1", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/APP-1/AI-1", tmpdir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/APP-1/AI-1/output.log", tmpdir);
	write_file(p, "hello\n");
	snprintf(p, sizeof(p), "%s/secret", tmpdir);
	write_file(p, "secret\n");
	snprintf(p, sizeof(p), "%s/APP-1/AI-1/output.evil", tmpdir);
	ck_assert_int_eq(symlink("../../secret", p), 0);

	ck_assert_int_eq(drove__exec_log_resolve(tmpdir, "APP-1", "AI-1", "output.log", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "/APP-1/AI-1/output.log"));
	free(out);
	ck_assert_int_eq(drove__exec_log_resolve(tmpdir, "APP-1", "AI-1", NULL, &out), 0);
	free(out);
	drove_assert_error(drove__exec_log_resolve(tmpdir, "APP-1", "AI-1", "../../secret", &out),
	                   DROVE_EINVAL, "fileName: '../../secret' is not a plain name");
	drove_assert_error(drove__exec_log_resolve(tmpdir, "..", "AI-1", "output.log", &out),
	                   DROVE_EINVAL, "id1: '..' is not a plain name");
	drove_assert_error(drove__exec_log_resolve(tmpdir, "APP-1", "", "output.log", &out),
	                   DROVE_EINVAL, "id2: empty");
	drove_assert_error(drove__exec_log_resolve(tmpdir, "APP-1", "AI-1", "output.evil", &out),
	                   DROVE_EINVAL, "path escapes the log directory");
	drove_assert_error(drove__exec_log_resolve(tmpdir, "APP-1", "AI-1", "nope", &out),
	                   DROVE_ENOTFOUND, "nope");
	drove_assert_error(drove__exec_log_resolve(NULL, "APP-1", "AI-1", "x", &out), DROVE_EINVAL,
	                   "no drove log appender");
}
END_TEST

START_TEST(test_log_read_semantics)
{
	char p[256], *data = NULL;
	size_t len = 0;
	int64_t off = 0;
	snprintf(p, sizeof(p), "%s/f", tmpdir);
	write_file(p, "0123456789");
	ck_assert_int_eq(drove__exec_log_read(p, -1, -1, &data, &len, &off), 0);
	ck_assert_str_eq(data, "");
	ck_assert_int_eq(off, 10);
	free(data);
	ck_assert_int_eq(drove__exec_log_read(p, 3, 4, &data, &len, &off), 0);
	ck_assert_str_eq(data, "3456");
	ck_assert_int_eq(off, 3); /* the requested offset, not advanced */
	free(data);
	ck_assert_int_eq(drove__exec_log_read(p, 8, -1, &data, &len, &off), 0);
	ck_assert_str_eq(data, "89");
	free(data);
	ck_assert_int_eq(drove__exec_log_read(p, 50, 5, &data, &len, &off), 0);
	ck_assert_uint_eq(len, 0);
	free(data);
	drove_assert_error(drove__exec_log_read(p, -1, 5, &data, &len, &off), DROVE_EINVAL,
	                   "offset: -1 needs length -1");
	drove_assert_error(drove__exec_log_read(p, -2, -1, &data, &len, &off), DROVE_EINVAL,
	                   "offset: -2 is below -1");
	drove_assert_error(drove__exec_log_read(p, 0, -5, &data, &len, &off), DROVE_EINVAL,
	                   "length: -5 is below -1");
}
END_TEST

START_TEST(test_log_rotation)
{
	drove__exec_logw *w = NULL;
	char p[256], line[40];
	struct stat st;
	ck_assert_int_eq(drove__exec_logw_open(&w, tmpdir, "SRC", "T1", 100, 2), 0);
	for (int k = 0; k < 30; k++) {
		snprintf(line, sizeof(line), "line %02d of the task output", k); /* 27 bytes + \n */
		ck_assert_int_eq(drove__exec_logw_line(w, line, strlen(line)), 0);
	}
	drove__exec_logw_close(w);
	snprintf(p, sizeof(p), "%s/SRC/T1/output.log", tmpdir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_le(st.st_size, 100);
	snprintf(p, sizeof(p), "%s/SRC/T1/output.log-1", tmpdir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_le(st.st_size, 100);
	snprintf(p, sizeof(p), "%s/SRC/T1/output.log-2", tmpdir);
	ck_assert_int_eq(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/SRC/T1/output.log-3", tmpdir);
	ck_assert_int_ne(stat(p, &st), 0); /* only archivedFileCount archives */
	/* the newest line is in output.log */
	{
		char *data = NULL;
		size_t len;
		int64_t off;
		snprintf(p, sizeof(p), "%s/SRC/T1/output.log", tmpdir);
		ck_assert_int_eq(drove__exec_log_read(p, 0, -1, &data, &len, &off), 0);
		ck_assert_ptr_nonnull(strstr(data, "line 29"));
		free(data);
	}
	drove_assert_error(drove__exec_logw_open(&w, tmpdir, "../x", "T1", 0, 0), DROVE_EINVAL,
	                   "id1");
}
END_TEST

/* immediateFlush false: lines gather up to bufferSize, then are written; the rest at close */
START_TEST(test_log_buffer)
{
	drove__exec_logw *w = NULL;
	char p[256], line[40];
	struct stat st;
	ck_assert_int_eq(drove__exec_logw_open(&w, tmpdir, "SRC", "B1", 0, 0), 0);
	ck_assert_int_eq(drove__exec_logw_set_buffer(w, 64), 0);
	snprintf(p, sizeof(p), "%s/SRC/B1/output.log", tmpdir);
	for (int k = 0; k < 2; k++) {
		snprintf(line, sizeof(line), "buffered line %02d of output", k); /* 26 + \n */
		ck_assert_int_eq(drove__exec_logw_line(w, line, strlen(line)), 0);
	}
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 0); /* 54 bytes held */
	ck_assert_int_eq(drove__exec_logw_line(w, line, strlen(line)), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 54); /* the third did not fit: the first two written */
	/* a line longer than the buffer goes straight through, after what is held */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(drove__exec_logw_set_buffer(w, 16), 0); /* flushes */
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 81);
	ck_assert_int_eq(drove__exec_logw_line(w, line, strlen(line)), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 81 + 40);
	ck_assert_int_eq(drove__exec_logw_line(w, "tail", 4), 0);
	drove__exec_logw_close(w);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_size, 81 + 40 + 5);
}
END_TEST

/* ---- labels ---- */

START_TEST(test_labels_round_trip)
{
	const char *spec = "{\"appId\":\"A-1\",\"appName\":\"A\",\"instanceId\":\"AI-9\","
	                   "\"executable\":{\"type\":\"DOCKER\",\"url\":\"img:1\"},"
	                   "\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[2,3]}},"
	                   "{\"type\":\"MEMORY\",\"memoryInMB\":{\"0\":64}}],"
	                   "\"ports\":[{\"name\":\"main\",\"port\":8000,\"type\":\"HTTP\"}]}";
	const char *info = "{\"appId\":\"A-1\",\"appName\":\"A\",\"instanceId\":\"AI-9\","
	                   "\"executorId\":\"E\",\"localInfo\":{\"hostname\":\"h\",\"ports\":"
	                   "{\"main\":{\"containerPort\":8000,\"hostPort\":32000,"
	                   "\"portType\":\"HTTP\"}}},\"resources\":[],\"state\":\"HEALTHY\","
	                   "\"metadata\":{},\"errorMessage\":\"\",\"created\":5,\"updated\":6}";
	drove__exec_labels l;
	char *again = NULL;
	ck_assert_int_eq(drove__exec_labels_parse("SERVICE", "AI-9", spec, info, &l), 0);
	ck_assert_int_eq(l.kind, DROVE__EXEC_APP);
	ck_assert_str_eq(l.app->app_id, "A-1");
	ck_assert_int_eq(l.app->resources[0].cores[0].cores[1], 3);
	ck_assert_int_eq(l.app_info->local_info->ports[0].host_port, 32000);
	ck_assert_int_eq(l.app_info->created, 5);
	ck_assert_int_eq(drove__app_instance_spec_encode(l.app, &again), 0);
	/* the same fields, plus the empty lists the codec always emits */
	ck_assert_int_eq(strncmp(again, spec, strlen(spec) - 1), 0);
	ck_assert_ptr_nonnull(strstr(again, "\"volumes\":[]"));
	free(again);
	drove__exec_labels_clear(&l);
	ck_assert_int_eq(drove__exec_job_type_parse(NULL), DROVE__EXEC_APP);
	ck_assert_int_eq(drove__exec_job_type_parse("COMPUTATION"), DROVE__EXEC_TASK);
	ck_assert_str_eq(drove__exec_job_type_name(DROVE__EXEC_LS), "LOCAL_SERVICE");
	ck_assert_int_eq(drove__exec_label_owned(info, "E"), 1);
	ck_assert_int_eq(drove__exec_label_owned(info, "F"), 0);
	/* only a label naming this executor makes a container ours */
	ck_assert_int_eq(drove__exec_label_owned("{}", "F"), 0);
	ck_assert_int_eq(drove__exec_label_owned("not json", "F"), 0);
	ck_assert_int_eq(drove__exec_label_owned(NULL, "F"), 0);
	ck_assert_int_eq(drove__exec_label_owned("{\"executorId\":7}", "F"), 0);
	drove_assert_error(drove__exec_labels_parse("SERVICE", "AI-9", "{", info, &l), DROVE_EINVAL,
	                   "labels of AI-9");
	drove_assert_error(drove__exec_labels_parse("SERVICE", "AI-9", spec, NULL, &l),
	                   DROVE_EINVAL, "drove.instance.info: missing");
}
END_TEST

/* ---- syslog messages (RFC 5424) ---- */

START_TEST(test_known_lists)
{
	char *known[] = {"AI-1", "TI-1"}, *stale[] = {"SI-2"};
	drove_known_instances kn;
	memset(&kn, 0, sizeof(kn));
	ck_assert(!drove__exec_listed(&kn, "AI-1", false));
	ck_assert(!drove__exec_listed(&kn, "AI-1", true));
	kn.app_instance_ids = known;
	kn.n_app_instance_ids = 1;
	kn.task_instance_ids = known + 1;
	kn.n_task_instance_ids = 1;
	kn.stale_local_service_instance_ids = stale;
	kn.n_stale_local_service_instance_ids = 1;
	ck_assert(drove__exec_listed(&kn, "AI-1", false));
	ck_assert(drove__exec_listed(&kn, "TI-1", false));
	ck_assert(!drove__exec_listed(&kn, "AI-1", true));
	ck_assert(drove__exec_listed(&kn, "SI-2", true));
	ck_assert(!drove__exec_listed(&kn, "SI-2", false));
	ck_assert(!drove__exec_listed(&kn, "AI-2", false));
}
END_TEST

START_TEST(test_syslog_format)
{
	drove__buf b = DROVE_BUF_INIT;
	char app[80];
	/* 2026-12-05T11:00:00.042Z, LOCAL0 (16) * 8 + info (6) = 134 */
	ck_assert_int_eq(drove__exec_syslog_format(&b, 16, 6, 1796468400042LL, "host-1", "APP-1",
	                                           "AI-1", "hello \"x\" ] \\ world\r", 20),
	                 0);
	ck_assert_str_eq(b.data, "<134>1 2026-12-05T11:00:00.042Z host-1 APP-1 - - [drove@32473 "
	                         "appId=\"APP-1\" instanceId=\"AI-1\"] hello \"x\" ] \\ world");
	drove__buf_reset(&b);
	/* APP-NAME: printable ASCII, at most 48 characters; the SD value keeps the whole id,
	 * escaped; an empty host is "-" */
	memset(app, 'A', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	app[3] = ' ';
	app[4] = ']';
	ck_assert_int_eq(drove__exec_syslog_format(&b, 3, 3, 0, "", app, "i", "", 0), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "<27>1 1970-01-01T00:00:00.000Z - AAA_]"));
	ck_assert_ptr_nonnull(strstr(b.data, "AAAA - - [drove@32473 appId=\"AAA \\]AAA"));
	ck_assert_int_eq((int)(strstr(b.data, " - - [") - strstr(b.data, "AAA_]")), 48);
	drove__buf_free(&b);
}
END_TEST

START_TEST(test_syslog_parse_server)
{
	char *h = NULL;
	int port = 0, tcp = -1;
	ck_assert_int_eq(
	        drove__exec_syslog_parse_server("tcp://logs.example:1514", &h, &port, &tcp), 0);
	ck_assert_str_eq(h, "logs.example");
	ck_assert_int_eq(port, 1514);
	ck_assert_int_eq(tcp, 1);
	free(h);
	ck_assert_int_eq(drove__exec_syslog_parse_server("udp://10.0.0.1", &h, &port, &tcp), 0);
	ck_assert_str_eq(h, "10.0.0.1");
	ck_assert_int_eq(port, 514);
	ck_assert_int_eq(tcp, 0);
	free(h);
	ck_assert_int_eq(drove__exec_syslog_parse_server("[::1]:601", &h, &port, &tcp), 0);
	ck_assert_str_eq(h, "::1");
	ck_assert_int_eq(port, 601);
	ck_assert_int_eq(tcp, 0);
	free(h);
	drove_assert_error(drove__exec_syslog_parse_server("tcp+tls://h:1", &h, &port, &tcp),
	                   DROVE_EINVAL,
	                   "loggingSpec.server 'tcp+tls://h:1': only udp:// and tcp://");
	ck_assert_ptr_null(h);
	drove_assert_error(drove__exec_syslog_parse_server("h:0", &h, &port, &tcp), DROVE_EINVAL,
	                   "bad port");
	drove_assert_error(drove__exec_syslog_parse_server("h:70000", &h, &port, &tcp),
	                   DROVE_EINVAL, "bad port");
	drove_assert_error(drove__exec_syslog_parse_server("udp://:514", &h, &port, &tcp),
	                   DROVE_EINVAL, "no host");
	drove_assert_error(drove__exec_syslog_parse_server("[::1", &h, &port, &tcp), DROVE_EINVAL,
	                   "no ']'");
	drove_assert_error(drove__exec_syslog_parse_server("", &h, &port, &tcp), DROVE_EINVAL,
	                   "loggingSpec.server");
	drove_assert_error(drove__exec_syslog_parse_server(NULL, &h, &port, &tcp), DROVE_EINVAL,
	                   "loggingSpec.server");
}
END_TEST

/* ---- the message handler without a runtime ---- */

static const char *CFG =
        "server: {applicationConnectors: [{type: http, port: 0}], adminConnectors: []}\n"
        "clusterAuth: {secrets: [{nodeType: CONTROLLER, secret: cs}, {nodeType: EXECUTOR, "
        "secret: es}]}\n"
        "resources: {topology: \"pack:1 numa:1 core:2 pu:1\"}\n"
        "options: {hostname: localhost, dockerSocketPath: /nonexistent/docker.sock, "
        "remoteUpdateMode: RPC}\n"
        "controllers: {endpoints: [\"http://127.0.0.1:1\"]}\n";

START_TEST(test_message_fencing)
{
	drove_config *cfg = NULL;
	drove_loop *loop = NULL;
	drove_executor *ex = NULL;
	char *out = NULL, *snap = NULL;
	int status;
	const char *t5 =
	        "{\"type\":\"BLACKLIST\",\"header\":{\"id\":\"x\",\"senderType\":\"CONTROLLER\","
	        "\"messageTime\":1,\"term\":5}}";
	const char *t4 = "{\"type\":\"UNBLACKLIST\",\"header\":{\"id\":\"y\",\"senderType\":"
	                 "\"CONTROLLER\",\"messageTime\":1,\"term\":4}}";
	const char *stop = "{\"type\":\"STOP_INSTANCE\",\"header\":{\"id\":\"z\",\"senderType\":"
	                   "\"CONTROLLER\",\"messageTime\":1,\"term\":5},\"instanceId\":\"AI-x\"}";

	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", CFG, strlen(CFG)), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_executor_new(&ex, loop, cfg), 0);
	ck_assert_int_eq(drove_executor_port(ex), -1);
	ck_assert_ptr_null(drove_executor_metrics(ex));
	ck_assert_str_eq(drove_executor_node_id(ex), "");
	drove_assert_error(drove_executor_snapshot_json(ex, &snap), DROVE_EINVAL, "not started");
	ck_assert_int_eq(drove_executor_start(ex), 0);
	ck_assert_int_gt(drove_executor_port(ex), 0);
	ck_assert_int_eq(drove_executor_admin_port(ex), -1); /* adminConnectors: [] */
	{
		/* the registry renders the executor's resources without an admin port */
		char *text = NULL;
		ck_assert_ptr_nonnull(drove_executor_metrics(ex));
		ck_assert_int_eq(drove_metrics_render(drove_executor_metrics(ex), &text, NULL), 0);
		ck_assert_msg(
		        strstr(text, "drove_executor_cores{numa_node=\"0\",state=\"free\"} 2\n"),
		        "%s", text);
		ck_assert_ptr_nonnull(strstr(text, "drove_executor_leader_known 0\n"));
		drove_free(text);
	}
	ck_assert_int_eq((int)strlen(drove_executor_node_id(ex)), 36);
	ck_assert_int_eq(drove_executor_state(ex), DROVE_EXECUTOR_UNREADY);

	ck_assert_int_eq(drove__exec_handle_message(ex, t5, strlen(t5), &status, &out), 0);
	ck_assert_int_eq(status, 200);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"ACCEPTED\""));
	free(out);
	ck_assert_int_eq(drove_executor_state(ex), DROVE_EXECUTOR_BLACKLISTED);
	ck_assert_int_eq(drove__exec_handle_message(ex, t4, strlen(t4), &status, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"REJECTED\""));
	ck_assert_ptr_nonnull(strstr(out, "stale leader term 4 < 5"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":\"y\"")); /* header echoed */
	free(out);
	ck_assert_int_eq(drove_executor_state(ex), DROVE_EXECUTOR_BLACKLISTED);
	ck_assert_int_eq(drove__exec_handle_message(ex, stop, strlen(stop), &status, &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"status\":\"FAILED\""));
	ck_assert_ptr_nonnull(strstr(out, "unknown instance AI-x"));
	free(out);
	ck_assert_int_eq(drove__exec_handle_message(ex, "{", 1, &status, &out), 0);
	ck_assert_int_eq(status, 400);
	ck_assert_ptr_nonnull(strstr(out, "FAILED"));
	free(out);
	ck_assert_int_eq(drove_executor_snapshot_json(ex, &snap), 0);
	ck_assert_ptr_nonnull(strstr(snap, "\"executorState\":\"BLACKLISTED\""));
	ck_assert_ptr_nonnull(strstr(snap, "\"tags\":[\"localhost\"]"));
	ck_assert_ptr_nonnull(strstr(snap, "\"freeCores\":{\"0\":[0,1]}"));
	drove_free(snap);
	ck_assert_uint_eq(drove_executor_instance_count(ex), 0);
	drove_executor_stop(ex);
	drove_executor_stop(ex);
	drove_executor_free(ex);
	drove_loop_free(loop);
	drove_config_free(cfg);
}
END_TEST

START_TEST(test_new_rejects_controller_config)
{
	drove_config *cfg = NULL;
	drove_loop *loop = NULL;
	drove_executor *ex = NULL;
	size_t len;
	char *y = drove_test_read_source_file("tests/data/config/controller-local.yml", &len);
	ck_assert_int_eq(drove_config_load_controller_buf(&cfg, ctx, "c.yml", y, len), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	drove_assert_error(drove_executor_new(&ex, loop, cfg), DROVE_EINVAL,
	                   "not an executor configuration");
	ck_assert_ptr_null(ex);
	drove_executor_free(NULL);
	drove_loop_free(loop);
	drove_config_free(cfg);
	free(y);
}
END_TEST

static const char *md_getenv(const char *name)
{
	return !strcmp(name, "RACK") ? "r1" : !strcmp(name, "ROW") ? "row7" : NULL;
}

START_TEST(test_metadata_providers)
{
	static const char *y =
	        "resources:\n  metadata:\n    valueMaxLimit: 5\n    blacklistedKeys: "
	        "[\"secret.*\", \"zon\"]\n"
	        "    metadataProviders:\n"
	        "      envs: {type: ENVIRONMENT, whitelistedVariables: [RACK, ROW, NOPE]}\n"
	        "      static: {type: CONFIGURED, metadata: {zone: z1, secretKey: x, long: "
	        "abcdefgh, "
	        "RACK: dup}}\n"
	        "options: {remoteUpdateMode: RPC}\ncontrollers: {endpoints: [\"http://c:1\"]}\n";
	drove_config *cfg = NULL;
	drove_strmap *m = NULL;
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", y, strlen(y)), 0);
	ck_assert_int_eq(drove__exec_metadata(&cfg->exec, md_getenv, NULL, &m), 0);
	ck_assert_str_eq(drove_strmap_get(m, "zone"), "z1"); /* "zon" must match the whole key */
	ck_assert_str_eq(drove_strmap_get(m, "ROW"), "row7");
	ck_assert_ptr_null(drove_strmap_get(m, "secretKey")); /* blacklisted */
	ck_assert_ptr_null(drove_strmap_get(m, "long"));      /* above valueMaxLimit */
	ck_assert_ptr_null(drove_strmap_get(m, "RACK"));      /* two providers: conflict */
	ck_assert_ptr_null(drove_strmap_get(m, "NOPE"));      /* not set */
	ck_assert_uint_eq(drove_strmap_count(m), 2);
	drove_strmap_free(m);
	drove_config_free(cfg);
}
END_TEST

/* DYNAMIC_COMMAND values join CONFIGURED ones; a key both offer is a conflict (dropped). */
START_TEST(test_metadata_dynamic)
{
	static const char *y =
	        "resources:\n  metadata:\n    metadataProviders:\n"
	        "      static: {type: CONFIGURED, metadata: {zone: z1, kernel: k}}\n"
	        "      cmds: {type: DYNAMIC_COMMAND, commands: {kernel: {type: STATIC, command: "
	        "\"uname -r\", defaultValue: u}, rack: {type: DYNAMIC, command: x, defaultValue: "
	        "d}}}\n"
	        "options: {remoteUpdateMode: RPC}\ncontrollers: {endpoints: [\"http://c:1\"]}\n";
	drove_config *cfg = NULL;
	drove_strmap *m = NULL, *dyn = NULL;
	const drove_strmap *vals[2] = {NULL, NULL};
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", y, strlen(y)), 0);
	ck_assert_uint_eq(cfg->exec.n_md_providers, 2);
	ck_assert_int_eq(cfg->exec.md_providers[1].type, DROVE__MDP_DYNAMIC_COMMAND);
	ck_assert_int_eq(cfg->exec.md_providers[1].command_rerun_secs, 60);
	/* nothing has run yet: only the configured values */
	ck_assert_int_eq(drove__exec_metadata(&cfg->exec, md_getenv, vals, &m), 0);
	ck_assert_uint_eq(drove_strmap_count(m), 2);
	drove_strmap_free(m);
	ck_assert_int_eq(drove_strmap_new(&dyn), 0);
	ck_assert_int_eq(drove_strmap_set(dyn, "kernel", "6.1"), 0);
	ck_assert_int_eq(drove_strmap_set(dyn, "rack", "r9"), 0);
	vals[1] = dyn;
	ck_assert_int_eq(drove__exec_metadata(&cfg->exec, md_getenv, vals, &m), 0);
	ck_assert_str_eq(drove_strmap_get(m, "zone"), "z1");
	ck_assert_str_eq(drove_strmap_get(m, "rack"), "r9");
	ck_assert_ptr_null(drove_strmap_get(m, "kernel")); /* both providers offer it */
	ck_assert_uint_eq(drove_strmap_count(m), 2);
	drove_strmap_free(m);
	drove_strmap_free(dyn);
	drove_config_free(cfg);
}
END_TEST

static void md_value_is(const char *in, size_t len, const char *want)
{
	char *v = NULL;
	ck_assert_int_eq(drove__exec_mdcmd_value(in, len, &v), 0);
	ck_assert_msg(!strcmp(v, want), "[%.*s] gave [%s], want [%s]", (int)len, in, v, want);
	free(v);
}

/* Drove reads a command's stdout line by line and joins the lines with \n. */
START_TEST(test_metadata_command_output)
{
	md_value_is("", 0, "");
	md_value_is("\n", 1, "");
	md_value_is("6.1.0-13-amd64\n", 15, "6.1.0-13-amd64");
	md_value_is("no newline", 10, "no newline");
	md_value_is("a\r\nb\rc\n", 7, "a\nb\nc");
	md_value_is("a\n\n", 3, "a\n");
	md_value_is("a\n\nb\n", 5, "a\n\nb");
	md_value_is("\n\n", 2, "\n");
	md_value_is("x\0y", 3, "xy");                             /* NUL dropped */
	md_value_is("\xc3\xa9t\xc3\xa9", 6, "\xc3\xa9t\xc3\xa9"); /* UTF-8 kept */
	md_value_is("a\xff"
	            "b",
	            3,
	            "a\xef\xbf\xbd"
	            "b"); /* invalid: U+FFFD */
	md_value_is("\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	md_value_is("\xf0\x9f\x98", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* cut short */
}
END_TEST

/* dockerAuth: base64url of JSON built with escaping, only for the registry named before the
 * first '/'. */
START_TEST(test_registry_auth)
{
	static const char *y =
	        "dockerAuth:\n  entries:\n"
	        "    \"reg.example.com:5000\": {type: CREDENTIALS, username: \"u\\\"1\", password: "
	        "'p\"a\\s/s+?>'}\n"
	        "options: {remoteUpdateMode: RPC}\ncontrollers: {endpoints: [\"http://c:1\"]}\n";
	drove_config *cfg = NULL;
	char *a = NULL;
	unsigned char *raw = NULL;
	size_t n;
	struct json_object *o, *v;
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", y, strlen(y)), 0);
	ck_assert_int_eq(
	        drove__exec_registry_auth(&cfg->exec, "reg.example.com:5000/team/app:1", &a), 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(strpbrk(a, "+/")); /* base64url */
	for (char *c = a; *c; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	ck_assert_int_eq(drove__base64_decode(a, strlen(a), &raw, &n), 0);
	o = json_tokener_parse((const char *)raw);
	ck_assert_msg(o != NULL, "%s", raw);
	ck_assert(json_object_object_get_ex(o, "username", &v));
	ck_assert_str_eq(json_object_get_string(v), "u\"1");
	ck_assert(json_object_object_get_ex(o, "password", &v));
	ck_assert_str_eq(json_object_get_string(v), "p\"a\\s/s+?>");
	ck_assert(json_object_object_get_ex(o, "serveraddress", &v));
	ck_assert_str_eq(json_object_get_string(v), "reg.example.com:5000");
	json_object_put(o);
	free(raw);
	free(a);
	/* another registry, no registry part, a prefix of the name: no credentials */
	ck_assert_int_eq(drove__exec_registry_auth(&cfg->exec, "other.io/app:1", &a), 0);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(drove__exec_registry_auth(&cfg->exec, "busybox:latest", &a), 0);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(drove__exec_registry_auth(&cfg->exec, "reg.example.com/app:1", &a), 0);
	ck_assert_ptr_null(a);
	drove_config_free(cfg);
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc = tcase_create("pure");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_inst_transitions);
	tcase_add_test(tc, test_known_lists);
	tcase_add_test(tc, test_syslog_format);
	tcase_add_test(tc, test_syslog_parse_server);
	tcase_add_test(tc, test_task_transitions);
	tcase_add_test(tc, test_res_lock_conflict_unlock);
	tcase_add_test(tc, test_env_app);
	tcase_add_test(tc, test_log_confinement);
	tcase_add_test(tc, test_log_read_semantics);
	tcase_add_test(tc, test_log_rotation);
	tcase_add_test(tc, test_log_buffer);
	tcase_add_test(tc, test_labels_round_trip);
	tcase_add_test(tc, test_metadata_providers);
	tcase_add_test(tc, test_metadata_dynamic);
	tcase_add_test(tc, test_metadata_command_output);
	tcase_add_test(tc, test_registry_auth);
	suite_add_tcase(s, tc);
	tc = tcase_create("engine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_message_fencing);
	tcase_add_test(tc, test_new_rejects_controller_config);
	suite_add_tcase(s, tc);
	return s;
}
