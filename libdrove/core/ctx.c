/* The context: logging and the random source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/internal.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void drove_ctx_set_seed(drove_ctx *ctx, uint64_t seed)
{
	if (!ctx)
		return;
	pthread_mutex_lock(&ctx->lock);
	for (int i = 0; i < 4; i++)
		ctx->rng[i] = splitmix64(&seed);
	pthread_mutex_unlock(&ctx->lock);
}

int drove_ctx_new(drove_ctx **out)
{
	drove_ctx *ctx;
	uint64_t seed = 0;

	DROVE_CHECK_ARG(out);
	if (!(ctx = calloc(1, sizeof(*ctx))))
		return drove__enomem();
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->log_level = DROVE_LOG_INFO;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint64_t)(uintptr_t)ctx ^ (uint64_t)time(NULL);
	drove_ctx_set_seed(ctx, seed);
	*out = ctx;
	return 0;
}

void drove_ctx_free(drove_ctx *ctx)
{
	if (!ctx)
		return;
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

void drove_ctx_set_log(drove_ctx *ctx, int min_level, drove_log_fn fn, void *userdata)
{
	if (!ctx)
		return;
	ctx->log_level = min_level;
	ctx->log_fn = fn;
	ctx->log_userdata = userdata;
}

const char *drove_log_level_name(int level)
{
	if (level >= DROVE_LOG_ERROR)
		return "ERROR";
	if (level >= DROVE_LOG_WARN)
		return "WARN";
	if (level >= DROVE_LOG_INFO)
		return "INFO";
	return "DEBUG";
}

void drove_log_stderr(int level, const char *module, const char *msg, void *userdata)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	(void)userdata;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %-5s [%s] %s\n", when, ts.tv_nsec / 1000000L,
	        drove_log_level_name(level), module ? module : "-", msg ? msg : "");
}

int drove_log_level_parse(const char *name, int *out)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"TRACE", DROVE_LOG_DEBUG},  {"DEBUG", DROVE_LOG_DEBUG},
	              {"INFO", DROVE_LOG_INFO},    {"WARN", DROVE_LOG_WARN},
	              {"WARNING", DROVE_LOG_WARN}, {"ERROR", DROVE_LOG_ERROR}};

	DROVE_CHECK_ARG(name && out);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(levels); i++) {
		if (drove__streq_nocase(name, levels[i].name)) {
			*out = levels[i].level;
			return 0;
		}
	}
	return drove__error(DROVE_EINVAL, "log level: unknown value '%s'", name);
}

bool drove__log_enabled(const drove_ctx *ctx, int level)
{
	return ctx && ctx->log_fn && level >= ctx->log_level;
}

void drove__log(drove_ctx *ctx, int level, const char *module, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!drove__log_enabled(ctx, level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log_fn(level, module, msg, ctx->log_userdata);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t drove__rand_u64(drove_ctx *ctx)
{
	uint64_t *s = ctx->rng, result, t;

	pthread_mutex_lock(&ctx->lock);
	result = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	pthread_mutex_unlock(&ctx->lock);
	return result;
}

uint64_t drove__rand_below(drove_ctx *ctx, uint64_t n)
{
	/* Lemire's nearly-divisionless method would be faster; rejection keeps it unbiased. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;
	do
		r = drove__rand_u64(ctx);
	while (r >= limit);
	return r % n;
}

void drove__rand_bytes(drove_ctx *ctx, void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		uint64_t r = drove__rand_u64(ctx);
		size_t k = n < sizeof(r) ? n : sizeof(r);
		memcpy(p, &r, k);
		p += k;
		n -= k;
	}
}
