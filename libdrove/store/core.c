/* The bottom of the store: paths, the completion queue that hands backend results to the loop
 * thread, watch records, session events and request failures. The backends (zk.c, local.c)
 * and the common layer (store.c) use it; it calls neither, and reaches the election only
 * through the hooks election.c installs (store->election_hooks). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "store/store_internal.h"

/* ---- paths ---- */

int drove__store_path_check(const char *path)
{
	size_t n, i, comp = 0;

	if (!path)
		return drove__error(DROVE_EINVAL, "store: path is null");
	n = strlen(path);
	if (n == 0 || path[0] != '/')
		return drove__error(DROVE_EINVAL, "store: path '%.*s' is not absolute",
		                    (int)(n > 200 ? 200 : n), path);
	if (n > DROVE__STORE_PATH_MAX)
		return drove__error(DROVE_EINVAL, "store: path '%.64s...' is %zu bytes, above %d",
		                    path, n, DROVE__STORE_PATH_MAX);
	if (n == 1)
		return 0;
	if (path[n - 1] == '/')
		return drove__error(DROVE_EINVAL, "store: path '%s' ends with '/'", path);
	for (i = 1; i <= n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c == '/' || c == '\0') {
			const char *s = path + i - comp;
			if (comp == 0)
				return drove__error(DROVE_EINVAL,
				                    "store: path '%s' has an empty component",
				                    path);
			if ((comp == 1 && s[0] == '.') || (comp == 2 && s[0] == '.' && s[1] == '.'))
				return drove__error(DROVE_EINVAL,
				                    "store: path '%s' has a '.' or '..' component",
				                    path);
			if (comp == 9 && memcmp(s, "zookeeper", 9) == 0 && s == path + 1)
				return drove__error(DROVE_EINVAL, "store: path '%s' is reserved",
				                    path);
			comp = 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return drove__error(DROVE_EINVAL,
			                    "store: path has a control byte 0x%02x at offset %zu",
			                    c, i);
		comp++;
	}
	return 0;
}

char *drove__store_path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return drove__strdup("/");
	return drove__strndup(path, (size_t)(slash - path));
}

const char *drove__store_path_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void drove__store_sort_names(char **names, size_t n)
{
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
}

/* ---- the queue ---- */

void drove__store_drain(evutil_socket_t fd, short what, void *arg)
{
	drove_store *s = arg;
	struct drove__store_qent *q;

	(void)fd;
	(void)what;
	s->draining++;
	while (!s->close_started) {
		pthread_mutex_lock(&s->lock);
		q = s->q_head;
		if (q) {
			s->q_head = q->next;
			if (!s->q_head)
				s->q_tail = NULL;
		}
		pthread_mutex_unlock(&s->lock);
		if (!q)
			break;
		q->next = NULL;
		q->run(s, q, 0);
	}
	if (--s->draining == 0 && s->free_pending)
		drove__store_free(s); /* closed by one of the callbacks */
}

void drove__store_enqueue(drove_store *s, struct drove__store_qent *q, bool front)
{
	bool was_empty;

	q->next = NULL;
	pthread_mutex_lock(&s->lock);
	was_empty = s->q_head == NULL;
	if (front) {
		q->next = s->q_head;
		s->q_head = q;
		if (!s->q_tail)
			s->q_tail = q;
	} else {
		if (s->q_tail)
			s->q_tail->next = q;
		else
			s->q_head = q;
		s->q_tail = q;
	}
	/* A non-empty queue is already being or about to be drained: drain() only stops once it
	 * has seen the queue empty under the lock. */
	if (was_empty && s->wake)
		event_active(s->wake, EV_READ, 0);
	pthread_mutex_unlock(&s->lock);
}

/* ---- watches ---- */

void drove__store_wrec_free(struct drove__store_wrec *w)
{
	if (!w)
		return;
	free(w->path);
	free(w);
}

static void wrec_run(drove_store *s, struct drove__store_qent *q, int closing)
{
	struct drove__store_wrec *w = (struct drove__store_wrec *)q;
	if (!closing && w->fn)
		w->fn(s, w->event, w->path, w->userdata);
	drove__store_wrec_free(w);
}

struct drove__store_wrec *drove__store_wrec_new(drove_store *s, int kind, const char *path,
                                                drove_store_watch_fn fn, void *ud)
{
	struct drove__store_wrec *w = calloc(1, sizeof(*w));
	if (!w || !(w->path = drove__strdup(path))) {
		free(w);
		drove__enomem();
		return NULL;
	}
	w->q.run = wrec_run;
	w->store = s;
	w->kind = kind;
	w->fn = fn;
	w->userdata = ud;
	return w;
}

void drove__store_wrec_link_locked(drove_store *s, struct drove__store_wrec *w)
{
	w->prev = NULL;
	w->next = s->watches;
	if (s->watches)
		s->watches->prev = w;
	s->watches = w;
	w->linked = true;
}

void drove__store_wrec_unlink_locked(drove_store *s, struct drove__store_wrec *w)
{
	if (!w->linked)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		s->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->prev = w->next = NULL;
	w->linked = false;
}

void drove__store_watch_fire(struct drove__store_wrec *w, int event, bool locked)
{
	drove_store *s = w->store;
	bool fire;

	if (!locked)
		pthread_mutex_lock(&s->lock);
	fire = w->linked;
	if (fire) {
		bool was_empty = s->q_head == NULL;
		drove__store_wrec_unlink_locked(s, w);
		w->event = event;
		w->q.next = NULL;
		if (s->q_tail)
			s->q_tail->next = &w->q;
		else
			s->q_head = &w->q;
		s->q_tail = &w->q;
		if (was_empty && s->wake)
			event_active(s->wake, EV_READ, 0);
	}
	if (!locked)
		pthread_mutex_unlock(&s->lock);
}

void drove__store_watch_drop(struct drove__store_wrec *w)
{
	drove_store *s = w->store;
	pthread_mutex_lock(&s->lock);
	drove__store_wrec_unlink_locked(s, w);
	pthread_mutex_unlock(&s->lock);
	drove__store_wrec_free(w);
}

/* ---- session events ---- */

struct sess_ev {
	struct drove__store_qent q;
	int event;
};

static void sess_run(drove_store *s, struct drove__store_qent *q, int closing)
{
	struct sess_ev *e = (struct sess_ev *)q;
	int event = e->event;
	free(e);
	if (closing)
		return;
	if (s->election_hooks)
		s->election_hooks->session(s, event);
	if (s->session_fn)
		s->session_fn(s, event, s->session_userdata);
}

void drove__store_session_event(drove_store *s, int event)
{
	struct sess_ev *e;

	pthread_mutex_lock(&s->lock);
	if (event == DROVE_STORE_CONNECTED) {
		s->connected = 1;
	} else {
		s->connected = 0;
		if (event == DROVE_STORE_EXPIRED)
			s->expired = 1;
	}
	pthread_mutex_unlock(&s->lock);
	if (event != DROVE_STORE_CONNECTED && s->election_hooks)
		s->election_hooks->fence(s);
	if (!(e = calloc(1, sizeof(*e))))
		return; /* out of memory on a ZooKeeper thread: the event is lost */
	e->q.run = sess_run;
	e->event = event;
	/* Leadership loss must be seen before anything queued earlier. */
	drove__store_enqueue(s, &e->q, event != DROVE_STORE_CONNECTED);
}

/* ---- requests and the store itself ---- */

void drove__store_req_fail(struct drove__store_req *req, int code, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	req->rc = code;
	free(req->msg);
	req->msg = strdup(buf); /* NULL on ENOMEM: the code still travels */
}

int drove__store_fence(drove_store *s, const char *path)
{
	char *copy = NULL, *old;
	if (path && !(copy = drove__strdup(path)))
		return DROVE_ENOMEM;
	pthread_mutex_lock(&s->lock);
	old = s->fence;
	s->fence = copy;
	pthread_mutex_unlock(&s->lock);
	free(old);
	return 0;
}

void drove__store_free(drove_store *s)
{
	pthread_mutex_destroy(&s->lock);
	free(s->fence);
	free(s->connect);
	free(s->dir);
	free(s->ns);
	free(s);
}

int drove_store_is_connected(const drove_store *s)
{
	return s ? __atomic_load_n(&s->connected, __ATOMIC_ACQUIRE) : 0;
}
