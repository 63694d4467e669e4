/* drove-executor: runs the executor engine of libdrove.
 *
 *   drove-executor -c executor.yml
 *   drove-executor server executor.yml      (Dropwizard style)
 *
 * Exit codes: 0 after a graceful stop (SIGTERM/SIGINT), 1 on a runtime error, 2 on a bad
 * command line or configuration. Containers keep running when it stops. */
#include <stdio.h>

#include <drove/config.h>
#include <drove/executor.h>

#include "daemon.h"

static int load(void **cfg, drove_ctx *ctx, const char *path)
{
	return drove_config_load_executor((drove_config **)cfg, ctx, path);
}

static int log_level(const void *cfg)
{
	return drove_config_log_level(cfg);
}

static int create(void **engine, drove_loop *loop, void *cfg)
{
	return drove_executor_new((drove_executor **)engine, loop, cfg);
}

static int start(void *engine)
{
	return drove_executor_start(engine);
}

static void started(void *engine, const char *name)
{
	fprintf(stderr, "%s: %s listening on port %d\n", name, drove_executor_node_id(engine),
	        drove_executor_port(engine));
}

static void stop(void *engine)
{
	drove_executor_stop(engine);
}

static void destroy(void *engine)
{
	drove_executor_free(engine);
}

static void config_free(void *cfg)
{
	drove_config_free(cfg);
}

int main(int argc, char **argv)
{
	static const struct daemon_ops ops = {
	        .name = "drove-executor",
	        .config = "executor.yml",
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
