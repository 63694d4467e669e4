/* The generic, table-driven JSON codec of the model (see codec.h). */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/internal.h"
#include "model/codec.h"

/* ---- enums ---- */

int drove__menum_parse(const struct menum *e, const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < e->count; i++)
		if (drove__streq_nocase(e->names[i], name))
			return i;
	for (const struct malias *a = e->aliases; a && a->name; a++)
		if (drove__streq_nocase(a->name, name))
			return a->value;
	return -1;
}

const char *drove__menum_name(const struct menum *e, int v)
{
	return v >= 0 && v < e->count ? e->names[v] : NULL;
}

/* ---- field access ---- */

#define AT(obj, off, T)  ((T *)(void *)((char *)(obj) + (off)))
#define CAT(obj, off, T) ((T const *)(const void *)((const char *)(obj) + (off)))

static bool field_applies(const struct mfield *f, int variant)
{
	return f->variants == 0 || variant < 0 || (f->variants & (1u << variant));
}

static int obj_variant(const struct mtype *t, const void *obj)
{
	return t->type_enum ? *CAT(obj, t->type_off, int) : -1;
}

/* ---- parsing with caps ---- */

int drove__mcodec_parse(const char *json, size_t len, struct json_object **out)
{
	return drove__mcodec_parse_max(json, len, DROVE_MODEL_MAX_SIZE, out);
}

int drove__mcodec_parse_max(const char *json, size_t len, size_t max, struct json_object **out)
{
	struct json_tokener *tok;
	struct json_object *j;
	enum json_tokener_error jerr;
	size_t end;

	DROVE_CHECK_ARG(json && out && max <= INT_MAX);
	if (len > max)
		return drove__error(DROVE_EINVAL, "document too large: %zu bytes (at most %zu)",
		                    len, max);
	if (!(tok = json_tokener_new_ex(DROVE_MODEL_MAX_DEPTH)))
		return drove__enomem();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	j = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(j);
		return drove__error(DROVE_EINVAL, "invalid json: unexpected end of input");
	}
	if (jerr == json_tokener_error_depth) {
		json_object_put(j);
		return drove__error(DROVE_EINVAL, "invalid json: nested deeper than %d levels",
		                    DROVE_MODEL_MAX_DEPTH);
	}
	if (jerr != json_tokener_success) {
		json_object_put(j);
		return drove__error(DROVE_EINVAL, "invalid json at offset %zu: %s", end,
		                    json_tokener_error_desc(jerr));
	}
	for (size_t i = end; i < len; i++) {
		char c = json[i];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			json_object_put(j);
			return drove__error(DROVE_EINVAL,
			                    "invalid json: trailing data at offset %zu", i);
		}
	}
	*out = j;
	return 0;
}

/* ---- decoding ---- */

struct dec {
	unsigned flags;
	drove_strlist *errors, *unknown;
	char *first; /* first error */
	int nerr;
	bool oom;
	drove__buf path;
	unsigned news; /* DROVE_MODEL_NEW_NAMES: the extensible enums that held a new name */
};

static size_t path_push_field(struct dec *d, const char *name)
{
	size_t mark = d->path.len;
	if (mark > 0 && drove__buf_putc(&d->path, '.') < 0)
		d->oom = true;
	if (drove__buf_puts(&d->path, name) < 0)
		d->oom = true;
	return mark;
}

static size_t path_push_index(struct dec *d, size_t i)
{
	size_t mark = d->path.len;
	if (drove__buf_printf(&d->path, "[%zu]", i) < 0)
		d->oom = true;
	return mark;
}

static void path_pop(struct dec *d, size_t mark)
{
	if (d->path.data && mark <= d->path.len) {
		d->path.len = mark;
		d->path.data[mark] = '\0';
	}
}

static void dec_err(struct dec *d, const char *fmt, ...) DROVE_PRINTF(2, 3);
static void dec_err(struct dec *d, const char *fmt, ...)
{
	drove__buf b = DROVE_BUF_INIT;
	va_list ap;
	int rc;

	rc = drove__buf_puts(&b, d->path.len ? d->path.data : "(document)");
	if (rc == 0)
		rc = drove__buf_puts(&b, ": ");
	va_start(ap, fmt);
	if (rc == 0)
		rc = drove__buf_vprintf(&b, fmt, ap);
	va_end(ap);
	d->nerr++;
	if (rc < 0) {
		d->oom = true;
		drove__buf_free(&b);
		return;
	}
	if (d->errors && drove_strlist_add(d->errors, b.data) < 0)
		d->oom = true;
	if (!d->first)
		d->first = drove__buf_steal(&b);
	drove__buf_free(&b);
}

static void dec_unknown(struct dec *d, const char *key)
{
	size_t mark = path_push_field(d, key);
	if (d->unknown) {
		char *s = drove__asprintf("%s: unknown field", d->path.data ? d->path.data : key);
		if (!s || drove_strlist_add(d->unknown, s) < 0)
			d->oom = true;
		free(s);
	}
	if (d->flags & DROVE_MODEL_STRICT)
		dec_err(d, "unknown field");
	path_pop(d, mark);
}

static const char *jtype(struct json_object *j)
{
	return json_type_to_name(json_object_get_type(j));
}

static bool get_int64(struct dec *d, struct json_object *j, int64_t *v)
{
	if (!json_object_is_type(j, json_type_int)) {
		dec_err(d, "expected an integer, got %s", jtype(j));
		return false;
	}
	errno = 0;
	*v = json_object_get_int64(j);
	if (errno == ERANGE || (*v == INT64_MAX && json_object_get_uint64(j) > INT64_MAX)) {
		dec_err(d, "%s is out of range", json_object_get_string(j));
		return false;
	}
	return true;
}

static bool get_int(struct dec *d, struct json_object *j, int *v)
{
	int64_t x;
	if (!get_int64(d, j, &x))
		return false;
	if (x < INT_MIN || x > INT_MAX) {
		dec_err(d, "%lld is out of range", (long long)x);
		return false;
	}
	*v = (int)x;
	return true;
}

static bool expect(struct dec *d, struct json_object *j, enum json_type type, const char *what)
{
	if (json_object_is_type(j, type))
		return true;
	dec_err(d, "expected %s, got %s", what, jtype(j));
	return false;
}

static void enum_expected(drove__buf *b, const struct menum *e)
{
	for (int i = 0; i < e->count; i++) {
		if (i)
			drove__buf_puts(b, ", ");
		drove__buf_puts(b, e->names[i]);
	}
}

static void bad_enum(struct dec *d, const struct menum *e, const char *what, const char *v)
{
	drove__buf b = DROVE_BUF_INIT;
	enum_expected(&b, e);
	dec_err(d, "unknown %s \"%s\" (expected one of %s)", what, v, b.data ? b.data : "");
	drove__buf_free(&b);
}

static int decode_obj(struct dec *d, const struct mtype *t, struct json_object *j, void *obj);

static void decode_strlist(struct dec *d, struct json_object *j, char ***items, size_t *count)
{
	size_t n;
	if (!expect(d, j, json_type_array, "an array"))
		return;
	n = json_object_array_length(j);
	if (n == 0)
		return;
	if (!(*items = calloc(n, sizeof(char *)))) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(j, i);
		size_t mark = path_push_index(d, i);
		if (e && expect(d, e, json_type_string, "a string")) {
			if (!((*items)[*count] = drove__strdup(json_object_get_string(e))))
				d->oom = true;
			else
				(*count)++;
		} else if (!e) {
			dec_err(d, "expected a string, got null");
		}
		path_pop(d, mark);
	}
}

static void decode_intlist(struct dec *d, struct json_object *j, int **items, size_t *count)
{
	size_t n;
	if (!expect(d, j, json_type_array, "an array"))
		return;
	n = json_object_array_length(j);
	if (n == 0)
		return;
	if (!(*items = calloc(n, sizeof(int)))) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(j, i);
		size_t mark = path_push_index(d, i);
		int v;
		if (!e)
			dec_err(d, "expected an integer, got null");
		else if (get_int(d, e, &v))
			(*items)[(*count)++] = v;
		path_pop(d, mark);
	}
}

static bool parse_node_key(struct dec *d, const char *key, int *node)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(key, &end, 10);
	if (!*key || *end || errno || v < 0 || v > INT_MAX) {
		dec_err(d, "NUMA node key \"%s\" is not a non-negative integer", key);
		return false;
	}
	*node = (int)v;
	return true;
}

static void decode_map(struct dec *d, const struct mfield *f, struct json_object *j, void *obj)
{
	drove_strmap **mp = AT(obj, f->off, drove_strmap *);
	if (!expect(d, j, json_type_object, "an object"))
		return;
	if (!*mp && drove_strmap_new(mp) < 0) {
		d->oom = true;
		return;
	}
	json_object_object_foreach(j, key, val)
	{
		size_t mark = path_push_field(d, key);
		if (val == NULL) {
			/* null values are dropped */
		} else if (f->kind == MK_STRMAP) {
			if (expect(d, val, json_type_string, "a string") &&
			    drove_strmap_set(*mp, key, json_object_get_string(val)) < 0)
				d->oom = true;
		} else if (json_object_is_type(val, json_type_object) ||
		           json_object_is_type(val, json_type_array)) {
			dec_err(d, "expected a scalar, got %s", jtype(val));
		} else if (drove_strmap_set(*mp, key, json_object_get_string(val)) < 0) {
			d->oom = true;
		}
		path_pop(d, mark);
	}
}

static void decode_numa(struct dec *d, const struct mfield *f, struct json_object *j, void *obj)
{
	size_t n, *count = AT(obj, f->cnt_off, size_t);
	bool cores = f->kind == MK_NUMA_CORES;
	void *arr;

	if (!expect(d, j, json_type_object, "an object"))
		return;
	n = (size_t)json_object_object_length(j);
	if (n == 0)
		return;
	arr = calloc(n, cores ? sizeof(drove_numa_cores) : sizeof(drove_numa_mem));
	if (!arr) {
		d->oom = true;
		return;
	}
	*AT(obj, f->off, void *) = arr;
	json_object_object_foreach(j, key, val)
	{
		size_t mark = path_push_field(d, key);
		int node;
		if (val && parse_node_key(d, key, &node)) {
			if (cores) {
				drove_numa_cores *c = (drove_numa_cores *)arr + *count;
				c->node = node;
				decode_intlist(d, val, &c->cores, &c->n_cores);
				(*count)++;
			} else {
				drove_numa_mem *m = (drove_numa_mem *)arr + *count;
				int64_t v;
				if (get_int64(d, val, &v)) {
					m->node = node;
					m->mb = v;
					(*count)++;
				}
			}
		}
		path_pop(d, mark);
	}
}

static void decode_objarr(struct dec *d, const struct mfield *f, struct json_object *j, void *obj)
{
	const struct mtype *et = f->aux;
	size_t n, *count = AT(obj, f->cnt_off, size_t);
	char *arr;

	if (!expect(d, j, f->kind == MK_OBJMAP ? json_type_object : json_type_array,
	            f->kind == MK_OBJMAP ? "an object" : "an array"))
		return;
	n = f->kind == MK_OBJMAP ? (size_t)json_object_object_length(j)
	                         : json_object_array_length(j);
	if (n == 0)
		return;
	if (!(arr = calloc(n, et->size))) {
		d->oom = true;
		return;
	}
	*AT(obj, f->off, void *) = arr;
	if (f->kind == MK_OBJARR) {
		for (size_t i = 0; i < n; i++) {
			size_t mark = path_push_index(d, i);
			struct json_object *e = json_object_array_get_idx(j, i);
			if (!e)
				dec_err(d, "expected an object, got null");
			else
				decode_obj(d, et, e, arr + *count * et->size);
			(*count)++; /* keep failed elements so indexes match the input */
			path_pop(d, mark);
		}
		return;
	}
	json_object_object_foreach(j, key, val)
	{
		size_t mark = path_push_field(d, key);
		void *e = arr + *count * et->size;
		(*count)++;
		if (et->key_off && !(*AT(e, et->key_off - 1, char *) = drove__strdup(key)))
			d->oom = true;
		if (!val)
			dec_err(d, "expected an object, got null");
		else
			decode_obj(d, et, val, e);
		path_pop(d, mark);
	}
}

static void decode_field(struct dec *d, const struct mfield *f, struct json_object *j, void *obj)
{
	switch (f->kind) {
	case MK_STR:
		if (expect(d, j, json_type_string, "a string") &&
		    !(*AT(obj, f->off, char *) = drove__strdup(json_object_get_string(j))))
			d->oom = true;
		break;
	case MK_INT:
		if (!get_int(d, j, AT(obj, f->off, int)))
			return;
		break;
	case MK_I64:
		if (!get_int64(d, j, AT(obj, f->off, int64_t)))
			return;
		break;
	case MK_BOOL:
		if (!expect(d, j, json_type_boolean, "a boolean"))
			return;
		*AT(obj, f->off, bool) = json_object_get_boolean(j);
		break;
	case MK_DUR:
		if (!expect(d, j, json_type_string, "a duration string"))
			return;
		if (drove_duration_parse(json_object_get_string(j),
		                         AT(obj, f->off, drove_duration)) < 0) {
			dec_err(d, "invalid duration \"%s\"", json_object_get_string(j));
			return;
		}
		break;
	case MK_ENUM: {
		int v;
		const struct menum *e = f->aux;
		if (!expect(d, j, json_type_string, "a string"))
			return;
		if ((v = drove__menum_parse(e, json_object_get_string(j))) < 0) {
			if (!e->news || !(d->flags & DROVE_MODEL_NEW_NAMES)) {
				bad_enum(d, e, "value", json_object_get_string(j));
				return;
			}
			v = e->other; /* a name newer than this build */
			d->news |= e->news;
		}
		*AT(obj, f->off, int) = v;
		break;
	}
	case MK_STRMAP:
	case MK_EVMETA:
		decode_map(d, f, j, obj);
		return;
	case MK_STRLIST:
		decode_strlist(d, j, AT(obj, f->off, char **), AT(obj, f->cnt_off, size_t));
		return;
	case MK_INTLIST:
		decode_intlist(d, j, AT(obj, f->off, int *), AT(obj, f->cnt_off, size_t));
		return;
	case MK_STRLISTLIST: {
		drove_string_array **arr = AT(obj, f->off, drove_string_array *);
		size_t n, *count = AT(obj, f->cnt_off, size_t);
		if (!expect(d, j, json_type_array, "an array"))
			return;
		if ((n = json_object_array_length(j)) == 0)
			return;
		if (!(*arr = calloc(n, sizeof(**arr)))) {
			d->oom = true;
			return;
		}
		for (size_t i = 0; i < n; i++) {
			size_t mark = path_push_index(d, i);
			struct json_object *e = json_object_array_get_idx(j, i);
			if (!e)
				dec_err(d, "expected an array, got null");
			else
				decode_strlist(d, e, &(*arr)[i].items, &(*arr)[i].n_items);
			(*count)++;
			path_pop(d, mark);
		}
		return;
	}
	case MK_OBJ: {
		const struct mtype *st = f->aux;
		void *sub;
		if (!expect(d, j, json_type_object, "an object"))
			return; /* left NULL: absent */
		if (!(sub = calloc(1, st->size))) {
			d->oom = true;
			return;
		}
		*AT(obj, f->off, void *) = sub;
		decode_obj(d, st, j, sub);
		return;
	}
	case MK_OBJARR:
	case MK_OBJMAP:
		decode_objarr(d, f, j, obj);
		return;
	case MK_BYTES: {
		const char *s;
		unsigned char *data = NULL;
		size_t n = 0;
		if (!expect(d, j, json_type_string, "a base64 string"))
			return;
		s = json_object_get_string(j);
		if (drove__base64_decode(s, strlen(s), &data, &n) < 0) {
			if (drove_error_last()->code == DROVE_ENOMEM)
				d->oom = true;
			else
				dec_err(d, "invalid base64");
			return;
		}
		*AT(obj, f->off, unsigned char *) = data;
		*AT(obj, f->cnt_off, size_t) = n;
		return;
	}
	case MK_NUMA_CORES:
	case MK_NUMA_MEM:
		decode_numa(d, f, j, obj);
		return;
	case MK_CONST:
		return;
	}
	if (f->has_off)
		*AT(obj, f->has_off - 1, bool) = true;
}

static int decode_obj(struct dec *d, const struct mtype *t, struct json_object *j, void *obj)
{
	int variant = -1;

	if (!expect(d, j, json_type_object, "an object"))
		return -1;
	if (t->type_enum) {
		struct json_object *tj = NULL;
		size_t mark;
		json_object_object_get_ex(j, "type", &tj);
		mark = path_push_field(d, "type");
		if (!tj) {
			if (t->default_type < 0) {
				drove__buf b = DROVE_BUF_INIT;
				enum_expected(&b, t->type_enum);
				dec_err(d, "missing (expected one of %s)", b.data ? b.data : "");
				drove__buf_free(&b);
				path_pop(d, mark);
				return -1;
			}
			variant = t->default_type;
		} else if (!json_object_is_type(tj, json_type_string)) {
			dec_err(d, "expected a string, got %s", jtype(tj));
			path_pop(d, mark);
			return -1;
		} else if ((variant = drove__menum_parse(t->type_enum,
		                                         json_object_get_string(tj))) < 0) {
			bad_enum(d, t->type_enum, "type", json_object_get_string(tj));
			path_pop(d, mark);
			return -1;
		}
		path_pop(d, mark);
		*AT(obj, t->type_off, int) = variant;
	}
	json_object_object_foreach(j, key, val)
	{
		const struct mfield *f = NULL;
		size_t mark;
		for (size_t i = 0; i < t->nfields; i++) {
			if (strcmp(t->fields[i].name, key) == 0 &&
			    field_applies(&t->fields[i], variant)) {
				f = &t->fields[i];
				break;
			}
		}
		if (!f) {
			if (!(t->type_enum && strcmp(key, "type") == 0))
				dec_unknown(d, key);
			continue;
		}
		if (!val || f->kind == MK_CONST)
			continue; /* null is absent */
		mark = path_push_field(d, key);
		decode_field(d, f, val, obj);
		path_pop(d, mark);
	}
	return 0;
}

static int dec_finish(struct dec *d, const struct mtype *t, void *obj, void **out)
{
	bool partial = (d->flags & DROVE_MODEL_PARTIAL) && !d->oom;
	int rc = 0;
	if (d->oom) {
		rc = drove__enomem();
	} else if (d->nerr > 0) {
		if (d->nerr > 1)
			rc = drove__error(DROVE_EINVAL, "%s (and %d more)", d->first, d->nerr - 1);
		else
			rc = drove__error(DROVE_EINVAL, "%s", d->first);
	}
	free(d->first);
	drove__buf_free(&d->path);
	if (rc < 0 && !partial) {
		drove__mcodec_free(t, obj);
		return rc;
	}
	*out = obj;
	return rc;
}

int drove__mcodec_decode_news(const struct mtype *t, struct json_object *j, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown,
                              unsigned *news)
{
	struct dec d = {flags, errors, unknown, NULL, 0, false, DROVE_BUF_INIT, 0};
	void *obj;

	if (news)
		*news = 0;
	DROVE_CHECK_ARG(t && out);
	if (!(obj = calloc(1, t->size)))
		return drove__enomem();
	if (!j)
		dec_err(&d, "expected an object, got null");
	else
		decode_obj(&d, t, j, obj);
	if (news)
		*news = d.news;
	return dec_finish(&d, t, obj, out);
}

int drove__mcodec_decode_jobj(const struct mtype *t, struct json_object *j, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown)
{
	return drove__mcodec_decode_news(t, j, flags, out, errors, unknown, NULL);
}

int drove__mcodec_decode_text(const struct mtype *t, const char *json, size_t len, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown)
{
	struct json_object *j = NULL;
	int rc;

	DROVE_CHECK_ARG(t && json && out);
	if ((rc = drove__mcodec_parse(json, len, &j)) < 0) {
		if (rc == DROVE_EINVAL && errors &&
		    drove_strlist_add(errors, drove_error_last()->message) < 0)
			return DROVE_ENOMEM;
		return rc;
	}
	rc = drove__mcodec_decode_jobj(t, j, flags, out, errors, unknown);
	json_object_put(j);
	return rc;
}

/* ---- encoding ---- */

static struct json_object *encode_obj(const struct mtype *t, const void *obj);

static bool add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool arr_add(struct json_object *a, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_array_add(a, v) < 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static struct json_object *enc_strlist(char *const *items, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; a && i < n; i++) {
		if (!arr_add(a, json_object_new_string(items[i] ? items[i] : ""))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *enc_intlist(const int *items, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);
	for (size_t i = 0; a && i < n; i++) {
		if (!arr_add(a, json_object_new_int64(items[i]))) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static bool is_integer_text(const char *s)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	(void)strtoll(s, &end, 10);
	return *end == '\0' && errno == 0 && (s[0] != '0' || s[1] == '\0') &&
	       !(s[0] == '-' && s[1] == '0');
}

static bool evmeta_numeric(const char *key)
{
	static const char *const keys[] = {"CREATED",           "PORT",
	                                   "CPU_COUNT",         "MEMORY",
	                                   "CURRENT_INSTANCES", "CURRENT_INSTANCES_PER_HOST",
	                                   "RESULT_EXIT_CODE"};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i], key) == 0)
			return true;
	return false;
}

static struct json_object *enc_map(const drove_strmap *m, bool evmeta)
{
	struct json_object *o = json_object_new_object();
	for (size_t i = 0; o && i < drove_strmap_count(m); i++) {
		const char *k = drove_strmap_key(m, i), *v = drove_strmap_value(m, i);
		struct json_object *jv;
		if (evmeta && evmeta_numeric(k) && is_integer_text(v))
			jv = json_object_new_int64(strtoll(v, NULL, 10));
		else
			jv = json_object_new_string(v);
		if (!add(o, k, jv)) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

static struct json_object *enc_numa(const struct mfield *f, const void *obj)
{
	struct json_object *o = json_object_new_object();
	size_t n = *CAT(obj, f->cnt_off, size_t);
	const void *arr = *CAT(obj, f->off, const void *);
	for (size_t i = 0; o && i < n; i++) {
		char key[16];
		struct json_object *v;
		if (f->kind == MK_NUMA_CORES) {
			const drove_numa_cores *c = (const drove_numa_cores *)arr + i;
			snprintf(key, sizeof(key), "%d", c->node);
			v = enc_intlist(c->cores, c->n_cores);
		} else {
			const drove_numa_mem *m = (const drove_numa_mem *)arr + i;
			snprintf(key, sizeof(key), "%d", m->node);
			v = json_object_new_int64(m->mb);
		}
		if (!add(o, key, v)) {
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}

/* The JSON value of a field, or NULL with *skip set when it is absent. */
static struct json_object *encode_field(const struct mfield *f, const void *obj, bool *skip)
{
	*skip = false;
	if (f->has_off && !*CAT(obj, f->has_off - 1, bool)) {
		*skip = true;
		return NULL;
	}
	switch (f->kind) {
	case MK_STR: {
		const char *s = *CAT(obj, f->off, char *);
		if (!s) {
			*skip = true;
			return NULL;
		}
		return json_object_new_string(s);
	}
	case MK_INT:
		return json_object_new_int64(*CAT(obj, f->off, int));
	case MK_I64:
		return json_object_new_int64(*CAT(obj, f->off, int64_t));
	case MK_BOOL:
		return json_object_new_boolean(*CAT(obj, f->off, bool));
	case MK_DUR: {
		char *s = drove_duration_format(CAT(obj, f->off, drove_duration));
		struct json_object *v = s ? json_object_new_string(s) : NULL;
		free(s);
		return v;
	}
	case MK_ENUM: {
		const char *name = drove__menum_name(f->aux, *CAT(obj, f->off, int));
		if (!name) {
			*skip = true;
			return NULL;
		}
		return json_object_new_string(name);
	}
	case MK_STRMAP:
	case MK_EVMETA:
		return enc_map(*CAT(obj, f->off, drove_strmap *), f->kind == MK_EVMETA);
	case MK_STRLIST:
		return enc_strlist(*CAT(obj, f->off, char **), *CAT(obj, f->cnt_off, size_t));
	case MK_INTLIST:
		return enc_intlist(*CAT(obj, f->off, int *), *CAT(obj, f->cnt_off, size_t));
	case MK_STRLISTLIST: {
		const drove_string_array *arr = *CAT(obj, f->off, drove_string_array *);
		size_t n = *CAT(obj, f->cnt_off, size_t);
		struct json_object *a = json_object_new_array_ext((int)n);
		for (size_t i = 0; a && i < n; i++) {
			if (!arr_add(a, enc_strlist(arr[i].items, arr[i].n_items))) {
				json_object_put(a);
				return NULL;
			}
		}
		return a;
	}
	case MK_OBJ: {
		const void *sub = *CAT(obj, f->off, void *);
		if (!sub) {
			*skip = true;
			return NULL;
		}
		return encode_obj(f->aux, sub);
	}
	case MK_OBJARR:
	case MK_OBJMAP: {
		const struct mtype *et = f->aux;
		const char *arr = *CAT(obj, f->off, char *);
		size_t n = *CAT(obj, f->cnt_off, size_t);
		struct json_object *c = f->kind == MK_OBJARR ? json_object_new_array_ext((int)n)
		                                             : json_object_new_object();
		for (size_t i = 0; c && i < n; i++) {
			const void *e = arr + i * et->size;
			struct json_object *v = encode_obj(et, e);
			bool ok;
			if (f->kind == MK_OBJARR) {
				ok = arr_add(c, v);
			} else {
				const char *k =
				        et->key_off ? *CAT(e, et->key_off - 1, char *) : NULL;
				ok = add(c, k ? k : "", v);
			}
			if (!ok) {
				json_object_put(c);
				return NULL;
			}
		}
		return c;
	}
	case MK_BYTES: {
		const unsigned char *data = *CAT(obj, f->off, unsigned char *);
		char *s = NULL;
		struct json_object *v;
		if (!data) {
			*skip = true;
			return NULL;
		}
		if (drove__base64_encode(data, *CAT(obj, f->cnt_off, size_t), &s) < 0)
			return NULL;
		v = json_object_new_string(s);
		free(s);
		return v;
	}
	case MK_NUMA_CORES:
	case MK_NUMA_MEM:
		return enc_numa(f, obj);
	case MK_CONST:
		return json_object_new_string(f->aux);
	}
	*skip = true;
	return NULL;
}

static struct json_object *encode_obj(const struct mtype *t, const void *obj)
{
	struct json_object *o = json_object_new_object();
	int variant = obj_variant(t, obj);

	if (!o)
		return NULL;
	if (t->type_enum) {
		const char *name = drove__menum_name(t->type_enum, variant);
		if (!add(o, "type", json_object_new_string(name ? name : "")))
			goto fail;
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct mfield *f = &t->fields[i];
		struct json_object *v;
		bool skip;
		if (!field_applies(f, variant))
			continue;
		v = encode_field(f, obj, &skip);
		if (skip)
			continue;
		if (!add(o, f->name, v))
			goto fail;
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

struct json_object *drove__mcodec_to_jobj(const struct mtype *t, const void *obj)
{
	struct json_object *o;
	if (!t || !obj) {
		drove__error(DROVE_EINVAL, "encode: invalid argument");
		return NULL;
	}
	if (!(o = encode_obj(t, obj)))
		drove__enomem();
	return o;
}

int drove__mcodec_encode(const struct mtype *t, const void *obj, char **out)
{
	struct json_object *o;
	const char *s;
	char *copy;

	DROVE_CHECK_ARG(t && obj && out);
	if (!(o = drove__mcodec_to_jobj(t, obj)))
		return drove_error_last()->code;
	s = json_object_to_json_string_ext(o,
	                                   JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	copy = s ? drove__strdup(s) : NULL;
	json_object_put(o);
	if (!copy)
		return drove__enomem();
	*out = copy;
	return 0;
}

int drove__mcodec_copy(const struct mtype *t, const void *obj, void **out)
{
	struct json_object *o;
	int rc;

	DROVE_CHECK_ARG(t && obj && out);
	if (!(o = drove__mcodec_to_jobj(t, obj)))
		return drove_error_last()->code;
	rc = drove__mcodec_decode_jobj(t, o, 0, out, NULL, NULL);
	json_object_put(o);
	return rc;
}

/* ---- freeing ---- */

static bool seen_before(const struct mtype *t, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (t->fields[k].off == t->fields[i].off && t->fields[k].kind != MK_CONST)
			return true;
	return false;
}

void drove__mcodec_clear(const struct mtype *t, void *obj)
{
	if (!obj)
		return;
	if (t->key_off)
		free(*AT(obj, t->key_off - 1, char *));
	for (size_t i = 0; i < t->nfields; i++) {
		const struct mfield *f = &t->fields[i];
		if (f->kind == MK_CONST || seen_before(t, i))
			continue;
		switch (f->kind) {
		case MK_STR:
		case MK_BYTES:
		case MK_INTLIST:
			free(*AT(obj, f->off, void *));
			break;
		case MK_STRMAP:
		case MK_EVMETA:
			drove_strmap_free(*AT(obj, f->off, drove_strmap *));
			break;
		case MK_STRLIST: {
			char **items = *AT(obj, f->off, char **);
			size_t n = *AT(obj, f->cnt_off, size_t);
			for (size_t k = 0; items && k < n; k++)
				free(items[k]);
			free(items);
			break;
		}
		case MK_STRLISTLIST: {
			drove_string_array *arr = *AT(obj, f->off, drove_string_array *);
			size_t n = *AT(obj, f->cnt_off, size_t);
			for (size_t k = 0; arr && k < n; k++) {
				for (size_t m = 0; m < arr[k].n_items; m++)
					free(arr[k].items[m]);
				free(arr[k].items);
			}
			free(arr);
			break;
		}
		case MK_OBJ:
			drove__mcodec_free(f->aux, *AT(obj, f->off, void *));
			break;
		case MK_OBJARR:
		case MK_OBJMAP: {
			const struct mtype *et = f->aux;
			char *arr = *AT(obj, f->off, char *);
			size_t n = *AT(obj, f->cnt_off, size_t);
			for (size_t k = 0; arr && k < n; k++)
				drove__mcodec_clear(et, arr + k * et->size);
			free(arr);
			break;
		}
		case MK_NUMA_CORES: {
			drove_numa_cores *arr = *AT(obj, f->off, drove_numa_cores *);
			size_t n = *AT(obj, f->cnt_off, size_t);
			for (size_t k = 0; arr && k < n; k++)
				free(arr[k].cores);
			free(arr);
			break;
		}
		case MK_NUMA_MEM:
			free(*AT(obj, f->off, void *));
			break;
		default:
			break;
		}
	}
}

void drove__mcodec_free(const struct mtype *t, void *obj)
{
	if (!obj)
		return;
	drove__mcodec_clear(t, obj);
	free(obj);
}
