/* cmd_user.c: `ficd user`: accounts and roles on the command line: list, add (prints a
 * one-time password), role, reset-password (prints a one-time reset link), suspend, unsuspend,
 * ban, unban. Role changes, suspensions and bans go to the moderators' audit log. */
#include "cli/cli.h"
#include "core/account.h"
#include "store/store.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESET_HOURS 24
#define CLI_ACTOR   "ficd user (command line)"

static void user_usage(FILE *f)
{
    fprintf(f,
            "usage: ficd user [--data DIR] ACTION [ARGS]\n\n"
            "Manages accounts and roles (user, wrangler, moderator, admin).\n\n"
            "actions:\n"
            "  list [--format text|json]        every account: name, role, status\n"
            "  add NAME [--role R] [--email E]  creates an account and prints a one-time\n"
            "                                   password (the user changes it in Settings)\n"
            "  role NAME ROLE                   sets the role: user, wrangler, moderator, admin\n"
            "  reset-password NAME [--url BASE] [--hours N]\n"
            "                                   prints a one-time password reset link (valid\n"
            "                                   N hours, default 24); BASE is the archive's\n"
            "                                   address (e.g. https://fic.example.org), else the\n"
            "                                   link is a path on it\n"
            "  suspend NAME [--days N] [--reason TEXT]\n"
            "                                   the account can read but not post, comment or\n"
            "                                   leave kudos for N days (default 7)\n"
            "  unsuspend NAME                   lifts a suspension\n"
            "  ban NAME [--reason TEXT]         the account cannot sign in; its sessions end\n"
            "  unban NAME                       lifts a ban\n\n"
            "options:\n"
            "  --data DIR   the data directory (default ./ficd-data or $FICD_DATA)\n"
            "  -h, --help   show this help\n\n"
            "Bad input (unknown user or role, a taken name, a bad number) exits with status 2.\n");
}

/* Prints "ficd user: msg" and returns 2. */
static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "ficd user: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return CLI_USAGE;
}

static int find_user(struct store *s, const char *name, struct user *u)
{
    int rc = store_user_get_by_name(s, name, u);
    if (rc == FICD_ENOTFOUND)
        return bad("no user named '%s' (see 'ficd user list')", name);
    if (rc) {
        fprintf(stderr, "ficd user: cannot read the account: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

struct list_ctx {
    int json;
    json_t *arr;
    int64_t now;
};

static const char *status_of(const struct user *u, int64_t now)
{
    return u->banned ? "banned" : u->suspended_until > now ? "suspended" : "active";
}

static int list_row(const struct user *u, void *ctx)
{
    struct list_ctx *x = ctx;
    if (x->json) {
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}", "id", (json_int_t)u->id, "name", u->name, "role",
                      user_role_name(u->role), "status", status_of(u, x->now), "suspended_until",
                      (json_int_t)u->suspended_until, "created", (json_int_t)u->created);
        return o && !json_array_append_new(x->arr, o) ? 0 : 1;
    }
    char until[32] = "";
    if (u->suspended_until > x->now && !u->banned) {
        time_t t = (time_t)u->suspended_until;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(until, sizeof(until), " until %Y-%m-%d", &tm);
    }
    printf("%-24s %-10s %s%s\n", u->name, user_role_name(u->role), status_of(u, x->now), until);
    return 0;
}

static int do_list(struct store *s, int argc, char **argv)
{
    struct list_ctx x = {.now = (int64_t)time(NULL)};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            const char *f = argv[++i];
            if (!strcmp(f, "json"))
                x.json = 1;
            else if (strcmp(f, "text") != 0)
                return bad("unknown format '%s' (text or json)", f);
        } else {
            return bad("unexpected argument '%s' for list", argv[i]);
        }
    }
    if (x.json && !(x.arr = json_array()))
        return CLI_FAIL;
    int rc = store_user_list(s, list_row, &x);
    if (rc) {
        json_decref(x.arr);
        fprintf(stderr, "ficd user: cannot list accounts: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    if (x.json) {
        cli_print_json(stdout, x.arr);
        json_decref(x.arr);
    }
    return CLI_OK;
}

static int do_add(struct store *s, int argc, char **argv)
{
    const char *name = NULL, *email = NULL;
    int role = ROLE_USER;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--role") && i + 1 < argc) {
            role = user_role_parse(argv[++i]);
            if (role < 0)
                return bad("unknown role '%s' (user, wrangler, moderator or admin)", argv[i]);
        } else if (!strcmp(argv[i], "--email") && i + 1 < argc) {
            email = argv[++i];
            if (!strchr(email, '@'))
                return bad("'%s' is not an email address", email);
        } else if (argv[i][0] == '-' || name) {
            return bad("unexpected argument '%s' for add", argv[i]);
        } else {
            name = argv[i];
        }
    }
    if (!name)
        return bad("%s", "add needs a NAME");
    const char *why = name_problem(name);
    if (why) {
        fprintf(stderr, "ficd user: '%s': %s\n", name, why);
        return CLI_USAGE;
    }
    char tok[65], pw[21], hash[128];
    token_new(tok);
    memcpy(pw, tok, 20);
    pw[20] = 0;
    if (password_hash(pw, hash)) {
        fprintf(stderr, "ficd user: cannot hash the password\n");
        return CLI_FAIL;
    }
    struct user u = {
        .name = (char *)name, .email = (char *)email, .pwhash = hash, .role = (enum user_role)role};
    int rc = store_user_create(s, &u);
    if (rc == FICD_EEXISTS)
        return bad("the name '%s' is taken", name);
    if (rc) {
        fprintf(stderr, "ficd user: cannot create the account: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    if (role != ROLE_USER && store_modlog_add(s, 0, CLI_ACTOR, "create account with role",
                                              user_role_name((enum user_role)role), name))
        fprintf(stderr, "ficd user: cannot write the audit log: %s\n", store_errmsg(s));
    printf("created user %s (%s)\none-time password: %s\n", name,
           user_role_name((enum user_role)role), pw);
    return CLI_OK;
}

/* NAME as the only positional argument (and options handled by the caller); 0 or 2. */
static int one_name(int argc, char **argv, const char *action, const char **name,
                    const char *const *opts, const char **vals)
{
    *name = NULL;
    for (int i = 1; i < argc; i++) {
        int matched = 0;
        for (int k = 0; opts && opts[k]; k++)
            if (!strcmp(argv[i], opts[k]) && i + 1 < argc) {
                vals[k] = argv[++i];
                matched = 1;
                break;
            }
        if (matched)
            continue;
        if (argv[i][0] == '-' || *name) {
            fprintf(stderr, "ficd user: unexpected argument '%s' for %s\n", argv[i], action);
            return CLI_USAGE;
        }
        *name = argv[i];
    }
    if (!*name) {
        fprintf(stderr, "ficd user: %s needs a NAME\n", action);
        return CLI_USAGE;
    }
    return 0;
}

/* Runs change inside a transaction with its audit log entry. */
static int logged(struct store *s, int rc, const char *action, const char *target,
                  const char *reason)
{
    if (!rc)
        rc = store_modlog_add(s, 0, CLI_ACTOR, action, target, reason);
    if (!rc)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (rc)
        fprintf(stderr, "ficd user: cannot save the change: %s\n", store_errmsg(s));
    return rc ? CLI_FAIL : CLI_OK;
}

static int do_role(struct store *s, int argc, char **argv)
{
    if (argc != 3)
        return bad("%s", "usage: ficd user role NAME ROLE");
    int role = user_role_parse(argv[2]);
    if (role < 0)
        return bad("unknown role '%s' (user, wrangler, moderator or admin)", argv[2]);
    struct user u;
    int rc = find_user(s, argv[1], &u);
    if (rc)
        return rc;
    char target[300], what[64];
    snprintf(target, sizeof(target), "user %s", u.name);
    snprintf(what, sizeof(what), "set role %s", user_role_name((enum user_role)role));
    int64_t id = u.id;
    user_free(&u);
    if (store_begin(s)) {
        fprintf(stderr, "ficd user: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    rc = logged(s, store_user_set_role(s, id, (enum user_role)role), what, target, NULL);
    if (!rc)
        printf("%s is now %s\n", argv[1], user_role_name((enum user_role)role));
    return rc;
}

static int do_reset(struct store *s, int argc, char **argv)
{
    static const char *const opts[] = {"--url", "--hours", NULL};
    const char *vals[2] = {NULL, NULL}, *name;
    int rc = one_name(argc, argv, "reset-password", &name, opts, vals);
    if (rc)
        return rc;
    int hours = RESET_HOURS;
    if (vals[1] && parse_int(vals[1], 1, 24 * 30, &hours))
        return bad("--hours wants a number of hours from 1 to 720, not '%s'", vals[1]);
    struct user u;
    if ((rc = find_user(s, name, &u)))
        return rc;
    char tok[65], h[65];
    token_new(tok);
    token_hash(tok, h);
    rc = store_reset_create(s, h, u.id, (int64_t)time(NULL) + (int64_t)hours * 3600);
    user_free(&u);
    if (rc) {
        fprintf(stderr, "ficd user: cannot store the reset link: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    const char *base = vals[0] ? vals[0] : "";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    printf("%.*s/password_reset/%s\n", (int)bl, base, tok);
    fprintf(stderr, "ficd user: a one-time link for %s, valid %d hours\n", name, hours);
    return CLI_OK;
}

static int do_sanction(struct store *s, int argc, char **argv, const char *action)
{
    static const char *const opts_suspend[] = {"--days", "--reason", NULL};
    static const char *const opts_ban[] = {"--reason", NULL};
    int suspend = !strcmp(action, "suspend");
    const char *vals[2] = {NULL, NULL}, *name;
    int rc = one_name(argc, argv, action, &name, suspend ? opts_suspend : opts_ban, vals);
    if (rc)
        return rc;
    int days = 7;
    if (suspend && vals[0] && parse_int(vals[0], 1, 3650, &days))
        return bad("--days wants a number of days from 1 to 3650, not '%s'", vals[0]);
    const char *reason = suspend ? vals[1] : vals[0];
    struct user u;
    if ((rc = find_user(s, name, &u)))
        return rc;
    char target[300], what[64];
    snprintf(target, sizeof(target), "user %s", u.name);
    int64_t id = u.id;
    user_free(&u);
    if (store_begin(s)) {
        fprintf(stderr, "ficd user: %s\n", store_errmsg(s));
        return CLI_FAIL;
    }
    int64_t until = (int64_t)time(NULL) + (int64_t)days * 86400;
    if (suspend) {
        snprintf(what, sizeof(what), "suspend user for %d day%s", days, days == 1 ? "" : "s");
        rc = store_user_suspend(s, id, until);
    } else if (!strcmp(action, "unsuspend")) {
        snprintf(what, sizeof(what), "lift suspension");
        rc = store_user_suspend(s, id, 0);
    } else if (!strcmp(action, "ban")) {
        snprintf(what, sizeof(what), "ban user");
        rc = store_user_ban(s, id, 1);
    } else {
        snprintf(what, sizeof(what), "unban user");
        rc = store_user_ban(s, id, 0);
    }
    rc = logged(s, rc, what, target, reason);
    if (rc)
        return rc;
    if (suspend) {
        time_t t = (time_t)until;
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
        printf("%s is suspended until %s\n", name, when);
    } else {
        printf("%s: %s\n", name, what);
    }
    return CLI_OK;
}

static int run_user(int argc, char **argv)
{
    const char *data = NULL;
    int i = 1;
    /* global options before the action */
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            user_usage(stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--data") && i + 1 < argc) {
            data = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--data=", 7)) {
            data = argv[i] + 7;
            i++;
        } else {
            fprintf(stderr, "ficd user: unknown option '%s'\n", argv[i]);
            user_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        user_usage(stderr);
        return CLI_USAGE;
    }
    /* --data and --help may also follow the action */
    int n = 0;
    char **args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args)
        return CLI_FAIL;
    for (int k = i; k < argc; k++) {
        if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
            free(args);
            user_usage(stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[k], "--data") && k + 1 < argc) {
            data = argv[++k];
            continue;
        }
        args[n++] = argv[k];
    }
    const char *action = args[0];
    static const char *const actions[] = {
        "list", "add", "role", "reset-password", "suspend", "unsuspend", "ban", "unban", NULL};
    int known = 0;
    for (int k = 0; actions[k]; k++)
        known |= !strcmp(action, actions[k]);
    if (!known) {
        fprintf(stderr, "ficd user: unknown action '%s' (see 'ficd user --help')\n", action);
        free(args);
        return CLI_USAGE;
    }
    if (sodium_init() < 0) {
        free(args);
        return CLI_FAIL;
    }
    struct store *s;
    if (cli_open_store(cli_data_dir(data), &s)) {
        free(args);
        return CLI_FAIL;
    }
    int rc;
    if (!strcmp(action, "list"))
        rc = do_list(s, n, args);
    else if (!strcmp(action, "add"))
        rc = do_add(s, n, args);
    else if (!strcmp(action, "role"))
        rc = do_role(s, n, args);
    else if (!strcmp(action, "reset-password"))
        rc = do_reset(s, n, args);
    else
        rc = do_sanction(s, n, args, action);
    store_close(s);
    free(args);
    return rc;
}

const struct cli_cmd cli_cmd_user = {"user", "manage accounts and roles (list, add, role, ...)",
                                     run_user};
