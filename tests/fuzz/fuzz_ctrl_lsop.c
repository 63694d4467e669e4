/* Fuzz the controller's local-service operation path without HTTP: decoding and validation
 * of a LocalServiceOperation body, the §5.4 allowed-ops check in every state, and for a
 * CREATE the summary, event metadata and LocalServiceInstanceSpec built from its spec. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctrl/lsvc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_strlist *errors = NULL;
	drove_ls_op *op = NULL;
	struct drove_spec_opts opts = {0};

	if (drove_strlist_new(&errors) < 0)
		return 0;
	if (drove__lsvc_op_decode((const char *)data, size, &opts, &op, errors) == 0) {
		for (int st = DROVE_LS_INIT; st <= DROVE_LS_DESTROYED; st++)
			drove__lsvc_check_op(st, (int)op->type,
			                     op->service_id ? op->service_id : "");
		if (op->spec) {
			drove_ls_info info = {0};
			drove_ls_instance_spec *is = NULL;
			int cores[2] = {0, 1};
			char *json = NULL;

			info.service_id = "S-1";
			info.spec = op->spec;
			info.instances_per_host = op->instances_per_host;
			json_object_put(drove__lsvc_summary(&info, DROVE_LS_ACTIVE, 1, 2));
			if (drove__lsvc_instance_spec(op->spec, "S-1", "SI-1", 0, cores, 2, 64, "t",
			                              &is) == 0 &&
			    drove__ls_instance_spec_encode(is, &json) == 0)
				free(json);
			drove__ls_instance_spec_free(is);
			json_object_put(drove__ctrl_masked_spec(op->spec));
		}
	}
	drove__ls_op_free(op);
	drove_strlist_free(errors);
	return 0;
}
