/* The gateway's authoritative DNS responder over libevent's evdns server: A / AAAA for
 * `{vhost}` and `{appName}.{domain}` with the addresses of the executors running the app's
 * healthy instances, SRV with their host ports, NODATA for other types of a known name,
 * NXDOMAIN for unknown names. Records are rebuilt from each new model. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/util.h>

#include "gateway/dns.h"

#define T_A       1
#define T_AAAA    28
#define T_SRV     33
#define T_ANY     255
#define C_IN      1
#define MAX_ADDRS 64 /* per name and family: enough for a UDP answer */

struct srv {
	char *target;
	int port;
};

struct rec {
	char *name; /* lower case */
	unsigned char v4[MAX_ADDRS][4], v6[MAX_ADDRS][16];
	size_t n4, n6;
	struct srv *srv;
	size_t nsrv;
};

struct drove__gw_dns {
	drove_ctx *ctx;
	const drove_gateway_config *cfg;
	evutil_socket_t fd;
	int port;
	struct evdns_server_port *sp;
	struct rec *recs;
	size_t n;
};

static void recs_free(struct rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		for (size_t j = 0; j < r[i].nsrv; j++)
			free(r[i].srv[j].target);
		free(r[i].srv);
	}
	free(r);
}

static void add_addr(struct rec *r, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const void *a = &((const struct sockaddr_in *)sa)->sin_addr;
		for (size_t i = 0; i < r->n4; i++)
			if (!memcmp(r->v4[i], a, 4))
				return;
		if (r->n4 < MAX_ADDRS)
			memcpy(r->v4[r->n4++], a, 4);
	} else if (sa->sa_family == AF_INET6) {
		const void *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		for (size_t i = 0; i < r->n6; i++)
			if (!memcmp(r->v6[i], a, 16))
				return;
		if (r->n6 < MAX_ADDRS)
			memcpy(r->v6[r->n6++], a, 16);
	}
}

static void resolve(struct rec *r, const char *host)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;

	if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
		add_addr(r, (struct sockaddr *)&s4);
		return;
	}
	if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1) {
		add_addr(r, (struct sockaddr *)&s6);
		return;
	}
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		add_addr(r, ai->ai_addr);
	freeaddrinfo(res);
}

static int rec_fill(struct rec *r, const char *name, const struct gw_host *hs, size_t n)
{
	if (!(r->name = drove__strdup(name)))
		return DROVE_ENOMEM;
	for (char *p = r->name; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (n && !(r->srv = calloc(n, sizeof(*r->srv))))
		return drove__enomem();
	for (size_t i = 0; i < n; i++) {
		if (!(r->srv[i].target = drove__strdup(hs[i].host)))
			return DROVE_ENOMEM;
		r->srv[i].port = hs[i].port;
		r->nsrv++;
		resolve(r, hs[i].host);
	}
	return 0;
}

int drove__gw_dns_set_model(drove__gw_dns *d, const drove_gateway_model *m)
{
	size_t n = m->nv + m->na, k = 0;
	struct rec *r = calloc(n ? n : 1, sizeof(*r));
	int rc = 0;

	if (!r)
		return drove__enomem();
	for (size_t i = 0; rc == 0 && i < m->nv; i++, k++)
		rc = rec_fill(&r[k], m->v[i].vhost, m->v[i].hosts, m->v[i].n);
	for (size_t i = 0; rc == 0 && i < m->na; i++, k++) {
		char *name = drove__asprintf("%s.%s", m->apps[i].name, d->cfg->dns_domain);
		rc = name ? rec_fill(&r[k], name, m->apps[i].hosts, m->apps[i].n) : DROVE_ENOMEM;
		free(name);
	}
	if (rc < 0) {
		recs_free(r, n); /* zeroed past what was filled */
		return rc;
	}
	recs_free(d->recs, d->n);
	d->recs = r;
	d->n = n;
	return 0;
}

/* SRV RDATA: priority 0, weight 1, port, target as uncompressed labels. */
static int srv_rdata(const struct srv *s, char *out, size_t cap)
{
	size_t n = 6;
	const char *p = s->target;
	out[0] = out[1] = 0;
	out[2] = 0;
	out[3] = 1;
	out[4] = (char)((s->port >> 8) & 0xff);
	out[5] = (char)(s->port & 0xff);
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || n + l + 2 > cap)
			return -1;
		out[n++] = (char)l;
		memcpy(out + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	out[n++] = 0;
	return (int)n;
}

static void on_request(struct evdns_server_request *req, void *ud)
{
	drove__gw_dns *d = ud;
	int err = DNS_ERR_NONE, ttl = (int)d->cfg->dns_ttl_s;

	evdns_server_request_set_flags(req, EVDNS_FLAGS_AA);
	for (int q = 0; q < req->nquestions; q++) {
		const struct evdns_server_question *qu = req->questions[q];
		const struct rec *r = NULL;
		for (size_t i = 0; i < d->n && !r; i++)
			if (!strcasecmp(d->recs[i].name, qu->name))
				r = &d->recs[i];
		if (!r || qu->dns_question_class != C_IN) {
			err = DNS_ERR_NOTEXIST;
			continue;
		}
		if ((qu->type == T_A || qu->type == T_ANY) && r->n4)
			evdns_server_request_add_a_reply(req, qu->name, (int)r->n4, r->v4, ttl);
		if ((qu->type == T_AAAA || qu->type == T_ANY) && r->n6)
			evdns_server_request_add_aaaa_reply(req, qu->name, (int)r->n6, r->v6, ttl);
		if (qu->type == T_SRV || qu->type == T_ANY)
			for (size_t i = 0; i < r->nsrv; i++) {
				char data[300];
				int len = srv_rdata(&r->srv[i], data, sizeof(data));
				if (len > 0)
					evdns_server_request_add_reply(req, EVDNS_ANSWER_SECTION,
					                               qu->name, T_SRV, C_IN, ttl,
					                               len, 0, data);
			}
	}
	if (evdns_server_request_respond(req, err) < 0)
		evdns_server_request_drop(req);
}

int drove__gw_dns_new(drove__gw_dns **out, drove_ctx *ctx, struct event_base *base,
                      const drove_gateway_config *cfg)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int len = (int)sizeof(ss);
	drove__gw_dns *d;
	int rc;

	char addr[128];
	size_t al = strlen(cfg->dns_listen);
	int any_port = al >= 2 && !strcmp(cfg->dns_listen + al - 2, ":0");

	/* libevent refuses port 0: parse with port 1, then ask the kernel for a free one */
	if (al + 1 >= sizeof(addr))
		return drove__error(DROVE_EINVAL, "dns.listen: %.64s is too long", cfg->dns_listen);
	memcpy(addr, cfg->dns_listen, al + 1);
	if (any_port)
		addr[al - 1] = '1';
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &len) < 0)
		return drove__error(DROVE_EINVAL, "dns.listen: %s is not addr:port",
		                    cfg->dns_listen);
	if (any_port && ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = 0;
	else if (any_port)
		((struct sockaddr_in6 *)&ss)->sin6_port = 0;
	if (!(d = calloc(1, sizeof(*d))))
		return drove__enomem();
	d->ctx = ctx;
	d->cfg = cfg;
	d->fd = -1;
	d->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&ss, (socklen_t)len) < 0 ||
	    getsockname(d->fd, (struct sockaddr *)&ss, &sl) < 0) {
		rc = drove__error(DROVE_EIO, "dns.listen: cannot bind %s: %s", cfg->dns_listen,
		                  strerror(errno));
		goto fail;
	}
	d->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
	if (!(d->sp = evdns_add_server_port_with_base(base, d->fd, 0, on_request, d))) {
		rc = drove__enomem();
		goto fail;
	}
	*out = d;
	return 0;
fail:
	drove__gw_dns_free(d);
	return rc;
}

void drove__gw_dns_free(drove__gw_dns *d)
{
	if (!d)
		return;
	if (d->sp)
		evdns_close_server_port(d->sp); /* closes the socket too */
	else if (d->fd >= 0)
		close(d->fd);
	recs_free(d->recs, d->n);
	free(d);
}

int drove__gw_dns_port(const drove__gw_dns *d)
{
	return d ? d->port : 0;
}
