/* The console's server-side rendering (docs/benchmarks.md, "Console"): 100 applications of 30
 * HEALTHY instances (3,000) on 10 executors with two NUMA nodes each, built in memory
 * (tests/unit/ctrl_console_fake.h), no daemon and no socket. Every page is rendered as the
 * whole HTML document, `rounds` times; wall-clock p50, p99 and max per page are printed, the
 * p99 of the thread's CPU time (which a busy machine's preemption does not inflate), and the
 * bytes.
 *
 *   bench_ctrl_console [rounds]   (default 200) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/ctx.h>

#include "../tests/unit/ctrl_console_fake.h"

#define N_APPS  100
#define PER_APP 30
#define N_EXEC  10

static double clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int page;
		const char *id1, *id2;
	} pages[] = {
	        {"cluster", DROVE__CONSOLE_CLUSTER, NULL, NULL},
	        {"executors", DROVE__CONSOLE_EXECUTORS, NULL, NULL},
	        {"executor(300 inst)", DROVE__CONSOLE_EXECUTOR, "E3", NULL},
	        {"applications", DROVE__CONSOLE_APPS, NULL, NULL},
	        {"application(30 inst)", DROVE__CONSOLE_APP, "app-050-1", NULL},
	        {"instance", DROVE__CONSOLE_APP_INSTANCE, "app-050-1", "AI-001500"},
	};
	int rounds = argc > 1 ? atoi(argv[1]) : 200;
	double worst_p99 = 0, *t, *cpu;
	drove_ctx *ctx = NULL;
	drove_controller *c;
	const char *worst = "";

	if (rounds < 1 || drove_ctx_new(&ctx) < 0)
		return 2;
	c = fake_ctrl_new(ctx, N_APPS, PER_APP, N_EXEC, "<script>alert(1)</script>");
	if (!(t = calloc((size_t)rounds, sizeof(*t))) ||
	    !(cpu = calloc((size_t)rounds, sizeof(*cpu))))
		return 2;
	printf("console rendering: %d apps x %d instances = %d instances on %d executors, %d "
	       "rounds per page (whole document)\n",
	       N_APPS, PER_APP, N_APPS * PER_APP, N_EXEC, rounds);
	printf("%-22s %10s %10s %10s %12s %10s\n", "page", "p50 ms", "p99 ms", "max ms",
	       "p99 cpu ms", "bytes");
	for (size_t p = 0; p < DROVE_ARRAY_LEN(pages); p++) {
		size_t bytes = 0;
		for (int r = 0; r < rounds; r++) {
			drove__buf b = DROVE_BUF_INIT;
			double t0 = clock_ms(CLOCK_MONOTONIC),
			       c0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
			if (drove__console_document(c, pages[p].page, pages[p].id1, pages[p].id2, 0,
			                            &b) < 0) {
				fprintf(stderr, "%s: %s\n", pages[p].name,
				        drove_error_last()->message);
				return 1;
			}
			t[r] = clock_ms(CLOCK_MONOTONIC) - t0;
			cpu[r] = clock_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
			bytes = b.len;
			drove__buf_free(&b);
		}
		qsort(t, (size_t)rounds, sizeof(*t), dbl_cmp);
		qsort(cpu, (size_t)rounds, sizeof(*cpu), dbl_cmp);
		printf("%-22s %10.3f %10.3f %10.3f %12.3f %10zu\n", pages[p].name, t[rounds / 2],
		       t[(size_t)(rounds * 0.99)], t[rounds - 1], cpu[(size_t)(rounds * 0.99)],
		       bytes);
		if (t[(size_t)(rounds * 0.99)] > worst_p99) {
			worst_p99 = t[(size_t)(rounds * 0.99)];
			worst = pages[p].name;
		}
	}
	printf("console: apps=%d instances=%d worst_page=%s worst_p99_ms=%.3f target_ms=50 %s\n",
	       N_APPS, N_APPS * PER_APP, worst, worst_p99, worst_p99 <= 50 ? "within" : "OVER");
	free(t);
	free(cpu);
	fake_ctrl_free(c);
	drove_ctx_free(ctx);
	return 0;
}
