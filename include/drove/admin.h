/*
 * The admin port of a daemon (Dropwizard's admin connector; issue 16): an HTTP listener without
 * authentication serving
 *   GET /metrics      the registry in the Prometheus text format 0.0.4 (include/drove/metrics.h)
 *   GET /healthcheck  {"<check>":{"healthy":true|false,"message":"...","duration":ms,
 *                     "timestamp":"..."},...}: 200 when every check is healthy, 500 otherwise,
 *                     501 when no check is registered (as Dropwizard)
 *   GET /ping         "pong"
 * drove-controller, drove-executor and drove-epoch open one on server.adminConnectors[0]
 * themselves; any other program can build its own with these functions.
 *
 * Threads: one thread at a time, the thread that runs `loop`; health checks run there too.
 */
#ifndef DROVE_ADMIN_H
#define DROVE_ADMIN_H

#include <stddef.h>

#include <drove/common.h>
#include <drove/loop.h>
#include <drove/metrics.h>

DROVE_BEGIN_DECLS

typedef struct drove_admin drove_admin;

/** A health check, run on the loop thread for each GET /healthcheck. Write a short message
 *  (NUL-terminated, at most `size` bytes; may stay empty) into `message` and return 1 when
 *  healthy, 0 when not. It must not block. @since 0.1 */
typedef int (*drove_health_fn)(char *message, size_t size, void *userdata);

/** An admin listener on `loop` (borrowed) serving `metrics` (borrowed, may be NULL: /metrics is
 *  then empty). Nothing listens until drove_admin_start(). Also counts its own requests in
 *  `metrics` (drove_admin_requests_total). @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_admin_new(drove_admin **out, drove_loop *loop, drove_metrics *metrics);
/** Add a health check named `name` ([A-Za-z0-9_.-], at most 64 bytes; copied). Checks are
 *  listed sorted by name. @return 0, DROVE_EINVAL (bad name), DROVE_EEXISTS or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_admin_add_check(drove_admin *a, const char *name, drove_health_fn fn,
                                    void *userdata);
/** Listen on `address` (NULL: 127.0.0.1; "0.0.0.0" for every interface) and `port` (0: an
 *  ephemeral port). @return 0, DROVE_EINVAL or DROVE_EIO (the message says why). @since 0.1 */
DROVE_API int drove_admin_start(drove_admin *a, const char *address, int port);
/** The port bound by drove_admin_start(), or -1. @since 0.1 */
DROVE_API int drove_admin_port(const drove_admin *a);
/** Run every check now, as GET /healthcheck does. @return 1 when all are healthy (or there
 *  are none), 0 otherwise. @since 0.1 */
DROVE_API int drove_admin_is_healthy(const drove_admin *a);
/** Closes the listener and frees. NULL is fine. Loop thread. @since 0.1 */
DROVE_API void drove_admin_free(drove_admin *a);

DROVE_END_DECLS
#endif
