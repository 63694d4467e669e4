/*
 * The timetable of many topologies: a binary heap on each topology's next fire time, so the
 * loop sleeps until the earliest one and pops only what is due (O(log n) per fire), and a
 * hash of the ids (json-c's linkhash) to each one's place in the heap, so that adding (a new
 * leader adds every topology) and taking out are O(log n) too. An entry holds its
 * topology's cron (drove__cron_ref()), not a copy.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/linkhash.h>

#include <drove/epoch.h>
#include "core/internal.h"
#include "cron/cron_internal.h"

struct entry {
	drove_cron *cron;
	int64_t next_ms;
	size_t pos; /* in the heap */
	char id[];
};

struct drove_epoch_timetable {
	struct entry **heap;
	size_t n, cap;
	struct lh_table *by_id; /* id (the entry's) -> entry */
};

int drove_epoch_timetable_new(drove_epoch_timetable **out)
{
	DROVE_CHECK_ARG(out);
	drove_epoch_timetable *tt = calloc(1, sizeof(*tt));
	if (!tt || !(tt->by_id = lh_kchar_table_new(64, NULL))) {
		free(tt);
		return drove__enomem();
	}
	*out = tt;
	return 0;
}

static void entry_free(struct entry *e)
{
	drove_cron_free(e->cron);
	free(e);
}

void drove_epoch_timetable_free(drove_epoch_timetable *tt)
{
	if (!tt)
		return;
	for (size_t i = 0; i < tt->n; i++)
		entry_free(tt->heap[i]);
	lh_table_free(tt->by_id);
	free(tt->heap);
	free(tt);
}

static void put(drove_epoch_timetable *tt, size_t i, struct entry *e)
{
	tt->heap[i] = e;
	e->pos = i;
}

static void swap(drove_epoch_timetable *tt, size_t a, size_t b)
{
	struct entry *t = tt->heap[a];
	put(tt, a, tt->heap[b]);
	put(tt, b, t);
}

static void sift_up(drove_epoch_timetable *tt, size_t i)
{
	while (i > 0 && tt->heap[(i - 1) / 2]->next_ms > tt->heap[i]->next_ms) {
		swap(tt, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
}

static void sift_down(drove_epoch_timetable *tt, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < tt->n && tt->heap[l]->next_ms < tt->heap[m]->next_ms)
			m = l;
		if (r < tt->n && tt->heap[r]->next_ms < tt->heap[m]->next_ms)
			m = r;
		if (m == i)
			return;
		swap(tt, i, m);
		i = m;
	}
}

static void remove_at(drove_epoch_timetable *tt, size_t i)
{
	struct entry *e = tt->heap[i];
	lh_table_delete(tt->by_id, e->id);
	entry_free(e);
	if (i < --tt->n) {
		put(tt, i, tt->heap[tt->n]);
		sift_up(tt, i);
		sift_down(tt, i);
	}
}

static struct entry *find(const drove_epoch_timetable *tt, const char *id)
{
	void *v = NULL;
	return lh_table_lookup_ex(tt->by_id, id, &v) ? v : NULL;
}

int drove_epoch_timetable_remove(drove_epoch_timetable *tt, const char *id)
{
	struct entry *e;
	DROVE_CHECK_ARG(tt && id);
	if (!(e = find(tt, id)))
		return drove__error(DROVE_ENOTFOUND, "timetable: no topology %s", id);
	remove_at(tt, e->pos);
	return 0;
}

int drove_epoch_timetable_add(drove_epoch_timetable *tt, const char *id, const drove_cron *cron,
                              int64_t after_ms)
{
	int64_t next;
	struct entry *e;
	size_t len;
	int rc;

	DROVE_CHECK_ARG(tt && id && cron);
	if (find(tt, id))
		return drove__error(DROVE_EEXISTS, "timetable: topology %s is in already", id);
	if ((rc = drove_cron_next(cron, after_ms, &next)) < 0)
		return rc; /* DROVE_ENOTFOUND: never fires again */
	if ((rc = drove__grow(&tt->heap, &tt->cap, tt->n + 1, sizeof(*tt->heap))) < 0)
		return rc;
	len = strlen(id);
	if (!(e = malloc(sizeof(*e) + len + 1)))
		return drove__enomem();
	memcpy(e->id, id, len + 1);
	e->next_ms = next;
	if (lh_table_insert(tt->by_id, e->id, e) < 0) {
		free(e);
		return drove__enomem();
	}
	e->cron = drove__cron_ref(cron);
	put(tt, tt->n++, e);
	sift_up(tt, tt->n - 1);
	return 0;
}

size_t drove_epoch_timetable_count(const drove_epoch_timetable *tt)
{
	return tt ? tt->n : 0;
}

int64_t drove_epoch_timetable_next(const drove_epoch_timetable *tt)
{
	return tt && tt->n ? tt->heap[0]->next_ms : 0;
}

int drove_epoch_timetable_pop(drove_epoch_timetable *tt, int64_t now_ms, char **id_out,
                              int64_t *scheduled_out)
{
	DROVE_CHECK_ARG(tt && id_out && scheduled_out);
	if (tt->n == 0 || tt->heap[0]->next_ms > now_ms)
		return 0;
	struct entry *e = tt->heap[0];
	char *id = drove__strdup(e->id);
	if (!id)
		return DROVE_ENOMEM;
	*id_out = id;
	*scheduled_out = e->next_ms;
	if (drove_cron_next(e->cron, e->next_ms, &e->next_ms) < 0) {
		drove_error_clear();
		remove_at(tt, 0); /* the schedule has ended */
	} else {
		sift_down(tt, 0);
	}
	return 1;
}
