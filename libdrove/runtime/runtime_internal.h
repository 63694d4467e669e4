/* Runtime internals: the backend interface, calls, results, and the helpers the Docker
 * backend is built from (spec JSON, ustar writer, stream demultiplexer, response parsers). */
#ifndef DROVE_RUNTIME_INTERNAL_H
#define DROVE_RUNTIME_INTERNAL_H

#include <drove/runtime.h>
#include <drove/strlist.h>

#include "core/internal.h"
#include "http/client.h"

/* Kinds of call. */
enum {
	RT_VERSION,
	RT_IMAGE_INSPECT,
	RT_PULL,
	RT_CREATE,
	RT_PUT_FILE,
	RT_START,
	RT_INSPECT,
	RT_STOP,
	RT_KILL,
	RT_REMOVE,
	RT_LIST,
	RT_LOGS,
	RT_EXEC,
	RT_STATS,
	RT_IMAGE_REMOVE,
};

/* A backend (Docker Engine API today; containerd or plain processes later). */
typedef struct drove__runtime_ops {
	const char *name;
	/* Start `call` (its kind and parameters are filled in). Return 0, or an error (the call
	 * is then freed by the caller and no callback fires). */
	int (*submit)(drove_runtime *rt, drove_runtime_call *call);
	/* Stop whatever the backend has in flight for `call` (no callback). */
	void (*cancel)(drove_runtime_call *call);
	void (*destroy)(drove_runtime *rt);
} drove__runtime_ops;

struct drove_container_info {
	char *id, *name, *image, *image_id, *state;
	int running, exit_code;
	int64_t started_at;
	drove_strmap *labels;
	int *ports; /* pairs: container port, host port (tcp) */
	size_t nports;
};

struct drove_runtime_result {
	int code;
	char *message;
	char *id;
	char *engine, *api_version;
	int exit_code;
	drove__buf output;
	drove_container_info *info;
	drove_container_info **list;
	size_t nlist;
	int64_t stats[DROVE_STAT_COUNT];
};

typedef struct drove__runtime_demux {
	int mode; /* 0: not decided, 1: framed (8-byte headers), 2: raw (TTY) */
	unsigned char hdr[8];
	size_t hdr_len;
	uint32_t left;
	int stream;
	drove__buf line[3]; /* partial line per stream (index 1, 2) */
	size_t max_line;
	drove_runtime_line_fn on_line;
	void *userdata;
} drove__runtime_demux;

struct drove_container_spec {
	char *name, *image, *user, *hostname, *cpus, *mems, *log_driver;
	drove_strlist *args;
	drove_strmap *env, *labels, *log_opts, *ulimits; /* ulimits: name -> "soft:hard" */
	drove_strlist *binds;
	drove_strlist *devices;         /* "host\ncontainer\nperms" */
	drove_strlist *device_requests; /* each a DeviceRequest object as JSON (Docker) */
	drove_strlist *cdi_devices;     /* the same requests as CDI names (podman) */
	char *cdi_error;                /* a request podman cannot express: why */
	int *ports;                     /* pairs: container port, host port */
	size_t nports;
	int64_t memory;
	int cpu_count;
	drove__buf tar; /* files to upload after create, as ustar entries (no end blocks) */
	size_t nfiles;
};

struct drove_runtime_call {
	drove_runtime *rt;
	drove_runtime_call *prev, *next;
	int kind;
	int64_t start_us; /* metrics */
	drove_runtime_fn done;
	drove_runtime_line_fn on_line;
	void *userdata;
	/* parameters */
	char *target;        /* container id/name or image */
	char *arg;           /* registry auth, label filter, signal, exec id */
	char *alt;           /* create: the podman variant of the body */
	drove__buf payload;  /* request body (JSON) */
	drove__buf tar;      /* files to upload */
	drove_strlist *argv; /* exec */
	int num;             /* grace seconds, tail, all */
	int follow;
	int64_t timeout_ms;
	int64_t deadline; /* monotonic ms */
	/* backend state */
	int step;
	int retries;
	int cancelled;
	int linked;
	int in_done;
	int in_chunk;
	void *timer; /* struct event * for exec polling */
	char *pull_error;
	drove__http_req *http;
	drove__runtime_demux demux;
	drove__buf lines; /* pull progress partial line */
	drove_runtime_result res;
};

struct drove_runtime {
	const drove__runtime_ops *ops;
	drove_loop *loop;
	drove_ctx *ctx;
	drove__http_client *http;
	char *socket_path;
	drove_metric *m_seconds, *m_errors; /* drove_runtime_set_metrics(), or NULL */
	char engine[16];
	char api_version[16];
	int64_t timeout_ms;
	drove_runtime_call *calls;
	int busy, dying;
};

/* Layers, top down: runtime.c (public entry points; picks a backend's ops table) -> docker.c
 * (the Docker Engine API backend) -> call.c (a call's completion and freeing), spec.c,
 * parse.c, demux.c. A backend reports upward only through drove__runtime_complete(). */

/* ---- a call's life (call.c) ---- */

/* "version", "image inspect", ... for messages and metric labels. */
const char *drove__runtime_kind_name(int kind);

/* Finish `call` with code/message (message NULL or "" on success): runs the callback unless
 * the call was cancelled, then frees the call. */
void drove__runtime_complete(drove_runtime_call *call, int code, const char *fmt, ...)
        DROVE_PRINTF(3, 4);
/* Take `call` off its runtime's list of calls in flight (idempotent). */
void drove__runtime_call_unlink(drove_runtime_call *call);
void drove__runtime_call_free(drove_runtime_call *call);
void drove__runtime_result_clear(drove_runtime_result *res);
void drove__runtime_info_free(drove_container_info *c);

/* ---- the Docker backend (docker.c) ---- */
extern const drove__runtime_ops drove__runtime_docker_ops;

/* ---- spec (spec.c) ---- */

/* The POST /containers/create body for `spec`; `podman` drops Docker-only log options. */
int drove__runtime_spec_json(const drove_container_spec *spec, int podman, char **out);
/* Append one ustar file entry for absolute `path` to `tar`. @return 0, DROVE_EINVAL (path too
 * long, not absolute, or empty name) or DROVE_ENOMEM. */
int drove__runtime_tar_add(drove__buf *tar, const char *path, const void *data, size_t len,
                           int mode, int64_t mtime);
/* Append the two zero end-of-archive blocks. */
int drove__runtime_tar_finish(drove__buf *tar);
/* A free TCP port from the kernel (bind to port 0). @return the port, or DROVE_EIO. */
int drove__runtime_free_port(void);

/* ---- stream demultiplexer (demux.c) ---- */

void drove__runtime_demux_init(drove__runtime_demux *d, drove_runtime_line_fn on_line,
                               void *userdata);
/* Feed raw bytes of a log or exec stream. @return 0, DROVE_EIO (bad frame header) or
 * DROVE_ENOMEM. */
int drove__runtime_demux_feed(drove__runtime_demux *d, const char *data, size_t len);
/* Emit partial lines left at the end of the stream. */
void drove__runtime_demux_finish(drove__runtime_demux *d);
void drove__runtime_demux_free(drove__runtime_demux *d);

/* ---- engine response parsers (parse.c); inputs are capped and depth-limited ---- */

#define DROVE_RUNTIME_JSON_MAX   (8u << 20)
#define DROVE_RUNTIME_JSON_DEPTH 32

/* The engine's "message" from an error body (the trimmed body text when it is not JSON). */
char *drove__runtime_engine_message(const char *body, size_t len, int status);
/* Map an engine HTTP status to a code. */
int drove__runtime_status_code(int status);
/* Does a pull error say the registry refused or wanted credentials? (podman and Docker
 * texts: "unauthorized", "authentication required", "denied", "no basic auth"). */
int drove__runtime_is_auth_error(const char *msg);
/* GET /version: "docker" or "podman" and the API version to use (capped at 1.41). */
int drove__runtime_parse_version(const char *json, size_t len, char *engine, size_t engine_sz,
                                 char *api, size_t api_sz);
/* A string member of a top-level object ("Id"). */
int drove__runtime_parse_string(const char *json, size_t len, const char *key, char **out);
int drove__runtime_parse_inspect(const char *json, size_t len, drove_container_info **out);
int drove__runtime_parse_list(const char *json, size_t len, drove_container_info ***out, size_t *n);
int drove__runtime_parse_stats(const char *json, size_t len, int64_t stats[DROVE_STAT_COUNT]);
int drove__runtime_parse_exec(const char *json, size_t len, int *exit_code, int *running);
/* One line of pull progress: `*error` gets the error text when the line reports one, else
 * `*text` a printable progress line (either may stay NULL). */
int drove__runtime_parse_pull_line(const char *json, size_t len, char **text, char **error);
/* RFC 3339 time to epoch ms; 0 for the zero time or garbage. */
int64_t drove__runtime_parse_time(const char *s);

#endif
