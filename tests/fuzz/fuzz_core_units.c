/* Fuzz the duration and size parsers (and the base64 decoder). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	drove_duration d;
	drove_size sz;
	unsigned char *dec = NULL;
	size_t n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove_duration_parse(s, &d) == 0) {
		char *f = drove_duration_format(&d);
		drove_duration back;
		if (!f || drove_duration_parse(f, &back) != 0 || back.count != d.count ||
		    back.unit != d.unit)
			abort(); /* the canonical form must parse to the same value */
		drove_free(f);
		(void)drove_duration_ms(&d);
	}
	if (drove_size_parse(s, &sz) == 0) {
		char *f = drove_size_format(&sz);
		int64_t b;
		if (!f)
			abort();
		drove_free(f);
		(void)drove_size_bytes(&sz, &b);
	}
	if (drove__base64_decode(s, size, &dec, &n) == 0)
		free(dec);
	free(s);
	return 0;
}
