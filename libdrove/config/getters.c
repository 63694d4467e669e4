/* Reading a loaded configuration: typed getters and the generic key lookup (DROVE_API.md
 * §10). Loading and validation are in config.c. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <drove/config.h>
#include "core/internal.h"
#include "config/config.h"

/* ---- getters ---- */

int drove_config_kind(const drove_config *cfg)
{
	return cfg ? cfg->kind : 0;
}

int drove_config_port(const drove_config *cfg)
{
	return cfg ? cfg->server.port : 0;
}

const char *drove_config_bind_host(const drove_config *cfg)
{
	return cfg ? cfg->server.bind_host : NULL;
}

int drove_config_admin_port(const drove_config *cfg)
{
	return cfg ? cfg->server.admin_port : 0;
}

int drove_config_log_level(const drove_config *cfg)
{
	return cfg ? cfg->log_level : DROVE_LOG_INFO;
}

int drove_config_store_type(const drove_config *cfg)
{
	return cfg ? cfg->store.type : DROVE_STORE_NONE;
}

const char *drove_config_zk_connection(const drove_config *cfg)
{
	return cfg && cfg->store.type == DROVE_STORE_ZK ? cfg->store.zk_connection : NULL;
}

const char *drove_config_zk_namespace(const drove_config *cfg)
{
	return cfg && cfg->store.type == DROVE_STORE_ZK ? cfg->store.zk_namespace : NULL;
}

const char *drove_config_data_dir(const drove_config *cfg)
{
	return cfg && cfg->store.type == DROVE_STORE_LOCAL ? cfg->store.data_dir : NULL;
}

const char *drove_config_cluster_secret(const drove_config *cfg, int node_type)
{
	for (size_t i = 0; cfg && i < cfg->n_secrets; i++)
		if (cfg->secrets[i].node_type == node_type)
			return cfg->secrets[i].secret;
	return NULL;
}

size_t drove_config_cluster_secret_count(const drove_config *cfg)
{
	return cfg ? cfg->n_secrets : 0;
}

const char *drove_config_cluster_secret_at(const drove_config *cfg, size_t i, int *node_type_out)
{
	if (!cfg || i >= cfg->n_secrets)
		return NULL;
	if (node_type_out)
		*node_type_out = cfg->secrets[i].node_type;
	return cfg->secrets[i].secret;
}

int drove_config_user_auth_enabled(const drove_config *cfg)
{
	return cfg ? cfg->ctrl.user_auth_enabled : 0;
}

int drove_config_user_auth_crypt(const drove_config *cfg)
{
	return cfg ? cfg->ctrl.user_auth_crypt : 0;
}

size_t drove_config_user_count(const drove_config *cfg)
{
	return cfg ? cfg->ctrl.n_users : 0;
}

static const drove__cfg_user *user_at(const drove_config *cfg, size_t i)
{
	return cfg && i < cfg->ctrl.n_users ? &cfg->ctrl.users[i] : NULL;
}

const char *drove_config_user_name(const drove_config *cfg, size_t i)
{
	const drove__cfg_user *u = user_at(cfg, i);
	return u ? u->username : NULL;
}

const char *drove_config_user_password(const drove_config *cfg, size_t i)
{
	const drove__cfg_user *u = user_at(cfg, i);
	return u ? u->password : NULL;
}

const char *drove_config_user_role(const drove_config *cfg, size_t i)
{
	const drove__cfg_user *u = user_at(cfg, i);
	return u ? drove__config_role_string(u->role) : NULL;
}

const char *drove_config_instance_secret(const drove_config *cfg)
{
	return cfg && cfg->kind == DROVE_CONFIG_CONTROLLER ? cfg->ctrl.instance_secret : NULL;
}

/* Key-path table for the generic getters. */
enum { T_I64, T_INT, T_STR, T_LIST };
struct keydef {
	int kind;
	const char *key;
	int type;
	size_t off;
};
#define CO(f) offsetof(drove_config, ctrl.options.f)
#define EX(f) offsetof(drove_config, exec.f)
#define C     DROVE_CONFIG_CONTROLLER
#define E     DROVE_CONFIG_EXECUTOR
static const struct keydef keys[] = {
        {C, "zookeeper.sessionTimeout", T_I64, offsetof(drove_config, store.zk_session_timeout_ms)},
        {E, "zookeeper.sessionTimeout", T_I64, offsetof(drove_config, store.zk_session_timeout_ms)},
        {C, "options.staleCheckInterval", T_I64, CO(stale_check_interval_ms)},
        {C, "options.staleAppAge", T_I64, CO(stale_app_age_ms)},
        {C, "options.maxStaleInstancesCount", T_I64, CO(max_stale_instances_count)},
        {C, "options.staleInstanceAge", T_I64, CO(stale_instance_age_ms)},
        {C, "options.staleTaskAge", T_I64, CO(stale_task_age_ms)},
        {C, "options.staleServiceAge", T_I64, CO(stale_service_age_ms)},
        {C, "options.maxEventsStorageDuration", T_I64, CO(max_events_storage_ms)},
        {C, "options.clusterOpTimeout", T_I64, CO(cluster_op_timeout_ms)},
        {C, "options.clusterOpParallelism", T_I64, CO(cluster_op_parallelism)},
        {C, "options.jobRetryCount", T_I64, CO(job_retry_count)},
        {C, "options.jobRetryInterval", T_I64, CO(job_retry_interval_ms)},
        {C, "options.instanceStateCheckRetryInterval", T_I64, CO(instance_state_check_ms)},
        {C, "options.compiledRuleCacheCount", T_I64, CO(compiled_rule_cache_count)},
        {C, "options.allowedRuleImportPackages", T_LIST, CO(allowed_rule_import_packages)},
        {C, "options.auditedHttpMethods", T_LIST, CO(audited_http_methods)},
        {C, "options.allowedMountDirs", T_LIST, CO(allowed_mount_dirs)},
        {C, "options.disableReadAuth", T_INT, CO(disable_read_auth)},
        {C, "options.disableCmdlArgs", T_INT, CO(disable_cmdl_args)},
        {C, "options.enableRawDeviceAccess", T_INT, CO(enable_raw_device_access)},
        {C, "options.staleExecutorAge", T_I64, CO(stale_executor_age_ms)},
        {C, "options.reconcileInterval", T_I64, CO(reconcile_interval_ms)},
        {C, "options.staleInstanceReportAge", T_I64, CO(stale_instance_report_ms)},
        {C, "options.maintenanceWindowTail", T_I64, CO(maintenance_window_tail_ms)},
        {C, "options.executorCheckInterval", T_I64, CO(executor_check_interval_ms)},
        {C, "options.executorProbeInterval", T_I64, CO(executor_probe_interval_ms)},
        {C, "options.executorProbeFailures", T_I64, CO(executor_probe_failures)},
        {C, "options.consoleAssetsPath", T_STR, CO(console_assets_path)},
        {C, "userAuth.cachingPolicy", T_STR, offsetof(drove_config, ctrl.caching_policy)},
        {C, "userAuth.cachingPolicy.maximumSize", T_I64,
         offsetof(drove_config, ctrl.auth_cache_max)},
        {C, "userAuth.cachingPolicy.expireAfterAccess", T_I64,
         offsetof(drove_config, ctrl.auth_cache_ttl_ms)},
        {E, "logging.appenders.drove.logPath", T_STR, EX(appender.log_path)},
        {E, "logging.appenders.drove.archive", T_INT, EX(appender.archive)},
        {E, "logging.appenders.drove.archivedLogFileSuffix", T_STR, EX(appender.archived_suffix)},
        {E, "logging.appenders.drove.archivedFileCount", T_I64, EX(appender.archived_file_count)},
        {E, "logging.appenders.drove.maxFileSize", T_I64, EX(appender.max_file_size)},
        {E, "logging.appenders.drove.totalSizeCap", T_I64, EX(appender.total_size_cap)},
        {E, "logging.appenders.drove.bufferSize", T_I64, EX(appender.buffer_size)},
        {E, "logging.appenders.drove.immediateFlush", T_INT, EX(appender.immediate_flush)},
        {E, "resources.exposedMemPercentage", T_I64, EX(exposed_mem_percent)},
        {E, "resources.disableNUMAPinning", T_INT, EX(disable_numa_pinning)},
        {E, "resources.enableNvidiaGpu", T_INT, EX(enable_nvidia_gpu)},
        {E, "resources.tags", T_LIST, EX(tags)},
        {E, "resources.overProvisioning.enabled", T_INT, EX(overprov_enabled)},
        {E, "resources.overProvisioning.cpuMultiplier", T_I64, EX(cpu_multiplier)},
        {E, "resources.overProvisioning.memoryMultiplier", T_I64, EX(mem_multiplier)},
        {E, "resources.metadata.valueMaxLimit", T_I64, EX(md_value_max_limit)},
        {E, "resources.metadata.blacklistedKeys", T_LIST, EX(md_blacklisted_keys)},
        {E, "resources.topology", T_STR, EX(topology)},
        {E, "resources.topologyXml", T_STR, EX(topology_xml)},
        {E, "options.hostname", T_STR, EX(hostname)},
        {E, "options.cacheImages", T_INT, EX(cache_images)},
        {E, "options.maxOpenFiles", T_I64, EX(max_open_files)},
        {E, "options.logBufferSize", T_I64, EX(log_buffer_size)},
        {E, "options.cacheFileSize", T_I64, EX(cache_file_size)},
        {E, "options.cacheFileCount", T_I64, EX(cache_file_count)},
        {E, "options.containerCommandTimeout", T_I64, EX(container_cmd_timeout_ms)},
        {E, "options.dockerSocketPath", T_STR, EX(docker_socket_path)},
        {E, "options.defaultUserSpec.user", T_STR, EX(default_user)},
        {E, "options.defaultUserSpec.group", T_STR, EX(default_group)},
        {E, "options.remoteUpdateMode", T_INT, EX(remote_update_mode)},
        {E, "options.controllerConnectTimeout", T_I64, EX(controller_connect_timeout_ms)},
        {E, "options.controllerResponseTimeout", T_I64, EX(controller_response_timeout_ms)},
        {E, "controllers.endpoints", T_LIST, EX(controller_endpoints)},
        {E, "controllers.leadershipCheckInterval", T_I64, EX(leadership_check_interval_ms)},
        {E, "options.snapshotInterval", T_I64, EX(snapshot_interval_ms)},
        {E, "options.zombieCheckInterval", T_I64, EX(zombie_check_interval_ms)},
        {E, "options.leaderLookupInterval", T_I64, EX(leader_lookup_interval_ms)},
        {E, "options.statsInterval", T_I64, EX(stats_interval_ms)},
};
#undef C
#undef E

static const struct keydef *find_key(const drove_config *cfg, const char *key, int type)
{
	for (size_t i = 0; cfg && key && i < DROVE_ARRAY_LEN(keys); i++)
		if (keys[i].kind == cfg->kind && !strcmp(keys[i].key, key) &&
		    (keys[i].type == type || (type == T_I64 && keys[i].type == T_INT)))
			return &keys[i];
	return NULL;
}

int drove_config_get_int(const drove_config *cfg, const char *key, int64_t *out)
{
	const struct keydef *k;
	const char *base = (const char *)cfg;

	DROVE_CHECK_ARG(cfg && key && out);
	if (!(k = find_key(cfg, key, T_I64)))
		return drove__error(DROVE_ENOTFOUND, "%s: no such integer setting", key);
	if (k->type == T_INT)
		*out = *(const int *)(const void *)(base + k->off);
	else
		*out = *(const int64_t *)(const void *)(base + k->off);
	return 0;
}

const char *drove_config_get_string(const drove_config *cfg, const char *key)
{
	const struct keydef *k = find_key(cfg, key, T_STR);
	return k ? *(char *const *)(const void *)((const char *)cfg + k->off) : NULL;
}

const drove_strlist *drove_config_get_strlist(const drove_config *cfg, const char *key)
{
	const struct keydef *k = find_key(cfg, key, T_LIST);
	return k ? *(drove_strlist *const *)(const void *)((const char *)cfg + k->off) : NULL;
}

const int *drove_config_os_cores(const drove_config *cfg, size_t *n_out)
{
	size_t n = cfg && cfg->kind == DROVE_CONFIG_EXECUTOR ? cfg->exec.n_os_cores : 0;
	if (n_out)
		*n_out = n;
	return n ? cfg->exec.os_cores : NULL;
}
