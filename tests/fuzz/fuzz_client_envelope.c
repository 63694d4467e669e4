/* Fuzz the client's response handling: envelope parsing and the HTTP status -> error mapping
 * for the statuses a controller answers with; the envelope kept parsed (DROVE__ENV_KEEP_DATA)
 * must map to the same errors, and a task record decoded from its `data` as parsed (Epoch's
 * poll, one parse) must read as the one decoded from `data`'s text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/client.h>
#include "client/client_internal.h"
#include "core/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The task record from `data`'s text (taken) and from `jdata`: the same answer. */
static void same_task(char *text, json_object *jdata)
{
	drove_task *a = NULL, *b = NULL;
	unsigned na = 0, nb = 0;
	int ra = drove__task_decode(text, &a, &na), rb = drove__task_decode_jobj(jdata, &b, &nb);

	if (ra == 0 && (rb != 0 || na != nb || strcmp(drove_task_json(a), drove_task_json(b)) ||
	                drove_task_state(a) != drove_task_state(b) ||
	                drove_task_result_status(a) != drove_task_result_status(b)))
		abort();
	/* the text is parsed again with the model's depth cap: only that may fail alone */
	if (ra < 0 && rb == 0 && !strstr(drove_error_last()->message, "nested deeper"))
		abort();
	drove_task_free(a);
	drove_task_free(b);
}

/* The envelope kept parsed: the same fields, the same error mapping as `text_env`'s. */
static void kept_data(const char *s, size_t size, const drove__client_envelope *text_env)
{
	static const int statuses[] = {200, 400, 500};
	drove__client_envelope env;
	char msg[DROVE_ERROR_MSG_MAX];

	if (drove__client_envelope_parse_ex(s, size, DROVE__ENV_KEEP_DATA, &env) < 0)
		abort(); /* parsed as text: parses kept */
	if (env.data || env.success != text_env->success || !!env.jdata != !!text_env->data ||
	    strcmp(env.status, text_env->status))
		abort();
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		int a = drove__client_map_error(statuses[i], s, size, "/apis/v1/fuzz");
		snprintf(msg, sizeof(msg), "%s", drove_error_last()->message);
		if (drove__client_map_error_env(statuses[i], s, size, "/apis/v1/fuzz", &env) != a ||
		    (a < 0 && strcmp(msg, drove_error_last()->message)))
			abort();
	}
	if (text_env->data) {
		char *text = strdup(text_env->data);
		if (text)
			same_task(text, env.jdata);
	}
	drove__client_envelope_clear(&env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = {200, 204, 400, 401, 403, 404, 500, 503};
	drove__client_envelope env;
	char *s;

	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (drove__client_envelope_parse(s, size, &env) == 0) {
		/* a parsed envelope always has a status; data is valid JSON text */
		if (!env.status)
			abort();
		kept_data(s, size, &env);
		drove__client_envelope_clear(&env);
	}
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		int rc = drove__client_map_error(statuses[i], s, size, "/apis/v1/fuzz");
		if (rc > 0 || (rc == 0 && statuses[i] != 200))
			abort();
		if (rc < 0 && drove_error_last()->code != rc)
			abort();
	}
	free(s);
	return 0;
}
