/* Internal parts of the gateway module (libdrove/gateway), by layer:
 *   engine.c    follows the controllers, applies (top)
 *   nginx.c     atomic write, nginx -t, reload          dns.c  the evdns responder
 *   template.c  parse and render                        model.c  endpoints -> model
 *   config.c    gateway.yml
 * Files call only downward. */
#ifndef DROVE_GATEWAY_INTERNAL_H
#define DROVE_GATEWAY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <drove/gateway.h>
#include <drove/strlist.h>
#include "core/internal.h"

/* ---- config.c ---- */

struct drove_gateway_config {
	int log_level;
	drove_strlist *endpoints;
	char *user, *password, *auth_header;
	int64_t ping_interval_ms, event_interval_ms, timeout_ms;
	char *leader_vhost, *vhost_suffix, *routing_tag;
	drove_strlist *vhosts; /* allow-list; NULL: all */
	char *nginx_config, *nginx_template, *nginx_binary, *nginx_prefix, *nginx_pid_file;
	char *nginx_listen;
	int nginx_check, nginx_reload, nginx_start;
	int64_t reload_interval_ms;
	int dns;
	char *dns_listen, *dns_domain;
	int64_t dns_ttl_s;
};

/* Read a whole file of at most `max` bytes into a NUL-terminated buffer (free()).
 * @return 0, DROVE_EIO or DROVE_EINVAL (too large: the message names the file). */
int drove__gw_read_file(const char *path, size_t max, char **out, size_t *len);

/* ---- model.c ---- */

struct gw_host {
	char *host;
	int port;
	char *port_type; /* lower case: "http", "https", "tcp", "udp" */
};

struct gw_group {
	char *name;
	struct gw_host *hosts;
	size_t n, cap;
};

struct gw_vhost {
	char *vhost;
	struct gw_host *hosts; /* every group's */
	size_t n, cap;
	struct gw_group *groups;
	size_t ng, gcap;
};

struct gw_app { /* for DNS: {appName}.{domain} */
	char *name;
	struct gw_host *hosts;
	size_t n, cap;
};

struct drove_gateway_model {
	struct gw_vhost *v;
	size_t nv, vcap;
	struct gw_app *apps;
	size_t na, acap;
};

/* 1 when `s` is a name nginx reads as one token: [A-Za-z0-9._-] (and '*' for vhosts),
 * 1..253 bytes. */
int drove__gw_safe_name(const char *s, int wildcard);
/* The vhost / app named `name` (case-insensitive), or NULL. */
const struct gw_vhost *drove__gw_find_vhost(const drove_gateway_model *m, const char *name);
const struct gw_app *drove__gw_find_app(const drove_gateway_model *m, const char *name);

/* An events summary envelope (GET /cluster/events/summary): `*last_sync` gets
 * data.lastSyncTime (unchanged when absent), `*changed` 1 when data.eventsCount has
 * APP_STATE_CHANGE or INSTANCE_STATE_CHANGE. @return 0 or DROVE_EINVAL. */
int drove__gw_parse_summary(const char *json, size_t len, int64_t *last_sync, int *changed);

#endif
