/*
 * Identifiers exactly as Drove computes them (DROVE_API.md §0.4).
 * Threads: any thread. Random ids draw from the context's random source, which is locked.
 */
#ifndef DROVE_IDS_H
#define DROVE_IDS_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/model.h>

DROVE_BEGIN_DECLS

/** Length of a formatted UUID, without the terminating NUL. */
#define DROVE_UUID_LEN 36

/** True (1) when `s` is a valid deployable name or version: non-empty, [a-zA-Z0-9_-]*.
 *  @since 0.1 */
DROVE_API int drove_id_is_valid_name(const char *s);
/** "{name}-{version}": the app id or local-service id. Caller frees with drove_free().
 *  @return 0, DROVE_EINVAL (names the bad part) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_app_id(const char *name, const char *version, char **out);
/** "{sourceAppName}-{taskId}": the task run id. @since 0.1 */
DROVE_API int drove_task_run_id(const char *source_app, const char *task_id, char **out);
/** A random version-4 UUID, lowercase 8-4-4-4-12, into `buf` (at least DROVE_UUID_LEN + 1
 *  bytes). @since 0.1 */
DROVE_API int drove_uuid_random(drove_ctx *ctx, char *buf, size_t len);
/** Java's UUID.nameUUIDFromBytes: MD5 of the bytes, version 3 and IETF variant bits set,
 *  into `buf` (at least DROVE_UUID_LEN + 1 bytes). @since 0.1 */
DROVE_API int drove_uuid_name(const void *bytes, size_t n, char *buf, size_t len);
/** A new instance id of the given kind ("AI-" + UUIDv4 ...). Caller frees with drove_free().
 *  @since 0.1 */
DROVE_API int drove_instance_id_new(drove_ctx *ctx, int kind, char **out);
/** The executor id: name-UUID of "{hostname}:{port}". `buf` as drove_uuid_name().
 *  @since 0.1 */
DROVE_API int drove_executor_id(const char *hostname, int port, char *buf, size_t len);

DROVE_END_DECLS
#endif
