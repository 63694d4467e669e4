/* A standby controller watches the leader (zk): it pings the leader's /apis/v1/ping once per
 * executorProbeInterval and, after executorProbeFailures failures in a row, deposes that
 * leader's term in the store, so the next contender takes over in seconds instead of after
 * the dead leader's session timeout (docs/operations.md, "Leader failover"). Called by the
 * engine's probe tick; calls only the store and the HTTP client. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "ctrl/state.h"
#include "http/client.h"
#include "store/store_internal.h"

#define MOD "ctrl"

static void forget_leader(struct drove__ctrl_standby *sb)
{
	free(sb->leader_hp);
	free(sb->url);
	sb->leader_hp = sb->url = NULL;
	sb->term = 0;
	sb->fails = 0;
}

void drove__ctrl_standby_clear(drove_controller *c)
{
	struct drove__ctrl_standby *sb = &c->standby;
	if (sb->req)
		drove__http_cancel(sb->req);
	sb->req = NULL;
	sb->busy = false;
	forget_leader(sb);
}

static void on_deposed(int rc, void *ud);

static void on_found(int rc, const char *data, size_t len, int64_t term, void *ud)
{
	drove_controller *c = ud;
	struct drove__ctrl_standby *sb = &c->standby;
	sb->busy = false;
	if (rc < 0 || !c->leader_hp)
		return; /* no leader */
	if (len == strlen(c->leader_hp) && !memcmp(data, c->leader_hp, len)) {
		int64_t mine = drove__election_node_term(c->election);
		if (mine == 0 || term == mine)
			return; /* it is us (or our node is not known yet: look again later) */
		/* the node of an earlier run of this controller (same host:port, killed before its
		 * session ended): that process is gone — we are the one on this port, and a ping
		 * would reach us — so it is deposed at once rather than after its session timeout
		 */
		forget_leader(sb);
		if (!(sb->leader_hp = drove__strndup(data, len)))
			return;
		sb->term = term;
		sb->busy = true;
		if (drove_store_depose_leader(c->store, term, on_deposed, c) < 0) {
			sb->busy = false;
			drove_error_clear();
			forget_leader(sb);
		}
		return;
	}
	if (sb->term != term || !sb->leader_hp) {
		forget_leader(sb);
		if (!(sb->leader_hp = drove__strndup(data, len)) ||
		    !(sb->url = drove__asprintf("%s://%s/apis/v1/ping",
		                                c->cfg->server.tls.enabled ? "https" : "http",
		                                sb->leader_hp))) {
			forget_leader(sb);
			return;
		}
		sb->term = term;
	}
}

static void on_deposed(int rc, void *ud)
{
	drove_controller *c = ud;
	struct drove__ctrl_standby *sb = &c->standby;
	sb->busy = false;
	if (rc == 0 && sb->fails == 0)
		drove__warn(c->ctx, MOD,
		            "leader node of an earlier run of this controller (%s, term %lld): "
		            "deposed",
		            sb->leader_hp ? sb->leader_hp : "?", (long long)sb->term);
	else if (rc == 0)
		drove__warn(c->ctx, MOD, "leader %s (term %lld) did not answer %d pings: deposed",
		            sb->leader_hp ? sb->leader_hp : "?", (long long)sb->term, sb->fails);
	else
		drove_error_clear();
	forget_leader(sb); /* look again: the next leader may be us */
}

static void on_ping(const drove__http_response *resp, void *ud)
{
	drove_controller *c = ud;
	struct drove__ctrl_standby *sb = &c->standby;
	sb->req = NULL;
	sb->busy = false;
	if (!resp->error && resp->status > 0) {
		sb->fails = 0;
		return;
	}
	if (++sb->fails < c->probe_failures || !c->store || c->leader)
		return;
	sb->busy = true;
	if (drove_store_depose_leader(c->store, sb->term, on_deposed, c) < 0) {
		sb->busy = false;
		drove_error_clear();
		forget_leader(sb);
	}
}

void drove__ctrl_standby_tick(drove_controller *c)
{
	struct drove__ctrl_standby *sb = &c->standby;
	drove__http_request req = {0};

	if (c->leader || sb->busy || !c->store || !c->client || c->probe_ms <= 0 ||
	    drove_store_backend(c->store) != DROVE_STORE_ZK)
		return;
	if (!sb->leader_hp) {
		sb->busy = true;
		if (drove_store_leader_async(c->store, on_found, c) < 0) {
			sb->busy = false;
			drove_error_clear();
		}
		return;
	}
	req.url = sb->url;
	req.connect_timeout_ms = c->probe_ms;
	req.timeout_ms = c->probe_ms;
	req.max_body = 4096;
	req.on_done = on_ping;
	req.userdata = c;
	sb->busy = true;
	if (drove__http_send(c->client, &req, &sb->req) < 0) {
		sb->busy = false;
		drove_error_clear();
	}
}
