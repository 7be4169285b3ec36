/* cli.h: the subcommand table entries and helpers shared by the subcommands. */
#ifndef FICD_CLI_H
#define FICD_CLI_H

#include <jansson.h>
#include <stdio.h>

struct store;
struct strlist;
struct work;

struct cli_cmd {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name; returns exit status */
};

extern const struct cli_cmd cli_cmd_init;
extern const struct cli_cmd cli_cmd_import;
extern const struct cli_cmd cli_cmd_import_efiction;
extern const struct cli_cmd cli_cmd_export;
extern const struct cli_cmd cli_cmd_list;
extern const struct cli_cmd cli_cmd_show;
extern const struct cli_cmd cli_cmd_tag;
extern const struct cli_cmd cli_cmd_serve;
extern const struct cli_cmd cli_cmd_demo;
extern const struct cli_cmd cli_cmd_search;
extern const struct cli_cmd cli_cmd_backup;
extern const struct cli_cmd cli_cmd_user;

/* Exit statuses: 0 success, 1 runtime failure (I/O, database), 2 bad input or usage. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* The data directory: --data DIR if given, else $FICD_DATA, else ./ficd-data. */
const char *cli_data_dir(const char *flag);
/* Opens the store in dir (creating it), printing a clear error to stderr on failure. */
int cli_open_store(const char *dir, struct store **out);
/* Parses a positive work id; prints an error and returns 0 when s is not one. */
long long cli_parse_id(const char *s);
/* A --format value of text (*json = 0) or json (*json = 1); anything else prints an error
 * naming the subcommand cmd and returns CLI_USAGE. */
int cli_parse_format(const char *cmd, const char *arg, int *json);
/* For `ficd CMD [options] WORK_ID`: the one argument left at argv[optind] as a work id, the
 * store of data opened and the work read (with its chapters' text when with_bodies).
 * Returns CLI_OK with *s open (store_close it) and *w filled (work_free it), else prints why
 * and returns CLI_USAGE (no such work, not one id) or CLI_FAIL. */
int cli_load_work(const char *cmd, int argc, char **argv, const char *data, int with_bodies,
                  struct store **s, struct work *w);
/* The importer's view of a work as JSON (the keys of `ficd import --dry-run --format json`). */
json_t *cli_work_json(const struct work *w);
/* Prints l's strings joined with ", " and a line end to stdout. */
void cli_print_joined(const struct strlist *l);
/* Prints j compactly on one line to f. */
void cli_print_json(FILE *f, json_t *j);

#endif
