/* Create+start latency through the runtime driver against the same two calls made with plain
 * libcurl easy handles over the same socket (the baseline), interleaved in one run; plus a
 * cheap call (inspect) both ways, where the engine's own noise is small.
 *
 *   DROVE_TEST_DOCKER_SOCK=/path/podman.sock [DROVE_TEST_IMAGE=...] bench_runtime_create_start [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <event2/event.h>

#include <drove/clock.h>
#include <drove/ctx.h>
#include <drove/loop.h>
#include <drove/runtime.h>
#include "core/loop_internal.h"
#include "runtime/runtime_internal.h"

static drove_loop *loop;
static int done_flag, done_code;
static char done_msg[512];

static void on_done(const drove_runtime_result *r, void *ud)
{
	done_flag = 1;
	done_code = drove_runtime_result_code(r);
	snprintf(done_msg, sizeof(done_msg), "%s", drove_runtime_result_message(r));
}

static int wait_done(void)
{
	while (!done_flag)
		event_base_loop(drove__loop_base(loop), EVLOOP_ONCE);
	done_flag = 0;
	if (done_code) {
		fprintf(stderr, "driver call failed: %s\n", done_msg);
		exit(1);
	}
	return 0;
}

static size_t sink(char *p, size_t s, size_t n, void *ud)
{
	return s * n;
}

static void curl_call(CURL *e, const char *method, const char *url, const char *body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long status = 0;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(e, CURLOPT_HTTPGET, strcmp(method, "GET") == 0 ? 1L : 0L);
		if (strcmp(method, "POST") == 0)
			curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
	}
	if (curl_easy_perform(e) != CURLE_OK ||
	    (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status), status >= 300)) {
		fprintf(stderr, "baseline %s %s failed (http %ld)\n", method, url, status);
		exit(1);
	}
	curl_slist_free_all(h);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n, double *p50, double *mean)
{
	double sum = 0;
	qsort(v, (size_t)n, sizeof(double), cmp);
	for (int i = 0; i < n; i++)
		sum += v[i];
	*p50 = v[n / 2];
	*mean = sum / n;
	printf("  %-28s p50 %8.3f ms   mean %8.3f ms   min %8.3f ms\n", what, *p50, *mean, v[0]);
}

int main(int argc, char **argv)
{
	const char *sock = getenv("DROVE_TEST_DOCKER_SOCK");
	const char *image = getenv("DROVE_TEST_IMAGE");
	int n = argc > 1 ? atoi(argv[1]) : 20, m = 200;
	double *drv, *base, *drv_i, *base_i, p50d, p50b, md, mb;
	drove_ctx *ctx;
	drove_runtime *rt;
	char url[256], name[128], *json = NULL;
	CURL *e;

	if (!sock || !*sock) {
		printf("bench_runtime_create_start: DROVE_TEST_DOCKER_SOCK unset, skipped\n");
		return 0;
	}
	if (!image || !*image)
		image = "localhost/drove-test:latest";
	if (n < 1)
		n = 20;
	drv = calloc((size_t)n, sizeof(double));
	base = calloc((size_t)n, sizeof(double));
	drv_i = calloc((size_t)m, sizeof(double));
	base_i = calloc((size_t)m, sizeof(double));
	if (drove_ctx_new(&ctx) || drove_loop_new(&loop, ctx) ||
	    drove_runtime_docker_new(&rt, loop, sock))
		return 1;
	drove_runtime_version(rt, on_done, NULL); /* negotiate before measuring */
	wait_done();
	e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	printf("runtime create+start: %s engine, API %s, N=%d each, interleaved\n",
	       drove_runtime_engine(rt), drove_runtime_api_version(rt), n);

	for (int i = 0; i < n; i++) {
		drove_container_spec *spec;
		int64_t t0;

		/* driver */
		snprintf(name, sizeof(name), "drove-bench-%d-d%d", (int)getpid(), i);
		drove_container_spec_new(&spec, name, image);
		drove_container_spec_add_arg(spec, "sleep");
		drove_container_spec_add_arg(spec, "3600");
		drove_container_spec_set_label(spec, "drove.instance.id", name);
		drove_container_spec_set_cpuset(spec, "0", NULL);
		drove_container_spec_set_memory(spec, 64 << 20);
		if (!json)
			drove__runtime_spec_json(
			        spec, strcmp(drove_runtime_engine(rt), "podman") == 0, &json);
		t0 = drove_time_mono_us();
		drove_runtime_create(rt, spec, on_done, NULL);
		wait_done();
		drove_runtime_start(rt, name, on_done, NULL);
		wait_done();
		drv[i] = (double)(drove_time_mono_us() - t0) / 1000.0;
		drove_container_spec_free(spec);
		drove_runtime_remove(rt, name, on_done, NULL);
		wait_done();

		/* baseline: the same body, plain libcurl */
		snprintf(name, sizeof(name), "drove-bench-%d-c%d", (int)getpid(), i);
		t0 = drove_time_mono_us();
		snprintf(url, sizeof(url), "http://d/v%s/containers/create?name=%s",
		         drove_runtime_api_version(rt), name);
		curl_call(e, "POST", url, json);
		snprintf(url, sizeof(url), "http://d/v%s/containers/%s/start",
		         drove_runtime_api_version(rt), name);
		curl_call(e, "POST", url, NULL);
		base[i] = (double)(drove_time_mono_us() - t0) / 1000.0;
		snprintf(url, sizeof(url), "http://d/v%s/containers/%s?force=true&v=true",
		         drove_runtime_api_version(rt), name);
		curl_call(e, "DELETE", url, NULL);
	}
	report("driver   create+start", drv, n, &p50d, &md);
	report("baseline create+start", base, n, &p50b, &mb);
	printf("  overhead: p50 %+.3f ms (ratio %.3f), mean %+.3f ms (ratio %.3f)\n", p50d - p50b,
	       p50d / p50b, md - mb, md / mb);

	/* a cheap call, where the driver's own cost is visible: inspect of the image */
	snprintf(url, sizeof(url), "http://d/v%s/images/%s/json", drove_runtime_api_version(rt),
	         image);
	for (int i = 0; i < m; i++) {
		int64_t t0 = drove_time_mono_us();
		drove_runtime_image_inspect(rt, image, on_done, NULL);
		wait_done();
		drv_i[i] = (double)(drove_time_mono_us() - t0) / 1000.0;
		t0 = drove_time_mono_us();
		curl_call(e, "GET", url, NULL);
		base_i[i] = (double)(drove_time_mono_us() - t0) / 1000.0;
	}
	printf("runtime image inspect: N=%d each, interleaved\n", m);
	report("driver   image inspect", drv_i, m, &p50d, &md);
	report("baseline image inspect", base_i, m, &p50b, &mb);
	printf("  overhead: p50 %+.3f ms (ratio %.3f), mean %+.3f ms (ratio %.3f)\n", p50d - p50b,
	       p50d / p50b, md - mb, md / mb);

	curl_easy_cleanup(e);
	free(json);
	free(drv);
	free(base);
	free(drv_i);
	free(base_i);
	drove_runtime_free(rt);
	drove_loop_free(loop);
	drove_ctx_free(ctx);
	return 0;
}
