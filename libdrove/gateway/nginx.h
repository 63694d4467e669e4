/* nginx.c: files and the nginx binary (internal to the gateway module). */
#ifndef DROVE_GATEWAY_NGINX_H
#define DROVE_GATEWAY_NGINX_H

#include "gateway/gateway_internal.h"

/* Write `text` to `path` atomically (a temporary file in the same directory, fsync,
 * rename). @return 0, DROVE_EIO or DROVE_ENOMEM. */
int drove__gw_write_file(const char *path, const char *text, size_t len);
/* Run argv (searched in PATH), waiting at most `timeout_ms` (then SIGKILL); `*status` gets
 * the exit status (128 + signal), `*output` (may be NULL) stdout and stderr (first 16 KiB).
 * @return 0, DROVE_EIO (cannot run), DROVE_ETIMEOUT or DROVE_ENOMEM. */
int drove__gw_run(const char *const *argv, int64_t timeout_ms, int *status, char **output);
/* `nginx [-p prefix] -c conf -t -q`. @return 0, DROVE_EINVAL (rejected: nginx's first
 * [emerg] line in the message), DROVE_EIO or DROVE_ETIMEOUT. */
int drove__gw_nginx_check(const drove_gateway_config *c, const char *conf);
/* Reload nginx: SIGHUP to nginx.pidFile's pid, else `nginx -c config -s reload`; when that
 * finds no nginx and nginx.start is set, start it (`nginx -c config`, which daemonizes
 * unless the configuration says otherwise). @return 0, DROVE_EIO or DROVE_ETIMEOUT. */
int drove__gw_nginx_reload(const drove_gateway_config *c);

#endif
