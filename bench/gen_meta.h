/* gen_meta.h: a deterministic AO3-like archive generator for the search benchmarks (metadata
 * with Zipf-distributed fandoms and tags, and optionally generated prose bodies), shared by
 * bench/filter.c and bench/fulltext.c. Header-only: each benchmark is one executable. */
#ifndef FICD_BENCH_GEN_META_H
#define FICD_BENCH_GEN_META_H

#include "core/work.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gm_rng {
    uint64_t s;
};

static inline uint64_t gm_next(struct gm_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline double gm_unif(struct gm_rng *r)
{
    return (double)(gm_next(r) >> 11) / 9007199254740992.0;
}

static inline double gm_normal(struct gm_rng *r)
{
    double u = gm_unif(r), v = gm_unif(r);
    return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

/* Zipf(s) over 1..n by inverse CDF on a precomputed table. */
struct gm_zipf {
    double *cdf;
    uint32_t n;
};

static inline void gm_zipf_init(struct gm_zipf *z, uint32_t n, double s)
{
    z->n = n;
    z->cdf = malloc(n * sizeof(double));
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] = (sum += 1.0 / pow(i + 1, s));
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] /= sum;
}

/* 0-based rank. */
static inline uint32_t gm_zipf(struct gm_zipf *z, struct gm_rng *r)
{
    double u = gm_unif(r);
    uint32_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The archive's shape. Tag numbers: fandoms [0, nf), then per fandom CHARS characters and
 * RELS relationships, then freeforms. */
#define GM_CHARS 40
#define GM_RELS  40

/* Two archive shapes. GM_SHAPE_CLASSIC (the default, what every recorded figure before
 * 2026-12-06 used): per-fandom pools of 40 characters and 40 relationships, about 14 tags per
 * work. GM_SHAPE_AO3: about 16 tags per work drawn from archive-wide pools (AO3's characters
 * and relationships cross fandoms), each fandom favouring its own window of them, and about
 * 116k distinct tags at 1M works, as measured on AO3-like data by the performance issue. */
enum gm_shape { GM_SHAPE_CLASSIC = 0, GM_SHAPE_AO3 = 1 };
#define GM_AO3_WINDOW 400 /* characters / relationships a fandom draws from */

struct gm {
    enum gm_shape shape;
    uint32_t nworks, nfandoms, nfree;
    uint32_t nchar, nrel; /* GM_SHAPE_AO3: archive-wide pool sizes */
    struct gm_zipf zf, zchar, zrel, zfree, zword;
    int bodies; /* mean words per body when > 0 */
    const char **vocab;
    uint32_t nvocab;
};

static inline uint32_t gm_tag_fandom(const struct gm *g, uint32_t f)
{
    (void)g;
    return f;
}
/* Classic: fandoms, then per fandom GM_CHARS characters and GM_RELS relationships, then
 * freeforms. AO3: fandoms, the character pool, the relationship pool, freeforms; f is the
 * fandom whose window k (0-based rank inside it) is taken from. */
static inline uint32_t gm_tag_char(const struct gm *g, uint32_t f, uint32_t k)
{
    if (g->shape == GM_SHAPE_AO3)
        return g->nfandoms + (uint32_t)(((uint64_t)f * 97 + k) % g->nchar);
    return g->nfandoms + f * (GM_CHARS + GM_RELS) + k;
}
static inline uint32_t gm_tag_rel(const struct gm *g, uint32_t f, uint32_t k)
{
    if (g->shape == GM_SHAPE_AO3)
        return g->nfandoms + g->nchar + (uint32_t)(((uint64_t)f * 89 + k) % g->nrel);
    return g->nfandoms + f * (GM_CHARS + GM_RELS) + GM_CHARS + k;
}
static inline uint32_t gm_tag_free(const struct gm *g, uint32_t k)
{
    if (g->shape == GM_SHAPE_AO3)
        return g->nfandoms + g->nchar + g->nrel + k;
    return g->nfandoms * (1 + GM_CHARS + GM_RELS) + k;
}
static inline uint32_t gm_ntags(const struct gm *g)
{
    return gm_tag_free(g, g->nfree);
}

/* The name and type of tag t into buf. */
static inline enum tag_type gm_tag_name(const struct gm *g, uint32_t t, char *buf, size_t n)
{
    if (g->shape == GM_SHAPE_AO3) {
        /* AO3-like names: longer, with spaces, parentheses and slashes. */
        if (t < g->nfandoms) {
            snprintf(buf, n, "Fandom Saga %u (Anime & Manga)", t);
            return TAG_FANDOM;
        }
        t -= g->nfandoms;
        if (t < g->nchar) {
            snprintf(buf, n, "Person %u Surname", t);
            return TAG_CHARACTER;
        }
        t -= g->nchar;
        if (t < g->nrel) {
            snprintf(buf, n, "Person %u Surname/Person %u Surname", t, t + 1);
            return TAG_RELATIONSHIP;
        }
        snprintf(buf, n, "Freeform Trope %u", t - g->nrel);
        return TAG_FREEFORM;
    }
    if (t < g->nfandoms) {
        snprintf(buf, n, "Fandom %u", t);
        return TAG_FANDOM;
    }
    if (t < gm_tag_free(g, 0)) {
        uint32_t f = (t - g->nfandoms) / (GM_CHARS + GM_RELS);
        uint32_t k = (t - g->nfandoms) % (GM_CHARS + GM_RELS);
        if (k < GM_CHARS) {
            snprintf(buf, n, "Character %u of Fandom %u", k, f);
            return TAG_CHARACTER;
        }
        snprintf(buf, n, "Pairing %u/%u (Fandom %u)", (k - GM_CHARS) / 7, (k - GM_CHARS) % 7 + 7,
                 f);
        return TAG_RELATIONSHIP;
    }
    snprintf(buf, n, "Freeform %u", t - gm_tag_free(g, 0));
    return TAG_FREEFORM;
}

/* The tag number of a name gm_tag_name wrote. */
static inline uint32_t gm_tag_num(const struct gm *g, enum tag_type ty, const char *name)
{
    unsigned a = 0, b = 0, c = 0;
    if (g->shape == GM_SHAPE_AO3) {
        switch (ty) {
        case TAG_FANDOM:
            sscanf(name, "Fandom Saga %u", &a);
            return a;
        case TAG_CHARACTER:
            sscanf(name, "Person %u", &a);
            return g->nfandoms + a;
        case TAG_RELATIONSHIP:
            sscanf(name, "Person %u", &a);
            return g->nfandoms + g->nchar + a;
        default:
            sscanf(name, "Freeform Trope %u", &a);
            return gm_tag_free(g, a);
        }
    }
    switch (ty) {
    case TAG_FANDOM:
        sscanf(name, "Fandom %u", &a);
        return a;
    case TAG_CHARACTER:
        sscanf(name, "Character %u of Fandom %u", &a, &b);
        return gm_tag_char(g, b, a);
    case TAG_RELATIONSHIP:
        sscanf(name, "Pairing %u/%u (Fandom %u)", &a, &b, &c);
        return gm_tag_rel(g, c, a * 7 + (b - 7));
    default:
        sscanf(name, "Freeform %u", &a);
        return gm_tag_free(g, a);
    }
}

/* Pseudo-English vocabulary: common function words first, then invented words built from
 * syllables (deterministic, distinct). */
static const char *const gm_common[] = {
    "the",    "and",     "to",     "of",     "a",      "he",    "she",    "was",   "in",
    "his",    "her",     "that",   "it",     "you",    "with",  "for",    "had",   "on",
    "at",     "as",      "but",    "they",   "not",    "be",    "said",   "him",   "is",
    "what",   "from",    "were",   "this",   "have",   "all",   "so",     "there", "out",
    "like",   "one",     "up",     "would",  "been",   "could", "back",   "into",  "about",
    "looked", "eyes",    "hand",   "head",   "time",   "know",  "just",   "over",  "when",
    "then",   "running", "dragon", "night",  "river",  "cafe",  "smiled", "kiss",  "sword",
    "magic",  "castle",  "ship",   "coffee", "letter", "storm", "winter"};

static inline void gm_vocab_init(struct gm *g, uint32_t n)
{
    static const char *const syl[] = {"ka",  "lo",  "mi",  "ren", "ta",  "vel", "dor", "is",
                                      "an",  "the", "or",  "ul",  "bri", "sen", "ma",  "no",
                                      "que", "zi",  "ash", "fen", "gal", "hy",  "jor", "wen"};
    uint32_t nc = (uint32_t)(sizeof(gm_common) / sizeof(gm_common[0]));
    g->nvocab = n;
    g->vocab = malloc(n * sizeof(char *));
    for (uint32_t i = 0; i < n; i++) {
        if (i < nc) {
            g->vocab[i] = gm_common[i];
            continue;
        }
        char w[64] = "";
        uint32_t x = i - nc;
        do {
            strcat(w, syl[x % 24]);
            x /= 24;
        } while (x);
        strcat(w, i % 3 ? "s" : "ed");
        g->vocab[i] = strdup(w);
    }
    gm_zipf_init(&g->zword, n, 1.0);
}

static inline uint32_t gm_max(uint32_t a, uint32_t b)
{
    return a > b ? a : b;
}

/* n works of the given shape, bodies of about body_words words each when body_words > 0. */
static inline void gm_init_shape(struct gm *g, uint32_t nworks, int body_words, enum gm_shape shape)
{
    memset(g, 0, sizeof(*g));
    g->shape = shape;
    g->nworks = nworks;
    if (shape == GM_SHAPE_AO3) {
        g->nfandoms = gm_max(nworks / 160, 50);
        g->nchar = gm_max(nworks / 20, 2 * GM_AO3_WINDOW);
        g->nrel = gm_max(nworks / 25, 2 * GM_AO3_WINDOW);
        g->nfree = gm_max(nworks / 24, 1000);
        gm_zipf_init(&g->zf, g->nfandoms, 1.0);
        gm_zipf_init(&g->zchar, GM_AO3_WINDOW, 1.0);
        gm_zipf_init(&g->zrel, GM_AO3_WINDOW, 1.05);
        gm_zipf_init(&g->zfree, g->nfree, 0.9);
    } else {
        g->nfandoms = gm_max(nworks / 100, 50);
        g->nfree = gm_max(nworks / 10, 1000);
        gm_zipf_init(&g->zf, g->nfandoms, 1.05);
        gm_zipf_init(&g->zchar, GM_CHARS, 1.1);
        gm_zipf_init(&g->zrel, GM_RELS, 1.2);
        gm_zipf_init(&g->zfree, g->nfree, 0.95);
    }
    g->bodies = body_words;
    if (body_words > 0)
        gm_vocab_init(g, 30000);
}

static inline void gm_init(struct gm *g, uint32_t nworks, int body_words)
{
    gm_init_shape(g, nworks, body_words, GM_SHAPE_CLASSIC);
}

/* "classic" or "ao3" (the --shape option of the benchmarks); -1 when unknown. */
static inline int gm_shape_parse(const char *s)
{
    return !strcmp(s, "classic") ? GM_SHAPE_CLASSIC : !strcmp(s, "ao3") ? GM_SHAPE_AO3 : -1;
}

static inline void gm_add_tag(const struct gm *g, struct work *w, uint32_t t)
{
    char name[96];
    enum tag_type ty = gm_tag_name(g, t, name, sizeof(name));
    struct strlist *l = ty == TAG_FANDOM         ? &w->fandoms
                        : ty == TAG_CHARACTER    ? &w->characters
                        : ty == TAG_RELATIONSHIP ? &w->relationships
                                                 : &w->freeforms;
    strlist_add_unique(l, name);
}

static inline void gm_prose(struct gm *g, struct gm_rng *r, int words, char **out)
{
    size_t cap = (size_t)words * 9 + 64, len = 0;
    char *s = malloc(cap);
    memcpy(s, "<p>", 3);
    len = 3;
    int sent = 0;
    for (int i = 0; i < words; i++) {
        const char *w = g->vocab[gm_zipf(&g->zword, r)];
        size_t wl = strlen(w);
        if (len + wl + 16 > cap) {
            cap *= 2;
            s = realloc(s, cap);
        }
        if (sent == 0 && wl) {
            s[len++] = (char)(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]);
            memcpy(s + len, w + 1, wl - 1);
            len += wl - 1;
        } else {
            memcpy(s + len, w, wl);
            len += wl;
        }
        sent++;
        if (sent > 6 && gm_unif(r) < 0.12) {
            s[len++] = '.';
            sent = 0;
            if (gm_unif(r) < 0.15) {
                memcpy(s + len, "</p><p>", 7);
                len += 7;
                continue;
            }
        }
        s[len++] = ' ';
    }
    memcpy(s + len, ".</p>", 6);
    *out = s;
}

/* Fills w (work_init'ed here) with work number i (ids 1..n); deterministic in (seed, i). */
static inline void gm_work(struct gm *g, uint64_t seed, uint32_t i, struct work *w)
{
    struct gm_rng r = {seed * 1000003ull + i};
    work_init(w);
    w->id = (int64_t)i + 1;
    char buf[64];
    snprintf(buf, sizeof(buf), "Work %u", i);
    w->title = strdup(buf);
    snprintf(buf, sizeof(buf), "writer%u", (uint32_t)(gm_next(&r) % (g->nworks / 4 + 1)));
    strlist_add(&w->creators, buf);
    uint32_t f = gm_zipf(&g->zf, &r);
    gm_add_tag(g, w, gm_tag_fandom(g, f));
    if (gm_unif(&r) < 0.1)
        gm_add_tag(g, w, gm_tag_fandom(g, gm_zipf(&g->zf, &r)));
    int ao3 = g->shape == GM_SHAPE_AO3;
    int nrel = ao3 ? 1 + (int)(gm_next(&r) % 3) : (int)(gm_next(&r) % 3);
    for (int k = 0; k < nrel; k++)
        gm_add_tag(g, w, gm_tag_rel(g, f, gm_zipf(&g->zrel, &r)));
    int nch = ao3 ? 3 + (int)(gm_next(&r) % 4) : 2 + (int)(gm_next(&r) % 5);
    for (int k = 0; k < nch; k++)
        gm_add_tag(g, w, gm_tag_char(g, f, gm_zipf(&g->zchar, &r)));
    int nff = ao3 ? 6 + (int)(gm_next(&r) % 6) : 4 + (int)(gm_next(&r) % 11);
    for (int k = 0; k < nff; k++)
        gm_add_tag(g, w, gm_tag_free(g, gm_zipf(&g->zfree, &r)));
    double u = gm_unif(&r);
    w->rating = u < 0.22   ? RATING_GENERAL
                : u < 0.52 ? RATING_TEEN
                : u < 0.69 ? RATING_MATURE
                : u < 0.91 ? RATING_EXPLICIT
                           : RATING_NOT_RATED;
    u = gm_unif(&r);
    w->warnings = u < 0.55 ? WARN_NONE : u < 0.85 ? WARN_CHOSE_NOT : 0;
    if (gm_unif(&r) < 0.10)
        w->warnings |= WARN_VIOLENCE;
    if (gm_unif(&r) < 0.06)
        w->warnings |= WARN_MCD;
    if (gm_unif(&r) < 0.03)
        w->warnings |= WARN_NONCON;
    if (gm_unif(&r) < 0.02)
        w->warnings |= WARN_UNDERAGE;
    if (!w->warnings)
        w->warnings = WARN_NONE;
    u = gm_unif(&r);
    w->categories = u < 0.45 ? CAT_MM : u < 0.70 ? CAT_FM : u < 0.88 ? CAT_GEN : CAT_FF;
    if (gm_unif(&r) < 0.05)
        w->categories |= CAT_MULTI;
    if (gm_unif(&r) < 0.03)
        w->categories |= CAT_OTHER;
    w->language = strdup(gm_unif(&r) < 0.92 ? "English" : "Español");
    int words = (int)exp(8.0 + 1.2 * gm_normal(&r));
    if (words < 100)
        words = 100;
    if (words > 500000)
        words = 500000;
    int chapters = words > 20000 ? 1 + (int)(gm_next(&r) % 30) : 1;
    w->expected_chapters = gm_unif(&r) < 0.6 ? chapters : 0;
    for (int c = 0; c < chapters; c++) {
        struct chapter *ch = work_add_chapter(w);
        ch->words = words / chapters;
    }
    if (g->bodies > 0) {
        /* One body of about g->bodies words (not the metadata word count). */
        int bw = (int)(g->bodies * exp(0.5 * gm_normal(&r)) / 1.13);
        if (bw < 50)
            bw = 50;
        gm_prose(g, &r, bw, &w->chapters[0].html);
        char *sum;
        gm_prose(g, &r, 25, &sum);
        w->summary = sum;
    }
    w->published = 1262304000 + (int64_t)(gm_next(&r) % 400000000);
    w->updated = w->published + (int64_t)(gm_next(&r) % 30000000);
    w->kudos = (int64_t)exp(3.5 + 1.6 * gm_normal(&r));
    w->hits = w->kudos * (5 + (int64_t)(gm_next(&r) % 30));
    w->comments = w->kudos / (2 + (int64_t)(gm_next(&r) % 8));
    w->bookmarks = w->kudos / (3 + (int64_t)(gm_next(&r) % 10));
}

#endif
