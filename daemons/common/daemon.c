/* The daemons' shared main (daemon.h). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <drove/common.h>

#include "daemon.h"

static sigset_t stop_signals;

/* Waits for SIGTERM/SIGINT (blocked everywhere else) and stops the loop (any thread may). */
static void *signal_thread(void *arg)
{
	int sig;
	for (;;)
		if (sigwait(&stop_signals, &sig) == 0 && (sig == SIGTERM || sig == SIGINT)) {
			drove_loop_stop(arg);
			return NULL;
		}
}

static int fail(const struct daemon_ops *ops, int rc)
{
	fprintf(stderr, "%s: %s\n", ops->name, drove_error_last()->message);
	return rc;
}

int daemon_main(int argc, char **argv, const struct daemon_ops *ops)
{
	drove_ctx *ctx = NULL;
	drove_loop *loop = NULL;
	void *cfg = NULL, *engine = NULL;
	pthread_t sigthr;
	int rc = 1;

	if (argc != 3 ||
	    (strcmp(argv[1], "-c") && strcmp(argv[1], "--config") && strcmp(argv[1], "server"))) {
		fprintf(stderr, "usage: %s -c %s | %s server %s\n", argv[0], ops->config, argv[0],
		        ops->config);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (drove_ctx_new(&ctx) < 0)
		return fail(ops, 1);
	if (ops->load(&cfg, ctx, argv[2]) < 0) {
		rc = fail(ops, 2);
		drove_ctx_free(ctx);
		return rc;
	}
	drove_ctx_set_log(ctx, ops->log_level(cfg), drove_log_stderr, NULL);
	if (drove_loop_new(&loop, ctx) < 0) {
		rc = fail(ops, 1);
		goto out;
	}
	if (ops->create(&engine, loop, cfg) < 0) {
		rc = fail(ops, 2);
		goto out;
	}
	if (ops->start(engine) < 0) {
		rc = fail(ops, 1);
		goto out;
	}
	if (pthread_create(&sigthr, NULL, signal_thread, loop) != 0) {
		fprintf(stderr, "%s: cannot start the signal thread\n", ops->name);
		goto out;
	}
	ops->started(engine, ops->name);
	rc = drove_loop_run(loop) < 0 ? 1 : 0;
	/* The signal thread may still be inside drove_loop_stop(): wake it if it still waits,
	 * and join it before the loop is freed. */
	pthread_kill(sigthr, SIGTERM);
	pthread_join(sigthr, NULL);
	ops->stop(engine);
out:
	if (engine && ops->destroy)
		ops->destroy(engine);
	drove_loop_free(loop);
	if (cfg && ops->config_free)
		ops->config_free(cfg);
	drove_ctx_free(ctx);
	return rc;
}
