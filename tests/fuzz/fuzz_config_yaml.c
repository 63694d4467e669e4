/* Fuzz the configuration loader: the same bytes as a controller and as an executor file. */
#include <stdint.h>
#include <stdlib.h>

#include <drove/drove.h>
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	drove_config *cfg = NULL;

	if (!ctx && drove_ctx_new(&ctx) < 0)
		return 0;
	if (drove_config_load_controller_buf(&cfg, ctx, "fuzz.yml", (const char *)data, size) ==
	    0) {
		if (drove_config_kind(cfg) != DROVE_CONFIG_CONTROLLER ||
		    !drove_config_cluster_secret(cfg, DROVE_NODE_CONTROLLER))
			abort();
		drove_config_free(cfg);
		cfg = NULL;
	} else if (drove_error_last()->message[0] == '\0') {
		abort(); /* every failure names its cause */
	}
	if (drove_config_load_executor_buf(&cfg, ctx, "fuzz.yml", (const char *)data, size) == 0) {
		int64_t v = 0;
		if (drove_config_get_int(cfg, "resources.exposedMemPercentage", &v) != 0 ||
		    v < 50 || v > 100)
			abort();
		drove_config_free(cfg);
	}
	return 0;
}
