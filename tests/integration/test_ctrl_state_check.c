/* options.instanceStateCheckRetryInterval (issue 22): while a start waits for HEALTHY, the
 * controller re-checks the instance on that interval, as Drove polls the instance record; a
 * report still ends the wait at once, but the wait's timeout is found at a re-check. The
 * simulated executors (test_ctrl_fake.h) accept START_INSTANCE and never report the instance
 * HEALTHY; the app's spec allows 5 s for a start (1 s pull, 2 s readiness, 2 s health), so the
 * wait times out after 5 s. With the interval at 12 s the timeout is found at the first
 * re-check, 12 s after the wait began, and the retry (jobRetryInterval 1 s later) follows
 * it: the second START comes no sooner than 12 s after the first. With the option ignored it
 * would come about 6 s after. Only a lower bound is asserted: a slow machine only adds. */
#include "test_ctrl_env.h"

#define CHECK_INTERVAL_MS 12000

static void never_healthy(void *ud)
{
	(void)ud;
	for (int i = 0; i < 2; i++)
		fx[i]->health_delay_ms = -1;
}

static int starts(void)
{
	return fx[0]->starts + fx[1]->starts;
}

START_TEST(test_timeout_found_at_recheck)
{
	size_t len;
	char *spec = drove_test_read_source_file("tests/data/model/application.json", &len);
	struct json_object *j = json_tokener_parse(spec), *o;
	const char *checks[2] = {"readiness", "healthcheck"};
	char *body, *out = NULL;
	int64_t first = 0, second = 0, end;

	ck_assert_ptr_nonnull(j);
	ck_assert(json_object_object_get_ex(j, "executable", &o));
	json_object_object_add(o, "dockerPullTimeout", json_object_new_string("1 second"));
	for (int k = 0; k < 2; k++) {
		ck_assert(json_object_object_get_ex(j, checks[k], &o));
		json_object_object_add(o, "timeout", json_object_new_string("1 second"));
		json_object_object_add(o, "interval", json_object_new_string("1 second"));
		json_object_object_add(o, "attempts", json_object_new_int(1));
	}
	body = drove__asprintf("{\"type\":\"CREATE\",\"spec\":%s,\"instances\":0," OPSPEC "}",
	                       json_object_to_json_string(j));
	json_object_put(j);
	free(spec);
	ck_assert_int_eq(post_op(body, &out), 200);
	free(out);
	free(body);
	on_loop(never_healthy, NULL);
	ck_assert_int_eq(post_op("{\"type\":\"SCALE\",\"appId\":\"" APP "\","
	                         "\"requiredInstances\":1,\"opSpec\":{\"timeout\":\"2 seconds\","
	                         "\"parallelism\":1,\"failureStrategy\":\"STOP\"}}",
	                         &out),
	                 200);
	free(out);
	end = drove_time_mono_ms() + 90000;
	while (!second && drove_time_mono_ms() < end) {
		int n = starts(); /* read across threads: an int the loop only increments */
		if (n >= 1 && !first)
			first = drove_time_mono_ms();
		if (n >= 2)
			second = drove_time_mono_ms();
		usleep(20 * 1000);
	}
	ck_assert_msg(first && second, "no retry after the timed-out start (starts %d)", starts());
	/* the first start was seen at most a poll after it was accepted; margin 1 s */
	ck_assert_msg(second - first >= CHECK_INTERVAL_MS - 1000,
	              "the retry came %lld ms after the first start: the timeout was not found at "
	              "a re-check %d ms apart",
	              (long long)(second - first), CHECK_INTERVAL_MS);
}
END_TEST

static void setup_interval(void)
{
	opts_extra = "  instanceStateCheckRetryInterval: 12s\n";
	setup();
}

Suite *ctrl_state_check_suite(void)
{
	Suite *s = suite_create("ctrl_state_check");
	TCase *tc = tcase_create("local");
	tcase_add_checked_fixture(tc, setup_interval, teardown);
	tcase_set_timeout(tc, 150);
	tcase_add_test(tc, test_timeout_found_at_recheck);
	suite_add_tcase(s, tc);
	return s;
}
