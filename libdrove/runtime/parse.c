/* Parsers of the engine's JSON responses. Inputs are capped (DROVE_RUNTIME_JSON_MAX) and
 * depth-limited; anything of the wrong type is treated as absent. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "runtime/runtime_internal.h"

static int parse(const char *json, size_t len, json_object **out, json_type want)
{
	json_tokener *tok;
	json_object *o;

	if (len > DROVE_RUNTIME_JSON_MAX)
		return drove__error(DROVE_EINVAL, "engine response: %zu bytes is too large", len);
	if (!(tok = json_tokener_new_ex(DROVE_RUNTIME_JSON_DEPTH)))
		return drove__enomem();
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);
		json_tokener_free(tok);
		json_object_put(o);
		return drove__error(DROVE_EINVAL, "engine response: bad json: %s",
		                    json_tokener_error_desc(e));
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, want)) {
		json_object_put(o);
		return drove__error(DROVE_EINVAL, "engine response: unexpected json type");
	}
	*out = o;
	return 0;
}

static json_object *get(json_object *o, const char *k, json_type t)
{
	json_object *v;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static const char *get_str(json_object *o, const char *k)
{
	json_object *v = get(o, k, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

static int64_t get_int(json_object *o, const char *k)
{
	json_object *v;
	if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return json_object_get_int64(v);
	return 0;
}

static int get_bool(json_object *o, const char *k)
{
	json_object *v = get(o, k, json_type_boolean);
	return v ? json_object_get_boolean(v) : 0;
}

int drove__runtime_status_code(int status)
{
	switch (status) {
	case 400:
		return DROVE_EINVAL;
	case 401:
	case 403:
		return DROVE_EAUTH;
	case 404:
		return DROVE_ENOTFOUND;
	case 409:
		return DROVE_ECONFLICT;
	default:
		return DROVE_ERROR;
	}
}

int drove__runtime_is_auth_error(const char *msg)
{
	static const char *const marks[] = {"unauthorized", "authentication required",
	                                    "access denied", "denied: ", "no basic auth"};
	for (size_t k = 0; msg && k < sizeof(marks) / sizeof(marks[0]); k++)
		if (strcasestr(msg, marks[k]))
			return 1;
	return 0;
}

char *drove__runtime_engine_message(const char *body, size_t len, int status)
{
	json_object *o = NULL;
	const char *m;
	char *out;

	if (len && parse(body, len, &o, json_type_object) == 0 && (m = get_str(o, "message"))) {
		out = drove__strdup(m);
		json_object_put(o);
		drove_error_clear();
		return out;
	}
	json_object_put(o);
	drove_error_clear();
	while (len && isspace((unsigned char)body[len - 1]))
		len--;
	if (len > 1024)
		len = 1024;
	if (!len)
		return drove__asprintf("engine returned http %d", status);
	return drove__strndup(body, len);
}

int drove__runtime_parse_version(const char *json, size_t len, char *engine, size_t engine_sz,
                                 char *api, size_t api_sz)
{
	json_object *o, *comps;
	const char *v;
	int podman = 0, major = 1, minor = 41;
	int rc;

	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	if ((comps = get(o, "Components", json_type_array)))
		for (size_t i = 0; i < json_object_array_length(comps); i++) {
			const char *n = get_str(json_object_array_get_idx(comps, i), "Name");
			if (n && strstr(n, "Podman"))
				podman = 1;
		}
	if (!(v = get_str(o, "ApiVersion"))) {
		json_object_put(o);
		return drove__error(DROVE_EINVAL, "engine version: no ApiVersion in the response");
	}
	if (sscanf(v, "%d.%d", &major, &minor) != 2 || major != 1 || minor < 24) {
		rc = drove__error(DROVE_EINVAL, "engine version: unsupported api version '%s'", v);
		json_object_put(o);
		return rc;
	}
	if (minor > 41)
		minor = 41; /* what we speak */
	snprintf(engine, engine_sz, "%s", podman ? "podman" : "docker");
	snprintf(api, api_sz, "%d.%d", major, minor);
	json_object_put(o);
	return 0;
}

int drove__runtime_parse_string(const char *json, size_t len, const char *key, char **out)
{
	json_object *o;
	const char *v;
	int rc;

	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	if (!(v = get_str(o, key))) {
		json_object_put(o);
		return drove__error(DROVE_EINVAL, "engine response: no '%s'", key);
	}
	*out = drove__strdup(v);
	json_object_put(o);
	return *out ? 0 : DROVE_ENOMEM;
}

int64_t drove__runtime_parse_time(const char *s)
{
	struct tm tm;
	int64_t ms = 0, sec;
	const char *p;
	int off = 0;

	if (!s)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (!(p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) || tm.tm_year < 70)
		return 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; isdigit((unsigned char)*p); p++)
			if (digits < 3) {
				ms = ms * 10 + (*p - '0');
				digits++;
			}
		while (digits++ < 3)
			ms *= 10;
	}
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return 0;
		off = (hh * 60 + mm) * 60 * (*p == '-' ? -1 : 1);
	} else if (*p != 'Z') {
		return 0;
	}
	sec = (int64_t)timegm(&tm) - off;
	return sec * 1000 + ms;
}

void drove__runtime_info_free(drove_container_info *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->image_id);
	free(c->state);
	drove_strmap_free(c->labels);
	free(c->ports);
	free(c);
}

static int set(char **f, const char *v)
{
	if (!(*f = drove__strdup(v ? v : "")))
		return DROVE_ENOMEM;
	return 0;
}

static int labels(drove_container_info *c, json_object *l)
{
	if (drove_strmap_new(&c->labels) < 0)
		return DROVE_ENOMEM;
	if (!l)
		return 0;
	json_object_object_foreach(l, k, v)
	{
		if (json_object_is_type(v, json_type_string) &&
		    drove_strmap_set(c->labels, k, json_object_get_string(v)) < 0)
			return DROVE_ENOMEM;
	}
	return 0;
}

static int add_port(drove_container_info *c, size_t *cap, int cport, int hport)
{
	if (cport <= 0 || cport > 65535 || hport <= 0 || hport > 65535)
		return 0;
	if (drove__grow(&c->ports, cap, (c->nports + 1) * 2, sizeof(int)) < 0)
		return DROVE_ENOMEM;
	c->ports[2 * c->nports] = cport;
	c->ports[2 * c->nports + 1] = hport;
	c->nports++;
	return 0;
}

int drove__runtime_parse_inspect(const char *json, size_t len, drove_container_info **out)
{
	json_object *o, *st, *cfg, *ports;
	drove_container_info *c;
	const char *name;
	size_t cap = 0;
	int rc;

	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c))))
		goto nomem;
	st = get(o, "State", json_type_object);
	cfg = get(o, "Config", json_type_object);
	name = get_str(o, "Name");
	if (name && *name == '/')
		name++;
	if (set(&c->id, get_str(o, "Id")) < 0 || set(&c->name, name) < 0 ||
	    set(&c->image, get_str(cfg, "Image")) < 0 ||
	    set(&c->image_id, get_str(o, "Image")) < 0 ||
	    set(&c->state, get_str(st, "Status")) < 0 ||
	    labels(c, get(cfg, "Labels", json_type_object)) < 0)
		goto nomem;
	c->running = get_bool(st, "Running");
	c->exit_code = (int)get_int(st, "ExitCode");
	c->started_at = drove__runtime_parse_time(get_str(st, "StartedAt"));
	ports = get(get(o, "NetworkSettings", json_type_object), "Ports", json_type_object);
	if (ports) {
		json_object_object_foreach(ports, k, v)
		{
			int cport = atoi(k);
			if (!strstr(k, "/tcp") || !json_object_is_type(v, json_type_array))
				continue;
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				const char *hp =
				        get_str(json_object_array_get_idx(v, i), "HostPort");
				if (hp && add_port(c, &cap, cport, atoi(hp)) < 0)
					goto nomem;
			}
		}
	}
	json_object_put(o);
	*out = c;
	return 0;
nomem:
	json_object_put(o);
	drove__runtime_info_free(c);
	return drove__enomem();
}

int drove__runtime_parse_list(const char *json, size_t len, drove_container_info ***out, size_t *n)
{
	json_object *arr;
	drove_container_info **list = NULL;
	size_t count, i;
	int rc;

	if ((rc = parse(json, len, &arr, json_type_array)) < 0)
		return rc;
	count = json_object_array_length(arr);
	if (count && !(list = calloc(count, sizeof(*list))))
		goto nomem;
	for (i = 0; i < count; i++) {
		json_object *e = json_object_array_get_idx(arr, i), *names, *ports;
		drove_container_info *c;
		const char *name = NULL, *state;
		size_t cap = 0;
		if (!(c = list[i] = calloc(1, sizeof(*c))))
			goto nomem;
		if ((names = get(e, "Names", json_type_array)) && json_object_array_length(names) &&
		    json_object_is_type(json_object_array_get_idx(names, 0), json_type_string))
			name = json_object_get_string(json_object_array_get_idx(names, 0));
		if (name && *name == '/')
			name++;
		state = get_str(e, "State");
		if (set(&c->id, get_str(e, "Id")) < 0 || set(&c->name, name) < 0 ||
		    set(&c->image, get_str(e, "Image")) < 0 ||
		    set(&c->image_id, get_str(e, "ImageID")) < 0 || set(&c->state, state) < 0 ||
		    labels(c, get(e, "Labels", json_type_object)) < 0)
			goto nomem;
		c->running = state && strcmp(state, "running") == 0;
		if ((ports = get(e, "Ports", json_type_array)))
			for (size_t j = 0; j < json_object_array_length(ports); j++) {
				json_object *p = json_object_array_get_idx(ports, j);
				const char *type = get_str(p, "Type");
				if ((!type || strcmp(type, "tcp") == 0) &&
				    add_port(c, &cap, (int)get_int(p, "PrivatePort"),
				             (int)get_int(p, "PublicPort")) < 0)
					goto nomem;
			}
	}
	json_object_put(arr);
	*out = list;
	*n = count;
	return 0;
nomem:
	for (i = 0; list && i < count; i++)
		drove__runtime_info_free(list[i]);
	free(list);
	json_object_put(arr);
	return drove__enomem();
}

int drove__runtime_parse_stats(const char *json, size_t len, int64_t stats[DROVE_STAT_COUNT])
{
	json_object *o, *cpu, *pre, *mem, *nets;
	int rc;

	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	memset(stats, 0, sizeof(int64_t) * DROVE_STAT_COUNT);
	cpu = get(o, "cpu_stats", json_type_object);
	pre = get(o, "precpu_stats", json_type_object);
	mem = get(o, "memory_stats", json_type_object);
	stats[DROVE_STAT_CPU_TOTAL_NS] =
	        get_int(get(cpu, "cpu_usage", json_type_object), "total_usage");
	stats[DROVE_STAT_CPU_SYSTEM_NS] = get_int(cpu, "system_cpu_usage");
	stats[DROVE_STAT_ONLINE_CPUS] = get_int(cpu, "online_cpus");
	stats[DROVE_STAT_PRECPU_TOTAL_NS] =
	        get_int(get(pre, "cpu_usage", json_type_object), "total_usage");
	stats[DROVE_STAT_PRECPU_SYSTEM_NS] = get_int(pre, "system_cpu_usage");
	stats[DROVE_STAT_MEM_USAGE] = get_int(mem, "usage");
	stats[DROVE_STAT_MEM_LIMIT] = get_int(mem, "limit");
	if ((nets = get(o, "networks", json_type_object))) {
		json_object_object_foreach(nets, k, v)
		{
			(void)k;
			stats[DROVE_STAT_NET_RX] += get_int(v, "rx_bytes");
			stats[DROVE_STAT_NET_TX] += get_int(v, "tx_bytes");
		}
	}
	json_object_put(o);
	return 0;
}

int drove__runtime_parse_exec(const char *json, size_t len, int *exit_code, int *running)
{
	json_object *o, *ec;
	int rc;

	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	*running = get_bool(o, "Running");
	*exit_code = (ec = get(o, "ExitCode", json_type_int)) ? json_object_get_int(ec) : -1;
	json_object_put(o);
	return 0;
}

int drove__runtime_parse_pull_line(const char *json, size_t len, char **text, char **error)
{
	json_object *o;
	const char *e, *s, *id, *prog;
	int rc;

	*text = *error = NULL;
	if ((rc = parse(json, len, &o, json_type_object)) < 0)
		return rc;
	if ((e = get_str(o, "error"))) {
		*error = drove__strdup(e);
		json_object_put(o);
		return *error ? 0 : DROVE_ENOMEM;
	}
	s = get_str(o, "status");
	id = get_str(o, "id");
	prog = get_str(o, "progress");
	if (!s && (s = get_str(o, "stream")) == NULL) {
		json_object_put(o);
		return 0;
	}
	*text = drove__asprintf("%s%s%s%s%s", id ? id : "", id ? ": " : "", s, prog ? " " : "",
	                        prog ? prog : "");
	json_object_put(o);
	return *text ? 0 : DROVE_ENOMEM;
}
