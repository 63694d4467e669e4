/* The runs of the Epoch engine (internal; runs.c): what engine.c calls, on the loop thread. */
#ifndef DROVE_EPOCH_RUNS_H
#define DROVE_EPOCH_RUNS_H

#include "epoch/engine.h"

/* Drop a reference to a topology; the last one frees it. */
void drove__etopo_unref(drove__etopo *tp);
/* Note a finished run of `tp` (its record written or about to be): beyond `keep` the oldest
 * noted goes, its record deleted with the next batch. */
void drove__etopo_done(drove_epoch *e, drove__etopo *tp, const char *rid);
/* Follow run `rid` of `tp` (a reference is taken): its tasks are started (again: a CREATE
 * answered "Task already exists" counts as started) and polled until the run is decided.
 * @return 0 or DROVE_ENOMEM. */
int drove__erun_add(drove_epoch *e, drove__etopo *tp, const char *rid, int type, int64_t created);
/* Forget every run (leadership lost or stopping); runs with a job in flight go when it
 * comes back. */
void drove__eruns_drop(drove_epoch *e);
/* Write the queued run records in batches on a worker, unless a flush is under way
 * already; runs whose final record is written go on to their cleanup. */
void drove__eruns_flush(drove_epoch *e);
/* One polling round: start what is not started, ask Drove about what runs. */
void drove__eruns_poll(drove_epoch *e);
/* Send KILL for Drove task `task_id` on a worker; `cb` runs later on the loop thread.
 * @return 0, DROVE_EUNAVAIL or DROVE_ENOMEM (no callback then). */
int drove__eruns_kill(drove_epoch *e, const char *task_id, drove__epoch_kill_fn cb, void *userdata);

#endif
