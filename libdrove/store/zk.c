/* The ZooKeeper backend: libzookeeper_mt's asynchronous API. Completions and watches arrive
 * on the client's completion thread; they fill the request and hand it to the store's queue
 * (store.c), which runs the user's callback on the loop thread. Paths are prefixed with the
 * namespace here (no chroot in the connection string, so the namespace can be created). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifndef THREADED
#define THREADED 1 /* libzookeeper_mt: enables the synchronous calls */
#endif
#include <zookeeper/zookeeper.h>

#include "store/store_internal.h"

struct zkb {
	zhandle_t *zh;
	pthread_mutex_t m;
	pthread_cond_t c;
	int state; /* last session state seen (for open) */
	int was_connected;
	int inflight; /* requests submitted whose completion has not run yet */
};

/* Per-request scratch: the full path, and for a multi the ZooKeeper ops and results. */
struct zkreq {
	char *full;
	char **fulls;
	zoo_op_t *zops;
	zoo_op_result_t *zres;
	char **bufs;    /* created-path buffers for multi creates */
	int parent_idx; /* create with parents: which ancestor is being created */
	char created[DROVE__STORE_PATH_MAX + 64];
	/* fenced writes (drove__store_fence): the fence's full path; a single write goes as a
	 * multi of a check and the write (a batch gets the check as its first op) */
	char *fence;
	zoo_op_t fops[2];
	zoo_op_result_t fres[2];
	struct Stat fstat;
};

static zhandle_t *b_zh(drove_store *s)
{
	return ((struct zkb *)s->bk)->zh;
}

/* In-flight accounting. libzookeeper_mt's zookeeper_close() queues the completions of
 * requests still outstanding for its completion thread but may join that thread before they
 * run, leaking them and the requests they carry; zk_shutdown() therefore lets what is in
 * flight complete first. */
static void inflight_add(drove_store *s, int d)
{
	struct zkb *b = s->bk;
	pthread_mutex_lock(&b->m);
	b->inflight += d;
	if (b->inflight == 0)
		pthread_cond_broadcast(&b->c);
	pthread_mutex_unlock(&b->m);
}

static void zkreq_free(struct drove__store_req *r)
{
	struct zkreq *z = r->bk;
	size_t i;

	if (!z)
		return;
	free(z->full);
	free(z->fence);
	if (z->fulls)
		for (i = 0; i < r->nops; i++)
			free(z->fulls[i]);
	if (z->bufs)
		for (i = 0; i < r->nops; i++)
			free(z->bufs[i]);
	free(z->fulls);
	free(z->bufs);
	free(z->zops);
	free(z->zres);
	free(z);
	r->bk = NULL;
}

static int map_rc(int zrc)
{
	if (zrc == ZNONODE)
		return DROVE_ENOTFOUND;
	if (zrc == ZNODEEXISTS)
		return DROVE_EEXISTS;
	if (zrc == ZBADVERSION || zrc == ZNOTEMPTY)
		return DROVE_ECONFLICT;
	if (zrc == ZNOCHILDRENFOREPHEMERALS || zrc == ZBADARGUMENTS)
		return DROVE_EINVAL;
	if (zrc == ZCONNECTIONLOSS || zrc == ZOPERATIONTIMEOUT || zrc == ZSESSIONEXPIRED ||
	    zrc == ZCLOSING || zrc == ZINVALIDSTATE || zrc == ZSESSIONMOVED)
		return DROVE_EUNAVAIL;
	if (zrc == ZNOAUTH || zrc == ZAUTHFAILED)
		return DROVE_EAUTH;
	return DROVE_ERROR;
}

static const char *why(int zrc)
{
	if (zrc == ZNONODE)
		return "no such node";
	if (zrc == ZNODEEXISTS)
		return "node exists";
	if (zrc == ZBADVERSION)
		return "version mismatch";
	if (zrc == ZNOTEMPTY)
		return "node has children";
	if (zrc == ZNOCHILDRENFOREPHEMERALS)
		return "ephemeral nodes cannot have children";
	return zerror(zrc);
}

static void fail_z(struct drove__store_req *r, const char *path, int zrc)
{
	drove__store_req_fail(r, map_rc(zrc), "zookeeper: %s: %s", path ? path : "multi", why(zrc));
}

static char *full_path(drove_store *s, const char *path)
{
	if (strcmp(path, "/") == 0)
		return drove__strdup(s->ns);
	return drove__asprintf("%s%s", s->ns, path);
}

/* Strip the namespace; NULL if the path is outside it. Borrowed from `full`. */
static const char *rel_path(drove_store *s, const char *full)
{
	size_t n = strlen(s->ns);
	if (strncmp(full, s->ns, n) != 0)
		return NULL;
	if (full[n] == '\0')
		return "/";
	return full[n] == '/' ? full + n : NULL;
}

static void conv_stat(const struct Stat *st, drove_store_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	if (!st)
		return;
	out->version = st->version;
	out->cversion = st->cversion;
	out->num_children = st->numChildren;
	out->ephemeral = st->ephemeralOwner != 0;
	out->czxid = st->czxid;
	out->ctime_ms = st->ctime;
	out->mtime_ms = st->mtime;
}

/* Called on the completion thread once the reply is in. */
static void finish(struct drove__store_req *r, int zrc)
{
	if (r->watch) {
		/* Registered on success (exists: also on ZNONODE); otherwise it never fires. */
		bool registered = zrc == ZOK || (r->type == DROVE__OP_EXISTS && zrc == ZNONODE);
		if (!registered)
			drove__store_watch_drop(r->watch);
		r->watch = NULL; /* the store's watch list owns it now */
	}
	zkreq_free(r);
	inflight_add(r->store, -1);
	r->complete(r);
}

/* ---- watches ---- */

static void path_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	struct drove__store_wrec *w = ctx;
	int ev;

	(void)zh;
	(void)state;
	(void)path;
	if (type == ZOO_SESSION_EVENT)
		return; /* the session watcher handles these; path watches stay armed */
	if (type == ZOO_CREATED_EVENT)
		ev = DROVE_STORE_EV_CREATED;
	else if (type == ZOO_DELETED_EVENT)
		ev = DROVE_STORE_EV_DELETED;
	else if (type == ZOO_CHANGED_EVENT)
		ev = DROVE_STORE_EV_CHANGED;
	else if (type == ZOO_CHILD_EVENT)
		ev = DROVE_STORE_EV_CHILDREN;
	else
		return;
	drove__store_watch_fire(w, ev, false);
}

static void session_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	drove_store *s = ctx;
	struct zkb *b = s->bk;
	int ev = 0;

	(void)zh;
	(void)path;
	if (type != ZOO_SESSION_EVENT || !b)
		return;
	pthread_mutex_lock(&b->m);
	b->state = state;
	if (state == ZOO_CONNECTED_STATE) {
		ev = DROVE_STORE_CONNECTED;
		b->was_connected = 1;
	} else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
		ev = DROVE_STORE_EXPIRED;
	} else if (b->was_connected && drove_store_is_connected(s)) {
		ev = DROVE_STORE_SUSPENDED;
	}
	pthread_cond_broadcast(&b->c);
	pthread_mutex_unlock(&b->m);
	if (ev)
		drove__store_session_event(s, ev);
}

/* ---- completions ---- */

static void data_done(int zrc, const char *value, int value_len, const struct Stat *st,
                      const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;

	if (zrc == ZOK) {
		size_t n = value && value_len > 0 ? (size_t)value_len : 0;
		conv_stat(st, &r->stat);
		if ((r->rdata = malloc(n + 1))) {
			if (n)
				memcpy(r->rdata, value, n);
			r->rdata[n] = '\0';
			r->rlen = n;
			r->rc = 0;
		} else {
			drove__store_req_fail(r, DROVE_ENOMEM, "out of memory");
		}
	} else {
		fail_z(r, r->path, zrc);
	}
	finish(r, zrc);
}

static void stat_done(int zrc, const struct Stat *st, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	if (zrc == ZOK)
		conv_stat(st, &r->stat);
	else
		fail_z(r, r->path, zrc);
	finish(r, zrc);
}

static void void_done(int zrc, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	if (zrc != ZOK)
		fail_z(r, r->path, zrc);
	finish(r, zrc);
}

static void children_done(int zrc, const struct String_vector *sv, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	int i;

	if (zrc != ZOK) {
		fail_z(r, r->path, zrc);
	} else if (drove_strlist_new(&r->children) < 0) {
		drove__store_req_fail(r, DROVE_ENOMEM, "out of memory");
	} else {
		int n = sv ? sv->count : 0;
		char **names = n ? malloc(sizeof(char *) * (size_t)n) : NULL;
		if (n && !names) {
			drove__store_req_fail(r, DROVE_ENOMEM, "out of memory");
		} else {
			for (i = 0; i < n; i++)
				names[i] = sv->data[i];
			drove__store_sort_names(names, (size_t)n);
			for (i = 0; i < n; i++)
				if (drove_strlist_add(r->children, names[i]) < 0) {
					drove__store_req_fail(r, DROVE_ENOMEM, "out of memory");
					break;
				}
			free(names);
		}
	}
	finish(r, zrc);
}

static int zmode(int mode)
{
	switch (mode & ~DROVE_STORE_PARENTS) {
	case DROVE_STORE_EPHEMERAL:
		return ZOO_EPHEMERAL;
	case DROVE_STORE_SEQUENTIAL:
		return ZOO_PERSISTENT_SEQUENTIAL;
	case DROVE_STORE_EPHEMERAL_SEQUENTIAL:
		return ZOO_EPHEMERAL_SEQUENTIAL;
	default:
		return ZOO_PERSISTENT;
	}
}

static int do_create(struct drove__store_req *r);
static int create_next_parent(struct drove__store_req *r);

static void create_done(int zrc, const char *name, const struct Stat *st, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	int rc;

	if (zrc == ZNONODE && (r->mode & DROVE_STORE_PARENTS) && r->bk &&
	    ((struct zkreq *)r->bk)->parent_idx == 0) {
		/* Create the ancestors, outermost first, then the node again. */
		((struct zkreq *)r->bk)->parent_idx = 1;
		if ((rc = create_next_parent(r)) == ZOK)
			return;
		zrc = rc;
	}
	if (zrc == ZOK) {
		const char *rel = name ? rel_path(r->store, name) : NULL;
		conv_stat(st, &r->stat);
		if (!(r->rpath = strdup(rel ? rel : r->path)))
			drove__store_req_fail(r, DROVE_ENOMEM, "out of memory");
	} else {
		fail_z(r, r->path, zrc);
	}
	finish(r, zrc);
}

static void parent_done(int zrc, const char *name, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	int rc;

	(void)name;
	if (zrc != ZOK && zrc != ZNODEEXISTS) {
		fail_z(r, r->path, zrc);
		finish(r, zrc);
		return;
	}
	if ((rc = create_next_parent(r)) != ZOK) {
		fail_z(r, r->path, rc);
		finish(r, rc);
	}
}

/* Start creating the ancestor number parent_idx (1 = the top-level one), or the node itself
 * when every ancestor is done. Returns a ZooKeeper code when nothing could be started. */
static int create_next_parent(struct drove__store_req *r)
{
	struct zkreq *z = r->bk;
	size_t nslash = strlen(r->store->ns);
	const char *p = z->full + nslash;
	int idx = 0;
	size_t i;
	char buf[DROVE__STORE_PATH_MAX + 512];

	for (i = 1; p[i]; i++)
		if (p[i] == '/' && ++idx == z->parent_idx) {
			size_t n = nslash + i;
			if (n >= sizeof(buf))
				return ZBADARGUMENTS;
			memcpy(buf, z->full, n);
			buf[n] = '\0';
			z->parent_idx++;
			return zoo_acreate(b_zh(r->store), buf, NULL, -1, &ZOO_OPEN_ACL_UNSAFE,
			                   ZOO_PERSISTENT, parent_done, r);
		}
	z->parent_idx = -1; /* no more retries */
	return do_create(r);
}

static int submit_fenced(struct drove__store_req *r);

static int do_create(struct drove__store_req *r)
{
	struct zkreq *z = r->bk;
	if (z->fence)
		return submit_fenced(r);
	return zoo_acreate2(b_zh(r->store), z->full, r->data, (int)r->len, &ZOO_OPEN_ACL_UNSAFE,
	                    zmode(r->mode), create_done, r);
}

/* A fenced write failed its check: the fence node is gone (this node no longer leads). */
static bool fence_failed(struct drove__store_req *r, int check_err)
{
	struct zkreq *z = r->bk;
	const char *fence;
	if (check_err == ZOK || check_err == ZRUNTIMEINCONSISTENCY)
		return false;
	fence = rel_path(r->store, z->fence);
	drove__store_req_fail(r, check_err == ZNONODE ? DROVE_ESTALE : map_rc(check_err),
	                      "store: %s not written: %s %s (fenced: this node no longer leads)",
	                      r->path ? r->path : "batch", fence ? fence : z->fence,
	                      why(check_err));
	return true;
}

static void fenced_done(int zrc, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	struct zkreq *z = r->bk;
	int err = zrc;

	if (zrc != ZOK && fence_failed(r, z->fres[0].err)) {
		finish(r, zrc);
		return;
	}
	if (zrc != ZOK && z->fres[1].err != ZOK && z->fres[1].err != ZRUNTIMEINCONSISTENCY)
		err = z->fres[1].err; /* the write's own error, as without a fence */
	switch (r->type) {
	case DROVE__OP_SET:
		stat_done(err, &z->fstat, r);
		break;
	case DROVE__OP_DELETE:
		void_done(err, r);
		break;
	default: /* CREATE: a multi reports no stat */
		create_done(err, z->created, NULL, r);
		break;
	}
}

/* zoo_amulti(), unless the handle's session is gone (expired, or authentication failed):
 * ZINVALIDSTATE then, as the library itself answers, but without calling it. libzookeeper-mt
 * 3.8's zoo_amulti() on such a handle fails the first op and then, for every op after it,
 * frees the path of that first op (ours) through a request it did not initialise: a double
 * free from three ops on, and ours again in zkreq_free() from two. The handle knows its
 * session is gone before the store does (the session event comes later, through the
 * completion thread), so the store's own check (usable()) does not cover it. */
static int amulti(zhandle_t *zh, int n, const zoo_op_t *ops, zoo_op_result_t *res,
                  void_completion_t done, const void *data)
{
	if (zoo_state(zh) < 0) /* what the library's is_unrecoverable() tests */
		return ZINVALIDSTATE;
	return zoo_amulti(zh, n, ops, res, done, data);
}

/* One write as a multi of [check that the fence exists, the write]. */
static int submit_fenced(struct drove__store_req *r)
{
	struct zkreq *z = r->bk;
	zoo_check_op_init(&z->fops[0], z->fence, -1);
	switch (r->type) {
	case DROVE__OP_SET:
		zoo_set_op_init(&z->fops[1], z->full, r->data, (int)r->len, r->version, &z->fstat);
		break;
	case DROVE__OP_DELETE:
		zoo_delete_op_init(&z->fops[1], z->full, r->version);
		break;
	default:
		zoo_create_op_init(&z->fops[1], z->full, r->data, (int)r->len, &ZOO_OPEN_ACL_UNSAFE,
		                   zmode(r->mode), z->created, (int)sizeof(z->created));
		break;
	}
	return amulti(b_zh(r->store), 2, z->fops, z->fres, fenced_done, r);
}

static void multi_done(int zrc, const void *data)
{
	struct drove__store_req *r = (struct drove__store_req *)data;
	struct zkreq *z = r->bk;
	size_t i, k = z->fence ? 1 : 0; /* the fence's check is op 0 */

	if (zrc != ZOK && k && fence_failed(r, z->zres[0].err)) {
		finish(r, zrc);
		return;
	}
	if (zrc != ZOK) {
		for (i = 0; i < r->nops; i++) {
			int e = z->zres[i + k].err;
			if (e != ZOK && e != ZRUNTIMEINCONSISTENCY) {
				drove__store_req_fail(r, map_rc(e), "store: multi op %zu (%s): %s",
				                      i, r->ops[i].path, why(e));
				break;
			}
		}
		if (i == r->nops)
			fail_z(r, NULL, zrc);
	}
	finish(r, zrc);
}

/* @return a ZooKeeper code; ZSYSTEMERROR (which zoo_amulti() never returns) when out of memory,
 * the error set. */
static int submit_multi(drove_store *s, struct drove__store_req *r, struct zkreq *z)
{
	size_t i, n = r->nops, k = z->fence ? 1 : 0;
	zoo_op_t *zop;

	if (n == 0) {
		r->rc = 0;
		zkreq_free(r);
		inflight_add(s, -1);
		r->complete(r);
		return 0;
	}
	if (!(z->fulls = calloc(n, sizeof(char *))) || !(z->bufs = calloc(n, sizeof(char *))) ||
	    !(z->zops = calloc(n + k, sizeof(zoo_op_t))) ||
	    !(z->zres = calloc(n + k, sizeof(zoo_op_result_t))))
		return (void)drove__enomem(), ZSYSTEMERROR;
	if (k)
		zoo_check_op_init(&z->zops[0], z->fence, -1);
	for (i = 0; i < n; i++) {
		struct drove__store_op *op = &r->ops[i];
		if (!(z->fulls[i] = full_path(s, op->path)))
			return ZSYSTEMERROR; /* (the error is set) */
		zop = &z->zops[i + k];
		switch (op->type) {
		case DROVE__OP_CREATE:
			if (!(z->bufs[i] = malloc(DROVE__STORE_PATH_MAX + 512)))
				return (void)drove__enomem(), ZSYSTEMERROR;
			zoo_create_op_init(zop, z->fulls[i], op->data, (int)op->len,
			                   &ZOO_OPEN_ACL_UNSAFE, zmode(op->mode), z->bufs[i],
			                   DROVE__STORE_PATH_MAX + 512);
			break;
		case DROVE__OP_SET:
			zoo_set_op_init(zop, z->fulls[i], op->data, (int)op->len, op->version,
			                NULL);
			break;
		case DROVE__OP_DELETE:
			zoo_delete_op_init(zop, z->fulls[i], op->version);
			break;
		default:
			zoo_check_op_init(zop, z->fulls[i], op->version);
			break;
		}
	}
	return amulti(b_zh(s), (int)(n + k), z->zops, z->zres, multi_done, r);
}

static bool is_write(const struct drove__store_req *r)
{
	return r->type == DROVE__OP_SET || r->type == DROVE__OP_DELETE ||
	       r->type == DROVE__OP_CREATE || r->type == DROVE__OP_MULTI;
}

/* The fence in force when the write is submitted (drove__store_fence), if any: the
 * election's own nodes are never fenced (a leader must be able to resign and contend). */
static int take_fence(drove_store *s, struct drove__store_req *r, struct zkreq *z)
{
	static const char edir[] = "/leaderselection/";
	int rc = 0;
	if (r->path && !strncmp(r->path, edir, sizeof(edir) - 1))
		return 0;
	pthread_mutex_lock(&s->lock);
	if (s->fence && !(z->fence = full_path(s, s->fence)))
		rc = DROVE_ENOMEM;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int zk_submit(drove_store *s, struct drove__store_req *r)
{
	struct zkreq *z;
	zhandle_t *zh = b_zh(s);
	int zrc;

	if (!(z = calloc(1, sizeof(*z))))
		return drove__enomem();
	r->bk = z;
	if (is_write(r) && (zrc = take_fence(s, r, z)) < 0) {
		zkreq_free(r);
		return zrc;
	}
	inflight_add(s, 1); /* before the call: its completion may run before it returns */
	if (r->type == DROVE__OP_MULTI) {
		zrc = submit_multi(s, r, z);
		if (zrc == ZSYSTEMERROR) {
			zkreq_free(r);
			inflight_add(s, -1);
			return DROVE_ENOMEM;
		}
		/* otherwise as the others below (a ZooKeeper code was returned as ours before) */
	} else {
		if (!(z->full = full_path(s, r->path))) {
			zkreq_free(r);
			inflight_add(s, -1);
			return DROVE_ENOMEM;
		}
		switch (r->type) {
		case DROVE__OP_GET:
			zrc = r->watch
			              ? zoo_awget(zh, z->full, path_watcher, r->watch, data_done, r)
			              : zoo_aget(zh, z->full, 0, data_done, r);
			break;
		case DROVE__OP_EXISTS:
			zrc = r->watch ? zoo_awexists(zh, z->full, path_watcher, r->watch,
			                              stat_done, r)
			               : zoo_aexists(zh, z->full, 0, stat_done, r);
			break;
		case DROVE__OP_CHILDREN:
			zrc = r->watch ? zoo_awget_children(zh, z->full, path_watcher, r->watch,
			                                    children_done, r)
			               : zoo_aget_children(zh, z->full, 0, children_done, r);
			break;
		case DROVE__OP_SET:
			zrc = z->fence ? submit_fenced(r)
			               : zoo_aset(zh, z->full, r->data, (int)r->len, r->version,
			                          stat_done, r);
			break;
		case DROVE__OP_DELETE:
			zrc = z->fence ? submit_fenced(r)
			               : zoo_adelete(zh, z->full, r->version, void_done, r);
			break;
		case DROVE__OP_CREATE:
			zrc = do_create(r);
			break;
		default:
			zrc = ZBADARGUMENTS;
			break;
		}
	}
	if (zrc != ZOK) {
		int code = map_rc(zrc);
		zkreq_free(r);
		inflight_add(s, -1);
		return drove__error(code, "zookeeper: %s: %s", r->path ? r->path : "multi",
		                    why(zrc));
	}
	return 0;
}

/* ZooKeeper's client logs through this callback instead of stderr. */
static void zk_log(const char *message)
{
	(void)message; /* no context here: drop it (the library never prints) */
}

static pthread_once_t zk_once = PTHREAD_ONCE_INIT;
static void zk_global_init(void)
{
	/* Only errors are even formatted; they go to zk_log through each handle. */
	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
}

static int wait_connected(drove_store *s, struct zkb *b)
{
	struct timespec deadline;
	int connected;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += s->connect_timeout_ms / 1000;
	deadline.tv_nsec += (long)(s->connect_timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->m);
	while (b->state != ZOO_CONNECTED_STATE && b->state != ZOO_EXPIRED_SESSION_STATE &&
	       b->state != ZOO_AUTH_FAILED_STATE) {
		if (pthread_cond_timedwait(&b->c, &b->m, &deadline) == ETIMEDOUT)
			break;
	}
	connected = b->state == ZOO_CONNECTED_STATE;
	pthread_mutex_unlock(&b->m);
	if (!connected)
		return drove__error(DROVE_EUNAVAIL, "zookeeper: cannot connect to %s within %d ms",
		                    s->connect, s->connect_timeout_ms);
	return 0;
}

static int ensure_namespace(drove_store *s)
{
	zhandle_t *zh = b_zh(s);
	char buf[DROVE__STORE_PATH_MAX + 1];
	size_t i, n = strlen(s->ns);

	for (i = 1; i <= n; i++) {
		if (s->ns[i] == '/' || s->ns[i] == '\0') {
			int zrc;
			memcpy(buf, s->ns, i);
			buf[i] = '\0';
			zrc = zoo_create(zh, buf, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT,
			                 NULL, 0);
			if (zrc != ZOK && zrc != ZNODEEXISTS)
				return drove__error(map_rc(zrc), "zookeeper: namespace %s: %s", buf,
				                    why(zrc));
		}
	}
	return 0;
}

static int zk_open(drove_store *s)
{
	struct zkb *b;
	int rc;

	if (!s->connect)
		return drove__error(DROVE_EINVAL, "store: no zookeeper connection string");
	pthread_once(&zk_once, zk_global_init);
	if (!(b = calloc(1, sizeof(*b))))
		return drove__enomem();
	pthread_mutex_init(&b->m, NULL);
	pthread_cond_init(&b->c, NULL);
	s->bk = b;
	errno = 0;
	b->zh = zookeeper_init2(s->connect, session_watcher, s->session_timeout_ms, NULL, s,
	                        ZOO_NO_LOG_CLIENTENV, zk_log);
	if (!b->zh)
		return drove__error(errno == EINVAL ? DROVE_EINVAL : DROVE_EUNAVAIL,
		                    "zookeeper: cannot use connection string '%s'", s->connect);
	if ((rc = wait_connected(s, b)) < 0 || (rc = ensure_namespace(s)) < 0)
		return rc;
	return 0;
}

/* Wait (bounded) until no request is in flight; see inflight_add(). New requests cannot
 * start: the store refuses them once closing. */
static void drain_inflight(struct zkb *b, int max_ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += max_ms / 1000;
	deadline.tv_nsec += (long)(max_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->m);
	while (b->inflight > 0)
		if (pthread_cond_timedwait(&b->c, &b->m, &deadline) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&b->m);
}

static void zk_shutdown(drove_store *s)
{
	struct zkb *b = s->bk;
	if (b && b->zh) {
		drain_inflight(b, 2000);
		zookeeper_close(b->zh); /* joins the client's threads */
		b->zh = NULL;
	}
}

static void zk_free(drove_store *s)
{
	struct zkb *b = s->bk;
	if (!b)
		return;
	zk_shutdown(s);
	pthread_mutex_destroy(&b->m);
	pthread_cond_destroy(&b->c);
	free(b);
	s->bk = NULL;
}

int drove__store_zk_session(drove_store *s, int64_t *id, char passwd[16])
{
	const clientid_t *cid;
	if (!s || s->backend != DROVE_STORE_ZK || !s->bk)
		return drove__error(DROVE_EINVAL, "store: not a zookeeper store");
	cid = zoo_client_id(b_zh(s));
	*id = cid->client_id;
	memcpy(passwd, cid->passwd, 16);
	return 0;
}

const struct drove__store_backend drove__store_zk_backend = {
        .name = "zk",
        .open = zk_open,
        .shutdown = zk_shutdown,
        .free = zk_free,
        .submit = zk_submit,
};
