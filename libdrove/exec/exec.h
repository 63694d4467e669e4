/*
 * Internal interface of the executor engine (libdrove/exec). docs/executor.md.
 *
 * pure.c:     state transition tables (§5.2, §5.3), resource locks (§9.1 step 5), the
 *             injected environment (§3.5), log path confinement and reads (§2.9, §8.6),
 *             container labels (§8.8).
 * logs.c:     per-instance log files with rotation, and the log endpoints.
 * executor.c: the engine: HTTP API, messages, leader, snapshots, recovery, zombies.
 * instance.c: the instance / task lifecycle on the runtime, checks and hooks.
 *
 * Threads: everything runs on the executor's loop thread.
 */
#ifndef DROVE_EXEC_EXEC_H
#define DROVE_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drove/executor.h>
#include <drove/model.h>
#include <drove/strlist.h>
#include "model/model.h"

/* ---- state machines (explicit transition tables) ---- */

/* 1 when an application (or local-service) instance may go from `from` to `to` (§5.2); any
 * state may also go to LOST. */
bool drove__exec_inst_can(int from, int to);
/* The same for tasks (§5.3). */
bool drove__exec_task_can(int from, int to);

/* ---- the syslog appender's message format (syslog.c) ---- */

struct drove__buf;
/* One RFC 5424 message (without the TCP octet count) into `b`. @return 0 or DROVE_ENOMEM. */
int drove__exec_syslog_format(struct drove__buf *b, int facility, int severity, int64_t wall_ms,
                              const char *hostname, const char *app_id, const char *instance_id,
                              const char *line, size_t len);
/* A RSYSLOG loggingSpec's `server` ("udp://h:p", "tcp://h:p", "h:p", "[v6]:p", "h"; port
 * 514 by default): `host` (caller frees), `port`, `tcp`. @return 0, DROVE_EINVAL naming
 * loggingSpec.server, or DROVE_ENOMEM. */
int drove__exec_syslog_parse_server(const char *server, char **host, int *port, int *tcp);

/* ---- resources: hard locks per instance (§9.1 step 5) ---- */

typedef struct drove__exec_node {
	int id;
	int *cores;   /* offered (v-)core ids, ascending */
	char **owner; /* parallel: the instance id holding the core, NULL when free */
	size_t n_cores;
	int64_t mb; /* offered MB */
	int64_t used_mb;
	int *phys; /* physical layout (snapshot "layout") */
	size_t n_phys;
	int64_t phys_mb;
} drove__exec_node;

typedef struct drove__exec_mlock {
	char *owner;
	int node;
	int64_t mb;
} drove__exec_mlock;

typedef struct drove__exec_res {
	drove__exec_node *nodes;
	size_t n_nodes;
	drove__exec_mlock *mem; /* memory locks */
	size_t n_mem, cap_mem;
} drove__exec_res;

struct drove_topo;
/* Build from a discovered topology. @return 0 or DROVE_ENOMEM. */
int drove__exec_res_init(drove__exec_res *r, const struct drove_topo *topo);
void drove__exec_res_clear(drove__exec_res *r);
/* Lock every core and MB of `allocs` for `owner`, all or nothing.
 * @return 0, DROVE_ECONFLICT ("cores 2,3 on node 0 are in use by AI-..."), DROVE_ENORESOURCE
 * (unknown node/core, not enough memory) or DROVE_ENOMEM. Locking again for the same owner
 * the same cores succeeds (idempotent). */
int drove__exec_res_lock(drove__exec_res *r, const char *owner, const drove_allocation *allocs,
                         size_t n);
/* Release everything `owner` holds; returns 1 when something was released. */
int drove__exec_res_unlock(drove__exec_res *r, const char *owner);
/* The ExecutorResourceSnapshot (§6.5). @return 0 or DROVE_ENOMEM. */
int drove__exec_res_snapshot(const drove__exec_res *r, const char *executor_id,
                             drove_resource_snapshot **out);

/* ---- injected environment (§3.5) ---- */

enum drove__exec_kind { DROVE__EXEC_APP = 0, DROVE__EXEC_TASK, DROVE__EXEC_LS };

typedef struct drove__exec_env_in {
	enum drove__exec_kind kind;
	const char *hostname;
	const char *image;
	const drove_strmap *env; /* user env */
	const drove_port_info *ports;
	size_t n_ports;
	const char *instance_id;
	const char *app_id, *app_name;         /* apps */
	const char *token;                     /* apps, LS */
	const char *task_id, *source_app_name; /* tasks */
	const char *service_id, *service_name; /* LS */
	/* Lookup of the executor's own environment for empty user values (NULL: getenv). */
	const char *(*getenv_fn)(const char *name, void *ud);
	void *getenv_ud;
} drove__exec_env_in;

/* The container environment in §3.5 order, later duplicates replacing earlier values.
 * @return 0 or DROVE_ENOMEM. */
int drove__exec_build_env(const drove__exec_env_in *in, drove_strmap **out);

/* ---- logs (§2.9, §8.6) ---- */

/* Canonical path of `file` (NULL: the directory itself) under {root}/{id1}/{id2}, refusing
 * anything that leaves that directory. @return 0 with *out (free()), DROVE_EINVAL (escape, bad
 * name; the message says which) or DROVE_ENOTFOUND (missing). */
int drove__exec_log_resolve(const char *root, const char *id1, const char *id2, const char *file,
                            char **out);
/* Drove's read semantics: offset = length = -1 -> "" and the file size; else read up to
 * `length` bytes (32768 when -1, capped at 1 MiB) from `offset`, answering the requested
 * offset. @return 0, DROVE_EINVAL (bad offset/length) or DROVE_EIO. */
#define DROVE__EXEC_READ_DEFAULT 32768
#define DROVE__EXEC_READ_MAX     (1024 * 1024)
int drove__exec_log_read(const char *path, int64_t offset, int64_t length, char **data, size_t *len,
                         int64_t *offset_out);

/* A rotating log file {dir}/output.log with archives output.log-1 (newest) .. -N. */
typedef struct drove__exec_logw {
	char *dir;
	int fd;
	int64_t size;
	int64_t max_size;         /* 0: no rotation */
	int count;                /* archives kept */
	char *pend;               /* lines not written yet (immediateFlush false) */
	size_t pend_len, buf_max; /* buf_max 0: every line written at once */
} drove__exec_logw;

/* Open (creating directories) {root}/{id1}/{id2}/output.log for appending.
 * @return 0, DROVE_EINVAL or DROVE_EIO. */
int drove__exec_logw_open(drove__exec_logw **out, const char *root, const char *id1,
                          const char *id2, int64_t max_size, int count);
/* Keep up to `size` bytes of lines before writing them (the appender's bufferSize when
 * immediateFlush is false; 0: write every line at once). Flushed when full, before a
 * rotation and at close. @return 0 or DROVE_ENOMEM. */
int drove__exec_logw_set_buffer(drove__exec_logw *w, size_t size);
/* Append one line (a newline is added), rotating first when it would exceed max_size. */
int drove__exec_logw_line(drove__exec_logw *w, const char *line, size_t len);
void drove__exec_logw_close(drove__exec_logw *w);

/* ---- labels (§8.8) ---- */

#define DROVE__LABEL_JOB_TYPE "drove.job.type"
#define DROVE__LABEL_ID       "drove.instance.id"
#define DROVE__LABEL_SPEC     "drove.instance.spec"
#define DROVE__LABEL_INFO     "drove.instance.info"

/* What the labels of a container say. Exactly one spec and one info are set. */
typedef struct drove__exec_labels {
	enum drove__exec_kind kind;
	char *id;
	drove_app_instance_spec *app;
	drove_task_instance_spec *task;
	drove_ls_instance_spec *ls;
	drove_instance_info *app_info;
	drove_task_info *task_info;
	drove_ls_instance_info *ls_info;
} drove__exec_labels;

/* "SERVICE" / "COMPUTATION" / "LOCAL_SERVICE"; parse: NULL or unknown -> SERVICE. */
const char *drove__exec_job_type_name(enum drove__exec_kind k);
enum drove__exec_kind drove__exec_job_type_parse(const char *s);
/* Decode labels. @return 0, DROVE_EINVAL (the message names the label) or DROVE_ENOMEM. */
int drove__exec_labels_parse(const char *job_type, const char *id, const char *spec_json,
                             const char *info_json, drove__exec_labels *out);
void drove__exec_labels_clear(drove__exec_labels *l);

/* Whether `id` is in the leader's stale lists (stale) or known lists (!stale) of `kn`, of any
 * kind (ids carry theirs: AI-, TI-, SI-). */
bool drove__exec_listed(const drove_known_instances *kn, const char *id, bool stale);

/* 1 only when the info label names this executor ("executorId"); a missing, unreadable or
 * foreign owner is 0. An executor recovers and reaps only containers provably its own, so that
 * several executors, tests and other tools can share one engine. */
int drove__exec_label_owned(const char *info_json, const char *executor_id);

struct drove__cfg_executor;

/* ---- registry credentials ---- */

/* The X-Registry-Auth value for `image`: when the part before its first '/' names a
 * dockerAuth entry, `*out` gets base64url of {"username","password","serveraddress"} (JSON
 * built with json-c, so any character in a password is escaped); otherwise NULL.
 * @return 0 or DROVE_ENOMEM. */
int drove__exec_registry_auth(const struct drove__cfg_executor *e, const char *image, char **out);

/* ---- node metadata ---- */

/* ExecutorNodeData.metadata from the metadata providers: CONFIGURED values, whitelisted
 * ENVIRONMENT variables (`getenv_fn` NULL: getenv) and the DYNAMIC_COMMAND values in
 * `dynamic` (one map per provider, as drove__exec_mdcmd_values() gives; NULL: none yet);
 * values longer than valueMaxLimit and keys matching a blacklistedKeys regex are left out;
 * keys offered by several providers are dropped. @return 0 or DROVE_ENOMEM. */
int drove__exec_metadata(const struct drove__cfg_executor *e,
                         const char *(*getenv_fn)(const char *), const drove_strmap *const *dynamic,
                         drove_strmap **out);
/* A metadata command's value from its stdout (`len` bytes, NULs allowed), as Drove reads it:
 * the lines (ended by \n, \r\n or \r) joined with \n, so a final line end is dropped;
 * invalid UTF-8 becomes U+FFFD and NUL bytes are dropped. @return 0 or DROVE_ENOMEM. */
int drove__exec_mdcmd_value(const char *out, size_t len, char **value);

/* ---- message handling, for the fuzzer and tests ---- */

/* Handle one message body as the HTTP route does; `*resp_json` gets the reply body (free())
 * and `*http_status` its status. */
int drove__exec_handle_message(drove_executor *ex, const char *body, size_t len, int *http_status,
                               char **resp_json);

#endif
