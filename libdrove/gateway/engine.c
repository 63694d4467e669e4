/* The gateway engine (DROVE_API.md §13): leader tracking by pinging every controller, the
 * events summary poll, endpoints refetch on app / instance state changes, and applying the
 * rendered configuration to nginx at most once per reload interval. Every request goes
 * through the asynchronous HTTP client on the loop, so the DNS responder sharing the loop
 * never waits for a controller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <event2/event.h>

#include <drove/clock.h>
#include "core/loop_internal.h"
#include "gateway/dns.h"
#include "gateway/nginx.h"
#include "http/client.h"

#define MOD "gateway"

struct ping {
	drove_gateway *gw;
	size_t idx;
	int status;
};

struct drove_gateway {
	drove_ctx *ctx;
	drove_loop *loop;
	struct event_base *base;
	const drove_gateway_config *cfg;
	drove__http_client *http;
	drove_gateway_template *tpl;
	char *auth; /* "Authorization: ..." or NULL */
	size_t n_ep;
	struct ping *pings;
	size_t pings_pending;
	int leader; /* endpoint index, -1 when none */
	struct event *ping_ev, *poll_ev, *apply_ev;
	drove__http_req *poll_req, *fetch_req;
	int fetch_again, started;
	int64_t last_sync;
	drove_gateway_model *model;
	char *applied;  /* the text nginx last took */
	char *rejected; /* the text nginx last rejected (not retried) */
	int64_t last_apply_ms;
	int64_t n_reloads, n_rejected, n_fetches, n_polls;
	drove_gateway_applied_fn on_applied;
	void *on_applied_ud;
	drove__gw_dns *dns;
};

static void fetch(drove_gateway *gw);

static int send_get(drove_gateway *gw, const char *base_url, const char *path,
                    drove__http_done_fn done, void *ud, drove__http_req **h)
{
	const char *headers[3] = {"Accept: application/json", gw->auth, NULL};
	char *url = drove__asprintf("%s%s", base_url, path);
	drove__http_request req = {
	        .method = "GET",
	        .url = url,
	        .headers = headers,
	        .connect_timeout_ms = gw->cfg->timeout_ms,
	        .timeout_ms = gw->cfg->timeout_ms,
	        .max_body = DROVE_GATEWAY_ENDPOINTS_MAX,
	        .on_done = done,
	        .userdata = ud,
	};
	int rc;

	if (!url)
		return DROVE_ENOMEM;
	rc = drove__http_send(gw->http, &req, h);
	free(url);
	return rc;
}

static const char *leader_url(const drove_gateway *gw)
{
	return gw->leader >= 0 ? drove_gateway_config_endpoint(gw->cfg, (size_t)gw->leader) : NULL;
}

/* ---- applying ---- */

static void applied(drove_gateway *gw, int rc)
{
	if (gw->on_applied)
		gw->on_applied(gw, rc, gw->on_applied_ud);
}

static int apply_text(drove_gateway *gw, const char *text)
{
	const drove_gateway_config *c = gw->cfg;
	char *cand;
	int rc;

	if (!c->nginx_check)
		return drove__gw_write_file(c->nginx_config, text, strlen(text));
	if (!(cand = drove__asprintf("%s.new", c->nginx_config)))
		return DROVE_ENOMEM;
	if ((rc = drove__gw_write_file(cand, text, strlen(text))) == 0 &&
	    (rc = drove__gw_nginx_check(c, cand)) == 0 && rename(cand, c->nginx_config) < 0)
		rc = drove__error(DROVE_EIO, "%s: rename: %s", cand, strerror(errno));
	if (rc < 0)
		unlink(cand);
	free(cand);
	return rc;
}

static void apply_cb(evutil_socket_t fd, short what, void *arg)
{
	drove_gateway *gw = arg;
	char *text = NULL;
	int rc;

	if (!gw->model)
		return;
	if ((rc = drove_gateway_render(gw->tpl, gw->model, gw->cfg, leader_url(gw), &text)) < 0) {
		drove__err(gw->ctx, MOD, "render: %s", drove_error_last()->message);
		applied(gw, rc);
		return;
	}
	if ((gw->applied && !strcmp(text, gw->applied)) ||
	    (gw->rejected && !strcmp(text, gw->rejected))) {
		free(text);
		return; /* nothing new for nginx */
	}
	gw->last_apply_ms = drove_time_mono_ms();
	if ((rc = apply_text(gw, text)) == 0 && gw->cfg->nginx_reload)
		rc = drove__gw_nginx_reload(gw->cfg);
	if (rc == DROVE_EINVAL) {
		drove__err(gw->ctx, MOD, "keeping the last good configuration: %s",
		           drove_error_last()->message);
		gw->n_rejected++;
		free(gw->rejected);
		gw->rejected = text;
	} else if (rc < 0) {
		drove__err(gw->ctx, MOD, "apply: %s", drove_error_last()->message);
		free(text); /* tried again on the next change */
	} else {
		drove__info(gw->ctx, MOD, "nginx reloaded: %zu vhosts",
		            drove_gateway_model_vhost_count(gw->model));
		gw->n_reloads++;
		free(gw->applied);
		gw->applied = text;
	}
	applied(gw, rc);
}

static void schedule_apply(drove_gateway *gw)
{
	int64_t wait = gw->last_apply_ms + gw->cfg->reload_interval_ms - drove_time_mono_ms();
	struct timeval tv;

	if (evtimer_pending(gw->apply_ev, NULL))
		return; /* coalesced into the one already due */
	if (wait < 0 || !gw->last_apply_ms)
		wait = 0;
	tv.tv_sec = wait / 1000;
	tv.tv_usec = (wait % 1000) * 1000;
	evtimer_add(gw->apply_ev, &tv);
}

/* ---- endpoints ---- */

static void on_fetch(const drove__http_response *resp, void *ud)
{
	drove_gateway *gw = ud;
	drove_gateway_model *m = NULL;

	gw->fetch_req = NULL;
	if (resp->error || resp->status != 200) {
		drove__warn(gw->ctx, MOD, "endpoints: %s",
		            resp->error ? resp->errtext : "not answered with 200");
	} else if (drove_gateway_model_from_json(&m, gw->ctx, gw->cfg, resp->body, resp->body_len) <
	           0) {
		drove__err(gw->ctx, MOD, "endpoints: %s", drove_error_last()->message);
	} else {
		gw->n_fetches++;
		if (gw->dns && drove__gw_dns_set_model(gw->dns, m) < 0)
			drove__err(gw->ctx, MOD, "dns: %s", drove_error_last()->message);
		drove_gateway_model_free(gw->model);
		gw->model = m;
		schedule_apply(gw);
	}
	if (gw->fetch_again) {
		gw->fetch_again = 0;
		fetch(gw);
	}
}

static void fetch(drove_gateway *gw)
{
	if (gw->leader < 0)
		return;
	if (gw->fetch_req) {
		gw->fetch_again = 1;
		return;
	}
	if (send_get(gw, leader_url(gw), "/apis/v1/endpoints", on_fetch, gw, &gw->fetch_req) < 0)
		drove__err(gw->ctx, MOD, "endpoints: %s", drove_error_last()->message);
}

/* ---- leader tracking ---- */

static void ping_round(drove_gateway *gw);

static void on_ping(const drove__http_response *resp, void *ud)
{
	struct ping *p = ud;
	drove_gateway *gw = p->gw;
	int leader = -1;

	p->status = resp->error ? 0 : resp->status;
	if (--gw->pings_pending)
		return;
	for (size_t i = 0; i < gw->n_ep && leader < 0; i++)
		if (gw->pings[i].status == 200)
			leader = (int)i;
	if (leader == gw->leader)
		return;
	if (leader < 0) {
		drove__warn(gw->ctx, MOD,
		            "no controller answers ping as leader; nginx keeps its "
		            "configuration");
		gw->leader = -1;
		return;
	}
	drove__info(gw->ctx, MOD, "leader: %s",
	            drove_gateway_config_endpoint(gw->cfg, (size_t)leader));
	gw->leader = leader;
	gw->last_sync = 0; /* a new leader's event history starts empty */
	fetch(gw);
}

static void ping_round(drove_gateway *gw)
{
	if (gw->pings_pending)
		return;
	for (size_t i = 0; i < gw->n_ep; i++) {
		gw->pings[i].status = 0;
		if (send_get(gw, drove_gateway_config_endpoint(gw->cfg, i), "/apis/v1/ping",
		             on_ping, &gw->pings[i], NULL) == 0)
			gw->pings_pending++;
	}
}

static void ping_cb(evutil_socket_t fd, short what, void *arg)
{
	ping_round(arg);
}

/* ---- events summary ---- */

static void on_poll(const drove__http_response *resp, void *ud)
{
	drove_gateway *gw = ud;
	int changed = 0;

	gw->poll_req = NULL;
	if (resp->error || resp->status != 200) {
		drove__warn(gw->ctx, MOD, "events summary: %s; finding the leader again",
		            resp->error ? resp->errtext : "not answered with 200");
		ping_round(gw);
		return;
	}
	if (drove__gw_parse_summary(resp->body, resp->body_len, &gw->last_sync, &changed) < 0) {
		drove__err(gw->ctx, MOD, "%s", drove_error_last()->message);
		return;
	}
	gw->n_polls++;
	if (changed)
		fetch(gw);
}

static void poll_cb(evutil_socket_t fd, short what, void *arg)
{
	drove_gateway *gw = arg;
	char path[96];

	if (gw->leader < 0 || gw->poll_req)
		return;
	snprintf(path, sizeof(path), "/apis/v1/cluster/events/summary?lastSyncTime=%lld",
	         (long long)gw->last_sync);
	if (send_get(gw, leader_url(gw), path, on_poll, gw, &gw->poll_req) < 0)
		drove__err(gw->ctx, MOD, "events summary: %s", drove_error_last()->message);
}

/* ---- life cycle ---- */

static int read_template(drove_gateway *gw)
{
	const char *path = gw->cfg->nginx_template;
	char *buf = NULL;
	size_t n = 0;
	int rc;

	if (!path)
		return drove_gateway_template_new(&gw->tpl, gw->ctx,
		                                  drove_gateway_template_default(),
		                                  strlen(drove_gateway_template_default()));
	if ((rc = drove__gw_read_file(path, DROVE_GATEWAY_TEMPLATE_MAX, &buf, &n)) < 0)
		return rc;
	rc = drove_gateway_template_new(&gw->tpl, gw->ctx, buf, n);
	if (rc < 0 && rc != DROVE_ENOMEM)
		rc = drove__error(rc, "%s: %s", path, drove_error_last()->message);
	free(buf);
	return rc;
}

int drove_gateway_reload_template(drove_gateway *gw)
{
	drove_gateway_template *old;
	int rc;

	DROVE_CHECK_ARG(gw);
	old = gw->tpl;
	gw->tpl = NULL;
	if ((rc = read_template(gw)) < 0) {
		gw->tpl = old;
		return rc;
	}
	drove_gateway_template_free(old);
	free(gw->rejected);
	gw->rejected = NULL;
	if (gw->model)
		schedule_apply(gw);
	return 0;
}

static int make_auth(drove_gateway *gw)
{
	const drove_gateway_config *c = gw->cfg;
	char *up, *b64 = NULL;
	int rc;

	if (c->auth_header)
		return (gw->auth = drove__asprintf("Authorization: %s", c->auth_header))
		               ? 0
		               : DROVE_ENOMEM;
	if (!c->user)
		return 0;
	if (!(up = drove__asprintf("%s:%s", c->user, c->password)))
		return DROVE_ENOMEM;
	rc = drove__base64_encode(up, strlen(up), &b64);
	free(up);
	if (rc == 0 && !(gw->auth = drove__asprintf("Authorization: Basic %s", b64)))
		rc = DROVE_ENOMEM;
	free(b64);
	return rc;
}

int drove_gateway_new(drove_gateway **out, drove_loop *loop, const drove_gateway_config *cfg)
{
	drove_gateway *gw;
	int rc;

	DROVE_CHECK_ARG(out && loop && cfg);
	if (!(gw = calloc(1, sizeof(*gw))))
		return drove__enomem();
	gw->loop = loop;
	gw->ctx = drove_loop_ctx(loop);
	gw->base = drove__loop_base(loop);
	gw->cfg = cfg;
	gw->leader = -1;
	gw->n_ep = drove_gateway_config_endpoint_count(cfg);
	if (!(gw->pings = calloc(gw->n_ep ? gw->n_ep : 1, sizeof(*gw->pings))) ||
	    !(gw->ping_ev = event_new(gw->base, -1, EV_PERSIST, ping_cb, gw)) ||
	    !(gw->poll_ev = event_new(gw->base, -1, EV_PERSIST, poll_cb, gw)) ||
	    !(gw->apply_ev = evtimer_new(gw->base, apply_cb, gw))) {
		rc = drove__enomem();
		goto fail;
	}
	for (size_t i = 0; i < gw->n_ep; i++)
		gw->pings[i] = (struct ping){gw, i, 0};
	if ((rc = make_auth(gw)) < 0 || (rc = read_template(gw)) < 0 ||
	    (rc = drove__http_client_new(&gw->http, loop)) < 0)
		goto fail;
	if (cfg->dns && (rc = drove__gw_dns_new(&gw->dns, gw->ctx, gw->base, cfg)) < 0)
		goto fail;
	if (cfg->nginx_prefix && mkdir(cfg->nginx_prefix, 0755) < 0 && errno != EEXIST) {
		rc = drove__error(DROVE_EIO, "nginx.prefix: cannot create %s: %s",
		                  cfg->nginx_prefix, strerror(errno));
		goto fail;
	}
	*out = gw;
	return 0;
fail:
	drove_gateway_free(gw);
	return rc;
}

void drove_gateway_free(drove_gateway *gw)
{
	if (!gw)
		return;
	drove__http_client_free(gw->http);
	if (gw->ping_ev)
		event_free(gw->ping_ev);
	if (gw->poll_ev)
		event_free(gw->poll_ev);
	if (gw->apply_ev)
		event_free(gw->apply_ev);
	drove__gw_dns_free(gw->dns);
	drove_gateway_template_free(gw->tpl);
	drove_gateway_model_free(gw->model);
	free(gw->pings);
	free(gw->auth);
	free(gw->applied);
	free(gw->rejected);
	free(gw);
}

int drove_gateway_start(drove_gateway *gw)
{
	struct timeval tv;

	DROVE_CHECK_ARG(gw);
	if (gw->started)
		return drove__error(DROVE_EINVAL, "gateway: started already");
	gw->started = 1;
	tv.tv_sec = gw->cfg->ping_interval_ms / 1000;
	tv.tv_usec = (gw->cfg->ping_interval_ms % 1000) * 1000;
	event_add(gw->ping_ev, &tv);
	tv.tv_sec = gw->cfg->event_interval_ms / 1000;
	tv.tv_usec = (gw->cfg->event_interval_ms % 1000) * 1000;
	event_add(gw->poll_ev, &tv);
	ping_round(gw);
	return 0;
}

void drove_gateway_on_applied(drove_gateway *gw, drove_gateway_applied_fn fn, void *userdata)
{
	if (!gw)
		return;
	gw->on_applied = fn;
	gw->on_applied_ud = userdata;
}

const char *drove_gateway_leader(const drove_gateway *gw)
{
	return gw ? leader_url(gw) : NULL;
}

const drove_gateway_model *drove_gateway_model_current(const drove_gateway *gw)
{
	return gw ? gw->model : NULL;
}

int drove_gateway_stat(const drove_gateway *gw, const char *name, int64_t *out)
{
	DROVE_CHECK_ARG(gw && name && out);
	if (!strcmp(name, "reloads"))
		*out = gw->n_reloads;
	else if (!strcmp(name, "rejected"))
		*out = gw->n_rejected;
	else if (!strcmp(name, "fetches"))
		*out = gw->n_fetches;
	else if (!strcmp(name, "polls"))
		*out = gw->n_polls;
	else
		return drove__error(DROVE_ENOTFOUND, "gateway: no counter %s", name);
	return 0;
}

int drove_gateway_dns_port(const drove_gateway *gw)
{
	return gw && gw->dns ? drove__gw_dns_port(gw->dns) : 0;
}
