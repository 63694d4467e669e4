/*
 * RULE_BASED placement (DROVE_API.md §9.3): HOPE rules evaluated over the SchedulingInfo
 * document, without json-c. The parser is model/hope.c (so spec validation can refuse a bad
 * rule); this layer evaluates the tree. The document is regular, so it is represented by
 * lookups:
 *   /executorNodeId                              the candidate executor's id
 *   /allocatedExecutorNodeMetadata/<key>         the candidate executor's metadata
 *   /allExecutorMetadata/<executorId>/<key>      metadata of executors used in the session
 *   /applicationEnvironment/<KEY>                the deployable's env
 * Every value in it is a string (Drove's SchedulingInfo holds Map<String, String>).
 * Grammar, type rules, functions: docs/scheduler.md. Parsed once per policy; a parsed rule is
 * immutable and may be evaluated from several threads at once.
 */
#ifndef DROVE_SCHED_RULE_H
#define DROVE_SCHED_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/hope.h"

#define DROVE_SCHED_RULE_MAX   DROVE_HOPE_MAX_LEN   /* bytes */
#define DROVE_SCHED_RULE_DEPTH DROVE_HOPE_MAX_DEPTH /* nesting levels */

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
/* True when the rule holds; false when it does not or its evaluation fails (a missing value,
 * a type mismatch, a division by zero: HOPE fails the whole rule, Drove then skips the
 * executor). Sets no error. */
bool drove__sched_rule_eval(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc);
/* The same with the reason: @return 0 and *result, or DROVE_EINVAL with the evaluation error
 * ("rule: no value at /allocatedExecutorNodeMetadata/rack") and *result false. */
int drove__sched_rule_eval_ex(const struct drove__sched_rule *r, const drove__sched_ruledoc *doc,
                              bool *result);
void drove__sched_rule_free(struct drove__sched_rule *r);

#endif
