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
	/* create the record (a run fenced by a fire record: its first write), with
	 * /runs/{topologyId} too when `parent` says it is missing; when it exists already it is
	 * set instead. Otherwise a set never creates. */
	int create, parent;
	const char *path; /* a delete of this node instead of the run's (a fire record) */
};

/* Write `n` (≤ DROVE__EPOCH_BATCH_MAX) records in one batch, in order; when the batch fails
 * (a record missing), one by one, leaving missing records missing (a set never creates).
 * `rcs` (NULL or `n` ints): each record's outcome, 0 (also for a missing one left missing)
 * or its store error. @return 0 or the first store error other than a missing record. */
int drove__epoch_records_flush(drove_store *st, size_t n, const struct drove__epoch_rec *recs,
                               int *rcs);

/* ---- fire records (fired.c) ----
 * The fence of a whole fire batch in one write: /epoch/fired/{name}-{k} holds the runs
 * ("topologyId/runId", a JSON array) a leader is about to start, created in one atomic batch
 * with the check of the leader's fence, chunk by chunk (each well under ZooKeeper's 1 MB).
 * The runs' own records are created later, off the critical path; once all of a fire
 * record's runs have theirs, the fire record is deleted. A new leader reads the fire records
 * left before it fires anything: what they name was fired. */
#define DROVE__EPOCH_FIRED_DIR   "/epoch/fired"
#define DROVE__EPOCH_FIRED_CHUNK (256 * 1024) /* bytes of one fire record at most */

/* Fence the runs `entries` ("topologyId/runId") under `fence` in fire records named
 * `name`-0, `name`-1 ... under DROVE__EPOCH_FIRED_DIR, which must exist (paths added to
 * `nodes`). `*fenced`: how many entries, from the
 * first, are recorded (all on success; a chunk refused leaves those after it unrecorded).
 * @return 0; DROVE_ESTALE (the fence moved); another store error. */
int drove__epoch_fired_write(drove_store *st, int fence, const char *name, size_t n,
                             char *const *entries, drove_strlist *nodes, size_t *fenced);

/* What the fire records in the store name: `entries` sorted, `nodes` their paths. */
struct drove__epoch_fired {
	char **entries;
	size_t n;
	drove_strlist *nodes;
};
/* Read every fire record (none: empty). A record that does not parse is skipped (logged
 * by the caller through `bad`, its count). @return 0 or a store error. */
int drove__epoch_fired_read(drove_store *st, struct drove__epoch_fired *out, size_t *bad);
/* The entries of topology `tid`: the index of the first, `*count` of them. */
size_t drove__epoch_fired_find(const struct drove__epoch_fired *f, const char *tid, size_t *count);
void drove__epoch_fired_clear(struct drove__epoch_fired *f);

/* The runs of `topology_id` retention deletes (all but the newest `keep` by `created`,
 * except those still RUNNING), into `*out`. @return 0 or a store error. */
int drove__epoch_runs_trim_list(drove_store *st, const char *topology_id, size_t keep,
                                drove_strlist **out);

#endif
