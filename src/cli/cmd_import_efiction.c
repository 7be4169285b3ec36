/* cmd_import_efiction.c: `ficd import-efiction`: brings a live eFiction 3.x archive in
 * (authors as accounts without passwords, stories with chapters, classifications mapped on
 * AO3's, series, completion and dates, reviews as comments), one transaction per author and per
 * story with its row in the import mapping, so that a second run skips what is there (idempotent)
 * and an interrupted run resumes. `--claim NAME` later gives an imported account its password. */
#include "cli/cli.h"
#include "core/account.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/progress.h"
#include "core/work.h"
#include "store/efiction.h"
#include "store/store.h"
#include "text/decode.h"
#include "text/efiction.h"
#include "text/wordcount.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EF_MAX_FILE ((size_t)50 << 20)

static void usage(FILE *f)
{
    fprintf(f, "usage: ficd import-efiction --mysql URL [OPTIONS]\n"
               "       ficd import-efiction --claim NAME [--data DIR] < password\n\n"
               "Imports a live eFiction 3.x archive from its MySQL/MariaDB database:\n"
               "  - authors become accounts (named after their pen names; e-mail kept, no\n"
               "    password copied: an account is claimed later with --claim);\n"
               "  - stories become works with their chapters, chapter notes and end notes,\n"
               "    summary and story notes, published and updated dates and completion;\n"
               "    coauthors are credited; unvalidated stories stay drafts;\n"
               "  - categories become fandoms, characters character tags, ratings AO3's\n"
               "    ratings, classes by type: warnings archive warnings, genres additional\n"
               "    tags, pairings relationships (see docs/import.md; --mapping overrides);\n"
               "  - a story in a series keeps the series title and its part number.\n"
               "Each author and each story is stored in its own transaction together with a\n"
               "row of the import mapping: running the command again imports only what is\n"
               "new (nothing doubles), and an interrupted import resumes where it stopped.\n"
               "Reviews become comments on the work (and chapter) they were left on, from\n"
               "the reviewer's imported account or as a guest. A progress bar is drawn on a\n"
               "terminal.\n\n"
               "options:\n"
               "  --mysql URL      mysql://user:password@host[:port]/database (percent-encode\n"
               "                   special characters; ?socket=/path for a Unix socket)\n"
               "  --prefix P       the tables' prefix (default fanfiction_)\n"
               "  --stories DIR    eFiction's stories directory, for chapters kept in files\n"
               "                   (DIR/AUTHOR_UID/CHAPTER_ID.txt) rather than in the database\n"
               "  --mapping FILE   rules overriding the default mapping of ratings, classes,\n"
               "                   categories and characters (format in docs/import.md)\n"
               "  --dry-run        read and map everything, print each work as JSON, store\n"
               "                   nothing\n"
               "  --claim NAME     set the password of imported account NAME (read from the\n"
               "                   first line of stdin); only for accounts without one\n"
               "  --data DIR       data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help       show this help\n\n"
               "exit status: 0 done, 1 database or storage failure, 2 bad usage, a bad\n"
               "mapping file or stories that could not be read (the others are imported).\n");
}

struct ef_run {
    struct store *s;
    struct ef_db *db;
    struct ef_archive a;
    struct efmap map;
    const char *source;
    const char *stories_dir;
    int dry_run;
    /* eFiction uid -> local account name, for credits */
    int64_t *uids;
    char **names;
    size_t nnames;
};

static const struct ef_named *named(const struct ef_named *v, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].id == id)
            return &v[i];
    return NULL;
}

/* An account name from a pen name: letters, digits, '-' and '_' kept, the rest '_'. */
static void account_name(const char *penname, int64_t uid, char out[64])
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)(penname ? penname : ""); *p && k < 40;
         p++) {
        char c = isalnum(*p) || *p == '-' || *p == '_' ? (char)*p : '_';
        if (c == '_' && k && out[k - 1] == '_')
            continue;
        out[k++] = c;
    }
    while (k && out[k - 1] == '_')
        k--;
    out[k] = '\0';
    if (k < 2 || name_problem(out))
        snprintf(out, 41, "efiction-%lld", (long long)uid);
}

static const char *name_of(const struct ef_run *r, int64_t uid)
{
    for (size_t i = 0; i < r->nnames; i++)
        if (r->uids[i] == uid)
            return r->names[i];
    return NULL;
}

static int remember(struct ef_run *r, int64_t uid, const char *name)
{
    int64_t *u = realloc(r->uids, (r->nnames + 1) * sizeof(*u));
    if (!u)
        return FICD_ENOMEM;
    r->uids = u;
    char **n = realloc(r->names, (r->nnames + 1) * sizeof(*n));
    if (!n)
        return FICD_ENOMEM;
    r->names = n;
    r->uids[r->nnames] = uid;
    r->names[r->nnames] = strdup(name);
    if (!r->names[r->nnames])
        return FICD_ENOMEM;
    r->nnames++;
    return 0;
}

/* One author: mapped already, or a new account (in one transaction with its mapping). */
static int import_author(struct ef_run *r, const struct ef_author *au, int *created)
{
    *created = 0;
    int64_t local = 0;
    if (!r->dry_run && store_import_map_get(r->s, r->source, "author", au->uid, &local))
        return FICD_EDB;
    if (local) {
        struct user u;
        if (store_user_get(r->s, local, &u))
            return FICD_EDB;
        int rc = remember(r, au->uid, u.name);
        user_free(&u);
        return rc;
    }
    char name[64];
    account_name(au->penname, au->uid, name);
    if (r->dry_run) {
        *created = 1;
        return remember(r, au->uid, name);
    }
    /* a taken name gets the eFiction id as a suffix */
    struct user existing;
    if (store_user_get_by_name(r->s, name, &existing) == 0) {
        user_free(&existing);
        char base[29];
        memcpy(base, name, sizeof(base) - 1);
        base[sizeof(base) - 1] = '\0';
        snprintf(name, sizeof(name), "%s-ef%lld", base, (long long)au->uid);
    }
    struct user u = {0};
    u.name = name;
    u.email = au->email && *au->email ? au->email : NULL;
    u.pwhash = NULL; /* no password until claimed */
    u.role = ROLE_USER;
    u.created = efmap_datetime(au->date);
    if (store_begin(r->s))
        return FICD_EDB;
    int rc = store_user_create(r->s, &u);
    if (!rc)
        rc = store_import_map_put(r->s, r->source, "author", au->uid, u.id);
    if (rc) {
        store_rollback(r->s);
        fprintf(stderr, "ficd import-efiction: author %lld (%s): %s\n", (long long)au->uid,
                au->penname ? au->penname : "", store_errmsg(r->s));
        return rc;
    }
    if (store_commit(r->s))
        return FICD_EDB;
    *created = 1;
    return remember(r, au->uid, name);
}

/* Reads DIR/UID/CHAPID.txt (eFiction's files storage), decoded to UTF-8. */
static char *chapter_file(const struct ef_run *r, int64_t uid, int64_t chapid, char *why,
                          size_t whysz)
{
    if (!r->stories_dir) {
        snprintf(why, whysz, "no text in the database (give --stories DIR for files)");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%lld/%lld.txt", r->stories_dir, (long long)uid,
             (long long)chapid);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whysz, "no text in the database, and %.250s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) || (size_t)st.st_size > EF_MAX_FILE) {
        fclose(f);
        snprintf(why, whysz, "%.250s is larger than 50 MB", path);
        return NULL;
    }
    unsigned char *raw = malloc((size_t)st.st_size + 1);
    size_t n = raw ? fread(raw, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!raw) {
        snprintf(why, whysz, "out of memory");
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    const char *enc = NULL;
    struct text_err te = {0, ""};
    if (decode_text(raw, n, &text, &len, &enc, &te)) {
        snprintf(why, whysz, "%.200s: %.150s", path, te.msg);
        text = NULL;
    }
    free(raw);
    return text;
}

/* Splits "1,2,3" and hands each id to fn. */
static void each_id(const char *list, void (*fn)(struct ef_run *, int64_t, struct work *),
                    struct ef_run *r, struct work *w)
{
    for (const char *p = list; p && *p;) {
        while (*p && !isdigit((unsigned char)*p) && *p != '-')
            p++;
        if (!*p)
            break;
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p)
            break;
        fn(r, id, w);
        p = end;
    }
}

static void on_category(struct ef_run *r, int64_t id, struct work *w)
{
    const struct ef_named *c = named(r->a.categories, r->a.ncategories, id);
    if (c)
        efmap_category(&r->map, c->name, w);
}

static void on_character(struct ef_run *r, int64_t id, struct work *w)
{
    const struct ef_named *c = named(r->a.characters, r->a.ncharacters, id);
    if (c)
        efmap_character(&r->map, c->name, w);
}

static void on_class(struct ef_run *r, int64_t id, struct work *w)
{
    const struct ef_named *c = named(r->a.classes, r->a.nclasses, id);
    if (!c)
        return;
    const struct ef_named *t = named(r->a.classtypes, r->a.nclasstypes, c->parent);
    efmap_class(&r->map, t ? t->name : NULL, c->name, w);
}

static void on_rating(struct ef_run *r, int64_t id, struct work *w)
{
    const struct ef_named *c = named(r->a.ratings, r->a.nratings, id);
    if (c)
        efmap_rating(&r->map, c->name, w);
}

/* The work a story becomes; 0, or FICD_EINVAL with why filled (a chapter without text). */
static int story_work(struct ef_run *r, const struct ef_story *st, struct work *w,
                      int64_t **chapids, char *why, size_t whysz)
{
    *chapids = NULL;
    work_init(w);
    w->title = strdup(st->title && *st->title ? st->title : "Untitled");
    w->summary = efmap_plain(st->summary);
    w->notes_begin = efmap_plain(st->storynotes);
    w->language = strdup("English");
    const char *owner = name_of(r, st->uid);
    if (owner)
        strlist_add(&w->creators, owner);
    for (size_t i = 0; i < st->ncoauthors; i++) {
        const char *co = name_of(r, st->coauthors[i]);
        if (co)
            strlist_add_unique(&w->creators, co);
    }
    each_id(st->catid, on_category, r, w);
    each_id(st->charid, on_character, r, w);
    each_id(st->classes, on_class, r, w);
    each_id(st->rid, on_rating, r, w);
    efmap_finish(w);
    w->published = efmap_datetime(st->date);
    w->updated = efmap_datetime(st->updated);
    if (w->updated < w->published)
        w->updated = w->published;
    w->draft = !st->validated;
    /* the first series holding the story, and its place there */
    for (size_t i = 0; i < r->a.ninseries; i++)
        if (r->a.inseries[i].sid == st->sid) {
            const struct ef_series *se = NULL;
            for (size_t k = 0; k < r->a.nseries; k++)
                if (r->a.series[k].id == r->a.inseries[i].seriesid)
                    se = &r->a.series[k];
            if (se && se->title && *se->title) {
                w->series = strdup(se->title);
                w->series_position = r->a.inseries[i].inorder > 0 ? r->a.inseries[i].inorder : 1;
                break;
            }
        }
    char key[600];
    snprintf(key, sizeof(key), "%s/story/%lld", r->source, (long long)st->sid);
    hash_sha256_hex(key, strlen(key), w->content_hash);
    struct ef_chapter *ch = NULL;
    size_t nch = 0;
    char err[300];
    if (ef_chapters(r->db, st->sid, &ch, &nch, err, sizeof(err))) {
        snprintf(why, whysz, "%s", err);
        return FICD_EDB;
    }
    int rc = 0;
    *chapids = calloc(nch + 1, sizeof(int64_t));
    if (!*chapids)
        rc = FICD_ENOMEM;
    for (size_t i = 0; !rc && i < nch; i++) {
        (*chapids)[i] = ch[i].chapid;
        struct chapter *c = work_add_chapter(w);
        if (!c) {
            rc = FICD_ENOMEM;
            break;
        }
        const char *text = ch[i].storytext;
        char *fromfile = NULL;
        if (!text || !*text) {
            fromfile = chapter_file(r, ch[i].uid ? ch[i].uid : st->uid, ch[i].chapid, why, whysz);
            if (!fromfile) {
                char tmp[300];
                snprintf(tmp, sizeof(tmp), "chapter %lld: %s", (long long)ch[i].chapid, why);
                snprintf(why, whysz, "%s", tmp);
                rc = FICD_EINVAL;
                break;
            }
            text = fromfile;
        }
        c->html = efmap_body(text);
        free(fromfile);
        if (!c->html) {
            rc = FICD_ENOMEM;
            break;
        }
        c->words = wordcount_html(c->html);
        /* eFiction's default chapter titles ("Chapter 1") say nothing of their own */
        if (ch[i].title && *ch[i].title && strcmp(ch[i].title, st->title ? st->title : "")) {
            char def[32];
            snprintf(def, sizeof(def), "Chapter %zu", i + 1);
            if (strcasecmp(ch[i].title, def))
                c->title = strdup(ch[i].title);
        }
        c->notes_begin = efmap_plain(ch[i].notes);
        c->notes_end = efmap_plain(ch[i].endnotes);
    }
    ef_chapters_free(ch, nch);
    if (!rc && !w->nchapters) {
        snprintf(why, whysz, "no chapters");
        rc = FICD_EINVAL;
    }
    if (!rc)
        w->expected_chapters = st->completed ? (int)w->nchapters : 0;
    return rc;
}

/* The story's reviews as comments on the new work (its chapter when the review names one),
 * from the reviewer's imported account or as a guest under the name they gave, dated as in
 * eFiction; in the story's transaction. */
static int import_reviews(struct ef_run *r, const struct ef_story *st, const struct work *w,
                          const int64_t *chapids, size_t *count)
{
    struct ef_review *rv = NULL;
    size_t n = 0;
    char err[300];
    if (ef_reviews(r->db, st->sid, &rv, &n, err, sizeof(err))) {
        fprintf(stderr, "ficd import-efiction: reviews of story %lld: %s\n", (long long)st->sid,
                err);
        return FICD_EDB;
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        char *html = efmap_body(rv[i].review);
        if (!html) {
            rc = FICD_ENOMEM;
            break;
        }
        if (!html[0]) { /* an empty review (a rating only) says nothing */
            free(html);
            continue;
        }
        struct comment c;
        memset(&c, 0, sizeof(c));
        c.work_id = w->id;
        for (size_t k = 0; chapids && k < w->nchapters; k++)
            if (chapids[k] == rv[i].chapid)
                c.chapter_id = w->chapters[k].id;
        int64_t uid = 0;
        if (rv[i].uid > 0 && store_import_map_get(r->s, r->source, "author", rv[i].uid, &uid)) {
            free(html);
            rc = FICD_EDB;
            break;
        }
        const char *account = uid ? name_of(r, rv[i].uid) : NULL;
        c.user_id = uid;
        c.name = (char *)(account                             ? account
                          : rv[i].reviewer && *rv[i].reviewer ? rv[i].reviewer
                                                              : "Anonymous");
        c.html = html;
        c.created = efmap_datetime(rv[i].date);
        c.quiet = 1; /* old reviews: nobody's inbox is told */
        rc = store_comment_add(r->s, &c);
        if (rc)
            fprintf(stderr, "ficd import-efiction: review %lld of story %lld: %s\n",
                    (long long)rv[i].id, (long long)st->sid, store_errmsg(r->s));
        else
            (*count)++;
        free(html);
    }
    ef_reviews_free(rv, n);
    return rc;
}

static int claim(const char *dir, const char *name)
{
    char pw[PASSWORD_MAX + 2];
    if (!fgets(pw, sizeof(pw), stdin)) {
        fprintf(stderr, "ficd import-efiction: --claim reads the new password from stdin\n");
        return CLI_USAGE;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    const char *bad = password_problem(pw, pw);
    if (bad) {
        fprintf(stderr, "ficd import-efiction: %s\n", bad);
        return CLI_USAGE;
    }
    struct store *s;
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    struct user u;
    int status = CLI_OK;
    if (store_user_get_by_name(s, name, &u)) {
        fprintf(stderr, "ficd import-efiction: no account named '%s'\n", name);
        status = CLI_USAGE;
    } else {
        if (u.pwhash && *u.pwhash) {
            fprintf(stderr,
                    "ficd import-efiction: '%s' already has a password; it was claimed or not "
                    "imported\n",
                    name);
            status = CLI_USAGE;
        } else {
            char hash[128];
            if (password_hash(pw, hash) || store_user_set_password(s, u.id, hash)) {
                fprintf(stderr, "ficd import-efiction: %s\n", store_errmsg(s));
                status = CLI_FAIL;
            } else {
                fprintf(stderr, "'%s' can now log in with that password\n", name);
            }
        }
        user_free(&u);
    }
    store_close(s);
    return status;
}

static int run(int argc, char **argv)
{
    const char *url = NULL, *prefix = "fanfiction_", *data = NULL, *mapping = NULL,
               *claim_name = NULL;
    struct ef_run r;
    memset(&r, 0, sizeof(r));
    static const struct option opts[] = {{"mysql", required_argument, 0, 'm'},
                                         {"prefix", required_argument, 0, 'p'},
                                         {"stories", required_argument, 0, 's'},
                                         {"mapping", required_argument, 0, 'M'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"claim", required_argument, 0, 'c'},
                                         {"data", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            url = optarg;
            break;
        case 'p':
            prefix = optarg;
            break;
        case 's':
            r.stories_dir = optarg;
            break;
        case 'M':
            mapping = optarg;
            break;
        case 'n':
            r.dry_run = 1;
            break;
        case 'c':
            claim_name = optarg;
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_OK;
        default:
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ficd import-efiction: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    const char *dir = cli_data_dir(data);
    if (claim_name)
        return claim(dir, claim_name);
    if (!url) {
        fprintf(stderr, "ficd import-efiction: --mysql URL is required (see --help)\n");
        return CLI_USAGE;
    }
    char err[512];
    if (efmap_load(&r.map, mapping, err, sizeof(err))) {
        fprintf(stderr, "ficd import-efiction: %s\n", err);
        efmap_free(&r.map);
        return CLI_USAGE;
    }
    if (r.stories_dir) {
        struct stat st;
        if (stat(r.stories_dir, &st) || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "ficd import-efiction: --stories %s is not a directory\n",
                    r.stories_dir);
            efmap_free(&r.map);
            return CLI_USAGE;
        }
    }
    int status = CLI_OK;
    if (ef_open(url, prefix, &r.db, err, sizeof(err))) {
        fprintf(stderr, "ficd import-efiction: %s\n", err);
        efmap_free(&r.map);
        return strstr(err, "connect") ? CLI_FAIL : CLI_USAGE;
    }
    r.source = ef_source(r.db);
    if (ef_load(r.db, &r.a, err, sizeof(err))) {
        fprintf(stderr, "ficd import-efiction: reading the eFiction tables: %s\n", err);
        ef_close(r.db);
        efmap_free(&r.map);
        return CLI_FAIL;
    }
    if (!r.dry_run && cli_open_store(dir, &r.s)) {
        ef_archive_free(&r.a);
        ef_close(r.db);
        efmap_free(&r.map);
        return CLI_FAIL;
    }
    int64_t t0 = progress_now_ms();
    size_t new_authors = 0, old_authors = 0, new_works = 0, old_works = 0, bad = 0, reviews = 0;
    struct progress pg;
    progress_start(&pg, "authors", r.a.nauthors);
    for (size_t i = 0; i < r.a.nauthors && status == CLI_OK; i++) {
        int created;
        if (import_author(&r, &r.a.authors[i], &created))
            status = CLI_FAIL;
        else if (created)
            new_authors++;
        else
            old_authors++;
        progress_update(&pg, i + 1);
    }
    progress_finish(&pg);
    progress_start(&pg, "stories", r.a.nstories);
    for (size_t i = 0; i < r.a.nstories && status == CLI_OK; i++) {
        const struct ef_story *st = &r.a.stories[i];
        progress_update(&pg, i);
        int64_t local = 0;
        if (!r.dry_run) {
            if (store_import_map_get(r.s, r.source, "story", st->sid, &local)) {
                status = CLI_FAIL;
                break;
            }
            if (local) {
                old_works++;
                continue;
            }
        }
        struct work w;
        char why[400] = "";
        int64_t *chapids = NULL;
        int rc = story_work(&r, st, &w, &chapids, why, sizeof(why));
        if (rc == FICD_EDB) {
            fprintf(stderr, "ficd import-efiction: story %lld: %s\n", (long long)st->sid, why);
            work_free(&w);
            free(chapids);
            status = CLI_FAIL;
            break;
        }
        if (rc) {
            fprintf(stderr, "ficd import-efiction: story %lld \"%s\" not imported: %s\n",
                    (long long)st->sid, st->title ? st->title : "",
                    why[0] ? why : ficd_strerror(rc));
            work_free(&w);
            free(chapids);
            bad++;
            continue;
        }
        if (r.dry_run) {
            json_t *j = cli_work_json(&w);
            json_object_set_new(j, "efiction_sid", json_integer(st->sid));
            json_object_set_new(j, "draft", json_boolean(w.draft));
            cli_print_json(stdout, j);
            json_decref(j);
            new_works++;
            work_free(&w);
            free(chapids);
            continue;
        }
        int64_t owner = 0;
        if (store_import_map_get(r.s, r.source, "author", st->uid, &owner)) {
            work_free(&w);
            free(chapids);
            status = CLI_FAIL;
            break;
        }
        w.user_id = owner;
        int64_t dup = 0;
        if (store_begin(r.s)) {
            work_free(&w);
            free(chapids);
            status = CLI_FAIL;
            break;
        }
        /* a work stored by an earlier run whose mapping row is missing: map it, no copy */
        rc = store_work_find_hash(r.s, w.content_hash, &dup);
        if (!rc && dup)
            rc = store_import_map_put(r.s, r.source, "story", st->sid, dup);
        else if (!rc && !(rc = store_work_insert(r.s, &w)))
            rc = store_import_map_put(r.s, r.source, "story", st->sid, w.id);
        if (!rc && !dup)
            rc = import_reviews(&r, st, &w, chapids, &reviews);
        if (rc) {
            store_rollback(r.s);
            fprintf(stderr, "ficd import-efiction: story %lld: %s\n", (long long)st->sid,
                    store_errmsg(r.s));
            status = CLI_FAIL;
        } else if (store_commit(r.s)) {
            status = CLI_FAIL;
        } else if (dup) {
            old_works++;
        } else {
            new_works++;
        }
        work_free(&w);
        free(chapids);
    }
    progress_update(&pg, r.a.nstories);
    progress_finish(&pg);
    fprintf(stderr,
            "%s %zu author%s (%zu already there) and %zu stor%s (%zu already there, %zu not "
            "readable) with %zu review%s as comments from %s in %.2f s\n",
            r.dry_run ? "read" : "imported", new_authors, new_authors == 1 ? "" : "s", old_authors,
            new_works, new_works == 1 ? "y" : "ies", old_works, bad, reviews,
            reviews == 1 ? "" : "s", r.source, (double)(progress_now_ms() - t0) / 1000.0);
    if (status == CLI_OK && bad)
        status = CLI_USAGE;
    for (size_t i = 0; i < r.nnames; i++)
        free(r.names[i]);
    free(r.names);
    free(r.uids);
    if (r.s)
        store_close(r.s);
    ef_archive_free(&r.a);
    ef_close(r.db);
    efmap_free(&r.map);
    return status;
}

const struct cli_cmd cli_cmd_import_efiction = {
    "import-efiction", "import a live eFiction 3.x archive from its MySQL database", run};
