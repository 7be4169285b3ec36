/* imp_util.c: helpers of the importers from elsewhere: gumbo tree text and HTML, chapter
 * bodies through the sanitizer, and the mapping of AO3-style tag labels onto a work. */
#include "core/err.h"
#include "core/html.h"
#include "text/html_tok.h"
#include "text/imp_int.h"
#include "text/sanitize.h"
#include "text/wordcount.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define IMP_MAX_DEPTH 400

const char *imp_attr(const GumboNode *n, const char *name)
{
    if (!n || n->type != GUMBO_NODE_ELEMENT)
        return NULL;
    const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

int imp_has_class(const GumboNode *n, const char *cls)
{
    const char *c = imp_attr(n, "class");
    size_t len = strlen(cls);
    while (c && *c) {
        while (*c && isspace((unsigned char)*c))
            c++;
        const char *e = c;
        while (*e && !isspace((unsigned char)*e))
            e++;
        if ((size_t)(e - c) == len && !strncasecmp(c, cls, len))
            return 1;
        c = e;
    }
    return 0;
}

int imp_is(const GumboNode *n, GumboTag tag)
{
    return n && n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == tag;
}

static int is_block(GumboTag t)
{
    switch (t) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_PRE:
        return 1;
    default:
        return 0;
    }
}

/* Raw text collection: '\x01' marks a paragraph end, '\x02' a line end (<br>). */
static void text_raw(const GumboNode *n, struct buf *out, int depth)
{
    if (depth > IMP_MAX_DEPTH)
        return;
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        buf_puts(out, n->v.text.text);
        return;
    }
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
        return;
    if (n->type == GUMBO_NODE_ELEMENT) {
        GumboTag t = n->v.element.tag;
        if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_HEAD)
            return;
        if (t == GUMBO_TAG_BR) {
            buf_putc(out, '\x02');
            return;
        }
    }
    const GumboVector *ch =
        n->type == GUMBO_NODE_ELEMENT ? &n->v.element.children : &n->v.document.children;
    int block = n->type == GUMBO_NODE_ELEMENT && is_block(n->v.element.tag);
    if (block)
        buf_putc(out, '\x01');
    for (unsigned i = 0; i < ch->length; i++)
        text_raw(ch->data[i], out, depth + 1);
    if (block)
        buf_putc(out, '\x01');
}

void imp_text(const GumboNode *n, struct buf *out)
{
    struct buf raw = BUF_INIT;
    text_raw(n, &raw, 0);
    const char *s = buf_str(&raw);
    /* normalise: spaces collapse; '\n' ends a line; '\x01' runs end a paragraph */
    int pending_space = 0, pending_nl = 0, pending_par = 0, any = 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\x01') {
            pending_par = 1;
            continue;
        }
        if (c == '\x02') {
            pending_nl = 1;
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            pending_space = 1;
            continue;
        }
        if (any) {
            if (pending_par)
                buf_puts(out, "\n\n");
            else if (pending_nl)
                buf_putc(out, '\n');
            else if (pending_space)
                buf_putc(out, ' ');
        }
        pending_space = pending_nl = pending_par = 0;
        buf_putc(out, (char)c);
        any = 1;
    }
    buf_free(&raw);
}

char *imp_text_dup(const GumboNode *n)
{
    struct buf b = BUF_INIT;
    imp_text(n, &b);
    if (!b.len || b.err) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

static void html_node(const GumboNode *n, struct buf *out, int depth);

static void html_children(const GumboNode *n, struct buf *out, int depth)
{
    if (n->type != GUMBO_NODE_ELEMENT)
        return;
    const GumboVector *ch = &n->v.element.children;
    for (unsigned i = 0; i < ch->length; i++)
        html_node(ch->data[i], out, depth + 1);
}

static void html_node(const GumboNode *n, struct buf *out, int depth)
{
    if (depth > IMP_MAX_DEPTH)
        return;
    switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_CDATA:
        html_text(out, n->v.text.text);
        return;
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
        break;
    default:
        return;
    }
    const GumboElement *e = &n->v.element;
    const char *name = gumbo_normalized_tagname(e->tag);
    char buf[64];
    if (e->tag == GUMBO_TAG_UNKNOWN) {
        GumboStringPiece p = e->original_tag;
        gumbo_tag_from_original_text(&p);
        size_t k = 0;
        for (; k < p.length && k + 1 < sizeof(buf); k++)
            buf[k] = (char)tolower((unsigned char)p.data[k]);
        buf[k] = '\0';
        name = buf;
        /* tag names with ':' (epub:switch and the like) carry nothing the sanitizer keeps */
        if (!*name || strchr(name, ':')) {
            html_children(n, out, depth);
            return;
        }
    }
    buf_putc(out, '<');
    buf_puts(out, name);
    for (unsigned i = 0; i < e->attributes.length; i++) {
        const GumboAttribute *a = e->attributes.data[i];
        if (strchr(a->name, ':') || strchr(a->name, '"') || strchr(a->name, '<'))
            continue;
        buf_putc(out, ' ');
        buf_puts(out, a->name);
        buf_puts(out, "=\"");
        html_attr(out, a->value);
        buf_putc(out, '"');
    }
    buf_putc(out, '>');
    if (ht_is_void_tag(e->tag))
        return;
    html_children(n, out, depth);
    buf_puts(out, "</");
    buf_puts(out, name);
    buf_putc(out, '>');
}

void imp_inner_html(const GumboNode *n, struct buf *out)
{
    html_children(n, out, 0);
}

void imp_outer_html(const GumboNode *n, struct buf *out)
{
    html_node(n, out, 0);
}

char *import_plain_text(const void *gumbo_node)
{
    return imp_text_dup(gumbo_node);
}

const GumboNode *imp_find(const GumboNode *n, GumboTag tag)
{
    if (!n)
        return NULL;
    if (imp_is(n, tag))
        return n;
    const GumboVector *ch = n->type == GUMBO_NODE_ELEMENT    ? &n->v.element.children
                            : n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children
                                                             : NULL;
    if (!ch)
        return NULL;
    for (unsigned i = 0; i < ch->length; i++) {
        const GumboNode *r = imp_find(ch->data[i], tag);
        if (r)
            return r;
    }
    return NULL;
}

int imp_chapter_body(struct chapter *c, const char *html, size_t n)
{
    char *clean = sanitize_html(html, n);
    if (!clean)
        return FICD_ENOMEM;
    free(c->html);
    c->html = clean;
    c->words = wordcount_html(clean);
    return 0;
}

char *imp_trim(char *s)
{
    if (!s)
        return s;
    char *p = s;
    while (*p && isspace((unsigned char)*p))
        p++;
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    memmove(s, p, n);
    s[n] = '\0';
    return s;
}

int imp_set(char **dst, const char *s)
{
    free(*dst);
    *dst = NULL;
    if (!s)
        return 0;
    char *c = strdup(s);
    if (!c)
        return FICD_ENOMEM;
    imp_trim(c);
    if (!*c) {
        free(c);
        return 0;
    }
    *dst = c;
    return 0;
}

char *imp_chapter_title(const char *heading)
{
    if (!heading)
        return NULL;
    const char *p = heading;
    while (isspace((unsigned char)*p))
        p++;
    if (!strncasecmp(p, "chapter", 7) && (isspace((unsigned char)p[7]))) {
        const char *q = p + 8;
        while (isspace((unsigned char)*q))
            q++;
        if (isdigit((unsigned char)*q)) {
            while (isdigit((unsigned char)*q))
                q++;
            while (isspace((unsigned char)*q))
                q++;
            if (!*q)
                return NULL;
            if (*q == ':' || *q == '.' || *q == '-') {
                q++;
                while (isspace((unsigned char)*q))
                    q++;
                p = *q ? q : p;
                if (!*q)
                    return NULL;
            }
        }
    }
    /* "1. Spring" (FanFicFare numbers chapter titles) */
    const char *q = p;
    while (isdigit((unsigned char)*q))
        q++;
    if (q > p && q - p < 5 && *q == '.' && q[1] == ' ' && q[2])
        p = q + 2;
    char *t = strdup(p);
    if (t && !*imp_trim(t)) {
        free(t);
        return NULL;
    }
    return t;
}

void imp_series(struct work *w, const char *s)
{
    if (!s)
        return;
    while (isspace((unsigned char)*s))
        s++;
    char *copy = strdup(s), *name = NULL;
    if (!copy)
        return;
    /* several series ("Part 1 of A, Part 3 of B"): the first */
    int pos = 0;
    if (!strncasecmp(copy, "part ", 5) && isdigit((unsigned char)copy[5])) {
        char *p = copy + 5;
        pos = atoi(p);
        while (isdigit((unsigned char)*p))
            p++;
        while (isspace((unsigned char)*p))
            p++;
        if (!strncasecmp(p, "of ", 3))
            name = p + 3;
        if (name) {
            char *next = strstr(name, ", Part ");
            if (next)
                *next = '\0';
        }
    } else {
        name = copy;
        size_t n = strlen(name);
        while (n && isspace((unsigned char)name[n - 1]))
            name[--n] = '\0';
        if (n && name[n - 1] == ']') {
            char *open = strrchr(name, '[');
            if (open && isdigit((unsigned char)open[1])) {
                pos = atoi(open + 1);
                *open = '\0';
            }
        } else {
            char *hash = strrchr(name, '#');
            if (hash && hash > name && isdigit((unsigned char)hash[1])) {
                char *e = hash + 1;
                while (isdigit((unsigned char)*e))
                    e++;
                if (!*e) {
                    pos = atoi(hash + 1);
                    *hash = '\0';
                }
            }
        }
    }
    if (name && *imp_trim(name)) {
        imp_set(&w->series, name);
        w->series_position = pos > 0 ? pos : 1;
    }
    free(copy);
}

void imp_split(struct strlist *l, const char *s)
{
    if (!s)
        return;
    while (*s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (n)
            strlist_addn(l, s, n);
        if (!e)
            break;
        s = e + 1;
    }
}

long long import_parse_date(const char *s)
{
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) < 3)
        return 0;
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (long long)timegm(&tm);
}

/* Stats: "Published: 2019-03-04 Completed: 2019-05-06 Words: 1,234 Chapters: 3/3". */
static void stats(struct work *w, const char *text)
{
    const char *p = strcasestr(text, "Published:");
    if (p) {
        long long t = import_parse_date(p + 10);
        if (t > 0)
            w->published = t;
    }
    p = strcasestr(text, "Completed:");
    if (!p)
        p = strcasestr(text, "Updated:");
    if (p) {
        long long t = import_parse_date(strchr(p, ':') + 1);
        if (t > 0)
            w->updated = t;
    }
    p = strcasestr(text, "Chapters:");
    if (p) {
        p += 9;
        while (isspace((unsigned char)*p))
            p++;
        const char *slash = strchr(p, '/');
        if (slash) {
            slash++;
            w->expected_chapters = isdigit((unsigned char)*slash) ? atoi(slash) : 0;
        }
    }
}

static int label_is(const char *label, const char *one, const char *many)
{
    return !strcasecmp(label, one) || (many && !strcasecmp(label, many));
}

static void add_all(struct strlist *dst, const struct strlist *v)
{
    for (size_t i = 0; i < v->n; i++)
        strlist_add_unique(dst, v->v[i]);
}

int imp_meta_field(struct work *w, const char *label, const struct strlist *v, const char *text)
{
    if (label_is(label, "Rating", "Ratings")) {
        for (size_t i = 0; i < v->n; i++) {
            int r = rating_parse(v->v[i]);
            if (r >= 0) {
                w->rating = (enum rating)r;
                w->rating_declared = 1;
                break;
            }
        }
    } else if (label_is(label, "Archive Warning", "Archive Warnings") ||
               label_is(label, "Warning", "Warnings")) {
        for (size_t i = 0; i < v->n; i++) {
            unsigned b = warning_parse(v->v[i]);
            if (b)
                w->warnings |= b;
            else if (strcasecmp(v->v[i], "none"))
                strlist_add_unique(&w->freeforms, v->v[i]);
        }
    } else if (label_is(label, "Category", "Categories") &&
               (v->n == 0 || category_parse(v->v[0]))) {
        for (size_t i = 0; i < v->n; i++)
            w->categories |= category_parse(v->v[i]);
    } else if (label_is(label, "Fandom", "Fandoms") || label_is(label, "Category", NULL) ||
               label_is(label, "Categories", NULL)) {
        /* FanFicFare calls a fanfiction.net story's fandom its "Category" */
        add_all(&w->fandoms, v);
    } else if (label_is(label, "Relationship", "Relationships") ||
               label_is(label, "Pairing", "Pairings") || label_is(label, "Ships", NULL)) {
        add_all(&w->relationships, v);
    } else if (label_is(label, "Character", "Characters")) {
        add_all(&w->characters, v);
    } else if (label_is(label, "Additional Tags", "Additional Tag") ||
               label_is(label, "Freeform Tags", "Genre") || label_is(label, "Extra Tags", "Tags")) {
        add_all(&w->freeforms, v);
    } else if (label_is(label, "Language", NULL)) {
        imp_set(&w->language, text);
    } else if (label_is(label, "Series", NULL)) {
        imp_series(w, text);
    } else if (label_is(label, "Stats", NULL)) {
        stats(w, text);
    } else if (label_is(label, "Published", NULL)) {
        long long t = import_parse_date(text);
        if (t > 0)
            w->published = t;
    } else if (label_is(label, "Status", NULL)) {
        if (strcasestr(text, "complete"))
            w->expected_chapters = -1; /* settled against the chapter count at the end */
        else
            w->expected_chapters = 0;
    } else if (label_is(label, "Summary", "Description")) {
        imp_set(&w->summary, text);
    } else if (label_is(label, "Collections", "Collection") || label_is(label, "Words", NULL) ||
               label_is(label, "Chapters", NULL) || label_is(label, "Updated", NULL) ||
               label_is(label, "Completed", NULL) || label_is(label, "Packaged", NULL) ||
               label_is(label, "Source", "Publisher") || label_is(label, "Site", NULL)) {
        /* known and deliberately not carried: recomputed or about the other archive */
    } else {
        return 0;
    }
    return 1;
}

int imp_header_lines(struct work *w, const char *text)
{
    int found = 0;
    const char *p = text;
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char line[4096];
        if (n >= sizeof(line))
            n = sizeof(line) - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        char *colon = strchr(line, ':');
        if (colon && colon - line > 1 && colon - line < 40) {
            *colon = '\0';
            char *label = imp_trim(line), *value = imp_trim(colon + 1);
            struct strlist v;
            strlist_init(&v);
            imp_split(&v, value);
            if (*value && imp_meta_field(w, label, &v, value))
                found++;
            strlist_free(&v);
        }
        p = e ? e + 1 : NULL;
    }
    return found;
}

size_t imp_drop_empty_chapters(struct work *w)
{
    size_t k = 0;
    for (size_t i = 0; i < w->nchapters; i++) {
        struct chapter *c = &w->chapters[i];
        if (!c->html || !*c->html) {
            free(c->title);
            free(c->summary);
            free(c->notes_begin);
            free(c->notes_end);
            free(c->html);
            continue;
        }
        if (k != i)
            w->chapters[k] = *c;
        w->chapters[k].position = (int)k + 1;
        k++;
    }
    w->nchapters = k;
    return k;
}
