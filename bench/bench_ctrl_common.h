/* Helpers of the controller benchmarks (bench_ctrl_reads, bench_ctrl_scale): HTTP to the
 * controller's API port `port` with libcurl, a free loopback port, a child's RSS, the HEALTHY
 * total, a controller + executor pair on an engine, a file of the source tree, and wrk runs.
 * Include after core/internal.h (drove__buf). */
#ifndef DROVE_BENCH_CTRL_COMMON_H
#define DROVE_BENCH_CTRL_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "bench_common.h"

static int port; /* the controller's API port */

static inline size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	drove__buf_append(ud, p, sz * n);
	return sz * n;
}

static inline long http_url(const char *method, const char *url, const char *body, char **out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;
	drove__buf b = DROVE_BUF_INIT;
	long code = 0;

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	}
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	if (out)
		*out = drove__buf_steal(&b);
	drove__buf_free(&b);
	return code;
}

/* `path` on the controller's API port */
static inline long http(const char *method, const char *path, const char *body, char **out)
{
	char url[256];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	return http_url(method, url, body, out);
}

static inline long rss_kb_of(pid_t pid, const char *key)
{
	return bench_proc_status_kb(pid, key);
}

static inline long rss_kb(pid_t pid)
{
	return rss_kb_of(pid, "VmRSS:");
}

/* Sum of healthyInstances over GET /apis/v1/applications, -1 when it does not answer. */
static inline long healthy_total(void)
{
	char *b = NULL;
	long total = 0;
	const char *p;
	if (http("GET", "/apis/v1/applications", NULL, &b) != 200) {
		free(b);
		return -1;
	}
	for (p = b; (p = strstr(p, "\"healthyInstances\":")); p++)
		total += strtol(p + 19, NULL, 10);
	free(b);
	return total;
}

/* A child running `bin -c cfg`, its output appended to `log`. */
static inline pid_t bench_spawn(const char *bin, const char *cfg, const char *log)
{
	pid_t pid = fork();
	if (pid == 0) {
		FILE *f = fopen(log, "ae");
		if (f) {
			dup2(fileno(f), 1);
			dup2(fileno(f), 2);
		}
		execl(bin, bin, "-c", cfg, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* drove-controller (embedded store in `dir`/data, API on `port`) and one drove-executor on
 * the engine at `sock` (`exec_extra`: more top-level YAML, e.g. a resources: block), both
 * built next to this benchmark; returns once the executor is registered. 0, or 77 when a
 * daemon is not built. Logs in `dir`. */
static inline int bench_start_pair(const char *dir, const char *sock, const char *exec_extra,
                                   pid_t *cpid, pid_t *epid)
{
	char self[1024], ctrl_bin[1200], exec_bin[1200], path[1300], log[1300];
	ssize_t n;
	int eport;
	FILE *f;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return 77;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	snprintf(ctrl_bin, sizeof(ctrl_bin), "%s/../daemons/drove-controller/drove-controller",
	         self);
	snprintf(exec_bin, sizeof(exec_bin), "%s/../daemons/drove-executor/drove-executor", self);
	if (access(ctrl_bin, X_OK) || access(exec_bin, X_OK)) {
		fprintf(stderr, "needs %s and %s\n", ctrl_bin, exec_bin);
		return 77;
	}
	port = bench_free_port();
	eport = bench_free_port();
	snprintf(path, sizeof(path), "%s/controller.yml", dir);
	if (!(f = fopen(path, "we")))
		return 1;
	fprintf(f,
	        "server: { applicationConnectors: [{type: http, port: %d}], adminConnectors: [] }\n"
	        "logging: { level: WARN }\n"
	        "store: { type: local, dataDir: %s/data }\n"
	        "clusterAuth: { secrets: [ {nodeType: CONTROLLER, secret: cs}, "
	        "{nodeType: EXECUTOR, secret: es} ] }\n"
	        "options: { maintenanceWindowTail: 0s, reconcileInterval: 1s, "
	        "staleExecutorAge: 5s, executorCheckInterval: 500ms }\n",
	        port, dir);
	fclose(f);
	snprintf(log, sizeof(log), "%s/controller.log", dir);
	*cpid = bench_spawn(ctrl_bin, path, log);
	snprintf(path, sizeof(path), "%s/executor.yml", dir);
	if (!(f = fopen(path, "we")))
		return 1;
	fprintf(f,
	        "server:\n  applicationConnectors: [{type: http, port: %d, bindHost: 127.0.0.1}]\n"
	        "  adminConnectors: []\n"
	        "logging:\n  level: WARN\n  appenders:\n    - {type: drove, logPath: %s/logs}\n"
	        "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: cs}\n"
	        "    - {nodeType: EXECUTOR, secret: es}\n%s"
	        "options:\n  hostname: localhost\n  dockerSocketPath: %s\n  remoteUpdateMode: RPC\n"
	        "  cacheImages: true\n  maxOpenFiles: 1024\n  snapshotInterval: 1s\n"
	        "  leaderLookupInterval: 500ms\n  zombieCheckInterval: 30s\n"
	        "controllers:\n  endpoints: [\"http://127.0.0.1:%d\"]\n",
	        eport, dir, exec_extra ? exec_extra : "", sock, port);
	fclose(f);
	snprintf(log, sizeof(log), "%s/executor.log", dir);
	*epid = bench_spawn(exec_bin, path, log);
	for (int i = 0; i < 300; i++) {
		char *b = NULL;
		int up = http("GET", "/apis/v1/cluster", NULL, &b) == 200 &&
		         strstr(b, "\"numExecutors\":1,");
		free(b);
		if (up)
			break;
		usleep(100 * 1000);
	}
	return 0;
}

/* A file of the source tree (found from this file's path). */
static inline char *read_source(const char *rel, size_t *len)
{
	char path[1024], *slash;
	drove__buf b = DROVE_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s", __FILE__);
	if ((slash = strrchr(path, '/')))
		*slash = '\0';
	if ((slash = strrchr(path, '/')))
		*slash = '\0';
	else
		snprintf(path, sizeof(path), ".");
	strncat(path, "/", sizeof(path) - strlen(path) - 1);
	strncat(path, rel, sizeof(path) - strlen(path) - 1);
	if (!(f = fopen(path, "re")))
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		drove__buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return drove__buf_steal(&b);
}

/* wrk's "99%" line in ms. */
static inline double parse_ms(const char *line)
{
	const char *p = strstr(line, "99%");
	double v;
	char unit[8] = "";
	if (!p || sscanf(p + 3, "%lf%7s", &v, unit) != 2)
		return -1;
	if (!strcmp(unit, "us"))
		return v / 1000;
	if (!strcmp(unit, "s"))
		return v * 1000;
	return v;
}

struct wrk_result {
	double rps, p99_ms;
};

static inline struct wrk_result run_wrk(const char *label, const char *path, int secs)
{
	char cmd[512], line[512];
	struct wrk_result r = {-1, -1};
	FILE *f;
	snprintf(cmd, sizeof(cmd), "wrk -t1 -c16 -d%ds --latency http://127.0.0.1:%d%s 2>&1", secs,
	         port, path);
	if (!(f = popen(cmd, "r"))) {
		printf("%s: cannot run wrk\n", label);
		return r;
	}
	printf("== %s (GET %s)\n", label, path);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "Latency") || strstr(line, "50%") || strstr(line, "90%") ||
		    strstr(line, "99%") || strstr(line, "Requests/sec") ||
		    strstr(line, "Non-2xx") || strstr(line, "errors"))
			fputs(line, stdout);
		if (strstr(line, "99%"))
			r.p99_ms = parse_ms(line);
		if (strstr(line, "Requests/sec:"))
			r.rps = strtod(strstr(line, ":") + 1, NULL);
	}
	pclose(f);
	return r;
}

#endif
