/* The local backend's files (local.c) and its group-commit writer (local_log.c). Internal to
 * the store module. */
#ifndef DROVE_STORE_LOCAL_H
#define DROVE_STORE_LOCAL_H

#include "store/store_internal.h"

#define DROVE__LOCAL_NAME_MAX 255

int drove__local_write_all(int fd, const void *buf, size_t n);
/* Write a file: temp file, rename; with `sync` also fsync of the file before the rename and
 * of the directory after it. */
int drove__local_durable_write(int dirfd, const char *name, const char *hdr, size_t hlen,
                               const char *data, size_t len, bool sync);
/* The committed groups of <dir>/journal (empty without one) in `out`, read at open (after
 * finishing the checkpoint of a <dir>/journal.old left by a crash); the
 * writer keeps the journal until its next checkpoint, so a crash before that replays them
 * again. */
int drove__local_journal_read(int dirfd, int nodesfd, drove__buf *out);
/* Call fn(ud, 'P' or 'D', encoded name, file bytes, their length) for the last state of
 * every node in the committed groups of a journal (in name order; stops at an error, which
 * it returns); *committed_len (may be NULL) gets the committed part's length. fn NULL: only
 * that length. */
typedef int (*drove__local_entry_fn)(void *ud, char kind, const char *name, const char *file,
                                     size_t flen);
int drove__local_journal_each(const char *body, size_t len, drove__local_entry_fn fn, void *ud,
                              size_t *committed_len);

struct drove__llog;
/* Open <dir>/journal, whose committed part is `replayed` (what drove__local_journal_read
 * returned; freed here: checkpoints read the journal back from the file; a torn tail past it
 * is cut), and start the writer thread (logs to `ctx`). `m` is the
 * tree lock: the group and the queue below are used with it held. A failed journal write or
 * checkpoint makes the store refuse writes from then on. */
int drove__llog_start(struct drove__llog **out, drove_ctx *ctx, pthread_mutex_t *m, int dirfd,
                      int nodesfd, drove__buf *replayed);
/* The pending group to append a write's entries (and "END\n") to; NULL once a journal write
 * failed (the store refuses writes from then on). Tree lock held. */
drove__buf *drove__llog_group(struct drove__llog *l);
/* True while requests wait for (or are in) a journal write: an asynchronous request that
 * needs no write (a read, an error) then queues behind them, so completions keep the
 * submission order (as ZooKeeper's do). Tree lock held. */
bool drove__llog_waiting(const struct drove__llog *l);
/* Queue a request whose entries are in the group, or (its results set) one that must wait for
 * the requests before it: completed once they are on disk. Tree lock held. */
void drove__llog_queue(struct drove__llog *l, struct drove__store_req *r);
/* Complete every queued request, checkpoint, stop the thread (tree lock not held). */
void drove__llog_stop(struct drove__llog *l);
void drove__llog_free(struct drove__llog *l);

#endif
