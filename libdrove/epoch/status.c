/*
 * How Epoch reads Drove (DROVE_API.md §12): a Drove task instance's state and result mapped
 * to a task run state, a topology run's state from its tasks (COMPOSITE ALL / ANY), and the
 * "Task already exists" answer that means a CREATE was sent before.
 */
#include <string.h>

#include <json-c/json.h>

#include <drove/epoch.h>
#include <drove/model.h>
#include "core/internal.h"
#include "epoch/status.h"
#include "model/codec.h"

static const char *const TASK_STATES[] = {NULL,      "PENDING",   "STARTING",  "UNKNOWN",
                                          "RUNNING", "COMPLETED", "CANCELLED", "FAILED"};

const char *drove_epoch_task_state_name(int state)
{
	return state >= DROVE_EPOCH_TASK_PENDING && state <= DROVE_EPOCH_TASK_FAILED
	               ? TASK_STATES[state]
	               : "UNKNOWN";
}

/* Epoch's mapping (DROVE_API.md §12, DroveTaskExecutionEngine.mapTaskState) on the model's
 * enums: each Drove task state, BY_RESULT for STOPPED. RUN_FAILED (Drove 1.32, newer than the
 * Drove Epoch builds against) reads as its sibling error state PROVISIONING_FAILED: FAILED. */
#define BY_RESULT 0
static const unsigned char BY_STATE[] = {
        [DROVE_TASK_PENDING] = DROVE_EPOCH_TASK_STARTING,
        [DROVE_TASK_PROVISIONING] = DROVE_EPOCH_TASK_STARTING,
        [DROVE_TASK_PROVISIONING_FAILED] = DROVE_EPOCH_TASK_FAILED,
        [DROVE_TASK_STARTING] = DROVE_EPOCH_TASK_STARTING,
        [DROVE_TASK_RUNNING] = DROVE_EPOCH_TASK_RUNNING,
        [DROVE_TASK_RUN_COMPLETED] = DROVE_EPOCH_TASK_RUNNING,
        [DROVE_TASK_RUN_FAILED] = DROVE_EPOCH_TASK_FAILED,
        [DROVE_TASK_DEPROVISIONING] = DROVE_EPOCH_TASK_RUNNING,
        [DROVE_TASK_STOPPED] = BY_RESULT,
        [DROVE_TASK_LOST] = DROVE_EPOCH_TASK_FAILED,
        [DROVE_TASK_UNKNOWN] = DROVE_EPOCH_TASK_UNKNOWN,
};
static const unsigned char BY_STOPPED_RESULT[] = {
        [DROVE_TASK_RESULT_SUCCESSFUL] = DROVE_EPOCH_TASK_COMPLETED,
        [DROVE_TASK_RESULT_FAILED] = DROVE_EPOCH_TASK_FAILED,
        [DROVE_TASK_RESULT_CANCELLED] = DROVE_EPOCH_TASK_CANCELLED,
        [DROVE_TASK_RESULT_TIMED_OUT] = DROVE_EPOCH_TASK_FAILED,
        [DROVE_TASK_RESULT_LOST] = DROVE_EPOCH_TASK_FAILED,
};
_Static_assert(DROVE_ARRAY_LEN(BY_STATE) == DROVE_TASK_UNKNOWN + 1, "a task state unmapped");
_Static_assert(DROVE_ARRAY_LEN(BY_STOPPED_RESULT) == DROVE_TASK_RESULT_LOST + 1,
               "a task result unmapped");

int drove__epoch_task_state_map(int state, int result)
{
	if (state < 0 || (size_t)state >= DROVE_ARRAY_LEN(BY_STATE))
		return DROVE_EPOCH_TASK_UNKNOWN;
	if (BY_STATE[state] != BY_RESULT)
		return BY_STATE[state];
	if (result < 0)
		return DROVE_EPOCH_TASK_COMPLETED; /* STOPPED without a result */
	if ((size_t)result >= DROVE_ARRAY_LEN(BY_STOPPED_RESULT))
		return DROVE_EPOCH_TASK_FAILED; /* a result this build does not know: not a success
		                                 */
	return BY_STOPPED_RESULT[result];
}

/* The value named `name` (exactly, as Drove spells it) among `n` by `name_of`; -1 if none. */
static int value_named(const char *(*name_of)(int), int n, const char *name)
{
	for (int v = 0; v < n; v++) {
		const char *s = name_of(v);
		if (s && !strcmp(s, name))
			return v;
	}
	return -1;
}

int drove_epoch_task_state_from_drove(const char *state, const char *result)
{
	int s = state ? value_named(drove_task_state_name, DROVE_TASK_UNKNOWN + 1, state) : -1;
	int r = !result ? -1
	                : value_named(drove_task_result_status_name, DROVE_TASK_RESULT_LOST + 1,
	                              result);
	return drove__epoch_task_state_map(s, result && r < 0 ? DROVE__EPOCH_RESULT_NEW : r);
}

/* 1 success, -1 failure, 0 still going. */
static int leaf_outcome(int s)
{
	if (s == DROVE_EPOCH_TASK_COMPLETED)
		return 1;
	if (s == DROVE_EPOCH_TASK_FAILED || s == DROVE_EPOCH_TASK_CANCELLED)
		return -1;
	return 0;
}

/* Epoch's visit of a run's tasks, one at a time, depth first: an ANY stops at its first
 * COMPLETED child and an ALL at its first failed (or cancelled) one, so the children after
 * it are never run, nested composites included. `pos` is the node (status.h); `*idx` walks
 * the leaves (depth-first index); `*pending` gets the leaf still to finish. 1 success, -1
 * failure, 0 still going. */
static int visit(const struct drove__etnode *nd, size_t pos, const int *states, size_t n,
                 size_t *idx, size_t *pending)
{
	if (!nd[pos].composite) {
		size_t i = (*idx)++;
		int o = i < n ? leaf_outcome(states[i]) : 0;
		if (o == 0)
			*pending = i;
		return o;
	}
	int any = nd[pos].any;
	size_t c = pos + 1;
	for (unsigned k = 0; k < nd[pos].nchild; k++) {
		int o = visit(nd, c, states, n, idx, pending);
		if (o == 0 || (any && o > 0) || (!any && o < 0)) {
			size_t s = c + nd[c].size; /* not visited: skip their leaves */
			for (unsigned m = k + 1; m < nd[pos].nchild; m++) {
				*idx += nd[s].nleaves;
				s += nd[s].size;
			}
			return o;
		}
		c += nd[c].size;
	}
	return any ? -1 : 1;
}

int drove__epoch_topology_next_task(const drove_epoch_topology *t, const int *task_states, size_t n,
                                    size_t *next)
{
	size_t idx = 0, pending = n, nnodes = 0;
	int o = 0;

	if (!t || (n && !task_states) || n != drove_epoch_topology_task_count(t))
		return drove__error(DROVE_EINVAL, "task states: %zu given, %zu tasks", n,
		                    drove_epoch_topology_task_count(t));
	const struct drove__etnode *nd = drove__epoch_topology_tree(t, &nnodes);
	if (nnodes)
		o = visit(nd, 0, task_states, n, &idx, &pending);
	if (next)
		*next = o == 0 ? pending : n;
	return o > 0   ? DROVE_EPOCH_RUN_SUCCESSFUL
	       : o < 0 ? DROVE_EPOCH_RUN_FAILED
	               : DROVE_EPOCH_RUN_RUNNING;
}

int drove_epoch_topology_run_state(const drove_epoch_topology *t, const int *task_states, size_t n)
{
	return drove__epoch_topology_next_task(t, task_states, n, NULL);
}

int drove_epoch_is_task_exists(const char *body, size_t len)
{
	struct json_object *j = NULL, *data, *errs;
	int yes = 0;

	if (!body || drove__mcodec_parse(body, len, &j) < 0) {
		drove_error_clear();
		return 0;
	}
	if (json_object_is_type(j, json_type_object) &&
	    json_object_object_get_ex(j, "data", &data) &&
	    json_object_is_type(data, json_type_object) &&
	    json_object_object_get_ex(data, "validationErrors", &errs) &&
	    json_object_is_type(errs, json_type_array) && json_object_array_length(errs) > 0) {
		const char *first = json_object_get_string(json_object_array_get_idx(errs, 0));
		yes = first && strstr(first, "Task already exists ") != NULL;
	}
	json_object_put(j);
	return yes;
}
