/* Fuzz the executor's message handler (decode, term fencing, dispatch) on an executor that is
 * not started (so no container is touched), and log-path confinement with the input split
 * into id1 / id2 / fileName at newlines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/config.h>
#include <drove/ctx.h>
#include <drove/executor.h>
#include <drove/loop.h>
#include "exec/exec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CFG[] =
        "server: {applicationConnectors: [{type: http, port: 0}], adminConnectors: []}\n"
        "resources: {topology: \"pack:1 numa:2 core:2 pu:1\"}\n"
        "options: {hostname: fuzz, dockerSocketPath: /nonexistent/docker.sock, "
        "remoteUpdateMode: RPC}\n"
        "controllers: {endpoints: [\"http://127.0.0.1:1\"]}\n";

static drove_ctx *ctx;
static drove_loop *loop;
static drove_config *cfg;
static drove_executor *ex;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *out = NULL, *path = NULL;
	char *p1, *p2;
	int status;

	if (!ex) {
		if (drove_ctx_new(&ctx) < 0 || drove_loop_new(&loop, ctx) < 0 ||
		    drove_config_load_executor_buf(&cfg, ctx, "fuzz.yml", CFG, strlen(CFG)) < 0 ||
		    drove_executor_new(&ex, loop, cfg) < 0)
			abort();
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__exec_handle_message(ex, s, size, &status, &out) == 0) {
		if (!out || (status != 200 && status != 400))
			abort();
	}
	free(out);
	/* confinement: never a path outside /tmp/{id1}/{id2} */
	p1 = strchr(s, '\n');
	if (p1) {
		*p1++ = '\0';
		p2 = strchr(p1, '\n');
		if (p2)
			*p2++ = '\0';
		if (drove__exec_log_resolve("/tmp", s, p1, p2, &path) == 0) {
			char prefix[600];
			snprintf(prefix, sizeof(prefix), "/tmp/%s/%s", s, p1);
			if (strncmp(path, prefix, strlen(prefix)) != 0)
				abort();
			free(path);
		}
	}
	free(s);
	return 0;
}
