/* A runtime call's life below the interface and the backends: unlinking, completion (the one
 * way a backend reports a result upward) and freeing. runtime.c and the backends use it; it
 * calls neither. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>

#include "runtime/runtime_internal.h"

static const char *const kind_names[] = {
        "version", "image inspect", "pull", "create", "put archive",
        "start",   "inspect",       "stop", "kill",   "remove",
        "list",    "logs",          "exec", "stats",  "image remove",
};

const char *drove__runtime_kind_name(int kind)
{
	return kind >= 0 && kind < (int)(sizeof(kind_names) / sizeof(kind_names[0]))
	               ? kind_names[kind]
	               : "call";
}

/* Latency and errors of a finished call (a followed log stream lasts as long as it is read: not
 * a latency). */
static void observe(drove_runtime_call *call, int code)
{
	drove_runtime *rt = call->rt;
	const char *v[] = {drove__runtime_kind_name(call->kind)};
	if (!rt->m_seconds || (call->kind == RT_LOGS && call->follow))
		return;
	drove_metric_observe(rt->m_seconds, v,
	                     (double)(drove_time_mono_us() - call->start_us) / 1e6);
	if (code < 0 && code != DROVE_ENOTFOUND)
		drove_metric_add(rt->m_errors, v, 1);
}

void drove__runtime_call_free(drove_runtime_call *call)
{
	free(call->target);
	free(call->arg);
	free(call->alt);
	free(call->pull_error);
	drove__buf_free(&call->payload);
	drove__buf_free(&call->tar);
	drove__buf_free(&call->lines);
	drove_strlist_free(call->argv);
	drove__runtime_demux_free(&call->demux);
	drove__runtime_result_clear(&call->res);
	free(call);
}

void drove__runtime_call_unlink(drove_runtime_call *call)
{
	drove_runtime *rt = call->rt;

	if (!call->linked)
		return;
	if (call->prev)
		call->prev->next = call->next;
	else
		rt->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
	call->linked = 0;
}

void drove__runtime_result_clear(drove_runtime_result *res)
{
	free(res->message);
	free(res->id);
	free(res->engine);
	free(res->api_version);
	drove__buf_free(&res->output);
	drove__runtime_info_free(res->info);
	for (size_t i = 0; i < res->nlist; i++)
		drove__runtime_info_free(res->list[i]);
	free(res->list);
	memset(res, 0, sizeof(*res));
}

void drove__runtime_complete(drove_runtime_call *call, int code, const char *fmt, ...)
{
	va_list ap;

	drove__runtime_call_unlink(call);
	if (call->cancelled) {
		if (!call->in_chunk)
			drove__runtime_call_free(call);
		return;
	}
	observe(call, code);
	call->res.code = code;
	if (code < 0 && fmt) {
		drove__buf b = DROVE_BUF_INIT;
		va_start(ap, fmt);
		drove__buf_vprintf(&b, fmt, ap);
		va_end(ap);
		free(call->res.message);
		call->res.message = drove__buf_steal(&b);
		drove__error(code, "%s", call->res.message ? call->res.message : "");
	}
	call->in_done = 1;
	call->done(&call->res, call->userdata);
	if (!call->in_chunk)
		drove__runtime_call_free(call);
	else
		call->cancelled = 1; /* freed by the chunk handler that is on the stack */
}
