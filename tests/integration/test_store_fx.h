/* The store integration tests' fixture (test_store.c, test_store_many.c): a store on the
 * embedded backend or on a fresh ZooKeeper namespace, a loop, and their teardown. */
#ifndef DROVE_TEST_STORE_FX_H
#define DROVE_TEST_STORE_FX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "store/store_internal.h"
#include "harness.h"

static const char *zk_addr;
static unsigned run_id;
static int ns_counter;

struct fx {
	drove_ctx *ctx;
	drove_loop *loop;
	drove_store_opts *opts;
	drove_store *s;
	int backend;
	char dir[256];
	char ns[128];
};

static struct fx F;

static inline void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static inline void make_opts(struct fx *f, drove_store_opts **out)
{
	ck_assert_int_eq(drove_store_opts_new(out), 0);
	if (f->backend == DROVE_STORE_ZK) {
		ck_assert_int_eq(drove_store_opts_set_zk(*out, zk_addr), 0);
		ck_assert_int_eq(drove_store_opts_set_namespace(*out, f->ns), 0);
		ck_assert_int_eq(drove_store_opts_set_session_timeout(*out, 6000), 0);
	} else {
		ck_assert_int_eq(drove_store_opts_set_local(*out, f->dir), 0);
	}
}

static inline void fx_setup(int backend)
{
	memset(&F, 0, sizeof(F));
	F.backend = backend;
	snprintf(F.ns, sizeof(F.ns), "/drove-test/r-%d-%u-%d", (int)getpid(), run_id, ns_counter++);
	snprintf(F.dir, sizeof(F.dir), "/tmp/drove-store-it-%d-%u-%d", (int)getpid(), run_id,
	         ns_counter);
	ck_assert_int_eq(drove_ctx_new(&F.ctx), 0);
	ck_assert_int_eq(drove_loop_new(&F.loop, F.ctx), 0);
	make_opts(&F, &F.opts);
	ck_assert_int_eq(drove_store_open(&F.s, F.loop, F.opts), 0);
}

static inline void fx_teardown(void)
{
	if (F.s && F.backend == DROVE_STORE_ZK)
		drove_store_delete_recursive(F.s, "/");
	drove_store_close(F.s);
	if (F.backend == DROVE_STORE_ZK) {
		/* drop the namespace node itself */
		drove_store_opts *o;
		drove_store *root;
		char *parent = strdup(F.ns);
		*strrchr(parent, '/') = '\0';
		ck_assert_int_eq(drove_store_opts_new(&o), 0);
		drove_store_opts_set_zk(o, zk_addr);
		if (*parent)
			drove_store_opts_set_namespace(o, parent);
		if (*parent && drove_store_open(&root, F.loop, o) == 0) {
			drove_store_delete(root, strrchr(F.ns, '/'), -1);
			drove_store_close(root);
		}
		free(parent);
		drove_store_opts_free(o);
	} else {
		rm_rf(F.dir);
	}
	drove_store_opts_free(F.opts);
	drove_loop_free(F.loop);
	drove_ctx_free(F.ctx);
}

static inline void reopen(void)
{
	drove_store_close(F.s);
	F.s = NULL;
	ck_assert_int_eq(drove_store_open(&F.s, F.loop, F.opts), 0);
}

/* Run the loop until *flag reaches `want` or `ms` pass. */
static inline int run_until(drove_loop *loop, const int *flag, int want, int ms)
{
	int64_t end = drove_time_mono_ms() + ms;
	while (*flag < want && drove_time_mono_ms() < end)
		drove_loop_run_for(loop, 20);
	return *flag >= want;
}

static inline int backend_of(int i)
{
	return i == 0 ? DROVE_STORE_LOCAL : DROVE_STORE_ZK;
}

/* Once per suite: the ZooKeeper to use and this run's namespace salt. */
static inline void fx_init_suite(void)
{
	zk_addr = drove_test_require_env("DROVE_TEST_ZK", "ZooKeeper");
	run_id = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
}

#endif
