/* The controller, layer by layer (docs/controller.md, "Layout"): executors' messages and tracking
 * (execs.c, decoder.c) and blacklisting (blacklist.c): above every kind, which they drive.
 * Everything here runs on the loop thread. A file includes the header of its own layer,
 * which includes the layers below it; nothing includes a header above its layer. */
#ifndef DROVE_CTRL_INTAKE_H
#define DROVE_CTRL_INTAKE_H

#include "ctrl/kinds.h"

/* ---- executors' messages and tracking (execs.c): above every kind ---- */

/* Apply a message from an executor; parts of `m` may be taken (set to NULL). */
void drove__ctrl_handle_message(drove_controller *c, drove_message *m);
/* Answer an executor's POST /messages once its body is decoded (`m` NULL: `error`). */
void drove__ctrl_message_decoded(drove_controller *c, struct drove__http_req *req, drove_message *m,
                                 const char *error);
void drove__ctrl_exec_sweep(drove_controller *c);
/* Ping every live executor that has no ping in flight once per options.executorProbeInterval;
 * one that fails executorProbeFailures pings in a row is lost at once (docs/operations.md).
 * Called every DROVE__CTRL_PROBE_TICK_MS(interval): each executor is pinged in the tick that
 * passes its own offset in the interval (drove__ctrl_probe_offset of drove__ctrl_id_hash), so the
 * loop sends the pings of 20 ms of the interval per turn instead of all of them in one (issue 21:
 * 1,000 executors held it for 110-133 ms). */
void drove__ctrl_exec_probe_tick(drove_controller *c);
/* The probe tick's period: 20 ms, or the interval if shorter. */
#define DROVE__CTRL_PROBE_TICK_MS(interval) ((interval) < 20 ? (interval) : 20)
/* An executor's ping offset in an interval of `interval_ms`: hash mod interval. */
int64_t drove__ctrl_probe_offset(uint64_t hash, int64_t interval_ms);
/* Whether a tick covering the mono times (last, now] passes a time t = offset (mod interval),
 * i.e. whether the executor of `offset` is due; every executor is due once in any span of
 * `interval_ms` covered by consecutive ticks, and all of them when now - last >= interval
 * (after a stall). */
bool drove__ctrl_probe_due(int64_t offset, int64_t last, int64_t now, int64_t interval_ms);
void drove__ctrl_blacklist_tick(drove_controller *c);
void drove__ctrl_execs_clear(drove_controller *c);
/* Load the executors the last leader recorded as known (/knownexecutors, execs.c), as known
 * but not yet reported to this leader: recovery waits for them, and pings lose the dead ones
 * within seconds instead of one staleExecutorAge. Loop thread, on acquiring leadership. */
void drove__ctrl_execs_load_known(drove_controller *c);

/* ---- blacklisting through the API (blacklist.c) ---- */

void drove__ctrl_h_blacklist(struct drove__http_req *req, void *ud);
void drove__ctrl_h_unblacklist(struct drove__http_req *req, void *ud);

/* ---- decoding executor messages off the loop (decoder.c) ---- */
int drove__ctrl_decoder_start(drove_controller *c);
/* Join the worker and drop what is queued (without answering): before freeing the server. */
void drove__ctrl_decoder_stop(drove_controller *c);
/* Queue `body` (copied) of request `req`; drove__ctrl_message_decoded() answers it later on
 * the loop. @return 0, DROVE_EINVAL (no decoder) or DROVE_ENOMEM. */
int drove__ctrl_decode_async(drove_controller *c, struct drove__http_req *req, const char *body,
                             size_t len);

/* The known-instance classifier of the leader's state (execs.c; used by api.c, engine.c). */
void drove__ctrl_known_fns_init(drove_controller *c, drove__ctrl_known_fns *fns);

/* Answer a blacklist request still waiting (its messages were dropped) (blacklist.c). */
void drove__ctrl_blacklist_abort(drove_controller *c);

#endif
