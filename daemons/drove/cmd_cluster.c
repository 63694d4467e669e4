/* The drove CLI: commands of the cluster and executor groups. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

/* ---- cluster ---- */

int cmd_ping(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	if (drove_client_ping(cli->client) < 0)
		return cli_fail(NULL);
	if (cli->json)
		printf("\"pong\"\n");
	else
		printf("Cluster ping successful (leader at %s)\n",
		       drove_client_leader(cli->client));
	return CLI_OK;
}

/* The cluster summary with drove-cli's labels. */
static void render_summary(json_object *o)
{
	int64_t tc = i64(o, "totalCores"), uc = i64(o, "usedCores");
	int64_t tm = i64(o, "totalMemory"), um = i64(o, "usedMemory");
	char a[32], b[32], c[32];
	printf("%-30s%s\n", "State", S(o, "state"));
	printf("%-30s%s\n", "Leader Controller", S(o, "leader"));
	printf("%-30sUtilization: %.0f%% (Total: %lld Used: %lld Free: %lld)\n", "Cores",
	       100.0 * (double)uc / (double)(tc > 1 ? tc : 1), (long long)tc, (long long)uc,
	       (long long)i64(o, "freeCores"));
	printf("%-30sUtilization: %.0f%% (Total: %s MB Used: %s MB Free: %s MB)\n", "Memory",
	       100.0 * (double)um / (double)(tm > 1 ? tm : 1), cli_grouped(tm, a, sizeof(a)),
	       cli_grouped(um, b, sizeof(b)), cli_grouped(i64(o, "freeMemory"), c, sizeof(c)));
	printf("%-30s%lld\n", "Number of live executors", (long long)i64(o, "numExecutors"));
	printf("%-30sActive: %s Total: %s\n", "Applications",
	       cli_grouped(i64(o, "numActiveApplications"), a, sizeof(a)),
	       cli_grouped(i64(o, "numApplications"), b, sizeof(b)));
}

int cmd_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	(void)a;
	return show(cli, drove_client_cluster_get_json(cli->client, &d), &d, render_summary);
}

static void render_leader(json_object *o)
{
	json_object *v;
	if (json_object_object_get_ex(o, "leader", &v) && json_object_get_string_len(v))
		printf("Cluster leader: %s\n", json_object_get_string(v));
	else
		printf("Cluster has no leader\n");
}

int cmd_leader(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	(void)a;
	return show(cli, drove_client_cluster_get_json(cli->client, &d), &d, render_leader);
}

static void render_maintenance_on(json_object *o)
{
	printf("Cluster state: %s\n", S(o, "state"));
}

static void render_maintenance_off(json_object *o)
{
	printf("Cluster state: %s\n"
	       "Maintenance mode removal accepted. Note that the cluster stays in maintenance mode "
	       "for a few more minutes\n",
	       S(o, "state"));
}

static int cmd_maintenance(struct cli *cli, int on)
{
	char *d = NULL;
	return show(cli, drove_client_cluster_maintenance_set_json(cli->client, on, &d), &d,
	            on ? render_maintenance_on : render_maintenance_off);
}

int cmd_maint_on(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return cmd_maintenance(cli, 1);
}

int cmd_maint_off(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return cmd_maintenance(cli, 0);
}

volatile sig_atomic_t stop_requested;
void on_sigint(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* JSON text as Python's json.dumps writes it ({"a": 1, "b": [1, 2]}), which drove-cli's
 * {metadata} shows. */
static void py_json(json_object *v, char *buf, size_t n, size_t *off)
{
#define PUT(...) (*off += (size_t)snprintf(buf + *off, *off < n ? n - *off : 0, __VA_ARGS__))
	if (json_object_is_type(v, json_type_object)) {
		int first = 1;
		PUT("{");
		json_object_object_foreach(v, k, x)
		{
			json_object *ks = json_object_new_string(k);
			PUT("%s%s: ", first ? "" : ", ",
			    json_object_to_json_string_ext(ks, JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(ks);
			py_json(x, buf, n, off);
			first = 0;
		}
		PUT("}");
	} else if (json_object_is_type(v, json_type_array)) {
		PUT("[");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			PUT("%s", i ? ", " : "");
			py_json(json_object_array_get_idx(v, i), buf, n, off);
		}
		PUT("]");
	} else {
		PUT("%s",
		    v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
	}
#undef PUT
}

/* One field of an event for --textfmt: type, id, time (a date) or metadata (JSON). */
static const char *event_field(json_object *e, const char *name, size_t len, char *buf, size_t n)
{
	json_object *m;
	size_t off = 0;
	if (len == 4 && strncmp(name, "type", 4) == 0)
		return S(e, "type");
	if (len == 2 && strncmp(name, "id", 2) == 0)
		return S(e, "id");
	if (len == 4 && strncmp(name, "time", 4) == 0)
		return date_of(e, "time");
	if (len == 8 && strncmp(name, "metadata", 8) == 0) {
		buf[0] = '\0';
		if (json_object_object_get_ex(e, "metadata", &m))
			py_json(m, buf, n, &off);
		return buf;
	}
	return NULL;
}

/* Format an event with a Python format string of drove-cli's --textfmt: `{field}` or
 * `{field:[[fill]align][width]}` (align < > ^), `{{` and `}}` for braces. With e == NULL
 * only checks the format. @return 0, or -1 with the problem in err. */
static int format_event(const char *fmt, json_object *e, char *out, size_t n, char *err,
                        size_t errn)
{
	size_t off = 0;
	char mbuf[4096];
#define OUT(c) (off + 1 < n ? (void)(out[off++] = (c)) : (void)0)
	for (const char *p = fmt; *p;) {
		const char *name, *end, *colon;
		const char *val;
		char fill = ' ', align = '<';
		long width = 0;
		size_t vlen;
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			OUT(p[0]);
			p += 2;
			continue;
		}
		if (*p == '}') {
			snprintf(err, errn, "single '}' in the format");
			return -1;
		}
		if (*p != '{') {
			OUT(*p);
			p++;
			continue;
		}
		name = p + 1;
		if (!(end = strchr(name, '}'))) {
			snprintf(err, errn, "'{' without '}' in the format");
			return -1;
		}
		colon = memchr(name, ':', (size_t)(end - name));
		if (colon) {
			const char *sp = colon + 1;
			if (sp + 1 < end && strchr("<>^", sp[1])) {
				fill = sp[0];
				align = sp[1];
				sp += 2;
			} else if (sp < end && strchr("<>^", sp[0])) {
				align = sp[0];
				sp++;
			}
			while (sp < end && *sp >= '0' && *sp <= '9' && width < 10000)
				width = width * 10 + (*sp++ - '0');
			if (sp != end) {
				snprintf(
				        err, errn,
				        "unsupported format spec '%.*s' (use [[fill]align][width])",
				        (int)(end - colon - 1), colon + 1);
				return -1;
			}
		}
		val = event_field(e, name, (size_t)((colon ? colon : end) - name), mbuf,
		                  sizeof(mbuf));
		if (!val) {
			snprintf(err, errn, "unknown field '%.*s' (type, id, time, metadata)",
			         (int)((colon ? colon : end) - name), name);
			return -1;
		}
		vlen = strlen(val);
		{
			size_t pad = width > 0 && (size_t)width > vlen ? (size_t)width - vlen : 0;
			size_t left = align == '<' ? 0 : align == '>' ? pad : pad / 2;
			for (size_t i = 0; i < left; i++)
				OUT(fill);
			for (size_t i = 0; i < vlen; i++)
				OUT(val[i]);
			for (size_t i = left; i < pad; i++)
				OUT(fill);
		}
		p = end + 1;
	}
	out[off] = '\0';
#undef OUT
	return 0;
}

#define EVENT_FMT "{type: <25} | {id: <36} | {time: <20} | {metadata}"

int cmd_events(struct cli *cli, const struct cli_args *a)
{
	long long count = 1024, since = 0;
	const char *type = cli_opt(cli, a, "type");
	const char *fmt = cli_opt(cli, a, "textfmt") ? cli_opt(cli, a, "textfmt") : EVENT_FMT;
	int follow = cli_flag(cli, a, "follow");
	char line[8192], err[256];
	if (format_event(fmt, NULL, line, sizeof(line), err, sizeof(err)) < 0)
		return cli_usage_error(cli, "--textfmt: %s", err);
	if (cli_opt(cli, a, "count") &&
	    cli_int("--count", cli_opt(cli, a, "count"), 1, 1 << 30, &count) < 0)
		return CLI_USAGE;
	if (cli_opt(cli, a, "since") &&
	    cli_int("--since", cli_opt(cli, a, "since"), 0, INT64_MAX, &since) < 0)
		return CLI_USAGE;
	signal(SIGINT, on_sigint);
	do {
		char *d = NULL;
		json_object *list;
		size_t n;
		if (drove_client_event_list_json(cli->client, since, (int)count, &d) < 0)
			return cli_fail(NULL);
		list = cli_parse(d);
		free(d);
		n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
		if (cli->json && !follow) {
			cli_print_json(list);
		} else {
			/* the controller answers newest first; print oldest first */
			for (size_t i = n; i-- > 0;) {
				json_object *e = json_object_array_get_idx(list, i);
				if (type && strcmp(S(e, "type"), type) != 0)
					continue;
				if (cli->json)
					printf("%s\n", json_object_to_json_string_ext(
					                       e, JSON_C_TO_STRING_PLAIN));
				else if (format_event(fmt, e, line, sizeof(line), err,
				                      sizeof(err)) == 0)
					printf("%s\n", line);
			}
		}
		for (size_t i = 0; i < n; i++) {
			int64_t t = i64(json_object_array_get_idx(list, i), "time");
			if (t > since)
				since = t;
		}
		json_object_put(list);
		fflush(stdout);
		if (follow && !stop_requested)
			sleep_ms(poll_ms());
	} while (follow && !stop_requested);
	return CLI_OK;
}

static int endpoint_cmp(const void *x, const void *y)
{
	json_object *a = *(json_object *const *)x, *b = *(json_object *const *)y;
	int c = strcmp(S(a, "vhost"), S(b, "vhost"));
	return c ? c : strcmp(S(a, "appId"), S(b, "appId"));
}

int cmd_endpoints(struct cli *cli, const struct cli_args *a)
{
	const char *vhost = cli_opt(cli, a, "vhost");
	char *d = NULL;
	json_object *list, *keep, *top;
	if (drove_client_endpoint_list_json(cli->client, NULL, &d) < 0)
		return cli_fail(NULL);
	list = cli_parse(d);
	free(d);
	keep = json_object_new_array();
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		json_object *e = json_object_array_get_idx(list, i);
		if (!vhost || strcmp(S(e, "vhost"), vhost) == 0)
			json_object_array_add(keep, json_object_get(e));
	}
	json_object_put(list);
	json_object_array_sort(keep, endpoint_cmp);
	if (cli->json) {
		cli_print_json(keep);
		json_object_put(keep);
		return CLI_OK;
	}
	top = json_object_new_object();
	json_object_object_add(top, "endpoints", keep);
	cli_print_dict(top, 0);
	json_object_put(top);
	return CLI_OK;
}

/* ---- executors ---- */

int cmd_executor_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_executor_list_json(cli->client, &d), &d, render_executors);
}

void render_executors(json_object *o)
{
	static const char *h[] = {"Executor ID",
	                          "Host",
	                          "Port",
	                          "Transport",
	                          "Free Cores",
	                          "Used Cores",
	                          "Free Memory (MB)",
	                          "Used Memory (MB)",
	                          "Tags",
	                          "State"};
	struct cli_table *t = cli_table_new(10, h);
	for (size_t i = 0;
	     json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *e = json_object_array_get_idx(o, i);
		const char *row[] = {S(e, "executorId"),    S(e, "hostname"),   S(e, "port"),
		                     S(e, "transportType"), S(e, "freeCores"),  S(e, "usedCores"),
		                     S(e, "freeMemory"),    S(e, "usedMemory"), S(e, "tags"),
		                     S(e, "state")};
		cli_table_add(t, row);
	}
	cli_table_print(t, g_sort, g_reverse);
}

/* "Free cores: 2,3 Used cores: 1" per NUMA node, as drove-cli's executor info. */
static void numa_line(json_object *freem, json_object *usedm, int memory, const char *node,
                      char *buf, size_t n)
{
	json_object *f = NULL, *u = NULL;
	size_t off = 0;
	char num[32];
	buf[0] = '\0';
	if (freem)
		json_object_object_get_ex(freem, node, &f);
	if (usedm)
		json_object_object_get_ex(usedm, node, &u);
	for (int pass = 0; pass < 2; pass++) {
		json_object *v = pass ? u : f;
		if (!v)
			continue;
		if (memory) {
			off += (size_t)snprintf(
			        buf + off, off < n ? n - off : 0, "%s%s %s MB", off ? " " : "",
			        pass ? "Used:" : "Free :",
			        cli_grouped(json_object_get_int64(v), num, sizeof(num)));
		} else {
			off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "%s%s ",
			                        off ? " " : "",
			                        pass ? "Used cores:" : "Free cores:");
			for (size_t i = 0; json_object_is_type(v, json_type_array) &&
			                   i < json_object_array_length(v);
			     i++)
				off += (size_t)snprintf(
				        buf + off, off < n ? n - off : 0, "%s%d", i ? "," : "",
				        json_object_get_int(json_object_array_get_idx(v, i)));
		}
	}
}

/* NUMA nodes named in either map, in order. */
static void numa_section(const char *title, json_object *freem, json_object *usedm, int memory)
{
	char seen[64][16];
	size_t ns = 0;
	printf("    %s\n", title);
	for (int pass = 0; pass < 2; pass++) {
		json_object *m = pass ? usedm : freem;
		if (!m || !json_object_is_type(m, json_type_object))
			continue;
		json_object_object_foreach(m, k, v)
		{
			size_t i;
			char line[2048], label[64];
			(void)v;
			for (i = 0; i < ns && strcmp(seen[i], k) != 0; i++)
				;
			if (i < ns || ns >= 64)
				continue;
			snprintf(seen[ns++], sizeof(seen[0]), "%s", k);
			numa_line(freem, usedm, memory, k, line, sizeof(line));
			snprintf(label, sizeof(label), "NUMA node %s", k);
			printf("        %-30s%s\n", label, line);
		}
	}
}

void render_executor(json_object *o)
{
	json_object *st = NULL, *cpus = NULL, *mem = NULL, *f = NULL, *u = NULL, *tags;
	printf("%-30s%s\n", "ID",
	       S(json_object_object_get_ex(o, "state", &st) ? st : NULL, "executorId"));
	printf("%-30s%s\n", "Host", S(o, "hostname"));
	printf("%-30s%s\n", "Port", S(o, "port"));
	printf("%-30s%s\n", "Transport", S(o, "transportType"));
	printf("Resources\n");
	if (st && json_object_object_get_ex(st, "cpus", &cpus)) {
		json_object_object_get_ex(cpus, "freeCores", &f);
		json_object_object_get_ex(cpus, "usedCores", &u);
		numa_section("CPU", f, u, 0);
	}
	if (st && json_object_object_get_ex(st, "memory", &mem)) {
		f = u = NULL;
		json_object_object_get_ex(mem, "freeMemory", &f);
		json_object_object_get_ex(mem, "usedMemory", &u);
		numa_section("Memory", f, u, 1);
	}
	printf("%-30s%s\n", "State", S(o, "executorState"));
	printf("%-30s", "Tags");
	if (json_object_object_get_ex(o, "tags", &tags) &&
	    json_object_is_type(tags, json_type_array))
		for (size_t i = 0; i < json_object_array_length(tags); i++)
			printf("%s%s", i ? "," : "",
			       json_object_get_string(json_object_array_get_idx(tags, i)));
	printf("\n%-30s%s\n", "Last Updated", date_of(o, "updated"));
}

int cmd_executor_info(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_executor_get_json(cli->client, a->pos[0], &d), &d,
	            render_executor);
}

static void print_id_list(const char *label, json_object *o, const char *key)
{
	json_object *l;
	printf("%s: ", label);
	if (json_object_object_get_ex(o, key, &l) && json_object_is_type(l, json_type_array))
		for (size_t i = 0; i < json_object_array_length(l); i++)
			printf("%s%s", i ? "," : "",
			       json_object_get_string(json_object_array_get_idx(l, i)));
	printf("\n");
}

static void render_blacklist(json_object *o)
{
	json_object *v;
	print_id_list("Successful", o, "successful");
	print_id_list("Failed", o, "failed");
	if (json_object_object_get_ex(o, "message", &v))
		printf("%s\n", json_object_get_string(v));
	if (json_object_object_get_ex(o, "approxCompletionTimeMs", &v))
		printf("Approximate completion time: %.2f seconds\n",
		       (double)json_object_get_int64(v) / 1000.0);
}

int blacklist(struct cli *cli, const struct cli_args *a, int on)
{
	char *d = NULL;
	int rc = drove_client_executor_blacklist_json(cli->client, (const char *const *)a->pos,
	                                              (size_t)a->npos, on, &d);
	json_object *o, *failed;
	if (rc < 0)
		return cli_fail(NULL);
	o = cli_parse(d);
	free(d);
	if (cli->json)
		cli_print_json(o);
	else
		render_blacklist(o);
	/* every id failed: an error for scripts */
	rc = json_object_object_get_ex(o, "failed", &failed) &&
	                     json_object_array_length(failed) == (size_t)a->npos
	             ? CLI_ERR
	             : CLI_OK;
	if (rc)
		fprintf(stderr, "drove: %s\n", S(o, "message"));
	json_object_put(o);
	return rc;
}

int cmd_blacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 1);
}

int cmd_unblacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 0);
}

/* ---- executor appinstances | tasks | lsinstances: tables from GET /cluster/executors/{id} ---- */

static const char *g_app_filter;

static void render_exec_instances(json_object *o, const char *list_key, int ls)
{
	static const char *ha[] = {"Instance ID",   "App name",    "App ID",
	                           "CPU",           "Memory (MB)", "State",
	                           "Error Message", "Created",     "Last Updated"};
	static const char *hs[] = {"Instance ID",   "Service name", "Service ID",
	                           "CPU",           "Memory (MB)",  "State",
	                           "Error Message", "Created",      "Last Updated"};
	struct cli_table *t = cli_table_new(9, ls ? hs : ha);
	json_object *list;
	if (json_object_object_get_ex(o, list_key, &list) &&
	    json_object_is_type(list, json_type_array))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *in = json_object_array_get_idx(list, i);
			char cpu[32], mem[32];
			cores_memory(in, cpu, mem, sizeof(cpu), 1);
			{
				const char *row[] = {S(in, "instanceId"),
				                     S(in, ls ? "serviceName" : "appName"),
				                     S(in, ls ? "serviceId" : "appId"),
				                     cpu,
				                     mem,
				                     S(in, "state"),
				                     S(in, "errorMessage"),
				                     date_of(in, "created"),
				                     date_of(in, "updated")};
				cli_table_add(t, row);
			}
		}
	cli_table_print(t, g_sort, g_reverse);
}

static void render_exec_appinstances(json_object *o)
{
	render_exec_instances(o, "instances", 0);
}

static void render_exec_lsinstances(json_object *o)
{
	render_exec_instances(o, "serviceInstances", 1);
}

static void render_exec_tasks(json_object *o)
{
	static const char *h[] = {"Id",  "Source App", "Task ID", "State",
	                          "CPU", "Memory(MB)", "Created", "Updated"};
	struct cli_table *t = cli_table_new(8, h);
	json_object *list;
	if (json_object_object_get_ex(o, "tasks", &list) &&
	    json_object_is_type(list, json_type_array))
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *in = json_object_array_get_idx(list, i);
			char cpu[32], mem[32];
			if (g_app_filter && strcmp(S(in, "sourceAppName"), g_app_filter) != 0)
				continue;
			cores_memory(in, cpu, mem, sizeof(cpu), 1);
			{
				const char *row[] = {S(in, "instanceId"),
				                     S(in, "sourceAppName"),
				                     S(in, "taskId"),
				                     S(in, "state"),
				                     cpu,
				                     mem,
				                     date_of(in, "created"),
				                     date_of(in, "updated")};
				cli_table_add(t, row);
			}
		}
	cli_table_print(t, g_sort, g_reverse);
}

static int executor_table(struct cli *cli, const struct cli_args *a, int ncols,
                          void (*render)(json_object *))
{
	char *d = NULL;
	long long col = 1;
	if (cli_opt(cli, a, "sort") &&
	    cli_int("--sort", cli_opt(cli, a, "sort"), 0, ncols - 1, &col) < 0)
		return CLI_USAGE;
	g_sort = (int)col;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_executor_get_json(cli->client, a->pos[0], &d), &d, render);
}

int cmd_executor_appinstances(struct cli *cli, const struct cli_args *a)
{
	return executor_table(cli, a, 9, render_exec_appinstances);
}

int cmd_executor_tasks(struct cli *cli, const struct cli_args *a)
{
	g_app_filter = cli_opt(cli, a, "app");
	return executor_table(cli, a, 8, render_exec_tasks);
}

int cmd_executor_lsinstances(struct cli *cli, const struct cli_args *a)
{
	return executor_table(cli, a, 9, render_exec_lsinstances);
}

/* describe executor: the executor, then what runs on it. */
void render_executor_full(json_object *o)
{
	json_object *v;
	render_executor(o);
	g_sort = -1;
	if (json_object_object_get_ex(o, "instances", &v) && json_object_array_length(v)) {
		printf("\nApplication instances\n");
		render_exec_appinstances(o);
	}
	if (json_object_object_get_ex(o, "tasks", &v) && json_object_array_length(v)) {
		printf("\nTasks\n");
		g_app_filter = NULL;
		render_exec_tasks(o);
	}
	if (json_object_object_get_ex(o, "serviceInstances", &v) && json_object_array_length(v)) {
		printf("\nLocal service instances\n");
		render_exec_lsinstances(o);
	}
}
