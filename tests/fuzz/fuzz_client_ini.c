/* Fuzz the ~/.drove INI parser: parse, read back, serialise and parse again (round trip). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/client.h>
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_client_config *cfg = NULL, *back = NULL;
	char *text = NULL;

	if (drove_client_config_parse(&cfg, (const char *)data, size) < 0)
		return 0;
	(void)drove_client_config_get(cfg, "DEFAULT", "current_cluster");
	for (size_t i = 0; i < drove_client_config_section_count(cfg); i++)
		(void)drove_client_config_get(cfg, drove_client_config_section(cfg, i), "endpoint");
	if (drove_client_config_to_string(cfg, &text) == 0) {
		/* what we write, we read back with the same sections */
		if (drove_client_config_parse(&back, text, strlen(text)) < 0 ||
		    drove_client_config_section_count(back) !=
		            drove_client_config_section_count(cfg))
			abort();
		drove_client_config_free(back);
		drove_free(text);
	}
	drove_client_config_free(cfg);
	return 0;
}
