/* The public face of the Epoch engine (include/drove/epoch_server.h): builds the
 * authenticator from userAuth, the HTTP server with the REST routes (rest.c), the metrics and
 * the admin port (metrics.c) and starts the engine (engine.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drove/epoch_server.h>
#include "core/internal.h"
#include "epoch/engine.h"
#include "epoch/rest.h"
#include "http/client.h"
#include "http/server.h"

static int build_auth(drove_epoch *e)
{
	const drove_epoch_config *cfg = e->cfg;
	int64_t on = 0;
	int rc;

	if ((rc = drove_auth_new(&e->auth, e->ctx)) < 0)
		return rc;
	if (drove_epoch_config_get_int(cfg, "userAuth.enabled", &on) < 0)
		drove_error_clear();
	drove_auth_set_no_auth(e->auth, !on);
	for (size_t i = 0; on && i < drove_epoch_config_user_count(cfg); i++) {
		const char *pw = NULL;
		int rw = 0;
		const char *name = drove_epoch_config_user(cfg, i, &pw, &rw);
		if ((rc = drove_auth_add_user(e->auth, name, pw ? pw : "", DROVE_AUTH_PLAIN,
		                              rw ? DROVE_ROLE_EXTERNAL_READ_WRITE
		                                 : DROVE_ROLE_EXTERNAL_READ_ONLY)) < 0)
			return rc;
	}
	return 0;
}

int drove_epoch_new(drove_epoch **out, drove_loop *loop, const drove_epoch_config *config)
{
	drove_epoch *e;
	int rc;

	DROVE_CHECK_ARG(out && loop && config);
	if (drove_strlist_count(drove_epoch_config_drove_endpoints(config)) == 0)
		return drove__error(DROVE_EINVAL,
		                    "drove.endpoints: at least one endpoint is required");
	if (!(e = calloc(1, sizeof(*e))))
		return drove__enomem();
	e->ctx = drove_loop_ctx(loop);
	e->loop = loop;
	e->cfg = config;
	e->port = -1;
	if ((rc = build_auth(e)) < 0 || (rc = drove__epoch_metrics_new(e)) < 0 ||
	    (rc = drove__epoch_engine_init(e)) < 0) {
		drove_epoch_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int drove_epoch_start(drove_epoch *e)
{
	const char *bind;
	char host[256];
	int rc;

	DROVE_CHECK_ARG(e && !e->started);
	e->started = 1;
	bind = drove_epoch_config_bind_host(e->cfg);
	if ((rc = drove__http_server_new(&e->http, e->loop, e->auth)) < 0 ||
	    (rc = drove__http_client_new(&e->hc, e->loop)) < 0 ||
	    (rc = drove__http_server_set_max_body(e->http, DROVE_EPOCH_TOPOLOGY_MAX + 4096)) < 0 ||
	    (rc = drove__epoch_rest_routes(e)) < 0 ||
	    (drove_epoch_config_get_string(e->cfg, "server.applicationConnectors.keyStorePath") &&
	     (rc = drove__http_server_set_tls(
	              e->http,
	              drove_epoch_config_get_string(e->cfg,
	                                            "server.applicationConnectors.keyStorePath"),
	              drove_epoch_config_get_string(
	                      e->cfg, "server.applicationConnectors.keyStorePassword"),
	              drove_epoch_config_get_string(
	                      e->cfg, "server.applicationConnectors.keyStoreType"))) < 0) ||
	    (rc = drove__http_server_bind(e->http, bind ? bind : "127.0.0.1",
	                                  drove_epoch_config_port(e->cfg))) < 0)
		return rc;
	e->port = drove__http_server_port(e->http);
	/* what followers connect to when they forward a write */
	if (!bind || !strcmp(bind, "0.0.0.0") || !strcmp(bind, "::")) {
		if (bind && gethostname(host, sizeof(host)) == 0)
			host[sizeof(host) - 1] = '\0';
		else
			snprintf(host, sizeof(host), "127.0.0.1");
	} else {
		snprintf(host, sizeof(host), "%s", bind);
	}
	if (!(e->leader_hp = drove__asprintf("%s:%d", host, e->port)))
		return DROVE_ENOMEM;
	if ((rc = drove__epoch_engine_start(e)) < 0 || (rc = drove__epoch_admin_start(e)) < 0)
		return rc;
	drove__info(e->ctx, "epoch", "listening on port %d", e->port);
	return 0;
}

int drove_epoch_port(const drove_epoch *e)
{
	return e ? e->port : -1;
}

int drove_epoch_is_leader(const drove_epoch *e)
{
	return drove__epoch_published_leader(e);
}

int64_t drove_epoch_runs_fired(const drove_epoch *e)
{
	return e ? e->fired : 0;
}

void drove_epoch_stop(drove_epoch *e)
{
	if (!e)
		return;
	e->stopping = 1;
	drove__epoch_admin_stop(e);
	/* forwards first (their callbacks never run), then the engine (pending kills are
	 * answered while the server still holds their requests), then the server */
	drove__http_client_free(e->hc);
	e->hc = NULL;
	drove__epoch_engine_stop(e);
	if (e->http) {
		drove__http_server_stop(e->http);
		drove__http_server_free(e->http);
		e->http = NULL;
	}
}

void drove_epoch_free(drove_epoch *e)
{
	if (!e)
		return;
	drove_epoch_stop(e);
	drove__epoch_metrics_free(e);
	drove_epoch_timetable_free(e->tt);
	free(e->topos);
	drove_auth_free(e->auth);
	free(e->app_name);
	free(e->leader_hp);
	free(e->seen_leader);
	free(e);
}
