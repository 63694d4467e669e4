/* Output of the drove CLI: tables, key/value listings, JSON, dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

json_object *cli_parse(const char *text)
{
	json_tokener *tok;
	json_object *o;
	if (!text)
		return NULL;
	tok = json_tokener_new_ex(128);
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	json_tokener_free(tok);
	return o;
}

void cli_print_json(json_object *data)
{
	printf("%s\n", json_object_to_json_string_ext(
	                       data, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                     JSON_C_TO_STRING_NOSLASHESCAPE));
}

const char *cli_date(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(buf, n, "%d/%m/%Y, %H:%M:%S", &tm))
		snprintf(buf, n, "-");
	return buf;
}

const char *cli_str(json_object *obj, const char *key, char *buf, size_t n)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) || !v)
		return "";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	snprintf(buf, n, "%s", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return buf;
}

static int is_time_key(const char *k)
{
	return strcmp(k, "created") == 0 || strcmp(k, "updated") == 0 || strcmp(k, "time") == 0;
}

void cli_print_dict(json_object *obj, int level)
{
	if (!json_object_is_type(obj, json_type_object)) {
		printf("%*s%s\n", level * 4, "",
		       json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
		return;
	}
	json_object_object_foreach(obj, key, val)
	{
		printf("%*s", level * 4, "");
		if (json_object_is_type(val, json_type_object) &&
		    json_object_object_length(val) > 0) {
			printf("%s\n", key);
			cli_print_dict(val, level + 1);
		} else if (json_object_is_type(val, json_type_array) &&
		           json_object_array_length(val) > 0 &&
		           json_object_is_type(json_object_array_get_idx(val, 0),
		                               json_type_object)) {
			printf("%s\n", key);
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				cli_print_dict(json_object_array_get_idx(val, i), level + 1);
				printf("\n");
			}
		} else if (json_object_is_type(val, json_type_string)) {
			printf("%-30s%s\n", key, json_object_get_string(val));
		} else if (is_time_key(key) && json_object_is_type(val, json_type_int)) {
			char d[64];
			printf("%-30s%s\n", key,
			       cli_date(json_object_get_int64(val), d, sizeof(d)));
		} else {
			printf("%-30s%s\n", key,
			       val ? json_object_to_json_string_ext(
			                     val, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_SPACED)
			           : "null");
		}
	}
}

/* ---- tables ---- */

struct cli_table {
	int ncols;
	char **hdr;
	char **cells; /* nrows * ncols */
	size_t nrows, cap;
};

static char *dup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		fprintf(stderr, "drove: out of memory\n");
		exit(CLI_ERR);
	}
	return d;
}

struct cli_table *cli_table_new(int ncols, const char *const *headers)
{
	struct cli_table *t = calloc(1, sizeof(*t));
	if (!t || !(t->hdr = calloc((size_t)ncols, sizeof(char *)))) {
		fprintf(stderr, "drove: out of memory\n");
		exit(CLI_ERR);
	}
	t->ncols = ncols;
	for (int i = 0; i < ncols; i++)
		t->hdr[i] = dup(headers[i]);
	return t;
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * (size_t)t->ncols * sizeof(char *));
		if (!c) {
			fprintf(stderr, "drove: out of memory\n");
			exit(CLI_ERR);
		}
		t->cells = c;
		t->cap = cap;
	}
	for (int i = 0; i < t->ncols; i++)
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = dup(cells[i]);
	t->nrows++;
}

static int is_number(const char *s)
{
	char *end;
	if (!*s)
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

static int g_sort_col, g_sort_rev, g_sort_num, g_ncols;

static int row_cmp(const void *a, const void *b)
{
	const char *x = (*(char ***)a)[g_sort_col], *y = (*(char ***)b)[g_sort_col];
	int r;
	if (g_sort_num) {
		double dx = strtod(x, NULL), dy = strtod(y, NULL);
		r = dx < dy ? -1 : dx > dy;
	} else {
		r = strcmp(x, y);
	}
	return g_sort_rev ? -r : r;
}

static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void cli_table_print(struct cli_table *t, int sort_col, int reverse)
{
	size_t *w = calloc((size_t)t->ncols, sizeof(size_t));
	char ***rows = calloc(t->nrows ? t->nrows : 1, sizeof(char **));
	if (!w || !rows) {
		fprintf(stderr, "drove: out of memory\n");
		exit(CLI_ERR);
	}
	for (size_t r = 0; r < t->nrows; r++)
		rows[r] = &t->cells[r * (size_t)t->ncols];
	if (sort_col >= 0 && sort_col < t->ncols && t->nrows > 1) {
		g_sort_col = sort_col;
		g_sort_rev = reverse;
		g_ncols = t->ncols;
		g_sort_num = 1;
		for (size_t r = 0; r < t->nrows; r++)
			g_sort_num &= is_number(rows[r][sort_col]);
		qsort(rows, t->nrows, sizeof(*rows), row_cmp);
	}
	for (int c = 0; c < t->ncols; c++) {
		w[c] = width(t->hdr[c]);
		for (size_t r = 0; r < t->nrows; r++)
			if (width(rows[r][c]) > w[c])
				w[c] = width(rows[r][c]);
	}
	for (int c = 0; c < t->ncols; c++)
		printf("%s%s%*s", c ? "  " : "", t->hdr[c],
		       c + 1 < t->ncols ? (int)(w[c] - width(t->hdr[c])) : 0, "");
	printf("\n");
	for (int c = 0; c < t->ncols; c++) {
		printf("%s", c ? "  " : "");
		for (size_t i = 0; i < w[c]; i++)
			putchar('-');
	}
	printf("\n");
	for (size_t r = 0; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++)
			printf("%s%s%*s", c ? "  " : "", rows[r][c],
			       c + 1 < t->ncols ? (int)(w[c] - width(rows[r][c])) : 0, "");
		printf("\n");
	}
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int c = 0; c < t->ncols; c++)
		free(t->hdr[c]);
	free(t->cells);
	free(t->hdr);
	free(t);
	free(rows);
	free(w);
}
