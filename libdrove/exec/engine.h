/* The executor engine's private state (libdrove/exec only). */
#ifndef DROVE_EXEC_ENGINE_H
#define DROVE_EXEC_ENGINE_H

#include <event2/event.h>

#include <drove/auth.h>
#include <drove/ids.h>
#include <drove/loop.h>
#include <drove/runtime.h>
#include <drove/store.h>
#include <drove/topo.h>
#include "config/config.h"
#include "core/internal.h"
#include "core/loop_internal.h"
#include "exec/exec.h"
#include "http/client.h"
#include "http/server.h"
#include "model/message.h"

struct json_object;

typedef struct exec_inst exec_inst;
typedef struct drove__exec_syslog drove__exec_syslog;
typedef void (*exec_inst_fn)(exec_inst *i);

struct exec_inst {
	struct drove_executor *ex;
	exec_inst *next;
	enum drove__exec_kind kind;
	char *id, *id1, *id2;
	int state; /* enum drove_instance_state or drove_task_state */
	drove_app_instance_spec *app;
	drove_task_instance_spec *task;
	drove_ls_instance_spec *ls;
	/* views into the spec */
	const drove_executable *exe;
	const drove_allocation *res;
	size_t n_res;
	const drove_port_spec *ports;
	size_t n_ports;
	const drove_check_spec *readiness, *health;
	const drove_pre_shutdown *pre;
	const drove_config_spec *configs;
	size_t n_configs;
	drove_port_info *pinfo;
	size_t n_pinfo;
	unsigned char **cfg_data; /* fetched EXECUTOR_HTTP_FETCH bodies */
	size_t *cfg_len;
	size_t cfg_idx;
	char *container;
	int64_t container_mono; /* when `container` was set: a reaper list asked for before cannot
	                         * show it (executor.c) */
	char *error;
	int64_t created, updated;
	int has_result, result_status;
	int64_t exit_code;
	int cancel_requested, recovered, host_level;
	int attempts, fails;
	int unreachable;      /* the last HTTP check got no answer at all (instance.c) */
	int64_t slot_mono;    /* when the current readiness attempt began (0: none yet) */
	int64_t checks[2][2]; /* check results acted on: [readiness 0, health 1][fail 0, pass 1] */
	unsigned gen;         /* bumped on every phase change: stale check results are ignored */
	size_t hook_idx;      /* pre-shutdown hook in progress */
	int hook_try;
	struct event *timer;
	exec_inst_fn tfn;
	drove__exec_logw *logw;
	drove__exec_syslog *syslog;  /* the syslog appender's sender, or NULL */
	drove__exec_syslog *rsyslog; /* a RSYSLOG loggingSpec's sender (podman), or NULL */
	drove_runtime_call *logcall;
	int refs;    /* async operations holding this record */
	int removed; /* out of the table; freed when refs drops to 0 */
};

typedef struct exec_send exec_send;

struct drove_executor {
	drove_loop *loop;
	drove_ctx *ctx;
	const drove_config *cfg;
	const drove__cfg_executor *ec;
	drove_topo *topo;
	drove__exec_res res;
	drove_auth *auth;
	drove__http_server *srv;
	drove__http_client *http;
	drove_runtime *rt;
	drove_store *store; /* ZooKeeper mode: leader lookup and /executor/{hostname}-{port} */
	int zk_pending;     /* outstanding reads of one ZooKeeper leader lookup */
	char *zk_leader;    /* the leader found by that lookup */
	char *hostname;
	int port;
	char id[DROVE_UUID_LEN + 1];
	const char *secret; /* EXECUTOR secret, sent to the leader */
	char *node_hdr;     /* "NodeId: hostname" */
	char *auth_hdr;     /* "Cluster-Authorization: secret" */
	int state;          /* enum drove_executor_state */
	int64_t highest_term;
	char *leader; /* "http://host:port" or NULL */
	int lookup_busy;
	int64_t last_lookup_ms;
	size_t lookup_idx;
	int leader_answered;
	int recovery;           /* 0 not yet, 1 running, 2 done */
	drove_strmap *required; /* serviceId -> instances per host; NULL until fetched */
	int reserved_busy;
	int started, stopped;
	struct event *t_snapshot, *t_lookup, *t_zombie, *t_ready, *t_snap_now;
	struct drove__store_renew *renew; /* a new store session after expiry (executor.c) */
	unsigned store_gen; /* bumped on every store opened (metrics re-attach to it) */
	int reap_busy;
	struct reap_ctx *reap; /* the reaper's list call in flight (freed if cancelled) */
	exec_inst *insts;
	size_t n_insts;
	drove_strlist *img_release; /* images of removed zombies, released once they are gone */
	struct drove__exec_mdcmd *mdcmd; /* DYNAMIC_COMMAND metadata runner (mdcmd.c) */
	exec_send *sends;
	int64_t log_max;
	int log_count;
	const char *log_root;
	const struct drove__exec_hooks *hooks;
	struct drove__exec_metrics *metrics; /* metrics.c */
};

/* Layers, top down (each calls only those below it; upward through `hooks`):
 *   api.c        the executor's HTTP routes and drove_executor_start()
 *   metrics.c    metrics, container statistics, the admin port (reads the table below)
 *   executor.c   the engine: leader, messages, snapshots, state
 *   recovery.c   recovery from labels, the zombie reaper, the leader's GETs they use
 *   instance.c   one instance's state machine (provisioning, checks, stop)
 *   container_spec.c   the container an instance runs in
 *   record.c     records, their timers and the executor's table of instances
 *   pure.c, logs.c     resources, labels, env; log files */

/* metrics.c: metrics, container statistics and the admin port. Start after the engine (api.c);
 * free last, after the runtime and the store (executor.c). */
int drove__exec_metrics_start(struct drove_executor *ex);
void drove__exec_metrics_free(struct drove_executor *ex);

/* syslog.c: the `syslog` appender (logging.appenders; instance output as RFC 5424). */
/* A sender for one instance, per ex->ec->syslog. @return 0, DROVE_EUNAVAIL (the host does not
 * resolve), DROVE_EIO or DROVE_ENOMEM. */
int drove__exec_syslog_open(drove__exec_syslog **out, struct drove_executor *ex, const char *app_id,
                            const char *instance_id);
/* A sender for a RSYSLOG loggingSpec (`server` udp://|tcp://host:port, APP-NAME the tag
 * prefix + instance id + suffix, facility daemon), for engines without Docker's syslog log
 * driver. @return 0, DROVE_EINVAL (server), DROVE_EUNAVAIL, DROVE_EIO or DROVE_ENOMEM. */
int drove__exec_syslog_open_spec(drove__exec_syslog **out, struct drove_executor *ex,
                                 const drove_logging *lg, const char *app_id,
                                 const char *instance_id);
/* Send one line (severity 0..7); dropped when it cannot be sent. NULL is fine. */
void drove__exec_syslog_line(drove__exec_syslog *s, int severity, const char *line, size_t len);
void drove__exec_syslog_close(drove__exec_syslog *s);

/* What instance.c reports upward, set by executor.c. */
struct drove__exec_hooks {
	/* `i` changed state: tell the leader. */
	void (*report)(exec_inst *i);
	/* resources changed: send a snapshot soon. */
	void (*snapshot_soon)(struct drove_executor *ex);
};

/* record.c */
int drove__exec_inst_new(struct drove_executor *ex, enum drove__exec_kind kind, void *spec,
                         exec_inst **out);
void drove__exec_inst_free(exec_inst *i);
exec_inst *drove__exec_find(struct drove_executor *ex, const char *id);
void drove__exec_inst_add(struct drove_executor *ex, exec_inst *i);
/* Take `i` out of the table; freed now, or when the last hold is released. */
void drove__exec_inst_remove(exec_inst *i);
void drove__exec_inst_hold(exec_inst *i);
/* Drop a hold; returns 1 when the record is gone (or the executor stopped): the caller must
 * not touch it further. */
int drove__exec_inst_release(exec_inst *i);
void drove__exec_inst_after(exec_inst *i, int64_t ms, exec_inst_fn fn);
void drove__exec_inst_cancel_timer(exec_inst *i);
/* Arm a one-shot timer `ms` from now (NULL: nothing). */
void drove__exec_arm(struct event *ev, int64_t ms);
int64_t drove__exec_dur_ms(const drove_duration *d, bool has, int64_t def);
/* Info records (owned by the caller; updated = now). */
drove_instance_info *drove__exec_app_info(const exec_inst *i);
drove_task_info *drove__exec_task_info(const exec_inst *i);
drove_ls_instance_info *drove__exec_ls_info(const exec_inst *i);
int drove__exec_inst_running(const exec_inst *i); /* a container should exist */
/* cacheImages false: remove `image` from the engine unless an instance of this executor other
 * than `except` still wants it; "in use" and "not found" answers are ignored. */
void drove__exec_image_release(struct drove_executor *ex, const char *image,
                               const exec_inst *except);
/* Remove a zombie container, then (cacheImages false) release its image. */
void drove__exec_zombie_remove(struct drove_executor *ex, const char *container, const char *image);
/* Free what the two above and the metadata runner keep (executor free). */
void drove__exec_extras_free(struct drove_executor *ex);
/* A runtime callback for calls whose result nobody needs (fire and forget). */
void drove__exec_runtime_ignore(const drove_runtime_result *res, void *ud);
/* This executor's node data: state, resources, tags, metadata and every instance's info. */
int drove__exec_node_data(struct drove_executor *ex, drove_node_data **out);

/* recovery.c, for executor.c */
/* GET {leader}{path} with the cluster secret; DROVE_EUNAVAIL without a leader. */
int drove__exec_leader_get(struct drove_executor *ex, const char *path, drove__http_done_fn done,
                           void *ud);
/* The object under "data" of a SUCCESS envelope, or the body itself. New reference or NULL. */
struct json_object *drove__exec_unwrap(const char *body, size_t len);
/* Adopt the running labelled containers (once; ex->recovery 0 -> 1 -> 2). */
void drove__exec_start_recovery(struct drove_executor *ex);
/* One reaper pass with the leader's `known` (NULL: zombie containers only). */
void drove__exec_reap(struct drove_executor *ex, const drove_known_instances *known);
/* The t_zombie timer's callback: asks the leader for instances/current, then reaps. */
void drove__exec_zombie_tick(evutil_socket_t fd, short what, void *arg);
/* Free the reaper's list call in flight (executor free). */
void drove__exec_reap_free(struct drove_executor *ex);

/* executor.c, for api.c: topology and store before the listener; timers and leader lookup
 * after it is bound (ex->port set). */
int drove__exec_engine_prepare(struct drove_executor *ex);
int drove__exec_engine_start(struct drove_executor *ex);

/* container_spec.c */
int drove__exec_container_spec(exec_inst *i, drove_container_spec **out);

/* instance.c */
void drove__exec_inst_launch(exec_inst *i);
void drove__exec_inst_stop(exec_inst *i, const char *why);
/* The leader lists `i` as stale: an app instance (replaced elsewhere, or of an app that no
 * longer has it) is removed at once (STOPPING -> DEPROVISIONING, force: no hooks, no
 * waitBeforeKill, no stop grace; its cores are free as soon as it is gone); a task is killed;
 * a local-service instance stops as usual. */
void drove__exec_inst_stop_stale(exec_inst *i);
void drove__exec_task_kill(exec_inst *i);
void drove__exec_inst_resume(exec_inst *i); /* container running: UNREADY / RUNNING */
/* Follow the container log into the log file (`tail` 0: no back-log). */
void drove__exec_inst_follow(exec_inst *i, int tail);
void drove__exec_inst_vanished(exec_inst *i);
int drove__exec_inst_set_state(exec_inst *i, int state, const char *error);

#endif
