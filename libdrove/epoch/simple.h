/* Simple topology requests (internal; simple.c). */
#ifndef DROVE_EPOCH_SIMPLE_H
#define DROVE_EPOCH_SIMPLE_H

#include <stddef.h>

#include <drove/strlist.h>

/* Turn a simple request (`body`, `len` bytes, at most DROVE_EPOCH_TOPOLOGY_MAX) into an
 * EpochTopology document `*out_doc` (free()); `path_id` (may be NULL) is the topology id of
 * an edit, which the body's `name` must not contradict. Every problem is appended to `errs`
 * as "field: message". @return 0, DROVE_EINVAL (problems in `errs`, `*out_doc` NULL) or
 * DROVE_ENOMEM. Pure; any thread. */
int drove__epoch_simple_topology(const char *body, size_t len, const char *path_id,
                                 drove_strlist *errs, char **out_doc);

#endif
