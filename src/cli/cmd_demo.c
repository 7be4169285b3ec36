/* cmd_demo.c: `ficd demo`: fills a data directory with generated works (made-up fandoms,
 * characters and prose from a seeded PRNG) and a demo account, for trying the archive. */
#include "cli/cli.h"
#include "core/account.h"
#include "core/html.h"
#include "store/store.h"
#include "text/wordcount.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_TAG "ficd demo content"

static void demo_usage(FILE *f)
{
    fprintf(f, "usage: ficd demo [--works N] [--seed S] [--data DIR]\n\n"
               "Adds N (default 50) generated works with made-up text, fandoms, characters and\n"
               "tags, all tagged \"" DEMO_TAG "\", and a user \"demo\" whose password is\n"
               "printed. Marks the archive as a demo (setting demo=1).\n\n"
               "options:\n"
               "  --works N    how many works (1-100000, default 50)\n"
               "  --seed S     PRNG seed, for the same works every time (default 1)\n"
               "  --data DIR   data directory (default ./ficd-data or $FICD_DATA)\n"
               "  -h, --help   show this help\n");
}

/* xorshift64*: small, seeded, the same sequence everywhere. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static unsigned rnd(unsigned n)
{
    return n ? (unsigned)(rng_next() % n) : 0;
}

#define PICK(arr)  (arr[rnd(sizeof(arr) / sizeof(arr[0]))])
#define COUNT(arr) (sizeof(arr) / sizeof(arr[0]))

static const char *const words[] = {
    "the",     "a",       "light",   "river",   "quiet",    "stone",  "window",   "letter",
    "morning", "harbor",  "old",     "bright",  "and",      "of",     "under",    "over",
    "through", "garden",  "lantern", "road",    "silver",   "shadow", "small",    "cold",
    "warm",    "her",     "his",     "their",   "hand",     "door",   "voice",    "rain",
    "wind",    "was",     "held",    "found",   "turned",   "waited", "listened", "remembered",
    "kept",    "carried", "across",  "beyond",  "near",     "clock",  "bridge",   "tower",
    "field",   "fire",    "salt",    "ink",     "paper",    "song",   "slowly",   "almost",
    "never",   "again",   "still",   "softly",  "together", "alone",  "city",     "ship",
    "island",  "map",     "key",     "promise", "secret",   "storm",  "tea",      "book",
    "smiled",  "laughed", "sighed",  "walked",  "looked",   "closed", "opened",   "said",
    "knew",
};

static const char *const adjectives[] = {
    "Silver", "Quiet", "Burning", "Hollow",  "Distant", "Gilded",   "Broken",      "Midnight",
    "Paper",  "Salt",  "Winter",  "Crooked", "Last",    "Borrowed", "Lantern-Lit", "Tidal",
};
static const char *const nouns[] = {
    "Harbor",  "Crown", "Letters", "Orchard", "Tide", "Compass", "Lighthouse", "Season",
    "Promise", "Map",   "Garden",  "Station", "Ink",  "Bridges", "Embers",     "Clockwork",
};

struct fandom {
    const char *name;
    const char *chars[4];
};

static const struct fandom fandoms[] = {
    {"Starfall Academy (Made-up Series)",
     {"Rinna Vale", "Odo Marsh", "Pell Ashgrove", "Tamsin Creed"}},
    {"The Clockwork Isles", {"Captain Ysolde", "Bram Tinker", "Mirelle", "The Cartographer"}},
    {"Moonlit Harbor Mysteries", {"Inspector Hale", "Juniper Quay", "Felix Dunmore", "Ada Wren"}},
    {"Verdant Crown Saga", {"Queen Aleth", "Sorrel", "Kestrel Thorn", "Brother Amon"}},
    {"Echoes of Ashvale", {"Nim", "Corvin Ash", "Lady Seraphine", "Old Tobiah"}},
};

static const char *const freeforms[] = {
    "Fluff",        "Angst",
    "Hurt/Comfort", "Slow Burn",
    "Found Family", "Alternate Universe",
    "Friendship",   "Road Trip",
    "Letters",      "Canon Divergence",
    "Happy Ending", "Missing Scene",
};

/* One sentence of 5-14 words, capitalised, ending with a full stop. */
static void sentence(struct buf *b)
{
    unsigned n = 5 + rnd(10);
    for (unsigned i = 0; i < n; i++) {
        const char *w = PICK(words);
        if (i == 0) {
            char first[2] = {(char)(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]), 0};
            html_text(b, first);
            html_text(b, w + 1);
        } else {
            html_lit(b, " ");
            html_text(b, w);
        }
    }
    html_lit(b, ".");
}

static char *paragraphs(unsigned n, int html)
{
    struct buf b = BUF_INIT;
    for (unsigned p = 0; p < n; p++) {
        if (html)
            html_lit(&b, "<p>");
        else if (p)
            html_lit(&b, "\n\n");
        unsigned s = 2 + rnd(6);
        for (unsigned i = 0; i < s; i++) {
            if (i)
                html_lit(&b, " ");
            sentence(&b);
        }
        if (html)
            html_lit(&b, "</p>\n");
    }
    return buf_take(&b);
}

/* Builds one generated work owned by user_id. */
static int make_work(struct work *w, int64_t user_id, int64_t now)
{
    work_init(w);
    char title[96];
    snprintf(title, sizeof(title), "%s %s", PICK(adjectives), PICK(nouns));
    w->title = strdup(title);
    w->language = strdup("English");
    w->summary = paragraphs(1 + rnd(2), 0);
    if (rnd(3) == 0)
        w->notes_begin = paragraphs(1, 0);
    int rc = strlist_add(&w->creators, "demo");
    const struct fandom *f = &fandoms[rnd(COUNT(fandoms))];
    rc |= strlist_add(&w->fandoms, f->name);
    if (rnd(6) == 0)
        rc |= strlist_add_unique(&w->fandoms, fandoms[rnd(COUNT(fandoms))].name);
    unsigned nchars = 2 + rnd(3);
    for (unsigned i = 0; i < nchars; i++)
        rc |= strlist_add_unique(&w->characters, f->chars[rnd(4)]);
    if (w->characters.n >= 2 && rnd(3)) {
        char rel[128];
        snprintf(rel, sizeof(rel), "%s%s%s", w->characters.v[0], rnd(2) ? "/" : " & ",
                 w->characters.v[1]);
        rc |= strlist_add(&w->relationships, rel);
    }
    unsigned nff = 1 + rnd(3);
    for (unsigned i = 0; i < nff; i++)
        rc |= strlist_add_unique(&w->freeforms, PICK(freeforms));
    rc |= strlist_add(&w->freeforms, DEMO_TAG);
    w->rating = (enum rating)(1 + rnd(4));
    w->rating_declared = 1;
    static const unsigned warns[] = {WARN_NONE, WARN_NONE, WARN_CHOSE_NOT, WARN_VIOLENCE, WARN_MCD};
    w->warnings = PICK(warns);
    w->categories = 1u << rnd(CAT__COUNT);
    if (rnd(4) == 0)
        w->categories |= 1u << rnd(CAT__COUNT);
    unsigned nch = rnd(10) < 7 ? 1 : 2 + rnd(5);
    for (unsigned i = 0; i < nch; i++) {
        struct chapter *c = work_add_chapter(w);
        if (!c)
            return FICD_ENOMEM;
        if (nch > 1 && rnd(2)) {
            char ct[96];
            snprintf(ct, sizeof(ct), "The %s %s", PICK(adjectives), PICK(nouns));
            c->title = strdup(ct);
        }
        c->html = paragraphs(4 + rnd(12), 1);
        if (!c->html)
            return FICD_ENOMEM;
        c->words = wordcount_html(c->html);
    }
    w->expected_chapters = nch == 1 || rnd(3) ? (int)nch : 0;
    w->published = now - (int64_t)rnd(3 * 365) * 86400 - (int64_t)rnd(86400);
    w->user_id = user_id;
    if (rc || !w->title || !w->language || !w->summary)
        return FICD_ENOMEM;
    return 0;
}

/* Finds or creates the demo account; prints its password when created. */
static int demo_user(struct store *s, int64_t *id)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    int rc = store_user_get_by_name(s, "demo", &u);
    if (rc == 0) {
        *id = u.id;
        user_free(&u);
        printf("The user \"demo\" already exists; its password is unchanged.\n");
        return 0;
    }
    if (rc != FICD_ENOTFOUND)
        return rc;
    int64_t users = 0;
    if ((rc = store_user_count(s, &users)))
        return rc;
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    char pw[17];
    for (size_t i = 0; i < 16; i++)
        pw[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
    pw[16] = 0;
    char hash[128];
    if (password_hash(pw, hash))
        return FICD_ENOMEM;
    u.name = "demo";
    u.pwhash = hash;
    u.role = users == 0 ? ROLE_ADMIN : ROLE_USER;
    if ((rc = store_user_create(s, &u)))
        return rc;
    if (u.role == ROLE_ADMIN && (rc = store_user_set_role(s, u.id, ROLE_ADMIN)))
        return rc;
    *id = u.id;
    printf("Created the user \"demo\"%s with password: %s\n",
           u.role == ROLE_ADMIN ? " (the archive's admin, as it had no accounts)" : "", pw);
    return 0;
}

/* Sets key to value unless it already has a value. */
static int setting_default(struct store *s, const char *key, const char *value)
{
    char *v = NULL;
    int rc = store_setting_get(s, key, &v);
    if (rc)
        return rc;
    if (!v)
        rc = store_setting_set(s, key, value);
    free(v);
    return rc;
}

static int run_demo(int argc, char **argv)
{
    const char *data = NULL;
    long nworks = 50;
    unsigned long long seed = 1;
    static const struct option opts[] = {{"works", required_argument, 0, 'n'},
                                         {"seed", required_argument, 0, 's'},
                                         {"data", required_argument, 0, 'd'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            nworks = strtol(optarg, &end, 10);
            if (!*optarg || *end || nworks < 1 || nworks > 100000) {
                fprintf(stderr, "ficd demo: --works takes a number from 1 to 100000\n");
                return CLI_USAGE;
            }
            break;
        case 's':
            seed = strtoull(optarg, &end, 10);
            if (!*optarg || *end) {
                fprintf(stderr, "ficd demo: --seed takes a number\n");
                return CLI_USAGE;
            }
            break;
        case 'd':
            data = optarg;
            break;
        case 'h':
            demo_usage(stdout);
            return CLI_OK;
        default:
            demo_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "ficd demo: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    if (sodium_init() < 0)
        return CLI_FAIL;
    rng_state = seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL;
    if (!rng_state)
        rng_state = 1;
    struct store *s;
    const char *dir = cli_data_dir(data);
    if (cli_open_store(dir, &s))
        return CLI_FAIL;
    int64_t uid = 0;
    int rc = demo_user(s, &uid);
    if (!rc)
        rc = store_setting_set(s, "demo", "1");
    if (!rc)
        rc = setting_default(s, "archive_name", "ficd demo archive");
    if (!rc)
        rc = setting_default(s, "signup_mode", "open");
    int64_t now = (int64_t)time(NULL);
    if (!rc)
        rc = store_begin(s);
    for (long i = 0; !rc && i < nworks; i++) {
        struct work w;
        rc = make_work(&w, uid, now);
        if (!rc)
            rc = store_work_insert(s, &w);
        work_free(&w);
    }
    if (!rc)
        rc = store_commit(s);
    if (rc) {
        store_rollback(s);
        fprintf(stderr, "ficd demo: %s: %s\n", ficd_strerror(rc), store_errmsg(s));
        store_close(s);
        return CLI_FAIL;
    }
    printf("Added %ld demo works to %s (tagged \"" DEMO_TAG "\").\n", nworks, dir);
    store_close(s);
    return CLI_OK;
}

const struct cli_cmd cli_cmd_demo = {"demo", "fill the archive with generated demo works",
                                     run_demo};
