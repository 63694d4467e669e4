/* Fuzz Epoch's simple topology requests: an accepted request gives a document that the
 * topology parser takes or refuses with named errors; a refused one names its problems. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>
#include "epoch/simple.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	drove_strlist *errs = NULL, *terrs = NULL;
	drove_epoch_topology *t = NULL;
	char *doc = NULL, *body;

	if ((!ctx && drove_ctx_new(&ctx) != 0) || drove_strlist_new(&errs) != 0)
		return 0;
	if (!(body = malloc(size + 1)))
		abort();
	memcpy(body, data, size);
	body[size] = '\0';
	int rc = drove__epoch_simple_topology(body, size, size % 2 ? "edited" : NULL, errs, &doc);
	if (rc == 0) {
		if (!doc || drove_strlist_count(errs))
			abort();
		rc = drove_epoch_topology_from_json(&t, ctx, doc, strlen(doc), 1780000000000LL,
		                                    &terrs);
		if (rc != 0 && (rc != DROVE_EINVAL || drove_strlist_count(terrs) == 0))
			abort();
	} else if (rc == DROVE_EINVAL && (doc || drove_strlist_count(errs) == 0)) {
		abort();
	}
	drove_epoch_topology_free(t);
	drove_strlist_free(terrs);
	drove_strlist_free(errs);
	free(doc);
	free(body);
	return 0;
}
