/* Descriptors of every model type (the JSON field tables) and the typed codec wrappers. */
#include <stddef.h>
#include <stdlib.h>

#include <drove/model.h>
#include "core/internal.h"
#include "model/codec.h"

#define B(x) (1u << (x))

/* A field: JSON name, kind, struct, member, variants. */
#define F(S, jn, k, m, v)                            \
	{                                            \
		jn, k, offsetof(S, m), 0, 0, NULL, v \
	}
/* An optional scalar with its has_<member> flag. */
#define FH(S, jn, k, m, v)                                                  \
	{                                                                   \
		jn, k, offsetof(S, m), 0, offsetof(S, has_##m) + 1, NULL, v \
	}
#define FE(S, jn, m, e, v)                               \
	{                                                \
		jn, MK_ENUM, offsetof(S, m), 0, 0, &e, v \
	}
#define FEH(S, jn, m, e, v)                                                     \
	{                                                                       \
		jn, MK_ENUM, offsetof(S, m), 0, offsetof(S, has_##m) + 1, &e, v \
	}
/* An array with its n_<member> count. */
#define FA(S, jn, k, m, aux, v)                                      \
	{                                                            \
		jn, k, offsetof(S, m), offsetof(S, n_##m), 0, aux, v \
	}
#define FO(S, jn, m, t, v)                              \
	{                                               \
		jn, MK_OBJ, offsetof(S, m), 0, 0, &t, v \
	}
#define FBYTES(S, jn, m, len, v)                                           \
	{                                                                  \
		jn, MK_BYTES, offsetof(S, m), offsetof(S, len), 0, NULL, v \
	}
#define FCONST(jn, value)                       \
	{                                       \
		jn, MK_CONST, 0, 0, 0, value, 0 \
	}

#define ENUM(id, ...)                                          \
	static const char *const id##_names[] = {__VA_ARGS__}; \
	static const struct menum id = {id##_names, (int)DROVE_ARRAY_LEN(id##_names), NULL, 0, 0}
/* An enum Drove may extend (codec.h): a name this build does not know reads `other`. */
#define ENUM_EXT(id, news, other, ...)                                                            \
	static const char *const id##_names[] = {__VA_ARGS__};                                    \
	static const struct menum id = {id##_names, (int)DROVE_ARRAY_LEN(id##_names), NULL, news, \
	                                other}

#define MTYPE(id, S, fields) \
	const struct mtype id = {#S, sizeof(S), fields, DROVE_ARRAY_LEN(fields), NULL, 0, -1, 0}
#define MPOLY(id, S, fields, tenum, def)                                                     \
	const struct mtype id = {#S,     sizeof(S),         fields, DROVE_ARRAY_LEN(fields), \
	                         &tenum, offsetof(S, type), def,    0}

/* ---- enums ---- */

ENUM(executable_type_e, "DOCKER");
ENUM(port_type_e, "HTTP", "HTTPS", "TCP", "UDP");
ENUM(mount_mode_e, "READ_WRITE", "READ_ONLY");
ENUM(config_type_e, "INLINE", "EXECUTOR_LOCAL_FILE", "CONTROLLER_HTTP_FETCH",
     "EXECUTOR_HTTP_FETCH");
ENUM(protocol_e, "HTTP", "HTTPS");
ENUM(verb_e, "GET", "POST", "PUT");
ENUM(resource_type_e, "CPU", "MEMORY");
ENUM(placement_type_e, "ANY", "ONE_PER_HOST", "MAX_N_PER_HOST", "MATCH_TAG", "NO_TAG", "RULE_BASED",
     "COMPOSITE", "LOCAL");
ENUM(rule_type_e, "HOPE", "MVEL");
ENUM(combiner_e, "AND", "OR");
ENUM(check_mode_type_e, "HTTP", "CMD");
ENUM(logging_type_e, "LOCAL", "RSYSLOG");
ENUM(exposure_mode_e, "ALL", "ONE");
ENUM(device_type_e, "DIRECT", "DETAILED");
ENUM(device_perm_e, "READ_ONLY", "WRITE_ONLY", "MKNOD_ONLY", "ALL", "READ_WRITE");
ENUM(job_type_e, "SERVICE", "COMPUTATION", "LOCAL_SERVICE");
ENUM(failure_strategy_e, "STOP", "ROLLBACK");
ENUM(node_type_e, "EXECUTOR", "CONTROLLER");
ENUM(transport_type_e, "HTTP", "HTTPS");
ENUM(app_op_type_e, "CREATE", "DESTROY", "START_INSTANCES", "STOP_INSTANCES", "SCALE",
     "REPLACE_INSTANCES", "SUSPEND", "RECOVER");
ENUM(task_op_type_e, "CREATE", "KILL");
static const char *const ls_op_type_names[] = {"CREATE",
                                               "ACTIVATE",
                                               "DEPLOY_TEST_INSTANCE",
                                               "DEACTIVATE",
                                               "UPDATE_INSTANCE_COUNT",
                                               "ADJUST_INSTANCES",
                                               "REPLACE_INSTANCES",
                                               "RESTART",
                                               "STOP_INSTANCES",
                                               "DESTROY"};
static const struct malias ls_op_aliases[] = {{"STOP", DROVE_LS_OP_DEACTIVATE}, {NULL, 0}};
static const struct menum ls_op_type_e = {ls_op_type_names, (int)DROVE_ARRAY_LEN(ls_op_type_names),
                                          ls_op_aliases, 0, 0};

/* public state enums (§5, §7.1); the task and instance states and the task result are the
 * extensible ones (Drove may add names; Epoch's poll reads them with DROVE_MODEL_NEW_NAMES) */
ENUM(app_state_e, "INIT", "MONITORING", "RUNNING", "OUTAGE_DETECTED", "SCALING_REQUESTED",
     "STOP_INSTANCES_REQUESTED", "REPLACE_INSTANCES_REQUESTED", "DESTROY_REQUESTED", "DESTROYED",
     "FAILED");
ENUM_EXT(instance_state_e, DROVE__MNEW_INSTANCE_STATE, DROVE_INST_UNKNOWN, "PENDING",
         "PROVISIONING", "PROVISIONING_FAILED", "STARTING", "START_FAILED", "UNREADY",
         "READINESS_CHECK_FAILED", "READY", "HEALTHY", "UNHEALTHY", "STOPPING", "DEPROVISIONING",
         "STOPPED", "LOST", "UNKNOWN");
ENUM_EXT(task_state_e, DROVE__MNEW_TASK_STATE, DROVE_TASK_UNKNOWN, "PENDING", "PROVISIONING",
         "PROVISIONING_FAILED", "STARTING", "RUNNING", "RUN_COMPLETED", "RUN_FAILED",
         "DEPROVISIONING", "STOPPED", "LOST", "UNKNOWN");
ENUM_EXT(task_result_status_e, DROVE__MNEW_TASK_RESULT_STATUS, -1, "SUCCESSFUL", "FAILED",
         "CANCELLED", "TIMED_OUT", "LOST");
ENUM(ls_state_e, "INIT", "ACTIVATION_REQUESTED", "CONFIG_TESTING_REQUESTED",
     "DEACTIVATION_REQUESTED", "EMERGENCY_DEACTIVATION_REQUESTED", "INACTIVE", "ACTIVE",
     "CONFIG_TESTING", "ADJUSTING_INSTANCES", "DEPLOYING_TEST_INSTANCE", "REPLACING_INSTANCES",
     "STOPPING_INSTANCES", "UPDATING_INSTANCES_COUNT", "DESTROY_REQUESTED", "DESTROYED");
ENUM(ls_activation_state_e, "ACTIVE", "CONFIG_TESTING", "INACTIVE");
ENUM(executor_state_e, "UNREADY", "ACTIVE", "BLACKLIST_REQUESTED", "BLACKLISTED", "REMOVED");
ENUM(cluster_state_e, "NORMAL", "MAINTENANCE");
ENUM(event_type_e, "APP_STATE_CHANGE", "INSTANCE_STATE_CHANGE", "TASK_STATE_CHANGE",
     "LOCAL_SERVICE_STATE_CHANGE", "LOCAL_SERVICE_INSTANCE_STATE_CHANGE", "EXECUTOR_ADDED",
     "EXECUTOR_REMOVED", "EXECUTOR_BLACKLIST_REQUESTED", "EXECUTOR_BLACKLISTED",
     "EXECUTOR_UN_BLACKLISTED", "MAINTENANCE_MODE_SET", "MAINTENANCE_MODE_REMOVED",
     "LEADERSHIP_ACQUIRED", "LEADERSHIP_LOST");

/* ---- spec building blocks ---- */

#define S drove_executable
static const struct mfield executable_f[] = {
        F(S, "url", MK_STR, url, 0),
        FH(S, "dockerPullTimeout", MK_DUR, docker_pull_timeout, 0),
};
#undef S
static MPOLY(mt_executable, drove_executable, executable_f, executable_type_e, 0);

#define S drove_port_spec
static const struct mfield port_spec_f[] = {
        F(S, "name", MK_STR, name, 0),
        FH(S, "port", MK_INT, port, 0),
        FEH(S, "type", type, port_type_e, 0),
};
#undef S
static MTYPE(mt_port_spec, drove_port_spec, port_spec_f);

#define S drove_volume
static const struct mfield volume_f[] = {
        F(S, "pathInContainer", MK_STR, path_in_container, 0),
        F(S, "pathOnHost", MK_STR, path_on_host, 0),
        FEH(S, "mode", mode, mount_mode_e, 0),
};
#undef S
static MTYPE(mt_volume, drove_volume, volume_f);

#define S drove_http_call
static const struct mfield http_call_f[] = {
        FEH(S, "protocol", protocol, protocol_e, 0),
        F(S, "hostname", MK_STR, hostname, 0),
        FH(S, "port", MK_INT, port, 0),
        F(S, "path", MK_STR, path, 0),
        FEH(S, "verb", verb, verb_e, 0),
        FA(S, "successCodes", MK_INTLIST, success_codes, NULL, 0),
        F(S, "payload", MK_STR, payload, 0),
        FH(S, "connectionTimeout", MK_DUR, connection_timeout, 0),
        FH(S, "operationTimeout", MK_DUR, operation_timeout, 0),
        F(S, "username", MK_STR, username, 0),
        F(S, "password", MK_STR, password, 0),
        F(S, "authHeader", MK_STR, auth_header, 0),
        F(S, "headers", MK_STRMAP, headers, 0),
        F(S, "insecure", MK_BOOL, insecure, 0),
};
#undef S
static MTYPE(mt_http_call, drove_http_call, http_call_f);

#define S drove_config_spec
static const struct mfield config_spec_f[] = {
        F(S, "localFilename", MK_STR, local_filename, 0),
        FBYTES(S, "data", data, data_len, B(DROVE_CONFIG_INLINE)),
        F(S, "filePathOnHost", MK_STR, file_path_on_host, B(DROVE_CONFIG_EXECUTOR_LOCAL_FILE)),
        FO(S, "http", http, mt_http_call,
           B(DROVE_CONFIG_CONTROLLER_HTTP_FETCH) | B(DROVE_CONFIG_EXECUTOR_HTTP_FETCH)),
};
#undef S
MPOLY(drove__mt_config_spec, drove_config_spec, config_spec_f, config_type_e, -1);

#define S drove_resource_req
static const struct mfield resource_req_f[] = {
        FH(S, "count", MK_I64, count, B(DROVE_RES_CPU)),
        FH(S, "sizeInMB", MK_I64, size_in_mb, B(DROVE_RES_MEMORY)),
};
#undef S
static MPOLY(mt_resource_req, drove_resource_req, resource_req_f, resource_type_e, -1);

#define S drove_placement_policy
static const struct mfield placement_f[] = {
        FH(S, "max", MK_INT, max, B(DROVE_PLACE_MAX_N_PER_HOST)),
        F(S, "tag", MK_STR, tag, B(DROVE_PLACE_MATCH_TAG)),
        F(S, "rule", MK_STR, rule, B(DROVE_PLACE_RULE_BASED)),
        FEH(S, "ruleType", rule_type, rule_type_e, B(DROVE_PLACE_RULE_BASED)),
        FA(S, "policies", MK_OBJARR, policies, &drove__mt_placement_policy,
           B(DROVE_PLACE_COMPOSITE)),
        FEH(S, "combiner", combiner, combiner_e, B(DROVE_PLACE_COMPOSITE)),
        F(S, "hostLevel", MK_BOOL, host_level, B(DROVE_PLACE_LOCAL)),
};
#undef S
MPOLY(drove__mt_placement_policy, drove_placement_policy, placement_f, placement_type_e, -1);

#define S drove_check_mode
#define H B(DROVE_CHECK_HTTP)
static const struct mfield check_mode_f[] = {
        FEH(S, "protocol", protocol, protocol_e, H),
        F(S, "portName", MK_STR, port_name, H),
        F(S, "path", MK_STR, path, H),
        FEH(S, "verb", verb, verb_e, H),
        FA(S, "successCodes", MK_INTLIST, success_codes, NULL, H),
        F(S, "payload", MK_STR, payload, H),
        FH(S, "connectionTimeout", MK_DUR, connection_timeout, H),
        F(S, "insecure", MK_BOOL, insecure, H),
        F(S, "command", MK_STR, command, B(DROVE_CHECK_CMD)),
        F(S, "shellDisabled", MK_BOOL, shell_disabled, B(DROVE_CHECK_CMD)),
};
#undef H
#undef S
static MPOLY(mt_check_mode, drove_check_mode, check_mode_f, check_mode_type_e, -1);

#define S drove_check_spec
static const struct mfield check_spec_f[] = {
        FO(S, "mode", mode, mt_check_mode, 0),           FH(S, "timeout", MK_DUR, timeout, 0),
        FH(S, "interval", MK_DUR, interval, 0),          FH(S, "attempts", MK_INT, attempts, 0),
        FH(S, "initialDelay", MK_DUR, initial_delay, 0),
};
#undef S
MTYPE(drove__mt_check_spec, drove_check_spec, check_spec_f);

#define S drove_pre_shutdown
static const struct mfield pre_shutdown_f[] = {
        FA(S, "hooks", MK_OBJARR, hooks, &mt_check_mode, 0),
        FH(S, "waitBeforeKill", MK_DUR, wait_before_kill, 0),
};
#undef S
static MTYPE(mt_pre_shutdown, drove_pre_shutdown, pre_shutdown_f);

#define S drove_logging
static const struct mfield logging_f[] = {
        F(S, "maxSize", MK_STR, max_size, B(DROVE_LOGGING_LOCAL)),
        FH(S, "maxFiles", MK_INT, max_files, B(DROVE_LOGGING_LOCAL)),
        F(S, "compress", MK_BOOL, compress, B(DROVE_LOGGING_LOCAL)),
        F(S, "server", MK_STR, server, B(DROVE_LOGGING_RSYSLOG)),
        F(S, "tagPrefix", MK_STR, tag_prefix, B(DROVE_LOGGING_RSYSLOG)),
        F(S, "tagSuffix", MK_STR, tag_suffix, B(DROVE_LOGGING_RSYSLOG)),
};
#undef S
static MPOLY(mt_logging, drove_logging, logging_f, logging_type_e, -1);

#define S drove_exposure
static const struct mfield exposure_f[] = {
        F(S, "vhost", MK_STR, vhost, 0),
        F(S, "portName", MK_STR, port_name, 0),
        FEH(S, "mode", mode, exposure_mode_e, 0),
};
#undef S
static MTYPE(mt_exposure, drove_exposure, exposure_f);

#define S  drove_device
#define DI B(DROVE_DEVICE_DIRECT)
#define DE B(DROVE_DEVICE_DETAILED)
static const struct mfield device_f[] = {
        F(S, "pathOnHost", MK_STR, path_on_host, DI),
        F(S, "pathInContainer", MK_STR, path_in_container, DI),
        FEH(S, "permissions", permissions, device_perm_e, DI),
        F(S, "driver", MK_STR, driver, DE),
        FH(S, "count", MK_INT, count, DE),
        FA(S, "deviceIds", MK_STRLIST, device_ids, NULL, DE),
        FA(S, "capabilities", MK_STRLISTLIST, capabilities, NULL, DE),
        F(S, "options", MK_STRMAP, options, DE),
};
#undef DI
#undef DE
#undef S
static MPOLY(mt_device, drove_device, device_f, device_type_e, -1);

#define S drove_user_spec
static const struct mfield user_spec_f[] = {
        F(S, "user", MK_STR, user, 0),
        F(S, "group", MK_STR, group, 0),
};
#undef S
static MTYPE(mt_user_spec, drove_user_spec, user_spec_f);

/* ---- specs ---- */

#define S drove_app_spec
#define APP_SPEC_FIELDS                                                                    \
	F(S, "name", MK_STR, name, 0), F(S, "version", MK_STR, version, 0),                \
	        FEH(S, "type", type, job_type_e, 0),                                       \
	        FO(S, "executable", executable, mt_executable, 0),                         \
	        FA(S, "exposedPorts", MK_OBJARR, exposed_ports, &mt_port_spec, 0),         \
	        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),                       \
	        FA(S, "configs", MK_OBJARR, configs, &drove__mt_config_spec, 0),           \
	        FA(S, "resources", MK_OBJARR, resources, &mt_resource_req, 0),             \
	        FO(S, "placementPolicy", placement_policy, drove__mt_placement_policy, 0), \
	        FO(S, "healthcheck", healthcheck, drove__mt_check_spec, 0),                \
	        FO(S, "readiness", readiness, drove__mt_check_spec, 0),                    \
	        F(S, "tags", MK_STRMAP, tags, 0), F(S, "env", MK_STRMAP, env, 0),          \
	        FA(S, "args", MK_STRLIST, args, NULL, 0),                                  \
	        FA(S, "devices", MK_OBJARR, devices, &mt_device, 0),                       \
	        FO(S, "preShutdown", pre_shutdown, mt_pre_shutdown, 0),                    \
	        FO(S, "logging", logging, mt_logging, 0),                                  \
	        FO(S, "userSpec", user_spec, mt_user_spec, 0)
static const struct mfield app_spec_f[] = {
        APP_SPEC_FIELDS,
        FO(S, "exposureSpec", exposure_spec, mt_exposure, 0),
};
static const struct mfield ls_spec_f[] = {APP_SPEC_FIELDS};
#undef S
MTYPE(drove__mt_app_spec, drove_app_spec, app_spec_f);
MTYPE(drove__mt_ls_spec, drove_app_spec, ls_spec_f);

#define S drove_task_spec
static const struct mfield task_spec_f[] = {
        F(S, "sourceAppName", MK_STR, source_app_name, 0),
        F(S, "taskId", MK_STR, task_id, 0),
        FO(S, "executable", executable, mt_executable, 0),
        FA(S, "resources", MK_OBJARR, resources, &mt_resource_req, 0),
        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),
        FA(S, "configs", MK_OBJARR, configs, &drove__mt_config_spec, 0),
        FO(S, "placementPolicy", placement_policy, drove__mt_placement_policy, 0),
        F(S, "tags", MK_STRMAP, tags, 0),
        F(S, "env", MK_STRMAP, env, 0),
        FA(S, "args", MK_STRLIST, args, NULL, 0),
        FA(S, "devices", MK_OBJARR, devices, &mt_device, 0),
        FO(S, "logging", logging, mt_logging, 0),
        FO(S, "userSpec", user_spec, mt_user_spec, 0),
};
#undef S
MTYPE(drove__mt_task_spec, drove_task_spec, task_spec_f);

/* ---- operations ---- */

#define S drove_cluster_op_spec
static const struct mfield cluster_op_spec_f[] = {
        FH(S, "timeout", MK_DUR, timeout, 0),
        FH(S, "parallelism", MK_INT, parallelism, 0),
        FEH(S, "failureStrategy", failure_strategy, failure_strategy_e, 0),
};
#undef S
MTYPE(drove__mt_cluster_op_spec, drove_cluster_op_spec, cluster_op_spec_f);

#define S drove_app_op
static const struct mfield app_op_f[] = {
        F(S, "appId", MK_STR, app_id, ~B(DROVE_APP_OP_CREATE)),
        FO(S, "spec", spec, drove__mt_app_spec, B(DROVE_APP_OP_CREATE)),
        FH(S, "instances", MK_I64, instances,
           B(DROVE_APP_OP_CREATE) | B(DROVE_APP_OP_START_INSTANCES)),
        FH(S, "requiredInstances", MK_I64, required_instances, B(DROVE_APP_OP_SCALE)),
        FA(S, "instanceIds", MK_STRLIST, instance_ids, NULL,
           B(DROVE_APP_OP_STOP_INSTANCES) | B(DROVE_APP_OP_REPLACE_INSTANCES)),
        F(S, "skipRespawn", MK_BOOL, skip_respawn, B(DROVE_APP_OP_STOP_INSTANCES)),
        F(S, "stopFirst", MK_BOOL, stop_first, B(DROVE_APP_OP_REPLACE_INSTANCES)),
        FO(S, "opSpec", op_spec, drove__mt_cluster_op_spec, 0),
};
#undef S
MPOLY(drove__mt_app_op, drove_app_op, app_op_f, app_op_type_e, -1);

#define S drove_task_op
static const struct mfield task_op_f[] = {
        FO(S, "spec", spec, drove__mt_task_spec, B(DROVE_TASK_OP_CREATE)),
        F(S, "sourceAppName", MK_STR, source_app_name, B(DROVE_TASK_OP_KILL)),
        F(S, "taskId", MK_STR, task_id, B(DROVE_TASK_OP_KILL)),
        FO(S, "opSpec", op_spec, drove__mt_cluster_op_spec, 0),
};
#undef S
MPOLY(drove__mt_task_op, drove_task_op, task_op_f, task_op_type_e, -1);

#define S drove_ls_op
static const struct mfield ls_op_f[] = {
        F(S, "serviceId", MK_STR, service_id, ~B(DROVE_LS_OP_CREATE)),
        FO(S, "spec", spec, drove__mt_ls_spec, B(DROVE_LS_OP_CREATE)),
        FH(S, "instancesPerHost", MK_I64, instances_per_host,
           B(DROVE_LS_OP_CREATE) | B(DROVE_LS_OP_UPDATE_INSTANCE_COUNT)),
        FA(S, "instanceIds", MK_STRLIST, instance_ids, NULL,
           B(DROVE_LS_OP_REPLACE_INSTANCES) | B(DROVE_LS_OP_STOP_INSTANCES)),
        F(S, "stopFirst", MK_BOOL, stop_first,
          B(DROVE_LS_OP_REPLACE_INSTANCES) | B(DROVE_LS_OP_RESTART)),
        FO(S, "opSpec", op_spec, drove__mt_cluster_op_spec,
           B(DROVE_LS_OP_ADJUST_INSTANCES) | B(DROVE_LS_OP_REPLACE_INSTANCES) |
                   B(DROVE_LS_OP_STOP_INSTANCES)),
        FO(S, "clusterOpSpec", op_spec, drove__mt_cluster_op_spec, B(DROVE_LS_OP_RESTART)),
};
#undef S
MPOLY(drove__mt_ls_op, drove_ls_op, ls_op_f, ls_op_type_e, -1);

/* ---- allocations and records ---- */

#define S drove_allocation
static const struct mfield allocation_f[] = {
        FA(S, "cores", MK_NUMA_CORES, cores, NULL, B(DROVE_RES_CPU)),
        FA(S, "memoryInMB", MK_NUMA_MEM, memory, NULL, B(DROVE_RES_MEMORY)),
};
#undef S
MPOLY(drove__mt_allocation, drove_allocation, allocation_f, resource_type_e, -1);

#define S drove_port_info
static const struct mfield port_info_f[] = {
        F(S, "containerPort", MK_INT, container_port, 0),
        F(S, "hostPort", MK_INT, host_port, 0),
        FE(S, "portType", port_type, port_type_e, 0),
};
#undef S
static const struct mtype mt_port_info = {"drove_port_info",
                                          sizeof(drove_port_info),
                                          port_info_f,
                                          DROVE_ARRAY_LEN(port_info_f),
                                          NULL,
                                          0,
                                          -1,
                                          offsetof(drove_port_info, name) + 1};

#define S drove_local_info
static const struct mfield local_info_f[] = {
        F(S, "hostname", MK_STR, hostname, 0),
        FA(S, "ports", MK_OBJMAP, ports, &mt_port_info, 0),
};
#undef S
static MTYPE(mt_local_info, drove_local_info, local_info_f);

#define INSTANCE_TAIL(S, state_e)                                                               \
	F(S, "instanceId", MK_STR, instance_id, 0), F(S, "executorId", MK_STR, executor_id, 0), \
	        FO(S, "localInfo", local_info, mt_local_info, 0),                               \
	        FA(S, "resources", MK_OBJARR, resources, &drove__mt_allocation, 0),             \
	        FE(S, "state", state, state_e, 0), F(S, "metadata", MK_STRMAP, metadata, 0),    \
	        F(S, "errorMessage", MK_STR, error_message, 0),                                 \
	        F(S, "created", MK_I64, created, 0), F(S, "updated", MK_I64, updated, 0)

static const struct mfield instance_info_f[] = {
        F(drove_instance_info, "appId", MK_STR, app_id, 0),
        F(drove_instance_info, "appName", MK_STR, app_name, 0),
        INSTANCE_TAIL(drove_instance_info, instance_state_e),
};
MTYPE(drove__mt_instance_info, drove_instance_info, instance_info_f);

static const struct mfield ls_instance_info_f[] = {
        F(drove_ls_instance_info, "serviceId", MK_STR, service_id, 0),
        F(drove_ls_instance_info, "serviceName", MK_STR, service_name, 0),
        INSTANCE_TAIL(drove_ls_instance_info, instance_state_e),
};
MTYPE(drove__mt_ls_instance_info, drove_ls_instance_info, ls_instance_info_f);

#define S drove_task_result
static const struct mfield task_result_f[] = {
        FE(S, "status", status, task_result_status_e, 0),
        F(S, "exitCode", MK_I64, exit_code, 0),
};
#undef S
static MTYPE(mt_task_result, drove_task_result, task_result_f);

#define S drove_task_info
static const struct mfield task_info_f[] = {
        F(S, "sourceAppName", MK_STR, source_app_name, 0),
        F(S, "taskId", MK_STR, task_id, 0),
        F(S, "instanceId", MK_STR, instance_id, 0),
        F(S, "executorId", MK_STR, executor_id, 0),
        F(S, "hostname", MK_STR, hostname, 0),
        FO(S, "executable", executable, mt_executable, 0),
        FA(S, "resources", MK_OBJARR, resources, &drove__mt_allocation, 0),
        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),
        FO(S, "loggingSpec", logging_spec, mt_logging, 0),
        F(S, "env", MK_STRMAP, env, 0),
        FE(S, "state", state, task_state_e, 0),
        F(S, "metadata", MK_STRMAP, metadata, 0),
        FO(S, "taskResult", task_result, mt_task_result, 0),
        F(S, "errorMessage", MK_STR, error_message, 0),
        F(S, "created", MK_I64, created, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_task_info, drove_task_info, task_info_f);

#define S drove_cpu_snapshot
static const struct mfield cpu_snapshot_f[] = {
        FCONST("type", "CPU"),
        FA(S, "freeCores", MK_NUMA_CORES, free_cores, NULL, 0),
        FA(S, "usedCores", MK_NUMA_CORES, used_cores, NULL, 0),
};
#undef S
static MTYPE(mt_cpu_snapshot, drove_cpu_snapshot, cpu_snapshot_f);

#define S drove_mem_snapshot
static const struct mfield mem_snapshot_f[] = {
        FCONST("type", "MEMORY"),
        FA(S, "freeMemory", MK_NUMA_MEM, free_memory, NULL, 0),
        FA(S, "usedMemory", MK_NUMA_MEM, used_memory, NULL, 0),
};
#undef S
static MTYPE(mt_mem_snapshot, drove_mem_snapshot, mem_snapshot_f);

#define S drove_layout
static const struct mfield layout_f[] = {
        FA(S, "cores", MK_NUMA_CORES, cores, NULL, 0),
        FA(S, "memory", MK_NUMA_MEM, memory, NULL, 0),
};
#undef S
static MTYPE(mt_layout, drove_layout, layout_f);

#define S drove_resource_snapshot
static const struct mfield resource_snapshot_f[] = {
        F(S, "executorId", MK_STR, executor_id, 0),
        FO(S, "cpus", cpus, mt_cpu_snapshot, 0),
        FO(S, "memory", memory, mt_mem_snapshot, 0),
        FO(S, "layout", layout, mt_layout, 0),
};
#undef S
MTYPE(drove__mt_resource_snapshot, drove_resource_snapshot, resource_snapshot_f);

#define S  drove_node_data
#define EX B(DROVE_NODEDATA_EXECUTOR)
static const struct mfield node_data_f[] = {
        F(S, "hostname", MK_STR, hostname, 0),
        F(S, "port", MK_INT, port, 0),
        FE(S, "transportType", transport_type, transport_type_e, 0),
        F(S, "updated", MK_I64, updated, 0),
        FO(S, "state", state, drove__mt_resource_snapshot, EX),
        FA(S, "instances", MK_OBJARR, instances, &drove__mt_instance_info, EX),
        FA(S, "tasks", MK_OBJARR, tasks, &drove__mt_task_info, EX),
        FA(S, "serviceInstances", MK_OBJARR, service_instances, &drove__mt_ls_instance_info, EX),
        FA(S, "tags", MK_STRLIST, tags, NULL, EX),
        F(S, "metadata", MK_STRMAP, metadata, EX),
        FEH(S, "executorState", executor_state, executor_state_e, EX),
        F(S, "leader", MK_BOOL, leader, B(DROVE_NODEDATA_CONTROLLER)),
};
#undef EX
#undef S
MPOLY(drove__mt_node_data, drove_node_data, node_data_f, node_type_e, -1);

#define S drove_app_info
static const struct mfield app_info_f[] = {
        F(S, "appId", MK_STR, app_id, 0),        FO(S, "spec", spec, drove__mt_app_spec, 0),
        F(S, "instances", MK_I64, instances, 0), F(S, "created", MK_I64, created, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_app_info, drove_app_info, app_info_f);

#define S drove_ls_info
static const struct mfield ls_info_f[] = {
        F(S, "serviceId", MK_STR, service_id, 0),
        FO(S, "spec", spec, drove__mt_ls_spec, 0),
        F(S, "instancesPerHost", MK_I64, instances_per_host, 0),
        FE(S, "activationState", activation_state, ls_activation_state_e, 0),
        F(S, "created", MK_I64, created, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_ls_info, drove_ls_info, ls_info_f);

#define S drove_cluster_state_data
static const struct mfield cluster_state_data_f[] = {
        FE(S, "state", state, cluster_state_e, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_cluster_state_data, drove_cluster_state_data, cluster_state_data_f);

#define S drove_known_instances
static const struct mfield known_instances_f[] = {
        FA(S, "appInstanceIds", MK_STRLIST, app_instance_ids, NULL, 0),
        FA(S, "staleAppInstanceIds", MK_STRLIST, stale_app_instance_ids, NULL, 0),
        FA(S, "taskInstanceIds", MK_STRLIST, task_instance_ids, NULL, 0),
        FA(S, "staleTaskInstanceIds", MK_STRLIST, stale_task_instance_ids, NULL, 0),
        FA(S, "localServiceInstanceIds", MK_STRLIST, local_service_instance_ids, NULL, 0),
        FA(S, "staleLocalServiceInstanceIds", MK_STRLIST, stale_local_service_instance_ids, NULL,
           0),
};
#undef S
MTYPE(drove__mt_known_instances, drove_known_instances, known_instances_f);

#define S drove_event
static const struct mfield event_f[] = {
        F(S, "id", MK_STR, id, 0),
        F(S, "time", MK_I64, time, 0),
        F(S, "metadata", MK_EVMETA, metadata, 0),
};
#undef S
MPOLY(drove__mt_event, drove_event, event_f, event_type_e, -1);

#define S drove_app_instance_spec
static const struct mfield app_instance_spec_f[] = {
        F(S, "appId", MK_STR, app_id, 0),
        F(S, "appName", MK_STR, app_name, 0),
        F(S, "instanceId", MK_STR, instance_id, 0),
        FO(S, "executable", executable, mt_executable, 0),
        FA(S, "resources", MK_OBJARR, resources, &drove__mt_allocation, 0),
        FA(S, "ports", MK_OBJARR, ports, &mt_port_spec, 0),
        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),
        FA(S, "configs", MK_OBJARR, configs, &drove__mt_config_spec, 0),
        FO(S, "healthcheck", healthcheck, drove__mt_check_spec, 0),
        FO(S, "readiness", readiness, drove__mt_check_spec, 0),
        FO(S, "loggingSpec", logging_spec, mt_logging, 0),
        F(S, "env", MK_STRMAP, env, 0),
        FA(S, "args", MK_STRLIST, args, NULL, 0),
        FA(S, "devices", MK_OBJARR, devices, &mt_device, 0),
        FO(S, "preShutdown", pre_shutdown, mt_pre_shutdown, 0),
        FO(S, "userSpec", user_spec, mt_user_spec, 0),
        F(S, "instanceAuthToken", MK_STR, instance_auth_token, 0),
};
#undef S
MTYPE(drove__mt_app_instance_spec, drove_app_instance_spec, app_instance_spec_f);

#define S drove_task_instance_spec
static const struct mfield task_instance_spec_f[] = {
        F(S, "taskId", MK_STR, task_id, 0),
        F(S, "sourceAppName", MK_STR, source_app_name, 0),
        F(S, "instanceId", MK_STR, instance_id, 0),
        FO(S, "executable", executable, mt_executable, 0),
        FA(S, "resources", MK_OBJARR, resources, &drove__mt_allocation, 0),
        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),
        FA(S, "configs", MK_OBJARR, configs, &drove__mt_config_spec, 0),
        FO(S, "loggingSpec", logging_spec, mt_logging, 0),
        F(S, "env", MK_STRMAP, env, 0),
        FA(S, "args", MK_STRLIST, args, NULL, 0),
        FA(S, "devices", MK_OBJARR, devices, &mt_device, 0),
        FO(S, "userSpec", user_spec, mt_user_spec, 0),
};
#undef S
MTYPE(drove__mt_task_instance_spec, drove_task_instance_spec, task_instance_spec_f);

#define S drove_ls_instance_spec
static const struct mfield ls_instance_spec_f[] = {
        F(S, "serviceId", MK_STR, service_id, 0),
        F(S, "serviceName", MK_STR, service_name, 0),
        F(S, "instanceId", MK_STR, instance_id, 0),
        FO(S, "executable", executable, mt_executable, 0),
        FA(S, "resources", MK_OBJARR, resources, &drove__mt_allocation, 0),
        FA(S, "ports", MK_OBJARR, ports, &mt_port_spec, 0),
        F(S, "hostLevelInstance", MK_BOOL, host_level_instance, 0),
        FA(S, "volumes", MK_OBJARR, volumes, &mt_volume, 0),
        FA(S, "configs", MK_OBJARR, configs, &drove__mt_config_spec, 0),
        FO(S, "healthcheck", healthcheck, drove__mt_check_spec, 0),
        FO(S, "readiness", readiness, drove__mt_check_spec, 0),
        FO(S, "loggingSpec", logging_spec, mt_logging, 0),
        F(S, "env", MK_STRMAP, env, 0),
        FA(S, "args", MK_STRLIST, args, NULL, 0),
        FA(S, "devices", MK_OBJARR, devices, &mt_device, 0),
        FO(S, "preShutdown", pre_shutdown, mt_pre_shutdown, 0),
        FO(S, "userSpec", user_spec, mt_user_spec, 0),
        F(S, "instanceAuthToken", MK_STR, instance_auth_token, 0),
};
#undef S
MTYPE(drove__mt_ls_instance_spec, drove_ls_instance_spec, ls_instance_spec_f);

/* ---- API views (§2.2, §2.6, §2.7) ---- */

#define S drove_app_summary
static const struct mfield app_summary_f[] = {
        F(S, "id", MK_STR, id, 0),
        F(S, "name", MK_STR, name, 0),
        F(S, "requiredInstances", MK_I64, required_instances, 0),
        F(S, "healthyInstances", MK_I64, healthy_instances, 0),
        F(S, "totalCPUs", MK_I64, total_cpus, 0),
        F(S, "totalMemory", MK_I64, total_memory, 0),
        F(S, "tags", MK_STRMAP, tags, 0),
        FEH(S, "state", state, app_state_e, 0),
        F(S, "created", MK_I64, created, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_app_summary, drove_app_summary, app_summary_f);

#define S drove_ls_summary
static const struct mfield ls_summary_f[] = {
        F(S, "id", MK_STR, id, 0),
        F(S, "name", MK_STR, name, 0),
        F(S, "instancesPerHost", MK_I64, instances_per_host, 0),
        F(S, "healthyInstances", MK_I64, healthy_instances, 0),
        F(S, "totalCPUs", MK_I64, total_cpus, 0),
        F(S, "totalMemory", MK_I64, total_memory, 0),
        F(S, "tags", MK_STRMAP, tags, 0),
        FEH(S, "activationState", activation_state, ls_activation_state_e, 0),
        FEH(S, "state", state, ls_state_e, 0),
        F(S, "created", MK_I64, created, 0),
        F(S, "updated", MK_I64, updated, 0),
};
#undef S
MTYPE(drove__mt_ls_summary, drove_ls_summary, ls_summary_f);

#define S drove_executor_summary
static const struct mfield executor_summary_f[] = {
        F(S, "executorId", MK_STR, executor_id, 0),
        F(S, "hostname", MK_STR, hostname, 0),
        F(S, "port", MK_INT, port, 0),
        FEH(S, "transportType", transport_type, transport_type_e, 0),
        F(S, "freeCores", MK_I64, free_cores, 0),
        F(S, "usedCores", MK_I64, used_cores, 0),
        F(S, "freeMemory", MK_I64, free_memory, 0),
        F(S, "usedMemory", MK_I64, used_memory, 0),
        FA(S, "tags", MK_STRLIST, tags, NULL, 0),
        FEH(S, "state", state, executor_state_e, 0),
};
#undef S
MTYPE(drove__mt_executor_summary, drove_executor_summary, executor_summary_f);

#define S drove_cluster_summary_data
static const struct mfield cluster_summary_data_f[] = {
        F(S, "leader", MK_STR, leader, 0),
        FEH(S, "state", state, cluster_state_e, 0),
        F(S, "numExecutors", MK_I64, num_executors, 0),
        F(S, "numApplications", MK_I64, num_applications, 0),
        F(S, "numActiveApplications", MK_I64, num_active_applications, 0),
        F(S, "numActiveTasks", MK_I64, num_active_tasks, 0),
        F(S, "numLocalServices", MK_I64, num_local_services, 0),
        F(S, "numActiveLocalServices", MK_I64, num_active_local_services, 0),
        F(S, "freeCores", MK_I64, free_cores, 0),
        F(S, "usedCores", MK_I64, used_cores, 0),
        F(S, "totalCores", MK_I64, total_cores, 0),
        F(S, "freeMemory", MK_I64, free_memory, 0),
        F(S, "usedMemory", MK_I64, used_memory, 0),
        F(S, "totalMemory", MK_I64, total_memory, 0),
};
#undef S
MTYPE(drove__mt_cluster_summary_data, drove_cluster_summary_data, cluster_summary_data_f);

#define S drove_exposed_host
static const struct mfield exposed_host_f[] = {
        F(S, "host", MK_STR, host, 0),
        F(S, "port", MK_INT, port, 0),
        F(S, "portType", MK_STR, port_type, 0),
};
#undef S
static MTYPE(mt_exposed_host, drove_exposed_host, exposed_host_f);

#define S drove_exposed_app
static const struct mfield exposed_app_f[] = {
        F(S, "appId", MK_STR, app_id, 0),
        F(S, "appName", MK_STR, app_name, 0),
        F(S, "vhost", MK_STR, vhost, 0),
        F(S, "tags", MK_STRMAP, tags, 0),
        FA(S, "hosts", MK_OBJARR, hosts, &mt_exposed_host, 0),
};
#undef S
MTYPE(drove__mt_exposed_app, drove_exposed_app, exposed_app_f);

#define S drove_events_summary
static const struct mfield events_summary_f[] = {
        F(S, "eventsCount", MK_EVMETA, events_count, 0),
        F(S, "lastSyncTime", MK_I64, last_sync_time, 0),
};
#undef S
MTYPE(drove__mt_events_summary, drove_events_summary, events_summary_f);

/* ---- typed wrappers ---- */

#define DEFINE_CODEC(T)                                                                        \
	int drove__##T##_decode(const char *json, size_t len, unsigned flags, drove_##T **out, \
	                        drove_strlist *errors, drove_strlist *unknown)                 \
	{                                                                                      \
		void *o = NULL;                                                                \
		int rc;                                                                        \
		DROVE_CHECK_ARG(out);                                                          \
		rc = drove__mcodec_decode_text(&drove__mt_##T, json, len, flags, &o, errors,   \
		                               unknown);                                       \
		if (o)                                                                         \
			*out = o;                                                              \
		return rc;                                                                     \
	}                                                                                      \
	int drove__##T##_from_jobj(struct json_object *j, unsigned flags, drove_##T **out,     \
	                           drove_strlist *errors, drove_strlist *unknown)              \
	{                                                                                      \
		void *o = NULL;                                                                \
		int rc;                                                                        \
		DROVE_CHECK_ARG(out);                                                          \
		rc = drove__mcodec_decode_jobj(&drove__mt_##T, j, flags, &o, errors, unknown); \
		if (o)                                                                         \
			*out = o;                                                              \
		return rc;                                                                     \
	}                                                                                      \
	int drove__##T##_encode(const drove_##T *v, char **out)                                \
	{                                                                                      \
		return drove__mcodec_encode(&drove__mt_##T, v, out);                           \
	}                                                                                      \
	struct json_object *drove__##T##_to_jobj(const drove_##T *v)                           \
	{                                                                                      \
		return drove__mcodec_to_jobj(&drove__mt_##T, v);                               \
	}                                                                                      \
	int drove__##T##_copy(const drove_##T *v, drove_##T **out)                             \
	{                                                                                      \
		void *o = NULL;                                                                \
		int rc;                                                                        \
		DROVE_CHECK_ARG(out);                                                          \
		rc = drove__mcodec_copy(&drove__mt_##T, v, &o);                                \
		if (rc == 0)                                                                   \
			*out = o;                                                              \
		return rc;                                                                     \
	}                                                                                      \
	void drove__##T##_free(drove_##T *v)                                                   \
	{                                                                                      \
		drove__mcodec_free(&drove__mt_##T, v);                                         \
	}

DROVE__MODEL_TYPES(DEFINE_CODEC)

/* ---- enum names ---- */

const char *drove__port_type_name(int v)
{
	return drove__menum_name(&port_type_e, v);
}

const char *drove__transport_type_name(int v)
{
	return drove__menum_name(&transport_type_e, v);
}
const char *drove__placement_type_name(int v)
{
	return drove__menum_name(&placement_type_e, v);
}
const char *drove__check_mode_type_name(int v)
{
	return drove__menum_name(&check_mode_type_e, v);
}
const char *drove__config_type_name(int v)
{
	return drove__menum_name(&config_type_e, v);
}
const char *drove__app_op_type_name(int v)
{
	return drove__menum_name(&app_op_type_e, v);
}
const char *drove__ls_op_type_name(int v)
{
	return drove__menum_name(&ls_op_type_e, v);
}

#define STATE_FNS(E, what)                                                                  \
	const char *drove_##E##_name(int value)                                             \
	{                                                                                   \
		return drove__menum_name(&E##_e, value);                                    \
	}                                                                                   \
	int drove_##E##_parse(const char *name, int *out)                                   \
	{                                                                                   \
		int v;                                                                      \
		DROVE_CHECK_ARG(name &&out);                                                \
		if ((v = drove__menum_parse(&E##_e, name)) < 0)                             \
			return drove__error(DROVE_EINVAL, "unknown " what " \"%s\"", name); \
		*out = v;                                                                   \
		return 0;                                                                   \
	}

STATE_FNS(app_state, "application state")
STATE_FNS(instance_state, "instance state")
STATE_FNS(task_state, "task state")
STATE_FNS(task_result_status, "task result status")
STATE_FNS(ls_state, "local service state")
STATE_FNS(ls_activation_state, "local service activation state")
STATE_FNS(executor_state, "executor state")
STATE_FNS(cluster_state, "cluster state")
STATE_FNS(event_type, "event type")

/* ---- state sets ---- */

int drove_app_state_is_active(int s)
{
	return s == DROVE_APP_RUNNING || s == DROVE_APP_OUTAGE_DETECTED ||
	       s == DROVE_APP_SCALING_REQUESTED || s == DROVE_APP_STOP_INSTANCES_REQUESTED ||
	       s == DROVE_APP_REPLACE_INSTANCES_REQUESTED || s == DROVE_APP_DESTROY_REQUESTED;
}

int drove_app_state_is_terminal(int s)
{
	return s == DROVE_APP_DESTROYED || s == DROVE_APP_FAILED;
}

int drove_instance_state_is_active(int s)
{
	switch (s) {
	case DROVE_INST_PENDING:
	case DROVE_INST_PROVISIONING:
	case DROVE_INST_STARTING:
	case DROVE_INST_UNREADY:
	case DROVE_INST_READY:
	case DROVE_INST_HEALTHY:
	case DROVE_INST_UNHEALTHY:
	case DROVE_INST_DEPROVISIONING:
	case DROVE_INST_STOPPING:
		return 1;
	default:
		return 0;
	}
}

int drove_instance_state_is_running(int s)
{
	return s == DROVE_INST_UNREADY || s == DROVE_INST_READY || s == DROVE_INST_HEALTHY;
}

int drove_instance_state_is_terminal(int s)
{
	return s == DROVE_INST_STOPPED || s == DROVE_INST_LOST;
}

int drove_instance_state_is_error(int s)
{
	return s == DROVE_INST_PROVISIONING_FAILED || s == DROVE_INST_START_FAILED ||
	       s == DROVE_INST_READINESS_CHECK_FAILED;
}

int drove_task_state_is_active(int s)
{
	switch (s) {
	case DROVE_TASK_PENDING:
	case DROVE_TASK_PROVISIONING:
	case DROVE_TASK_STARTING:
	case DROVE_TASK_RUNNING:
	case DROVE_TASK_RUN_COMPLETED:
	case DROVE_TASK_DEPROVISIONING:
		return 1;
	default:
		return 0;
	}
}

int drove_task_state_is_terminal(int s)
{
	return s == DROVE_TASK_STOPPED || s == DROVE_TASK_LOST;
}

int drove_task_state_is_error(int s)
{
	return s == DROVE_TASK_PROVISIONING_FAILED || s == DROVE_TASK_RUN_FAILED;
}

int drove_ls_state_is_terminal(int s)
{
	return s == DROVE_LS_DESTROYED;
}

int drove_ls_state_is_stable(int s)
{
	return s == DROVE_LS_ACTIVE || s == DROVE_LS_CONFIG_TESTING || s == DROVE_LS_INACTIVE;
}
