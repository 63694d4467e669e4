/*
 * The runs of the Epoch engine: each run's tasks started on Drove, followed to their end,
 * the run's record kept up to date, and, once the run is decided, its unfinished tasks
 * killed, its tasks deleted from Drove, the MAIL sent and old runs trimmed. The blocking calls
 * go to the worker pool; all the state here lives on the loop thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/clock.h>
#include "core/internal.h"
#include "epoch/ctl.h"
#include "epoch/drive.h"
#include "epoch/records.h"
#include "epoch/runs.h"
#include "epoch/status.h"
#include "model/codec.h"

#define MOD            "epoch"
#define START_TRIES    10
#define NOTFOUND_TRIES 10

struct etask {
	char *task_id;
	int state; /* enum drove_epoch_task_state */
	char *error;
	int started;
	int notfound;
};

struct drove__erun {
	struct drove__erun *next, *prev; /* e->runs while `linked` */
	int linked;
	drove_epoch *e;
	drove__etopo *tp;
	char *tid, *rid;
	int type;
	int64_t created;
	size_t n;
	struct etask *tasks;
	int busy, finishing, abandoned;
	int unrecorded; /* tasks started since the record was last written (run_evaluate) */
	int state;
	int start_tries;
	/* fenced by fire records `fr`: its own record is created with its first write */
	int uncreated;
	int stored; /* its record is in the store (what REST reads answer from) */
	struct drove__efire *fr;
	size_t queued; /* its record waiting in e->rq: index + 1 (0: none) */
};

void drove__etopo_unref(drove__etopo *tp)
{
	if (tp && --tp->refs == 0) {
		for (size_t i = 0; i < tp->ndone; i++)
			free(tp->done[i]);
		free(tp->done);
		drove_epoch_topology_free(tp->t);
		free(tp);
	}
}

/* ---- runs ---- */

static void run_free(struct drove__erun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->tasks[i].task_id);
		free(r->tasks[i].error);
	}
	free(r->tasks);
	free(r->tid);
	free(r->rid);
	drove__etopo_unref(r->tp);
	free(r);
}

/* A holder of `r` (a job, a queued or a written record: `busy`) is done with it. A run
 * dropped by drove__eruns_drop() (`abandoned`) belongs to its holders alone: the last one
 * frees it. */
static void run_release(struct drove__erun *r)
{
	if (--r->busy == 0 && r->abandoned)
		run_free(r);
}

/* Out of e->runs, in constant time (tens of thousands are followed at 10,000 runs/s). */
static void run_unlink(drove_epoch *e, struct drove__erun *r)
{
	if (!r->linked)
		return;
	if (r->prev)
		r->prev->next = r->next;
	else
		e->runs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->next = r->prev = NULL;
	r->linked = 0;
	e->nlive--;
}

int drove__erun_live(const drove_epoch *e, const char *tid, const char *rid)
{
	for (const struct drove__erun *r = e->runs; r; r = r->next)
		if (!strcmp(r->tid, tid) && !strcmp(r->rid, rid))
			return 1;
	return 0;
}

static int terminal(int s)
{
	return s == DROVE_EPOCH_TASK_COMPLETED || s == DROVE_EPOCH_TASK_CANCELLED ||
	       s == DROVE_EPOCH_TASK_FAILED;
}

/* ---- the record queue: run records written in batches by one flush job at a time ---- */

static void rec_free(struct drove__erec *q)
{
	free(q->tid);
	free(q->rid);
	free(q->json);
	free(q->path);
}

/* A zeroed entry at the end of the queue (not counted yet), or NULL. */
static struct drove__erec *rec_slot(drove_epoch *e)
{
	if (e->nrq == e->rqcap) {
		size_t cap = e->rqcap ? e->rqcap * 2 : 256;
		struct drove__erec *n = realloc(e->rq, cap * sizeof(*n));
		if (!n) {
			drove__enomem();
			return NULL;
		}
		e->rq = n;
		e->rqcap = cap;
	}
	memset(&e->rq[e->nrq], 0, sizeof(e->rq[0]));
	return &e->rq[e->nrq];
}

/* Queue the delete of run `rid` of `tid`, or of node `path`. @return 0 or DROVE_ENOMEM. */
static int rec_push_delete(drove_epoch *e, const char *tid, const char *rid, const char *path)
{
	struct drove__erec *q = rec_slot(e);
	if (!q)
		return DROVE_ENOMEM;
	if (path ? !(q->path = strdup(path)) : !(q->tid = strdup(tid)) || !(q->rid = strdup(rid))) {
		rec_free(q);
		return drove__enomem();
	}
	e->nrq++;
	return 0;
}

/* Queue run `r`'s record `json` (taken); `final`: its cleanup waits for the write; `create`:
 * its first. A record of `r` still queued takes the newer text instead. @return 0 or
 * DROVE_ENOMEM. */
static int rec_push_run(drove_epoch *e, struct drove__erun *r, char *json, int final, int create)
{
	struct drove__erec *q = r->queued ? &e->rq[r->queued - 1] : NULL;
	if (q) {
		free(q->json);
	} else if (!(q = rec_slot(e)) || !(q->tid = strdup(r->tid)) || !(q->rid = strdup(r->rid))) {
		if (q)
			rec_free(q);
		free(json);
		return drove__enomem();
	} else {
		q->run = r;
		r->busy++; /* kept until its record is written */
		r->queued = ++e->nrq;
	}
	q->json = json;
	q->final |= final;
	if (create && !q->create) {
		q->create = 1;
		q->parent = !r->tp->runs_parent;
	}
	return 0;
}

/* No run is waiting for fire records `f` any more: they go with the next batch. */
static void efire_check(drove_epoch *e, struct drove__efire *f)
{
	if (!f->sealed || f->pending)
		return;
	for (size_t i = 0; i < drove_strlist_count(f->nodes); i++)
		if (rec_push_delete(e, NULL, NULL, drove_strlist_get(f->nodes, i)) < 0)
			drove_error_clear(); /* left: a new leader only reads it */
	for (struct drove__efire **p = &e->fires; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	drove_strlist_free(f->nodes);
	free(f);
}

struct drove__efire *drove__efire_new(drove_epoch *e, drove_strlist *nodes)
{
	struct drove__efire *f = calloc(1, sizeof(*f));
	if (!f) {
		drove_strlist_free(nodes);
		drove__enomem();
		return NULL;
	}
	f->nodes = nodes;
	f->next = e->fires;
	e->fires = f;
	return f;
}

void drove__efire_seal(drove_epoch *e, struct drove__efire *f)
{
	if (!f)
		return;
	f->sealed = 1;
	efire_check(e, f);
}

/* `s` as a JSON string. @return 0 or DROVE_ENOMEM. */
static int put_jstr(drove__buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	int bad = drove__buf_putc(b, '"') < 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t run = 0;
		while (p[run] && p[run] >= 0x20 && p[run] != '"' && p[run] != '\\')
			run++;
		if (run) {
			bad |= drove__buf_append(b, p, run) < 0;
			p += run - 1;
			continue;
		}
		char esc[7] = {'\\', (char)*p, 0};
		if (*p < 0x20) {
			esc[1] = 'u';
			esc[2] = esc[3] = '0';
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
		}
		bad |= drove__buf_puts(b, esc) < 0;
	}
	bad |= drove__buf_putc(b, '"') < 0;
	return bad ? DROVE_ENOMEM : 0;
}

/* The run's EpochTopologyRunInfo as JSON text (`message`: NULL for none), built without a
 * json-c tree (one per run state change, thousands a second), or NULL when out of memory. */
static char *run_text(const struct drove__erun *r, const char *message)
{
	drove__buf b = DROVE_BUF_INIT;
	int bad = drove__buf_puts(&b, "{\"topologyId\":") < 0;
	bad |= put_jstr(&b, r->tid) < 0;
	bad |= drove__buf_puts(&b, ",\"runId\":") < 0;
	bad |= put_jstr(&b, r->rid) < 0;
	bad |= drove__buf_printf(&b, ",\"state\":\"%s\"", drove__epoch_run_state_name(r->state)) <
	       0;
	if (message) {
		bad |= drove__buf_puts(&b, ",\"message\":") < 0;
		bad |= put_jstr(&b, message) < 0;
	}
	bad |= drove__buf_puts(&b, ",\"tasks\":{") < 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct etask *t = &r->tasks[i];
		bad |= drove__buf_puts(&b, i ? "," : "") < 0;
		bad |= put_jstr(&b, drove_epoch_topology_task_name(r->tp->t, i)) < 0;
		bad |= drove__buf_puts(&b, ":{\"taskId\":") < 0;
		bad |= put_jstr(&b, t->task_id) < 0;
		bad |= drove__buf_printf(&b, ",\"state\":\"%s\",\"upstreamId\":",
		                         drove_epoch_task_state_name(t->state)) < 0;
		bad |= put_jstr(&b, t->task_id) < 0;
		if (t->error) {
			bad |= drove__buf_puts(&b, ",\"errorMessage\":") < 0;
			bad |= put_jstr(&b, t->error) < 0;
		}
		bad |= drove__buf_putc(&b, '}') < 0;
	}
	bad |= drove__buf_printf(
	               &b, "},\"runType\":\"%s\",\"created\":%" PRId64 ",\"updated\":%" PRId64 "}",
	               r->type == DROVE_EPOCH_RUN_INSTANT ? "INSTANT" : "SCHEDULED", r->created,
	               drove_time_wall_ms()) < 0;
	if (bad) {
		drove__buf_free(&b);
		return NULL;
	}
	return drove__buf_steal(&b);
}

/* A decided run's message: the first task that did not complete and why (`buf` "" if none). */
static const char *run_message(const struct drove__erun *r, char *buf, size_t size)
{
	*buf = '\0';
	for (size_t i = 0; i < r->n && !*buf; i++)
		if (r->tasks[i].error && r->tasks[i].state != DROVE_EPOCH_TASK_COMPLETED)
			snprintf(buf, size, "%s: %s", drove_epoch_topology_task_name(r->tp->t, i),
			         r->tasks[i].error);
	return *buf ? buf : NULL;
}

/* The run's EpochTopologyRunInfo, queued to be written over the record. */
static void run_record(drove_epoch *e, struct drove__erun *r, const char *message)
{
	char *text = run_text(r, message);
	if (!text || rec_push_run(e, r, text, r->finishing, r->uncreated) < 0) {
		drove_error_clear(); /* written with the run's next change, or re-followed */
	} else {
		r->unrecorded = 0;
		r->uncreated = 0; /* the queued record creates it */
	}
}

/* What a record not written yet would say: the leader answers reads of its runs fenced by
 * a fire record from memory until their own record is in the store. */
static struct json_object *unstored_json(const struct drove__erun *r)
{
	char msg[160];
	char *text = run_text(r, r->finishing ? run_message(r, msg, sizeof(msg)) : NULL);
	struct json_object *j = NULL;
	if (text && drove__mcodec_parse(text, strlen(text), &j) < 0)
		j = NULL;
	free(text);
	return j;
}

struct json_object *drove__erun_unstored(const drove_epoch *e, const char *tid, const char *rid)
{
	for (const struct drove__erun *r = e->runs; r; r = r->next)
		if (!r->stored && !strcmp(r->tid, tid) && !strcmp(r->rid, rid))
			return unstored_json(r);
	return NULL;
}

int drove__eruns_unstored(const drove_epoch *e, const char *tid, drove__erun_json_fn fn,
                          void *userdata)
{
	for (const struct drove__erun *r = e->runs; r; r = r->next) {
		if (r->stored || strcmp(r->tid, tid) != 0)
			continue;
		struct json_object *j = unstored_json(r);
		if (!j)
			return drove__enomem();
		fn(j, userdata);
	}
	return 0;
}

/* A job about one run. */
enum { JOB_START = 1, JOB_POLL, JOB_FINISH, JOB_FLUSH };
struct run_job {
	drove__ejob base;
	int kind;
	struct drove__erun *run;
	/* the record queue's flush (kind JOB_FLUSH; no run) */
	drove_epoch *e;
	struct drove__erec *recs;
	size_t nrecs;
	int *rec_rc;
	drove_store *store;
	/* borrowed: the run (held) and the engine outlive the job */
	drove_epoch_topology *t;
	const char *app, *rid;
	int64_t timeout_s;
	size_t n;
	/* per task, in the job's block (job_new) */
	int *todo, *rc, *already, *state;
	char **task_ids; /* the run's */
	char **msg;      /* owned strings */
	/* FINISH: the MAIL goes out on a worker */
	int mail;
	drove__epoch_mail mailcfg;
	drove_strlist *emails;
	char *subject, *body;
	/* the exchanges in flight (x_start), in the job's block */
	struct xref *x;
	size_t npend;
	int cancelled;
};

static void job_free(struct run_job *j)
{
	for (size_t i = 0; i < j->nrecs; i++)
		rec_free(&j->recs[i]);
	free(j->recs);
	free(j->rec_rc);
	for (size_t i = 0; j->msg && i < j->n; i++)
		free(j->msg[i]);
	drove_strlist_free(j->emails);
	free(j->subject);
	free(j->body);
	free(j); /* its arrays, in the same block (job_new) */
}

static void job_done(drove__ejob *base, int cancelled);
static void flush_work(struct run_job *j);
static void flush_done(struct run_job *j, int cancelled);
static void run_finish(drove_epoch *e, struct drove__erun *r);

/* Worker: the record flush, or the MAIL of a finished run (its HTTP exchanges are done). */
static void job_work(drove__ejob *base, drove_client *client)
{
	struct run_job *j = (struct run_job *)base;
	(void)client;
	if (j->kind == JOB_FLUSH) {
		flush_work(j);
		return;
	}
	if (j->mail && drove__epoch_mail_send(&j->mailcfg, j->emails, j->subject, j->body) < 0) {
		free(j->msg[0]);
		j->msg[0] = strdup(drove_error_last()->message); /* logged on the loop */
		j->rc[0] = 1;
	}
	drove_error_clear();
}

/* ---- the exchanges with Drove: asynchronous, all of a job's at once (ctl.c) ---- */

/* One exchange of a job: task `i`; `kill` 1 while the KILL before a DELETE is out. */
struct xref {
	struct run_job *j;
	size_t i;
	int kill;
};

static void x_send(struct xref *x);

/* An exchange is over; the last one of the job hands it on as the worker did. */
static void x_release(struct run_job *j)
{
	if (--j->npend)
		return;
	if (j->kind == JOB_FINISH && j->mail && !j->cancelled &&
	    drove__epool_submit(j->run->e->pool, &j->base) == 0)
		return; /* the MAIL on a worker; job_done afterwards */
	drove_error_clear();
	job_done(&j->base, j->cancelled);
}

static void x_done(int rc, int status, const char *body, size_t len, const char *why, int cancelled,
                   void *ud)
{
	struct xref *x = ud;
	struct run_job *j = x->j;
	size_t i = x->i;
	if (cancelled) {
		j->cancelled = 1;
	} else if (j->kind == JOB_FINISH && x->kill) {
		x->kill = 0; /* whatever KILL answered, the DELETE follows */
		x_send(x);
		return;
	} else if (rc < 0) {
		j->rc[i] = drove__error(rc, "%s", why);
	} else if (j->kind == JOB_START) {
		j->rc[i] = drove__epoch_task_create_result(j->t, i, j->rid, status, body, len,
		                                           &j->already[i]);
	} else if (j->kind == JOB_POLL) {
		char *path = drove__epoch_task_path(j->app, j->task_ids[i]);
		j->rc[i] = path ? drove__epoch_task_state_result(status, body, len, path,
		                                                 j->task_ids[i], &j->state[i],
		                                                 &j->msg[i])
		                : DROVE_ENOMEM;
		free(path);
	} else {
		j->rc[i] = drove__epoch_task_op_result(status, body, len, "task DELETE");
	}
	if (!cancelled && j->rc[i] < 0 && !j->msg[i] && j->kind != JOB_POLL)
		j->msg[i] = strdup(drove_error_last()->message);
	drove_error_clear();
	x_release(j);
}

static void x_send(struct xref *x)
{
	struct run_job *j = x->j;
	drove_epoch *e = j->run->e;
	size_t i = x->i;
	char *body = NULL, *path = NULL;
	const char *method = "POST";
	int rc;
	if (!e->ctl) {
		rc = drove__error(DROVE_EINVAL, "epoch: no client for drove.endpoints");
	} else if (j->kind == JOB_START) {
		rc = drove__epoch_task_create_body(j->t, i, j->app, j->rid, j->timeout_s, &body);
		path = rc == 0 ? strdup(DROVE__EPOCH_TASK_OPS) : NULL;
	} else if (j->kind == JOB_FINISH && x->kill) {
		body = drove__epoch_task_kill_body(j->app, j->task_ids[i]);
		path = strdup(DROVE__EPOCH_TASK_OPS);
		rc = 0;
	} else {
		method = j->kind == JOB_POLL ? "GET" : "DELETE";
		path = drove__epoch_task_path(j->app, j->task_ids[i]);
		rc = 0;
	}
	if (rc == 0 && (!path || (j->kind == JOB_FINISH && x->kill && !body)))
		rc = drove__enomem();
	if (rc == 0)
		/* a run fired ahead of its time (engine.c) creates its task at that time */
		rc = drove__ectl_send_at(e->ctl, method, path, body, j->kind == JOB_START,
		                         j->kind == JOB_START ? j->run->created : 0, x_done, x);
	free(body);
	free(path);
	if (rc < 0) {
		if (j->kind == JOB_FINISH && x->kill) { /* the DELETE goes on */
			drove_error_clear();
			x->kill = 0;
			x_send(x);
			return;
		}
		j->rc[i] = rc;
		if (j->kind != JOB_POLL && !j->msg[i])
			j->msg[i] = strdup(drove_error_last()->message);
		drove_error_clear();
		x_release(j);
	}
}

/* Send the job's exchanges; it comes back to job_done once all are answered. */
static void x_start(struct run_job *j)
{
	j->npend = 1; /* held while sending */
	for (size_t i = 0; i < j->n; i++) {
		if (!j->todo[i])
			continue;
		j->x[i] = (struct xref){j, i, j->kind == JOB_FINISH && j->todo[i] == 2};
		j->npend++;
		x_send(&j->x[i]);
	}
	x_release(j);
}

/* One block for the job and its per-task arrays (tens of thousands of jobs a second at
 * 10,000 runs a second); the strings it sends are the run's and the engine's, which outlive
 * it (the job holds the run: `busy`). */
static struct run_job *job_new(struct drove__erun *r, int kind)
{
	drove_epoch *e = r->e;
	size_t n = r->n ? r->n : 1;
	struct run_job *j = calloc(
	        1, sizeof(*j) + n * (2 * sizeof(char *) + sizeof(struct xref) + 4 * sizeof(int)));
	if (!j)
		return NULL;
	j->task_ids = (char **)(j + 1);
	j->msg = j->task_ids + n;
	j->x = (struct xref *)(j->msg + n);
	j->todo = (int *)(j->x + n);
	j->rc = j->todo + n;
	j->already = j->rc + n;
	j->state = j->already + n;
	j->base.work = job_work;
	j->base.done = job_done;
	j->kind = kind;
	j->run = r;
	j->t = r->tp->t;
	j->n = r->n;
	j->timeout_s = e->task_timeout_s;
	j->app = e->app_name;
	j->rid = r->rid;
	for (size_t i = 0; i < r->n; i++)
		j->task_ids[i] = r->tasks[i].task_id;
	return j;
}

static void submit(drove_epoch *e, struct drove__erun *r, struct run_job *j)
{
	(void)e;
	if (!j)
		return;
	r->busy++;
	x_start(j); /* may come back to job_done at once (nothing to send) */
}

/* Tasks run one at a time, depth first, as Epoch does: a COMPOSITE ANY stops at its first
 * COMPLETED child and ALL at its first failed one, nested ones included
 * (drove__epoch_topology_next_task), so later children may never start. With `poll`, a
 * started task is asked about; otherwise only the next task is started when none is under
 * way. */
static void run_next(drove_epoch *e, struct drove__erun *r, int poll)
{
	int states[DROVE_EPOCH_TASKS_MAX];
	struct run_job *j;
	size_t next = r->n;
	int active = 0;
	if (r->busy || r->finishing)
		return;
	for (size_t i = 0; i < r->n; i++) {
		states[i] = r->tasks[i].state;
		if (r->tasks[i].started && !terminal(r->tasks[i].state))
			active = 1;
	}
	if (!active && (drove__epoch_topology_next_task(r->tp->t, states, r->n, &next) < 0 ||
	                next >= r->n || r->tasks[next].started)) {
		drove_error_clear();
		return;
	}
	if ((active && !poll) || !(j = job_new(r, active ? JOB_POLL : JOB_START)))
		return;
	for (size_t i = 0; i < r->n; i++)
		j->todo[i] =
		        active ? r->tasks[i].started && !terminal(r->tasks[i].state) : i == next;
	submit(e, r, j);
}

static void notify_text(drove_epoch *e, struct drove__erun *r, struct run_job *j)
{
	char *doc = NULL;
	struct json_object *root = NULL, *n, *v, *emails;
	if (!e->mail_on || drove_epoch_topology_to_json(r->tp->t, &doc) < 0)
		goto out;
	if (drove__mcodec_parse(doc, strlen(doc), &root) < 0 ||
	    !json_object_object_get_ex(root, "notify", &n) ||
	    !json_object_object_get_ex(n, "type", &v) ||
	    strcmp(json_object_get_string(v), "MAIL") != 0)
		goto out;
	if (drove_strlist_new(&j->emails) < 0)
		goto out;
	if (json_object_object_get_ex(n, "emails", &emails))
		for (size_t i = 0; i < json_object_array_length(emails); i++)
			if (drove_strlist_add(j->emails,
			                      json_object_get_string(
			                              json_object_array_get_idx(emails, i))) < 0)
				goto out;
	const drove_strlist *def = drove_epoch_config_default_emails(e->cfg);
	for (size_t i = 0; i < drove_strlist_count(def); i++)
		if (!drove_strlist_contains(j->emails, drove_strlist_get(def, i)) &&
		    drove_strlist_add(j->emails, drove_strlist_get(def, i)) < 0)
			goto out;
	j->subject = drove__asprintf("Topology %s run %s: %s", r->tid, r->rid,
	                             drove__epoch_run_state_name(r->state));
	size_t cap = 256;
	for (size_t i = 0; i < r->n; i++)
		cap += strlen(r->tasks[i].task_id) + 64 +
		       (r->tasks[i].error ? strlen(r->tasks[i].error) : 0);
	j->body = calloc(1, cap);
	if (!j->subject || !j->body)
		goto out;
	size_t off = (size_t)snprintf(j->body, cap, "Topology: %s\nRun: %s\nState: %s\n\nTasks:\n",
	                              r->tid, r->rid, drove__epoch_run_state_name(r->state));
	for (size_t i = 0; i < r->n && off < cap; i++)
		off += (size_t)snprintf(
		        j->body + off, cap - off, "  %s (%s): %s%s%s\n",
		        drove_epoch_topology_task_name(r->tp->t, i), r->tasks[i].task_id,
		        drove_epoch_task_state_name(r->tasks[i].state),
		        r->tasks[i].error ? ": " : "", r->tasks[i].error ? r->tasks[i].error : "");
	j->mail = 1;
	j->mailcfg = e->mail;
out:
	drove_error_clear();
	json_object_put(root);
	drove_free(doc);
}

/* The run's state from its tasks; when decided: record, then kill/delete/notify/trim. */
static void run_evaluate(drove_epoch *e, struct drove__erun *r, int changed)
{
	int states[DROVE_EPOCH_TASKS_MAX];
	for (size_t i = 0; i < r->n; i++)
		states[i] = r->tasks[i].state;
	int rs = drove_epoch_topology_run_state(r->tp->t, states, r->n);
	if (rs < 0) {
		drove_error_clear();
		return;
	}
	if (rs == DROVE_EPOCH_RUN_RUNNING) {
		if (changed)
			run_record(e, r, NULL);
		return;
	}
	r->state = rs;
	r->finishing = 1;
	char msg[160];
	run_record(e, r, run_message(r, msg, sizeof(msg)));
	drove__info(e->ctx, MOD, "run %s/%s: %s", r->tid, r->rid, drove__epoch_run_state_name(rs));
	{
		const char *v[] = {drove__epoch_run_state_name(rs)};
		drove_metric_add(e->m.finished, v, 1);
	}
	/* retention: the oldest finished run beyond `keep` goes with the next batch (the
	 * cleanup timer trims what this leader did not finish itself) */
	drove__etopo_done(e, r->tp, r->rid);
	/* the cleanup (kill, DELETE from Drove, mail) follows once the final record is
	 * written: a run whose record still says RUNNING must still have its tasks on Drove, or
	 * the next leader would create them again (run_finish) */
}

/* The run's final record is written: kill what still runs, delete its tasks from Drove,
 * mail. */
static void run_finish(drove_epoch *e, struct drove__erun *r)
{
	struct run_job *j = job_new(r, JOB_FINISH);
	if (!j)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->tasks[i].started)
			j->todo[i] = terminal(r->tasks[i].state) ? 1 : 2;
	notify_text(e, r, j);
	submit(e, r, j);
}

static void job_done(drove__ejob *base, int cancelled)
{
	struct run_job *j = (struct run_job *)base;
	if (j->kind == JOB_FLUSH) {
		flush_done(j, cancelled);
		return;
	}
	struct drove__erun *r = j->run;
	drove_epoch *e = r->e;
	int changed = 0, record = 0;

	if (cancelled || r->abandoned) {
		run_release(r);
		job_free(j);
		return;
	}
	r->busy--;
	if (j->kind == JOB_START) {
		int retry = 0;
		for (size_t i = 0; i < r->n; i++) {
			if (!j->todo[i])
				continue;
			struct etask *t = &r->tasks[i];
			if (j->rc[i] == 0) {
				t->started = 1;
				t->state = DROVE_EPOCH_TASK_STARTING;
				changed = 1;
				r->unrecorded = 1; /* recorded by the first poll, or final */
			} else if (j->rc[i] == DROVE_EINVAL || r->start_tries + 1 >= START_TRIES) {
				t->state = DROVE_EPOCH_TASK_FAILED;
				free(t->error);
				t->error = j->msg[i];
				j->msg[i] = NULL;
				changed = record = 1;
			} else {
				retry = 1;
				drove__warn(e->ctx, MOD, "run %s/%s: start %s: %s", r->tid, r->rid,
				            t->task_id, j->msg[i] ? j->msg[i] : "");
			}
		}
		if (retry)
			r->start_tries++;
	} else if (j->kind == JOB_POLL) {
		for (size_t i = 0; i < r->n; i++) {
			if (!j->todo[i])
				continue;
			struct etask *t = &r->tasks[i];
			int st = j->state[i];
			if (j->rc[i] == DROVE_ENOTFOUND) {
				if (++t->notfound < NOTFOUND_TRIES)
					continue;
				st = DROVE_EPOCH_TASK_FAILED;
				free(j->msg[i]);
				j->msg[i] = strdup("the task is not known to Drove");
			} else if (j->rc[i] < 0) {
				continue; /* Drove unreachable: ask again next time */
			}
			t->notfound = 0;
			if (st != t->state) {
				t->state = st;
				changed = record = 1;
			}
			if (j->msg[i]) {
				free(t->error);
				t->error = j->msg[i];
				j->msg[i] = NULL;
			}
		}
	} else {
		if (j->mail && j->rc[0] == 1)
			drove__warn(e->ctx, MOD, "run %s/%s: mail: %s", r->tid, r->rid,
			            j->msg[0] ? j->msg[0] : "");
		run_unlink(e, r);
		r->abandoned = 1; /* done: freed now, or by a holder still out (none expected) */
		if (r->busy == 0)
			run_free(r);
		job_free(j);
		return;
	}
	int polled = j->kind == JOB_POLL;
	job_free(j);
	/* a started task alone is not written at once: the first poll (pollInterval later)
	 * writes it with what Drove says, or the final record does; the REST kill finds its
	 * task id without the record (engine.c). One store write less per run. */
	if (!r->finishing)
		run_evaluate(e, r, record || (polled && r->unrecorded));
	if (changed) /* the next task once one has ended (a failed start waits for the tick) */
		run_next(e, r, 0);
}

void drove__etopo_done(drove_epoch *e, drove__etopo *tp, const char *rid)
{
	char *id;
	if (!e->keep_runs)
		return;
	if (tp->ndone == tp->done_cap) {
		size_t cap = tp->done_cap ? tp->done_cap * 2 : 4;
		char **n = realloc(tp->done, cap * sizeof(*n));
		if (!n)
			return;
		tp->done = n;
		tp->done_cap = cap;
	}
	if (!(id = strdup(rid)))
		return;
	tp->done[tp->ndone++] = id;
	while (tp->ndone > e->keep_runs) {
		char *old = tp->done[0];
		memmove(tp->done, tp->done + 1, (tp->ndone - 1) * sizeof(*tp->done));
		tp->ndone--;
		if (rec_push_delete(e, drove_epoch_topology_name(tp->t), old, NULL) < 0)
			drove_error_clear();
		free(old);
	}
}

/* A run to follow: tasks not started yet (new) or to be started again (resumed: the CREATE
 * answers "Task already exists" for those that were). Takes a reference on `tp`. */
int drove__erun_add(drove_epoch *e, drove__etopo *tp, const char *rid, int type, int64_t created,
                    struct drove__efire *fr)
{
	struct drove__erun *r = calloc(1, sizeof(*r));
	if (!r)
		return drove__enomem();
	r->e = e;
	r->tp = tp;
	tp->refs++;
	r->type = type;
	r->created = created;
	r->state = DROVE_EPOCH_RUN_RUNNING;
	r->n = drove_epoch_topology_task_count(tp->t);
	if (!(r->tid = strdup(drove_epoch_topology_name(tp->t))) || !(r->rid = strdup(rid)) ||
	    !(r->tasks = calloc(r->n ? r->n : 1, sizeof(*r->tasks)))) {
		run_free(r);
		return drove__enomem();
	}
	for (size_t i = 0; i < r->n; i++) {
		r->tasks[i].state = DROVE_EPOCH_TASK_PENDING;
		if (!(r->tasks[i].task_id = drove__asprintf(
		              "%s-%s-%s", r->tid, rid, drove_epoch_topology_task_name(tp->t, i)))) {
			run_free(r);
			return drove__enomem();
		}
	}
	if (fr) {
		r->uncreated = 1;
		r->fr = fr;
		fr->pending++;
	} else {
		r->stored = 1;
	}
	r->next = e->runs;
	if (e->runs)
		e->runs->prev = r;
	e->runs = r;
	r->linked = 1;
	e->nlive++;
	run_next(e, r, 0);
	return 0;
}

void drove__eruns_drop(drove_epoch *e)
{
	struct drove__erun *r = e->runs;
	e->runs = NULL;
	/* records not written yet go too: the next leader follows their runs (RUNNING) */
	for (size_t i = 0; i < e->nrq; i++) {
		if (e->rq[i].run) {
			e->rq[i].run->busy--;
			e->rq[i].run->queued = 0;
		}
		rec_free(&e->rq[i]);
	}
	e->nrq = 0;
	e->nlive = 0;
	/* fire records stay in the store: the next leader follows the runs they name. What the
	 * engine held of them goes; no run keeps a pointer to them (below). */
	while (e->fires) {
		struct drove__efire *f = e->fires;
		e->fires = f->next;
		drove_strlist_free(f->nodes);
		free(f);
	}
	while (r) {
		struct drove__erun *next = r->next;
		r->linked = 0;
		r->next = r->prev = NULL;
		r->fr = NULL;
		r->abandoned = 1; /* its holders' now: a job or a record being written */
		if (r->busy == 0)
			run_free(r);
		r = next;
	}
}

/* ---- polling and retention ---- */

void drove__eruns_poll(drove_epoch *e)
{
	for (struct drove__erun *r = e->runs; r; r = r->next)
		run_next(e, r, 1);
}

struct kill_job {
	drove__ejob base;
	char *app, *task_id, *msg;
	int rc;
	drove__epoch_kill_fn cb;
	void *ud;
};

static void kill_work(drove__ejob *base, drove_client *client)
{
	struct kill_job *j = (struct kill_job *)base;
	j->rc = client ? drove_client_task_kill(client, j->app, j->task_id, NULL) : DROVE_EINVAL;
	if (j->rc < 0)
		j->msg = strdup(client ? drove_error_last()->message : "no client");
	drove_error_clear();
}

static void kill_done(drove__ejob *base, int cancelled)
{
	struct kill_job *j = (struct kill_job *)base;
	if (cancelled)
		j->cb(0, "Epoch is stopping", j->ud);
	else
		j->cb(j->rc == 0, j->rc == 0 ? "Task kill requested" : (j->msg ? j->msg : "error"),
		      j->ud);
	free(j->app);
	free(j->task_id);
	free(j->msg);
	free(j);
}

int drove__eruns_kill(drove_epoch *e, const char *task_id, drove__epoch_kill_fn cb, void *userdata)
{
	struct kill_job *j = calloc(1, sizeof(*j));
	if (!j)
		return drove__enomem();
	j->base.work = kill_work;
	j->base.done = kill_done;
	j->cb = cb;
	j->ud = userdata;
	if (!(j->app = strdup(e->app_name)) || !(j->task_id = strdup(task_id))) {
		free(j->app);
		free(j);
		return drove__enomem();
	}
	if (drove__epool_submit(e->pool, &j->base) < 0) {
		free(j->app);
		free(j->task_id);
		free(j);
		return DROVE_EUNAVAIL;
	}
	return 0;
}

/* ---- the record flush ---- */

/* Worker: every record goes in batches, in order. */
static void flush_work(struct run_job *j)
{
	for (size_t done = 0; done < j->nrecs;) {
		struct drove__epoch_rec b[DROVE__EPOCH_BATCH_MAX];
		size_t n = j->nrecs - done < DROVE__EPOCH_BATCH_MAX ? j->nrecs - done
		                                                    : DROVE__EPOCH_BATCH_MAX;
		for (size_t i = 0; i < n; i++) {
			const struct drove__erec *q = &j->recs[done + i];
			b[i] = (struct drove__epoch_rec){q->tid,    q->rid,    q->json,
			                                 q->create, q->parent, q->path};
		}
		(void)drove__epoch_records_flush(j->store, n, b, j->rec_rc + done);
		drove_error_clear();
		done += n;
	}
}

/* Loop: runs whose first record is written free their fire records, runs whose final one
 * is go on to their cleanup; a first or final record the store refused is queued again. */
static void flush_done(struct run_job *j, int cancelled)
{
	drove_epoch *e = j->e;
	e->flushing = 0;
	e->nrq_busy = 0;
	for (size_t i = 0; i < j->nrecs; i++) {
		struct drove__erec *q = &j->recs[i];
		struct drove__erun *r = q->run;
		if (!r)
			continue; /* a delete: one left behind is trimmed later */
		if (r->abandoned) {
			run_release(r);
			continue;
		}
		r->busy--;
		if (cancelled) {
			/* stopping: the next leader follows the run (RUNNING) to its end */
		} else if (j->rec_rc[i] < 0 && r->queued) { /* the newer text goes, as this */
			struct drove__erec *n = &e->rq[r->queued - 1];
			n->final |= q->final;
			if (q->create && !n->create) {
				n->create = 1;
				n->parent = q->parent;
			}
		} else if (j->rec_rc[i] < 0) {
			char *json = q->json;
			q->json = NULL;
			if (q->create || q->final)
				(void)rec_push_run(e, r, json, q->final,
				                   q->create); /* takes json */
			else
				free(json);
			drove_error_clear();
		} else {
			if (q->create) {
				r->tp->runs_parent = 1;
				r->stored = 1;
				if (r->fr) {
					struct drove__efire *f = r->fr;
					r->fr = NULL;
					f->pending--;
					efire_check(e, f);
				}
			}
			if (q->final)
				run_finish(e, r);
		}
	}
	job_free(j);
}

void drove__eruns_flush(drove_epoch *e)
{
	struct run_job *j;
	if (e->flushing || !e->nrq || !(j = calloc(1, sizeof(*j))))
		return;
	j->base.work = job_work;
	j->base.done = job_done;
	j->kind = JOB_FLUSH;
	j->e = e;
	j->store = e->store;
	if (!(j->rec_rc = calloc(e->nrq ? e->nrq : 1, sizeof(int)))) {
		free(j);
		return;
	}
	j->recs = e->rq;
	j->nrecs = e->nrq;
	for (size_t i = 0; i < j->nrecs; i++)
		if (j->recs[i].run)
			j->recs[i].run->queued = 0;
	e->rq = NULL;
	e->nrq = e->rqcap = 0;
	if (drove__epool_submit(e->pool, &j->base) < 0) {
		drove_error_clear();
		flush_done(j, 1);
		return;
	}
	e->flushing = 1;
	e->nrq_busy = j->nrecs;
}
