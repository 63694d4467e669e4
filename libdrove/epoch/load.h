/*
 * Reading the stored topologies and their runs when leadership is acquired (internal;
 * load.c): pipelined asynchronous store reads, at most `window` topologies being read at once,
 * instead of one synchronous round trip after another on the loop thread (10,000 topologies
 * took over 20 s that way with ZooKeeper). What the records mean is the caller's business
 * (engine.c): each topology comes back through a callback with its raw texts.
 *
 * Threads: the store's loop thread only; the callbacks run there, from store callbacks.
 */
#ifndef DROVE_EPOCH_LOAD_H
#define DROVE_EPOCH_LOAD_H

#include <stddef.h>

#include <drove/store.h>
#include <drove/strlist.h>

typedef struct drove__eload drove__eload;

/* A run of a topology: its id and its record's JSON. */
struct drove__eload_run {
	const char *id, *json;
};

/* One topology read: `doc` its EpochTopologyDetails; `runs_parent` 1 when /runs/{id}
 * exists; its `nruns` run records that could be read (one deleted meanwhile is left out),
 * borrowed for the call. A topology that could not be read (deleted meanwhile, a store error)
 * is left out. */
typedef void (*drove__eload_topo_fn)(void *userdata, const char *id, const char *doc,
                                     int runs_parent, size_t nruns,
                                     const struct drove__eload_run *runs);
/* Every topology has come back (never after drove__eload_free()). */
typedef void (*drove__eload_done_fn)(void *userdata);

/* Read the topologies `ids` (taken, also on error). `*out` is set before any callback runs;
 * `done` may run before this returns (nothing to read, or the store refused every read).
 * @return 0 or DROVE_ENOMEM (no callback then). */
int drove__eload_start(drove__eload **out, drove_store *st, drove_strlist *ids, size_t window,
                       drove__eload_topo_fn topo, drove__eload_done_fn done, void *userdata);
/* How many topologies have come back so far (read or left out). */
size_t drove__eload_progress(const drove__eload *l);
/* Stop: no callback runs any more; reads in flight are dropped as they come back (the loader
 * goes with the last of them, or at once). NULL is fine. */
void drove__eload_free(drove__eload *l);

#endif
