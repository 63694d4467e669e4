/*
 * The timetable of many topologies: a binary heap on each topology's next fire time, so the
 * loop sleeps until the earliest one and pops only what is due (O(log n) per fire).
 */
#include <stdlib.h>
#include <string.h>

#include <drove/epoch.h>
#include "core/internal.h"

struct entry {
	char *id;
	drove_cron *cron;
	int64_t next_ms;
};

struct drove_epoch_timetable {
	struct entry *heap;
	size_t n, cap;
};

int drove_epoch_timetable_new(drove_epoch_timetable **out)
{
	DROVE_CHECK_ARG(out);
	drove_epoch_timetable *tt = calloc(1, sizeof(*tt));
	if (!tt)
		return drove__enomem();
	*out = tt;
	return 0;
}

void drove_epoch_timetable_free(drove_epoch_timetable *tt)
{
	if (!tt)
		return;
	for (size_t i = 0; i < tt->n; i++) {
		free(tt->heap[i].id);
		drove_cron_free(tt->heap[i].cron);
	}
	free(tt->heap);
	free(tt);
}

static void swap(struct entry *a, struct entry *b)
{
	struct entry t = *a;
	*a = *b;
	*b = t;
}

static void sift_up(drove_epoch_timetable *tt, size_t i)
{
	while (i > 0 && tt->heap[(i - 1) / 2].next_ms > tt->heap[i].next_ms) {
		swap(&tt->heap[(i - 1) / 2], &tt->heap[i]);
		i = (i - 1) / 2;
	}
}

static void sift_down(drove_epoch_timetable *tt, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < tt->n && tt->heap[l].next_ms < tt->heap[m].next_ms)
			m = l;
		if (r < tt->n && tt->heap[r].next_ms < tt->heap[m].next_ms)
			m = r;
		if (m == i)
			return;
		swap(&tt->heap[i], &tt->heap[m]);
		i = m;
	}
}

static void remove_at(drove_epoch_timetable *tt, size_t i)
{
	free(tt->heap[i].id);
	drove_cron_free(tt->heap[i].cron);
	tt->heap[i] = tt->heap[--tt->n];
	if (i < tt->n) {
		sift_up(tt, i);
		sift_down(tt, i);
	}
}

int drove_epoch_timetable_remove(drove_epoch_timetable *tt, const char *id)
{
	DROVE_CHECK_ARG(tt && id);
	for (size_t i = 0; i < tt->n; i++)
		if (!strcmp(tt->heap[i].id, id)) {
			remove_at(tt, i);
			return 0;
		}
	return drove__error(DROVE_ENOTFOUND, "timetable: no topology %s", id);
}

int drove_epoch_timetable_add(drove_epoch_timetable *tt, const char *id, const drove_cron *cron,
                              int64_t after_ms)
{
	struct entry e = {0};
	int rc;

	DROVE_CHECK_ARG(tt && id && cron);
	for (size_t i = 0; i < tt->n; i++)
		if (!strcmp(tt->heap[i].id, id))
			return drove__error(DROVE_EEXISTS, "timetable: topology %s is in already",
			                    id);
	if ((rc = drove_cron_next(cron, after_ms, &e.next_ms)) < 0)
		return rc; /* DROVE_ENOTFOUND: never fires again */
	if ((rc = drove__grow(&tt->heap, &tt->cap, tt->n + 1, sizeof(*tt->heap))) < 0)
		return rc;
	if ((rc = drove_cron_parse(&e.cron, drove_cron_expr(cron), drove_cron_tz(cron))) < 0)
		return rc;
	if (!(e.id = drove__strdup(id))) {
		drove_cron_free(e.cron);
		return DROVE_ENOMEM;
	}
	tt->heap[tt->n++] = e;
	sift_up(tt, tt->n - 1);
	return 0;
}

size_t drove_epoch_timetable_count(const drove_epoch_timetable *tt)
{
	return tt ? tt->n : 0;
}

int64_t drove_epoch_timetable_next(const drove_epoch_timetable *tt)
{
	return tt && tt->n ? tt->heap[0].next_ms : 0;
}

int drove_epoch_timetable_pop(drove_epoch_timetable *tt, int64_t now_ms, char **id_out,
                              int64_t *scheduled_out)
{
	DROVE_CHECK_ARG(tt && id_out && scheduled_out);
	if (tt->n == 0 || tt->heap[0].next_ms > now_ms)
		return 0;
	struct entry *e = &tt->heap[0];
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
