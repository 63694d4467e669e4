/* The cached renderings of the large list reads (issue 21, libdrove/ctrl/vcache.c) on the
 * fixture of test_ctrl_env.h: GET /applications, /endpoints and /cluster/executors keep their
 * bodies until what they show changes; each test reads a body, changes the state (a scale, an
 * instance's state, an executor's loss) and fails if the read keeps showing the old body.
 * The bodies are also compared byte for byte with the uncached one-app rendering. */
#include "test_ctrl_env.h"

#define ENVELOPE_HEAD "{\"status\":\"SUCCESS\",\"data\":"
#define ENVELOPE_TAIL ",\"message\":\"success\"}"

static char *get_body(const char *path)
{
	char *b = NULL;
	ck_assert_int_eq(http("GET", path, NULL, &b), 200);
	ck_assert_ptr_nonnull(b);
	return b;
}

static int64_t app_summary_field(const char *field)
{
	struct json_object *root, *d = get_data("/apis/v1/applications", &root), *a, *v;
	int64_t n = -1;
	if ((a = json_object_object_get(d, APP)) && (v = json_object_object_get(a, field)))
		n = json_object_get_int64(v);
	json_object_put(root);
	return n;
}

/* Host ports of the app's endpoints, in *ports (at most 16); @return their count. */
static int endpoint_ports(int *ports)
{
	struct json_object *root, *d = get_data("/apis/v1/endpoints", &root), *hosts;
	int n = 0;
	ck_assert_int_eq((int)json_object_array_length(d), 1);
	hosts = json_object_object_get(json_object_array_get_idx(d, 0), "hosts");
	for (size_t i = 0; i < json_object_array_length(hosts) && n < 16; i++)
		ports[n++] = json_object_get_int(
		        json_object_object_get(json_object_array_get_idx(hosts, i), "port"));
	json_object_put(root);
	return n;
}

static int64_t used_cores(void)
{
	struct json_object *root, *d = get_data("/apis/v1/cluster/executors", &root);
	int64_t used = 0;
	for (size_t i = 0; i < json_object_array_length(d); i++)
		used += json_object_get_int64(
		        json_object_object_get(json_object_array_get_idx(d, i), "usedCores"));
	json_object_put(root);
	return used;
}

/* The state of executor `id` in GET /cluster/executors, or "" when absent (caller frees). */
static char *exec_state(const char *id)
{
	struct json_object *root, *d = get_data("/apis/v1/cluster/executors", &root);
	char *st = drove__strdup("");
	for (size_t i = 0; i < json_object_array_length(d); i++) {
		struct json_object *e = json_object_array_get_idx(d, i);
		if (!strcmp(json_object_get_string(json_object_object_get(e, "executorId")), id)) {
			free(st);
			st = drove__strdup(
			        json_object_get_string(json_object_object_get(e, "state")));
		}
	}
	json_object_put(root);
	return st;
}

START_TEST(test_same_bytes)
{
	char *one, *all, *all2, *want;
	size_t n;

	create_app(2);
	wait_app("RUNNING", 2, 10000);
	one = get_body("/apis/v1/applications/" APP);
	all = get_body("/apis/v1/applications");
	all2 = get_body("/apis/v1/applications"); /* from the kept body */
	ck_assert_str_eq(all, all2);
	/* the list holds the one-app rendering (never cached) byte for byte */
	n = strlen(one);
	ck_assert_int_gt((int)n, (int)(strlen(ENVELOPE_HEAD) + strlen(ENVELOPE_TAIL)));
	ck_assert(!strncmp(one, ENVELOPE_HEAD, strlen(ENVELOPE_HEAD)));
	one[n - strlen(ENVELOPE_TAIL)] = '\0';
	want = drove__asprintf(ENVELOPE_HEAD "{\"" APP "\":%s}" ENVELOPE_TAIL,
	                       one + strlen(ENVELOPE_HEAD));
	ck_assert_str_eq(all, want);
	free(want);
	free(one);
	free(all);
	free(all2);
	/* paging is its own body */
	all = get_body("/apis/v1/applications?from=1");
	ck_assert_str_eq(all, ENVELOPE_HEAD "{}" ENVELOPE_TAIL);
	free(all);
	all = get_body("/apis/v1/cluster/executors");
	all2 = get_body("/apis/v1/cluster/executors");
	ck_assert_str_eq(all, all2);
	free(all);
	free(all2);
}
END_TEST

START_TEST(test_scale_shows)
{
	int ports[16];
	int64_t used;

	create_app(2);
	wait_app("RUNNING", 2, 10000);
	ck_assert_int_eq(app_summary_field("requiredInstances"), 2);
	ck_assert_int_eq(app_summary_field("healthyInstances"), 2);
	ck_assert_int_eq(endpoint_ports(ports), 2);
	used = used_cores();
	simple_op("SCALE", "\"requiredInstances\":3");
	/* stored before the reply: the next read shows it */
	ck_assert_int_eq(app_summary_field("requiredInstances"), 3);
	wait_app("RUNNING", 3, 10000);
	for (int i = 0; i < 400 && (app_summary_field("healthyInstances") != 3 ||
	                            endpoint_ports(ports) != 3 || used_cores() <= used);
	     i++)
		usleep(25 * 1000);
	ck_assert_int_eq(app_summary_field("healthyInstances"), 3);
	ck_assert_int_eq(endpoint_ports(ports), 3);
	ck_assert_int_gt(used_cores(), used);
	simple_op("SCALE", "\"requiredInstances\":1");
	ck_assert_int_eq(app_summary_field("requiredInstances"), 1);
	wait_app("RUNNING", 1, 10000);
	for (int i = 0; i < 400 && endpoint_ports(ports) != 1; i++)
		usleep(25 * 1000);
	ck_assert_int_eq(endpoint_ports(ports), 1);
	ck_assert_int_eq(app_summary_field("healthyInstances"), 1);
}
END_TEST

struct unhealthy {
	int port; /* in: the host port of an instance to turn UNHEALTHY */
	int done;
};

static void make_unhealthy(void *ud)
{
	struct unhealthy *u = ud;
	/* its replacement never turns HEALTHY (it could take the same host port) */
	fx[0]->health_delay_ms = fx[1]->health_delay_ms = -1;
	for (int e = 0; e < 2 && !u->done; e++)
		for (size_t i = 0; i < fx[e]->n; i++)
			if (fx[e]->insts[i].host_port == u->port) {
				fake_later(fx[e], fx[e]->insts[i].id, DROVE_INST_UNHEALTHY, 0);
				u->done = 1;
				break;
			}
}

START_TEST(test_instance_state_shows)
{
	int ports[16], n = 0;
	struct unhealthy u = {0};

	create_app(2);
	wait_app("RUNNING", 2, 10000);
	ck_assert_int_eq(endpoint_ports(ports), 2);
	ck_assert_int_eq(app_summary_field("healthyInstances"), 2);
	u.port = ports[0];
	on_loop(make_unhealthy, &u);
	ck_assert(u.done);
	/* the instance no longer HEALTHY leaves the endpoints and the healthy count */
	for (int i = 0; i < 400 && (n = endpoint_ports(ports)) != 1; i++)
		usleep(25 * 1000);
	ck_assert_msg(n == 1, "the UNHEALTHY instance is still an endpoint");
	ck_assert_int_eq(app_summary_field("healthyInstances"), 1);
}
END_TEST

static void kill_fake(void *ud)
{
	((struct fake_exec *)ud)->dead = 1;
}

START_TEST(test_executor_loss_shows)
{
	char *st = exec_state(fx[1]->id);
	int removed = 0;

	ck_assert_str_eq(st, "ACTIVE");
	free(st);
	on_loop(kill_fake, fx[1]);
	/* staleExecutorAge is 2 s here */
	for (int i = 0; i < 400 && !removed; i++) {
		st = exec_state(fx[1]->id);
		removed = !strcmp(st, "REMOVED");
		free(st);
		if (!removed)
			usleep(25 * 1000);
	}
	ck_assert_msg(removed, "the lost executor is still listed as it was");
	st = exec_state(fx[0]->id);
	ck_assert_str_eq(st, "ACTIVE");
	free(st);
}
END_TEST

Suite *ctrl_vcache_suite(void)
{
	Suite *s = suite_create("ctrl_vcache");
	TCase *tc = tcase_create("local");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_same_bytes);
	tcase_add_test(tc, test_scale_shows);
	tcase_add_test(tc, test_instance_state_shows);
	tcase_add_test(tc, test_executor_loss_shows);
	suite_add_tcase(s, tc);
	return s;
}
