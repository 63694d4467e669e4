/* What drove-controller, drove-executor and drove-epoch share: the command line (`-c FILE`,
 * `--config FILE` or Dropwizard's `server FILE`), SIGPIPE ignored, SIGTERM/SIGINT taken by a
 * thread of their own that stops the loop, the context logging with drove_log_stderr(), the
 * loop, and the order of setup and teardown. Each program gives its engine as an ops table.
 * Exit codes: 0 after a graceful stop, 1 on a runtime error, 2 on a bad command line or
 * configuration (also one the engine refuses when it is created). */
#ifndef DROVE_DAEMON_H
#define DROVE_DAEMON_H

#include <drove/ctx.h>
#include <drove/loop.h>

struct daemon_ops {
	const char *name;   /* "drove-controller": the prefix of every message */
	const char *config; /* "controller.yml": the usage line's example */
	/* Load the configuration at `path` into *cfg. @return 0 or < 0 (error set). */
	int (*load)(void **cfg, drove_ctx *ctx, const char *path);
	int (*log_level)(const void *cfg);
	int (*create)(void **engine, drove_loop *loop, void *cfg);
	int (*start)(void *engine);
	/* Once started: one line on stderr saying where it listens (prefix included). */
	void (*started)(void *engine, const char *name);
	void (*stop)(void *engine);
	void (*destroy)(void *engine);  /* NULL is fine */
	void (*config_free)(void *cfg); /* NULL is fine */
};

/* Run the daemon until SIGTERM/SIGINT. @return the process's exit code. */
int daemon_main(int argc, char **argv, const struct daemon_ops *ops);

#endif
