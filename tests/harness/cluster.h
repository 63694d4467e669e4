/* A real cluster as child processes, for integration tests: drove-controller (embedded store,
 * or ZooKeeper), up to two drove-executor processes on this host with disjoint cores
 * (resources.osCores, two v-cores per core) in RPC mode, podman behind the Docker Engine API.
 * One cluster per test process: the state is the global `dtc`. Every function asserts (check)
 * on failure, so a test reads as a script. */
#ifndef DROVE_TEST_CLUSTER_H
#define DROVE_TEST_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct json_object;

#define DTC_CTRL_BIN DROVE_BINARY_DIR "/daemons/drove-controller/drove-controller"
#define DTC_EXEC_BIN DROVE_BINARY_DIR "/daemons/drove-executor/drove-executor"
#define DTC_CLI_BIN  DROVE_BINARY_DIR "/daemons/drove/drove"
/* The opSpec every test operation uses. */
#define DTC_OPSPEC \
	"\"opSpec\":{\"timeout\":\"60 seconds\",\"parallelism\":4,\"failureStrategy\":\"STOP\"}"
/* Secrets of the test cluster. */
#define DTC_CONTROLLER_SECRET "cs"
#define DTC_EXECUTOR_SECRET   "es"

typedef struct dtc_state {
	const char *zk, *sock; /* from tests/harness/components.sh */
	char dir[128];         /* the run's directory (configs, logs, store, executor logs) */
	int cport[2], eport[2];
	int caport[2], eaport[2]; /* admin ports (server.adminConnectors), 0 when none */
	pid_t cpid[2], epid[2];
	int port; /* the controller the test talks to (cport[i]) */
	/* executor i's hostname (and bind address) and the address it reaches the controllers
	 * on: "localhost" and "127.0.0.1" unless started with dtc_start_executor_on() */
	char ehost[2][32], ectrl[2][32];
	/* the controllers' bind address (NULL: the default, 127.0.0.1); set before starting them */
	const char *cbind;
	char auth_log[160]; /* the log of dtc_start_auth_controller() */
	/* more logging appenders of the executors started next, each line "    - {...}\n" */
	const char *exec_appenders;
	/* more lines under `resources:` of the executors started next ("  tags: [a]\n") */
	const char *exec_resources;
} dtc_state;

extern dtc_state dtc;

/* In a suite constructor: the daemons must be built and ZooKeeper and podman running (exits 77
 * when not, 1 in CI). */
void dtc_require(const char *test_name);
/* Checked fixture: a fresh directory; teardown stops every daemon (SIGTERM), removes the
 * containers of this run's executors and the directory (kept with DROVE_KEEP_TEST_DIR). */
void dtc_setup(void);
void dtc_teardown(void);

int dtc_free_port(void);
pid_t dtc_spawn(const char *bin, const char *cfg, const char *log);
/* Run argv[0] (a path) with `argv`, stdout and stderr appended to `log`. */
pid_t dtc_spawn_argv(char *const argv[], const char *log);
void dtc_write_file(const char *path, const char *text);

/* Controller `i` (0 or 1) on a free port, its admin port on another (dtc.caport[i]): the embedded
 * store in dtc.dir (zk_mode 0) or ZooKeeper (1). Fast test intervals. `extra_yaml` (may be NULL) is
 * appended to the YAML at the top level (e.g. "instanceAuth: {secret: x}\n"). dtc.port is set to
 * it. */
void dtc_start_controller(int i, int zk_mode, const char *extra_yaml);
/* Controller `i` with Basic users guest/guestpw (EXTERNAL_READ_ONLY) and admin/adminpw
 * (EXTERNAL_ROOT), the embedded store in dtc.dir/auth-data{i}, its log in dtc.auth_log.
 * dtc.port is set to it. */
void dtc_start_auth_controller(int i);
/* Executor `i` (0 or 1, core i; admin port dtc.eaport[i]), reporting to the first `n_ctrl`
 * controllers; log files under dtc.dir/logs{i}. `extra_options` (may be NULL) are lines added under
 * `options:`, each indented by two spaces (e.g. "  tags: [a]\n"). */
void dtc_start_executor(int i, int n_ctrl, const char *extra_options);
/* The same on loopback addresses of its own: it binds and names itself `host` (e.g.
 * "127.0.0.11") and reaches the controllers (which listen on every address) at `ctrl_addr`
 * (e.g. "127.0.0.21"), so that firewall rules on those two addresses cut it off from the
 * controllers both ways while everything else on loopback still flows. */
void dtc_start_executor_on(int i, int n_ctrl, const char *host, const char *ctrl_addr,
                           const char *extra_options);
/* Executor i's id (dtc.ehost[i] and its port) into buf (DROVE_UUID_LEN + 1 bytes). */
void dtc_executor_id(int i, char *buf, size_t n);
/* Start executor / controller `i` again with the configuration of its last start (same port,
 * so the same executor id: it recovers its containers). */
void dtc_restart_executor(int i);
void dtc_restart_controller(int i);
/* Wait until the controller on dtc.port answers ping 200 / lists `n` executors. */
void dtc_wait_ping(int64_t ms);
void dtc_wait_execs(int n, int64_t ms);
/* Stop a daemon: SIGTERM (or `sig`) and wait; returns the wait status. */
int dtc_stop(pid_t *pid, int sig);
/* Remove every container labelled by drove on the run's podman. */
void dtc_remove_containers(void);

/* HTTP over loopback; the status, 0 when nothing answered. `out` (may be NULL) gets the body
 * (free()). `headers` NULL or a NULL-terminated list of "Name: value"; `userpass` "u:p" or
 * NULL. */
long dtc_http_full(const char *method, const char *url, const char *body, const char **headers,
                   const char *userpass, char **out);
long dtc_http_url(const char *method, const char *url, const char *body, char **out);
/* On the controller dtc.port: `path` starts with /apis/v1. */
long dtc_http(const char *method, const char *path, const char *body, char **out);
/* GET `path`: asserts 200 SUCCESS; returns its data (borrowed from *root: json_object_put). */
struct json_object *dtc_get_data(const char *path, struct json_object **root);
/* POST `json` to `path`, asserting 200. */
void dtc_post_ok(const char *path, const char *json);
/* Contents of a file, NUL-terminated (free()); NULL when unreadable. */
char *dtc_read_file(const char *path);

#endif
