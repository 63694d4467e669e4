/* The order of a run's tasks (internal; status.c). */
#ifndef DROVE_EPOCH_STATUS_H
#define DROVE_EPOCH_STATUS_H

#include <stddef.h>

#include <drove/epoch.h>

/* drove_epoch_topology_run_state(), and, while the run is RUNNING, `*next` (may be NULL)
 * the depth-first index of the one task to run or wait for now, as Epoch visits them: one at
 * a time, an ANY stopping at its first COMPLETED child and an ALL at its first failed one,
 * nested composites included (the children after are never run). `*next` is `n` once
 * decided. @return as drove_epoch_topology_run_state(). */
/* A topology's task tree in depth-first order, parsed once (topology.c) so that a run's next
 * task and state need no JSON: a leaf, or a composite followed by its children. */
struct drove__etnode {
	unsigned char composite, any;
	unsigned short nchild;  /* a composite's direct children */
	unsigned short nleaves; /* leaves in this subtree */
	unsigned short size;    /* nodes in this subtree, itself included */
};
/* The tree of `t` (borrowed, `*n_out` nodes; NULL and 0 for none). */
const struct drove__etnode *drove__epoch_topology_tree(const drove_epoch_topology *t,
                                                       size_t *n_out);

int drove__epoch_topology_next_task(const drove_epoch_topology *t, const int *task_states, size_t n,
                                    size_t *next);

/* A taskResult.status this build does not know, for drove__epoch_task_state_map(). */
#define DROVE__EPOCH_RESULT_NEW 0x7fff
/* Epoch's task run state (enum drove_epoch_task_state) for a Drove task's `state` (enum
 * drove_task_state; -1 or any other value: not known, UNKNOWN) and `result` (enum
 * drove_task_result_status; -1: none, which on STOPPED is COMPLETED as Epoch reads it;
 * DROVE__EPOCH_RESULT_NEW or any value past the enum: a result this build does not know, on
 * STOPPED FAILED). One table on the model's enums (status.c). */
int drove__epoch_task_state_map(int state, int result);

#endif
