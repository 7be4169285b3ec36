/* gen_manuscripts.c: writes a deterministic corpus of invented fan-fiction manuscripts. */
/*
 * Usage: bench_gen_manuscripts --out DIR [--total-mb N] [--files N] [--small] [--seed S]
 *
 * Writes manuscripts into DIR (which must exist and should be empty) until they total at
 * least N megabytes (10^6 bytes; default 200), then prints statistics as "key value" lines
 * on stdout. The same seed and size give byte-identical files: every file draws from its
 * own PRNG stream, seeded from (seed, file number).
 *
 * All prose is generated from the word lists and sentence templates below, with invented
 * fandoms, characters and pseuds. The corpus follows the conventions writers use (title
 * lines, "Title - A/B" pairings, Key: value header blocks, YAML front matter, author's notes,
 * beta and song credits, chapter headings, scene breaks, curly quotes, em dashes, emphasis)
 * and a fan-fiction-like size distribution (many 2k-10k word one-shots, some 50k-150k word
 * multi-chapter works). Most files are .txt, some .md and .html; some have CRLF line ends,
 * a UTF-8 BOM, or are encoded in Windows-1252.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n). */
static size_t rnd(struct rng *r, size_t n)
{
    return n ? (size_t)((rng_next(r) >> 11) % n) : 0;
}

/* Uniform in [lo, hi]. */
static int range(struct rng *r, int lo, int hi)
{
    return lo + (int)rnd(r, (size_t)(hi - lo + 1));
}

static double unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) / 9007199254740992.0;
}

/* True with probability pct percent. */
static int chance(struct rng *r, double pct)
{
    return unit(r) * 100.0 < pct;
}

#define PICK(r, a) ((a)[rnd((r), COUNT(a))])

/* ---- a growable byte buffer; the generator aborts on allocation failure ---- */

struct gbuf {
    char *p;
    size_t n, cap;
};

static void gb_reserve(struct gbuf *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        fprintf(stderr, "gen_manuscripts: out of memory\n");
        exit(1);
    }
    b->p = p;
    b->cap = cap;
}

static void gb_putn(struct gbuf *b, const char *s, size_t n)
{
    gb_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void gb_put(struct gbuf *b, const char *s)
{
    gb_putn(b, s, strlen(s));
}

static void gb_putc(struct gbuf *b, char c)
{
    gb_reserve(b, 1);
    b->p[b->n++] = c;
    b->p[b->n] = 0;
}

static void gb_printf(struct gbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gb_printf(struct gbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    gb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* ---- invented vocabulary ---- */

static const char *const syl_start[] = {
    "Ka",  "Ri",  "Ve",  "Lo", "Ma",  "Te",  "Sa",  "Do",  "Ari", "Ce",  "Fen", "Ga", "Hal",
    "Is",  "Jo",  "Ke",  "Li", "Mo",  "Ne",  "Or",  "Pe",  "Qui", "Ro",  "Si",  "Ta", "Ul",
    "Va",  "Wy",  "Ya",  "Ze", "Bri", "Cor", "Dru", "El",  "Fa",  "Gil", "Ha",  "Io", "Ju",
    "Kel", "Mar", "Nim", "Os", "Per", "Ras", "Sel", "Tam", "Vo",  "Wen", "Xa"};
static const char *const syl_mid[] = {"ra", "li", "ve", "no", "ta", "ri", "le", "ma", "si",
                                      "do", "ne", "ka", "ro", "lu", "sa", "ve", "en", "ar"};
static const char *const syl_end[] = {
    "n",  "a",  "th",   "ric", "elle", "os", "wyn", "ia",  "an",  "is", "ek", "o",  "ren", "ine",
    "ar", "us", "ette", "al",  "ion",  "ey", "ard", "ith", "ane", "or", "ik", "as", "ene"};
/* Non-ASCII names, all representable in Windows-1252. */
static const char *const accented_names[] = {"Élodie", "Joaquín", "Zoë",     "Søren", "Anaïs",
                                             "Björn",  "Inès",    "Marañón", "Renée", "Chloé",
                                             "Dagný",  "Ximén",   "Léandre", "Maël",  "Oriël"};
static const char *const surname_parts1[] = {"Vos",  "Ash",  "Thorn", "Mer",  "Hal",  "Kes",
                                             "Wren", "Dal",  "Orm",   "Tal",  "Bren", "Cray",
                                             "Fell", "Lark", "Mor",   "Quen", "Ris",  "Stan"};
static const char *const surname_parts2[] = {"ley",    "wood",  "by",   "ric",  "mont", "ford",
                                             "hollow", "vane",  "ter",  "well", "more", "ridge",
                                             "cott",   "ander", "holt", "ine",  "win",  "sen"};

static const char *const fandom_adj[] = {
    "Glass",    "Hollow",    "Silver",  "Ninth",  "Crimson", "Drowned", "Gilded", "Quiet",  "Iron",
    "Starless", "Wandering", "Lantern", "Broken", "Ember",   "Salt",    "Winter", "Bright", "Last"};
static const char *const fandom_noun[] = {
    "Meridian", "Crown",    "Harbor", "Academy", "Chronicles", "Saga",
    "Circuit",  "Orchard",  "Tides",  "Sky",     "Citadel",    "Archive",
    "Compass",  "Frontier", "Court",  "Signal",  "Vale"};
static const char *const fandom_suffix[] = {"",
                                            "",
                                            "",
                                            " (TV)",
                                            " (Video Game)",
                                            " - All Media Types",
                                            " (Anime)",
                                            " Series",
                                            " (Webcomic)",
                                            " (Novels)"};

static const char *const noun[] = {
    "door",   "window", "letter",  "sword",      "lantern", "river",   "city",   "road",  "promise",
    "secret", "map",    "ship",    "garden",     "tower",   "storm",   "fire",   "book",  "key",
    "voice",  "shadow", "bridge",  "mountain",   "wall",    "cup",     "ring",   "coat",  "table",
    "knife",  "bell",   "field",   "harbor",     "cliff",   "candle",  "song",   "dream", "morning",
    "night",  "hand",   "silence", "kitchen",    "bed",     "stair",   "market", "train", "station",
    "forest", "lake",   "mirror",  "photograph", "blanket", "scar",    "fence",  "roof",  "street",
    "gate",   "boat",   "engine",  "radio",      "lamp",    "chair",   "horse",  "wolf",  "crow",
    "apple",  "stone",  "star",    "moon",       "sun",     "cloud",   "rain",   "snow",  "wind",
    "wave",   "shore",  "tea",     "bread",      "wine",    "journal", "spell",  "crown", "banner",
    "arrow",  "helmet", "glove",   "ribbon",     "feather"};
static const char *const adj[] = {
    "old",      "quiet",   "bright",     "broken",   "cold",     "warm",       "narrow",
    "endless",  "golden",  "hollow",     "heavy",    "soft",     "sharp",      "empty",
    "ancient",  "careful", "small",      "wild",     "pale",     "dark",       "gentle",
    "bitter",   "sweet",   "strange",    "familiar", "distant",  "tired",      "restless",
    "crooked",  "silver",  "faded",      "borrowed", "stubborn", "patient",    "fragile",
    "reckless", "hidden",  "unfinished", "crowded",  "lonely",   "ridiculous", "impossible"};
static const char *const verb_t[] = {
    "opened",  "closed",   "found",      "lost",      "carried", "dropped", "watched",
    "touched", "followed", "remembered", "abandoned", "held",    "pushed",  "pulled",
    "studied", "mended",   "shattered",  "folded",    "kept",    "wanted",  "hated",
    "missed",  "noticed",  "ignored",    "traced",    "counted", "cleaned", "burned",
    "buried",  "lifted",   "weighed",    "guarded",   "sketched"};
static const char *const verb_i[] = {"laughed",      "sighed",      "paused",    "waited",
                                     "shivered",     "smiled",      "frowned",   "hesitated",
                                     "nodded",       "swallowed",   "flinched",  "relaxed",
                                     "stumbled",     "turned away", "looked up", "leaned closer",
                                     "stepped back", "went still",  "blinked",   "exhaled slowly"};
static const char *const adverb[] = {"slowly",     "quietly",     "carefully", "suddenly",
                                     "softly",     "reluctantly", "finally",   "gently",
                                     "stubbornly", "absently",    "warily",    "fondly",
                                     "briskly",    "bitterly",    "easily"};
static const char *const said[] = {"said",      "said",     "said",     "asked",     "murmured",
                                   "whispered", "snapped",  "muttered", "replied",   "called",
                                   "admitted",  "breathed", "added",    "countered", "laughed"};
static const char *const place[] = {
    "the kitchen",          "the old library",   "the training yard",   "the harbor",
    "the rooftop",          "the market square", "the infirmary",       "the east tower",
    "the station platform", "the back garden",   "the tavern",          "the archive",
    "the ship's deck",      "the hallway",       "the empty classroom", "the orchard",
    "the council chamber",  "the stables"};
static const char *const body[] = {"hands", "shoulders", "jaw",   "throat", "eyes",  "fingers",
                                   "chest", "wrist",     "knees", "hair",   "mouth", "spine"};
static const char *const emotion[] = {"relief", "dread", "fury",  "grief",  "hope", "longing",
                                      "guilt",  "joy",   "shame", "wonder", "fear", "tenderness"};
static const char *const timep[] = {
    "That night", "By morning",       "Later",   "An hour later", "For a long moment",
    "Afterwards", "Three days later", "At dawn", "Before long",   "In the end",
    "Still",      "Even so"};
static const char *const tags_free[] = {"Fluff",
                                        "Angst",
                                        "Hurt/Comfort",
                                        "Slow Burn",
                                        "Enemies to Lovers",
                                        "Found Family",
                                        "Alternate Universe - Coffee Shops & Cafés",
                                        "Alternate Universe - Modern Setting",
                                        "Post-Canon",
                                        "Pre-Canon",
                                        "Fix-It",
                                        "Friendship",
                                        "Pining",
                                        "Mutual Pining",
                                        "Canon Divergence",
                                        "Happy Ending",
                                        "Bittersweet Ending",
                                        "Character Study",
                                        "Road Trip",
                                        "Fake Dating",
                                        "Domestic Fluff",
                                        "Whump",
                                        "Time Travel",
                                        "Banter",
                                        "Idiots in Love"};
static const char *const warning_words[] = {"No Archive Warnings Apply",
                                            "Major Character Death",
                                            "Graphic Depictions Of Violence",
                                            "Creator Chose Not To Use Archive Warnings",
                                            "none",
                                            "character death",
                                            "violence",
                                            "No warnings apply",
                                            "mcd"};
static const char *const rating_forms[] = {"General Audiences",
                                           "Teen And Up Audiences",
                                           "Mature",
                                           "Explicit",
                                           "Not Rated",
                                           "G",
                                           "T",
                                           "M",
                                           "E",
                                           "K",
                                           "K+",
                                           "PG",
                                           "PG-13",
                                           "R",
                                           "NC-17",
                                           "MA",
                                           "Teen",
                                           "General"};
static const char *const category_forms[] = {"Gen",   "F/M", "M/M",   "F/F",     "Multi",
                                             "Other", "Het", "Slash", "Femslash"};
static const char *const numword[] = {"One",     "Two",       "Three",    "Four",     "Five",
                                      "Six",     "Seven",     "Eight",    "Nine",     "Ten",
                                      "Eleven",  "Twelve",    "Thirteen", "Fourteen", "Fifteen",
                                      "Sixteen", "Seventeen", "Eighteen", "Nineteen", "Twenty"};

/* Narrative templates. %N a cast member (who becomes the subject), %h/%H/%O that one's
 * pronoun (subject/possessive/object), %M another cast member, %n noun, %a adjective,
 * %v transitive verb, %i intransitive verb, %d adverb, %p place, %b body part, %e emotion,
 * %t time phrase, %E an emphasised word, %' apostrophe, %D em dash, %. ellipsis. */
static const char *const narr[] = {
    "%N %v the %a %n and %i.",
    "%t, %N %v the %n in %p.",
    "%N %i, %b tight with %e.",
    "The %n was %a, and %N had never %v anything quite like it.",
    "%N didn%'t look at %M%D%h couldn%'t, not yet.",
    "%N %d %v the %n, as if it might %E break.",
    "Somewhere in %p, a %n %i.",
    "%M %i, and %N felt something %a settle in %H %b.",
    "It wasn%'t the %n that bothered %O. It was the %a %n behind it.",
    "%N thought of %p, of the %a %n, of everything %h had %v.",
    "%t, the %n was gone.",
    "%N%'s %b ached with %e%D%a, %a %e.",
    "%N %v %H %n and %i.",
    "A %a %n sat on the table, and neither of them %v it.",
    "%M %d %v the %n while %N %i.",
    "%N had %v %a %ns before, but never one so %E %a.",
    "The air in %p smelled of %n and %n.",
    "%h %i%D and then %h %i again.",
    "%N wanted to say something %a. Instead %h %v the %n.",
    "Outside, the %n %i against the %a %n.",
    "%t, %N finally %i.",
    "%N %i. The %n, the %n, the %a %n%D%h %v all of it.",
    "For once, %M didn%'t argue.",
    "%N pressed %H %b against the %a %n and waited for the %e to pass.",
};

/* Dialogue utterances (without quotes). */
static const char *const utter[] = {
    "I told you the %n was %a",
    "We can%'t stay in %p",
    "You%'re %E %a, you know that?",
    "Where did you find the %n?",
    "I%'m not leaving without you",
    "Don%'t%D just don%'t",
    "It%'s only a %n",
    "Is that what you think? That I %v the %n?",
    "I%'m fine",
    "You %v it. You actually %v it",
    "We should go back to %p",
    "I didn%'t mean%. I didn%'t mean it like that",
    "Say that again",
    "That%'s %E not how a %n works",
    "Stay",
    "Tell me about the %n",
    "You%'re late",
    "I remember the %a %n",
    "Since when do you care about %ns?",
    "Well%D that%'s %a",
};

/* ---- the cast of each invented fandom ---- */

#define NFANDOMS 64
#define MAXCAST  16

struct person {
    char name[48]; /* first name */
    char full[64]; /* first and last name */
    int pron;      /* 0 she, 1 he, 2 they */
};

struct fandom {
    char name[80];
    struct person cast[MAXCAST];
    int ncast;
};

static struct fandom fandoms[NFANDOMS];

static void make_first_name(struct rng *r, char *out, size_t n)
{
    if (chance(r, 6)) {
        snprintf(out, n, "%s", PICK(r, accented_names));
        return;
    }
    snprintf(out, n, "%s%s%s", PICK(r, syl_start), chance(r, 45) ? PICK(r, syl_mid) : "",
             PICK(r, syl_end));
}

static void make_fandoms(uint64_t seed)
{
    struct rng r;
    rng_seed(&r, seed, 0xfa17d0c5ULL);
    for (int i = 0; i < NFANDOMS; i++) {
        struct fandom *f = &fandoms[i];
        switch (rnd(&r, 3)) {
        case 0:
            snprintf(f->name, sizeof(f->name), "The %s %s%s", PICK(&r, fandom_adj),
                     PICK(&r, fandom_noun), PICK(&r, fandom_suffix));
            break;
        case 1:
            snprintf(f->name, sizeof(f->name), "%s of the %s%s", PICK(&r, fandom_noun),
                     PICK(&r, fandom_adj), PICK(&r, fandom_suffix));
            break;
        default:
            snprintf(f->name, sizeof(f->name), "%s %s%s", PICK(&r, fandom_adj),
                     PICK(&r, fandom_noun), PICK(&r, fandom_suffix));
        }
        f->ncast = range(&r, 8, MAXCAST);
        for (int j = 0; j < f->ncast; j++) {
            struct person *p = &f->cast[j];
            make_first_name(&r, p->name, sizeof(p->name));
            snprintf(p->full, sizeof(p->full), "%s %s%s", p->name, PICK(&r, surname_parts1),
                     PICK(&r, surname_parts2));
            p->pron = chance(&r, 8) ? 2 : (int)rnd(&r, 2);
        }
    }
}

/* ---- per-work writing style ---- */

enum fmt { F_TXT, F_MD, F_HTML };

struct style {
    enum fmt fmt;
    const char *q_open, *q_close, *apos, *dash, *ellipsis;
    const char *em_open, *em_close;
    const char *p_open, *p_close; /* around each paragraph */
    const char *scene_break;      /* a whole paragraph */
    int chapter_style;
    int hard_wrap; /* txt: wrap lines at about 72 columns */
};

struct ctx {
    struct rng *r;
    struct fandom *f;
    int main[3]; /* the work's main characters (indexes into the cast) */
    int cur;     /* the current subject */
    const struct style *st;
    long words; /* prose words written so far */
};

static const struct person *cast(struct ctx *c, int i)
{
    return &c->f->cast[i];
}

/* A cast member: mostly the work's leads. */
static int pick_person(struct ctx *c)
{
    if (chance(c->r, 75))
        return c->main[rnd(c->r, chance(c->r, 70) ? 2 : 3)];
    return (int)rnd(c->r, (size_t)c->f->ncast);
}

static void put_word_em(struct ctx *c, struct gbuf *b, const char *w)
{
    gb_put(b, c->st->em_open);
    gb_put(b, w);
    gb_put(b, c->st->em_close);
}

/* Expands one template (see narr[]) into b. */
static void expand(struct ctx *c, struct gbuf *b, const char *t)
{
    static const char *const subj[] = {"she", "he", "they"};
    static const char *const poss[] = {"her", "his", "their"};
    static const char *const obj[] = {"her", "him", "them"};
    int capital = (b->n == 0 || b->p[b->n - 1] == '\n' || b->p[b->n - 1] == '>');
    for (; *t; t++) {
        if (*t != '%') {
            gb_putc(b, *t);
            capital = 0;
            continue;
        }
        t++;
        const char *w = NULL;
        switch (*t) {
        case 'N':
            c->cur = pick_person(c);
            w = cast(c, c->cur)->name;
            break;
        case 'M': {
            int m = pick_person(c);
            if (m == c->cur)
                m = (m + 1) % c->f->ncast;
            w = cast(c, m)->name;
            break;
        }
        case 'h':
            w = subj[cast(c, c->cur)->pron];
            break;
        case 'H':
            w = poss[cast(c, c->cur)->pron];
            break;
        case 'O':
            w = obj[cast(c, c->cur)->pron];
            break;
        case 'n':
            w = PICK(c->r, noun);
            break;
        case 'a':
            w = PICK(c->r, adj);
            break;
        case 'v':
            w = PICK(c->r, verb_t);
            break;
        case 'i':
            w = PICK(c->r, verb_i);
            break;
        case 'd':
            w = PICK(c->r, adverb);
            break;
        case 'p':
            w = PICK(c->r, place);
            break;
        case 'b':
            w = PICK(c->r, body);
            break;
        case 'e':
            w = PICK(c->r, emotion);
            break;
        case 't':
            w = PICK(c->r, timep);
            break;
        case 'E':
            put_word_em(c, b, chance(c->r, 50) ? PICK(c->r, adj) : PICK(c->r, adverb));
            capital = 0;
            continue;
        case '\'':
            gb_put(b, c->st->apos);
            continue;
        case 'D':
            gb_put(b, c->st->dash);
            continue;
        case '.':
            gb_put(b, c->st->ellipsis);
            continue;
        default:
            gb_putc(b, '%');
            continue;
        }
        size_t at = b->n;
        gb_put(b, w);
        if (capital && b->p[at] >= 'a' && b->p[at] <= 'z')
            b->p[at] = (char)(b->p[at] - 'a' + 'A');
        capital = 0;
    }
}

static long count_words(const char *s, size_t n)
{
    long w = 0;
    int in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\n' || s[i] == '\t';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

/* Appends paragraph text p (no markup), wrapped in the style's paragraph markup. */
static void put_para(struct ctx *c, struct gbuf *b, const char *p, size_t n)
{
    const struct style *st = c->st;
    gb_put(b, st->p_open);
    if (st->hard_wrap) {
        size_t col = 0, i = 0;
        while (i < n) {
            size_t j = i;
            while (j < n && p[j] != ' ')
                j++;
            if (col > 0 && col + (j - i) > 72) {
                gb_putc(b, '\n');
                col = 0;
            } else if (col > 0) {
                gb_putc(b, ' ');
                col++;
            }
            gb_putn(b, p + i, j - i);
            col += j - i;
            i = j < n ? j + 1 : j;
        }
    } else {
        gb_putn(b, p, n);
    }
    gb_put(b, st->p_close);
}

/* One paragraph of prose: narration, or a line of dialogue with a tag. */
static void paragraph(struct ctx *c, struct gbuf *b, struct gbuf *tmp)
{
    tmp->n = 0;
    if (chance(c->r, 40)) {
        gb_put(tmp, c->st->q_open);
        expand(c, tmp, PICK(c->r, utter));
        int question = tmp->p[tmp->n - 1] == '?';
        if (chance(c->r, 55)) {
            gb_put(tmp, question ? "" : ",");
            gb_put(tmp, c->st->q_close);
            gb_put(tmp, " ");
            expand(c, tmp, "%N");
            gb_printf(tmp, " %s", PICK(c->r, said));
            if (chance(c->r, 25))
                gb_printf(tmp, " %s", PICK(c->r, adverb));
            gb_put(tmp, ".");
        } else {
            gb_put(tmp, question ? "" : ".");
            gb_put(tmp, c->st->q_close);
        }
        if (chance(c->r, 50)) {
            gb_put(tmp, " ");
            expand(c, tmp, PICK(c->r, narr));
        }
    } else {
        int k = range(c->r, 2, 7);
        for (int i = 0; i < k; i++) {
            if (i)
                gb_put(tmp, " ");
            size_t at = tmp->n;
            expand(c, tmp, PICK(c->r, narr));
            if (tmp->p[at] >= 'a' && tmp->p[at] <= 'z')
                tmp->p[at] = (char)(tmp->p[at] - 'a' + 'A');
        }
    }
    c->words += count_words(tmp->p, tmp->n);
    put_para(c, b, tmp->p, tmp->n);
}

/* A short run of generated sentences (summaries, notes), plain text. */
static void sentences(struct ctx *c, struct gbuf *b, int k)
{
    for (int i = 0; i < k; i++) {
        if (i)
            gb_put(b, " ");
        size_t at = b->n;
        expand(c, b, PICK(c->r, narr));
        if (b->p[at] >= 'a' && b->p[at] <= 'z')
            b->p[at] = (char)(b->p[at] - 'a' + 'A');
    }
}

static void title_case_phrase(struct ctx *c, struct gbuf *b)
{
    size_t at = b->n;
    switch (rnd(c->r, 7)) {
    case 0:
        gb_printf(b, "The %s %s", PICK(c->r, adj), PICK(c->r, noun));
        break;
    case 1:
        gb_printf(b, "%s and %s", PICK(c->r, noun), PICK(c->r, noun));
        break;
    case 2:
        gb_printf(b, "Where the %s %s", PICK(c->r, noun), PICK(c->r, verb_i));
        break;
    case 3:
        gb_printf(b, "%s %ss", PICK(c->r, adj), PICK(c->r, noun));
        break;
    case 4:
        gb_printf(b, "A %s for %s", PICK(c->r, noun), cast(c, c->main[0])->name);
        break;
    case 5:
        gb_printf(b, "Every %s %s", PICK(c->r, adj), PICK(c->r, noun));
        break;
    default:
        gb_printf(b, "What the %s %s", PICK(c->r, noun), PICK(c->r, verb_t));
        break;
    }
    /* Capitalise each word except short joiners. */
    int start = 1;
    for (size_t i = at; i < b->n; i++) {
        if (start && b->p[i] >= 'a' && b->p[i] <= 'z') {
            int small = !strncmp(b->p + i, "and ", 4) || !strncmp(b->p + i, "the ", 4) ||
                        !strncmp(b->p + i, "for ", 4);
            if (!small || i == at)
                b->p[i] = (char)(b->p[i] - 'a' + 'A');
        }
        start = b->p[i] == ' ';
    }
}

static void make_pseud(struct rng *r, char *out, size_t n)
{
    switch (rnd(r, 5)) {
    case 0:
        snprintf(out, n, "%s%s%d", PICK(r, adj), PICK(r, noun), range(r, 1, 999));
        break;
    case 1:
        snprintf(out, n, "%s_%s", PICK(r, adj), PICK(r, noun));
        break;
    case 2:
        snprintf(out, n, "%s%s", PICK(r, fandom_adj), PICK(r, noun));
        break;
    case 3:
        snprintf(out, n, "the%s%s", PICK(r, adj), PICK(r, noun));
        break;
    default:
        snprintf(out, n, "%s-%s", PICK(r, noun), PICK(r, verb_t));
        break;
    }
}

/* ---- one work ---- */

struct stats {
    long files, by_fmt[3], crlf, cp1252, bom, oneshots, multi, chapters;
    long hdr_block, yaml, pairing_title, wip;
    double bytes, by_fmt_bytes[3], words;
    long *word_counts;
    size_t nwc, capwc;
};

struct workinfo {
    char title[160], pseud[64], beta[64], pairing[112];
    const char *rating;
    int nchapters, wip;
    long target_words;
};

static int small_only; /* --small: drabbles and ficlets only (the bulk-import corpus) */

/* Word count from a fan-fiction-like distribution. */
static long pick_length(struct rng *r)
{
    if (small_only)
        return range(r, 100, 1000);
    double u = unit(r);
    if (u < 0.14) /* drabbles and ficlets */
        return range(r, 150, 2000);
    if (u < 0.68) /* one-shots: the bulk */
        return (long)(2000 + 8000 * pow(unit(r), 1.6));
    if (u < 0.83)
        return range(r, 10000, 30000);
    if (u < 0.94)
        return range(r, 30000, 50000);
    return (long)(50000 + 100000 * pow(unit(r), 1.3));
}

static const char *chapter_heading(struct ctx *c, int n, const char *title, struct gbuf *out)
{
    out->n = 0;
    const char *nw = n <= (int)COUNT(numword) ? numword[n - 1] : NULL;
    switch (c->st->chapter_style) {
    case 0:
        gb_printf(out, "Chapter %d: %s", n, title);
        break;
    case 1:
        gb_printf(out, "Chapter %d - %s", n, title);
        break;
    case 2:
        gb_printf(out, "Chapter %d", n);
        break;
    case 3:
        gb_printf(out, "CHAPTER %d", n);
        break;
    case 4:
        if (nw)
            gb_printf(out, "Chapter %s: %s", nw, title);
        else
            gb_printf(out, "Chapter %d: %s", n, title);
        break;
    case 5:
        gb_printf(out, "Ch. %d: %s", n, title);
        break;
    default:
        gb_printf(out, "Part %d", n);
        break;
    }
    return out->p;
}

static void top_notes(struct ctx *c, struct gbuf *b, struct workinfo *wi, struct gbuf *tmp)
{
    struct rng *r = c->r;
    const struct style *st = c->st;
    if (chance(r, 12)) {
        tmp->n = 0;
        gb_printf(tmp, "Disclaimer: I don%st own %s. No profit is made from this.", st->apos,
                  c->f->name);
        put_para(c, b, tmp->p, tmp->n);
    }
    if (chance(r, 6)) {
        tmp->n = 0;
        gb_printf(tmp, "Warning: this story contains %s.",
                  PICK(r, ((const char *const[]){"major character death", "graphic violence",
                                                 "some blood and a funeral",
                                                 "character death and grief"})));
        put_para(c, b, tmp->p, tmp->n);
    }
    if (chance(r, 45)) {
        tmp->n = 0;
        int form = (int)rnd(r, 5);
        const char *pre[] = {"A/N: ", "[ Author Note: ", "Author's Note: ", "AN: ", "(A/N: "};
        gb_put(tmp, pre[form]);
        switch (rnd(r, 4)) {
        case 0:
            gb_printf(tmp, "Written for the %s exchange.", PICK(r, fandom_adj));
            break;
        case 1:
            gb_printf(tmp, "Prompt: %s and a %s %s.", cast(c, c->main[0])->name, PICK(r, adj),
                      PICK(r, noun));
            break;
        case 2:
            gb_put(tmp, "This has been sitting in my drafts forever.");
            break;
        default:
            sentences(c, tmp, 1);
        }
        if (wi->beta[0] && chance(r, 60))
            gb_printf(tmp, " Beta%sd by %s, who is wonderful.", st->apos, wi->beta);
        if (form == 1)
            gb_put(tmp, " ]");
        else if (form == 4)
            gb_put(tmp, ")");
        put_para(c, b, tmp->p, tmp->n);
    }
    if (wi->beta[0] && chance(r, 50)) {
        tmp->n = 0;
        switch (rnd(r, 3)) {
        case 0:
            gb_printf(tmp, "Beta: %s", wi->beta);
            break;
        case 1:
            gb_printf(tmp, "Thanks to %s for the beta!", wi->beta);
            break;
        default:
            gb_printf(tmp, "Beta%sd by %s.", st->apos, wi->beta);
            break;
        }
        put_para(c, b, tmp->p, tmp->n);
    } else if (chance(r, 8)) {
        put_para(c, b, "Unbeta'd; all mistakes are mine.",
                 strlen("Unbeta'd; all mistakes are mine."));
    }
    if (chance(r, 5)) {
        tmp->n = 0;
        gb_printf(tmp, "Song: %s%s %s%s by The %s %ss", st->q_open, PICK(r, fandom_adj),
                  PICK(r, noun), st->q_close, PICK(r, adj), PICK(r, noun));
        put_para(c, b, tmp->p, tmp->n);
    }
}

static void end_notes(struct ctx *c, struct gbuf *b, struct gbuf *tmp)
{
    struct rng *r = c->r;
    if (chance(r, 35)) {
        const char *e = PICK(r, ((const char *const[]){"The End.", "THE END", "~Fin~", "Fin.",
                                                       "End.", "-fin-", "The End"}));
        put_para(c, b, e, strlen(e));
    }
    if (chance(r, 35)) {
        tmp->n = 0;
        int form = (int)rnd(r, 3);
        gb_put(tmp, form == 1 ? "[ Author Note: " : form == 2 ? "Author's Note: " : "A/N: ");
        gb_put(tmp, PICK(r, ((const char *const[]){"Thanks for reading! Reviews make my day.",
                                                   "I might write a sequel if people want one.",
                                                   "Please let me know what you thought!",
                                                   "Comments and kudos are love.",
                                                   "This got away from me a bit."})));
        if (form == 1)
            gb_put(tmp, " ]");
        put_para(c, b, tmp->p, tmp->n);
    }
}

static void put_line(struct gbuf *b, const char *s)
{
    gb_put(b, s);
    gb_putc(b, '\n');
}

/* Front matter for a .txt manuscript. */
static void txt_front(struct ctx *c, struct gbuf *b, struct workinfo *wi, struct stats *stt,
                      struct gbuf *tmp)
{
    struct rng *r = c->r;
    int blank_sep = c->st->p_close[1] == '\n';
    double u = unit(r);
    if (u < 0.28) { /* Key: value header block */
        stt->hdr_block++;
        gb_printf(b, "Title: %s\n", wi->title);
        gb_printf(b, "%s: %s\n", PICK(r, ((const char *const[]){"Author", "Author", "By"})),
                  wi->pseud);
        gb_printf(b, "Fandom: %s\n", c->f->name);
        if (wi->pairing[0])
            gb_printf(b, "%s: %s\n",
                      PICK(r, ((const char *const[]){"Pairing", "Relationship", "Pairings"})),
                      wi->pairing);
        if (chance(r, 50))
            gb_printf(b, "Characters: %s, %s, %s\n", cast(c, c->main[0])->full,
                      cast(c, c->main[1])->full, cast(c, c->main[2])->name);
        if (chance(r, 85))
            gb_printf(b, "Rating: %s\n", wi->rating);
        if (chance(r, 40))
            gb_printf(b, "Category: %s\n", PICK(r, category_forms));
        if (chance(r, 70))
            gb_printf(b, "Warnings: %s\n", PICK(r, warning_words));
        if (chance(r, 45))
            gb_printf(b, "Tags: %s, %s\n", PICK(r, tags_free), PICK(r, tags_free));
        if (wi->nchapters > 1 && chance(r, 50)) {
            if (wi->wip)
                gb_printf(b, "Chapters: %d/?\n", wi->nchapters);
            else
                gb_printf(b, "Chapters: %d/%d\n", wi->nchapters, wi->nchapters);
        }
        if (chance(r, 20))
            gb_printf(b, "Word count: %ld\n", wi->target_words);
        if (chance(r, 85)) {
            gb_put(b, "Summary: ");
            sentences(c, b, range(r, 1, 3));
            gb_putc(b, '\n');
        }
        gb_putc(b, '\n');
        return;
    }
    if (u < 0.52) { /* Title - A/B */
        stt->pairing_title++;
        gb_printf(b, "%s - %s\n", wi->title, wi->pairing[0] ? wi->pairing : c->f->name);
        if (chance(r, 60))
            gb_printf(b, "%sby %s\n", blank_sep ? "\n" : "", wi->pseud);
        if (chance(r, 35))
            gb_printf(b, "%sRated %s\n", blank_sep ? "\n" : "", wi->rating);
        gb_putc(b, '\n');
        return;
    }
    if (u < 0.80) { /* title, by-line, maybe a summary */
        gb_printf(b, "%s\n", wi->title);
        if (chance(r, 70))
            gb_printf(b, "by %s\n", wi->pseud);
        gb_putc(b, '\n');
        if (chance(r, 30)) {
            gb_put(b, "Summary: ");
            sentences(c, b, range(r, 1, 2));
            gb_put(b, "\n\n");
        }
        return;
    }
    if (u < 0.90) { /* title in quotes with an author */
        gb_printf(b, "%s%s%s by %s\n\n", c->st->q_open, wi->title, c->st->q_close, wi->pseud);
        return;
    }
    /* No title: the prose (or a note) starts straight away. */
    (void)tmp;
}

static void md_front(struct ctx *c, struct gbuf *b, struct workinfo *wi, struct stats *stt)
{
    struct rng *r = c->r;
    if (chance(r, 70)) {
        stt->yaml++;
        put_line(b, "---");
        if (chance(r, 50))
            gb_printf(b, "title: \"%s\"\n", wi->title);
        else
            gb_printf(b, "title: %s\n", wi->title);
        gb_printf(b, "author: %s\n", wi->pseud);
        gb_printf(b, "fandom: %s\n", c->f->name);
        if (wi->pairing[0]) {
            if (chance(r, 50))
                gb_printf(b, "relationships:\n  - %s\n", wi->pairing);
            else
                gb_printf(b, "pairing: %s\n", wi->pairing);
        }
        if (chance(r, 60))
            gb_printf(b, "characters: [%s, %s]\n", cast(c, c->main[0])->full,
                      cast(c, c->main[1])->full);
        gb_printf(b, "rating: %s\n", wi->rating);
        if (chance(r, 70)) {
            if (chance(r, 50))
                gb_printf(b, "warnings: [%s]\n", PICK(r, warning_words));
            else
                gb_printf(b, "warnings:\n  - %s\n", PICK(r, warning_words));
        }
        if (chance(r, 60))
            gb_printf(b, "tags:\n  - %s\n  - %s\n", PICK(r, tags_free), PICK(r, tags_free));
        if (chance(r, 80)) {
            gb_put(b, "summary: |\n  ");
            sentences(c, b, range(r, 1, 3));
            gb_putc(b, '\n');
        }
        put_line(b, "---");
        gb_putc(b, '\n');
    } else {
        gb_printf(b, "# %s\n\n", wi->title);
        if (chance(r, 70))
            gb_printf(b, "*by %s*\n\n", wi->pseud);
        if (chance(r, 50))
            gb_printf(b, "**Rating:** %s  \n**Fandom:** %s\n\n", wi->rating, c->f->name);
    }
}

static void html_front(struct ctx *c, struct gbuf *b, struct workinfo *wi, int word_style,
                       const char *charset)
{
    struct rng *r = c->r;
    put_line(b, "<!DOCTYPE html>");
    put_line(b, "<html>");
    gb_printf(b, "<head>\n<meta charset=\"%s\">\n<title>%s</title>\n", charset, wi->title);
    if (word_style)
        put_line(b, "<style>p.MsoNormal { margin: 0 0 10pt; font-family: \"Times New Roman\"; "
                    "}</style>");
    put_line(b, "</head>");
    put_line(b, "<body>");
    gb_printf(b, "<h1>%s</h1>\n", wi->title);
    gb_printf(b, "<p class=\"byline\">by %s</p>\n", wi->pseud);
    if (chance(r, 60)) {
        put_line(b, "<div class=\"meta\">");
        gb_printf(b, "<p><b>Fandom:</b> %s</p>\n", c->f->name);
        if (wi->pairing[0])
            gb_printf(b, "<p><b>Pairing:</b> %s</p>\n", wi->pairing);
        gb_printf(b, "<p><b>Rating:</b> %s</p>\n", wi->rating);
        if (chance(r, 60))
            gb_printf(b, "<p><b>Warnings:</b> %s</p>\n", PICK(r, warning_words));
        put_line(b, "<p><b>Summary:</b> ");
        sentences(c, b, range(r, 1, 2));
        put_line(b, "</p>");
        put_line(b, "</div>");
    }
}

/* Converts UTF-8 in (only code points Windows-1252 can hold) to Windows-1252. */
static void to_cp1252(const struct gbuf *in, struct gbuf *out)
{
    out->n = 0;
    gb_reserve(out, in->n);
    const unsigned char *s = (const unsigned char *)in->p;
    for (size_t i = 0; i < in->n;) {
        unsigned cp;
        if (s[i] < 0x80) {
            cp = s[i++];
        } else if ((s[i] & 0xe0) == 0xc0) {
            cp = ((s[i] & 0x1fu) << 6) | (s[i + 1] & 0x3fu);
            i += 2;
        } else {
            cp = ((s[i] & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu);
            i += 3;
        }
        unsigned char o;
        switch (cp) {
        case 0x2018:
            o = 0x91;
            break;
        case 0x2019:
            o = 0x92;
            break;
        case 0x201c:
            o = 0x93;
            break;
        case 0x201d:
            o = 0x94;
            break;
        case 0x2013:
            o = 0x96;
            break;
        case 0x2014:
            o = 0x97;
            break;
        case 0x2026:
            o = 0x85;
            break;
        default:
            if (cp > 0xff) {
                fprintf(stderr, "gen_manuscripts: U+%04X has no Windows-1252 byte\n", cp);
                exit(1);
            }
            o = (unsigned char)cp;
        }
        out->p[out->n++] = (char)o;
    }
    out->p[out->n] = 0;
}

static void to_crlf(const struct gbuf *in, struct gbuf *out)
{
    out->n = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (in->p[i] == '\n')
            gb_putc(out, '\r');
        gb_putc(out, in->p[i]);
    }
}

static void slugify(const char *title, char *out, size_t n)
{
    size_t j = 0;
    int dash = 0;
    for (const char *p = title; *p && j + 2 < n; p++) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && j)
                out[j++] = '-';
            out[j++] = ch;
            dash = 0;
        } else {
            dash = 1;
        }
    }
    out[j] = 0;
}

/* Generates work number idx into DIR; returns bytes written. */
static size_t gen_work(const char *dir, uint64_t seed, long idx, struct stats *stt)
{
    static struct gbuf doc, tmp, tmp2, enc, fin;
    struct rng r;
    rng_seed(&r, seed, (uint64_t)idx + 1);
    struct ctx c = {.r = &r};
    /* Zipf-like fandom popularity. */
    c.f = &fandoms[(int)(NFANDOMS * pow(unit(&r), 2.5))];
    for (int i = 0; i < 3; i++)
        c.main[i] = (int)rnd(&r, (size_t)c.f->ncast);
    if (c.main[1] == c.main[0])
        c.main[1] = (c.main[0] + 1) % c.f->ncast;

    struct style st = {0};
    double u = unit(&r);
    st.fmt = u < 0.80 ? F_TXT : u < 0.92 ? F_MD : F_HTML;
    int curly = chance(&r, 70), word_style = 0;
    st.q_open = curly ? "“" : "\"";
    st.q_close = curly ? "”" : "\"";
    st.apos = curly && chance(&r, 80) ? "’" : "'";
    st.dash = curly ? "—" : chance(&r, 50) ? "--" : " - ";
    st.ellipsis = curly && chance(&r, 60) ? "…" : "...";
    st.chapter_style = (int)rnd(&r, 7);
    if (st.fmt == F_HTML) {
        word_style = chance(&r, 35);
        st.p_open = word_style ? "<p class=\"MsoNormal\">" : "<p>";
        st.p_close = "</p>\n";
        st.em_open = chance(&r, 50) ? "<em>" : "<i>";
        st.em_close = st.em_open[1] == 'e' ? "</em>" : "</i>";
        if (chance(&r, 40)) { /* entity-encoded typography, as editors export it */
            st.q_open = "&ldquo;";
            st.q_close = "&rdquo;";
            st.apos = "&rsquo;";
            st.dash = "&mdash;";
            st.ellipsis = "&hellip;";
        }
        st.scene_break = chance(&r, 50) ? "<hr>\n" : "<p align=\"center\">* * *</p>\n";
    } else {
        int md = st.fmt == F_MD;
        int under = chance(&r, md ? 30 : 15);
        st.em_open = st.em_close = under ? "_" : "*";
        st.p_open = "";
        st.p_close = (!md && chance(&r, 8)) ? "\n" : "\n\n";
        if (!md && chance(&r, 6))
            st.p_open = chance(&r, 50) ? "\t" : "    ";
        st.hard_wrap = !md && chance(&r, 10);
        st.scene_break = md ? PICK(&r, ((const char *const[]){"* * *\n\n", "***\n\n", "- - -\n\n"}))
                            : PICK(&r, ((const char *const[]){"* * *\n\n", "~*~\n\n", "-----\n\n",
                                                              "***\n\n", "~~~\n\n", "o0o\n\n",
                                                              "#\n\n", "        * * *\n\n"}));
    }
    c.st = &st;

    struct workinfo wi = {0};
    wi.target_words = pick_length(&r);
    int multi = wi.target_words >= 50000 ||
                (wi.target_words >= 10000 && chance(&r, wi.target_words >= 30000 ? 90 : 55)) ||
                (wi.target_words >= 4000 && chance(&r, 8));
    if (multi) {
        int per = range(&r, 2500, 6000);
        wi.nchapters = (int)(wi.target_words / per);
        if (wi.nchapters < 2)
            wi.nchapters = 2;
        if (wi.nchapters > 60)
            wi.nchapters = 60;
        wi.wip = chance(&r, 25);
    } else {
        wi.nchapters = 1;
    }
    tmp.n = 0;
    title_case_phrase(&c, &tmp);
    snprintf(wi.title, sizeof(wi.title), "%s", tmp.p);
    make_pseud(&r, wi.pseud, sizeof(wi.pseud));
    if (chance(&r, 40))
        make_pseud(&r, wi.beta, sizeof(wi.beta));
    if (chance(&r, 75))
        snprintf(wi.pairing, sizeof(wi.pairing), "%s%s%s", cast(&c, c.main[0])->name,
                 chance(&r, 80) ? "/" : " & ", cast(&c, c.main[1])->name);
    wi.rating = PICK(&r, rating_forms);

    doc.n = 0;
    const char *charset = "utf-8";
    int cp1252 = (st.fmt == F_TXT && chance(&r, 8)) || (st.fmt == F_MD && chance(&r, 3)) ||
                 (st.fmt == F_HTML && chance(&r, 5));
    if (cp1252 && st.fmt == F_HTML)
        charset = "windows-1252";
    if (st.fmt == F_TXT)
        txt_front(&c, &doc, &wi, stt, &tmp);
    else if (st.fmt == F_MD)
        md_front(&c, &doc, &wi, stt);
    else
        html_front(&c, &doc, &wi, word_style, charset);
    top_notes(&c, &doc, &wi, &tmp);

    int scenes = chance(&r, 70);
    long per_ch = wi.target_words / wi.nchapters;
    c.words = 0;
    for (int ch = 1; ch <= wi.nchapters; ch++) {
        if (wi.nchapters > 1) {
            tmp2.n = 0;
            title_case_phrase(&c, &tmp2);
            const char *h = chapter_heading(&c, ch, tmp2.p, &tmp);
            if (st.fmt == F_HTML)
                gb_printf(&doc, "<h2>%s</h2>\n", h);
            else if (st.fmt == F_MD)
                gb_printf(&doc, "## %s\n\n", h);
            else
                gb_printf(&doc, "%s\n\n", h);
            if (ch > 1 && chance(&r, 25)) {
                tmp.n = 0;
                gb_put(&tmp, "A/N: ");
                gb_put(&tmp, PICK(&r, ((const char *const[]){
                                          "Sorry for the wait!", "Thank you for all the reviews!",
                                          "This chapter fought me.", "Short one this time.",
                                          "Back on schedule, I hope."})));
                put_para(&c, &doc, tmp.p, tmp.n);
            }
        }
        long goal = c.words + per_ch + (long)rnd(&r, (size_t)(per_ch / 5 + 1)) - per_ch / 10;
        int since_break = 0, next_break = range(&r, 12, 40);
        while (c.words < goal) {
            if (scenes && ++since_break >= next_break) {
                gb_put(&doc, st.scene_break);
                since_break = 0;
                next_break = range(&r, 12, 40);
            }
            paragraph(&c, &doc, &tmp);
        }
    }
    end_notes(&c, &doc, &tmp);
    if (st.fmt == F_HTML) {
        put_line(&doc, "</body>");
        put_line(&doc, "</html>");
    } else {
        /* A manuscript ends in one newline. */
        while (doc.n > 1 && doc.p[doc.n - 1] == '\n' && doc.p[doc.n - 2] == '\n')
            doc.p[--doc.n] = 0;
    }

    const struct gbuf *cur = &doc;
    if (cp1252) {
        to_cp1252(cur, &enc);
        cur = &enc;
        stt->cp1252++;
    }
    int crlf = chance(&r, 15);
    if (crlf) {
        to_crlf(cur, &fin);
        cur = &fin;
        stt->crlf++;
    }
    int bom = !cp1252 && chance(&r, 3);
    stt->bom += bom;

    static const char *const ext[] = {"txt", "md", "html"};
    char slug[80], path[4096];
    slugify(wi.title, slug, sizeof(slug));
    snprintf(path, sizeof(path), "%s/%06ld-%s.%s", dir, idx, slug, ext[st.fmt]);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen_manuscripts: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (bom)
        fwrite("\xef\xbb\xbf", 1, 3, f);
    if (fwrite(cur->p, 1, cur->n, f) != cur->n || fclose(f) != 0) {
        fprintf(stderr, "gen_manuscripts: %s: write failed\n", path);
        exit(1);
    }
    size_t nbytes = cur->n + (bom ? 3 : 0);
    stt->files++;
    stt->by_fmt[st.fmt]++;
    stt->by_fmt_bytes[st.fmt] += (double)nbytes;
    stt->bytes += (double)nbytes;
    stt->words += (double)c.words;
    stt->chapters += wi.nchapters;
    stt->wip += wi.wip;
    if (wi.nchapters > 1)
        stt->multi++;
    else
        stt->oneshots++;
    if (stt->nwc == stt->capwc) {
        stt->capwc = stt->capwc ? stt->capwc * 2 : 1024;
        stt->word_counts = realloc(stt->word_counts, stt->capwc * sizeof(long));
        if (!stt->word_counts) {
            fprintf(stderr, "gen_manuscripts: out of memory\n");
            exit(1);
        }
    }
    stt->word_counts[stt->nwc++] = c.words;
    return nbytes;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_gen_manuscripts --out DIR [--total-mb N] [--files N] [--small] "
               "[--seed S]\n"
               "Writes invented fan-fiction manuscripts into DIR until they total at least N\n"
               "megabytes (10^6 bytes, default 200), or N files with --files; --small makes\n"
               "every work a drabble or ficlet of 100-1000 words (the bulk-import corpus).\n"
               "Prints corpus statistics on stdout.\n");
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    double total_mb = 200;
    long max_files = 0;
    uint64_t seed = 20261123;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--small")) {
            small_only = 1;
            continue;
        }
        if (i + 1 >= argc) {
            usage(stderr);
            return 2;
        }
        char *end;
        if (!strcmp(a, "--out")) {
            dir = argv[++i];
        } else if (!strcmp(a, "--total-mb")) {
            total_mb = strtod(argv[++i], &end);
            if (*end || total_mb <= 0 || total_mb > 100000 || max_files) {
                fprintf(stderr, "gen_manuscripts: --total-mb wants a number of megabytes\n");
                return 2;
            }
        } else if (!strcmp(a, "--files")) {
            max_files = strtol(argv[++i], &end, 10);
            if (*end || max_files <= 0) {
                fprintf(stderr, "gen_manuscripts: --files wants a positive number\n");
                return 2;
            }
            total_mb = 1e12; /* the file count ends it */
        } else if (!strcmp(a, "--seed")) {
            seed = strtoull(argv[++i], &end, 10);
            if (*end) {
                fprintf(stderr, "gen_manuscripts: --seed wants an integer\n");
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!dir) {
        usage(stderr);
        return 2;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "gen_manuscripts: %s is not a directory\n", dir);
        return 2;
    }
    make_fandoms(seed);
    struct stats stt = {0};
    double goal = total_mb * 1e6;
    for (long i = 1; stt.bytes < goal && (!max_files || i <= max_files); i++)
        gen_work(dir, seed, i, &stt);

    qsort(stt.word_counts, stt.nwc, sizeof(long), cmp_long);
    long lt2k = 0, k2to10 = 0, k10to50 = 0, ge50 = 0;
    for (size_t i = 0; i < stt.nwc; i++) {
        long w = stt.word_counts[i];
        lt2k += w < 2000;
        k2to10 += w >= 2000 && w < 10000;
        k10to50 += w >= 10000 && w < 50000;
        ge50 += w >= 50000;
    }
    printf("seed %llu\n", (unsigned long long)seed);
    printf("files %ld\n", stt.files);
    printf("bytes %.0f\n", stt.bytes);
    printf("words %.0f\n", stt.words);
    printf("txt_files %ld\ntxt_bytes %.0f\n", stt.by_fmt[F_TXT], stt.by_fmt_bytes[F_TXT]);
    printf("md_files %ld\nmd_bytes %.0f\n", stt.by_fmt[F_MD], stt.by_fmt_bytes[F_MD]);
    printf("html_files %ld\nhtml_bytes %.0f\n", stt.by_fmt[F_HTML], stt.by_fmt_bytes[F_HTML]);
    printf("crlf_files %ld\ncp1252_files %ld\nbom_files %ld\n", stt.crlf, stt.cp1252, stt.bom);
    printf("oneshots %ld\nmulti_chapter %ld\nchapters %ld\nwip %ld\n", stt.oneshots, stt.multi,
           stt.chapters, stt.wip);
    printf("header_blocks %ld\nyaml_front_matter %ld\npairing_titles %ld\n", stt.hdr_block,
           stt.yaml, stt.pairing_title);
    printf("words_lt_2k %ld\nwords_2k_10k %ld\nwords_10k_50k %ld\nwords_ge_50k %ld\n", lt2k, k2to10,
           k10to50, ge50);
    if (stt.nwc)
        printf("words_median %ld\nwords_max %ld\n", stt.word_counts[stt.nwc / 2],
               stt.word_counts[stt.nwc - 1]);
    free(stt.word_counts);
    return 0;
}
