/*
 * Container runtime: a runtime interface and its Docker Engine API backend, which speaks the
 * Docker REST API over a unix socket and so drives Docker's dockerd and podman's API service
 * alike (docs/runtime.md).
 *
 * Every operation is asynchronous on the caller's drove_loop: it returns at once (an error
 * returned there means the callback never fires) and later calls `done` exactly once on the
 * loop thread with a drove_runtime_result borrowed for the call. Every operation has a
 * timeout (drove_runtime_set_timeout(), or its own argument). Errors in results:
 *  - the engine's own text verbatim ("no such image: localhost/x:1") with DROVE_ENOTFOUND
 *    (HTTP 404), DROVE_ECONFLICT (409), DROVE_EINVAL (400), DROVE_EAUTH (401/403) or
 *    DROVE_ERROR;
 *  - DROVE_EUNAVAIL when the engine is down or the socket is missing (retryable);
 *  - DROVE_ETIMEOUT when the call did not finish in time; DROVE_EIO for broken transfers.
 *
 * Threads: a runtime, its calls and its callbacks belong to the loop's thread. Free the
 * runtime before the loop. A container spec is one thread at a time.
 */
#ifndef DROVE_RUNTIME_H
#define DROVE_RUNTIME_H

#include <drove/common.h>
#include <drove/loop.h>
#include <drove/metrics.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

typedef struct drove_runtime drove_runtime;
typedef struct drove_runtime_call drove_runtime_call;
typedef struct drove_runtime_result drove_runtime_result;
typedef struct drove_container_spec drove_container_spec;
typedef struct drove_container_info drove_container_info;

/** Streams reported to a drove_runtime_line_fn. */
enum drove_runtime_stream {
	DROVE_RUNTIME_STDOUT = 1,
	DROVE_RUNTIME_STDERR = 2,
	DROVE_RUNTIME_PROGRESS = 3, /**< image pull progress */
};

/** Figures of drove_runtime_stats(), read with drove_runtime_result_stat(). */
enum drove_runtime_stat {
	DROVE_STAT_CPU_TOTAL_NS = 0, /**< container CPU time */
	DROVE_STAT_CPU_SYSTEM_NS,    /**< host CPU time at the same moment */
	DROVE_STAT_ONLINE_CPUS,
	DROVE_STAT_PRECPU_TOTAL_NS, /**< the previous sample (0 when the engine gives none) */
	DROVE_STAT_PRECPU_SYSTEM_NS,
	DROVE_STAT_MEM_USAGE, /**< bytes */
	DROVE_STAT_MEM_LIMIT, /**< bytes */
	DROVE_STAT_NET_RX,    /**< bytes received, all interfaces */
	DROVE_STAT_NET_TX,    /**< bytes sent, all interfaces */
	DROVE_STAT_COUNT
};

/** Completion of an operation; `res` is borrowed for the call. Loop thread. */
typedef void (*drove_runtime_fn)(const drove_runtime_result *res, void *userdata);
/** One line of output (no trailing newline; `line` is NUL-terminated and borrowed) from
 *  `stream`. Loop thread. */
typedef void (*drove_runtime_line_fn)(int stream, const char *line, size_t len, void *userdata);

/* ---- the runtime ---- */

/** A Docker Engine API runtime talking to the unix socket `socket_path` (dockerd or podman's
 *  service). Nothing is sent yet; the API version is negotiated by the first call.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_runtime_docker_new(drove_runtime **out, drove_loop *loop,
                                       const char *socket_path);
/** Cancels every call in flight (their callbacks do not run). May be called from a
 *  callback. NULL is fine. @since 0.1 */
DROVE_API void drove_runtime_free(drove_runtime *rt);
/** Default timeout of every call without its own, in ms (default 30000). @since 0.1 */
DROVE_API void drove_runtime_set_timeout(drove_runtime *rt, int64_t ms);
/** "docker" or "podman" once a call has reached the engine, else "". Borrowed. @since 0.1 */
DROVE_API const char *drove_runtime_engine(const drove_runtime *rt);
/** The negotiated API version ("1.41") once known, else "". Borrowed. @since 0.1 */
DROVE_API const char *drove_runtime_api_version(const drove_runtime *rt);

/** Ping and version: result engine and API version. @since 0.1 */
DROVE_API int drove_runtime_version(drove_runtime *rt, drove_runtime_fn done, void *userdata);
/** Is `image` present? Result id = the image id; DROVE_ENOTFOUND when absent. @since 0.1 */
DROVE_API int drove_runtime_image_inspect(drove_runtime *rt, const char *image,
                                          drove_runtime_fn done, void *userdata);
/** Pull `image`; `registry_auth` (optional) is the base64 JSON X-Registry-Auth value;
 *  progress lines go to `progress` (optional) as DROVE_RUNTIME_PROGRESS; `timeout_ms` 0 means
 *  15 minutes. Result id = the image id. @since 0.1 */
DROVE_API int drove_runtime_image_pull(drove_runtime *rt, const char *image,
                                       const char *registry_auth, int64_t timeout_ms,
                                       drove_runtime_line_fn progress, drove_runtime_fn done,
                                       void *userdata);
/** Remove `image` (a reference or an id), untagging it first when it has several names;
 *  `force` 1 removes it even when a container uses it. DROVE_ECONFLICT when a container still
 *  uses it (without `force`), DROVE_ENOTFOUND when it is absent. @since 0.1 */
DROVE_API int drove_runtime_image_remove(drove_runtime *rt, const char *image, int force,
                                         drove_runtime_fn done, void *userdata);
/** Create a container from `spec` (copied), then upload the spec's files into it. Result id
 *  = the container id (also set when only the upload failed, so it can be removed).
 *  @since 0.1 */
DROVE_API int drove_runtime_create(drove_runtime *rt, const drove_container_spec *spec,
                                   drove_runtime_fn done, void *userdata);
/** Write one file (`data`, `len` bytes, permission bits `mode`) at the absolute `path` inside
 *  container `id` (an in-memory tar through the archive API). @since 0.1 */
DROVE_API int drove_runtime_put_file(drove_runtime *rt, const char *id, const char *path,
                                     const void *data, size_t len, int mode, drove_runtime_fn done,
                                     void *userdata);
/** Start container `id` (id or name); starting a running one succeeds. @since 0.1 */
DROVE_API int drove_runtime_start(drove_runtime *rt, const char *id, drove_runtime_fn done,
                                  void *userdata);
/** Inspect container `id`: drove_runtime_result_container(). @since 0.1 */
DROVE_API int drove_runtime_inspect(drove_runtime *rt, const char *id, drove_runtime_fn done,
                                    void *userdata);
/** SIGTERM, then SIGKILL after `grace_s` seconds; stopping a stopped one succeeds.
 *  @since 0.1 */
DROVE_API int drove_runtime_stop(drove_runtime *rt, const char *id, int grace_s,
                                 drove_runtime_fn done, void *userdata);
/** Send `signal` ("SIGKILL" when NULL). DROVE_ECONFLICT when it is not running. @since 0.1 */
DROVE_API int drove_runtime_kill(drove_runtime *rt, const char *id, const char *signal,
                                 drove_runtime_fn done, void *userdata);
/** Remove container `id` by force, with its anonymous volumes. @since 0.1 */
DROVE_API int drove_runtime_remove(drove_runtime *rt, const char *id, drove_runtime_fn done,
                                   void *userdata);
/** List containers carrying `label` ("key" or "key=value"; NULL: all); `all` 1 includes
 *  stopped ones. drove_runtime_result_container_count()/_at(). @since 0.1 */
DROVE_API int drove_runtime_list(drove_runtime *rt, const char *label, int all,
                                 drove_runtime_fn done, void *userdata);
/** Stream the logs of `id` line by line to `on_line` (stdout/stderr demultiplexed); `tail`
 *  < 0 means all lines. With `follow` the call lasts until the container stops, the call is
 *  cancelled (no completion then) or the engine goes away (DROVE_EUNAVAIL/DROVE_EIO); it has
 *  no timeout. `call_out` (optional) receives a handle for drove_runtime_call_cancel(),
 *  valid until the completion. @since 0.1 */
DROVE_API int drove_runtime_logs(drove_runtime *rt, const char *id, int follow, int tail,
                                 drove_runtime_line_fn on_line, drove_runtime_fn done,
                                 void *userdata, drove_runtime_call **call_out);
/** Run `argv` inside running container `id` and wait for it (at most `timeout_ms`, 0: the
 *  default): result exit code and output (stdout and stderr lines, at most 64 KiB).
 *  @since 0.1 */
DROVE_API int drove_runtime_exec(drove_runtime *rt, const char *id, const drove_strlist *argv,
                                 int64_t timeout_ms, drove_runtime_fn done, void *userdata);
/** Record every later call in `metrics` (borrowed; it must outlive the runtime):
 *  drove_engine_call_duration_seconds{call} and drove_engine_call_errors_total{call}. Loop
 *  thread, before the first call. @return 0, DROVE_EINVAL, DROVE_EEXISTS or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_runtime_set_metrics(drove_runtime *rt, drove_metrics *metrics);
/** One sample of CPU, memory and network figures: drove_runtime_result_stat(). @since 0.1 */
DROVE_API int drove_runtime_stats(drove_runtime *rt, const char *id, drove_runtime_fn done,
                                  void *userdata);
/** Cancel a call in flight: its callbacks never run again. NULL is fine. @since 0.1 */
DROVE_API void drove_runtime_call_cancel(drove_runtime_call *call);

/* ---- results (borrowed by the completion callback) ---- */

/** 0 or a DROVE_E* code. @since 0.1 */
DROVE_API int drove_runtime_result_code(const drove_runtime_result *res);
/** The error text ("" on success); never NULL. @since 0.1 */
DROVE_API const char *drove_runtime_result_message(const drove_runtime_result *res);
/** Container id (create), image id (image inspect, pull); NULL otherwise. @since 0.1 */
DROVE_API const char *drove_runtime_result_id(const drove_runtime_result *res);
/** Engine ("docker"/"podman") and API version of drove_runtime_version(). @since 0.1 */
DROVE_API const char *drove_runtime_result_engine(const drove_runtime_result *res);
DROVE_API const char *drove_runtime_result_api_version(const drove_runtime_result *res);
/** Exit code of drove_runtime_exec() (-1 when unknown). @since 0.1 */
DROVE_API int drove_runtime_result_exit_code(const drove_runtime_result *res);
/** Output of drove_runtime_exec(), NUL-terminated; `len` optional. @since 0.1 */
DROVE_API const char *drove_runtime_result_output(const drove_runtime_result *res, size_t *len);
/** The container of drove_runtime_inspect(), else NULL. @since 0.1 */
DROVE_API const drove_container_info *
drove_runtime_result_container(const drove_runtime_result *res);
/** The containers of drove_runtime_list(). @since 0.1 */
DROVE_API size_t drove_runtime_result_container_count(const drove_runtime_result *res);
DROVE_API const drove_container_info *
drove_runtime_result_container_at(const drove_runtime_result *res, size_t i);
/** A figure of drove_runtime_stats() (enum drove_runtime_stat); 0 when unknown. @since 0.1 */
DROVE_API int64_t drove_runtime_result_stat(const drove_runtime_result *res, int which);

/* ---- container info (borrowed from its result) ---- */

/** @since 0.1 */
DROVE_API const char *drove_container_info_id(const drove_container_info *c);
/** Name without the leading "/". @since 0.1 */
DROVE_API const char *drove_container_info_name(const drove_container_info *c);
/** The image reference it was created from. @since 0.1 */
DROVE_API const char *drove_container_info_image(const drove_container_info *c);
/** The image id ("sha256:..."), "" when unknown. @since 0.1 */
DROVE_API const char *drove_container_info_image_id(const drove_container_info *c);
/** "created", "running", "exited"... @since 0.1 */
DROVE_API const char *drove_container_info_state(const drove_container_info *c);
/** @since 0.1 */
DROVE_API int drove_container_info_running(const drove_container_info *c);
/** @since 0.1 */
DROVE_API int drove_container_info_exit_code(const drove_container_info *c);
/** Start time in epoch ms (0 when never started). @since 0.1 */
DROVE_API int64_t drove_container_info_started_at(const drove_container_info *c);
/** Value of label `key`, or NULL. @since 0.1 */
DROVE_API const char *drove_container_info_label(const drove_container_info *c, const char *key);
/** Host port published for TCP `container_port`, or -1. @since 0.1 */
DROVE_API int drove_container_info_host_port(const drove_container_info *c, int container_port);

/* ---- container spec ---- */

/** A spec for a container `name` (may be NULL: the engine picks one) from `image`.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_container_spec_new(drove_container_spec **out, const char *name,
                                       const char *image);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_container_spec_free(drove_container_spec *spec);
/** Append an argument to Cmd. @since 0.1 */
DROVE_API int drove_container_spec_add_arg(drove_container_spec *spec, const char *arg);
/** Set environment variable `key` to `value`. @since 0.1 */
DROVE_API int drove_container_spec_set_env(drove_container_spec *spec, const char *key,
                                           const char *value);
/** Set label `key` to `value`. @since 0.1 */
DROVE_API int drove_container_spec_set_label(drove_container_spec *spec, const char *key,
                                             const char *value);
/** CpusetCpus ("2,3") and CpusetMems ("0"); NULL clears. @since 0.1 */
DROVE_API int drove_container_spec_set_cpuset(drove_container_spec *spec, const char *cpus,
                                              const char *mems);
/** Number of allocated cores for CpuCount (0: unset). @since 0.1 */
DROVE_API int drove_container_spec_set_cpu_count(drove_container_spec *spec, int count);
/** Hard memory limit in bytes (0: none). @since 0.1 */
DROVE_API int drove_container_spec_set_memory(drove_container_spec *spec, int64_t bytes);
/** Publish TCP `container_port` on `host_port`; 0 allocates a free port now by binding a
 *  socket to port 0 (as Drove does). `host_port_out` (optional) gets the port.
 *  @return 0, DROVE_EINVAL, DROVE_EIO (no free port) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_container_spec_add_port(drove_container_spec *spec, int container_port,
                                            int host_port, int *host_port_out);
/** Bind-mount `host_path` at `container_path`, read-only when `read_only`. @since 0.1 */
DROVE_API int drove_container_spec_add_volume(drove_container_spec *spec, const char *host_path,
                                              const char *container_path, int read_only);
/** Expose device `host_path` at `container_path` with cgroup `permissions` ("rwm" when NULL).
 *  @since 0.1 */
DROVE_API int drove_container_spec_add_device(drove_container_spec *spec, const char *host_path,
                                              const char *container_path, const char *permissions);
/** Request devices from a driver, as a Docker `HostConfig.DeviceRequests` entry (Drove's
 *  DETAILED devices, `enableNvidiaGpu`): `driver` ("nvidia"; NULL or "" lets the engine pick
 *  by capability), `count` (-1: all, 0: use `device_ids`), `device_ids`, `capabilities`
 *  (one entry per alternative set, its capabilities comma-separated: "gpu,utility"),
 *  `options`; the lists and map may be NULL and are copied. For podman, which ignores
 *  DeviceRequests, the request becomes CDI device names in `HostConfig.Devices`
 *  (`nvidia.com/gpu=all`, `nvidia.com/gpu=<id>`, or ids that are CDI names already); a
 *  request with no CDI form makes drove_runtime_create() fail on podman with DROVE_EINVAL.
 *  @return 0, DROVE_EINVAL (count < -1) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_container_spec_add_device_request(drove_container_spec *spec,
                                                      const char *driver, int count,
                                                      const drove_strlist *device_ids,
                                                      const drove_strlist *capabilities,
                                                      const drove_strmap *options);
/** User ("user[:group]") and hostname; NULL clears. @since 0.1 */
DROVE_API int drove_container_spec_set_user(drove_container_spec *spec, const char *user);
DROVE_API int drove_container_spec_set_hostname(drove_container_spec *spec, const char *hostname);
/** Ulimit nofile soft = hard = `max_open_files` (0: engine default). Note: podman then
 *  drops its configured default ulimits (nproc...), see docs/runtime.md. @since 0.1 */
DROVE_API int drove_container_spec_set_nofile(drove_container_spec *spec, int64_t max_open_files);
/** Any ulimit (`name` "nofile", "nproc"...), soft <= hard. @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_container_spec_set_ulimit(drove_container_spec *spec, const char *name,
                                              int64_t soft, int64_t hard);
/** Log driver ("json-file", "syslog"...) and its options. Docker's dual-logging options
 *  (cache-*, mode, max-buffer-size) are dropped for podman, which rejects them. @since 0.1 */
DROVE_API int drove_container_spec_set_log_driver(drove_container_spec *spec, const char *driver);
DROVE_API int drove_container_spec_set_log_opt(drove_container_spec *spec, const char *key,
                                               const char *value);
/** A file to upload after create (absolute `path`, `len` bytes copied, `mode` bits), as
 *  Drove injects configs. @since 0.1 */
DROVE_API int drove_container_spec_add_file(drove_container_spec *spec, const char *path,
                                            const void *data, size_t len, int mode);

DROVE_END_DECLS
#endif
