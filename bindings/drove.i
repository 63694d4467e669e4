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
%module drove

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
%typemap(out) int drove_id_is_valid_name, int drove_strlist_contains
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

/* Callbacks and the raw event base are C-only. */
%ignore drove_ctx_set_log;
%ignore drove_log_fn;
%ignore drove_loop_post;
%ignore drove_loop_after;
%ignore drove_loop_fn;
%ignore drove_loop_event_base;

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
