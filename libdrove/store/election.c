/* Leader election: Curator's recipe. Each contender creates an ephemeral sequential node
 * /leaderselection/_c_<uuid>-lock-<10-digit seq>; the owner of the lowest sequence leads;
 * every other contender watches only its predecessor (no herd). The term is the czxid of the
 * leader's node (ZooKeeper), which grows with every election even if /leaderselection is
 * deleted and recreated; the local backend uses its per-open counter. Runs on the loop
 * thread; the ZooKeeper thread only clears the `leader` flag (drove__election_fence). */
#include <stdlib.h>
#include <string.h>

#include <drove/ids.h>
#include "store/store_internal.h"

#define ELECTION_DIR "/leaderselection"

struct drove_election {
	drove_election *next; /* the store's list (cancelled ones stay until idle) */
	drove_store *store;
	char *data;
	size_t len;
	drove_election_fn fn;
	void *userdata;
	char *prefix; /* "/leaderselection/_c_<uuid>-lock-" */
	char *node;   /* our node, once created */
	int64_t czxid;
	int leader;    /* atomic: what drove_election_is_leader() says */
	int64_t term;  /* atomic */
	bool notified; /* the user was told ACQUIRED and not yet LOST */
	bool creating, suspended, dead, cancelled;
	int inflight;
};

static void start_create(drove_election *e);
static void fence(drove_store *s);
static void session(drove_store *s, int event);
static void free_all(drove_store *s);

static const struct drove__store_election_hooks hooks = {fence, session, free_all};
static void check(drove_election *e);
static void self_stat(int rc, const drove_store_stat *st, void *ud);

static bool store_closing(drove_store *s)
{
	bool c;
	pthread_mutex_lock(&s->lock);
	c = s->closing;
	pthread_mutex_unlock(&s->lock);
	return c;
}

static void el_free(drove_election *e)
{
	free(e->data);
	free(e->prefix);
	free(e->node);
	free(e);
}

static void unlink_el(drove_election *e)
{
	drove_store *s = e->store;
	drove_election **pp;
	pthread_mutex_lock(&s->lock);
	for (pp = &s->election; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	pthread_mutex_unlock(&s->lock);
}

/* Drop a reference; true when the election is gone (or must not act). */
static bool release(drove_election *e)
{
	e->inflight--;
	if (e->cancelled) {
		if (e->inflight == 0) {
			unlink_el(e);
			el_free(e);
		}
		return true;
	}
	return store_closing(e->store) || e->dead;
}

static void lose(drove_election *e)
{
	__atomic_store_n(&e->leader, 0, __ATOMIC_RELEASE);
	if (e->notified) {
		e->notified = false;
		(void)drove__store_fence(e->store, NULL);
		e->fn(e, DROVE_STORE_LEADER_LOST, e->term, e->userdata);
	}
}

static const char *seq_of(const char *name)
{
	size_t n = strlen(name);
	return n >= 10 ? name + n - 10 : name;
}

static int cmp_seq(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcmp(seq_of(x), seq_of(y));
	return c ? c : strcmp(x, y);
}

/* Our own node went away while we led: deposed (or the session ended, which the session
 * events report first). Stop leading and contend again. */
static void deposed(drove_election *e)
{
	if (e->notified)
		lose(e);
	check(e);
}

static void self_watch(drove_store *s, int event, const char *path, void *ud)
{
	drove_election *e = ud;
	(void)s;
	(void)path;
	if (release(e))
		return;
	if (event == DROVE_STORE_EV_DELETED)
		deposed(e);
	else if (e->notified && e->node) {
		/* any other event (a data change): keep watching */
		e->inflight += 2;
		if (drove_store_exists_async(e->store, e->node, self_watch, e, self_stat, e) < 0)
			e->inflight -= 2;
	}
}

static void self_stat(int rc, const drove_store_stat *st, void *ud)
{
	drove_election *e = ud;
	(void)st;
	if (rc < 0 && rc != DROVE_ENOTFOUND)
		e->inflight--; /* the watch was not registered */
	if (release(e))
		return;
	if (rc == DROVE_ENOTFOUND)
		deposed(e);
}

static void pred_watch(drove_store *s, int event, const char *path, void *ud)
{
	drove_election *e = ud;
	(void)s;
	(void)event;
	(void)path;
	if (release(e))
		return;
	check(e);
}

static void pred_stat(int rc, const drove_store_stat *st, void *ud)
{
	drove_election *e = ud;
	(void)st;
	if (rc < 0 && rc != DROVE_ENOTFOUND)
		e->inflight--; /* the watch was not registered */
	if (release(e))
		return;
	if (rc == DROVE_ENOTFOUND)
		check(e); /* gone already: look again */
}

static void on_children(int rc, const drove_strlist *kids, void *ud)
{
	drove_election *e = ud;
	const char *mine;
	char **names = NULL;
	size_t i, n, me = (size_t)-1;

	if (release(e))
		return;
	if (rc < 0 || !e->node)
		return; /* no session: the CONNECTED event starts over */
	mine = drove__store_path_name(e->node);
	n = drove_strlist_count(kids);
	if (n && !(names = malloc(n * sizeof(char *))))
		return;
	for (i = 0; i < n; i++)
		names[i] = (char *)drove_strlist_get(kids, i);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_seq);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], mine) == 0)
			me = i;
	if (me == (size_t)-1) {
		/* Our node is gone (a new session): contend again. */
		free(names);
		free(e->node);
		e->node = NULL;
		start_create(e);
		return;
	}
	if (me == 0) {
		free(names);
		if (!e->notified && !e->suspended && drove_store_is_connected(e->store)) {
			int64_t term = e->store->backend == DROVE_STORE_ZK ? e->czxid
			                                                   : e->store->local_term;
			__atomic_store_n(&e->term, term, __ATOMIC_RELEASE);
			__atomic_store_n(&e->leader, 1, __ATOMIC_RELEASE);
			e->notified = true;
			/* a standby may depose us by deleting our node (drove_store_depose_leader):
			 * from then on none of our writes applies, even before we hear of it */
			if (e->store->backend == DROVE_STORE_ZK) {
				if (drove__store_fence(e->store, e->node) < 0)
					drove_error_clear(); /* out of memory: writes unfenced */
				e->inflight += 2;
				if (drove_store_exists_async(e->store, e->node, self_watch, e,
				                             self_stat, e) < 0)
					e->inflight -= 2;
			}
			e->fn(e, DROVE_STORE_LEADER_ACQUIRED, term, e->userdata);
		}
		return;
	}
	{
		char *pred = drove__asprintf(ELECTION_DIR "/%s", names[me - 1]);
		free(names);
		if (!pred)
			return;
		e->inflight += 2;
		if (drove_store_exists_async(e->store, pred, pred_watch, e, pred_stat, e) < 0)
			e->inflight -= 2;
		free(pred);
	}
}

static void check(drove_election *e)
{
	e->inflight++;
	if (drove_store_children_async(e->store, ELECTION_DIR, NULL, NULL, on_children, e) < 0)
		e->inflight--;
}

static void on_stat(int rc, const drove_store_stat *st, void *ud)
{
	drove_election *e = ud;
	if (release(e))
		return;
	if (rc == 0)
		e->czxid = st->czxid;
	check(e);
}

static void on_created(int rc, const char *path, void *ud)
{
	drove_election *e = ud;

	e->creating = false;
	if (rc == 0 && e->cancelled && !store_closing(e->store))
		drove_store_delete_async(e->store, path, -1, NULL, NULL);
	if (release(e))
		return;
	if (rc < 0)
		return; /* retried on the next CONNECTED event */
	free(e->node);
	if (!(e->node = drove__strdup(path)))
		return;
	e->inflight++;
	if (drove_store_exists_async(e->store, path, NULL, NULL, on_stat, e) < 0)
		e->inflight--;
}

static void start_create(drove_election *e)
{
	if (e->creating)
		return;
	e->creating = true;
	e->inflight++;
	if (drove_store_create_async(e->store, e->prefix, e->data, e->len,
	                             DROVE_STORE_EPHEMERAL_SEQUENTIAL | DROVE_STORE_PARENTS,
	                             on_created, e) < 0) {
		e->inflight--;
		e->creating = false;
	}
}

int drove_store_elect(drove_store *s, const void *data, size_t len, drove_election_fn fn, void *ud,
                      drove_election **out)
{
	drove_election *e, *it;
	char uuid[40];
	int rc;

	DROVE_CHECK_ARG(s && fn && out && (data || !len));
	for (it = s->election; it; it = it->next)
		if (!it->cancelled)
			return drove__error(DROVE_EEXISTS, "store: this store already contends");
	if (len > s->max_value)
		return drove__error(DROVE_EINVAL,
		                    "store: " ELECTION_DIR
		                    ": value of %zu bytes exceeds the cap of "
		                    "%zu bytes",
		                    len, s->max_value);
	if ((rc = drove_uuid_random(s->ctx, uuid, sizeof(uuid))) < 0)
		return rc;
	if (!(e = calloc(1, sizeof(*e))))
		return drove__enomem();
	e->store = s;
	e->fn = fn;
	e->userdata = ud;
	e->len = len;
	if (!(e->data = malloc(len + 1)) ||
	    !(e->prefix = drove__asprintf(ELECTION_DIR "/_c_%s-lock-", uuid))) {
		el_free(e);
		return drove__enomem();
	}
	if (len)
		memcpy(e->data, data, len);
	e->data[len] = '\0';
	e->inflight = 1; /* held while starting */
	start_create(e);
	if (!e->creating) {
		rc = drove_error_last()->code ? drove_error_last()->code : DROVE_ERROR;
		el_free(e);
		return rc;
	}
	e->inflight--;
	pthread_mutex_lock(&s->lock);
	e->next = s->election;
	s->election = e;
	s->election_hooks = &hooks;
	pthread_mutex_unlock(&s->lock);
	*out = e;
	return 0;
}

int drove_election_is_leader(const drove_election *e)
{
	return e ? __atomic_load_n(&e->leader, __ATOMIC_ACQUIRE) : 0;
}

int64_t drove__election_node_term(const drove_election *e)
{
	return e && e->node ? e->czxid : 0;
}

int64_t drove_election_term(const drove_election *e)
{
	return e ? __atomic_load_n(&e->term, __ATOMIC_ACQUIRE) : 0;
}

void drove_election_cancel(drove_election *e)
{
	if (!e)
		return;
	e->cancelled = true;
	__atomic_store_n(&e->leader, 0, __ATOMIC_RELEASE);
	if (e->notified)
		(void)drove__store_fence(e->store, NULL);
	e->notified = false;
	if (e->node && !store_closing(e->store))
		drove_store_delete_async(e->store, e->node, -1, NULL, NULL);
	if (e->inflight == 0) {
		unlink_el(e);
		el_free(e);
	}
}

static void fence(drove_store *s)
{
	drove_election *e;
	pthread_mutex_lock(&s->lock);
	for (e = s->election; e; e = e->next)
		__atomic_store_n(&e->leader, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->lock);
}

static void session(drove_store *s, int event)
{
	drove_election *e, *next;

	for (e = s->election; e; e = next) {
		next = e->next;
		if (e->cancelled)
			continue;
		if (event == DROVE_STORE_SUSPENDED) {
			e->suspended = true;
			lose(e);
		} else if (event == DROVE_STORE_EXPIRED) {
			e->dead = true;
			lose(e);
		} else if (event == DROVE_STORE_CONNECTED && e->suspended && !e->dead) {
			e->suspended = false;
			if (e->node)
				check(e);
			else
				start_create(e);
		}
	}
}

static void free_all(drove_store *s)
{
	drove_election *e = s->election;
	s->election = NULL;
	while (e) {
		drove_election *next = e->next;
		el_free(e);
		e = next;
	}
}

int drove_store_leader(drove_store *s, char **data, size_t *len, int64_t *term)
{
	drove_strlist *kids = NULL;
	drove_store_stat st = DROVE_STORE_STAT_INIT;
	char **names = NULL, *path = NULL, *d = NULL;
	size_t i, n;
	int rc;

	DROVE_CHECK_ARG(s && data);
	if ((rc = drove_store_children(s, ELECTION_DIR, &kids)) < 0 && rc != DROVE_ENOTFOUND)
		return rc;
	for (;;) {
		n = drove_strlist_count(kids);
		if (n == 0) {
			drove_strlist_free(kids);
			return drove__error(DROVE_ENOTFOUND, "store: no leader");
		}
		if (!(names = malloc(n * sizeof(char *)))) {
			drove_strlist_free(kids);
			return drove__enomem();
		}
		for (i = 0; i < n; i++)
			names[i] = (char *)drove_strlist_get(kids, i);
		qsort(names, n, sizeof(char *), cmp_seq);
		path = drove__asprintf(ELECTION_DIR "/%s", names[0]);
		free(names);
		drove_strlist_free(kids);
		kids = NULL;
		if (!path)
			return DROVE_ENOMEM;
		rc = drove_store_get(s, path, &d, len, &st);
		free(path);
		if (rc != DROVE_ENOTFOUND)
			break;
		/* The leader left in between: look again. */
		if ((rc = drove_store_children(s, ELECTION_DIR, &kids)) < 0)
			return rc == DROVE_ENOTFOUND
			               ? drove__error(DROVE_ENOTFOUND, "store: no leader")
			               : rc;
	}
	if (rc < 0)
		return rc;
	*data = d;
	if (term)
		*term = s->backend == DROVE_STORE_ZK ? st.czxid : s->local_term;
	return 0;
}

/* ---- finding and deposing the leader without blocking ---- */

struct lookup {
	drove_store *s;
	int64_t depose_term; /* -1: only look */
	drove_store_leader_fn fn;
	drove_store_done_fn done;
	void *userdata;
	char *path;
};

static void lookup_end(struct lookup *l, int rc, const char *data, size_t len, int64_t term)
{
	if (l->fn)
		l->fn(rc, data, len, term, l->userdata);
	else if (l->done)
		l->done(rc, l->userdata);
	free(l->path);
	free(l);
}

static void on_deposed(int rc, void *ud)
{
	lookup_end(ud, rc, NULL, 0, 0);
}

static void on_leader_node(int rc, const char *data, size_t len, const drove_store_stat *st,
                           void *ud)
{
	struct lookup *l = ud;
	int64_t term;
	if (rc < 0)
		return lookup_end(l, rc, NULL, 0, 0);
	term = l->s->backend == DROVE_STORE_ZK ? st->czxid : l->s->local_term;
	if (l->depose_term < 0)
		return lookup_end(l, 0, data, len, term);
	if (term != l->depose_term)
		return lookup_end(l,
		                  drove__error(DROVE_ENOTFOUND,
		                               "store: the leader of term %lld is gone already",
		                               (long long)l->depose_term),
		                  NULL, 0, 0);
	if ((rc = drove_store_delete_async(l->s, l->path, -1, on_deposed, l)) < 0)
		lookup_end(l, rc, NULL, 0, 0);
}

static void on_lookup_children(int rc, const drove_strlist *kids, void *ud)
{
	struct lookup *l = ud;
	const char *low = NULL;
	if (rc < 0)
		return lookup_end(l, rc, NULL, 0, 0);
	for (size_t i = 0; i < drove_strlist_count(kids); i++) {
		const char *k = drove_strlist_get(kids, i);
		if (!low || cmp_seq(&k, &low) < 0)
			low = k;
	}
	if (!low)
		return lookup_end(l, drove__error(DROVE_ENOTFOUND, "store: no leader"), NULL, 0, 0);
	if (!(l->path = drove__asprintf(ELECTION_DIR "/%s", low)))
		return lookup_end(l, DROVE_ENOMEM, NULL, 0, 0);
	if ((rc = drove_store_get_async(l->s, l->path, NULL, NULL, on_leader_node, l)) < 0)
		lookup_end(l, rc, NULL, 0, 0);
}

static int lookup_start(drove_store *s, int64_t depose_term, drove_store_leader_fn fn,
                        drove_store_done_fn done, void *ud)
{
	struct lookup *l = calloc(1, sizeof(*l));
	int rc;
	if (!l)
		return drove__enomem();
	l->s = s;
	l->depose_term = depose_term;
	l->fn = fn;
	l->done = done;
	l->userdata = ud;
	if ((rc = drove_store_children_async(s, ELECTION_DIR, NULL, NULL, on_lookup_children, l)) <
	    0)
		free(l);
	return rc;
}

int drove_store_leader_async(drove_store *s, drove_store_leader_fn fn, void *userdata)
{
	DROVE_CHECK_ARG(s && fn);
	return lookup_start(s, -1, fn, NULL, userdata);
}

int drove_store_depose_leader(drove_store *s, int64_t term, drove_store_done_fn done,
                              void *userdata)
{
	DROVE_CHECK_ARG(s && term >= 0);
	if (s->backend != DROVE_STORE_ZK)
		return drove__error(DROVE_EINVAL,
		                    "store: the local store has a single contender to depose");
	return lookup_start(s, term, NULL, done, userdata);
}
