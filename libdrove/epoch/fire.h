/*
 * The worker side of firing (internal; fire.c): one job of a timer tick's due topologies,
 * fenced in the store before any task is created. engine.c queues the jobs and takes their
 * results on the loop thread.
 */
#ifndef DROVE_EPOCH_FIRE_H
#define DROVE_EPOCH_FIRE_H

#include "epoch/engine.h"

/* Firing runs on the workers (the fence is a store round trip the loop must not wait for).
 * The due topologies of one timer tick with one time due and none missed (the steady state)
 * go in one job of up to FIRE_JOB_MAX (engine.c): their runs are fenced together by fire
 * records (records.h), one store write per 256 KB chunk, and their own run records are
 * written later, off the critical path (runs.c). The others (misfires: skipped times to
 * record; AT triggers) go in jobs of up to DROVE__EPOCH_BATCH_MAX: for a CRON topology the
 * worker applies the misfire rule (drove_epoch_due, as drove_epoch_step does) and its
 * records (the skipped times, the time to fire) go with those of the other topologies of the
 * job into store batches under the fence. AT triggers, the topologies of a batch the store
 * refused (a run recorded already, by an earlier leader) and those of a fire record chunk
 * the store refused go through drove_epoch_step one by one. Results come back to fire_done
 * on the loop thread. */
struct drove__fire_member {
	drove__etopo *tp; /* a reference */
	int64_t last_ms;
	int parent_missing, rc;
	int fast; /* fenced by the job's fire record: `rid` fires, its record comes later */
	int64_t handled, next;
	char *rid, *msg;
	/* the SKIPPED runs its batch recorded: retention counts them as finished runs */
	char **skipped;
	size_t nskipped;
};

struct drove__fire_job {
	drove__ejob base;
	drove_epoch *e;
	drove_store *store;
	int fence;
	int64_t now, misfire_ms, seq;
	drove_strlist *nodes; /* the fire records written */
	size_t n;
	struct drove__fire_member m[];
};

/* Worker: fence the job's runs (records.h), applying the misfire rule; each member's
 * outcome in its fields. */
void drove__fire_work(struct drove__fire_job *j);
/* Free the SKIPPED run ids a member holds. */
void drove__fire_forget_skipped(struct drove__fire_member *m);

#endif
