/* A simulated executor for the controller's tests and benchmarks (docs/protocol.md): an HTTP
 * server on the loop that answers START_INSTANCE / STOP_INSTANCE / BLACKLIST* /
 * EXPECTED_INSTANCES with the term fencing of the protocol, "runs" instances by reporting them
 * HEALTHY (or STOPPED) shortly after, and pushes EXECUTOR_SNAPSHOT every `snap_ms` to every
 * controller it knows (non-leaders answer REJECTED). START_TASK as `task_mode` says: refused
 * (the default), accepted and dropped (a start lost in flight), or accepted and reported
 * RUNNING in every snapshot. `nodes` (default 1) splits the cores and memory evenly over
 * that many NUMA nodes (core c on node c / (ncores / nodes)). Everything runs on the loop's
 * thread. */
#ifndef TEST_CTRL_FAKE_H
#define TEST_CTRL_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <drove/clock.h>
#include <drove/ids.h>

#include "core/internal.h"
#include "core/loop_internal.h"
#include "http/client.h"
#include "http/server.h"
#include "ctrl/tasks.h"
#include "model/message.h"

#define FAKE_MAX_CORES 512

enum { FAKE_TASKS_REFUSE = 0, FAKE_TASKS_DROP, FAKE_TASKS_RUN };

struct fake_inst {
	char id[64];
	char app_id[160];
	char app_name[160];
	int core;
	int64_t mb;
	int state; /* DROVE_INST_* */
	int host_port;
	int64_t created, updated;
};

struct fake_exec {
	drove_loop *loop;
	drove_ctx *ctx;
	drove_auth *auth;
	drove__http_server *srv;
	drove__http_client *cli;
	int port;
	char id[40];
	int ncores;
	int nodes; /* NUMA nodes, 0 or 1: one */
	int64_t mem;
	unsigned char used[FAKE_MAX_CORES];
	struct fake_inst *insts;
	size_t n, cap;
	int state; /* DROVE_EXECUTOR_* */
	int64_t term;
	int dead;
	int snap_ms;
	int health_delay_ms; /* < 0: a started instance is never reported HEALTHY */
	int ctrl_ports[4];
	int n_ctrl;
	struct event *snap_timer;
	int starts, stops, expected_msgs, rejected;
	int stale_stops; /* instances stopped as stale by EXPECTED_INSTANCES */
	/* known app instance ids in EXPECTED_INSTANCES not held here: counted by
	 * fake_settle_foreign() from `unheld`, the ids not held when they were listed (a start
	 * in flight is listed before its START arrives: held by settling time, not foreign) */
	int foreign_known;
	char unheld[64][64];
	int n_unheld;
	char last_config[128];   /* the first config of the last START: "TYPE:data" */
	int task_mode;           /* FAKE_TASKS_* */
	int task_starts;         /* START_TASK accepted */
	drove_task_info **tasks; /* FAKE_TASKS_RUN: running */
	size_t n_tasks, cap_tasks;
};

static inline int fake_nodes(const struct fake_exec *f)
{
	return f->nodes > 1 ? f->nodes : 1;
}

static inline int fake_node_of(const struct fake_exec *f, int core)
{
	int per = f->ncores / fake_nodes(f);
	int n = per > 0 ? core / per : 0;
	return n < fake_nodes(f) ? n : fake_nodes(f) - 1;
}

/* {"0":[c,...],"1":[...]} of the cores whose used flag is `used` (-1: every core). */
static inline void fake_buf_cores(drove__buf *b, const struct fake_exec *f, int used)
{
	drove__buf_putc(b, '{');
	for (int n = 0; n < fake_nodes(f); n++) {
		int first = 1;
		drove__buf_printf(b, "%s\"%d\":[", n ? "," : "", n);
		for (int c = 0; c < f->ncores; c++)
			if (fake_node_of(f, c) == n && (used < 0 || f->used[c] == used)) {
				drove__buf_printf(b, "%s%d", first ? "" : ",", c);
				first = 0;
			}
		drove__buf_putc(b, ']');
	}
	drove__buf_putc(b, '}');
}

static inline void fake_buf_instance(drove__buf *b, const struct fake_exec *f,
                                     const struct fake_inst *in)
{
	drove__buf_printf(b,
	                  "{\"appId\":\"%s\",\"appName\":\"%s\",\"instanceId\":\"%s\","
	                  "\"executorId\":\"%s\",\"localInfo\":{\"hostname\":\"127.0.0.1\","
	                  "\"ports\":{\"main\":{\"containerPort\":8000,\"hostPort\":%d,"
	                  "\"portType\":\"HTTP\"}}},\"resources\":[{\"type\":\"CPU\",\"cores\":"
	                  "{\"%d\":[%d]}},{\"type\":\"MEMORY\",\"memoryInMB\":{\"%d\":%lld}}],"
	                  "\"state\":\"%s\",\"metadata\":{},\"errorMessage\":\"\",\"created\":%lld,"
	                  "\"updated\":%lld}",
	                  in->app_id, in->app_name, in->id, f->id, in->host_port,
	                  fake_node_of(f, in->core), in->core, fake_node_of(f, in->core),
	                  (long long)in->mb, drove_instance_state_name(in->state),
	                  (long long)in->created, (long long)in->updated);
}

static inline void fake_buf_state(drove__buf *b, const struct fake_exec *f)
{
	int nn = fake_nodes(f);
	drove__buf_printf(
	        b, "{\"executorId\":\"%s\",\"cpus\":{\"type\":\"CPU\",\"freeCores\":", f->id);
	fake_buf_cores(b, f, 0);
	drove__buf_puts(b, ",\"usedCores\":");
	fake_buf_cores(b, f, 1);
	drove__buf_puts(b, "},\"memory\":{\"type\":\"MEMORY\",\"freeMemory\":{");
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			drove__buf_puts(b, "},\"usedMemory\":{");
		for (int n = 0; n < nn; n++) {
			int64_t used_mb = 0;
			for (size_t i = 0; i < f->n; i++)
				if (fake_node_of(f, f->insts[i].core) == n)
					used_mb += f->insts[i].mb;
			drove__buf_printf(b, "%s\"%d\":%lld", n ? "," : "", n,
			                  (long long)(pass ? used_mb : f->mem / nn - used_mb));
		}
	}
	drove__buf_puts(b, "}},\"layout\":{\"cores\":");
	fake_buf_cores(b, f, -1);
	drove__buf_puts(b, ",\"memory\":{");
	for (int n = 0; n < nn; n++)
		drove__buf_printf(b, "%s\"%d\":%lld", n ? "," : "", n, (long long)(f->mem / nn));
	drove__buf_puts(b, "}}}");
}

static inline void fake_sent(const drove__http_response *resp, void *ud)
{
	struct fake_exec *f = ud;
	if (resp->status == 200 && strstr(resp->body, "REJECTED"))
		f->rejected++;
}

static inline void fake_post_all(struct fake_exec *f, const char *body)
{
	const char *headers[] = {"Content-Type: application/json",
	                         "Cluster-Authorization: exec-secret", NULL};
	for (int i = 0; i < f->n_ctrl; i++) {
		char url[128];
		drove__http_request req = {0};
		snprintf(url, sizeof(url), "http://127.0.0.1:%d/apis/v1/messages",
		         f->ctrl_ports[i]);
		req.method = "POST";
		req.url = url;
		req.headers = headers;
		req.body = body;
		req.body_len = strlen(body);
		req.connect_timeout_ms = 1000;
		req.timeout_ms = 5000;
		req.on_done = fake_sent;
		req.userdata = f;
		drove__http_send(f->cli, &req, NULL);
	}
}

static inline void fake_header(drove__buf *b, struct fake_exec *f)
{
	char id[DROVE_UUID_LEN + 1];
	drove_uuid_random(f->ctx, id, sizeof(id));
	drove__buf_printf(b,
	                  "\"header\":{\"id\":\"%s\",\"senderType\":\"EXECUTOR\","
	                  "\"direction\":\"REQUEST\",\"messageTime\":%lld}",
	                  id, (long long)drove_time_wall_ms());
}

static inline void fake_snapshot(struct fake_exec *f)
{
	drove__buf b = DROVE_BUF_INIT;
	int64_t now = drove_time_wall_ms();
	if (f->dead)
		return;
	drove__buf_puts(&b, "{\"type\":\"EXECUTOR_SNAPSHOT\",");
	fake_header(&b, f);
	drove__buf_printf(&b,
	                  ",\"nodeData\":{\"type\":\"EXECUTOR\",\"hostname\":\"127.0.0.1\","
	                  "\"port\":%d,\"transportType\":\"HTTP\",\"updated\":%lld,\"state\":",
	                  f->port, (long long)now);
	fake_buf_state(&b, f);
	drove__buf_puts(&b, ",\"instances\":[");
	for (size_t i = 0; i < f->n; i++) {
		f->insts[i].updated = now;
		if (i)
			drove__buf_putc(&b, ',');
		fake_buf_instance(&b, f, &f->insts[i]);
	}
	drove__buf_puts(&b, "],\"tasks\":[");
	for (size_t i = 0; i < f->n_tasks; i++) {
		char *json = NULL;
		f->tasks[i]->updated = now;
		if (drove__task_info_encode(f->tasks[i], &json) == 0)
			drove__buf_printf(&b, "%s%s", i ? "," : "", json);
		free(json);
	}
	drove__buf_printf(&b,
	                  "],\"serviceInstances\":[],\"tags\":[\"127.0.0.1\"],"
	                  "\"metadata\":{},\"executorState\":\"%s\"}}",
	                  drove_executor_state_name(f->state));
	fake_post_all(f, b.data);
	drove__buf_free(&b);
}

static inline void fake_report(struct fake_exec *f, struct fake_inst *in)
{
	drove__buf b = DROVE_BUF_INIT;
	if (f->dead)
		return;
	in->updated = drove_time_wall_ms();
	drove__buf_puts(&b, "{\"type\":\"INSTANCE_STATE_REPORT\",");
	fake_header(&b, f);
	drove__buf_puts(&b, ",\"resourceSnapshot\":");
	fake_buf_state(&b, f);
	drove__buf_puts(&b, ",\"instanceInfo\":");
	fake_buf_instance(&b, f, in);
	drove__buf_putc(&b, '}');
	fake_post_all(f, b.data);
	drove__buf_free(&b);
}

static inline void fake_on_snap_timer(evutil_socket_t fd, short what, void *ud)
{
	(void)fd;
	(void)what;
	fake_snapshot(ud);
}

struct fake_later {
	struct fake_exec *f;
	char id[64];
	int to_state;
};

static inline struct fake_inst *fake_find(struct fake_exec *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->insts[i].id, id))
			return &f->insts[i];
	return NULL;
}

static inline void fake_transition(void *ud)
{
	struct fake_later *l = ud;
	struct fake_exec *f = l->f;
	struct fake_inst *in = fake_find(f, l->id);
	if (in && !f->dead) {
		in->state = l->to_state;
		fake_report(f, in);
		if (l->to_state == DROVE_INST_STOPPED) {
			f->used[in->core] = 0;
			*in = f->insts[--f->n];
		}
	}
	free(l);
}

static inline void fake_later(struct fake_exec *f, const char *id, int state, int ms)
{
	struct fake_later *l = calloc(1, sizeof(*l));
	l->f = f;
	snprintf(l->id, sizeof(l->id), "%s", id);
	l->to_state = state;
	drove_loop_after(f->loop, ms, fake_transition, l);
}

static inline void fake_reply(drove__http_req *req, const drove_message *m, const char *status,
                              const char *msg)
{
	drove__buf b = DROVE_BUF_INIT;
	drove__buf_printf(&b,
	                  "{\"header\":{\"id\":\"%s\",\"senderType\":\"CONTROLLER\","
	                  "\"direction\":\"REQUEST\",\"messageTime\":%lld},\"status\":\"%s\","
	                  "\"message\":\"%s\"}",
	                  m->header.id, (long long)m->header.message_time, status, msg);
	drove__http_reply_raw(req, 200, "application/json", b.data, b.len);
	drove__buf_free(&b);
}

static inline void fake_on_message(drove__http_req *req, void *ud)
{
	struct fake_exec *f = ud;
	size_t len;
	const char *body = drove__http_req_body(req, &len);
	drove_message *m = NULL;

	if (f->dead) {
		drove__http_reply_raw(req, 503, NULL, NULL, 0);
		return;
	}
	if (drove__message_decode(body, len, &m) < 0) {
		drove__http_reply_raw(req, 400, NULL, NULL, 0);
		return;
	}
	if (m->header.term < f->term) {
		fake_reply(req, m, "REJECTED", "stale leader term");
		drove__message_free(m);
		return;
	}
	f->term = m->header.term;
	switch (m->type) {
	case DROVE_MSG_START_INSTANCE: {
		const drove_app_instance_spec *s = m->app_spec;
		struct fake_inst in = {0};
		int core = -1;
		for (size_t i = 0; i < s->n_resources; i++) {
			if (s->resources[i].type == DROVE_RES_CPU && s->resources[i].n_cores)
				core = s->resources[i].cores[0].cores[0];
			if (s->resources[i].type == DROVE_RES_MEMORY && s->resources[i].n_memory)
				in.mb = s->resources[i].memory[0].mb;
		}
		if (f->state != DROVE_EXECUTOR_ACTIVE || core < 0 || core >= f->ncores ||
		    f->used[core] || fake_find(f, s->instance_id)) {
			fake_reply(req, m, "FAILED", "cannot lock resources");
			break;
		}
		if (s->n_configs)
			snprintf(f->last_config, sizeof(f->last_config), "%s:%.*s",
			         drove__config_type_name((int)s->configs[0].type),
			         (int)(s->configs[0].data ? s->configs[0].data_len : 0),
			         s->configs[0].data ? (const char *)s->configs[0].data : "");
		snprintf(in.id, sizeof(in.id), "%s", s->instance_id);
		snprintf(in.app_id, sizeof(in.app_id), "%s", s->app_id);
		snprintf(in.app_name, sizeof(in.app_name), "%s", s->app_name);
		in.core = core;
		in.state = DROVE_INST_PENDING;
		in.host_port = 30000 + (int)(f->starts % 20000);
		in.created = in.updated = drove_time_wall_ms();
		f->used[core] = 1;
		drove__grow(&f->insts, &f->cap, f->n + 1, sizeof(*f->insts));
		f->insts[f->n++] = in;
		f->starts++;
		fake_reply(req, m, "ACCEPTED", "");
		if (f->health_delay_ms >= 0)
			fake_later(f, in.id, DROVE_INST_HEALTHY, f->health_delay_ms);
		break;
	}
	case DROVE_MSG_STOP_INSTANCE: {
		struct fake_inst *in = fake_find(f, m->instance_id);
		if (!in || !drove_instance_state_is_running(in->state)) {
			fake_reply(req, m, "FAILED", "not running");
			break;
		}
		f->stops++;
		in->state = DROVE_INST_STOPPING;
		fake_reply(req, m, "ACCEPTED", "");
		fake_later(f, in->id, DROVE_INST_STOPPED, 20);
		break;
	}
	case DROVE_MSG_START_TASK: {
		drove_task_info *t = NULL;
		if (f->task_mode == FAKE_TASKS_REFUSE) {
			fake_reply(req, m, "FAILED", "unsupported");
			break;
		}
		f->task_starts++;
		if (f->task_mode == FAKE_TASKS_RUN &&
		    drove__ctrl_task_info_new(m->task_spec, f->id, drove_time_wall_ms(), &t) == 0) {
			t->state = DROVE_TASK_RUNNING;
			if (drove__grow(&f->tasks, &f->cap_tasks, f->n_tasks + 1,
			                sizeof(*f->tasks)) == 0)
				f->tasks[f->n_tasks++] = t;
			else
				drove__task_info_free(t);
		}
		fake_reply(req, m, "ACCEPTED", "");
		break;
	}
	case DROVE_MSG_BLACKLIST_REQUESTED:
		f->state = DROVE_EXECUTOR_BLACKLIST_REQUESTED;
		fake_reply(req, m, "ACCEPTED", "");
		break;
	case DROVE_MSG_BLACKLIST:
		f->state = DROVE_EXECUTOR_BLACKLISTED;
		fake_reply(req, m, "ACCEPTED", "");
		break;
	case DROVE_MSG_UNBLACKLIST:
		f->state = DROVE_EXECUTOR_ACTIVE;
		fake_reply(req, m, "ACCEPTED", "");
		break;
	case DROVE_MSG_EXPECTED_INSTANCES:
		f->expected_msgs++;
		for (size_t i = 0; m->known && i < m->known->n_app_instance_ids; i++) {
			const char *id = m->known->app_instance_ids[i];
			if (fake_find(f, id))
				continue;
			if (f->n_unheld == (int)(sizeof(f->unheld) / sizeof(f->unheld[0])))
				f->foreign_known++; /* no room: counted at once */
			else
				snprintf(f->unheld[f->n_unheld++], sizeof(f->unheld[0]), "%s", id);
		}
		/* as the executor's reaper: stop running app instances the leader calls stale */
		for (size_t i = 0; m->known && i < m->known->n_stale_app_instance_ids; i++) {
			struct fake_inst *in = fake_find(f, m->known->stale_app_instance_ids[i]);
			if (in && drove_instance_state_is_running(in->state)) {
				f->stale_stops++;
				in->state = DROVE_INST_STOPPING;
				fake_later(f, in->id, DROVE_INST_STOPPED, 20);
			}
		}
		fake_reply(req, m, "ACCEPTED", "");
		break;
	default:
		fake_reply(req, m, "FAILED", "unsupported");
		break;
	}
	drove__message_free(m);
}

/* GET /config: what CONTROLLER_HTTP_FETCH configs fetch in the tests. */
static inline void fake_on_config(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_raw(req, 200, "text/plain", "fetched-config", 14);
}

/* A fake executor with `ncores` cores and `mem` MB on NUMA node 0. Loop thread. */
static inline struct fake_exec *fake_new(drove_loop *loop, int ncores, int64_t mem, int snap_ms)
{
	struct fake_exec *f = calloc(1, sizeof(*f));
	struct timeval tv;

	f->loop = loop;
	f->ctx = drove_loop_ctx(loop);
	f->ncores = ncores;
	f->mem = mem;
	f->snap_ms = snap_ms;
	f->health_delay_ms = 30;
	f->state = DROVE_EXECUTOR_ACTIVE;
	drove_auth_new(&f->auth, f->ctx);
	drove_auth_add_cluster_secret(f->auth, "CONTROLLER", "ctrl-secret");
	drove_auth_add_cluster_secret(f->auth, "EXECUTOR", "exec-secret");
	drove__http_server_new(&f->srv, loop, f->auth);
	drove__http_server_route(f->srv, DROVE_HTTP_POST, "/apis/v1/messages", DROVE_ROLES_CLUSTER,
	                         0, fake_on_message, f);
	drove__http_server_route(f->srv, DROVE_HTTP_GET, "/config", DROVE_HTTP_PUBLIC, 0,
	                         fake_on_config, f);
	drove__http_server_bind(f->srv, "127.0.0.1", 0);
	f->port = drove__http_server_port(f->srv);
	drove_executor_id("127.0.0.1", f->port, f->id, sizeof(f->id));
	drove__http_client_new(&f->cli, loop);
	f->snap_timer = event_new(drove__loop_base(loop), -1, EV_PERSIST, fake_on_snap_timer, f);
	tv.tv_sec = snap_ms / 1000;
	tv.tv_usec = (snap_ms % 1000) * 1000;
	event_add(f->snap_timer, &tv);
	return f;
}

static inline void fake_snapshot_now(void *ud)
{
	fake_snapshot(ud);
}

/* Report to the controller on `port` too (a snapshot goes out at once). */
static inline void fake_add_controller(struct fake_exec *f, int port)
{
	f->ctrl_ports[f->n_ctrl++] = port;
	drove_loop_post(f->loop, fake_snapshot_now, f);
}

/* Count as foreign the ids EXPECTED_INSTANCES listed here that are still not held (call when
 * no start is in flight any more); forget the rest. Loop thread. */
static inline void fake_settle_foreign(struct fake_exec *f)
{
	for (int i = 0; i < f->n_unheld; i++)
		if (!fake_find(f, f->unheld[i]))
			f->foreign_known++;
	f->n_unheld = 0;
}

static inline void fake_free(struct fake_exec *f)
{
	if (!f)
		return;
	event_free(f->snap_timer);
	drove__http_client_free(f->cli);
	drove__http_server_free(f->srv);
	drove_auth_free(f->auth);
	for (size_t i = 0; i < f->n_tasks; i++)
		drove__task_info_free(f->tasks[i]);
	free(f->tasks);
	free(f->insts);
	free(f);
}

#endif
