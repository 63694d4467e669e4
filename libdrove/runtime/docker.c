/* The Docker Engine API backend (dockerd and podman's service), over a unix socket. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include <drove/clock.h>
#include "core/loop_internal.h"
#include "runtime/runtime_internal.h"

#define EXEC_OUTPUT_MAX (64u << 10)
#define EXEC_POLLS      100
#define EXEC_POLL_MS    20

static void start_step(drove_runtime_call *call);

static void finish(drove_runtime_call *call, int code, const char *fmt, ...) DROVE_PRINTF(3, 4);
static void finish(drove_runtime_call *call, int code, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	if (call->timer) {
		event_free(call->timer);
		call->timer = NULL;
	}
	if (code < 0 && fmt) {
		drove__buf b = DROVE_BUF_INIT;
		va_start(ap, fmt);
		drove__buf_vprintf(&b, fmt, ap);
		va_end(ap);
		msg = drove__buf_steal(&b);
	}
	drove__runtime_complete(call, code, code < 0 ? "%s" : NULL, msg ? msg : "out of memory");
	free(msg);
}

/* Percent-encode `s` for a URL path segment or query value; `keep` lists extra characters
 * left as they are. */
static int pct(drove__buf *b, const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) || (keep && strchr(keep, ch))) {
			if (drove__buf_putc(b, (char)ch) < 0)
				return DROVE_ENOMEM;
		} else if (drove__buf_putc(b, '%') < 0 || drove__buf_putc(b, hex[ch >> 4]) < 0 ||
		           drove__buf_putc(b, hex[ch & 15]) < 0) {
			return DROVE_ENOMEM;
		}
	}
	return 0;
}

static void transport_error(drove_runtime_call *call, const drove__http_response *resp)
{
	drove_runtime *rt = call->rt;
	const char *what = drove__runtime_kind_name(call->kind);
	const char *t = call->target ? call->target : "";

	if (resp->error == DROVE_EUNAVAIL)
		finish(call, DROVE_EUNAVAIL, "%s %s: engine unreachable at %s: %s", what, t,
		       rt->socket_path, resp->errtext);
	else if (resp->error == DROVE_ETIMEOUT)
		finish(call, DROVE_ETIMEOUT, "%s %s: timed out after %lld ms: %s", what, t,
		       (long long)call->timeout_ms, resp->errtext);
	else
		finish(call, resp->error, "%s %s: engine at %s: %s", what, t, rt->socket_path,
		       resp->errtext);
}

static void status_error(drove_runtime_call *call, const drove__http_response *resp)
{
	char *msg = drove__runtime_engine_message(resp->body, resp->body_len, resp->status);
	finish(call, drove__runtime_status_code(resp->status), "%s", msg ? msg : "out of memory");
	free(msg);
}

static int send_req(drove_runtime_call *call, const char *method, const char *path,
                    const char *ctype, const void *body, size_t body_len,
                    drove__http_chunk_fn chunk, drove__http_done_fn done, int no_timeout);

/* ---- per-kind handlers ---- */

static void on_version(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	drove_runtime *rt = call->rt;
	int rc;

	call->http = NULL;
	if (resp->error)
		return transport_error(call, resp);
	if (resp->status != 200)
		return status_error(call, resp);
	if ((rc = drove__runtime_parse_version(resp->body, resp->body_len, rt->engine,
	                                       sizeof(rt->engine), rt->api_version,
	                                       sizeof(rt->api_version))) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	if (call->kind == RT_VERSION) {
		if (!(call->res.engine = drove__strdup(rt->engine)) ||
		    !(call->res.api_version = drove__strdup(rt->api_version)))
			return finish(call, DROVE_ENOMEM, "out of memory");
		return finish(call, 0, NULL);
	}
	start_step(call);
}

/* Generic: success on 2xx (and 304 when `ok304`), else the engine's error. */
static int check(drove_runtime_call *call, const drove__http_response *resp, int ok304)
{
	call->http = NULL;
	if (resp->error) {
		transport_error(call, resp);
		return -1;
	}
	if ((resp->status >= 200 && resp->status < 300) || (ok304 && resp->status == 304))
		return 0;
	status_error(call, resp);
	return -1;
}

static void on_plain(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	if (check(call, resp, 1) == 0)
		finish(call, 0, NULL);
}

static void on_image_id(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_string(resp->body, resp->body_len, "Id", &call->res.id)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	finish(call, 0, NULL);
}

static void on_created(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_string(resp->body, resp->body_len, "Id", &call->res.id)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	if (!call->tar.len)
		return finish(call, 0, NULL);
	call->step = 1;
	start_step(call);
}

static void on_inspect(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_inspect(resp->body, resp->body_len, &call->res.info)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	finish(call, 0, NULL);
}

static void on_list(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_list(resp->body, resp->body_len, &call->res.list,
	                                    &call->res.nlist)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	finish(call, 0, NULL);
}

static void on_stats(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_stats(resp->body, resp->body_len, call->res.stats)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	finish(call, 0, NULL);
}

/* ---- pull: a stream of JSON lines ---- */

static void pull_line(drove_runtime_call *call, const char *line, size_t len)
{
	char *text = NULL, *err = NULL;

	if (!len || drove__runtime_parse_pull_line(line, len, &text, &err) < 0) {
		drove_error_clear();
		return;
	}
	if (err && !call->pull_error)
		call->pull_error = err;
	else
		free(err);
	if (text && call->on_line)
		call->on_line(DROVE_RUNTIME_PROGRESS, text, strlen(text), call->userdata);
	free(text);
}

static int on_pull_chunk(const char *data, size_t len, void *ud)
{
	drove_runtime_call *call = ud;
	size_t start = 0;

	if (drove__buf_append(&call->lines, data, len) < 0)
		return 1;
	call->in_chunk = 1;
	for (size_t i = 0; i < call->lines.len && !call->cancelled; i++)
		if (call->lines.data[i] == '\n') {
			pull_line(call, call->lines.data + start, i - start);
			start = i + 1;
		}
	call->in_chunk = 0;
	if (call->cancelled) {
		drove__runtime_complete(call, 0, NULL); /* frees it */
		return 1;
	}
	memmove(call->lines.data, call->lines.data + start, call->lines.len - start);
	call->lines.len -= start;
	call->lines.data[call->lines.len] = '\0';
	if (call->lines.len > (1u << 20))
		drove__buf_reset(&call->lines); /* a runaway line: drop it */
	return 0;
}

static void on_pulled(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;

	if (check(call, resp, 0) < 0)
		return;
	if (call->lines.len)
		pull_line(call, call->lines.data, call->lines.len);
	if (call->pull_error && drove__runtime_is_auth_error(call->pull_error)) {
		const char *slash = strchr(call->target, '/');
		return finish(call, DROVE_EAUTH,
		              "registry %.*s refused the credentials (dockerAuth): %s",
		              slash ? (int)(slash - call->target) : 9,
		              slash ? call->target : "docker.io", call->pull_error);
	}
	if (call->pull_error)
		return finish(call, DROVE_ERROR, "%s", call->pull_error);
	call->step = 1;
	start_step(call);
}

/* ---- logs and exec: multiplexed streams ---- */

static void demux_line(int stream, const char *line, size_t len, void *ud)
{
	drove_runtime_call *call = ud;

	if (call->cancelled)
		return;
	if (call->kind == RT_EXEC) {
		if (call->res.output.len + len + 1 <= EXEC_OUTPUT_MAX) {
			drove__buf_append(&call->res.output, line, len);
			drove__buf_putc(&call->res.output, '\n');
		}
		return;
	}
	call->on_line(stream, line, len, call->userdata);
}

static int on_stream_chunk(const char *data, size_t len, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	call->in_chunk = 1;
	rc = drove__runtime_demux_feed(&call->demux, data, len);
	call->in_chunk = 0;
	if (call->cancelled) {
		drove__runtime_complete(call, 0, NULL); /* frees it */
		return 1;
	}
	if (rc < 0) {
		drove_error_clear();
		return 1; /* reported as an aborted transfer */
	}
	return 0;
}

static void flush_demux(drove_runtime_call *call)
{
	call->in_chunk = 1;
	drove__runtime_demux_finish(&call->demux);
	call->in_chunk = 0;
}

static void on_logs_done(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;

	if (check(call, resp, 0) < 0)
		return;
	flush_demux(call);
	if (call->cancelled) {
		drove__runtime_complete(call, 0, NULL);
		return;
	}
	if (!call->follow)
		return finish(call, 0, NULL);
	/* A followed stream ended: the container stopped, or the engine went away. */
	call->step = 1;
	start_step(call);
}

static void on_logs_verified(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;

	call->http = NULL;
	if (resp->error)
		return transport_error(call, resp);
	finish(call, 0, NULL); /* any answer (even 404: removed) means the stream really ended */
}

static void on_exec_created(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_string(resp->body, resp->body_len, "Id", &call->arg)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	call->step = 1;
	start_step(call);
}

static void on_exec_output(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;

	if (check(call, resp, 0) < 0)
		return;
	flush_demux(call);
	if (call->cancelled) {
		drove__runtime_complete(call, 0, NULL);
		return;
	}
	call->step = 2;
	start_step(call);
}

static void exec_poll(evutil_socket_t fd, short what, void *arg)
{
	start_step(arg);
}

static void on_exec_inspected(const drove__http_response *resp, void *ud)
{
	drove_runtime_call *call = ud;
	int running = 0, rc;

	if (check(call, resp, 0) < 0)
		return;
	if ((rc = drove__runtime_parse_exec(resp->body, resp->body_len, &call->res.exit_code,
	                                    &running)) < 0)
		return finish(call, rc, "%s", drove_error_last()->message);
	if (running && call->retries++ < EXEC_POLLS &&
	    drove_time_mono_ms() + EXEC_POLL_MS < call->deadline) {
		struct timeval tv = {0, EXEC_POLL_MS * 1000};
		if (!call->timer &&
		    !(call->timer = evtimer_new(drove__loop_base(call->rt->loop), exec_poll, call)))
			return finish(call, DROVE_ENOMEM, "out of memory");
		evtimer_add(call->timer, &tv);
		return;
	}
	if (running)
		return finish(call, DROVE_ETIMEOUT, "exec %s: still running after %lld ms",
		              call->target, (long long)call->timeout_ms);
	finish(call, 0, NULL);
}

/* ---- requests ---- */

static int send_req(drove_runtime_call *call, const char *method, const char *path,
                    const char *ctype, const void *body, size_t body_len,
                    drove__http_chunk_fn chunk, drove__http_done_fn done, int no_timeout)
{
	drove_runtime *rt = call->rt;
	const char *headers[3] = {NULL, NULL, NULL};
	char *ct = NULL, *auth = NULL, *url;
	drove__http_request req;
	int64_t left = call->deadline - drove_time_mono_ms();
	int n = 0, rc;

	if (!no_timeout && left <= 0) {
		drove__error(DROVE_ETIMEOUT, "%s %s: timed out after %lld ms",
		             drove__runtime_kind_name(call->kind), call->target ? call->target : "",
		             (long long)call->timeout_ms);
		return DROVE_ETIMEOUT;
	}
	if (rt->api_version[0] && strcmp(path, "/version") != 0)
		url = drove__asprintf("http://d/v%s%s", rt->api_version, path);
	else
		url = drove__asprintf("http://d%s", path);
	if (!url)
		return DROVE_ENOMEM;
	if (ctype && !(ct = drove__asprintf("Content-Type: %s", ctype)))
		goto nomem;
	if (ct)
		headers[n++] = ct;
	if (call->kind == RT_PULL && call->arg && call->step == 0) {
		if (!(auth = drove__asprintf("X-Registry-Auth: %s", call->arg)))
			goto nomem;
		headers[n++] = auth;
	}
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.unix_socket = rt->socket_path;
	req.headers = headers;
	req.body = body;
	req.body_len = body_len;
	req.connect_timeout_ms = 5000;
	req.timeout_ms = no_timeout ? 0 : left;
	req.max_body = DROVE_RUNTIME_JSON_MAX;
	req.on_chunk = chunk;
	req.on_done = done;
	req.userdata = call;
	rc = drove__http_send(rt->http, &req, &call->http);
	free(url);
	free(ct);
	free(auth);
	return rc;
nomem:
	free(url);
	free(ct);
	free(auth);
	return drove__enomem();
}

/* Split "repo[:tag]" (a tag only after the last '/'). */
static int pull_path(drove__buf *p, const char *image)
{
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(image, ':');
	int rc = drove__buf_puts(p, "/images/create?fromImage=");

	if (strchr(image, '@') || !colon || (slash && colon < slash))
		return rc | pct(p, image, NULL) |
		       (strchr(image, '@') ? 0 : drove__buf_puts(p, "&tag=latest"));
	drove__buf b = DROVE_BUF_INIT;
	rc |= drove__buf_append(&b, image, (size_t)(colon - image));
	rc |= pct(p, b.data ? b.data : "", NULL);
	rc |= drove__buf_puts(p, "&tag=");
	rc |= pct(p, colon + 1, NULL);
	drove__buf_free(&b);
	return rc < 0 ? DROVE_ENOMEM : 0;
}

static int issue(drove_runtime_call *call)
{
	drove__buf p = DROVE_BUF_INIT;
	const char *t = call->target;
	int rc = 0;

	switch (call->kind) {
	case RT_IMAGE_INSPECT:
		rc = drove__buf_puts(&p, "/images/") | pct(&p, t, "/:@") |
		     drove__buf_puts(&p, "/json");
		if (rc == 0)
			rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL, on_image_id, 0);
		break;
	case RT_PULL:
		if (call->step == 0) {
			if ((rc = pull_path(&p, t)) == 0)
				rc = send_req(call, "POST", p.data, NULL, NULL, 0, on_pull_chunk,
				              on_pulled, 0);
		} else {
			rc = drove__buf_puts(&p, "/images/") | pct(&p, t, "/:@") |
			     drove__buf_puts(&p, "/json");
			if (rc == 0)
				rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL, on_image_id,
				              0);
		}
		break;
	case RT_CREATE:
		if (call->step == 0) {
			const char *body = strcmp(call->rt->engine, "podman") == 0
			                           ? call->alt
			                           : call->payload.data;
			if (!body) { /* a part podman cannot express (runtime.c) */
				rc = drove__error(DROVE_EINVAL, "podman: %s", call->pull_error);
				break;
			}
			rc = drove__buf_puts(&p, "/containers/create");
			if (t)
				rc |= drove__buf_puts(&p, "?name=") | pct(&p, t, NULL);
			if (rc == 0)
				rc = send_req(call, "POST", p.data, "application/json", body,
				              strlen(body), NULL, on_created, 0);
			break;
		}
		t = call->res.id;
		/* upload the files */
		__attribute__((fallthrough));
	case RT_PUT_FILE:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL) |
		     drove__buf_puts(&p, "/archive?path=%2F");
		if (rc == 0)
			rc = send_req(call, "PUT", p.data, "application/x-tar", call->tar.data,
			              call->tar.len, NULL, on_plain, 0);
		break;
	case RT_START:
	case RT_STOP:
	case RT_KILL:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL);
		if (call->kind == RT_START)
			rc |= drove__buf_puts(&p, "/start");
		else if (call->kind == RT_STOP)
			rc |= drove__buf_printf(&p, "/stop?t=%d", call->num);
		else
			rc |= drove__buf_puts(&p, "/kill?signal=") | pct(&p, call->arg, NULL);
		if (rc == 0)
			rc = send_req(call, "POST", p.data, NULL, NULL, 0, NULL, on_plain, 0);
		break;
	case RT_INSPECT:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL) |
		     drove__buf_puts(&p, "/json");
		if (rc == 0)
			rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL, on_inspect, 0);
		break;
	case RT_REMOVE:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL) |
		     drove__buf_puts(&p, "?force=true&v=true");
		if (rc == 0)
			rc = send_req(call, "DELETE", p.data, NULL, NULL, 0, NULL, on_plain, 0);
		break;
	case RT_LIST:
		rc = drove__buf_printf(&p, "/containers/json?all=%s", call->num ? "true" : "false");
		if (call->arg) {
			drove__buf f = DROVE_BUF_INIT;
			char *q = NULL;
			rc |= drove__buf_puts(&f, "{\"label\":[\"");
			for (const char *c = call->arg; *c; c++) {
				if (*c == '"' || *c == '\\')
					rc |= drove__buf_putc(&f, '\\');
				if ((unsigned char)*c < 0x20)
					continue;
				rc |= drove__buf_putc(&f, *c);
			}
			rc |= drove__buf_puts(&f, "\"]}");
			q = f.data;
			rc |= drove__buf_puts(&p, "&filters=") | pct(&p, q ? q : "", NULL);
			drove__buf_free(&f);
		}
		if (rc == 0)
			rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL, on_list, 0);
		break;
	case RT_LOGS:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL);
		if (call->step == 0) {
			rc |= drove__buf_printf(&p, "/logs?stdout=true&stderr=true&follow=%s",
			                        call->follow ? "true" : "false");
			if (call->num >= 0)
				rc |= drove__buf_printf(&p, "&tail=%d", call->num);
			if (rc == 0)
				rc = send_req(call, "GET", p.data, NULL, NULL, 0, on_stream_chunk,
				              on_logs_done, call->follow);
		} else {
			rc |= drove__buf_puts(&p, "/json");
			call->deadline = drove_time_mono_ms() + call->timeout_ms;
			if (rc == 0)
				rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL,
				              on_logs_verified, 0);
		}
		break;
	case RT_EXEC:
		if (call->step == 0) {
			drove__buf body = DROVE_BUF_INIT;
			rc = drove__buf_puts(&body, "{\"AttachStdout\":true,\"AttachStderr\":true,"
			                            "\"Tty\":false,\"Cmd\":[");
			for (size_t i = 0; i < drove_strlist_count(call->argv); i++) {
				const char *a = drove_strlist_get(call->argv, i);
				rc |= drove__buf_puts(&body, i ? ",\"" : "\"");
				for (; *a; a++) {
					unsigned char ch = (unsigned char)*a;
					if (ch == '"' || ch == '\\')
						rc |= drove__buf_printf(&body, "\\%c", ch);
					else if (ch < 0x20)
						rc |= drove__buf_printf(&body, "\\u%04x", ch);
					else
						rc |= drove__buf_putc(&body, (char)ch);
				}
				rc |= drove__buf_putc(&body, '"');
			}
			rc |= drove__buf_puts(&body, "]}");
			rc |= drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL) |
			      drove__buf_puts(&p, "/exec");
			if (rc == 0)
				rc = send_req(call, "POST", p.data, "application/json", body.data,
				              body.len, NULL, on_exec_created, 0);
			drove__buf_free(&body);
		} else if (call->step == 1) {
			static const char start[] = "{\"Detach\":false,\"Tty\":false}";
			rc = drove__buf_puts(&p, "/exec/") | pct(&p, call->arg, NULL) |
			     drove__buf_puts(&p, "/start");
			if (rc == 0)
				rc = send_req(call, "POST", p.data, "application/json", start,
				              sizeof(start) - 1, on_stream_chunk, on_exec_output,
				              0);
		} else {
			rc = drove__buf_puts(&p, "/exec/") | pct(&p, call->arg, NULL) |
			     drove__buf_puts(&p, "/json");
			if (rc == 0)
				rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL,
				              on_exec_inspected, 0);
		}
		break;
	case RT_STATS:
		rc = drove__buf_puts(&p, "/containers/") | pct(&p, t, NULL) |
		     drove__buf_puts(&p, "/stats?stream=false&one-shot=true");
		if (rc == 0)
			rc = send_req(call, "GET", p.data, NULL, NULL, 0, NULL, on_stats, 0);
		break;
	case RT_IMAGE_REMOVE:
		rc = drove__buf_puts(&p, "/images/") | pct(&p, t, "/:@") |
		     drove__buf_printf(&p, "?force=%s", call->num ? "true" : "false");
		if (rc == 0)
			rc = send_req(call, "DELETE", p.data, NULL, NULL, 0, NULL, on_plain, 0);
		break;
	default:
		rc = drove__error(DROVE_EINVAL, "runtime: unknown call kind %d", call->kind);
	}
	drove__buf_free(&p);
	return rc < 0 ? rc : 0;
}

/* Issue the request of the call's current step (after the version is known). */
static void start_step(drove_runtime_call *call)
{
	int rc = issue(call);
	if (rc < 0)
		finish(call, rc, "%s", drove_error_last()->message);
}

static int docker_submit(drove_runtime *rt, drove_runtime_call *call)
{
	if (call->on_line || call->kind == RT_EXEC)
		drove__runtime_demux_init(&call->demux, demux_line, call);
	if (call->kind == RT_VERSION || !rt->api_version[0])
		return send_req(call, "GET", "/version", NULL, NULL, 0, NULL, on_version, 0);
	return issue(call);
}

static void docker_cancel(drove_runtime_call *call)
{
	if (call->http) {
		drove__http_cancel(call->http);
		call->http = NULL;
	}
	if (call->timer) {
		event_free(call->timer);
		call->timer = NULL;
	}
}

const drove__runtime_ops drove__runtime_docker_ops = {
        .name = "docker",
        .submit = docker_submit,
        .cancel = docker_cancel,
        .destroy = NULL,
};
