/* The store's common layer: options, open/close, the completion queue that hands backend
 * results to the loop thread, the asynchronous and synchronous calls, batches and re-arming
 * watches. Backends live in zk.c and local.c; pipelined reads in many.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include <drove/clock.h>

#include "store/store_internal.h"
#include "core/loop_internal.h"

/* ---- options ---- */

int drove_store_opts_new(drove_store_opts **out)
{
	drove_store_opts *o;

	DROVE_CHECK_ARG(out);
	if (!(o = calloc(1, sizeof(*o))))
		return drove__enomem();
	if (!(o->ns = drove__strdup("/drove"))) {
		free(o);
		return DROVE_ENOMEM;
	}
	o->session_timeout_ms = 30000;
	o->connect_timeout_ms = 5000;
	o->max_value = DROVE_STORE_DEFAULT_MAX_VALUE;
	*out = o;
	return 0;
}

void drove_store_opts_free(drove_store_opts *o)
{
	if (!o)
		return;
	free(o->connect);
	free(o->dir);
	free(o->ns);
	free(o);
}

static int replace_str(char **slot, const char *v)
{
	char *c = drove__strdup(v);
	if (!c)
		return DROVE_ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

int drove_store_opts_set_zk(drove_store_opts *o, const char *connect)
{
	int rc;
	DROVE_CHECK_ARG(o && connect);
	if (!*connect)
		return drove__error(DROVE_EINVAL, "store: zookeeper connection string is empty");
	if ((rc = replace_str(&o->connect, connect)) < 0)
		return rc;
	o->backend = DROVE_STORE_ZK;
	return 0;
}

int drove_store_opts_set_local(drove_store_opts *o, const char *dir)
{
	int rc;
	DROVE_CHECK_ARG(o && dir);
	if (!*dir)
		return drove__error(DROVE_EINVAL, "store: data directory is empty");
	if ((rc = replace_str(&o->dir, dir)) < 0)
		return rc;
	o->backend = DROVE_STORE_LOCAL;
	return 0;
}

int drove_store_opts_set_namespace(drove_store_opts *o, const char *ns)
{
	int rc;
	DROVE_CHECK_ARG(o && ns);
	if ((rc = drove__store_path_check(ns)) < 0)
		return rc;
	if (strcmp(ns, "/") == 0)
		return drove__error(DROVE_EINVAL, "store: namespace '/' is not allowed");
	return replace_str(&o->ns, ns);
}

int drove_store_opts_set_session_timeout(drove_store_opts *o, int ms)
{
	DROVE_CHECK_ARG(o);
	if (ms < 1)
		return drove__error(DROVE_EINVAL, "store: session timeout %d ms is below 1", ms);
	o->session_timeout_ms = ms;
	return 0;
}

int drove_store_opts_set_connect_timeout(drove_store_opts *o, int ms)
{
	DROVE_CHECK_ARG(o);
	if (ms < 1)
		return drove__error(DROVE_EINVAL, "store: connect timeout %d ms is below 1", ms);
	o->connect_timeout_ms = ms;
	return 0;
}

int drove_store_opts_set_max_value(drove_store_opts *o, size_t bytes)
{
	DROVE_CHECK_ARG(o);
	if (bytes < 1 || bytes > 16 * 1024 * 1024)
		return drove__error(DROVE_EINVAL, "store: value cap %zu is not in [1, 16777216]",
		                    bytes);
	o->max_value = bytes;
	return 0;
}

void drove_store_opts_set_session_cb(drove_store_opts *o, drove_store_session_fn fn, void *ud)
{
	if (!o)
		return;
	o->session_fn = fn;
	o->session_userdata = ud;
}

/* ---- requests ---- */

static void ops_clear(struct drove__store_op *ops, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(ops[i].path);
		free(ops[i].data);
	}
	free(ops);
}

void drove__store_req_free(struct drove__store_req *r)
{
	if (!r)
		return;
	free(r->path);
	free(r->data);
	ops_clear(r->ops, r->nops);
	if (r->watch)
		drove__store_wrec_free(r->watch);
	free(r->msg);
	free(r->rdata);
	free(r->rpath);
	drove_strlist_free(r->children);
	if (r->sync) {
		pthread_mutex_destroy(&r->m);
		pthread_cond_destroy(&r->c);
	}
	free(r);
}

static void set_req_error(struct drove__store_req *r)
{
	if (r->rc < 0)
		drove__error(r->rc, "%s", r->msg ? r->msg : drove_strerror(r->rc));
}

static const char *op_name(int type)
{
	static const char *const names[] = {"",       "get",    "exists",   "set",
	                                    "create", "delete", "children", "multi"};
	return type > 0 && type < (int)(sizeof(names) / sizeof(names[0])) ? names[type] : "other";
}

/* Latency and errors of a finished request (any thread; the registry locks). */
static void observe(struct drove__store_req *r)
{
	drove_store *s = r->store;
	const char *v[] = {op_name(r->type)};
	if (!s->m_seconds)
		return;
	drove_metric_observe(s->m_seconds, v, (double)(drove_time_mono_us() - r->start_us) / 1e6);
	/* a missing node or a lost compare-and-set is an answer, not a store failure */
	if (r->rc < 0 && r->rc != DROVE_ENOTFOUND && r->rc != DROVE_EEXISTS &&
	    r->rc != DROVE_ECONFLICT)
		drove_metric_add(s->m_errors, v, 1);
}

int drove_store_set_metrics(drove_store *s, drove_metrics *m)
{
	static const double b[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
	                           0.05,   0.1,   0.25,   0.5,   1,    2.5};
	int rc;
	DROVE_CHECK_ARG(s && m);
	if ((rc = drove_metrics_histogram(m, &s->m_seconds,
	                                  "drove_store_operation_duration_seconds",
	                                  "Store operations from submission to completion.", "op",
	                                  b, sizeof(b) / sizeof(b[0]))) < 0 ||
	    (rc = drove_metrics_counter(m, &s->m_errors, "drove_store_operation_errors_total",
	                                "Store operations that failed (not counting a missing node "
	                                "or a lost compare-and-set).",
	                                "op")) < 0) {
		s->m_seconds = s->m_errors = NULL;
		return rc;
	}
	return 0;
}

static void req_run(drove_store *s, struct drove__store_qent *q, int closing)
{
	struct drove__store_req *r = (struct drove__store_req *)q;
	(void)s;
	(void)closing; /* a pending request's callback always runs once */
	if (!closing)
		observe(r);
	if (!r->cb) {
		drove__store_req_free(r);
		return;
	}
	set_req_error(r);
	switch (r->type) {
	case DROVE__OP_GET:
		((drove_store_get_fn)r->cb)(r->rc, r->rc < 0 ? NULL : (r->rdata ? r->rdata : ""),
		                            r->rc < 0 ? 0 : r->rlen, r->rc < 0 ? NULL : &r->stat,
		                            r->userdata);
		break;
	case DROVE__OP_EXISTS:
	case DROVE__OP_SET:
		((drove_store_stat_fn)r->cb)(r->rc, r->rc < 0 ? NULL : &r->stat, r->userdata);
		break;
	case DROVE__OP_CREATE:
		((drove_store_create_fn)r->cb)(r->rc, r->rc < 0 ? NULL : r->rpath, r->userdata);
		break;
	case DROVE__OP_CHILDREN:
		((drove_store_children_fn)r->cb)(r->rc, r->rc < 0 ? NULL : r->children,
		                                 r->userdata);
		break;
	default:
		((drove_store_done_fn)r->cb)(r->rc, r->userdata);
		break;
	}
	drove__store_req_free(r);
}

static void complete_async(struct drove__store_req *r)
{
	drove__store_enqueue(r->store, &r->q, false);
}

static void complete_sync(struct drove__store_req *r)
{
	pthread_mutex_lock(&r->m);
	r->done = true;
	pthread_cond_signal(&r->c);
	pthread_mutex_unlock(&r->m);
}

struct drove__store_req *drove__store_req_new(drove_store *s, int type, const char *path, bool sync)
{
	struct drove__store_req *r = calloc(1, sizeof(*r));
	if (!r) {
		drove__enomem();
		return NULL;
	}
	r->store = s;
	r->type = type;
	r->q.run = req_run;
	if (path && !(r->path = drove__strdup(path))) {
		free(r);
		return NULL;
	}
	if (sync) {
		r->sync = true;
		pthread_mutex_init(&r->m, NULL);
		pthread_cond_init(&r->c, NULL);
		r->complete = complete_sync;
	} else {
		r->complete = complete_async;
	}
	return r;
}

static int check_value(drove_store *s, const char *path, size_t len)
{
	if (len > s->max_value)
		return drove__error(DROVE_EINVAL,
		                    "store: %s: value of %zu bytes exceeds the cap of %zu bytes",
		                    path, len, s->max_value);
	return 0;
}

static int check_version(const char *path, int version)
{
	if (version < -1)
		return drove__error(DROVE_EINVAL, "store: %s: version %d is below -1", path,
		                    version);
	return 0;
}

static int copy_data(struct drove__store_req *r, const void *data, size_t len)
{
	if (!(r->data = malloc(len + 1)))
		return drove__enomem();
	if (len)
		memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	return 0;
}

static int usable(drove_store *s)
{
	int expired, closing;
	pthread_mutex_lock(&s->lock);
	expired = s->expired;
	closing = s->closing;
	pthread_mutex_unlock(&s->lock);
	if (closing)
		return drove__error(DROVE_EUNAVAIL, "store: closed");
	if (expired)
		return drove__error(DROVE_EUNAVAIL, "zookeeper: session expired");
	return 0;
}

int drove__store_req_wait(struct drove__store_req *r)
{
	pthread_mutex_lock(&r->m);
	while (!r->done)
		pthread_cond_wait(&r->c, &r->m);
	pthread_mutex_unlock(&r->m);
	observe(r);
	return r->rc;
}

/* Submit; for a sync request wait for it. Frees the req on submit failure (async) and
 * returns the code. */
static int submit(struct drove__store_req *r)
{
	return drove__store_req_submit(r, true);
}

int drove__store_req_submit(struct drove__store_req *r, bool wait)
{
	drove_store *s = r->store;
	int rc;

	if ((rc = usable(s)) < 0)
		goto fail;
	r->start_us = drove_time_mono_us();
	if (r->watch) {
		pthread_mutex_lock(&s->lock);
		drove__store_wrec_link_locked(s, r->watch);
		pthread_mutex_unlock(&s->lock);
	}
	if ((rc = s->be->submit(s, r)) < 0) {
		if (r->watch) {
			drove__store_watch_drop(r->watch);
			r->watch = NULL;
		}
		goto fail;
	}
	if (r->sync && wait) {
		drove__store_req_wait(r);
		set_req_error(r);
		return r->rc;
	}
	return 0;
fail:
	if (!r->sync)
		drove__store_req_free(r);
	return rc;
}

/* ---- asynchronous API ---- */

static int start_read(drove_store *s, int type, const char *path, int wkind,
                      drove_store_watch_fn watch, void *wud, void *cb, void *ud)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove__store_path_check(path)) < 0)
		return rc;
	if (!(r = drove__store_req_new(s, type, path, false)))
		return DROVE_ENOMEM;
	r->cb = cb;
	r->userdata = ud;
	if (watch && !(r->watch = drove__store_wrec_new(s, wkind, path, watch, wud))) {
		drove__store_req_free(r);
		return DROVE_ENOMEM;
	}
	return submit(r);
}

int drove_store_get_async(drove_store *s, const char *path, drove_store_watch_fn watch, void *wud,
                          drove_store_get_fn cb, void *ud)
{
	return start_read(s, DROVE__OP_GET, path, DROVE__WATCH_DATA, watch, wud, (void *)cb, ud);
}

int drove_store_exists_async(drove_store *s, const char *path, drove_store_watch_fn watch,
                             void *wud, drove_store_stat_fn cb, void *ud)
{
	return start_read(s, DROVE__OP_EXISTS, path, DROVE__WATCH_EXISTS, watch, wud, (void *)cb,
	                  ud);
}

int drove_store_children_async(drove_store *s, const char *path, drove_store_watch_fn watch,
                               void *wud, drove_store_children_fn cb, void *ud)
{
	return start_read(s, DROVE__OP_CHILDREN, path, DROVE__WATCH_CHILD, watch, wud, (void *)cb,
	                  ud);
}

static struct drove__store_req *prep_set(drove_store *s, const char *path, const void *data,
                                         size_t len, int version, bool sync, int *rc)
{
	struct drove__store_req *r;

	if ((*rc = drove__store_path_check(path)) < 0 || (*rc = check_version(path, version)) < 0 ||
	    (*rc = check_value(s, path, len)) < 0)
		return NULL;
	if (!data && len) {
		*rc = drove__error(DROVE_EINVAL, "store: %s: data is null", path);
		return NULL;
	}
	if (!(r = drove__store_req_new(s, DROVE__OP_SET, path, sync))) {
		*rc = DROVE_ENOMEM;
		return NULL;
	}
	r->version = version;
	if ((*rc = copy_data(r, data, len)) < 0) {
		drove__store_req_free(r);
		return NULL;
	}
	return r;
}

int drove_store_set_async(drove_store *s, const char *path, const void *data, size_t len,
                          int version, drove_store_stat_fn cb, void *ud)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if (!(r = prep_set(s, path, data, len, version, false, &rc)))
		return rc;
	r->cb = (void *)cb;
	r->userdata = ud;
	return submit(r);
}

static int check_mode(const char *path, int mode, int allowed_flags)
{
	int m = mode & ~allowed_flags;
	if (m < DROVE_STORE_PERSISTENT || m > DROVE_STORE_EPHEMERAL_SEQUENTIAL)
		return drove__error(DROVE_EINVAL, "store: %s: create mode %d is not valid", path,
		                    mode);
	if (strcmp(path, "/") == 0)
		return drove__error(DROVE_EINVAL, "store: /: the root cannot be created");
	return 0;
}

static struct drove__store_req *prep_create(drove_store *s, const char *path, const void *data,
                                            size_t len, int mode, bool sync, int *rc)
{
	struct drove__store_req *r;

	if ((*rc = drove__store_path_check(path)) < 0 ||
	    (*rc = check_mode(path, mode, DROVE_STORE_PARENTS)) < 0 ||
	    (*rc = check_value(s, path, len)) < 0)
		return NULL;
	if (!data && len) {
		*rc = drove__error(DROVE_EINVAL, "store: %s: data is null", path);
		return NULL;
	}
	if (!(r = drove__store_req_new(s, DROVE__OP_CREATE, path, sync))) {
		*rc = DROVE_ENOMEM;
		return NULL;
	}
	r->mode = mode;
	if ((*rc = copy_data(r, data, len)) < 0) {
		drove__store_req_free(r);
		return NULL;
	}
	return r;
}

int drove_store_create_async(drove_store *s, const char *path, const void *data, size_t len,
                             int mode, drove_store_create_fn cb, void *ud)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if (!(r = prep_create(s, path, data, len, mode, false, &rc)))
		return rc;
	r->cb = (void *)cb;
	r->userdata = ud;
	return submit(r);
}

static struct drove__store_req *prep_delete(drove_store *s, const char *path, int version,
                                            bool sync, int *rc)
{
	struct drove__store_req *r;

	if ((*rc = drove__store_path_check(path)) < 0 || (*rc = check_version(path, version)) < 0)
		return NULL;
	if (strcmp(path, "/") == 0) {
		*rc = drove__error(DROVE_EINVAL, "store: /: the root cannot be deleted");
		return NULL;
	}
	if (!(r = drove__store_req_new(s, DROVE__OP_DELETE, path, sync))) {
		*rc = DROVE_ENOMEM;
		return NULL;
	}
	r->version = version;
	return r;
}

int drove_store_delete_async(drove_store *s, const char *path, int version, drove_store_done_fn cb,
                             void *ud)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if (!(r = prep_delete(s, path, version, false, &rc)))
		return rc;
	r->cb = (void *)cb;
	r->userdata = ud;
	return submit(r);
}

/* ---- batches ---- */

int drove_store_ops_new(drove_store_ops **out)
{
	DROVE_CHECK_ARG(out);
	if (!(*out = calloc(1, sizeof(**out))))
		return drove__enomem();
	return 0;
}

void drove_store_ops_free(drove_store_ops *ops)
{
	if (!ops)
		return;
	ops_clear(ops->v, ops->n);
	free(ops);
}

size_t drove_store_ops_count(const drove_store_ops *ops)
{
	return ops ? ops->n : 0;
}

static int ops_add(drove_store_ops *ops, int type, const char *path, const void *data, size_t len,
                   int version, int mode)
{
	struct drove__store_op *op;
	int rc;

	DROVE_CHECK_ARG(ops);
	if ((rc = drove__store_path_check(path)) < 0)
		return rc;
	if (type == DROVE__OP_CREATE && (rc = check_mode(path, mode, 0)) < 0)
		return rc;
	if (type != DROVE__OP_CREATE && (rc = check_version(path, version)) < 0)
		return rc;
	if (!data && len)
		return drove__error(DROVE_EINVAL, "store: %s: data is null", path);
	if (drove__grow(&ops->v, &ops->cap, ops->n + 1, sizeof(*ops->v)) < 0)
		return DROVE_ENOMEM;
	op = &ops->v[ops->n];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->mode = mode;
	op->version = version;
	if (!(op->path = drove__strdup(path)))
		return DROVE_ENOMEM;
	if (type == DROVE__OP_CREATE || type == DROVE__OP_SET) {
		if (!(op->data = malloc(len + 1))) {
			free(op->path);
			return drove__enomem();
		}
		if (len)
			memcpy(op->data, data, len);
		op->data[len] = '\0';
		op->len = len;
	}
	ops->n++;
	return 0;
}

int drove_store_ops_create(drove_store_ops *ops, const char *path, const void *data, size_t len,
                           int mode)
{
	return ops_add(ops, DROVE__OP_CREATE, path, data, len, -1, mode);
}

int drove_store_ops_set(drove_store_ops *ops, const char *path, const void *data, size_t len,
                        int version)
{
	return ops_add(ops, DROVE__OP_SET, path, data, len, version, 0);
}

int drove_store_ops_delete(drove_store_ops *ops, const char *path, int version)
{
	if (path && strcmp(path, "/") == 0)
		return drove__error(DROVE_EINVAL, "store: /: the root cannot be deleted");
	return ops_add(ops, DROVE__OP_DELETE, path, NULL, 0, version, 0);
}

int drove_store_ops_check(drove_store_ops *ops, const char *path, int version)
{
	return ops_add(ops, DROVE__OP_CHECK, path, NULL, 0, version, 0);
}

static struct drove__store_req *prep_multi(drove_store *s, const drove_store_ops *ops, bool sync,
                                           int *rc)
{
	struct drove__store_req *r;
	size_t i;

	for (i = 0; i < ops->n; i++)
		if ((*rc = check_value(s, ops->v[i].path, ops->v[i].len)) < 0)
			return NULL;
	if (!(r = drove__store_req_new(s, DROVE__OP_MULTI, NULL, sync))) {
		*rc = DROVE_ENOMEM;
		return NULL;
	}
	if (ops->n && !(r->ops = calloc(ops->n, sizeof(*r->ops))))
		goto oom;
	for (i = 0; i < ops->n; i++) {
		r->ops[i] = ops->v[i];
		r->ops[i].path = NULL;
		r->ops[i].data = NULL;
		r->nops = i + 1;
		if (!(r->ops[i].path = drove__strdup(ops->v[i].path)))
			goto oom;
		if (ops->v[i].data) {
			if (!(r->ops[i].data = malloc(ops->v[i].len + 1)))
				goto oom;
			memcpy(r->ops[i].data, ops->v[i].data, ops->v[i].len + 1);
		}
	}
	return r;
oom:
	drove__store_req_free(r);
	*rc = drove__enomem();
	return NULL;
}

int drove_store_multi_async(drove_store *s, const drove_store_ops *ops, drove_store_done_fn cb,
                            void *ud)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s && ops);
	if (!(r = prep_multi(s, ops, false, &rc)))
		return rc;
	r->cb = (void *)cb;
	r->userdata = ud;
	return submit(r);
}

/* ---- synchronous API ---- */

/* The size of drove_store_stat in its first release (SOVERSION 1): the smallest a caller may
 * pass; later releases append fields and copy only what the caller's `size` covers. */
#define STAT_SIZE_1 (offsetof(drove_store_stat, mtime_ms) + sizeof(int64_t))

static int stat_check(const drove_store_stat *st)
{
	if (st && st->size < STAT_SIZE_1)
		return drove__error(
		        DROVE_EINVAL,
		        "stat: size %u is below %zu (set it to sizeof(drove_store_stat))",
		        (unsigned)st->size, (size_t)STAT_SIZE_1);
	return 0;
}

static void stat_copy(drove_store_stat *dst, const drove_store_stat *src)
{
	uint32_t size = dst->size;
	memcpy(dst, src, size < sizeof(*src) ? size : sizeof(*src));
	dst->size = size < sizeof(*src) ? size : (uint32_t)sizeof(*src);
}

int drove_store_get(drove_store *s, const char *path, char **data, size_t *len,
                    drove_store_stat *stat)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s && data);
	if ((rc = drove__store_path_check(path)) < 0 || (rc = stat_check(stat)) < 0)
		return rc;
	if (!(r = drove__store_req_new(s, DROVE__OP_GET, path, true)))
		return DROVE_ENOMEM;
	if ((rc = submit(r)) == 0) {
		if (!r->rdata && !(r->rdata = drove__strdup("")))
			rc = DROVE_ENOMEM;
		else {
			*data = r->rdata;
			r->rdata = NULL;
			if (len)
				*len = r->rlen;
			if (stat)
				stat_copy(stat, &r->stat);
		}
	}
	drove__store_req_free(r);
	return rc;
}

int drove_store_exists(drove_store *s, const char *path, drove_store_stat *stat)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove__store_path_check(path)) < 0 || (rc = stat_check(stat)) < 0)
		return rc;
	if (!(r = drove__store_req_new(s, DROVE__OP_EXISTS, path, true)))
		return DROVE_ENOMEM;
	if ((rc = submit(r)) == 0 && stat)
		stat_copy(stat, &r->stat);
	drove__store_req_free(r);
	return rc;
}

int drove_store_set(drove_store *s, const char *path, const void *data, size_t len, int version,
                    drove_store_stat *stat)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = stat_check(stat)) < 0 || !(r = prep_set(s, path, data, len, version, true, &rc)))
		return rc;
	if ((rc = submit(r)) == 0 && stat)
		stat_copy(stat, &r->stat);
	drove__store_req_free(r);
	return rc;
}

int drove_store_create(drove_store *s, const char *path, const void *data, size_t len, int mode,
                       char **created)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if (!(r = prep_create(s, path, data, len, mode, true, &rc)))
		return rc;
	if ((rc = submit(r)) == 0 && created) {
		*created = r->rpath;
		r->rpath = NULL;
	}
	drove__store_req_free(r);
	return rc;
}

int drove_store_delete(drove_store *s, const char *path, int version)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s);
	if (!(r = prep_delete(s, path, version, true, &rc)))
		return rc;
	rc = submit(r);
	drove__store_req_free(r);
	return rc;
}

int drove_store_children(drove_store *s, const char *path, drove_strlist **out)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s && out);
	if ((rc = drove__store_path_check(path)) < 0)
		return rc;
	if (!(r = drove__store_req_new(s, DROVE__OP_CHILDREN, path, true)))
		return DROVE_ENOMEM;
	if ((rc = submit(r)) == 0) {
		*out = r->children;
		r->children = NULL;
	}
	drove__store_req_free(r);
	return rc;
}

/* ---- pipelined reads ---- */

int drove_store_multi(drove_store *s, const drove_store_ops *ops)
{
	struct drove__store_req *r;
	int rc;

	DROVE_CHECK_ARG(s && ops);
	if (!(r = prep_multi(s, ops, true, &rc)))
		return rc;
	rc = submit(r);
	drove__store_req_free(r);
	return rc;
}

int drove_store_delete_recursive(drove_store *s, const char *path)
{
	drove_strlist *kids = NULL;
	size_t i;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove__store_path_check(path)) < 0)
		return rc;
	rc = drove_store_children(s, path, &kids);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		return 0;
	}
	if (rc < 0)
		return rc;
	for (i = 0; i < drove_strlist_count(kids); i++) {
		char *child = drove__asprintf("%s/%s", strcmp(path, "/") == 0 ? "" : path,
		                              drove_strlist_get(kids, i));
		if (!child) {
			rc = DROVE_ENOMEM;
			break;
		}
		rc = drove_store_delete_recursive(s, child);
		free(child);
		if (rc < 0)
			break;
	}
	drove_strlist_free(kids);
	if (rc < 0 || strcmp(path, "/") == 0)
		return rc;
	rc = drove_store_delete(s, path, -1);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		return 0;
	}
	return rc;
}

int drove_store_put(drove_store *s, const char *path, const void *data, size_t len, int mode)
{
	int rc, tries;

	DROVE_CHECK_ARG(s);
	for (tries = 0; tries < 8; tries++) {
		rc = drove_store_create(s, path, data, len, mode | DROVE_STORE_PARENTS, NULL);
		if (rc != DROVE_EEXISTS)
			return rc;
		rc = drove_store_set(s, path, data, len, -1, NULL);
		if (rc != DROVE_ENOTFOUND)
			return rc; /* deleted in between: try again */
	}
	return rc;
}

/* ---- re-arming watches ---- */

struct drove__rewatch {
	struct drove__rewatch *prev, *next;
	drove_store *store;
	char *path;
	bool children;
	bool cancelled;
	int inflight; /* pending requests and watches that point at us */
	drove_store_watch_fn fn;
	void *userdata;
};

struct drove_store_watch {
	struct drove__rewatch rw;
};

static void rewatch_unlink_free(struct drove__rewatch *w)
{
	drove_store *s = w->store;
	if (w->prev)
		w->prev->next = w->next;
	else
		s->rewatches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	free(w->path);
	free(w);
}

static void rewatch_release(struct drove__rewatch *w)
{
	if (--w->inflight == 0 && w->cancelled)
		rewatch_unlink_free(w);
}

static void rewatch_arm(struct drove__rewatch *w);

static void rewatch_fired(drove_store *s, int event, const char *path, void *ud)
{
	struct drove__rewatch *w = ud;
	(void)s;
	if (!w->cancelled) {
		w->inflight++; /* the user may cancel inside fn */
		w->fn(w->store, event, path, w->userdata);
		w->inflight--;
		if (!w->cancelled)
			rewatch_arm(w);
	}
	rewatch_release(w);
}

/* A watch is registered only when its request succeeds (exists: also on ENOTFOUND); when it
 * was not, release the reference the watch held as well. */
static void rewatch_stat_done(int rc, const drove_store_stat *st, void *ud)
{
	struct drove__rewatch *w = ud;
	(void)st;
	if (rc < 0 && rc != DROVE_ENOTFOUND)
		w->inflight--;
	rewatch_release(w);
}

static void rewatch_children_done(int rc, const drove_strlist *kids, void *ud)
{
	struct drove__rewatch *w = ud;
	(void)kids;
	if (rc < 0)
		w->inflight--;
	if (rc == DROVE_ENOTFOUND && !w->cancelled) {
		/* No node yet: wait for it to appear. */
		w->inflight += 2;
		if (drove_store_exists_async(w->store, w->path, rewatch_fired, w, rewatch_stat_done,
		                             w) < 0)
			w->inflight -= 2;
	}
	rewatch_release(w);
}

static void rewatch_arm(struct drove__rewatch *w)
{
	int rc;
	w->inflight += 2; /* the request's callback and the watch */
	if (w->children)
		rc = drove_store_children_async(w->store, w->path, rewatch_fired, w,
		                                rewatch_children_done, w);
	else
		rc = drove_store_exists_async(w->store, w->path, rewatch_fired, w,
		                              rewatch_stat_done, w);
	if (rc < 0)
		w->inflight -= 2; /* closed or expired: nothing more will come */
}

static int rewatch_new(drove_store *s, const char *path, bool children, drove_store_watch_fn fn,
                       void *ud, drove_store_watch **out)
{
	struct drove__rewatch *w;
	int rc;

	DROVE_CHECK_ARG(s && fn && out);
	if ((rc = drove__store_path_check(path)) < 0)
		return rc;
	if ((rc = usable(s)) < 0)
		return rc;
	if (!(w = calloc(1, sizeof(struct drove_store_watch))) ||
	    !(w->path = drove__strdup(path))) {
		free(w);
		return drove__enomem();
	}
	w->store = s;
	w->children = children;
	w->fn = fn;
	w->userdata = ud;
	w->next = s->rewatches;
	if (w->next)
		w->next->prev = w;
	s->rewatches = w;
	w->inflight = 1;
	rewatch_arm(w);
	w->inflight--;
	*out = (drove_store_watch *)w;
	return 0;
}

int drove_store_watch_data(drove_store *s, const char *path, drove_store_watch_fn fn, void *ud,
                           drove_store_watch **out)
{
	return rewatch_new(s, path, false, fn, ud, out);
}

int drove_store_watch_children(drove_store *s, const char *path, drove_store_watch_fn fn, void *ud,
                               drove_store_watch **out)
{
	return rewatch_new(s, path, true, fn, ud, out);
}

void drove_store_watch_cancel(drove_store_watch *watch)
{
	struct drove__rewatch *w = (struct drove__rewatch *)watch;
	if (!w)
		return;
	w->cancelled = true;
	if (w->inflight == 0)
		rewatch_unlink_free(w);
}

void drove__rewatch_free_all(drove_store *s)
{
	while (s->rewatches)
		rewatch_unlink_free(s->rewatches);
}

/* ---- open and close ---- */

int drove_store_open(drove_store **out, drove_loop *loop, const drove_store_opts *o)
{
	drove_store *s;
	int rc;

	DROVE_CHECK_ARG(out && loop && o);
	if (o->backend != DROVE_STORE_ZK && o->backend != DROVE_STORE_LOCAL)
		return drove__error(
		        DROVE_EINVAL,
		        "store: no backend chosen (drove_store_opts_set_zk or _set_local)");
	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	pthread_mutex_init(&s->lock, NULL);
	s->ctx = drove_loop_ctx(loop);
	s->loop = loop;
	s->backend = o->backend;
	s->session_timeout_ms = o->session_timeout_ms;
	s->connect_timeout_ms = o->connect_timeout_ms;
	s->max_value = o->max_value;
	s->session_fn = o->session_fn;
	s->session_userdata = o->session_userdata;
	s->be = o->backend == DROVE_STORE_ZK ? &drove__store_zk_backend
	                                     : &drove__store_local_backend;
	if ((o->connect && !(s->connect = drove__strdup(o->connect))) ||
	    (o->dir && !(s->dir = drove__strdup(o->dir))) || !(s->ns = drove__strdup(o->ns))) {
		rc = DROVE_ENOMEM;
		goto fail;
	}
	if (!(s->wake = event_new(drove__loop_base(loop), -1, 0, drove__store_drain, s))) {
		rc = drove__error(DROVE_ERROR, "store: libevent could not create an event");
		goto fail;
	}
	if ((rc = s->be->open(s)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	s->closing = true;
	drove_store_close(s);
	return rc;
}

void drove_store_close(drove_store *s)
{
	struct drove__store_qent *q;
	struct drove__store_wrec *w;

	if (!s || s->close_started)
		return;
	s->close_started = true;
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_mutex_unlock(&s->lock);
	if (s->bk)
		s->be->shutdown(s);
	/* No backend thread is left: deliver what is queued, on this thread. */
	pthread_mutex_lock(&s->lock);
	if (s->wake) {
		event_free(s->wake);
		s->wake = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	for (;;) {
		pthread_mutex_lock(&s->lock);
		q = s->q_head;
		if (q) {
			s->q_head = q->next;
			if (!s->q_head)
				s->q_tail = NULL;
		}
		pthread_mutex_unlock(&s->lock);
		if (!q)
			break;
		q->run(s, q, 1);
	}
	if (s->election && s->election_hooks)
		s->election_hooks->free_all(s);
	while ((w = s->watches)) {
		drove__store_wrec_unlink_locked(s, w);
		drove__store_wrec_free(w);
	}
	drove__rewatch_free_all(s);
	if (s->bk)
		s->be->free(s);
	if (s->draining) {
		s->free_pending = true; /* we are inside drain(): it frees the store on return */
		return;
	}
	drove__store_free(s);
}

int drove_store_backend(const drove_store *s)
{
	return s ? s->backend : 0;
}
