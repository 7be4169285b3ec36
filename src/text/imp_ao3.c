/* imp_ao3.c: AO3's download layout, read from a gumbo tree: the preface (the tag list, the
 * title, the byline, "Summary" and "Notes" with their blockquotes), chapters ("Chapter N:
 * Title" headings, "Chapter Summary", "Chapter Notes", the chapter's text in a userstuff
 * div, "Chapter End Notes") and the afterword's "End Notes". ficd's own HTML and EPUB exports
 * use the same layout, so the EPUB reader walks their documents with it too. */
#include "core/err.h"
#include "core/hash.h"
#include "text/imp_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WALK_MAX_DEPTH 300

enum label {
    L_NONE = 0,
    L_SUMMARY,
    L_NOTES,
    L_END_NOTES,
    L_CH_SUMMARY,
    L_CH_NOTES,
    L_CH_END_NOTES,
};

void imp_walk_init(struct imp_walk *st, struct work *w, int max_chapters)
{
    memset(st, 0, sizeof(*st));
    st->w = w;
    st->max_chapters = max_chapters > 0 ? max_chapters : MS_MAX_CHAPTERS_DEFAULT;
}

static const GumboVector *children(const GumboNode *n)
{
    if (n->type == GUMBO_NODE_ELEMENT)
        return &n->v.element.children;
    if (n->type == GUMBO_NODE_DOCUMENT)
        return &n->v.document.children;
    return NULL;
}

/* The label a short element's text names, or L_NONE. */
static enum label label_of(const GumboNode *n)
{
    if (!imp_is(n, GUMBO_TAG_P) && !imp_is(n, GUMBO_TAG_H2) && !imp_is(n, GUMBO_TAG_H3) &&
        !imp_is(n, GUMBO_TAG_H4))
        return L_NONE;
    char *t = imp_text_dup(n);
    if (!t)
        return L_NONE;
    size_t len = strlen(t);
    if (len && t[len - 1] == ':')
        t[--len] = '\0';
    static const struct {
        const char *s;
        enum label l;
    } names[] = {{"Summary", L_SUMMARY},          {"Notes", L_NOTES},
                 {"Work Notes", L_NOTES},         {"End Notes", L_END_NOTES},
                 {"Work End Notes", L_END_NOTES}, {"Chapter Summary", L_CH_SUMMARY},
                 {"Chapter Notes", L_CH_NOTES},   {"Chapter End Notes", L_CH_END_NOTES}};
    enum label l = L_NONE;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcasecmp(t, names[i].s))
            l = names[i].l;
    free(t);
    return l;
}

static struct chapter *new_chapter(struct imp_walk *st)
{
    if ((int)st->w->nchapters >= st->max_chapters) {
        if (!st->rc) {
            st->rc = FICD_ETOOBIG;
            snprintf(st->errmsg, sizeof(st->errmsg), "more than %d chapters; the limit is %d",
                     st->max_chapters, st->max_chapters);
        }
        return NULL;
    }
    st->cur = work_add_chapter(st->w);
    if (!st->cur && !st->rc)
        st->rc = FICD_ENOMEM;
    return st->cur;
}

static int is_chapter_heading(struct imp_walk *st, const GumboNode *n)
{
    if (!imp_is(n, GUMBO_TAG_H2) && !imp_is(n, GUMBO_TAG_H3))
        return 0;
    if (imp_has_class(n, "toc-heading"))
        return 0;
    if (imp_has_class(n, "heading"))
        return 1;
    if (!st->heading_text_rule)
        return 0;
    char *t = imp_text_dup(n);
    int yes = t && !strncasecmp(t, "Chapter ", 8) && isdigit((unsigned char)t[8]);
    free(t);
    return yes;
}

static void heading(struct imp_walk *st, const GumboNode *n)
{
    if (!new_chapter(st))
        return;
    st->headings++;
    char *t = imp_text_dup(n);
    /* a one-chapter export headed with the work's own title has no chapter title */
    if (t && st->w->title && !strcmp(t, st->w->title) && strncasecmp(t, "Chapter ", 8)) {
        free(t);
        return;
    }
    st->cur->title = imp_chapter_title(t);
    free(t);
}

/* A definition list of tags: dt "Label:" then dd values (links, or comma-separated). */
static int tag_list(struct imp_walk *st, const GumboNode *dl)
{
    const GumboVector *ch = children(dl);
    int known = 0;
    char *label = NULL;
    for (unsigned i = 0; ch && i < ch->length; i++) {
        const GumboNode *c = ch->data[i];
        if (imp_is(c, GUMBO_TAG_DT)) {
            free(label);
            label = imp_text_dup(c);
            if (label) {
                size_t n = strlen(label);
                if (n && label[n - 1] == ':')
                    label[n - 1] = '\0';
                imp_trim(label);
            }
        } else if (imp_is(c, GUMBO_TAG_DD) && label) {
            struct strlist v;
            strlist_init(&v);
            char *text = imp_text_dup(c);
            const GumboVector *dc = children(c);
            for (unsigned k = 0; dc && k < dc->length; k++)
                if (imp_is(dc->data[k], GUMBO_TAG_A)) {
                    char *a = imp_text_dup(dc->data[k]);
                    if (a)
                        strlist_add(&v, a);
                    free(a);
                }
            if (!v.n)
                imp_split(&v, text);
            if (text && imp_meta_field(st->w, label, &v, text))
                known++;
            strlist_free(&v);
            free(text);
            free(label);
            label = NULL;
        }
    }
    free(label);
    return known;
}

static int looks_like_tag_list(const GumboNode *dl)
{
    const GumboVector *ch = children(dl);
    for (unsigned i = 0; ch && i < ch->length; i++)
        if (imp_is(ch->data[i], GUMBO_TAG_DT)) {
            char *t = imp_text_dup(ch->data[i]);
            int yes = t && (!strncasecmp(t, "Rating", 6) || !strncasecmp(t, "Fandom", 6) ||
                            !strncasecmp(t, "Archive Warning", 15) || !strncasecmp(t, "Stats", 5));
            free(t);
            if (yes)
                return 1;
        }
    return 0;
}

static void byline(struct imp_walk *st, const GumboNode *n)
{
    struct work *w = st->w;
    if (w->creators.n)
        return;
    const GumboVector *ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; i++)
        if (imp_is(ch->data[i], GUMBO_TAG_A)) {
            char *a = imp_text_dup(ch->data[i]);
            if (a) {
                /* AO3 shows a pseud as "pseud (login)": the pseud is the creator's name */
                char *paren = strstr(a, " (");
                if (paren && a[strlen(a) - 1] == ')')
                    *paren = '\0';
                strlist_add_unique(&w->creators, a);
            }
            free(a);
        }
    if (w->creators.n)
        return;
    char *t = imp_text_dup(n);
    if (t) {
        const char *p = t;
        if (!strncasecmp(p, "by ", 3))
            p += 3;
        imp_split(&w->creators, p);
    }
    free(t);
}

/* Whether a userstuff div is a container (the chapters wrapper) rather than a body. */
static int holds_chapters(const GumboNode *n, int depth)
{
    const GumboVector *ch = children(n);
    if (depth > 4)
        return 0;
    for (unsigned i = 0; ch && i < ch->length; i++) {
        const GumboNode *c = ch->data[i];
        if (c->type != GUMBO_NODE_ELEMENT)
            continue;
        if ((imp_is(c, GUMBO_TAG_DIV) && imp_has_class(c, "userstuff")) ||
            ((imp_is(c, GUMBO_TAG_H2) || imp_is(c, GUMBO_TAG_H3)) && imp_has_class(c, "heading")) ||
            (imp_is(c, GUMBO_TAG_DIV) && imp_has_class(c, "meta")))
            return 1;
        if ((imp_is(c, GUMBO_TAG_DIV) || imp_is(c, GUMBO_TAG_SECTION)) &&
            holds_chapters(c, depth + 1))
            return 1;
    }
    return 0;
}

static void body(struct imp_walk *st, const GumboNode *n)
{
    if (!st->cur || (st->cur->html && *st->cur->html))
        if (!new_chapter(st))
            return;
    struct buf b = BUF_INIT;
    imp_inner_html(n, &b);
    int rc = b.err ? b.err : imp_chapter_body(st->cur, buf_str(&b), b.len);
    buf_free(&b);
    if (rc && !st->rc)
        st->rc = rc;
    st->bodies++;
}

static void labelled(struct imp_walk *st, const GumboNode *bq)
{
    struct work *w = st->w;
    char *t = imp_text_dup(bq);
    char **dst = NULL;
    switch (st->pending) {
    case L_SUMMARY:
        dst = st->cur ? &st->cur->summary : &w->summary;
        break;
    case L_NOTES:
        dst = st->cur ? &st->cur->notes_begin : &w->notes_begin;
        break;
    case L_END_NOTES:
        dst = &w->notes_end;
        break;
    case L_CH_SUMMARY:
    case L_CH_NOTES:
    case L_CH_END_NOTES:
        if (!st->cur && !new_chapter(st))
            break;
        dst = st->pending == L_CH_SUMMARY ? &st->cur->summary
              : st->pending == L_CH_NOTES ? &st->cur->notes_begin
                                          : &st->cur->notes_end;
        break;
    default:
        break;
    }
    if (dst) {
        free(*dst);
        *dst = t;
        t = NULL;
        st->labels++;
    }
    free(t);
    st->pending = L_NONE;
}

static void use(struct imp_walk *st, const GumboNode *n)
{
    if (st->nused < (int)(sizeof(st->used) / sizeof(st->used[0])))
        st->used[st->nused++] = n;
}

int imp_walk_used(const struct imp_walk *st, const GumboNode *n)
{
    for (int i = 0; i < st->nused; i++)
        if (st->used[i] == n)
            return 1;
    return 0;
}

static void walk(struct imp_walk *st, const GumboNode *n, int depth)
{
    if (st->rc || depth > WALK_MAX_DEPTH)
        return;
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
        return;
    if (n->type == GUMBO_NODE_ELEMENT) {
        GumboTag t = n->v.element.tag;
        if (t == GUMBO_TAG_HEAD || t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE ||
            t == GUMBO_TAG_NAV)
            return;
        if (imp_has_class(n, "message") || imp_has_class(n, "endnote-link") ||
            imp_has_class(n, "toc-heading")) {
            st->marks++;
            use(st, n);
            return;
        }
        const char *id = imp_attr(n, "id");
        if (id && (!strcmp(id, "preface") || !strcmp(id, "afterword")))
            st->marks++; /* AO3's layout, even when a converter renamed its classes */
        if (t == GUMBO_TAG_DL && looks_like_tag_list(n)) {
            if (tag_list(st, n))
                st->meta++;
            use(st, n);
            return;
        }
        if (t == GUMBO_TAG_H1 && !st->cur) {
            if (!st->w->title)
                st->w->title = imp_text_dup(n);
            use(st, n);
            return;
        }
        if (imp_has_class(n, "byline")) {
            if (!st->cur)
                byline(st, n);
            use(st, n);
            return;
        }
        if (is_chapter_heading(st, n)) {
            heading(st, n);
            use(st, n);
            return;
        }
        enum label l = label_of(n);
        if (l != L_NONE) {
            st->pending = l;
            use(st, n);
            return;
        }
        if (t == GUMBO_TAG_BLOCKQUOTE) {
            if (st->pending) {
                labelled(st, n);
                use(st, n);
            }
            return;
        }
        if ((t == GUMBO_TAG_DIV || t == GUMBO_TAG_SECTION) && imp_has_class(n, "userstuff") &&
            !holds_chapters(n, 0)) {
            body(st, n);
            return;
        }
    }
    const GumboVector *ch = children(n);
    for (unsigned i = 0; ch && i < ch->length; i++)
        walk(st, ch->data[i], depth + 1);
}

void imp_walk(struct imp_walk *st, const GumboNode *n)
{
    walk(st, n, 0);
}

int import_ao3_html(const char *html, size_t n, const struct ms_opts *opts, struct work *out,
                    struct text_err *err)
{
    work_init(out);
    out->draft = 1;
    GumboOptions go = kGumboDefaultOptions;
    go.max_errors = 1000;
    GumboOutput *g = gumbo_parse_with_options(&go, html, n);
    if (!g)
        return FICD_ENOMEM;
    struct imp_walk st;
    imp_walk_init(&st, out, opts ? opts->max_chapters : 0);
    st.heading_text_rule = 1;
    imp_walk(&st, g->root);
    /* the <title> ("Title - Creator - Fandom") when the preface had no h1 */
    if (!st.rc && !out->title) {
        const GumboNode *t = imp_find(g->root, GUMBO_TAG_TITLE);
        char *s = t ? imp_text_dup(t) : NULL;
        if (s) {
            char *dash = strstr(s, " - ");
            if (dash)
                *dash = '\0';
            out->title = s;
        }
    }
    gumbo_destroy_output(&go, g);
    int rc = st.rc;
    if (rc) {
        snprintf(err->msg, sizeof(err->msg), "%s", st.errmsg[0] ? st.errmsg : ficd_strerror(rc));
        work_free(out);
        return rc;
    }
    if (!imp_drop_empty_chapters(out)) {
        snprintf(err->msg, sizeof(err->msg),
                 "an AO3 download without any chapter text (no userstuff section found)");
        work_free(out);
        return FICD_EINVAL;
    }
    if (!out->title && !(out->title = strdup("Untitled"))) {
        work_free(out);
        return FICD_ENOMEM;
    }
    if (out->expected_chapters < 0)
        out->expected_chapters = (int)out->nchapters;
    return 0;
}
