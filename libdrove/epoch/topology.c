/*
 * EpochTopology (DROVE_API.md §12): parsing, validation (every problem named by its path, as
 * the REST API reports it before anything is stored) and the Drove task specs of a run.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/epoch.h>
#include <drove/ids.h>
#include <drove/spec.h>
#include "core/internal.h"
#include "epoch/status.h"
#include "model/codec.h"

struct leaf {
	char *name;
	char *spec; /* the task's Drove fields as JSON text (no type, no taskName) */
};

struct drove_epoch_topology {
	char *name;
	char *doc;                /* the validated document as JSON text, as stored */
	struct json_object *jdoc; /* while validating only */
	int trigger;
	drove_cron *cron;
	int64_t at_ms;
	size_t nleaves, cap;
	struct leaf *leaves;
	struct drove__etnode *tree; /* the task tree (status.h) */
	size_t ntree;
};

struct val {
	drove_strlist *errs;
	int oom;
	drove_ctx *ctx;
	int64_t now_ms;
};

static void verr(struct val *v, const char *path, const char *fmt, ...) DROVE_PRINTF(3, 4);

static void verr(struct val *v, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *line = drove__asprintf("%s: %s", path, msg);
	if (!line || drove_strlist_add(v->errs, line) < 0)
		v->oom = 1;
	free(line);
}

/* Unknown keys of `obj` (allowed: NULL-terminated `keys`) are errors. */
static void only_keys(struct val *v, const char *path, struct json_object *obj,
                      const char *const *keys)
{
	json_object_object_foreach(obj, k, val)
	{
		(void)val;
		int ok = 0;
		for (const char *const *p = keys; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok) {
			char *sub = drove__asprintf("%s%s%s", path, *path ? "." : "", k);
			verr(v, sub ? sub : k, "unknown field");
			free(sub);
		}
	}
}

static const char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *j;
	if (!json_object_object_get_ex(obj, key, &j) || !json_object_is_type(j, json_type_string))
		return NULL;
	return json_object_get_string(j);
}

static int has_key(struct json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static void check_task(struct val *v, drove_epoch_topology *t, const char *path,
                       struct json_object *task, int depth);

static void check_container(struct val *v, drove_epoch_topology *t, const char *path,
                            struct json_object *task)
{
	const char *name = get_str(task, "taskName");
	char *p = drove__asprintf("%s.taskName", path);
	if (!p) {
		v->oom = 1;
		return;
	}
	if (!name)
		verr(v, p, "is required");
	else if (!drove_id_is_valid_name(name))
		verr(v, p, "only characters, numbers, hyphen and underscore is allowed, got \"%s\"",
		     name);
	free(p);
	if (!name || !drove_id_is_valid_name(name))
		return;
	for (size_t i = 0; i < t->nleaves; i++)
		if (!strcmp(t->leaves[i].name, name)) {
			char *q = drove__asprintf("%s.taskName", path);
			verr(v, q ? q : path, "duplicate task name \"%s\"", name);
			free(q);
			return;
		}
	if (t->nleaves == DROVE_EPOCH_TASKS_MAX) {
		verr(v, path, "more than %d tasks", DROVE_EPOCH_TASKS_MAX);
		return;
	}
	/* The controller's task spec rules, on the fields a run will send. */
	struct json_object *spec = json_object_new_object();
	if (!spec) {
		v->oom = 1;
		return;
	}
	json_object_object_foreach(task, k, val)
	{
		if (strcmp(k, "type") != 0 && strcmp(k, "taskName") != 0)
			json_object_object_add(spec, k, json_object_get(val));
	}
	json_object_object_add(spec, "sourceAppName", json_object_new_string("epoch"));
	json_object_object_add(spec, "taskId", json_object_new_string(name));
	const char *text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN);
	drove_spec_opts *opts = NULL;
	drove_strlist *errs = NULL;
	int rc = drove_spec_opts_new(&opts);
	if (rc == 0) {
		drove_spec_opts_set_strict(opts, 1);
		rc = drove_spec_validate_json(v->ctx, text, strlen(text), opts, &errs);
	}
	drove_spec_opts_free(opts);
	if (rc == DROVE_EINVAL) {
		for (size_t i = 0; errs && i < drove_strlist_count(errs); i++) {
			char *line = drove__asprintf("%s.%s", path, drove_strlist_get(errs, i));
			if (!line || drove_strlist_add(v->errs, line) < 0)
				v->oom = 1;
			free(line);
		}
		if (!errs)
			verr(v, path, "%s", drove_error_last()->message);
	} else if (rc < 0) {
		v->oom = 1;
	}
	drove_strlist_free(errs);
	if (rc != 0) {
		json_object_put(spec);
		return;
	}
	json_object_object_del(spec, "sourceAppName");
	json_object_object_del(spec, "taskId");
	struct leaf l = {drove__strdup(name), drove__strdup(json_object_to_json_string_ext(
	                                              spec, JSON_C_TO_STRING_PLAIN))};
	json_object_put(spec);
	if (!l.name || !l.spec ||
	    drove__grow(&t->leaves, &t->cap, t->nleaves + 1, sizeof(*t->leaves)) < 0) {
		free(l.name);
		free(l.spec);
		v->oom = 1;
		return;
	}
	t->leaves[t->nleaves++] = l;
}

static void check_composite(struct val *v, drove_epoch_topology *t, const char *path,
                            struct json_object *task, int depth)
{
	static const char *const keys[] = {"type", "tasks", "compositionType", NULL};
	struct json_object *tasks;
	const char *ct = get_str(task, "compositionType");
	char *p;

	only_keys(v, path, task, keys);
	if (!(p = drove__asprintf("%s.compositionType", path))) {
		v->oom = 1;
		return;
	}
	if (!ct)
		verr(v, p, "is required (ALL or ANY)");
	else if (strcmp(ct, "ALL") != 0 && strcmp(ct, "ANY") != 0)
		verr(v, p, "must be ALL or ANY, got \"%s\"", ct);
	free(p);
	if (!json_object_object_get_ex(task, "tasks", &tasks) ||
	    !json_object_is_type(tasks, json_type_array) || json_object_array_length(tasks) == 0) {
		p = drove__asprintf("%s.tasks", path);
		verr(v, p ? p : path, "must be a non-empty array");
		free(p);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(tasks); i++) {
		p = drove__asprintf("%s.tasks[%zu]", path, i);
		if (!p) {
			v->oom = 1;
			return;
		}
		check_task(v, t, p, json_object_array_get_idx(tasks, i), depth + 1);
		free(p);
	}
}

static void check_task(struct val *v, drove_epoch_topology *t, const char *path,
                       struct json_object *task, int depth)
{
	const char *type;
	if (!task || !json_object_is_type(task, json_type_object)) {
		verr(v, path, "must be an object");
		return;
	}
	if (depth > 8) {
		verr(v, path, "composite tasks nested deeper than 8 levels");
		return;
	}
	type = get_str(task, "type");
	if (type && !strcmp(type, "CONTAINER_EXECUTION"))
		check_container(v, t, path, task);
	else if (type && !strcmp(type, "COMPOSITE"))
		check_composite(v, t, path, task, depth);
	else {
		char *p = drove__asprintf("%s.type", path);
		verr(v, p ? p : path, "must be CONTAINER_EXECUTION or COMPOSITE");
		free(p);
	}
}

static void check_trigger(struct val *v, drove_epoch_topology *t, struct json_object *tr)
{
	static const char *const cron_keys[] = {"type", "timeSpec", "timeZone", NULL};
	static const char *const at_keys[] = {"type", "time", NULL};
	const char *type;

	if (!tr || !json_object_is_type(tr, json_type_object)) {
		verr(v, "trigger", tr ? "must be an object" : "is required");
		return;
	}
	type = get_str(tr, "type");
	if (type && !strcmp(type, "CRON")) {
		const char *spec = get_str(tr, "timeSpec"), *tz = get_str(tr, "timeZone");
		only_keys(v, "trigger", tr, cron_keys);
		t->trigger = DROVE_EPOCH_TRIGGER_CRON;
		if (!spec) {
			verr(v, "trigger.timeSpec", "is required");
		} else if (has_key(tr, "timeZone") && !tz) {
			verr(v, "trigger.timeZone", "must be a string");
		} else if (drove_cron_parse(&t->cron, spec, tz) < 0) {
			const char *m = drove_error_last()->message;
			verr(v,
			     strncmp(m, "time zone", 9) ? "trigger.timeSpec" : "trigger.timeZone",
			     "%s", m);
		}
	} else if (type && !strcmp(type, "AT")) {
		struct json_object *j;
		only_keys(v, "trigger", tr, at_keys);
		t->trigger = DROVE_EPOCH_TRIGGER_AT;
		if (!json_object_object_get_ex(tr, "time", &j) ||
		    !json_object_is_type(j, json_type_int))
			verr(v, "trigger.time", "is required (milliseconds since the epoch)");
		else if ((t->at_ms = json_object_get_int64(j)) <= v->now_ms)
			verr(v, "trigger.time", "%" PRId64 " is in the past", t->at_ms);
	} else {
		verr(v, "trigger.type", "must be CRON or AT");
	}
}

static void check_notify(struct val *v, struct json_object *n)
{
	static const char *const mail_keys[] = {"type", "emails", NULL};
	static const char *const bh_keys[] = {"type", NULL};
	const char *type;
	struct json_object *emails;

	if (!json_object_is_type(n, json_type_object)) {
		verr(v, "notify", "must be an object");
		return;
	}
	type = get_str(n, "type");
	if (type && !strcmp(type, "BLACKHOLE")) {
		only_keys(v, "notify", n, bh_keys);
	} else if (type && !strcmp(type, "MAIL")) {
		only_keys(v, "notify", n, mail_keys);
		if (!json_object_object_get_ex(n, "emails", &emails) ||
		    !json_object_is_type(emails, json_type_array) ||
		    json_object_array_length(emails) == 0) {
			verr(v, "notify.emails", "must be a non-empty array");
			return;
		}
		for (size_t i = 0; i < json_object_array_length(emails); i++) {
			struct json_object *e = json_object_array_get_idx(emails, i);
			const char *s = json_object_is_type(e, json_type_string)
			                        ? json_object_get_string(e)
			                        : NULL;
			if (!s || !strchr(s, '@') || strlen(s) > 254 || strpbrk(s, " \r\n<>,")) {
				char p[48];
				snprintf(p, sizeof(p), "notify.emails[%zu]", i);
				verr(v, p, "not an email address");
			}
		}
	} else {
		verr(v, "notify.type", "must be MAIL or BLACKHOLE");
	}
}

/* Append the validated `task`'s subtree to t->tree (depth first). @return 0 or
 * DROVE_ENOMEM. */
static int tree_add(drove_epoch_topology *t, size_t *cap, struct json_object *task)
{
	struct json_object *tasks;
	const char *type = get_str(task, "type"), *ct = get_str(task, "compositionType");
	size_t pos = t->ntree;
	if (drove__grow(&t->tree, cap, t->ntree + 1, sizeof(*t->tree)) < 0)
		return DROVE_ENOMEM;
	t->ntree++;
	struct drove__etnode nd = {.nleaves = 1, .size = 1};
	if (type && !strcmp(type, "COMPOSITE") &&
	    json_object_object_get_ex(task, "tasks", &tasks)) {
		nd = (struct drove__etnode){.composite = 1, .any = ct && !strcmp(ct, "ANY")};
		for (size_t i = 0; i < json_object_array_length(tasks); i++) {
			size_t c = t->ntree;
			if (tree_add(t, cap, json_object_array_get_idx(tasks, i)) < 0)
				return DROVE_ENOMEM;
			nd.nchild++;
			nd.nleaves += t->tree[c].nleaves;
		}
		nd.size = (unsigned short)(t->ntree - pos);
	}
	t->tree[pos] = nd;
	return 0;
}

const struct drove__etnode *drove__epoch_topology_tree(const drove_epoch_topology *t, size_t *n_out)
{
	*n_out = t ? t->ntree : 0;
	return t ? t->tree : NULL;
}

void drove_epoch_topology_free(drove_epoch_topology *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nleaves; i++) {
		free(t->leaves[i].name);
		free(t->leaves[i].spec);
	}
	free(t->leaves);
	free(t->tree);
	free(t->name);
	free(t->doc);
	json_object_put(t->jdoc);
	drove_cron_free(t->cron);
	free(t);
}

int drove_epoch_topology_from_json(drove_epoch_topology **out, drove_ctx *ctx, const char *json,
                                   size_t len, int64_t now_ms, drove_strlist **errors_out)
{
	static const char *const keys[] = {"name", "task", "trigger", "notify", NULL};
	struct val v = {.ctx = ctx, .now_ms = now_ms};
	drove_epoch_topology *t = NULL;
	struct json_object *doc = NULL, *j;
	const char *name;
	size_t tcap = 0;
	int rc;

	DROVE_CHECK_ARG(out && ctx && json);
	if (len > DROVE_EPOCH_TOPOLOGY_MAX)
		return drove__error(DROVE_EINVAL, "topology: larger than %d bytes",
		                    DROVE_EPOCH_TOPOLOGY_MAX);
	if ((rc = drove__mcodec_parse(json, len, &doc)) < 0)
		return rc;
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return drove__error(DROVE_EINVAL, "topology: must be a JSON object");
	}
	if ((rc = drove_strlist_new(&v.errs)) < 0 || !(t = calloc(1, sizeof(*t)))) {
		json_object_put(doc);
		drove_strlist_free(v.errs);
		return rc < 0 ? rc : drove__enomem();
	}
	t->jdoc = doc;
	only_keys(&v, "", doc, keys);
	name = get_str(doc, "name");
	if (!name)
		verr(&v, "name", "is required");
	else if (!drove_id_is_valid_name(name))
		verr(&v, "name", "must match [0-9a-zA-Z_-]{1,255}, got \"%.300s\"", name);
	else if (!(t->name = drove__strdup(name)))
		v.oom = 1;
	if (!json_object_object_get_ex(doc, "task", &j))
		verr(&v, "task", "is required");
	else
		check_task(&v, t, "task", j, 0);
	json_object_object_get_ex(doc, "trigger", &j) ? check_trigger(&v, t, j)
	                                              : check_trigger(&v, t, NULL);
	if (json_object_object_get_ex(doc, "notify", &j) && j)
		check_notify(&v, j);
	if (v.oom) {
		rc = drove__enomem();
	} else if (drove_strlist_count(v.errs) > 0) {
		rc = drove__error(DROVE_EINVAL, "%s", drove_strlist_get(v.errs, 0));
		if (errors_out) {
			*errors_out = v.errs;
			v.errs = NULL;
		}
	} else if (!(t->doc = drove__strdup(
	                     json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN))) ||
	           !json_object_object_get_ex(doc, "task", &j) || tree_add(t, &tcap, j) < 0) {
		rc = DROVE_ENOMEM;
	} else {
		json_object_put(t->jdoc); /* kept as text: a parsed tree costs ten times more */
		t->jdoc = NULL;
		*out = t;
		t = NULL;
		rc = 0;
	}
	drove_strlist_free(v.errs);
	drove_epoch_topology_free(t);
	return rc;
}

const char *drove_epoch_topology_name(const drove_epoch_topology *t)
{
	return t ? t->name : NULL;
}

int drove_epoch_topology_trigger(const drove_epoch_topology *t)
{
	return t ? t->trigger : 0;
}

const drove_cron *drove_epoch_topology_cron(const drove_epoch_topology *t)
{
	return t ? t->cron : NULL;
}

int64_t drove_epoch_topology_at(const drove_epoch_topology *t)
{
	return t && t->trigger == DROVE_EPOCH_TRIGGER_AT ? t->at_ms : 0;
}

size_t drove_epoch_topology_task_count(const drove_epoch_topology *t)
{
	return t ? t->nleaves : 0;
}

const char *drove_epoch_topology_task_name(const drove_epoch_topology *t, size_t i)
{
	return t && i < t->nleaves ? t->leaves[i].name : NULL;
}

int drove_epoch_topology_task_spec(const drove_epoch_topology *t, size_t i, const char *source_app,
                                   const char *run_id, char **out)
{
	DROVE_CHECK_ARG(t && source_app && run_id && out);
	if (i >= t->nleaves)
		return drove__error(DROVE_EINVAL, "task index %zu: only %zu tasks", i, t->nleaves);
	if (!drove_id_is_valid_name(run_id))
		return drove__error(DROVE_EINVAL, "run id \"%s\": not a valid name", run_id);
	if (!drove_id_is_valid_name(source_app))
		return drove__error(DROVE_EINVAL, "source app \"%s\": not a valid name",
		                    source_app);
	/* Names are [0-9a-zA-Z_-]: nothing to escape. The stored spec is a non-empty object
	 * ("{...}" with at least executable and resources), so its closing brace is replaced. */
	const char *spec = t->leaves[i].spec;
	size_t len = strlen(spec);
	char *s = drove__asprintf("%.*s%s\"sourceAppName\":\"%s\",\"taskId\":\"%s-%s-%s\"}",
	                          (int)(len - 1), spec, len > 2 ? "," : "", source_app, t->name,
	                          run_id, t->leaves[i].name);
	if (!s)
		return DROVE_ENOMEM;
	*out = s;
	return 0;
}

int drove_epoch_topology_to_json(const drove_epoch_topology *t, char **out)
{
	DROVE_CHECK_ARG(t && out);
	char *s = drove__strdup(t->doc);
	if (!s)
		return DROVE_ENOMEM;
	*out = s;
	return 0;
}
