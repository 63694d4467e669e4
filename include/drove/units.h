/*
 * Drove's duration strings ("5 seconds", "1m", "100 ms") and data sizes ("100MiB", "10 MB").
 * Reference: DROVE_API.md §0.2, §0.3. A duration keeps its count and unit so that it is
 * echoed back the way Drove does ("1m" -> "1 minute").
 *
 * Threads: pure functions, any thread.
 */
#ifndef DROVE_UNITS_H
#define DROVE_UNITS_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

/** Duration units. */
enum drove_time_unit {
	DROVE_NANOSECONDS = 0,
	DROVE_MICROSECONDS,
	DROVE_MILLISECONDS,
	DROVE_SECONDS,
	DROVE_MINUTES,
	DROVE_HOURS,
	DROVE_DAYS,
};

/** A duration as written: a count of a unit. */
typedef struct drove_duration {
	int64_t count; /**< >= 0 */
	int unit;      /**< enum drove_time_unit */
} drove_duration;

/** Parse `<integer><optional spaces><unit>`; units as in §0.2, matched exactly
 *  ("s", "seconds", "m", "min", ...). Surrounding white space is ignored.
 *  @return 0 or DROVE_EINVAL (message quotes the input). @since 0.1 */
DROVE_API int drove_duration_parse(const char *s, drove_duration *out);
/** The canonical form: "1 minute", "5 minutes", "0 seconds". Caller frees with drove_free();
 *  NULL on ENOMEM or an invalid unit. @since 0.1 */
DROVE_API char *drove_duration_format(const drove_duration *d);
/** The duration in milliseconds (sub-millisecond units truncate; saturates at INT64_MAX).
 *  @since 0.1 */
DROVE_API int64_t drove_duration_ms(const drove_duration *d);
/** A duration of `ms` milliseconds (below 0: 0) into `*out`, in the largest unit that divides
 *  it exactly (60000 -> 1 minute, 1500 -> 1500 milliseconds, 0 -> 0 seconds).
 *  @return 0 or DROVE_EINVAL (`out` NULL). @since 0.1 */
DROVE_API int drove_duration_from_ms(int64_t ms, drove_duration *out);

/** Data-size units: decimal (KB = 1000) and binary (KiB = 1024) as Dropwizard's DataSize. */
enum drove_size_unit {
	DROVE_BYTES = 0,
	DROVE_KILOBYTES,
	DROVE_KIBIBYTES,
	DROVE_MEGABYTES,
	DROVE_MEBIBYTES,
	DROVE_GIGABYTES,
	DROVE_GIBIBYTES,
	DROVE_TERABYTES,
	DROVE_TEBIBYTES,
	DROVE_PETABYTES,
	DROVE_PEBIBYTES,
};

/** A data size as written. */
typedef struct drove_size {
	int64_t count; /**< >= 0 */
	int unit;      /**< enum drove_size_unit */
} drove_size;

/** Parse `<integer><optional spaces><unit>`: B, byte(s), K/KB/kilobyte(s), KiB/kibibyte(s),
 *  M/MB/MiB, G/GB/GiB, T/TB/TiB, P/PB/PiB and the long spellings; no unit means bytes.
 *  @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_size_parse(const char *s, drove_size *out);
/** Canonical form: "10 megabytes", "1 mebibyte". Caller frees with drove_free(). @since 0.1 */
DROVE_API char *drove_size_format(const drove_size *sz);
/** The size in bytes; DROVE_EINVAL if it does not fit in int64. @since 0.1 */
DROVE_API int drove_size_bytes(const drove_size *sz, int64_t *out);

DROVE_END_DECLS
#endif
