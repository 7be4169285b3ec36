/* cmd_tag.c: `ficd tag`: list the archive's tags, list/add/remove the tags of a work, and
 * mark tags canonical. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tag_usage(FILE *f)
{
    fprintf(f,
            "usage: ficd tag list [--type TYPE] [--prefix P] [--limit N] [--format json]\n"
            "       ficd tag list WORK_ID\n"
            "       ficd tag add WORK_ID TYPE NAME...\n"
            "       ficd tag remove WORK_ID TYPE NAME...\n"
            "       ficd tag canonical [--type TYPE] [--off] NAME...\n\n"
            "TYPE is one of fandom, relationship, character, freeform (or additional).\n"
            "  list       the archive's tags, most used first (or the tags of one work)\n"
            "  add        adds tags to a work, creating them (non-canonical) when new\n"
            "  remove     removes tags from a work\n"
            "  canonical  marks existing tags canonical (--off: not canonical)\n\n"
            "options:\n"
            "  --type TYPE   only tags of this type\n"
            "  --prefix P    only tags whose name starts with P (case-insensitive)\n"
            "  --limit N     at most N tags\n"
            "  --format FMT  text (default) or json\n"
            "  --data DIR    data directory (default ./ficd-data or $FICD_DATA)\n"
            "  -h, --help    show this help\n");
}

struct tag_list_ctx {
    int json;
};

static int print_tag(const struct tag *t, void *ctx)
{
    struct tag_list_ctx *c = ctx;
    if (c->json) {
        json_t *j = json_pack("{s:I,s:s,s:s,s:b,s:I}", "id", (json_int_t)t->id, "type",
                              tag_type_name(t->type), "name", t->name, "canonical", t->canonical,
                              "uses", (json_int_t)t->uses);
        cli_print_json(stdout, j);
        json_decref(j);
    } else {
        printf("%-13s %6lld  %s%s\n", tag_type_name(t->type), (long long)t->uses, t->name,
               t->canonical ? "  (canonical)" : "");
    }
    return 0;
}

static int parse_type(const char *s)
{
    int t = tag_type_from_name(s);
    if (t < 0 || t > TAG_FREEFORM) {
        fprintf(stderr, "ficd tag: unknown tag type '%s' (fandom, relationship, character, "
                        "freeform)\n",
                s);
        return -1;
    }
    return t;
}

static int list_work_tags(struct store *s, long long id, int json)
{
    struct work w;
    int rc = store_work_get(s, id, 0, &w);
    if (rc) {
        fprintf(stderr, "ficd tag: %s\n", rc == FICD_ENOTFOUND ? "no such work" : store_errmsg(s));
        return rc == FICD_ENOTFOUND ? CLI_USAGE : CLI_FAIL;
    }
    const struct strlist *lists[] = {&w.fandoms, &w.relationships, &w.characters, &w.freeforms};
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < lists[t]->n; i++) {
            if (json) {
                json_t *j = json_pack("{s:s,s:s}", "type", tag_type_name((enum tag_type)t),
                                      "name", lists[t]->v[i]);
                cli_print_json(stdout, j);
                json_decref(j);
            } else {
                printf("%-13s %s\n", tag_type_name((enum tag_type)t), lists[t]->v[i]);
            }
        }
    work_free(&w);
    return CLI_OK;
}

static int run_tag(int argc, char **argv)
{
    const char *data = NULL, *prefix = NULL;
    int type = -1, limit = 0, json = 0, off = 0;
    static const struct option opts[] = {
        {"type", required_argument, 0, 't'},   {"prefix", required_argument, 0, 'p'},
        {"limit", required_argument, 0, 'l'},  {"format", required_argument, 0, 'f'},
        {"off", no_argument, 0, 'O'},          {"data", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if ((type = parse_type(optarg)) < 0)
                return CLI_USAGE;
            break;
        case 'p': prefix = optarg; break;
        case 'l': limit = atoi(optarg); break;
        case 'f': json = !strcmp(optarg, "json"); break;
        case 'O': off = 1; break;
        case 'd': data = optarg; break;
        case 'h': tag_usage(stdout); return CLI_OK;
        default: tag_usage(stderr); return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        tag_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[optind++];
    int nargs = argc - optind;
    char **args = argv + optind;
    if (strcmp(sub, "list") && strcmp(sub, "add") && strcmp(sub, "remove") &&
        strcmp(sub, "canonical")) {
        fprintf(stderr, "ficd tag: unknown action '%s' (list, add, remove, canonical)\n", sub);
        return CLI_USAGE;
    }
    long long id = 0;
    int ttype = -1;
    if (!strcmp(sub, "add") || !strcmp(sub, "remove")) {
        if (nargs < 3) {
            fprintf(stderr, "ficd tag %s: usage: ficd tag %s WORK_ID TYPE NAME...\n", sub, sub);
            return CLI_USAGE;
        }
        if (!(id = cli_parse_id(args[0])) || (ttype = parse_type(args[1])) < 0)
            return CLI_USAGE;
    } else if (!strcmp(sub, "list") && nargs == 1) {
        if (!(id = cli_parse_id(args[0])))
            return CLI_USAGE;
    } else if (!strcmp(sub, "list") && nargs > 1) {
        fprintf(stderr, "ficd tag list: at most one WORK_ID\n");
        return CLI_USAGE;
    } else if (!strcmp(sub, "canonical") && nargs < 1) {
        fprintf(stderr, "ficd tag canonical: name at least one tag\n");
        return CLI_USAGE;
    }
    struct store *s;
    if (cli_open_store(cli_data_dir(data), &s))
        return CLI_FAIL;
    int status = CLI_OK;
    if (!strcmp(sub, "list")) {
        if (id) {
            status = list_work_tags(s, id, json);
        } else {
            struct tag_list_ctx ctx = {json};
            if (store_tag_list(s, type, prefix, limit, print_tag, &ctx)) {
                fprintf(stderr, "ficd tag list: %s\n", store_errmsg(s));
                status = CLI_FAIL;
            }
        }
    } else if (!strcmp(sub, "canonical")) {
        for (int i = 0; i < nargs && status == CLI_OK; i++) {
            struct tag t;
            int rc = store_tag_find(s, type, args[i], &t);
            if (rc) {
                fprintf(stderr, "ficd tag canonical: %s: %s\n", args[i],
                        rc == FICD_ENOTFOUND ? "no such tag" : store_errmsg(s));
                status = rc == FICD_ENOTFOUND ? CLI_USAGE : CLI_FAIL;
                break;
            }
            if (store_tag_set_canonical(s, t.id, !off)) {
                fprintf(stderr, "ficd tag canonical: %s\n", store_errmsg(s));
                status = CLI_FAIL;
            }
            tag_free(&t);
        }
    } else {
        /* add/remove: all names in one transaction, so a failure changes nothing. */
        int add = !strcmp(sub, "add");
        if (store_begin(s)) {
            fprintf(stderr, "ficd tag: %s\n", store_errmsg(s));
            store_close(s);
            return CLI_FAIL;
        }
        for (int i = 2; i < nargs; i++) {
            int rc = add ? store_work_tag_add(s, id, (enum tag_type)ttype, args[i])
                         : store_work_tag_remove(s, id, (enum tag_type)ttype, args[i]);
            if (rc) {
                if (rc == FICD_ENOTFOUND)
                    fprintf(stderr, "ficd tag %s: %s\n", sub,
                            add ? "no such work" : "the work has no such tag");
                else
                    fprintf(stderr, "ficd tag %s: %s\n", sub, store_errmsg(s));
                status = rc == FICD_ENOTFOUND ? CLI_USAGE : CLI_FAIL;
                break;
            }
        }
        if (status == CLI_OK) {
            if (store_commit(s)) {
                fprintf(stderr, "ficd tag: %s\n", store_errmsg(s));
                status = CLI_FAIL;
            }
        } else {
            store_rollback(s);
        }
    }
    store_close(s);
    return status;
}

const struct cli_cmd cli_cmd_tag = {"tag", "list, add and remove tags; mark tags canonical",
                                    run_tag};
