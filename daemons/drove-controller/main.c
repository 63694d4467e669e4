/* drove-controller: runs the controller engine of libdrove.
 *
 *   drove-controller -c controller.yml
 *   drove-controller server controller.yml      (Dropwizard style)
 *
 * Listens on server.applicationConnectors[0] (default 127.0.0.1:4000). Exit codes: 0 after a
 * graceful stop (SIGTERM/SIGINT), 1 on a runtime error, 2 on a bad command line or
 * configuration. */
#include <stdio.h>

#include <drove/config.h>
#include <drove/controller.h>

#include "daemon.h"

static int load(void **cfg, drove_ctx *ctx, const char *path)
{
	return drove_config_load_controller((drove_config **)cfg, ctx, path);
}

static int log_level(const void *cfg)
{
	return drove_config_log_level(cfg);
}

static int create(void **engine, drove_loop *loop, void *cfg)
{
	return drove_controller_new((drove_controller **)engine, loop, cfg);
}

static int start(void *engine)
{
	return drove_controller_start(engine);
}

static void started(void *engine, const char *name)
{
	fprintf(stderr, "%s: listening on port %d\n", name, drove_controller_port(engine));
}

static void stop(void *engine)
{
	drove_controller_stop(engine);
}

static void destroy(void *engine)
{
	drove_controller_free(engine);
}

static void config_free(void *cfg)
{
	drove_config_free(cfg);
}

int main(int argc, char **argv)
{
	static const struct daemon_ops ops = {
	        .name = "drove-controller",
	        .config = "controller.yml",
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
