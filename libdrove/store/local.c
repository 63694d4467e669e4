/* The local backend: the whole tree in memory, every persistent node also in a file of
 * <dir>/nodes/ (one file per node, named by its percent-encoded path, so no path can name a
 * file outside that directory). A write is acknowledged once it is on disk in <dir>/journal:
 * writes are group-committed there by local_log.c (one fdatasync for all the writes queued
 * while the previous one ran) and written to the node files at checkpoints; the journal's
 * committed groups are replayed at open. Ephemeral nodes are never written. An flock on
 * <dir>/LOCK keeps a second process (or a second open) out. docs/store.md has the format. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drove/clock.h>
#include "store/local.h"

#define NAME_MAX_ENC DROVE__LOCAL_NAME_MAX
#define NODE_MAGIC   "drove-node 1"
#define FILE_MAX     (64u * 1024 * 1024)

struct lnode {
	char *name;
	struct lnode *parent;
	struct lnode **kids;
	size_t nkids, capkids;
	char *data;
	size_t len;
	int32_t version, cversion;
	int64_t seq;
	int64_t ctime, mtime;
	bool ephemeral;
};

struct localb {
	pthread_mutex_t m;
	int dirfd, nodesfd, lockfd;
	struct lnode *root;
	struct drove__llog *log; /* the write path (local_log.c) */
	drove__buf replayed;     /* the journal found at open, until the writer takes it */
};

/* ---- names ---- */

static bool safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Encode a path as a file name; DROVE_EINVAL when it would be too long. */
static int encode_name(const char *path, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if (safe_char(*p)) {
			if (o + 1 >= cap)
				goto long_;
			out[o++] = (char)*p;
		} else {
			if (o + 3 >= cap)
				goto long_;
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return 0;
long_:
	return drove__error(DROVE_EINVAL,
	                    "store: local: path '%.200s' is too long for the local backend", path);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *decode_name(const char *name)
{
	size_t n = strlen(name), i, o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (name[i] == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(name[i + 1])) < 0 ||
			    (l = hexval(name[i + 2])) < 0)
				goto bad;
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (safe_char((unsigned char)name[i])) {
			out[o++] = name[i];
		} else {
			goto bad;
		}
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* ---- the tree ---- */

static void node_free(struct lnode *n)
{
	size_t i;
	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n->data);
	free(n);
}

static size_t kid_pos(const struct lnode *p, const char *name, size_t nlen, bool *found)
{
	size_t lo = 0, hi = p->nkids;
	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *k = p->kids[mid]->name;
		int c = strncmp(k, name, nlen);
		if (c == 0)
			c = k[nlen] ? 1 : 0;
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct lnode *lookup(struct localb *b, const char *path)
{
	struct lnode *n = b->root;
	const char *p = path + 1;

	while (*p && n) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		bool found;
		size_t i = kid_pos(n, p, len, &found);
		n = found ? n->kids[i] : NULL;
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

static int kid_insert(struct lnode *p, struct lnode *k)
{
	bool found;
	size_t i = kid_pos(p, k->name, strlen(k->name), &found);
	if (drove__grow(&p->kids, &p->capkids, p->nkids + 1, sizeof(*p->kids)) < 0)
		return DROVE_ENOMEM;
	memmove(p->kids + i + 1, p->kids + i, (p->nkids - i) * sizeof(*p->kids));
	p->kids[i] = k;
	p->nkids++;
	k->parent = p;
	return 0;
}

static void kid_remove(struct lnode *p, struct lnode *k)
{
	bool found;
	size_t i = kid_pos(p, k->name, strlen(k->name), &found);
	if (!found || p->kids[i] != k)
		return;
	memmove(p->kids + i, p->kids + i + 1, (p->nkids - i - 1) * sizeof(*p->kids));
	p->nkids--;
}

static void fill_stat(const struct lnode *n, drove_store_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->version = n->version;
	st->cversion = n->cversion;
	st->num_children = (int32_t)n->nkids;
	st->ephemeral = n->ephemeral;
	st->ctime_ms = n->ctime;
	st->mtime_ms = n->mtime;
}

/* ---- files ---- */

static int node_header(const struct lnode *n, char *buf, size_t cap)
{
	return snprintf(buf, cap, NODE_MAGIC " %d %d %lld %lld %lld %zu\n", n->version, n->cversion,
	                (long long)n->seq, (long long)n->ctime, (long long)n->mtime, n->len);
}

static int read_file(int dirfd, const char *name, char **out, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	drove__buf buf = DROVE_BUF_INIT;
	char tmp[65536];
	ssize_t r;

	if (fd < 0)
		return errno == ENOENT ? DROVE_ENOTFOUND
		                       : drove__error(DROVE_EIO, "store: local: open %s: %s", name,
		                                      strerror(errno));
	while ((r = read(fd, tmp, sizeof(tmp))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			drove__buf_free(&buf);
			return drove__error(DROVE_EIO, "store: local: read %s: %s", name,
			                    strerror(errno));
		}
		if (buf.len + (size_t)r > FILE_MAX || drove__buf_append(&buf, tmp, (size_t)r) < 0) {
			close(fd);
			drove__buf_free(&buf);
			return buf.len + (size_t)r > FILE_MAX
			               ? drove__error(DROVE_EIO, "store: local: %s is too large",
			                              name)
			               : DROVE_ENOMEM;
		}
	}
	close(fd);
	if (!buf.data && drove__buf_reserve(&buf, 1) < 0)
		return DROVE_ENOMEM;
	*len = buf.len;
	*out = buf.data;
	return 0;
}

/* Parse a node file body. */
static int parse_node(const char *name, const char *body, size_t blen, struct lnode *n)
{
	const char *nl = memchr(body, '\n', blen);
	long long seq, ct, mt;
	size_t dlen;
	int v, cv;
	char hdr[160];

	if (!nl || (size_t)(nl - body) >= sizeof(hdr))
		return drove__error(DROVE_EIO, "store: local: %s: no header", name);
	memcpy(hdr, body, (size_t)(nl - body));
	hdr[nl - body] = '\0';
	if (sscanf(hdr, NODE_MAGIC " %d %d %lld %lld %lld %zu", &v, &cv, &seq, &ct, &mt, &dlen) !=
	            6 ||
	    dlen != blen - (size_t)(nl + 1 - body))
		return drove__error(DROVE_EIO, "store: local: %s: bad header or length", name);
	if (!(n->data = malloc(dlen + 1)))
		return drove__enomem();
	memcpy(n->data, nl + 1, dlen);
	n->data[dlen] = '\0';
	n->len = dlen;
	n->version = v;
	n->cversion = cv;
	n->seq = seq;
	n->ctime = ct;
	n->mtime = mt;
	return 0;
}

static struct lnode *new_node(const char *name, size_t nlen)
{
	struct lnode *n = calloc(1, sizeof(*n));
	if (!n || !(n->name = drove__strndup(name, nlen))) {
		free(n);
		drove__enomem();
		return NULL;
	}
	return n;
}

/* Find or make (as an empty placeholder) the node at `path` while loading. */
static struct lnode *load_node(struct localb *b, const char *path)
{
	struct lnode *n = b->root;
	const char *p = path + 1;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		bool found;
		size_t i = kid_pos(n, p, len, &found);
		if (found) {
			n = n->kids[i];
		} else {
			struct lnode *k = new_node(p, len);
			if (!k || kid_insert(n, k) < 0) {
				node_free(k);
				return NULL;
			}
			n = k;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

static int load_one(struct localb *b, const char *fname, const char *body, size_t blen)
{
	char *path = decode_name(fname);
	struct lnode tmp, *n;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	if (!path || drove__store_path_check(path) < 0) {
		free(path);
		return drove__error(DROVE_EIO, "store: local: unexpected file nodes/%s", fname);
	}
	if ((rc = parse_node(fname, body, blen, &tmp)) < 0) {
		free(path);
		return rc;
	}
	if (!(n = load_node(b, path))) {
		free(path);
		free(tmp.data);
		return DROVE_ENOMEM;
	}
	free(path);
	free(n->data);
	n->data = tmp.data;
	n->len = tmp.len;
	n->version = tmp.version;
	n->cversion = tmp.cversion;
	n->seq = tmp.seq;
	n->ctime = tmp.ctime;
	n->mtime = tmp.mtime;
	return 0;
}

static int load_all(struct localb *b)
{
	DIR *d;
	struct dirent *de;
	int fd, rc = 0;

	if ((fd = openat(b->nodesfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return drove__error(DROVE_EIO, "store: local: read nodes: %s", strerror(errno));
	}
	while ((de = readdir(d))) {
		char *body;
		size_t blen;
		if (de->d_name[0] == '.') {
			if (strncmp(de->d_name, ".tmp-", 5) == 0)
				unlinkat(b->nodesfd, de->d_name, 0); /* an unfinished write */
			continue;
		}
		if ((rc = read_file(b->nodesfd, de->d_name, &body, &blen)) < 0)
			break;
		rc = load_one(b, de->d_name, body, blen);
		free(body);
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

/* A journal entry found at open, onto the tree loaded from the node files. */
static int from_journal(void *ud, char kind, const char *name, const char *file, size_t flen)
{
	struct localb *b = ud;
	char *path;
	struct lnode *n;

	if (kind == 'P')
		return load_one(b, name, file, flen);
	if (!(path = decode_name(name)))
		return drove__error(DROVE_EIO, "store: local: unexpected journal entry %s", name);
	if ((n = lookup(b, path)) && n != b->root) {
		kid_remove(n->parent, n);
		node_free(n);
	}
	free(path);
	return 0;
}

static int bump_term(drove_store *s, struct localb *b)
{
	char *body = NULL, buf[32];
	size_t len;
	long long term = 0;
	int rc = read_file(b->dirfd, "term", &body, &len);

	if (rc == 0) {
		if (sscanf(body, "%lld", &term) != 1 || term < 0) {
			free(body);
			return drove__error(DROVE_EIO, "store: local: %s/term is corrupt", s->dir);
		}
		free(body);
	} else if (rc != DROVE_ENOTFOUND) {
		return rc;
	}
	drove_error_clear();
	term++;
	snprintf(buf, sizeof(buf), "%lld\n", term);
	if ((rc = drove__local_durable_write(b->dirfd, "term", buf, strlen(buf), NULL, 0, true)) <
	    0)
		return rc;
	s->local_term = term;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char *d = drove__strdup(dir), *p;
	if (!d)
		return DROVE_ENOMEM;
	for (p = d + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(d, 0700) < 0 && errno != EEXIST) {
				int e = errno;
				free(d);
				return drove__error(DROVE_EIO, "store: local: mkdir %s: %s", dir,
				                    strerror(e));
			}
			*p = '/';
		}
	}
	free(d);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return drove__error(DROVE_EIO, "store: local: mkdir %s: %s", dir, strerror(errno));
	return 0;
}

static int local_open(drove_store *s)
{
	struct localb *b;
	int rc;

	if (!s->dir)
		return drove__error(DROVE_EINVAL, "store: no data directory");
	if (!(b = calloc(1, sizeof(*b))))
		return drove__enomem();
	pthread_mutex_init(&b->m, NULL);
	b->dirfd = b->nodesfd = b->lockfd = -1;
	s->bk = b;
	if ((rc = mkdir_p(s->dir)) < 0)
		return rc;
	if ((b->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return drove__error(DROVE_EIO, "store: local: open %s: %s", s->dir,
		                    strerror(errno));
	if ((b->lockfd = openat(b->dirfd, "LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return drove__error(DROVE_EIO, "store: local: open %s/LOCK: %s", s->dir,
		                    strerror(errno));
	if (flock(b->lockfd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK
		               ? drove__error(
		                         DROVE_EUNAVAIL,
		                         "store: local: data directory %s is in use by another "
		                         "store",
		                         s->dir)
		               : drove__error(DROVE_EIO, "store: local: flock %s/LOCK: %s", s->dir,
		                              strerror(errno));
	if (mkdirat(b->dirfd, "nodes", 0700) < 0 && errno != EEXIST)
		return drove__error(DROVE_EIO, "store: local: mkdir %s/nodes: %s", s->dir,
		                    strerror(errno));
	if ((b->nodesfd = openat(b->dirfd, "nodes", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return drove__error(DROVE_EIO, "store: local: open %s/nodes: %s", s->dir,
		                    strerror(errno));
	if (!(b->root = new_node("", 0)))
		return DROVE_ENOMEM;
	if ((rc = drove__local_journal_read(b->dirfd, b->nodesfd, &b->replayed)) < 0 ||
	    (rc = load_all(b)) < 0 ||
	    (rc = drove__local_journal_each(b->replayed.data ? b->replayed.data : "",
	                                    b->replayed.len, from_journal, b, NULL)) < 0 ||
	    (rc = bump_term(s, b)) < 0 ||
	    (rc = drove__llog_start(&b->log, s->ctx, &b->m, b->dirfd, b->nodesfd, &b->replayed)) <
	            0)
		return rc;
	s->connected = 1;
	drove__store_session_event(s, DROVE_STORE_CONNECTED);
	return 0;
}

static void local_shutdown(drove_store *s)
{
	struct localb *b = s->bk;
	if (b)
		drove__llog_stop(b->log);
}

static void local_free(drove_store *s)
{
	struct localb *b = s->bk;
	if (!b)
		return;
	drove__llog_free(b->log);
	drove__buf_free(&b->replayed);
	node_free(b->root);
	if (b->nodesfd >= 0)
		close(b->nodesfd);
	if (b->dirfd >= 0)
		close(b->dirfd);
	if (b->lockfd >= 0)
		close(b->lockfd); /* releases the flock */
	pthread_mutex_destroy(&b->m);
	free(b);
	s->bk = NULL;
}

/* ---- writes: apply in memory with an undo log, persist, then fire watches ---- */

enum { U_CREATE = 1, U_DELETE, U_SET, U_META };

struct undo {
	int type;
	struct lnode *node, *parent;
	char *data;
	size_t len;
	int32_t version, cversion;
	int64_t seq, mtime;
};

struct evt {
	char *path;
	int ev;
};

struct txn {
	struct undo *u;
	size_t nu, capu;
	struct evt *e;
	size_t ne, cape;
	char **touched;
	size_t nt, capt;
};

static int txn_undo(struct txn *t, struct undo u)
{
	if (drove__grow(&t->u, &t->capu, t->nu + 1, sizeof(*t->u)) < 0)
		return DROVE_ENOMEM;
	t->u[t->nu++] = u;
	return 0;
}

static int txn_event(struct txn *t, const char *path, int ev)
{
	char *p;
	if (drove__grow(&t->e, &t->cape, t->ne + 1, sizeof(*t->e)) < 0 ||
	    !(p = drove__strdup(path)))
		return DROVE_ENOMEM;
	t->e[t->ne].path = p;
	t->e[t->ne++].ev = ev;
	return 0;
}

static int txn_touch(struct txn *t, const char *path)
{
	size_t i;
	char *p;
	for (i = 0; i < t->nt; i++)
		if (strcmp(t->touched[i], path) == 0)
			return 0;
	if (drove__grow(&t->touched, &t->capt, t->nt + 1, sizeof(char *)) < 0 ||
	    !(p = drove__strdup(path)))
		return DROVE_ENOMEM;
	t->touched[t->nt++] = p;
	return 0;
}

static int meta_undo(struct txn *t, struct lnode *n)
{
	struct undo u = {.type = U_META, .node = n, .cversion = n->cversion, .seq = n->seq};
	return txn_undo(t, u);
}

/* Roll back (ok = false) or commit (ok = true: free deleted nodes and saved data). */
static void txn_end(struct txn *t, bool ok)
{
	size_t i = t->nu;
	while (i--) {
		struct undo *u = &t->u[i];
		if (ok) {
			if (u->type == U_DELETE)
				node_free(u->node);
			else if (u->type == U_SET)
				free(u->data);
			continue;
		}
		switch (u->type) {
		case U_CREATE:
			kid_remove(u->parent, u->node);
			node_free(u->node);
			break;
		case U_DELETE:
			kid_insert(u->parent, u->node); /* capacity is still there: cannot fail */
			break;
		case U_SET:
			free(u->node->data);
			u->node->data = u->data;
			u->node->len = u->len;
			u->node->version = u->version;
			u->node->mtime = u->mtime;
			break;
		case U_META:
			u->node->cversion = u->cversion;
			u->node->seq = u->seq;
			break;
		}
	}
	free(t->u);
	for (i = 0; i < t->ne; i++)
		free(t->e[i].path);
	free(t->e);
	for (i = 0; i < t->nt; i++)
		free(t->touched[i]);
	free(t->touched);
	memset(t, 0, sizeof(*t));
}

static int op_create(struct localb *b, struct txn *t, const char *path, const char *data,
                     size_t len, int mode, char **created);

static int ensure_parents(struct localb *b, struct txn *t, const char *path)
{
	char buf[DROVE__STORE_PATH_MAX + 1];
	size_t i, n = strlen(path);
	int rc;

	for (i = 1; i < n; i++) {
		if (path[i] != '/')
			continue;
		memcpy(buf, path, i);
		buf[i] = '\0';
		if (lookup(b, buf))
			continue;
		if ((rc = op_create(b, t, buf, NULL, 0, DROVE_STORE_PERSISTENT, NULL)) < 0)
			return rc;
	}
	return 0;
}

static int op_create(struct localb *b, struct txn *t, const char *path, const char *data,
                     size_t len, int mode, char **created)
{
	char *ppath = drove__store_path_parent(path);
	char full[DROVE__STORE_PATH_MAX + 16], enc[NAME_MAX_ENC + 1];
	const char *name = drove__store_path_name(path);
	int m = mode & ~DROVE_STORE_PARENTS;
	struct lnode *parent, *n = NULL;
	int64_t now = drove_time_wall_ms();
	int rc;

	if (!ppath)
		return DROVE_ENOMEM;
	if (!(parent = lookup(b, ppath)) && (mode & DROVE_STORE_PARENTS)) {
		if ((rc = ensure_parents(b, t, path)) < 0)
			goto out;
		parent = lookup(b, ppath);
	}
	if (!parent) {
		rc = drove__error(DROVE_ENOTFOUND, "store: %s: parent %s does not exist", path,
		                  ppath);
		goto out;
	}
	if (parent->ephemeral) {
		rc = drove__error(DROVE_EINVAL, "store: %s: ephemeral nodes cannot have children",
		                  path);
		goto out;
	}
	if (m == DROVE_STORE_SEQUENTIAL || m == DROVE_STORE_EPHEMERAL_SEQUENTIAL) {
		if ((rc = meta_undo(t, parent)) < 0)
			goto out;
		snprintf(full, sizeof(full), "%s%010lld", path, (long long)parent->seq);
		parent->seq++;
		if ((rc = txn_touch(t, ppath)) < 0) /* persist the counter */
			goto out;
	} else {
		snprintf(full, sizeof(full), "%s", path);
	}
	if (strlen(full) > DROVE__STORE_PATH_MAX) {
		rc = drove__error(DROVE_EINVAL, "store: %s: sequential name is too long", path);
		goto out;
	}
	if (m == DROVE_STORE_PERSISTENT || m == DROVE_STORE_SEQUENTIAL)
		if ((rc = encode_name(full, enc, sizeof(enc))) < 0)
			goto out;
	if (lookup(b, full)) {
		rc = drove__error(DROVE_EEXISTS, "store: %s: node exists", full);
		goto out;
	}
	name = drove__store_path_name(full);
	if (!(n = new_node(name, strlen(name))) || !(n->data = malloc(len + 1))) {
		node_free(n);
		rc = drove__enomem();
		goto out;
	}
	if (len)
		memcpy(n->data, data, len);
	n->data[len] = '\0';
	n->len = len;
	n->ctime = n->mtime = now;
	n->ephemeral = m == DROVE_STORE_EPHEMERAL || m == DROVE_STORE_EPHEMERAL_SEQUENTIAL;
	if ((rc = meta_undo(t, parent)) < 0 || (rc = kid_insert(parent, n)) < 0) {
		node_free(n);
		goto out;
	}
	parent->cversion++;
	{
		struct undo u = {.type = U_CREATE, .node = n, .parent = parent};
		if ((rc = txn_undo(t, u)) < 0) {
			kid_remove(parent, n);
			node_free(n);
			goto out;
		}
	}
	if ((!n->ephemeral && (rc = txn_touch(t, full)) < 0) ||
	    (rc = txn_event(t, full, DROVE_STORE_EV_CREATED)) < 0 ||
	    (rc = txn_event(t, ppath, DROVE_STORE_EV_CHILDREN)) < 0)
		goto out;
	if (created && !(*created = drove__strdup(full)))
		rc = DROVE_ENOMEM;
out:
	free(ppath);
	return rc;
}

static int check_node(struct localb *b, const char *path, int version, struct lnode **out)
{
	struct lnode *n = lookup(b, path);
	if (!n)
		return drove__error(DROVE_ENOTFOUND, "store: %s: no such node", path);
	if (version != -1 && n->version != version)
		return drove__error(DROVE_ECONFLICT,
		                    "store: %s: version mismatch (expected %d, is %d)", path,
		                    version, n->version);
	*out = n;
	return 0;
}

static int op_set(struct localb *b, struct txn *t, const char *path, const char *data, size_t len,
                  int version, drove_store_stat *st)
{
	struct lnode *n = NULL;
	char *copy;
	int rc;

	if ((rc = check_node(b, path, version, &n)) < 0)
		return rc;
	if (!(copy = malloc(len + 1)))
		return drove__enomem();
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	{
		struct undo u = {.type = U_SET,
		                 .node = n,
		                 .data = n->data,
		                 .len = n->len,
		                 .version = n->version,
		                 .mtime = n->mtime};
		if ((rc = txn_undo(t, u)) < 0) {
			free(copy);
			return rc;
		}
	}
	n->data = copy;
	n->len = len;
	n->version++;
	n->mtime = drove_time_wall_ms();
	if ((!n->ephemeral && (rc = txn_touch(t, path)) < 0) ||
	    (rc = txn_event(t, path, DROVE_STORE_EV_CHANGED)) < 0)
		return rc;
	if (st)
		fill_stat(n, st);
	return 0;
}

static int op_delete(struct localb *b, struct txn *t, const char *path, int version)
{
	struct lnode *n = NULL, *parent;
	char *ppath;
	int rc;

	if ((rc = check_node(b, path, version, &n)) < 0)
		return rc;
	if (n->nkids)
		return drove__error(DROVE_ECONFLICT, "store: %s: node has children", path);
	parent = n->parent;
	if ((rc = meta_undo(t, parent)) < 0)
		return rc;
	{
		struct undo u = {.type = U_DELETE, .node = n, .parent = parent};
		if ((rc = txn_undo(t, u)) < 0)
			return rc;
	}
	kid_remove(parent, n);
	parent->cversion++;
	if (!(ppath = drove__store_path_parent(path)))
		return DROVE_ENOMEM;
	if ((!n->ephemeral && (rc = txn_touch(t, path)) < 0) ||
	    (rc = txn_event(t, path, DROVE_STORE_EV_DELETED)) < 0 ||
	    (rc = txn_event(t, ppath, DROVE_STORE_EV_CHILDREN)) < 0) {
		free(ppath);
		return rc;
	}
	free(ppath);
	return 0;
}

/* Append the final state of every touched node to the writer's pending group, as one
 * committed group ("END"). @return 0, DROVE_ENOMEM (the group is left as it was) or DROVE_EIO
 * (an earlier journal write failed). */
static int txn_journal(struct localb *b, struct txn *t)
{
	drove__buf *j = drove__llog_group(b->log);
	size_t was;
	int rc = 0;

	if (!j)
		return drove__error(DROVE_EIO, "store: local: an earlier journal write failed");
	was = j->len;
	for (size_t i = 0; i < t->nt && rc == 0; i++) {
		char name[NAME_MAX_ENC + 1], hdr[160];
		struct lnode *n = lookup(b, t->touched[i]);
		if ((rc = encode_name(t->touched[i], name, sizeof(name))) < 0)
			break;
		if (!n || n->ephemeral) {
			rc = drove__buf_printf(j, "D %s\n", name);
		} else {
			int hl = node_header(n, hdr, sizeof(hdr));
			if ((rc = drove__buf_printf(j, "P %s %zu\n", name, (size_t)hl + n->len)) ==
			            0 &&
			    (rc = drove__buf_append(j, hdr, (size_t)hl)) == 0)
				rc = drove__buf_append(j, n->data, n->len);
		}
	}
	if (rc == 0)
		rc = drove__buf_puts(j, "END\n");
	if (rc < 0) {
		j->len = was;
		if (j->data)
			j->data[was] = '\0';
	}
	return rc;
}

/* Queue the watches the committed events trigger (tree lock held). */
static void fire_events(drove_store *s, struct txn *t)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < t->ne; i++) {
		struct drove__store_wrec *w = s->watches, *next;
		for (; w; w = next) {
			int ev = t->e[i].ev;
			bool hit = false;
			next = w->next;
			if (strcmp(w->path, t->e[i].path) != 0)
				continue;
			switch (ev) {
			case DROVE_STORE_EV_CREATED:
				hit = w->kind == DROVE__WATCH_EXISTS;
				break;
			case DROVE_STORE_EV_CHANGED:
				hit = w->kind == DROVE__WATCH_EXISTS ||
				      w->kind == DROVE__WATCH_DATA;
				break;
			case DROVE_STORE_EV_DELETED:
				hit = true;
				break;
			case DROVE_STORE_EV_CHILDREN:
				hit = w->kind == DROVE__WATCH_CHILD;
				break;
			}
			if (hit)
				drove__store_watch_fire(w, ev, true);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static int run_write(drove_store *s, struct localb *b, struct drove__store_req *r)
{
	struct txn t;
	size_t i;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	switch (r->type) {
	case DROVE__OP_CREATE:
		rc = op_create(b, &t, r->path, r->data, r->len, r->mode, &r->rpath);
		if (rc == 0) {
			struct lnode *n = lookup(b, r->rpath);
			if (n)
				fill_stat(n, &r->stat);
		}
		break;
	case DROVE__OP_SET:
		rc = op_set(b, &t, r->path, r->data, r->len, r->version, &r->stat);
		break;
	case DROVE__OP_DELETE:
		rc = op_delete(b, &t, r->path, r->version);
		break;
	case DROVE__OP_MULTI:
		for (i = 0; i < r->nops && rc == 0; i++) {
			struct drove__store_op *op = &r->ops[i];
			struct lnode *n = NULL;
			switch (op->type) {
			case DROVE__OP_CREATE:
				rc = op_create(b, &t, op->path, op->data, op->len, op->mode, NULL);
				break;
			case DROVE__OP_SET:
				rc = op_set(b, &t, op->path, op->data, op->len, op->version, NULL);
				break;
			case DROVE__OP_DELETE:
				rc = op_delete(b, &t, op->path, op->version);
				break;
			default:
				rc = check_node(b, op->path, op->version, &n);
				break;
			}
			if (rc < 0) {
				char why[512];
				snprintf(why, sizeof(why), "%s", drove_error_last()->message);
				rc = drove__error(rc, "store: multi op %zu (%s): %s", i, op->path,
				                  strncmp(why, "store: ", 7) == 0 ? why + 7 : why);
			}
		}
		break;
	}
	if (rc == 0 && t.nt)
		rc = txn_journal(b, &t);
	if (rc < 0) {
		free(r->rpath);
		r->rpath = NULL;
		txn_end(&t, false);
		return rc;
	}
	fire_events(s, &t);
	if (t.nt)
		drove__llog_queue(b->log, r); /* completed by the writer once on disk */
	rc = t.nt ? 1 : 0;
	txn_end(&t, true);
	return rc;
}

static int run_read(struct localb *b, struct drove__store_req *r)
{
	struct lnode *n = lookup(b, r->path);
	size_t i;

	if (!n)
		return drove__error(DROVE_ENOTFOUND, "store: %s: no such node", r->path);
	fill_stat(n, &r->stat);
	if (r->type == DROVE__OP_GET) {
		if (!(r->rdata = malloc(n->len + 1)))
			return drove__enomem();
		memcpy(r->rdata, n->data ? n->data : "", n->len);
		r->rdata[n->len] = '\0';
		r->rlen = n->len;
	} else if (r->type == DROVE__OP_CHILDREN) {
		if (drove_strlist_new(&r->children) < 0)
			return DROVE_ENOMEM;
		for (i = 0; i < n->nkids; i++)
			if (drove_strlist_add(r->children, n->kids[i]->name) < 0)
				return DROVE_ENOMEM;
	}
	return 0;
}

static int local_submit(drove_store *s, struct drove__store_req *r)
{
	struct localb *b = s->bk;
	int rc;

	pthread_mutex_lock(&b->m);
	if (r->type == DROVE__OP_GET || r->type == DROVE__OP_EXISTS ||
	    r->type == DROVE__OP_CHILDREN)
		rc = run_read(b, r);
	else
		rc = run_write(s, b, r);
	if (r->watch) {
		bool registered = rc >= 0 || (r->type == DROVE__OP_EXISTS && rc == DROVE_ENOTFOUND);
		if (!registered)
			drove__store_watch_drop(r->watch);
		r->watch = NULL;
	}
	if (rc < 0) {
		drove__store_req_fail(r, rc, "%s", drove_error_last()->message);
		drove_error_clear();
	}
	/* an asynchronous completion waits for the writes submitted before it (their callbacks
	 * run first); a synchronous read returns at once, from memory */
	if (rc != 1 && !r->sync && drove__llog_waiting(b->log)) {
		drove__llog_queue(b->log, r);
		rc = 1;
	}
	pthread_mutex_unlock(&b->m);
	if (rc != 1)
		r->complete(r);
	return 0; /* 1: queued; the writer completes it (perhaps already has) */
}

const struct drove__store_backend drove__store_local_backend = {
        .name = "local",
        .open = local_open,
        .shutdown = local_shutdown,
        .free = local_free,
        .submit = local_submit,
};
