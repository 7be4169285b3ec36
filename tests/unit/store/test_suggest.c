/* test_suggest.c: tag autocomplete in the store: prefix and word-start matches, synonyms
 * standing for their canonical tag, each tag once, ordering, LIKE metacharacters. */
#include "store_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

struct got {
    char names[16][64];
    char matched[16][64];
    int n;
};

static int collect(const struct tag *t, const char *matched, void *ctx)
{
    struct got *g = ctx;
    if (g->n < 16) {
        snprintf(g->names[g->n], 64, "%s", t->name);
        snprintf(g->matched[g->n], 64, "%s", matched);
        g->n++;
    }
    return 0;
}

static int64_t tag(struct store *s, enum tag_type type, const char *name)
{
    int64_t id = 0;
    assert_int_equal(store_tag_ensure(s, type, name, &id), 0);
    return id;
}

static void test_suggest(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s;
    int64_t sakura = tag(s, TAG_CHARACTER, "Haruno Sakura");
    int64_t chan = tag(s, TAG_CHARACTER, "Sakura-chan");
    int64_t pair = tag(s, TAG_RELATIONSHIP, "Hatake Kakashi/Haruno Sakura");
    tag(s, TAG_CHARACTER, "Sakumo");
    tag(s, TAG_CHARACTER, "100% Pure");
    tag(s, TAG_CHARACTER, "100 Words");
    (void)pair;
    assert_int_equal(store_tag_set_canonical(s, sakura, 1), 0);
    assert_int_equal(store_tag_set_synonym(s, chan, sakura), 0);

    /* "sak": the prefix matches first (Sakumo, and the synonym Sakura-chan standing for
     * Haruno Sakura), then word starts; Haruno Sakura appears once */
    struct got g = {0};
    assert_int_equal(store_tag_suggest(s, TAG_CHARACTER, "sak", 10, collect, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.names[0], "Haruno Sakura"); /* canonical first */
    assert_string_equal(g.matched[0], "Sakura-chan");
    assert_string_equal(g.names[1], "Sakumo");

    /* word after '/' in a relationship, any type */
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, -1, "kaka", 10, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.names[0], "Hatake Kakashi/Haruno Sakura");
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, TAG_RELATIONSHIP, "haruno", 10, collect, &g), 0);
    assert_int_equal(g.n, 1);

    /* a synonym typed after a hyphen: "chan" finds Sakura-chan, i.e. Haruno Sakura */
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, TAG_CHARACTER, "chan", 10, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.names[0], "Haruno Sakura");

    /* % and _ are literal */
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, TAG_CHARACTER, "100%", 10, collect, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.names[0], "100% Pure");

    /* the limit holds; an empty term suggests nothing */
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, -1, "h", 1, collect, &g), 0);
    assert_int_equal(g.n, 1);
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_tag_suggest(s, -1, "", 10, collect, &g), 0);
    assert_int_equal(g.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_suggest, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
