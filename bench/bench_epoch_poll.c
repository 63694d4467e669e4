/*
 * CPU of reading one task status answer, as Epoch's asynchronous poll does for every run
 * (drove__epoch_task_state_result: the envelope, the error mapping, the TaskInfo record, the
 * state mapped): no network, the answer is a fixed body of a finished task as Drove sends it.
 *
 *   bench_epoch_poll [calls] [rounds]    (defaults 200000 and 5)
 *
 * It prints the process CPU per call of each round, and the best and median rounds, for a
 * known state and result and for a state this build does not know (the tolerant path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <drove/drove.h>

#include "bench_common.h"
#include "core/internal.h"
#include "epoch/drive.h"

#define TASK_INFO(state, result)                                                              \
	"{\"sourceAppName\":\"TEST_APP\",\"taskId\":\"T0012-SR-1719823470\",\"instanceId\":"  \
	"\"TI-6cf3a1b2-9e1c-4b1e-8f0e-1a2b3c4d5e6f\",\"executorId\":\"a45442a1-5d7e-3f9a\","  \
	"\"hostname\":\"ppessdev\",\"executable\":{\"type\":\"DOCKER\",\"url\":"              \
	"\"ghcr.io/appform-io/perf-test-server-httplib:0.1\",\"dockerPullTimeout\":"          \
	"\"100 seconds\"},\"resources\":[{\"type\":\"CPU\",\"cores\":{\"0\":[3]}},{\"type\":" \
	"\"MEMORY\",\"memoryInMB\":{\"0\":512}}],\"volumes\":[],\"loggingSpec\":{\"type\":"   \
	"\"LOCAL\",\"maxSize\":\"10m\",\"maxFiles\":3,\"compress\":true},\"env\":{"           \
	"\"ITERATIONS\":\"10\",\"EPOCH_RUN\":\"SR-1719823470\"},\"state\":\"" state "\","     \
	"\"metadata\":{},\"taskResult\":{\"status\":\"" result "\",\"exitCode\":0},"          \
	"\"errorMessage\":\"\",\"created\":1719823470267,\"updated\":1719823483836}"
#define ENVELOPE(data) "{\"status\":\"SUCCESS\",\"message\":\"success\",\"data\":" data "}"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* `rounds` rounds of `calls` reads of `body`; the ns per call of each into `ns`. */
static int run(const char *body, long calls, int rounds, double *ns)
{
	const char *path = "/apis/v1/tasks/TEST_APP/instances/T0012-SR-1719823470";
	size_t len = strlen(body);

	for (int r = 0; r < rounds; r++) {
		double t0 = cpu_s();
		for (long i = 0; i < calls; i++) {
			int state = -1;
			char *err = NULL;
			if (drove__epoch_task_state_result(200, body, len, path, "T0012", &state,
			                                   &err) < 0) {
				fprintf(stderr, "poll: %s\n", drove_error_last()->message);
				return -1;
			}
			free(err);
		}
		ns[r] = (cpu_s() - t0) * 1e9 / (double)calls;
	}
	return 0;
}

static void report(const char *what, double *ns, int rounds)
{
	printf("poll %-14s ns/call:", what);
	for (int r = 0; r < rounds; r++)
		printf(" %.0f", ns[r]);
	qsort(ns, (size_t)rounds, sizeof(*ns), cmp_double);
	printf("  best %.0f median %.0f\n", ns[0], ns[rounds / 2]);
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	const char *known = ENVELOPE(TASK_INFO("STOPPED", "SUCCESSFUL"));
	const char *news = ENVELOPE(TASK_INFO("HIBERNATED", "EVAPORATED"));
	double *ns;

	if (calls < 1 || rounds < 1 || rounds > 1000 || !(ns = calloc((size_t)rounds, sizeof(*ns))))
		return 2;
	printf("poll: %zu-byte answer, %ld calls x %d rounds\n", strlen(known), calls, rounds);
	if (run(known, calls, rounds, ns) < 0)
		return 1;
	report("known", ns, rounds);
	if (run(news, calls, rounds, ns) < 0)
		return 1;
	report("new names", ns, rounds);
	free(ns);
	return 0;
}
