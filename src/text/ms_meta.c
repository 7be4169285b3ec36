/* ms_meta.c: the metadata a writer puts at the top of the story: title lines ("Title -
 * A/B"), header blocks of "Key: value" lines (their keys and values are in ms_keys.c),
 * sentence-form warnings, and where the header ends and the story begins. Author's notes and
 * the credits in them are in ms_notes.c. */
#include "text/ms_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
                ms_add_pairings(c, pv, &c->title_sides);
            free(pv);
        }
    } else {
        free(title);
    }
    free(t);
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
            if (ms_starts_ci(l, "rated ") && ms_parse_rating(l) >= 0) {
                ms_apply_key(c, K_RATING, "Rated", l, 0);
            } else if (ms_starts_ci(l, "by ") && ms_words(l) <= 5) {
                ms_apply_key(c, K_AUTHOR, "By", l + 3, 0);
            } else if (ws) {
                ms_apply_warnings(c, ws);
                cur = K_WARNINGS;
            } else if (cur == K_SUMMARY) {
                ms_append_text(&c->w->summary, l, "\n");
            } else if (cur == K_WARNINGS) {
                ms_apply_warnings(c, l);
            } else if (cur == K_IGNORE) {
                /* continuation of an ignored key */
            } else {
                ms_append_text(&c->w->notes_begin, l, cur == K_NOTES ? "\n" : "\n\n");
                ms_note_scan(c, l);
                cur = K_NOTES;
            }
        }
        l = e ? e + 1 : NULL;
    }
    free(copy);
}

/* Written like a title: the first letter a capital (or not ASCII), and at least half of the
 * words of four letters or more capitalised ("The Lantern Keeper", not "Three years later"). */
static int title_cased(const char *s)
{
    if (!isupper((unsigned char)*s) && (unsigned char)*s < 0x80)
        return 0;
    int longw = 0, caps = 0;
    for (const char *p = s; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e - p >= 4) {
            longw++;
            caps += isupper((unsigned char)*p) || (unsigned char)*p >= 0x80;
        }
        p = e;
    }
    return caps * 2 >= longw;
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
    if (ms_starts_ci(first, "rated ") && ms_parse_rating(first) >= 0 && ms_words(first) <= 6)
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
                             (ms_starts_ci(sl, "rated ") && ms_parse_rating(sl) >= 0);
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
no_title:;
    int titled = i > opening || c->title_from_key, noted = 0;
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
            long e = ms_bracket_end(d, i, d->n);
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
        int apart = i + 2 < d->n && d->b[i + 1].kind == MSB_BREAK && i < opening + 4;
        if ((ms_notey(t, 0) || ms_meta_voice(t) || (apart && ms_meta_voice_apart(t))) &&
            i + 1 < d->n) {
            ms_collect_notes(c, d, i, i + 1, &c->w->notes_begin);
            noted = 1;
            i++;
            continue;
        }
        /* the title under a note the writer put above it */
        if (noted && !titled && b->nlines == 1 && i + 1 < d->n && ms_title_line(t) &&
            title_cased(t)) {
            ms_set_title(c, t);
            b->role = MSR_DROP;
            titled = 1;
            i++;
            continue;
        }
        break;
    }
    *pos = i;
}
