/*
 * The library context: logging and the settings every module shares. There are no hidden
 * globals: everything the library needs hangs off a drove_ctx.
 *
 * Threads: a context may be shared by several threads once set up; drove_ctx_set_log() must
 * not race with calls that log.
 */
#ifndef DROVE_CTX_H
#define DROVE_CTX_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

typedef struct drove_ctx drove_ctx;

/** Log levels. */
enum drove_log_level {
	DROVE_LOG_DEBUG = 10,
	DROVE_LOG_INFO = 20,
	DROVE_LOG_WARN = 30,
	DROVE_LOG_ERROR = 40,
};

/** Log callback: `module` is the library module ("sched", "store"...), `msg` one line without
 *  a trailing newline. It runs on whichever thread logged; both strings are borrowed for the
 *  call only. */
typedef void (*drove_log_fn)(int level, const char *module, const char *msg, void *userdata);

/** A new context with no log callback (the library is then silent).
 *  @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_ctx_new(drove_ctx **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_ctx_free(drove_ctx *ctx);
/** Send messages at `min_level` and above to `fn` (NULL: silence). @since 0.1 */
DROVE_API void drove_ctx_set_log(drove_ctx *ctx, int min_level, drove_log_fn fn, void *userdata);
/** Name of a level ("DEBUG", "INFO", "WARN", "ERROR"); static. @since 0.1 */
DROVE_API const char *drove_log_level_name(int level);
/** A ready-made drove_log_fn for daemons: one line on stderr, written with one call,
 *  `2026-12-05T21:43:10.123Z INFO  [module] msg` (UTC, milliseconds). `userdata` is ignored.
 *  Any thread. @since 0.1 */
DROVE_API void drove_log_stderr(int level, const char *module, const char *msg, void *userdata);
/** Parse a level name (case-insensitive; TRACE counts as DEBUG). @return 0 or DROVE_EINVAL.
 *  @since 0.1 */
DROVE_API int drove_log_level_parse(const char *name, int *out);
/** Seed the context's random source (instance ids, scheduler shuffles). Without a seed it
 *  is seeded from the operating system. Deterministic tests set a seed. @since 0.1 */
DROVE_API void drove_ctx_set_seed(drove_ctx *ctx, uint64_t seed);

DROVE_END_DECLS
#endif
