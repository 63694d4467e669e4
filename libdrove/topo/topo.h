/* Internal view of a topology for the scheduler and the executor engine (not installed). */
#ifndef DROVE_TOPO_INTERNAL_H
#define DROVE_TOPO_INTERNAL_H

#include <stdint.h>
#include <drove/topo.h>

/* A node as discovered (what numactl -H reports): id, cpus, size in MB. */
typedef struct drove__topo_raw_node {
	int id;
	const int *cpus;
	size_t n_cpus;
	int64_t mb;
} drove__topo_raw_node;

typedef struct drove__topo_node {
	int id;
	int *phys_cores; /* ascending, osCores removed */
	size_t n_phys;
	int64_t phys_mb; /* after exposedMemPercentage */
	int *cores;      /* available (v-)cores, ascending */
	int *core_phys;  /* parallel to cores: the physical core behind each */
	size_t n_cores;
	int64_t mb; /* available: phys_mb × memoryMultiplier */
} drove__topo_node;

struct drove_topo_opts {
	int *os_cores;
	size_t n_os_cores;
	int mem_percent;
	int overprov, cpu_mult, mem_mult;
	int no_numa;
	char *synthetic;
	char *xml_path;
};

struct drove_topo {
	drove__topo_node *nodes; /* ascending ids */
	size_t n_nodes;
	int overprov, cpu_mult, mem_mult;
	int no_numa;
};

/* Apply the §9.1 rules to raw nodes (any order; copied). Used by discovery and by tests that
 * describe a machine directly. */
int drove__topo_build(drove_topo **out, drove_ctx *ctx, const drove__topo_raw_node *raw, size_t n,
                      const drove_topo_opts *opts);
/* Smallest prime strictly greater than m (m >= 0). */
int drove__topo_next_prime(int m);

#endif
