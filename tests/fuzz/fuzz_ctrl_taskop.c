/* Fuzz the controller's task operation path without HTTP: decoding and validation of a
 * TaskOperation body, policy conversion, the START_TASK spec and the first TaskInfo built from
 * a CREATE's spec, their encoding, event metadata and LOST marking. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/tasks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_strlist *errors = NULL;
	drove_task_op *op = NULL;
	struct drove_spec_opts opts = {0};

	if (drove_strlist_new(&errors) < 0)
		return 0;
	if (drove__ctrl_taskop_decode((const char *)data, size, &opts, &op, errors) == 0 &&
	    op->spec) {
		drove_sched_policy *p = NULL;
		drove_task_instance_spec *is = NULL;
		drove_task_info *t = NULL;
		int cores[2] = {0, 1};
		char *json = NULL;

		if (drove__ctrl_policy_convert(op->spec->placement_policy, &p) == 0)
			drove_sched_policy_free(p);
		(void)drove__ctrl_task_pull_ms(op->spec);
		if (drove__ctrl_task_instance_spec(op->spec, "TI-1", 0, cores, 2, 64, &is) == 0) {
			if (drove__task_instance_spec_encode(is, &json) == 0)
				free(json);
			json = NULL;
			if (drove__ctrl_task_info_new(is, "e", 1, &t) == 0) {
				drove_event ev = {0};
				if (drove_strmap_new(&ev.metadata) == 0) {
					drove__ctrl_event_task(&ev, t);
					drove_strmap_free(ev.metadata);
				}
				drove__ctrl_task_mark_lost(t, "lost", 2);
				if (drove__task_info_encode(t, &json) == 0)
					free(json);
			}
		}
		drove__task_info_free(t);
		drove__task_instance_spec_free(is);
	}
	drove__task_op_free(op);
	drove_strlist_free(errors);
	return 0;
}
