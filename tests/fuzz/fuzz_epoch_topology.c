/* Fuzz the EpochTopology parser: accepted topologies round-trip and give valid task specs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <drove/drove.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static drove_ctx *ctx;
	drove_epoch_topology *t = NULL, *back = NULL;
	drove_strlist *errs = NULL;
	char *doc = NULL;

	if (!ctx && drove_ctx_new(&ctx) != 0)
		return 0;
	if (drove_epoch_topology_from_json(&t, ctx, (const char *)data, size, 1780000000000LL,
	                                   &errs) != 0) {
		if (drove_error_last()->message[0] == '\0')
			abort();
		drove_strlist_free(errs);
		return 0;
	}
	if (drove_epoch_topology_to_json(t, &doc) != 0 ||
	    drove_epoch_topology_from_json(&back, ctx, doc, strlen(doc), 1780000000000LL, NULL) !=
	            0 ||
	    drove_epoch_topology_task_count(back) != drove_epoch_topology_task_count(t))
		abort();
	for (size_t i = 0; i < drove_epoch_topology_task_count(t); i++) {
		char *spec = NULL;
		if (drove_epoch_topology_task_spec(t, i, "EPOCH", "SR-1", &spec) != 0)
			abort();
		drove_free(spec);
	}
	drove_free(doc);
	drove_epoch_topology_free(back);
	drove_epoch_topology_free(t);
	return 0;
}
