/* dns.c: an authoritative DNS responder (libevent's evdns server) for the gateway's names
 * (internal to the gateway module). A/AAAA for `{vhost}` and `{appName}.{domain}` with the
 * executors' addresses, SRV with host ports, NXDOMAIN for anything else. Loop thread only. */
#ifndef DROVE_GATEWAY_DNS_H
#define DROVE_GATEWAY_DNS_H

#include "gateway/gateway_internal.h"

struct event_base;
typedef struct drove__gw_dns drove__gw_dns;

/* Bind UDP `cfg->dns_listen` ("addr:port", "[v6]:port"; port 0 picks one) on `base`.
 * @return 0, DROVE_EINVAL (bad address), DROVE_EIO (cannot bind) or DROVE_ENOMEM. */
int drove__gw_dns_new(drove__gw_dns **out, drove_ctx *ctx, struct event_base *base,
                      const drove_gateway_config *cfg);
void drove__gw_dns_free(drove__gw_dns *d);
/* Replace the records with those of `m` (host names resolved to addresses now: literal
 * addresses directly, others through getaddrinfo, which may block on /etc/hosts or a
 * resolver). @return 0 or DROVE_ENOMEM (the old records stay). */
int drove__gw_dns_set_model(drove__gw_dns *d, const drove_gateway_model *m);
/* The bound UDP port. */
int drove__gw_dns_port(const drove__gw_dns *d);

#endif
