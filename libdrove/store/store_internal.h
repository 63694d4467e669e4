/* Internal interface of the store: requests, the backend vtable, the completion queue. */
#ifndef DROVE_STORE_INTERNAL_H
#define DROVE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <event2/util.h>

#include <drove/metrics.h>
#include <drove/store.h>
#include "core/internal.h"

struct event;

enum {
	DROVE__OP_GET = 1,
	DROVE__OP_EXISTS,
	DROVE__OP_SET,
	DROVE__OP_CREATE,
	DROVE__OP_DELETE,
	DROVE__OP_CHILDREN,
	DROVE__OP_MULTI,
	DROVE__OP_CHECK, /* inside a multi only */
};

/* Longest path accepted (ZooKeeper has no hard limit; this keeps the local backend's file
 * names and our messages bounded). */
#define DROVE__STORE_PATH_MAX 1024

/* Something handed to the loop thread through the store's queue. `run` is called on the
 * loop thread; with `closing` set it must only release resources (no user callback) unless
 * it documents otherwise. */
struct drove__store_qent {
	struct drove__store_qent *next;
	void (*run)(drove_store *store, struct drove__store_qent *q, int closing);
};

/* Kinds of one-shot watches. */
enum {
	DROVE__WATCH_DATA = 1,   /* get: CHANGED, DELETED */
	DROVE__WATCH_EXISTS = 2, /* exists: CREATED, CHANGED, DELETED */
	DROVE__WATCH_CHILD = 3,  /* children: CHILDREN, DELETED */
};

/* A one-shot watch registered with a backend. Lives on store->watches until it fires (then
 * it moves to the queue) or the store closes (then it is freed unfired). */
struct drove__store_wrec {
	struct drove__store_qent q;
	struct drove__store_wrec *prev, *next;
	drove_store *store;
	int kind;
	int event; /* set when it fires */
	bool linked;
	char *path; /* relative to the namespace */
	drove_store_watch_fn fn;
	void *userdata;
};

struct drove__store_op {
	int type;
	int mode;
	int version;
	char *path;
	char *data;
	size_t len;
};

struct drove_store_ops {
	struct drove__store_op *v;
	size_t n, cap;
};

struct drove__store_req {
	struct drove__store_qent q;
	drove_store *store;
	int type;
	char *path;
	char *data;
	size_t len;
	int version;
	int mode; /* create mode | DROVE_STORE_PARENTS */
	struct drove__store_op *ops;
	size_t nops;
	struct drove__store_wrec *watch; /* armed on success; owned by the req until then */

	/* results (written by the backend before complete()) */
	int rc;
	char *msg;
	char *rdata;
	size_t rlen;
	drove_store_stat stat;
	char *rpath;
	drove_strlist *children;

	/* called exactly once by the backend, on any thread */
	void (*complete)(struct drove__store_req *req);
	void *cb;
	void *userdata;

	/* synchronous waiters */
	pthread_mutex_t m;
	pthread_cond_t c;
	bool sync, done;

	void *bk;         /* backend scratch */
	int64_t start_us; /* when submitted (metrics) */
};

struct drove__store_backend {
	const char *name;
	int (*open)(drove_store *store);
	/* Stop every backend thread; after this no completion or watch arrives. */
	void (*shutdown)(drove_store *store);
	void (*free)(drove_store *store);
	/* Start a request: 0 and complete() later (or before returning), or < 0 and no
	 * complete(). The req's watch, if any, is linked into store->watches by the caller. */
	int (*submit)(drove_store *store, struct drove__store_req *req);
};

struct drove__rewatch;

/* What the lower layers tell the election (election.c installs them with the first election):
 * the store never calls election.c by name. */
struct drove__store_election_hooks {
	/* Called from the ZooKeeper thread: stop leading at once. */
	void (*fence)(drove_store *store);
	/* On the loop thread for every session event, before the user's session callback. */
	void (*session)(drove_store *store, int event);
	/* Free the store's elections without callbacks (store close). */
	void (*free_all)(drove_store *store);
};

struct drove_store {
	drove_ctx *ctx;
	drove_loop *loop;
	const struct drove__store_backend *be;
	void *bk; /* backend state */

	/* options */
	int backend;
	char *connect;
	char *dir;
	char *ns;
	int session_timeout_ms;
	int connect_timeout_ms;
	size_t max_value;
	drove_store_session_fn session_fn;
	void *session_userdata;

	pthread_mutex_t lock; /* guards everything below */
	struct drove__store_qent *q_head, *q_tail;
	struct drove__store_wrec *watches;
	struct event *wake;
	bool closing;
	int connected; /* atomic reads allowed */
	int expired;

	/* loop thread only */
	int draining; /* inside drain(): a close must not free the store yet */
	bool close_started;
	bool free_pending; /* closed from a callback: drain() frees on return */
	drove_election *election;
	const struct drove__store_election_hooks *election_hooks; /* set by election.c */
	struct drove__rewatch *rewatches;
	int64_t local_term;
	/* zk: the node whose existence every write is conditional on (the leader's election
	 * node while it leads; election.c), NULL when writes are not fenced. Under `lock`. */
	char *fence;
	/* drove_store_set_metrics(): set before the first call, then read-only */
	drove_metric *m_seconds, *m_errors;
};

struct drove_store_opts {
	int backend;
	char *connect;
	char *dir;
	char *ns;
	int session_timeout_ms;
	int connect_timeout_ms;
	size_t max_value;
	drove_store_session_fn session_fn;
	void *session_userdata;
};

/* Layers, top down: records.c, from_config.c, election.c -> many.c (pipelined reads) ->
 * store.c (options, open/close, calls, batches, re-arming watches; picks a backend) -> zk.c,
 * local.c (backends) -> core.c (below). */

/* ---- core.c ---- */

/* Validate a path (see store.h); the message names `what` and the path. */
int drove__store_path_check(const char *path);
/* Parent of a valid path ("/" for top-level nodes); NULL on ENOMEM. */
char *drove__store_path_parent(const char *path);
/* Last component of a valid path (borrowed). */
const char *drove__store_path_name(const char *path);
/* Record a failure on a request (any thread): rc and a formatted message. */
void drove__store_req_fail(struct drove__store_req *req, int code, const char *fmt, ...)
        DROVE_PRINTF(3, 4);
/* Queue an item for the loop thread (any thread). `front` puts it before everything. */
void drove__store_enqueue(drove_store *store, struct drove__store_qent *q, bool front);
/* Unlink a watch from store->watches and queue it with `event` (any thread; lock held by
 * caller when `locked`). Does nothing if it already fired. */
void drove__store_watch_fire(struct drove__store_wrec *w, int event, bool locked);
/* Unlink and free a watch that will never fire. */
void drove__store_watch_drop(struct drove__store_wrec *w);
/* Session events from the backend (any thread). */
void drove__store_session_event(drove_store *store, int event);
/* Sort a child list (names) in place. */
void drove__store_sort_names(char **names, size_t n);
/* The loop-thread side of the queue (the store's wake event). */
void drove__store_drain(evutil_socket_t fd, short what, void *arg);
/* Watch records: new (NULL on ENOMEM), linked into / unlinked from store->watches with the
 * lock held, freed. */
struct drove__store_wrec *drove__store_wrec_new(drove_store *s, int kind, const char *path,
                                                drove_store_watch_fn fn, void *ud);
void drove__store_wrec_link_locked(drove_store *s, struct drove__store_wrec *w);
void drove__store_wrec_unlink_locked(drove_store *s, struct drove__store_wrec *w);
void drove__store_wrec_free(struct drove__store_wrec *w);
/* Fence the store's writes (ZooKeeper): while `path` is set, every write and batch is
 * applied only if that node still exists (one multi with a check), else it fails with
 * DROVE_ESTALE and changes nothing; writes under /leaderselection are never fenced. NULL
 * clears. Any thread. @return 0 or DROVE_ENOMEM (the fence unchanged). */
int drove__store_fence(drove_store *store, const char *path);

/* store.c: requests, for the other files of the common layer (many.c). req_new: a request
 * of `type` on `path` (copied; may be NULL), waited for by the caller when `sync`; NULL on
 * ENOMEM (error set). req_submit: hand it to the backend; for a sync request with `wait`,
 * wait for it and return its code (error set), without `wait` leave it to req_wait(). An
 * async request is freed when its submit fails. req_wait: wait for a submitted sync request
 * (any thread but the store's own) and return its code, no error set. */
struct drove__store_req *drove__store_req_new(drove_store *s, int type, const char *path,
                                              bool sync);
int drove__store_req_submit(struct drove__store_req *r, bool wait);
int drove__store_req_wait(struct drove__store_req *r);
void drove__store_req_free(struct drove__store_req *r);

/* many.c: synchronous reads of many nodes in one pipeline (at most 256 requests in flight, so
 * about one round trip per 256 paths instead of one per path): what a new leader's load of
 * every record uses. One owned result set: item[i] is path i's outcome, `rc` its code (0,
 * DROVE_ENOTFOUND, DROVE_EINVAL for a bad path, DROVE_EUNAVAIL, ...); get_many fills `data`
 * (NUL-terminated, "" for an empty value) and `len`, children_many `kids`; both NULL where rc
 * is not 0. The set and everything in it are freed by drove__store_many_free (NULL allowed).
 * Blocks the calling thread (not ZooKeeper's). @return 0 (*out set, outcomes in it, no error
 * set), DROVE_EINVAL (bad arguments) or DROVE_ENOMEM (*out NULL). */
struct drove__store_item {
	int rc;
	char *data;
	size_t len;
	drove_strlist *kids;
};
struct drove__store_many {
	size_t n;
	struct drove__store_item item[];
};
int drove__store_get_many(drove_store *s, const char *const *paths, size_t n,
                          struct drove__store_many **out);
int drove__store_children_many(drove_store *s, const char *const *paths, size_t n,
                               struct drove__store_many **out);
void drove__store_many_free(struct drove__store_many *m);

/* election.c: the term (czxid) of this contender's own election node, 0 until it is known
 * (ZooKeeper; 0 on the embedded store). Tells this contender's node from one an earlier run
 * of the same process left behind with the same data. Loop thread. */
int64_t drove__election_node_term(const drove_election *e);
/* Free the store's own memory (after close). */
void drove__store_free(drove_store *s);

/* ---- backends ---- */
extern const struct drove__store_backend drove__store_zk_backend;
extern const struct drove__store_backend drove__store_local_backend;

/* zk.c: the session id and password of a zk store (tests force expiry with them). */
int drove__store_zk_session(drove_store *store, int64_t *id, char passwd[16]);

/* store.c: re-arming watches freed at close */
void drove__rewatch_free_all(drove_store *store);

/* Options for the store a controller or executor configuration names (ZooKeeper with its
 * namespace and session timeout, or the local data directory). @return 0, DROVE_EINVAL (the
 * configuration has no store) or DROVE_ENOMEM. */
struct drove_config;
int drove__store_opts_from_config(const struct drove_config *cfg, drove_store_opts **out);

/* records.c: records in one pipeline (drove__store_get_many): record i of `kind` is
 * (parents[i], ids[i]) (parents NULL for one-id kinds); item i as drove__store_get_many's,
 * its rc DROVE_EINVAL for a bad id, DROVE_ENOTFOUND for none. list_many: item i's `kids` are
 * the ids under parents[i] (an empty list where there are none, as drove_record_list).
 * Blocking, like drove_record_get. @return 0 (*out set), DROVE_EINVAL (bad arguments or
 * kind) or DROVE_ENOMEM. */
int drove__record_get_many(drove_store *s, int kind, const char *const *parents,
                           const char *const *ids, size_t n, struct drove__store_many **out);
int drove__record_list_many(drove_store *s, int kind, const char *const *parents, size_t n,
                            struct drove__store_many **out);
/* records.c: every record of `kind` (under `parent` for two-id kinds, else NULL) in one
 * pipeline: *ids the ids (drove_record_list), item i of *out record i's (as get_many). Both
 * the caller's. @return 0, or the list's error (both NULL). */
int drove__record_get_all(drove_store *s, int kind, const char *parent, drove_strlist **ids,
                          struct drove__store_many **out);
/* records.c: every record of a two-id kind (tasks, instances, local-service instances) in
 * three pipelines (the parents, their lists, the records): row j is one record, `parent` and
 * `id` its ids, `rc` its code (0, DROVE_ENOTFOUND when it went between the list and the read,
 * ...), `data`/`len` its JSON where rc is 0. Everything borrowed from the set, freed with
 * drove__record_rows_free (NULL allowed). Blocking. @return 0 (*out set), DROVE_EINVAL (a
 * one-id kind), DROVE_ENOMEM or the list's error. */
struct drove__record_row {
	const char *parent, *id;
	int rc;
	const char *data;
	size_t len;
};
struct drove__record_rows {
	size_t n;
	struct drove__record_row *row;
	/* owned */
	drove_strlist *parents;
	struct drove__store_many *lists, *recs;
};
int drove__record_get_rows(drove_store *s, int kind, struct drove__record_rows **out);
void drove__record_rows_free(struct drove__record_rows *r);

/* records.c: drove_store_put() without blocking (create, or set when it exists): `cb` (may
 * be NULL) runs once on the loop thread. Loop thread. @return 0, or an error and no callback. */
int drove__store_put_async(drove_store *store, const char *path, const char *data, size_t len,
                           int mode, drove_store_done_fn cb, void *userdata);

/* renew.c: open a store (into *slot) whose session is renewed when it expires. On expiry,
 * on the loop thread: ops->closing (drop every use of the store: elections, requests; start
 * no new work that uses it), then, once ops->busy (may be NULL) says no other thread uses it
 * any more (asked every 100 ms), the store is closed and *slot set to NULL, a new one opened
 * into *slot, then ops->opened (take it up again: publish, elect; < 0 starts over in a
 * second). While ZooKeeper is unreachable the open is retried every second, ops->failed
 * telling why each time. The first open too: when ZooKeeper cannot be reached at start
 * (DROVE_EUNAVAIL from the ZooKeeper backend; the embedded store's errors, e.g. a data
 * directory in use, are returned as they are) this returns 0 with *slot NULL, calls ops->failed and
 * keeps trying every second; ops->opened runs once it is up (the caller does then what it would
 * have done with a store at start). Takes `opts` (also on error). Free the renewer
 * (drove__store_renew_free) after closing the store it fills (a close delivers no session
 * event).
 * @return 0 or the open's error other than DROVE_EUNAVAIL (then *slot is NULL and nothing is
 *         left). */
typedef struct drove__store_renew drove__store_renew;
struct drove__store_renew_ops {
	void (*closing)(void *ud);
	int (*opened)(void *ud);
	void (*failed)(void *ud, const char *why);
	bool (*busy)(void *ud);
};
int drove__store_open_renewing(drove_store **slot, drove_loop *loop, drove_store_opts *opts,
                               const struct drove__store_renew_ops *ops, void *ud,
                               drove__store_renew **out);
void drove__store_renew_free(drove__store_renew *r);

#endif
