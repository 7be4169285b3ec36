/* test_snapshot.c: fast restarts against a real store. The index snapshot (snapshot.c): one
 * loaded back answers every query like the index it was taken of (and like a fresh build),
 * changes made after it are applied on load, and a truncated, corrupted or foreign snapshot,
 * or one the change log does not confirm, is refused. Deferred full text (deferred.c): text
 * queries are refused with FICD_EBUSY until the background build is done, filters work
 * meanwhile, and changes made during the build end up indexed like in a fresh build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "index/index.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256], snap[300];
static int last_applied; /* what the last idx_snapshot_load returned, when >= 0 */

static const char *const fandoms[] = {"Star Wars", "Harry Potter", "Naruto", "Bleach", "Dune"};
static const char *const frees[] = {"Fluff", "Angst", "Slow Burn", "Hurt/Comfort", "AU", "Crack"};
static const char *const chars[] = {"Rey", "Finn", "Harry", "Hermione", "Sakura", "Ichigo"};
static const char *const words[] = {"dragon", "river", "tea",  "storm",  "garden", "letter",
                                    "night",  "sword", "ship", "winter", "café",   "mirror"};

static unsigned rnd(unsigned *st)
{
    *st = *st * 1103515245u + 12345u;
    return (*st >> 16) & 0x7fff;
}

static int64_t insert(struct store *s, unsigned *st, int i)
{
    struct work w;
    work_init(&w);
    char t[64], body[400] = "<p>";
    snprintf(t, sizeof(t), "%s %s %d", words[rnd(st) % 12], words[rnd(st) % 12], i);
    w.title = strdup(t);
    char cr[32];
    snprintf(cr, sizeof(cr), "author%u", rnd(st) % 7);
    strlist_add(&w.creators, cr);
    strlist_add(&w.fandoms, fandoms[rnd(st) % 5]);
    if (rnd(st) % 5 == 0)
        strlist_add(&w.fandoms, fandoms[rnd(st) % 5]);
    for (unsigned k = 0, n = rnd(st) % 4; k < n; k++)
        strlist_add(&w.freeforms, frees[rnd(st) % 6]);
    strlist_add(&w.characters, chars[rnd(st) % 6]);
    w.rating = (enum rating)(rnd(st) % RATING__COUNT);
    w.warnings = 1u << (rnd(st) % WARN__COUNT);
    w.categories = 1u << (rnd(st) % CAT__COUNT);
    w.language = strdup(rnd(st) % 4 ? "English" : "Français");
    w.kudos = rnd(st) % 500;
    w.hits = rnd(st) * 1000u;
    w.published = 1600000000 + (int64_t)rnd(st) * 1000;
    w.restricted = rnd(st) % 9 == 0;
    w.draft = rnd(st) % 17 == 0;
    for (int k = 0; k < 12; k++) {
        strcat(body, words[rnd(st) % 12]);
        strcat(body, " ");
    }
    strcat(body, "</p>");
    struct chapter *c = work_add_chapter(&w);
    c->html = strdup(body);
    c->words = 12;
    w.expected_chapters = rnd(st) % 2;
    assert_int_equal(store_work_insert(s, &w), 0);
    int64_t id = w.id;
    work_free(&w);
    return id;
}

/* A generated archive: works, edits and deletes (dead docs), a synonym and a meta tag. */
static void generate(struct store *s, int n)
{
    unsigned st = 7;
    int64_t ids[400];
    assert_true(n <= 400);
    assert_int_equal(store_begin(s), 0);
    for (int i = 0; i < n; i++)
        ids[i] = insert(s, &st, i);
    assert_int_equal(store_commit(s), 0);
    for (int i = 0; i < n; i += 11)
        assert_int_equal(store_work_tag_add(s, ids[i], TAG_FREEFORM, "Edited Later"), 0);
    for (int i = 5; i < n; i += 23)
        assert_int_equal(store_work_delete(s, ids[i]), 0);
    int64_t syn, can, meta, sub;
    assert_int_equal(store_tag_ensure(s, TAG_FREEFORM, "Fluffy", &syn), 0);
    assert_int_equal(store_tag_ensure(s, TAG_FREEFORM, "Fluff", &can), 0);
    assert_int_equal(store_tag_set_canonical(s, can, 1), 0);
    assert_int_equal(store_tag_set_synonym(s, syn, can), 0);
    assert_int_equal(store_work_tag_add(s, ids[1], TAG_FREEFORM, "Fluffy"), 0);
    assert_int_equal(store_tag_ensure(s, TAG_FREEFORM, "Angst", &meta), 0);
    assert_int_equal(store_tag_ensure(s, TAG_FREEFORM, "Hurt/Comfort", &sub), 0);
    assert_int_equal(store_tag_set_canonical(s, meta, 1), 0);
    assert_int_equal(store_tag_set_canonical(s, sub, 1), 0);
    assert_int_equal(store_tag_add_meta(s, meta, sub), 0);
}

static void setup_dir(void)
{
    snprintf(dir, sizeof(dir), "/tmp/ficd-snap-test-%d", (int)getpid());
    snprintf(snap, sizeof(snap), "%s/index.snap", dir);
}

static void cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Runs q on a and b and checks that the answers are the same, hit by hit and facet by facet.
 * exact = 0: text queries' hits are not compared one by one (BM25 counts the dead docs an index
 * that followed changes still holds, which a fresh build does not have). */
static void same(struct idx *a, struct idx *b, const struct idx_query *q, int exact)
{
    struct idx_result ra, rb;
    assert_int_equal(idx_search(a, q, &ra), 0);
    assert_int_equal(idx_search(b, q, &rb), 0);
    assert_int_equal(ra.total, rb.total);
    assert_int_equal(ra.nhits, rb.nhits);
    for (size_t i = 0; i < ra.nhits && (exact || !q->text); i++) {
        assert_int_equal(ra.hits[i].id, rb.hits[i].id);
        assert_string_equal(ra.hits[i].title, rb.hits[i].title);
        assert_true(ra.hits[i].score == rb.hits[i].score);
    }
    for (int g = 0; g < IDX_FACET__COUNT; g++) {
        assert_int_equal(ra.facets[g].n, rb.facets[g].n);
        for (size_t i = 0; i < ra.facets[g].n; i++) {
            assert_string_equal(ra.facets[g].v[i].name, rb.facets[g].v[i].name);
            assert_int_equal(ra.facets[g].v[i].count, rb.facets[g].v[i].count);
        }
    }
    idx_result_free(&ra);
    idx_result_free(&rb);
}

static void same_everywhere(struct idx *a, struct idx *b, int exact)
{
    const char *sw[] = {"star wars"}, *fl[] = {"Fluffy"}, *ang[] = {"Angst"}, *mu[] = {"author3"};
    struct idx_query qs[] = {
        {.per_page = 1000},
        {.fandoms = sw, .nfandoms = 1, .sort = IDX_SORT_KUDOS},
        {.tags = fl, .ntags = 1, .sort = IDX_SORT_TITLE},
        {.tags = ang, .ntags = 1, .sort = IDX_SORT_AUTHOR, .include_restricted = 1},
        {.exclude_tags = ang, .nexclude_tags = 1, .sort = IDX_SORT_HITS, .per_page = 100},
        {.text = "dragon", .per_page = 100},
        {.text = "\"river tea\" OR storm", .sort = IDX_SORT_BEST, .per_page = 50},
        {.text = "cafe", .language = "Français"},
        {.text = "gard*", .mute_creators = mu, .nmute_creators = 1},
        {.crossover = IDX_CROSSOVER_ONLY, .complete = IDX_COMPLETE_ONLY},
        {.ratings = 1u << RATING_TEEN, .sort = IDX_SORT_POSTED, .dir = IDX_DIR_ASC},
    };
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        same(a, b, &qs[i], exact);
}

static struct idx *built(struct store *s)
{
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build(idx, s, 0), 0);
    return idx;
}

static int load(struct store *s, struct idx **out, char *why, size_t n)
{
    assert_int_equal(idx_new(1, out), 0);
    int rc = idx_snapshot_load(*out, s, snap, why, n);
    last_applied = rc;
    if (rc > 0)
        rc = 0; /* changes applied on top */
    if (rc) {
        fprintf(stderr, "(load refused: %s)\n", why);
        idx_free(*out);
        *out = NULL;
    }
    return rc;
}

static void test_round_trip(void **state)
{
    (void)state;
    setup_dir();
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    generate(s, 300);
    struct idx *a = built(s), *b;
    char why[256];
    assert_int_equal(load(s, &b, why, sizeof(why)), FICD_ENOTFOUND);
    assert_int_equal(idx_snapshot_save(a, s, snap), 0);
    assert_int_equal(access(snap, F_OK), 0);
    assert_int_equal(load(s, &b, why, sizeof(why)), 0);
    assert_int_equal(last_applied, 0);
    same_everywhere(a, b, 1);
    struct idx_stats sa, sb;
    idx_get_stats(a, &sa);
    idx_get_stats(b, &sb);
    assert_int_equal(sa.live, sb.live);
    assert_int_equal(sa.docs, sb.docs);
    assert_int_equal(sa.terms, sb.terms);
    assert_int_equal(sa.last_seq, sb.last_seq);

    /* both go on the same way: edits and new works after the load */
    unsigned st = 99;
    for (int i = 0; i < 30; i++)
        insert(s, &st, 1000 + i);
    assert_int_equal(store_work_delete(s, 1), 0);
    assert_true(idx_apply_changes(a, s) > 0);
    assert_true(idx_apply_changes(b, s) > 0);
    same_everywhere(a, b, 1);

    /* a snapshot taken before those changes catches up on load, like a fresh build */
    struct idx *c, *fresh = built(s);
    assert_int_equal(load(s, &c, why, sizeof(why)), 0);
    assert_true(last_applied > 0);
    idx_get_stats(c, &sb);
    idx_get_stats(fresh, &sa);
    assert_int_equal(sb.live, sa.live);
    assert_int_equal(sb.last_seq, sa.last_seq);
    same_everywhere(a, c, 1);
    same_everywhere(fresh, c, 0);
    idx_free(c);
    idx_free(fresh);
    idx_free(a);
    idx_free(b);
    store_close(s);
    cleanup();
}

static void rewrite(long at, int byte, long size)
{
    FILE *f = fopen(snap, "r+b");
    assert_non_null(f);
    if (byte >= 0) {
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        int c = fgetc(f);
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        fputc(c ^ byte, f);
    }
    fclose(f);
    if (size >= 0)
        assert_int_equal(truncate(snap, size), 0);
}

static long file_size(void)
{
    FILE *f = fopen(snap, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void test_refused(void **state)
{
    (void)state;
    setup_dir();
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    generate(s, 120);
    struct idx *a = built(s), *b;
    char why[256];
    char copy[700];
    snprintf(copy, sizeof(copy), "cp %s %s.good", snap, snap);
    assert_int_equal(idx_snapshot_save(a, s, snap), 0);
    assert_int_equal(system(copy), 0);
    long size = file_size();
    char restore[700];
    snprintf(restore, sizeof(restore), "cp %s.good %s", snap, snap);

    /* a flipped byte in the middle, in the stamp, in the checksum */
    long at[] = {size / 2, 20, size - 3, size - 40};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        rewrite(at[i], 0x10, -1);
        assert_true(load(s, &b, why, sizeof(why)) < 0);
        assert_non_null(strstr(why, "snapshot"));
        assert_int_equal(system(restore), 0);
    }
    /* truncated anywhere */
    long cut[] = {0, 7, 60, size / 3, size - 9, size - 1};
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
        rewrite(0, -1, cut[i]);
        assert_true(load(s, &b, why, sizeof(why)) < 0);
        assert_int_equal(system(restore), 0);
    }
    assert_int_equal(load(s, &b, why, sizeof(why)), 0); /* the copy is good */
    same_everywhere(a, b, 1);
    idx_free(b);

    /* another archive's snapshot */
    assert_int_equal(store_setting_set(s, "archive_id", "0123456789abcdef0123456789abcdef"), 0);
    assert_true(load(s, &b, why, sizeof(why)) < 0);
    assert_non_null(strstr(why, "another archive"));
    idx_free(a);
    store_close(s);

    /* a store restored from a backup taken before the snapshot */
    cleanup();
    assert_int_equal(store_open(dir, &s), 0);
    generate(s, 40);
    char aid[65];
    assert_int_equal(idx_archive_id(s, aid), 0); /* serve creates it at its first start */
    a = built(s);
    store_close(s);
    char bak[1200];
    snprintf(bak, sizeof(bak), "cp %s/ficd.db %s/backup.db", dir, dir);
    assert_int_equal(system(bak), 0);
    assert_int_equal(store_open(dir, &s), 0);
    unsigned st = 3;
    insert(s, &st, 500);
    assert_true(idx_apply_changes(a, s) > 0);
    assert_int_equal(idx_snapshot_save(a, s, snap), 0);
    idx_free(a);
    store_close(s);
    snprintf(bak, sizeof(bak), "cp %s/backup.db %s/ficd.db && rm -f %s/ficd.db-wal %s/ficd.db-shm",
             dir, dir, dir, dir);
    assert_int_equal(system(bak), 0);
    assert_int_equal(store_open(dir, &s), 0);
    assert_true(load(s, &b, why, sizeof(why)) < 0);
    assert_non_null(strstr(why, "restored"));
    /* ... even once the store's log has grown past the snapshot's position again */
    for (int i = 0; i < 5; i++)
        insert(s, &st, 600 + i);
    assert_true(load(s, &b, why, sizeof(why)) < 0);
    assert_non_null(strstr(why, "restored"));
    store_close(s);
    cleanup();
}

static void *fulltext_thread(void *arg)
{
    struct idx *idx = arg;
    struct store *s;
    if (store_open(dir, &s))
        return (void *)1;
    int rc = idx_build_fulltext(idx, s);
    store_close(s);
    return rc ? (void *)1 : NULL;
}

static void test_deferred(void **state)
{
    (void)state;
    setup_dir();
    struct store *s;
    assert_int_equal(store_open(dir, &s), 0);
    generate(s, 300);
    struct idx *idx;
    assert_int_equal(idx_new(1, &idx), 0);
    assert_int_equal(idx_build_deferred(idx, s, 0), 0);
    assert_true(idx_fulltext_wait(idx) >= 1);
    /* filters answer, text queries are refused with a notice, never a partial result */
    struct idx *full = built(s);
    const char *sw[] = {"star wars"};
    struct idx_query fq = {.fandoms = sw, .nfandoms = 1, .sort = IDX_SORT_KUDOS};
    same(idx, full, &fq, 1);
    struct idx_query tq = {.text = "dragon"};
    struct idx_result r;
    assert_int_equal(idx_search(idx, &tq, &r), FICD_EBUSY);
    assert_non_null(strstr(r.err, "still being prepared"));
    idx_result_free(&r);
    assert_int_equal(idx_snapshot_save(idx, s, snap), FICD_EBUSY);

    /* changes before and while full text is built */
    unsigned st = 41;
    for (int i = 0; i < 10; i++)
        insert(s, &st, 2000 + i);
    assert_int_equal(store_work_delete(s, 2), 0);
    assert_true(idx_apply_changes(idx, s) > 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fulltext_thread, idx), 0);
    for (int i = 0; i < 20; i++) {
        insert(s, &st, 3000 + i);
        if (i % 5 == 0)
            assert_int_equal(store_work_tag_add(s, 10 + i, TAG_FREEFORM, "During"), 0);
        assert_true(idx_apply_changes(idx, s) >= 0);
        same(idx, idx, &fq, 1);
    }
    void *ret;
    assert_int_equal(pthread_join(th, &ret), 0);
    assert_null(ret);
    assert_true(idx_apply_changes(idx, s) >= 0);
    assert_int_equal(idx_fulltext_wait(idx), 0);
    idx_free(full);
    full = built(s);
    same_everywhere(full, idx, 0);
    /* and from now on new works are indexed as they come */
    insert(s, &st, 4000);
    assert_true(idx_apply_changes(idx, s) > 0);
    assert_true(idx_apply_changes(full, s) > 0);
    same_everywhere(full, idx, 0);
    assert_int_equal(idx_snapshot_save(idx, s, snap), 0);
    idx_free(full);
    idx_free(idx);
    store_close(s);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_deferred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
