/* Typed controller and executor configuration for the daemons' engines (not installed).
 * Durations are in milliseconds, sizes in bytes. */
#ifndef DROVE_CONFIG_INTERNAL_H
#define DROVE_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <drove/config.h>
#include <drove/strlist.h>

/* Drove controller keys accepted for compatibility that have no effect here (bits of
 * options.inert_set; docs/configuration.md). */
enum {
	DROVE__CFG_INERT_RULE_CACHE = 1u << 1,   /* compiledRuleCacheCount */
	DROVE__CFG_INERT_RULE_IMPORTS = 1u << 2, /* allowedRuleImportPackages */
};

/* A `type: https` connector's key store (tls.c); enabled 0 for `type: http`. */
typedef struct drove__cfg_tls {
	int enabled;
	char *key_store_path;
	char *key_store_password; /* NULL: none */
	char *key_store_type;     /* NULL or "PKCS12" (JKS is refused while reading) */
} drove__cfg_tls;

struct drove__yreader;
struct drove__ynode;
/* Read a connector's `type` (http | https) and, for https, its keyStorePath (required),
 * keyStorePassword and keyStoreType into *out (cleared first). @return 0 or DROVE_EINVAL
 * ("file:line: path.key: problem"; JKS is refused with how to convert it). */
int drove__cfg_read_connector(struct drove__yreader *r, struct drove__ynode *connector,
                              drove__cfg_tls *out);
void drove__cfg_tls_clear(drove__cfg_tls *t);

typedef struct drove__cfg_server {
	int port;
	char *bind_host;
	int admin_port;
	char *admin_bind_host;
	drove__cfg_tls tls;       /* applicationConnectors[0] */
	drove__cfg_tls admin_tls; /* adminConnectors[0] */
} drove__cfg_server;

typedef struct drove__cfg_store {
	int type; /* enum drove_store_backend */
	char *zk_connection;
	char *zk_namespace;            /* default "drove" */
	int64_t zk_session_timeout_ms; /* ours: zookeeper.sessionTimeout, 30 s, 1..300 s */
	char *data_dir;
} drove__cfg_store;

typedef struct drove__cfg_secret {
	int node_type; /* enum drove_node_type */
	char *secret;
} drove__cfg_secret;

/* User roles (§1.5), in YAML spelling order. */
enum {
	DROVE__ROLE_EXTERNAL_ROOT,
	DROVE__ROLE_EXTERNAL_READ_WRITE,
	DROVE__ROLE_EXTERNAL_MAINTENANCE,
	DROVE__ROLE_EXTERNAL_READ_ONLY,
	DROVE__ROLE_CLUSTER_NODE,
	DROVE__ROLE_APPLICATION_INSTANCE,
};
/* The role string of a role ("DROVE_EXTERNAL_ROOT"). */
const char *drove__config_role_string(int role);

typedef struct drove__cfg_user {
	char *username;
	char *password;
	int role;
} drove__cfg_user;

typedef struct drove__cfg_controller_options {
	int64_t stale_check_interval_ms;     /* 1 h, >= 1 min */
	int64_t stale_app_age_ms;            /* 7 d */
	int64_t max_stale_instances_count;   /* 100, 0..4096 (0 -> 100) */
	int64_t stale_instance_age_ms;       /* 7 d */
	int64_t stale_task_age_ms;           /* 2 d */
	int64_t stale_service_age_ms;        /* 7 d */
	int64_t max_events_storage_ms;       /* 60 min */
	int64_t cluster_op_timeout_ms;       /* 300 s, 10..1800 s */
	int64_t cluster_op_parallelism;      /* 1, 1..512 (0 -> 1) */
	int64_t job_retry_count;             /* 2, 0..32 */
	int64_t job_retry_interval_ms;       /* 1 s, 1..1800 s */
	int64_t instance_state_check_ms;     /* 3 s, 5..1800 s when set; jobs' re-checks */
	drove_strlist *audited_http_methods; /* POST, PUT */
	drove_strlist *allowed_mount_dirs;   /* empty: all allowed */
	int disable_read_auth;
	int disable_cmdl_args;
	int enable_raw_device_access;
	int64_t compiled_rule_cache_count;           /* 100, 0..1000 (accepted, inert) */
	drove_strlist *allowed_rule_import_packages; /* (accepted, inert: no MVEL) */
	/* Drove keys accepted for compatibility that have no effect here, each set one a bit
	 * (DROVE__CFG_INERT_*): the controller names them in a warning at start */
	unsigned inert_set;
	int64_t stale_executor_age_ms; /* 45 s, 1..3600 s (Drove: 10..3600 s) */
	/* our additions (docs/configuration.md) */
	int64_t reconcile_interval_ms;      /* app monitor, 30 s, >= 100 ms */
	int64_t stale_instance_report_ms;   /* record not updated -> LOST, 60 s, >= 1 s */
	int64_t maintenance_window_tail_ms; /* 40 s, >= 0 */
	int64_t executor_check_interval_ms; /* executor staleness sweep, 10 s, >= 100 ms */
	int64_t executor_probe_interval_ms; /* leader pings each executor, 1 s; 0: off */
	int64_t executor_probe_failures;    /* failed pings in a row before lost, 3, 1..100 */
	char *console_assets_path;          /* Bootstrap 5 for the console; NULL: Debian's */
} drove__cfg_controller_options;

typedef struct drove__cfg_controller {
	int user_auth_enabled;
	int user_auth_crypt; /* encoding CRYPT */
	char *caching_policy;
	int64_t auth_cache_max;    /* cachingPolicy maximumSize, 500 */
	int64_t auth_cache_ttl_ms; /* cachingPolicy expireAfterAccess, 30 min */
	drove__cfg_user *users;
	size_t n_users;
	char *instance_secret; /* DEFAULT_SECRET */
	drove__cfg_controller_options options;
} drove__cfg_controller;

/* The executor's `drove` log appender (per-instance log files). */
typedef struct drove__cfg_drove_appender {
	int present;
	char *log_path;
	int archive;                 /* true */
	char *archived_suffix;       /* "%d" */
	int64_t archived_file_count; /* 5 */
	int64_t max_file_size;       /* 0: no size limit */
	int64_t total_size_cap;      /* 0: none */
	int64_t buffer_size;         /* 8 KiB */
	int immediate_flush;         /* true */
} drove__cfg_drove_appender;

/* Our `syslog` appender: every instance's output lines as RFC 5424 messages (issue 16). */
enum { DROVE__SYSLOG_UDP = 0, DROVE__SYSLOG_TCP = 1 };
typedef struct drove__cfg_syslog_appender {
	int present;
	char *host;   /* required */
	int64_t port; /* 514 */
	int protocol; /* DROVE__SYSLOG_UDP (default) or _TCP (RFC 6587 octet counting) */
	int facility; /* 0..23; LOCAL0 (16) */
} drove__cfg_syslog_appender;

enum { DROVE__MDP_ENVIRONMENT, DROVE__MDP_CONFIGURED, DROVE__MDP_DYNAMIC_COMMAND };

typedef struct drove__cfg_md_command {
	char *name;
	int type; /* 0 STATIC, 1 DYNAMIC */
	char *command;
	char *default_value;
} drove__cfg_md_command;

typedef struct drove__cfg_md_provider {
	char *name;
	int type;
	drove_strlist *whitelisted_variables; /* ENVIRONMENT */
	drove_strmap *metadata;               /* CONFIGURED */
	int64_t command_rerun_secs;           /* DYNAMIC_COMMAND */
	drove__cfg_md_command *commands;
	size_t n_commands;
} drove__cfg_md_provider;

typedef struct drove__cfg_docker_auth {
	char *registry;
	char *username;
	char *password;
} drove__cfg_docker_auth;

enum { DROVE__UPDATE_STORE, DROVE__UPDATE_RPC };

typedef struct drove__cfg_executor {
	drove__cfg_drove_appender appender;
	drove__cfg_syslog_appender syslog;
	/* resources */
	int *os_cores;
	size_t n_os_cores;
	int64_t exposed_mem_percent; /* 100, 50..100 */
	int disable_numa_pinning;
	int enable_nvidia_gpu;
	drove_strlist *tags;
	int overprov_enabled;
	int64_t cpu_multiplier; /* 1, 1..20 */
	int64_t mem_multiplier; /* 1, 1..20 */
	int64_t md_value_max_limit;
	drove_strlist *md_blacklisted_keys;
	drove__cfg_md_provider *md_providers;
	size_t n_md_providers;
	char *topology;     /* our addition: hwloc synthetic string */
	char *topology_xml; /* our addition: hwloc XML path */
	/* options */
	char *hostname;
	int cache_images;                 /* true only when the options block is absent */
	int64_t max_open_files;           /* 470000 (<= 0 -> 470000) */
	int64_t log_buffer_size;          /* 10 MB, 1..128 MB */
	int64_t cache_file_size;          /* 20 MB, 10 MB..100 GB */
	int64_t cache_file_count;         /* 3, <= 1024 */
	int64_t container_cmd_timeout_ms; /* 30 s, 5..300 s */
	char *docker_socket_path;         /* /var/run/docker.sock */
	char *default_user, *default_group;
	int remote_update_mode;                 /* STORE */
	int64_t controller_connect_timeout_ms;  /* 1 s */
	int64_t controller_response_timeout_ms; /* 1 s */
	drove__cfg_docker_auth *docker_auth;
	size_t n_docker_auth;
	drove_strlist *controller_endpoints;
	int64_t leadership_check_interval_ms; /* 10 s, 3..60 s */
	/* our additions (docs/configuration.md) */
	int64_t snapshot_interval_ms;      /* 20 s, >= 100 ms: node-data refresh to the leader */
	int64_t zombie_check_interval_ms;  /* 30 s, >= 1 s */
	int64_t leader_lookup_interval_ms; /* 5 s, >= 100 ms; else leadershipCheckInterval */
	bool leader_lookup_given;
	int64_t stats_interval_ms; /* 10 s, >= 100 ms; 0: off: container statistics */
} drove__cfg_executor;

struct drove_config {
	int kind;
	char *name;
	drove__cfg_server server;
	int log_level;
	drove__cfg_store store;
	drove__cfg_secret *secrets;
	size_t n_secrets;
	drove__cfg_controller ctrl; /* kind == CONTROLLER */
	drove__cfg_executor exec;   /* kind == EXECUTOR */
};

#endif
