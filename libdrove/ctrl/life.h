/* The controller, layer by layer (docs/controller.md, "Layout"): the lifecycle engine (life.c),
 * above the mechanisms and below the kinds: ONE implementation of starting one instance of any
 * deployable kind (app instance, task, local-service instance) on a placement — place, send its
 * START with the transport's retries, wait for the instance's state with a deadline, give up
 * (STOP it) at the deadline, retry per jobRetryCount — and ONE of stopping one — send STOP while
 * the executor takes it, again a second after a refusal, wait for the instance to go, give up at
 * the deadline — parameterised by a small const ops table per kind. Everything here runs on the
 * loop thread. A file includes the header of its own layer, which includes the layers below it;
 * nothing includes a header above its layer. */
#ifndef DROVE_CTRL_LIFE_H
#define DROVE_CTRL_LIFE_H

#include "ctrl/mech.h"

/* The phases of one operation on one instance. A kind may add its own phases from
 * DROVE__LIFE_KIND on (the engine leaves them alone). */
enum {
	DROVE__LIFE_IDLE = 0, /* nothing under way */
	DROVE__LIFE_PENDING,  /* an attempt is due at not_before */
	DROVE__LIFE_SENDING,  /* its message (or the configs it needs) in flight */
	DROVE__LIFE_WAITING,  /* accepted: waiting for the instance's state until the deadline */
	DROVE__LIFE_OK,       /* done: it started (or stopped) */
	DROVE__LIFE_FAILED,   /* done: given up (why) */
	DROVE__LIFE_KIND,     /* the first phase of a kind's own */
};

typedef struct drove__ctrl_life drove__ctrl_life;

/* What the stop of an instance is to do now (ops->stop_target), by its record. */
enum {
	DROVE__STOP_DONE,  /* nothing left to stop (gone, finished, or its executor gone) */
	DROVE__STOP_SEND,  /* running: the executor takes a STOP now */
	DROVE__STOP_EARLY, /* not running yet: a STOP only when ops->stop_early, else HOLD */
	DROVE__STOP_WAIT,  /* on its way out without a STOP: wait for it to go */
	DROVE__STOP_HOLD,  /* not to be stopped yet (or its executor unknown): look again at the
	                    * next step */
};

/* What makes a kind's start different: a const table per kind. */
typedef struct drove__ctrl_life_ops {
	const char *kind;        /* the placement metric's label: "app", "task", "local_service" */
	int stop_type;           /* DROVE_MSG_STOP_* sent to an instance given up at its deadline */
	const char *timeout_why; /* why, when the deadline passes */
	bool recheck;            /* the deadline is looked at on instanceStateCheckRetryInterval */
	int start_type;          /* DROVE_MSG_START_* */
	/* Fill the START message's payload for l->iid on executor `e` from `spec` (the kind's own,
	 * or an app / local-service spec with fetched configs). @return NULL, or why not (then
	 * nothing is set). */
	const char *(*start_payload)(drove_controller *c, drove__ctrl_life *l,
	                             const drove__ctrl_exec *e, const void *spec, drove_message *m);
	/* The owner for the log ("app X", "task A/B", "local service S"). */
	void (*name)(const drove__ctrl_life *l, char *buf, size_t size);
	/* The state (DROVE_INST_*) of l's instance record, -1 when there is none yet; NULL: the
	 * kind ends the wait itself (a report) and the engine only watches the deadline. */
	int (*inst_state)(drove_controller *c, const drove__ctrl_life *l);
	/* An attempt failed (before the retry decision): the kind's log line. */
	void (*failed)(drove_controller *c, drove__ctrl_life *l, const char *why);
	/* May a failed attempt be retried (jobRetryCount permitting)? NULL: never. */
	bool (*may_retry)(const drove__ctrl_life *l);
	/* A reply or a config fetch moved the phase (may be NULL). */
	void (*changed)(drove_controller *c, drove__ctrl_life *l);

	/* ---- the stop (l->stopping): what differs between the kinds ---- */
	const char *stop_verb;    /* for the log: "stopping", "killing" */
	int64_t stop_retry_ms;    /* the transport retries one STOP for this long */
	int64_t stop_resend_ms;   /* accepted: sent again this long after while it still runs
	                           * (0: never) */
	bool stop_early;          /* STOP also before the instance runs; a refused one (it did not
	                           * run, or no longer does) ends in waiting for it to go */
	bool stop_until_accepted; /* the deadline bounds the STOP's acceptance (checked until it is
	                           * accepted) */
	bool stop_until_gone;     /* the deadline bounds the wait for the instance to go (checked on
	                           * the re-checks after acceptance) */
	const char *stop_timeout_why; /* why, when the deadline passes */
	/* What to do about l's instance now (DROVE__STOP_*); for SEND and EARLY, the executor and
	 * the instance id (borrowed for the call). */
	int (*stop_target)(drove_controller *c, const drove__ctrl_life *l,
	                   const drove__ctrl_exec **exec, const char **iid);
} drove__ctrl_life_ops;

struct drove__ctrl_life {
	drove_controller *c;
	const drove__ctrl_life_ops *ops;
	void *owner; /* the kind's record */
	int phase;   /* DROVE__LIFE_* */
	int attempts;
	char *iid;                                /* the instance id of the current attempt */
	char *exec_id;                            /* where it was placed */
	drove_sched_alloc *alloc;                 /* its placement */
	drove_sched_session *sess;                /* borrowed: released into (NULL: none) */
	int64_t timeout_ms, wait_ms;              /* the wait is the longer of the two */
	int64_t deadline, not_before, next_check; /* mono ms */
	drove__ctrl_send *send;
	struct drove__ctrl_fetch *fetch; /* CONTROLLER_HTTP_FETCH configs in flight */
	bool fetch_sync;                 /* the fetch finished inside its own start */
	char *why;                       /* DROVE__LIFE_FAILED: why */
	bool stopping;                   /* a stop (drove__ctrl_life_stop_begin), not a start */
};

/* An operation's opSpec (may be NULL): its timeout in ms, or options.clusterOpTimeout without
 * one; its parallelism when above 0, or options.clusterOpParallelism. */
int64_t drove__ctrl_op_timeout_ms(const drove_controller *c, const drove_cluster_op_spec *ops);
int drove__ctrl_op_parallelism(const drove_controller *c, const drove_cluster_op_spec *ops);

/* A fresh `l` for a record of a kind (`owner`). */
void drove__ctrl_life_init(drove_controller *c, drove__ctrl_life *l,
                           const drove__ctrl_life_ops *ops, void *owner);
/* Drop what `l` holds: its message and fetch in flight (their callbacks never run) and its
 * allocation, released to the scheduler (`release`) or kept as a soft lock until a snapshot
 * settles it; the phase becomes IDLE. The ids stay (freed by drove__ctrl_life_free). */
void drove__ctrl_life_end(drove_controller *c, drove__ctrl_life *l, bool release);
void drove__ctrl_life_free(drove_controller *c, drove__ctrl_life *l, bool release);
/* Place one instance (`cpus`, `mb`) with `policy` in `sess` (kept in l->sess), counting the
 * placement; l->alloc and l->exec_id. @return 0, or the error (message set). */
int drove__ctrl_life_place(drove_controller *c, drove__ctrl_life *l, drove_sched_session *sess,
                           const drove_sched_policy *policy, int64_t cpus, int64_t mb);
/* A new instance id of `kind` (DROVE_KIND_*) in l->iid. @return 0 or the error. */
int drove__ctrl_life_new_id(drove_controller *c, drove__ctrl_life *l, int kind);
/* The cores of l's allocation in `cores` (at most `max`). @return their count. */
size_t drove__ctrl_life_cores(const drove__ctrl_life *l, int *cores, size_t max);
/* Start: fetch `spec`'s CONTROLLER_HTTP_FETCH configs when it has any (an app or local-service
 * spec), then build START (ops->start_payload) and send it; SENDING until the reply, then WAITING
 * (or failed). */
void drove__ctrl_life_start(drove_controller *c, drove__ctrl_life *l, const drove_app_spec *spec);
/* The same without configs to fetch (`spec` passed to start_payload as is). */
void drove__ctrl_life_send(drove_controller *c, drove__ctrl_life *l, const void *spec);
/* The attempt failed: logged (ops->failed), its allocation released, attempts counted;
 * PENDING again after jobRetryInterval when ops->may_retry and jobRetryCount allow, else
 * FAILED with `why`. */
void drove__ctrl_life_fail(drove_controller *c, drove__ctrl_life *l, const char *why);
/* Begin waiting (the first re-check one interval on). */
void drove__ctrl_life_wait(drove_controller *c, drove__ctrl_life *l);
/* Is the wait's deadline to be looked at now: always without ops->recheck or the option,
 * else at each re-check (instanceStateCheckRetryInterval apart). */
bool drove__ctrl_life_recheck_due(drove_controller *c, drove__ctrl_life *l);
/* Step a WAITING start: HEALTHY ends it OK (the allocation kept as a soft lock); a record that
 * is no longer active, or UNHEALTHY, fails it; past the deadline the instance is stopped and
 * the attempt fails (ops->timeout_why). */
void drove__ctrl_life_check(drove_controller *c, drove__ctrl_life *l);
/* Begin stopping l's instance (ops->stop_target names it): PENDING, due now, with `deadline`
 * (mono ms; 0: none). Nothing is sent before drove__ctrl_life_stop_step. */
void drove__ctrl_life_stop_begin(drove_controller *c, drove__ctrl_life *l, int64_t deadline);
/* Step a stop (PENDING or WAITING; anything else is left alone): OK once the instance needs no
 * stop; STOP sent when due and the executor takes it (a refusal: again in a second; accepted:
 * WAITING, and again after ops->stop_resend_ms while it still runs); FAILED at the deadline as
 * ops->stop_until_* say. A reply moves the phase and calls ops->changed. */
void drove__ctrl_life_stop_step(drove_controller *c, drove__ctrl_life *l);
/* Is a stop under way (begun, not OK or FAILED)? */
bool drove__ctrl_life_stop_active(const drove__ctrl_life *l);
#endif
