/* Fuzz the placement rule dry run (§3.9) without HTTP: a body parsed as the server does, the
 * DryRunRuleInfo decoder, then the rule's parse and evaluation on the decoded document. */
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include <drove/sched.h>

#include "ctrl/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener *tok;
	struct json_object *j;
	drove_strlist *errors = NULL;
	drove_sched_info *info = NULL;
	drove_placement_policy *pp = NULL;

	if (size > 1 << 20 || !(tok = json_tokener_new_ex(64)))
		return 0;
	j = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (!j)
		return 0;
	if (drove_strlist_new(&errors) == 0 && drove_sched_info_new(&info) == 0 &&
	    drove__ctrl_dryrun_decode(j, &pp, info, errors) == 0) {
		drove_sched_policy *p = NULL;
		int result = 0;
		if (drove_sched_policy_rule_hope(&p, pp->rule) == 0)
			(void)drove_sched_rule_eval(p, info, &result);
		drove_sched_policy_free(p);
	}
	drove__placement_policy_free(pp);
	drove_sched_info_free(info);
	drove_strlist_free(errors);
	json_object_put(j);
	return 0;
}
