/*
 * The controller engine (DROVE_API.md §1–§2, §4, §5.1, §7, §8, §11): leadership in the store,
 * executor tracking, the application state machine and its operations, reconciliation, the
 * event store and Drove's /apis/v1 REST API. docs/controller.md describes the design.
 *
 * Threads: one thread at a time, the thread that runs `loop`; every callback the engine
 * registers runs there. drove_controller_is_leader() may be called from any thread.
 * drove_controller_start() starts threads of the library's own, joined by
 * drove_controller_stop(): one that decodes executors' messages (snapshots) off the loop and
 * hands each back to it in arrival order; and the store's (include/drove/store.h: the embedded
 * store's journal writer and checkpoint threads, or the ZooKeeper client's). None of them
 * calls the program's code.
 */
#ifndef DROVE_CONTROLLER_H
#define DROVE_CONTROLLER_H

#include <drove/common.h>
#include <drove/config.h>
#include <drove/loop.h>
#include <drove/metrics.h>

DROVE_BEGIN_DECLS

typedef struct drove_controller drove_controller;

/** A controller for `config` (from drove_config_load_controller(); borrowed, it must outlive
 *  the controller) on `loop` (borrowed). Nothing is opened until drove_controller_start().
 *  @return 0, DROVE_EINVAL (not a controller config, bad auth settings: the message says
 *  which) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_controller_new(drove_controller **out, drove_loop *loop,
                                   const drove_config *config);
/** The host name this controller advertises (default: gethostname()). Before start.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_controller_set_hostname(drove_controller *c, const char *hostname);
/** Open the store (ZooKeeper or the embedded store per the config), listen for HTTP
 *  (server.applicationConnectors[0]; 127.0.0.1 when no bindHost is set) and contend for
 *  leadership. Loop thread. @return 0, DROVE_EUNAVAIL (store), DROVE_EIO (listen),
 *  DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_controller_start(drove_controller *c);
/** The HTTP port actually bound (after start), or -1. @since 0.1 */
DROVE_API int drove_controller_port(const drove_controller *c);
/** The admin port actually bound (server.adminConnectors[0], after start), or -1 when there is
 *  none. It serves /metrics, /healthcheck and /ping (include/drove/admin.h). @since 0.1 */
DROVE_API int drove_controller_admin_port(const drove_controller *c);
/** The controller's metrics registry (borrowed; valid until the controller is freed), for a
 *  program that exports it elsewhere or adds its own families. Render it on the loop thread:
 *  its collectors read the controller's state. @since 0.1 */
DROVE_API drove_metrics *drove_controller_metrics(drove_controller *c);
/** 1 while this controller leads. Any thread. @since 0.1 */
DROVE_API int drove_controller_is_leader(const drove_controller *c);
/** Stop: resign leadership, stop listening, drop jobs and messages in flight, close the
 *  store. Idempotent. Loop thread. @since 0.1 */
DROVE_API void drove_controller_stop(drove_controller *c);
/** Stops if needed, then frees. NULL is fine. Loop thread. @since 0.1 */
DROVE_API void drove_controller_free(drove_controller *c);

DROVE_END_DECLS
#endif
