/* Blacklisting and unblacklisting executors through the API (§2.7): the request's messages to
 * each executor and the reply once all have answered. Its handlers are in api.c's route table;
 * the engine aborts a pending request when leadership is lost. Calls send.c and state.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>

#include "ctrl/intake.h"
#include "http/server.h"

#define MOD "ctrl"

/* ---- blacklisting ---- */

struct bl_req;

struct bl_one {
	struct bl_req *r;
	size_t idx;
	bool done;
};

struct bl_req {
	drove_controller *c;
	drove__http_req *req;
	bool unblacklist;
	size_t pending;
	struct json_object *ok, *failed;
	char **ids; /* ids messaged, by index */
	struct bl_one *ones;
	size_t n;
};

static void bl_finish(struct bl_req *r)
{
	drove_controller *c = r->c;
	struct json_object *d = json_object_new_object();
	int64_t insts = 0;

	if (!r->unblacklist) {
		for (size_t a = 0; a < c->n_apps; a++)
			for (size_t i = 0; i < c->apps[a]->n_insts; i++)
				for (size_t k = 0; k < r->n; k++)
					if (c->apps[a]->insts[i]->info->state ==
					            DROVE_INST_HEALTHY &&
					    drove__streq(c->apps[a]->insts[i]->info->executor_id,
					                 r->ids[k]))
						insts++;
	}
	json_object_object_add(d, "successful", r->ok);
	json_object_object_add(d, "failed", r->failed);
	json_object_object_add(
	        d, "approxCompletionTimeMs",
	        json_object_new_int64(
	                r->unblacklist ? 0
	                               : insts * 330000 /
	                                         (c->op_parallelism > 0 ? c->op_parallelism : 1)));
	if (json_object_array_length(r->ok) == 0 && !r->unblacklist) {
		json_object_object_add(
		        d, "message",
		        drove__ctrl_jstr("Blacklisting messages could not be sent to any of the "
		                         "executors."));
	} else {
		json_object_object_add(
		        d, "message",
		        drove__ctrl_jstr(r->unblacklist
		                                 ? "Unblacklisting successful"
		                                 : "Blacklisting successful and app movement "
		                                   "scheduled"));
	}
	drove__http_reply_success(r->req, d);
	c->blacklist_busy = false;
	c->bl_pending = NULL;
	for (size_t i = 0; i < r->n; i++)
		free(r->ids[i]);
	free(r->ids);
	free(r->ones);
	free(r);
}

void drove__ctrl_blacklist_abort(drove_controller *c)
{
	struct bl_req *r = c->bl_pending;
	if (!r)
		return;
	/* the messages in flight were dropped (leadership lost, or stopping) */
	for (size_t i = 0; i < r->n; i++)
		if (!r->ones[i].done)
			json_object_array_add(r->failed, drove__ctrl_jstr(r->ids[i]));
	bl_finish(r);
}

static void bl_sent(drove_controller *c, int status, const char *message, void *ud)
{
	struct bl_one *one = ud;
	struct bl_req *r = one->r;
	one->done = true;
	const char *id = r->ids[one->idx];
	drove__ctrl_exec *e = drove__ctrl_exec_of(c, id);
	(void)message;

	if (status == DROVE_MSG_ACCEPTED && e) {
		json_object_array_add(r->ok, drove__ctrl_jstr(id));
		if (r->unblacklist) {
			e->ctrl_state = -1;
			if (c->sched)
				drove_sched_executor_set_state(c->sched, e->id,
				                               DROVE_EXECUTOR_UNREADY);
		} else {
			e->ctrl_state = DROVE_EXECUTOR_BLACKLIST_REQUESTED;
			if (c->sched)
				drove_sched_executor_set_state(c->sched, e->id,
				                               DROVE_EXECUTOR_BLACKLIST_REQUESTED);
		}
		drove__ctrl_exec_changed(c, e);
		drove__ctrl_lsvc_executor_changed(c, e->id);
		{
			drove_event *ev = drove__ctrl_event_new(
			        c->ctx, r->unblacklist ? DROVE_EVENT_EXECUTOR_UN_BLACKLISTED
			                               : DROVE_EVENT_EXECUTOR_BLACKLIST_REQUESTED);
			if (ev) {
				char port[16];
				snprintf(port, sizeof(port), "%d", e->nd ? e->nd->port : 0);
				drove_strmap_set(ev->metadata, "EXECUTOR_ID", e->id);
				if (e->nd && e->nd->hostname)
					drove_strmap_set(ev->metadata, "HOSTNAME", e->nd->hostname);
				drove_strmap_set(ev->metadata, "PORT", port);
				drove__ctrl_publish(c, ev);
			}
		}
	} else {
		json_object_array_add(r->failed, drove__ctrl_jstr(id));
	}
	if (--r->pending == 0)
		bl_finish(r);
}

static void blacklist(drove__http_req *req, drove_controller *c, bool un)
{
	drove_strlist *ids = NULL;
	const char *one = drove__http_req_param(req, "executorId");
	struct bl_req *r;

	if (drove__ctrl_in_window(c))
		return drove__http_reply_not_found(req, "Cluster is in maintenance mode");
	if (drove_strlist_new(&ids) < 0)
		return drove__http_reply_server_error(req, "out of memory");
	if (one)
		drove_strlist_add(ids, one);
	else
		drove__http_req_query_all(req, "id", ids);
	if (!(r = calloc(1, sizeof(*r))) ||
	    !(r->ids = calloc(drove_strlist_count(ids) + 1, sizeof(char *))) ||
	    !(r->ones = calloc(drove_strlist_count(ids) + 1, sizeof(*r->ones)))) {
		if (r)
			free(r->ids);
		free(r);
		drove_strlist_free(ids);
		return drove__http_reply_server_error(req, "out of memory");
	}
	r->c = c;
	r->req = req;
	r->unblacklist = un;
	r->ok = json_object_new_array();
	r->failed = json_object_new_array();
	if (c->blacklist_busy) {
		struct json_object *d = json_object_new_object();
		for (size_t i = 0; i < drove_strlist_count(ids); i++)
			json_object_array_add(r->failed,
			                      drove__ctrl_jstr(drove_strlist_get(ids, i)));
		json_object_object_add(d, "successful", r->ok);
		json_object_object_add(d, "failed", r->failed);
		json_object_object_add(d, "approxCompletionTimeMs", json_object_new_int64(0));
		json_object_object_add(
		        d, "message",
		        drove__ctrl_jstr("A blacklisting related operation is underway already. "
		                         "Will not accept new requests"));
		drove__http_reply_success(req, d);
		free(r->ids);
		free(r->ones);
		free(r);
		drove_strlist_free(ids);
		return;
	}
	c->blacklist_busy = true;
	c->bl_pending = r;
	r->pending = 1; /* held until every message is out */
	for (size_t i = 0; i < drove_strlist_count(ids); i++) {
		const char *id = drove_strlist_get(ids, i);
		drove__ctrl_exec *e = drove__ctrl_exec_of(c, id);
		struct bl_one *o;
		drove_message *m;
		int st = e ? drove__ctrl_exec_state(e) : -1;

		if (!e) {
			json_object_array_add(r->failed, drove__ctrl_jstr(id));
			continue;
		}
		if (!un && (st == DROVE_EXECUTOR_BLACKLISTED ||
		            st == DROVE_EXECUTOR_BLACKLIST_REQUESTED)) {
			json_object_array_add(r->ok, drove__ctrl_jstr(id));
			continue;
		}
		if (!(r->ids[r->n] = drove__strdup(id)) || !(m = calloc(1, sizeof(*m)))) {
			free(r->ids[r->n]);
			r->ids[r->n] = NULL;
			json_object_array_add(r->failed, drove__ctrl_jstr(id));
			continue;
		}
		m->type = un ? DROVE_MSG_UNBLACKLIST : DROVE_MSG_BLACKLIST_REQUESTED;
		o = &r->ones[r->n];
		o->r = r;
		o->idx = r->n++;
		r->pending++;
		if (drove__ctrl_send_msg(c, e, m, 5000, bl_sent, o, NULL) < 0) {
			r->pending--;
			o->done = true;
			json_object_array_add(r->failed, drove__ctrl_jstr(id));
		}
	}
	drove_strlist_free(ids);
	if (--r->pending == 0)
		bl_finish(r);
}

void drove__ctrl_h_blacklist(drove__http_req *req, void *ud)
{
	blacklist(req, ud, false);
}

void drove__ctrl_h_unblacklist(drove__http_req *req, void *ud)
{
	blacklist(req, ud, true);
}
