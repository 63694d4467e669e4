/* Epoch's configuration file (epoch.yml, as PhonePe's Epoch reads it): server connectors,
 * ZooKeeper or the embedded store, the Drove cluster to drive, users, mail and options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <drove/config.h>
#include "core/internal.h"
#include "config/config.h"
#include "config/yaml.h"

typedef drove__yreader yr;
typedef drove__ynode yn;

struct epoch_user {
	char *username, *password;
	int read_write;
};

struct drove_epoch_config {
	int port, admin_port;
	char *bind_host, *admin_bind_host;
	drove__cfg_tls tls, admin_tls; /* the first connectors' */
	int log_level;
	char *zk_connection, *zk_namespace, *data_dir;
	drove_strlist *endpoints;
	int insecure;
	char *drove_user, *drove_password, *drove_token, *app_name;
	int64_t check_interval_ms, connect_timeout_ms, op_timeout_ms;
	int64_t rpc_retry_count, rpc_retry_interval_ms;
	int user_auth;
	struct epoch_user *users;
	size_t n_users;
	int mail;
	char *smtp_server, *smtp_user, *smtp_password;
	int64_t smtp_port;
	int smtp_tls;
	drove_strlist *default_emails;
	int64_t cleanup_interval_ms, runs_per_job;
	int64_t misfire_ms, poll_ms, task_timeout_ms, max_active; /* libdrove's options */
};

void drove_epoch_config_free(drove_epoch_config *c)
{
	if (!c)
		return;
	free(c->bind_host);
	free(c->admin_bind_host);
	drove__cfg_tls_clear(&c->tls);
	drove__cfg_tls_clear(&c->admin_tls);
	free(c->zk_connection);
	free(c->zk_namespace);
	free(c->data_dir);
	drove_strlist_free(c->endpoints);
	free(c->drove_user);
	free(c->drove_password);
	free(c->drove_token);
	free(c->app_name);
	for (size_t i = 0; i < c->n_users; i++) {
		free(c->users[i].username);
		free(c->users[i].password);
	}
	free(c->users);
	free(c->smtp_server);
	free(c->smtp_user);
	free(c->smtp_password);
	drove_strlist_free(c->default_emails);
	free(c);
}

/* The first connector's port (and bindHost); later connectors are accepted and unused. */
static int first_port(yr *r, yn *srv, const char *key, int *port, char **host, drove__cfg_tls *tls)
{
	yn *seq = NULL;
	int64_t p = *port;
	int rc;
	size_t mark = drove__yr_push_key(r, "server");

	if ((rc = drove__yr_seq(r, srv, key, &seq)) == 0 && seq) {
		if (seq->n == 0) {
			*port = 0;
		} else {
			size_t m2 = drove__yr_push_key(r, key), m3 = drove__yr_push_index(r, 0);
			yn *c = seq->items[0];
			if (c->kind != DROVE__Y_MAP)
				rc = drove__yr_error(r, c->line, NULL, "expected a map");
			else if ((rc = drove__cfg_read_connector(r, c, tls)) == 0 &&
			         (rc = drove__yr_int(r, c, "port", 0, 65535, &p, NULL)) == 0 &&
			         (rc = host ? drove__yr_str(r, c, "bindHost", host) : 0) == 0)
				*port = (int)p;
			if (c->kind == DROVE__Y_MAP) /* type: http and the rest of Dropwizard's */
				for (size_t i = 0; i < c->n; i += 2)
					c->items[i]->used = true;
			drove__yr_pop(r, m2);
			(void)m3;
		}
	}
	drove__yr_pop(r, mark);
	return rc;
}

static int read_drove(yr *r, yn *d, drove_epoch_config *c)
{
	size_t mark = drove__yr_push_key(r, "drove");
	yn *ops = NULL;
	int rc;

	if ((rc = drove__yr_strlist(r, d, "endpoints", &c->endpoints)) == 0 &&
	    (!c->endpoints || drove_strlist_count(c->endpoints) == 0))
		rc = drove__yr_error(r, d->line, "endpoints", "at least one endpoint is required");
	if (rc == 0)
		rc = drove__yr_bool(r, d, "insecure", &c->insecure);
	if (rc == 0)
		rc = drove__yr_str(r, d, "username", &c->drove_user);
	if (rc == 0)
		rc = drove__yr_str(r, d, "password", &c->drove_password);
	if (rc == 0)
		rc = drove__yr_str(r, d, "droveAuthToken", &c->drove_token);
	if (rc == 0)
		rc = drove__yr_str(r, d, "appName", &c->app_name);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "checkInterval", 100, -1, &c->check_interval_ms,
		                        NULL);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "connectionTimeout", 1, -1, &c->connect_timeout_ms,
		                        NULL);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "operationTimeout", 1, -1, &c->op_timeout_ms, NULL);
	if (rc == 0)
		rc = drove__yr_int(r, d, "rpcRetryCount", 0, 100, &c->rpc_retry_count, NULL);
	if (rc == 0)
		rc = drove__yr_duration(r, d, "rpcRetryInterval", 0, -1, &c->rpc_retry_interval_ms,
		                        NULL);
	if (rc == 0 && (rc = drove__yr_map(r, d, "clusterOpSpec", &ops)) == 0 && ops)
		for (size_t i = 0; i < ops->n; i += 2) /* passed to Drove as it is */
			ops->items[i]->used = true;
	if (rc == 0)
		rc = drove__yr_check_unknown(r, d);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_users(yr *r, yn *ua, drove_epoch_config *c)
{
	static const char *const roles[] = {"READ_ONLY", "READ_WRITE", NULL};
	size_t mark = drove__yr_push_key(r, "userAuth");
	yn *users = NULL;
	int rc;

	if ((rc = drove__yr_bool(r, ua, "enabled", &c->user_auth)) == 0)
		rc = drove__yr_seq(r, ua, "users", &users);
	if (rc == 0 && users && users->n && !(c->users = calloc(users->n, sizeof(*c->users))))
		rc = drove__enomem();
	for (size_t i = 0; rc == 0 && users && i < users->n; i++) {
		size_t m2 = drove__yr_push_key(r, "users"), m3 = drove__yr_push_index(r, i);
		yn *u = users->items[i];
		struct epoch_user *eu = &c->users[c->n_users];
		if (u->kind != DROVE__Y_MAP)
			rc = drove__yr_error(r, u->line, NULL, "expected a map");
		else if ((rc = drove__yr_str(r, u, "username", &eu->username)) == 0 &&
		         (rc = drove__yr_str(r, u, "password", &eu->password)) == 0 &&
		         (rc = drove__yr_enum(r, u, "role", roles, &eu->read_write)) == 0) {
			c->n_users++;
			if (!eu->username)
				rc = drove__yr_required(r, u, "username");
			else if (!eu->password)
				rc = drove__yr_required(r, u, "password");
			else if (!drove__yr_get(u, "role"))
				rc = drove__yr_required(r, u, "role");
			else
				rc = drove__yr_check_unknown(r, u);
		} else {
			c->n_users++; /* free what was read */
		}
		drove__yr_pop(r, m2);
		(void)m3;
	}
	if (rc == 0)
		rc = drove__yr_check_unknown(r, ua);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_notify(yr *r, yn *n, drove_epoch_config *c)
{
	static const char *const types[] = {"BLACKHOLE", "MAIL", NULL};
	size_t mark = drove__yr_push_key(r, "notify");
	int rc;

	if ((rc = drove__yr_enum(r, n, "type", types, &c->mail)) == 0 && c->mail) {
		if ((rc = drove__yr_str(r, n, "smtpServer", &c->smtp_server)) == 0 &&
		    !c->smtp_server)
			rc = drove__yr_required(r, n, "smtpServer");
		if (rc == 0)
			rc = drove__yr_int(r, n, "port", 1, 65535, &c->smtp_port, NULL);
		if (rc == 0)
			rc = drove__yr_bool(r, n, "tls", &c->smtp_tls);
		if (rc == 0)
			rc = drove__yr_str(r, n, "username", &c->smtp_user);
		if (rc == 0)
			rc = drove__yr_str(r, n, "password", &c->smtp_password);
		if (rc == 0)
			rc = drove__yr_strlist(r, n, "defaultEmails", &c->default_emails);
	}
	if (rc == 0)
		rc = drove__yr_check_unknown(r, n);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_root(yr *r, yn *root, drove_epoch_config *c)
{
	static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "WARN",
	                                     "ERROR", "OFF",   "ALL",  NULL};
	yn *srv = NULL, *zk = NULL, *st = NULL, *d = NULL, *ua = NULL, *n = NULL, *o = NULL,
	   *lg = NULL;
	int rc, level = 2;

	if ((rc = drove__yr_map(r, root, "server", &srv)) == 0 && srv) {
		if ((rc = first_port(r, srv, "applicationConnectors", &c->port, &c->bind_host,
		                     &c->tls)) == 0)
			rc = first_port(r, srv, "adminConnectors", &c->admin_port,
			                &c->admin_bind_host, &c->admin_tls);
		for (size_t i = 0; i < srv->n; i += 2) /* the rest of Dropwizard's server */
			srv->items[i]->used = true;
	}
	if (rc == 0 && (rc = drove__yr_map(r, root, "logging", &lg)) == 0 && lg) {
		size_t mark = drove__yr_push_key(r, "logging");
		rc = drove__yr_enum(r, lg, "level", levels, &level);
		for (size_t i = 0; i < lg->n; i += 2) /* loggers and appenders: ignored */
			lg->items[i]->used = true;
		drove__yr_pop(r, mark);
		c->log_level = level <= 1   ? DROVE_LOG_DEBUG
		               : level == 2 ? DROVE_LOG_INFO
		               : level == 3 ? DROVE_LOG_WARN
		                            : DROVE_LOG_ERROR;
	}
	if (rc == 0 && (rc = drove__yr_map(r, root, "zookeeper", &zk)) == 0 && zk) {
		size_t mark = drove__yr_push_key(r, "zookeeper");
		if ((rc = drove__yr_str(r, zk, "connectionString", &c->zk_connection)) == 0 &&
		    !c->zk_connection)
			rc = drove__yr_required(r, zk, "connectionString");
		if (rc == 0)
			rc = drove__yr_str(r, zk, "nameSpace", &c->zk_namespace);
		if (rc == 0)
			rc = drove__yr_check_unknown(r, zk);
		drove__yr_pop(r, mark);
	}
	if (rc == 0 && (rc = drove__yr_map(r, root, "store", &st)) == 0 && st) {
		size_t mark = drove__yr_push_key(r, "store");
		if ((rc = drove__yr_str(r, st, "dataDir", &c->data_dir)) == 0)
			rc = drove__yr_check_unknown(r, st);
		drove__yr_pop(r, mark);
	}
	if (rc == 0 && (rc = drove__yr_map(r, root, "drove", &d)) == 0) {
		if (!d)
			rc = drove__yr_required(r, root, "drove");
		else
			rc = read_drove(r, d, c);
	}
	if (rc == 0 && (rc = drove__yr_map(r, root, "userAuth", &ua)) == 0 && ua)
		rc = read_users(r, ua, c);
	if (rc == 0 && (rc = drove__yr_map(r, root, "notify", &n)) == 0 && n)
		rc = read_notify(r, n, c);
	if (rc == 0 && (rc = drove__yr_map(r, root, "options", &o)) == 0 && o) {
		size_t mark = drove__yr_push_key(r, "options");
		if ((rc = drove__yr_duration(r, o, "cleanupJobInterval", 1000, -1,
		                             &c->cleanup_interval_ms, NULL)) == 0 &&
		    (rc = drove__yr_int(r, o, "numRunsPerJob", 0, 100000, &c->runs_per_job,
		                        NULL)) == 0 &&
		    /* libdrove's own (Epoch has these fixed) */
		    (rc = drove__yr_duration(r, o, "misfireWindow", 0, 86400000LL, &c->misfire_ms,
		                             NULL)) == 0 &&
		    (rc = drove__yr_duration(r, o, "pollInterval", 100, 3600000LL, &c->poll_ms,
		                             NULL)) == 0 &&
		    (rc = drove__yr_duration(r, o, "taskTimeout", 1000, 86400000LL * 7,
		                             &c->task_timeout_ms, NULL)) == 0 &&
		    (rc = drove__yr_int(r, o, "maxActiveRuns", 64, 10000000, &c->max_active,
		                        NULL)) == 0)
			rc = drove__yr_check_unknown(r, o);
		drove__yr_pop(r, mark);
		if (c->runs_per_job == 0)
			c->runs_per_job = 10;
	}
	if (rc == 0)
		rc = drove__yr_check_unknown(r, root);
	return rc;
}

int drove_epoch_config_load_buf(drove_epoch_config **out, drove_ctx *ctx, const char *name,
                                const char *data, size_t len)
{
	drove_epoch_config *c;
	yn *root = NULL;
	yr r = {.file = name};
	int rc;

	DROVE_CHECK_ARG(out && ctx && name && data);
	if ((rc = drove__yaml_parse(&root, name, data, len, DROVE_CONFIG_MAX_SIZE,
	                            DROVE_CONFIG_MAX_DEPTH)) < 0)
		return rc;
	if (!(c = calloc(1, sizeof(*c)))) {
		drove__yaml_free(root);
		return drove__enomem();
	}
	c->port = 8080;
	c->admin_port = 8081;
	c->log_level = DROVE_LOG_INFO;
	c->check_interval_ms = 5000;
	c->connect_timeout_ms = 1000;
	c->op_timeout_ms = 5000;
	c->rpc_retry_count = 3;
	c->rpc_retry_interval_ms = 1000;
	c->smtp_port = 587;
	c->cleanup_interval_ms = 3600 * 1000;
	c->runs_per_job = 10;
	c->misfire_ms = 60 * 1000;
	c->poll_ms = 1000;
	c->max_active = 32768;
	c->task_timeout_ms = 300 * 1000;
	rc = root->kind == DROVE__Y_MAP ? read_root(&r, root, c)
	                                : drove__yr_error(&r, root->line, NULL, "expected a map");
	drove__yaml_free(root);
	if (rc == 0 && !c->zk_connection && !c->data_dir &&
	    !(c->data_dir = drove__strdup("/var/lib/drove-epoch")))
		rc = DROVE_ENOMEM;
	if (rc == 0 && !c->zk_namespace && c->zk_connection &&
	    !(c->zk_namespace = drove__strdup("epoch")))
		rc = DROVE_ENOMEM;
	if (rc == 0 && !c->app_name && !(c->app_name = drove__strdup("EPOCH")))
		rc = DROVE_ENOMEM;
	if (rc < 0) {
		drove_epoch_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int drove_epoch_config_load(drove_epoch_config **out, drove_ctx *ctx, const char *path)
{
	FILE *f;
	char *buf;
	size_t n;
	int rc;

	DROVE_CHECK_ARG(out && ctx && path);
	if (!(f = fopen(path, "rbe")))
		return drove__error(DROVE_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (!(buf = malloc(DROVE_CONFIG_MAX_SIZE + 1))) {
		fclose(f);
		return drove__enomem();
	}
	n = fread(buf, 1, DROVE_CONFIG_MAX_SIZE + 1, f);
	if (ferror(f))
		rc = drove__error(DROVE_EIO, "%s: cannot read: %s", path, strerror(errno));
	else if (n > DROVE_CONFIG_MAX_SIZE)
		rc = drove__error(DROVE_EINVAL, "%s: file is above the limit of %d bytes", path,
		                  DROVE_CONFIG_MAX_SIZE);
	else
		rc = drove_epoch_config_load_buf(out, ctx, path, buf, n);
	fclose(f);
	free(buf);
	return rc;
}

int drove_epoch_config_port(const drove_epoch_config *c)
{
	return c ? c->port : 0;
}

int drove_epoch_config_admin_port(const drove_epoch_config *c)
{
	return c ? c->admin_port : 0;
}

const char *drove_epoch_config_bind_host(const drove_epoch_config *c)
{
	return c ? c->bind_host : NULL;
}

int drove_epoch_config_log_level(const drove_epoch_config *c)
{
	return c ? c->log_level : DROVE_LOG_INFO;
}

const char *drove_epoch_config_zk_connection(const drove_epoch_config *c)
{
	return c ? c->zk_connection : NULL;
}

const char *drove_epoch_config_zk_namespace(const drove_epoch_config *c)
{
	return c ? c->zk_namespace : NULL;
}

const char *drove_epoch_config_data_dir(const drove_epoch_config *c)
{
	return c ? c->data_dir : NULL;
}

const drove_strlist *drove_epoch_config_drove_endpoints(const drove_epoch_config *c)
{
	return c ? c->endpoints : NULL;
}

const char *drove_epoch_config_get_string(const drove_epoch_config *c, const char *key)
{
	const struct {
		const char *key;
		const char *val;
	} map[] = {
	        {"server.applicationConnectors.keyStorePath", c ? c->tls.key_store_path : NULL},
	        {"server.applicationConnectors.keyStorePassword",
	         c ? c->tls.key_store_password : NULL},
	        {"server.applicationConnectors.keyStoreType", c ? c->tls.key_store_type : NULL},
	        {"server.adminConnectors.keyStorePath", c ? c->admin_tls.key_store_path : NULL},
	        {"server.adminConnectors.keyStorePassword",
	         c ? c->admin_tls.key_store_password : NULL},
	        {"server.adminConnectors.keyStoreType", c ? c->admin_tls.key_store_type : NULL},
	        {"server.adminConnectors.bindHost", c ? c->admin_bind_host : NULL},
	        {"drove.username", c ? c->drove_user : NULL},
	        {"drove.password", c ? c->drove_password : NULL},
	        {"drove.droveAuthToken", c ? c->drove_token : NULL},
	        {"drove.appName", c ? c->app_name : NULL},
	        {"notify.smtpServer", c ? c->smtp_server : NULL},
	        {"notify.username", c ? c->smtp_user : NULL},
	        {"notify.password", c ? c->smtp_password : NULL},
	};
	for (size_t i = 0; key && i < DROVE_ARRAY_LEN(map); i++)
		if (!strcmp(key, map[i].key))
			return map[i].val;
	return NULL;
}

int drove_epoch_config_get_int(const drove_epoch_config *c, const char *key, int64_t *out)
{
	DROVE_CHECK_ARG(c && key && out);
	const struct {
		const char *key;
		int64_t val;
	} map[] = {
	        {"drove.insecure", c->insecure},
	        {"drove.checkInterval", c->check_interval_ms},
	        {"drove.connectionTimeout", c->connect_timeout_ms},
	        {"drove.operationTimeout", c->op_timeout_ms},
	        {"drove.rpcRetryCount", c->rpc_retry_count},
	        {"drove.rpcRetryInterval", c->rpc_retry_interval_ms},
	        {"userAuth.enabled", c->user_auth},
	        {"notify.mail", c->mail},
	        {"notify.port", c->smtp_port},
	        {"notify.tls", c->smtp_tls},
	        {"options.cleanupJobInterval", c->cleanup_interval_ms},
	        {"options.numRunsPerJob", c->runs_per_job},
	        {"options.misfireWindow", c->misfire_ms},
	        {"options.pollInterval", c->poll_ms},
	        {"options.taskTimeout", c->task_timeout_ms},
	        {"options.maxActiveRuns", c->max_active},
	};
	for (size_t i = 0; i < DROVE_ARRAY_LEN(map); i++)
		if (!strcmp(key, map[i].key)) {
			*out = map[i].val;
			return 0;
		}
	return drove__error(DROVE_ENOTFOUND, "epoch config: no setting %s", key);
}

const drove_strlist *drove_epoch_config_default_emails(const drove_epoch_config *c)
{
	return c ? c->default_emails : NULL;
}

size_t drove_epoch_config_user_count(const drove_epoch_config *c)
{
	return c ? c->n_users : 0;
}

const char *drove_epoch_config_user(const drove_epoch_config *c, size_t i, const char **password,
                                    int *read_write)
{
	if (!c || i >= c->n_users)
		return NULL;
	if (password)
		*password = c->users[i].password;
	if (read_write)
		*read_write = c->users[i].read_write;
	return c->users[i].username;
}
