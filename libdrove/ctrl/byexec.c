/* The apps' instance records by executor (model.h): kept as records are added and freed, so
 * an EXPECTED_INSTANCES slice reads the instances of its own executors instead of walking
 * every record of the cluster (issue 21: 5-10 ms a slice at 30,000 instances). An open-addressed
 * table of buckets, one per executor id seen since the controller began leading; a record
 * knows its bucket and its place in it, so unlinking is O(1). Loop thread. */
#include <stdlib.h>
#include <string.h>

#include "ctrl/model.h"

struct drove__ctrl_bxbucket {
	char *exec_id;
	uint64_t hash;
	drove__ctrl_bxent *v;
	size_t n, cap;
};

struct drove__ctrl_byexec {
	struct drove__ctrl_bxbucket **slot; /* cap slots, a power of two; NULL: empty */
	size_t cap, n;
};

uint64_t drove__ctrl_id_hash(const char *id)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 */
	for (const unsigned char *p = (const unsigned char *)id; p && *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The slot of `id` (its bucket, or the empty slot where it would go). */
static size_t find_slot(const drove__ctrl_byexec *x, const char *id, uint64_t h)
{
	size_t i = (size_t)h & (x->cap - 1);
	while (x->slot[i] && (x->slot[i]->hash != h || strcmp(x->slot[i]->exec_id, id)))
		i = (i + 1) & (x->cap - 1);
	return i;
}

static int grow(drove__ctrl_byexec *x)
{
	size_t cap = x->cap ? x->cap * 2 : 64;
	struct drove__ctrl_bxbucket **slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return drove__enomem();
	for (size_t i = 0; i < x->cap; i++) {
		struct drove__ctrl_bxbucket *b = x->slot[i];
		size_t j;
		if (!b)
			continue;
		for (j = (size_t)b->hash & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = b;
	}
	free(x->slot);
	x->slot = slot;
	x->cap = cap;
	return 0;
}

static struct drove__ctrl_bxbucket *bucket_get(drove__ctrl_byexec *x, const char *id)
{
	uint64_t h = drove__ctrl_id_hash(id);
	struct drove__ctrl_bxbucket *b;
	size_t i;

	if ((x->n + 1) * 2 > x->cap && grow(x) < 0) /* at most half full */
		return NULL;
	if ((b = x->slot[i = find_slot(x, id, h)]))
		return b;
	if (!(b = calloc(1, sizeof(*b))) || !(b->exec_id = drove__strdup(id))) {
		free(b);
		drove__enomem();
		return NULL;
	}
	b->hash = h;
	x->slot[i] = b;
	x->n++;
	return b;
}

int drove__ctrl_byexec_add(drove__ctrl_byexec **xp, drove__ctrl_app *app, drove__ctrl_inst *in)
{
	struct drove__ctrl_bxbucket *b;
	const char *id = in->info->executor_id;

	if (in->bx && id && !strcmp(in->bx->exec_id, id))
		return 0;           /* linked already */
	drove__ctrl_byexec_del(in); /* moved (a record is not expected to) */
	if (!id || !*id)
		return 0; /* not on an executor (yet) */
	if (!*xp && !(*xp = calloc(1, sizeof(**xp))))
		return drove__enomem();
	if (!(b = bucket_get(*xp, id)) || drove__grow(&b->v, &b->cap, b->n + 1, sizeof(*b->v)) < 0)
		return DROVE_ENOMEM;
	b->v[b->n] = (drove__ctrl_bxent){app, in};
	in->bx = b;
	in->bx_pos = b->n++;
	return 0;
}

void drove__ctrl_byexec_del(drove__ctrl_inst *in)
{
	struct drove__ctrl_bxbucket *b = in ? in->bx : NULL;
	if (!b)
		return;
	b->v[in->bx_pos] = b->v[--b->n]; /* the last one takes its place */
	b->v[in->bx_pos].in->bx_pos = in->bx_pos;
	in->bx = NULL;
}

const drove__ctrl_bxent *drove__ctrl_byexec_of(const drove__ctrl_byexec *x, const char *exec_id,
                                               size_t *n)
{
	struct drove__ctrl_bxbucket *b;

	*n = 0;
	if (!x || !x->cap || !exec_id)
		return NULL;
	if (!(b = x->slot[find_slot(x, exec_id, drove__ctrl_id_hash(exec_id))]))
		return NULL;
	*n = b->n;
	return b->v;
}

void drove__ctrl_byexec_free(drove__ctrl_byexec *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->cap; i++)
		if (x->slot[i]) {
			for (size_t k = 0; k < x->slot[i]->n; k++)
				x->slot[i]->v[k].in->bx = NULL; /* records outliving the index */
			free(x->slot[i]->v);
			free(x->slot[i]->exec_id);
			free(x->slot[i]);
		}
	free(x->slot);
	free(x);
}
