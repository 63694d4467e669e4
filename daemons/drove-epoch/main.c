/* drove-epoch: runs the Epoch engine of libdrove (cron-scheduled tasks on Drove, docs/epoch.md).
 *
 *   drove-epoch server epoch.yml      (as PhonePe's Epoch is started)
 *   drove-epoch -c epoch.yml
 *
 * Listens on server.applicationConnectors[0] (default 127.0.0.1:8080). Exit codes: 0 after a
 * graceful stop (SIGTERM/SIGINT), 1 on a runtime error, 2 on a bad command line or
 * configuration. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <drove/config.h>
#include <drove/epoch_server.h>
#include <drove/ctx.h>
#include <drove/loop.h>

static const char *level_name(int level)
{
	switch (level) {
	case DROVE_LOG_DEBUG:
		return "DEBUG";
	case DROVE_LOG_INFO:
		return "INFO";
	case DROVE_LOG_WARN:
		return "WARN";
	default:
		return "ERROR";
	}
}

static void log_stderr(int level, const char *module, const char *msg, void *ud)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	(void)ud;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %-5s [%s] %s\n", ts, level_name(level), module, msg);
}

static sigset_t stop_signals;

/* Waits for SIGTERM/SIGINT (blocked everywhere else) and stops the loop. */
static void *signal_thread(void *arg)
{
	int sig;
	for (;;)
		if (sigwait(&stop_signals, &sig) == 0 && (sig == SIGTERM || sig == SIGINT)) {
			drove_loop_stop(arg);
			return NULL;
		}
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s -c epoch.yml | %s server epoch.yml\n", argv0, argv0);
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	drove_ctx *ctx = NULL;
	drove_epoch_config *cfg = NULL;
	drove_loop *loop = NULL;
	drove_epoch *c = NULL;
	pthread_t sigthr;
	int rc = 1;

	if (argc == 3 &&
	    (!strcmp(argv[1], "-c") || !strcmp(argv[1], "--config") || !strcmp(argv[1], "server")))
		path = argv[2];
	else
		return usage(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (drove_ctx_new(&ctx) < 0) {
		fprintf(stderr, "drove-epoch: %s\n", drove_error_last()->message);
		return 1;
	}
	if (drove_epoch_config_load(&cfg, ctx, path) < 0) {
		fprintf(stderr, "drove-epoch: %s\n", drove_error_last()->message);
		drove_ctx_free(ctx);
		return 2;
	}
	drove_ctx_set_log(ctx, drove_epoch_config_log_level(cfg), log_stderr, NULL);
	if (drove_loop_new(&loop, ctx) < 0) {
		fprintf(stderr, "drove-epoch: %s\n", drove_error_last()->message);
		goto out;
	}
	if (drove_epoch_new(&c, loop, cfg) < 0) {
		fprintf(stderr, "drove-epoch: %s\n", drove_error_last()->message);
		rc = 2;
		goto out;
	}
	if (drove_epoch_start(c) < 0) {
		fprintf(stderr, "drove-epoch: %s\n", drove_error_last()->message);
		goto out;
	}
	if (pthread_create(&sigthr, NULL, signal_thread, loop) != 0) {
		fprintf(stderr, "drove-epoch: cannot start the signal thread\n");
		goto out;
	}
	fprintf(stderr, "drove-epoch: listening on port %d\n", drove_epoch_port(c));
	rc = drove_loop_run(loop) < 0 ? 1 : 0;
	/* The signal thread may still be inside drove_loop_stop(): wake it if it still waits,
	 * and join it before the loop is freed. */
	pthread_kill(sigthr, SIGTERM);
	pthread_join(sigthr, NULL);
	drove_epoch_stop(c);
out:
	drove_epoch_free(c);
	drove_loop_free(loop);
	drove_epoch_config_free(cfg);
	drove_ctx_free(ctx);
	return rc;
}
