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
	static const char *h[] = {"Instance ID",   "Executor Host", "Ports",       "State",
	                          "Error Message", "Created",       "Last Updated"};
	struct cli_table *t = cli_table_new(7, h);
	(void)id_key;
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		json_object *in = json_object_array_get_idx(list, i);
		char ports[256];
		{
			const char *row[] = {S(in, "instanceId"),
			                     host_of(in),
			                     ports_of(in, ports, sizeof(ports)),
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
	if ((g_sort = sort_col(cli, a, 7)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	if (ls)
		rc = old ? drove_client_local_service_instance_list_old_json(cli->client, a->pos[0],
		                                                             &d)
		         : drove_client_local_service_instance_list_json(cli->client, a->pos[0],
		                                                         NULL, &d);
	else
		rc = old ? drove_client_app_instance_list_old_json(cli->client, a->pos[0], &d)
		         : drove_client_app_instance_list_json(cli->client, a->pos[0], NULL, &d);
	return show(cli, rc, &d, ls ? render_ls_instances : render_app_instances);
}

void render_instance(json_object *in)
{
	char cpu[512], mem[512], ports[1024], meta[1024];
	json_object *li, *pm, *md, *v;
	size_t off = 0;
	printf("%-30s%s\n", "Instance ID", S(in, "instanceId"));
	if (json_object_object_get_ex(in, "appId", &v))
		printf("%-30s%s\n", "App ID", S(in, "appId"));
	else
		printf("%-30s%s\n", "Service ID", S(in, "serviceId"));
	printf("%-30s%s\n", "State", S(in, "state"));
	printf("%-30s%s\n", "Host", host_of(in));
	printf("%-30s%s\n", "Executor ID", S(in, "executorId"));
	printf("%-30s%s\n", "CPU", numa_resources(in, "cores", 1, cpu, sizeof(cpu)));
	printf("%-30s%s\n", "Memory (MB)", numa_resources(in, "memoryInMB", 0, mem, sizeof(mem)));
	ports[0] = '\0';
	if (json_object_object_get_ex(in, "localInfo", &li) &&
	    json_object_object_get_ex(li, "ports", &pm) &&
	    json_object_is_type(pm, json_type_object)) {
		json_object_object_foreach(pm, name, p)
		{
			off += (size_t)snprintf(ports + off,
			                        off < sizeof(ports) ? sizeof(ports) - off : 0,
			                        "%s%s: %lld->%lld (%s)", off ? ", " : "", name,
			                        (long long)i64(p, "containerPort"),
			                        (long long)i64(p, "hostPort"), S(p, "portType"));
		}
	}
	printf("%-30s%s\n", "Ports", ports);
	off = 0;
	meta[0] = '\0';
	if (json_object_object_get_ex(in, "metadata", &md) &&
	    json_object_is_type(md, json_type_object)) {
		json_object_object_foreach(md, k, mv)
		{
			off += (size_t)snprintf(meta + off,
			                        off < sizeof(meta) ? sizeof(meta) - off : 0,
			                        "%s%s: %s", off ? ", " : "", k,
			                        json_object_is_type(mv, json_type_string)
			                                ? json_object_get_string(mv)
			                                : json_object_to_json_string(mv));
		}
	}
	printf("%-30s%s\n", "Metadata", meta);
	printf("%-30s%s\n", "Error Message", S(in, "errorMessage"));
	printf("%-30s%s\n", "Created", date_of(in, "created"));
	printf("%-30s%s\n", "Last Updated", date_of(in, "updated"));
}

static int instance_info(struct cli *cli, const struct cli_args *a, int ls)
{
	char *d = NULL;
	int rc = ls ? drove_client_local_service_instance_get_json(cli->client, a->pos[0],
	                                                           a->pos[1], &d)
	            : drove_client_app_instance_get_json(cli->client, a->pos[0], a->pos[1], &d);
	return show(cli, rc, &d, render_instance);
}

/* drove-cli's print_dict of {"files": [...]}: the label, then the names as a Python list. */
static void render_files(json_object *o)
{
	json_object *f;
	printf("%-30s[", "files");
	if (json_object_object_get_ex(o, "files", &f) && json_object_is_type(f, json_type_array))
		for (size_t i = 0; i < json_object_array_length(f); i++)
			printf("%s'%s'", i ? ", " : "",
			       json_object_get_string(json_object_array_get_idx(f, i)));
	printf("]\n");
}

/* The log file of a tail or download: the positional <logfile>, else -l/--log. */
static const char *log_name(struct cli *cli, const struct cli_args *a)
{
	if (a->npos >= 3)
		return a->pos[2];
	return cli_opt(cli, a, "log") ? cli_opt(cli, a, "log") : "output.log";
}

/* Write `n` bytes of log text, leaving out the first `skip` characters of every line
 * (drove-cli's --skip-chars); `*col` carries the column across chunks. */
static void write_skipping(const char *d, size_t n, long long skip, long long *col)
{
	if (skip <= 0) {
		fwrite(d, 1, n, stdout);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (*col >= skip)
			putchar(d[i]);
		*col = d[i] == '\n' ? 0 : *col + 1;
	}
}

int logs_list(struct cli *cli, const struct cli_args *a, const char *kind)
{
	char *d = NULL;
	return show(cli, drove_client_log_list_json(cli->client, kind, a->pos[0], a->pos[1], &d),
	            &d, render_files);
}

int logs_tail(struct cli *cli, const struct cli_args *a, const char *kind)
{
	const char *file = log_name(cli, a);
	int64_t off = -1, until = 0;
	long long secs = 0, skip = 0, col = 0;
	if (cli_opt(cli, a, "for") &&
	    cli_int("--for", cli_opt(cli, a, "for"), 1, 86400 * 365, &secs) < 0)
		return CLI_USAGE;
	if (cli_opt(cli, a, "skip-chars") &&
	    cli_int("--skip-chars", cli_opt(cli, a, "skip-chars"), 0, 1 << 20, &skip) < 0)
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
			write_skipping(d, n, skip, &col);
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
	const char *file = log_name(cli, a);
	const char *out = cli_opt(cli, a, "out") ? cli_opt(cli, a, "out") : file;
	int64_t bytes = 0;
	int fd, rc;
	if (strchr(file, '/') && !cli_opt(cli, a, "out"))
		return cli_usage_error(cli, "log file '%s' has a '/': give -o/--out", file);
	if (strcmp(out, "-") != 0)
		fprintf(cli->json ? stderr : stdout, "Downloading log to: %s\n", out);
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
	if (fd != STDOUT_FILENO) {
		char num[32];
		fprintf(cli->json ? stderr : stdout, "Downloaded size: %s bytes\n",
		        cli_grouped(bytes, num, sizeof(num)));
	}
	return CLI_OK;
}

/* lsinstances replace: REPLACE_INSTANCES with stopFirst (the client call has no flag). */
static int ls_replace(struct cli *cli, const char *svc, const char *const *ids, size_t n,
                      int stop_first, const char *timeout, int par)
{
	json_object *op = json_object_new_object(), *arr = json_object_new_array(), *os;
	char *d = NULL;
	int rc;
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(ids[i]));
	json_object_object_add(op, "type", json_object_new_string("REPLACE_INSTANCES"));
	json_object_object_add(op, "serviceId", json_object_new_string(svc));
	json_object_object_add(op, "instanceIds", arr);
	json_object_object_add(op, "stopFirst", json_object_new_boolean(stop_first));
	os = json_object_new_object();
	json_object_object_add(os, "timeout", json_object_new_string(timeout));
	json_object_object_add(os, "parallelism", json_object_new_int(par));
	json_object_object_add(os, "failureStrategy", json_object_new_string("STOP"));
	json_object_object_add(op, "opSpec", os);
	rc = drove_client_local_service_operation_json(
	        cli->client, json_object_to_json_string_ext(op, JSON_C_TO_STRING_PLAIN), &d);
	free(d);
	json_object_put(op);
	return rc;
}

static int instances_op(struct cli *cli, const struct cli_args *a, int ls, int kill)
{
	const char *timeout;
	int par, rc, stop = cli_flag(cli, a, "stop");
	const char *const *ids = (const char *const *)a->pos + 1;
	size_t n = (size_t)a->npos - 1;
	json_object *old = NULL;
	long long want = 0;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (cli_flag(cli, a, "respawn") && cli_flag(cli, a, "skip-respawn"))
		return cli_usage_error(cli, "--respawn and --skip-respawn exclude each other");
	if (cli_flag(cli, a, "wait") && !kill) {
		/* a replace waits for as many healthy instances as now, none of them old */
		json_object *now = healthy_ids(cli, a->pos[0], ls);
		if (!now)
			return CLI_ERR;
		want = (long long)json_object_array_length(now);
		json_object_put(now);
	}
	if (ls && kill)
		rc = drove_client_local_service_instance_op(
		        cli->client, a->pos[0], ids, n, DROVE_CLIENT_INSTANCE_KILL, timeout, par);
	else if (ls)
		rc = ls_replace(cli, a->pos[0], ids, n, stop, timeout, par);
	else if (kill) /* drove-cli sends skipRespawn true: the count goes down */
		rc = drove_client_app_instance_kill(cli->client, a->pos[0], ids, n,
		                                    !cli_flag(cli, a, "respawn"), timeout, par);
	else
		rc = drove_client_app_instance_replace(cli->client, a->pos[0], ids, n, stop,
		                                       timeout, par);
	if (rc < 0 || !cli_flag(cli, a, "wait"))
		return done(cli, rc,
		            kill ? "Instance(s) kill command accepted."
		                 : "Instance(s) replace command accepted.");
	old = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(old, json_object_new_string(ids[i]));
	rc = wait_instances(cli, a, a->pos[0], ls, want, old);
	json_object_put(old);
	if (rc == CLI_OK)
		printf(kill ? "All instances stopped\n" : "All instances replaced\n");
	return rc;
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
