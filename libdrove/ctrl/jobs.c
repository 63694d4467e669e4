/* Operation jobs (§4.2, §4.2.1): SCALE, STOP_INSTANCES, REPLACE_INSTANCES and DESTROY as sets
 * of instance tasks run `parallelism` at a time, each a start (place, START_INSTANCE, wait for
 * HEALTHY: the lifecycle engine, life.c, with the app's ops table) or a stop (STOP_INSTANCE,
 * wait for STOPPED), retried per jobRetryCount. Jobs are stepped on every report about their
 * app and on a 100 ms tick (timeouts, retries). With instanceStateCheckRetryInterval set, a
 * waiting task is re-checked on its own schedule as Drove polls: a report still ends the wait
 * at once, but the timeout is only found at a re-check, one interval after the last (the wait
 * began at the first). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/kinds.h"

#define MOD "ctrl"

enum { TK_START = 1, TK_STOP = 2 };

struct task {
	struct drove__ctrl_job *job;
	int kinds[2];
	int nk, stage;
	bool begun;
	char *old_id;          /* what a STOP stops */
	drove__ctrl_life life; /* the current stage: phase, attempts, deadline, the START's
	                        * instance id (current attempt) and placement */
};

struct drove__ctrl_job {
	drove_controller *ctrl;
	int type; /* DROVE__CTRL_OP_* */
	drove__ctrl_app *app;
	int64_t timeout_ms;
	int parallelism;
	bool skip_respawn;
	bool cancelled;
	bool stepping, again; /* re-entrancy: a reply may arrive inside a step */
	struct task *tasks;
	size_t n;
	size_t n_stop_ids;
	drove_sched_session *sess;
};

static bool task_done(const struct task *t)
{
	return t->life.phase == DROVE__LIFE_OK || t->life.phase == DROVE__LIFE_FAILED;
}

void drove__ctrl_job_free(drove_controller *c, struct drove__ctrl_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->n; i++) {
		struct task *t = &job->tasks[i];
		drove__ctrl_life_free(c, &t->life, !task_done(t));
		free(t->old_id);
	}
	free(job->tasks);
	drove_sched_session_free(job->sess);
	if (job->app && job->app->job == job)
		job->app->job = NULL;
	free(job);
}

static int64_t now_ms(void)
{
	return drove_time_mono_ms();
}

/* ---- the app's ops for the lifecycle engine ---- */

static void app_failed(drove_controller *c, drove__ctrl_life *l, const char *why)
{
	struct task *t = l->owner;
	bool start = !l->stopping;
	drove__info(c->ctx, MOD, "app %s: %s %s failed: %s", t->job->app->id,
	            start ? "start of" : "stop of",
	            start ? (l->iid ? l->iid : "an instance") : t->old_id, why);
}

static bool app_may_retry(const drove__ctrl_life *l)
{
	const struct task *t = l->owner;
	return !t->job->cancelled;
}

static void app_changed(drove_controller *c, drove__ctrl_life *l)
{
	struct task *t = l->owner;
	drove__ctrl_job_step(c, t->job->app);
}

static int app_inst_state(drove_controller *c, const drove__ctrl_life *l)
{
	const struct task *t = l->owner;
	drove__ctrl_inst *in = l->iid ? drove__ctrl_inst_find(t->job->app, l->iid) : NULL;
	(void)c;
	return in ? (int)in->info->state : -1;
}

static void app_name(const drove__ctrl_life *l, char *buf, size_t size)
{
	const struct task *t = l->owner;
	snprintf(buf, size, "app %s", t->job->app->id);
}

/* START_INSTANCE's spec from `spec_v` (the app's spec, or one with fetched configs). */
static const char *app_start_payload(drove_controller *c, drove__ctrl_life *l,
                                     const drove__ctrl_exec *e, const void *spec_v,
                                     drove_message *m)
{
	struct task *t = l->owner;
	drove__ctrl_app *app = t->job->app;
	drove_app_instance_spec *spec = NULL;
	int cores[512];
	size_t nc = drove__ctrl_life_cores(l, cores, DROVE_ARRAY_LEN(cores));

	if (drove__ctrl_instance_spec(spec_v, app->id, l->iid, drove_sched_alloc_node(l->alloc),
	                              cores, nc, drove_sched_alloc_mb(l->alloc), &spec) < 0) {
		drove__app_instance_spec_free(spec);
		return "cannot build the start message";
	}
	free(spec->instance_auth_token);
	if (!(spec->instance_auth_token = drove__ctrl_instance_token(c, app->id, l->iid, e->id))) {
		drove__app_instance_spec_free(spec);
		return drove_error_last()->message;
	}
	m->app_spec = spec;
	return NULL;
}

/* A stop stage's instance: STOP_INSTANCE also before it runs (PENDING to STARTING); one on its
 * way out is waited for; none is left to stop once its record is inactive or its executor gone
 * (the record turns LOST). */
static int app_stop_target(drove_controller *c, const drove__ctrl_life *l,
                           const drove__ctrl_exec **exec, const char **iid)
{
	const struct task *t = l->owner;
	const drove__ctrl_inst *in = drove__ctrl_inst_find(t->job->app, t->old_id);
	int st = in ? (int)in->info->state : -1;

	if (!in || !drove_instance_state_is_active(st) ||
	    !(*exec = drove__ctrl_exec_of(c, in->info->executor_id)))
		return DROVE__STOP_DONE;
	*iid = t->old_id;
	if (drove_instance_state_is_running(st))
		return DROVE__STOP_SEND;
	if (st == DROVE_INST_PENDING || st == DROVE_INST_PROVISIONING || st == DROVE_INST_STARTING)
		return DROVE__STOP_EARLY;
	return DROVE__STOP_WAIT;
}

static const drove__ctrl_life_ops app_ops = {
        .kind = "app",
        .stop_type = DROVE_MSG_STOP_INSTANCE,
        .timeout_why = "timed out waiting for HEALTHY",
        .recheck = true,
        .start_type = DROVE_MSG_START_INSTANCE,
        .start_payload = app_start_payload,
        .name = app_name,
        .inst_state = app_inst_state,
        .failed = app_failed,
        .may_retry = app_may_retry,
        .changed = app_changed,
        .stop_verb = "stopping",
        .stop_retry_ms = 30000,
        .stop_early = true,
        .stop_until_gone = true,
        .stop_timeout_why = "timed out waiting for STOPPED",
        .stop_target = app_stop_target,
};

static int job_new(drove_controller *c, drove__ctrl_app *app, int type, size_t n,
                   const drove_cluster_op_spec *ops, struct drove__ctrl_job **out)
{
	struct drove__ctrl_job *job = calloc(1, sizeof(*job));
	int rc;

	if (!job || !(job->tasks = calloc(n ? n : 1, sizeof(*job->tasks)))) {
		free(job);
		return drove__enomem();
	}
	job->ctrl = c;
	job->type = type;
	job->app = app;
	job->n = n;
	job->timeout_ms = drove__ctrl_op_timeout_ms(c, ops);
	job->parallelism = drove__ctrl_op_parallelism(c, ops);
	for (size_t i = 0; i < n; i++) {
		job->tasks[i].job = job;
		drove__ctrl_life_init(c, &job->tasks[i].life, &app_ops, &job->tasks[i]);
		job->tasks[i].life.phase = DROVE__LIFE_PENDING;
	}
	if (c->sched &&
	    (rc = drove_sched_session_new(&job->sess, c->sched, DROVE_KIND_APP, app->id)) < 0) {
		free(job->tasks);
		free(job);
		return rc;
	}
	/* seed with the app's existing active, fresh instances (ONE_PER_HOST, MAX_N_PER_HOST) */
	for (size_t i = 0; job->sess && i < app->n_insts; i++) {
		const drove__ctrl_inst *in = app->insts[i];
		if (drove_instance_state_is_active((int)in->info->state) && in->info->executor_id &&
		    drove__ctrl_inst_fresh(in, drove_time_wall_ms(), c->stale_inst_ms))
			drove_sched_session_seed(job->sess, in->info->executor_id);
	}
	for (size_t i = 0; job->sess && i < drove_strmap_count(app->info->spec->env); i++)
		drove_sched_session_set_env(job->sess, drove_strmap_key(app->info->spec->env, i),
		                            drove_strmap_value(app->info->spec->env, i));
	if (app->job)
		drove__ctrl_job_free(c, app->job);
	app->job = job;
	*out = job;
	return 0;
}

/* ---- one task ---- */

/* The current stage is done: on to the next (PENDING), or the task is. */
static void stage_ok(struct task *t)
{
	if (t->stage + 1 < t->nk) {
		t->stage++;
		t->life.phase = DROVE__LIFE_PENDING;
		t->life.attempts = 0;
		t->life.not_before = 0;
		t->life.stopping = false;
		return;
	}
	t->life.phase = DROVE__LIFE_OK;
}

static void begin_start(drove_controller *c, struct task *t)
{
	struct drove__ctrl_job *job = t->job;
	drove__ctrl_app *app = job->app;
	drove__ctrl_life *l = &t->life;

	free(l->iid);
	l->iid = NULL;
	if (!c->sched || !job->sess) {
		drove__ctrl_life_fail(c, l, "no scheduler");
		return;
	}
	if (drove__ctrl_life_place(c, l, job->sess, app->policy, app->cpus, app->mem_mb) < 0) {
		drove__ctrl_life_fail(c, l, drove_error_last()->message);
		return;
	}
	if (drove__ctrl_life_new_id(c, l, DROVE_KIND_APP) < 0) {
		drove__ctrl_life_fail(c, l, "out of memory");
		return;
	}
	t->begun = true;
	l->timeout_ms = job->timeout_ms;
	l->wait_ms = drove__ctrl_max_start_ms(app->info->spec);
	drove__ctrl_life_start(c, l, app->info->spec);
}

/* A stop stage: its deadline (the job's timeout and the app's longest stop) is set when the
 * task begins; a task that began with its start keeps the start's. */
static void step_stop(drove_controller *c, struct task *t)
{
	drove__ctrl_life *l = &t->life;

	if (!l->stopping) {
		if (!t->begun)
			l->deadline = now_ms() + t->job->timeout_ms +
			              drove__ctrl_max_stop_ms(t->job->app->info->spec);
		t->begun = true;
		drove__ctrl_life_stop_begin(c, l, l->deadline);
	}
	drove__ctrl_life_stop_step(c, l);
	if (l->phase == DROVE__LIFE_OK)
		stage_ok(t);
}

static void check_waiting(drove_controller *c, struct task *t)
{
	if (t->kinds[t->stage] != TK_START) {
		step_stop(c, t);
		return;
	}
	drove__ctrl_life_check(c, &t->life);
	if (t->life.phase == DROVE__LIFE_OK)
		stage_ok(t);
}

/* ---- the job ---- */

static int64_t healthy_count(drove_controller *c, drove__ctrl_app *app)
{
	int64_t n = 0, now = drove_time_wall_ms();
	for (size_t i = 0; i < app->n_insts; i++)
		if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
		    drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			n++;
	return n;
}

static void job_finish(drove_controller *c, drove__ctrl_app *app)
{
	struct drove__ctrl_job *job = app->job;
	int64_t healthy = healthy_count(c, app);
	int type = job->type;
	bool cancelled = job->cancelled;
	size_t n_stop = job->n_stop_ids;
	bool skip = job->skip_respawn;

	drove__ctrl_job_free(c, job);
	switch (type) {
	case DROVE__CTRL_OP_SCALE_INSTANCES:
		if (healthy == app->info->instances) {
			drove__ctrl_app_set_state(
			        c, app, healthy > 0 ? DROVE_APP_RUNNING : DROVE_APP_MONITORING);
		} else if (cancelled) {
			app->info->instances = healthy;
			drove__ctrl_app_persist(c, app);
			drove__ctrl_app_set_state(
			        c, app, healthy > 0 ? DROVE_APP_RUNNING : DROVE_APP_MONITORING);
		} else {
			/* stays in SCALING_REQUESTED; re-issued with the default op spec */
			app->retry_at = now_ms() + c->job_retry_ms;
		}
		break;
	case DROVE__CTRL_OP_STOP_INSTANCES:
		if (skip) {
			app->info->instances = app->info->instances > (int64_t)n_stop
			                               ? app->info->instances - (int64_t)n_stop
			                               : 0;
			drove__ctrl_app_persist(c, app);
		}
		drove__ctrl_app_set_state(c, app,
		                          app->info->instances > 0 ? DROVE_APP_RUNNING
		                                                   : DROVE_APP_MONITORING);
		break;
	case DROVE__CTRL_OP_REPLACE_INSTANCES:
		drove__ctrl_app_set_state(c, app,
		                          healthy > 0 ? DROVE_APP_RUNNING : DROVE_APP_MONITORING);
		break;
	default:
		break;
	}
}

static bool step_once(drove_controller *c, drove__ctrl_app *app);

void drove__ctrl_job_step(drove_controller *c, drove__ctrl_app *app)
{
	struct drove__ctrl_job *job = app->job;

	if (!job || !c->ready || job->type == DROVE__CTRL_OP_DESTROY)
		return;
	if (job->stepping) {
		job->again = true;
		return;
	}
	do {
		job->stepping = true;
		job->again = false;
		if (step_once(c, app))
			return; /* finished: the job is gone */
		job->stepping = false;
	} while (job->again);
}

/* One pass; true when the job finished (and was freed). */
static bool step_once(drove_controller *c, drove__ctrl_app *app)
{
	struct drove__ctrl_job *job = app->job;
	size_t active = 0, done = 0;
	int64_t now = now_ms();

	for (size_t i = 0; i < job->n; i++) {
		struct task *t = &job->tasks[i];
		int ph = t->life.phase;
		if (ph == DROVE__LIFE_WAITING)
			check_waiting(c, t);
		ph = t->life.phase;
		if (ph == DROVE__LIFE_SENDING || ph == DROVE__LIFE_WAITING ||
		    (ph == DROVE__LIFE_PENDING && t->begun))
			active++;
	}
	for (size_t i = 0; i < job->n; i++) {
		struct task *t = &job->tasks[i];
		if (t->life.phase != DROVE__LIFE_PENDING)
			continue;
		if (job->cancelled && !t->begun) {
			t->life.phase = DROVE__LIFE_FAILED; /* cancelled before it began */
			continue;
		}
		if (t->life.not_before > now)
			continue;
		if (!t->begun && active >= (size_t)job->parallelism)
			continue;
		if (!t->begun)
			active++;
		if (t->kinds[t->stage] == TK_START)
			begin_start(c, t);
		else
			step_stop(c, t);
	}
	for (size_t i = 0; i < job->n; i++)
		if (task_done(&job->tasks[i]))
			done++;
	if (done == job->n) {
		job_finish(c, app);
		return true;
	}
	return false;
}

static void destroy_now(drove_controller *c, drove__ctrl_app *app)
{
	char *path = NULL;

	if (drove_record_path(DROVE_RECORD_INSTANCE, app->id, "x", &path) == 0) {
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
		drove_store_delete_recursive(c->store, path);
	}
	drove_free(path);
	drove_record_delete(c->store, DROVE_RECORD_APPLICATION, NULL, app->id);
	drove__ctrl_job_free(c, app->job);
	drove__ctrl_app_set_state(c, app, DROVE_APP_DESTROYED);
	drove__info(c->ctx, MOD, "app %s: destroyed", app->id);
	for (size_t i = 0; i < c->n_apps; i++)
		if (c->apps[i] == app) {
			memmove(c->apps + i, c->apps + i + 1,
			        (c->n_apps - i - 1) * sizeof(*c->apps));
			c->n_apps--;
			break;
		}
	drove__ctrl_app_free(c, app);
}

void drove__ctrl_jobs_tick(drove_controller *c)
{
	int64_t now = now_ms();
	for (size_t i = c->n_apps; i > 0; i--) {
		drove__ctrl_app *app = c->apps[i - 1];
		if (app->job && app->job->type == DROVE__CTRL_OP_DESTROY) {
			destroy_now(c, app);
			continue;
		}
		if (app->job) {
			drove__ctrl_job_step(c, app);
		} else if (app->state == DROVE_APP_SCALING_REQUESTED && now >= app->retry_at &&
		           !drove__ctrl_in_window(c)) {
			drove__ctrl_job_scale(c, app, app->info->instances,
			                      NULL); /* the defaults */
		}
	}
}

/* ---- submitting ---- */

int drove__ctrl_job_scale(drove_controller *c, drove__ctrl_app *app, int64_t required,
                          const drove_cluster_op_spec *ops)
{
	struct drove__ctrl_job *job;
	drove__ctrl_inst **healthy;
	size_t nh = 0, start = 0, n_stop = 0, *idx;
	int64_t now = drove_time_wall_ms();
	int rc;

	if (!(healthy = calloc(app->n_insts + 1, sizeof(*healthy))) ||
	    !(idx = calloc(app->n_insts + 1, sizeof(*idx)))) {
		free(healthy);
		return drove__enomem();
	}
	for (size_t i = 0; i < app->n_insts; i++)
		if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
		    drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			healthy[nh++] = app->insts[i];
	drove__ctrl_plan_scale(c->ctx, nh, required, &start, idx, &n_stop);
	if ((rc = job_new(c, app, DROVE__CTRL_OP_SCALE_INSTANCES, start + n_stop, ops, &job)) < 0)
		goto out;
	for (size_t i = 0; i < start; i++) {
		job->tasks[i].kinds[0] = TK_START;
		job->tasks[i].nk = 1;
	}
	for (size_t i = 0; i < n_stop; i++) {
		struct task *t = &job->tasks[start + i];
		t->kinds[0] = TK_STOP;
		t->nk = 1;
		if (!(t->old_id = drove__strdup(healthy[idx[i]]->info->instance_id))) {
			drove__ctrl_job_free(c, job);
			rc = DROVE_ENOMEM;
			goto out;
		}
	}
	drove__info(c->ctx, MOD, "app %s: scale to %lld: %zu to start, %zu to stop", app->id,
	            (long long)required, start, n_stop);
	drove__ctrl_job_step(c, app);
out:
	free(healthy);
	free(idx);
	return rc;
}

static int ids_job(drove_controller *c, drove__ctrl_app *app, int type, char **ids, size_t n,
                   int k0, int k1, int nk, const drove_cluster_op_spec *ops,
                   struct drove__ctrl_job **out)
{
	struct drove__ctrl_job *job;
	int rc;
	if ((rc = job_new(c, app, type, n, ops, &job)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct task *t = &job->tasks[i];
		t->kinds[0] = k0;
		t->kinds[1] = k1;
		t->nk = nk;
		if (!(t->old_id = drove__strdup(ids[i]))) {
			drove__ctrl_job_free(c, job);
			return DROVE_ENOMEM;
		}
	}
	*out = job;
	return 0;
}

int drove__ctrl_job_stop(drove_controller *c, drove__ctrl_app *app, char **ids, size_t n,
                         bool skip_respawn, const drove_cluster_op_spec *ops)
{
	struct drove__ctrl_job *job;
	int rc;
	/* all in parallel (§4.2) */
	drove_cluster_op_spec all = ops ? *ops : (drove_cluster_op_spec){0};
	all.parallelism = (int)(n > 0 ? n : 1);
	all.has_parallelism = true;
	if ((rc = ids_job(c, app, DROVE__CTRL_OP_STOP_INSTANCES, ids, n, TK_STOP, 0, 1, &all,
	                  &job)) < 0)
		return rc;
	job->skip_respawn = skip_respawn;
	job->n_stop_ids = n;
	drove__ctrl_job_step(c, app);
	return 0;
}

int drove__ctrl_job_replace(drove_controller *c, drove__ctrl_app *app, char **ids, size_t n,
                            bool stop_first, const drove_cluster_op_spec *ops)
{
	struct drove__ctrl_job *job;
	int rc;
	if ((rc = ids_job(c, app, DROVE__CTRL_OP_REPLACE_INSTANCES, ids, n,
	                  stop_first ? TK_STOP : TK_START, stop_first ? TK_START : TK_STOP, 2, ops,
	                  &job)) < 0)
		return rc;
	drove__ctrl_job_step(c, app);
	return 0;
}

int drove__ctrl_job_destroy(drove_controller *c, drove__ctrl_app *app)
{
	struct drove__ctrl_job *job;
	return job_new(c, app, DROVE__CTRL_OP_DESTROY, 0, NULL, &job);
}

int drove__ctrl_job_cancel(drove_controller *c, drove__ctrl_app *app)
{
	(void)c;
	if (!app->job || (app->job->type != DROVE__CTRL_OP_SCALE_INSTANCES &&
	                  app->job->type != DROVE__CTRL_OP_REPLACE_INSTANCES))
		return drove__error(DROVE_EINVAL, "Current operation could not be cancelled");
	app->job->cancelled = true;
	return 0;
}

int drove__ctrl_job_type(const struct drove__ctrl_job *job)
{
	return job ? job->type : -1;
}

void drove__ctrl_jobs_starting(drove_controller *c, drove__ctrl_starting_fn fn, void *ud)
{
	for (size_t a = 0; a < c->n_apps; a++) {
		struct drove__ctrl_job *job = c->apps[a]->job;
		for (size_t i = 0; job && i < job->n; i++) {
			struct task *t = &job->tasks[i];
			const char *exec_id;
			if (t->life.iid && t->life.alloc && !task_done(t) &&
			    (exec_id = drove_sched_alloc_executor(t->life.alloc)))
				fn(ud, exec_id, t->life.iid);
		}
	}
}
