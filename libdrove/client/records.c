/* The typed client (docs/typed-client.md): each function is the `_json` call of the same name
 * plus a decode by the model module into a read-only record that keeps its JSON; the
 * single-record ones take `data` as the envelope's parse left it (drove__client_X_get()), so
 * an answer is parsed once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include <drove/client.h>
#include "client/client_internal.h"
#include "core/internal.h"
#include "model/codec.h"
#include "model/model.h"

/* Every record is one of these; every list an array of them. */
struct rec {
	void *v;    /* the model object (type fixed by the record kind) */
	char *json; /* its compact JSON */
};
struct rec_list {
	size_t n;
	struct rec *items;
};

struct drove_application {
	struct rec r;
};
struct drove_instance {
	struct rec r;
};
struct drove_task {
	struct rec r;
};
struct drove_local_service {
	struct rec r;
};
struct drove_executor_info {
	struct rec r;
};
struct drove_cluster_summary {
	struct rec r;
};
struct drove_cluster_event {
	struct rec r;
};
struct drove_application_list {
	struct rec_list l;
};
struct drove_instance_list {
	struct rec_list l;
};
struct drove_task_list {
	struct rec_list l;
};
struct drove_local_service_list {
	struct rec_list l;
};
struct drove_executor_info_list {
	struct rec_list l;
};
struct drove_cluster_event_list {
	struct rec_list l;
};
struct drove_endpoint {
	struct rec r;
};
struct drove_endpoint_list {
	struct rec_list l;
};
struct drove_event_summary {
	struct rec r;
};

/* ---- decoding ---- */

/* A decode failure of the controller's answer: DROVE_ERROR naming the record and field. */
static int bad_body(int rc, const char *what)
{
	if (rc != DROVE_EINVAL || !what)
		return rc;
	return drove__error(DROVE_ERROR, "%s: %s", what, drove_error_last()->message);
}

/* A new record of the decoded `v` and its `json` (both taken, freed on error). */
static int rec_wrap(const struct mtype *t, void *v, char *json, struct rec **out)
{
	struct rec *r;

	if (!(r = malloc(sizeof(*r)))) {
		drove__mcodec_free(t, v);
		free(json);
		return drove__enomem();
	}
	r->v = v;
	r->json = json;
	*out = r;
	return 0;
}

/* `j` (borrowed, already parsed) decoded as `t` with `flags` into a new record, its text
 * serialized once from `j`: no second parse. The same cap on that text as for a record parsed
 * from text (DROVE_MODEL_MAX_SIZE). `*news` (may be NULL) as drove__mcodec_decode_news()
 * reports it. */
static int rec_new_jobj(const struct mtype *t, const char *what, json_object *j, unsigned flags,
                        struct rec **out, unsigned *news)
{
	void *v = NULL;
	char *json;
	size_t len;
	int rc;

	if (news)
		*news = 0;
	if (!(json = drove__client_json_text(j)))
		return drove__enomem();
	if ((len = strlen(json)) > DROVE_MODEL_MAX_SIZE)
		rc = drove__error(DROVE_EINVAL, "document too large: %zu bytes (at most %zu)", len,
		                  (size_t)DROVE_MODEL_MAX_SIZE);
	else
		rc = drove__mcodec_decode_news(t, j, flags, &v, NULL, NULL, news);
	if (rc < 0) {
		free(json);
		return bad_body(rc, what);
	}
	return rec_wrap(t, v, json, out);
}

/* A list handle over decoded `items` and their `texts` (both taken, freed on error). */
static int list_wrap(const struct mtype *t, void **items, char **texts, size_t n,
                     struct rec_list **out)
{
	struct rec_list *l;

	if (!(l = calloc(1, sizeof(*l))) || (n && !(l->items = calloc(n, sizeof(*l->items))))) {
		free(l);
		drove__mcodec_list_free(t, items, texts, n);
		return drove__enomem();
	}
	for (size_t i = 0; i < n; i++) {
		l->items[i].v = items[i];
		l->items[i].json = texts[i];
	}
	l->n = n;
	free(items);
	free(texts);
	*out = l;
	return 0;
}

/* `json` (owned) decoded as a list of `t`. */
static int list_new(const struct mtype *t, const char *what, char *json, struct rec_list **out)
{
	void **items = NULL;
	char **texts = NULL;
	size_t n = 0;
	int rc;

	rc = drove__mcodec_decode_list(t, json, strlen(json), &items, &texts, &n);
	free(json);
	if (rc < 0)
		return bad_body(rc, what);
	return list_wrap(t, items, texts, n, out);
}

static void rec_clear(const struct mtype *t, struct rec *r)
{
	drove__mcodec_free(t, r->v);
	free(r->json);
}

static void rec_free(const struct mtype *t, struct rec *r)
{
	if (!r)
		return;
	rec_clear(t, r);
	free(r);
}

static void list_free(const struct mtype *t, struct rec_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		rec_clear(t, &l->items[i]);
	free(l->items);
	free(l);
}

/* A local-service instance becomes an InstanceInfo (same fields, serviceId as appId). */
static int ls_instance_to_app(void **v)
{
	drove_ls_instance_info *ls = *v;
	drove_instance_info *ai = calloc(1, sizeof(*ai));

	if (!ai)
		return drove__enomem();
	ai->app_id = ls->service_id;
	ai->app_name = ls->service_name;
	ai->instance_id = ls->instance_id;
	ai->executor_id = ls->executor_id;
	ai->local_info = ls->local_info;
	ai->resources = ls->resources;
	ai->n_resources = ls->n_resources;
	ai->state = ls->state;
	ai->metadata = ls->metadata;
	ai->error_message = ls->error_message;
	ai->created = ls->created;
	ai->updated = ls->updated;
	free(ls); /* its members moved */
	*v = ai;
	return 0;
}

static int64_t numa_core_count(const drove_numa_cores *c, size_t n)
{
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (int64_t)c[i].n_cores;
	return sum;
}

static int64_t numa_mem_sum(const drove_numa_mem *m, size_t n)
{
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += m[i].mb;
	return sum;
}

/* An ExecutorNodeData summed up as the ExecutorSummary the list holds. */
static int node_to_summary(void **v)
{
	drove_node_data *nd = *v;
	drove_executor_summary *es = calloc(1, sizeof(*es));
	drove_resource_snapshot *st = nd->state;

	if (!es)
		return drove__enomem();
	if (st) {
		es->executor_id = st->executor_id;
		st->executor_id = NULL;
		if (st->cpus) {
			es->free_cores =
			        numa_core_count(st->cpus->free_cores, st->cpus->n_free_cores);
			es->used_cores =
			        numa_core_count(st->cpus->used_cores, st->cpus->n_used_cores);
		}
		if (st->memory) {
			es->free_memory =
			        numa_mem_sum(st->memory->free_memory, st->memory->n_free_memory);
			es->used_memory =
			        numa_mem_sum(st->memory->used_memory, st->memory->n_used_memory);
		}
	}
	es->hostname = nd->hostname;
	nd->hostname = NULL;
	es->port = nd->port;
	es->transport_type = nd->transport_type;
	es->has_transport_type = true;
	es->tags = nd->tags;
	es->n_tags = nd->n_tags;
	nd->tags = NULL;
	nd->n_tags = 0;
	es->state = nd->executor_state;
	es->has_state = nd->has_executor_state;
	drove__node_data_free(nd);
	*v = es;
	return 0;
}

/* ---- the client functions ---- */

/* CALL (a drove__client_X_get() leaving `data` parsed in data_) decoded as MT: one parse. */
#define GET_ONE(MT, WHAT, CALL)                                                              \
	do {                                                                                 \
		json_object *data_ = NULL;                                                   \
		int rc_;                                                                     \
		DROVE_CHECK_ARG(out);                                                        \
		*out = NULL;                                                                 \
		if ((rc_ = (CALL)) < 0)                                                      \
			return rc_;                                                          \
		rc_ = rec_new_jobj(&(MT), WHAT, data_, 0, (struct rec **)(void *)out, NULL); \
		json_object_put(data_);                                                      \
		return rc_;                                                                  \
	} while (0)

#define GET_LIST(MT, WHAT, CALL)                                                      \
	do {                                                                          \
		char *json_ = NULL;                                                   \
		int rc_;                                                              \
		DROVE_CHECK_ARG(out);                                                 \
		*out = NULL;                                                          \
		if ((rc_ = (CALL)) < 0)                                               \
			return rc_;                                                   \
		return list_new(&(MT), WHAT, json_, (struct rec_list **)(void *)out); \
	} while (0)

int drove_client_app_list(drove_client *c, drove_application_list **out)
{
	GET_LIST(drove__mt_app_summary, "AppSummary", drove_client_app_list_json(c, &json_));
}

int drove_client_app_get(drove_client *c, const char *app_id, drove_application **out)
{
	GET_ONE(drove__mt_app_summary, "AppSummary",
	        drove__client_app_get(c, app_id, NULL, &data_));
}

int drove_client_app_instance_list(drove_client *c, const char *app_id, const char *states,
                                   drove_instance_list **out)
{
	GET_LIST(drove__mt_instance_info, "InstanceInfo",
	         drove_client_app_instance_list_json(c, app_id, states, &json_));
}

int drove_client_app_instance_list_old(drove_client *c, const char *app_id,
                                       drove_instance_list **out)
{
	GET_LIST(drove__mt_instance_info, "InstanceInfo",
	         drove_client_app_instance_list_old_json(c, app_id, &json_));
}

int drove_client_app_instance_get(drove_client *c, const char *app_id, const char *instance_id,
                                  drove_instance **out)
{
	GET_ONE(drove__mt_instance_info, "InstanceInfo",
	        drove__client_app_instance_get(c, app_id, instance_id, NULL, &data_));
}

int drove_client_task_list(drove_client *c, drove_task_list **out)
{
	GET_LIST(drove__mt_task_info, "TaskInfo", drove_client_task_list_json(c, &json_));
}

int drove_client_task_get(drove_client *c, const char *source_app, const char *task_id,
                          drove_task **out)
{
	GET_ONE(drove__mt_task_info, "TaskInfo",
	        drove__client_task_get(c, source_app, task_id, NULL, &data_));
}

int drove_client_local_service_list(drove_client *c, drove_local_service_list **out)
{
	GET_LIST(drove__mt_ls_summary, "LocalServiceSummary",
	         drove_client_local_service_list_json(c, &json_));
}

int drove_client_local_service_get(drove_client *c, const char *service_id,
                                   drove_local_service **out)
{
	GET_ONE(drove__mt_ls_summary, "LocalServiceSummary",
	        drove__client_local_service_get(c, service_id, NULL, &data_));
}

/* Local-service instances decode as such, then become InstanceInfo records. */
static int ls_instances(int rc, char *json, drove_instance_list **out)
{
	struct rec_list *l = NULL;

	if (rc < 0)
		return rc;
	if ((rc = list_new(&drove__mt_ls_instance_info, "LocalServiceInstanceInfo", json, &l)) < 0)
		return rc;
	for (size_t i = 0; i < l->n; i++) {
		if ((rc = ls_instance_to_app(&l->items[i].v)) < 0) {
			for (size_t k = i; k < l->n; k++) { /* the rest are still LS records */
				drove__mcodec_free(&drove__mt_ls_instance_info, l->items[k].v);
				l->items[k].v = NULL;
			}
			list_free(&drove__mt_instance_info, l);
			return rc;
		}
	}
	*out = (drove_instance_list *)(void *)l;
	return 0;
}

int drove_client_local_service_instance_list(drove_client *c, const char *service_id,
                                             const char *states, drove_instance_list **out)
{
	char *json = NULL;
	int rc;
	DROVE_CHECK_ARG(out);
	*out = NULL;
	rc = drove_client_local_service_instance_list_json(c, service_id, states, &json);
	return ls_instances(rc, json, out);
}

int drove_client_local_service_instance_list_old(drove_client *c, const char *service_id,
                                                 drove_instance_list **out)
{
	char *json = NULL;
	int rc;
	DROVE_CHECK_ARG(out);
	*out = NULL;
	rc = drove_client_local_service_instance_list_old_json(c, service_id, &json);
	return ls_instances(rc, json, out);
}

/* A single record (`data` as parsed, put here) decoded as `mt`, then converted by `conv` into
 * the record's own type. */
static int get_converted(int rc, json_object *data, const struct mtype *mt, const char *what,
                         int (*conv)(void **), struct rec **out)
{
	struct rec *r = NULL;

	if (rc < 0)
		return rc;
	rc = rec_new_jobj(mt, what, data, 0, &r, NULL);
	json_object_put(data);
	if (rc < 0)
		return rc;
	if ((rc = conv(&r->v)) < 0) {
		rec_free(mt, r);
		return rc;
	}
	*out = r;
	return 0;
}

int drove_client_local_service_instance_get(drove_client *c, const char *service_id,
                                            const char *instance_id, drove_instance **out)
{
	json_object *data = NULL;
	int rc;
	DROVE_CHECK_ARG(out);
	*out = NULL;
	rc = drove__client_local_service_instance_get(c, service_id, instance_id, NULL, &data);
	return get_converted(rc, data, &drove__mt_ls_instance_info, "LocalServiceInstanceInfo",
	                     ls_instance_to_app, (struct rec **)(void *)out);
}

int drove_client_cluster_get(drove_client *c, drove_cluster_summary **out)
{
	GET_ONE(drove__mt_cluster_summary_data, "ClusterSummary",
	        drove__client_cluster_get(c, NULL, &data_));
}

int drove_client_executor_list(drove_client *c, drove_executor_info_list **out)
{
	GET_LIST(drove__mt_executor_summary, "ExecutorSummary",
	         drove_client_executor_list_json(c, &json_));
}

int drove_client_executor_get(drove_client *c, const char *executor_id, drove_executor_info **out)
{
	json_object *data = NULL;
	int rc;
	DROVE_CHECK_ARG(out);
	*out = NULL;
	rc = drove__client_executor_get(c, executor_id, NULL, &data);
	return get_converted(rc, data, &drove__mt_node_data, "ExecutorNodeData", node_to_summary,
	                     (struct rec **)(void *)out);
}

int drove_client_event_list(drove_client *c, int64_t last_sync_time, int size,
                            drove_cluster_event_list **out)
{
	GET_LIST(drove__mt_event, "Event",
	         drove_client_event_list_json(c, last_sync_time, size, &json_));
}

/* ---- endpoints: decoded from a body the caller may have fetched itself ---- */

/* What the codec cannot say: the fields Drove always sends and a port in range. */
static int endpoint_check(const drove_exposed_app *a, size_t i)
{
	if (!a->app_name)
		return drove__error(DROVE_EINVAL, "[%zu].appName: required", i);
	if (!a->vhost)
		return drove__error(DROVE_EINVAL, "[%zu].vhost: required", i);
	for (size_t j = 0; j < a->n_hosts; j++) {
		if (!a->hosts[j].host)
			return drove__error(DROVE_EINVAL, "[%zu].hosts[%zu].host: required", i, j);
		if (a->hosts[j].port < 1 || a->hosts[j].port > 65535)
			return drove__error(DROVE_EINVAL, "[%zu].hosts[%zu].port: %d is not a port",
			                    i, j, a->hosts[j].port);
	}
	return 0;
}

/* The envelope or the bare array; its `data` array of at most `max_apps` apps. */
static int endpoint_data(json_object *root, size_t max_apps, json_object **data)
{
	json_object *st = NULL;

	*data = root;
	if (json_object_is_type(root, json_type_object)) {
		if (json_object_object_get_ex(root, "status", &st) &&
		    json_object_is_type(st, json_type_string) &&
		    strcmp(json_object_get_string(st), "SUCCESS"))
			return drove__error(DROVE_EINVAL, "status: %.64s",
			                    json_object_get_string(st));
		if (!json_object_object_get_ex(root, "data", data))
			*data = NULL;
	}
	if (!*data || !json_object_is_type(*data, json_type_array))
		return drove__error(DROVE_EINVAL, "data: expected an array of apps");
	if (json_object_array_length(*data) > max_apps)
		return drove__error(DROVE_EINVAL, "data: more than %zu apps", max_apps);
	return 0;
}

int drove__endpoint_list_decode(const char *body, size_t len, size_t max_apps,
                                drove_endpoint_list **out)
{
	const struct mtype *t = &drove__mt_exposed_app;
	json_object *root = NULL, *data;
	void **items = NULL;
	char **texts = NULL;
	size_t n = 0;
	int rc;

	DROVE_CHECK_ARG(body && out);
	*out = NULL;
	if ((rc = drove__mcodec_parse_max(body, len, DROVE_MODEL_MAX_LIST_SIZE, &root)) < 0)
		return rc;
	if ((rc = endpoint_data(root, max_apps, &data)) == 0)
		rc = drove__mcodec_decode_list_jobj(t, data, &items, &texts, &n);
	json_object_put(root);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = endpoint_check(items[i], i);
	if (rc < 0) {
		drove__mcodec_list_free(t, items, texts, n);
		return rc;
	}
	return list_wrap(t, items, texts, n, (struct rec_list **)(void *)out);
}

int drove_endpoint_list_decode(const char *body, size_t len, drove_endpoint_list **out)
{
	DROVE_CHECK_ARG(body && out);
	return bad_body(drove__endpoint_list_decode(body, len, SIZE_MAX, out), "ExposedAppInfo");
}

/* drove__task_decode()'s *news_out from the codec's report. */
static unsigned task_news(unsigned mnews)
{
	return (mnews & DROVE__MNEW_TASK_STATE ? DROVE__TASK_NEW_STATE : 0) |
	       (mnews & DROVE__MNEW_TASK_RESULT_STATUS ? DROVE__TASK_NEW_RESULT : 0);
}

int drove__task_decode_jobj(json_object *data, drove_task **out, unsigned *news_out)
{
	unsigned mnews = 0;
	int rc;

	if (news_out)
		*news_out = 0;
	DROVE_CHECK_ARG(out);
	*out = NULL;
	rc = rec_new_jobj(&drove__mt_task_info, "TaskInfo", data, DROVE_MODEL_NEW_NAMES,
	                  (struct rec **)(void *)out, &mnews);
	if (rc == 0 && news_out)
		*news_out = task_news(mnews);
	return rc;
}

int drove__task_decode(char *json, drove_task **out, unsigned *news_out)
{
	const struct mtype *t = &drove__mt_task_info;
	json_object *j = NULL;
	void *v = NULL;
	unsigned mnews = 0;
	int rc;

	if (news_out)
		*news_out = 0;
	if (!out)
		free(json);
	DROVE_CHECK_ARG(json && out);
	*out = NULL;
	if ((rc = drove__mcodec_parse(json, strlen(json), &j)) == 0) {
		rc = drove__mcodec_decode_news(t, j, DROVE_MODEL_NEW_NAMES, &v, NULL, NULL, &mnews);
		json_object_put(j);
	}
	if (rc < 0) {
		free(json);
		return bad_body(rc, "TaskInfo");
	}
	if (news_out)
		*news_out = task_news(mnews);
	return rec_wrap(t, v, json, (struct rec **)(void *)out);
}

/* The envelope (status SUCCESS, its `data`) or the bare summary, as a record. */
int drove__event_summary_decode(const char *body, size_t len, drove_event_summary **out)
{
	json_object *root = NULL, *data, *st = NULL;
	int rc;

	DROVE_CHECK_ARG(body && out);
	*out = NULL;
	if ((rc = drove__mcodec_parse(body, len, &root)) < 0)
		return rc;
	data = root;
	if (json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "status", &st)) {
		if (!json_object_is_type(st, json_type_string) ||
		    strcmp(json_object_get_string(st), "SUCCESS"))
			rc = drove__error(DROVE_EINVAL, "status: %.64s, not SUCCESS",
			                  json_object_get_string(st));
		else if (!json_object_object_get_ex(root, "data", &data) ||
		         !json_object_is_type(data, json_type_object))
			rc = drove__error(DROVE_EINVAL, "data: expected an object");
	}
	if (rc == 0) /* decoded from the parsed `data`, not from its text parsed again */
		rc = rec_new_jobj(&drove__mt_events_summary, NULL, data, 0,
		                  (struct rec **)(void *)out, NULL);
	json_object_put(root);
	return rc;
}

int drove_event_summary_decode(const char *body, size_t len, drove_event_summary **out)
{
	DROVE_CHECK_ARG(body && out);
	return bad_body(drove__event_summary_decode(body, len, out), "DroveEventsSummary");
}

int drove_client_event_summary_get(drove_client *c, int64_t last_sync_time,
                                   drove_event_summary **out)
{
	GET_ONE(drove__mt_events_summary, "DroveEventsSummary",
	        drove__client_event_summary_get(c, last_sync_time, NULL, &data_));
}

int drove_client_endpoint_list(drove_client *c, const char *app_name, drove_endpoint_list **out)
{
	char *json = NULL;
	int rc;

	DROVE_CHECK_ARG(out);
	*out = NULL;
	if ((rc = drove_client_endpoint_list_json(c, app_name, &json)) < 0)
		return rc;
	rc = drove_endpoint_list_decode(json, strlen(json), out);
	free(json);
	return rc;
}

/* ---- getters ---- */

#define V(S, x) ((const S *)((const struct rec *)(const void *)(x))->v)

/* T_json, T_free, T_list_count/_get/_free for record type T over model type MT. */
#define RECORD_COMMON(T, MT)                                                             \
	const char *T##_json(const T *x)                                                 \
	{                                                                                \
		return x ? ((const struct rec *)(const void *)x)->json : NULL;           \
	}                                                                                \
	size_t T##_list_count(const T##_list *l)                                         \
	{                                                                                \
		return l ? l->l.n : 0;                                                   \
	}                                                                                \
	const T *T##_list_get(const T##_list *l, size_t i)                               \
	{                                                                                \
		return l && i < l->l.n ? (const T *)(const void *)&l->l.items[i] : NULL; \
	}                                                                                \
	void T##_list_free(T##_list *l)                                                  \
	{                                                                                \
		list_free(&(MT), l ? &l->l : NULL);                                      \
	}
#define RECORD_FREE(T, MT)                         \
	void T##_free(T *x)                        \
	{                                          \
		rec_free(&(MT), x ? &x->r : NULL); \
	}
/* A getter of member `m` of the model struct S, `dflt` for a NULL record. */
#define GETTER(T, S, RT, name, m, dflt)       \
	RT T##_##name(const T *x)             \
	{                                     \
		return x ? V(S, x)->m : dflt; \
	}
/* A getter of member `m` of the i-th element that `at(x, i)` finds, `dflt` past the end. */
#define AT_GETTER(T, fn, RT, at, m, dflt)             \
	RT fn(const T *x, size_t i)                   \
	{                                             \
		return at(x, i) ? at(x, i)->m : dflt; \
	}
/* An enum getter: -1 when absent. */
#define GETTER_ENUM(T, S, name, m)                                   \
	int T##_##name(const T *x)                                   \
	{                                                            \
		return x && V(S, x)->has_##m ? (int)V(S, x)->m : -1; \
	}

RECORD_COMMON(drove_application, drove__mt_app_summary)
RECORD_FREE(drove_application, drove__mt_app_summary)
GETTER(drove_application, drove_app_summary, const char *, id, id, NULL)
GETTER(drove_application, drove_app_summary, const char *, name, name, NULL)
GETTER_ENUM(drove_application, drove_app_summary, state, state)
GETTER(drove_application, drove_app_summary, int64_t, required_instances, required_instances, 0)
GETTER(drove_application, drove_app_summary, int64_t, healthy_instances, healthy_instances, 0)
GETTER(drove_application, drove_app_summary, int64_t, total_cpus, total_cpus, 0)
GETTER(drove_application, drove_app_summary, int64_t, total_memory, total_memory, 0)
GETTER(drove_application, drove_app_summary, const drove_strmap *, tags, tags, NULL)
GETTER(drove_application, drove_app_summary, int64_t, created, created, 0)
GETTER(drove_application, drove_app_summary, int64_t, updated, updated, 0)

RECORD_COMMON(drove_instance, drove__mt_instance_info)
RECORD_FREE(drove_instance, drove__mt_instance_info)
GETTER(drove_instance, drove_instance_info, const char *, app_id, app_id, NULL)
GETTER(drove_instance, drove_instance_info, const char *, app_name, app_name, NULL)
GETTER(drove_instance, drove_instance_info, const char *, id, instance_id, NULL)
GETTER(drove_instance, drove_instance_info, const char *, executor_id, executor_id, NULL)
GETTER(drove_instance, drove_instance_info, const char *, error_message, error_message, NULL)
GETTER(drove_instance, drove_instance_info, int64_t, created, created, 0)
GETTER(drove_instance, drove_instance_info, int64_t, updated, updated, 0)

int drove_instance_state(const drove_instance *x)
{
	return x ? (int)V(drove_instance_info, x)->state : -1;
}

const char *drove_instance_host(const drove_instance *x)
{
	const drove_local_info *li = x ? V(drove_instance_info, x)->local_info : NULL;
	return li ? li->hostname : NULL;
}

static const drove_port_info *port_at(const drove_instance *x, size_t i)
{
	const drove_local_info *li = x ? V(drove_instance_info, x)->local_info : NULL;
	return li && i < li->n_ports ? &li->ports[i] : NULL;
}

size_t drove_instance_port_count(const drove_instance *x)
{
	const drove_local_info *li = x ? V(drove_instance_info, x)->local_info : NULL;
	return li ? li->n_ports : 0;
}

AT_GETTER(drove_instance, drove_instance_port_name, const char *, port_at, name, NULL)

AT_GETTER(drove_instance, drove_instance_port_host, int, port_at, host_port, 0)

AT_GETTER(drove_instance, drove_instance_port_container, int, port_at, container_port, 0)

const char *drove_instance_port_type(const drove_instance *x, size_t i)
{
	const drove_port_info *p = port_at(x, i);
	return p ? drove__port_type_name((int)p->port_type) : NULL;
}

RECORD_COMMON(drove_task, drove__mt_task_info)
RECORD_FREE(drove_task, drove__mt_task_info)
GETTER(drove_task, drove_task_info, const char *, source_app, source_app_name, NULL)
GETTER(drove_task, drove_task_info, const char *, id, task_id, NULL)
GETTER(drove_task, drove_task_info, const char *, instance_id, instance_id, NULL)
GETTER(drove_task, drove_task_info, const char *, executor_id, executor_id, NULL)
GETTER(drove_task, drove_task_info, const char *, host, hostname, NULL)
GETTER(drove_task, drove_task_info, const char *, error_message, error_message, NULL)
GETTER(drove_task, drove_task_info, int64_t, created, created, 0)
GETTER(drove_task, drove_task_info, int64_t, updated, updated, 0)

int drove_task_state(const drove_task *x)
{
	return x ? (int)V(drove_task_info, x)->state : -1;
}

int drove_task_result_status(const drove_task *x)
{
	const drove_task_result *r = x ? V(drove_task_info, x)->task_result : NULL;
	return r ? (int)r->status : -1;
}

int64_t drove_task_exit_code(const drove_task *x)
{
	const drove_task_result *r = x ? V(drove_task_info, x)->task_result : NULL;
	return r ? r->exit_code : 0;
}

RECORD_COMMON(drove_local_service, drove__mt_ls_summary)
RECORD_FREE(drove_local_service, drove__mt_ls_summary)
GETTER(drove_local_service, drove_ls_summary, const char *, id, id, NULL)
GETTER(drove_local_service, drove_ls_summary, const char *, name, name, NULL)
GETTER_ENUM(drove_local_service, drove_ls_summary, state, state)
GETTER_ENUM(drove_local_service, drove_ls_summary, activation, activation_state)
GETTER(drove_local_service, drove_ls_summary, int64_t, instances_per_host, instances_per_host, 0)
GETTER(drove_local_service, drove_ls_summary, int64_t, healthy_instances, healthy_instances, 0)
GETTER(drove_local_service, drove_ls_summary, int64_t, total_cpus, total_cpus, 0)
GETTER(drove_local_service, drove_ls_summary, int64_t, total_memory, total_memory, 0)
GETTER(drove_local_service, drove_ls_summary, const drove_strmap *, tags, tags, NULL)
GETTER(drove_local_service, drove_ls_summary, int64_t, created, created, 0)
GETTER(drove_local_service, drove_ls_summary, int64_t, updated, updated, 0)

RECORD_COMMON(drove_executor_info, drove__mt_executor_summary)
RECORD_FREE(drove_executor_info, drove__mt_executor_summary)
GETTER(drove_executor_info, drove_executor_summary, const char *, id, executor_id, NULL)
GETTER(drove_executor_info, drove_executor_summary, const char *, host, hostname, NULL)
GETTER(drove_executor_info, drove_executor_summary, int, port, port, 0)
GETTER_ENUM(drove_executor_info, drove_executor_summary, state, state)
GETTER(drove_executor_info, drove_executor_summary, int64_t, free_cores, free_cores, 0)
GETTER(drove_executor_info, drove_executor_summary, int64_t, used_cores, used_cores, 0)
GETTER(drove_executor_info, drove_executor_summary, int64_t, free_memory, free_memory, 0)
GETTER(drove_executor_info, drove_executor_summary, int64_t, used_memory, used_memory, 0)
GETTER(drove_executor_info, drove_executor_summary, size_t, tag_count, n_tags, 0)

const char *drove_executor_info_transport(const drove_executor_info *x)
{
	const drove_executor_summary *e = x ? V(drove_executor_summary, x) : NULL;
	return e && e->has_transport_type ? drove__transport_type_name((int)e->transport_type)
	                                  : NULL;
}

const char *drove_executor_info_tag(const drove_executor_info *x, size_t i)
{
	const drove_executor_summary *e = x ? V(drove_executor_summary, x) : NULL;
	return e && i < e->n_tags ? e->tags[i] : NULL;
}

const char *drove_cluster_summary_json(const drove_cluster_summary *x)
{
	return x ? x->r.json : NULL;
}
RECORD_FREE(drove_cluster_summary, drove__mt_cluster_summary_data)
#define CS_GETTER(name, m) \
	GETTER(drove_cluster_summary, drove_cluster_summary_data, int64_t, name, m, 0)
GETTER(drove_cluster_summary, drove_cluster_summary_data, const char *, leader, leader, NULL)
GETTER_ENUM(drove_cluster_summary, drove_cluster_summary_data, state, state)
CS_GETTER(executors, num_executors)
CS_GETTER(applications, num_applications)
CS_GETTER(active_applications, num_active_applications)
CS_GETTER(active_tasks, num_active_tasks)
CS_GETTER(local_services, num_local_services)
CS_GETTER(active_local_services, num_active_local_services)
CS_GETTER(free_cores, free_cores)
CS_GETTER(used_cores, used_cores)
CS_GETTER(total_cores, total_cores)
CS_GETTER(free_memory, free_memory)
CS_GETTER(used_memory, used_memory)
CS_GETTER(total_memory, total_memory)

RECORD_COMMON(drove_cluster_event, drove__mt_event)
GETTER(drove_cluster_event, drove_event, const char *, id, id, NULL)
GETTER(drove_cluster_event, drove_event, int64_t, time, time, 0)
GETTER(drove_cluster_event, drove_event, const drove_strmap *, metadata, metadata, NULL)

int drove_cluster_event_type(const drove_cluster_event *x)
{
	return x ? (int)V(drove_event, x)->type : -1;
}

RECORD_COMMON(drove_endpoint, drove__mt_exposed_app)
GETTER(drove_endpoint, drove_exposed_app, const char *, app_id, app_id, NULL)
GETTER(drove_endpoint, drove_exposed_app, const char *, app_name, app_name, NULL)
GETTER(drove_endpoint, drove_exposed_app, const char *, vhost, vhost, NULL)
GETTER(drove_endpoint, drove_exposed_app, const drove_strmap *, tags, tags, NULL)
GETTER(drove_endpoint, drove_exposed_app, size_t, host_count, n_hosts, 0)

static const drove_exposed_host *ep_host(const drove_endpoint *x, size_t i)
{
	const drove_exposed_app *a = x ? V(drove_exposed_app, x) : NULL;
	return a && i < a->n_hosts ? &a->hosts[i] : NULL;
}

AT_GETTER(drove_endpoint, drove_endpoint_host, const char *, ep_host, host, NULL)

AT_GETTER(drove_endpoint, drove_endpoint_host_port, int, ep_host, port, 0)

AT_GETTER(drove_endpoint, drove_endpoint_host_port_type, const char *, ep_host, port_type, NULL)

const char *drove_event_summary_json(const drove_event_summary *x)
{
	return x ? x->r.json : NULL;
}
RECORD_FREE(drove_event_summary, drove__mt_events_summary)
GETTER(drove_event_summary, drove_events_summary, int64_t, last_sync_time, last_sync_time, 0)

int64_t drove_event_summary_count(const drove_event_summary *x, const char *type)
{
	const char *v = x ? drove_strmap_get(V(drove_events_summary, x)->events_count, type) : NULL;
	return v ? strtoll(v, NULL, 10) : 0;
}
