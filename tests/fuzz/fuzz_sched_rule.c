/* Fuzz the RULE_BASED (HOPE-style) rule parser and evaluator. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include <drove/sched.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_sched_policy *p = NULL;
	drove_sched_info *info = NULL;
	char *s;
	int r = -1;

	if (size > 8192 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove_sched_policy_rule_hope(&p, s) == 0) {
		if (drove_sched_info_new(&info) != 0 ||
		    drove_sched_info_set_executor_id(info, "e1") != 0 ||
		    drove_sched_info_set_allocated_metadata(info, "rack", "r1") != 0 ||
		    drove_sched_info_set_executor_metadata(info, "e0", "rack", "r2") != 0 ||
		    drove_sched_info_set_env(info, "ZONE", "z1") != 0)
			abort();
		if (drove_sched_rule_eval(p, info, &r) != 0 || (r != 0 && r != 1))
			abort();
		drove_sched_info_free(info);
		drove_sched_policy_free(p);
	} else if (p) {
		abort(); /* *out must stay untouched on error */
	}
	free(s);
	return 0;
}
