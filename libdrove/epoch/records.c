/*
 * Epoch's records in the store (DROVE_API.md §12): /topologies/{id} holds
 * EpochTopologyDetails, /runs/{id}/{runId} EpochTopologyRunInfo, and /epoch/term the fence of
 * the leader allowed to record new runs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/epoch.h>
#include <drove/ids.h>
#include "core/internal.h"
#include "epoch/records.h"
#include "model/codec.h"

#define TERM_PATH "/epoch/term"

static const char *const STATES[] = {NULL, "ACTIVE", "PAUSED", "DELETED"};
static const char *const RUN_STATES[] = {NULL,         "RUNNING", "COMPLETED",
                                         "SUCCESSFUL", "SKIPPED", "FAILED"};
static const char *const RUN_TYPES[] = {NULL, "SCHEDULED", "INSTANT"};

const char *drove__epoch_state_name(int state)
{
	return state > 0 && state < (int)DROVE_ARRAY_LEN(STATES) ? STATES[state] : NULL;
}

const char *drove__epoch_run_state_name(int state)
{
	return state > 0 && state < (int)DROVE_ARRAY_LEN(RUN_STATES) ? RUN_STATES[state] : NULL;
}

static int check_id(const char *what, const char *id)
{
	if (!id || !drove_id_is_valid_name(id))
		return drove__error(DROVE_EINVAL, "%s \"%s\": not a valid name", what,
		                    id ? id : "(null)");
	return 0;
}

static int put_json(drove_store *st, const char *path, struct json_object *j, int create)
{
	const char *text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	if (create)
		return drove_store_create(st, path, text, strlen(text),
		                          DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL);
	return drove_store_put(st, path, text, strlen(text), DROVE_STORE_PERSISTENT);
}

int drove_epoch_topology_save(drove_store *st, const drove_epoch_topology *t, int state,
                              int64_t now_ms, int create_only)
{
	struct json_object *d = NULL, *topo = NULL;
	char *doc = NULL, *path = NULL, *old = NULL;
	int64_t created = now_ms;
	int rc;

	DROVE_CHECK_ARG(st && t);
	if (state < DROVE_EPOCH_ACTIVE || state > DROVE_EPOCH_DELETED)
		return drove__error(DROVE_EINVAL, "state: %d is not a topology state", state);
	const char *id = drove_epoch_topology_name(t);
	if (!(path = drove__asprintf("/topologies/%s", id)))
		return DROVE_ENOMEM;
	rc = drove_store_get(st, path, &old, NULL, NULL);
	if (rc == 0 && create_only) {
		rc = drove__error(DROVE_EEXISTS, "topology %s: exists already", id);
		goto out;
	}
	if (rc == 0) { /* a replace keeps the creation time */
		struct json_object *o = NULL, *c;
		if (drove__mcodec_parse(old, strlen(old), &o) == 0 &&
		    json_object_object_get_ex(o, "created", &c))
			created = json_object_get_int64(c);
		json_object_put(o);
	} else if (rc != DROVE_ENOTFOUND) {
		goto out;
	}
	if ((rc = drove_epoch_topology_to_json(t, &doc)) < 0 ||
	    (rc = drove__mcodec_parse(doc, strlen(doc), &topo)) < 0 ||
	    !(d = json_object_new_object())) {
		rc = rc < 0 ? rc : drove__enomem();
		goto out;
	}
	json_object_object_add(d, "id", json_object_new_string(id));
	json_object_object_add(d, "topology", topo);
	topo = NULL;
	json_object_object_add(d, "state", json_object_new_string(STATES[state]));
	json_object_object_add(d, "created", json_object_new_int64(created));
	json_object_object_add(d, "updated", json_object_new_int64(now_ms));
	rc = put_json(st, path, d, create_only);
	if (rc == DROVE_EEXISTS)
		rc = drove__error(DROVE_EEXISTS, "topology %s: exists already", id);
out:
	json_object_put(d);
	json_object_put(topo);
	drove_free(old);
	free(doc);
	free(path);
	return rc;
}

int drove_epoch_topology_load(drove_store *st, const char *id, char **out)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(st && out);
	if ((rc = check_id("topology id", id)) < 0)
		return rc;
	if (!(path = drove__asprintf("/topologies/%s", id)))
		return DROVE_ENOMEM;
	rc = drove_store_get(st, path, out, NULL, NULL);
	free(path);
	if (rc == DROVE_ENOTFOUND)
		rc = drove__error(DROVE_ENOTFOUND, "topology %s: not found", id);
	return rc;
}

int drove_epoch_topology_set_state(drove_store *st, const char *id, int state, int64_t now_ms)
{
	DROVE_CHECK_ARG(st);
	if (state < DROVE_EPOCH_ACTIVE || state > DROVE_EPOCH_DELETED)
		return drove__error(DROVE_EINVAL, "state: %d is not a topology state", state);
	int rc = check_id("topology id", id);
	if (rc < 0)
		return rc;
	char *path = drove__asprintf("/topologies/%s", id);
	if (!path)
		return DROVE_ENOMEM;
	for (int attempt = 0; attempt < 8; attempt++) { /* compare-and-set against racing edits */
		drove_store_stat stat = DROVE_STORE_STAT_INIT;
		struct json_object *d = NULL;
		char *text = NULL;
		if ((rc = drove_store_get(st, path, &text, NULL, &stat)) < 0)
			break;
		rc = drove__mcodec_parse(text, strlen(text), &d);
		drove_free(text);
		if (rc < 0)
			break;
		json_object_object_add(d, "state", json_object_new_string(STATES[state]));
		json_object_object_add(d, "updated", json_object_new_int64(now_ms));
		const char *s = json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN);
		rc = drove_store_set(st, path, s, strlen(s), stat.version, NULL);
		json_object_put(d);
		if (rc != DROVE_ECONFLICT)
			break;
	}
	free(path);
	if (rc == DROVE_ENOTFOUND)
		rc = drove__error(DROVE_ENOTFOUND, "topology %s: not found", id);
	return rc;
}

int drove_epoch_topology_ids(drove_store *st, drove_strlist **out)
{
	DROVE_CHECK_ARG(st && out);
	int rc = drove_store_children(st, "/topologies", out);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		return drove_strlist_new(out);
	}
	return rc;
}

int drove_epoch_topology_remove(drove_store *st, const char *id)
{
	char *runs = NULL, *path = NULL;
	int rc;

	DROVE_CHECK_ARG(st);
	if ((rc = check_id("topology id", id)) < 0)
		return rc;
	if (!(runs = drove__asprintf("/runs/%s", id)) ||
	    !(path = drove__asprintf("/topologies/%s", id))) {
		free(runs);
		return DROVE_ENOMEM;
	}
	rc = drove_store_delete(st, path, -1);
	if (rc == 0 || rc == DROVE_ENOTFOUND) {
		int found = rc == 0;
		rc = drove_store_delete_recursive(st, runs);
		if (rc == 0 && !found)
			rc = drove__error(DROVE_ENOTFOUND, "topology %s: not found", id);
	}
	free(runs);
	free(path);
	return rc;
}

/* ---- the fence ---- */

int drove_epoch_fence(drove_store *st, int64_t term, int *fence_out)
{
	char buf[32];
	drove_store_stat stat = DROVE_STORE_STAT_INIT;
	int rc;

	DROVE_CHECK_ARG(st && fence_out && term > 0);
	snprintf(buf, sizeof(buf), "%" PRId64, term);
	for (int attempt = 0; attempt < 8; attempt++) {
		char *old = NULL;
		rc = drove_store_get(st, TERM_PATH, &old, NULL, &stat);
		if (rc == DROVE_ENOTFOUND) {
			drove_error_clear();
			rc = drove_store_create(st, TERM_PATH, buf, strlen(buf),
			                        DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL);
			if (rc == 0) {
				*fence_out = 0;
				return 0;
			}
			if (rc == DROVE_EEXISTS)
				continue;
			return rc;
		}
		if (rc < 0)
			return rc;
		int64_t stored = strtoll(old, NULL, 10);
		drove_free(old);
		if (stored > term)
			return drove__error(DROVE_ESTALE,
			                    "term %" PRId64 ": a newer leader has %" PRId64, term,
			                    stored);
		rc = drove_store_set(st, TERM_PATH, buf, strlen(buf), stat.version, &stat);
		if (rc == 0) {
			*fence_out = stat.version;
			return 0;
		}
		if (rc != DROVE_ECONFLICT)
			return rc;
	}
	return drove__error(DROVE_ECONFLICT, "term %" PRId64 ": the fence kept changing", term);
}

/* ---- runs ---- */

static char *run_path(const char *tid, const char *rid)
{
	if (check_id("topology id", tid) < 0 || check_id("run id", rid) < 0)
		return NULL;
	return drove__asprintf("/runs/%s/%s", tid, rid);
}

/* A new run's EpochTopologyRunInfo (no tasks yet). @return the text (free()) or NULL. */
static char *run_doc(const char *topology_id, const char *run_id, int run_type, int state,
                     const char *message, int64_t now_ms)
{
	struct json_object *r = json_object_new_object();
	char *text = NULL;
	if (!r) {
		drove__enomem();
		return NULL;
	}
	json_object_object_add(r, "topologyId", json_object_new_string(topology_id));
	json_object_object_add(r, "runId", json_object_new_string(run_id));
	json_object_object_add(r, "state", json_object_new_string(RUN_STATES[state]));
	if (message)
		json_object_object_add(r, "message", json_object_new_string(message));
	json_object_object_add(r, "tasks", json_object_new_object());
	json_object_object_add(r, "runType", json_object_new_string(RUN_TYPES[run_type]));
	json_object_object_add(r, "created", json_object_new_int64(now_ms));
	json_object_object_add(r, "updated", json_object_new_int64(now_ms));
	if (!(text = strdup(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN))))
		drove__enomem();
	json_object_put(r);
	return text;
}

/* A batch's failure in the run records' terms. */
static int begin_error(int rc, const char *topology_id, const char *run_id)
{
	if (rc == DROVE_EEXISTS)
		return drove__error(DROVE_EEXISTS, "run %s/%s: recorded already", topology_id,
		                    run_id);
	if (rc == DROVE_ECONFLICT || rc == DROVE_ENOTFOUND)
		return drove__error(DROVE_ESTALE, "run %s/%s: this leader's fence is gone",
		                    topology_id, run_id);
	return rc;
}

int drove_epoch_run_begin(drove_store *st, int fence, const char *topology_id, const char *run_id,
                          int run_type, int state, const char *message, int64_t now_ms)
{
	drove_store_ops *ops = NULL;
	char *path, *parent, *text = NULL;
	int rc;

	DROVE_CHECK_ARG(st);
	if (run_type < DROVE_EPOCH_RUN_SCHEDULED || run_type > DROVE_EPOCH_RUN_INSTANT ||
	    state < DROVE_EPOCH_RUN_RUNNING || state > DROVE_EPOCH_RUN_FAILED)
		return drove__error(DROVE_EINVAL, "run type %d or state %d unknown", run_type,
		                    state);
	if (!(path = run_path(topology_id, run_id)))
		return drove_error_last()->code;
	if (!(parent = drove__asprintf("/runs/%s", topology_id))) {
		free(path);
		return DROVE_ENOMEM;
	}
	/* the parent first (idempotent), then fence check + create in one batch */
	rc = drove_store_create(st, parent, "", 0, DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS,
	                        NULL);
	if (rc == DROVE_EEXISTS) {
		drove_error_clear();
		rc = 0;
	}
	if (rc == 0 && !(text = run_doc(topology_id, run_id, run_type, state, message, now_ms)))
		rc = DROVE_ENOMEM;
	if (rc == 0 && (rc = drove_store_ops_new(&ops)) == 0 &&
	    (rc = drove_store_ops_check(ops, TERM_PATH, fence)) == 0 &&
	    (rc = drove_store_ops_create(ops, path, text, strlen(text), DROVE_STORE_PERSISTENT)) ==
	            0)
		rc = drove_store_multi(st, ops);
	rc = begin_error(rc, topology_id, run_id);
	drove_store_ops_free(ops);
	free(text);
	free(parent);
	free(path);
	return rc;
}

int drove__epoch_runs_begin_batch(drove_store *st, int fence, size_t n,
                                  const struct drove__epoch_new_run *runs, int64_t now_ms)
{
	drove_store_ops *ops = NULL;
	int rc;

	DROVE_CHECK_ARG(st && runs && n > 0);
	if ((rc = drove_store_ops_new(&ops)) < 0 ||
	    (rc = drove_store_ops_check(ops, TERM_PATH, fence)) < 0)
		goto out;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *path = run_path(runs[i].topology_id, runs[i].run_id), *parent = NULL, *text;
		if (!path) {
			rc = drove_error_last()->code;
			break;
		}
		if (runs[i].parent_missing &&
		    (!(parent = drove__asprintf("/runs/%s", runs[i].topology_id)) ||
		     (rc = drove_store_ops_create(ops, parent, "", 0, DROVE_STORE_PERSISTENT)) < 0))
			rc = rc < 0 ? rc : DROVE_ENOMEM;
		if (rc == 0 &&
		    !(text = run_doc(runs[i].topology_id, runs[i].run_id, DROVE_EPOCH_RUN_SCHEDULED,
		                     runs[i].state, runs[i].message, now_ms)))
			rc = DROVE_ENOMEM;
		else if (rc == 0) {
			rc = drove_store_ops_create(ops, path, text, strlen(text),
			                            DROVE_STORE_PERSISTENT);
			free(text);
		}
		free(parent);
		free(path);
	}
	if (rc == 0)
		rc = drove_store_multi(st, ops);
	if (rc == DROVE_ECONFLICT)
		rc = drove__error(DROVE_ESTALE, "runs: this leader's fence is gone");
out:
	drove_store_ops_free(ops);
	return rc;
}

/* A record's node: its own path (a fire record) or the run's. */
static char *rec_path(const struct drove__epoch_rec *r)
{
	return r->path ? strdup(r->path) : run_path(r->topology_id, r->run_id);
}

/* One record on its own: a create makes its parent too and turns into a set when the record
 * exists; a set or delete of a missing record is no error (it stays missing). */
static int rec_one(drove_store *st, const struct drove__epoch_rec *r)
{
	char *path = rec_path(r);
	int rc;
	if (!path)
		return DROVE_ENOMEM;
	if (r->json && r->create) {
		rc = drove_store_create(st, path, r->json, strlen(r->json),
		                        DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL);
		if (rc == DROVE_EEXISTS) {
			drove_error_clear();
			rc = drove_store_set(st, path, r->json, strlen(r->json), -1, NULL);
		}
	} else if (r->json) {
		rc = drove_store_set(st, path, r->json, strlen(r->json), -1, NULL);
	} else {
		rc = drove_store_delete(st, path, -1);
	}
	free(path);
	if (rc == DROVE_ENOTFOUND || (rc == DROVE_ECONFLICT && !r->create)) {
		drove_error_clear();
		rc = 0;
	}
	return rc;
}

/* The /runs/{topologyId} the records to create said missing, in a batch of their own (a
 * topology's runs may all say so until one is written: the records' batch must not fail
 * on it); one by one when that fails (one is there already). Errors are left to the
 * records' creates (which then make their parents themselves). */
static void create_parents(drove_store *st, size_t n, const struct drove__epoch_rec *recs)
{
	drove_store_ops *ops = NULL;
	drove_strlist *parents = NULL;
	int rc = drove_strlist_new(&parents);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (recs[i].json && recs[i].create && recs[i].parent) {
			char *p = drove__asprintf("/runs/%s", recs[i].topology_id);
			rc = !p                                   ? DROVE_ENOMEM
			     : drove_strlist_contains(parents, p) ? 0
			                                          : drove_strlist_add(parents, p);
			free(p);
		}
	if (rc == 0 && drove_strlist_count(parents) && (rc = drove_store_ops_new(&ops)) == 0) {
		for (size_t i = 0; i < drove_strlist_count(parents) && rc == 0; i++)
			rc = drove_store_ops_create(ops, drove_strlist_get(parents, i), "", 0,
			                            DROVE_STORE_PERSISTENT);
		if (rc == 0 && drove_store_multi(st, ops) < 0)
			for (size_t i = 0; i < drove_strlist_count(parents); i++)
				(void)drove_store_create(
				        st, drove_strlist_get(parents, i), "", 0,
				        DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL);
	}
	drove_error_clear();
	drove_store_ops_free(ops);
	drove_strlist_free(parents);
}

int drove__epoch_records_flush(drove_store *st, size_t n, const struct drove__epoch_rec *recs,
                               int *rcs)
{
	drove_store_ops *ops = NULL;
	int rc;

	DROVE_CHECK_ARG(st && (recs || n == 0));
	if (n == 0)
		return 0;
	create_parents(st, n, recs);
	if ((rc = drove_store_ops_new(&ops)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct drove__epoch_rec *r = &recs[i];
		char *path = rec_path(r);
		if (!path)
			rc = drove__enomem();
		else if (r->json && r->create)
			rc = drove_store_ops_create(ops, path, r->json, strlen(r->json),
			                            DROVE_STORE_PERSISTENT);
		else if (r->json)
			rc = drove_store_ops_set(ops, path, r->json, strlen(r->json), -1);
		else
			rc = drove_store_ops_delete(ops, path, -1);
		free(path);
	}
	if (rc == 0 && (rc = drove_store_multi(st, ops)) < 0) {
		/* one record gone (its topology deleted, a run trimmed meanwhile), one created
		 * already or a parent there already fails the batch: each on its own then */
		drove_error_clear();
		rc = 0;
		for (size_t i = 0; i < n; i++) {
			int r = rec_one(st, &recs[i]);
			if (rcs)
				rcs[i] = r;
			if (r < 0 && rc == 0)
				rc = r;
			drove_error_clear();
		}
	} else if (rcs) {
		for (size_t i = 0; i < n; i++)
			rcs[i] = rc;
	}
	drove_store_ops_free(ops);
	return rc;
}

int drove_epoch_run_put(drove_store *st, const char *topology_id, const char *run_id,
                        const char *json)
{
	struct json_object *j = NULL;
	char *path;
	int rc;

	DROVE_CHECK_ARG(st && json);
	if (!(path = run_path(topology_id, run_id)))
		return drove_error_last()->code;
	if ((rc = drove__mcodec_parse(json, strlen(json), &j)) == 0) {
		if (!json_object_is_type(j, json_type_object))
			rc = drove__error(DROVE_EINVAL, "run: must be a JSON object");
		else if ((rc = drove_store_exists(st, path, NULL)) == 0)
			rc = drove_store_set(st, path, json, strlen(json), -1, NULL);
	}
	json_object_put(j);
	free(path);
	return rc;
}

int drove_epoch_run_get(drove_store *st, const char *topology_id, const char *run_id, char **out)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(st && out);
	if (!(path = run_path(topology_id, run_id)))
		return drove_error_last()->code;
	rc = drove_store_get(st, path, out, NULL, NULL);
	if (rc == DROVE_ENOTFOUND)
		rc = drove__error(DROVE_ENOTFOUND, "run %s/%s: not found", topology_id, run_id);
	free(path);
	return rc;
}

struct aged {
	char *id;
	int64_t created;
	int running;
};

static int by_created(const void *a, const void *b)
{
	const struct aged *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int drove_epoch_runs_list(drove_store *st, const char *topology_id, drove_strlist **out)
{
	drove_strlist *ids = NULL, *sorted = NULL;
	struct aged *a = NULL;
	size_t n = 0;
	int rc;

	DROVE_CHECK_ARG(st && out);
	if ((rc = check_id("topology id", topology_id)) < 0)
		return rc;
	char *parent = drove__asprintf("/runs/%s", topology_id);
	if (!parent)
		return DROVE_ENOMEM;
	rc = drove_store_children(st, parent, &ids);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		rc = drove_strlist_new(&ids);
	}
	if (rc == 0 && drove_strlist_count(ids) &&
	    !(a = calloc(drove_strlist_count(ids), sizeof(*a))))
		rc = drove__enomem();
	for (size_t i = 0; rc == 0 && i < drove_strlist_count(ids); i++) {
		char *text = NULL;
		struct json_object *j = NULL, *c;
		const char *rid = drove_strlist_get(ids, i);
		if (drove_epoch_run_get(st, topology_id, rid, &text) < 0) {
			drove_error_clear(); /* deleted meanwhile */
			continue;
		}
		a[n].id = (char *)rid;
		if (drove__mcodec_parse(text, strlen(text), &j) == 0) {
			if (json_object_object_get_ex(j, "created", &c))
				a[n].created = json_object_get_int64(c);
			const char *s = json_object_object_get_ex(j, "state", &c)
			                        ? json_object_get_string(c)
			                        : NULL;
			a[n].running = s && !strcmp(s, "RUNNING");
		}
		drove_error_clear();
		json_object_put(j);
		drove_free(text);
		n++;
	}
	if (rc == 0 && n)
		qsort(a, n, sizeof(*a), by_created);
	if (rc == 0)
		rc = drove_strlist_new(&sorted);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = drove_strlist_add(sorted, a[n - 1 - i].id); /* newest first */
	if (rc == 0) {
		*out = sorted;
		sorted = NULL;
	}
	drove_strlist_free(sorted);
	drove_strlist_free(ids);
	free(a);
	free(parent);
	return rc;
}

int drove__epoch_runs_trim_list(drove_store *st, const char *topology_id, size_t keep,
                                drove_strlist **out)
{
	drove_strlist *ids = NULL, *doomed = NULL;
	int rc;

	DROVE_CHECK_ARG(st && out);
	if ((rc = drove_epoch_runs_list(st, topology_id, &ids)) < 0 ||
	    (rc = drove_strlist_new(&doomed)) < 0)
		goto out;
	for (size_t i = keep; i < drove_strlist_count(ids); i++) {
		const char *rid = drove_strlist_get(ids, i);
		char *text = NULL, *path = run_path(topology_id, rid);
		if (!path) {
			rc = DROVE_ENOMEM;
			break;
		}
		/* a run still going keeps its record until it ends */
		if (drove_store_get(st, path, &text, NULL, NULL) == 0 &&
		    !strstr(text, "\"state\":\"RUNNING\"") && drove_strlist_add(doomed, rid) < 0)
			rc = DROVE_ENOMEM;
		drove_error_clear();
		drove_free(text);
		free(path);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		*out = doomed;
		doomed = NULL;
	}
out:
	drove_strlist_free(doomed);
	drove_strlist_free(ids);
	return rc;
}

int drove_epoch_runs_trim(drove_store *st, const char *topology_id, size_t keep, size_t *deleted)
{
	drove_strlist *doomed = NULL;
	size_t gone = 0;
	int rc;

	DROVE_CHECK_ARG(st);
	if ((rc = drove__epoch_runs_trim_list(st, topology_id, keep, &doomed)) < 0)
		return rc;
	for (size_t i = 0; i < drove_strlist_count(doomed); i++) {
		char *path = run_path(topology_id, drove_strlist_get(doomed, i));
		if (!path) {
			rc = DROVE_ENOMEM;
			break;
		}
		if (drove_store_delete(st, path, -1) == 0)
			gone++;
		drove_error_clear();
		free(path);
	}
	drove_strlist_free(doomed);
	if (deleted)
		*deleted = gone;
	return rc;
}
