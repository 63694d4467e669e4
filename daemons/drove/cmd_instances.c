/* The drove CLI: commands of the appinstances and lsinstances groups, and the log commands they
 * share with tasks. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

/* ---- instances (apps and local services) ---- */

void render_instances_table(json_object *list, const char *id_key)
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

void render_app_instances(json_object *o)
{
	render_instances_table(o, "appId");
}

void render_ls_instances(json_object *o)
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

void render_instance(json_object *in)
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

int logs_list(struct cli *cli, const struct cli_args *a, const char *kind)
{
	char *d = NULL;
	return show(cli, drove_client_log_list(cli->client, kind, a->pos[0], a->pos[1], &d), &d,
	            render_files);
}

int logs_tail(struct cli *cli, const struct cli_args *a, const char *kind)
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

int logs_download(struct cli *cli, const struct cli_args *a, const char *kind)
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

int cmd_ai_list(struct cli *cli, const struct cli_args *a)
{
	return instances_list(cli, a, 0);
}
int cmd_ai_info(struct cli *cli, const struct cli_args *a)
{
	return instance_info(cli, a, 0);
}
int cmd_ai_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "applications");
}
int cmd_ai_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "applications");
}
int cmd_ai_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "applications");
}
int cmd_ai_replace(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 0, 0);
}
int cmd_ai_kill(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 0, 1);
}
int cmd_si_list(struct cli *cli, const struct cli_args *a)
{
	return instances_list(cli, a, 1);
}
int cmd_si_info(struct cli *cli, const struct cli_args *a)
{
	return instance_info(cli, a, 1);
}
int cmd_si_logs(struct cli *cli, const struct cli_args *a)
{
	return logs_list(cli, a, "localservices");
}
int cmd_si_tail(struct cli *cli, const struct cli_args *a)
{
	return logs_tail(cli, a, "localservices");
}
int cmd_si_download(struct cli *cli, const struct cli_args *a)
{
	return logs_download(cli, a, "localservices");
}
int cmd_si_replace(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 1, 0);
}
int cmd_si_kill(struct cli *cli, const struct cli_args *a)
{
	return instances_op(cli, a, 1, 1);
}
