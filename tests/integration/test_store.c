/* The store against a real ZooKeeper (DROVE_TEST_ZK) and the local backend: one contract
 * suite parameterised by backend (loop index 0 = local, 1 = zk), then ZooKeeper-only tests:
 * election among three contenders, session expiry, an unreachable server. */
#define THREADED 1
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "store/store_internal.h"
#include "harness.h"

#include "test_store_fx.h"

/* ---- the contract ---- */

START_TEST(test_crud)
{
	char *data = NULL, *created = NULL;
	size_t len = 0;
	drove_store_stat st = DROVE_STORE_STAT_INIT;
	drove_strlist *kids = NULL;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/a", "one", 3, DROVE_STORE_PERSISTENT, &created),
	                 0);
	ck_assert_str_eq(created, "/a");
	drove_free(created);
	ck_assert_int_eq(drove_store_get(F.s, "/a", &data, &len, &st), 0);
	ck_assert_str_eq(data, "one");
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(st.version, 0);
	ck_assert_int_eq(st.ephemeral, 0);
	drove_free(data);
	ck_assert_int_eq(drove_store_set(F.s, "/a", "two!", 4, -1, &st), 0);
	ck_assert_int_eq(st.version, 1);
	ck_assert_int_eq(drove_store_get(F.s, "/a", &data, &len, &st), 0);
	ck_assert_str_eq(data, "two!");
	ck_assert_int_eq(st.version, 1);
	drove_free(data);
	ck_assert_int_eq(drove_store_create(F.s, "/a/b", NULL, 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_create(F.s, "/a/c", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_children(F.s, "/a", &kids), 0);
	ck_assert_uint_eq(drove_strlist_count(kids), 2);
	ck_assert_str_eq(drove_strlist_get(kids, 0), "b");
	ck_assert_str_eq(drove_strlist_get(kids, 1), "c");
	drove_strlist_free(kids);
	ck_assert_int_eq(drove_store_exists(F.s, "/a", &st), 0);
	ck_assert_int_eq(st.num_children, 2);
	drove_assert_error(drove_store_delete(F.s, "/a", -1), DROVE_ECONFLICT, "children");
	ck_assert_int_eq(drove_store_delete_recursive(F.s, "/a"), 0);
	drove_assert_error(drove_store_get(F.s, "/a", &data, &len, NULL), DROVE_ENOTFOUND, "/a");
	drove_assert_error(drove_store_exists(F.s, "/a/b", NULL), DROVE_ENOTFOUND, "/a/b");
	drove_assert_error(drove_store_create(F.s, "/x/y", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_ENOTFOUND, "/x/y");
	ck_assert_int_eq(drove_store_create(F.s, "/x/y/z", "deep", 4,
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                 0);
	ck_assert_int_eq(drove_store_exists(F.s, "/x/y", NULL), 0);
	ck_assert_int_eq(drove_store_put(F.s, "/x/y/z", "over", 4, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_get(F.s, "/x/y/z", &data, &len, &st), 0);
	ck_assert_str_eq(data, "over");
	ck_assert_int_eq(st.version, 1);
	drove_free(data);
	fx_teardown();
}
END_TEST

START_TEST(test_cas_conflicts)
{
	drove_store_stat st = DROVE_STORE_STAT_INIT;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/c", "v0", 2, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_set(F.s, "/c", "v1", 2, 0, &st), 0);
	ck_assert_int_eq(st.version, 1);
	drove_assert_error(drove_store_set(F.s, "/c", "v2", 2, 0, NULL), DROVE_ECONFLICT,
	                   "version");
	drove_assert_error(drove_store_delete(F.s, "/c", 7), DROVE_ECONFLICT, "/c");
	drove_assert_error(drove_store_create(F.s, "/c", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EEXISTS, "/c");
	ck_assert_int_eq(drove_store_set(F.s, "/c", "v2", 2, 1, &st), 0);
	ck_assert_int_eq(drove_store_delete(F.s, "/c", 2), 0);
	drove_assert_error(drove_store_set(F.s, "/c", "v3", 2, -1, NULL), DROVE_ENOTFOUND, "/c");
	fx_teardown();
}
END_TEST

START_TEST(test_sequential)
{
	char *p1 = NULL, *p2 = NULL;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/q", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_create(F.s, "/q/n-", "1", 1, DROVE_STORE_SEQUENTIAL, &p1), 0);
	ck_assert_int_eq(
	        drove_store_create(F.s, "/q/n-", "2", 1, DROVE_STORE_EPHEMERAL_SEQUENTIAL, &p2), 0);
	ck_assert_str_eq(p1, "/q/n-0000000000");
	ck_assert_str_eq(p2, "/q/n-0000000001");
	drove_free(p1);
	drove_free(p2);
	fx_teardown();
}
END_TEST

struct wcount {
	int n, last_event;
	char last_path[128];
};

static void count_watch(drove_store *s, int event, const char *path, void *ud)
{
	struct wcount *w = ud;
	(void)s;
	w->n++;
	w->last_event = event;
	snprintf(w->last_path, sizeof(w->last_path), "%s", path);
}

static void ignore_get(int rc, const char *d, size_t l, const drove_store_stat *st, void *ud)
{
	(void)d;
	(void)l;
	(void)st;
	*(int *)ud = rc == 0 ? 1 : rc;
}

static void ignore_kids(int rc, const drove_strlist *k, void *ud)
{
	(void)k;
	*(int *)ud = rc == 0 ? 1 : rc;
}

START_TEST(test_watches_once_per_change)
{
	struct wcount w = {0}, cw = {0}, rw = {0};
	drove_store_watch *h = NULL;
	int done = 0;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/w", "0", 1, DROVE_STORE_PERSISTENT, NULL), 0);
	/* one-shot data watch: two changes, one event */
	ck_assert_int_eq(drove_store_get_async(F.s, "/w", count_watch, &w, ignore_get, &done), 0);
	ck_assert(run_until(F.loop, &done, 1, 5000));
	ck_assert_int_eq(drove_store_set(F.s, "/w", "1", 1, -1, NULL), 0);
	ck_assert_int_eq(drove_store_set(F.s, "/w", "2", 1, -1, NULL), 0);
	ck_assert(run_until(F.loop, &w.n, 1, 5000));
	drove_loop_run_for(F.loop, 300);
	ck_assert_int_eq(w.n, 1);
	ck_assert_int_eq(w.last_event, DROVE_STORE_EV_CHANGED);
	ck_assert_str_eq(w.last_path, "/w");

	/* one-shot children watch */
	done = 0;
	ck_assert_int_eq(
	        drove_store_children_async(F.s, "/w", count_watch, &cw, ignore_kids, &done), 0);
	ck_assert(run_until(F.loop, &done, 1, 5000));
	ck_assert_int_eq(drove_store_create(F.s, "/w/k1", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_create(F.s, "/w/k2", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert(run_until(F.loop, &cw.n, 1, 5000));
	drove_loop_run_for(F.loop, 300);
	ck_assert_int_eq(cw.n, 1);
	ck_assert_int_eq(cw.last_event, DROVE_STORE_EV_CHILDREN);

	/* re-arming watch: once per change, spaced out, until cancelled */
	ck_assert_int_eq(drove_store_watch_data(F.s, "/w", count_watch, &rw, &h), 0);
	drove_loop_run_for(F.loop, 200);
	ck_assert_int_eq(drove_store_set(F.s, "/w", "3", 1, -1, NULL), 0);
	ck_assert(run_until(F.loop, &rw.n, 1, 5000));
	drove_loop_run_for(F.loop, 200);
	ck_assert_int_eq(drove_store_set(F.s, "/w", "4", 1, -1, NULL), 0);
	ck_assert(run_until(F.loop, &rw.n, 2, 5000));
	drove_loop_run_for(F.loop, 200);
	ck_assert_int_eq(rw.n, 2);
	drove_store_watch_cancel(h);
	ck_assert_int_eq(drove_store_set(F.s, "/w", "5", 1, -1, NULL), 0);
	drove_loop_run_for(F.loop, 300);
	ck_assert_int_eq(rw.n, 2);

	/* an exists watch on a missing node fires on creation */
	done = 0;
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(drove_store_watch_data(F.s, "/later", count_watch, &w, &h), 0);
	drove_loop_run_for(F.loop, 200);
	ck_assert_int_eq(drove_store_create(F.s, "/later", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert(run_until(F.loop, &w.n, 1, 5000));
	ck_assert_int_eq(w.last_event, DROVE_STORE_EV_CREATED);
	drove_store_watch_cancel(h);
	fx_teardown();
}
END_TEST

START_TEST(test_ephemeral_gone_after_close)
{
	drove_store_stat st = DROVE_STORE_STAT_INIT;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_create(F.s, "/e", "me", 2, DROVE_STORE_EPHEMERAL, NULL), 0);
	ck_assert_int_eq(drove_store_exists(F.s, "/e", &st), 0);
	ck_assert_int_eq(st.ephemeral, 1);
	drove_assert_error(drove_store_create(F.s, "/e/kid", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EINVAL, "ephemeral");
	ck_assert_int_eq(drove_store_create(F.s, "/keep", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	reopen();
	drove_assert_error(drove_store_exists(F.s, "/e", NULL), DROVE_ENOTFOUND, "/e");
	ck_assert_int_eq(drove_store_exists(F.s, "/keep", NULL), 0);
	fx_teardown();
}
END_TEST

START_TEST(test_multi)
{
	drove_store_ops *ops = NULL;
	char *data = NULL;
	size_t len;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m1", "a", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m2", "b", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_set(ops, "/m1", "A", 1, 0), 0);
	ck_assert_uint_eq(drove_store_ops_count(ops), 3);
	ck_assert_int_eq(drove_store_multi(F.s, ops), 0);
	drove_store_ops_free(ops);
	ck_assert_int_eq(drove_store_get(F.s, "/m1", &data, &len, NULL), 0);
	ck_assert_str_eq(data, "A");
	drove_free(data);

	/* all or nothing */
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m3", "c", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_delete(ops, "/m2", -1), 0);
	ck_assert_int_eq(drove_store_ops_check(ops, "/m1", 0), 0);
	drove_assert_error(drove_store_multi(F.s, ops), DROVE_ECONFLICT, "multi op 2 (/m1)");
	drove_store_ops_free(ops);
	drove_assert_error(drove_store_exists(F.s, "/m3", NULL), DROVE_ENOTFOUND, "/m3");
	ck_assert_int_eq(drove_store_exists(F.s, "/m2", NULL), 0);

	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_delete(ops, "/m1", 1), 0);
	ck_assert_int_eq(drove_store_ops_delete(ops, "/m2", 0), 0);
	ck_assert_int_eq(drove_store_multi(F.s, ops), 0);
	drove_store_ops_free(ops);
	drove_assert_error(drove_store_exists(F.s, "/m1", NULL), DROVE_ENOTFOUND, "/m1");
	fx_teardown();
}
END_TEST

struct async_st {
	int done, rc;
	pthread_t thread;
	char path[64];
	char data[64];
	int version;
};

static void on_create(int rc, const char *path, void *ud)
{
	struct async_st *a = ud;
	a->rc = rc;
	a->thread = pthread_self();
	if (path)
		snprintf(a->path, sizeof(a->path), "%s", path);
	a->done++;
}

static void on_get(int rc, const char *d, size_t l, const drove_store_stat *st, void *ud)
{
	struct async_st *a = ud;
	a->rc = rc;
	a->thread = pthread_self();
	if (rc == 0) {
		snprintf(a->data, sizeof(a->data), "%.*s", (int)l, d);
		a->version = st->version;
	}
	a->done++;
}

static void on_done(int rc, void *ud)
{
	struct async_st *a = ud;
	a->rc = rc;
	a->thread = pthread_self();
	if (rc < 0)
		snprintf(a->data, sizeof(a->data), "%.60s", drove_error_last()->message);
	a->done++;
}

static void on_stat(int rc, const drove_store_stat *st, void *ud)
{
	struct async_st *a = ud;
	a->rc = rc;
	a->version = st ? st->version : -100;
	a->done++;
}

START_TEST(test_async_on_loop_thread)
{
	struct async_st a;
	drove_store_ops *ops = NULL;

	fx_setup(backend_of(_i));
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(drove_store_create_async(F.s, "/as", "hello", 5, DROVE_STORE_PERSISTENT,
	                                          on_create, &a),
	                 0);
	ck_assert(run_until(F.loop, &a.done, 1, 5000));
	ck_assert_int_eq(a.rc, 0);
	ck_assert_str_eq(a.path, "/as");
	ck_assert(pthread_equal(a.thread, pthread_self()));
	ck_assert_int_eq(drove_store_set_async(F.s, "/as", "bye", 3, 0, on_stat, &a), 0);
	ck_assert(run_until(F.loop, &a.done, 2, 5000));
	ck_assert_int_eq(a.rc, 0);
	ck_assert_int_eq(a.version, 1);
	ck_assert_int_eq(drove_store_get_async(F.s, "/as", NULL, NULL, on_get, &a), 0);
	ck_assert(run_until(F.loop, &a.done, 3, 5000));
	ck_assert_str_eq(a.data, "bye");
	ck_assert_int_eq(drove_store_exists_async(F.s, "/nope", NULL, NULL, on_stat, &a), 0);
	ck_assert(run_until(F.loop, &a.done, 4, 5000));
	ck_assert_int_eq(a.rc, DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_check(ops, "/as", 5), 0);
	ck_assert_int_eq(drove_store_multi_async(F.s, ops, on_done, &a), 0);
	drove_store_ops_free(ops);
	ck_assert(run_until(F.loop, &a.done, 5, 5000));
	ck_assert_int_eq(a.rc, DROVE_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(a.data, "multi op 0 (/as)"));
	ck_assert_int_eq(drove_store_delete_async(F.s, "/as", -1, on_done, &a), 0);
	ck_assert(run_until(F.loop, &a.done, 6, 5000));
	ck_assert_int_eq(a.rc, 0);
	/* a request pending at close still gets its callback, once */
	ck_assert_int_eq(drove_store_get_async(F.s, "/as", NULL, NULL, on_get, &a), 0);
	drove_store_close(F.s);
	F.s = NULL;
	ck_assert_int_eq(a.done, 7);
	ck_assert_int_lt(a.rc, 0);
	fx_teardown();
}
END_TEST

START_TEST(test_records)
{
	drove_strlist *ids = NULL;
	char *json = NULL;
	size_t len;

	fx_setup(backend_of(_i));
	ck_assert_int_eq(
	        drove_record_put(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", "{\"a\":1}", 7), 0);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-2", "{}", 2), 0);
	ck_assert_int_eq(
	        drove_record_put(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", "{\"a\":2}", 7), 0);
	ck_assert_int_eq(drove_record_get(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", &json, &len),
	                 0);
	ck_assert_str_eq(json, "{\"a\":2}");
	drove_free(json);
	ck_assert_int_eq(drove_record_list(F.s, DROVE_RECORD_INSTANCE, "APP-1", &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 2);
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_record_list(F.s, DROVE_RECORD_INSTANCE, NULL, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 1);
	ck_assert_str_eq(drove_strlist_get(ids, 0), "APP-1");
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_record_list(F.s, DROVE_RECORD_APPLICATION, NULL, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_EXECUTOR, NULL, "host-3000", "{}", 2),
	                 0);
	ck_assert_int_eq(drove_record_put(F.s, DROVE_RECORD_CLUSTER_STATE, NULL, NULL,
	                                  "{\"state\":\"NORMAL\"}", 18),
	                 0);
	ck_assert_int_eq(drove_record_delete(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-1"), 0);
	drove_assert_error(
	        drove_record_get(F.s, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", &json, &len),
	        DROVE_ENOTFOUND, "/instances/APP-1/AI-1");
	reopen();
	drove_assert_error(
	        drove_record_get(F.s, DROVE_RECORD_EXECUTOR, NULL, "host-3000", &json, &len),
	        DROVE_ENOTFOUND, "/executor/host-3000");
	ck_assert_int_eq(drove_record_get(F.s, DROVE_RECORD_CLUSTER_STATE, NULL, NULL, &json, &len),
	                 0);
	ck_assert_str_eq(json, "{\"state\":\"NORMAL\"}");
	drove_free(json);
	fx_teardown();
}
END_TEST

struct lead {
	int acquired, lost;
	int64_t term;
};

static void on_lead(drove_election *e, int event, int64_t term, void *ud)
{
	struct lead *l = ud;
	(void)e;
	if (event == DROVE_STORE_LEADER_ACQUIRED)
		l->acquired++;
	else
		l->lost++;
	l->term = term;
}

START_TEST(test_single_contender_leads)
{
	struct lead l = {0};
	drove_election *e = NULL;
	char *data = NULL;
	size_t len;
	int64_t term = 0;

	fx_setup(backend_of(_i));
	drove_assert_error(drove_store_leader(F.s, &data, &len, &term), DROVE_ENOTFOUND, "leader");
	ck_assert_int_eq(drove_store_elect(F.s, "me:1", 4, on_lead, &l, &e), 0);
	drove_assert_error(drove_store_elect(F.s, "me:1", 4, on_lead, &l, &e), DROVE_EEXISTS,
	                   "contends");
	ck_assert(run_until(F.loop, &l.acquired, 1, 5000));
	ck_assert_int_gt(l.term, 0);
	ck_assert(drove_election_is_leader(e));
	ck_assert_int_eq(drove_election_term(e), l.term);
	ck_assert_int_eq(drove_store_leader(F.s, &data, &len, &term), 0);
	ck_assert_str_eq(data, "me:1");
	ck_assert_int_eq(term, l.term);
	drove_free(data);
	if (drove_store_backend(F.s) == DROVE_STORE_LOCAL)
		drove_assert_error(drove_store_depose_leader(F.s, l.term, NULL, NULL), DROVE_EINVAL,
		                   "single contender");
	drove_election_cancel(e);
	drove_loop_run_for(F.loop, 200);
	ck_assert_int_eq(l.lost, 0); /* cancel never calls back */
	drove_assert_error(drove_store_leader(F.s, &data, &len, &term), DROVE_ENOTFOUND, "leader");
	fx_teardown();
}
END_TEST

START_TEST(test_value_cap)
{
	drove_store_opts *o;
	drove_store *s2;
	char *big;
	size_t n = DROVE_STORE_DEFAULT_MAX_VALUE + 1;

	fx_setup(backend_of(_i));
	big = calloc(1, n);
	drove_assert_error(drove_store_create(F.s, "/big", big, n, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EINVAL, "/big: value of 1032193 bytes exceeds the cap");
	/* at the cap it works (and ZooKeeper takes it) */
	ck_assert_int_eq(drove_store_create(F.s, "/big", big, n - 1, DROVE_STORE_PERSISTENT, NULL),
	                 0);
	free(big);
	drove_store_close(F.s);
	F.s = NULL;
	make_opts(&F, &o);
	ck_assert_int_eq(drove_store_opts_set_max_value(o, 10), 0);
	ck_assert_int_eq(drove_store_open(&s2, F.loop, o), 0);
	drove_assert_error(drove_store_set(s2, "/big", "01234567890", 11, -1, NULL), DROVE_EINVAL,
	                   "/big: value of 11 bytes exceeds the cap of 10 bytes");
	F.s = s2;
	drove_store_opts_free(o);
	fx_teardown();
}
END_TEST

/* ---- ZooKeeper only ---- */

#define NCONT 3

struct contender {
	drove_store *s;
	drove_election *e;
	int leading, acquired, lost;
	int64_t term;
};

static struct contender C[NCONT];
static int max_leaders, now_leading;

static void cont_cb(drove_election *e, int event, int64_t term, void *ud)
{
	struct contender *c = ud;
	(void)e;
	if (event == DROVE_STORE_LEADER_ACQUIRED) {
		c->leading = 1;
		c->acquired++;
		c->term = term;
		now_leading++;
	} else {
		c->leading = 0;
		c->lost++;
		now_leading--;
	}
	if (now_leading > max_leaders)
		max_leaders = now_leading;
}

static int leader_index(void)
{
	int i, who = -1;
	for (i = 0; i < NCONT; i++)
		if (C[i].s && C[i].leading)
			who = i;
	return who;
}

static int wait_leader(int ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (drove_time_mono_ms() < end) {
		if (leader_index() >= 0)
			return leader_index();
		drove_loop_run_for(F.loop, 20);
	}
	return -1;
}

/* ZooKeeper fixture with `n` contenders c0..c{n-1}, each on a store of its own. */
static void contend(int n)
{
	fx_setup(DROVE_STORE_ZK);
	memset(C, 0, sizeof(C));
	max_leaders = now_leading = 0;
	for (int i = 0; i < n; i++) {
		char id[16];
		snprintf(id, sizeof(id), "c%d", i);
		ck_assert_int_eq(drove_store_open(&C[i].s, F.loop, F.opts), 0);
		ck_assert_int_eq(drove_store_elect(C[i].s, id, strlen(id), cont_cb, &C[i], &C[i].e),
		                 0);
	}
}

START_TEST(test_election_three_contenders)
{
	int i, who, next, last;
	int64_t term1, term2;
	char *data;
	size_t len;
	int64_t t;

	contend(NCONT);
	ck_assert_int_ge(who = wait_leader(10000), 0);
	drove_loop_run_for(F.loop, 300);
	ck_assert_int_eq(leader_index(), who);
	term1 = C[who].term;
	ck_assert_int_gt(term1, 0);
	ck_assert_int_eq(drove_store_leader(F.s, &data, &len, &t), 0);
	ck_assert_int_eq(data[1] - '0', who);
	ck_assert_int_eq(t, term1);
	drove_free(data);

	/* the leader dies: another is elected with a higher term */
	drove_store_close(C[who].s);
	C[who].s = NULL;
	now_leading--;
	C[who].leading = 0;
	ck_assert_int_ge(next = wait_leader(10000), 0);
	ck_assert_int_ne(next, who);
	term2 = C[next].term;
	ck_assert_int_gt(term2, term1);

	/* and again */
	drove_store_close(C[next].s);
	C[next].s = NULL;
	now_leading--;
	C[next].leading = 0;
	ck_assert_int_ge(last = wait_leader(10000), 0);
	ck_assert_int_gt(C[last].term, term2);
	ck_assert_int_le(max_leaders, 1);
	for (i = 0; i < NCONT; i++) {
		ck_assert_int_eq(C[i].lost, 0);
		drove_store_close(C[i].s);
	}
	fx_teardown();
}
END_TEST

struct found {
	int calls, rc;
	char data[32];
	int64_t term;
};

static void on_found(int rc, const char *data, size_t len, int64_t term, void *ud)
{
	struct found *f = ud;
	f->calls++;
	f->rc = rc;
	f->term = term;
	if (rc == 0)
		snprintf(f->data, sizeof(f->data), "%.*s", (int)len, data);
}

static void on_done_rc(int rc, void *ud)
{
	struct found *f = ud;
	f->calls++;
	f->rc = rc;
}

static void wait_calls(const struct found *f, int n)
{
	int64_t end = drove_time_mono_ms() + 10000;
	while (f->calls < n && drove_time_mono_ms() < end)
		drove_loop_run_for(F.loop, 20);
	ck_assert_int_eq(f->calls, n);
}

/* A standby finds the leader without blocking and deposes it by term: the leader is told
 * LOST and contends again, the standby leads with a higher term; a stale term deposes
 * nobody (issue 14: takeover without waiting for a dead leader's session to expire). */
START_TEST(test_depose_leader)
{
	struct found f = {0};
	int who, other;
	int64_t term1;

	contend(2);
	ck_assert_int_ge(who = wait_leader(10000), 0);
	other = 1 - who;
	term1 = C[who].term;
	ck_assert_int_eq(drove_store_leader_async(C[other].s, on_found, &f), 0);
	wait_calls(&f, 1);
	ck_assert_int_eq(f.rc, 0);
	ck_assert_int_eq(f.data[1] - '0', who);
	ck_assert_int_eq(f.term, term1);

	/* a term that is not the leader's deposes nobody */
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(drove_store_depose_leader(C[other].s, term1 + 12345, on_done_rc, &f), 0);
	wait_calls(&f, 1);
	drove_assert_error(f.rc, DROVE_ENOTFOUND, "is gone already");
	ck_assert_int_eq(leader_index(), who);

	/* the leader's term: the standby takes over at once */
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(drove_store_depose_leader(C[other].s, term1, on_done_rc, &f), 0);
	wait_calls(&f, 1);
	ck_assert_int_eq(f.rc, 0);
	{
		int64_t end = drove_time_mono_ms() + 10000;
		while (!C[other].leading && drove_time_mono_ms() < end)
			drove_loop_run_for(F.loop, 20);
	}
	ck_assert_int_eq(C[other].leading, 1);
	ck_assert_int_eq(C[who].leading, 0);
	ck_assert_int_eq(C[who].lost, 1);
	ck_assert_int_eq(drove_election_is_leader(C[who].e), 0);
	ck_assert_int_gt(C[other].term, term1);
	/* Both watches fire from the one delete, in either order: for that moment both may count
	 * as leading in this process. What keeps a deposed leader from acting is that its writes
	 * to the store are fenced (test_fenced_writes) and its successor's higher term, which
	 * executors enforce (docs/operations.md). */
	ck_assert_int_eq(now_leading, 1);
	/* the deposed one contends again: it follows, and leads once the other is gone */
	drove_store_close(C[other].s);
	C[other].s = NULL;
	now_leading--;
	C[other].leading = 0;
	{
		int64_t end = drove_time_mono_ms() + 10000;
		while (!C[who].leading && drove_time_mono_ms() < end)
			drove_loop_run_for(F.loop, 20);
	}
	ck_assert_int_eq(C[who].leading, 1);
	drove_store_close(C[who].s);
	C[who].s = NULL;
	fx_teardown();
}
END_TEST

/* The leader's election node, found from another store (the lowest sequence). */
static char *leader_node(drove_store *s)
{
	drove_strlist *kids = NULL;
	const char *low = NULL;
	ck_assert_int_eq(drove_store_children(s, "/leaderselection", &kids), 0);
	for (size_t i = 0; i < drove_strlist_count(kids); i++) {
		const char *k = drove_strlist_get(kids, i);
		if (!low || strcmp(k + strlen(k) - 10, low + strlen(low) - 10) < 0)
			low = k;
	}
	ck_assert_ptr_nonnull(low);
	char *path = drove__asprintf("/leaderselection/%s", low);
	drove_strlist_free(kids);
	return path;
}

/* While it leads, a contender's writes are conditional on its election node (issue 14): they
 * behave as unfenced ones while it leads; once a standby deposes it (deletes that node) none
 * of them applies, even before it hears of the deposal; after LOST it writes unfenced. */
START_TEST(test_fenced_writes)
{
	drove_store_stat st = DROVE_STORE_STAT_INIT;
	drove_store_ops *ops;
	char *data = NULL, *node, *made = NULL;
	size_t len;
	int who, other;

	contend(2);
	ck_assert_int_ge(who = wait_leader(10000), 0);
	other = 1 - who;
	drove_store *L = C[who].s, *O = C[other].s;

	/* leading: every kind of write works as without the fence */
	ck_assert_int_eq(drove_store_create(L, "/fenced/a/b", "1", 1,
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, &made),
	                 0);
	ck_assert_str_eq(made, "/fenced/a/b");
	drove_free(made);
	ck_assert_int_eq(drove_store_set(L, "/fenced/a/b", "2", 1, 0, &st), 0);
	ck_assert_int_eq(st.version, 1);
	drove_assert_error(drove_store_set(L, "/fenced/a/b", "3", 1, 0, NULL), DROVE_ECONFLICT,
	                   "version mismatch");
	drove_assert_error(drove_store_delete(L, "/fenced/none", -1), DROVE_ENOTFOUND,
	                   "no such node");
	drove_assert_error(
	        drove_store_create(L, "/fenced/a/b", "1", 1, DROVE_STORE_PERSISTENT, NULL),
	        DROVE_EEXISTS, "node exists");
	ck_assert_int_eq(drove_store_put(L, "/fenced/p/q", "x", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_put(L, "/fenced/p/q", "y", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/fenced/c", "c", 1, DROVE_STORE_PERSISTENT),
	                 0);
	ck_assert_int_eq(drove_store_ops_set(ops, "/fenced/a/b", "4", 1, 1), 0);
	ck_assert_int_eq(drove_store_multi(L, ops), 0);
	drove_store_ops_free(ops);
	ck_assert_int_eq(drove_store_get(O, "/fenced/a/b", &data, &len, &st), 0);
	ck_assert_str_eq(data, "4");
	drove_free(data);
	ck_assert_int_eq(drove_store_delete(L, "/fenced/c", -1), 0);

	/* deposed (its node deleted by the other, no loop turn since): nothing applies */
	node = leader_node(O);
	ck_assert_int_eq(drove_store_delete(O, node, -1), 0);
	drove_assert_error(drove_store_put(L, "/fenced/p/q", "z", 1, DROVE_STORE_PERSISTENT),
	                   DROVE_ESTALE, "this node no longer leads");
	drove_assert_error(drove_store_create(L, "/fenced/new/x", "1", 1,
	                                      DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                   DROVE_ESTALE, node);
	drove_assert_error(drove_store_delete(L, "/fenced/a/b", -1), DROVE_ESTALE, "fenced");
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_set(ops, "/fenced/a/b", "5", 1, -1), 0);
	drove_assert_error(drove_store_multi(L, ops), DROVE_ESTALE, "fenced");
	drove_store_ops_free(ops);
	ck_assert_int_eq(drove_store_get(O, "/fenced/p/q", &data, &len, NULL), 0);
	ck_assert_str_eq(data, "y");
	drove_free(data);
	ck_assert_int_eq(drove_store_get(O, "/fenced/a/b", &data, &len, NULL), 0);
	ck_assert_str_eq(data, "4");
	drove_free(data);
	drove_assert_error(drove_store_get(O, "/fenced/new", &data, &len, NULL), DROVE_ENOTFOUND,
	                   "");
	free(node);

	/* told LOST, it follows and writes unfenced again */
	{
		int64_t end = drove_time_mono_ms() + 10000;
		while (!C[who].lost && drove_time_mono_ms() < end)
			drove_loop_run_for(F.loop, 20);
	}
	ck_assert_int_eq(C[who].lost, 1);
	ck_assert_int_eq(drove_store_put(L, "/fenced/p/q", "z", 1, DROVE_STORE_PERSISTENT), 0);
	for (int i = 0; i < 2; i++) {
		drove_store_close(C[i].s);
		C[i].s = NULL;
	}
	fx_teardown();
}
END_TEST

struct sess {
	int connected, suspended, expired;
	int lost_before_session; /* LOST seen before any session event after leading */
	struct lead *lead;
};

static void on_session(drove_store *s, int event, void *ud)
{
	struct sess *x = ud;
	(void)s;
	if (event == DROVE_STORE_CONNECTED)
		x->connected++;
	else if (event == DROVE_STORE_SUSPENDED || event == DROVE_STORE_EXPIRED) {
		if (event == DROVE_STORE_SUSPENDED)
			x->suspended++;
		else
			x->expired++;
		if (x->lead->lost > 0 && !x->lost_before_session)
			x->lost_before_session = 1;
	}
}

/* A ZooKeeper store (4 s sessions) whose session events go to `x`. */
static drove_store *open_watched(struct sess *x)
{
	drove_store_opts *o;
	drove_store *s;
	make_opts(&F, &o);
	ck_assert_int_eq(drove_store_opts_set_session_timeout(o, 4000), 0);
	drove_store_opts_set_session_cb(o, on_session, x);
	ck_assert_int_eq(drove_store_open(&s, F.loop, o), 0);
	drove_store_opts_free(o);
	return s;
}

/* End the session of `s` on the server and wait for its EXPIRED event. The standard trick:
 * a second handle with the same session, then close it (the close ends the session on the
 * server). Retry if our client took the session back first. */
static void end_session(drove_store *s, struct sess *x)
{
	for (int attempt = 0; attempt < 20 && !x->expired; attempt++) {
		drove_test_zk_end_session(s, zk_addr);
		run_until(F.loop, &x->expired, 1, 2000);
	}
	ck_assert_int_eq(x->expired, 1);
}

START_TEST(test_session_expiry_stops_leader)
{
	struct lead l = {0};
	struct sess x = {0};
	drove_store *s;
	drove_election *e;
	char *data;
	size_t len;

	fx_setup(DROVE_STORE_ZK);
	x.lead = &l;
	s = open_watched(&x);
	ck_assert_int_eq(drove_store_elect(s, "x", 1, on_lead, &l, &e), 0);
	ck_assert(run_until(F.loop, &l.acquired, 1, 5000));
	ck_assert(drove_election_is_leader(e));
	end_session(s, &x);
	/* a reconnect into the same session may have made it leader again in between; it ends
	 * with every acquisition matched by a loss */
	ck_assert_int_ge(l.lost, 1);
	ck_assert_int_eq(l.lost, l.acquired);
	ck_assert(x.lost_before_session);
	ck_assert(!drove_election_is_leader(e));
	ck_assert(!drove_store_is_connected(s));
	drove_assert_error(drove_store_get(s, "/", &data, &len, NULL), DROVE_EUNAVAIL, "expired");
	drove_store_close(s);
	fx_teardown();
}
END_TEST

/* A multi (a batch, or a fenced write) submitted after the session ended but before the
 * store heard (its session event comes later, through ZooKeeper's completion thread; a
 * worker can write meanwhile: drove-epoch's fire batch did, waking from a freeze): refused
 * with DROVE_EUNAVAIL instead of going to libzookeeper's zoo_amulti(), which on such a
 * handle freed the first op's path once per later op (a double free: drove-epoch crashed
 * in test_epoch_daemon's session expiry). The store is made not to have heard by clearing
 * its flag once the session event came. */
START_TEST(test_multi_after_session_end)
{
	struct lead l = {0};
	struct sess x = {0};
	drove_store *s;
	drove_store_ops *ops = NULL;

	fx_setup(DROVE_STORE_ZK);
	x.lead = &l;
	s = open_watched(&x);
	ck_assert_int_eq(drove_store_create(s, "/m", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	end_session(s, &x);
	pthread_mutex_lock(&s->lock);
	s->expired = 0; /* as between the handle's expiry and the store's session event */
	pthread_mutex_unlock(&s->lock);

	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_check(ops, "/m", -1), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m/a", "a", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m/b", "b", 1, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m/c", "c", 1, DROVE_STORE_PERSISTENT), 0);
	drove_assert_error(drove_store_multi(s, ops), DROVE_EUNAVAIL, "zookeeper");
	drove_store_ops_free(ops);
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_check(ops, "/m", -1), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/m/a", "a", 1, DROVE_STORE_PERSISTENT), 0);
	drove_assert_error(drove_store_multi(s, ops), DROVE_EUNAVAIL, "zookeeper");
	drove_store_ops_free(ops);
	/* a fenced write is a multi of the fence's check and the write */
	ck_assert_int_eq(drove__store_fence(s, "/m"), 0);
	drove_assert_error(drove_store_set(s, "/m", "x", 1, -1, NULL), DROVE_EUNAVAIL, "zookeeper");
	drove_assert_error(drove_store_create(s, "/m/d", "d", 1, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EUNAVAIL, "zookeeper");
	drove_store_close(s);
	fx_teardown();
}
END_TEST

START_TEST(test_unreachable_is_quick_error)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port, errfd, saved;
	drove_ctx *ctx;
	drove_loop *loop;
	drove_store_opts *o;
	drove_store *s = NULL;
	char addr[64], msg[128], tmpl[] = "/tmp/drove-store-stderr-XXXXXX";
	int64_t t0, took;
	struct stat st;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(fd); /* nothing listens there now */
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_store_opts_new(&o), 0);
	ck_assert_int_eq(drove_store_opts_set_zk(o, addr), 0);
	ck_assert_int_eq(drove_store_opts_set_connect_timeout(o, 1500), 0);

	/* the library must not print: catch stderr while it fails */
	errfd = mkstemp(tmpl);
	saved = dup(2);
	dup2(errfd, 2);
	t0 = drove_time_mono_ms();
	ck_assert_int_eq(drove_store_open(&s, loop, o), DROVE_EUNAVAIL);
	took = drove_time_mono_ms() - t0;
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(fstat(errfd, &st), 0);
	close(errfd);
	unlink(tmpl);
	ck_assert_int_eq(st.st_size, 0);

	snprintf(msg, sizeof(msg), "zookeeper: cannot connect to %s within 1500 ms", addr);
	ck_assert_str_eq(drove_error_last()->message, msg);
	ck_assert_ptr_null(s);
	ck_assert_int_ge(took, 1400);
	ck_assert_int_lt(took, 4000);
	drove_store_opts_free(o);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store-integration");
	TCase *tc = tcase_create("contract");
	TCase *zk = tcase_create("zk");

	fx_init_suite();
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_crud, 0, 2);
	tcase_add_loop_test(tc, test_cas_conflicts, 0, 2);
	tcase_add_loop_test(tc, test_sequential, 0, 2);
	tcase_add_loop_test(tc, test_watches_once_per_change, 0, 2);
	tcase_add_loop_test(tc, test_ephemeral_gone_after_close, 0, 2);
	tcase_add_loop_test(tc, test_multi, 0, 2);
	tcase_add_loop_test(tc, test_async_on_loop_thread, 0, 2);
	tcase_add_loop_test(tc, test_records, 0, 2);
	tcase_add_loop_test(tc, test_single_contender_leads, 0, 2);
	tcase_add_loop_test(tc, test_value_cap, 0, 2);
	suite_add_tcase(s, tc);
	tcase_set_timeout(zk, 90);
	tcase_add_test(zk, test_election_three_contenders);
	tcase_add_test(zk, test_depose_leader);
	tcase_add_test(zk, test_fenced_writes);
	tcase_add_test(zk, test_session_expiry_stops_leader);
	tcase_add_test(zk, test_multi_after_session_end);
	tcase_add_test(zk, test_unreachable_is_quick_error);
	suite_add_tcase(s, zk);
	return s;
}
