/* The pure parts of tasks (DROVE_API.md §2.5, §4.3, §7.1): the TaskOperation decoder, the
 * TaskInstanceSpec of START_TASK, the first TaskInfo, results and event metadata. Unit-tested
 * and fuzzed alone (tests/unit/check_ctrl_tasks.c); the engine is tasks.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctrl/tasks.h"

int drove__ctrl_taskop_decode(const char *body, size_t len, const struct drove_spec_opts *opts,
                              drove_task_op **out, drove_strlist *errors)
{
	drove_task_op *op = NULL;
	int rc;

	*out = NULL;
	if ((rc = drove__task_op_decode(body, len, 0, &op, errors, NULL)) < 0) {
		drove__task_op_free(op);
		if (rc == DROVE_ENOMEM)
			return rc;
		if (!drove_strlist_count(errors))
			drove_strlist_add(errors, drove_error_last()->message);
		return 1;
	}
	if ((rc = drove__task_op_validate(op, opts, errors)) != 0) {
		drove__task_op_free(op);
		return rc < 0 ? rc : 2;
	}
	if (op->type == DROVE_TASK_OP_CREATE &&
	    (rc = drove__task_spec_apply_defaults(op->spec)) < 0) {
		drove__task_op_free(op);
		return rc;
	}
	*out = op;
	return 0;
}

static int alloc_pair(drove_allocation **out, size_t *n, int node, const int *cores, size_t n_cores,
                      int64_t mb)
{
	drove_allocation *a = calloc(2, sizeof(*a));
	if (!a)
		return DROVE_ENOMEM;
	*out = a;
	*n = 2;
	a[0].type = DROVE_RES_CPU;
	a[1].type = DROVE_RES_MEMORY;
	if (!(a[0].cores = calloc(1, sizeof(*a[0].cores))))
		return DROVE_ENOMEM;
	a[0].n_cores = 1;
	a[0].cores[0].node = node;
	if (!(a[0].cores[0].cores = calloc(n_cores ? n_cores : 1, sizeof(int))))
		return DROVE_ENOMEM;
	if (n_cores)
		memcpy(a[0].cores[0].cores, cores, n_cores * sizeof(int));
	a[0].cores[0].n_cores = n_cores;
	if (!(a[1].memory = calloc(1, sizeof(*a[1].memory))))
		return DROVE_ENOMEM;
	a[1].n_memory = 1;
	a[1].memory[0].node = node;
	a[1].memory[0].mb = mb;
	return 0;
}

#define MOVE(dst, src)         \
	do {                   \
		(dst) = (src); \
		(src) = NULL;  \
	} while (0)
#define MOVEN(dst, n_dst, src, n_src) \
	do {                          \
		MOVE(dst, src);       \
		(n_dst) = (n_src);    \
		(n_src) = 0;          \
	} while (0)

int drove__ctrl_task_instance_spec(const drove_task_spec *spec, const char *instance_id, int node,
                                   const int *cores, size_t n_cores, int64_t mb,
                                   drove_task_instance_spec **out)
{
	drove_task_instance_spec *s = calloc(1, sizeof(*s));
	drove_task_spec *c = NULL;
	int rc = DROVE_ENOMEM;

	if (!s)
		return drove__enomem();
	if ((rc = drove__task_spec_copy(spec, &c)) < 0)
		goto fail;
	rc = DROVE_ENOMEM;
	if (!(s->task_id = drove__strdup(spec->task_id)) ||
	    !(s->source_app_name = drove__strdup(spec->source_app_name)) ||
	    !(s->instance_id = drove__strdup(instance_id)) ||
	    alloc_pair(&s->resources, &s->n_resources, node, cores, n_cores, mb) < 0)
		goto fail;
	MOVE(s->executable, c->executable);
	MOVEN(s->volumes, s->n_volumes, c->volumes, c->n_volumes);
	MOVEN(s->configs, s->n_configs, c->configs, c->n_configs);
	MOVE(s->logging_spec, c->logging);
	MOVE(s->env, c->env);
	MOVEN(s->args, s->n_args, c->args, c->n_args);
	MOVEN(s->devices, s->n_devices, c->devices, c->n_devices);
	MOVE(s->user_spec, c->user_spec);
	drove__task_spec_free(c);
	*out = s;
	return 0;
fail:
	drove__task_spec_free(c);
	drove__task_instance_spec_free(s);
	return rc < 0 ? rc : drove__enomem();
}

int drove__ctrl_task_info_new(const drove_task_instance_spec *is, const char *executor_id,
                              int64_t now_ms, drove_task_info **out)
{
	drove_task_instance_spec *c = NULL;
	drove_task_info *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return drove__enomem();
	if ((rc = drove__task_instance_spec_copy(is, &c)) < 0) {
		free(t);
		return rc;
	}
	MOVE(t->source_app_name, c->source_app_name);
	MOVE(t->task_id, c->task_id);
	MOVE(t->instance_id, c->instance_id);
	MOVE(t->executable, c->executable);
	MOVEN(t->resources, t->n_resources, c->resources, c->n_resources);
	MOVEN(t->volumes, t->n_volumes, c->volumes, c->n_volumes);
	MOVE(t->logging_spec, c->logging_spec);
	MOVE(t->env, c->env);
	drove__task_instance_spec_free(c);
	t->state = DROVE_TASK_PENDING;
	t->created = t->updated = now_ms;
	if ((executor_id && !(t->executor_id = drove__strdup(executor_id))) ||
	    !(t->error_message = drove__strdup("")) || drove_strmap_new(&t->metadata) < 0) {
		drove__task_info_free(t);
		return drove__enomem();
	}
	*out = t;
	return 0;
}

#undef MOVE
#undef MOVEN

int drove__ctrl_event_task(drove_event *ev, const drove_task_info *t)
{
	drove_strmap *m = ev->metadata;
	int rc = 0;

	if (t->source_app_name)
		rc |= drove_strmap_set(m, "APP_NAME", t->source_app_name);
	if (t->task_id)
		rc |= drove_strmap_set(m, "TASK_ID", t->task_id);
	if (t->instance_id)
		rc |= drove_strmap_set(m, "INSTANCE_ID", t->instance_id);
	if (t->executor_id)
		rc |= drove_strmap_set(m, "EXECUTOR_ID", t->executor_id);
	if (t->hostname)
		rc |= drove_strmap_set(m, "EXECUTOR_HOST", t->hostname);
	if (t->executable && t->executable->url)
		rc |= drove_strmap_set(m, "EXECUTABLE", t->executable->url);
	rc |= drove__ctrl_meta_setl(m, "CREATED", t->created);
	rc |= drove_strmap_set(m, "CURRENT_STATE", drove_task_state_name((int)t->state));
	if (t->error_message && *t->error_message)
		rc |= drove_strmap_set(m, "ERROR", t->error_message);
	if (t->task_result) {
		rc |= drove_strmap_set(m, "RESULT_STATUS",
		                       drove_task_result_status_name((int)t->task_result->status));
		rc |= drove__ctrl_meta_setl(m, "RESULT_EXIT_CODE", t->task_result->exit_code);
	}
	return rc ? DROVE_ENOMEM : 0;
}

int drove__ctrl_task_set_result(drove_task_info *t, int state, int status, int64_t code,
                                const char *why, int64_t now_ms)
{
	char *msg = drove__strdup(why ? why : "");
	drove_task_result *r = t->task_result ? NULL : calloc(1, sizeof(*r));
	if (!msg || (!t->task_result && !r)) {
		free(msg);
		free(r);
		return drove__enomem();
	}
	if (r)
		t->task_result = r;
	t->task_result->status = (enum drove_task_result_status)status;
	t->task_result->exit_code = code;
	free(t->error_message);
	t->error_message = msg;
	t->state = (enum drove_task_state)state;
	t->updated = now_ms;
	return 0;
}

int drove__ctrl_task_mark_lost(drove_task_info *t, const char *why, int64_t now_ms)
{
	return drove__ctrl_task_set_result(t, DROVE_TASK_LOST, DROVE_TASK_RESULT_LOST, -1, why,
	                                   now_ms);
}

int64_t drove__ctrl_task_pull_ms(const drove_task_spec *spec)
{
	if (spec && spec->executable && spec->executable->has_docker_pull_timeout)
		return drove_duration_ms(&spec->executable->docker_pull_timeout);
	return 15 * 60 * 1000;
}
