/*
 * HOPE-style rules for RULE_BASED placement (DROVE_API.md §9.3): JSON-pointer comparisons
 * over the SchedulingInfo document, without json-c. The document is regular, so it is
 * represented by lookups:
 *   /executorNodeId                              the candidate executor's id
 *   /allocatedExecutorNodeMetadata/<key>         the candidate executor's metadata
 *   /allExecutorMetadata/<executorId>/<key>      metadata of executors used in the session
 *   /applicationEnvironment/<KEY>                the deployable's env
 * Grammar (docs/scheduler.md): or := and ('||' and)*; and := unary ('&&' unary)*;
 * unary := '!' unary | '(' or ')' | operand [('=='|'!=') operand];
 * operand := "/pointer" | "string" | 'string' | number | true | false.
 * A lone pointer tests existence. Parsed once per policy.
 */
#ifndef DROVE_SCHED_RULE_H
#define DROVE_SCHED_RULE_H

#include <stdbool.h>
#include <stddef.h>

#define DROVE_SCHED_RULE_MAX   4096 /* bytes */
#define DROVE_SCHED_RULE_DEPTH 32

struct drove__sched_rule;

/* The SchedulingInfo document as lookups; each returns a borrowed string or NULL when the
 * key (or executor) is absent. exec_known says whether allExecutorMetadata has `exec`. */
typedef struct drove__sched_ruledoc {
	const char *executor_id;
	const char *(*alloc_meta)(const void *ud, const char *key);
	bool (*exec_known)(const void *ud, const char *exec);
	const char *(*exec_meta)(const void *ud, const char *exec, const char *key);
	const char *(*env)(const void *ud, const char *key);
	const void *ud;
} drove__sched_ruledoc;

/* Parse `text`. @return 0, DROVE_EINVAL ("rule: ... at position N") or DROVE_ENOMEM. */
int drove__sched_rule_parse(const char *text, struct drove__sched_rule **out);
bool drove__sched_rule_eval(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc);
void drove__sched_rule_free(struct drove__sched_rule *r);

#endif
