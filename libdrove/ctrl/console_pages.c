/* The console's pages (console.h, docs/console.md): one renderer per page, reading the
 * controller's memory the way rest.c's GET handlers do, writing HTML only through the
 * template helper (every value escaped). Loop thread. Nothing here writes state. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctrl/console.h"
#include "ctrl/lsvc.h"

#define P drove__html_put

/* Stop at the first failure: every renderer is a chain of `OK(P(...))`. */
#define OK(x)                       \
	do {                        \
		int rc_ = (x);      \
		if (rc_ < 0)        \
			return rc_; \
	} while (0)

static const char *const titles[DROVE__CONSOLE__COUNT] = {
        "Cluster", "Executors", "Executor",       "Applications",  "Application",     "Instance",
        "Tasks",   "Task",      "Local services", "Local service", "Service instance"};

const char *drove__console_title(int page)
{
	return page >= 0 && page < DROVE__CONSOLE__COUNT ? titles[page] : "Console";
}

/* ---- small pieces ---- */

static const char *state_class(const char *s)
{
	static const char *const good[] = {"HEALTHY", "RUNNING",    "ACTIVE", "NORMAL",
	                                   "READY",   "MONITORING", NULL};
	static const char *const bad[] = {
	        "LOST",        "FAILED",      "START_FAILED", "STOP_FAILED",         "UNHEALTHY",
	        "BLACKLISTED", "MAINTENANCE", "REMOVED",      "PROVISIONING_FAILED", NULL};
	for (int i = 0; s && good[i]; i++)
		if (!strcmp(s, good[i]))
			return "text-bg-success";
	for (int i = 0; s && bad[i]; i++)
		if (!strcmp(s, bad[i]))
			return "text-bg-danger";
	return "text-bg-secondary";
}

static int badge(drove__buf *b, const char *state)
{
	return P(b, "<span class=\"badge %r\">%s</span>", state_class(state), state ? state : "-");
}

static int notice(drove__buf *b, const char *what, const char *id)
{
	return P(b,
	         "<div class=\"alert alert-warning\">No %s <code>%s</code> is known to this "
	         "controller.</div>",
	         what, id);
}

static int exec_link(drove_controller *c, drove__buf *b, const char *exec_id)
{
	drove__ctrl_exec *e = exec_id ? drove__ctrl_exec_find(c, exec_id) : NULL;
	if (!exec_id || !*exec_id)
		return P(b, "-");
	if (e && e->nd)
		return P(b, "<a href=\"/ui/executors/%u\">%s:%d</a>", exec_id, e->nd->hostname,
		         (int64_t)e->nd->port);
	return P(b, "<a href=\"/ui/executors/%u\">%s</a>", exec_id, exec_id);
}

static int ports(drove__buf *b, const drove_local_info *li)
{
	if (!li || !li->n_ports)
		return P(b, "-");
	for (size_t i = 0; i < li->n_ports; i++)
		OK(P(b, "%r<span class=\"text-nowrap\">%s %s:%d&rarr;%d</span>", i ? "<br>" : "",
		     li->ports[i].name, li->hostname, (int64_t)li->ports[i].host_port,
		     (int64_t)li->ports[i].container_port));
	return 0;
}

static int cores_text(drove__buf *b, const drove_allocation *r, size_t n)
{
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; r[i].type == DROVE_RES_CPU && k < r[i].n_cores; k++) {
			OK(P(b, "%rnode %d: ", first ? "" : "; ", (int64_t)r[i].cores[k].node));
			for (size_t j = 0; j < r[i].cores[k].n_cores; j++)
				OK(P(b, "%r%d", j ? "," : "", (int64_t)r[i].cores[k].cores[j]));
			first = 0;
		}
		for (size_t k = 0; r[i].type == DROVE_RES_MEMORY && k < r[i].n_memory; k++) {
			OK(P(b, "%rnode %d: %d MB", first ? "" : "; ", (int64_t)r[i].memory[k].node,
			     r[i].memory[k].mb));
			first = 0;
		}
	}
	return first ? P(b, "-") : 0;
}

static int strmap_table(drove__buf *b, const drove_strmap *m)
{
	size_t n = drove_strmap_count(m);
	if (!n)
		return P(b, "<p class=\"text-muted\">none</p>");
	OK(P(b, "<table class=\"table table-sm kv\"><tbody>"));
	for (size_t i = 0; i < n; i++)
		OK(P(b, "<tr><th>%s</th><td>%s</td></tr>", drove_strmap_key(m, i),
		     drove_strmap_value(m, i)));
	return P(b, "</tbody></table>");
}

static int card(drove__buf *b, const char *label, const char *value_html)
{
	return P(b,
	         "<div class=\"col\"><div class=\"card h-100\"><div class=\"card-body\">"
	         "<div class=\"text-muted small\">%s</div><div class=\"fs-5\">%r</div>"
	         "</div></div></div>",
	         label, value_html);
}

static int meter(drove__buf *b, const char *label, int64_t used, int64_t total, const char *unit)
{
	return P(b,
	         "<div class=\"mb-2\"><div class=\"small\">%s: %d of %d %s used</div>"
	         "<progress class=\"w-100\" max=\"%d\" value=\"%d\"></progress></div>",
	         label, used, total, unit, total > 0 ? total : (int64_t)1, used);
}

/* ---- executors ---- */

static const char *blacklisting(const drove__ctrl_exec *e)
{
	int st = drove__ctrl_exec_state(e);
	if (st == DROVE_EXECUTOR_BLACKLISTED)
		return "blacklisted";
	if (st == DROVE_EXECUTOR_BLACKLIST_REQUESTED || e->ctrl_state == DROVE_EXECUTOR_BLACKLISTED)
		return "blacklisting requested";
	return "no";
}

static int exec_rows(drove_controller *c, drove__buf *b, bool detail)
{
	OK(P(b,
	     "<table class=\"table table-sm table-hover\"><thead><tr><th>Executor</th>"
	     "<th>Host</th><th>State</th><th>Blacklisted</th><th>Cores used</th>"
	     "<th>Memory used (MB)</th><th>Tags</th>%r</tr></thead><tbody>",
	     detail ? "<th>Instances</th><th>Tasks</th><th>Service instances</th><th>Updated</th>"
	            : ""));
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < c->n_execs; i++) {
			const drove__ctrl_exec *e = c->execs[i];
			int64_t fc, uc, fm, um;
			if (e->removed != (pass == 1) || !e->nd)
				continue;
			drove__ctrl_node_totals(e->nd, &fc, &uc, &fm, &um);
			OK(P(b,
			     "<tr><td><a href=\"/ui/executors/%u\">%s</a></td><td>%s:%d</td><td>",
			     e->id, e->id, e->nd->hostname, (int64_t)e->nd->port));
			OK(badge(b, drove_executor_state_name(drove__ctrl_exec_state(e))));
			OK(P(b, "</td><td>%s</td><td>%d / %d</td><td>%d / %d</td><td>",
			     blacklisting(e), uc, uc + fc, um, um + fm));
			for (size_t t = 0; t < e->nd->n_tags; t++)
				OK(P(b, "<span class=\"badge text-bg-light border\">%s</span> ",
				     e->nd->tags[t]));
			OK(P(b, "</td>"));
			if (detail)
				OK(P(b, "<td>%d</td><td>%d</td><td>%d</td><td>%t</td>",
				     (int64_t)e->nd->n_instances, (int64_t)e->nd->n_tasks,
				     (int64_t)e->nd->n_service_instances, e->nd->updated));
			OK(P(b, "</tr>"));
		}
	return P(b, "</tbody></table>");
}

static int page_executors(drove_controller *c, drove__buf *b)
{
	OK(P(b, "<h1 class=\"h3\">Executors</h1>"));
	if (!c->n_execs)
		return P(b, "<p class=\"text-muted\">No executor has registered.</p>");
	return exec_rows(c, b, true);
}

/* Who holds each core of an executor: one entry per (node, core) held by an app instance,
 * a task or a local-service instance, plus one per core the snapshot counts as used; sorted
 * by node, core, then kind, so that a core's owner comes before the bare "used" entry. */
enum { HOLD_APP = 0, HOLD_TASK, HOLD_LSVC, HOLD_USED };

struct hold {
	int node, core, kind;
	size_t i; /* index into the node data's instances / tasks / service_instances */
};

struct holds {
	struct hold *v;
	size_t n, cap;
};

static int hold_cmp(const void *a, const void *b)
{
	const struct hold *x = a, *y = b;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->core != y->core)
		return x->core < y->core ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

static int hold_add(struct holds *h, int node, const int *cores, size_t n, int kind, size_t i)
{
	if (drove__grow(&h->v, &h->cap, h->n + n, sizeof(*h->v)) < 0)
		return DROVE_ENOMEM;
	for (size_t j = 0; j < n; j++)
		h->v[h->n++] = (struct hold){node, cores[j], kind, i};
	return 0;
}

static int hold_res(struct holds *h, const drove_allocation *r, size_t nr, int kind, size_t i)
{
	for (size_t a = 0; a < nr; a++)
		for (size_t k = 0; r[a].type == DROVE_RES_CPU && k < r[a].n_cores; k++)
			OK(hold_add(h, r[a].cores[k].node, r[a].cores[k].cores,
			            r[a].cores[k].n_cores, kind, i));
	return 0;
}

static int holds_build(const drove_node_data *nd, struct holds *h)
{
	const drove_cpu_snapshot *cpu = nd->state ? nd->state->cpus : NULL;
	for (size_t i = 0; i < nd->n_instances; i++)
		OK(hold_res(h, nd->instances[i].resources, nd->instances[i].n_resources, HOLD_APP,
		            i));
	for (size_t i = 0; i < nd->n_tasks; i++)
		OK(hold_res(h, nd->tasks[i].resources, nd->tasks[i].n_resources, HOLD_TASK, i));
	for (size_t i = 0; i < nd->n_service_instances; i++)
		OK(hold_res(h, nd->service_instances[i].resources,
		            nd->service_instances[i].n_resources, HOLD_LSVC, i));
	for (size_t k = 0; cpu && k < cpu->n_used_cores; k++)
		OK(hold_add(h, cpu->used_cores[k].node, cpu->used_cores[k].cores,
		            cpu->used_cores[k].n_cores, HOLD_USED, 0));
	if (h->n)
		qsort(h->v, h->n, sizeof(*h->v), hold_cmp);
	return 0;
}

/* The first entry for (node, core), or NULL when the core is free. */
static const struct hold *hold_find(const struct holds *h, int node, int core)
{
	size_t lo = 0, hi = h->n;
	struct hold key = {node, core, -1, 0};
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (hold_cmp(&h->v[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n && h->v[lo].node == node && h->v[lo].core == core ? &h->v[lo] : NULL;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The cores of NUMA node `node` the scheduler hands out: free and used in the snapshot (with
 * over-provisioning these are virtual ids beyond the physical layout), sorted; the layout's
 * cores when the snapshot has none. @return the count (*out: free()) or DROVE_ENOMEM. */
static int node_cores(const drove_resource_snapshot *s, const drove_numa_cores *layout, int **out)
{
	const drove_cpu_snapshot *cpu = s->cpus;
	size_t n = 0, cap = layout->n_cores;
	int *v;
	for (size_t i = 0; cpu && i < cpu->n_free_cores; i++)
		cap += cpu->free_cores[i].n_cores;
	for (size_t i = 0; cpu && i < cpu->n_used_cores; i++)
		cap += cpu->used_cores[i].n_cores;
	if (!(v = malloc((cap ? cap : 1) * sizeof(*v))))
		return drove__enomem();
	for (int pass = 0; cpu && pass < 2; pass++) {
		const drove_numa_cores *nc = pass ? cpu->used_cores : cpu->free_cores;
		size_t nn = pass ? cpu->n_used_cores : cpu->n_free_cores;
		for (size_t i = 0; i < nn; i++)
			for (size_t j = 0; nc[i].node == layout->node && j < nc[i].n_cores; j++)
				v[n++] = nc[i].cores[j];
	}
	if (!n)
		for (size_t j = 0; j < layout->n_cores; j++)
			v[n++] = layout->cores[j];
	qsort(v, n, sizeof(*v), int_cmp);
	*out = v;
	return (int)n;
}

static int core_box(const drove_node_data *nd, const struct holds *h, int node, int core,
                    drove__buf *b)
{
	const struct hold *o = hold_find(h, node, core);
	const int64_t k = core;
	if (!o)
		return P(b, "<span class=\"core core-free\" title=\"core %d: free\">%d</span>", k,
		         k);
	switch (o->kind) {
	case HOLD_APP: {
		const drove_instance_info *in = &nd->instances[o->i];
		return P(b,
		         "<a class=\"core core-app\" href=\"/ui/applications/%u/instances/%u\" "
		         "title=\"core %d: %s %s\">%d</a>",
		         in->app_id, in->instance_id, k, in->app_id, in->instance_id, k);
	}
	case HOLD_TASK: {
		const drove_task_info *t = &nd->tasks[o->i];
		return P(b,
		         "<a class=\"core core-task\" href=\"/ui/tasks/%u/%u\" title=\"core %d: "
		         "task "
		         "%s/%s\">%d</a>",
		         t->source_app_name, t->task_id, k, t->source_app_name, t->task_id, k);
	}
	case HOLD_LSVC: {
		const drove_ls_instance_info *li = &nd->service_instances[o->i];
		return P(b,
		         "<a class=\"core core-lsvc\" href=\"/ui/localservices/%u/instances/%u\" "
		         "title=\"core %d: %s %s\">%d</a>",
		         li->service_id, li->instance_id, k, li->service_id, li->instance_id, k);
	}
	default:
		return P(b, "<span class=\"core core-other\" title=\"core %d: used\">%d</span>", k,
		         k);
	}
}

static int numa_node(const drove_node_data *nd, const struct holds *h, const drove_numa_cores *nc,
                     drove__buf *b)
{
	const drove_resource_snapshot *s = nd->state;
	const drove_layout *l = s->layout;
	int64_t mem = 0, free_mem = 0;
	int *cores = NULL, n = node_cores(s, nc, &cores), rc;

	if (n < 0)
		return n;
	for (size_t m = 0; m < l->n_memory; m++)
		if (l->memory[m].node == nc->node)
			mem = l->memory[m].mb;
	for (size_t m = 0; s->memory && m < s->memory->n_free_memory; m++)
		if (s->memory->free_memory[m].node == nc->node)
			free_mem = s->memory->free_memory[m].mb;
	rc = P(b,
	       "<div class=\"numa mb-3\"><div class=\"fw-semibold\">NUMA node %d <span "
	       "class=\"text-muted small\">%d physical cores, %d schedulable, %d MB (%d MB "
	       "free)</span></div><div class=\"cores\">",
	       (int64_t)nc->node, (int64_t)nc->n_cores, (int64_t)n, mem, free_mem);
	for (int j = 0; rc == 0 && j < n; j++)
		rc = core_box(nd, h, nc->node, cores[j], b);
	free(cores);
	return rc < 0 ? rc : P(b, "</div></div>");
}

static int core_map(const drove_node_data *nd, drove__buf *b)
{
	const drove_layout *l = nd->state ? nd->state->layout : NULL;
	struct holds h = {NULL, 0, 0};
	int rc;

	if (!l || !l->n_cores)
		return P(b, "<p class=\"text-muted\">The executor reported no topology.</p>");
	rc = P(b, "<div class=\"small mb-2\"><span class=\"core core-free\">n</span> free "
	          "<span class=\"core core-app\">n</span> application "
	          "<span class=\"core core-task\">n</span> task "
	          "<span class=\"core core-lsvc\">n</span> local service "
	          "<span class=\"core core-other\">n</span> used, owner unknown</div>");
	if (rc == 0)
		rc = holds_build(nd, &h);
	for (size_t i = 0; rc == 0 && i < l->n_cores; i++)
		rc = numa_node(nd, &h, &l->cores[i], b);
	free(h.v);
	return rc;
}

static int inst_rows_header(drove__buf *b, const char *first)
{
	return P(b,
	         "<table class=\"table table-sm table-hover\"><thead><tr><th>%s</th>"
	         "<th>State</th><th>Executor</th><th>Ports</th><th>Resources</th>"
	         "<th>Updated</th></tr></thead><tbody>",
	         first);
}

/* What the rows and the page of an app or local-service instance show. */
struct iview {
	const char *section; /* "applications" or "localservices" */
	const char *parent, *id, *executor_id;
	int state;
	const drove_local_info *li;
	const drove_allocation *res;
	size_t n_res;
	int64_t created, updated;
	const drove_strmap *meta;
	const char *error;
};

#define IVIEW(section, in, parent)                                                              \
	((struct iview){section, (in)->parent, (in)->instance_id, (in)->executor_id,            \
	                (int)(in)->state, (in)->local_info, (in)->resources, (in)->n_resources, \
	                (in)->created, (in)->updated, (in)->metadata, (in)->error_message})

static struct iview app_view(const drove_instance_info *in)
{
	return IVIEW("applications", in, app_id);
}

static struct iview lsi_view(const drove_ls_instance_info *in)
{
	return IVIEW("localservices", in, service_id);
}

static int inst_row(drove_controller *c, drove__buf *b, struct iview v)
{
	OK(P(b,
	     "<tr><td><a href=\"/ui/%r/%u/instances/%u\">%s</a><br><a class=\"small\" "
	     "href=\"/ui/%r/%u\">%s</a></td><td>",
	     v.section, v.parent, v.id, v.id, v.section, v.parent, v.parent));
	OK(badge(b, drove_instance_state_name(v.state)));
	OK(P(b, "</td><td>"));
	OK(exec_link(c, b, v.executor_id));
	OK(P(b, "</td><td>"));
	OK(ports(b, v.li));
	OK(P(b, "</td><td>"));
	OK(cores_text(b, v.res, v.n_res));
	return P(b, "</td><td>%t</td></tr>", v.updated);
}

static int meta_and_error(drove__buf *b, const drove_strmap *meta, const char *error)
{
	if (error && *error)
		OK(P(b, "<div class=\"alert alert-danger\">%s</div>", error));
	OK(P(b, "<h2 class=\"h5\">Metadata</h2>"));
	return strmap_table(b, meta);
}

static int inst_page(drove_controller *c, drove__buf *b, const char *title, struct iview v)
{
	OK(P(b,
	     "<h1 class=\"h3\">%s <code>%s</code></h1><p>of <a href=\"/ui/%r/%u\">%s</a></p><table "
	     "class=\"table table-sm kv\"><tbody><tr><th>State</th><td>",
	     title, v.id, v.section, v.parent, v.parent));
	OK(badge(b, drove_instance_state_name(v.state)));
	OK(P(b, "</td></tr><tr><th>Executor</th><td>"));
	OK(exec_link(c, b, v.executor_id));
	OK(P(b, "</td></tr><tr><th>Ports</th><td>"));
	OK(ports(b, v.li));
	OK(P(b, "</td></tr><tr><th>Resources</th><td>"));
	OK(cores_text(b, v.res, v.n_res));
	OK(P(b,
	     "</td></tr><tr><th>Created</th><td>%t</td></tr><tr><th>Updated</th><td>%t</td>"
	     "</tr></tbody></table>",
	     v.created, v.updated));
	return meta_and_error(b, v.meta, v.error);
}

#define TASKS_TABLE                                                                               \
	"<table class=\"table table-sm table-hover\"><thead><tr><th>Task</th><th>Source app</th>" \
	"<th>State</th><th>Executor</th><th>Result</th><th>Updated</th></tr></thead><tbody>"

static int task_row(drove_controller *c, drove__buf *b, const drove_task_info *t)
{
	OK(P(b, "<tr><td><a href=\"/ui/tasks/%u/%u\">%s</a></td><td>%s</td><td>",
	     t->source_app_name, t->task_id, t->task_id, t->source_app_name));
	OK(badge(b, drove_task_state_name((int)t->state)));
	OK(P(b, "</td><td>"));
	OK(exec_link(c, b, t->executor_id));
	OK(P(b, "</td><td>%s</td><td>%t</td></tr>",
	     t->task_result ? drove_task_result_status_name((int)t->task_result->status) : "-",
	     t->updated));
	return 0;
}

static int page_executor(drove_controller *c, const char *id, drove__buf *b)
{
	drove__ctrl_exec *e = drove__ctrl_exec_of(c, id);
	const drove_node_data *nd = e ? e->nd : NULL;
	int64_t fc, uc, fm, um;

	if (!nd)
		return notice(b, "executor", id);
	drove__ctrl_node_totals(e->nd, &fc, &uc, &fm, &um);
	OK(P(b, "<h1 class=\"h3\">Executor <code>%s</code></h1><p>%s:%d &middot; ", e->id,
	     nd->hostname, (int64_t)nd->port));
	OK(badge(b, drove_executor_state_name(drove__ctrl_exec_state(e))));
	OK(P(b, " &middot; blacklisted: %s &middot; updated %t</p><p>Tags: ", blacklisting(e),
	     nd->updated));
	for (size_t t = 0; t < nd->n_tags; t++)
		OK(P(b, "<span class=\"badge text-bg-light border\">%s</span> ", nd->tags[t]));
	OK(P(b, "</p>"));
	OK(meter(b, "Cores", uc, uc + fc, "cores"));
	OK(meter(b, "Memory", um, um + fm, "MB"));
	OK(P(b, "<h2 class=\"h5 mt-3\">Core map</h2>"));
	OK(core_map(nd, b));
	OK(P(b, "<h2 class=\"h5 mt-3\">Application instances</h2>"));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0; i < nd->n_instances; i++)
		OK(inst_row(c, b, app_view(&nd->instances[i])));
	OK(P(b, "</tbody></table><h2 class=\"h5 mt-3\">Tasks</h2>%r", TASKS_TABLE));
	for (size_t i = 0; i < nd->n_tasks; i++)
		OK(task_row(c, b, &nd->tasks[i]));
	OK(P(b, "</tbody></table><h2 class=\"h5 mt-3\">Local service instances</h2>"));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0; i < nd->n_service_instances; i++)
		OK(inst_row(c, b, lsi_view(&nd->service_instances[i])));
	return P(b, "</tbody></table>");
}

/* ---- the cluster ---- */

static int events(drove_controller *c, drove__buf *b, size_t max)
{
	const drove_event **v = NULL;
	int64_t sync;
	int n = drove__ctrl_events_latest(&c->events, 0, max, &v, &sync);
	if (n < 0)
		return n;
	OK(P(b, "<table class=\"table table-sm\"><thead><tr><th>Time</th><th>Type</th>"
	        "<th>Details</th></tr></thead><tbody>"));
	for (int i = 0; i < n; i++) {
		const drove_strmap *m = v[i]->metadata;
		int rc =
		        P(b, "<tr><td class=\"text-nowrap\">%t</td><td>%s</td><td class=\"small\">",
		          v[i]->time, drove_event_type_name((int)v[i]->type));
		for (size_t k = 0; rc == 0 && k < drove_strmap_count(m); k++)
			rc = P(b, "%r<span class=\"text-muted\">%s</span>=%s", k ? " " : "",
			       drove_strmap_key(m, k), drove_strmap_value(m, k));
		if (rc < 0 || (rc = P(b, "</td></tr>")) < 0) {
			free(v);
			return rc;
		}
	}
	free(v);
	if (!n)
		OK(P(b, "<tr><td colspan=\"3\" class=\"text-muted\">No events.</td></tr>"));
	return P(b, "</tbody></table>");
}

static int page_cluster(drove_controller *c, drove__buf *b)
{
	drove__ctrl_totals t;
	drove__buf v = DROVE_BUF_INIT;
	int rc = 0;

	drove__ctrl_cluster_totals(c, &t);
	OK(P(b, "<h1 class=\"h3\">Cluster</h1><div class=\"row row-cols-2 row-cols-md-6 g-2 "
	        "mb-3\">"));
#define CARD(label, ...)                                                                \
	do {                                                                            \
		drove__buf_reset(&v);                                                   \
		if ((rc = P(&v, __VA_ARGS__)) < 0 || (rc = card(b, label, v.data)) < 0) \
			goto out;                                                       \
	} while (0)
	CARD("Leader", "%s", c->leader_hp);
	CARD("State",
	     "<span class=\"badge %r\">%s</span> <span class=\"small text-muted\">since "
	     "%t</span>",
	     state_class(drove_cluster_state_name(c->cluster_state)),
	     drove_cluster_state_name(c->cluster_state), c->cluster_updated);
	CARD("Active executors", "<a href=\"/ui/executors\">%d</a>", t.executors);
	CARD("Applications",
	     "<a href=\"/ui/applications\">%d</a> <span class=\"small "
	     "text-muted\">(%d active)</span>",
	     (int64_t)c->n_apps, t.active_apps);
	CARD("Active tasks", "<a href=\"/ui/tasks\">%d</a>", t.active_tasks);
	CARD("Local services",
	     "<a href=\"/ui/localservices\">%d</a> <span class=\"small "
	     "text-muted\">(%d active)</span>",
	     (int64_t)t.lsvcs, (int64_t)t.active_lsvcs);
#undef CARD
	if ((rc = P(b, "</div><h2 class=\"h5\">Resources (active executors)</h2>")) < 0 ||
	    (rc = meter(b, "Cores", t.used_cores, t.used_cores + t.free_cores, "cores")) < 0 ||
	    (rc = meter(b, "Memory", t.used_mb, t.used_mb + t.free_mb, "MB")) < 0 ||
	    (rc = P(b, "<h2 class=\"h5 mt-3\">Executors</h2>")) < 0 ||
	    (rc = exec_rows(c, b, false)) < 0 ||
	    (rc = P(b, "<h2 class=\"h5 mt-3\">Recent events</h2>")) < 0)
		goto out;
	rc = events(c, b, 25);
out:
	drove__buf_free(&v);
	return rc;
}

/* ---- applications ---- */

static void app_counts(const drove_controller *c, const drove__ctrl_app *app, int64_t now,
                       int64_t *healthy, int64_t *active)
{
	*healthy = *active = 0;
	for (size_t i = 0; i < app->n_insts; i++) {
		const drove__ctrl_inst *in = app->insts[i];
		int st = (int)in->info->state;
		if (!drove__ctrl_inst_fresh(in, now, c->stale_inst_ms) ||
		    !drove_instance_state_is_active(st))
			continue;
		(*active)++;
		if (st == DROVE_INST_HEALTHY)
			(*healthy)++;
	}
}

static int page_apps(drove_controller *c, int64_t now, drove__buf *b)
{
	OK(P(b, "<h1 class=\"h3\">Applications</h1>"));
	if (!c->n_apps)
		return P(b, "<p class=\"text-muted\">No application.</p>");
	OK(P(b,
	     "<table class=\"table table-sm table-hover\"><thead><tr><th>Application</th>"
	     "<th>Name</th><th>State</th><th>Instances (healthy / active / required)</th>"
	     "<th>CPU / memory each</th><th>Operation</th><th>Updated</th></tr></thead><tbody>"));
	for (size_t i = 0; i < c->n_apps; i++) {
		const drove__ctrl_app *app = c->apps[i];
		int64_t h, a;
		int op = drove__ctrl_job_type(app->job);
		app_counts(c, app, now, &h, &a);
		OK(P(b, "<tr><td><a href=\"/ui/applications/%u\">%s</a></td><td>%s</td><td>",
		     app->id, app->id, app->info->spec ? app->info->spec->name : ""));
		OK(badge(b, drove_app_state_name(app->state)));
		OK(P(b, "</td><td>%d / %d / %d</td><td>%d / %d MB</td><td>%s</td><td>%t</td></tr>",
		     h, a, app->info->instances, app->cpus, app->mem_mb,
		     op >= 0 ? drove__ctrl_op_name(op) : "-", app->info->updated));
	}
	return P(b, "</tbody></table>");
}

static int page_app(drove_controller *c, const char *id, int64_t now, drove__buf *b)
{
	drove__ctrl_app *app = drove__ctrl_app_find(c, id);
	const drove_app_spec *spec;
	struct json_object *j;
	int64_t h, a, shown = 0;
	int op, rc;

	if (!app)
		return notice(b, "application", id);
	spec = app->info->spec;
	op = drove__ctrl_job_type(app->job);
	app_counts(c, app, now, &h, &a);
	OK(P(b, "<h1 class=\"h3\">Application <code>%s</code></h1><p>", app->id));
	OK(badge(b, drove_app_state_name(app->state)));
	OK(P(b,
	     " &middot; %d healthy of %d required &middot; %d CPU / %d MB each &middot; "
	     "created %t &middot; updated %t</p><p>Current operation: <strong>%s</strong></p>",
	     h, app->info->instances, app->cpus, app->mem_mb, app->info->created,
	     app->info->updated, op >= 0 ? drove__ctrl_op_name(op) : "none"));
	OK(P(b, "<h2 class=\"h5\">Endpoints</h2><ul>"));
	for (size_t i = 0; i < app->n_insts; i++) {
		const drove_instance_info *in = app->insts[i]->info;
		if (in->state != DROVE_INST_HEALTHY || !in->local_info ||
		    !drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			continue;
		for (size_t p = 0; p < in->local_info->n_ports; p++, shown++)
			OK(P(b,
			     "<li><code>%s:%d</code> <span class=\"text-muted small\">%s%r%s</span>"
			     "</li>",
			     in->local_info->hostname, (int64_t)in->local_info->ports[p].host_port,
			     in->local_info->ports[p].name,
			     spec && spec->exposure_spec && spec->exposure_spec->vhost ? ", vhost "
			                                                               : "",
			     spec && spec->exposure_spec ? spec->exposure_spec->vhost : ""));
	}
	if (!shown)
		OK(P(b, "<li class=\"text-muted\">none (no healthy instance)</li>"));
	OK(P(b, "</ul><h2 class=\"h5\">Instances</h2>"));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0; i < app->n_insts; i++)
		if (drove_instance_state_is_active((int)app->insts[i]->info->state) &&
		    drove__ctrl_inst_fresh(app->insts[i], now, c->stale_inst_ms))
			OK(inst_row(c, b, app_view(app->insts[i]->info)));
	OK(P(b, "</tbody></table><h2 class=\"h5\">Old instances</h2>"));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0, k = 0; i < app->n_insts && k < 50; i++)
		if (!drove_instance_state_is_active((int)app->insts[i]->info->state)) {
			OK(inst_row(c, b, app_view(app->insts[i]->info)));
			k++;
		}
	OK(P(b, "</tbody></table><h2 class=\"h5\">Tags</h2>"));
	OK(strmap_table(b, spec ? spec->tags : NULL));
	OK(P(b, "<h2 class=\"h5\">Specification</h2><pre class=\"spec\">"));
	j = spec ? drove__ctrl_masked_spec(spec) : NULL;
	rc = drove__html_json(b, j);
	json_object_put(j);
	return rc < 0 ? rc : P(b, "</pre>");
}

static int page_app_instance(drove_controller *c, const char *aid, const char *iid, drove__buf *b)
{
	drove__ctrl_app *app = drove__ctrl_app_find(c, aid);
	drove__ctrl_inst *rec = app ? drove__ctrl_inst_find(app, iid) : NULL;
	if (!rec)
		return notice(b, "application instance", iid);
	return inst_page(c, b, "Instance", app_view(rec->info));
}

/* ---- tasks ---- */

static int page_tasks(drove_controller *c, drove__buf *b)
{
	const drove_task_info *t;
	size_t i = 0;
	OK(P(b, "<h1 class=\"h3\">Tasks</h1>%r", TASKS_TABLE));
	for (; (t = drove__ctrl_task_nth(c, i)); i++)
		OK(task_row(c, b, t));
	if (!i)
		OK(P(b, "<tr><td colspan=\"6\" class=\"text-muted\">No task.</td></tr>"));
	return P(b, "</tbody></table>");
}

static int page_task(drove_controller *c, const char *app, const char *tid, drove__buf *b)
{
	const drove_task_info *t = NULL;
	struct json_object *j;
	int rc;

	for (size_t i = 0; (t = drove__ctrl_task_nth(c, i)); i++)
		if (drove__streq(t->source_app_name, app) && drove__streq(t->task_id, tid))
			break;
	if (!t)
		return notice(b, "task", tid);
	OK(P(b,
	     "<h1 class=\"h3\">Task <code>%s</code></h1><p>of <code>%s</code> &middot; "
	     "instance <code>%s</code></p><table class=\"table table-sm kv\"><tbody>"
	     "<tr><th>State</th><td>",
	     t->task_id, t->source_app_name, t->instance_id));
	OK(badge(b, drove_task_state_name((int)t->state)));
	OK(P(b, "</td></tr><tr><th>Executor</th><td>"));
	OK(exec_link(c, b, t->executor_id));
	OK(P(b,
	     "</td></tr><tr><th>Result</th><td>%s (exit code %d)</td></tr><tr><th>Image</th>"
	     "<td>%s</td></tr><tr><th>Resources</th><td>",
	     t->task_result ? drove_task_result_status_name((int)t->task_result->status) : "-",
	     t->task_result ? t->task_result->exit_code : (int64_t)-1,
	     t->executable ? t->executable->url : ""));
	OK(cores_text(b, t->resources, t->n_resources));
	OK(P(b,
	     "</td></tr><tr><th>Created</th><td>%t</td></tr><tr><th>Updated</th><td>%t</td>"
	     "</tr></tbody></table><h2 class=\"h5\">Environment</h2>",
	     t->created, t->updated));
	OK(strmap_table(b, t->env));
	OK(meta_and_error(b, t->metadata, t->error_message));
	OK(P(b, "<h2 class=\"h5\">Record</h2><pre class=\"spec\">"));
	j = drove__task_info_to_jobj(t);
	rc = drove__html_json(b, j);
	json_object_put(j);
	return rc < 0 ? rc : P(b, "</pre>");
}

/* ---- local services ---- */

static int page_lsvcs(drove_controller *c, int64_t now, drove__buf *b)
{
	struct drove__ctrl_lsvcs *L = c->lsvcs;
	OK(P(b, "<h1 class=\"h3\">Local services</h1><table class=\"table table-sm "
	        "table-hover\"><thead><tr><th>Service</th><th>State</th><th>Activation</th>"
	        "<th>Instances per host</th><th>Healthy / active</th><th>Updated</th></tr></thead>"
	        "<tbody>"));
	for (size_t i = 0; L && i < L->n; i++) {
		const struct svc *s = L->v[i];
		int64_t h, a;
		drove__lsvc_instance_counts(c, s, now, &h, &a);
		OK(P(b, "<tr><td><a href=\"/ui/localservices/%u\">%s</a></td><td>", s->id, s->id));
		OK(badge(b, drove_ls_state_name(s->state)));
		OK(P(b, "</td><td>%s</td><td>%d</td><td>%d / %d</td><td>%t</td></tr>",
		     drove_ls_activation_state_name((int)s->info->activation_state),
		     s->info->instances_per_host, h, a, s->info->updated));
	}
	if (!L || !L->n)
		OK(P(b, "<tr><td colspan=\"6\" class=\"text-muted\">No local service.</td></tr>"));
	return P(b, "</tbody></table>");
}

static int page_lsvc(drove_controller *c, const char *id, int64_t now, drove__buf *b)
{
	struct svc *s = drove__lsvc_svc_find(c, id);
	struct json_object *j;
	int64_t h, a;
	int rc;

	if (!s)
		return notice(b, "local service", id);
	drove__lsvc_instance_counts(c, s, now, &h, &a);
	OK(P(b, "<h1 class=\"h3\">Local service <code>%s</code></h1><p>", s->id));
	OK(badge(b, drove_ls_state_name(s->state)));
	OK(P(b,
	     " &middot; activation %s &middot; %d per host &middot; %d healthy of %d active "
	     "&middot; updated %t</p><h2 class=\"h5\">Instances</h2>",
	     drove_ls_activation_state_name((int)s->info->activation_state),
	     s->info->instances_per_host, h, a, s->info->updated));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0; i < s->n_insts; i++)
		if (drove__lsvc_is_active(s->insts[i]) && drove__lsvc_fresh(c, s->insts[i], now))
			OK(inst_row(c, b, lsi_view(s->insts[i]->info)));
	OK(P(b, "</tbody></table><h2 class=\"h5\">Old instances</h2>"));
	OK(inst_rows_header(b, "Instance"));
	for (size_t i = 0; i < s->n_insts; i++)
		if (!drove__lsvc_is_active(s->insts[i]))
			OK(inst_row(c, b, lsi_view(s->insts[i]->info)));
	OK(P(b, "</tbody></table><h2 class=\"h5\">Tags</h2>"));
	OK(strmap_table(b, s->info->spec ? s->info->spec->tags : NULL));
	OK(P(b, "<h2 class=\"h5\">Specification</h2><pre class=\"spec\">"));
	j = s->info->spec ? drove__ctrl_masked_spec(s->info->spec) : NULL;
	rc = drove__html_json(b, j);
	json_object_put(j);
	return rc < 0 ? rc : P(b, "</pre>");
}

static int page_lsvc_instance(drove_controller *c, const char *sid, const char *iid, drove__buf *b)
{
	struct svc *s = drove__lsvc_svc_find(c, sid);
	struct lsi *rec = s ? drove__lsvc_lsi_find(s, iid) : NULL;
	if (!rec)
		return notice(b, "local service instance", iid);
	return inst_page(c, b, "Service instance", lsi_view(rec->info));
}

int drove__console_render(drove_controller *c, int page, const char *id1, const char *id2,
                          int64_t now_ms, drove__buf *b)
{
	switch (page) {
	case DROVE__CONSOLE_CLUSTER:
		return page_cluster(c, b);
	case DROVE__CONSOLE_EXECUTORS:
		return page_executors(c, b);
	case DROVE__CONSOLE_EXECUTOR:
		return page_executor(c, id1, b);
	case DROVE__CONSOLE_APPS:
		return page_apps(c, now_ms, b);
	case DROVE__CONSOLE_APP:
		return page_app(c, id1, now_ms, b);
	case DROVE__CONSOLE_APP_INSTANCE:
		return page_app_instance(c, id1, id2, b);
	case DROVE__CONSOLE_TASKS:
		return page_tasks(c, b);
	case DROVE__CONSOLE_TASK:
		return page_task(c, id1, id2, b);
	case DROVE__CONSOLE_LSVCS:
		return page_lsvcs(c, now_ms, b);
	case DROVE__CONSOLE_LSVC:
		return page_lsvc(c, id1, now_ms, b);
	case DROVE__CONSOLE_LSVC_INSTANCE:
		return page_lsvc_instance(c, id1, id2, b);
	default:
		return drove__error(DROVE_EINVAL, "console: no page %d", page);
	}
}
