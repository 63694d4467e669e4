/*
 * The event loop a daemon owns and hands to the library (libevent underneath). Every engine
 * (controller, executor, store, runtime, HTTP) runs its callbacks on the thread that runs the
 * loop; work finished on other threads (ZooKeeper completions, the worker pool) is handed back
 * through drove_loop_post().
 *
 * Threads: drove_loop_run() on one thread; drove_loop_post() and drove_loop_stop() from any.
 */
#ifndef DROVE_LOOP_H
#define DROVE_LOOP_H

#include <drove/common.h>
#include <drove/ctx.h>

DROVE_BEGIN_DECLS

typedef struct drove_loop drove_loop;

/** A new loop. @return 0, DROVE_ENOMEM or DROVE_ERROR. @since 0.1 */
DROVE_API int drove_loop_new(drove_loop **out, drove_ctx *ctx);
/** Frees the loop; callbacks posted but not yet run are dropped. NULL is fine. @since 0.1 */
DROVE_API void drove_loop_free(drove_loop *loop);
/** Run until drove_loop_stop(), even while nothing is pending.
 *  @return 0 or DROVE_ERROR. @since 0.1 */
DROVE_API int drove_loop_run(drove_loop *loop);
/** Run for at most `ms` milliseconds, then return. @since 0.1 */
DROVE_API int drove_loop_run_for(drove_loop *loop, int64_t ms);
/** Ask the loop to return after the current callback. Any thread. A stop that arrives before
 *  drove_loop_run() or drove_loop_run_for() has started is kept, and makes that run return
 *  at once (so a thread that stops the loop cannot race with the one starting it); each run
 *  consumes at most one pending stop. @since 0.1 */
DROVE_API void drove_loop_stop(drove_loop *loop);

/** A callback run on the loop's thread. */
typedef void (*drove_loop_fn)(void *userdata);
/** Run `fn(userdata)` on the loop's thread soon. Any thread; callbacks run in posting order.
 *  @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_loop_post(drove_loop *loop, drove_loop_fn fn, void *userdata);
/** Run `fn(userdata)` once on the loop's thread after `ms` milliseconds. Loop thread only.
 *  @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_loop_after(drove_loop *loop, int64_t ms, drove_loop_fn fn, void *userdata);
/** The context the loop was made with (the loop's own, not a copy). @since 0.1 */
DROVE_API drove_ctx *drove_loop_ctx(const drove_loop *loop);

DROVE_END_DECLS
#endif
