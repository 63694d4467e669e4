/* Fuzz the Quartz cron parser and the next-fire search: a parsed expression's fire times
 * strictly increase. Input: one byte choosing a zone, then the expression. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const zones[] = {NULL, "Europe/Berlin", "America/New_York",
	                                    "Australia/Sydney", "EST5EDT,M3.2.0,M11.1.0"};
	static const int64_t starts[] = {0, 1774746000000LL, 1792976400000LL, 4102444800000LL};
	drove_cron *c = NULL;
	char *s;

	if (size < 1 || size > 2048)
		return 0;
	if (!(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (drove_cron_parse(&c, s, zones[data[0] % 5]) == 0) {
		for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
			int64_t t = starts[i], n;
			for (int k = 0; k < 4 && drove_cron_next(c, t, &n) == 0; k++) {
				if (n <= t || n % 1000 != 0)
					abort();
				t = n;
			}
		}
		drove_cron_free(c);
	} else if (drove_error_last()->message[0] == '\0') {
		abort(); /* every rejection names what is wrong */
	}
	free(s);
	return 0;
}
