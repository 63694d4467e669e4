/* Fuzz the template parser: never crashes, rejections name the line, accepted templates
 * render. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	static drove_gateway_model *m;
	static const char eps[] = "[{\"appName\":\"A\",\"vhost\":\"a.local\",\"tags\":{},"
	                          "\"hosts\":[{\"host\":\"h\",\"port\":1,\"portType\":\"HTTP\"}]}]";
	drove_gateway_template *t = NULL;
	char *out = NULL;

	if (!ctx && (drove_ctx_new(&ctx) != 0 ||
	             drove_gateway_model_from_json(&m, ctx, NULL, eps, sizeof(eps) - 1) != 0))
		return 0;
	if (drove_gateway_template_new(&t, ctx, (const char *)data, size) == 0) {
		if (drove_gateway_render(t, m, NULL, "http://c:1", &out) != 0)
			abort();
		drove_free(out);
		drove_gateway_template_free(t);
	} else if (!strstr(drove_error_last()->message, "template")) {
		abort();
	}
	return 0;
}
