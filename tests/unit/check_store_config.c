/* Store options derived from a controller or executor configuration. */
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "store/store_internal.h"
#include "harness.h"

static drove_ctx *ctx;
static const char *dir = "/var/lib/drove-test";

START_TEST(test_opts_from_config)
{
	drove_config *cfg = NULL;
	drove_store_opts *so = NULL;
	char *yaml = drove__asprintf("store: {type: local, dataDir: %s}\n", dir);

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	const char *zk = "zookeeper: {connectionString: \"h1:2181,h2:2181\", nameSpace: prod, "
	                 "sessionTimeout: 5s}\n";
	const char *rpc = "options: {remoteUpdateMode: RPC}\n"
	                  "controllers: {endpoints: [\"http://127.0.0.1:4000\"]}\n";

	ck_assert_int_eq(drove_config_load_controller_buf(&cfg, ctx, "c.yml", yaml, strlen(yaml)),
	                 0);
	ck_assert_int_eq(drove__store_opts_from_config(cfg, &so), 0);
	ck_assert_int_eq(so->backend, DROVE_STORE_LOCAL);
	ck_assert_str_eq(so->dir, dir);
	drove_store_opts_free(so);
	drove_config_free(cfg);
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", zk, strlen(zk)), 0);
	ck_assert_int_eq(drove__store_opts_from_config(cfg, &so), 0);
	ck_assert_int_eq(so->backend, DROVE_STORE_ZK);
	ck_assert_str_eq(so->connect, "h1:2181,h2:2181");
	ck_assert_str_eq(so->ns, "/prod");
	ck_assert_int_eq(so->session_timeout_ms, 5000);
	drove_store_opts_free(so);
	drove_config_free(cfg);
	/* an executor talking to the controller directly has no store */
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "e.yml", rpc, strlen(rpc)), 0);
	drove_assert_error(drove__store_opts_from_config(cfg, &so), DROVE_EINVAL, "has none");
	drove_config_free(cfg);
	free(yaml);
	drove_ctx_free(ctx);
}
END_TEST

Suite *store_config_suite(void)
{
	Suite *s = suite_create("store_config");
	TCase *tc = tcase_create("from_config");
	tcase_add_test(tc, test_opts_from_config);
	suite_add_tcase(s, tc);
	return s;
}
