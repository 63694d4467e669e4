/* Shared by the model fuzz targets: the round-trip property and one spec target body. */
#ifndef DROVE_FUZZ_MODEL_COMMON_H
#define DROVE_FUZZ_MODEL_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/spec.h>
#include "core/internal.h"
#include "model/codec.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What decodes must encode, decode again and encode to the same JSON. */
static inline void fuzz_model_roundtrip(const struct mtype *t, const void *v)
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

/* A spec target: decode, validate (options varied by the input's size), round-trip, then a
 * masked copy with defaults applied must round-trip too; finally the partial decode used by
 * drove_spec_validate_json. T is app_spec, task_spec or ls_spec; MASK and DEFAULTS the
 * functions that apply to it. */
#define DROVE_FUZZ_SPEC_TARGET(T, MASK, DEFAULTS)                                               \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                            \
	{                                                                                       \
		drove_##T *s = NULL, *c = NULL;                                                 \
		drove_strlist *errs = NULL, *unknown = NULL;                                    \
		struct drove_spec_opts opts = {0};                                              \
		if (drove_strlist_new(&errs) < 0 || drove_strlist_new(&unknown) < 0)            \
			abort();                                                                \
		if (drove__##T##_decode((const char *)data, size, 0, &s, errs, unknown) == 0) { \
			opts.enable_raw_device_access = size & 1;                               \
			opts.disable_cmdl_args = size & 2;                                      \
			if (drove__##T##_validate(s, &opts, NULL, errs) < 0)                    \
				abort();                                                        \
			fuzz_model_roundtrip(&drove__mt_##T, s);                                \
			if (drove__##T##_copy(s, &c) < 0 || MASK(c) < 0 || DEFAULTS(c) < 0)     \
				abort();                                                        \
			fuzz_model_roundtrip(&drove__mt_##T, c);                                \
			drove__##T##_free(c);                                                   \
			drove__##T##_free(s);                                                   \
		}                                                                               \
		(void)drove_spec_validate_json(NULL, (const char *)data, size, NULL, NULL);     \
		drove_strlist_free(errs);                                                       \
		drove_strlist_free(unknown);                                                    \
		return 0;                                                                       \
	}

#endif
