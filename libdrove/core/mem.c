/* Memory and string helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"

char *drove__strdup(const char *s)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		drove__enomem();
	return d;
}

char *drove__strndup(const char *s, size_t n)
{
	const char *nul;
	char *d;
	if (!s)
		return NULL;
	/* Never look past s[n - 1]: callers pass slices of buffers with no terminating NUL. */
	if ((nul = memchr(s, '\0', n)))
		n = (size_t)(nul - s);
	if (!(d = malloc(n + 1))) {
		drove__enomem();
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *drove__asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		drove__enomem();
		return NULL;
	}
	return s;
}

int drove__grow(void *arrayp, size_t *cap, size_t need, size_t elem)
{
	void **array = arrayp;
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 4;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			return drove__enomem();
		ncap *= 2;
	}
	if (!(p = realloc(*array, ncap * elem)))
		return drove__enomem();
	*array = p;
	*cap = ncap;
	return 0;
}

bool drove__streq_nocase(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

bool drove__streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}
