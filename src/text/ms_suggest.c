/* ms_suggest.c: what the importer guesses rather than reads: the language (stopwords, script)
 * and tag suggestions (names recurring in the prose, matched against known character tags). */
#include "text/ms_int.h"
#include "core/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUGG_MAX_TEXT  ((size_t)4 << 20) /* names are counted in the first 4 MiB */
#define SUGG_MAX       10
#define LANG_MAX_WORDS 100000

static const char *const stop_en[] = {"the", "and",  "to",  "of",   "a",  "was",  "he",  "she",
                                      "her", "his",  "it",  "that", "in", "you",  "i",   "is",
                                      "had", "with", "for", "on",   "at", "but",  "not", "they",
                                      "my",  "me",   "him", "be",   "as", "what", NULL};
static const char *const stop_es[] = {"el",   "la",  "los", "las",  "que",  "de",  "y",   "en",
                                      "un",   "una", "es",  "no",   "se",   "por", "con", "para",
                                      "su",   "al",  "lo",  "como", "pero", "sus", "le",  "ya",
                                      "este", "del", "muy", "yo",   "ella", "él",  NULL};
static const char *const stop_fr[] = {"le",  "la",  "les",  "et",   "de",    "des",  "un",   "une",
                                      "est", "que", "qui",  "dans", "pas",   "il",   "elle", "je",
                                      "ne",  "se",  "sur",  "au",   "aux",   "ce",   "pour", "avec",
                                      "son", "sa",  "mais", "du",   "était", "vous", NULL};
static const char *const stop_de[] = {
    "der",  "die",  "das", "und",  "ist",  "nicht", "ich", "sie",   "er",   "es",
    "ein",  "eine", "zu",  "mit",  "den",  "dem",   "auf", "sich",  "auch", "war",
    "aber", "wie",  "nur", "noch", "wenn", "ihr",   "ihm", "hatte", NULL};
static const char *const stop_it[] = {"il",  "lo",  "che",  "di",  "e",      "non",   "un",
                                      "una", "per", "sono", "mi",  "gli",    "della", "del",
                                      "si",  "ma",  "ha",   "è",   "come",   "ti",    "anche",
                                      "era", "lei", "lui",  "con", "questo", "nel",   NULL};
static const char *const stop_pt[] = {"o",  "os",  "as",  "que",   "de",   "e",      "não",
                                      "um", "uma", "com", "para",  "ela",  "ele",    "você",
                                      "do", "da",  "em",  "se",    "mas",  "por",    "foi",
                                      "eu", "seu", "sua", "muito", "isso", "estava", NULL};

static const struct {
    const char *name;
    const char *const *words;
} languages[] = {
    {"English", stop_en}, {"Español", stop_es},  {"Français", stop_fr},
    {"Deutsch", stop_de}, {"Italiano", stop_it}, {"Português", stop_pt},
};
#define NLANG (sizeof(languages) / sizeof(languages[0]))

static int is_letter_cp(int cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp < 0x2000) ||
           (cp >= 0x3040 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF);
}

/* The stopwords of all languages in one open-addressing table built once: each word with
 * the set of languages (bit l for languages[l]) whose list holds it. ms_detect_language looks
 * up every word of the text, and a strcmp through all lists was most of its time. */
#define STOP_SLOTS 512

struct stop_ent {
    const char *word;
    unsigned langs;
};

static struct stop_ent stop_tab[STOP_SLOTS];

static size_t stop_hash(const char *w, size_t n)
{
    size_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h & (STOP_SLOTS - 1);
}

static void stop_build(void)
{
    for (size_t l = 0; l < NLANG; l++)
        for (const char *const *p = languages[l].words; *p; p++) {
            size_t h = stop_hash(*p, strlen(*p));
            while (stop_tab[h].word && strcmp(stop_tab[h].word, *p))
                h = (h + 1) & (STOP_SLOTS - 1);
            stop_tab[h].word = *p;
            stop_tab[h].langs |= 1u << l;
        }
}

/* Builds the stopword table and the word sets below, once per process. */
static void sets_build(void);
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

/* The languages whose stopword lists hold w (wl bytes, NUL-terminated), as bits. */
static unsigned stop_langs(const char *w, size_t wl)
{
    if (wl > 6) /* the longest stopword has six bytes */
        return 0;
    for (size_t h = stop_hash(w, wl); stop_tab[h].word; h = (h + 1) & (STOP_SLOTS - 1))
        if (!strcmp(stop_tab[h].word, w))
            return stop_tab[h].langs;
    return 0;
}

/* The language of the text: by script for Russian, Japanese, Chinese, Korean; by stopword
 * frequency for English, Spanish, French, German, Italian, Portuguese. The name as AO3 shows
 * it, or NULL when nothing stands out. */
char *ms_detect_language(const char *text, size_t n)
{
    size_t latin = 0, cyr = 0, kana = 0, han = 0, hangul = 0, words = 0;
    size_t hits[NLANG] = {0};
    char w[32];
    size_t wl = 0;
    pthread_once(&sets_once, sets_build);
    for (size_t i = 0; i <= n && words < LANG_MAX_WORDS;) {
        int cp;
        if (i < n && (unsigned char)text[i] < 0x80) {
            unsigned c = (unsigned char)text[i++];
            if ((c | 0x20) - 'a' < 26) {
                /* ASCII letter: Latin script, lower-cased into the word */
                latin++;
                if (wl + 1 < sizeof(w))
                    w[wl++] = (char)(c | 0x20);
                continue;
            }
            cp = (int)c; /* what ms_utf8_next would return */
        } else
            cp = i < n ? ms_utf8_next(text, n, &i) : (i++, ' ');
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp < 0x250))
            latin++;
        else if (cp >= 0x400 && cp < 0x530)
            cyr++;
        else if (cp >= 0x3040 && cp < 0x3100)
            kana++;
        else if (cp >= 0x4E00 && cp < 0xA000)
            han++;
        else if (cp >= 0xAC00 && cp < 0xD7B0)
            hangul++;
        if (is_letter_cp(cp) && cp < 0x2000) {
            if (cp < 0x80) {
                if (wl + 1 < sizeof(w))
                    w[wl++] = (char)tolower(cp);
            } else if (wl + 3 < sizeof(w)) {
                /* keep accented letters (lower-case forms are what the lists hold) */
                if (cp >= 0xC0 && cp <= 0xDE)
                    cp += 0x20;
                w[wl++] = (char)(0xC0 | (cp >> 6));
                w[wl++] = (char)(0x80 | (cp & 0x3F));
            }
            continue;
        }
        if (wl) {
            w[wl] = '\0';
            words++;
            unsigned langs = stop_langs(w, wl);
            for (size_t l = 0; langs && l < NLANG; l++)
                hits[l] += (langs >> l) & 1;
            wl = 0;
        }
    }
    size_t scripts = latin + cyr + kana + han + hangul;
    if (scripts == 0)
        return NULL;
    if (cyr * 2 > scripts)
        return strdup("Русский");
    if (kana && (kana + han) * 2 > scripts)
        return strdup("日本語");
    if (han * 2 > scripts)
        return strdup("中文");
    if (hangul * 2 > scripts)
        return strdup("한국어");
    size_t best = 0, second = 0;
    for (size_t l = 1; l < NLANG; l++)
        if (hits[l] > hits[best])
            best = l;
    for (size_t l = 0; l < NLANG; l++)
        if (l != best && hits[l] > second)
            second = hits[l];
    if (hits[best] < 3 || hits[best] * 100 < words * 12 || hits[best] * 10 < second * 13)
        return NULL;
    return strdup(languages[best].name);
}

/* Capitalised words that are not names even when they recur mid-sentence. */
static const char *const not_names[] = {
    "I",        "I'm",      "I'll",      "I've",      "I'd",       "Mr",        "Mrs",
    "Ms",       "Miss",     "Dr",        "Sir",       "Madam",     "Lady",      "Lord",
    "God",      "OK",       "Okay",      "Oh",        "Ah",        "Um",        "Uh",
    "Hmm",      "Yes",      "No",        "Monday",    "Tuesday",   "Wednesday", "Thursday",
    "Friday",   "Saturday", "Sunday",    "January",   "February",  "March",     "April",
    "May",      "June",     "July",      "August",    "September", "October",   "November",
    "December", "English",  "Christmas", "Halloween", "TV",        "Captain",   "Professor",
    "Chapter",  "The",      "A",         "An",        "Prologue",  "Epilogue",  "Hokage",
    "Sensei",   "Shishou",  "Mom",       "Dad",       "Mum",       "Mother",    "Father",
    "Ano",      NULL};

static const char *const honorifics[] = {
    "chan", "kun",     "san",     "sama",   "sensei",  "senpai",  "sempai",  "nee",
    "nii",  "chin",    "dono",    "hime",   "baachan", "baa",     "jiji",    "tan",
    "chi",  "neechan", "niichan", "neesan", "niisan",  "oneesan", "oniisan", "shishou",
    "teme", "dobe",    "no",      "hakase", "taichou", "sama's",  NULL};

/* not_names and honorifics as open-addressing sets, built once with the stopword table:
 * every capitalised token of the prose is looked up in them. */
#define WORDSET_SLOTS 256

struct wordset {
    const char *slot[WORDSET_SLOTS];
};

static struct wordset not_names_set, honorifics_set;

static void wordset_build(struct wordset *set, const char *const *list)
{
    for (; *list; list++) {
        size_t h = stop_hash(*list, strlen(*list)) & (WORDSET_SLOTS - 1);
        while (set->slot[h] && strcmp(set->slot[h], *list))
            h = (h + 1) & (WORDSET_SLOTS - 1);
        set->slot[h] = *list;
    }
}

/* True when w is one of the words the set was built from. */
static int wordset_has(const struct wordset *set, const char *w)
{
    for (size_t h = stop_hash(w, strlen(w)) & (WORDSET_SLOTS - 1); set->slot[h];
         h = (h + 1) & (WORDSET_SLOTS - 1))
        if (!strcmp(set->slot[h], w))
            return 1;
    return 0;
}

static void sets_build(void)
{
    stop_build();
    wordset_build(&not_names_set, not_names);
    wordset_build(&honorifics_set, honorifics);
}

struct name_ent {
    char *name;
    int count, mid;
    int lower; /* seen in lower case: a common word, not a name */
};

struct name_tab {
    struct name_ent *v;
    size_t n, cap; /* open addressing, cap a power of two */
};

static size_t hash_ci(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 1099511628211ULL;
    return h;
}

static struct name_ent *tab_get(struct name_tab *t, const char *w)
{
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct name_ent *v = calloc(cap, sizeof(*v));
        if (!v)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i].name)
                continue;
            size_t h = hash_ci(t->v[i].name) & (cap - 1);
            while (v[h].name)
                h = (h + 1) & (cap - 1);
            v[h] = t->v[i];
        }
        free(t->v);
        t->v = v;
        t->cap = cap;
    }
    size_t h = hash_ci(w) & (t->cap - 1);
    while (t->v[h].name) {
        if (strcasecmp(t->v[h].name, w) == 0)
            return &t->v[h];
        h = (h + 1) & (t->cap - 1);
    }
    t->v[h].name = strdup(w);
    if (!t->v[h].name)
        return NULL;
    t->n++;
    return &t->v[h];
}

static struct name_ent *tab_find(const struct name_tab *t, const char *w)
{
    if (!t->cap)
        return NULL;
    for (size_t h = hash_ci(w) & (t->cap - 1); t->v[h].name; h = (h + 1) & (t->cap - 1))
        if (strcasecmp(t->v[h].name, w) == 0)
            return &t->v[h];
    return NULL;
}

static void tab_free(struct name_tab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->v[i].name);
    free(t->v);
}

/* Folds a token: possessive 's removed, honorific suffixes (-chan, -kun, -san, -sama, ...)
 * removed. Writes into w in place. */
static void fold_name(char *w)
{
    size_t n = strlen(w);
    if (n > 2 && (strcmp(w + n - 2, "'s") == 0))
        w[n -= 2] = '\0';
    else if (n > 4 && strcmp(w + n - 4, "\xE2\x80\x99s") == 0)
        w[n -= 4] = '\0';
    while (n > 0 && (w[n - 1] == '\'' || w[n - 1] == '-'))
        w[--n] = '\0';
    char *h = strchr(w, '-');
    if (h && islower((unsigned char)h[1])) {
        char part[32];
        size_t pl = strcspn(h + 1, "-");
        if (pl < sizeof(part)) {
            memcpy(part, h + 1, pl);
            part[pl] = '\0';
            if (wordset_has(&honorifics_set, part))
                *h = '\0';
        }
    }
}

/* A known character that the name fits: the whole tag, or one of its words ("Haruno Sakura"
 * fits "Sakura" and "Haruno"); a disambiguation in parentheses is ignored. Returns its index,
 * -1 for none, -2 when several fit equally. */
static long match_known(const struct strlist *known, const char *name, struct name_tab *t)
{
    if (!known)
        return -1;
    long found = -1;
    int best = -1, tie = 0;
    for (size_t i = 0; i < known->n; i++) {
        const char *k = known->v[i];
        if (strcasecmp(k, name) == 0)
            return (long)i;
        size_t kl = strcspn(k, "(");
        int fits = 0, score = 0;
        size_t nl = strlen(name);
        for (size_t a = 0; a < kl;) {
            while (a < kl && k[a] == ' ')
                a++;
            size_t e = a;
            while (e < kl && k[e] != ' ')
                e++;
            if (e > a) {
                if (e - a == nl && strncasecmp(k + a, name, nl) == 0)
                    fits = 1;
                char word[64];
                if (e - a < sizeof(word) && t) {
                    memcpy(word, k + a, e - a);
                    word[e - a] = '\0';
                    const struct name_ent *ent = tab_find(t, word);
                    if (ent)
                        score += ent->count;
                }
            }
            a = e;
        }
        if (!fits)
            continue;
        if (score > best) {
            best = score;
            found = (long)i;
            tie = 0;
        } else if (score == best) {
            tie = 1;
        }
    }
    return tie ? -2 : found;
}

struct sugg {
    char *name;
    int count;
    long known; /* index in known_characters, or -1 */
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

/* Adds a fandom suggestion: the canonical known fandom it names when there is one. */
static void suggest_fandom(struct ms_ctx *c, const char *f)
{
    const struct strlist *kf = c->o ? c->o->known_fandoms : NULL;
    const char *use = f;
    if (kf)
        for (size_t i = 0; i < kf->n; i++) {
            size_t fl = strlen(f);
            if (strcasecmp(kf->v[i], f) == 0 || (strncasecmp(kf->v[i], f, fl) == 0 &&
                                                 (kf->v[i][fl] == ' ' || kf->v[i][fl] == '('))) {
                use = kf->v[i];
                break;
            }
        }
    if (!strlist_contains(&c->w->fandoms, use))
        strlist_add_unique(&c->w->sugg_fandoms, use);
}

/* Tag suggestions from the prose text (n bytes): capitalised words recurring at least three
 * times, never seen in lower case, at least once mid-sentence (not only sentence-initial), with
 * honorifics and possessives folded; matched to known character tags (then the canonical name
 * is suggested and the character's fandom becomes a fandom suggestion); the declared
 * characters left out; at most ten, most frequent first. When no relationship was declared and
 * two characters clearly dominate (each named ten times or more, the second at least twice as
 * often as the third), "A/B" is suggested (the known relationship tag when one exists). */
int ms_suggest(struct ms_ctx *c, const char *text, size_t n)
{
    pthread_once(&sets_once, sets_build);
    struct work *w = c->w;
    const struct ms_opts *o = c->o;
    if (n > SUGG_MAX_TEXT)
        n = SUGG_MAX_TEXT;
    struct name_tab t = {NULL, 0, 0};
    char tok[64];
    int initial = 1;
    for (size_t i = 0; i < n;) {
        size_t st = i;
        int cp = ms_utf8_next(text, n, &i);
        if (!is_letter_cp(cp)) {
            if (cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 || cp == '\n' || cp == '"' ||
                cp == 0x201C || cp == ':')
                initial = 1;
            continue;
        }
        /* a word: letters with inner apostrophes and hyphens */
        size_t e = i;
        for (;;) {
            size_t q = e;
            if (q >= n)
                break;
            int c2 = ms_utf8_next(text, n, &q);
            if (is_letter_cp(c2)) {
                e = q;
                continue;
            }
            if (c2 == '\'' || c2 == 0x2019 || c2 == '-') {
                size_t r = q;
                if (r < n && is_letter_cp(ms_utf8_next(text, n, &r))) {
                    e = q;
                    continue;
                }
            }
            break;
        }
        i = e;
        size_t len = e - st;
        int was_initial = initial;
        initial = 0;
        if (len >= sizeof(tok))
            continue;
        memcpy(tok, text + st, len);
        tok[len] = '\0';
        if (islower((unsigned char)tok[0])) {
            char up[64];
            memcpy(up, tok, len + 1);
            up[0] = (char)toupper((unsigned char)up[0]);
            fold_name(up);
            struct name_ent *ent = len > 1 ? tab_get(&t, up) : NULL;
            if (ent)
                ent->lower = 1;
            continue;
        }
        if (!isupper((unsigned char)tok[0]) || len < 2)
            continue;
        int caps = 1;
        for (size_t k = 1; k < len; k++)
            if (islower((unsigned char)tok[k]))
                caps = 0;
        if (caps)
            continue;
        for (char *q = strstr(tok, "\xE2\x80\x99"); q; q = strstr(q, "\xE2\x80\x99")) {
            *q = '\'';
            memmove(q + 1, q + 3, strlen(q + 3) + 1);
        }
        fold_name(tok);
        if (strlen(tok) < 2 || wordset_has(&not_names_set, tok) ||
            (tok[0] == 'I' && tok[1] == '\''))
            continue;
        struct name_ent *ent = tab_get(&t, tok);
        if (!ent)
            break;
        ent->count++;
        ent->mid += !was_initial;
    }
    /* candidates, merged under their known canonical names */
    struct sugg *s = NULL;
    size_t ns = 0, cap = 0;
    const struct strlist *known = o ? o->known_characters : NULL;
    for (size_t i = 0; i < t.cap; i++) {
        struct name_ent *e = &t.v[i];
        if (!e->name || e->lower || e->count < 3 || e->mid < 1)
            continue;
        long k = match_known(known, e->name, &t);
        if (k == -2)
            continue;
        const char *name = k >= 0 ? known->v[k] : e->name;
        size_t j = 0;
        while (j < ns && strcasecmp(s[j].name, name) != 0)
            j++;
        if (j < ns) {
            s[j].count += e->count;
            continue;
        }
        if (ns == cap) {
            cap = cap ? cap * 2 : 32;
            struct sugg *nsg = realloc(s, cap * sizeof(*s));
            if (!nsg)
                break;
            s = nsg;
        }
        s[ns].name = strdup(name);
        s[ns].count = e->count;
        s[ns].known = k;
        if (s[ns].name)
            ns++;
    }
    if (ns > 1)
        qsort(s, ns, sizeof(*s), sugg_cmp);
    /* sides of a "Title - A/B" pairing come first */
    for (size_t i = 0; i < c->title_sides.n; i++) {
        const char *side = c->title_sides.v[i];
        long k = match_known(known, side, &t);
        const char *name = k >= 0 ? known->v[k] : side;
        if (!declared_character(w, name))
            strlist_add_unique(&w->sugg_characters, name);
        if (k >= 0 && o->known_character_fandoms && (size_t)k < o->known_character_fandoms->n &&
            *o->known_character_fandoms->v[k])
            suggest_fandom(c, o->known_character_fandoms->v[k]);
    }
    const char *top[3] = {NULL, NULL, NULL};
    int topc[3] = {0, 0, 0};
    int ntop = 0;
    for (size_t i = 0; i < ns && w->sugg_characters.n < SUGG_MAX; i++) {
        if (ntop < 3) {
            top[ntop] = s[i].name;
            topc[ntop++] = s[i].count;
        }
        if (declared_character(w, s[i].name))
            continue;
        strlist_add_unique(&w->sugg_characters, s[i].name);
        long k = s[i].known;
        if (k >= 0 && o->known_character_fandoms && (size_t)k < o->known_character_fandoms->n &&
            *o->known_character_fandoms->v[k])
            suggest_fandom(c, o->known_character_fandoms->v[k]);
    }
    for (size_t i = 0; i < c->disclaimed.n; i++)
        suggest_fandom(c, c->disclaimed.v[i]);
    if (w->relationships.n == 0 && ntop >= 2 && topc[1] >= 10 && topc[1] >= topc[2] * 2) {
        char rel[256], rev[256];
        snprintf(rel, sizeof(rel), "%s/%s", top[0], top[1]);
        snprintf(rev, sizeof(rev), "%s/%s", top[1], top[0]);
        const struct strlist *kr = o ? o->known_relationships : NULL;
        const char *use = rel;
        for (size_t i = 0; kr && i < kr->n; i++)
            if (strcasecmp(kr->v[i], rel) == 0 || strcasecmp(kr->v[i], rev) == 0) {
                use = kr->v[i];
                break;
            }
        strlist_add_unique(&w->sugg_relationships, use);
    }
    for (size_t i = 0; i < ns; i++)
        free(s[i].name);
    free(s);
    tab_free(&t);
    return 0;
}
