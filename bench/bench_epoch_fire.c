/*
 * Epoch's firing path without the network: 10,000 CRON topologies on 1 s schedules in the
 * timetable; each due one gets its Drove task CREATE spec built, as the daemon would send
 * it. Lateness = spec ready minus scheduled time. The HTTP CREATE to a (stub) controller and
 * the run record in the store are NOT measured here: bench_epoch_engine measures the engine
 * that does them (docs/benchmarks.md).
 *
 *   bench_epoch_fire [topologies] [seconds]     (defaults 10000 and 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/drove.h>

#include "bench_common.h"

#define TOPO                                                                  \
	"{\"name\":\"t%d\",\"task\":{\"type\":\"CONTAINER_EXECUTION\","       \
	"\"taskName\":\"main\",\"executable\":{\"type\":\"DOCKER\","          \
	"\"url\":\"localhost/drove-test:latest\",\"dockerPullTimeout\":"      \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"count\":1},"     \
	"{\"type\":\"MEMORY\",\"sizeInMB\":32}],\"placementPolicy\":"         \
	"{\"type\":\"ANY\"},\"env\":{\"N\":\"%d\"},\"args\":[\"true\"],"      \
	"\"logging\":{\"type\":\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3," \
	"\"compress\":true}},\"trigger\":{\"type\":\"CRON\","                 \
	"\"timeSpec\":\"* * * * * ?\"}}"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000, secs = argc > 2 ? atoi(argv[2]) : 5;
	drove_ctx *ctx = NULL;
	drove_epoch_timetable *tt = NULL;
	drove_epoch_topology **topos;
	int64_t *late;
	size_t nlate = 0, cap;
	char json[2048];

	if (n < 1 || secs < 1 || drove_ctx_new(&ctx) != 0 || drove_epoch_timetable_new(&tt) != 0)
		return 1;
	cap = (size_t)n * (size_t)(secs + 2);
	topos = calloc((size_t)n, sizeof(*topos));
	late = calloc(cap, sizeof(*late));
	if (!topos || !late)
		return 1;
	int64_t start = bench_now_ms();
	for (int i = 0; i < n; i++) {
		snprintf(json, sizeof(json), TOPO, i, i);
		if (drove_epoch_topology_from_json(&topos[i], ctx, json, strlen(json), start,
		                                   NULL) ||
		    drove_epoch_timetable_add(tt, drove_epoch_topology_name(topos[i]),
		                              drove_epoch_topology_cron(topos[i]), start)) {
			fprintf(stderr, "topology %d: %s\n", i, drove_error_last()->message);
			return 1;
		}
	}
	fprintf(stderr, "loaded %d topologies in %lld ms\n", n,
	        (long long)(bench_now_ms() - start));
	int64_t end = bench_now_ms() + secs * 1000LL;
	while (bench_now_ms() < end) {
		int64_t next = drove_epoch_timetable_next(tt), t = bench_now_ms();
		if (next > t) {
			struct timespec ts = {(next - t) / 1000, ((next - t) % 1000) * 1000000};
			nanosleep(&ts, NULL);
			continue;
		}
		char *id = NULL, *spec = NULL, run[32];
		int64_t at;
		while (drove_epoch_timetable_pop(tt, bench_now_ms(), &id, &at) == 1) {
			int idx = atoi(id + 1);
			snprintf(run, sizeof(run), "SR-%lld", (long long)(at / 1000));
			if (drove_epoch_topology_task_spec(topos[idx], 0, "EPOCH", run, &spec) != 0)
				return 1;
			if (nlate < cap)
				late[nlate++] = bench_now_ms() - at;
			drove_free(spec);
			drove_free(id);
		}
	}
	qsort(late, nlate, sizeof(*late), bench_cmp64);
	printf("epoch: schedules=%d lateness_p50_ms=%lld lateness_p99_ms=%lld rss_mib=%.1f "
	       "(fires=%zu; timetable and CREATE spec only: no HTTP, no store)\n",
	       n, nlate ? (long long)late[nlate / 2] : -1,
	       nlate ? (long long)late[nlate * 99 / 100] : -1, bench_rss_kb() / 1024.0, nlate);
	for (int i = 0; i < n; i++)
		drove_epoch_topology_free(topos[i]);
	free(topos);
	free(late);
	drove_epoch_timetable_free(tt);
	drove_ctx_free(ctx);
	return 0;
}
