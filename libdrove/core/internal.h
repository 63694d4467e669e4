/*
 * Internal core helpers shared by every module (not installed). Functions here are named
 * drove__<verb> and have hidden visibility.
 */
#ifndef DROVE_CORE_INTERNAL_H
#define DROVE_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <spawn.h>

#include <drove/common.h>
#include <drove/ctx.h>
#include <drove/strlist.h>

#if defined(__GNUC__)
#define DROVE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define DROVE_UNUSED       __attribute__((unused))
#else
#define DROVE_PRINTF(a, b)
#define DROVE_UNUSED
#endif

#define DROVE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors (error.c) ---- */

/* Set the calling thread's error and return `code`. The message is one lowercase line naming
 * the bad value; it is truncated at DROVE_ERROR_MSG_MAX bytes. */
#define DROVE_ERROR_MSG_MAX 4096
int drove__error(int code, const char *fmt, ...) DROVE_PRINTF(2, 3);
int drove__verror(int code, const char *fmt, va_list ap) DROVE_PRINTF(2, 0);
/* Out of memory: sets DROVE_ENOMEM with a fixed message, never allocates. */
int drove__enomem(void);

/* Reject a bad argument with DROVE_EINVAL and a message quoting the condition. */
#define DROVE_CHECK_ARG(cond)                                                                    \
	do {                                                                                     \
		if (!(cond))                                                                     \
			return drove__error(DROVE_EINVAL, "%s: invalid argument (%s)", __func__, \
			                    #cond);                                              \
	} while (0)

/* ---- the context (ctx.c) ---- */

struct drove_ctx {
	pthread_mutex_t lock; /* guards the random state */
	int log_level;
	drove_log_fn log_fn;
	void *log_userdata;
	uint64_t rng[4]; /* xoshiro256** state */
};

void drove__log(drove_ctx *ctx, int level, const char *module, const char *fmt, ...)
        DROVE_PRINTF(4, 5);
/* True when a message at `level` would be delivered (skip expensive formatting otherwise). */
bool drove__log_enabled(const drove_ctx *ctx, int level);

#define drove__debug(ctx, mod, ...) drove__log((ctx), DROVE_LOG_DEBUG, (mod), __VA_ARGS__)
#define drove__info(ctx, mod, ...)  drove__log((ctx), DROVE_LOG_INFO, (mod), __VA_ARGS__)
#define drove__warn(ctx, mod, ...)  drove__log((ctx), DROVE_LOG_WARN, (mod), __VA_ARGS__)
#define drove__err(ctx, mod, ...)   drove__log((ctx), DROVE_LOG_ERROR, (mod), __VA_ARGS__)

/* 64 random bits from the context's generator (locked; any thread). */
uint64_t drove__rand_u64(drove_ctx *ctx);
/* Uniform in [0, n); n > 0. */
uint64_t drove__rand_below(drove_ctx *ctx, uint64_t n);
/* Fill `buf` with random bytes from the context's generator. */
void drove__rand_bytes(drove_ctx *ctx, void *buf, size_t n);

/* ---- memory and strings (mem.c) ---- */

/* strdup that reports ENOMEM through drove__enomem(); NULL in -> NULL out without error. */
char *drove__strdup(const char *s);
char *drove__strndup(const char *s, size_t n);
/* printf into a new string; NULL on ENOMEM (error set). */
char *drove__asprintf(const char *fmt, ...) DROVE_PRINTF(1, 2);
/* Grow an array to hold at least `need` elements of `elem` bytes (doubling).
 * @return 0 or DROVE_ENOMEM (the array is unchanged). */
int drove__grow(void *arrayp, size_t *cap, size_t need, size_t elem);
/* Case-insensitive ASCII equality. */
bool drove__streq_nocase(const char *a, const char *b);
/* NULL-safe strcmp equality. */
bool drove__streq(const char *a, const char *b);

/* ---- growable byte buffer (buf.c) ---- */

typedef struct drove__buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
} drove__buf;

#define DROVE_BUF_INIT     \
	{                  \
		NULL, 0, 0 \
	}
int drove__buf_reserve(drove__buf *b, size_t extra);
int drove__buf_append(drove__buf *b, const void *data, size_t n);
int drove__buf_puts(drove__buf *b, const char *s);
int drove__buf_putc(drove__buf *b, char c);
int drove__buf_printf(drove__buf *b, const char *fmt, ...) DROVE_PRINTF(2, 3);
int drove__buf_vprintf(drove__buf *b, const char *fmt, va_list ap) DROVE_PRINTF(2, 0);
void drove__buf_reset(drove__buf *b);
/* Hand the data to the caller (NUL-terminated, "" when empty; NULL on ENOMEM); the buffer is
 * left empty. */
char *drove__buf_steal(drove__buf *b);
void drove__buf_free(drove__buf *b);

/* ---- base64, standard alphabet with padding (base64.c, OpenSSL) ---- */

/* Encode into a new NUL-terminated string. */
int drove__base64_encode(const void *data, size_t n, char **out);
/* Decode; rejects anything that is not canonical base64. `*out` gets a NUL after the data. */
int drove__base64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len);

/* ---- Java-syntax regular expressions (regex.c, PCRE2) ---- */

/* A compiled regex: immutable once compiled, so any number of threads may match with it. */
typedef struct drove__regex drove__regex;
#define DROVE__REGEX_MAX 1024
/* Compile `pattern` (Java syntax, at most DROVE__REGEX_MAX bytes). DROVE_EINVAL with PCRE2's
 * reason and the offset ("missing closing parenthesis at offset 1") when it is not a valid
 * regex or compiles too large; DROVE_ENOMEM. `*out` stays NULL on error. */
int drove__regex_compile(drove__regex **out, const char *pattern);
/* 1 when `s` matches (`whole`: the entire string, as Java's String.matches(); else anywhere,
 * as Matcher.find()), 0 when not. DROVE_EINVAL when the match exceeds its step, depth or heap
 * limit (bounded at a few milliseconds whatever the pattern and subject); DROVE_ENOMEM. */
int drove__regex_match(const drove__regex *re, const char *s, bool whole);
void drove__regex_free(drove__regex *re);

/* ---- one-time global initialisation of dependencies (init.c) ---- */

/* spawn.c: attributes for a child the library starts: no blocked signal and SIGPIPE at its
 * default, whatever the daemon set for itself; in a process group of its own (`own_group`) so
 * that a timeout can kill its children too. Destroy with posix_spawnattr_destroy(). */
void drove__spawnattr_init(posix_spawnattr_t *at, bool own_group);

/* curl_global_init, evthread_use_pthreads, OpenSSL: once per process, thread-safe. */
int drove__global_init(void);
/* The CA bundle outgoing HTTPS requests trust instead of the system store: $CURL_CA_BUNDLE,
 * else $SSL_CERT_FILE (as curl(1) reads them); NULL when neither is set (non-empty). */
const char *drove__tls_ca_file(void);

#endif
