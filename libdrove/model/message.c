/* The controller <-> executor message codec (docs/protocol.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/clock.h>
#include <drove/ids.h>
#include "core/internal.h"
#include "model/message.h"

static const char *const type_names[DROVE_MSG__COUNT] = {
        "START_INSTANCE",
        "STOP_INSTANCE",
        "START_TASK",
        "STOP_TASK",
        "START_LOCAL_SERVICE_INSTANCE",
        "STOP_LOCAL_SERVICE_INSTANCE",
        "BLACKLIST_REQUESTED",
        "BLACKLIST",
        "UNBLACKLIST",
        "EXPECTED_INSTANCES",
        "INSTANCE_STATE_REPORT",
        "TASK_STATE_REPORT",
        "LOCAL_SERVICE_INSTANCE_STATE_REPORT",
        "EXECUTOR_SNAPSHOT",
};

static const char *const status_names[] = {"ACCEPTED", "FAILED", "REJECTED", "HANDLED"};

const char *drove__message_type_name(enum drove_message_type t)
{
	return (unsigned)t < DROVE_MSG__COUNT ? type_names[t] : NULL;
}

int drove__message_type_parse(const char *s, enum drove_message_type *out)
{
	for (int i = 0; s && i < DROVE_MSG__COUNT; i++) {
		if (drove__streq_nocase(s, type_names[i])) {
			*out = (enum drove_message_type)i;
			return 0;
		}
	}
	return drove__error(DROVE_EINVAL, "type: unknown message type '%s'", s ? s : "(null)");
}

const char *drove__message_status_name(enum drove_message_status s)
{
	return (unsigned)s < DROVE_ARRAY_LEN(status_names) ? status_names[s] : NULL;
}

void drove__message_header_init(drove_message_header *h, drove_ctx *ctx,
                                enum drove_sender_type sender, int64_t term)
{
	memset(h, 0, sizeof(*h));
	drove_uuid_random(ctx, h->id, sizeof(h->id));
	h->sender_type = sender;
	h->message_time = drove_time_wall_ms();
	h->term = term;
}

/* ---- header ---- */

static struct json_object *header_to_jobj(const drove_message_header *h)
{
	struct json_object *j = json_object_new_object();
	if (!j)
		return NULL;
	json_object_object_add(j, "id", json_object_new_string(h->id));
	json_object_object_add(j, "senderType",
	                       json_object_new_string(h->sender_type == DROVE_SENDER_EXECUTOR
	                                                      ? "EXECUTOR"
	                                                      : "CONTROLLER"));
	json_object_object_add(j, "direction", json_object_new_string("REQUEST"));
	json_object_object_add(j, "messageTime", json_object_new_int64(h->message_time));
	json_object_object_add(j, "term", json_object_new_int64(h->term));
	return j;
}

static int header_from_jobj(struct json_object *j, drove_message_header *h)
{
	struct json_object *v;

	memset(h, 0, sizeof(*h));
	if (!j || !json_object_is_type(j, json_type_object))
		return drove__error(DROVE_EINVAL, "header: expected an object");
	if (json_object_object_get_ex(j, "id", &v) && json_object_is_type(v, json_type_string))
		snprintf(h->id, sizeof(h->id), "%s", json_object_get_string(v));
	if (json_object_object_get_ex(j, "senderType", &v))
		h->sender_type = drove__streq_nocase(json_object_get_string(v), "EXECUTOR")
		                         ? DROVE_SENDER_EXECUTOR
		                         : DROVE_SENDER_CONTROLLER;
	if (json_object_object_get_ex(j, "messageTime", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return drove__error(DROVE_EINVAL,
			                    "header.messageTime: expected an integer");
		h->message_time = json_object_get_int64(v);
	}
	if (json_object_object_get_ex(j, "term", &v)) {
		if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
			return drove__error(DROVE_EINVAL,
			                    "header.term: expected a non-negative integer");
		h->term = json_object_get_int64(v);
	}
	return 0;
}

/* ---- messages ---- */

void drove__message_free(drove_message *m)
{
	if (!m)
		return;
	if (m->address) {
		free(m->address->executor_id);
		free(m->address->hostname);
		free(m->address);
	}
	drove__app_instance_spec_free(m->app_spec);
	drove__task_instance_spec_free(m->task_spec);
	drove__ls_instance_spec_free(m->ls_spec);
	free(m->instance_id);
	drove__known_instances_free(m->known);
	drove__resource_snapshot_free(m->snapshot);
	drove__instance_info_free(m->instance);
	drove__task_info_free(m->task);
	drove__ls_instance_info_free(m->ls_instance);
	drove__node_data_free(m->node_data);
	free(m);
}

/* Decode a required object field with the model decoder of its type. */
#define DECODE_FIELD(T, key, dst)                                                   \
	do {                                                                        \
		struct json_object *f_;                                             \
		if (!json_object_object_get_ex(root, key, &f_) || !f_) {            \
			rc = drove__error(DROVE_EINVAL, "%s: required for %s", key, \
			                  type_names[m->type]);                     \
			goto fail;                                                  \
		}                                                                   \
		if ((rc = drove__##T##_from_jobj(f_, 0, &(dst), NULL, NULL)) < 0) { \
			char *why_ = drove__strdup(drove_error_last()->message);    \
			drove__error(rc, "%s.%s", key, why_ ? why_ : "invalid");    \
			free(why_);                                                 \
			goto fail;                                                  \
		}                                                                   \
	} while (0)

struct json_tokener *drove__message_tokener_new(void)
{
	return json_tokener_new_ex(DROVE_MODEL_MAX_DEPTH);
}

void drove__message_tokener_free(struct json_tokener *tok)
{
	if (tok)
		json_tokener_free(tok);
}

int drove__message_decode(const char *json, size_t len, drove_message **out)
{
	return drove__message_decode_with(NULL, json, len, out);
}

int drove__message_decode_with(struct json_tokener *kept, const char *json, size_t len,
                               drove_message **out)
{
	struct json_tokener *tok = kept;
	struct json_object *root = NULL, *v;
	drove_message *m = NULL;
	int rc = 0;

	DROVE_CHECK_ARG(json && out);
	if (len > DROVE_MODEL_MAX_SIZE)
		return drove__error(DROVE_EINVAL, "message: %zu bytes is over the %d byte limit",
		                    len, DROVE_MODEL_MAX_SIZE);
	if (tok)
		json_tokener_reset(tok); /* whatever the last message left */
	else if (!(tok = drove__message_tokener_new()))
		return drove__enomem();
	root = json_tokener_parse_ex(tok, json, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		rc = drove__error(DROVE_EINVAL, "message: malformed JSON (%s)",
		                  json_tokener_error_desc(json_tokener_get_error(tok)));
		goto fail;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rc = drove__error(DROVE_EINVAL, "message: expected an object");
		goto fail;
	}
	if (!(m = calloc(1, sizeof(*m)))) {
		rc = drove__enomem();
		goto fail;
	}
	if (!json_object_object_get_ex(root, "type", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		rc = drove__error(DROVE_EINVAL, "type: required");
		goto fail;
	}
	if ((rc = drove__message_type_parse(json_object_get_string(v), &m->type)) < 0)
		goto fail;
	if (!json_object_object_get_ex(root, "header", &v)) {
		rc = drove__error(DROVE_EINVAL, "header: required");
		goto fail;
	}
	if ((rc = header_from_jobj(v, &m->header)) < 0)
		goto fail;
	if (json_object_object_get_ex(root, "address", &v) &&
	    json_object_is_type(v, json_type_object)) {
		struct json_object *f;
		if (!(m->address = calloc(1, sizeof(*m->address)))) {
			rc = drove__enomem();
			goto fail;
		}
		if (json_object_object_get_ex(v, "executorId", &f))
			m->address->executor_id = drove__strdup(json_object_get_string(f));
		if (json_object_object_get_ex(v, "hostname", &f))
			m->address->hostname = drove__strdup(json_object_get_string(f));
		if (json_object_object_get_ex(v, "port", &f))
			m->address->port = json_object_get_int(f);
		if (json_object_object_get_ex(v, "transportType", &f))
			m->address->transport_type =
			        drove__streq_nocase(json_object_get_string(f), "HTTPS")
			                ? DROVE_TRANSPORT_HTTPS
			                : DROVE_TRANSPORT_HTTP;
	}
	switch (m->type) {
	case DROVE_MSG_START_INSTANCE:
		DECODE_FIELD(app_instance_spec, "spec", m->app_spec);
		break;
	case DROVE_MSG_START_TASK:
		DECODE_FIELD(task_instance_spec, "spec", m->task_spec);
		break;
	case DROVE_MSG_START_LOCAL_SERVICE_INSTANCE:
		DECODE_FIELD(ls_instance_spec, "spec", m->ls_spec);
		break;
	case DROVE_MSG_STOP_INSTANCE:
	case DROVE_MSG_STOP_TASK:
	case DROVE_MSG_STOP_LOCAL_SERVICE_INSTANCE:
		if (!json_object_object_get_ex(root, "instanceId", &v) ||
		    !json_object_is_type(v, json_type_string) || !*json_object_get_string(v)) {
			rc = drove__error(DROVE_EINVAL, "instanceId: required for %s",
			                  type_names[m->type]);
			goto fail;
		}
		if (!(m->instance_id = drove__strdup(json_object_get_string(v)))) {
			rc = DROVE_ENOMEM;
			goto fail;
		}
		break;
	case DROVE_MSG_EXPECTED_INSTANCES:
		DECODE_FIELD(known_instances, "knownInstances", m->known);
		break;
	case DROVE_MSG_INSTANCE_STATE_REPORT:
		DECODE_FIELD(resource_snapshot, "resourceSnapshot", m->snapshot);
		DECODE_FIELD(instance_info, "instanceInfo", m->instance);
		break;
	case DROVE_MSG_TASK_STATE_REPORT:
		DECODE_FIELD(resource_snapshot, "resourceSnapshot", m->snapshot);
		DECODE_FIELD(task_info, "instanceInfo", m->task);
		break;
	case DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT:
		DECODE_FIELD(resource_snapshot, "resourceSnapshot", m->snapshot);
		DECODE_FIELD(ls_instance_info, "instanceInfo", m->ls_instance);
		break;
	case DROVE_MSG_EXECUTOR_SNAPSHOT:
		DECODE_FIELD(node_data, "nodeData", m->node_data);
		break;
	default:
		break;
	}
	json_object_put(root);
	if (tok != kept)
		json_tokener_free(tok);
	*out = m;
	return 0;
fail:
	json_object_put(root);
	if (tok != kept)
		json_tokener_free(tok);
	drove__message_free(m);
	return rc;
}

static int add_obj(struct json_object *root, const char *key, struct json_object *v)
{
	if (!v)
		return drove__enomem();
	json_object_object_add(root, key, v);
	return 0;
}

int drove__message_encode(const drove_message *m, char **out)
{
	struct json_object *root;
	const char *text;
	int rc = 0;

	DROVE_CHECK_ARG(m && out && (unsigned)m->type < DROVE_MSG__COUNT);
	if (!(root = json_object_new_object()))
		return drove__enomem();
	json_object_object_add(root, "type", json_object_new_string(type_names[m->type]));
	if ((rc = add_obj(root, "header", header_to_jobj(&m->header))) < 0)
		goto done;
	if (m->address) {
		struct json_object *a = json_object_new_object();
		if ((rc = add_obj(root, "address", a)) < 0)
			goto done;
		if (m->address->executor_id)
			json_object_object_add(a, "executorId",
			                       json_object_new_string(m->address->executor_id));
		if (m->address->hostname)
			json_object_object_add(a, "hostname",
			                       json_object_new_string(m->address->hostname));
		json_object_object_add(a, "port", json_object_new_int(m->address->port));
		json_object_object_add(
		        a, "transportType",
		        json_object_new_string(m->address->transport_type == DROVE_TRANSPORT_HTTPS
		                                       ? "HTTPS"
		                                       : "HTTP"));
	}
#define ADD(T, key, v)                                                     \
	if ((v) && (rc = add_obj(root, key, drove__##T##_to_jobj(v))) < 0) \
		goto done;
	ADD(app_instance_spec, "spec", m->app_spec);
	ADD(task_instance_spec, "spec", m->task_spec);
	ADD(ls_instance_spec, "spec", m->ls_spec);
	ADD(known_instances, "knownInstances", m->known);
	ADD(resource_snapshot, "resourceSnapshot", m->snapshot);
	ADD(instance_info, "instanceInfo", m->instance);
	ADD(task_info, "instanceInfo", m->task);
	ADD(ls_instance_info, "instanceInfo", m->ls_instance);
	ADD(node_data, "nodeData", m->node_data);
#undef ADD
	if (m->instance_id)
		json_object_object_add(root, "instanceId", json_object_new_string(m->instance_id));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
	                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || !(*out = drove__strdup(text)))
		rc = DROVE_ENOMEM;
done:
	json_object_put(root);
	return rc;
}

/* ---- responses ---- */

void drove__message_response_free(drove_message_response *r)
{
	if (!r)
		return;
	free(r->message);
	free(r);
}

int drove__message_response_decode(const char *json, size_t len, drove_message_response **out)
{
	struct json_object *root, *v;
	drove_message_response *r;
	int rc = 0;

	DROVE_CHECK_ARG(json && out);
	if (len > 65536)
		return drove__error(DROVE_EINVAL, "response: %zu bytes is too large", len);
	if (!(root = json_tokener_parse(json)) || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return drove__error(DROVE_EINVAL, "response: malformed JSON");
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		json_object_put(root);
		return drove__enomem();
	}
	if (json_object_object_get_ex(root, "header", &v) &&
	    (rc = header_from_jobj(v, &r->header)) < 0)
		goto fail;
	r->status = DROVE_MSG_FAILED;
	if (!json_object_object_get_ex(root, "status", &v)) {
		rc = drove__error(DROVE_EINVAL, "status: required");
		goto fail;
	}
	for (size_t i = 0; i < DROVE_ARRAY_LEN(status_names); i++) {
		if (drove__streq_nocase(json_object_get_string(v), status_names[i]))
			r->status = (enum drove_message_status)i;
	}
	if (json_object_object_get_ex(root, "message", &v) &&
	    json_object_is_type(v, json_type_string))
		r->message = drove__strdup(json_object_get_string(v));
	json_object_put(root);
	*out = r;
	return 0;
fail:
	json_object_put(root);
	drove__message_response_free(r);
	return rc;
}

int drove__message_response_encode(const drove_message_response *r, char **out)
{
	struct json_object *root;
	int rc = 0;

	DROVE_CHECK_ARG(r && out);
	if (!(root = json_object_new_object()))
		return drove__enomem();
	if ((rc = add_obj(root, "header", header_to_jobj(&r->header))) < 0)
		goto done;
	json_object_object_add(root, "status",
	                       json_object_new_string(drove__message_status_name(r->status)));
	if (r->message)
		json_object_object_add(root, "message", json_object_new_string(r->message));
	if (!(*out = drove__strdup(json_object_to_json_string_ext(
	              root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))))
		rc = DROVE_ENOMEM;
done:
	json_object_put(root);
	return rc;
}
