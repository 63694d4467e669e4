/* The executor engine: messages with term fencing, the leader, reports and snapshots, executor
 * state (its HTTP edge is api.c; recovery and the zombie reaper are recovery.c).
 * docs/executor.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>
#include "core/loop_internal.h"
#include "exec/engine.h"
#include "store/store_internal.h"
#include "http/server.h"
#include "model/codec.h"

#define MOD               "exec"
#define REPORT_TRIES      3
#define REPORT_RETRY      1000
#define READY_TICK_MS     1000
#define LOOKUP_MIN_GAP_MS 250

struct exec_send {
	struct drove_executor *ex;
	exec_send *next;
	char *json;
	int tries;
	int is_report;
	struct event *ev;
	drove__http_req *req;
};

static void lookup_leader(struct drove_executor *ex);
static void leader_lost(struct drove_executor *ex);
static void send_snapshot(struct drove_executor *ex);
static void publish_zk(struct drove_executor *ex, const drove_node_data *nd);
static void ready_tick(evutil_socket_t fd, short what, void *arg);
static void report(exec_inst *i);
static void snapshot_soon(struct drove_executor *ex);

static const struct drove__exec_hooks hooks = {report, snapshot_soon};

/* ---- snapshot ---- */

/* ---- sending to the leader ---- */

static void send_free(exec_send *s)
{
	struct drove_executor *ex = s->ex;
	for (exec_send **p = &ex->sends; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	if (s->ev)
		event_free(s->ev);
	drove__http_cancel(s->req);
	free(s->json);
	free(s);
}

static void send_try(exec_send *s);

static void send_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	exec_send *s = arg;
	(void)fd;
	(void)what;
	if (s->ex->stopped) {
		send_free(s);
		return;
	}
	send_try(s);
}

static void leader_lost(struct drove_executor *ex)
{
	free(ex->leader);
	ex->leader = NULL;
	lookup_leader(ex);
}

static void on_sent(const drove__http_response *resp, void *ud)
{
	exec_send *s = ud;
	struct drove_executor *ex = s->ex;
	drove_message_response *mr = NULL;
	int ok = 0;
	s->req = NULL;
	if (!resp->error && resp->status == 200 &&
	    drove__message_response_decode(resp->body, resp->body_len, &mr) == 0)
		ok = mr->status == DROVE_MSG_ACCEPTED;
	drove__message_response_free(mr);
	if (ok) {
		ex->leader_answered = 1;
		send_free(s);
		return;
	}
	drove__debug(ex->ctx, MOD, "send to the leader failed (%d %s)", resp->status,
	             resp->error ? resp->errtext : resp->body);
	if (!ex->stopped)
		leader_lost(ex);
	if (s->is_report && ++s->tries < REPORT_TRIES && !ex->stopped) {
		if (!s->ev)
			s->ev = evtimer_new(drove__loop_base(ex->loop), send_retry_cb, s);
		drove__exec_arm(s->ev, REPORT_RETRY);
		return;
	}
	send_free(s);
}

static void send_try(exec_send *s)
{
	struct drove_executor *ex = s->ex;
	const char *hdrs[] = {"Content-Type: application/json", ex->auth_hdr, ex->node_hdr, NULL};
	drove__http_request req;
	char *url;
	if (!ex->leader) {
		lookup_leader(ex);
		if (s->is_report && ++s->tries < REPORT_TRIES) {
			if (!s->ev)
				s->ev = evtimer_new(drove__loop_base(ex->loop), send_retry_cb, s);
			drove__exec_arm(s->ev, REPORT_RETRY);
		} else {
			send_free(s);
		}
		return;
	}
	if (!(url = drove__asprintf("%s/apis/v1/messages", ex->leader))) {
		send_free(s);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = hdrs;
	req.body = s->json;
	req.body_len = strlen(s->json);
	req.connect_timeout_ms = ex->ec->controller_connect_timeout_ms;
	req.timeout_ms = ex->ec->controller_response_timeout_ms + 4000;
	req.on_done = on_sent;
	req.userdata = s;
	if (drove__http_send(ex->http, &req, &s->req) < 0)
		send_free(s);
	free(url);
}

static void send_message(struct drove_executor *ex, drove_message *m, int is_report)
{
	exec_send *s = calloc(1, sizeof(*s));
	if (!s)
		return;
	s->ex = ex;
	s->is_report = is_report;
	drove__message_header_init(&m->header, ex->ctx, DROVE_SENDER_EXECUTOR, 0);
	if (drove__message_encode(m, &s->json) < 0) {
		free(s);
		return;
	}
	s->next = ex->sends;
	ex->sends = s;
	send_try(s);
}

static void report(exec_inst *i)
{
	struct drove_executor *ex = i->ex;
	drove_message m;
	if (!ex->started || ex->stopped)
		return;
	memset(&m, 0, sizeof(m));
	if (drove__exec_res_snapshot(&ex->res, ex->id, &m.snapshot) < 0)
		return;
	if (i->kind == DROVE__EXEC_APP) {
		m.type = DROVE_MSG_INSTANCE_STATE_REPORT;
		m.instance = drove__exec_app_info(i);
	} else if (i->kind == DROVE__EXEC_TASK) {
		m.type = DROVE_MSG_TASK_STATE_REPORT;
		m.task = drove__exec_task_info(i);
	} else {
		m.type = DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT;
		m.ls_instance = drove__exec_ls_info(i);
	}
	if (m.instance || m.task || m.ls_instance)
		send_message(ex, &m, 1);
	drove__resource_snapshot_free(m.snapshot);
	drove__instance_info_free(m.instance);
	drove__task_info_free(m.task);
	drove__ls_instance_info_free(m.ls_instance);
}

static void send_snapshot(struct drove_executor *ex)
{
	drove_message m;
	/* not before recovery has adopted what runs (docs/executor.md, "Recovery and zombies") */
	if (!ex->started || ex->stopped || ex->recovery != 2)
		return;
	memset(&m, 0, sizeof(m));
	m.type = DROVE_MSG_EXECUTOR_SNAPSHOT;
	if (drove__exec_node_data(ex, &m.node_data) < 0)
		return;
	publish_zk(ex, m.node_data);
	if (ex->leader)
		send_message(ex, &m, 0);
	drove__node_data_free(m.node_data);
}

static void snap_now_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	send_snapshot(arg);
}

static void snapshot_soon(struct drove_executor *ex)
{
	if (ex->t_snap_now && !ex->stopped && !evtimer_pending(ex->t_snap_now, NULL))
		drove__exec_arm(ex->t_snap_now, 0);
}

static void snapshot_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drove_executor *ex = arg;
	(void)fd;
	(void)what;
	send_snapshot(ex);
	drove__exec_arm(ex->t_snapshot, ex->ec->snapshot_interval_ms);
}

static void set_exec_state(struct drove_executor *ex, int state)
{
	if (ex->state == state)
		return;
	drove__info(ex->ctx, MOD, "executor %s -> %s", drove_executor_state_name(ex->state),
	            drove_executor_state_name(state));
	ex->state = state;
	snapshot_soon(ex);
	if (state == DROVE_EXECUTOR_UNREADY) {
		drove_strmap_free(ex->required);
		ex->required = NULL;
		drove__exec_arm(ex->t_ready, 0);
	}
}

/* ---- finding the leader (ZooKeeper: the /controller children with leader: true) ---- */

static void leader_found(struct drove_executor *ex, char *l)
{
	if (!ex->leader || strcmp(ex->leader, l)) {
		drove__info(ex->ctx, MOD, "leader: %s", l);
		free(ex->leader);
		ex->leader = l;
		send_snapshot(ex);
	} else {
		free(l);
	}
	ex->leader_answered = 1;
	if (ex->recovery == 0)
		drove__exec_start_recovery(ex);
}

static void zk_lookup_done(struct drove_executor *ex)
{
	ex->lookup_busy = 0;
	if (ex->zk_leader) {
		char *l = ex->zk_leader;
		ex->zk_leader = NULL;
		leader_found(ex, l);
	} else {
		drove__debug(ex->ctx, MOD, "no leader in /controller");
		if (ex->recovery == 0)
			drove__exec_start_recovery(ex);
	}
}

static void on_zk_controller(int rc, const char *data, size_t len, const drove_store_stat *st,
                             void *ud)
{
	struct drove_executor *ex = ud;
	drove_node_data *nd = NULL;
	(void)st;
	if (rc == 0 && !ex->zk_leader &&
	    drove__node_data_decode(data, len, 0, &nd, NULL, NULL) == 0 && nd->leader &&
	    nd->hostname)
		ex->zk_leader = drove__asprintf(
		        "%s://%s:%d",
		        nd->transport_type == DROVE_TRANSPORT_HTTPS ? "https" : "http",
		        nd->hostname, nd->port);
	drove__node_data_free(nd);
	if (--ex->zk_pending == 0)
		zk_lookup_done(ex);
}

static void on_zk_controllers(int rc, const drove_strlist *children, void *ud)
{
	struct drove_executor *ex = ud;
	size_t n = rc == 0 ? drove_strlist_count(children) : 0;
	ex->zk_pending = 1; /* held while the reads are issued */
	for (size_t k = 0; k < n && !ex->stopped; k++) {
		char *path = drove__asprintf("/controller/%s", drove_strlist_get(children, k));
		if (path &&
		    drove_store_get_async(ex->store, path, NULL, NULL, on_zk_controller, ex) == 0)
			ex->zk_pending++;
		free(path);
	}
	if (--ex->zk_pending == 0)
		zk_lookup_done(ex);
}

static void publish_zk(struct drove_executor *ex, const drove_node_data *nd)
{
	char *json = NULL, *name;
	if (!ex->store || drove__node_data_encode(nd, &json) < 0)
		return;
	name = drove__asprintf("%s-%d", ex->hostname, ex->port);
	if (name && drove_record_put_async(ex->store, DROVE_RECORD_EXECUTOR, NULL, name, json,
	                                   strlen(json), NULL, NULL) < 0)
		drove__warn(ex->ctx, MOD, "zookeeper: %s", drove_error_last()->message);
	free(name);
	free(json);
}

/* ---- finding the leader (RPC mode: ping controllers.endpoints) ---- */

static void lookup_next(struct drove_executor *ex);

static void on_ping(const drove__http_response *resp, void *ud)
{
	struct drove_executor *ex = ud;
	const drove_strlist *eps = ex->ec->controller_endpoints;
	if (resp->status == 200 && !resp->error) {
		const char *ep = drove_strlist_get(eps, ex->lookup_idx);
		char *l = drove__strdup(ep);
		size_t n;
		ex->lookup_busy = 0;
		if (!l)
			return;
		n = strlen(l);
		while (n && l[n - 1] == '/')
			l[--n] = '\0';
		leader_found(ex, l);
		return;
	}
	ex->lookup_idx++;
	lookup_next(ex);
}

static void lookup_next(struct drove_executor *ex)
{
	const drove_strlist *eps = ex->ec->controller_endpoints;
	const char *hdrs[] = {ex->auth_hdr, ex->node_hdr, NULL};
	drove__http_request req;
	char *url;
	if (ex->stopped) {
		ex->lookup_busy = 0;
		return;
	}
	if (ex->lookup_idx >= drove_strlist_count(eps)) {
		ex->lookup_busy = 0;
		drove__debug(ex->ctx, MOD, "no leader answered");
		if (ex->recovery == 0)
			drove__exec_start_recovery(ex); /* keep everything: nobody to ask */
		return;
	}
	url = drove__asprintf("%s/apis/v1/ping", drove_strlist_get(eps, ex->lookup_idx));
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.headers = hdrs;
	req.connect_timeout_ms = ex->ec->controller_connect_timeout_ms;
	req.timeout_ms = ex->ec->controller_response_timeout_ms + 1000;
	req.max_body = 65536;
	req.on_done = on_ping;
	req.userdata = ex;
	if (!url || drove__http_send(ex->http, &req, NULL) < 0) {
		ex->lookup_idx++;
		free(url);
		lookup_next(ex); /* bounded by the endpoint count */
		return;
	}
	free(url);
}

static void lookup_leader(struct drove_executor *ex)
{
	int64_t now = drove_time_mono_ms();
	if (ex->lookup_busy || ex->stopped)
		return;
	if (ex->last_lookup_ms && now - ex->last_lookup_ms < LOOKUP_MIN_GAP_MS)
		return; /* the periodic lookup comes soon enough */
	ex->last_lookup_ms = now;
	ex->lookup_busy = 1;
	ex->lookup_idx = 0;
	if (ex->store && drove_strlist_count(ex->ec->controller_endpoints) == 0) {
		if (drove_store_children_async(ex->store, "/controller", NULL, NULL,
		                               on_zk_controllers, ex) < 0)
			zk_lookup_done(ex);
		return;
	}
	lookup_next(ex);
}

static void lookup_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drove_executor *ex = arg;
	(void)fd;
	(void)what;
	ex->last_lookup_ms = 0;
	lookup_leader(ex);
	drove__exec_arm(ex->t_lookup, ex->ec->leader_lookup_interval_ms);
}

/* ---- executor state: UNREADY -> ACTIVE (§8.7) ---- */

static void on_reserved(const drove__http_response *resp, void *ud)
{
	struct drove_executor *ex = ud;
	struct json_object *j = NULL, *req;
	ex->reserved_busy = 0;
	if (resp->error)
		return; /* retried by the next tick */
	drove_strmap_free(ex->required);
	ex->required = NULL;
	if (drove_strmap_new(&ex->required) < 0)
		return;
	if (resp->status == 200 && (j = drove__exec_unwrap(resp->body, resp->body_len)) &&
	    json_object_object_get_ex(j, "requiredInstances", &req) &&
	    json_object_is_type(req, json_type_object)) {
		json_object_object_foreach(req, key, val)
		{
			char num[24];
			snprintf(num, sizeof(num), "%d", json_object_get_int(val));
			(void)drove_strmap_set(ex->required, key, num);
		}
	}
	json_object_put(j);
}

static void ready_tick(evutil_socket_t fd, short what, void *arg)
{
	struct drove_executor *ex = arg;
	int ok = 1;
	(void)fd;
	(void)what;
	if (ex->stopped || ex->state != DROVE_EXECUTOR_UNREADY)
		return;
	if (!ex->leader || !ex->leader_answered || ex->recovery != 2) {
		drove__exec_arm(ex->t_ready, READY_TICK_MS / 4);
		return;
	}
	if (!ex->required) {
		if (!ex->reserved_busy &&
		    drove__exec_leader_get(ex, "/apis/v1/internal/cluster/resources/reserved",
		                           on_reserved, ex) == 0)
			ex->reserved_busy = 1;
		drove__exec_arm(ex->t_ready, ex->reserved_busy ? 50 : READY_TICK_MS);
		return;
	}
	for (size_t k = 0; k < drove_strmap_count(ex->required); k++) {
		long want = strtol(drove_strmap_value(ex->required, k), NULL, 10), have = 0;
		for (exec_inst *i = ex->insts; i; i = i->next)
			if (!i->removed && i->kind == DROVE__EXEC_LS &&
			    i->state == DROVE_INST_HEALTHY &&
			    !strcmp(i->id1, drove_strmap_key(ex->required, k)))
				have++;
		ok &= have >= want;
	}
	if (ok)
		set_exec_state(ex, DROVE_EXECUTOR_ACTIVE);
	else
		drove__exec_arm(ex->t_ready, READY_TICK_MS);
}

/* ---- messages ---- */

static int reply(drove_message_response *r, int status, const char *msg, char **out)
{
	r->status = status;
	r->message = (char *)msg;
	return drove__message_response_encode(r, out);
}

int drove__exec_handle_message(struct drove_executor *ex, const char *body, size_t len,
                               int *http_status, char **resp_json)
{
	drove_message *m = NULL;
	drove_message_response r;
	exec_inst *i;
	char buf[1024];
	int rc;

	memset(&r, 0, sizeof(r));
	*http_status = 200;
	if (drove__message_decode(body, len, &m) < 0) {
		struct json_object *j = json_object_new_object();
		*http_status = 400;
		if (!j)
			return drove__enomem();
		json_object_object_add(j, "status", json_object_new_string("FAILED"));
		json_object_object_add(j, "message",
		                       json_object_new_string(drove_error_last()->message));
		*resp_json =
		        drove__strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
		json_object_put(j);
		return *resp_json ? 0 : DROVE_ENOMEM;
	}
	r.header = m->header;
	if (m->header.term < ex->highest_term) {
		snprintf(buf, sizeof(buf), "stale leader term %lld < %lld",
		         (long long)m->header.term, (long long)ex->highest_term);
		rc = reply(&r, DROVE_MSG_REJECTED, buf, resp_json);
		goto out;
	}
	ex->highest_term = m->header.term;
	switch (m->type) {
	case DROVE_MSG_START_INSTANCE:
	case DROVE_MSG_START_TASK:
	case DROVE_MSG_START_LOCAL_SERVICE_INSTANCE: {
		enum drove__exec_kind kind = m->type == DROVE_MSG_START_INSTANCE ? DROVE__EXEC_APP
		                             : m->type == DROVE_MSG_START_TASK   ? DROVE__EXEC_TASK
		                                                                 : DROVE__EXEC_LS;
		void *spec = kind == DROVE__EXEC_APP    ? (void *)m->app_spec
		             : kind == DROVE__EXEC_TASK ? (void *)m->task_spec
		                                        : (void *)m->ls_spec;
		const char *id = !spec                      ? NULL
		                 : kind == DROVE__EXEC_APP  ? m->app_spec->instance_id
		                 : kind == DROVE__EXEC_TASK ? m->task_spec->instance_id
		                                            : m->ls_spec->instance_id;
		if (!spec || !id) {
			rc = reply(&r, DROVE_MSG_FAILED, "spec.instanceId: missing", resp_json);
			break;
		}
		if (drove__exec_find(ex, id)) {
			rc = reply(&r, DROVE_MSG_ACCEPTED, "already known", resp_json);
			break;
		}
		if (ex->recovery != 2 ||
		    !(ex->state == DROVE_EXECUTOR_ACTIVE ||
		      (kind == DROVE__EXEC_LS && ex->state == DROVE_EXECUTOR_UNREADY))) {
			snprintf(buf, sizeof(buf), "executor is %s%s",
			         drove_executor_state_name(ex->state),
			         ex->recovery != 2 ? " and recovering" : "");
			rc = reply(&r, DROVE_MSG_FAILED, buf, resp_json);
			break;
		}
		if (drove__exec_inst_new(ex, kind, spec, &i) < 0) {
			rc = reply(&r, DROVE_MSG_FAILED, drove_error_last()->message, resp_json);
			break;
		}
		/* the record owns the spec now */
		m->app_spec = NULL, m->task_spec = NULL, m->ls_spec = NULL;
		if (drove__exec_res_lock(&ex->res, i->id, i->res, i->n_res) < 0) {
			snprintf(buf, sizeof(buf), "%s", drove_error_last()->message);
			drove__exec_inst_free(i);
			rc = reply(&r, DROVE_MSG_FAILED, buf, resp_json);
			break;
		}
		drove__exec_inst_add(ex, i);
		report(i); /* PENDING */
		snapshot_soon(ex);
		drove__exec_inst_launch(i);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	}
	case DROVE_MSG_STOP_INSTANCE:
	case DROVE_MSG_STOP_TASK:
	case DROVE_MSG_STOP_LOCAL_SERVICE_INSTANCE: {
		enum drove__exec_kind kind = m->type == DROVE_MSG_STOP_INSTANCE ? DROVE__EXEC_APP
		                             : m->type == DROVE_MSG_STOP_TASK   ? DROVE__EXEC_TASK
		                                                                : DROVE__EXEC_LS;
		i = m->instance_id ? drove__exec_find(ex, m->instance_id) : NULL;
		if (!i || i->kind != kind) {
			snprintf(buf, sizeof(buf), "unknown instance %s",
			         m->instance_id ? m->instance_id : "");
			rc = reply(&r, DROVE_MSG_FAILED, buf, resp_json);
			break;
		}
		if (!drove__exec_inst_running(i)) {
			snprintf(buf, sizeof(buf), "instance %s is %s", i->id,
			         kind == DROVE__EXEC_TASK ? drove_task_state_name(i->state)
			                                  : drove_instance_state_name(i->state));
			rc = reply(&r, DROVE_MSG_FAILED, buf, resp_json);
			break;
		}
		drove__exec_inst_stop(i, NULL);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	}
	case DROVE_MSG_BLACKLIST_REQUESTED:
		set_exec_state(ex, DROVE_EXECUTOR_BLACKLIST_REQUESTED);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	case DROVE_MSG_BLACKLIST:
		set_exec_state(ex, DROVE_EXECUTOR_BLACKLISTED);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	case DROVE_MSG_UNBLACKLIST:
		set_exec_state(ex, DROVE_EXECUTOR_UNREADY);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	case DROVE_MSG_EXPECTED_INSTANCES:
		if (ex->recovery == 2 && m->known)
			drove__exec_reap(ex, m->known);
		rc = reply(&r, DROVE_MSG_ACCEPTED, NULL, resp_json);
		break;
	default:
		snprintf(buf, sizeof(buf), "%s is not a command for an executor",
		         drove__message_type_name(m->type));
		rc = reply(&r, DROVE_MSG_FAILED, buf, resp_json);
		break;
	}
out:
	drove__message_free(m);
	return rc;
}

/* ---- public API ---- */

int drove_executor_new(drove_executor **out, drove_loop *loop, const drove_config *config)
{
	struct drove_executor *ex;
	int rc;
	DROVE_CHECK_ARG(out && loop && config);
	if (drove_config_kind(config) != DROVE_CONFIG_EXECUTOR)
		return drove__error(DROVE_EINVAL, "config: not an executor configuration");
	if (!(ex = calloc(1, sizeof(*ex))))
		return drove__enomem();
	ex->loop = loop;
	ex->ctx = drove_loop_ctx(loop);
	ex->hooks = &hooks;
	ex->cfg = config;
	ex->ec = &config->exec;
	ex->port = -1;
	ex->state = DROVE_EXECUTOR_UNREADY;
	ex->log_root = ex->ec->appender.present ? ex->ec->appender.log_path : NULL;
	ex->log_max = ex->ec->appender.max_file_size;
	ex->log_count = (int)ex->ec->appender.archived_file_count;
	if (ex->ec->hostname && *ex->ec->hostname) {
		ex->hostname = drove__strdup(ex->ec->hostname);
	} else {
		char h[256] = "localhost";
		(void)gethostname(h, sizeof(h) - 1);
		ex->hostname = drove__strdup(h);
	}
	ex->secret = drove_config_cluster_secret(config, DROVE_NODE_EXECUTOR);
	ex->auth_hdr = drove__asprintf("Cluster-Authorization: %s", ex->secret ? ex->secret : "");
	ex->node_hdr = drove__asprintf("NodeId: %s", ex->hostname ? ex->hostname : "");
	if (!ex->hostname || !ex->auth_hdr || !ex->node_hdr) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	if ((rc = drove_auth_new(&ex->auth, ex->ctx)) < 0)
		goto fail;
	for (size_t k = 0; k < config->n_secrets; k++)
		if ((rc = drove_auth_add_cluster_secret(
		             ex->auth,
		             config->secrets[k].node_type == DROVE_NODE_CONTROLLER ? "CONTROLLER"
		                                                                   : "EXECUTOR",
		             config->secrets[k].secret)) < 0)
			goto fail;
	if ((rc = drove__http_client_new(&ex->http, loop)) < 0 ||
	    (rc = drove_runtime_docker_new(&ex->rt, loop,
	                                   ex->ec->docker_socket_path ? ex->ec->docker_socket_path
	                                                              : "/var/run/docker.sock")) <
	            0)
		goto fail;
	drove_runtime_set_timeout(ex->rt, ex->ec->container_cmd_timeout_ms > 0
	                                          ? ex->ec->container_cmd_timeout_ms
	                                          : 30000);
	*out = ex;
	return 0;
fail:
	drove_executor_free(ex);
	return rc;
}

static int discover(struct drove_executor *ex)
{
	drove_topo_opts *o = NULL;
	const drove__cfg_executor *e = ex->ec;
	int rc;
	if ((rc = drove_topo_opts_new(&o)) < 0)
		return rc;
	if ((e->n_os_cores &&
	     (rc = drove_topo_opts_set_os_cores(o, e->os_cores, e->n_os_cores)) < 0) ||
	    (rc = drove_topo_opts_set_exposed_mem_percent(
	             o, e->exposed_mem_percent ? (int)e->exposed_mem_percent : 100)) < 0 ||
	    (rc = drove_topo_opts_set_overprovisioning(
	             o, e->overprov_enabled, e->cpu_multiplier ? (int)e->cpu_multiplier : 1,
	             e->mem_multiplier ? (int)e->mem_multiplier : 1)) < 0 ||
	    (rc = drove_topo_opts_set_disable_numa_pinning(o, e->disable_numa_pinning)) < 0 ||
	    (e->topology && (rc = drove_topo_opts_set_synthetic(o, e->topology)) < 0) ||
	    (e->topology_xml && (rc = drove_topo_opts_set_xml_path(o, e->topology_xml)) < 0) ||
	    (rc = drove_topo_discover(&ex->topo, ex->ctx, o)) < 0 ||
	    (rc = drove__exec_res_init(&ex->res, ex->topo)) < 0) {
		drove_topo_opts_free(o);
		return rc;
	}
	drove_topo_opts_free(o);
	return 0;
}

/* ---- the store (ZooKeeper mode) ----
 * An expired session is renewed (store/renew.c); with the new one the executor publishes its
 * node again and finds the leader through it. */
static void store_closing(void *ud)
{
	struct drove_executor *ex = ud;
	drove__warn(ex->ctx, MOD, "store: session expired: starting a new session");
}

static int store_opened(void *ud)
{
	struct drove_executor *ex = ud;
	drove__info(ex->ctx, MOD, "store: new session");
	ex->store_gen++;
	if (ex->stopped)
		return 0;
	send_snapshot(ex);
	leader_lost(ex);
	return 0;
}

static void store_failed(void *ud, const char *why)
{
	struct drove_executor *ex = ud;
	drove__warn(ex->ctx, MOD, "store: no new session yet (%s): retrying", why);
}

static const struct drove__store_renew_ops renew_ops = {
        .closing = store_closing, .opened = store_opened, .failed = store_failed};

/* ---- engine start (called by api.c once the listener is bound) ---- */

int drove__exec_engine_prepare(struct drove_executor *ex)
{
	int rc;
	if ((rc = discover(ex)) < 0)
		return rc;
	if (drove_config_store_type(ex->cfg) == DROVE_STORE_ZK) {
		drove_store_opts *so = NULL;
		if ((rc = drove__store_opts_from_config(ex->cfg, &so)) < 0 ||
		    (rc = drove__store_open_renewing(&ex->store, ex->loop, so, &renew_ops, ex,
		                                     &ex->renew)) < 0)
			return rc;
		ex->store_gen++;
	}
	return 0;
}

int drove__exec_engine_start(struct drove_executor *ex)
{
	struct event_base *base = drove__loop_base(ex->loop);
	drove_executor_id(ex->hostname, ex->port, ex->id, sizeof(ex->id));
	ex->t_snapshot = evtimer_new(base, snapshot_tick, ex);
	ex->t_snap_now = evtimer_new(base, snap_now_cb, ex);
	ex->t_lookup = evtimer_new(base, lookup_tick, ex);
	ex->t_zombie = evtimer_new(base, drove__exec_zombie_tick, ex);
	ex->t_ready = evtimer_new(base, ready_tick, ex);
	if (!ex->t_snapshot || !ex->t_snap_now || !ex->t_lookup || !ex->t_zombie || !ex->t_ready)
		return drove__enomem();
	ex->started = 1;
	drove__info(ex->ctx, MOD, "executor %s on %s:%d", ex->id, ex->hostname, ex->port);
	drove__exec_arm(ex->t_lookup, 0);
	drove__exec_arm(ex->t_snapshot, ex->ec->snapshot_interval_ms);
	drove__exec_arm(ex->t_ready, 0);
	if (drove_strlist_count(ex->ec->controller_endpoints) == 0 && !ex->store && !ex->renew)
		drove__exec_start_recovery(
		        ex); /* no leader to ask (nor ZooKeeper to find one through) */
	return 0;
}

void drove_executor_stop(drove_executor *ex)
{
	if (!ex || ex->stopped)
		return;
	ex->stopped = 1;
	struct event *evs[] = {ex->t_snapshot, ex->t_snap_now, ex->t_lookup, ex->t_zombie,
	                       ex->t_ready};
	for (size_t k = 0; k < DROVE_ARRAY_LEN(evs); k++)
		if (evs[k])
			evtimer_del(evs[k]);
	for (exec_inst *i = ex->insts; i; i = i->next) {
		drove__exec_inst_cancel_timer(i);
		i->gen++;
		if (i->logcall) {
			drove_runtime_call_cancel(i->logcall);
			i->logcall = NULL;
			i->refs--;
		}
	}
	while (ex->sends)
		send_free(ex->sends);
	if (ex->srv)
		drove__http_server_stop(ex->srv);
	drove__info(ex->ctx, MOD, "executor stopped; containers keep running");
}

void drove_executor_free(drove_executor *ex)
{
	if (!ex)
		return;
	drove_executor_stop(ex);
	drove__http_server_free(ex->srv);
	while (ex->sends)
		send_free(ex->sends);
	drove_runtime_free(ex->rt); /* cancels calls in flight: their callbacks do not run */
	drove__exec_extras_free(ex);
	drove__exec_reap_free(ex);
	drove__http_client_free(ex->http);
	drove_store_close(ex->store); /* the ephemeral /executor node goes with the session */
	drove__store_renew_free(ex->renew);
	free(ex->zk_leader);
	while (ex->insts) {
		exec_inst *i = ex->insts;
		ex->insts = i->next;
		i->logcall = NULL; /* cancelled with the runtime */
		drove__exec_inst_free(i);
	}
	struct event *evs[] = {ex->t_snapshot, ex->t_snap_now, ex->t_lookup, ex->t_zombie,
	                       ex->t_ready};
	for (size_t k = 0; k < DROVE_ARRAY_LEN(evs); k++)
		if (evs[k])
			event_free(evs[k]);
	drove__exec_res_clear(&ex->res);
	drove_topo_free(ex->topo);
	drove_auth_free(ex->auth);
	drove_strmap_free(ex->required);
	free(ex->leader);
	free(ex->hostname);
	free(ex->auth_hdr);
	free(ex->node_hdr);
	drove__exec_metrics_free(ex); /* last: the runtime and the store record into it */
	free(ex);
}
