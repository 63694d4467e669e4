/* Fuzz the embedded store's journal reader (store/local_log.c): whatever bytes a crash or a
 * damaged disk leaves, it reports only whole 'P'/'D' entries of committed groups, each name
 * one bounded percent-encoded path (never a '/') and each file inside the input, and a committed
 * length within the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const char *lo, *hi;
};

static int check_entry(void *ud, char kind, const char *name, const char *file, size_t flen)
{
	const struct span *s = ud;
	size_t n = strlen(name);
	if ((kind != 'P' && kind != 'D') || n < 3 || n > DROVE__LOCAL_NAME_MAX ||
	    strncmp(name, "%2F", 3) || strchr(name, '/'))
		abort();
	if (kind == 'P' && (file < s->lo || file + flen > s->hi))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct span s = {body, body + size};
	size_t committed = (size_t)-1;

	if (drove__local_journal_each(body, size, check_entry, &s, &committed) == 0 &&
	    committed > size)
		abort();
	committed = (size_t)-1;
	if (drove__local_journal_each(body, size, NULL, NULL, &committed) == 0 && committed > size)
		abort();
	return 0;
}
