/*
 * Internal typed model of Drove's specs, operations and records (DROVE_API.md §3–§8).
 *
 * Other modules (sched, ctrl, exec, store) use these plain structs directly; JSON appears only
 * in the codec (libdrove/model/codec.c) behind the drove__<type>_decode/_encode functions
 * declared at the end of this file.
 *
 * Conventions of every struct here:
 *  - strings are owned `char *`, NULL when absent (omitted on output), "" is a value;
 *  - arrays are `T *items` + `size_t n_items` (structs stored contiguously);
 *  - string lists are `char **` + count; maps are drove_strmap * (NULL = empty);
 *  - optional scalars carry a `bool has_<field>` flag; without it, the field is always emitted;
 *  - optional sub-objects are pointers, NULL when absent;
 *  - enums are 0-based and listed in Drove's order; names come from drove__model_enum_name().
 *
 * Everything is freed with drove__<type>_free(), which accepts NULL and half-built objects.
 * Objects are "one thread at a time"; shared read-only once built.
 */
#ifndef DROVE_MODEL_MODEL_H
#define DROVE_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drove/common.h>
#include <drove/model.h>
#include <drove/strlist.h>
#include <drove/units.h>

struct json_object;

/* ---- caps ---- */

#define DROVE_MODEL_MAX_SIZE      (1024 * 1024)      /* bytes of one JSON document */
#define DROVE_MODEL_MAX_DEPTH     32                 /* JSON nesting depth */
#define DROVE_MODEL_MAX_LIST_SIZE (64 * 1024 * 1024) /* bytes of one list of records */

/* ---- enums of the spec building blocks (§3.1) ---- */

enum drove_executable_type { DROVE_EXECUTABLE_DOCKER = 0 };
enum drove_port_type { DROVE_PORT_HTTP = 0, DROVE_PORT_HTTPS, DROVE_PORT_TCP, DROVE_PORT_UDP };
enum drove_mount_mode { DROVE_MOUNT_READ_WRITE = 0, DROVE_MOUNT_READ_ONLY };
enum drove_config_type {
	DROVE_CONFIG_INLINE = 0,
	DROVE_CONFIG_EXECUTOR_LOCAL_FILE,
	DROVE_CONFIG_CONTROLLER_HTTP_FETCH,
	DROVE_CONFIG_EXECUTOR_HTTP_FETCH,
};
enum drove_protocol { DROVE_PROTO_HTTP = 0, DROVE_PROTO_HTTPS };
enum drove_http_verb { DROVE_VERB_GET = 0, DROVE_VERB_POST, DROVE_VERB_PUT };
enum drove_resource_type { DROVE_RES_CPU = 0, DROVE_RES_MEMORY };
enum drove_placement_type {
	DROVE_PLACE_ANY = 0,
	DROVE_PLACE_ONE_PER_HOST,
	DROVE_PLACE_MAX_N_PER_HOST,
	DROVE_PLACE_MATCH_TAG,
	DROVE_PLACE_NO_TAG,
	DROVE_PLACE_RULE_BASED,
	DROVE_PLACE_COMPOSITE,
	DROVE_PLACE_LOCAL,
};
enum drove_rule_type { DROVE_RULE_HOPE = 0, DROVE_RULE_MVEL };
enum drove_combiner { DROVE_COMBINER_AND = 0, DROVE_COMBINER_OR };
enum drove_check_mode_type { DROVE_CHECK_HTTP = 0, DROVE_CHECK_CMD };
enum drove_logging_type { DROVE_LOGGING_LOCAL = 0, DROVE_LOGGING_RSYSLOG };
enum drove_exposure_mode { DROVE_EXPOSE_ALL = 0, DROVE_EXPOSE_ONE };
enum drove_device_type { DROVE_DEVICE_DIRECT = 0, DROVE_DEVICE_DETAILED };
enum drove_device_perm {
	DROVE_DEVPERM_READ_ONLY = 0, /* r */
	DROVE_DEVPERM_WRITE_ONLY,    /* w */
	DROVE_DEVPERM_MKNOD_ONLY,    /* m */
	DROVE_DEVPERM_ALL,           /* rwm (default) */
	DROVE_DEVPERM_READ_WRITE,    /* rw */
};
enum drove_job_type { DROVE_JOB_SERVICE = 0, DROVE_JOB_COMPUTATION, DROVE_JOB_LOCAL_SERVICE };
enum drove_failure_strategy { DROVE_FAIL_STOP = 0, DROVE_FAIL_ROLLBACK };
enum drove_node_data_type { DROVE_NODEDATA_EXECUTOR = 0, DROVE_NODEDATA_CONTROLLER };
enum drove_transport_type { DROVE_TRANSPORT_HTTP = 0, DROVE_TRANSPORT_HTTPS };

/* ---- spec building blocks (§3.1) ---- */

typedef struct drove_executable {
	enum drove_executable_type type; /* DOCKER, assumed when missing */
	char *url;
	drove_duration docker_pull_timeout;
	bool has_docker_pull_timeout;
} drove_executable;

typedef struct drove_port_spec {
	char *name;
	int port; /* inside the container */
	bool has_port;
	enum drove_port_type type;
	bool has_type;
} drove_port_spec;

typedef struct drove_volume {
	char *path_in_container;
	char *path_on_host;
	enum drove_mount_mode mode;
	bool has_mode;
} drove_volume;

typedef struct drove_http_call {
	enum drove_protocol protocol;
	bool has_protocol;
	char *hostname;
	int port; /* 0 -> 80/443 */
	bool has_port;
	char *path; /* NULL -> "/" */
	enum drove_http_verb verb;
	bool has_verb; /* default GET */
	int *success_codes;
	size_t n_success_codes; /* 0 -> [200] */
	char *payload;
	drove_duration connection_timeout, operation_timeout; /* default 1 second each */
	bool has_connection_timeout, has_operation_timeout;
	char *username, *password, *auth_header; /* masked as "***" */
	drove_strmap *headers;
	bool insecure;
} drove_http_call;

typedef struct drove_config_spec {
	enum drove_config_type type;
	char *local_filename;
	unsigned char *data; /* INLINE: decoded bytes (NUL after them); NULL when absent */
	size_t data_len;
	char *file_path_on_host; /* EXECUTOR_LOCAL_FILE */
	drove_http_call *http;   /* *_HTTP_FETCH */
} drove_config_spec;

typedef struct drove_resource_req {
	enum drove_resource_type type;
	int64_t count; /* CPU: cores */
	bool has_count;
	int64_t size_in_mb; /* MEMORY */
	bool has_size_in_mb;
} drove_resource_req;

/* A placement policy; COMPOSITE holds a tree of them. */
typedef struct drove_placement_policy {
	enum drove_placement_type type;
	int max; /* MAX_N_PER_HOST */
	bool has_max;
	char *tag;  /* MATCH_TAG */
	char *rule; /* RULE_BASED */
	enum drove_rule_type rule_type;
	bool has_rule_type;
	struct drove_placement_policy *policies; /* COMPOSITE */
	size_t n_policies;
	enum drove_combiner combiner; /* default AND */
	bool has_combiner;
	bool host_level; /* LOCAL */
} drove_placement_policy;

/* CheckModeSpec: a check or a pre-shutdown hook. */
typedef struct drove_check_mode {
	enum drove_check_mode_type type;
	/* HTTP */
	enum drove_protocol protocol;
	bool has_protocol;
	char *port_name;
	char *path;
	enum drove_http_verb verb;
	bool has_verb;
	int *success_codes;
	size_t n_success_codes;
	char *payload;
	drove_duration connection_timeout;
	bool has_connection_timeout;
	bool insecure;
	/* CMD */
	char *command;
	bool shell_disabled;
} drove_check_mode;

typedef struct drove_check_spec {
	drove_check_mode *mode;
	drove_duration timeout, interval, initial_delay;
	bool has_timeout, has_interval, has_initial_delay;
	int attempts;
	bool has_attempts;
} drove_check_spec;

typedef struct drove_pre_shutdown {
	drove_check_mode *hooks;
	size_t n_hooks;
	drove_duration wait_before_kill;
	bool has_wait_before_kill;
} drove_pre_shutdown;

typedef struct drove_logging {
	enum drove_logging_type type;
	char *max_size; /* LOCAL; passed verbatim to docker */
	int max_files;
	bool has_max_files;
	bool compress;
	char *server; /* RSYSLOG */
	char *tag_prefix, *tag_suffix;
} drove_logging;

typedef struct drove_exposure {
	char *vhost;
	char *port_name;
	enum drove_exposure_mode mode;
	bool has_mode;
} drove_exposure;

typedef struct drove_string_array {
	char **items;
	size_t n_items;
} drove_string_array;

typedef struct drove_device {
	enum drove_device_type type;
	/* DIRECT */
	char *path_on_host;
	char *path_in_container; /* NULL -> path_on_host */
	enum drove_device_perm permissions;
	bool has_permissions; /* default ALL */
	/* DETAILED (a docker DeviceRequest) */
	char *driver;
	int count;
	bool has_count;
	char **device_ids;
	size_t n_device_ids;
	drove_string_array *capabilities;
	size_t n_capabilities;
	drove_strmap *options;
} drove_device;

typedef struct drove_user_spec {
	char *user;
	char *group;
} drove_user_spec;

/* ---- specs (§3.2–§3.4) ---- */

/* ApplicationSpec; also LocalServiceSpec (which has no exposure_spec). */
typedef struct drove_app_spec {
	char *name;
	char *version;
	enum drove_job_type type;
	bool has_type;
	drove_executable *executable;
	drove_port_spec *exposed_ports;
	size_t n_exposed_ports;
	drove_volume *volumes;
	size_t n_volumes;
	drove_config_spec *configs;
	size_t n_configs;
	drove_logging *logging;
	drove_resource_req *resources;
	size_t n_resources;
	drove_placement_policy *placement_policy;
	drove_check_spec *healthcheck;
	drove_check_spec *readiness;
	drove_strmap *tags;
	drove_strmap *env;
	char **args;
	size_t n_args;
	drove_device *devices;
	size_t n_devices;
	drove_exposure *exposure_spec; /* applications only */
	drove_pre_shutdown *pre_shutdown;
	drove_user_spec *user_spec;
} drove_app_spec;

typedef drove_app_spec drove_ls_spec;

typedef struct drove_task_spec {
	char *source_app_name;
	char *task_id;
	drove_executable *executable;
	drove_resource_req *resources;
	size_t n_resources;
	drove_volume *volumes;
	size_t n_volumes;
	drove_config_spec *configs;
	size_t n_configs;
	drove_logging *logging;
	drove_placement_policy *placement_policy;
	drove_strmap *tags;
	drove_strmap *env;
	char **args;
	size_t n_args;
	drove_device *devices;
	size_t n_devices;
	drove_user_spec *user_spec;
} drove_task_spec;

/* ---- operations (§4) ---- */

typedef struct drove_cluster_op_spec {
	drove_duration timeout;
	bool has_timeout;
	int parallelism;
	bool has_parallelism;
	enum drove_failure_strategy failure_strategy;
	bool has_failure_strategy;
} drove_cluster_op_spec;

enum drove_app_op_type {
	DROVE_APP_OP_CREATE = 0,
	DROVE_APP_OP_DESTROY,
	DROVE_APP_OP_START_INSTANCES,
	DROVE_APP_OP_STOP_INSTANCES,
	DROVE_APP_OP_SCALE,
	DROVE_APP_OP_REPLACE_INSTANCES,
	DROVE_APP_OP_SUSPEND,
	DROVE_APP_OP_RECOVER,
};

typedef struct drove_app_op {
	enum drove_app_op_type type;
	drove_app_spec *spec; /* CREATE */
	char *app_id;         /* all but CREATE */
	int64_t instances;    /* CREATE (0…2048), START_INSTANCES (0…1024) */
	bool has_instances;
	int64_t required_instances; /* SCALE */
	bool has_required_instances;
	char **instance_ids; /* STOP_INSTANCES, REPLACE_INSTANCES */
	size_t n_instance_ids;
	bool skip_respawn; /* STOP_INSTANCES */
	bool stop_first;   /* REPLACE_INSTANCES */
	drove_cluster_op_spec *op_spec;
} drove_app_op;

enum drove_task_op_type { DROVE_TASK_OP_CREATE = 0, DROVE_TASK_OP_KILL };

typedef struct drove_task_op {
	enum drove_task_op_type type;
	drove_task_spec *spec;           /* CREATE */
	char *source_app_name, *task_id; /* KILL */
	drove_cluster_op_spec *op_spec;
} drove_task_op;

enum drove_ls_op_type {
	DROVE_LS_OP_CREATE = 0,
	DROVE_LS_OP_ACTIVATE,
	DROVE_LS_OP_DEPLOY_TEST_INSTANCE,
	DROVE_LS_OP_DEACTIVATE, /* alias STOP on input */
	DROVE_LS_OP_UPDATE_INSTANCE_COUNT,
	DROVE_LS_OP_ADJUST_INSTANCES,
	DROVE_LS_OP_REPLACE_INSTANCES,
	DROVE_LS_OP_RESTART,
	DROVE_LS_OP_STOP_INSTANCES,
	DROVE_LS_OP_DESTROY,
};

typedef struct drove_ls_op {
	enum drove_ls_op_type type;
	drove_ls_spec *spec;        /* CREATE */
	char *service_id;           /* all but CREATE */
	int64_t instances_per_host; /* CREATE, UPDATE_INSTANCE_COUNT: 1…256 */
	bool has_instances_per_host;
	char **instance_ids;
	size_t n_instance_ids;
	bool stop_first;
	drove_cluster_op_spec *op_spec; /* JSON "opSpec"; "clusterOpSpec" for RESTART */
} drove_ls_op;

/* ---- allocations and records (§6, §8.4) ---- */

/* One NUMA node's cores: {"0":[2,3]} is one entry {0, [2,3]}. */
typedef struct drove_numa_cores {
	int node;
	int *cores;
	size_t n_cores;
} drove_numa_cores;

/* One NUMA node's memory in MB: {"0":128}. */
typedef struct drove_numa_mem {
	int node;
	int64_t mb;
} drove_numa_mem;

/* A resource allocation: {"type":"CPU","cores":{..}} or {"type":"MEMORY","memoryInMB":{..}}. */
typedef struct drove_allocation {
	enum drove_resource_type type;
	drove_numa_cores *cores;
	size_t n_cores;
	drove_numa_mem *memory;
	size_t n_memory;
} drove_allocation;

/* localInfo.ports entry; the map key is `name`. */
typedef struct drove_port_info {
	char *name;
	int container_port;
	int host_port;
	enum drove_port_type port_type;
} drove_port_info;

typedef struct drove_local_info {
	char *hostname;
	drove_port_info *ports;
	size_t n_ports;
} drove_local_info;

typedef struct drove_instance_info {
	char *app_id;
	char *app_name;
	char *instance_id;
	char *executor_id;
	drove_local_info *local_info;
	drove_allocation *resources;
	size_t n_resources;
	enum drove_instance_state state;
	drove_strmap *metadata;
	char *error_message;
	int64_t created, updated; /* epoch ms */
} drove_instance_info;

typedef struct drove_ls_instance_info {
	char *service_id;
	char *service_name;
	char *instance_id;
	char *executor_id;
	drove_local_info *local_info;
	drove_allocation *resources;
	size_t n_resources;
	enum drove_instance_state state;
	drove_strmap *metadata;
	char *error_message;
	int64_t created, updated;
} drove_ls_instance_info;

typedef struct drove_task_result {
	enum drove_task_result_status status;
	int64_t exit_code;
} drove_task_result;

typedef struct drove_task_info {
	char *source_app_name;
	char *task_id;
	char *instance_id;
	char *executor_id;
	char *hostname; /* NULL until the container exists */
	drove_executable *executable;
	drove_allocation *resources;
	size_t n_resources;
	drove_volume *volumes;
	size_t n_volumes;
	drove_logging *logging_spec;
	drove_strmap *env;
	enum drove_task_state state;
	drove_strmap *metadata;
	drove_task_result *task_result; /* NULL until the run completes */
	char *error_message;
	int64_t created, updated;
} drove_task_info;

typedef struct drove_cpu_snapshot {
	drove_numa_cores *free_cores;
	size_t n_free_cores;
	drove_numa_cores *used_cores;
	size_t n_used_cores;
} drove_cpu_snapshot;

typedef struct drove_mem_snapshot {
	drove_numa_mem *free_memory;
	size_t n_free_memory;
	drove_numa_mem *used_memory;
	size_t n_used_memory;
} drove_mem_snapshot;

typedef struct drove_layout {
	drove_numa_cores *cores;
	size_t n_cores;
	drove_numa_mem *memory;
	size_t n_memory;
} drove_layout;

/* ExecutorResourceSnapshot (ExecutorNodeData.state). */
typedef struct drove_resource_snapshot {
	char *executor_id;
	drove_cpu_snapshot *cpus;
	drove_mem_snapshot *memory;
	drove_layout *layout;
} drove_resource_snapshot;

/* ExecutorNodeData (type EXECUTOR) or ControllerNodeData (type CONTROLLER). */
typedef struct drove_node_data {
	enum drove_node_data_type type;
	char *hostname;
	int port;
	enum drove_transport_type transport_type;
	int64_t updated;
	/* EXECUTOR */
	drove_resource_snapshot *state;
	drove_instance_info *instances;
	size_t n_instances;
	drove_task_info *tasks;
	size_t n_tasks;
	drove_ls_instance_info *service_instances;
	size_t n_service_instances;
	char **tags;
	size_t n_tags;
	drove_strmap *metadata;
	enum drove_executor_state executor_state;
	bool has_executor_state;
	/* CONTROLLER */
	bool leader;
} drove_node_data;

typedef struct drove_app_info {
	char *app_id;
	drove_app_spec *spec;
	int64_t instances; /* expected */
	int64_t created, updated;
} drove_app_info;

typedef struct drove_ls_info {
	char *service_id;
	drove_ls_spec *spec;
	int64_t instances_per_host;
	enum drove_ls_activation_state activation_state;
	int64_t created, updated;
} drove_ls_info;

typedef struct drove_cluster_state_data {
	enum drove_cluster_state state;
	int64_t updated;
} drove_cluster_state_data;

typedef struct drove_known_instances {
	char **app_instance_ids;
	size_t n_app_instance_ids;
	char **stale_app_instance_ids;
	size_t n_stale_app_instance_ids;
	char **task_instance_ids;
	size_t n_task_instance_ids;
	char **stale_task_instance_ids;
	size_t n_stale_task_instance_ids;
	char **local_service_instance_ids;
	size_t n_local_service_instance_ids;
	char **stale_local_service_instance_ids;
	size_t n_stale_local_service_instance_ids;
} drove_known_instances;

/* §7.1. metadata values are kept as text; numeric keys (CREATED, PORT, CPU_COUNT, MEMORY,
 * CURRENT_INSTANCES, CURRENT_INSTANCES_PER_HOST, RESULT_EXIT_CODE) are emitted as JSON numbers
 * when their text is an integer. */
typedef struct drove_event {
	enum drove_event_type type;
	char *id;
	int64_t time;
	drove_strmap *metadata;
} drove_event;

/* ---- API views (§2.2, §2.6, §2.7): what the controller answers, decoded by the client ---- */

/* AppSummary. `state` is omitted when the app has no state machine (has_state false). */
typedef struct drove_app_summary {
	char *id;
	char *name;
	int64_t required_instances;
	int64_t healthy_instances;
	int64_t total_cpus;
	int64_t total_memory; /* MB */
	drove_strmap *tags;
	enum drove_app_state state;
	bool has_state;
	int64_t created, updated;
} drove_app_summary;

/* LocalServiceSummary. */
typedef struct drove_ls_summary {
	char *id;
	char *name;
	int64_t instances_per_host;
	int64_t healthy_instances;
	int64_t total_cpus;
	int64_t total_memory;
	drove_strmap *tags;
	enum drove_ls_activation_state activation_state;
	bool has_activation_state;
	enum drove_ls_state state;
	bool has_state;
	int64_t created, updated;
} drove_ls_summary;

/* ExecutorSummary (one entry of GET /cluster/executors). */
typedef struct drove_executor_summary {
	char *executor_id;
	char *hostname;
	int port;
	enum drove_transport_type transport_type;
	bool has_transport_type;
	int64_t free_cores, used_cores;
	int64_t free_memory, used_memory; /* MB */
	char **tags;
	size_t n_tags;
	enum drove_executor_state state;
	bool has_state;
} drove_executor_summary;

/* ClusterSummary (GET /cluster). */
typedef struct drove_cluster_summary_data {
	char *leader;
	enum drove_cluster_state state;
	bool has_state;
	int64_t num_executors;
	int64_t num_applications, num_active_applications;
	int64_t num_active_tasks;
	int64_t num_local_services, num_active_local_services;
	int64_t free_cores, used_cores, total_cores;
	int64_t free_memory, used_memory, total_memory; /* MB */
} drove_cluster_summary_data;

/* One host of an ExposedAppInfo: an instance's hostname and host port. portType is kept as
 * sent ("HTTP", ...), not as an enum: the gateway takes any type Drove may add. */
typedef struct drove_exposed_host {
	char *host;
	int port;
	char *port_type;
} drove_exposed_host;

/* ExposedAppInfo (one entry of GET /endpoints, §2.4). */
typedef struct drove_exposed_app {
	char *app_id;
	char *app_name;
	char *vhost;
	drove_strmap *tags;
	drove_exposed_host *hosts;
	size_t n_hosts;
} drove_exposed_app;

/* DroveEventsSummary (GET /cluster/events/summary, §2.7): events since lastSyncTime by type. */
typedef struct drove_events_summary {
	drove_strmap *events_count; /* type name -> count, as text */
	int64_t last_sync_time;
} drove_events_summary;

/* §8.4 instance specs sent with START_INSTANCE / START_TASK / START_LOCAL_SERVICE_INSTANCE. */
typedef struct drove_app_instance_spec {
	char *app_id;
	char *app_name;
	char *instance_id;
	drove_executable *executable;
	drove_allocation *resources;
	size_t n_resources;
	drove_port_spec *ports;
	size_t n_ports;
	drove_volume *volumes;
	size_t n_volumes;
	drove_config_spec *configs;
	size_t n_configs;
	drove_check_spec *healthcheck;
	drove_check_spec *readiness;
	drove_logging *logging_spec;
	drove_strmap *env;
	char **args;
	size_t n_args;
	drove_device *devices;
	size_t n_devices;
	drove_pre_shutdown *pre_shutdown;
	drove_user_spec *user_spec;
	char *instance_auth_token;
} drove_app_instance_spec;

typedef struct drove_task_instance_spec {
	char *task_id;
	char *source_app_name;
	char *instance_id;
	drove_executable *executable;
	drove_allocation *resources;
	size_t n_resources;
	drove_volume *volumes;
	size_t n_volumes;
	drove_config_spec *configs;
	size_t n_configs;
	drove_logging *logging_spec;
	drove_strmap *env;
	char **args;
	size_t n_args;
	drove_device *devices;
	size_t n_devices;
	drove_user_spec *user_spec;
} drove_task_instance_spec;

typedef struct drove_ls_instance_spec {
	char *service_id;
	char *service_name;
	char *instance_id;
	drove_executable *executable;
	drove_allocation *resources;
	size_t n_resources;
	drove_port_spec *ports;
	size_t n_ports;
	bool host_level_instance;
	drove_volume *volumes;
	size_t n_volumes;
	drove_config_spec *configs;
	size_t n_configs;
	drove_check_spec *healthcheck;
	drove_check_spec *readiness;
	drove_logging *logging_spec;
	drove_strmap *env;
	char **args;
	size_t n_args;
	drove_device *devices;
	size_t n_devices;
	drove_pre_shutdown *pre_shutdown;
	drove_user_spec *user_spec;
	char *instance_auth_token;
} drove_ls_instance_spec;

/* ---- the codec: one set of functions per type ---- */

/* Decode flags. */
#define DROVE_MODEL_STRICT 0x1u /* unknown fields are errors (else ignored, as Drove does) */
/* On DROVE_EINVAL, still hand out what could be decoded (the bad fields left empty), so that a
 * caller can validate the rest and report every problem at once; the caller frees it. */
#define DROVE_MODEL_PARTIAL 0x2u
/* A name this build does not know in an enum Drove may extend (codec.h: struct menum.news) is
 * not an error: the field reads the enum's `other` value and drove__mcodec_decode_news()
 * reports which enums held one. Without it such a name is an error like any other. */
#define DROVE_MODEL_NEW_NAMES 0x4u

/*
 * For each model type T (app_spec, task_spec, ls_spec, ...):
 *
 *   int drove__T_decode(const char *json, size_t len, unsigned flags, drove_T **out,
 *                       drove_strlist *errors, drove_strlist *unknown);
 *     Parse JSON text (capped at DROVE_MODEL_MAX_SIZE bytes and DROVE_MODEL_MAX_DEPTH levels).
 *     Every decode error ("resources[0].count: expected an integer, got string") is appended
 *     to `errors` when it is not NULL; unknown fields ("x.y: unknown field") go to `unknown`
 *     when not NULL, and are also errors under DROVE_MODEL_STRICT.
 *     @return 0, DROVE_EINVAL (the thread error holds the first message) or DROVE_ENOMEM.
 *   int drove__T_from_jobj(struct json_object *j, unsigned flags, drove_T **out,
 *                          drove_strlist *errors, drove_strlist *unknown);
 *     The same from an already parsed json-c object (borrowed).
 *   int drove__T_encode(const drove_T *v, char **out);  compact JSON; caller frees (free()).
 *   struct json_object *drove__T_to_jobj(const drove_T *v);  new reference; NULL on ENOMEM.
 *   int drove__T_copy(const drove_T *v, drove_T **out);  deep copy.
 *   void drove__T_free(drove_T *v);
 */
#define DROVE__MODEL_DECLARE(T)                                                                \
	int drove__##T##_decode(const char *json, size_t len, unsigned flags, drove_##T **out, \
	                        drove_strlist *errors, drove_strlist *unknown);                \
	int drove__##T##_from_jobj(struct json_object *j, unsigned flags, drove_##T **out,     \
	                           drove_strlist *errors, drove_strlist *unknown);             \
	int drove__##T##_encode(const drove_##T *v, char **out);                               \
	struct json_object *drove__##T##_to_jobj(const drove_##T *v);                          \
	int drove__##T##_copy(const drove_##T *v, drove_##T **out);                            \
	void drove__##T##_free(drove_##T *v);

#define DROVE__MODEL_TYPES(X)   \
	X(app_spec)             \
	X(task_spec)            \
	X(ls_spec)              \
	X(placement_policy)     \
	X(check_spec)           \
	X(config_spec)          \
	X(cluster_op_spec)      \
	X(app_op)               \
	X(task_op)              \
	X(ls_op)                \
	X(allocation)           \
	X(instance_info)        \
	X(ls_instance_info)     \
	X(task_info)            \
	X(resource_snapshot)    \
	X(node_data)            \
	X(app_info)             \
	X(ls_info)              \
	X(cluster_state_data)   \
	X(known_instances)      \
	X(event)                \
	X(app_instance_spec)    \
	X(task_instance_spec)   \
	X(ls_instance_spec)     \
	X(app_summary)          \
	X(ls_summary)           \
	X(executor_summary)     \
	X(cluster_summary_data) \
	X(exposed_app)          \
	X(events_summary)

DROVE__MODEL_TYPES(DROVE__MODEL_DECLARE)

/* Names of the building-block enums (upper case, as emitted); NULL when out of range. */
const char *drove__port_type_name(int v);
const char *drove__transport_type_name(int v);
const char *drove__placement_type_name(int v);
const char *drove__check_mode_type_name(int v);
const char *drove__config_type_name(int v);
const char *drove__app_op_type_name(int v);
const char *drove__ls_op_type_name(int v);

/* ---- validation (§3.1–§3.4, §3.7 parts without cluster state, §4) ---- */

/* Controller options that validation depends on (public: drove_spec_opts). */
struct drove_spec_opts {
	drove_strlist *allowed_mount_dirs; /* NULL or empty: any */
	bool disable_cmdl_args;
	bool enable_raw_device_access;
	bool strict; /* unknown fields are errors */
};

/* Append every problem ("path: message") to `errors`; `opts` may be NULL (defaults).
 * `prefix` is prepended to each path ("spec." inside an operation; NULL for none).
 * @return the number of problems appended, or DROVE_ENOMEM. */
int drove__app_spec_validate(const drove_app_spec *s, const struct drove_spec_opts *opts,
                             const char *prefix, drove_strlist *errors);
int drove__task_spec_validate(const drove_task_spec *s, const struct drove_spec_opts *opts,
                              const char *prefix, drove_strlist *errors);
int drove__ls_spec_validate(const drove_ls_spec *s, const struct drove_spec_opts *opts,
                            const char *prefix, drove_strlist *errors);
int drove__cluster_op_spec_validate(const drove_cluster_op_spec *o, const char *prefix,
                                    drove_strlist *errors);
int drove__app_op_validate(const drove_app_op *op, const struct drove_spec_opts *opts,
                           drove_strlist *errors);
int drove__task_op_validate(const drove_task_op *op, const struct drove_spec_opts *opts,
                            drove_strlist *errors);
int drove__ls_op_validate(const drove_ls_op *op, const struct drove_spec_opts *opts,
                          drove_strlist *errors);

/* Missing placementPolicy defaults to ANY: fill it in (validation accepts a missing one).
 * @return 0 or DROVE_ENOMEM. */
int drove__app_spec_apply_defaults(drove_app_spec *s);
int drove__task_spec_apply_defaults(drove_task_spec *s);

/* Masking for GET …/spec (§3.8), applied in place to a copy: INLINE data -> "", HTTPCallSpec
 * username/password/authHeader -> "***". @return 0 or DROVE_ENOMEM. */
int drove__app_spec_mask(drove_app_spec *s);
int drove__task_spec_mask(drove_task_spec *s);

/* Resource totals of a spec: CPU count and memory MB (0 when absent). */
int64_t drove__resources_cpus(const drove_resource_req *r, size_t n);
int64_t drove__resources_memory_mb(const drove_resource_req *r, size_t n);

/* The policy tree contains a policy of `type` (the node itself or any COMPOSITE member). */
bool drove__placement_contains(const drove_placement_policy *p, enum drove_placement_type type);

#endif
