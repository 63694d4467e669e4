/*
 * The scheduled times of a topology: run ids (one per scheduled time, so that a time fires at
 * most once whichever leader sees it) and the misfire rule after downtime.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <drove/epoch.h>
#include "core/internal.h"

/* Skipped times counted one by one at most; past that the count stops growing. */
#define SKIP_COUNT_MAX 10000

int drove_epoch_run_id(int64_t scheduled_ms, char **out)
{
	DROVE_CHECK_ARG(out);
	if (scheduled_ms < 0)
		return drove__error(DROVE_EINVAL, "scheduled time %" PRId64 ": before 1970",
		                    scheduled_ms);
	char *s = drove__asprintf("SR-%" PRId64, scheduled_ms / 1000);
	if (!s)
		return DROVE_ENOMEM;
	*out = s;
	return 0;
}

int drove_epoch_due(const drove_cron *cron, int64_t last_ms, int64_t now_ms, int64_t misfire_ms,
                    int64_t *fire_ms, int64_t *skipped_ms, size_t cap, size_t *skipped,
                    int64_t *next_ms)
{
	int64_t t = last_ms, n, fire = 0;
	size_t count = 0;

	DROVE_CHECK_ARG(cron && fire_ms && skipped && next_ms && (skipped_ms || cap == 0));
	DROVE_CHECK_ARG(misfire_ms >= 0);
	for (;;) {
		if (drove_cron_next(cron, t, &n) < 0) {
			drove_error_clear();
			n = 0;
			break;
		}
		if (n > now_ms)
			break;
		if (fire) { /* an older due time within the window: superseded, skipped */
			if (count < cap)
				skipped_ms[count] = fire;
			count++;
			fire = 0;
		}
		if (n >= now_ms - misfire_ms) {
			fire = n;
		} else if (count < SKIP_COUNT_MAX) {
			if (count < cap)
				skipped_ms[count] = n;
			count++;
		} else {
			t = now_ms - misfire_ms - 1; /* too many to list: jump to the window */
			continue;
		}
		t = n;
	}
	*fire_ms = fire;
	*skipped = count;
	*next_ms = n;
	return 0;
}
