/* Fuzz the LocalServiceSpec decoder, validation, masking and the encode/decode round trip
 * (a local-service spec shares the application spec's masking and defaults). */
#include "fuzz_model_common.h"

DROVE_FUZZ_SPEC_TARGET(ls_spec, drove__app_spec_mask, drove__app_spec_apply_defaults)
