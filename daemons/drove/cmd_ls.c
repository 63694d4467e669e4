/* The drove CLI: commands of the localservices group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"

/* ---- local services ---- */

static void render_ls(json_object *o)
{
	static const char *h[] = {"Id",
	                          "Name",
	                          "State",
	                          "Activation State",
	                          "Total CPU",
	                          "Total Memory(MB)",
	                          "Instances Per Host",
	                          "Healthy Instances",
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
			                     S(s, "totalCPUs"),
			                     S(s, "totalMemory"),
			                     S(s, "instancesPerHost"),
			                     S(s, "healthyInstances"),
			                     date_of(s, "created"),
			                     date_of(s, "updated")};
			cli_table_add(t, row);
		}
	}
	cli_table_print(t, g_sort, g_reverse);
}

int cmd_ls_list(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	if ((g_sort = sort_col(cli, a, 10)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	return show(cli, drove_client_local_service_list_json(cli->client, &d), &d, render_ls);
}

int cmd_ls_summary(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_local_service_get_json(cli->client, a->pos[0], &d), &d,
	            render_dict);
}

int cmd_ls_spec(struct cli *cli, const struct cli_args *a)
{
	char *d = NULL;
	return show(cli, drove_client_local_service_spec_get_json(cli->client, a->pos[0], &d), &d,
	            render_pretty);
}

int cmd_ls_create(struct cli *cli, const struct cli_args *a)
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
	rc = drove_client_local_service_create(cli->client, spec, (int)n, &id);
	free(spec);
	if (rc < 0)
		return cli_fail(NULL);
	if (cli->json)
		print_id_json("serviceId", id);
	else
		printf("Local service created with service id: %s\n", id);
	free(id);
	return CLI_OK;
}

int cmd_ls_destroy(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_local_service_op(cli->client, DROVE_CLIENT_LOCAL_SERVICE_DESTROY,
	                                          a->pos[0]),
	            "Local service destroyed");
}

int cmd_ls_activate(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_local_service_op(cli->client, DROVE_CLIENT_LOCAL_SERVICE_ACTIVATE,
	                                          a->pos[0]),
	            "Local service activated");
}

int cmd_ls_deploy_test(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_local_service_op(cli->client,
	                                          DROVE_CLIENT_LOCAL_SERVICE_DEPLOY_TEST_INSTANCE,
	                                          a->pos[0]),
	            "Local service test instance deployment accepted");
}

int cmd_ls_deactivate(struct cli *cli, const struct cli_args *a)
{
	return done(cli,
	            drove_client_local_service_op(cli->client,
	                                          DROVE_CLIENT_LOCAL_SERVICE_DEACTIVATE, a->pos[0]),
	            "Local service deactivated");
}

int cmd_ls_scale(struct cli *cli, const struct cli_args *a)
{
	long long n;
	if (cli_int("instances per host", a->pos[1], 1, 256, &n) < 0)
		return CLI_USAGE;
	return done(cli,
	            drove_client_local_service_update_instances(cli->client, a->pos[0], (int)n),
	            "Local service instance count updated");
}

int cmd_ls_restart(struct cli *cli, const struct cli_args *a)
{
	const char *timeout;
	json_object *old = NULL;
	int par, rc;
	if (opspec_args(cli, a, &timeout, &par) < 0)
		return CLI_USAGE;
	if (cli_flag(cli, a, "wait") && !(old = healthy_ids(cli, a->pos[0], 1)))
		return CLI_ERR;
	rc = drove_client_local_service_restart(cli->client, a->pos[0], cli_flag(cli, a, "stop"),
	                                        timeout, par);
	if (rc < 0 || !old) {
		json_object_put(old);
		return done(cli, rc, "Local service restart command accepted.");
	}
	rc = wait_instances(cli, a, a->pos[0], 1, (long long)json_object_array_length(old), old);
	json_object_put(old);
	if (rc == CLI_OK)
		printf("All instances replaced\n");
	return rc;
}

int cmd_ls_cancel(struct cli *cli, const struct cli_args *a)
{
	return done(cli, drove_client_local_service_cancel(cli->client, a->pos[0]),
	            "Operation cancellation request registered");
}
