/* ms_names.c: the table of the capitalised words of the prose (an arena, open addressing,
 * the candidate order of the table it replaced), the words that are never names, and the
 * folding of honorifics and possessives. The inline lookups the tokenizer uses are in
 * ms_scan.h. */
#include "text/ms_scan.h"
#include "core/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
struct wordset ms_not_names_set, ms_honorifics_set;

static void wordset_build(struct wordset *set, const char *const *list)
{
    for (; *list; list++) {
        size_t h = ms_word_hash(*list, strlen(*list)) & (WORDSET_SLOTS - 1);
        while (set->slot[h] && strcmp(set->slot[h], *list))
            h = (h + 1) & (WORDSET_SLOTS - 1);
        set->slot[h] = *list;
    }
}

/* True when w is one of the words the set was built from. */
int ms_wordset_has(const struct wordset *set, const char *w)
{
    for (size_t h = ms_word_hash(w, strlen(w)) & (WORDSET_SLOTS - 1); set->slot[h];
         h = (h + 1) & (WORDSET_SLOTS - 1))
        if (!strcmp(set->slot[h], w))
            return 1;
    return 0;
}

static void sets_build(void)
{
    ms_stop_build();
    wordset_build(&ms_not_names_set, not_names);
    wordset_build(&ms_honorifics_set, honorifics);
}

static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

void ms_scan_init(void)
{
    pthread_once(&sets_once, sets_build);
}

/* The bytes of key k into dst (k->n bytes). */
static void key_bytes(const struct name_key *k, char *dst)
{
    for (size_t i = 0; i < k->n; i++)
        dst[i] = i < 8    ? (char)(k->k0 >> (8 * i))
                 : i < 16 ? (char)(k->k1 >> (8 * (i - 8)))
                          : k->b[i];
}

static char *ms_tab_alloc(struct name_tab *t, size_t n)
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

int ms_tab_grow(struct name_tab *t)
{
    /* small to start with: most manuscripts are short, and ms_suggest_pick walks every slot */
    size_t cap = t->scap ? t->scap * 2 : 512;
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
struct name_slot *ms_tab_add(struct name_tab *t, const struct name_key *k, const char *w, size_t h)
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
    char *mem = ms_tab_alloc(t, w ? 2 * n + 2 : n + 1);
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

/* The entry of the name w (n bytes, under 64), added when new. */
struct name_ent *ms_tab_get(struct name_tab *t, const char *w, size_t n)
{
    struct name_key k;
    key_make(&k, w, n, w + n);
    struct name_slot *sl = tab_lookup(t, &k, w, 1);
    return sl ? &t->v[sl->idx - 1] : NULL;
}

struct name_ent *ms_tab_find(struct name_tab *t, const char *w)
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
uint32_t *ms_name_order(const struct name_tab *t, size_t *cap)
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

void ms_tab_free(struct name_tab *t)
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
size_t ms_fold_name(char *w, size_t n)
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
            if (ms_wordset_has(&ms_honorifics_set, part)) {
                *h = '\0';
                n = (size_t)(h - w);
            }
        }
    }
    return n;
}
