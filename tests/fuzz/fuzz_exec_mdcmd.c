/* Fuzz the reading of a metadata command's output (drove__exec_mdcmd_value): any bytes give a
 * NUL-free, valid UTF-8 value without '\r', never longer than 3 bytes per input byte, and a
 * value read again is unchanged once its final line end is put back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "exec/exec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t need = s[i] < 0x80 ? 1 : s[i] < 0xe0 ? 2 : s[i] < 0xf0 ? 3 : 4;
		if ((s[i] >= 0x80 && s[i] < 0xc2) || s[i] > 0xf4 || i + need > n)
			abort();
		for (size_t k = 1; k < need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				abort();
		i += need;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = NULL, *again = NULL, *nl;
	size_t n;
	if (size > (1u << 16))
		return 0;
	if (drove__exec_mdcmd_value((const char *)data, size, &v) < 0)
		return 0;
	n = strlen(v);
	if (n > 3 * size || strchr(v, '\r'))
		abort();
	check_utf8((const unsigned char *)v, n);
	/* idempotent: v + "\n" reads back as v */
	if ((nl = malloc(n + 2)) != NULL) {
		memcpy(nl, v, n);
		nl[n] = '\n';
		nl[n + 1] = '\0';
		if (drove__exec_mdcmd_value(nl, n + 1, &again) == 0 && strcmp(again, v) != 0)
			abort();
		free(again);
		free(nl);
	}
	free(v);
	return 0;
}
