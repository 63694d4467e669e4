/* HTTPS readiness and health checks with and without `insecure` (issue 22), end to end: a
 * real executor starts apps on podman from the TLS test image (localhost/drove-test-tls,
 * scripts/make-test-image.sh --tls), whose `openssl s_server -www` serves HTTPS with a
 * self-signed certificate nobody trusts:
 * - readiness and health over HTTPS with insecure=true: the instance becomes HEALTHY;
 * - both with insecure=false: READINESS_CHECK_FAILED with the reason (TLS certificate
 *   verification failed), never HEALTHY, then STOPPED;
 * - readiness insecure, health not: READY, then STOPPING "Healthcheck failed:" with the same
 *   reason, never HEALTHY. */
#include "test_exec_env.h"

static const char *tls_image;

/* The sample app as an instance spec on the TLS image, serving HTTPS on port "main" (8000);
 * readiness and health over HTTPS with their `insecure` switches as given. */
static char *https_spec(int ready_insecure, int health_insecure, char *id, size_t n)
{
	char *spec = app_instance_spec(0, NULL, 0, id, n), *out;
	struct json_object *j, *o, *mode, *args;
	const char *names[2] = {"readiness", "healthcheck"};
	int insecure[2] = {ready_insecure, health_insecure};
	track("DROVE_TEST_APP-1-", id);
	ck_assert_ptr_nonnull(j = json_tokener_parse(spec));
	free(spec);
	ck_assert(json_object_object_get_ex(j, "executable", &o));
	json_object_object_add(o, "url", json_object_new_string(tls_image));
	for (int k = 0; k < 2; k++) {
		ck_assert(json_object_object_get_ex(j, names[k], &o));
		ck_assert(json_object_object_get_ex(o, "mode", &mode));
		json_object_object_add(mode, "protocol", json_object_new_string("HTTPS"));
		json_object_object_add(mode, "insecure", json_object_new_boolean(insecure[k]));
		json_object_object_add(o, "timeout", json_object_new_string("2 seconds"));
		json_object_object_add(o, "interval", json_object_new_string("1 second"));
		json_object_object_add(o, "attempts", json_object_new_int(3));
	}
	/* pid 1 ignores SIGTERM without a handler: the trap lets a stop end it at once */
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("sh"));
	json_object_array_add(args, json_object_new_string("-c"));
	json_object_array_add(
	        args, json_object_new_string("trap 'exit 0' TERM; openssl s_server -quiet -www "
	                                     "-accept 8000 -cert /tls/cert.pem -key /tls/key.pem "
	                                     "& wait"));
	json_object_object_add(j, "args", args);
	out = drove__asprintf("\"spec\":%s", json_object_to_json_string(j));
	json_object_put(j);
	return out;
}

static void start_https_app(int ready_insecure, int health_insecure, char *id, size_t n)
{
	struct hres h;
	char *extra = https_spec(ready_insecure, health_insecure, id, n);
	send_msg(drove_executor_port(ex), "START_INSTANCE", extra, &h);
	ck_assert_msg(strstr(h.body, "\"status\":\"ACCEPTED\""), "%s", h.body);
	free(extra);
}

START_TEST(test_https_insecure_healthy)
{
	char id[64];
	start_executor();
	start_https_app(1, 1, id, sizeof(id));
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY) >= 0, 90000,
	         "HEALTHY over HTTPS with insecure");
	/* and it stays so: three more health intervals pass without a failure */
	spin(3500);
	ck_assert_int_lt(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_UNHEALTHY), 0);
	ck_assert_int_lt(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPING), 0);
}
END_TEST

START_TEST(test_https_untrusted_readiness)
{
	char id[64];
	int k;
	start_executor();
	start_https_app(0, 0, id, sizeof(id));
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT,
	                       DROVE_INST_READINESS_CHECK_FAILED)) >= 0,
	         90000, "READINESS_CHECK_FAILED against a self-signed certificate");
	ck_assert_msg(strstr(recs[k].err, "Readiness check failed: TLS certificate verification "
	                                  "failed"),
	              "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED");
	ck_assert_int_lt(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READY), 0);
	ck_assert_int_lt(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY), 0);
}
END_TEST

START_TEST(test_https_untrusted_health)
{
	char id[64];
	int k;
	start_executor();
	start_https_app(1, 0, id, sizeof(id));
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_READY) >= 0, 90000,
	         "READY with an insecure readiness check");
	WAIT_FOR((k = find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPING)) >= 0,
	         60000, "STOPPING after the untrusted health check");
	ck_assert_msg(strstr(recs[k].err, "Healthcheck failed:TLS certificate verification failed"),
	              "%s", recs[k].err);
	WAIT_FOR(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_STOPPED) >= 0, 60000,
	         "STOPPED");
	ck_assert_int_lt(find_rec(0, id, DROVE_MSG_INSTANCE_STATE_REPORT, DROVE_INST_HEALTHY), 0);
}
END_TEST

static void tls_setup(void)
{
	tls_image = drove_test_require_env("DROVE_TEST_TLS_IMAGE",
	                                   "the TLS test image (make-test-image.sh --tls)");
	setup();
}

Suite *exec_tls_checks_suite(void)
{
	Suite *s = suite_create("exec_tls_checks");
	TCase *tc = tcase_create("podman");
	tcase_add_checked_fixture(tc, tls_setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_https_insecure_healthy);
	tcase_add_test(tc, test_https_untrusted_readiness);
	tcase_add_test(tc, test_https_untrusted_health);
	suite_add_tcase(s, tc);
	return s;
}
