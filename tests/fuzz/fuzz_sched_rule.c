/* Fuzz the RULE_BASED (HOPE) rule parser and evaluator: any text either parses or is refused
 * with DROVE_EINVAL; a parsed rule evaluates without crashing, and the two evaluation calls
 * agree (a failed evaluation is false). */
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
	int r = -1, r2 = -1, rc;

	if (size > 8192 || !(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = drove_sched_policy_rule_hope(&p, s);
	if (rc == 0) {
		if (drove_sched_info_new(&info) != 0 ||
		    drove_sched_info_set_executor_id(info, "e1") != 0 ||
		    drove_sched_info_set_allocated_metadata(info, "rack", "r1") != 0 ||
		    drove_sched_info_set_allocated_metadata(info, "cores", "64") != 0 ||
		    drove_sched_info_set_allocated_metadata(info, "a/b", "x~y") != 0 ||
		    drove_sched_info_set_executor_metadata(info, "e0", "rack", "r2") != 0 ||
		    drove_sched_info_set_env(info, "ZONE", "z1") != 0 ||
		    drove_sched_info_set_env(info, "NAME", "Hello World") != 0)
			abort();
		if (drove_sched_rule_eval(p, info, &r) != 0 || (r != 0 && r != 1))
			abort();
		rc = drove_sched_rule_eval_strict(p, info, &r2);
		if ((rc != 0 && rc != DROVE_EINVAL) || r2 != (rc == 0 ? r : 0))
			abort();
		drove_sched_info_free(info);
		drove_sched_policy_free(p);
	} else if (p || (rc != DROVE_EINVAL && rc != DROVE_ENOMEM)) {
		abort(); /* *out must stay untouched on error */
	}
	free(s);
	return 0;
}
