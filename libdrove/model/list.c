/* Lists of records as the REST API answers them (an array, or an object keyed by id), decoded
 * element by element with the model's own decoder; the typed client (libdrove/client) uses it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/internal.h"
#include "model/codec.h"

struct list {
	const struct mtype *t;
	void **items;
	char **texts;
	size_t n, cap;
};

/* Decode one element; `where` names it in an error ("[2]" or "TEST_APP-1"). */
static int add_one(struct list *l, struct json_object *j, const char *where)
{
	void *v = NULL;
	const char *text;
	char *copy;
	int rc;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		void **items = realloc(l->items, cap * sizeof(*items));
		char **texts;
		if (!items)
			return drove__enomem();
		l->items = items;
		if (!(texts = realloc(l->texts, cap * sizeof(*texts))))
			return drove__enomem();
		l->texts = texts;
		l->cap = cap;
	}
	if ((rc = drove__mcodec_decode_jobj(l->t, j, 0, &v, NULL, NULL)) < 0) {
		if (rc == DROVE_EINVAL)
			return drove__error(DROVE_EINVAL, "%s%s%s", where,
			                    where[0] == '[' ? "." : ": ",
			                    drove_error_last()->message);
		return rc;
	}
	text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
	                                                     JSON_C_TO_STRING_NOSLASHESCAPE)
	         : "null";
	if (!text || !(copy = strdup(text))) {
		drove__mcodec_free(l->t, v);
		return drove__enomem();
	}
	l->items[l->n] = v;
	l->texts[l->n] = copy;
	l->n++;
	return 0;
}

int drove__mcodec_decode_list_jobj(const struct mtype *t, struct json_object *j, void ***items,
                                   char ***texts, size_t *n)
{
	struct list l = {t, NULL, NULL, 0, 0};
	int rc = 0;

	DROVE_CHECK_ARG(t && items && n);
	if (json_object_is_type(j, json_type_array)) {
		size_t count = json_object_array_length(j);
		for (size_t i = 0; i < count && rc == 0; i++) {
			char where[32];
			snprintf(where, sizeof(where), "[%zu]", i);
			rc = add_one(&l, json_object_array_get_idx(j, i), where);
		}
	} else if (json_object_is_type(j, json_type_object)) {
		json_object_object_foreach(j, key, val)
		{
			if ((rc = add_one(&l, val, key)) < 0)
				break;
		}
	} else {
		rc = drove__error(DROVE_EINVAL, "expected a list (an array or an object), got %s",
		                  j ? json_type_to_name(json_object_get_type(j)) : "null");
	}
	if (rc < 0) {
		drove__mcodec_list_free(t, l.items, l.texts, l.n);
		return rc;
	}
	*items = l.items;
	if (texts)
		*texts = l.texts;
	else
		drove__mcodec_list_free(NULL, NULL, l.texts, l.n);
	*n = l.n;
	return 0;
}

int drove__mcodec_decode_list(const struct mtype *t, const char *json, size_t len, void ***items,
                              char ***texts, size_t *n)
{
	struct json_object *j = NULL;
	int rc;

	DROVE_CHECK_ARG(t && json && items && n);
	if ((rc = drove__mcodec_parse_max(json, len, DROVE_MODEL_MAX_LIST_SIZE, &j)) < 0)
		return rc;
	rc = drove__mcodec_decode_list_jobj(t, j, items, texts, n);
	json_object_put(j);
	return rc;
}

void drove__mcodec_list_free(const struct mtype *t, void **items, char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (items)
			drove__mcodec_free(t, items[i]);
		if (texts)
			free(texts[i]);
	}
	free(items);
	free(texts);
}
