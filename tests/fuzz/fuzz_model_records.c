/* Fuzz the record and operation decoders (instance/task/LS-instance info, executor node data,
 * resource snapshots, events, cluster state, instance specs, app/task/LS operations, the API's
 * summaries and endpoints the typed client reads): every input is tried with each type; what
 * decodes must re-encode to a stable form. The list decoder of the typed client reads it too, and
 * the endpoints decoder (drove_endpoint_list_decode, the gateway's) as a whole body, and the
 * tolerant task decoder of Epoch's poll (drove__task_decode); every type also with new enum
 * names allowed (DROVE_MODEL_NEW_NAMES), as Epoch's poll reads a task. */
#include <json-c/json.h>

#include <drove/client.h>
#include "client/client_internal.h"
#include "fuzz_model_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mtype *const types[] = {
	        &drove__mt_instance_info,
	        &drove__mt_ls_instance_info,
	        &drove__mt_task_info,
	        &drove__mt_node_data,
	        &drove__mt_resource_snapshot,
	        &drove__mt_event,
	        &drove__mt_cluster_state_data,
	        &drove__mt_known_instances,
	        &drove__mt_app_info,
	        &drove__mt_ls_info,
	        &drove__mt_app_instance_spec,
	        &drove__mt_task_instance_spec,
	        &drove__mt_ls_instance_spec,
	        &drove__mt_app_op,
	        &drove__mt_task_op,
	        &drove__mt_ls_op,
	        &drove__mt_cluster_op_spec,
	        &drove__mt_allocation,
	        &drove__mt_app_summary,
	        &drove__mt_ls_summary,
	        &drove__mt_executor_summary,
	        &drove__mt_cluster_summary_data,
	        &drove__mt_exposed_app,
	        &drove__mt_events_summary,
	};
	/* what the typed client reads as lists */
	static const struct mtype *const listed[] = {
	        &drove__mt_app_summary,   &drove__mt_ls_summary,       &drove__mt_executor_summary,
	        &drove__mt_instance_info, &drove__mt_ls_instance_info, &drove__mt_task_info,
	        &drove__mt_event,         &drove__mt_exposed_app,
	};
	struct json_object *j = NULL;
	drove_endpoint_list *el = NULL;

	if (drove_endpoint_list_decode((const char *)data, size, &el) == 0) {
		for (size_t i = 0; i < drove_endpoint_list_count(el); i++) {
			const drove_endpoint *e = drove_endpoint_list_get(el, i);
			for (size_t h = 0; h < drove_endpoint_host_count(e); h++)
				if (!drove_endpoint_host(e, h) ||
				    drove_endpoint_host_port(e, h) < 1)
					abort(); /* the decoder promises both */
		}
		drove_endpoint_list_free(el);
	}
	{
		drove_event_summary *es = NULL;
		if (drove_event_summary_decode((const char *)data, size, &es) == 0)
			(void)drove_event_summary_count(es, "APP_STATE_CHANGE");
		drove_event_summary_free(es);
	}
	{
		/* Epoch's poll: the task record, tolerant of new state and result names */
		char *text = malloc(size + 1);
		drove_task *t = NULL;
		unsigned news = 0;
		if (text) {
			memcpy(text, data, size);
			text[size] = '\0';
			if (drove__task_decode(text, &t, &news) == 0) {
				int st = drove_task_state(t);
				if (st < DROVE_TASK_PENDING || st > DROVE_TASK_UNKNOWN ||
				    ((news & DROVE__TASK_NEW_STATE) && st != DROVE_TASK_UNKNOWN) ||
				    ((news & DROVE__TASK_NEW_RESULT) &&
				     drove_task_result_status(t) != -1))
					abort(); /* the decoder promises these */
				drove_task_free(t);
			}
		}
	}
	if (drove__mcodec_parse((const char *)data, size, &j) < 0)
		return 0;
	for (size_t i = 0; i < DROVE_ARRAY_LEN(types); i++) {
		void *v = NULL, *w = NULL;
		unsigned news = 0;
		int plain = drove__mcodec_decode_jobj(types[i], j, 0, &v, NULL, NULL);
		/* new enum names allowed: what decodes without decodes with, reporting none */
		int open = drove__mcodec_decode_news(types[i], j, DROVE_MODEL_NEW_NAMES, &w, NULL,
		                                     NULL, &news);
		if ((plain == 0 && (open != 0 || news)) || (open == 0 && !news && plain != 0) ||
		    (open < 0 && plain == 0))
			abort();
		if (open == 0 && !news) /* an enum's -1 does not encode: no round trip then */
			fuzz_model_roundtrip(types[i], w);
		drove__mcodec_free(types[i], w);
		if (plain < 0)
			continue;
		fuzz_model_roundtrip(types[i], v);
		if (types[i] == &drove__mt_app_op)
			(void)drove__app_op_validate(v, NULL, NULL);
		else if (types[i] == &drove__mt_task_op)
			(void)drove__task_op_validate(v, NULL, NULL);
		else if (types[i] == &drove__mt_ls_op)
			(void)drove__ls_op_validate(v, NULL, NULL);
		drove__mcodec_free(types[i], v);
	}
	json_object_put(j);
	for (size_t i = 0; i < DROVE_ARRAY_LEN(listed); i++) {
		void **items = NULL;
		char **texts = NULL;
		size_t n = 0;
		if (drove__mcodec_decode_list(listed[i], (const char *)data, size, &items, &texts,
		                              &n) == 0)
			drove__mcodec_list_free(listed[i], items, texts, n);
	}
	return 0;
}
