/* The runtime interface: public entry points, calls and results; backends plug in through
 * drove__runtime_ops. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include "core/loop_internal.h"
#include "runtime/runtime_internal.h"

#define DEFAULT_TIMEOUT_MS 30000

int drove_runtime_docker_new(drove_runtime **out, drove_loop *loop, const char *socket_path)
{
	drove_runtime *rt;
	int rc;

	DROVE_CHECK_ARG(out && loop && socket_path);
	if (!*socket_path)
		return drove__error(DROVE_EINVAL, "runtime: socket path is empty");
	if (!(rt = calloc(1, sizeof(*rt))))
		return drove__enomem();
	rt->ops = &drove__runtime_docker_ops;
	rt->loop = loop;
	rt->ctx = drove_loop_ctx(loop);
	rt->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!(rt->socket_path = drove__strdup(socket_path))) {
		free(rt);
		return DROVE_ENOMEM;
	}
	if ((rc = drove__http_client_new(&rt->http, loop)) < 0) {
		free(rt->socket_path);
		free(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

void drove_runtime_free(drove_runtime *rt)
{
	if (!rt)
		return;
	while (rt->calls) {
		drove_runtime_call *call = rt->calls;
		drove__runtime_call_unlink(call);
		call->cancelled = 1;
		rt->ops->cancel(call);
		if (!call->in_chunk)
			drove__runtime_call_free(call);
	}
	if (rt->ops->destroy)
		rt->ops->destroy(rt);
	drove__http_client_free(rt->http);
	free(rt->socket_path);
	free(rt);
}

void drove_runtime_set_timeout(drove_runtime *rt, int64_t ms)
{
	if (rt && ms > 0)
		rt->timeout_ms = ms;
}

const char *drove_runtime_engine(const drove_runtime *rt)
{
	return rt ? rt->engine : "";
}

const char *drove_runtime_api_version(const drove_runtime *rt)
{
	return rt ? rt->api_version : "";
}

void drove_runtime_call_cancel(drove_runtime_call *call)
{
	if (!call || call->cancelled || call->in_done)
		return;
	call->cancelled = 1;
	drove__runtime_call_unlink(call);
	call->rt->ops->cancel(call);
	if (!call->in_chunk)
		drove__runtime_call_free(call);
}

/* ---- building calls ---- */

static drove_runtime_call *call_new(drove_runtime *rt, int kind, const char *target,
                                    drove_runtime_fn done, void *userdata)
{
	drove_runtime_call *call = calloc(1, sizeof(*call));

	if (!call) {
		drove__enomem();
		return NULL;
	}
	call->rt = rt;
	call->kind = kind;
	call->start_us = drove_time_mono_us();
	call->done = done;
	call->userdata = userdata;
	call->timeout_ms = rt->timeout_ms;
	call->res.exit_code = -1;
	if (target && !(call->target = drove__strdup(target))) {
		free(call);
		return NULL;
	}
	return call;
}

static int submit(drove_runtime *rt, drove_runtime_call *call, drove_runtime_call **call_out)
{
	int rc;

	call->deadline = drove_time_mono_ms() + call->timeout_ms;
	call->next = rt->calls;
	if (call->next)
		call->next->prev = call;
	rt->calls = call;
	call->linked = 1;
	if ((rc = rt->ops->submit(rt, call)) < 0) {
		drove__runtime_call_unlink(call);
		drove__runtime_call_free(call);
		return rc;
	}
	if (call_out)
		*call_out = call;
	return 0;
}

#define NEW_CALL(kind, target)                                        \
	drove_runtime_call *call;                                     \
	if (!(call = call_new(rt, (kind), (target), done, userdata))) \
	return DROVE_ENOMEM

int drove_runtime_version(drove_runtime *rt, drove_runtime_fn done, void *userdata)
{
	DROVE_CHECK_ARG(rt && done);
	NEW_CALL(RT_VERSION, NULL);
	return submit(rt, call, NULL);
}

int drove_runtime_image_inspect(drove_runtime *rt, const char *image, drove_runtime_fn done,
                                void *userdata)
{
	DROVE_CHECK_ARG(rt && image && *image && done);
	NEW_CALL(RT_IMAGE_INSPECT, image);
	return submit(rt, call, NULL);
}

int drove_runtime_image_pull(drove_runtime *rt, const char *image, const char *registry_auth,
                             int64_t timeout_ms, drove_runtime_line_fn progress,
                             drove_runtime_fn done, void *userdata)
{
	DROVE_CHECK_ARG(rt && image && *image && done && timeout_ms >= 0);
	NEW_CALL(RT_PULL, image);
	call->timeout_ms = timeout_ms ? timeout_ms : 15 * 60 * 1000;
	call->on_line = progress;
	if (registry_auth && !(call->arg = drove__strdup(registry_auth))) {
		drove__runtime_call_free(call);
		return DROVE_ENOMEM;
	}
	return submit(rt, call, NULL);
}

int drove_runtime_create(drove_runtime *rt, const drove_container_spec *spec, drove_runtime_fn done,
                         void *userdata)
{
	char *json = NULL;
	int rc;

	DROVE_CHECK_ARG(rt && spec && done);
	NEW_CALL(RT_CREATE, spec->name);
	if ((rc = drove__runtime_spec_json(spec, 0, &json)) < 0 ||
	    (rc = drove__buf_puts(&call->payload, json)) < 0 ||
	    ((rc = drove__runtime_spec_json(spec, 1, &call->alt)) < 0 &&
	     (rc != DROVE_EINVAL ||
	      !(call->pull_error = drove__strdup(drove_error_last()->message)))) ||
	    (spec->nfiles &&
	     ((rc = drove__buf_append(&call->tar, spec->tar.data, spec->tar.len)) < 0 ||
	      (rc = drove__runtime_tar_finish(&call->tar)) < 0))) {
		free(json);
		drove__runtime_call_free(call);
		return rc;
	}
	free(json);
	return submit(rt, call, NULL);
}

int drove_runtime_put_file(drove_runtime *rt, const char *id, const char *path, const void *data,
                           size_t len, int mode, drove_runtime_fn done, void *userdata)
{
	int rc;

	DROVE_CHECK_ARG(rt && id && *id && path && (data || !len) && done);
	NEW_CALL(RT_PUT_FILE, id);
	if ((rc = drove__runtime_tar_add(&call->tar, path, data, len, mode, 0)) < 0 ||
	    (rc = drove__runtime_tar_finish(&call->tar)) < 0) {
		drove__runtime_call_free(call);
		return rc;
	}
	return submit(rt, call, NULL);
}

static int simple(drove_runtime *rt, int kind, const char *id, drove_runtime_fn done,
                  void *userdata)
{
	DROVE_CHECK_ARG(rt && id && *id && done);
	NEW_CALL(kind, id);
	return submit(rt, call, NULL);
}

int drove_runtime_start(drove_runtime *rt, const char *id, drove_runtime_fn done, void *userdata)
{
	return simple(rt, RT_START, id, done, userdata);
}

int drove_runtime_inspect(drove_runtime *rt, const char *id, drove_runtime_fn done, void *userdata)
{
	return simple(rt, RT_INSPECT, id, done, userdata);
}

int drove_runtime_remove(drove_runtime *rt, const char *id, drove_runtime_fn done, void *userdata)
{
	return simple(rt, RT_REMOVE, id, done, userdata);
}

int drove_runtime_set_metrics(drove_runtime *rt, drove_metrics *m)
{
	static const double b[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
	                           0.25,  0.5,    1,     2.5,  5,     10,   30};
	int rc;
	DROVE_CHECK_ARG(rt && m);
	if ((rc = drove_metrics_histogram(m, &rt->m_seconds, "drove_engine_call_duration_seconds",
	                                  "Container engine API calls, by call.", "call", b,
	                                  sizeof(b) / sizeof(b[0]))) < 0 ||
	    (rc = drove_metrics_counter(m, &rt->m_errors, "drove_engine_call_errors_total",
	                                "Container engine API calls that failed (not counting a "
	                                "missing container or image).",
	                                "call")) < 0) {
		rt->m_seconds = rt->m_errors = NULL;
		return rc;
	}
	return 0;
}

int drove_runtime_stats(drove_runtime *rt, const char *id, drove_runtime_fn done, void *userdata)
{
	return simple(rt, RT_STATS, id, done, userdata);
}

int drove_runtime_image_remove(drove_runtime *rt, const char *image, int force,
                               drove_runtime_fn done, void *userdata)
{
	DROVE_CHECK_ARG(rt && image && *image && done);
	NEW_CALL(RT_IMAGE_REMOVE, image);
	call->num = force != 0;
	return submit(rt, call, NULL);
}

int drove_runtime_stop(drove_runtime *rt, const char *id, int grace_s, drove_runtime_fn done,
                       void *userdata)
{
	DROVE_CHECK_ARG(rt && id && *id && done && grace_s >= 0);
	NEW_CALL(RT_STOP, id);
	call->num = grace_s;
	call->timeout_ms += (int64_t)grace_s * 1000;
	return submit(rt, call, NULL);
}

int drove_runtime_kill(drove_runtime *rt, const char *id, const char *signal, drove_runtime_fn done,
                       void *userdata)
{
	DROVE_CHECK_ARG(rt && id && *id && done);
	NEW_CALL(RT_KILL, id);
	if (!(call->arg = drove__strdup(signal ? signal : "SIGKILL"))) {
		drove__runtime_call_free(call);
		return DROVE_ENOMEM;
	}
	return submit(rt, call, NULL);
}

int drove_runtime_list(drove_runtime *rt, const char *label, int all, drove_runtime_fn done,
                       void *userdata)
{
	DROVE_CHECK_ARG(rt && done);
	NEW_CALL(RT_LIST, NULL);
	call->num = all ? 1 : 0;
	if (label && !(call->arg = drove__strdup(label))) {
		drove__runtime_call_free(call);
		return DROVE_ENOMEM;
	}
	return submit(rt, call, NULL);
}

int drove_runtime_logs(drove_runtime *rt, const char *id, int follow, int tail,
                       drove_runtime_line_fn on_line, drove_runtime_fn done, void *userdata,
                       drove_runtime_call **call_out)
{
	DROVE_CHECK_ARG(rt && id && *id && on_line && done);
	NEW_CALL(RT_LOGS, id);
	call->follow = follow ? 1 : 0;
	call->num = tail;
	call->on_line = on_line;
	return submit(rt, call, call_out);
}

int drove_runtime_exec(drove_runtime *rt, const char *id, const drove_strlist *argv,
                       int64_t timeout_ms, drove_runtime_fn done, void *userdata)
{
	DROVE_CHECK_ARG(rt && id && *id && argv && done && timeout_ms >= 0);
	if (!drove_strlist_count(argv))
		return drove__error(DROVE_EINVAL, "exec: empty command");
	NEW_CALL(RT_EXEC, id);
	if (timeout_ms)
		call->timeout_ms = timeout_ms;
	if (drove_strlist_new(&call->argv) < 0) {
		drove__runtime_call_free(call);
		return DROVE_ENOMEM;
	}
	for (size_t i = 0; i < drove_strlist_count(argv); i++)
		if (drove_strlist_add(call->argv, drove_strlist_get(argv, i)) < 0) {
			drove__runtime_call_free(call);
			return DROVE_ENOMEM;
		}
	return submit(rt, call, NULL);
}

/* ---- results ---- */

int drove_runtime_result_code(const drove_runtime_result *res)
{
	return res ? res->code : DROVE_EINVAL;
}

const char *drove_runtime_result_message(const drove_runtime_result *res)
{
	return res && res->message ? res->message : "";
}

const char *drove_runtime_result_id(const drove_runtime_result *res)
{
	return res ? res->id : NULL;
}

const char *drove_runtime_result_engine(const drove_runtime_result *res)
{
	return res && res->engine ? res->engine : "";
}

const char *drove_runtime_result_api_version(const drove_runtime_result *res)
{
	return res && res->api_version ? res->api_version : "";
}

int drove_runtime_result_exit_code(const drove_runtime_result *res)
{
	return res ? res->exit_code : -1;
}

const char *drove_runtime_result_output(const drove_runtime_result *res, size_t *len)
{
	if (len)
		*len = res ? res->output.len : 0;
	return res && res->output.data ? res->output.data : "";
}

const drove_container_info *drove_runtime_result_container(const drove_runtime_result *res)
{
	return res ? res->info : NULL;
}

size_t drove_runtime_result_container_count(const drove_runtime_result *res)
{
	return res ? res->nlist : 0;
}

const drove_container_info *drove_runtime_result_container_at(const drove_runtime_result *res,
                                                              size_t i)
{
	return res && i < res->nlist ? res->list[i] : NULL;
}

int64_t drove_runtime_result_stat(const drove_runtime_result *res, int which)
{
	if (!res || which < 0 || which >= DROVE_STAT_COUNT)
		return 0;
	return res->stats[which];
}

/* ---- container info ---- */

const char *drove_container_info_id(const drove_container_info *c)
{
	return c ? c->id : NULL;
}

const char *drove_container_info_name(const drove_container_info *c)
{
	return c ? c->name : NULL;
}

const char *drove_container_info_image(const drove_container_info *c)
{
	return c ? c->image : NULL;
}

const char *drove_container_info_image_id(const drove_container_info *c)
{
	return c ? c->image_id : NULL;
}

const char *drove_container_info_state(const drove_container_info *c)
{
	return c ? c->state : NULL;
}

int drove_container_info_running(const drove_container_info *c)
{
	return c ? c->running : 0;
}

int drove_container_info_exit_code(const drove_container_info *c)
{
	return c ? c->exit_code : -1;
}

int64_t drove_container_info_started_at(const drove_container_info *c)
{
	return c ? c->started_at : 0;
}

const char *drove_container_info_label(const drove_container_info *c, const char *key)
{
	return c && key ? drove_strmap_get(c->labels, key) : NULL;
}

int drove_container_info_host_port(const drove_container_info *c, int container_port)
{
	for (size_t i = 0; c && i < c->nports; i++)
		if (c->ports[2 * i] == container_port)
			return c->ports[2 * i + 1];
	return -1;
}
