/* Pure parts of the executor engine: transition tables, resource locks, environment,
 * labels. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <drove/topo.h>
#include "core/internal.h"
#include "config/config.h"
#include "exec/exec.h"
#include "model/codec.h"

/* ---- transition tables ---- */

#define B(s) (1u << (s))

/* §5.2: allowed targets of each application / local-service instance state. */
static const unsigned inst_next[] = {
        [DROVE_INST_PENDING] = B(DROVE_INST_PROVISIONING) | B(DROVE_INST_STOPPING),
        [DROVE_INST_PROVISIONING] = B(DROVE_INST_STARTING) | B(DROVE_INST_PROVISIONING_FAILED),
        [DROVE_INST_PROVISIONING_FAILED] = B(DROVE_INST_DEPROVISIONING),
        [DROVE_INST_STARTING] = B(DROVE_INST_UNREADY) | B(DROVE_INST_START_FAILED),
        [DROVE_INST_START_FAILED] = B(DROVE_INST_DEPROVISIONING),
        [DROVE_INST_UNREADY] =
                B(DROVE_INST_READY) | B(DROVE_INST_READINESS_CHECK_FAILED) | B(DROVE_INST_STOPPING),
        [DROVE_INST_READINESS_CHECK_FAILED] = B(DROVE_INST_DEPROVISIONING),
        [DROVE_INST_READY] = B(DROVE_INST_HEALTHY) | B(DROVE_INST_STOPPING),
        [DROVE_INST_HEALTHY] = B(DROVE_INST_UNHEALTHY) | B(DROVE_INST_STOPPING),
        [DROVE_INST_UNHEALTHY] = B(DROVE_INST_DEPROVISIONING),
        [DROVE_INST_STOPPING] = B(DROVE_INST_DEPROVISIONING),
        [DROVE_INST_DEPROVISIONING] = B(DROVE_INST_STOPPED),
        [DROVE_INST_STOPPED] = 0,
        [DROVE_INST_LOST] = 0,
        [DROVE_INST_UNKNOWN] = B(DROVE_INST_UNREADY) | B(DROVE_INST_STOPPED),
};

/* §5.3 */
static const unsigned task_next[] = {
        [DROVE_TASK_PENDING] = B(DROVE_TASK_PROVISIONING) | B(DROVE_TASK_STOPPED),
        [DROVE_TASK_PROVISIONING] = B(DROVE_TASK_STARTING) | B(DROVE_TASK_PROVISIONING_FAILED),
        [DROVE_TASK_PROVISIONING_FAILED] = B(DROVE_TASK_DEPROVISIONING),
        [DROVE_TASK_STARTING] =
                B(DROVE_TASK_RUNNING) | B(DROVE_TASK_RUN_FAILED) | B(DROVE_TASK_RUN_COMPLETED),
        [DROVE_TASK_RUNNING] = B(DROVE_TASK_RUN_COMPLETED),
        [DROVE_TASK_RUN_COMPLETED] = B(DROVE_TASK_DEPROVISIONING),
        [DROVE_TASK_RUN_FAILED] = B(DROVE_TASK_DEPROVISIONING),
        [DROVE_TASK_DEPROVISIONING] = B(DROVE_TASK_STOPPED),
        [DROVE_TASK_STOPPED] = 0,
        [DROVE_TASK_LOST] = 0,
        [DROVE_TASK_UNKNOWN] = B(DROVE_TASK_RUNNING) | B(DROVE_TASK_STOPPED),
};

bool drove__exec_inst_can(int from, int to)
{
	if (from < 0 || from >= (int)DROVE_ARRAY_LEN(inst_next) || to < 0 ||
	    to > DROVE_INST_UNKNOWN)
		return false;
	if (to == DROVE_INST_LOST)
		return from != DROVE_INST_STOPPED && from != DROVE_INST_LOST;
	return (inst_next[from] & B(to)) != 0;
}

bool drove__exec_task_can(int from, int to)
{
	if (from < 0 || from >= (int)DROVE_ARRAY_LEN(task_next) || to < 0 ||
	    to > DROVE_TASK_UNKNOWN)
		return false;
	if (to == DROVE_TASK_LOST)
		return from != DROVE_TASK_STOPPED && from != DROVE_TASK_LOST;
	return (task_next[from] & B(to)) != 0;
}

/* ---- resources ---- */

int drove__exec_res_init(drove__exec_res *r, const drove_topo *topo)
{
	size_t n = drove_topo_node_count(topo);
	memset(r, 0, sizeof(*r));
	if (!(r->nodes = calloc(n ? n : 1, sizeof(*r->nodes))))
		return drove__enomem();
	r->n_nodes = n;
	for (size_t i = 0; i < n; i++) {
		drove__exec_node *nd = &r->nodes[i];
		size_t nc = 0, np = 0;
		const int *c = drove_topo_node_cores(topo, i, &nc);
		const int *p = drove_topo_node_physical_cores(topo, i, &np);
		nd->id = drove_topo_node_id(topo, i);
		nd->mb = drove_topo_node_mb(topo, i);
		nd->phys_mb = drove_topo_node_physical_mb(topo, i);
		nd->cores = calloc(nc ? nc : 1, sizeof(int));
		nd->owner = calloc(nc ? nc : 1, sizeof(char *));
		nd->phys = calloc(np ? np : 1, sizeof(int));
		if (!nd->cores || !nd->owner || !nd->phys) {
			drove__exec_res_clear(r);
			return drove__enomem();
		}
		if (nc)
			memcpy(nd->cores, c, nc * sizeof(int));
		if (np)
			memcpy(nd->phys, p, np * sizeof(int));
		nd->n_cores = nc;
		nd->n_phys = np;
	}
	return 0;
}

void drove__exec_res_clear(drove__exec_res *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_nodes; i++) {
		for (size_t j = 0; j < r->nodes[i].n_cores; j++)
			free(r->nodes[i].owner ? r->nodes[i].owner[j] : NULL);
		free(r->nodes[i].cores);
		free(r->nodes[i].owner);
		free(r->nodes[i].phys);
	}
	free(r->nodes);
	for (size_t i = 0; i < r->n_mem; i++)
		free(r->mem[i].owner);
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

static drove__exec_node *res_node(drove__exec_res *r, int id)
{
	for (size_t i = 0; i < r->n_nodes; i++)
		if (r->nodes[i].id == id)
			return &r->nodes[i];
	return NULL;
}

static ssize_t core_index(const drove__exec_node *nd, int core)
{
	for (size_t i = 0; i < nd->n_cores; i++)
		if (nd->cores[i] == core)
			return (ssize_t)i;
	return -1;
}

int drove__exec_res_lock(drove__exec_res *r, const char *owner, const drove_allocation *allocs,
                         size_t n)
{
	drove__buf conflict = DROVE_BUF_INIT;
	const char *other = NULL;
	int cnode = -1, rc = 0;

	DROVE_CHECK_ARG(r && owner && (allocs || n == 0));
	/* check everything first */
	for (size_t a = 0; a < n; a++) {
		const drove_allocation *al = &allocs[a];
		for (size_t k = 0; al->type == DROVE_RES_CPU && k < al->n_cores; k++) {
			const drove_numa_cores *nc = &al->cores[k];
			drove__exec_node *nd = res_node(r, nc->node);
			if (!nd) {
				rc = drove__error(DROVE_ENORESOURCE,
				                  "cores: node %d does not exist on this executor",
				                  nc->node);
				goto out;
			}
			for (size_t c = 0; c < nc->n_cores; c++) {
				ssize_t ix = core_index(nd, nc->cores[c]);
				if (ix < 0) {
					rc = drove__error(
					        DROVE_ENORESOURCE,
					        "core %d on node %d does not exist on this "
					        "executor",
					        nc->cores[c], nc->node);
					goto out;
				}
				if (nd->owner[ix] && strcmp(nd->owner[ix], owner) != 0) {
					if (other && (strcmp(other, nd->owner[ix]) != 0 ||
					              cnode != nc->node))
						continue; /* name one holder at a time */
					other = nd->owner[ix];
					cnode = nc->node;
					if (drove__buf_printf(&conflict, "%s%d",
					                      conflict.len ? "," : "",
					                      nc->cores[c]) < 0) {
						rc = DROVE_ENOMEM;
						goto out;
					}
				}
			}
		}
		for (size_t k = 0; al->type == DROVE_RES_MEMORY && k < al->n_memory; k++) {
			const drove_numa_mem *m = &al->memory[k];
			drove__exec_node *nd = res_node(r, m->node);
			int64_t held = 0;
			if (!nd) {
				rc = drove__error(DROVE_ENORESOURCE,
				                  "memory: node %d does not exist on this executor",
				                  m->node);
				goto out;
			}
			for (size_t i = 0; i < r->n_mem; i++)
				if (r->mem[i].node == m->node && !strcmp(r->mem[i].owner, owner))
					held += r->mem[i].mb;
			if (m->mb < 0 || m->mb > nd->mb - nd->used_mb + held) {
				rc = drove__error(DROVE_ENORESOURCE,
				                  "memory: %lld MB on node %d requested, %lld MB "
				                  "available",
				                  (long long)m->mb, m->node,
				                  (long long)(nd->mb - nd->used_mb + held));
				goto out;
			}
		}
	}
	if (other) {
		rc = drove__error(DROVE_ECONFLICT, "cores %s on node %d are in use by %s",
		                  conflict.data, cnode, other);
		goto out;
	}
	/* then take them: release what this owner held (idempotent relock) */
	drove__exec_res_unlock(r, owner);
	for (size_t a = 0; a < n; a++) {
		const drove_allocation *al = &allocs[a];
		for (size_t k = 0; al->type == DROVE_RES_CPU && k < al->n_cores; k++) {
			drove__exec_node *nd = res_node(r, al->cores[k].node);
			for (size_t c = 0; c < al->cores[k].n_cores; c++) {
				ssize_t ix = core_index(nd, al->cores[k].cores[c]);
				if (!nd->owner[ix] && !(nd->owner[ix] = drove__strdup(owner))) {
					drove__exec_res_unlock(r, owner);
					rc = DROVE_ENOMEM;
					goto out;
				}
			}
		}
		for (size_t k = 0; al->type == DROVE_RES_MEMORY && k < al->n_memory; k++) {
			drove__exec_node *nd = res_node(r, al->memory[k].node);
			if (drove__grow(&r->mem, &r->cap_mem, r->n_mem + 1, sizeof(*r->mem)) < 0 ||
			    !(r->mem[r->n_mem].owner = drove__strdup(owner))) {
				drove__exec_res_unlock(r, owner);
				rc = DROVE_ENOMEM;
				goto out;
			}
			r->mem[r->n_mem].node = al->memory[k].node;
			r->mem[r->n_mem].mb = al->memory[k].mb;
			r->n_mem++;
			nd->used_mb += al->memory[k].mb;
		}
	}
out:
	drove__buf_free(&conflict);
	return rc;
}

int drove__exec_res_unlock(drove__exec_res *r, const char *owner)
{
	int any = 0;
	if (!r || !owner)
		return 0;
	for (size_t i = 0; i < r->n_nodes; i++)
		for (size_t j = 0; j < r->nodes[i].n_cores; j++)
			if (r->nodes[i].owner[j] && !strcmp(r->nodes[i].owner[j], owner)) {
				free(r->nodes[i].owner[j]);
				r->nodes[i].owner[j] = NULL;
				any = 1;
			}
	for (size_t i = 0; i < r->n_mem;) {
		if (!strcmp(r->mem[i].owner, owner)) {
			drove__exec_node *nd = res_node(r, r->mem[i].node);
			if (nd)
				nd->used_mb -= r->mem[i].mb;
			free(r->mem[i].owner);
			r->mem[i] = r->mem[--r->n_mem];
			any = 1;
		} else {
			i++;
		}
	}
	return any;
}

int drove__exec_res_snapshot(const drove__exec_res *r, const char *executor_id,
                             drove_resource_snapshot **out)
{
	drove_resource_snapshot *s = calloc(1, sizeof(*s));
	size_t nn = r->n_nodes;
	if (!s)
		return drove__enomem();
	s->cpus = calloc(1, sizeof(*s->cpus));
	s->memory = calloc(1, sizeof(*s->memory));
	s->layout = calloc(1, sizeof(*s->layout));
	if (!s->cpus || !s->memory || !s->layout || !(s->executor_id = drove__strdup(executor_id)))
		goto nomem;
	s->cpus->free_cores = calloc(nn + 1, sizeof(drove_numa_cores));
	s->cpus->used_cores = calloc(nn + 1, sizeof(drove_numa_cores));
	s->memory->free_memory = calloc(nn + 1, sizeof(drove_numa_mem));
	s->memory->used_memory = calloc(nn + 1, sizeof(drove_numa_mem));
	s->layout->cores = calloc(nn + 1, sizeof(drove_numa_cores));
	s->layout->memory = calloc(nn + 1, sizeof(drove_numa_mem));
	if (!s->cpus->free_cores || !s->cpus->used_cores || !s->memory->free_memory ||
	    !s->memory->used_memory || !s->layout->cores || !s->layout->memory)
		goto nomem;
	for (size_t i = 0; i < nn; i++) {
		const drove__exec_node *nd = &r->nodes[i];
		drove_numa_cores *fc = &s->cpus->free_cores[s->cpus->n_free_cores++];
		drove_numa_cores *lc = &s->layout->cores[s->layout->n_cores++];
		size_t nused = 0;
		fc->node = lc->node = nd->id;
		for (size_t j = 0; j < nd->n_cores; j++)
			nused += nd->owner[j] != NULL;
		fc->cores = calloc(nd->n_cores + 1, sizeof(int));
		lc->cores = calloc(nd->n_phys + 1, sizeof(int));
		if (!fc->cores || !lc->cores)
			goto nomem;
		if (nused) {
			drove_numa_cores *uc = &s->cpus->used_cores[s->cpus->n_used_cores++];
			uc->node = nd->id;
			if (!(uc->cores = calloc(nused, sizeof(int))))
				goto nomem;
			for (size_t j = 0; j < nd->n_cores; j++)
				if (nd->owner[j])
					uc->cores[uc->n_cores++] = nd->cores[j];
			s->memory->used_memory[s->memory->n_used_memory].node = nd->id;
			s->memory->used_memory[s->memory->n_used_memory++].mb = nd->used_mb;
		} else if (nd->used_mb) {
			s->memory->used_memory[s->memory->n_used_memory].node = nd->id;
			s->memory->used_memory[s->memory->n_used_memory++].mb = nd->used_mb;
		}
		for (size_t j = 0; j < nd->n_cores; j++)
			if (!nd->owner[j])
				fc->cores[fc->n_cores++] = nd->cores[j];
		memcpy(lc->cores, nd->phys, nd->n_phys * sizeof(int));
		lc->n_cores = nd->n_phys;
		s->memory->free_memory[s->memory->n_free_memory].node = nd->id;
		s->memory->free_memory[s->memory->n_free_memory++].mb = nd->mb - nd->used_mb;
		s->layout->memory[s->layout->n_memory].node = nd->id;
		s->layout->memory[s->layout->n_memory++].mb = nd->phys_mb;
	}
	*out = s;
	return 0;
nomem:
	drove__resource_snapshot_free(s);
	return drove__enomem();
}

/* ---- environment ---- */

static const char *default_getenv(const char *name, void *ud)
{
	(void)ud;
	return getenv(name);
}

int drove__exec_build_env(const drove__exec_env_in *in, drove_strmap **out)
{
	drove_strmap *m = NULL;
	const char *(*ge)(const char *, void *) = in->getenv_fn ? in->getenv_fn : default_getenv;
	char key[48], val[24];
	int rc;

#define SET(k, v)                                                  \
	do {                                                       \
		const char *v_ = (v);                              \
		if (v_ && (rc = drove_strmap_set(m, (k), v_)) < 0) \
			goto fail;                                 \
	} while (0)

	if ((rc = drove_strmap_new(&m)) < 0)
		return rc;
	SET("HOST", in->hostname);
	for (size_t i = 0; i < drove_strmap_count(in->env); i++) {
		const char *k = drove_strmap_key(in->env, i), *v = drove_strmap_value(in->env, i);
		if (!v || !*v) {
			v = ge(k, in->getenv_ud);
			if (!v || !*v)
				continue;
		}
		SET(k, v);
	}
	SET("DROVE_CONTAINER_ID", in->image);
	if (in->kind != DROVE__EXEC_TASK)
		for (size_t i = 0; i < in->n_ports; i++) {
			snprintf(key, sizeof(key), "PORT_%d", in->ports[i].container_port);
			snprintf(val, sizeof(val), "%d", in->ports[i].host_port);
			SET(key, val);
		}
	SET("DROVE_EXECUTOR_HOST", in->hostname);
	if (in->kind != DROVE__EXEC_LS)
		SET("DROVE_INSTANCE_ID", in->instance_id);
	if (in->kind == DROVE__EXEC_APP) {
		SET("DROVE_APP_ID", in->app_id);
		SET("DROVE_APP_NAME", in->app_name);
	}
	if (in->kind != DROVE__EXEC_TASK)
		SET("DROVE_APP_INSTANCE_AUTH_TOKEN", in->token);
	if (in->kind == DROVE__EXEC_TASK) {
		SET("DROVE_TASK_ID", in->task_id);
		SET("DROVE_SOURCE_APP_NAME", in->source_app_name);
	}
	if (in->kind == DROVE__EXEC_LS) {
		SET("DROVE_SERVICE_ID", in->service_id);
		SET("DROVE_SERVICE_NAME", in->service_name);
		SET("DROVE_SERVICE_INSTANCE_ID", in->instance_id);
	}
#undef SET
	*out = m;
	return 0;
fail:
	drove_strmap_free(m);
	return rc;
}

/* ---- labels ---- */

static const char *const job_types[] = {"SERVICE", "COMPUTATION", "LOCAL_SERVICE"};

const char *drove__exec_job_type_name(enum drove__exec_kind k)
{
	return (unsigned)k < DROVE_ARRAY_LEN(job_types) ? job_types[k] : "SERVICE";
}

enum drove__exec_kind drove__exec_job_type_parse(const char *s)
{
	for (size_t i = 0; s && i < DROVE_ARRAY_LEN(job_types); i++)
		if (!strcmp(s, job_types[i]))
			return (enum drove__exec_kind)i;
	return DROVE__EXEC_APP;
}

int drove__exec_labels_parse(const char *job_type, const char *id, const char *spec_json,
                             const char *info_json, drove__exec_labels *out)
{
	drove__exec_labels l;
	int rc;

	memset(&l, 0, sizeof(l));
	if (!id || !*id)
		return drove__error(DROVE_EINVAL, "%s: missing", DROVE__LABEL_ID);
	if (!spec_json)
		return drove__error(DROVE_EINVAL, "%s: missing", DROVE__LABEL_SPEC);
	if (!info_json)
		return drove__error(DROVE_EINVAL, "%s: missing", DROVE__LABEL_INFO);
	l.kind = drove__exec_job_type_parse(job_type);
	if (!(l.id = drove__strdup(id)))
		return DROVE_ENOMEM;
	switch (l.kind) {
	case DROVE__EXEC_APP:
		rc = drove__app_instance_spec_decode(spec_json, strlen(spec_json), 0, &l.app, NULL,
		                                     NULL);
		if (rc == 0)
			rc = drove__instance_info_decode(info_json, strlen(info_json), 0,
			                                 &l.app_info, NULL, NULL);
		break;
	case DROVE__EXEC_TASK:
		rc = drove__task_instance_spec_decode(spec_json, strlen(spec_json), 0, &l.task,
		                                      NULL, NULL);
		if (rc == 0)
			rc = drove__task_info_decode(info_json, strlen(info_json), 0, &l.task_info,
			                             NULL, NULL);
		break;
	default:
		rc = drove__ls_instance_spec_decode(spec_json, strlen(spec_json), 0, &l.ls, NULL,
		                                    NULL);
		if (rc == 0)
			rc = drove__ls_instance_info_decode(info_json, strlen(info_json), 0,
			                                    &l.ls_info, NULL, NULL);
		break;
	}
	if (rc < 0) {
		drove__exec_labels_clear(&l);
		return drove__error(rc, "labels of %s: %s", id, drove_error_last()->message);
	}
	*out = l;
	return 0;
}

void drove__exec_labels_clear(drove__exec_labels *l)
{
	if (!l)
		return;
	free(l->id);
	drove__app_instance_spec_free(l->app);
	drove__task_instance_spec_free(l->task);
	drove__ls_instance_spec_free(l->ls);
	drove__instance_info_free(l->app_info);
	drove__task_info_free(l->task_info);
	drove__ls_instance_info_free(l->ls_info);
	memset(l, 0, sizeof(*l));
}

int drove__exec_label_owned(const char *info_json, const char *executor_id)
{
	struct json_object *j = NULL, *v;
	int owned = 0;
	if (!info_json || !executor_id)
		return 0;
	if (drove__mcodec_parse(info_json, strlen(info_json), &j) < 0) {
		drove_error_clear();
		return 0;
	}
	if (json_object_object_get_ex(j, "executorId", &v) &&
	    json_object_is_type(v, json_type_string))
		owned = strcmp(json_object_get_string(v), executor_id) == 0;
	json_object_put(j);
	return owned;
}

/* ---- registry credentials (§8.8 step 1, dockerAuth) ---- */

int drove__exec_registry_auth(const struct drove__cfg_executor *e, const char *image, char **out)
{
	const char *slash = image ? strchr(image, '/') : NULL;
	json_object *o = NULL;
	const char *json;
	char *b64 = NULL;
	int rc = 0;

	*out = NULL;
	for (size_t k = 0; slash && k < e->n_docker_auth; k++) {
		const drove__cfg_docker_auth *a = &e->docker_auth[k];
		if (!a->registry || strlen(a->registry) != (size_t)(slash - image) ||
		    strncmp(a->registry, image, (size_t)(slash - image)) != 0)
			continue;
		if (!(o = json_object_new_object()) ||
		    json_object_object_add(
		            o, "username",
		            json_object_new_string(a->username ? a->username : "")) ||
		    json_object_object_add(
		            o, "password",
		            json_object_new_string(a->password ? a->password : "")) ||
		    json_object_object_add(o, "serveraddress",
		                           json_object_new_string(a->registry)) ||
		    !(json = json_object_to_json_string_ext(
		              o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))) {
			rc = drove__enomem();
			break;
		}
		if ((rc = drove__base64_encode(json, strlen(json), &b64)) < 0)
			break;
		/* the Engine API wants base64url (RFC 4648 §5), padding kept */
		for (char *c = b64; *c; c++)
			*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
		*out = b64;
		break;
	}
	json_object_put(o);
	return rc;
}

/* ---- node metadata (§10.2 metadata providers) ---- */

/* A blacklistedKeys pattern (compiled when the config loaded) must match the whole key, as
 * Drove's Pattern.matches() (a pattern that runs past the match limit blacklists nothing). */
static int key_blacklisted(const struct drove__cfg_executor *e, const char *key)
{
	for (size_t k = 0; e->md_blacklisted_re && k < drove_strlist_count(e->md_blacklisted_keys);
	     k++)
		if (drove__regex_match(e->md_blacklisted_re[k], key, true) == 1)
			return 1;
	return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n), 0 when invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

int drove__exec_mdcmd_value(const char *out, size_t len, char **value)
{
	const unsigned char *s = (const unsigned char *)out;
	drove__buf b = DROVE_BUF_INIT;
	size_t pending = 0; /* line ends seen but not yet written (a final one is dropped) */
	int rc = drove__buf_puts(&b, "");

	for (size_t i = 0; rc == 0 && i < len;) {
		size_t n;
		if (s[i] == '\r' || s[i] == '\n') {
			i += s[i] == '\r' && i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
			pending++;
			continue;
		}
		for (; rc == 0 && pending; pending--)
			rc = drove__buf_putc(&b, '\n');
		if (s[i] == 0) {
			i++;
		} else if ((n = utf8_len(s + i, len - i)) > 0) {
			rc = drove__buf_append(&b, s + i, n);
			i += n;
		} else {
			rc = drove__buf_puts(&b, "\xef\xbf\xbd");
			i++;
		}
	}
	/* Java's lines(): "a\n\n" is two lines, "a" and "" */
	for (; rc == 0 && pending > 1; pending--)
		rc = drove__buf_putc(&b, '\n');
	if (rc < 0) {
		drove__buf_free(&b);
		return drove__enomem();
	}
	*value = drove__buf_steal(&b);
	return 0;
}

int drove__exec_metadata(const struct drove__cfg_executor *e,
                         const char *(*getenv_fn)(const char *), const drove_strmap *const *dynamic,
                         drove_strmap **out)
{
	drove_strmap *m = NULL, *seen = NULL;
	drove_strlist *dup = NULL;
	int rc;

	if ((rc = drove_strmap_new(&m)) < 0 || (rc = drove_strmap_new(&seen)) < 0 ||
	    (rc = drove_strlist_new(&dup)) < 0)
		goto out;
	for (size_t p = 0; p < e->n_md_providers; p++) {
		const drove__cfg_md_provider *pr = &e->md_providers[p];
		drove_strmap *vals = NULL;
		if ((rc = drove_strmap_new(&vals)) < 0)
			goto out;
		if (pr->type == DROVE__MDP_CONFIGURED) {
			for (size_t k = 0; k < drove_strmap_count(pr->metadata); k++)
				rc = rc < 0 ? rc
				            : drove_strmap_set(vals,
				                               drove_strmap_key(pr->metadata, k),
				                               drove_strmap_value(pr->metadata, k));
		} else if (pr->type == DROVE__MDP_ENVIRONMENT) {
			for (size_t k = 0; k < drove_strlist_count(pr->whitelisted_variables);
			     k++) {
				const char *name = drove_strlist_get(pr->whitelisted_variables, k);
				const char *v = getenv_fn ? getenv_fn(name) : getenv(name);
				if (v && rc == 0)
					rc = drove_strmap_set(vals, name, v);
			}
		} else if (pr->type == DROVE__MDP_DYNAMIC_COMMAND && dynamic && dynamic[p]) {
			for (size_t k = 0; rc == 0 && k < drove_strmap_count(dynamic[p]); k++)
				rc = drove_strmap_set(vals, drove_strmap_key(dynamic[p], k),
				                      drove_strmap_value(dynamic[p], k));
		}
		for (size_t k = 0; rc == 0 && k < drove_strmap_count(vals); k++) {
			const char *key = drove_strmap_key(vals, k),
			           *v = drove_strmap_value(vals, k);
			if (drove_strmap_get(seen, key)) {
				if (!drove_strlist_contains(dup, key))
					rc = drove_strlist_add(dup, key);
				continue;
			}
			rc = drove_strmap_set(seen, key, "1");
			if (rc == 0 &&
			    !(e->md_value_max_limit > 0 &&
			      (int64_t)strlen(v) > e->md_value_max_limit) &&
			    !key_blacklisted(e, key))
				rc = drove_strmap_set(m, key, v);
		}
		drove_strmap_free(vals);
		if (rc < 0)
			goto out;
	}
	/* keys offered by more than one provider are dropped (conflict) */
	for (size_t k = 0; k < drove_strlist_count(dup); k++)
		(void)drove_strmap_remove(m, drove_strlist_get(dup, k));
	*out = m;
	m = NULL;
out:
	drove_strmap_free(m);
	drove_strmap_free(seen);
	drove_strlist_free(dup);
	return rc;
}

/* ---- the leader's known-instances lists ---- */

static bool in_list(char *const *l, size_t n, const char *id)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(l[k], id))
			return true;
	return false;
}

bool drove__exec_listed(const drove_known_instances *kn, const char *id, bool stale)
{
	if (stale)
		return in_list(kn->stale_app_instance_ids, kn->n_stale_app_instance_ids, id) ||
		       in_list(kn->stale_task_instance_ids, kn->n_stale_task_instance_ids, id) ||
		       in_list(kn->stale_local_service_instance_ids,
		               kn->n_stale_local_service_instance_ids, id);
	return in_list(kn->app_instance_ids, kn->n_app_instance_ids, id) ||
	       in_list(kn->task_instance_ids, kn->n_task_instance_ids, id) ||
	       in_list(kn->local_service_instance_ids, kn->n_local_service_instance_ids, id);
}
