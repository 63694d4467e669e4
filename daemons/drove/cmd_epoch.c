/* The drove CLI: `drove epoch topology|runs VERB ...` against a drove-epoch server (Epoch's
 * REST API, docs/epoch.md), with the same connection options as the other commands: point
 * -e/--endpoint (or a ~/.drove cluster) at the Epoch server. The verbs and output follow
 * Epoch's own CLI. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/ids.h>

#include "cmds.h"

#define TOPO "/apis/v1/topologies"

static void render_topologies(json_object *o)
{
	static const char *h[] = {"Id", "State", "Trigger", "Created", "Updated"};
	struct cli_table *t = cli_table_new(5, h);
	for (size_t i = 0;
	     json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *d = json_object_array_get_idx(o, i), *topo, *tr;
		char trig[160] = "";
		if (json_object_object_get_ex(d, "topology", &topo) &&
		    json_object_object_get_ex(topo, "trigger", &tr))
			snprintf(trig, sizeof(trig), "%s %s", S(tr, "type"),
			         !strcmp(S(tr, "type"), "CRON") ? S(tr, "timeSpec")
			                                        : S(tr, "time"));
		const char *row[] = {S(d, "id"), S(d, "state"), trig, date_of(d, "created"),
		                     date_of(d, "updated")};
		cli_table_add(t, row);
	}
	cli_table_print(t, g_sort, g_reverse);
}

static void render_runs(json_object *o)
{
	static const char *h[] = {"Run ID", "State", "Type", "Created", "Updated", "Message"};
	struct cli_table *t = cli_table_new(6, h);
	for (size_t i = 0;
	     json_object_is_type(o, json_type_array) && i < json_object_array_length(o); i++) {
		json_object *r = json_object_array_get_idx(o, i);
		const char *row[] = {S(r, "runId"),         S(r, "state"),         S(r, "runType"),
		                     date_of(r, "created"), date_of(r, "updated"), S(r, "message")};
		cli_table_add(t, row);
	}
	cli_table_print(t, g_sort, g_reverse);
}

static int check_ids(struct cli *cli, const struct cli_args *a, int from, int n)
{
	for (int i = from; i < from + n; i++)
		if (i >= a->npos || !drove_id_is_valid_name(a->pos[i]))
			return cli_usage_error(cli, "'%s' is not a valid id",
			                       i < a->npos ? a->pos[i] : "");
	return 0;
}

/* PUT/POST/DELETE `path` and print `msg` (or the data with --json). */
static int call_done(struct cli *cli, const char *method, const char *path, const char *body,
                     const char *msg)
{
	char *d = NULL;
	int rc = drove_client_call(cli->client, method, path, NULL, body, &d);
	if (rc == 0 && cli->json) {
		json_object *o = cli_parse(d);
		cli_print_json(o);
		json_object_put(o);
		free(d);
		return CLI_OK;
	}
	free(d);
	return done(cli, rc, msg);
}

int cmd_epoch_topology(struct cli *cli, const struct cli_args *a)
{
	const char *verb = a->pos[0];
	char path[512], msg[400];
	char *d = NULL;

	if ((g_sort = sort_col(cli, a, 6)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	if (!strcmp(verb, "list") && a->npos == 1)
		return show(cli, drove_client_call(cli->client, "GET", TOPO, NULL, NULL, &d), &d,
		            render_topologies);
	if ((!strcmp(verb, "create") || !strcmp(verb, "update")) && a->npos == 2) {
		char *spec = read_spec(a->pos[1]);
		int create = !strcmp(verb, "create"), rc;
		if (!spec)
			return CLI_ERR;
		rc = drove_client_call(cli->client, create ? "POST" : "PUT", TOPO, NULL, spec, &d);
		free(spec);
		json_object *o = rc == 0 ? cli_parse(d) : NULL;
		snprintf(msg, sizeof(msg), "Topology %s %s", o ? S(o, "id") : "",
		         create ? "created" : "updated");
		json_object_put(o);
		free(d);
		return done(cli, rc, msg);
	}
	if (a->npos != 2)
		return cli_usage_error(cli,
		                       "usage: epoch topology list | get ID | create FILE | "
		                       "update FILE | run ID | pause ID | unpause ID | delete ID");
	if (check_ids(cli, a, 1, 1))
		return CLI_USAGE;
	const char *id = a->pos[1];
	if (!strcmp(verb, "get")) {
		snprintf(path, sizeof(path), TOPO "/%s", id);
		return show(cli, drove_client_call(cli->client, "GET", path, NULL, NULL, &d), &d,
		            render_dict);
	}
	if (!strcmp(verb, "run")) {
		snprintf(path, sizeof(path), TOPO "/%s/run", id);
		int rc = drove_client_call(cli->client, "PUT", path, NULL, NULL, &d);
		json_object *o = rc == 0 ? cli_parse(d) : NULL;
		free(d);
		if (rc == 0 && cli->json)
			print_id_json("runId", S(o, "runId"));
		else if (rc == 0)
			printf("Topology %s run %s started\n", id, S(o, "runId"));
		json_object_put(o);
		return rc < 0 ? cli_fail(NULL) : CLI_OK;
	}
	if (!strcmp(verb, "pause") || !strcmp(verb, "unpause")) {
		snprintf(path, sizeof(path), TOPO "/%s/%s", id, verb);
		snprintf(msg, sizeof(msg), "Topology %s %sd", id, verb);
		return call_done(cli, "PUT", path, NULL, msg);
	}
	if (!strcmp(verb, "delete")) {
		snprintf(path, sizeof(path), TOPO "/%s", id);
		snprintf(msg, sizeof(msg), "Topology %s deleted", id);
		return call_done(cli, "DELETE", path, NULL, msg);
	}
	return cli_usage_error(cli, "unknown verb '%s'", verb);
}

int cmd_epoch_runs(struct cli *cli, const struct cli_args *a)
{
	const char *verb = a->pos[0], *state = cli_opt(cli, a, "state");
	char path[768], query[128];
	char *d = NULL;

	if ((g_sort = sort_col(cli, a, 6)) < -1)
		return CLI_USAGE;
	g_reverse = cli_flag(cli, a, "reverse");
	if (!strcmp(verb, "list") && a->npos == 2) {
		if (check_ids(cli, a, 1, 1))
			return CLI_USAGE;
		if (state && !drove_id_is_valid_name(state))
			return cli_usage_error(cli, "--state: '%s' is not a run state", state);
		snprintf(path, sizeof(path), TOPO "/%s/runs", a->pos[1]);
		snprintf(query, sizeof(query), "state=%s", state ? state : "");
		return show(
		        cli,
		        drove_client_call(cli->client, "GET", path, state ? query : NULL, NULL, &d),
		        &d, render_runs);
	}
	if (!strcmp(verb, "get") && a->npos == 3) {
		if (check_ids(cli, a, 1, 2))
			return CLI_USAGE;
		snprintf(path, sizeof(path), TOPO "/%s/runs/%s", a->pos[1], a->pos[2]);
		return show(cli, drove_client_call(cli->client, "GET", path, NULL, NULL, &d), &d,
		            render_dict);
	}
	if ((!strcmp(verb, "kill") || !strcmp(verb, "log")) && a->npos == 4) {
		int kill = !strcmp(verb, "kill");
		if (check_ids(cli, a, 1, 3))
			return CLI_USAGE;
		snprintf(path, sizeof(path), TOPO "/%s/runs/%s/tasks/%s/%s", a->pos[1], a->pos[2],
		         a->pos[3], kill ? "kill" : "log");
		int rc =
		        drove_client_call(cli->client, kill ? "POST" : "GET", path, NULL, NULL, &d);
		json_object *o = rc == 0 ? cli_parse(d) : NULL;
		free(d);
		if (rc == 0 && cli->json)
			cli_print_json(o);
		else if (rc == 0 && kill)
			printf("%s\n", S(o, "message"));
		else if (rc == 0)
			printf("%s\n", json_object_get_string(o));
		int ok = rc == 0 &&
		         (!kill || json_object_get_boolean(json_object_object_get(o, "success")));
		json_object_put(o);
		if (rc < 0)
			return cli_fail(NULL);
		return ok ? CLI_OK : CLI_ERR;
	}
	return cli_usage_error(cli, "usage: epoch runs list ID [--state S] | get ID RUN | "
	                            "kill ID RUN TASK | log ID RUN TASK");
}
