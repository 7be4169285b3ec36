/* ms_notes.c: author's notes around the story: note labels ("A/N:"), what makes a paragraph
 * note-like (feedback requests, prompt fills, song and beta credits, disclaimers), the
 * credits and disclaimed fandoms found in notes, and the notes at the top and bottom of a
 * chapter. */
#include "text/ms_int.h"
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An author's note label at the start of s: "A/N:", "A/N", "AN:", "A.N.:", "Author's Note:",
 * "Authors Notes -", "Author Note:", "Notes:", "Note:", optionally after '(' or '['. Sets
 * *rest to the text after it. */
int ms_note_label(const char *s, const char **rest)
{
    static const struct {
        const char *l;
        int needs_sep;
    } labels[] = {
        {"author's notes", 0},
        {"author's note", 0},
        {"author\xE2\x80\x99s notes", 0},
        {"author\xE2\x80\x99s note", 0},
        {"authors' notes", 0},
        {"authors' note", 0},
        {"authors notes", 0},
        {"authors note", 0},
        {"author notes", 0},
        {"author note", 0},
        {"a/n", 0},
        {"a.n.", 0},
        {"a.n", 1},
        {"an", 1},
        {"notes", 1},
        {"note", 1},
        {"n/a", 1},
    };
    const char *p = s;
    while (*p == '(' || *p == '[' || *p == '*' || *p == '_' || *p == ' ')
        p++;
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        size_t l = strlen(labels[i].l);
        if (strncasecmp(p, labels[i].l, l) != 0)
            continue;
        const char *q = p + l;
        if (isalnum((unsigned char)*q))
            continue;
        while (*q == '*' || *q == '_' || *q == ' ')
            q++;
        int sep = 0;
        if (*q == ':' || *q == '-' || *q == ')') {
            q++;
            sep = 1;
        } else if (strncmp(q, "\xE2\x80\x93", 3) == 0 || strncmp(q, "\xE2\x80\x94", 3) == 0) {
            q += 3;
            sep = 1;
        }
        if (!sep && (labels[i].needs_sep || (*q && q == p + l)))
            continue;
        while (*q == '*' || *q == '_' || *q == ' ')
            q++;
        if (rest)
            *rest = q;
        return 1;
    }
    return 0;
}

static const char *const feedback_phrases[] = {"please review",
                                               "review please",
                                               "read and review",
                                               "r&r",
                                               "r and r",
                                               "reviews are",
                                               "reviews would",
                                               "leave a review",
                                               "leave a comment",
                                               "comments are",
                                               "comments would",
                                               "comments and kudos",
                                               "kudos and comments",
                                               "kudos are",
                                               "comments keep",
                                               "thanks for reading",
                                               "thank you for reading",
                                               "thanks so much for reading",
                                               "hope you enjoyed",
                                               "hope you liked",
                                               "hope you all enjoyed",
                                               "i hope you enjoy",
                                               "let me know what you think",
                                               "let me know if you",
                                               "feedback is",
                                               "any feedback",
                                               "tell me what you think",
                                               "drop a comment",
                                               "follow me on",
                                               "find me on",
                                               "my tumblr",
                                               NULL};
static const char *const prompt_phrases[] = {
    "request fill", "prompt fill",          "prize fill",        "prize for",
    "'s prompt",    "\xE2\x80\x99s prompt", "for the prompt",    "the prompt was",
    "prompt:",      "requested by",         "this is a request", "written for",
    "gift for",     "for the challenge",    "exchange",          NULL};
static const char *const song_phrases[] = {
    "song used",     "songs used", "song is",   "song:",    "lyrics from",          "lyrics are",
    "lyrics belong", "lyrics:",    "lyrics by", "the song", "inspired by the song", NULL};
static const char *const beta_phrases[] = {"beta'd",
                                           "betaed",
                                           "beta-read",
                                           "beta read",
                                           "beta:",
                                           "betas:",
                                           "for beta",
                                           "beta reader",
                                           "my beta",
                                           "our beta",
                                           "beta\xE2\x80\x99"
                                           "d",
                                           NULL};

/* The phrase lists, and the word lists of meta_voice below, as lookup structures built once
 * per process (notes_init). */
static struct ms_phrases feedback_set, prompt_set, song_set, beta_set;
static pthread_once_t notes_once = PTHREAD_ONCE_INIT;
static void notes_init(void);

/* Is one of the phrases of set in s (ASCII case-insensitive)? */
static int has_phrase(const char *s, const struct ms_phrases *set)
{
    pthread_once(&notes_once, notes_init);
    return ms_phrases_in(s, set);
}

static int disclaimer_start(const char *s)
{
    return ms_starts_ci(s, "disclaimer") || ms_starts_ci(s, "i don't own") ||
           ms_starts_ci(s, "i do not own") || ms_starts_ci(s, "i own nothing") ||
           ms_starts_ci(s, "i don\xE2\x80\x99t own") || ms_starts_ci(s, "don't own") ||
           ms_starts_ci(s, "i don't own");
}

/* The writer talking about the writing rather than telling the story: words about stories,
 * chapters, posting and readers ("this fic", "the next chapter", "reviews", "update",
 * "sat in my drafts", "my other stories") in the writer's own voice (first person, or
 * readers addressed: "you guys", "everyone"), not speech. Strong words count 2, weak ones 1;
 * a note needs a strong word and 3 points in a voice, or two strong words; first-person
 * narration ("I never wrote to him again") has weak words at most. */
static const char *const meta_strong[] = {
    "fic",       "fics",      "fanfic",     "fanfics",  "fanfiction", "oneshot",   "oneshots",
    "one-shot",  "drabble",   "drabbles",   "ficlet",   "review",     "reviews",   "reviewed",
    "reviewing", "reviewers", "reviewer",   "kudos",    "readers",    "reader",    "update",
    "updates",   "updated",   "updating",   "beta",     "betas",      "beta'd",    "betaed",
    "prompt",    "prompts",   "requested",  "sequel",   "prequel",    "hiatus",    "wip",
    "posting",   "fandom",    "ooc",        "au",       "drafts",     "plotbunny", "tumblr",
    "ao3",       "ffn",       "a/n",        "author's", "lol",        "xd",        "upload",
    "uploaded",  "uploading", "commenting", "comments", "otp",        "canon",     NULL};
static const char *const meta_weak[] = {
    "story",   "stories", "chapter",  "chapters",    "write",   "wrote",      "writing", "written",
    "writer",  "finish",  "finished", "thanks",      "thank",   "sorry",      "enjoy",   "enjoyed",
    "hope",    "idea",    "inspired", "inspiration", "reading", "read",       "post",    "posted",
    "finally", "guys",    "everyone", "y'all",       "plot",    "characters", "comment", "request",
    "wait",    "waiting", "months",   "years",       "weeks",   "forever",    "promise", "next",
    "last",    "part",    "ending",   "feedback",    "words",   NULL};
static const char *const first_person[] = {"i",  "i'm",  "i've",   "i'll",  "i'd", "my",
                                           "me", "mine", "myself", "we're", NULL};
static const char *const third_person[] = {"he", "she", "his", "her", "him", "they", "their", NULL};

static const char *const you_words[] = {"you", "guys", "everyone", "y'all", NULL};

/* Every word of the five lists above in one open-addressing table with the lists that hold
 * it (V_*): meta_voice looks up each word of a paragraph once instead of comparing it with
 * every word of every list. */
enum { V_STRONG = 1, V_WEAK = 2, V_FIRST = 4, V_THIRD = 8, V_YOU = 16 };
#define VOICE_SLOTS 512

static size_t voice_hash(const char *w, size_t n)
{
    size_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 16777619u;
    return h & (VOICE_SLOTS - 1);
}

static struct voice_word {
    const char *w;
    unsigned char len, cls;
} voice_tab[VOICE_SLOTS];

static void voice_add(const char *const *list, unsigned cls)
{
    for (; *list; list++) {
        size_t n = strlen(*list);
        size_t h = voice_hash(*list, n);
        while (voice_tab[h].w && strcmp(voice_tab[h].w, *list))
            h = (h + 1) & (VOICE_SLOTS - 1);
        voice_tab[h].w = *list;
        voice_tab[h].len = (unsigned char)n;
        voice_tab[h].cls |= (unsigned char)cls;
    }
}

static void notes_init(void)
{
    ms_phrases_build(&feedback_set, feedback_phrases);
    ms_phrases_build(&prompt_set, prompt_phrases);
    ms_phrases_build(&song_set, song_phrases);
    ms_phrases_build(&beta_set, beta_phrases);
    voice_add(meta_strong, V_STRONG);
    voice_add(meta_weak, V_WEAK);
    voice_add(first_person, V_FIRST);
    voice_add(third_person, V_THIRD);
    voice_add(you_words, V_YOU);
}

/* The lists (V_*) holding the word w of n bytes. */
static unsigned voice_cls(const char *w, size_t n)
{
    for (size_t h = voice_hash(w, n); voice_tab[h].w; h = (h + 1) & (VOICE_SLOTS - 1))
        if (voice_tab[h].len == n && memcmp(voice_tab[h].w, w, n) == 0)
            return voice_tab[h].cls;
    return 0;
}

/* ms_meta_voice, and with relaxed set its test for a paragraph a scene break sets apart
 * from the story (ms_meta_voice_apart). */
static int meta_voice(const char *s, int relaxed)
{
    if (ms_is_quote_start(s) || ms_words(s) > (relaxed ? 60 : 160))
        return 0;
    pthread_once(&notes_once, notes_init);
    int strong = 0, weak = 0, me = 0, them = 0, you = 0, quotes = 0;
    char w[32];
    size_t wl = 0;
    for (const char *p = s;; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || (ch == 0xE2 && (unsigned char)p[1] == 0x80 &&
                          ((unsigned char)p[2] == 0x9C || (unsigned char)p[2] == 0x9D)))
            quotes++;
        if (isalnum(ch) || ((ch == '\'' || ch == '-' || ch == '/') && wl)) {
            if (wl + 1 < sizeof(w))
                w[wl++] = (char)tolower(ch);
            continue;
        }
        if (ch == 0xE2 && (unsigned char)p[1] == 0x80 && (unsigned char)p[2] == 0x99 && wl) {
            if (wl + 1 < sizeof(w))
                w[wl++] = '\'';
            p += 2;
            continue;
        }
        while (wl && (w[wl - 1] == '\'' || w[wl - 1] == '-' || w[wl - 1] == '/'))
            wl--;
        if (wl) {
            unsigned cls = voice_cls(w, wl);
            if (cls & V_STRONG)
                strong++;
            else if (cls & V_WEAK)
                weak++;
            if (cls & V_FIRST)
                me++;
            else if (cls & V_THIRD)
                them++;
            else if (cls & V_YOU)
                you++;
            wl = 0;
        }
        if (!ch)
            break;
    }
    if (quotes >= 2 && (ms_find_ci(s, " said") || ms_find_ci(s, " asked")))
        return 0; /* speech in the paragraph: story */
    int voice = me > 0 || you > 0;
    if (them > 2 * (me + you) + 2)
        voice = 0; /* mostly about him and her: narration */
    if (strong >= 2 && 2 * strong + weak >= 4)
        return 1;
    if (relaxed)
        return voice && them == 0 && strong + weak >= 1;
    return voice && strong >= 1 && 2 * strong + weak >= 3;
}

int ms_meta_voice(const char *s)
{
    return meta_voice(s, 0);
}

int ms_meta_voice_apart(const char *s)
{
    return meta_voice(s, 1);
}

/* Note-like content without a label: feedback requests (at the end), credits, prompt fills,
 * song credits, disclaimers. Only short blocks qualify, and never speech. */
int ms_notey(const char *s, int at_end)
{
    int words = ms_is_quote_start(s) ? 0 : ms_words(s);
    if (ms_is_quote_start(s) || words > 90)
        return 0;
    if (disclaimer_start(s))
        return 1;
    if (at_end && has_phrase(s, &feedback_set))
        return 1;
    if (words <= 40 && has_phrase(s, &beta_set))
        return 1;
    if ((ms_starts_ci(s, "song") || ms_starts_ci(s, "lyrics") || ms_starts_ci(s, "the song")) &&
        has_phrase(s, &song_set))
        return 1;
    if (ms_starts_ci(s, "written for") || ms_starts_ci(s, "for the prompt") ||
        ms_starts_ci(s, "prompt") || ms_starts_ci(s, "request") ||
        ms_starts_ci(s, "this was written") || ms_starts_ci(s, "this is for") ||
        ms_starts_ci(s, "this is a request") || ms_starts_ci(s, "gift for") ||
        ms_starts_ci(s, "dedicated to") || ms_starts_ci(s, "for my ") ||
        ms_starts_ci(s, "prize fill"))
        return 1;
    if (words <= 40 && has_phrase(s, &prompt_set) &&
        (ms_find_ci(s, "fill") || ms_find_ci(s, "prompt") || ms_find_ci(s, "request")))
        return 1;
    return 0;
}

/* Names after a credit phrase: up to the end of the clause, split on ',' '&' "and"; leading
 * lower-case words ("the lovely") dropped; relative clauses ("who is a saint") refused. */
static void add_names(struct strlist *l, const char *p)
{
    size_t n = strcspn(p, ".;!?()\n[]");
    char *clause = ms_strndup_trim(p, n);
    if (!clause)
        return;
    struct strlist items;
    strlist_init(&items);
    ms_split_add(&items, clause, ",", 1);
    for (size_t i = 0; i < items.n; i++) {
        char *it = items.v[i];
        int all_lower = 1;
        for (char *q = it; *q; q++)
            if (isupper((unsigned char)*q) || isdigit((unsigned char)*q))
                all_lower = 0;
        char *s = it;
        if (!all_lower)
            while (*s && islower((unsigned char)*s)) {
                char *sp = strchr(s, ' ');
                if (!sp)
                    break;
                s = sp + 1;
            }
        while (*s == '@' || *s == ' ')
            s++;
        /* "Ashgrove for everything": the name ends where lower-case words begin */
        if (!all_lower)
            for (char *q = strchr(s, ' '); q; q = strchr(q + 1, ' '))
                if (islower((unsigned char)q[1])) {
                    *q = '\0';
                    break;
                }
        size_t sl = strlen(s);
        if (sl >= 2 && (strcmp(s + sl - 2, "'s") == 0))
            s[sl -= 2] = '\0';
        if (!*s || ms_words(s) > 3 || (all_lower && ms_words(s) > 1))
            break;
        if (ms_starts_ci(s, "who ") || ms_starts_ci(s, "my ") || !strcasecmp(s, "me"))
            break;
        strlist_add_unique(l, s);
    }
    strlist_free(&items);
    free(clause);
}

/* "Thanks to my beta, X", "my wonderful beta X", "our betas X and Y": the word beta after a
 * possessive in the same sentence, a name (capitalised, or an @handle) right after it. */
static void beta_named_after(struct ms_ctx *c, const char *notes)
{
    for (const char *p = notes; (p = ms_find_ci(p, "beta")) != NULL; p += 4) {
        if (p > notes && isalnum((unsigned char)p[-1]))
            continue;
        const char *q = p + 4;
        if (*q == 's' || *q == 'S')
            q++;
        if (ms_starts_ci(q, " reader"))
            q += 7 + (q[7] == 's');
        if (*q == ',')
            q++;
        if (*q != ' ')
            continue;
        while (*q == ' ')
            q++;
        if (!isupper((unsigned char)*q) && *q != '@')
            continue;
        /* the possessive: "my"/"our" among the four words before, in this sentence */
        const char *s = p;
        int words = 0, mine = 0;
        while (s > notes && words < 4 && !strchr(".!?\n", s[-1])) {
            const char *e = s;
            while (s > notes && s[-1] == ' ')
                s--;
            e = s;
            while (s > notes && !strchr(" .!?\n", s[-1]))
                s--;
            if (e > s) {
                words++;
                if ((e - s == 2 && strncasecmp(s, "my", 2) == 0) ||
                    (e - s == 3 && strncasecmp(s, "our", 3) == 0))
                    mine = 1;
            }
        }
        if (mine)
            add_names(&c->w->beta, q);
    }
}

/* Beta credits in note text: "Beta: X", "Beta'd by X", "beta-read by X", "Thanks to X for
 * betaing". The note text itself is kept as written. */
void ms_extract_beta(struct ms_ctx *c, const char *notes)
{
    static const char *const by[] = {"beta'd by ",
                                     "betaed by ",
                                     "beta'ed by ",
                                     "beta-read by ",
                                     "beta read by ",
                                     "betad by ",
                                     "beta\xE2\x80\x99"
                                     "d by ",
                                     "beta-ed by ",
                                     "beta reader: ",
                                     "beta readers: ",
                                     "beta reader is ",
                                     "betas: ",
                                     "beta: ",
                                     "beta - ",
                                     "beta is ",
                                     NULL};
    for (int i = 0; by[i]; i++) {
        const char *p = notes;
        while ((p = ms_find_ci(p, by[i])) != NULL) {
            /* "beta: " must start a line or follow a sentence */
            p += strlen(by[i]);
            add_names(&c->w->beta, p);
        }
    }
    beta_named_after(c, notes);
    const char *p = notes;
    while ((p = ms_find_ci(p, " for beta")) != NULL) {
        /* look back for "thanks to" / "thank you to" / "thanks" in the same sentence */
        const char *start = p;
        while (start > notes && !strchr(".!?\n", start[-1]))
            start--;
        char *sent = ms_strndup_trim(start, (size_t)(p - start));
        if (sent) {
            static const char *const th[] = {"thanks to ", "thank you to ", "thank you ",
                                             "thanks ",    "shout out to ", "shoutout to ",
                                             NULL};
            for (int i = 0; th[i]; i++) {
                const char *q = ms_find_ci(sent, th[i]);
                if (q) {
                    add_names(&c->w->beta, q + strlen(th[i]));
                    break;
                }
            }
        }
        free(sent);
        p += 9;
    }
}

/* What the writer says they do not own ("Disclaimer: I don't own Naruto.") becomes a fandom
 * suggestion. */
static void extract_disclaimed(struct ms_ctx *c, const char *s)
{
    static const char *const own[] = {"don't own ", "do not own ", "don\xE2\x80\x99t own ",
                                      "dont own ",  "not own ",    NULL};
    for (int i = 0; own[i]; i++) {
        const char *p = ms_find_ci(s, own[i]);
        if (!p)
            continue;
        p += strlen(own[i]);
        static const char *const skip[] = {"any of the characters from ",
                                           "any of the characters of ",
                                           "the characters of ",
                                           "the characters from ",
                                           "the characters in ",
                                           "the rights to ",
                                           "any of ",
                                           "anything from ",
                                           "anything in ",
                                           "anything ",
                                           NULL};
        for (int k = 0; skip[k]; k++)
            if (ms_starts_ci(p, skip[k])) {
                p += strlen(skip[k]);
                break;
            }
        size_t n = strcspn(p, ".,;!(\n");
        const char *stop[] = {" or ",
                              " nor ",
                              " and its",
                              " and it",
                              " characters",
                              "'s characters",
                              "\xE2\x80\x99s characters",
                              NULL};
        for (int k = 0; stop[k]; k++) {
            const char *q = ms_find_ci(p, stop[k]);
            if (q && (size_t)(q - p) < n)
                n = (size_t)(q - p);
        }
        char *f = ms_strndup_trim(p, n);
        if (f && *f && (isupper((unsigned char)*f) || (unsigned char)*f >= 0x80) &&
            ms_words(f) <= 6)
            strlist_add_unique(&c->disclaimed, f);
        free(f);
        return;
    }
}

/* Everything a note can carry: beta credits, song credits (freeform "Songfic"), disclaimers. */
void ms_note_scan(struct ms_ctx *c, const char *text)
{
    ms_extract_beta(c, text);
    const char *p = text;
    for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        while (*p == '\n' || *p == ' ')
            p++;
        if ((ms_starts_ci(p, "song") || ms_starts_ci(p, "lyrics") || ms_starts_ci(p, "the song") ||
             ms_starts_ci(p, "music")) &&
            has_phrase(p, &song_set))
            strlist_add_unique(&c->w->freeforms, "Songfic");
    }
    if (ms_find_ci(text, "song used") || ms_find_ci(text, "lyrics from") ||
        ms_find_ci(text, "lyrics belong") || ms_find_ci(text, "songfic"))
        strlist_add_unique(&c->w->freeforms, "Songfic");
    if (ms_find_ci(text, "own"))
        extract_disclaimed(c, text);
}

/* Index of the block that closes a bracket opened at block i ('[' or '(' ... ']' or ')'),
 * searching at most 12 blocks; -1 when there is none. */
long ms_bracket_end(struct ms_doc *d, size_t i, size_t to)
{
    const char *t = d->b[i].text;
    char open = t[0], close = open == '[' ? ']' : open == '(' ? ')' : 0;
    if (!close)
        return -1;
    for (size_t j = i; j < to && j < i + 12; j++) {
        const char *x = d->b[j].text;
        size_t n = strlen(x);
        if (d->b[j].kind == MSB_OPAQUE)
            return -1;
        if (n > 0 && x[n - 1] == close)
            return (long)j;
        if (j > i && x[0] == open)
            return -1;
    }
    return -1;
}

/* A note block opening at i: a labelled note, or a bracketed note ("[ Author Note: ... ]"
 * possibly over several paragraphs). Returns the index after it, or i when there is none. */
static size_t note_at(struct ms_doc *d, size_t i, size_t to)
{
    const char *t = d->b[i].text, *rest;
    if (d->b[i].kind != MSB_PARA || d->b[i].hlevel)
        return i;
    if (t[0] == '[' || t[0] == '(') {
        long e = ms_bracket_end(d, i, to);
        if (e >= 0 && (ms_note_label(t, &rest) || ms_notey(t + 1, 1)))
            return (size_t)e + 1;
    }
    if (ms_note_label(t, &rest) || ms_meta_voice(t))
        return i + 1;
    return i;
}

/* Leading per-chapter notes: labelled or bracketed notes at [from, to), keeping at least one
 * block of story. Returns the index of the first story block. */
size_t ms_leading_notes(struct ms_doc *d, size_t from, size_t to)
{
    size_t i = from;
    for (;;) {
        while (i < to && d->b[i].kind == MSB_BREAK && i > from)
            i++;
        if (i >= to)
            break;
        size_t e = note_at(d, i, to);
        if (e == i || e >= to)
            break;
        i = e;
    }
    while (i > from && i < to && d->b[i].kind == MSB_BREAK)
        i++;
    return i < to ? i : from;
}

/* Trailing notes of [from, to): everything after a closing marker ("The End.", "Fin", "To be
 * continued"), else the last run of note-like blocks (labelled, bracketed, feedback requests,
 * credits), or from the last labelled note when all that follows it is short. At least one
 * block of story stays. *ended is the marker kind (see ms_end_marker) or 0. Marker and
 * separator blocks are marked as dropped. Returns the index where the notes start. */
size_t ms_trailing_notes(struct ms_doc *d, size_t from, size_t to, int *ended)
{
    *ended = 0;
    if (to <= from + 1)
        return to;
    size_t start = to;
    for (size_t j = to; j > from + 1 && to - j < 16;) {
        j--;
        int m = d->b[j].kind == MSB_PARA && !d->b[j].hlevel ? ms_end_marker(d->b[j].text) : 0;
        if (m == 1 || m == 2) {
            *ended = m;
            d->b[j].role = MSR_DROP;
            start = j + 1;
            while (j > from + 1 && d->b[j - 1].kind == MSB_BREAK)
                d->b[--j].role = MSR_DROP;
            return start;
        }
    }
    size_t j = to;
    while (j > from + 1) {
        struct ms_block *b = &d->b[j - 1];
        if (b->kind == MSB_BREAK && j < to) {
            j--;
            continue;
        }
        if (b->kind != MSB_PARA || b->hlevel)
            break;
        const char *t = b->text, *rest;
        size_t n = strlen(t);
        if (n > 0 && (t[n - 1] == ']' || t[n - 1] == ')')) {
            /* a bracketed note closing here: find its opening block */
            size_t k = j;
            int found = 0;
            while (k > from + 1 && j - k < 12) {
                k--;
                char o = d->b[k].text[0];
                if ((o == '[' || o == '(') && ms_bracket_end(d, k, j) == (long)(j - 1)) {
                    const char *x = d->b[k].text;
                    if (ms_note_label(x, &rest) || ms_notey(x + 1, 1) || ms_notey(t, 1)) {
                        found = 1;
                        j = k;
                    }
                    break;
                }
            }
            if (found)
                continue;
        }
        if (ms_note_label(t, &rest) || ms_notey(t, 1) || ms_meta_voice(t)) {
            j--;
            continue;
        }
        /* a short paragraph in the writer's voice after the last scene break */
        if (to - j < 3 && j >= from + 2 && d->b[j - 2].kind == MSB_BREAK &&
            ms_meta_voice_apart(t)) {
            j--;
            continue;
        }
        break;
    }
    /* a labelled note among the last blocks, with only short blocks after it */
    for (size_t k = to; k > from + 1 && to - k < 10;) {
        k--;
        const char *rest;
        if (d->b[k].kind == MSB_PARA && !d->b[k].hlevel && ms_note_label(d->b[k].text, &rest)) {
            int shortish = 1;
            for (size_t q = k; q < to; q++)
                if (ms_words(d->b[q].text) > 150 || d->b[q].kind == MSB_OPAQUE)
                    shortish = 0;
            if (shortish && k < j)
                j = k;
            break;
        }
    }
    start = j;
    while (start > from + 1 && start < to && d->b[start - 1].kind == MSB_BREAK)
        d->b[--start].role = MSR_DROP;
    return start < to ? start : to;
}

/* A copy of s (n bytes) with each line's whitespace collapsed and empty lines dropped. */
static char *trim_lines(const char *s, size_t n)
{
    struct buf b = BUF_INIT;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        char *l = ms_strndup_trim(s + i, e - i);
        if (l && *l) {
            if (b.len)
                buf_putc(&b, '\n');
            buf_puts(&b, l);
        }
        free(l);
        i = e + 1;
    }
    return buf_take(&b);
}

/* Collects blocks [from, to) as plain note text into *dst: brackets around a note and A/N
 * labels removed, paragraphs separated by blank lines; scans it for credits. The blocks are
 * marked as dropped from the body. */
void ms_collect_notes(struct ms_ctx *c, struct ms_doc *d, size_t from, size_t to, char **dst)
{
    struct buf all = BUF_INIT;
    for (size_t i = from; i < to; i++) {
        struct ms_block *b = &d->b[i];
        int was_dropped = b->role == MSR_DROP;
        b->role = MSR_DROP;
        if (was_dropped || b->kind == MSB_BREAK || b->hlevel)
            continue;
        const char *t = b->text;
        size_t n = strlen(t);
        if (n == 0)
            continue;
        const char *s = t, *rest;
        int opened = 0;
        if (*s == '[' || *s == '(') {
            long e = ms_bracket_end(d, i, to);
            if (e >= 0) {
                opened = 1;
                s++;
            }
        }
        if (ms_note_label(s, &rest))
            s = rest;
        while (*s == ' ' || *s == '\n')
            s++;
        size_t len = strlen(s);
        /* a closing bracket at the end of this block or a later one of the same note */
        if (len > 0 && (s[len - 1] == ']' || (opened && s[len - 1] == ')')))
            len--;
        char *clean = trim_lines(s, len);
        if (clean && *clean) {
            if (all.len)
                buf_puts(&all, "\n\n");
            buf_puts(&all, clean);
        }
        free(clean);
    }
    char *text = buf_take(&all);
    if (text && *text) {
        ms_note_scan(c, text);
        ms_note_add(dst, text);
    }
    free(text);
}
