/* The admin port: /metrics, /healthcheck and /ping without authentication
 * (include/drove/admin.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include <drove/admin.h>
#include <drove/clock.h>

#include "core/internal.h"
#include "http/server.h"

#define CHECK_NAME_MAX 64
#define MESSAGE_MAX    512

typedef struct check {
	char *name;
	drove_health_fn fn;
	void *ud;
} check;

struct drove_admin {
	drove_loop *loop;
	drove_metrics *metrics;
	drove_metric *requests;
	drove__http_server *srv;
	check *checks;
	size_t nchecks, cap;
};

static void on_ping(drove__http_req *req, void *ud)
{
	drove__http_req_add_header(req, "Cache-Control", "must-revalidate,no-cache,no-store");
	drove__http_reply_raw(req, 200, "text/plain;charset=utf-8", "pong\n", 5);
}

static void on_metrics(drove__http_req *req, void *ud)
{
	drove_admin *a = ud;
	char *text = NULL;
	size_t len = 0;
	if (!a->metrics) {
		drove__http_reply_raw(req, 200, DROVE_METRICS_CONTENT_TYPE, NULL, 0);
		return;
	}
	if (drove_metrics_render(a->metrics, &text, &len) < 0) {
		drove__http_reply_raw(req, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	drove__http_reply_raw(req, 200, DROVE_METRICS_CONTENT_TYPE, text, len);
	free(text);
}

/* Run every check; *all_ok is 1 when all are healthy. NULL on ENOMEM. */
static json_object *run_checks(const drove_admin *a, int *all_ok)
{
	json_object *o = json_object_new_object();
	char msg[MESSAGE_MAX], ts[40];
	*all_ok = 1;
	if (!o)
		return NULL;
	for (size_t i = 0; i < a->nchecks; i++) {
		int64_t t0 = drove_time_mono_us();
		int ok;
		json_object *e;
		time_t now = time(NULL);
		struct tm tm;
		msg[0] = '\0';
		ok = a->checks[i].fn(msg, sizeof(msg), a->checks[i].ud) == 1;
		msg[sizeof(msg) - 1] = '\0';
		if (!ok)
			*all_ok = 0;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!(e = json_object_new_object()) ||
		    json_object_object_add(o, a->checks[i].name, e) < 0) {
			json_object_put(e);
			json_object_put(o);
			return NULL;
		}
		json_object_object_add(e, "healthy", json_object_new_boolean(ok));
		if (msg[0])
			json_object_object_add(e, "message", json_object_new_string(msg));
		json_object_object_add(e, "duration",
		                       json_object_new_int64((drove_time_mono_us() - t0) / 1000));
		json_object_object_add(e, "timestamp", json_object_new_string(ts));
	}
	return o;
}

static void on_health(drove__http_req *req, void *ud)
{
	drove_admin *a = ud;
	int ok;
	json_object *o;
	drove__http_req_add_header(req, "Cache-Control", "must-revalidate,no-cache,no-store");
	if (!a->nchecks) {
		static const char none[] = "{\"error\":\"No health checks registered.\"}";
		drove__http_reply_raw(req, 501, "application/json", none, sizeof(none) - 1);
		return;
	}
	if (!(o = run_checks(a, &ok))) {
		drove__http_reply_raw(req, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	drove__http_reply_json(req, ok ? 200 : 500, o);
}

static void observe(int method, const char *route, int status, double seconds, void *ud)
{
	drove_admin *a = ud;
	char st[16];
	const char *m = drove__http_method_name(method);
	const char *v[] = {route ? route : "unmatched", m ? m : "OTHER", st};
	if (!a->requests)
		return;
	snprintf(st, sizeof(st), "%d", status);
	drove_metric_add(a->requests, v, 1);
}

int drove_admin_new(drove_admin **out, drove_loop *loop, drove_metrics *metrics)
{
	drove_admin *a;
	int rc;
	DROVE_CHECK_ARG(out && loop);
	if (!(a = calloc(1, sizeof(*a))))
		return drove__enomem();
	a->loop = loop;
	a->metrics = metrics;
	if ((metrics &&
	     (rc = drove_metrics_counter(metrics, &a->requests, "drove_admin_requests_total",
	                                 "Requests served by the admin port.",
	                                 "route,method,status")) < 0) ||
	    (rc = drove__http_server_new(&a->srv, loop, NULL)) < 0 ||
	    (rc = drove__http_server_route(a->srv, DROVE_HTTP_GET, "/ping", DROVE_HTTP_PUBLIC, 0,
	                                   on_ping, a)) < 0 ||
	    (rc = drove__http_server_route(a->srv, DROVE_HTTP_GET, "/metrics", DROVE_HTTP_PUBLIC, 0,
	                                   on_metrics, a)) < 0 ||
	    (rc = drove__http_server_route(a->srv, DROVE_HTTP_GET, "/healthcheck",
	                                   DROVE_HTTP_PUBLIC, 0, on_health, a)) < 0) {
		drove_admin_free(a);
		return rc;
	}
	drove__http_server_set_observer(a->srv, observe, a);
	*out = a;
	return 0;
}

int drove_admin_add_check(drove_admin *a, const char *name, drove_health_fn fn, void *userdata)
{
	size_t n, at;
	char *copy;
	DROVE_CHECK_ARG(a && name && fn);
	n = strlen(name);
	if (!n || n > CHECK_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
	                 "UVWXYZ0123456789_.-") != n)
		return drove__error(DROVE_EINVAL, "health check name \"%.80s\" is not valid", name);
	for (at = 0; at < a->nchecks; at++) {
		int c = strcmp(a->checks[at].name, name);
		if (c == 0)
			return drove__error(DROVE_EEXISTS, "health check %s exists", name);
		if (c > 0)
			break;
	}
	if (drove__grow(&a->checks, &a->cap, a->nchecks + 1, sizeof(*a->checks)) < 0 ||
	    !(copy = drove__strdup(name)))
		return DROVE_ENOMEM;
	memmove(&a->checks[at + 1], &a->checks[at], (a->nchecks - at) * sizeof(*a->checks));
	a->checks[at] = (check){copy, fn, userdata};
	a->nchecks++;
	return 0;
}

int drove__admin_set_tls(drove_admin *a, const char *key_store_path, const char *password,
                         const char *type)
{
	DROVE_CHECK_ARG(a);
	return drove__http_server_set_tls(a->srv, key_store_path, password, type);
}

int drove__admin_open(drove_admin **out, drove_loop *loop, drove_metrics *metrics,
                      const struct drove__admin_check *checks, size_t n, void *userdata,
                      const char *address, int port, const char *key_store_path,
                      const char *password, const char *type)
{
	drove_admin *a = NULL;
	int rc;
	DROVE_CHECK_ARG(out && (checks || !n));
	*out = NULL;
	if ((rc = drove_admin_new(&a, loop, metrics)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		if (checks[i].fn &&
		    (rc = drove_admin_add_check(a, checks[i].name, checks[i].fn, userdata)) < 0)
			goto fail;
	if ((key_store_path &&
	     (rc = drove__admin_set_tls(a, key_store_path, password, type)) < 0) ||
	    (rc = drove_admin_start(a, address, port)) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	drove_admin_free(a);
	return rc;
}

int drove_admin_start(drove_admin *a, const char *address, int port)
{
	DROVE_CHECK_ARG(a);
	return drove__http_server_bind(a->srv, address ? address : "127.0.0.1", port);
}

int drove_admin_port(const drove_admin *a)
{
	return a ? drove__http_server_port(a->srv) : -1;
}

int drove_admin_is_healthy(const drove_admin *a)
{
	int ok = 1;
	json_object *o;
	if (!a)
		return 0;
	o = run_checks(a, &ok);
	json_object_put(o);
	return o ? ok : 0;
}

void drove_admin_free(drove_admin *a)
{
	if (!a)
		return;
	drove__http_server_free(a->srv);
	for (size_t i = 0; i < a->nchecks; i++)
		free(a->checks[i].name);
	free(a->checks);
	free(a);
}
