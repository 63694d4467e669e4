/* The leader's in-memory event store (§7.2): ascending by time, newest-first reads. */
#include <stdlib.h>
#include <string.h>

#include "ctrl/model.h"

int drove__ctrl_events_add(drove__ctrl_events *s, drove_event *ev)
{
	if (!ev)
		return drove__enomem();
	/* keep the store sorted even if the wall clock steps back */
	if (s->n > s->head && ev->time < s->v[s->n - 1]->time)
		ev->time = s->v[s->n - 1]->time;
	if (s->n == s->cap && s->head > 0) {
		/* compact the purged prefix before growing */
		memmove(s->v, s->v + s->head, (s->n - s->head) * sizeof(*s->v));
		s->n -= s->head;
		s->head = 0;
	}
	if (drove__grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0) {
		drove__event_free(ev);
		return DROVE_ENOMEM;
	}
	s->v[s->n++] = ev;
	return 0;
}

/* Index of the first event with time > t (binary search over the live range). */
static size_t first_after(const drove__ctrl_events *s, int64_t t)
{
	size_t lo = s->head, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid]->time > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static int64_t sync_time(const drove__ctrl_events *s, int64_t last_sync)
{
	return s->n > s->head ? s->v[s->n - 1]->time : last_sync;
}

int drove__ctrl_events_latest(const drove__ctrl_events *s, int64_t last_sync, size_t size,
                              const drove_event ***out, int64_t *sync_out)
{
	size_t from = first_after(s, last_sync), n = s->n - from, k = 0;
	const drove_event **v;

	if (n > size)
		n = size;
	*sync_out = sync_time(s, last_sync);
	*out = NULL;
	if (!n)
		return 0;
	if (!(v = malloc(n * sizeof(*v))))
		return drove__enomem();
	for (size_t i = s->n; i > from && k < n; i--)
		v[k++] = s->v[i - 1];
	*out = v;
	return (int)k;
}

void drove__ctrl_events_summary(const drove__ctrl_events *s, int64_t last_sync, size_t *counts,
                                size_t ncounts, int64_t *sync_out)
{
	memset(counts, 0, ncounts * sizeof(*counts));
	for (size_t i = first_after(s, last_sync); i < s->n; i++)
		if ((size_t)s->v[i]->type < ncounts)
			counts[s->v[i]->type]++;
	*sync_out = sync_time(s, last_sync);
}

void drove__ctrl_events_purge(drove__ctrl_events *s, int64_t before_ms)
{
	while (s->head < s->n && s->v[s->head]->time < before_ms) {
		drove__event_free(s->v[s->head]);
		s->v[s->head++] = NULL;
	}
	if (s->head == s->n)
		s->head = s->n = 0;
}

void drove__ctrl_events_clear(drove__ctrl_events *s)
{
	for (size_t i = s->head; i < s->n; i++)
		drove__event_free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

size_t drove__ctrl_events_count(const drove__ctrl_events *s)
{
	return s->n - s->head;
}
