/*
 * How Epoch reads Drove (DROVE_API.md §12): a Drove task instance's state and result mapped
 * to a task run state, a topology run's state from its tasks (COMPOSITE ALL / ANY), and the
 * "Task already exists" answer that means a CREATE was sent before.
 */
#include <string.h>

#include <json-c/json.h>

#include <drove/epoch.h>
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

int drove_epoch_task_state_from_drove(const char *state, const char *result)
{
	static const struct {
		const char *drove;
		int epoch;
	} map[] = {
	        {"PENDING", DROVE_EPOCH_TASK_STARTING},
	        {"PROVISIONING", DROVE_EPOCH_TASK_STARTING},
	        {"STARTING", DROVE_EPOCH_TASK_STARTING},
	        {"RUNNING", DROVE_EPOCH_TASK_RUNNING},
	        {"RUN_COMPLETED", DROVE_EPOCH_TASK_RUNNING},
	        {"DEPROVISIONING", DROVE_EPOCH_TASK_RUNNING},
	        {"PROVISIONING_FAILED", DROVE_EPOCH_TASK_FAILED},
	        {"LOST", DROVE_EPOCH_TASK_FAILED},
	};
	if (!state)
		return DROVE_EPOCH_TASK_UNKNOWN;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(map); i++)
		if (!strcmp(state, map[i].drove))
			return map[i].epoch;
	if (!strcmp(state, "STOPPED")) {
		if (!result || !strcmp(result, "SUCCESSFUL"))
			return DROVE_EPOCH_TASK_COMPLETED;
		if (!strcmp(result, "CANCELLED"))
			return DROVE_EPOCH_TASK_CANCELLED;
		return DROVE_EPOCH_TASK_FAILED; /* TIMED_OUT, FAILED, LOST */
	}
	return DROVE_EPOCH_TASK_UNKNOWN;
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
