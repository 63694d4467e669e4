/*
 * Quartz cron expressions, as Drove's Epoch scheduler accepts them, and their fire times in a
 * time zone.
 *
 * Syntax: 6 or 7 fields separated by blanks:
 *   seconds (0-59) minutes (0-59) hours (0-23) day-of-month (1-31) month (1-12 or JAN-DEC)
 *   day-of-week (1-7 = SUN-SAT) [year (1970-2199)]
 * Each field takes `*`, a value, a range `a-b` (wrapping, e.g. hours `22-2`), a list `a,b`,
 * steps `a/n`, `*`/n, `a-b/n`; names are case-insensitive. Exactly one of day-of-month and
 * day-of-week is `?`. Day-of-month also takes `L` (last day), `L-n`, `LW` (last weekday),
 * `nW` (weekday nearest the n-th, within the month); day-of-week takes `L` (Saturday),
 * `dL` (last d-day of the month) and `d#n` (n-th d-day, n 1-5). Those special forms stand
 * alone in their field.
 *
 * Daylight saving: fire times are wall-clock times in the zone. A wall time that does not
 * exist (skipped by a spring-forward) fires at the end of the gap, once, unless the
 * expression runs every hour (hours `*`), which simply continues after the gap. A wall time
 * that exists twice (fall-back) fires at its first occurrence only, unless the expression
 * runs every hour, which fires in both passes (it follows elapsed time).
 *
 * Threads: a drove_cron is immutable once parsed; share it read-only between threads.
 */
#ifndef DROVE_CRON_H
#define DROVE_CRON_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

/** A parsed cron expression bound to a time zone. Opaque. @since 0.1 */
typedef struct drove_cron drove_cron;

/** Longest expression accepted, in bytes. @since 0.1 */
#define DROVE_CRON_EXPR_MAX 1024

/** Parse `expr` for the zone `tz`: NULL or "UTC" for UTC, a zoneinfo name
 *  ("Asia/Kolkata", read from $TZDIR or /usr/share/zoneinfo), or a POSIX TZ string
 *  ("EST5EDT,M3.2.0,M11.1.0"). Both strings are copied.
 *  @return 0; DROVE_EINVAL with a message naming the field ("minutes: 61 is outside 0-59",
 *  "dayOfWeek: ...", "time zone Mars/Olympus: unknown zone"); DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_cron_parse(drove_cron **out, const char *expr, const char *tz);

/** The first fire time strictly after `after_ms` (milliseconds since the epoch, UTC), in
 *  milliseconds (always a whole second).
 *  @return 0; DROVE_ENOTFOUND when the expression never fires again (a past year, Feb 30);
 *  DROVE_EINVAL for a NULL argument. @since 0.1 */
DROVE_API int drove_cron_next(const drove_cron *cron, int64_t after_ms, int64_t *out);

/** The expression as given; borrowed from `cron`. @since 0.1 */
DROVE_API const char *drove_cron_expr(const drove_cron *cron);
/** The zone's name ("UTC" when none was given); borrowed from `cron`. @since 0.1 */
DROVE_API const char *drove_cron_tz(const drove_cron *cron);

/** Free a parsed expression; NULL is fine. @since 0.1 */
DROVE_API void drove_cron_free(drove_cron *cron);

DROVE_END_DECLS

#endif
