/* ms_keys.c: the keys of a writer's metadata and what their values mean: the key table
 * ("Pairing", "Rated", "Beta'd by", ...), "Key: value" lines, value cleaning, pairings,
 * warnings (also in sentence form), completion status, ratings, languages, and applying a
 * key's value to the work (ms_apply_key, shared by header blocks and YAML front matter). */
#include "text/ms_int.h"
#include "core/err.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int key;
} key_aliases[] = {
    {"title", K_TITLE},
    {"story title", K_TITLE},
    {"author", K_AUTHOR},
    {"authors", K_AUTHOR},
    {"author(s)", K_AUTHOR},
    {"writer", K_AUTHOR},
    {"writers", K_AUTHOR},
    {"written by", K_AUTHOR},
    {"by", K_AUTHOR},
    {"pseud", K_AUTHOR},
    {"pseuds", K_AUTHOR},
    {"creator", K_AUTHOR},
    {"creators", K_AUTHOR},
    {"pen name", K_AUTHOR},
    {"penname", K_AUTHOR},
    {"fandom", K_FANDOM},
    {"fandoms", K_FANDOM},
    {"fandom(s)", K_FANDOM},
    {"series", K_SERIES},
    {"series position", K_SERIES_POS},
    {"series_position", K_SERIES_POS},
    {"pairing", K_PAIRING},
    {"pairings", K_PAIRING},
    {"pairing(s)", K_PAIRING},
    {"main pairing", K_PAIRING},
    {"relationship", K_PAIRING},
    {"relationships", K_PAIRING},
    {"relationship(s)", K_PAIRING},
    {"ship", K_PAIRING},
    {"ships", K_PAIRING},
    {"couple", K_PAIRING},
    {"couples", K_PAIRING},
    {"character", K_CHARACTERS},
    {"characters", K_CHARACTERS},
    {"character(s)", K_CHARACTERS},
    {"main characters", K_CHARACTERS},
    {"cast", K_CHARACTERS},
    {"rating", K_RATING},
    {"rated", K_RATING},
    {"age rating", K_RATING},
    {"warning", K_WARNINGS},
    {"warnings", K_WARNINGS},
    {"warning(s)", K_WARNINGS},
    {"archive warning", K_WARNINGS},
    {"archive warnings", K_WARNINGS},
    {"content warning", K_WARNINGS},
    {"content warnings", K_WARNINGS},
    {"trigger warning", K_WARNINGS},
    {"trigger warnings", K_WARNINGS},
    {"cw", K_WARNINGS},
    {"tw", K_WARNINGS},
    {"category", K_CATEGORY},
    {"categories", K_CATEGORY},
    {"genre", K_GENRE},
    {"genres", K_GENRE},
    {"language", K_LANGUAGE},
    {"lang", K_LANGUAGE},
    {"status", K_STATUS},
    {"story status", K_STATUS},
    {"complete", K_COMPLETE},
    {"completed", K_COMPLETE},
    {"chapters", K_CHAPTERS},
    {"chapter count", K_CHAPTERS},
    {"summary", K_SUMMARY},
    {"description", K_SUMMARY},
    {"blurb", K_SUMMARY},
    {"synopsis", K_SUMMARY},
    {"disclaimer", K_DISCLAIMER},
    {"tags", K_TAGS},
    {"additional tags", K_TAGS},
    {"other tags", K_TAGS},
    {"freeform", K_TAGS},
    {"freeforms", K_TAGS},
    {"freeform tags", K_TAGS},
    {"beta", K_BETA},
    {"betas", K_BETA},
    {"beta'd by", K_BETA},
    {"betaed by", K_BETA},
    {"beta'ed by", K_BETA},
    {"betad by", K_BETA},
    {"beta-read by", K_BETA},
    {"beta read by", K_BETA},
    {"beta reader", K_BETA},
    {"beta readers", K_BETA},
    {"beta-reader", K_BETA},
    {"beta-readers", K_BETA},
    {"notes", K_NOTES},
    {"note", K_NOTES},
    {"notes_begin", K_NOTES},
    {"a/n", K_NOTES},
    {"an", K_NOTES},
    {"a.n.", K_NOTES},
    {"a.n", K_NOTES},
    {"author's note", K_NOTES},
    {"author's notes", K_NOTES},
    {"authors note", K_NOTES},
    {"authors notes", K_NOTES},
    {"authors' note", K_NOTES},
    {"author note", K_NOTES},
    {"author notes", K_NOTES},
    {"notes_end", K_NOTES_END},
    {"notes end", K_NOTES_END},
    {"notes begin", K_NOTES},
    {"end note", K_NOTES_END},
    {"end notes", K_NOTES_END},
    {"song", K_SONG},
    {"songs", K_SONG},
    {"song used", K_SONG},
    {"songs used", K_SONG},
    {"lyrics", K_SONG},
    {"music", K_SONG},
    {"soundtrack", K_SONG},
    {"prompt", K_PROMPT},
    {"request", K_PROMPT},
    {"requested by", K_PROMPT},
    {"prompt fill", K_PROMPT},
    {"written for", K_PROMPT},
    {"gift for", K_PROMPT},
    {"dedication", K_PROMPT},
    {"dedicated to", K_PROMPT},
    {"challenge", K_PROMPT},
    {"word count", K_IGNORE},
    {"wordcount", K_IGNORE},
    {"words", K_IGNORE},
    {"length", K_IGNORE},
    {"published", K_IGNORE},
    {"updated", K_IGNORE},
    {"posted", K_IGNORE},
    {"date", K_IGNORE},
};

/* Looks up a header key: case-insensitive, curly apostrophes as straight ones, '_' and runs of
 * spaces as one space, Markdown emphasis markers ignored. */
int ms_key_lookup(const char *key)
{
    char k[48];
    size_t j = 0;
    for (const char *p = key; *p && j + 1 < sizeof(k); p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '*' || c == '#' || c == '[' || c == ']')
            continue;
        if (c == 0xE2 && p[1] == '\x80' && (p[2] == '\x99' || p[2] == '\x98')) {
            k[j++] = '\'';
            p += 2;
            continue;
        }
        if ((c == ' ' || c == '\t') && (j == 0 || k[j - 1] == ' '))
            continue;
        k[j++] = (char)tolower(c);
    }
    while (j > 0 && k[j - 1] == ' ')
        j--;
    k[j] = '\0';
    for (size_t i = 0; i < sizeof(key_aliases) / sizeof(key_aliases[0]); i++)
        if (strcmp(k, key_aliases[i].name) == 0)
            return key_aliases[i].key;
    if (strcmp(k, "notes_begin") == 0)
        return K_NOTES;
    return K_NONE;
}

/* Splits "Key: value" (also "**Key:** value", "Key : value", a fullwidth colon). Returns the
 * key (K_NONE for a well-formed but unknown key) and *val the value, or -1 when the line is
 * not of that form (speech, no colon, a key that cannot be a header key). */
int ms_key_line(const char *line, const char **val)
{
    *val = NULL;
    if (ms_is_quote_start(line))
        return -1;
    const char *s = line;
    while (*s == '*' || *s == '_' || *s == '#' || *s == '>' || *s == ' ')
        s++;
    const char *colon = NULL;
    size_t cl = 1;
    for (const char *p = s; *p && p - s < 40; p++) {
        if (*p == ':') {
            colon = p;
            break;
        }
        if (strncmp(p, "\xEF\xBC\x9A", 3) == 0) {
            colon = p;
            cl = 3;
            break;
        }
        unsigned char c = (unsigned char)*p;
        if (!(isalnum(c) || c == ' ' || c == '\'' || c == '/' || c == '-' || c == '(' || c == ')' ||
              c == '&' || c == '.' || c == '*' || c == '_' || c >= 0x80))
            return -1;
    }
    if (!colon || colon == s)
        return -1;
    char key[48];
    size_t kl = (size_t)(colon - s);
    if (kl >= sizeof(key))
        return -1;
    memcpy(key, s, kl);
    key[kl] = '\0';
    if (ms_words(key) > 4)
        return -1;
    const char *v = colon + cl;
    while (*v == '*' || *v == '_' || *v == ' ')
        v++;
    *val = v;
    int k = ms_key_lookup(key);
    /* "https://..." and times such as 10:30 are not keys */
    if (k == K_NONE && (colon[1] == '/' || isdigit((unsigned char)colon[1])))
        return -1;
    return k;
}

/* Copies a value without surrounding whitespace and trailing emphasis markers; inner
 * newlines (multi-paragraph summaries and notes) are kept. */
static char *clean_value(const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\n')
        v++;
    char *s = strdup(v);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '*' || s[n - 1] == '_' || s[n - 1] == ' ' || s[n - 1] == '\n' ||
                     s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* "A x B" and "A X B" pairings written the AO3 way, "A/B"; "A & B" stays (a friendship). */
static char *norm_pairing(const char *p)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; p[i];) {
        if ((strncmp(p + i, " x ", 3) == 0 || strncmp(p + i, " X ", 3) == 0) && i > 0) {
            buf_putc(&b, '/');
            i += 3;
        } else if (strncmp(p + i, " \xC3\x97 ", 4) == 0) {
            buf_putc(&b, '/');
            i += 4;
        } else {
            buf_putc(&b, p[i++]);
        }
    }
    return buf_take(&b);
}

/* "None", "N/A", "no pairing", "-": a field the writer filled in to say there is nothing. */
static int none_value(const char *v)
{
    static const char *const none[] = {"none",
                                       "n/a",
                                       "na",
                                       "nil",
                                       "nothing",
                                       "no",
                                       "no one",
                                       "nobody",
                                       "not applicable",
                                       "no pairing",
                                       "no pairings",
                                       "no relationship",
                                       "no relationships",
                                       "no ship",
                                       "none really",
                                       "-",
                                       "--",
                                       "\xE2\x80\x94",
                                       "\xE2\x80\x93",
                                       "n.a.",
                                       "none yet",
                                       NULL};
    char t[48];
    size_t n = strlen(v);
    if (n >= sizeof(t))
        return 0;
    memcpy(t, v, n + 1);
    while (n > 0 && strchr(".!()[] ", t[n - 1]))
        t[--n] = '\0';
    const char *p = t;
    while (*p == '(' || *p == '[' || *p == ' ')
        p++;
    for (int i = 0; none[i]; i++)
        if (strcasecmp(p, none[i]) == 0)
            return 1;
    return 0;
}

int ms_add_pairings(struct ms_ctx *c, const char *v, struct strlist *sides)
{
    struct strlist tmp;
    strlist_init(&tmp);
    int rc = ms_split_add(&tmp, v, ",;", 0);
    for (size_t i = 0; rc == 0 && i < tmp.n; i++) {
        char *p = norm_pairing(tmp.v[i]);
        if (!p) {
            rc = FICD_ENOMEM;
            break;
        }
        rc = strlist_add_unique(&c->w->relationships, p);
        if (rc == 0 && sides)
            rc = ms_split_add(sides, p, "/&", 0);
        free(p);
    }
    strlist_free(&tmp);
    return rc;
}

/* Maps one warning item to an archive warning bit, 0 when none fits. */
static unsigned map_warning(const char *item)
{
    unsigned bit = warning_parse(item);
    if (bit)
        return bit;
    static const struct {
        const char *s;
        unsigned bit;
    } extra[] = {
        {"gore", WARN_VIOLENCE},
        {"graphic gore", WARN_VIOLENCE},
        {"violence/gore", WARN_VIOLENCE},
        {"graphic depiction of violence", WARN_VIOLENCE},
        {"main character death", WARN_MCD},
        {"character deaths", WARN_MCD},
        {"major character deaths", WARN_MCD},
        {"non-consensual", WARN_NONCON},
        {"nonconsensual", WARN_NONCON},
        {"non consensual", WARN_NONCON},
        {"rape/non-consent", WARN_NONCON},
        {"n/a", WARN_NONE},
        {"nothing", WARN_NONE},
        {"none really", WARN_NONE},
        {"no warnings apply", WARN_NONE},
        {"choose not to warn", WARN_CHOSE_NOT},
        {"creator chose not to warn", WARN_CHOSE_NOT},
    };
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        if (strcasecmp(item, extra[i].s) == 0)
            return extra[i].bit;
    return 0;
}

/* A warning item that names non-consent with more words around it ("non-con elements",
 * "graphic rape"): the archive warning applies, and the item is kept as a freeform tag for
 * what it adds. Mentions, implications and the past ("mentions of rape", "implied non-con",
 * "past rape/non-con") do not set the warning, as AO3's wranglers read it; dub-con never. */
static int noncon_item(const char *item)
{
    static const char *const names[] = {"non-con",        "noncon",        "non con",
                                        "non-consensual", "nonconsensual", NULL};
    static const char *const soft[] = {"mention",   "implied",  "implication", "past",
                                       "referenc",  "allusion", "allude",      "discuss",
                                       "aftermath", "recover",  "hint",        NULL};
    int hit = 0;
    for (int i = 0; names[i] && !hit; i++)
        hit = ms_find_ci(item, names[i]) != NULL;
    for (const char *p = item; !hit && (p = ms_find_ci(p, "rape")) != NULL; p += 4)
        hit = (p == item || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[4]);
    if (!hit)
        return 0;
    for (int i = 0; soft[i]; i++)
        if (ms_find_ci(item, soft[i]))
            return 0;
    return 1;
}

/* Adds a freeform tag, in title case when the writer typed it all in lower case. */
static int add_freeform(struct ms_ctx *c, const char *item)
{
    char *t = strdup(item);
    if (!t)
        return FICD_ENOMEM;
    int upper = 0;
    for (const char *p = t + 1; *p; p++)
        if (isupper((unsigned char)*p))
            upper = 1;
    if (!upper)
        ms_title_case(t);
    int rc = strlist_add_unique(&c->w->freeforms, t);
    free(t);
    return rc;
}

/* Warnings given as a list or a sentence ("are character death, mentions of self-harm.",
 * "contains major character death and violence"): each item that fits an archive warning sets
 * it, the rest become freeform tags ("Mentions of Self-Harm"). */
void ms_apply_warnings(struct ms_ctx *c, const char *text)
{
    static const char *const lead[] = {"this story contains ",
                                       "this fic contains ",
                                       "this work contains ",
                                       "this chapter contains ",
                                       "this contains ",
                                       "there are ",
                                       "there is ",
                                       "contains ",
                                       "contain ",
                                       "includes ",
                                       "include ",
                                       "are ",
                                       "is ",
                                       "for ",
                                       ": ",
                                       "- ",
                                       "mild ",
                                       NULL};
    const char *p = text;
    for (int again = 1; again;) {
        again = 0;
        while (*p == ' ' || *p == ':' || *p == '-')
            p++;
        for (int i = 0; lead[i]; i++)
            if (ms_starts_ci(p, lead[i])) {
                p += strlen(lead[i]);
                again = 1;
            }
    }
    struct strlist items;
    strlist_init(&items);
    if (ms_split_add(&items, p, ",;", 1) == 0) {
        for (size_t i = 0; i < items.n; i++) {
            char *it = items.v[i];
            size_t n = strlen(it);
            while (n > 0 && strchr(".!?)", it[n - 1]))
                it[--n] = '\0';
            while (ms_starts_ci(it, "and ") || ms_starts_ci(it, "or "))
                memmove(it, it + (it[0] == 'o' || it[0] == 'O' ? 3 : 4),
                        strlen(it) + 1 - (it[0] == 'o' || it[0] == 'O' ? 3 : 4));
            if (!*it)
                continue;
            unsigned bit = map_warning(it);
            if (bit) {
                c->w->warnings |= bit;
            } else {
                if (noncon_item(it))
                    c->w->warnings |= WARN_NONCON;
                add_freeform(c, it);
            }
        }
    }
    strlist_free(&items);
}

/* Status words and chapter counts: "Complete", "WIP", "In progress", "Chapter 3/10", "3/?". */
void ms_parse_status(struct ms_ctx *c, const char *val)
{
    const char *slash = strchr(val, '/');
    if (slash) {
        const char *q = slash + 1;
        while (*q == ' ')
            q++;
        if (*q == '?') {
            c->status = MS_STATUS_WIP;
            return;
        }
        if (isdigit((unsigned char)*q)) {
            int m = atoi(q);
            if (m > 0 && m < 100000) {
                c->status = m;
                return;
            }
        }
    }
    if (ms_find_ci(val, "incomplete") || ms_find_ci(val, "progress") || ms_find_ci(val, "wip") ||
        ms_find_ci(val, "ongoing") || ms_find_ci(val, "continu") || ms_find_ci(val, "unfinished") ||
        ms_find_ci(val, "hiatus") || strcasecmp(val, "no") == 0 || strcasecmp(val, "false") == 0)
        c->status = MS_STATUS_WIP;
    else if (ms_find_ci(val, "complete") || ms_find_ci(val, "finished") ||
             ms_find_ci(val, "one-shot") || ms_find_ci(val, "oneshot") ||
             strcasecmp(val, "yes") == 0 || strcasecmp(val, "true") == 0 ||
             strcasecmp(val, "done") == 0)
        c->status = MS_STATUS_COMPLETE;
}

/* Rating by name or letters, tolerating "T for language", "M (violence)", "Rated T". */
int ms_parse_rating(const char *v)
{
    while (ms_starts_ci(v, "rated "))
        v += 6;
    int r = rating_parse(v);
    if (r >= 0)
        return r;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s", v);
    for (char *p = tmp; *p; p++)
        if (*p == '(' || *p == ',' || *p == ';' || *p == '.' ||
            (*p == ' ' && ms_starts_ci(p, " for ")) || (*p == ' ' && ms_starts_ci(p, " - ")))
            *p = '\0';
    r = rating_parse(tmp);
    if (r >= 0)
        return r;
    char *sp = strchr(tmp, ' '); /* first word, then first two words */
    if (sp) {
        *sp = '\0';
        r = rating_parse(tmp);
    }
    return r;
}

void ms_append_text(char **dst, const char *text, const char *sep)
{
    if (!text || !*text)
        return;
    size_t a = *dst ? strlen(*dst) : 0, b = strlen(text), s = a ? strlen(sep) : 0;
    char *n = realloc(*dst, a + s + b + 1);
    if (!n)
        return;
    memcpy(n + a, sep, s);
    memcpy(n + a + s, text, b + 1);
    *dst = n;
}

/* Language names: capitalised ("english" -> "English"); codes kept as given. */
static char *language_name(const char *v)
{
    static const struct {
        const char *in, *out;
    } map[] = {{"en", "English"},       {"eng", "English"},     {"es", "Español"},
               {"spanish", "Español"},  {"fr", "Français"},     {"french", "Français"},
               {"de", "Deutsch"},       {"german", "Deutsch"},  {"it", "Italiano"},
               {"italian", "Italiano"}, {"pt", "Português"},    {"portuguese", "Português"},
               {"ru", "Русский"},       {"russian", "Русский"}, {"ja", "日本語"},
               {"japanese", "日本語"},  {"zh", "中文"},         {"chinese", "中文"}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcasecmp(v, map[i].in) == 0)
            return strdup(map[i].out);
    char *s = strdup(v);
    if (s && *s && islower((unsigned char)*s))
        *s = (char)toupper((unsigned char)*s);
    return s;
}

/* Applies one header key with its value. keyname is the key as written (kept in notes for
 * prompt lines and unknown keys). from_yaml: list values arrive one at a time, not split. */
int ms_apply_key(struct ms_ctx *c, int key, const char *keyname, const char *val, int from_yaml)
{
    struct work *w = c->w;
    char *v = clean_value(val);
    if (!v)
        return FICD_ENOMEM;
    int rc = 0;
    /* "Pairing: None", "Beta: N/A": the field is declared empty */
    if ((key == K_PAIRING || key == K_CHARACTERS || key == K_FANDOM || key == K_TAGS ||
         key == K_BETA || key == K_AUTHOR || key == K_SERIES) &&
        none_value(v))
        *v = '\0';
    switch (key) {
    case K_TITLE:
        if (*v) {
            if (!from_yaml) {
                ms_set_title(c, v);
            } else {
                free(w->title);
                w->title = strdup(v);
            }
            c->title_from_key = 1;
        }
        break;
    case K_AUTHOR:
        rc = from_yaml ? (*v ? strlist_add_unique(&w->creators, v) : 0)
                       : ms_split_add(&w->creators, v, ",;", 1);
        break;
    case K_FANDOM:
        rc = from_yaml ? (*v ? strlist_add_unique(&w->fandoms, v) : 0)
                       : ms_split_add(&w->fandoms, v, ",;", 0);
        break;
    case K_SERIES:
        if (*v) {
            free(w->series);
            w->series = strdup(v);
        }
        break;
    case K_SERIES_POS:
        w->series_position = atoi(v);
        break;
    case K_PAIRING:
        if (from_yaml)
            rc = *v ? strlist_add_unique(&w->relationships, v) : 0;
        else
            rc = ms_add_pairings(c, v, NULL);
        break;
    case K_CHARACTERS:
        rc = from_yaml ? (*v ? strlist_add_unique(&w->characters, v) : 0)
                       : ms_split_add(&w->characters, v, ",;", 0);
        break;
    case K_RATING: {
        int r = ms_parse_rating(v);
        if (r >= 0) {
            w->rating = (enum rating)r;
            w->rating_declared = 1;
        }
        break;
    }
    case K_WARNINGS:
        if (from_yaml) {
            unsigned bit = map_warning(v);
            if (bit)
                w->warnings |= bit;
            else if (*v) {
                if (noncon_item(v))
                    w->warnings |= WARN_NONCON;
                rc = strlist_add_unique(&w->freeforms, v);
            }
        } else {
            ms_apply_warnings(c, v);
        }
        break;
    case K_CATEGORY:
    case K_GENRE: {
        struct strlist items;
        strlist_init(&items);
        if (from_yaml)
            rc = *v ? strlist_add(&items, v) : 0;
        else
            rc = ms_split_add(&items, v, key == K_GENRE ? ",;/" : ",;", 1);
        for (size_t i = 0; rc == 0 && i < items.n; i++) {
            unsigned bit = key == K_CATEGORY ? category_parse(items.v[i]) : 0;
            if (bit)
                w->categories |= bit;
            else
                rc = from_yaml ? strlist_add_unique(&w->freeforms, items.v[i])
                               : add_freeform(c, items.v[i]);
        }
        strlist_free(&items);
        break;
    }
    case K_LANGUAGE:
        if (*v) {
            free(w->language);
            w->language = language_name(v);
        }
        break;
    case K_STATUS:
    case K_COMPLETE:
    case K_CHAPTERS:
        ms_parse_status(c, v);
        if (key == K_CHAPTERS && c->status == MS_STATUS_UNKNOWN && atoi(v) > 0)
            c->status = atoi(v);
        break;
    case K_SUMMARY:
        if (w->summary && *v)
            ms_append_text(&w->summary, v, "\n\n");
        else if (*v) {
            free(w->summary);
            w->summary = strdup(v);
        }
        break;
    case K_DISCLAIMER: {
        struct buf b = BUF_INIT;
        buf_printf(&b, "Disclaimer: %s", v);
        char *s = buf_take(&b);
        if (s)
            ms_note_add(&w->notes_begin, s);
        ms_note_scan(c, s ? s : "");
        free(s);
        break;
    }
    case K_TAGS:
        if (from_yaml)
            rc = *v ? strlist_add_unique(&w->freeforms, v) : 0;
        else
            rc = ms_split_add(&w->freeforms, v, ",;", 0);
        break;
    case K_BETA:
        rc = from_yaml ? (*v ? strlist_add_unique(&w->beta, v) : 0)
                       : ms_split_add(&w->beta, v, ",;", 1);
        break;
    case K_NOTES:
        ms_note_add(&w->notes_begin, v);
        if (!from_yaml)
            ms_note_scan(c, v);
        break;
    case K_NOTES_END:
        ms_note_add(&w->notes_end, v);
        break;
    case K_SONG:
    case K_PROMPT:
    case K_NONE: {
        if (!*v)
            break;
        struct buf b = BUF_INIT;
        char *kn = clean_value(keyname ? keyname : "");
        while (kn && (*kn == '*' || *kn == '#'))
            memmove(kn, kn + 1, strlen(kn));
        buf_printf(&b, "%s: %s", kn ? kn : "", v);
        free(kn);
        char *s = buf_take(&b);
        if (s)
            ms_note_add(&w->notes_begin, s);
        free(s);
        if (key == K_SONG)
            rc = strlist_add_unique(&w->freeforms, "Songfic");
        break;
    }
    default:
        break;
    }
    free(v);
    return rc;
}
