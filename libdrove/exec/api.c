/* The executor's edge: its internal HTTP API (messages, ping, log files) and
 * drove_executor_start(), which opens the listener and hands over to the engine
 * (executor.c). Nothing below calls into this file. docs/executor.md. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "exec/engine.h"
#include "exec/mdcmd.h"
#include "http/server.h"
#include "model/codec.h"

/* ---- HTTP routes ---- */

static void h_messages(drove__http_req *req, void *ud)
{
	struct drove_executor *ex = ud;
	size_t len;
	const char *body = drove__http_req_body(req, &len);
	char *out = NULL;
	int status;
	if (drove__exec_handle_message(ex, body, len, &status, &out) < 0 || !out) {
		drove__http_reply_server_error(req, drove_error_last()->message);
		free(out);
		return;
	}
	drove__http_reply_raw(req, status, "application/json", out, strlen(out));
	free(out);
}

static void h_ping(drove__http_req *req, void *ud)
{
	(void)ud;
	drove__http_reply_success(req, json_object_new_string("pong"));
}

static void log_error(drove__http_req *req, const char *msg)
{
	struct json_object *j = json_object_new_object();
	if (j)
		json_object_object_add(j, "error", json_object_new_string(msg));
	drove__http_reply_json(req, 400, j);
}

static void h_log_list(drove__http_req *req, void *ud)
{
	struct drove_executor *ex = ud;
	struct json_object *j, *files;
	char *dir = NULL;
	DIR *d;
	struct dirent *e;
	int rc;
	if (!(j = json_object_new_object()) || !(files = json_object_new_array())) {
		json_object_put(j);
		drove__http_reply_server_error(req, "out of memory");
		return;
	}
	json_object_object_add(j, "files", files);
	if (!ex->log_root) {
		drove__http_reply_json(req, 200, j);
		return;
	}
	rc = drove__exec_log_resolve(ex->log_root, drove__http_req_param(req, "id1"),
	                             drove__http_req_param(req, "id2"), NULL, &dir);
	if (rc == DROVE_EINVAL) {
		json_object_put(j);
		log_error(req, drove_error_last()->message);
		return;
	}
	if (rc == 0 && (d = opendir(dir))) {
		while ((e = readdir(d))) {
			struct stat st;
			char *p;
			if (strncmp(e->d_name, "output.", 7) != 0)
				continue;
			p = drove__asprintf("%s/%s", dir, e->d_name);
			if (p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, R_OK) == 0)
				json_object_array_add(files, json_object_new_string(e->d_name));
			free(p);
		}
		closedir(d);
	}
	free(dir);
	drove__http_reply_json(req, 200, j);
}

static int parse_i64(const char *s, int64_t def, int64_t *out)
{
	char *end;
	long long v;
	if (!s || !*s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static void h_log_read(drove__http_req *req, void *ud)
{
	struct drove_executor *ex = ud;
	char *path = NULL, *data = NULL;
	size_t len;
	int64_t off, length, off_out;
	struct json_object *j;
	if (!ex->log_root) {
		log_error(req, "no drove log appender is configured");
		return;
	}
	if (parse_i64(drove__http_req_query(req, "offset"), -1, &off) < 0 ||
	    parse_i64(drove__http_req_query(req, "length"), -1, &length) < 0) {
		log_error(req, "offset/length: not integers");
		return;
	}
	if (drove__exec_log_resolve(ex->log_root, drove__http_req_param(req, "id1"),
	                            drove__http_req_param(req, "id2"),
	                            drove__http_req_param(req, "file"), &path) < 0 ||
	    drove__exec_log_read(path, off, length, &data, &len, &off_out) < 0) {
		free(path);
		log_error(req, drove_error_last()->message);
		return;
	}
	free(path);
	j = json_object_new_object();
	if (j) {
		json_object_object_add(j, "data", json_object_new_string_len(data, (int)len));
		json_object_object_add(j, "offset", json_object_new_int64(off_out));
	}
	free(data);
	drove__http_reply_json(req, 200, j);
}

static void h_log_download(drove__http_req *req, void *ud)
{
	struct drove_executor *ex = ud;
	char *path = NULL, *data = NULL, *disp;
	size_t len = 0;
	const char *file = drove__http_req_param(req, "file");
	int fd;
	struct stat st;
	if (!ex->log_root) {
		log_error(req, "no drove log appender is configured");
		return;
	}
	if (drove__exec_log_resolve(ex->log_root, drove__http_req_param(req, "id1"),
	                            drove__http_req_param(req, "id2"), file, &path) < 0) {
		log_error(req, drove_error_last()->message);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (256 << 20) ||
	    !(data = malloc((size_t)st.st_size + 1))) {
		if (fd >= 0)
			close(fd);
		log_error(req, "file is not readable");
		return;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	disp = drove__asprintf("attachment; filename=%s", file);
	if (disp)
		(void)drove__http_req_add_header(req, "Content-Disposition", disp);
	free(disp);
	drove__http_reply_raw(req, 200, "text/plain", data, len);
	free(data);
}

/* ---- start ---- */

/* A DYNAMIC_COMMAND provider's values changed: publish them soon. */
static void metadata_changed(void *ud)
{
	drove_executor *ex = ud;
	ex->hooks->snapshot_soon(ex);
}

int drove_executor_start(drove_executor *ex)
{
	const char *bind;
	int rc;
	DROVE_CHECK_ARG(ex);
	if (ex->started)
		return drove__error(DROVE_EINVAL, "executor: already started");
	if ((rc = drove__exec_engine_prepare(ex)) < 0)
		return rc;
	if ((rc = drove__http_server_new(&ex->srv, ex->loop, ex->auth)) < 0 ||
	    (rc = drove__http_server_route(ex->srv, DROVE_HTTP_POST, "/apis/v1/messages",
	                                   DROVE_ROLES_CLUSTER, 0, h_messages, ex)) < 0 ||
	    (rc = drove__http_server_route(ex->srv, DROVE_HTTP_GET, "/apis/v1/ping",
	                                   DROVE_ROLES_CLUSTER, 0, h_ping, ex)) < 0 ||
	    (rc = drove__http_server_route(ex->srv, DROVE_HTTP_GET,
	                                   "/apis/v1/logs/filestream/{id1}/{id2}/list",
	                                   DROVE_ROLES_CLUSTER, 0, h_log_list, ex)) < 0 ||
	    (rc = drove__http_server_route(ex->srv, DROVE_HTTP_GET,
	                                   "/apis/v1/logs/filestream/{id1}/{id2}/read/{file}",
	                                   DROVE_ROLES_CLUSTER, 0, h_log_read, ex)) < 0 ||
	    (rc = drove__http_server_route(ex->srv, DROVE_HTTP_GET,
	                                   "/apis/v1/logs/filestream/{id1}/{id2}/download/{file}",
	                                   DROVE_ROLES_CLUSTER, 0, h_log_download, ex)) < 0)
		return rc;
	if (ex->cfg->server.tls.enabled &&
	    (rc = drove__http_server_set_tls(ex->srv, ex->cfg->server.tls.key_store_path,
	                                     ex->cfg->server.tls.key_store_password,
	                                     ex->cfg->server.tls.key_store_type)) < 0)
		return rc;
	bind = drove_config_bind_host(ex->cfg);
	if ((rc = drove__http_server_bind(ex->srv, bind ? bind : "0.0.0.0",
	                                  drove_config_port(ex->cfg))) < 0)
		return rc;
	ex->port = drove__http_server_port(ex->srv);
	if ((rc = drove__exec_engine_start(ex)) < 0 ||
	    (rc = drove__exec_mdcmd_start(&ex->mdcmd, ex->loop, ex->ctx, ex->ec, metadata_changed,
	                                  ex)) < 0)
		return rc;
	return drove__exec_metrics_start(ex);
}

/* ---- getters ---- */

int drove_executor_port(const drove_executor *ex)
{
	return ex ? ex->port : -1;
}

const char *drove_executor_node_id(const drove_executor *ex)
{
	return ex && ex->started ? ex->id : "";
}

int drove_executor_state(const drove_executor *ex)
{
	return ex ? ex->state : DROVE_EXECUTOR_UNREADY;
}

size_t drove_executor_instance_count(const drove_executor *ex)
{
	return ex ? ex->n_insts : 0;
}

int drove_executor_snapshot_json(drove_executor *ex, char **out)
{
	drove_node_data *nd = NULL;
	int rc;
	DROVE_CHECK_ARG(ex && out);
	if (!ex->started)
		return drove__error(DROVE_EINVAL, "executor: not started");
	if ((rc = drove__exec_node_data(ex, &nd)) < 0)
		return rc;
	rc = drove__node_data_encode(nd, out);
	drove__node_data_free(nd);
	return rc;
}
