/* Wall-clock and monotonic time in milliseconds. Threads: any thread. */
#ifndef DROVE_CLOCK_H
#define DROVE_CLOCK_H

#include <drove/common.h>

DROVE_BEGIN_DECLS

/** Milliseconds since the Unix epoch (what Drove puts in `created`/`updated`). @since 0.1 */
DROVE_API int64_t drove_time_wall_ms(void);
/** Milliseconds of a monotonic clock, for timeouts and intervals. @since 0.1 */
DROVE_API int64_t drove_time_mono_ms(void);
/** Microseconds of the same monotonic clock, for measurements. @since 0.1 */
DROVE_API int64_t drove_time_mono_us(void);

DROVE_END_DECLS
#endif
