/* Fuzz the TaskSpec decoder, validation, masking and the encode/decode round trip. */
#include "fuzz_model_common.h"

DROVE_FUZZ_SPEC_TARGET(task_spec, drove__task_spec_mask, drove__task_spec_apply_defaults)
