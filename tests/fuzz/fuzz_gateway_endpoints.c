/* Fuzz the /endpoints reader, the events summary reader and the renderer on what they accept:
 * never crashes, every rejection names what is wrong, every model renders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "gateway/gateway_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	static drove_gateway_config *cfg;
	static drove_gateway_template *tpl;
	static const char yaml[] = "drove:\n  endpoints: [http://c:1]\nnginx:\n  config: /x\n"
	                           "routing:\n  routingTag: zone\n  leaderVhost: l.local\n";
	drove_gateway_model *m = NULL;
	int64_t ls = 0;
	int changed = 0;
	char *out = NULL;

	if (!ctx && (drove_ctx_new(&ctx) != 0 ||
	             drove_gateway_config_load_buf(&cfg, ctx, "f.yml", yaml, sizeof(yaml) - 1) ||
	             drove_gateway_template_new(&tpl, ctx, drove_gateway_template_default(),
	                                        strlen(drove_gateway_template_default()))))
		return 0;
	if (drove_gateway_model_from_json(&m, ctx, cfg, (const char *)data, size) == 0) {
		if (drove_gateway_render(tpl, m, cfg, "http://c:1", &out) != 0)
			abort(); /* an accepted model always renders */
		drove_free(out);
		drove_gateway_model_free(m);
	} else if (drove_error_last()->message[0] == '\0') {
		abort();
	}
	if (drove__gw_parse_summary((const char *)data, size, &ls, &changed) != 0 &&
	    drove_error_last()->message[0] == '\0')
		abort();
	return 0;
}
