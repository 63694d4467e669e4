/* The drove CLI: the describe command and the config group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

/* ---- describe ---- */

int cmd_describe(struct cli *cli, const struct cli_args *a)
{
	const char *what = a->pos[0];
	char *d = NULL;
	int rc;
	if (cli_flag(cli, a, "json")) /* drove-cli's describe -j */
		cli->json = 1;
	if (strcmp(what, "cluster") == 0) {
		if (a->npos != 1)
			return cli_usage_error(cli, "describe cluster takes no id");
		if ((rc = show(cli, drove_client_cluster_get_json(cli->client, &d), &d,
		               render_dict)) ||
		    cli->json)
			return rc;
		printf("\nExecutors\n");
		d = NULL;
		g_sort = -1;
		return show(cli, drove_client_executor_list_json(cli->client, &d), &d,
		            render_executors);
	}
	if (strcmp(what, "app") == 0 || strcmp(what, "localservice") == 0) {
		int ls = what[0] == 'l';
		if (a->npos != 2)
			return cli_usage_error(cli, "describe %s needs an id", what);
		rc = ls ? drove_client_local_service_get_json(cli->client, a->pos[1], &d)
		        : drove_client_app_get_json(cli->client, a->pos[1], &d);
		if ((rc = show(cli, rc, &d, render_dict)) || cli->json)
			return rc;
		printf("\nInstances\n");
		d = NULL;
		g_sort = -1;
		rc = ls ? drove_client_local_service_instance_list_json(cli->client, a->pos[1],
		                                                        NULL, &d)
		        : drove_client_app_instance_list_json(cli->client, a->pos[1], NULL, &d);
		return show(cli, rc, &d, ls ? render_ls_instances : render_app_instances);
	}
	if (strcmp(what, "executor") == 0) {
		if (a->npos != 2)
			return cli_usage_error(cli, "describe executor needs an id");
		g_sort = -1;
		return show(cli, drove_client_executor_get_json(cli->client, a->pos[1], &d), &d,
		            render_executor_full);
	}
	if (strcmp(what, "instance") == 0 || strcmp(what, "lsinstance") == 0 ||
	    strcmp(what, "task") == 0) {
		if (a->npos != 3)
			return cli_usage_error(cli, "describe %s needs two ids", what);
		if (what[0] == 't')
			return show(
			        cli,
			        drove_client_task_get_json(cli->client, a->pos[1], a->pos[2], &d),
			        &d, render_task);
		rc = what[0] == 'l' ? drove_client_local_service_instance_get_json(
		                              cli->client, a->pos[1], a->pos[2], &d)
		                    : drove_client_app_instance_get_json(cli->client, a->pos[1],
		                                                         a->pos[2], &d);
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

int cmd_config_init(struct cli *cli, const struct cli_args *a)
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

int cmd_config_add(struct cli *cli, const struct cli_args *a)
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

int cmd_config_delete(struct cli *cli, const struct cli_args *a)
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

int cmd_config_get_clusters(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb)), *cur;
	drove_client_config *cfg = config_read(cli, path, 0);
	size_t n, shown = 0;
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
	/* drove-cli's layout: fixed columns under a rule */
	for (size_t i = 0; i <= n; i++) {
		const char *s = i == 0 ? "DEFAULT" : drove_client_config_section(cfg, i - 1);
		const char *ep = drove_client_config_get(cfg, s, "endpoint");
		int auth;
		if (!ep)
			continue;
		if (!shown++) {
			printf("%-10s %-20s %-50s %-6s %-8s\n", "CURRENT", "NAME", "ENDPOINT",
			       "AUTH", "INSECURE");
			for (int k = 0; k < 95; k++)
				putchar('-');
			putchar('\n');
		}
		auth = drove_client_config_get(cfg, s, "username") ||
		       drove_client_config_get(cfg, s, "auth_header");
		printf("%-10s %-20s %-50s %-6s %-8s\n", cur && strcmp(cur, s) == 0 ? "*" : "", s,
		       ep, auth ? "yes" : "no",
		       cli_bool(drove_client_config_get(cfg, s, "insecure")) ? "yes" : "no");
	}
	if (!shown)
		printf("No clusters configured. Run 'drove config init' to set up.\n");
	else if (cur)
		printf("\nCurrent cluster: %s\n", cur);
	drove_client_config_free(cfg);
	return CLI_OK;
}

int cmd_config_use(struct cli *cli, const struct cli_args *a)
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

int cmd_config_current(struct cli *cli, const struct cli_args *a)
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

/* A secret as drove-cli shows it: its first and last 4 characters, or stars. */
static void print_masked(const char *key, const char *value)
{
	size_t n = strlen(value);
	if ((strcmp(key, "password") == 0 || strcmp(key, "auth_header") == 0) && n) {
		if (n > 8)
			printf("  %s = %.4s****%s\n", key, value, value + n - 4);
		else
			printf("  %s = ****\n", key);
	} else {
		printf("  %s = %s\n", key, value);
	}
}

int cmd_config_view(struct cli *cli, const struct cli_args *a)
{
	char pb[4096];
	const char *path = cli_config_path(cli, pb, sizeof(pb)), *cur;
	drove_client_config *cfg;
	char *text, *line, *save = NULL;
	char section[256] = "";
	if (access(path, F_OK) != 0) {
		printf("Config file not found: %s\nRun 'drove config init' to create one.\n", path);
		return CLI_OK;
	}
	if (cli_flag(cli, a, "raw")) {
		if (!(text = cli_read_file(path)))
			return CLI_ERR;
		fputs(text, stdout);
		free(text);
		return CLI_OK;
	}
	if (!(cfg = config_read(cli, path, 0)))
		return CLI_ERR;
	cur = drove_client_config_get(cfg, "DEFAULT", "current_cluster");
	printf("Config file: %s\nCurrent cluster: %s\n\n", path, cur && *cur ? cur : "(not set)");
	/* walk the file as the library writes it back: "[name]" and "key = value" lines */
	if (drove_client_config_to_string(cfg, &text) < 0) {
		drove_client_config_free(cfg);
		return cli_fail(NULL);
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq;
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			if (section[0])
				printf("\n");
			snprintf(section, sizeof(section), "%.*s",
			         end ? (int)(end - line - 1) : (int)strlen(line + 1), line + 1);
			if (!drove_client_config_get(cfg, section, "endpoint")) {
				section[0] = '\0'; /* a section without a cluster: not shown */
				continue;
			}
			printf("[%s]%s\n", section,
			       cur && strcmp(cur, section) == 0 ? " (current)" : "");
			continue;
		}
		if (!section[0] || !(eq = strstr(line, " = ")))
			continue;
		*eq = '\0';
		print_masked(line, eq + 3);
	}
	if (section[0])
		printf("\n");
	free(text);
	drove_client_config_free(cfg);
	return CLI_OK;
}
