/*
 * Internal structures of the scheduler (not installed). docs/scheduler.md is the long form.
 */
#ifndef DROVE_SCHED_INTERNAL_H
#define DROVE_SCHED_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <drove/sched.h>
#include "core/internal.h"
#include "sched/rule.h"

#define DROVE_SCHED_MAX_NODES    64 /* NUMA nodes per executor */
#define DROVE_SCHED_MAX_NODE_ID  1023
#define DROVE_SCHED_MAX_CORE_ID  (1 << 30)
#define DROVE_SCHED_NBUCKETS     257 /* buckets by free cores: 0..255, 256 = "256 or more" */
#define DROVE_SCHED_POLICY_DEPTH 16

enum policy_type {
	POL_ANY,
	POL_ONE_PER_HOST,
	POL_MAX_PER_HOST,
	POL_MATCH_TAG,
	POL_NO_TAG,
	POL_LOCAL,
	POL_RULE,
	POL_COMPOSITE,
};

struct drove_sched_policy {
	enum policy_type type;
	int max;   /* MAX_PER_HOST; LOCAL host_level; COMPOSITE combiner */
	char *tag; /* MATCH_TAG; the rule text for RULE_BASED */
	struct drove__sched_rule *rule;
	struct drove_sched_policy **kids;
	size_t nkids, capkids;
	struct drove_sched_policy *parent;
};

/* One NUMA node of an executor. Core ids are mapped to dense indexes (ids[] sorted). */
struct sched_node {
	int id;
	uint32_t ncores; /* universe: free ∪ used ∪ v-core map keys */
	int *ids;        /* dense index -> core id, ascending */
	int *phys;       /* dense index -> physical core, or NULL */
	uint64_t *free;  /* bitmap: free in the view (soft locks removed) */
	uint64_t *used;  /* bitmap: used according to the last snapshot */
	uint32_t nfree;
	int64_t free_mb, used_mb;
	uint32_t layout_cores;
	int64_t layout_mb;
	/* position in the bucket index */
	int8_t idx;
	uint16_t bucket;
	uint32_t pos;
};

struct sched_lock {
	uint64_t id;
	int node_id;
	int64_t mb;
	int64_t time_ms;
	uint32_t ncores;
	int *cores; /* core ids */
};

struct sched_exec {
	char *id, *hostname;
	int port;
	int state;
	bool live;   /* false once removed (the slot is kept for the id) */
	bool tagged; /* has a tag other than its hostname */
	char **tags;
	size_t ntags;
	drove_strmap *meta;
	struct sched_node *nodes;
	size_t nnodes;
	struct sched_lock *locks;
	size_t nlocks, caplocks;
	uint32_t total_free;
	int64_t snap_ms;
};

/* Items are (slot << 6 | node index). Buckets by the node's free core count. */
struct sched_bucket {
	uint32_t *items;
	uint32_t n, cap;
};
struct sched_bidx {
	struct sched_bucket b[DROVE_SCHED_NBUCKETS];
	uint64_t nonempty[(DROVE_SCHED_NBUCKETS + 63) / 64];
	uint32_t total;
};
/* Index k = state_class * 2 + tagged; state class 0 = ACTIVE, 1 = UNREADY. */
#define SCHED_NIDX 4

struct sched_taglist {
	char *tag;
	uint32_t *slots;
	size_t n, cap;
};

struct sched_strategy;

/* A placement request under evaluation. */
struct sched_query {
	drove_sched *s;
	const drove_sched_session *sess;
	const drove_sched_policy *policy;
	int cores;
	int64_t mb;
	int state_mask; /* bit per enum drove_executor_state */
	bool wrap_notag;
	const char *req_tag; /* a MATCH_TAG every candidate must pass, or NULL */
	bool notag_only;     /* only untagged executors can pass */
	bool in_taglist;     /* candidates come from req_tag's list: that MATCH_TAG passes */
};

struct sched_choice {
	uint32_t slot;
	uint32_t node; /* index into exec->nodes */
};

typedef int (*sched_select_fn)(struct sched_query *q, struct sched_choice *out, void *ud);

struct sched_strategy {
	char *name;
	sched_select_fn select;
	drove_sched_score_fn score;
	void *ud;
};

struct drove_sched {
	drove_ctx *ctx;
	struct sched_exec *execs;
	size_t nexecs, capexecs, nlive;
	/* id -> slot (open addressing, slot + 1, 0 = empty) */
	uint32_t *hash;
	size_t hashcap;
	struct sched_bidx idx[SCHED_NIDX];
	struct sched_taglist *tags;
	size_t ntags, captags;
	uint32_t *taghash; /* tag -> index + 1 */
	size_t taghashcap;
	struct sched_strategy *strategies;
	size_t nstrategies, capstrategies;
	int strategy;
	int64_t fixed_now;
	uint64_t next_lock;
};

struct drove_sched_session {
	drove_sched *s;
	int kind;
	char *deployable;
	uint32_t *counts; /* by slot */
	size_t ncounts;
	uint32_t *used; /* slots with counts > 0, in order of first use */
	size_t nused, capused;
	drove_strmap *env;
};

struct drove_sched_alloc {
	uint64_t lock_id;
	uint32_t slot;
	int node;
	int64_t mb;
	uint32_t ncores;
	int *cores;
	int *phys;
	char *executor;
	char *hostname;
};

/* view.c */
int drove__sched_find(const drove_sched *s, const char *id, uint32_t *slot_out);
void drove__sched_node_reindex(drove_sched *s, uint32_t slot, uint32_t ni);
void drove__sched_exec_reindex(drove_sched *s, uint32_t slot);
int64_t drove__sched_now(const drove_sched *s);
const struct sched_taglist *drove__sched_taglist(const drove_sched *s, const char *tag);
bool drove__sched_exec_has_tag(const struct sched_exec *e, const char *tag);
/* Dense index of core id `core` in node `n`, or -1. */
int drove__sched_dense(const struct sched_node *n, int core);

/* policy.c */
/* Every policy node reachable is valid (composites non-empty). */
int drove__sched_policy_validate(const drove_sched_policy *p);
/* True when MATCH_TAG or RULE_BASED appears anywhere in the tree (§9.3). */
bool drove__sched_policy_targets(const drove_sched_policy *p);
/* Fill q->req_tag / q->notag_only from the AND-reachable members. */
void drove__sched_policy_requirements(const drove_sched_policy *p, struct sched_query *q);
/* Full per-executor check, with the session. */
bool drove__sched_policy_eval(const drove_sched_policy *p, const struct sched_query *q,
                              uint32_t slot);
/* The static part only (§3.7): MATCH_TAG, NO_TAG, COMPOSITE; everything else passes. */
bool drove__sched_policy_static(const drove_sched_policy *p, const struct sched_exec *e);

/* Instances the session has placed on executor `slot` so far. The session reaches policy.c
 * inside the query that place.c builds, so policy evaluation reads it without calling up. */
static inline uint32_t drove__sched_session_count_slot(const drove_sched_session *x, uint32_t slot)
{
	return slot < x->ncounts ? x->counts[slot] : 0;
}

#endif
