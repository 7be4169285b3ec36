/* ms_suggest.c: what the importer guesses rather than reads: the language (stopwords, script)
 * and tag suggestions (names recurring in the prose, matched against known character tags).
 * Why one file over 900 lines: both are computed in one fused pass over the whole text (the
 * word scanner packs words into keys eight bytes at a time and feeds the language counts
 * and the name candidates together); split, they would need two passes over every import
 * or the scanner's state exported between files. */
#include "text/ms_int.h"
#include "core/swar.h"
#include "core/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Eight bytes at a time on little-endian machines (SWAR_LE): ASCII letters found, capitals
 * lower-cased, words packed into keys without a loop per byte (core/swar.h). Elsewhere the
 * loops do it. */

static inline int is_ascii_letter(unsigned c)
{
    return (c | 0x20u) - 'a' < 26u;
}

/* Where the run of ASCII letters at s[i..] ends (n bytes in s). */
static inline size_t letter_run_end(const char *s, size_t n, size_t i)
{
#if SWAR_LE
    for (; i + 8 <= n; i += 8) {
        uint64_t other = ~swar_letters(swar_load(s + i)) & SWAR_HIGHS;
        if (other)
            return i + ((size_t)__builtin_ctzll(other) >> 3);
    }
#endif
    while (i < n && is_ascii_letter((unsigned char)s[i]))
        i++;
    return i;
}

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

/* The stopwords of all languages in one open-addressing table built once: each word (at
 * most six bytes) packed into the low bytes of a 64-bit key, with the set of languages (bit l
 * for languages[l]) whose list holds it. ms_detect_language looks up every word of the text,
 * and a strcmp through all lists was most of its time. */
#define STOP_SLOTS 512
#define STOP_MAX   6 /* the longest stopword has six bytes */

struct stop_ent {
    uint64_t key; /* 0: empty */
    unsigned langs;
};

static struct stop_ent stop_tab[STOP_SLOTS];

/* The key of w (n <= STOP_MAX bytes). */
static inline uint64_t stop_key(const char *w, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return k;
}

static size_t stop_slot(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 55) & (STOP_SLOTS - 1);
}

static size_t stop_hash(const char *w, size_t n)
{
    size_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

static void stop_build(void)
{
    for (size_t l = 0; l < NLANG; l++)
        for (const char *const *p = languages[l].words; *p; p++) {
            uint64_t key = stop_key(*p, strlen(*p));
            size_t h = stop_slot(key);
            while (stop_tab[h].key && stop_tab[h].key != key)
                h = (h + 1) & (STOP_SLOTS - 1);
            stop_tab[h].key = key;
            stop_tab[h].langs |= 1u << l;
        }
}

/* Builds the stopword table and the word sets below, once per process. */
static void sets_build(void);
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

/* The languages whose stopword lists hold the word of wl bytes packed in key, as bits. */
static inline unsigned stop_langs(uint64_t key, size_t wl)
{
    if (wl > STOP_MAX)
        return 0;
    for (size_t h = stop_slot(key); stop_tab[h].key; h = (h + 1) & (STOP_SLOTS - 1))
        if (stop_tab[h].key == key)
            return stop_tab[h].langs;
    return 0;
}

/* The language scan's counts: letters per script, words, and per language the words that
 * are its stopwords. The word being read is kept as its length wl (as many bytes as a
 * 32-byte buffer would take) and its first eight bytes packed into key the way stop_key packs
 * them: no stopword is longer than six bytes. done: the word limit was reached, nothing more
 * counts. */
struct lang_scan {
    size_t latin, cyr, kana, han, hangul, words;
    size_t hits[NLANG];
    size_t wl;
    uint64_t key;
    int done;
};

/* Ends the word being read, if any. */
static inline void lang_end_word(struct lang_scan *L)
{
    if (!L->wl)
        return;
    L->words++;
    unsigned langs = stop_langs(L->key, L->wl);
    for (size_t l = 0; langs && l < NLANG; l++)
        L->hits[l] += (langs >> l) & 1;
    L->wl = 0;
    L->key = 0;
    L->done = L->words >= LANG_MAX_WORDS;
}

/* run ASCII letters at p (readable up to end): Latin script, lower-cased into the word */
static inline void lang_ascii_letters(struct lang_scan *L, const char *p, size_t run,
                                      const char *end)
{
    L->latin += run;
#if SWAR_LE
    if (L->wl == 0 && end - p >= 8) {
        L->key = swar_lower(swar_load(p)) & swar_low_bytes(run);
        L->wl = run < 31 ? run : 31;
        return;
    }
#else
    (void)end;
#endif
    for (size_t k = 0; k < run && L->wl + k < 8; k++)
        L->key |= (uint64_t)((unsigned char)p[k] | 0x20u) << (8 * (L->wl + k));
    L->wl = L->wl + run < 31 ? L->wl + run : 31;
}

/* A character that is not an ASCII letter (an ASCII one only ends the word). */
static inline void lang_cp(struct lang_scan *L, int cp)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp < 0x250))
        L->latin++;
    else if (cp >= 0x400 && cp < 0x530)
        L->cyr++;
    else if (cp >= 0x3040 && cp < 0x3100)
        L->kana++;
    else if (cp >= 0x4E00 && cp < 0xA000)
        L->han++;
    else if (cp >= 0xAC00 && cp < 0xD7B0)
        L->hangul++;
    if (is_letter_cp(cp) && cp < 0x2000) {
        if (cp >= 0x80 && L->wl + 3 < 32) {
            /* keep accented letters (lower-case forms are what the lists hold) */
            if (cp >= 0xC0 && cp <= 0xDE)
                cp += 0x20;
            char enc[4];
            size_t len = utf8_encode(enc, (uint32_t)cp);
            for (size_t k = 0; k < len; k++, L->wl++)
                if (L->wl < 8)
                    L->key |= (uint64_t)(unsigned char)enc[k] << (8 * L->wl);
        }
        return;
    }
    lang_end_word(L);
}

/* The scan of ms_detect_language over text (n bytes), character by character, up to
 * LANG_MAX_WORDS words; the end of the text ends the last word. */
static void lang_scan_text(struct lang_scan *L, const char *text, size_t n)
{
    size_t i = 0;
    while (i < n && !L->done) {
        unsigned c = (unsigned char)text[i];
        if (c < 0x80) {
            if (is_ascii_letter(c)) {
                size_t s0 = i;
                i = letter_run_end(text, n, i + 1);
                lang_ascii_letters(L, text + s0, i - s0, text + n);
            } else {
                i++;
                lang_end_word(L);
            }
            continue;
        }
        lang_cp(L, ms_utf8_step(text, n, &i));
    }
    if (!L->done)
        lang_end_word(L);
}

/* The language the counts point to: by script for Russian, Japanese, Chinese, Korean; by
 * stopword frequency for English, Spanish, French, German, Italian, Portuguese. The name as
 * AO3 shows it, or NULL when nothing stands out. */
static char *lang_decide(const struct lang_scan *L)
{
    size_t scripts = L->latin + L->cyr + L->kana + L->han + L->hangul;
    if (scripts == 0)
        return NULL;
    if (L->cyr * 2 > scripts)
        return strdup("Русский");
    if (L->kana && (L->kana + L->han) * 2 > scripts)
        return strdup("日本語");
    if (L->han * 2 > scripts)
        return strdup("中文");
    if (L->hangul * 2 > scripts)
        return strdup("한국어");
    const size_t *hits = L->hits;
    size_t best = 0, second = 0;
    for (size_t l = 1; l < NLANG; l++)
        if (hits[l] > hits[best])
            best = l;
    for (size_t l = 0; l < NLANG; l++)
        if (l != best && hits[l] > second)
            second = hits[l];
    if (hits[best] < 3 || hits[best] * 100 < L->words * 12 || hits[best] * 10 < second * 13)
        return NULL;
    return strdup(languages[best].name);
}

/* The language of the text (see lang_decide), from its first LANG_MAX_WORDS words. */
char *ms_detect_language(const char *text, size_t n)
{
    struct lang_scan L;
    memset(&L, 0, sizeof(L));
    pthread_once(&sets_once, sets_build);
    lang_scan_text(&L, text, n);
    return lang_decide(&L);
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

/* The words of the prose, case-insensitively: capitalised tokens with their counts, and
 * every lower-case word (marked lower), in the order they were first seen. Looked up by a
 * fast hash of the lower-cased bytes (open addressing, slots holding entry numbers); names
 * and keys live in the chunks of one arena, not in an allocation each.
 *
 * The candidates are read in the slot order of the table this replaced: FNV-1a of the
 * lower-cased name, linear probing, 1024 slots at first, doubled (re-inserting the names in
 * slot order) whenever a lookup finds it half full. name_order rebuilds that order from the
 * entries, which keeps the suggestions (and the order of equal counts) as they were. */
struct name_ent {
    uint64_t k0, k1;  /* the first 16 bytes of key, zero-padded */
    uint64_t hash;    /* of the key (key_make) */
    const char *name; /* NUL-terminated, as first seen (for lower entries: the key) */
    const char *key;  /* the name lower-cased (ASCII), len bytes */
    size_t len;
    int count, mid;
    int lower; /* seen in lower case: a common word, not a name (from the slots at the end) */
};

/* A slot of the table: enough of the entry to find a key of up to eight bytes (most words)
 * and mark it lower without touching the entry. */
struct name_slot {
    uint64_t k0;
    uint32_t idx;  /* entry number + 1; 0: empty */
    uint16_t tag;  /* the hash's top bits */
    uint8_t len;   /* of the key */
    uint8_t lower; /* seen in lower case */
};

#define NAME_CHUNK 65536

struct name_chunk {
    struct name_chunk *next;
    size_t used;
    char data[NAME_CHUNK];
};

struct name_tab {
    struct name_ent *v; /* entries, in the order first seen */
    size_t n, vcap;
    struct name_slot *slot;
    size_t scap;          /* a power of two */
    int looked_since_add; /* a lookup came after the last new entry */
    struct name_chunk *chunks;
};

/* A key: up to 63 bytes of a lower-cased name, the first 16 as two words (byte i in bits
 * 8i..8i+7, zero-padded), the rest in b. */
struct name_key {
    uint64_t k0, k1;
    size_t n;
    uint64_t hash;
    char b[64]; /* bytes 16.. only */
};

/* ASCII lower-casing as tolower does it in the C locale. */
static inline char lower_ascii(char ch)
{
    return (char)((unsigned)(unsigned char)ch - 'A' < 26u ? ch + 32 : ch);
}

/* Fills k from w (n bytes, under 64; readable up to end), lower-casing it. The words are
 * built in registers (eight bytes at once when there is room to load them): assembling
 * them from bytes stored one at a time stalls on the loads. */
__attribute__((always_inline)) static inline void key_make(struct name_key *k, const char *w,
                                                           size_t n, const char *end)
{
    uint64_t k0 = 0, k1 = 0;
    size_t i = 0;
#if SWAR_LE
    if (end - w >= 16) {
        k0 = swar_lower(swar_load(w)) & swar_low_bytes(n);
        k1 = n > 8 ? swar_lower(swar_load(w + 8)) & swar_low_bytes(n - 8) : 0;
        i = n < 16 ? n : 16;
    }
#else
    (void)end;
#endif
    for (; i < n && i < 8; i++)
        k0 |= (uint64_t)(unsigned char)lower_ascii(w[i]) << (8 * i);
    for (; i < n && i < 16; i++)
        k1 |= (uint64_t)(unsigned char)lower_ascii(w[i]) << (8 * (i - 8));
    uint64_t h = (k0 ^ (n * 0x9E3779B97F4A7C15ULL)) * 0xFF51AFD7ED558CCDULL;
    h ^= (h >> 31) ^ k1;
    h *= 0xC4CEB9FE1A85EC53ULL;
    for (i = 16; i < n; i++) {
        k->b[i] = lower_ascii(w[i]);
        h = (h ^ (unsigned char)k->b[i]) * 0x100000001B3ULL;
    }
    k->k0 = k0;
    k->k1 = k1;
    k->n = n;
    k->hash = h ^ (h >> 29);
}

/* The bytes of key k into dst (k->n bytes). */
static void key_bytes(const struct name_key *k, char *dst)
{
    for (size_t i = 0; i < k->n; i++)
        dst[i] = i < 8    ? (char)(k->k0 >> (8 * i))
                 : i < 16 ? (char)(k->k1 >> (8 * (i - 8)))
                          : k->b[i];
}

static char *tab_alloc(struct name_tab *t, size_t n)
{
    struct name_chunk *c = t->chunks;
    if (!c || NAME_CHUNK - c->used < n) {
        c = malloc(sizeof(*c));
        if (!c)
            return NULL;
        c->next = t->chunks;
        c->used = 0;
        t->chunks = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

static int tab_grow(struct name_tab *t)
{
    size_t cap = t->scap ? t->scap * 2 : 4096;
    struct name_slot *sl = calloc(cap, sizeof(*sl));
    if (!sl)
        return FICD_ENOMEM;
    for (size_t i = 0; i < t->scap; i++) {
        if (!t->slot[i].idx)
            continue;
        size_t h = (size_t)t->v[t->slot[i].idx - 1].hash & (cap - 1);
        while (sl[h].idx)
            h = (h + 1) & (cap - 1);
        sl[h] = t->slot[i];
    }
    free(t->slot);
    t->slot = sl;
    t->scap = cap;
    return 0;
}

/* Adds the entry of key k with the name w (NULL: the key) in the empty slot h. */
static struct name_slot *tab_add(struct name_tab *t, const struct name_key *k, const char *w,
                                 size_t h)
{
    if (t->n == t->vcap) {
        size_t vcap = t->vcap ? t->vcap * 2 : 1024;
        struct name_ent *v = realloc(t->v, vcap * sizeof(*v));
        if (!v)
            return NULL;
        t->v = v;
        t->vcap = vcap;
    }
    size_t n = k->n;
    char *mem = tab_alloc(t, w ? 2 * n + 2 : n + 1);
    if (!mem)
        return NULL;
    key_bytes(k, mem);
    mem[n] = '\0';
    struct name_ent *x = &t->v[t->n];
    memset(x, 0, sizeof(*x));
    x->k0 = k->k0;
    x->k1 = k->k1;
    x->hash = k->hash;
    x->key = mem;
    x->name = mem;
    if (w) {
        memcpy(mem + n + 1, w, n);
        mem[2 * n + 1] = '\0';
        x->name = mem + n + 1;
    }
    x->len = n;
    struct name_slot *sl = &t->slot[h];
    sl->k0 = k->k0;
    sl->idx = (uint32_t)++t->n;
    sl->tag = (uint16_t)(k->hash >> 48);
    sl->len = (uint8_t)n;
    sl->lower = 0;
    t->looked_since_add = 0;
    return sl;
}

/* The slot of key k; when add is set, added when new with the name w (NULL: the key). */
__attribute__((always_inline)) static inline struct name_slot *
tab_lookup(struct name_tab *t, const struct name_key *k, const char *w, int add)
{
    if (!add && !t->scap)
        return NULL;
    if (add && t->n * 2 >= t->scap && tab_grow(t))
        return NULL;
    uint16_t tag = (uint16_t)(k->hash >> 48);
    size_t h = (size_t)k->hash & (t->scap - 1);
    for (struct name_slot *sl; (sl = &t->slot[h])->idx; h = (h + 1) & (t->scap - 1)) {
        if (sl->k0 != k->k0 || sl->len != k->n || sl->tag != tag)
            continue;
        if (k->n > 8) {
            const struct name_ent *x = &t->v[sl->idx - 1];
            if (x->k1 != k->k1 || (k->n > 16 && memcmp(x->key + 16, k->b + 16, k->n - 16)))
                continue;
        }
        t->looked_since_add |= add;
        return sl;
    }
    return add ? tab_add(t, k, w, h) : NULL;
}

/* The entry of the name w (n bytes, under 64), added when new. */
static struct name_ent *tab_get(struct name_tab *t, const char *w, size_t n)
{
    struct name_key k;
    key_make(&k, w, n, w + n);
    struct name_slot *sl = tab_lookup(t, &k, w, 1);
    return sl ? &t->v[sl->idx - 1] : NULL;
}

static struct name_ent *tab_find(struct name_tab *t, const char *w)
{
    struct name_key k;
    size_t n = strlen(w);
    if (n >= 64)
        return NULL;
    key_make(&k, w, n, w + n);
    struct name_slot *sl = tab_lookup(t, &k, NULL, 0);
    return sl ? &t->v[sl->idx - 1] : NULL;
}

static size_t hash_ci(const char *s, size_t n)
{
    size_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 1099511628211ULL;
    return h;
}

/* The entries in the slot order of the table described above: the entries are put in it in
 * the order they were first seen, growing it before an entry makes it more than half full,
 * and once more at the end when a lookup came after the last entry. Returns a malloc'd array
 * of *cap entry numbers + 1 (0 for empty slots), NULL when there are no entries or no memory. */
static uint32_t *name_order(const struct name_tab *t, size_t *cap)
{
    size_t n = 0, c = 0;
    uint32_t *sl = NULL;
    size_t *hv = malloc((t->n ? t->n : 1) * sizeof(*hv));
    *cap = 0;
    if (!hv || !t->n) {
        free(hv);
        return NULL;
    }
    for (size_t e = 0; e <= t->n; e++) {
        if (e == t->n && !t->looked_since_add)
            break;
        if (n * 2 >= c) {
            size_t nc = c ? c * 2 : 1024;
            uint32_t *ns = calloc(nc, sizeof(*ns));
            if (!ns) {
                free(sl);
                free(hv);
                return NULL;
            }
            for (size_t i = 0; i < c; i++) {
                if (!sl[i])
                    continue;
                size_t h = hv[sl[i] - 1] & (nc - 1);
                while (ns[h])
                    h = (h + 1) & (nc - 1);
                ns[h] = sl[i];
            }
            free(sl);
            sl = ns;
            c = nc;
        }
        if (e == t->n)
            break;
        hv[e] = hash_ci(t->v[e].key, t->v[e].len); /* hash_ci of the name */
        size_t h = hv[e] & (c - 1);
        while (sl[h])
            h = (h + 1) & (c - 1);
        sl[h] = (uint32_t)e + 1;
        n++;
    }
    free(hv);
    *cap = c;
    return sl;
}

static void tab_free(struct name_tab *t)
{
    while (t->chunks) {
        struct name_chunk *c = t->chunks;
        t->chunks = c->next;
        free(c);
    }
    free(t->v);
    free(t->slot);
}

/* Folds a token of n bytes: possessive 's removed, honorific suffixes (-chan, -kun, -san,
 * -sama, ...) removed. Writes into w in place and returns the new length. */
static size_t fold_name(char *w, size_t n)
{
    if (n > 2 && memcmp(w + n - 2, "'s", 2) == 0)
        w[n -= 2] = '\0';
    else if (n > 4 && memcmp(w + n - 4, "\xE2\x80\x99s", 4) == 0)
        w[n -= 4] = '\0';
    while (n > 0 && (w[n - 1] == '\'' || w[n - 1] == '-'))
        w[--n] = '\0';
    char *h = NULL;
    for (size_t i = 0; i < n; i++)
        if (w[i] == '-') {
            h = w + i;
            break;
        }
    if (h && islower((unsigned char)h[1])) {
        char part[32];
        size_t pl = strcspn(h + 1, "-");
        if (pl < sizeof(part)) {
            memcpy(part, h + 1, pl);
            part[pl] = '\0';
            if (wordset_has(&honorifics_set, part)) {
                *h = '\0';
                n = (size_t)(h - w);
            }
        }
    }
    return n;
}

/* The length fold_name would leave of the word w (n bytes, its hyphens said by hyphen),
 * without writing anything. */
static size_t fold_len(const char *w, size_t n, int hyphen)
{
    if (n > 2 && w[n - 2] == '\'' && w[n - 1] == 's')
        n -= 2;
    else if (n > 4 && memcmp(w + n - 4, "\xE2\x80\x99s", 4) == 0)
        n -= 4;
    while (n > 0 && (w[n - 1] == '\'' || w[n - 1] == '-'))
        n--;
    if (!hyphen)
        return n;
    const char *h = memchr(w, '-', n);
    if (h && h + 1 < w + n && islower((unsigned char)h[1])) {
        char part[32];
        size_t pl = 0;
        while (h + 1 + pl < w + n && h[1 + pl] != '-')
            pl++;
        if (pl < sizeof(part)) {
            memcpy(part, h + 1, pl);
            part[pl] = '\0';
            if (wordset_has(&honorifics_set, part))
                n = (size_t)(h - w);
        }
    }
    return n;
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

/* The tokenizer's view of ASCII, by code: L a letter, I a character after which a
 * capitalised word may just be the start of a sentence (the others are U+2026 and U+201C),
 * '.' anything else. */
static const char sugg_cls[129] = "..........I....."  /* 0x00: \n */
                                  "................"  /* 0x10 */
                                  ".II...........I."  /* 0x20: ! " . */
                                  "..........I....I"  /* 0x30: : ? */
                                  ".LLLLLLLLLLLLLLL"  /* 0x40: A-O */
                                  "LLLLLLLLLLL....."  /* 0x50: P-Z */
                                  ".LLLLLLLLLLLLLLL"  /* 0x60: a-o */
                                  "LLLLLLLLLLL....."; /* 0x70: p-z */
#define SUGG_LETTER(c)  (sugg_cls[c] == 'L')
#define SUGG_INITIAL(c) (sugg_cls[c] == 'I')

/* Tag suggestions from the prose text (n bytes): capitalised words recurring at least three
 * times, never seen in lower case, at least once mid-sentence (not only sentence-initial), with
 * honorifics and possessives folded; matched to known character tags (then the canonical name
 * is suggested and the character's fandom becomes a fandom suggestion); the declared
 * characters left out; at most ten, most frequent first. When no relationship was declared and
 * two characters clearly dominate (each named ten times or more, the second at least twice as
 * often as the third), "A/B" is suggested (the known relationship tag when one exists). */
/* The tokenizer of ms_suggest over text (n bytes): capitalised words counted into t, every
 * lower-case word marked; with L, the language scan counts each character as it is consumed
 * (and ends the last word). Returns 0 or FICD_ENOMEM. */
/* One token of the prose, word (len bytes, first byte ch; readable up to end), into t: a
 * lower-case word is marked, a capitalised one that may be a name counted (mid: not at the
 * start of a sentence). hyphen: the token has an inner hyphen. Returns 0 or FICD_ENOMEM. */
static int sugg_token(struct name_tab *t, const char *word, size_t len, unsigned ch, int hyphen,
                      int was_initial, const char *end)
{
    char tok[64];
    if (len >= sizeof(tok))
        return 0;
    if (ch - 'a' < 26u) {
        /* a lower-case word: only its folded, lower-cased form counts (the table never shows
         * the names of words seen in lower case) */
        if (len < 2)
            return 0;
        struct name_key key;
        key_make(&key, word, fold_len(word, len, hyphen), end);
        struct name_slot *sl = tab_lookup(t, &key, NULL, 1);
        if (sl)
            sl->lower = 1;
        return 0;
    }
    if (ch - 'A' >= 26u || len < 2)
        return 0;
    int caps = 1;
    for (size_t k = 1; k < len; k++)
        if ((unsigned)(unsigned char)word[k] - 'a' < 26u)
            caps = 0;
    if (caps)
        return 0;
    memcpy(tok, word, len);
    tok[len] = '\0';
    for (char *q = memchr(tok, '\xE2', len); q; q = memchr(q, '\xE2', len - (size_t)(q - tok))) {
        if (q[1] == '\x80' && q[2] == '\x99') {
            *q = '\'';
            memmove(q + 1, q + 3, len - (size_t)(q + 3 - tok) + 1);
            len -= 2;
        }
        q++;
    }
    len = fold_name(tok, len);
    if (len < 2 || wordset_has(&not_names_set, tok) || (tok[0] == 'I' && tok[1] == '\''))
        return 0;
    struct name_ent *ent = tab_get(t, tok, len);
    if (!ent)
        return FICD_ENOMEM;
    ent->count++;
    ent->mid += !was_initial;
    return 0;
}

/* The tokenizer of ms_suggest over text (n bytes): tokens into t (sugg_token); with L, the
 * language scan counts each character as it is consumed (and ends the last word). Returns 0
 * or FICD_ENOMEM. */
static int sugg_scan(struct name_tab *t, const char *text, size_t n, struct lang_scan *L)
{
    int initial = 1;
    for (size_t i = 0; i < n;) {
        size_t st = i;
        unsigned ch = (unsigned char)text[i];
        if (ch < 0x80) {
            i++;
            if (!SUGG_LETTER(ch)) {
                if (SUGG_INITIAL(ch))
                    initial = 1;
                if (L && !L->done)
                    lang_end_word(L);
                continue;
            }
#if SWAR_LE
            /* most tokens are ASCII letters ending before an ASCII character that cannot join
             * them to more: counted for the language at once, key words loaded, not walked */
            if (n - st >= 16) {
                size_t e = letter_run_end(text, n, i);
                unsigned b = e < n ? (unsigned char)text[e] : '\'';
                if (b < 0x80 && b != '\'' && b != '-') {
                    size_t len = e - st;
                    if (L && !L->done) {
                        L->latin += len;
                        L->key = swar_lower(swar_load(text + st)) & swar_low_bytes(len);
                        L->wl = len < 31 ? len : 31;
                    }
                    int was_initial = initial;
                    initial = 0;
                    i = e;
                    if (sugg_token(t, text + st, len, ch, 0, was_initial, text + n))
                        return FICD_ENOMEM;
                    continue;
                }
            }
#endif
        } else {
            int cp = ms_utf8_step(text, n, &i);
            if (L && !L->done)
                lang_cp(L, cp);
            if (!is_letter_cp(cp)) {
                if (cp == 0x2026 || cp == 0x201C)
                    initial = 1;
                continue;
            }
        }
        /* a word: letters with inner apostrophes and hyphens; ls is where the run of ASCII
         * letters not yet counted for the language starts (n: none) */
        size_t e = i, ls = ch < 0x80 ? st : n;
        int hyphen = 0;
        while (e < n) {
            unsigned b = (unsigned char)text[e];
            if (b < 0x80) {
                if (SUGG_LETTER(b)) {
                    if (ls == n)
                        ls = e;
                    e++;
                    continue;
                }
                if (b != '\'' && b != '-')
                    break;
                size_t r = e + 1;
                if (r < n) {
                    unsigned b2 = (unsigned char)text[r];
                    if (b2 < 0x80 ? SUGG_LETTER(b2) : is_letter_cp(ms_utf8_step(text, n, &r))) {
                        if (L && !L->done) {
                            if (ls < e)
                                lang_ascii_letters(L, text + ls, e - ls, text + n);
                            lang_end_word(L);
                        }
                        ls = n;
                        hyphen |= b == '-';
                        e++;
                        continue;
                    }
                }
                break;
            }
            size_t q = e;
            int c2 = ms_utf8_step(text, n, &q);
            int join = 0;
            if (!is_letter_cp(c2)) {
                size_t r = q;
                join = c2 == 0x2019 && r < n &&
                       ((unsigned char)text[r] < 0x80 ? SUGG_LETTER((unsigned char)text[r])
                                                      : is_letter_cp(ms_utf8_step(text, n, &r)));
                if (!join)
                    break;
            }
            if (L && !L->done) {
                if (ls < e)
                    lang_ascii_letters(L, text + ls, e - ls, text + n);
                if (!L->done)
                    lang_cp(L, c2);
            }
            ls = n;
            e = q;
        }
        if (L && !L->done && ls < e)
            lang_ascii_letters(L, text + ls, e - ls, text + n);
        i = e;
        int was_initial = initial;
        initial = 0;
        if (sugg_token(t, text + st, e - st, ch, hyphen, was_initial, text + n))
            return FICD_ENOMEM;
    }
    if (L && !L->done)
        lang_end_word(L); /* the end of the text ends the last word */
    return 0;
}

void ms_lang_counts(const char *text, size_t n, int fused, size_t counts[12])
{
    struct lang_scan L;
    memset(&L, 0, sizeof(L));
    pthread_once(&sets_once, sets_build);
    if (fused) {
        struct name_tab t;
        memset(&t, 0, sizeof(t));
        sugg_scan(&t, text, n, &L);
        tab_free(&t);
    } else {
        lang_scan_text(&L, text, n);
    }
    size_t v[12] = {L.latin, L.cyr, L.kana, L.han, L.hangul, L.words};
    for (size_t l = 0; l < NLANG; l++)
        v[6 + l] = L.hits[l];
    memcpy(counts, v, sizeof(v));
}

int ms_suggest(struct ms_ctx *c, const char *text, size_t n, int language)
{
    pthread_once(&sets_once, sets_build);
    struct work *w = c->w;
    const struct ms_opts *o = c->o;
    /* The language scan rides along on the tokenizer when the whole text is scanned for
     * names (each character is counted once, as it is consumed); a longer text, or one
     * whose scan ran out of memory, gets a scan of its own. */
    struct lang_scan lang;
    memset(&lang, 0, sizeof(lang));
    int fused = language && n <= SUGG_MAX_TEXT;
    struct name_tab t;
    memset(&t, 0, sizeof(t));
    int rc = sugg_scan(&t, text, n < SUGG_MAX_TEXT ? n : SUGG_MAX_TEXT, fused ? &lang : NULL);
    if (language) {
        free(w->language);
        w->language = fused && !rc ? lang_decide(&lang) : ms_detect_language(text, n);
    }
    /* candidates, merged under their known canonical names */
    struct sugg *s = NULL;
    size_t ns = 0, cap = 0;
    const struct strlist *known = o ? o->known_characters : NULL;
    for (size_t i = 0; i < t.scap; i++)
        if (t.slot[i].idx && t.slot[i].lower)
            t.v[t.slot[i].idx - 1].lower = 1;
    size_t ocap = 0;
    uint32_t *order = name_order(&t, &ocap);
    for (size_t i = 0; i < ocap; i++) {
        if (!order[i])
            continue;
        struct name_ent *e = &t.v[order[i] - 1];
        if (e->lower || e->count < 3 || e->mid < 1)
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
    free(order);
    tab_free(&t);
    return 0;
}
