/* The executor's syslog appender (issue 16) against a real rsyslogd on loopback: executor 0
 * sends over UDP, executor 1 over TCP (RFC 6587 octet counting); an app on each prints
 * numbered lines and rsyslog receives every one of them as RFC 5424 messages with the app and
 * instance ids in structured data. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include <drove/clock.h>

#include "cluster.h"
#include "core/internal.h"
#include "harness.h"

#define RSYSLOGD "/usr/sbin/rsyslogd"
#define LINES    40

static pid_t rs_pid;

static void teardown(void)
{
	if (rs_pid > 0) {
		kill(rs_pid, SIGTERM);
		waitpid(rs_pid, NULL, 0);
		rs_pid = 0;
	}
	dtc_teardown();
}

/* rsyslogd in the foreground: UDP on `udp`, TCP on `tcp`, each into its own file. */
static void start_rsyslog(int udp, int tcp)
{
	char conf[256], log[256], pid[256], *y;
	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", dtc.dir);
	snprintf(log, sizeof(log), "%s/rsyslog.log", dtc.dir);
	snprintf(pid, sizeof(pid), "%s/rsyslog.pid", dtc.dir);
	y = drove__asprintf(
	        "global(workDirectory=\"%s\")\n"
	        "module(load=\"imudp\")\nmodule(load=\"imtcp\")\n"
	        "template(name=\"t\" type=\"string\" string=\"%%app-name%% %%structured-data%% "
	        "%%msg%%\\n\")\n"
	        "ruleset(name=\"u\") { action(type=\"omfile\" file=\"%s/udp.log\" template=\"t\") "
	        "}\n"
	        "ruleset(name=\"c\") { action(type=\"omfile\" file=\"%s/tcp.log\" template=\"t\") "
	        "}\n"
	        "input(type=\"imudp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"u\")\n"
	        "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"c\")\n",
	        dtc.dir, dtc.dir, dtc.dir, udp, tcp);
	dtc_write_file(conf, y);
	free(y);
	{
		char *argv[] = {(char *)RSYSLOGD, (char *)"-n", (char *)"-f", conf,
		                (char *)"-i",     pid,          NULL};
		rs_pid = dtc_spawn_argv(argv, log);
	}
}

/* An app pinned by tag to one executor, printing LINES numbered lines then serving HTTP. */
static void create_app(const char *name, const char *tag)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *o = json_tokener_parse(spec), *args = json_object_new_array();
	struct json_object *pp = json_object_new_object();
	char *body, *script;
	ck_assert_ptr_nonnull(o);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_del(o, "exposureSpec");
	json_object_object_add(pp, "type", json_object_new_string("MATCH_TAG"));
	json_object_object_add(pp, "tag", json_object_new_string(tag));
	json_object_object_add(o, "placementPolicy", pp);
	script = drove__asprintf("i=1; while [ $i -le %d ]; do echo \"syslog-line-$i \\\"q\\\"\"; "
	                         "i=$((i+1)); done; echo to-stderr >&2; "
	                         "exec httpd -f -p 8000 -h /www",
	                         LINES);
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(args, json_object_new_string(script));
	json_object_object_add(o, "args", args);
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":1," DTC_OPSPEC "}",
	                       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	dtc_post_ok("/apis/v1/applications/operations", body);
	free(body);
	free(script);
	free(spec);
	json_object_put(o);
}

/* The id of the app's HEALTHY instance (waits for it). */
static char *healthy_id(const char *app)
{
	char path[256];
	int64_t end = drove_time_mono_ms() + 120000;
	snprintf(path, sizeof(path), "/apis/v1/applications/%s/instances?state=HEALTHY", app);
	for (;;) {
		struct json_object *root, *d = dtc_get_data(path, &root), *id;
		if (json_object_array_length(d) == 1 &&
		    json_object_object_get_ex(json_object_array_get_idx(d, 0), "instanceId", &id)) {
			char *s = drove__strdup(json_object_get_string(id));
			json_object_put(root);
			return s;
		}
		json_object_put(root);
		ck_assert_msg(drove_time_mono_ms() < end, "%s: no HEALTHY instance", app);
		usleep(250 * 1000);
	}
}

/* Wait until `file` holds every numbered line of `app`/`iid`, each exactly once. */
static void wait_lines(const char *file, const char *app, const char *iid)
{
	char path[256];
	int64_t end = drove_time_mono_ms() + 30000;
	snprintf(path, sizeof(path), "%s/%s", dtc.dir, file);
	for (;;) {
		char *text = dtc_read_file(path);
		int all = text != NULL;
		for (int k = 1; all && k <= LINES; k++) {
			char *want =
			        drove__asprintf("%s [drove@32473 appId=\"%s\" instanceId=\"%s\"] "
			                        "syslog-line-%d \"q\"\n",
			                        app, app, iid, k);
			const char *hit = strstr(text, want);
			all = hit && !strstr(hit + 1, want);
			free(want);
		}
		if (all) {
			ck_assert_msg(strstr(text, "to-stderr\n"), "%s", text);
			free(text);
			return;
		}
		ck_assert_msg(drove_time_mono_ms() < end, "%s lacks lines of %s/%s:\n%s", file, app,
		              iid, text ? text : "(none)");
		free(text);
		usleep(250 * 1000);
	}
}

START_TEST(test_lines_reach_rsyslog)
{
	int udp = dtc_free_port(), tcp = dtc_free_port();
	char *lines, *iu, *it;
	start_rsyslog(udp, tcp);
	dtc_start_controller(0, 0, NULL);
	dtc_wait_ping(30000);
	lines = drove__asprintf("    - {type: syslog, host: 127.0.0.1, port: %d}\n", udp);
	dtc.exec_appenders = lines;
	dtc.exec_resources = "  tags: [udp]\n";
	dtc_start_executor(0, 1, NULL);
	free(lines);
	lines = drove__asprintf("    - {type: syslog, host: 127.0.0.1, port: %d, protocol: TCP, "
	                        "facility: LOCAL3}\n",
	                        tcp);
	dtc.exec_appenders = lines;
	dtc.exec_resources = "  tags: [tcp]\n";
	dtc_start_executor(1, 1, NULL);
	free(lines);
	dtc.exec_appenders = dtc.exec_resources = NULL;
	dtc_wait_execs(2, 30000);
	create_app("DROVE_SYSLOG_U", "udp");
	create_app("DROVE_SYSLOG_T", "tcp");
	iu = healthy_id("DROVE_SYSLOG_U-1");
	it = healthy_id("DROVE_SYSLOG_T-1");
	wait_lines("udp.log", "DROVE_SYSLOG_U-1", iu);
	wait_lines("tcp.log", "DROVE_SYSLOG_T-1", it);
	free(iu);
	free(it);
}
END_TEST

Suite *exec_syslog_suite(void)
{
	Suite *s;
	TCase *tc;

	dtc_require("test_exec_syslog");
	if (access(RSYSLOGD, X_OK) != 0) {
		fprintf(stderr,
		        "test_exec_syslog: %s missing (Debian's rsyslog package; "
		        "scripts/deps.sh)\n",
		        RSYSLOGD);
		exit(getenv("DROVE_REQUIRE_COMPONENTS") ? 1 : 77);
	}
	s = suite_create("exec_syslog");
	tc = tcase_create("rsyslog");
	tcase_add_checked_fixture(tc, dtc_setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_lines_reach_rsyslog);
	suite_add_tcase(s, tc);
	return s;
}
