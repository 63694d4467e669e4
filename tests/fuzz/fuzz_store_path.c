/* Fuzz store path validation and the record path helper: whatever is accepted must be a
 * canonical absolute path (no empty, "." or ".." component, no control byte), its parent and
 * name must rebuild it, and a record id that passes must be one path component. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "core/internal.h"
#include "store/store_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(const char *s)
{
	size_t n = strlen(s), i;

	if (s[0] != '/' || n > DROVE__STORE_PATH_MAX)
		abort();
	if (n == 1)
		return;
	if (s[n - 1] == '/' || strstr(s, "//") || strstr(s, "/./") || strstr(s, "/../"))
		abort();
	if ((n >= 2 && strcmp(s + n - 2, "/.") == 0) || (n >= 3 && strcmp(s + n - 3, "/..") == 0))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char *p = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__store_path_check(s) == 0) {
		check_canonical(s);
		if (strcmp(s, "/") != 0) {
			char *parent = drove__store_path_parent(s);
			const char *name = drove__store_path_name(s);
			char *back;
			if (!parent || !*name || strchr(name, '/'))
				abort();
			back = drove__asprintf("%s/%s", strcmp(parent, "/") == 0 ? "" : parent,
			                       name);
			if (!back || strcmp(back, s) != 0 || drove__store_path_check(parent) != 0)
				abort();
			free(back);
			free(parent);
		}
	}
	if (drove_record_path(DROVE_RECORD_INSTANCE, "APP-1", s, &p) == 0) {
		if (drove__store_path_check(p) != 0 || strchr(s, '/'))
			abort();
		if (strncmp(p, "/instances/APP-1/", 17) != 0 || strcmp(p + 17, s) != 0)
			abort();
		drove_free(p);
	}
	free(s);
	return 0;
}
