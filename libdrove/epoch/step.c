/*
 * One scheduling step of a topology: the misfire rule applied and its outcome recorded in the
 * store under the leader's fence, before any task is started.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <drove/epoch.h>
#include "core/internal.h"

/* Skipped times recorded as runs per step; more are counted in the log only (retention would
 * delete them at once anyway). */
#define SKIPPED_RECORDED_MAX 64

static int record(drove_store *st, int fence, const char *tid, int64_t at_ms, int state,
                  const char *msg, int64_t now_ms, char **id_out)
{
	char *rid = NULL;
	int rc = drove_epoch_run_id(at_ms, &rid);
	if (rc < 0)
		return rc;
	rc = drove_epoch_run_begin(st, fence, tid, rid, DROVE_EPOCH_RUN_SCHEDULED, state, msg,
	                           now_ms);
	if (rc == 0 && id_out) {
		*id_out = rid;
		return 0;
	}
	drove_free(rid);
	if (rc == DROVE_EEXISTS) { /* handled before, by this leader or an earlier one */
		drove_error_clear();
		return 1;
	}
	return rc;
}

int drove_epoch_step(drove_store *st, int fence, const drove_epoch_topology *t, int64_t last_ms,
                     int64_t now_ms, int64_t misfire_ms, char **run_id_out, int64_t *handled_ms_out,
                     int64_t *next_ms_out)
{
	int64_t fire = 0, next = 0, skipped[SKIPPED_RECORDED_MAX];
	size_t nskipped = 0;
	const char *tid;
	int rc;

	DROVE_CHECK_ARG(st && t && run_id_out && handled_ms_out && next_ms_out && misfire_ms >= 0);
	tid = drove_epoch_topology_name(t);
	if (drove_epoch_topology_trigger(t) == DROVE_EPOCH_TRIGGER_CRON) {
		if ((rc = drove_epoch_due(drove_epoch_topology_cron(t), last_ms, now_ms, misfire_ms,
		                          &fire, skipped, SKIPPED_RECORDED_MAX, &nskipped, &next)) <
		    0)
			return rc;
	} else {
		int64_t at = drove_epoch_topology_at(t);
		if (at > last_ms && at <= now_ms) {
			if (at >= now_ms - misfire_ms)
				fire = at;
			else
				skipped[nskipped++] = at;
		} else if (at > now_ms) {
			next = at;
		}
	}
	int64_t handled = last_ms;
	size_t n = nskipped < SKIPPED_RECORDED_MAX ? nskipped : SKIPPED_RECORDED_MAX;
	for (size_t i = 0; i < n; i++) {
		char msg[96];
		snprintf(msg, sizeof(msg), "missed: no leader was running at %" PRId64, skipped[i]);
		if ((rc = record(st, fence, tid, skipped[i], DROVE_EPOCH_RUN_SKIPPED, msg, now_ms,
		                 NULL)) < 0)
			return rc;
		if (skipped[i] > handled)
			handled = skipped[i];
	}
	char *rid = NULL; /* stays NULL when the run was recorded already: not started again */
	if (fire) {
		if ((rc = record(st, fence, tid, fire, DROVE_EPOCH_RUN_RUNNING, NULL, now_ms,
		                 &rid)) < 0)
			return rc;
		handled = fire;
	}
	*run_id_out = rid; /* outputs only on success */
	*handled_ms_out = handled;
	*next_ms_out = next;
	return 0;
}
