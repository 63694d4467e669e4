/* The drove CLI: help text (global, group, command, --full-help) and shell completion scripts
 * (--print-completion), all generated from the command table of cmds.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *GLOBAL_HELP =
        "usage: drove [global options] <command> [<subcommand>] [args] [options]\n"
        "\n"
        "Global options:\n"
        "  -f, --file FILE         configuration file instead of ~/.drove (also --config)\n"
        "  -c, --cluster NAME      cluster (section) of the configuration file to use\n"
        "  -e, --endpoint URL      controller endpoint(s), comma-separated (default: the\n"
        "                          current cluster of ~/.drove, else " CLI_DEFAULT_ENDPOINT ")\n"
        "  -t, --auth-header VAL   raw Authorization header value (a token)\n"
        "  -i, --insecure          do not verify TLS certificates\n"
        "  -u, --username USER     basic-auth user\n"
        "  -p, --password PASS     basic-auth password\n"
        "  -d, --debug             print library debug messages\n"
        "      --json              print the API's data as JSON (for scripts)\n"
        "      --full-help         help for every command and subcommand\n"
        "      --print-completion {bash,zsh,tcsh}\n"
        "                          print a shell completion script\n"
        "  -v, --version           print the version\n"
        "  -h, --help              this help; `drove <command> -h` for a command\n"
        "\n"
        "Commands:\n";

/* Global options that take a value (for the completion scripts). */
static const char *const GLOBAL_VALUED[] = {"-f",
                                            "--file",
                                            "--config",
                                            "-c",
                                            "--cluster",
                                            "-e",
                                            "--endpoint",
                                            "-t",
                                            "--auth-header",
                                            "-u",
                                            "--username",
                                            "-p",
                                            "--password",
                                            "--print-completion",
                                            NULL};
static const char *const GLOBAL_FLAGS[] = {"-i",     "--insecure",  "-d", "--debug",
                                           "--json", "--full-help", "-v", "--version",
                                           "-h",     "--help",      NULL};

void cli_help_command(const struct cli_cmd *c)
{
	printf("usage: drove %s%s%s%s%s [options]\n\n%s\n", c->group ? c->group : "",
	       c->group ? " " : "", c->name, c->args ? " " : "", c->args ? c->args : "", c->help);
	printf("\nOptions:\n");
	for (int i = 0; i < CLI_MAX_OPTS && c->opts[i].lng; i++) {
		const struct cli_opt *o = &c->opts[i];
		char left[64], also[128] = "";
		size_t n = 0;
		if (o->alias_of)
			continue;
		if (o->sh)
			snprintf(left, sizeof(left), "-%c, --%s%s", o->sh, o->lng,
			         o->has_arg ? " VALUE" : "");
		else
			snprintf(left, sizeof(left), "    --%s%s", o->lng,
			         o->has_arg ? " VALUE" : "");
		for (int k = 0; k < CLI_MAX_OPTS && c->opts[k].lng; k++) {
			const struct cli_opt *al = &c->opts[k];
			if (!al->alias_of || strcmp(al->alias_of, o->lng) != 0)
				continue;
			if (al->sh)
				n += (size_t)snprintf(also + n,
				                      n < sizeof(also) ? sizeof(also) - n : 0,
				                      "%s-%c", n ? ", " : " (also ", al->sh);
			if (strcmp(al->lng, o->lng) != 0)
				n += (size_t)snprintf(also + n,
				                      n < sizeof(also) ? sizeof(also) - n : 0,
				                      "%s--%s", n ? ", " : " (also ", al->lng);
		}
		if (n && n + 1 < sizeof(also))
			strcat(also, ")");
		printf("  %-28s %s%s\n", left, o->help, also);
	}
	printf("  %-28s %s\n", "    --json", "print the API's data as JSON");
	printf("  %-28s %s\n", "-h, --help", "this help");
}

void cli_help_group(const char *group)
{
	printf("usage: drove %s <subcommand> [args] [options]\n\nSubcommands:\n", group);
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (c->group && strcmp(c->group, group) == 0)
			printf("  %-18s %s\n", c->name, c->help);
}

void cli_help_global(void)
{
	const char *last = "";
	fputs(GLOBAL_HELP, stdout);
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		if (!c->group) {
			printf("  %-14s %s\n", c->name, c->help);
		} else if (strcmp(last, c->group) != 0) {
			char all[512] = "";
			size_t n = 0;
			for (const struct cli_cmd *d = c;
			     d->name && d->group && strcmp(d->group, c->group) == 0; d++)
				n += (size_t)snprintf(all + n,
				                      n < sizeof(all) ? sizeof(all) - n : 0, "%s%s",
				                      d == c ? "" : ", ", d->name);
			printf("  %-14s %s\n", c->group, all);
			last = c->group;
		}
	}
	printf("\nExit status: 0 success, 1 the cluster or a file reported an error (message on\n"
	       "stderr), 2 bad command line. docs/cli.md and drove(1) have the details.\n");
}

static void separator(void)
{
	for (int i = 0; i < 72; i++)
		putchar('=');
	putchar('\n');
}

void cli_help_full(void)
{
	const char *last = "";
	separator();
	cli_help_global();
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		if (c->group && strcmp(last, c->group) != 0) {
			separator();
			cli_help_group(c->group);
			last = c->group;
		}
		separator();
		cli_help_command(c);
	}
}

/* ---- completion ---- */

/* The distinct groups and top-level commands, in table order, space-separated. */
static void print_commands_words(void)
{
	const char *last = "";
	int first = 1;
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		const char *w = c->group ? c->group : c->name;
		if (c->group && strcmp(last, c->group) == 0)
			continue;
		printf("%s%s", first ? "" : " ", w);
		first = 0;
		last = c->group ? c->group : "";
	}
}

static void print_words(const char *const *w)
{
	for (size_t i = 0; w[i]; i++)
		printf("%s%s", i ? " " : "", w[i]);
}

/* Every option spelling of a command, aliases included. */
static void print_cmd_options(const struct cli_cmd *c)
{
	for (int i = 0; i < CLI_MAX_OPTS && c->opts[i].lng; i++) {
		if (c->opts[i].sh)
			printf("-%c ", c->opts[i].sh);
		printf("--%s ", c->opts[i].lng);
	}
	printf("--json -h --help");
}

static void print_group_subcommands(const char *group)
{
	int first = 1;
	for (const struct cli_cmd *c = cli_commands; c->name; c++)
		if (c->group && strcmp(c->group, group) == 0) {
			printf("%s%s", first ? "" : " ", c->name);
			first = 0;
		}
}

static void completion_bash(void)
{
	const char *last = "";
	printf("# bash completion for drove, generated by `drove --print-completion bash`\n"
	       "_drove()\n{\n"
	       "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
	       "    local i=1 cmd=\"\" sub=\"\" opts=\"\"\n"
	       "    while [ $i -lt $COMP_CWORD ]; do\n"
	       "        local w=\"${COMP_WORDS[i]}\"\n"
	       "        if [ -z \"$cmd\" ]; then\n"
	       "            case \"$w\" in\n"
	       "                ");
	for (size_t i = 0; GLOBAL_VALUED[i]; i++)
		printf("%s%s", i ? "|" : "", GLOBAL_VALUED[i]);
	printf(") i=$((i+2)); continue;;\n"
	       "                -*) i=$((i+1)); continue;;\n"
	       "            esac\n"
	       "            cmd=\"$w\"\n"
	       "        elif [ -z \"$sub\" ] && [ \"${w#-}\" = \"$w\" ]; then\n"
	       "            sub=\"$w\"\n"
	       "        fi\n"
	       "        i=$((i+1))\n"
	       "    done\n"
	       "    if [ -z \"$cmd\" ]; then\n"
	       "        case \"$prev\" in\n"
	       "            --print-completion) COMPREPLY=($(compgen -W \"bash zsh tcsh\" -- "
	       "\"$cur\")); return;;\n"
	       "            -f|--file|--config) COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
	       "        esac\n"
	       "        COMPREPLY=($(compgen -W \"");
	print_commands_words();
	printf(" ");
	print_words(GLOBAL_VALUED);
	printf(" ");
	print_words(GLOBAL_FLAGS);
	printf("\" -- \"$cur\"))\n        return\n    fi\n    case \"$cmd\" in\n");
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		if (!c->group) {
			printf("        %s) opts=\"", c->name);
			print_cmd_options(c);
			printf("\";;\n");
			continue;
		}
		if (strcmp(last, c->group) == 0)
			continue;
		last = c->group;
		printf("        %s)\n            if [ -z \"$sub\" ]; then\n"
		       "                COMPREPLY=($(compgen -W \"",
		       c->group);
		print_group_subcommands(c->group);
		printf("\" -- \"$cur\")); return\n            fi\n            case \"$sub\" in\n");
		for (const struct cli_cmd *d = c;
		     d->name && d->group && strcmp(d->group, c->group) == 0; d++) {
			printf("                %s) opts=\"", d->name);
			print_cmd_options(d);
			printf("\";;\n");
		}
		printf("            esac;;\n");
	}
	printf("    esac\n"
	       "    if [ \"${cur#-}\" != \"$cur\" ]; then\n"
	       "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	       "    else\n"
	       "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
	       "    fi\n"
	       "}\n"
	       "complete -F _drove drove\n");
}

static void completion_tcsh(void)
{
	const char *last = "";
	printf("# tcsh completion for drove, generated by `drove --print-completion tcsh`\n"
	       "complete drove 'p/1/(");
	print_commands_words();
	printf(")/'");
	for (const struct cli_cmd *c = cli_commands; c->name; c++) {
		if (!c->group || strcmp(last, c->group) == 0)
			continue;
		last = c->group;
		printf(" \\\n    'n/%s/(", c->group);
		print_group_subcommands(c->group);
		printf(")/'");
	}
	printf(" \\\n    'n/--print-completion/(bash zsh tcsh)/' 'n/--file/f/' 'n/-f/f/' \\\n"
	       "    'c/--/(");
	for (size_t i = 0; GLOBAL_VALUED[i]; i++)
		if (GLOBAL_VALUED[i][1] == '-')
			printf("%s ", GLOBAL_VALUED[i] + 2);
	for (size_t i = 0; GLOBAL_FLAGS[i]; i++)
		if (GLOBAL_FLAGS[i][1] == '-')
			printf("%s%s", GLOBAL_FLAGS[i] + 2, GLOBAL_FLAGS[i + 1] ? " " : "");
	printf(")/'\n");
}

int cli_print_completion(const char *shell)
{
	if (strcmp(shell, "bash") == 0) {
		completion_bash();
	} else if (strcmp(shell, "zsh") == 0) {
		/* zsh runs the bash function through its bash-completion emulation */
		printf("#compdef drove\n"
		       "# zsh completion for drove, generated by `drove --print-completion zsh`\n"
		       "autoload -U +X bashcompinit && bashcompinit\n");
		completion_bash();
	} else if (strcmp(shell, "tcsh") == 0) {
		completion_tcsh();
	} else {
		fprintf(stderr, "drove: --print-completion: '%s' is not one of bash, zsh, tcsh\n",
		        shell);
		return CLI_USAGE;
	}
	return CLI_OK;
}
