/* efiction.c: eFiction's classifications mapped on AO3's (defaults and a mapping file), and
 * its HTML or plain-text story bodies and notes turned into sanitized HTML and plain text. */
#include "text/efiction.h"
#include "core/buf.h"
#include "core/html.h"
#include "text/import.h"
#include "text/sanitize.h"

#include <ctype.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum rule_kind { RK_RATING, RK_CLASS, RK_CLASSTYPE, RK_CATEGORY, RK_CHARACTER };
enum target {
    T_DROP,
    T_WARNING,
    T_CATEGORY,
    T_RELATIONSHIP,
    T_CHARACTER,
    T_FANDOM,
    T_FREEFORM,
    T_RATING
};

struct efmap_rule {
    enum rule_kind kind;
    char *name;
    enum target target;
    char *value; /* the tag name, or NULL: the eFiction name itself */
    int rating;
};

static int add_rule(struct efmap *m, enum rule_kind k, const char *name, enum target t,
                    const char *value, int rating)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 32;
        struct efmap_rule *p = realloc(m->v, cap * sizeof(*p));
        if (!p)
            return -1;
        m->v = p;
        m->cap = cap;
    }
    struct efmap_rule *r = &m->v[m->n++];
    r->kind = k;
    r->name = strdup(name);
    r->target = t;
    r->value = value ? strdup(value) : NULL;
    r->rating = rating;
    return r->name ? 0 : -1;
}

/* The last matching rule wins, so a file's rules override the defaults. */
static const struct efmap_rule *find(const struct efmap *m, enum rule_kind k, const char *name)
{
    for (size_t i = m->n; i > 0; i--)
        if (m->v[i - 1].kind == k && !strcasecmp(m->v[i - 1].name, name))
            return &m->v[i - 1];
    return NULL;
}

static int parse_target(const char *s, enum target *t, const char **value)
{
    static const struct {
        const char *name;
        enum target t;
    } names[] = {{"drop", T_DROP},           {"warning", T_WARNING},
                 {"category", T_CATEGORY},   {"relationship", T_RELATIONSHIP},
                 {"character", T_CHARACTER}, {"fandom", T_FANDOM},
                 {"freeform", T_FREEFORM},   {"additional tag", T_FREEFORM}};
    *value = NULL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t n = strlen(names[i].name);
        if (!strncasecmp(s, names[i].name, n) && (s[n] == '\0' || s[n] == ':')) {
            *t = names[i].t;
            if (s[n] == ':') {
                const char *v = s + n + 1;
                while (isspace((unsigned char)*v))
                    v++;
                if (*v)
                    *value = v;
            }
            return 0;
        }
    }
    return -1;
}

static void defaults(struct efmap *m)
{
    /* ratings eFiction archives commonly used that rating_parse does not know */
    static const struct {
        const char *name;
        int r;
    } ratings[] = {{"All Ages", RATING_GENERAL},     {"Pre-Teen", RATING_GENERAL},
                   {"PG", RATING_GENERAL},           {"Adult", RATING_EXPLICIT},
                   {"Adults Only", RATING_EXPLICIT}, {"Mature Audiences", RATING_MATURE}};
    for (size_t i = 0; i < sizeof(ratings) / sizeof(ratings[0]); i++)
        add_rule(m, RK_RATING, ratings[i].name, T_RATING, NULL, ratings[i].r);
    /* class types by their usual names */
    static const struct {
        const char *name;
        enum target t;
    } types[] = {{"warnings", T_WARNING},
                 {"warning", T_WARNING},
                 {"genres", T_FREEFORM},
                 {"genre", T_FREEFORM},
                 {"pairings", T_RELATIONSHIP},
                 {"pairing", T_RELATIONSHIP},
                 {"relationships", T_RELATIONSHIP},
                 {"ships", T_RELATIONSHIP},
                 {"categories", T_CATEGORY},
                 {"characters", T_CHARACTER},
                 {"fandoms", T_FANDOM}};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        add_rule(m, RK_CLASSTYPE, types[i].name, types[i].t, NULL, 0);
    /* warning classes AO3's warnings name differently */
    static const struct {
        const char *name, *warning;
    } warns[] = {{"Non-Consensual Sex Acts", "Rape/Non-Con"},
                 {"Non-Consensual Sex", "Rape/Non-Con"},
                 {"Non-Con", "Rape/Non-Con"},
                 {"Dub-Con", NULL},
                 {"Graphic Violence", "Graphic Depictions Of Violence"},
                 {"Underage Sex", "Underage"}};
    for (size_t i = 0; i < sizeof(warns) / sizeof(warns[0]); i++)
        add_rule(m, RK_CLASS, warns[i].name, warns[i].warning ? T_WARNING : T_FREEFORM,
                 warns[i].warning, 0);
}

int efmap_load(struct efmap *m, const char *path, char *err, size_t errsz)
{
    memset(m, 0, sizeof(*m));
    defaults(m);
    if (!path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsz, "%s: cannot open the mapping file", path);
        return -1;
    }
    char line[1024];
    int ln = 0, rc = 0;
    static const struct {
        const char *w;
        enum rule_kind k;
    } kinds[] = {{"rating", RK_RATING},
                 {"class", RK_CLASS},
                 {"classtype", RK_CLASSTYPE},
                 {"category", RK_CATEGORY},
                 {"character", RK_CHARACTER}};
    while (!rc && fgets(line, sizeof(line), f)) {
        ln++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
            s[--n] = '\0';
        if (!*s)
            continue;
        char *sp = s;
        while (*sp && !isspace((unsigned char)*sp))
            sp++;
        int kind = -1;
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            if ((size_t)(sp - s) == strlen(kinds[i].w) &&
                !strncasecmp(s, kinds[i].w, (size_t)(sp - s)))
                kind = (int)kinds[i].k;
        char *eq = strstr(sp, " = ");
        if (kind < 0 || !eq) {
            snprintf(err, errsz,
                     "%s:%d: expected 'KIND NAME = TARGET' with KIND rating, class, classtype, "
                     "category or character",
                     path, ln);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *name = sp, *target = eq + 3;
        while (isspace((unsigned char)*name))
            name++;
        n = strlen(name);
        while (n && isspace((unsigned char)name[n - 1]))
            name[--n] = '\0';
        while (isspace((unsigned char)*target))
            target++;
        if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
            name[n - 1] = '\0';
            name++;
        }
        if (!*name) {
            snprintf(err, errsz, "%s:%d: no eFiction name before '='", path, ln);
            rc = -1;
            break;
        }
        if (kind == RK_RATING) {
            int r = rating_parse(target);
            if (r < 0) {
                snprintf(err, errsz,
                         "%s:%d: '%s' is not a rating (General Audiences, Teen And "
                         "Up Audiences, Mature, Explicit, Not Rated)",
                         path, ln, target);
                rc = -1;
                break;
            }
            rc = add_rule(m, RK_RATING, name, T_RATING, NULL, r);
            continue;
        }
        enum target t;
        const char *value;
        if (parse_target(target, &t, &value)) {
            snprintf(err, errsz,
                     "%s:%d: unknown target '%s' (warning, category, relationship, character, "
                     "fandom, freeform or drop)",
                     path, ln, target);
            rc = -1;
            break;
        }
        if (t == T_WARNING && value && !warning_parse(value)) {
            snprintf(err, errsz, "%s:%d: '%s' is not one of AO3's archive warnings", path, ln,
                     value);
            rc = -1;
            break;
        }
        if (t == T_CATEGORY && value && !category_parse(value)) {
            snprintf(err, errsz, "%s:%d: '%s' is not a category (F/F, F/M, Gen, M/M, Multi, Other)",
                     path, ln, value);
            rc = -1;
            break;
        }
        rc = add_rule(m, (enum rule_kind)kind, name, t, value, 0);
    }
    fclose(f);
    return rc;
}

void efmap_free(struct efmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].name);
        free(m->v[i].value);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

static void apply(enum target t, const char *value, const char *name, struct work *w)
{
    const char *v = value ? value : name;
    switch (t) {
    case T_WARNING: {
        unsigned b = warning_parse(v);
        if (b)
            w->warnings |= b;
        else
            strlist_add_unique(&w->freeforms, v);
        break;
    }
    case T_CATEGORY: {
        unsigned b = category_parse(v);
        if (b)
            w->categories |= b;
        else
            strlist_add_unique(&w->freeforms, v);
        break;
    }
    case T_RELATIONSHIP:
        strlist_add_unique(&w->relationships, v);
        break;
    case T_CHARACTER:
        strlist_add_unique(&w->characters, v);
        break;
    case T_FANDOM:
        strlist_add_unique(&w->fandoms, v);
        break;
    case T_FREEFORM:
        strlist_add_unique(&w->freeforms, v);
        break;
    default:
        break;
    }
}

void efmap_rating(const struct efmap *m, const char *rating, struct work *w)
{
    if (!rating || !*rating)
        return;
    const struct efmap_rule *r = find(m, RK_RATING, rating);
    int v = r ? r->rating : rating_parse(rating);
    if (v < 0)
        return;
    w->rating = (enum rating)v;
    w->rating_declared = 1;
}

void efmap_class(const struct efmap *m, const char *classtype, const char *name, struct work *w)
{
    if (!name || !*name)
        return;
    const struct efmap_rule *r = find(m, RK_CLASS, name);
    if (r) {
        apply(r->target, r->value, name, w);
        return;
    }
    const struct efmap_rule *t = classtype ? find(m, RK_CLASSTYPE, classtype) : NULL;
    apply(t ? t->target : T_FREEFORM, NULL, name, w);
}

void efmap_category(const struct efmap *m, const char *name, struct work *w)
{
    if (!name || !*name)
        return;
    const struct efmap_rule *r = find(m, RK_CATEGORY, name);
    apply(r ? r->target : T_FANDOM, r ? r->value : NULL, name, w);
}

void efmap_character(const struct efmap *m, const char *name, struct work *w)
{
    if (!name || !*name)
        return;
    const struct efmap_rule *r = find(m, RK_CHARACTER, name);
    apply(r ? r->target : T_CHARACTER, r ? r->value : NULL, name, w);
}

void efmap_finish(struct work *w)
{
    if (!w->warnings)
        w->warnings = WARN_CHOSE_NOT;
}

/* Block markup: the text's own paragraphs. */
static int has_blocks(const char *s)
{
    static const char *const tags[] = {"<p",  "<br",  "<div",        "<P",
                                       "<BR", "<DIV", "<blockquote", "<BLOCKQUOTE"};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strstr(s, tags[i]))
            return 1;
    return 0;
}

/* Any markup at all ("<b>", "</i>", "<!--"); "<3" is not. */
static int has_tags(const char *s)
{
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
        if (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!')
            return 1;
    return 0;
}

char *efmap_body(const char *text)
{
    if (!text)
        text = "";
    if (has_blocks(text))
        return sanitize_html(text, strlen(text));
    /* text with line ends (and maybe inline markup, kept): blank lines end paragraphs,
     * single line ends are kept as <br> */
    int markup = has_tags(text);
    struct buf b = BUF_INIT;
    const char *p = text;
    while (*p) {
        while (*p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && !((e[0] == '\n' || e[0] == '\r') &&
                       (e[1] == '\n' || (e[1] == '\r' && e[2] == '\n') ||
                        (e[0] == '\r' && e[1] == '\n' && (e[2] == '\n' || e[2] == '\r')))))
            e++;
        const char *end = e;
        while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        buf_puts(&b, "<p>");
        for (const char *q = p; q < end; q++) {
            if (*q == '\r')
                continue;
            if (*q == '\n')
                buf_puts(&b, "<br>");
            else if (markup)
                buf_putc(&b, *q);
            else
                html_textn(&b, q, 1);
        }
        buf_puts(&b, "</p>\n");
        p = e;
    }
    char *raw = buf_take(&b);
    if (!raw)
        return NULL;
    char *clean = sanitize_html(raw, strlen(raw));
    free(raw);
    return clean;
}

char *efmap_plain(const char *text)
{
    if (!text || !*text)
        return NULL;
    struct buf b = BUF_INIT;
    if (has_blocks(text)) {
        buf_puts(&b, text);
    } else {
        /* plain text: line ends become <br> so that the reader keeps them */
        for (const char *q = text; *q; q++) {
            if (*q == '\r')
                continue;
            if (*q == '\n')
                buf_puts(&b, "<br>");
            else
                buf_putc(&b, *q);
        }
    }
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, buf_str(&b), b.len);
    buf_free(&b);
    if (!g)
        return NULL;
    char *t = import_plain_text(g->root);
    gumbo_destroy_output(&kGumboDefaultOptions, g);
    return t;
}

long long efmap_datetime(const char *s)
{
    if (!s)
        return 0;
    long long day = import_parse_date(s);
    if (!day)
        return 0;
    int h = 0, mi = 0, sec = 0;
    const char *t = strchr(s, ' ');
    if (!t)
        t = strchr(s, 'T');
    if (t && sscanf(t + 1, "%2d:%2d:%2d", &h, &mi, &sec) >= 2)
        return day + h * 3600LL + mi * 60LL + sec;
    return day;
}
