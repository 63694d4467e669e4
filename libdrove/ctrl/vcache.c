/* Cached renderings of the large list reads (issue 21): GET /applications, /endpoints and
 * /cluster/executors. Each app summary and executor summary keeps its JSON text until its
 * record changes; each whole reply body (envelope included) is kept in a few slots keyed by
 * the request's parameters until the controller's generation it depends on moves
 * (drove__ctrl_apps_changed / drove__ctrl_exec_changed, bumped where the state changes) or
 * until time alone could change it (an instance turning stale, the endpoints' maintenance
 * window closing). The bodies are byte for byte what a fresh rendering gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>

#include "ctrl/engine.h"
#include "http/server.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

enum drove__ctrl_vkind { VK_APPS = 1, VK_ENDPOINTS, VK_EXECS };

static uint64_t gen_of(const drove_controller *c, int kind)
{
	return kind == VK_EXECS ? c->execs_gen : c->apps_gen;
}

/* Reply with the kept body of (kind, key) if nothing it shows changed. */
static bool vbody_reply(drove_controller *c, drove__http_req *req, int kind, const char *key)
{
	int64_t now = drove_time_wall_ms();

	for (size_t i = 0; i < DROVE__CTRL_VBODIES; i++) {
		struct drove__ctrl_vbody *v = &c->vbody[i];
		if (v->kind != kind || strcmp(v->key, key) || v->gen != gen_of(c, kind) ||
		    now > v->until_ms)
			continue;
		v->used = ++c->vbody_tick;
		drove__http_reply_raw(req, 200, "application/json", v->body, v->len);
		return true;
	}
	return false;
}

static void vbody_clear(struct drove__ctrl_vbody *v)
{
	free(v->key);
	free(v->body);
	memset(v, 0, sizeof(*v));
}

/* Reply with `data` in the success envelope and keep the body for (kind, key) until the
 * generation moves or `until_ms` passes. */
static void vbody_put(drove_controller *c, drove__http_req *req, int kind, const char *key,
                      struct json_object *data, int64_t until_ms)
{
	char *body = drove__http_envelope(1, NULL, data), *k;
	struct drove__ctrl_vbody *v = NULL;

	if (!body)
		return drove__http_reply_server_error(req, "out of memory");
	for (size_t i = 0; i < DROVE__CTRL_VBODIES && !v; i++)
		if (c->vbody[i].kind == kind && !strcmp(c->vbody[i].key, key))
			v = &c->vbody[i];
	for (size_t i = 0; i < DROVE__CTRL_VBODIES && !v; i++)
		if (!c->vbody[i].kind)
			v = &c->vbody[i];
	if (!v) { /* the least recently used */
		v = &c->vbody[0];
		for (size_t i = 1; i < DROVE__CTRL_VBODIES; i++)
			if (c->vbody[i].used < v->used)
				v = &c->vbody[i];
	}
	drove__http_reply_raw(req, 200, "application/json", body, strlen(body));
	if (!(k = drove__strdup(key))) {
		free(body);
		return;
	}
	vbody_clear(v);
	*v = (struct drove__ctrl_vbody){.kind = kind,
	                                .key = k,
	                                .body = body,
	                                .len = strlen(body),
	                                .gen = gen_of(c, kind),
	                                .until_ms = until_ms,
	                                .used = ++c->vbody_tick};
}

void drove__ctrl_vcache_free(drove_controller *c)
{
	for (size_t i = 0; i < DROVE__CTRL_VBODIES; i++)
		vbody_clear(&c->vbody[i]);
}

/* Fresh HEALTHY instances of `app` (healthyInstances); *until is lowered to the wall ms after
 * which the first of them turns stale. */
static int64_t healthy_until(const drove_controller *c, const drove__ctrl_app *app, int64_t now,
                             int64_t *until)
{
	int64_t n = 0;
	for (size_t i = 0; i < app->n_insts; i++) {
		const drove__ctrl_inst *in = app->insts[i];
		if (in->info->state != DROVE_INST_HEALTHY ||
		    !drove__ctrl_inst_fresh(in, now, c->stale_inst_ms))
			continue;
		n++;
		if (in->seen_ms + c->stale_inst_ms < *until)
			*until = in->seen_ms + c->stale_inst_ms;
	}
	return n;
}

/* The text of `o` (taken), kept in *slot. */
static int keep_text(char **slot, struct json_object *o)
{
	char *txt = o ? drove__strdup(json_object_to_json_string_ext(o, JSON_FLAGS)) : NULL;
	json_object_put(o);
	if (!txt)
		return DROVE_ENOMEM;
	free(*slot);
	*slot = txt;
	return 0;
}

static struct json_object *app_summary(drove_controller *c, drove__ctrl_app *app, int64_t now,
                                       int64_t *until)
{
	int64_t healthy = healthy_until(c, app, now, until);

	if (!app->view_json || app->view_healthy != healthy ||
	    app->view_instances != app->info->instances ||
	    app->view_updated != app->info->updated || app->view_state != app->state) {
		if (keep_text(&app->view_json,
		              drove__ctrl_app_summary(app, now, c->stale_inst_ms)) < 0)
			return NULL;
		app->view_healthy = healthy;
		app->view_instances = app->info->instances;
		app->view_updated = app->info->updated;
		app->view_state = app->state;
	}
	return drove__ctrl_raw_jobj(app->view_json);
}

void drove__ctrl_vc_apps(drove_controller *c, drove__http_req *req, int64_t from, int64_t size)
{
	int64_t now = drove_time_wall_ms(), until = INT64_MAX;
	struct json_object *o;
	char key[48];

	snprintf(key, sizeof(key), "%lld:%lld", (long long)from, (long long)size);
	if (vbody_reply(c, req, VK_APPS, key))
		return;
	o = json_object_new_object();
	for (size_t i = (size_t)from; i < c->n_apps && (int64_t)(i - (size_t)from) < size; i++)
		json_object_object_add(o, c->apps[i]->id, app_summary(c, c->apps[i], now, &until));
	vbody_put(c, req, VK_APPS, key, o, until);
}

void drove__ctrl_vc_endpoints(drove_controller *c, drove__http_req *req, const drove_strlist *names)
{
	int64_t now = drove_time_wall_ms(), until = INT64_MAX;
	bool in_window = drove__ctrl_in_window(c);
	drove__buf key = DROVE_BUF_INIT;
	int rc;

	/* the key: the window and the names asked for, each ended by a 0x1f */
	rc = drove__buf_append(&key, in_window ? "w" : "f", 1);
	for (size_t i = 0; names && i < drove_strlist_count(names); i++) {
		const char *n = drove_strlist_get(names, i);
		rc |= drove__buf_append(&key, n, strlen(n));
		rc |= drove__buf_append(&key, "\x1f", 1);
	}
	rc |= drove__buf_append(&key, "", 1);
	if (rc < 0) {
		drove__buf_free(&key);
		return drove__http_reply_server_error(req, "out of memory");
	}
	if (!vbody_reply(c, req, VK_ENDPOINTS, key.data)) {
		/* outside the window stale instances are left out: the body holds until the
		 * first shown turns stale; inside it, until the window closes */
		if (in_window) {
			if (c->cluster_state != DROVE_CLUSTER_MAINTENANCE)
				until = c->cluster_updated + c->window_tail_ms - 1;
		} else {
			for (size_t a = 0; a < c->n_apps; a++)
				healthy_until(c, c->apps[a], now, &until);
		}
		vbody_put(c, req, VK_ENDPOINTS, key.data,
		          drove__ctrl_endpoints(c->apps, c->n_apps, names, now, c->stale_inst_ms,
		                                in_window),
		          until);
	}
	drove__buf_free(&key);
}

static struct json_object *exec_render(const drove__ctrl_exec *e)
{
	struct json_object *o = json_object_new_object(), *tags = json_object_new_array();
	int64_t fc, uc, fm, um;

	drove__ctrl_node_totals(e->nd, &fc, &uc, &fm, &um);
	for (size_t t = 0; t < e->nd->n_tags; t++)
		json_object_array_add(tags, drove__ctrl_jstr(e->nd->tags[t]));
	json_object_object_add(o, "executorId", drove__ctrl_jstr(e->id));
	json_object_object_add(o, "hostname", drove__ctrl_jstr(e->nd->hostname));
	json_object_object_add(o, "port", json_object_new_int(e->nd->port));
	json_object_object_add(o, "transportType",
	                       drove__ctrl_jstr(e->nd->transport_type == DROVE_TRANSPORT_HTTPS
	                                                ? "HTTPS"
	                                                : "HTTP"));
	json_object_object_add(o, "freeCores", json_object_new_int64(fc));
	json_object_object_add(o, "usedCores", json_object_new_int64(uc));
	json_object_object_add(o, "freeMemory", json_object_new_int64(fm));
	json_object_object_add(o, "usedMemory", json_object_new_int64(um));
	json_object_object_add(o, "tags", tags);
	json_object_object_add(
	        o, "state", drove__ctrl_jstr(drove_executor_state_name(drove__ctrl_exec_state(e))));
	return o;
}

void drove__ctrl_vc_executors(drove_controller *c, drove__http_req *req)
{
	struct json_object *a;

	if (vbody_reply(c, req, VK_EXECS, ""))
		return;
	a = json_object_new_array();
	/* current executors first, then the removed ones */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->n_execs; i++) {
			drove__ctrl_exec *e = c->execs[i];
			if (e->removed != (pass == 1) || !e->nd)
				continue;
			if (!e->view_json || e->view_json_ver != e->view_ver) {
				if (keep_text(&e->view_json, exec_render(e)) < 0)
					continue;
				e->view_json_ver = e->view_ver;
			}
			json_object_array_add(a, drove__ctrl_raw_jobj(e->view_json));
		}
	vbody_put(c, req, VK_EXECS, "", a, INT64_MAX);
}
