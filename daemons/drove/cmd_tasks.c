/* The drove CLI: commands of the tasks group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

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

int cmd_tasks_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 8)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	g_task_app = cli_opt(cli, a, "app");
	return show(cli, drove_client_tasks_list(cli->client, &d), &d, render_tasks);
}

void render_task(json_object *t)
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

int cmd_tasks_show(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_task_get(cli->client, a->pos[0], a->pos[1], &d), &d,
	            render_task);
}

int cmd_tasks_create(struct cli *cli, const struct cli_args *a)
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

int cmd_tasks_kill(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_task_kill(cli->client, a->pos[0], a->pos[1],
	                                   cli_opt(cli, a, "timeout")),
	            "Task kill command accepted.");
}

int cmd_tasks_delete(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_task_delete(cli->client, a->pos[0], a->pos[1]),
	            "Task record deleted.");
}

int cmd_tasks_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "tasks");
}
int cmd_tasks_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "tasks");
}
int cmd_tasks_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "tasks");
}
