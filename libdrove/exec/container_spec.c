/* The container an instance runs in: image, command, cpuset and NUMA memory, ports, env,
 * labels, volumes, configs, logging and limits, built from the instance's spec and the
 * executor's configuration (§8.8). Called by instance.c; calls nothing above record.c. */
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

#define MOD          "exec"
#define CFG_FILE_MAX (4 * 1024 * 1024)

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

/* A DETAILED DeviceSpec as the runtime's device request; a missing count means the given
 * device ids (or all devices when there are none), as Docker's CLI does. */
static int add_device_request(drove_container_spec *cs, const drove_device *d)
{
	drove_strlist *ids = NULL, *caps = NULL;
	int rc;
	int count = d->has_count ? d->count : d->n_device_ids ? 0 : -1;

	if ((rc = drove_strlist_new(&ids)) < 0 || (rc = drove_strlist_new(&caps)) < 0)
		goto out;
	for (size_t k = 0; k < d->n_device_ids && rc == 0; k++)
		rc = drove_strlist_add(ids, d->device_ids[k]);
	for (size_t k = 0; k < d->n_capabilities && rc == 0; k++) {
		drove__buf b = DROVE_BUF_INIT;
		for (size_t j = 0; j < d->capabilities[k].n_items && rc == 0; j++)
			rc = drove__buf_printf(&b, "%s%s", j ? "," : "",
			                       d->capabilities[k].items[j]);
		if (rc == 0)
			rc = drove_strlist_add(caps, b.data ? b.data : "");
		drove__buf_free(&b);
	}
	if (rc == 0)
		rc = drove_container_spec_add_device_request(cs, d->driver, count, ids, caps,
		                                             d->options);
out:
	drove_strlist_free(ids);
	drove_strlist_free(caps);
	return rc;
}

static const char *user_getenv(const char *name, void *ud)
{
	(void)ud;
	return getenv(name);
}

int drove__exec_container_spec(exec_inst *i, drove_container_spec **out)
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
	/* devices (§3.1 DeviceSpec): DIRECT ones as HostConfig.Devices, DETAILED ones as device
	 * requests (Docker's DeviceRequests, CDI names for podman), plus every GPU when the
	 * executor has `resources.enableNvidiaGpu` (§8.8) */
	{
		static const char *const perms[] = {"r", "w", "m", "rwm", "rw"};
		const drove_device *d = i->app  ? i->app->devices
		                        : i->ls ? i->ls->devices
		                                : i->task->devices;
		size_t nd = i->app  ? i->app->n_devices
		            : i->ls ? i->ls->n_devices
		                    : i->task->n_devices;
		for (size_t k = 0; k < nd; k++) {
			if (d[k].type == DROVE_DEVICE_DETAILED) {
				if ((rc = add_device_request(cs, &d[k])) < 0)
					goto out;
				continue;
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
		if (ex->ec->enable_nvidia_gpu) {
			drove_strlist *caps = NULL;
			rc = drove_strlist_new(&caps);
			if (rc == 0)
				rc = drove_strlist_add(caps, "gpu");
			if (rc == 0)
				rc = drove_container_spec_add_device_request(cs, "nvidia", -1, NULL,
				                                             caps, NULL);
			drove_strlist_free(caps);
			if (rc < 0)
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
	 * are only set for Docker (the engine is known after the image inspect); on podman a
	 * RSYSLOG spec is served by the executor's own sender (syslog.c) */
	{
		const drove_logging *lg = i->app  ? i->app->logging_spec
		                          : i->ls ? i->ls->logging_spec
		                                  : i->task->logging_spec;
		if (lg && lg->type == DROVE_LOGGING_RSYSLOG &&
		    strcmp(drove_runtime_engine(ex->rt), "docker") != 0) {
			/* podman: the executor sends the lines itself (instance.c), so the
			 * server must be one it can reach; refused here like Docker would */
			char *host = NULL;
			int port, tcp;
			rc = drove__exec_syslog_parse_server(lg->server, &host, &port, &tcp);
			free(host);
			if (rc < 0)
				goto out;
		}
		if (lg && !strcmp(drove_runtime_engine(ex->rt), "docker")) {
			char num[24], sz[32];
			/* Docker's dual logging (§8.8): options.cacheFileSize, cacheFileCount and
			 * logBufferSize; podman has no such cache (the runtime drops them) */
			snprintf(sz, sizeof(sz), "%lldm",
			         (long long)(ex->ec->cache_file_size / 1000000));
			snprintf(num, sizeof(num), "%lld", (long long)ex->ec->cache_file_count);
			if ((rc = drove_container_spec_set_log_opt(cs, "cache-disabled", "false")) <
			            0 ||
			    (rc = drove_container_spec_set_log_opt(cs, "cache-max-size", sz)) < 0 ||
			    (rc = drove_container_spec_set_log_opt(cs, "cache-max-file", num)) <
			            0 ||
			    (rc = drove_container_spec_set_log_opt(cs, "cache-compress", "true")) <
			            0 ||
			    (rc = drove_container_spec_set_log_opt(cs, "mode", "non-blocking")) < 0)
				goto out;
			snprintf(sz, sizeof(sz), "%lldm",
			         (long long)(ex->ec->log_buffer_size / 1000000));
			if ((rc = drove_container_spec_set_log_opt(cs, "max-buffer-size", sz)) < 0)
				goto out;
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
