/* Operation jobs (§4.2, §4.2.1): SCALE, STOP_INSTANCES, REPLACE_INSTANCES and DESTROY as sets
 * of instance tasks run `parallelism` at a time, each a start (place, START_INSTANCE, wait for
 * HEALTHY) or a stop (STOP_INSTANCE, wait for STOPPED), retried per jobRetryCount. Jobs are
 * stepped on every report about their app and on a 100 ms tick (timeouts, retries). With
 * instanceStateCheckRetryInterval set, a waiting task is re-checked on its own schedule as
 * Drove polls: a report still ends the wait at once, but the timeout is only found at a
 * re-check, one interval after the last (the wait began at the first). */
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/kinds.h"

#define MOD "ctrl"

enum { TK_START = 1, TK_STOP = 2 };
enum { PH_PENDING = 0, PH_SENDING, PH_WAITING, PH_DONE };

struct task {
	struct drove__ctrl_job *job;
	int kinds[2];
	int nk, stage;
	int phase;
	bool ok;
	bool begun;
	int attempts;
	char *old_id; /* what a STOP stops */
	char *new_id; /* the START's instance id (current attempt) */
	drove_sched_alloc *alloc;
	int64_t deadline;
	int64_t next_check; /* instanceStateCheckRetryInterval: the next re-check of a wait */
	int64_t not_before;
	drove__ctrl_send *send;
	struct drove__ctrl_fetch *fetch; /* CONTROLLER_HTTP_FETCH configs in flight */
	bool fetch_sync;                 /* the fetch finished inside its own start */
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

static void task_release(drove_controller *c, struct task *t)
{
	if (t->alloc) {
		if (c->sched)
			drove_sched_release(c->sched, t->job->sess, t->alloc);
		drove_sched_alloc_free(t->alloc);
		t->alloc = NULL;
	}
}

void drove__ctrl_job_free(drove_controller *c, struct drove__ctrl_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->n; i++) {
		struct task *t = &job->tasks[i];
		drove__ctrl_send_detach(t->send);
		drove__ctrl_fetch_cancel(t->fetch);
		if (t->phase != PH_DONE)
			task_release(c, t);
		else if (t->alloc)
			drove_sched_alloc_free(t->alloc);
		free(t->old_id);
		free(t->new_id);
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
	job->timeout_ms =
	        ops && ops->has_timeout ? drove_duration_ms(&ops->timeout) : c->op_timeout_ms;
	job->parallelism = ops && ops->has_parallelism && ops->parallelism > 0
	                           ? ops->parallelism
	                           : (int)c->op_parallelism;
	for (size_t i = 0; i < n; i++)
		job->tasks[i].job = job;
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

static void attempt_failed(drove_controller *c, struct task *t, const char *why)
{
	struct drove__ctrl_job *job = t->job;
	drove__info(c->ctx, MOD, "app %s: %s %s failed: %s", job->app->id,
	            t->kinds[t->stage] == TK_START ? "start of" : "stop of",
	            t->kinds[t->stage] == TK_START ? (t->new_id ? t->new_id : "an instance")
	                                           : t->old_id,
	            why);
	task_release(c, t);
	t->attempts++;
	if (t->kinds[t->stage] == TK_START && t->attempts <= c->job_retries && !job->cancelled) {
		t->phase = PH_PENDING;
		t->not_before = now_ms() + c->job_retry_ms;
		return;
	}
	t->phase = PH_DONE;
	t->ok = false;
}

static void stage_ok(struct task *t)
{
	if (t->alloc) {
		drove_sched_alloc_free(
		        t->alloc); /* the soft lock stays until a snapshot settles it */
		t->alloc = NULL;
	}
	if (t->stage + 1 < t->nk) {
		t->stage++;
		t->phase = PH_PENDING;
		t->attempts = 0;
		t->not_before = 0;
		return;
	}
	t->phase = PH_DONE;
	t->ok = true;
}

/* Begin waiting for the instance's state (the first re-check one interval on). */
static void begin_wait(drove_controller *c, struct task *t)
{
	t->phase = PH_WAITING;
	t->next_check = now_ms() + c->state_check_ms;
}

/* Is the wait's deadline to be looked at now: every step without the option, else at each
 * re-check (instanceStateCheckRetryInterval apart, as Drove polls the instance record). */
static bool recheck_due(drove_controller *c, struct task *t)
{
	int64_t now = now_ms();
	if (c->state_check_ms <= 0)
		return true;
	if (now < t->next_check)
		return false;
	while (t->next_check <= now)
		t->next_check += c->state_check_ms;
	return true;
}

static void on_start_reply(drove_controller *c, int status, const char *message, void *ud)
{
	struct task *t = ud;
	struct drove__ctrl_job *job = t->job;
	int64_t wait;

	t->send = NULL;
	if (t->phase != PH_SENDING)
		return;
	if (status != DROVE_MSG_ACCEPTED) {
		attempt_failed(c, t, status < 0 ? "executor unreachable" : message);
	} else {
		wait = drove__ctrl_max_start_ms(job->app->info->spec);
		begin_wait(c, t);
		t->deadline = now_ms() + (job->timeout_ms > wait ? job->timeout_ms : wait);
	}
	drove__ctrl_job_step(c, job->app);
}

static void on_stop_reply(drove_controller *c, int status, const char *message, void *ud)
{
	struct task *t = ud;
	drove__ctrl_inst *in;

	t->send = NULL;
	if (t->phase != PH_SENDING)
		return;
	in = drove__ctrl_inst_find(t->job->app, t->old_id);
	if (status == DROVE_MSG_ACCEPTED || !in ||
	    !drove_instance_state_is_running((int)in->info->state)) {
		begin_wait(c, t);
	} else if (now_ms() < t->deadline) {
		t->phase = PH_PENDING; /* try again in a second */
		t->not_before = now_ms() + 1000;
	} else {
		attempt_failed(c, t, status < 0 ? "executor unreachable" : message);
	}
	drove__ctrl_job_step(c, t->job->app);
}

/* Build and send START_INSTANCE from `spec` (the app's, or one with fetched configs). */
static void send_start(drove_controller *c, struct task *t, const drove_app_spec *spec_in)
{
	struct drove__ctrl_job *job = t->job;
	drove__ctrl_app *app = job->app;
	drove_app_instance_spec *spec = NULL;
	drove_message *m = NULL;
	drove__ctrl_exec *e;
	int cores[512];
	size_t nc;

	if (!t->alloc) {
		attempt_failed(c, t, "allocation gone");
		return;
	}
	nc = drove_sched_alloc_core_count(t->alloc);
	if (nc > DROVE_ARRAY_LEN(cores))
		nc = DROVE_ARRAY_LEN(cores);
	for (size_t i = 0; i < nc; i++)
		cores[i] = drove_sched_alloc_core(t->alloc, i);
	if (!(e = drove__ctrl_exec_of(c, drove_sched_alloc_executor(t->alloc))) ||
	    drove__ctrl_instance_spec(spec_in, app->id, t->new_id, drove_sched_alloc_node(t->alloc),
	                              cores, nc, drove_sched_alloc_mb(t->alloc), &spec) < 0 ||
	    !(m = calloc(1, sizeof(*m)))) {
		drove__app_instance_spec_free(spec);
		attempt_failed(c, t, "cannot build the start message");
		return;
	}
	free(spec->instance_auth_token);
	if (!(spec->instance_auth_token =
	              drove__ctrl_instance_token(c, app->id, t->new_id, e->id))) {
		drove__app_instance_spec_free(spec);
		free(m);
		attempt_failed(c, t, drove_error_last()->message);
		return;
	}
	m->type = DROVE_MSG_START_INSTANCE;
	m->app_spec = spec;
	drove__info(c->ctx, MOD, "app %s: starting %s on %s", app->id, t->new_id, e->id);
	if (drove__ctrl_send_msg(c, e, m, 30000, on_start_reply, t, &t->send) < 0)
		attempt_failed(c, t, drove_error_last()->message);
}

static void on_configs_fetched(const drove_app_spec *spec, const char *error, void *ud)
{
	struct task *t = ud;
	t->fetch = NULL;
	t->fetch_sync = true;
	if (error) {
		attempt_failed(t->job->ctrl, t, error);
	} else {
		send_start(t->job->ctrl, t, spec);
	}
	drove__ctrl_job_step(t->job->ctrl, t->job->app);
}

static void begin_start(drove_controller *c, struct task *t)
{
	struct drove__ctrl_job *job = t->job;
	drove__ctrl_app *app = job->app;
	int rc;

	free(t->new_id);
	t->new_id = NULL;
	if (!c->sched || !job->sess) {
		attempt_failed(c, t, "no scheduler");
		return;
	}
	rc = drove_sched_place(c->sched, job->sess, app->policy, (int)app->cpus, app->mem_mb,
	                       &t->alloc);
	drove__ctrl_count_placement(c, "app", rc);
	if (rc < 0) {
		t->alloc = NULL;
		attempt_failed(c, t, drove_error_last()->message);
		return;
	}
	if (drove_instance_id_new(c->ctx, DROVE_KIND_APP, &t->new_id) < 0) {
		attempt_failed(c, t, "out of memory");
		return;
	}
	t->phase = PH_SENDING;
	t->begun = true;
	if (!drove__ctrl_spec_needs_fetch(app->info->spec)) {
		send_start(c, t, app->info->spec);
		return;
	}
	t->fetch_sync = false;
	if (drove__ctrl_fetch_configs(c, app->info->spec, on_configs_fetched, t, &t->fetch) < 0)
		attempt_failed(c, t, drove_error_last()->message);
	else if (t->fetch_sync)
		t->fetch = NULL; /* finished inside the call */
}

static void begin_stop(drove_controller *c, struct task *t)
{
	struct drove__ctrl_job *job = t->job;
	drove__ctrl_inst *in = drove__ctrl_inst_find(job->app, t->old_id);
	drove__ctrl_exec *e;
	drove_message *m;

	if (!t->begun) {
		t->deadline =
		        now_ms() + job->timeout_ms + drove__ctrl_max_stop_ms(job->app->info->spec);
		t->begun = true;
	}
	if (!in || !drove_instance_state_is_active((int)in->info->state)) {
		stage_ok(t);
		return;
	}
	if (!(e = drove__ctrl_exec_of(c, in->info->executor_id))) {
		stage_ok(t); /* its executor is gone: the record turns LOST */
		return;
	}
	if (!drove_instance_state_is_running((int)in->info->state) &&
	    in->info->state != DROVE_INST_PENDING && in->info->state != DROVE_INST_PROVISIONING &&
	    in->info->state != DROVE_INST_STARTING) {
		begin_wait(c, t); /* already on its way out */
		return;
	}
	if (!(m = calloc(1, sizeof(*m))) || !(m->instance_id = drove__strdup(t->old_id))) {
		free(m);
		attempt_failed(c, t, "out of memory");
		return;
	}
	m->type = DROVE_MSG_STOP_INSTANCE;
	t->phase = PH_SENDING;
	drove__info(c->ctx, MOD, "app %s: stopping %s", job->app->id, t->old_id);
	if (drove__ctrl_send_msg(c, e, m, 30000, on_stop_reply, t, &t->send) < 0)
		attempt_failed(c, t, drove_error_last()->message);
}

static void check_waiting(drove_controller *c, struct task *t)
{
	drove__ctrl_app *app = t->job->app;
	int kind = t->kinds[t->stage];
	drove__ctrl_inst *in;

	if (kind == TK_START) {
		in = t->new_id ? drove__ctrl_inst_find(app, t->new_id) : NULL;
		if (in && in->info->state == DROVE_INST_HEALTHY) {
			stage_ok(t);
		} else if (in && (!drove_instance_state_is_active((int)in->info->state) ||
		                  in->info->state == DROVE_INST_UNHEALTHY)) {
			attempt_failed(c, t, drove_instance_state_name((int)in->info->state));
		} else if (now_ms() >= t->deadline && recheck_due(c, t)) {
			const char *exec = t->alloc ? drove_sched_alloc_executor(t->alloc) : NULL;
			if (exec && t->new_id)
				drove__ctrl_send_simple(c, exec, DROVE_MSG_STOP_INSTANCE, t->new_id,
				                        10000);
			attempt_failed(c, t, "timed out waiting for HEALTHY");
		}
	} else {
		in = drove__ctrl_inst_find(app, t->old_id);
		if (!in || !drove_instance_state_is_active((int)in->info->state))
			stage_ok(t);
		else if (now_ms() >= t->deadline && recheck_due(c, t))
			attempt_failed(c, t, "timed out waiting for STOPPED");
	}
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
		if (t->phase == PH_WAITING)
			check_waiting(c, t);
		if (t->phase == PH_SENDING || t->phase == PH_WAITING ||
		    (t->phase == PH_PENDING && t->begun))
			active++;
	}
	for (size_t i = 0; i < job->n; i++) {
		struct task *t = &job->tasks[i];
		if (t->phase != PH_PENDING)
			continue;
		if (job->cancelled && !t->begun) {
			t->phase = PH_DONE; /* cancelled before it began */
			continue;
		}
		if (t->not_before > now)
			continue;
		if (!t->begun && active >= (size_t)job->parallelism)
			continue;
		if (!t->begun)
			active++;
		if (t->kinds[t->stage] == TK_START)
			begin_start(c, t);
		else
			begin_stop(c, t);
	}
	for (size_t i = 0; i < job->n; i++)
		if (job->tasks[i].phase == PH_DONE)
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
			drove_cluster_op_spec ops = {0};
			drove_duration_from_ms(c->op_timeout_ms, &ops.timeout);
			ops.has_timeout = true;
			ops.parallelism = (int)c->op_parallelism;
			ops.has_parallelism = true;
			drove__ctrl_job_scale(c, app, app->info->instances, &ops);
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
			if (t->new_id && t->alloc && t->phase != PH_DONE &&
			    (exec_id = drove_sched_alloc_executor(t->alloc)))
				fn(ud, exec_id, t->new_id);
		}
	}
}
