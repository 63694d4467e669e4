/*
 * Drove's state enums and event types (DROVE_API.md §5, §7.1): names as they appear in JSON,
 * parsing (case-insensitive, as Drove reads enums) and the state sets Drove uses.
 *
 * Threads: pure functions, any thread.
 */
#ifndef DROVE_MODEL_H
#define DROVE_MODEL_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

/** Application state (controller side, §5.1). @since 0.1 */
enum drove_app_state {
	DROVE_APP_INIT = 0,
	DROVE_APP_MONITORING,
	DROVE_APP_RUNNING,
	DROVE_APP_OUTAGE_DETECTED,
	DROVE_APP_SCALING_REQUESTED,
	DROVE_APP_STOP_INSTANCES_REQUESTED,
	DROVE_APP_REPLACE_INSTANCES_REQUESTED,
	DROVE_APP_DESTROY_REQUESTED,
	DROVE_APP_DESTROYED,
	DROVE_APP_FAILED,
};

/** Application (and local-service) instance state (§5.2). @since 0.1 */
enum drove_instance_state {
	DROVE_INST_PENDING = 0,
	DROVE_INST_PROVISIONING,
	DROVE_INST_PROVISIONING_FAILED,
	DROVE_INST_STARTING,
	DROVE_INST_START_FAILED,
	DROVE_INST_UNREADY,
	DROVE_INST_READINESS_CHECK_FAILED,
	DROVE_INST_READY,
	DROVE_INST_HEALTHY,
	DROVE_INST_UNHEALTHY,
	DROVE_INST_STOPPING,
	DROVE_INST_DEPROVISIONING,
	DROVE_INST_STOPPED,
	DROVE_INST_LOST,
	DROVE_INST_UNKNOWN,
};

/** Task instance state (§5.3). @since 0.1 */
enum drove_task_state {
	DROVE_TASK_PENDING = 0,
	DROVE_TASK_PROVISIONING,
	DROVE_TASK_PROVISIONING_FAILED,
	DROVE_TASK_STARTING,
	DROVE_TASK_RUNNING,
	DROVE_TASK_RUN_COMPLETED,
	DROVE_TASK_RUN_FAILED,
	DROVE_TASK_DEPROVISIONING,
	DROVE_TASK_STOPPED,
	DROVE_TASK_LOST,
	DROVE_TASK_UNKNOWN,
};

/** taskResult.status (§5.3). @since 0.1 */
enum drove_task_result_status {
	DROVE_TASK_RESULT_SUCCESSFUL = 0,
	DROVE_TASK_RESULT_FAILED,
	DROVE_TASK_RESULT_CANCELLED,
	DROVE_TASK_RESULT_TIMED_OUT,
	DROVE_TASK_RESULT_LOST,
};

/** Local service state (controller side, §5.4). @since 0.1 */
enum drove_ls_state {
	DROVE_LS_INIT = 0,
	DROVE_LS_ACTIVATION_REQUESTED,
	DROVE_LS_CONFIG_TESTING_REQUESTED,
	DROVE_LS_DEACTIVATION_REQUESTED,
	DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED,
	DROVE_LS_INACTIVE,
	DROVE_LS_ACTIVE,
	DROVE_LS_CONFIG_TESTING,
	DROVE_LS_ADJUSTING_INSTANCES,
	DROVE_LS_DEPLOYING_TEST_INSTANCE,
	DROVE_LS_REPLACING_INSTANCES,
	DROVE_LS_STOPPING_INSTANCES,
	DROVE_LS_UPDATING_INSTANCES_COUNT,
	DROVE_LS_DESTROY_REQUESTED,
	DROVE_LS_DESTROYED,
};

/** Local service activationState (§5.4). @since 0.1 */
enum drove_ls_activation_state {
	DROVE_LS_ACT_ACTIVE = 0,
	DROVE_LS_ACT_CONFIG_TESTING,
	DROVE_LS_ACT_INACTIVE,
};

/** What a deployable is: the one enum for applications, tasks and local services, shared by
 *  spec.h (drove_spec_kind()), ids.h (drove_instance_id_new()) and sched.h (what is placed).
 *  0 is "unknown" (drove_spec_from_json() detects the kind). @since 0.1 */
enum drove_deployable_kind {
	DROVE_KIND_UNKNOWN = 0,
	DROVE_KIND_APP = 1,           /**< application; instance ids "AI-" */
	DROVE_KIND_TASK = 2,          /**< task; instance ids "TI-" */
	DROVE_KIND_LOCAL_SERVICE = 3, /**< local service; instance ids "SI-" */
};

/** Executor state (§5.5); also what sched.h's executor nodes take. @since 0.1 */
enum drove_executor_state {
	DROVE_EXECUTOR_UNREADY = 0,
	DROVE_EXECUTOR_ACTIVE,
	DROVE_EXECUTOR_BLACKLIST_REQUESTED,
	DROVE_EXECUTOR_BLACKLISTED,
	DROVE_EXECUTOR_REMOVED,
};

/** Cluster state (§5.6). @since 0.1 */
enum drove_cluster_state { DROVE_CLUSTER_NORMAL = 0, DROVE_CLUSTER_MAINTENANCE };

/** Event types (§7.1). @since 0.1 */
enum drove_event_type {
	DROVE_EVENT_APP_STATE_CHANGE = 0,
	DROVE_EVENT_INSTANCE_STATE_CHANGE,
	DROVE_EVENT_TASK_STATE_CHANGE,
	DROVE_EVENT_LOCAL_SERVICE_STATE_CHANGE,
	DROVE_EVENT_LOCAL_SERVICE_INSTANCE_STATE_CHANGE,
	DROVE_EVENT_EXECUTOR_ADDED,
	DROVE_EVENT_EXECUTOR_REMOVED,
	DROVE_EVENT_EXECUTOR_BLACKLIST_REQUESTED,
	DROVE_EVENT_EXECUTOR_BLACKLISTED,
	DROVE_EVENT_EXECUTOR_UN_BLACKLISTED,
	DROVE_EVENT_MAINTENANCE_MODE_SET,
	DROVE_EVENT_MAINTENANCE_MODE_REMOVED,
	DROVE_EVENT_LEADERSHIP_ACQUIRED,
	DROVE_EVENT_LEADERSHIP_LOST,
};

/*
 * For each enum E in app_state, instance_state, task_state, task_result_status, ls_state,
 * ls_activation_state, executor_state, cluster_state, event_type:
 *
 *   const char *drove_E_name(int value);
 *       The upper-case JSON name ("HEALTHY"); static; NULL when out of range.
 *   int drove_E_parse(const char *name, int *out);
 *       Case-insensitive. @return 0 or DROVE_EINVAL (the message quotes `name`).
 *
 * @since 0.1
 */
DROVE_API const char *drove_app_state_name(int value);
DROVE_API int drove_app_state_parse(const char *name, int *out);
DROVE_API const char *drove_instance_state_name(int value);
DROVE_API int drove_instance_state_parse(const char *name, int *out);
DROVE_API const char *drove_task_state_name(int value);
DROVE_API int drove_task_state_parse(const char *name, int *out);
DROVE_API const char *drove_task_result_status_name(int value);
DROVE_API int drove_task_result_status_parse(const char *name, int *out);
DROVE_API const char *drove_ls_state_name(int value);
DROVE_API int drove_ls_state_parse(const char *name, int *out);
DROVE_API const char *drove_ls_activation_state_name(int value);
DROVE_API int drove_ls_activation_state_parse(const char *name, int *out);
DROVE_API const char *drove_executor_state_name(int value);
DROVE_API int drove_executor_state_parse(const char *name, int *out);
DROVE_API const char *drove_cluster_state_name(int value);
DROVE_API int drove_cluster_state_parse(const char *name, int *out);
DROVE_API const char *drove_event_type_name(int value);
DROVE_API int drove_event_type_parse(const char *name, int *out);

/** 1 for the "active" app states of §5.1 (RUNNING, OUTAGE_DETECTED, SCALING_REQUESTED,
 *  STOP_INSTANCES_REQUESTED, REPLACE_INSTANCES_REQUESTED, DESTROY_REQUESTED). @since 0.1 */
DROVE_API int drove_app_state_is_active(int state);
/** 1 for DESTROYED and FAILED. @since 0.1 */
DROVE_API int drove_app_state_is_terminal(int state);
/** 1 for the ACTIVE instance set of §5.2 (PENDING, PROVISIONING, STARTING, UNREADY, READY,
 *  HEALTHY, UNHEALTHY, DEPROVISIONING, STOPPING); also used for local-service instances.
 *  @since 0.1 */
DROVE_API int drove_instance_state_is_active(int state);
/** 1 for the RUNNING instance set (UNREADY, READY, HEALTHY). @since 0.1 */
DROVE_API int drove_instance_state_is_running(int state);
/** 1 for STOPPED and LOST. @since 0.1 */
DROVE_API int drove_instance_state_is_terminal(int state);
/** 1 for PROVISIONING_FAILED, START_FAILED, READINESS_CHECK_FAILED. @since 0.1 */
DROVE_API int drove_instance_state_is_error(int state);
/** 1 for the ACTIVE task set (PENDING, PROVISIONING, STARTING, RUNNING, RUN_COMPLETED,
 *  DEPROVISIONING). @since 0.1 */
DROVE_API int drove_task_state_is_active(int state);
/** 1 for STOPPED and LOST. @since 0.1 */
DROVE_API int drove_task_state_is_terminal(int state);
/** 1 for PROVISIONING_FAILED and RUN_FAILED. @since 0.1 */
DROVE_API int drove_task_state_is_error(int state);
/** 1 for DESTROYED. @since 0.1 */
DROVE_API int drove_ls_state_is_terminal(int state);
/** 1 for the stable local-service states (ACTIVE, CONFIG_TESTING, INACTIVE). @since 0.1 */
DROVE_API int drove_ls_state_is_stable(int state);

DROVE_END_DECLS
#endif
