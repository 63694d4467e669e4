/* Running the drove CLI binary as a child process in a test, with a private HOME, capturing
 * its exit code, stdout and stderr (shared by test_client_cli.c and test_client_ctrl_cli.c).
 * Header-only: include it from exactly one file of a test program. */
#ifndef DROVE_TEST_CLI_RUN_H
#define DROVE_TEST_CLI_RUN_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

/* The binary, and the HOME the CLI sees (its ~/.drove); set by the test's fixture. */
static char cli_bin[1024], cli_home[256];
/* A run is killed after this many seconds (and its output kept). */
static int cli_deadline_s = 60;

struct run {
	int status; /* exit code, or 128+signal */
	char out[65536];
	char err[16384];
};

/* Run `drove` with argv[1..] = args (NULL-terminated). */
static inline void drove_runv(struct run *r, const char *const *args)
{
	const char *argv[64];
	int n = 0, op[2], ep[2], st;
	size_t olen = 0, elen = 0;
	pid_t pid;
	time_t deadline = time(NULL) + cli_deadline_s;

	argv[n++] = cli_bin;
	for (size_t i = 0; args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(pipe2(op, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ep, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(op[1], 1);
		dup2(ep[1], 2);
		setenv("HOME", cli_home, 1);
		setenv("DROVE_CLI_RETRIES", "0", 1);
		setenv("DROVE_CLI_POLL_MS", "50", 1);
		setenv("TZ", "UTC", 1);
		execv(cli_bin, (char *const *)argv);
		_exit(127);
	}
	close(op[1]);
	close(ep[1]);
	while ((op[0] >= 0 || ep[0] >= 0) && time(NULL) < deadline) {
		struct pollfd p[2] = {{op[0], POLLIN, 0}, {ep[0], POLLIN, 0}};
		if (poll(p, 2, 1000) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			char *buf = i ? r->err : r->out, tmp[4096];
			size_t *len = i ? &elen : &olen, cap = i ? sizeof(r->err) : sizeof(r->out);
			int *fd = i ? &ep[0] : &op[0];
			ssize_t k;
			if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((k = read(*fd, tmp, sizeof(tmp))) <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (*len + (size_t)k < cap - 1) {
				memcpy(buf + *len, tmp, (size_t)k);
				*len += (size_t)k;
				buf[*len] = '\0';
			}
		}
	}
	if (op[0] >= 0)
		close(op[0]);
	if (ep[0] >= 0)
		close(ep[0]);
	if (time(NULL) >= deadline)
		kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run `drove` with the given arguments (NULL-terminated). */
static inline void drove_run(struct run *r, const char *first, ...)
{
	const char *args[64];
	int n = 0;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
		args[n++] = a;
	va_end(ap);
	args[n] = NULL;
	drove_runv(r, args);
}

#define assert_ok(r, needle)                                                                   \
	do {                                                                                   \
		ck_assert_msg((r)->status == 0, "exit %d, stderr: %s", (r)->status, (r)->err); \
		ck_assert_msg(strstr((r)->out, (needle)) != NULL, "stdout lacks '%s':\n%s",    \
		              (needle), (r)->out);                                             \
	} while (0)

#define assert_fail(r, code, needle)                                                               \
	do {                                                                                       \
		ck_assert_msg((r)->status == (code), "exit %d (want %d), stderr: %s", (r)->status, \
		              (code), (r)->err);                                                   \
		ck_assert_msg(strstr((r)->err, (needle)) != NULL, "stderr lacks '%s':\n%s",        \
		              (needle), (r)->err);                                                 \
	} while (0)

/* Write `text` to $HOME/name; the path goes to buf. */
static inline const char *write_home_file(const char *name, const char *text, char *buf, size_t n)
{
	FILE *f;
	snprintf(buf, n, "%s/%s", cli_home, name);
	f = fopen(buf, "we");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return buf;
}

/* tests/data/model/<name> in the source tree. */
static inline const char *spec_path(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/tests/data/model/%s", DROVE_SOURCE_DIR, name);
	return buf;
}

#endif
