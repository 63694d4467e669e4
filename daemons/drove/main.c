/* drove: the command-line client of a Drove cluster (docs/cli.md). Parses the global flags,
 * merges them with ~/.drove, builds a drove_client and runs one command of cmds.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drove/version.h>
#include <strings.h>

#include "cli.h"

int cli_fail(const char *what)
{
	const drove_error *e = drove_error_last();
	if (what)
		fprintf(stderr, "drove: %s: %s\n", what,
		        e->message[0] ? e->message : drove_strerror(e->code));
	else
		fprintf(stderr, "drove: %s\n",
		        e->message[0] ? e->message : drove_strerror(e->code));
	return CLI_ERR;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "drove: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (cli && cli->cmd)
		fprintf(stderr, "usage: drove %s%s%s %s (see -h)\n",
		        cli->cmd->group ? cli->cmd->group : "", cli->cmd->group ? " " : "",
		        cli->cmd->name, cli->cmd->args ? cli->cmd->args : "");
	else
		fprintf(stderr, "see `drove --help`\n");
	return CLI_USAGE;
}

int cli_int(const char *what, const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;
	errno = 0;
	v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || errno || v < min || v > max) {
		fprintf(stderr, "drove: %s: '%s' is not an integer in %lld..%lld\n", what,
		        s ? s : "", min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int opt_index(const struct cli_cmd *c, const char *lng)
{
	for (int i = 0; i < CLI_MAX_OPTS && c->opts[i].lng; i++)
		if (strcmp(c->opts[i].lng, lng) == 0)
			return i;
	return -1;
}

const char *cli_opt(const struct cli *cli, const struct cli_args *a, const char *lng)
{
	int i = opt_index(cli->cmd, lng);
	return i < 0 ? NULL : a->val[i];
}

int cli_flag(const struct cli *cli, const struct cli_args *a, const char *lng)
{
	return cli_opt(cli, a, lng) != NULL;
}

char *cli_read_file(const char *path)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "drove: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		ssize_t r;
		if (len + 4096 + 1 > cap) {
			char *n;
			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20) + 8192 || !(n = realloc(buf, cap))) {
				fprintf(stderr, "drove: %s: too large\n", path);
				free(buf);
				close(fd);
				return NULL;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "drove: %s: %s\n", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int group_exists(const char *g)
{
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (c->group && strcmp(c->group, g) == 0)
			return 1;
	return 0;
}

/* ---- options ---- */

/* Parse a command's options and positionals from argv[0..argc). @return 0, 1 (help printed),
 * or CLI_USAGE. */
static int parse_cmd(struct cli *cli, int argc, char **argv, struct cli_args *a)
{
	const struct cli_cmd *c = cli->cmd;
	int only_pos = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		int idx = -1;
		const char *val = NULL;
		if (only_pos || s[0] != '-' || s[1] == '\0' || (s[1] >= '0' && s[1] <= '9')) {
			if (a->npos >= CLI_MAX_POS)
				return cli_usage_error(cli, "too many arguments");
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			cli_help_command(c);
			return 1;
		}
		if (strcmp(s, "--json") == 0) {
			cli->json = 1;
			continue;
		}
		if (s[1] == '-') {
			char name[64];
			const char *eq = strchr(s + 2, '=');
			size_t n = eq ? (size_t)(eq - s - 2) : strlen(s + 2);
			if (n >= sizeof(name))
				return cli_usage_error(cli, "unknown option '%s'", s);
			memcpy(name, s + 2, n);
			name[n] = '\0';
			idx = opt_index(c, name);
			if (idx < 0)
				return cli_usage_error(cli, "unknown option '--%s'", name);
			if (eq)
				val = eq + 1;
		} else {
			for (int k = 0; k < CLI_MAX_OPTS && c->opts[k].lng; k++)
				if (c->opts[k].sh == s[1])
					idx = k;
			if (idx < 0 || s[2] != '\0') {
				if (idx >= 0 && c->opts[idx].has_arg)
					val = s + 2; /* -t5m */
				else
					return cli_usage_error(cli, "unknown option '%s'", s);
			}
		}
		if (c->opts[idx].alias_of) {
			int canon = opt_index(c, c->opts[idx].alias_of);
			if (canon < 0) /* a table error */
				return cli_usage_error(cli, "option '%s' has no target", s);
			idx = canon;
		}
		if (c->opts[idx].has_arg) {
			if (!val) {
				if (i + 1 >= argc)
					return cli_usage_error(cli, "option '--%s' needs a value",
					                       c->opts[idx].lng);
				val = argv[++i];
			}
			a->val[idx] = val;
		} else {
			if (val)
				return cli_usage_error(cli, "option '--%s' takes no value",
				                       c->opts[idx].lng);
			a->val[idx] = "1";
		}
	}
	if (a->npos < c->min_pos)
		return cli_usage_error(cli, "missing argument(s): %s", c->args ? c->args : "");
	if (c->max_pos >= 0 && a->npos > c->max_pos)
		return cli_usage_error(cli, "unexpected argument '%s'", a->pos[c->max_pos]);
	return 0;
}

/* ---- connection ---- */

const char *cli_config_path(const struct cli *cli, char *buf, size_t n)
{
	const char *home = getenv("HOME");
	if (cli->config_path)
		return cli->config_path;
	snprintf(buf, n, "%s/.drove", home && *home ? home : ".");
	return buf;
}

static void on_log(int level, const char *module, const char *msg, void *ud)
{
	(void)ud;
	fprintf(stderr, "[%s] %s: %s\n", drove_log_level_name(level), module, msg);
}

static int connect_client(struct cli *cli, drove_client_config **cfg_keep)
{
	char pathbuf[4096];
	const char *path = cli_config_path(cli, pathbuf, sizeof(pathbuf));
	drove_client_config *cfg = NULL;
	const char *endpoint = cli->endpoint, *user = cli->user, *pass = cli->password;
	const char *hdr = cli->auth_header;
	int insecure = cli->insecure, rc;

	if (!endpoint) {
		rc = drove_client_config_load(&cfg, path);
		if (rc == DROVE_ENOTFOUND && !cli->config_path && !cli->cluster) {
			cfg = NULL;
		} else if (rc < 0) {
			return cli_fail(NULL);
		}
	}
	if (cfg) {
		const char *cluster =
		        cli->cluster ? cli->cluster
		                     : drove_client_config_get(cfg, "DEFAULT", "current_cluster");
		if (!cluster || !*cluster)
			cluster = "DEFAULT";
		if (strcmp(cluster, "DEFAULT") != 0 &&
		    !drove_client_config_has_section(cfg, cluster)) {
			fprintf(stderr, "drove: cluster '%s' not found in %s\n", cluster, path);
			drove_client_config_free(cfg);
			return CLI_ERR;
		}
		endpoint = drove_client_config_get(cfg, cluster, "endpoint");
		if (!user && !pass && !hdr) {
			user = drove_client_config_get(cfg, cluster, "username");
			pass = drove_client_config_get(cfg, cluster, "password");
			hdr = drove_client_config_get(cfg, cluster, "auth_header");
		}
		if (!insecure)
			insecure = cli_bool(drove_client_config_get(cfg, cluster, "insecure"));
		if (!endpoint) {
			fprintf(stderr, "drove: cluster '%s' in %s has no endpoint\n", cluster,
			        path);
			drove_client_config_free(cfg);
			return CLI_ERR;
		}
	} else if (cli->cluster) {
		fprintf(stderr, "drove: cluster '%s' given but %s does not exist\n", cli->cluster,
		        path);
		return CLI_ERR;
	}
	if (!endpoint)
		endpoint = CLI_DEFAULT_ENDPOINT;
	if ((rc = drove_client_new(&cli->client, cli->ctx)) < 0)
		goto fail;
	{
		const char *p = endpoint;
		while (*p) {
			char one[1024];
			size_t n = strcspn(p, ",");
			if (n >= sizeof(one)) {
				fprintf(stderr, "drove: endpoint too long\n");
				drove_client_config_free(cfg);
				return CLI_USAGE;
			}
			memcpy(one, p, n);
			one[n] = '\0';
			if (n && drove_client_add_endpoint(cli->client, one) < 0) {
				drove_client_config_free(cfg);
				cli_fail(NULL);
				return CLI_USAGE;
			}
			p += n + (p[n] == ',');
		}
	}
	if (hdr && *hdr && !(user && pass))
		rc = drove_client_set_auth_header(cli->client, hdr);
	else if (user && pass)
		rc = drove_client_set_basic_auth(cli->client, user, pass);
	else if (user || pass)
		rc = 0,
		fprintf(stderr, "drove: warning: basic auth needs both -u and -p; sending none\n");
	if (rc < 0)
		goto fail;
	drove_client_set_insecure(cli->client, insecure);
	{
		const char *r = getenv("DROVE_CLI_RETRIES");
		long long n;
		if (r && cli_int("DROVE_CLI_RETRIES", r, 0, 100, &n) == 0)
			drove_client_set_retries(cli->client, (int)n, 100, 1000);
		else
			drove_client_set_retries(cli->client, 2, 200, 1000);
	}
	*cfg_keep = cfg;
	return 0;
fail:
	drove_client_config_free(cfg);
	return cli_fail(NULL);
}

int cli_bool(const char *s)
{
	return s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	             strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0);
}

/* ---- main ---- */

static int need_arg(int argc, char **argv, int *i, const char **out)
{
	const char *s = argv[*i], *eq = s[1] == '-' ? strchr(s, '=') : NULL;
	if (eq) {
		*out = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "drove: option '%s' needs a value\n", s);
		return -1;
	}
	*out = argv[++*i];
	return 0;
}

static int is_opt(const char *s, const char *sh, const char *lng)
{
	size_t n = strlen(lng);
	return (sh && strcmp(s, sh) == 0) || strcmp(s, lng) == 0 ||
	       (strncmp(s, lng, n) == 0 && s[n] == '=');
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct cli_args args;
	drove_client_config *cfg = NULL;
	int i = 1, rc;

	memset(&cli, 0, sizeof(cli));
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *s = argv[i];
		const char **dst = NULL;
		if (is_opt(s, "-e", "--endpoint"))
			dst = &cli.endpoint;
		else if (is_opt(s, "-c", "--cluster"))
			dst = &cli.cluster;
		else if (is_opt(s, "-u", "--username"))
			dst = &cli.user;
		else if (is_opt(s, "-p", "--password"))
			dst = &cli.password;
		else if (is_opt(s, "-t", "--auth-header"))
			dst = &cli.auth_header;
		else if (is_opt(s, "-f", "--file") || is_opt(s, NULL, "--config"))
			dst = &cli.config_path;
		else if (is_opt(s, NULL, "--print-completion")) {
			const char *shell;
			if (need_arg(argc, argv, &i, &shell) < 0)
				return CLI_USAGE;
			return cli_print_completion(shell);
		} else if (strcmp(s, "--full-help") == 0) {
			cli_help_full();
			return CLI_OK;
		} else if (strcmp(s, "-i") == 0 || strcmp(s, "--insecure") == 0)
			cli.insecure = 1;
		else if (strcmp(s, "--json") == 0)
			cli.json = 1;
		else if (strcmp(s, "-d") == 0 || strcmp(s, "--debug") == 0)
			cli.debug = 1;
		else if (strcmp(s, "-v") == 0 || strcmp(s, "--version") == 0) {
			printf("drove %s (libdrove %s)\n", DROVE_VERSION_STRING,
			       drove_version_string());
			return CLI_OK;
		} else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			cli_help_global();
			return CLI_OK;
		} else {
			fprintf(stderr, "drove: unknown option '%s'\nsee `drove --help`\n", s);
			return CLI_USAGE;
		}
		if (dst && need_arg(argc, argv, &i, dst) < 0)
			return CLI_USAGE;
	}
	if (i >= argc) {
		cli_help_global();
		return CLI_USAGE;
	}
	for (const struct cli_cmd *c = cli_commands; c->name && !cli.cmd; c++) {
		if (!c->group && strcmp(c->name, argv[i]) == 0) {
			cli.cmd = c;
			i++;
		} else if (c->group && strcmp(c->group, argv[i]) == 0 && i + 1 < argc &&
		           strcmp(c->name, argv[i + 1]) == 0) {
			cli.cmd = c;
			i += 2;
		}
	}
	if (!cli.cmd) {
		if (group_exists(argv[i])) {
			if (i + 1 < argc && (strcmp(argv[i + 1], "-h") == 0 ||
			                     strcmp(argv[i + 1], "--help") == 0)) {
				cli_help_group(argv[i]);
				return CLI_OK;
			}
			if (i + 1 < argc)
				fprintf(stderr, "drove: %s: unknown subcommand '%s'\n", argv[i],
				        argv[i + 1]);
			else
				fprintf(stderr, "drove: %s: a subcommand is needed\n", argv[i]);
			cli_help_group(argv[i]);
			return CLI_USAGE;
		}
		fprintf(stderr, "drove: unknown command '%s'\nsee `drove --help`\n", argv[i]);
		return CLI_USAGE;
	}
	rc = parse_cmd(&cli, argc - i, argv + i, &args);
	if (rc == 1)
		return CLI_OK;
	if (rc)
		return rc;
	if (drove_ctx_new(&cli.ctx) < 0)
		return cli_fail(NULL);
	if (cli.debug)
		drove_ctx_set_log(cli.ctx, DROVE_LOG_DEBUG, on_log, NULL);
	if (cli.cmd->needs_client && (rc = connect_client(&cli, &cfg)) != 0) {
		drove_client_free(cli.client);
		drove_ctx_free(cli.ctx);
		return rc;
	}
	rc = cli.cmd->fn(&cli, &args);
	drove_client_config_free(cfg);
	drove_client_free(cli.client);
	drove_ctx_free(cli.ctx);
	return rc;
}
