/* A small YAML tree (libyaml) and typed readers with file:line: key error messages.
 * Internal to the config module. */
#ifndef DROVE_CONFIG_YAML_H
#define DROVE_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drove/strlist.h>

enum { DROVE__Y_SCALAR, DROVE__Y_MAP, DROVE__Y_SEQ };

typedef struct drove__ynode {
	int kind;
	int line;  /* 1-based */
	bool used; /* map keys: read by the schema */
	bool plain;
	char *value; /* scalars */
	/* sequences: items; maps: key, value, key, value... */
	struct drove__ynode **items;
	size_t n, cap;
} drove__ynode;

/* Parse a YAML document (first document only) into a tree. Aliases are refused, depth and
 * size capped. An empty document gives an empty map. Errors: "name:line: message". */
int drove__yaml_parse(drove__ynode **out, const char *name, const char *data, size_t len,
                      size_t max_size, int max_depth);
void drove__yaml_free(drove__ynode *n);

/* Reader state: the file name and the key path of the map being read. */
typedef struct drove__yreader {
	const char *file;
	char path[512];
	size_t path_len;
} drove__yreader;

/* Push ".key" (or "key" at the top) / "[i]" onto the path; returns the mark to pop to. */
size_t drove__yr_push_key(drove__yreader *r, const char *key);
size_t drove__yr_push_index(drove__yreader *r, size_t i);
void drove__yr_pop(drove__yreader *r, size_t mark);
/* DROVE_EINVAL "file:line: path.key: message" (key may be NULL: the path itself). */
int drove__yr_error(drove__yreader *r, int line, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The value under `key` (marked used) or NULL when absent or null. */
drove__ynode *drove__yr_get(drove__ynode *map, const char *key);
/* Error on the first key of `map` not marked used. */
int drove__yr_check_unknown(drove__yreader *r, drove__ynode *map);
/* Required-key error at the map's line. */
int drove__yr_required(drove__yreader *r, drove__ynode *map, const char *key);

/* Typed readers: absent or null keys leave *out unchanged (the default) and return 0;
 * `*present` (may be NULL) says whether the key was given. Scalars get ${VAR} substitution. */
int drove__yr_map(drove__yreader *r, drove__ynode *map, const char *key, drove__ynode **out);
int drove__yr_seq(drove__yreader *r, drove__ynode *map, const char *key, drove__ynode **out);
int drove__yr_scalar(drove__yreader *r, drove__ynode *node, const char *key, char **out);
int drove__yr_str(drove__yreader *r, drove__ynode *map, const char *key, char **out);
int drove__yr_int(drove__yreader *r, drove__ynode *map, const char *key, int64_t min, int64_t max,
                  int64_t *out, bool *present);
int drove__yr_bool(drove__yreader *r, drove__ynode *map, const char *key, int *out);
/* Duration in ms; min/max in ms (-1: no bound). */
int drove__yr_duration(drove__yreader *r, drove__ynode *map, const char *key, int64_t min_ms,
                       int64_t max_ms, int64_t *out, bool *present);
/* Data size in bytes; min/max in bytes (-1: no bound). */
int drove__yr_size(drove__yreader *r, drove__ynode *map, const char *key, int64_t min, int64_t max,
                   int64_t *out);
/* Case-insensitive enum: names[] NULL-terminated; *out = index. */
int drove__yr_enum(drove__yreader *r, drove__ynode *map, const char *key, const char *const *names,
                   int *out);
/* A sequence of scalars. */
int drove__yr_strlist(drove__yreader *r, drove__ynode *map, const char *key, drove_strlist **out);

/* ${VAR} / ${VAR:-default} substitution ($${ is a literal ${). NULL env = getenv. */
int drove__yr_subst(drove__yreader *r, int line, const char *key, const char *in, char **out);

#endif
