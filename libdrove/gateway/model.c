/* GET /apis/v1/endpoints -> vhosts with their hosts (DROVE_API.md §2.4, §13), as drove-gateway
 * (nixy) reads it: apps without hosts are skipped, the vhost allow-list and suffix filter
 * apply, apps sharing a vhost share its upstream, hosts are grouped by a routing tag; and the
 * events summary -> whether apps or instances changed. Both
 * bodies are decoded by the typed client's records (client.h: drove_endpoint_list,
 * drove_event_summary); this file only applies the gateway's rules to them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <drove/client.h>
#include "client/client_internal.h"
#include "gateway/gateway_internal.h"

int drove__gw_safe_name(const char *s, int wildcard)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '_' && !(wildcard && ch == '*'))
			return 0;
	}
	return 1;
}

static void hosts_free(struct gw_host *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].host);
		free(h[i].port_type);
	}
	free(h);
}

void drove_gateway_model_free(drove_gateway_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nv; i++) {
		struct gw_vhost *v = &m->v[i];
		free(v->vhost);
		hosts_free(v->hosts, v->n);
		for (size_t g = 0; g < v->ng; g++) {
			free(v->groups[g].name);
			hosts_free(v->groups[g].hosts, v->groups[g].n);
		}
		free(v->groups);
	}
	free(m->v);
	for (size_t i = 0; i < m->na; i++) {
		free(m->apps[i].name);
		hosts_free(m->apps[i].hosts, m->apps[i].n);
	}
	free(m->apps);
	free(m);
}

static int host_add(struct gw_host **arr, size_t *n, size_t *cap, const struct gw_host *h)
{
	struct gw_host c = {0};
	if (drove__grow(arr, cap, *n + 1, sizeof(**arr)) < 0)
		return DROVE_ENOMEM;
	c.port = h->port;
	if (!(c.host = drove__strdup(h->host)) || !(c.port_type = drove__strdup(h->port_type))) {
		free(c.host);
		return DROVE_ENOMEM;
	}
	(*arr)[(*n)++] = c;
	return 0;
}

static int host_cmp(const void *a, const void *b)
{
	const struct gw_host *x = a, *y = b;
	int c = strcmp(x->host, y->host);
	return c ? c : (x->port > y->port) - (x->port < y->port);
}

static struct gw_vhost *vhost_get(drove_gateway_model *m, const char *name)
{
	for (size_t i = 0; i < m->nv; i++)
		if (!strcasecmp(m->v[i].vhost, name))
			return &m->v[i];
	if (drove__grow(&m->v, &m->vcap, m->nv + 1, sizeof(*m->v)) < 0)
		return NULL;
	memset(&m->v[m->nv], 0, sizeof(m->v[0]));
	if (!(m->v[m->nv].vhost = drove__strdup(name)))
		return NULL;
	return &m->v[m->nv++];
}

static struct gw_group *group_get(struct gw_vhost *v, const char *name)
{
	for (size_t i = 0; i < v->ng; i++)
		if (!strcmp(v->groups[i].name, name))
			return &v->groups[i];
	if (drove__grow(&v->groups, &v->gcap, v->ng + 1, sizeof(*v->groups)) < 0)
		return NULL;
	memset(&v->groups[v->ng], 0, sizeof(v->groups[0]));
	if (!(v->groups[v->ng].name = drove__strdup(name)))
		return NULL;
	return &v->groups[v->ng++];
}

static struct gw_app *app_get(drove_gateway_model *m, const char *name)
{
	for (size_t i = 0; i < m->na; i++)
		if (!strcasecmp(m->apps[i].name, name))
			return &m->apps[i];
	if (drove__grow(&m->apps, &m->acap, m->na + 1, sizeof(*m->apps)) < 0)
		return NULL;
	memset(&m->apps[m->na], 0, sizeof(m->apps[0]));
	if (!(m->apps[m->na].name = drove__strdup(name)))
		return NULL;
	return &m->apps[m->na++];
}

static int vhost_allowed(const drove_gateway_config *cfg, const char *vhost)
{
	size_t nl, ns;
	if (!cfg || (!cfg->vhosts && !cfg->vhost_suffix))
		return 1;
	for (size_t i = 0; cfg->vhosts && i < drove_strlist_count(cfg->vhosts); i++)
		if (!strcasecmp(drove_strlist_get(cfg->vhosts, i), vhost))
			return 1;
	if (!cfg->vhost_suffix)
		return 0;
	nl = strlen(vhost);
	ns = strlen(cfg->vhost_suffix);
	return ns <= nl && !strcasecmp(vhost + nl - ns, cfg->vhost_suffix);
}

/* The hosts of one app that are one nginx token, port types lower case ("http" when absent). */
static int read_hosts(const drove_endpoint *ep, struct gw_host **out, size_t *n, size_t *total)
{
	size_t cnt = drove_endpoint_host_count(ep), cap = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((*total += cnt) > DROVE_GATEWAY_HOSTS_MAX)
		return drove__error(DROVE_EINVAL, "data: more than %d hosts",
		                    DROVE_GATEWAY_HOSTS_MAX);
	for (size_t j = 0; rc == 0 && j < cnt; j++) {
		const char *src = drove_endpoint_host_port_type(ep, j);
		struct gw_host gh = {0};
		char low[16];
		size_t k = 0;

		gh.host = (char *)drove_endpoint_host(ep, j);
		if (!drove__gw_safe_name(gh.host, 0))
			continue; /* not one nginx token: skipped */
		gh.port = drove_endpoint_host_port(ep, j);
		for (src = src ? src : "http"; src[k] && k + 1 < sizeof(low); k++)
			low[k] = isalnum((unsigned char)src[k])
			                 ? (char)tolower((unsigned char)src[k])
			                 : '_';
		low[k] = '\0';
		gh.port_type = low;
		rc = host_add(out, n, &cap, &gh);
	}
	return rc;
}

static int add_app(drove_gateway_model *m, const drove_gateway_config *cfg,
                   const drove_endpoint *ep, size_t *total)
{
	const char *name = drove_endpoint_app_name(ep), *vhost = drove_endpoint_vhost(ep), *group;
	const char *tv = cfg && cfg->routing_tag
	                         ? drove_strmap_get(drove_endpoint_tags(ep), cfg->routing_tag)
	                         : NULL;
	struct gw_host *hs = NULL;
	size_t n = 0;
	struct gw_vhost *v;
	struct gw_group *g;
	struct gw_app *app;
	int rc;

	if ((rc = read_hosts(ep, &hs, &n, total)) < 0)
		goto out;
	if (n == 0 || !drove__gw_safe_name(vhost, 1) || !vhost_allowed(cfg, vhost))
		goto out; /* no hosts, an unsafe or filtered vhost: skipped */
	group = tv && drove__gw_safe_name(tv, 0) ? tv : vhost;
	if (!(v = vhost_get(m, vhost)) || !(g = group_get(v, group))) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	app = drove__gw_safe_name(name, 0) ? app_get(m, name) : NULL;
	if (drove__gw_safe_name(name, 0) && !app) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	for (size_t j = 0; rc == 0 && j < n; j++) {
		if ((rc = host_add(&v->hosts, &v->n, &v->cap, &hs[j])) == 0 &&
		    (rc = host_add(&g->hosts, &g->n, &g->cap, &hs[j])) == 0 && app)
			rc = host_add(&app->hosts, &app->n, &app->cap, &hs[j]);
	}
out:
	hosts_free(hs, n);
	return rc;
}

static int vhost_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct gw_vhost *)a)->vhost, ((const struct gw_vhost *)b)->vhost);
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gw_group *)a)->name, ((const struct gw_group *)b)->name);
}

/* The endpoints decoded by the typed client's record (client.h); its messages name the
 * element ("[2].vhost"), here put under the envelope's "data". */
static int decode(const char *json, size_t len, drove_endpoint_list **out)
{
	char msg[256];
	int rc;

	if (len > DROVE_GATEWAY_ENDPOINTS_MAX)
		return drove__error(DROVE_EINVAL, "endpoints: %zu bytes is above the limit of %d",
		                    len, DROVE_GATEWAY_ENDPOINTS_MAX);
	rc = drove__endpoint_list_decode(json, len, DROVE_GATEWAY_APPS_MAX, out);
	if (rc != DROVE_EINVAL || drove_error_last()->message[0] != '[')
		return rc;
	snprintf(msg, sizeof(msg), "%s", drove_error_last()->message);
	return drove__error(DROVE_EINVAL, "data%s", msg);
}

int drove_gateway_model_from_json(drove_gateway_model **out, drove_ctx *ctx,
                                  const drove_gateway_config *cfg, const char *json, size_t len)
{
	drove_gateway_model *m = NULL;
	drove_endpoint_list *l = NULL;
	size_t total = 0;
	int rc;

	DROVE_CHECK_ARG(out && ctx && json);
	if ((rc = decode(json, len, &l)) < 0)
		return rc;
	if (!(m = calloc(1, sizeof(*m)))) {
		rc = drove__enomem();
		goto out;
	}
	for (size_t i = 0; rc == 0 && i < drove_endpoint_list_count(l); i++)
		rc = add_app(m, cfg, drove_endpoint_list_get(l, i), &total);
	if (rc < 0)
		goto out;
	if (m->nv)
		qsort(m->v, m->nv, sizeof(*m->v), vhost_cmp);
	for (size_t i = 0; i < m->nv; i++) {
		struct gw_vhost *v = &m->v[i];
		qsort(v->hosts, v->n, sizeof(*v->hosts), host_cmp);
		qsort(v->groups, v->ng, sizeof(*v->groups), group_cmp);
		for (size_t g = 0; g < v->ng; g++)
			qsort(v->groups[g].hosts, v->groups[g].n, sizeof(struct gw_host), host_cmp);
	}
	for (size_t i = 0; i < m->na; i++)
		qsort(m->apps[i].hosts, m->apps[i].n, sizeof(struct gw_host), host_cmp);
	*out = m;
	m = NULL;
out:
	drove_gateway_model_free(m);
	drove_endpoint_list_free(l);
	return rc;
}

const struct gw_vhost *drove__gw_find_vhost(const drove_gateway_model *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->nv; i++)
		if (!strcasecmp(m->v[i].vhost, name))
			return &m->v[i];
	return NULL;
}

const struct gw_app *drove__gw_find_app(const drove_gateway_model *m, const char *name)
{
	for (size_t i = 0; m && name && i < m->na; i++)
		if (!strcasecmp(m->apps[i].name, name))
			return &m->apps[i];
	return NULL;
}

size_t drove_gateway_model_vhost_count(const drove_gateway_model *m)
{
	return m ? m->nv : 0;
}

const char *drove_gateway_model_vhost(const drove_gateway_model *m, size_t i)
{
	return m && i < m->nv ? m->v[i].vhost : NULL;
}

size_t drove_gateway_model_host_count(const drove_gateway_model *m, size_t i)
{
	return m && i < m->nv ? m->v[i].n : 0;
}

const char *drove_gateway_model_host(const drove_gateway_model *m, size_t i, size_t j, int *port)
{
	if (!m || i >= m->nv || j >= m->v[i].n)
		return NULL;
	if (port)
		*port = m->v[i].hosts[j].port;
	return m->v[i].hosts[j].host;
}

size_t drove_gateway_model_group_count(const drove_gateway_model *m, size_t i)
{
	return m && i < m->nv ? m->v[i].ng : 0;
}

const char *drove_gateway_model_group(const drove_gateway_model *m, size_t i, size_t g,
                                      size_t *hosts)
{
	if (!m || i >= m->nv || g >= m->v[i].ng)
		return NULL;
	if (hosts)
		*hosts = m->v[i].groups[g].n;
	return m->v[i].groups[g].name;
}

int drove__gw_parse_summary(const char *json, size_t len, int64_t *last_sync, int *changed)
{
	drove_event_summary *s = NULL;
	int rc;

	if ((rc = drove__event_summary_decode(json, len, &s)) < 0)
		return rc;
	if (drove_event_summary_last_sync_time(s) > 0)
		*last_sync = drove_event_summary_last_sync_time(s);
	*changed = drove_event_summary_count(s, "APP_STATE_CHANGE") > 0 ||
	           drove_event_summary_count(s, "INSTANCE_STATE_CHANGE") > 0;
	drove_event_summary_free(s);
	return 0;
}
