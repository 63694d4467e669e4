/* drove plan <spec> [--count N]: where instances would land, computed client-side with the
 * library's scheduler (include/drove/sched.h) over the live cluster view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/sched.h>
#include <drove/spec.h>
#include <drove/strlist.h>
#include "cli.h"

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string)
	               ? json_object_get_string(v)
	               : NULL;
}

/* PlacementPolicy JSON -> sched policy (NULL JSON: ANY). Prints the error. */
static int policy_of(json_object *p, drove_sched_policy **out, int depth)
{
	const char *type;
	json_object *v;
	int rc;

	if (!p)
		return drove_sched_policy_any(out) < 0 ? cli_fail("placementPolicy") : 0;
	type = jstr(p, "type");
	if (!type || depth > 16) {
		fprintf(stderr, "drove: placementPolicy: %s\n",
		        type ? "nested too deep" : "no type");
		return CLI_ERR;
	}
	if (!strcasecmp(type, "ANY"))
		rc = drove_sched_policy_any(out);
	else if (!strcasecmp(type, "ONE_PER_HOST"))
		rc = drove_sched_policy_one_per_host(out);
	else if (!strcasecmp(type, "MAX_N_PER_HOST"))
		rc = drove_sched_policy_max_per_host(
		        out, json_object_object_get_ex(p, "max", &v) ? json_object_get_int(v) : 0);
	else if (!strcasecmp(type, "MATCH_TAG"))
		rc = drove_sched_policy_match_tag(out, jstr(p, "tag") ? jstr(p, "tag") : "");
	else if (!strcasecmp(type, "NO_TAG"))
		rc = drove_sched_policy_no_tag(out);
	else if (!strcasecmp(type, "LOCAL"))
		rc = drove_sched_policy_local(out, json_object_object_get_ex(p, "hostLevel", &v) &&
		                                           json_object_get_boolean(v));
	else if (!strcasecmp(type, "RULE_BASED"))
		rc = drove_sched_policy_rule(out, jstr(p, "rule") ? jstr(p, "rule") : "",
		                             jstr(p, "ruleType") ? jstr(p, "ruleType") : "HOPE");
	else if (!strcasecmp(type, "COMPOSITE")) {
		const char *comb = jstr(p, "combiner");
		json_object *list;
		rc = drove_sched_policy_composite(
		        out, comb && !strcasecmp(comb, "OR") ? DROVE_SCHED_OR : DROVE_SCHED_AND);
		if (rc == 0 && json_object_object_get_ex(p, "policies", &list) &&
		    json_object_is_type(list, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(list); i++) {
				drove_sched_policy *child = NULL;
				int crc = policy_of(json_object_array_get_idx(list, i), &child,
				                    depth + 1);
				if (crc) {
					drove_sched_policy_free(*out);
					return crc;
				}
				if (drove_sched_policy_add(*out, child) < 0) {
					drove_sched_policy_free(child);
					drove_sched_policy_free(*out);
					return cli_fail("placementPolicy");
				}
			}
		}
	} else {
		fprintf(stderr, "drove: placementPolicy: unknown type '%s'\n", type);
		return CLI_ERR;
	}
	return rc < 0 ? cli_fail("placementPolicy") : 0;
}

static int executor_state(const char *s)
{
	if (!s || !strcmp(s, "ACTIVE"))
		return DROVE_EXECUTOR_ACTIVE;
	if (!strcmp(s, "BLACKLIST_REQUESTED"))
		return DROVE_EXECUTOR_BLACKLIST_REQUESTED;
	if (!strcmp(s, "BLACKLISTED"))
		return DROVE_EXECUTOR_BLACKLISTED;
	if (!strcmp(s, "UNREADY"))
		return DROVE_EXECUTOR_UNREADY;
	return DROVE_EXECUTOR_REMOVED;
}

/* Core id arrays of a node map {"0":[1,2]} -> calls `set` per node. */
static int set_cores(drove_sched_snapshot *snap, json_object *map,
                     int (*set)(drove_sched_snapshot *, int, const int *, size_t))
{
	if (!map || !json_object_is_type(map, json_type_object))
		return 0;
	json_object_object_foreach(map, k, arr)
	{
		size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
		                                                     : 0;
		int *ids = calloc(n ? n : 1, sizeof(int));
		int rc;
		if (!ids)
			return -1;
		for (size_t i = 0; i < n; i++)
			ids[i] = json_object_get_int(json_object_array_get_idx(arr, i));
		rc = set(snap, atoi(k), ids, n);
		free(ids);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static json_object *path(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;
	if (!o || !json_object_object_get_ex(o, a, &x))
		return NULL;
	if (!b)
		return x;
	return json_object_object_get_ex(x, b, &y) ? y : NULL;
}

/* One executor's ExecutorNodeData -> a snapshot in `sched`; counts its instances of `id`. */
static int add_executor(drove_sched *sched, drove_sched_session *sess, json_object *ex,
                        const char *id)
{
	json_object *st = path(ex, "state", NULL), *v;
	const char *eid = jstr(st, "executorId"), *host = jstr(ex, "hostname");
	drove_sched_snapshot *snap = NULL;
	int rc;

	if (!eid || !host)
		return 0; /* not a usable record */
	if (drove_sched_snapshot_new(
	            &snap, eid, host,
	            json_object_object_get_ex(ex, "port", &v) ? json_object_get_int(v) : 0) < 0)
		return -1;
	rc = drove_sched_snapshot_set_state(snap, executor_state(jstr(ex, "executorState")));
	if (rc == 0 && (v = path(ex, "tags", NULL)) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; rc == 0 && i < json_object_array_length(v); i++)
			rc = drove_sched_snapshot_add_tag(
			        snap, json_object_get_string(json_object_array_get_idx(v, i)));
	if (rc == 0 && (v = path(ex, "metadata", NULL)) &&
	    json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, k, mv)
		{
			if (rc == 0)
				rc = drove_sched_snapshot_set_metadata(snap, k,
				                                       json_object_get_string(mv));
		}
	}
	if (rc == 0)
		rc = set_cores(snap, path(st, "cpus", "freeCores"),
		               drove_sched_snapshot_set_free_cores);
	if (rc == 0)
		rc = set_cores(snap, path(st, "cpus", "usedCores"),
		               drove_sched_snapshot_set_used_cores);
	if (rc == 0) {
		json_object *fm = path(st, "memory", "freeMemory"),
		            *um = path(st, "memory", "usedMemory");
		if (fm && json_object_is_type(fm, json_type_object)) {
			json_object_object_foreach(fm, k, f)
			{
				json_object *u = NULL;
				if (um)
					json_object_object_get_ex(um, k, &u);
				if (rc == 0)
					rc = drove_sched_snapshot_set_memory(
					        snap, atoi(k), json_object_get_int64(f),
					        u ? json_object_get_int64(u) : 0);
			}
		}
	}
	if (rc == 0) {
		json_object *lc = path(st, "layout", "cores"), *lm = path(st, "layout", "memory");
		if (lc && json_object_is_type(lc, json_type_object)) {
			json_object_object_foreach(lc, k, arr)
			{
				size_t n = json_object_array_length(arr);
				int *ids = calloc(n ? n : 1, sizeof(int));
				json_object *mb = NULL;
				if (!ids) {
					rc = -1;
					break;
				}
				for (size_t i = 0; i < n; i++)
					ids[i] = json_object_get_int(
					        json_object_array_get_idx(arr, i));
				if (lm)
					json_object_object_get_ex(lm, k, &mb);
				if (rc == 0)
					rc = drove_sched_snapshot_set_layout(
					        snap, atoi(k), ids, n,
					        mb ? json_object_get_int64(mb) : 0);
				free(ids);
			}
		}
	}
	if (rc == 0)
		rc = drove_sched_executor_update(sched, snap);
	drove_sched_snapshot_free(snap);
	if (rc < 0)
		return rc;
	/* existing instances of the same deployable count for per-host policies */
	{
		static const char *lists[] = {"instances", "serviceInstances"};
		for (size_t l = 0; l < 2; l++) {
			json_object *arr = path(ex, lists[l], NULL);
			for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
				json_object *in = json_object_array_get_idx(arr, i);
				const char *owner = jstr(in, l ? "serviceId" : "appId");
				if (owner && !strcmp(owner, id) &&
				    drove_sched_session_seed(sess, eid) < 0)
					return -1;
			}
		}
	}
	return 0;
}

int cli_cmd_plan(struct cli *cli, const struct cli_args *a)
{
	char *text = cli_read_file(a->pos[0]), *d = NULL;
	drove_strlist *errs = NULL;
	drove_spec *spec = NULL;
	drove_sched *sched = NULL;
	drove_sched_session *sess = NULL;
	drove_sched_policy *policy = NULL;
	drove_sched_plan *plan = NULL;
	json_object *root = NULL, *execs = NULL, *out = NULL;
	long long count = 1, seed = 0;
	int rc = CLI_ERR, kind;
	const char *strategy = cli_opt(cli, a, "strategy");

	if (!text)
		return CLI_ERR;
	if ((cli_opt(cli, a, "count") &&
	     cli_int("--count", cli_opt(cli, a, "count"), 1, 4096, &count) < 0) ||
	    (cli_opt(cli, a, "seed") &&
	     cli_int("--seed", cli_opt(cli, a, "seed"), 0, INT64_MAX, &seed) < 0)) {
		free(text);
		return CLI_USAGE;
	}
	if (drove_spec_validate_json(cli->ctx, text, strlen(text), NULL, &errs) < 0) {
		fprintf(stderr, "drove: %s: invalid spec file:\n", a->pos[0]);
		for (size_t i = 0; errs && i < drove_strlist_count(errs); i++)
			fprintf(stderr, "  - %s\n", drove_strlist_get(errs, i));
		if (!errs)
			cli_fail(NULL);
		goto out;
	}
	if (drove_spec_from_json(&spec, cli->ctx, DROVE_KIND_UNKNOWN, text, strlen(text), NULL) <
	    0) {
		cli_fail(a->pos[0]);
		goto out;
	}
	kind = drove_spec_kind(spec);
	root = cli_parse(text);
	if ((rc = policy_of(path(root, "placementPolicy", NULL), &policy, 0)) != 0)
		goto out;
	rc = CLI_ERR;
	if (seed)
		drove_ctx_set_seed(cli->ctx, (uint64_t)seed);
	if (drove_sched_new(&sched, cli->ctx) < 0 ||
	    drove_sched_session_new(&sess, sched, kind,
	                            kind == DROVE_KIND_TASK ? drove_spec_source_app_name(spec)
	                                                    : drove_spec_id(spec)) < 0) {
		cli_fail(NULL);
		goto out;
	}
	if (strategy) {
		int s = !strcmp(strategy, "best-fit")           ? DROVE_SCHED_BEST_FIT
		        : !strcmp(strategy, "spread")           ? DROVE_SCHED_SPREAD
		        : !strcmp(strategy, "random-first-fit") ? DROVE_SCHED_RANDOM_FIRST_FIT
		                                                : -1;
		if (s < 0) {
			rc = cli_usage_error(
			        cli, "--strategy: '%s' is not random-first-fit, best-fit or spread",
			        strategy);
			goto out;
		}
		drove_sched_set_strategy(sched, s);
	}
	/* the live cluster view */
	if (drove_client_executor_list_json(cli->client, &d) < 0) {
		cli_fail(NULL);
		goto out;
	}
	execs = cli_parse(d);
	free(d);
	d = NULL;
	for (size_t i = 0;
	     json_object_is_type(execs, json_type_array) && i < json_object_array_length(execs);
	     i++) {
		json_object *e = json_object_array_get_idx(execs, i), *info;
		const char *eid = jstr(e, "executorId"), *st = jstr(e, "state");
		if (!eid || (st && !strcmp(st, "REMOVED")))
			continue;
		if (drove_client_executor_get_json(cli->client, eid, &d) < 0) {
			cli_fail(NULL);
			goto out;
		}
		info = cli_parse(d);
		free(d);
		d = NULL;
		if (add_executor(sched, sess, info,
		                 drove_spec_id(spec) ? drove_spec_id(spec) : "") < 0) {
			json_object_put(info);
			cli_fail(eid);
			goto out;
		}
		json_object_put(info);
	}
	if (drove_sched_plan_new(&plan, sched, sess, kind, policy, (int)drove_spec_cpu_count(spec),
	                         drove_spec_memory_mb(spec), (size_t)count) < 0) {
		cli_fail(NULL);
		goto out;
	}
	out = json_object_new_object();
	{
		json_object *arr = json_object_new_array();
		static const char *h[] = {"#", "Executor", "NUMA Node", "Cores", "Memory(MB)"};
		struct cli_table *t = cli->json ? NULL : cli_table_new(5, h);
		for (size_t i = 0; i < drove_sched_plan_placed(plan); i++) {
			char num[32], node[16], cores[512], mem[32];
			size_t off = 0;
			json_object *p = json_object_new_object(), *ca = json_object_new_array();
			cores[0] = '\0';
			for (size_t j = 0; j < drove_sched_plan_core_count(plan, i); j++) {
				int c = drove_sched_plan_core(plan, i, j);
				json_object_array_add(ca, json_object_new_int(c));
				off += (size_t)snprintf(
				        cores + off, off < sizeof(cores) ? sizeof(cores) - off : 0,
				        "%s%d", j ? "," : "", c);
			}
			json_object_object_add(
			        p, "executorId",
			        json_object_new_string(drove_sched_plan_executor(plan, i)));
			json_object_object_add(p, "numaNode",
			                       json_object_new_int(drove_sched_plan_node(plan, i)));
			json_object_object_add(p, "cores", ca);
			json_object_object_add(p, "memoryInMB",
			                       json_object_new_int64(drove_spec_memory_mb(spec)));
			json_object_array_add(arr, p);
			if (t) {
				const char *row[5];
				snprintf(num, sizeof(num), "%zu", i + 1);
				snprintf(node, sizeof(node), "%d", drove_sched_plan_node(plan, i));
				snprintf(mem, sizeof(mem), "%lld",
				         (long long)drove_spec_memory_mb(spec));
				row[0] = num;
				row[1] = drove_sched_plan_executor(plan, i);
				row[2] = node;
				row[3] = cores;
				row[4] = mem;
				cli_table_add(t, row);
			}
		}
		json_object_object_add(
		        out, "requested",
		        json_object_new_int64((int64_t)drove_sched_plan_requested(plan)));
		json_object_object_add(
		        out, "placed",
		        json_object_new_int64((int64_t)drove_sched_plan_placed(plan)));
		json_object_object_add(out, "placements", arr);
		if (drove_sched_plan_reason(plan))
			json_object_object_add(
			        out, "reason",
			        json_object_new_string(drove_sched_plan_reason(plan)));
		if (t) {
			printf("Plan for %s: %zu of %zu instance(s) placed (%lld cores, %lld MB "
			       "each, strategy %s)\n",
			       drove_spec_id(spec) ? drove_spec_id(spec) : a->pos[0],
			       drove_sched_plan_placed(plan), drove_sched_plan_requested(plan),
			       (long long)drove_spec_cpu_count(spec),
			       (long long)drove_spec_memory_mb(spec),
			       drove_sched_strategy_name(sched));
			cli_table_print(t, -1, 0);
		} else {
			cli_print_json(out);
		}
	}
	if (drove_sched_plan_reason(plan)) {
		fprintf(stderr, "drove: cannot place instance %zu: %s\n",
		        drove_sched_plan_placed(plan) + 1, drove_sched_plan_reason(plan));
		rc = CLI_ERR;
	} else {
		rc = CLI_OK;
	}
out:
	json_object_put(out);
	json_object_put(execs);
	json_object_put(root);
	drove_sched_plan_free(plan);
	drove_sched_policy_free(policy);
	drove_sched_session_free(sess);
	drove_sched_free(sched);
	drove_spec_free(spec);
	drove_strlist_free(errs);
	free(text);
	return rc;
}
