/* Docker's log/exec stream: 8-byte frame headers [stream, 0, 0, 0, size (big endian)] when
 * the container has no TTY, raw bytes otherwise. Split into lines per stream. */
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime_internal.h"

#define MAX_LINE (64u << 10)

void drove__runtime_demux_init(drove__runtime_demux *d, drove_runtime_line_fn on_line,
                               void *userdata)
{
	memset(d, 0, sizeof(*d));
	d->max_line = MAX_LINE;
	d->on_line = on_line;
	d->userdata = userdata;
}

static void emit(drove__runtime_demux *d, int stream, drove__buf *b)
{
	size_t n = b->len;

	if (n && b->data[n - 1] == '\r')
		n--;
	if (d->on_line) {
		char save = b->data ? b->data[n] : 0;
		if (b->data)
			b->data[n] = '\0';
		d->on_line(stream, b->data ? b->data : "", n, d->userdata);
		if (b->data)
			b->data[n] = save;
	}
	drove__buf_reset(b);
}

/* Payload bytes of `stream`: cut into lines. */
static int payload(drove__runtime_demux *d, int stream, const char *p, size_t len)
{
	drove__buf *b = &d->line[stream == DROVE_RUNTIME_STDERR ? 2 : 1];

	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t take = nl ? (size_t)(nl - p) : len;
		if (b->len + take > d->max_line) {
			take = d->max_line - b->len;
			if (drove__buf_append(b, p, take) < 0)
				return DROVE_ENOMEM;
			emit(d, stream, b);
			p += take;
			len -= take;
			continue;
		}
		if (drove__buf_append(b, p, take) < 0)
			return DROVE_ENOMEM;
		p += take;
		len -= take;
		if (nl) {
			emit(d, stream, b);
			p++;
			len--;
		}
	}
	return 0;
}

int drove__runtime_demux_feed(drove__runtime_demux *d, const char *data, size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (d->mode == 0)
		d->mode = ((unsigned char)data[0] <= 2) ? 1 : 2;
	if (d->mode == 2)
		return payload(d, DROVE_RUNTIME_STDOUT, data, len);
	while (len) {
		if (d->left == 0) {
			size_t take = 8 - d->hdr_len;
			if (take > len)
				take = len;
			memcpy(d->hdr + d->hdr_len, data, take);
			d->hdr_len += take;
			data += take;
			len -= take;
			if (d->hdr_len < 8)
				return 0;
			d->hdr_len = 0;
			if (d->hdr[0] > 2 || d->hdr[1] || d->hdr[2] || d->hdr[3])
				return drove__error(DROVE_EIO,
				                    "log stream: bad frame header "
				                    "%02x %02x %02x %02x",
				                    d->hdr[0], d->hdr[1], d->hdr[2], d->hdr[3]);
			d->stream = d->hdr[0] == 2 ? DROVE_RUNTIME_STDERR : DROVE_RUNTIME_STDOUT;
			d->left = ((uint32_t)d->hdr[4] << 24) | ((uint32_t)d->hdr[5] << 16) |
			          ((uint32_t)d->hdr[6] << 8) | d->hdr[7];
			continue;
		}
		size_t take = d->left < len ? d->left : len;
		if ((rc = payload(d, d->stream, data, take)) < 0)
			return rc;
		d->left -= (uint32_t)take;
		data += take;
		len -= take;
	}
	return 0;
}

void drove__runtime_demux_finish(drove__runtime_demux *d)
{
	if (d->line[1].len)
		emit(d, DROVE_RUNTIME_STDOUT, &d->line[1]);
	if (d->line[2].len)
		emit(d, DROVE_RUNTIME_STDERR, &d->line[2]);
}

void drove__runtime_demux_free(drove__runtime_demux *d)
{
	drove__buf_free(&d->line[1]);
	drove__buf_free(&d->line[2]);
	drove__buf_free(&d->line[0]);
}
