/* ms_lang.c: the language of a manuscript, from its script and the stopwords of six
 * languages (the counts themselves are taken by the scan in ms_scan.h, alone here or riding on
 * the name tokenizer of ms_suggest.c). */
#include "text/ms_scan.h"

#include <stdlib.h>
#include <string.h>

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
_Static_assert(sizeof(languages) / sizeof(languages[0]) == NLANG, "NLANG");

/* The stopwords of all languages in one open-addressing table built once: each word (at
 * most six bytes) packed into the low bytes of a 64-bit key, with the set of languages (bit l
 * for languages[l]) whose list holds it. ms_detect_language looks up every word of the text,
 * and a strcmp through all lists was most of its time. */
struct stop_ent ms_stop_tab[STOP_SLOTS];

/* The key of w (n <= STOP_MAX bytes). */
static inline uint64_t stop_key(const char *w, size_t n)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return k;
}

size_t ms_word_hash(const char *w, size_t n)
{
    size_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h;
}

void ms_stop_build(void)
{
    for (size_t l = 0; l < NLANG; l++)
        for (const char *const *p = languages[l].words; *p; p++) {
            uint64_t key = stop_key(*p, strlen(*p));
            size_t h = stop_slot(key);
            while (ms_stop_tab[h].key && ms_stop_tab[h].key != key)
                h = (h + 1) & (STOP_SLOTS - 1);
            ms_stop_tab[h].key = key;
            ms_stop_tab[h].langs |= 1u << l;
        }
}

/* The scan of ms_detect_language over text (n bytes), character by character, up to
 * LANG_MAX_WORDS words; the end of the text ends the last word. */
void ms_lang_scan_text(struct lang_scan *L, const char *text, size_t n)
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
char *ms_lang_decide(const struct lang_scan *L)
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

/* The language of the text (see ms_lang_decide), from its first LANG_MAX_WORDS words. */
char *ms_detect_language(const char *text, size_t n)
{
    struct lang_scan L;
    memset(&L, 0, sizeof(L));
    ms_scan_init();
    ms_lang_scan_text(&L, text, n);
    return ms_lang_decide(&L);
}