/* Validation of specs and operations with Drove's rules (DROVE_API.md §3.1–§3.4, §3.7, §4).
 * Every problem is collected as "path: message"; nothing stops at the first one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/ids.h>
#include "core/internal.h"
#include "model/hope.h"
#include "model/model.h"

#define MAX_ARGS        2048
#define MAX_ARGS_LENGTH 2048

struct val {
	drove_strlist *errors;
	const struct drove_spec_opts *opts;
	drove__buf path;
	int n;
	bool oom;
};

static void val_init(struct val *v, drove_strlist *errors, const struct drove_spec_opts *opts,
                     const char *prefix)
{
	memset(v, 0, sizeof(*v));
	v->errors = errors;
	v->opts = opts;
	if (prefix && *prefix && drove__buf_puts(&v->path, prefix) < 0)
		v->oom = true;
}

static int val_done(struct val *v)
{
	drove__buf_free(&v->path);
	return v->oom ? drove__enomem() : v->n;
}

static size_t push(struct val *v, const char *name)
{
	size_t mark = v->path.len;
	if ((mark > 0 && drove__buf_putc(&v->path, '.') < 0) || drove__buf_puts(&v->path, name) < 0)
		v->oom = true;
	return mark;
}

static size_t push_idx(struct val *v, const char *name, size_t i)
{
	size_t mark = push(v, name);
	if (drove__buf_printf(&v->path, "[%zu]", i) < 0)
		v->oom = true;
	return mark;
}

static void pop(struct val *v, size_t mark)
{
	if (v->path.data && mark <= v->path.len) {
		v->path.len = mark;
		v->path.data[mark] = '\0';
	}
}

/* An error at the current path, or at path.field when `field` is not NULL. */
static void verr(struct val *v, const char *field, const char *fmt, ...) DROVE_PRINTF(3, 4);
static void verr(struct val *v, const char *field, const char *fmt, ...)
{
	drove__buf b = DROVE_BUF_INIT;
	size_t mark = field ? push(v, field) : v->path.len;
	va_list ap;
	int rc;

	rc = drove__buf_puts(&b, v->path.len ? v->path.data : "(spec)");
	if (rc == 0)
		rc = drove__buf_puts(&b, ": ");
	va_start(ap, fmt);
	if (rc == 0)
		rc = drove__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc < 0 || (v->errors && drove_strlist_add(v->errors, b.data) < 0))
		v->oom = true;
	v->n++;
	drove__buf_free(&b);
	if (field)
		pop(v, mark);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static void need_str(struct val *v, const char *field, const char *s)
{
	if (empty(s))
		verr(v, field, "is required");
}

/* Drove's name rule: [a-zA-Z\d\-_]* and non-empty. */
static void check_name(struct val *v, const char *field, const char *s)
{
	if (empty(s))
		verr(v, field, "is required");
	else if (!drove_id_is_valid_name(s))
		verr(v, field,
		     "only characters, numbers, hyphen and underscore is allowed, got \"%s\"", s);
}

static void check_range(struct val *v, const char *field, int64_t x, int64_t lo, int64_t hi)
{
	if (x < lo)
		verr(v, field, "must be at least %lld, got %lld", (long long)lo, (long long)x);
	else if (x > hi)
		verr(v, field, "must be at most %lld, got %lld", (long long)hi, (long long)x);
}

/* ---- building blocks ---- */

static void port_list(drove__buf *b, const drove_port_spec *ports, size_t n)
{
	drove__buf_putc(b, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			drove__buf_puts(b, ", ");
		drove__buf_puts(b, ports[i].name ? ports[i].name : "");
	}
	drove__buf_putc(b, ']');
}

static bool port_defined(const drove_port_spec *ports, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (ports[i].name && strcmp(ports[i].name, name) == 0)
			return true;
	return false;
}

static void v_executable(struct val *v, const drove_executable *e)
{
	size_t mark;
	if (!e) {
		verr(v, "executable", "is required");
		return;
	}
	mark = push(v, "executable");
	if (empty(e->url))
		verr(v, "url", "is required (Specify url for container)");
	if (!e->has_docker_pull_timeout)
		verr(v, "dockerPullTimeout",
		     "is required (Specify container fetch (docker pull) timeout)");
	pop(v, mark);
}

static void v_ports(struct val *v, const drove_port_spec *p, size_t n)
{
	if (n == 0) {
		verr(v, "exposedPorts", "Port specifications are needed");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t mark = push_idx(v, "exposedPorts", i);
		check_name(v, "name", p[i].name);
		for (size_t k = 0; k < i && !empty(p[i].name); k++)
			if (p[k].name && strcmp(p[k].name, p[i].name) == 0) {
				verr(v, "name", "duplicate port name \"%s\"", p[i].name);
				break;
			}
		if (!p[i].has_port)
			verr(v, "port", "is required");
		else
			check_range(v, "port", p[i].port, 1, 65535);
		if (!p[i].has_type)
			verr(v, "type", "is required");
		pop(v, mark);
	}
}

static void v_volumes(struct val *v, const drove_volume *vols, size_t n)
{
	const drove_strlist *allowed = v->opts ? v->opts->allowed_mount_dirs : NULL;
	for (size_t i = 0; i < n; i++) {
		size_t mark = push_idx(v, "volumes", i);
		need_str(v, "pathInContainer", vols[i].path_in_container);
		if (empty(vols[i].path_on_host)) {
			verr(v, "pathOnHost", "is required");
		} else if (drove_strlist_count(allowed) > 0) {
			bool ok = false;
			for (size_t k = 0; k < drove_strlist_count(allowed) && !ok; k++) {
				const char *dir = drove_strlist_get(allowed, k);
				ok = strncmp(vols[i].path_on_host, dir, strlen(dir)) == 0;
			}
			if (!ok)
				verr(v, "pathOnHost",
				     "Volume mount requested on non whitelisted host directory: %s",
				     vols[i].path_on_host);
		}
		if (!vols[i].has_mode)
			verr(v, "mode", "is required");
		pop(v, mark);
	}
}

static void v_http_call(struct val *v, const drove_http_call *h)
{
	size_t mark;
	if (!h) {
		verr(v, "http", "is required");
		return;
	}
	mark = push(v, "http");
	if (!h->has_protocol)
		verr(v, "protocol", "is required");
	need_str(v, "hostname", h->hostname);
	if (h->has_port)
		check_range(v, "port", h->port, 0, 65535);
	for (size_t i = 0; i < h->n_success_codes; i++)
		if (h->success_codes[i] < 100 || h->success_codes[i] > 599) {
			size_t m2 = push_idx(v, "successCodes", i);
			verr(v, NULL, "%d is not an HTTP status code", h->success_codes[i]);
			pop(v, m2);
		}
	pop(v, mark);
}

static void v_configs(struct val *v, const drove_config_spec *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t mark = push_idx(v, "configs", i);
		need_str(v, "localFilename", c[i].local_filename);
		switch (c[i].type) {
		case DROVE_CONFIG_INLINE:
			if (!c[i].data)
				verr(v, "data", "is required");
			break;
		case DROVE_CONFIG_EXECUTOR_LOCAL_FILE:
			need_str(v, "filePathOnHost", c[i].file_path_on_host);
			break;
		case DROVE_CONFIG_CONTROLLER_HTTP_FETCH:
		case DROVE_CONFIG_EXECUTOR_HTTP_FETCH:
			v_http_call(v, c[i].http);
			break;
		}
		pop(v, mark);
	}
}

static void v_resources(struct val *v, const drove_resource_req *r, size_t n)
{
	bool cpu = false, mem = false;
	for (size_t i = 0; i < n; i++) {
		size_t mark = push_idx(v, "resources", i);
		if (r[i].type == DROVE_RES_CPU) {
			cpu = true;
			if (!r[i].has_count)
				verr(v, "count", "is required");
			else if (r[i].count < 1)
				verr(v, "count", "must be at least 1, got %lld",
				     (long long)r[i].count);
		} else {
			mem = true;
			if (!r[i].has_size_in_mb)
				verr(v, "sizeInMB", "is required");
			else if (r[i].size_in_mb < 1)
				verr(v, "sizeInMB", "must be at least 1, got %lld",
				     (long long)r[i].size_in_mb);
		}
		pop(v, mark);
	}
	if (!cpu)
		verr(v, "resources", "Cpu requirements are mandatory");
	if (!mem)
		verr(v, "resources", "Memory requirements are mandatory");
}

enum owner { OWNER_APP, OWNER_TASK, OWNER_LS };

/* A HOPE rule must parse (model/hope.c); the parser's message names the problem. */
static void v_hope_rule(struct val *v, const char *rule)
{
	drove__hope *h = NULL;
	if (drove__model_hope_parse(rule, &h) == 0) {
		drove__model_hope_free(h);
		return;
	}
	char msg[512];
	const char *m = drove_error_last()->message;
	snprintf(msg, sizeof(msg), "%s", strncmp(m, "rule: ", 6) == 0 ? m + 6 : m);
	verr(v, "rule", "%s", msg);
}

static void v_policy(struct val *v, const drove_placement_policy *p, enum owner owner)
{
	switch (p->type) {
	case DROVE_PLACE_MAX_N_PER_HOST:
		if (!p->has_max)
			verr(v, "max", "is required");
		else
			check_range(v, "max", p->max, 1, 64);
		break;
	case DROVE_PLACE_MATCH_TAG:
		need_str(v, "tag", p->tag);
		break;
	case DROVE_PLACE_RULE_BASED:
		need_str(v, "rule", p->rule);
		if (!p->has_rule_type)
			verr(v, "ruleType", "is required");
		else if (p->rule_type == DROVE_RULE_MVEL)
			verr(v, "ruleType", "MVEL rules are not supported, use HOPE");
		else if (!empty(p->rule))
			v_hope_rule(v, p->rule);
		break;
	case DROVE_PLACE_COMPOSITE:
		if (p->n_policies == 0)
			verr(v, "policies", "must not be empty");
		for (size_t i = 0; i < p->n_policies; i++) {
			size_t mark = push_idx(v, "policies", i);
			v_policy(v, &p->policies[i], owner);
			pop(v, mark);
		}
		break;
	case DROVE_PLACE_LOCAL:
		if (owner == OWNER_APP)
			verr(v, NULL, "Local service placement is not allowed for apps");
		else if (owner == OWNER_TASK)
			verr(v, NULL, "Local service placement is not allowed for tasks");
		break;
	default:
		break;
	}
}

static void v_placement(struct val *v, const drove_placement_policy *p, enum owner owner)
{
	size_t mark;
	if (!p) {
		if (owner == OWNER_LS)
			verr(v, "placementPolicy",
			     "Only local placement is allowed for local services");
		return; /* ANY for apps and tasks */
	}
	mark = push(v, "placementPolicy");
	v_policy(v, p, owner);
	if (owner == OWNER_LS && !drove__placement_contains(p, DROVE_PLACE_LOCAL))
		verr(v, NULL, "Only local placement is allowed for local services");
	pop(v, mark);
}

static void v_check_mode(struct val *v, const drove_check_mode *m, const drove_port_spec *ports,
                         size_t n_ports, bool hook)
{
	if (m->type == DROVE_CHECK_CMD) {
		need_str(v, "command", m->command);
		return;
	}
	if (!m->has_protocol)
		verr(v, "protocol", "is required");
	if (empty(m->port_name)) {
		verr(v, "portName", "is required");
	} else if (!port_defined(ports, n_ports, m->port_name)) {
		drove__buf b = DROVE_BUF_INIT;
		port_list(&b, ports, n_ports);
		verr(v, "portName", "Invalid port name for %s: %s. Available ports: %s",
		     hook ? "pre-shutdown hook" : "health check", m->port_name,
		     b.data ? b.data : "[]");
		drove__buf_free(&b);
	}
	need_str(v, "path", m->path);
	if (!m->has_verb)
		verr(v, "verb", "is required");
	if (m->n_success_codes == 0)
		verr(v, "successCodes", "must not be empty");
}

static void v_check(struct val *v, const char *field, const drove_check_spec *c,
                    const drove_port_spec *ports, size_t n_ports)
{
	size_t mark;
	if (!c) {
		verr(v, field, "is required");
		return;
	}
	mark = push(v, field);
	if (!c->mode) {
		verr(v, "mode", "is required");
	} else {
		size_t m2 = push(v, "mode");
		v_check_mode(v, c->mode, ports, n_ports, false);
		pop(v, m2);
	}
	if (!c->has_timeout)
		verr(v, "timeout", "is required");
	if (!c->has_interval)
		verr(v, "interval", "is required");
	if (!c->has_attempts)
		verr(v, "attempts", "is required");
	else
		check_range(v, "attempts", c->attempts, 1, 100);
	pop(v, mark);
}

static void v_pre_shutdown(struct val *v, const drove_pre_shutdown *p, const drove_port_spec *ports,
                           size_t n_ports)
{
	size_t mark;
	if (!p)
		return;
	mark = push(v, "preShutdown");
	for (size_t i = 0; i < p->n_hooks; i++) {
		size_t m2 = push_idx(v, "hooks", i);
		v_check_mode(v, &p->hooks[i], ports, n_ports, true);
		pop(v, m2);
	}
	pop(v, mark);
}

static void v_logging(struct val *v, const drove_logging *l)
{
	size_t mark;
	if (!l)
		return;
	mark = push(v, "logging");
	if (l->type == DROVE_LOGGING_LOCAL) {
		need_str(v, "maxSize", l->max_size);
		if (l->has_max_files)
			check_range(v, "maxFiles", l->max_files, 1, 100);
	} else {
		need_str(v, "server", l->server);
	}
	pop(v, mark);
}

static void v_exposure(struct val *v, const drove_exposure *e, const drove_port_spec *ports,
                       size_t n_ports)
{
	size_t mark;
	if (!e)
		return;
	mark = push(v, "exposureSpec");
	need_str(v, "vhost", e->vhost);
	if (empty(e->port_name)) {
		verr(v, "portName", "is required");
	} else if (!port_defined(ports, n_ports, e->port_name)) {
		drove__buf b = DROVE_BUF_INIT;
		port_list(&b, ports, n_ports);
		verr(v, "portName", "Exposed port name %s is undefined. Defined port names: %s",
		     e->port_name, b.data ? b.data : "[]");
		drove__buf_free(&b);
	}
	pop(v, mark);
}

static void v_devices(struct val *v, const drove_device *d, size_t n)
{
	if (n == 0)
		return;
	if (!v->opts || !v->opts->enable_raw_device_access)
		verr(v, "devices",
		     "Device access is disabled. To enable, set "
		     "enableRawDeviceAccess: true in controller options.");
	for (size_t i = 0; i < n; i++) {
		size_t mark = push_idx(v, "devices", i);
		if (d[i].type == DROVE_DEVICE_DIRECT)
			need_str(v, "pathOnHost", d[i].path_on_host);
		else if (d[i].has_count && d[i].count < -1)
			verr(v, "count", "must be at least -1, got %d", d[i].count);
		pop(v, mark);
	}
}

static void v_user(struct val *v, const drove_user_spec *u)
{
	size_t mark;
	if (!u)
		return;
	mark = push(v, "userSpec");
	need_str(v, "user", u->user);
	pop(v, mark);
}

static void v_args(struct val *v, char *const *args, size_t n)
{
	size_t total = 0;
	if (n == 0)
		return;
	if (v->opts && v->opts->disable_cmdl_args) {
		verr(v, "args", "Passing command line to containers is disabled on this cluster");
		return;
	}
	if (n > MAX_ARGS) {
		verr(v, "args", "at most %d arguments are allowed, got %zu", MAX_ARGS, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		total += strlen(args[i]) + (i ? 1 : 0);
	if (total > MAX_ARGS_LENGTH)
		verr(v, "args",
		     "Maximum combined length of command line arguments can be %d (got %zu)",
		     MAX_ARGS_LENGTH, total);
}

/* ---- specs ---- */

static void v_service(struct val *v, const drove_app_spec *s, enum owner owner)
{
	check_name(v, "name", s->name);
	check_name(v, "version", s->version);
	v_executable(v, s->executable);
	v_ports(v, s->exposed_ports, s->n_exposed_ports);
	v_volumes(v, s->volumes, s->n_volumes);
	v_configs(v, s->configs, s->n_configs);
	v_resources(v, s->resources, s->n_resources);
	v_placement(v, s->placement_policy, owner);
	v_check(v, "healthcheck", s->healthcheck, s->exposed_ports, s->n_exposed_ports);
	v_check(v, "readiness", s->readiness, s->exposed_ports, s->n_exposed_ports);
	v_pre_shutdown(v, s->pre_shutdown, s->exposed_ports, s->n_exposed_ports);
	v_logging(v, s->logging);
	if (owner == OWNER_APP)
		v_exposure(v, s->exposure_spec, s->exposed_ports, s->n_exposed_ports);
	v_devices(v, s->devices, s->n_devices);
	v_user(v, s->user_spec);
	v_args(v, s->args, s->n_args);
}

int drove__app_spec_validate(const drove_app_spec *s, const struct drove_spec_opts *opts,
                             const char *prefix, drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(s);
	val_init(&v, errors, opts, prefix);
	v_service(&v, s, OWNER_APP);
	return val_done(&v);
}

int drove__ls_spec_validate(const drove_ls_spec *s, const struct drove_spec_opts *opts,
                            const char *prefix, drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(s);
	val_init(&v, errors, opts, prefix);
	v_service(&v, s, OWNER_LS);
	return val_done(&v);
}

int drove__task_spec_validate(const drove_task_spec *s, const struct drove_spec_opts *opts,
                              const char *prefix, drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(s);
	val_init(&v, errors, opts, prefix);
	check_name(&v, "sourceAppName", s->source_app_name);
	check_name(&v, "taskId", s->task_id);
	v_executable(&v, s->executable);
	v_volumes(&v, s->volumes, s->n_volumes);
	v_configs(&v, s->configs, s->n_configs);
	v_resources(&v, s->resources, s->n_resources);
	v_placement(&v, s->placement_policy, OWNER_TASK);
	v_logging(&v, s->logging);
	v_devices(&v, s->devices, s->n_devices);
	v_user(&v, s->user_spec);
	v_args(&v, s->args, s->n_args);
	return val_done(&v);
}

/* ---- operations ---- */

static void v_op_spec(struct val *v, const char *field, const drove_cluster_op_spec *o,
                      bool required)
{
	size_t mark;
	if (!o) {
		if (required)
			verr(v, field, "is required");
		return;
	}
	mark = push(v, field);
	if (!o->has_timeout)
		verr(v, "timeout", "is required");
	if (!o->has_parallelism)
		verr(v, "parallelism", "is required");
	else
		check_range(v, "parallelism", o->parallelism, 1, 512);
	if (!o->has_failure_strategy)
		verr(v, "failureStrategy", "is required");
	pop(v, mark);
}

int drove__cluster_op_spec_validate(const drove_cluster_op_spec *o, const char *prefix,
                                    drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(o);
	val_init(&v, errors, NULL, NULL);
	v_op_spec(&v, prefix && *prefix ? prefix : "opSpec", o, true);
	return val_done(&v);
}

static void v_ids(struct val *v, char *const *ids, size_t n, bool required)
{
	if (n == 0 && required)
		verr(v, "instanceIds", "must not be empty");
	for (size_t i = 0; i < n; i++)
		if (empty(ids[i])) {
			size_t mark = push_idx(v, "instanceIds", i);
			verr(v, NULL, "must not be empty");
			pop(v, mark);
		}
}

static void v_sub(struct val *v, int rc)
{
	if (rc < 0)
		v->oom = true;
	else
		v->n += rc;
}

int drove__app_op_validate(const drove_app_op *op, const struct drove_spec_opts *opts,
                           drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(op);
	val_init(&v, errors, opts, NULL);
	if (op->type == DROVE_APP_OP_CREATE) {
		if (!op->spec)
			verr(&v, "spec", "is required");
		else
			v_sub(&v, drove__app_spec_validate(op->spec, opts, "spec", errors));
		if (op->has_instances)
			check_range(&v, "instances", op->instances, 0, 2048);
	} else if (empty(op->app_id)) {
		verr(&v, "appId", "is required");
	}
	switch (op->type) {
	case DROVE_APP_OP_START_INSTANCES:
		if (!op->has_instances)
			verr(&v, "instances", "is required");
		else
			check_range(&v, "instances", op->instances, 0, 1024);
		break;
	case DROVE_APP_OP_SCALE:
		if (!op->has_required_instances)
			verr(&v, "requiredInstances", "is required");
		else
			check_range(&v, "requiredInstances", op->required_instances, 0, 2048);
		break;
	case DROVE_APP_OP_STOP_INSTANCES:
		v_ids(&v, op->instance_ids, op->n_instance_ids, true);
		break;
	case DROVE_APP_OP_REPLACE_INSTANCES:
		v_ids(&v, op->instance_ids, op->n_instance_ids, false);
		break;
	default:
		break;
	}
	v_op_spec(&v, "opSpec", op->op_spec,
	          op->type != DROVE_APP_OP_SUSPEND && op->type != DROVE_APP_OP_RECOVER);
	return val_done(&v);
}

int drove__task_op_validate(const drove_task_op *op, const struct drove_spec_opts *opts,
                            drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(op);
	val_init(&v, errors, opts, NULL);
	if (op->type == DROVE_TASK_OP_CREATE) {
		if (!op->spec)
			verr(&v, "spec", "is required");
		else
			v_sub(&v, drove__task_spec_validate(op->spec, opts, "spec", errors));
	} else {
		check_name(&v, "sourceAppName", op->source_app_name);
		check_name(&v, "taskId", op->task_id);
	}
	v_op_spec(&v, "opSpec", op->op_spec, true);
	return val_done(&v);
}

int drove__ls_op_validate(const drove_ls_op *op, const struct drove_spec_opts *opts,
                          drove_strlist *errors)
{
	struct val v;
	DROVE_CHECK_ARG(op);
	val_init(&v, errors, opts, NULL);
	if (op->type == DROVE_LS_OP_CREATE) {
		if (!op->spec)
			verr(&v, "spec", "is required");
		else
			v_sub(&v, drove__ls_spec_validate(op->spec, opts, "spec", errors));
	} else if (empty(op->service_id)) {
		verr(&v, "serviceId", "is required");
	}
	if (op->type == DROVE_LS_OP_CREATE || op->type == DROVE_LS_OP_UPDATE_INSTANCE_COUNT) {
		if (!op->has_instances_per_host)
			verr(&v, "instancesPerHost", "is required");
		else
			check_range(&v, "instancesPerHost", op->instances_per_host, 1, 256);
	}
	if (op->type == DROVE_LS_OP_CREATE && op->spec && op->spec->placement_policy &&
	    op->has_instances_per_host && op->instances_per_host > 1) {
		const drove_placement_policy *p = op->spec->placement_policy;
		bool host_level = p->type == DROVE_PLACE_LOCAL && p->host_level;
		for (size_t i = 0;
		     !host_level && p->type == DROVE_PLACE_COMPOSITE && i < p->n_policies; i++)
			host_level = p->policies[i].type == DROVE_PLACE_LOCAL &&
			             p->policies[i].host_level;
		if (host_level)
			verr(&v, "instancesPerHost",
			     "Host level service cannot have more than one instance");
	}
	if (op->type == DROVE_LS_OP_STOP_INSTANCES)
		v_ids(&v, op->instance_ids, op->n_instance_ids, true);
	else if (op->type == DROVE_LS_OP_REPLACE_INSTANCES)
		v_ids(&v, op->instance_ids, op->n_instance_ids, false);
	v_op_spec(&v, op->type == DROVE_LS_OP_RESTART ? "clusterOpSpec" : "opSpec", op->op_spec,
	          false);
	return val_done(&v);
}

/* ---- defaults, masking, helpers ---- */

static int default_any(drove_placement_policy **p)
{
	if (*p)
		return 0;
	if (!(*p = calloc(1, sizeof(**p))))
		return drove__enomem();
	(*p)->type = DROVE_PLACE_ANY;
	return 0;
}

int drove__app_spec_apply_defaults(drove_app_spec *s)
{
	DROVE_CHECK_ARG(s);
	return default_any(&s->placement_policy);
}

int drove__task_spec_apply_defaults(drove_task_spec *s)
{
	DROVE_CHECK_ARG(s);
	return default_any(&s->placement_policy);
}

static int mask_str(char **s)
{
	char *m;
	if (!*s)
		return 0;
	if (!(m = drove__strdup("***")))
		return DROVE_ENOMEM;
	free(*s);
	*s = m;
	return 0;
}

static int mask_configs(drove_config_spec *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].type == DROVE_CONFIG_INLINE && c[i].data) {
			unsigned char *e = calloc(1, 1);
			if (!e)
				return drove__enomem();
			free(c[i].data);
			c[i].data = e;
			c[i].data_len = 0;
		}
		if (c[i].http &&
		    (mask_str(&c[i].http->username) < 0 || mask_str(&c[i].http->password) < 0 ||
		     mask_str(&c[i].http->auth_header) < 0))
			return DROVE_ENOMEM;
	}
	return 0;
}

int drove__app_spec_mask(drove_app_spec *s)
{
	DROVE_CHECK_ARG(s);
	return mask_configs(s->configs, s->n_configs);
}

int drove__task_spec_mask(drove_task_spec *s)
{
	DROVE_CHECK_ARG(s);
	return mask_configs(s->configs, s->n_configs);
}

int64_t drove__resources_cpus(const drove_resource_req *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		if (r[i].type == DROVE_RES_CPU && r[i].has_count)
			return r[i].count;
	return 0;
}

int64_t drove__resources_memory_mb(const drove_resource_req *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		if (r[i].type == DROVE_RES_MEMORY && r[i].has_size_in_mb)
			return r[i].size_in_mb;
	return 0;
}

bool drove__placement_contains(const drove_placement_policy *p, enum drove_placement_type type)
{
	if (!p)
		return false;
	if (p->type == type)
		return true;
	if (p->type == DROVE_PLACE_COMPOSITE)
		for (size_t i = 0; i < p->n_policies; i++)
			if (drove__placement_contains(&p->policies[i], type))
				return true;
	return false;
}
