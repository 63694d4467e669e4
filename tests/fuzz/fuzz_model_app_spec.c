/* Fuzz the ApplicationSpec decoder, validation, masking and the encode/decode round trip. */
#include "fuzz_model_common.h"

DROVE_FUZZ_SPEC_TARGET(app_spec, drove__app_spec_mask, drove__app_spec_apply_defaults)
