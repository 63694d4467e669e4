/*
 * Worker threads for the Epoch engine's blocking calls (HTTP to Drove, SMTP). Each worker owns
 * one drove_client (a client is used by one thread at a time). A job's `work` runs on a
 * worker; its `done` runs afterwards on the loop thread (through an eventfd watched by the
 * loop), or, for jobs still queued or finished but not yet reported when the pool is freed,
 * inside drove__epool_free() with `cancelled` 1. Nothing calls back up by name.
 */
#ifndef DROVE_EPOCH_POOL_H
#define DROVE_EPOCH_POOL_H

#include <stdint.h>

#include <drove/client.h>
#include <drove/loop.h>

typedef struct drove__epool drove__epool;
typedef struct drove__ejob drove__ejob;

/* Blocking work on a worker thread; `client` is that worker's. */
typedef void (*drove__ejob_work_fn)(drove__ejob *job, drove_client *client);
/* Loop thread; must free the job (the pool does not). */
typedef void (*drove__ejob_done_fn)(drove__ejob *job, int cancelled);

/* Embed at the start of a job struct. */
struct drove__ejob {
	drove__ejob *next;
	drove__ejob_work_fn work;
	drove__ejob_done_fn done;
};

/* Builds a worker's client (worker thread). @return 0 or an error. */
typedef int (*drove__epool_client_fn)(drove_client **out, void *userdata);

/* Start `n` workers. @return 0, DROVE_ENOMEM or DROVE_ERROR. */
int drove__epool_new(drove__epool **out, drove_loop *loop, int n, drove__epool_client_fn mk,
                     void *userdata);
/* Workers ask their client which controller leads (drove_client_find_leader) before a job
 * when the last check is `ms` or more ago (0: never; the default). Any thread. */
void drove__epool_set_check(drove__epool *p, int64_t ms);
/* Queue `job` (any thread). @return 0 or DROVE_EUNAVAIL (stopping: the job is not taken). */
int drove__epool_submit(drove__epool *p, drove__ejob *job);
/* Jobs queued or running. */
size_t drove__epool_busy(drove__epool *p);
/* Join the workers (a running job finishes first); every job not reported yet gets
 * done(job, 1). Loop thread. NULL is fine. */
void drove__epool_free(drove__epool *p);

#endif
