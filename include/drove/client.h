/*
 * A synchronous REST client of a Drove cluster's /apis/v1 (DROVE_API.md §1, §2, §4), with
 * leader tracking across several controller endpoints, retries with bounded exponential
 * backoff and timeouts. The drove CLI, Epoch and the bindings use it; docs/cli.md.
 *
 * Leader tracking: the client pings GET /apis/v1/ping on each endpoint in order; the first
 * that answers 200 is the leader. It pings again when a call fails with a transport error or
 * a 400 "This node is not the leader controller".
 *
 * Errors of the envelope calls (drove_client_call() and the typed helpers): 200 + SUCCESS is
 * success; 200 + FAILED "... not found" / "No such ..." is DROVE_ENOTFOUND, other 200 + FAILED
 * is DROVE_ERROR; 400 is DROVE_EINVAL (the message joins data.validationErrors); 401 and 403
 * are DROVE_EAUTH; no reachable leader is DROVE_EUNAVAIL; a call that did not finish in time
 * is DROVE_ETIMEOUT. The controller's message always reaches drove_error_last().
 *
 * Threads: a drove_client is used by one thread at a time; calls block that thread.
 * Strings returned through `char **out` are freed with drove_free().
 */
#ifndef DROVE_CLIENT_H
#define DROVE_CLIENT_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/model.h>
#include <drove/strlist.h>

DROVE_BEGIN_DECLS

typedef struct drove_client drove_client;
typedef struct drove_client_response drove_client_response;
typedef struct drove_client_config drove_client_config;

/* ---- the client ---- */

/** A client with no endpoint yet, no authentication, TLS verification on, a 5 s connect and
 *  30 s request timeout, and 3 retries with backoff 200 ms doubling up to 2 s. `ctx` is
 *  borrowed and must outlive the client. @return 0, DROVE_EINVAL, DROVE_ENOMEM or DROVE_ERROR.
 *  @since 0.1 */
DROVE_API int drove_client_new(drove_client **out, drove_ctx *ctx);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_client_free(drove_client *client);
/** Add a controller endpoint, "http[s]://host:port" (a trailing '/' is dropped). Endpoints
 *  are pinged in the order added. @return 0, DROVE_EINVAL (not http/https) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_client_add_endpoint(drove_client *client, const char *url);
/** HTTP basic authentication (replaces a raw header). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_set_basic_auth(drove_client *client, const char *user,
                                          const char *password);
/** Send `value` verbatim as the Authorization header (a token; replaces basic auth).
 *  @return 0, DROVE_EINVAL (a CR or LF in it) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_set_auth_header(drove_client *client, const char *value);
/** 1: do not verify TLS certificates or host names. Verification (the default) trusts the
 *  system store, or the PEM bundle named by $CURL_CA_BUNDLE or $SSL_CERT_FILE when set; a
 *  failure is DROVE_EUNAVAIL with "TLS certificate verification failed" in the message.
 *  @since 0.1 */
DROVE_API void drove_client_set_insecure(drove_client *client, int insecure);
/** Connect and whole-request timeouts in ms (each >= 1). @return 0 or DROVE_EINVAL.
 *  @since 0.1 */
DROVE_API int drove_client_set_timeouts(drove_client *client, int64_t connect_ms,
                                        int64_t request_ms);
/** Retries after a transport failure or a non-leader answer (0..100), and the backoff before
 *  retry i: min(backoff_ms * 2^i, max_backoff_ms). A POST is retried only when the connection
 *  could not be made (it never reached a controller). @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_client_set_retries(drove_client *client, int retries, int64_t backoff_ms,
                                       int64_t max_backoff_ms);
/** Ping every endpoint now and remember the first that answers 200.
 *  @return 0, DROVE_EAUTH (an endpoint refused the credentials; its message), DROVE_EUNAVAIL
 *  (the message lists what each endpoint said) or DROVE_EINVAL (no endpoint). @since 0.1 */
DROVE_API int drove_client_find_leader(drove_client *client);
/** The leader's endpoint URL, or NULL when not known yet; borrowed. @since 0.1 */
DROVE_API const char *drove_client_leader(const drove_client *client);

/* ---- raw and envelope calls ---- */

/** Send `method` ("GET", "POST", "DELETE", "PUT") to `path` (starting with "/", already
 *  escaped) with `query` (without '?', may be NULL) and a JSON `body` (may be NULL) to the
 *  leader, finding it first when needed. Any HTTP answer of the leader is a success here
 *  (check drove_client_response_status()).
 *  @return 0, DROVE_EINVAL, DROVE_EAUTH (401 from every endpoint while finding the leader),
 *  DROVE_EUNAVAIL, DROVE_ETIMEOUT or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_request(drove_client *client, const char *method, const char *path,
                                   const char *query, const char *body,
                                   drove_client_response **out);
/** The HTTP status. @since 0.1 */
DROVE_API int drove_client_response_status(const drove_client_response *resp);
/** The raw body (NUL-terminated); `len` may be NULL. @since 0.1 */
DROVE_API const char *drove_client_response_body(const drove_client_response *resp, size_t *len);
/** 1 when the body is an envelope whose status is SUCCESS. @since 0.1 */
DROVE_API int drove_client_response_ok(const drove_client_response *resp);
/** The envelope's message; NULL when the body is no envelope. @since 0.1 */
DROVE_API const char *drove_client_response_message(const drove_client_response *resp);
/** The envelope's data as compact JSON text; NULL when absent. @since 0.1 */
DROVE_API const char *drove_client_response_data(const drove_client_response *resp);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_client_response_free(drove_client_response *resp);

/** drove_client_request() plus the envelope rules of this header: on 200 + SUCCESS,
 *  `*data_out` (may be NULL) gets the data as JSON text ("null" when absent).
 *  @return 0 or an error code as described at the top of this header. @since 0.1 */
DROVE_API int drove_client_call(drove_client *client, const char *method, const char *path,
                                const char *query, const char *body, char **data_out);

/** The HTTP status of the last drove_client_call() (or typed helper using it) that reached the
 *  leader; 0 before any, or when the last call got no answer. Lets bindings tell a 400 from
 *  another error. @since 0.1 */
DROVE_API int drove_client_last_status(const drove_client *client);
/** When the last drove_client_call() (or typed helper) failed with an envelope carrying data,
 *  that data as compact JSON text (a 400's `{"validationErrors":[...]}` keeps every message as
 *  sent, which drove_error_last() joins and may truncate); NULL otherwise. Borrowed until the
 *  next call on `client`. @since 0.1 */
DROVE_API const char *drove_client_last_error_data(const drove_client *client);

/* ---- resources: drove_client_<resource>_<verb> (docs/api-stability.md, "Client names") ----
 * A function ending in `_json` returns the envelope's data as JSON text in `*out` (the plain
 * names are kept for typed records). Ids are escaped here. `timeout` is a Drove duration (NULL:
 * "5m"), `parallelism` < 1 means 1 (the operation's opSpec, failureStrategy STOP). `out` may be
 * NULL where the data is not needed. Errors as for drove_client_call(). */

/** GET /ping: 0 when a leader answered. @since 0.1 */
DROVE_API int drove_client_ping(drove_client *client);
/** GET /applications: object keyed by appId. @since 0.1 */
DROVE_API int drove_client_app_list_json(drove_client *client, char **out);
/** GET /applications/{appId}: the AppSummary. @since 0.1 */
DROVE_API int drove_client_app_get_json(drove_client *client, const char *app_id, char **out);
/** GET /applications/{appId}/spec. @since 0.1 */
DROVE_API int drove_client_app_spec_get_json(drove_client *client, const char *app_id, char **out);
/** GET /applications/{appId}/instances; `states` a comma-separated list of InstanceStates
 *  (NULL: the active set). @since 0.1 */
DROVE_API int drove_client_app_instance_list_json(drove_client *client, const char *app_id,
                                                  const char *states, char **out);
/** GET /applications/{appId}/instances/old. @since 0.1 */
DROVE_API int drove_client_app_instance_list_old_json(drove_client *client, const char *app_id,
                                                      char **out);
/** GET /applications/{appId}/instances/{instanceId}. @since 0.1 */
DROVE_API int drove_client_app_instance_get_json(drove_client *client, const char *app_id,
                                                 const char *instance_id, char **out);
/** POST /applications/operations with `op_json` as is. @since 0.1 */
DROVE_API int drove_client_app_operation_json(drove_client *client, const char *op_json,
                                              char **out);
/** CREATE with `spec_json` (an ApplicationSpec) and `instances`; `*app_id_out` (may be NULL)
 *  gets the appId. @since 0.1 */
DROVE_API int drove_client_app_create(drove_client *client, const char *spec_json,
                                      int64_t instances, const char *timeout, int parallelism,
                                      char **app_id_out);
/** SCALE to `required` instances. @since 0.1 */
DROVE_API int drove_client_app_scale(drove_client *client, const char *app_id, int64_t required,
                                     const char *timeout, int parallelism);
/** START_INSTANCES: `count` more instances. @since 0.1 */
DROVE_API int drove_client_app_instance_start(drove_client *client, const char *app_id,
                                              int64_t count, const char *timeout, int parallelism);
/** SUSPEND. @since 0.1 */
DROVE_API int drove_client_app_suspend(drove_client *client, const char *app_id,
                                       const char *timeout, int parallelism);
/** RECOVER. @since 0.1 */
DROVE_API int drove_client_app_recover(drove_client *client, const char *app_id);
/** REPLACE_INSTANCES of every healthy instance (a rolling restart). @since 0.1 */
DROVE_API int drove_client_app_restart(drove_client *client, const char *app_id, int stop_first,
                                       const char *timeout, int parallelism);
/** DESTROY. @since 0.1 */
DROVE_API int drove_client_app_destroy(drove_client *client, const char *app_id);
/** POST /applications/operations/{appId}/cancel. @since 0.1 */
DROVE_API int drove_client_app_cancel(drove_client *client, const char *app_id);
/** REPLACE_INSTANCES of the `n` listed instances. @since 0.1 */
DROVE_API int drove_client_app_instance_replace(drove_client *client, const char *app_id,
                                                const char *const *instance_ids, size_t n,
                                                int stop_first, const char *timeout,
                                                int parallelism);
/** STOP_INSTANCES of the `n` listed instances; `skip_respawn` 1 lowers the expected count.
 *  @since 0.1 */
DROVE_API int drove_client_app_instance_kill(drove_client *client, const char *app_id,
                                             const char *const *instance_ids, size_t n,
                                             int skip_respawn, const char *timeout,
                                             int parallelism);

/** Task CREATE with `spec_json` (a TaskSpec); `*task_id_out` (may be NULL) gets the run id.
 *  @since 0.1 */
DROVE_API int drove_client_task_create(drove_client *client, const char *spec_json,
                                       const char *timeout, char **task_id_out);
/** GET /tasks (active tasks). @since 0.1 */
DROVE_API int drove_client_task_list_json(drove_client *client, char **out);
/** GET /tasks/{sourceAppName}/instances/{taskId}. @since 0.1 */
DROVE_API int drove_client_task_get_json(drove_client *client, const char *source_app,
                                         const char *task_id, char **out);
/** Task KILL. @since 0.1 */
DROVE_API int drove_client_task_kill(drove_client *client, const char *source_app,
                                     const char *task_id, const char *timeout);
/** DELETE /tasks/{sourceAppName}/instances/{taskId} (the stored record). @since 0.1 */
DROVE_API int drove_client_task_delete(drove_client *client, const char *source_app,
                                       const char *task_id);

/** GET /localservices: object keyed by serviceId. @since 0.1 */
DROVE_API int drove_client_local_service_list_json(drove_client *client, char **out);
/** GET /localservices/{serviceId}. @since 0.1 */
DROVE_API int drove_client_local_service_get_json(drove_client *client, const char *service_id,
                                                  char **out);
/** GET /localservices/{serviceId}/spec. @since 0.1 */
DROVE_API int drove_client_local_service_spec_get_json(drove_client *client, const char *service_id,
                                                       char **out);
/** GET /localservices/{serviceId}/instances (`states` as for apps). @since 0.1 */
DROVE_API int drove_client_local_service_instance_list_json(drove_client *client,
                                                            const char *service_id,
                                                            const char *states, char **out);
/** GET /localservices/{serviceId}/instances/old. @since 0.1 */
DROVE_API int drove_client_local_service_instance_list_old_json(drove_client *client,
                                                                const char *service_id, char **out);
/** GET /localservices/{serviceId}/instances/{instanceId}. @since 0.1 */
DROVE_API int drove_client_local_service_instance_get_json(drove_client *client,
                                                           const char *service_id,
                                                           const char *instance_id, char **out);
/** POST /localservices/operations with `op_json` as is. @since 0.1 */
DROVE_API int drove_client_local_service_operation_json(drove_client *client, const char *op_json,
                                                        char **out);
/** CREATE with `spec_json` and `instances_per_host`; `*service_id_out` may be NULL.
 *  @since 0.1 */
DROVE_API int drove_client_local_service_create(drove_client *client, const char *spec_json,
                                                int instances_per_host, char **service_id_out);
/** The local-service operations that take only a serviceId (drove_client_local_service_op()).
 *  @since 0.1 */
enum drove_client_local_service_op_type {
	DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE = 1,
	DROVE_CLIENT_LOCAL_SERVICE_DEACTIVATE = 2,
	DROVE_CLIENT_LOCAL_SERVICE_DEPLOY_TEST_INSTANCE = 3,
	DROVE_CLIENT_LOCAL_SERVICE_DESTROY = 4,
	DROVE_CLIENT_LOCAL_SERVICE_ADJUST_INSTANCES = 5,
};
/** Run `op` (enum drove_client_local_service_op_type) on the local service.
 *  @return as drove_client_call(); DROVE_EINVAL for another value. @since 0.1 */
DROVE_API int drove_client_local_service_op(drove_client *client, int op, const char *service_id);
/** UPDATE_INSTANCE_COUNT. @since 0.1 */
DROVE_API int drove_client_local_service_update_instances(drove_client *client,
                                                          const char *service_id,
                                                          int instances_per_host);
/** RESTART (REPLACE_INSTANCES of all). @since 0.1 */
DROVE_API int drove_client_local_service_restart(drove_client *client, const char *service_id,
                                                 int stop_first, const char *timeout,
                                                 int parallelism);
/** POST /localservices/operations/{serviceId}/cancel. @since 0.1 */
DROVE_API int drove_client_local_service_cancel(drove_client *client, const char *service_id);
/** What drove_client_local_service_instance_op() does to the listed instances. @since 0.1 */
enum drove_client_instance_op {
	DROVE_CLIENT_INSTANCE_REPLACE = 0, /**< REPLACE_INSTANCES */
	DROVE_CLIENT_INSTANCE_KILL = 1,    /**< STOP_INSTANCES */
};
/** `op` (enum drove_client_instance_op) on the `n` listed instances. @since 0.1 */
DROVE_API int drove_client_local_service_instance_op(drove_client *client, const char *service_id,
                                                     const char *const *instance_ids, size_t n,
                                                     int op, const char *timeout, int parallelism);

/** GET /cluster: the ClusterSummary. @since 0.1 */
DROVE_API int drove_client_cluster_get_json(drove_client *client, char **out);
/** POST /cluster/maintenance/set (`on` 1) or unset. @since 0.1 */
DROVE_API int drove_client_cluster_maintenance_set_json(drove_client *client, int on, char **out);
/** GET /cluster/events?lastSyncTime=&size= (the list form). @since 0.1 */
DROVE_API int drove_client_event_list_json(drove_client *client, int64_t last_sync_time, int size,
                                           char **out);
/** GET /cluster/events/summary?lastSyncTime=. @since 0.1 */
DROVE_API int drove_client_event_summary_get_json(drove_client *client, int64_t last_sync_time,
                                                  char **out);
/** GET /cluster/executors. @since 0.1 */
DROVE_API int drove_client_executor_list_json(drove_client *client, char **out);
/** GET /cluster/executors/{executorId}: the ExecutorNodeData. @since 0.1 */
DROVE_API int drove_client_executor_get_json(drove_client *client, const char *executor_id,
                                             char **out);
/** POST /cluster/executors/blacklist?id=… (`on` 1) or unblacklist for the `n` ids: the
 *  BlacklistOperationResponse. @since 0.1 */
DROVE_API int drove_client_executor_blacklist_json(drove_client *client, const char *const *ids,
                                                   size_t n, int on, char **out);
/** GET /endpoints (`app_name` NULL: every app). @since 0.1 */
DROVE_API int drove_client_endpoint_list_json(drove_client *client, const char *app_name,
                                              char **out);

/* ---- typed records (docs/typed-client.md) ----
 * drove_client_<resource>_<verb>(client, ids..., T **out) is the `_json` function of the same
 * name plus a decode by the model module (the decoders the controller uses) into an opaque,
 * read-only record.
 *
 * Ownership: `*out` is the caller's, freed with T_free() or T_list_free() (NULL is fine); it is
 * NULL after an error. A record got with T_list_get() is borrowed from its list. Strings,
 * maps and JSON a getter returns are borrowed from the record and live as long as it (a list's
 * record: as long as the list).
 * Errors: as the `_json` function of the same name; a body that does not decode is DROVE_ERROR,
 * its message naming the field ("AppSummary: state: unknown value ..."; in a list the element
 * first: "[2].state" or "TEST_APP-1: state").
 * Threads: a record never changes once built; any number of threads may read it at once.
 * Absent values: a string getter returns NULL, a number 0, a state getter -1 (on a NULL
 * record, or where Drove may omit the state: summaries, a task's result).
 * Each record keeps its JSON (T_json()), so a field without a getter is still reachable.
 * (C++: after this header the enum types drove_instance_state, drove_task_state and
 * drove_task_result_status are spelled with `enum`: their names are getters here too.) */

typedef struct drove_application drove_application;
typedef struct drove_application_list drove_application_list;
typedef struct drove_instance drove_instance;
typedef struct drove_instance_list drove_instance_list;
typedef struct drove_task drove_task;
typedef struct drove_task_list drove_task_list;
typedef struct drove_local_service drove_local_service;
typedef struct drove_local_service_list drove_local_service_list;
typedef struct drove_executor_info drove_executor_info;
typedef struct drove_executor_info_list drove_executor_info_list;
typedef struct drove_cluster_summary drove_cluster_summary;
typedef struct drove_cluster_event drove_cluster_event;
typedef struct drove_cluster_event_list drove_cluster_event_list;
typedef struct drove_endpoint drove_endpoint;
typedef struct drove_endpoint_list drove_endpoint_list;
typedef struct drove_event_summary drove_event_summary;

/** GET /applications: every AppSummary. @since 0.1 */
DROVE_API int drove_client_app_list(drove_client *client, drove_application_list **out);
/** GET /applications/{appId}. @since 0.1 */
DROVE_API int drove_client_app_get(drove_client *client, const char *app_id,
                                   drove_application **out);
/** GET /applications/{appId}/instances (`states` as for the `_json` function). @since 0.1 */
DROVE_API int drove_client_app_instance_list(drove_client *client, const char *app_id,
                                             const char *states, drove_instance_list **out);
/** GET /applications/{appId}/instances/old. @since 0.1 */
DROVE_API int drove_client_app_instance_list_old(drove_client *client, const char *app_id,
                                                 drove_instance_list **out);
/** GET /applications/{appId}/instances/{instanceId}. @since 0.1 */
DROVE_API int drove_client_app_instance_get(drove_client *client, const char *app_id,
                                            const char *instance_id, drove_instance **out);
/** GET /tasks (active tasks). @since 0.1 */
DROVE_API int drove_client_task_list(drove_client *client, drove_task_list **out);
/** GET /tasks/{sourceAppName}/instances/{taskId}. @since 0.1 */
DROVE_API int drove_client_task_get(drove_client *client, const char *source_app,
                                    const char *task_id, drove_task **out);
/** GET /localservices: every LocalServiceSummary. @since 0.1 */
DROVE_API int drove_client_local_service_list(drove_client *client, drove_local_service_list **out);
/** GET /localservices/{serviceId}. @since 0.1 */
DROVE_API int drove_client_local_service_get(drove_client *client, const char *service_id,
                                             drove_local_service **out);
/** GET /localservices/{serviceId}/instances (`states` as for apps). @since 0.1 */
DROVE_API int drove_client_local_service_instance_list(drove_client *client, const char *service_id,
                                                       const char *states,
                                                       drove_instance_list **out);
/** GET /localservices/{serviceId}/instances/old. @since 0.1 */
DROVE_API int drove_client_local_service_instance_list_old(drove_client *client,
                                                           const char *service_id,
                                                           drove_instance_list **out);
/** GET /localservices/{serviceId}/instances/{instanceId}. @since 0.1 */
DROVE_API int drove_client_local_service_instance_get(drove_client *client, const char *service_id,
                                                      const char *instance_id,
                                                      drove_instance **out);
/** GET /cluster. @since 0.1 */
DROVE_API int drove_client_cluster_get(drove_client *client, drove_cluster_summary **out);
/** GET /cluster/executors: every ExecutorSummary (removed ones too, state REMOVED).
 *  @since 0.1 */
DROVE_API int drove_client_executor_list(drove_client *client, drove_executor_info_list **out);
/** GET /cluster/executors/{executorId}: the ExecutorNodeData, summed up as in the list (cores
 *  and MB over the NUMA nodes); its JSON is the whole ExecutorNodeData. @since 0.1 */
DROVE_API int drove_client_executor_get(drove_client *client, const char *executor_id,
                                        drove_executor_info **out);
/** GET /cluster/events?lastSyncTime=&size= (the list form). @since 0.1 */
DROVE_API int drove_client_event_list(drove_client *client, int64_t last_sync_time, int size,
                                      drove_cluster_event_list **out);
/** GET /endpoints (`app_name` NULL: every app): every ExposedAppInfo (§2.4), apps without a
 *  healthy instance included with no hosts. @since 0.1 */
DROVE_API int drove_client_endpoint_list(drove_client *client, const char *app_name,
                                         drove_endpoint_list **out);
/** Decode a GET /endpoints body fetched by the caller (the gateway reads it on its own event
 *  loop): the envelope `{"status":"SUCCESS","data":[...]}` or the bare array, at most 64 MiB.
 *  `body` is borrowed for the call; `*out` is the caller's, NULL after an error. Every app
 *  must have appName and vhost, every host a host and a port in 1..65535.
 *  @return 0, DROVE_EINVAL (NULL argument), DROVE_ERROR (a status other than SUCCESS, not
 *  JSON, or a bad field: "ExposedAppInfo: [2].hosts[0].port: ...") or DROVE_ENOMEM. Needs no
 *  client and no context; safe from any thread. @since 0.1 */
DROVE_API int drove_endpoint_list_decode(const char *body, size_t len, drove_endpoint_list **out);
/** GET /cluster/events/summary?lastSyncTime=: the DroveEventsSummary. @since 0.1 */
DROVE_API int drove_client_event_summary_get(drove_client *client, int64_t last_sync_time,
                                             drove_event_summary **out);
/** Decode a GET /cluster/events/summary body fetched by the caller (the gateway's poll): the
 *  envelope (status must be SUCCESS) or the bare DroveEventsSummary, at most 1 MiB.
 *  Ownership, errors ("DroveEventsSummary: lastSyncTime: ...") and threads as for
 *  drove_endpoint_list_decode(). @since 0.1 */
DROVE_API int drove_event_summary_decode(const char *body, size_t len, drove_event_summary **out);

/* drove_application: an AppSummary (§2.2). @since 0.1 */
DROVE_API const char *drove_application_id(const drove_application *app);
DROVE_API const char *drove_application_name(const drove_application *app);
/** enum drove_app_state, or -1 when the app has no state machine. @since 0.1 */
DROVE_API int drove_application_state(const drove_application *app);
DROVE_API int64_t drove_application_required_instances(const drove_application *app);
DROVE_API int64_t drove_application_healthy_instances(const drove_application *app);
DROVE_API int64_t drove_application_total_cpus(const drove_application *app);
/** Total memory in MB. @since 0.1 */
DROVE_API int64_t drove_application_total_memory(const drove_application *app);
/** The spec's tags; NULL when none. @since 0.1 */
DROVE_API const drove_strmap *drove_application_tags(const drove_application *app);
/** Epoch ms. @since 0.1 */
DROVE_API int64_t drove_application_created(const drove_application *app);
DROVE_API int64_t drove_application_updated(const drove_application *app);
/** The AppSummary as compact JSON. @since 0.1 */
DROVE_API const char *drove_application_json(const drove_application *app);
DROVE_API void drove_application_free(drove_application *app);
DROVE_API size_t drove_application_list_count(const drove_application_list *list);
/** The i-th record (in the controller's order), or NULL when i >= count. @since 0.1 */
DROVE_API const drove_application *drove_application_list_get(const drove_application_list *list,
                                                              size_t i);
DROVE_API void drove_application_list_free(drove_application_list *list);

/* drove_instance: an application's InstanceInfo or a local service's (§6.2, §6.3). @since 0.1 */
/** appId, or serviceId for a local-service instance. @since 0.1 */
DROVE_API const char *drove_instance_app_id(const drove_instance *inst);
/** appName, or serviceName. @since 0.1 */
DROVE_API const char *drove_instance_app_name(const drove_instance *inst);
DROVE_API const char *drove_instance_id(const drove_instance *inst);
DROVE_API const char *drove_instance_executor_id(const drove_instance *inst);
/** localInfo.hostname; NULL until the container exists. @since 0.1 */
DROVE_API const char *drove_instance_host(const drove_instance *inst);
/** enum drove_instance_state. @since 0.1 */
DROVE_API int drove_instance_state(const drove_instance *inst);
/** The ports of localInfo, and the i-th one's name, host port, container port and type
 *  ("HTTP", ...); NULL / 0 when i >= count. @since 0.1 */
DROVE_API size_t drove_instance_port_count(const drove_instance *inst);
DROVE_API const char *drove_instance_port_name(const drove_instance *inst, size_t i);
DROVE_API int drove_instance_port_host(const drove_instance *inst, size_t i);
DROVE_API int drove_instance_port_container(const drove_instance *inst, size_t i);
DROVE_API const char *drove_instance_port_type(const drove_instance *inst, size_t i);
/** errorMessage ("" when none was sent, NULL when absent). @since 0.1 */
DROVE_API const char *drove_instance_error_message(const drove_instance *inst);
DROVE_API int64_t drove_instance_created(const drove_instance *inst);
DROVE_API int64_t drove_instance_updated(const drove_instance *inst);
DROVE_API const char *drove_instance_json(const drove_instance *inst);
DROVE_API void drove_instance_free(drove_instance *inst);
DROVE_API size_t drove_instance_list_count(const drove_instance_list *list);
DROVE_API const drove_instance *drove_instance_list_get(const drove_instance_list *list, size_t i);
DROVE_API void drove_instance_list_free(drove_instance_list *list);

/* drove_task: a TaskInfo (§6.4). @since 0.1 */
DROVE_API const char *drove_task_source_app(const drove_task *task);
DROVE_API const char *drove_task_id(const drove_task *task);
DROVE_API const char *drove_task_instance_id(const drove_task *task);
DROVE_API const char *drove_task_executor_id(const drove_task *task);
/** NULL until the container exists. @since 0.1 */
DROVE_API const char *drove_task_host(const drove_task *task);
/** enum drove_task_state. @since 0.1 */
DROVE_API int drove_task_state(const drove_task *task);
/** taskResult.status (enum drove_task_result_status), -1 until the run completes. @since 0.1 */
DROVE_API int drove_task_result_status(const drove_task *task);
/** taskResult.exitCode; 0 without a result. @since 0.1 */
DROVE_API int64_t drove_task_exit_code(const drove_task *task);
DROVE_API const char *drove_task_error_message(const drove_task *task);
DROVE_API int64_t drove_task_created(const drove_task *task);
DROVE_API int64_t drove_task_updated(const drove_task *task);
DROVE_API const char *drove_task_json(const drove_task *task);
DROVE_API void drove_task_free(drove_task *task);
DROVE_API size_t drove_task_list_count(const drove_task_list *list);
DROVE_API const drove_task *drove_task_list_get(const drove_task_list *list, size_t i);
DROVE_API void drove_task_list_free(drove_task_list *list);

/* drove_local_service: a LocalServiceSummary (§2.6). @since 0.1 */
DROVE_API const char *drove_local_service_id(const drove_local_service *ls);
DROVE_API const char *drove_local_service_name(const drove_local_service *ls);
/** enum drove_ls_state, or -1. @since 0.1 */
DROVE_API int drove_local_service_state(const drove_local_service *ls);
/** enum drove_ls_activation_state, or -1. @since 0.1 */
DROVE_API int drove_local_service_activation(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_instances_per_host(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_healthy_instances(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_total_cpus(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_total_memory(const drove_local_service *ls);
DROVE_API const drove_strmap *drove_local_service_tags(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_created(const drove_local_service *ls);
DROVE_API int64_t drove_local_service_updated(const drove_local_service *ls);
DROVE_API const char *drove_local_service_json(const drove_local_service *ls);
DROVE_API void drove_local_service_free(drove_local_service *ls);
DROVE_API size_t drove_local_service_list_count(const drove_local_service_list *list);
DROVE_API const drove_local_service *
drove_local_service_list_get(const drove_local_service_list *list, size_t i);
DROVE_API void drove_local_service_list_free(drove_local_service_list *list);

/* drove_executor_info: an ExecutorSummary (§2.7); its name because drove_executor is the
 * executor daemon (executor.h). @since 0.1 */
DROVE_API const char *drove_executor_info_id(const drove_executor_info *ex);
DROVE_API const char *drove_executor_info_host(const drove_executor_info *ex);
DROVE_API int drove_executor_info_port(const drove_executor_info *ex);
/** transportType: "HTTP" or "HTTPS"; NULL when absent. @since 0.1 */
DROVE_API const char *drove_executor_info_transport(const drove_executor_info *ex);
/** enum drove_executor_state, or -1. @since 0.1 */
DROVE_API int drove_executor_info_state(const drove_executor_info *ex);
/** Free / used cores (counts) and memory (MB). @since 0.1 */
DROVE_API int64_t drove_executor_info_free_cores(const drove_executor_info *ex);
DROVE_API int64_t drove_executor_info_used_cores(const drove_executor_info *ex);
DROVE_API int64_t drove_executor_info_free_memory(const drove_executor_info *ex);
DROVE_API int64_t drove_executor_info_used_memory(const drove_executor_info *ex);
/** The tags, and the i-th (NULL when i >= count). @since 0.1 */
DROVE_API size_t drove_executor_info_tag_count(const drove_executor_info *ex);
DROVE_API const char *drove_executor_info_tag(const drove_executor_info *ex, size_t i);
DROVE_API const char *drove_executor_info_json(const drove_executor_info *ex);
DROVE_API void drove_executor_info_free(drove_executor_info *ex);
DROVE_API size_t drove_executor_info_list_count(const drove_executor_info_list *list);
DROVE_API const drove_executor_info *
drove_executor_info_list_get(const drove_executor_info_list *list, size_t i);
DROVE_API void drove_executor_info_list_free(drove_executor_info_list *list);

/* drove_cluster_summary: a ClusterSummary (§2.7); resource figures cover ACTIVE executors.
 * @since 0.1 */
DROVE_API const char *drove_cluster_summary_leader(const drove_cluster_summary *cs);
/** enum drove_cluster_state, or -1. @since 0.1 */
DROVE_API int drove_cluster_summary_state(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_executors(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_applications(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_active_applications(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_active_tasks(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_local_services(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_active_local_services(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_free_cores(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_used_cores(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_total_cores(const drove_cluster_summary *cs);
/** MB. @since 0.1 */
DROVE_API int64_t drove_cluster_summary_free_memory(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_used_memory(const drove_cluster_summary *cs);
DROVE_API int64_t drove_cluster_summary_total_memory(const drove_cluster_summary *cs);
DROVE_API const char *drove_cluster_summary_json(const drove_cluster_summary *cs);
DROVE_API void drove_cluster_summary_free(drove_cluster_summary *cs);

/* drove_cluster_event: one event (§7.1); only in lists. @since 0.1 */
/** enum drove_event_type. @since 0.1 */
DROVE_API int drove_cluster_event_type(const drove_cluster_event *ev);
DROVE_API const char *drove_cluster_event_id(const drove_cluster_event *ev);
/** Epoch ms. @since 0.1 */
DROVE_API int64_t drove_cluster_event_time(const drove_cluster_event *ev);
/** The metadata, every value as text ("1719977629042"); NULL when none. @since 0.1 */
DROVE_API const drove_strmap *drove_cluster_event_metadata(const drove_cluster_event *ev);
DROVE_API const char *drove_cluster_event_json(const drove_cluster_event *ev);
DROVE_API size_t drove_cluster_event_list_count(const drove_cluster_event_list *list);
DROVE_API const drove_cluster_event *
drove_cluster_event_list_get(const drove_cluster_event_list *list, size_t i);
DROVE_API void drove_cluster_event_list_free(drove_cluster_event_list *list);

/* drove_endpoint: one ExposedAppInfo (§2.4); only in lists. @since 0.1 */
DROVE_API const char *drove_endpoint_app_id(const drove_endpoint *ep);
DROVE_API const char *drove_endpoint_app_name(const drove_endpoint *ep);
DROVE_API const char *drove_endpoint_vhost(const drove_endpoint *ep);
/** The app's tags; NULL when none. @since 0.1 */
DROVE_API const drove_strmap *drove_endpoint_tags(const drove_endpoint *ep);
/** The hosts (healthy instances exposing the port), and the i-th one's hostname, host port and
 *  port type as Drove sent it ("HTTP", ...; NULL when absent); NULL / 0 when i >= count.
 *  @since 0.1 */
DROVE_API size_t drove_endpoint_host_count(const drove_endpoint *ep);
DROVE_API const char *drove_endpoint_host(const drove_endpoint *ep, size_t i);
DROVE_API int drove_endpoint_host_port(const drove_endpoint *ep, size_t i);
DROVE_API const char *drove_endpoint_host_port_type(const drove_endpoint *ep, size_t i);
DROVE_API const char *drove_endpoint_json(const drove_endpoint *ep);
DROVE_API size_t drove_endpoint_list_count(const drove_endpoint_list *list);
DROVE_API const drove_endpoint *drove_endpoint_list_get(const drove_endpoint_list *list, size_t i);
DROVE_API void drove_endpoint_list_free(drove_endpoint_list *list);

/* drove_event_summary: a DroveEventsSummary. @since 0.1 */
/** lastSyncTime (epoch ms; the next poll's lastSyncTime); 0 when absent. @since 0.1 */
DROVE_API int64_t drove_event_summary_last_sync_time(const drove_event_summary *s);
/** The number of events of `type` ("APP_STATE_CHANGE", ...) since the poll's lastSyncTime; 0
 *  when none. @since 0.1 */
DROVE_API int64_t drove_event_summary_count(const drove_event_summary *s, const char *type);
DROVE_API const char *drove_event_summary_json(const drove_event_summary *s);
DROVE_API void drove_event_summary_free(drove_event_summary *s);

/* ---- log files (§2.9; no envelope). `kind` is "applications", "tasks" or "localservices";
 * id1/id2 are appId/instanceId, sourceAppName/taskId or serviceId/instanceId. 204 (unknown
 * object) is DROVE_ENOTFOUND; an executor error (400/500 {"error"}) is DROVE_ERROR with it. */

/** GET …/list: `{"files":[...]}` as JSON text. @since 0.1 */
DROVE_API int drove_client_log_list_json(drove_client *client, const char *kind, const char *id1,
                                         const char *id2, char **out);
/** GET …/read/{file}. With `*offset` -1, `*out` gets "" and `*offset` the file's size (where a
 *  tail starts); otherwise up to `length` bytes (-1: the executor's default) from `*offset`,
 *  and `*offset` advances past them. `len_out` may be NULL. @since 0.1 */
DROVE_API int drove_client_log_read(drove_client *client, const char *kind, const char *id1,
                                    const char *id2, const char *file, int64_t *offset,
                                    int64_t length, char **out, size_t *len_out);
/** GET …/download/{file}, written to `fd` as it arrives; `bytes_out` may be NULL.
 *  @return 0, DROVE_EIO (writing to fd) or as above. @since 0.1 */
DROVE_API int drove_client_log_download(drove_client *client, const char *kind, const char *id1,
                                        const char *id2, const char *file, int fd,
                                        int64_t *bytes_out);

/* ---- ~/.drove: the CLI's INI file (Python configparser format) ----
 * Sections "[name]" hold `key = value` (or `key: value`) lines; '#' and ';' start comments;
 * keys are case-insensitive and stored lowercase; the [DEFAULT] section's values are
 * inherited by every section. The CLI keys: DEFAULT.current_cluster, and per cluster
 * endpoint, username, password, auth_header, insecure. */

/** An empty configuration. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_config_new(drove_client_config **out);
/** Parse INI text (at most 1 MiB). @return 0, DROVE_EINVAL ("line N: ...") or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_client_config_parse(drove_client_config **out, const char *text, size_t len);
/** Read and parse a file. @return 0, DROVE_ENOTFOUND (no such file), DROVE_EIO or as parse.
 *  @since 0.1 */
DROVE_API int drove_client_config_load(drove_client_config **out, const char *path);
/** Write atomically (a temporary file renamed over `path`), mode 0600.
 *  @return 0, DROVE_EIO or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_config_save(const drove_client_config *cfg, const char *path);
/** Serialise (DEFAULT first, then sections in order). @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_config_to_string(const drove_client_config *cfg, char **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_client_config_free(drove_client_config *cfg);
/** A value of `section` ("DEFAULT" for the defaults), falling back to [DEFAULT]; NULL when
 *  absent; borrowed until the next change. @since 0.1 */
DROVE_API const char *drove_client_config_get(const drove_client_config *cfg, const char *section,
                                              const char *key);
/** Set (value non-NULL) or remove (NULL) a key, creating the section.
 *  @return 0, DROVE_EINVAL (bad name, or a newline in a value) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_client_config_set(drove_client_config *cfg, const char *section,
                                      const char *key, const char *value);
/** 1 when the section exists ("DEFAULT" always does). @since 0.1 */
DROVE_API int drove_client_config_has_section(const drove_client_config *cfg, const char *section);
/** Remove a section. @return 0 or DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_client_config_remove_section(drove_client_config *cfg, const char *section);
/** Sections other than DEFAULT, in file order; borrowed. @since 0.1 */
DROVE_API size_t drove_client_config_section_count(const drove_client_config *cfg);
DROVE_API const char *drove_client_config_section(const drove_client_config *cfg, size_t i);

DROVE_END_DECLS
#endif
