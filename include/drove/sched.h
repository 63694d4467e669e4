/*
 * The scheduler: a resource view of the cluster's executors, placement policies and exact
 * NUMA-node/core allocation (DROVE_API.md §9). Pure logic: it is fed plain values (executor
 * snapshots), never touches I/O, and is deterministic given the context's seed.
 *
 * Threads: a drove_sched, its sessions and its allocations are used by one thread at a time
 * (the controller's loop). Policies and scheduling-info documents are shared read-only once
 * built.
 *
 * docs/scheduler.md describes the design, the soft-lock rule and how to add a strategy.
 */
#ifndef DROVE_SCHED_H
#define DROVE_SCHED_H

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/model.h>

DROVE_BEGIN_DECLS

typedef struct drove_sched drove_sched;
typedef struct drove_sched_policy drove_sched_policy;
typedef struct drove_sched_snapshot drove_sched_snapshot;
typedef struct drove_sched_session drove_sched_session;
typedef struct drove_sched_alloc drove_sched_alloc;
typedef struct drove_sched_plan drove_sched_plan;
typedef struct drove_sched_info drove_sched_info;

/** Built-in strategies; custom ones get ids from drove_sched_strategy_register(). @since 0.1 */
enum drove_sched_strategy {
	DROVE_SCHED_RANDOM_FIRST_FIT = 0, /**< Drove's default: a random fitting node wins */
	DROVE_SCHED_BEST_FIT = 1,         /**< pack: the node left with the fewest free cores */
	DROVE_SCHED_SPREAD = 2,           /**< the node (executor) with the most free cores */
};

/** COMPOSITE combiners. @since 0.1 */
enum drove_sched_combiner {
	DROVE_SCHED_AND = 0,
	DROVE_SCHED_OR = 1,
};

/* ---- placement policies (§3.1, §9.3) ---- */

/** Policy constructors. `*out` is a new tree node owned by the caller (or, once added, by a
 *  composite). max_per_host: `max` in 1..64. match_tag: `tag` non-empty, copied.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_policy_any(drove_sched_policy **out);
DROVE_API int drove_sched_policy_one_per_host(drove_sched_policy **out);
DROVE_API int drove_sched_policy_max_per_host(drove_sched_policy **out, int max);
DROVE_API int drove_sched_policy_match_tag(drove_sched_policy **out, const char *tag);
DROVE_API int drove_sched_policy_no_tag(drove_sched_policy **out);
DROVE_API int drove_sched_policy_local(drove_sched_policy **out, int host_level);
/** A RULE_BASED policy with a HOPE rule, parsed now (docs/scheduler.md has the grammar:
 *  JSON pointers and $.paths, comparisons, &&, ||, &, |, ^, !, HOPE's functions, literals).
 *  @return 0, DROVE_EINVAL (the message names the position) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_policy_rule_hope(drove_sched_policy **out, const char *rule);
/** RULE_BASED with an explicit `rule_type` ("HOPE", case-insensitive); "MVEL" and anything
 *  else are rejected with DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_sched_policy_rule(drove_sched_policy **out, const char *rule,
                                      const char *rule_type);
/** An empty COMPOSITE (DROVE_SCHED_AND or DROVE_SCHED_OR); fill it with
 *  drove_sched_policy_add(). An empty composite is rejected at placement. @since 0.1 */
DROVE_API int drove_sched_policy_composite(drove_sched_policy **out, int combiner);
/** Append `child` to `composite`. On success the composite owns `child`; on error the caller
 *  still does. @return 0, DROVE_EINVAL (not a composite, a cycle, depth over 16) or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_policy_add(drove_sched_policy *composite, drove_sched_policy *child);
/** Frees the whole tree. NULL is fine. @since 0.1 */
DROVE_API void drove_sched_policy_free(drove_sched_policy *policy);

/* ---- scheduling-info documents and rule dry runs (§3.9) ---- */

/** An empty SchedulingInfo document. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_info_new(drove_sched_info **out);
DROVE_API void drove_sched_info_free(drove_sched_info *info);
/** Setters (all strings copied). @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_info_set_executor_id(drove_sched_info *info, const char *id);
DROVE_API int drove_sched_info_set_allocated_metadata(drove_sched_info *info, const char *key,
                                                      const char *value);
DROVE_API int drove_sched_info_set_executor_metadata(drove_sched_info *info,
                                                     const char *executor_id, const char *key,
                                                     const char *value);
DROVE_API int drove_sched_info_set_env(drove_sched_info *info, const char *key, const char *value);
/** Evaluate a RULE_BASED policy on `info`; `*result` gets 0 or 1.
 *  @return 0 or DROVE_EINVAL (not a RULE_BASED policy). @since 0.1 */
DROVE_API int drove_sched_rule_eval(const drove_sched_policy *policy, const drove_sched_info *info,
                                    int *result);
/** Like drove_sched_rule_eval(), but a rule whose evaluation fails (HOPE fails the whole rule
 *  on a missing value, a type mismatch, a zero denominator, a bad regex: the scheduler then
 *  skips the executor) is reported: `*result` is 0 and the call returns DROVE_EINVAL with
 *  the reason ("rule: no value at /allocatedExecutorNodeMetadata/rack (position 1)"). Drove's
 *  rule dry run shows this as a FAILURE `evalResult`. Thread-safe on distinct `info`.
 *  @return 0, or DROVE_EINVAL (not RULE_BASED, or the evaluation failed). @since 0.1 */
DROVE_API int drove_sched_rule_eval_strict(const drove_sched_policy *policy,
                                           const drove_sched_info *info, int *result);

/* ---- executor snapshots ---- */

/** A snapshot of one executor (§6.5), filled with the setters below and handed to
 *  drove_sched_executor_update(). `hostname` is always one of its tags.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_snapshot_new(drove_sched_snapshot **out, const char *executor_id,
                                       const char *hostname, int port);
DROVE_API void drove_sched_snapshot_free(drove_sched_snapshot *snap);
/** An enum drove_executor_state (<drove/model.h>); default ACTIVE. @since 0.1 */
DROVE_API int drove_sched_snapshot_set_state(drove_sched_snapshot *snap, int state);
/** When the executor took the snapshot (epoch ms, its `updated`); 0 (default) means "now" at
 *  update time. Decides which soft locks survive (docs/scheduler.md). @since 0.1 */
DROVE_API int drove_sched_snapshot_set_time(drove_sched_snapshot *snap, int64_t ms);
/** Add a tag (configured resources.tags); duplicates are ignored. @since 0.1 */
DROVE_API int drove_sched_snapshot_add_tag(drove_sched_snapshot *snap, const char *tag);
/** Set a metadata key/value (used by RULE_BASED policies). @since 0.1 */
DROVE_API int drove_sched_snapshot_set_metadata(drove_sched_snapshot *snap, const char *key,
                                                const char *value);
/** Per NUMA node `node` (0..1023, at most 64 nodes): the free core ids (v-core ids when
 *  over-provisioned), the used ones, and free/used MB. Ids are 0..2^30; duplicates and an id
 *  both free and used are rejected. Each call replaces that node's previous value.
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_snapshot_set_free_cores(drove_sched_snapshot *snap, int node,
                                                  const int *cores, size_t n);
DROVE_API int drove_sched_snapshot_set_used_cores(drove_sched_snapshot *snap, int node,
                                                  const int *cores, size_t n);
DROVE_API int drove_sched_snapshot_set_memory(drove_sched_snapshot *snap, int node, int64_t free_mb,
                                              int64_t used_mb);
/** The physical layout of a node (`state.layout`): physical core ids and exposable MB. Used
 *  by the §3.7 check; without it the node's core count is used. @since 0.1 */
DROVE_API int drove_sched_snapshot_set_layout(drove_sched_snapshot *snap, int node,
                                              const int *physical_cores, size_t n, int64_t mb);
/** Over-provisioning: v-core id `vcores[i]` runs on physical core `physical[i]` (§9.1). @since
 *  0.1 */
DROVE_API int drove_sched_snapshot_set_vcore_map(drove_sched_snapshot *snap, int node,
                                                 const int *vcores, const int *physical, size_t n);

/* ---- the scheduler and its view ---- */

/** A scheduler drawing randomness from `ctx` (borrowed; must outlive it). The default
 *  strategy is DROVE_SCHED_RANDOM_FIRST_FIT. @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_sched_new(drove_sched **out, drove_ctx *ctx);
/** Free sessions and allocations first. NULL is fine. @since 0.1 */
DROVE_API void drove_sched_free(drove_sched *sched);
/** Pick the strategy: a drove_sched_strategy or a registered id. @return 0 or DROVE_EINVAL.
 *  @since 0.1 */
DROVE_API int drove_sched_set_strategy(drove_sched *sched, int strategy);
/** The current strategy's name ("random-first-fit", "best-fit", "spread" or the registered
 *  name). Static or borrowed from the scheduler. @since 0.1 */
DROVE_API const char *drove_sched_strategy_name(const drove_sched *sched);
/** Fix the clock used to stamp allocations (epoch ms); 0 returns to the wall clock. @since
 *  0.1 */
DROVE_API void drove_sched_set_time(drove_sched *sched, int64_t now_ms);

/** Custom strategy: score one candidate (executor, NUMA node with enough free cores and MB,
 *  passing the policy); the lowest score wins, ties go to the first candidate seen. It runs on
 *  the calling thread during placement; the strings are borrowed for the call. */
typedef int64_t (*drove_sched_score_fn)(const char *executor_id, int node, int free_cores,
                                        int64_t free_mb, int executor_free_cores, void *userdata);
/** Register a custom strategy (examined over every candidate, so slower than the built-ins);
 *  `*id_out` gets its id for drove_sched_set_strategy(). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_strategy_register(drove_sched *sched, const char *name,
                                            drove_sched_score_fn score, void *userdata,
                                            int *id_out);

/** Replace an executor's view with `snap` (copied), adding the executor if new. Soft locks
 *  stamped before the snapshot's time are dropped; newer ones are re-applied (or confirmed
 *  when the snapshot already shows their cores used). @return 0, DROVE_EINVAL or
 *  DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_executor_update(drove_sched *sched, const drove_sched_snapshot *snap);
/** Change an executor's state without a snapshot (blacklist messages). @return 0,
 *  DROVE_ENOTFOUND or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_sched_executor_set_state(drove_sched *sched, const char *executor_id,
                                             int state);
/** Forget an executor (lost) and its soft locks. @return 0 or DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_sched_executor_remove(drove_sched *sched, const char *executor_id);
/** Executors in the view. @since 0.1 */
DROVE_API size_t drove_sched_executor_count(const drove_sched *sched);
/** Free cores and MB of one executor's node in the current view (soft locks deducted).
 *  @return 0 or DROVE_ENOTFOUND. @since 0.1 */
DROVE_API int drove_sched_executor_node_free(const drove_sched *sched, const char *executor_id,
                                             int node, int *free_cores, int64_t *free_mb);

/* ---- sessions (one per operation on a deployable) ---- */

/** A session for deployable `deployable_id` (appId / sourceAppName / serviceId) of `kind`
 *  (enum drove_deployable_kind: apps and tasks need ACTIVE executors, local services ACTIVE or
 *  UNREADY ones). Free it before the scheduler. @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1
 */
DROVE_API int drove_sched_session_new(drove_sched_session **out, drove_sched *sched, int kind,
                                      const char *deployable_id);
DROVE_API void drove_sched_session_free(drove_sched_session *sess);
/** Seed the session with an existing instance of the deployable on `executor_id`, so that
 *  ONE_PER_HOST / MAX_N_PER_HOST count it. @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_sched_session_seed(drove_sched_session *sess, const char *executor_id);
/** The deployable's environment (applicationEnvironment for rules). @since 0.1 */
DROVE_API int drove_sched_session_set_env(drove_sched_session *sess, const char *key,
                                          const char *value);
/** Instances of the deployable the session counts on `executor_id`. @since 0.1 */
DROVE_API int drove_sched_session_count(const drove_sched_session *sess, const char *executor_id);

/* ---- allocation ---- */

/** Place one instance of `cores` cores and `mb` MB under `policy` (NULL = ANY) using the
 *  current strategy: one executor, one NUMA node, exact core ids, soft-locked in the view and
 *  recorded in `sess`. @return 0, DROVE_EINVAL, DROVE_ENOMEM or DROVE_ENORESOURCE (the
 *  message says why: state, cores, memory or how many executors the policy excluded).
 *  @since 0.1 */
DROVE_API int drove_sched_place(drove_sched *sched, drove_sched_session *sess,
                                const drove_sched_policy *policy, int cores, int64_t mb,
                                drove_sched_alloc **out);
/** Release an allocation whose start failed: its soft lock returns the cores and MB (when a
 *  snapshot has not already settled it) and `sess` (may be NULL) forgets it. The allocation
 *  is not freed. @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_sched_release(drove_sched *sched, drove_sched_session *sess,
                                  const drove_sched_alloc *alloc);
/** Allocation getters; strings borrowed from the allocation. @since 0.1 */
DROVE_API const char *drove_sched_alloc_executor(const drove_sched_alloc *alloc);
DROVE_API const char *drove_sched_alloc_hostname(const drove_sched_alloc *alloc);
DROVE_API int drove_sched_alloc_node(const drove_sched_alloc *alloc);
DROVE_API size_t drove_sched_alloc_core_count(const drove_sched_alloc *alloc);
/** Core (or v-core) id `i`, ascending; -1 when out of range. @since 0.1 */
DROVE_API int drove_sched_alloc_core(const drove_sched_alloc *alloc, size_t i);
/** The physical core behind core `i` (the v-core map; the id itself without one). @since 0.1 */
DROVE_API int drove_sched_alloc_physical_core(const drove_sched_alloc *alloc, size_t i);
DROVE_API int64_t drove_sched_alloc_mb(const drove_sched_alloc *alloc);
DROVE_API void drove_sched_alloc_free(drove_sched_alloc *alloc);

/* ---- plans and checks ---- */

/** Where `count` instances would land, without changing the view or `sess` (the context's
 *  random state advances). Placements stop at the first one that does not fit; the plan then
 *  holds the reason. `sess` may be NULL (an empty session of `kind` is used).
 *  @return 0, DROVE_EINVAL or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_sched_plan_new(drove_sched_plan **out, drove_sched *sched,
                                   const drove_sched_session *sess, int kind,
                                   const drove_sched_policy *policy, int cores, int64_t mb,
                                   size_t count);
DROVE_API void drove_sched_plan_free(drove_sched_plan *plan);
/** Instances requested / placed. @since 0.1 */
DROVE_API size_t drove_sched_plan_requested(const drove_sched_plan *plan);
DROVE_API size_t drove_sched_plan_placed(const drove_sched_plan *plan);
/** Placement `i` (< placed); borrowed. @since 0.1 */
DROVE_API const char *drove_sched_plan_executor(const drove_sched_plan *plan, size_t i);
DROVE_API int drove_sched_plan_node(const drove_sched_plan *plan, size_t i);
DROVE_API size_t drove_sched_plan_core_count(const drove_sched_plan *plan, size_t i);
DROVE_API int drove_sched_plan_core(const drove_sched_plan *plan, size_t i, size_t j);
/** Why placement stopped, or NULL when everything was placed; borrowed. @since 0.1 */
DROVE_API const char *drove_sched_plan_reason(const drove_sched_plan *plan);

/** The controller's §3.7 resource check for `count` more instances: 0, or
 *  DROVE_ENORESOURCE with Drove's exact message ("No executors on cluster", "Cluster does not
 *  have enough CPU. Required: R Available: A", the Memory variant, "Required cores exceeds
 *  the maximum core available on a single NUMA node in the cluster. Required: R Max: M"), or
 *  DROVE_EINVAL. Only ACTIVE executors count. @since 0.1 */
DROVE_API int drove_sched_check_resources(const drove_sched *sched,
                                          const drove_sched_policy *policy, int cores, int64_t mb,
                                          size_t count);

DROVE_END_DECLS
#endif
