/*
 * The executor engine (DROVE_API.md §8, docs/executor.md): runs, pins, checks and recovers the
 * containers the leader controller asks for, serves the internal API of docs/protocol.md
 * (cluster secret required) and pushes state reports and snapshots to the leader.
 *
 * Threads: an executor belongs to its loop's thread: call every function here on that thread
 * (before drove_loop_run() or from loop callbacks). Free the executor before the loop.
 */
#ifndef DROVE_EXECUTOR_H
#define DROVE_EXECUTOR_H

#include <drove/common.h>
#include <drove/config.h>
#include <drove/loop.h>
#include <drove/metrics.h>

DROVE_BEGIN_DECLS

typedef struct drove_executor drove_executor;

/** A new executor on `loop` from an executor configuration (drove_config_load_executor());
 *  `config` is borrowed and must outlive the executor. Nothing is bound or started yet.
 *  @return 0, DROVE_EINVAL (not an executor config; the message says why) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_executor_new(drove_executor **out, drove_loop *loop,
                                 const drove_config *config);
/** Discover resources (hwloc), bind the HTTP server, then (asynchronously, on the loop) find
 *  the leader, recover the containers already running and start the timers.
 *  @return 0, DROVE_EINVAL (bad topology), DROVE_EIO (cannot bind; the message says why),
 *  DROVE_ENORESOURCE (no core left) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_executor_start(drove_executor *ex);
/** The actual port of the HTTP server once started, else -1. @since 0.1 */
DROVE_API int drove_executor_port(const drove_executor *ex);
/** The admin port actually bound (server.adminConnectors[0], after start), or -1 when there is
 *  none. It serves /metrics, /healthcheck and /ping (include/drove/admin.h); its health checks
 *  are "engine" (the container engine answered its last ping), "leader" (a leader is known)
 *  and, with ZooKeeper, "store". @since 0.1 */
DROVE_API int drove_executor_admin_port(const drove_executor *ex);
/** The executor's metrics registry (borrowed; valid until the executor is freed; NULL before
 *  start). Render it on the loop thread: its collectors read the executor's state.
 *  @since 0.1 */
DROVE_API drove_metrics *drove_executor_metrics(drove_executor *ex);
/** The executor id (name-UUID of "hostname:port") once started, else "". Borrowed.
 *  @since 0.1 */
DROVE_API const char *drove_executor_node_id(const drove_executor *ex);
/** The executor state (enum drove_executor_state of <drove/model.h>). @since 0.1 */
DROVE_API int drove_executor_state(const drove_executor *ex);
/** The current ExecutorNodeData (§6.5) as JSON; free with drove_free().
 *  @return 0, DROVE_EINVAL (not started) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_executor_snapshot_json(drove_executor *ex, char **out);
/** Number of instances, tasks and local-service instances being tracked. @since 0.1 */
DROVE_API size_t drove_executor_instance_count(const drove_executor *ex);
/** Graceful stop: stops the timers, the checks and the HTTP server. Containers keep running
 *  (a restarted executor recovers them). Idempotent. @since 0.1 */
DROVE_API void drove_executor_stop(drove_executor *ex);
/** Stop (if needed) and free. NULL is fine. @since 0.1 */
DROVE_API void drove_executor_free(drove_executor *ex);

DROVE_END_DECLS
#endif
