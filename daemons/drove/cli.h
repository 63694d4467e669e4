/* The drove CLI: shared declarations of its files (main.c, render.c, cmds.c, plan.c). */
#ifndef DROVE_CLI_H
#define DROVE_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <drove/client.h>
#include <drove/ctx.h>

/* Exit codes. */
#define CLI_OK    0
#define CLI_ERR   1 /* the API (or a file) failed: message on stderr */
#define CLI_USAGE 2 /* bad command line */

/* The controller asked when neither flags nor ~/.drove name one. */
#define CLI_DEFAULT_ENDPOINT "http://127.0.0.1:4000"

#define CLI_MAX_OPTS 16
#define CLI_MAX_POS  64

/* One command-line option of a command. */
struct cli_opt {
	char sh;              /* short name or 0 */
	const char *lng;      /* long name */
	int has_arg;          /* takes a value */
	const char *help;     /* one line; NULL for an alias (not listed in help) */
	const char *alias_of; /* an alias: the long name of the option it stands for */
};

/* Parsed options of the running command. */
struct cli_args {
	const char *val[CLI_MAX_OPTS]; /* value, or "1" for a flag that is set; NULL when absent */
	char *pos[CLI_MAX_POS];
	int npos;
};

struct cli;
typedef int (*cli_fn)(struct cli *cli, const struct cli_args *a);

struct cli_cmd {
	const char *group; /* NULL for a top-level command */
	const char *name;
	const char *args; /* positional arguments, for usage */
	int min_pos, max_pos;
	int needs_client;
	cli_fn fn;
	const char *help;
	struct cli_opt opts[CLI_MAX_OPTS]; /* terminated by lng == NULL */
};

struct cli {
	drove_ctx *ctx;
	drove_client *client;
	int json;
	int debug;
	const char *config_path; /* --config, or NULL for $HOME/.drove */
	const struct cli_cmd *cmd;
	/* connection, after flags and config are merged */
	const char *endpoint, *cluster, *user, *password, *auth_header;
	int insecure;
};

extern const struct cli_cmd cli_commands[];

/* Value of option `lng` of the running command, NULL when absent. */
const char *cli_opt(const struct cli *cli, const struct cli_args *a, const char *lng);
int cli_flag(const struct cli *cli, const struct cli_args *a, const char *lng);
/* Parse an integer option/argument in [min, max]; prints a usage error. @return 0 or -1. */
int cli_int(const char *what, const char *s, long long min, long long max, long long *out);

/* Report a libdrove error (the thread's last message) on stderr; returns CLI_ERR. */
int cli_fail(const char *what);
/* Report a usage error; returns CLI_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* "true"/"yes"/"on"/"1" (any case) -> 1. */
int cli_bool(const char *s);
/* The configuration file: --config, else $HOME/.drove. */
const char *cli_config_path(const struct cli *cli, char *buf, size_t n);

/* ---- help.c: help and completion, generated from cli_commands ---- */
void cli_help_command(const struct cli_cmd *c);
void cli_help_group(const char *group);
void cli_help_global(void);
/* --full-help: the global help, then every group's and every command's. */
void cli_help_full(void);
/* --print-completion SHELL (bash, zsh or tcsh). @return CLI_OK or CLI_USAGE. */
int cli_print_completion(const char *shell);

/* ---- render.c ---- */
/* Parse JSON text the client returned (never fails on its output; NULL on garbage). */
json_object *cli_parse(const char *text);
/* Print `data` as pretty JSON (the --json output). */
void cli_print_json(json_object *data);
/* Print a JSON object as an indented "key  value" listing (Drove's print_dict). */
void cli_print_dict(json_object *obj, int level);
/* Epoch ms as "dd/mm/YYYY, HH:MM:SS" (local time) into buf. */
const char *cli_date(int64_t ms, char *buf, size_t n);
/* A field of an object as text ("" when absent); buf is used for non-strings. */
const char *cli_str(json_object *obj, const char *key, char *buf, size_t n);

/* A text table (tabulate's "simple" format). */
struct cli_table;
struct cli_table *cli_table_new(int ncols, const char *const *headers);
void cli_table_add(struct cli_table *t, const char *const *cells);
/* Sort by column `col` (numerically when every cell is a number), then print and free. */
void cli_table_print(struct cli_table *t, int sort_col, int reverse);

/* ---- commands shared between files ---- */
int cli_cmd_plan(struct cli *cli, const struct cli_args *a);
/* Read a whole file (at most 16 MiB) into a new string; prints the error. */
char *cli_read_file(const char *path);

#endif
