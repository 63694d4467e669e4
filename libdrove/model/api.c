/* The public spec API (include/drove/spec.h) over the internal model. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/ids.h>
#include <drove/spec.h>
#include "core/internal.h"
#include "model/codec.h"
#include "model/model.h"

struct drove_spec {
	int kind;
	union {
		drove_app_spec *app; /* application and local service */
		drove_task_spec *task;
	} u;
	char *id;
};

/* ---- options ---- */

int drove_spec_opts_new(drove_spec_opts **out)
{
	DROVE_CHECK_ARG(out);
	if (!(*out = calloc(1, sizeof(**out))))
		return drove__enomem();
	return 0;
}

void drove_spec_opts_free(drove_spec_opts *opts)
{
	if (!opts)
		return;
	drove_strlist_free(opts->allowed_mount_dirs);
	free(opts);
}

int drove_spec_opts_add_allowed_mount_dir(drove_spec_opts *opts, const char *dir)
{
	int rc;
	DROVE_CHECK_ARG(opts && dir && *dir);
	if (!opts->allowed_mount_dirs && (rc = drove_strlist_new(&opts->allowed_mount_dirs)) < 0)
		return rc;
	return drove_strlist_add(opts->allowed_mount_dirs, dir);
}

void drove_spec_opts_set_disable_cmdl_args(drove_spec_opts *opts, int on)
{
	if (opts)
		opts->disable_cmdl_args = on != 0;
}

void drove_spec_opts_set_enable_raw_device_access(drove_spec_opts *opts, int on)
{
	if (opts)
		opts->enable_raw_device_access = on != 0;
}

void drove_spec_opts_set_strict(drove_spec_opts *opts, int on)
{
	if (opts)
		opts->strict = on != 0;
}

/* ---- kind detection ---- */

const char *drove_spec_kind_name(int kind)
{
	switch (kind) {
	case DROVE_KIND_APP:
		return "application";
	case DROVE_KIND_TASK:
		return "task";
	case DROVE_KIND_LOCAL_SERVICE:
		return "local service";
	default:
		return "unknown";
	}
}

static int detect(struct json_object *j, int *out)
{
	struct json_object *t = NULL;

	if (!json_object_is_type(j, json_type_object))
		return drove__error(DROVE_EINVAL, "(document): expected an object, got %s",
		                    json_type_to_name(json_object_get_type(j)));
	if (json_object_object_get_ex(j, "type", &t) && json_object_is_type(t, json_type_string)) {
		const char *s = json_object_get_string(t);
		if (drove__streq_nocase(s, "LOCAL_SERVICE")) {
			*out = DROVE_KIND_LOCAL_SERVICE;
			return 0;
		}
		if (drove__streq_nocase(s, "SERVICE")) {
			*out = DROVE_KIND_APP;
			return 0;
		}
	}
	if (json_object_object_get_ex(j, "sourceAppName", NULL) ||
	    json_object_object_get_ex(j, "taskId", NULL)) {
		*out = DROVE_KIND_TASK;
		return 0;
	}
	if (json_object_object_get_ex(j, "name", NULL)) {
		/* an application unless its placement is LOCAL */
		struct json_object *p = NULL, *pt = NULL;
		if (json_object_object_get_ex(j, "placementPolicy", &p) &&
		    json_object_object_get_ex(p, "type", &pt) &&
		    drove__streq_nocase(json_object_get_string(pt), "LOCAL"))
			*out = DROVE_KIND_LOCAL_SERVICE;
		else
			*out = DROVE_KIND_APP;
		return 0;
	}
	return drove__error(DROVE_EINVAL, "cannot tell the kind of spec: no \"type\" "
	                                  "(SERVICE or LOCAL_SERVICE), \"name\" or \"taskId\"");
}

int drove_spec_detect_kind(const char *json, size_t len, int *out)
{
	struct json_object *j = NULL;
	int rc, kind = 0;

	DROVE_CHECK_ARG(json && out);
	if ((rc = drove__mcodec_parse(json, len, &j)) < 0)
		return rc;
	rc = detect(j, &kind);
	json_object_put(j);
	if (rc == 0)
		*out = kind;
	return rc;
}

/* ---- parsing ---- */

static void spec_free_parts(drove_spec *s)
{
	if (s->kind == DROVE_KIND_TASK)
		drove__task_spec_free(s->u.task);
	else if (s->kind == DROVE_KIND_LOCAL_SERVICE)
		drove__ls_spec_free(s->u.app);
	else
		drove__app_spec_free(s->u.app);
}

void drove_spec_free(drove_spec *spec)
{
	if (!spec)
		return;
	spec_free_parts(spec);
	free(spec->id);
	free(spec);
}

/* Decode a parsed document of `kind` (0: detect) into a new spec; errors collected. With
 * `partial`, a spec is handed out on DROVE_EINVAL too (what could be decoded). */
static int spec_decode(struct json_object *j, int kind, const drove_spec_opts *opts, bool partial,
                       drove_spec **out, drove_strlist *errors, drove_strlist *unknown)
{
	unsigned flags = (opts && opts->strict ? DROVE_MODEL_STRICT : 0) |
	                 (partial ? DROVE_MODEL_PARTIAL : 0);
	drove_spec *s;
	int rc, idrc = 0;

	if (kind == DROVE_KIND_UNKNOWN && (rc = detect(j, &kind)) < 0) {
		if (errors && drove_strlist_add(errors, drove_error_last()->message) < 0)
			return DROVE_ENOMEM;
		return rc;
	}
	if (kind < DROVE_KIND_APP || kind > DROVE_KIND_LOCAL_SERVICE)
		return drove__error(DROVE_EINVAL, "unknown spec kind %d", kind);
	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	s->kind = kind;
	if (kind == DROVE_KIND_TASK)
		rc = drove__task_spec_from_jobj(j, flags, &s->u.task, errors, unknown);
	else if (kind == DROVE_KIND_LOCAL_SERVICE)
		rc = drove__ls_spec_from_jobj(j, flags, &s->u.app, errors, unknown);
	else
		rc = drove__app_spec_from_jobj(j, flags, &s->u.app, errors, unknown);
	if (!s->u.app && !s->u.task) {
		free(s);
		return rc;
	}
	if (rc == 0) {
		if (kind == DROVE_KIND_TASK) {
			if (s->u.task->source_app_name && s->u.task->task_id)
				idrc = drove_task_run_id(s->u.task->source_app_name,
				                         s->u.task->task_id, &s->id);
		} else if (s->u.app->name && s->u.app->version) {
			idrc = drove_app_id(s->u.app->name, s->u.app->version, &s->id);
		}
		if (idrc == DROVE_ENOMEM) {
			drove_spec_free(s);
			return idrc;
		}
		drove_error_clear(); /* an invalid name is for validation to report */
	}
	*out = s;
	return rc;
}

int drove_spec_from_json(drove_spec **out, drove_ctx *ctx, int kind, const char *json, size_t len,
                         const drove_spec_opts *opts)
{
	struct json_object *j = NULL;
	int rc;

	DROVE_CHECK_ARG(out && json);
	(void)ctx;
	if ((rc = drove__mcodec_parse(json, len, &j)) < 0)
		return rc;
	rc = spec_decode(j, kind, opts, false, out, NULL, NULL);
	json_object_put(j);
	return rc;
}

static int spec_validate(const drove_spec *spec, const drove_spec_opts *opts, drove_strlist *errors)
{
	if (spec->kind == DROVE_KIND_TASK)
		return drove__task_spec_validate(spec->u.task, opts, NULL, errors);
	if (spec->kind == DROVE_KIND_LOCAL_SERVICE)
		return drove__ls_spec_validate(spec->u.app, opts, NULL, errors);
	return drove__app_spec_validate(spec->u.app, opts, NULL, errors);
}

/* Hand the list over on EINVAL; free it otherwise. */
static int finish(int rc, drove_strlist *errors, drove_strlist **errors_out)
{
	if (rc == DROVE_EINVAL && drove_strlist_count(errors) > 0) {
		char *first = drove__strdup(drove_strlist_get(errors, 0));
		size_t n = drove_strlist_count(errors);
		if (n > 1)
			drove__error(DROVE_EINVAL, "%s (and %zu more)", first ? first : "", n - 1);
		else
			drove__error(DROVE_EINVAL, "%s", first ? first : "");
		free(first);
	}
	if (rc == DROVE_EINVAL && errors_out)
		*errors_out = errors;
	else
		drove_strlist_free(errors);
	return rc;
}

int drove_spec_validate(const drove_spec *spec, const drove_spec_opts *opts,
                        drove_strlist **errors_out)
{
	drove_strlist *errors = NULL;
	int rc;

	DROVE_CHECK_ARG(spec);
	if ((rc = drove_strlist_new(&errors)) < 0)
		return rc;
	rc = spec_validate(spec, opts, errors);
	if (rc > 0)
		rc = DROVE_EINVAL;
	return finish(rc, errors, errors_out);
}

/* The path of a "path: message" entry: its length. */
static size_t path_len(const char *e)
{
	const char *c = strstr(e, ": ");
	return c ? (size_t)(c - e) : strlen(e);
}

/* A validation error that only repeats a decode error: at or below a path that failed to
 * decode, or inside an object whose polymorphic `type` could not be decoded. */
static bool repeats(const drove_strlist *decode_errors, size_t n_decode, const char *e)
{
	size_t elen = path_len(e);
	for (size_t i = 0; i < n_decode; i++) {
		const char *d = drove_strlist_get(decode_errors, i);
		size_t dlen = path_len(d);
		if (elen >= dlen && strncmp(d, e, dlen) == 0 &&
		    (elen == dlen || e[dlen] == '.' || e[dlen] == '['))
			return true;
		if (dlen > 5 && strncmp(d + dlen - 5, ".type", 5) == 0) {
			size_t base = dlen - 5;
			if (elen >= base && strncmp(d, e, base) == 0 &&
			    (elen == base || e[base] == '.' || e[base] == '['))
				return true;
		}
	}
	return false;
}

int drove_spec_validate_json(drove_ctx *ctx, const char *json, size_t len,
                             const drove_spec_opts *opts, drove_strlist **errors_out)
{
	struct json_object *j = NULL;
	drove_strlist *errors = NULL, *verrors = NULL;
	drove_spec *spec = NULL;
	size_t n_decode;
	int rc, n;

	DROVE_CHECK_ARG(json);
	(void)ctx;
	if ((rc = drove_strlist_new(&errors)) < 0)
		return rc;
	if ((rc = drove__mcodec_parse(json, len, &j)) < 0) {
		if (rc == DROVE_EINVAL &&
		    drove_strlist_add(errors, drove_error_last()->message) < 0)
			rc = DROVE_ENOMEM;
		return finish(rc, errors, errors_out);
	}
	rc = spec_decode(j, DROVE_KIND_UNKNOWN, opts, true, &spec, errors, NULL);
	json_object_put(j);
	if (!spec || (rc < 0 && rc != DROVE_EINVAL))
		goto out;
	/* validate what did decode, so that every problem is reported at once */
	if ((n = drove_strlist_new(&verrors)) < 0 || (n = spec_validate(spec, opts, verrors)) < 0) {
		rc = n;
		goto out;
	}
	n_decode = drove_strlist_count(errors);
	for (size_t i = 0; i < drove_strlist_count(verrors); i++) {
		const char *e = drove_strlist_get(verrors, i);
		if (repeats(errors, n_decode, e))
			continue;
		if (drove_strlist_add(errors, e) < 0) {
			rc = DROVE_ENOMEM;
			goto out;
		}
	}
	if (drove_strlist_count(errors) > 0)
		rc = DROVE_EINVAL;
out:
	drove_strlist_free(verrors);
	drove_spec_free(spec);
	return finish(rc, errors, errors_out);
}

int drove_spec_unknown_fields(const char *json, size_t len, drove_strlist **out)
{
	struct json_object *j = NULL;
	drove_strlist *unknown = NULL;
	drove_spec *spec = NULL;
	int rc;

	DROVE_CHECK_ARG(json && out);
	if ((rc = drove__mcodec_parse(json, len, &j)) < 0)
		return rc;
	if ((rc = drove_strlist_new(&unknown)) < 0) {
		json_object_put(j);
		return rc;
	}
	rc = spec_decode(j, DROVE_KIND_UNKNOWN, NULL, false, &spec, NULL, unknown);
	json_object_put(j);
	drove_spec_free(spec);
	if (rc < 0) {
		drove_strlist_free(unknown);
		return rc;
	}
	*out = unknown;
	return 0;
}

/* ---- output and getters ---- */

int drove_spec_to_json(const drove_spec *spec, int masked, char **out)
{
	int rc;

	DROVE_CHECK_ARG(spec && out);
	if (spec->kind == DROVE_KIND_TASK) {
		drove_task_spec *c = NULL;
		if (!masked)
			return drove__task_spec_encode(spec->u.task, out);
		if ((rc = drove__task_spec_copy(spec->u.task, &c)) < 0)
			return rc;
		if ((rc = drove__task_spec_mask(c)) == 0)
			rc = drove__task_spec_encode(c, out);
		drove__task_spec_free(c);
		return rc;
	} else {
		bool ls = spec->kind == DROVE_KIND_LOCAL_SERVICE;
		drove_app_spec *c = NULL;
		if (!masked)
			return ls ? drove__ls_spec_encode(spec->u.app, out)
			          : drove__app_spec_encode(spec->u.app, out);
		rc = ls ? drove__ls_spec_copy(spec->u.app, &c)
		        : drove__app_spec_copy(spec->u.app, &c);
		if (rc < 0)
			return rc;
		if ((rc = drove__app_spec_mask(c)) == 0)
			rc = ls ? drove__ls_spec_encode(c, out) : drove__app_spec_encode(c, out);
		drove__app_spec_free(c);
		return rc;
	}
}

int drove_spec_kind(const drove_spec *spec)
{
	return spec ? spec->kind : DROVE_KIND_UNKNOWN;
}

const char *drove_spec_name(const drove_spec *spec)
{
	if (!spec)
		return NULL;
	return spec->kind == DROVE_KIND_TASK ? spec->u.task->task_id : spec->u.app->name;
}

const char *drove_spec_version(const drove_spec *spec)
{
	return spec && spec->kind != DROVE_KIND_TASK ? spec->u.app->version : NULL;
}

const char *drove_spec_source_app_name(const drove_spec *spec)
{
	return spec && spec->kind == DROVE_KIND_TASK ? spec->u.task->source_app_name : NULL;
}

const char *drove_spec_id(const drove_spec *spec)
{
	return spec ? spec->id : NULL;
}

int64_t drove_spec_cpu_count(const drove_spec *spec)
{
	if (!spec)
		return 0;
	if (spec->kind == DROVE_KIND_TASK)
		return drove__resources_cpus(spec->u.task->resources, spec->u.task->n_resources);
	return drove__resources_cpus(spec->u.app->resources, spec->u.app->n_resources);
}

int64_t drove_spec_memory_mb(const drove_spec *spec)
{
	if (!spec)
		return 0;
	if (spec->kind == DROVE_KIND_TASK)
		return drove__resources_memory_mb(spec->u.task->resources,
		                                  spec->u.task->n_resources);
	return drove__resources_memory_mb(spec->u.app->resources, spec->u.app->n_resources);
}

const char *drove_spec_image(const drove_spec *spec)
{
	const drove_executable *e;
	if (!spec)
		return NULL;
	e = spec->kind == DROVE_KIND_TASK ? spec->u.task->executable : spec->u.app->executable;
	return e ? e->url : NULL;
}
