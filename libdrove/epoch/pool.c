/* Worker threads for the Epoch engine's blocking calls: a FIFO of jobs, n workers each with
 * its own drove_client, and the finished jobs handed back to the loop through a libevent user
 * event (as the controller's decoder does). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <drove/clock.h>
#include <event2/event.h>

#include "core/internal.h"
#include "core/loop_internal.h"
#include "epoch/pool.h"

#define POOL_MAX 16

struct drove__epool {
	pthread_t thr[POOL_MAX];
	int nthr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	drove__ejob *in_head, *in_tail;
	drove__ejob *out_head, *out_tail;
	size_t busy; /* queued + running */
	struct event *wake;
	drove__epool_client_fn mk;
	void *mk_ud;
	bool quit;
	int64_t check_ms; /* leader check interval (0: none); read under mu */
};

static void push(drove__ejob **head, drove__ejob **tail, drove__ejob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void *worker(void *arg)
{
	drove__epool *p = arg;
	drove_client *client = NULL;
	int64_t checked = drove_time_mono_ms();

	if (p->mk(&client, p->mk_ud) < 0)
		client = NULL; /* jobs then fail with DROVE_EINVAL from the client calls */
	pthread_mutex_lock(&p->mu);
	for (;;) {
		drove__ejob *j;
		while (!p->quit && !p->in_head)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->quit)
			break;
		j = p->in_head;
		if (!(p->in_head = j->next))
			p->in_tail = NULL;
		int64_t check_ms = p->check_ms, now = drove_time_mono_ms();
		pthread_mutex_unlock(&p->mu);
		/* drove.checkInterval: which controller leads is asked again this often (as the
		 * Drove Java client's leader check does), not only after a failed call */
		if (client && check_ms > 0 && now - checked >= check_ms) {
			checked = now;
			if (drove_client_find_leader(client) < 0)
				drove_error_clear(); /* the job's own call retries and reports */
		}
		j->work(j, client);
		pthread_mutex_lock(&p->mu);
		push(&p->out_head, &p->out_tail, j);
		event_active(p->wake, EV_READ, 0);
	}
	pthread_mutex_unlock(&p->mu);
	drove_client_free(client);
	return NULL;
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	drove__epool *p = arg;
	drove__ejob *list;
	(void)fd;
	(void)what;
	pthread_mutex_lock(&p->mu);
	list = p->out_head;
	p->out_head = p->out_tail = NULL;
	pthread_mutex_unlock(&p->mu);
	while (list) {
		drove__ejob *j = list;
		list = j->next;
		pthread_mutex_lock(&p->mu);
		p->busy--;
		pthread_mutex_unlock(&p->mu);
		j->done(j, 0);
	}
}

int drove__epool_new(drove__epool **out, drove_loop *loop, int n, drove__epool_client_fn mk,
                     void *userdata)
{
	drove__epool *p;

	DROVE_CHECK_ARG(out && loop && mk && n > 0 && n <= POOL_MAX);
	if (!(p = calloc(1, sizeof(*p))))
		return drove__enomem();
	p->mk = mk;
	p->mk_ud = userdata;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (!(p->wake = event_new(drove__loop_base(loop), -1, EV_PERSIST, on_wake, p))) {
		drove__epool_free(p);
		return drove__enomem();
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&p->thr[i], NULL, worker, p) != 0) {
			drove__epool_free(p);
			return drove__error(DROVE_ERROR, "epoch: cannot start worker thread %d", i);
		}
		p->nthr++;
	}
	*out = p;
	return 0;
}

void drove__epool_set_check(drove__epool *p, int64_t ms)
{
	pthread_mutex_lock(&p->mu);
	p->check_ms = ms;
	pthread_mutex_unlock(&p->mu);
}

int drove__epool_submit(drove__epool *p, drove__ejob *job)
{
	pthread_mutex_lock(&p->mu);
	if (p->quit) {
		pthread_mutex_unlock(&p->mu);
		return drove__error(DROVE_EUNAVAIL, "epoch: the workers are stopping");
	}
	push(&p->in_head, &p->in_tail, job);
	p->busy++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

size_t drove__epool_busy(drove__epool *p)
{
	size_t n;
	pthread_mutex_lock(&p->mu);
	n = p->busy;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void drove__epool_free(drove__epool *p)
{
	drove__ejob *lists[2];
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthr; i++)
		pthread_join(p->thr[i], NULL);
	if (p->wake)
		event_free(p->wake);
	lists[0] = p->out_head; /* finished first: their work was done */
	lists[1] = p->in_head;
	for (int i = 0; i < 2; i++)
		while (lists[i]) {
			drove__ejob *j = lists[i];
			lists[i] = j->next;
			j->done(j, 1);
		}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
