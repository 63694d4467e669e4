/* The REST client: libcurl easy handle, leader tracking across endpoints, retries with
 * bounded backoff, the envelope call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include <drove/version.h>
#include "client/client_internal.h"

#define NOT_LEADER_MSG "This node is not the leader controller"

struct drove_client {
	drove_ctx *ctx;
	CURL *curl;
	char **eps;
	size_t neps, cap;
	int leader; /* index into eps, -1 when unknown */
	char *auth; /* a whole "Authorization: ..." header line, or NULL */
	int insecure;
	int64_t connect_ms, request_ms;
	int retries;
	int64_t backoff_ms, max_backoff_ms;
	int last_status;       /* HTTP status of the last envelope call answered, 0 before */
	char *last_error_data; /* that call's envelope data when it failed, or NULL */
};

struct drove_client_response {
	int status;
	drove__buf body;
	int is_env;
	drove__client_envelope env;
};

int drove_client_new(drove_client **out, drove_ctx *ctx)
{
	drove_client *c;
	int rc;

	DROVE_CHECK_ARG(out && ctx);
	if ((rc = drove__global_init()) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c))))
		return drove__enomem();
	c->ctx = ctx;
	c->leader = -1;
	c->connect_ms = 5000;
	c->request_ms = 30000;
	c->retries = 3;
	c->backoff_ms = 200;
	c->max_backoff_ms = 2000;
	if (!(c->curl = curl_easy_init())) {
		free(c);
		return drove__error(DROVE_ERROR, "curl_easy_init failed");
	}
	*out = c;
	return 0;
}

void drove_client_free(drove_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	for (size_t i = 0; i < c->neps; i++)
		free(c->eps[i]);
	free(c->eps);
	free(c->auth);
	free(c->last_error_data);
	free(c);
}

int drove_client_add_endpoint(drove_client *c, const char *url)
{
	char *u;
	size_t n;

	DROVE_CHECK_ARG(c && url);
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return drove__error(DROVE_EINVAL,
		                    "endpoint: '%s' is not an http:// or https:// url", url);
	if (strpbrk(url, " \r\n\t?#"))
		return drove__error(DROVE_EINVAL, "endpoint: '%s' has a space, query or fragment",
		                    url);
	n = strlen(url);
	while (n > 8 && url[n - 1] == '/')
		n--;
	if (n <= 8 || url[n - 1] == '/')
		return drove__error(DROVE_EINVAL, "endpoint: '%s' has no host", url);
	if (drove__grow(&c->eps, &c->cap, c->neps + 1, sizeof(*c->eps)) < 0)
		return DROVE_ENOMEM;
	if (!(u = drove__strndup(url, n)))
		return DROVE_ENOMEM;
	c->eps[c->neps++] = u;
	return 0;
}

int drove__client_auth_line(const char *token, const char *user, const char *password, char **out)
{
	char *pair, *b64 = NULL;
	int rc;

	*out = NULL;
	if (token) {
		if (strpbrk(token, "\r\n"))
			return drove__error(DROVE_EINVAL, "auth header: a line break in the value");
		return (*out = drove__asprintf("Authorization: %s", token)) ? 0 : DROVE_ENOMEM;
	}
	if (!user)
		return 0;
	if (strchr(user, ':'))
		return drove__error(DROVE_EINVAL, "username: '%s' has a ':'", user);
	if (!(pair = drove__asprintf("%s:%s", user, password ? password : "")))
		return DROVE_ENOMEM;
	rc = drove__base64_encode(pair, strlen(pair), &b64);
	free(pair);
	if (rc < 0)
		return rc;
	*out = drove__asprintf("Authorization: Basic %s", b64);
	free(b64);
	return *out ? 0 : DROVE_ENOMEM;
}

static int set_auth(drove_client *c, const char *token, const char *user, const char *password)
{
	char *line;
	int rc = drove__client_auth_line(token, user, password, &line);
	if (rc < 0)
		return rc;
	free(c->auth);
	c->auth = line;
	return 0;
}

int drove_client_set_basic_auth(drove_client *c, const char *user, const char *password)
{
	DROVE_CHECK_ARG(c && user && password);
	return set_auth(c, NULL, user, password);
}

int drove_client_set_auth_header(drove_client *c, const char *value)
{
	DROVE_CHECK_ARG(c && value);
	return set_auth(c, value, NULL, NULL);
}

void drove_client_set_insecure(drove_client *c, int insecure)
{
	if (c)
		c->insecure = insecure ? 1 : 0;
}

int drove_client_set_timeouts(drove_client *c, int64_t connect_ms, int64_t request_ms)
{
	DROVE_CHECK_ARG(c);
	if (connect_ms < 1 || request_ms < 1)
		return drove__error(DROVE_EINVAL, "timeouts: %lld/%lld ms, each must be >= 1",
		                    (long long)connect_ms, (long long)request_ms);
	c->connect_ms = connect_ms;
	c->request_ms = request_ms;
	return 0;
}

int drove_client_set_retries(drove_client *c, int retries, int64_t backoff_ms,
                             int64_t max_backoff_ms)
{
	DROVE_CHECK_ARG(c);
	if (retries < 0 || retries > 100)
		return drove__error(DROVE_EINVAL, "retries: %d is not in 0..100", retries);
	if (backoff_ms < 0 || max_backoff_ms < backoff_ms)
		return drove__error(DROVE_EINVAL, "backoff: %lld..%lld ms is not a valid range",
		                    (long long)backoff_ms, (long long)max_backoff_ms);
	c->retries = retries;
	c->backoff_ms = backoff_ms;
	c->max_backoff_ms = max_backoff_ms;
	return 0;
}

const char *drove_client_leader(const drove_client *c)
{
	return c && c->leader >= 0 ? c->eps[c->leader] : NULL;
}

/* ---- one HTTP exchange ---- */

struct sink {
	CURL *curl;
	drove__buf *buf;
	int fd;        /* >= 0: a 200 body goes here */
	int64_t bytes; /* written to fd */
	int io_err;
	int too_big;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = sz * n;
	long code = 0;

	if (s->fd >= 0) {
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200) {
			size_t off = 0;
			while (off < len) {
				ssize_t w = write(s->fd, p + off, len - off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					s->io_err = errno ? errno : EIO;
					return 0;
				}
				off += (size_t)w;
			}
			s->bytes += (int64_t)len;
			return len;
		}
	}
	if (s->buf->len + len > DROVE_CLIENT_BODY_MAX) {
		s->too_big = 1;
		return 0;
	}
	if (drove__buf_append(s->buf, p, len) < 0)
		return 0;
	return len;
}

/* Sockets are made with SOCK_CLOEXEC, so that a program that forks and execs does not leak
 * them. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)ud;
	(void)purpose;
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* Perform one request against `base`. @return 0 with *status (any HTTP answer), or a
 * transport error: DROVE_ETIMEOUT, DROVE_EUNAVAIL (*unsent 1 when no connection was made),
 * DROVE_EIO (fd sink), DROVE_ENOMEM. */
static int perform(drove_client *c, const char *base, const char *method, const char *path,
                   const char *query, const char *body, struct sink *s, int *status, int *unsent)
{
	drove__buf url = DROVE_BUF_INIT;
	struct curl_slist *hl = NULL;
	CURL *h = c->curl;
	CURLcode cc;
	long code = 0;
	int rc = 0;
	char errbuf[CURL_ERROR_SIZE];

	*unsent = 0;
	if (drove__buf_printf(&url, "%s%s%s%s", base, path, query && *query ? "?" : "",
	                      query ? query : "") < 0)
		return DROVE_ENOMEM;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->request_ms);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "libdrove/" DROVE_VERSION_STRING);
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (drove__tls_ca_file()) {
		curl_easy_setopt(h, CURLOPT_CAINFO, drove__tls_ca_file());
	}
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (c->auth && !(hl = curl_slist_append(hl, c->auth)))
		goto nomem;
	if (!(hl = curl_slist_append(hl, "Accept: application/json")))
		goto nomem;
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
			struct curl_slist *t;
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
			if (body && !(t = curl_slist_append(hl, "Content-Type: application/json")))
				goto nomem;
			if (body)
				hl = t;
			if (!(t = curl_slist_append(hl, "Expect:")))
				goto nomem;
			hl = t;
		}
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	s->curl = h;
	drove__buf_reset(s->buf);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (cc == CURLE_OK) {
		*status = (int)code;
	} else if (s->io_err) {
		rc = drove__error(DROVE_EIO, "writing the download: %s", strerror(s->io_err));
	} else if (s->too_big) {
		rc = drove__error(DROVE_ERROR, "%s%s: response larger than %u bytes", base, path,
		                  DROVE_CLIENT_BODY_MAX);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		rc = drove__error(DROVE_ETIMEOUT, "%s%s: timed out (%s)", base, path,
		                  curl_easy_strerror(cc));
	} else if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE) {
		rc = drove__error(
		        DROVE_EUNAVAIL,
		        "%s: TLS certificate verification failed: %s (trust the issuing CA "
		        "with SSL_CERT_FILE, or use --insecure / insecure = true)",
		        base, errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else {
		*unsent = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST ||
		          cc == CURLE_COULDNT_RESOLVE_PROXY;
		rc = drove__error(DROVE_EUNAVAIL, "%s: %s", base, curl_easy_strerror(cc));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hl);
	drove__buf_free(&url);
	return rc;
nomem:
	curl_slist_free_all(hl);
	drove__buf_free(&url);
	return drove__enomem();
}

static int is_not_leader(int status, const drove__buf *b)
{
	return status == 400 && b->data && strstr(b->data, NOT_LEADER_MSG);
}

static void backoff_sleep(drove_client *c, int attempt)
{
	int64_t ms = c->backoff_ms;
	struct timespec ts;
	for (int i = 0; i < attempt && ms < c->max_backoff_ms; i++)
		ms *= 2;
	if (ms > c->max_backoff_ms)
		ms = c->max_backoff_ms;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int drove_client_find_leader(drove_client *c)
{
	drove__buf why = DROVE_BUF_INIT, body = DROVE_BUF_INIT;
	int auth_failed = 0, timeouts = 0, rc;
	char auth_msg[512] = "";

	DROVE_CHECK_ARG(c);
	if (c->neps == 0)
		return drove__error(DROVE_EINVAL, "no controller endpoint configured");
	c->leader = -1;
	for (size_t i = 0; i < c->neps; i++) {
		struct sink s = {NULL, &body, -1, 0, 0, 0};
		int status = 0, unsent;
		rc = perform(c, c->eps[i], "GET", "/apis/v1/ping", NULL, NULL, &s, &status,
		             &unsent);
		if (rc == DROVE_ENOMEM)
			goto out;
		if (rc == 0 && status == 200) {
			c->leader = (int)i;
			drove__debug(c->ctx, "client", "leader is %s", c->eps[i]);
			rc = 0;
			goto out;
		}
		if (rc == DROVE_ETIMEOUT)
			timeouts++;
		if (why.len)
			drove__buf_puts(&why, "; ");
		if (rc < 0) {
			drove__buf_puts(&why, drove_error_last()->message);
		} else {
			if (status == 401 || status == 403) {
				auth_failed = 1;
				drove__client_map_error(status, body.data, body.len,
				                        "/apis/v1/ping");
				snprintf(auth_msg, sizeof(auth_msg), "%s",
				         drove_error_last()->message);
			} else {
				drove__client_map_error(status, body.data, body.len,
				                        "/apis/v1/ping");
			}
			drove__buf_printf(&why, "%s: %s", c->eps[i], drove_error_last()->message);
		}
	}
	if (auth_failed)
		rc = drove__error(DROVE_EAUTH, "%s", auth_msg);
	else if (timeouts == (int)c->neps)
		rc = drove__error(DROVE_ETIMEOUT, "no leader controller: %s",
		                  why.data ? why.data : "");
	else
		rc = drove__error(DROVE_EUNAVAIL, "no leader controller: %s",
		                  why.data ? why.data : "");
out:
	drove__buf_free(&why);
	drove__buf_free(&body);
	return rc;
}

/* The request loop shared by drove_client_request() and the downloads. */
static int request(drove_client *c, const char *method, const char *path, const char *query,
                   const char *body, struct sink *s, int *status)
{
	char msg[DROVE_ERROR_MSG_MAX];
	int last = 0, attempt = 0, rc, unsent = 0;
	int idempotent = strcmp(method, "GET") == 0;

	DROVE_CHECK_ARG(c && method && path && path[0] == '/');
	msg[0] = '\0';
	for (;;) {
		if (c->leader < 0) {
			rc = drove_client_find_leader(c);
			if (rc == DROVE_EAUTH || rc == DROVE_EINVAL || rc == DROVE_ENOMEM)
				return rc;
			if (rc < 0)
				goto retry;
		}
		rc = perform(c, c->eps[c->leader], method, path, query, body, s, status, &unsent);
		if (rc == DROVE_ENOMEM || rc == DROVE_EIO)
			return rc;
		if (rc == 0 && !is_not_leader(*status, s->buf))
			return 0;
		if (rc == 0)
			rc = drove__error(DROVE_EUNAVAIL, "%s: " NOT_LEADER_MSG, c->eps[c->leader]);
		drove__info(c->ctx, "client", "%s %s: %s; finding the leader again", method, path,
		            drove_error_last()->message);
		c->leader = -1;
		if (!idempotent && !unsent && !strstr(drove_error_last()->message, NOT_LEADER_MSG))
			return rc; /* it may have reached a controller: do not send it twice */
	retry:
		last = rc;
		snprintf(msg, sizeof(msg), "%s", drove_error_last()->message);
		if (attempt >= c->retries || (s->fd >= 0 && s->bytes > 0))
			return drove__error(last, "%s", msg);
		backoff_sleep(c, attempt);
		attempt++;
	}
}

/* drove_client_request() with the envelope parsed as `env_flags` (DROVE__ENV_KEEP_DATA). */
static int request_env(drove_client *c, const char *method, const char *path, const char *query,
                       const char *body, unsigned env_flags, drove_client_response **out)
{
	drove_client_response *r;
	int rc;

	DROVE_CHECK_ARG(c && method && path && out);
	if (!(r = calloc(1, sizeof(*r))))
		return drove__enomem();
	{
		struct sink s = {NULL, &r->body, -1, 0, 0, 0};
		rc = request(c, method, path, query, body, &s, &r->status);
	}
	if (rc < 0) {
		drove_client_response_free(r);
		return rc;
	}
	if (r->body.len &&
	    drove__client_envelope_parse_ex(r->body.data, r->body.len, env_flags, &r->env) == 0)
		r->is_env = 1;
	else if (drove_error_last()->code == DROVE_ENOMEM) {
		drove_client_response_free(r);
		return DROVE_ENOMEM;
	}
	drove_error_clear();
	*out = r;
	return 0;
}

int drove_client_request(drove_client *c, const char *method, const char *path, const char *query,
                         const char *body, drove_client_response **out)
{
	return request_env(c, method, path, query, body, 0, out);
}

int drove_client_response_status(const drove_client_response *r)
{
	return r ? r->status : 0;
}

const char *drove_client_response_body(const drove_client_response *r, size_t *len)
{
	if (len)
		*len = r ? r->body.len : 0;
	return r && r->body.data ? r->body.data : "";
}

int drove_client_response_ok(const drove_client_response *r)
{
	return r && r->is_env && r->env.success;
}

int drove_client_last_status(const drove_client *c)
{
	return c ? c->last_status : 0;
}

const char *drove_client_last_error_data(const drove_client *c)
{
	return c ? c->last_error_data : NULL;
}

const char *drove_client_response_message(const drove_client_response *r)
{
	return r && r->is_env ? (r->env.message ? r->env.message : "") : NULL;
}

const char *drove_client_response_data(const drove_client_response *r)
{
	return r && r->is_env ? r->env.data : NULL;
}

void drove_client_response_free(drove_client_response *r)
{
	if (!r)
		return;
	drove__buf_free(&r->body);
	drove__client_envelope_clear(&r->env);
	free(r);
}

int drove__client_call_jobj(drove_client *c, const char *method, const char *path,
                            const char *query, const char *body, json_object **data_out)
{
	drove_client_response *r = NULL;
	int rc;

	if (c) {
		c->last_status = 0;
		free(c->last_error_data);
		c->last_error_data = NULL;
	}
	if ((rc = request_env(c, method, path, query, body, DROVE__ENV_KEEP_DATA, &r)) < 0)
		return rc;
	c->last_status = r->status;
	rc = drove__client_map_error_env(r->status, r->body.data, r->body.len, path,
	                                 r->is_env ? &r->env : NULL);
	if (rc < 0 && rc != DROVE_ENOMEM && r->is_env && r->env.jdata)
		c->last_error_data =
		        drove__client_json_text(r->env.jdata); /* NULL on ENOMEM: a detail only */
	if (rc == 0 && data_out) { /* 0 only for an envelope: 200 + SUCCESS */
		*data_out = r->env.jdata;
		r->env.jdata = NULL;
	}
	drove_client_response_free(r);
	return rc;
}

int drove_client_call(drove_client *c, const char *method, const char *path, const char *query,
                      const char *body, char **data_out)
{
	json_object *data = NULL;
	int rc;

	if ((rc = drove__client_call_jobj(c, method, path, query, body, data_out ? &data : NULL)) <
	    0)
		return rc;
	if (data_out && !(*data_out = drove__client_json_text(data)))
		rc = drove__enomem();
	json_object_put(data);
	return rc;
}

/* Raw (non-envelope) GET for the log API: 0 with the body on 200, else the mapped error. */
int drove__client_get_raw(drove_client *c, const char *path, const char *query, char **out,
                          size_t *len_out)
{
	drove__buf b = DROVE_BUF_INIT;
	struct sink s = {NULL, &b, -1, 0, 0, 0};
	int status = 0, rc;

	if ((rc = request(c, "GET", path, query, NULL, &s, &status)) < 0)
		goto out;
	if (status != 200) {
		rc = drove__client_map_error(status, b.data, b.len, path);
		if (rc == 0)
			rc = drove__error(DROVE_ERROR, "HTTP %d from %s", status, path);
		goto out;
	}
	if (len_out)
		*len_out = b.len;
	if (!(*out = drove__buf_steal(&b)))
		rc = DROVE_ENOMEM;
out:
	drove__buf_free(&b);
	return rc;
}

int drove__client_download(drove_client *c, const char *path, const char *query, int fd,
                           int64_t *bytes_out)
{
	drove__buf b = DROVE_BUF_INIT;
	struct sink s = {NULL, &b, fd, 0, 0, 0};
	int status = 0, rc;

	if ((rc = request(c, "GET", path, query, NULL, &s, &status)) < 0)
		goto out;
	if (status != 200) {
		rc = drove__client_map_error(status, b.data, b.len, path);
		if (rc == 0)
			rc = drove__error(DROVE_ERROR, "HTTP %d from %s", status, path);
		goto out;
	}
	if (bytes_out)
		*bytes_out = s.bytes;
out:
	drove__buf_free(&b);
	return rc;
}
