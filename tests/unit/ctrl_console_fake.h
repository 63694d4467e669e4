/* A controller's state in memory for the console's unit test and benchmark (no daemon, no
 * I/O): `n_apps` apps of `per_app` HEALTHY instances spread over `n_execs` executors with two
 * NUMA nodes each, every instance holding one core in its executor's snapshot, a few events.
 * `evil` goes into every app's tags and env, every executor's tags and every event, to prove
 * the pages escape it. Header-only (static functions) so that tests and bench share it. */
#ifndef DROVE_CTRL_CONSOLE_FAKE_H
#define DROVE_CTRL_CONSOLE_FAKE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>

#include "ctrl/console.h"

static char *fake_printf(const char *fmt, ...) DROVE_PRINTF(1, 2);
static char *fake_printf(const char *fmt, ...)
{
	drove__buf b = DROVE_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	drove__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return drove__buf_steal(&b);
}

/* Instance `g` (global index) of app `a`: its JSON (executor E<g % n_execs>, core k). */
static void fake_inst_json(drove__buf *b, int a, int g, int n_execs, int per_exec, int64_t now)
{
	int core = g / n_execs, node = core < per_exec / 2 ? 0 : 1;
	drove__buf_printf(
	        b,
	        "{\"appId\":\"app-%03d-1\",\"appName\":\"app-%03d\",\"instanceId\":\"AI-%06d\","
	        "\"executorId\":\"E%d\",\"localInfo\":{\"hostname\":\"exec-%d\",\"ports\":{"
	        "\"main\":"
	        "{\"containerPort\":8000,\"hostPort\":%d,\"portType\":\"HTTP\"}}},\"resources\":[{"
	        "\"type\":\"CPU\",\"cores\":{\"%d\":[%d]}},{\"type\":\"MEMORY\",\"memoryInMB\":{\"%"
	        "d\""
	        ":64}}],\"state\":\"HEALTHY\",\"metadata\":{},\"errorMessage\":\"\",\"created\":%"
	        "lld,"
	        "\"updated\":%lld}",
	        a, a, g, g % n_execs, g % n_execs, 20000 + g % 40000, node, core, node,
	        (long long)now - 1000, (long long)now);
}

static void fake_cores(drove__buf *b, int from, int to)
{
	for (int k = from; k < to; k++)
		drove__buf_printf(b, "%s%d", k > from ? "," : "", k);
}

static drove_controller *fake_ctrl_new(drove_ctx *ctx, int n_apps, int per_app, int n_execs,
                                       const char *evil)
{
	drove_controller *c = calloc(1, sizeof(*c));
	int total = n_apps * per_app, per_exec = (total + n_execs - 1) / n_execs + 4;
	int64_t now = drove_time_wall_ms();

	c->ctx = ctx;
	c->leader = 1;
	c->ready = true;
	c->leader_hp = strdup("ctrl-1:4000");
	c->hostname = strdup("ctrl-1");
	c->stale_inst_ms = 60000;
	c->cluster_state = DROVE_CLUSTER_NORMAL;
	c->cluster_updated = now - 5000;
	for (int a = 0; a < n_apps; a++) {
		char *json = fake_printf(
		        "{\"appId\":\"app-%03d-1\",\"spec\":{\"name\":\"app-%03d\",\"version\":"
		        "\"1\","
		        "\"type\":\"SERVICE\",\"executable\":{\"type\":\"DOCKER\",\"url\":"
		        "\"localhost/drove-test:latest\",\"dockerPullTimeout\":\"100 seconds\"},"
		        "\"exposedPorts\":[{\"name\":\"main\",\"port\":8000,\"type\":\"HTTP\"}],"
		        "\"volumes\":[],\"configs\":[],\"resources\":[{\"type\":\"CPU\",\"count\":"
		        "1},"
		        "{\"type\":\"MEMORY\",\"sizeInMB\":64}],\"placementPolicy\":{\"type\":"
		        "\"ANY\"},"
		        "\"tags\":{\"team\":\"%s\"},\"env\":{\"GREETING\":\"%s\"}},\"instances\":%"
		        "d,"
		        "\"created\":1719892354194,\"updated\":1719892354194}",
		        a, a, evil, evil, per_app);
		drove_app_info *info = NULL;
		drove__ctrl_app *app = NULL;
		if (drove__app_info_decode(json, strlen(json), 0, &info, NULL, NULL) < 0 ||
		    drove__ctrl_app_adopt(c, info, &app) < 0) {
			fprintf(stderr, "fake app: %s\n", drove_error_last()->message);
			abort();
		}
		free(json);
		app->state = DROVE_APP_RUNNING;
		for (int i = 0; i < per_app; i++) {
			drove__buf b = DROVE_BUF_INIT;
			drove_instance_info *ii = NULL;
			fake_inst_json(&b, a, a * per_app + i, n_execs, per_exec, now);
			if (drove__instance_info_decode(b.data, b.len, 0, &ii, NULL, NULL) < 0 ||
			    drove__ctrl_app_add_inst(c, app, ii, now) < 0)
				abort();
			drove__buf_free(&b);
		}
		if (a < 20) {
			drove_event *ev = drove__ctrl_event_new(ctx, DROVE_EVENT_APP_STATE_CHANGE);
			drove__ctrl_event_app(ev, app);
			drove_strmap_set(ev->metadata, "NOTE", evil);
			drove__ctrl_events_add(&c->events, ev);
		}
	}
	c->execs = calloc((size_t)n_execs, sizeof(*c->execs));
	for (int e = 0; e < n_execs; e++) {
		drove__buf b = DROVE_BUF_INIT;
		drove__ctrl_exec *x = calloc(1, sizeof(*x));
		int used = 0, first = 1, half = per_exec / 2;
		for (int g = e; g < total; g += n_execs)
			used++;
		drove__buf_printf(
		        &b,
		        "{\"type\":\"EXECUTOR\",\"hostname\":\"exec-%d\",\"port\":3000,"
		        "\"transportType\":\"HTTP\",\"updated\":%lld,\"state\":{\"executorId\":"
		        "\"E%d\",\"cpus\":{\"type\":\"CPU\",\"freeCores\":{\"0\":[",
		        e, (long long)now, e);
		fake_cores(&b, used < half ? used : half, half);
		drove__buf_printf(&b, "],\"1\":[");
		fake_cores(&b, used > half ? used : half, per_exec);
		drove__buf_printf(&b, "]},\"usedCores\":{\"0\":[");
		fake_cores(&b, 0, used < half ? used : half);
		drove__buf_printf(&b, "],\"1\":[");
		fake_cores(&b, half, used > half ? used : half);
		drove__buf_printf(&b,
		                  "]}},\"memory\":{\"type\":\"MEMORY\",\"freeMemory\":{\"0\":8000,"
		                  "\"1\":8000},\"usedMemory\":{\"0\":%d,\"1\":0}},\"layout\":{"
		                  "\"cores\":{\"0\":[",
		                  used * 64);
		fake_cores(&b, 0, per_exec / 2);
		drove__buf_printf(&b, "],\"1\":[");
		fake_cores(&b, per_exec / 2, per_exec);
		drove__buf_printf(&b, "]},\"memory\":{\"0\":16000,\"1\":16000}}},\"instances\":[");
		for (int g = e; g < total; g += n_execs, first = 0) {
			if (!first)
				drove__buf_putc(&b, ',');
			fake_inst_json(&b, g / per_app, g, n_execs, per_exec, now);
		}
		drove__buf_printf(&b,
		                  "],\"tasks\":[],\"serviceInstances\":[],\"tags\":[\"exec-%d\","
		                  "\"%s\"],\"metadata\":{},\"executorState\":\"ACTIVE\"}",
		                  e, evil);
		x->id = fake_printf("E%d", e);
		x->ctrl_state = -1;
		if (drove__node_data_decode(b.data, b.len, 0, &x->nd, NULL, NULL) < 0) {
			fprintf(stderr, "fake executor: %s\n", drove_error_last()->message);
			abort();
		}
		drove__buf_free(&b);
		c->execs[c->n_execs++] = x;
	}
	return c;
}

static void fake_ctrl_free(drove_controller *c)
{
	for (size_t i = 0; i < c->n_apps; i++)
		drove__ctrl_app_free(c, c->apps[i]);
	free(c->apps);
	drove__ctrl_byexec_free(c->byexec);
	for (size_t i = 0; i < c->n_execs; i++) {
		drove__node_data_free(c->execs[i]->nd);
		free(c->execs[i]->id);
		free(c->execs[i]);
	}
	free(c->execs);
	drove__ctrl_events_clear(&c->events);
	free(c->leader_hp);
	free(c->hostname);
	free(c->standby.leader_hp);
	free(c);
}

#endif
