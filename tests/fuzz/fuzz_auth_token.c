/* Fuzz the instance-token verifier (JWT parsing before and after the signature check). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	drove_principal *p = NULL;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove_principal_new(&p, "f", 6) == 0) {
		(void)drove_instance_token_verify("s3cret", s, p);
		/* a secret of "" never verifies anything */
		if (drove_instance_token_verify("", s, p) == 0)
			abort();
		drove_principal_free(p);
	}
	free(s);
	return 0;
}
