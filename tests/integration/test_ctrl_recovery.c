/* The controller's recovery end to end (issue 14), on the fixture of test_ctrl_env.h: an
 * executor lost and coming back, a restart on the embedded store while an executor is
 * silent or a task's start is in flight, and on ZooKeeper a leader's death and the expiry of
 * its session. */
#include "store/store_internal.h"
#include "test_ctrl_env.h"

static void kill_fake(void *ud)
{
	((struct fake_exec *)ud)->dead = 1;
}

static void revive_fake(void *ud)
{
	struct fake_exec *f = ud;
	f->dead = 0;
	fake_snapshot(f);
}

START_TEST(test_executor_lost)
{
	int64_t t0;
	struct json_object *root, *d;
	int removed = 0, stops;

	struct fake_exec *victim, *other;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	victim = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	other = victim == fx[0] ? fx[1] : fx[0];
	ck_assert_int_gt(count_on(victim), 0);
	t0 = drove_time_mono_ms();
	on_loop(kill_fake, victim);
	/* its instances are replaced on the other executor within 8 s */
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "not replaced within 8 s");
		if (count_on(other) == 4 && app_field("healthyInstances") == 4 &&
		    app_state_is("RUNNING"))
			break;
		usleep(50 * 1000);
	}
	d = get_data("/apis/v1/cluster/executors", &root);
	for (size_t i = 0; i < json_object_array_length(d); i++)
		if (!strcmp(json_object_get_string(json_object_object_get(
		                    json_object_array_get_idx(d, i), "state")),
		            "REMOVED"))
			removed++;
	ck_assert_int_eq(removed, 1);
	json_object_put(root);
	d = get_data("/apis/v1/cluster/events/summary", &root);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
	                         json_object_object_get(d, "eventsCount"), "EXECUTOR_REMOVED")),
	                 1);
	json_object_put(root);
	/* The executor comes back (a healed partition) still running the instances that were
	 * declared LOST and replaced: they stay LOST, it is told they are stale and stops them,
	 * and nothing on the other executor is touched. */
	stops = other->stops + other->stale_stops;
	on_loop(revive_fake, victim);
	t0 = drove_time_mono_ms();
	while (count_on(victim) > 0) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000,
		              "the returning executor still runs %d replaced instances",
		              count_on(victim));
		usleep(50 * 1000);
	}
	ck_assert_int_gt(victim->stale_stops, 0);
	sleep(2);
	ck_assert_int_eq(count_on(other), 4);
	ck_assert_int_eq(other->stops + other->stale_stops, stops);
	ck_assert_int_eq(app_field("healthyInstances"), 4);
}
END_TEST

/* ---- EXPECTED_INSTANCES names, to each executor, its own instances and no others ---- */

static void reset_expected(void *ud)
{
	(void)ud;
	for (int i = 0; i < 2; i++)
		fx[i]->expected_msgs = fx[i]->foreign_known = fx[i]->n_unheld = 0;
}

static void settle_foreign(void *ud)
{
	(void)ud;
	for (int i = 0; i < 2; i++)
		fake_settle_foreign(fx[i]);
}

/* The leader groups its records by executor for every pass (engine.c): an instance listed to
 * the wrong executor, or a group cut short, shows here as a foreign id or as the executor's
 * own instance stopped as stale. */
START_TEST(test_expected_per_executor)
{
	int64_t t0;
	int stale;

	create_app(8);
	wait_app("RUNNING", 8, 8000);
	stale = fx[0]->stale_stops + fx[1]->stale_stops;
	on_loop(reset_expected, NULL);
	t0 = drove_time_mono_ms();
	while (fx[0]->expected_msgs < 2 || fx[1]->expected_msgs < 2) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "no EXPECTED_INSTANCES (%d, %d)",
		              fx[0]->expected_msgs, fx[1]->expected_msgs);
		usleep(50 * 1000);
	}
	on_loop(settle_foreign, NULL);
	ck_assert_int_eq(fx[0]->foreign_known, 0);
	ck_assert_int_eq(fx[1]->foreign_known, 0);
	ck_assert_int_eq(fx[0]->stale_stops + fx[1]->stale_stops, stale);
	ck_assert_int_eq(count_on(fx[0]) + count_on(fx[1]), 8);
}
END_TEST

/* ---- EXPECTED_INSTANCES in slices (issue 21): 40 executors go out in three slices ---- */

#define N_MORE 38
static struct fake_exec *more[N_MORE];

static void more_new(void *ud)
{
	(void)ud;
	for (int i = 0; i < N_MORE; i++) {
		more[i] = fake_new(loop, 8, 8192, 300);
		fake_add_controller(more[i], port);
	}
}

static void more_free(void *ud)
{
	(void)ud;
	for (int i = 0; i < N_MORE; i++) {
		fake_free(more[i]);
		more[i] = NULL;
	}
}

static void reset_expected_all(void *ud)
{
	reset_expected(ud);
	for (int i = 0; i < N_MORE; i++)
		more[i]->expected_msgs = more[i]->foreign_known = more[i]->stale_stops =
		        more[i]->n_unheld = 0;
}

static void settle_foreign_all(void *ud)
{
	settle_foreign(ud);
	for (int i = 0; i < N_MORE; i++)
		fake_settle_foreign(more[i]);
}

static struct fake_exec *nth_fake(int i)
{
	return i < 2 ? fx[i] : more[i - 2];
}

/* Each slice's lists are built when it goes out: a scale-up running across the passes (one a
 * second, 16 executors a slice, a slice every 20 ms) never lists an instance to the wrong
 * executor nor calls a new one stale, and every executor hears from every pass. A start in
 * flight is listed to its executor before its START arrives there: foreign only if it never
 * does. */
START_TEST(test_expected_in_slices)
{
	int64_t t0;
	int held = 0, missing;

	on_loop(more_new, NULL);
	wait_execs(2 + N_MORE);
	create_app(40);
	wait_app("RUNNING", 40, 15000);
	on_loop(reset_expected_all, NULL);
	simple_op("SCALE", "\"requiredInstances\":120");
	wait_app("RUNNING", 120, 20000);
	for (t0 = drove_time_mono_ms();; usleep(50 * 1000)) {
		missing = 0;
		for (int i = 0; i < 2 + N_MORE; i++)
			missing += nth_fake(i)->expected_msgs < 2;
		if (!missing)
			break;
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000,
		              "%d executors without two EXPECTED_INSTANCES", missing);
	}
	/* every start is done (RUNNING 120): an id listed here and still not held here went to
	 * the wrong executor */
	on_loop(settle_foreign_all, NULL);
	for (int i = 0; i < 2 + N_MORE; i++) {
		ck_assert_int_eq(nth_fake(i)->foreign_known, 0);
		ck_assert_int_eq(nth_fake(i)->stale_stops, 0);
		held += count_on(nth_fake(i));
	}
	ck_assert_int_eq(held, 120);
}
END_TEST

/* the loop stopped first: no timer of a freed executor's runs, and its events are freed on a
 * live loop */
static void teardown_more(void)
{
	stop_loop();
	more_free(NULL);
	teardown();
}

/* ---- restart on the same embedded store: state rebuilt, nothing restarted ---- */

START_TEST(test_restart_recovers)
{
	int starts;
	create_app(3);
	wait_app("RUNNING", 3, 8000);
	starts = fx[0]->starts + fx[1]->starts;
	restart_leader();
	wait_app("RUNNING", 3, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 3);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
}
END_TEST

/* ---- restart while an executor holding instances is silent: recovery waits for it ---- */

struct readiness {
	struct fake_exec *reported; /* has this one reported to the new leader? */
	int seen, ready;
	int64_t since_acquired, stale_ms;
};

static void read_readiness(void *ud)
{
	struct readiness *r = ud;
	drove__ctrl_exec *e = drove__ctrl_exec_find(ctrl, r->reported->id);
	r->seen = e && !e->removed && e->seen_mono >= ctrl->acquired_mono;
	r->ready = ctrl->ready;
	r->since_acquired = drove_time_mono_ms() - ctrl->acquired_mono;
	r->stale_ms = ctrl->stale_exec_ms;
}

/* Read `r` on the loop until `*flag` (a field of it) is set; fail with `what` after 8 s. */
static void wait_readiness(struct readiness *r, const int *flag, const char *what)
{
	int64_t t0 = drove_time_mono_ms();
	do {
		ck_assert_msg(drove_time_mono_ms() - t0 < 8000, "%s", what);
		usleep(20 * 1000);
		on_loop(read_readiness, r);
	} while (!*flag);
}

START_TEST(test_restart_waits_for_every_executor)
{
	struct fake_exec *silent, *other;
	struct readiness r = {0};
	int starts;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	silent = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	other = silent == fx[0] ? fx[1] : fx[0];
	starts = fx[0]->starts + fx[1]->starts;
	on_loop(kill_fake, silent);
	restart_leader();
	/* the other executor reports to the new leader; the silent one's instances are in the
	 * records, so the leader must not act yet (unless a staleness period has passed) */
	r.reported = other;
	wait_readiness(&r, &r.seen, "the other executor never reported");
	usleep(500 * 1000); /* several recovery checks (every 100 ms) after that report */
	on_loop(read_readiness, &r);
	if (r.since_acquired < r.stale_ms)
		ck_assert_msg(!r.ready,
		              "recovered %lld ms after taking over, before executor %s "
		              "holding instances reported",
		              (long long)r.since_acquired, silent->id);
	on_loop(revive_fake, silent);
	r.reported = silent;
	wait_readiness(&r, &r.ready, "never recovered");
	wait_app("RUNNING", 4, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 4);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
}
END_TEST

/* A new leader with an executor that its records place instances on but that died before
 * reporting to it (RPC mode: no executor address in ZooKeeper's /executor). The last leader
 * recorded it as known, so the new one pings it, loses it within seconds and replaces its
 * instances, instead of waiting one staleExecutorAge (30 s here) for it. */
static void setup_slow_stale(void)
{
	stale_age = "30s";
	setup();
}

static void vanish_fake(void *ud)
{
	struct fake_exec *f = ud;
	f->dead = 1;
	drove__http_server_free(f->srv); /* nothing listens on its port any more */
	f->srv = NULL;
}

START_TEST(test_restart_pings_a_silent_executor)
{
	struct fake_exec *gone, *other;
	struct json_object *root, *d, *stale;
	char *path, *b = NULL;
	int64_t t0;
	int found = 0, held;

	create_app(4);
	wait_app("RUNNING", 4, 8000);
	gone = count_on(fx[0]) > 0 ? fx[0] : fx[1];
	other = gone == fx[0] ? fx[1] : fx[0];
	held = count_on(gone);
	on_loop(vanish_fake, gone);
	restart_leader();
	t0 = drove_time_mono_ms();
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 20000,
		              "not replaced within 20 s (staleExecutorAge is 30 s)");
		if (count_on(other) == 4 && app_field("healthyInstances") == 4 &&
		    app_state_is("RUNNING"))
			break;
		usleep(100 * 1000);
	}
	fprintf(stderr,
	        "test_ctrl_recovery: silent executor's instances replaced %lld ms after "
	        "the restart\n",
	        (long long)(drove_time_mono_ms() - t0));
	/* should it come back, this leader (which never had its snapshot) tells it that the
	 * instances it ran were replaced, so that it adopts none of them */
	path = drove__asprintf("/apis/v1/internal/cluster/executors/%s/instances/last", gone->id);
	ck_assert_int_eq(
	        http_to(port, "GET", path, NULL, NULL, "Cluster-Authorization: exec-secret", &b),
	        200);
	root = json_tokener_parse(b);
	d = json_object_object_get(root, "data");
	ck_assert_msg(json_object_array_length(json_object_object_get(d, "appInstanceIds")) == 0,
	              "%s", b);
	stale = json_object_object_get(d, "staleAppInstanceIds");
	ck_assert_msg(json_object_array_length(stale) == (size_t)held, "%d held: %s", held, b);
	for (size_t i = 0; i < gone->n; i++)
		for (size_t j = 0; j < (size_t)held; j++)
			if (gone->insts[i].state == DROVE_INST_HEALTHY &&
			    !strcmp(gone->insts[i].id,
			            json_object_get_string(json_object_array_get_idx(stale, j))))
				found++;
	ck_assert_msg(found == held, "%d of the %d instances held listed stale: %s", found, held,
	              b);
	json_object_put(root);
	free(b);
	free(path);
}
END_TEST

/* ---- a task start in flight when the controller goes ---- */

static void set_task_mode(void *ud)
{
	for (int i = 0; i < 2; i++)
		fx[i]->task_mode = *(int *)ud;
}

/* state and instanceId of task T1, "" when there is none */
static void task_state(char *state, size_t ns, char *inst, size_t ni)
{
	struct json_object *root = NULL, *d;
	*state = *inst = '\0';
	d = get_data("/apis/v1/tasks/TAPP/instances/T1", &root);
	if (d) {
		snprintf(state, ns, "%s",
		         json_object_get_string(json_object_object_get(d, "state")));
		snprintf(inst, ni, "%s",
		         json_object_get_string(json_object_object_get(d, "instanceId")));
	}
	json_object_put(root);
}

/* *ud: 1 while the controller keeps T1's CREATE for a new leader (tasks.c's STARTS_DIR) */
static void start_kept(void *ud)
{
	*(int *)ud = drove_store_exists(ctrl->store, "/taskstarts/TAPP/T1", NULL) == 0;
	drove_error_clear();
}

START_TEST(test_restart_resumes_a_task_start)
{
	const char *op =
	        "{\"type\":\"CREATE\",\"spec\":{\"sourceAppName\":\"TAPP\",\"taskId\":\"T1\","
	        "\"executable\":{\"type\":\"DOCKER\",\"url\":\"localhost/t:1\","
	        "\"dockerPullTimeout\":\"100 seconds\"},\"resources\":[{\"type\":\"CPU\","
	        "\"count\":1},{\"type\":\"MEMORY\",\"sizeInMB\":32}]}," OPSPEC "}";
	char state[32], first[64], inst[64], *b = NULL;
	int mode = FAKE_TASKS_DROP, kept = 0;
	int64_t t0;

	/* the executors accept START_TASK and keep nothing: to the next leader, a start the last
	 * one left in flight (sent, or about to be, when it went) */
	on_loop(set_task_mode, &mode);
	ck_assert_int_eq(http("POST", "/apis/v1/tasks/operations", op, &b), 200);
	free(b);
	for (t0 = drove_time_mono_ms(); fx[0]->task_starts + fx[1]->task_starts < 1;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 5000, "START_TASK not sent");
		usleep(20 * 1000);
	}
	task_state(state, sizeof(state), first, sizeof(first));
	ck_assert_str_eq(state, "PENDING");
	on_loop(start_kept, &kept);
	ck_assert_int_eq(kept, 1);
	mode = FAKE_TASKS_RUN;
	on_loop(set_task_mode, &mode);
	restart_leader();
	t0 = drove_time_mono_ms();
	/* the new controller starts it again once both executors have reported without it */
	for (;;) {
		task_state(state, sizeof(state), inst, sizeof(inst));
		if (!strcmp(state, "RUNNING"))
			break;
		ck_assert_msg(drove_time_mono_ms() - t0 < 15000,
		              "start not resumed within 15 s: state %s (%s)", state, inst);
		usleep(50 * 1000);
	}
	fprintf(stderr,
	        "test_ctrl_recovery: task start resumed, RUNNING %lld ms after the restart\n",
	        (long long)(drove_time_mono_ms() - t0));
	ck_assert_str_ne(inst, first); /* a new attempt, with a new instance id */
	ck_assert_int_eq(fx[0]->task_starts + fx[1]->task_starts, 2);
	ck_assert_int_eq((int)(fx[0]->n_tasks + fx[1]->n_tasks), 1);
	for (t0 = drove_time_mono_ms(); on_loop(start_kept, &kept), kept;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 3000, "the kept CREATE was not deleted");
		usleep(20 * 1000);
	}
	/* once running, nothing is left to resume: a second restart starts nothing */
	sleep(1);
	restart_leader();
	sleep(3);
	task_state(state, sizeof(state), inst, sizeof(inst));
	ck_assert_str_eq(state, "RUNNING");
	ck_assert_int_eq(fx[0]->task_starts + fx[1]->task_starts, 2);
}
END_TEST

/* ---- ZooKeeper: two controllers, the leader dies, the other takes over ---- */

static void stop_ctrl1(void *ud)
{
	(void)ud;
	drove_controller_stop(ctrl);
}

static void start_ctrl2(void *ud)
{
	(void)ud;
	ck_assert_int_eq(drove_controller_new(&ctrl2, loop, cfg2), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl2, "127.0.0.1"), 0);
	ck_assert_int_eq(drove_controller_start(ctrl2), 0);
	for (int i = 0; i < 2; i++)
		fake_add_controller(fx[i], drove_controller_port(ctrl2));
}

/* Two controllers on ZooKeeper namespace `ns`{pid} (the first leads) and two fake executors
 * reporting to both; the test talks to the leader. Ports in *p1, *p2. */
static void start_zk_pair(const char *ns, int *p1, int *p2)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	char *store;

	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	store = drove__asprintf("zookeeper: { connectionString: \"%s\", nameSpace: %s%d }\n", zk,
	                        ns, (int)getpid());
	cfg = make_config(store, 0);
	cfg2 = make_config(store, 0);
	free(store);
	ck_assert_int_eq(drove_controller_new(&ctrl, loop, cfg), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl, "127.0.0.1"), 0);
	ck_assert_msg(drove_controller_start(ctrl) == 0, "%s", drove_error_last()->message);
	*p1 = drove_controller_port(ctrl);
	for (int i = 0; i < 2; i++) {
		fx[i] = fake_new(loop, 8, 8192, 300);
		fake_add_controller(fx[i], *p1);
	}
	run_loop();
	/* the first leads before the second contends (on a loaded machine the second's session
	 * could otherwise be up first and win) */
	for (int i = 0; i < 200 && !drove_controller_is_leader(ctrl); i++)
		usleep(50 * 1000);
	ck_assert(drove_controller_is_leader(ctrl));
	on_loop(start_ctrl2, NULL);
	*p2 = drove_controller_port(ctrl2);
	ck_assert(!drove_controller_is_leader(ctrl2));
	port = *p1;
	wait_execs(2);
}

START_TEST(test_zk_failover)
{
	char *b = NULL;
	int p1, p2, starts;
	int64_t t0;

	start_zk_pair("ctrltest", &p1, &p2);
	ck_assert_int_eq(http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, &b), 400);
	ck_assert_str_eq(b, "{\"status\":\"FAILED\",\"message\":\"This node is not the leader "
	                    "controller\"}");
	free(b);
	ck_assert_int_eq(http_to(p2, "GET", "/apis/v1/applications", NULL, NULL, NULL, &b), 400);
	free(b);
	create_app(2);
	wait_app("RUNNING", 2, 8000);
	starts = fx[0]->starts + fx[1]->starts;
	t0 = drove_time_mono_ms();
	on_loop(stop_ctrl1, NULL);
	port = p2;
	for (;;) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 10000, "no takeover");
		if (drove_controller_is_leader(ctrl2) &&
		    http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) == 200)
			break;
		usleep(50 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 2);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts); /* nothing restarted */
	/* and it still acts */
	simple_op("SCALE", "\"requiredInstances\":3");
	wait_app("RUNNING", 3, 8000);
}
END_TEST

/* The leader's ZooKeeper session expires (ended on the server, as after a freeze longer than
 * the session timeout): the standby takes over; the old leader starts a new session and
 * contends again, so it leads once more when the new leader stops. Nothing is restarted. */
/* The controller's ZooKeeper session id (0 while it has no store). */
static void get_session(void *ud)
{
	char pw[16];
	*(int64_t *)ud = 0;
	if (ctrl->store)
		(void)drove__store_zk_session(ctrl->store, (int64_t *)ud, pw);
}

static void get_store(void *ud)
{
	*(drove_store **)ud = ctrl->store;
}

static void stop_ctrl2(void *ud)
{
	(void)ud;
	drove_controller_stop(ctrl2);
}

START_TEST(test_zk_session_expiry)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	int p1, p2, starts, attempts = 0;
	drove_store *store = NULL;
	int64_t old = 0, now = 0;
	int64_t t0 = 0;

	start_zk_pair("ctrlexp", &p1, &p2);
	create_app(2);
	wait_app("RUNNING", 2, 8000);
	starts = fx[0]->starts + fx[1]->starts;

	on_loop(get_session, &old);
	now = old;
	/* the controller's client often takes the session back from the joining one before that
	 * closes it (then nothing changes): try again every 2 s */
	for (; attempts < 20 && (now == 0 || now == old); attempts++) {
		on_loop(get_store, &store);
		drove_test_zk_end_session(store, zk);
		t0 = drove_time_mono_ms();
		while (drove_time_mono_ms() - t0 < 2000) {
			on_loop(get_session, &now);
			if (now != 0 && now != old)
				break;
			usleep(50 * 1000);
		}
	}
	ck_assert_msg(now != 0 && now != old, "the controller never started a new session");
	fprintf(stderr,
	        "test_ctrl_recovery: new session %lld ms after the last end (%d attempts)\n",
	        (long long)(drove_time_mono_ms() - t0), attempts);
	/* the standby leads now (the old leader's election node went with its session) */
	port = p2;
	t0 = drove_time_mono_ms();
	while (!drove_controller_is_leader(ctrl2) ||
	       http_to(p2, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 15000, "no takeover after the expiry");
		usleep(50 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	ck_assert(!drove_controller_is_leader(ctrl));
	/* the old leader contends again: it takes over when the new one stops */
	on_loop(stop_ctrl2, NULL);
	port = p1;
	t0 = drove_time_mono_ms();
	while (!drove_controller_is_leader(ctrl) ||
	       http_to(p1, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 45000,
		              "the controller with a new session never led again");
		usleep(100 * 1000);
	}
	wait_app("RUNNING", 2, 8000);
	sleep(2);
	ck_assert_int_eq(app_field("healthyInstances"), 2);
	ck_assert_int_eq(fx[0]->starts + fx[1]->starts, starts);
}
END_TEST

/* ZooKeeper is down when the controller starts (a whole control plane coming back): the
 * controller does not give up; it waits and leads once ZooKeeper is back. */
START_TEST(test_zk_down_at_start)
{
	const char *zk = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	char *store;
	int64_t t0;

	drove_test_zk_outage_begin(6);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	store = drove__asprintf("zookeeper: { connectionString: \"%s\", nameSpace: ctrldown%d }\n",
	                        zk, (int)getpid());
	cfg = make_config(store, 0);
	free(store);
	ck_assert_int_eq(drove_controller_new(&ctrl, loop, cfg), 0);
	ck_assert_int_eq(drove_controller_set_hostname(ctrl, "127.0.0.1"), 0);
	ck_assert_msg(drove_controller_start(ctrl) == 0, "%s", drove_error_last()->message);
	port = drove_controller_port(ctrl);
	run_loop();
	ck_assert(!drove_controller_is_leader(ctrl));
	t0 = drove_time_mono_ms();
	while (!drove_test_zk_outage_over()) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 60000, "ZooKeeper did not come back");
		usleep(50 * 1000);
	}
	t0 = drove_time_mono_ms();
	while (!drove_controller_is_leader(ctrl) ||
	       http_to(port, "GET", "/apis/v1/ping", NULL, NULL, NULL, NULL) != 200) {
		ck_assert_msg(drove_time_mono_ms() - t0 < 30000,
		              "no leadership after ZooKeeper came back");
		usleep(50 * 1000);
	}
	fprintf(stderr, "test_ctrl_recovery: leading %lld ms after ZooKeeper came back\n",
	        (long long)(drove_time_mono_ms() - t0));
}
END_TEST

Suite *ctrl_recovery_suite(void)
{
	Suite *s = suite_create("ctrl_recovery");
	TCase *tc = tcase_create("local");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_executor_lost);
	tcase_add_test(tc, test_expected_per_executor);
	tcase_add_test(tc, test_restart_recovers);
	tcase_add_test(tc, test_restart_waits_for_every_executor);
	tcase_add_test(tc, test_restart_resumes_a_task_start);
	suite_add_tcase(s, tc);
	tc = tcase_create("slices");
	tcase_add_checked_fixture(tc, setup, teardown_more);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_expected_in_slices);
	suite_add_tcase(s, tc);
	tc = tcase_create("slow-stale");
	tcase_add_checked_fixture(tc, setup_slow_stale, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_restart_pings_a_silent_executor);
	suite_add_tcase(s, tc);
	/* ZooKeeper when components.sh started one (always in CI: DROVE_REQUIRE_COMPONENTS=1
	 * makes a missing one a failure inside the test) */
	if (getenv("DROVE_TEST_ZK") || (getenv("DROVE_REQUIRE_COMPONENTS") &&
	                                !strcmp(getenv("DROVE_REQUIRE_COMPONENTS"), "1"))) {
		TCase *tz = tcase_create("zookeeper");
		tcase_add_checked_fixture(tz, NULL, teardown);
		tcase_set_timeout(tz, 90);
		tcase_add_test(tz, test_zk_failover);
		tcase_add_test(tz, test_zk_session_expiry);
		tcase_add_test(tz, test_zk_down_at_start);
		suite_add_tcase(s, tz);
	} else {
		fprintf(stderr, "test_ctrl_recovery: DROVE_TEST_ZK unset: the ZooKeeper tests are "
		                "not run\n");
	}
	return s;
}
