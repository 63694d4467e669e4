/* The pure parts of local services (DROVE_API.md §5.4, §2.6, §7.1, §8.4, §11 item 4): state
 * machine tables, the operation decoder, the per-executor plan, the JSON views, event
 * metadata and the LocalServiceInstanceSpec. Unit-tested alone (tests/unit/check_ctrl_lsvc.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctrl/lsvc.h"

#define B(op) DROVE__LS_OP_BIT(DROVE_LS_OP_##op)
#define S(st) (1u << (unsigned)(DROVE_LS_##st))

unsigned drove__lsvc_allowed_ops(int state)
{
	switch (state) {
	case DROVE_LS_INACTIVE:
		return B(ACTIVATE) | B(DEPLOY_TEST_INSTANCE) | B(ADJUST_INSTANCES) | B(DESTROY) |
		       B(UPDATE_INSTANCE_COUNT);
	case DROVE_LS_CONFIG_TESTING:
		return B(ACTIVATE) | B(DEACTIVATE) | B(ADJUST_INSTANCES) | B(REPLACE_INSTANCES) |
		       B(RESTART) | B(STOP_INSTANCES);
	case DROVE_LS_ACTIVE:
		return B(DEACTIVATE) | B(UPDATE_INSTANCE_COUNT) | B(ADJUST_INSTANCES) |
		       B(REPLACE_INSTANCES) | B(RESTART) | B(STOP_INSTANCES);
	case DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED:
		return B(DEACTIVATE);
	default:
		return 0;
	}
}

static unsigned transitions(int from)
{
	const unsigned stable_to = S(ACTIVATION_REQUESTED) | S(DEACTIVATION_REQUESTED) |
	                           S(ADJUSTING_INSTANCES) | S(REPLACING_INSTANCES) |
	                           S(UPDATING_INSTANCES_COUNT) | S(STOPPING_INSTANCES) |
	                           S(DESTROY_REQUESTED) | S(DESTROYED);
	const unsigned settle = S(ACTIVE) | S(CONFIG_TESTING) | S(INACTIVE);

	switch (from) {
	case DROVE_LS_INIT:
		return settle | S(DESTROYED);
	case DROVE_LS_ACTIVE:
	case DROVE_LS_CONFIG_TESTING:
		return stable_to;
	case DROVE_LS_INACTIVE:
		return stable_to | S(CONFIG_TESTING_REQUESTED) | S(INACTIVE);
	case DROVE_LS_ACTIVATION_REQUESTED:
	case DROVE_LS_CONFIG_TESTING_REQUESTED:
	case DROVE_LS_DEACTIVATION_REQUESTED:
		return settle | S(DESTROYED);
	case DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED:
		return S(DEACTIVATION_REQUESTED) | S(EMERGENCY_DEACTIVATION_REQUESTED);
	case DROVE_LS_ADJUSTING_INSTANCES:
		return settle | S(EMERGENCY_DEACTIVATION_REQUESTED);
	case DROVE_LS_REPLACING_INSTANCES:
		return settle | S(REPLACING_INSTANCES) | S(EMERGENCY_DEACTIVATION_REQUESTED);
	case DROVE_LS_STOPPING_INSTANCES:
		return settle | S(REPLACING_INSTANCES);
	case DROVE_LS_UPDATING_INSTANCES_COUNT:
		return settle;
	case DROVE_LS_DESTROY_REQUESTED:
		return S(DESTROYED);
	default:
		return 0;
	}
}

int drove__lsvc_transition_ok(int from, int to)
{
	if (to < DROVE_LS_INIT || to > DROVE_LS_DESTROYED)
		return 0;
	return (transitions(from) >> (unsigned)to) & 1u;
}

int drove__lsvc_check_op(int state, int op, const char *service_id)
{
	unsigned allowed = drove__lsvc_allowed_ops(state);
	drove__buf b = DROVE_BUF_INIT;
	const char *st = drove_ls_state_name(state);
	int rc;

	if (op >= 0 && op < 32 && (allowed & DROVE__LS_OP_BIT(op)))
		return 0;
	if (!allowed)
		return drove__error(
		        DROVE_EINVAL,
		        "No operations allowed for local service %s as it is in %s state",
		        service_id, st ? st : "UNKNOWN");
	for (int i = 0; i <= DROVE_LS_OP_DESTROY; i++)
		if (allowed & DROVE__LS_OP_BIT(i))
			drove__buf_printf(&b, "%s%s", b.len ? ", " : "", drove__ls_op_type_name(i));
	rc = drove__error(DROVE_EINVAL,
	                  "Only [%s] allowed for local service %s as it is in %s state",
	                  b.data ? b.data : "", service_id, st ? st : "UNKNOWN");
	drove__buf_free(&b);
	return rc;
}

int drove__lsvc_stable_state(int activation)
{
	switch (activation) {
	case DROVE_LS_ACT_ACTIVE:
		return DROVE_LS_ACTIVE;
	case DROVE_LS_ACT_CONFIG_TESTING:
		return DROVE_LS_CONFIG_TESTING;
	default:
		return DROVE_LS_INACTIVE;
	}
}

bool drove__lsvc_host_level(const drove_placement_policy *p)
{
	if (!p)
		return false;
	if (p->type == DROVE_PLACE_LOCAL)
		return p->host_level;
	for (size_t i = 0; p->type == DROVE_PLACE_COMPOSITE && i < p->n_policies; i++)
		if (drove__lsvc_host_level(&p->policies[i]))
			return true;
	return false;
}

int drove__lsvc_op_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                          drove_ls_op **out, drove_strlist *errors)
{
	drove_ls_op *op = NULL;
	int rc;

	*out = NULL;
	if ((rc = drove__ls_op_decode(body, len, 0, &op, errors, NULL)) < 0) {
		drove__ls_op_free(op);
		if (rc == DROVE_ENOMEM)
			return rc;
		if (!drove_strlist_count(errors))
			drove_strlist_add(errors, drove_error_last()->message);
		return 1;
	}
	if ((rc = drove__ls_op_validate(op, opts, errors)) != 0) {
		drove__ls_op_free(op);
		return rc < 0 ? rc : 2;
	}
	*out = op;
	return 0;
}

/* ---- the plan ---- */

static int add_stop(drove__lsvc_plan *p, size_t *cap, size_t idx)
{
	if (drove__grow(&p->stops, cap, p->n_stops + 1, sizeof(*p->stops)) < 0)
		return DROVE_ENOMEM;
	p->stops[p->n_stops++] = idx;
	return 0;
}

static long exec_index(const char *const *execs, size_t n, const char *id)
{
	for (size_t i = 0; id && i < n; i++)
		if (!strcmp(execs[i], id))
			return (long)i;
	return -1;
}

/* Stop `extra` of the recorded instances among idx[0..k): unhealthy first, latest first. */
static int stop_extras(drove__lsvc_plan *p, size_t *cap, const drove__lsvc_live *live,
                       const size_t *idx, size_t k, size_t extra)
{
	for (int pass = 0; pass < 2 && extra > 0; pass++)
		for (size_t j = k; j > 0 && extra > 0; j--) {
			const drove__lsvc_live *l = &live[idx[j - 1]];
			if (l->starting || l->healthy != (pass == 1))
				continue;
			if (add_stop(p, cap, idx[j - 1]) < 0)
				return DROVE_ENOMEM;
			extra--;
		}
	return 0;
}

int drove__lsvc_plan_make(int activation, int64_t per_host, const char *const *execs,
                          size_t n_execs, const drove__lsvc_live *live, size_t n_live,
                          drove__lsvc_plan *out)
{
	drove__lsvc_plan p = {0};
	size_t cap = 0, *idx = NULL, k;
	int rc = 0;

	if (!(p.starts = calloc(n_execs ? n_execs : 1, sizeof(*p.starts))) ||
	    !(idx = calloc(n_live ? n_live : 1, sizeof(*idx)))) {
		free(p.starts);
		return drove__enomem();
	}
	if (per_host < 0)
		per_host = 0;
	/* instances on ineligible executors (and all of them when INACTIVE) go */
	for (size_t i = 0; rc == 0 && i < n_live; i++)
		if (!live[i].starting && (activation == DROVE_LS_ACT_INACTIVE ||
		                          exec_index(execs, n_execs, live[i].exec_id) < 0))
			rc = add_stop(&p, &cap, i);
	if (rc == 0 && activation == DROVE_LS_ACT_ACTIVE) {
		for (size_t e = 0; rc == 0 && e < n_execs; e++) {
			k = 0;
			for (size_t i = 0; i < n_live; i++)
				if (drove__streq(live[i].exec_id, execs[e]))
					idx[k++] = i;
			if ((int64_t)k < per_host)
				p.starts[e] = (size_t)(per_host - (int64_t)k);
			else if ((int64_t)k > per_host)
				rc = stop_extras(&p, &cap, live, idx, k, k - (size_t)per_host);
		}
	} else if (rc == 0 && activation == DROVE_LS_ACT_CONFIG_TESTING) {
		k = 0;
		for (size_t i = 0; i < n_live; i++)
			if (exec_index(execs, n_execs, live[i].exec_id) >= 0)
				idx[k++] = i;
		if (k == 0 && n_execs > 0)
			p.any = 1;
		else if (k > 1)
			rc = stop_extras(&p, &cap, live, idx, k, k - 1);
	}
	free(idx);
	if (rc < 0) {
		drove__lsvc_plan_free(&p);
		return rc;
	}
	*out = p;
	return 0;
}

void drove__lsvc_plan_free(drove__lsvc_plan *p)
{
	if (!p)
		return;
	free(p->starts);
	free(p->stops);
	memset(p, 0, sizeof(*p));
}

/* ---- views ---- */

struct json_object *drove__lsvc_summary(const drove_ls_info *info, int state, int64_t healthy,
                                        int64_t active)
{
	struct json_object *o = json_object_new_object();
	const drove_ls_spec *s = info->spec;
	int64_t cpus = drove__resources_cpus(s->resources, s->n_resources);
	int64_t mem = drove__resources_memory_mb(s->resources, s->n_resources);
	const char *st = drove_ls_state_name(state);

	if (!o)
		return NULL;
	json_object_object_add(o, "id", json_object_new_string(info->service_id));
	json_object_object_add(o, "name", json_object_new_string(s->name ? s->name : ""));
	json_object_object_add(o, "instancesPerHost",
	                       json_object_new_int64(info->instances_per_host));
	json_object_object_add(o, "healthyInstances", json_object_new_int64(healthy));
	json_object_object_add(o, "totalCPUs", json_object_new_int64(active * cpus));
	json_object_object_add(o, "totalMemory", json_object_new_int64(active * mem));
	if (s->tags)
		json_object_object_add(o, "tags", drove__ctrl_strmap_jobj(s->tags));
	json_object_object_add(o, "activationState",
	                       json_object_new_string(drove_ls_activation_state_name(
	                               (int)info->activation_state)));
	if (st)
		json_object_object_add(o, "state", json_object_new_string(st));
	json_object_object_add(o, "created", json_object_new_int64(info->created));
	json_object_object_add(o, "updated", json_object_new_int64(info->updated));
	return o;
}

int drove__lsvc_event_service(drove_event *ev, const drove_ls_info *info, int state)
{
	const drove_ls_spec *s = info->spec;
	drove_strmap *m = ev->metadata;
	char *ports = drove__ctrl_ports_text(s->exposed_ports, s->n_exposed_ports);
	int rc = 0;

	rc |= drove_strmap_set(m, "LOCAL_SERVICE_ID", info->service_id);
	if (s->name)
		rc |= drove_strmap_set(m, "LOCAL_SERVICE_NAME", s->name);
	if (s->version)
		rc |= drove_strmap_set(m, "LOCAL_SERVICE_VERSION", s->version);
	rc |= drove_strmap_set(m, "CURRENT_STATE", drove_ls_state_name(state));
	if (s->executable && s->executable->url)
		rc |= drove_strmap_set(m, "EXECUTABLE", s->executable->url);
	rc |= drove_strmap_set(m, "PLACEMENT_POLICY",
	                       drove__placement_type_name(s->placement_policy
	                                                          ? (int)s->placement_policy->type
	                                                          : DROVE_PLACE_LOCAL));
	rc |= drove__ctrl_meta_setl(m, "CURRENT_INSTANCES_PER_HOST", info->instances_per_host);
	rc |= drove__ctrl_meta_setl(m, "CPU_COUNT",
	                            drove__resources_cpus(s->resources, s->n_resources));
	rc |= drove__ctrl_meta_setl(m, "MEMORY",
	                            drove__resources_memory_mb(s->resources, s->n_resources));
	if (ports)
		rc |= drove_strmap_set(m, "PORTS", ports);
	free(ports);
	return rc ? DROVE_ENOMEM : 0;
}

int drove__lsvc_event_instance(drove_event *ev, const drove_ls_instance_info *in)
{
	drove_strmap *m = ev->metadata;
	int rc = 0;

	if (in->service_id)
		rc |= drove_strmap_set(m, "SERVICE_ID", in->service_id);
	if (in->service_name)
		rc |= drove_strmap_set(m, "SERVICE_NAME", in->service_name);
	rc |= drove__ctrl_event_instance_meta(m, in->instance_id, in->executor_id, in->created,
	                                      (int)in->state, in->local_info, in->error_message);
	return rc ? DROVE_ENOMEM : 0;
}

int drove__lsvc_instance_spec(const drove_ls_spec *spec, const char *service_id,
                              const char *instance_id, int node, const int *cores, size_t n_cores,
                              int64_t mb, const char *token, drove_ls_instance_spec **out)
{
	drove_app_instance_spec *a = NULL;
	drove_ls_instance_spec *s;
	int rc;

	if ((rc = drove__ctrl_instance_spec(spec, service_id, instance_id, node, cores, n_cores, mb,
	                                    &a)) < 0)
		return rc;
	if (!(s = calloc(1, sizeof(*s)))) {
		drove__app_instance_spec_free(a);
		return drove__enomem();
	}
#define MOVE(dst, src)           \
	do {                     \
		s->dst = a->src; \
		a->src = NULL;   \
	} while (0)
#define MOVEN(dst, src, n)         \
	do {                       \
		MOVE(dst, src);    \
		s->n_##dst = a->n; \
		a->n = 0;          \
	} while (0)
	MOVE(service_id, app_id);
	MOVE(service_name, app_name);
	MOVE(instance_id, instance_id);
	MOVE(executable, executable);
	MOVEN(resources, resources, n_resources);
	MOVEN(ports, ports, n_ports);
	MOVEN(volumes, volumes, n_volumes);
	MOVEN(configs, configs, n_configs);
	MOVE(healthcheck, healthcheck);
	MOVE(readiness, readiness);
	MOVE(logging_spec, logging_spec);
	MOVE(env, env);
	MOVEN(args, args, n_args);
	MOVEN(devices, devices, n_devices);
	MOVE(pre_shutdown, pre_shutdown);
	MOVE(user_spec, user_spec);
#undef MOVEN
#undef MOVE
	drove__app_instance_spec_free(a);
	s->host_level_instance = drove__lsvc_host_level(spec->placement_policy);
	if (!(s->instance_auth_token = drove__strdup(token ? token : ""))) {
		drove__ls_instance_spec_free(s);
		return DROVE_ENOMEM;
	}
	*out = s;
	return 0;
}

char *drove__lsvc_pin_rule(const char *exec_id)
{
	if (!exec_id || !*exec_id || strpbrk(exec_id, "'\"\\")) {
		drove__error(DROVE_EINVAL, "executorId: %s cannot be quoted in a rule",
		             exec_id ? exec_id : "(null)");
		return NULL;
	}
	return drove__asprintf("\"/executorNodeId\" == '%s'", exec_id);
}
