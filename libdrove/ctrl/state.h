/* The controller, layer by layer (docs/controller.md, "Layout"): the controller object and its
 * state (state.c): the app registry, cluster state, publishing and persisting; the bottom layer
 * with I/O. Everything here runs on the loop thread. A file includes the header of its own layer,
 * which includes the layers below it; nothing includes a header above its layer. */
#ifndef DROVE_CTRL_STATE_H
#define DROVE_CTRL_STATE_H

#include <drove/admin.h>
#include <drove/metrics.h>

#include "ctrl/model.h"

/* ---- the engine (engine.c) ---- */

/* The controller's metric families (metrics.c registers them at start; NULL before). Every
 * layer may update them through drove_metric_*(), which calls nothing in ctrl. */
struct drove__ctrl_metrics {
	drove_metrics *reg;
	struct drove_admin *admin; /* the admin port (server.adminConnectors) */
	drove_metric *api_requests, *api_seconds;
	drove_metric *placements; /* {kind,result} */
	drove_metric *events;     /* {type} */
	drove_metric *reconcile_seconds;
};

/* What a standby knows of the leader it watches (standby.c). */
struct drove__ctrl_standby {
	char *leader_hp; /* "host:port" from the leader's election node, or NULL */
	char *url;       /* its ping */
	int64_t term;
	int fails; /* pings failed in a row */
	bool busy; /* a lookup, ping or depose in flight */
	struct drove__http_req *req;
};

/* A reply body kept until what it shows changes (vcache.c): the large list reads. */
#define DROVE__CTRL_VBODIES 8
struct drove__ctrl_vbody {
	int kind;   /* enum drove__ctrl_vkind (vcache.c); 0: free slot */
	char *key;  /* the request's parameters that shape the body */
	char *body; /* the whole reply body, envelope included */
	size_t len;
	uint64_t gen;     /* the controller's generation it was rendered at */
	int64_t until_ms; /* wall ms after which time alone may change it */
	uint64_t used;    /* for replacing the least recently used slot */
};

struct drove_controller {
	drove_ctx *ctx;
	drove_loop *loop;
	const drove_config *cfg;
	drove_auth *auth;
	struct drove__http_server *http;
	struct drove__http_client *client;
	drove_store *store;
	drove_election *election;
	drove_sched *sched;
	char *hostname;
	char *node_name; /* {hostname}-{port} */
	char *leader_hp; /* {hostname}:{port} */
	char *secret;    /* the CONTROLLER cluster secret we send */
	int port;
	int started;
	volatile int leader;
	int64_t term;
	int64_t acquired_mono;
	bool ready;        /* leader and recovered (acts) */
	int64_t tick_mono; /* the last leader timer (stall detection, engine.c) */
	bool suspect;      /* stalled: leadership unconfirmed until the store says so */
	bool confirming;   /* the store's answer to that is on its way */
	/* options (ms) */
	int64_t reconcile_ms, exec_check_ms, stale_exec_ms, stale_inst_ms, window_tail_ms;
	int64_t probe_ms, probe_failures;
	int64_t probe_last_mono; /* the end of the span the last probe tick covered (execs.c) */
	int64_t op_timeout_ms, job_retry_ms, events_keep_ms;
	int64_t state_check_ms; /* instanceStateCheckRetryInterval (jobs.c) */
	int64_t op_parallelism, job_retries, max_old_instances;
	struct drove_spec_opts spec_opts;
	/* state */
	drove__ctrl_app **apps; /* sorted by id */
	size_t n_apps, cap_apps;
	drove__ctrl_byexec *byexec; /* their instance records by executor (byexec.c) */
	drove__ctrl_exec **execs;
	size_t n_execs, cap_execs;
	drove__ctrl_events events;
	int cluster_state;
	int64_t cluster_updated;
	bool blacklist_busy;
	void *bl_pending;               /* the blacklist request waiting for executors (api.c) */
	struct drove__ctrl_send *sends; /* messages in flight */
	struct drove__ctrl_decoder *decoder;
	struct drove__ctrl_tasks *tasks; /* tasks.c */
	struct drove__ctrl_lsvcs *lsvcs; /* lsvc.c */
	/* set by the engine: frees an app's job (jobs.c) for state.c, which sits below jobs */
	void (*free_job)(drove_controller *c, struct drove__ctrl_job *job);
	struct drove__ctrl_standby standby;
	struct drove__ctrl_metrics m;
	/* timers */
	struct event *t_jobs, *t_reconcile, *t_execs, *t_purge, *t_node, *t_probe, *t_stale;
	struct event *t_ping; /* the leader's liveness pings, a slice per tick (execs.c) */
	struct event *t_exp;  /* the reconcile pass's EXPECTED_INSTANCES, a slice per tick */
	uint64_t exp_pass;    /* that pass's number (engine.c) */
	bool exp_left;        /* executors of that pass still to send to */
	struct drove__store_renew *renew; /* a new store session after expiry (engine.c) */
	int64_t next_reconcile_mono;
	/* view generations (vcache.c): apps_gen is bumped by any change an app summary, an
	 * instance's activity or an endpoint shows (apps, their states and counts, instance
	 * states, a stale instance reported again, the cluster state); execs_gen by any change
	 * of an executor (drove__ctrl_exec_changed) */
	uint64_t apps_gen, execs_gen, vbody_tick;
	struct drove__ctrl_vbody vbody[DROVE__CTRL_VBODIES];
};

/* Something the app lists show changed: cached bodies are rendered again. */
static inline void drove__ctrl_apps_changed(drove_controller *c)
{
	c->apps_gen++;
}

/* Something an executor list shows of `e` changed. */
static inline void drove__ctrl_exec_changed(drove_controller *c, drove__ctrl_exec *e)
{
	e->view_ver++;
	c->execs_gen++;
}

/* ---- state (state.c): the bottom layer; calls nothing above it ---- */

drove__ctrl_app *drove__ctrl_app_find(drove_controller *c, const char *id);
/* Add an app for `info` (taken) to the leader's state, in state INIT. */
int drove__ctrl_app_adopt(drove_controller *c, drove_app_info *info, drove__ctrl_app **out);
/* Append an instance record for `info` (taken), seen at `seen` (ms). */
int drove__ctrl_app_add_inst(drove_controller *c, drove__ctrl_app *app, drove_instance_info *info,
                             int64_t seen);
drove__ctrl_inst *drove__ctrl_inst_find(drove__ctrl_app *app, const char *instance_id);
/* Free an app and its records; its job through c->free_job. */
void drove__ctrl_app_free(drove_controller *c, drove__ctrl_app *app);
bool drove__ctrl_in_window(drove_controller *c);
/* Count one scheduler placement of `kind` ("app", "task", "local_service") that returned
 * `rc` (metrics; keeps the thread's error). */
void drove__ctrl_count_placement(drove_controller *c, const char *kind, int rc);
/* Publish an event (takes it). */
void drove__ctrl_publish(drove_controller *c, drove_event *ev);
/* The same once its metadata was filled with `fill_rc`: dropped when that failed (< 0). */
void drove__ctrl_publish_filled(drove_controller *c, drove_event *ev, int fill_rc);
/* Move an app to `state` with an APP_STATE_CHANGE event. */
void drove__ctrl_app_set_state(drove_controller *c, drove__ctrl_app *app, int state);
/* Persist ApplicationInfo (synchronous). @return 0 or the store's error. */
int drove__ctrl_app_persist(drove_controller *c, drove__ctrl_app *app);
/* Store an instance record (asynchronous, fire and forget). */
void drove__ctrl_inst_persist(drove_controller *c, const drove_instance_info *info);

/* ---- the standby's watch of the leader (standby.c), driven by the engine ---- */

/* A standby's watch of the leader (standby.c): ping it, depose it after probe_failures
 * failures in a row. Called on every probe tick while not leading. */
void drove__ctrl_standby_tick(drove_controller *c);
/* Forget the watched leader and cancel a ping in flight (before the client is freed). */
void drove__ctrl_standby_clear(drove_controller *c);

#endif
