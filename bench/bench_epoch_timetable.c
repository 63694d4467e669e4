/*
 * Epoch's timetable (libdrove/epoch/sched.c) at n topologies: adding them all (what a new
 * leader does on load), popping one second's n fires (every topology on a 1 s schedule), and
 * taking them all out, each timed per operation. The per-add time at the largest n over the
 * smallest is printed as `add_growth`: about log(n) growth means the index works; a linear
 * scan would grow with n (30× here).
 *
 *   bench_epoch_timetable [max topologies]     (default 30000; runs 1,000 3,000 10,000 ...)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <drove/drove.h>

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int max = argc > 1 ? atoi(argv[1]) : 30000;
	const int64_t base = 1780000200000LL; /* a whole minute */
	double first_add = 0, last_add = 0;
	drove_cron *cron = NULL;

	if (max < 1000 || drove_cron_parse(&cron, "* * * * * ?", NULL) < 0)
		return 1;
	static const int ns[] = {1000, 3000, 10000, 30000, 100000, 300000};
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]) && ns[k] <= max; k++) {
		int n = ns[k];
		drove_epoch_timetable *tt = NULL;
		char id[32], *got = NULL;
		int64_t at;
		double t0, t1, t2, t3;
		int popped = 0;

		if (drove_epoch_timetable_new(&tt) < 0)
			return 1;
		t0 = now_s();
		for (int i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "topology-%d", i);
			if (drove_epoch_timetable_add(tt, id, cron, base) < 0)
				return 1;
		}
		t1 = now_s();
		while (drove_epoch_timetable_pop(tt, base + 1000, &got, &at) == 1) {
			drove_free(got);
			popped++;
		}
		t2 = now_s();
		for (int i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "topology-%d", i);
			if (drove_epoch_timetable_remove(tt, id) < 0)
				return 1;
		}
		t3 = now_s();
		drove_epoch_timetable_free(tt);
		if (popped != n)
			return 1;
		double add = (t1 - t0) * 1e6 / n;
		if (!first_add)
			first_add = add;
		last_add = add;
		printf("timetable: topologies=%d add_us=%.2f pop_us=%.2f remove_us=%.2f "
		       "add_all_ms=%.1f\n",
		       n, add, (t2 - t1) * 1e6 / n, (t3 - t2) * 1e6 / n, (t1 - t0) * 1e3);
	}
	printf("timetable: add_growth=%.2f (per-add time at the largest n over at 1,000)\n",
	       last_add / first_add);
	drove_cron_free(cron);
	return 0;
}
