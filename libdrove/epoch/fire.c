/*
 * The worker side of firing: fire records for the steady state, run records under the fence
 * for misfires and AT triggers (fire.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "epoch/fire.h"
#include "epoch/records.h"

#define SKIPPED_RECORDED_MAX 64 /* as drove_epoch_step */

static void fire_step(struct drove__fire_job *j, struct drove__fire_member *m)
{
	m->rc = drove_epoch_step(j->store, j->fence, m->tp->t, m->last_ms, j->now, j->misfire_ms,
	                         &m->rid, &m->handled, &m->next);
	if (m->rc < 0)
		m->msg = strdup(drove_error_last()->message);
	drove_error_clear();
}

/* The records of one store batch and the members they belong to. */
struct fire_batch {
	struct drove__epoch_new_run runs[DROVE__EPOCH_BATCH_MAX];
	char *ids[DROVE__EPOCH_BATCH_MAX];
	char msgs[DROVE__EPOCH_BATCH_MAX][96];
	size_t nruns, first, last; /* members [first, last) */
};

void drove__fire_forget_skipped(struct drove__fire_member *m)
{
	for (size_t i = 0; i < m->nskipped; i++)
		drove_free(m->skipped[i]);
	free(m->skipped);
	m->skipped = NULL;
	m->nskipped = 0;
}

static void batch_flush(struct drove__fire_job *j, struct fire_batch *b)
{
	int rc = b->nruns ? drove__epoch_runs_begin_batch(j->store, j->fence, b->nruns, b->runs,
	                                                  j->now)
	                  : 0;
	for (size_t i = b->first; i < b->last; i++) {
		struct drove__fire_member *m = &j->m[i];
		if (m->fast || m->rc == DROVE_ESTALE) /* fenced, or its fire record was stale */
			continue;
		if (m->rc == 1) { /* not batched (AT) */
			fire_step(j, m);
			continue;
		}
		if (rc < 0)
			drove__fire_forget_skipped(m); /* stepped again, or not recorded */
		if (rc == DROVE_ESTALE) {
			m->rc = rc;
			m->msg = strdup(drove_error_last()->message);
			drove_free(m->rid);
			m->rid = NULL;
		} else if (rc < 0) { /* one by one: what an earlier leader recorded is handled */
			drove_free(m->rid);
			m->rid = NULL;
			fire_step(j, m);
		}
	}
	for (size_t i = 0; i < b->nruns; i++)
		drove_free(b->ids[i]);
	drove_error_clear();
	b->nruns = 0;
	b->first = b->last;
}

/* A CRON member's records into the batch (flushed first when they would not fit).
 * @return 0, or < 0 when the member goes through the step instead. */
static int batch_add(struct drove__fire_job *j, struct fire_batch *b, struct drove__fire_member *m)
{
	int64_t fire = 0, skipped[SKIPPED_RECORDED_MAX];
	size_t nskipped = 0;
	if (drove_epoch_due(drove_epoch_topology_cron(m->tp->t), m->last_ms, j->now, j->misfire_ms,
	                    &fire, skipped, SKIPPED_RECORDED_MAX, &nskipped, &m->next) < 0)
		return -1;
	if (nskipped > SKIPPED_RECORDED_MAX)
		nskipped = SKIPPED_RECORDED_MAX;
	size_t need = nskipped + (fire ? 1 : 0) + (m->parent_missing ? 1 : 0);
	if (b->nruns + need > DROVE__EPOCH_BATCH_MAX)
		batch_flush(j, b);
	m->handled = m->last_ms;
	for (size_t k = 0; k <= nskipped; k++) {
		int64_t at = k < nskipped ? skipped[k] : fire;
		if (!at)
			break;
		struct drove__epoch_new_run *r = &b->runs[b->nruns];
		if (drove_epoch_run_id(at, &b->ids[b->nruns]) < 0)
			return -1; /* the entries added so far are harmless: the step redoes them */
		r->topology_id = drove_epoch_topology_name(m->tp->t);
		r->run_id = b->ids[b->nruns];
		r->parent_missing = m->parent_missing && k == 0;
		r->state = k < nskipped ? DROVE_EPOCH_RUN_SKIPPED : DROVE_EPOCH_RUN_RUNNING;
		r->message = NULL;
		if (k < nskipped) {
			snprintf(b->msgs[b->nruns], sizeof(b->msgs[0]),
			         "missed: no leader was running at %" PRId64, at);
			r->message = b->msgs[b->nruns];
			if (!m->skipped && !(m->skipped = calloc(nskipped, sizeof(char *)))) {
				b->nruns++;
				return -1;
			}
			if (!(m->skipped[m->nskipped] = strdup(r->run_id))) {
				b->nruns++;
				return -1;
			}
			m->nskipped++;
		} else if (!(m->rid = strdup(r->run_id))) {
			b->nruns++;
			return -1;
		}
		b->nruns++;
		if (at > m->handled)
			m->handled = at;
	}
	return 0;
}

/* The CRON members with one time due and none missed (the steady state): fenced together by
 * the job's fire records, one store write per chunk; the runs' own records are written
 * later (runs.c). The others, and those a refused chunk left out, go the way below. */
static void fire_fast(struct drove__fire_job *j)
{
	char **entries = calloc(j->n ? j->n : 1, sizeof(*entries)), name[64];
	size_t n = 0, fenced = 0;
	int rc;
	if (!entries || drove_strlist_new(&j->nodes) < 0) {
		free(entries);
		drove_error_clear();
		return;
	}
	for (size_t i = 0; i < j->n; i++) {
		struct drove__fire_member *m = &j->m[i];
		int64_t fire = 0;
		size_t nskipped = 0;
		if (drove_epoch_topology_trigger(m->tp->t) != DROVE_EPOCH_TRIGGER_CRON ||
		    drove_epoch_due(drove_epoch_topology_cron(m->tp->t), m->last_ms, j->now,
		                    j->misfire_ms, &fire, NULL, 0, &nskipped, &m->next) < 0 ||
		    !fire || nskipped)
			continue;
		if (drove_epoch_run_id(fire, &m->rid) < 0 ||
		    !(entries[n] = drove__asprintf("%s/%s", drove_epoch_topology_name(m->tp->t),
		                                   m->rid))) {
			drove_free(m->rid);
			m->rid = NULL;
			continue;
		}
		m->fast = 1;
		m->handled = fire;
		n++;
	}
	drove_error_clear();
	snprintf(name, sizeof(name), "F%d-%" PRId64, j->fence, j->seq);
	rc = n ? drove__epoch_fired_write(j->store, j->fence, name, n, entries, j->nodes, &fenced)
	       : 0;
	for (size_t i = 0, k = 0; i < j->n; i++) {
		struct drove__fire_member *m = &j->m[i];
		if (!m->fast || k++ < fenced)
			continue;
		m->fast = 0; /* not fenced: the way below (stale: it stops there) */
		m->handled = m->last_ms;
		drove_free(m->rid);
		m->rid = NULL;
		if (rc == DROVE_ESTALE) {
			m->rc = DROVE_ESTALE;
			m->msg = strdup(drove_error_last()->message);
		}
	}
	drove_error_clear();
	for (size_t i = 0; i < n; i++)
		free(entries[i]);
	free(entries);
}

void drove__fire_work(struct drove__fire_job *j)
{
	struct fire_batch *b = calloc(1, sizeof(*b));
	fire_fast(j);
	for (size_t i = 0; i < j->n; i++) {
		struct drove__fire_member *m = &j->m[i];
		if (m->fast || m->rc == DROVE_ESTALE) /* fenced, or the fence moved */
			continue;
		if (b && drove_epoch_topology_trigger(m->tp->t) == DROVE_EPOCH_TRIGGER_CRON &&
		    batch_add(j, b, m) == 0) {
			b->last = i + 1;
			continue;
		}
		drove_error_clear();
		drove_free(m->rid);
		m->rid = NULL;
		drove__fire_forget_skipped(m);
		if (b) {
			m->rc = 1; /* stepped when its batch is flushed, after the members before it
			            */
			b->last = i + 1;
		} else {
			fire_step(j, m);
		}
	}
	if (b)
		batch_flush(j, b);
	free(b);
}
