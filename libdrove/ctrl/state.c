/* The controller's state, the bottom layer of ctrl: the sorted app registry and instance
 * records, the cluster state (maintenance window), events published to the log, and persisting
 * apps and instances to the store. Everything above uses it; it calls nothing above it (a
 * job is freed through the engine's free_job hook). docs/architecture.md. */
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/state.h"

#define MOD "ctrl"

#include "store/store_internal.h"

/* ---- small helpers ---- */

static int app_cmp_key(const char *id, const drove__ctrl_app *a)
{
	return strcmp(id, a->id);
}

static size_t app_lower(drove_controller *c, const char *id)
{
	size_t lo = 0, hi = c->n_apps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (app_cmp_key(id, c->apps[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

drove__ctrl_app *drove__ctrl_app_find(drove_controller *c, const char *id)
{
	size_t i;
	if (!id)
		return NULL;
	i = app_lower(c, id);
	return i < c->n_apps && !strcmp(c->apps[i]->id, id) ? c->apps[i] : NULL;
}

static int app_insert(drove_controller *c, drove__ctrl_app *app)
{
	size_t i = app_lower(c, app->id);
	if (drove__grow(&c->apps, &c->cap_apps, c->n_apps + 1, sizeof(*c->apps)) < 0)
		return DROVE_ENOMEM;
	memmove(c->apps + i + 1, c->apps + i, (c->n_apps - i) * sizeof(*c->apps));
	c->apps[i] = app;
	c->n_apps++;
	drove__ctrl_apps_changed(c);
	return 0;
}

drove__ctrl_inst *drove__ctrl_inst_find(drove__ctrl_app *app, const char *instance_id)
{
	for (size_t i = app->n_insts; i > 0; i--)
		if (!strcmp(app->insts[i - 1]->info->instance_id, instance_id))
			return app->insts[i - 1];
	return NULL;
}

void drove__ctrl_app_free(drove_controller *c, drove__ctrl_app *app)
{
	if (!app)
		return;
	drove__ctrl_apps_changed(c);
	if (app->job)
		c->free_job(c, app->job); /* jobs.c, through the hook the engine sets */
	for (size_t i = 0; i < app->n_insts; i++)
		drove__ctrl_inst_free(app->insts[i]);
	free(app->insts);
	drove__app_info_free(app->info);
	drove_sched_policy_free(app->policy);
	free(app->view_json);
	free(app->id);
	free(app);
}

/* A new in-memory app for `info` (taken). */
static int app_new(drove_controller *c, drove_app_info *info, drove__ctrl_app **out)
{
	drove__ctrl_app *app = calloc(1, sizeof(*app));
	int rc;

	if (!app) {
		drove__app_info_free(info);
		return drove__enomem();
	}
	app->info = info;
	app->state = DROVE_APP_INIT;
	if (!(app->id = drove__strdup(info->app_id))) {
		drove__ctrl_app_free(c, app);
		return DROVE_ENOMEM;
	}
	if ((rc = drove__ctrl_policy_convert(info->spec->placement_policy, &app->policy)) < 0) {
		drove__ctrl_app_free(c, app);
		return rc;
	}
	app->cpus = drove__resources_cpus(info->spec->resources, info->spec->n_resources);
	app->mem_mb = drove__resources_memory_mb(info->spec->resources, info->spec->n_resources);
	*out = app;
	return 0;
}

int drove__ctrl_app_adopt(drove_controller *c, drove_app_info *info, drove__ctrl_app **out)
{
	drove__ctrl_app *app = NULL;
	int rc;
	if ((rc = app_new(c, info, &app)) < 0)
		return rc;
	if ((rc = app_insert(c, app)) < 0) {
		drove__ctrl_app_free(c, app);
		return rc;
	}
	*out = app;
	return 0;
}

int drove__ctrl_app_add_inst(drove_controller *c, drove__ctrl_app *app, drove_instance_info *info,
                             int64_t seen)
{
	drove__ctrl_inst *in = calloc(1, sizeof(*in));
	if (!in ||
	    drove__grow(&app->insts, &app->cap_insts, app->n_insts + 1, sizeof(*app->insts)) < 0) {
		free(in);
		drove__instance_info_free(info);
		return drove__enomem();
	}
	in->info = info;
	in->seen_ms = seen;
	if (drove__ctrl_byexec_add(&c->byexec, app, in) < 0) {
		drove__ctrl_inst_free(in);
		return DROVE_ENOMEM;
	}
	app->insts[app->n_insts++] = in;
	return 0;
}

bool drove__ctrl_in_window(drove_controller *c)
{
	return c->cluster_state == DROVE_CLUSTER_MAINTENANCE ||
	       drove_time_wall_ms() - c->cluster_updated < c->window_tail_ms;
}

void drove__ctrl_count_placement(drove_controller *c, const char *kind, int rc)
{
	const char *v[] = {kind, rc == 0                   ? "placed"
	                         : rc == DROVE_ENORESOURCE ? "no_resources"
	                                                   : "error"};
	if (c->m.placements)
		drove_metric_add(c->m.placements, v, 1);
}

void drove__ctrl_publish(drove_controller *c, drove_event *ev)
{
	if (!ev)
		return;
	if (!c->leader) {
		drove__event_free(ev);
		return;
	}
	if (c->m.events) {
		const char *v[] = {drove_event_type_name((int)ev->type)};
		if (v[0])
			drove_metric_add(c->m.events, v, 1);
	}
	drove__ctrl_events_add(&c->events, ev);
}

void drove__ctrl_publish_filled(drove_controller *c, drove_event *ev, int fill_rc)
{
	if (fill_rc < 0) {
		drove__event_free(ev);
		return;
	}
	drove__ctrl_publish(c, ev);
}

void drove__ctrl_app_set_state(drove_controller *c, drove__ctrl_app *app, int state)
{
	drove_event *ev;

	if (!drove__ctrl_transition_ok(app->state, state))
		drove__warn(c->ctx, MOD, "app %s: unexpected transition %s -> %s", app->id,
		            drove_app_state_name(app->state), drove_app_state_name(state));
	drove__debug(c->ctx, MOD, "app %s: %s -> %s", app->id, drove_app_state_name(app->state),
	             drove_app_state_name(state));
	app->state = state;
	drove__ctrl_apps_changed(c);
	ev = drove__ctrl_event_new(c->ctx, DROVE_EVENT_APP_STATE_CHANGE);
	drove__ctrl_publish_filled(c, ev, ev ? drove__ctrl_event_app(ev, app) : 0);
}

int drove__ctrl_app_persist(drove_controller *c, drove__ctrl_app *app)
{
	char *json = NULL;
	int rc;

	app->info->updated = drove_time_wall_ms();
	drove__ctrl_apps_changed(c);
	if ((rc = drove__app_info_encode(app->info, &json)) < 0)
		return rc;
	rc = drove_record_put(c->store, DROVE_RECORD_APPLICATION, NULL, app->id, json,
	                      strlen(json));
	free(json);
	return rc;
}

void drove__ctrl_inst_persist(drove_controller *c, const drove_instance_info *info)
{
	char *json = NULL;
	drove__ctrl_apps_changed(c); /* every change of an instance's state is stored */
	if (!c->store || drove__instance_info_encode(info, &json) < 0)
		return;
	if (drove_record_put_async(c->store, DROVE_RECORD_INSTANCE, info->app_id, info->instance_id,
	                           json, strlen(json), NULL, NULL) < 0)
		drove__warn(c->ctx, MOD, "instance %s: not stored: %s", info->instance_id,
		            drove_error_last()->message);
	free(json);
}

int drove_controller_is_leader(const drove_controller *c)
{
	return c && c->leader && c->election && drove_election_is_leader(c->election);
}
