/* main.c: the ficd command: global options and the subcommand table (like cgit's cmd.c). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line per command, in the order --help lists them. */
// clang-format off
static const struct cli_cmd *const commands[] = {
    &cli_cmd_init,
    &cli_cmd_import,
    &cli_cmd_import_efiction,
    &cli_cmd_export,
    &cli_cmd_list,
    &cli_cmd_show,
    &cli_cmd_tag,
    &cli_cmd_serve,
    &cli_cmd_demo,
    &cli_cmd_search,
    &cli_cmd_backup,
    &cli_cmd_user,
};
// clang-format on

static void usage(FILE *f)
{
    fprintf(f, "usage: ficd COMMAND [OPTIONS] [ARGS]\n\n"
               "ficd is a self-hosted fan-fiction archive.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-16s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nEvery command takes --data DIR (default ./ficd-data, or $FICD_DATA).\n"
               "The archive is SQLite in DIR unless $FICD_DATABASE names PostgreSQL\n"
               "(postgres://user@host/db); every command honours it.\n"
               "Run 'ficd COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i]->name))
            return commands[i]->run(argc - 1, argv + 1);
    fprintf(stderr, "ficd: unknown command '%s' (see 'ficd --help')\n", argv[1]);
    return 2;
}
