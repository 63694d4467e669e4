/* A real cluster as child processes (cluster.h). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

dtc_state dtc;

void dtc_require(const char *test_name)
{
	if (access(DTC_EXEC_BIN, X_OK) != 0 || access(DTC_CTRL_BIN, X_OK) != 0) {
		fprintf(stderr, "%s: %s or %s not built\n", test_name, DTC_EXEC_BIN, DTC_CTRL_BIN);
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	dtc.sock = drove_test_require_env("DROVE_TEST_DOCKER_SOCK", "podman");
	dtc.zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
}

int dtc_free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), p;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

pid_t dtc_spawn_argv(char *const argv[], const char *log)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

pid_t dtc_spawn(const char *bin, const char *cfg, const char *log)
{
	char *argv[] = {(char *)bin, (char *)"-c", (char *)cfg, NULL};
	return dtc_spawn_argv(argv, log);
}

void dtc_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

char *dtc_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	drove__buf b = DROVE_BUF_INIT;
	char chunk[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		drove__buf_append(&b, chunk, n);
	fclose(f);
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	drove__buf_append(ud, p, sz * n);
	return sz * n;
}

long dtc_http_full(const char *method, const char *url, const char *body, const char **headers,
                   const char *userpass, char **out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	drove__buf b = DROVE_BUF_INIT;
	long code = 0;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (userpass)
		curl_easy_setopt(h, CURLOPT_USERPWD, userpass);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		hl = curl_slist_append(hl, "Content-Type: application/json");
	}
	for (size_t i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip for large bodies */
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	drove__buf_puts(&b, "");
	if (out)
		*out = drove__buf_steal(&b);
	drove__buf_free(&b);
	return code;
}

long dtc_http_url(const char *method, const char *url, const char *body, char **out)
{
	return dtc_http_full(method, url, body, NULL, NULL, out);
}

long dtc_http(const char *method, const char *path, const char *body, char **out)
{
	char url[1024];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", dtc.port, path);
	return dtc_http_url(method, url, body, out);
}

struct json_object *dtc_get_data(const char *path, struct json_object **root)
{
	char *b = NULL;
	long code = dtc_http("GET", path, NULL, &b);
	ck_assert_msg(code == 200, "GET %s: %ld %s", path, code, b);
	*root = json_tokener_parse(b);
	ck_assert_msg(*root && strstr(b, "\"status\":\"SUCCESS\""), "%s: %s", path, b);
	free(b);
	return json_object_object_get(*root, "data");
}

void dtc_post_ok(const char *path, const char *json)
{
	char *b = NULL;
	long code = dtc_http("POST", path, json, &b);
	ck_assert_msg(code == 200, "POST %s %s -> %ld %s", path, json, code, b);
	free(b);
}

void dtc_start_controller(int i, int zk_mode, const char *extra_yaml)
{
	char path[256], log[256], *y;
	dtc.cport[i] = dtc_free_port();
	dtc.caport[i] = dtc_free_port();
	if (zk_mode)
		y = drove__asprintf(
		        "server: { applicationConnectors: [{type: http, port: %d%s%s}],"
		        " adminConnectors: [{type: http, port: %d}] }\n"
		        "zookeeper: { connectionString: \"%s\", nameSpace: ctrlcluster%d,"
		        " sessionTimeout: 30s }\n",
		        dtc.cport[i], dtc.cbind ? ", bindHost: " : "", dtc.cbind ? dtc.cbind : "",
		        dtc.caport[i], dtc.zk, (int)getpid());
	else
		y = drove__asprintf(
		        "server: { applicationConnectors: [{type: http, port: %d%s%s}],"
		        " adminConnectors: [{type: http, port: %d}] }\n"
		        "store: { type: local, dataDir: %s/ctrl-data }\n",
		        dtc.cport[i], dtc.cbind ? ", bindHost: " : "", dtc.cbind ? dtc.cbind : "",
		        dtc.caport[i], dtc.dir);
	{
		char *full = drove__asprintf(
		        "%sclusterAuth:\n  secrets:\n"
		        "    - { nodeType: CONTROLLER, secret: " DTC_CONTROLLER_SECRET " }\n"
		        "    - { nodeType: EXECUTOR, secret: " DTC_EXECUTOR_SECRET " }\n"
		        "options: { staleExecutorAge: 45s, executorCheckInterval: 500ms, "
		        "reconcileInterval: 1s, staleInstanceReportAge: 5s, "
		        "maintenanceWindowTail: 0s, clusterOpParallelism: 4 }\n%s",
		        y, extra_yaml ? extra_yaml : "");
		free(y);
		y = full;
	}
	snprintf(path, sizeof(path), "%s/controller%d.yml", dtc.dir, i);
	snprintf(log, sizeof(log), "%s/controller%d.log", dtc.dir, i);
	dtc_write_file(path, y);
	free(y);
	dtc.cpid[i] = dtc_spawn(DTC_CTRL_BIN, path, log);
	dtc.port = dtc.cport[i];
}

void dtc_start_auth_controller(int i)
{
	char path[256], *y;
	dtc.cport[i] = dtc_free_port();
	y = drove__asprintf(
	        "server: { applicationConnectors: [{type: http, port: %d}], adminConnectors: [] }\n"
	        "store: { type: local, dataDir: %s/auth-data%d }\n"
	        "clusterAuth:\n  secrets:\n"
	        "    - { nodeType: CONTROLLER, secret: " DTC_CONTROLLER_SECRET " }\n"
	        "    - { nodeType: EXECUTOR, secret: " DTC_EXECUTOR_SECRET " }\n"
	        "userAuth:\n  enabled: true\n  encoding: PLAIN\n  users:\n"
	        "    - { username: guest, password: guestpw, role: EXTERNAL_READ_ONLY }\n"
	        "    - { username: admin, password: adminpw, role: EXTERNAL_ROOT }\n"
	        "options: { maintenanceWindowTail: 0s }\n",
	        dtc.cport[i], dtc.dir, i);
	snprintf(path, sizeof(path), "%s/controller-auth%d.yml", dtc.dir, i);
	snprintf(dtc.auth_log, sizeof(dtc.auth_log), "%s/controller-auth%d.log", dtc.dir, i);
	dtc_write_file(path, y);
	free(y);
	dtc.cpid[i] = dtc_spawn(DTC_CTRL_BIN, path, dtc.auth_log);
	dtc.port = dtc.cport[i];
}

void dtc_executor_id(int i, char *buf, size_t n)
{
	ck_assert_int_eq(drove_executor_id(dtc.ehost[i][0] ? dtc.ehost[i] : "localhost",
	                                   dtc.eport[i], buf, n),
	                 0);
}

void dtc_start_executor(int i, int n_ctrl, const char *extra_options)
{
	dtc_start_executor_on(i, n_ctrl, "localhost", "127.0.0.1", extra_options);
}

void dtc_start_executor_on(int i, int n_ctrl, const char *host, const char *ctrl_addr,
                           const char *extra_options)
{
	char path[256], log[256], *y, endpoints[256];
	const char *bind = strcmp(host, "localhost") ? host : "127.0.0.1";
	dtc.eport[i] = dtc_free_port();
	snprintf(dtc.ehost[i], sizeof(dtc.ehost[i]), "%s", host);
	snprintf(dtc.ectrl[i], sizeof(dtc.ectrl[i]), "%s", ctrl_addr);
	dtc.eaport[i] = dtc_free_port();
	if (n_ctrl == 2)
		snprintf(endpoints, sizeof(endpoints), "\"http://%s:%d\", \"http://%s:%d\"",
		         ctrl_addr, dtc.cport[0], ctrl_addr, dtc.cport[1]);
	else
		snprintf(endpoints, sizeof(endpoints), "\"http://%s:%d\"", ctrl_addr, dtc.cport[0]);
	y = drove__asprintf(
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: %s}]\n"
	        "  adminConnectors: [{type: http, port: %d, bindHost: %s}]\n"
	        "logging:\n  level: INFO\n  appenders:\n    - {type: drove, logPath: %s/logs%d}\n%s"
	        "clusterAuth:\n  secrets:\n"
	        "    - {nodeType: CONTROLLER, secret: " DTC_CONTROLLER_SECRET "}\n"
	        "    - {nodeType: EXECUTOR, secret: " DTC_EXECUTOR_SECRET "}\n"
	        "resources:\n  osCores: [%d]\n%s  overProvisioning: {enabled: true, cpuMultiplier: "
	        "2, memoryMultiplier: 1}\n"
	        "options:\n  hostname: %s\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n  snapshotInterval: 500ms\n"
	        "  leaderLookupInterval: 500ms\n  zombieCheckInterval: 5s\n%s"
	        "controllers:\n  endpoints: [%s]\n",
	        dtc.eport[i], bind, dtc.eaport[i], bind, dtc.dir, i,
	        dtc.exec_appenders ? dtc.exec_appenders : "", i == 0 ? 1 : 0,
	        dtc.exec_resources ? dtc.exec_resources : "", host, dtc.sock,
	        extra_options ? extra_options : "", endpoints);
	snprintf(path, sizeof(path), "%s/executor%d.yml", dtc.dir, i);
	snprintf(log, sizeof(log), "%s/executor%d.log", dtc.dir, i);
	dtc_write_file(path, y);
	free(y);
	dtc.epid[i] = dtc_spawn(DTC_EXEC_BIN, path, log);
}

void dtc_restart_executor(int i)
{
	char path[256], log[256];
	snprintf(path, sizeof(path), "%s/executor%d.yml", dtc.dir, i);
	snprintf(log, sizeof(log), "%s/executor%d.log", dtc.dir, i);
	ck_assert_int_eq(dtc.epid[i], 0);
	dtc.epid[i] = dtc_spawn(DTC_EXEC_BIN, path, log);
}

void dtc_restart_controller(int i)
{
	char path[256], log[256];
	snprintf(path, sizeof(path), "%s/controller%d.yml", dtc.dir, i);
	snprintf(log, sizeof(log), "%s/controller%d.log", dtc.dir, i);
	ck_assert_int_eq(dtc.cpid[i], 0);
	dtc.cpid[i] = dtc_spawn(DTC_CTRL_BIN, path, log);
}

void dtc_wait_ping(int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (dtc_http("GET", "/apis/v1/ping", NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() < end,
		              "controller on %d: no ping within %lld ms", dtc.port, (long long)ms);
		usleep(100 * 1000);
	}
}

void dtc_wait_execs(int n, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	char want[32];
	snprintf(want, sizeof(want), "\"numExecutors\":%d,", n);
	while (drove_time_mono_ms() < end) {
		char *b = NULL;
		int ok = dtc_http("GET", "/apis/v1/cluster", NULL, &b) == 200 && strstr(b, want);
		free(b);
		if (ok)
			return;
		usleep(200 * 1000);
	}
	ck_abort_msg("%d executors did not come up", n);
}

int dtc_stop(pid_t *pid, int sig)
{
	int status = 0;
	if (*pid <= 0)
		return 0;
	kill(*pid, sig ? sig : SIGTERM);
	waitpid(*pid, &status, 0);
	*pid = 0;
	return status;
}

void dtc_remove_containers(void)
{
	/* only the containers of this run's executors: other runs may share podman's storage */
	char ids[2][DROVE_UUID_LEN + 1], *cmd;
	int n = 0;
	for (int i = 0; i < 2; i++)
		if (dtc.eport[i] > 0) {
			dtc_executor_id(i, ids[n], sizeof(ids[n]));
			n++;
		}
	if (!n)
		return;
	cmd = drove__asprintf(
	        "for id in $(curl -s --unix-socket %s 'http://d/v1.41/containers/json?all=true"
	        "&filters=%%7B%%22label%%22%%3A%%5B%%22drove.instance.id%%22%%5D%%7D' | "
	        "python3 -c 'import json,sys; ids=sys.argv[1:]; [print(c[\"Id\"]) for c in "
	        "json.load(sys.stdin) if any(\"\\\"executorId\\\":\\\"\"+e+\"\\\"\" in "
	        "(c.get(\"Labels\") or {}).get(\"drove.instance.info\",\"\") for e in ids)]' %s "
	        "%s); "
	        "do curl -s -X DELETE --unix-socket %s "
	        "\"http://d/v1.41/containers/$id?force=true\" >/dev/null; done",
	        dtc.sock, ids[0], n > 1 ? ids[1] : "", dtc.sock);
	if (system(cmd) != 0)
		fprintf(stderr, "container cleanup failed\n");
	free(cmd);
}

void dtc_setup(void)
{
	for (int i = 0; i < 2; i++) {
		dtc.cport[i] = dtc.eport[i] = 0;
		dtc.ehost[i][0] = dtc.ectrl[i][0] = '\0';
	}
	dtc.cbind = NULL;
	snprintf(dtc.dir, sizeof(dtc.dir), "/tmp/drove-test-cluster-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dtc.dir));
}

void dtc_teardown(void)
{
	char *cmd;
	for (int i = 0; i < 2; i++) {
		dtc_stop(&dtc.epid[i], SIGTERM);
		dtc_stop(&dtc.cpid[i], SIGTERM);
	}
	dtc_remove_containers();
	if (getenv("DROVE_KEEP_TEST_DIR")) {
		fprintf(stderr, "test directory kept: %s\n", dtc.dir);
		return;
	}
	if ((cmd = drove__asprintf("rm -rf '%s'", dtc.dir))) {
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dtc.dir);
		free(cmd);
	}
}
