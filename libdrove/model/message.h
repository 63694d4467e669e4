/*
 * Messages of the controller <-> executor protocol (docs/protocol.md): Drove's shapes of
 * §8.4 plus the leader's term in the header and a reason in every response. Internal.
 */
#ifndef DROVE_MODEL_MESSAGE_H
#define DROVE_MODEL_MESSAGE_H

#include <drove/ctx.h>
#include "model/model.h"

enum drove_message_type {
	/* controller -> executor */
	DROVE_MSG_START_INSTANCE = 0,
	DROVE_MSG_STOP_INSTANCE,
	DROVE_MSG_START_TASK,
	DROVE_MSG_STOP_TASK,
	DROVE_MSG_START_LOCAL_SERVICE_INSTANCE,
	DROVE_MSG_STOP_LOCAL_SERVICE_INSTANCE,
	DROVE_MSG_BLACKLIST_REQUESTED,
	DROVE_MSG_BLACKLIST,
	DROVE_MSG_UNBLACKLIST,
	DROVE_MSG_EXPECTED_INSTANCES,
	/* executor -> controller */
	DROVE_MSG_INSTANCE_STATE_REPORT,
	DROVE_MSG_TASK_STATE_REPORT,
	DROVE_MSG_LOCAL_SERVICE_INSTANCE_STATE_REPORT,
	DROVE_MSG_EXECUTOR_SNAPSHOT,
	DROVE_MSG__COUNT
};

enum drove_message_status {
	DROVE_MSG_ACCEPTED = 0,
	DROVE_MSG_FAILED,
	DROVE_MSG_REJECTED,
	DROVE_MSG_HANDLED,
};

enum drove_sender_type { DROVE_SENDER_CONTROLLER = 0, DROVE_SENDER_EXECUTOR };

typedef struct drove_message_header {
	char id[40];                        /* UUID */
	enum drove_sender_type sender_type; /* "senderType" */
	int64_t message_time;               /* "messageTime", epoch ms */
	int64_t term;                       /* "term": the leader's term (0: none) */
} drove_message_header;

typedef struct drove_executor_address {
	char *executor_id;
	char *hostname;
	int port;
	enum drove_transport_type transport_type;
} drove_executor_address;

/* One message. Which payload is set depends on `type`:
 *   START_INSTANCE: app_spec; START_TASK: task_spec; START_LOCAL_SERVICE_INSTANCE: ls_spec;
 *   STOP_*: instance_id; EXPECTED_INSTANCES: known;
 *   INSTANCE_STATE_REPORT: snapshot + instance; TASK_STATE_REPORT: snapshot + task;
 *   LOCAL_SERVICE_INSTANCE_STATE_REPORT: snapshot + ls_instance; EXECUTOR_SNAPSHOT: node_data.
 * Everything is owned by the message. */
typedef struct drove_message {
	enum drove_message_type type;
	drove_message_header header;
	drove_executor_address *address; /* controller -> executor only; may be NULL */
	drove_app_instance_spec *app_spec;
	drove_task_instance_spec *task_spec;
	drove_ls_instance_spec *ls_spec;
	char *instance_id;
	drove_known_instances *known;
	drove_resource_snapshot *snapshot;
	drove_instance_info *instance;
	drove_task_info *task;
	drove_ls_instance_info *ls_instance;
	drove_node_data *node_data;
} drove_message;

typedef struct drove_message_response {
	drove_message_header header; /* the request's header, echoed */
	enum drove_message_status status;
	char *message; /* reason; may be NULL */
} drove_message_response;

const char *drove__message_type_name(enum drove_message_type t);
int drove__message_type_parse(const char *s, enum drove_message_type *out);
const char *drove__message_status_name(enum drove_message_status s);

/* Fill a header with a new random id, now, and `term`. */
void drove__message_header_init(drove_message_header *h, drove_ctx *ctx,
                                enum drove_sender_type sender, int64_t term);

/* Decode a message (capped like every model decode); errors name the field path.
 * @return 0, DROVE_EINVAL or DROVE_ENOMEM. */
int drove__message_decode(const char *json, size_t len, drove_message **out);
/* The same with a tokener kept by the caller (one per thread, e.g. the controller's decoder
 * worker: a new tokener per message cost it 12 % of its time in malloc), reset here before
 * each message; NULL makes a fresh one. The tokener comes from drove__message_tokener_new()
 * so it has the same depth cap; the size cap is checked per message as above. */
struct json_tokener;
struct json_tokener *drove__message_tokener_new(void);
void drove__message_tokener_free(struct json_tokener *tok);
int drove__message_decode_with(struct json_tokener *tok, const char *json, size_t len,
                               drove_message **out);
/* Compact JSON; caller frees with free(). */
int drove__message_encode(const drove_message *m, char **out);
void drove__message_free(drove_message *m);

int drove__message_response_decode(const char *json, size_t len, drove_message_response **out);
int drove__message_response_encode(const drove_message_response *r, char **out);
void drove__message_response_free(drove_message_response *r);

#endif
