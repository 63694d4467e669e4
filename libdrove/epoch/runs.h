/* The runs of the Epoch engine (internal; runs.c): what engine.c calls, on the loop thread. */
#ifndef DROVE_EPOCH_RUNS_H
#define DROVE_EPOCH_RUNS_H

#include "epoch/engine.h"

struct json_object;

/* Drop a reference to a topology; the last one frees it. */
void drove__etopo_unref(drove__etopo *tp);
/* Note a finished run of `tp` (its record written or about to be): beyond `keep` the oldest
 * noted goes, its record deleted with the next batch. */
void drove__etopo_done(drove_epoch *e, drove__etopo *tp, const char *rid);
/* Run records waiting for the store at most: while as many wait, the leader fires nothing
 * (memory stays bounded when the store is slower than the fire rate; the times due meanwhile
 * follow the misfire rule once it fires again). */
#define DROVE__EPOCH_RECORDS_MAX 32768

/* Follow run `rid` of `tp` (a reference is taken): its tasks are started (again: a CREATE
 * answered "Task already exists" counts as started) and polled until the run is decided.
 * `fr`: the fire records that fenced it (its own record is created with its first write,
 * and `fr` counts it until then); NULL: its record exists. @return 0 or DROVE_ENOMEM. */
int drove__erun_add(drove_epoch *e, drove__etopo *tp, const char *rid, int type, int64_t created,
                    struct drove__efire *fr);
/* Fire records `nodes` (taken, also on error) for runs to add with drove__erun_add();
 * drove__efire_seal() once they are all added. NULL when out of memory (nodes freed). */
struct drove__efire *drove__efire_new(drove_epoch *e, drove_strlist *nodes);
/* Every run of `fr` is added: its records are deleted once those runs have theirs. */
void drove__efire_seal(drove_epoch *e, struct drove__efire *fr);
/* 1 when run `rid` of topology `tid` is followed by this leader. */
int drove__erun_live(const drove_epoch *e, const char *tid, const char *rid);
/* ---- what rest.c reads (loop thread) ---- */

/* Runs this leader fenced by a fire record whose own record is not in the store yet (it is
 * written with their first poll or final state): reads answer them from memory, as the
 * record will say. Run `rid` of `tid`: its EpochTopologyRunInfo (a new reference), or NULL
 * when it is not such a run. */
struct json_object *drove__erun_unstored(const drove_epoch *e, const char *tid, const char *rid);
/* Each such run of `tid`: `fn(its EpochTopologyRunInfo (taken), userdata)`.
 * @return 0 or DROVE_ENOMEM. */
typedef void (*drove__erun_json_fn)(struct json_object *run, void *userdata);
int drove__eruns_unstored(const drove_epoch *e, const char *tid, drove__erun_json_fn fn,
                          void *userdata);

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
