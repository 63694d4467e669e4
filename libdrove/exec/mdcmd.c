/* DYNAMIC_COMMAND metadata providers (§10.2): each command of a provider runs as
 * `bash -c <command>` in its own process group, asynchronously on the executor's loop (pipes
 * and timers, never a blocking wait), at most DROVE__EXEC_MDCMD_TIMEOUT_MS and
 * DROVE__EXEC_MDCMD_OUT_MAX bytes of stdout each. STATIC commands run once at start, DYNAMIC
 * ones again every commandRerunInSecs after the provider's previous round ended. A command
 * that exits 0 gives its output (drove__exec_mdcmd_value); one that fails, hangs or floods
 * gives its defaultValue, with a log line saying why. Calls nothing in the engine: the values
 * are read by record.c, a change is reported through `changed`. docs/executor.md. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include <drove/clock.h>
#include "exec/mdcmd.h"

#define MOD       "exec"
#define ERR_KEEP  512 /* stderr bytes kept for the log line */
#define REAP_POLL 20  /* ms between checks for the exit once both pipes are closed */
#define BASH      "/bin/bash"

extern char **environ;

struct provider {
	struct drove__exec_mdcmd *m;
	size_t idx;             /* in ec->md_providers */
	int round;              /* 0: the first (STATIC and DYNAMIC), then DYNAMIC only */
	size_t next;            /* next command of the round */
	drove_strmap *building; /* values of the round in progress */
	struct event *rerun;    /* commandRerunInSecs */
	/* the command in flight */
	pid_t pid;
	int fd_out, fd_err;
	struct event *ev_out, *ev_err, *ev_tick;
	drove__buf out, err;
	int64_t deadline;
	int flooded, timed_out;
};

struct drove__exec_mdcmd {
	drove_loop *loop;
	drove_ctx *ctx;
	const drove__cfg_executor *ec;
	void (*changed)(void *ud);
	void *ud;
	struct provider *p; /* one per configured provider (only DYNAMIC_COMMAND ones used) */
	drove_strmap **vals;
	size_t n;
};

static void next_command(struct provider *p);

static void close_cmd(struct provider *p)
{
	struct event *evs[] = {p->ev_out, p->ev_err, p->ev_tick};
	for (size_t k = 0; k < DROVE_ARRAY_LEN(evs); k++)
		if (evs[k])
			event_free(evs[k]);
	p->ev_out = p->ev_err = p->ev_tick = NULL;
	if (p->fd_out >= 0)
		close(p->fd_out);
	if (p->fd_err >= 0)
		close(p->fd_err);
	p->fd_out = p->fd_err = -1;
	drove__buf_free(&p->out);
	drove__buf_free(&p->err);
}

static void kill_cmd(struct provider *p)
{
	if (p->pid > 0) {
		(void)kill(-p->pid, SIGKILL);
		(void)waitpid(p->pid, NULL, 0); /* SIGKILL: immediate */
		p->pid = 0;
	}
}

static const drove__cfg_md_command *cur_cmd(const struct provider *p)
{
	return &p->m->ec->md_providers[p->idx].commands[p->next];
}

/* The command ended (exit status `st`, or cut off): record its value, go on. */
static void finish_cmd(struct provider *p, int exited, int st)
{
	struct drove__exec_mdcmd *m = p->m;
	const drove__cfg_md_provider *pr = &m->ec->md_providers[p->idx];
	const drove__cfg_md_command *c = cur_cmd(p);
	char *value = NULL;
	const char *why = NULL;
	char code[48];

	if (p->flooded)
		why = "flooded its output";
	else if (p->timed_out)
		why = "timed out";
	else if (!exited || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		if (exited && WIFEXITED(st))
			snprintf(code, sizeof(code), "exited with %d", WEXITSTATUS(st));
		else
			snprintf(code, sizeof(code), "killed by signal %d",
			         exited && WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		why = code;
	} else if (drove__exec_mdcmd_value(p->out.data ? p->out.data : "", p->out.len, &value) <
	           0) {
		drove_error_clear();
		why = "out of memory";
	}
	while (p->err.len && (unsigned char)p->err.data[p->err.len - 1] <= ' ')
		p->err.len--; /* the log line ends here, not at the command's last newline */
	if (why)
		drove__warn(m->ctx, MOD,
		            "metadata provider %s: command %s %s (limits: %d ms, %d bytes)%s%.*s; "
		            "using its defaultValue",
		            pr->name, c->name, why, DROVE__EXEC_MDCMD_TIMEOUT_MS,
		            DROVE__EXEC_MDCMD_OUT_MAX, p->err.len ? ": " : "", (int)p->err.len,
		            p->err.data ? p->err.data : "");
	if (drove_strmap_set(p->building, c->name,
	                     value ? value : (c->default_value ? c->default_value : "")) < 0)
		drove_error_clear();
	free(value);
	close_cmd(p);
	p->next++;
	next_command(p);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct provider *p = arg;
	int st = 0;
	pid_t w;
	(void)fd;
	(void)what;
	if (p->fd_out < 0 && p->fd_err < 0 && (w = waitpid(p->pid, &st, WNOHANG)) != 0) {
		p->pid = 0;
		finish_cmd(p, w > 0, st);
		return;
	}
	if (drove_time_mono_ms() >= p->deadline) {
		p->timed_out = 1;
		kill_cmd(p);
		finish_cmd(p, 0, 0);
		return;
	}
	{
		struct timeval tv = {0, REAP_POLL * 1000};
		event_add(p->ev_tick, &tv);
	}
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct provider *p = arg;
	int is_out = fd == p->fd_out;
	drove__buf *b = is_out ? &p->out : &p->err;
	char chunk[4096];
	ssize_t r;
	(void)what;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		size_t keep = is_out ? DROVE__EXEC_MDCMD_OUT_MAX : ERR_KEEP;
		if (b->len + (size_t)r > keep) {
			if (is_out) {
				p->flooded = 1;
				kill_cmd(p);
				finish_cmd(p, 0, 0);
				return;
			}
			r = (ssize_t)(keep - b->len);
		}
		if (r > 0 && drove__buf_append(b, chunk, (size_t)r) < 0)
			drove_error_clear();
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		event_free(is_out ? p->ev_out : p->ev_err);
		close(fd);
		if (is_out) {
			p->ev_out = NULL;
			p->fd_out = -1;
		} else {
			p->ev_err = NULL;
			p->fd_err = -1;
		}
	}
}

static int spawn_cmd(struct provider *p, const char *command)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, err;
	char *argv[] = {(char *)BASH, (char *)"-c", (char *)command, NULL};

	/* only our ends are non-blocking: the command writes as it would to any pipe */
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
	    fcntl(po[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(pe[0], F_SETFL, O_NONBLOCK) < 0) {
		err = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	drove__spawnattr_init(&at, true); /* its own group: a timeout kills its children too */
	err = posix_spawn(&p->pid, BASH, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (err)
		goto fail;
	p->fd_out = po[0];
	p->fd_err = pe[0];
	{
		struct event_base *base = drove__loop_base(p->m->loop);
		struct timeval tv = {0, REAP_POLL * 1000};
		p->ev_out = event_new(base, p->fd_out, EV_READ | EV_PERSIST, on_read, p);
		p->ev_err = event_new(base, p->fd_err, EV_READ | EV_PERSIST, on_read, p);
		p->ev_tick = evtimer_new(base, on_tick, p);
		if (!p->ev_out || !p->ev_err || !p->ev_tick || event_add(p->ev_out, NULL) < 0 ||
		    event_add(p->ev_err, NULL) < 0 || event_add(p->ev_tick, &tv) < 0) {
			kill_cmd(p);
			close_cmd(p);
			return drove__enomem();
		}
	}
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		if (po[k] >= 0)
			close(po[k]);
		if (pe[k] >= 0)
			close(pe[k]);
	}
	p->pid = 0;
	return drove__error(DROVE_EIO, "cannot run %s: %s", BASH, strerror(err));
}

static void round_done(struct provider *p)
{
	struct drove__exec_mdcmd *m = p->m;
	const drove__cfg_md_provider *pr = &m->ec->md_providers[p->idx];
	drove_strmap *old = m->vals[p->idx];
	int same, dynamic = 0;

	/* STATIC values of the first round stay: copy them into every later round */
	for (size_t k = 0; old && k < drove_strmap_count(old); k++) {
		const char *key = drove_strmap_key(old, k);
		if (!drove_strmap_get(p->building, key) &&
		    drove_strmap_set(p->building, key, drove_strmap_value(old, k)) < 0)
			drove_error_clear();
	}
	same = old && drove_strmap_count(old) == drove_strmap_count(p->building);
	for (size_t k = 0; same && k < drove_strmap_count(old); k++) {
		const char *v = drove_strmap_get(p->building, drove_strmap_key(old, k));
		same = v && !strcmp(v, drove_strmap_value(old, k));
	}
	m->vals[p->idx] = p->building;
	p->building = NULL;
	drove_strmap_free(old);
	if (!same && m->changed)
		m->changed(m->ud);
	for (size_t k = 0; k < pr->n_commands; k++)
		dynamic |= pr->commands[k].type == 1;
	if (dynamic) {
		int64_t s = pr->command_rerun_secs > 0 ? pr->command_rerun_secs : 60;
		struct timeval tv = {(time_t)s, 0};
		event_add(p->rerun, &tv);
	}
}

static void next_command(struct provider *p)
{
	const drove__cfg_md_provider *pr = &p->m->ec->md_providers[p->idx];
	for (; p->next < pr->n_commands; p->next++) {
		const drove__cfg_md_command *c = &pr->commands[p->next];
		if (p->round > 0 && c->type != 1)
			continue; /* STATIC: first round only */
		p->flooded = p->timed_out = 0;
		p->deadline = drove_time_mono_ms() + DROVE__EXEC_MDCMD_TIMEOUT_MS;
		if (spawn_cmd(p, c->command ? c->command : "") == 0)
			return; /* on_read / on_tick go on */
		drove__warn(p->m->ctx, MOD,
		            "metadata provider %s: command %s: %s; using its defaultValue",
		            pr->name, c->name, drove_error_last()->message);
		if (drove_strmap_set(p->building, c->name,
		                     c->default_value ? c->default_value : "") < 0)
			drove_error_clear();
	}
	p->round++;
	round_done(p);
}

static void start_round(evutil_socket_t fd, short what, void *arg)
{
	struct provider *p = arg;
	(void)fd;
	(void)what;
	if (p->pid > 0)
		return;
	drove_strmap_free(p->building);
	p->building = NULL;
	if (drove_strmap_new(&p->building) < 0) {
		drove_error_clear();
		return;
	}
	p->next = 0;
	next_command(p);
}

int drove__exec_mdcmd_start(struct drove__exec_mdcmd **out, drove_loop *loop, drove_ctx *ctx,
                            const drove__cfg_executor *ec, void (*changed)(void *ud), void *ud)
{
	struct drove__exec_mdcmd *m;
	size_t n = ec->n_md_providers, used = 0;

	*out = NULL;
	for (size_t k = 0; k < n; k++)
		used += ec->md_providers[k].type == DROVE__MDP_DYNAMIC_COMMAND;
	if (!used)
		return 0;
	if (!(m = calloc(1, sizeof(*m))) || !(m->p = calloc(n, sizeof(*m->p))) ||
	    !(m->vals = calloc(n, sizeof(*m->vals)))) {
		if (m)
			free(m->p);
		free(m);
		return drove__enomem();
	}
	m->loop = loop;
	m->ctx = ctx;
	m->ec = ec;
	m->changed = changed;
	m->ud = ud;
	m->n = n;
	for (size_t k = 0; k < n; k++) {
		m->p[k].m = m;
		m->p[k].idx = k;
		m->p[k].fd_out = m->p[k].fd_err = -1;
	}
	for (size_t k = 0; k < n; k++) {
		struct provider *p = &m->p[k];
		if (ec->md_providers[k].type != DROVE__MDP_DYNAMIC_COMMAND)
			continue;
		if (!(p->rerun = evtimer_new(drove__loop_base(loop), start_round, p))) {
			drove__exec_mdcmd_free(m);
			return drove__enomem();
		}
		start_round(-1, 0, p);
	}
	*out = m;
	return 0;
}

const drove_strmap *const *drove__exec_mdcmd_values(const struct drove__exec_mdcmd *m)
{
	return m ? (const drove_strmap *const *)m->vals : NULL;
}

void drove__exec_mdcmd_free(struct drove__exec_mdcmd *m)
{
	if (!m)
		return;
	for (size_t k = 0; k < m->n; k++) {
		struct provider *p = &m->p[k];
		kill_cmd(p);
		close_cmd(p);
		if (p->rerun)
			event_free(p->rerun);
		drove_strmap_free(p->building);
		drove_strmap_free(m->vals[k]);
	}
	free(m->p);
	free(m->vals);
	free(m);
}
