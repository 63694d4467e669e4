/* Record repositories: one node per record at the paths of the Drove reference (§8.1),
 * holding the record's JSON text. The model module's codec turns it into typed structs. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

struct kind_info {
	const char *dir;
	bool two_ids;
	bool ephemeral;
	const char *name;
};

static const struct kind_info *kind_get(int kind)
{
	static const struct kind_info kinds[] = {
	        [DROVE_RECORD_APPLICATION] = {"/applications", false, false, "application"},
	        [DROVE_RECORD_INSTANCE] = {"/instances", true, false, "instance"},
	        [DROVE_RECORD_TASK] = {"/tasks", true, false, "task"},
	        [DROVE_RECORD_LOCAL_SERVICE] = {"/localservices", false, false, "local service"},
	        [DROVE_RECORD_LOCAL_SERVICE_INSTANCE] = {"/localserviceinstances", true, false,
	                                                 "local service instance"},
	        [DROVE_RECORD_EXECUTOR] = {"/executor", false, true, "executor"},
	        [DROVE_RECORD_CONTROLLER] = {"/controller", false, true, "controller"},
	        [DROVE_RECORD_CLUSTER_STATE] = {"/cluster/maintenance", false, false,
	                                        "cluster state"},
	};
	if (kind < DROVE_RECORD_APPLICATION || kind > DROVE_RECORD_CLUSTER_STATE)
		return NULL;
	return &kinds[kind];
}

static int check_id(const char *what, const char *id)
{
	size_t i, n;
	if (!id || !*id)
		return drove__error(DROVE_EINVAL, "store: %s id is empty", what);
	n = strlen(id);
	if (n > 255)
		return drove__error(DROVE_EINVAL,
		                    "store: %s id '%.64s...' is longer than 255 bytes", what, id);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return drove__error(DROVE_EINVAL, "store: %s id '%s' is not allowed", what, id);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c == '/' || c < 0x20 || c == 0x7f)
			return drove__error(DROVE_EINVAL, "store: %s id '%s' has a bad byte at %zu",
			                    what, id, i);
	}
	return 0;
}

int drove_record_path(int kind, const char *parent, const char *id, char **out)
{
	const struct kind_info *k = kind_get(kind);
	char *p;
	int rc;

	DROVE_CHECK_ARG(out);
	if (!k)
		return drove__error(DROVE_EINVAL, "store: record kind %d is not valid", kind);
	if (kind == DROVE_RECORD_CLUSTER_STATE) {
		p = drove__strdup(k->dir);
	} else if (k->two_ids) {
		if ((rc = check_id("parent", parent)) < 0 || (rc = check_id(k->name, id)) < 0)
			return rc;
		p = drove__asprintf("%s/%s/%s", k->dir, parent, id);
	} else {
		if ((rc = check_id(k->name, id)) < 0)
			return rc;
		p = drove__asprintf("%s/%s", k->dir, id);
	}
	if (!p)
		return DROVE_ENOMEM;
	*out = p;
	return 0;
}

int drove_record_put(drove_store *s, int kind, const char *parent, const char *id, const char *json,
                     size_t len)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s && (json || !len));
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove_store_put(s, path, json, len,
	                     kind_get(kind)->ephemeral ? DROVE_STORE_EPHEMERAL
	                                               : DROVE_STORE_PERSISTENT);
	free(path);
	return rc;
}

int drove_record_get(drove_store *s, int kind, const char *parent, const char *id, char **json,
                     size_t *len)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s && json);
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove_store_get(s, path, json, len, NULL);
	free(path);
	return rc;
}

int drove_record_delete(drove_store *s, int kind, const char *parent, const char *id)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove_store_delete(s, path, -1);
	free(path);
	return rc;
}

int drove_record_list(drove_store *s, int kind, const char *parent, drove_strlist **out)
{
	const struct kind_info *k = kind_get(kind);
	char *path;
	int rc;

	DROVE_CHECK_ARG(s && out);
	if (!k)
		return drove__error(DROVE_EINVAL, "store: record kind %d is not valid", kind);
	if (kind == DROVE_RECORD_CLUSTER_STATE)
		return drove__error(DROVE_EINVAL, "store: cluster state is a single record");
	if (k->two_ids && parent) {
		if ((rc = check_id("parent", parent)) < 0)
			return rc;
		path = drove__asprintf("%s/%s", k->dir, parent);
	} else {
		path = drove__strdup(k->dir);
	}
	if (!path)
		return DROVE_ENOMEM;
	rc = drove_store_children(s, path, out);
	free(path);
	if (rc == DROVE_ENOTFOUND) {
		drove_error_clear();
		return drove_strlist_new(out);
	}
	return rc;
}

/* ---- many records in one pipeline (a new leader's load) ---- */

/* The path of record i (list: its kind's directory, under parents[i] for two-id kinds). */
static char *many_path(int kind, const char *const *parents, const char *const *ids, size_t i,
                       bool list, int *rc)
{
	const struct kind_info *k = kind_get(kind);
	char *p = NULL;
	const char *parent = parents ? parents[i] : NULL;
	if (!list)
		*rc = drove_record_path(kind, parent, ids[i], &p);
	else if (!k->two_ids || !parent)
		*rc = (p = drove__strdup(k->dir)) ? 0 : DROVE_ENOMEM;
	else if ((*rc = check_id("parent", parent)) == 0)
		*rc = (p = drove__asprintf("%s/%s", k->dir, parent)) ? 0 : DROVE_ENOMEM;
	return p;
}

static int many(drove_store *s, int kind, const char *const *parents, const char *const *ids,
                size_t n, bool list, struct drove__store_many **out)
{
	char **paths;
	int rc, r = 0;

	DROVE_CHECK_ARG(s && out && (ids || !n || list));
	*out = NULL;
	if (!kind_get(kind) || kind == DROVE_RECORD_CLUSTER_STATE)
		return drove__error(DROVE_EINVAL, "store: record kind %d is not valid here", kind);
	if (!(paths = calloc(n ? n : 1, sizeof(*paths))))
		return drove__enomem();
	/* a bad id fails its own record only: its empty path is refused as DROVE_EINVAL */
	for (size_t i = 0; i < n && r == 0; i++)
		if (!(paths[i] = many_path(kind, parents, ids, i, list, &rc)) &&
		    (rc == DROVE_ENOMEM || !(paths[i] = drove__strdup(""))))
			r = DROVE_ENOMEM;
	if (r == 0 && list)
		r = drove__store_children_many(s, (const char *const *)paths, n, out);
	else if (r == 0)
		r = drove__store_get_many(s, (const char *const *)paths, n, out);
	for (size_t i = 0; list && r == 0 && i < n; i++)
		if ((*out)->item[i].rc == DROVE_ENOTFOUND) /* no record under it yet: empty */
			(*out)->item[i].rc = drove_strlist_new(&(*out)->item[i].kids);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (r == DROVE_ENOMEM)
		drove__enomem();
	return r;
}

int drove__record_get_many(drove_store *s, int kind, const char *const *parents,
                           const char *const *ids, size_t n, struct drove__store_many **out)
{
	return many(s, kind, parents, ids, n, false, out);
}

int drove__record_list_many(drove_store *s, int kind, const char *const *parents, size_t n,
                            struct drove__store_many **out)
{
	return many(s, kind, parents, NULL, n, true, out);
}

int drove__record_get_all(drove_store *s, int kind, const char *parent, drove_strlist **ids,
                          struct drove__store_many **out)
{
	const char **v = NULL, **parents = NULL;
	size_t n;
	int rc;

	DROVE_CHECK_ARG(ids && out);
	*ids = NULL;
	*out = NULL;
	if ((rc = drove_record_list(s, kind, parent, ids)) < 0)
		return rc;
	n = drove_strlist_count(*ids);
	if (!(v = calloc(n ? n : 1, sizeof(*v))) ||
	    (parent && !(parents = calloc(n ? n : 1, sizeof(*parents)))))
		rc = drove__enomem();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		v[i] = drove_strlist_get(*ids, i);
		if (parents)
			parents[i] = parent;
	}
	if (rc == 0)
		rc = many(s, kind, parents, v, n, false, out);
	free(v);
	free(parents);
	if (rc < 0) {
		drove_strlist_free(*ids);
		*ids = NULL;
	}
	return rc;
}

void drove__record_rows_free(struct drove__record_rows *r)
{
	if (!r)
		return;
	drove__store_many_free(r->recs);
	drove__store_many_free(r->lists);
	drove_strlist_free(r->parents);
	free(r->row);
	free(r);
}

int drove__record_get_rows(drove_store *s, int kind, struct drove__record_rows **out)
{
	struct drove__record_rows *r;
	const char **pv = NULL, **parents = NULL, **ids = NULL;
	size_t np, k = 0, total = 0;
	int rc;

	DROVE_CHECK_ARG(s && out);
	*out = NULL;
	if (!kind_get(kind) || !kind_get(kind)->two_ids)
		return drove__error(DROVE_EINVAL, "store: record kind %d has no parent", kind);
	if (!(r = calloc(1, sizeof(*r))))
		return drove__enomem();
	if ((rc = drove_record_list(s, kind, NULL, &r->parents)) < 0)
		goto fail;
	np = drove_strlist_count(r->parents);
	if (!(pv = calloc(np ? np : 1, sizeof(*pv)))) {
		rc = drove__enomem();
		goto fail;
	}
	for (size_t i = 0; i < np; i++)
		pv[i] = drove_strlist_get(r->parents, i);
	if ((rc = drove__record_list_many(s, kind, pv, np, &r->lists)) < 0)
		goto fail;
	for (size_t i = 0; i < np; i++)
		total +=
		        r->lists->item[i].rc == 0 ? drove_strlist_count(r->lists->item[i].kids) : 0;
	if (!(r->row = calloc(total ? total : 1, sizeof(*r->row))) ||
	    !(parents = calloc(total ? total : 1, sizeof(*parents))) ||
	    !(ids = calloc(total ? total : 1, sizeof(*ids)))) {
		rc = drove__enomem();
		goto fail;
	}
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0;
		     r->lists->item[i].rc == 0 && j < drove_strlist_count(r->lists->item[i].kids);
		     j++, k++) {
			parents[k] = pv[i];
			ids[k] = drove_strlist_get(r->lists->item[i].kids, j);
		}
	if ((rc = drove__record_get_many(s, kind, parents, ids, total, &r->recs)) < 0)
		goto fail;
	r->n = total;
	for (size_t j = 0; j < total; j++)
		r->row[j] = (struct drove__record_row){parents[j], ids[j], r->recs->item[j].rc,
		                                       r->recs->item[j].data, r->recs->item[j].len};
	free(pv);
	free(parents);
	free(ids);
	*out = r;
	return 0;
fail:
	free(pv);
	free(parents);
	free(ids);
	drove__record_rows_free(r);
	return rc;
}

/* ---- asynchronous put: create, or set when it exists (again if it vanished) ---- */

struct put_ctx {
	drove_store *store;
	char *path;
	char *data;
	size_t len;
	int mode;
	int tries;
	drove_store_done_fn cb;
	void *userdata;
};

static void put_finish(struct put_ctx *p, int rc)
{
	if (p->cb)
		p->cb(rc, p->userdata);
	free(p->path);
	free(p->data);
	free(p);
}

static void put_create(struct put_ctx *p);

static void put_set_done(int rc, const drove_store_stat *st, void *ud)
{
	struct put_ctx *p = ud;
	(void)st;
	if (rc == DROVE_ENOTFOUND && p->tries < 8)
		put_create(p); /* deleted in between */
	else
		put_finish(p, rc);
}

static void put_create_done(int rc, const char *path, void *ud)
{
	struct put_ctx *p = ud;
	(void)path;
	if (rc == DROVE_EEXISTS) {
		if ((rc = drove_store_set_async(p->store, p->path, p->data, p->len, -1,
		                                put_set_done, p)) == 0)
			return;
	}
	put_finish(p, rc);
}

static void put_create(struct put_ctx *p)
{
	int rc;
	p->tries++;
	if ((rc = drove_store_create_async(p->store, p->path, p->data, p->len,
	                                   p->mode | DROVE_STORE_PARENTS, put_create_done, p)) < 0)
		put_finish(p, rc);
}

int drove__store_put_async(drove_store *s, const char *path, const char *data, size_t len, int mode,
                           drove_store_done_fn cb, void *ud)
{
	struct put_ctx *p;
	int rc;

	DROVE_CHECK_ARG(s && path && (data || !len));
	if (!(p = calloc(1, sizeof(*p))))
		return drove__enomem();
	if (!(p->path = drove__strdup(path)) || !(p->data = malloc(len + 1))) {
		free(p->path);
		free(p);
		return drove__enomem();
	}
	if (len)
		memcpy(p->data, data, len);
	p->data[len] = '\0';
	p->len = len;
	p->store = s;
	p->cb = cb;
	p->userdata = ud;
	p->mode = mode;
	p->tries = 1;
	rc = drove_store_create_async(s, p->path, p->data, p->len, p->mode | DROVE_STORE_PARENTS,
	                              put_create_done, p);
	if (rc < 0) {
		free(p->path);
		free(p->data);
		free(p);
	}
	return rc;
}

int drove_record_put_async(drove_store *s, int kind, const char *parent, const char *id,
                           const char *json, size_t len, drove_store_done_fn cb, void *ud)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s && (json || !len));
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove__store_put_async(
	        s, path, json, len,
	        kind_get(kind)->ephemeral ? DROVE_STORE_EPHEMERAL : DROVE_STORE_PERSISTENT, cb, ud);
	free(path);
	return rc;
}

int drove_record_get_async(drove_store *s, int kind, const char *parent, const char *id,
                           drove_store_get_fn cb, void *ud)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove_store_get_async(s, path, NULL, NULL, cb, ud);
	free(path);
	return rc;
}

int drove_record_delete_async(drove_store *s, int kind, const char *parent, const char *id,
                              drove_store_done_fn cb, void *ud)
{
	char *path;
	int rc;

	DROVE_CHECK_ARG(s);
	if ((rc = drove_record_path(kind, parent, id, &path)) < 0)
		return rc;
	rc = drove_store_delete_async(s, path, -1, cb, ud);
	free(path);
	return rc;
}
