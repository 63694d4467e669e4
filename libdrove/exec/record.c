/* The bottom of the executor engine: an instance's record (allocation, infos, timer) and the
 * executor's table of instances with the holds that async operations keep on a record.
 * instance.c (the state machine) and executor.c (the engine) sit above it; it calls neither.
 * docs/executor.md. */
#include <stdlib.h>
#include <string.h>

#include <drove/clock.h>
#include "exec/engine.h"
#include "exec/mdcmd.h"
#include "model/codec.h"

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

void drove__exec_arm(struct event *ev, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	if (ev)
		evtimer_add(ev, &tv);
}

void drove__exec_inst_cancel_timer(exec_inst *i)
{
	if (i->timer)
		evtimer_del(i->timer);
	i->tfn = NULL;
}

int64_t drove__exec_dur_ms(const drove_duration *d, bool has, int64_t def)
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
	drove__exec_syslog_close(i->syslog);
	drove__exec_syslog_close(i->rsyslog);
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

/* ---- the executor's table of instances ---- */

exec_inst *drove__exec_find(struct drove_executor *ex, const char *id)
{
	for (exec_inst *i = ex->insts; i; i = i->next)
		if (!i->removed && !strcmp(i->id, id))
			return i;
	return NULL;
}

static void unlink_inst(struct drove_executor *ex, exec_inst *i)
{
	for (exec_inst **p = &ex->insts; *p; p = &(*p)->next)
		if (*p == i) {
			*p = i->next;
			return;
		}
}

void drove__exec_inst_remove(exec_inst *i)
{
	if (i->removed)
		return;
	i->removed = 1;
	i->ex->n_insts--;
	drove__exec_inst_cancel_timer(i);
	drove_runtime_call_cancel(i->logcall);
	if (i->logcall) {
		i->logcall = NULL;
		i->refs--; /* the log follow's hold */
	}
	if (i->refs == 0) {
		unlink_inst(i->ex, i);
		drove__exec_inst_free(i);
	}
}

void drove__exec_inst_hold(exec_inst *i)
{
	i->refs++;
}

int drove__exec_inst_release(exec_inst *i)
{
	struct drove_executor *ex = i->ex;
	i->refs--;
	if (i->removed && i->refs <= 0) {
		unlink_inst(ex, i);
		drove__exec_inst_free(i);
		return 1;
	}
	return i->removed || ex->stopped;
}

void drove__exec_inst_add(struct drove_executor *ex, exec_inst *i)
{
	i->next = ex->insts;
	ex->insts = i;
	ex->n_insts++;
}

/* ---- the executor's node data (snapshots, ZooKeeper registration) ---- */

int drove__exec_node_data(struct drove_executor *ex, drove_node_data **out)
{
	drove_node_data *nd = calloc(1, sizeof(*nd));
	size_t na = 0, nt = 0, nl = 0, k = 0;
	const drove_strlist *tags = ex->ec->tags;
	if (!nd)
		return drove__enomem();
	nd->type = DROVE_NODEDATA_EXECUTOR;
	nd->port = ex->port;
	nd->transport_type =
	        drove__http_server_is_tls(ex->srv) ? DROVE_TRANSPORT_HTTPS : DROVE_TRANSPORT_HTTP;
	nd->updated = drove_time_wall_ms();
	nd->executor_state = ex->state;
	nd->has_executor_state = true;
	if (!(nd->hostname = drove__strdup(ex->hostname)) ||
	    drove__exec_res_snapshot(&ex->res, ex->id, &nd->state) < 0 ||
	    drove__exec_metadata(ex->ec, NULL, drove__exec_mdcmd_values(ex->mdcmd), &nd->metadata) <
	            0)
		goto nomem;
	for (exec_inst *i = ex->insts; i; i = i->next) {
		if (i->removed)
			continue;
		na += i->kind == DROVE__EXEC_APP;
		nt += i->kind == DROVE__EXEC_TASK;
		nl += i->kind == DROVE__EXEC_LS;
	}
	nd->instances = calloc(na + 1, sizeof(*nd->instances));
	nd->tasks = calloc(nt + 1, sizeof(*nd->tasks));
	nd->service_instances = calloc(nl + 1, sizeof(*nd->service_instances));
	nd->tags = calloc(drove_strlist_count(tags) + 2, sizeof(char *));
	if (!nd->instances || !nd->tasks || !nd->service_instances || !nd->tags)
		goto nomem;
	if (!(nd->tags[nd->n_tags++] = drove__strdup(ex->hostname)))
		goto nomem;
	for (k = 0; k < drove_strlist_count(tags); k++)
		if (strcmp(drove_strlist_get(tags, k), ex->hostname) &&
		    !(nd->tags[nd->n_tags++] = drove__strdup(drove_strlist_get(tags, k))))
			goto nomem;
	for (exec_inst *i = ex->insts; i; i = i->next) {
		if (i->removed)
			continue;
		if (i->kind == DROVE__EXEC_APP) {
			drove_instance_info *r = drove__exec_app_info(i);
			if (!r)
				goto nomem;
			nd->instances[nd->n_instances++] = *r;
			free(r);
		} else if (i->kind == DROVE__EXEC_TASK) {
			drove_task_info *r = drove__exec_task_info(i);
			if (!r)
				goto nomem;
			nd->tasks[nd->n_tasks++] = *r;
			free(r);
		} else {
			drove_ls_instance_info *r = drove__exec_ls_info(i);
			if (!r)
				goto nomem;
			nd->service_instances[nd->n_service_instances++] = *r;
			free(r);
		}
	}
	*out = nd;
	return 0;
nomem:
	drove__node_data_free(nd);
	return drove__enomem();
}

void drove__exec_runtime_ignore(const drove_runtime_result *res, void *ud)
{
	(void)res;
	(void)ud;
}

/* ---- images (cacheImages false: §8.7 reaper step 3, §8.8 step 6) ---- */

static void on_image_removed(const drove_runtime_result *res, void *ud)
{
	struct drove_executor *ex = ud;
	int code = drove_runtime_result_code(res);
	/* in use (another container) or already gone: nothing to do, as in Drove */
	if (code < 0 && code != DROVE_ECONFLICT && code != DROVE_ENOTFOUND)
		drove__warn(ex->ctx, "exec", "image removal: %s",
		            drove_runtime_result_message(res));
}

void drove__exec_image_release(struct drove_executor *ex, const char *image,
                               const exec_inst *except)
{
	if (ex->ec->cache_images || !image || ex->stopped)
		return;
	for (exec_inst *i = ex->insts; i; i = i->next)
		if (i != except && !i->removed && i->exe && i->exe->url &&
		    !strcmp(i->exe->url, image))
			return; /* still wanted by an instance of this executor */
	drove__info(ex->ctx, "exec",
	            "removing image %s (cacheImages is false, no instance uses it)", image);
	if (drove_runtime_image_remove(ex->rt, image, 0, on_image_removed, ex) < 0)
		drove__warn(ex->ctx, "exec", "image removal: %s", drove_error_last()->message);
}

static void on_zombie_removed(const drove_runtime_result *res, void *ud)
{
	struct drove_executor *ex = ud;
	drove_strlist *imgs = ex->img_release;
	(void)res;
	ex->img_release = NULL;
	for (size_t k = 0; k < drove_strlist_count(imgs); k++)
		drove__exec_image_release(ex, drove_strlist_get(imgs, k), NULL);
	drove_strlist_free(imgs);
}

void drove__exec_extras_free(struct drove_executor *ex)
{
	drove_strlist_free(ex->img_release);
	ex->img_release = NULL;
	drove__exec_mdcmd_free(ex->mdcmd);
	ex->mdcmd = NULL;
}

void drove__exec_zombie_remove(struct drove_executor *ex, const char *container, const char *image)
{
	if (!ex->ec->cache_images && image && !ex->img_release &&
	    drove_strlist_new(&ex->img_release) < 0)
		drove_error_clear();
	if (!ex->ec->cache_images && image && ex->img_release &&
	    !drove_strlist_contains(ex->img_release, image))
		(void)drove_strlist_add(ex->img_release, image);
	(void)drove_runtime_remove(ex->rt, container, on_zombie_removed, ex);
}
