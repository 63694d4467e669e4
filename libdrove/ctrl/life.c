/* The lifecycle engine (life.h): one start of one instance of any deployable kind — place,
 * START with the transport's retries, the wait for the instance's state with a deadline, the
 * STOP of an instance given up at its deadline, retries per jobRetryCount — and one stop — STOP
 * while the executor takes it, again a second after a refusal, the wait for the instance to go,
 * the deadline. What differs between app instances, tasks and local-service
 * instances is each kind's const drove__ctrl_life_ops (jobs.c, tasks.c, lsvc.c). */
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/life.h"

int64_t drove__ctrl_op_timeout_ms(const drove_controller *c, const drove_cluster_op_spec *ops)
{
	return ops && ops->has_timeout ? drove_duration_ms(&ops->timeout) : c->op_timeout_ms;
}

int drove__ctrl_op_parallelism(const drove_controller *c, const drove_cluster_op_spec *ops)
{
	return ops && ops->has_parallelism && ops->parallelism > 0 ? ops->parallelism
	                                                           : (int)c->op_parallelism;
}

void drove__ctrl_life_init(drove_controller *c, drove__ctrl_life *l,
                           const drove__ctrl_life_ops *ops, void *owner)
{
	memset(l, 0, sizeof(*l));
	l->c = c;
	l->ops = ops;
	l->owner = owner;
}

static void release(drove_controller *c, drove__ctrl_life *l, bool give_back)
{
	if (!l->alloc)
		return;
	if (give_back && c->sched)
		drove_sched_release(c->sched, l->sess, l->alloc);
	drove_sched_alloc_free(l->alloc);
	l->alloc = NULL;
}

void drove__ctrl_life_end(drove_controller *c, drove__ctrl_life *l, bool give_back)
{
	drove__ctrl_send_detach(l->send);
	l->send = NULL;
	drove__ctrl_fetch_cancel(l->fetch);
	l->fetch = NULL;
	release(c, l, give_back);
	l->phase = DROVE__LIFE_IDLE;
}

void drove__ctrl_life_free(drove_controller *c, drove__ctrl_life *l, bool give_back)
{
	drove__ctrl_life_end(c, l, give_back);
	free(l->iid);
	free(l->exec_id);
	free(l->why);
	l->iid = l->exec_id = l->why = NULL;
}

int drove__ctrl_life_place(drove_controller *c, drove__ctrl_life *l, drove_sched_session *sess,
                           const drove_sched_policy *policy, int64_t cpus, int64_t mb)
{
	drove_sched_alloc *alloc = NULL;
	char *exec;
	int rc = drove_sched_place(c->sched, sess, policy, (int)cpus, mb, &alloc);

	drove__ctrl_count_placement(c, l->ops->kind, rc);
	if (rc < 0)
		return rc;
	if (!(exec = drove__strdup(drove_sched_alloc_executor(alloc)))) {
		drove_sched_release(c->sched, sess, alloc);
		drove_sched_alloc_free(alloc);
		return drove__enomem();
	}
	free(l->exec_id);
	l->exec_id = exec;
	l->alloc = alloc;
	l->sess = sess;
	return 0;
}

int drove__ctrl_life_new_id(drove_controller *c, drove__ctrl_life *l, int kind)
{
	char *id = NULL;
	int rc = drove_instance_id_new(c->ctx, kind, &id);
	if (rc < 0)
		return rc;
	free(l->iid);
	l->iid = id;
	return 0;
}

size_t drove__ctrl_life_cores(const drove__ctrl_life *l, int *cores, size_t max)
{
	size_t n = l->alloc ? drove_sched_alloc_core_count(l->alloc) : 0;
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		cores[i] = drove_sched_alloc_core(l->alloc, i);
	return n;
}

static int64_t now_ms(void)
{
	return drove_time_mono_ms();
}

void drove__ctrl_life_fail(drove_controller *c, drove__ctrl_life *l, const char *why)
{
	char *w = drove__strdup(why ? why : "failed");
	const char *shown = w ? w : "failed";

	if (l->ops->failed)
		l->ops->failed(c, l, shown);
	drove__ctrl_send_detach(l->send);
	l->send = NULL;
	release(c, l, true);
	l->attempts++;
	if (!l->stopping && l->ops->may_retry && l->attempts <= c->job_retries &&
	    l->ops->may_retry(l)) {
		l->phase = DROVE__LIFE_PENDING;
		l->not_before = now_ms() + c->job_retry_ms;
		free(w);
		return;
	}
	l->phase = DROVE__LIFE_FAILED;
	free(l->why);
	l->why = w;
}

void drove__ctrl_life_wait(drove_controller *c, drove__ctrl_life *l)
{
	l->phase = DROVE__LIFE_WAITING;
	l->next_check = now_ms() + c->state_check_ms;
}

bool drove__ctrl_life_recheck_due(drove_controller *c, drove__ctrl_life *l)
{
	int64_t now = now_ms();
	if (!l->ops->recheck || c->state_check_ms <= 0)
		return true;
	if (now < l->next_check)
		return false;
	while (l->next_check <= now)
		l->next_check += c->state_check_ms;
	return true;
}

static void on_start_reply(drove_controller *c, int status, const char *message, void *ud)
{
	drove__ctrl_life *l = ud;

	l->send = NULL;
	if (l->phase != DROVE__LIFE_SENDING)
		return; /* already reported (or given up) */
	if (status != DROVE_MSG_ACCEPTED) {
		drove__ctrl_life_fail(c, l, status < 0 ? "executor unreachable" : message);
	} else {
		drove__ctrl_life_wait(c, l);
		l->deadline = now_ms() + (l->timeout_ms > l->wait_ms ? l->timeout_ms : l->wait_ms);
	}
	if (l->ops->changed)
		l->ops->changed(c, l);
}

void drove__ctrl_life_send(drove_controller *c, drove__ctrl_life *l, const void *spec)
{
	drove__ctrl_exec *e = l->alloc ? drove__ctrl_exec_of(c, l->exec_id) : NULL;
	drove_message *m = NULL;
	const char *why = NULL;
	char name[256];

	l->phase = DROVE__LIFE_SENDING;
	if (!e || !(m = calloc(1, sizeof(*m))) || (why = l->ops->start_payload(c, l, e, spec, m))) {
		free(m);
		drove__ctrl_life_fail(c, l, why ? why : e ? "out of memory" : "executor gone");
		return;
	}
	m->type = l->ops->start_type;
	l->ops->name(l, name, sizeof(name));
	drove__info(c->ctx, "ctrl", "%s: starting %s on %s", name, l->iid, e->id);
	if (drove__ctrl_send_msg(c, e, m, 30000, on_start_reply, l, &l->send) < 0) {
		l->send = NULL;
		drove__ctrl_life_fail(c, l, drove_error_last()->message);
	}
}

static void on_configs_fetched(const drove_app_spec *spec, const char *error, void *ud)
{
	drove__ctrl_life *l = ud;

	l->fetch = NULL;
	l->fetch_sync = true;
	if (error)
		drove__ctrl_life_fail(l->c, l, error);
	else
		drove__ctrl_life_send(l->c, l, spec);
	if (l->ops->changed)
		l->ops->changed(l->c, l);
}

void drove__ctrl_life_start(drove_controller *c, drove__ctrl_life *l, const drove_app_spec *spec)
{
	l->phase = DROVE__LIFE_SENDING;
	if (!drove__ctrl_spec_needs_fetch(spec)) {
		drove__ctrl_life_send(c, l, spec);
		return;
	}
	l->fetch_sync = false;
	if (drove__ctrl_fetch_configs(c, spec, on_configs_fetched, l, &l->fetch) < 0)
		drove__ctrl_life_fail(c, l, drove_error_last()->message);
	else if (l->fetch_sync)
		l->fetch = NULL; /* finished inside the call */
}

void drove__ctrl_life_check(drove_controller *c, drove__ctrl_life *l)
{
	int st;

	if (l->phase != DROVE__LIFE_WAITING)
		return;
	st = l->ops->inst_state ? l->ops->inst_state(c, l) : -1;
	if (st == DROVE_INST_HEALTHY) {
		release(c, l, false); /* the soft lock stays until a snapshot settles it */
		l->phase = DROVE__LIFE_OK;
	} else if (st >= 0 && (!drove_instance_state_is_active(st) || st == DROVE_INST_UNHEALTHY)) {
		drove__ctrl_life_fail(c, l, drove_instance_state_name(st));
	} else if (now_ms() >= l->deadline && drove__ctrl_life_recheck_due(c, l)) {
		if (l->exec_id && l->iid)
			drove__ctrl_send_simple(c, l->exec_id, l->ops->stop_type, l->iid, 10000);
		drove__ctrl_life_fail(c, l, l->ops->timeout_why);
	}
}

/* ---- the stop ---- */

void drove__ctrl_life_stop_begin(drove_controller *c, drove__ctrl_life *l, int64_t deadline)
{
	(void)c;
	l->stopping = true;
	l->phase = DROVE__LIFE_PENDING;
	l->attempts = 0;
	l->not_before = 0;
	l->deadline = deadline;
}

bool drove__ctrl_life_stop_active(const drove__ctrl_life *l)
{
	return l->stopping && (l->phase == DROVE__LIFE_PENDING || l->phase == DROVE__LIFE_SENDING ||
	                       l->phase == DROVE__LIFE_WAITING);
}

/* A refused (or unsent) STOP: waiting when the instance needs none any more (the next step
 * ends the stop, as the kind's own step expects) or, with ops->stop_early, when it does not
 * run; FAILED past the deadline; else again in a second. */
static void stop_refused(drove_controller *c, drove__ctrl_life *l, const char *why)
{
	const drove__ctrl_exec *e = NULL;
	const char *iid = NULL;
	int act = l->ops->stop_target(c, l, &e, &iid);

	if (act == DROVE__STOP_DONE || (l->ops->stop_early && act != DROVE__STOP_SEND)) {
		drove__ctrl_life_wait(c, l);
	} else if (l->deadline && now_ms() >= l->deadline) {
		drove__ctrl_life_fail(c, l, why);
	} else {
		l->phase = DROVE__LIFE_PENDING;
		l->not_before = now_ms() + 1000;
	}
}

static void on_stop_reply(drove_controller *c, int status, const char *message, void *ud)
{
	drove__ctrl_life *l = ud;

	l->send = NULL;
	if (l->phase != DROVE__LIFE_SENDING)
		return;
	if (status == DROVE_MSG_ACCEPTED) {
		drove__debug(c->ctx, "ctrl", "%s: STOP accepted", l->ops->kind);
		drove__ctrl_life_wait(c, l);
		l->not_before = now_ms() + l->ops->stop_resend_ms;
	} else {
		stop_refused(c, l, status < 0 ? "executor unreachable" : message);
	}
	if (l->ops->changed)
		l->ops->changed(c, l);
}

static void stop_send(drove_controller *c, drove__ctrl_life *l, const drove__ctrl_exec *e,
                      const char *iid)
{
	drove_message *m = calloc(1, sizeof(*m));
	char name[256];

	l->ops->name(l, name, sizeof(name));
	drove__info(c->ctx, "ctrl", "%s: %s %s on %s", name, l->ops->stop_verb, iid, e->id);
	l->phase = DROVE__LIFE_SENDING;
	if (m && (m->instance_id = drove__strdup(iid))) {
		m->type = l->ops->stop_type;
		if (drove__ctrl_send_msg(c, e, m, l->ops->stop_retry_ms, on_stop_reply, l,
		                         &l->send) == 0)
			return;
	} else {
		free(m);
		drove__enomem();
	}
	l->send = NULL;
	stop_refused(c, l, drove_error_last()->message);
}

void drove__ctrl_life_stop_step(drove_controller *c, drove__ctrl_life *l)
{
	const drove__ctrl_exec *e = NULL;
	const char *iid = NULL;
	int64_t now = now_ms();
	int act;

	if (!l->stopping || (l->phase != DROVE__LIFE_PENDING && l->phase != DROVE__LIFE_WAITING))
		return;
	act = l->ops->stop_target(c, l, &e, &iid);
	if (act == DROVE__STOP_DONE) {
		l->phase = DROVE__LIFE_OK;
		return;
	}
	if (l->deadline && now >= l->deadline &&
	    (l->phase == DROVE__LIFE_PENDING
	             ? l->ops->stop_until_accepted
	             : l->ops->stop_until_gone && drove__ctrl_life_recheck_due(c, l))) {
		drove__ctrl_life_fail(c, l, l->ops->stop_timeout_why);
		return;
	}
	if (now < l->not_before)
		return;
	if (l->phase == DROVE__LIFE_WAITING) {
		if (l->ops->stop_resend_ms > 0 && act == DROVE__STOP_SEND)
			stop_send(c, l, e, iid);
		return;
	}
	if (act == DROVE__STOP_SEND || (act == DROVE__STOP_EARLY && l->ops->stop_early))
		stop_send(c, l, e, iid);
	else if (act == DROVE__STOP_WAIT)
		drove__ctrl_life_wait(c, l);
}
