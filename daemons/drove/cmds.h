/* The drove CLI's command files (cmd_*.c, cmds.c): what they share. Every command group is one
 * file; cmds.c holds the table of commands and options that main.c, --help and the completion
 * read. */
#ifndef DROVE_CLI_CMDS_H
#define DROVE_CLI_CMDS_H

#include "cli.h"
#include "cmd_epoch.h"

/* cmd_apps.c */
int cmd_apps_cancel(struct cli *cli, const struct cli_args *a);
int cmd_apps_create(struct cli *cli, const struct cli_args *a);
int cmd_apps_deploy(struct cli *cli, const struct cli_args *a);
int cmd_apps_destroy(struct cli *cli, const struct cli_args *a);
int cmd_apps_list(struct cli *cli, const struct cli_args *a);
int cmd_apps_restart(struct cli *cli, const struct cli_args *a);
int cmd_apps_scale(struct cli *cli, const struct cli_args *a);
int cmd_apps_spec(struct cli *cli, const struct cli_args *a);
int cmd_apps_summary(struct cli *cli, const struct cli_args *a);
int cmd_apps_suspend(struct cli *cli, const struct cli_args *a);
/* Healthy instance ids of an app (ls 0) or local service (ls 1); NULL on error (printed). */
json_object *healthy_ids(struct cli *cli, const char *id, int ls);
/* Poll until `want` instances are healthy and none of `old` (may be NULL) is. */
int wait_instances(struct cli *cli, const struct cli_args *a, const char *id, int ls,
                   long long want, json_object *old);
int opspec_args(struct cli *cli, const struct cli_args *a, const char **timeout, int *par);
char *read_spec(const char *path);

/* cmd_cluster.c */
int blacklist(struct cli *cli, const struct cli_args *a, int on);
int cmd_blacklist(struct cli *cli, const struct cli_args *a);
int cmd_events(struct cli *cli, const struct cli_args *a);
int cmd_endpoints(struct cli *cli, const struct cli_args *a);
int cmd_executor_appinstances(struct cli *cli, const struct cli_args *a);
int cmd_executor_info(struct cli *cli, const struct cli_args *a);
int cmd_executor_lsinstances(struct cli *cli, const struct cli_args *a);
int cmd_executor_tasks(struct cli *cli, const struct cli_args *a);
int cmd_executor_list(struct cli *cli, const struct cli_args *a);
int cmd_leader(struct cli *cli, const struct cli_args *a);
int cmd_maint_off(struct cli *cli, const struct cli_args *a);
int cmd_maint_on(struct cli *cli, const struct cli_args *a);
int cmd_ping(struct cli *cli, const struct cli_args *a);
int cmd_summary(struct cli *cli, const struct cli_args *a);
int cmd_unblacklist(struct cli *cli, const struct cli_args *a);
void on_sigint(int sig);
void render_executor(json_object *o);
void render_executor_full(json_object *o);
/* The executors table (not --json). */
int executors_table(struct cli *cli);
extern volatile sig_atomic_t stop_requested;

/* cmd_config.c */
int cmd_config_add(struct cli *cli, const struct cli_args *a);
int cmd_config_current(struct cli *cli, const struct cli_args *a);
int cmd_config_delete(struct cli *cli, const struct cli_args *a);
int cmd_config_get_clusters(struct cli *cli, const struct cli_args *a);
int cmd_config_init(struct cli *cli, const struct cli_args *a);
int cmd_config_view(struct cli *cli, const struct cli_args *a);
int cmd_config_use(struct cli *cli, const struct cli_args *a);
int cmd_describe(struct cli *cli, const struct cli_args *a);

/* cmd_instances.c */
int cmd_ai_download(struct cli *cli, const struct cli_args *a);
int cmd_ai_info(struct cli *cli, const struct cli_args *a);
int cmd_ai_kill(struct cli *cli, const struct cli_args *a);
int cmd_ai_list(struct cli *cli, const struct cli_args *a);
int cmd_ai_logs(struct cli *cli, const struct cli_args *a);
int cmd_ai_replace(struct cli *cli, const struct cli_args *a);
int cmd_ai_tail(struct cli *cli, const struct cli_args *a);
int cmd_si_download(struct cli *cli, const struct cli_args *a);
int cmd_si_info(struct cli *cli, const struct cli_args *a);
int cmd_si_kill(struct cli *cli, const struct cli_args *a);
int cmd_si_list(struct cli *cli, const struct cli_args *a);
int cmd_si_logs(struct cli *cli, const struct cli_args *a);
int cmd_si_replace(struct cli *cli, const struct cli_args *a);
int cmd_si_tail(struct cli *cli, const struct cli_args *a);
int logs_download(struct cli *cli, const struct cli_args *a, const char *kind);
int logs_list(struct cli *cli, const struct cli_args *a, const char *kind);
int logs_tail(struct cli *cli, const struct cli_args *a, const char *kind);
void render_instance(json_object *in);
/* The instances table of app (ls 0) or local service (ls 1) `id`; `old`: the old ones. */
int instances_table(struct cli *cli, int ls, const char *id, int old);

/* cmd_ls.c */
int cmd_ls_activate(struct cli *cli, const struct cli_args *a);
int cmd_ls_cancel(struct cli *cli, const struct cli_args *a);
int cmd_ls_create(struct cli *cli, const struct cli_args *a);
int cmd_ls_deactivate(struct cli *cli, const struct cli_args *a);
int cmd_ls_deploy_test(struct cli *cli, const struct cli_args *a);
int cmd_ls_destroy(struct cli *cli, const struct cli_args *a);
int cmd_ls_list(struct cli *cli, const struct cli_args *a);
int cmd_ls_restart(struct cli *cli, const struct cli_args *a);
int cmd_ls_scale(struct cli *cli, const struct cli_args *a);
int cmd_ls_spec(struct cli *cli, const struct cli_args *a);
int cmd_ls_summary(struct cli *cli, const struct cli_args *a);

/* cmd_tasks.c */
int cmd_tasks_create(struct cli *cli, const struct cli_args *a);
int cmd_tasks_delete(struct cli *cli, const struct cli_args *a);
int cmd_tasks_download(struct cli *cli, const struct cli_args *a);
int cmd_tasks_kill(struct cli *cli, const struct cli_args *a);
int cmd_tasks_list(struct cli *cli, const struct cli_args *a);
int cmd_tasks_logs(struct cli *cli, const struct cli_args *a);
int cmd_tasks_show(struct cli *cli, const struct cli_args *a);
int cmd_tasks_tail(struct cli *cli, const struct cli_args *a);
void render_task(json_object *t);

/* cmd_util.c */
extern int g_sort, g_reverse;
/* "12,345" (drove-cli's {:,}) into buf. */
const char *cli_grouped(int64_t v, char *buf, size_t n);
/* An instance's core count and memory in MB from its resources ("1,024" with `group`). */
void cores_memory(json_object *in, char *cpu, char *mem, size_t n, int group);
/* "NUMA Node 0: Cores: [2, 3]" (`cores`) or "NUMA Node 0: 128" for resource field `key`. */
const char *numa_resources(json_object *in, const char *key, int cores, char *buf, size_t n);
const char *S(json_object *obj, const char *key);
const char *date_of(json_object *o, const char *key);
/* For tables of typed records: a number, a date (epoch ms), NULL as "", in rotating buffers. */
const char *num_text(int64_t v);
const char *date_text(int64_t ms);
const char *str_text(const char *s);
/* --json prints the `_json` call's answer; a table reads the typed records. @return 1 when
 * the JSON was printed (*rc is the exit code), 0 to go on with the table. */
int json_only(struct cli *cli, int (*call)(drove_client *, char **), int *rc);
int done(struct cli *cli, int rc, const char *msg);
const char *host_of(json_object *inst);
int64_t i64(json_object *o, const char *key);
const char *node_map(json_object *m, char *buf, size_t n);
int64_t now_ms(void);
int64_t poll_ms(void);
void print_id_json(const char *key, const char *id);
void render_dict(json_object *o);
void render_pretty(json_object *o);
int show(struct cli *cli, int rc, char **datap, void (*render)(json_object *));
void sleep_ms(int64_t ms);
int sort_col(const struct cli *cli, const struct cli_args *a, int ncols);

#endif
