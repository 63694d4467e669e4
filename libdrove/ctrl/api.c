/* The controller's REST API under /apis/v1 (DROVE_API.md §2.0–§2.4, §2.7, §2.8, §8.4, §8.5).
 * Reads come from memory; writes are durable in the store before the reply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "ctrl/engine.h"
#include "http/server.h"

#define MOD "ctrl"
#define V1  "/apis/v1"

/* Parse an integer query parameter; `def` when absent. -1 on a bad value. */
/* ---- ping ---- */

static void h_ping(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_success(req, json_object_new_string("pong"));
}

/* ---- applications: reads ---- */

static void h_apps(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	int64_t from, size;

	if (drove__ctrl_query_i64(req, "from", 0, 2147483646, &from) < 0)
		return drove__ctrl_reply_bad_param(req, "from");
	if (drove__ctrl_query_i64(req, "size", 2147483646, 2147483646, &size) < 0)
		return drove__ctrl_reply_bad_param(req, "size");
	drove__ctrl_vc_apps(c, req, from, size);
}

static drove__ctrl_app *app_or_miss(drove_controller *c, drove__http_req *req)
{
	const char *id = drove__http_req_param(req, "appId");
	drove__ctrl_app *app = drove__ctrl_app_find(c, id);
	if (!app) {
		char *msg = drove__asprintf("App %s not found", id ? id : "");
		drove__http_reply_not_found(req, msg ? msg : "App not found");
		free(msg);
	}
	return app;
}

static void h_app(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove__ctrl_app *app = app_or_miss(c, req);
	if (app)
		drove__http_reply_success(
		        req, drove__ctrl_app_summary(app, drove_time_wall_ms(), c->stale_inst_ms));
}

static void h_app_spec(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove__ctrl_app *app = app_or_miss(c, req);
	if (app)
		drove__http_reply_success(req, drove__ctrl_masked_spec(app->info->spec));
}

static void h_instances(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove__ctrl_app *app = drove__ctrl_app_find(c, drove__http_req_param(req, "appId"));
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
			drove_strlist_new(&e);
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
	for (size_t i = 0; app && i < app->n_insts; i++) {
		drove__ctrl_inst *in = app->insts[i];
		int st = (int)in->info->state;
		if (want ? !(want & (1u << (unsigned)st)) : !drove_instance_state_is_active(st))
			continue;
		if (!drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
			continue;
		json_object_array_add(a, drove__ctrl_inst_jobj(app->insts[i]));
	}
	drove__http_reply_success(req, a);
}

static void h_old_instances(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove__ctrl_app *app = drove__ctrl_app_find(c, drove__http_req_param(req, "appId"));
	int64_t start, size, k = 0, n = 0;
	struct json_object *a;

	if (drove__ctrl_query_i64(req, "start", 0, 2147483646, &start) < 0)
		return drove__ctrl_reply_bad_param(req, "start");
	if (drove__ctrl_query_i64(req, "size", 2147483646, 2147483646, &size) < 0)
		return drove__ctrl_reply_bad_param(req, "size");
	a = json_object_new_array();
	for (size_t i = 0; app && i < app->n_insts && n < size; i++) {
		const drove__ctrl_inst *in = app->insts[i];
		if (drove_instance_state_is_active((int)in->info->state))
			continue;
		if (k++ < start)
			continue;
		json_object_array_add(a, drove__ctrl_inst_jobj(app->insts[i]));
		n++;
	}
	drove__http_reply_success(req, a);
}

static void h_instance(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *aid = drove__http_req_param(req, "appId");
	const char *iid = drove__http_req_param(req, "instanceId");
	drove__ctrl_app *app = drove__ctrl_app_find(c, aid);
	drove__ctrl_inst *in = app ? drove__ctrl_inst_find(app, iid) : NULL;

	if (!in) {
		char *msg = drove__asprintf("No such application instance %s/%s", aid, iid);
		drove__http_reply_not_found(req, msg ? msg : "No such application instance");
		free(msg);
		return;
	}
	drove__http_reply_success(req, drove__ctrl_inst_jobj(in));
}

/* ---- operations ---- */

static void reply_app_id(drove__http_req *req, const char *id)
{
	struct json_object *d = json_object_new_object();
	json_object_object_add(d, "appId", drove__ctrl_jstr(id));
	drove__http_reply_success(req, d);
}

/* Spec checks of CREATE and validate/spec beyond the model's (§3.7). */
static int spec_checks(drove_controller *c, drove_app_spec *spec, drove_strlist *errors)
{
	char *id = NULL;
	if (spec->placement_policy &&
	    drove__placement_contains(spec->placement_policy, DROVE_PLACE_LOCAL))
		drove_strlist_add(errors, "Local service placement is not allowed for apps");
	if (spec->name && spec->version && drove_app_id(spec->name, spec->version, &id) == 0 &&
	    drove__ctrl_app_find(c, id)) {
		char *msg = drove__asprintf("App %s already exists", id);
		if (msg)
			drove_strlist_add(errors, msg);
		free(msg);
	}
	drove_free(id);
	return (int)drove_strlist_count(errors);
}

static int64_t count_states(drove_controller *c, drove__ctrl_app *app, bool healthy_only)
{
	int64_t n = 0, now = drove_time_wall_ms();
	for (size_t i = 0; i < app->n_insts; i++) {
		const drove__ctrl_inst *in = app->insts[i];
		int st = (int)in->info->state;
		if (!drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
			continue;
		if (healthy_only ? st == DROVE_INST_HEALTHY
		                 : (st == DROVE_INST_PENDING || st == DROVE_INST_PROVISIONING ||
		                    st == DROVE_INST_HEALTHY || st == DROVE_INST_STARTING ||
		                    st == DROVE_INST_UNREADY || st == DROVE_INST_READY))
			n++;
	}
	return n;
}

static void op_create(drove_controller *c, drove__http_req *req, drove_app_op *op)
{
	drove_strlist *errors = NULL;
	drove_app_info *info = NULL;
	drove__ctrl_app *app = NULL;
	char *id = NULL;
	int rc;

	if (drove_strlist_new(&errors) < 0)
		goto oom;
	if (spec_checks(c, op->spec, errors) > 0) {
		drove__http_reply_validation(req, errors);
		drove_strlist_free(errors);
		return;
	}
	drove_strlist_free(errors);
	if (drove_app_id(op->spec->name, op->spec->version, &id) < 0 ||
	    !(info = calloc(1, sizeof(*info))))
		goto oom;
	info->app_id = drove__strdup(id);
	info->spec = op->spec;
	op->spec = NULL;
	info->instances = op->has_instances ? op->instances : 0;
	info->created = info->updated = drove_time_wall_ms();
	if (!info->app_id)
		goto oom;
	{
		drove__ctrl_app tmp = {.id = id, .info = info};
		if ((rc = drove__ctrl_app_persist(c, &tmp)) < 0) {
			drove__http_reply_server_error(req, drove_error_last()->message);
			drove__app_info_free(info);
			drove_free(id);
			return;
		}
	}
	if ((rc = drove__ctrl_app_adopt(c, info, &app)) < 0) {
		drove__http_reply_server_error(req, drove_error_last()->message);
		drove_free(id);
		return;
	}
	drove__ctrl_app_set_state(
	        c, app, app->info->instances > 0 ? DROVE_APP_RUNNING : DROVE_APP_MONITORING);
	drove__info(c->ctx, MOD, "app %s created (%lld instances)", id,
	            (long long)app->info->instances);
	drove__ctrl_check_app(c, app);
	reply_app_id(req, id);
	drove_free(id);
	return;
oom:
	drove_strlist_free(errors);
	drove__app_info_free(info);
	drove_free(id);
	drove__http_reply_server_error(req, "out of memory");
}

static void op_scale(drove_controller *c, drove__http_req *req, drove__ctrl_app *app,
                     int64_t required, const drove_cluster_op_spec *ops)
{
	int64_t current = count_states(c, app, false);

	if (required > current && c->sched &&
	    drove_sched_check_resources(c->sched, app->policy, (int)app->cpus, app->mem_mb,
	                                (size_t)(required - current)) < 0)
		return drove__ctrl_reply_one_error(req, drove_error_last()->message);
	app->info->instances = required;
	if (drove__ctrl_app_persist(c, app) < 0)
		return drove__http_reply_server_error(req, drove_error_last()->message);
	if (app->state == DROVE_APP_SCALING_REQUESTED) {
		/* a scale is under way: it aims at the new count when it ends */
		reply_app_id(req, app->id);
		return;
	}
	drove__ctrl_app_set_state(c, app, DROVE_APP_SCALING_REQUESTED);
	drove__ctrl_job_scale(c, app, required, ops);
	reply_app_id(req, app->id);
}

static void op_apply(drove_controller *c, drove__http_req *req, drove_app_op *op)
{
	int sm_op = drove__ctrl_op_from_api((int)op->type);
	drove__ctrl_app *app;
	char *msg;

	if (!op->app_id || !*op->app_id)
		return drove__ctrl_reply_one_error(req, "no app id found in operation");
	if (!(app = drove__ctrl_app_find(c, op->app_id))) {
		msg = drove__asprintf("No state found for app: %s", op->app_id);
		drove__ctrl_reply_one_error(req, msg ? msg : "No state found for app");
		free(msg);
		return;
	}
	if (drove__ctrl_check_op(app->state, sm_op, app->id) < 0)
		return drove__ctrl_reply_one_error(req, drove_error_last()->message);
	switch (op->type) {
	case DROVE_APP_OP_SCALE:
		return op_scale(c, req, app, op->required_instances, op->op_spec);
	case DROVE_APP_OP_START_INSTANCES:
		return op_scale(c, req, app, count_states(c, app, true) + op->instances,
		                op->op_spec);
	case DROVE_APP_OP_SUSPEND:
		return op_scale(c, req, app, 0, op->op_spec);
	case DROVE_APP_OP_RECOVER:
		drove__ctrl_app_set_state(c, app, DROVE_APP_OUTAGE_DETECTED);
		drove__ctrl_app_set_state(c, app, DROVE_APP_SCALING_REQUESTED);
		drove__ctrl_job_scale(c, app, app->info->instances, NULL);
		return reply_app_id(req, app->id);
	case DROVE_APP_OP_DESTROY:
		drove__ctrl_app_set_state(c, app, DROVE_APP_DESTROY_REQUESTED);
		drove__ctrl_job_destroy(c, app);
		return reply_app_id(req, app->id);
	case DROVE_APP_OP_STOP_INSTANCES:
	case DROVE_APP_OP_REPLACE_INSTANCES: {
		bool stop = op->type == DROVE_APP_OP_STOP_INSTANCES;
		drove__buf bad = DROVE_BUF_INIT;
		char **ids = op->instance_ids;
		size_t n = op->n_instance_ids;
		char **all = NULL;
		size_t nall = 0, cap = 0;
		for (size_t i = 0; i < n; i++) {
			drove__ctrl_inst *in = drove__ctrl_inst_find(app, ids[i]);
			int st = in ? (int)in->info->state : -1;
			if (stop ? (st < 0 || !drove_instance_state_is_active(st))
			         : st != DROVE_INST_HEALTHY)
				drove__buf_printf(&bad, "%s%s", bad.len ? (stop ? "," : ", ") : "",
				                  ids[i]);
		}
		if (bad.len) {
			msg = stop ? drove__asprintf("App %s does not have any instances with the "
			                             "following ids: %s",
			                             app->id, bad.data)
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
			for (size_t i = 0; i < app->n_insts; i++)
				if (app->insts[i]->info->state == DROVE_INST_HEALTHY &&
				    drove__grow(&all, &cap, nall + 1, sizeof(*all)) == 0)
					all[nall++] = app->insts[i]->info->instance_id;
			ids = all;
			n = nall;
		}
		drove__ctrl_app_set_state(c, app,
		                          stop ? DROVE_APP_STOP_INSTANCES_REQUESTED
		                               : DROVE_APP_REPLACE_INSTANCES_REQUESTED);
		if (stop)
			drove__ctrl_job_stop(c, app, ids, n, op->skip_respawn, op->op_spec);
		else
			drove__ctrl_job_replace(c, app, ids, n, op->stop_first, op->op_spec);
		free(all);
		return reply_app_id(req, app->id);
	}
	default:
		return drove__ctrl_reply_one_error(req, "unsupported operation");
	}
}

int drove__ctrl_op_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                          drove_app_op **out, drove_strlist *errors)
{
	drove_app_op *op = NULL;
	int rc;

	*out = NULL;
	if ((rc = drove__app_op_decode(body, len, 0, &op, errors, NULL)) < 0) {
		drove__app_op_free(op);
		if (rc == DROVE_ENOMEM)
			return rc;
		if (!drove_strlist_count(errors))
			drove_strlist_add(errors, drove_error_last()->message);
		return 1;
	}
	if ((rc = drove__app_op_validate(op, opts, errors)) != 0) {
		drove__app_op_free(op);
		return rc < 0 ? rc : 2;
	}
	if (op->type == DROVE_APP_OP_CREATE &&
	    (rc = drove__app_spec_apply_defaults(op->spec)) < 0) {
		drove__app_op_free(op);
		return rc;
	}
	*out = op;
	return 0;
}

static void h_operations(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove_app_op *op = NULL;
	drove_strlist *errors = NULL;
	const char *body;
	size_t len;
	int rc;

	if (!(body = drove__ctrl_op_begin(c, req, &len, &errors)))
		return;
	rc = drove__ctrl_op_decode(body, len, &c->spec_opts, &op, errors);
	if (rc != 0)
		drove__ctrl_reply_decode_failed(req, rc, errors);
	else if (op->type == DROVE_APP_OP_CREATE)
		op_create(c, req, op);
	else
		op_apply(c, req, op);
	drove__app_op_free(op);
	drove_strlist_free(errors);
}

static void h_cancel(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove__ctrl_app *app = drove__ctrl_app_find(c, drove__http_req_param(req, "appId"));
	if (!app || drove__ctrl_job_cancel(c, app) < 0)
		return drove__http_reply_failed(req, 400,
		                                "Current operation could not be cancelled", NULL);
	drove__http_reply_success(req, NULL);
}

static void h_validate(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct json_object *j = NULL, *d;
	drove_app_spec *spec = NULL;
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
	rc = drove__app_spec_from_jobj(j, 0, &spec, errors, NULL);
	json_object_put(j);
	if (rc < 0) {
		drove__ctrl_reply_json_errors(req, errors);
		goto out;
	}
	if ((rc = drove__app_spec_validate(spec, &c->spec_opts, NULL, errors)) > 0 ||
	    spec_checks(c, spec, errors) > 0) {
		drove__http_reply_validation(req, errors);
		goto out;
	}
	d = json_object_new_object();
	json_object_object_add(d, "valid", json_object_new_boolean(1));
	drove__http_reply_success(req, d);
out:
	drove__app_spec_free(spec);
	drove_strlist_free(errors);
}

/* ---- placement rule dry run (§3.9) ---- */

/* Add "<what><why>" to `errors`. @return -1. */
static int dry_error(drove_strlist *errors, const char *what, const char *why)
{
	char *m = drove__asprintf("%s%s", what, why);
	drove_strlist_add(errors, m ? m : why);
	free(m);
	return -1;
}

/* The string map `field` of schedulingInfo (`exec` NULL) or of one executor of
 * allExecutorMetadata into `info`. Values are strings, numbers or booleans (as their text).
 * -1 with the problem in `errors` when it is not such a map. */
static int dry_map(struct json_object *m, const char *path, const char *exec, int which,
                   drove_sched_info *info, drove_strlist *errors)
{
	if (!m || json_object_is_type(m, json_type_null))
		return 0;
	if (!json_object_is_type(m, json_type_object))
		goto bad;
	json_object_object_foreach(m, k, v)
	{
		const char *txt = json_object_get_string(v);
		int rc;
		if (json_object_is_type(v, json_type_null))
			continue;
		if (json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_array))
			goto bad;
		rc = which == 0   ? drove_sched_info_set_allocated_metadata(info, k, txt)
		     : which == 1 ? drove_sched_info_set_executor_metadata(info, exec, k, txt)
		                  : drove_sched_info_set_env(info, k, txt);
		if (rc < 0)
			return rc == DROVE_ENOMEM ? rc : -1;
	}
	return 0;
bad:
	return dry_error(errors, path, ": must be a map of strings");
}

/* schedulingInfo → `info`. 0, -1 (bad shape, in `errors`) or DROVE_ENOMEM. */
static int dry_info(struct json_object *si, drove_sched_info *info, drove_strlist *errors)
{
	struct json_object *v = NULL;
	int rc;

	if (!json_object_is_type(si, json_type_object)) {
		drove_strlist_add(errors, "schedulingInfo: must be an object");
		return -1;
	}
	if (json_object_object_get_ex(si, "executorNodeId", &v) && v) {
		if (!json_object_is_type(v, json_type_string)) {
			drove_strlist_add(errors,
			                  "schedulingInfo.executorNodeId: must be a string");
			return -1;
		}
		if ((rc = drove_sched_info_set_executor_id(info, json_object_get_string(v))) < 0)
			return rc;
	}
	if ((rc = dry_map(json_object_object_get(si, "allocatedExecutorNodeMetadata"),
	                  "schedulingInfo.allocatedExecutorNodeMetadata", NULL, 0, info, errors)) <
	            0 ||
	    (rc = dry_map(json_object_object_get(si, "applicationEnvironment"),
	                  "schedulingInfo.applicationEnvironment", NULL, 2, info, errors)) < 0)
		return rc;
	v = json_object_object_get(si, "allExecutorMetadata");
	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_object)) {
		drove_strlist_add(errors, "schedulingInfo.allExecutorMetadata: must be an object");
		return -1;
	}
	json_object_object_foreach(v, exec, m)
	{
		char *path = drove__asprintf("schedulingInfo.allExecutorMetadata.%.64s", exec);
		rc = path ? dry_map(m, path, exec, 1, info, errors) : DROVE_ENOMEM;
		free(path);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The bean checks of DryRunRuleInfo: both members present, a RULE_BASED policy with a rule
 * and a ruleType we evaluate (HOPE). 0; 1 (decoding: JSON validation failure) or 2
 * (validation) with the problems in `errors`; or DROVE_ENOMEM. */
static int dry_decode(struct json_object *j, drove_placement_policy **pp, struct json_object **si,
                      drove_strlist *errors)
{
	struct json_object *rbp = json_object_object_get(j, "ruleBasedPlacementPolicy");
	drove_strlist *dec = NULL;
	int rc;

	*si = json_object_object_get(j, "schedulingInfo");
	if (!rbp || json_object_is_type(rbp, json_type_null))
		drove_strlist_add(errors, "ruleBasedPlacementPolicy must not be null");
	if (!*si || json_object_is_type(*si, json_type_null))
		drove_strlist_add(errors, "schedulingInfo must not be null");
	if (drove_strlist_count(errors))
		return 2;
	if (drove_strlist_new(&dec) < 0)
		return DROVE_ENOMEM;
	rc = drove__placement_policy_from_jobj(rbp, 0, pp, dec, NULL);
	/* the decoder's messages name the policy's fields: say whose */
	if (rc < 0 && rc != DROVE_ENOMEM && !drove_strlist_count(dec))
		dry_error(errors, "ruleBasedPlacementPolicy.", drove_error_last()->message);
	for (size_t i = 0; i < drove_strlist_count(dec); i++)
		dry_error(errors, "ruleBasedPlacementPolicy.", drove_strlist_get(dec, i));
	drove_strlist_free(dec);
	if (rc < 0)
		return rc == DROVE_ENOMEM ? rc : 1;
	if ((*pp)->type != DROVE_PLACE_RULE_BASED) {
		dry_error(errors, "ruleBasedPlacementPolicy.type: not RULE_BASED but ",
		          drove__placement_type_name((int)(*pp)->type));
		return 1;
	}
	if (!(*pp)->rule || !*(*pp)->rule)
		drove_strlist_add(errors, "ruleBasedPlacementPolicy.rule must not be empty");
	if (!(*pp)->has_rule_type)
		drove_strlist_add(errors, "ruleBasedPlacementPolicy.ruleType must not be null");
	else if ((*pp)->rule_type == DROVE_RULE_MVEL)
		drove_strlist_add(errors, "ruleBasedPlacementPolicy.ruleType: MVEL rules are not "
		                          "supported, use HOPE");
	return drove_strlist_count(errors) ? 2 : 0;
}

int drove__ctrl_dryrun_decode(struct json_object *j, drove_placement_policy **pp,
                              drove_sched_info *info, drove_strlist *errors)
{
	struct json_object *si = NULL;
	int rc;

	*pp = NULL;
	if (!json_object_is_type(j, json_type_object)) {
		drove_strlist_add(errors, "DryRunRuleInfo: must be an object");
		return 1;
	}
	if ((rc = dry_decode(j, pp, &si, errors)) == 0 && (rc = dry_info(si, info, errors)) == -1)
		rc = 1;
	if (rc != 0) {
		drove__placement_policy_free(*pp);
		*pp = NULL;
	}
	return rc;
}

static struct json_object *dry_result(const char *status, const char *error, int result)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(status));
	if (result >= 0)
		json_object_object_add(o, "result", json_object_new_boolean(result));
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	return o;
}

static void h_rule_dryrun(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	struct json_object *j = NULL, *d;
	drove_placement_policy *pp = NULL;
	drove_sched_policy *pol = NULL;
	drove_sched_info *info = NULL;
	drove_strlist *errors = NULL;
	const drove_principal *who = drove__http_req_principal(req);
	int rc, result = 0;

	if (drove__http_req_json_or_reply(req, &j) < 0)
		return;
	if (drove_strlist_new(&errors) < 0 || drove_sched_info_new(&info) < 0) {
		drove__http_reply_server_error(req, "out of memory");
		goto out;
	}
	if ((rc = drove__ctrl_dryrun_decode(j, &pp, info, errors)) != 0) {
		drove__ctrl_reply_decode_failed(req, rc, errors);
		goto out;
	}
	if (drove__ctrl_in_window(c)) {
		drove__ctrl_reply_one_error(req, "Cluster is in maintenance mode");
		goto out;
	}
	d = json_object_new_object();
	rc = drove_sched_policy_rule_hope(&pol, pp->rule);
	if (rc == DROVE_ENOMEM) {
		json_object_put(d);
		drove__http_reply_server_error(req, "out of memory");
		goto out;
	}
	if (rc < 0) {
		/* a rule that does not parse is the dry run's answer, not a bad request (Drove) */
		json_object_object_add(d, "status", json_object_new_boolean(0));
		json_object_object_add(d, "checkResult",
		                       dry_result("FAILURE", drove_error_last()->message, -1));
		json_object_object_add(d, "evalResult", dry_result("FAILURE", "Not evaluated", -1));
	} else if (drove_sched_rule_eval_strict(pol, info, &result) < 0) {
		/* HOPE's failure rule (a missing value, a type mismatch ...): the executor would be
		 * skipped; the dry run says why */
		result = 0;
		json_object_object_add(d, "status", json_object_new_boolean(0));
		json_object_object_add(d, "checkResult", dry_result("SUCCESS", NULL, -1));
		json_object_object_add(d, "evalResult",
		                       dry_result("FAILURE", drove_error_last()->message, -1));
	} else {
		json_object_object_add(d, "status", json_object_new_boolean(1));
		json_object_object_add(d, "checkResult", dry_result("SUCCESS", NULL, -1));
		json_object_object_add(d, "evalResult", dry_result("SUCCESS", NULL, result));
	}
	drove__info(
	        c->ctx, MOD,
	        "ACCESS_AUDIT: Placement rule dryrun: %.256s received from user: %s. Validation "
	        "result: %s",
	        pp->rule, who ? drove_principal_name(who) : "", result ? "true" : "false");
	drove__http_reply_success(req, d);
out:
	json_object_put(j);
	drove__placement_policy_free(pp);
	drove_sched_policy_free(pol);
	drove_sched_info_free(info);
	drove_strlist_free(errors);
}

/* ---- endpoints ---- */

static void h_endpoints(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	drove_strlist *names = NULL;
	const char *one = drove__http_req_param(req, "appName");

	if (drove_strlist_new(&names) < 0)
		return drove__http_reply_server_error(req, "out of memory");
	if (one)
		drove_strlist_add(names, one);
	else
		drove__http_req_query_all(req, "app", names);
	drove__ctrl_vc_endpoints(c, req, names);
	drove_strlist_free(names);
}

/* ---- cluster ---- */

static void h_cluster(drove__http_req *req, void *ud)
{
	drove__http_reply_success(req, drove__ctrl_cluster_summary(ud, NULL, NULL));
}

static void h_executors(drove__http_req *req, void *ud)
{
	drove__ctrl_vc_executors(ud, req);
}

static void h_executor(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *id = drove__http_req_param(req, "executorId");
	drove__ctrl_exec *e = drove__ctrl_exec_of(c, id);
	struct json_object *j;

	if (!e || !e->nd) {
		char *msg = drove__asprintf("No executor found with id: %s", id);
		drove__http_reply_not_found(req, msg ? msg : "No executor found");
		free(msg);
		return;
	}
	if ((j = drove__node_data_to_jobj(e->nd)))
		json_object_object_add(
		        j, "executorState",
		        drove__ctrl_jstr(drove_executor_state_name(drove__ctrl_exec_state(e))));
	drove__http_reply_success(req, j);
}

/* ---- maintenance ---- */

static void maintenance(drove__http_req *req, drove_controller *c, int state)
{
	drove_cluster_state_data d = {(enum drove_cluster_state)state, drove_time_wall_ms()};
	char *json = NULL;
	drove_event *ev;

	if (drove__cluster_state_data_encode(&d, &json) < 0 ||
	    drove_record_put(c->store, DROVE_RECORD_CLUSTER_STATE, NULL, NULL, json, strlen(json)) <
	            0) {
		free(json);
		return drove__http_reply_not_found(req, "Could not change cluster state");
	}
	free(json);
	c->cluster_state = state;
	drove__ctrl_apps_changed(c); /* the endpoints' window */
	c->cluster_updated = d.updated;
	if ((ev = drove__ctrl_event_new(c->ctx, state == DROVE_CLUSTER_MAINTENANCE
	                                                ? DROVE_EVENT_MAINTENANCE_MODE_SET
	                                                : DROVE_EVENT_MAINTENANCE_MODE_REMOVED))) {
		drove_strmap_set(ev->metadata, "HOSTNAME", c->hostname);
		drove__ctrl_publish(c, ev);
	}
	drove__http_reply_success(req, drove__cluster_state_data_to_jobj(&d));
}

static void h_maint_set(drove__http_req *req, void *ud)
{
	maintenance(req, ud, DROVE_CLUSTER_MAINTENANCE);
}

static void h_maint_unset(drove__http_req *req, void *ud)
{
	maintenance(req, ud, DROVE_CLUSTER_NORMAL);
}

/* ---- events ---- */

static int events_params(drove__http_req *req, int64_t *last, int64_t *size)
{
	if (drove__ctrl_query_i64(req, "lastSyncTime", 0, INT64_MAX, last) < 0) {
		drove__ctrl_reply_bad_param(req, "lastSyncTime");
		return -1;
	}
	if (size && drove__ctrl_query_i64(req, "size", 1024, 2147483647, size) < 0) {
		drove__ctrl_reply_bad_param(req, "size");
		return -1;
	}
	return 0;
}

static struct json_object *events_array(drove_controller *c, int64_t last, int64_t size,
                                        int64_t *sync)
{
	const drove_event **v = NULL;
	int n = drove__ctrl_events_latest(&c->events, last, (size_t)size, &v, sync);
	struct json_object *a = json_object_new_array_ext(n > 0 ? n : 0);
	for (int i = 0; i < n; i++)
		json_object_array_add(a, drove__event_to_jobj(v[i]));
	free(v);
	return a;
}

static void h_events_latest(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	int64_t last, size, sync;
	struct json_object *o, *a;

	if (events_params(req, &last, &size) < 0)
		return;
	a = events_array(c, last, size, &sync);
	o = json_object_new_object();
	json_object_object_add(o, "events", a);
	json_object_object_add(o, "lastSyncTime", json_object_new_int64(sync));
	drove__http_reply_success(req, o);
}

static void h_events_list(drove__http_req *req, void *ud)
{
	int64_t last, size, sync;
	if (events_params(req, &last, &size) < 0)
		return;
	drove__http_reply_success(req, events_array(ud, last, size, &sync));
}

static void h_events_summary(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	size_t counts[DROVE_EVENT_LEADERSHIP_LOST + 1];
	int64_t last, sync;
	struct json_object *o, *m;

	if (events_params(req, &last, NULL) < 0)
		return;
	drove__ctrl_events_summary(&c->events, last, counts, DROVE_ARRAY_LEN(counts), &sync);
	o = json_object_new_object();
	m = json_object_new_object();
	for (size_t i = 0; i < DROVE_ARRAY_LEN(counts); i++)
		if (counts[i])
			json_object_object_add(m, drove_event_type_name((int)i),
			                       json_object_new_int64((int64_t)counts[i]));
	json_object_object_add(o, "eventsCount", m);
	json_object_object_add(o, "lastSyncTime", json_object_new_int64(sync));
	drove__http_reply_success(req, o);
}

/* ---- executors' endpoints ---- */

static void h_messages(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *body;
	size_t len;
	drove_message *m = NULL;

	body = drove__http_req_body(req, &len);
	if (drove__ctrl_decode_async(c, req, body, len) == 0)
		return; /* answered once decoded */
	if (drove__message_decode(body, len, &m) < 0) {
		drove__ctrl_message_decoded(c, req, NULL, drove_error_last()->message);
		return;
	}
	drove__ctrl_message_decoded(c, req, m, NULL);
	drove__message_free(m);
}

static void add_lost(const char *instance_id, void *ud)
{
	if (drove_strlist_add(ud, instance_id) < 0)
		drove_error_clear(); /* the list stops short: those are adopted, then reaped */
}

/* instances/last: what executor `id` (lost, then back) may adopt. Drove answers from the
 * removed executor's last snapshot, and FAILED without one, and the executor then adopts
 * everything it finds. Without one is common: a leader that never saw the executor (it died
 * across a failover) or still holds it live (it restarted within the detection time); and a
 * new leader's snapshot of it may list nothing. So the records say more: app instances held as
 * LOST there were replaced and are stale too, and are never adopted (they would hold their
 * cores while being stopped). */
static void known_last(drove__http_req *req, drove_controller *c, const char *id,
                       const drove__ctrl_exec *e)
{
	drove_known_instances *k = NULL;
	drove__ctrl_known_fns fns;
	drove_strlist *lost = NULL;

	drove__ctrl_known_fns_init(c, &fns);
	if (drove_strlist_new(&lost) < 0)
		return drove__http_reply_server_error(req, drove_error_last()->message);
	drove__ctrl_apps_lost_on(c, id, add_lost, lost);
	if (drove__ctrl_known_instances(e && e->removed ? e->nd : NULL, &fns, NULL, lost, &k) < 0)
		drove__http_reply_server_error(req, drove_error_last()->message);
	else
		drove__http_reply_success(req, drove__known_instances_to_jobj(k));
	drove__known_instances_free(k);
	drove_strlist_free(lost);
}

static void known(drove__http_req *req, drove_controller *c, bool last)
{
	const char *id = drove__http_req_param(req, "executorId");
	drove__ctrl_exec *e = drove__ctrl_exec_find(c, id);
	drove_known_instances *k = NULL;
	drove__ctrl_known_fns fns;

	if (last && id)
		return known_last(req, c, id, e);
	if (!e || !e->nd || e->removed) { /* current: a live executor's snapshot */
		char *msg = drove__asprintf("No executor found with id: %s", id);
		drove__http_reply_not_found(req, msg ? msg : "No executor found");
		free(msg);
		return;
	}
	drove__ctrl_known_fns_init(c, &fns);
	if (drove__ctrl_known_instances(e->nd, &fns, NULL, NULL, &k) < 0)
		return drove__http_reply_server_error(req, drove_error_last()->message);
	drove__http_reply_success(req, drove__known_instances_to_jobj(k));
	drove__known_instances_free(k);
}

static void h_known_last(drove__http_req *req, void *ud)
{
	known(req, ud, true);
}

static void h_known_current(drove__http_req *req, void *ud)
{
	known(req, ud, false);
}

/* ---- the route table ---- */

#define GET  DROVE_HTTP_GET
#define POST DROVE_HTTP_POST

static const struct route {
	unsigned methods;
	const char *path;
	unsigned access;
	int leader_only;
	drove__http_handler fn;
} routes[] = {
        {GET, V1 "/ping", DROVE_ROLES_ANY, 1, h_ping},
        {POST, V1 "/applications/operations", DROVE_ROLES_OPERATIONS, 1, h_operations},
        {POST, V1 "/operations", DROVE_ROLES_OPERATIONS, 1, h_operations},
        {POST, V1 "/applications/operations/{appId}/cancel", DROVE_ROLES_OPERATIONS, 1, h_cancel},
        {POST, V1 "/operations/{appId}/cancel", DROVE_ROLES_OPERATIONS, 1, h_cancel},
        {POST, V1 "/applications/validate/spec", DROVE_ROLES_ANY, 1, h_validate},
        {POST, V1 "/applications/placementpolicy/rule/dryrun", DROVE_ROLES_ANY, 1, h_rule_dryrun},
        {GET, V1 "/applications", DROVE_ROLES_ANY, 1, h_apps},
        {GET, V1 "/applications/{appId}", DROVE_ROLES_ANY, 1, h_app},
        {GET, V1 "/applications/{appId}/spec", DROVE_ROLES_ANY, 1, h_app_spec},
        {GET, V1 "/applications/{appId}/instances", DROVE_ROLES_ANY, 1, h_instances},
        {GET, V1 "/applications/{appId}/instances/old", DROVE_ROLES_ANY, 1, h_old_instances},
        {GET, V1 "/applications/{appId}/instances/{instanceId}", DROVE_ROLES_ANY, 1, h_instance},
        {GET, V1 "/endpoints", DROVE_ROLES_ANY, 1, h_endpoints},
        {GET, V1 "/endpoints/app/{appName}", DROVE_ROLES_ANY, 1, h_endpoints},
        {GET, V1 "/cluster", DROVE_ROLES_ANY, 1, h_cluster},
        {GET, V1 "/cluster/executors", DROVE_ROLES_ANY, 1, h_executors},
        {GET, V1 "/cluster/executors/{executorId}", DROVE_ROLES_ANY, 1, h_executor},
        {POST, V1 "/cluster/executors/blacklist", DROVE_ROLES_MAINTENANCE, 1,
         drove__ctrl_h_blacklist},
        {POST, V1 "/cluster/executors/{executorId}/blacklist", DROVE_ROLES_MAINTENANCE, 1,
         drove__ctrl_h_blacklist},
        {POST, V1 "/cluster/executors/unblacklist", DROVE_ROLES_MAINTENANCE, 1,
         drove__ctrl_h_unblacklist},
        {POST, V1 "/cluster/executors/{executorId}/unblacklist", DROVE_ROLES_MAINTENANCE, 1,
         drove__ctrl_h_unblacklist},
        {POST, V1 "/cluster/maintenance/set", DROVE_ROLES_MAINTENANCE, 1, h_maint_set},
        {POST, V1 "/cluster/maintenance/unset", DROVE_ROLES_MAINTENANCE, 1, h_maint_unset},
        {GET, V1 "/cluster/events", DROVE_ROLES_ANY, 1, h_events_list},
        {GET, V1 "/cluster/events/latest", DROVE_ROLES_ANY, 1, h_events_latest},
        {GET, V1 "/cluster/events/summary", DROVE_ROLES_ANY, 1, h_events_summary},
        {POST, V1 "/messages", DROVE_ROLES_CLUSTER, 0, h_messages},
        {GET, V1 "/internal/cluster/executors/{executorId}/instances/last", DROVE_ROLES_CLUSTER, 1,
         h_known_last},
        {GET, V1 "/internal/cluster/executors/{executorId}/instances/current", DROVE_ROLES_CLUSTER,
         1, h_known_current},
};

int drove__ctrl_api_routes(drove_controller *c)
{
	int rc;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(routes); i++) {
		rc = drove__http_server_route(c->http, routes[i].methods, routes[i].path,
		                              routes[i].access, routes[i].leader_only, routes[i].fn,
		                              c);
		if (rc < 0)
			return rc;
	}
	if ((rc = drove__ctrl_task_routes(c)) < 0 || (rc = drove__ctrl_lsvc_routes(c)) < 0 ||
	    (rc = drove__ctrl_dashboard_routes(c)) < 0 || (rc = drove__ctrl_log_routes(c)) < 0 ||
	    (rc = drove__ctrl_iapi_routes(c)) < 0 || (rc = drove__ctrl_console_routes(c)) < 0)
		return rc;
	return 0;
}

/* ---- start: the listener with every route, then the engine ---- */

int drove_controller_start(drove_controller *c)
{
	int rc;

	DROVE_CHECK_ARG(c && !c->started);
	c->started = 1;
	if ((rc = drove__ctrl_engine_http(c)) < 0 || (rc = drove__ctrl_api_routes(c)) < 0)
		return rc;
	return drove__ctrl_engine_start(c);
}
