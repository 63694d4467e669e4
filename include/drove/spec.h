/*
 * Deployable specs: ApplicationSpec, TaskSpec and LocalServiceSpec (DROVE_API.md §3), parsed
 * from Drove's JSON, validated with Drove's rules and written back in Drove's form.
 *
 * JSON conventions (§0.1): unknown fields are ignored, as Drove does, unless the options ask
 * for strict parsing; enums are case-insensitive on input and upper case on output; null
 * fields are omitted; durations are re-rendered canonically ("1m" -> "1 minute").
 * Input is capped at 1 MiB and 32 levels of nesting.
 *
 * Every validation error is one line "path: message" naming the field, for example
 * `resources[0].count: must be at least 1`; where Drove has a fixed message it is quoted.
 *
 * Threads: a drove_spec is shared read-only once built; options likewise once set up.
 */
#ifndef DROVE_SPEC_H
#define DROVE_SPEC_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/model.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

typedef struct drove_spec drove_spec;           /* opaque */
typedef struct drove_spec_opts drove_spec_opts; /* opaque */

/** New options with Drove's defaults: any mount directory, command-line args allowed, raw
 *  device access disabled, lenient parsing. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_opts_new(drove_spec_opts **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_spec_opts_free(drove_spec_opts *opts);
/** Add a host directory volumes may mount from (controller `options.allowedMountDirs`);
 *  once any is added, every volume's pathOnHost must start with one. `dir` is copied.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_opts_add_allowed_mount_dir(drove_spec_opts *opts, const char *dir);
/** Controller `options.disableCmdlArgs`: reject any `args`. @since 0.1 */
DROVE_API void drove_spec_opts_set_disable_cmdl_args(drove_spec_opts *opts, int on);
/** Controller `options.enableRawDeviceAccess`: allow `devices`. @since 0.1 */
DROVE_API void drove_spec_opts_set_enable_raw_device_access(drove_spec_opts *opts, int on);
/** Strict parsing: unknown fields are errors ("path: unknown field") instead of being
 *  ignored. @since 0.1 */
DROVE_API void drove_spec_opts_set_strict(drove_spec_opts *opts, int on);

/** Name of a kind: "application", "task", "local service" ("unknown" otherwise); static.
 *  @since 0.1 */
DROVE_API const char *drove_spec_kind_name(int kind);
/** Detect the kind of a JSON spec: `type` LOCAL_SERVICE -> local service; `type` SERVICE (or
 *  a `name` field) -> application; `sourceAppName`/`taskId` -> task.
 *  @return 0, DROVE_EINVAL (not a JSON object, too large/deep, or no clue) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_spec_detect_kind(const char *json, size_t len, int *out);

/** Parse a spec of `kind` (DROVE_KIND_UNKNOWN: detect it) without validating it; `opts` may be
 *  NULL. Structural problems (wrong JSON types, unknown enum values or polymorphic `type`s,
 *  bad durations or base64) fail. @return 0, DROVE_EINVAL (the message names the first bad
 *  field) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_from_json(drove_spec **out, drove_ctx *ctx, int kind, const char *json,
                                   size_t len, const drove_spec_opts *opts);
/** Validate with Drove's rules (§3.1–§3.4 and the controller checks of §3.7 that need no
 *  cluster state). On DROVE_EINVAL, `*errors_out` (when not NULL) gets every problem, one
 *  "path: message" per entry; free it with drove_strlist_free(). On success `*errors_out` is
 *  left untouched. @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_validate(const drove_spec *spec, const drove_spec_opts *opts,
                                  drove_strlist **errors_out);
/** Parse (detecting the kind) and validate in one go, collecting parse and validation
 *  errors alike. @return 0 (valid), DROVE_EINVAL (`*errors_out`, when not NULL, lists every
 *  problem) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_validate_json(drove_ctx *ctx, const char *json, size_t len,
                                       const drove_spec_opts *opts, drove_strlist **errors_out);
/** The fields a lenient parse ignored, one "path: unknown field" each (an empty list when
 *  none), e.g. to print as warnings. @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_unknown_fields(const char *json, size_t len, drove_strlist **out);

/** Write the spec as Drove does (compact JSON). With `masked`, INLINE config data becomes ""
 *  and HTTP credentials "***" (§3.8, the form of GET …/spec). Caller frees with drove_free().
 *  @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_spec_to_json(const drove_spec *spec, int masked, char **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_spec_free(drove_spec *spec);

/** The kind (enum drove_deployable_kind in <drove/model.h>). @since 0.1 */
DROVE_API int drove_spec_kind(const drove_spec *spec);
/** Application / local-service `name`, or the task's `taskId`; borrowed, may be NULL.
 *  @since 0.1 */
DROVE_API const char *drove_spec_name(const drove_spec *spec);
/** `version` (NULL for tasks); borrowed. @since 0.1 */
DROVE_API const char *drove_spec_version(const drove_spec *spec);
/** The task's `sourceAppName` (NULL for others); borrowed. @since 0.1 */
DROVE_API const char *drove_spec_source_app_name(const drove_spec *spec);
/** The id: appId / serviceId "{name}-{version}", or the task run id
 *  "{sourceAppName}-{taskId}"; borrowed; NULL when the parts are missing. @since 0.1 */
DROVE_API const char *drove_spec_id(const drove_spec *spec);
/** CPU count of the CPU requirement (0 when absent). @since 0.1 */
DROVE_API int64_t drove_spec_cpu_count(const drove_spec *spec);
/** Memory in MB of the MEMORY requirement (0 when absent). @since 0.1 */
DROVE_API int64_t drove_spec_memory_mb(const drove_spec *spec);
/** Image URL of the executable; borrowed, may be NULL. @since 0.1 */
DROVE_API const char *drove_spec_image(const drove_spec *spec);

DROVE_END_DECLS
#endif
