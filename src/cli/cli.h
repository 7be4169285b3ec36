/* cli.h: the subcommand table entries and helpers shared by the subcommands. */
#ifndef FICD_CLI_H
#define FICD_CLI_H

struct store;

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns exit status */
};

extern const struct cli_cmd cli_cmd_init;

/* The data directory: --data DIR if given, else $FICD_DATA, else ./ficd-data. */
const char *cli_data_dir(const char *flag);
/* Opens the store in dir, printing a clear error to stderr on failure. */
int cli_open_store(const char *dir, struct store **out);

#endif
