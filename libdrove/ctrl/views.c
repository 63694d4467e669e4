/* Pure views of the controller's state: API shapes (§2.2, §2.4, §3.8), known-instances
 * classification (§8.5), policy conversion to the scheduler (§9.3), event metadata (§7.1),
 * derived timeouts (§3.6) and the instance spec sent with START_INSTANCE (§8.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/ids.h>
#include <drove/clock.h>

#include "ctrl/model.h"

bool drove__ctrl_inst_fresh(const drove__ctrl_inst *in, int64_t now, int64_t stale_ms)
{
	return in->seen_ms >= now - stale_ms;
}

static int raw_serializer(struct json_object *j, struct printbuf *pb, int level, int flags)
{
	const char *txt = json_object_get_userdata(j);
	(void)level;
	(void)flags;
	return printbuf_memappend(pb, txt, (int)strlen(txt));
}

struct json_object *drove__ctrl_inst_jobj(drove__ctrl_inst *in)
{
	char *txt;

	if (!in->json || in->json_updated != in->info->updated ||
	    in->json_state != (int)in->info->state) {
		if (drove__instance_info_encode(in->info, &txt) < 0)
			return NULL;
		free(in->json);
		in->json = txt;
		in->json_updated = in->info->updated;
		in->json_state = (int)in->info->state;
	}
	/* the text is copied: a reply may outlive a later change of the record */
	return drove__ctrl_raw_jobj(in->json);
}

struct json_object *drove__ctrl_raw_jobj(const char *txt)
{
	struct json_object *j;
	char *copy;

	if (!(copy = drove__strdup(txt)) || !(j = json_object_new_object())) {
		free(copy);
		return NULL;
	}
	json_object_set_serializer(j, raw_serializer, copy, json_object_free_userdata);
	return j;
}

void drove__ctrl_inst_free(drove__ctrl_inst *in)
{
	if (in) {
		drove__ctrl_byexec_del(in);
		drove__instance_info_free(in->info);
		free(in->json);
		free(in);
	}
}

struct json_object *drove__ctrl_strmap_jobj(const drove_strmap *m)
{
	struct json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < drove_strmap_count(m); i++)
		json_object_object_add(o, drove_strmap_key(m, i),
		                       json_object_new_string(drove_strmap_value(m, i)));
	return o;
}

struct json_object *drove__ctrl_app_summary(const drove__ctrl_app *app, int64_t now,
                                            int64_t stale_ms)
{
	struct json_object *o = json_object_new_object();
	const drove_app_spec *s = app->info->spec;
	int64_t healthy = drove__ctrl_app_healthy(app, now, stale_ms);
	const char *st = drove_app_state_name(app->state);

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(app->id));
	json_object_object_add(o, "name", json_object_new_string(s->name ? s->name : ""));
	json_object_object_add(o, "requiredInstances", json_object_new_int64(app->info->instances));
	json_object_object_add(o, "healthyInstances", json_object_new_int64(healthy));
	json_object_object_add(o, "totalCPUs",
	                       json_object_new_int64(app->info->instances * app->cpus));
	json_object_object_add(o, "totalMemory",
	                       json_object_new_int64(app->info->instances * app->mem_mb));
	if (s->tags)
		json_object_object_add(o, "tags", drove__ctrl_strmap_jobj(s->tags));
	if (st)
		json_object_object_add(o, "state", json_object_new_string(st));
	json_object_object_add(o, "created", json_object_new_int64(app->info->created));
	json_object_object_add(o, "updated", json_object_new_int64(app->info->updated));
	return o;
}

static int cmp_created(const void *a, const void *b)
{
	const drove__ctrl_inst *x = *(drove__ctrl_inst *const *)a,
	                       *y = *(drove__ctrl_inst *const *)b;
	if (x->info->created != y->info->created)
		return x->info->created < y->info->created ? -1 : 1;
	return strcmp(x->info->instance_id, y->info->instance_id);
}

struct json_object *drove__ctrl_endpoints(drove__ctrl_app *const *apps, size_t n_apps,
                                          const drove_strlist *names, int64_t now, int64_t stale_ms,
                                          bool in_window)
{
	struct json_object *arr = json_object_new_array();
	drove__ctrl_inst **tmp = NULL;
	size_t cap = 0;

	if (!arr)
		return NULL;
	for (size_t a = 0; a < n_apps; a++) {
		const drove__ctrl_app *app = apps[a];
		const drove_app_spec *s = app->info->spec;
		struct json_object *o, *hosts;
		size_t k = 0;

		if (!drove_app_state_is_active(app->state) || !s->exposure_spec ||
		    !s->n_exposed_ports)
			continue;
		if (names && drove_strlist_count(names) && !drove_strlist_contains(names, s->name))
			continue;
		if (drove__grow(&tmp, &cap, app->n_insts + 1, sizeof(*tmp)) < 0) {
			json_object_put(arr);
			return NULL;
		}
		for (size_t i = 0; i < app->n_insts; i++) {
			drove__ctrl_inst *in = app->insts[i];
			if (in->info->state != DROVE_INST_HEALTHY)
				continue;
			if (!in_window && !drove__ctrl_inst_fresh(in, now, stale_ms))
				continue;
			tmp[k++] = in;
		}
		qsort(tmp, k, sizeof(*tmp), cmp_created);
		o = json_object_new_object();
		hosts = json_object_new_array();
		json_object_object_add(o, "appName", json_object_new_string(s->name));
		json_object_object_add(o, "appId", json_object_new_string(app->id));
		if (s->exposure_spec->vhost)
			json_object_object_add(o, "vhost",
			                       json_object_new_string(s->exposure_spec->vhost));
		if (s->tags)
			json_object_object_add(o, "tags", drove__ctrl_strmap_jobj(s->tags));
		for (size_t i = 0; i < k; i++) {
			const drove_local_info *li = tmp[i]->info->local_info;
			for (size_t p = 0; li && p < li->n_ports; p++) {
				struct json_object *h;
				if (!drove__streq(li->ports[p].name, s->exposure_spec->port_name))
					continue;
				h = json_object_new_object();
				json_object_object_add(
				        h, "host",
				        json_object_new_string(li->hostname ? li->hostname : ""));
				json_object_object_add(h, "port",
				                       json_object_new_int(li->ports[p].host_port));
				json_object_object_add(h, "portType",
				                       json_object_new_string(drove__port_type_name(
				                               li->ports[p].port_type)));
				json_object_array_add(hosts, h);
				break;
			}
		}
		json_object_object_add(o, "hosts", hosts);
		json_object_array_add(arr, o);
	}
	free(tmp);
	return arr;
}

struct json_object *drove__ctrl_masked_spec(const drove_app_spec *spec)
{
	drove_app_spec *copy = NULL;
	struct json_object *j = NULL;

	if (drove__app_spec_copy(spec, &copy) < 0)
		return NULL;
	if (drove__app_spec_mask(copy) == 0)
		j = drove__app_spec_to_jobj(copy);
	drove__app_spec_free(copy);
	return j;
}

static int add_id(char ***v, size_t *n, size_t *cap, const char *id)
{
	char *d;
	if (!(d = drove__strdup(id)))
		return DROVE_ENOMEM;
	if (drove__grow(v, cap, *n + 1, sizeof(char *)) < 0) {
		free(d);
		return DROVE_ENOMEM;
	}
	(*v)[(*n)++] = d;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void sort_unique(char **v, size_t *n)
{
	size_t k = 0;
	if (*n < 2)
		return;
	qsort(v, *n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < *n; i++) {
		if (k && !strcmp(v[k - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
}

/* 1 when `id` is one of the `n` strings of `v`. */
static bool listed(char *const *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], id))
			return true;
	return false;
}

int drove__ctrl_known_instances(const drove_node_data *nd, const drove__ctrl_known_fns *fns,
                                const drove_strlist *extra, const drove_strlist *extra_stale,
                                drove_known_instances **out)
{
	void *userdata = fns->userdata;
	size_t c_ls = 0;
	drove_known_instances *k = calloc(1, sizeof(*k));
	size_t c_known = 0, c_stale = 0, c_task = 0, c_stask = 0, c_sls = 0, n_extra;
	int rc = 0;

	if (!k)
		return drove__enomem();
	for (size_t i = 0; extra && rc == 0 && i < drove_strlist_count(extra); i++)
		rc = add_id(&k->app_instance_ids, &k->n_app_instance_ids, &c_known,
		            drove_strlist_get(extra, i));
	if (rc == 0)
		sort_unique(k->app_instance_ids, &k->n_app_instance_ids);
	n_extra = k->n_app_instance_ids;
	for (size_t i = 0; nd && rc == 0 && i < nd->n_instances; i++) {
		const drove_instance_info *in = &nd->instances[i];
		const char *id = in->instance_id;
		if (!id || (n_extra &&
		            bsearch(&id, k->app_instance_ids, n_extra, sizeof(char *), cmp_str)))
			continue;
		if (in->app_id && !(fns->app_inst_lost && fns->app_inst_lost(in, userdata)) &&
		    (fns->app_expected(in->app_id, userdata) > 0 ||
		     (fns->app_inst_live && fns->app_inst_live(in, userdata))))
			rc = add_id(&k->app_instance_ids, &k->n_app_instance_ids, &c_known, id);
		else
			rc = add_id(&k->stale_app_instance_ids, &k->n_stale_app_instance_ids,
			            &c_stale, id);
	}
	for (size_t i = 0; extra_stale && rc == 0 && i < drove_strlist_count(extra_stale); i++) {
		const char *id = drove_strlist_get(extra_stale, i);
		if (!listed(k->stale_app_instance_ids, k->n_stale_app_instance_ids, id))
			rc = add_id(&k->stale_app_instance_ids, &k->n_stale_app_instance_ids,
			            &c_stale, id);
	}
	for (size_t i = 0; nd && rc == 0 && i < nd->n_tasks; i++) {
		const drove_task_info *t = &nd->tasks[i];
		if (!t->instance_id)
			continue;
		if (fns->task_known ? fns->task_known(t, userdata)
		                    : drove_task_state_is_active((int)t->state))
			rc = add_id(&k->task_instance_ids, &k->n_task_instance_ids, &c_task,
			            t->instance_id);
		else
			rc = add_id(&k->stale_task_instance_ids, &k->n_stale_task_instance_ids,
			            &c_stask, t->instance_id);
	}
	for (size_t i = 0; nd && rc == 0 && i < nd->n_service_instances; i++) {
		const drove_ls_instance_info *li = &nd->service_instances[i];
		if (!li->instance_id)
			continue;
		if (fns->lsi_known && fns->lsi_known(li, userdata))
			rc = add_id(&k->local_service_instance_ids,
			            &k->n_local_service_instance_ids, &c_ls, li->instance_id);
		else
			rc = add_id(&k->stale_local_service_instance_ids,
			            &k->n_stale_local_service_instance_ids, &c_sls,
			            li->instance_id);
	}
	if (rc < 0) {
		drove__known_instances_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

int drove__ctrl_policy_convert(const drove_placement_policy *p, drove_sched_policy **out)
{
	drove_sched_policy *s = NULL;
	int rc;

	if (!p)
		return drove_sched_policy_any(out);
	switch (p->type) {
	case DROVE_PLACE_ANY:
		rc = drove_sched_policy_any(&s);
		break;
	case DROVE_PLACE_ONE_PER_HOST:
		rc = drove_sched_policy_one_per_host(&s);
		break;
	case DROVE_PLACE_MAX_N_PER_HOST:
		rc = drove_sched_policy_max_per_host(&s, p->max);
		break;
	case DROVE_PLACE_MATCH_TAG:
		rc = drove_sched_policy_match_tag(&s, p->tag);
		break;
	case DROVE_PLACE_NO_TAG:
		rc = drove_sched_policy_no_tag(&s);
		break;
	case DROVE_PLACE_LOCAL:
		rc = drove_sched_policy_local(&s, p->host_level);
		break;
	case DROVE_PLACE_RULE_BASED:
		rc = drove_sched_policy_rule(
		        &s, p->rule,
		        p->has_rule_type && p->rule_type == DROVE_RULE_MVEL ? "MVEL" : "HOPE");
		break;
	case DROVE_PLACE_COMPOSITE:
		rc = drove_sched_policy_composite(
		        &s, p->has_combiner && p->combiner == DROVE_COMBINER_OR ? DROVE_SCHED_OR
		                                                                : DROVE_SCHED_AND);
		for (size_t i = 0; rc == 0 && i < p->n_policies; i++) {
			drove_sched_policy *kid = NULL;
			if ((rc = drove__ctrl_policy_convert(&p->policies[i], &kid)) < 0)
				break;
			if ((rc = drove_sched_policy_add(s, kid)) < 0)
				drove_sched_policy_free(kid);
		}
		break;
	default:
		rc = drove__error(DROVE_EINVAL, "placementPolicy.type: %d is unknown",
		                  (int)p->type);
	}
	if (rc < 0) {
		drove_sched_policy_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int64_t mem_of(const drove_numa_mem *m, size_t n, int node)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].node == node)
			return m[i].mb;
	return 0;
}

void drove__ctrl_node_totals(const drove_node_data *nd, int64_t *fc, int64_t *uc, int64_t *fm,
                             int64_t *um)
{
	const drove_resource_snapshot *r = nd ? nd->state : NULL;
	*fc = *uc = *fm = *um = 0;
	for (size_t i = 0; r && r->cpus && i < r->cpus->n_free_cores; i++)
		*fc += (int64_t)r->cpus->free_cores[i].n_cores;
	for (size_t i = 0; r && r->cpus && i < r->cpus->n_used_cores; i++)
		*uc += (int64_t)r->cpus->used_cores[i].n_cores;
	for (size_t i = 0; r && r->memory && i < r->memory->n_free_memory; i++)
		*fm += r->memory->free_memory[i].mb;
	for (size_t i = 0; r && r->memory && i < r->memory->n_used_memory; i++)
		*um += r->memory->used_memory[i].mb;
}

int drove__ctrl_sched_snapshot(const char *executor_id, const drove_node_data *nd,
                               drove_sched_snapshot **out)
{
	drove_sched_snapshot *s = NULL;
	const drove_resource_snapshot *r = nd->state;
	int rc;

	if ((rc = drove_sched_snapshot_new(&s, executor_id, nd->hostname ? nd->hostname : "",
	                                   nd->port)) < 0)
		return rc;
	rc = drove_sched_snapshot_set_state(s, nd->has_executor_state ? (int)nd->executor_state
	                                                              : DROVE_EXECUTOR_ACTIVE);
	if (rc == 0 && nd->updated > 0)
		rc = drove_sched_snapshot_set_time(s, nd->updated);
	for (size_t i = 0; rc == 0 && i < nd->n_tags; i++)
		rc = drove_sched_snapshot_add_tag(s, nd->tags[i]);
	for (size_t i = 0; rc == 0 && i < drove_strmap_count(nd->metadata); i++)
		rc = drove_sched_snapshot_set_metadata(s, drove_strmap_key(nd->metadata, i),
		                                       drove_strmap_value(nd->metadata, i));
	if (rc == 0 && r && r->cpus) {
		for (size_t i = 0; rc == 0 && i < r->cpus->n_free_cores; i++)
			rc = drove_sched_snapshot_set_free_cores(s, r->cpus->free_cores[i].node,
			                                         r->cpus->free_cores[i].cores,
			                                         r->cpus->free_cores[i].n_cores);
		for (size_t i = 0; rc == 0 && i < r->cpus->n_used_cores; i++)
			rc = drove_sched_snapshot_set_used_cores(s, r->cpus->used_cores[i].node,
			                                         r->cpus->used_cores[i].cores,
			                                         r->cpus->used_cores[i].n_cores);
	}
	if (rc == 0 && r && r->memory) {
		const drove_mem_snapshot *m = r->memory;
		for (size_t i = 0; rc == 0 && i < m->n_free_memory; i++)
			rc = drove_sched_snapshot_set_memory(
			        s, m->free_memory[i].node, m->free_memory[i].mb,
			        mem_of(m->used_memory, m->n_used_memory, m->free_memory[i].node));
	}
	if (rc == 0 && r && r->layout) {
		const drove_layout *l = r->layout;
		for (size_t i = 0; rc == 0 && i < l->n_cores; i++)
			rc = drove_sched_snapshot_set_layout(
			        s, l->cores[i].node, l->cores[i].cores, l->cores[i].n_cores,
			        mem_of(l->memory, l->n_memory, l->cores[i].node));
	}
	if (rc < 0) {
		drove_sched_snapshot_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

drove_event *drove__ctrl_event_new(drove_ctx *ctx, int type)
{
	drove_event *ev = calloc(1, sizeof(*ev));
	char id[DROVE_UUID_LEN + 1];

	if (!ev) {
		drove__enomem();
		return NULL;
	}
	ev->type = (enum drove_event_type)type;
	ev->time = drove_time_wall_ms();
	drove_uuid_random(ctx, id, sizeof(id));
	if (!(ev->id = drove__strdup(id)) || drove_strmap_new(&ev->metadata) < 0) {
		drove__event_free(ev);
		return NULL;
	}
	return ev;
}

int drove__ctrl_meta_setl(drove_strmap *m, const char *k, int64_t v)
{
	char b[32];
	snprintf(b, sizeof(b), "%lld", (long long)v);
	return drove_strmap_set(m, k, b);
}

static void put_lower(drove__buf *b, const char *t)
{
	for (; t && *t; t++)
		drove__buf_putc(b, (char)(*t >= 'A' && *t <= 'Z' ? *t + 32 : *t));
}

char *drove__ctrl_ports_text(const drove_port_spec *p, size_t n)
{
	drove__buf b = DROVE_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		drove__buf_printf(&b, "%s%s:%d:", i ? "," : "", p[i].name ? p[i].name : "",
		                  p[i].port);
		put_lower(&b, drove__port_type_name(p[i].has_type ? (int)p[i].type : 0));
	}
	return drove__buf_steal(&b);
}

int drove__ctrl_event_app(drove_event *ev, const drove__ctrl_app *app)
{
	const drove_app_spec *s = app->info->spec;
	drove_strmap *m = ev->metadata;
	char *ports = drove__ctrl_ports_text(s->exposed_ports, s->n_exposed_ports);
	int rc = 0;

	rc |= drove_strmap_set(m, "APP_ID", app->id);
	rc |= drove_strmap_set(m, "APP_NAME", s->name);
	rc |= drove_strmap_set(m, "APP_VERSION", s->version);
	rc |= drove_strmap_set(m, "CURRENT_STATE", drove_app_state_name(app->state));
	if (s->executable && s->executable->url)
		rc |= drove_strmap_set(m, "EXECUTABLE", s->executable->url);
	rc |= drove_strmap_set(m, "PLACEMENT_POLICY",
	                       drove__placement_type_name(s->placement_policy
	                                                          ? (int)s->placement_policy->type
	                                                          : DROVE_PLACE_ANY));
	rc |= drove__ctrl_meta_setl(m, "CURRENT_INSTANCES", app->info->instances);
	rc |= drove__ctrl_meta_setl(m, "CPU_COUNT", app->cpus);
	rc |= drove__ctrl_meta_setl(m, "MEMORY", app->mem_mb);
	if (ports)
		rc |= drove_strmap_set(m, "PORTS", ports);
	if (s->exposure_spec && s->exposure_spec->vhost)
		rc |= drove_strmap_set(m, "VHOST", s->exposure_spec->vhost);
	free(ports);
	return rc ? DROVE_ENOMEM : 0;
}

int drove__ctrl_event_instance_meta(drove_strmap *m, const char *instance_id,
                                    const char *executor_id, int64_t created, int state,
                                    const drove_local_info *local_info, const char *error)
{
	int rc = 0;

	if (instance_id)
		rc |= drove_strmap_set(m, "INSTANCE_ID", instance_id);
	if (executor_id)
		rc |= drove_strmap_set(m, "EXECUTOR_ID", executor_id);
	rc |= drove__ctrl_meta_setl(m, "CREATED", created);
	rc |= drove_strmap_set(m, "CURRENT_STATE", drove_instance_state_name(state));
	if (local_info) {
		drove__buf b = DROVE_BUF_INIT;
		char *p;
		if (local_info->hostname)
			rc |= drove_strmap_set(m, "EXECUTOR_HOST", local_info->hostname);
		for (size_t i = 0; i < local_info->n_ports; i++) {
			const drove_port_info *pi = &local_info->ports[i];
			drove__buf_printf(&b, "%s%s:%d:", i ? "," : "", pi->name ? pi->name : "",
			                  pi->host_port);
			put_lower(&b, drove__port_type_name((int)pi->port_type));
		}
		if ((p = drove__buf_steal(&b)))
			rc |= drove_strmap_set(m, "PORTS", p);
		free(p);
	}
	if (error && *error)
		rc |= drove_strmap_set(m, "ERROR", error);
	return rc ? DROVE_ENOMEM : 0;
}

int drove__ctrl_event_instance(drove_event *ev, const drove_instance_info *in)
{
	drove_strmap *m = ev->metadata;
	int rc = 0;

	if (in->app_id)
		rc |= drove_strmap_set(m, "APP_ID", in->app_id);
	if (in->app_name)
		rc |= drove_strmap_set(m, "APP_NAME", in->app_name);
	rc |= drove__ctrl_event_instance_meta(m, in->instance_id, in->executor_id, in->created,
	                                      (int)in->state, in->local_info, in->error_message);
	return rc ? DROVE_ENOMEM : 0;
}

static int64_t check_ms(const drove_check_spec *c)
{
	int64_t t;
	if (!c)
		return 0;
	t = c->has_initial_delay ? drove_duration_ms(&c->initial_delay) : 0;
	t += (c->has_attempts ? c->attempts : 1) *
	     ((c->has_timeout ? drove_duration_ms(&c->timeout) : 0) +
	      (c->has_interval ? drove_duration_ms(&c->interval) : 0));
	return t;
}

int64_t drove__ctrl_max_start_ms(const drove_app_spec *spec)
{
	int64_t pull = 15 * 60 * 1000;
	if (spec->executable && spec->executable->has_docker_pull_timeout)
		pull = drove_duration_ms(&spec->executable->docker_pull_timeout);
	return pull + check_ms(spec->healthcheck) + check_ms(spec->readiness);
}

int64_t drove__ctrl_max_stop_ms(const drove_app_spec *spec)
{
	if (spec->pre_shutdown && spec->pre_shutdown->has_wait_before_kill)
		return drove_duration_ms(&spec->pre_shutdown->wait_before_kill);
	return 0;
}

int drove__ctrl_instance_spec(const drove_app_spec *spec, const char *app_id,
                              const char *instance_id, int node, const int *cores, size_t n_cores,
                              int64_t mb, drove_app_instance_spec **out)
{
	drove_app_spec *c = NULL;
	drove_app_instance_spec *s;
	drove_allocation *a;
	int rc;

	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	if ((rc = drove__app_spec_copy(spec, &c)) < 0)
		goto fail;
	rc = DROVE_ENOMEM;
	if (!(s->app_id = drove__strdup(app_id)) || !(s->app_name = drove__strdup(spec->name)) ||
	    !(s->instance_id = drove__strdup(instance_id)) ||
	    !(s->instance_auth_token = drove__strdup("")))
		goto fail;
	if (!(a = s->resources = calloc(2, sizeof(*a))))
		goto fail;
	s->n_resources = 2;
	a[0].type = DROVE_RES_CPU;
	a[1].type = DROVE_RES_MEMORY;
	if (!(a[0].cores = calloc(1, sizeof(*a[0].cores))))
		goto fail;
	a[0].n_cores = 1;
	a[0].cores[0].node = node;
	if (!(a[0].cores[0].cores = calloc(n_cores ? n_cores : 1, sizeof(int))))
		goto fail;
	memcpy(a[0].cores[0].cores, cores, n_cores * sizeof(int));
	a[0].cores[0].n_cores = n_cores;
	if (!(a[1].memory = calloc(1, sizeof(*a[1].memory))))
		goto fail;
	a[1].n_memory = 1;
	a[1].memory[0].node = node;
	a[1].memory[0].mb = mb;
	/* move the parts of the copied spec over */
#define MOVE(dst, src)           \
	do {                     \
		s->dst = c->src; \
		c->src = NULL;   \
	} while (0)
	MOVE(executable, executable);
	MOVE(ports, exposed_ports);
	s->n_ports = c->n_exposed_ports;
	c->n_exposed_ports = 0;
	MOVE(volumes, volumes);
	s->n_volumes = c->n_volumes;
	c->n_volumes = 0;
	MOVE(configs, configs);
	s->n_configs = c->n_configs;
	c->n_configs = 0;
	MOVE(healthcheck, healthcheck);
	MOVE(readiness, readiness);
	MOVE(logging_spec, logging);
	MOVE(env, env);
	MOVE(args, args);
	s->n_args = c->n_args;
	c->n_args = 0;
	MOVE(devices, devices);
	s->n_devices = c->n_devices;
	c->n_devices = 0;
	MOVE(pre_shutdown, pre_shutdown);
	MOVE(user_spec, user_spec);
#undef MOVE
	drove__app_spec_free(c);
	*out = s;
	return 0;
fail:
	drove__app_spec_free(c);
	drove__app_instance_spec_free(s);
	return rc < 0 ? rc : DROVE_ENOMEM;
}

/* ---- dashboard figures (§6.6 DashboardData) ---- */

int64_t drove__ctrl_app_healthy(const drove__ctrl_app *app, int64_t now, int64_t stale_ms)
{
	int64_t healthy = 0;
	for (size_t i = 0; i < app->n_insts; i++)
		if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
		    drove__ctrl_inst_fresh(app->insts[i], now, stale_ms))
			healthy++;
	return healthy;
}

int64_t drove__ctrl_drf_score(int64_t cpus, int64_t mem_mb, int64_t total_cores, int64_t total_mb)
{
	int64_t c = cpus * 1000000 / (total_cores > 1 ? total_cores : 1);
	int64_t m = mem_mb * 1000000 / (total_mb > 1 ? total_mb : 1);
	return c > m ? c : m;
}

static int cmp_scored(const void *a, const void *b)
{
	const drove__ctrl_scored *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

size_t drove__ctrl_top(drove__ctrl_scored *v, size_t n, size_t max)
{
	for (size_t i = 0; i < n; i++)
		v[i].order = i;
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_scored);
	return n < max ? n : max;
}

struct json_object *drove__ctrl_counts_jobj(const char *(*name)(int), const int64_t *counts,
                                            size_t n)
{
	struct json_object *o = json_object_new_object();
	const char *k;
	for (size_t i = 0; o && i < n && (k = name((int)i)); i++)
		json_object_object_add(o, k, json_object_new_int64(counts[i]));
	return o;
}
