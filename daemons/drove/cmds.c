/* The drove CLI's commands: cluster, executor, apps, appinstances, tasks, localservices,
 * lsinstances, describe and config (plan is in plan.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Field text in one of 32 rotating buffers, so that a row can use many at once. */
static char sbuf[32][512];
static unsigned sbi;
static char *next_buf(void)
{
	return sbuf[(sbi++) % 32];
}
static const char *S(json_object *obj, const char *key)
{
	return cli_str(obj, key, next_buf(), sizeof(sbuf[0]));
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int64_t poll_ms(void)
{
	const char *e = getenv("DROVE_CLI_POLL_MS");
	long long v;
	if (e && cli_int("DROVE_CLI_POLL_MS", e, 10, 600000, &v) == 0)
		return v;
	return 2000;
}

static int64_t i64(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *date_of(json_object *o, const char *key)
{
	return cli_date(i64(o, key), next_buf(), sizeof(sbuf[0]));
}

/* Render the data of a successful call: JSON with --json, else `render`. */
static int show(struct cli *cli, int rc, char **datap, void (*render)(json_object *))
{
	json_object *o;
	char *data =
	        *datap; /* read after the call that filled it (argument order is unspecified) */
	*datap = NULL;
	if (rc < 0) {
		free(data);
		return cli_fail(NULL);
	}
	o = cli_parse(data);
	free(data);
	if (cli->json || !render)
		cli_print_json(o);
	else
		render(o);
	json_object_put(o);
	return CLI_OK;
}

/* {"key": "id"} for --json after a create. */
static void print_id_json(const char *key, const char *id)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, key, json_object_new_string(id));
	cli_print_json(o);
	json_object_put(o);
}

/* Print `msg` (or the data with --json) after an operation. */
static int done(struct cli *cli, int rc, const char *msg)
{
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		printf("{\"status\": \"SUCCESS\", \"message\": \"%s\"}\n", msg);
	else
		printf("%s\n", msg);
	return CLI_OK;
}

static void render_dict(json_object *o)
{
	cli_print_dict(o, 0);
}

static void render_pretty(json_object *o)
{
	cli_print_json(o);
}

static int sort_col(const struct cli *cli, const struct cli_args *a, int ncols)
{
	long long v = 0;
	const char *s = cli_opt(cli, a, "sort");
	if (s && cli_int("--sort", s, 0, ncols - 1, &v) < 0)
		return -2;
	return (int)v;
}

/* "0:[2,3] 1:[4]" from {"0":[2,3],"1":[4]} */
static const char *node_map(json_object *m, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	if (!m || !json_object_is_type(m, json_type_object))
		return buf;
	json_object_object_foreach(m, k, v)
	{
		off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "%s%s:%s", off ? " " : "",
		                        k,
		                        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		if (off >= n)
			break;
	}
	return buf;
}

static void resources_of(json_object *inst, char *cpu, char *mem, size_t n)
{
	json_object *res, *r, *v;
	cpu[0] = mem[0] = '\0';
	if (!json_object_object_get_ex(inst, "resources", &res) ||
	    !json_object_is_type(res, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(res); i++) {
		r = json_object_array_get_idx(res, i);
		if (json_object_object_get_ex(r, "cores", &v))
			node_map(v, cpu, n);
		if (json_object_object_get_ex(r, "memoryInMB", &v))
			node_map(v, mem, n);
	}
}

static const char *ports_of(json_object *inst, char *buf, size_t n)
{
	json_object *li, *ports;
	size_t off = 0;
	buf[0] = '\0';
	if (!json_object_object_get_ex(inst, "localInfo", &li) ||
	    !json_object_object_get_ex(li, "ports", &ports) ||
	    !json_object_is_type(ports, json_type_object))
		return buf;
	json_object_object_foreach(ports, k, p)
	{
		off += (size_t)snprintf(buf + off, off < n ? n - off : 0, "%s%s:%lld",
		                        off ? "," : "", k, (long long)i64(p, "hostPort"));
		if (off >= n)
			break;
	}
	return buf;
}

static const char *host_of(json_object *inst)
{
	json_object *li;
	if (json_object_object_get_ex(inst, "localInfo", &li))
		return S(li, "hostname");
	return S(inst, "hostname");
}

/* ---- cluster ---- */

static int cmd_ping(struct cli *cli, const struct cli_args *a)
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

static int cmd_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	(void)a;
	return show(cli, drove_client_cluster_summary(cli->client, &d), &d, render_dict);
}

static void render_leader(json_object *o)
{
	printf("%s\n", S(o, "leader"));
}

static int cmd_leader(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	(void)a;
	return show(cli, drove_client_cluster_summary(cli->client, &d), &d, render_leader);
}

static int cmd_maintenance(struct cli *cli, int on)
{
	char *d = NULL;
	return show(cli, drove_client_cluster_maintenance(cli->client, on, &d), &d, render_dict);
}

static int cmd_maint_on(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return cmd_maintenance(cli, 1);
}

static int cmd_maint_off(struct cli *cli, const struct cli_args *a)
{
	(void)a;
	return cmd_maintenance(cli, 0);
}

static volatile sig_atomic_t stop_requested;
static void on_sigint(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void print_event(json_object *e)
{
	char meta[2048];
	size_t off = 0;
	json_object *m;
	meta[0] = '\0';
	if (json_object_object_get_ex(e, "metadata", &m) &&
	    json_object_is_type(m, json_type_object)) {
		json_object_object_foreach(m, k, v)
		{
			off += (size_t)snprintf(meta + off,
			                        off < sizeof(meta) ? sizeof(meta) - off : 0,
			                        "%s%s=%s", off ? " " : "", k,
			                        json_object_is_type(v, json_type_string)
			                                ? json_object_get_string(v)
			                                : json_object_to_json_string(v));
			if (off >= sizeof(meta))
				break;
		}
	}
	printf("%s  %-36s %s\n", date_of(e, "time"), S(e, "type"), meta);
}

static int cmd_events(struct cli *cli, const struct cli_args *a)
{
	long long count = 1024, since = 0;
	const char *type = cli_opt(cli, a, "type");
	int follow = cli_flag(cli, a, "follow");
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
		if (drove_client_cluster_events(cli->client, since, (int)count, &d) < 0)
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
				else
					print_event(e);
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

/* ---- executors ---- */

static void render_executors(json_object *o);
static int g_sort, g_reverse;

static int cmd_executor_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_executors_list(cli->client, &d), &d, render_executors);
}

static void render_executors(json_object *o)
{
	static const char *h[] = {"Executor ID",
	                          "Host",
	                          "Port",
	                          "Transport",
	                          "Free Cores",
	                          "Used Cores",
	                          "Free Memory(MB)",
	                          "Used Memory(MB)",
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

static void render_instances_table(json_object *list, const char *id_key);

static void render_executor(json_object *o)
{
	json_object *st, *cpus, *mem, *v;
	char buf[1024];
	printf("%-30s%s\n", "Executor Id",
	       S(json_object_object_get_ex(o, "state", &st) ? st : NULL, "executorId"));
	printf("%-30s%s\n", "Hostname", S(o, "hostname"));
	printf("%-30s%s\n", "Port", S(o, "port"));
	printf("%-30s%s\n", "Transport", S(o, "transportType"));
	printf("%-30s%s\n", "State", S(o, "executorState"));
	if (st && json_object_object_get_ex(st, "cpus", &cpus)) {
		printf("%-30s%s\n", "Free Cores",
		       node_map(json_object_object_get_ex(cpus, "freeCores", &v) ? v : NULL, buf,
		                sizeof(buf)));
		printf("%-30s%s\n", "Used Cores",
		       node_map(json_object_object_get_ex(cpus, "usedCores", &v) ? v : NULL, buf,
		                sizeof(buf)));
	}
	if (st && json_object_object_get_ex(st, "memory", &mem)) {
		printf("%-30s%s\n", "Free Memory (MB)",
		       node_map(json_object_object_get_ex(mem, "freeMemory", &v) ? v : NULL, buf,
		                sizeof(buf)));
		printf("%-30s%s\n", "Used Memory (MB)",
		       node_map(json_object_object_get_ex(mem, "usedMemory", &v) ? v : NULL, buf,
		                sizeof(buf)));
	}
	printf("%-30s%s\n", "Tags", S(o, "tags"));
	printf("%-30s%s\n", "Metadata", S(o, "metadata"));
	printf("%-30s%s\n", "Updated", date_of(o, "updated"));
	if (json_object_object_get_ex(o, "instances", &v) && json_object_array_length(v)) {
		printf("\nApplication instances\n");
		render_instances_table(v, "appId");
	}
	if (json_object_object_get_ex(o, "tasks", &v) && json_object_array_length(v)) {
		printf("\nTasks\n");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *t = json_object_array_get_idx(v, i);
			printf("  %s/%s  %s  %s\n", S(t, "sourceAppName"), S(t, "taskId"),
			       S(t, "instanceId"), S(t, "state"));
		}
	}
	if (json_object_object_get_ex(o, "serviceInstances", &v) && json_object_array_length(v)) {
		printf("\nLocal service instances\n");
		render_instances_table(v, "serviceId");
	}
}

static int cmd_executor_info(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_executor_info(cli->client, a->pos[0], &d), &d,
	            render_executor);
}

static void render_blacklist(json_object *o)
{
	printf("%-30s%s\n", "Successful", S(o, "successful"));
	printf("%-30s%s\n", "Failed", S(o, "failed"));
	printf("%-30s%s\n", "Message", S(o, "message"));
}

static int blacklist(struct cli *cli, const struct cli_args *a, int on)
{
	char *d = NULL;
	int rc = drove_client_executors_blacklist(cli->client, (const char *const *)a->pos,
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

static int cmd_blacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 1);
}

static int cmd_unblacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 0);
}

/* ---- applications ---- */

static void render_apps(json_object *o)
{
	static const char *h[] = {"Id",
	                          "Name",
	                          "State",
	                          "Total CPU",
	                          "Total Memory(MB)",
	                          "Required Instances",
	                          "Healthy Instances",
	                          "Created",
	                          "Updated"};
	struct cli_table *t = cli_table_new(9, h);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, id, app)
		{
			const char *row[] = {id,
			                     S(app, "name"),
			                     S(app, "state"),
			                     S(app, "totalCPUs"),
			                     S(app, "totalMemory"),
			                     S(app, "requiredInstances"),
			                     S(app, "healthyInstances"),
			                     date_of(app, "created"),
			                     date_of(app, "updated")};
			cli_table_add(t, row);
		}
	}
	cli_table_print(t, g_sort, g_reverse);
}

static int cmd_apps_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 9)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_apps_list(cli->client, &d), &d, render_apps);
}

static int cmd_apps_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_app_get(cli->client, a->pos[0], &d), &d, render_dict);
}

static int cmd_apps_spec(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_app_spec(cli->client, a->pos[0], &d), &d, render_pretty);
}

/* Read a spec file and check it is a JSON object; prints the error. */
static char *read_spec(const char *path)
{
	char *text = cli_read_file(path);
	json_tokener *tok;
	json_object *o;
	if (!text)
		return NULL;
	tok = json_tokener_new_ex(64);
	o = tok ? json_tokener_parse_ex(tok, text, (int)strlen(text)) : NULL;
	if (!o || !json_object_is_type(o, json_type_object)) {
		enum json_tokener_error e =
		        tok ? json_tokener_get_error(tok) : json_tokener_error_depth;
		fprintf(stderr, "drove: %s: invalid spec file: %s\n", path,
		        o                            ? "not a JSON object"
		        : e == json_tokener_continue ? "unexpected end of file"
		                                     : json_tokener_error_desc(e));
		json_object_put(o);
		json_tokener_free(tok);
		free(text);
		return NULL;
	}
	json_object_put(o);
	json_tokener_free(tok);
	return text;
}

static int opspec_args(struct cli *cli, const struct cli_args *a, const char **timeout, int *par)
{
	long long p = 1;
	if (cli_opt(cli, a, "parallelism") &&
	    cli_int("--parallelism", cli_opt(cli, a, "parallelism"), 1, 512, &p) < 0)
		return -1;
	*par = (int)p;
	*timeout = cli_opt(cli, a, "timeout") ? cli_opt(cli, a, "timeout") : "5m";
	return 0;
}

static int cmd_apps_create(struct cli *cli, const struct cli_args *a)
{
	char *spec = read_spec(a->pos[0]), *id = NULL, msg[512];
	long long inst = 0;
	int rc;
	if (!spec)
		return CLI_ERR;
	if (cli_opt(cli, a, "instances") &&
	    cli_int("--instances", cli_opt(cli, a, "instances"), 0, 2048, &inst) < 0) {
		free(spec);
		return CLI_USAGE;
	}
	rc = drove_client_app_create(cli->client, spec, inst, NULL, 1, &id);
	free(spec);
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		print_id_json("appId", id);
	else {
		snprintf(msg, sizeof(msg), "Application created with app id: %s", id);
		printf("%s\n", msg);
	}
	free(id);
	return CLI_OK;
}

static int cmd_apps_destroy(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_app_destroy(cli->client, a->pos[0]), "Application destroyed");
}

/* Healthy instance ids of an app or local service; NULL on error (printed). */
static json_object *healthy_ids(struct cli *cli, const char *id, int ls)
{
	char *d = NULL;
	json_object *list, *ids;
	int rc = ls ? drove_client_ls_instances(cli->client, id, NULL, &d)
	            : drove_client_app_instances(cli->client, id, NULL, &d);
	if (rc < 0) {
		cli_fail(NULL);
		return NULL;
	}
	list = cli_parse(d);
	free(d);
	ids = json_object_new_array();
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		json_object *in = json_object_array_get_idx(list, i);
		if (strcmp(S(in, "state"), "HEALTHY") == 0)
			json_object_array_add(ids, json_object_new_string(S(in, "instanceId")));
	}
	json_object_put(list);
	return ids;
}

static int contains(json_object *ids, const char *id)
{
	for (size_t i = 0; i < json_object_array_length(ids); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(ids, i)), id) == 0)
			return 1;
	return 0;
}

static int wait_timeout_ms(struct cli *cli, const struct cli_args *a, int64_t *out)
{
	long long s = 600;
	if (cli_opt(cli, a, "wait-timeout") &&
	    cli_int("--wait-timeout", cli_opt(cli, a, "wait-timeout"), 1, 86400, &s) < 0)
		return -1;
	*out = s * 1000;
	return 0;
}

/* Poll until `want` instances are healthy (old == NULL) or until none of `old` is healthy any
 * more and at least `want` are (a restart). Live progress on stdout. */
static int wait_for(struct cli *cli, const struct cli_args *a, const char *id, int ls,
                    long long want, json_object *old)
{
	int64_t limit, deadline;
	int last_h = -1, last_o = -1;
	if (wait_timeout_ms(cli, a, &limit) < 0)
		return CLI_USAGE;
	deadline = now_ms() + limit;
	for (;;) {
		json_object *ids = healthy_ids(cli, id, ls);
		int healthy, remaining = 0;
		if (!ids)
			return CLI_ERR;
		healthy = (int)json_object_array_length(ids);
		if (old)
			for (size_t i = 0; i < json_object_array_length(old); i++)
				remaining += contains(
				        ids,
				        json_object_get_string(json_object_array_get_idx(old, i)));
		json_object_put(ids);
		if (healthy != last_h || remaining != last_o) {
			if (old)
				printf("Healthy instances: %d/%lld, old instances remaining: %d\n",
				       healthy, want, remaining);
			else
				printf("Healthy instances: %d/%lld\n", healthy, want);
			fflush(stdout);
			last_h = healthy;
			last_o = remaining;
		}
		if (old ? (remaining == 0 && healthy >= want) : healthy == want)
			return CLI_OK;
		if (now_ms() >= deadline) {
			fprintf(stderr,
			        "drove: timed out waiting for %s: %d/%lld instances healthy\n", id,
			        healthy, want);
			return CLI_ERR;
		}
		sleep_ms(poll_ms());
	}
}

static int cmd_apps_deploy(struct cli *cli, const struct cli_args *a)
{
	long long n, existing = 0;
	const char *timeout;
	int par, rc, wait = cli_flag(cli, a, "wait");
	if (cli_int("instances", a->pos[1], 1, 1024, &n) < 0 ||
	    opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (wait) {
		json_object *ids = healthy_ids(cli, a->pos[0], 0);
		if (!ids)
			return CLI_ERR;
		existing = (long long)json_object_array_length(ids);
		json_object_put(ids);
	}
	rc = drove_client_app_start_instances(cli->client, a->pos[0], n, timeout, par);
	if (rc < 0)
		return cli_fail(NULL);
	if (!wait)
		return done(cli, 0,
		            "Application deployment command accepted. Please use the appinstances "
		            "command to check the status of the deployment");
	printf("Waiting till required scale is reached\n");
	if ((rc = wait_for(cli, a, a->pos[0], 0, existing + n, NULL)) != CLI_OK)
		return rc;
	printf("Required number of instances reached\n");
	return CLI_OK;
}

static int cmd_apps_scale(struct cli *cli, const struct cli_args *a)
{
	long long n;
	const char *timeout;
	int par, rc;
	if (cli_int("instances", a->pos[1], 0, 2048, &n) < 0 ||
	    opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	rc = drove_client_app_scale(cli->client, a->pos[0], n, timeout, par);
	if (rc < 0)
		return cli_fail(NULL);
	if (!cli_flag(cli, a, "wait"))
		return done(cli, 0,
		            "Application scaling command accepted. Please use the appinstances "
		            "command to check the status of the deployment");
	printf("Waiting till required scale is reached\n");
	if ((rc = wait_for(cli, a, a->pos[0], 0, n, NULL)) != CLI_OK)
		return rc;
	printf("Required number of instances reached\n");
	return CLI_OK;
}

static int cmd_apps_suspend(struct cli *cli, const struct cli_args *a)
{
	const char *timeout;
	int par, rc;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if ((rc = drove_client_app_suspend(cli->client, a->pos[0], timeout, par)) < 0)
		return cli_fail(NULL);
	if (!cli_flag(cli, a, "wait"))
		return done(cli, 0, "Application suspend command accepted.");
	printf("Waiting till all instances shut down\n");
	if ((rc = wait_for(cli, a, a->pos[0], 0, 0, NULL)) != CLI_OK)
		return rc;
	printf("All instances suspended\n");
	return CLI_OK;
}

static int cmd_apps_restart(struct cli *cli, const struct cli_args *a)
{
	const char *timeout;
	json_object *old = NULL;
	int par, rc;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (cli_flag(cli, a, "wait") && !(old = healthy_ids(cli, a->pos[0], 0)))
		return CLI_ERR;
	rc = drove_client_app_restart(cli->client, a->pos[0], cli_flag(cli, a, "stop-first"),
	                              timeout, par);
	if (rc < 0) {
		json_object_put(old);
		return cli_fail(NULL);
	}
	if (!old)
		return done(cli, 0, "Application restart command accepted.");
	rc = wait_for(cli, a, a->pos[0], 0, (long long)json_object_array_length(old), old);
	json_object_put(old);
	if (rc == CLI_OK)
		printf("All instances replaced\n");
	return rc;
}

static int cmd_apps_cancel(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_app_cancel(cli->client, a->pos[0]),
	            "Operation cancellation request registered.");
}

/* ---- instances (apps and local services) ---- */

static void render_instances_table(json_object *list, const char *id_key)
{
	static const char *h[] = {"Instance ID", "Owner", "Host",  "Ports",   "CPU",
	                          "Memory(MB)",  "State", "Error", "Created", "Updated"};
	struct cli_table *t = cli_table_new(10, h);
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		json_object *in = json_object_array_get_idx(list, i);
		char cpu[256], mem[256], ports[256];
		resources_of(in, cpu, mem, sizeof(cpu));
		{
			const char *row[] = {S(in, "instanceId"),
			                     S(in, id_key),
			                     host_of(in),
			                     ports_of(in, ports, sizeof(ports)),
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

static void render_app_instances(json_object *o)
{
	render_instances_table(o, "appId");
}

static void render_ls_instances(json_object *o)
{
	render_instances_table(o, "serviceId");
}

static int instances_list(struct cli *cli, const struct cli_args *a, int ls)
{
	char *d = NULL;
	int rc, old = cli_flag(cli, a, "old");
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	if (ls)
		rc = old ? drove_client_ls_old_instances(cli->client, a->pos[0], &d)
		         : drove_client_ls_instances(cli->client, a->pos[0], NULL, &d);
	else
		rc = old ? drove_client_app_old_instances(cli->client, a->pos[0], &d)
		         : drove_client_app_instances(cli->client, a->pos[0], NULL, &d);
	return show(cli, rc, &d, ls ? render_ls_instances : render_app_instances);
}

static void render_instance(json_object *in)
{
	char cpu[256], mem[256], ports[256];
	json_object *v;
	resources_of(in, cpu, mem, sizeof(cpu));
	printf("%-30s%s\n", "Instance ID", S(in, "instanceId"));
	if (json_object_object_get_ex(in, "appId", &v)) {
		printf("%-30s%s\n", "App ID", S(in, "appId"));
		printf("%-30s%s\n", "App Name", S(in, "appName"));
	} else {
		printf("%-30s%s\n", "Service ID", S(in, "serviceId"));
		printf("%-30s%s\n", "Service Name", S(in, "serviceName"));
	}
	printf("%-30s%s\n", "State", S(in, "state"));
	printf("%-30s%s\n", "Executor ID", S(in, "executorId"));
	printf("%-30s%s\n", "Host", host_of(in));
	printf("%-30s%s\n", "Ports", ports_of(in, ports, sizeof(ports)));
	printf("%-30s%s\n", "CPU", cpu);
	printf("%-30s%s\n", "Memory (MB)", mem);
	printf("%-30s%s\n", "Error", S(in, "errorMessage"));
	printf("%-30s%s\n", "Created", date_of(in, "created"));
	printf("%-30s%s\n", "Last Updated", date_of(in, "updated"));
}

static int instance_info(struct cli *cli, const struct cli_args *a, int ls)
{
	char *d = NULL;
	int rc = ls ? drove_client_ls_instance(cli->client, a->pos[0], a->pos[1], &d)
	            : drove_client_app_instance(cli->client, a->pos[0], a->pos[1], &d);
	return show(cli, rc, &d, render_instance);
}

static void render_files(json_object *o)
{
	json_object *f;
	if (json_object_object_get_ex(o, "files", &f))
		for (size_t i = 0; i < json_object_array_length(f); i++)
			printf("%s\n", json_object_get_string(json_object_array_get_idx(f, i)));
}

static int logs_list(struct cli *cli, const struct cli_args *a, const char *kind)
{
	char *d = NULL;
	return show(cli, drove_client_log_list(cli->client, kind, a->pos[0], a->pos[1], &d), &d,
	            render_files);
}

static int logs_tail(struct cli *cli, const struct cli_args *a, const char *kind)
{
	const char *file = cli_opt(cli, a, "file") ? cli_opt(cli, a, "file") : "output.log";
	int64_t off = -1, until = 0;
	long long secs = 0;
	if (cli_opt(cli, a, "for") &&
	    cli_int("--for", cli_opt(cli, a, "for"), 1, 86400 * 365, &secs) < 0)
		return CLI_USAGE;
	if (secs)
		until = now_ms() + secs * 1000;
	signal(SIGINT, on_sigint);
	if (cli_flag(cli, a, "from-start"))
		off = 0;
	while (!stop_requested) {
		char *d = NULL;
		size_t n = 0;
		if (drove_client_log_read(cli->client, kind, a->pos[0], a->pos[1], file, &off, -1,
		                          &d, &n) < 0)
			return cli_fail(NULL);
		if (n)
			fwrite(d, 1, n, stdout);
		free(d);
		fflush(stdout);
		if (until && now_ms() >= until)
			break;
		if (!n)
			sleep_ms(poll_ms() < 1000 ? poll_ms() : 1000);
	}
	return CLI_OK;
}

static int logs_download(struct cli *cli, const struct cli_args *a, const char *kind)
{
	const char *file = cli_opt(cli, a, "file") ? cli_opt(cli, a, "file") : "output.log";
	const char *out = cli_opt(cli, a, "out") ? cli_opt(cli, a, "out") : file;
	int64_t bytes = 0;
	int fd, rc;
	if (strcmp(out, "-") == 0)
		fd = STDOUT_FILENO;
	else if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "drove: %s: %s\n", out, strerror(errno));
		return CLI_ERR;
	}
	rc = drove_client_log_download(cli->client, kind, a->pos[0], a->pos[1], file, fd, &bytes);
	if (fd != STDOUT_FILENO)
		close(fd);
	if (rc < 0) {
		if (fd != STDOUT_FILENO)
			unlink(out);
		return cli_fail(NULL);
	}
	if (fd != STDOUT_FILENO)
		fprintf(cli->json ? stderr : stdout, "Downloaded %lld bytes to %s\n",
		        (long long)bytes, out);
	return CLI_OK;
}

static int instances_op(struct cli *cli, const struct cli_args *a, int ls, int kill)
{
	const char *timeout;
	int par, rc;
	const char *const *ids = (const char *const *)a->pos + 1;
	size_t n = (size_t)a->npos - 1;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (ls)
		rc = drove_client_ls_instances_op(cli->client, a->pos[0], ids, n, kill, timeout,
		                                  par);
	else if (kill)
		rc = drove_client_instances_kill(cli->client, a->pos[0], ids, n,
		                                 cli_flag(cli, a, "skip-respawn"), timeout, par);
	else
		rc = drove_client_instances_replace(cli->client, a->pos[0], ids, n,
		                                    cli_flag(cli, a, "stop-first"), timeout, par);
	return done(cli, rc,
	            kill ? "Instance kill command accepted."
	                 : "Instance replacement command accepted.");
}

static int cmd_ai_list(struct cli *cli, const struct cli_args *a)
{
	return instances_list(cli, a, 0);
}
static int cmd_ai_info(struct cli *cli, const struct cli_args *a)
{
	return instance_info(cli, a, 0);
}
static int cmd_ai_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "applications");
}
static int cmd_ai_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "applications");
}
static int cmd_ai_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "applications");
}
static int cmd_ai_replace(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 0, 0);
}
static int cmd_ai_kill(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 0, 1);
}
static int cmd_si_list(struct cli *cli, const struct cli_args *a)
{
	return instances_list(cli, a, 1);
}
static int cmd_si_info(struct cli *cli, const struct cli_args *a)
{
	return instance_info(cli, a, 1);
}
static int cmd_si_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "localservices");
}
static int cmd_si_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "localservices");
}
static int cmd_si_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "localservices");
}
static int cmd_si_replace(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 1, 0);
}
static int cmd_si_kill(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 1, 1);
}

/* ---- tasks ---- */

static const char *g_task_app;

static void render_tasks(json_object *o)
{
	static const char *h[] = {"Source App", "Task ID", "Task Instance", "Host",
	                          "State",      "Result",  "Created",       "Updated"};
	struct cli_table *t = cli_table_new(8, h);
	for (size_t i = 0;
	     json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *tk = json_object_array_get_idx(o, i), *res;
		if (g_task_app && strcmp(S(tk, "sourceAppName"), g_task_app) != 0)
			continue;
		{
			const char *row[] = {S(tk, "sourceAppName"),
			                     S(tk, "taskId"),
			                     S(tk, "instanceId"),
			                     S(tk, "hostname"),
			                     S(tk, "state"),
			                     json_object_object_get_ex(tk, "taskResult", &res)
			                             ? S(res, "statu"
			                                      "s")
			                             : "",
			                     date_of(tk, "created"),
			                     date_of(tk, "updated")};
			cli_table_add(t, row);
		}
	}
	cli_table_print(t, g_sort, g_reverse);
}

static int cmd_tasks_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 8)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	g_task_app = cli_opt(cli, a, "app");
	return show(cli, drove_client_tasks_list(cli->client, &d), &d, render_tasks);
}

static void render_task(json_object *t)
{
	char cpu[256], mem[256];
	json_object *res, *v;
	resources_of(t, cpu, mem, sizeof(cpu));
	printf("%-30s%s\n", "Source App", S(t, "sourceAppName"));
	printf("%-30s%s\n", "Task ID", S(t, "taskId"));
	printf("%-30s%s\n", "Task Instance ID", S(t, "instanceId"));
	printf("%-30s%s\n", "Executor ID", S(t, "executorId"));
	printf("%-30s%s\n", "Host", S(t, "hostname"));
	printf("%-30s%s\n", "Image",
	       json_object_object_get_ex(t, "executable", &v) ? S(v, "url") : "");
	printf("%-30s%s\n", "CPU", cpu);
	printf("%-30s%s\n", "Memory (MB)", mem);
	printf("%-30s%s\n", "State", S(t, "state"));
	if (json_object_object_get_ex(t, "taskResult", &res)) {
		printf("%-30s%s\n", "Result", S(res, "status"));
		printf("%-30s%s\n", "Exit Code", S(res, "exitCode"));
	}
	printf("%-30s%s\n", "Error", S(t, "errorMessage"));
	printf("%-30s%s\n", "Created", date_of(t, "created"));
	printf("%-30s%s\n", "Last Updated", date_of(t, "updated"));
}

static int cmd_tasks_show(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_task_get(cli->client, a->pos[0], a->pos[1], &d), &d,
	            render_task);
}

static int cmd_tasks_create(struct cli *cli, const struct cli_args *a)
{
	char *spec = read_spec(a->pos[0]), *id = NULL;
	int rc;
	if (!spec)
		return CLI_ERR;
	rc = drove_client_task_create(cli->client, spec, cli_opt(cli, a, "timeout"), &id);
	free(spec);
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		print_id_json("taskId", id);
	else
		printf("Task created with task id: %s\n", id);
	free(id);
	return CLI_OK;
}

static int cmd_tasks_kill(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_task_kill(cli->client, a->pos[0], a->pos[1],
	                                   cli_opt(cli, a, "timeout")),
	            "Task kill command accepted.");
}

static int cmd_tasks_delete(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_task_delete(cli->client, a->pos[0], a->pos[1]),
	            "Task record deleted.");
}

static int cmd_tasks_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "tasks");
}
static int cmd_tasks_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "tasks");
}
static int cmd_tasks_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "tasks");
}

/* ---- local services ---- */

static void render_ls(json_object *o)
{
	static const char *h[] = {"Id",
	                          "Name",
	                          "State",
	                          "Activation State",
	                          "Instances/Host",
	                          "Healthy Instances",
	                          "Total CPU",
	                          "Total Memory(MB)",
	                          "Created",
	                          "Updated"};
	struct cli_table *t = cli_table_new(10, h);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, id, s)
		{
			const char *row[] = {id,
			                     S(s, "name"),
			                     S(s, "state"),
			                     S(s, "activationState"),
			                     S(s, "instancesPerHost"),
			                     S(s, "healthyInstances"),
			                     S(s, "totalCPUs"),
			                     S(s, "totalMemory"),
			                     date_of(s, "created"),
			                     date_of(s, "updated")};
			cli_table_add(t, row);
		}
	}
	cli_table_print(t, g_sort, g_reverse);
}

static int cmd_ls_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_ls_list(cli->client, &d), &d, render_ls);
}

static int cmd_ls_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_ls_get(cli->client, a->pos[0], &d), &d, render_dict);
}

static int cmd_ls_spec(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_ls_spec(cli->client, a->pos[0], &d), &d, render_pretty);
}

static int cmd_ls_create(struct cli *cli, const struct cli_args *a)
{
	char *spec = read_spec(a->pos[0]), *id = NULL;
	long long n = 1;
	int rc;
	if (!spec)
		return CLI_ERR;
	if (cli_opt(cli, a, "instances") &&
	    cli_int("--instances", cli_opt(cli, a, "instances"), 1, 256, &n) < 0) {
		free(spec);
		return CLI_USAGE;
	}
	rc = drove_client_ls_create(cli->client, spec, (int)n, &id);
	free(spec);
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		print_id_json("serviceId", id);
	else
		printf("Local service created with id: %s\n", id);
	free(id);
	return CLI_OK;
}

static int cmd_ls_destroy(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_ls_simple_op(cli->client, "DESTROY", a->pos[0]),
	            "Local service destroyed");
}

static int cmd_ls_activate(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_ls_simple_op(cli->client, "ACTIVATE", a->pos[0]),
	            "Local service activation command accepted.");
}

static int cmd_ls_deploy_test(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_ls_simple_op(cli->client, "DEPLOY_TEST_INSTANCE", a->pos[0]),
	            "Local service test instance deployment accepted.");
}

static int cmd_ls_deactivate(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_ls_simple_op(cli->client, "DEACTIVATE", a->pos[0]),
	            "Local service deactivation command accepted.");
}

static int cmd_ls_scale(struct cli *cli, const struct cli_args *a)
{
	long long n;
	if (cli_int("instances per host", a->pos[1], 1, 256, &n) < 0)
		return CLI_USAGE;
	return done(cli, drove_client_ls_update_instances(cli->client, a->pos[0], (int)n),
	            "Local service instance count update accepted.");
}

static int cmd_ls_restart(struct cli *cli, const struct cli_args *a)
{
	const char *timeout;
	int par;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	return done(cli,
	            drove_client_ls_restart(cli->client, a->pos[0], cli_flag(cli, a, "stop-first"),
	                                    timeout, par),
	            "Local service restart command accepted.");
}

static int cmd_ls_cancel(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_ls_cancel(cli->client, a->pos[0]),
	            "Operation cancellation request registered.");
}

/* ---- describe ---- */

static int cmd_describe(struct cli *cli, const struct cli_args *a)
{
	const char *what = a->pos[0];
	char *d = NULL;
	int rc;
	if (strcmp(what, "cluster") == 0) {
		if (a->npos != 1)
			return cli_usage_error(cli, "describe cluster takes no id");
		if ((rc = show(cli, drove_client_cluster_summary(cli->client, &d), &d,
		               render_dict)) ||
		    cli->json)
			return rc;
		printf("\nExecutors\n");
		d = NULL;
		g_sort = -1;
		return show(cli, drove_client_executors_list(cli->client, &d), &d,
		            render_executors);
	}
	if (strcmp(what, "app") == 0 || strcmp(what, "localservice") == 0) {
		int ls = what[0] == 'l';
		if (a->npos != 2)
			return cli_usage_error(cli, "describe %s needs an id", what);
		rc = ls ? drove_client_ls_get(cli->client, a->pos[1], &d)
		        : drove_client_app_get(cli->client, a->pos[1], &d);
		if ((rc = show(cli, rc, &d, render_dict)) || cli->json)
			return rc;
		printf("\nInstances\n");
		d = NULL;
		g_sort = -1;
		rc = ls ? drove_client_ls_instances(cli->client, a->pos[1], NULL, &d)
		        : drove_client_app_instances(cli->client, a->pos[1], NULL, &d);
		return show(cli, rc, &d, ls ? render_ls_instances : render_app_instances);
	}
	if (strcmp(what, "executor") == 0) {
		if (a->npos != 2)
			return cli_usage_error(cli, "describe executor needs an id");
		g_sort = -1;
		return show(cli, drove_client_executor_info(cli->client, a->pos[1], &d), &d,
		            render_executor);
	}
	if (strcmp(what, "instance") == 0 || strcmp(what, "lsinstance") == 0 ||
	    strcmp(what, "task") == 0) {
		if (a->npos != 3)
			return cli_usage_error(cli, "describe %s needs two ids", what);
		if (what[0] == 't')
			return show(cli,
			            drove_client_task_get(cli->client, a->pos[1], a->pos[2], &d),
			            &d, render_task);
		rc = what[0] == 'l'
		             ? drove_client_ls_instance(cli->client, a->pos[1], a->pos[2], &d)
		             : drove_client_app_instance(cli->client, a->pos[1], a->pos[2], &d);
		return show(cli, rc, &d, render_instance);
	}
	return cli_usage_error(cli,
	                       "describe: unknown kind '%s' (cluster, executor, app, instance, "
	                       "task, localservice, lsinstance)",
	                       what);
}

/* ---- config ---- */

static drove_client_config *config_read(struct cli *cli, const char *path, int must_exist)
{
	drove_client_config *cfg = NULL;
	int rc = drove_client_config_load(&cfg, path);
	(void)cli;
	if (rc == DROVE_ENOTFOUND && !must_exist) {
		if (drove_client_config_new(&cfg) < 0) {
			cli_fail(NULL);
			return NULL;
		}
		return cfg;
	}
	if (rc < 0) {
		cli_fail(NULL);
		return NULL;
	}
	return cfg;
}

static int config_set_cluster(drove_client_config *cfg, const char *section, struct cli *cli,
                              const struct cli_args *a)
{
	const char *keys[] = {"endpoint", "username", "password", "auth-header"};
	const char *names[] = {"endpoint", "username", "password", "auth_header"};
	for (size_t i = 0; i < 4; i++) {
		const char *v = cli_opt(cli, a, keys[i]);
		if (v && drove_client_config_set(cfg, section, names[i], v) < 0)
			return cli_fail(NULL);
	}
	if (cli_flag(cli, a, "insecure") &&
	    drove_client_config_set(cfg, section, "insecure", "true") < 0)
		return cli_fail(NULL);
	return 0;
}

static int cmd_config_init(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb));
	const char *name = cli_opt(cli, a, "name") ? cli_opt(cli, a, "name") : "default";
	const char *section = strcmp(name, "default") == 0 ? "DEFAULT" : name;
	drove_client_config *cfg = NULL;
	int rc;
	if (!cli_opt(cli, a, "endpoint"))
		return cli_usage_error(cli, "config init needs --endpoint");
	if (access(path, F_OK) == 0) {
		fprintf(stderr,
		        "drove: config file already exists: %s (use `drove config add-cluster`)\n",
		        path);
		return CLI_ERR;
	}
	if (drove_client_config_new(&cfg) < 0)
		return cli_fail(NULL);
	if ((rc = config_set_cluster(cfg, section, cli, a)) != 0 ||
	    drove_client_config_set(cfg, "DEFAULT", "current_cluster", section) < 0 ||
	    drove_client_config_save(cfg, path) < 0) {
		drove_client_config_free(cfg);
		return rc ? rc : cli_fail(NULL);
	}
	drove_client_config_free(cfg);
	printf("Config initialized at: %s\nCurrent cluster set to: %s\n", path, section);
	return CLI_OK;
}

static int cmd_config_add(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb));
	drove_client_config *cfg;
	int rc;
	if (!cli_opt(cli, a, "endpoint"))
		return cli_usage_error(cli, "config add-cluster needs --endpoint");
	if (!(cfg = config_read(cli, path, 0)))
		return CLI_ERR;
	if (drove_client_config_has_section(cfg, a->pos[0]) || strcmp(a->pos[0], "DEFAULT") == 0) {
		fprintf(stderr, "drove: cluster '%s' already exists\n", a->pos[0]);
		drove_client_config_free(cfg);
		return CLI_ERR;
	}
	if ((rc = config_set_cluster(cfg, a->pos[0], cli, a)) != 0 ||
	    drove_client_config_save(cfg, path) < 0) {
		drove_client_config_free(cfg);
		return rc ? rc : cli_fail(NULL);
	}
	drove_client_config_free(cfg);
	printf("Cluster '%s' added to %s\n", a->pos[0], path);
	return CLI_OK;
}

static int cmd_config_delete(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb)), *cur;
	drove_client_config *cfg = config_read(cli, path, 1);
	if (!cfg)
		return CLI_ERR;
	if (drove_client_config_remove_section(cfg, a->pos[0]) < 0) {
		drove_client_config_free(cfg);
		return cli_fail(NULL);
	}
	cur = drove_client_config_get(cfg, "DEFAULT", "current_cluster");
	if (cur && strcmp(cur, a->pos[0]) == 0)
		drove_client_config_set(cfg, "DEFAULT", "current_cluster", NULL);
	if (drove_client_config_save(cfg, path) < 0) {
		drove_client_config_free(cfg);
		return cli_fail(NULL);
	}
	drove_client_config_free(cfg);
	printf("Cluster '%s' deleted from %s\n", a->pos[0], path);
	return CLI_OK;
}

static int cmd_config_get_clusters(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb)), *cur;
	drove_client_config *cfg = config_read(cli, path, 0);
	static const char *h[] = {"Current", "Name", "Endpoint", "Auth", "Insecure"};
	struct cli_table *t;
	size_t n;
	(void)a;
	if (!cfg)
		return CLI_ERR;
	cur = drove_client_config_get(cfg, "DEFAULT", "current_cluster");
	n = drove_client_config_section_count(cfg);
	if (cli->json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i <= n; i++) {
			const char *s =
			        i == 0 ? "DEFAULT" : drove_client_config_section(cfg, i - 1);
			const char *ep = drove_client_config_get(cfg, s, "endpoint");
			json_object *o;
			if (!ep || (i == 0 && !drove_client_config_get(cfg, "DEFAULT", "endpoint")))
				continue;
			o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(s));
			json_object_object_add(o, "endpoint", json_object_new_string(ep));
			json_object_object_add(o, "current",
			                       json_object_new_boolean(cur && strcmp(cur, s) == 0));
			json_object_array_add(arr, o);
		}
		cli_print_json(arr);
		json_object_put(arr);
		drove_client_config_free(cfg);
		return CLI_OK;
	}
	t = cli_table_new(5, h);
	for (size_t i = 0; i <= n; i++) {
		const char *s = i == 0 ? "DEFAULT" : drove_client_config_section(cfg, i - 1);
		const char *ep = drove_client_config_get(cfg, s, "endpoint");
		if (!ep)
			continue;
		{
			int auth = drove_client_config_get(cfg, s, "username") ||
			           drove_client_config_get(cfg, s, "auth_header");
			const char *row[] = {
			        cur && strcmp(cur, s) == 0 ? "*" : "", s, ep, auth ? "yes" : "no",
			        cli_bool(drove_client_config_get(cfg, s, "insecure")) ? "yes"
			                                                              : "no"};
			cli_table_add(t, row);
		}
	}
	cli_table_print(t, -1, 0);
	if (cur)
		printf("\nCurrent cluster: %s\n", cur);
	drove_client_config_free(cfg);
	return CLI_OK;
}

static int cmd_config_use(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb));
	drove_client_config *cfg = config_read(cli, path, 1);
	if (!cfg)
		return CLI_ERR;
	if (strcmp(a->pos[0], "DEFAULT") != 0 && !drove_client_config_has_section(cfg, a->pos[0])) {
		fprintf(stderr, "drove: cluster '%s' not found in %s\n", a->pos[0], path);
		drove_client_config_free(cfg);
		return CLI_ERR;
	}
	if (drove_client_config_set(cfg, "DEFAULT", "current_cluster", a->pos[0]) < 0 ||
	    drove_client_config_save(cfg, path) < 0) {
		drove_client_config_free(cfg);
		return cli_fail(NULL);
	}
	drove_client_config_free(cfg);
	printf("Switched to cluster \"%s\".\n", a->pos[0]);
	return CLI_OK;
}

static int cmd_config_current(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb)), *cur;
	drove_client_config *cfg = config_read(cli, path, 0);
	(void)a;
	if (!cfg)
		return CLI_ERR;
	cur = drove_client_config_get(cfg, "DEFAULT", "current_cluster");
	if (cur)
		printf("%s\n", cur);
	else
		printf("No current cluster set. Use 'drove config use-cluster <name>' to set "
		       "one.\n");
	drove_client_config_free(cfg);
	return CLI_OK;
}

/* ---- the table ---- */

#define OPT_SORT                                           \
	{'s', "sort", 1, "sort by this column (0-based)"}, \
	{                                                  \
		'r', "reverse", 0, "sort in reverse order" \
	}
#define OPT_OPSPEC                                                                 \
	{'p', "parallelism", 1, "parallel instance operations (default 1)"},       \
	{                                                                          \
		't', "timeout", 1, "operation timeout on the cluster (default 5m)" \
	}
#define OPT_WAIT                                                                              \
	{'w', "wait", 0, "wait until the instances converge, showing progress"},              \
	{                                                                                     \
		0, "wait-timeout", 1, "give up waiting after this many seconds (default 600)" \
	}
#define OPT_LOGFILE                                                  \
	{                                                            \
		'f', "file", 1, "log file name (default output.log)" \
	}
#define OPT_TAIL                                                        \
	OPT_LOGFILE, {0, "for", 1, "stop after this many seconds"},     \
	{                                                               \
		0, "from-start", 0, "print the file from its beginning" \
	}
#define OPT_DL                                                                        \
	OPT_LOGFILE,                                                                  \
	{                                                                             \
		'o', "out", 1, "output file ('-' for stdout; default the log's name)" \
	}
#define OPT_CONN                                                                                  \
	{'e', "endpoint", 1, "controller endpoint URL"}, {'u', "username", 1, "basic-auth user"}, \
	        {'p', "password", 1, "basic-auth password"},                                      \
	        {'t', "auth-header", 1, "raw Authorization header value"},                        \
	{                                                                                         \
		'i', "insecure", 0, "do not verify TLS certificates"                              \
	}

const struct cli_cmd cli_commands[] = {
        {"cluster",
         "ping",
         NULL,
         0,
         0,
         1,
         cmd_ping,
         "Check that a leader controller answers",
         {{0}}},
        {"cluster", "summary", NULL, 0, 0, 1, cmd_summary, "Show the cluster summary", {{0}}},
        {"cluster", "leader", NULL, 0, 0, 1, cmd_leader, "Show the leader controller", {{0}}},
        {"cluster",
         "maintenance-on",
         NULL,
         0,
         0,
         1,
         cmd_maint_on,
         "Put the cluster in maintenance mode",
         {{0}}},
        {"cluster",
         "maintenance-off",
         NULL,
         0,
         0,
         1,
         cmd_maint_off,
         "Take the cluster out of maintenance mode",
         {{0}}},
        {"cluster",
         "events",
         NULL,
         0,
         0,
         1,
         cmd_events,
         "Show cluster events (oldest first)",
         {{'f', "follow", 0, "keep polling for new events"},
          {'n', "count", 1, "at most this many events (default 1024)"},
          {0, "type", 1, "only events of this type"},
          {0, "since", 1, "only events after this time (epoch ms)"}}},
        {"executor", "list", NULL, 0, 0, 1, cmd_executor_list, "List executors", {OPT_SORT}},
        {"executor",
         "info",
         "<executor-id>",
         1,
         1,
         1,
         cmd_executor_info,
         "Show an executor's resources and instances",
         {{0}}},
        {"executor",
         "blacklist",
         "<executor-id>...",
         1,
         -1,
         1,
         cmd_blacklist,
         "Blacklist executors (their apps move away)",
         {{0}}},
        {"executor",
         "unblacklist",
         "<executor-id>...",
         1,
         -1,
         1,
         cmd_unblacklist,
         "Unblacklist executors",
         {{0}}},
        {"apps", "list", NULL, 0, 0, 1, cmd_apps_list, "List applications", {OPT_SORT}},
        {"apps",
         "summary",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_summary,
         "Show an application's summary",
         {{0}}},
        {"apps",
         "spec",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_spec,
         "Print an application's spec as JSON",
         {{0}}},
        {"apps",
         "create",
         "<spec-file>",
         1,
         1,
         1,
         cmd_apps_create,
         "Create an application from a JSON spec",
         {{'i', "instances", 1, "instances to start right away (default 0)"}}},
        {"apps",
         "destroy",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_destroy,
         "Destroy an application with no instances",
         {{0}}},
        {"apps",
         "deploy",
         "<app-id> <instances>",
         2,
         2,
         1,
         cmd_apps_deploy,
         "Start more instances",
         {OPT_OPSPEC, OPT_WAIT}},
        {"apps",
         "scale",
         "<app-id> <instances>",
         2,
         2,
         1,
         cmd_apps_scale,
         "Scale to exactly this many instances",
         {OPT_OPSPEC, OPT_WAIT}},
        {"apps",
         "suspend",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_suspend,
         "Stop every instance (scale to 0)",
         {OPT_OPSPEC, OPT_WAIT}},
        {"apps",
         "restart",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_restart,
         "Replace every healthy instance (rolling)",
         {OPT_OPSPEC,
          OPT_WAIT,
          {0, "stop-first", 0, "stop an old instance before starting its replacement"}}},
        {"apps",
         "cancelop",
         "<app-id>",
         1,
         1,
         1,
         cmd_apps_cancel,
         "Cancel the running operation",
         {{0}}},
        {"appinstances",
         "list",
         "<app-id>",
         1,
         1,
         1,
         cmd_ai_list,
         "List an application's instances",
         {OPT_SORT, {'o', "old", 0, "list stopped/failed instances instead"}}},
        {"appinstances",
         "info",
         "<app-id> <instance-id>",
         2,
         2,
         1,
         cmd_ai_info,
         "Show an instance",
         {{0}}},
        {"appinstances",
         "logs",
         "<app-id> <instance-id>",
         2,
         2,
         1,
         cmd_ai_logs,
         "List an instance's log files",
         {{0}}},
        {"appinstances",
         "tail",
         "<app-id> <instance-id>",
         2,
         2,
         1,
         cmd_ai_tail,
         "Follow an instance's log",
         {OPT_TAIL}},
        {"appinstances",
         "download",
         "<app-id> <instance-id>",
         2,
         2,
         1,
         cmd_ai_download,
         "Download a log file",
         {OPT_DL}},
        {"appinstances",
         "replace",
         "<app-id> <instance-id>...",
         2,
         -1,
         1,
         cmd_ai_replace,
         "Replace instances",
         {OPT_OPSPEC, {0, "stop-first", 0, "stop before starting the replacement"}}},
        {"appinstances",
         "kill",
         "<app-id> <instance-id>...",
         2,
         -1,
         1,
         cmd_ai_kill,
         "Stop instances",
         {OPT_OPSPEC, {0, "skip-respawn", 0, "lower the required count instead of respawning"}}},
        {"tasks",
         "create",
         "<spec-file>",
         1,
         1,
         1,
         cmd_tasks_create,
         "Run a task from a JSON spec",
         {{'t', "timeout", 1, "operation timeout (default 5m)"}}},
        {"tasks",
         "list",
         NULL,
         0,
         0,
         1,
         cmd_tasks_list,
         "List active tasks",
         {OPT_SORT, {'a', "app", 1, "only this source app"}}},
        {"tasks", "show", "<source-app> <task-id>", 2, 2, 1, cmd_tasks_show, "Show a task", {{0}}},
        {"tasks",
         "kill",
         "<source-app> <task-id>",
         2,
         2,
         1,
         cmd_tasks_kill,
         "Kill a running task",
         {{'t', "timeout", 1, "operation timeout (default 5m)"}}},
        {"tasks",
         "delete",
         "<source-app> <task-id>",
         2,
         2,
         1,
         cmd_tasks_delete,
         "Delete a finished task's record",
         {{0}}},
        {"tasks",
         "logs",
         "<source-app> <task-id>",
         2,
         2,
         1,
         cmd_tasks_logs,
         "List a task's log files",
         {{0}}},
        {"tasks",
         "tail",
         "<source-app> <task-id>",
         2,
         2,
         1,
         cmd_tasks_tail,
         "Follow a task's log",
         {OPT_TAIL}},
        {"tasks",
         "download",
         "<source-app> <task-id>",
         2,
         2,
         1,
         cmd_tasks_download,
         "Download a task's log file",
         {OPT_DL}},
        {"localservices", "list", NULL, 0, 0, 1, cmd_ls_list, "List local services", {OPT_SORT}},
        {"localservices",
         "summary",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_summary,
         "Show a local service's summary",
         {{0}}},
        {"localservices",
         "spec",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_spec,
         "Print a local service's spec",
         {{0}}},
        {"localservices",
         "create",
         "<spec-file>",
         1,
         1,
         1,
         cmd_ls_create,
         "Create a local service from a JSON spec",
         {{'i', "instances", 1, "instances per executor (default 1)"}}},
        {"localservices",
         "destroy",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_destroy,
         "Destroy an inactive local service",
         {{0}}},
        {"localservices",
         "activate",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_activate,
         "Activate (run on every executor)",
         {{0}}},
        {"localservices",
         "deploy-test",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_deploy_test,
         "Run one test instance",
         {{0}}},
        {"localservices",
         "deactivate",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_deactivate,
         "Deactivate (stop every instance)",
         {{0}}},
        {"localservices",
         "scale",
         "<service-id> <instances-per-host>",
         2,
         2,
         1,
         cmd_ls_scale,
         "Change the instances per executor",
         {{0}}},
        {"localservices",
         "update-instances",
         "<service-id> <instances-per-host>",
         2,
         2,
         1,
         cmd_ls_scale,
         "Same as scale",
         {{0}}},
        {"localservices",
         "restart",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_restart,
         "Replace every instance",
         {OPT_OPSPEC, {0, "stop-first", 0, "stop before starting the replacement"}}},
        {"localservices",
         "cancelop",
         "<service-id>",
         1,
         1,
         1,
         cmd_ls_cancel,
         "Cancel the running operation",
         {{0}}},
        {"lsinstances",
         "list",
         "<service-id>",
         1,
         1,
         1,
         cmd_si_list,
         "List a local service's instances",
         {OPT_SORT, {'o', "old", 0, "list stopped/failed instances instead"}}},
        {"lsinstances",
         "info",
         "<service-id> <instance-id>",
         2,
         2,
         1,
         cmd_si_info,
         "Show an instance",
         {{0}}},
        {"lsinstances",
         "logs",
         "<service-id> <instance-id>",
         2,
         2,
         1,
         cmd_si_logs,
         "List an instance's log files",
         {{0}}},
        {"lsinstances",
         "tail",
         "<service-id> <instance-id>",
         2,
         2,
         1,
         cmd_si_tail,
         "Follow an instance's log",
         {OPT_TAIL}},
        {"lsinstances",
         "download",
         "<service-id> <instance-id>",
         2,
         2,
         1,
         cmd_si_download,
         "Download a log file",
         {OPT_DL}},
        {"lsinstances",
         "replace",
         "<service-id> <instance-id>...",
         2,
         -1,
         1,
         cmd_si_replace,
         "Replace instances",
         {OPT_OPSPEC}},
        {"lsinstances",
         "kill",
         "<service-id> <instance-id>...",
         2,
         -1,
         1,
         cmd_si_kill,
         "Stop instances",
         {OPT_OPSPEC}},
        {"config",
         "init",
         NULL,
         0,
         0,
         0,
         cmd_config_init,
         "Create ~/.drove with one cluster",
         {OPT_CONN, {'n', "name", 1, "cluster name (default: the DEFAULT section)"}}},
        {"config",
         "add-cluster",
         "<name>",
         1,
         1,
         0,
         cmd_config_add,
         "Add a cluster to ~/.drove",
         {OPT_CONN}},
        {"config",
         "delete-cluster",
         "<name>",
         1,
         1,
         0,
         cmd_config_delete,
         "Remove a cluster from ~/.drove",
         {{0}}},
        {"config",
         "get-clusters",
         NULL,
         0,
         0,
         0,
         cmd_config_get_clusters,
         "List the clusters of ~/.drove",
         {{0}}},
        {"config",
         "use-cluster",
         "<name>",
         1,
         1,
         0,
         cmd_config_use,
         "Make a cluster the current one",
         {{0}}},
        {"config",
         "current-cluster",
         NULL,
         0,
         0,
         0,
         cmd_config_current,
         "Print the current cluster",
         {{0}}},
        {NULL,
         "describe",
         "<kind> [<id>...]",
         1,
         3,
         1,
         cmd_describe,
         "Describe cluster | executor <id> | app <id> | instance <app> <id> | task <app> <id> | "
         "localservice <id> | lsinstance <svc> <id>",
         {{0}}},
        {NULL,
         "plan",
         "<spec-file>",
         1,
         1,
         1,
         cli_cmd_plan,
         "Show where instances of a spec would land (executor, NUMA node, cores) without deploying",
         {{'n', "count", 1, "instances to place (default 1)"},
          {0, "strategy", 1, "random-first-fit (default), best-fit or spread"},
          {0, "seed", 1, "random seed for a reproducible plan"}}},
        {NULL, NULL, NULL, 0, 0, 0, NULL, NULL, {{0}}},
};
