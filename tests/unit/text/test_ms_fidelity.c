/* test_ms_fidelity.c: what writers bring that the importer used to get wrong, on invented
 * manuscripts: author's notes without a label (top and bottom, and first-person stories that
 * must stay stories), beta credits inside longer sentences, suggested characters that are
 * people (not places, clans, titles or family names alone; family and given name as one, in
 * the archive's canonical form), and fandoms suggested from the archive's parent tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/work.h"
#include "text/manuscript.h"
#include "text/ms_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void parse(const char *s, const struct ms_known *k, struct work *w)
{
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.filename = "story.txt";
    o.known = k;
    struct text_err te;
    int rc = ms_parse(s, strlen(s), &o, w, &te);
    if (rc)
        fail_msg("parse failed: %d %s (line %d)", rc, te.msg, te.line);
}

static int has(const struct strlist *l, const char *s)
{
    return strlist_contains(l, s);
}

static const char *html(const struct work *w)
{
    return w->nchapters ? w->chapters[0].html : "";
}

/* A story of about 250 words about two people in a harbour town, for the tests to wrap. */
#define STORY                                                                                      \
    "Maren climbed the steps of the lighthouse while the gulls wheeled overhead. Tobias "          \
    "followed her, grumbling about the wind and the cold and the hour.\n\n"                        \
    "\"Maren,\" Tobias said. \"Wait for me.\"\n\n"                                                 \
    "Maren laughed and waited at the turn of the stair. Tobias caught up with her, breathing "     \
    "hard, and they went on together. In Saltmere the bells were ringing for the boats.\n\n"       \
    "They had come from Saltmere at dawn, and Saltmere was far behind them now. The Warden had "   \
    "sent them with a lamp and a letter and no explanation at all.\n\n"                            \
    "Maren smiled at him. Tobias smiled back. The Warden would be angry, but Maren did not "       \
    "care, and neither did Tobias. At the top Maren lit the lamp and Tobias watched her work.\n\n" \
    "Tobias sighed. Maren turned to the window. Out past the harbour of Saltmere the sea lay "     \
    "flat and grey, and the Warden of Saltmere rang the bell again.\n\n"                           \
    "Maren whispered his name, and Tobias grinned at her in the lamplight.\n"

/* ---- 1. author's notes without "A/N:" ---- */

static void test_unlabelled_notes(void **state)
{
    (void)state;
    struct work w;
    parse("The Lamp\n\n"
          "This one has been sitting in my drafts for almost a year, and I finally decided to "
          "finish it for a request from a friend. I know I have other stories to update first, "
          "sorry!\n\n" STORY "\n"
          "Thank you all so much for reading! I'd love to hear what you think, so please leave a "
          "review if you enjoyed it. The next chapter of my other fic is coming soon.\n",
          NULL, &w);
    assert_string_equal(w.title, "The Lamp");
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(w.notes_begin, "sitting in my drafts"));
    assert_non_null(w.notes_end);
    assert_non_null(strstr(w.notes_end, "Thank you all so much"));
    assert_null(strstr(html(&w), "drafts"));
    assert_null(strstr(html(&w), "leave a review"));
    assert_non_null(strstr(html(&w), "Maren climbed"));
    assert_non_null(strstr(html(&w), "grinned at her"));
    /* the notes no longer count as story words */
    struct work plain;
    parse("The Lamp\n\n" STORY, NULL, &plain);
    assert_int_equal(w.chapters[0].words, plain.chapters[0].words);
    work_free(&plain);
    work_free(&w);

    /* a note in a chapter of its own place: above a chapter's text, below another's */
    parse("Chapter 1\n\nSorry this update took so long, everyone! I rewrote this chapter "
          "three times before I was happy with it.\n\n" STORY "\nChapter 2\n\n" STORY,
          NULL, &w);
    assert_int_equal(w.nchapters, 2);
    assert_true((w.notes_begin && strstr(w.notes_begin, "update took so long")) ||
                (w.chapters[0].notes_begin && strstr(w.chapters[0].notes_begin, "took so long")));
    assert_null(strstr(html(&w), "took so long"));
    work_free(&w);
}

/* A note above the title line; short notes a scene break sets apart from the story. */
static void test_note_positions(void **state)
{
    (void)state;
    struct work w;
    parse("Hi everyone! This fic sat in my drafts for months and I finally finished it.\n\n"
          "The Lantern Keeper\n\n" STORY,
          NULL, &w);
    assert_string_equal(w.title, "The Lantern Keeper");
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(w.notes_begin, "sat in my drafts"));
    assert_null(strstr(html(&w), "Lantern Keeper"));
    work_free(&w);

    parse("The Lamp\n\nJust a little something I wrote at three in the morning.\n\n* * *\n\n" STORY
          "\n* * *\n\nThanks, guys. I hope you liked it.\n",
          NULL, &w);
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(w.notes_begin, "three in the morning"));
    assert_non_null(w.notes_end);
    assert_non_null(strstr(w.notes_end, "hope you liked it"));
    assert_null(strstr(html(&w), "three in the morning"));
    assert_null(strstr(html(&w), "liked it"));
    work_free(&w);

    /* the same shapes in a first-person story stay story */
    parse("The Lamp\n\nI remember the day the village burned.\n\n* * *\n\n" STORY
          "\n* * *\n\nI hope you are happy now, she wrote to me.\n",
          NULL, &w);
    assert_null(w.notes_begin);
    assert_null(w.notes_end);
    assert_non_null(strstr(html(&w), "the village burned"));
    assert_non_null(strstr(html(&w), "she wrote to me"));
    work_free(&w);
    /* a short first line under a note is not taken for a title unless it looks like one */
    parse("Sorry for the long wait, everyone! I hope this update makes up for it.\n\n"
          "Three years later\n\n" STORY,
          NULL, &w);
    assert_non_null(w.notes_begin);
    assert_non_null(strstr(html(&w), "Three years later"));
    work_free(&w);
}

/* First-person stories, and stories whose characters write, stay stories. */
static void test_first_person_stays_story(void **state)
{
    (void)state;
    struct work w;
    const char *openings[] = {
        "I never meant to stay in Saltmere. My mother told me stories about the sea when I "
        "was small, and I wrote them down in a notebook I still keep under my bed.\n\n",
        "I read the letter twice before I understood it. The Warden wanted me at the "
        "lighthouse by nightfall, and I had nothing to say to him that I had not said "
        "before.\n\n",
        "I'm not the hero of this story. I'm the one who holds the lamp while Maren does the "
        "brave things, and I have made my peace with that.\n\n",
    };
    for (size_t i = 0; i < sizeof(openings) / sizeof(openings[0]); i++) {
        char text[4096];
        snprintf(text, sizeof(text), "The Lamp\n\n%s%s", openings[i], STORY);
        parse(text, NULL, &w);
        assert_null(w.notes_begin);
        char first[24];
        snprintf(first, sizeof(first), "%.20s", openings[i]);
        if (!strstr(html(&w), first))
            fail_msg("opening %zu left the story", i);
        work_free(&w);
    }
    /* and the last paragraph of a first-person story, however much it thanks someone */
    parse("The Lamp\n\n" STORY "\nI thanked him for the lamp, and for the stories, and I "
          "walked home alone along the harbour wall.\n",
          NULL, &w);
    assert_null(w.notes_end);
    assert_non_null(strstr(html(&w), "walked home alone"));
    work_free(&w);
    /* unit: the voice test itself */
    assert_true(ms_meta_voice("I finally finished this fic! Reviews make my day."));
    assert_true(ms_meta_voice("Hope you guys enjoyed this chapter, the next update is soon."));
    assert_false(ms_meta_voice("I wrote to him every week that winter, and he never answered."));
    assert_false(ms_meta_voice("\"I read your story,\" she said. \"The chapter about the sea.\""));
}

/* ---- 2. beta credits inside longer sentences ---- */

static void test_beta_in_sentences(void **state)
{
    (void)state;
    static const struct {
        const char *note;
        const char *a, *b;
    } cases[] = {
        {"Thanks to my beta, Wrenfield, for putting up with my comma abuse.", "Wrenfield", NULL},
        {"This was beta'd by Lark and Pemberly, who are both saints.", "Lark", "Pemberly"},
        {"Betaed by Quillon; all remaining mistakes are mine.", "Quillon", NULL},
        {"Huge thanks to my wonderful beta Ashgrove for everything.", "Ashgrove", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[4096];
        snprintf(text, sizeof(text), "The Lamp\n\n" STORY "\n%s I hope you enjoyed the story!\n",
                 cases[i].note);
        struct work w;
        parse(text, NULL, &w);
        if (!has(&w.beta, cases[i].a))
            fail_msg("case %zu: %s not credited (%zu credits)", i, cases[i].a, w.beta.n);
        if (cases[i].b && !has(&w.beta, cases[i].b))
            fail_msg("case %zu: %s not credited", i, cases[i].b);
        assert_int_equal(w.beta.n, cases[i].b ? 2 : 1);
        /* the sentence stays in the notes, as written */
        assert_non_null(w.notes_end);
        char head[24];
        snprintf(head, sizeof(head), "%.20s", cases[i].note);
        assert_non_null(strstr(w.notes_end, head));
        assert_null(strstr(html(&w), head));
        work_free(&w);
    }
}

/* ---- 3. suggested characters are people ---- */

static void test_people_not_places(void **state)
{
    (void)state;
    struct work w;
    parse("The Lamp\n\n" STORY, NULL, &w);
    assert_true(has(&w.sugg_characters, "Maren"));
    assert_true(has(&w.sugg_characters, "Tobias"));
    assert_false(has(&w.sugg_characters, "Saltmere")); /* "in", "from", "of" Saltmere */
    assert_false(has(&w.sugg_characters, "Warden"));   /* "the Warden" */
    work_free(&w);

    /* clans, titles with honorifics, family names alone; family + given name as one */
    parse("Clan Business\n\n"
          "The Vell clan had ruled the valley for a century. Kiri Vell came down from the "
          "hills at dawn, and the Vell elders watched her go. Ardo followed her.\n\n"
          "\"Good morning, Steward-sama,\" Kiri said to the Steward at the gate. The Steward "
          "nodded. Ardo laughed. The Steward frowned at him.\n\n"
          "\"Vell-san,\" the guard called. \"Vell-san, wait!\" Kiri turned. Ardo shrugged. "
          "Kiri smiled and walked on, and Ardo went with her into Dunmoor.\n\n"
          "In Dunmoor the market was loud. Kiri bought bread; Ardo bought apples. They left "
          "Dunmoor at noon and Kiri sighed with relief. Ardo grinned. A Vell never lingered. "
          "Kiri Vell looked back once at the Steward-sama's tower, and Ardo nodded at her.\n",
          NULL, &w);
    assert_true(has(&w.sugg_characters, "Kiri Vell"));
    assert_true(has(&w.sugg_characters, "Ardo"));
    assert_false(has(&w.sugg_characters, "Kiri"));
    assert_false(has(&w.sugg_characters, "Vell"));
    assert_false(has(&w.sugg_characters, "Steward"));
    assert_false(has(&w.sugg_characters, "Dunmoor"));
    work_free(&w);
}

/* The archive's tags: canonical names, synonyms, parent fandoms. */
static struct ms_known *archive(void)
{
    struct ms_known *k = ms_known_new();
    assert_non_null(k);
    assert_int_equal(ms_known_tag(k, 1, TAG_FANDOM, "Harbour Tales (Books)", 1, 0), 0);
    assert_int_equal(ms_known_tag(k, 2, TAG_CHARACTER, "Brightwater Maren", 1, 0), 0);
    assert_int_equal(ms_known_tag(k, 3, TAG_CHARACTER, "Oake Tobias", 1, 0), 0);
    assert_int_equal(ms_known_tag(k, 4, TAG_CHARACTER, "Maren B.", 0, 2), 0); /* synonym */
    assert_int_equal(ms_known_tag(k, 5, TAG_RELATIONSHIP, "Brightwater Maren/Oake Tobias", 1, 0),
                     0);
    assert_int_equal(ms_known_tag(k, 6, TAG_FANDOM, "Harbour Tales", 0, 1), 0); /* synonym */
    assert_int_equal(ms_known_tag(k, 7, TAG_CHARACTER, "Unwrangled Person", 0, 0), 0);
    assert_int_equal(ms_known_parent(k, 2, 1), 0);
    assert_int_equal(ms_known_parent(k, 5, 1), 0);
    return k;
}

static void test_canonical_names(void **state)
{
    (void)state;
    struct ms_known *k = archive();
    struct work w;
    parse("The Lamp\n\n" STORY, k, &w);
    assert_true(has(&w.sugg_characters, "Brightwater Maren"));
    assert_true(has(&w.sugg_characters, "Oake Tobias"));
    assert_false(has(&w.sugg_characters, "Maren"));
    assert_false(has(&w.sugg_characters, "Tobias"));
    /* ---- 4. the fandom the characters belong to, never named in the manuscript ---- */
    assert_true(has(&w.sugg_fandoms, "Harbour Tales (Books)"));
    work_free(&w);

    /* declared characters and relationships tell the fandom too (by synonym, by sides) */
    parse("The Lamp\n\nCharacters: Maren B.\nRating: General\n\n" STORY, k, &w);
    assert_true(has(&w.sugg_fandoms, "Harbour Tales (Books)"));
    work_free(&w);
    parse("The Lamp\n\nPairing: Maren/Tobias\n\n" STORY, k, &w);
    assert_true(has(&w.sugg_fandoms, "Harbour Tales (Books)"));
    work_free(&w);
    /* a fandom the work declares (here by a synonym) is not suggested again */
    parse("The Lamp\n\nFandom: Harbour Tales\n\n" STORY, k, &w);
    assert_int_equal(w.sugg_fandoms.n, 0);
    work_free(&w);
    /* a character the archive calls "The X" is a person although written after "the" */
    struct ms_known *k2 = ms_known_new();
    assert_int_equal(ms_known_tag(k2, 1, TAG_CHARACTER, "The Warden (Harbour Tales)", 1, 0), 0);
    parse("The Lamp\n\n" STORY, k2, &w);
    assert_true(has(&w.sugg_characters, "The Warden (Harbour Tales)"));
    assert_false(has(&w.sugg_characters, "Saltmere"));
    work_free(&w);
    ms_known_free(k2);
    /* nothing wrangled, nothing suggested: a place is still not a character */
    struct ms_known *empty = ms_known_new();
    parse("The Lamp\n\n" STORY, empty, &w);
    assert_int_equal(w.sugg_fandoms.n, 0);
    assert_false(has(&w.sugg_characters, "Saltmere"));
    work_free(&w);
    ms_known_free(empty);
    ms_known_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlabelled_notes),         cmocka_unit_test(test_note_positions),
        cmocka_unit_test(test_first_person_stays_story), cmocka_unit_test(test_beta_in_sentences),
        cmocka_unit_test(test_people_not_places),        cmocka_unit_test(test_canonical_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
