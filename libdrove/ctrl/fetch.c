/* CONTROLLER_HTTP_FETCH configs (§3.1 ConfigSpec, §8.4): the leader fetches each one before a
 * START_INSTANCE and sends its content as an INLINE config. The spec is rewritten at the JSON
 * level (encode, replace, decode), so the model's structs stay untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "ctrl/mech.h"
#include "http/client.h"

#define MOD "ctrl"

struct drove__ctrl_fetch {
	drove_controller *c;
	struct json_object *spec; /* the app spec being rewritten */
	size_t idx;               /* next config to look at */
	drove__ctrl_fetched_fn done;
	void *ud;
	drove__http_req *inflight;
	char *url;
	char *hdrs[8];
};

bool drove__ctrl_spec_needs_fetch(const drove_app_spec *spec)
{
	for (size_t i = 0; i < spec->n_configs; i++)
		if (spec->configs[i].type == DROVE_CONFIG_CONTROLLER_HTTP_FETCH)
			return true;
	return false;
}

static void fetch_free(struct drove__ctrl_fetch *f)
{
	json_object_put(f->spec);
	free(f->url);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(f->hdrs); i++)
		free(f->hdrs[i]);
	free(f);
}

static void finish(struct drove__ctrl_fetch *f, const char *error)
{
	drove_app_spec *out = NULL;
	drove__ctrl_fetched_fn fn = f->done;
	void *ud = f->ud;
	char *why = NULL;

	if (!error && drove__app_spec_from_jobj(f->spec, 0, &out, NULL, NULL) < 0)
		error = drove_error_last()->message;
	if (error)
		why = drove__strdup(error);
	fetch_free(f);
	fn(out, why ? why : (error ? "out of memory" : NULL), ud);
	free(why);
	drove__app_spec_free(out);
}

static void next(struct drove__ctrl_fetch *f);

static bool code_ok(const drove_http_call *h, int status)
{
	if (!h->n_success_codes)
		return status == 200;
	for (size_t i = 0; i < h->n_success_codes; i++)
		if (h->success_codes[i] == status)
			return true;
	return false;
}

/* The config at `idx` parsed again (the fetch works on the JSON form); free it with
 * drove__config_spec_free(). NULL when it is not a fetch config. */
static drove_config_spec *config_at(struct drove__ctrl_fetch *f, size_t idx)
{
	drove_config_spec *cs = NULL;
	struct json_object *cfgs = json_object_object_get(f->spec, "configs");
	if (drove__config_spec_from_jobj(json_object_array_get_idx(cfgs, idx), 0, &cs, NULL, NULL) <
	            0 ||
	    !cs->http) {
		drove__config_spec_free(cs);
		return NULL;
	}
	return cs;
}

static void on_fetched(const drove__http_response *resp, void *ud)
{
	struct drove__ctrl_fetch *f = ud;
	struct json_object *cfgs = json_object_object_get(f->spec, "configs");
	struct json_object *cfg = json_object_array_get_idx(cfgs, f->idx);
	drove_config_spec *cs = config_at(f, f->idx);
	struct json_object *inl;
	char *b64 = NULL, msg[256];
	bool ok = cs && !resp->error && code_ok(cs->http, resp->status);

	drove__config_spec_free(cs);
	f->inflight = NULL;
	if (!ok) {
		snprintf(msg, sizeof(msg), "configs[%zu]: fetching %s: %s", f->idx, f->url,
		         resp->error ? resp->errtext : "unexpected status");
		if (!resp->error)
			snprintf(msg, sizeof(msg), "configs[%zu]: fetching %s: status %d", f->idx,
			         f->url, resp->status);
		finish(f, msg);
		return;
	}
	if (drove__base64_encode(resp->body, resp->body_len, &b64) < 0 ||
	    !(inl = json_object_new_object())) {
		free(b64);
		finish(f, "out of memory");
		return;
	}
	json_object_object_add(inl, "type", json_object_new_string("INLINE"));
	json_object_object_add(inl, "localFilename",
	                       json_object_get(json_object_object_get(cfg, "localFilename")));
	json_object_object_add(inl, "data", json_object_new_string(b64));
	free(b64);
	json_object_array_put_idx(cfgs, f->idx, inl);
	f->idx++;
	next(f);
}

static void next(struct drove__ctrl_fetch *f)
{
	struct json_object *cfgs = json_object_object_get(f->spec, "configs");
	size_t n = cfgs ? json_object_array_length(cfgs) : 0;

	for (; f->idx < n; f->idx++) {
		struct json_object *t =
		        json_object_object_get(json_object_array_get_idx(cfgs, f->idx), "type");
		const drove_http_call *h;
		drove_config_spec *cs;
		drove__http_request req = {0};
		const char *headers[DROVE_ARRAY_LEN(f->hdrs) + 1] = {0};
		size_t nh = 0;
		int port;

		if (!t || strcasecmp(json_object_get_string(t), "CONTROLLER_HTTP_FETCH"))
			continue;
		if (!(cs = config_at(f, f->idx))) {
			finish(f, "bad CONTROLLER_HTTP_FETCH config");
			return;
		}
		h = cs->http;
		port = h->has_port && h->port
		               ? h->port
		               : (h->has_protocol && h->protocol == DROVE_PROTO_HTTPS ? 443 : 80);
		free(f->url);
		for (size_t i = 0; i < DROVE_ARRAY_LEN(f->hdrs); i++) {
			free(f->hdrs[i]);
			f->hdrs[i] = NULL;
		}
		f->url = drove__asprintf(
		        "%s://%s:%d%s",
		        h->has_protocol && h->protocol == DROVE_PROTO_HTTPS ? "https" : "http",
		        h->hostname ? h->hostname : "localhost", port, h->path ? h->path : "/");
		if (h->auth_header && nh < DROVE_ARRAY_LEN(f->hdrs))
			f->hdrs[nh++] = drove__asprintf("Authorization: %s", h->auth_header);
		else if (h->username && h->password) {
			char *up = drove__asprintf("%s:%s", h->username, h->password), *b = NULL;
			if (up && drove__base64_encode(up, strlen(up), &b) == 0)
				f->hdrs[nh++] = drove__asprintf("Authorization: Basic %s", b);
			free(up);
			free(b);
		}
		for (size_t i = 0;
		     i < drove_strmap_count(h->headers) && nh < DROVE_ARRAY_LEN(f->hdrs); i++)
			f->hdrs[nh++] = drove__asprintf("%s: %s", drove_strmap_key(h->headers, i),
			                                drove_strmap_value(h->headers, i));
		for (size_t i = 0; i < nh; i++)
			headers[i] = f->hdrs[i] ? f->hdrs[i] : "X-Drove: 1";
		req.method = !h->has_verb || h->verb == DROVE_VERB_GET
		                     ? "GET"
		                     : (h->verb == DROVE_VERB_POST ? "POST" : "PUT");
		req.url = f->url;
		req.headers = headers;
		if (h->payload && req.method[0] == 'P') {
			req.body = h->payload;
			req.body_len = strlen(h->payload);
		}
		req.connect_timeout_ms = h->has_connection_timeout
		                                 ? drove_duration_ms(&h->connection_timeout)
		                                 : 1000;
		req.timeout_ms =
		        h->has_operation_timeout ? drove_duration_ms(&h->operation_timeout) : 1000;
		req.max_body = DROVE_MODEL_MAX_SIZE / 2;
		req.insecure = h->insecure;
		req.on_done = on_fetched;
		req.userdata = f;
		if (!f->url || drove__http_send(f->c->client, &req, &f->inflight) < 0) {
			drove__config_spec_free(cs);
			finish(f, f->url ? drove_error_last()->message : "out of memory");
			return;
		}
		drove__config_spec_free(cs); /* the request copied what it needs */
		return;                      /* one at a time */
	}
	finish(f, NULL);
}

int drove__ctrl_fetch_configs(drove_controller *c, const drove_app_spec *spec,
                              drove__ctrl_fetched_fn done, void *userdata,
                              struct drove__ctrl_fetch **out)
{
	struct drove__ctrl_fetch *f = calloc(1, sizeof(*f));
	if (!f)
		return drove__enomem();
	if (!c->client || !(f->spec = drove__app_spec_to_jobj(spec))) {
		free(f);
		return drove__error(DROVE_EUNAVAIL, "config fetch: no client");
	}
	f->c = c;
	f->done = done;
	f->ud = userdata;
	*out = f;
	next(f); /* may finish at once */
	return 0;
}

void drove__ctrl_fetch_cancel(struct drove__ctrl_fetch *f)
{
	if (!f)
		return;
	drove__http_cancel(f->inflight);
	fetch_free(f);
}
