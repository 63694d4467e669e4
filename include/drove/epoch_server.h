/*
 * The Epoch engine (DROVE_API.md §12, docs/epoch.md): what daemons/drove-epoch runs. It opens
 * the store of epoch.yml (ZooKeeper, or the embedded store), contends for leadership, and as
 * leader takes the fence, loads the ACTIVE topologies into a timetable, fires each scheduled
 * time at most once (drove_epoch_step), starts the runs' tasks on Drove, follows them to the
 * end, records the results, notifies (MAIL through SMTP, or BLACKHOLE), deletes the finished
 * tasks from Drove and trims old runs. It serves Epoch's REST API (/apis/v1/topologies...)
 * with Basic auth (userAuth: READ_WRITE and READ_ONLY users); a follower answers reads from
 * the store and forwards writes to the leader.
 *
 * The HTTP calls to Drove and to the SMTP server block, so they run on worker threads the
 * engine starts (4) and joins in drove_epoch_stop(); everything else runs on the loop thread.
 *
 * Threads: one thread at a time, the thread that runs `loop`; drove_epoch_is_leader() may be
 * called from any thread.
 */
#ifndef DROVE_EPOCH_SERVER_H
#define DROVE_EPOCH_SERVER_H

#include <drove/common.h>
#include <drove/config.h>
#include <drove/loop.h>

DROVE_BEGIN_DECLS

/** The engine. Opaque. @since 0.1 */
typedef struct drove_epoch drove_epoch;

/** An engine for `config` (from drove_epoch_config_load(); borrowed, it must outlive the
 *  engine) on `loop` (borrowed). Nothing is opened until drove_epoch_start().
 *  @return 0, DROVE_EINVAL (bad users or endpoints: the message says which) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_epoch_new(drove_epoch **out, drove_loop *loop,
                              const drove_epoch_config *config);
/** Listen on `server.applicationConnectors[0]` (127.0.0.1 unless bindHost is set; port 0
 *  picks a free one), start the workers, open the store and contend for leadership; open
 *  the admin port on `server.adminConnectors[0]` (/metrics, /healthcheck, /ping as
 *  <drove/admin.h>; none with `adminConnectors: []`; since 0.2). Loop
 *  thread. @return 0, DROVE_EUNAVAIL (store), DROVE_EIO (listen), DROVE_EINVAL (started
 *  already) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_epoch_start(drove_epoch *e);
/** The HTTP port bound (after start), or -1. @since 0.1 */
DROVE_API int drove_epoch_port(const drove_epoch *e);
/** 1 while this engine leads (fires runs) and has read its stored topologies (until then
 *  it refuses topology writes with 503). Any thread. @since 0.1 */
DROVE_API int drove_epoch_is_leader(const drove_epoch *e);
/** How many runs this engine has fired (scheduled and instant) since it started: for tests
 *  and metrics. Loop thread. @since 0.1 */
DROVE_API int64_t drove_epoch_runs_fired(const drove_epoch *e);
/** Stop: resign, stop listening, join the workers (runs in flight are left RUNNING in the
 *  store for the next leader to follow), close the store. Idempotent. Loop thread.
 *  @since 0.1 */
DROVE_API void drove_epoch_stop(drove_epoch *e);
/** Stops if needed, then frees. NULL is fine. Loop thread. @since 0.1 */
DROVE_API void drove_epoch_free(drove_epoch *e);

DROVE_END_DECLS
#endif
