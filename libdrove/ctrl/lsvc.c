/* Local services (DROVE_API.md §2.6, §4.4, §5.4, §11 item 4; docs/local-services.md): the
 * services in memory and in the store, their instances, the monitor that keeps
 * instancesPerHost instances on every eligible executor (or one cluster-wide while config
 * testing), the operations, the REST routes and /internal/cluster/resources/reserved.
 *
 * Everything happens on the loop. Replies to messages and executor reports only record what
 * they learnt and mark the service dirty; the jobs tick (every 100 ms) then steps each dirty
 * service: starts in flight, stops, the operation under way, and the monitor's plan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "config/config.h"
#include "ctrl/lsvc.h"
#include "http/server.h"
#include "store/store_internal.h"

#define MOD "ctrl"
#define V1  "/apis/v1"

/* ---- state ---- */

static struct drove__ctrl_lsvcs *lsvcs(drove_controller *c)
{
	if (!c->lsvcs)
		c->lsvcs = calloc(1, sizeof(*c->lsvcs));
	return c->lsvcs;
}

static size_t svc_lower(struct drove__ctrl_lsvcs *L, const char *id)
{
	size_t lo = 0, hi = L->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(id, L->v[mid]->id) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct svc *drove__lsvc_svc_find(drove_controller *c, const char *id)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	size_t i;
	if (!L || !id)
		return NULL;
	i = svc_lower(L, id);
	return i < L->n && !strcmp(L->v[i]->id, id) ? L->v[i] : NULL;
}

struct lsi *drove__lsvc_lsi_find(struct svc *s, const char *iid)
{
	for (size_t i = s->n_insts; iid && i > 0; i--)
		if (drove__streq(s->insts[i - 1]->info->instance_id, iid))
			return s->insts[i - 1];
	return NULL;
}

static struct lstart *start_find(struct svc *s, const char *iid)
{
	for (size_t i = 0; iid && i < s->n_starts; i++)
		if (drove__streq(s->starts[i]->life.iid, iid))
			return s->starts[i];
	return NULL;
}

bool drove__lsvc_fresh(drove_controller *c, const struct lsi *in, int64_t now)
{
	return in->seen_ms >= now - c->stale_inst_ms;
}

bool drove__lsvc_is_active(const struct lsi *in)
{
	return drove_instance_state_is_active((int)in->info->state) != 0;
}

static void lsi_free(struct lsi *in)
{
	if (!in)
		return;
	drove__ctrl_life_free(in->svc->c, &in->stop, false);
	drove__ls_instance_info_free(in->info);
	free(in);
}

static void start_free(drove_controller *c, struct lstart *st, bool release)
{
	if (!st)
		return;
	drove__ctrl_life_free(c, &st->life, release);
	free(st);
}

void drove__lsvc_op_clear(struct svc *s)
{
	for (size_t i = 0; i < s->n_op; i++)
		free(s->op_ids[i]);
	free(s->op_ids);
	free(s->op_status);
	s->op_ids = NULL;
	s->op_status = NULL;
	s->n_op = 0;
	s->op = OP_NONE;
	for (size_t i = 0; i < s->n_insts; i++)
		s->insts[i]->retiring = false;
}

static void svc_free(drove_controller *c, struct svc *s, bool release)
{
	if (!s)
		return;
	drove__lsvc_op_clear(s);
	for (size_t i = 0; i < s->n_insts; i++)
		lsi_free(s->insts[i]);
	free(s->insts);
	for (size_t i = 0; i < s->n_starts; i++)
		start_free(c, s->starts[i], release);
	free(s->starts);
	drove__ls_info_free(s->info);
	free(s->id);
	free(s);
}

/* A service for `info` (taken), in INIT. */
int drove__lsvc_svc_adopt(drove_controller *c, drove_ls_info *info, struct svc **out)
{
	struct drove__ctrl_lsvcs *L = lsvcs(c);
	struct svc *s = calloc(1, sizeof(*s));
	size_t i;

	if (!L || !s || !(s->id = drove__strdup(info->service_id)) ||
	    drove__grow(&L->v, &L->cap, L->n + 1, sizeof(*L->v)) < 0) {
		if (s)
			free(s->id);
		free(s);
		drove__ls_info_free(info);
		return drove__enomem();
	}
	s->c = c;
	s->info = info;
	s->state = DROVE_LS_INIT;
	s->cpus = drove__resources_cpus(info->spec->resources, info->spec->n_resources);
	s->mem_mb = drove__resources_memory_mb(info->spec->resources, info->spec->n_resources);
	i = svc_lower(L, s->id);
	memmove(L->v + i + 1, L->v + i, (L->n - i) * sizeof(*L->v));
	L->v[i] = s;
	L->n++;
	*out = s;
	return 0;
}

void drove__lsvc_svc_remove(drove_controller *c, struct svc *s)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	for (size_t i = 0; L && i < L->n; i++)
		if (L->v[i] == s) {
			memmove(L->v + i, L->v + i + 1, (L->n - i - 1) * sizeof(*L->v));
			L->n--;
			break;
		}
	svc_free(c, s, true);
}

static const drove__ctrl_life_ops lsvc_ops;

static int lsi_add(struct svc *s, drove_ls_instance_info *info, int64_t seen, struct lsi **out)
{
	struct lsi *in = calloc(1, sizeof(*in));
	if (!in || drove__grow(&s->insts, &s->cap_insts, s->n_insts + 1, sizeof(*s->insts)) < 0) {
		free(in);
		drove__ls_instance_info_free(info);
		return drove__enomem();
	}
	in->info = info;
	in->seen_ms = seen;
	in->svc = s;
	drove__ctrl_life_init(s->c, &in->stop, &lsvc_ops, in);
	s->insts[s->n_insts++] = in;
	if (out)
		*out = in;
	return 0;
}

/* ---- events and records ---- */

void drove__lsvc_svc_set_state(drove_controller *c, struct svc *s, int state)
{
	drove_event *ev;

	if (s->state == state)
		return;
	if (!drove__lsvc_transition_ok(s->state, state))
		drove__warn(c->ctx, MOD, "local service %s: unexpected transition %s -> %s", s->id,
		            drove_ls_state_name(s->state), drove_ls_state_name(state));
	drove__debug(c->ctx, MOD, "local service %s: %s -> %s", s->id,
	             drove_ls_state_name(s->state), drove_ls_state_name(state));
	s->state = state;
	ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_LOCAL_SERVICE_STATE_CHANGE);
	drove__ctrl_publish_filled(c, ev, ev ? drove__lsvc_event_service(ev, s->info, state) : 0);
}

int drove__lsvc_svc_persist(drove_controller *c, struct svc *s)
{
	char *json = NULL;
	int rc;

	s->info->updated = drove_time_wall_ms();
	if ((rc = drove__ls_info_encode(s->info, &json)) < 0)
		return rc;
	rc = drove_record_put(c->store, DROVE_RECORD_LOCAL_SERVICE, NULL, s->id, json,
	                      strlen(json));
	free(json);
	return rc;
}

static void lsi_persist(drove_controller *c, const drove_ls_instance_info *info)
{
	char *json = NULL;
	if (!c->store || drove__ls_instance_info_encode(info, &json) < 0)
		return;
	if (drove_record_put_async(c->store, DROVE_RECORD_LOCAL_SERVICE_INSTANCE, info->service_id,
	                           info->instance_id, json, strlen(json), NULL, NULL) < 0)
		drove__warn(c->ctx, MOD, "local service instance %s: not stored: %s",
		            info->instance_id, drove_error_last()->message);
	free(json);
}

static void lsi_event(drove_controller *c, const drove_ls_instance_info *info)
{
	drove_event *ev =
	        drove__ctrl_event_new(c->ctx, DROVE_EVENT_LOCAL_SERVICE_INSTANCE_STATE_CHANGE);
	drove__ctrl_publish_filled(c, ev, ev ? drove__lsvc_event_instance(ev, info) : 0);
}

static void mark_lost(drove_controller *c, struct lsi *in)
{
	char *msg = drove__strdup("Instance lost");
	if (!msg)
		return;
	in->info->state = DROVE_INST_LOST;
	free(in->info->error_message);
	in->info->error_message = msg;
	in->info->updated = drove_time_wall_ms();
	lsi_persist(c, in->info);
	lsi_event(c, in->info);
	in->svc->dirty = true;
}

/* ---- messages ---- */

/* The local service's ops for the lifecycle engine (life.c): no retries of its own (the monitor
 * plans again after jobRetryInterval); a reply or a fetch that ends the sending marks the
 * service dirty for the next step. A start's owner is its struct lstart, a stop's its
 * struct lsi. */
static struct svc *svc_of(const drove__ctrl_life *l)
{
	return l->stopping ? ((const struct lsi *)l->owner)->svc
	                   : ((const struct lstart *)l->owner)->svc;
}

static void lsvc_changed(drove_controller *c, drove__ctrl_life *l)
{
	(void)c;
	if (l->phase != DROVE__LIFE_SENDING)
		svc_of(l)->dirty = true;
}

static int lsvc_inst_state(drove_controller *c, const drove__ctrl_life *l)
{
	struct lsi *in = drove__lsvc_lsi_find(svc_of(l), l->iid);
	(void)c;
	return in ? (int)in->info->state : -1;
}

static void lsvc_name(const drove__ctrl_life *l, char *buf, size_t size)
{
	snprintf(buf, size, "local service %s", svc_of(l)->id);
}

/* An instance to stop: STOP while it runs (nothing before: the executor stops running ones),
 * and again every 10 s while it still does; done once it is inactive. */
static int lsvc_stop_target(drove_controller *c, const drove__ctrl_life *l,
                            const drove__ctrl_exec **exec, const char **iid)
{
	const struct lsi *in = l->owner;

	if (!drove__lsvc_is_active(in))
		return DROVE__STOP_DONE;
	if (!(*exec = drove__ctrl_exec_of(c, in->info->executor_id)) ||
	    !drove_instance_state_is_running((int)in->info->state))
		return DROVE__STOP_HOLD; /* executor gone: the record turns LOST */
	*iid = in->info->instance_id;
	return DROVE__STOP_SEND;
}

/* START_LOCAL_SERVICE_INSTANCE's spec from `spec_v` (the service's spec, or one with fetched
 * configs). */
static const char *lsvc_start_payload(drove_controller *c, drove__ctrl_life *l,
                                      const drove__ctrl_exec *e, const void *spec_v,
                                      drove_message *m)
{
	struct lstart *st = l->owner;
	struct svc *s = st->svc;
	drove_ls_instance_spec *is = NULL;
	char *token = NULL;
	int cores[512];
	size_t nc = drove__ctrl_life_cores(l, cores, DROVE_ARRAY_LEN(cores));
	int rc;

	if (!(token = drove__ctrl_instance_token(c, s->id, l->iid, e->id)))
		return drove_error_last()->message;
	rc = drove__lsvc_instance_spec(spec_v, s->id, l->iid, drove_sched_alloc_node(l->alloc),
	                               cores, nc, drove_sched_alloc_mb(l->alloc), token, &is);
	free(token);
	if (rc < 0) {
		drove__ls_instance_spec_free(is);
		return "cannot build the start message";
	}
	m->ls_spec = is;
	return NULL;
}

static const drove__ctrl_life_ops lsvc_ops = {
        .kind = "local_service",
        .stop_type = DROVE_MSG_STOP_LOCAL_SERVICE_INSTANCE,
        .timeout_why = "timed out waiting for HEALTHY",
        .start_type = DROVE_MSG_START_LOCAL_SERVICE_INSTANCE,
        .start_payload = lsvc_start_payload,
        .name = lsvc_name,
        .inst_state = lsvc_inst_state,
        .changed = lsvc_changed,
        .stop_verb = "stopping",
        .stop_retry_ms = 10000,
        .stop_resend_ms = 10000,
        .stop_target = lsvc_stop_target,
};

void drove__lsvc_lsi_stop(struct lsi *in)
{
	in->stopping = true;
	if (!drove__ctrl_life_stop_active(&in->stop))
		drove__ctrl_life_stop_begin(in->svc->c, &in->stop, 0);
	else
		in->stop.not_before = 0; /* asked again: the next STOP is due now */
}

/* Place one instance on executor `exec_id` and send its START. @return 0, or -1 when it could
 * not be placed there (nothing in flight). */
static int begin_start(drove_controller *c, struct svc *s, const char *exec_id)
{
	drove_sched_session *sess = NULL;
	drove_sched_policy *pin = NULL;
	struct lstart *st = NULL;
	char *rule = NULL;
	int rc;

	if (!c->sched || !(rule = drove__lsvc_pin_rule(exec_id)))
		return -1;
	rc = drove_sched_policy_rule_hope(&pin, rule);
	free(rule);
	if (rc < 0)
		return -1;
	if (!(st = calloc(1, sizeof(*st))) ||
	    drove__grow(&s->starts, &s->cap_starts, s->n_starts + 1, sizeof(*s->starts)) < 0) {
		free(st);
		drove_sched_policy_free(pin);
		return -1;
	}
	st->svc = s;
	drove__ctrl_life_init(c, &st->life, &lsvc_ops, st);
	if ((rc = drove_sched_session_new(&sess, c->sched, DROVE_KIND_LOCAL_SERVICE, s->id)) == 0)
		rc = drove__ctrl_life_place(c, &st->life, sess, pin, s->cpus, s->mem_mb);
	else
		drove__ctrl_count_placement(c, "local_service", rc);
	drove_sched_session_free(sess);
	drove_sched_policy_free(pin);
	st->life.sess = NULL; /* released without a session */
	if (rc < 0) {
		drove__debug(c->ctx, MOD, "local service %s: no room on %s: %s", s->id, exec_id,
		             drove_error_last()->message);
		free(st);
		return -1;
	}
	if (drove__ctrl_life_new_id(c, &st->life, DROVE_KIND_LOCAL_SERVICE) < 0) {
		start_free(c, st, true);
		return -1;
	}
	s->starts[s->n_starts++] = st;
	st->life.timeout_ms = c->op_timeout_ms;
	st->life.wait_ms = drove__ctrl_max_start_ms(s->info->spec);
	drove__ctrl_life_start(c, &st->life, s->info->spec);
	return 0;
}

/* ---- the monitor ---- */

static bool exec_eligible(const drove__ctrl_exec *e)
{
	int st;
	if (e->removed || !e->nd)
		return false;
	st = drove__ctrl_exec_state(e);
	return st == DROVE_EXECUTOR_ACTIVE || st == DROVE_EXECUTOR_UNREADY;
}

/* Fresh HEALTHY instances on `exec_id` (NULL: anywhere) that nobody is stopping or replacing. */
static int64_t healthy_keepers(drove_controller *c, struct svc *s, const char *exec_id)
{
	int64_t n = 0, now = drove_time_wall_ms();
	for (size_t i = 0; i < s->n_insts; i++) {
		const struct lsi *in = s->insts[i];
		if (in->info->state == DROVE_INST_HEALTHY && !in->stopping && !in->retiring &&
		    drove__lsvc_fresh(c, in, now) &&
		    (!exec_id || drove__streq(in->info->executor_id, exec_id)))
			n++;
	}
	return n;
}

/* On its way out already (the executor stops it): not counted, so it is replaced at once. */
static bool leaving(const struct lsi *in)
{
	return in->info->state == DROVE_INST_STOPPING ||
	       in->info->state == DROVE_INST_DEPROVISIONING ||
	       in->info->state == DROVE_INST_UNHEALTHY;
}

static void adjust(drove_controller *c, struct svc *s)
{
	const char **execs = NULL;
	drove__lsvc_live *live = NULL;
	struct lsi **who = NULL;
	drove__lsvc_plan plan;
	size_t ne = 0, nl = 0;
	int64_t now = drove_time_wall_ms(), m = drove_time_mono_ms();
	bool issued = false;

	if (!(execs = calloc(c->n_execs + 1, sizeof(*execs))) ||
	    !(live = calloc(s->n_insts + s->n_starts + 1, sizeof(*live))) ||
	    !(who = calloc(s->n_insts + s->n_starts + 1, sizeof(*who))))
		goto out;
	for (size_t i = 0; i < c->n_execs; i++)
		if (exec_eligible(c->execs[i]))
			execs[ne++] = c->execs[i]->id;
	for (size_t i = 0; i < s->n_insts; i++) {
		struct lsi *in = s->insts[i];
		if (!drove__lsvc_is_active(in) || leaving(in) || in->stopping || in->retiring ||
		    !drove__lsvc_fresh(c, in, now))
			continue;
		live[nl].exec_id = in->info->executor_id;
		live[nl].healthy = in->info->state == DROVE_INST_HEALTHY;
		who[nl++] = in;
	}
	for (size_t i = 0; i < s->n_starts; i++) {
		struct lstart *st = s->starts[i];
		if (st->life.phase == DROVE__LIFE_FAILED || st->life.phase == DROVE__LIFE_OK ||
		    drove__lsvc_lsi_find(s, st->life.iid))
			continue;
		live[nl].exec_id = st->life.exec_id;
		live[nl++].starting = true;
	}
	if (drove__lsvc_plan_make((int)s->info->activation_state, s->info->instances_per_host,
	                          execs, ne, live, nl, &plan) < 0)
		goto out;
	for (size_t i = 0; i < plan.n_stops; i++) {
		struct lsi *in = who[plan.stops[i]];
		if (!in)
			continue;
		drove__lsvc_lsi_stop(in);
		issued = true;
	}
	if (m >= s->next_start) {
		for (size_t e = 0; e < ne; e++)
			for (size_t k = 0; k < plan.starts[e]; k++) {
				if (begin_start(c, s, execs[e]) < 0) {
					s->next_start = m + c->job_retry_ms;
					break;
				}
				issued = true;
			}
		if (plan.any && ne > 0) {
			/* one on a random eligible executor that has room */
			size_t first = (size_t)drove__rand_below(c->ctx, ne), k;
			for (k = 0; k < ne; k++)
				if (begin_start(c, s, execs[(first + k) % ne]) == 0) {
					issued = true;
					break;
				}
			if (k == ne)
				s->next_start = m + c->job_retry_ms;
		}
	}
	drove__lsvc_plan_free(&plan);
	if (issued && drove_ls_state_is_stable(s->state))
		drove__lsvc_svc_set_state(c, s, DROVE_LS_ADJUSTING_INSTANCES);
out:
	free(execs);
	free(live);
	free(who);
}

static bool lsi_settled(const struct lsi *in)
{
	return !in->stopping || !drove__lsvc_is_active(in);
}

static void step_op(drove_controller *c, struct svc *s, int64_t m)
{
	bool all_done = true;
	size_t busy = 0;

	if (s->op == OP_STOP) {
		for (size_t i = 0; i < s->n_op; i++) {
			struct lsi *in = drove__lsvc_lsi_find(s, s->op_ids[i]);
			if (in && drove__lsvc_is_active(in))
				all_done = false;
		}
		if (!all_done && m < s->op_deadline)
			return;
	} else if (s->op == OP_REPLACE) {
		for (size_t i = 0; i < s->n_op; i++) {
			struct lsi *in = drove__lsvc_lsi_find(s, s->op_ids[i]);
			if (s->op_status[i] != TG_BEGUN)
				continue;
			if (!in || !drove__lsvc_is_active(in)) {
				s->op_status[i] = TG_DONE;
				continue;
			}
			if (in->retiring && !in->stopping) {
				int64_t want = s->info->activation_state == DROVE_LS_ACT_ACTIVE
				                       ? s->info->instances_per_host
				                       : 1;
				const char *where = s->info->activation_state == DROVE_LS_ACT_ACTIVE
				                            ? in->info->executor_id
				                            : NULL;
				if (healthy_keepers(c, s, where) >= want) {
					drove__lsvc_lsi_stop(in);
				} else if (m >= in->retire_deadline) {
					drove__info(
					        c->ctx, MOD,
					        "local service %s: %s not replaced in time: kept",
					        s->id, in->info->instance_id);
					in->retiring = false;
					s->op_status[i] = TG_DONE;
					continue;
				}
			} else if (in->stopping && m >= in->retire_deadline + 60000) {
				s->op_status[i] = TG_DONE; /* gave up waiting */
				continue;
			}
			busy++;
		}
		for (size_t i = 0; i < s->n_op && busy < (size_t)s->parallelism; i++) {
			struct lsi *in;
			if (s->op_status[i] != TG_PENDING)
				continue;
			in = drove__lsvc_lsi_find(s, s->op_ids[i]);
			if (!in || !drove__lsvc_is_active(in) || in->stopping) {
				s->op_status[i] = TG_DONE;
				continue;
			}
			in->retiring = true;
			in->retire_deadline = m + s->op_timeout_ms;
			if (s->stop_first)
				drove__lsvc_lsi_stop(in);
			s->op_status[i] = TG_BEGUN;
			busy++;
			s->dirty = true;
		}
		for (size_t i = 0; i < s->n_op; i++)
			if (s->op_status[i] != TG_DONE)
				all_done = false;
		if (!all_done)
			return;
	} else {
		return;
	}
	drove__lsvc_op_clear(s);
	drove__lsvc_svc_set_state(c, s, drove__lsvc_stable_state((int)s->info->activation_state));
	s->dirty = true;
}

/* A new leader does not act on a service while an executor holding one of its active records
 * has not reported to it yet (for at most staleExecutorAge): the record is all it knows. */
static bool awaiting_executors(drove_controller *c, struct svc *s)
{
	if (drove_time_mono_ms() - c->acquired_mono >= c->stale_exec_ms)
		return false;
	for (size_t i = 0; i < s->n_insts; i++) {
		const drove__ctrl_exec *e;
		if (!drove__lsvc_is_active(s->insts[i]))
			continue;
		e = drove__ctrl_exec_of(c, s->insts[i]->info->executor_id);
		if (!e || e->seen_mono < c->acquired_mono)
			return true;
	}
	return false;
}

static void step(drove_controller *c, struct svc *s, bool monitor)
{
	int64_t m = drove_time_mono_ms();
	bool settled = true;

	for (size_t i = 0; i < s->n_starts; i++) {
		struct lstart *st = s->starts[i];
		int ph;
		drove__ctrl_life_check(c, &st->life);
		ph = st->life.phase;
		if (ph == DROVE__LIFE_OK || ph == DROVE__LIFE_FAILED) {
			if (ph == DROVE__LIFE_FAILED) {
				drove__info(c->ctx, MOD,
				            "local service %s: start of %s on %s failed: %s", s->id,
				            st->life.iid, st->life.exec_id,
				            st->life.why && *st->life.why ? st->life.why
				                                          : "FAILED");
				s->next_start = m + c->job_retry_ms;
			}
			start_free(c, st, ph == DROVE__LIFE_FAILED);
			memmove(s->starts + i, s->starts + i + 1,
			        (s->n_starts - i - 1) * sizeof(*s->starts));
			s->n_starts--;
			i--;
			s->dirty = true;
		}
	}
	for (size_t i = 0; i < s->n_insts; i++)
		drove__ctrl_life_stop_step(c, &s->insts[i]->stop);
	step_op(c, s, m);
	if (monitor && s->dirty && c->sched && !drove__ctrl_in_window(c) &&
	    !awaiting_executors(c, s) &&
	    (drove_ls_state_is_stable(s->state) || s->state == DROVE_LS_ADJUSTING_INSTANCES ||
	     s->state == DROVE_LS_REPLACING_INSTANCES || s->state == DROVE_LS_STOPPING_INSTANCES)) {
		s->dirty = false;
		adjust(c, s);
	}
	if (s->state != DROVE_LS_ADJUSTING_INSTANCES)
		return;
	if (s->n_starts)
		settled = false;
	for (size_t i = 0; settled && i < s->n_insts; i++)
		if (!lsi_settled(s->insts[i]))
			settled = false;
	if (settled)
		drove__lsvc_svc_set_state(c, s,
		                          drove__lsvc_stable_state((int)s->info->activation_state));
}

/* ---- hooks ---- */

void drove__ctrl_lsvc_tick(drove_controller *c)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	for (size_t i = 0; L && i < L->n; i++)
		step(c, L->v[i], true);
}

void drove__ctrl_lsvc_reconcile(drove_controller *c)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	int64_t now = drove_time_wall_ms();

	for (size_t k = 0; L && k < L->n; k++) {
		struct svc *s = L->v[k];
		size_t old = 0;
		for (size_t i = 0; i < s->n_insts; i++) {
			struct lsi *in = s->insts[i];
			if (drove__lsvc_is_active(in) && !drove__lsvc_fresh(c, in, now))
				mark_lost(c, in);
			if (!drove__lsvc_is_active(in))
				old++;
		}
		/* keep at most max_old_instances old records (oldest go) */
		while (old > (size_t)c->max_old_instances) {
			size_t victim = SIZE_MAX;
			for (size_t i = 0; i < s->n_insts; i++)
				if (!drove__lsvc_is_active(s->insts[i]) &&
				    (victim == SIZE_MAX ||
				     s->insts[i]->info->updated < s->insts[victim]->info->updated))
					victim = i;
			if (victim == SIZE_MAX)
				break;
			drove_record_delete_async(c->store, DROVE_RECORD_LOCAL_SERVICE_INSTANCE,
			                          s->id, s->insts[victim]->info->instance_id, NULL,
			                          NULL);
			lsi_free(s->insts[victim]);
			memmove(s->insts + victim, s->insts + victim + 1,
			        (s->n_insts - victim - 1) * sizeof(*s->insts));
			s->n_insts--;
			old--;
		}
		s->dirty = true; /* the periodic check */
	}
}

void drove__ctrl_lsvc_apply(drove_controller *c, const drove_ls_instance_info *li)
{
	struct svc *s;
	struct lsi *in;
	drove_ls_instance_info *copy = NULL;
	int64_t now = drove_time_wall_ms();
	bool changed;

	if (!li->instance_id || !(s = drove__lsvc_svc_find(c, li->service_id)) ||
	    s->state == DROVE_LS_DESTROY_REQUESTED || s->state == DROVE_LS_DESTROYED)
		return; /* unknown service: EXPECTED_INSTANCES marks it stale */
	in = drove__lsvc_lsi_find(s, li->instance_id);
	if (in && li->updated <= in->info->updated)
		return;
	if (in && in->info->state == li->state && (!in->info->local_info) == (!li->local_info)) {
		in->info->updated = li->updated;
		in->seen_ms = now;
		return;
	}
	if (drove__ls_instance_info_copy(li, &copy) < 0)
		return;
	if (!in) {
		if (lsi_add(s, copy, now, &in) < 0)
			return;
		changed = true;
	} else {
		changed = in->info->state != copy->state ||
		          (!in->info->local_info) != (!copy->local_info);
		drove__ls_instance_info_free(in->info);
		in->info = copy;
		in->seen_ms = now;
	}
	if (changed) {
		lsi_persist(c, copy);
		lsi_event(c, copy);
		s->dirty = true;
	}
}

void drove__ctrl_lsvc_executor_lost(drove_controller *c, const char *exec_id)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	for (size_t k = 0; L && k < L->n; k++) {
		struct svc *s = L->v[k];
		for (size_t i = 0; i < s->n_insts; i++)
			if (drove__streq(s->insts[i]->info->executor_id, exec_id) &&
			    drove__lsvc_is_active(s->insts[i]))
				mark_lost(c, s->insts[i]);
		for (size_t i = 0; i < s->n_starts; i++)
			if (drove__streq(s->starts[i]->life.exec_id, exec_id) &&
			    (s->starts[i]->life.phase == DROVE__LIFE_SENDING ||
			     s->starts[i]->life.phase == DROVE__LIFE_WAITING))
				drove__ctrl_life_fail(c, &s->starts[i]->life, "executor lost");
		s->dirty = true;
	}
}

void drove__ctrl_lsvc_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                            void *ud)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	for (size_t k = 0; L && k < L->n; k++)
		for (size_t i = 0; i < L->v[k]->n_insts; i++) {
			const struct lsi *in = L->v[k]->insts[i];
			if (in->info->executor_id && *in->info->executor_id &&
			    drove__lsvc_is_active(in))
				fn(in->info->executor_id, ud);
		}
}

void drove__ctrl_lsvc_executor_changed(drove_controller *c, const char *exec_id)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	(void)exec_id;
	for (size_t k = 0; L && k < L->n; k++) {
		L->v[k]->dirty = true;
		L->v[k]->next_start = 0;
	}
}

bool drove__ctrl_lsvc_known(const drove_ls_instance_info *li, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = drove__lsvc_svc_find(c, li->service_id);
	if (!s || s->state == DROVE_LS_DESTROY_REQUESTED || s->state == DROVE_LS_DESTROYED)
		return false;
	return drove__lsvc_lsi_find(s, li->instance_id) || start_find(s, li->instance_id);
}

void drove__ctrl_lsvc_states(drove_controller *c, void (*svc)(int state, void *ud),
                             void (*inst)(int state, void *ud), void *ud)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	for (size_t k = 0; L && k < L->n; k++) {
		svc(L->v[k]->state, ud);
		for (size_t i = 0; i < L->v[k]->n_insts; i++)
			inst((int)L->v[k]->insts[i]->info->state, ud);
	}
}

void drove__ctrl_lsvc_counts(drove_controller *c, size_t *total, size_t *active)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	*total = *active = 0;
	for (size_t k = 0; L && k < L->n; k++) {
		(*total)++;
		if (L->v[k]->info->activation_state != DROVE_LS_ACT_INACTIVE)
			(*active)++;
	}
}

const char *drove__ctrl_lsvc_instance_executor(drove_controller *c, const char *service_id,
                                               const char *instance_id)
{
	struct svc *s = drove__lsvc_svc_find(c, service_id);
	struct lsi *in;
	struct lstart *st;
	if (!s)
		return NULL;
	if ((in = drove__lsvc_lsi_find(s, instance_id)))
		return in->info->executor_id;
	return (st = start_find(s, instance_id)) ? st->life.exec_id : NULL;
}

void drove__ctrl_lsvc_clear(drove_controller *c)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	if (!L)
		return;
	for (size_t i = 0; i < L->n; i++)
		svc_free(c, L->v[i], false);
	free(L->v);
	free(L);
	c->lsvcs = NULL;
}

void drove__ctrl_lsvc_load(drove_controller *c)
{
	drove_strlist *ids = NULL;
	struct drove__store_many *l = NULL;
	struct drove__record_rows *rows = NULL;
	struct svc **svcs = NULL;
	int64_t now = drove_time_wall_ms();
	size_t n;

	/* the services in one pipeline, then every instance record in three (docs/store.md) */
	if (!c->store ||
	    drove__record_get_all(c->store, DROVE_RECORD_LOCAL_SERVICE, NULL, &ids, &l) < 0) {
		drove_error_clear();
		return;
	}
	n = l->n;
	if (!(svcs = calloc(n ? n : 1, sizeof(*svcs)))) {
		drove__warn(c->ctx, MOD, "local services: not loaded: out of memory");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		const char *id = drove_strlist_get(ids, k);
		drove_ls_info *info = NULL;
		if (l->item[k].rc < 0 ||
		    drove__ls_info_decode(l->item[k].data, l->item[k].len, 0, &info, NULL, NULL) <
		            0 ||
		    !info->spec || !info->service_id) {
			drove__warn(c->ctx, MOD, "local service %s: not loaded: %s", id,
			            l->item[k].rc < 0 ? drove_strerror(l->item[k].rc)
			                              : drove_error_last()->message);
			drove__ls_info_free(info);
			continue;
		}
		if (drove__lsvc_svc_adopt(c, info, &svcs[k]) < 0)
			svcs[k] = NULL;
	}
	if (drove__record_get_rows(c->store, DROVE_RECORD_LOCAL_SERVICE_INSTANCE, &rows) == 0)
		for (size_t j = 0; j < rows->n; j++) {
			const struct drove__record_row *w = &rows->row[j];
			struct svc *s = w->rc == 0 ? drove__lsvc_svc_find(c, w->parent) : NULL;
			drove_ls_instance_info *ii = NULL;
			if (s && drove__ls_instance_info_decode(w->data, w->len, 0, &ii, NULL,
			                                        NULL) == 0)
				lsi_add(s, ii, now, NULL); /* fresh until proven otherwise */
		}
	drove_error_clear();
	for (size_t k = 0; k < n; k++) {
		struct svc *s = svcs[k];
		if (!s)
			continue;
		drove__lsvc_svc_set_state(c, s,
		                          drove__lsvc_stable_state((int)s->info->activation_state));
		s->dirty = true;
	}
out:
	free(svcs);
	drove__record_rows_free(rows);
	drove__store_many_free(l);
	drove_strlist_free(ids);
}

/* ---- destroying a service (the DESTROY operation, the stale-data cleaner) ---- */

int drove__lsvc_destroy(drove_controller *c, struct svc *s)
{
	char *path = NULL;
	drove__lsvc_svc_set_state(c, s, DROVE_LS_DESTROY_REQUESTED);
	if (drove_record_path(DROVE_RECORD_LOCAL_SERVICE_INSTANCE, s->id, "x", &path) == 0) {
		char *slash = strrchr(path, '/');
		if (slash)
			*slash = '\0';
		drove_store_delete_recursive(c->store, path);
	}
	drove_free(path);
	if (drove_record_delete(c->store, DROVE_RECORD_LOCAL_SERVICE, NULL, s->id) < 0 &&
	    drove_error_last()->code != DROVE_ENOTFOUND) {
		drove__lsvc_svc_set_state(c, s, DROVE_LS_INACTIVE);
		return drove_error_last()->code;
	}
	drove__lsvc_svc_set_state(c, s, DROVE_LS_DESTROYED);
	drove__info(c->ctx, MOD, "local service %s: destroyed", s->id);
	drove__lsvc_svc_remove(c, s);
	return 0;
}

void drove__ctrl_lsvc_clean_stale(drove_controller *c, int64_t now)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	int64_t age = c->cfg->ctrl.options.stale_service_age_ms;
	for (size_t k = 0; L && k < L->n;) {
		struct svc *s = L->v[k];
		if (s->state == DROVE_LS_INACTIVE && s->n_starts == 0 && s->info->updated > 0 &&
		    now - s->info->updated > age) {
			drove__info(c->ctx, MOD,
			            "local service %s: INACTIVE for longer than %lld ms", s->id,
			            (long long)age);
			if (drove__lsvc_destroy(c, s) == 0)
				continue; /* removed: the next one moved to k */
			drove_error_clear();
		}
		k++;
	}
}
