/* drove-epoch: runs the Epoch engine of libdrove (cron-scheduled tasks on Drove, docs/epoch.md).
 *
 *   drove-epoch server epoch.yml      (as PhonePe's Epoch is started)
 *   drove-epoch -c epoch.yml
 *
 * Listens on server.applicationConnectors[0] (default 127.0.0.1:8080). Exit codes: 0 after a
 * graceful stop (SIGTERM/SIGINT), 1 on a runtime error, 2 on a bad command line or
 * configuration. */
#include <stdio.h>

#include <drove/config.h>
#include <drove/epoch_server.h>

#include "daemon.h"

static int load(void **cfg, drove_ctx *ctx, const char *path)
{
	return drove_epoch_config_load((drove_epoch_config **)cfg, ctx, path);
}

static int log_level(const void *cfg)
{
	return drove_epoch_config_log_level(cfg);
}

static int create(void **engine, drove_loop *loop, void *cfg)
{
	return drove_epoch_new((drove_epoch **)engine, loop, cfg);
}

static int start(void *engine)
{
	return drove_epoch_start(engine);
}

static void started(void *engine, const char *name)
{
	fprintf(stderr, "%s: listening on port %d\n", name, drove_epoch_port(engine));
}

static void stop(void *engine)
{
	drove_epoch_stop(engine);
}

static void destroy(void *engine)
{
	drove_epoch_free(engine);
}

static void config_free(void *cfg)
{
	drove_epoch_config_free(cfg);
}

int main(int argc, char **argv)
{
	static const struct daemon_ops ops = {
	        .name = "drove-epoch",
	        .config = "epoch.yml",
	        .load = load,
	        .log_level = log_level,
	        .create = create,
	        .start = start,
	        .started = started,
	        .stop = stop,
	        .destroy = destroy,
	        .config_free = config_free,
	};
	return daemon_main(argc, argv, &ops);
}
