/*
 * The Epoch engine: leadership through the store, the fence, the timetable of ACTIVE
 * topologies, firing (drove_epoch_step: each scheduled time at most once), and runs followed
 * on Drove to their end. Blocking calls (task CREATE, status, KILL, DELETE, SMTP, run
 * retention) go to the worker pool; their results come back on the loop thread, where all
 * the state below lives.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include "core/internal.h"
#include "client/client_internal.h"
#include "core/loop_internal.h"
#include "epoch/ctl.h"
#include "epoch/engine.h"
#include "epoch/fire.h"
#include "epoch/records.h"
#include "epoch/runs.h"
#include "model/codec.h"
#include "store/store_internal.h"

#define MOD            "epoch"
#define WORKERS        4
#define START_TRIES    10
#define NOTFOUND_TRIES 10
#define FLUSH_MS       100
#define CTL_INFLIGHT   64    /* exchanges with the controller in flight at once */
#define LOAD_WINDOW    512   /* topologies being read at once after taking the lead */
#define FIRE_JOB_MAX   16384 /* topologies of one fire job (one fire record write) */
#define THROTTLE_MS    50    /* firing waits this long at a time for the store */
#define AHEAD_MS       500   /* a CRON time is fired (fenced, runs ready) this much before it */

/* ---- topologies ---- */

static size_t topo_pos(const drove_epoch *e, const char *id, int *found)
{
	size_t lo = 0, hi = e->ntopos;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(drove_epoch_topology_name(e->topos[mid]->t), id);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

static drove__etopo *topo_find(const drove_epoch *e, const char *id)
{
	int found;
	size_t i = topo_pos(e, id, &found);
	return found ? e->topos[i] : NULL;
}

/* Take `tp` out of the timetable / AT set. */
static void unschedule(drove_epoch *e, drove__etopo *tp)
{
	if (drove_epoch_topology_trigger(tp->t) == DROVE_EPOCH_TRIGGER_CRON) {
		if (drove_epoch_timetable_remove(e->tt, drove_epoch_topology_name(tp->t)) < 0)
			drove_error_clear();
	} else if (tp->at_pending) {
		tp->at_pending = 0;
		e->n_at--;
	}
}

static void topo_remove(drove_epoch *e, const char *id)
{
	int found;
	size_t i = topo_pos(e, id, &found);
	if (!found)
		return;
	drove__etopo *tp = e->topos[i];
	unschedule(e, tp);
	memmove(&e->topos[i], &e->topos[i + 1], (e->ntopos - i - 1) * sizeof(*e->topos));
	e->ntopos--;
	drove__etopo_unref(tp);
}

/* Insert or replace (the old one goes; runs keep their reference). Takes `t`. */
static drove__etopo *topo_set(drove_epoch *e, drove_epoch_topology *t, int state, int64_t last_ms)
{
	drove__etopo *tp = calloc(1, sizeof(*tp));
	if (!tp) {
		drove_epoch_topology_free(t);
		drove__enomem();
		return NULL;
	}
	tp->t = t;
	tp->refs = 1;
	tp->state = state;
	tp->last_ms = last_ms;
	topo_remove(e, drove_epoch_topology_name(t));
	if (e->ntopos == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		drove__etopo **n = realloc(e->topos, cap * sizeof(*n));
		if (!n) {
			drove__etopo_unref(tp);
			drove__enomem();
			return NULL;
		}
		e->topos = n;
		e->cap = cap;
	}
	int found;
	size_t i = topo_pos(e, drove_epoch_topology_name(t), &found);
	memmove(&e->topos[i + 1], &e->topos[i], (e->ntopos - i) * sizeof(*e->topos));
	e->topos[i] = tp;
	e->ntopos++;
	return tp;
}

/* ---- firing ---- */

static void demote(drove_epoch *e, const char *why);
static void publish(drove_epoch *e);

static void fire_work(drove__ejob *base, drove_client *client)
{
	(void)client;
	drove__fire_work((struct drove__fire_job *)base);
}

static void fire_done(drove__ejob *base, int cancelled)
{
	struct drove__fire_job *j = (struct drove__fire_job *)base;
	drove_epoch *e = j->e;
	const char *stale = NULL;
	int mine = !cancelled && e->leader && j->fence == e->fence;
	/* the fire records: deleted once the runs they fenced have their own records; not
	 * mine: left for whoever leads next */
	struct drove__efire *fr = NULL;
	if (mine && j->nodes && drove_strlist_count(j->nodes)) {
		fr = drove__efire_new(e, j->nodes);
		j->nodes = NULL;
	}

	for (size_t i = 0; i < j->n; i++) {
		struct drove__fire_member *m = &j->m[i];
		const char *name = drove_epoch_topology_name(m->tp->t);
		drove__etopo *cur = mine ? topo_find(e, name) : NULL;
		m->tp->firing = 0;
		if (!mine) {
			/* a run recorded here is followed by whoever leads next (it is RUNNING) */
		} else if (m->rc == DROVE_ESTALE) {
			stale = m->msg ? m->msg : "the fence moved";
		} else if (m->rc < 0) {
			drove__warn(e->ctx, MOD, "topology %s: %s", name, m->msg ? m->msg : "");
		} else {
			if (cur && m->handled > cur->last_ms)
				cur->last_ms = m->handled;
			if (cur && !m->fast && (m->rid || m->handled > m->last_ms))
				cur->runs_parent = 1;
			/* the SKIPPED records are finished runs for retention (oldest first) */
			for (size_t k = 0; k < m->nskipped; k++)
				drove__etopo_done(e, cur ? cur : m->tp, m->skipped[k]);
			if (m->rid) {
				e->fired++;
				drove_metric_add(e->m.fired, (const char *[]){"SCHEDULED"}, 1);
				int64_t late = drove_time_wall_ms() - m->handled;
				drove__debug(e->ctx, MOD,
				             "topology %s: run %s fired (%" PRId64 " ms %s)", name,
				             m->rid, late < 0 ? -late : late,
				             late < 0 ? "ahead: its CREATE waits for the time"
				                      : "late");
				if (drove__erun_add(e, cur ? cur : m->tp, m->rid,
				                    DROVE_EPOCH_RUN_SCHEDULED, j->now,
				                    m->fast ? fr : NULL) < 0) {
					drove__err(e->ctx, MOD, "run %s: out of memory", m->rid);
					if (m->fast && fr)
						fr->pending++; /* kept: the next leader follows it
						                */
				}
			}
		}
	}
	drove__efire_seal(e, fr);
	if (stale && e->leader && j->fence == e->fence)
		demote(e, stale);
	drove_strlist_free(j->nodes);
	for (size_t i = 0; i < j->n; i++) {
		drove__etopo_unref(j->m[i].tp);
		drove_free(j->m[i].rid);
		free(j->m[i].msg);
		drove__fire_forget_skipped(&j->m[i]);
	}
	free(j);
}

/* Queue a step of `tp` for the next fire_flush. @return 1 when queued, 0 when one is under
 * way (it covers this time too, by the misfire rule), nothing is due, or out of memory. */
static int fire_one(drove_epoch *e, drove__etopo *tp, int64_t now)
{
	if (tp->firing)
		return 0;
	tp->fast = 0;
	if (drove_epoch_topology_trigger(tp->t) == DROVE_EPOCH_TRIGGER_CRON) {
		int64_t fire = 0, next = 0;
		size_t skipped = 0;
		int rc = drove_epoch_due(drove_epoch_topology_cron(tp->t), tp->last_ms, now,
		                         e->misfire_ms, &fire, NULL, 0, &skipped, &next);
		if (rc == 0 && !fire && !skipped)
			return 0;
		tp->fast = rc == 0 && fire && !skipped;
		drove_error_clear();
	}
	if (e->nfq == e->fqcap) {
		size_t cap = e->fqcap ? e->fqcap * 2 : 64;
		drove__etopo **n = realloc(e->fq, cap * sizeof(*n));
		if (!n)
			return 0;
		e->fq = n;
		e->fqcap = cap;
	}
	e->fq[e->nfq++] = tp;
	tp->refs++;
	tp->firing = 1;
	return 1;
}

/* Submit the queued steps (loop thread), in jobs of up to FIRE_JOB_MAX. */
static void fire_flush(drove_epoch *e, int64_t now)
{
	size_t done = 0, nfast = 0;
	/* the steady state first, in few jobs (one fire record write each); the others
	 * (misfires, AT) in jobs of DROVE__EPOCH_BATCH_MAX, a run record each */
	for (size_t i = 0; i < e->nfq; i++)
		if (e->fq[i]->fast) {
			drove__etopo *tp = e->fq[i];
			e->fq[i] = e->fq[nfast];
			e->fq[nfast++] = tp;
		}
	while (done < e->nfq) {
		size_t n = done < nfast ? nfast - done : e->nfq - done;
		if (n > (done < nfast ? FIRE_JOB_MAX : DROVE__EPOCH_BATCH_MAX))
			n = done < nfast ? FIRE_JOB_MAX : DROVE__EPOCH_BATCH_MAX;
		struct drove__fire_job *j = calloc(1, sizeof(*j) + n * sizeof(j->m[0]));
		if (j) {
			j->base.work = fire_work;
			j->base.done = fire_done;
			j->e = e;
			j->store = e->store;
			j->fence = e->fence;
			j->now = now;
			j->misfire_ms = e->misfire_ms;
			j->seq = ++e->fire_seq;
			j->n = n;
			for (size_t i = 0; i < n; i++) {
				drove__etopo *tp = e->fq[done + i];
				j->m[i].tp = tp;
				j->m[i].last_ms = tp->last_ms;
				j->m[i].parent_missing = !tp->runs_parent;
			}
		}
		if (!j || drove__epool_submit(e->pool, &j->base) < 0) {
			drove_error_clear();
			for (size_t i = 0; i < n;
			     i++) { /* not queued: tried again on its next time */
				e->fq[done + i]->firing = 0;
				drove__etopo_unref(e->fq[done + i]);
			}
			free(j);
		}
		done += n;
	}
	e->nfq = 0;
}

static void arm_fire(drove_epoch *e);

/* Queue a step of every ACTIVE CRON topology due at `at` or before, for time `at`. */
static void fire_cron(drove_epoch *e, int64_t at)
{
	char *id = NULL;
	int64_t sched;
	while (e->leader && drove_epoch_timetable_pop(e->tt, at, &id, &sched) == 1) {
		drove__etopo *tp = topo_find(e, id);
		if (tp && tp->state == DROVE_EPOCH_ACTIVE)
			fire_one(e, tp, at);
		drove_free(id);
		id = NULL;
	}
}

static void on_fire(evutil_socket_t fd, short what, void *arg)
{
	drove_epoch *e = arg;
	(void)fd;
	(void)what;
	if (!drove__epoch_leads(e))
		return;
	int64_t now = drove_time_wall_ms();
	size_t nrec = e->nrq + e->nrq_busy;
	if (nrec >= DROVE__EPOCH_RECORDS_MAX || e->nlive >= e->max_active) {
		/* backpressure: the store, or the controller, is slower than the fire rate, and
		 * what waits for it (run records; runs not finished) would grow without bound.
		 * Nothing fires until it drains; the times due meanwhile follow the misfire rule.
		 */
		if (!e->throttled_ms) {
			e->throttled_ms = now;
			if (nrec >= DROVE__EPOCH_RECORDS_MAX)
				drove__warn(e->ctx, MOD,
				            "%zu run records waiting for the store: firing waits",
				            nrec);
			else
				drove__warn(e->ctx, MOD,
				            "%zu runs not finished (options.maxActiveRuns): firing "
				            "waits",
				            e->nlive);
		}
		struct timeval tv = {0, THROTTLE_MS * 1000};
		event_add(e->t_fire, &tv);
		return;
	}
	if (e->throttled_ms) {
		drove__warn(e->ctx, MOD, "firing again after waiting %" PRId64 " ms",
		            now - e->throttled_ms);
		e->throttled_ms = 0;
	}
	fire_cron(e, now);
	for (size_t i = 0; e->leader && e->n_at && i < e->ntopos; i++) {
		drove__etopo *tp = e->topos[i];
		if (tp->at_pending && drove_epoch_topology_at(tp->t) <= now &&
		    (tp->state != DROVE_EPOCH_ACTIVE || fire_one(e, tp, now))) {
			tp->at_pending = 0; /* else tried again on the next tick */
			e->n_at--;
		}
	}
	fire_flush(e, now);
	/* CRON times due within AHEAD_MS are fired now, at their scheduled time: fenced and
	 * their runs and CREATEs made ready, the CREATEs sent when the time comes (ctl.h). A
	 * tick's fixed costs (its fire record, 10,000 runs set up) then come before its time
	 * instead of adding to every CREATE's lateness. Times are whole seconds, so those
	 * within AHEAD_MS (< 1 s) share one. */
	int64_t at = drove_epoch_timetable_next(e->tt); /* > now: the loop above took the rest */
	if (e->leader && at > now && at <= now + AHEAD_MS) {
		fire_cron(e, at);
		fire_flush(e, at);
	}
	arm_fire(e);
}

static void arm_fire(drove_epoch *e)
{
	int64_t now = drove_time_wall_ms(), delay = 1000;
	int64_t next = drove_epoch_timetable_next(e->tt);
	if (!e->t_fire || !e->leader)
		return;
	if (next && next - AHEAD_MS - now < delay) /* CRON times: fired ahead (on_fire) */
		delay = next - AHEAD_MS - now;
	for (size_t i = 0; e->n_at && i < e->ntopos; i++)
		if (e->topos[i]->at_pending &&
		    drove_epoch_topology_at(e->topos[i]->t) - now < delay)
			delay = drove_epoch_topology_at(e->topos[i]->t) - now;
	if (delay < 0)
		delay = 0;
	struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)((delay % 1000) * 1000)};
	event_add(e->t_fire, &tv);
}

/* Put an ACTIVE topology on the schedule: misfires since `last_ms` handled now. */
static void schedule(drove_epoch *e, drove__etopo *tp, int catch_up)
{
	int64_t now = drove_time_wall_ms();
	if (tp->state != DROVE_EPOCH_ACTIVE)
		return;
	if (drove_epoch_topology_trigger(tp->t) == DROVE_EPOCH_TRIGGER_AT) {
		if (tp->last_ms < drove_epoch_topology_at(tp->t) && !tp->at_pending) {
			tp->at_pending = 1;
			e->n_at++;
		}
		arm_fire(e);
		return;
	}
	if (catch_up)
		fire_one(e, tp, now);
	int64_t after = tp->last_ms > now ? tp->last_ms : now;
	int rc = drove_epoch_timetable_add(e->tt, drove_epoch_topology_name(tp->t),
	                                   drove_epoch_topology_cron(tp->t), after);
	if (rc < 0 && rc != DROVE_EEXISTS && rc != DROVE_ENOTFOUND)
		drove__warn(e->ctx, MOD, "topology %s: %s", drove_epoch_topology_name(tp->t),
		            drove_error_last()->message);
	drove_error_clear();
	arm_fire(e);
}

struct trim_job {
	drove__ejob base;
	drove_store *store;
	drove_strlist *ids;
	size_t keep;
};

static void trim_work(drove__ejob *base, drove_client *client)
{
	struct trim_job *j = (struct trim_job *)base;
	(void)client;
	for (size_t i = 0; i < drove_strlist_count(j->ids); i++)
		if (drove_epoch_runs_trim(j->store, drove_strlist_get(j->ids, i), j->keep, NULL) <
		    0)
			drove_error_clear();
}

static void trim_done(drove__ejob *base, int cancelled)
{
	struct trim_job *j = (struct trim_job *)base;
	(void)cancelled;
	drove_strlist_free(j->ids);
	free(j);
}

static void on_trim(evutil_socket_t fd, short what, void *arg)
{
	drove_epoch *e = arg;
	struct trim_job *j;
	(void)fd;
	(void)what;
	if (!drove__epoch_leads(e) || !e->keep_runs || !(j = calloc(1, sizeof(*j))))
		return;
	j->base.work = trim_work;
	j->base.done = trim_done;
	j->store = e->store;
	j->keep = e->keep_runs;
	if (drove_strlist_new(&j->ids) < 0) {
		free(j);
		return;
	}
	for (size_t i = 0; i < e->ntopos; i++)
		drove_strlist_add(j->ids, drove_epoch_topology_name(e->topos[i]->t));
	if (drove__epool_submit(e->pool, &j->base) < 0)
		trim_done(&j->base, 1);
	drove_error_clear();
}

/* ---- leadership ---- */

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
	               ? json_object_get_string(v)
	               : NULL;
}

/* A stored run, for ordering by creation time as drove_epoch_runs_list() does. */
struct lrun {
	const char *id;
	struct json_object *j;
	int64_t created;
};

static int lrun_cmp(const void *a, const void *b)
{
	const struct lrun *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* One stored topology into memory (load.c hands it over): its runs still RUNNING are
 * followed again, the newest finished ones are retention's memory, and the newest scheduled
 * time it handled is where its schedule resumes. */
static void load_topo(void *ud, const char *id, const char *doc, int runs_parent, size_t nruns,
                      const struct drove__eload_run *runs)
{
	drove_epoch *e = ud;
	struct json_object *d = NULL, *topo;
	drove_epoch_topology *t = NULL;
	struct lrun *a = nruns ? calloc(nruns, sizeof(*a)) : NULL;

	if ((nruns && !a) || drove__mcodec_parse(doc, strlen(doc), &d) < 0 ||
	    !json_object_object_get_ex(d, "topology", &topo))
		goto out;
	const char *text = json_object_to_json_string_ext(topo, JSON_C_TO_STRING_PLAIN);
	if (drove_epoch_topology_from_json(&t, e->ctx, text, strlen(text), 0, NULL) < 0) {
		drove__warn(e->ctx, MOD, "topology %s: stored document: %s", id,
		            drove_error_last()->message);
		goto out;
	}
	const char *st = jstr(d, "state");
	int state = st && !strcmp(st, "PAUSED")    ? DROVE_EPOCH_PAUSED
	            : st && !strcmp(st, "DELETED") ? DROVE_EPOCH_DELETED
	                                           : DROVE_EPOCH_ACTIVE;
	int64_t last = jint(d, "created");
	if (jint(d, "updated") > last)
		last = jint(d, "updated");
	drove__etopo *tp = topo_set(e, t, state, 0);
	t = NULL;
	if (!tp)
		goto out;
	tp->runs_parent = runs_parent;
	for (size_t i = 0; i < nruns; i++) {
		a[i].id = runs[i].id;
		if (drove__mcodec_parse(runs[i].json, strlen(runs[i].json), &a[i].j) == 0)
			a[i].created = jint(a[i].j, "created");
		drove_error_clear();
	}
	if (nruns)
		qsort(a, nruns, sizeof(*a), lrun_cmp);
	for (size_t k = 0; k < nruns; k++) { /* oldest first; `i` counts from the newest */
		size_t i = nruns - 1 - k;
		const char *rid = a[k].id, *rs = a[k].j ? jstr(a[k].j, "state") : NULL;
		if (!strncmp(rid, "SR-", 3)) {
			int64_t at = strtoll(rid + 3, NULL, 10) * 1000;
			if (at > last)
				last = at;
		}
		if (rs && strcmp(rs, "RUNNING") != 0 && i < e->keep_runs) {
			drove__etopo_done(e, tp, rid); /* retention's memory */
		} else if (rs && !strcmp(rs, "RUNNING")) {
			const char *type = jstr(a[k].j, "runType");
			drove__info(e->ctx, MOD, "run %s/%s: following it again", id, rid);
			drove__erun_add(e, tp, rid,
			                type && !strcmp(type, "INSTANT")
			                        ? DROVE_EPOCH_RUN_INSTANT
			                        : DROVE_EPOCH_RUN_SCHEDULED,
			                jint(a[k].j, "created"), NULL);
		}
	}
	/* the runs an earlier leader fenced in fire records: fired (followed again when they
	 * have no record) */
	size_t nf = 0, f0 = e->adopt ? drove__epoch_fired_find(e->adopt, id, &nf) : 0;
	for (size_t k = 0; k < nf; k++) {
		const char *rid = e->adopt->entries[f0 + k] + strlen(id) + 1;
		int known = 0;
		for (size_t i = 0; i < nruns && !known; i++)
			known = !strcmp(runs[i].id, rid);
		int64_t at = !strncmp(rid, "SR-", 3) ? strtoll(rid + 3, NULL, 10) * 1000 : 0;
		if (at > last)
			last = at;
		if (known)
			continue;
		drove__info(e->ctx, MOD, "run %s/%s: fenced, following it", id, rid);
		if (drove__erun_add(e, tp, rid, DROVE_EPOCH_RUN_SCHEDULED, at, e->adopt_fr) < 0) {
			drove_error_clear();
			if (e->adopt_fr)
				e->adopt_fr->pending++; /* kept for the next leader */
		}
	}
	tp->last_ms = last;
	schedule(e, tp, 1);
out:
	drove_error_clear();
	for (size_t i = 0; a && i < nruns; i++)
		json_object_put(a[i].j);
	free(a);
	drove_epoch_topology_free(t);
	json_object_put(d);
}

/* The fire records found on taking the lead are done with: every run they name is added
 * (`seal`: deleted once those have records), or leadership is gone (left in the store). */
static void adopt_clear(drove_epoch *e, int seal)
{
	drove__epoch_fired_clear(e->adopt);
	free(e->adopt);
	e->adopt = NULL;
	if (seal)
		drove__efire_seal(e, e->adopt_fr);
	e->adopt_fr = NULL; /* not sealed: freed with the runs (drove__eruns_drop) */
}

/* Every stored topology is read: writes are taken from now on. */
static void load_done(void *ud)
{
	drove_epoch *e = ud;
	drove__info(e->ctx, MOD, "%zu topologies loaded", e->ntopos);
	drove__eload_free(e->loader);
	e->loader = NULL;
	e->loading = 0;
	publish(e);
	adopt_clear(e, 1);
	fire_flush(e, drove_time_wall_ms());
	arm_fire(e);
}

static void clear_state(drove_epoch *e)
{
	adopt_clear(e, 0);
	for (size_t i = 0; i < e->nfq; i++) {
		e->fq[i]->firing = 0;
		drove__etopo_unref(e->fq[i]);
	}
	e->nfq = 0;
	drove__eruns_drop(e);
	drove__eload_free(e->loader); /* reads in flight are dropped */
	e->loader = NULL;
	e->loading = 0;
	while (e->ntopos)
		topo_remove(e, drove_epoch_topology_name(e->topos[e->ntopos - 1]->t));
	e->n_at = 0;
	drove_epoch_timetable_free(e->tt);
	e->tt = NULL;
	if (drove_epoch_timetable_new(&e->tt) < 0)
		drove_error_clear();
	publish(e);
}

static void on_acquired(drove_epoch *e, int64_t term)
{
	drove_strlist *ids = NULL;
	int fence;
	if (drove_epoch_fence(e->store, term, &fence) < 0) {
		drove__err(e->ctx, MOD, "leadership of term %" PRId64 ": no fence: %s", term,
		           drove_error_last()->message);
		drove_error_clear();
		return;
	}
	e->term = term;
	e->fence = fence;
	/* the runs' root, so that batched run records need only their topology's parent */
	if (drove_store_create(e->store, "/runs", "", 0,
	                       DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL) < 0)
		drove_error_clear();
	if (drove_store_create(e->store, DROVE__EPOCH_FIRED_DIR, "", 0,
	                       DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL) < 0)
		drove_error_clear();
	clear_state(e);
	/* what earlier leaders fenced in fire records (none can add any now: the fence moved)
	 * counts as fired; read before any topology fires */
	size_t bad = 0;
	if (!(e->adopt = calloc(1, sizeof(*e->adopt))) ||
	    drove__epoch_fired_read(e->store, e->adopt, &bad) < 0) {
		drove__err(e->ctx, MOD, "leadership of term %" PRId64 ": fire records: %s", term,
		           e->adopt ? drove_error_last()->message : "out of memory");
		drove_error_clear();
		adopt_clear(e, 0);
		return;
	}
	if (bad)
		drove__warn(e->ctx, MOD, "%zu fire records unreadable: skipped", bad);
	if (e->adopt->n)
		drove__info(e->ctx, MOD, "%zu runs fenced by an earlier leader", e->adopt->n);
	drove_strlist *nodes = e->adopt->nodes;
	e->adopt->nodes = NULL;
	if (drove_strlist_count(nodes) && !(e->adopt_fr = drove__efire_new(e, nodes))) {
		drove_error_clear();
		adopt_clear(e, 0);
		return;
	}
	if (!e->adopt_fr)
		drove_strlist_free(nodes);
	e->leader = 1;
	drove__info(e->ctx, MOD, "leader (term %" PRId64 ", fence %d)", term, fence);
	/* the topologies are read in a pipeline (load.c); they fire as they come in */
	if (drove_epoch_topology_ids(e->store, &ids) < 0) {
		drove__err(e->ctx, MOD, "leadership of term %" PRId64 ": topologies: %s", term,
		           drove_error_last()->message);
		drove_error_clear();
		return;
	}
	e->loading = 1;
	if (drove__eload_start(&e->loader, e->store, ids, LOAD_WINDOW, load_topo, load_done, e) <
	    0) {
		e->loading = 0;
		drove_error_clear();
	}
}

static void on_election(drove_election *el, int event, int64_t term, void *ud)
{
	drove_epoch *e = ud;
	(void)el;
	if (event == DROVE_STORE_LEADER_ACQUIRED) {
		on_acquired(e, term);
	} else if (event == DROVE_STORE_LEADER_LOST) {
		drove__warn(e->ctx, MOD, "leadership lost");
		e->leader = 0;
		clear_state(e);
	}
	publish(e);
}

/* The fence moved: another leader records runs now. Stop, and contend again. */
static void demote(drove_epoch *e, const char *why)
{
	drove__err(e->ctx, MOD, "no longer leader: %s", why);
	drove_error_clear();
	e->leader = 0;
	clear_state(e);
	drove_election_cancel(e->election);
	e->election = NULL;
	if (drove_store_elect(e->store, e->leader_hp, strlen(e->leader_hp), on_election, e,
	                      &e->election) < 0) {
		drove__err(e->ctx, MOD, "cannot contend again: %s", drove_error_last()->message);
		drove_error_clear();
	}
}

int drove__epoch_leads(const drove_epoch *e)
{
	return e && e->leader && e->election && drove_election_is_leader(e->election);
}

static void publish(drove_epoch *e)
{
	int v = e->leader && e->election && drove_election_is_leader(e->election) && !e->loading;
	__atomic_store_n(&e->pub_leader, v, __ATOMIC_RELEASE);
}

int drove__epoch_published_leader(const drove_epoch *e)
{
	return e ? __atomic_load_n(&e->pub_leader, __ATOMIC_ACQUIRE) : 0;
}

/* ---- what the REST layer asks ---- */

/* The topologies are still being read (load.c): what they hold is not known yet. */
static int still_loading(const drove_epoch *e)
{
	if (!e->loading)
		return 0;
	return drove__error(DROVE_EUNAVAIL,
	                    "the leader is still reading its topologies (%zu of %zu): try again",
	                    drove__eload_progress(e->loader), e->ntopos);
}

int drove__epoch_put(drove_epoch *e, drove_epoch_topology *t, int create)
{
	int64_t now = drove_time_wall_ms();
	const char *id = drove_epoch_topology_name(t);
	drove__etopo *old = topo_find(e, id);
	int state = old ? old->state : DROVE_EPOCH_ACTIVE, rc;

	if ((rc = still_loading(e)) < 0) {
		drove_epoch_topology_free(t);
		return rc;
	}
	if (!create && !old) {
		drove_epoch_topology_free(t);
		return drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
	}
	if ((rc = drove_epoch_topology_save(e->store, t, state, now, create)) < 0) {
		drove_epoch_topology_free(t);
		return rc;
	}
	if (old)
		unschedule(e, old);
	drove__etopo *tp = topo_set(e, t, state, now);
	if (!tp)
		return DROVE_ENOMEM;
	schedule(e, tp, 0);
	return 0;
}

int drove__epoch_pause(drove_epoch *e, const char *id, int paused)
{
	drove__etopo *tp = topo_find(e, id);
	int64_t now = drove_time_wall_ms();
	int rc;
	if ((rc = still_loading(e)) < 0)
		return rc;
	if (!tp)
		return drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
	int state = paused ? DROVE_EPOCH_PAUSED : DROVE_EPOCH_ACTIVE;
	if (tp->state == state)
		return 0;
	if ((rc = drove_epoch_topology_set_state(e->store, id, state, now)) < 0)
		return rc;
	unschedule(e, tp);
	tp->state = state;
	if (!paused) {
		if (tp->last_ms < now)
			tp->last_ms = now; /* times missed while paused are not run */
		schedule(e, tp, 0);
	}
	return 0;
}

int drove__epoch_delete(drove_epoch *e, const char *id)
{
	int rc;
	if ((rc = still_loading(e)) < 0)
		return rc;
	if (!topo_find(e, id))
		return drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
	topo_remove(e, id);
	rc = drove_epoch_topology_remove(e->store, id);
	return rc;
}

int drove__epoch_run_now(drove_epoch *e, const char *id, char **rid_out)
{
	drove__etopo *tp = topo_find(e, id);
	int64_t now = drove_time_wall_ms();
	int rc;
	if ((rc = still_loading(e)) < 0)
		return rc;
	if (!tp)
		return drove__error(DROVE_ENOTFOUND, "No such topology: %s", id);
	char *rid = drove__asprintf("IR-%" PRId64 "-%" PRId64, now, ++e->instant_seq);
	if (!rid)
		return DROVE_ENOMEM;
	rc = drove_epoch_run_begin(e->store, e->fence, id, rid, DROVE_EPOCH_RUN_INSTANT,
	                           DROVE_EPOCH_RUN_RUNNING, NULL, now);
	if (rc == DROVE_ESTALE) {
		free(rid);
		demote(e, drove_error_last()->message);
		return drove__error(DROVE_EUNAVAIL, "this node is not the leader");
	}
	if (rc < 0 || (rc = drove__erun_add(e, tp, rid, DROVE_EPOCH_RUN_INSTANT, now, NULL)) < 0) {
		free(rid);
		return rc;
	}
	e->fired++;
	drove_metric_add(e->m.fired, (const char *[]){"INSTANT"}, 1);
	*rid_out = rid;
	return 0;
}

int drove__epoch_kill(drove_epoch *e, const char *id, const char *run_id, const char *task,
                      drove__epoch_kill_fn cb, void *userdata)
{
	char *doc = NULL, *task_id = NULL;
	struct json_object *r = NULL, *tasks, *t, *v;
	int rc = drove_epoch_run_get(e->store, id, run_id, &doc);
	if (rc == 0 && drove__mcodec_parse(doc, strlen(doc), &r) == 0 &&
	    json_object_object_get_ex(r, "tasks", &tasks) &&
	    json_object_object_get_ex(tasks, task, &t) &&
	    json_object_object_get_ex(t, "taskId", &v))
		task_id = strdup(json_object_get_string(v));
	json_object_put(r);
	drove_free(doc);
	/* a task started in the last pollInterval is not in the record yet, nor a fenced run
	 * (runs.c): its id is the one the CREATE used */
	drove__etopo *tp =
	        (rc == 0 && !task_id) || (rc == DROVE_ENOTFOUND && drove__erun_live(e, id, run_id))
	                ? topo_find(e, id)
	                : NULL;
	for (size_t i = 0; tp && i < drove_epoch_topology_task_count(tp->t); i++)
		if (!strcmp(drove_epoch_topology_task_name(tp->t, i), task)) {
			task_id = drove__asprintf("%s-%s-%s", id, run_id, task);
			break;
		}
	if (!task_id)
		return rc == DROVE_ENOMEM
		               ? rc
		               : drove__error(DROVE_ENOTFOUND, "No task exists for %s/%s/%s", id,
		                              run_id, task);
	drove_error_clear();
	rc = drove__eruns_kill(e, task_id, cb, userdata);
	free(task_id);
	return rc;
}

/* ---- polling and retention ---- */

static void on_seen_leader(int rc, const char *data, size_t len, int64_t term, void *ud)
{
	drove_epoch *e = ud;
	(void)term;
	e->seen_lookup = 0;
	free(e->seen_leader);
	e->seen_leader = rc == 0 && data ? drove__strndup(data, len) : NULL;
	drove_error_clear();
}

/* A follower looks up who leads (for its /healthcheck), one lookup at a time. */
static void seen_refresh(drove_epoch *e)
{
	if (!e->store || e->seen_lookup || drove__epoch_leads(e))
		return;
	e->seen_lookup = 1;
	if (drove_store_leader_async(e->store, on_seen_leader, e) < 0) {
		e->seen_lookup = 0;
		drove_error_clear();
	}
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	drove_epoch *e = arg;
	(void)fd;
	(void)what;
	publish(e); /* a fence the store's thread cleared (drove_election_is_leader) */
	if (drove__epoch_leads(e))
		drove__eruns_poll(e);
	else
		seen_refresh(e);
}

/* Run records go to the store in batches, every FLUSH_MS. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	drove_epoch *e = arg;
	(void)fd;
	(void)what;
	if (drove__epoch_leads(e))
		drove__eruns_flush(e);
}

/* ---- lifecycle ---- */

static int64_t cfg_int(const drove_epoch_config *cfg, const char *key, int64_t def)
{
	int64_t v;
	if (drove_epoch_config_get_int(cfg, key, &v) < 0) {
		drove_error_clear();
		return def;
	}
	return v;
}

static int make_client(drove_client **out, void *ud)
{
	drove_epoch *e = ud;
	const drove_epoch_config *cfg = e->cfg;
	const drove_strlist *eps = drove_epoch_config_drove_endpoints(cfg);
	const char *user = drove_epoch_config_get_string(cfg, "drove.username");
	const char *token = drove_epoch_config_get_string(cfg, "drove.droveAuthToken");
	drove_client *c = NULL;
	int rc;

	if ((rc = drove_client_new(&c, e->ctx)) < 0)
		return rc;
	for (size_t i = 0; i < drove_strlist_count(eps); i++)
		if ((rc = drove_client_add_endpoint(c, drove_strlist_get(eps, i))) < 0)
			goto fail;
	if (token && (rc = drove_client_set_auth_header(c, token)) < 0)
		goto fail;
	if (!token && user &&
	    (rc = drove_client_set_basic_auth(
	             c, user, drove_epoch_config_get_string(cfg, "drove.password"))) < 0)
		goto fail;
	drove_client_set_insecure(c, (int)cfg_int(cfg, "drove.insecure", 0));
	if ((rc = drove_client_set_timeouts(c, cfg_int(cfg, "drove.connectionTimeout", 1000),
	                                    cfg_int(cfg, "drove.operationTimeout", 5000) + 5000)) <
	            0 ||
	    (rc = drove_client_set_retries(c, (int)cfg_int(cfg, "drove.rpcRetryCount", 3),
	                                   cfg_int(cfg, "drove.rpcRetryInterval", 1000),
	                                   cfg_int(cfg, "drove.rpcRetryInterval", 1000) * 4)) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	drove_client_free(c);
	return rc;
}

/* The asynchronous link for the runs' exchanges, with make_client's settings; none without
 * endpoints (the runs' tasks then fail as with a worker's missing client). */
static int make_ctl(drove_epoch *e)
{
	const drove_epoch_config *cfg = e->cfg;
	char *auth = NULL;
	int rc;
	if (!drove_strlist_count(drove_epoch_config_drove_endpoints(cfg)))
		return 0;
	/* the same header as make_client's drove_client */
	if ((rc = drove__client_auth_line(
	             drove_epoch_config_get_string(cfg, "drove.droveAuthToken"),
	             drove_epoch_config_get_string(cfg, "drove.username"),
	             drove_epoch_config_get_string(cfg, "drove.password"), &auth)) < 0)
		return rc;
	int64_t retry = cfg_int(cfg, "drove.rpcRetryInterval", 1000);
	drove__ectl_opts o = {.endpoints = drove_epoch_config_drove_endpoints(cfg),
	                      .auth = auth,
	                      .insecure = (int)cfg_int(cfg, "drove.insecure", 0),
	                      .connect_ms = cfg_int(cfg, "drove.connectionTimeout", 1000),
	                      .request_ms = cfg_int(cfg, "drove.operationTimeout", 5000) + 5000,
	                      .retries = (int)cfg_int(cfg, "drove.rpcRetryCount", 3),
	                      .backoff_ms = retry,
	                      .max_backoff_ms = retry * 4,
	                      .check_ms = cfg_int(cfg, "drove.checkInterval", 5000),
	                      .max_inflight = CTL_INFLIGHT};
	rc = drove__ectl_new(&e->ctl, e->ctx, e->loop, &o);
	free(auth);
	return rc;
}

int drove__epoch_engine_init(drove_epoch *e)
{
	const drove_epoch_config *cfg = e->cfg;
	const char *app = drove_epoch_config_get_string(cfg, "drove.appName");
	if (!(e->app_name = strdup(app ? app : "EPOCH")))
		return drove__enomem();
	e->misfire_ms = cfg_int(cfg, "options.misfireWindow", 60000);
	e->poll_ms = cfg_int(cfg, "options.pollInterval", 1000);
	e->max_active = (size_t)cfg_int(cfg, "options.maxActiveRuns", 32768);
	e->task_timeout_s = (cfg_int(cfg, "options.taskTimeout", 300000) + 999) / 1000;
	e->trim_ms = cfg_int(cfg, "options.cleanupJobInterval", 3600000);
	if (e->trim_ms < 1000)
		e->trim_ms = 1000;
	int64_t keep = cfg_int(cfg, "options.numRunsPerJob", 10);
	e->keep_runs = keep > 0 ? (size_t)keep : 10;
	e->mail_on = cfg_int(cfg, "notify.mail", 0) == 1;
	e->mail.server = drove_epoch_config_get_string(cfg, "notify.smtpServer");
	e->mail.port = (int)cfg_int(cfg, "notify.port", 587);
	e->mail.tls = (int)cfg_int(cfg, "notify.tls", 0);
	e->mail.username = drove_epoch_config_get_string(cfg, "notify.username");
	e->mail.password = drove_epoch_config_get_string(cfg, "notify.password");
	e->mail.from = e->mail.username && strchr(e->mail.username, '@') ? e->mail.username
	                                                                 : "epoch@localhost";
	if (e->mail_on && !e->mail.server)
		return drove__error(DROVE_EINVAL, "notify.smtpServer: required for MAIL");
	return drove_epoch_timetable_new(&e->tt);
}

static struct event *timer(drove_epoch *e, int64_t ms, event_callback_fn fn)
{
	struct event *ev = event_new(drove__loop_base(e->loop), -1, ms ? EV_PERSIST : 0, fn, e);
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	if (ev && ms)
		event_add(ev, &tv);
	return ev;
}

/* ---- ZooKeeper session expiry ----
 * The store renews an expired session (store/renew.c), as Curator does for Epoch: Epoch
 * steps down and drops its state; once the workers are done with the old store (a fire or a
 * run's record may be on its way: such a write fails on an expired session and the run is
 * followed by whoever leads next) it is closed, and with the new one Epoch contends again. */
static void store_closing(void *ud)
{
	drove_epoch *e = ud;
	drove__warn(e->ctx, MOD, "store: session expired: stepping down, starting a new session");
	drove_election_cancel(e->election);
	e->election = NULL;
	e->leader = 0;
	clear_state(e);
}

static bool store_busy(void *ud)
{
	drove_epoch *e = ud;
	return drove__epool_busy(e->pool) > 0;
}

static int store_opened(void *ud)
{
	drove_epoch *e = ud;
	(void)drove_store_set_metrics(e->store, e->m.reg); /* its calls, this session's */
	if (drove_store_elect(e->store, e->leader_hp, strlen(e->leader_hp), on_election, e,
	                      &e->election) < 0) {
		drove__warn(e->ctx, MOD, "election: %s: retrying", drove_error_last()->message);
		drove_error_clear();
		return -1;
	}
	drove__info(e->ctx, MOD, "store: new session, contending for leadership again");
	return 0;
}

static void store_failed(void *ud, const char *why)
{
	drove_epoch *e = ud;
	drove__warn(e->ctx, MOD, "store: no new session yet (%s): retrying", why);
}

static const struct drove__store_renew_ops renew_ops = {.closing = store_closing,
                                                        .opened = store_opened,
                                                        .failed = store_failed,
                                                        .busy = store_busy};

int drove__epoch_engine_start(drove_epoch *e)
{
	const drove_epoch_config *cfg = e->cfg;
	drove_store_opts *so = NULL;
	int rc;

	if ((rc = drove__epool_new(&e->pool, e->loop, WORKERS, make_client, e)) < 0)
		return rc;
	drove__epool_set_check(e->pool, cfg_int(cfg, "drove.checkInterval", 5000));
	if ((rc = make_ctl(e)) < 0)
		return rc;
	if ((rc = drove_store_opts_new(&so)) < 0)
		return rc;
	if (drove_epoch_config_zk_connection(cfg)) {
		const char *ns = drove_epoch_config_zk_namespace(cfg);
		char *nsp = drove__asprintf("/%s", ns ? ns : "epoch");
		if (!nsp)
			rc = DROVE_ENOMEM;
		if (rc == 0)
			rc = drove_store_opts_set_zk(so, drove_epoch_config_zk_connection(cfg));
		if (rc == 0)
			rc = drove_store_opts_set_namespace(so, nsp[1] == '/' ? nsp + 1 : nsp);
		free(nsp);
	} else {
		const char *dir = drove_epoch_config_data_dir(cfg);
		rc = drove_store_opts_set_local(so, dir ? dir : "/var/lib/drove-epoch");
	}
	if (rc == 0)
		rc = drove_store_opts_set_session_timeout(so, 10000);
	if (rc < 0) {
		drove_store_opts_free(so);
		return rc;
	}
	if ((rc = drove__store_open_renewing(&e->store, e->loop, so, &renew_ops, e, &e->renew)) < 0)
		return rc; /* `so` taken */
	if (e->store && (rc = drove_store_set_metrics(e->store, e->m.reg)) < 0)
		return rc;
	e->t_fire = timer(e, 0, on_fire);
	e->t_poll = timer(e, e->poll_ms, on_poll);
	e->t_trim = timer(e, e->trim_ms, on_trim);
	e->t_flush = timer(e, FLUSH_MS, on_flush);
	if (!e->t_fire || !e->t_poll || !e->t_trim || !e->t_flush)
		return drove__enomem();
	if (!e->store)
		return 0; /* ZooKeeper not up yet: store_opened elects once it is */
	rc = drove_store_elect(e->store, e->leader_hp, strlen(e->leader_hp), on_election, e,
	                       &e->election);
	seen_refresh(e); /* a follower's /healthcheck names the leader from the start */
	return rc;
}

void drove__epoch_engine_stop(drove_epoch *e)
{
	struct event **evs[] = {&e->t_fire, &e->t_poll, &e->t_trim, &e->t_flush};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(evs); i++)
		if (*evs[i]) {
			event_free(*evs[i]);
			*evs[i] = NULL;
		}
	if (e->election) {
		drove_election_cancel(e->election);
		e->election = NULL;
	}
	e->leader = 0;
	drove__ectl_free(e->ctl); /* exchanges in flight come back cancelled */
	e->ctl = NULL;
	drove__epool_free(e->pool); /* jobs in flight come back cancelled */
	e->pool = NULL;
	clear_state(e);
	free(e->fq);
	e->fq = NULL;
	e->fqcap = 0;
	free(e->rq);
	e->rq = NULL;
	e->rqcap = 0;
	drove_store_close(e->store);
	e->store = NULL;
	drove__store_renew_free(e->renew); /* after the close: it delivers no session event */
	e->renew = NULL;
}
