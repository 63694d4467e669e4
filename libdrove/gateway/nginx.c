/* Writing nginx's configuration and driving nginx: `nginx -t` on a candidate file, which
 * replaces the live file only when nginx accepts it, then a reload (SIGHUP to the pid in
 * nginx.pidFile, or `nginx -s reload`). The commands run synchronously on the calling thread;
 * `nginx -t` takes a few tens of milliseconds. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drove/clock.h>
#include "gateway/nginx.h"

extern char **environ;

int drove__gw_write_file(const char *path, const char *text, size_t len)
{
	char *tmp = drove__asprintf("%s.tmp-%ld", path, (long)getpid());
	int fd, rc = 0;
	size_t off = 0;

	if (!tmp)
		return DROVE_ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = drove__error(DROVE_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	while (rc == 0 && off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = drove__error(DROVE_EIO, "%s: cannot write: %s", tmp, strerror(errno));
		else
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = drove__error(DROVE_EIO, "%s: fsync: %s", tmp, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = drove__error(DROVE_EIO, "%s: close: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = drove__error(DROVE_EIO, "%s: rename to %s: %s", tmp, path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int drove__gw_run(const char *const *argv, int64_t timeout_ms, int *status, char **output)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int pfd[2], st = 0, rc = 0;
	pid_t pid;
	int64_t end = drove_time_mono_ms() + timeout_ms;
	drove__buf out = DROVE_BUF_INIT;
	char chunk[1024];

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return drove__error(DROVE_EIO, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	/* the child (nginx may stay as a daemon) starts with no blocked signals and SIGPIPE at
	 * its default, whatever the daemon set for itself */
	drove__spawnattr_init(&at, false);
	errno = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (errno) {
		rc = drove__error(DROVE_EIO, "%s: cannot run: %s", argv[0], strerror(errno));
		close(pfd[0]);
		return rc;
	}
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		ssize_t r;
		while ((r = read(pfd[0], chunk, sizeof(chunk))) > 0)
			if (out.len < 16384)
				drove__buf_append(&out, chunk, (size_t)r);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			rc = drove__error(DROVE_EIO, "%s: waitpid: %s", argv[0], strerror(errno));
			break;
		}
		if (drove_time_mono_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			rc = drove__error(DROVE_ETIMEOUT, "%s: no answer within %lld ms", argv[0],
			                  (long long)timeout_ms);
			break;
		}
		nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	}
	close(pfd[0]);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	/* where posix_spawn forks (valgrind), a failed exec shows as a silent exit 127 */
	if (rc == 0 && *status == 127 && out.len == 0)
		rc = drove__error(DROVE_EIO, "%s: cannot run", argv[0]);
	if (output) {
		drove__buf_puts(&out, "");
		*output = drove__buf_steal(&out);
	}
	drove__buf_free(&out);
	return rc;
}

/* argv for nginx [-p prefix] -c conf <extra...>; `args` has room for 9 entries. */
static void nginx_argv(const drove_gateway_config *c, const char *conf, const char **args,
                       const char *a1, const char *a2)
{
	size_t n = 0;
	args[n++] = c->nginx_binary;
	if (c->nginx_prefix) {
		args[n++] = "-p";
		args[n++] = c->nginx_prefix;
	}
	args[n++] = "-c";
	args[n++] = conf;
	if (a1)
		args[n++] = a1;
	if (a2)
		args[n++] = a2;
	args[n] = NULL;
}

/* The most telling line of nginx's output: the first "[emerg]", else the first line. */
static char *first_problem(const char *out)
{
	const char *p = strstr(out, "[emerg]"), *e;
	if (!p)
		p = out;
	e = strchr(p, '\n');
	return drove__strndup(p, e ? (size_t)(e - p) : strlen(p));
}

int drove__gw_nginx_check(const drove_gateway_config *c, const char *conf)
{
	const char *argv[9];
	char *out = NULL, *why;
	int st = 0, rc;

	nginx_argv(c, conf, argv, "-t", "-q");
	if ((rc = drove__gw_run(argv, 30000, &st, &out)) < 0)
		return rc;
	if (st != 0) {
		why = first_problem(out ? out : "");
		rc = drove__error(DROVE_EINVAL, "nginx -t rejected the configuration: %s",
		                  why ? why : "(no output)");
		free(why);
	}
	free(out);
	return rc;
}

static int signal_pid_file(const char *path)
{
	FILE *f = fopen(path, "re");
	long pid = 0;

	if (!f)
		return drove__error(DROVE_EUNAVAIL, "%s: cannot open: %s", path, strerror(errno));
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		fclose(f);
		return drove__error(DROVE_EUNAVAIL, "%s: no pid in it", path);
	}
	fclose(f);
	if (kill((pid_t)pid, SIGHUP) < 0)
		return drove__error(errno == ESRCH ? DROVE_EUNAVAIL : DROVE_EIO,
		                    "nginx pid %ld: SIGHUP: %s", pid, strerror(errno));
	return 0;
}

/* Run nginx with the arguments and map a failure to `code` with its first problem. */
static int run_nginx(const drove_gateway_config *c, const char *a1, const char *a2, int code,
                     const char *what)
{
	const char *argv[9];
	char *out = NULL, *why;
	int st = 0, rc;

	nginx_argv(c, c->nginx_config, argv, a1, a2);
	if ((rc = drove__gw_run(argv, 30000, &st, &out)) < 0)
		return rc;
	if (st != 0) {
		why = first_problem(out ? out : "");
		rc = drove__error(code, "%s: %s", what, why ? why : "(no output)");
		free(why);
	}
	free(out);
	return rc;
}

int drove__gw_nginx_reload(const drove_gateway_config *c)
{
	int rc = c->nginx_pid_file
	                 ? signal_pid_file(c->nginx_pid_file)
	                 : run_nginx(c, "-s", "reload", DROVE_EUNAVAIL, "nginx -s reload");

	if (rc == DROVE_EUNAVAIL && c->nginx_start) /* not running: start it */
		rc = run_nginx(c, NULL, NULL, DROVE_EIO, "starting nginx");
	else if (rc == DROVE_EUNAVAIL)
		rc = drove__error(DROVE_EIO, "%s", drove_error_last()->message);
	return rc;
}
