/* Drove's response envelope (reference §1.2, §1.3): {"status","data","message"} with the
 * data omitted (never null) when there is none. */
#include <stdlib.h>
#include <json-c/json.h>

#include "core/internal.h"
#include "http/server.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

char *drove__http_envelope(int success, const char *message, struct json_object *data)
{
	json_object *o = json_object_new_object();
	char *s = NULL;

	if (!o) {
		json_object_put(data);
		drove__enomem();
		return NULL;
	}
	json_object_object_add(o, "status", json_object_new_string(success ? "SUCCESS" : "FAILED"));
	if (data)
		json_object_object_add(o, "data", data);
	json_object_object_add(o, "message",
	                       json_object_new_string(success   ? "success"
	                                              : message ? message
	                                                        : ""));
	s = drove__strdup(json_object_to_json_string_ext(o, JSON_FLAGS));
	json_object_put(o);
	return s;
}

char *drove__http_envelope_validation(const char *message, const drove_strlist *errors)
{
	json_object *data = json_object_new_object(), *arr = json_object_new_array();

	if (!data || !arr) {
		json_object_put(data);
		json_object_put(arr);
		drove__enomem();
		return NULL;
	}
	for (size_t i = 0; errors && i < drove_strlist_count(errors); i++)
		json_object_array_add(arr, json_object_new_string(drove_strlist_get(errors, i)));
	json_object_object_add(data, "validationErrors", arr);
	return drove__http_envelope(0, message, data);
}
