/*
 * The state store: a small versioned tree of nodes (ZooKeeper's data model) with watches,
 * ephemeral and sequential nodes, batched writes and leader election, behind one interface
 * with two backends:
 *  - zk: ZooKeeper through libzookeeper_mt's asynchronous API;
 *  - local: an embedded store in a data directory, for a single-node cluster.
 * docs/store.md describes the layout of the records and the on-disk format.
 *
 * Paths are absolute, relative to the store's namespace ("/applications/APP-1"): they start
 * with '/', have no empty, "." or ".." component, no trailing '/', and no control bytes.
 * "/" is the namespace root.
 *
 * Threads: open, close and the asynchronous calls (`*_async`, watches, elections) belong to
 * the thread that runs the store's loop: every callback runs on that thread, never while the
 * store holds a lock. The synchronous calls (drove_store_get() ...) may be called from any
 * thread, including the loop's (they never need the loop to run); with the local backend,
 * calls from several threads are serialised by an internal lock.
 *
 * The local backend starts threads of its own: a journal writer from drove_store_open() to
 * drove_store_close() (it makes each group of writes durable with one fdatasync, then
 * completes them: a synchronous call returns, an asynchronous one is queued for the loop
 * thread), and a checkpoint thread while a checkpoint runs (docs/store.md).
 */
#ifndef DROVE_STORE_H
#define DROVE_STORE_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/metrics.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

typedef struct drove_store drove_store;
typedef struct drove_store_opts drove_store_opts;
typedef struct drove_store_ops drove_store_ops;
typedef struct drove_store_watch drove_store_watch;
typedef struct drove_election drove_election;

/** Backends; also what drove_config_store_type() (<drove/config.h>) returns. @since 0.1 */
enum drove_store_backend {
	DROVE_STORE_NONE = 0,  /**< no store (an executor in RPC mode); @since 0.1 */
	DROVE_STORE_ZK = 1,    /**< ZooKeeper */
	DROVE_STORE_LOCAL = 2, /**< embedded, files in a data directory */
};

/** Create modes (drove_store_create()). @since 0.1 */
enum drove_store_mode {
	DROVE_STORE_PERSISTENT = 0,
	DROVE_STORE_EPHEMERAL = 1,  /**< deleted when the session (local: the process) ends */
	DROVE_STORE_SEQUENTIAL = 2, /**< a 10-digit counter of the parent is appended to the name */
	DROVE_STORE_EPHEMERAL_SEQUENTIAL = 3,
};

/** Extra create flag: create missing parents (as persistent nodes). @since 0.1 */
#define DROVE_STORE_PARENTS 0x100

/** Watch events. @since 0.1 */
enum drove_store_event {
	DROVE_STORE_EV_CREATED = 1,
	DROVE_STORE_EV_DELETED = 2,
	DROVE_STORE_EV_CHANGED = 3,  /**< the node's data changed */
	DROVE_STORE_EV_CHILDREN = 4, /**< a child was created or deleted */
};

/** Session events (drove_store_opts_set_session_cb()). @since 0.1 */
enum drove_store_session {
	DROVE_STORE_CONNECTED = 1, /**< (re)connected; the session and its ephemerals live on */
	DROVE_STORE_SUSPENDED = 2, /**< connection lost; the session may still be alive */
	DROVE_STORE_EXPIRED = 3,   /**< the session is gone: every later call fails with
	                                DROVE_EUNAVAIL; close the store and open a new one */
};

/** Leadership events (drove_store_elect()). @since 0.1 */
enum drove_store_leadership {
	DROVE_STORE_LEADER_ACQUIRED = 1,
	DROVE_STORE_LEADER_LOST = 2,
};

/** What a node's version stamp says. `version` is what compare-and-set compares.
 *
 *  Versioned by `size`: a caller that passes one to be filled (drove_store_get(),
 *  drove_store_exists(), drove_store_set()) sets `size` to sizeof(drove_store_stat) first
 *  (DROVE_STORE_STAT_INIT); the library writes no byte past `size`, so fields appended in
 *  later releases do not break programs built against this header. The library sets `size` in
 *  the stats it hands to callbacks: read an appended field only when `size` covers it. */
typedef struct drove_store_stat {
	uint32_t size;        /**< sizeof(drove_store_stat) the caller was built with */
	int32_t version;      /**< data version: 0 after create, +1 per set */
	int32_t cversion;     /**< child version: +1 per child created or deleted */
	int32_t num_children; /**< number of children */
	int32_t ephemeral;    /**< 1 for an ephemeral node */
	int64_t czxid;        /**< ZooKeeper: zxid of the create; local: 0 */
	int64_t ctime_ms;     /**< creation time, epoch ms */
	int64_t mtime_ms;     /**< last data change, epoch ms */
} drove_store_stat;

/** An initializer for a drove_store_stat to be filled: `drove_store_stat st =
 *  DROVE_STORE_STAT_INIT;`. */
#define DROVE_STORE_STAT_INIT                    \
	{                                        \
		.size = sizeof(drove_store_stat) \
	}

/** Default cap on a node's value: 1 MiB less 16 KiB for ZooKeeper's framing. @since 0.1 */
#define DROVE_STORE_DEFAULT_MAX_VALUE (1024 * 1024 - 16 * 1024)

/* ---- options ---- */

/** New options: no backend yet, namespace "/drove", session timeout 30000 ms, connect
 *  timeout 5000 ms, value cap DROVE_STORE_DEFAULT_MAX_VALUE. @return 0 or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_store_opts_new(drove_store_opts **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_store_opts_free(drove_store_opts *opts);
/** Use ZooKeeper at `connect` ("host:port,host:port"). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_opts_set_zk(drove_store_opts *opts, const char *connect);
/** Use the local backend in directory `dir` (created if missing). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_opts_set_local(drove_store_opts *opts, const char *dir);
/** ZooKeeper namespace (chroot) every path lives under, created if missing; a valid path
 *  other than "/". Ignored by the local backend. @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_store_opts_set_namespace(drove_store_opts *opts, const char *ns);
/** ZooKeeper session timeout (the server may clamp it). @return 0 or DROVE_EINVAL (< 1).
 *  @since 0.1 */
DROVE_API int drove_store_opts_set_session_timeout(drove_store_opts *opts, int ms);
/** How long drove_store_open() waits for ZooKeeper before DROVE_EUNAVAIL.
 *  @return 0 or DROVE_EINVAL (< 1). @since 0.1 */
DROVE_API int drove_store_opts_set_connect_timeout(drove_store_opts *opts, int ms);
/** Largest value a node may hold; writes above it fail with DROVE_EINVAL.
 *  @return 0 or DROVE_EINVAL (< 1 or above 16 MiB). @since 0.1 */
DROVE_API int drove_store_opts_set_max_value(drove_store_opts *opts, size_t bytes);

/** Session event callback: loop thread. */
typedef void (*drove_store_session_fn)(drove_store *store, int event, void *userdata);
/** Call `fn` on session events (zk; the local backend reports CONNECTED once at open).
 *  @since 0.1 */
DROVE_API void drove_store_opts_set_session_cb(drove_store_opts *opts, drove_store_session_fn fn,
                                               void *userdata);

/* ---- open and close ---- */

/** Open a store. zk: connects, waits at most the connect timeout for the session
 *  (DROVE_EUNAVAIL "zookeeper: cannot connect to HOST within N ms"), then creates the
 *  namespace if missing. local: creates the directory if missing, takes an exclusive flock
 *  on it (DROVE_EUNAVAIL when another process holds it) and loads every node.
 *  The loop must outlive the store; `opts` is copied.
 *  @return 0, DROVE_EINVAL, DROVE_EUNAVAIL, DROVE_EIO or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_open(drove_store **out, drove_loop *loop, const drove_store_opts *opts);
/** Close: ends the session (its ephemeral nodes go), then every callback of a request still
 *  pending runs once with DROVE_EUNAVAIL before this returns; watches that have not fired are
 *  dropped without a call; elections end without a callback. Loop thread. NULL is fine.
 *  @since 0.1 */
DROVE_API void drove_store_close(drove_store *store);
/** DROVE_STORE_ZK or DROVE_STORE_LOCAL. @since 0.1 */
DROVE_API int drove_store_backend(const drove_store *store);
/** 1 while the session is usable (local: always). Any thread. @since 0.1 */
DROVE_API int drove_store_is_connected(const drove_store *store);
/** Record every later operation in `metrics` (borrowed; it must outlive the store):
 *  drove_store_operation_duration_seconds{op} and drove_store_operation_errors_total{op}.
 *  Call once on the loop thread, right after drove_store_open(); operations that finish
 *  while the store closes are not recorded.
 *  @return 0, DROVE_EINVAL, DROVE_EEXISTS or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_set_metrics(drove_store *store, drove_metrics *metrics);

/* ---- asynchronous calls ----
 * Each returns 0 and later runs its callback exactly once on the loop thread, or returns an
 * error and never runs it. In a callback with rc < 0, drove_error_last() holds the message.
 * Errors: DROVE_ENOTFOUND (no node, or no parent), DROVE_EEXISTS, DROVE_ECONFLICT (version
 * mismatch, or deleting a node with children), DROVE_EINVAL (bad path, value over the cap,
 * child of an ephemeral), DROVE_EUNAVAIL (no session, store closed), DROVE_EIO, DROVE_ERROR.
 */

/** Watch callback (one-shot: fires at most once): loop thread; `path` borrowed. */
typedef void (*drove_store_watch_fn)(drove_store *store, int event, const char *path,
                                     void *userdata);
/** get: `data` (NUL-terminated, `len` bytes) and `stat` are borrowed for the call. */
typedef void (*drove_store_get_fn)(int rc, const char *data, size_t len,
                                   const drove_store_stat *stat, void *userdata);
/** set / exists: `stat` is borrowed, NULL when rc < 0. */
typedef void (*drove_store_stat_fn)(int rc, const drove_store_stat *stat, void *userdata);
/** create: `path` is the created node's path (sequential names included), borrowed. */
typedef void (*drove_store_create_fn)(int rc, const char *path, void *userdata);
/** children: names (not paths), sorted; borrowed for the call. */
typedef void (*drove_store_children_fn)(int rc, const drove_strlist *children, void *userdata);
/** delete / multi. */
typedef void (*drove_store_done_fn)(int rc, void *userdata);

/** Read a node. With `watch`, also leave a one-shot data watch on it (fires on CHANGED or
 *  DELETED) when the read succeeds. @since 0.1 */
DROVE_API int drove_store_get_async(drove_store *store, const char *path,
                                    drove_store_watch_fn watch, void *watch_userdata,
                                    drove_store_get_fn cb, void *userdata);
/** Does the node exist (rc 0 with its stat, or DROVE_ENOTFOUND)? With `watch`, a one-shot
 *  watch fires on CREATED, CHANGED or DELETED, whether or not the node exists. @since 0.1 */
DROVE_API int drove_store_exists_async(drove_store *store, const char *path,
                                       drove_store_watch_fn watch, void *watch_userdata,
                                       drove_store_stat_fn cb, void *userdata);
/** Replace a node's value; `version` -1 sets unconditionally, otherwise the write only
 *  happens if the node's version is `version` (else DROVE_ECONFLICT). `data` is copied.
 *  @since 0.1 */
DROVE_API int drove_store_set_async(drove_store *store, const char *path, const void *data,
                                    size_t len, int version, drove_store_stat_fn cb,
                                    void *userdata);
/** Create a node; `mode` is a drove_store_mode, optionally | DROVE_STORE_PARENTS. @since 0.1 */
DROVE_API int drove_store_create_async(drove_store *store, const char *path, const void *data,
                                       size_t len, int mode, drove_store_create_fn cb,
                                       void *userdata);
/** Delete a node without children; `version` as for set. @since 0.1 */
DROVE_API int drove_store_delete_async(drove_store *store, const char *path, int version,
                                       drove_store_done_fn cb, void *userdata);
/** List a node's children. With `watch`, a one-shot watch fires on CHILDREN or DELETED.
 *  @since 0.1 */
DROVE_API int drove_store_children_async(drove_store *store, const char *path,
                                         drove_store_watch_fn watch, void *watch_userdata,
                                         drove_store_children_fn cb, void *userdata);

/* ---- batched writes: all or nothing ---- */

/** A new, empty batch. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_ops_new(drove_store_ops **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_store_ops_free(drove_store_ops *ops);
/** Add a create (`mode` without DROVE_STORE_PARENTS). Inputs are copied.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_ops_create(drove_store_ops *ops, const char *path, const void *data,
                                     size_t len, int mode);
/** Add a set. @since 0.1 */
DROVE_API int drove_store_ops_set(drove_store_ops *ops, const char *path, const void *data,
                                  size_t len, int version);
/** Add a delete. @since 0.1 */
DROVE_API int drove_store_ops_delete(drove_store_ops *ops, const char *path, int version);
/** Add a version check (fails the batch with DROVE_ECONFLICT unless the node has `version`).
 *  @since 0.1 */
DROVE_API int drove_store_ops_check(drove_store_ops *ops, const char *path, int version);
/** Number of operations in the batch. @since 0.1 */
DROVE_API size_t drove_store_ops_count(const drove_store_ops *ops);
/** Apply every operation of `ops` atomically (ZooKeeper multi; the local backend journals
 *  the batch). `ops` is copied and may be freed at once. On failure the message names the
 *  first failing operation ("store: multi op 2 (/a/b): ..."). @since 0.1 */
DROVE_API int drove_store_multi_async(drove_store *store, const drove_store_ops *ops,
                                      drove_store_done_fn cb, void *userdata);

/* ---- synchronous wrappers: any thread; same errors as the asynchronous calls ---- */

/** Read a node: `*data` (NUL-terminated; free with drove_free()) and `*len`; `stat` may be
 *  NULL, else its `size` set (DROVE_STORE_STAT_INIT; DROVE_EINVAL when below the first
 *  release's size). @since 0.1 */
DROVE_API int drove_store_get(drove_store *store, const char *path, char **data, size_t *len,
                              drove_store_stat *stat);
/** 0 when the node exists (stat filled if non-NULL; its `size` set as
 *  for drove_store_get()), DROVE_ENOTFOUND when it does not. @since 0.1 */
DROVE_API int drove_store_exists(drove_store *store, const char *path, drove_store_stat *stat);
/** Set (see drove_store_set_async()); `stat` (may be NULL; `size` set as for
 *  drove_store_get()) gets the new stat. @since 0.1 */
DROVE_API int drove_store_set(drove_store *store, const char *path, const void *data, size_t len,
                              int version, drove_store_stat *stat);
/** Create; `*created` (may be NULL; free with drove_free()) gets the created path. @since 0.1 */
DROVE_API int drove_store_create(drove_store *store, const char *path, const void *data, size_t len,
                                 int mode, char **created);
/** Delete. @since 0.1 */
DROVE_API int drove_store_delete(drove_store *store, const char *path, int version);
/** Delete a node and everything below it (not atomic; a missing node is not an error).
 *  @since 0.1 */
DROVE_API int drove_store_delete_recursive(drove_store *store, const char *path);
/** Children names, sorted (free with drove_strlist_free()). @since 0.1 */
DROVE_API int drove_store_children(drove_store *store, const char *path, drove_strlist **out);
/** Apply a batch atomically. @since 0.1 */
DROVE_API int drove_store_multi(drove_store *store, const drove_store_ops *ops);
/** Create the node, or set it if it exists (unconditionally), creating parents as needed.
 *  `mode` as for create. @since 0.1 */
DROVE_API int drove_store_put(drove_store *store, const char *path, const void *data, size_t len,
                              int mode);

/* ---- re-arming watches (loop thread) ---- */

/** Watch a node's data until cancelled: `fn` runs once per observed change (CREATED, CHANGED,
 *  DELETED); changes made while the watch is being re-armed are folded into one call.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM; `*out` is the handle for
 *  drove_store_watch_cancel(). @since 0.1 */
DROVE_API int drove_store_watch_data(drove_store *store, const char *path, drove_store_watch_fn fn,
                                     void *userdata, drove_store_watch **out);
/** Watch a node's children until cancelled: CHILDREN, DELETED, CREATED (the node itself
 *  appeared). @since 0.1 */
DROVE_API int drove_store_watch_children(drove_store *store, const char *path,
                                         drove_store_watch_fn fn, void *userdata,
                                         drove_store_watch **out);
/** Stop a re-arming watch: `fn` is never called again. NULL is fine. @since 0.1 */
DROVE_API void drove_store_watch_cancel(drove_store_watch *watch);

/* ---- leader election ---- */

/** Leadership callback: loop thread. `term` grows strictly with every election (zk: the czxid
 *  of the leader's election node; local: a counter persisted and incremented per open). */
typedef void (*drove_election_fn)(drove_election *election, int event, int64_t term,
                                  void *userdata);
/** Contend for leadership under /leaderselection. `data` (copied; e.g. "host:port") is
 *  written into the contender's node so others can find the leader. zk: an ephemeral
 *  sequential node; each contender watches only its predecessor; the owner of the lowest
 *  node leads. On a lost connection or an expired session the leader gets
 *  DROVE_STORE_LEADER_LOST before any other callback, and drove_election_is_leader() turns 0
 *  at once (from the ZooKeeper thread). After a reconnect within the same session it may
 *  become leader again with the same term; after expiry the election is over.
 *  local: the single process leads at once. One election per store.
 *  @return 0, DROVE_EINVAL, DROVE_EEXISTS (already contending), DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_store_elect(drove_store *store, const void *data, size_t len,
                                drove_election_fn fn, void *userdata, drove_election **out);
/** 1 while this contender leads. Any thread. @since 0.1 */
DROVE_API int drove_election_is_leader(const drove_election *election);
/** The term of the current (or last) leadership, 0 before the first. @since 0.1 */
DROVE_API int64_t drove_election_term(const drove_election *election);
/** Resign (the node is deleted) and free; no callback follows. Loop thread. NULL is fine.
 *  @since 0.1 */
DROVE_API void drove_election_cancel(drove_election *election);
/** Who leads now: the data the leader passed to drove_store_elect() (`*data`, free with
 *  drove_free()) and its term (may be NULL). @return 0, DROVE_ENOTFOUND (no contender), or an
 *  error of drove_store_get(). Any thread. @since 0.1 */
DROVE_API int drove_store_leader(drove_store *store, char **data, size_t *len, int64_t *term);

/** Result of drove_store_leader_async(): rc 0 with the leader's data (borrowed for the call)
 *  and term, DROVE_ENOTFOUND when nobody contends, or the store's error. Loop thread. */
typedef void (*drove_store_leader_fn)(int rc, const char *data, size_t len, int64_t term,
                                      void *userdata);
/** drove_store_leader() without blocking: `fn` runs once on the loop thread (also when the
 *  store closes, with an error). @return 0, DROVE_EINVAL, DROVE_EUNAVAIL or DROVE_ENOMEM (no
 *  callback then). @since 0.1 */
DROVE_API int drove_store_leader_async(drove_store *store, drove_store_leader_fn fn,
                                       void *userdata);
/** Depose the leader of `term` (zk): delete its election node if that leader still leads,
 *  so the next contender takes over at once instead of after the dead leader's session
 *  timeout. For a standby that found the leader unresponsive (docs/operations.md). A leader
 *  whose node is deleted gets DROVE_STORE_LEADER_LOST and contends again. `done` (may be
 *  NULL) runs once on the loop thread: 0 when deposed, DROVE_ENOTFOUND when that leader is
 *  gone already, or the store's error. @return 0; DROVE_EINVAL (local store, bad term),
 *  DROVE_EUNAVAIL or DROVE_ENOMEM with no callback. @since 0.1 */
DROVE_API int drove_store_depose_leader(drove_store *store, int64_t term, drove_store_done_fn done,
                                        void *userdata);

/* ---- records (docs/store.md): JSON text per record, one node per record ---- */

/** Record kinds and their paths (§8.1 of the Drove reference). @since 0.1 */
enum drove_record_kind {
	DROVE_RECORD_APPLICATION = 1,            /**< /applications/{appId} */
	DROVE_RECORD_INSTANCE = 2,               /**< /instances/{appId}/{instanceId} */
	DROVE_RECORD_TASK = 3,                   /**< /tasks/{sourceAppName}/{taskId} */
	DROVE_RECORD_LOCAL_SERVICE = 4,          /**< /localservices/{serviceId} */
	DROVE_RECORD_LOCAL_SERVICE_INSTANCE = 5, /**< /localserviceinstances/{serviceId}/{id} */
	DROVE_RECORD_EXECUTOR = 6,               /**< /executor/{hostname}-{port}, ephemeral */
	DROVE_RECORD_CONTROLLER = 7,             /**< /controller/{hostname}-{port}, ephemeral */
	DROVE_RECORD_CLUSTER_STATE = 8,          /**< /cluster/maintenance (no ids) */
};

/** The path of a record. `parent` is the first id (appId, sourceAppName, serviceId) for
 *  kinds with two ids, else NULL; `id` is the record's own id (NULL for CLUSTER_STATE).
 *  Ids must be one non-empty path component. @return 0, DROVE_EINVAL or DROVE_ENOMEM;
 *  free `*out` with drove_free(). @since 0.1 */
DROVE_API int drove_record_path(int kind, const char *parent, const char *id, char **out);
/** Store a record's JSON (create or overwrite; ephemeral for executors and controllers).
 *  @since 0.1 */
DROVE_API int drove_record_put(drove_store *store, int kind, const char *parent, const char *id,
                               const char *json, size_t len);
/** Load a record's JSON (`*json` NUL-terminated; free with drove_free()).
 *  @return 0, DROVE_ENOTFOUND ... @since 0.1 */
DROVE_API int drove_record_get(drove_store *store, int kind, const char *parent, const char *id,
                               char **json, size_t *len);
/** Delete a record (for APPLICATION and LOCAL_SERVICE it does not touch instances).
 *  @return 0 or DROVE_ENOTFOUND ... @since 0.1 */
DROVE_API int drove_record_delete(drove_store *store, int kind, const char *parent, const char *id);
/** The ids of the records of a kind (under `parent` for two-id kinds; for INSTANCE, TASK and
 *  LOCAL_SERVICE_INSTANCE with `parent` NULL: the parent ids). Empty, not an error, when
 *  there are none. @since 0.1 */
DROVE_API int drove_record_list(drove_store *store, int kind, const char *parent,
                                drove_strlist **out);

/** drove_record_put() without blocking: loop thread; `cb` (may be NULL) runs once on the loop
 *  thread with the result. @return 0, or an error and no callback. @since 0.1 */
DROVE_API int drove_record_put_async(drove_store *store, int kind, const char *parent,
                                     const char *id, const char *json, size_t len,
                                     drove_store_done_fn cb, void *userdata);
/** drove_record_get() without blocking (see drove_store_get_async()). @since 0.1 */
DROVE_API int drove_record_get_async(drove_store *store, int kind, const char *parent,
                                     const char *id, drove_store_get_fn cb, void *userdata);
/** drove_record_delete() without blocking. @since 0.1 */
DROVE_API int drove_record_delete_async(drove_store *store, int kind, const char *parent,
                                        const char *id, drove_store_done_fn cb, void *userdata);

DROVE_END_DECLS
#endif
