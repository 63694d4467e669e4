/* Fuzz the gateway.yml loader: never crashes, every rejection names what is wrong. */
#include <stdint.h>
#include <stdlib.h>

#include <drove/drove.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	drove_gateway_config *c = NULL;

	if (!ctx && drove_ctx_new(&ctx) != 0)
		return 0;
	if (drove_gateway_config_load_buf(&c, ctx, "fuzz.yml", (const char *)data, size) == 0) {
		if (drove_gateway_config_endpoint_count(c) == 0 ||
		    !drove_gateway_config_get_string(c, "nginx.config"))
			abort(); /* accepted configs have controllers and an nginx file */
		drove_gateway_config_free(c);
	} else if (drove_error_last()->message[0] == '\0') {
		abort();
	}
	return 0;
}
