/* post_form.c: the work form's values (struct post_form): read from a request or from a
 * stored work, checked, and written into a work (metadata, tags, chapter 1, the readers' and
 * feedback fields), with a list of problems for the form to show. Used by the posting pages
 * (ui_post.c, ui_import.c, ui_chapters.c). */
#include "text/sanitize.h"
#include "text/wordcount.h"
#include "core/html.h"
#include "web/page.h"
#include "web/post_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void post_err_add(struct errs *e, const char *msg)
{
    if (e->n < MAX_ERRS)
        e->v[e->n++] = msg;
}

const char *const post_tag_field[4] = {"fandoms", "relationships", "characters", "freeforms"};
const char *const post_tag_label[4] = {"Fandoms", "Relationships", "Characters", "Additional Tags"};
const enum tag_type post_tag_types[4] = {TAG_FANDOM, TAG_RELATIONSHIP, TAG_CHARACTER, TAG_FREEFORM};

static struct strlist *work_tags(struct work *w, int i)
{
    struct strlist *l[4] = {&w->fandoms, &w->relationships, &w->characters, &w->freeforms};
    return l[i];
}

const char *post_field_or(struct web_req *r, const char *key, const char *def)
{
    const char *v = web_field(r, key);
    return v ? v : def;
}

/* ---- readers' work-form fields (series; the readers engineer's block) ---- */

static void readers_form_from_request(struct web_req *r, struct post_form *f)
{
    f->series = post_field_or(r, "series", "");
    f->series_position = post_field_or(r, "series_position", "");
    f->gift_to = post_field_or(r, "gift_to", "");
    f->co_creators = post_field_or(r, "co_creators", "");
    f->inspired_by = post_field_or(r, "inspired_by", "");
}

static void readers_form_from_work(struct web_req *r, const struct work *w, struct post_form *f)
{
    f->series = web_strdup(r, w->series ? w->series : "");
    f->series_position =
        w->series && w->series_position > 0 ? web_sprintf(r, "%d", w->series_position) : "";
    readers_work_form_values(r, w->id, &f->gift_to, &f->co_creators, &f->inspired_by);
}

/* Checks the series fields and puts them in w (the store lands the work in the creator's
 * series of that title, created when missing). */
static int readers_form_to_work(struct web_req *r, const struct post_form *f, struct work *w,
                                struct errs *e)
{
    const char *assoc =
        readers_check_work_fields(r, w->id, f->gift_to, f->co_creators, f->inspired_by);
    if (assoc)
        post_err_add(e, assoc);
    const char *t = f->series ? f->series : "";
    while (*t == ' ' || *t == '\t')
        t++;
    if (strlen(t) > 255)
        post_err_add(e, "The series title can be at most 255 characters.");
    int pos = 0;
    const char *p = f->series_position ? f->series_position : "";
    if (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (*end || v < 1 || v > 10000)
            post_err_add(e,
                         "The part number in the series must be a whole number from 1 to 10000.");
        else
            pos = (int)v;
    }
    free(w->series);
    w->series = *t ? strdup(t) : NULL;
    w->series_position = *t ? pos : 0;
    return *t && !w->series ? -1 : 0;
}

/* Reads the work form from the request. */
void post_form_from_request(struct web_req *r, struct post_form *f)
{
    memset(f, 0, sizeof(*f));
    strlist_init(&f->pseuds);
    f->title = post_field_or(r, "title", "");
    f->summary = post_field_or(r, "summary", "");
    f->notes_begin = post_field_or(r, "notes_begin", "");
    f->notes_end = post_field_or(r, "notes_end", "");
    f->language = post_field_or(r, "language", "English");
    for (int i = 0; i < 4; i++)
        f->tags[i] = post_field_or(r, post_tag_field[i], "");
    f->expected = post_field_or(r, "expected_chapters", "");
    f->chapter_title = post_field_or(r, "chapter_title", "");
    f->chapter_text = post_field_or(r, "chapter_text", "");
    f->format = post_field_or(r, "format", "html");
    f->rating = -1;
    const char *rt = web_field(r, "rating");
    if (rt) {
        char *end;
        long v = strtol(rt, &end, 10);
        if (*rt && !*end && v >= 0 && v < RATING__COUNT)
            f->rating = (int)v;
    }
    f->restricted = web_field(r, "restricted") != NULL;
    readers_form_from_request(r, f);
    /* ---- feedback (issue #11) ---- */
    f->feedback_given = web_field(r, "feedback_fields") != NULL;
    const char *cp = post_field_or(r, "comment_policy", "everyone");
    f->comment_policy = !strcmp(cp, "registered") ? COMMENTS_REGISTERED
                        : !strcmp(cp, "nobody")   ? COMMENTS_NOBODY
                        : !strcmp(cp, "everyone") ? COMMENTS_EVERYONE
                                                  : -1;
    f->moderate_comments = web_field(r, "moderate_comments") != NULL;
    /* ---- end of feedback ---- */
    for (size_t i = 0; i < r->form.n; i++) {
        const struct web_kv *kv = &r->form.v[i];
        unsigned long bit = strtoul(kv->value, NULL, 10);
        if (!strcmp(kv->key, "warning") && bit && bit < (1u << WARN__COUNT) && !(bit & (bit - 1)))
            f->warnings |= (unsigned)bit;
        else if (!strcmp(kv->key, "category") && bit && bit < (1u << CAT__COUNT) &&
                 !(bit & (bit - 1)))
            f->categories |= (unsigned)bit;
        else if (!strcmp(kv->key, "pseud") && strlist_add_unique(&f->pseuds, kv->value))
            r->out.err = FICD_ENOMEM;
    }
}

/* Fills the form from a stored work (its first chapter's text, as HTML). */
void post_form_from_work(struct web_req *r, const struct work *w, struct post_form *f)
{
    memset(f, 0, sizeof(*f));
    strlist_init(&f->pseuds);
    f->title = web_strdup(r, w->title);
    f->summary = web_strdup(r, w->summary);
    f->notes_begin = web_strdup(r, w->notes_begin);
    f->notes_end = web_strdup(r, w->notes_end);
    f->language = web_strdup(r, w->language ? w->language : "English");
    struct work *mw = (struct work *)w;
    for (int i = 0; i < 4; i++)
        f->tags[i] = web_join(r, work_tags(mw, i));
    f->expected = w->expected_chapters > 0 ? web_sprintf(r, "%d", w->expected_chapters) : "";
    f->chapter_title = w->nchapters ? web_strdup(r, w->chapters[0].title) : "";
    f->chapter_text = w->nchapters ? web_strdup(r, w->chapters[0].html) : "";
    f->format = "html";
    f->rating = (int)w->rating;
    f->warnings = w->warnings;
    f->categories = w->categories;
    f->restricted = w->restricted;
    readers_form_from_work(r, w, f);
    /* ---- feedback (issue #11) ---- */
    f->feedback_given = 1;
    f->comment_policy = w->comment_policy;
    f->moderate_comments = w->moderate_comments;
    /* ---- end of feedback ---- */
    if (strlist_copy(&f->pseuds, &w->creators))
        r->out.err = FICD_ENOMEM;
}

/* Splits comma-separated tags into l, checking lengths. */
static void parse_tags(const char *s, struct strlist *l, const char *label, struct web_req *r,
                       struct errs *e)
{
    const char *p = s;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *a = p, *z = p + n;
        while (a < z && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
            a++;
        while (z > a && (z[-1] == ' ' || z[-1] == '\t' || z[-1] == '\n' || z[-1] == '\r'))
            z--;
        if (z > a) {
            if ((size_t)(z - a) > TAG_MAX) {
                post_err_add(e, web_sprintf(r, "%s: each tag can be at most %d characters.", label,
                                            TAG_MAX));
            } else {
                char *t = web_strndup(r, a, (size_t)(z - a));
                if (!strlist_contains(l, t) && strlist_add(l, t))
                    r->out.err = FICD_ENOMEM;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
}

/* Sanitizes text in the chosen format into c->html and counts its words. */
int post_set_body(struct chapter *c, const char *text, const char *format)
{
    free(c->html);
    if (!strcmp(format, "markdown"))
        c->html = markdown_to_html(text, strlen(text));
    else
        c->html = sanitize_html(text, strlen(text));
    if (!c->html)
        return FICD_ENOMEM;
    c->words = wordcount_html(c->html);
    return 0;
}

int post_is_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
            return 0;
    return 1;
}

static char *dup_or_null(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

int post_replace(char **dst, const char *s)
{
    char *d = dup_or_null(s);
    if (s && *s && !d)
        return FICD_ENOMEM;
    free(*dst);
    *dst = d;
    return 0;
}

/* Checks the pseuds chosen: each must belong to the user (or already credit the work). */
static void check_pseuds(struct web_req *r, const struct post_form *f, const struct work *old,
                         struct errs *e)
{
    if (!f->pseuds.n) {
        post_err_add(e, "Choose at least one pseud to post as.");
        return;
    }
    struct strlist mine;
    strlist_init(&mine);
    if (store_pseud_list(r->store, r->user.id, &mine)) {
        post_err_add(e, "Your pseuds could not be read.");
        return;
    }
    for (size_t i = 0; i < f->pseuds.n; i++)
        if (!strlist_contains(&mine, f->pseuds.v[i]) &&
            !(old && strlist_contains(&old->creators, f->pseuds.v[i])))
            post_err_add(e, web_sprintf(r, "You cannot post as \"%s\".", f->pseuds.v[i]));
    strlist_free(&mine);
}

/* Validates the form and writes its values into w (metadata and chapter 1, which is created
 * when w has none). Problems are added to e; w is only meaningful when e->n == 0. */
void post_form_to_work(struct web_req *r, const struct post_form *f, struct work *w,
                       const struct work *old, struct errs *e)
{
    size_t tl = strlen(f->title);
    if (post_is_blank(f->title))
        post_err_add(e, "Give your work a title.");
    else if (tl > TITLE_MAX)
        post_err_add(e, "The title can be at most 255 characters.");
    check_pseuds(r, f, old, e);
    if (strlen(f->summary) > SUMMARY_MAX)
        post_err_add(e, "The summary can be at most 1250 characters.");
    if (strlen(f->notes_begin) > NOTES_MAX || strlen(f->notes_end) > NOTES_MAX)
        post_err_add(e, "Notes can be at most 5000 characters each.");
    if (strlen(f->language) > 50)
        post_err_add(e, "The language can be at most 50 characters.");
    if (f->rating < 0)
        post_err_add(e, "Choose a rating.");
    if (!f->warnings)
        post_err_add(e,
                     "Choose at least one archive warning (or \"Creator Chose Not To Use Archive "
                     "Warnings\").");
    struct strlist tags[4];
    size_t ntags = 0;
    for (int i = 0; i < 4; i++) {
        strlist_init(&tags[i]);
        parse_tags(f->tags[i], &tags[i], post_tag_label[i], r, e);
        ntags += tags[i].n;
    }
    if (!tags[0].n)
        post_err_add(e, "Add at least one fandom.");
    if (ntags > TAGS_MAX)
        post_err_add(e, "A work can have at most 75 fandom, relationship, character and additional "
                        "tags together.");
    int expected = 0;
    if (*f->expected && strcmp(f->expected, "?") != 0) {
        char *end;
        long v = strtol(f->expected, &end, 10);
        size_t have = old ? old->nchapters : 1;
        if (*end || v < 1 || v > 5000)
            post_err_add(e,
                         "Chapters expected must be a number from 1 to 5000, or ? when unknown.");
        else if ((size_t)v < have)
            post_err_add(e, "Chapters expected cannot be fewer than the chapters posted.");
        else
            expected = (int)v;
    }
    if (strcmp(f->format, "html") != 0 && strcmp(f->format, "markdown") != 0)
        post_err_add(e, "Choose HTML or Markdown as the text format.");
    if (post_is_blank(f->chapter_text))
        post_err_add(e, "The work needs some text.");
    /* ---- feedback (issue #11) ---- */
    if (f->feedback_given && f->comment_policy < 0)
        post_err_add(e, "Choose who may comment: everyone, registered users only, or nobody.");
    /* ---- end of feedback ---- */
    if (strlen(f->chapter_title) > TITLE_MAX)
        post_err_add(e, "The chapter title can be at most 255 characters.");
    if (e->n) {
        for (int i = 0; i < 4; i++)
            strlist_free(&tags[i]);
        return;
    }
    int rc = post_replace(&w->title, f->title);
    rc |= post_replace(&w->summary, f->summary);
    rc |= post_replace(&w->notes_begin, f->notes_begin);
    rc |= post_replace(&w->notes_end, f->notes_end);
    rc |= post_replace(&w->language, *f->language ? f->language : "English");
    strlist_free(&w->creators);
    rc |= strlist_copy(&w->creators, &f->pseuds);
    for (int i = 0; i < 4; i++) {
        strlist_free(work_tags(w, i));
        *work_tags(w, i) = tags[i];
    }
    w->rating = (enum rating)f->rating;
    w->rating_declared = 1;
    w->warnings = f->warnings;
    w->categories = f->categories;
    w->restricted = f->restricted;
    rc |= readers_form_to_work(r, f, w, e);
    /* ---- feedback (issue #11) ---- */
    if (f->feedback_given) {
        w->comment_policy = f->comment_policy;
        w->moderate_comments = f->moderate_comments;
    }
    /* ---- end of feedback ---- */
    w->expected_chapters = expected;
    struct chapter *c = w->nchapters ? &w->chapters[0] : work_add_chapter(w);
    if (!c) {
        rc = FICD_ENOMEM;
    } else {
        rc |= post_replace(&c->title, f->chapter_title);
        rc |= post_set_body(c, f->chapter_text, f->format);
        if (!rc && c->words == 0 && post_is_blank(c->html))
            post_err_add(e, "The work needs some text (nothing was left after removing disallowed "
                            "HTML).");
    }
    if (rc)
        post_err_add(e, "Out of memory.");
}
