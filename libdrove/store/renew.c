/* A store whose ZooKeeper session is renewed after it expires (store_internal.h). An expired
 * session cannot be used again: every call fails and elections are over. Curator (Drove)
 * starts a new session; so does this, for the controller and the executor: off the store's
 * callback, the owner drops what uses the store, the store is closed and a new one opened
 * (retried every second while ZooKeeper is unreachable), and the owner takes it up again. */
#include <stdbool.h>
#include <stdlib.h>

#include <drove/clock.h>
#include <event2/event.h>

#include "core/internal.h"
#include "core/loop_internal.h"
#include "store/store_internal.h"

#define RENEW_RETRY_MS 1000
#define RENEW_BUSY_MS  100
#define RENEW_SAY_MS   5000

struct drove__store_renew {
	drove_store **slot;
	drove_loop *loop;
	drove_store_opts *opts;
	const struct drove__store_renew_ops *ops;
	void *ud;
	struct event *timer;
	bool dropping;   /* ops->closing called, the store not closed yet (ops->busy said wait) */
	bool closed;     /* the old store is closed; opening a new one */
	bool suspended;  /* the connection is lost (logged once) */
	int64_t drop_ms; /* when ops->closing was called (monotonic) */
	int64_t said_ms; /* when the wait for ops->busy was last logged */
};

static void renew_in(drove__store_renew *r, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(r->timer, &tv);
}

static void on_renew(evutil_socket_t fd, short what, void *arg)
{
	drove__store_renew *r = arg;
	(void)fd;
	(void)what;
	if (!r->closed) {
		if (!r->dropping) {
			r->ops->closing(r->ud);
			r->dropping = true;
			r->drop_ms = r->said_ms = drove_time_mono_ms();
		}
		if (r->ops->busy && r->ops->busy(r->ud)) {
			int64_t now = drove_time_mono_ms();
			if (now - r->said_ms >= RENEW_SAY_MS && *r->slot) { /* why no new session */
				r->said_ms = now;
				drove__warn((*r->slot)->ctx, "store",
				            "new session waits for work in flight on the old one "
				            "(%lld s)",
				            (long long)((now - r->drop_ms) / 1000));
			}
			renew_in(r, RENEW_BUSY_MS); /* other threads still use the store */
			return;
		}
		r->dropping = false;
		drove_store_close(*r->slot);
		*r->slot = NULL;
		r->closed = true;
	}
	if (drove_store_open(r->slot, r->loop, r->opts) < 0) {
		*r->slot = NULL;
		r->ops->failed(r->ud, drove_error_last()->message);
		drove_error_clear();
		renew_in(r, RENEW_RETRY_MS);
		return;
	}
	r->closed = false;
	if (r->ops->opened(r->ud) < 0)
		renew_in(r, RENEW_RETRY_MS); /* the owner could not take it up: start over */
}

static void on_session(drove_store *s, int event, void *ud)
{
	drove__store_renew *r = ud;
	/* logged for operators: a leader steps down while its connection is lost */
	if (event == DROVE_STORE_SUSPENDED) {
		r->suspended = true;
		drove__warn(s->ctx, "store",
		            "connection to ZooKeeper lost: waiting for it (the "
		            "session lives on for its timeout)");
	} else if (event == DROVE_STORE_CONNECTED && r->suspended) {
		r->suspended = false;
		drove__info(s->ctx, "store", "reconnected to ZooKeeper in the same session");
	}
	if (event == DROVE_STORE_EXPIRED) {
		r->suspended = false;
		renew_in(r, 0);
	}
}

int drove__store_open_renewing(drove_store **slot, drove_loop *loop, drove_store_opts *opts,
                               const struct drove__store_renew_ops *ops, void *ud,
                               drove__store_renew **out)
{
	drove__store_renew *r;
	int rc;

	*out = NULL;
	if (!(r = calloc(1, sizeof(*r)))) {
		drove_store_opts_free(opts);
		return drove__enomem();
	}
	r->slot = slot;
	r->loop = loop;
	r->opts = opts;
	r->ops = ops;
	r->ud = ud;
	if (!(r->timer = evtimer_new(drove__loop_base(loop), on_renew, r))) {
		drove__store_renew_free(r);
		return drove__enomem();
	}
	drove_store_opts_set_session_cb(opts, on_session, r);
	if ((rc = drove_store_open(slot, loop, opts)) < 0) {
		*slot = NULL;
		if (rc != DROVE_EUNAVAIL || opts->backend != DROVE_STORE_ZK) {
			drove__store_renew_free(r);
			return rc;
		}
		/* ZooKeeper is not up (yet): wait for it as after an expiry, as Curator does,
		 * rather than exit (a daemon restarted during a ZooKeeper restart would be gone) */
		ops->failed(ud, drove_error_last()->message);
		drove_error_clear();
		r->closed = true;
		renew_in(r, RENEW_RETRY_MS);
	}
	*out = r;
	return 0;
}

void drove__store_renew_free(drove__store_renew *r)
{
	if (!r)
		return;
	if (r->timer)
		event_free(r->timer);
	drove_store_opts_free(r->opts);
	free(r);
}
