/* ms_people.c: which of the capitalised words the tokenizer counted (ms_suggest.c) are
 * characters: places, clans, family names used alone and titles are told from people by the
 * words around them; a family name and the given name it stands before become one name; names
 * are matched to the archive's character tags (canonical names and synonyms) and suggested
 * in canonical form; the parent fandoms of the suggested and declared characters and
 * relationships become fandom suggestions. */
#include "text/ms_scan.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUGG_MAX 10

/* Does name equal the word k[a..e) of a tag? */
static int word_is(const char *k, size_t a, size_t e, const char *name, size_t nl)
{
    return e - a == nl && strncasecmp(k + a, name, nl) == 0;
}

/* How well the tag k fits name: 0 when name is not one of its words (or all of them: "Haruno
 * Sakura" fits "Sakura", "Haruno" and "Haruno Sakura"; a disambiguation in parentheses is
 * ignored), else 1 + the counts in t of the tag's words. */
static int fit_score(const char *k, const char *name, struct name_tab *t)
{
    size_t kl = strcspn(k, "(");
    while (kl > 0 && k[kl - 1] == ' ')
        kl--;
    size_t nl = strlen(name);
    int fits = word_is(k, 0, kl, name, nl), score = 1;
    for (size_t a = 0; a < kl && !fits;) {
        while (a < kl && k[a] == ' ')
            a++;
        size_t e = a;
        while (e < kl && k[e] != ' ')
            e++;
        fits = word_is(k, a, e, name, nl);
        a = e;
    }
    if (!fits)
        return 0; /* most tags: no lookups */
    for (size_t a = 0; a < kl;) {
        while (a < kl && k[a] == ' ')
            a++;
        size_t e = a;
        while (e < kl && k[e] != ' ')
            e++;
        if (e > a) {
            char word[64];
            if (e - a < sizeof(word) && t) {
                memcpy(word, k + a, e - a);
                word[e - a] = '\0';
                const struct name_ent *ent = ms_tab_find(t, word);
                if (ent)
                    score += ent->count;
            }
        }
        a = e;
    }
    return score;
}

struct fit {
    const char *name;
    struct name_tab *t;
    long found;
    int best, tie;
};

static int fit_cb(const char *tag, size_t idx, void *ctx)
{
    struct fit *f = ctx;
    int score = fit_score(tag, f->name, f->t);
    if (!score || (score == f->best && (long)idx == f->found))
        return 0;
    if (score > f->best) {
        f->best = score;
        f->found = (long)idx;
        f->tie = 0;
    } else if (score == f->best) {
        f->tie = 1;
    }
    return 0;
}

/* The known character that name is or fits (see fit_score; canonical names and synonyms,
 * a synonym standing for its canonical tag): its index in l->names, -1 for none, -2 when
 * several different characters fit equally well. */
static long match_known(const struct ms_klist *l, const char *name, struct name_tab *t)
{
    if (!l || !l->names.n)
        return -1;
    long exact = ms_klist_find(l, name);
    if (exact >= 0)
        return exact;
    struct fit f = {name, t, -1, 0, 0};
    ms_klist_words(l, name, fit_cb, &f);
    return f.tie ? -2 : f.found;
}

struct the_fit {
    const char *name;
    long found;
};

static int the_cb(const char *tag, size_t idx, void *ctx)
{
    struct the_fit *f = ctx;
    size_t nl = strlen(f->name);
    if (strncasecmp(tag, "the ", 4) == 0 && strncasecmp(tag + 4, f->name, nl) == 0 &&
        (tag[4 + nl] == '\0' || tag[4 + nl] == ' ')) {
        f->found = (long)idx;
        return 1;
    }
    return 0;
}

/* A character the archive knows by "The NAME" ("The Doctor", "The Wanderer (Books)"): a name
 * written after "the" that is a person after all. Its index, or -1. */
static long the_character(const struct ms_klist *known, const char *name)
{
    struct the_fit f = {name, -1};
    ms_klist_words(known, name, the_cb, &f);
    return f.found;
}

struct sugg {
    char *name;
    int count;
    long known; /* index in the known characters, or -1 */
};

static int sugg_cmp(const void *a, const void *b)
{
    const struct sugg *x = a, *y = b;
    return y->count - x->count;
}

static int declared_character(const struct work *w, const char *name)
{
    for (size_t i = 0; i < w->characters.n; i++) {
        const char *d = w->characters.v[i];
        if (strcasecmp(d, name) == 0)
            return 1;
        const char *p = ms_find_ci(d, name);
        size_t nl = strlen(name);
        if (p && (p == d || p[-1] == ' ') && (p[nl] == '\0' || p[nl] == ' ' || p[nl] == '('))
            return 1;
    }
    return 0;
}

/* Adds a fandom suggestion: the canonical known fandom it names when there is one; nothing
 * when the work already declares it (or a synonym of it). */
static void suggest_fandom(struct ms_ctx *c, const struct ms_klist *kf, const char *f)
{
    const char *use = f;
    long k = ms_klist_find(kf, f);
    if (k >= 0)
        use = kf->names.v[k];
    else
        for (size_t i = 0; kf && i < kf->names.n; i++) {
            size_t fl = strlen(f);
            const char *v = kf->names.v[i];
            if (strncasecmp(v, f, fl) == 0 && (v[fl] == ' ' || v[fl] == '(')) {
                use = v;
                break;
            }
        }
    for (size_t i = 0; i < c->w->fandoms.n; i++) {
        const char *d = c->w->fandoms.v[i];
        long dk = ms_klist_find(kf, d);
        if (!strcasecmp(d, use) || (dk >= 0 && !strcasecmp(kf->names.v[dk], use)))
            return;
    }
    strlist_add_unique(&c->w->sugg_fandoms, use);
}

/* The parent fandoms of entry k of list l, as fandom suggestions. */
static void suggest_parents(struct ms_ctx *c, const struct ms_kview *kv, int l, long k)
{
    if (!kv || k < 0 || !kv->l[l].parents)
        return;
    const struct strlist *p = &kv->l[l].parents[k];
    for (size_t i = 0; i < p->n; i++)
        if (*p->v[i])
            suggest_fandom(c, &kv->l[MS_K_FANDOM], p->v[i]);
}

/* The view of the older interface's lists (known_characters with known_character_fandoms,
 * known_relationships, known_fandoms) into v, owned. */
static void legacy_view(const struct ms_opts *o, struct ms_kview *v)
{
    memset(v, 0, sizeof(*v));
    const struct strlist *src[3] = {o->known_characters, o->known_relationships, o->known_fandoms};
    for (int l = 0; l < 3; l++) {
        strlist_init(&v->l[l].names);
        strlist_init(&v->l[l].syn);
        if (src[l])
            strlist_copy(&v->l[l].names, src[l]);
        v->l[l].parents = calloc(v->l[l].names.n + 1, sizeof(struct strlist));
        if (!v->l[l].parents)
            continue;
        for (size_t i = 0; i < v->l[l].names.n; i++) {
            strlist_init(&v->l[l].parents[i]);
            const struct strlist *f = o->known_character_fandoms;
            if (l == MS_K_CHAR && f && i < f->n && *f->v[i])
                strlist_add(&v->l[l].parents[i], f->v[i]);
        }
        ms_klist_index(&v->l[l]);
    }
}

/* Is the entry a person, by the words around it? Places ("in Konoha", "the Land of Waves"),
 * clans and titles ("the Uchiha", "the Kazekage") come after determiners and prepositions of
 * place; people do things ("Sakura said", "Kakashi stared") and are spoken to ("Sakura,").
 * A name only ever seen with an honorific ("Haruno-san", "Hokage-sama") is a way of
 * addressing someone, not a name to suggest on its own; a word only seen after another
 * capitalised one ("Team Seven") is part of a name, not one. */
static int person_like(const struct name_ent *e)
{
    int person = 2 * (e->verb + e->voc) + e->phon;
    int thing = 2 * (e->det + e->sloc) + e->wloc;
    if (thing >= 2 && thing > person)
        return 0;
    if (e->phon + e->thon >= e->count && e->verb < 2)
        return 0;
    /* only ever the second word of a capitalised phrase ("Team Seven"), never acting */
    if (e->verb == 0 && e->after * 2 >= e->count)
        return 0;
    return 1;
}

/* The family name standing before entry b ("Haruno Sakura"): an entry seen right before it
 * (its most frequent follower), seen mid-sentence (not a capitalised first word: "Saving
 * Sasuke") and not a person acting on its own. Returns its index or -1. */
static long family_of(const struct name_tab *t, size_t b)
{
    long best = -1;
    int bp = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct name_ent *a = &t->v[i];
        if (a->foll != b + 1 || i == b || a->lower || a->pairs < 1 || a->votes < 1 || a->mid < 1)
            continue;
        if (a->verb * 2 > a->pairs)
            continue;
        if (a->pairs > bp) {
            bp = a->pairs;
            best = (long)i;
        }
    }
    return best;
}

static int add_sugg(struct sugg **s, size_t *ns, size_t *cap, const char *name, int count,
                    long known)
{
    for (size_t j = 0; j < *ns; j++)
        if (strcasecmp((*s)[j].name, name) == 0) {
            (*s)[j].count += count;
            return 0;
        }
    if (*ns == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        struct sugg *nv = realloc(*s, nc * sizeof(**s));
        if (!nv)
            return FICD_ENOMEM;
        *s = nv;
        *cap = nc;
    }
    (*s)[*ns].name = strdup(name);
    if (!(*s)[*ns].name)
        return FICD_ENOMEM;
    (*s)[*ns].count = count;
    (*s)[*ns].known = known;
    (*ns)++;
    return 0;
}

/* The known relationship between characters a and b (canonical names), either order. */
static long known_pair(const struct ms_klist *kr, const char *a, const char *b)
{
    char rel[512], rev[512];
    snprintf(rel, sizeof(rel), "%s/%s", a, b);
    snprintf(rev, sizeof(rev), "%s/%s", b, a);
    long k = ms_klist_find(kr, rel);
    return k >= 0 ? k : ms_klist_find(kr, rev);
}

/* Fandoms of what the writer declared: characters and relationships the archive knows (a
 * relationship also through its sides, "Sakura/Kakashi" standing for the known
 * "Haruno Sakura/Hatake Kakashi", or failing that the sides' own fandoms). */
static void declared_fandoms(struct ms_ctx *c, const struct ms_kview *kv, struct name_tab *t)
{
    const struct work *w = c->w;
    for (size_t i = 0; i < w->characters.n; i++)
        suggest_parents(c, kv, MS_K_CHAR, match_known(&kv->l[MS_K_CHAR], w->characters.v[i], t));
    for (size_t i = 0; i < w->relationships.n; i++) {
        const char *r = w->relationships.v[i];
        long k = ms_klist_find(&kv->l[MS_K_REL], r);
        if (k >= 0) {
            suggest_parents(c, kv, MS_K_REL, k);
            continue;
        }
        const char *sl = strchr(r, '/');
        if (!sl)
            sl = strchr(r, '&');
        if (!sl)
            continue;
        char *a = ms_strndup_trim(r, (size_t)(sl - r)),
             *b = ms_strndup_trim(sl + 1, strlen(sl + 1));
        long ka = a ? match_known(&kv->l[MS_K_CHAR], a, t) : -1;
        long kb = b ? match_known(&kv->l[MS_K_CHAR], b, t) : -1;
        long kr = ka >= 0 && kb >= 0 ? known_pair(&kv->l[MS_K_REL], kv->l[MS_K_CHAR].names.v[ka],
                                                  kv->l[MS_K_CHAR].names.v[kb])
                                     : -1;
        if (kr >= 0) {
            suggest_parents(c, kv, MS_K_REL, kr);
        } else {
            suggest_parents(c, kv, MS_K_CHAR, ka);
            suggest_parents(c, kv, MS_K_CHAR, kb);
        }
        free(a);
        free(b);
    }
}

int ms_suggest_pick(struct ms_ctx *c, struct name_tab *t, int people)
{
    struct work *w = c->w;
    const struct ms_opts *o = c->o;
    struct ms_kview legacy;
    const struct ms_kview *kv = NULL;
    int own = 0;
    if (o && o->known) {
        kv = ms_known_view(o->known);
    } else if (o) {
        legacy_view(o, &legacy);
        kv = &legacy;
        own = 1;
    }
    const struct ms_klist *known = kv ? &kv->l[MS_K_CHAR] : NULL;
    int rc = 0;
    struct sugg *s = NULL;
    size_t ns = 0, cap = 0;
    for (size_t i = 0; i < t->scap; i++)
        if (t->slot[i].idx && t->slot[i].lower)
            t->v[t->slot[i].idx - 1].lower = 1;
    size_t ocap = 0;
    uint32_t *order = ms_name_order(t, &ocap);
    /* only the candidates, in that order: both walks below skip every other entry */
    size_t ncand = 0;
    for (size_t oi = 0; order && oi < ocap; oi++) {
        const struct name_ent *e = order[oi] ? &t->v[order[oi] - 1] : NULL;
        if (e && !e->lower && e->count >= 3 && e->mid >= 1)
            order[ncand++] = order[oi];
    }
    ocap = ncand;
    /* family names merged into the given name they stand before (by entry) */
    long *family = people && t->n ? calloc(t->n, sizeof(*family)) : NULL;
    char *taken = people && t->n ? calloc(t->n, 1) : NULL;
    if (people && t->n && (!family || !taken))
        rc = FICD_ENOMEM;
    for (size_t b = 0; family && taken && b < t->n; b++) {
        family[b] = -1;
        const struct name_ent *e = &t->v[b];
        if (e->lower || e->count < 3 || e->mid < 1 || !person_like(e))
            continue;
        long a = family_of(t, b);
        if (a >= 0) {
            family[b] = a;
            taken[a] = 1;
            continue;
        }
        /* "Kiri Vell": the given name first, the family name after it (not a person acting
         * on its own, not a common word) */
        if (e->foll && e->votes >= 1 && e->foll - 1 != b) {
            const struct name_ent *f = &t->v[e->foll - 1];
            if (!f->lower && f->verb <= f->after && f->voc <= f->phon + f->thon &&
                f->foll != b + 1) {
                family[b] = -2 - (long)(e->foll - 1); /* after, not before */
                taken[e->foll - 1] = 1;
            }
        }
    }
    for (size_t oi = 0; oi < ocap && rc == 0; oi++) {
        if (!order[oi])
            continue;
        size_t idx = order[oi] - 1;
        struct name_ent *e = &t->v[idx];
        if (e->lower || e->count < 3 || e->mid < 1)
            continue;
        if (!people) {
            long k = match_known(known, e->name, t);
            if (k == -2)
                continue;
            rc = add_sugg(&s, &ns, &cap, k >= 0 ? known->names.v[k] : e->name, e->count, k);
            continue;
        }
        long exact = known ? ms_klist_find(known, e->name) : -1;
        if (exact < 0 && e->det && !person_like(e))
            exact = the_character(known, e->name);
        if (taken[idx] || (exact < 0 && !person_like(e)))
            continue;
        int count = e->count;
        char full[160];
        const char *name = e->name;
        long k = exact;
        if (family[idx] >= 0 || family[idx] <= -2) {
            long fi = family[idx] >= 0 ? family[idx] : -2 - family[idx];
            const struct name_ent *a = &t->v[fi];
            if (family[idx] >= 0)
                snprintf(full, sizeof(full), "%s %s", a->name, e->name);
            else
                snprintf(full, sizeof(full), "%s %s", e->name, a->name);
            name = full;
            /* its uses as a clan or a place ("the Uchiha") are not this person's */
            int uses = a->count - a->det - a->sloc - a->wloc;
            if (a->count >= 3 && uses > 0)
                count += uses;
            k = known ? ms_klist_find(known, full) : -1;
        }
        if (k < 0)
            k = match_known(known, e->name, t);
        if (k == -2)
            continue;
        rc = add_sugg(&s, &ns, &cap, k >= 0 ? known->names.v[k] : name, count, k);
    }
    /* family names used alone ("the Uchiha", "Haruno-san") that the archive knows as one
     * character's: they count for that character */
    for (size_t oi = 0; people && oi < ocap && rc == 0; oi++) {
        if (!order[oi])
            continue;
        struct name_ent *e = &t->v[order[oi] - 1];
        if (e->lower || e->count < 3 || e->mid < 1 || taken[order[oi] - 1] || person_like(e))
            continue;
        long k = match_known(known, e->name, t);
        for (size_t j = 0; k >= 0 && j < ns; j++)
            if (s[j].known == k)
                s[j].count += e->count;
    }
    if (ns > 1)
        qsort(s, ns, sizeof(*s), sugg_cmp);
    /* sides of a "Title - A/B" pairing come first */
    for (size_t i = 0; i < c->title_sides.n && rc == 0; i++) {
        const char *side = c->title_sides.v[i];
        long k = match_known(known, side, t);
        const char *name = k >= 0 ? known->names.v[k] : side;
        if (!declared_character(w, name))
            strlist_add_unique(&w->sugg_characters, name);
        suggest_parents(c, kv, MS_K_CHAR, k);
    }
    const char *top[3] = {NULL, NULL, NULL};
    long topk[3] = {-1, -1, -1};
    int topc[3] = {0, 0, 0};
    int ntop = 0;
    for (size_t i = 0; i < ns && w->sugg_characters.n < SUGG_MAX; i++) {
        if (ntop < 3) {
            top[ntop] = s[i].name;
            topk[ntop] = s[i].known;
            topc[ntop++] = s[i].count;
        }
        if (declared_character(w, s[i].name))
            continue;
        strlist_add_unique(&w->sugg_characters, s[i].name);
        suggest_parents(c, kv, MS_K_CHAR, s[i].known);
    }
    const struct ms_klist *kf = kv ? &kv->l[MS_K_FANDOM] : NULL;
    if (kv && people)
        declared_fandoms(c, kv, t);
    for (size_t i = 0; i < c->disclaimed.n; i++)
        suggest_fandom(c, kf, c->disclaimed.v[i]);
    if (w->relationships.n == 0 && ntop >= 2 && topc[1] >= 10 && topc[1] >= topc[2] * 2) {
        char rel[256];
        snprintf(rel, sizeof(rel), "%s/%s", top[0], top[1]);
        long kr = kv ? known_pair(&kv->l[MS_K_REL], top[0], top[1]) : -1;
        strlist_add_unique(&w->sugg_relationships, kr >= 0 ? kv->l[MS_K_REL].names.v[kr] : rel);
        if (kr >= 0)
            suggest_parents(c, kv, MS_K_REL, kr);
        else if (people) {
            suggest_parents(c, kv, MS_K_CHAR, topk[0]);
            suggest_parents(c, kv, MS_K_CHAR, topk[1]);
        }
    }
    for (size_t i = 0; i < ns; i++)
        free(s[i].name);
    free(s);
    free(order);
    free(family);
    free(taken);
    if (own)
        for (int l = 0; l < 3; l++)
            ms_klist_free(&legacy.l[l]);
    return rc;
}
