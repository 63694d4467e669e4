/* Recovery from labels at start and the zombie reaper (docs/executor.md, "Recovery and
 * zombies"), with the leader's GETs they use; called by the engine (executor.c), calls only
 * the layers below it and the engine's hooks. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include "exec/engine.h"
#include "http/server.h"
#include "model/codec.h"

#define MOD "exec"

/* GET {leader}{path} with the cluster secret. */
int drove__exec_leader_get(struct drove_executor *ex, const char *path, drove__http_done_fn done,
                           void *ud)
{
	const char *hdrs[] = {ex->auth_hdr, NULL};
	drove__http_request req;
	char *url;
	int rc;
	if (!ex->leader)
		return DROVE_EUNAVAIL;
	if (!(url = drove__asprintf("%s%s", ex->leader, path)))
		return DROVE_ENOMEM;
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.headers = hdrs;
	req.connect_timeout_ms = ex->ec->controller_connect_timeout_ms;
	req.timeout_ms = ex->ec->controller_response_timeout_ms + 4000;
	req.on_done = done;
	req.userdata = ud;
	rc = drove__http_send(ex->http, &req, NULL);
	free(url);
	return rc;
}

/* The object under "data" of an envelope, or the body itself. New reference or NULL. */
struct json_object *drove__exec_unwrap(const char *body, size_t len)
{
	struct json_object *j = NULL, *d;
	if (drove__mcodec_parse(body, len, &j) < 0)
		return NULL;
	if (json_object_object_get_ex(j, "status", &d)) {
		const char *st = json_object_get_string(d);
		if (!st || strcmp(st, "SUCCESS") != 0 ||
		    !json_object_object_get_ex(j, "data", &d)) {
			json_object_put(j);
			return NULL;
		}
		json_object_get(d);
		json_object_put(j);
		return d;
	}
	return j;
}

/* ---- recovery (§8.7) ---- */

struct recov {
	struct drove_executor *ex;
	char **ids, **types, **specs, **infos, **cids;
	size_t n;
	drove_known_instances *known;
};

static void recov_free(struct recov *r)
{
	for (size_t k = 0; k < r->n; k++) {
		free(r->ids[k]);
		free(r->types[k]);
		free(r->specs[k]);
		free(r->infos[k]);
		free(r->cids[k]);
	}
	free(r->ids);
	free(r->types);
	free(r->specs);
	free(r->infos);
	free(r->cids);
	drove__known_instances_free(r->known);
	free(r);
}

/* The ports of a recovered instance's labels (`li` may be NULL) move to `i`. */
static void take_ports(exec_inst *i, drove_local_info *li)
{
	if (!li)
		return;
	i->pinfo = li->ports;
	i->n_pinfo = li->n_ports;
	li->ports = NULL;
	li->n_ports = 0;
}

/* Recovery is over (done, failed, or nothing to ask): report, get ready, start reaping. */
static void recovery_done(struct drove_executor *ex)
{
	ex->recovery = 2;
	ex->hooks->snapshot_soon(ex);
	drove__exec_arm(ex->t_ready, 0);
	drove__exec_arm(ex->t_zombie, ex->ec->zombie_check_interval_ms);
}

static void recov_finish(struct recov *r)
{
	struct drove_executor *ex = r->ex;
	const drove_known_instances *kn = r->known;
	size_t nknown = kn ? kn->n_app_instance_ids + kn->n_task_instance_ids +
	                                kn->n_local_service_instance_ids
	                   : 0,
	       left = 0;
	for (size_t k = 0; k < r->n; k++) {
		drove__exec_labels l;
		exec_inst *i;
		void *spec;
		if (drove__exec_find(ex, r->ids[k]))
			continue;
		if (kn && (drove__exec_listed(kn, r->ids[k], true) ||
		           (nknown && !drove__exec_listed(kn, r->ids[k], false)))) {
			left++;
			continue;
		}
		if (drove__exec_labels_parse(r->types[k], r->ids[k], r->specs[k], r->infos[k], &l) <
		    0) {
			drove__warn(ex->ctx, MOD, "recovery: %s", drove_error_last()->message);
			continue;
		}
		spec = l.kind == DROVE__EXEC_APP    ? (void *)l.app
		       : l.kind == DROVE__EXEC_TASK ? (void *)l.task
		                                    : (void *)l.ls;
		if (drove__exec_inst_new(ex, l.kind, spec, &i) < 0) {
			drove__exec_labels_clear(&l);
			continue;
		}
		l.app = NULL, l.task = NULL, l.ls = NULL;
		i->state = l.kind == DROVE__EXEC_TASK ? DROVE_TASK_UNKNOWN : DROVE_INST_UNKNOWN;
		i->recovered = 1;
		i->container = drove__strdup(r->cids[k]);
		i->container_mono = drove_time_mono_ms();
		if (l.app_info) {
			i->created = l.app_info->created;
			take_ports(i, l.app_info->local_info);
		} else if (l.ls_info) {
			i->created = l.ls_info->created;
			take_ports(i, l.ls_info->local_info);
		} else if (l.task_info) {
			i->created = l.task_info->created;
		}
		drove__exec_labels_clear(&l);
		if (drove__exec_res_lock(&ex->res, i->id, i->res, i->n_res) < 0)
			drove__warn(ex->ctx, MOD, "recovery: %s: %s", i->id,
			            drove_error_last()->message);
		drove__exec_inst_add(ex, i);
		drove__info(ex->ctx, MOD, "recovered %s (container %.12s)", i->id, i->container);
		/* re-attach the log stream without back-log, then resume the checks */
		drove__exec_inst_follow(i, 0);
		drove__exec_inst_resume(i);
	}
	recov_free(r);
	recovery_done(ex);
	if (left) { /* stale or unknown to the leader: removed now, not at the reaper's next pass */
		drove__info(ex->ctx, MOD,
		            "recovery: %zu instances not adopted (stale), reaping now", left);
		drove__exec_reap(ex, NULL);
	}
}

static void on_last(const drove__http_response *resp, void *ud)
{
	struct recov *r = ud;
	struct json_object *j = NULL;
	if (!resp->error && resp->status == 200 &&
	    (j = drove__exec_unwrap(resp->body, resp->body_len))) {
		if (drove__known_instances_from_jobj(j, 0, &r->known, NULL, NULL) < 0)
			r->known = NULL;
	}
	json_object_put(j);
	recov_finish(r);
}

static void on_recov_list(const drove_runtime_result *res, void *ud)
{
	struct drove_executor *ex = ud;
	struct recov *r = calloc(1, sizeof(*r));
	size_t n = drove_runtime_result_container_count(res);
	char *path;
	if (!r) {
		recovery_done(ex);
		return;
	}
	r->ex = ex;
	if (drove_runtime_result_code(res) < 0)
		drove__warn(ex->ctx, MOD, "recovery: listing containers: %s",
		            drove_runtime_result_message(res));
	r->ids = calloc(n + 1, sizeof(char *));
	r->types = calloc(n + 1, sizeof(char *));
	r->specs = calloc(n + 1, sizeof(char *));
	r->infos = calloc(n + 1, sizeof(char *));
	r->cids = calloc(n + 1, sizeof(char *));
	if (!r->ids || !r->types || !r->specs || !r->infos || !r->cids) {
		recov_free(r);
		recovery_done(ex);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		const drove_container_info *c = drove_runtime_result_container_at(res, k);
		const char *id = drove_container_info_label(c, DROVE__LABEL_ID);
		const char *sp = drove_container_info_label(c, DROVE__LABEL_SPEC);
		const char *in = drove_container_info_label(c, DROVE__LABEL_INFO);
		const char *jt = drove_container_info_label(c, DROVE__LABEL_JOB_TYPE);
		if (!id || !sp || !in || !drove_container_info_running(c) ||
		    !drove__exec_label_owned(in, ex->id))
			continue;
		r->ids[r->n] = drove__strdup(id);
		r->types[r->n] = drove__strdup(jt ? jt : "SERVICE");
		r->specs[r->n] = drove__strdup(sp);
		r->infos[r->n] = drove__strdup(in);
		r->cids[r->n] = drove__strdup(drove_container_info_id(c));
		r->n++;
	}
	if (r->n == 0 || !ex->leader) {
		recov_finish(r);
		return;
	}
	path = drove__asprintf("/apis/v1/internal/cluster/executors/%s/instances/last", ex->id);
	if (!path || drove__exec_leader_get(ex, path, on_last, r) < 0)
		recov_finish(r);
	free(path);
}

void drove__exec_start_recovery(struct drove_executor *ex)
{
	if (ex->recovery != 0 || ex->stopped)
		return;
	ex->recovery = 1;
	if (drove_runtime_list(ex->rt, DROVE__LABEL_ID, 0, on_recov_list, ex) < 0) {
		drove__warn(ex->ctx, MOD, "recovery: %s", drove_error_last()->message);
		recovery_done(ex);
	}
}

/* ---- zombie reaper (§8.7) ---- */

struct reap_ctx {
	struct drove_executor *ex;
	drove_known_instances *known;
	int64_t since; /* when the container list was asked for */
};

static void on_reap_list(const drove_runtime_result *res, void *ud)
{
	struct reap_ctx *rc = ud;
	struct drove_executor *ex = rc->ex;
	const drove_known_instances *kn = rc->known;
	size_t n = drove_runtime_result_container_count(res);
	ex->reap_busy = 0;
	ex->reap = NULL;
	if (drove_runtime_result_code(res) < 0) {
		drove__known_instances_free(rc->known);
		free(rc);
		return;
	}
	/* 1: tracked instances the leader lists as stale */
	for (exec_inst *i = ex->insts, *nx; kn && i; i = nx) {
		nx = i->next;
		if (i->removed)
			continue;
		if (drove__exec_listed(kn, i->id, true)) {
			/* logged once, not at every pass while it stops */
			if (drove__exec_inst_running(i))
				drove__info(ex->ctx, MOD, "reaper: %s is stale, stopping", i->id);
			drove__exec_inst_stop_stale(i);
		}
	}
	/* 2: tracked instances whose container vanished (not those created after the list was
	 * asked for: the engine may answer after such a container started) */
	for (exec_inst *i = ex->insts, *nx; i; i = nx) {
		int found = 0;
		nx = i->next;
		if (i->removed || !drove__exec_inst_running(i) || !i->container ||
		    i->container_mono >= rc->since)
			continue;
		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(
			        drove_container_info_id(drove_runtime_result_container_at(res, k)),
			        i->container);
		if (!found) {
			drove__info(ex->ctx, MOD, "reaper: the container of %s vanished", i->id);
			drove__exec_inst_vanished(i);
		}
	}
	/* 3: labelled containers nobody tracks */
	for (size_t k = 0; k < n; k++) {
		const drove_container_info *c = drove_runtime_result_container_at(res, k);
		const char *id = drove_container_info_label(c, DROVE__LABEL_ID);
		exec_inst *i = id ? drove__exec_find(ex, id) : NULL;
		if (!id ||
		    (i && i->container && !strcmp(i->container, drove_container_info_id(c))) ||
		    (i && !i->container) ||
		    !drove__exec_label_owned(drove_container_info_label(c, DROVE__LABEL_INFO),
		                             ex->id))
			continue;
		drove__info(ex->ctx, MOD, "reaper: removing zombie container %.12s (%s)",
		            drove_container_info_id(c), id);
		drove__exec_zombie_remove(ex, drove_container_info_id(c),
		                          drove_container_info_image(c));
	}
	drove__known_instances_free(rc->known);
	free(rc);
}

void drove__exec_reap(struct drove_executor *ex, const drove_known_instances *known)
{
	struct reap_ctx *rc;
	/* one pass at a time: two leader answers may arrive before the first list is back */
	if (ex->stopped || ex->recovery != 2 || ex->reap_busy || !(rc = calloc(1, sizeof(*rc))))
		return;
	rc->ex = ex;
	if (known && drove__known_instances_copy(known, &rc->known) < 0) {
		free(rc);
		return;
	}
	ex->reap_busy = 1;
	ex->reap = rc;
	rc->since = drove_time_mono_ms();
	if (drove_runtime_list(ex->rt, DROVE__LABEL_ID, 1, on_reap_list, rc) < 0) {
		ex->reap_busy = 0;
		ex->reap = NULL;
		drove__known_instances_free(rc->known);
		free(rc);
	}
}

static void on_current(const drove__http_response *resp, void *ud)
{
	struct drove_executor *ex = ud;
	struct json_object *j = NULL;
	drove_known_instances *kn = NULL;
	if (!resp->error && resp->status == 200 &&
	    (j = drove__exec_unwrap(resp->body, resp->body_len)))
		(void)drove__known_instances_from_jobj(j, 0, &kn, NULL, NULL);
	json_object_put(j);
	drove__exec_reap(ex, kn);
	drove__known_instances_free(kn);
}

void drove__exec_zombie_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drove_executor *ex = arg;
	char *path;
	(void)fd;
	(void)what;
	drove__exec_arm(ex->t_zombie, ex->ec->zombie_check_interval_ms);
	if (ex->reap_busy || ex->recovery != 2)
		return;
	path = drove__asprintf("/apis/v1/internal/cluster/executors/%s/instances/current", ex->id);
	if (!path || drove__exec_leader_get(ex, path, on_current, ex) < 0)
		drove__exec_reap(ex, NULL);
	free(path);
}

void drove__exec_reap_free(struct drove_executor *ex)
{
	if (ex->reap) {
		drove__known_instances_free(ex->reap->known);
		free(ex->reap);
		ex->reap = NULL;
	}
}
