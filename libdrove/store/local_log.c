/* The local backend's write path (docs/store.md): group commit through an append-only journal.
 * A write is applied in memory by local.c, which appends the final state of every node it
 * touched to the pending group ("P <name> <len>\n<file bytes>" or "D <name>\n" entries, then
 * "END\n") and queues the request here. One writer thread appends each group to <dir>/journal
 * with a single fdatasync and only then completes the group's requests: every write a caller
 * sees acknowledged is on disk, and all writes queued while the previous sync ran share the
 * next one. When the journal passes LOG_CHECKPOINT bytes it becomes journal.old and a new one
 * is started; a checkpoint thread reads journal.old back, writes its groups to the node files
 * (each node's last state once), syncs the file system once and removes it, while the writer
 * goes on acknowledging (at shutdown the same is done in place). The journal's groups are not
 * kept in memory in between (they were up to 2 × LOG_CHECKPOINT bytes, for nothing). At
 * open, the committed groups of a journal left by a crash are written to the node files
 * (without a sync: the journal keeps them until the next checkpoint) and its torn tail, if
 * any, is cut. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/local.h"

#define LOG_CHECKPOINT (4u * 1024 * 1024)

struct drove__llog {
	drove_ctx *ctx;
	pthread_mutex_t *m; /* the tree lock: guards buf, head/tail, stop, broken */
	pthread_cond_t cv;
	pthread_t th;
	bool started, stop, broken;
	bool busy; /* the writer holds a group it has not completed yet */
	int dirfd, nodesfd, jfd;
	drove__buf buf;                       /* the pending group(s) */
	struct drove__store_req *head, *tail; /* their requests, linked through req->bk */
	size_t since; /* bytes in the journal since the last checkpoint (read back to apply) */
	pthread_t ck; /* the background checkpoint (ck_start) */
	bool ck_running, ck_failed;
};

int drove__local_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int drove__local_durable_write(int dirfd, const char *name, const char *hdr, size_t hlen,
                               const char *data, size_t len, bool sync)
{
	char tmp[DROVE__LOCAL_NAME_MAX + 16];
	int fd;

	snprintf(tmp, sizeof(tmp), ".tmp-%.240s", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return drove__error(DROVE_EIO, "store: local: create %s: %s", tmp, strerror(errno));
	if (drove__local_write_all(fd, hdr, hlen) < 0 ||
	    (len && drove__local_write_all(fd, data, len) < 0) || (sync && fsync(fd) < 0)) {
		int e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return drove__error(DROVE_EIO, "store: local: write %s: %s", tmp, strerror(e));
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) < 0 || (sync && fsync(dirfd) < 0))
		return drove__error(DROVE_EIO, "store: local: rename %s: %s", name,
		                    strerror(errno));
	return 0;
}

/* A node file name as local.c encodes a path: "%2F..." of [A-Za-z0-9_.-] and %XX only, so a
 * damaged journal cannot name a file outside the nodes directory. */
static bool encoded_name(const char *name)
{
	static const char ok[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.%";
	return !strncmp(name, "%2F", 3) && name[strspn(name, ok)] == '\0';
}

/* One journal entry at p (< end): *kind 'P', 'D' or 'E' (END), its name and file bytes,
 * and where the next starts. @return false when it is torn or not an entry. */
static bool entry(const char *p, const char *end, char *kind, char *name, const char **file,
                  size_t *flen, const char **next)
{
	char line[DROVE__LOCAL_NAME_MAX + 40];
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t ll;

	if (!nl || (ll = (size_t)(nl - p)) >= sizeof(line))
		return false;
	memcpy(line, p, ll);
	line[ll] = '\0';
	*flen = 0;
	*file = nl + 1;
	*next = nl + 1;
	if (!strcmp(line, "END")) {
		*kind = 'E';
		return true;
	}
	/* the name at 2, as journal_each takes it */
	if (ll < 3 || line[1] != ' ' || line[2] != '%')
		return false;
	if (line[0] == 'P' && sscanf(line, "P %255s %zu", name, flen) == 2 &&
	    *flen <= (size_t)(end - nl - 1) && memchr(nl + 1, '\n', *flen) && encoded_name(name)) {
		*kind = 'P';
		*next = nl + 1 + *flen;
		return true;
	}
	if (line[0] == 'D' && sscanf(line, "D %255s", name) == 1 && encoded_name(name)) {
		*kind = 'D';
		return true;
	}
	return false;
}

/* One entry of the committed part, for drove__local_journal_each's sort. */
struct ent {
	const char *name; /* into the journal line: "<name> " or "<name>\n" */
	size_t nlen, at;  /* at: the entry's position in the journal */
	const char *file;
	size_t flen;
	char kind;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
	int c = memcmp(x->name, y->name, n);
	if (c || x->nlen != y->nlen)
		return c ? c : x->nlen < y->nlen ? -1 : 1;
	return x->at < y->at ? -1 : 1;
}

int drove__local_journal_each(const char *body, size_t len, drove__local_entry_fn fn, void *ud,
                              size_t *committed_len)
{
	const char *p = body, *end = body + len, *committed = body, *file, *next;
	char name[DROVE__LOCAL_NAME_MAX + 1], kind;
	struct ent *v = NULL;
	size_t flen, n = 0, cap = 0;
	int rc = 0;

	while (p < end && entry(p, end, &kind, name, &file, &flen, &next)) {
		p = next;
		if (kind == 'E')
			committed = p;
	}
	if (committed_len)
		*committed_len = (size_t)(committed - body);
	if (!fn)
		return 0;
	for (p = body; p < committed && entry(p, committed, &kind, name, &file, &flen, &next);
	     p = next) {
		if (kind == 'E')
			continue;
		if ((rc = drove__grow(&v, &cap, n + 1, sizeof(*v))) < 0)
			goto out;
		v[n] = (struct ent){p + 2, strlen(name), n, file, flen, kind};
		n++;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), ent_cmp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct ent *e = &v[i];
		if (i + 1 < n && e->nlen == v[i + 1].nlen &&
		    !memcmp(e->name, v[i + 1].name, e->nlen))
			continue; /* a later state of the same node follows */
		memcpy(name, e->name, e->nlen);
		name[e->nlen] = '\0';
		rc = fn(ud, e->kind, name, e->file, e->flen);
	}
out:
	free(v);
	return rc;
}

/* Write one node's last state to its file (no sync). */
static int to_file(void *ud, char kind, const char *name, const char *file, size_t flen)
{
	int nodesfd = *(int *)ud;
	if (kind == 'P') {
		const char *hnl = memchr(file, '\n', flen);
		size_t hl = (size_t)(hnl + 1 - file);
		return drove__local_durable_write(nodesfd, name, file, hl, hnl + 1, flen - hl,
		                                  false);
	}
	if (unlinkat(nodesfd, name, 0) < 0 && errno != ENOENT)
		return drove__error(DROVE_EIO, "store: local: unlink %s: %s", name,
		                    strerror(errno));
	return 0;
}

/* Make the node files hold every group of `body`, then empty the journal (jfd, or remove
 * <dir>/journal when jfd < 0). */
static int checkpoint(int dirfd, int nodesfd, int jfd, const char *jname, const char *body,
                      size_t len)
{
	int rc;
	if ((rc = drove__local_journal_each(body, len, to_file, &nodesfd, NULL)) < 0)
		return rc;
	if (syncfs(nodesfd) < 0 || fsync(nodesfd) < 0)
		return drove__error(DROVE_EIO, "store: local: sync nodes: %s", strerror(errno));
	if (jfd >= 0 ? ftruncate(jfd, 0) < 0 || fdatasync(jfd) < 0
	             : (unlinkat(dirfd, jname, 0) < 0 && errno != ENOENT) || fsync(dirfd) < 0)
		return drove__error(DROVE_EIO, "store: local: empty %s: %s", jname,
		                    strerror(errno));
	return 0;
}

/* The whole file `name` of dirfd into `b` (nothing when it does not exist). */
static int read_all(int dirfd, const char *name, drove__buf *b)
{
	int rc = 0, fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0
		                       : drove__error(DROVE_EIO, "store: local: open %s: %s", name,
		                                      strerror(errno));
	for (;;) {
		char chunk[65536];
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = drove__error(DROVE_EIO, "store: local: read %s: %s", name,
			                  strerror(errno));
			break;
		}
		if (n == 0 || (rc = drove__buf_append(b, chunk, (size_t)n)) < 0)
			break;
	}
	close(fd);
	return rc;
}

int drove__local_journal_read(int dirfd, int nodesfd, drove__buf *out)
{
	size_t committed = 0;
	int rc;
	drove__buf b = DROVE_BUF_INIT;

	/* a checkpoint the process died in: finish it first (journal.old holds whole groups) */
	if ((rc = read_all(dirfd, "journal.old", &b)) == 0 && b.len)
		rc = checkpoint(dirfd, nodesfd, -1, "journal.old", b.data, b.len);
	drove__buf_reset(&b);
	if (rc == 0)
		rc = read_all(dirfd, "journal", &b);
	if (rc < 0) {
		drove__buf_free(&b);
		return rc;
	}
	/* the committed part: the torn tail goes when the writer opens the journal */
	drove__local_journal_each(b.data ? b.data : "", b.len, NULL, NULL, &committed);
	b.len = committed;
	if (b.data)
		b.data[committed] = '\0';
	*out = b;
	return 0;
}

/* Checkpoint the journal file `jname` (jfd: open on it, or -1 to remove it after), read back
 * from the disk (the page cache, mostly): its groups are not kept in memory meanwhile. */
static int checkpoint_file(int dirfd, int nodesfd, int jfd, const char *jname)
{
	drove__buf b = DROVE_BUF_INIT;
	int rc = read_all(dirfd, jname, &b);
	if (rc == 0 && b.len)
		rc = checkpoint(dirfd, nodesfd, jfd, jname, b.data, b.len);
	drove__buf_free(&b);
	return rc;
}

/* The background checkpoint of journal.old. */
static void *ck_main(void *ud)
{
	struct drove__llog *l = ud;
	if (checkpoint_file(l->dirfd, l->nodesfd, -1, "journal.old") < 0) {
		drove__warn(l->ctx, "store", "local: checkpoint: %s (writes refused from now on)",
		            drove_error_last()->message);
		l->ck_failed = true;
	}
	return NULL;
}

/* Wait for the background checkpoint, if one runs. @return false if it failed. */
static bool ck_join(struct drove__llog *l)
{
	if (l->ck_running) {
		pthread_join(l->ck, NULL);
		l->ck_running = false;
	}
	return !l->ck_failed;
}

/* Start a checkpoint of the journal so far in the background: the journal becomes
 * journal.old (written to the node files, synced and removed by ck_main) and a new one takes
 * the next groups, so acknowledgements do not wait for it. The writer's thread. */
static int ck_start(struct drove__llog *l)
{
	int fd;

	if (!ck_join(l))
		return drove__error(DROVE_EIO, "store: local: an earlier checkpoint failed");
	if (renameat(l->dirfd, "journal", l->dirfd, "journal.old") < 0 ||
	    (fd = openat(l->dirfd, "journal", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
	                 0600)) < 0)
		return drove__error(DROVE_EIO, "store: local: rotate the journal: %s",
		                    strerror(errno));
	close(l->jfd);
	l->jfd = fd;
	if (fsync(l->dirfd) < 0)
		return drove__error(DROVE_EIO, "store: local: rotate the journal: %s",
		                    strerror(errno));
	l->since = 0;
	if (pthread_create(&l->ck, NULL, ck_main, l) != 0)
		return drove__error(DROVE_EIO, "store: local: cannot start a checkpoint");
	l->ck_running = true;
	return 0;
}

static void fail_all(struct drove__store_req *r, int rc, const char *msg)
{
	while (r) {
		struct drove__store_req *next = r->bk;
		r->bk = NULL;
		if (rc < 0 && r->rc == 0)
			drove__store_req_fail(r, rc, "%s", msg);
		r->complete(r);
		r = next;
	}
}

static void *writer(void *ud)
{
	struct drove__llog *l = ud;

	pthread_mutex_lock(l->m);
	for (;;) {
		drove__buf group;
		struct drove__store_req *reqs;
		char msg[256] = "";
		int rc = 0;

		while (!l->head && !l->stop)
			pthread_cond_wait(&l->cv, l->m);
		if (!l->head)
			break;
		group = l->buf;
		reqs = l->head;
		memset(&l->buf, 0, sizeof(l->buf));
		l->head = l->tail = NULL;
		l->busy = true;
		pthread_mutex_unlock(l->m);

		if (!group.len) /* requests that only wait for the ones before them */
			;
		else if (drove__local_write_all(l->jfd, group.data, group.len) < 0 ||
		         fdatasync(l->jfd) < 0)
			rc = drove__error(DROVE_EIO, "store: local: write journal: %s",
			                  strerror(errno));
		else
			l->since += group.len;
		drove__buf_free(&group);
		if (rc < 0)
			snprintf(msg, sizeof(msg), "%s", drove_error_last()->message);
		/* acknowledged only now: on disk in the journal */
		fail_all(reqs, rc, msg);
		if (rc == 0 && l->since >= LOG_CHECKPOINT && (rc = ck_start(l)) < 0)
			drove__warn(l->ctx, "store",
			            "local: checkpoint: %s (writes refused from now on)",
			            drove_error_last()->message);
		pthread_mutex_lock(l->m);
		l->busy = false;
		if (rc < 0)
			l->broken = true; /* memory is ahead of the disk: refuse further writes */
	}
	pthread_mutex_unlock(l->m);
	return NULL;
}

int drove__llog_start(struct drove__llog **out, drove_ctx *ctx, pthread_mutex_t *m, int dirfd,
                      int nodesfd, drove__buf *replayed)
{
	struct drove__llog *l = calloc(1, sizeof(*l));
	struct stat st;

	if (!l)
		return drove__enomem();
	l->ctx = ctx;
	l->m = m;
	l->dirfd = dirfd;
	l->nodesfd = nodesfd;
	l->since = replayed->len; /* in the journal, and applied by the next checkpoint */
	drove__buf_free(replayed);
	pthread_cond_init(&l->cv, NULL);
	l->jfd = openat(dirfd, "journal", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (l->jfd < 0 || fstat(l->jfd, &st) < 0 ||
	    ((size_t)st.st_size != l->since &&
	     (ftruncate(l->jfd, (off_t)l->since) < 0 || fdatasync(l->jfd) < 0)) ||
	    fsync(dirfd) < 0) {
		int rc = drove__error(DROVE_EIO, "store: local: create journal: %s",
		                      strerror(errno));
		drove__llog_free(l);
		return rc;
	}
	if (pthread_create(&l->th, NULL, writer, l) != 0) {
		drove__llog_free(l);
		return drove__error(DROVE_EIO, "store: local: cannot start the writer thread");
	}
	l->started = true;
	*out = l;
	return 0;
}

drove__buf *drove__llog_group(struct drove__llog *l)
{
	return l->broken ? NULL : &l->buf;
}

bool drove__llog_waiting(const struct drove__llog *l)
{
	return l && (l->head || l->busy);
}

void drove__llog_queue(struct drove__llog *l, struct drove__store_req *r)
{
	r->bk = NULL;
	if (l->tail)
		l->tail->bk = r;
	else
		l->head = r;
	l->tail = r;
	pthread_cond_signal(&l->cv);
}

void drove__llog_stop(struct drove__llog *l)
{
	if (!l || !l->started)
		return;
	pthread_mutex_lock(l->m);
	l->stop = true;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(l->m);
	pthread_join(l->th, NULL);
	l->started = false;
	if (ck_join(l) && !l->broken && l->since &&
	    checkpoint_file(l->dirfd, l->nodesfd, l->jfd, "journal") < 0)
		drove_error_clear(); /* the journal stays: replayed at the next open */
	l->since = 0;
}

void drove__llog_free(struct drove__llog *l)
{
	if (!l)
		return;
	drove__llog_stop(l);
	if (l->jfd >= 0)
		close(l->jfd);
	pthread_cond_destroy(&l->cv);
	drove__buf_free(&l->buf);
	free(l);
}
