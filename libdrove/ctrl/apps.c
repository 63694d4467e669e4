/* The application kind above its jobs: what reports and executor loss do to app instance
 * records, stale records, pruning old ones, and recovery of an app whose healthy count is off.
 * Called by the executor intake (execs.c) and the engine; calls jobs.c and state.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "config/config.h"
#include "ctrl/kinds.h"

#define MOD "ctrl"

static void inst_event(drove_controller *c, const drove_instance_info *info)
{
	drove_event *ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_INSTANCE_STATE_CHANGE);
	drove__ctrl_publish_filled(c, ev, ev ? drove__ctrl_event_instance(ev, info) : 0);
}

void drove__ctrl_apply_instance(drove_controller *c, const drove_instance_info *info)
{
	drove__ctrl_app *app;
	drove__ctrl_inst *in;
	drove_instance_info *copy = NULL;
	int64_t now = drove_time_wall_ms();
	bool changed;

	if (!info->instance_id || !(app = drove__ctrl_app_find(c, info->app_id)))
		return; /* unknown app: EXPECTED_INSTANCES marks it stale */
	in = drove__ctrl_inst_find(app, info->instance_id);
	if (in && info->updated <= in->info->updated)
		return;
	/* LOST is the leader's verdict and final: the instance was replaced. Its executor, back
	 * after a partition or a stall, reports it running again; the record stays LOST and
	 * EXPECTED_INSTANCES lists it as stale, so the executor stops it (a second HEALTHY copy
	 * would make the app one too many and a scale-down could stop the replacement or an
	 * instance that never moved). */
	if (in && in->info->state == DROVE_INST_LOST &&
	    drove_instance_state_is_active((int)info->state))
		return;
	if (in && in->info->state == info->state &&
	    (!in->info->local_info) == (!info->local_info)) {
		/* the common case (snapshots): only freshness changes; a stale record becoming
		 * fresh again changes what the app lists show */
		if (!drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
			drove__ctrl_apps_changed(c);
		in->info->updated = info->updated;
		in->seen_ms = now;
		return;
	}
	if (drove__instance_info_copy(info, &copy) < 0)
		return;
	drove__ctrl_apps_changed(c);
	if (!in) {
		if (drove__ctrl_app_add_inst(c, app, copy, now) < 0)
			return;
		changed = true;
	} else {
		changed = in->info->state != copy->state ||
		          (!in->info->local_info) != (!copy->local_info);
		drove__instance_info_free(in->info);
		in->info = copy;
		in->seen_ms = now;
		if (drove__ctrl_byexec_add(&c->byexec, app, in) < 0)
			drove_error_clear(); /* not indexed: its executor's snapshot lists it */
	}
	if (changed) {
		drove__ctrl_inst_persist(c, copy);
		inst_event(c, copy);
		if (app->job)
			drove__ctrl_job_step(c, app);
	}
}

void drove__ctrl_mark_lost(drove_controller *c, drove__ctrl_inst *in, const char *why)
{
	char *msg = drove__strdup(why);
	if (!msg)
		return;
	in->info->state = DROVE_INST_LOST;
	free(in->info->error_message);
	in->info->error_message = msg;
	in->info->updated = drove_time_wall_ms();
	drove__ctrl_inst_persist(c, in->info);
	inst_event(c, in->info);
}

void drove__ctrl_apps_executor_lost(drove_controller *c, const char *exec_id)
{
	for (size_t a = 0; a < c->n_apps; a++) {
		drove__ctrl_app *app = c->apps[a];
		bool any = false;
		for (size_t i = 0; i < app->n_insts; i++) {
			drove__ctrl_inst *in = app->insts[i];
			if (drove__streq(in->info->executor_id, exec_id) &&
			    drove_instance_state_is_active((int)in->info->state)) {
				drove__ctrl_mark_lost(c, in, "Instance lost");
				any = true;
			}
		}
		if (any && app->job)
			drove__ctrl_job_step(c, app);
	}
}

/* The leader's record of a reported instance, or NULL. */
static const drove_instance_info *record_of(const drove_instance_info *info, void *ud)
{
	drove__ctrl_app *app = info->app_id ? drove__ctrl_app_find(ud, info->app_id) : NULL;
	drove__ctrl_inst *in =
	        app && info->instance_id ? drove__ctrl_inst_find(app, info->instance_id) : NULL;
	return in ? in->info : NULL;
}

bool drove__ctrl_app_inst_lost(const drove_instance_info *info, void *ud)
{
	const drove_instance_info *r = record_of(info, ud);
	return r && r->state == DROVE_INST_LOST;
}

bool drove__ctrl_app_inst_live(const drove_instance_info *info, void *ud)
{
	const drove_instance_info *r = record_of(info, ud);
	return r && drove_instance_state_is_active((int)r->state);
}

void drove__ctrl_apps_hosts(drove_controller *c, void (*fn)(const char *exec_id, void *ud),
                            void *ud)
{
	for (size_t a = 0; a < c->n_apps; a++)
		for (size_t i = 0; i < c->apps[a]->n_insts; i++) {
			const drove_instance_info *in = c->apps[a]->insts[i]->info;
			if (in->executor_id && *in->executor_id &&
			    drove_instance_state_is_active((int)in->state))
				fn(in->executor_id, ud);
		}
}

void drove__ctrl_apps_lost_on(drove_controller *c, const char *exec_id,
                              void (*fn)(const char *instance_id, void *ud), void *ud)
{
	for (size_t a = 0; a < c->n_apps; a++)
		for (size_t i = 0; i < c->apps[a]->n_insts; i++) {
			const drove_instance_info *in = c->apps[a]->insts[i]->info;
			if (in->state == DROVE_INST_LOST && in->instance_id && in->executor_id &&
			    !strcmp(in->executor_id, exec_id))
				fn(in->instance_id, ud);
		}
}

/* Keep at most max_old_instances non-active records per app (oldest go). */
void drove__ctrl_prune_old(drove_controller *c, drove__ctrl_app *app)
{
	size_t old = 0;
	for (size_t i = 0; i < app->n_insts; i++)
		if (!drove_instance_state_is_active((int)app->insts[i]->info->state))
			old++;
	while (old > (size_t)c->max_old_instances) {
		size_t victim = SIZE_MAX;
		for (size_t i = 0; i < app->n_insts; i++) {
			drove__ctrl_inst *in = app->insts[i];
			if (drove_instance_state_is_active((int)in->info->state))
				continue;
			if (victim == SIZE_MAX ||
			    in->info->updated < app->insts[victim]->info->updated)
				victim = i;
		}
		if (victim == SIZE_MAX)
			break;
		drove_record_delete_async(c->store, DROVE_RECORD_INSTANCE, app->id,
		                          app->insts[victim]->info->instance_id, NULL, NULL);
		drove__ctrl_inst_free(app->insts[victim]);
		memmove(app->insts + victim, app->insts + victim + 1,
		        (app->n_insts - victim - 1) * sizeof(*app->insts));
		app->n_insts--;
		old--;
	}
}

/* RUNNING/MONITORING app whose fresh HEALTHY count differs from the expected: RECOVER. */
void drove__ctrl_check_app_at(drove_controller *c, drove__ctrl_app *app, int64_t now)
{
	int64_t healthy = 0;

	if (app->job || (app->state != DROVE_APP_RUNNING && app->state != DROVE_APP_MONITORING))
		return;
	for (size_t i = 0; i < app->n_insts; i++)
		if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
		    drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			healthy++;
	if (healthy == app->info->instances)
		return;
	drove__info(c->ctx, MOD, "app %s: %lld healthy, %lld expected: recovering", app->id,
	            (long long)healthy, (long long)app->info->instances);
	drove__ctrl_app_set_state(c, app, DROVE_APP_OUTAGE_DETECTED);
	drove__ctrl_app_set_state(c, app, DROVE_APP_SCALING_REQUESTED);
	drove__ctrl_job_scale(c, app, app->info->instances, NULL); /* the default opSpec */
}

void drove__ctrl_check_app(drove_controller *c, drove__ctrl_app *app)
{
	if (c->ready && !drove__ctrl_in_window(c))
		drove__ctrl_check_app_at(c, app, drove_time_wall_ms());
}

void drove__ctrl_apps_clean_stale(drove_controller *c, int64_t now)
{
	const drove__cfg_controller_options *o = &c->cfg->ctrl.options;
	for (size_t a = 0; a < c->n_apps; a++) {
		drove__ctrl_app *app = c->apps[a];
		if (app->state == DROVE_APP_MONITORING && !app->job && app->info->updated > 0 &&
		    now - app->info->updated > o->stale_app_age_ms) {
			drove__info(c->ctx, MOD,
			            "app %s: MONITORING for longer than %lld ms: destroying",
			            app->id, (long long)o->stale_app_age_ms);
			drove__ctrl_app_set_state(c, app, DROVE_APP_DESTROY_REQUESTED);
			drove__ctrl_job_destroy(c, app);
			continue;
		}
		for (size_t i = 0; i < app->n_insts;) {
			drove__ctrl_inst *in = app->insts[i];
			if (!drove_instance_state_is_active((int)in->info->state) &&
			    now - in->info->updated > o->stale_instance_age_ms) {
				drove_record_delete_async(c->store, DROVE_RECORD_INSTANCE, app->id,
				                          in->info->instance_id, NULL, NULL);
				drove__ctrl_inst_free(in);
				memmove(app->insts + i, app->insts + i + 1,
				        (app->n_insts - i - 1) * sizeof(*app->insts));
				app->n_insts--;
				continue;
			}
			i++;
		}
	}
}
