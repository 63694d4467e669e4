/* DYNAMIC_COMMAND metadata providers (mdcmd.c; libdrove/exec only). */
#ifndef DROVE_EXEC_MDCMD_H
#define DROVE_EXEC_MDCMD_H

#include <drove/loop.h>
#include <drove/strlist.h>
#include "config/config.h"
#include "core/internal.h"
#include "core/loop_internal.h"
#include "exec/exec.h"

/* Each command gets at most this long (then its process group is killed) ... */
#define DROVE__EXEC_MDCMD_TIMEOUT_MS 10000
/* ... and may print at most this much on stdout (more: killed as flooding). */
#define DROVE__EXEC_MDCMD_OUT_MAX 65536

struct drove__exec_mdcmd;

/* Start running the DYNAMIC_COMMAND providers of `ec` (borrowed; must outlive the runner) on
 * `loop`; `changed(ud)` is called on the loop thread whenever a provider's values change.
 * `*out` is NULL when no such provider is configured. @return 0 or DROVE_ENOMEM. */
int drove__exec_mdcmd_start(struct drove__exec_mdcmd **out, drove_loop *loop, drove_ctx *ctx,
                            const drove__cfg_executor *ec, void (*changed)(void *ud), void *ud);
/* The values so far, one map per configured provider (NULL entries: none yet or not a
 * DYNAMIC_COMMAND provider); NULL when `m` is NULL. Borrowed until the next loop turn. */
const drove_strmap *const *drove__exec_mdcmd_values(const struct drove__exec_mdcmd *m);
/* Kills any command in flight. NULL is fine. */
void drove__exec_mdcmd_free(struct drove__exec_mdcmd *m);

#endif
