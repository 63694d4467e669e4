/* Controller and executor YAML configuration (DROVE_API.md §10). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drove/config.h>
#include "core/internal.h"
#include "config/config.h"
#include "config/yaml.h"

#define SEC  1000LL
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)
#define DAY  (24 * HOUR)
#define MB   (1000LL * 1000)
#define GB   (1000LL * MB)

typedef drove__yreader yr;
typedef drove__ynode yn;

/* Read under a key: push it on the path, run, pop. */
#define WITH_KEY(r, key, expr)                                 \
	do {                                                   \
		size_t mark_ = drove__yr_push_key((r), (key)); \
		rc = (expr);                                   \
		drove__yr_pop((r), mark_);                     \
	} while (0)

static const char *const role_yaml[] = {"EXTERNAL_ROOT",
                                        "EXTERNAL_READ_WRITE",
                                        "DROVE_EXTERNAL_MAINTENANCE",
                                        "EXTERNAL_READ_ONLY",
                                        "CLUSTER_NODE",
                                        "DROVE_APPLICATION_INSTANCE",
                                        NULL};
static const char *const role_str[] = {"DROVE_EXTERNAL_ROOT",
                                       "DROVE_EXTERNAL_READ_WRITE",
                                       "DROVE_EXTERNAL_MAINTENANCE",
                                       "DROVE_EXTERNAL_READ_ONLY",
                                       "DROVE_CLUSTER_NODE",
                                       "DROVE_APPLICATION_INSTANCE",
                                       NULL};

const char *drove__config_role_string(int role)
{
	return role >= 0 && role < (int)DROVE_ARRAY_LEN(role_str) - 1 ? role_str[role] : NULL;
}

/* ---- free ---- */

static void free_exec(drove__cfg_executor *e)
{
	free(e->appender.log_path);
	free(e->appender.archived_suffix);
	free(e->syslog.host);
	free(e->os_cores);
	drove_strlist_free(e->tags);
	drove_strlist_free(e->md_blacklisted_keys);
	for (size_t i = 0; i < e->n_md_providers; i++) {
		drove__cfg_md_provider *p = &e->md_providers[i];
		free(p->name);
		drove_strlist_free(p->whitelisted_variables);
		drove_strmap_free(p->metadata);
		for (size_t j = 0; j < p->n_commands; j++) {
			free(p->commands[j].name);
			free(p->commands[j].command);
			free(p->commands[j].default_value);
		}
		free(p->commands);
	}
	free(e->md_providers);
	free(e->topology);
	free(e->topology_xml);
	free(e->hostname);
	free(e->docker_socket_path);
	free(e->default_user);
	free(e->default_group);
	for (size_t i = 0; i < e->n_docker_auth; i++) {
		free(e->docker_auth[i].registry);
		free(e->docker_auth[i].username);
		free(e->docker_auth[i].password);
	}
	free(e->docker_auth);
	drove_strlist_free(e->controller_endpoints);
}

void drove_config_free(drove_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->name);
	free(cfg->server.bind_host);
	free(cfg->server.admin_bind_host);
	drove__cfg_tls_clear(&cfg->server.tls);
	drove__cfg_tls_clear(&cfg->server.admin_tls);
	free(cfg->store.zk_connection);
	free(cfg->store.zk_namespace);
	free(cfg->store.data_dir);
	for (size_t i = 0; i < cfg->n_secrets; i++)
		free(cfg->secrets[i].secret);
	free(cfg->secrets);
	free(cfg->ctrl.caching_policy);
	for (size_t i = 0; i < cfg->ctrl.n_users; i++) {
		free(cfg->ctrl.users[i].username);
		free(cfg->ctrl.users[i].password);
	}
	free(cfg->ctrl.users);
	free(cfg->ctrl.instance_secret);
	drove_strlist_free(cfg->ctrl.options.audited_http_methods);
	free(cfg->ctrl.options.console_assets_path);
	drove_strlist_free(cfg->ctrl.options.allowed_mount_dirs);
	drove_strlist_free(cfg->ctrl.options.allowed_rule_import_packages);
	free_exec(&cfg->exec);
	free(cfg);
}

/* ---- server ---- */

static int read_connector(yr *r, yn *seq, const char *key, int *port, char **host,
                          drove__cfg_tls *tls)
{
	yn *c;
	int64_t p = *port;
	int rc = 0;
	size_t mark;

	if (seq->n == 0)
		return drove__yr_error(r, seq->line, key, "at least one connector is required");
	mark = drove__yr_push_key(r, key);
	for (size_t i = 0; i < seq->n; i++) {
		size_t m2 = drove__yr_push_index(r, i);
		drove__cfg_tls t;
		c = seq->items[i];
		if (c->kind != DROVE__Y_MAP) {
			rc = drove__yr_error(r, c->line, NULL, "expected a map");
		} else if ((rc = drove__cfg_read_connector(r, c, &t)) == 0) {
			if (i == 0) {
				drove__cfg_tls_clear(tls);
				*tls = t;
			} else {
				drove__cfg_tls_clear(&t);
			}
			if ((rc = drove__yr_int(r, c, "port", 0, 65535, &p, NULL)) == 0 &&
			    (rc = i == 0 ? drove__yr_str(r, c, "bindHost", host) : 0) == 0) {
				drove__yr_get(c, "bindHost");
				rc = drove__yr_check_unknown(r, c);
			}
		}
		if (i == 0)
			*port = (int)p;
		drove__yr_pop(r, m2);
		if (rc < 0)
			break;
	}
	drove__yr_pop(r, mark);
	return rc;
}

static int read_server(yr *r, yn *root, drove_config *cfg, int port, int admin_port)
{
	yn *srv = NULL, *app = NULL, *adm = NULL;
	int rc;

	cfg->server.port = port;
	cfg->server.admin_port = admin_port;
	if ((rc = drove__yr_map(r, root, "server", &srv)) < 0 || !srv)
		return rc;
	WITH_KEY(r, "server", drove__yr_seq(r, srv, "applicationConnectors", &app));
	if (rc == 0 && app)
		WITH_KEY(r, "server",
		         read_connector(r, app, "applicationConnectors", &cfg->server.port,
		                        &cfg->server.bind_host, &cfg->server.tls));
	if (rc == 0)
		WITH_KEY(r, "server", drove__yr_seq(r, srv, "adminConnectors", &adm));
	if (rc == 0 && adm) {
		if (adm->n == 0)
			cfg->server.admin_port = 0;
		else
			WITH_KEY(r, "server",
			         read_connector(r, adm, "adminConnectors", &cfg->server.admin_port,
			                        &cfg->server.admin_bind_host,
			                        &cfg->server.admin_tls));
	}
	/* other Dropwizard server settings (requestLog, type, rootPath...) are ignored */
	return rc;
}

/* ---- logging ---- */

static int read_level(yr *r, yn *logging, int *out)
{
	yn *n = drove__yr_get(logging, "level");
	char *s = NULL;
	int rc;

	if (!n)
		return 0;
	if ((rc = drove__yr_scalar(r, n, "level", &s)) < 0)
		return rc;
	if (drove__streq_nocase(s, "ALL"))
		*out = DROVE_LOG_DEBUG;
	else if (drove__streq_nocase(s, "OFF"))
		*out = DROVE_LOG_ERROR + 10;
	else if (drove_log_level_parse(s, out) < 0)
		rc = drove__yr_error(r, n->line, "level",
		                     "'%s' is not one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, ALL",
		                     s);
	free(s);
	return rc;
}

/* A Drove key accepted for compatibility but without effect here: its bit in *set when
 * present (the controller warns about it at start). Always 0. */
/* Note `key` as set (DROVE__CFG_INERT_*): the controller names it in a warning at start. */
static void mark_inert(yn *map, const char *key, unsigned bit, unsigned *set)
{
	if (map && drove__yr_get(map, key))
		*set |= bit;
}

static int read_drove_appender(yr *r, yn *a, drove__cfg_drove_appender *ap)
{
	static const char *const ignored[] = {"type",       "threshold",   "logFormat",
	                                      "timeZone",   "queueSize",   "discardingThreshold",
	                                      "neverBlock", "messageRate", "filterFactories",
	                                      "layout",     NULL};
	int rc;

	ap->present = 1;
	for (int i = 0; ignored[i]; i++)
		drove__yr_get(a, ignored[i]);
	if ((rc = drove__yr_str(r, a, "logPath", &ap->log_path)) < 0 ||
	    (rc = drove__yr_bool(r, a, "archive", &ap->archive)) < 0 ||
	    (rc = drove__yr_str(r, a, "archivedLogFileSuffix", &ap->archived_suffix)) < 0 ||
	    (rc = drove__yr_int(r, a, "archivedFileCount", 0, 100000, &ap->archived_file_count,
	                        NULL)) < 0 ||
	    (rc = drove__yr_size(r, a, "maxFileSize", 1, -1, &ap->max_file_size)) < 0 ||
	    (rc = drove__yr_size(r, a, "totalSizeCap", 1, -1, &ap->total_size_cap)) < 0 ||
	    (rc = drove__yr_size(r, a, "bufferSize", 1, -1, &ap->buffer_size)) < 0 ||
	    (rc = drove__yr_bool(r, a, "immediateFlush", &ap->immediate_flush)) < 0)
		return rc;
	if (!ap->log_path)
		return drove__yr_required(r, a, "logPath");
	if (strcmp(ap->archived_suffix, "%d") && strcmp(ap->archived_suffix, "%i"))
		return drove__yr_error(r, drove__yr_get(a, "archivedLogFileSuffix")->line,
		                       "archivedLogFileSuffix",
		                       "'%s' is not supported: archives are numbered output.log-1 "
		                       "(newest) .. -N; only %%d and %%i are accepted",
		                       ap->archived_suffix);
	if (ap->total_size_cap && !ap->max_file_size)
		return drove__yr_error(r, drove__yr_get(a, "totalSizeCap")->line, "totalSizeCap",
		                       "needs maxFileSize (the cap bounds the number of archives "
		                       "of maxFileSize each)");
	return drove__yr_check_unknown(r, a);
}

static int read_syslog_appender(yr *r, yn *a, drove__cfg_syslog_appender *sl)
{
	static const char *const ignored[] = {
	        "type",        "threshold",           "logFormat",
	        "timeZone",    "stackTracePrefix",    "includeStackTrace",
	        "queueSize",   "discardingThreshold", "neverBlock",
	        "messageRate", "filterFactories",     "layout",
	        NULL};
	static const char *const protocols[] = {"UDP", "TCP", NULL};
	static const char *const facilities[] = {"KERN",     "USER",   "MAIL",   "DAEMON", "AUTH",
	                                         "SYSLOG",   "LPR",    "NEWS",   "UUCP",   "CRON",
	                                         "AUTHPRIV", "FTP",    "NTP",    "AUDIT",  "ALERT",
	                                         "CLOCK",    "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3",
	                                         "LOCAL4",   "LOCAL5", "LOCAL6", "LOCAL7", NULL};
	int rc;

	if (sl->present)
		return drove__yr_error(r, a->line, NULL, "only one syslog appender is supported");
	sl->present = 1;
	sl->port = 514;
	sl->facility = 16;
	for (int i = 0; ignored[i]; i++)
		drove__yr_get(a, ignored[i]);
	if ((rc = drove__yr_str(r, a, "host", &sl->host)) < 0 ||
	    (rc = drove__yr_int(r, a, "port", 1, 65535, &sl->port, NULL)) < 0 ||
	    (rc = drove__yr_enum(r, a, "protocol", protocols, &sl->protocol)) < 0 ||
	    (rc = drove__yr_enum(r, a, "facility", facilities, &sl->facility)) < 0)
		return rc;
	if (!sl->host || !*sl->host)
		return drove__yr_required(r, a, "host");
	return drove__yr_check_unknown(r, a);
}

static int read_logging(yr *r, yn *root, drove_config *cfg)
{
	yn *logging = NULL, *apps = NULL;
	int rc;

	cfg->log_level = DROVE_LOG_INFO;
	if ((rc = drove__yr_map(r, root, "logging", &logging)) < 0 || !logging)
		return rc;
	WITH_KEY(r, "logging", read_level(r, logging, &cfg->log_level));
	if (rc < 0 || cfg->kind != DROVE_CONFIG_EXECUTOR)
		return rc;
	WITH_KEY(r, "logging", drove__yr_seq(r, logging, "appenders", &apps));
	for (size_t i = 0; rc == 0 && apps && i < apps->n; i++) {
		yn *a = apps->items[i], *type;
		size_t mark = drove__yr_push_key(r, "logging");
		drove__yr_push_key(r, "appenders");
		drove__yr_push_index(r, i);
		type = a->kind == DROVE__Y_MAP ? drove__yr_get(a, "type") : NULL;
		if (type && type->kind == DROVE__Y_SCALAR &&
		    drove__streq_nocase(type->value, "drove"))
			rc = read_drove_appender(r, a, &cfg->exec.appender);
		else if (type && type->kind == DROVE__Y_SCALAR &&
		         drove__streq_nocase(type->value, "syslog"))
			rc = read_syslog_appender(r, a, &cfg->exec.syslog);
		drove__yr_pop(r, mark);
	}
	/* everything else under logging (loggers, other appenders) is Dropwizard's: ignored */
	return rc;
}

/* ---- store ---- */

static int read_zookeeper(yr *r, yn *zk, drove__cfg_store *st)
{
	int rc;

	if ((rc = drove__yr_str(r, zk, "connectionString", &st->zk_connection)) < 0 ||
	    (rc = drove__yr_str(r, zk, "nameSpace", &st->zk_namespace)) < 0 ||
	    (rc = drove__yr_str(r, zk, "namespace", &st->zk_namespace)) < 0 ||
	    (rc = drove__yr_duration(r, zk, "sessionTimeout", SEC, 300 * SEC,
	                             &st->zk_session_timeout_ms, NULL)) < 0)
		return rc;
	if (!st->zk_connection || !*st->zk_connection)
		return drove__yr_required(r, zk, "connectionString");
	return drove__yr_check_unknown(r, zk);
}

static int read_store(yr *r, yn *root, drove_config *cfg, bool required)
{
	static const char *const types[] = {"zookeeper", "local", NULL};
	drove__cfg_store *st = &cfg->store;
	yn *zk = NULL, *store = NULL;
	int rc;

	st->type = DROVE_STORE_ZK;
	st->zk_session_timeout_ms = 30 * SEC;
	if ((rc = drove__yr_map(r, root, "zookeeper", &zk)) < 0 ||
	    (rc = drove__yr_map(r, root, "store", &store)) < 0)
		return rc;
	if (store) {
		size_t mark = drove__yr_push_key(r, "store");
		int t = 0;
		if ((rc = drove__yr_enum(r, store, "type", types, &t)) == 0 &&
		    (rc = drove__yr_str(r, store, "dataDir", &st->data_dir)) == 0) {
			st->type = t ? DROVE_STORE_LOCAL : DROVE_STORE_ZK;
			if (!drove__yr_get(store, "type"))
				rc = drove__yr_required(r, store, "type");
			else if (st->type == DROVE_STORE_LOCAL && !st->data_dir)
				rc = drove__yr_required(r, store, "dataDir");
			else if (st->type != DROVE_STORE_LOCAL && st->data_dir)
				rc = drove__yr_error(r, store->line, "dataDir",
				                     "only allowed with type local");
			else
				rc = drove__yr_check_unknown(r, store);
		}
		drove__yr_pop(r, mark);
		if (rc < 0)
			return rc;
		if (st->type == DROVE_STORE_LOCAL) {
			if (zk)
				return drove__yr_error(r, zk->line, "zookeeper",
				                       "not allowed with store.type local");
			return 0;
		}
	}
	if (!zk) {
		if (!required && !store) {
			st->type = DROVE_STORE_NONE;
			return 0;
		}
		return drove__yr_error(r, root->line, "zookeeper.connectionString", "required");
	}
	WITH_KEY(r, "zookeeper", read_zookeeper(r, zk, st));
	if (rc == 0 && !st->zk_namespace && !(st->zk_namespace = drove__strdup("drove")))
		rc = DROVE_ENOMEM;
	return rc;
}

/* ---- clusterAuth ---- */

static int add_secret(drove_config *cfg, int type, const char *secret)
{
	drove__cfg_secret *s;
	size_t cap = cfg->n_secrets;
	if (drove__grow(&cfg->secrets, &cap, cfg->n_secrets + 1, sizeof(*cfg->secrets)) < 0)
		return DROVE_ENOMEM;
	s = &cfg->secrets[cfg->n_secrets];
	if (!(s->secret = drove__strdup(secret)))
		return DROVE_ENOMEM;
	s->node_type = type;
	cfg->n_secrets++;
	return 0;
}

static int read_secrets(yr *r, yn *ca, drove_config *cfg)
{
	static const char *const types[] = {"CONTROLLER", "EXECUTOR", NULL};
	yn *seq = NULL;
	int rc;

	if ((rc = drove__yr_seq(r, ca, "secrets", &seq)) < 0)
		return rc;
	if (!seq || seq->n == 0)
		return drove__yr_required(r, ca, "secrets");
	for (size_t i = 0; i < seq->n && rc == 0; i++) {
		yn *it = seq->items[i];
		char *secret = NULL;
		int type = -1;
		size_t mark = drove__yr_push_key(r, "secrets");
		drove__yr_push_index(r, i);
		if (it->kind != DROVE__Y_MAP)
			rc = drove__yr_error(r, it->line, NULL, "expected a map");
		else if ((rc = drove__yr_enum(r, it, "nodeType", types, &type)) < 0 ||
		         (rc = drove__yr_str(r, it, "secret", &secret)) < 0)
			;
		else if (type < 0)
			rc = drove__yr_required(r, it, "nodeType");
		else if (!secret || !*secret)
			rc = drove__yr_required(r, it, "secret");
		else if ((rc = drove__yr_check_unknown(r, it)) == 0) {
			for (size_t j = 0; j < cfg->n_secrets; j++)
				if (!strcmp(cfg->secrets[j].secret, secret))
					rc = drove__yr_error(r, it->line, "secret",
					                     "the same secret as secrets[%zu]", j);
			if (rc == 0)
				rc = add_secret(cfg, type, secret);
		}
		free(secret);
		drove__yr_pop(r, mark);
	}
	return rc;
}

static int read_cluster_auth(yr *r, yn *root, drove_config *cfg)
{
	yn *ca = NULL;
	int rc;

	if ((rc = drove__yr_map(r, root, "clusterAuth", &ca)) < 0)
		return rc;
	if (!ca) {
		if ((rc = add_secret(cfg, DROVE_NODE_CONTROLLER, "DefaultControllerSecret")) < 0 ||
		    (rc = add_secret(cfg, DROVE_NODE_EXECUTOR, "DefaultExecutorSecret")) < 0)
			return rc;
		return 0;
	}
	WITH_KEY(r, "clusterAuth", read_secrets(r, ca, cfg));
	if (rc == 0)
		WITH_KEY(r, "clusterAuth", drove__yr_check_unknown(r, ca));
	return rc;
}

/* ---- controller: userAuth, instanceAuth, options ---- */

static int read_users(yr *r, yn *ua, drove__cfg_controller *c)
{
	yn *seq = NULL;
	int rc;

	if ((rc = drove__yr_seq(r, ua, "users", &seq)) < 0 || !seq)
		return rc;
	if (seq->n && !(c->users = calloc(seq->n, sizeof(*c->users))))
		return drove__enomem();
	for (size_t i = 0; i < seq->n && rc == 0; i++) {
		yn *it = seq->items[i];
		drove__cfg_user *u = &c->users[i];
		size_t mark = drove__yr_push_key(r, "users");
		drove__yr_push_index(r, i);
		c->n_users++;
		u->role = -1;
		if (it->kind != DROVE__Y_MAP)
			rc = drove__yr_error(r, it->line, NULL, "expected a map");
		else if ((rc = drove__yr_str(r, it, "username", &u->username)) < 0 ||
		         (rc = drove__yr_str(r, it, "password", &u->password)) < 0 ||
		         (rc = drove__yr_enum(r, it, "role", role_yaml, &u->role)) < 0)
			;
		else if (!u->username || !*u->username)
			rc = drove__yr_required(r, it, "username");
		else if (!u->password)
			rc = drove__yr_required(r, it, "password");
		else if (u->role < 0)
			rc = drove__yr_required(r, it, "role");
		else if ((rc = drove__yr_check_unknown(r, it)) == 0)
			for (size_t j = 0; j < i && rc == 0; j++)
				if (!strcmp(c->users[j].username, u->username))
					rc = drove__yr_error(r, it->line, "username",
					                     "'%s' is listed twice", u->username);
		drove__yr_pop(r, mark);
	}
	return rc;
}

/* userAuth.cachingPolicy, a Caffeine spec ("maximumSize=500, expireAfterAccess=30m"), as the
 * size and idle time of the bcrypt cache (drove_auth_set_cache); initialCapacity and
 * recordStats change nothing that matters here and are accepted, anything else is refused. */
static int caching_policy(yr *r, yn *ua, drove__cfg_controller *c)
{
	const char *p = c->caching_policy;
	yn *node = drove__yr_get(ua, "cachingPolicy");
	int line = node ? node->line : ua->line;
	while (p && *p) {
		char part[128], *eq, *e;
		size_t n = strcspn(p, ",");
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		if (n >= sizeof(part))
			return drove__yr_error(r, line, "cachingPolicy", "a part is too long");
		memcpy(part, p, n);
		part[n] = '\0';
		while (n && (part[n - 1] == ' ' || part[n - 1] == '\t'))
			part[--n] = '\0';
		p += strcspn(p, ",");
		p += *p == ',';
		if (!n)
			continue;
		eq = strchr(part, '=');
		if (eq)
			*eq++ = '\0';
		if (!strcmp(part, "maximumSize") && eq) {
			long long v = strtoll(eq, &e, 10);
			if (e == eq || *e || v < 0 || v > 1000000)
				return drove__yr_error(r, line, "cachingPolicy",
				                       "maximumSize '%s' is not 0..1000000", eq);
			c->auth_cache_max = (int64_t)v;
		} else if (!strcmp(part, "expireAfterAccess") && eq) {
			/* Caffeine's form: a number and one of d, h, m, s */
			long long v = strtoll(eq, &e, 10);
			int64_t unit = !strcmp(e, "d")   ? 86400 * SEC
			               : !strcmp(e, "h") ? 3600 * SEC
			               : !strcmp(e, "m") ? 60 * SEC
			               : !strcmp(e, "s") ? SEC
			                                 : 0;
			if (e == eq || !unit || v < 0 || v > 365LL * 86400)
				return drove__yr_error(
				        r, line, "cachingPolicy",
				        "expireAfterAccess '%s' is not a number with "
				        "d, h, m or s",
				        eq);
			c->auth_cache_ttl_ms = (int64_t)v * unit;
		} else if (strcmp(part, "initialCapacity") && strcmp(part, "recordStats")) {
			return drove__yr_error(
			        r, line, "cachingPolicy",
			        "'%s' is not supported (maximumSize, expireAfterAccess, "
			        "initialCapacity and recordStats are)",
			        part);
		}
	}
	return 0;
}

static int read_user_auth(yr *r, yn *root, drove__cfg_controller *c)
{
	static const char *const enc[] = {"PLAIN", "CRYPT", NULL};
	yn *ua = NULL;
	int rc;

	if ((rc = drove__yr_map(r, root, "userAuth", &ua)) < 0 || !ua)
		return rc;
	c->user_auth_enabled = 1;
	size_t mark = drove__yr_push_key(r, "userAuth");
	if ((rc = drove__yr_bool(r, ua, "enabled", &c->user_auth_enabled)) == 0 &&
	    (rc = drove__yr_enum(r, ua, "encoding", enc, &c->user_auth_crypt)) == 0 &&
	    (rc = drove__yr_str(r, ua, "cachingPolicy", &c->caching_policy)) == 0 &&
	    (rc = caching_policy(r, ua, c)) == 0 && (rc = read_users(r, ua, c)) == 0)
		rc = drove__yr_check_unknown(r, ua);
	drove__yr_pop(r, mark);
	return rc;
}

static int read_instance_auth(yr *r, yn *root, drove__cfg_controller *c)
{
	yn *ia = NULL;
	int rc;

	if ((rc = drove__yr_map(r, root, "instanceAuth", &ia)) < 0 || !ia)
		return rc;
	WITH_KEY(r, "instanceAuth", drove__yr_str(r, ia, "secret", &c->instance_secret));
	if (rc == 0 && c->instance_secret && !*c->instance_secret)
		WITH_KEY(r, "instanceAuth", drove__yr_required(r, ia, "secret"));
	if (rc == 0)
		WITH_KEY(r, "instanceAuth", drove__yr_check_unknown(r, ia));
	return rc;
}

static int ctrl_defaults(drove__cfg_controller *c)
{
	drove__cfg_controller_options *o = &c->options;
	int rc;

	o->stale_check_interval_ms = HOUR;
	o->stale_app_age_ms = 7 * DAY;
	o->max_stale_instances_count = 100;
	o->stale_instance_age_ms = 7 * DAY;
	o->stale_task_age_ms = 2 * DAY;
	o->stale_service_age_ms = 7 * DAY;
	o->max_events_storage_ms = 60 * MIN;
	o->cluster_op_timeout_ms = 300 * SEC;
	o->cluster_op_parallelism = 1;
	o->job_retry_count = 2;
	o->job_retry_interval_ms = 1 * SEC;
	o->instance_state_check_ms = 3 * SEC;
	o->compiled_rule_cache_count = 100;
	o->stale_executor_age_ms = 45 * SEC;
	o->reconcile_interval_ms = 30 * SEC;
	o->stale_instance_report_ms = 60 * SEC;
	o->maintenance_window_tail_ms = 40 * SEC;
	o->executor_check_interval_ms = 10 * SEC;
	o->executor_probe_interval_ms = 1 * SEC;
	o->executor_probe_failures = 3;
	if ((rc = drove_strlist_new(&o->audited_http_methods)) < 0 ||
	    (rc = drove_strlist_add(o->audited_http_methods, "POST")) < 0 ||
	    (rc = drove_strlist_add(o->audited_http_methods, "PUT")) < 0 ||
	    (rc = drove_strlist_new(&o->allowed_mount_dirs)) < 0 ||
	    (rc = drove_strlist_new(&o->allowed_rule_import_packages)) < 0)
		return rc;
	c->auth_cache_max = 500;
	c->auth_cache_ttl_ms = 30 * 60 * SEC;
	if (!(c->caching_policy = drove__strdup("maximumSize=500, expireAfterAccess=30m")) ||
	    !(c->instance_secret = drove__strdup("DEFAULT_SECRET")))
		return DROVE_ENOMEM;
	return 0;
}

static int read_ctrl_options(yr *r, yn *o, drove__cfg_controller_options *x)
{
	int rc;

	mark_inert(o, "compiledRuleCacheCount", DROVE__CFG_INERT_RULE_CACHE, &x->inert_set);
	mark_inert(o, "allowedRuleImportPackages", DROVE__CFG_INERT_RULE_IMPORTS, &x->inert_set);
	if ((rc = drove__yr_duration(r, o, "staleCheckInterval", MIN, -1,
	                             &x->stale_check_interval_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "staleAppAge", -1, -1, &x->stale_app_age_ms, NULL)) <
	            0 ||
	    (rc = drove__yr_int(r, o, "maxStaleInstancesCount", 0, 4096,
	                        &x->max_stale_instances_count, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "staleInstanceAge", -1, -1, &x->stale_instance_age_ms,
	                             NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "staleTaskAge", -1, -1, &x->stale_task_age_ms, NULL)) <
	            0 ||
	    (rc = drove__yr_duration(r, o, "staleServiceAge", -1, -1, &x->stale_service_age_ms,
	                             NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "maxEventsStorageDuration", -1, -1,
	                             &x->max_events_storage_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "clusterOpTimeout", 10 * SEC, 1800 * SEC,
	                             &x->cluster_op_timeout_ms, NULL)) < 0 ||
	    (rc = drove__yr_int(r, o, "clusterOpParallelism", 0, 512, &x->cluster_op_parallelism,
	                        NULL)) < 0 ||
	    (rc = drove__yr_int(r, o, "jobRetryCount", 0, 32, &x->job_retry_count, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "jobRetryInterval", SEC, 1800 * SEC,
	                             &x->job_retry_interval_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "instanceStateCheckRetryInterval", 5 * SEC, 1800 * SEC,
	                             &x->instance_state_check_ms, NULL)) < 0 ||
	    (rc = drove__yr_strlist(r, o, "auditedHttpMethods", &x->audited_http_methods)) < 0 ||
	    (rc = drove__yr_strlist(r, o, "allowedMountDirs", &x->allowed_mount_dirs)) < 0 ||
	    (rc = drove__yr_bool(r, o, "disableReadAuth", &x->disable_read_auth)) < 0 ||
	    (rc = drove__yr_bool(r, o, "disableCmdlArgs", &x->disable_cmdl_args)) < 0 ||
	    (rc = drove__yr_bool(r, o, "enableRawDeviceAccess", &x->enable_raw_device_access)) <
	            0 ||
	    (rc = drove__yr_int(r, o, "compiledRuleCacheCount", 0, 1000,
	                        &x->compiled_rule_cache_count, NULL)) < 0 ||
	    (rc = drove__yr_strlist(r, o, "allowedRuleImportPackages",
	                            &x->allowed_rule_import_packages)) < 0 ||
	    (rc = drove__yr_duration(r, o, "staleExecutorAge", SEC, 3600 * SEC,
	                             &x->stale_executor_age_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "reconcileInterval", 100, -1, &x->reconcile_interval_ms,
	                             NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "staleInstanceReportAge", SEC, -1,
	                             &x->stale_instance_report_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "maintenanceWindowTail", 0, -1,
	                             &x->maintenance_window_tail_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "executorCheckInterval", 100, -1,
	                             &x->executor_check_interval_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "executorProbeInterval", 0, 60 * SEC,
	                             &x->executor_probe_interval_ms, NULL)) < 0 ||
	    (rc = drove__yr_int(r, o, "executorProbeFailures", 1, 100, &x->executor_probe_failures,
	                        NULL)) < 0 ||
	    (rc = drove__yr_str(r, o, "consoleAssetsPath", &x->console_assets_path)) < 0)
		return rc;
	/* Drove reads an omitted or 0 count as its default */
	if (x->max_stale_instances_count == 0)
		x->max_stale_instances_count = 100;
	if (x->cluster_op_parallelism == 0)
		x->cluster_op_parallelism = 1;
	return drove__yr_check_unknown(r, o);
}

static int read_controller(yr *r, yn *root, drove_config *cfg)
{
	static const char *const top[] = {"server",      "logging",  "zookeeper",    "store",
	                                  "clusterAuth", "userAuth", "instanceAuth", "options",
	                                  "view",        NULL};
	yn *opts = NULL;
	int rc;

	if ((rc = ctrl_defaults(&cfg->ctrl)) < 0 ||
	    (rc = read_server(r, root, cfg, 4000, 4001)) < 0 ||
	    (rc = read_logging(r, root, cfg)) < 0 || (rc = read_store(r, root, cfg, true)) < 0 ||
	    (rc = read_cluster_auth(r, root, cfg)) < 0 ||
	    (rc = read_user_auth(r, root, &cfg->ctrl)) < 0 ||
	    (rc = read_instance_auth(r, root, &cfg->ctrl)) < 0 ||
	    (rc = drove__yr_map(r, root, "options", &opts)) < 0)
		return rc;
	if (opts)
		WITH_KEY(r, "options", read_ctrl_options(r, opts, &cfg->ctrl.options));
	for (int i = 0; rc == 0 && top[i]; i++)
		drove__yr_get(root, top[i]); /* view is UI only: never read */
	return rc < 0 ? rc : drove__yr_check_unknown(r, root);
}

/* ---- executor ---- */

static int read_os_cores(yr *r, yn *res, drove__cfg_executor *e)
{
	yn *seq = NULL;
	int rc;

	if ((rc = drove__yr_seq(r, res, "osCores", &seq)) < 0 || !seq || !seq->n)
		return rc;
	if (!(e->os_cores = calloc(seq->n, sizeof(int))))
		return drove__enomem();
	for (size_t i = 0; i < seq->n; i++) {
		yn *it = seq->items[i];
		char *s = NULL, *end, key[32];
		long v;
		snprintf(key, sizeof(key), "osCores[%zu]", i);
		if ((rc = drove__yr_scalar(r, it, key, &s)) < 0)
			return rc;
		errno = 0;
		v = strtol(s, &end, 10);
		if (end == s || *end || errno || v < 0 || v > 1 << 20)
			rc = drove__yr_error(r, it->line, key, "'%s' is not a core id", s);
		free(s);
		if (rc < 0)
			return rc;
		e->os_cores[e->n_os_cores++] = (int)v;
	}
	return 0;
}

static int read_md_commands(yr *r, yn *cmds, drove__cfg_md_provider *p)
{
	static const char *const types[] = {"STATIC", "DYNAMIC", NULL};
	int rc = 0;

	if (cmds->n && !(p->commands = calloc(cmds->n / 2, sizeof(*p->commands))))
		return drove__enomem();
	for (size_t i = 0; i + 1 < cmds->n && rc == 0; i += 2) {
		drove__cfg_md_command *c = &p->commands[p->n_commands++];
		yn *v = cmds->items[i + 1];
		size_t mark = drove__yr_push_key(r, cmds->items[i]->value);
		cmds->items[i]->used = true;
		if (!(c->name = drove__strdup(cmds->items[i]->value)))
			rc = DROVE_ENOMEM;
		else if (v->kind != DROVE__Y_MAP)
			rc = drove__yr_error(r, v->line, NULL, "expected a map");
		else if ((rc = drove__yr_enum(r, v, "type", types, &c->type)) == 0 &&
		         (rc = drove__yr_str(r, v, "command", &c->command)) == 0 &&
		         (rc = drove__yr_str(r, v, "defaultValue", &c->default_value)) == 0) {
			if (!c->command)
				rc = drove__yr_required(r, v, "command");
			else
				rc = drove__yr_check_unknown(r, v);
		}
		drove__yr_pop(r, mark);
	}
	return rc;
}

static int read_md_provider(yr *r, yn *v, drove__cfg_md_provider *p)
{
	static const char *const types[] = {"ENVIRONMENT", "CONFIGURED", "DYNAMIC_COMMAND", NULL};
	yn *md = NULL, *cmds = NULL;
	int rc;

	p->type = -1;
	if (v->kind != DROVE__Y_MAP)
		return drove__yr_error(r, v->line, NULL, "expected a map");
	if ((rc = drove__yr_enum(r, v, "type", types, &p->type)) < 0)
		return rc;
	if (p->type < 0)
		return drove__yr_required(r, v, "type");
	switch (p->type) {
	case DROVE__MDP_ENVIRONMENT:
		rc = drove__yr_strlist(r, v, "whitelistedVariables", &p->whitelisted_variables);
		break;
	case DROVE__MDP_CONFIGURED:
		if ((rc = drove__yr_map(r, v, "metadata", &md)) < 0 ||
		    (rc = drove_strmap_new(&p->metadata)) < 0)
			break;
		for (size_t i = 0; md && i + 1 < md->n && rc == 0; i += 2) {
			char *val = NULL;
			size_t mark = drove__yr_push_key(r, "metadata");
			if ((rc = drove__yr_scalar(r, md->items[i + 1], md->items[i]->value,
			                           &val)) == 0)
				rc = drove_strmap_set(p->metadata, md->items[i]->value, val);
			free(val);
			drove__yr_pop(r, mark);
		}
		break;
	default:
		p->command_rerun_secs = 60;
		if ((rc = drove__yr_int(r, v, "commandRerunInSecs", 1, 86400,
		                        &p->command_rerun_secs, NULL)) < 0 ||
		    (rc = drove__yr_map(r, v, "commands", &cmds)) < 0 || !cmds)
			break;
		WITH_KEY(r, "commands", read_md_commands(r, cmds, p));
		break;
	}
	return rc < 0 ? rc : drove__yr_check_unknown(r, v);
}

/* Every pattern of the list under `key` must compile (Java syntax, core/regex.c). */
static int check_regexes(yr *r, yn *map, const char *key, const drove_strlist *list)
{
	for (size_t i = 0; i < drove_strlist_count(list); i++) {
		drove__regex *re;
		const char *p = drove_strlist_get(list, i);
		if (drove__regex_compile(&re, p) < 0) {
			char why[256];
			size_t mark = drove__yr_push_key(r, key);
			int rc;
			snprintf(why, sizeof(why), "%s", drove_error_last()->message);
			drove__yr_push_index(r, i);
			rc = drove__yr_error(r, drove__yr_get(map, key)->line, NULL,
			                     "bad regex '%.64s': %s", p, why);
			drove__yr_pop(r, mark);
			return rc;
		}
		drove__regex_free(re);
	}
	return 0;
}

static int read_metadata(yr *r, yn *md, drove__cfg_executor *e)
{
	yn *prov = NULL;
	int rc;

	if ((rc = drove__yr_int(r, md, "valueMaxLimit", 1, 1 << 20, &e->md_value_max_limit, NULL)) <
	            0 ||
	    (rc = drove__yr_strlist(r, md, "blacklistedKeys", &e->md_blacklisted_keys)) < 0 ||
	    (rc = drove__yr_map(r, md, "metadataProviders", &prov)) < 0 ||
	    (rc = check_regexes(r, md, "blacklistedKeys", e->md_blacklisted_keys)) < 0)
		return rc;
	if (prov && prov->n && !(e->md_providers = calloc(prov->n / 2, sizeof(*e->md_providers))))
		return drove__enomem();
	for (size_t i = 0; prov && i + 1 < prov->n && rc == 0; i += 2) {
		drove__cfg_md_provider *p = &e->md_providers[e->n_md_providers++];
		size_t mark = drove__yr_push_key(r, "metadataProviders");
		prov->items[i]->used = true;
		drove__yr_push_key(r, prov->items[i]->value);
		if (!(p->name = drove__strdup(prov->items[i]->value)))
			rc = DROVE_ENOMEM;
		else
			rc = read_md_provider(r, prov->items[i + 1], p);
		drove__yr_pop(r, mark);
	}
	return rc < 0 ? rc : drove__yr_check_unknown(r, md);
}

static int read_resources(yr *r, yn *res, drove__cfg_executor *e)
{
	yn *op = NULL, *md = NULL;
	int rc;

	if ((rc = read_os_cores(r, res, e)) < 0 ||
	    (rc = drove__yr_int(r, res, "exposedMemPercentage", 50, 100, &e->exposed_mem_percent,
	                        NULL)) < 0 ||
	    (rc = drove__yr_bool(r, res, "disableNUMAPinning", &e->disable_numa_pinning)) < 0 ||
	    (rc = drove__yr_bool(r, res, "enableNvidiaGpu", &e->enable_nvidia_gpu)) < 0 ||
	    (rc = drove__yr_strlist(r, res, "tags", &e->tags)) < 0 ||
	    (rc = drove__yr_str(r, res, "topology", &e->topology)) < 0 ||
	    (rc = drove__yr_str(r, res, "topologyXml", &e->topology_xml)) < 0 ||
	    (rc = drove__yr_map(r, res, "overProvisioning", &op)) < 0 ||
	    (rc = drove__yr_map(r, res, "metadata", &md)) < 0)
		return rc;
	if (e->topology && e->topology_xml)
		return drove__yr_error(r, res->line, "topologyXml", "not allowed with topology");
	if (op) {
		size_t mark = drove__yr_push_key(r, "overProvisioning");
		if ((rc = drove__yr_bool(r, op, "enabled", &e->overprov_enabled)) == 0 &&
		    (rc = drove__yr_int(r, op, "cpuMultiplier", 1, 20, &e->cpu_multiplier, NULL)) ==
		            0 &&
		    (rc = drove__yr_int(r, op, "memoryMultiplier", 1, 20, &e->mem_multiplier,
		                        NULL)) == 0)
			rc = drove__yr_check_unknown(r, op);
		drove__yr_pop(r, mark);
		if (rc < 0)
			return rc;
	}
	if (md)
		WITH_KEY(r, "metadata", read_metadata(r, md, e));
	return rc < 0 ? rc : drove__yr_check_unknown(r, res);
}

static int read_exec_options(yr *r, yn *o, drove__cfg_executor *e)
{
	static const char *const modes[] = {"STORE", "RPC", NULL};
	yn *us = NULL;
	int rc;

	if ((rc = drove__yr_str(r, o, "hostname", &e->hostname)) < 0 ||
	    (rc = drove__yr_bool(r, o, "cacheImages", &e->cache_images)) < 0 ||
	    (rc = drove__yr_int(r, o, "maxOpenFiles", INT64_MIN, INT32_MAX, &e->max_open_files,
	                        NULL)) < 0 ||
	    (rc = drove__yr_size(r, o, "logBufferSize", 1 * MB, 128 * MB, &e->log_buffer_size)) <
	            0 ||
	    (rc = drove__yr_size(r, o, "cacheFileSize", 10 * MB, 100 * GB, &e->cache_file_size)) <
	            0 ||
	    (rc = drove__yr_int(r, o, "cacheFileCount", 0, 1024, &e->cache_file_count, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "containerCommandTimeout", 5 * SEC, 300 * SEC,
	                             &e->container_cmd_timeout_ms, NULL)) < 0 ||
	    (rc = drove__yr_str(r, o, "dockerSocketPath", &e->docker_socket_path)) < 0 ||
	    (rc = drove__yr_enum(r, o, "remoteUpdateMode", modes, &e->remote_update_mode)) < 0 ||
	    (rc = drove__yr_duration(r, o, "controllerConnectTimeout", 0, -1,
	                             &e->controller_connect_timeout_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "controllerResponseTimeout", 0, -1,
	                             &e->controller_response_timeout_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "snapshotInterval", 100, -1, &e->snapshot_interval_ms,
	                             NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "zombieCheckInterval", SEC, -1,
	                             &e->zombie_check_interval_ms, NULL)) < 0 ||
	    (rc = drove__yr_duration(r, o, "leaderLookupInterval", 100, -1,
	                             &e->leader_lookup_interval_ms, &e->leader_lookup_given)) < 0 ||
	    (rc = drove__yr_duration(r, o, "statsInterval", 0, -1, &e->stats_interval_ms, NULL)) <
	            0 ||
	    (rc = drove__yr_map(r, o, "defaultUserSpec", &us)) < 0)
		return rc;
	if (e->max_open_files <= 0)
		e->max_open_files = 470000;
	if (us) {
		size_t mark = drove__yr_push_key(r, "defaultUserSpec");
		if ((rc = drove__yr_str(r, us, "user", &e->default_user)) == 0 &&
		    (rc = drove__yr_str(r, us, "group", &e->default_group)) == 0)
			rc = drove__yr_check_unknown(r, us);
		drove__yr_pop(r, mark);
	}
	return rc < 0 ? rc : drove__yr_check_unknown(r, o);
}

static int read_docker_auth(yr *r, yn *da, drove__cfg_executor *e)
{
	static const char *const types[] = {"CREDENTIALS", NULL};
	yn *entries = NULL;
	int rc;

	if ((rc = drove__yr_map(r, da, "entries", &entries)) < 0)
		return rc;
	if (entries && entries->n &&
	    !(e->docker_auth = calloc(entries->n / 2, sizeof(*e->docker_auth))))
		return drove__enomem();
	for (size_t i = 0; entries && i + 1 < entries->n && rc == 0; i += 2) {
		drove__cfg_docker_auth *a = &e->docker_auth[e->n_docker_auth++];
		yn *v = entries->items[i + 1];
		int type = -1;
		size_t mark = drove__yr_push_key(r, "entries");
		entries->items[i]->used = true;
		drove__yr_push_key(r, entries->items[i]->value);
		if (!(a->registry = drove__strdup(entries->items[i]->value)))
			rc = DROVE_ENOMEM;
		else if (v->kind != DROVE__Y_MAP)
			rc = drove__yr_error(r, v->line, NULL, "expected a map");
		else if ((rc = drove__yr_enum(r, v, "type", types, &type)) == 0 &&
		         (rc = drove__yr_str(r, v, "username", &a->username)) == 0 &&
		         (rc = drove__yr_str(r, v, "password", &a->password)) == 0) {
			if (type < 0)
				rc = drove__yr_required(r, v, "type");
			else if (!a->username)
				rc = drove__yr_required(r, v, "username");
			else if (!a->password)
				rc = drove__yr_required(r, v, "password");
			else
				rc = drove__yr_check_unknown(r, v);
		}
		drove__yr_pop(r, mark);
	}
	return rc < 0 ? rc : drove__yr_check_unknown(r, da);
}

static int read_controllers(yr *r, yn *c, drove__cfg_executor *e)
{
	bool given = false;
	int rc;

	if ((rc = drove__yr_strlist(r, c, "endpoints", &e->controller_endpoints)) < 0 ||
	    (rc = drove__yr_duration(r, c, "leadershipCheckInterval", 3 * SEC, 60 * SEC,
	                             &e->leadership_check_interval_ms, &given)) < 0)
		return rc;
	/* how often the executor looks for the leader among the endpoints */
	if (given && !e->leader_lookup_given)
		e->leader_lookup_interval_ms = e->leadership_check_interval_ms;
	return drove__yr_check_unknown(r, c);
}

static int exec_defaults(drove__cfg_executor *e)
{
	int rc;

	e->appender.archive = 1;
	e->appender.archived_file_count = 5;
	e->appender.buffer_size = 8 * 1024;
	e->appender.immediate_flush = 1;
	e->exposed_mem_percent = 100;
	e->cpu_multiplier = 1;
	e->mem_multiplier = 1;
	e->md_value_max_limit = 1024;
	e->cache_images = 1;
	e->max_open_files = 470000;
	e->log_buffer_size = 10 * MB;
	e->cache_file_size = 20 * MB;
	e->cache_file_count = 3;
	e->container_cmd_timeout_ms = 30 * SEC;
	e->remote_update_mode = DROVE__UPDATE_STORE;
	e->controller_connect_timeout_ms = SEC;
	e->controller_response_timeout_ms = SEC;
	e->leadership_check_interval_ms = 10 * SEC;
	e->snapshot_interval_ms = 20 * SEC;
	e->stats_interval_ms = 10 * SEC;
	e->zombie_check_interval_ms = 30 * SEC;
	e->leader_lookup_interval_ms = 5 * SEC;
	if ((rc = drove_strlist_new(&e->tags)) < 0 ||
	    (rc = drove_strlist_new(&e->md_blacklisted_keys)) < 0 ||
	    (rc = drove_strlist_new(&e->controller_endpoints)) < 0)
		return rc;
	if (!(e->appender.archived_suffix = drove__strdup("%d")) ||
	    !(e->docker_socket_path = drove__strdup("/var/run/docker.sock")))
		return DROVE_ENOMEM;
	return 0;
}

static int read_executor(yr *r, yn *root, drove_config *cfg)
{
	drove__cfg_executor *e = &cfg->exec;
	yn *res = NULL, *opts = NULL, *da = NULL, *ctl = NULL;
	int rc;

	if ((rc = exec_defaults(e)) < 0 || (rc = read_server(r, root, cfg, 3000, 3001)) < 0 ||
	    (rc = read_logging(r, root, cfg)) < 0 ||
	    (rc = drove__yr_map(r, root, "resources", &res)) < 0 ||
	    (rc = drove__yr_map(r, root, "options", &opts)) < 0 ||
	    (rc = drove__yr_map(r, root, "dockerAuth", &da)) < 0 ||
	    (rc = drove__yr_map(r, root, "controllers", &ctl)) < 0)
		return rc;
	if (res)
		WITH_KEY(r, "resources", read_resources(r, res, e));
	if (rc == 0 && opts) {
		e->cache_images = 0; /* Drove: true only when the options block is absent */
		WITH_KEY(r, "options", read_exec_options(r, opts, e));
	}
	if (rc == 0 && da)
		WITH_KEY(r, "dockerAuth", read_docker_auth(r, da, e));
	if (rc == 0 && ctl)
		WITH_KEY(r, "controllers", read_controllers(r, ctl, e));
	if (rc == 0)
		rc = read_store(r, root, cfg, e->remote_update_mode == DROVE__UPDATE_STORE);
	if (rc == 0 && e->remote_update_mode == DROVE__UPDATE_RPC &&
	    drove_strlist_count(e->controller_endpoints) == 0)
		rc = drove__yr_error(r, ctl ? ctl->line : root->line, "controllers.endpoints",
		                     "required when options.remoteUpdateMode is RPC");
	if (rc == 0)
		rc = read_cluster_auth(r, root, cfg);
	return rc < 0 ? rc : drove__yr_check_unknown(r, root);
}

/* ---- loading ---- */

static int load_buf(drove_config **out, drove_ctx *ctx, int kind, const char *name,
                    const char *data, size_t len)
{
	drove_config *cfg = NULL;
	yn *root = NULL;
	yr r = {0};
	int rc;

	DROVE_CHECK_ARG(out && ctx && name && (data || len == 0));
	if ((rc = drove__yaml_parse(&root, name, data ? data : "", len, DROVE_CONFIG_MAX_SIZE,
	                            DROVE_CONFIG_MAX_DEPTH)) < 0)
		return rc;
	if (!(cfg = calloc(1, sizeof(*cfg))) || !(cfg->name = drove__strdup(name))) {
		rc = drove__enomem();
		goto out;
	}
	cfg->kind = kind;
	r.file = name;
	rc = kind == DROVE_CONFIG_CONTROLLER ? read_controller(&r, root, cfg)
	                                     : read_executor(&r, root, cfg);
	if (rc == 0) {
		drove__debug(ctx, "config", "%s: loaded", name);
		*out = cfg;
		cfg = NULL;
	}
out:
	drove_config_free(cfg);
	drove__yaml_free(root);
	return rc;
}

static int load_file(drove_config **out, drove_ctx *ctx, int kind, const char *path)
{
	drove__buf b = DROVE_BUF_INIT;
	char chunk[8192];
	ssize_t n;
	int fd, rc;

	DROVE_CHECK_ARG(out && ctx && path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return drove__error(DROVE_EIO, "%s: cannot open: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = drove__error(DROVE_EIO, "%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (b.len + (size_t)n > DROVE_CONFIG_MAX_SIZE) {
			rc = drove__error(DROVE_EINVAL, "%s: file is above the limit of %d bytes",
			                  path, DROVE_CONFIG_MAX_SIZE);
			goto out;
		}
		if ((rc = drove__buf_append(&b, chunk, (size_t)n)) < 0)
			goto out;
	}
	rc = load_buf(out, ctx, kind, path, b.data, b.len);
out:
	close(fd);
	drove__buf_free(&b);
	return rc;
}

int drove_config_load_controller(drove_config **out, drove_ctx *ctx, const char *path)
{
	return load_file(out, ctx, DROVE_CONFIG_CONTROLLER, path);
}

int drove_config_load_controller_buf(drove_config **out, drove_ctx *ctx, const char *name,
                                     const char *data, size_t len)
{
	return load_buf(out, ctx, DROVE_CONFIG_CONTROLLER, name, data, len);
}

int drove_config_load_executor(drove_config **out, drove_ctx *ctx, const char *path)
{
	return load_file(out, ctx, DROVE_CONFIG_EXECUTOR, path);
}

int drove_config_load_executor_buf(drove_config **out, drove_ctx *ctx, const char *name,
                                   const char *data, size_t len)
{
	return load_buf(out, ctx, DROVE_CONFIG_EXECUTOR, name, data, len);
}
