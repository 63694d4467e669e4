/* The application state machine of §5.1 as explicit tables, and SCALE planning (§4.2.1). */
#include "ctrl/model.h"

static const char *const op_names[DROVE__CTRL_OP__COUNT] = {
        [DROVE__CTRL_OP_CREATE] = "CREATE",
        [DROVE__CTRL_OP_START_INSTANCES] = "START_INSTANCES",
        [DROVE__CTRL_OP_STOP_INSTANCES] = "STOP_INSTANCES",
        [DROVE__CTRL_OP_SCALE_INSTANCES] = "SCALE_INSTANCES",
        [DROVE__CTRL_OP_REPLACE_INSTANCES] = "REPLACE_INSTANCES",
        [DROVE__CTRL_OP_SUSPEND] = "SUSPEND",
        [DROVE__CTRL_OP_RECOVER] = "RECOVER",
        [DROVE__CTRL_OP_DESTROY] = "DESTROY",
};

/* Allowed ops per state (the validation table of §5.1). Order of listing in messages follows
 * the op enum. */
#define B(op) DROVE__CTRL_OP_BIT(DROVE__CTRL_OP_##op)
static const unsigned allowed[] = {
        [DROVE_APP_INIT] = 0,
        [DROVE_APP_MONITORING] = B(START_INSTANCES) | B(SCALE_INSTANCES) | B(DESTROY) | B(RECOVER),
        [DROVE_APP_RUNNING] = B(START_INSTANCES) | B(STOP_INSTANCES) | B(SCALE_INSTANCES) |
                              B(REPLACE_INSTANCES) | B(SUSPEND) | B(RECOVER),
        [DROVE_APP_OUTAGE_DETECTED] = 0,
        [DROVE_APP_SCALING_REQUESTED] = B(SCALE_INSTANCES),
        [DROVE_APP_STOP_INSTANCES_REQUESTED] = 0,
        [DROVE_APP_REPLACE_INSTANCES_REQUESTED] = 0,
        [DROVE_APP_DESTROY_REQUESTED] = 0,
        [DROVE_APP_DESTROYED] = 0,
        [DROVE_APP_FAILED] = 0,
};
#undef B

/* Transitions (from -> allowed targets). */
#define S(st) (1u << (unsigned)DROVE_APP_##st)
static const unsigned transitions[] = {
        [DROVE_APP_INIT] = S(MONITORING) | S(RUNNING),
        [DROVE_APP_MONITORING] =
                S(DESTROY_REQUESTED) | S(SCALING_REQUESTED) | S(OUTAGE_DETECTED) | S(MONITORING),
        [DROVE_APP_RUNNING] = S(STOP_INSTANCES_REQUESTED) | S(SCALING_REQUESTED) |
                              S(REPLACE_INSTANCES_REQUESTED) | S(OUTAGE_DETECTED) | S(RUNNING),
        [DROVE_APP_OUTAGE_DETECTED] = S(SCALING_REQUESTED),
        [DROVE_APP_SCALING_REQUESTED] = S(SCALING_REQUESTED) | S(RUNNING) | S(MONITORING),
        [DROVE_APP_STOP_INSTANCES_REQUESTED] = S(RUNNING) | S(MONITORING),
        [DROVE_APP_REPLACE_INSTANCES_REQUESTED] = S(RUNNING) | S(MONITORING),
        [DROVE_APP_DESTROY_REQUESTED] = S(DESTROYED),
        [DROVE_APP_DESTROYED] = 0,
        [DROVE_APP_FAILED] = 0,
};
#undef S

const char *drove__ctrl_op_name(int op)
{
	return op >= 0 && op < DROVE__CTRL_OP__COUNT ? op_names[op] : NULL;
}

int drove__ctrl_op_from_api(int t)
{
	switch (t) {
	case DROVE_APP_OP_CREATE:
		return DROVE__CTRL_OP_CREATE;
	case DROVE_APP_OP_DESTROY:
		return DROVE__CTRL_OP_DESTROY;
	case DROVE_APP_OP_START_INSTANCES:
		return DROVE__CTRL_OP_START_INSTANCES;
	case DROVE_APP_OP_STOP_INSTANCES:
		return DROVE__CTRL_OP_STOP_INSTANCES;
	case DROVE_APP_OP_SCALE:
		return DROVE__CTRL_OP_SCALE_INSTANCES;
	case DROVE_APP_OP_REPLACE_INSTANCES:
		return DROVE__CTRL_OP_REPLACE_INSTANCES;
	case DROVE_APP_OP_SUSPEND:
		return DROVE__CTRL_OP_SUSPEND;
	case DROVE_APP_OP_RECOVER:
		return DROVE__CTRL_OP_RECOVER;
	default:
		return -1;
	}
}

unsigned drove__ctrl_allowed_ops(int state)
{
	if (state < 0 || (size_t)state >= DROVE_ARRAY_LEN(allowed))
		return 0;
	return allowed[state];
}

int drove__ctrl_transition_ok(int from, int to)
{
	if (from < 0 || (size_t)from >= DROVE_ARRAY_LEN(transitions) || to < 0 || to > 31)
		return 0;
	return (transitions[from] & (1u << (unsigned)to)) != 0;
}

int drove__ctrl_check_op(int state, int op, const char *app_id)
{
	unsigned set = drove__ctrl_allowed_ops(state);
	const char *sname = drove_app_state_name(state);
	drove__buf b = DROVE_BUF_INIT;
	int first = 1, rc;

	if (op >= 0 && op < DROVE__CTRL_OP__COUNT && (set & DROVE__CTRL_OP_BIT(op)))
		return 0;
	if (!set)
		return drove__error(DROVE_EINVAL,
		                    "No operations allowed for %s as it is in %s state", app_id,
		                    sname ? sname : "UNKNOWN");
	for (int i = 0; i < DROVE__CTRL_OP__COUNT; i++) {
		if (!(set & DROVE__CTRL_OP_BIT(i)))
			continue;
		if (drove__buf_printf(&b, "%s%s", first ? "" : ", ", op_names[i]) < 0) {
			drove__buf_free(&b);
			return drove__enomem();
		}
		first = 0;
	}
	rc = drove__error(DROVE_EINVAL, "Only [%s] allowed for app %s as it is in %s state", b.data,
	                  app_id, sname ? sname : "UNKNOWN");
	drove__buf_free(&b);
	return rc;
}

void drove__ctrl_plan_scale(drove_ctx *ctx, size_t healthy, int64_t required, size_t *start,
                            size_t *stop_idx, size_t *n_stop)
{
	size_t k;

	*start = 0;
	*n_stop = 0;
	if (required < 0)
		required = 0;
	if ((uint64_t)required > healthy) {
		*start = (size_t)required - healthy;
		return;
	}
	k = healthy - (size_t)required;
	if (!k)
		return;
	/* a partial Fisher-Yates shuffle of the indexes picks k distinct at random */
	for (size_t i = 0; i < healthy; i++)
		stop_idx[i] = i;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + (size_t)drove__rand_below(ctx, healthy - i);
		size_t t = stop_idx[i];
		stop_idx[i] = stop_idx[j];
		stop_idx[j] = t;
	}
	*n_stop = k;
}
