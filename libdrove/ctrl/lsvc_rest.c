/* Local services' REST routes (DROVE_API.md §2.6, §4.4; docs/local-services.md): reads,
 * operations, validation and /internal/cluster/resources/reserved. The edge above lsvc.c's
 * engine: it calls lsvc.c, which never calls it. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/lsvc.h"
#include "http/server.h"

#define MOD "ctrl"
#define V1  "/apis/v1"

/* ---- REST: reads ---- */

void drove__lsvc_instance_counts(drove_controller *c, const struct svc *s, int64_t now,
                                 int64_t *healthy, int64_t *active)
{
	*healthy = *active = 0;
	for (size_t i = 0; i < s->n_insts; i++) {
		const struct lsi *in = s->insts[i];
		if (!drove__lsvc_fresh(c, in, now) || !drove__lsvc_is_active(in))
			continue;
		(*active)++;
		if (in->info->state == DROVE_INST_HEALTHY)
			(*healthy)++;
	}
}

static struct json_object *summary(drove_controller *c, struct svc *s)
{
	int64_t h, a;
	drove__lsvc_instance_counts(c, s, drove_time_wall_ms(), &h, &a);
	return drove__lsvc_summary(s->info, s->state, h, a);
}

struct json_object *drove__lsvc_dashboard_stats(drove_controller *c, int64_t cores, int64_t mb,
                                                int64_t now)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	struct json_object *o = json_object_new_object(), *top = json_object_new_array();
	drove__ctrl_scored *v = calloc((L ? L->n : 0) + 1, sizeof(*v));
	int64_t by_state[32] = {0}, by_act[32] = {0}, healthy = 0;
	size_t n = 0, k;

	for (size_t i = 0; v && L && i < L->n; i++) {
		const struct svc *s = L->v[i];
		int64_t h, a;
		if (s->state >= 0 && s->state < 32)
			by_state[s->state]++;
		if ((int)s->info->activation_state >= 0 && (int)s->info->activation_state < 32)
			by_act[s->info->activation_state]++;
		drove__lsvc_instance_counts(c, s, now, &h, &a);
		healthy += h;
		/* services holding resources, ranked by one instance's share, as Drove */
		if (s->state == DROVE_LS_ACTIVE || s->state == DROVE_LS_CONFIG_TESTING)
			v[n++] = (drove__ctrl_scored){
			        drove__ctrl_drf_score(s->cpus, s->mem_mb, cores, mb), s, 0};
	}
	k = drove__ctrl_top(v, n, 5);
	for (size_t i = 0; i < k; i++)
		json_object_array_add(top, summary(c, (struct svc *)v[i].item));
	free(v);
	json_object_object_add(o, "serviceCountByState",
	                       drove__ctrl_counts_jobj(drove_ls_state_name, by_state, 32));
	json_object_object_add(o, "serviceCountByActivationState",
	                       drove__ctrl_counts_jobj(drove_ls_activation_state_name, by_act, 32));
	json_object_object_add(o, "topServices", top);
	json_object_object_add(o, "totalHealthyInstances", json_object_new_int64(healthy));
	return o;
}

static void h_list(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	int64_t from, size;
	struct json_object *o;

	if (drove__ctrl_query_i64(req, "from", 0, 2147483646, &from) < 0)
		return drove__ctrl_reply_bad_param(req, "from");
	if (drove__ctrl_query_i64(req, "size", 2147483646, 2147483646, &size) < 0)
		return drove__ctrl_reply_bad_param(req, "size");
	o = json_object_new_object();
	for (size_t i = (size_t)from; L && i < L->n && (int64_t)(i - (size_t)from) < size; i++)
		json_object_object_add(o, L->v[i]->id, summary(c, L->v[i]));
	drove__http_reply_success(req, o);
}

static struct svc *svc_or_miss(drove_controller *c, drove__http_req *req)
{
	const char *id = drove__http_req_param(req, "serviceId");
	struct svc *s = drove__lsvc_svc_find(c, id);
	if (!s) {
		char *msg = drove__asprintf("Local service %s not found", id ? id : "");
		drove__http_reply_not_found(req, msg ? msg : "Local service not found");
		free(msg);
	}
	return s;
}

static void h_one(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = svc_or_miss(c, req);
	if (s)
		drove__http_reply_success(req, summary(c, s));
}

static void h_spec(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = svc_or_miss(c, req);
	if (s)
		drove__http_reply_success(req, drove__ctrl_masked_spec(s->info->spec));
}

static void h_instances(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = drove__lsvc_svc_find(c, drove__http_req_param(req, "serviceId"));
	drove_strlist *states = NULL;
	unsigned want = 0;
	int64_t now = drove_time_wall_ms();
	struct json_object *a;

	if (drove_strlist_new(&states) < 0 || drove__http_req_query_all(req, "state", states) < 0) {
		drove_strlist_free(states);
		return drove__http_reply_server_error(req, "out of memory");
	}
	for (size_t i = 0; i < drove_strlist_count(states); i++) {
		int st;
		if (drove_instance_state_parse(drove_strlist_get(states, i), &st) < 0) {
			drove_strlist *e = NULL;
			if (drove_strlist_new(&e) == 0)
				drove_strlist_add(e, drove_error_last()->message);
			drove__ctrl_reply_json_errors(req, e);
			drove_strlist_free(e);
			drove_strlist_free(states);
			return;
		}
		want |= 1u << (unsigned)st;
	}
	drove_strlist_free(states);
	a = json_object_new_array();
	for (size_t i = 0; s && i < s->n_insts; i++) {
		const struct lsi *in = s->insts[i];
		int st = (int)in->info->state;
		if (want ? !(want & (1u << (unsigned)st)) : !drove_instance_state_is_active(st))
			continue;
		if (!drove__lsvc_fresh(c, in, now))
			continue;
		json_object_array_add(a, drove__ls_instance_info_to_jobj(in->info));
	}
	drove__http_reply_success(req, a);
}

static void h_old(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = drove__lsvc_svc_find(c, drove__http_req_param(req, "serviceId"));
	int64_t start, size, k = 0, n = 0;
	struct json_object *a;

	if (drove__ctrl_query_i64(req, "start", 0, 2147483646, &start) < 0)
		return drove__ctrl_reply_bad_param(req, "start");
	if (drove__ctrl_query_i64(req, "size", 2147483646, 2147483646, &size) < 0)
		return drove__ctrl_reply_bad_param(req, "size");
	a = json_object_new_array();
	for (size_t i = 0; s && i < s->n_insts && n < size; i++) {
		if (drove__lsvc_is_active(s->insts[i]) || k++ < start)
			continue;
		json_object_array_add(a, drove__ls_instance_info_to_jobj(s->insts[i]->info));
		n++;
	}
	drove__http_reply_success(req, a);
}

static void h_instance(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *sid = drove__http_req_param(req, "serviceId");
	const char *iid = drove__http_req_param(req, "instanceId");
	struct svc *s = drove__lsvc_svc_find(c, sid);
	struct lsi *in = s ? drove__lsvc_lsi_find(s, iid) : NULL;

	if (!in) {
		char *msg = drove__asprintf("No such local service instance %s/%s", sid, iid);
		drove__http_reply_not_found(req, msg ? msg : "No such local service instance");
		free(msg);
		return;
	}
	drove__http_reply_success(req, drove__ls_instance_info_to_jobj(in->info));
}

static void h_reserved(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	struct json_object *o = json_object_new_object(), *r = json_object_new_object();
	int64_t cpus = 0, mem = 0;

	/* what an executor must run before it turns ACTIVE: the ACTIVE services */
	for (size_t i = 0; L && i < L->n; i++) {
		struct svc *s = L->v[i];
		if (s->info->activation_state != DROVE_LS_ACT_ACTIVE)
			continue;
		cpus += s->cpus * s->info->instances_per_host;
		mem += s->mem_mb * s->info->instances_per_host;
		json_object_object_add(r, s->id,
		                       json_object_new_int64(s->info->instances_per_host));
	}
	json_object_object_add(o, "cpus", json_object_new_int64(cpus));
	json_object_object_add(o, "memory", json_object_new_int64(mem));
	json_object_object_add(o, "requiredInstances", r);
	drove__http_reply_success(req, o);
}

/* ---- REST: operations ---- */

static void reply_service_id(drove__http_req *req, const char *id)
{
	struct json_object *d = json_object_new_object();
	json_object_object_add(d, "serviceId", drove__ctrl_jstr(id));
	drove__http_reply_success(req, d);
}

/* Checks of CREATE and validate/spec beyond the model's. */
static int spec_checks(drove_controller *c, const drove_ls_spec *spec, drove_strlist *errors)
{
	char *id = NULL;
	if (spec->name && spec->version && drove_app_id(spec->name, spec->version, &id) == 0 &&
	    drove__lsvc_svc_find(c, id)) {
		char *msg = drove__asprintf("Local service %s already exists", id);
		if (msg)
			drove_strlist_add(errors, msg);
		free(msg);
	}
	drove_free(id);
	return (int)drove_strlist_count(errors);
}

static void op_create(drove_controller *c, drove__http_req *req, drove_ls_op *op)
{
	drove_strlist *errors = NULL;
	drove_ls_info *info = NULL;
	struct svc *s = NULL;
	char *id = NULL, *json = NULL;

	if (drove_strlist_new(&errors) < 0)
		goto oom;
	if (spec_checks(c, op->spec, errors) > 0) {
		drove__http_reply_validation(req, errors);
		drove_strlist_free(errors);
		return;
	}
	drove_strlist_free(errors);
	errors = NULL;
	if (drove_app_id(op->spec->name, op->spec->version, &id) < 0 ||
	    !(info = calloc(1, sizeof(*info))) || !(info->service_id = drove__strdup(id)))
		goto oom;
	info->spec = op->spec;
	op->spec = NULL;
	info->instances_per_host = op->instances_per_host;
	info->activation_state = DROVE_LS_ACT_INACTIVE;
	info->created = info->updated = drove_time_wall_ms();
	if (drove__ls_info_encode(info, &json) < 0)
		goto oom;
	if (drove_record_put(c->store, DROVE_RECORD_LOCAL_SERVICE, NULL, id, json, strlen(json)) <
	    0) {
		drove__http_reply_server_error(req, drove_error_last()->message);
		goto out;
	}
	if (drove__lsvc_svc_adopt(c, info, &s) < 0) {
		info = NULL;
		drove__http_reply_server_error(req, drove_error_last()->message);
		goto out;
	}
	info = NULL;
	drove__lsvc_svc_set_state(c, s, DROVE_LS_INACTIVE);
	drove__info(c->ctx, MOD, "local service %s created (%lld per host)", id,
	            (long long)s->info->instances_per_host);
	reply_service_id(req, id);
	goto out;
oom:
	drove__http_reply_server_error(req, "out of memory");
out:
	drove_strlist_free(errors);
	drove__ls_info_free(info);
	drove_free(id);
	free(json);
}

/* Persist a change of activation state / count through the given transient state; the
 * stable state follows. @return 0, or the store's error (then nothing changed). */
static int change(drove_controller *c, struct svc *s, int via, int activation, int64_t per_host)
{
	int prev_act = (int)s->info->activation_state;
	int64_t prev_n = s->info->instances_per_host;
	int prev_state = s->state;
	int rc;

	drove__lsvc_svc_set_state(c, s, via);
	s->info->activation_state = (enum drove_ls_activation_state)activation;
	s->info->instances_per_host = per_host;
	if ((rc = drove__lsvc_svc_persist(c, s)) < 0) {
		s->info->activation_state = (enum drove_ls_activation_state)prev_act;
		s->info->instances_per_host = prev_n;
		s->state = prev_state;
		return rc;
	}
	drove__lsvc_svc_set_state(c, s, drove__lsvc_stable_state(activation));
	s->dirty = true;
	s->next_start = 0;
	return 0;
}

static void op_ids_set(struct svc *s, char **ids, size_t n, int op)
{
	drove__lsvc_op_clear(s);
	if (!(s->op_ids = calloc(n + 1, sizeof(*s->op_ids))) ||
	    !(s->op_status = calloc(n + 1, sizeof(*s->op_status)))) {
		free(s->op_ids);
		s->op_ids = NULL;
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((s->op_ids[s->n_op] = drove__strdup(ids[i])))
			s->n_op++;
	s->op = op;
}

static void op_apply(drove_controller *c, drove__http_req *req, drove_ls_op *op)
{
	struct svc *s = drove__lsvc_svc_find(c, op->service_id);
	char *msg;
	int rc = 0;

	if (!s) {
		msg = drove__asprintf("Local service %s not found", op->service_id);
		drove__ctrl_reply_one_error(req, msg ? msg : "Local service not found");
		free(msg);
		return;
	}
	if (drove__lsvc_check_op(s->state, (int)op->type, s->id) < 0)
		return drove__ctrl_reply_one_error(req, drove_error_last()->message);
	switch (op->type) {
	case DROVE_LS_OP_ACTIVATE:
		rc = change(c, s, DROVE_LS_ACTIVATION_REQUESTED, DROVE_LS_ACT_ACTIVE,
		            s->info->instances_per_host);
		break;
	case DROVE_LS_OP_DEPLOY_TEST_INSTANCE:
		rc = change(c, s, DROVE_LS_CONFIG_TESTING_REQUESTED, DROVE_LS_ACT_CONFIG_TESTING,
		            s->info->instances_per_host);
		break;
	case DROVE_LS_OP_DEACTIVATE:
		drove__lsvc_op_clear(s);
		rc = change(c, s, DROVE_LS_DEACTIVATION_REQUESTED, DROVE_LS_ACT_INACTIVE,
		            s->info->instances_per_host);
		break;
	case DROVE_LS_OP_UPDATE_INSTANCE_COUNT:
		if (op->instances_per_host > 1 &&
		    drove__lsvc_host_level(s->info->spec->placement_policy))
			return drove__ctrl_reply_one_error(
			        req, "Host level service cannot have more than one instance");
		rc = change(c, s, DROVE_LS_UPDATING_INSTANCES_COUNT, (int)s->info->activation_state,
		            op->instances_per_host);
		break;
	case DROVE_LS_OP_ADJUST_INSTANCES:
		s->dirty = true;
		s->next_start = 0;
		break;
	case DROVE_LS_OP_REPLACE_INSTANCES:
	case DROVE_LS_OP_RESTART:
	case DROVE_LS_OP_STOP_INSTANCES: {
		bool stop = op->type == DROVE_LS_OP_STOP_INSTANCES;
		drove__buf bad = DROVE_BUF_INIT;
		char **ids = op->type == DROVE_LS_OP_RESTART ? NULL : op->instance_ids;
		size_t n = op->type == DROVE_LS_OP_RESTART ? 0 : op->n_instance_ids;
		char **all = NULL;
		size_t nall = 0, cap = 0;
		for (size_t i = 0; i < n; i++) {
			struct lsi *in = drove__lsvc_lsi_find(s, ids[i]);
			int st = in ? (int)in->info->state : -1;
			if (stop ? (st < 0 || !drove_instance_state_is_active(st))
			         : st != DROVE_INST_HEALTHY)
				drove__buf_printf(&bad, "%s%s", bad.len ? (stop ? "," : ", ") : "",
				                  ids[i]);
		}
		if (bad.len) {
			msg = stop ? drove__asprintf("Local service %s does not have any instances "
			                             "with the following ids: %s",
			                             s->id, bad.data)
			           : drove__asprintf(
			                     "There are no replaceable healthy instances with "
			                     "ids: [%s]",
			                     bad.data);
			drove__buf_free(&bad);
			drove__ctrl_reply_one_error(req, msg ? msg : "bad instance ids");
			free(msg);
			return;
		}
		drove__buf_free(&bad);
		if (!stop && n == 0) {
			for (size_t i = 0; i < s->n_insts; i++)
				if (s->insts[i]->info->state == DROVE_INST_HEALTHY &&
				    !s->insts[i]->stopping &&
				    drove__grow(&all, &cap, nall + 1, sizeof(*all)) == 0)
					all[nall++] = s->insts[i]->info->instance_id;
			ids = all;
			n = nall;
		}
		{
			const drove_cluster_op_spec *ops = op->op_spec;
			op_ids_set(s, ids, n, stop ? OP_STOP : OP_REPLACE);
			free(all);
			if (!s->op_ids)
				return drove__http_reply_server_error(req, "out of memory");
			s->stop_first = op->stop_first;
			s->op_timeout_ms = drove__ctrl_op_timeout_ms(c, ops);
			s->parallelism = drove__ctrl_op_parallelism(c, ops);
			s->op_deadline = drove_time_mono_ms() + s->op_timeout_ms +
			                 drove__ctrl_max_stop_ms(s->info->spec);
		}
		if (stop)
			for (size_t i = 0; i < s->n_op; i++) {
				struct lsi *in = drove__lsvc_lsi_find(s, s->op_ids[i]);
				if (in)
					drove__lsvc_lsi_stop(in);
			}
		drove__lsvc_svc_set_state(
		        c, s, stop ? DROVE_LS_STOPPING_INSTANCES : DROVE_LS_REPLACING_INSTANCES);
		s->dirty = true;
		break;
	}
	case DROVE_LS_OP_DESTROY:
		if (drove__lsvc_destroy(c, s) < 0)
			return drove__http_reply_server_error(req, drove_error_last()->message);
		reply_service_id(req, op->service_id);
		return;
	default:
		return drove__ctrl_reply_one_error(req, "unsupported operation");
	}
	if (rc < 0)
		return drove__http_reply_server_error(req, drove_error_last()->message);
	reply_service_id(req, s->id);
}

static void h_operations(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove_ls_op *op = NULL;
	drove_strlist *errors = NULL;
	const char *body;
	size_t len;
	int rc;

	if (!(body = drove__ctrl_op_begin(c, req, &len, &errors)))
		return;
	rc = drove__lsvc_op_decode(body, len, &c->spec_opts, &op, errors);
	if (rc != 0)
		drove__ctrl_reply_decode_failed(req, rc, errors);
	else if (op->type == DROVE_LS_OP_CREATE)
		op_create(c, req, op);
	else
		op_apply(c, req, op);
	drove__ls_op_free(op);
	drove_strlist_free(errors);
}

static void h_cancel(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct svc *s = drove__lsvc_svc_find(c, drove__http_req_param(req, "serviceId"));

	if (!s ||
	    (s->state != DROVE_LS_ADJUSTING_INSTANCES && s->state != DROVE_LS_REPLACING_INSTANCES))
		return drove__http_reply_failed(req, 400,
		                                "Current operation could not be cancelled", NULL);
	/* a cancelled adjustment or replacement deactivates the service (§5.4) */
	drove__lsvc_op_clear(s);
	drove__lsvc_svc_set_state(c, s, DROVE_LS_EMERGENCY_DEACTIVATION_REQUESTED);
	if (change(c, s, DROVE_LS_DEACTIVATION_REQUESTED, DROVE_LS_ACT_INACTIVE,
	           s->info->instances_per_host) < 0)
		return drove__http_reply_server_error(req, drove_error_last()->message);
	drove__http_reply_success(req, NULL);
}

static void h_validate(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct json_object *j = NULL, *d;
	drove_ls_spec *spec = NULL;
	drove_strlist *errors = NULL;
	int rc;

	if (drove__ctrl_in_window(c))
		return drove__ctrl_reply_one_error(req, "Cluster is in maintenance mode");
	if (drove__http_req_json_or_reply(req, &j) < 0)
		return;
	if (drove_strlist_new(&errors) < 0) {
		json_object_put(j);
		return drove__http_reply_server_error(req, "out of memory");
	}
	rc = drove__ls_spec_from_jobj(j, 0, &spec, errors, NULL);
	json_object_put(j);
	if (rc < 0) {
		drove__ctrl_reply_json_errors(req, errors);
		goto out;
	}
	if (drove__ls_spec_validate(spec, &c->spec_opts, NULL, errors) > 0 ||
	    spec_checks(c, spec, errors) > 0) {
		drove__http_reply_validation(req, errors);
		goto out;
	}
	d = json_object_new_object();
	json_object_object_add(d, "valid", json_object_new_boolean(1));
	drove__http_reply_success(req, d);
out:
	drove__ls_spec_free(spec);
	drove_strlist_free(errors);
}

#define GET  DROVE_HTTP_GET
#define POST DROVE_HTTP_POST

static const struct route {
	unsigned methods;
	const char *path;
	unsigned access;
	drove__http_handler fn;
} routes[] = {
        {POST, V1 "/localservices/operations", DROVE_ROLES_OPERATIONS, h_operations},
        {POST, V1 "/localservices/operations/{serviceId}/cancel", DROVE_ROLES_OPERATIONS, h_cancel},
        {POST, V1 "/localservices/validate/spec", DROVE_ROLES_ANY, h_validate},
        {GET, V1 "/localservices", DROVE_ROLES_ANY, h_list},
        {GET, V1 "/localservices/{serviceId}", DROVE_ROLES_ANY, h_one},
        {GET, V1 "/localservices/{serviceId}/spec", DROVE_ROLES_ANY, h_spec},
        {GET, V1 "/localservices/{serviceId}/instances", DROVE_ROLES_ANY, h_instances},
        {GET, V1 "/localservices/{serviceId}/instances/old", DROVE_ROLES_ANY, h_old},
        {GET, V1 "/localservices/{serviceId}/instances/{instanceId}", DROVE_ROLES_ANY, h_instance},
        {GET, V1 "/internal/cluster/resources/reserved", DROVE_ROLES_CLUSTER, h_reserved},
};

int drove__ctrl_lsvc_routes(drove_controller *c)
{
	int rc;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(routes); i++)
		if ((rc = drove__http_server_route(c->http, routes[i].methods, routes[i].path,
		                                   routes[i].access, 1, routes[i].fn, c)) < 0)
			return rc;
	return 0;
}
