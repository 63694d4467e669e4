/*
 * The local backend's memory while its journal rotates: 700 nodes of 8 KiB created, then
 * overwritten (1,500 writes, about 12 MiB of journal: two checkpoints in the background), and
 * what malloc holds afterwards (heap and mmapped chunks), against the nodes' own bytes
 * (the baseline: what the tree must hold).
 *
 *   bench_store_journal [writes]     (default 1500)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>

#define NODES 700
#define SIZE  8192

static void created(int rc, const char *path, void *ud)
{
	(void)path;
	if (rc == 0)
		(*(int *)ud)++;
}

static void set_done(int rc, const drove_store_stat *stat, void *ud)
{
	(void)stat;
	if (rc == 0)
		(*(int *)ud)++;
}

int main(int argc, char **argv)
{
	int writes = argc > 1 ? atoi(argv[1]) : 1500, ok = 0;
	char dir[] = "/tmp/bench-store-journal-XXXXXX", cmd[96], path[32];
	static char big[SIZE];
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	drove_store_opts *o = NULL;
	drove_store *st = NULL;

	if (writes < NODES || !mkdtemp(dir) || drove_ctx_new(&ctx) || drove_loop_new(&loop, ctx) ||
	    drove_store_opts_new(&o) || drove_store_opts_set_local(o, dir) ||
	    drove_store_open(&st, loop, o) ||
	    drove_store_create(st, "/b", "", 0, DROVE_STORE_PERSISTENT, NULL))
		return 1;
	memset(big, 'x', sizeof(big));
	for (int i = 0; i < writes; i++) {
		snprintf(path, sizeof(path), "/b/k%d", i % NODES);
		big[0] = (char)('a' + i % 26);
		if (i < NODES
		            ? drove_store_create_async(st, path, big, sizeof(big),
		                                       DROVE_STORE_PERSISTENT, created, &ok)
		            : drove_store_set_async(st, path, big, sizeof(big), -1, set_done, &ok))
			return 1;
	}
	for (int i = 0; i < 6000 && ok < writes; i++)
		drove_loop_run_for(loop, 10);
	drove_loop_run_for(loop, 1000); /* the last background checkpoint */
	struct mallinfo2 mi = mallinfo2();
	double held = (mi.uordblks + mi.hblkhd) / 1048576.0, nodes = NODES * SIZE / 1048576.0;
	printf("store_journal: writes=%d journal_mib=%.1f malloc_mib=%.1f nodes_mib=%.1f "
	       "ratio=%.2f\n",
	       ok, writes * (SIZE + 40) / 1048576.0, held, nodes, held / nodes);
	drove_store_close(st);
	drove_store_opts_free(o);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 && ok == writes ? 0 : 1;
}
