/* Fuzz the TaskSpec decoder, validation, masking and the encode/decode round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/spec.h>
#include "core/internal.h"
#include "model/codec.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What decodes must encode, decode again and encode to the same JSON. */
static void roundtrip(const struct mtype *t, const void *v)
{
	char *e1 = NULL, *e2 = NULL;
	void *v2 = NULL;
	if (drove__mcodec_encode(t, v, &e1) < 0)
		abort();
	if (drove__mcodec_decode_text(t, e1, strlen(e1), DROVE_MODEL_STRICT, &v2, NULL, NULL) < 0)
		abort();
	if (drove__mcodec_encode(t, v2, &e2) < 0 || strcmp(e1, e2) != 0)
		abort();
	drove__mcodec_free(t, v2);
	free(e1);
	free(e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	drove_task_spec *s = NULL, *c = NULL;
	drove_strlist *errs = NULL, *unknown = NULL;
	struct drove_spec_opts opts = {0};

	if (drove_strlist_new(&errs) < 0 || drove_strlist_new(&unknown) < 0)
		abort();
	if (drove__task_spec_decode((const char *)data, size, 0, &s, errs, unknown) == 0) {
		opts.enable_raw_device_access = size & 1;
		opts.disable_cmdl_args = size & 2;
		if (drove__task_spec_validate(s, &opts, NULL, errs) < 0)
			abort();
		roundtrip(&drove__mt_task_spec, s);
		if (drove__task_spec_copy(s, &c) < 0 || drove__task_spec_mask(c) < 0 ||
		    drove__task_spec_apply_defaults(c) < 0)
			abort();
		roundtrip(&drove__mt_task_spec, c);
		drove__task_spec_free(c);
		drove__task_spec_free(s);
	}
	/* the partial decode used by drove_spec_validate_json */
	(void)drove_spec_validate_json(NULL, (const char *)data, size, NULL, NULL);
	drove_strlist_free(errs);
	drove_strlist_free(unknown);
	return 0;
}
