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

int cmd_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	(void)a;
	return show(cli, drove_client_cluster_summary(cli->client, &d), &d, render_dict);
}

static void render_leader(json_object *o)
{
	printf("%s\n", S(o, "leader"));
}

int cmd_leader(struct cli *cli, const struct cli_args *a)
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

int cmd_events(struct cli *cli, const struct cli_args *a)
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

int cmd_executor_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_executors_list(cli->client, &d), &d, render_executors);
}

void render_executors(json_object *o)
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

void render_executor(json_object *o)
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

int cmd_executor_info(struct cli *cli, const struct cli_args *a)
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

int blacklist(struct cli *cli, const struct cli_args *a, int on)
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

int cmd_blacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 1);
}

int cmd_unblacklist(struct cli *cli, const struct cli_args *a)
{
	return blacklist(cli, a, 0);
}
