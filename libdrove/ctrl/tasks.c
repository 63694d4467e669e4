/* Tasks (DROVE_API.md §2.5, §4.3, §5.3, §11 item 2; docs/tasks.md): the REST routes, the
 * start (place, store PENDING, START_TASK, retries), kills, the records mirrored from the
 * executors' reports, staleness, retention and fail-over. Everything runs on the loop thread.
 *
 * The leader keeps every task record in memory (sorted by sourceAppName, taskId), the store
 * holds the durable copy (/tasks/{sourceAppName}/{taskId}) and, while a start is under way, its
 * CREATE operation (STARTS_DIR) for a new leader to resume; a finished task stays with its
 * final state and taskResult until DELETE or retention (staleTaskAge). The pure parts are in
 * tasks_pure.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "config/config.h"
#include "ctrl/tasks.h"
#include "http/server.h"
#include "store/store_internal.h"

#define MOD "ctrl"
#define V1  "/apis/v1"

/* Start phases: the lifecycle engine's (life.h), and two of the task's own. */
enum {
	ST_NONE = DROVE__LIFE_IDLE,       /* no start under way (started, or a record loaded from
	                                   * the store) */
	ST_PENDING = DROVE__LIFE_PENDING, /* an attempt is due at not_before */
	ST_SENDING = DROVE__LIFE_SENDING, /* START_TASK in flight */
	ST_WAITING = DROVE__LIFE_WAITING, /* accepted: waiting for the executor's first report */
	ST_PREPARED = DROVE__LIFE_KIND,   /* placed, recorded, START_TASK not sent yet */
	ST_RESUME, /* loaded by a new leader while a start was in flight: resumed once the
	            * leader has recovered, unless the executor reports it first */
};

/* The CREATE operation of a task whose start is under way, kept in the store so that a new
 * leader can resume a start the last one left in flight: /taskstarts/{sourceAppName}/{taskId}
 * → the TaskOperation (type, spec, opSpec). Written before the PENDING record, deleted when the
 * executor reports the instance or the task ends. A libdrove extension of the store's layout
 * (docs/store.md). */
#define STARTS_DIR "/taskstarts"

struct trec {
	drove_controller *c;
	drove_task_info *info; /* the record (owned) */
	int64_t seen_ms;       /* wall ms of the last report naming it */
	/* the start: its phase (ST_*), attempts, deadline (the longer of opSpec.timeout and the
	 * pull timeout), placement and START_TASK in flight */
	drove__ctrl_life life;
	drove_task_spec *spec; /* while a start is under way */
	drove_sched_policy *policy;
	drove_sched_session *sess;
	drove_task_instance_spec *is; /* ST_PREPARED: what START_TASK carries */
	int64_t cpus, mb;
	bool op_stored; /* the CREATE operation is under STARTS_DIR */
	/* a kill: the lifecycle engine's stop (life.h) */
	drove__ctrl_life kill;
};

struct drove__ctrl_tasks {
	struct trec **v; /* sorted by (sourceAppName, taskId) */
	size_t n, cap;
};

/* ---- the table ---- */

static struct drove__ctrl_tasks *tasks_of(drove_controller *c)
{
	if (!c->tasks)
		c->tasks = calloc(1, sizeof(*c->tasks));
	return c->tasks;
}

static int key_cmp(const char *app, const char *tid, const drove_task_info *t)
{
	int r = strcmp(app, t->source_app_name ? t->source_app_name : "");
	return r ? r : strcmp(tid, t->task_id ? t->task_id : "");
}

static size_t lower(const struct drove__ctrl_tasks *ts, const char *app, const char *tid)
{
	size_t lo = 0, hi = ts->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(app, tid, ts->v[mid]->info) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct trec *find(drove_controller *c, const char *app, const char *tid)
{
	struct drove__ctrl_tasks *ts = c->tasks;
	size_t i;
	if (!ts || !app || !tid)
		return NULL;
	i = lower(ts, app, tid);
	return i < ts->n && !key_cmp(app, tid, ts->v[i]->info) ? ts->v[i] : NULL;
}

static int insert(drove_controller *c, struct trec *r)
{
	struct drove__ctrl_tasks *ts = tasks_of(c);
	size_t i;
	if (!ts || drove__grow(&ts->v, &ts->cap, ts->n + 1, sizeof(*ts->v)) < 0)
		return drove__enomem();
	i = lower(ts, r->info->source_app_name, r->info->task_id);
	memmove(ts->v + i + 1, ts->v + i, (ts->n - i) * sizeof(*ts->v));
	ts->v[i] = r;
	ts->n++;
	return 0;
}

/* Drop the start state: the allocation is released (`release`) or kept as a soft lock until
 * a snapshot settles it. */
static void start_end(drove_controller *c, struct trec *r, bool release)
{
	drove__ctrl_life_end(c, &r->life, release);
	drove_sched_session_free(r->sess);
	r->sess = NULL;
	r->life.sess = NULL;
	drove_sched_policy_free(r->policy);
	r->policy = NULL;
	drove__task_spec_free(r->spec);
	r->spec = NULL;
	drove__task_instance_spec_free(r->is);
	r->is = NULL;
}

static void trec_free(drove_controller *c, struct trec *r)
{
	if (!r)
		return;
	start_end(c, r, true);
	drove__ctrl_life_free(c, &r->life, true);
	drove__ctrl_life_free(c, &r->kill, false);
	drove__task_info_free(r->info);
	free(r);
}

static void persist(drove_controller *c, const drove_task_info *t)
{
	char *json = NULL;
	if (!c->store || drove__task_info_encode(t, &json) < 0)
		return;
	if (drove_record_put_async(c->store, DROVE_RECORD_TASK, t->source_app_name, t->task_id,
	                           json, strlen(json), NULL, NULL) < 0)
		drove__warn(c->ctx, MOD, "task %s/%s: not stored: %s", t->source_app_name,
		            t->task_id, drove_error_last()->message);
	free(json);
}

static void publish(drove_controller *c, const drove_task_info *t)
{
	drove_event *ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_TASK_STATE_CHANGE);
	drove__ctrl_publish_filled(c, ev, ev ? drove__ctrl_event_task(ev, t) : 0);
}

/* Take up the CREATE operation `op` for a start (its spec is moved into `r`): the kill
 * timeout, resources, placement policy and a scheduling session that counts the app's other
 * active tasks (ONE_PER_HOST, MAX_N_PER_HOST) and sees the spec's env (RULE_BASED).
 * @return 0 or an error (message set). */
static int start_setup(drove_controller *c, struct trec *r, drove_task_op *op)
{
	int rc;

	r->spec = op->spec;
	op->spec = NULL;
	r->life.timeout_ms = drove__ctrl_op_timeout_ms(c, op->op_spec);
	r->life.wait_ms = drove__ctrl_task_pull_ms(r->spec);
	r->cpus = drove__resources_cpus(r->spec->resources, r->spec->n_resources);
	r->mb = drove__resources_memory_mb(r->spec->resources, r->spec->n_resources);
	if ((rc = drove__ctrl_policy_convert(r->spec->placement_policy, &r->policy)) < 0 ||
	    (c->sched && (rc = drove_sched_session_new(&r->sess, c->sched, DROVE_KIND_TASK,
	                                               r->spec->source_app_name)) < 0))
		return rc;
	for (size_t i = 0; r->sess && c->tasks && i < c->tasks->n; i++) {
		const drove_task_info *t = c->tasks->v[i]->info;
		if (t != r->info && drove__streq(t->source_app_name, r->spec->source_app_name) &&
		    t->executor_id && drove_task_state_is_active((int)t->state))
			drove_sched_session_seed(r->sess, t->executor_id);
	}
	for (size_t i = 0; r->sess && i < drove_strmap_count(r->spec->env); i++)
		drove_sched_session_set_env(r->sess, drove_strmap_key(r->spec->env, i),
		                            drove_strmap_value(r->spec->env, i));
	return 0;
}

static char *start_path(const char *app, const char *tid)
{
	return drove__asprintf(STARTS_DIR "/%s/%s", app, tid);
}

/* Keep `op` for a new leader. Asynchronous: queued before the PENDING record's write, and the
 * store applies one session's writes in order. A failure only costs the resumption. */
static void start_store(drove_controller *c, struct trec *r, const drove_task_op *op)
{
	char *path = NULL, *json = NULL;
	drove_task_op copy = *op;

	if (!c->store)
		return;
	copy.spec = r->spec; /* start_setup moved it */
	if (!(path = start_path(r->spec->source_app_name, r->spec->task_id)) ||
	    drove__task_op_encode(&copy, &json) < 0 ||
	    drove__store_put_async(c->store, path, json, strlen(json), DROVE_STORE_PERSISTENT, NULL,
	                           NULL) < 0) {
		drove__warn(c->ctx, MOD, "task %s/%s: start not kept for a new leader: %s",
		            r->spec->source_app_name, r->spec->task_id,
		            drove_error_last()->message);
		drove_error_clear();
	} else {
		r->op_stored = true;
	}
	free(json);
	free(path);
}

/* The start is over (the executor has the task, or it ended): a new leader has nothing to
 * resume. */
static void start_forget(drove_controller *c, struct trec *r)
{
	char *path;

	if (!r->op_stored)
		return;
	r->op_stored = false;
	if (!c->store || !(path = start_path(r->info->source_app_name, r->info->task_id)))
		return;
	if (drove_store_delete_async(c->store, path, -1, NULL, NULL) < 0)
		drove_error_clear();
	free(path);
}

/* A state the leader decided (LOST, cancelled before start): stored and announced. */
static void finish(drove_controller *c, struct trec *r, int state, int status, const char *why)
{
	if (drove__ctrl_task_set_result(r->info, state, status, -1, why, drove_time_wall_ms()) < 0)
		return;
	drove__info(c->ctx, MOD, "task %s/%s: %s: %s", r->info->source_app_name, r->info->task_id,
	            drove_task_state_name(state), why);
	start_end(c, r, true);
	start_forget(c, r);
	drove__ctrl_life_end(c, &r->kill, false);
	persist(c, r->info);
	publish(c, r->info);
}

/* ---- the start: the lifecycle engine (life.c) with the task's ops ---- */

/* After the engine gave up on the start: the task is LOST. */
static void settle(drove_controller *c, struct trec *r)
{
	char *msg;

	if (r->life.phase != DROVE__LIFE_FAILED)
		return;
	msg = drove__asprintf("Task start failed: %s", r->life.why ? r->life.why : "failed");
	finish(c, r, DROVE_TASK_LOST, DROVE_TASK_RESULT_LOST, msg ? msg : "Task start failed");
	free(msg);
}

static void attempt_failed(drove_controller *c, struct trec *r, const char *why)
{
	drove__task_instance_spec_free(r->is);
	r->is = NULL;
	drove__ctrl_life_fail(c, &r->life, why);
	settle(c, r);
}

static void task_failed(drove_controller *c, drove__ctrl_life *l, const char *why)
{
	struct trec *r = l->owner;
	if (l->stopping)
		return drove__warn(c->ctx, MOD, "task %s/%s: kill failed: %s",
		                   r->info->source_app_name, r->info->task_id, why);
	drove__info(c->ctx, MOD, "task %s/%s: start of %s failed: %s", r->info->source_app_name,
	            r->info->task_id, r->info->instance_id ? r->info->instance_id : "-", why);
}

static bool task_may_retry(const drove__ctrl_life *l)
{
	const struct trec *r = l->owner;
	return !drove__ctrl_life_stop_active(&r->kill);
}

static void task_changed(drove_controller *c, drove__ctrl_life *l)
{
	if (!l->stopping)
		settle(c, l->owner);
}

static void task_name(const drove__ctrl_life *l, char *buf, size_t size)
{
	const struct trec *r = l->owner;
	snprintf(buf, size, "task %s/%s", r->info->source_app_name, r->info->task_id);
}

/* START_TASK carries the instance spec prepare() built. */
static const char *task_start_payload(drove_controller *c, drove__ctrl_life *l,
                                      const drove__ctrl_exec *e, const void *spec, drove_message *m)
{
	struct trec *r = l->owner;

	(void)c, (void)e, (void)spec;
	if (!r->is)
		return "executor gone";
	m->task_spec = r->is; /* the message takes it */
	r->is = NULL;
	return NULL;
}

/* A task to kill: STOP_TASK while it runs (the executor takes it for RUNNING tasks only), once;
 * nothing left to kill once it has finished. */
static int task_stop_target(drove_controller *c, const drove__ctrl_life *l,
                            const drove__ctrl_exec **exec, const char **iid)
{
	const struct trec *r = l->owner;
	int st = (int)r->info->state;

	if (!drove_task_state_is_active(st) || st == DROVE_TASK_RUN_COMPLETED ||
	    st == DROVE_TASK_DEPROVISIONING)
		return DROVE__STOP_DONE; /* it finished on its own */
	if (st != DROVE_TASK_RUNNING || !(*exec = drove__ctrl_exec_of(c, r->info->executor_id)))
		return DROVE__STOP_HOLD;
	*iid = r->info->instance_id;
	return DROVE__STOP_SEND;
}

static const drove__ctrl_life_ops task_ops = {
        .kind = "task",
        .stop_type = DROVE_MSG_STOP_TASK,
        .timeout_why = "no report from the executor in time",
        .start_type = DROVE_MSG_START_TASK,
        .start_payload = task_start_payload,
        .name = task_name,
        .failed = task_failed,
        .may_retry = task_may_retry,
        .changed = task_changed,
        .stop_verb = "killing",
        .stop_retry_ms = 5000,
        .stop_until_accepted = true,
        .stop_timeout_why = "kill not accepted in time",
        .stop_target = task_stop_target,
};

static struct trec *trec_new(drove_controller *c)
{
	struct trec *r = calloc(1, sizeof(*r));
	if (r) {
		r->c = c;
		drove__ctrl_life_init(c, &r->life, &task_ops, r);
		drove__ctrl_life_init(c, &r->kill, &task_ops, r);
	}
	return r;
}

/* Place, pick an instance id, build START_TASK's spec and update the record (PENDING on the
 * chosen executor). @return 0, or an error (message set) and nothing changed but the
 * placement, which the caller's failure releases. */
static int prepare(drove_controller *c, struct trec *r)
{
	drove_task_instance_spec *is = NULL;
	drove_task_info *info = NULL;
	char *id = NULL;
	int cores[512];
	size_t nc;
	int rc;

	if (!c->sched || !r->sess)
		return drove__error(DROVE_EUNAVAIL, "no scheduler");
	if ((rc = drove__ctrl_life_place(c, &r->life, r->sess, r->policy, r->cpus, r->mb)) < 0)
		return rc;
	nc = drove__ctrl_life_cores(&r->life, cores, DROVE_ARRAY_LEN(cores));
	if ((rc = drove_instance_id_new(c->ctx, DROVE_KIND_TASK, &id)) < 0 ||
	    (rc = drove__ctrl_task_instance_spec(r->spec, id, drove_sched_alloc_node(r->life.alloc),
	                                         cores, nc, drove_sched_alloc_mb(r->life.alloc),
	                                         &is)) < 0 ||
	    (rc = drove__ctrl_task_info_new(is, r->life.exec_id, drove_time_wall_ms(), &info)) <
	            0) {
		drove_free(id);
		drove__task_instance_spec_free(is);
		return rc;
	}
	free(r->life.iid);
	r->life.iid = id;
	if (r->info) {
		info->created = r->info->created;
		drove__task_info_free(r->info);
	}
	r->info = info;
	r->is = is;
	r->life.phase = ST_PREPARED;
	r->seen_ms = drove_time_wall_ms();
	return 0;
}

static void send_start(drove_controller *c, struct trec *r)
{
	drove__ctrl_life_send(c, &r->life, NULL);
}

/* A retry attempt from the tick. */
static void begin_start(drove_controller *c, struct trec *r)
{
	if (prepare(c, r) < 0) {
		attempt_failed(c, r, drove_error_last()->message);
		return;
	}
	persist(c, r->info);
	send_start(c, r);
}

/* ---- the start's state machine, as a table ---- */

static void tick_pending(drove_controller *c, struct trec *r, int64_t now)
{
	if (now >= r->life.not_before)
		begin_start(c, r);
}

static void tick_prepared(drove_controller *c, struct trec *r, int64_t now)
{
	(void)now;
	send_start(c, r);
}

/* Recovered, and its executor has not reported it. */
static void tick_resume(drove_controller *c, struct trec *r, int64_t now)
{
	(void)now;
	drove__info(c->ctx, MOD,
	            "task %s/%s: %s not reported by %s: resuming the start the last leader left in "
	            "flight",
	            r->info->source_app_name, r->info->task_id, r->info->instance_id,
	            r->info->executor_id ? r->info->executor_id : "-");
	r->life.attempts = 0;
	begin_start(c, r);
}

static void tick_waiting(drove_controller *c, struct trec *r, int64_t now)
{
	(void)now;
	drove__ctrl_life_check(c, &r->life);
	settle(c, r);
}

/* What the loss of the task's executor does in a phase. */
enum { EL_NOTHING = 0, EL_ATTEMPT, EL_LOST };

/* Per start phase (ST_*): what the jobs tick does, whether any executor may have the task yet
 * (a kill cancels one that none has), what the loss of its executor does, and whether the
 * staleness check applies (only with no start under way). */
static const struct task_phase {
	void (*tick)(drove_controller *c, struct trec *r, int64_t now);
	bool unsent;
	int exec_lost; /* EL_* */
	bool stale_check;
} phases[] = {
        [ST_NONE] = {.exec_lost = EL_LOST, .stale_check = true},
        [ST_PENDING] = {.tick = tick_pending, .unsent = true},
        [ST_SENDING] = {.exec_lost = EL_ATTEMPT},
        [ST_WAITING] = {.tick = tick_waiting, .exec_lost = EL_ATTEMPT},
        [DROVE__LIFE_OK] = {0},
        [DROVE__LIFE_FAILED] = {0},
        [ST_PREPARED] = {.tick = tick_prepared, .unsent = true, .exec_lost = EL_ATTEMPT},
        /* started elsewhere once the leader has recovered */
        [ST_RESUME] = {.tick = tick_resume, .unsent = true},
};

static const struct task_phase *phase_of(const struct trec *r)
{
	static const struct task_phase none = {0};
	int ph = r->life.phase;
	return ph >= 0 && (size_t)ph < DROVE_ARRAY_LEN(phases) ? &phases[ph] : &none;
}

/* ---- kills ---- */

/* Drive a kill (the lifecycle engine's stop); a task whose start was not sent to any executor
 * yet (or, resumed, not reported by the executor the last leader sent it to, which reaps it
 * should it turn up) never runs: cancelled at once. */
static void kill_step(drove_controller *c, struct trec *r)
{
	if (r->kill.phase == DROVE__LIFE_PENDING &&
	    drove_task_state_is_active((int)r->info->state) &&
	    (r->life.phase == ST_PENDING || r->life.phase == ST_PREPARED ||
	     r->life.phase == ST_RESUME)) {
		finish(c, r, DROVE_TASK_STOPPED, DROVE_TASK_RESULT_CANCELLED,
		       "Task cancelled before it started");
		return;
	}
	drove__ctrl_life_stop_step(c, &r->kill);
}

/* ---- hooks (ctrl.h) ---- */

void drove__ctrl_tasks_clear(drove_controller *c)
{
	struct drove__ctrl_tasks *ts = c->tasks;
	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++)
		trec_free(c, ts->v[i]);
	free(ts->v);
	free(ts);
	c->tasks = NULL;
}

/* Starts the last leader left in flight: a PENDING record whose CREATE operation is kept under
 * STARTS_DIR waits (ST_RESUME) until this leader has recovered — every executor that records
 * place a task on has reported or is lost — and is then started again (a new placement and
 * instance id) unless its executor reported the instance first. Any other kept operation is a
 * left-over and deleted. Loop thread; synchronous reads, like the rest of the load. */
static void load_starts(drove_controller *c)
{
	drove_strlist *apps = NULL;
	size_t n = 0;

	if (drove_store_children(c->store, STARTS_DIR, &apps) < 0) {
		drove_error_clear(); /* none kept */
		return;
	}
	for (size_t a = 0; a < drove_strlist_count(apps); a++) {
		const char *app = drove_strlist_get(apps, a);
		char *dir = drove__asprintf(STARTS_DIR "/%s", app);
		drove_strlist *ids = NULL;
		if (!dir || drove_store_children(c->store, dir, &ids) < 0)
			drove_error_clear();
		free(dir);
		for (size_t i = 0; i < drove_strlist_count(ids); i++) {
			const char *tid = drove_strlist_get(ids, i);
			struct trec *r = find(c, app, tid);
			char *path = start_path(app, tid), *json = NULL;
			drove_task_op *op = NULL;
			size_t len = 0;
			if (path && r && r->info->state == DROVE_TASK_PENDING &&
			    drove_store_get(c->store, path, &json, &len, NULL) == 0 &&
			    drove__task_op_decode(json, len, 0, &op, NULL, NULL) == 0 &&
			    op->type == DROVE_TASK_OP_CREATE && op->spec &&
			    drove__streq(op->spec->source_app_name, app) &&
			    drove__streq(op->spec->task_id, tid) && start_setup(c, r, op) == 0) {
				r->life.phase = ST_RESUME;
				r->op_stored = true;
				n++;
			} else if (path) {
				if (r && r->spec)
					start_end(c, r, true); /* a failed setup */
				if (drove_store_delete_async(c->store, path, -1, NULL, NULL) < 0)
					drove_error_clear();
			}
			drove_error_clear();
			drove__task_op_free(op);
			drove_free(json);
			free(path);
		}
		drove_strlist_free(ids);
	}
	drove_strlist_free(apps);
	if (n)
		drove__info(c->ctx, MOD, "%zu task starts in flight to resume", n);
}

void drove__ctrl_tasks_load(drove_controller *c)
{
	struct drove__record_rows *rows = NULL;
	int64_t now = drove_time_wall_ms();
	size_t n = 0;

	/* every task record in three pipelines (apps, their lists, the records) */
	if (!c->store || drove__record_get_rows(c->store, DROVE_RECORD_TASK, &rows) < 0) {
		drove_error_clear();
		return;
	}
	for (size_t j = 0; j < rows->n; j++) {
		const struct drove__record_row *w = &rows->row[j];
		drove_task_info *t = NULL;
		struct trec *r;
		if (w->rc < 0 || drove__task_info_decode(w->data, w->len, 0, &t, NULL, NULL) < 0 ||
		    !t->source_app_name || !t->task_id || strcmp(t->source_app_name, w->parent) ||
		    strcmp(t->task_id, w->id)) {
			drove__warn(c->ctx, MOD, "task %s/%s: not loaded", w->parent, w->id);
			drove__task_info_free(t);
			continue;
		}
		if (!(r = trec_new(c))) {
			drove__task_info_free(t);
			continue;
		}
		r->info = t;
		r->seen_ms = now; /* fresh until the executors prove otherwise */
		if (insert(c, r) < 0) {
			trec_free(c, r);
			continue;
		}
		n++;
	}
	drove__record_rows_free(rows);
	drove_error_clear();
	if (n)
		drove__info(c->ctx, MOD, "%zu task records loaded", n);
	load_starts(c);
}

void drove__ctrl_task_apply(drove_controller *c, const drove_task_info *t)
{
	struct trec *r;
	drove_task_info *copy = NULL;
	bool changed;

	if (!t || !t->instance_id || !(r = find(c, t->source_app_name, t->task_id)))
		return; /* unknown: EXPECTED_INSTANCES lists it as stale */
	if (!drove__streq(r->info->instance_id, t->instance_id) ||
	    drove_task_state_is_terminal((int)r->info->state))
		return; /* an older attempt, or tracking ended */
	if (t->updated <= r->info->updated && r->life.phase == ST_NONE)
		return; /* (during a start the executor's first report wins over our PENDING, whose
		         * time comes from another clock) */
	r->seen_ms = drove_time_wall_ms();
	if (r->life.phase != ST_NONE) {
		/* the executor has it: the start worked, even if its reply got lost (the soft lock
		 * stays until a snapshot settles it) */
		drove__info(c->ctx, MOD, "task %s/%s: %s reported by its executor",
		            r->info->source_app_name, r->info->task_id, r->info->instance_id);
		start_end(c, r, false);
		start_forget(c, r);
	}
	changed = r->info->state != t->state || (!r->info->task_result) != (!t->task_result) ||
	          (!r->info->hostname) != (!t->hostname);
	if (!changed) {
		r->info->updated = t->updated; /* a refresh: memory only */
	} else if (drove__task_info_copy(t, &copy) == 0) {
		drove__task_info_free(r->info);
		r->info = copy;
		persist(c, copy);
		publish(c, copy);
	}
	if (drove__ctrl_life_stop_active(&r->kill))
		kill_step(c, r);
}

void drove__ctrl_tasks_reconcile(drove_controller *c)
{
	struct drove__ctrl_tasks *ts = c->tasks;
	int64_t now = drove_time_wall_ms();
	int64_t keep = c->cfg ? c->cfg->ctrl.options.stale_task_age_ms : 0;

	if (!ts)
		return;
	for (size_t i = 0; i < ts->n; i++) {
		struct trec *r = ts->v[i];
		if (drove_task_state_is_active((int)r->info->state) && phase_of(r)->stale_check &&
		    now - r->seen_ms > c->stale_inst_ms)
			finish(c, r, DROVE_TASK_LOST, DROVE_TASK_RESULT_LOST, "Task lost");
	}
	if (keep <= 0)
		return;
	for (size_t i = ts->n; i > 0; i--) {
		struct trec *r = ts->v[i - 1];
		if (!drove_task_state_is_terminal((int)r->info->state) ||
		    now - r->info->updated <= keep)
			continue;
		drove__info(c->ctx, MOD, "task %s/%s: record expired", r->info->source_app_name,
		            r->info->task_id);
		drove_record_delete_async(c->store, DROVE_RECORD_TASK, r->info->source_app_name,
		                          r->info->task_id, NULL, NULL);
		trec_free(c, r);
		memmove(ts->v + i - 1, ts->v + i, (ts->n - i) * sizeof(*ts->v));
		ts->n--;
	}
}

void drove__ctrl_tasks_tick(drove_controller *c)
{
	struct drove__ctrl_tasks *ts = c->tasks;
	int64_t now = drove_time_mono_ms();

	for (size_t i = 0; ts && i < ts->n; i++) {
		struct trec *r = ts->v[i];
		const struct task_phase *p = phase_of(r);
		if (p->tick)
			p->tick(c, r, now);
		if (drove__ctrl_life_stop_active(&r->kill))
			kill_step(c, r);
	}
}

void drove__ctrl_tasks_executor_lost(drove_controller *c, const char *exec_id)
{
	struct drove__ctrl_tasks *ts = c->tasks;

	for (size_t i = 0; ts && i < ts->n; i++) {
		struct trec *r = ts->v[i];
		if (!drove__streq(r->info->executor_id, exec_id) ||
		    !drove_task_state_is_active((int)r->info->state))
			continue;
		if (phase_of(r)->exec_lost == EL_ATTEMPT)
			attempt_failed(c, r, "executor lost");
		else if (phase_of(r)->exec_lost == EL_LOST)
			finish(c, r, DROVE_TASK_LOST, DROVE_TASK_RESULT_LOST,
			       "Task lost: executor lost");
	}
}

void drove__ctrl_tasks_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                             void *ud)
{
	for (size_t i = 0; c->tasks && i < c->tasks->n; i++) {
		const drove_task_info *t = c->tasks->v[i]->info;
		if (t->executor_id && *t->executor_id && drove_task_state_is_active((int)t->state))
			fn(t->executor_id, ud);
	}
}

bool drove__ctrl_task_known(const drove_task_info *t, void *ud)
{
	drove_controller *c = ud;
	struct trec *r = find(c, t->source_app_name, t->task_id);
	return r && drove__streq(r->info->instance_id, t->instance_id) &&
	       !drove_task_state_is_terminal((int)r->info->state);
}

void drove__ctrl_tasks_states(drove_controller *c, void (*fn)(int state, void *ud), void *ud)
{
	for (size_t i = 0; c->tasks && i < c->tasks->n; i++)
		fn((int)c->tasks->v[i]->info->state, ud);
}

size_t drove__ctrl_tasks_active(drove_controller *c)
{
	size_t n = 0;
	for (size_t i = 0; c->tasks && i < c->tasks->n; i++)
		if (drove_task_state_is_active((int)c->tasks->v[i]->info->state))
			n++;
	return n;
}

const drove_task_info *drove__ctrl_task_nth(drove_controller *c, size_t i)
{
	return c->tasks && i < c->tasks->n ? c->tasks->v[i]->info : NULL;
}

const char *drove__ctrl_task_executor(drove_controller *c, const char *source_app,
                                      const char *task_id)
{
	struct trec *r = find(c, source_app, task_id);
	return r ? r->info->executor_id : NULL;
}

/* ---- REST ---- */

/* §3.7 for tasks beyond the model's checks: uniqueness and room for one instance. Problems
 * are appended to `errors`; @return their count. */
static int spec_checks(drove_controller *c, const drove_task_spec *spec, drove_strlist *errors)
{
	drove_sched_policy *p = NULL;
	char *msg;

	if (find(c, spec->source_app_name, spec->task_id)) {
		msg = drove__asprintf("Task already exists for %s/%s with taskID: %s-%s",
		                      spec->source_app_name, spec->task_id, spec->source_app_name,
		                      spec->task_id);
		drove_strlist_add(errors, msg ? msg : "Task already exists");
		free(msg);
		return (int)drove_strlist_count(errors);
	}
	if (drove__ctrl_policy_convert(spec->placement_policy, &p) < 0) {
		drove_strlist_add(errors, drove_error_last()->message);
	} else if (c->sched &&
	           drove_sched_check_resources(
	                   c->sched, p,
	                   (int)drove__resources_cpus(spec->resources, spec->n_resources),
	                   drove__resources_memory_mb(spec->resources, spec->n_resources), 1) < 0) {
		drove_strlist_add(errors, drove_error_last()->message);
	}
	drove_sched_policy_free(p);
	return (int)drove_strlist_count(errors);
}

static void reply_task_id(drove__http_req *req, const char *id)
{
	struct json_object *d = json_object_new_object();
	json_object_object_add(d, "taskId", drove__ctrl_jstr(id));
	drove__http_reply_success(req, d);
}

static void op_create(drove_controller *c, drove__http_req *req, drove_task_op *op)
{
	drove_strlist *errors = NULL;
	struct trec *r = NULL;
	char *json = NULL, *run_id = NULL;
	int rc;

	if (drove_strlist_new(&errors) < 0)
		return drove__http_reply_server_error(req, "out of memory");
	if (spec_checks(c, op->spec, errors) > 0) {
		drove__http_reply_validation(req, errors);
		drove_strlist_free(errors);
		return;
	}
	drove_strlist_free(errors);
	if (!(r = trec_new(c)))
		return drove__http_reply_server_error(req, "out of memory");
	if ((rc = start_setup(c, r, op)) < 0)
		goto fail_500;
	if (prepare(c, r) < 0) {
		drove__ctrl_reply_one_error(req, drove_error_last()->message);
		trec_free(c, r);
		return;
	}
	/* durable before the answer (the operation first, for a leader that takes over) */
	start_store(c, r, op);
	if ((rc = drove__task_info_encode(r->info, &json)) < 0 ||
	    (rc = drove_record_put(c->store, DROVE_RECORD_TASK, r->info->source_app_name,
	                           r->info->task_id, json, strlen(json))) < 0 ||
	    (rc = insert(c, r)) < 0) {
		free(json);
		goto fail_500;
	}
	free(json);
	drove__info(c->ctx, MOD, "task %s/%s created as %s", r->info->source_app_name,
	            r->info->task_id, r->info->instance_id);
	publish(c, r->info);
	run_id = drove__asprintf("%s-%s", r->info->source_app_name, r->info->task_id);
	reply_task_id(req, run_id);
	free(run_id);
	if (c->ready)
		send_start(c, r); /* else the tick sends it once the leader has recovered */
	return;
fail_500:
	drove__http_reply_server_error(req, drove_error_last()->message);
	start_forget(c, r);
	trec_free(c, r);
}

static void op_kill(drove_controller *c, drove__http_req *req, drove_task_op *op)
{
	struct trec *r = find(c, op->source_app_name, op->task_id);
	int64_t timeout = drove__ctrl_op_timeout_ms(c, op->op_spec);

	if (!r || !drove_task_state_is_active((int)r->info->state)) {
		char *msg =
		        drove__asprintf("Either task does not exist or has already finished for "
		                        "%s/%s",
		                        op->source_app_name, op->task_id);
		drove__ctrl_reply_one_error(
		        req, msg ? msg : "Either task does not exist or has already finished");
		free(msg);
		return;
	}
	if (!drove__ctrl_life_stop_active(&r->kill))
		drove__ctrl_life_stop_begin(c, &r->kill,
		                            drove_time_mono_ms() + (timeout > 0 ? timeout : 1000));
	kill_step(c, r);
	reply_task_id(req, op->task_id);
}

static void h_operations(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove_task_op *op = NULL;
	drove_strlist *errors = NULL;
	const char *body;
	size_t len;
	int rc;

	if (!(body = drove__ctrl_op_begin(c, req, &len, &errors)))
		return;
	rc = drove__ctrl_taskop_decode(body, len, &c->spec_opts, &op, errors);
	if (rc != 0)
		drove__ctrl_reply_decode_failed(req, rc, errors);
	else if (op->type == DROVE_TASK_OP_CREATE)
		op_create(c, req, op);
	else
		op_kill(c, req, op);
	drove__task_op_free(op);
	drove_strlist_free(errors);
}

static void h_validate(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove_strlist *errors = NULL;
	drove_task_spec *spec = NULL;
	struct json_object *j = NULL;

	if (drove__ctrl_in_window(c))
		return drove__ctrl_reply_one_error(req, "Cluster is in maintenance mode");
	if (drove__http_req_json_or_reply(req, &j) < 0)
		return;
	if (drove_strlist_new(&errors) < 0) {
		json_object_put(j);
		return drove__http_reply_server_error(req, "out of memory");
	}
	if (drove__task_spec_from_jobj(j, 0, &spec, errors, NULL) < 0)
		drove__ctrl_reply_json_errors(req, errors);
	else if (drove__task_spec_validate(spec, &c->spec_opts, NULL, errors) > 0 ||
	         spec_checks(c, spec, errors) > 0)
		drove__http_reply_validation(req, errors);
	else
		drove__http_reply_success(req, NULL);
	json_object_put(j);
	drove__task_spec_free(spec);
	drove_strlist_free(errors);
}

static void h_list(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; c->tasks && i < c->tasks->n; i++)
		if (drove_task_state_is_active((int)c->tasks->v[i]->info->state))
			json_object_array_add(a, drove__task_info_to_jobj(c->tasks->v[i]->info));
	drove__http_reply_success(req, a);
}

static void h_get(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *app = drove__http_req_param(req, "sourceAppName");
	const char *tid = drove__http_req_param(req, "taskId");
	struct trec *r = find(c, app, tid);
	char *msg;

	if (r)
		return drove__http_reply_success(req, drove__task_info_to_jobj(r->info));
	msg = drove__asprintf("No such task instance %s/%s", app ? app : "", tid ? tid : "");
	drove__http_reply_not_found(req, msg ? msg : "No such task instance");
	free(msg);
}

static void h_delete(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *app = drove__http_req_param(req, "sourceAppName");
	const char *tid = drove__http_req_param(req, "taskId");
	struct trec *r = find(c, app, tid);
	struct json_object *d;
	int rc = -1;

	/* a task still running keeps its record (its executor would see it as stale and kill it) */
	if (r && !drove_task_state_is_active((int)r->info->state)) {
		rc = drove_record_delete(c->store, DROVE_RECORD_TASK, app, tid);
		if (rc == DROVE_ENOTFOUND)
			rc = 0;
	}
	d = json_object_new_object();
	if (rc < 0) {
		char *msg =
		        drove__asprintf("Could not delete %s/%s", app ? app : "", tid ? tid : "");
		json_object_object_add(d, "deleted", json_object_new_boolean(0));
		drove__http_reply_failed(req, 200, msg ? msg : "Could not delete", d);
		free(msg);
		return;
	}
	{
		struct drove__ctrl_tasks *ts = c->tasks;
		size_t i = lower(ts, app, tid);
		trec_free(c, r);
		memmove(ts->v + i, ts->v + i + 1, (ts->n - i - 1) * sizeof(*ts->v));
		ts->n--;
	}
	drove__info(c->ctx, MOD, "task %s/%s: record deleted", app, tid);
	json_object_object_add(d, "deleted", json_object_new_boolean(1));
	drove__http_reply_success(req, d);
}

/* The console's task search (§2.0): form (POST) or query (GET) fields taskSearchAppName and
 * taskSearchTaskID; 303 to the task's console page when the leader knows it, else to "/". */
static void h_search(drove__http_req *req, void *ud)
{
	static const char *const fields[] = {"taskSearchAppName", "taskSearchTaskID"};
	const char *v[2];
	drove_strlist *errors = NULL;
	char *loc;

	if (drove_strlist_new(&errors) < 0)
		return drove__http_reply_server_error(req, "out of memory");
	for (int i = 0; i < 2; i++) {
		char *msg;
		v[i] = drove__http_req_query(req, fields[i]);
		if (v[i] && drove_id_is_valid_name(v[i]))
			continue;
		msg = drove__asprintf(v[i] && *v[i] ? "%s must match \"[a-zA-Z\\d\\-_]*\""
		                                    : "%s must not be empty",
		                      fields[i]);
		drove_strlist_add(errors, msg ? msg : fields[i]);
		free(msg);
	}
	if (drove_strlist_count(errors)) {
		drove__http_reply_validation(req, errors);
		drove_strlist_free(errors);
		return;
	}
	drove_strlist_free(errors);
	loc = find(ud, v[0], v[1]) ? drove__asprintf("/ui/tasks/%s/%s", v[0], v[1]) : NULL;
	drove__http_req_add_header(req, "Location", loc ? loc : "/");
	drove__http_reply_raw(req, 303, "text/plain; charset=utf-8", "", 0);
	free(loc);
}

int drove__ctrl_task_routes(drove_controller *c)
{
	static const struct {
		unsigned methods;
		const char *path;
		unsigned access;
		drove__http_handler fn;
	} routes[] = {
	        {DROVE_HTTP_POST, V1 "/tasks/operations", DROVE_ROLES_OPERATIONS, h_operations},
	        {DROVE_HTTP_POST, V1 "/tasks/validate/spec", DROVE_ROLES_ANY, h_validate},
	        {DROVE_HTTP_GET, V1 "/tasks", DROVE_ROLES_ANY, h_list},
	        {DROVE_HTTP_GET, V1 "/tasks/{sourceAppName}/instances/{taskId}", DROVE_ROLES_ANY,
	         h_get},
	        {DROVE_HTTP_DELETE, V1 "/tasks/{sourceAppName}/instances/{taskId}", DROVE_ROLES_ANY,
	         h_delete},
	        {DROVE_HTTP_GET | DROVE_HTTP_POST, V1 "/tasks/search", DROVE_ROLES_ANY, h_search},
	};
	int rc;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(routes); i++)
		if ((rc = drove__http_server_route(c->http, routes[i].methods, routes[i].path,
		                                   routes[i].access, 1, routes[i].fn, c)) < 0)
			return rc;
	return 0;
}
