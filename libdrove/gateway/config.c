/* The gateway's configuration file (gateway.yml, docs/gateway.md): the controllers to
 * follow, routing filters, nginx and DNS settings. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/config.h>
#include "config/yaml.h"
#include "gateway/gateway_internal.h"

typedef drove__yreader yr;
typedef drove__ynode yn;

void drove_gateway_config_free(drove_gateway_config *c)
{
	if (!c)
		return;
	drove_strlist_free(c->endpoints);
	free(c->user);
	free(c->password);
	free(c->auth_header);
	free(c->leader_vhost);
	free(c->vhost_suffix);
	free(c->routing_tag);
	drove_strlist_free(c->vhosts);
	free(c->nginx_config);
	free(c->nginx_template);
	free(c->nginx_binary);
	free(c->nginx_prefix);
	free(c->nginx_pid_file);
	free(c->nginx_listen);
	free(c->dns_listen);
	free(c->dns_domain);
	free(c);
}

static int read_drove(yr *r, yn *d, drove_gateway_config *c)
{
	size_t mark = drove__yr_push_key(r, "drove");
	int rc;

	if ((rc = drove__yr_strlist(r, d, "endpoints", &c->endpoints)) == 0 &&
	    (!c->endpoints || drove_strlist_count(c->endpoints) == 0))
		rc = drove__yr_error(r, d->line, "endpoints", "at least one endpoint is required");
	for (size_t i = 0; rc == 0 && i < drove_strlist_count(c->endpoints); i++) {
		const char *e = drove_strlist_get(c->endpoints, i);
		if (strncmp(e, "http://", 7) && strncmp(e, "https://", 8))
			rc = drove__yr_error(r, d->line, "endpoints", "%s is not an http(s) URL",
			                     e);
		else if (strlen(e) > 512 || strpbrk(e, " \r\n\t"))
			rc = drove__yr_error(r, d->line, "endpoints", "bad URL %.64s", e);
	}
	if (rc == 0)
		rc = drove__yr_str(r, d, "username", &c->user);
	if (rc == 0)
		rc = drove__yr_str(r, d, "password", &c->password);
	if (rc == 0)
		rc = drove__yr_str(r, d, "authHeader", &c->auth_header);
	if (rc == 0 && c->auth_header && strpbrk(c->auth_header, "\r\n"))
		rc = drove__yr_error(r, d->line, "authHeader", "holds a line break");
	if (rc == 0 && (c->user != NULL) != (c->password != NULL))
		rc = drove__yr_error(r, d->line, c->user ? "password" : "username",
		                     "username and password go together");
	if (rc == 0)
		rc = drove__yr_duration(r, d, "pingInterval", 100, 3600000, &c->ping_interval_ms,
		                        NULL);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "eventRefreshInterval", 100, 3600000,
		                        &c->event_interval_ms, NULL);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "timeout", 100, 600000, &c->timeout_ms, NULL);
	if (rc == 0)
		rc = drove__yr_check_unknown(r, d);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_routing(yr *r, yn *m, drove_gateway_config *c)
{
	size_t mark = drove__yr_push_key(r, "routing");
	int rc;

	if ((rc = drove__yr_str(r, m, "leaderVhost", &c->leader_vhost)) == 0 && c->leader_vhost &&
	    !drove__gw_safe_name(c->leader_vhost, 1))
		rc = drove__yr_error(r, m->line, "leaderVhost", "%.64s is not a host name",
		                     c->leader_vhost);
	if (rc == 0)
		rc = drove__yr_strlist(r, m, "vhosts", &c->vhosts);
	if (rc == 0)
		rc = drove__yr_str(r, m, "vhostSuffix", &c->vhost_suffix);
	if (rc == 0)
		rc = drove__yr_str(r, m, "routingTag", &c->routing_tag);
	if (rc == 0)
		rc = drove__yr_check_unknown(r, m);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_nginx(yr *r, yn *m, drove_gateway_config *c)
{
	size_t mark = drove__yr_push_key(r, "nginx");
	int rc;

	if ((rc = drove__yr_str(r, m, "config", &c->nginx_config)) == 0 && !c->nginx_config)
		rc = drove__yr_required(r, m, "config");
	if (rc == 0)
		rc = drove__yr_str(r, m, "template", &c->nginx_template);
	if (rc == 0)
		rc = drove__yr_str(r, m, "binary", &c->nginx_binary);
	if (rc == 0)
		rc = drove__yr_str(r, m, "prefix", &c->nginx_prefix);
	if (rc == 0)
		rc = drove__yr_str(r, m, "pidFile", &c->nginx_pid_file);
	if (rc == 0)
		rc = drove__yr_str(r, m, "listen", &c->nginx_listen);
	if (rc == 0 && c->nginx_listen && strpbrk(c->nginx_listen, ";{}\r\n"))
		rc = drove__yr_error(r, m->line, "listen", "%.64s holds nginx syntax",
		                     c->nginx_listen);
	if (rc == 0)
		rc = drove__yr_bool(r, m, "check", &c->nginx_check);
	if (rc == 0)
		rc = drove__yr_bool(r, m, "reload", &c->nginx_reload);
	if (rc == 0)
		rc = drove__yr_bool(r, m, "start", &c->nginx_start);
	if (rc == 0)
		rc = drove__yr_duration(r, m, "reloadInterval", 0, 3600000, &c->reload_interval_ms,
		                        NULL);
	if (rc == 0)
		rc = drove__yr_check_unknown(r, m);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_dns(yr *r, yn *m, drove_gateway_config *c)
{
	size_t mark = drove__yr_push_key(r, "dns");
	int64_t ttl_ms = c->dns_ttl_s * 1000;
	int rc;

	c->dns = 1;
	if ((rc = drove__yr_str(r, m, "listen", &c->dns_listen)) == 0 && !c->dns_listen)
		rc = drove__yr_required(r, m, "listen");
	if (rc == 0)
		rc = drove__yr_str(r, m, "domain", &c->dns_domain);
	if (rc == 0 && c->dns_domain && !drove__gw_safe_name(c->dns_domain, 0))
		rc = drove__yr_error(r, m->line, "domain", "%.64s is not a domain name",
		                     c->dns_domain);
	if (rc == 0)
		rc = drove__yr_duration(r, m, "ttl", 0, 86400000, &ttl_ms, NULL);
	c->dns_ttl_s = ttl_ms / 1000;
	if (rc == 0)
		rc = drove__yr_check_unknown(r, m);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_root(yr *r, yn *root, drove_gateway_config *c)
{
	static const char *const levels[] = {"DEBUG", "INFO", "WARN", "ERROR", NULL};
	yn *d = NULL, *rt = NULL, *ng = NULL, *dns = NULL, *lg = NULL;
	int rc, level = 1;

	if ((rc = drove__yr_map(r, root, "drove", &d)) == 0)
		rc = d ? read_drove(r, d, c) : drove__yr_required(r, root, "drove");
	if (rc == 0 && (rc = drove__yr_map(r, root, "routing", &rt)) == 0 && rt)
		rc = read_routing(r, rt, c);
	if (rc == 0 && (rc = drove__yr_map(r, root, "nginx", &ng)) == 0)
		rc = ng ? read_nginx(r, ng, c) : drove__yr_required(r, root, "nginx");
	if (rc == 0 && (rc = drove__yr_map(r, root, "dns", &dns)) == 0 && dns)
		rc = read_dns(r, dns, c);
	if (rc == 0 && (rc = drove__yr_map(r, root, "logging", &lg)) == 0 && lg) {
		size_t mark = drove__yr_push_key(r, "logging");
		if ((rc = drove__yr_enum(r, lg, "level", levels, &level)) == 0)
			rc = drove__yr_check_unknown(r, lg);
		drove__yr_pop(r, mark);
		c->log_level = level == 0   ? DROVE_LOG_DEBUG
		               : level == 1 ? DROVE_LOG_INFO
		               : level == 2 ? DROVE_LOG_WARN
		                            : DROVE_LOG_ERROR;
	}
	if (rc == 0)
		rc = drove__yr_check_unknown(r, root);
	return rc;
}

static int set_default(char **field, const char *value)
{
	if (*field)
		return 0;
	return (*field = drove__strdup(value)) ? 0 : DROVE_ENOMEM;
}

int drove_gateway_config_load_buf(drove_gateway_config **out, drove_ctx *ctx, const char *name,
                                  const char *data, size_t len)
{
	drove_gateway_config *c;
	yn *root = NULL;
	yr r = {.file = name};
	int rc;

	DROVE_CHECK_ARG(out && ctx && name && data);
	if ((rc = drove__yaml_parse(&root, name, data, len, DROVE_CONFIG_MAX_SIZE,
	                            DROVE_CONFIG_MAX_DEPTH)) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c)))) {
		drove__yaml_free(root);
		return drove__enomem();
	}
	c->log_level = DROVE_LOG_INFO;
	c->ping_interval_ms = 2000;
	c->event_interval_ms = 2000;
	c->timeout_ms = 5000;
	c->nginx_check = 1;
	c->nginx_reload = 1;
	c->reload_interval_ms = 1000;
	c->dns_ttl_s = 30;
	rc = root->kind == DROVE__Y_MAP ? read_root(&r, root, c)
	                                : drove__yr_error(&r, root->line, NULL, "expected a map");
	drove__yaml_free(root);
	if (rc == 0)
		rc = set_default(&c->nginx_binary, "nginx");
	if (rc == 0)
		rc = set_default(&c->nginx_listen, "80");
	if (rc == 0 && c->dns)
		rc = set_default(&c->dns_domain, "drove");
	if (rc < 0) {
		drove_gateway_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int drove__gw_read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc = 0;

	if (!(f = fopen(path, "rbe")))
		return drove__error(DROVE_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (!(buf = malloc(max + 2))) {
		fclose(f);
		return drove__enomem();
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f))
		rc = drove__error(DROVE_EIO, "%s: cannot read: %s", path, strerror(errno));
	else if (n > max)
		rc = drove__error(DROVE_EINVAL, "%s: file is above the limit of %zu bytes", path,
		                  max);
	fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int drove_gateway_config_load(drove_gateway_config **out, drove_ctx *ctx, const char *path)
{
	char *buf = NULL;
	size_t n = 0;
	int rc;

	DROVE_CHECK_ARG(out && ctx && path);
	if ((rc = drove__gw_read_file(path, DROVE_CONFIG_MAX_SIZE, &buf, &n)) == 0)
		rc = drove_gateway_config_load_buf(out, ctx, path, buf, n);
	free(buf);
	return rc;
}

const char *drove_gateway_config_get_string(const drove_gateway_config *c, const char *key)
{
	if (!c || !key)
		return NULL;
	const struct {
		const char *key;
		const char *val;
	} map[] = {
	        {"drove.username", c->user},
	        {"drove.password", c->password},
	        {"drove.authHeader", c->auth_header},
	        {"routing.leaderVhost", c->leader_vhost},
	        {"routing.vhostSuffix", c->vhost_suffix},
	        {"routing.routingTag", c->routing_tag},
	        {"nginx.config", c->nginx_config},
	        {"nginx.template", c->nginx_template},
	        {"nginx.binary", c->nginx_binary},
	        {"nginx.prefix", c->nginx_prefix},
	        {"nginx.pidFile", c->nginx_pid_file},
	        {"nginx.listen", c->nginx_listen},
	        {"dns.listen", c->dns_listen},
	        {"dns.domain", c->dns_domain},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(map); i++)
		if (!strcmp(key, map[i].key))
			return map[i].val;
	return NULL;
}

int drove_gateway_config_get_int(const drove_gateway_config *c, const char *key, int64_t *out)
{
	DROVE_CHECK_ARG(c && key && out);
	const struct {
		const char *key;
		int64_t val;
	} map[] = {
	        {"logging.level", c->log_level},
	        {"drove.pingInterval", c->ping_interval_ms},
	        {"drove.eventRefreshInterval", c->event_interval_ms},
	        {"drove.timeout", c->timeout_ms},
	        {"routing.vhosts", c->vhosts ? (int64_t)drove_strlist_count(c->vhosts) : -1},
	        {"nginx.check", c->nginx_check},
	        {"nginx.reload", c->nginx_reload},
	        {"nginx.start", c->nginx_start},
	        {"nginx.reloadInterval", c->reload_interval_ms},
	        {"dns.enabled", c->dns},
	        {"dns.ttl", c->dns_ttl_s},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(map); i++)
		if (!strcmp(key, map[i].key)) {
			*out = map[i].val;
			return 0;
		}
	return drove__error(DROVE_ENOTFOUND, "gateway config: no setting %s", key);
}

size_t drove_gateway_config_endpoint_count(const drove_gateway_config *c)
{
	return c ? drove_strlist_count(c->endpoints) : 0;
}

const char *drove_gateway_config_endpoint(const drove_gateway_config *c, size_t i)
{
	return c && i < drove_strlist_count(c->endpoints) ? drove_strlist_get(c->endpoints, i)
	                                                  : NULL;
}
