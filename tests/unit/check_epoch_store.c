/* Epoch's records in the store (local backend): topologies, runs recorded at most once under
 * a leader's fence, retention, fire records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "epoch/records.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_store_opts *opts;
static drove_store *st;
static char dir[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drove-check-epoch-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_store_opts_new(&opts), 0);
	ck_assert_int_eq(drove_store_opts_set_local(opts, dir), 0);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
}

static void teardown(void)
{
	char cmd[256];
	drove_store_close(st);
	drove_store_opts_free(opts);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#define TOPO(name, spec)                                                                          \
	"{\"name\":\"" name "\",\"task\":{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"t\","   \
	"\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\","            \
	"\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"   \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":{\"type\":\"ANY\"},"          \
	"\"logging\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}}," \
	"\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"" spec "\"}}"

static drove_epoch_topology *topo(const char *json)
{
	drove_epoch_topology *t = NULL;
	if (drove_epoch_topology_from_json(&t, ctx, json, strlen(json), 1000, NULL) != 0)
		ck_abort_msg("%s", drove_error_last()->message);
	return t;
}

START_TEST(test_topologies)
{
	drove_epoch_topology *a = topo(TOPO("alpha", "* * * * * ?"));
	drove_epoch_topology *a2 = topo(TOPO("alpha", "0 * * * * ?"));
	drove_epoch_topology *b = topo(TOPO("beta", "0 0 * * * ?"));
	drove_strlist *ids = NULL;
	char *doc = NULL;

	ck_assert_int_eq(drove_epoch_topology_save(st, a, DROVE_EPOCH_ACTIVE, 100, 1), 0);
	ck_assert_int_eq(drove_epoch_topology_save(st, b, DROVE_EPOCH_ACTIVE, 100, 1), 0);
	/* a duplicate name is refused and changes nothing */
	drove_assert_error(drove_epoch_topology_save(st, a2, DROVE_EPOCH_ACTIVE, 200, 1),
	                   DROVE_EEXISTS, "topology alpha: exists already");
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"timeSpec\":\"* * * * * ?\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"ACTIVE\""));
	drove_free(doc);
	/* a replace keeps the creation time */
	ck_assert_int_eq(drove_epoch_topology_save(st, a2, DROVE_EPOCH_ACTIVE, 300, 0), 0);
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"timeSpec\":\"0 * * * * ?\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"created\":100"));
	ck_assert_ptr_nonnull(strstr(doc, "\"updated\":300"));
	drove_free(doc);

	ck_assert_int_eq(drove_epoch_topology_set_state(st, "alpha", DROVE_EPOCH_PAUSED, 400), 0);
	ck_assert_int_eq(drove_epoch_topology_load(st, "alpha", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"PAUSED\""));
	drove_free(doc);
	drove_assert_error(drove_epoch_topology_set_state(st, "gamma", DROVE_EPOCH_PAUSED, 1),
	                   DROVE_ENOTFOUND, "topology gamma: not found");
	ck_assert_int_eq(drove_epoch_topology_set_state(st, "alpha", 9, 1), DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_topology_save(st, a, 0, 1, 0), DROVE_EINVAL);

	ck_assert_int_eq(drove_epoch_topology_ids(st, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 2);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "alpha");
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_topology_remove(st, "alpha"), 0);
	drove_assert_error(drove_epoch_topology_load(st, "alpha", &doc), DROVE_ENOTFOUND,
	                   "topology alpha: not found");
	drove_assert_error(drove_epoch_topology_remove(st, "alpha"), DROVE_ENOTFOUND, "alpha");
	drove_assert_error(drove_epoch_topology_load(st, "../x", &doc), DROVE_EINVAL,
	                   "topology id");
	drove_epoch_topology_free(a);
	drove_epoch_topology_free(a2);
	drove_epoch_topology_free(b);
}
END_TEST

START_TEST(test_runs_at_most_once_and_fenced)
{
	int fence1, fence2;
	char *doc = NULL;
	drove_strlist *ids = NULL;

	ck_assert_int_eq(drove_epoch_topology_ids(st, &ids), 0); /* none yet: empty */
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_fence(st, 5, &fence1), 0);
	ck_assert_int_eq(drove_epoch_run_begin(st, fence1, "alpha", "SR-100",
	                                       DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                       NULL, 100000),
	                 0);
	/* the same scheduled time again: refused, whoever asks */
	drove_assert_error(drove_epoch_run_begin(st, fence1, "alpha", "SR-100",
	                                         DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                         NULL, 100500),
	                   DROVE_EEXISTS, "run alpha/SR-100: recorded already");
	/* a new leader takes the fence: the old one can no longer record runs */
	ck_assert_int_eq(drove_epoch_fence(st, 6, &fence2), 0);
	ck_assert_int_ne(fence1, fence2);
	drove_assert_error(drove_epoch_run_begin(st, fence1, "alpha", "SR-101",
	                                         DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_RUNNING,
	                                         NULL, 101000),
	                   DROVE_ESTALE, "fence");
	drove_assert_error(drove_epoch_fence(st, 5, &fence1), DROVE_ESTALE, "newer leader");
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "SR-101",
	                                       DROVE_EPOCH_RUN_SCHEDULED, DROVE_EPOCH_RUN_SKIPPED,
	                                       "missed while no leader ran", 101000),
	                 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "alpha", "SR-101", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"SKIPPED\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"message\":\"missed while no leader ran\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"runType\":\"SCHEDULED\""));
	drove_free(doc);

	const char *upd = "{\"topologyId\":\"alpha\",\"runId\":\"SR-100\",\"state\":\"SUCCESSFUL\","
	                  "\"tasks\":{},\"runType\":\"SCHEDULED\",\"created\":100000}";
	ck_assert_int_eq(drove_epoch_run_put(st, "alpha", "SR-100", upd), 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "alpha", "SR-100", &doc), 0);
	ck_assert_str_eq(doc, upd);
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_run_put(st, "alpha", "SR-999", upd), DROVE_ENOTFOUND);
	drove_assert_error(drove_epoch_run_put(st, "alpha", "SR-100", "[1]"), DROVE_EINVAL,
	                   "JSON object");
	drove_assert_error(drove_epoch_run_get(st, "alpha", "SR-999", &doc), DROVE_ENOTFOUND,
	                   "run alpha/SR-999: not found");
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "a/b", 1, 1, NULL, 1),
	                 DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_run_begin(st, fence2, "alpha", "SR-7", 3, 1, NULL, 1),
	                 DROVE_EINVAL);
}
END_TEST

START_TEST(test_retention)
{
	int fence;
	drove_strlist *ids = NULL;
	size_t gone = 99;
	char rid[32];

	ck_assert_int_eq(drove_epoch_fence(st, 1, &fence), 0);
	for (int i = 0; i < 8; i++) {
		snprintf(rid, sizeof(rid), "SR-%d", 1000 + i);
		ck_assert_int_eq(drove_epoch_run_begin(
		                         st, fence, "alpha", rid, DROVE_EPOCH_RUN_SCHEDULED,
		                         i == 1 ? DROVE_EPOCH_RUN_RUNNING : DROVE_EPOCH_RUN_SKIPPED,
		                         NULL, 1000000 + i * 1000),
		                 0);
	}
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 8);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "SR-1007"); /* newest first */
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_runs_trim(st, "alpha", 3, &gone), 0);
	ck_assert_uint_eq(gone, 4); /* SR-1001 is still RUNNING and stays */
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 4);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "SR-1007");
	ck_assert_str_eq(drove_strlist_get(ids, 3), "SR-1001");
	drove_strlist_free(ids);

	ck_assert_int_eq(drove_epoch_runs_list(st, "nobody", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
	/* removing the topology takes its runs */
	ck_assert_int_eq(drove_epoch_topology_remove(st, "alpha"), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_epoch_runs_list(st, "alpha", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
}
END_TEST

START_TEST(test_step_fires_once_and_records_misfires)
{
	drove_epoch_topology *t = topo(TOPO("minutely", "0 * * * * ?"));
	const int64_t base = 1780000200000LL; /* a whole minute */
	int fence, fence2;
	char *rid = NULL, *doc = NULL;
	int64_t handled, next;
	drove_strlist *ids = NULL;

	ck_assert_int_eq(drove_epoch_fence(st, 1, &fence), 0);
	/* not due yet */
	ck_assert_int_eq(
	        drove_epoch_step(st, fence, t, base, base + 1000, 5000, &rid, &handled, &next), 0);
	ck_assert_ptr_null(rid);
	ck_assert_int_eq(handled, base);
	ck_assert_int_eq(next, base + 60000);
	/* due: recorded RUNNING and handed out once */
	ck_assert_int_eq(
	        drove_epoch_step(st, fence, t, base, base + 60050, 5000, &rid, &handled, &next), 0);
	ck_assert_str_eq(rid, "SR-1780000260");
	ck_assert_int_eq(handled, base + 60000);
	drove_free(rid);
	/* a new leader that did not know it fired: recorded already, not started again */
	ck_assert_int_eq(drove_epoch_fence(st, 2, &fence2), 0);
	ck_assert_int_eq(
	        drove_epoch_step(st, fence2, t, base, base + 60100, 5000, &rid, &handled, &next),
	        0);
	ck_assert_ptr_null(rid);
	ck_assert_int_eq(handled, base + 60000);
	/* the deposed leader cannot fire the next time (and its outputs stay untouched) */
	rid = (char *)"untouched";
	drove_assert_error(drove_epoch_step(st, fence, t, base + 60000, base + 120000, 5000, &rid,
	                                    &handled, &next),
	                   DROVE_ESTALE, "fence");
	ck_assert_str_eq(rid, "untouched");
	/* down three minutes: two SKIPPED runs, the newest fires */
	ck_assert_int_eq(drove_epoch_step(st, fence2, t, base + 60000, base + 240001, 5000, &rid,
	                                  &handled, &next),
	                 0);
	ck_assert_str_eq(rid, "SR-1780000440");
	drove_free(rid);
	ck_assert_int_eq(drove_epoch_run_get(st, "minutely", "SR-1780000320", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"SKIPPED\""));
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_runs_list(st, "minutely", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 4);
	drove_strlist_free(ids);
	drove_epoch_topology_free(t);

	/* AT: fires once when due; too late is SKIPPED */
	const char *at = "{\"name\":\"once\",\"task\":{\"type\":\"CONTAINER_EXECUTION\","
	                 "\"taskName\":\"t\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"i\","
	                 "\"dockerPullTimeout\":\"1 minute\"},\"resources\":[{\"type\":\"CPU\","
	                 "\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":32}],"
	                 "\"placementPolicy\":{\"type\":\"ANY\"},\"logging\":{\"type\":\"LOCAL\","
	                 "\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}},"
	                 "\"trigger\":{\"type\":\"AT\",\"time\":1780000300000}}";
	t = topo(at);
	ck_assert_int_eq(drove_epoch_step(st, fence2, t, 0, base, 5000, &rid, &handled, &next), 0);
	ck_assert_ptr_null(rid);
	ck_assert_int_eq(next, 1780000300000LL);
	ck_assert_int_eq(
	        drove_epoch_step(st, fence2, t, 0, 1780000300200LL, 5000, &rid, &handled, &next),
	        0);
	ck_assert_str_eq(rid, "SR-1780000300");
	drove_free(rid);
	ck_assert_int_eq(drove_epoch_step(st, fence2, t, handled, 1780000400000LL, 5000, &rid,
	                                  &handled, &next),
	                 0);
	ck_assert_ptr_null(rid);
	ck_assert_int_eq(next, 0);
	drove_epoch_topology_free(t);
}
END_TEST

/* The engine's batches: new runs under the fence, all or nothing; record writes that leave
 * a missing record missing. */
START_TEST(test_batches)
{
	int fence = -1;
	char *doc = NULL;
	drove_strlist *ids = NULL;
	ck_assert_int_eq(drove_epoch_fence(st, 3, &fence), 0);
	ck_assert_int_eq(drove_store_create(st, "/runs", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	struct drove__epoch_new_run runs[] = {
	        {"a", "SR-100", 1, DROVE_EPOCH_RUN_SKIPPED, "missed"},
	        {"a", "SR-101", 0, DROVE_EPOCH_RUN_RUNNING, NULL},
	        {"b", "SR-101", 1, DROVE_EPOCH_RUN_RUNNING, NULL},
	};
	ck_assert_int_eq(drove__epoch_runs_begin_batch(st, fence, 3, runs, 5000), 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "a", "SR-100", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"SKIPPED\""));
	ck_assert_ptr_nonnull(strstr(doc, "\"message\":\"missed\""));
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_run_get(st, "b", "SR-101", &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"state\":\"RUNNING\""));
	drove_free(doc);
	/* one run recorded already: nothing of the batch is */
	struct drove__epoch_new_run again[] = {
	        {"a", "SR-102", 0, DROVE_EPOCH_RUN_RUNNING, NULL},
	        {"b", "SR-101", 0, DROVE_EPOCH_RUN_RUNNING, NULL},
	};
	ck_assert_int_eq(drove__epoch_runs_begin_batch(st, fence, 2, again, 6000), DROVE_EEXISTS);
	drove_error_clear();
	ck_assert_int_eq(drove_epoch_run_get(st, "a", "SR-102", &doc), DROVE_ENOTFOUND);
	drove_error_clear();
	/* a newer leader's fence: refused as stale, nothing recorded */
	int newer = -1;
	ck_assert_int_eq(drove_epoch_fence(st, 4, &newer), 0);
	ck_assert_int_eq(drove__epoch_runs_begin_batch(st, fence, 1, again, 6000), DROVE_ESTALE);
	drove_error_clear();
	ck_assert_int_eq(drove_epoch_run_get(st, "a", "SR-102", &doc), DROVE_ENOTFOUND);
	drove_error_clear();

	/* records: a set, a delete, and a set of a missing run (not created) */
	struct drove__epoch_rec recs[] = {
	        {"a", "SR-101", "{\"state\":\"SUCCESSFUL\"}", 0, 0, NULL},
	        {"a", "SR-100", NULL, 0, 0, NULL},
	        {"a", "SR-999", "{\"state\":\"SUCCESSFUL\"}", 0, 0, NULL},
	};
	ck_assert_int_eq(drove__epoch_records_flush(st, 3, recs, NULL), 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "a", "SR-101", &doc), 0);
	ck_assert_str_eq(doc, "{\"state\":\"SUCCESSFUL\"}");
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_runs_list(st, "a", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 1);
	drove_strlist_free(ids);
	ck_assert_int_eq(drove__epoch_records_flush(st, 0, NULL, NULL), 0);
	/* in one batch when none is missing */
	ck_assert_int_eq(drove__epoch_records_flush(st, 1, recs, NULL), 0);

	/* retention's list: the oldest beyond keep, never a RUNNING one */
	drove_strlist *doomed = NULL;
	ck_assert_int_eq(drove__epoch_runs_trim_list(st, "a", 0, &doomed), 0);
	ck_assert_uint_eq(drove_strlist_count(doomed), 1);
	drove_strlist_free(doomed);
	ck_assert_int_eq(drove__epoch_runs_trim_list(st, "b", 0, &doomed), 0);
	ck_assert_uint_eq(drove_strlist_count(doomed), 0); /* b's run is RUNNING */
	drove_strlist_free(doomed);
}
END_TEST

/* Fire records (epoch/fired.c): a whole batch fenced in one write per chunk, read back
 * sorted by a new leader, refused once the fence moved; run records created later (parent
 * too), a fire record deleted by path. */
START_TEST(test_fire_records)
{
	int fence, newer;
	size_t fenced = 0, bad = 0, count = 0;
	drove_strlist *nodes = NULL;
	struct drove__epoch_fired f;
	const size_t N = 20000; /* about 400 KB: two chunks */
	char **entries = calloc(N, sizeof(*entries));

	ck_assert_ptr_nonnull(entries);
	for (size_t i = 0; i < N; i++)
		ck_assert_ptr_nonnull(entries[i] = drove__asprintf("topo-%zu/SR-%zu", N - i, i));
	ck_assert_int_eq(drove_epoch_fence(st, 1, &fence), 0);
	ck_assert_int_eq(drove_strlist_new(&nodes), 0);
	/* the leader makes their parent when it takes the lead; none yet: a store error */
	drove_assert_error(drove__epoch_fired_write(st, fence, "F1-0", N, entries, nodes, &fenced),
	                   DROVE_ENOTFOUND, "");
	ck_assert_uint_eq(fenced, 0);
	ck_assert_int_eq(drove_store_create(st, DROVE__EPOCH_FIRED_DIR, "", 0,
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                 0);
	ck_assert_int_eq(drove__epoch_fired_write(st, fence, "F1-1", N, entries, nodes, &fenced),
	                 0);
	ck_assert_uint_eq(fenced, N);
	ck_assert_uint_eq(drove_strlist_count(nodes), 2);
	ck_assert_str_eq(drove_strlist_get(nodes, 0), DROVE__EPOCH_FIRED_DIR "/F1-1-0");
	/* an entry that is not topologyId/runId: refused, nothing written */
	char *badent[] = {"no-slash"};
	drove_assert_error(drove__epoch_fired_write(st, fence, "F1-2", 1, badent, nodes, &fenced),
	                   DROVE_EINVAL, "not tid/rid");
	ck_assert_uint_eq(fenced, 0);

	/* read back: every entry, sorted; a topology's entries found together */
	ck_assert_int_eq(drove__epoch_fired_read(st, &f, &bad), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(f.n, N);
	ck_assert_uint_eq(drove_strlist_count(f.nodes), 2);
	for (size_t i = 1; i < f.n; i++)
		ck_assert_int_lt(strcmp(f.entries[i - 1], f.entries[i]), 0);
	size_t at = drove__epoch_fired_find(&f, "topo-1", &count);
	ck_assert_uint_eq(count, 1); /* not topo-10, topo-1-x ... */
	ck_assert_str_eq(f.entries[at], "topo-1/SR-19999");
	drove__epoch_fired_find(&f, "topo-0", &count);
	ck_assert_uint_eq(count, 0);
	drove__epoch_fired_clear(&f);

	/* a record that does not parse is skipped and counted */
	ck_assert_int_eq(drove_store_create(st, DROVE__EPOCH_FIRED_DIR "/junk", "{", 1,
	                                    DROVE_STORE_PERSISTENT, NULL),
	                 0);
	ck_assert_int_eq(drove__epoch_fired_read(st, &f, &bad), 0);
	ck_assert_uint_eq(bad, 1);
	ck_assert_uint_eq(f.n, N);
	drove__epoch_fired_clear(&f);

	/* a newer leader's fence: the old one fences nothing more */
	ck_assert_int_eq(drove_epoch_fence(st, 2, &newer), 0);
	drove_assert_error(drove__epoch_fired_write(st, fence, "F1-3", 1, entries, nodes, &fenced),
	                   DROVE_ESTALE, "fence");
	ck_assert_uint_eq(fenced, 0);

	/* the runs' own records, created later: the parent too; one there already is set; the
	 * fire records deleted by path; each outcome reported */
	char *doc = NULL;
	ck_assert_int_eq(drove_epoch_run_begin(st, newer, "topo-2", "SR-1", 1, 1, NULL, 1), 0);
	struct drove__epoch_rec recs[] = {
	        {"topo-1", "SR-19999", "{\"state\":\"SUCCESSFUL\"}", 1, 1, NULL},
	        {"topo-2", "SR-1", "{\"state\":\"FAILED\"}", 1, 1, NULL},
	        {NULL, NULL, NULL, 0, 0, DROVE__EPOCH_FIRED_DIR "/F1-1-0"},
	        {NULL, NULL, NULL, 0, 0, DROVE__EPOCH_FIRED_DIR "/F1-1-1"},
	        {NULL, NULL, NULL, 0, 0, DROVE__EPOCH_FIRED_DIR "/junk"},
	};
	int rcs[5] = {-1, -1, -1, -1, -1};
	ck_assert_int_eq(drove__epoch_records_flush(st, 5, recs, rcs), 0);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(rcs[i], 0);
	ck_assert_int_eq(drove_epoch_run_get(st, "topo-1", "SR-19999", &doc), 0);
	ck_assert_str_eq(doc, "{\"state\":\"SUCCESSFUL\"}");
	drove_free(doc);
	ck_assert_int_eq(drove_epoch_run_get(st, "topo-2", "SR-1", &doc), 0);
	ck_assert_str_eq(doc, "{\"state\":\"FAILED\"}");
	drove_free(doc);
	ck_assert_int_eq(drove__epoch_fired_read(st, &f, &bad), 0);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(drove_strlist_count(f.nodes), 0);
	drove__epoch_fired_clear(&f);
	/* in one batch when nothing is in the way */
	recs[0].json = "{\"state\":\"FAILED\"}";
	ck_assert_int_eq(drove__epoch_records_flush(st, 1, recs, rcs), 0);
	ck_assert_int_eq(rcs[0], 0);

	drove_strlist_free(nodes);
	for (size_t i = 0; i < N; i++)
		drove_free(entries[i]);
	free(entries);
}
END_TEST

Suite *epoch_store_suite(void)
{
	Suite *s = suite_create("epoch_store");
	TCase *tc = tcase_create("records");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_topologies);
	tcase_add_test(tc, test_runs_at_most_once_and_fenced);
	tcase_add_test(tc, test_retention);
	tcase_add_test(tc, test_step_fires_once_and_records_misfires);
	tcase_add_test(tc, test_batches);
	tcase_add_test(tc, test_fire_records);
	suite_add_tcase(s, tc);
	return s;
}
