/*
 * Controller and executor configuration files (YAML, DROVE_API.md §10.1, §10.2), with
 * ${ENV_VAR} and ${ENV_VAR:-default} substitution in scalar values, the reference's defaults
 * and range checks. docs/configuration.md lists every key.
 *
 * Errors name the file, the line and the key path:
 *   "controller.yml:12: zookeeper.connectionString: required"
 *   "controller.yml:30: options.clusterOpTimeout: 5 seconds is below 10 seconds"
 * Unknown keys are errors, except under `view:` (UI only), in `logging:` (only `level` and
 * the `drove` appender are read) and at the top of `server:` (Dropwizard server settings other
 * than the connectors).
 *
 * Threads: a loaded config is shared read-only.
 */
#ifndef DROVE_CONFIG_H
#define DROVE_CONFIG_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/store.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

typedef struct drove_config drove_config;

/** Caps on a configuration file. */
#define DROVE_CONFIG_MAX_SIZE  (1024 * 1024)
#define DROVE_CONFIG_MAX_DEPTH 32

/** Which daemon a configuration is for. */
enum drove_config_kind {
	DROVE_CONFIG_CONTROLLER = 1,
	DROVE_CONFIG_EXECUTOR = 2,
};

/** Cluster secret owners (clusterAuth.secrets[].nodeType). */
enum drove_node_type {
	DROVE_NODE_CONTROLLER = 0,
	DROVE_NODE_EXECUTOR = 1,
};

/** Load a controller configuration file. `path` also names the file in error messages.
 *  @return 0, DROVE_EINVAL (the message is "file:line: key: problem"), DROVE_EIO (cannot
 *  read) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_config_load_controller(drove_config **out, drove_ctx *ctx, const char *path);
/** The same from memory; `name` is used in error messages ("controller.yml"); `data` need
 *  not be NUL-terminated and is at most DROVE_CONFIG_MAX_SIZE bytes. @since 0.1 */
DROVE_API int drove_config_load_controller_buf(drove_config **out, drove_ctx *ctx, const char *name,
                                               const char *data, size_t len);
/** Load an executor configuration file; as drove_config_load_controller. @since 0.1 */
DROVE_API int drove_config_load_executor(drove_config **out, drove_ctx *ctx, const char *path);
/** @since 0.1 */
DROVE_API int drove_config_load_executor_buf(drove_config **out, drove_ctx *ctx, const char *name,
                                             const char *data, size_t len);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_config_free(drove_config *cfg);

/** DROVE_CONFIG_CONTROLLER or DROVE_CONFIG_EXECUTOR. @since 0.1 */
DROVE_API int drove_config_kind(const drove_config *cfg);
/** server.applicationConnectors[0].port (controller default 4000, executor 3000). @since 0.1 */
DROVE_API int drove_config_port(const drove_config *cfg);
/** server.applicationConnectors[0].bindHost; NULL (all addresses) when not set. @since 0.1 */
DROVE_API const char *drove_config_bind_host(const drove_config *cfg);
/** server.adminConnectors[0].port (default 4001 / 3001); 0 when `adminConnectors: []`.
 *  @since 0.1 */
DROVE_API int drove_config_admin_port(const drove_config *cfg);
/** logging.level as a DROVE_LOG_* value (default INFO). @since 0.1 */
DROVE_API int drove_config_log_level(const drove_config *cfg);

/** Where cluster state lives (enum drove_store_backend in <drove/store.h>): DROVE_STORE_ZK
 *  (`zookeeper:` or `store: {type: zookeeper}`), DROVE_STORE_LOCAL (the embedded store,
 *  `store: {type: local, dataDir: ...}`) or DROVE_STORE_NONE (executor in RPC mode without a
 *  store). @since 0.1 */
DROVE_API int drove_config_store_type(const drove_config *cfg);
/** zookeeper.connectionString; NULL unless the store is ZooKeeper. @since 0.1 */
DROVE_API const char *drove_config_zk_connection(const drove_config *cfg);
/** zookeeper.nameSpace (default "drove"); NULL unless the store is ZooKeeper. @since 0.1 */
DROVE_API const char *drove_config_zk_namespace(const drove_config *cfg);
/** store.dataDir; NULL unless the store is local. @since 0.1 */
DROVE_API const char *drove_config_data_dir(const drove_config *cfg);

/** The first clusterAuth secret of `node_type` (defaults "DefaultControllerSecret" and
 *  "DefaultExecutorSecret"); NULL when the file lists none of that type. @since 0.1 */
DROVE_API const char *drove_config_cluster_secret(const drove_config *cfg, int node_type);
/** Number of clusterAuth secrets, and each one; borrowed, NULL when out of range. @since 0.1 */
DROVE_API size_t drove_config_cluster_secret_count(const drove_config *cfg);
DROVE_API const char *drove_config_cluster_secret_at(const drove_config *cfg, size_t i,
                                                     int *node_type_out);

/** Controller: 1 when userAuth is present and enabled. @since 0.1 */
DROVE_API int drove_config_user_auth_enabled(const drove_config *cfg);
/** Controller: 1 when userAuth.encoding is CRYPT (bcrypt hashes), 0 for PLAIN. @since 0.1 */
DROVE_API int drove_config_user_auth_crypt(const drove_config *cfg);
/** Controller: the users of userAuth; strings borrowed, NULL when out of range. The role is
 *  the role string of §1.5 ("DROVE_EXTERNAL_READ_WRITE"). @since 0.1 */
DROVE_API size_t drove_config_user_count(const drove_config *cfg);
DROVE_API const char *drove_config_user_name(const drove_config *cfg, size_t i);
DROVE_API const char *drove_config_user_password(const drove_config *cfg, size_t i);
DROVE_API const char *drove_config_user_role(const drove_config *cfg, size_t i);
/** Controller: instanceAuth.secret (default "DEFAULT_SECRET"). @since 0.1 */
DROVE_API const char *drove_config_instance_secret(const drove_config *cfg);

/** Any integer, flag, duration or size setting by its key path, e.g.
 *  "options.clusterOpTimeout" (durations in milliseconds), "options.jobRetryCount",
 *  "options.disableReadAuth" (0/1), "resources.exposedMemPercentage",
 *  "options.logBufferSize" (sizes in bytes). docs/configuration.md lists the keys.
 *  @return 0, DROVE_ENOTFOUND (no such key for this kind of config) or DROVE_EINVAL.
 *  @since 0.1 */
DROVE_API int drove_config_get_int(const drove_config *cfg, const char *key, int64_t *out);
/** A string setting by key path ("options.hostname", "options.dockerSocketPath",
 *  "resources.topology"); borrowed; NULL when unset or unknown. @since 0.1 */
DROVE_API const char *drove_config_get_string(const drove_config *cfg, const char *key);
/** A list setting by key path ("options.auditedHttpMethods", "resources.tags",
 *  "controllers.endpoints"); borrowed; NULL when unknown. @since 0.1 */
DROVE_API const drove_strlist *drove_config_get_strlist(const drove_config *cfg, const char *key);
/** Executor: resources.osCores; borrowed (NULL when empty), count in *n_out. @since 0.1 */
DROVE_API const int *drove_config_os_cores(const drove_config *cfg, size_t *n_out);

DROVE_END_DECLS

/* ---- Epoch (drove-epoch): epoch.yml as PhonePe's Epoch reads it ----
 * server.applicationConnectors/adminConnectors (first connector's port; defaults 8080/8081;
 * type http or https with keyStorePath, keyStorePassword, keyStoreType PKCS12 readable with
 * drove_epoch_config_get_string("server.applicationConnectors.keyStorePath") etc.),
 * logging.level, zookeeper.connectionString (+ nameSpace, default "epoch"; without
 * `zookeeper:` the embedded store is used in store.dataDir, default /var/lib/drove-epoch),
 * drove.endpoints (required) + insecure, username/password or droveAuthToken, appName
 * (the tasks' sourceAppName, default "EPOCH"), checkInterval, connectionTimeout,
 * operationTimeout, rpcRetryCount, rpcRetryInterval, clusterOpSpec; userAuth.enabled and
 * users[] {username, password, role READ_WRITE | READ_ONLY}; notify {type BLACKHOLE | MAIL,
 * smtpServer, port (587), tls, username, password, defaultEmails}; options.cleanupJobInterval
 * (1 hour), options.numRunsPerJob (0 or absent: 10). ${ENV} substitution as in the other
 * configs; unknown keys are errors except inside server, logging and clusterOpSpec.
 * Threads: shared read-only once loaded. */
DROVE_BEGIN_DECLS
typedef struct drove_epoch_config drove_epoch_config;
/** Load epoch.yml. @return 0, DROVE_EINVAL ("file:line: key: problem"), DROVE_EIO or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_config_load(drove_epoch_config **out, drove_ctx *ctx, const char *path);
/** The same from memory (at most DROVE_CONFIG_MAX_SIZE bytes). @since 0.1 */
DROVE_API int drove_epoch_config_load_buf(drove_epoch_config **out, drove_ctx *ctx,
                                          const char *name, const char *data, size_t len);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_epoch_config_free(drove_epoch_config *cfg);
/** Ports (0 when `adminConnectors: []`), bind host (NULL: all), DROVE_LOG_* level.
 *  @since 0.1 */
DROVE_API int drove_epoch_config_port(const drove_epoch_config *cfg);
DROVE_API int drove_epoch_config_admin_port(const drove_epoch_config *cfg);
DROVE_API const char *drove_epoch_config_bind_host(const drove_epoch_config *cfg);
DROVE_API int drove_epoch_config_log_level(const drove_epoch_config *cfg);
/** ZooKeeper connection and namespace (NULL without `zookeeper:`); the embedded store's
 *  directory (NULL with ZooKeeper unless store.dataDir is set); borrowed. @since 0.1 */
DROVE_API const char *drove_epoch_config_zk_connection(const drove_epoch_config *cfg);
DROVE_API const char *drove_epoch_config_zk_namespace(const drove_epoch_config *cfg);
DROVE_API const char *drove_epoch_config_data_dir(const drove_epoch_config *cfg);
/** drove.endpoints and notify.defaultEmails (NULL when absent); borrowed. @since 0.1 */
DROVE_API const drove_strlist *drove_epoch_config_drove_endpoints(const drove_epoch_config *cfg);
DROVE_API const drove_strlist *drove_epoch_config_default_emails(const drove_epoch_config *cfg);
/** Strings by key path: drove.username, drove.password, drove.droveAuthToken, drove.appName,
 *  notify.smtpServer, notify.username, notify.password, server.applicationConnectors. and
 *  server.adminConnectors.keyStorePath / keyStorePassword / keyStoreType,
 *  server.adminConnectors.bindHost (since 0.2); borrowed, NULL when unset. @since 0.1 */
DROVE_API const char *drove_epoch_config_get_string(const drove_epoch_config *cfg, const char *key);
/** Numbers and flags by key path (durations in ms): drove.insecure, drove.checkInterval,
 *  drove.connectionTimeout, drove.operationTimeout, drove.rpcRetryCount,
 *  drove.rpcRetryInterval, userAuth.enabled, notify.mail (1 for MAIL), notify.port,
 *  notify.tls, options.cleanupJobInterval, options.numRunsPerJob; libdrove's own (since
 *  0.2; Epoch has them fixed): options.misfireWindow (60 s), options.pollInterval (1 s),
 *  options.taskTimeout (300 s).
 *  @return 0, DROVE_ENOTFOUND or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_epoch_config_get_int(const drove_epoch_config *cfg, const char *key,
                                         int64_t *out);
/** userAuth users: the i-th username (NULL when out of range), its password and 1 for
 *  READ_WRITE / 0 for READ_ONLY (both outputs may be NULL); borrowed. @since 0.1 */
DROVE_API size_t drove_epoch_config_user_count(const drove_epoch_config *cfg);
DROVE_API const char *drove_epoch_config_user(const drove_epoch_config *cfg, size_t i,
                                              const char **password, int *read_write);
DROVE_END_DECLS
#endif
