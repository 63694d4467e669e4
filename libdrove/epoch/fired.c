/*
 * Fire records: one fenced store write for all the runs a leader starts in a timer tick,
 * instead of one run record each before the task CREATE (records.h; docs/epoch.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "core/internal.h"
#include "epoch/records.h"
#include "model/codec.h"

#define TERM_PATH "/epoch/term"

/* Entries are names ([0-9a-zA-Z_-]) joined by '/': nothing to escape in JSON. */
static int entry_ok(const char *s)
{
	size_t slash = 0;
	for (const char *p = s; *p; p++)
		if (*p == '/')
			slash++;
		else if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			return 0;
	return slash == 1 && *s != '/';
}

/* One chunk: entries [from, *to) as a JSON array, at most DROVE__EPOCH_FIRED_CHUNK bytes. */
static char *chunk_text(char *const *entries, size_t from, size_t n, size_t *to, size_t *len)
{
	size_t cap = 2, i = from;
	while (i < n && (i == from || cap + strlen(entries[i]) + 3 <= DROVE__EPOCH_FIRED_CHUNK))
		cap += strlen(entries[i++]) + 3;
	char *text = malloc(cap + 1), *p = text;
	if (!text) {
		drove__enomem();
		return NULL;
	}
	*p++ = '[';
	for (size_t k = from; k < i; k++) {
		size_t l = strlen(entries[k]);
		if (k > from)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, entries[k], l);
		p += l;
		*p++ = '"';
	}
	*p++ = ']';
	*p = '\0';
	*to = i;
	*len = (size_t)(p - text);
	return text;
}

int drove__epoch_fired_write(drove_store *st, int fence, const char *name, size_t n,
                             char *const *entries, drove_strlist *nodes, size_t *fenced)
{
	int rc = 0;
	size_t done = 0;

	DROVE_CHECK_ARG(st && name && (entries || n == 0) && nodes && fenced);
	*fenced = 0;
	for (size_t i = 0; i < n; i++)
		if (!entry_ok(entries[i]))
			return drove__error(DROVE_EINVAL, "fire record entry \"%s\": not tid/rid",
			                    entries[i]);
	for (int k = 0; done < n && rc == 0; k++) {
		drove_store_ops *ops = NULL;
		size_t to = done, len = 0;
		char *text = chunk_text(entries, done, n, &to, &len);
		char *path = drove__asprintf(DROVE__EPOCH_FIRED_DIR "/%s-%d", name, k);
		if (!text || !path)
			rc = DROVE_ENOMEM;
		if (rc == 0 && (rc = drove_store_ops_new(&ops)) == 0 &&
		    (rc = drove_store_ops_check(ops, TERM_PATH, fence)) == 0 &&
		    (rc = drove_store_ops_create(ops, path, text, len, DROVE_STORE_PERSISTENT)) ==
		            0)
			rc = drove_store_multi(st, ops);
		if (rc == DROVE_ECONFLICT)
			rc = drove__error(DROVE_ESTALE,
			                  "fire record %s: this leader's fence is gone", path);
		if (rc == 0 && (rc = drove_strlist_add(nodes, path)) == 0)
			done = to;
		drove_store_ops_free(ops);
		free(text);
		free(path);
	}
	*fenced = done;
	return rc;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of one record's text appended to `out`. @return 0, DROVE_EINVAL, ENOMEM. */
static int parse_record(const char *text, struct drove__epoch_fired *out, size_t *cap)
{
	struct json_object *j = NULL;
	int rc = drove__mcodec_parse(text, strlen(text), &j);
	if (rc < 0)
		return rc;
	if (!json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		return drove__error(DROVE_EINVAL, "fire record: not a JSON array");
	}
	size_t n = json_object_array_length(j);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct json_object *v = json_object_array_get_idx(j, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !entry_ok(json_object_get_string(v)))
			continue;
		if (out->n == *cap) {
			size_t c = *cap ? *cap * 2 : 256;
			char **e = realloc(out->entries, c * sizeof(*e));
			if (!e) {
				rc = drove__enomem();
				break;
			}
			out->entries = e;
			*cap = c;
		}
		if (!(out->entries[out->n] = strdup(json_object_get_string(v))))
			rc = drove__enomem();
		else
			out->n++;
	}
	json_object_put(j);
	return rc;
}

int drove__epoch_fired_read(drove_store *st, struct drove__epoch_fired *out, size_t *bad)
{
	drove_strlist *kids = NULL;
	size_t cap = 0;
	int rc;

	DROVE_CHECK_ARG(st && out && bad);
	memset(out, 0, sizeof(*out));
	*bad = 0;
	if ((rc = drove_strlist_new(&out->nodes)) < 0)
		return rc;
	rc = drove_store_children(st, DROVE__EPOCH_FIRED_DIR, &kids);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < drove_strlist_count(kids); i++) {
		char *path =
		        drove__asprintf(DROVE__EPOCH_FIRED_DIR "/%s", drove_strlist_get(kids, i));
		char *text = NULL;
		if (!path) {
			rc = DROVE_ENOMEM;
			break;
		}
		rc = drove_store_get(st, path, &text, NULL, NULL);
		if (rc == DROVE_ENOTFOUND) { /* deleted meanwhile */
			drove_error_clear();
			rc = 0;
		} else if (rc == 0) {
			rc = parse_record(text, out, &cap);
			if (rc == DROVE_EINVAL) {
				(*bad)++;
				drove_error_clear();
				rc = 0;
			}
			if (rc == 0)
				rc = drove_strlist_add(out->nodes, path);
		}
		drove_free(text);
		free(path);
	}
	drove_strlist_free(kids);
	if (rc < 0) {
		drove__epoch_fired_clear(out);
		return rc;
	}
	if (out->n)
		qsort(out->entries, out->n, sizeof(*out->entries), entry_cmp);
	return 0;
}

size_t drove__epoch_fired_find(const struct drove__epoch_fired *f, const char *tid, size_t *count)
{
	size_t tl = strlen(tid), lo = 0, hi = f->n;
	*count = 0;
	/* the first entry not below "tid/": those of `tid` follow it, together */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(f->entries[mid], tid, tl);
		if (c == 0)
			c = f->entries[mid][tl] < '/' ? -1 : f->entries[mid][tl] > '/' ? 1 : 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + *count < f->n && !strncmp(f->entries[lo + *count], tid, tl) &&
	       f->entries[lo + *count][tl] == '/')
		(*count)++;
	return lo;
}

void drove__epoch_fired_clear(struct drove__epoch_fired *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->entries[i]);
	free(f->entries);
	drove_strlist_free(f->nodes);
	memset(f, 0, sizeof(*f));
}
