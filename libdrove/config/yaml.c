/* YAML tree and typed readers for the configuration files. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include <drove/units.h>
#include "core/internal.h"
#include "config/yaml.h"

/* ---- tree ---- */

void drove__yaml_free(drove__ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		drove__yaml_free(n->items[i]);
	free(n->items);
	free(n->value);
	free(n);
}

static drove__ynode *ynew(int kind, int line)
{
	drove__ynode *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	return n;
}

static int yadd(drove__ynode *parent, drove__ynode *child)
{
	if (drove__grow(&parent->items, &parent->cap, parent->n + 1, sizeof(*parent->items)) < 0)
		return DROVE_ENOMEM;
	parent->items[parent->n++] = child;
	return 0;
}

static int line_of(const yaml_event_t *ev)
{
	return (int)ev->start_mark.line + 1;
}

int drove__yaml_parse(drove__ynode **out, const char *name, const char *data, size_t len,
                      size_t max_size, int max_depth)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	drove__ynode *stack[64], *root = NULL;
	int depth = 0, rc = 0, docs = 0;
	bool done = false;

	if (len > max_size)
		return drove__error(DROVE_EINVAL, "%s: %zu bytes is above the limit of %zu", name,
		                    len, max_size);
	if (max_depth > (int)DROVE_ARRAY_LEN(stack))
		max_depth = (int)DROVE_ARRAY_LEN(stack);
	if (!yaml_parser_initialize(&parser))
		return drove__enomem();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		drove__ynode *n = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			rc = drove__error(DROVE_EINVAL, "%s:%d: %s", name,
			                  (int)parser.problem_mark.line + 1,
			                  parser.problem ? parser.problem : "invalid yaml");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = drove__error(DROVE_EINVAL,
				                  "%s:%d: only one yaml document is allowed", name,
				                  line_of(&ev));
			break;
		case YAML_ALIAS_EVENT:
			rc = drove__error(DROVE_EINVAL, "%s:%d: yaml aliases are not supported",
			                  name, line_of(&ev));
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (ev.type == YAML_SCALAR_EVENT) {
				if (!(n = ynew(DROVE__Y_SCALAR, line_of(&ev))) ||
				    !(n->value = drove__strndup((const char *)ev.data.scalar.value,
				                                ev.data.scalar.length))) {
					drove__yaml_free(n);
					rc = drove__enomem();
					break;
				}
				n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			} else {
				if (depth >= max_depth) {
					rc = drove__error(DROVE_EINVAL,
					                  "%s:%d: nesting is deeper than %d levels",
					                  name, line_of(&ev), max_depth);
					break;
				}
				n = ynew(ev.type == YAML_MAPPING_START_EVENT ? DROVE__Y_MAP
				                                             : DROVE__Y_SEQ,
				         line_of(&ev));
				if (!n) {
					rc = drove__enomem();
					break;
				}
			}
			if (depth == 0) {
				root = n;
			} else {
				drove__ynode *p = stack[depth - 1];
				if (p->kind == DROVE__Y_MAP && p->n % 2 == 0) {
					/* a key */
					if (n->kind != DROVE__Y_SCALAR) {
						drove__yaml_free(n);
						rc = drove__error(DROVE_EINVAL,
						                  "%s:%d: map keys must be scalars",
						                  name, line_of(&ev));
						break;
					}
					for (size_t i = 0; i < p->n; i += 2)
						if (!strcmp(p->items[i]->value, n->value)) {
							rc = drove__error(
							        DROVE_EINVAL,
							        "%s:%d: %s: duplicate key", name,
							        n->line, n->value);
							break;
						}
				}
				if (rc == 0 && yadd(p, n) < 0)
					rc = DROVE_ENOMEM;
				if (rc < 0) {
					if (!p->n || p->items[p->n - 1] != n)
						drove__yaml_free(n);
					break;
				}
			}
			if (n->kind != DROVE__Y_SCALAR)
				stack[depth++] = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0)
			break;
		/* the first document only: ignore nothing after it silently (error above) */
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		drove__yaml_free(root);
		return rc;
	}
	if (root && root->kind == DROVE__Y_SCALAR && root->plain &&
	    (!*root->value || !strcmp(root->value, "~") || !strcmp(root->value, "null"))) {
		drove__yaml_free(root);
		root = NULL;
	}
	if (!root && !(root = ynew(DROVE__Y_MAP, 1)))
		return drove__enomem();
	if (root->kind != DROVE__Y_MAP) {
		int line = root->line;
		drove__yaml_free(root);
		return drove__error(DROVE_EINVAL, "%s:%d: the document must be a map", name, line);
	}
	*out = root;
	return 0;
}

/* ---- reader ---- */

size_t drove__yr_push_key(drove__yreader *r, const char *key)
{
	size_t mark = r->path_len;
	int n = snprintf(r->path + mark, sizeof(r->path) - mark, "%s%s", mark ? "." : "", key);
	if (n > 0)
		r->path_len +=
		        (size_t)n < sizeof(r->path) - mark ? (size_t)n : sizeof(r->path) - mark - 1;
	return mark;
}

size_t drove__yr_push_index(drove__yreader *r, size_t i)
{
	size_t mark = r->path_len;
	int n = snprintf(r->path + mark, sizeof(r->path) - mark, "[%zu]", i);
	if (n > 0)
		r->path_len +=
		        (size_t)n < sizeof(r->path) - mark ? (size_t)n : sizeof(r->path) - mark - 1;
	return mark;
}

void drove__yr_pop(drove__yreader *r, size_t mark)
{
	r->path_len = mark;
	r->path[mark] = '\0';
}

int drove__yr_error(drove__yreader *r, int line, const char *key, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (key)
		return drove__error(DROVE_EINVAL, "%s:%d: %s%s%s: %s", r->file, line, r->path,
		                    r->path_len ? "." : "", key, msg);
	return drove__error(DROVE_EINVAL, "%s:%d: %s: %s", r->file, line,
	                    r->path_len ? r->path : "(top)", msg);
}

static bool is_null(const drove__ynode *n)
{
	return n->kind == DROVE__Y_SCALAR && n->plain &&
	       (!*n->value || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
	        !strcmp(n->value, "Null") || !strcmp(n->value, "NULL"));
}

drove__ynode *drove__yr_get(drove__ynode *map, const char *key)
{
	if (!map || map->kind != DROVE__Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (!strcmp(map->items[i]->value, key)) {
			map->items[i]->used = true;
			return is_null(map->items[i + 1]) ? NULL : map->items[i + 1];
		}
	return NULL;
}

int drove__yr_check_unknown(drove__yreader *r, drove__ynode *map)
{
	for (size_t i = 0; map && i + 1 < map->n; i += 2)
		if (!map->items[i]->used)
			return drove__yr_error(r, map->items[i]->line, map->items[i]->value,
			                       "unknown key");
	return 0;
}

int drove__yr_required(drove__yreader *r, drove__ynode *map, const char *key)
{
	return drove__yr_error(r, map ? map->line : 1, key, "required");
}

static const char *kind_name(int kind)
{
	return kind == DROVE__Y_MAP ? "a map" : kind == DROVE__Y_SEQ ? "a list" : "a scalar";
}

static int get_kind(drove__yreader *r, drove__ynode *map, const char *key, int kind,
                    drove__ynode **out)
{
	drove__ynode *n = drove__yr_get(map, key);
	if (!n)
		return 0;
	if (n->kind != kind)
		return drove__yr_error(r, n->line, key, "expected %s, got %s", kind_name(kind),
		                       kind_name(n->kind));
	*out = n;
	return 0;
}

int drove__yr_map(drove__yreader *r, drove__ynode *map, const char *key, drove__ynode **out)
{
	return get_kind(r, map, key, DROVE__Y_MAP, out);
}

int drove__yr_seq(drove__yreader *r, drove__ynode *map, const char *key, drove__ynode **out)
{
	return get_kind(r, map, key, DROVE__Y_SEQ, out);
}

int drove__yr_subst(drove__yreader *r, int line, const char *key, const char *in, char **out)
{
	drove__buf b = DROVE_BUF_INIT;
	const char *p = in;
	int rc = 0;

	while (*p && rc == 0) {
		const char *end, *sep;
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			rc = drove__buf_puts(&b, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{' || !(end = strchr(p + 2, '}'))) {
			rc = drove__buf_putc(&b, *p++);
			continue;
		}
		{
			size_t nlen;
			char name[256];
			const char *val;

			sep = strstr(p + 2, ":-");
			if (sep && sep > end)
				sep = NULL;
			nlen = (size_t)((sep ? sep : end) - (p + 2));
			if (nlen == 0 || nlen >= sizeof(name)) {
				rc = drove__yr_error(r, line, key,
				                     "invalid variable reference '%.*s'",
				                     (int)(end - p + 1), p);
				break;
			}
			memcpy(name, p + 2, nlen);
			name[nlen] = '\0';
			val = getenv(name);
			if (!val) {
				if (!sep) {
					rc = drove__yr_error(r, line, key,
					                     "environment variable %s is not set",
					                     name);
					break;
				}
				rc = drove__buf_append(&b, sep + 2, (size_t)(end - (sep + 2)));
			} else {
				rc = drove__buf_puts(&b, val);
			}
			p = end + 1;
		}
	}
	if (rc < 0) {
		drove__buf_free(&b);
		return rc;
	}
	if (!(*out = drove__buf_steal(&b)))
		return DROVE_ENOMEM;
	return 0;
}

int drove__yr_scalar(drove__yreader *r, drove__ynode *node, const char *key, char **out)
{
	if (node->kind != DROVE__Y_SCALAR)
		return drove__yr_error(r, node->line, key, "expected a scalar, got %s",
		                       kind_name(node->kind));
	return drove__yr_subst(r, node->line, key, node->value, out);
}

/* The substituted scalar under key, or *out = NULL when absent. */
static int get_scalar(drove__yreader *r, drove__ynode *map, const char *key, char **out,
                      drove__ynode **node)
{
	drove__ynode *n = drove__yr_get(map, key);
	*out = NULL;
	if (!n)
		return 0;
	*node = n;
	return drove__yr_scalar(r, n, key, out);
}

int drove__yr_str(drove__yreader *r, drove__ynode *map, const char *key, char **out)
{
	drove__ynode *n = NULL;
	char *s;
	int rc = get_scalar(r, map, key, &s, &n);
	if (rc < 0 || !s)
		return rc;
	free(*out);
	*out = s;
	return 0;
}

int drove__yr_int(drove__yreader *r, drove__ynode *map, const char *key, int64_t min, int64_t max,
                  int64_t *out, bool *present)
{
	drove__ynode *n = NULL;
	char *s, *end;
	long long v;
	int rc = get_scalar(r, map, key, &s, &n);

	if (present)
		*present = false;
	if (rc < 0 || !s)
		return rc;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end || errno) {
		rc = drove__yr_error(r, n->line, key, "'%s' is not an integer", s);
	} else if (v < min) {
		rc = drove__yr_error(r, n->line, key, "%lld is below %lld", v, (long long)min);
	} else if (v > max) {
		rc = drove__yr_error(r, n->line, key, "%lld is above %lld", v, (long long)max);
	} else {
		*out = v;
		if (present)
			*present = true;
	}
	free(s);
	return rc;
}

int drove__yr_bool(drove__yreader *r, drove__ynode *map, const char *key, int *out)
{
	drove__ynode *n = NULL;
	char *s;
	int rc = get_scalar(r, map, key, &s, &n);

	if (rc < 0 || !s)
		return rc;
	if (drove__streq_nocase(s, "true"))
		*out = 1;
	else if (drove__streq_nocase(s, "false"))
		*out = 0;
	else
		rc = drove__yr_error(r, n->line, key, "'%s' is not true or false", s);
	free(s);
	return rc;
}

static int fmt_ms(int64_t ms, char *buf, size_t len)
{
	drove_duration d;
	char *s = drove_duration_from_ms(ms, &d) < 0 ? NULL : drove_duration_format(&d);
	if (!s)
		return DROVE_ENOMEM;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

int drove__yr_duration(drove__yreader *r, drove__ynode *map, const char *key, int64_t min_ms,
                       int64_t max_ms, int64_t *out, bool *present)
{
	drove__ynode *n = NULL;
	drove_duration d;
	char *s, given[64], bound[64];
	int rc = get_scalar(r, map, key, &s, &n);

	if (present)
		*present = false;
	if (rc < 0 || !s)
		return rc;
	if (drove_duration_parse(s, &d) < 0) {
		rc = drove__yr_error(r, n->line, key,
		                     "'%s' is not a duration (e.g. \"30 seconds\")", s);
		goto out;
	}
	int64_t ms = drove_duration_ms(&d);
	char *g = drove_duration_format(&d);
	if (!g) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	snprintf(given, sizeof(given), "%s", g);
	free(g);
	if (min_ms >= 0 && ms < min_ms) {
		if ((rc = fmt_ms(min_ms, bound, sizeof(bound))) == 0)
			rc = drove__yr_error(r, n->line, key, "%s is below %s", given, bound);
	} else if (max_ms >= 0 && ms > max_ms) {
		if ((rc = fmt_ms(max_ms, bound, sizeof(bound))) == 0)
			rc = drove__yr_error(r, n->line, key, "%s is above %s", given, bound);
	} else {
		*out = ms;
		if (present)
			*present = true;
	}
out:
	free(s);
	return rc;
}

int drove__yr_size(drove__yreader *r, drove__ynode *map, const char *key, int64_t min, int64_t max,
                   int64_t *out)
{
	drove__ynode *n = NULL;
	drove_size sz;
	int64_t bytes;
	char *s;
	int rc = get_scalar(r, map, key, &s, &n);

	if (rc < 0 || !s)
		return rc;
	if (drove_size_parse(s, &sz) < 0 || drove_size_bytes(&sz, &bytes) < 0)
		rc = drove__yr_error(r, n->line, key, "'%s' is not a data size (e.g. \"10MB\")", s);
	else if (min >= 0 && bytes < min)
		rc = drove__yr_error(r, n->line, key, "%s is below %lld bytes", s, (long long)min);
	else if (max >= 0 && bytes > max)
		rc = drove__yr_error(r, n->line, key, "%s is above %lld bytes", s, (long long)max);
	else
		*out = bytes;
	free(s);
	return rc;
}

int drove__yr_enum(drove__yreader *r, drove__ynode *map, const char *key, const char *const *names,
                   int *out)
{
	drove__ynode *n = NULL;
	drove__buf allowed = DROVE_BUF_INIT;
	char *s;
	int rc = get_scalar(r, map, key, &s, &n);

	if (rc < 0 || !s)
		return rc;
	for (int i = 0; names[i]; i++)
		if (drove__streq_nocase(s, names[i])) {
			*out = i;
			free(s);
			return 0;
		}
	for (int i = 0; names[i]; i++)
		if (drove__buf_printf(&allowed, "%s%s", i ? ", " : "", names[i]) < 0) {
			free(s);
			drove__buf_free(&allowed);
			return DROVE_ENOMEM;
		}
	rc = drove__yr_error(r, n->line, key, "'%s' is not one of %s", s,
	                     allowed.data ? allowed.data : "");
	drove__buf_free(&allowed);
	free(s);
	return rc;
}

int drove__yr_strlist(drove__yreader *r, drove__ynode *map, const char *key, drove_strlist **out)
{
	drove__ynode *seq = NULL;
	drove_strlist *l = NULL;
	int rc;

	if ((rc = drove__yr_seq(r, map, key, &seq)) < 0 || !seq)
		return rc;
	if ((rc = drove_strlist_new(&l)) < 0)
		return rc;
	for (size_t i = 0; i < seq->n; i++) {
		char *s = NULL;
		if (seq->items[i]->kind != DROVE__Y_SCALAR) {
			char k[300];
			snprintf(k, sizeof(k), "%s[%zu]", key, i);
			rc = drove__yr_error(r, seq->items[i]->line, k, "expected a scalar, got %s",
			                     kind_name(seq->items[i]->kind));
		} else {
			char k[300];
			snprintf(k, sizeof(k), "%s[%zu]", key, i);
			rc = drove__yr_subst(r, seq->items[i]->line, k, seq->items[i]->value, &s);
		}
		if (rc == 0)
			rc = drove_strlist_add(l, s);
		free(s);
		if (rc < 0) {
			drove_strlist_free(l);
			return rc;
		}
	}
	drove_strlist_free(*out);
	*out = l;
	return 0;
}
