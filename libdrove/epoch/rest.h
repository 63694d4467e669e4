/* Epoch's REST API routes (internal; rest.c). */
#ifndef DROVE_EPOCH_REST_H
#define DROVE_EPOCH_REST_H

#include "epoch/engine.h"

/* Register every /apis/v1/topologies route on e->http. @return 0 or the server's error. */
int drove__epoch_rest_routes(drove_epoch *e);

#endif
