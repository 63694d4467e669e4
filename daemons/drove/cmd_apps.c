/* The drove CLI: commands of the apps group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

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

int cmd_apps_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 9)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_app_list_json(cli->client, &d), &d, render_apps);
}

int cmd_apps_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_app_get_json(cli->client, a->pos[0], &d), &d, render_dict);
}

int cmd_apps_spec(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_app_spec_get_json(cli->client, a->pos[0], &d), &d,
	            render_pretty);
}

/* Read a spec file and check it is a JSON object; prints the error. */
char *read_spec(const char *path)
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

int opspec_args(struct cli *cli, const struct cli_args *a, const char **timeout, int *par)
{
	long long p = 1;
	if (cli_opt(cli, a, "parallelism") &&
	    cli_int("--parallelism", cli_opt(cli, a, "parallelism"), 1, 512, &p) < 0)
		return -1;
	*par = (int)p;
	*timeout = cli_opt(cli, a, "timeout") ? cli_opt(cli, a, "timeout") : "5m";
	return 0;
}

int cmd_apps_create(struct cli *cli, const struct cli_args *a)
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

int cmd_apps_destroy(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_app_destroy(cli->client, a->pos[0]), "Application destroyed");
}

/* Healthy instance ids of an app or local service; NULL on error (printed). */
json_object *healthy_ids(struct cli *cli, const char *id, int ls)
{
	char *d = NULL;
	json_object *list, *ids;
	int rc = ls ? drove_client_local_service_instance_list_json(cli->client, id, NULL, &d)
	            : drove_client_app_instance_list_json(cli->client, id, NULL, &d);
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
int wait_instances(struct cli *cli, const struct cli_args *a, const char *id, int ls,
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

int cmd_apps_deploy(struct cli *cli, const struct cli_args *a)
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
	rc = drove_client_app_instance_start(cli->client, a->pos[0], n, timeout, par);
	if (rc < 0)
		return cli_fail(NULL);
	if (!wait)
		return done(cli, 0,
		            "Application deployment command accepted. Please use the appinstances "
		            "command to check the status of the deployment");
	printf("Waiting till required scale is reached\n");
	if ((rc = wait_instances(cli, a, a->pos[0], 0, existing + n, NULL)) != CLI_OK)
		return rc;
	printf("Required number of instances reached\n");
	return CLI_OK;
}

int cmd_apps_scale(struct cli *cli, const struct cli_args *a)
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
	if ((rc = wait_instances(cli, a, a->pos[0], 0, n, NULL)) != CLI_OK)
		return rc;
	printf("Required number of instances reached\n");
	return CLI_OK;
}

int cmd_apps_suspend(struct cli *cli, const struct cli_args *a)
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
	if ((rc = wait_instances(cli, a, a->pos[0], 0, 0, NULL)) != CLI_OK)
		return rc;
	printf("All instances suspended\n");
	return CLI_OK;
}

int cmd_apps_restart(struct cli *cli, const struct cli_args *a)
{
	const char *timeout;
	json_object *old = NULL;
	int par, rc;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (cli_flag(cli, a, "wait") && !(old = healthy_ids(cli, a->pos[0], 0)))
		return CLI_ERR;
	rc = drove_client_app_restart(cli->client, a->pos[0], cli_flag(cli, a, "stop"), timeout,
	                              par);
	if (rc < 0) {
		json_object_put(old);
		return cli_fail(NULL);
	}
	if (!old)
		return done(cli, 0, "Application restart command accepted.");
	rc = wait_instances(cli, a, a->pos[0], 0, (long long)json_object_array_length(old), old);
	json_object_put(old);
	if (rc == CLI_OK)
		printf("All instances replaced\n");
	return rc;
}

int cmd_apps_cancel(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_app_cancel(cli->client, a->pos[0]),
	            "Operation cancellation request registered");
}
