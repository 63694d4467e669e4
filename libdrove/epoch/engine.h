/*
 * The Epoch engine's layers (internal). server.c (the public drove_epoch_* calls) sets up the
 * pieces and calls rest.c (the REST API) and engine.c (leadership, firing, runs); rest.c calls
 * engine.c (and runs.c for the runs not recorded yet); engine.c calls the records, step,
 * timetable and drive functions of this module and the worker pool (pool.c) and mail
 * (mail.c). Nothing calls upward by name: the kill result reaches rest.c through a callback.
 */
#ifndef DROVE_EPOCH_ENGINE_H
#define DROVE_EPOCH_ENGINE_H

#include <stdint.h>

#include <drove/auth.h>
#include <drove/config.h>
#include <drove/epoch.h>
#include <drove/epoch_server.h>
#include <drove/loop.h>
#include <drove/metrics.h>
#include <drove/store.h>

#include "epoch/load.h"
#include "epoch/mail.h"
#include "epoch/pool.h"

struct event;
struct drove__http_server;
struct drove__http_client;
struct drove__erun;
struct drove__ectl;

/* A topology the leader knows: shared with its runs through a reference count. */
typedef struct drove__etopo {
	drove_epoch_topology *t;
	int refs;
	int state;       /* enum drove_epoch_state */
	int64_t last_ms; /* newest scheduled time handled (fired or skipped) */
	int at_pending;  /* AT trigger not handled yet */
	int firing;      /* a scheduling step is under way on a worker */
	int fast;        /* queued with one time due and none missed (engine.c) */
	int runs_parent; /* /runs/{id} is known to exist */
	/* the newest finished runs this leader knows, oldest first: retention deletes the
	 * oldest beyond numRunsPerJob without reading the store (runs.c) */
	char **done;
	size_t ndone, done_cap;
} drove__etopo;

/* A run record queued for the next batched write (runs.c): a run has at most one queued
 * (a newer state replaces the queued one's text). */
struct drove__erec {
	char *tid, *rid, *json;  /* json NULL: delete */
	char *path;              /* a fire record to delete (no run) */
	struct drove__erun *run; /* the run it records (holds it), or NULL */
	int final;               /* its final state: its cleanup waits for the write */
	int create, parent;      /* the run's first record (and /runs/{tid} missing) */
};

/* The fire records (records.h) of a fire batch, or those a new leader found: deleted once
 * every run they name has its own record (runs.c). */
struct drove__efire {
	struct drove__efire *next;
	drove_strlist *nodes; /* paths */
	size_t pending;       /* runs whose record is not created yet */
	int sealed;           /* every run is added: deleted when `pending` is 0 */
};

/* The registry and the admin port (metrics.c; issue 22). The counters are bumped where things
 * happen (engine.c, runs.c); the rest is read at scrape time. */
struct drove__epoch_metrics {
	drove_metrics *reg;
	struct drove_admin *admin; /* server.adminConnectors; NULL with `[]` */
	drove_metric *fired;       /* drove_epoch_runs_fired_total{type} */
	drove_metric *finished;    /* drove_epoch_runs_finished_total{state} */
};

struct drove_epoch {
	drove_ctx *ctx;
	drove_loop *loop;
	const drove_epoch_config *cfg;
	drove_auth *auth;
	struct drove__http_server *http;
	struct drove__http_client *hc; /* forwarding writes to the leader */
	drove_store *store;
	struct drove__store_renew *renew; /* a new store session after expiry (engine.c) */
	drove_election *election;
	drove__epool *pool;      /* blocking work: store batches, SMTP, REST kill */
	struct drove__ectl *ctl; /* task CREATE, status, KILL, DELETE (asynchronous) */
	int started, stopping;
	int leader; /* loop thread only */
	int fence;
	int64_t term;
	drove__eload *loader; /* reading the stored topologies after taking the lead (load.c) */
	int loading;          /* 1 until they are all read: drove_epoch_is_leader() says 0 */
	/* what drove_epoch_is_leader() answers on any thread: drove__epoch_leads() && !loading,
	 * stored (atomically) by the loop at every change it makes and at every poll tick (a
	 * fence the store's thread cleared shows within pollInterval); never the election
	 * object, which the loop frees when leadership is lost */
	int pub_leader;
	struct event *t_fire, *t_poll, *t_trim;
	drove_epoch_timetable *tt;
	drove__etopo **topos; /* sorted by name */
	size_t ntopos, cap;
	size_t n_at;              /* topologies with an AT trigger still pending */
	struct drove__erun *runs; /* runs.c */
	drove__etopo **fq;        /* steps queued during this tick (references) */
	size_t nfq, fqcap;
	struct drove__erec *rq; /* run records to write (runs.c) */
	size_t nrq, rqcap;
	int flushing;               /* a record batch is on a worker: one at a time, in order */
	size_t nrq_busy;            /* records of the flush under way */
	size_t nlive;               /* runs followed */
	struct drove__efire *fires; /* fire records not deleted yet */
	int64_t fire_seq;           /* names this leader's fire records */
	int64_t throttled_ms;       /* firing waits (backpressure) since (0: not) */
	size_t max_active;          /* options.maxActiveRuns: firing waits beyond (engine.c) */
	/* the fire records a new leader found, while it reads its topologies (engine.c) */
	struct drove__epoch_fired *adopt;
	struct drove__efire *adopt_fr;
	/* a follower's view of who leads ("host:port" of the election's leader node, NULL: none),
	 * refreshed every poll tick with an asynchronous lookup, for its /healthcheck */
	char *seen_leader;
	int seen_lookup; /* a lookup is under way */
	struct event *t_flush;
	/* settings */
	char *app_name;
	char *leader_hp;
	int port;
	int64_t misfire_ms, poll_ms, trim_ms, task_timeout_s;
	size_t keep_runs;
	int mail_on;
	drove__epoch_mail mail;
	/* counters */
	struct drove__epoch_metrics m;
	int64_t fired;
	int64_t instant_seq;
};

/* ---- engine.c: what the layers above may call (loop thread) ---- */

/* Set the settings from the config and build the worker pool's client factory data.
 * @return 0, DROVE_EINVAL or DROVE_ENOMEM. */
int drove__epoch_engine_init(drove_epoch *e);
/* Open the store, start the workers and timers, contend for leadership. */
int drove__epoch_engine_start(drove_epoch *e);
/* Resign, drop the state, join the workers, close the store. Idempotent. */
void drove__epoch_engine_stop(drove_epoch *e);
/* 1 while this engine leads and holds its fence. Loop thread. */
int drove__epoch_leads(const drove_epoch *e);
/* What drove_epoch_is_leader() says (any thread). */
int drove__epoch_published_leader(const drove_epoch *e);

/* A validated topology (ownership passes in, also on error): stored (create: DROVE_EEXISTS
 * when the name is taken; otherwise a replace that keeps its state, DROVE_ENOTFOUND when
 * missing) and scheduled. */
int drove__epoch_put(drove_epoch *e, drove_epoch_topology *t, int create);
/* Pause (1) or unpause (0). @return 0, DROVE_ENOTFOUND or a store error. */
int drove__epoch_pause(drove_epoch *e, const char *id, int paused);
/* Delete a topology and its runs. @return 0, DROVE_ENOTFOUND or a store error. */
int drove__epoch_delete(drove_epoch *e, const char *id);
/* Start an INSTANT run now; `*rid_out` its id (free with drove_free()). */
int drove__epoch_run_now(drove_epoch *e, const char *id, char **rid_out);
/* Kill a run's task on Drove (the task id comes from the run's record; a worker sends KILL):
 * `cb(ok, message, userdata)` runs later on the loop thread (also on shutdown, with ok 0).
 * @return 0, DROVE_ENOTFOUND (no such run, or no such task in it), DROVE_EUNAVAIL or
 * DROVE_ENOMEM (no callback then). */
typedef void (*drove__epoch_kill_fn)(int ok, const char *message, void *userdata);
int drove__epoch_kill(drove_epoch *e, const char *id, const char *run_id, const char *task,
                      drove__epoch_kill_fn cb, void *userdata);

/* ---- metrics.c (server.c calls these; loop thread) ---- */

/* The registry: process figures, the run counters, and the gauges read at scrape time. */
int drove__epoch_metrics_new(drove_epoch *e);
/* Open server.adminConnectors[0] (none with `[]`): /metrics, /healthcheck (store, leader),
 * /ping. */
int drove__epoch_admin_start(drove_epoch *e);
/* Close the admin port (drove_epoch_stop). */
void drove__epoch_admin_stop(drove_epoch *e);
/* Free the registry (drove_epoch_free). */
void drove__epoch_metrics_free(drove_epoch *e);

#endif
