/* Envelope parsing ({status, message, data}), error mapping and escaping for the client. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "client/client_internal.h"

void drove__client_envelope_clear(drove__client_envelope *env)
{
	if (!env)
		return;
	free(env->status);
	free(env->message);
	free(env->data);
	free(env->validation);
	free(env->failure);
	json_object_put(env->jdata);
	memset(env, 0, sizeof(*env));
}

static int parse_json(const char *body, size_t len, json_object **out)
{
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerr;

	if (len > DROVE_CLIENT_BODY_MAX)
		return drove__error(DROVE_EINVAL, "response too large: %zu bytes", len);
	if (len == 0)
		return drove__error(DROVE_EINVAL, "empty response body");
	tok = json_tokener_new_ex(DROVE_CLIENT_JSON_DEPTH);
	if (!tok)
		return drove__enomem();
	o = json_tokener_parse_ex(tok, body, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(o);
		o = NULL;
	}
	if (o && json_tokener_get_parse_end(tok) < len) {
		/* trailing bytes other than whitespace are an error */
		for (size_t i = json_tokener_get_parse_end(tok); i < len; i++) {
			if (!isspace((unsigned char)body[i])) {
				json_object_put(o);
				json_tokener_free(tok);
				return drove__error(DROVE_EINVAL,
				                    "response: trailing data at byte %zu", i);
			}
		}
	}
	if (!o) {
		int rc =
		        drove__error(DROVE_EINVAL, "response is not JSON: %s",
		                     jerr == json_tokener_continue ? "truncated"
		                                                   : json_tokener_error_desc(jerr));
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	*out = o;
	return 0;
}

static const char *to_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

char *drove__client_json_text(json_object *j)
{
	return drove__strdup(to_text(j));
}

int drove__client_envelope_parse(const char *body, size_t len, drove__client_envelope *env)
{
	return drove__client_envelope_parse_ex(body, len, 0, env);
}

int drove__client_envelope_parse_ex(const char *body, size_t len, unsigned flags,
                                    drove__client_envelope *env)
{
	json_object *root = NULL, *st, *msg, *data;
	int rc;

	memset(env, 0, sizeof(*env));
	if ((rc = parse_json(body, len, &root)) < 0)
		return rc;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "status", &st) ||
	    !json_object_is_type(st, json_type_string)) {
		json_object_put(root);
		return drove__error(DROVE_EINVAL, "response: not an envelope (no status)");
	}
	if (!(env->status = drove__strdup(json_object_get_string(st))))
		goto nomem;
	env->success = strcmp(env->status, "SUCCESS") == 0;
	if (json_object_object_get_ex(root, "message", &msg) && msg) {
		const char *m = json_object_is_type(msg, json_type_string)
		                        ? json_object_get_string(msg)
		                        : to_text(msg);
		if (!(env->message = drove__strdup(m)))
			goto nomem;
	}
	if (json_object_object_get_ex(root, "data", &data) && data) {
		json_object *ve, *fail;
		if (flags & DROVE__ENV_KEEP_DATA)
			env->jdata = json_object_get(data); /* outlives root */
		else if (!(env->data = drove__client_json_text(data)))
			goto nomem;
		if (json_object_is_type(data, json_type_object) &&
		    json_object_object_get_ex(data, "validationErrors", &ve) &&
		    json_object_is_type(ve, json_type_array)) {
			drove__buf b = DROVE_BUF_INIT;
			size_t n = json_object_array_length(ve);
			for (size_t i = 0; i < n; i++) {
				json_object *e = json_object_array_get_idx(ve, i);
				const char *s = json_object_is_type(e, json_type_string)
				                        ? json_object_get_string(e)
				                        : to_text(e);
				if ((i && drove__buf_puts(&b, "; ") < 0) ||
				    drove__buf_puts(&b, s) < 0) {
					drove__buf_free(&b);
					goto nomem;
				}
			}
			if (!(env->validation = drove__buf_steal(&b)))
				goto nomem;
		}
		if (json_object_is_type(data, json_type_object) &&
		    json_object_object_get_ex(data, "failure", &fail) && fail &&
		    !(env->failure = drove__strdup(json_object_is_type(fail, json_type_string)
		                                           ? json_object_get_string(fail)
		                                           : to_text(fail))))
			goto nomem;
	}
	json_object_put(root);
	return 0;
nomem:
	json_object_put(root);
	drove__client_envelope_clear(env);
	return drove__enomem();
}

/* The "error" member of an executor's {"error": "..."} body, copied; NULL otherwise. */
static char *error_member(const char *body, size_t len)
{
	json_object *root = NULL, *e;
	char *s = NULL;
	if (parse_json(body, len, &root) < 0) {
		drove_error_clear();
		return NULL;
	}
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "error", &e) &&
	    json_object_is_type(e, json_type_string))
		s = drove__strdup(json_object_get_string(e));
	json_object_put(root);
	return s;
}

static int is_not_found(const char *m)
{
	return m && (strstr(m, "not found") || strncmp(m, "No such", 7) == 0 ||
	             strncmp(m, "No executor found", 17) == 0);
}

/* A short, printable excerpt of a non-JSON body. */
static void excerpt(char *dst, size_t cap, const char *body, size_t len)
{
	size_t j = 0;
	for (size_t i = 0; i < len && j + 1 < cap; i++) {
		unsigned char ch = (unsigned char)body[i];
		dst[j++] = (ch == '\n' || ch == '\r' || ch == '\t')
		                   ? ' '
		                   : (isprint(ch) ? (char)ch : '?');
	}
	while (j > 0 && dst[j - 1] == ' ')
		j--;
	dst[j] = '\0';
}

int drove__client_map_error(int status, const char *body, size_t len, const char *path)
{
	drove__client_envelope env;
	int rc;

	if (status == 401 || status == 403 || status == 404 || status == 204 || !body || !len)
		return drove__client_map_error_env(status, body, len, path, NULL);
	if (drove__client_envelope_parse_ex(body, len, DROVE__ENV_KEEP_DATA, &env) < 0) {
		if (drove_error_last()->code == DROVE_ENOMEM)
			return DROVE_ENOMEM;
		return drove__client_map_error_env(status, body, len, path, NULL);
	}
	rc = drove__client_map_error_env(status, body, len, path, &env);
	drove__client_envelope_clear(&env);
	return rc;
}

int drove__client_map_error_env(int status, const char *body, size_t len, const char *path,
                                const drove__client_envelope *env)
{
	char text[512];
	int rc;

	if (status == 401) {
		excerpt(text, sizeof(text), body ? body : "", body ? len : 0);
		return drove__error(DROVE_EAUTH, "401 unauthorized: %s",
		                    text[0] ? text
		                            : "Credentials are required to access this resource.");
	}
	if (status == 403)
		return drove__error(DROVE_EAUTH, "403 forbidden: the user may not call %s", path);
	if (status == 404)
		return drove__error(DROVE_ENOTFOUND, "404 not found: %s", path);
	if (status == 204)
		return drove__error(DROVE_ENOTFOUND, "nothing found at %s (204 no content)", path);
	if (env) {
		const char *m = env->message ? env->message : "";
		if (status == 200 && env->success)
			return 0;
		if (status == 200)
			return drove__error(is_not_found(m) ? DROVE_ENOTFOUND : DROVE_ERROR, "%s",
			                    m[0] ? m : "the controller answered FAILED");
		if (status == 400 && env->validation)
			return drove__error(DROVE_EINVAL, "%s: %s", m, env->validation);
		if (status == 400)
			return drove__error(DROVE_EINVAL, "%s", m[0] ? m : "400 bad request");
		if (env->failure)
			return drove__error(DROVE_ERROR, "%s (HTTP %d): %s", m, status,
			                    env->failure);
		return drove__error(DROVE_ERROR, "%s (HTTP %d)", m, status);
	}
	{
		char *e = body && len ? error_member(body, len) : NULL;
		if (e) {
			rc = drove__error(status == 400 ? DROVE_EINVAL : DROVE_ERROR,
			                  "%s (HTTP %d)", e, status);
			free(e);
			return rc;
		}
	}
	excerpt(text, sizeof(text), body ? body : "", body ? len : 0); /* only for errors */
	if (status == 200)
		return drove__error(DROVE_ERROR, "invalid response from the controller: %s",
		                    text[0] ? text : "empty body");
	return drove__error(status == 400 ? DROVE_EINVAL : DROVE_ERROR, "HTTP %d from %s%s%s",
	                    status, path, text[0] ? ": " : "", text);
}

int drove__client_escape(drove__buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			if (drove__buf_putc(b, (char)ch) < 0)
				return DROVE_ENOMEM;
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};
			if (drove__buf_append(b, e, 3) < 0)
				return DROVE_ENOMEM;
		}
	}
	return 0;
}

int drove__client_bool(const char *s)
{
	return s && (drove__streq_nocase(s, "true") || drove__streq_nocase(s, "yes") ||
	             drove__streq_nocase(s, "on") || strcmp(s, "1") == 0);
}
