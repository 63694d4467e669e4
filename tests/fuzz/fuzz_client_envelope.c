/* Fuzz the client's response handling: envelope parsing and the HTTP status -> error mapping
 * for the statuses a controller answers with. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = {200, 204, 400, 401, 403, 404, 500, 503};
	drove__client_envelope env;
	char *s;

	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__client_envelope_parse(s, size, &env) == 0) {
		/* a parsed envelope always has a status; data is valid JSON text */
		if (!env.status)
			abort();
		drove__client_envelope_clear(&env);
	}
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		int rc = drove__client_map_error(statuses[i], s, size, "/apis/v1/fuzz");
		if (rc > 0 || (rc == 0 && statuses[i] != 200))
			abort();
		if (rc < 0 && drove_error_last()->code != rc)
			abort();
	}
	free(s);
	return 0;
}
