/*
 * SWIG interface for libdrove: the same public headers, for Python and Go.
 *
 * Conventions of the generated API:
 *  - A function returning a negative DROVE_E* code raises (Python) or panics (Go) inside the
 *    wrapper's C code, on the calling thread, with drove_error_last()'s message: ValueError
 *    for DROVE_EINVAL, MemoryError for DROVE_ENOMEM, RuntimeError otherwise. Predicates
 *    (drove_*_is_*, *_contains) return plain ints.
 *  - `char **out` results come back as strings (the C string is freed by the wrapper);
 *    `T **out` results come back as objects; a drove_duration / drove_size out parameter
 *    comes back as the struct.
 */
/* Python: the native module drove.native (the package `drove`, bindings/python/drove, puts
 * the Pythonic layer on top); threads="1" releases the GIL around every C call, so a blocking
 * client call (HTTP, waits) lets other Python threads run. Go: package drove. */
#ifdef SWIGPYTHON
%module(package="drove", threads="1") native
#else
%module drove
#endif

%{
#include <drove/drove.h>
%}

%include <stdint.i>
%include <exception.i>

#ifdef SWIGPYTHON
/* ---- errors: rc < 0 becomes an exception in the wrapper, on the calling thread ---- */
%typemap(out) int {
	if ($1 < 0) {
		const drove_error *e = drove_error_last();
		int kind = $1 == DROVE_EINVAL ? SWIG_ValueError
		         : $1 == DROVE_ENOMEM ? SWIG_MemoryError : SWIG_RuntimeError;
		SWIG_exception(kind, e->message && *e->message ? e->message : drove_strerror($1));
	}
	$result = SWIG_Py_Void(); /* success: the outputs (if any) are the result */
}
%{
#define DROVE_SWIG_PLAIN_INT 1
%}
%typemap(out) int drove_id_is_valid_name, int drove_strlist_contains,
	int drove_client_response_status, int drove_client_response_ok,
	int drove_client_last_status, int drove_client_config_has_section
	"$result = SWIG_From_int($1);"
/* struct members are values, not return codes */
%typemap(out) int unit, int code "$result = SWIG_From_int($1);"

/* ---- char **out: return the string, free the C copy ---- */
%typemap(in, numinputs=0) char **out (char *tmp = NULL) "$1 = &tmp;"
%typemap(argout) char **out {
	%append_output(SWIG_FromCharPtr(*$1));
	drove_free(*$1);
}
%typemap(newfree) char * "drove_free($1);";
%apply char **out { char **app_id_out, char **task_id_out, char **service_id_out, char **data_out };
%newobject drove_duration_format;
%newobject drove_size_format;
%newobject drove_strlist_join;

/* ---- value-struct outputs ---- */
%typemap(in, numinputs=0) drove_duration *out (drove_duration tmp) "$1 = &tmp;"
%typemap(argout) drove_duration *out {
	drove_duration *copy = (drove_duration *)malloc(sizeof(*copy));
	*copy = *$1;
	%append_output(SWIG_NewPointerObj(copy, $descriptor(drove_duration *), SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) drove_size *out (drove_size tmp) "$1 = &tmp;"
%typemap(argout) drove_size *out {
	drove_size *copy = (drove_size *)malloc(sizeof(*copy));
	*copy = *$1;
	%append_output(SWIG_NewPointerObj(copy, $descriptor(drove_size *), SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) int64_t *out (int64_t tmp = 0) "$1 = &tmp;"
%typemap(argout) int64_t *out { %append_output(SWIG_From_long_SS_long((long long)*$1)); }
%typemap(in, numinputs=0) int *out (int tmp = 0) "$1 = &tmp;"
%typemap(argout) int *out { %append_output(SWIG_From_int(*$1)); }

/* ---- opaque objects created through T **out ---- */
%define DROVE_OUT_OBJECT(T)
%typemap(in, numinputs=0) T **out (T *tmp = NULL) "$1 = &tmp;"
%typemap(argout) T **out { %append_output(SWIG_NewPointerObj(*$1, $descriptor(T *), 0)); }
%enddef
DROVE_OUT_OBJECT(drove_ctx)
DROVE_OUT_OBJECT(drove_strlist)
DROVE_OUT_OBJECT(drove_strmap)
DROVE_OUT_OBJECT(drove_loop)
DROVE_OUT_OBJECT(drove_spec)
DROVE_OUT_OBJECT(drove_spec_opts)
DROVE_OUT_OBJECT(drove_sched)
DROVE_OUT_OBJECT(drove_sched_policy)
DROVE_OUT_OBJECT(drove_sched_info)
DROVE_OUT_OBJECT(drove_sched_snapshot)
DROVE_OUT_OBJECT(drove_sched_session)
DROVE_OUT_OBJECT(drove_sched_alloc)
DROVE_OUT_OBJECT(drove_sched_plan)
DROVE_OUT_OBJECT(drove_client)
DROVE_OUT_OBJECT(drove_client_response)
DROVE_OUT_OBJECT(drove_client_config)
DROVE_OUT_OBJECT(drove_application)
DROVE_OUT_OBJECT(drove_application_list)
DROVE_OUT_OBJECT(drove_instance)
DROVE_OUT_OBJECT(drove_instance_list)
DROVE_OUT_OBJECT(drove_task)
DROVE_OUT_OBJECT(drove_task_list)
DROVE_OUT_OBJECT(drove_local_service)
DROVE_OUT_OBJECT(drove_local_service_list)
DROVE_OUT_OBJECT(drove_executor_info)
DROVE_OUT_OBJECT(drove_executor_info_list)
DROVE_OUT_OBJECT(drove_cluster_summary)
DROVE_OUT_OBJECT(drove_cluster_event_list)
DROVE_OUT_OBJECT(drove_endpoint_list)
DROVE_OUT_OBJECT(drove_event_summary)

/* ---- client: a list of str as (const char *const *, size_t) ---- */
%typemap(in) (const char *const *instance_ids, size_t n), (const char *const *ids, size_t n) {
	Py_ssize_t i, len;
	const char **v;
	if (!PySequence_Check($input) || PyUnicode_Check($input))
		SWIG_exception(SWIG_TypeError, "expected a sequence of str");
	len = PySequence_Length($input);
	v = (const char **)calloc((size_t)(len ? len : 1), sizeof(char *));
	if (!v)
		SWIG_exception(SWIG_MemoryError, "out of memory");
	for (i = 0; i < len; i++) {
		PyObject *o = PySequence_GetItem($input, i);
		v[i] = o && PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
		Py_XDECREF(o); /* the UTF-8 buffer lives as long as the list holds the str */
		if (!v[i]) {
			free((void *)v);
			SWIG_exception(SWIG_TypeError, "expected a sequence of str");
		}
	}
	$1 = ($1_ltype)v;
	$2 = (size_t)len;
}
%typemap(freearg) (const char *const *instance_ids, size_t n), (const char *const *ids, size_t n)
	"free((void *)$1);"
/* log reads: the offset goes in and comes back; the data comes back as bytes (a read may end
 * inside a UTF-8 sequence; the Python layer decodes incrementally) */
%typemap(in) int64_t *offset (int64_t tmp) {
	tmp = (int64_t)PyLong_AsLongLong($input);
	if (PyErr_Occurred())
		SWIG_fail;
	$1 = &tmp;
}
%typemap(argout) int64_t *offset { %append_output(SWIG_From_long_SS_long((long long)*$1)); }
%typemap(in, numinputs=0) (char **out, size_t *len_out) (char *tmp = NULL, size_t tlen = 0) {
	$1 = &tmp;
	$2 = &tlen;
}
%typemap(argout) (char **out, size_t *len_out) {
	%append_output(PyBytes_FromStringAndSize(*$1 ? *$1 : "", (Py_ssize_t)*$2));
	drove_free(*$1);
}
%typemap(in, numinputs=0) int64_t *bytes_out (int64_t tmp = 0) "$1 = &tmp;"
%typemap(argout) int64_t *bytes_out { %append_output(SWIG_From_long_SS_long((long long)*$1)); }
%typemap(in, numinputs=0) size_t *len (size_t tmp = 0) "$1 = &tmp;"

/* value getters that return ints, not codes */
%typemap(out) int drove_sched_alloc_node, int drove_sched_alloc_core,
	int drove_sched_alloc_physical_core, int drove_sched_plan_node, int drove_sched_plan_core,
	int drove_sched_session_count, int drove_spec_get_kind
	"$result = SWIG_From_int($1);"
/* the typed client's int getters (states are -1 when absent) */
%typemap(out) int drove_application_state, int drove_instance_state,
	int drove_instance_port_host, int drove_instance_port_container, int drove_task_state,
	int drove_task_result_status, int drove_local_service_state,
	int drove_local_service_activation, int drove_executor_info_port,
	int drove_executor_info_state, int drove_cluster_summary_state, int drove_cluster_event_type,
	int drove_endpoint_host_port
	"$result = SWIG_From_int($1);"

/* a Python sequence of ints as (const int *, size_t) */
%typemap(in) (const int *cores, size_t n), (const int *physical_cores, size_t n) {
	Py_ssize_t i, len;
	if (!PySequence_Check($input))
		SWIG_exception(SWIG_TypeError, "expected a sequence of ints");
	len = PySequence_Length($input);
	$1 = (int *)malloc(sizeof(int) * (size_t)(len ? len : 1));
	for (i = 0; i < len; i++) {
		PyObject *o = PySequence_GetItem($input, i);
		$1[i] = (int)PyLong_AsLong(o);
		Py_XDECREF(o);
	}
	$2 = (size_t)len;
	if (PyErr_Occurred()) {
		free($1);
		SWIG_fail;
	}
}
%typemap(freearg) (const int *cores, size_t n), (const int *physical_cores, size_t n)
	"free((void *)$1);"
%apply (char *STRING, size_t LENGTH) { (const char *json, size_t len) };
%apply (char *STRING, size_t LENGTH) { (const char *body, size_t len) };
%apply int *out { int *result, int *free_cores };
%apply int64_t *out { int64_t *free_mb };

/* ---- uuid buffers: (char *buf, size_t len) filled by the call ---- */
%typemap(in, numinputs=0) (char *buf, size_t len) (char tmp[DROVE_UUID_LEN + 1]) {
	$1 = tmp;
	$2 = sizeof(tmp);
}
%typemap(argout) (char *buf, size_t len) { %append_output(SWIG_FromCharPtr($1)); }

/* The major/minor/patch triple comes back as a tuple. */
%apply int *out { int *major, int *minor, int *patch };

#endif

#ifdef SWIGGO
/* Go: SWIG's Go backend has no argout convenience, so functions with out-parameters are
 * wrapped by value-returning helpers renamed to the C name (Drove_app_id(name, version)
 * string). Every call clears the thread's error first; a negative result makes the C wrapper
 * panic with drove_error_last()'s message on the calling OS thread. */
%exception {
	drove_error_clear();
	$action
	if (drove_error_last()->code < 0)
		SWIG_exception(SWIG_RuntimeError, drove_error_last()->message);
}
%newobject drove_go_app_id;
%newobject drove_go_task_run_id;
%newobject drove_go_instance_id_new;
%newobject drove_go_executor_id;
%newobject drove_go_uuid_random;
%ignore drove_app_id; %rename(drove_app_id) drove_go_app_id;
%ignore drove_task_run_id; %rename(drove_task_run_id) drove_go_task_run_id;
%ignore drove_instance_id_new; %rename(drove_instance_id_new) drove_go_instance_id_new;
%ignore drove_executor_id; %rename(drove_executor_id) drove_go_executor_id;
%ignore drove_uuid_random; %rename(drove_uuid_random) drove_go_uuid_random;
%ignore drove_uuid_name;
%ignore drove_duration_parse; %rename(drove_duration_parse) drove_go_duration_parse;
%ignore drove_size_parse; %rename(drove_size_parse) drove_go_size_parse;
%ignore drove_size_bytes; %rename(drove_size_bytes) drove_go_size_bytes;
%ignore drove_log_level_parse; %rename(drove_log_level_parse) drove_go_log_level_parse;
%ignore drove_ctx_new; %rename(drove_ctx_new) drove_go_ctx_new;
%ignore drove_strlist_new; %rename(drove_strlist_new) drove_go_strlist_new;
%ignore drove_strmap_new; %rename(drove_strmap_new) drove_go_strmap_new;
%ignore drove_loop_new; %rename(drove_loop_new) drove_go_loop_new;
%ignore drove_version;
%apply (char *STRING, size_t LENGTH) { (const char *json, size_t len) };
/* a Go []int32 as (const int *, size_t) */
%typemap(gotype) (const int *cores, size_t n), (const int *physical_cores, size_t n) "[]int32"
%typemap(in) (const int *cores, size_t n), (const int *physical_cores, size_t n) {
	$1 = (int *)$input.array;
	$2 = (size_t)$input.len;
}
%ignore drove_spec_opts_new; %rename(drove_spec_opts_new) drove_go_spec_opts_new;
%ignore drove_spec_from_json; %rename(drove_spec_from_json) drove_go_spec_from_json;
%ignore drove_spec_detect_kind; %ignore drove_spec_validate; %ignore drove_spec_validate_json;
%ignore drove_spec_unknown_fields;
%ignore drove_spec_to_json; %rename(drove_spec_to_json) drove_go_spec_to_json;
%newobject drove_go_spec_to_json;
%ignore drove_sched_new; %rename(drove_sched_new) drove_go_sched_new;
%ignore drove_sched_policy_any; %rename(drove_sched_policy_any) drove_go_sched_policy_any;
%ignore drove_sched_policy_one_per_host; %rename(drove_sched_policy_one_per_host) drove_go_sched_policy_one_per_host;
%ignore drove_sched_policy_max_per_host; %rename(drove_sched_policy_max_per_host) drove_go_sched_policy_max_per_host;
%ignore drove_sched_policy_match_tag; %rename(drove_sched_policy_match_tag) drove_go_sched_policy_match_tag;
%ignore drove_sched_policy_no_tag; %rename(drove_sched_policy_no_tag) drove_go_sched_policy_no_tag;
%ignore drove_sched_policy_local; %ignore drove_sched_policy_rule;
%ignore drove_sched_policy_rule_hope; %rename(drove_sched_policy_rule_hope) drove_go_sched_policy_rule_hope;
%ignore drove_sched_policy_composite; %rename(drove_sched_policy_composite) drove_go_sched_policy_composite;
%ignore drove_sched_info_new; %ignore drove_sched_rule_eval; %ignore drove_sched_rule_eval_strict;
%ignore drove_sched_snapshot_new; %rename(drove_sched_snapshot_new) drove_go_sched_snapshot_new;
%ignore drove_sched_session_new; %rename(drove_sched_session_new) drove_go_sched_session_new;
%ignore drove_sched_place; %rename(drove_sched_place) drove_go_sched_place;
%ignore drove_sched_plan_new; %rename(drove_sched_plan_new) drove_go_sched_plan_new;
%ignore drove_sched_executor_node_free;
%ignore drove_sched_snapshot_set_vcore_map;
%inline %{
static drove_spec_opts *drove_go_spec_opts_new(void)
{ drove_spec_opts *o = NULL; drove_spec_opts_new(&o); return o; }
static drove_spec *drove_go_spec_from_json(drove_ctx *ctx, int kind, const char *json, size_t len, const drove_spec_opts *opts)
{ drove_spec *s = NULL; drove_spec_from_json(&s, ctx, kind, json, len, opts); return s; }
static char *drove_go_spec_to_json(const drove_spec *spec, int masked)
{ char *s = NULL; drove_spec_to_json(spec, masked, &s); return s; }
static drove_sched *drove_go_sched_new(drove_ctx *ctx)
{ drove_sched *s = NULL; drove_sched_new(&s, ctx); return s; }
static drove_sched_policy *drove_go_sched_policy_any(void)
{ drove_sched_policy *p = NULL; drove_sched_policy_any(&p); return p; }
static drove_sched_policy *drove_go_sched_policy_one_per_host(void)
{ drove_sched_policy *p = NULL; drove_sched_policy_one_per_host(&p); return p; }
static drove_sched_policy *drove_go_sched_policy_max_per_host(int max)
{ drove_sched_policy *p = NULL; drove_sched_policy_max_per_host(&p, max); return p; }
static drove_sched_policy *drove_go_sched_policy_match_tag(const char *tag)
{ drove_sched_policy *p = NULL; drove_sched_policy_match_tag(&p, tag); return p; }
static drove_sched_policy *drove_go_sched_policy_no_tag(void)
{ drove_sched_policy *p = NULL; drove_sched_policy_no_tag(&p); return p; }
static drove_sched_policy *drove_go_sched_policy_rule_hope(const char *rule)
{ drove_sched_policy *p = NULL; drove_sched_policy_rule_hope(&p, rule); return p; }
static drove_sched_policy *drove_go_sched_policy_composite(int combiner)
{ drove_sched_policy *p = NULL; drove_sched_policy_composite(&p, combiner); return p; }
static drove_sched_snapshot *drove_go_sched_snapshot_new(const char *id, const char *host, int port)
{ drove_sched_snapshot *s = NULL; drove_sched_snapshot_new(&s, id, host, port); return s; }
static drove_sched_session *drove_go_sched_session_new(drove_sched *sched, int kind, const char *id)
{ drove_sched_session *s = NULL; drove_sched_session_new(&s, sched, kind, id); return s; }
static drove_sched_alloc *drove_go_sched_place(drove_sched *sched, drove_sched_session *sess, const drove_sched_policy *policy, int cores, int64_t mb)
{ drove_sched_alloc *a = NULL; drove_sched_place(sched, sess, policy, cores, mb, &a); return a; }
static drove_sched_plan *drove_go_sched_plan_new(drove_sched *sched, const drove_sched_session *sess, int kind, const drove_sched_policy *policy, int cores, int64_t mb, size_t count)
{ drove_sched_plan *p = NULL; drove_sched_plan_new(&p, sched, sess, kind, policy, cores, mb, count); return p; }
%}
%newobject drove_duration_format;
%newobject drove_size_format;
%newobject drove_strlist_join;
%inline %{
static char *drove_go_app_id(const char *name, const char *version)
{ char *s = NULL; drove_app_id(name, version, &s); return s; }
static char *drove_go_task_run_id(const char *app, const char *task)
{ char *s = NULL; drove_task_run_id(app, task, &s); return s; }
static char *drove_go_instance_id_new(drove_ctx *ctx, int kind)
{ char *s = NULL; drove_instance_id_new(ctx, kind, &s); return s; }
static char *drove_go_executor_id(const char *hostname, int port)
{ char *s = (char *)malloc(DROVE_UUID_LEN + 1); if (s && drove_executor_id(hostname, port, s, DROVE_UUID_LEN + 1) < 0) { free(s); s = NULL; } return s; }
static char *drove_go_uuid_random(drove_ctx *ctx)
{ char *s = (char *)malloc(DROVE_UUID_LEN + 1); if (s && drove_uuid_random(ctx, s, DROVE_UUID_LEN + 1) < 0) { free(s); s = NULL; } return s; }
static drove_duration drove_go_duration_parse(const char *s)
{ drove_duration d = {0, 0}; drove_duration_parse(s, &d); return d; }
static drove_size drove_go_size_parse(const char *s)
{ drove_size z = {0, 0}; drove_size_parse(s, &z); return z; }
static int64_t drove_go_size_bytes(const drove_size *z)
{ int64_t b = 0; drove_size_bytes(z, &b); return b; }
static int drove_go_log_level_parse(const char *name)
{ int l = 0; drove_log_level_parse(name, &l); return l; }
static drove_ctx *drove_go_ctx_new(void)
{ drove_ctx *c = NULL; drove_ctx_new(&c); return c; }
static drove_strlist *drove_go_strlist_new(void)
{ drove_strlist *l = NULL; drove_strlist_new(&l); return l; }
static drove_strmap *drove_go_strmap_new(void)
{ drove_strmap *m = NULL; drove_strmap_new(&m); return m; }
static drove_loop *drove_go_loop_new(drove_ctx *ctx)
{ drove_loop *l = NULL; drove_loop_new(&l, ctx); return l; }
%}
#endif

/* Every problem of a JSON spec, one "path: message" per entry; empty when it is valid.
 * (drove_spec_validate_json() itself raises on an invalid spec, losing the list.) */
%newobject drove_spec_problems;
%inline %{
static drove_strlist *drove_spec_problems(drove_ctx *ctx, const char *json,
                                          const drove_spec_opts *opts)
{
	drove_strlist *errs = NULL;
	int rc = drove_spec_validate_json(ctx, json, strlen(json), opts, &errs);
	if (!errs && drove_strlist_new(&errs) < 0)
		return NULL;
	if (rc < 0 && drove_strlist_count(errs) == 0)
		drove_strlist_add(errs, drove_error_last()->message);
	drove_error_clear();
	return errs;
}
%}
%typemap(newfree) drove_strlist * "drove_strlist_free($1);";

/* drove_spec_get_kind in the target languages (the name the bindings have always used) */
%rename(drove_spec_get_kind) drove_spec_kind(const drove_spec *);

/* Callbacks are C-only. */
%ignore drove_sched_strategy_register;
%ignore drove_sched_score_fn;
%ignore drove_ctx_set_log;
%ignore drove_log_fn;
%ignore drove_loop_post;
%ignore drove_loop_after;
%ignore drove_loop_fn;

/* Three enum tags share their names with the typed client's getters (client.h): C keeps enum
 * tags apart from functions, SWIG does not and dropped the getters. The enum types are renamed
 * (their constants keep their names; neither language uses the type's name), the getters keep
 * theirs. */
%rename(drove_instance_state_e) drove_instance_state;
%rename(drove_instance_state) drove_instance_state(const drove_instance *);
%rename(drove_task_state_e) drove_task_state;
%rename(drove_task_state) drove_task_state(const drove_task *);
%rename(drove_task_result_status_e) drove_task_result_status;
%rename(drove_task_result_status) drove_task_result_status(const drove_task *);

#define DROVE_API
#define DROVE_BEGIN_DECLS
#define DROVE_END_DECLS
#define DROVE_DEPRECATED
%include <drove/version.h>
%immutable drove_error::message;
%include <drove/common.h>
%include <drove/ctx.h>
%include <drove/units.h>
%include <drove/ids.h>
%include <drove/clock.h>
%include <drove/strlist.h>
%include <drove/loop.h>
%include <drove/model.h>
%include <drove/spec.h>
%include <drove/sched.h>
#ifndef SWIGGO
/* Go drives the client through the cgo package bindings/go (idiomatic errors, contexts). */
%include <drove/client.h>
#endif
