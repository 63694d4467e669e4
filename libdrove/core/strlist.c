/* String list and insertion-ordered string map. Maps here are small (env, tags, metadata):
 * a linear scan beats hashing at these sizes and keeps the order Drove echoes back. */
#include <stdlib.h>
#include <string.h>

#include <drove/strlist.h>
#include "core/internal.h"

struct drove_strlist {
	char **items;
	size_t count, cap;
};

int drove_strlist_new(drove_strlist **out)
{
	DROVE_CHECK_ARG(out);
	if (!(*out = calloc(1, sizeof(**out))))
		return drove__enomem();
	return 0;
}

void drove_strlist_free(drove_strlist *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	free(l);
}

int drove_strlist_add(drove_strlist *l, const char *s)
{
	char *copy;
	int rc;

	DROVE_CHECK_ARG(l && s);
	if ((rc = drove__grow(&l->items, &l->cap, l->count + 1, sizeof(*l->items))) < 0)
		return rc;
	if (!(copy = drove__strdup(s)))
		return DROVE_ENOMEM;
	l->items[l->count++] = copy;
	return 0;
}

size_t drove_strlist_count(const drove_strlist *l)
{
	return l ? l->count : 0;
}

const char *drove_strlist_get(const drove_strlist *l, size_t i)
{
	return l && i < l->count ? l->items[i] : NULL;
}

int drove_strlist_contains(const drove_strlist *l, const char *s)
{
	for (size_t i = 0; l && s && i < l->count; i++) {
		if (strcmp(l->items[i], s) == 0)
			return 1;
	}
	return 0;
}

char *drove_strlist_join(const drove_strlist *l, const char *sep)
{
	drove__buf b = DROVE_BUF_INIT;
	for (size_t i = 0; l && i < l->count; i++) {
		if ((i && drove__buf_puts(&b, sep ? sep : "") < 0) ||
		    drove__buf_puts(&b, l->items[i]) < 0) {
			drove__buf_free(&b);
			return NULL;
		}
	}
	return drove__buf_steal(&b);
}

struct drove_strmap {
	char **keys, **values;
	size_t count, cap, vcap;
};

int drove_strmap_new(drove_strmap **out)
{
	DROVE_CHECK_ARG(out);
	if (!(*out = calloc(1, sizeof(**out))))
		return drove__enomem();
	return 0;
}

void drove_strmap_free(drove_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->count; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	free(m);
}

static ssize_t find_key(const drove_strmap *m, const char *key)
{
	for (size_t i = 0; i < m->count; i++) {
		if (strcmp(m->keys[i], key) == 0)
			return (ssize_t)i;
	}
	return -1;
}

int drove_strmap_set(drove_strmap *m, const char *key, const char *value)
{
	char *k = NULL, *v;
	ssize_t at;
	int rc;

	DROVE_CHECK_ARG(m && key && value);
	if (!(v = drove__strdup(value)))
		return DROVE_ENOMEM;
	if ((at = find_key(m, key)) >= 0) {
		free(m->values[at]);
		m->values[at] = v;
		return 0;
	}
	if ((rc = drove__grow(&m->keys, &m->cap, m->count + 1, sizeof(char *))) < 0 ||
	    (rc = drove__grow(&m->values, &m->vcap, m->count + 1, sizeof(char *))) < 0 ||
	    !(k = drove__strdup(key))) {
		free(v);
		return rc < 0 ? rc : DROVE_ENOMEM;
	}
	m->keys[m->count] = k;
	m->values[m->count] = v;
	m->count++;
	return 0;
}

const char *drove_strmap_get(const drove_strmap *m, const char *key)
{
	ssize_t at;
	if (!m || !key || (at = find_key(m, key)) < 0)
		return NULL;
	return m->values[at];
}

int drove_strmap_remove(drove_strmap *m, const char *key)
{
	ssize_t at;
	DROVE_CHECK_ARG(m && key);
	if ((at = find_key(m, key)) < 0)
		return drove__error(DROVE_ENOTFOUND, "key '%s' not found", key);
	free(m->keys[at]);
	free(m->values[at]);
	memmove(m->keys + at, m->keys + at + 1, (m->count - (size_t)at - 1) * sizeof(char *));
	memmove(m->values + at, m->values + at + 1, (m->count - (size_t)at - 1) * sizeof(char *));
	m->count--;
	return 0;
}

size_t drove_strmap_count(const drove_strmap *m)
{
	return m ? m->count : 0;
}

const char *drove_strmap_key(const drove_strmap *m, size_t i)
{
	return m && i < m->count ? m->keys[i] : NULL;
}

const char *drove_strmap_value(const drove_strmap *m, size_t i)
{
	return m && i < m->count ? m->values[i] : NULL;
}
