/* ms_meta.c: metadata a writer puts around the story: title lines ("Title - A/B"), header
 * blocks of "Key: value" lines, sentence-form warnings, author's notes at top and bottom,
 * beta and song credits, prompt fills, disclaimers, feedback requests. */
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

static int add_pairings(struct ms_ctx *c, const char *v, struct strlist *sides)
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
static int parse_rating(const char *v)
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

static void append_text(char **dst, const char *text, const char *sep)
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
            rc = add_pairings(c, v, NULL);
        break;
    case K_CHARACTERS:
        rc = from_yaml ? (*v ? strlist_add_unique(&w->characters, v) : 0)
                       : ms_split_add(&w->characters, v, ",;", 0);
        break;
    case K_RATING: {
        int r = parse_rating(v);
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
            append_text(&w->summary, v, "\n\n");
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

/* A title line: short (at most 15 words), no sentence-ending punctuation, not speech, not a
 * header key, chapter heading, note, closing marker or scene break. */
int ms_title_line(const char *line)
{
    const char *v;
    char *t = NULL;
    if (!*line || strchr(line, '\n') || ms_is_quote_start(line) || ms_words(line) > 15 ||
        ms_chars(line, strlen(line)) > 150 || ms_ends_sentence(line) || ms_is_rule_line(line) ||
        ms_end_marker(line))
        return 0;
    size_t n = strlen(line);
    if (line[n - 1] == ':')
        return 0;
    int k = ms_key_line(line, &v);
    if (k > 0)
        return 0;
    if (ms_note_label(line, &v))
        return 0;
    if (ms_chapter_heading(line, &t)) {
        free(t);
        return 0;
    }
    for (const char *p = line; *p; p++)
        if (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)
            return 1;
    return 0;
}

/* True when s reads as a pairing: at most 6 words, names joined by '/', " x ", " & ". */
static int pairing_like(const char *s)
{
    if (!*s || ms_words(s) > 8 || ms_ends_sentence(s))
        return 0;
    if (!(strchr(s, '/') || strstr(s, " x ") || strstr(s, " X ") || strstr(s, " & ") ||
          strstr(s, " \xC3\x97 ")))
        return 0;
    return isupper((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80;
}

/* Sets the work's title from a title line, splitting off a pairing: "Title - A/B",
 * "Title – A x B", "Title: A & B", "Title | A/B", "Title (A/B)". */
void ms_set_title(struct ms_ctx *c, const char *line)
{
    static const char *const seps[] = {
        " - ", " -- ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", "\xE2\x80\x94", ": ", " | ", NULL};
    char *t = ms_strndup_trim(line, strlen(line));
    if (!t)
        return;
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == '*' || t[n - 1] == '#' || t[n - 1] == '_'))
        t[--n] = '\0';
    char *s = t;
    while (*s == '*' || *s == '#' || *s == '_' || *s == ' ')
        s++;
    const char *pair = NULL;
    size_t cut = strlen(s);
    for (int i = 0; seps[i] && !pair; i++) {
        const char *p = NULL, *q = s;
        while ((q = strstr(q, seps[i])) != NULL) {
            p = q;
            q += strlen(seps[i]);
        }
        if (p && p > s && pairing_like(p + strlen(seps[i]))) {
            pair = p + strlen(seps[i]);
            cut = (size_t)(p - s);
        }
    }
    if (!pair && n > 2 && s[strlen(s) - 1] == ')') {
        char *open = strrchr(s, '(');
        if (open && open > s) {
            s[strlen(s) - 1] = '\0';
            if (pairing_like(open + 1)) {
                pair = open + 1;
                cut = (size_t)(open - s);
            } else {
                s[strlen(s)] = ')';
            }
        }
    }
    char *title = ms_strndup_trim(s, cut);
    if (title && *title) {
        free(c->w->title);
        c->w->title = title;
        if (pair) {
            char *pv = ms_strndup_trim(pair, strlen(pair));
            if (pv)
                add_pairings(c, pv, &c->title_sides);
            free(pv);
        }
    } else {
        free(title);
    }
    free(t);
}

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

static int has_phrase(const char *s, const char *const *ph)
{
    for (int i = 0; ph[i]; i++)
        if (ms_find_ci(s, ph[i]))
            return 1;
    return 0;
}

static int disclaimer_start(const char *s)
{
    return ms_starts_ci(s, "disclaimer") || ms_starts_ci(s, "i don't own") ||
           ms_starts_ci(s, "i do not own") || ms_starts_ci(s, "i own nothing") ||
           ms_starts_ci(s, "i don\xE2\x80\x99t own") || ms_starts_ci(s, "don't own") ||
           ms_starts_ci(s, "i don't own");
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
    if (at_end && has_phrase(s, feedback_phrases))
        return 1;
    if (words <= 40 && has_phrase(s, beta_phrases))
        return 1;
    if ((ms_starts_ci(s, "song") || ms_starts_ci(s, "lyrics") || ms_starts_ci(s, "the song")) &&
        has_phrase(s, song_phrases))
        return 1;
    if (ms_starts_ci(s, "written for") || ms_starts_ci(s, "for the prompt") ||
        ms_starts_ci(s, "prompt") || ms_starts_ci(s, "request") ||
        ms_starts_ci(s, "this was written") || ms_starts_ci(s, "this is for") ||
        ms_starts_ci(s, "this is a request") || ms_starts_ci(s, "gift for") ||
        ms_starts_ci(s, "dedicated to") || ms_starts_ci(s, "for my ") ||
        ms_starts_ci(s, "prize fill"))
        return 1;
    if (words <= 40 && has_phrase(s, prompt_phrases) &&
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
            has_phrase(p, song_phrases))
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
static long bracket_end(struct ms_doc *d, size_t i, size_t to)
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
        long e = bracket_end(d, i, to);
        if (e >= 0 && (ms_note_label(t, &rest) || ms_notey(t + 1, 1)))
            return (size_t)e + 1;
    }
    if (ms_note_label(t, &rest))
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
                if ((o == '[' || o == '(') && bracket_end(d, k, j) == (long)(j - 1)) {
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
        if (ms_note_label(t, &rest) || ms_notey(t, 1)) {
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
            long e = bracket_end(d, i, to);
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

/* "Warnings are ...", "Warning - ...", "WARNING for ...": a warning sentence at the top. */
static const char *warning_sentence(const char *t)
{
    static const char *const w[] = {"warnings are ",
                                    "warning are ",
                                    "warnings include ",
                                    "warning for ",
                                    "warnings for ",
                                    "warning - ",
                                    "warnings - ",
                                    "warning is ",
                                    "warnings: ",
                                    "warning: ",
                                    "warning! ",
                                    "trigger warning for ",
                                    "tw for ",
                                    "cw for ",
                                    "tw: ",
                                    "cw: ",
                                    NULL};
    for (int i = 0; w[i]; i++)
        if (ms_starts_ci(t, w[i]))
            return t + strlen(w[i]);
    return NULL;
}

/* Lines of a header block (or the inside of a bracketed one): known keys applied; lines that
 * are not keys continue the previous key (summary, notes, warnings); unknown keys and stray
 * lines go to the notes when the block is clearly a header (two known keys or more). */
static void header_lines(struct ms_ctx *c, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return;
    int known = 0;
    for (char *l = copy; l;) {
        char *e = strchr(l, '\n');
        const char *v;
        if (e)
            *e = '\0';
        if (ms_key_line(l, &v) > 0)
            known++;
        if (e)
            *e = '\n';
        l = e ? e + 1 : NULL;
    }
    int cur = K_NONE;
    for (char *l = copy; l;) {
        char *e = strchr(l, '\n');
        if (e)
            *e = '\0';
        const char *v;
        int k = ms_key_line(l, &v);
        if (k > 0 && k != K_IGNORE) {
            char key[48];
            size_t kl = (size_t)(v - l);
            snprintf(key, sizeof(key), "%.*s", (int)(kl < 47 ? kl : 47), l);
            char *colon = strrchr(key, ':');
            if (colon)
                *colon = '\0';
            ms_apply_key(c, k, key, v, 0);
            cur = k;
        } else if (k == K_IGNORE) {
            cur = K_IGNORE;
        } else if (k == K_NONE && known >= 2) {
            ms_note_add(&c->w->notes_begin, l);
            cur = K_NOTES;
        } else if (*l) {
            const char *ws = warning_sentence(l);
            if (ms_starts_ci(l, "rated ") && parse_rating(l) >= 0) {
                ms_apply_key(c, K_RATING, "Rated", l, 0);
            } else if (ms_starts_ci(l, "by ") && ms_words(l) <= 5) {
                ms_apply_key(c, K_AUTHOR, "By", l + 3, 0);
            } else if (ws) {
                ms_apply_warnings(c, ws);
                cur = K_WARNINGS;
            } else if (cur == K_SUMMARY) {
                append_text(&c->w->summary, l, "\n");
            } else if (cur == K_WARNINGS) {
                ms_apply_warnings(c, l);
            } else if (cur == K_IGNORE) {
                /* continuation of an ignored key */
            } else {
                append_text(&c->w->notes_begin, l, cur == K_NOTES ? "\n" : "\n\n");
                ms_note_scan(c, l);
                cur = K_NOTES;
            }
        }
        l = e ? e + 1 : NULL;
    }
    free(copy);
}

/* Does the block at i start a header block: its first line a known key, "Rated X", "by X"? */
static int header_start(const struct ms_block *b)
{
    const char *v;
    if (b->kind != MSB_PARA || ms_is_quote_start(b->text))
        return 0;
    char first[256];
    size_t n = strcspn(b->text, "\n");
    snprintf(first, sizeof(first), "%.*s", (int)(n < 255 ? n : 255), b->text);
    int k = ms_key_line(first, &v);
    if (k > 0)
        return 1;
    if (ms_starts_ci(first, "rated ") && parse_rating(first) >= 0 && ms_words(first) <= 6)
        return 1;
    if (ms_starts_ci(first, "by ") && ms_words(first) <= 5 && b->nlines <= 3 &&
        !ms_ends_sentence(first))
        return 1;
    return warning_sentence(first) != NULL;
}

/* "Chapter One: Title" with header lines right under it in the same paragraph (Summary:,
 * Disclaimer:): the lines are the work's header, the block keeps only its heading. Plain text
 * only; Markdown and HTML headings are blocks of their own. */
static void split_heading_block(struct ms_ctx *c, struct ms_doc *d, struct ms_block *b)
{
    if (d->fmt == MS_MARKDOWN || d->fmt == MS_HTML || b->raw || b->nlines < 2)
        return;
    char *nl = strchr(b->text, '\n');
    const char *v;
    *nl = '\0';
    char *ct = NULL;
    int heading = ms_chapter_heading(b->text, &ct);
    free(ct);
    char line[256];
    size_t m = strcspn(nl + 1, "\n");
    snprintf(line, sizeof(line), "%.*s", (int)(m < 255 ? m : 255), nl + 1);
    if (!heading || ms_key_line(line, &v) <= 0 || ms_note_label(line, &v)) {
        *nl = '\n';
        return;
    }
    header_lines(c, nl + 1);
    b->nlines = 1; /* text ends at the heading now */
}

/* A manuscript that opens on its first chapter heading may give the work's header blocks
 * under it (Summary:, Disclaimer:, Rating:): they are the work's, not the chapter's story. */
static void header_after_heading(struct ms_ctx *c, struct ms_doc *d, size_t h)
{
    size_t last = h + 1;
    for (size_t j = h + 1; j < d->n; j++) {
        if (d->b[j].kind == MSB_PARA && d->b[j].role == MSR_BODY && !d->b[j].hlevel)
            last = j; /* some story must remain after the header */
    }
    for (size_t j = h + 1; j < last; j++) {
        struct ms_block *b = &d->b[j];
        const char *rest;
        if (b->kind != MSB_PARA || b->hlevel || !header_start(b) || ms_note_label(b->text, &rest))
            break; /* an author's note under the heading is the chapter's */
        header_lines(c, b->text);
        b->role = MSR_DROP;
    }
}

/* The top of the manuscript: an optional title line (possibly followed by header lines in
 * the same block), then header blocks, notes, disclaimers, warnings and separator lines,
 * until the first block of story or a chapter heading. *pos moves past what was consumed. */
void ms_scan_header(struct ms_ctx *c, struct ms_doc *d, size_t *pos)
{
    size_t i = *pos;
    while (i < d->n && d->b[i].kind == MSB_BREAK)
        d->b[i++].role = MSR_DROP;
    size_t opening = i; /* the manuscript's first block */
    if (i + 1 < d->n && d->b[i].kind == MSB_PARA && d->b[i].hlevel <= 1) {
        struct ms_block *b = &d->b[i];
        char first[512];
        size_t n = strcspn(b->text, "\n");
        snprintf(first, sizeof(first), "%.*s", (int)(n < 511 ? n : 511), b->text);
        const char *v;
        int rest_is_header = 1;
        if (b->nlines > 1) {
            const char *second = b->text + n + 1;
            char sl[256];
            size_t m = strcspn(second, "\n");
            snprintf(sl, sizeof(sl), "%.*s", (int)(m < 255 ? m : 255), second);
            rest_is_header = ms_key_line(sl, &v) > 0 ||
                             (ms_starts_ci(sl, "by ") && ms_words(sl) <= 5) ||
                             (ms_starts_ci(sl, "rated ") && parse_rating(sl) >= 0);
        }
        if (rest_is_header && ms_title_line(first) &&
            (d->fmt != MS_MARKDOWN || b->hlevel == 1 || b->nlines > 1 || d->b[i + 1].hlevel == 0)) {
            if (!c->title_from_key)
                ms_set_title(c, first);
            else if (c->w->title && strcasecmp(c->w->title, first) != 0 && b->hlevel == 0 &&
                     d->fmt != MS_HTML)
                goto no_title;
            b->role = MSR_DROP;
            if (b->nlines > 1)
                header_lines(c, b->text + n + 1);
            i++;
        }
    }
no_title:
    while (i < d->n) {
        struct ms_block *b = &d->b[i];
        if (b->kind == MSB_BREAK) {
            b->role = MSR_DROP;
            i++;
            continue;
        }
        if (b->kind != MSB_PARA || b->hlevel > 1)
            break;
        split_heading_block(c, d, b);
        char *ct = NULL;
        if (ms_chapter_heading(b->text, &ct)) {
            free(ct);
            if (i == opening)
                header_after_heading(c, d, i);
            break;
        }
        const char *t = b->text, *rest;
        if ((t[0] == '[' || t[0] == '(')) {
            long e = bracket_end(d, i, d->n);
            if (e < 0)
                break;
            const char *inner = t + 1;
            while (*inner == ' ')
                inner++;
            const char *v;
            char first[256];
            size_t fn = strcspn(inner, "\n");
            snprintf(first, sizeof(first), "%.*s", (int)(fn < 255 ? fn : 255), inner);
            int k = ms_key_line(first, &v);
            if (k > 0 && k != K_NOTES) {
                for (long j = (long)i; j <= e; j++) {
                    char *x = strdup(d->b[j].text);
                    if (!x)
                        break;
                    char *xs = x;
                    if (j == (long)i)
                        xs++;
                    size_t xl = strlen(xs);
                    if (j == e && xl > 0)
                        xs[xl - 1] = '\0';
                    header_lines(c, xs);
                    free(x);
                    d->b[j].role = MSR_DROP;
                }
                i = (size_t)e + 1;
                continue;
            }
            if (ms_note_label(inner, &rest) || ms_notey(inner, 0) || e > (long)i ||
                ms_words(t) <= 60) {
                ms_collect_notes(c, d, i, (size_t)e + 1, &c->w->notes_begin);
                i = (size_t)e + 1;
                continue;
            }
            break;
        }
        if (ms_is_quote_start(t))
            break;
        if (ms_note_label(t, &rest) && ms_key_line(t, &rest) <= 0) {
            ms_collect_notes(c, d, i, i + 1, &c->w->notes_begin);
            i++;
            continue;
        }
        if (header_start(b)) {
            header_lines(c, t);
            b->role = MSR_DROP;
            i++;
            continue;
        }
        if (ms_notey(t, 0) && i + 1 < d->n) {
            ms_collect_notes(c, d, i, i + 1, &c->w->notes_begin);
            i++;
            continue;
        }
        break;
    }
    *pos = i;
}
