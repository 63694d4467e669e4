/* Fuzz the log/exec stream demultiplexer: the same bytes fed whole and in pieces must give
 * the same lines (or the same error). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
	drove__buf b;
};

static void on_line(int stream, const char *line, size_t len, void *ud)
{
	struct acc *a = ud;
	if (strlen(line) > len ||
	    (stream != DROVE_RUNTIME_STDOUT && stream != DROVE_RUNTIME_STDERR))
		abort();
	drove__buf_putc(&a->b, (char)('0' + stream));
	drove__buf_append(&a->b, line, len);
	drove__buf_putc(&a->b, '\n');
}

static int run(const uint8_t *data, size_t size, size_t step, struct acc *a)
{
	drove__runtime_demux d;
	int rc = 0;
	drove__runtime_demux_init(&d, on_line, a);
	for (size_t i = 0; i < size && rc == 0; i += step)
		rc = drove__runtime_demux_feed(&d, (const char *)data + i,
		                               size - i < step ? size - i : step);
	if (rc == 0)
		drove__runtime_demux_finish(&d);
	drove__runtime_demux_free(&d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acc whole = {DROVE_BUF_INIT}, pieces = {DROVE_BUF_INIT};
	size_t step;
	int r1, r2;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] % 13) + 1;
	r1 = run(data + 1, size - 1, size, &whole);
	r2 = run(data + 1, size - 1, step, &pieces);
	if (r1 != r2 ||
	    (r1 == 0 && (whole.b.len != pieces.b.len ||
	                 (whole.b.len && memcmp(whole.b.data, pieces.b.data, whole.b.len) != 0))))
		abort();
	drove__buf_free(&whole.b);
	drove__buf_free(&pieces.b);
	return 0;
}
