/* Fuzz the controller's operation path without HTTP: decoding and validation of an
 * ApplicationOperation body, the §5.1 allowed-ops check in every state, policy conversion and
 * the START_INSTANCE spec built from a CREATE's spec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctrl/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_strlist *errors = NULL;
	drove_app_op *op = NULL;
	struct drove_spec_opts opts = {0};

	if (drove_strlist_new(&errors) < 0)
		return 0;
	if (drove__ctrl_op_decode((const char *)data, size, &opts, &op, errors) == 0) {
		int sm = drove__ctrl_op_from_api((int)op->type);
		for (int st = DROVE_APP_INIT; st <= DROVE_APP_FAILED; st++)
			drove__ctrl_check_op(st, sm, op->app_id ? op->app_id : "");
		if (op->spec) {
			drove_sched_policy *p = NULL;
			drove_app_instance_spec *is = NULL;
			int cores[2] = {0, 1};
			char *json = NULL;
			if (drove__ctrl_policy_convert(op->spec->placement_policy, &p) == 0)
				drove_sched_policy_free(p);
			if (drove__ctrl_instance_spec(op->spec, "A-1", "AI-1", 0, cores, 2, 64,
			                              &is) == 0 &&
			    drove__app_instance_spec_encode(is, &json) == 0)
				free(json);
			drove__app_instance_spec_free(is);
			(void)drove__ctrl_max_start_ms(op->spec);
			json_object_put(drove__ctrl_masked_spec(op->spec));
		}
	}
	drove__app_op_free(op);
	drove_strlist_free(errors);
	return 0;
}
