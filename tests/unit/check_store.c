/* The store's local backend and common layer: durability across close/reopen, versions,
 * compare-and-set, ephemeral nodes, sequential names, watches, path validation, the value
 * cap, the flock, the journal, options and record paths. Everything under a temp dir. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "store/store_internal.h"
#include "harness.h"

static drove_ctx *ctx;
static drove_loop *loop;
static drove_store_opts *opts;
static drove_store *st;
static char dir[128];

static void rm_rf(const char *d)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	ck_assert_int_eq(system(cmd), 0);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drove-check-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(drove_ctx_new(&ctx), 0);
	ck_assert_int_eq(drove_loop_new(&loop, ctx), 0);
	ck_assert_int_eq(drove_store_opts_new(&opts), 0);
	ck_assert_int_eq(drove_store_opts_set_local(opts, dir), 0);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	ck_assert_int_eq(drove_store_backend(st), DROVE_STORE_LOCAL);
	ck_assert(drove_store_is_connected(st));
}

static void teardown(void)
{
	drove_store_close(st);
	st = NULL;
	drove_store_opts_free(opts);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	rm_rf(dir);
}

static void reopen(void)
{
	drove_store_close(st);
	st = NULL;
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
}

static int count_files(const char *sub)
{
	char p[256];
	DIR *d;
	struct dirent *de;
	int n = 0;
	snprintf(p, sizeof(p), "%s/%s", dir, sub);
	ck_assert_ptr_nonnull(d = opendir(p));
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void write_file(const char *rel, const char *body, size_t len)
{
	char p[256];
	int fd;
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ck_assert_int_ge(fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), 0);
	ck_assert_int_eq(write(fd, body, len), (ssize_t)len);
	close(fd);
}

/* ---- durability ---- */

START_TEST(test_durable_across_reopen)
{
	char *data = NULL, *p = NULL;
	size_t len;
	drove_store_stat s = DROVE_STORE_STAT_INIT;

	ck_assert_int_eq(drove_store_create(st, "/apps/A-1", "{\"x\":1}", 7,
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                 0);
	ck_assert_int_eq(drove_store_set(st, "/apps/A-1", "{\"x\":2}", 7, 0, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/apps/A-1", "{\"x\":3}", 7, 1, NULL), 0);
	ck_assert_int_eq(drove_store_create(st, "/bin", "a\0b\n", 4, DROVE_STORE_PERSISTENT, NULL),
	                 0);
	ck_assert_int_eq(drove_store_create(st, "/odd name%/x", "", 0,
	                                    DROVE_STORE_PERSISTENT | DROVE_STORE_PARENTS, NULL),
	                 0);
	ck_assert_int_eq(drove_store_create(st, "/s-", "", 0, DROVE_STORE_SEQUENTIAL, &p), 0);
	ck_assert_str_eq(p, "/s-0000000000");
	drove_free(p);
	reopen();
	ck_assert_int_eq(drove_store_get(st, "/apps/A-1", &data, &len, &s), 0);
	ck_assert_str_eq(data, "{\"x\":3}");
	ck_assert_int_eq(s.version, 2);
	ck_assert_int_gt(s.ctime_ms, 0);
	ck_assert_int_ge(s.mtime_ms, s.ctime_ms);
	ck_assert_uint_eq(s.size, sizeof(s));
	drove_free(data);
	/* a stat without its size (or one from a caller built against no size field) is refused
	 * before the call does anything */
	s.size = 0;
	data = NULL;
	drove_assert_error(drove_store_get(st, "/apps/A-1", &data, &len, &s), DROVE_EINVAL, "size");
	ck_assert_ptr_null(data);
	drove_assert_error(drove_store_exists(st, "/apps/A-1", &s), DROVE_EINVAL, "size");
	drove_assert_error(drove_store_set(st, "/apps/A-1", "{}", 2, -1, &s), DROVE_EINVAL, "size");
	ck_assert_int_eq(drove_store_exists(st, "/apps/A-1", NULL), 0);
	s.size = sizeof(s);
	ck_assert_int_eq(drove_store_exists(st, "/apps/A-1", &s), 0);
	ck_assert_int_eq(s.version, 2);
	ck_assert_int_eq(drove_store_get(st, "/bin", &data, &len, NULL), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(data, "a\0b\n", 4), 0);
	drove_free(data);
	ck_assert_int_eq(drove_store_exists(st, "/odd name%/x", NULL), 0);
	/* the sequence counter survives */
	ck_assert_int_eq(drove_store_create(st, "/s-", "", 0, DROVE_STORE_SEQUENTIAL, &p), 0);
	ck_assert_str_eq(p, "/s-0000000001");
	drove_free(p);
	/* deletes are durable too */
	ck_assert_int_eq(drove_store_delete(st, "/bin", -1), 0);
	reopen();
	drove_assert_error(drove_store_exists(st, "/bin", NULL), DROVE_ENOTFOUND, "/bin");
}
END_TEST

START_TEST(test_ephemeral_never_on_disk)
{
	int before = count_files("nodes");
	drove_store_stat s = DROVE_STORE_STAT_INIT;
	char *p = NULL;

	ck_assert_int_eq(drove_store_create(st, "/e", "x", 1, DROVE_STORE_EPHEMERAL, NULL), 0);
	ck_assert_int_eq(
	        drove_store_create(st, "/es-", "x", 1, DROVE_STORE_EPHEMERAL_SEQUENTIAL, &p), 0);
	ck_assert_int_eq(drove_store_exists(st, p, &s), 0);
	ck_assert_int_eq(s.ephemeral, 1);
	drove_free(p);
	/* only the root's sequence counter was written */
	ck_assert_int_le(count_files("nodes"), before + 1);
	ck_assert_int_eq(drove_store_set(st, "/e", "y", 1, 0, NULL), 0);
	reopen();
	drove_assert_error(drove_store_exists(st, "/e", NULL), DROVE_ENOTFOUND, "/e");
	ck_assert_int_eq(
	        drove_store_create(st, "/es-", "x", 1, DROVE_STORE_EPHEMERAL_SEQUENTIAL, &p), 0);
	ck_assert_str_eq(p, "/es-0000000001");
	drove_free(p);
}
END_TEST

START_TEST(test_versions_and_cas)
{
	drove_store_stat s = DROVE_STORE_STAT_INIT;

	ck_assert_int_eq(drove_store_create(st, "/v", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/v", "a", 1, 0, &s), 0);
	ck_assert_int_eq(s.version, 1);
	drove_assert_error(drove_store_set(st, "/v", "b", 1, 0, NULL), DROVE_ECONFLICT,
	                   "/v: version mismatch (expected 0, is 1)");
	drove_assert_error(drove_store_delete(st, "/v", 0), DROVE_ECONFLICT, "expected 0, is 1");
	drove_assert_error(drove_store_set(st, "/v", "b", 1, -2, NULL), DROVE_EINVAL,
	                   "version -2 is below -1");
	ck_assert_int_eq(drove_store_create(st, "/v/kid", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_exists(st, "/v", &s), 0);
	ck_assert_int_eq(s.cversion, 1);
	ck_assert_int_eq(s.num_children, 1);
	drove_assert_error(drove_store_delete(st, "/v", -1), DROVE_ECONFLICT, "has children");
	drove_assert_error(drove_store_delete(st, "/", -1), DROVE_EINVAL, "root");
	drove_assert_error(drove_store_create(st, "/", "", 0, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EINVAL, "root");
	drove_assert_error(drove_store_create(st, "/m", "", 0, 9, NULL), DROVE_EINVAL,
	                   "create mode 9");
	ck_assert_int_eq(drove_store_delete_recursive(st, "/"), 0);
	ck_assert_int_eq(drove_store_exists(st, "/", &s), 0);
	ck_assert_int_eq(s.num_children, 0);
}
END_TEST

/* Operations land in the metrics registry: latency per operation, errors without the
 * expected answers (a missing node, a lost compare-and-set). */
START_TEST(test_metrics_record_operations)
{
	drove_metrics *m = NULL;
	drove_metric *h, *errs;
	const char *set[] = {"set"}, *get[] = {"get"}, *create[] = {"create"};
	const double b[] = {1};
	double n, sum;
	char *data = NULL;
	size_t len;

	ck_assert_int_eq(drove_metrics_new(&m), 0);
	ck_assert_int_eq(drove_store_set_metrics(st, m), 0);
	ck_assert_int_eq(drove_store_create(st, "/m", "x", 1, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/m", "y", 1, -1, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/m", "z", 1, -1, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/m", "z", 1, 0, NULL), DROVE_ECONFLICT);
	ck_assert_int_eq(drove_store_get(st, "/nope", &data, &len, NULL), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_metrics_histogram(m, &h, "drove_store_operation_duration_seconds",
	                                         "x", "op", b, 1),
	                 DROVE_EEXISTS); /* other buckets: not the same family */
	ck_assert_int_eq(
	        drove_metrics_counter(m, &errs, "drove_store_operation_errors_total", "x", "op"),
	        0);
	{
		char *text = NULL;
		ck_assert_int_eq(drove_metrics_render(m, &text, NULL), 0);
		ck_assert_msg(
		        strstr(text,
		               "drove_store_operation_duration_seconds_count{op=\"set\"} 3\n"),
		        "%s", text);
		ck_assert_ptr_nonnull(strstr(
		        text, "drove_store_operation_duration_seconds_count{op=\"get\"} 1\n"));
		ck_assert_ptr_nonnull(strstr(
		        text, "drove_store_operation_duration_seconds_count{op=\"create\"} 1\n"));
		drove_free(text);
	}
	/* neither the lost compare-and-set nor the missing node is a store failure */
	ck_assert_int_eq(drove_metric_get(errs, set, &n, &sum), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_metric_get(errs, get, &n, &sum), DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_metric_get(errs, create, &n, &sum), DROVE_ENOTFOUND);
	drove_assert_error(drove_store_set_metrics(st, NULL), DROVE_EINVAL, "");
	drove_store_close(st); /* before the registry it records into */
	st = NULL;
	drove_metrics_free(m);
}
END_TEST

/* ---- paths, cap, lock ---- */

START_TEST(test_path_validation)
{
	static const char *bad[] = {"",       "a",          "/a/",         "//a",
	                            "/a//b",  "/a/./b",     "/a/..",       "/../x",
	                            "/a\x01", "/zookeeper", "/zookeeper/q"};
	size_t i;
	char *data;
	size_t len;
	char longp[DROVE__STORE_PATH_MAX + 8];

	for (i = 0; i < DROVE_ARRAY_LEN(bad); i++) {
		ck_assert_msg(drove_store_get(st, bad[i], &data, &len, NULL) == DROVE_EINVAL, "%s",
		              bad[i]);
		ck_assert_ptr_nonnull(strstr(drove_error_last()->message, "store: path"));
	}
	drove_assert_error(drove_store_get(st, NULL, &data, &len, NULL), DROVE_EINVAL, "null");
	drove_assert_error(drove_store_create(st, "/a/../../etc", "", 0, DROVE_STORE_PARENTS, NULL),
	                   DROVE_EINVAL, "'..'");
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	drove_assert_error(drove_store_exists(st, longp, NULL), DROVE_EINVAL, "above 1024");
	/* valid but too long for one file name on the local backend */
	memset(longp, 'b', 300);
	longp[0] = '/';
	longp[300] = '\0';
	drove_assert_error(drove_store_create(st, longp, "", 0, DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EINVAL, "too long for the local backend");
	ck_assert_int_eq(drove__store_path_check("/zookeeperx"), 0);
	ck_assert_int_eq(drove__store_path_check("/"), 0);
	ck_assert_int_eq(drove__store_path_check("/.../a.b"), 0);
}
END_TEST

START_TEST(test_value_cap)
{
	drove_store_opts *o;
	char *big = calloc(1, DROVE_STORE_DEFAULT_MAX_VALUE + 1);
	drove_store_ops *ops;

	drove_assert_error(drove_store_create(st, "/big", big, DROVE_STORE_DEFAULT_MAX_VALUE + 1,
	                                      DROVE_STORE_PERSISTENT, NULL),
	                   DROVE_EINVAL,
	                   "store: /big: value of 1032193 bytes exceeds the cap of "
	                   "1032192 bytes");
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/big", big, DROVE_STORE_DEFAULT_MAX_VALUE + 1,
	                                        DROVE_STORE_PERSISTENT),
	                 0);
	drove_assert_error(drove_store_multi(st, ops), DROVE_EINVAL, "/big: value of 1032193");
	drove_store_ops_free(ops);
	free(big);
	ck_assert_int_eq(drove_store_opts_new(&o), 0);
	drove_assert_error(drove_store_opts_set_max_value(o, 0), DROVE_EINVAL, "value cap 0");
	drove_assert_error(drove_store_opts_set_max_value(o, 17 * 1024 * 1024), DROVE_EINVAL,
	                   "value cap 17825792");
	drove_assert_error(drove_store_opts_set_session_timeout(o, 0), DROVE_EINVAL,
	                   "session timeout 0");
	drove_assert_error(drove_store_opts_set_connect_timeout(o, -1), DROVE_EINVAL,
	                   "connect timeout -1");
	drove_assert_error(drove_store_opts_set_namespace(o, "/"), DROVE_EINVAL, "namespace '/'");
	drove_assert_error(drove_store_opts_set_namespace(o, "x"), DROVE_EINVAL, "'x'");
	drove_assert_error(drove_store_opts_set_zk(o, ""), DROVE_EINVAL, "connection string");
	drove_assert_error(drove_store_opts_set_local(o, ""), DROVE_EINVAL, "data directory");
	drove_assert_error(drove_store_open(&st, loop, o), DROVE_EINVAL, "no backend");
	drove_store_opts_free(o);
}
END_TEST

START_TEST(test_flock_keeps_second_open_out)
{
	drove_store *second = NULL;
	drove_assert_error(drove_store_open(&second, loop, opts), DROVE_EUNAVAIL,
	                   "is in use by another store");
	ck_assert_ptr_null(second);
	drove_store_close(st);
	st = NULL;
	ck_assert_int_eq(drove_store_open(&second, loop, opts), 0);
	st = second;
}
END_TEST

static void rn_closing(void *ud)
{
	(void)ud;
}

static int rn_opened(void *ud)
{
	(void)ud;
	return 0;
}

static void rn_failed(void *ud, const char *why)
{
	ck_assert_ptr_nonnull(strstr(why, "cannot connect"));
	(*(int *)ud)++;
}

static const struct drove__store_renew_ops rn_ops = {
        .closing = rn_closing, .opened = rn_opened, .failed = rn_failed};

/* The first open of a renewing store (renew.c): the embedded store's errors come back as they
 * are (a data directory in use fails the start); an unreachable ZooKeeper is waited for: 0,
 * no store yet, ops->failed told why. */
START_TEST(test_renewing_first_open)
{
	drove_store *second = NULL, *zk = NULL;
	drove__store_renew *r = NULL;
	drove_store_opts *o;
	int failed = 0;

	ck_assert_int_eq(drove_store_opts_new(&o), 0);
	ck_assert_int_eq(drove_store_opts_set_local(o, dir), 0);
	drove_assert_error(drove__store_open_renewing(&second, loop, o, &rn_ops, &failed, &r),
	                   DROVE_EUNAVAIL, "is in use by another store");
	ck_assert_ptr_null(second);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(failed, 0);

	ck_assert_int_eq(drove_store_opts_new(&o), 0);
	ck_assert_int_eq(drove_store_opts_set_zk(o, "127.0.0.1:1"), 0);
	ck_assert_int_eq(drove_store_opts_set_connect_timeout(o, 200), 0);
	ck_assert_int_eq(drove__store_open_renewing(&zk, loop, o, &rn_ops, &failed, &r), 0);
	ck_assert_ptr_null(zk);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(failed, 1);
	drove__store_renew_free(r);
}
END_TEST

START_TEST(test_flock_across_processes)
{
	int fds[2];
	pid_t pid;
	char c = 0;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		drove_store *s2 = NULL;
		int rc = drove_store_open(&s2, loop, opts);
		c = rc == DROVE_EUNAVAIL ? 'y' : 'n';
		if (write(fds[1], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	ck_assert_int_eq(c, 'y');
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* ---- batches and the journal ---- */

START_TEST(test_multi_rollback)
{
	drove_store_ops *ops;
	char *data;
	size_t len;
	drove_store_stat s = DROVE_STORE_STAT_INIT;

	ck_assert_int_eq(drove_store_create(st, "/k", "0", 1, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	ck_assert_int_eq(drove_store_ops_set(ops, "/k", "1", 1, 0), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/k/a", "", 0, DROVE_STORE_PERSISTENT), 0);
	ck_assert_int_eq(drove_store_ops_delete(ops, "/k/a", 0), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/k/b-", "", 0, DROVE_STORE_SEQUENTIAL), 0);
	ck_assert_int_eq(drove_store_ops_create(ops, "/nope/x", "", 0, DROVE_STORE_PERSISTENT), 0);
	drove_assert_error(drove_store_multi(st, ops), DROVE_ENOTFOUND,
	                   "multi op 4 (/nope/x): /nope/x: parent /nope does not exist");
	drove_store_ops_free(ops);
	ck_assert_int_eq(drove_store_get(st, "/k", &data, &len, &s), 0);
	ck_assert_str_eq(data, "0");
	ck_assert_int_eq(s.version, 0);
	ck_assert_int_eq(s.num_children, 0);
	ck_assert_int_eq(s.cversion, 0);
	drove_free(data);
	drove_assert_error(drove_store_ops_create(NULL, "/a", "", 0, 0), DROVE_EINVAL, "ops");
	ck_assert_int_eq(drove_store_ops_new(&ops), 0);
	drove_assert_error(drove_store_ops_create(ops, "/a", "", 0, DROVE_STORE_PARENTS),
	                   DROVE_EINVAL, "create mode");
	drove_assert_error(drove_store_ops_delete(ops, "/", -1), DROVE_EINVAL, "root");
	ck_assert_int_eq(drove_store_multi(st, ops), 0); /* empty: nothing to do */
	drove_store_ops_free(ops);
}
END_TEST

START_TEST(test_journal_replay)
{
	char body[512];
	const char *node = "drove-node 1 4 0 0 1 2 5\nhello";
	char *data;
	size_t len;
	drove_store_stat s = DROVE_STORE_STAT_INIT;
	int n;

	drove_store_close(st);
	st = NULL;
	/* a committed batch the process died in the middle of */
	n = snprintf(body, sizeof(body), "P %%2Fj1 %zu\n%sD %%2Fgone\nEND\n", strlen(node), node);
	write_file("journal", body, (size_t)n);
	write_file("nodes/%2Fgone", "drove-node 1 0 0 0 1 1 0\n", 25);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	ck_assert_int_eq(drove_store_get(st, "/j1", &data, &len, &s), 0);
	ck_assert_str_eq(data, "hello");
	ck_assert_int_eq(s.version, 4);
	drove_free(data);
	drove_assert_error(drove_store_exists(st, "/gone", NULL), DROVE_ENOTFOUND, "/gone");
	/* several groups: the last committed state of a node wins, a torn group is ignored */
	drove_store_close(st);
	st = NULL;
	{
		const char *n2 = "drove-node 1 5 0 0 1 3 5\nworld";
		const char *n3 = "drove-node 1 6 0 0 1 4 4\ntorn";
		n = snprintf(body, sizeof(body),
		             "P %%2Fj1 %zu\n%sEND\nP %%2Fj1 %zu\n%sEND\nP %%2Fj1 %zu\n%s",
		             strlen(node), node, strlen(n2), n2, strlen(n3), n3);
	}
	write_file("journal", body, (size_t)n);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	ck_assert_int_eq(drove_store_get(st, "/j1", &data, &len, &s), 0);
	ck_assert_str_eq(data, "world");
	ck_assert_int_eq(s.version, 5);
	drove_free(data);
	/* a checkpoint the process died in (journal.old) is finished at open */
	drove_store_close(st);
	st = NULL;
	n = snprintf(body, sizeof(body), "P %%2Fj3 %zu\n%sEND\n", strlen(node), node);
	write_file("journal.old", body, (size_t)n);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	ck_assert_int_eq(drove_store_get(st, "/j3", &data, &len, NULL), 0);
	ck_assert_str_eq(data, "hello");
	drove_free(data);
	{
		char jp[256];
		snprintf(jp, sizeof(jp), "%s/journal.old", dir);
		ck_assert_int_ne(access(jp, F_OK), 0);
	}
	/* a batch that never committed is ignored */
	drove_store_close(st);
	st = NULL;
	n = snprintf(body, sizeof(body), "P %%2Fj2 %zu\n%s", strlen(node), node);
	write_file("journal", body, (size_t)n);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	drove_assert_error(drove_store_exists(st, "/j2", NULL), DROVE_ENOTFOUND, "/j2");
	{
		char jp[256];
		struct stat jst;
		snprintf(jp, sizeof(jp), "%s/journal", dir);
		/* replayed, then the open store's own journal starts empty */
		ck_assert_int_eq(stat(jp, &jst), 0);
		ck_assert_int_eq(jst.st_size, 0);
	}
}
END_TEST

START_TEST(test_corrupt_file_is_eio)
{
	drove_store_close(st);
	st = NULL;
	write_file("nodes/%2Fbad", "drove-node 1 0 0 0 1 1 99\nshort", 32);
	drove_assert_error(drove_store_open(&st, loop, opts), DROVE_EIO, "%2Fbad");
	{
		char bp[256];
		snprintf(bp, sizeof(bp), "%s/nodes/%%2Fbad", dir);
		ck_assert_int_eq(unlink(bp), 0);
	}
	write_file("nodes/%2Fa%2F..%2F..%2Fetc", "drove-node 1 0 0 0 1 1 0\n", 25);
	drove_assert_error(drove_store_open(&st, loop, opts), DROVE_EIO, "unexpected file");
	ck_assert_ptr_null(st);
}
END_TEST

static void big_done(int rc, const char *path, void *ud)
{
	(void)path;
	if (rc == 0)
		(*(int *)ud)++;
}

/* More than a checkpoint's worth of journal (4 MiB): the journal rotates and a background
 * checkpoint writes the node files while writes go on; all of it is there after reopening. */
START_TEST(test_checkpoint_rotation)
{
	static char big[8192];
	int done = 0;
	char *data;
	size_t len;

	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(drove_store_create(st, "/big", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	for (int i = 0; i < 600; i++) {
		char p[32];
		snprintf(p, sizeof(p), "/big/k%d", i);
		big[0] = (char)('a' + i % 26);
		ck_assert_int_eq(drove_store_create_async(st, p, big, sizeof(big),
		                                          DROVE_STORE_PERSISTENT, big_done, &done),
		                 0);
	}
	for (int i = 0; i < 3000 && done < 600; i++)
		drove_loop_run_for(loop, 10);
	ck_assert_int_eq(done, 600);
	/* the background checkpoint (read back from journal.old) wrote the first ~500 nodes'
	 * files while the store stays open */
	for (int i = 0; i < 3000 && count_files("nodes") < 400; i++)
		drove_loop_run_for(loop, 10);
	ck_assert_int_ge(count_files("nodes"), 400);
	ck_assert_int_lt(count_files("nodes"), 601);
	reopen();
	for (int i = 0; i < 600; i += 7) {
		char p[32];
		snprintf(p, sizeof(p), "/big/k%d", i);
		ck_assert_int_eq(drove_store_get(st, p, &data, &len, NULL), 0);
		ck_assert_uint_eq(len, sizeof(big));
		ck_assert_int_eq(data[0], 'a' + i % 26);
		drove_free(data);
	}
	ck_assert_int_eq(count_files("nodes"), 601); /* checkpointed at close */
}
END_TEST

/* ---- crash safety of the group commit: kill -9 after acknowledged writes ---- */

struct crash {
	int fd; /* acknowledgments: "c<i>\n" (create /crash/k<i>) or "s<i>\n" (/crash/v = i) */
	int n;
};

static void crash_ack(int fd, char kind, int i)
{
	char b[32];
	int n = snprintf(b, sizeof(b), "%c%d\n", kind, i);
	if (write(fd, b, (size_t)n) != n)
		_exit(3);
}

static void crash_created(int rc, const char *path, void *ud)
{
	int i = atoi(strrchr(path, 'k') + 1);
	if (rc == 0)
		crash_ack(((struct crash *)ud)->fd, 'c', i);
}

struct crash_set {
	struct crash *c;
	int i;
};

static void crash_set_done(int rc, const drove_store_stat *stat, void *ud)
{
	struct crash_set *cs = ud;
	(void)stat;
	if (rc == 0)
		crash_ack(cs->c->fd, 's', cs->i);
	free(cs);
}

/* The child: bursts of asynchronous creates and overwrites (each burst shares journal syncs)
 * forever, acknowledging each on the pipe as its completion arrives. */
static void crash_child(int fd)
{
	drove_ctx *c2 = NULL;
	drove_loop *l2 = NULL;
	drove_store *s2 = NULL;
	struct crash cr = {fd, 0};

	if (drove_ctx_new(&c2) < 0 || drove_loop_new(&l2, c2) < 0 ||
	    drove_store_open(&s2, l2, opts) < 0 ||
	    drove_store_create(s2, "/crash", "", 0, DROVE_STORE_PERSISTENT, NULL) < 0 ||
	    drove_store_create(s2, "/crash/v", "", 0, DROVE_STORE_PERSISTENT, NULL) < 0)
		_exit(2);
	crash_ack(fd, 'r', 0);
	for (;;) {
		for (int k = 0; k < 50; k++, cr.n++) {
			char p[64], v[32];
			struct crash_set *cs = malloc(sizeof(*cs));
			int vl = snprintf(v, sizeof(v), "%d", cr.n);
			snprintf(p, sizeof(p), "/crash/k%d", cr.n);
			cs->c = &cr;
			cs->i = cr.n;
			if (drove_store_create_async(s2, p, v, (size_t)vl, DROVE_STORE_PERSISTENT,
			                             crash_created, &cr) < 0 ||
			    drove_store_set_async(s2, "/crash/v", v, (size_t)vl, -1, crash_set_done,
			                          cs) < 0)
				_exit(4);
		}
		drove_loop_run_for(l2, 5);
	}
}

START_TEST(test_crash_keeps_acknowledged_writes)
{
	int fds[2], max_set = -1, created = 0, v;
	char *acks = NULL, *line, *save = NULL, *data;
	size_t alen = 0, len;
	drove__buf b = DROVE_BUF_INIT;
	pid_t pid;

	drove_store_close(st); /* the child takes the directory's lock */
	st = NULL;
	ck_assert_int_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		crash_child(fds[1]);
	}
	close(fds[1]);
	/* let it acknowledge a few hundred writes, then kill it mid-stream */
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(drove__buf_append(&b, chunk, (size_t)n), 0);
		if (b.len > 4000)
			break;
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	for (;;) { /* what it acknowledged before it died */
		char chunk[4096];
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n <= 0)
			break;
		ck_assert_int_eq(drove__buf_append(&b, chunk, (size_t)n), 0);
	}
	close(fds[0]);
	ck_assert_int_eq(drove_store_open(&st, loop, opts), 0);
	alen = b.len;
	acks = drove__buf_steal(&b);
	ck_assert_int_gt(alen, 0);
	for (line = strtok_r(acks, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char p[64];
		if (line[0] == 's' && atoi(line + 1) > max_set)
			max_set = atoi(line + 1);
		if (line[0] != 'c')
			continue;
		snprintf(p, sizeof(p), "/crash/k%s", line + 1);
		ck_assert_msg(drove_store_get(st, p, &data, &len, NULL) == 0,
		              "acknowledged %s lost", p);
		ck_assert_str_eq(data, line + 1);
		drove_free(data);
		created++;
	}
	free(acks);
	ck_assert_int_gt(created, 50);
	ck_assert_int_ge(max_set, 0);
	/* the last acknowledged overwrite, or a later one */
	ck_assert_int_eq(drove_store_get(st, "/crash/v", &data, &len, NULL), 0);
	v = atoi(data);
	drove_free(data);
	ck_assert_int_ge(v, max_set);
}
END_TEST

/* ---- watches ---- */

struct wc {
	int n, ev;
};

static void wfn(drove_store *s, int event, const char *path, void *ud)
{
	struct wc *w = ud;
	(void)s;
	(void)path;
	w->n++;
	w->ev = event;
}

static void got(int rc, const drove_store_stat *s, void *ud)
{
	(void)s;
	*(int *)ud = rc;
}

START_TEST(test_watches_local)
{
	struct wc w1 = {0}, w2 = {0}, w3 = {0}, rw = {0};
	drove_store_watch *h;
	int rc = 1;

	ck_assert_int_eq(drove_store_create(st, "/w", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_exists_async(st, "/w", wfn, &w1, got, &rc), 0);
	ck_assert_int_eq(drove_store_exists_async(st, "/w/c", wfn, &w2, got, &rc), 0);
	ck_assert_int_eq(drove_store_children_async(st, "/w", wfn, &w3, NULL, NULL), 0);
	drove_loop_run_for(loop, 20);
	ck_assert_int_eq(rc, DROVE_ENOTFOUND);
	ck_assert_int_eq(drove_store_create(st, "/w/c", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/w", "1", 1, -1, NULL), 0);
	ck_assert_int_eq(drove_store_set(st, "/w", "2", 1, -1, NULL), 0);
	drove_loop_run_for(loop, 20);
	ck_assert_int_eq(w1.n, 1);
	ck_assert_int_eq(w1.ev, DROVE_STORE_EV_CHANGED);
	ck_assert_int_eq(w2.n, 1);
	ck_assert_int_eq(w2.ev, DROVE_STORE_EV_CREATED);
	ck_assert_int_eq(w3.n, 1);
	ck_assert_int_eq(w3.ev, DROVE_STORE_EV_CHILDREN);
	/* re-arming children watch */
	ck_assert_int_eq(drove_store_watch_children(st, "/w", wfn, &rw, &h), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_eq(drove_store_delete(st, "/w/c", -1), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_eq(drove_store_create(st, "/w/d", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_eq(rw.n, 2);
	ck_assert_int_eq(drove_store_delete(st, "/w/d", -1), 0);
	ck_assert_int_eq(drove_store_delete(st, "/w", -1), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_eq(rw.n, 3); /* one call for both changes made before it re-armed */
	ck_assert_int_eq(rw.ev, DROVE_STORE_EV_CHILDREN);
	ck_assert_int_eq(drove_store_create(st, "/w", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_ge(rw.n, 4); /* it waited for /w to come back */
	drove_store_watch_cancel(h);
	/* a watch left armed at close is dropped silently (no leak) */
	ck_assert_int_eq(drove_store_get_async(st, "/w", wfn, &w1, NULL, NULL), 0);
	drove_loop_run_for(loop, 10);
	ck_assert_int_eq(drove_store_watch_data(st, "/w", wfn, &rw, &h), 0);
	drove_loop_run_for(loop, 10);
}
END_TEST

static int closed_in_cb;

static void close_from_cb(int rc, const drove_store_stat *s, void *ud)
{
	(void)rc;
	(void)s;
	(void)ud;
	closed_in_cb++;
	drove_store_close(st);
	st = NULL;
}

START_TEST(test_close_inside_callback)
{
	struct wc w = {0};
	closed_in_cb = 0;
	ck_assert_int_eq(drove_store_create(st, "/c", "", 0, DROVE_STORE_PERSISTENT, NULL), 0);
	ck_assert_int_eq(drove_store_exists_async(st, "/c", wfn, &w, close_from_cb, NULL), 0);
	ck_assert_int_eq(drove_store_exists_async(st, "/c", NULL, NULL, close_from_cb, NULL), 0);
	drove_loop_run_for(loop, 20);
	/* the first callback closed the store; the second ran once from inside the close */
	ck_assert_int_eq(closed_in_cb, 2);
	ck_assert_int_eq(w.n, 0);
	ck_assert_ptr_null(st);
}
END_TEST

/* ---- election and term ---- */

struct lead {
	int acquired;
	int64_t term;
};

static void lead_cb(drove_election *e, int event, int64_t term, void *ud)
{
	struct lead *l = ud;
	(void)e;
	if (event == DROVE_STORE_LEADER_ACQUIRED)
		l->acquired++;
	l->term = term;
}

START_TEST(test_local_term_grows_per_open)
{
	struct lead l = {0};
	drove_election *e;
	int64_t first;

	ck_assert_int_eq(drove_store_elect(st, "n1", 2, lead_cb, &l, &e), 0);
	for (int i = 0; i < 500 && l.acquired < 1; i++)
		drove_loop_run_for(loop, 10);
	ck_assert_int_eq(l.acquired, 1);
	first = l.term;
	ck_assert_int_ge(first, 1);
	reopen(); /* the election goes with the store */
	ck_assert_int_eq(drove_store_elect(st, "n1", 2, lead_cb, &l, &e), 0);
	/* its writes complete once the journal has them on disk */
	for (int i = 0; i < 500 && l.acquired < 2; i++)
		drove_loop_run_for(loop, 10);
	ck_assert_int_eq(l.acquired, 2);
	ck_assert_int_eq(l.term, first + 1);
	ck_assert(drove_election_is_leader(e));
	ck_assert_int_eq(drove_election_term(e), first + 1);
	ck_assert_int_eq(drove_election_is_leader(NULL), 0);
}
END_TEST

/* ---- records ---- */

START_TEST(test_record_paths)
{
	char *p = NULL;

	ck_assert_int_eq(drove_record_path(DROVE_RECORD_APPLICATION, NULL, "APP-1", &p), 0);
	ck_assert_str_eq(p, "/applications/APP-1");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_INSTANCE, "APP-1", "AI-x", &p), 0);
	ck_assert_str_eq(p, "/instances/APP-1/AI-x");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_TASK, "APP", "T1", &p), 0);
	ck_assert_str_eq(p, "/tasks/APP/T1");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_LOCAL_SERVICE, NULL, "LS-1", &p), 0);
	ck_assert_str_eq(p, "/localservices/LS-1");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_LOCAL_SERVICE_INSTANCE, "LS-1", "SI-1", &p),
	                 0);
	ck_assert_str_eq(p, "/localserviceinstances/LS-1/SI-1");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_EXECUTOR, NULL, "h-3000", &p), 0);
	ck_assert_str_eq(p, "/executor/h-3000");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_CONTROLLER, NULL, "h-4000", &p), 0);
	ck_assert_str_eq(p, "/controller/h-4000");
	drove_free(p);
	ck_assert_int_eq(drove_record_path(DROVE_RECORD_CLUSTER_STATE, NULL, NULL, &p), 0);
	ck_assert_str_eq(p, "/cluster/maintenance");
	drove_free(p);
	drove_assert_error(drove_record_path(DROVE_RECORD_INSTANCE, "APP", "../x", &p),
	                   DROVE_EINVAL, "instance id '../x' has a bad byte at 2");
	drove_assert_error(drove_record_path(DROVE_RECORD_INSTANCE, NULL, "AI", &p), DROVE_EINVAL,
	                   "parent id is empty");
	drove_assert_error(drove_record_path(DROVE_RECORD_APPLICATION, NULL, "..", &p),
	                   DROVE_EINVAL, "'..' is not allowed");
	drove_assert_error(drove_record_path(99, NULL, "x", &p), DROVE_EINVAL, "kind 99");
	drove_assert_error(
	        drove_record_list(st, DROVE_RECORD_CLUSTER_STATE, NULL, (drove_strlist **)&p),
	        DROVE_EINVAL, "single record");
}
END_TEST

START_TEST(test_records_local_roundtrip)
{
	drove_strlist *ids = NULL;
	char *json;
	size_t len;

	ck_assert_int_eq(drove_record_put(st, DROVE_RECORD_APPLICATION, NULL, "A-1", "{}", 2), 0);
	ck_assert_int_eq(
	        drove_record_put(st, DROVE_RECORD_APPLICATION, NULL, "B-1", "{\"b\":1}", 7), 0);
	ck_assert_int_eq(drove_record_put(st, DROVE_RECORD_TASK, "A", "T1", "{}", 2), 0);
	ck_assert_int_eq(drove_record_put(st, DROVE_RECORD_CONTROLLER, NULL, "h-1", "{}", 2), 0);
	reopen();
	ck_assert_int_eq(drove_record_list(st, DROVE_RECORD_APPLICATION, NULL, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 2);
	ck_assert_str_eq(drove_strlist_get(ids, 1), "B-1");
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_record_get(st, DROVE_RECORD_APPLICATION, NULL, "B-1", &json, &len),
	                 0);
	ck_assert_str_eq(json, "{\"b\":1}");
	drove_free(json);
	ck_assert_int_eq(drove_record_list(st, DROVE_RECORD_CONTROLLER, NULL, &ids), 0);
	ck_assert_uint_eq(drove_strlist_count(ids), 0);
	drove_strlist_free(ids);
	ck_assert_int_eq(drove_record_delete(st, DROVE_RECORD_TASK, "A", "T1"), 0);
	drove_assert_error(drove_record_delete(st, DROVE_RECORD_TASK, "A", "T1"), DROVE_ENOTFOUND,
	                   "/tasks/A/T1");
}
END_TEST

struct rec_async {
	int put_rc, get_rc, del_rc, calls;
	char got[64];
};

static void rec_put_done(int rc, void *ud)
{
	struct rec_async *r = ud;
	r->put_rc = rc;
	r->calls++;
}

static void rec_got(int rc, const char *data, size_t len, const drove_store_stat *stat, void *ud)
{
	struct rec_async *r = ud;
	r->get_rc = rc;
	if (rc == 0)
		snprintf(r->got, sizeof(r->got), "%.*s", (int)len, data);
	r->calls++;
}

static void rec_del_done(int rc, void *ud)
{
	struct rec_async *r = ud;
	r->del_rc = rc;
	r->calls++;
	drove_loop_stop(loop);
}

START_TEST(test_records_async)
{
	struct rec_async r = {-99, -99, -99, 0, ""};
	const char *rec = "{\"state\":\"HEALTHY\"}";

	ck_assert_int_eq(drove_record_put_async(st, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", rec,
	                                        strlen(rec), rec_put_done, &r),
	                 0);
	ck_assert_int_eq(
	        drove_record_get_async(st, DROVE_RECORD_INSTANCE, "APP-1", "AI-1", rec_got, &r), 0);
	ck_assert_int_eq(drove_record_delete_async(st, DROVE_RECORD_INSTANCE, "APP-1", "AI-1",
	                                           rec_del_done, &r),
	                 0);
	drove_loop_run_for(loop, 5000);
	ck_assert_int_eq(r.calls, 3);
	ck_assert_int_eq(r.put_rc, 0);
	ck_assert_int_eq(r.get_rc, 0);
	ck_assert_str_eq(r.got, rec);
	ck_assert_int_eq(r.del_rc, 0);
	drove_assert_error(
	        drove_record_get_async(st, DROVE_RECORD_INSTANCE, "APP-1", "../x", rec_got, &r),
	        DROVE_EINVAL, "bad byte");
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("local");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_durable_across_reopen);
	tcase_add_test(tc, test_ephemeral_never_on_disk);
	tcase_add_test(tc, test_versions_and_cas);
	tcase_add_test(tc, test_metrics_record_operations);
	tcase_add_test(tc, test_path_validation);
	tcase_add_test(tc, test_value_cap);
	tcase_add_test(tc, test_flock_keeps_second_open_out);
	tcase_add_test(tc, test_flock_across_processes);
	tcase_add_test(tc, test_multi_rollback);
	tcase_add_test(tc, test_journal_replay);
	tcase_add_test(tc, test_crash_keeps_acknowledged_writes);
	tcase_add_test(tc, test_checkpoint_rotation);
	tcase_add_test(tc, test_corrupt_file_is_eio);
	tcase_add_test(tc, test_watches_local);
	tcase_add_test(tc, test_close_inside_callback);
	tcase_add_test(tc, test_local_term_grows_per_open);
	tcase_add_test(tc, test_records_async);
	tcase_add_test(tc, test_record_paths);
	tcase_add_test(tc, test_records_local_roundtrip);
	tcase_add_test(tc, test_renewing_first_open);
	suite_add_tcase(s, tc);
	return s;
}
