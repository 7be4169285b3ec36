/* ms_scan.h: private to the name and language scan of the manuscript importer (ms_lang.c,
 * ms_names.c, ms_suggest.c): the language counts and the table of capitalised words that one
 * fused pass over the text fills, inline where the tokenizer calls them for every word. */
#ifndef FICD_MS_SCAN_H
#define FICD_MS_SCAN_H

#include "core/swar.h"
#include "text/ms_int.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

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

#define LANG_MAX_WORDS 100000
#define NLANG          6 /* the languages told apart by their stopwords (ms_lang.c) */

static inline int is_letter_cp(int cp)
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

extern struct stop_ent ms_stop_tab[STOP_SLOTS];

static inline size_t stop_slot(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 55) & (STOP_SLOTS - 1);
}

/* The languages whose stopword lists hold the word of wl bytes packed in key, as bits. */
static inline unsigned stop_langs(uint64_t key, size_t wl)
{
    if (wl > STOP_MAX)
        return 0;
    for (size_t h = stop_slot(key); ms_stop_tab[h].key; h = (h + 1) & (STOP_SLOTS - 1))
        if (ms_stop_tab[h].key == key)
            return ms_stop_tab[h].langs;
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
    /* ms_people.c: the suggestions from the names the tokenizer counted into t (the characters,
     * a relationship, fandoms) into c->w; people unset keeps every recurring name (no person,
     * place or family-name tests). Returns 0 or FICD_ENOMEM. */
    int ms_suggest_pick(struct ms_ctx * c, struct name_tab * t, int people);

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

/* Builds the stopword table and the word sets, once per process (thread-safe). */
void ms_scan_init(void);
void ms_stop_build(void);
size_t ms_word_hash(const char *w, size_t n);
/* The scan of ms_detect_language over text (n bytes), up to LANG_MAX_WORDS words. */
void ms_lang_scan_text(struct lang_scan *L, const char *text, size_t n);
/* The language the counts point to, as AO3 names it (malloc'd), or NULL. */
char *ms_lang_decide(const struct lang_scan *L);

/* not_names and honorifics as open-addressing sets, built once with the stopword table:
 * every capitalised token of the prose is looked up in them. */
#define WORDSET_SLOTS 256

struct wordset {
    const char *slot[WORDSET_SLOTS];
};

extern struct wordset ms_not_names_set, ms_honorifics_set;
/* True when w is one of the words the set was built from. */
int ms_wordset_has(const struct wordset *set, const char *w);

/* The words of the prose, case-insensitively: capitalised tokens with their counts, and
 * every lower-case word (marked lower), in the order they were first seen. Looked up by a
 * fast hash of the lower-cased bytes (open addressing, slots holding entry numbers); names
 * and keys live in the chunks of one arena, not in an allocation each.
 *
 * The candidates are read in the slot order of the table this replaced: FNV-1a of the
 * lower-cased name, linear probing, 1024 slots at first, doubled (re-inserting the names in
 * slot order) whenever a lookup finds it half full. ms_name_order rebuilds that order from the
 * entries, which keeps the suggestions (and the order of equal counts) as they were. */
struct name_ent {
    uint64_t k0, k1;  /* the first 16 bytes of key, zero-padded */
    uint64_t hash;    /* of the key (key_make) */
    const char *name; /* NUL-terminated, as first seen (for lower entries: the key) */
    const char *key;  /* the name lower-cased (ASCII), len bytes */
    size_t len;
    int count, mid;
    int lower; /* seen in lower case: a common word, not a name (from the slots at the end) */
    /* The contexts it was seen in (ms_suggest.c, sugg_context): after a determiner ("the",
     * "a"), after a preposition of place ("in", "into", "outside"; weaker: "to", "of",
     * "from"), followed by a verb ("said", "-ed"), addressed in speech, with a personal
     * honorific ("-chan", "-san") or a title's ("-sama", "-sensei"), right before another
     * capitalised word (pairs; foll is the entry number + 1 of the most frequent one, votes
     * its majority vote), right after one (after). */
    int det, sloc, wloc, verb, voc, phon, thon, pairs, after;
    uint32_t foll;
    int votes;
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
    const char *base;     /* the text scanned: words before a name are read from it */
    const char *last_end; /* where the last capitalised name ended, and its entry number + 1 */
    uint32_t last;
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
    /* ms_people.c: the suggestions from the names the tokenizer counted into t (the characters,
     * a relationship, fandoms) into c->w; people unset keeps every recurring name (no person,
     * place or family-name tests). Returns 0 or FICD_ENOMEM. */
    int ms_suggest_pick(struct ms_ctx * c, struct name_tab * t, int people);

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

struct name_slot *ms_tab_add(struct name_tab *t, const struct name_key *k, const char *w, size_t h);
int ms_tab_grow(struct name_tab *t);

/* The slot of key k; when add is set, added when new with the name w (NULL: the key). */
__attribute__((always_inline)) static inline struct name_slot *
tab_lookup(struct name_tab *t, const struct name_key *k, const char *w, int add)
{
    if (!add && !t->scap)
        return NULL;
    if (add && t->n * 2 >= t->scap && ms_tab_grow(t))
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
    return add ? ms_tab_add(t, k, w, h) : NULL;
}

/* The entry of the name w (n bytes, under 64), added when new; NULL without memory. */
struct name_ent *ms_tab_get(struct name_tab *t, const char *w, size_t n);
/* The entry of the name w, NULL when it is not in the table. */
struct name_ent *ms_tab_find(struct name_tab *t, const char *w);
uint32_t *ms_name_order(const struct name_tab *t, size_t *cap);
void ms_tab_free(struct name_tab *t);
/* Folds a token of n bytes in place (possessive, honorific suffixes); returns the new length. */
size_t ms_fold_name(char *w, size_t n);

/* The length ms_fold_name would leave of the word w (n bytes, its hyphens said by hyphen),
 * without writing anything. */
static inline size_t ms_fold_len(const char *w, size_t n, int hyphen)
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
            if (ms_wordset_has(&ms_honorifics_set, part))
                n = (size_t)(h - w);
        }
    }
    return n;
}

/* ms_people.c: the suggestions from the names the tokenizer counted into t (the characters,
 * a relationship, fandoms) into c->w; people unset keeps every recurring name (no person,
 * place or family-name tests). Returns 0 or FICD_ENOMEM. */
int ms_suggest_pick(struct ms_ctx *c, struct name_tab *t, int people);

/* ms_people.c: the suggestions from the names the tokenizer counted into t (the characters,
 * a relationship, fandoms) into c->w; people unset keeps every recurring name (no person,
 * place or family-name tests). Returns 0 or FICD_ENOMEM. */
int ms_suggest_pick(struct ms_ctx *c, struct name_tab *t, int people);

#endif
