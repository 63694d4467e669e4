/*
 * Batched run records (internal; records.c): what the engine writes many of per second goes
 * to the store in few batches. Synchronous store calls: any thread (a worker's).
 */
#ifndef DROVE_EPOCH_RECORDS_H
#define DROVE_EPOCH_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include <drove/store.h>
#include <drove/strlist.h>

/* Names of enum drove_epoch_state and enum drove_epoch_run_state ("ACTIVE", "FAILED" ...);
 * NULL for a value outside the enum. */
const char *drove__epoch_state_name(int state);
const char *drove__epoch_run_state_name(int state);

/* Batches stay well under ZooKeeper's 1 MB request cap (a run record is ~250 bytes). */
#define DROVE__EPOCH_BATCH_MAX 500

struct drove__epoch_new_run {
	const char *topology_id, *run_id;
	int parent_missing; /* /runs/{topologyId} is created in the batch too */
	int state;          /* RUNNING (to fire) or SKIPPED (a misfire) */
	const char *message;
};

/* Record `n` (≤ DROVE__EPOCH_BATCH_MAX) new SCHEDULED runs in one batch under the leader's
 * fence (as drove_epoch_run_begin() does for one): all or nothing.
 * @return 0; DROVE_ESTALE (the fence moved); DROVE_EEXISTS, DROVE_ENOTFOUND or another
 * store error (nothing recorded: the caller records them one by one instead). */
int drove__epoch_runs_begin_batch(drove_store *st, int fence, size_t n,
                                  const struct drove__epoch_new_run *runs, int64_t now_ms);

/* A run record to write (json) or delete (json NULL). */
struct drove__epoch_rec {
	const char *topology_id, *run_id, *json;
};

/* Write `n` (≤ DROVE__EPOCH_BATCH_MAX) records in one batch, in order; when the batch fails
 * (a record missing), one by one, leaving missing records missing (a set never creates).
 * @return 0 or the first store error other than a missing record. */
int drove__epoch_records_flush(drove_store *st, size_t n, const struct drove__epoch_rec *recs);

/* The runs of `topology_id` retention deletes (all but the newest `keep` by `created`,
 * except those still RUNNING), into `*out`. @return 0 or a store error. */
int drove__epoch_runs_trim_list(drove_store *st, const char *topology_id, size_t keep,
                                drove_strlist **out);

#endif
