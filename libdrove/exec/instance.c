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
#define CFG_FILE_MAX          (4 * 1024 * 1024)

static void stop_action(exec_inst *i);
static void deprovision(exec_inst *i);
static void health_first(exec_inst *i);

/* ---- timers ---- */

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	exec_inst *i = arg;
	exec_inst_fn fn = i->tfn;
	(void)fd;
	(void)what;
	i->tfn = NULL;
	if (fn && !i->ex->stopped)
		fn(i);
}

void drove__exec_inst_after(exec_inst *i, int64_t ms, exec_inst_fn fn)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	if (!i->timer)
		i->timer = evtimer_new(drove__loop_base(i->ex->loop), timer_cb, i);
	if (!i->timer)
		return;
	i->tfn = fn;
	evtimer_add(i->timer, &tv);
}

void drove__exec_inst_cancel_timer(exec_inst *i)
{
	if (i->timer)
		evtimer_del(i->timer);
	i->tfn = NULL;
}

static int64_t dur_ms(const drove_duration *d, bool has, int64_t def)
{
	return has ? drove_duration_ms(d) : def;
}

/* ---- records ---- */

static int copy_allocs(const drove_allocation *src, size_t n, drove_allocation **out)
{
	drove_allocation *a = calloc(n ? n : 1, sizeof(*a));
	if (!a)
		return drove__enomem();
	for (size_t k = 0; k < n; k++) {
		drove_allocation *c;
		if (drove__allocation_copy(&src[k], &c) < 0) {
			for (size_t j = 0; j < k; j++)
				drove__mcodec_clear(&drove__mt_allocation, &a[j]);
			free(a);
			return DROVE_ENOMEM;
		}
		a[k] = *c;
		free(c);
	}
	*out = a;
	return 0;
}

static drove_local_info *local_info(const exec_inst *i)
{
	drove_local_info *li = calloc(1, sizeof(*li));
	if (!li)
		return NULL;
	li->hostname = drove__strdup(i->ex->hostname);
	li->ports = calloc(i->n_pinfo ? i->n_pinfo : 1, sizeof(*li->ports));
	if (!li->hostname || !li->ports)
		goto fail;
	for (size_t k = 0; k < i->n_pinfo; k++) {
		li->ports[k] = i->pinfo[k];
		if (!(li->ports[k].name = drove__strdup(i->pinfo[k].name)))
			goto fail;
		li->n_ports++;
	}
	return li;
fail:
	for (size_t k = 0; k < li->n_ports; k++)
		free(li->ports[k].name);
	free(li->ports);
	free(li->hostname);
	free(li);
	return NULL;
}

drove_instance_info *drove__exec_app_info(const exec_inst *i)
{
	drove_instance_info *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->app_id = drove__strdup(i->app->app_id);
	r->app_name = drove__strdup(i->app->app_name);
	r->instance_id = drove__strdup(i->id);
	r->executor_id = drove__strdup(i->ex->id);
	r->error_message = drove__strdup(i->error ? i->error : "");
	r->local_info = local_info(i);
	r->state = i->state;
	r->created = i->created;
	r->updated = drove_time_wall_ms();
	if (!r->app_id || !r->app_name || !r->instance_id || !r->executor_id || !r->error_message ||
	    !r->local_info || drove_strmap_new(&r->metadata) < 0 ||
	    copy_allocs(i->res, i->n_res, &r->resources) < 0) {
		drove__instance_info_free(r);
		return NULL;
	}
	r->n_resources = i->n_res;
	return r;
}

drove_ls_instance_info *drove__exec_ls_info(const exec_inst *i)
{
	drove_ls_instance_info *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->service_id = drove__strdup(i->ls->service_id);
	r->service_name = drove__strdup(i->ls->service_name);
	r->instance_id = drove__strdup(i->id);
	r->executor_id = drove__strdup(i->ex->id);
	r->error_message = drove__strdup(i->error ? i->error : "");
	r->local_info = local_info(i);
	r->state = i->state;
	r->created = i->created;
	r->updated = drove_time_wall_ms();
	if (!r->service_id || !r->service_name || !r->instance_id || !r->executor_id ||
	    !r->error_message || !r->local_info || drove_strmap_new(&r->metadata) < 0 ||
	    copy_allocs(i->res, i->n_res, &r->resources) < 0) {
		drove__ls_instance_info_free(r);
		return NULL;
	}
	r->n_resources = i->n_res;
	return r;
}

drove_task_info *drove__exec_task_info(const exec_inst *i)
{
	const drove_task_instance_spec *s = i->task;
	drove_task_info *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->source_app_name = drove__strdup(s->source_app_name);
	r->task_id = drove__strdup(s->task_id);
	r->instance_id = drove__strdup(i->id);
	r->executor_id = drove__strdup(i->ex->id);
	r->hostname = drove__strdup(i->ex->hostname);
	r->error_message = drove__strdup(i->error ? i->error : "");
	r->state = i->state;
	r->created = i->created;
	r->updated = drove_time_wall_ms();
	if (!r->source_app_name || !r->task_id || !r->instance_id || !r->executor_id ||
	    !r->hostname || !r->error_message || drove_strmap_new(&r->metadata) < 0 ||
	    copy_allocs(i->res, i->n_res, &r->resources) < 0)
		goto fail;
	r->n_resources = i->n_res;
	if (s->executable) {
		if (!(r->executable = calloc(1, sizeof(*r->executable))))
			goto fail;
		*r->executable = *s->executable;
		r->executable->url = NULL;
		if (!(r->executable->url = drove__strdup(s->executable->url)))
			goto fail;
	}
	if (s->n_volumes) {
		if (!(r->volumes = calloc(s->n_volumes, sizeof(*r->volumes))))
			goto fail;
		for (size_t k = 0; k < s->n_volumes; k++) {
			r->volumes[k].mode = s->volumes[k].mode;
			r->volumes[k].has_mode = s->volumes[k].has_mode;
			r->n_volumes++;
			if (!(r->volumes[k].path_in_container =
			              drove__strdup(s->volumes[k].path_in_container)) ||
			    !(r->volumes[k].path_on_host =
			              drove__strdup(s->volumes[k].path_on_host)))
				goto fail;
		}
	}
	if (drove_strmap_new(&r->env) < 0)
		goto fail;
	for (size_t k = 0; k < drove_strmap_count(s->env); k++)
		if (drove_strmap_set(r->env, drove_strmap_key(s->env, k),
		                     drove_strmap_value(s->env, k)) < 0)
			goto fail;
	if (i->has_result) {
		if (!(r->task_result = calloc(1, sizeof(*r->task_result))))
			goto fail;
		r->task_result->status = i->result_status;
		r->task_result->exit_code = i->exit_code;
	}
	return r;
fail:
	drove__task_info_free(r);
	return NULL;
}

int drove__exec_inst_running(const exec_inst *i)
{
	if (i->kind == DROVE__EXEC_TASK)
		return i->state == DROVE_TASK_RUNNING;
	return i->state == DROVE_INST_UNREADY || i->state == DROVE_INST_READY ||
	       i->state == DROVE_INST_HEALTHY;
}

int drove__exec_inst_new(struct drove_executor *ex, enum drove__exec_kind kind, void *spec,
                         exec_inst **out)
{
	exec_inst *i = calloc(1, sizeof(*i));
	if (!i)
		return drove__enomem();
	i->ex = ex;
	i->kind = kind;
	i->created = i->updated = drove_time_wall_ms();
	if (kind == DROVE__EXEC_APP) {
		drove_app_instance_spec *s = spec;
		i->app = s;
		i->id = drove__strdup(s->instance_id);
		i->id1 = drove__strdup(s->app_id);
		i->id2 = drove__strdup(s->instance_id);
		i->exe = s->executable;
		i->res = s->resources, i->n_res = s->n_resources;
		i->ports = s->ports, i->n_ports = s->n_ports;
		i->readiness = s->readiness, i->health = s->healthcheck, i->pre = s->pre_shutdown;
		i->configs = s->configs, i->n_configs = s->n_configs;
		i->state = DROVE_INST_PENDING;
	} else if (kind == DROVE__EXEC_LS) {
		drove_ls_instance_spec *s = spec;
		i->ls = s;
		i->id = drove__strdup(s->instance_id);
		i->id1 = drove__strdup(s->service_id);
		i->id2 = drove__strdup(s->instance_id);
		i->exe = s->executable;
		i->res = s->resources, i->n_res = s->n_resources;
		i->ports = s->ports, i->n_ports = s->n_ports;
		i->readiness = s->readiness, i->health = s->healthcheck, i->pre = s->pre_shutdown;
		i->configs = s->configs, i->n_configs = s->n_configs;
		i->host_level = s->host_level_instance;
		i->state = DROVE_INST_PENDING;
	} else {
		drove_task_instance_spec *s = spec;
		i->task = s;
		i->id = drove__strdup(s->instance_id);
		i->id1 = drove__strdup(s->source_app_name);
		i->id2 = drove__strdup(s->task_id);
		i->exe = s->executable;
		i->res = s->resources, i->n_res = s->n_resources;
		i->configs = s->configs, i->n_configs = s->n_configs;
		i->state = DROVE_TASK_PENDING;
	}
	if (!i->id || !i->id1 || !i->id2 || !i->exe || !i->exe->url) {
		int rc = (!i->exe || !i->exe->url)
		                 ? drove__error(DROVE_EINVAL, "spec.executable.url: missing")
		                 : drove__enomem();
		/* the spec stays the caller's on failure */
		i->app = NULL, i->task = NULL, i->ls = NULL;
		drove__exec_inst_free(i);
		return rc;
	}
	*out = i;
	return 0;
}

void drove__exec_inst_free(exec_inst *i)
{
	if (!i)
		return;
	if (i->timer)
		event_free(i->timer);
	drove_runtime_call_cancel(i->logcall);
	drove__exec_logw_close(i->logw);
	for (size_t k = 0; k < i->n_pinfo; k++)
		free(i->pinfo[k].name);
	free(i->pinfo);
	for (size_t k = 0; i->cfg_data && k < i->n_configs; k++)
		free(i->cfg_data[k]);
	free(i->cfg_data);
	free(i->cfg_len);
	drove__app_instance_spec_free(i->app);
	drove__task_instance_spec_free(i->task);
	drove__ls_instance_spec_free(i->ls);
	free(i->id);
	free(i->id1);
	free(i->id2);
	free(i->container);
	free(i->error);
	free(i);
}

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
	drove__exec_report(i);
	if (terminal) {
		drove__exec_snapshot_soon(i->ex);
		drove__exec_inst_remove(i);
	}
	return 0;
}

/* ---- logs ---- */

static void on_log_line(int stream, const char *line, size_t len, void *ud)
{
	exec_inst *i = ud;
	(void)stream;
	if (i->logw)
		(void)drove__exec_logw_line(i->logw, line, len);
}

static void on_log_done(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	(void)res;
	i->logcall = NULL;
	drove__exec_inst_release(i);
}

static void open_log(exec_inst *i)
{
	if (i->logw || !i->ex->log_root)
		return;
	if (drove__exec_logw_open(&i->logw, i->ex->log_root, i->id1, i->id2, i->ex->log_max,
	                          i->ex->log_count) < 0)
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
	if (cid && !i->container)
		i->container = drove__strdup(cid);
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

static int read_local_file(const char *path, unsigned char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf;
	ssize_t n;
	if (fd < 0)
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CFG_FILE_MAX) {
		close(fd);
		return drove__error(DROVE_EIO, "%s: not a regular file of at most 4 MiB", path);
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return drove__enomem();
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n < 0) {
		free(buf);
		return drove__error(DROVE_EIO, "%s: %s", path, strerror(errno));
	}
	*data = buf;
	*len = (size_t)n;
	return 0;
}

static const char *user_getenv(const char *name, void *ud)
{
	(void)ud;
	return getenv(name);
}

static int build_spec(exec_inst *i, drove_container_spec **out)
{
	struct drove_executor *ex = i->ex;
	drove_container_spec *cs = NULL;
	drove_strmap *env = NULL;
	char *name = NULL, *spec_json = NULL, *info_json = NULL, *cpus = NULL, *mems = NULL;
	int *nodes = NULL, *cores = NULL;
	size_t ncore = 0;
	int64_t mb = 0;
	drove__exec_env_in ein;
	int rc;

	name = i->kind == DROVE__EXEC_TASK ? drove__strdup(i->id)
	                                   : drove__asprintf("%s-%s", i->id1, i->id);
	if (!name || (rc = drove_container_spec_new(&cs, name, i->exe->url)) < 0) {
		rc = name ? rc : DROVE_ENOMEM;
		goto out;
	}
	/* ports */
	free(i->pinfo);
	i->pinfo = NULL;
	i->n_pinfo = 0;
	if (i->n_ports && !(i->pinfo = calloc(i->n_ports, sizeof(*i->pinfo)))) {
		rc = drove__enomem();
		goto out;
	}
	for (size_t k = 0; k < i->n_ports; k++) {
		int hp = 0;
		if ((rc = drove_container_spec_add_port(
		             cs, i->ports[k].port, i->host_level ? i->ports[k].port : 0, &hp)) < 0)
			goto out;
		i->pinfo[k].container_port = i->ports[k].port;
		i->pinfo[k].host_port = hp;
		i->pinfo[k].port_type = i->ports[k].type;
		if (!(i->pinfo[k].name = drove__strdup(i->ports[k].name))) {
			rc = DROVE_ENOMEM;
			goto out;
		}
		i->n_pinfo++;
	}
	/* env (§3.5) */
	memset(&ein, 0, sizeof(ein));
	ein.kind = i->kind;
	ein.hostname = ex->hostname;
	ein.image = i->exe->url;
	ein.ports = i->pinfo;
	ein.n_ports = i->n_pinfo;
	ein.instance_id = i->id;
	ein.getenv_fn = user_getenv;
	if (i->app) {
		ein.env = i->app->env;
		ein.app_id = i->app->app_id;
		ein.app_name = i->app->app_name;
		ein.token = i->app->instance_auth_token;
	} else if (i->ls) {
		ein.env = i->ls->env;
		ein.service_id = i->ls->service_id;
		ein.service_name = i->ls->service_name;
		ein.token = i->ls->instance_auth_token;
	} else {
		ein.env = i->task->env;
		ein.task_id = i->task->task_id;
		ein.source_app_name = i->task->source_app_name;
	}
	if ((rc = drove__exec_build_env(&ein, &env)) < 0)
		goto out;
	for (size_t k = 0; k < drove_strmap_count(env); k++)
		if ((rc = drove_container_spec_set_env(cs, drove_strmap_key(env, k),
		                                       drove_strmap_value(env, k))) < 0)
			goto out;
	/* args */
	{
		char **args = i->app ? i->app->args : i->ls ? i->ls->args : i->task->args;
		size_t nargs = i->app ? i->app->n_args : i->ls ? i->ls->n_args : i->task->n_args;
		for (size_t k = 0; k < nargs; k++)
			if ((rc = drove_container_spec_add_arg(cs, args[k])) < 0)
				goto out;
	}
	/* user */
	{
		const drove_user_spec *u = i->app  ? i->app->user_spec
		                           : i->ls ? i->ls->user_spec
		                                   : i->task->user_spec;
		const char *user = u ? u->user : ex->ec->default_user;
		const char *group = u ? u->group : ex->ec->default_group;
		if (user && *user) {
			char *ug = group && *group ? drove__asprintf("%s:%s", user, group)
			                           : drove__strdup(user);
			rc = ug ? drove_container_spec_set_user(cs, ug) : DROVE_ENOMEM;
			free(ug);
			if (rc < 0)
				goto out;
		}
	}
	/* volumes */
	{
		const drove_volume *v = i->app  ? i->app->volumes
		                        : i->ls ? i->ls->volumes
		                                : i->task->volumes;
		size_t nv = i->app  ? i->app->n_volumes
		            : i->ls ? i->ls->n_volumes
		                    : i->task->n_volumes;
		for (size_t k = 0; k < nv; k++)
			if ((rc = drove_container_spec_add_volume(
			             cs, v[k].path_on_host, v[k].path_in_container,
			             v[k].mode == DROVE_MOUNT_READ_ONLY)) < 0)
				goto out;
	}
	/* devices: DIRECT ones (DETAILED device requests need a runtime call that does not exist
	 * yet; they are refused so that the instance does not run without its device) */
	{
		static const char *const perms[] = {"r", "w", "m", "rwm", "rw"};
		const drove_device *d = i->app  ? i->app->devices
		                        : i->ls ? i->ls->devices
		                                : i->task->devices;
		size_t nd = i->app  ? i->app->n_devices
		            : i->ls ? i->ls->n_devices
		                    : i->task->n_devices;
		for (size_t k = 0; k < nd; k++) {
			if (d[k].type != DROVE_DEVICE_DIRECT) {
				rc = drove__error(DROVE_EINVAL,
				                  "devices[%zu]: DETAILED devices are not "
				                  "supported by this executor",
				                  k);
				goto out;
			}
			if ((rc = drove_container_spec_add_device(
			             cs, d[k].path_on_host,
			             d[k].path_in_container ? d[k].path_in_container
			                                    : d[k].path_on_host,
			             d[k].has_permissions && (unsigned)d[k].permissions < 5
			                     ? perms[d[k].permissions]
			                     : "rwm")) < 0)
				goto out;
		}
	}
	/* pinning (§9.4) */
	for (size_t a = 0; a < i->n_res; a++) {
		const drove_allocation *al = &i->res[a];
		for (size_t k = 0; al->type == DROVE_RES_CPU && k < al->n_cores; k++)
			for (size_t c = 0; c < al->cores[k].n_cores; c++) {
				int *nn = realloc(nodes, (ncore + 1) * sizeof(int));
				int *nc = nn ? realloc(cores, (ncore + 1) * sizeof(int)) : NULL;
				if (nn)
					nodes = nn;
				if (!nc) {
					rc = drove__enomem();
					goto out;
				}
				cores = nc;
				nodes[ncore] = al->cores[k].node;
				cores[ncore++] = al->cores[k].cores[c];
			}
		for (size_t k = 0; al->type == DROVE_RES_MEMORY && k < al->n_memory; k++)
			mb += al->memory[k].mb;
	}
	if (ncore) {
		if ((rc = drove_topo_cpuset(ex->topo, ex->ctx, nodes, cores, ncore, &cpus, &mems)) <
		            0 ||
		    (rc = drove_container_spec_set_cpuset(cs, *cpus ? cpus : NULL,
		                                          *mems ? mems : NULL)) < 0 ||
		    (rc = drove_container_spec_set_cpu_count(cs, (int)ncore)) < 0)
			goto out;
	}
	if (mb > 0 && (rc = drove_container_spec_set_memory(cs, mb * 1048576)) < 0)
		goto out;
	/* ulimits: nofile; podman replaces its defaults, so nproc too (docs/runtime.md) */
	{
		struct rlimit rl;
		int64_t nofile = ex->ec->max_open_files > 0 ? ex->ec->max_open_files : 470000;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
		    (int64_t)rl.rlim_max < nofile && geteuid() != 0)
			nofile = (int64_t)rl.rlim_max;
		if ((rc = drove_container_spec_set_ulimit(cs, "nofile", nofile, nofile)) < 0)
			goto out;
		if (getrlimit(RLIMIT_NPROC, &rl) == 0) {
			int64_t h = rl.rlim_max == RLIM_INFINITY ? 4194304 : (int64_t)rl.rlim_max;
			int64_t s = rl.rlim_cur == RLIM_INFINITY ? h : (int64_t)rl.rlim_cur;
			if (s > 4096)
				s = 4096;
			if (h > 4096)
				h = 4096;
			if ((rc = drove_container_spec_set_ulimit(cs, "nproc", s, h)) < 0)
				goto out;
		}
	}
	/* LoggingSpec -> docker log driver; podman rejects several of these options, so they
	 * are only set for Docker (the engine is known after the image inspect) */
	{
		const drove_logging *lg = i->app  ? i->app->logging_spec
		                          : i->ls ? i->ls->logging_spec
		                                  : i->task->logging_spec;
		if (lg && !strcmp(drove_runtime_engine(ex->rt), "docker")) {
			char num[24];
			if (lg->type == DROVE_LOGGING_LOCAL) {
				snprintf(num, sizeof(num), "%d",
				         lg->has_max_files ? lg->max_files : 3);
				if ((rc = drove_container_spec_set_log_driver(cs, "json-file")) <
				            0 ||
				    (lg->max_size && (rc = drove_container_spec_set_log_opt(
				                              cs, "max-size", lg->max_size)) < 0) ||
				    (rc = drove_container_spec_set_log_opt(cs, "max-file", num)) <
				            0 ||
				    (rc = drove_container_spec_set_log_opt(
				             cs, "compress", lg->compress ? "true" : "false")) < 0)
					goto out;
			} else {
				char *tag = drove__asprintf(
				        "%s%s%s", lg->tag_prefix ? lg->tag_prefix : "", i->id,
				        lg->tag_suffix ? lg->tag_suffix : "");
				rc = tag ? drove_container_spec_set_log_driver(cs, "syslog")
				         : DROVE_ENOMEM;
				if (rc == 0 && lg->server)
					rc = drove_container_spec_set_log_opt(cs, "syslog-address",
					                                      lg->server);
				if (rc == 0)
					rc = drove_container_spec_set_log_opt(cs, "tag", tag);
				if (rc == 0)
					rc = drove_container_spec_set_log_opt(cs, "syslog-facility",
					                                      "daemon");
				free(tag);
				if (rc < 0)
					goto out;
			}
		}
	}
	/* configs, injected before start */
	for (size_t k = 0; k < i->n_configs; k++) {
		const drove_config_spec *c = &i->configs[k];
		const unsigned char *data = NULL;
		size_t len = 0;
		unsigned char *own = NULL;
		if (!c->local_filename)
			continue;
		if (c->type == DROVE_CONFIG_INLINE ||
		    c->type == DROVE_CONFIG_CONTROLLER_HTTP_FETCH) {
			data = c->data ? c->data : (const unsigned char *)"";
			len = c->data ? c->data_len : 0;
		} else if (c->type == DROVE_CONFIG_EXECUTOR_LOCAL_FILE) {
			if ((rc = read_local_file(c->file_path_on_host ? c->file_path_on_host : "",
			                          &own, &len)) < 0)
				goto out;
			data = own;
		} else {
			data = i->cfg_data ? i->cfg_data[k] : NULL;
			len = i->cfg_len ? i->cfg_len[k] : 0;
			if (!data)
				data = (const unsigned char *)"";
		}
		rc = drove_container_spec_add_file(cs, c->local_filename, data, len, 0644);
		free(own);
		if (rc < 0)
			goto out;
	}
	/* labels (§8.8) */
	{
		int e = 0;
		if (i->app) {
			drove_instance_info *inf = drove__exec_app_info(i);
			e = drove__app_instance_spec_encode(i->app, &spec_json);
			if (e == 0)
				e = inf ? drove__instance_info_encode(inf, &info_json)
				        : DROVE_ENOMEM;
			drove__instance_info_free(inf);
		} else if (i->ls) {
			drove_ls_instance_info *inf = drove__exec_ls_info(i);
			e = drove__ls_instance_spec_encode(i->ls, &spec_json);
			if (e == 0)
				e = inf ? drove__ls_instance_info_encode(inf, &info_json)
				        : DROVE_ENOMEM;
			drove__ls_instance_info_free(inf);
		} else {
			drove_task_info *inf = drove__exec_task_info(i);
			e = drove__task_instance_spec_encode(i->task, &spec_json);
			if (e == 0)
				e = inf ? drove__task_info_encode(inf, &info_json) : DROVE_ENOMEM;
			drove__task_info_free(inf);
		}
		if ((rc = e) < 0 ||
		    (rc = drove_container_spec_set_label(cs, DROVE__LABEL_JOB_TYPE,
		                                         drove__exec_job_type_name(i->kind))) < 0 ||
		    (rc = drove_container_spec_set_label(cs, DROVE__LABEL_ID, i->id)) < 0 ||
		    (rc = drove_container_spec_set_label(cs, DROVE__LABEL_SPEC, spec_json)) < 0 ||
		    (rc = drove_container_spec_set_label(cs, DROVE__LABEL_INFO, info_json)) < 0)
			goto out;
	}
	*out = cs;
	cs = NULL;
	rc = 0;
out:
	drove_container_spec_free(cs);
	drove_strmap_free(env);
	free(name);
	free(spec_json);
	free(info_json);
	drove_free(cpus);
	drove_free(mems);
	free(nodes);
	free(cores);
	return rc;
}

static void create_container(exec_inst *i)
{
	drove_container_spec *cs = NULL;
	if (build_spec(i, &cs) < 0) {
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
		        dur_ms(&h->connection_timeout, h->has_connection_timeout, 1000);
		req.timeout_ms = dur_ms(&h->operation_timeout, h->has_operation_timeout, 1000);
		req.max_body = CFG_FILE_MAX;
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

static char *registry_auth(struct drove_executor *ex, const char *image)
{
	const char *slash = strchr(image, '/');
	for (size_t k = 0; slash && k < ex->ec->n_docker_auth; k++) {
		const drove__cfg_docker_auth *a = &ex->ec->docker_auth[k];
		if (a->registry && strlen(a->registry) == (size_t)(slash - image) &&
		    !strncmp(a->registry, image, (size_t)(slash - image))) {
			char *json = drove__asprintf("{\"username\":\"%s\",\"password\":\"%s\","
			                             "\"serveraddress\":\"%s\"}",
			                             a->username ? a->username : "",
			                             a->password ? a->password : "", a->registry);
			char *b64 = NULL;
			if (json)
				(void)drove__base64_encode(json, strlen(json), &b64);
			free(json);
			return b64;
		}
	}
	return NULL;
}

static void on_image(const drove_runtime_result *res, void *ud)
{
	exec_inst *i = ud;
	char *auth;
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
	auth = registry_auth(i->ex, i->exe->url);
	to = dur_ms(&i->exe->docker_pull_timeout, i->exe->has_docker_pull_timeout, 15 * 60000);
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
	check_done_fn done;
	const drove_check_mode *mode;
};

static int check_finish(struct check_ctx *c, int ok, const char *msg)
{
	exec_inst *i = c->i;
	unsigned gen = c->gen;
	check_done_fn done = c->done;
	free(c);
	if (drove__exec_inst_release(i) || gen != i->gen)
		return 0;
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
static void run_check(exec_inst *i, const drove_check_mode *m, int64_t timeout_ms,
                      check_done_fn done)
{
	struct check_ctx *c = calloc(1, sizeof(*c));
	int rc;
	if (!c) {
		done(i, 0, "out of memory");
		return;
	}
	c->i = i;
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
		        dur_ms(&m->connection_timeout, m->has_connection_timeout, 1000);
		req.timeout_ms = timeout_ms;
		req.max_body = 8192;
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
	return dur_ms(&s->timeout, s->has_timeout, DEF_CHECK_TIMEOUT_MS);
}
static int64_t ck_interval(const drove_check_spec *s)
{
	return dur_ms(&s->interval, s->has_interval, DEF_CHECK_INTERVAL_MS);
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
	if (++i->attempts >= ck_attempts(i->readiness)) {
		i->gen++;
		if (drove__exec_inst_set_state(i, DROVE_INST_READINESS_CHECK_FAILED,
		                               "Readiness check failed") == 0)
			stop_action(i);
		return;
	}
	drove__exec_inst_after(i, ck_interval(i->readiness), ready_try);
}

static void ready_try(exec_inst *i)
{
	run_check(i, i->readiness->mode, ck_timeout(i->readiness), ready_done);
}

static void readiness_phase(exec_inst *i)
{
	i->gen++;
	i->attempts = 0;
	if (!i->readiness || !i->readiness->mode) {
		if (drove__exec_inst_set_state(i, DROVE_INST_READY, NULL) == 0)
			health_first(i);
		return;
	}
	drove__exec_inst_after(i,
	                       i->recovered ? 0
	                                    : dur_ms(&i->readiness->initial_delay,
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
			i->gen++;
			if (drove__exec_inst_set_state(i, DROVE_INST_STOPPING,
			                               "Healthcheck failed") == 0)
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
	run_check(i, i->health->mode, ck_timeout(i->health), health_done);
}

static void health_first(exec_inst *i)
{
	i->gen++;
	i->attempts = 0;
	if (!i->health || !i->health->mode) {
		(void)drove__exec_inst_set_state(i, DROVE_INST_HEALTHY, NULL);
		return;
	}
	drove__exec_inst_after(
	        i,
	        i->recovered ? 0
	                     : dur_ms(&i->health->initial_delay, i->health->has_initial_delay, 0),
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
	/* images are kept: the runtime module has no image removal yet (docs/executor.md) */
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
		int64_t wait =
		        i->pre ? dur_ms(&i->pre->wait_before_kill, i->pre->has_wait_before_kill, 0)
		               : 0;
		drove__exec_inst_after(i, wait, docker_stop);
		return;
	}
	run_check(i, &i->pre->hooks[i->hook_idx], 30000, hook_done);
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
