/* test_wrangle.c: tag wrangling in the SQLite store: synonyms and merges, parent fandoms,
 * meta/sub tags and their cycle check, the canonical flag guards, the relations listing, the
 * tags linked to one tag, the unwrangled queue and the change log rows of each mutation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/err.h"
#include "core/work.h"
#include "store/store.h"
#include "store_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t tag(struct store *s, enum tag_type type, const char *name, int canonical)
{
    int64_t id;
    assert_int_equal(store_tag_ensure(s, type, name, &id), 0);
    if (canonical)
        assert_int_equal(store_tag_set_canonical(s, id, 1), 0);
    return id;
}

static int64_t last_seq(struct store *s)
{
    int64_t seq;
    assert_int_equal(store_last_change(s, &seq), 0);
    return seq;
}

/* The CHANGE_TAG object ids logged after seq, as a bit set of small ids. */
struct logged {
    uint64_t tags;
    int other;
};

static int log_cb(int64_t seq, enum change_kind kind, int64_t id, void *ctx)
{
    (void)seq;
    struct logged *l = ctx;
    if (kind == CHANGE_TAG && id > 0 && id < 64)
        l->tags |= 1ull << id;
    else
        l->other++;
    return 0;
}

static uint64_t logged_since(struct store *s, int64_t seq)
{
    struct logged l = {0};
    assert_int_equal(store_changes_since(s, seq, log_cb, &l), 0);
    assert_int_equal(l.other, 0);
    return l.tags;
}

#define BIT(id) (1ull << (id))

/* Names of linked tags, joined with ',' in the order given. */
struct names {
    char s[512];
};

static int name_cb(const struct tag *t, void *ctx)
{
    struct names *n = ctx;
    size_t len = strlen(n->s);
    snprintf(n->s + len, sizeof(n->s) - len, "%s%s", len ? "," : "", t->name);
    return 0;
}

static const char *linked(struct store *s, int64_t id, enum tag_link which, struct names *n)
{
    n->s[0] = 0;
    assert_int_equal(store_tag_linked(s, id, which, 0, name_cb, n), 0);
    return n->s;
}

static void test_synonyms(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t sakura = tag(s, TAG_CHARACTER, "Sakura Haruno", 1);
    int64_t haruno = tag(s, TAG_CHARACTER, "Haruno Sakura", 0);
    int64_t fandom = tag(s, TAG_FANDOM, "Naruto", 1);
    int64_t plain = tag(s, TAG_CHARACTER, "Sakura", 0);

    /* refusals, each with a message naming the tags */
    assert_int_equal(store_tag_set_synonym(s, haruno, plain), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "'Sakura' is not canonical"));
    assert_int_equal(store_tag_set_synonym(s, haruno, fandom), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "same type"));
    assert_int_equal(store_tag_set_synonym(s, sakura, sakura), FICD_EINVAL);
    assert_int_equal(store_tag_set_synonym(s, haruno, 9999), FICD_ENOTFOUND);
    assert_int_equal(store_tag_set_synonym(s, 9999, sakura), FICD_ENOTFOUND);

    int64_t seq = last_seq(s);
    assert_int_equal(store_tag_set_synonym(s, haruno, sakura), 0);
    assert_int_equal(logged_since(s, seq), BIT(haruno) | BIT(sakura));
    struct tag t;
    assert_int_equal(store_tag_get(s, haruno, &t), 0);
    assert_int_equal(t.synonym_of, sakura);
    assert_int_equal(t.canonical, 0);
    tag_free(&t);
    struct names n;
    assert_string_equal(linked(s, sakura, TAG_LINK_SYNONYMS, &n), "Haruno Sakura");

    /* again: nothing changes, nothing is logged */
    seq = last_seq(s);
    assert_int_equal(store_tag_set_synonym(s, haruno, sakura), 0);
    assert_int_equal(last_seq(s), seq);

    /* a canonical with synonyms cannot become a synonym, nor stop being canonical */
    int64_t other = tag(s, TAG_CHARACTER, "Sakura (Naruto)", 1);
    assert_int_equal(store_tag_set_synonym(s, sakura, other), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "'Sakura Haruno' has synonyms"));
    assert_int_equal(store_tag_set_canonical(s, sakura, 0), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "synonyms"));
    /* a synonym cannot be made canonical */
    assert_int_equal(store_tag_set_canonical(s, haruno, 1), FICD_EINVAL);

    /* unlink */
    seq = last_seq(s);
    assert_int_equal(store_tag_set_synonym(s, haruno, 0), 0);
    assert_int_equal(logged_since(s, seq), BIT(haruno) | BIT(sakura));
    assert_string_equal(linked(s, sakura, TAG_LINK_SYNONYMS, &n), "");
    seq = last_seq(s);
    assert_int_equal(store_tag_set_synonym(s, haruno, 0), 0);
    assert_int_equal(last_seq(s), seq);
}

static void test_merge_moves_everything(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t naruto = tag(s, TAG_FANDOM, "Naruto", 1);
    int64_t boruto = tag(s, TAG_FANDOM, "Boruto", 1);
    int64_t a = tag(s, TAG_CHARACTER, "Sakura Haruno", 1);
    int64_t a_syn = tag(s, TAG_CHARACTER, "Haruno Sakura", 0);
    int64_t b = tag(s, TAG_CHARACTER, "Sakura Uchiha", 1);
    int64_t meta = tag(s, TAG_CHARACTER, "Team 7", 1);
    int64_t sub = tag(s, TAG_CHARACTER, "Young Sakura", 1);
    assert_int_equal(store_tag_set_synonym(s, a_syn, a), 0);
    assert_int_equal(store_tag_add_parent(s, a, naruto), 0);
    assert_int_equal(store_tag_add_parent(s, b, boruto), 0);
    assert_int_equal(store_tag_add_meta(s, meta, a), 0);
    assert_int_equal(store_tag_add_meta(s, a, sub), 0);

    /* set_synonym refuses a tag with synonyms; merge takes them along */
    assert_int_equal(store_tag_set_synonym(s, a, b), FICD_EINVAL);
    assert_int_equal(store_tag_merge(s, a, 0), FICD_EINVAL);
    int64_t seq = last_seq(s);
    assert_int_equal(store_tag_merge(s, a, b), 0);
    assert_int_equal(logged_since(s, seq),
                     BIT(a) | BIT(a_syn) | BIT(b) | BIT(naruto) | BIT(meta) | BIT(sub));
    struct names n;
    assert_string_equal(linked(s, b, TAG_LINK_SYNONYMS, &n), "Haruno Sakura,Sakura Haruno");
    assert_string_equal(linked(s, b, TAG_LINK_PARENTS, &n), "Boruto,Naruto");
    assert_string_equal(linked(s, b, TAG_LINK_METAS, &n), "Team 7");
    assert_string_equal(linked(s, b, TAG_LINK_SUBS, &n), "Young Sakura");
    assert_string_equal(linked(s, a, TAG_LINK_PARENTS, &n), "");
    assert_string_equal(linked(s, a, TAG_LINK_METAS, &n), "");
    assert_string_equal(linked(s, naruto, TAG_LINK_CHILDREN, &n), "Sakura Uchiha");
    struct tag t;
    assert_int_equal(store_tag_get(s, a, &t), 0);
    assert_int_equal(t.canonical, 0);
    assert_int_equal(t.synonym_of, b);
    tag_free(&t);

    /* merging fandoms moves their children */
    assert_int_equal(store_tag_merge(s, naruto, boruto), 0);
    assert_string_equal(linked(s, boruto, TAG_LINK_CHILDREN, &n), "Sakura Uchiha");
    assert_string_equal(linked(s, b, TAG_LINK_PARENTS, &n), "Boruto");

    /* a merge that would close a meta cycle is refused and changes nothing */
    int64_t x = tag(s, TAG_FREEFORM, "AU", 1);
    int64_t y = tag(s, TAG_FREEFORM, "Coffee Shop AU", 1);
    int64_t z = tag(s, TAG_FREEFORM, "Modern AU", 1);
    assert_int_equal(store_tag_add_meta(s, x, y), 0);
    assert_int_equal(store_tag_add_meta(s, z, x), 0); /* z > x > y */
    seq = last_seq(s);
    assert_int_equal(store_tag_merge(s, z, y), FICD_EINVAL); /* y would be its own meta */
    assert_non_null(strstr(store_errmsg(s), "cycle"));
    assert_int_equal(last_seq(s), seq);
    assert_string_equal(linked(s, z, TAG_LINK_SUBS, &n), "AU");
}

static void test_parents(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t fandom = tag(s, TAG_FANDOM, "Naruto", 1);
    int64_t loose = tag(s, TAG_FANDOM, "naruto shippuden", 0);
    int64_t rel = tag(s, TAG_RELATIONSHIP, "Haruno Sakura/Uchiha Sasuke", 1);
    int64_t chr = tag(s, TAG_CHARACTER, "Sakura Haruno", 1);
    int64_t syn = tag(s, TAG_CHARACTER, "Haruno Sakura", 0);
    int64_t ff = tag(s, TAG_FREEFORM, "Angst", 0);
    assert_int_equal(store_tag_set_synonym(s, syn, chr), 0);

    assert_int_equal(store_tag_add_parent(s, chr, loose), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "'naruto shippuden' is not canonical"));
    assert_int_equal(store_tag_add_parent(s, chr, rel), FICD_EINVAL);
    assert_int_equal(store_tag_add_parent(s, fandom, fandom), FICD_EINVAL);
    assert_int_equal(store_tag_add_parent(s, loose, fandom), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "only characters, relationships and freeforms"));
    assert_int_equal(store_tag_add_parent(s, syn, fandom), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "synonym"));
    assert_int_equal(store_tag_add_parent(s, chr, 9999), FICD_ENOTFOUND);

    int64_t seq = last_seq(s);
    assert_int_equal(store_tag_add_parent(s, chr, fandom), 0);
    assert_int_equal(logged_since(s, seq), BIT(chr) | BIT(fandom));
    seq = last_seq(s);
    assert_int_equal(store_tag_add_parent(s, chr, fandom), 0); /* already there */
    assert_int_equal(last_seq(s), seq);
    assert_int_equal(store_tag_add_parent(s, rel, fandom), 0);
    assert_int_equal(store_tag_add_parent(s, ff, fandom), 0); /* non-canonical freeform: fine */
    struct names n;
    assert_string_equal(linked(s, fandom, TAG_LINK_CHILDREN, &n),
                        "Haruno Sakura/Uchiha Sasuke,Sakura Haruno,Angst");
    /* a fandom with children stays canonical */
    assert_int_equal(store_tag_set_canonical(s, fandom, 0), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "child tags"));

    assert_int_equal(store_tag_remove_parent(s, chr, fandom), 0);
    assert_int_equal(store_tag_remove_parent(s, chr, fandom), FICD_ENOTFOUND);
    assert_non_null(strstr(store_errmsg(s), "'Sakura Haruno' has no parent 'Naruto'"));
    assert_string_equal(linked(s, chr, TAG_LINK_PARENTS, &n), "");
}

static void test_meta_cycles(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t au = tag(s, TAG_FREEFORM, "Alternate Universe", 1);
    int64_t modern = tag(s, TAG_FREEFORM, "Alternate Universe - Modern Setting", 1);
    int64_t coffee = tag(s, TAG_FREEFORM, "Alternate Universe - Coffee Shops & Cafés", 1);
    int64_t loose = tag(s, TAG_FREEFORM, "coffee au", 0);
    int64_t chr = tag(s, TAG_CHARACTER, "Barista", 1);

    assert_int_equal(store_tag_add_meta(s, au, loose), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "must both be canonical"));
    assert_int_equal(store_tag_add_meta(s, au, chr), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "same type"));
    assert_int_equal(store_tag_add_meta(s, au, au), FICD_EINVAL);

    int64_t seq = last_seq(s);
    assert_int_equal(store_tag_add_meta(s, au, modern), 0);
    assert_int_equal(logged_since(s, seq), BIT(au) | BIT(modern));
    assert_int_equal(store_tag_add_meta(s, modern, coffee), 0);
    /* closing the loop, directly or through others, is refused */
    seq = last_seq(s);
    assert_int_equal(store_tag_add_meta(s, coffee, au), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "cycle"));
    assert_int_equal(store_tag_add_meta(s, modern, au), FICD_EINVAL);
    assert_int_equal(last_seq(s), seq);
    /* a second path to the same sub is fine (not a cycle) */
    assert_int_equal(store_tag_add_meta(s, au, coffee), 0);
    struct names n;
    assert_string_equal(linked(s, au, TAG_LINK_SUBS, &n),
                        "Alternate Universe - Coffee Shops & Cafés,"
                        "Alternate Universe - Modern Setting");
    assert_string_equal(linked(s, coffee, TAG_LINK_METAS, &n),
                        "Alternate Universe,Alternate Universe - Modern Setting");
    assert_int_equal(store_tag_set_canonical(s, modern, 0), FICD_EINVAL);
    assert_non_null(strstr(store_errmsg(s), "meta or sub tags"));

    assert_int_equal(store_tag_remove_meta(s, au, coffee), 0);
    assert_int_equal(store_tag_remove_meta(s, au, coffee), FICD_ENOTFOUND);
    assert_string_equal(linked(s, coffee, TAG_LINK_METAS, &n),
                        "Alternate Universe - Modern Setting");
}

struct rels {
    int n[3];
    int64_t meta_from, meta_to;
};

static int rel_cb(const struct tag_rel *r, void *ctx)
{
    struct rels *x = ctx;
    assert_true(r->kind <= TAG_REL_META);
    x->n[r->kind]++;
    if (r->kind == TAG_REL_META) {
        x->meta_from = r->from;
        x->meta_to = r->to;
    }
    return 0;
}

static void test_relations_and_queue(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t fandom = tag(s, TAG_FANDOM, "Naruto", 1);
    int64_t chr = tag(s, TAG_CHARACTER, "Sakura Haruno", 1);
    int64_t chr2 = tag(s, TAG_CHARACTER, "Hinata Hyuuga", 1);
    int64_t syn = tag(s, TAG_CHARACTER, "Haruno Sakura", 0);
    int64_t loose = tag(s, TAG_FREEFORM, "so much angst", 0);
    int64_t canon_ff = tag(s, TAG_FREEFORM, "Angst", 1);
    int64_t meta_ff = tag(s, TAG_FREEFORM, "Feelings", 1);
    assert_int_equal(store_tag_set_synonym(s, syn, chr), 0);
    assert_int_equal(store_tag_add_parent(s, chr, fandom), 0);
    assert_int_equal(store_tag_add_meta(s, meta_ff, canon_ff), 0);

    struct rels r = {0};
    assert_int_equal(store_tag_relations(s, rel_cb, &r), 0);
    assert_int_equal(r.n[TAG_REL_SYNONYM], 1);
    assert_int_equal(r.n[TAG_REL_PARENT], 1);
    assert_int_equal(r.n[TAG_REL_META], 1);
    assert_int_equal(r.meta_from, canon_ff);
    assert_int_equal(r.meta_to, meta_ff);

    /* the queue: the loose freeform and the canonical character without a fandom */
    struct names n = {{0}};
    assert_int_equal(store_tag_unwrangled(s, -1, 0, name_cb, &n), 0);
    assert_string_equal(n.s, "Hinata Hyuuga,so much angst");
    n.s[0] = 0;
    assert_int_equal(store_tag_unwrangled(s, TAG_FREEFORM, 0, name_cb, &n), 0);
    assert_string_equal(n.s, "so much angst");
    n.s[0] = 0;
    assert_int_equal(store_tag_unwrangled(s, -1, 1, name_cb, &n), 0);
    assert_string_equal(n.s, "Hinata Hyuuga");
    assert_int_equal(store_tag_unwrangled(s, TAG_RATING, 0, name_cb, &n), FICD_EINVAL);
    assert_int_equal(store_tag_add_parent(s, chr2, fandom), 0);
    assert_int_equal(store_tag_set_synonym(s, loose, canon_ff), 0);
    n.s[0] = 0;
    assert_int_equal(store_tag_unwrangled(s, -1, 0, name_cb, &n), 0);
    assert_string_equal(n.s, "");
    (void)loose;
}

/* Deleting a tag row (not exposed, but the schema allows it) drops its links. */
static void test_links_cascade(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t fandom = tag(s, TAG_FANDOM, "Naruto", 1);
    int64_t chr = tag(s, TAG_CHARACTER, "Sakura Haruno", 1);
    assert_int_equal(store_tag_add_parent(s, chr, fandom), 0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM tag_parents"), 1);
    assert_int_equal(
        raw_exec(f->dir, test_on_pg() ? "DELETE FROM tags WHERE id = 1"
                                      : "PRAGMA foreign_keys = ON; DELETE FROM tags WHERE id = 1"),
        0);
    assert_int_equal(raw_int(f->dir, "SELECT count(*) FROM tag_parents"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_synonyms, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_merge_moves_everything, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parents, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_meta_cycles, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_relations_and_queue, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_links_cascade, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
