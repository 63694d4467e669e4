#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

const char *drove_test_require_env(const char *name, const char *what)
{
	const char *v = getenv(name);
	const char *req = getenv("DROVE_REQUIRE_COMPONENTS");

	if (v && *v)
		return v;
	if (req && strcmp(req, "1") == 0) {
		fprintf(stderr, "FAIL: %s is required (DROVE_REQUIRE_COMPONENTS=1) but %s is unset; "
		                "start it with tests/harness/components.sh\n", what, name);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s not available (%s unset); run tests through scripts/test.sh\n",
	        what, name);
	exit(77);
}

char *drove_test_read_source_file(const char *relpath, size_t *len)
{
	char path[4096];
	FILE *f;
	char *data;
	long n;

	snprintf(path, sizeof(path), "%s/%s", DROVE_SOURCE_DIR, relpath);
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(data = malloc((size_t)n + 1)) ||
	    fread(data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	data[n] = '\0';
	if (len)
		*len = (size_t)n;
	return data;
}
