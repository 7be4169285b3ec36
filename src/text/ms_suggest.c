/* ms_suggest.c: tag suggestions: the tokenizer that reads the prose once (capitalised words
 * into the name table of ms_names.c, the language counts of ms_lang.c riding along) and the
 * choice of characters, a relationship and fandoms from what it found. */
#include "text/ms_scan.h"
#include "core/err.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUGG_MAX_TEXT ((size_t)4 << 20) /* names are counted in the first 4 MiB */
#define SUGG_MAX      10

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
                    const struct name_ent *ent = ms_tab_find(t, word);
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
        key_make(&key, word, ms_fold_len(word, len, hyphen), end);
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
    len = ms_fold_name(tok, len);
    if (len < 2 || ms_wordset_has(&ms_not_names_set, tok) || (tok[0] == 'I' && tok[1] == '\''))
        return 0;
    struct name_ent *ent = ms_tab_get(t, tok, len);
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
    ms_scan_init();
    if (fused) {
        struct name_tab t;
        memset(&t, 0, sizeof(t));
        sugg_scan(&t, text, n, &L);
        ms_tab_free(&t);
    } else {
        ms_lang_scan_text(&L, text, n);
    }
    size_t v[12] = {L.latin, L.cyr, L.kana, L.han, L.hangul, L.words};
    for (size_t l = 0; l < NLANG; l++)
        v[6 + l] = L.hits[l];
    memcpy(counts, v, sizeof(v));
}

int ms_suggest(struct ms_ctx *c, const char *text, size_t n, int language)
{
    ms_scan_init();
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
        w->language = fused && !rc ? ms_lang_decide(&lang) : ms_detect_language(text, n);
    }
    /* candidates, merged under their known canonical names */
    struct sugg *s = NULL;
    size_t ns = 0, cap = 0;
    const struct strlist *known = o ? o->known_characters : NULL;
    for (size_t i = 0; i < t.scap; i++)
        if (t.slot[i].idx && t.slot[i].lower)
            t.v[t.slot[i].idx - 1].lower = 1;
    size_t ocap = 0;
    uint32_t *order = ms_name_order(&t, &ocap);
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
    ms_tab_free(&t);
    return 0;
}