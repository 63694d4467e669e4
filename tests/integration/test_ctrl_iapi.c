/* The app-instance API (§2.10) and the instance token (§3.5, §8.9) against a real cluster:
 * a controller with its own instanceAuth.secret, two executors, podman. Apps A-1 (two
 * instances), A-2 (same name, one) and B-1 (one). Every container serves its environment and
 * calls the sibling API itself with its own token (busybox wget through a small relay to the
 * controller, which listens on loopback only). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/token.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

#define SECRET "iapi-test-secret"
#define A1     "DROVE_IAPI_A-1"
#define A2     "DROVE_IAPI_A-2"
#define B1     "DROVE_IAPI_B-1"
#define SIBS   "/apis/v1/internal/instances"

static pid_t relay_pid = -1;
static int relay_port;

/* ---- a TCP relay host.containers.internal:relay_port -> 127.0.0.1:dtc.port ---- */

static void pump(int a, int b)
{
	char buf[16384];
	for (;;) {
		struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
		if (poll(p, 2, 30000) <= 0)
			return;
		for (int i = 0; i < 2; i++) {
			ssize_t n;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(p[i].fd, buf, sizeof(buf));
			if (n <= 0)
				return;
			for (ssize_t off = 0; off < n;) {
				ssize_t w = write(p[1 - i].fd, buf + off, (size_t)(n - off));
				if (w <= 0)
					return;
				off += w;
			}
		}
	}
}

/* In a child process group of its own: listen on `ip` (retrying while the address does not
 * exist yet), one forked child per connection, for at most 10 minutes. */
static void relay_start(const char *ip, int target)
{
	relay_pid = fork();
	ck_assert_int_ge(relay_pid, 0);
	if (relay_pid == 0) {
		struct sockaddr_in a = {0};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);
		alarm(600);
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)relay_port);
		if (fd < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1)
			_exit(2);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		for (int i = 0; bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0; i++) {
			if (i > 600)
				_exit(3);
			usleep(100 * 1000);
		}
		if (listen(fd, 16) < 0)
			_exit(4);
		for (;;) {
			int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (fork() == 0) {
				struct sockaddr_in t = {0};
				int u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
				t.sin_family = AF_INET;
				t.sin_port = htons((uint16_t)target);
				t.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
				if (u >= 0 && connect(u, (struct sockaddr *)&t, sizeof(t)) == 0)
					pump(c, u);
				_exit(0);
			}
			close(c);
		}
	}
	setpgid(relay_pid, relay_pid);
}

static void relay_stop(void)
{
	if (relay_pid > 0) {
		kill(-relay_pid, SIGKILL);
		waitpid(relay_pid, NULL, 0);
		relay_pid = -1;
	}
}

static void teardown(void)
{
	relay_stop();
	dtc_teardown();
}

/* ---- the apps ---- */

static void create_app(const char *name, const char *version, int instances)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *o = json_tokener_parse(spec), *args = json_object_new_array();
	struct json_object *env = json_object_new_object();
	char *body, *b = NULL, port[16];
	long code;

	ck_assert_ptr_nonnull(o);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "version", json_object_new_string(version));
	json_object_object_del(o, "exposureSpec");
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(
	        args, json_object_new_string(
	                      "printf %s \"$DROVE_APP_INSTANCE_AUTH_TOKEN\" > /www/token; env > "
	                      "/www/env; "
	                      "grep host.containers.internal /etc/hosts > /www/hosts; "
	                      "(while true; do wget -q -O /www/sib.tmp --header "
	                      "\"App-Instance-Authorization: $DROVE_APP_INSTANCE_AUTH_TOKEN\" "
	                      "\"http://host.containers.internal:$RELAY_PORT" SIBS "\" && "
	                      "mv /www/sib.tmp /www/sib.json; sleep 1; done) & "
	                      "exec httpd -f -p 8000 -h /www"));
	json_object_object_add(o, "args", args);
	snprintf(port, sizeof(port), "%d", relay_port);
	json_object_object_add(env, "RELAY_PORT", json_object_new_string(port));
	json_object_object_add(o, "env", env);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":%d," DTC_OPSPEC "}",
	                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                       instances);
	code = dtc_http("POST", "/apis/v1/applications/operations", body, &b);
	ck_assert_msg(code == 200, "create %s -> %ld %s", name, code, b);
	free(b);
	free(body);
	free(spec);
	json_object_put(o);
}

/* The app's HEALTHY instances (waits for `n`): root owns the array. */
static struct json_object *healthy(const char *app, size_t n, struct json_object **root)
{
	char path[256];
	int64_t end = drove_time_mono_ms() + 120000;
	snprintf(path, sizeof(path), "/apis/v1/applications/%s/instances?state=HEALTHY", app);
	for (;;) {
		struct json_object *d = dtc_get_data(path, root);
		if (json_object_array_length(d) == n)
			return d;
		json_object_put(*root);
		ck_assert_msg(drove_time_mono_ms() < end, "%s: not %zu HEALTHY instances", app, n);
		usleep(250 * 1000);
	}
}

static const char *jstr(struct json_object *o, const char *k)
{
	struct json_object *v;
	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

/* A file the container of instance `in` serves (via its host port); NULL when not 200. */
static char *container_file(struct json_object *in, const char *file)
{
	struct json_object *li, *ports, *main_port, *hp;
	char url[256], *b = NULL;
	ck_assert(json_object_object_get_ex(in, "localInfo", &li) &&
	          json_object_object_get_ex(li, "ports", &ports) &&
	          json_object_object_get_ex(ports, "main", &main_port) &&
	          json_object_object_get_ex(main_port, "hostPort", &hp));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/%s", json_object_get_int(hp), file);
	if (dtc_http_url("GET", url, NULL, &b) != 200) {
		free(b);
		return NULL;
	}
	return b;
}

/* GET the sibling API with `token` (NULL: no header) and `query`; returns the status and the
 * parsed body (json_object_put). */
static long siblings(const char *token, const char *query, struct json_object **out)
{
	char url[512],
	        *hdr = token ? drove__asprintf("App-Instance-Authorization: %s", token) : NULL;
	const char *headers[] = {hdr, NULL};
	char *b = NULL;
	long code;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d" SIBS "%s%s", dtc.port, query ? "?" : "",
	         query ? query : "");
	code = dtc_http_full("GET", url, NULL, token ? headers : NULL, NULL, &b);
	*out = json_tokener_parse(b);
	if (code == 401)
		ck_assert_str_eq(b, "Credentials are required to access this resource.");
	free(b);
	free(hdr);
	return code;
}

/* The instance ids of a SUCCESS answer, comma-separated (free()). */
static char *ids_of(struct json_object *root, const char *app_prefix)
{
	struct json_object *d;
	drove__buf b = DROVE_BUF_INIT;
	ck_assert_str_eq(jstr(root, "status"), "SUCCESS");
	ck_assert(json_object_object_get_ex(root, "data", &d));
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *in = json_object_array_get_idx(d, i);
		ck_assert_msg(!strncmp(jstr(in, "appId"), app_prefix, strlen(app_prefix)),
		              "foreign instance %s", jstr(in, "appId"));
		drove__buf_printf(&b, "%s%s", i ? "," : "", jstr(in, "instanceId"));
	}
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

/* Ids of instance arrays, sorted, comma-separated (free()). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
static char *sorted_ids(struct json_object **arrays, size_t n_arrays)
{
	char *v[16];
	size_t n = 0;
	drove__buf b = DROVE_BUF_INIT;
	for (size_t k = 0; k < n_arrays; k++)
		for (size_t i = 0; i < json_object_array_length(arrays[k]) && n < 16; i++)
			v[n++] =
			        (char *)jstr(json_object_array_get_idx(arrays[k], i), "instanceId");
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (size_t i = 0; i < n; i++)
		drove__buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	drove__buf_puts(&b, "");
	return drove__buf_steal(&b);
}

START_TEST(test_sibling_api)
{
	struct json_object *ra1, *ra2, *rb1, *a1, *a2, *b1, *r;
	char *tok_a, *tok_b, *env, *hosts, *want_a, *want_app, *got, *forged = NULL;
	const char *iid_a, *exec_a;
	char ip[64] = "";

	relay_port = dtc_free_port();
	dtc_start_controller(0, 0, "instanceAuth:\n  secret: " SECRET "\n");
	dtc_wait_ping(20000);
	dtc_start_executor(0, 1, NULL);
	dtc_start_executor(1, 1, NULL);
	dtc_wait_execs(2, 30000);
	create_app("DROVE_IAPI_A", "1", 2);
	create_app("DROVE_IAPI_A", "2", 1);
	create_app("DROVE_IAPI_B", "1", 1);
	a1 = healthy(A1, 2, &ra1);
	a2 = healthy(A2, 1, &ra2);
	b1 = healthy(B1, 1, &rb1);

	/* the START message carried the token: the container has it, with its ids */
	iid_a = jstr(json_object_array_get_idx(a1, 0), "instanceId");
	exec_a = jstr(json_object_array_get_idx(a1, 0), "executorId");
	tok_a = container_file(json_object_array_get_idx(a1, 0), "token");
	tok_b = container_file(json_object_array_get_idx(b1, 0), "token");
	env = container_file(json_object_array_get_idx(a1, 0), "env");
	ck_assert_ptr_nonnull(tok_a);
	ck_assert_ptr_nonnull(tok_b);
	ck_assert_ptr_nonnull(env);
	ck_assert_msg(strstr(env, "DROVE_APP_ID=" A1 "\n"), "%s", env);
	{
		char *w = drove__asprintf("DROVE_INSTANCE_ID=%s\n", iid_a);
		ck_assert_msg(strstr(env, w), "%s", env);
		free(w);
	}
	{
		drove_principal *p = NULL;
		ck_assert_int_eq(drove_principal_new(&p, "x", DROVE_ROLE_APPLICATION_INSTANCE), 0);
		ck_assert_int_eq(drove_instance_token_verify(SECRET, tok_a, p), 0);
		ck_assert_str_eq(drove_principal_claim(p, "droveAppId"), A1);
		ck_assert_str_eq(drove_principal_claim(p, "droveInstanceId"), iid_a);
		ck_assert_str_eq(drove_principal_claim(p, "droveExecutorId"), exec_a);
		drove_principal_free(p);
	}

	/* own app by default, sorted by instance id */
	want_a = sorted_ids(&a1, 1);
	ck_assert_int_eq(siblings(tok_a, NULL, &r), 200);
	got = ids_of(r, A1);
	ck_assert_str_eq(got, want_a);
	free(got);
	json_object_put(r);
	ck_assert_int_eq(siblings(tok_a, "state=HEALTHY&forApp=false", &r), 200);
	got = ids_of(r, A1);
	ck_assert_str_eq(got, want_a);
	free(got);
	json_object_put(r);
	ck_assert_int_eq(siblings(tok_a, "state=STOPPED", &r), 200);
	got = ids_of(r, A1);
	ck_assert_str_eq(got, "");
	free(got);
	json_object_put(r);
	/* forApp=true: every version of the app's name, never B */
	{
		struct json_object *both[2] = {a1, a2};
		want_app = sorted_ids(both, 2);
	}
	ck_assert_int_eq(siblings(tok_a, "forApp=true", &r), 200);
	got = ids_of(r, "DROVE_IAPI_A-");
	ck_assert_str_eq(got, want_app);
	free(got);
	json_object_put(r);
	/* B's token sees B only, even with forApp */
	ck_assert_int_eq(siblings(tok_b, "forApp=true", &r), 200);
	got = ids_of(r, B1);
	ck_assert_str_eq(got, jstr(json_object_array_get_idx(b1, 0), "instanceId"));
	free(got);
	json_object_put(r);

	/* forged: another secret, garbage, none, a payload swapped under A's signature */
	ck_assert_int_eq(drove_instance_token_sign("DEFAULT_SECRET", A1, iid_a, exec_a, 1, &forged),
	                 0);
	ck_assert_int_eq(siblings(forged, NULL, &r), 401);
	json_object_put(r);
	free(forged);
	ck_assert_int_eq(siblings("not.a.jwt", NULL, &r), 401);
	json_object_put(r);
	ck_assert_int_eq(siblings(NULL, NULL, &r), 401);
	json_object_put(r);
	{
		char *swap = drove__strdup(tok_b), *dot_a = strchr(tok_a, '.'),
		     *sig_a = strrchr(tok_a, '.'), *sig_b = strrchr(swap, '.');
		char *mix = drove__asprintf("%.*s%s", (int)(sig_b - swap), swap, sig_a);
		(void)dot_a;
		ck_assert_int_eq(siblings(mix, NULL, &r), 401);
		json_object_put(r);
		free(mix);
		free(swap);
	}
	/* the cluster secret is no instance credential here */
	{
		char url[256], *b = NULL;
		const char *h[] = {"Cluster-Authorization: " DTC_CONTROLLER_SECRET, NULL};
		snprintf(url, sizeof(url), "http://127.0.0.1:%d" SIBS, dtc.port);
		ck_assert_int_eq(dtc_http_full("GET", url, NULL, h, NULL, &b), 401);
		free(b);
	}
	/* well signed, but the instance is not where the token says: FAILED */
	ck_assert_int_eq(
	        drove_instance_token_sign(SECRET, A1, iid_a, "not-the-executor", 1, &forged), 0);
	ck_assert_int_eq(siblings(forged, NULL, &r), 200);
	ck_assert_str_eq(jstr(r, "status"), "FAILED");
	ck_assert_msg(strstr(jstr(r, "message"), "Please send valid token for you app instance"),
	              "%s", jstr(r, "message"));
	json_object_put(r);
	free(forged);
	ck_assert_int_eq(drove_instance_token_sign(SECRET, A1, "AI-nosuch", exec_a, 1, &forged), 0);
	ck_assert_int_eq(siblings(forged, NULL, &r), 200);
	ck_assert_str_eq(jstr(r, "status"), "FAILED");
	json_object_put(r);
	free(forged);
	ck_assert_int_eq(siblings(tok_a, "state=NOPE", &r), 400);
	json_object_put(r);

	/* from inside: the container calls the API with its own token and sees its siblings */
	hosts = container_file(json_object_array_get_idx(a1, 0), "hosts");
	ck_assert_msg(hosts && sscanf(hosts, "%63s", ip) == 1, "hosts: %s", hosts);
	free(hosts);
	relay_start(ip, dtc.port);
	for (size_t k = 0; k < 2; k++) {
		struct json_object *in =
		        k ? json_object_array_get_idx(b1, 0) : json_object_array_get_idx(a1, 1);
		int64_t end = drove_time_mono_ms() + 30000;
		char *sib = NULL;
		while (!(sib = container_file(in, "sib.json")) && drove_time_mono_ms() < end)
			usleep(250 * 1000);
		ck_assert_msg(sib, "the container of %s never reached the sibling API",
		              jstr(in, "instanceId"));
		r = json_tokener_parse(sib);
		ck_assert_msg(r, "%s", sib);
		got = ids_of(r, k ? B1 : A1);
		ck_assert_str_eq(got,
		                 k ? jstr(json_object_array_get_idx(b1, 0), "instanceId") : want_a);
		free(got);
		json_object_put(r);
		free(sib);
	}
	relay_stop();

	free(want_a);
	free(want_app);
	free(tok_a);
	free(tok_b);
	free(env);
	json_object_put(ra1);
	json_object_put(ra2);
	json_object_put(rb1);
}
END_TEST

Suite *ctrl_iapi_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_iapi");
	s = suite_create("ctrl_iapi");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_sibling_api);
	suite_add_tcase(s, tc);
	return s;
}
