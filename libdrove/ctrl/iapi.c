/* The app-instance API (DROVE_API.md §2.10) and instance tokens (§8.9), docs/logs.md. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/config.h>
#include <drove/token.h>

#include "ctrl/engine.h"
#include "http/server.h"

static int cmp_inst(const void *a, const void *b)
{
	const drove__ctrl_inst *x = *(drove__ctrl_inst *const *)a;
	const drove__ctrl_inst *y = *(drove__ctrl_inst *const *)b;
	return strcmp(x->info->instance_id, y->info->instance_id);
}

/* GET /apis/v1/internal/instances?state=..&forApp=: a public route (the token is the only
 * credential, checked here so that a bad one is 401 whatever userAuth says), leader only. */
static void h_siblings(drove__http_req *req, void *ud)
{
	drove_controller *c = ud;
	const char *token = drove__http_req_header(req, "App-Instance-Authorization");
	const char *for_app = drove__http_req_query(req, "forApp");
	const char *app_id, *inst_id, *exec_id;
	drove_principal *p = NULL;
	drove_strlist *states = NULL;
	drove__ctrl_app *app;
	drove__ctrl_inst *self, **sel = NULL;
	size_t n_sel = 0, cap = 0;
	unsigned want = 0;
	int64_t now = drove_time_wall_ms();
	struct json_object *a;

	if (!token || !*token ||
	    drove_principal_new(&p, "app-instance", DROVE_ROLE_APPLICATION_INSTANCE) < 0 ||
	    drove_instance_token_verify(drove__ctrl_instance_secret(c), token, p) < 0) {
		drove__debug(c->ctx, "ctrl.iapi", "instance token refused: %s",
		             token && *token ? drove_error_last()->message : "missing");
		drove_principal_free(p);
		return drove__http_reply_unauthorized(req);
	}
	if (!(c->leader && c->election && drove_election_is_leader(c->election))) {
		drove_principal_free(p);
		return drove__http_reply_not_leader(req);
	}
	if (drove_strlist_new(&states) < 0 || drove__http_req_query_all(req, "state", states) < 0) {
		drove_strlist_free(states);
		drove_principal_free(p);
		return drove__http_reply_server_error(req, "out of memory");
	}
	for (size_t i = 0; i < drove_strlist_count(states); i++) {
		int st;
		if (drove_instance_state_parse(drove_strlist_get(states, i), &st) < 0) {
			drove_strlist_free(states);
			drove_principal_free(p);
			return drove__http_reply_json_invalid(req, drove_error_last()->message);
		}
		want |= 1u << (unsigned)st;
	}
	drove_strlist_free(states);
	if (for_app && strcmp(for_app, "true") && strcmp(for_app, "false")) {
		drove_principal_free(p);
		return drove__http_reply_json_invalid(req, "forApp: not true or false");
	}
	app_id = drove_principal_claim(p, "droveAppId");
	inst_id = drove_principal_claim(p, "droveInstanceId");
	exec_id = drove_principal_claim(p, "droveExecutorId");
	app = app_id ? drove__ctrl_app_find(c, app_id) : NULL;
	self = app && inst_id ? drove__ctrl_inst_find(app, inst_id) : NULL;
	if (!self || !exec_id || !self->info->executor_id ||
	    strcmp(self->info->executor_id, exec_id)) {
		drove_principal_free(p);
		return drove__http_reply_failed(
		        req, 200,
		        "Please send valid token for you app instance. The token value is "
		        "available "
		        "in the DROVE_APP_INSTANCE_AUTH_TOKEN environment variable",
		        NULL);
	}
	drove_principal_free(p);
	/* every app of the same name with forApp=true, else the caller's own app */
	for (size_t k = 0; k < c->n_apps; k++) {
		drove__ctrl_app *x = c->apps[k];
		if (x != app &&
		    !(for_app && !strcmp(for_app, "true") && x->info && x->info->spec &&
		      app->info && app->info->spec && x->info->spec->name &&
		      app->info->spec->name && !strcmp(x->info->spec->name, app->info->spec->name)))
			continue;
		for (size_t i = 0; i < x->n_insts; i++) {
			drove__ctrl_inst *in = x->insts[i];
			int st = (int)in->info->state;
			if (want ? !(want & (1u << (unsigned)st))
			         : !drove_instance_state_is_running(st))
				continue;
			if (!drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
				continue;
			if (n_sel == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				drove__ctrl_inst **nv = realloc(sel, ncap * sizeof(*nv));
				if (!nv) {
					free(sel);
					return drove__http_reply_server_error(req, "out of memory");
				}
				sel = nv;
				cap = ncap;
			}
			sel[n_sel++] = in;
		}
	}
	if (n_sel)
		qsort(sel, n_sel, sizeof(*sel), cmp_inst);
	a = json_object_new_array();
	for (size_t i = 0; a && i < n_sel; i++)
		json_object_array_add(a, drove__ctrl_inst_jobj(sel[i]));
	free(sel);
	if (!a)
		return drove__http_reply_server_error(req, "out of memory");
	drove__http_reply_success(req, a);
}

int drove__ctrl_iapi_routes(drove_controller *c)
{
	return drove__http_server_route(c->http, DROVE_HTTP_GET, "/apis/v1/internal/instances",
	                                DROVE_HTTP_PUBLIC, 0, h_siblings, c);
}
