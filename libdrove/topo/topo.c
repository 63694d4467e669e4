/* Executor topology: hwloc discovery and Drove's resource rules (DROVE_API.md §9.1, §9.4). */
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include <drove/topo.h>
#include "core/internal.h"
#include "topo/topo.h"

#define MOD "topo"

/* ---- options ---- */

int drove_topo_opts_new(drove_topo_opts **out)
{
	drove_topo_opts *o;

	DROVE_CHECK_ARG(out);
	if (!(o = calloc(1, sizeof(*o))))
		return drove__enomem();
	o->mem_percent = 100;
	o->cpu_mult = 1;
	o->mem_mult = 1;
	*out = o;
	return 0;
}

void drove_topo_opts_free(drove_topo_opts *opts)
{
	if (!opts)
		return;
	free(opts->os_cores);
	free(opts->synthetic);
	free(opts->xml_path);
	free(opts);
}

int drove_topo_opts_set_os_cores(drove_topo_opts *opts, const int *cores, size_t n)
{
	int *copy = NULL;

	DROVE_CHECK_ARG(opts && (cores || n == 0));
	for (size_t i = 0; i < n; i++)
		if (cores[i] < 0)
			return drove__error(DROVE_EINVAL, "osCores[%zu]: %d is below 0", i,
			                    cores[i]);
	if (n) {
		if (!(copy = malloc(n * sizeof(*copy))))
			return drove__enomem();
		memcpy(copy, cores, n * sizeof(*copy));
	}
	free(opts->os_cores);
	opts->os_cores = copy;
	opts->n_os_cores = n;
	return 0;
}

int drove_topo_opts_set_exposed_mem_percent(drove_topo_opts *opts, int percent)
{
	DROVE_CHECK_ARG(opts);
	if (percent < DROVE_TOPO_MEM_PERCENT_MIN)
		return drove__error(DROVE_EINVAL, "exposedMemPercentage: %d is below %d", percent,
		                    DROVE_TOPO_MEM_PERCENT_MIN);
	if (percent > DROVE_TOPO_MEM_PERCENT_MAX)
		return drove__error(DROVE_EINVAL, "exposedMemPercentage: %d is above %d", percent,
		                    DROVE_TOPO_MEM_PERCENT_MAX);
	opts->mem_percent = percent;
	return 0;
}

static int check_mult(const char *what, int m)
{
	if (m < DROVE_TOPO_MULTIPLIER_MIN)
		return drove__error(DROVE_EINVAL, "overProvisioning.%s: %d is below %d", what, m,
		                    DROVE_TOPO_MULTIPLIER_MIN);
	if (m > DROVE_TOPO_MULTIPLIER_MAX)
		return drove__error(DROVE_EINVAL, "overProvisioning.%s: %d is above %d", what, m,
		                    DROVE_TOPO_MULTIPLIER_MAX);
	return 0;
}

int drove_topo_opts_set_overprovisioning(drove_topo_opts *opts, int enabled, int cpu_multiplier,
                                         int memory_multiplier)
{
	int rc;

	DROVE_CHECK_ARG(opts);
	if ((rc = check_mult("cpuMultiplier", cpu_multiplier)) < 0 ||
	    (rc = check_mult("memoryMultiplier", memory_multiplier)) < 0)
		return rc;
	opts->overprov = enabled ? 1 : 0;
	opts->cpu_mult = cpu_multiplier;
	opts->mem_mult = memory_multiplier;
	return 0;
}

int drove_topo_opts_set_disable_numa_pinning(drove_topo_opts *opts, int disable)
{
	DROVE_CHECK_ARG(opts);
	opts->no_numa = disable ? 1 : 0;
	return 0;
}

static int set_source(drove_topo_opts *opts, const char *value, char **slot, char **other,
                      const char *what)
{
	char *copy = NULL;

	DROVE_CHECK_ARG(opts);
	if (value && !*value)
		return drove__error(DROVE_EINVAL, "%s: empty", what);
	if (value && !(copy = drove__strdup(value)))
		return DROVE_ENOMEM;
	free(*slot);
	*slot = copy;
	if (copy) {
		free(*other);
		*other = NULL;
	}
	return 0;
}

int drove_topo_opts_set_synthetic(drove_topo_opts *opts, const char *description)
{
	DROVE_CHECK_ARG(opts);
	return set_source(opts, description, &opts->synthetic, &opts->xml_path, "topology");
}

int drove_topo_opts_set_xml_path(drove_topo_opts *opts, const char *path)
{
	DROVE_CHECK_ARG(opts);
	return set_source(opts, path, &opts->xml_path, &opts->synthetic, "topologyXml");
}

/* ---- rules ---- */

int drove__topo_next_prime(int m)
{
	for (int p = m + 1;; p++) {
		int prime = p >= 2;
		for (int d = 2; prime && d * d <= p; d++)
			if (p % d == 0)
				prime = 0;
		if (prime)
			return p;
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int cmp_raw(const void *a, const void *b)
{
	const drove__topo_raw_node *x = *(const drove__topo_raw_node *const *)a;
	const drove__topo_raw_node *y = *(const drove__topo_raw_node *const *)b;
	return (x->id > y->id) - (x->id < y->id);
}

static void node_clear(drove__topo_node *n)
{
	free(n->phys_cores);
	free(n->cores);
	free(n->core_phys);
}

void drove_topo_free(drove_topo *topo)
{
	if (!topo)
		return;
	for (size_t i = 0; i < topo->n_nodes; i++)
		node_clear(&topo->nodes[i]);
	free(topo->nodes);
	free(topo);
}

static bool in_list(const int *l, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

/* Physical layout of one node: cpus minus osCores, sorted and de-duplicated. */
static int node_physical(drove__topo_node *node, const drove__topo_raw_node *raw,
                         const drove_topo_opts *o)
{
	size_t k = 0;

	node->id = raw->id;
	if (raw->n_cpus && !(node->phys_cores = malloc(raw->n_cpus * sizeof(int))))
		return drove__enomem();
	for (size_t i = 0; i < raw->n_cpus; i++) {
		if (in_list(o->os_cores, o->n_os_cores, raw->cpus[i]) ||
		    in_list(node->phys_cores, k, raw->cpus[i]))
			continue;
		node->phys_cores[k++] = raw->cpus[i];
	}
	node->n_phys = k;
	if (k)
		qsort(node->phys_cores, k, sizeof(int), cmp_int);
	node->phys_mb = raw->mb < 0 ? 0 : raw->mb * o->mem_percent / 100;
	return 0;
}

/* Available cores of one node: the physical cores or, over-provisioned, m v-cores per core:
 * (c + 1)·p + i, i = 1..m, p the smallest prime above m (§9.1 step 3). */
static int node_available(drove__topo_node *node, const drove_topo_opts *o)
{
	size_t m = o->overprov ? (size_t)o->cpu_mult : 1, n = node->n_phys * m, k = 0;
	int p = drove__topo_next_prime(o->cpu_mult);

	if (n && (!(node->cores = malloc(n * sizeof(int))) ||
	          !(node->core_phys = malloc(n * sizeof(int)))))
		return drove__enomem();
	for (size_t c = 0; c < node->n_phys; c++) {
		int pc = node->phys_cores[c];
		for (size_t i = 1; i <= m; i++) {
			node->cores[k] = o->overprov ? (pc + 1) * p + (int)i : pc;
			node->core_phys[k++] = pc;
		}
	}
	node->n_cores = n;
	node->mb = node->phys_mb * (o->overprov ? o->mem_mult : 1);
	return 0;
}

/* Merge all nodes into node 0 (§9.1 step 4); arrays sorted by core id. */
static int merge_nodes(drove_topo *t)
{
	drove__topo_node m = {0};
	size_t np = 0, nc = 0;

	for (size_t i = 0; i < t->n_nodes; i++) {
		np += t->nodes[i].n_phys;
		nc += t->nodes[i].n_cores;
		m.phys_mb += t->nodes[i].phys_mb;
		m.mb += t->nodes[i].mb;
	}
	if ((np && !(m.phys_cores = malloc(np * sizeof(int)))) ||
	    (nc && (!(m.cores = malloc(nc * sizeof(int))) ||
	            !(m.core_phys = malloc(nc * sizeof(int)))))) {
		node_clear(&m);
		return drove__enomem();
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		drove__topo_node *n = &t->nodes[i];
		for (size_t j = 0; j < n->n_phys; j++)
			m.phys_cores[m.n_phys++] = n->phys_cores[j];
		for (size_t j = 0; j < n->n_cores; j++) {
			/* insertion keeps cores ascending with their physical core alongside */
			size_t at = m.n_cores++;
			while (at > 0 && m.cores[at - 1] > n->cores[j]) {
				m.cores[at] = m.cores[at - 1];
				m.core_phys[at] = m.core_phys[at - 1];
				at--;
			}
			m.cores[at] = n->cores[j];
			m.core_phys[at] = n->core_phys[j];
		}
		node_clear(n);
	}
	if (m.n_phys)
		qsort(m.phys_cores, m.n_phys, sizeof(int), cmp_int);
	t->nodes[0] = m;
	t->n_nodes = 1;
	return 0;
}

int drove__topo_build(drove_topo **out, drove_ctx *ctx, const drove__topo_raw_node *raw, size_t n,
                      const drove_topo_opts *opts)
{
	drove_topo_opts defaults = {.mem_percent = 100, .cpu_mult = 1, .mem_mult = 1};
	const drove__topo_raw_node **sorted = NULL;
	drove_topo *t = NULL;
	size_t total = 0;
	int rc;

	DROVE_CHECK_ARG(out && (raw || n == 0));
	if (!opts)
		opts = &defaults;
	if (n == 0)
		return drove__error(DROVE_ENORESOURCE, "topology: no numa node");
	if (!(t = calloc(1, sizeof(*t))) || !(t->nodes = calloc(n, sizeof(*t->nodes))) ||
	    !(sorted = malloc(n * sizeof(*sorted)))) {
		rc = drove__enomem();
		goto fail;
	}
	t->overprov = opts->overprov;
	t->cpu_mult = opts->overprov ? opts->cpu_mult : 1;
	t->mem_mult = opts->overprov ? opts->mem_mult : 1;
	t->no_numa = opts->no_numa;
	for (size_t i = 0; i < n; i++)
		sorted[i] = &raw[i];
	qsort(sorted, n, sizeof(*sorted), cmp_raw);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && sorted[i]->id == sorted[i - 1]->id) {
			rc = drove__error(DROVE_EINVAL, "topology: numa node %d appears twice",
			                  sorted[i]->id);
			goto fail;
		}
		t->n_nodes++;
		if ((rc = node_physical(&t->nodes[i], sorted[i], opts)) < 0 ||
		    (rc = node_available(&t->nodes[i], opts)) < 0)
			goto fail;
		total += t->nodes[i].n_phys;
	}
	for (size_t i = 0; i < opts->n_os_cores; i++) {
		bool found = false;
		for (size_t j = 0; j < n && !found; j++)
			found = in_list(raw[j].cpus, raw[j].n_cpus, opts->os_cores[i]);
		if (!found && ctx)
			drove__warn(ctx, MOD, "osCores: core %d does not exist; ignored",
			            opts->os_cores[i]);
	}
	if (total == 0) {
		rc = drove__error(DROVE_ENORESOURCE, "osCores: no core is left for containers");
		goto fail;
	}
	if (opts->no_numa && (rc = merge_nodes(t)) < 0)
		goto fail;
	free(sorted);
	*out = t;
	return 0;
fail:
	free(sorted);
	drove_topo_free(t);
	return rc;
}

/* ---- hwloc discovery ---- */

static int load_hwloc(hwloc_topology_t *out, const drove_topo_opts *o)
{
	hwloc_topology_t h;

	if (hwloc_topology_init(&h) < 0)
		return drove__enomem();
	if (o->synthetic && hwloc_topology_set_synthetic(h, o->synthetic) < 0) {
		hwloc_topology_destroy(h);
		return drove__error(DROVE_EINVAL,
		                    "topology: invalid hwloc synthetic description '%s'",
		                    o->synthetic);
	}
	if (o->xml_path && hwloc_topology_set_xml(h, o->xml_path) < 0) {
		hwloc_topology_destroy(h);
		return drove__error(DROVE_EINVAL, "topologyXml: cannot read hwloc xml '%s'",
		                    o->xml_path);
	}
	if (hwloc_topology_load(h) < 0) {
		hwloc_topology_destroy(h);
		return drove__error(DROVE_EINVAL, "topology: hwloc cannot load the topology");
	}
	*out = h;
	return 0;
}

int drove_topo_discover(drove_topo **out, drove_ctx *ctx, const drove_topo_opts *opts)
{
	drove_topo_opts defaults = {.mem_percent = 100, .cpu_mult = 1, .mem_mult = 1};
	hwloc_topology_t h = NULL;
	drove__topo_raw_node *raw = NULL;
	int **cpus = NULL;
	int nn = 0, rc;

	DROVE_CHECK_ARG(out && ctx);
	if (!opts)
		opts = &defaults;
	if ((rc = load_hwloc(&h, opts)) < 0)
		return rc;
	nn = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	if (nn <= 0) {
		rc = drove__error(DROVE_ENORESOURCE, "topology: no numa node");
		goto out;
	}
	if (!(raw = calloc((size_t)nn, sizeof(*raw))) ||
	    !(cpus = calloc((size_t)nn, sizeof(*cpus)))) {
		rc = drove__enomem();
		goto out;
	}
	for (int i = 0; i < nn; i++) {
		hwloc_obj_t node = hwloc_get_obj_by_type(h, HWLOC_OBJ_NUMANODE, (unsigned)i);
		int w = node->cpuset ? hwloc_bitmap_weight(node->cpuset) : 0;
		unsigned id;
		size_t k = 0;

		if (w > 0 && !(cpus[i] = malloc((size_t)w * sizeof(int)))) {
			rc = drove__enomem();
			goto out;
		}
		if (w > 0) {
			hwloc_bitmap_foreach_begin(id, node->cpuset)
			{
				if (k < (size_t)w)
					cpus[i][k++] = (int)id;
			}
			hwloc_bitmap_foreach_end();
		}
		raw[i].id = (int)node->os_index;
		raw[i].cpus = cpus[i];
		raw[i].n_cpus = k;
		raw[i].mb = (int64_t)(node->attr->numanode.local_memory / (1024 * 1024));
		drove__debug(ctx, MOD, "numa node %d: %zu cpus, %lld MB", raw[i].id, k,
		             (long long)raw[i].mb);
	}
	rc = drove__topo_build(out, ctx, raw, (size_t)nn, opts);
out:
	if (cpus)
		for (int i = 0; i < nn; i++)
			free(cpus[i]);
	free(cpus);
	free(raw);
	hwloc_topology_destroy(h);
	return rc;
}

/* ---- getters ---- */

size_t drove_topo_node_count(const drove_topo *topo)
{
	return topo ? topo->n_nodes : 0;
}

static const drove__topo_node *node_at(const drove_topo *t, size_t i)
{
	return t && i < t->n_nodes ? &t->nodes[i] : NULL;
}

int drove_topo_node_id(const drove_topo *topo, size_t index)
{
	const drove__topo_node *n = node_at(topo, index);
	return n ? n->id : -1;
}

int drove_topo_node_index(const drove_topo *topo, int node_id)
{
	for (size_t i = 0; topo && i < topo->n_nodes; i++)
		if (topo->nodes[i].id == node_id)
			return (int)i;
	return -1;
}

const int *drove_topo_node_physical_cores(const drove_topo *topo, size_t index, size_t *n_out)
{
	const drove__topo_node *n = node_at(topo, index);
	if (n_out)
		*n_out = n ? n->n_phys : 0;
	return n && n->n_phys ? n->phys_cores : NULL;
}

int64_t drove_topo_node_physical_mb(const drove_topo *topo, size_t index)
{
	const drove__topo_node *n = node_at(topo, index);
	return n ? n->phys_mb : -1;
}

const int *drove_topo_node_cores(const drove_topo *topo, size_t index, size_t *n_out)
{
	const drove__topo_node *n = node_at(topo, index);
	if (n_out)
		*n_out = n ? n->n_cores : 0;
	return n && n->n_cores ? n->cores : NULL;
}

int64_t drove_topo_node_mb(const drove_topo *topo, size_t index)
{
	const drove__topo_node *n = node_at(topo, index);
	return n ? n->mb : -1;
}

static int core_pos(const drove__topo_node *n, int core)
{
	size_t lo = 0, hi = n->n_cores;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (n->cores[mid] == core)
			return (int)mid;
		if (n->cores[mid] < core)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int drove_topo_physical_core(const drove_topo *topo, size_t index, int core)
{
	const drove__topo_node *n = node_at(topo, index);
	int pos = n ? core_pos(n, core) : -1;
	return pos < 0 ? -1 : n->core_phys[pos];
}

int drove_topo_is_overprovisioned(const drove_topo *topo)
{
	return topo ? topo->overprov : 0;
}

int drove_topo_is_numa_pinning_disabled(const drove_topo *topo)
{
	return topo ? topo->no_numa : 0;
}

/* ---- pinning (§9.4) ---- */

static int join_sorted(int *v, size_t n, char **out)
{
	drove__buf b = DROVE_BUF_INIT;

	if (n)
		qsort(v, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		if (drove__buf_printf(&b, "%s%d", b.len ? "," : "", v[i]) < 0) {
			drove__buf_free(&b);
			return DROVE_ENOMEM;
		}
	}
	if (!(*out = drove__buf_steal(&b)))
		return DROVE_ENOMEM;
	return 0;
}

/* Pick `want` distinct cores at random out of `pool` (n entries; shuffled in place) that are
 * not in `taken`; append them to `taken`. Returns how many were picked. */
static size_t pick_random(drove_ctx *ctx, int *pool, size_t n, size_t want, int *taken,
                          size_t *n_taken)
{
	size_t got = 0;

	for (size_t i = 0; i < n && got < want; i++) {
		size_t j = i + (size_t)drove__rand_below(ctx, n - i);
		int tmp = pool[i];
		pool[i] = pool[j];
		pool[j] = tmp;
		if (in_list(taken, *n_taken, pool[i]))
			continue;
		taken[(*n_taken)++] = pool[i];
		got++;
	}
	return got;
}

static int overprov_cpus(const drove_topo *t, drove_ctx *ctx, const int *node_ids, size_t n,
                         int *chosen, size_t *n_chosen, bool *short_out)
{
	size_t all = 0, shortfall = 0;
	int *pool = NULL;

	for (size_t i = 0; i < t->n_nodes; i++)
		all += t->nodes[i].n_phys;
	if (all && !(pool = malloc(all * sizeof(int))))
		return drove__enomem();
	/* per node in the allocation: as many distinct physical cores as v-cores from it */
	for (size_t i = 0; i < t->n_nodes; i++) {
		const drove__topo_node *node = &t->nodes[i];
		size_t want = 0, got;
		for (size_t k = 0; k < n; k++)
			want += node_ids[k] == node->id;
		if (!want)
			continue;
		if (node->n_phys)
			memcpy(pool, node->phys_cores, node->n_phys * sizeof(int));
		got = pick_random(ctx, pool, node->n_phys, want, chosen, n_chosen);
		shortfall += want - got;
	}
	/* the shortfall from the other nodes' cores */
	if (shortfall) {
		size_t k = 0;
		for (size_t i = 0; i < t->n_nodes; i++)
			for (size_t j = 0; j < t->nodes[i].n_phys; j++)
				pool[k++] = t->nodes[i].phys_cores[j];
		shortfall -= pick_random(ctx, pool, k, shortfall, chosen, n_chosen);
	}
	free(pool);
	*short_out = shortfall > 0;
	return 0;
}

int drove_topo_cpuset(const drove_topo *topo, drove_ctx *ctx, const int *node_ids, const int *cores,
                      size_t n, char **cpus_out, char **mems_out)
{
	int *cpus = NULL, *mems = NULL;
	size_t n_cpus = 0;
	char *cs = NULL, *ms = NULL;
	bool is_short = false;
	int rc;

	DROVE_CHECK_ARG(topo && ctx && (n == 0 || (node_ids && cores)) && cpus_out && mems_out);
	for (size_t i = 0; i < n; i++) {
		int idx = drove_topo_node_index(topo, node_ids[i]);
		if (idx < 0)
			return drove__error(DROVE_EINVAL, "cpuset: numa node %d does not exist",
			                    node_ids[i]);
		if (core_pos(&topo->nodes[idx], cores[i]) < 0)
			return drove__error(DROVE_EINVAL, "cpuset: core %d is not on numa node %d",
			                    cores[i], node_ids[i]);
	}
	if (n && (!(cpus = malloc(n * sizeof(int))) || !(mems = malloc(n * sizeof(int))))) {
		rc = drove__enomem();
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		mems[i] = node_ids[i];
	if (!topo->overprov) {
		for (size_t i = 0; i < n; i++)
			cpus[n_cpus++] = cores[i];
	} else if ((rc = overprov_cpus(topo, ctx, node_ids, n, cpus, &n_cpus, &is_short)) < 0) {
		goto out;
	}
	if (is_short)
		n_cpus = 0;
	if ((rc = join_sorted(cpus, n_cpus, &cs)) < 0 ||
	    (rc = join_sorted(mems, topo->no_numa ? 0 : n, &ms)) < 0)
		goto out;
	*cpus_out = cs;
	*mems_out = ms;
	cs = ms = NULL;
	rc = 0;
out:
	free(cs);
	free(ms);
	free(cpus);
	free(mems);
	return rc;
}
