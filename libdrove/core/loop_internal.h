/* Internal access to the loop for modules that register libevent events directly. */
#ifndef DROVE_CORE_LOOP_INTERNAL_H
#define DROVE_CORE_LOOP_INTERNAL_H

#include <drove/loop.h>

struct event_base;
struct event_base *drove__loop_base(drove_loop *loop);

#endif
