/* Config: controller and executor YAML, defaults, ranges, errors with file:line: key, env
 * substitution, caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "config/config.h"
#include "config/yaml.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_config *cfg;

static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	cfg = NULL;
}

static void teardown(void)
{
	drove_config_free(cfg);
	drove_ctx_free(ctx);
}

static int load_c(const char *yaml)
{
	drove_config_free(cfg);
	cfg = NULL;
	return drove_config_load_controller_buf(&cfg, ctx, "controller.yml", yaml, strlen(yaml));
}

static int load_e(const char *yaml)
{
	drove_config_free(cfg);
	cfg = NULL;
	return drove_config_load_executor_buf(&cfg, ctx, "executor.yml", yaml, strlen(yaml));
}

static int64_t get(const char *key)
{
	int64_t v = -12345;
	ck_assert_msg(drove_config_get_int(cfg, key, &v) == 0, "no key %s", key);
	return v;
}

/* The error must be EINVAL with exactly `msg`. */
#define ASSERT_FAILS(rc_, msg)                                        \
	do {                                                          \
		drove_assert_error((rc_), DROVE_EINVAL, (msg));       \
		ck_assert_str_eq(drove_error_last()->message, (msg)); \
		ck_assert_ptr_null(cfg);                              \
	} while (0)

#define ZK "zookeeper: {connectionString: \"zk:2181\"}\n"

/* ---- samples ---- */

/* Keys of Drove's configuration this library refuses (config.c, docs/configuration.md):
 * none of the samples' keys since the two inert controller options are accepted (the
 * walk below still handles a refused key should one be added). */
static const char *const refused_keys[] = {NULL};

/* `yaml` without the lines that set a key named `leaf` ("  leaf: ..."). */
static char *strip_key(const char *yaml, const char *leaf)
{
	size_t n = strlen(yaml), ll = strlen(leaf);
	char *out = malloc(n + 1), *o = out;
	ck_assert_ptr_nonnull(out);
	for (const char *p = yaml; *p;) {
		const char *e = strchr(p, '\n'), *t = p;
		size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
		while (*t == ' ')
			t++;
		if (!(strncmp(t, leaf, ll) == 0 && t[ll] == ':')) {
			memcpy(o, p, len);
			o += len;
		}
		p += len;
	}
	*o = '\0';
	return out;
}

/* The controller sample without the refused keys. */
static char *controller_sample(size_t *len)
{
	char *yaml = drove_test_read_source_file("tests/data/config/controller.yml", len);
	for (int i = 0; refused_keys[i]; i++) {
		char *t = strip_key(yaml, strrchr(refused_keys[i], '.') + 1);
		free(yaml);
		yaml = t;
	}
	*len = strlen(yaml);
	return yaml;
}

/* Drove's three controller options without effect here are accepted (a Drove controller.yml
 * starts unchanged), validated, readable, and flagged for the start-up warning. */
START_TEST(test_inert_keys_accepted)
{
	const drove_strlist *l;
	ck_assert_int_eq(load_c(ZK "options: {instanceStateCheckRetryInterval: 10s, "
	                           "compiledRuleCacheCount: 200, allowedRuleImportPackages: "
	                           "[java.util]}\n"),
	                 0);
	ck_assert_int_eq(get("options.instanceStateCheckRetryInterval"), 10000);
	ck_assert_int_eq(get("options.compiledRuleCacheCount"), 200);
	ck_assert_ptr_nonnull(
	        l = drove_config_get_strlist(cfg, "options.allowedRuleImportPackages"));
	ck_assert_str_eq(drove_strlist_get(l, 0), "java.util");
	/* instanceStateCheckRetryInterval works (jobs' re-checks): not inert */
	ck_assert_uint_eq(cfg->ctrl.options.inert_set,
	                  DROVE__CFG_INERT_RULE_CACHE | DROVE__CFG_INERT_RULE_IMPORTS);
	ck_assert_int_eq(load_c(ZK "options: {jobRetryCount: 3}\n"), 0);
	ck_assert_uint_eq(cfg->ctrl.options.inert_set, 0);
	ck_assert_int_eq(get("options.instanceStateCheckRetryInterval"), 3000);
}
END_TEST

START_TEST(test_controller_sample)
{
	size_t len;
	char *yaml = controller_sample(&len);
	int type = -1;
	ck_assert_int_eq(drove_config_load_controller_buf(&cfg, ctx, "controller.yml", yaml, len),
	                 0);
	free(yaml);
	ck_assert_int_eq(drove_config_kind(cfg), DROVE_CONFIG_CONTROLLER);
	ck_assert_int_eq(drove_config_port(cfg), 4000);
	ck_assert_str_eq(drove_config_bind_host(cfg), "127.0.0.1");
	ck_assert_int_eq(drove_config_admin_port(cfg), 4001);
	ck_assert_int_eq(drove_config_log_level(cfg), DROVE_LOG_INFO);
	ck_assert_int_eq(drove_config_store_type(cfg), DROVE_STORE_ZK);
	ck_assert_str_eq(drove_config_zk_connection(cfg), "zk1:2181,zk2:2181");
	ck_assert_str_eq(drove_config_zk_namespace(cfg), "drove-prod");
	ck_assert_ptr_null(drove_config_data_dir(cfg));
	ck_assert_str_eq(drove_config_cluster_secret(cfg, DROVE_NODE_CONTROLLER), "ctrl-secret");
	ck_assert_str_eq(drove_config_cluster_secret(cfg, DROVE_NODE_EXECUTOR), "exec-secret");
	ck_assert_uint_eq(drove_config_cluster_secret_count(cfg), 2);
	ck_assert_str_eq(drove_config_cluster_secret_at(cfg, 1, &type), "exec-secret");
	ck_assert_int_eq(type, DROVE_NODE_EXECUTOR);
	ck_assert_ptr_null(drove_config_cluster_secret_at(cfg, 2, &type));
	ck_assert_int_eq(drove_config_user_auth_enabled(cfg), 1);
	ck_assert_int_eq(drove_config_user_auth_crypt(cfg), 0);
	ck_assert_uint_eq(drove_config_user_count(cfg), 4);
	ck_assert_str_eq(drove_config_user_name(cfg, 0), "admin");
	ck_assert_str_eq(drove_config_user_password(cfg, 0), "adminpw");
	ck_assert_str_eq(drove_config_user_role(cfg, 0), "DROVE_EXTERNAL_READ_WRITE");
	ck_assert_str_eq(drove_config_user_role(cfg, 1), "DROVE_EXTERNAL_READ_ONLY");
	ck_assert_str_eq(drove_config_user_role(cfg, 2), "DROVE_EXTERNAL_MAINTENANCE");
	ck_assert_str_eq(drove_config_user_role(cfg, 3), "DROVE_EXTERNAL_ROOT");
	ck_assert_ptr_null(drove_config_user_name(cfg, 4));
	ck_assert_str_eq(drove_config_instance_secret(cfg), "jwt-secret");
	ck_assert_int_eq(get("options.staleCheckInterval"), 2 * 3600000LL);
	ck_assert_int_eq(get("options.staleAppAge"), 3 * 86400000LL);
	ck_assert_int_eq(get("options.maxStaleInstancesCount"), 50);
	ck_assert_int_eq(get("options.staleInstanceAge"), 5 * 86400000LL);
	ck_assert_int_eq(get("options.staleTaskAge"), 86400000LL);
	ck_assert_int_eq(get("options.staleServiceAge"), 6 * 86400000LL);
	ck_assert_int_eq(get("options.maxEventsStorageDuration"), 30 * 60000LL);
	ck_assert_int_eq(get("options.clusterOpTimeout"), 600000);
	ck_assert_int_eq(get("options.clusterOpParallelism"), 4);
	ck_assert_int_eq(get("options.jobRetryCount"), 3);
	ck_assert_int_eq(get("options.jobRetryInterval"), 2000);
	ck_assert_int_eq(get("options.disableReadAuth"), 1);
	ck_assert_int_eq(get("options.disableCmdlArgs"), 1);
	ck_assert_int_eq(get("options.enableRawDeviceAccess"), 1);
	ck_assert_int_eq(get("options.staleExecutorAge"), 60000);
	const drove_strlist *m = drove_config_get_strlist(cfg, "options.auditedHttpMethods");
	ck_assert_uint_eq(drove_strlist_count(m), 3);
	ck_assert_str_eq(drove_strlist_get(m, 2), "DELETE");
	m = drove_config_get_strlist(cfg, "options.allowedMountDirs");
	ck_assert_str_eq(drove_strlist_get(m, 1), "/var/log");
	ck_assert_str_eq(drove_config_get_string(cfg, "userAuth.cachingPolicy"),
	                 "maximumSize=500, expireAfterAccess=30m");
	/* executor keys do not exist on a controller config */
	int64_t v;
	drove_assert_error(drove_config_get_int(cfg, "resources.exposedMemPercentage", &v),
	                   DROVE_ENOTFOUND,
	                   "resources.exposedMemPercentage: no such integer setting");
	ck_assert_ptr_null(drove_config_get_string(cfg, "options.hostname"));
	ck_assert_ptr_null(drove_config_os_cores(cfg, NULL));
}
END_TEST

START_TEST(test_executor_sample)
{
	size_t len, n;
	char *yaml = drove_test_read_source_file("tests/data/config/executor.yml", &len);
	const int *os;
	ck_assert_int_eq(drove_config_load_executor_buf(&cfg, ctx, "executor.yml", yaml, len), 0);
	free(yaml);
	ck_assert_int_eq(drove_config_kind(cfg), DROVE_CONFIG_EXECUTOR);
	ck_assert_int_eq(drove_config_port(cfg), 3000);
	ck_assert_int_eq(drove_config_admin_port(cfg), 3001);
	ck_assert_ptr_null(drove_config_bind_host(cfg));
	ck_assert_int_eq(drove_config_log_level(cfg), DROVE_LOG_DEBUG);
	ck_assert_str_eq(drove_config_zk_connection(cfg), "zk:2181");
	ck_assert_str_eq(drove_config_zk_namespace(cfg), "drove");
	ck_assert_ptr_null(drove_config_instance_secret(cfg));
	os = drove_config_os_cores(cfg, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(os[0], 0);
	ck_assert_int_eq(os[1], 1);
	ck_assert_str_eq(drove_config_get_string(cfg, "logging.appenders.drove.logPath"),
	                 "/var/log/drove/executor/instance-logs");
	ck_assert_int_eq(get("logging.appenders.drove.archive"), 1);
	ck_assert_str_eq(
	        drove_config_get_string(cfg, "logging.appenders.drove.archivedLogFileSuffix"),
	        "%d");
	ck_assert_int_eq(get("logging.appenders.drove.archivedFileCount"), 3);
	ck_assert_int_eq(get("logging.appenders.drove.maxFileSize"), 100LL << 20);
	ck_assert_int_eq(get("logging.appenders.drove.totalSizeCap"), 1LL << 30);
	ck_assert_int_eq(get("logging.appenders.drove.bufferSize"), 16 * 1024);
	ck_assert_int_eq(get("logging.appenders.drove.immediateFlush"), 0);
	ck_assert_int_eq(get("resources.exposedMemPercentage"), 90);
	ck_assert_int_eq(get("resources.disableNUMAPinning"), 0);
	ck_assert_int_eq(get("resources.enableNvidiaGpu"), 0);
	ck_assert_str_eq(drove_strlist_get(drove_config_get_strlist(cfg, "resources.tags"), 0),
	                 "gpu");
	ck_assert_int_eq(get("resources.overProvisioning.enabled"), 1);
	ck_assert_int_eq(get("resources.overProvisioning.cpuMultiplier"), 2);
	ck_assert_int_eq(get("resources.overProvisioning.memoryMultiplier"), 3);
	ck_assert_int_eq(get("resources.metadata.valueMaxLimit"), 512);
	ck_assert_str_eq(
	        drove_strlist_get(
	                drove_config_get_strlist(cfg, "resources.metadata.blacklistedKeys"), 0),
	        "^secret.*");
	ck_assert_str_eq(drove_config_get_string(cfg, "options.hostname"), "exec1.local");
	ck_assert_int_eq(get("options.cacheImages"), 1);
	ck_assert_int_eq(get("options.maxOpenFiles"), 100000);
	ck_assert_int_eq(get("options.logBufferSize"), 10000000);
	ck_assert_int_eq(get("options.cacheFileSize"), 20000000);
	ck_assert_int_eq(get("options.cacheFileCount"), 3);
	ck_assert_int_eq(get("options.containerCommandTimeout"), 30000);
	ck_assert_str_eq(drove_config_get_string(cfg, "options.dockerSocketPath"),
	                 "/run/drove-podman.sock");
	ck_assert_str_eq(drove_config_get_string(cfg, "options.defaultUserSpec.user"), "1000");
	ck_assert_str_eq(drove_config_get_string(cfg, "options.defaultUserSpec.group"), "1000");
	ck_assert_int_eq(get("options.remoteUpdateMode"), 0);
	ck_assert_int_eq(get("options.controllerConnectTimeout"), 1000);
	ck_assert_int_eq(get("options.controllerResponseTimeout"), 2000);
	ck_assert_uint_eq(
	        drove_strlist_count(drove_config_get_strlist(cfg, "controllers.endpoints")), 2);
	ck_assert_int_eq(get("controllers.leadershipCheckInterval"), 10000);
	/* the typed internal structure */
	const drove__cfg_executor *e = &cfg->exec;
	ck_assert_uint_eq(e->n_md_providers, 3);
	ck_assert_str_eq(e->md_providers[0].name, "envs");
	ck_assert_int_eq(e->md_providers[0].type, DROVE__MDP_ENVIRONMENT);
	ck_assert_str_eq(drove_strlist_get(e->md_providers[0].whitelisted_variables, 0), "RACK");
	ck_assert_str_eq(drove_strmap_get(e->md_providers[1].metadata, "zone"), "z1");
	ck_assert_int_eq(e->md_providers[2].type, DROVE__MDP_DYNAMIC_COMMAND);
	ck_assert_uint_eq(e->md_providers[2].n_commands, 1);
	ck_assert_str_eq(e->md_providers[2].commands[0].name, "kernel");
	ck_assert_str_eq(e->md_providers[2].commands[0].command, "uname -r");
	ck_assert_str_eq(e->md_providers[2].commands[0].default_value, "unknown");
	ck_assert_uint_eq(e->n_docker_auth, 1);
	ck_assert_str_eq(e->docker_auth[0].registry, "registry.example.com");
	ck_assert_str_eq(e->docker_auth[0].username, "u");
	ck_assert_str_eq(e->docker_auth[0].password, "p");
}
END_TEST

START_TEST(test_load_from_path)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tests/data/config/controller-local.yml", DROVE_SOURCE_DIR);
	ck_assert_int_eq(drove_config_load_controller(&cfg, ctx, path), 0);
	ck_assert_int_eq(drove_config_store_type(cfg), DROVE_STORE_LOCAL);
	ck_assert_str_eq(drove_config_data_dir(cfg), "/var/lib/drove");
	ck_assert_ptr_null(drove_config_zk_connection(cfg));
	drove_config_free(cfg);
	cfg = NULL;
	drove_assert_error(drove_config_load_executor(&cfg, ctx, "/nonexistent/executor.yml"),
	                   DROVE_EIO, "/nonexistent/executor.yml: cannot open");
	ck_assert_ptr_null(cfg);
	drove_assert_error(drove_config_load_executor(NULL, ctx, path), DROVE_EINVAL, "out");
}
END_TEST

/* ---- every key of the reference samples: applied or refused ---- */

/* Keys read through their own getters (checked in the sample tests above), and keys that are
 * Dropwizard's or the UI's, documented as not read (docs/configuration.md). */
static const char *const typed_prefixes[] = {"server.applicationConnectors",
                                             "server.adminConnectors",
                                             "logging.level",
                                             "zookeeper.",
                                             "clusterAuth.",
                                             "userAuth.enabled",
                                             "userAuth.encoding",
                                             "userAuth.users",
                                             "instanceAuth.secret",
                                             "resources.osCores",
                                             "resources.metadata.metadataProviders",
                                             "dockerAuth.entries",
                                             NULL};
static const char *const not_read_prefixes[] = {"server.requestLog", "logging.loggers",
                                                "logging.appenders.console", "view.", NULL};

static int has_prefix(const char *key, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strncmp(key, list[i], strlen(list[i])))
			return 1;
	return 0;
}

static int is_refused(const char *key)
{
	for (int i = 0; refused_keys[i]; i++)
		if (!strcmp(key, refused_keys[i]))
			return 1;
	return 0;
}

/* Whether a getter reads `key`. */
static int applied(const char *key)
{
	int64_t v;
	return drove_config_get_int(cfg, key, &v) == 0 || drove_config_get_string(cfg, key) ||
	       drove_config_get_strlist(cfg, key);
}

/* Every leaf key under `n` (appenders by their type), checked. */
static void walk(const drove__ynode *n, const char *path, int *checked)
{
	char key[512];
	if (n->kind == DROVE__Y_MAP) {
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			snprintf(key, sizeof(key), "%s%s%s", path, *path ? "." : "",
			         n->items[i]->value);
			walk(n->items[i + 1], key, checked);
		}
		return;
	}
	if (n->kind == DROVE__Y_SEQ && !strcmp(path, "logging.appenders")) {
		for (size_t i = 0; i < n->n; i++) {
			const drove__ynode *a = n->items[i];
			const char *type = NULL;
			for (size_t k = 0; k + 1 < a->n; k += 2)
				if (!strcmp(a->items[k]->value, "type"))
					type = a->items[k + 1]->value;
			ck_assert_ptr_nonnull(type);
			for (size_t k = 0; k + 1 < a->n; k += 2) {
				if (!strcmp(a->items[k]->value, "type"))
					continue;
				snprintf(key, sizeof(key), "%s.%s.%s", path, type,
				         a->items[k]->value);
				walk(a->items[k + 1], key, checked);
			}
		}
		return;
	}
	(*checked)++;
	if (has_prefix(path, typed_prefixes) || has_prefix(path, not_read_prefixes))
		return;
	if (is_refused(path)) {
		ck_assert_msg(!applied(path), "%s: refused, yet readable", path);
		return;
	}
	ck_assert_msg(applied(path), "%s: neither applied (no getter reads it) nor refused", path);
}

static void walk_sample(const char *file, int controller)
{
	size_t len;
	char *yaml = drove_test_read_source_file(file, &len), *kept;
	drove__ynode *root = NULL;
	int checked = 0, nrefused = 0;
	ck_assert_int_eq(drove__yaml_parse(&root, file, yaml, len, 1 << 20, 32), 0);
	/* each refused key the sample sets fails the load, naming it and why */
	for (int i = 0; refused_keys[i]; i++) {
		kept = drove__strdup(yaml);
		for (int j = 0; refused_keys[j]; j++)
			if (j != i) {
				char *t = strip_key(kept, strrchr(refused_keys[j], '.') + 1);
				free(kept);
				kept = t;
			}
		if (strstr(kept, strrchr(refused_keys[i], '.') + 1)) {
			int rc = controller ? load_c(kept) : load_e(kept);
			drove_assert_error(rc, DROVE_EINVAL, refused_keys[i]);
			ck_assert_ptr_nonnull(
			        strstr(drove_error_last()->message, "not supported: "));
			nrefused++;
		}
		free(kept);
	}
	/* without them it loads, and every other key is read */
	kept = drove__strdup(yaml);
	for (int j = 0; refused_keys[j]; j++) {
		char *t = strip_key(kept, strrchr(refused_keys[j], '.') + 1);
		free(kept);
		kept = t;
	}
	ck_assert_int_eq(controller ? load_c(kept) : load_e(kept), 0);
	walk(root, "", &checked);
	ck_assert_int_ge(checked, controller ? 36 : 45);
	ck_assert_int_eq(nrefused, 0);
	free(kept);
	free(yaml);
	drove__yaml_free(root);
}

START_TEST(test_sample_keys_applied_or_refused)
{
	walk_sample("tests/data/config/controller.yml", 1);
	walk_sample("tests/data/config/executor.yml", 0);
}
END_TEST

/* cachingPolicy sizes the bcrypt cache; the appender's suffix and cap are checked */
START_TEST(test_applied_values)
{
	ck_assert_int_eq(load_c(ZK "userAuth:\n  cachingPolicy: \"maximumSize=42, "
	                           "expireAfterAccess=2h, recordStats\"\n  users: []\n"),
	                 0);
	ck_assert_int_eq(get("userAuth.cachingPolicy.maximumSize"), 42);
	ck_assert_int_eq(get("userAuth.cachingPolicy.expireAfterAccess"), 2 * 3600000LL);
	ck_assert_int_eq(load_c(ZK), 0);
	ck_assert_int_eq(get("userAuth.cachingPolicy.maximumSize"), 500);
	ck_assert_int_eq(get("userAuth.cachingPolicy.expireAfterAccess"), 30 * 60000LL);
	ASSERT_FAILS(load_c(ZK "userAuth:\n  cachingPolicy: \"weakKeys\"\n"),
	             "controller.yml:3: userAuth.cachingPolicy: 'weakKeys' is not supported "
	             "(maximumSize, expireAfterAccess, initialCapacity and recordStats are)");
	ASSERT_FAILS(load_c(ZK "userAuth:\n  cachingPolicy: \"expireAfterAccess=5y\"\n"),
	             "controller.yml:3: userAuth.cachingPolicy: expireAfterAccess '5y' is not a "
	             "number with d, h, m or s");
	ASSERT_FAILS(load_e(ZK "logging:\n  appenders:\n    - {type: drove, logPath: /l, "
	                       "archivedLogFileSuffix: \"%d{yyyy}\"}\n"),
	             "executor.yml:4: logging.appenders[0].archivedLogFileSuffix: '%d{yyyy}' is "
	             "not supported: archives are numbered output.log-1 (newest) .. -N; only %d "
	             "and %i are accepted");
	ASSERT_FAILS(
	        load_e(ZK "logging:\n  appenders:\n    - {type: drove, logPath: /l, "
	                  "totalSizeCap: 1GiB}\n"),
	        "executor.yml:4: logging.appenders[0].totalSizeCap: needs maxFileSize (the cap "
	        "bounds the number of archives of maxFileSize each)");
	/* leadershipCheckInterval is how often the executor looks for the leader (RPC mode),
	 * unless options.leaderLookupInterval says otherwise */
	ck_assert_int_eq(load_e("options: {remoteUpdateMode: RPC}\ncontrollers: {endpoints: "
	                        "[\"http://c:4000\"], leadershipCheckInterval: 7s}\n"),
	                 0);
	ck_assert_int_eq(cfg->exec.leader_lookup_interval_ms, 7000);
	ck_assert_int_eq(load_e("options: {remoteUpdateMode: RPC, leaderLookupInterval: 1s}\n"
	                        "controllers: {endpoints: [\"http://c:4000\"], "
	                        "leadershipCheckInterval: 7s}\n"),
	                 0);
	ck_assert_int_eq(cfg->exec.leader_lookup_interval_ms, 1000);
}
END_TEST

/* ---- defaults ---- */

START_TEST(test_controller_defaults)
{
	ck_assert_int_eq(load_c(ZK), 0);
	ck_assert_int_eq(drove_config_port(cfg), 4000);
	ck_assert_int_eq(drove_config_admin_port(cfg), 4001);
	ck_assert_int_eq(drove_config_log_level(cfg), DROVE_LOG_INFO);
	ck_assert_str_eq(drove_config_zk_namespace(cfg), "drove");
	ck_assert_str_eq(drove_config_cluster_secret(cfg, DROVE_NODE_CONTROLLER),
	                 "DefaultControllerSecret");
	ck_assert_str_eq(drove_config_cluster_secret(cfg, DROVE_NODE_EXECUTOR),
	                 "DefaultExecutorSecret");
	ck_assert_int_eq(drove_config_user_auth_enabled(cfg), 0);
	ck_assert_uint_eq(drove_config_user_count(cfg), 0);
	ck_assert_str_eq(drove_config_instance_secret(cfg), "DEFAULT_SECRET");
	ck_assert_int_eq(get("options.staleCheckInterval"), 3600000);
	ck_assert_int_eq(get("options.staleAppAge"), 7 * 86400000LL);
	ck_assert_int_eq(get("options.maxStaleInstancesCount"), 100);
	ck_assert_int_eq(get("options.staleInstanceAge"), 7 * 86400000LL);
	ck_assert_int_eq(get("options.staleTaskAge"), 2 * 86400000LL);
	ck_assert_int_eq(get("options.staleServiceAge"), 7 * 86400000LL);
	ck_assert_int_eq(get("options.maxEventsStorageDuration"), 3600000);
	ck_assert_int_eq(get("options.clusterOpTimeout"), 300000);
	ck_assert_int_eq(get("options.clusterOpParallelism"), 1);
	ck_assert_int_eq(get("options.jobRetryCount"), 2);
	ck_assert_int_eq(get("options.jobRetryInterval"), 1000);
	ck_assert_int_eq(get("options.disableReadAuth"), 0);
	ck_assert_int_eq(get("options.staleExecutorAge"), 45000);
	ck_assert_int_eq(get("options.reconcileInterval"), 30000);
	ck_assert_int_eq(get("options.staleInstanceReportAge"), 60000);
	ck_assert_int_eq(get("options.maintenanceWindowTail"), 40000);
	ck_assert_int_eq(get("options.executorCheckInterval"), 10000);
	ck_assert_int_eq(get("options.executorProbeInterval"), 1000);
	ck_assert_int_eq(get("options.executorProbeFailures"), 3);
	const drove_strlist *m = drove_config_get_strlist(cfg, "options.auditedHttpMethods");
	ck_assert_uint_eq(drove_strlist_count(m), 2);
	ck_assert_str_eq(drove_strlist_get(m, 0), "POST");
	ck_assert_str_eq(drove_strlist_get(m, 1), "PUT");
	ck_assert_uint_eq(
	        drove_strlist_count(drove_config_get_strlist(cfg, "options.allowedMountDirs")), 0);
	ck_assert_ptr_null(drove_config_get_strlist(cfg, "options.nope"));
	/* 0 reads as the default; userAuth present means enabled */
	ck_assert_int_eq(load_c(ZK "options: {maxStaleInstancesCount: 0, clusterOpParallelism: 0}\n"
	                           "userAuth: {users: []}\n"),
	                 0);
	ck_assert_int_eq(get("options.maxStaleInstancesCount"), 100);
	ck_assert_int_eq(get("options.clusterOpParallelism"), 1);
	ck_assert_int_eq(drove_config_user_auth_enabled(cfg), 1);
	ck_assert_int_eq(load_c(ZK "userAuth: {enabled: false, encoding: crypt}\n"), 0);
	ck_assert_int_eq(drove_config_user_auth_enabled(cfg), 0);
	ck_assert_int_eq(drove_config_user_auth_crypt(cfg), 1);
	/* the console's Bootstrap: unset means Debian's path (docs/console.md) */
	ck_assert_ptr_null(drove_config_get_string(cfg, "options.consoleAssetsPath"));
	ck_assert_int_eq(load_c(ZK "options: {consoleAssetsPath: /opt/bootstrap5}\n"), 0);
	ck_assert_str_eq(drove_config_get_string(cfg, "options.consoleAssetsPath"),
	                 "/opt/bootstrap5");
}
END_TEST

START_TEST(test_executor_defaults)
{
	ck_assert_int_eq(load_e(ZK), 0);
	ck_assert_int_eq(drove_config_port(cfg), 3000);
	ck_assert_int_eq(drove_config_admin_port(cfg), 3001);
	ck_assert_int_eq(get("resources.exposedMemPercentage"), 100);
	ck_assert_int_eq(get("resources.overProvisioning.enabled"), 0);
	ck_assert_int_eq(get("resources.overProvisioning.cpuMultiplier"), 1);
	ck_assert_int_eq(get("resources.overProvisioning.memoryMultiplier"), 1);
	ck_assert_int_eq(get("resources.metadata.valueMaxLimit"), 1024);
	ck_assert_int_eq(get("options.cacheImages"), 1); /* no options block */
	ck_assert_int_eq(get("options.maxOpenFiles"), 470000);
	ck_assert_int_eq(get("options.logBufferSize"), 10000000);
	ck_assert_int_eq(get("options.cacheFileSize"), 20000000);
	ck_assert_int_eq(get("options.cacheFileCount"), 3);
	ck_assert_int_eq(get("options.containerCommandTimeout"), 30000);
	ck_assert_str_eq(drove_config_get_string(cfg, "options.dockerSocketPath"),
	                 "/var/run/docker.sock");
	ck_assert_int_eq(get("options.remoteUpdateMode"), 0);
	ck_assert_int_eq(get("options.controllerConnectTimeout"), 1000);
	ck_assert_int_eq(get("controllers.leadershipCheckInterval"), 10000);
	ck_assert_int_eq(get("options.snapshotInterval"), 20000);
	ck_assert_int_eq(get("options.statsInterval"), 10000);
	ck_assert_int_eq(get("options.zombieCheckInterval"), 30000);
	ck_assert_int_eq(get("options.leaderLookupInterval"), 5000);
	ck_assert_int_eq(get("logging.appenders.drove.archivedFileCount"), 5);
	ck_assert_int_eq(get("logging.appenders.drove.bufferSize"), 8192);
	ck_assert_int_eq(get("logging.appenders.drove.immediateFlush"), 1);
	ck_assert_int_eq(get("logging.appenders.drove.archive"), 1);
	ck_assert_ptr_null(drove_config_get_string(cfg, "logging.appenders.drove.logPath"));
	ck_assert_ptr_null(drove_config_get_string(cfg, "options.hostname"));
	ck_assert_ptr_null(drove_config_get_string(cfg, "resources.topology"));
	ck_assert_ptr_null(drove_config_os_cores(cfg, NULL));
	/* an options block without cacheImages turns it off; maxOpenFiles <= 0 is the default */
	ck_assert_int_eq(load_e(ZK "options: {maxOpenFiles: -1}\n"), 0);
	ck_assert_int_eq(get("options.cacheImages"), 0);
	ck_assert_int_eq(get("options.maxOpenFiles"), 470000);
	/* our additions */
	ck_assert_int_eq(load_e(ZK "resources: {topology: \"pack:2 numa:1 core:4 pu:2\"}\n"
	                           "server: {applicationConnectors: [{port: 0, bindHost: \"::1\"}],"
	                           " adminConnectors: []}\n"),
	                 0);
	ck_assert_str_eq(drove_config_get_string(cfg, "resources.topology"),
	                 "pack:2 numa:1 core:4 pu:2");
	ck_assert_int_eq(drove_config_port(cfg), 0);
	ck_assert_int_eq(drove_config_admin_port(cfg), 0);
	ck_assert_str_eq(drove_config_bind_host(cfg), "::1");
}
END_TEST

/* Our syslog appender for instance output (issue 16). */
START_TEST(test_syslog_appender)
{
	ck_assert_int_eq(load_e(ZK "logging: {appenders: [{type: syslog, host: 127.0.0.1}]}\n"), 0);
	ck_assert_int_eq(cfg->exec.syslog.present, 1);
	ck_assert_str_eq(cfg->exec.syslog.host, "127.0.0.1");
	ck_assert_int_eq(cfg->exec.syslog.port, 514);
	ck_assert_int_eq(cfg->exec.syslog.protocol, DROVE__SYSLOG_UDP);
	ck_assert_int_eq(cfg->exec.syslog.facility, 16); /* LOCAL0 */
	ck_assert_int_eq(load_e(ZK "logging: {appenders: [{type: drove, logPath: /l}, {type: "
	                           "syslog, host: h, port: 1514, protocol: tcp, facility: daemon, "
	                           "threshold: INFO}]}\n"),
	                 0);
	ck_assert_int_eq(cfg->exec.syslog.protocol, DROVE__SYSLOG_TCP);
	ck_assert_int_eq(cfg->exec.syslog.facility, 3);
	ck_assert_int_eq(cfg->exec.syslog.port, 1514);
	ck_assert_int_eq(load_e(ZK), 0);
	ck_assert_int_eq(cfg->exec.syslog.present, 0);
	ASSERT_FAILS(load_e(ZK "logging: {appenders: [{type: syslog}]}\n"),
	             "executor.yml:2: logging.appenders[0].host: required");
	ASSERT_FAILS(
	        load_e(ZK "logging: {appenders: [{type: syslog, host: h, protocol: quic}]}\n"),
	        "executor.yml:2: logging.appenders[0].protocol: 'quic' is not one of UDP, TCP");
	ASSERT_FAILS(load_e(ZK "logging: {appenders: [{type: syslog, host: h, port: 0}]}\n"),
	             "executor.yml:2: logging.appenders[0].port: 0 is below 1");
	ASSERT_FAILS(load_e(ZK "logging: {appenders: [{type: syslog, host: h, colour: red}]}\n"),
	             "executor.yml:2: logging.appenders[0].colour: unknown key");
}
END_TEST

START_TEST(test_store_variants)
{
	ck_assert_int_eq(load_c("store: {type: LOCAL, dataDir: /tmp/d}\n"), 0);
	ck_assert_int_eq(drove_config_store_type(cfg), DROVE_STORE_LOCAL);
	ck_assert_int_eq(load_c("store: {type: zookeeper}\n" ZK), 0);
	ck_assert_int_eq(drove_config_store_type(cfg), DROVE_STORE_ZK);
	ck_assert_int_eq(load_c("zookeeper: {connectionString: zk, namespace: ns}\n"), 0);
	ck_assert_str_eq(drove_config_zk_namespace(cfg), "ns");
	/* executor in RPC mode needs no store but controllers */
	ck_assert_int_eq(load_e("options: {remoteUpdateMode: rpc}\n"
	                        "controllers: {endpoints: [\"http://c:4000\"]}\n"),
	                 0);
	ck_assert_int_eq(drove_config_store_type(cfg), DROVE_STORE_NONE);
	ck_assert_int_eq(get("options.remoteUpdateMode"), 1);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_required_errors)
{
	ASSERT_FAILS(load_c(""), "controller.yml:1: zookeeper.connectionString: required");
	ASSERT_FAILS(load_c("server: {}\nzookeeper:\n  nameSpace: x\n"),
	             "controller.yml:3: zookeeper.connectionString: required");
	ASSERT_FAILS(load_c("store: {type: local}\n"), "controller.yml:1: store.dataDir: required");
	ASSERT_FAILS(load_c("store: {dataDir: /x}\n"), "controller.yml:1: store.type: required");
	ASSERT_FAILS(load_c("store: {type: zookeeper, dataDir: /x}\n" ZK),
	             "controller.yml:1: store.dataDir: only allowed with type local");
	ASSERT_FAILS(load_c("store: {type: local, dataDir: /x}\n" ZK),
	             "controller.yml:2: zookeeper: not allowed with store.type local");
	ASSERT_FAILS(load_c(ZK "userAuth:\n  users:\n    - {username: a, password: b}\n"),
	             "controller.yml:4: userAuth.users[0].role: required");
	ASSERT_FAILS(load_c(ZK "userAuth:\n  users:\n    - {password: b, role: EXTERNAL_ROOT}\n"),
	             "controller.yml:4: userAuth.users[0].username: required");
	ASSERT_FAILS(load_c(ZK "clusterAuth: {secrets: []}\n"),
	             "controller.yml:2: clusterAuth.secrets: required");
	ASSERT_FAILS(load_c(ZK "clusterAuth: {secrets: [{nodeType: EXECUTOR}]}\n"),
	             "controller.yml:2: clusterAuth.secrets[0].secret: required");
	ASSERT_FAILS(load_c(ZK "instanceAuth: {secret: \"\"}\n"),
	             "controller.yml:2: instanceAuth.secret: required");
	ASSERT_FAILS(
	        load_e("options: {remoteUpdateMode: RPC}\n"),
	        "executor.yml:1: controllers.endpoints: required when options.remoteUpdateMode "
	        "is RPC");
	ASSERT_FAILS(load_e(ZK "logging:\n  appenders:\n    - type: drove\n      archive: false\n"),
	             "executor.yml:4: logging.appenders[0].logPath: required");
	ASSERT_FAILS(load_e(ZK "resources:\n  metadata:\n    metadataProviders:\n"
	                       "      c: {type: DYNAMIC_COMMAND, commands: {k: {type: STATIC}}}\n"),
	             "executor.yml:5: resources.metadata.metadataProviders.c.commands.k.command: "
	             "required");
}
END_TEST

START_TEST(test_range_errors)
{
	ASSERT_FAILS(load_c(ZK "options:\n  clusterOpTimeout: 5 seconds\n"),
	             "controller.yml:3: options.clusterOpTimeout: 5 seconds is below 10 seconds");
	ASSERT_FAILS(
	        load_c(ZK "options:\n  clusterOpTimeout: 2000s\n"),
	        "controller.yml:3: options.clusterOpTimeout: 2000 seconds is above 30 minutes");
	ASSERT_FAILS(load_c(ZK "options: {staleCheckInterval: 30s}\n"),
	             "controller.yml:2: options.staleCheckInterval: 30 seconds is below 1 minute");
	/* zookeeper.sessionTimeout (ours): default 30 s, 1..300 s */
	ck_assert_int_eq(load_c(ZK), 0);
	ck_assert_int_eq(get("zookeeper.sessionTimeout"), 30000);
	drove_config_free(cfg);
	cfg = NULL;
	ck_assert_int_eq(load_c("zookeeper: {connectionString: \"zk:2181\", sessionTimeout: 4s}\n"),
	                 0);
	ck_assert_int_eq(get("zookeeper.sessionTimeout"), 4000);
	drove_config_free(cfg);
	cfg = NULL;
	ASSERT_FAILS(
	        load_c("zookeeper: {connectionString: \"zk:2181\", sessionTimeout: 10ms}\n"),
	        "controller.yml:1: zookeeper.sessionTimeout: 10 milliseconds is below 1 second");
	/* our test-friendly intervals (docs/configuration.md) */
	ck_assert_int_eq(load_c(ZK "options: {staleExecutorAge: 2s, reconcileInterval: 500ms, "
	                           "staleInstanceReportAge: 3s, maintenanceWindowTail: 0s, "
	                           "executorCheckInterval: 200ms}\n"),
	                 0);
	ck_assert_int_eq(get("options.staleExecutorAge"), 2000);
	ck_assert_int_eq(get("options.reconcileInterval"), 500);
	ck_assert_int_eq(get("options.maintenanceWindowTail"), 0);
	drove_config_free(cfg);
	cfg = NULL;
	/* the leader's liveness pings: off, or another pace */
	ck_assert_int_eq(
	        load_c(ZK "options: {executorProbeInterval: 0s, executorProbeFailures: 5}\n"), 0);
	ck_assert_int_eq(get("options.executorProbeInterval"), 0);
	ck_assert_int_eq(get("options.executorProbeFailures"), 5);
	drove_config_free(cfg);
	cfg = NULL;
	ASSERT_FAILS(
	        load_c(ZK "options: {executorProbeInterval: 2m}\n"),
	        "controller.yml:2: options.executorProbeInterval: 2 minutes is above 1 minute");
	ASSERT_FAILS(load_c(ZK "options: {executorProbeFailures: 0}\n"),
	             "controller.yml:2: options.executorProbeFailures: 0 is below 1");
	ASSERT_FAILS(load_c(ZK "options: {reconcileInterval: 10ms}\n"),
	             "controller.yml:2: options.reconcileInterval: 10 milliseconds is below 100 "
	             "milliseconds");
	ASSERT_FAILS(load_e(ZK "options: {snapshotInterval: 50ms}\n"),
	             "executor.yml:2: options.snapshotInterval: 50 milliseconds is below 100 "
	             "milliseconds");
	ASSERT_FAILS(load_c(ZK "options: {staleExecutorAge: 2h}\n"),
	             "controller.yml:2: options.staleExecutorAge: 2 hours is above 1 hour");
	ASSERT_FAILS(load_c(ZK "options: {jobRetryCount: 40}\n"),
	             "controller.yml:2: options.jobRetryCount: 40 is above 32");
	ASSERT_FAILS(load_c(ZK "options: {jobRetryCount: -1}\n"),
	             "controller.yml:2: options.jobRetryCount: -1 is below 0");
	ASSERT_FAILS(
	        load_c(ZK "options: {jobRetryInterval: 500ms}\n"),
	        "controller.yml:2: options.jobRetryInterval: 500 milliseconds is below 1 second");
	ASSERT_FAILS(
	        load_c(ZK "options: {instanceStateCheckRetryInterval: 2s}\n"),
	        "controller.yml:2: options.instanceStateCheckRetryInterval: 2 seconds is below "
	        "5 seconds");
	ASSERT_FAILS(load_c(ZK "options: {maxStaleInstancesCount: 5000}\n"),
	             "controller.yml:2: options.maxStaleInstancesCount: 5000 is above 4096");
	ASSERT_FAILS(load_c(ZK "options: {clusterOpParallelism: 513}\n"),
	             "controller.yml:2: options.clusterOpParallelism: 513 is above 512");
	ASSERT_FAILS(load_c(ZK "options: {compiledRuleCacheCount: 1001}\n"),
	             "controller.yml:2: options.compiledRuleCacheCount: 1001 is above 1000");
	ASSERT_FAILS(
	        load_c("server:\n  applicationConnectors:\n    - port: 70000\n" ZK),
	        "controller.yml:3: server.applicationConnectors[0].port: 70000 is above 65535");
	ASSERT_FAILS(load_e(ZK "resources:\n  exposedMemPercentage: 40\n"),
	             "executor.yml:3: resources.exposedMemPercentage: 40 is below 50");
	ASSERT_FAILS(
	        load_e(ZK "resources:\n  overProvisioning: {enabled: true, cpuMultiplier: 21}\n"),
	        "executor.yml:3: resources.overProvisioning.cpuMultiplier: 21 is above 20");
	ASSERT_FAILS(load_e(ZK "resources:\n  overProvisioning: {memoryMultiplier: 0}\n"),
	             "executor.yml:3: resources.overProvisioning.memoryMultiplier: 0 is below 1");
	ASSERT_FAILS(
	        load_e(ZK "options: {containerCommandTimeout: 1s}\n"),
	        "executor.yml:2: options.containerCommandTimeout: 1 second is below 5 seconds");
	ASSERT_FAILS(load_e(ZK "options: {logBufferSize: 200MB}\n"),
	             "executor.yml:2: options.logBufferSize: 200MB is above 128000000 bytes");
	ASSERT_FAILS(load_e(ZK "options: {cacheFileSize: 1MB}\n"),
	             "executor.yml:2: options.cacheFileSize: 1MB is below 10000000 bytes");
	ASSERT_FAILS(load_e(ZK "options: {cacheFileCount: 2000}\n"),
	             "executor.yml:2: options.cacheFileCount: 2000 is above 1024");
	ASSERT_FAILS(load_e(ZK "controllers: {leadershipCheckInterval: 2m}\n"),
	             "executor.yml:2: controllers.leadershipCheckInterval: 2 minutes is above 1 "
	             "minute");
	ASSERT_FAILS(load_e(ZK "resources: {osCores: [0, -2]}\n"),
	             "executor.yml:2: resources.osCores[1]: '-2' is not a core id");
}
END_TEST

START_TEST(test_type_errors)
{
	ASSERT_FAILS(load_c(ZK "options: {jobRetryInterval: soon}\n"),
	             "controller.yml:2: options.jobRetryInterval: 'soon' is not a duration (e.g. "
	             "\"30 seconds\")");
	ASSERT_FAILS(load_c(ZK "options: {jobRetryCount: two}\n"),
	             "controller.yml:2: options.jobRetryCount: 'two' is not an integer");
	ASSERT_FAILS(load_c(ZK "options: {disableReadAuth: yes}\n"),
	             "controller.yml:2: options.disableReadAuth: 'yes' is not true or false");
	ASSERT_FAILS(load_c(ZK "options: [1]\n"),
	             "controller.yml:2: options: expected a map, got a list");
	ASSERT_FAILS(
	        load_c(ZK "options: {auditedHttpMethods: [[POST]]}\n"),
	        "controller.yml:2: options.auditedHttpMethods[0]: expected a scalar, got a list");
	ASSERT_FAILS(
	        load_c(ZK "userAuth:\n  users:\n    - {username: a, password: b, role: ADMIN}\n"),
	        "controller.yml:4: userAuth.users[0].role: 'ADMIN' is not one of EXTERNAL_ROOT, "
	        "EXTERNAL_READ_WRITE, DROVE_EXTERNAL_MAINTENANCE, EXTERNAL_READ_ONLY, "
	        "CLUSTER_NODE, DROVE_APPLICATION_INSTANCE");
	ASSERT_FAILS(load_c(ZK "userAuth: {encoding: MD5}\n"),
	             "controller.yml:2: userAuth.encoding: 'MD5' is not one of PLAIN, CRYPT");
	ASSERT_FAILS(load_c(ZK "clusterAuth: {secrets: [{nodeType: GATEWAY, secret: s}]}\n"),
	             "controller.yml:2: clusterAuth.secrets[0].nodeType: 'GATEWAY' is not one of "
	             "CONTROLLER, EXECUTOR");
	ASSERT_FAILS(load_c("server: {applicationConnectors: [{type: h2, port: 1}]}\n" ZK),
	             "controller.yml:1: server.applicationConnectors[0].type: 'h2' is not one of "
	             "http, https");
	ASSERT_FAILS(load_c("server: {applicationConnectors: [{type: https, port: 1}]}\n" ZK),
	             "controller.yml:1: server.applicationConnectors[0].keyStorePath: required for "
	             "a connector of type https (a PKCS12 key store)");
	ASSERT_FAILS(load_c("server: {adminConnectors: [{type: https, port: 1, keyStorePath: k, "
	                    "keyStoreType: JKS}]}\n" ZK),
	             "controller.yml:1: server.adminConnectors[0].keyStoreType: JKS key stores are "
	             "not supported; convert the store to PKCS12 (keytool -importkeystore "
	             "-srckeystore in.jks -destkeystore out.p12 -deststoretype PKCS12) and set "
	             "keyStoreType: PKCS12");
	ASSERT_FAILS(load_c("server: {applicationConnectors: []}\n" ZK),
	             "controller.yml:1: server.applicationConnectors: at least one connector is "
	             "required");
	ASSERT_FAILS(
	        load_c(ZK "logging: {level: LOUD}\n"),
	        "controller.yml:2: logging.level: 'LOUD' is not one of OFF, ERROR, WARN, INFO, "
	        "DEBUG, TRACE, ALL");
	ASSERT_FAILS(load_e(ZK "options: {remoteUpdateMode: PUSH}\n"),
	             "executor.yml:2: options.remoteUpdateMode: 'PUSH' is not one of STORE, RPC");
	ASSERT_FAILS(load_e(ZK "resources: {metadata: {blacklistedKeys: [a, \"b(\"]}}\n"),
	             "executor.yml:2: resources.metadata.blacklistedKeys[1]: bad regex 'b(': "
	             "missing closing parenthesis at offset 2");
	ASSERT_FAILS(load_e(ZK "resources: {topology: x, topologyXml: y}\n"),
	             "executor.yml:2: resources.topologyXml: not allowed with topology");
	ASSERT_FAILS(
	        load_e(ZK "dockerAuth: {entries: {r: {type: TOKEN}}}\n"),
	        "executor.yml:2: dockerAuth.entries.r.type: 'TOKEN' is not one of CREDENTIALS");
}
END_TEST

START_TEST(test_secret_and_user_uniqueness)
{
	ASSERT_FAILS(
	        load_c(ZK "clusterAuth:\n  secrets:\n    - {nodeType: CONTROLLER, secret: s}\n"
	                  "    - {nodeType: EXECUTOR, secret: s}\n"),
	        "controller.yml:5: clusterAuth.secrets[1].secret: the same secret as secrets[0]");
	ASSERT_FAILS(load_c(ZK "userAuth:\n  users:\n"
	                       "    - {username: a, password: b, role: EXTERNAL_ROOT}\n"
	                       "    - {username: a, password: c, role: EXTERNAL_ROOT}\n"),
	             "controller.yml:5: userAuth.users[1].username: 'a' is listed twice");
	/* one type only is fine; the other has no secret */
	ck_assert_int_eq(load_c(ZK "clusterAuth: {secrets: [{nodeType: executor, secret: e}]}\n"),
	                 0);
	ck_assert_ptr_null(drove_config_cluster_secret(cfg, DROVE_NODE_CONTROLLER));
	ck_assert_str_eq(drove_config_cluster_secret(cfg, DROVE_NODE_EXECUTOR), "e");
}
END_TEST

START_TEST(test_unknown_keys)
{
	ASSERT_FAILS(load_c(ZK "zookeper: {connectionString: x}\n"),
	             "controller.yml:2: zookeper: unknown key");
	ASSERT_FAILS(load_c(ZK "options:\n  clusterOpTimout: 10s\n"),
	             "controller.yml:3: options.clusterOpTimout: unknown key");
	ASSERT_FAILS(load_c("zookeeper: {connectionString: x, connectTimeout: 5}\n"),
	             "controller.yml:1: zookeeper.connectTimeout: unknown key");
	ASSERT_FAILS(load_c(ZK "userAuth:\n  users:\n"
	                       "    - {username: a, password: b, role: EXTERNAL_ROOT, email: x}\n"),
	             "controller.yml:4: userAuth.users[0].email: unknown key");
	ASSERT_FAILS(load_c("server: {applicationConnectors: [{port: 1, host: x}]}\n" ZK),
	             "controller.yml:1: server.applicationConnectors[0].host: unknown key");
	/* executor-only sections are unknown in a controller file and the reverse */
	ASSERT_FAILS(load_c(ZK "resources: {}\n"), "controller.yml:2: resources: unknown key");
	ASSERT_FAILS(load_e(ZK "userAuth: {}\n"), "executor.yml:2: userAuth: unknown key");
	ASSERT_FAILS(load_e(ZK "resources:\n  osCore: [1]\n"),
	             "executor.yml:3: resources.osCore: unknown key");
	ASSERT_FAILS(load_e(ZK "resources:\n  overProvisioning: {enable: true}\n"),
	             "executor.yml:3: resources.overProvisioning.enable: unknown key");
	ASSERT_FAILS(
	        load_e(ZK "logging:\n  appenders:\n    - {type: drove, logPath: /x, size: 1}\n"),
	        "executor.yml:4: logging.appenders[0].size: unknown key");
	ASSERT_FAILS(
	        load_e(ZK "resources:\n  metadata:\n    metadataProviders:\n"
	                  "      e: {type: ENVIRONMENT, metadata: {a: b}}\n"),
	        "executor.yml:5: resources.metadata.metadataProviders.e.metadata: unknown key");
	/* ignored: view (UI), logging (Dropwizard), server's other settings */
	ck_assert_int_eq(load_c(ZK
	                        "view: {anything: [1, 2], nested: {x: y}}\n"
	                        "logging: {level: warn, loggers: {a: DEBUG}, appenders: [{x: 1}]}\n"
	                        "server: {requestLog: {appenders: []}, type: default}\n"),
	                 0);
	ck_assert_int_eq(drove_config_log_level(cfg), DROVE_LOG_WARN);
	ck_assert_int_eq(load_e(ZK "logging: {appenders: [{type: console, whatever: 1}]}\n"), 0);
}
END_TEST

/* ---- env substitution ---- */

START_TEST(test_env_substitution)
{
	setenv("DROVE_CFG_TEST_ZK", "zkhost:2181", 1);
	setenv("DROVE_CFG_TEST_PORT", "4100", 1);
	unsetenv("DROVE_CFG_TEST_UNSET");
	ck_assert_int_eq(
	        load_c("zookeeper: {connectionString: \"${DROVE_CFG_TEST_ZK}\","
	               " nameSpace: \"ns-${DROVE_CFG_TEST_UNSET:-dflt}-x\"}\n"
	               "server: {applicationConnectors: [{port: \"${DROVE_CFG_TEST_PORT}\"}]}\n"
	               "instanceAuth: {secret: \"$${NOT_A_VAR}\"}\n"
	               "options: {clusterOpTimeout: \"${DROVE_CFG_TEST_UNSET:-60} seconds\"}\n"),
	        0);
	ck_assert_str_eq(drove_config_zk_connection(cfg), "zkhost:2181");
	ck_assert_str_eq(drove_config_zk_namespace(cfg), "ns-dflt-x");
	ck_assert_int_eq(drove_config_port(cfg), 4100);
	ck_assert_str_eq(drove_config_instance_secret(cfg), "${NOT_A_VAR}");
	ck_assert_int_eq(get("options.clusterOpTimeout"), 60000);
	ASSERT_FAILS(load_c("zookeeper:\n  connectionString: ${DROVE_CFG_TEST_UNSET}\n"),
	             "controller.yml:2: zookeeper.connectionString: environment variable "
	             "DROVE_CFG_TEST_UNSET is not set");
	ASSERT_FAILS(
	        load_c("zookeeper: {connectionString: \"${}\"}\n"),
	        "controller.yml:1: zookeeper.connectionString: invalid variable reference '${}'");
	ASSERT_FAILS(load_e(ZK "resources: {tags: [a, \"${DROVE_CFG_TEST_UNSET}\"]}\n"),
	             "executor.yml:2: resources.tags[1]: environment variable DROVE_CFG_TEST_UNSET "
	             "is not set");
	/* an unterminated reference is literal text */
	ck_assert_int_eq(load_c("zookeeper: {connectionString: \"a${b\"}\n"), 0);
	ck_assert_str_eq(drove_config_zk_connection(cfg), "a${b");
}
END_TEST

/* ---- caps and malformed yaml ---- */

START_TEST(test_caps)
{
	size_t big = DROVE_CONFIG_MAX_SIZE + 1;
	char *buf = malloc(big);
	drove__buf deep = DROVE_BUF_INIT;
	ck_assert_ptr_nonnull(buf);
	memset(buf, '#', big);
	drove_assert_error(drove_config_load_controller_buf(&cfg, ctx, "big.yml", buf, big),
	                   DROVE_EINVAL, "big.yml: 1048577 bytes is above the limit of 1048576");
	free(buf);
	ck_assert_ptr_null(cfg);
	/* exactly 32 levels load; 33 do not */
	ck_assert_int_eq(drove__buf_puts(&deep, ZK "view: "), 0);
	for (int i = 0; i < 31; i++)
		ck_assert_int_eq(drove__buf_puts(&deep, "["), 0);
	for (int i = 0; i < 31; i++)
		ck_assert_int_eq(drove__buf_puts(&deep, "]"), 0);
	ck_assert_int_eq(load_c(deep.data), 0);
	drove__buf_reset(&deep);
	ck_assert_int_eq(drove__buf_puts(&deep, ZK "view: "), 0);
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(drove__buf_puts(&deep, "["), 0);
	for (int i = 0; i < 32; i++)
		ck_assert_int_eq(drove__buf_puts(&deep, "]"), 0);
	ASSERT_FAILS(load_c(deep.data), "controller.yml:2: nesting is deeper than 32 levels");
	drove__buf_free(&deep);
	ASSERT_FAILS(load_c("zookeeper: &z {connectionString: x}\nview: *z\n"),
	             "controller.yml:2: yaml aliases are not supported");
	ASSERT_FAILS(load_c(ZK "a: [1, 2\n"), "controller.yml:3: did not find expected ',' or ']'");
	ASSERT_FAILS(load_c("- 1\n"), "controller.yml:1: the document must be a map");
	ASSERT_FAILS(load_c(ZK "zookeeper: {connectionString: y}\n"),
	             "controller.yml:2: zookeeper: duplicate key");
	ASSERT_FAILS(load_c(ZK "---\nview: 1\n"),
	             "controller.yml:2: only one yaml document is allowed");
	ASSERT_FAILS(load_c("? [a]\n: b\n"), "controller.yml:1: map keys must be scalars");
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("samples");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_controller_sample);
	tcase_add_test(tc, test_inert_keys_accepted);
	tcase_add_test(tc, test_executor_sample);
	tcase_add_test(tc, test_load_from_path);
	tcase_add_test(tc, test_sample_keys_applied_or_refused);
	tcase_add_test(tc, test_applied_values);
	tcase_add_test(tc, test_syslog_appender);
	tcase_add_test(tc, test_controller_defaults);
	tcase_add_test(tc, test_executor_defaults);
	tcase_add_test(tc, test_store_variants);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_required_errors);
	tcase_add_test(tc, test_range_errors);
	tcase_add_test(tc, test_type_errors);
	tcase_add_test(tc, test_secret_and_user_uniqueness);
	tcase_add_test(tc, test_unknown_keys);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_env_substitution);
	tcase_add_test(tc, test_caps);
	suite_add_tcase(s, tc);
	return s;
}
