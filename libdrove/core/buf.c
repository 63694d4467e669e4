/* A growable, always NUL-terminated byte buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

int drove__buf_reserve(drove__buf *b, size_t extra)
{
	size_t need;
	if (extra > SIZE_MAX - b->len - 1)
		return drove__enomem();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	return drove__grow(&b->data, &b->cap, need, 1);
}

int drove__buf_append(drove__buf *b, const void *data, size_t n)
{
	int rc;
	if ((rc = drove__buf_reserve(b, n)) < 0)
		return rc;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int drove__buf_puts(drove__buf *b, const char *s)
{
	return drove__buf_append(b, s, strlen(s));
}

int drove__buf_putc(drove__buf *b, char c)
{
	return drove__buf_append(b, &c, 1);
}

int drove__buf_vprintf(drove__buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return drove__error(DROVE_ERROR, "format error");
	if ((rc = drove__buf_reserve(b, (size_t)n)) < 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int drove__buf_printf(drove__buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = drove__buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void drove__buf_reset(drove__buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *drove__buf_steal(drove__buf *b)
{
	char *s;
	if (!b->data && drove__buf_reserve(b, 0) < 0)
		return NULL;
	if (!b->data) /* reserve(0) on an empty buffer allocates; guard anyway */
		return NULL;
	b->data[b->len] = '\0';
	s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void drove__buf_free(drove__buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
