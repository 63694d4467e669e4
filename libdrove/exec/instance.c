/* The lifecycle of one application / local-service instance or task on the runtime (§5.2,
 * §5.3, §8.8, §8.9). Every step is asynchronous on the loop. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drove/clock.h>
#include <drove/strlist.h>
#include <drove/units.h>
#include "exec/engine.h"
#include "model/codec.h"

#define MOD "exec"

#define DEF_CHECK_TIMEOUT_MS  1000
#define DEF_CHECK_INTERVAL_MS 10000
#define DEF_CHECK_ATTEMPTS    3
#define STOP_GRACE_S          10
#define HOOK_TRIES            5
#define HOOK_RETRY_MS         3000
#define TASK_POLL_MS          1000
#define READY_RETRY_MS        250 /* readiness: nothing listening yet (ready_done) */
#define CFG_FILE_MAX          (4 * 1024 * 1024)

static void stop_action(exec_inst *i);
static void deprovision(exec_inst *i);
static void health_first(exec_inst *i);

/* ---- state ---- */

static const char *state_name(const exec_inst *i, int s)
{
	return i->kind == DROVE__EXEC_TASK ? drove_task_state_name(s)
	                                   : drove_instance_state_name(s);
}

int drove__exec_inst_set_state(exec_inst *i, int state, const char *error)
{
	bool ok = i->kind == DROVE__EXEC_TASK ? drove__exec_task_can(i->state, state)
	                                      : drove__exec_inst_can(i->state, state);
	bool terminal;
	if (!ok) {
		drove__warn(i->ex->ctx, MOD, "%s: transition %s -> %s refused", i->id,
		            state_name(i, i->state), state_name(i, state));
		return DROVE_ECONFLICT;
	}
	drove__info(i->ex->ctx, MOD, "%s: %s -> %s%s%s", i->id, state_name(i, i->state),
	            state_name(i, state), error ? ": " : "", error ? error : "");
	i->state = state;
	i->updated = drove_time_wall_ms();
	if (error) {
		char *e = drove__strdup(error);
		if (e) {
			free(i->error);
			i->error = e;
		}
	}
	terminal = i->kind == DROVE__EXEC_TASK
	                   ? (state == DROVE_TASK_STOPPED || state == DROVE_TASK_LOST)
	                   : (state == DROVE_INST_STOPPED || state == DROVE_INST_LOST);
	if (terminal)
		drove__exec_res_unlock(&i->ex->res, i->id);
	i->ex->hooks->report(i);
	if (terminal) {
		i->ex->hooks->snapshot_soon(i->ex);
		drove__exec_inst_remove(i);
	}
	return 0;
}

/* ---- logs ---- */

static void on_log_line(int stream, const char *line, size_t len, void *ud)
{
	exec_inst *i = ud;
	if (i->logw)
		(void)drove__exec_logw_line(i->logw, line, len);
	drove__exec_syslog_line(i->syslog, stream == DROVE_RUNTIME_STDERR ? 3 : 6, line, len);
	drove__exec_syslog_line(i->rsyslog, stream == DROVE_RUNTIME_STDERR ? 3 : 6, line, len);
}

static void on_log_done(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	(void)res;
	i->logcall = NULL;
	drove__exec_inst_release(i);
}

/* The instance's loggingSpec when it is RSYSLOG and the engine has no syslog log driver that
 * takes Drove's options (podman): the executor sends the lines itself. */
static const drove_logging *own_rsyslog(const exec_inst *i)
{
	const drove_logging *lg = i->app  ? i->app->logging_spec
	                          : i->ls ? i->ls->logging_spec
	                                  : i->task->logging_spec;
	return lg && lg->type == DROVE_LOGGING_RSYSLOG &&
	                       strcmp(drove_runtime_engine(i->ex->rt), "docker") != 0
	               ? lg
	               : NULL;
}

static void open_log(exec_inst *i)
{
	const drove_logging *lg = own_rsyslog(i);
	const drove__cfg_drove_appender *ap = &i->ex->ec->appender;
	int count = i->ex->log_count;
	if (!i->rsyslog && lg &&
	    drove__exec_syslog_open_spec(&i->rsyslog, i->ex, lg, i->id1, i->id) < 0)
		drove__warn(i->ex->ctx, MOD, "%s: loggingSpec syslog: %s", i->id,
		            drove_error_last()->message);
	if (!i->syslog && i->ex->ec->syslog.present &&
	    drove__exec_syslog_open(&i->syslog, i->ex, i->id1, i->id) < 0)
		drove__warn(i->ex->ctx, MOD, "%s: syslog: %s", i->id, drove_error_last()->message);
	if (i->logw || !i->ex->log_root)
		return;
	/* the drove appender: archive, archivedFileCount, totalSizeCap (archives of maxFileSize
	 * each), bufferSize when immediateFlush is false */
	if (!ap->archive)
		count = 0;
	else if (ap->total_size_cap && ap->max_file_size &&
	         ap->total_size_cap / ap->max_file_size < count)
		count = (int)(ap->total_size_cap / ap->max_file_size);
	if (drove__exec_logw_open(&i->logw, i->ex->log_root, i->id1, i->id2, i->ex->log_max,
	                          count) < 0 ||
	    drove__exec_logw_set_buffer(i->logw,
	                                ap->immediate_flush ? 0 : (size_t)ap->buffer_size) < 0)
		drove__warn(i->ex->ctx, MOD, "%s: log file: %s", i->id,
		            drove_error_last()->message);
}

void drove__exec_inst_follow(exec_inst *i, int tail)
{
	open_log(i);
	if (i->logcall || !i->container)
		return;
	drove__exec_inst_hold(i);
	if (drove_runtime_logs(i->ex->rt, i->container, 1, tail, on_log_line, on_log_done, i,
	                       &i->logcall) < 0) {
		i->logcall = NULL;
		drove__exec_inst_release(i);
	}
}

static void log_note(exec_inst *i, const char *what, const char *msg)
{
	char line[1024];
	open_log(i);
	snprintf(line, sizeof(line), "pre-shutdown hook %s: %s", what, msg ? msg : "");
	if (i->logw)
		(void)drove__exec_logw_line(i->logw, line, strlen(line));
	drove__exec_syslog_line(i->syslog, 5, line, strlen(line)); /* notice */
}

/* ---- provisioning ---- */

static void fail_start(exec_inst *i, const char *msg)
{
	if (i->kind == DROVE__EXEC_TASK) {
		i->has_result = 1;
		i->result_status = DROVE_TASK_RESULT_FAILED;
		i->exit_code = -1;
		if (drove__exec_inst_set_state(i, DROVE_TASK_RUN_FAILED, msg) == 0)
			deprovision(i);
	} else if (drove__exec_inst_set_state(i, DROVE_INST_START_FAILED, msg) == 0) {
		deprovision(i);
	}
}

static void on_started(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	if (drove__exec_inst_release(i))
		return;
	if (drove_runtime_result_code(res) < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "Error starting container: %s",
		         drove_runtime_result_message(res));
		fail_start(i, msg);
		return;
	}
	drove__exec_inst_follow(i, -1);
	drove__exec_inst_resume(i);
}

static void on_created(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	const char *cid = drove_runtime_result_id(res);
	if (drove__exec_inst_release(i))
		return;
	if (cid && !i->container) {
		i->container = drove__strdup(cid);
		i->container_mono = drove_time_mono_ms();
	}
	if (drove_runtime_result_code(res) < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "Error creating container: %s",
		         drove_runtime_result_message(res));
		fail_start(i, msg);
		return;
	}
	drove__exec_inst_hold(i);
	if (drove_runtime_start(i->ex->rt, i->container, on_started, i) < 0) {
		drove__exec_inst_release(i);
		fail_start(i, drove_error_last()->message);
	}
}

static void create_container(exec_inst *i)
{
	drove_container_spec *cs = NULL;
	if (drove__exec_container_spec(i, &cs) < 0) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "Error creating container: %s",
		         drove_error_last()->message);
		fail_start(i, msg);
		return;
	}
	drove__exec_inst_hold(i);
	if (drove_runtime_create(i->ex->rt, cs, on_created, i) < 0) {
		drove__exec_inst_release(i);
		fail_start(i, drove_error_last()->message);
	}
	drove_container_spec_free(cs);
}

static void fetch_next(exec_inst *i);

static void on_fetched(const drove__http_response *resp, void *ud)
{
	exec_inst *i = ud;
	size_t k = i->cfg_idx;
	if (drove__exec_inst_release(i))
		return;
	if (resp->error || resp->status < 200 || resp->status > 299) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "Error fetching config %s: %s",
		         i->configs[k].local_filename ? i->configs[k].local_filename : "",
		         resp->error ? resp->errtext : "unexpected HTTP status");
		fail_start(i, msg);
		return;
	}
	if ((i->cfg_data[k] = malloc(resp->body_len + 1))) {
		memcpy(i->cfg_data[k], resp->body, resp->body_len);
		i->cfg_len[k] = resp->body_len;
	}
	i->cfg_idx++;
	fetch_next(i);
}

/* EXECUTOR_HTTP_FETCH configs, one after the other, then create. */
static void fetch_next(exec_inst *i)
{
	for (; i->cfg_idx < i->n_configs; i->cfg_idx++) {
		const drove_config_spec *c = &i->configs[i->cfg_idx];
		const drove_http_call *h = c->http;
		drove__http_request req;
		char *url;
		int rc;
		if (c->type != DROVE_CONFIG_EXECUTOR_HTTP_FETCH || !h)
			continue;
		if (!i->cfg_data) {
			i->cfg_data = calloc(i->n_configs, sizeof(*i->cfg_data));
			i->cfg_len = calloc(i->n_configs, sizeof(*i->cfg_len));
			if (!i->cfg_data || !i->cfg_len) {
				fail_start(i, "out of memory");
				return;
			}
		}
		url = drove__asprintf("%s://%s:%d%s",
		                      h->protocol == DROVE_PROTO_HTTPS ? "https" : "http",
		                      h->hostname ? h->hostname : "localhost",
		                      h->has_port && h->port             ? h->port
		                      : h->protocol == DROVE_PROTO_HTTPS ? 443
		                                                         : 80,
		                      h->path ? h->path : "/");
		if (!url) {
			fail_start(i, "out of memory");
			return;
		}
		memset(&req, 0, sizeof(req));
		req.method = h->verb == DROVE_VERB_POST  ? "POST"
		             : h->verb == DROVE_VERB_PUT ? "PUT"
		                                         : "GET";
		req.url = url;
		if (h->payload && h->verb != DROVE_VERB_GET) {
			req.body = h->payload;
			req.body_len = strlen(h->payload);
		}
		req.connect_timeout_ms =
		        drove__exec_dur_ms(&h->connection_timeout, h->has_connection_timeout, 1000);
		req.timeout_ms =
		        drove__exec_dur_ms(&h->operation_timeout, h->has_operation_timeout, 1000);
		req.max_body = CFG_FILE_MAX;
		req.insecure = h->insecure;
		req.on_done = on_fetched;
		req.userdata = i;
		drove__exec_inst_hold(i);
		rc = drove__http_send(i->ex->http, &req, NULL);
		free(url);
		if (rc < 0) {
			drove__exec_inst_release(i);
			fail_start(i, drove_error_last()->message);
		}
		return;
	}
	create_container(i);
}

static void begin_create(exec_inst *i)
{
	if (drove__exec_inst_set_state(
	            i, i->kind == DROVE__EXEC_TASK ? DROVE_TASK_STARTING : DROVE_INST_STARTING,
	            NULL) < 0)
		return;
	i->cfg_idx = 0;
	fetch_next(i);
}

static void pull_failed(exec_inst *i, const char *why)
{
	char msg[1200];
	snprintf(msg, sizeof(msg), "Error while pulling image %s: %s", i->exe->url, why);
	if (i->kind == DROVE__EXEC_TASK) {
		i->has_result = 1;
		i->result_status = DROVE_TASK_RESULT_FAILED;
		i->exit_code = -1;
	}
	if (drove__exec_inst_set_state(i,
	                               i->kind == DROVE__EXEC_TASK ? DROVE_TASK_PROVISIONING_FAILED
	                                                           : DROVE_INST_PROVISIONING_FAILED,
	                               msg) == 0)
		deprovision(i);
}

static void on_pulled(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	if (drove__exec_inst_release(i))
		return;
	if (drove_runtime_result_code(res) < 0)
		pull_failed(i, drove_runtime_result_message(res));
	else
		begin_create(i);
}

static void on_image(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	char *auth = NULL;
	int64_t to;
	if (drove__exec_inst_release(i))
		return;
	if (drove_runtime_result_code(res) == 0) {
		begin_create(i);
		return;
	}
	if (drove_runtime_result_code(res) != DROVE_ENOTFOUND) {
		pull_failed(i, drove_runtime_result_message(res));
		return;
	}
	if (drove__exec_registry_auth(i->ex->ec, i->exe->url, &auth) < 0) {
		pull_failed(i, drove_error_last()->message);
		return;
	}
	to = drove__exec_dur_ms(&i->exe->docker_pull_timeout, i->exe->has_docker_pull_timeout,
	                        15 * 60000);
	drove__exec_inst_hold(i);
	if (drove_runtime_image_pull(i->ex->rt, i->exe->url, auth, to, NULL, on_pulled, i) < 0) {
		drove__exec_inst_release(i);
		pull_failed(i, drove_error_last()->message);
	}
	free(auth);
}

void drove__exec_inst_launch(exec_inst *i)
{
	if (drove__exec_inst_set_state(i,
	                               i->kind == DROVE__EXEC_TASK ? DROVE_TASK_PROVISIONING
	                                                           : DROVE_INST_PROVISIONING,
	                               NULL) < 0)
		return;
	drove__exec_inst_hold(i);
	if (drove_runtime_image_inspect(i->ex->rt, i->exe->url, on_image, i) < 0) {
		drove__exec_inst_release(i);
		pull_failed(i, drove_error_last()->message);
	}
}

/* ---- checks (§8.9) ---- */

typedef void (*check_done_fn)(exec_inst *i, int ok, const char *msg);
struct check_ctx {
	exec_inst *i;
	unsigned gen;
	int which; /* 0 readiness, 1 health (exec_inst.checks), -1 a pre-shutdown hook */
	check_done_fn done;
	const drove_check_mode *mode;
	int unreachable; /* an HTTP check that got no answer (nothing listening yet) */
};

static int check_finish(struct check_ctx *c, int ok, const char *msg)
{
	exec_inst *i = c->i;
	unsigned gen = c->gen;
	int which = c->which, unreachable = c->unreachable;
	check_done_fn done = c->done;
	free(c);
	if (drove__exec_inst_release(i) || gen != i->gen)
		return 0;
	i->unreachable = !ok && unreachable;
	if (which >= 0)
		i->checks[which][ok != 0]++;
	done(i, ok, msg);
	return 0;
}

static void on_http_check(const drove__http_response *resp, void *ud)
{
	struct check_ctx *c = ud;
	const drove_check_mode *m = c->mode;
	char msg[1024];
	int ok = 0;
	if (resp->error) {
		snprintf(msg, sizeof(msg), "%s", resp->errtext);
		c->unreachable =
		        resp->status == 0 && resp->error != DROVE_ETIMEOUT && !resp->tls_unverified;
	} else {
		if (m->n_success_codes == 0)
			ok = resp->status == 200;
		for (size_t k = 0; k < m->n_success_codes; k++)
			ok |= resp->status == m->success_codes[k];
		snprintf(msg, sizeof(msg), "HTTP %d: %.512s", resp->status, resp->body);
	}
	check_finish(c, ok, msg);
}

static void on_cmd_check(const drove_runtime_result *res, void *ud)
{
	struct check_ctx *c = ud;
	char msg[1024];
	int ok = drove_runtime_result_code(res) == 0 && drove_runtime_result_exit_code(res) == 0;
	if (drove_runtime_result_code(res) < 0)
		snprintf(msg, sizeof(msg), "%s", drove_runtime_result_message(res));
	else
		snprintf(msg, sizeof(msg), "exit code %d: %.512s",
		         drove_runtime_result_exit_code(res),
		         drove_runtime_result_output(res, NULL));
	check_finish(c, ok, msg);
}

static int host_port_of(const exec_inst *i, const char *name)
{
	for (size_t k = 0; k < i->n_pinfo; k++)
		if (!name || !strcmp(i->pinfo[k].name, name))
			return i->pinfo[k].host_port;
	return -1;
}

static int cmd_argv(const drove_check_mode *m, drove_strlist **out)
{
	drove_strlist *argv;
	int rc;
	if ((rc = drove_strlist_new(&argv)) < 0)
		return rc;
	if (!m->shell_disabled) {
		if ((rc = drove_strlist_add(argv, "sh")) < 0 ||
		    (rc = drove_strlist_add(argv, "-c")) < 0 ||
		    (rc = drove_strlist_add(argv, m->command ? m->command : "")) < 0)
			goto fail;
	} else {
		char *dup = drove__strdup(m->command ? m->command : ""), *save = NULL;
		if (!dup) {
			rc = DROVE_ENOMEM;
			goto fail;
		}
		for (char *t = strtok_r(dup, " ", &save); t; t = strtok_r(NULL, " ", &save))
			if ((rc = drove_strlist_add(argv, t)) < 0) {
				free(dup);
				goto fail;
			}
		free(dup);
	}
	*out = argv;
	return 0;
fail:
	drove_strlist_free(argv);
	return rc;
}

/* Run one check or hook; `done` runs later unless the phase changed meanwhile. */
static void run_check(exec_inst *i, int which, const drove_check_mode *m, int64_t timeout_ms,
                      check_done_fn done)
{
	struct check_ctx *c = calloc(1, sizeof(*c));
	int rc;
	if (!c) {
		done(i, 0, "out of memory");
		return;
	}
	c->i = i;
	c->which = which;
	c->gen = i->gen;
	c->done = done;
	c->mode = m;
	drove__exec_inst_hold(i);
	if (m->type == DROVE_CHECK_HTTP) {
		drove__http_request req;
		int hp = host_port_of(i, m->port_name);
		char *url;
		if (hp < 0) {
			free(c);
			drove__exec_inst_release(i);
			done(i, 0, "unknown port name");
			return;
		}
		url = drove__asprintf("%s://127.0.0.1:%d%s",
		                      m->protocol == DROVE_PROTO_HTTPS ? "https" : "http", hp,
		                      m->path ? m->path : "/");
		memset(&req, 0, sizeof(req));
		req.method = m->verb == DROVE_VERB_POST  ? "POST"
		             : m->verb == DROVE_VERB_PUT ? "PUT"
		                                         : "GET";
		req.url = url;
		if (m->payload && *m->payload && m->verb != DROVE_VERB_GET) {
			req.body = m->payload;
			req.body_len = strlen(m->payload);
		}
		req.connect_timeout_ms =
		        drove__exec_dur_ms(&m->connection_timeout, m->has_connection_timeout, 1000);
		req.timeout_ms = timeout_ms;
		req.max_body = 8192;
		req.insecure = m->insecure;
		req.on_done = on_http_check;
		req.userdata = c;
		rc = url ? drove__http_send(i->ex->http, &req, NULL) : DROVE_ENOMEM;
		free(url);
	} else {
		drove_strlist *argv = NULL;
		rc = cmd_argv(m, &argv);
		if (rc == 0)
			rc = drove_runtime_exec(i->ex->rt, i->container, argv, timeout_ms,
			                        on_cmd_check, c);
		drove_strlist_free(argv);
	}
	if (rc < 0) {
		free(c);
		if (!drove__exec_inst_release(i))
			done(i, 0, drove_error_last()->message);
	}
}

static int64_t ck_timeout(const drove_check_spec *s)
{
	return drove__exec_dur_ms(&s->timeout, s->has_timeout, DEF_CHECK_TIMEOUT_MS);
}
static int64_t ck_interval(const drove_check_spec *s)
{
	return drove__exec_dur_ms(&s->interval, s->has_interval, DEF_CHECK_INTERVAL_MS);
}
static int ck_attempts(const drove_check_spec *s)
{
	return s->has_attempts && s->attempts > 0 ? s->attempts : DEF_CHECK_ATTEMPTS;
}

/* readiness (UNREADY) */
static void ready_try(exec_inst *i);

static void ready_done(exec_inst *i, int ok, const char *msg)
{
	if (i->state != DROVE_INST_UNREADY)
		return;
	if (ok) {
		i->gen++;
		if (drove__exec_inst_set_state(i, DROVE_INST_READY, NULL) == 0)
			health_first(i);
		return;
	}
	drove__debug(i->ex->ctx, MOD, "%s: readiness failed: %s", i->id, msg);
	/* Nothing listens yet (the process in a container just started is still coming up):
	 * ask again soon rather than an interval later. The attempt (its slot of one interval)
	 * fails only once its interval has passed, so attempts × interval, the time the spec
	 * allows, is unchanged; the instance is only found ready sooner. */
	int64_t now = drove_time_mono_ms(), end = i->slot_mono + ck_interval(i->readiness);
	if (i->unreachable && now + READY_RETRY_MS < end) {
		drove__exec_inst_after(i, READY_RETRY_MS, ready_try);
		return;
	}
	i->slot_mono = 0;
	if (++i->attempts >= ck_attempts(i->readiness)) {
		char err[1100];
		/* the last attempt's reason (an untrusted certificate, HTTP 503 ...) goes along */
		snprintf(err, sizeof(err), "Readiness check failed: %s", msg);
		i->gen++;
		if (drove__exec_inst_set_state(i, DROVE_INST_READINESS_CHECK_FAILED, err) == 0)
			stop_action(i);
		return;
	}
	drove__exec_inst_after(i, now < end ? end - now : 0, ready_try);
}

static void ready_try(exec_inst *i)
{
	if (!i->slot_mono)
		i->slot_mono = drove_time_mono_ms();
	run_check(i, 0, i->readiness->mode, ck_timeout(i->readiness), ready_done);
}

static void readiness_phase(exec_inst *i)
{
	i->gen++;
	i->attempts = 0;
	i->slot_mono = 0;
	if (!i->readiness || !i->readiness->mode) {
		if (drove__exec_inst_set_state(i, DROVE_INST_READY, NULL) == 0)
			health_first(i);
		return;
	}
	drove__exec_inst_after(i,
	                       i->recovered
	                               ? 0
	                               : drove__exec_dur_ms(&i->readiness->initial_delay,
	                                                    i->readiness->has_initial_delay, 0),
	                       ready_try);
}

/* health (READY: first pass; HEALTHY: periodic) */
static void health_try(exec_inst *i);

static void health_done(exec_inst *i, int ok, const char *msg)
{
	char err[1100];
	if (i->state == DROVE_INST_READY) {
		if (ok) {
			i->gen++;
			i->fails = 0;
			if (drove__exec_inst_set_state(i, DROVE_INST_HEALTHY, NULL) == 0)
				drove__exec_inst_after(i, ck_interval(i->health), health_try);
			return;
		}
		if (++i->attempts >= ck_attempts(i->health)) {
			snprintf(err, sizeof(err), "Healthcheck failed:%s", msg);
			i->gen++;
			if (drove__exec_inst_set_state(i, DROVE_INST_STOPPING, err) == 0)
				stop_action(i);
			return;
		}
		drove__exec_inst_after(i, ck_interval(i->health), health_try);
		return;
	}
	if (i->state != DROVE_INST_HEALTHY)
		return;
	if (ok) {
		i->fails = 0;
	} else if (++i->fails >= ck_attempts(i->health)) {
		snprintf(err, sizeof(err), "Healthcheck failed:%s", msg);
		i->gen++;
		if (drove__exec_inst_set_state(i, DROVE_INST_UNHEALTHY, err) == 0)
			stop_action(i);
		return;
	}
	drove__exec_inst_after(i, ck_interval(i->health), health_try);
}

static void health_try(exec_inst *i)
{
	run_check(i, 1, i->health->mode, ck_timeout(i->health), health_done);
}

static void health_first(exec_inst *i)
{
	i->gen++;
	i->attempts = 0;
	if (!i->health || !i->health->mode) {
		(void)drove__exec_inst_set_state(i, DROVE_INST_HEALTHY, NULL);
		return;
	}
	drove__exec_inst_after(i,
	                       i->recovered ? 0
	                                    : drove__exec_dur_ms(&i->health->initial_delay,
	                                                         i->health->has_initial_delay, 0),
	                       health_try);
}

/* ---- tasks: exit polling ---- */

static void task_poll(exec_inst *i);

static void task_exited(exec_inst *i, int status, int64_t code, const char *msg)
{
	char err[128];
	i->has_result = 1;
	i->result_status = status;
	i->exit_code = code;
	if (status == DROVE_TASK_RESULT_FAILED && !msg) {
		snprintf(err, sizeof(err), "Task instance exited with status: %lld",
		         (long long)code);
		msg = err;
	}
	if (drove__exec_inst_set_state(i, DROVE_TASK_RUN_COMPLETED, msg) == 0)
		deprovision(i);
}

static void on_task_inspect(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	const drove_container_info *c = drove_runtime_result_container(res);
	if (drove__exec_inst_release(i) || i->state != DROVE_TASK_RUNNING)
		return;
	if (drove_runtime_result_code(res) == DROVE_ENOTFOUND) {
		task_exited(i, DROVE_TASK_RESULT_LOST, -1, "Task container vanished");
		return;
	}
	if (drove_runtime_result_code(res) < 0 || !c || drove_container_info_running(c)) {
		drove__exec_inst_after(i, TASK_POLL_MS, task_poll);
		return;
	}
	if (i->cancel_requested)
		task_exited(i, DROVE_TASK_RESULT_CANCELLED, -1, "Task cancelled");
	else {
		int code = drove_container_info_exit_code(c);
		task_exited(i, code == 0 ? DROVE_TASK_RESULT_SUCCESSFUL : DROVE_TASK_RESULT_FAILED,
		            code, NULL);
	}
}

static void task_poll(exec_inst *i)
{
	drove__exec_inst_hold(i);
	if (drove_runtime_inspect(i->ex->rt, i->container, on_task_inspect, i) < 0) {
		drove__exec_inst_release(i);
		drove__exec_inst_after(i, TASK_POLL_MS, task_poll);
	}
}

static void on_killed(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	(void)res;
	if (drove__exec_inst_release(i))
		return;
}

void drove__exec_task_kill(exec_inst *i)
{
	i->cancel_requested = 1;
	if (!i->container)
		return;
	drove__exec_inst_hold(i);
	if (drove_runtime_kill(i->ex->rt, i->container, NULL, on_killed, i) < 0)
		drove__exec_inst_release(i);
}

/* ---- after start / recovery ---- */

void drove__exec_inst_resume(exec_inst *i)
{
	if (i->kind == DROVE__EXEC_TASK) {
		if (drove__exec_inst_set_state(i, DROVE_TASK_RUNNING, NULL) == 0)
			drove__exec_inst_after(i, i->recovered ? 0 : TASK_POLL_MS, task_poll);
		return;
	}
	if (drove__exec_inst_set_state(i, DROVE_INST_UNREADY, NULL) == 0)
		readiness_phase(i);
}

/* ---- stop ---- */

static void on_removed(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	if (drove__exec_inst_release(i))
		return;
	if (drove_runtime_result_code(res) < 0 && drove_runtime_result_code(res) != DROVE_ENOTFOUND)
		drove__warn(i->ex->ctx, MOD, "%s: remove: %s", i->id,
		            drove_runtime_result_message(res));
	else
		drove__exec_image_release(i->ex, i->exe ? i->exe->url : NULL, i);
	(void)drove__exec_inst_set_state(
	        i, i->kind == DROVE__EXEC_TASK ? DROVE_TASK_STOPPED : DROVE_INST_STOPPED, NULL);
}

static void deprovision(exec_inst *i)
{
	i->gen++;
	drove__exec_inst_cancel_timer(i);
	if (drove__exec_inst_set_state(i,
	                               i->kind == DROVE__EXEC_TASK ? DROVE_TASK_DEPROVISIONING
	                                                           : DROVE_INST_DEPROVISIONING,
	                               NULL) < 0)
		return;
	if (!i->container) {
		(void)drove__exec_inst_set_state(
		        i, i->kind == DROVE__EXEC_TASK ? DROVE_TASK_STOPPED : DROVE_INST_STOPPED,
		        NULL);
		return;
	}
	drove__exec_inst_hold(i);
	if (drove_runtime_remove(i->ex->rt, i->container, on_removed, i) < 0) {
		drove__exec_inst_release(i);
		(void)drove__exec_inst_set_state(
		        i, i->kind == DROVE__EXEC_TASK ? DROVE_TASK_STOPPED : DROVE_INST_STOPPED,
		        NULL);
	}
}

static void on_stopped(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	if (drove__exec_inst_release(i))
		return;
	if (drove_runtime_result_code(res) < 0 && drove_runtime_result_code(res) != DROVE_ENOTFOUND)
		drove__warn(i->ex->ctx, MOD, "%s: stop: %s", i->id,
		            drove_runtime_result_message(res));
	deprovision(i);
}

static void docker_stop(exec_inst *i)
{
	if (!i->container) {
		deprovision(i);
		return;
	}
	drove__exec_inst_hold(i);
	if (drove_runtime_stop(i->ex->rt, i->container, STOP_GRACE_S, on_stopped, i) < 0) {
		drove__exec_inst_release(i);
		deprovision(i);
	}
}

static void run_hook(exec_inst *i);

static void hook_done(exec_inst *i, int ok, const char *msg)
{
	const drove_check_mode *m = &i->pre->hooks[i->hook_idx];
	log_note(i, ok ? "done" : "failed", msg);
	if (!ok && m->type == DROVE_CHECK_HTTP && ++i->hook_try < HOOK_TRIES) {
		drove__exec_inst_after(i, HOOK_RETRY_MS, run_hook);
		return;
	}
	i->hook_idx++;
	i->hook_try = 0;
	run_hook(i);
}

static void run_hook(exec_inst *i)
{
	if (!i->pre || i->hook_idx >= i->pre->n_hooks) {
		int64_t wait = i->pre ? drove__exec_dur_ms(&i->pre->wait_before_kill,
		                                           i->pre->has_wait_before_kill, 0)
		                      : 0;
		drove__exec_inst_after(i, wait, docker_stop);
		return;
	}
	run_check(i, -1, &i->pre->hooks[i->hook_idx], 30000, hook_done);
}

/* The stop action: hooks, waitBeforeKill, docker stop, remove. */
static void stop_action(exec_inst *i)
{
	i->gen++;
	drove__exec_inst_cancel_timer(i);
	i->hook_idx = 0;
	i->hook_try = 0;
	run_hook(i);
}

void drove__exec_inst_stop(exec_inst *i, const char *why)
{
	if (i->kind == DROVE__EXEC_TASK) {
		drove__exec_task_kill(i);
		return;
	}
	if (!drove__exec_inst_running(i))
		return;
	i->gen++;
	if (drove__exec_inst_set_state(i, DROVE_INST_STOPPING, why) == 0)
		stop_action(i);
}

void drove__exec_inst_stop_stale(exec_inst *i)
{
	if (i->kind != DROVE__EXEC_APP) {
		drove__exec_inst_stop(i, "Instance is stale");
		return;
	}
	if (!drove__exec_inst_running(i))
		return;
	i->gen++;
	if (drove__exec_inst_set_state(i, DROVE_INST_STOPPING, "Instance is stale") == 0)
		deprovision(i); /* force removal: no hooks, no waitBeforeKill, no grace */
}

void drove__exec_inst_vanished(exec_inst *i)
{
	i->gen++;
	drove__exec_inst_cancel_timer(i);
	if (i->kind == DROVE__EXEC_TASK) {
		if (i->state == DROVE_TASK_RUNNING)
			task_exited(i, DROVE_TASK_RESULT_LOST, -1, "Task container vanished");
		return;
	}
	free(i->container);
	i->container = NULL;
	if (drove__exec_inst_set_state(i, DROVE_INST_STOPPING, "Container vanished") == 0)
		deprovision(i);
}
