/*
 * The table-driven JSON codec behind the model (private to libdrove/model).
 *
 * Every model struct has a descriptor (struct mtype) listing its fields: JSON name, kind,
 * offset, and for polymorphic objects the variants (values of the `type` enum) each field
 * belongs to. One generic decoder, encoder and destructor walk these tables, so the structs in
 * model.h stay plain C and json-c stays in this module.
 */
#ifndef DROVE_MODEL_CODEC_H
#define DROVE_MODEL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct json_object;

enum mkind {
	MK_STR,         /* char * */
	MK_INT,         /* int */
	MK_I64,         /* int64_t */
	MK_BOOL,        /* bool */
	MK_DUR,         /* drove_duration */
	MK_ENUM,        /* enum (int-sized) */
	MK_STRMAP,      /* drove_strmap *, string values */
	MK_EVMETA,      /* drove_strmap *, scalar values kept as text (event metadata) */
	MK_STRLIST,     /* char ** + size_t count */
	MK_INTLIST,     /* int * + size_t count */
	MK_STRLISTLIST, /* drove_string_array * + size_t count */
	MK_OBJ,         /* T * (aux: mtype) */
	MK_OBJARR,      /* T * + size_t count, contiguous (aux: mtype) */
	MK_OBJMAP,      /* T * + count; object keyed by T's key field (aux: mtype) */
	MK_BYTES,       /* unsigned char * + size_t length, base64 in JSON */
	MK_NUMA_CORES,  /* drove_numa_cores * + count: {"0":[2,3]} */
	MK_NUMA_MEM,    /* drove_numa_mem * + count: {"0":128} */
	MK_CONST,       /* no storage: emits aux (a string), ignores input */
};

struct malias {
	const char *name;
	int value;
};

/* An enum Drove may extend ("extensible"): `news` != 0. Under DROVE_MODEL_NEW_NAMES (model.h)
 * a string that names no value of it is not an error: the field reads `other` (the enum's
 * UNKNOWN value, or -1 where it has none) and the decode reports `news` (one of the
 * DROVE__MNEW_* bits) to its caller. Closed enums (news 0) and every other error of the field
 * (not a string) are unchanged; a polymorphic object's `type` enum is never extensible. */
#define DROVE__MNEW_TASK_STATE         0x1u /* drove_task_state: other DROVE_TASK_UNKNOWN */
#define DROVE__MNEW_TASK_RESULT_STATUS 0x2u /* drove_task_result_status: other -1 */
#define DROVE__MNEW_INSTANCE_STATE     0x4u /* drove_instance_state: other DROVE_INST_UNKNOWN */

struct menum {
	const char *const *names; /* index = enum value */
	int count;
	const struct malias *aliases; /* extra input spellings, NULL-terminated; may be NULL */
	unsigned news;                /* extensible: its DROVE__MNEW_* bit; 0 closed */
	int other;                    /* extensible: the value of a name this build does not know */
};

struct mfield {
	const char *name;
	enum mkind kind;
	size_t off;
	size_t cnt_off;    /* arrays: offset of the size_t count */
	size_t has_off;    /* optional scalars: offset of the bool flag + 1; 0 = always present */
	const void *aux;   /* struct menum *, struct mtype * or const char * */
	uint32_t variants; /* bit (1 << type): the variants having this field; 0 = all */
};

struct mtype {
	const char *name;
	size_t size;
	const struct mfield *fields;
	size_t nfields;
	const struct menum *type_enum; /* polymorphic on `type` when not NULL */
	size_t type_off;
	int default_type; /* used when `type` is missing; -1: `type` is required */
	size_t key_off;   /* MK_OBJMAP element types: offset of the char * key + 1 */
};

/* The descriptor of each type of DROVE__MODEL_TYPES: drove__mt_app_spec, ... */
#define DROVE__MT_DECLARE(T) extern const struct mtype drove__mt_##T;
DROVE__MODEL_TYPES(DROVE__MT_DECLARE)
#undef DROVE__MT_DECLARE

/* Decode `json` (an object) into a new object of type `t`. See model.h for the contract. */
int drove__mcodec_decode_text(const struct mtype *t, const char *json, size_t len, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown);
int drove__mcodec_decode_jobj(const struct mtype *t, struct json_object *j, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown);
/* drove__mcodec_decode_jobj() that also reports, under DROVE_MODEL_NEW_NAMES, the extensible
 * enums that held a name this build does not know: the OR of their DROVE__MNEW_* bits in
 * `*news` (may be NULL; set also on error, 0 when every name is known), wherever the field is
 * (nested objects, lists, maps of objects). */
int drove__mcodec_decode_news(const struct mtype *t, struct json_object *j, unsigned flags,
                              void **out, drove_strlist *errors, drove_strlist *unknown,
                              unsigned *news);
struct json_object *drove__mcodec_to_jobj(const struct mtype *t, const void *obj);
int drove__mcodec_encode(const struct mtype *t, const void *obj, char **out);
int drove__mcodec_copy(const struct mtype *t, const void *obj, void **out);
/* Free the contents of one object (not the object itself). */
void drove__mcodec_clear(const struct mtype *t, void *obj);
void drove__mcodec_free(const struct mtype *t, void *obj);

/* Parse JSON text with the size and depth caps. @return 0, DROVE_EINVAL or DROVE_ENOMEM. */
int drove__mcodec_parse(const char *json, size_t len, struct json_object **out);

/* The same with another size cap (at most INT_MAX). */
int drove__mcodec_parse_max(const char *json, size_t len, size_t max, struct json_object **out);

/* A list as the API answers it: a JSON array of `t`, or an object whose values are `t` (a list
 * keyed by id), at most DROVE_MODEL_MAX_LIST_SIZE bytes. *items gets *n new objects and *texts
 * (may be NULL) their compact JSON, both arrays malloc()ed (NULL when empty); free them with
 * drove__mcodec_list_free(). A bad element is DROVE_EINVAL with its place in front of the
 * decoder's message ("[2].state: ..." or "TEST_APP-1.state: ..."). @return 0, DROVE_EINVAL or
 * DROVE_ENOMEM; nothing is handed out on error. */
int drove__mcodec_decode_list(const struct mtype *t, const char *json, size_t len, void ***items,
                              char ***texts, size_t *n);
/* The same from an already parsed array or object (borrowed). */
int drove__mcodec_decode_list_jobj(const struct mtype *t, struct json_object *j, void ***items,
                                   char ***texts, size_t *n);
void drove__mcodec_list_free(const struct mtype *t, void **items, char **texts, size_t n);

/* Enum lookup: name (case-insensitive, aliases too) -> value, or -1. */
int drove__menum_parse(const struct menum *e, const char *name);
const char *drove__menum_name(const struct menum *e, int v);

#endif
