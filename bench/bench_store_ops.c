/* Reads and writes per second through the store, against the same operations done with the
 * raw ZooKeeper C client (the baseline), and through the local backend.
 *
 *   DROVE_TEST_ZK=127.0.0.1:2181 bench_store_ops [ops]
 *
 * Rows: sync single reads/writes (one round trip each), batched writes (a multi of BATCH
 * sets; counted per set), async pipelined reads/writes (WINDOW requests in flight). The
 * ratio is store / raw (1.00 = no overhead). The local backend group-commits writes (one
 * fdatasync of its journal for the writes queued meanwhile): its synchronous write rate is
 * the disk's sync rate, its pipelined one far higher. BENCH_STORE_LOCAL_WRITES sets the local
 * writes per row (default min(ops / 10, 200)). */
#define THREADED 1
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>
#include <event2/event.h>

#include <drove/drove.h>

#include "core/loop_internal.h"

#define BATCH  10
#define WINDOW 100

static const char VALUE[] = "{\"appId\":\"BENCH-1\",\"state\":\"RUNNING\",\"instances\":3}";
#define VLEN (sizeof(VALUE) - 1)

static double now_s(void)
{
	return (double)drove_time_mono_us() / 1e6;
}

/* ---- raw ZooKeeper ---- */

static int raw_up;
static void raw_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	(void)zh;
	(void)type;
	(void)path;
	(void)ctx;
	if (state == ZOO_CONNECTED_STATE)
		__atomic_store_n(&raw_up, 1, __ATOMIC_RELEASE);
}

static void quiet(const char *m)
{
	(void)m;
}

struct pipe_st {
	pthread_mutex_t m;
	pthread_cond_t c;
	int inflight, done;
};

static void raw_stat_done(int rc, const struct Stat *st, const void *d)
{
	struct pipe_st *p = (struct pipe_st *)d;
	(void)rc;
	(void)st;
	pthread_mutex_lock(&p->m);
	p->inflight--;
	p->done++;
	pthread_cond_signal(&p->c);
	pthread_mutex_unlock(&p->m);
}

static void raw_data_done(int rc, const char *v, int vl, const struct Stat *st, const void *d)
{
	(void)v;
	(void)vl;
	raw_stat_done(rc, st, d);
}

static void raw_wait_window(struct pipe_st *p, int max)
{
	pthread_mutex_lock(&p->m);
	while (p->inflight >= max)
		pthread_cond_wait(&p->c, &p->m);
	p->inflight++;
	pthread_mutex_unlock(&p->m);
}

static double raw_pipelined(zhandle_t *zh, const char *path, int n, int write)
{
	struct pipe_st p = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
	double t0 = now_s();
	int i;

	for (i = 0; i < n; i++) {
		raw_wait_window(&p, WINDOW);
		if (write)
			zoo_aset(zh, path, VALUE, (int)VLEN, -1, raw_stat_done, &p);
		else
			zoo_aget(zh, path, 0, raw_data_done, &p);
	}
	raw_wait_window(&p, 1); /* wait for all: inflight back to 0, then take one */
	return n / (now_s() - t0);
}

struct raw_res {
	double rd, wr, batch, ard, awr;
};

static int raw_bench(const char *zk, int n, struct raw_res *r)
{
	char buf[1024];
	int i, len;
	zhandle_t *zh;
	zoo_op_t ops[BATCH];
	zoo_op_result_t res[BATCH];
	char paths[BATCH][64];
	double t0;

	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
	raw_up = 0;
	zh = zookeeper_init2(zk, raw_watcher, 30000, NULL, NULL, 0, quiet);
	for (i = 0; i < 500 && !__atomic_load_n(&raw_up, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	if (!zh || !raw_up)
		return -1;
	zoo_create(zh, "/drove-bench-raw", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
	zoo_create(zh, "/drove-bench-raw/n", VALUE, (int)VLEN, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
	for (i = 0; i < BATCH; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/drove-bench-raw/b%d", i);
		zoo_create(zh, paths[i], VALUE, (int)VLEN, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		len = sizeof(buf);
		zoo_get(zh, "/drove-bench-raw/n", 0, buf, &len, NULL);
	}
	r->rd = n / (now_s() - t0);
	t0 = now_s();
	for (i = 0; i < n; i++)
		zoo_set(zh, "/drove-bench-raw/n", VALUE, (int)VLEN, -1);
	r->wr = n / (now_s() - t0);
	t0 = now_s();
	for (i = 0; i < n / BATCH; i++) {
		int j;
		for (j = 0; j < BATCH; j++)
			zoo_set_op_init(&ops[j], paths[j], VALUE, (int)VLEN, -1, NULL);
		zoo_multi(zh, BATCH, ops, res);
	}
	r->batch = (n / BATCH) * BATCH / (now_s() - t0);
	r->ard = raw_pipelined(zh, "/drove-bench-raw/n", n, 0);
	r->awr = raw_pipelined(zh, "/drove-bench-raw/n", n, 1);
	for (i = 0; i < BATCH; i++)
		zoo_delete(zh, paths[i], -1);
	zoo_delete(zh, "/drove-bench-raw/n", -1);
	zoo_delete(zh, "/drove-bench-raw", -1);
	zookeeper_close(zh);
	return 0;
}

/* ---- through the store ---- */

struct store_res {
	double rd, wr, batch, ard, awr;
};

struct apipe {
	int inflight, done;
};

static void st_done_stat(int rc, const drove_store_stat *st, void *ud)
{
	struct apipe *p = ud;
	(void)rc;
	(void)st;
	p->inflight--;
	p->done++;
}

static void st_done_get(int rc, const char *d, size_t l, const drove_store_stat *st, void *ud)
{
	(void)d;
	(void)l;
	st_done_stat(rc, st, ud);
}

static double store_pipelined(drove_loop *loop, drove_store *s, int n, int write)
{
	struct apipe p = {0, 0};
	double t0 = now_s();
	int issued = 0;

	while (p.done < n) {
		while (issued < n && p.inflight < WINDOW) {
			int rc =
			        write ? drove_store_set_async(s, "/n", VALUE, VLEN, -1,
			                                      st_done_stat, &p)
			              : drove_store_get_async(s, "/n", NULL, NULL, st_done_get, &p);
			if (rc < 0)
				return 0;
			p.inflight++;
			issued++;
		}
		/* wait for the next batch of completions (no timer: EVLOOP_ONCE blocks until the
		 * store's queue event is activated) */
		event_base_loop(drove__loop_base(loop), EVLOOP_ONCE);
	}
	return n / (now_s() - t0);
}

static int store_bench(drove_loop *loop, drove_store *s, int n, int nw, struct store_res *r)
{
	drove_store_ops *ops;
	char path[64], *data;
	size_t len;
	double t0;
	int i, j;

	drove_store_delete_recursive(s, "/");
	if (drove_store_put(s, "/n", VALUE, VLEN, DROVE_STORE_PERSISTENT) < 0)
		return -1;
	for (j = 0; j < BATCH; j++) {
		snprintf(path, sizeof(path), "/b%d", j);
		drove_store_put(s, path, VALUE, VLEN, DROVE_STORE_PERSISTENT);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (drove_store_get(s, "/n", &data, &len, NULL) < 0)
			return -1;
		drove_free(data);
	}
	r->rd = n / (now_s() - t0);
	t0 = now_s();
	for (i = 0; i < nw; i++)
		if (drove_store_set(s, "/n", VALUE, VLEN, -1, NULL) < 0)
			return -1;
	r->wr = nw / (now_s() - t0);
	t0 = now_s();
	for (i = 0; i < nw / BATCH; i++) {
		drove_store_ops_new(&ops);
		for (j = 0; j < BATCH; j++) {
			snprintf(path, sizeof(path), "/b%d", j);
			drove_store_ops_set(ops, path, VALUE, VLEN, -1);
		}
		if (drove_store_multi(s, ops) < 0)
			return -1;
		drove_store_ops_free(ops);
	}
	r->batch = (nw / BATCH) * BATCH / (now_s() - t0);
	r->ard = store_pipelined(loop, s, n, 0);
	r->awr = store_pipelined(loop, s, nw, 1);
	drove_store_delete_recursive(s, "/");
	return 0;
}

static void row(const char *name, double raw, double zk, double local)
{
	char a[32] = "n/a", b[32] = "n/a", c[32] = "n/a", d[32] = "n/a";
	if (raw > 0)
		snprintf(a, sizeof(a), "%.0f", raw);
	if (zk > 0)
		snprintf(b, sizeof(b), "%.0f", zk);
	if (raw > 0 && zk > 0)
		snprintf(c, sizeof(c), "%.2f", zk / raw);
	if (local > 0)
		snprintf(d, sizeof(d), "%.0f", local);
	printf("%-30s %12s %12s %8s %12s\n", name, a, b, c, d);
}

int main(int argc, char **argv)
{
	const char *zk = getenv("DROVE_TEST_ZK");
	int n = argc > 1 ? atoi(argv[1]) : 5000;
	int nlocal_w = n / 10 > 200 ? 200 : n / 10;
	const char *lw = getenv("BENCH_STORE_LOCAL_WRITES"); /* local writes per row */
	struct raw_res raw = {0};
	struct store_res szk = {0}, sl = {0};
	drove_ctx *ctx;
	drove_loop *loop;
	drove_store_opts *o;
	drove_store *s;
	char dir[] = "/tmp/drove-bench-store-XXXXXX", ns[64], cmd[128];

	if (n < BATCH)
		n = BATCH;
	if (lw && atoi(lw) > 0)
		nlocal_w = atoi(lw);
	if (nlocal_w < BATCH)
		nlocal_w = BATCH;
	if (drove_ctx_new(&ctx) < 0 || drove_loop_new(&loop, ctx) < 0)
		return 1;
	if (zk && *zk) {
		int round;
		snprintf(ns, sizeof(ns), "/drove-bench-%d", (int)getpid());
		drove_store_opts_new(&o);
		drove_store_opts_set_zk(o, zk);
		drove_store_opts_set_namespace(o, ns);
		if (drove_store_open(&s, loop, o) < 0) {
			fprintf(stderr, "store (zk): %s\n", drove_error_last()->message);
			return 1;
		}
		/* warm the server up, then alternate raw and store rounds and keep the best of
		 * each (the machine is shared; this evens out the noise) */
		for (round = 0; round < 3; round++) {
			struct raw_res r = {0};
			struct store_res t = {0};
			int m = round == 0 ? n / 5 : n;
			if (raw_bench(zk, m, &r) < 0) {
				fprintf(stderr, "raw zookeeper at %s: cannot connect\n", zk);
				return 1;
			}
			if (store_bench(loop, s, m, m, &t) < 0) {
				fprintf(stderr, "store (zk): %s\n", drove_error_last()->message);
				return 1;
			}
			if (round == 0)
				continue;
#define BEST(a, b) ((a) = (b) > (a) ? (b) : (a))
			BEST(raw.rd, r.rd);
			BEST(raw.wr, r.wr);
			BEST(raw.batch, r.batch);
			BEST(raw.ard, r.ard);
			BEST(raw.awr, r.awr);
			BEST(szk.rd, t.rd);
			BEST(szk.wr, t.wr);
			BEST(szk.batch, t.batch);
			BEST(szk.ard, t.ard);
			BEST(szk.awr, t.awr);
		}
		drove_store_close(s);
		drove_store_opts_free(o);
		{ /* remove the namespace node */
			zhandle_t *zh;
			raw_up = 0;
			zh = zookeeper_init2(zk, raw_watcher, 30000, NULL, NULL, 0, quiet);
			for (int i = 0; i < 500 && !__atomic_load_n(&raw_up, __ATOMIC_ACQUIRE); i++)
				usleep(10000);
			if (zh) {
				zoo_delete(zh, ns, -1);
				zookeeper_close(zh);
			}
		}
	} else {
		fprintf(stderr, "DROVE_TEST_ZK unset: ZooKeeper columns skipped\n");
	}
	if (!mkdtemp(dir))
		return 1;
	drove_store_opts_new(&o);
	drove_store_opts_set_local(o, dir);
	if (drove_store_open(&s, loop, o) < 0 || store_bench(loop, s, n, nlocal_w, &sl) < 0) {
		fprintf(stderr, "store (local): %s\n", drove_error_last()->message);
		return 1;
	}
	drove_store_close(s);
	drove_store_opts_free(o);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);

	printf("store ops/s (best of 2 rounds after a warm-up): %d reads, %d zk writes, %d local "
	       "writes; %d-byte values; batch %d; "
	       "window %d\n",
	       n, n, nlocal_w, (int)VLEN, BATCH, WINDOW);
	printf("%-30s %12s %12s %8s %12s\n", "operation", "raw zk", "store zk", "ratio", "local");
	row("read (sync get)", raw.rd, szk.rd, sl.rd);
	row("write (sync set)", raw.wr, szk.wr, sl.wr);
	row("batched write (multi, per op)", raw.batch, szk.batch, sl.batch);
	row("read (async, pipelined)", raw.ard, szk.ard, sl.ard);
	row("write (async, pipelined)", raw.awr, szk.awr, sl.awr);
	printf("store: zk_read_ratio=%.2f zk_write_ratio=%.2f zk_multi_ratio=%.2f "
	       "zk_async_read_ratio=%.2f zk_async_write_ratio=%.2f local_write_per_s=%.0f\n",
	       raw.rd > 0 ? szk.rd / raw.rd : 0, raw.wr > 0 ? szk.wr / raw.wr : 0,
	       raw.batch > 0 ? szk.batch / raw.batch : 0, raw.ard > 0 ? szk.ard / raw.ard : 0,
	       raw.awr > 0 ? szk.awr / raw.awr : 0, sl.wr);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	return 0;
}
