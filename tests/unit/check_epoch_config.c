/* epoch.yml: Epoch's configuration file, defaults, ${ENV}, errors naming file:line: key. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "harness.h"

static drove_ctx *ctx;
static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
}
static void teardown(void)
{
	drove_ctx_free(ctx);
}

static const char *FULL = "server:\n"
                          "  applicationConnectors:\n    - type: http\n      port: 6200\n"
                          "  adminConnectors:\n    - type: http\n      port: 6201\n"
                          "      bindHost: 127.0.0.9\n"
                          "  applicationContextPath: /\n"
                          "  requestLog:\n    appenders:\n      - type: console\n"
                          "logging:\n  level: DEBUG\n  loggers:\n    com.phonepe.epoch: DEBUG\n"
                          "zookeeper:\n  connectionString: ${EPOCH_TEST_ZK}\n"
                          "drove:\n  endpoints:\n  - http://localhost:10000\n"
                          "  username: u\n  password: p\n  checkInterval: 2 seconds\n"
                          "  clusterOpSpec:\n    timeout: 300 seconds\n    parallelism: 1\n"
                          "userAuth:\n  enabled: true\n  users:\n"
                          "  - username: admin\n    password: admin\n    role: READ_WRITE\n"
                          "  - username: guest\n    password: guest\n    role: READ_ONLY\n"
                          "notify:\n  type: MAIL\n  smtpServer: smtp.example.com\n  port: 2525\n"
                          "  tls: true\n  username: m\n  password: mp\n"
                          "  defaultEmails:\n  - ops@example.com\n"
                          "options:\n  cleanupJobInterval: 10 minutes\n  numRunsPerJob: 3\n"
                          "  misfireWindow: 5 minutes\n  pollInterval: 500ms\n"
                          "  taskTimeout: 1 hour\n  maxActiveRuns: 5000\n";

START_TEST(test_full)
{
	drove_epoch_config *c = NULL;
	int64_t v;
	const char *pw;
	int rw;

	setenv("EPOCH_TEST_ZK", "127.0.0.1:2181", 1);
	if (drove_epoch_config_load_buf(&c, ctx, "epoch.yml", FULL, strlen(FULL)) != 0)
		ck_abort_msg("%s", drove_error_last()->message);
	ck_assert_int_eq(drove_epoch_config_port(c), 6200);
	ck_assert_int_eq(drove_epoch_config_admin_port(c), 6201);
	ck_assert_str_eq(drove_epoch_config_get_string(c, "server.adminConnectors.bindHost"),
	                 "127.0.0.9");
	ck_assert_ptr_null(drove_epoch_config_bind_host(c));
	ck_assert_int_eq(drove_epoch_config_log_level(c), DROVE_LOG_DEBUG);
	ck_assert_str_eq(drove_epoch_config_zk_connection(c), "127.0.0.1:2181");
	ck_assert_str_eq(drove_epoch_config_zk_namespace(c), "epoch");
	ck_assert_ptr_null(drove_epoch_config_data_dir(c));
	ck_assert_str_eq(drove_strlist_get(drove_epoch_config_drove_endpoints(c), 0),
	                 "http://localhost:10000");
	ck_assert_str_eq(drove_epoch_config_get_string(c, "drove.username"), "u");
	ck_assert_str_eq(drove_epoch_config_get_string(c, "drove.appName"), "EPOCH");
	ck_assert_str_eq(drove_epoch_config_get_string(c, "notify.smtpServer"), "smtp.example.com");
	ck_assert_ptr_null(drove_epoch_config_get_string(c, "nope"));
	ck_assert_int_eq(drove_epoch_config_get_int(c, "drove.checkInterval", &v), 0);
	ck_assert_int_eq(v, 2000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "notify.mail", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "notify.port", &v), 0);
	ck_assert_int_eq(v, 2525);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.cleanupJobInterval", &v), 0);
	ck_assert_int_eq(v, 600000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.numRunsPerJob", &v), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.misfireWindow", &v), 0);
	ck_assert_int_eq(v, 300000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.pollInterval", &v), 0);
	ck_assert_int_eq(v, 500);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.taskTimeout", &v), 0);
	ck_assert_int_eq(v, 3600000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.maxActiveRuns", &v), 0);
	ck_assert_int_eq(v, 5000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "userAuth.enabled", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.bogus", &v), DROVE_ENOTFOUND);
	ck_assert_str_eq(drove_strlist_get(drove_epoch_config_default_emails(c), 0),
	                 "ops@example.com");
	ck_assert_uint_eq(drove_epoch_config_user_count(c), 2);
	ck_assert_str_eq(drove_epoch_config_user(c, 0, &pw, &rw), "admin");
	ck_assert_str_eq(pw, "admin");
	ck_assert_int_eq(rw, 1);
	ck_assert_str_eq(drove_epoch_config_user(c, 1, NULL, &rw), "guest");
	ck_assert_int_eq(rw, 0);
	ck_assert_ptr_null(drove_epoch_config_user(c, 2, NULL, NULL));
	drove_epoch_config_free(c);
	drove_epoch_config_free(NULL);
}
END_TEST

START_TEST(test_defaults_and_example)
{
	drove_epoch_config *c = NULL;
	const char *min = "drove:\n  endpoints: [\"http://127.0.0.1:4000\"]\n";
	int64_t v;

	ck_assert_int_eq(drove_epoch_config_load_buf(&c, ctx, "min.yml", min, strlen(min)), 0);
	ck_assert_int_eq(drove_epoch_config_port(c), 8080);
	ck_assert_int_eq(drove_epoch_config_admin_port(c), 8081);
	ck_assert_ptr_null(drove_epoch_config_zk_connection(c));
	ck_assert_str_eq(drove_epoch_config_data_dir(c), "/var/lib/drove-epoch");
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.numRunsPerJob", &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.misfireWindow", &v), 0);
	ck_assert_int_eq(v, 60000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.pollInterval", &v), 0);
	ck_assert_int_eq(v, 1000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.taskTimeout", &v), 0);
	ck_assert_int_eq(v, 300000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "options.maxActiveRuns", &v), 0);
	ck_assert_int_eq(v, 32768);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "drove.checkInterval", &v), 0);
	ck_assert_int_eq(v, 5000);
	ck_assert_int_eq(drove_epoch_config_get_int(c, "notify.mail", &v), 0);
	ck_assert_int_eq(v, 0);
	drove_epoch_config_free(c);

	unsetenv("EPOCH_DATA_DIR");
	ck_assert_int_eq(
	        drove_epoch_config_load(&c, ctx, DROVE_SOURCE_DIR "/examples/epoch/epoch.yml"), 0);
	ck_assert_int_eq(drove_epoch_config_port(c), 8080);
	ck_assert_str_eq(drove_epoch_config_data_dir(c), "/var/lib/drove-epoch");
	ck_assert_uint_eq(drove_epoch_config_user_count(c), 2);
	drove_epoch_config_free(c);
	drove_assert_error(drove_epoch_config_load(&c, ctx, "/nonexistent/epoch.yml"), DROVE_EIO,
	                   "cannot open");
}
END_TEST

struct bad {
	const char *yaml, *msg;
};

static const struct bad BAD[] = {
        {"server: {}\n", "drove: required"},
        {"drove:\n  endpoints: []\n", "drove.endpoints: at least one endpoint"},
        {"drove:\n  endpoints: [a]\n  colour: red\n", "drove.colour"},
        {"drove:\n  endpoints: [a]\nzookeeper:\n  nameSpace: x\n",
         "zookeeper.connectionString: required"},
        {"drove:\n  endpoints: [a]\nuserAuth:\n  users:\n  - username: a\n    password: b\n"
         "    role: ADMIN\n",
         "userAuth.users[0].role"},
        {"drove:\n  endpoints: [a]\nuserAuth:\n  users:\n  - username: a\n    role: READ_ONLY\n",
         "userAuth.users[0].password: required"},
        {"drove:\n  endpoints: [a]\nnotify:\n  type: MAIL\n", "notify.smtpServer: required"},
        {"drove:\n  endpoints: [a]\nnotify:\n  type: PIGEON\n", "notify.type"},
        {"drove:\n  endpoints: [a]\noptions:\n  numRunsPerJob: -1\n", "options.numRunsPerJob"},
        {"drove:\n  endpoints: [a]\noptions:\n  cleanupJobInterval: soon\n",
         "options.cleanupJobInterval"},
        {"drove:\n  endpoints: [a]\noptions:\n  pollInterval: 10ms\n", "options.pollInterval"},
        {"drove:\n  endpoints: [a]\noptions:\n  misfireWindow: 2 days\n", "options.misfireWindow"},
        {"drove:\n  endpoints: [a]\noptions:\n  taskTimeout: never\n", "options.taskTimeout"},
        {"drove:\n  endpoints: [a]\noptions:\n  maxActiveRuns: 10\n", "options.maxActiveRuns"},
        {"drove:\n  endpoints: [a]\noptions:\n  maxActiveRuns: many\n", "options.maxActiveRuns"},
        {"drove:\n  endpoints: [a]\nserver:\n  applicationConnectors:\n    - port: 99999\n",
         "server.applicationConnectors[0].port"},
        {"drove:\n  endpoints: [a]\nextra: 1\n", "extra"},
        {"- a\n- b\n", "must be a map"},
};

START_TEST(test_bad)
{
	drove_epoch_config *c = NULL;
	const struct bad *b = &BAD[_i];

	ck_assert_int_eq(drove_epoch_config_load_buf(&c, ctx, "bad.yml", b->yaml, strlen(b->yaml)),
	                 DROVE_EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(drove_error_last()->message, b->msg) != NULL, "#%d: '%s' lacks '%s'",
	              _i, drove_error_last()->message, b->msg);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "bad.yml:"));
}
END_TEST

Suite *epoch_config_suite(void)
{
	Suite *s = suite_create("epoch_config");
	TCase *tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults_and_example);
	tcase_add_loop_test(tc, test_bad, 0, (int)DROVE_ARRAY_LEN(BAD));
	suite_add_tcase(s, tc);
	return s;
}
