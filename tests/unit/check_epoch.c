/* Epoch topologies: validation naming the field, composite tasks, the Drove task specs of a
 * run, run ids and the misfire rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "epoch/status.h"
#include "harness.h"

static drove_ctx *ctx;
static void setup(void)
{
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
}
static void teardown(void)
{
	drove_ctx_free(ctx);
}

#define NOW 1780000000000LL /* 2026-05-28 */

#define TASK(name)                                                                              \
	"{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"" name "\","                          \
	"\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/drove-test:latest\","          \
	"\"dockerPullTimeout\":\"100 seconds\"},"                                               \
	"\"resources\":[{\"type\":\"CPU\",\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":32}]," \
	"\"volumes\":[],\"configs\":[],\"placementPolicy\":{\"type\":\"ANY\"},"                 \
	"\"tags\":{},\"env\":{\"A\":\"1\"},\"args\":[\"sh\",\"-c\",\"true\"],"                  \
	"\"logging\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}}"

static const char *SIMPLE = "{\"name\":\"nightly-report\",\"task\":" TASK(
        "t1") ",\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"0 0/5 * * * ?\"},"
              "\"notify\":{\"type\":\"MAIL\",\"emails\":[\"ops@example.com\"]}}";

static drove_epoch_topology *parse_ok(const char *json)
{
	drove_epoch_topology *t = NULL;
	drove_strlist *errs = NULL;
	int rc = drove_epoch_topology_from_json(&t, ctx, json, strlen(json), NOW, &errs);
	if (rc != 0)
		ck_abort_msg("rc %d: %s", rc, drove_error_last()->message);
	ck_assert_ptr_null(errs);
	return t;
}

START_TEST(test_simple)
{
	drove_epoch_topology *t = parse_ok(SIMPLE);
	char *spec = NULL, *doc = NULL;
	int64_t n;

	ck_assert_str_eq(drove_epoch_topology_name(t), "nightly-report");
	ck_assert_int_eq(drove_epoch_topology_trigger(t), DROVE_EPOCH_TRIGGER_CRON);
	ck_assert_int_eq(drove_epoch_topology_at(t), 0);
	ck_assert_int_eq(drove_cron_next(drove_epoch_topology_cron(t), NOW, &n), 0);
	ck_assert_int_eq(n % 300000, 0);
	ck_assert_uint_eq(drove_epoch_topology_task_count(t), 1);
	ck_assert_str_eq(drove_epoch_topology_task_name(t, 0), "t1");
	ck_assert_ptr_null(drove_epoch_topology_task_name(t, 1));

	ck_assert_int_eq(drove_epoch_topology_task_spec(t, 0, "EPOCH", "SR-1780000200", &spec), 0);
	struct json_object *j = json_tokener_parse(spec), *v;
	ck_assert_ptr_nonnull(j);
	ck_assert(json_object_object_get_ex(j, "taskId", &v));
	ck_assert_str_eq(json_object_get_string(v), "nightly-report-SR-1780000200-t1");
	ck_assert(json_object_object_get_ex(j, "sourceAppName", &v));
	ck_assert_str_eq(json_object_get_string(v), "EPOCH");
	ck_assert(!json_object_object_get_ex(j, "taskName", NULL));
	ck_assert(!json_object_object_get_ex(j, "type", NULL));
	json_object_put(j);
	/* the spec a run sends passes the controller's validation */
	ck_assert_int_eq(drove_spec_validate_json(ctx, spec, strlen(spec), NULL, NULL), 0);
	drove_free(spec);

	ck_assert_int_eq(drove_epoch_topology_task_spec(t, 1, "EPOCH", "SR-1", &spec),
	                 DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_topology_task_spec(t, 0, "EPOCH", "bad id", &spec),
	                 DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_topology_to_json(t, &doc), 0);
	ck_assert_ptr_nonnull(strstr(doc, "\"name\":\"nightly-report\""));
	drove_free(doc);
	drove_epoch_topology_free(t);
	drove_epoch_topology_free(NULL);
}
END_TEST

START_TEST(test_composite_and_at)
{
	const char *json =
	        "{\"name\":\"etl\",\"task\":{\"type\":\"COMPOSITE\","
	        "\"compositionType\":\"ALL\",\"tasks\":[" TASK(
	                "extract") ","
	                           "{\"type\":\"COMPOSITE\",\"compositionType\":\"ANY\",\"tasks\":"
	                           "[" TASK("load-a") "," TASK(
	                                   "load-b") "]}]},"
	                                             "\"trigger\":{\"type\":\"AT\",\"time\":"
	                                             "1790000000000},"
	                                             "\"notify\":{\"type\":\"BLACKHOLE\"}}";
	drove_epoch_topology *t = parse_ok(json);

	ck_assert_int_eq(drove_epoch_topology_trigger(t), DROVE_EPOCH_TRIGGER_AT);
	ck_assert_int_eq(drove_epoch_topology_at(t), 1790000000000LL);
	ck_assert_ptr_null(drove_epoch_topology_cron(t));
	ck_assert_uint_eq(drove_epoch_topology_task_count(t), 3);
	ck_assert_str_eq(drove_epoch_topology_task_name(t, 0), "extract");
	ck_assert_str_eq(drove_epoch_topology_task_name(t, 2), "load-b");
	drove_epoch_topology_free(t);
}
END_TEST

struct bad {
	const char *json, *first;
};

static const struct bad BAD[] = {
        {"[]", "topology: must be a JSON object"},
        {"{", "invalid json"},
        {"{\"task\":" TASK("t") ",\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"* * * * * ?\"}}",
         "name: is required"},
        {"{\"name\":\"a b\",\"task\":" TASK("t") ",\"trigger\":{\"type\":\"CRON\","
                                                 "\"timeSpec\":\"* * * * * ?\"}}",
         "name: must match"},
        {"{\"name\":\"x\",\"color\":1,\"task\":" TASK("t") ",\"trigger\":{\"type\":\"CRON\","
                                                           "\"timeSpec\":\"* * * * * ?\"}}",
         "color: unknown field"},
        {"{\"name\":\"x\",\"task\":" TASK("t") ",\"trigger\":{\"type\":\"CRON\","
                                               "\"timeSpec\":\"0 61 * * * ?\"}}",
         "trigger.timeSpec: minutes: 61 is outside 0-59"},
        {"{\"name\":\"x\",\"task\":" TASK(
                 "t") ",\"trigger\":{\"type\":\"CRON\","
                      "\"timeSpec\":\"0 1 * * * ?\",\"timeZone\":\"Nowhere/City\"}}",
         "trigger.timeZone: time zone Nowhere/City: unknown zone"},
        {"{\"name\":\"x\",\"task\":" TASK("t") ",\"trigger\":{\"type\":\"AT\",\"time\":1000}}",
         "trigger.time: 1000 is in the past"},
        {"{\"name\":\"x\",\"task\":" TASK("t") ",\"trigger\":{\"type\":\"WEEKLY\"}}",
         "trigger.type: must be CRON or AT"},
        {"{\"name\":\"x\",\"task\":" TASK("t") "}", "trigger: is required"},
        {"{\"name\":\"x\",\"trigger\":{\"type\":\"AT\",\"time\":1790000000000}}",
         "task: is required"},
        {"{\"name\":\"x\",\"task\":{\"type\":\"COMPOSITE\",\"compositionType\":\"SOME\","
         "\"tasks\":[" TASK("t") "]},\"trigger\":{\"type\":\"AT\",\"time\":1790000000000}}",
         "task.compositionType: must be ALL or ANY"},
        {"{\"name\":\"x\",\"task\":{\"type\":\"COMPOSITE\",\"compositionType\":\"ALL\","
         "\"tasks\":[" TASK("t") "," TASK("t") "]},\"trigger\":{\"type\":\"AT\","
                                               "\"time\":1790000000000}}",
         "task.tasks[1].taskName: duplicate task name \"t\""},
        {"{\"name\":\"x\",\"task\":{\"type\":\"CONTAINER_EXECUTION\",\"taskName\":\"t\"},"
         "\"trigger\":{\"type\":\"AT\",\"time\":1790000000000}}",
         "task."},
        {"{\"name\":\"x\",\"task\":{\"type\":\"SHELL\"},\"trigger\":{\"type\":\"AT\","
         "\"time\":1790000000000}}",
         "task.type: must be CONTAINER_EXECUTION or COMPOSITE"},
        {"{\"name\":\"x\",\"task\":" TASK("t") ",\"trigger\":{\"type\":\"AT\","
                                               "\"time\":1790000000000},\"notify\":{\"type\":"
                                               "\"MAIL\",\"emails\":[\"nobody\"]}}",
         "notify.emails[0]: not an email address"},
        {"{\"name\":\"x\",\"task\":" TASK(
                 "t") ",\"trigger\":{\"type\":\"AT\","
                      "\"time\":1790000000000},\"notify\":{\"type\":\"PIGEON\"}}",
         "notify.type: must be MAIL or BLACKHOLE"},
};

START_TEST(test_bad)
{
	drove_epoch_topology *t = NULL;
	drove_strlist *errs = NULL;
	const struct bad *b = &BAD[_i];

	ck_assert_int_eq(
	        drove_epoch_topology_from_json(&t, ctx, b->json, strlen(b->json), NOW, &errs),
	        DROVE_EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(drove_error_last()->message, b->first) != NULL, "#%d: '%s' lacks '%s'",
	              _i, drove_error_last()->message, b->first);
	drove_strlist_free(errs);
}
END_TEST

START_TEST(test_bad_task_spec_fields)
{
	/* the controller's rules apply to each task, and unknown task fields are refused */
	const char *json = "{\"name\":\"x\",\"task\":{\"type\":\"CONTAINER_EXECUTION\","
	                   "\"taskName\":\"t\",\"executable\":{\"type\":\"DOCKER\",\"url\":\"i\","
	                   "\"dockerPullTimeout\":\"1 minute\"},\"resources\":[{\"type\":\"CPU\","
	                   "\"count\":0},{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"bogus\":1,"
	                   "\"placementPolicy\":{\"type\":\"ANY\"},\"logging\":{\"type\":\"LOCAL\","
	                   "\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true}},"
	                   "\"trigger\":{\"type\":\"CRON\",\"timeSpec\":\"* * * * * *\"}}";
	drove_epoch_topology *t = NULL;
	drove_strlist *errs = NULL;

	ck_assert_int_eq(drove_epoch_topology_from_json(&t, ctx, json, strlen(json), NOW, &errs),
	                 DROVE_EINVAL);
	char *all = drove_strlist_join(errs, "\n");
	ck_assert_ptr_nonnull(strstr(all, "task.bogus: unknown field"));
	ck_assert_ptr_nonnull(strstr(all, "task.resources[0].count"));
	ck_assert_ptr_nonnull(strstr(all, "trigger.timeSpec: dayOfWeek"));
	drove_free(all);
	drove_strlist_free(errs);

	char big[DROVE_EPOCH_TOPOLOGY_MAX + 2];
	memset(big, ' ', sizeof(big));
	ck_assert_int_eq(drove_epoch_topology_from_json(&t, ctx, big, sizeof(big), NOW, NULL),
	                 DROVE_EINVAL);
	ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "larger than"));
	ck_assert_int_eq(drove_epoch_topology_from_json(NULL, ctx, "{}", 2, NOW, NULL),
	                 DROVE_EINVAL);
}
END_TEST

START_TEST(test_run_id)
{
	char *a = NULL, *b = NULL;
	ck_assert_int_eq(drove_epoch_run_id(1780000200999LL, &a), 0);
	ck_assert_int_eq(drove_epoch_run_id(1780000200000LL, &b), 0);
	ck_assert_str_eq(a, "SR-1780000200");
	ck_assert_str_eq(a, b); /* the same scheduled second, the same run */
	ck_assert(drove_id_is_valid_name(a));
	drove_free(a);
	drove_free(b);
	ck_assert_int_eq(drove_epoch_run_id(-1, &a), DROVE_EINVAL);
	ck_assert_int_eq(drove_epoch_run_id(0, NULL), DROVE_EINVAL);
}
END_TEST

START_TEST(test_due)
{
	drove_cron *c = NULL;
	int64_t fire, next, sk[4];
	size_t n;
	const int64_t base = 1780000200000LL; /* a whole minute */

	ck_assert_int_eq(drove_cron_parse(&c, "0 * * * * ?", NULL), 0);
	/* nothing due yet */
	ck_assert_int_eq(drove_epoch_due(c, base, base + 30000, 5000, &fire, sk, 4, &n, &next), 0);
	ck_assert_int_eq(fire, 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(next, base + 60000);
	/* on time (100 ms late): fires */
	ck_assert_int_eq(drove_epoch_due(c, base, base + 60100, 5000, &fire, sk, 4, &n, &next), 0);
	ck_assert_int_eq(fire, base + 60000);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(next, base + 120000);
	/* down for ten minutes: the nine older times are skipped, the newest within 5 s fires */
	ck_assert_int_eq(drove_epoch_due(c, base, base + 600002, 5000, &fire, sk, 4, &n, &next), 0);
	ck_assert_int_eq(fire, base + 600000);
	ck_assert_uint_eq(n, 9);
	ck_assert_int_eq(sk[0], base + 60000);
	ck_assert_int_eq(sk[3], base + 240000);
	/* down, and the last time is outside the window too: everything skipped */
	ck_assert_int_eq(drove_epoch_due(c, base, base + 630000, 5000, &fire, NULL, 0, &n, &next),
	                 0);
	ck_assert_int_eq(fire, 0);
	ck_assert_uint_eq(n, 10);
	ck_assert_int_eq(next, base + 660000);
	drove_cron_free(c);

	/* every second, down for a day: the count stops, the scan jumps, the newest fires */
	ck_assert_int_eq(drove_cron_parse(&c, "* * * * * ?", NULL), 0);
	ck_assert_int_eq(drove_epoch_due(c, base, base + 86400000, 1000, &fire, NULL, 0, &n, &next),
	                 0);
	ck_assert_int_eq(fire, base + 86400000);
	ck_assert_uint_ge(n, 10000);
	ck_assert_uint_lt(n, 10010);
	ck_assert_int_eq(drove_epoch_due(c, base, base, -1, &fire, NULL, 0, &n, &next),
	                 DROVE_EINVAL);
	drove_cron_free(c);

	/* a schedule that has ended */
	ck_assert_int_eq(drove_cron_parse(&c, "0 0 0 1 1 ? 2026", NULL), 0);
	ck_assert_int_eq(drove_epoch_due(c, base, base + 1000, 0, &fire, NULL, 0, &n, &next), 0);
	ck_assert_int_eq(fire, 0);
	ck_assert_int_eq(next, 0);
	drove_cron_free(c);
}
END_TEST

START_TEST(test_drove_state_mapping)
{
	static const struct {
		const char *state, *result;
		int want;
	} rows[] = {
	        {"PENDING", NULL, DROVE_EPOCH_TASK_STARTING},
	        {"PROVISIONING", NULL, DROVE_EPOCH_TASK_STARTING},
	        {"STARTING", NULL, DROVE_EPOCH_TASK_STARTING},
	        {"RUNNING", NULL, DROVE_EPOCH_TASK_RUNNING},
	        {"RUN_COMPLETED", NULL, DROVE_EPOCH_TASK_RUNNING},
	        {"DEPROVISIONING", NULL, DROVE_EPOCH_TASK_RUNNING},
	        {"PROVISIONING_FAILED", NULL, DROVE_EPOCH_TASK_FAILED},
	        {"LOST", NULL, DROVE_EPOCH_TASK_FAILED},
	        {"STOPPED", "SUCCESSFUL", DROVE_EPOCH_TASK_COMPLETED},
	        {"STOPPED", NULL, DROVE_EPOCH_TASK_COMPLETED},
	        {"STOPPED", "CANCELLED", DROVE_EPOCH_TASK_CANCELLED},
	        {"STOPPED", "TIMED_OUT", DROVE_EPOCH_TASK_FAILED},
	        {"STOPPED", "FAILED", DROVE_EPOCH_TASK_FAILED},
	        {"STOPPED", "LOST", DROVE_EPOCH_TASK_FAILED},
	        {"RUN_FAILED", NULL, DROVE_EPOCH_TASK_FAILED},
	        {"RUN_FAILED", "FAILED", DROVE_EPOCH_TASK_FAILED},
	        {"STOPPED", "EVAPORATED", DROVE_EPOCH_TASK_FAILED}, /* a result newer than us */
	        {"RUNNING", "EVAPORATED", DROVE_EPOCH_TASK_RUNNING},
	        {"UNKNOWN", NULL, DROVE_EPOCH_TASK_UNKNOWN},
	        {"WHATEVER", NULL, DROVE_EPOCH_TASK_UNKNOWN},
	        {"WHATEVER", "SUCCESSFUL", DROVE_EPOCH_TASK_UNKNOWN},
	        {"stopped", NULL, DROVE_EPOCH_TASK_UNKNOWN}, /* Drove's names, exactly */
	        {NULL, NULL, DROVE_EPOCH_TASK_UNKNOWN},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(rows); i++)
		ck_assert_msg(drove_epoch_task_state_from_drove(rows[i].state, rows[i].result) ==
		                      rows[i].want,
		              "%s/%s", rows[i].state, rows[i].result);
	/* the names are the model's: every Drove state and result maps as its name does */
	for (int st = DROVE_TASK_PENDING; st <= DROVE_TASK_UNKNOWN; st++) {
		ck_assert_int_eq(
		        drove__epoch_task_state_map(st, -1),
		        drove_epoch_task_state_from_drove(drove_task_state_name(st), NULL));
		for (int r = DROVE_TASK_RESULT_SUCCESSFUL; r <= DROVE_TASK_RESULT_LOST; r++)
			ck_assert_int_eq(drove__epoch_task_state_map(st, r),
			                 drove_epoch_task_state_from_drove(
			                         drove_task_state_name(st),
			                         drove_task_result_status_name(r)));
	}
	ck_assert_int_eq(drove__epoch_task_state_map(-1, -1), DROVE_EPOCH_TASK_UNKNOWN);
	ck_assert_int_eq(drove__epoch_task_state_map(DROVE_TASK_UNKNOWN + 1, -1),
	                 DROVE_EPOCH_TASK_UNKNOWN);
	ck_assert_int_eq(drove__epoch_task_state_map(DROVE_TASK_STOPPED, DROVE__EPOCH_RESULT_NEW),
	                 DROVE_EPOCH_TASK_FAILED);
	ck_assert_int_eq(drove__epoch_task_state_map(DROVE_TASK_STOPPED, -1),
	                 DROVE_EPOCH_TASK_COMPLETED);
	/* a query: the thread's error is left alone */
	drove__error(DROVE_ENOTFOUND, "before");
	drove_epoch_task_state_from_drove("WHATEVER", "NOPE");
	ck_assert_int_eq(drove_error_last()->code, DROVE_ENOTFOUND);
	ck_assert_str_eq(drove_epoch_task_state_name(DROVE_EPOCH_TASK_CANCELLED), "CANCELLED");
	ck_assert_str_eq(drove_epoch_task_state_name(DROVE_EPOCH_TASK_PENDING), "PENDING");
	ck_assert_str_eq(drove_epoch_task_state_name(99), "UNKNOWN");
}
END_TEST

START_TEST(test_run_state_all_any)
{
	/* ALL[ extract, ANY[ load-a, load-b ] ] */
	const char *json = "{\"name\":\"etl\",\"task\":{\"type\":\"COMPOSITE\","
	                   "\"compositionType\":\"ALL\",\"tasks\":[" TASK(
	                           "extract") ","
	                                      "{\"type\":\"COMPOSITE\",\"compositionType\":\"ANY\","
	                                      "\"tasks\":[" TASK("load-a") "," TASK(
	                                              "load-b") "]}]},"
	                                                        "\"trigger\":{\"type\":\"CRON\","
	                                                        "\"timeSpec\":\"0 0 * * * ?\"}}";
	drove_epoch_topology *t = parse_ok(json);
	enum {
		C = DROVE_EPOCH_TASK_COMPLETED,
		F = DROVE_EPOCH_TASK_FAILED,
		R = DROVE_EPOCH_TASK_RUNNING,
		X = DROVE_EPOCH_TASK_CANCELLED
	};
	static const struct {
		int s[3], want;
	} rows[] = {
	        {{C, C, F}, DROVE_EPOCH_RUN_SUCCESSFUL}, {{C, F, C}, DROVE_EPOCH_RUN_SUCCESSFUL},
	        {{C, F, F}, DROVE_EPOCH_RUN_FAILED},     {{F, C, C}, DROVE_EPOCH_RUN_FAILED},
	        {{C, R, F}, DROVE_EPOCH_RUN_RUNNING},    {{R, C, C}, DROVE_EPOCH_RUN_RUNNING},
	        {{C, X, X}, DROVE_EPOCH_RUN_FAILED},     {{C, C, C}, DROVE_EPOCH_RUN_SUCCESSFUL},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(rows); i++)
		ck_assert_msg(drove_epoch_topology_run_state(t, rows[i].s, 3) == rows[i].want,
		              "row %zu", i);
	ck_assert_int_eq(drove_epoch_topology_run_state(t, rows[0].s, 2), DROVE_EINVAL);
	drove_epoch_topology_free(t);

	t = parse_ok(SIMPLE);
	int one = DROVE_EPOCH_TASK_COMPLETED;
	ck_assert_int_eq(drove_epoch_topology_run_state(t, &one, 1), DROVE_EPOCH_RUN_SUCCESSFUL);
	one = DROVE_EPOCH_TASK_STARTING;
	ck_assert_int_eq(drove_epoch_topology_run_state(t, &one, 1), DROVE_EPOCH_RUN_RUNNING);
	drove_epoch_topology_free(t);
}
END_TEST

/* Epoch visits the tasks one at a time, depth first, lazily: a nested ANY satisfied by its
 * first child never runs the second, and a failed nested ALL skips its rest too. */
START_TEST(test_next_task_nested)
{
	/* OUTER[ INNER[ a, b ], c ] */
#define NESTED(outer, inner)                                                                     \
	"{\"name\":\"n\",\"task\":{\"type\":\"COMPOSITE\",\"compositionType\":\"" outer "\","    \
	"\"tasks\":[{\"type\":\"COMPOSITE\",\"compositionType\":\"" inner "\",\"tasks\":[" TASK( \
	        "a") "," TASK("b") "]}," TASK("c") "]},\"trigger\":{\"type\":\"CRON\","          \
	                                           "\"timeSpec\":\"0 0 * * * ?\"}}"
	const char *all_any = NESTED("ALL", "ANY"), *any_all = NESTED("ANY", "ALL");
#undef NESTED
	enum {
		P = DROVE_EPOCH_TASK_PENDING,
		C = DROVE_EPOCH_TASK_COMPLETED,
		F = DROVE_EPOCH_TASK_FAILED,
		R = DROVE_EPOCH_TASK_RUNNING
	};
	static const struct {
		int which, s[3], want;
		size_t next;
	} rows[] = {
	        {0, {P, P, P}, DROVE_EPOCH_RUN_RUNNING, 0},
	        {0, {R, P, P}, DROVE_EPOCH_RUN_RUNNING, 0},
	        {0, {C, P, P}, DROVE_EPOCH_RUN_RUNNING, 2}, /* b skipped: the ANY is satisfied */
	        {0, {F, P, P}, DROVE_EPOCH_RUN_RUNNING, 1}, /* the ANY tries b */
	        {0, {F, F, P}, DROVE_EPOCH_RUN_FAILED, 3},  /* c never runs */
	        {0, {C, P, C}, DROVE_EPOCH_RUN_SUCCESSFUL, 3},
	        {0, {C, P, F}, DROVE_EPOCH_RUN_FAILED, 3},
	        {1, {F, P, P}, DROVE_EPOCH_RUN_RUNNING, 2}, /* b skipped: the ALL failed */
	        {1, {C, P, P}, DROVE_EPOCH_RUN_RUNNING, 1},
	        {1, {C, C, P}, DROVE_EPOCH_RUN_SUCCESSFUL, 3}, /* c never runs */
	        {1, {F, P, F}, DROVE_EPOCH_RUN_FAILED, 3},
	};
	drove_epoch_topology *t[2] = {parse_ok(all_any), parse_ok(any_all)};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(rows); i++) {
		size_t next = 99;
		int rs = drove__epoch_topology_next_task(t[rows[i].which], rows[i].s, 3, &next);
		ck_assert_msg(rs == rows[i].want && next == rows[i].next,
		              "row %zu: state %d next %zu", i, rs, next);
		ck_assert_int_eq(drove_epoch_topology_run_state(t[rows[i].which], rows[i].s, 3),
		                 rs);
	}
	ck_assert_int_eq(drove__epoch_topology_next_task(t[0], rows[0].s, 2, NULL), DROVE_EINVAL);
	drove_epoch_topology_free(t[0]);
	drove_epoch_topology_free(t[1]);
}
END_TEST

START_TEST(test_task_exists)
{
	const char *yes = "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"Task already "
	                  "exists for EPOCH/x-SR-1-t\"]},\"message\":\"Validation failure\"}";
	const char *no = "{\"status\":\"FAILED\",\"data\":{\"validationErrors\":[\"cpus: must "
	                 "be at least 1\",\"Task already exists \"]}}";
	ck_assert_int_eq(drove_epoch_is_task_exists(yes, strlen(yes)), 1);
	ck_assert_int_eq(drove_epoch_is_task_exists(no, strlen(no)), 0);
	ck_assert_int_eq(drove_epoch_is_task_exists("{\"data\":[]}", 11), 0);
	ck_assert_int_eq(drove_epoch_is_task_exists("not json", 8), 0);
	ck_assert_int_eq(drove_epoch_is_task_exists(NULL, 0), 0);
}
END_TEST

START_TEST(test_timetable)
{
	drove_epoch_timetable *tt = NULL;
	drove_cron *every2 = NULL, *every3 = NULL, *once = NULL;
	const int64_t base = 1780000200000LL; /* a whole minute */
	char *id = NULL;
	int64_t at, seen2 = 0, seen3 = 0, last = 0;

	ck_assert_int_eq(drove_epoch_timetable_new(&tt), 0);
	ck_assert_int_eq(drove_cron_parse(&every2, "*/2 * * * * ?", NULL), 0);
	ck_assert_int_eq(drove_cron_parse(&every3, "*/3 * * * * ?", NULL), 0);
	ck_assert_int_eq(drove_cron_parse(&once, "0 0 0 1 1 ? 2026", NULL), 0);
	ck_assert_int_eq(drove_epoch_timetable_next(tt), 0);
	ck_assert_int_eq(drove_epoch_timetable_add(tt, "two", every2, base), 0);
	ck_assert_int_eq(drove_epoch_timetable_add(tt, "three", every3, base), 0);
	drove_assert_error(drove_epoch_timetable_add(tt, "two", every3, base), DROVE_EEXISTS,
	                   "two");
	ck_assert_int_eq(drove_epoch_timetable_add(tt, "past", once, base), DROVE_ENOTFOUND);
	ck_assert_uint_eq(drove_epoch_timetable_count(tt), 2);
	ck_assert_int_eq(drove_epoch_timetable_next(tt), base + 2000);
	ck_assert_int_eq(drove_epoch_timetable_pop(tt, base + 1999, &id, &at), 0);
	/* twelve seconds: "two" 6 times, "three" 4 times, in time order */
	while (drove_epoch_timetable_pop(tt, base + 12000, &id, &at) == 1) {
		ck_assert_int_ge(at, last);
		last = at;
		if (!strcmp(id, "two")) {
			ck_assert_int_eq(at % 2000, 0);
			seen2++;
		} else {
			ck_assert_str_eq(id, "three");
			ck_assert_int_eq(at % 3000, 0);
			seen3++;
		}
		drove_free(id);
	}
	ck_assert_int_eq(seen2, 6);
	ck_assert_int_eq(seen3, 4);
	ck_assert_int_eq(drove_epoch_timetable_remove(tt, "two"), 0);
	ck_assert_int_eq(drove_epoch_timetable_remove(tt, "two"), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_epoch_timetable_next(tt), base + 15000);
	/* a schedule that ends leaves the timetable after its last time */
	ck_assert_int_eq(drove_epoch_timetable_add(tt, "once", once, 1767225599000LL), 0);
	ck_assert_int_eq(drove_epoch_timetable_pop(tt, 1767225600000LL, &id, &at), 1);
	ck_assert_str_eq(id, "once");
	drove_free(id);
	ck_assert_uint_eq(drove_epoch_timetable_count(tt), 1);
	ck_assert_int_eq(drove_epoch_timetable_pop(tt, 0, NULL, &at), DROVE_EINVAL);
	drove_epoch_timetable_free(tt);
	drove_epoch_timetable_free(NULL);
	drove_cron_free(every2);
	drove_cron_free(every3);
	drove_cron_free(once);
}
END_TEST

/* Many topologies sharing a few crons (freed by the caller right after adding: the timetable
 * holds them), some taken out again: every one left fires at each of its times, in order. */
START_TEST(test_timetable_many)
{
	enum { N = 3000, K = 7 };
	drove_epoch_timetable *tt = NULL;
	drove_cron *cron[K + 1] = {0};
	const int64_t base = 1780000200000LL; /* a whole minute */
	static int fired[N];
	char id[32], *got = NULL;
	int64_t at, last = 0;

	ck_assert_int_eq(drove_epoch_timetable_new(&tt), 0);
	for (int k = 1; k <= K; k++) {
		snprintf(id, sizeof(id), "*/%d * * * * ?", k);
		ck_assert_int_eq(drove_cron_parse(&cron[k], id, k % 2 ? "UTC" : "Asia/Kolkata"), 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "t%d", i);
		ck_assert_int_eq(drove_epoch_timetable_add(tt, id, cron[1 + i % K], base), 0);
	}
	for (int i = 0; i < N; i += 3) {
		snprintf(id, sizeof(id), "t%d", i);
		ck_assert_int_eq(drove_epoch_timetable_remove(tt, id), 0);
		ck_assert_int_eq(drove_epoch_timetable_remove(tt, id), DROVE_ENOTFOUND);
	}
	drove_assert_error(drove_epoch_timetable_add(tt, "t1", cron[2], base), DROVE_EEXISTS, "t1");
	ck_assert_int_eq(drove_epoch_timetable_add(tt, "t0", cron[1], base), 0); /* back in */
	ck_assert_int_eq(drove_epoch_timetable_remove(tt, "t0"), 0);
	for (int k = 1; k <= K; k++)
		drove_cron_free(cron[k]);
	ck_assert_uint_eq(drove_epoch_timetable_count(tt), N - N / 3);
	while (drove_epoch_timetable_pop(tt, base + 60000, &got, &at) == 1) {
		int i = atoi(got + 1), k = 1 + i % K;
		ck_assert_int_ne(i % 3, 0);
		ck_assert_int_ge(at, last);
		ck_assert_int_eq((at - base) / 1000 % 60 % k, 0);
		last = at;
		fired[i]++;
		drove_free(got);
	}
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(fired[i], i % 3 ? 59 / (1 + i % K) + 1 : 0);
	ck_assert_uint_eq(drove_epoch_timetable_count(tt), N - N / 3);
	drove_epoch_timetable_free(tt);
}
END_TEST

Suite *epoch_suite(void)
{
	Suite *s = suite_create("epoch");
	TCase *tc = tcase_create("topology");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_simple);
	tcase_add_test(tc, test_composite_and_at);
	tcase_add_loop_test(tc, test_bad, 0, (int)DROVE_ARRAY_LEN(BAD));
	tcase_add_test(tc, test_bad_task_spec_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("schedule");
	tcase_add_test(tc, test_run_id);
	tcase_add_test(tc, test_due);
	tcase_add_test(tc, test_timetable);
	tcase_add_test(tc, test_timetable_many);
	suite_add_tcase(s, tc);
	tc = tcase_create("drove");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_drove_state_mapping);
	tcase_add_test(tc, test_run_state_all_any);
	tcase_add_test(tc, test_next_task_nested);
	tcase_add_test(tc, test_task_exists);
	suite_add_tcase(s, tc);
	return s;
}
