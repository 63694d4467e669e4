/* The answers of a stub Drove controller on libevent's evhttp, for drove-epoch's tests and
 * benchmarks (check_epoch_async, bench_epoch_fire): a task CREATE succeeds, a DELETE deletes,
 * a task's status is STOPPED with a SUCCESSFUL result, anything else (ping) answers "pong". The
 * caller handles the POSTs it counts or delays, then answers them with DROVE_STUB_CREATED.
 * Header-only. */
#ifndef DROVE_STUB_H
#define DROVE_STUB_H

#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#define DROVE_STUB_CREATED \
	"{\"status\":\"SUCCESS\",\"data\":{\"taskId\":\"x\"},\"message\":\"success\"}"

/* 200 with the JSON `body`. */
static inline void drove_stub_reply(struct evhttp_request *req, const char *body)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, body, strlen(body));
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

/* Everything but a POST: DELETE, a task's status, ping. */
static inline void drove_stub_answer(struct evhttp_request *req)
{
	if (evhttp_request_get_command(req) == EVHTTP_REQ_DELETE)
		drove_stub_reply(req, "{\"status\":\"SUCCESS\",\"data\":{\"deleted\":true},"
		                      "\"message\":\"success\"}");
	else if (strstr(evhttp_request_get_uri(req), "/instances/"))
		drove_stub_reply(req, "{\"status\":\"SUCCESS\",\"data\":{\"state\":\"STOPPED\","
		                      "\"taskResult\":{\"status\":\"SUCCESSFUL\"}},"
		                      "\"message\":\"success\"}");
	else
		drove_stub_reply(
		        req, "{\"status\":\"SUCCESS\",\"data\":\"pong\",\"message\":\"success\"}");
}

#endif
