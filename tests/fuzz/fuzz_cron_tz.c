/* Fuzz the time zone readers: TZif bytes and POSIX TZ strings; offsets stay within a day. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "cron/cron_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const drove__tz *tz)
{
	static const int64_t at[] = {INT64_MIN / 4, -2208988800LL, 0, 1774746000LL, 2145916800LL,
	                             4102444800LL,  INT64_MAX / 4};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int32_t o = drove__tz_offset(tz, at[i]);
		if (o < -90000 || o > 93600)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove__tz *tz = NULL;
	char *s;

	if (size > DROVE_TZ_FILE_MAX)
		return 0;
	if (drove__tz_from_tzif(&tz, "fuzz", data, size) == 0) {
		probe(tz);
		drove__tz_free(tz);
	}
	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__tz_from_posix(&tz, s) == 0) {
		probe(tz);
		drove__tz_free(tz);
	}
	free(s);
	return 0;
}
