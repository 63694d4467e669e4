/* Container spec: the options object, its Docker create JSON, the ustar writer for injected
 * files, and host port allocation. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <json-c/json.h>

#include "runtime/runtime_internal.h"

int drove_container_spec_new(drove_container_spec **out, const char *name, const char *image)
{
	drove_container_spec *s;

	DROVE_CHECK_ARG(out && image);
	if (!*image)
		return drove__error(DROVE_EINVAL, "container spec: image is empty");
	if (!(s = calloc(1, sizeof(*s))))
		return drove__enomem();
	if ((name && !(s->name = drove__strdup(name))) || !(s->image = drove__strdup(image)) ||
	    drove_strlist_new(&s->args) < 0 || drove_strlist_new(&s->binds) < 0 ||
	    drove_strlist_new(&s->devices) < 0 || drove_strlist_new(&s->device_requests) < 0 ||
	    drove_strlist_new(&s->cdi_devices) < 0 || drove_strmap_new(&s->env) < 0 ||
	    drove_strmap_new(&s->labels) < 0 || drove_strmap_new(&s->log_opts) < 0 ||
	    drove_strmap_new(&s->ulimits) < 0) {
		drove_container_spec_free(s);
		return drove__enomem();
	}
	*out = s;
	return 0;
}

void drove_container_spec_free(drove_container_spec *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->image);
	free(s->user);
	free(s->hostname);
	free(s->cpus);
	free(s->mems);
	free(s->log_driver);
	drove_strlist_free(s->args);
	drove_strlist_free(s->binds);
	drove_strlist_free(s->devices);
	drove_strlist_free(s->device_requests);
	drove_strlist_free(s->cdi_devices);
	free(s->cdi_error);
	drove_strmap_free(s->env);
	drove_strmap_free(s->labels);
	drove_strmap_free(s->log_opts);
	drove_strmap_free(s->ulimits);
	free(s->ports);
	drove__buf_free(&s->tar);
	free(s);
}

static int add(json_object *o, const char *k, json_object *v);

static int set_str(char **field, const char *v)
{
	char *copy = NULL;

	if (v && !(copy = drove__strdup(v)))
		return DROVE_ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

int drove_container_spec_add_arg(drove_container_spec *s, const char *arg)
{
	DROVE_CHECK_ARG(s && arg);
	return drove_strlist_add(s->args, arg);
}

int drove_container_spec_set_env(drove_container_spec *s, const char *key, const char *value)
{
	DROVE_CHECK_ARG(s && key && value);
	if (!*key || strchr(key, '='))
		return drove__error(DROVE_EINVAL, "env: bad variable name '%s'", key);
	return drove_strmap_set(s->env, key, value);
}

int drove_container_spec_set_label(drove_container_spec *s, const char *key, const char *value)
{
	DROVE_CHECK_ARG(s && key && value);
	if (!*key)
		return drove__error(DROVE_EINVAL, "labels: empty label name");
	return drove_strmap_set(s->labels, key, value);
}

int drove_container_spec_set_cpuset(drove_container_spec *s, const char *cpus, const char *mems)
{
	DROVE_CHECK_ARG(s);
	if (set_str(&s->cpus, cpus) < 0 || set_str(&s->mems, mems) < 0)
		return DROVE_ENOMEM;
	return 0;
}

int drove_container_spec_set_cpu_count(drove_container_spec *s, int count)
{
	DROVE_CHECK_ARG(s);
	if (count < 0)
		return drove__error(DROVE_EINVAL, "cpu count: %d is below 0", count);
	s->cpu_count = count;
	return 0;
}

int drove_container_spec_set_memory(drove_container_spec *s, int64_t bytes)
{
	DROVE_CHECK_ARG(s);
	if (bytes < 0)
		return drove__error(DROVE_EINVAL, "memory: %lld is below 0", (long long)bytes);
	s->memory = bytes;
	return 0;
}

int drove__runtime_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port;

	if (fd < 0)
		return drove__error(DROVE_EIO, "port allocation: socket: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		int e = errno;
		close(fd);
		return drove__error(DROVE_EIO, "port allocation: bind to port 0: %s", strerror(e));
	}
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

int drove_container_spec_add_port(drove_container_spec *s, int container_port, int host_port,
                                  int *host_port_out)
{
	size_t cap = s ? s->nports : 0;

	DROVE_CHECK_ARG(s);
	if (container_port < 1 || container_port > 65535)
		return drove__error(DROVE_EINVAL, "ports: container port %d is out of range",
		                    container_port);
	if (host_port < 0 || host_port > 65535)
		return drove__error(DROVE_EINVAL, "ports: host port %d is out of range", host_port);
	if (host_port == 0 && (host_port = drove__runtime_free_port()) < 0)
		return host_port;
	if (drove__grow(&s->ports, &cap, (s->nports + 1) * 2, sizeof(int)) < 0)
		return DROVE_ENOMEM;
	s->ports[s->nports * 2] = container_port;
	s->ports[s->nports * 2 + 1] = host_port;
	s->nports++;
	if (host_port_out)
		*host_port_out = host_port;
	return 0;
}

int drove_container_spec_add_volume(drove_container_spec *s, const char *host_path,
                                    const char *container_path, int read_only)
{
	char *b;
	int rc;

	DROVE_CHECK_ARG(s && host_path && container_path);
	if (host_path[0] != '/' || container_path[0] != '/')
		return drove__error(DROVE_EINVAL, "volumes: paths must be absolute: '%s:%s'",
		                    host_path, container_path);
	if (!(b = drove__asprintf("%s:%s:%s", host_path, container_path, read_only ? "ro" : "rw")))
		return DROVE_ENOMEM;
	rc = drove_strlist_add(s->binds, b);
	free(b);
	return rc;
}

int drove_container_spec_add_device(drove_container_spec *s, const char *host_path,
                                    const char *container_path, const char *permissions)
{
	char *d;
	int rc;

	DROVE_CHECK_ARG(s && host_path && container_path);
	if (!(d = drove__asprintf("%s\n%s\n%s", host_path, container_path,
	                          permissions ? permissions : "rwm")))
		return DROVE_ENOMEM;
	rc = drove_strlist_add(s->devices, d);
	free(d);
	return rc;
}

/* The CDI names podman resolves for a request: a driver's ids when they are qualified
 * names already (`vendor/class=name`), nvidia's `nvidia.com/gpu=<id>|all`. */
static int cdi_names(drove_container_spec *s, const char *driver, int count,
                     const drove_strlist *ids, const drove_strlist *caps)
{
	size_t nids = ids ? drove_strlist_count(ids) : 0;
	int nvidia = driver && !strcmp(driver, "nvidia");
	int rc = 0;

	for (size_t i = 0; !driver && caps && i < drove_strlist_count(caps); i++)
		if (strstr(drove_strlist_get(caps, i), "gpu"))
			nvidia = 1; /* Docker picks nvidia for a "gpu" capability */
	for (size_t i = 0; i < nids && rc == 0; i++) {
		const char *id = drove_strlist_get(ids, i);
		char *n;
		if (strchr(id, '=') && strchr(id, '/'))
			rc = drove_strlist_add(s->cdi_devices, id);
		else if (nvidia && (n = drove__asprintf("nvidia.com/gpu=%s", id))) {
			rc = drove_strlist_add(s->cdi_devices, n);
			free(n);
		} else
			rc = nvidia ? DROVE_ENOMEM : 1;
	}
	if (rc == 0 && !nids)
		rc = nvidia && count < 0 ? drove_strlist_add(s->cdi_devices, "nvidia.com/gpu=all")
		                         : 1;
	if (rc == 1 && !s->cdi_error &&
	    !(s->cdi_error = drove__asprintf(
	              "DeviceRequests: driver '%s' with %s has no CDI device name podman can use",
	              driver ? driver : "", nids ? "these device ids" : "a count")))
		rc = DROVE_ENOMEM;
	return rc < 0 ? rc : 0;
}

int drove_container_spec_add_device_request(drove_container_spec *s, const char *driver, int count,
                                            const drove_strlist *device_ids,
                                            const drove_strlist *capabilities,
                                            const drove_strmap *options)
{
	json_object *r, *o;
	int rc = 0;

	DROVE_CHECK_ARG(s);
	if (count < -1)
		return drove__error(DROVE_EINVAL, "device request: count %d (-1 means all)", count);
	if (!(r = json_object_new_object()))
		return drove__enomem();
	rc |= add(r, "Driver", json_object_new_string(driver ? driver : ""));
	rc |= add(r, "Count", json_object_new_int(count));
	if ((rc |= add(r, "DeviceIDs", o = json_object_new_array())) < 0)
		goto nomem;
	for (size_t i = 0; device_ids && i < drove_strlist_count(device_ids); i++)
		rc |= json_object_array_add(
		        o, json_object_new_string(drove_strlist_get(device_ids, i)));
	if ((rc |= add(r, "Capabilities", o = json_object_new_array())) < 0)
		goto nomem;
	for (size_t i = 0; capabilities && i < drove_strlist_count(capabilities); i++) {
		const char *c = drove_strlist_get(capabilities, i), *e;
		json_object *set = json_object_new_array();
		if (!set || json_object_array_add(o, set) < 0) {
			json_object_put(set);
			goto nomem;
		}
		for (; *c; c = *e ? e + 1 : e) { /* "gpu,utility" -> ["gpu","utility"] */
			e = strchr(c, ',');
			e = e ? e : c + strlen(c);
			if (e > c)
				rc |= json_object_array_add(
				        set, json_object_new_string_len(c, (int)(e - c)));
		}
	}
	if ((rc |= add(r, "Options", o = json_object_new_object())) < 0)
		goto nomem;
	for (size_t i = 0; options && i < drove_strmap_count(options); i++)
		rc |= add(o, drove_strmap_key(options, i),
		          json_object_new_string(drove_strmap_value(options, i)));
	if (rc || drove_strlist_add(s->device_requests,
	                            json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN)) < 0)
		goto nomem;
	json_object_put(r);
	return cdi_names(s, driver && *driver ? driver : NULL, count, device_ids, capabilities);
nomem:
	json_object_put(r);
	return drove__enomem();
}

int drove_container_spec_set_user(drove_container_spec *s, const char *user)
{
	DROVE_CHECK_ARG(s);
	return set_str(&s->user, user);
}

int drove_container_spec_set_hostname(drove_container_spec *s, const char *hostname)
{
	DROVE_CHECK_ARG(s);
	return set_str(&s->hostname, hostname);
}

int drove_container_spec_set_ulimit(drove_container_spec *s, const char *name, int64_t soft,
                                    int64_t hard)
{
	char v[48];

	DROVE_CHECK_ARG(s && name && *name);
	if (soft < 0 || hard < soft)
		return drove__error(DROVE_EINVAL, "ulimits.%s: bad limits %lld:%lld", name,
		                    (long long)soft, (long long)hard);
	snprintf(v, sizeof(v), "%lld:%lld", (long long)soft, (long long)hard);
	return drove_strmap_set(s->ulimits, name, v);
}

int drove_container_spec_set_nofile(drove_container_spec *s, int64_t max_open_files)
{
	DROVE_CHECK_ARG(s);
	if (max_open_files < 0)
		return drove__error(DROVE_EINVAL, "maxOpenFiles: %lld is below 0",
		                    (long long)max_open_files);
	if (max_open_files == 0) {
		drove_strmap_remove(s->ulimits, "nofile");
		drove_error_clear();
		return 0;
	}
	return drove_container_spec_set_ulimit(s, "nofile", max_open_files, max_open_files);
}

int drove_container_spec_set_log_driver(drove_container_spec *s, const char *driver)
{
	DROVE_CHECK_ARG(s);
	return set_str(&s->log_driver, driver);
}

int drove_container_spec_set_log_opt(drove_container_spec *s, const char *key, const char *value)
{
	DROVE_CHECK_ARG(s && key && value);
	return drove_strmap_set(s->log_opts, key, value);
}

int drove_container_spec_add_file(drove_container_spec *s, const char *path, const void *data,
                                  size_t len, int mode)
{
	DROVE_CHECK_ARG(s && path && (data || !len));
	int rc = drove__runtime_tar_add(&s->tar, path, data, len, mode, 0);
	if (rc == 0)
		s->nfiles++;
	return rc;
}

/* ---- create JSON ---- */

static int add(json_object *o, const char *k, json_object *v)
{
	if (!v)
		return DROVE_ENOMEM;
	if (json_object_object_add(o, k, v) < 0) {
		json_object_put(v);
		return DROVE_ENOMEM;
	}
	return 0;
}

static int docker_only_log_opt(const char *k)
{
	return strncmp(k, "cache-", 6) == 0 || strcmp(k, "mode") == 0 ||
	       strcmp(k, "max-buffer-size") == 0;
}

int drove__runtime_spec_json(const drove_container_spec *s, int podman, char **out)
{
	json_object *root = json_object_new_object(), *hc = json_object_new_object();
	json_object *o;
	size_t i;
	int rc = 0;

	if (!root || !hc)
		goto nomem;
	rc |= add(root, "Image", json_object_new_string(s->image));
	if (drove_strlist_count(s->args)) {
		if ((rc |= add(root, "Cmd", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strlist_count(s->args); i++)
			rc |= json_object_array_add(
			        o, json_object_new_string(drove_strlist_get(s->args, i)));
	}
	if ((rc |= add(root, "Env", o = json_object_new_array())) < 0)
		goto nomem;
	for (i = 0; i < drove_strmap_count(s->env); i++) {
		char *kv = drove__asprintf("%s=%s", drove_strmap_key(s->env, i),
		                           drove_strmap_value(s->env, i));
		if (!kv)
			goto nomem;
		rc |= json_object_array_add(o, json_object_new_string(kv));
		free(kv);
	}
	if ((rc |= add(root, "Labels", o = json_object_new_object())) < 0)
		goto nomem;
	for (i = 0; i < drove_strmap_count(s->labels); i++)
		rc |= add(o, drove_strmap_key(s->labels, i),
		          json_object_new_string(drove_strmap_value(s->labels, i)));
	if (s->user)
		rc |= add(root, "User", json_object_new_string(s->user));
	if (s->hostname)
		rc |= add(root, "Hostname", json_object_new_string(s->hostname));
	if (s->nports) {
		json_object *exp, *pb;
		if ((rc |= add(root, "ExposedPorts", exp = json_object_new_object())) < 0 ||
		    (rc |= add(hc, "PortBindings", pb = json_object_new_object())) < 0)
			goto nomem;
		for (i = 0; i < s->nports; i++) {
			char key[16], hp[8];
			json_object *arr, *b;
			snprintf(key, sizeof(key), "%d/tcp", s->ports[2 * i]);
			snprintf(hp, sizeof(hp), "%d", s->ports[2 * i + 1]);
			rc |= add(exp, key, json_object_new_object());
			if ((rc |= add(pb, key, arr = json_object_new_array())) < 0 ||
			    !(b = json_object_new_object()))
				goto nomem;
			rc |= json_object_array_add(arr, b);
			rc |= add(b, "HostPort", json_object_new_string(hp));
		}
	}
	if (s->cpus)
		rc |= add(hc, "CpusetCpus", json_object_new_string(s->cpus));
	if (s->mems)
		rc |= add(hc, "CpusetMems", json_object_new_string(s->mems));
	if (s->cpu_count && !podman)
		rc |= add(hc, "CpuCount", json_object_new_int(s->cpu_count));
	if (s->memory)
		rc |= add(hc, "Memory", json_object_new_int64(s->memory));
	if (drove_strlist_count(s->binds)) {
		if ((rc |= add(hc, "Binds", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strlist_count(s->binds); i++)
			rc |= json_object_array_add(
			        o, json_object_new_string(drove_strlist_get(s->binds, i)));
	}
	if (drove_strlist_count(s->devices)) {
		if ((rc |= add(hc, "Devices", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strlist_count(s->devices); i++) {
			const char *d = drove_strlist_get(s->devices, i);
			const char *n1 = strchr(d, '\n'), *n2 = strchr(n1 + 1, '\n');
			json_object *dev = json_object_new_object();
			if (!dev)
				goto nomem;
			rc |= json_object_array_add(o, dev);
			rc |= add(dev, "PathOnHost", json_object_new_string_len(d, (int)(n1 - d)));
			rc |= add(dev, "PathInContainer",
			          json_object_new_string_len(n1 + 1, (int)(n2 - n1 - 1)));
			rc |= add(dev, "CgroupPermissions", json_object_new_string(n2 + 1));
		}
	}
	if (!podman && drove_strlist_count(s->device_requests)) {
		if ((rc |= add(hc, "DeviceRequests", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strlist_count(s->device_requests); i++) {
			json_object *r =
			        json_tokener_parse(drove_strlist_get(s->device_requests, i));
			if (!r || json_object_array_add(o, r) < 0) {
				json_object_put(r);
				goto nomem;
			}
		}
	}
	if (podman && s->cdi_error) {
		json_object_put(hc);
		json_object_put(root);
		return drove__error(DROVE_EINVAL, "%s", s->cdi_error);
	}
	if (podman && drove_strlist_count(s->cdi_devices)) {
		/* podman resolves CDI names given as a device's host path */
		if (!(o = json_object_object_get(hc, "Devices")) &&
		    (rc |= add(hc, "Devices", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strlist_count(s->cdi_devices); i++) {
			const char *n = drove_strlist_get(s->cdi_devices, i);
			json_object *dev = json_object_new_object();
			if (!dev || json_object_array_add(o, dev) < 0) {
				json_object_put(dev);
				goto nomem;
			}
			rc |= add(dev, "PathOnHost", json_object_new_string(n));
			rc |= add(dev, "PathInContainer", json_object_new_string(""));
			rc |= add(dev, "CgroupPermissions", json_object_new_string(""));
		}
	}
	if (drove_strmap_count(s->ulimits)) {
		if ((rc |= add(hc, "Ulimits", o = json_object_new_array())) < 0)
			goto nomem;
		for (i = 0; i < drove_strmap_count(s->ulimits); i++) {
			json_object *u = json_object_new_object();
			long long soft = 0, hard = 0;
			if (!u)
				goto nomem;
			sscanf(drove_strmap_value(s->ulimits, i), "%lld:%lld", &soft, &hard);
			rc |= json_object_array_add(o, u);
			rc |= add(u, "Name",
			          json_object_new_string(drove_strmap_key(s->ulimits, i)));
			rc |= add(u, "Soft", json_object_new_int64(soft));
			rc |= add(u, "Hard", json_object_new_int64(hard));
		}
	}
	if (s->log_driver) {
		json_object *lc = json_object_new_object(), *cfg;
		if ((rc |= add(hc, "LogConfig", lc)) < 0)
			goto nomem;
		rc |= add(lc, "Type", json_object_new_string(s->log_driver));
		if ((rc |= add(lc, "Config", cfg = json_object_new_object())) < 0)
			goto nomem;
		for (i = 0; i < drove_strmap_count(s->log_opts); i++) {
			const char *k = drove_strmap_key(s->log_opts, i);
			if (podman && docker_only_log_opt(k))
				continue;
			rc |= add(cfg, k,
			          json_object_new_string(drove_strmap_value(s->log_opts, i)));
		}
	}
	rc |= add(root, "HostConfig", hc);
	hc = NULL;
	if (rc)
		goto nomem;
	if (!(*out = drove__strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN))))
		goto nomem;
	json_object_put(root);
	return 0;
nomem:
	json_object_put(hc);
	json_object_put(root);
	return drove__enomem();
}

/* ---- ustar ---- */

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits then NUL */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0;) {
		field[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

int drove__runtime_tar_add(drove__buf *tar, const char *path, const void *data, size_t len,
                           int mode, int64_t mtime)
{
	char h[512];
	const char *name;
	size_t plen, nlen, pad;
	unsigned sum = 0;

	if (!path || path[0] != '/')
		return drove__error(DROVE_EINVAL, "file path '%s' is not absolute",
		                    path ? path : "(null)");
	while (*path == '/')
		path++;
	plen = strlen(path);
	if (!plen || path[plen - 1] == '/')
		return drove__error(DROVE_EINVAL, "file path '/%s' names no file", path);
	if ((uint64_t)len >= (1ull << 33))
		return drove__error(DROVE_EINVAL, "file '/%s': %zu bytes is too large", path, len);
	memset(h, 0, sizeof(h));
	name = path;
	nlen = plen;
	if (plen > 100) {
		/* split at a '/' so that prefix <= 155 and name <= 100 */
		const char *cut = NULL;
		for (const char *p = path; *p; p++)
			if (*p == '/' && (size_t)(p - path) <= 155 &&
			    plen - (size_t)(p - path) - 1 <= 100)
				cut = p;
		if (!cut || cut == path)
			return drove__error(DROVE_EINVAL, "file path '/%s' is too long for ustar",
			                    path);
		memcpy(h + 345, path, (size_t)(cut - path));
		name = cut + 1;
		nlen = strlen(name);
	}
	memcpy(h, name, nlen);
	octal(h + 100, 8, (uint64_t)(mode & 07777));
	octal(h + 108, 8, 0);
	octal(h + 116, 8, 0);
	octal(h + 124, 12, (uint64_t)len);
	octal(h + 136, 12, (uint64_t)(mtime > 0 ? mtime : 0));
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memcpy(h + 265, "root", 4);
	memcpy(h + 297, "root", 4);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum);
	h[155] = ' ';
	pad = (512 - len % 512) % 512;
	if (drove__buf_reserve(tar, sizeof(h) + len + pad) < 0)
		return DROVE_ENOMEM;
	drove__buf_append(tar, h, sizeof(h));
	if (len)
		drove__buf_append(tar, data, len);
	memset(h, 0, sizeof(h));
	if (pad)
		drove__buf_append(tar, h, pad);
	return 0;
}

int drove__runtime_tar_finish(drove__buf *tar)
{
	char z[1024];
	memset(z, 0, sizeof(z));
	return drove__buf_append(tar, z, sizeof(z));
}
