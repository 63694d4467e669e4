/*
 * Hardware topology of an executor: NUMA nodes, their cores and memory, and the resource rules
 * of Drove's executor (DROVE_API.md §9.1): osCores removal, exposedMemPercentage,
 * over-provisioning multipliers (per NUMA node), disableNUMAPinning; plus the pinning helper
 * of §9.4 (CpusetCpus / CpusetMems). docs/topology.md has the details.
 *
 * Core ids are the operating system's PU indexes (what `numactl -H` lists as cpus); node ids
 * are the OS NUMA node indexes. Discovery uses hwloc: the machine itself, or a synthetic
 * description ("pack:2 numa:1 core:24 pu:2") or an exported XML file for tests.
 *
 * Threads: options are used by one thread at a time; a discovered topology is shared
 * read-only once built (drove_topo_cpuset draws its randomness from the drove_ctx, which is
 * locked).
 */
#ifndef DROVE_TOPO_H
#define DROVE_TOPO_H

#include <drove/common.h>
#include <drove/ctx.h>

DROVE_BEGIN_DECLS

typedef struct drove_topo drove_topo;
typedef struct drove_topo_opts drove_topo_opts;

/** Limits of the options (reference §10.2). */
#define DROVE_TOPO_MEM_PERCENT_MIN 50
#define DROVE_TOPO_MEM_PERCENT_MAX 100
#define DROVE_TOPO_MULTIPLIER_MIN  1
#define DROVE_TOPO_MULTIPLIER_MAX  20

/** Options with the defaults: no osCores, 100 %, no over-provisioning, NUMA pinning on,
 *  discovery of this machine. @return 0 or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_topo_opts_new(drove_topo_opts **out);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_topo_opts_free(drove_topo_opts *opts);
/** Cores (OS PU ids) kept for the operating system: removed from every node. Ids that do not
 *  exist on the machine are ignored (Drove does the same) and logged at WARN by discovery.
 *  `cores` is copied; n = 0 clears. @return 0, DROVE_EINVAL (negative id, NULL with n > 0)
 *  or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_topo_opts_set_os_cores(drove_topo_opts *opts, const int *cores, size_t n);
/** Share of each node's memory offered to containers, 50..100 (default 100).
 *  @return 0 or DROVE_EINVAL ("exposedMemPercentage: 40 is below 50"). @since 0.1 */
DROVE_API int drove_topo_opts_set_exposed_mem_percent(drove_topo_opts *opts, int percent);
/** Over-provisioning: when `enabled`, every physical core yields `cpu_multiplier` v-cores and
 *  the available memory is multiplied by `memory_multiplier`; both 1..20.
 *  @return 0 or DROVE_EINVAL. @since 0.1 */
DROVE_API int drove_topo_opts_set_overprovisioning(drove_topo_opts *opts, int enabled,
                                                   int cpu_multiplier, int memory_multiplier);
/** When 1, all nodes are merged into one node 0 and no CpusetMems is produced. @since 0.1 */
DROVE_API int drove_topo_opts_set_disable_numa_pinning(drove_topo_opts *opts, int disable);
/** Use an hwloc synthetic description instead of this machine; NULL goes back to discovery.
 *  Synthetic NUMA nodes have 1 GiB unless given, e.g. "pack:2 numa:1(memory=32GiB) core:4 pu:2".
 *  Clears an XML path. @return 0, DROVE_EINVAL (empty) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_topo_opts_set_synthetic(drove_topo_opts *opts, const char *description);
/** Use an hwloc XML export (lstopo foo.xml) instead of this machine; NULL goes back to
 *  discovery. Clears a synthetic description. @return 0, DROVE_EINVAL or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_topo_opts_set_xml_path(drove_topo_opts *opts, const char *path);

/** Discover the topology and apply the options (NULL: defaults).
 *  @return 0, DROVE_EINVAL (bad synthetic description or XML file; the message names it),
 *  DROVE_ENORESOURCE (no core left after osCores) or DROVE_ENOMEM. @since 0.1 */
DROVE_API int drove_topo_discover(drove_topo **out, drove_ctx *ctx, const drove_topo_opts *opts);
/** NULL is fine. @since 0.1 */
DROVE_API void drove_topo_free(drove_topo *topo);

/** Number of NUMA nodes (1 when NUMA pinning is disabled). @since 0.1 */
DROVE_API size_t drove_topo_node_count(const drove_topo *topo);
/** The id of the node at `index` (ascending ids); -1 when out of range. @since 0.1 */
DROVE_API int drove_topo_node_id(const drove_topo *topo, size_t index);
/** The index of the node with id `node_id`, or -1. @since 0.1 */
DROVE_API int drove_topo_node_index(const drove_topo *topo, int node_id);
/** Physical layout of node `index`: its core ids (ascending, osCores removed); the count goes
 *  to `*n_out`. Borrowed; NULL (and *n_out = 0) when out of range or empty. @since 0.1 */
DROVE_API const int *drove_topo_node_physical_cores(const drove_topo *topo, size_t index,
                                                    size_t *n_out);
/** Physical memory of node `index` in MB after exposedMemPercentage; -1 when out of range.
 *  @since 0.1 */
DROVE_API int64_t drove_topo_node_physical_mb(const drove_topo *topo, size_t index);
/** Cores offered to the scheduler on node `index`: the physical cores, or the v-cores when
 *  over-provisioning (ascending). Borrowed, as above. @since 0.1 */
DROVE_API const int *drove_topo_node_cores(const drove_topo *topo, size_t index, size_t *n_out);
/** Memory offered on node `index` in MB (physical × memoryMultiplier); -1 when out of range.
 *  @since 0.1 */
DROVE_API int64_t drove_topo_node_mb(const drove_topo *topo, size_t index);
/** The physical core behind core `core` of node `index` (itself without over-provisioning);
 *  -1 when the node has no such core. @since 0.1 */
DROVE_API int drove_topo_physical_core(const drove_topo *topo, size_t index, int core);
/** 1 when over-provisioning is on. @since 0.1 */
DROVE_API int drove_topo_is_overprovisioned(const drove_topo *topo);
/** 1 when NUMA pinning is disabled (nodes merged). @since 0.1 */
DROVE_API int drove_topo_is_numa_pinning_disabled(const drove_topo *topo);

/** Docker pinning strings for an allocation (§9.4): the allocation is `n` pairs
 *  (node_ids[i], cores[i]) of node ids and allocated (v-)core ids. `*cpus_out` gets the
 *  CpusetCpus list ("2,3,10", ascending): the cores themselves, or with over-provisioning as
 *  many distinct physical cores per node as v-cores came from it, picked at random with the
 *  ctx's generator (seed it for reproducible results), a shortfall filled from other nodes;
 *  "" when still short. `*mems_out` gets CpusetMems (the node ids, "0,1"), "" when NUMA
 *  pinning is disabled. Both are freed with drove_free().
 *  @return 0, DROVE_EINVAL (unknown node or core; message names it) or DROVE_ENOMEM.
 *  @since 0.1 */
DROVE_API int drove_topo_cpuset(const drove_topo *topo, drove_ctx *ctx, const int *node_ids,
                                const int *cores, size_t n, char **cpus_out, char **mems_out);

DROVE_END_DECLS
#endif
