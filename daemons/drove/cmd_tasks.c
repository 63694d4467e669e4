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
	static const char *h[] = {"Id",  "Source App", "Task ID", "State",  "Host",
	                          "CPU", "Memory(MB)", "Created", "Updated"};
	struct cli_table *t = cli_table_new(9, h);
	for (size_t i = 0;
	     json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *tk = json_object_array_get_idx(o, i);
		char cpu[32], mem[32];
		if (g_task_app && strcmp(S(tk, "sourceAppName"), g_task_app) != 0)
			continue;
		cores_memory(tk, cpu, mem, sizeof(cpu), 0);
		{
			const char *row[] = {S(tk, "instanceId"),
			                     S(tk, "sourceAppName"),
			                     S(tk, "taskId"),
			                     S(tk, "state"),
			                     S(tk, "hostname"),
			                     cpu,
			                     mem,
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
	if ((g_sort = sort_col(cli, a, 9)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	g_task_app = cli_opt(cli, a, "app");
	return show(cli, drove_client_task_list_json(cli->client, &d), &d, render_tasks);
}

void render_task(json_object *t)
{
	char cpu[512], mem[512], buf[2048];
	json_object *res, *v, *vols;
	size_t off = 0;
	printf("%-30s%s\n", "Source App", S(t, "sourceAppName"));
	printf("%-30s%s\n", "Task ID", S(t, "taskId"));
	printf("%-30s%s\n", "Instance ID", S(t, "instanceId"));
	printf("%-30s%s\n", "State", S(t, "state"));
	printf("%-30s%s\n", "Executor Host", S(t, "hostname"));
	printf("%-30s%s\n", "Executor ID", S(t, "executorId"));
	printf("%-30s%s\n", "CPU", numa_resources(t, "cores", 1, cpu, sizeof(cpu)));
	printf("%-30s%s\n", "Memory (MB)", numa_resources(t, "memoryInMB", 0, mem, sizeof(mem)));
	if (json_object_object_get_ex(t, "executable", &v))
		printf("%-30s%s (%s)\n", "Executable", S(v, "url"), S(v, "type"));
	else
		printf("%-30s\n", "Executable");
	buf[0] = '\0';
	if (json_object_object_get_ex(t, "volumes", &vols) &&
	    json_object_is_type(vols, json_type_array))
		for (size_t i = 0; i < json_object_array_length(vols); i++) {
			json_object *vo = json_object_array_get_idx(vols, i);
			off += (size_t)snprintf(
			        buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
			        "%s%s (Mounted as %s in %s mode)", i ? ", " : "",
			        S(vo, "pathOnHost"), S(vo, "pathInContainer"), S(vo, "mode"));
		}
	printf("%-30s%s\n", "Volumes", buf);
	printf("%-30s%s\n", "Logging Mode",
	       json_object_object_get_ex(t, "logging", &v) ? S(v, "type") : "");
	if (json_object_object_get_ex(t, "taskResult", &res) && json_object_object_length(res) > 0)
		printf("%-30s%s (Task exit code: %s)\n", "Result", S(res, "status"),
		       S(res, "exitCode"));
	else
		printf("%-30s\n", "Result");
	printf("%-30s%s\n", "Error Message", S(t, "errorMessage"));
	printf("%-30s%s\n", "Created", date_of(t, "created"));
	printf("%-30s%s\n", "Last Updated", date_of(t, "updated"));
}

int cmd_tasks_show(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_task_get_json(cli->client, a->pos[0], a->pos[1], &d), &d,
	            render_task);
}

int cmd_tasks_create(struct cli *cli, const struct cli_args *a)
{
	char *spec = read_spec(a->pos[0]), *id = NULL;
	json_object *so;
	int rc;
	if (!spec)
		return CLI_ERR;
	rc = drove_client_task_create(cli->client, spec, cli_opt(cli, a, "timeout"), &id);
	so = cli_parse(spec);
	free(spec);
	if (rc < 0) {
		json_object_put(so);
		return cli_fail(NULL);
	}
	if (cli->json)
		print_id_json("taskId", id);
	else
		printf("Task created. Source App Name: %s Task ID: %s. Drove assigned task ID: "
		       "%s\n",
		       S(so, "sourceAppName"), S(so, "taskId"), id);
	json_object_put(so);
	free(id);
	return CLI_OK;
}

int cmd_tasks_kill(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_task_kill(cli->client, a->pos[0], a->pos[1],
	                                   cli_opt(cli, a, "timeout")),
	            "Task kill issued");
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
