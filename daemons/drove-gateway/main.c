/* drove-gateway: runs the gateway engine of libdrove (docs/gateway.md).
 *
 *   drove-gateway -c gateway.yml
 *   drove-gateway --check gateway.yml     (validate the configuration and the template)
 *
 * SIGHUP reads the template again; SIGTERM/SIGINT stop (nginx keeps running with its last
 * configuration). Exit codes: 0 after a graceful stop or a good --check, 1 on a runtime
 * error, 2 on a bad command line or configuration. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <drove/ctx.h>
#include <drove/gateway.h>
#include <drove/loop.h>

static sigset_t signals;
static drove_gateway *gw;

static void reload_template(void *ud)
{
	(void)ud;
	if (drove_gateway_reload_template(gw) < 0)
		fprintf(stderr, "drove-gateway: template kept: %s\n", drove_error_last()->message);
}

/* Waits for the blocked signals: SIGHUP is handed to the loop, SIGTERM/SIGINT stop it. */
static void *signal_thread(void *arg)
{
	int sig;
	for (;;)
		if (sigwait(&signals, &sig) == 0) {
			if (sig == SIGHUP) {
				drove_loop_post(arg, reload_template, NULL);
			} else if (sig == SIGTERM || sig == SIGINT) {
				drove_loop_stop(arg);
				return NULL;
			}
		}
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s -c gateway.yml | %s --check gateway.yml\n", argv0, argv0);
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	drove_ctx *ctx = NULL;
	drove_gateway_config *cfg = NULL;
	drove_loop *loop = NULL;
	pthread_t sigthr;
	int rc = 1, check = 0;

	if (argc == 3 && (!strcmp(argv[1], "-c") || !strcmp(argv[1], "--config")))
		path = argv[2];
	else if (argc == 3 && !strcmp(argv[1], "--check"))
		path = argv[2], check = 1;
	else
		return usage(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&signals);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	sigaddset(&signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	if (drove_ctx_new(&ctx) < 0) {
		fprintf(stderr, "drove-gateway: %s\n", drove_error_last()->message);
		return 1;
	}
	if (drove_gateway_config_load(&cfg, ctx, path) < 0) {
		fprintf(stderr, "drove-gateway: %s\n", drove_error_last()->message);
		drove_ctx_free(ctx);
		return 2;
	}
	{
		int64_t level = DROVE_LOG_INFO;
		drove_gateway_config_get_int(cfg, "logging.level", &level);
		drove_ctx_set_log(ctx, (int)level, drove_log_stderr, NULL);
	}
	if (drove_loop_new(&loop, ctx) < 0) {
		fprintf(stderr, "drove-gateway: %s\n", drove_error_last()->message);
		goto out;
	}
	if (drove_gateway_new(&gw, loop, cfg) < 0) {
		fprintf(stderr, "drove-gateway: %s\n", drove_error_last()->message);
		rc = 2;
		goto out;
	}
	if (check) {
		fprintf(stderr, "drove-gateway: %s is fine\n", path);
		rc = 0;
		goto out;
	}
	if (drove_gateway_start(gw) < 0) {
		fprintf(stderr, "drove-gateway: %s\n", drove_error_last()->message);
		goto out;
	}
	if (pthread_create(&sigthr, NULL, signal_thread, loop) != 0) {
		fprintf(stderr, "drove-gateway: cannot start the signal thread\n");
		goto out;
	}
	fprintf(stderr, "drove-gateway: following %zu controller(s), writing %s\n",
	        drove_gateway_config_endpoint_count(cfg),
	        drove_gateway_config_get_string(cfg, "nginx.config"));
	if (drove_gateway_dns_port(gw))
		fprintf(stderr, "drove-gateway: DNS on UDP port %d\n", drove_gateway_dns_port(gw));
	rc = drove_loop_run(loop) < 0 ? 1 : 0;
	pthread_kill(sigthr, SIGTERM);
	pthread_join(sigthr, NULL);
out:
	drove_gateway_free(gw);
	drove_loop_free(loop);
	drove_gateway_config_free(cfg);
	drove_ctx_free(ctx);
	return rc;
}
