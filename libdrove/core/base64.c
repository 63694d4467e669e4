/* Base64 (standard alphabet, padded) through OpenSSL's EVP block codec. */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "core/internal.h"

int drove__base64_encode(const void *data, size_t n, char **out)
{
	size_t olen;
	char *s;

	if (n > (SIZE_MAX / 4) * 3 - 3 || n > INT32_MAX)
		return drove__error(DROVE_EINVAL, "base64: input too large");
	olen = 4 * ((n + 2) / 3);
	if (!(s = malloc(olen + 1)))
		return drove__enomem();
	EVP_EncodeBlock((unsigned char *)s, data, (int)n);
	s[olen] = '\0';
	*out = s;
	return 0;
}

static bool is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int drove__base64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
	size_t pad = 0, dlen;
	unsigned char *d;
	int got;

	if (n % 4 != 0)
		return drove__error(DROVE_EINVAL, "not valid base64: length %zu is not a multiple of 4",
		                    n);
	if (n > INT32_MAX)
		return drove__error(DROVE_EINVAL, "base64: input too large");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (!is_b64(c) || pad)
			return drove__error(DROVE_EINVAL, "not valid base64: bad character at %zu",
			                    i);
	}
	dlen = n / 4 * 3;
	if (!(d = malloc(dlen + 1)))
		return drove__enomem();
	got = n ? EVP_DecodeBlock(d, (const unsigned char *)s, (int)n) : 0;
	if (got < 0) {
		free(d);
		return drove__error(DROVE_EINVAL, "not valid base64");
	}
	/* EVP_DecodeBlock counts the padding as data bytes. */
	dlen = (size_t)got - pad;
	d[dlen] = '\0';
	*out = d;
	*out_len = dlen;
	return 0;
}
