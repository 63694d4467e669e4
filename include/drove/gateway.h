/*
 * drove-gateway (DROVE_API.md §13): nginx configured from the controller's endpoints, and an
 * authoritative DNS responder for the same names. docs/gateway.md.
 *
 * Pure pieces: the gateway's YAML configuration; the model built from GET /apis/v1/endpoints
 * (vhost -> every HEALTHY host:port, grouped by a routing tag, filtered by a vhost allow-list
 * and suffix); a small template language that renders the model into an nginx configuration.
 *
 * The engine (drove_gateway) follows the cluster on a drove_loop: it pings every configured
 * controller (the first that answers 200 is the leader), polls the leader's events summary,
 * refetches the endpoints when an app or instance changed state, renders the template, writes
 * the file atomically, checks it with `nginx -t` and reloads nginx (at most once per reload
 * interval), keeping the last good file when nginx rejects a new one. The leader is exposed
 * on a configured vhost. With `dns:` configured it also answers DNS queries.
 *
 * Errors: DROVE_EINVAL with a message naming the field or line; DROVE_ENOMEM; DROVE_EIO.
 * Threads: configs, models and templates are shared read-only once built. A drove_gateway
 * belongs to its loop's thread: every function on it and every callback runs there.
 */
#ifndef DROVE_GATEWAY_H
#define DROVE_GATEWAY_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/loop.h>

DROVE_BEGIN_DECLS

/** Largest endpoints document accepted, in bytes. @since 0.1 */
#define DROVE_GATEWAY_ENDPOINTS_MAX (16 * 1024 * 1024)
/** Most apps in one endpoints document. @since 0.1 */
#define DROVE_GATEWAY_APPS_MAX 10000
/** Most hosts, over all apps, in one endpoints document. @since 0.1 */
#define DROVE_GATEWAY_HOSTS_MAX 100000
/** Largest template, in bytes. @since 0.1 */
#define DROVE_GATEWAY_TEMPLATE_MAX (1024 * 1024)
/** Deepest nesting of a template's blocks. @since 0.1 */
#define DROVE_GATEWAY_TEMPLATE_DEPTH 8

/* ---- configuration (gateway.yml) ---- */

/** A loaded gateway configuration. Opaque; shared read-only. @since 0.1 */
typedef struct drove_gateway_config drove_gateway_config;

/** Load gateway.yml (keys in docs/gateway.md; `${ENV}` substitution; unknown keys are
 *  errors). @return 0, DROVE_EINVAL ("file:line: key: problem"), DROVE_EIO or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_gateway_config_load(drove_gateway_config **out, drove_ctx *ctx,
                                        const char *path);
/** The same from memory (at most DROVE_CONFIG_MAX_SIZE bytes); `name` names it in errors.
 *  @since 0.1 */
DROVE_API int drove_gateway_config_load_buf(drove_gateway_config **out, drove_ctx *ctx,
                                            const char *name, const char *data, size_t len);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_gateway_config_free(drove_gateway_config *cfg);
/** A string setting by its YAML path ("nginx.config", "routing.leaderVhost", "dns.listen",
 *  ...); NULL when unset or unknown; borrowed. @since 0.1 */
DROVE_API const char *drove_gateway_config_get_string(const drove_gateway_config *cfg,
                                                      const char *key);
/** An integer setting by its YAML path (durations in ms: "drove.pingInterval", ...).
 *  @return 0, DROVE_EINVAL or DROVE_ENOTFOUND (no such key). @since 0.1 */
DROVE_API int drove_gateway_config_get_int(const drove_gateway_config *cfg, const char *key,
                                           int64_t *out);
/** The number of controller endpoints. @since 0.1 */
DROVE_API size_t drove_gateway_config_endpoint_count(const drove_gateway_config *cfg);
/** The i-th controller endpoint (NULL out of range); borrowed. @since 0.1 */
DROVE_API const char *drove_gateway_config_endpoint(const drove_gateway_config *cfg, size_t i);

/* ---- the model: vhosts and their upstreams ---- */

/** Vhosts with their healthy hosts. Opaque; shared read-only. @since 0.1 */
typedef struct drove_gateway_model drove_gateway_model;

/** Build the model from the body of GET /apis/v1/endpoints (the envelope, or its `data`
 *  array alone). Apps without hosts are left out; so are apps whose vhost is not in the
 *  allow-list (`routing.vhosts`) nor ends with `routing.vhostSuffix` when either is set, and
 *  apps or hosts whose names hold characters nginx would read as syntax (logged). Apps with
 *  the same vhost share it; hosts are grouped by the value of the app tag
 *  `routing.routingTag` (the vhost itself without one). `cfg` may be NULL (no filter).
 *  @return 0, DROVE_EINVAL (the message names the field, e.g. "data[2].hosts[0].port") or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_gateway_model_from_json(drove_gateway_model **out, drove_ctx *ctx,
                                            const drove_gateway_config *cfg, const char *json,
                                            size_t len);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_gateway_model_free(drove_gateway_model *m);
/** Vhosts, sorted by name. @since 0.1 */
DROVE_API size_t drove_gateway_model_vhost_count(const drove_gateway_model *m);
/** The i-th vhost; NULL out of range; borrowed. @since 0.1 */
DROVE_API const char *drove_gateway_model_vhost(const drove_gateway_model *m, size_t i);
/** Hosts of vhost i (all groups), sorted by host then port. @since 0.1 */
DROVE_API size_t drove_gateway_model_host_count(const drove_gateway_model *m, size_t i);
/** Host j of vhost i and its port in `*port` (may be NULL); NULL out of range; borrowed.
 *  @since 0.1 */
DROVE_API const char *drove_gateway_model_host(const drove_gateway_model *m, size_t i, size_t j,
                                               int *port);
/** Routing-tag groups of vhost i, sorted by name. @since 0.1 */
DROVE_API size_t drove_gateway_model_group_count(const drove_gateway_model *m, size_t i);
/** The name of group g of vhost i and its host count in `*hosts` (may be NULL); NULL out of
 *  range; borrowed. @since 0.1 */
DROVE_API const char *drove_gateway_model_group(const drove_gateway_model *m, size_t i, size_t g,
                                                size_t *hosts);

/* ---- the template ---- */

/** A parsed template. Opaque; shared read-only. @since 0.1 */
typedef struct drove_gateway_template drove_gateway_template;

/** Parse a template (docs/gateway.md, "Templates"): text with `{{name}}` variables and
 *  `{{#section}}...{{/section}}` blocks repeated per item (`vhosts`, `groups`, `hosts`,
 *  `leader`); a line holding only a block tag disappears from the output. Unknown names and
 *  misplaced or unclosed blocks are errors. `text` is copied.
 *  @return 0, DROVE_EINVAL ("template:LINE: problem") or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_gateway_template_new(drove_gateway_template **out, drove_ctx *ctx,
                                         const char *text, size_t len);
/** The built-in template (a complete nginx.conf). @since 0.1 */
DROVE_API const char *drove_gateway_template_default(void);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_gateway_template_free(drove_gateway_template *t);
/** Render `m` with `cfg`'s settings (`listen`, `leader_vhost`; `cfg` may be NULL) and the
 *  leader's URL (`leader_url` "http://host:port" or NULL: the `leader` block is left out,
 *  as it is without a leader vhost). `*out` is freed with drove_free().
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_gateway_render(const drove_gateway_template *t, const drove_gateway_model *m,
                                   const drove_gateway_config *cfg, const char *leader_url,
                                   char **out);

/* ---- the engine ---- */

/** The gateway engine. Opaque; the loop's thread only. @since 0.1 */
typedef struct drove_gateway drove_gateway;

/** Called on the loop thread after each attempt to apply a new configuration: `rc` 0 when
 *  nginx took it (or no nginx reload is configured), else the error code (the thread's error
 *  message says why; the previous file stays). @since 0.1 */
typedef void (*drove_gateway_applied_fn)(drove_gateway *gw, int rc, void *userdata);

/** A gateway on `loop` following the controllers of `cfg` (borrowed: it must outlive the
 *  gateway). Reads the template file (`nginx.template`, else the built-in one), creates the
 *  `nginx.prefix` directory when it is missing (one level) and, with `dns:`, binds its UDP
 *  socket. Nothing is sent before drove_gateway_start().
 *  @return 0, DROVE_EINVAL (bad template: the message names its line), DROVE_EIO (the
 *  template cannot be read, the prefix cannot be created, the DNS port cannot be bound) or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_gateway_new(drove_gateway **out, drove_loop *loop,
                                const drove_gateway_config *cfg);
/** Stops everything; requests in flight are cancelled. Leaves nginx running with its last
 *  configuration. NULL is fine. @since 0.1 */
DROVE_API void drove_gateway_free(drove_gateway *gw);
/** Start pinging, polling and applying. @return 0 or DROVE_EINVAL (started already).
 *  @since 0.1 */
DROVE_API int drove_gateway_start(drove_gateway *gw);
/** Read the template file again (the daemon does on SIGHUP) and apply the result.
 *  @return 0; DROVE_EINVAL or DROVE_EIO as for drove_gateway_new (the old template stays).
 *  @since 0.1 */
DROVE_API int drove_gateway_reload_template(drove_gateway *gw);
/** Set (or clear with NULL) the callback of each apply. @since 0.1 */
DROVE_API void drove_gateway_on_applied(drove_gateway *gw, drove_gateway_applied_fn fn,
                                        void *userdata);
/** The leader's URL, NULL while none is known; borrowed until the next loop iteration.
 *  @since 0.1 */
DROVE_API const char *drove_gateway_leader(const drove_gateway *gw);
/** The current model (NULL before the first endpoints fetch); borrowed until the next loop
 *  iteration. @since 0.1 */
DROVE_API const drove_gateway_model *drove_gateway_model_current(const drove_gateway *gw);
/** Counters: "reloads" (nginx took a new file), "rejected" (nginx -t failed), "fetches"
 *  (endpoints fetched), "polls" (events summaries read). @return 0, DROVE_EINVAL or
 *  DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_gateway_stat(const drove_gateway *gw, const char *name, int64_t *out);
/** The UDP port the DNS responder is bound to (0 without `dns:`), for `dns.listen` port 0.
 *  @since 0.1 */
DROVE_API int drove_gateway_dns_port(const drove_gateway *gw);

DROVE_END_DECLS

#endif
