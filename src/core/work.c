/* work.c: the work model's lists, lifetime, and the names of ratings, warnings, categories. */
#include "core/work.h"
#include "core/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void strlist_init(struct strlist *l)
{
    memset(l, 0, sizeof(*l));
}

void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

int strlist_addn(struct strlist *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return FICD_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    char *c = strndup(s, n);
    if (!c)
        return FICD_ENOMEM;
    l->v[l->n++] = c;
    return 0;
}

int strlist_add(struct strlist *l, const char *s)
{
    return strlist_addn(l, s, strlen(s));
}

int strlist_contains(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

int strlist_add_unique(struct strlist *l, const char *s)
{
    if (strlist_contains(l, s))
        return 0;
    return strlist_add(l, s);
}

void strlist_remove(struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcasecmp(l->v[i], s) == 0) {
            free(l->v[i]);
            memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
            l->n--;
            return;
        }
    }
}

int strlist_copy(struct strlist *dst, const struct strlist *src)
{
    strlist_init(dst);
    for (size_t i = 0; i < src->n; i++)
        if (strlist_add(dst, src->v[i]))
            return FICD_ENOMEM;
    return 0;
}

void work_init(struct work *w)
{
    memset(w, 0, sizeof(*w));
}

static void chapter_free(struct chapter *c)
{
    free(c->title);
    free(c->summary);
    free(c->notes_begin);
    free(c->notes_end);
    free(c->html);
}

void work_free(struct work *w)
{
    free(w->title);
    free(w->summary);
    free(w->notes_begin);
    free(w->notes_end);
    free(w->language);
    free(w->series);
    strlist_free(&w->creators);
    strlist_free(&w->fandoms);
    strlist_free(&w->relationships);
    strlist_free(&w->characters);
    strlist_free(&w->freeforms);
    strlist_free(&w->beta);
    strlist_free(&w->sugg_characters);
    strlist_free(&w->sugg_relationships);
    strlist_free(&w->sugg_fandoms);
    for (size_t i = 0; i < w->nchapters; i++)
        chapter_free(&w->chapters[i]);
    free(w->chapters);
    memset(w, 0, sizeof(*w));
}

struct chapter *work_add_chapter(struct work *w)
{
    if (w->nchapters == w->chapters_cap) {
        size_t cap = w->chapters_cap ? w->chapters_cap * 2 : 4;
        struct chapter *c = realloc(w->chapters, cap * sizeof(*c));
        if (!c)
            return NULL;
        w->chapters = c;
        w->chapters_cap = cap;
    }
    struct chapter *c = &w->chapters[w->nchapters++];
    memset(c, 0, sizeof(*c));
    c->position = (int)w->nchapters;
    return c;
}

int work_words(const struct work *w)
{
    int n = 0;
    for (size_t i = 0; i < w->nchapters; i++)
        n += w->chapters[i].words;
    return n;
}

int work_is_complete(const struct work *w)
{
    return w->expected_chapters > 0 && (size_t)w->expected_chapters <= w->nchapters;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int work_copy(struct work *dst, const struct work *src)
{
    *dst = *src;
    dst->title = dup_or_null(src->title);
    dst->summary = dup_or_null(src->summary);
    dst->notes_begin = dup_or_null(src->notes_begin);
    dst->notes_end = dup_or_null(src->notes_end);
    dst->language = dup_or_null(src->language);
    dst->series = dup_or_null(src->series);
    int rc = strlist_copy(&dst->creators, &src->creators) |
             strlist_copy(&dst->fandoms, &src->fandoms) |
             strlist_copy(&dst->relationships, &src->relationships) |
             strlist_copy(&dst->characters, &src->characters) |
             strlist_copy(&dst->freeforms, &src->freeforms) | strlist_copy(&dst->beta, &src->beta) |
             strlist_copy(&dst->sugg_characters, &src->sugg_characters) |
             strlist_copy(&dst->sugg_relationships, &src->sugg_relationships) |
             strlist_copy(&dst->sugg_fandoms, &src->sugg_fandoms);
    dst->chapters = NULL;
    dst->nchapters = dst->chapters_cap = 0;
    for (size_t i = 0; i < src->nchapters; i++) {
        struct chapter *c = work_add_chapter(dst);
        if (!c)
            return FICD_ENOMEM;
        const struct chapter *s = &src->chapters[i];
        *c = *s;
        c->title = dup_or_null(s->title);
        c->summary = dup_or_null(s->summary);
        c->notes_begin = dup_or_null(s->notes_begin);
        c->notes_end = dup_or_null(s->notes_end);
        c->html = dup_or_null(s->html);
    }
    return rc ? FICD_ENOMEM : 0;
}

static const char *const rating_names[RATING__COUNT] = {
    "Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"};
static const char *const rating_shorts[RATING__COUNT] = {"NR", "G", "T", "M", "E"};

const char *rating_name(enum rating r)
{
    return (unsigned)r < RATING__COUNT ? rating_names[r] : rating_names[0];
}

const char *rating_short(enum rating r)
{
    return (unsigned)r < RATING__COUNT ? rating_shorts[r] : rating_shorts[0];
}

static const char *const warning_names[WARN__COUNT] = {"Creator Chose Not To Use Archive Warnings",
                                                       "Graphic Depictions Of Violence",
                                                       "Major Character Death",
                                                       "No Archive Warnings Apply",
                                                       "Rape/Non-Con",
                                                       "Underage Sex"};

const char *warning_name(unsigned bit)
{
    for (int i = 0; i < WARN__COUNT; i++)
        if (bit == (1u << i))
            return warning_names[i];
    return NULL;
}

static const char *const category_names[CAT__COUNT] = {"F/F", "F/M",   "Gen",
                                                       "M/M", "Multi", "Other"};

const char *category_name(unsigned bit)
{
    for (int i = 0; i < CAT__COUNT; i++)
        if (bit == (1u << i))
            return category_names[i];
    return NULL;
}

static const char *const tag_type_names[TAG__COUNT] = {
    "fandom", "relationship", "character", "freeform", "rating", "warning", "category"};

const char *tag_type_name(enum tag_type t)
{
    return (unsigned)t < TAG__COUNT ? tag_type_names[t] : "freeform";
}

int tag_type_from_name(const char *s)
{
    for (int i = 0; i < TAG__COUNT; i++)
        if (strcasecmp(s, tag_type_names[i]) == 0)
            return i;
    if (strcasecmp(s, "additional") == 0 || strcasecmp(s, "tag") == 0)
        return TAG_FREEFORM;
    return -1;
}

/* Lower-cases s into out, keeping letters, digits, '+' and '/', with runs of spaces, '-' and
 * '_' as one '-'. */
static void fold_key(const char *s, char *out, size_t outsz)
{
    size_t j = 0;
    for (; *s && j + 1 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '+' || c == '/')
            out[j++] = (char)tolower(c);
        else if ((c == '-' || c == '_' || isspace(c)) && j > 0 && out[j - 1] != '-')
            out[j++] = '-';
    }
    while (j > 0 && out[j - 1] == '-')
        j--;
    out[j] = '\0';
}

int rating_parse(const char *s)
{
    char k[64];
    fold_key(s, k, sizeof(k));
    static const struct {
        const char *key;
        int r;
    } map[] = {
        {"g", RATING_GENERAL},
        {"general", RATING_GENERAL},
        {"generalaudiences", RATING_GENERAL},
        {"general-audiences", RATING_GENERAL},
        {"k", RATING_GENERAL},
        {"pg", RATING_GENERAL},
        {"gen", RATING_GENERAL},
        {"all-ages", RATING_GENERAL},
        {"t", RATING_TEEN},
        {"teen", RATING_TEEN},
        {"k+", RATING_GENERAL},
        {"pg-13", RATING_TEEN},
        {"pg13", RATING_TEEN},
        {"teenandupaudiences", RATING_TEEN},
        {"teen-and-up-audiences", RATING_TEEN},
        {"teen-and-up", RATING_TEEN},
        {"teens", RATING_TEEN},
        {"m", RATING_MATURE},
        {"mature", RATING_MATURE},
        {"r", RATING_MATURE},
        {"e", RATING_EXPLICIT},
        {"explicit", RATING_EXPLICIT},
        {"nc-17", RATING_EXPLICIT},
        {"nc17", RATING_EXPLICIT},
        {"ma", RATING_EXPLICIT},
        {"x", RATING_EXPLICIT},
        {"xxx", RATING_EXPLICIT}, /* "Rating: XXX", as some writers mark adult works */
        {"nr", RATING_NOT_RATED},
        {"not-rated", RATING_NOT_RATED},
        {"notrated", RATING_NOT_RATED},
        {"unrated", RATING_NOT_RATED},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(k, map[i].key) == 0)
            return map[i].r;
    return -1;
}

unsigned warning_parse(const char *s)
{
    char k[96];
    fold_key(s, k, sizeof(k));
    static const struct {
        const char *key;
        unsigned bit;
    } map[] = {
        {"creator-chose-not-to-use-archive-warnings", WARN_CHOSE_NOT},
        {"choose-not-to-use-archive-warnings", WARN_CHOSE_NOT},
        {"chose-not-to-use-archive-warnings", WARN_CHOSE_NOT},
        {"chose-not-to-warn", WARN_CHOSE_NOT},
        {"graphic-depictions-of-violence", WARN_VIOLENCE},
        {"violence", WARN_VIOLENCE},
        {"graphic-violence", WARN_VIOLENCE},
        {"major-character-death", WARN_MCD},
        {"character-death", WARN_MCD},
        {"mcd", WARN_MCD},
        {"death", WARN_MCD},
        {"no-archive-warnings-apply", WARN_NONE},
        {"no-warnings-apply", WARN_NONE},
        {"no-warnings", WARN_NONE},
        {"none", WARN_NONE},
        {"rape/non-con", WARN_NONCON},
        {"rape/noncon", WARN_NONCON},
        {"non-con", WARN_NONCON},
        {"noncon", WARN_NONCON},
        {"rape", WARN_NONCON},
        {"underage-sex", WARN_UNDERAGE},
        {"underage", WARN_UNDERAGE},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(k, map[i].key) == 0)
            return map[i].bit;
    return 0;
}

unsigned category_parse(const char *s)
{
    char k[32];
    fold_key(s, k, sizeof(k));
    static const struct {
        const char *key;
        unsigned bit;
    } map[] = {
        {"f/f", CAT_FF},      {"ff", CAT_FF},          {"femslash", CAT_FF}, {"f/m", CAT_FM},
        {"fm", CAT_FM},       {"m/f", CAT_FM},         {"het", CAT_FM},      {"gen", CAT_GEN},
        {"general", CAT_GEN}, {"m/m", CAT_MM},         {"mm", CAT_MM},       {"slash", CAT_MM},
        {"multi", CAT_MULTI}, {"multiple", CAT_MULTI}, {"other", CAT_OTHER},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(k, map[i].key) == 0)
            return map[i].bit;
    return 0;
}

int work_chapter_index(const struct work *w, int64_t cid)
{
    for (size_t i = 0; i < w->nchapters; i++)
        if (w->chapters[i].id == cid)
            return (int)i;
    return -1;
}
