/* Per-instance log files: confinement, Drove's read semantics, rotation. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "exec/exec.h"

static int bad_name(const char *what, const char *s)
{
	if (!s || !*s)
		return drove__error(DROVE_EINVAL, "%s: empty", what);
	if (!strcmp(s, ".") || !strcmp(s, "..") || strchr(s, '/') || strlen(s) > 255)
		return drove__error(DROVE_EINVAL, "%s: '%s' is not a plain name", what, s);
	return 0;
}

int drove__exec_log_resolve(const char *root, const char *id1, const char *id2, const char *file,
                            char **out)
{
	char *croot = NULL, *joined = NULL, *canon = NULL;
	int rc;
	size_t rl;

	if (!root || !*root)
		return drove__error(DROVE_EINVAL, "logPath: no drove log appender is configured");
	if ((rc = bad_name("id1", id1)) < 0 || (rc = bad_name("id2", id2)) < 0 ||
	    (file && (rc = bad_name("fileName", file)) < 0))
		return rc;
	if (!(croot = realpath(root, NULL)))
		return drove__error(DROVE_ENOTFOUND, "logPath: %s: %s", root, strerror(errno));
	joined = file ? drove__asprintf("%s/%s/%s/%s", croot, id1, id2, file)
	              : drove__asprintf("%s/%s/%s", croot, id1, id2);
	if (!joined) {
		rc = DROVE_ENOMEM;
		goto out;
	}
	if (!(canon = realpath(joined, NULL))) {
		rc = drove__error(DROVE_ENOTFOUND, "%s/%s%s%s: %s", id1, id2, file ? "/" : "",
		                  file ? file : "", strerror(errno));
		goto out;
	}
	/* the canonical path must stay below {root}/{id1}/{id2} (symlinks included) */
	rl = strlen(croot);
	{
		char *dir = drove__asprintf("%s/%s/%s", croot, id1, id2);
		size_t dl;
		if (!dir) {
			rc = DROVE_ENOMEM;
			goto out;
		}
		dl = strlen(dir);
		if (strncmp(canon, dir, dl) != 0 ||
		    (file ? canon[dl] != '/' : (canon[dl] != '\0')) || strncmp(canon, croot, rl)) {
			rc = drove__error(DROVE_EINVAL, "%s/%s%s%s: path escapes the log directory",
			                  id1, id2, file ? "/" : "", file ? file : "");
			free(dir);
			goto out;
		}
		free(dir);
	}
	*out = canon;
	canon = NULL;
	rc = 0;
out:
	free(croot);
	free(joined);
	free(canon);
	return rc;
}

int drove__exec_log_read(const char *path, int64_t offset, int64_t length, char **data, size_t *len,
                         int64_t *offset_out)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	if (offset < -1)
		return drove__error(DROVE_EINVAL, "offset: %lld is below -1", (long long)offset);
	if (length < -1)
		return drove__error(DROVE_EINVAL, "length: %lld is below -1", (long long)length);
	if (offset == -1 && length != -1)
		return drove__error(DROVE_EINVAL, "offset: -1 needs length -1");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return drove__error(DROVE_EIO, "%s: not a readable regular file", path);
	}
	if (offset == -1) {
		close(fd);
		if (!(*data = drove__strdup("")))
			return DROVE_ENOMEM;
		*len = 0;
		*offset_out = st.st_size;
		return 0;
	}
	if (length == -1)
		length = DROVE__EXEC_READ_DEFAULT;
	if (length > DROVE__EXEC_READ_MAX)
		length = DROVE__EXEC_READ_MAX;
	if (!(buf = malloc((size_t)length + 1))) {
		close(fd);
		return drove__enomem();
	}
	n = offset >= st.st_size ? 0 : pread(fd, buf, (size_t)length, (off_t)offset);
	close(fd);
	if (n < 0) {
		free(buf);
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	}
	buf[n] = '\0';
	*data = buf;
	*len = (size_t)n;
	*offset_out = offset;
	return 0;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	if (n >= sizeof(tmp))
		return drove__error(DROVE_EINVAL, "%s: path too long", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return drove__error(DROVE_EIO, "%s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return drove__error(DROVE_EIO, "%s: %s", tmp, strerror(errno));
	return 0;
}

static int logw_reopen(drove__exec_logw *w)
{
	char path[PATH_MAX];
	struct stat st;
	snprintf(path, sizeof(path), "%s/output.log", w->dir);
	w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (w->fd < 0)
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	w->size = fstat(w->fd, &st) == 0 ? st.st_size : 0;
	return 0;
}

int drove__exec_logw_open(drove__exec_logw **out, const char *root, const char *id1,
                          const char *id2, int64_t max_size, int count)
{
	drove__exec_logw *w;
	int rc;
	if ((rc = bad_name("id1", id1)) < 0 || (rc = bad_name("id2", id2)) < 0)
		return rc;
	if (!root || !*root)
		return drove__error(DROVE_EINVAL, "logPath: empty");
	if (!(w = calloc(1, sizeof(*w))))
		return drove__enomem();
	w->fd = -1;
	w->max_size = max_size > 0 ? max_size : 0;
	w->count = count > 0 ? count : 0;
	if (!(w->dir = drove__asprintf("%s/%s/%s", root, id1, id2))) {
		free(w);
		return DROVE_ENOMEM;
	}
	if ((rc = mkdirs(w->dir)) < 0 || (rc = logw_reopen(w)) < 0) {
		drove__exec_logw_close(w);
		return rc;
	}
	*out = w;
	return 0;
}

static int flush_pend(drove__exec_logw *w)
{
	ssize_t n = 0;
	if (w->pend_len && w->fd >= 0)
		n = write(w->fd, w->pend, w->pend_len);
	w->pend_len = 0;
	if (n < 0)
		return drove__error(DROVE_EIO, "%s/output.log: %s", w->dir, strerror(errno));
	return 0;
}

int drove__exec_logw_set_buffer(drove__exec_logw *w, size_t size)
{
	char *p;
	if (!w)
		return 0;
	(void)flush_pend(w);
	if (size > 64u * 1024 * 1024)
		size = 64u * 1024 * 1024;
	if (size && !(p = realloc(w->pend, size)))
		return drove__enomem();
	if (size)
		w->pend = p;
	w->buf_max = size;
	return 0;
}

static void rotate(drove__exec_logw *w)
{
	char from[PATH_MAX], to[PATH_MAX];
	(void)flush_pend(w);
	close(w->fd);
	w->fd = -1;
	if (w->count == 0) {
		snprintf(from, sizeof(from), "%s/output.log", w->dir);
		(void)unlink(from);
	} else {
		snprintf(to, sizeof(to), "%s/output.log-%d", w->dir, w->count);
		(void)unlink(to);
		for (int i = w->count - 1; i >= 1; i--) {
			snprintf(from, sizeof(from), "%s/output.log-%d", w->dir, i);
			snprintf(to, sizeof(to), "%s/output.log-%d", w->dir, i + 1);
			(void)rename(from, to);
		}
		snprintf(from, sizeof(from), "%s/output.log", w->dir);
		snprintf(to, sizeof(to), "%s/output.log-1", w->dir);
		(void)rename(from, to);
	}
	(void)logw_reopen(w);
}

int drove__exec_logw_line(drove__exec_logw *w, const char *line, size_t len)
{
	char *tmp;
	ssize_t n;
	if (!w)
		return 0;
	if (w->max_size && w->size > 0 && w->size + (int64_t)len + 1 > w->max_size)
		rotate(w);
	if (w->fd < 0)
		return drove__error(DROVE_EIO, "%s/output.log: not open", w->dir);
	if (w->buf_max) { /* immediateFlush false: written when the buffer fills */
		if (w->pend_len + len + 1 > w->buf_max && flush_pend(w) < 0)
			return DROVE_EIO;
		if (len + 1 <= w->buf_max) {
			memcpy(w->pend + w->pend_len, line, len);
			w->pend[w->pend_len + len] = '\n';
			w->pend_len += len + 1;
			w->size += (int64_t)len + 1;
			return 0;
		}
	}
	if (!(tmp = malloc(len + 1)))
		return drove__enomem();
	memcpy(tmp, line, len);
	tmp[len] = '\n';
	n = write(w->fd, tmp, len + 1);
	free(tmp);
	if (n < 0)
		return drove__error(DROVE_EIO, "%s/output.log: %s", w->dir, strerror(errno));
	w->size += n;
	return 0;
}

void drove__exec_logw_close(drove__exec_logw *w)
{
	if (!w)
		return;
	(void)flush_pend(w);
	if (w->fd >= 0)
		close(w->fd);
	free(w->pend);
	free(w->dir);
	free(w);
}
