/* cmd_tag.c: `ficd tag`: list the archive's tags, list/add/remove the tags of a work, and
 * wrangle tags: canonical, synonyms and merges, parent fandoms, meta/sub tags, the
 * unwrangled queue and one tag's links. */
#include "cli/cli.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tag_usage(FILE *f)
{
    fprintf(f, "usage: ficd tag list [--type TYPE] [--prefix P] [--limit N] [--format json]\n"
               "       ficd tag list WORK_ID\n"
               "       ficd tag add WORK_ID TYPE NAME...\n"
               "       ficd tag remove WORK_ID TYPE NAME...\n"
               "       ficd tag show [--type TYPE] [--format json] NAME\n"
               "       ficd tag canonical [--type TYPE] [--off] NAME...\n"
               "       ficd tag merge [--type TYPE] SYNONYM CANONICAL\n"
               "       ficd tag synonym [--type TYPE] TAG CANONICAL\n"
               "       ficd tag synonym [--type TYPE] --remove TAG\n"
               "       ficd tag parent [--type TYPE] [--remove] CHILD PARENT\n"
               "       ficd tag meta [--type TYPE] [--remove] META SUB\n"
               "       ficd tag unwrangled [--type TYPE] [--limit N] [--format json]\n\n"
               "TYPE is one of fandom, relationship, character, freeform (or additional).\n"
               "  list        the archive's tags, most used first (or the tags of one work)\n"
               "  add         adds tags to a work, creating them (non-canonical) when new\n"
               "  remove      removes tags from a work\n"
               "  show        a tag's type, canonical status, synonyms, parents, children,\n"
               "              meta and sub tags\n"
               "  canonical   marks existing tags canonical (--off: not canonical; refused for a\n"
               "              tag with synonyms, meta/sub or child tags)\n"
               "  merge       makes SYNONYM (and its own synonyms) a synonym of the canonical tag\n"
               "              CANONICAL: their works count as CANONICAL's everywhere; SYNONYM's\n"
               "              parents, children, meta and sub tags move to CANONICAL\n"
               "  synonym     the same for a tag without synonyms of its own (--remove: TAG is a\n"
               "              synonym of nothing again)\n"
               "  parent      gives a character, relationship or freeform the canonical fandom\n"
               "              PARENT (--remove: takes it away); --type names CHILD's type\n"
               "  meta        makes canonical META a meta tag of canonical SUB (same type, no\n"
               "              cycles): a search for META includes SUB's works (--remove: unlinks)\n"
               "  unwrangled  the wrangling queue: tags neither canonical nor synonyms, and\n"
               "              canonical characters and relationships without a parent fandom\n\n"
               "Tag names are matched case-insensitively. A name used by tags of several types\n"
               "needs --type. Bad input (unknown tags, refused changes) exits with status 2.\n\n"
               "options:\n"
               "  --type TYPE   only tags of this type\n"
               "  --prefix P    only tags whose name starts with P (case-insensitive)\n"
               "  --limit N     at most N tags\n"
               "  --off         canonical: mark not canonical\n"
               "  --remove      synonym, parent, meta: remove the link instead\n"
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
        fprintf(stderr,
                "ficd tag: unknown tag type '%s' (fandom, relationship, character, "
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
                json_t *j = json_pack("{s:s,s:s}", "type", tag_type_name((enum tag_type)t), "name",
                                      lists[t]->v[i]);
                cli_print_json(stdout, j);
                json_decref(j);
            } else {
                printf("%-13s %s\n", tag_type_name((enum tag_type)t), lists[t]->v[i]);
            }
        }
    work_free(&w);
    return CLI_OK;
}

/* Finds the tag called name: of type when type >= 0, else of whichever of the four types
 * has one (several: an error asking for --type). Prints the problem and returns the exit
 * status on failure, 0 with *out filled (tag_free it) on success. */
static int find_tag(struct store *s, const char *cmd, int type, const char *name, struct tag *out)
{
    memset(out, 0, sizeof(*out));
    int rc;
    if (type >= 0) {
        rc = store_tag_find(s, type, name, out);
        if (rc == FICD_ENOTFOUND)
            fprintf(stderr, "ficd tag %s: no %s tag named '%s'\n", cmd,
                    tag_type_name((enum tag_type)type), name);
    } else {
        char types[128] = "";
        int found = 0;
        rc = FICD_ENOTFOUND;
        for (int t = 0; t <= TAG_FREEFORM; t++) {
            struct tag cand;
            int r = store_tag_find(s, t, name, &cand);
            if (r == FICD_ENOTFOUND)
                continue;
            if (r) {
                rc = r;
                break;
            }
            size_t n = strlen(types);
            snprintf(types + n, sizeof(types) - n, "%s%s", found ? ", " : "",
                     tag_type_name((enum tag_type)t));
            if (!found++) {
                *out = cand;
                rc = 0;
            } else {
                tag_free(&cand);
            }
        }
        if (rc == FICD_ENOTFOUND)
            fprintf(stderr, "ficd tag %s: no tag named '%s'\n", cmd, name);
        if (!rc && found > 1) {
            fprintf(stderr, "ficd tag %s: '%s' names tags of several types (%s); use --type\n", cmd,
                    name, types);
            tag_free(out);
            return CLI_USAGE;
        }
    }
    if (rc == FICD_ENOTFOUND)
        return CLI_USAGE;
    if (rc) {
        fprintf(stderr, "ficd tag %s: %s\n", cmd, store_errmsg(s));
        return CLI_FAIL;
    }
    return 0;
}

/* The exit status for a store failure rc of action cmd, after printing why. */
static int store_failure(struct store *s, const char *cmd, int rc)
{
    fprintf(stderr, "ficd tag %s: %s\n", cmd, store_errmsg(s));
    return rc == FICD_EINVAL || rc == FICD_ENOTFOUND ? CLI_USAGE : CLI_FAIL;
}

/* merge, synonym, parent, meta: two names (one with synonym --remove). */
static int wrangle(struct store *s, const char *cmd, int type, int remove, char **args)
{
    struct tag a, b;
    memset(&b, 0, sizeof(b));
    int status = find_tag(s, cmd, type, args[0], &a);
    if (status)
        return status;
    int unlink = remove && !strcmp(cmd, "synonym");
    if (!unlink) {
        /* the second tag has the first's type, except a parent (always a fandom) */
        int btype = !strcmp(cmd, "parent") ? TAG_FANDOM : (int)a.type;
        status = find_tag(s, cmd, btype, args[1], &b);
        if (status) {
            tag_free(&a);
            return status;
        }
    }
    int rc;
    const char *done;
    if (!strcmp(cmd, "merge")) {
        rc = store_tag_merge(s, a.id, b.id);
        done = "merged '%s' into '%s'\n";
    } else if (!strcmp(cmd, "synonym")) {
        rc = store_tag_set_synonym(s, a.id, unlink ? 0 : b.id);
        done = unlink ? "'%s' is a synonym of nothing now%s\n" : "'%s' is a synonym of '%s'\n";
    } else if (!strcmp(cmd, "parent")) {
        rc = remove ? store_tag_remove_parent(s, a.id, b.id) : store_tag_add_parent(s, a.id, b.id);
        done = remove ? "'%s' no longer has the parent '%s'\n" : "'%s' has the parent '%s'\n";
    } else {
        rc = remove ? store_tag_remove_meta(s, a.id, b.id) : store_tag_add_meta(s, a.id, b.id);
        done = remove ? "'%s' is no longer a meta tag of '%s'\n" : "'%s' is a meta tag of '%s'\n";
    }
    if (rc)
        status = store_failure(s, cmd, rc);
    else
        printf(done, a.name, unlink ? "" : b.name);
    tag_free(&a);
    tag_free(&b);
    return status;
}

struct links_ctx {
    json_t *arr;
    int n;
};

static int link_cb(const struct tag *t, void *ctx)
{
    struct links_ctx *c = ctx;
    if (c->arr) {
        json_t *o = json_pack("{s:I,s:s,s:s,s:b}", "id", (json_int_t)t->id, "type",
                              tag_type_name(t->type), "name", t->name, "canonical", t->canonical);
        if (!o || json_array_append_new(c->arr, o))
            return 1;
    } else {
        printf("%s%s", c->n ? ", " : " ", t->name);
    }
    c->n++;
    return 0;
}

/* `ficd tag show NAME`: the tag and its links, as text or one JSON object. */
static int show_tag(struct store *s, int type, const char *name, int json)
{
    static const char *const labels[] = {"synonyms", "parents", "children", "metas", "subs"};
    struct tag t, c;
    memset(&c, 0, sizeof(c));
    int status = find_tag(s, "show", type, name, &t);
    if (status)
        return status;
    int rc = t.synonym_of ? store_tag_get(s, t.synonym_of, &c) : 0;
    json_t *j = NULL;
    if (!rc && json) {
        j = json_pack("{s:I,s:s,s:s,s:b,s:I}", "id", (json_int_t)t.id, "type",
                      tag_type_name(t.type), "name", t.name, "canonical", t.canonical, "uses",
                      (json_int_t)t.uses);
        if (!j || json_object_set_new(j, "synonym_of", c.name ? json_string(c.name) : json_null()))
            rc = FICD_ENOMEM;
    } else if (!rc) {
        printf("%s\n  type: %s\n  canonical: %s\n  uses: %lld\n", t.name, tag_type_name(t.type),
               t.canonical ? "yes" : "no", (long long)t.uses);
        if (c.name)
            printf("  synonym of: %s\n", c.name);
    }
    for (int k = TAG_LINK_SYNONYMS; !rc && k <= TAG_LINK_SUBS; k++) {
        struct links_ctx lc = {json ? json_array() : NULL, 0};
        if (json && !lc.arr) {
            rc = FICD_ENOMEM;
            break;
        }
        if (!json)
            printf("  %s:", labels[k]);
        rc = store_tag_linked(s, t.id, (enum tag_link)k, 0, link_cb, &lc);
        if (json)
            json_object_set_new(j, labels[k], lc.arr);
        else
            printf("%s\n", lc.n ? "" : " (none)");
    }
    if (!rc && j)
        cli_print_json(stdout, j);
    json_decref(j);
    if (rc)
        status = store_failure(s, "show", rc);
    tag_free(&t);
    tag_free(&c);
    return status;
}

static int print_unwrangled(const struct tag *t, void *ctx)
{
    struct tag_list_ctx *c = ctx;
    const char *why = t->canonical ? "canonical, no parent fandom" : "not canonical";
    if (c->json) {
        json_t *j = json_pack("{s:I,s:s,s:s,s:b,s:I,s:s}", "id", (json_int_t)t->id, "type",
                              tag_type_name(t->type), "name", t->name, "canonical", t->canonical,
                              "uses", (json_int_t)t->uses, "reason", why);
        cli_print_json(stdout, j);
        json_decref(j);
    } else {
        printf("%-13s %6lld  %s  (%s)\n", tag_type_name(t->type), (long long)t->uses, t->name, why);
    }
    return 0;
}

static int run_tag(int argc, char **argv)
{
    const char *data = NULL, *prefix = NULL;
    int type = -1, limit = 0, json = 0, off = 0, remove = 0;
    static const struct option opts[] = {{"type", required_argument, 0, 't'},
                                         {"prefix", required_argument, 0, 'p'},
                                         {"limit", required_argument, 0, 'l'},
                                         {"format", required_argument, 0, 'f'},
                                         {"off", no_argument, 0, 'O'},
                                         {"data", required_argument, 0, 'd'},
                                         {"remove", no_argument, 0, 'R'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't':
            if ((type = parse_type(optarg)) < 0)
                return CLI_USAGE;
            break;
        case 'p':
            prefix = optarg;
            break;
        case 'l': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 0 || v > 1000000) {
                fprintf(stderr, "ficd tag: --limit takes a number from 0 to 1000000\n");
                return CLI_USAGE;
            }
            limit = (int)v;
            break;
        }
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
                fprintf(stderr, "ficd tag: --format takes text or json\n");
                return CLI_USAGE;
            }
            json = !strcmp(optarg, "json");
            break;
        case 'O':
            off = 1;
            break;
        case 'R':
            remove = 1;
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            tag_usage(stdout);
            return CLI_OK;
        default:
            tag_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        tag_usage(stderr);
        return CLI_USAGE;
    }
    const char *sub = argv[optind++];
    int nargs = argc - optind;
    char **args = argv + optind;
    static const char *const actions[] = {"list",  "add",     "remove", "canonical", "show",
                                          "merge", "synonym", "parent", "meta",      "unwrangled"};
    size_t action = 0;
    while (action < sizeof(actions) / sizeof(actions[0]) && strcmp(sub, actions[action]))
        action++;
    if (action == sizeof(actions) / sizeof(actions[0])) {
        fprintf(stderr,
                "ficd tag: unknown action '%s' (list, add, remove, show, canonical, merge, "
                "synonym, parent, meta, unwrangled)\n",
                sub);
        return CLI_USAGE;
    }
    int two_names = !strcmp(sub, "merge") || !strcmp(sub, "synonym") || !strcmp(sub, "parent") ||
                    !strcmp(sub, "meta");
    int want = !strcmp(sub, "synonym") && remove ? 1 : 2;
    if (two_names && nargs != want) {
        fprintf(stderr, "ficd tag %s: %s\n", sub,
                !strcmp(sub, "merge")    ? "usage: ficd tag merge SYNONYM CANONICAL"
                : !strcmp(sub, "parent") ? "usage: ficd tag parent [--remove] CHILD PARENT"
                : !strcmp(sub, "meta")   ? "usage: ficd tag meta [--remove] META SUB"
                : remove                 ? "usage: ficd tag synonym --remove TAG"
                                         : "usage: ficd tag synonym TAG CANONICAL");
        return CLI_USAGE;
    }
    if (remove && !two_names) {
        fprintf(stderr, "ficd tag %s: --remove applies to synonym, parent and meta\n", sub);
        return CLI_USAGE;
    }
    if ((!strcmp(sub, "show") && nargs != 1) || (!strcmp(sub, "unwrangled") && nargs)) {
        fprintf(stderr, "ficd tag %s: usage: ficd tag %s\n", sub,
                !strcmp(sub, "show") ? "show [--type TYPE] NAME" : "unwrangled [--type TYPE]");
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
    if (two_names) {
        status = wrangle(s, sub, type, remove, args);
    } else if (!strcmp(sub, "show")) {
        status = show_tag(s, type, args[0], json);
    } else if (!strcmp(sub, "unwrangled")) {
        struct tag_list_ctx ctx = {json};
        int rc = store_tag_unwrangled(s, type, limit, print_unwrangled, &ctx);
        if (rc)
            status = store_failure(s, sub, rc);
    } else if (!strcmp(sub, "list")) {
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
            if ((rc = store_tag_set_canonical(s, t.id, !off)))
                status = store_failure(s, "canonical", rc);
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

const struct cli_cmd cli_cmd_tag = {"tag", "list, add and remove tags; wrangle tags", run_tag};
