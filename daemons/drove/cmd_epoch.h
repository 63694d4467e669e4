/* cmd_epoch.c: `drove epoch topology|runs VERB ...` against a drove-epoch server. The table
 * entries are a macro so that cmds.c's table takes them in one line. */
#ifndef DROVE_CLI_CMD_EPOCH_H
#define DROVE_CLI_CMD_EPOCH_H

struct cli;
struct cli_args;
int cmd_epoch_topology(struct cli *cli, const struct cli_args *a);
int cmd_epoch_runs(struct cli *cli, const struct cli_args *a);

#define CLI_EPOCH_COMMANDS                                                                      \
	{"epoch",                                                                               \
	 "topology",                                                                            \
	 "list | get <id> | create <file> | update <file> | run <id> | pause <id> | "           \
	 "unpause <id> | delete <id>",                                                          \
	 1,                                                                                     \
	 2,                                                                                     \
	 1,                                                                                     \
	 cmd_epoch_topology,                                                                    \
	 "Epoch topologies (point --endpoint at drove-epoch)",                                  \
	 {{'s', "sort", 1, "sort by this column (0-based)"},                                    \
	  {'r', "reverse", 0, "sort in reverse order"}}},                                       \
	{                                                                                       \
		"epoch", "runs",                                                                \
		        "list <id> | get <id> <run> | kill <id> <run> <task> | log <id> <run> " \
		        "<task>",                                                               \
		        2, 4, 1, cmd_epoch_runs,                                                \
		        "Epoch runs of a topology (point --endpoint at drove-epoch)",           \
		{                                                                               \
			{0, "state", 1, "only runs in this state (list)"},                      \
			        {'s', "sort", 1, "sort by this column (0-based)"},              \
			{                                                                       \
				'r', "reverse", 0, "sort in reverse order"                      \
			}                                                                       \
		}                                                                               \
	}

#endif
