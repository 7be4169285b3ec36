/* ms_suggest.c: tag suggestions: the tokenizer that reads the prose once (capitalised words
 * into the name table of ms_names.c, the language counts of ms_lang.c riding along) and the
 * choice of characters, a relationship and fandoms from what it found. */
#include "text/ms_scan.h"
#include "core/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUGG_MAX_TEXT ((size_t)4 << 20) /* names are counted in the first 4 MiB */
#define SUGG_MAX      10

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
/* Words around a name that tell a person from a place, a clan or a title. */
static const char *const determiners[] = {"the",   "a",       "an",   "this", "that",
                                          "every", "another", "each", "any",  NULL};
static const char *const place_preps[] = {"in",     "into",   "inside",     "within",  "outside",
                                          "beyond", "across", "throughout", "leaving", NULL};
static const char *const weak_preps[] = {"to",      "from",   "of",      "at",      "near",
                                         "towards", "toward", "past",    "through", "around",
                                         "left",    "reach",  "reached", NULL};
static const char *const person_verbs[] = {
    "said",     "says",      "asked",   "asks",     "replied",   "answered", "smiled",    "smiles",
    "nodded",   "nods",      "sighed",  "sighs",    "laughed",   "laughs",   "looked",    "looks",
    "frowned",  "grinned",   "grins",   "shrugged", "whispered", "muttered", "shouted",   "yelled",
    "screamed", "cried",     "thought", "thinks",   "knew",      "knows",    "felt",      "feels",
    "turned",   "blinked",   "glanced", "stared",   "watched",   "wanted",   "wants",     "took",
    "gave",     "went",      "came",    "walked",   "ran",       "sat",      "stood",     "leaned",
    "kissed",   "hugged",    "told",    "tells",    "began",     "started",  "tried",     "tries",
    "paused",   "hesitated", "winced",  "flinched", "swallowed", "chuckled", "snorted",   "huffed",
    "groaned",  "moaned",    "gasped",  "breathed", "murmured",  "added",    "continued", "agreed",
    "shook",    "rolled",    "raised",  "reached",  "opened",    "closed",   "held",      "let",
    "couldn't", "didn't",    "wasn't",  "hadn't",   "wouldn't",  NULL};
static const char *const title_honorifics[] = {"sama",   "sensei",  "dono", "taichou",
                                               "hakase", "shishou", "hime", "sama's",
                                               "senpai", "sempai",  NULL};

/* The words of the lists above in one open-addressing table, each with the classes of the
 * lists that hold it: the words next to every name are looked up in it. */
enum { W_DET = 1, W_PLACE = 2, W_WEAK = 4, W_VERB = 8, W_TITLE = 16 };
#define CTX_SLOTS 512

static struct ctx_word {
    const char *w;
    unsigned char len, cls;
} ctx_tab[CTX_SLOTS];
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_build(void)
{
    const char *const *lists[] = {determiners, place_preps, weak_preps, person_verbs,
                                  title_honorifics};
    for (unsigned l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
        for (const char *const *p = lists[l]; *p; p++) {
            size_t n = strlen(*p);
            size_t h = ms_word_hash(*p, n) & (CTX_SLOTS - 1);
            while (ctx_tab[h].w && strcmp(ctx_tab[h].w, *p))
                h = (h + 1) & (CTX_SLOTS - 1);
            ctx_tab[h].w = *p;
            ctx_tab[h].len = (unsigned char)n;
            ctx_tab[h].cls |= (unsigned char)(1u << l);
        }
}

/* The classes (W_*) of the word w (n bytes, as written: the lists are lower-case). */
static unsigned word_cls(const char *w, size_t n)
{
    if (n == 0 || n > 15)
        return 0;
    for (size_t h = ms_word_hash(w, n) & (CTX_SLOTS - 1); ctx_tab[h].w;
         h = (h + 1) & (CTX_SLOTS - 1))
        if (ctx_tab[h].len == n && memcmp(ctx_tab[h].w, w, n) == 0)
            return ctx_tab[h].cls;
    return 0;
}

/* The word before p in base (over one or two spaces): its start and length (0: none, or not
 * only ASCII letters). */
static size_t word_before(const char *base, const char *p, const char **w)
{
    const char *q = p;
    int sp = 0;
    while (q > base && q[-1] == ' ' && sp < 2) {
        q--;
        sp++;
    }
    if (!sp)
        return 0;
    const char *e = q;
    while (q > base && e - q < 16 && is_ascii_letter((unsigned char)q[-1]))
        q--;
    if (q > base && (is_ascii_letter((unsigned char)q[-1]) || q[-1] == '\'' || q[-1] == '-'))
        return 0;
    *w = q;
    return (size_t)(e - q);
}

/* Is the byte before p (in base) an opening quote? */
static int quote_before(const char *base, const char *p)
{
    return (p > base && p[-1] == '"') ||
           (p - base >= 3 && (unsigned char)p[-3] == 0xE2 && (unsigned char)p[-2] == 0x80 &&
            (unsigned char)p[-1] == 0x9C);
}

/* Is there a closing quote at p (readable up to end)? */
static int quote_at(const char *p, const char *end)
{
    return (p < end && *p == '"') || (end - p >= 3 && (unsigned char)p[0] == 0xE2 &&
                                      (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x9D);
}

/* The contexts of a capitalised name whose token is word (rawlen bytes, readable up to end;
 * hon: the honorific folded off it, hl bytes, or NULL), counted into its entry e (number
 * idx + 1 in t). Only names pay for this: the words around them are read back from the text,
 * lower-case words cost nothing more. */
static void sugg_context(struct name_tab *t, struct name_ent *e, uint32_t idx, const char *word,
                         size_t rawlen, const char *end, const char *hon, size_t hl)
{
    const char *w = NULL;
    size_t wl = word_before(t->base, word, &w);
    if (wl && islower((unsigned char)w[0])) {
        if ((word_cls(w, wl) & W_DET)) {
            e->det++;
        } else if ((word_cls(w, wl) & W_PLACE)) {
            e->sloc++;
        } else if ((word_cls(w, wl) & W_WEAK)) {
            e->wloc++;
        } else {
            /* "the damned Uchiha": a determiner one word further back */
            const char *w2 = NULL;
            size_t wl2 = word_before(t->base, w, &w2);
            if (wl2 && (word_cls(w2, wl2) & W_DET) && wl > 2)
                e->det++;
        }
    } else if (wl && wl <= 8 && isupper((unsigned char)w[0])) {
        /* at the start of a sentence: "The Steward nodded", "In Dunmoor the market" */
        char lw[8];
        for (size_t i = 0; i < wl; i++)
            lw[i] = (char)tolower((unsigned char)w[i]);
        unsigned cls = word_cls(lw, wl);
        if (cls & W_DET)
            e->det++;
        else if (cls & W_PLACE)
            e->sloc++;
    }
    if (wl == 3 && strncmp(w, "the", 3) == 0) {
        const char *w2 = NULL;
        size_t wl2 = word_before(t->base, w, &w2);
        if (wl2 && (word_cls(w2, wl2) & (W_PLACE | W_WEAK)))
            e->sloc++;
    }
    const char *r = word + rawlen;
    if (r + 1 < end && *r == ' ' && (unsigned)(unsigned char)r[1] - 'a' < 26u) {
        const char *v = r + 1;
        size_t vl = letter_run_end(v, (size_t)(end - v), 0);
        if (v + vl < end && v[vl] == '\'' && vl + 2 < (size_t)(end - v) && v[vl + 1] == 't')
            vl += 2;
        if ((vl >= 4 && vl < 16 && v[vl - 2] == 'e' && v[vl - 1] == 'd') ||
            (word_cls(v, vl) & W_VERB))
            e->verb++;
    } else if (r < end && (*r == ',' || *r == '.' || *r == '!' || *r == '?') &&
               (quote_at(r + 1, end) || (*r == ',' && quote_before(t->base, word)))) {
        e->voc++;
    }
    if (hon) {
        if ((word_cls(hon, hl) & W_TITLE))
            e->thon++;
        else
            e->phon++;
    }
    /* "Haruno Sakura": a name right after the last one, one space between */
    if (t->last && t->last != idx + 1 && t->last_end + 1 == word && *t->last_end == ' ') {
        struct name_ent *a = &t->v[t->last - 1];
        a->pairs++;
        e->after++;
        if (a->foll == idx + 1)
            a->votes++;
        else if (a->votes == 0) {
            a->foll = idx + 1;
            a->votes = 1;
        } else {
            a->votes--;
        }
    }
    t->last = idx + 1;
    t->last_end = word + rawlen;
}

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
    size_t rawlen = len;
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
    size_t before = len;
    len = ms_fold_name(tok, len);
    if (len < 2 || ms_wordset_has(&ms_not_names_set, tok) || (tok[0] == 'I' && tok[1] == '\''))
        return 0;
    struct name_ent *ent = ms_tab_get(t, tok, len);
    if (!ent)
        return FICD_ENOMEM;
    ent->count++;
    ent->mid += !was_initial;
    /* the honorific folded off, when one was: the word after the name's hyphen */
    const char *hon = NULL;
    size_t hl = 0;
    const char *hp = hyphen && len < before ? memchr(word, '-', rawlen) : NULL;
    if (hp && (size_t)(hp - word) == len) {
        hon = hp + 1;
        while (hon + hl < word + rawlen && is_ascii_letter((unsigned char)hon[hl]))
            hl++;
    }
    sugg_context(t, ent, (uint32_t)(ent - t->v), word, rawlen, end, hon, hl);
    return 0;
}

/* The tokenizer of ms_suggest over text (n bytes): tokens into t (sugg_token); with L, the
 * language scan counts each character as it is consumed (and ends the last word). Returns 0
 * or FICD_ENOMEM. */
static int sugg_scan(struct name_tab *t, const char *text, size_t n, struct lang_scan *L)
{
    t->base = text;
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
    pthread_once(&ctx_once, ctx_build);
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

/* ms_suggest, and with people unset the suggestions without telling people from places
 * (ms_suggest_plain). */
static int suggest(struct ms_ctx *c, const char *text, size_t n, int language, int people)
{
    ms_scan_init();
    pthread_once(&ctx_once, ctx_build);
    struct work *w = c->w;
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
    int prc = ms_suggest_pick(c, &t, people);
    ms_tab_free(&t);
    return prc;
}

int ms_suggest(struct ms_ctx *c, const char *text, size_t n, int language)
{
    return suggest(c, text, n, language, 1);
}

int ms_suggest_plain(struct ms_ctx *c, const char *text, size_t n, int language)
{
    return suggest(c, text, n, language, 0);
}
