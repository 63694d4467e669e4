/*
 * Asynchronous HTTP client (internal): libcurl's multi interface driven by a drove_loop's
 * libevent base. Used by the runtime (Docker Engine API over a unix socket), and later by the
 * controller <-> executor messages and HTTP checks.
 *
 * Cost: a client keeps up to 64 finished easy handles (options reset) for its next requests,
 * and keeps a kept-alive connection's socket registered with libevent while it idles, so that
 * an exchange on a reused connection costs no curl_easy_init() nor epoll_ctl.
 *
 * Threads: a client and its requests belong to the loop's thread; every function here and
 * every callback runs there. Free the client before its loop.
 */
#ifndef DROVE_HTTP_CLIENT_H
#define DROVE_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <drove/loop.h>

typedef struct drove__http_client drove__http_client;
typedef struct drove__http_req drove__http_req; /* one request in flight */

/* A finished request. Borrowed by the completion callback for the call only, unless it came
 * from drove__http_request_sync(), whose caller frees it with drove__http_response_free(). */
typedef struct drove__http_response {
	int status;    /* HTTP status, 0 when no response arrived */
	int error;     /* 0, or DROVE_EUNAVAIL (connect refused, socket missing), DROVE_ETIMEOUT,
	                  DROVE_EIO (anything else, body cap included), DROVE_ENOMEM */
	char *errtext; /* curl's error text or our own ("" when error == 0); never NULL */
	char *body;    /* NUL-terminated, never NULL; in streaming mode only non-2xx bodies */
	size_t body_len;
	char *headers;      /* raw header lines of the last response, "Name: value\r\n"... */
	int tls_unverified; /* 1: the peer's TLS certificate failed verification (error EIO) */
	int unsent;         /* 1: no connection was made (refused, name not resolved): the
	                       request certainly did not reach the peer */
} drove__http_response;

/* Streaming: called with each piece of a 2xx response body as it arrives. Return 0 to go on,
 * non-zero to abort the transfer (the completion then reports DROVE_EIO "aborted"). */
typedef int (*drove__http_chunk_fn)(const char *data, size_t len, void *userdata);
/* Completion; runs once per request unless it was cancelled. */
typedef void (*drove__http_done_fn)(const drove__http_response *resp, void *userdata);

typedef struct drove__http_request {
	const char *method;         /* "GET" when NULL */
	const char *url;            /* "http://d/v1.41/..." for a unix socket */
	const char *unix_socket;    /* optional path of a unix socket to connect to */
	const char *const *headers; /* optional NULL-terminated "Name: value" list */
	const void *body;           /* optional request body (copied) */
	size_t body_len;
	int64_t connect_timeout_ms;    /* 0: 10 s */
	int64_t timeout_ms;            /* whole request; 0: none (streams) */
	size_t max_body;               /* response cap in bytes; 0: 16 MiB */
	drove__http_chunk_fn on_chunk; /* optional: streaming mode */
	drove__http_done_fn on_done;   /* required */
	void *userdata;
	/* TLS (https URLs): the peer's certificate and host name are verified against the system
	 * trust store, or against `ca_file` (PEM bundle, optional) when set, else against
	 * $CURL_CA_BUNDLE / $SSL_CERT_FILE when set; `insecure` 1 skips both checks. A failed
	 * verification completes with DROVE_EIO and an errtext starting "TLS certificate
	 * verification failed". */
	int insecure;
	const char *ca_file;
} drove__http_request;

/* A client on `loop`. @return 0, DROVE_ENOMEM or DROVE_ERROR. */
int drove__http_client_new(drove__http_client **out, drove_loop *loop);
/* Cancels every request in flight (their callbacks do not run). May be called from a
 * completion or chunk callback: the memory is then released when the callback returns.
 * NULL is fine. */
void drove__http_client_free(drove__http_client *c);
/* Start a request; the completion runs later on the loop thread, never inside this call.
 * `handle_out` (optional) receives a handle valid until the completion callback returns or
 * the request is cancelled. @return 0, DROVE_EINVAL or DROVE_ENOMEM (no callback then). */
int drove__http_send(drove__http_client *c, const drove__http_request *req,
                     drove__http_req **handle_out);
/* Cancel a request in flight: its callbacks never run again. Safe from inside its own chunk
 * callback and from other requests' callbacks. NULL is fine. */
void drove__http_cancel(drove__http_req *r);
/* Number of requests in flight. */
size_t drove__http_client_pending(const drove__http_client *c);
/* Number of finished easy handles the client keeps for its next requests (at most 64). */
size_t drove__http_client_idle(const drove__http_client *c);

/* Value of response header `name` (case-insensitive) into a new string, or NULL. */
char *drove__http_response_header(const drove__http_response *resp, const char *name);
void drove__http_response_free(drove__http_response *resp);

/* Synchronous wrapper for tests and simple programs: runs a private loop until the request
 * is done (`req->on_done` is ignored; `on_chunk` gets `req->userdata`). On 0, `*out` holds
 * the response (any HTTP status). On a transport error returns resp->error with curl's text
 * as the thread's error message; `*out` is not written. */
int drove__http_request_sync(drove_ctx *ctx, const drove__http_request *req,
                             drove__http_response **out);

/* Map a CURLcode (as int) to DROVE_EUNAVAIL / DROVE_ETIMEOUT / DROVE_EIO. */
int drove__http_map_curl_error(int curl_code);

#endif
