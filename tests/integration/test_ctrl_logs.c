/* The controller's log-file proxy (§2.9) against a real cluster: a controller, an executor and
 * podman; the container prints a line a second. List, read with Drove's offset semantics,
 * follow, download, refused file names, unknown objects, and the CLI through the proxy. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

#define APP "DROVE_TEST_APP-1"

/* The sample app as `name`-1 running `script` (sh -c) before its httpd. */
static void create_app(const char *name, const char *script)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *o = json_tokener_parse(spec), *args = json_object_new_array();
	char *body, *b = NULL;
	long code;

	ck_assert_ptr_nonnull(o);
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(args, json_object_new_string(script));
	json_object_object_add(o, "args", args);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_del(o, "exposureSpec");
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":1," DTC_OPSPEC "}",
	                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	code = dtc_http("POST", "/apis/v1/applications/operations", body, &b);
	ck_assert_msg(code == 200, "create -> %ld %s", code, b);
	free(b);
	free(body);
	free(spec);
	json_object_put(o);
}

/* The id of the app's HEALTHY instance (waits). */
static char *healthy_instance(const char *app, int64_t ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	char path[256];
	snprintf(path, sizeof(path), "/apis/v1/applications/%s/instances?state=HEALTHY", app);
	while (drove_time_mono_ms() < end) {
		struct json_object *root, *d = dtc_get_data(path, &root);
		if (json_object_array_length(d) == 1) {
			char *id = drove__strdup(json_object_get_string(json_object_object_get(
			        json_object_array_get_idx(d, 0), "instanceId")));
			json_object_put(root);
			return id;
		}
		json_object_put(root);
		usleep(200 * 1000);
	}
	ck_abort_msg("no HEALTHY instance of %s within %lld ms", app, (long long)ms);
	return NULL;
}

struct resp {
	long code;
	drove__buf body, hdrs;
};

static size_t on_data(char *p, size_t s, size_t n, void *ud)
{
	drove__buf_append(ud, p, s * n);
	return s * n;
}

/* GET `path` on the controller, as is (no dot-segment normalisation), keeping the headers. */
static void get(const char *path, struct resp *r)
{
	CURL *h = curl_easy_init();
	char url[1024];
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", dtc.port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r->hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->code);
	curl_easy_cleanup(h);
	drove__buf_puts(&r->body, "");
	drove__buf_puts(&r->hdrs, "");
}

static size_t on_data_abort(char *p, size_t s, size_t n, void *ud)
{
	drove__buf *b = ud;
	(void)p;
	b->len += s * n;
	return b->len > 64 * 1024 ? 0 : s * n; /* hang up after 64 KiB */
}

/* Start a download and hang up in the middle; returns the bytes received. */
static size_t get_and_hang_up(const char *path)
{
	CURL *h = curl_easy_init();
	drove__buf b = DROVE_BUF_INIT;
	char url[1024];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", dtc.port, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data_abort);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 16384L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	ck_assert_int_eq(curl_easy_perform(h), CURLE_WRITE_ERROR);
	curl_easy_cleanup(h);
	return b.len;
}

static void resp_free(struct resp *r)
{
	drove__buf_free(&r->body);
	drove__buf_free(&r->hdrs);
}

/* read/{file}?{query}: 200 with {"data","offset"}; returns data (free()), sets *offset and
 * *len (may be NULL). */
static char *read_log_of(const char *app, const char *iid, const char *query, int64_t *offset,
                         size_t *len)
{
	struct resp r;
	char path[512];
	struct json_object *o, *d, *off;
	char *data;
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/%s/%s/read/output.log?%s", app,
	         iid, query);
	get(path, &r);
	ck_assert_msg(r.code == 200, "%s -> %ld %s", path, r.code, r.body.data);
	o = json_tokener_parse(r.body.data);
	ck_assert_msg(o && json_object_object_get_ex(o, "data", &d) &&
	                      json_object_object_get_ex(o, "offset", &off) &&
	                      !json_object_object_get_ex(o, "status", NULL),
	              "not a bare {data,offset}: %s", r.body.data);
	data = drove__strndup(json_object_get_string(d), (size_t)json_object_get_string_len(d));
	if (len)
		*len = (size_t)json_object_get_string_len(d);
	*offset = json_object_get_int64(off);
	json_object_put(o);
	resp_free(&r);
	return data;
}

static char *read_log(const char *iid, const char *query, int64_t *offset)
{
	return read_log_of(APP, iid, query, offset, NULL);
}

static void expect(const char *path, long code, const char *needle)
{
	struct resp r;
	get(path, &r);
	ck_assert_msg(r.code == code, "%s -> %ld (want %ld) %s", path, r.code, code, r.body.data);
	if (needle)
		ck_assert_msg(strstr(r.body.data, needle), "%s: '%s' not in %s", path, needle,
		              r.body.data);
	else
		ck_assert_msg(r.body.len == 0, "%s: body %s", path, r.body.data);
	resp_free(&r);
}

/* Run the CLI with stdout to a file; returns its exit status and the output (free()). */
static int cli(char **out, const char *const *args)
{
	char url[64], path[256];
	const char *argv[16];
	size_t n = 0;
	pid_t pid;
	int st;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", dtc.port);
	snprintf(path, sizeof(path), "%s/cli.out", dtc.dir);
	argv[n++] = DTC_CLI_BIN;
	argv[n++] = "-e";
	argv[n++] = url;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, 1);
		setenv("HOME", dtc.dir, 1);
		setenv("DROVE_CLI_POLL_MS", "200", 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	*out = dtc_read_file(path);
	ck_assert_ptr_nonnull(*out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

START_TEST(test_logs_proxy)
{
	char *iid, *d0, *d1, path[512], *out = NULL;
	int64_t size = 0, off, end;
	struct resp r;

	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(20000);
	dtc_start_executor(0, 1, NULL);
	dtc_wait_execs(1, 30000);
	create_app("DROVE_TEST_APP", "(i=0; while true; do echo \"line $i\"; i=$((i+1)); sleep 1; "
	                             "done) & exec httpd -f -p 8000 -h /www");
	create_app("DROVE_TEST_BIG", "seq 1 200000; exec httpd -f -p 8000 -h /www");
	iid = healthy_instance(APP, 90000);

	/* list: bare {"files":[...]} with output.log */
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/" APP "/%s/list", iid);
	expect(path, 200, "{\"files\":[\"output.log\"");

	/* both -1: "" and the size; wait for a few lines */
	end = drove_time_mono_ms() + 20000;
	while (size < 20 && drove_time_mono_ms() < end) {
		d0 = read_log(iid, "offset=-1&length=-1", &size);
		ck_assert_str_eq(d0, "");
		free(d0);
		usleep(500 * 1000);
	}
	ck_assert_int_ge(size, 20);

	/* from 0: the data, and the offset is the requested one (not advanced) */
	d0 = read_log(iid, "offset=0&length=-1", &off);
	ck_assert_int_eq(off, 0);
	ck_assert_msg(strncmp(d0, "line 0\nline 1\n", 14) == 0, "from 0: %s", d0);
	ck_assert_int_ge((int64_t)strlen(d0), size);
	/* a window: 5 bytes from 5 */
	d1 = read_log(iid, "offset=5&length=5", &off);
	ck_assert_int_eq(off, 5);
	ck_assert_str_eq(d1, "0\nlin");
	free(d1);

	/* follow: read on from where the data ended, as the CLI does */
	off = (int64_t)strlen(d0);
	{
		char q[64];
		int64_t o2;
		snprintf(q, sizeof(q), "offset=%lld&length=-1", (long long)off);
		d1 = NULL;
		end = drove_time_mono_ms() + 10000;
		while (drove_time_mono_ms() < end) {
			free(d1);
			d1 = read_log(iid, q, &o2);
			ck_assert_int_eq(o2, off);
			if (strstr(d1, "\n"))
				break;
			usleep(500 * 1000);
		}
		ck_assert_msg(strncmp(d1, "line ", 5) == 0, "followed data: '%s' after '%s'", d1,
		              d0);
		/* the new line is the one after the last line of d0 */
		{
			const char *last = d0 + strlen(d0) - 1;
			int n_last, n_new;
			while (last > d0 && last[-1] != '\n')
				last--;
			ck_assert_int_eq(sscanf(last, "line %d", &n_last), 1);
			ck_assert_int_eq(sscanf(d1, "line %d", &n_new), 1);
			ck_assert_int_eq(n_new, n_last + 1);
		}
		free(d1);
	}

	/* download: the bytes, with the headers */
	snprintf(path, sizeof(path),
	         "/apis/v1/logfiles/applications/" APP "/%s/download/output.log", iid);
	get(path, &r);
	ck_assert_msg(r.code == 200, "download -> %ld %s", r.code, r.body.data);
	ck_assert_msg(strstr(r.hdrs.data, "Content-Type: text/plain"), "%s", r.hdrs.data);
	ck_assert_msg(strstr(r.hdrs.data, "Content-Disposition: attachment; filename=output.log\r"),
	              "%s", r.hdrs.data);
	ck_assert_int_ge(r.body.len, strlen(d0));
	ck_assert_int_eq(memcmp(r.body.data, d0, strlen(d0)), 0);
	resp_free(&r);
	snprintf(path, sizeof(path),
	         "/apis/v1/logfiles/applications/" APP "/%s/download/output.log?rename=true", iid);
	get(path, &r);
	ck_assert_int_eq(r.code, 200);
	{
		char want[256];
		snprintf(want, sizeof(want), "filename=" APP "_%s_output.log-20", iid);
		ck_assert_msg(strstr(r.hdrs.data, want), "no '%s' in %s", want, r.hdrs.data);
	}
	ck_assert_int_eq(memcmp(r.body.data, d0, strlen(d0)), 0);
	resp_free(&r);

	/* names that try to leave the directory: 400 before any proxying */
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/" APP "/%s/read/..%%2F..%%2Fx",
	         iid);
	expect(path, 400, "fileName: '../../x' is not a plain file name");
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/" APP "/%s/read/%%2e%%2e",
	         iid);
	expect(path, 400, "fileName: '..' is not a plain file name");
	snprintf(path, sizeof(path),
	         "/apis/v1/logfiles/applications/" APP "/%s/download/%%2Fetc%%2Fpasswd", iid);
	expect(path, 400, "fileName: '/etc/passwd' is not a plain file name");
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/" APP "/%s/read/a%%00b", iid);
	expect(path, 400, ""); /* %00: refused by the router */
	/* offset/length validation */
	snprintf(path, sizeof(path),
	         "/apis/v1/logfiles/applications/" APP "/%s/read/output.log?offset=-2", iid);
	expect(path, 400, "offset: -2 is below -1");
	snprintf(path, sizeof(path),
	         "/apis/v1/logfiles/applications/" APP "/%s/read/output.log?offset=-1&length=9",
	         iid);
	expect(path, 400, "offset: -1 (the file size) needs length -1, not 9");
	/* the executor's refusal comes back as the reference's 500 */
	snprintf(path, sizeof(path), "/apis/v1/logfiles/applications/" APP "/%s/read/nosuch.log",
	         iid);
	expect(path, 500, "{\"error\":\"Executor call returned: 400 body: {");
	/* unknown objects: 204 */
	expect("/apis/v1/logfiles/applications/" APP "/AI-nosuch/list", 204, NULL);
	expect("/apis/v1/logfiles/applications/NOAPP-1/AI-x/read/output.log", 204, NULL);
	expect("/apis/v1/logfiles/tasks/" APP "/T-nosuch/list", 204, NULL);
	expect("/apis/v1/logfiles/localservices/LS-1/SI-x/download/output.log", 204, NULL);
	expect("/apis/v1/logfiles/other/a/b/list", 404, "");

	/* the CLI through the proxy: list, tail from the start for a few seconds, download */
	{
		const char *ls[] = {"appinstances", "logs", APP, iid, NULL};
		const char *tail[] = {"appinstances", "tail",  APP, iid,
		                      "--from-start", "--for", "3", NULL};
		const char *dl[] = {"appinstances", "download", APP, iid, "-o", "-", NULL};
		int a, b;
		ck_assert_int_eq(cli(&out, ls), 0);
		ck_assert_msg(strstr(out, "'output.log'"), "cli logs: %s", out);
		free(out);
		ck_assert_int_eq(cli(&out, tail), 0);
		ck_assert_msg(strncmp(out, d0, strlen(d0)) == 0, "cli tail: %s", out);
		/* it kept following: its last line is later than the last line of the first read */
		{
			const char *last = out + strlen(out) - 1, *l0 = d0 + strlen(d0) - 1;
			while (last > out && last[-1] != '\n')
				last--;
			while (l0 > d0 && l0[-1] != '\n')
				l0--;
			ck_assert_int_eq(sscanf(last, "line %d", &a), 1);
			ck_assert_int_eq(sscanf(l0, "line %d", &b), 1);
			ck_assert_int_gt(a, b);
		}
		ck_assert_int_gt((int64_t)strlen(out), (int64_t)strlen(d0));
		free(out);
		ck_assert_int_eq(cli(&out, dl), 0);
		ck_assert_int_eq(strncmp(out, d0, strlen(d0)), 0);
		free(out);
	}
	free(d0);
	free(iid);

	/* a file above 1 MiB: reads are capped at 1 MiB, download streams it whole */
	{
		drove__buf want = DROVE_BUF_INIT;
		char *big = healthy_instance("DROVE_TEST_BIG-1", 90000), *d;
		size_t n = 0;
		for (int i = 1; i <= 200000; i++)
			drove__buf_printf(&want, "%d\n", i);
		end = drove_time_mono_ms() + 30000;
		do {
			d = read_log_of("DROVE_TEST_BIG-1", big, "offset=-1&length=-1", &size,
			                NULL);
			free(d);
		} while (size < (int64_t)want.len && drove_time_mono_ms() < end && !usleep(200000));
		ck_assert_int_eq(size, (int64_t)want.len);
		d = read_log_of("DROVE_TEST_BIG-1", big, "offset=0&length=104857600", &off, &n);
		ck_assert_int_eq(n, 1024 * 1024);
		ck_assert_int_eq(memcmp(d, want.data, n), 0);
		free(d);
		snprintf(path, sizeof(path),
		         "/apis/v1/logfiles/applications/DROVE_TEST_BIG-1/%s/download/output.log",
		         big);
		get(path, &r);
		ck_assert_int_eq(r.code, 200);
		ck_assert_int_eq(r.body.len, want.len);
		ck_assert_int_eq(memcmp(r.body.data, want.data, want.len), 0);
		resp_free(&r);
		/* a client that hangs up mid-download: the controller drops the transfer and
		 * goes on serving (under ASan: no use after free, no leak) */
		for (int i = 0; i < 3; i++)
			ck_assert_int_gt(get_and_hang_up(path), 64 * 1024);
		snprintf(path, sizeof(path),
		         "/apis/v1/logfiles/applications/DROVE_TEST_BIG-1/%s/list", big);
		expect(path, 200, "\"output.log\"");
		drove__buf_free(&want);
		free(big);
	}
}
END_TEST

Suite *ctrl_logs_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_ctrl_logs");
	s = suite_create("ctrl_logs");
	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, dtc_setup, dtc_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_logs_proxy);
	suite_add_tcase(s, tc);
	return s;
}
