/* Fuzz the protocol message and response decoders; a decoded message must re-encode. */
#include <stdint.h>
#include <stdlib.h>

#include "model/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_message *m = NULL;
	drove_message_response *r = NULL;
	char *enc = NULL;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	if (drove__message_decode(s, size, &m) == 0) {
		if (drove__message_encode(m, &enc) != 0)
			abort();
		free(enc);
		drove__message_free(m);
	}
	if (drove__message_response_decode(s, size, &r) == 0)
		drove__message_response_free(r);
	free(s);
	return 0;
}
