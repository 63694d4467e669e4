/* The executor's store in ZooKeeper mode and its session. An expired session cannot be used
 * again: the executor would no longer publish its node or find the leader. Below the engine:
 * it closes the store and opens a new session (retried every second while ZooKeeper is
 * unreachable), then tells the engine through hooks->store_renewed. */
#include <event2/event.h>

#include "core/loop_internal.h"
#include "exec/engine.h"
#include "store/store_internal.h"

#define MOD             "exec"
#define REOPEN_RETRY_MS 1000

static void on_store_session(drove_store *s, int event, void *ud);

static void reopen_in(struct drove_executor *ex, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(ex->t_reopen, &tv);
}

static int store_open(struct drove_executor *ex)
{
	drove_store_opts *so = NULL;
	int rc;
	if ((rc = drove__store_opts_from_config(ex->cfg, &so)) < 0)
		return rc;
	drove_store_opts_set_session_cb(so, on_store_session, ex);
	rc = drove_store_open(&ex->store, ex->loop, so);
	drove_store_opts_free(so);
	if (rc < 0)
		ex->store = NULL;
	else
		ex->store_gen++;
	return rc;
}

static void on_store_reopen(evutil_socket_t fd, short what, void *arg)
{
	struct drove_executor *ex = arg;
	(void)fd;
	(void)what;
	if (ex->stopped)
		return;
	drove_store_close(ex->store);
	ex->store = NULL;
	if (store_open(ex) < 0) {
		drove__warn(ex->ctx, MOD, "store: no new session yet (%s): retrying",
		            drove_error_last()->message);
		reopen_in(ex, REOPEN_RETRY_MS);
		return;
	}
	drove__info(ex->ctx, MOD, "store: new session");
	ex->hooks->store_renewed(ex);
}

static void on_store_session(drove_store *s, int event, void *ud)
{
	struct drove_executor *ex = ud;
	(void)s;
	if (event != DROVE_STORE_EXPIRED || ex->stopped)
		return;
	drove__warn(ex->ctx, MOD, "store: session expired: starting a new session");
	reopen_in(ex, 0);
}

int drove__exec_store_open(struct drove_executor *ex)
{
	if (!ex->t_reopen &&
	    !(ex->t_reopen = evtimer_new(drove__loop_base(ex->loop), on_store_reopen, ex)))
		return drove__enomem();
	return store_open(ex);
}
