/* ui_post.c: posting: the new-work form (preview, save draft, post), editing, publishing and
 * deleting works, manuscript import from the browser, and chapters (add, edit, delete,
 * reorder). Bad values re-render the form with what was typed and a list of problems. */
#include "core/html.h"
#include "text/import.h"
#include "text/manuscript.h"
#include "text/sanitize.h"
#include "text/wordcount.h"
#include "web/import_known.h"
#include "web/page.h"
#include "web/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRS    16
#define TITLE_MAX   255
#define SUMMARY_MAX 1250
#define NOTES_MAX   5000
#define TAG_MAX     100
#define TAGS_MAX    75

/* What the work form holds, as typed (strings) or chosen (numbers). */
struct post_form {
    const char *title, *summary, *notes_begin, *notes_end, *language;
    const char *tags[4]; /* fandoms, relationships, characters, freeforms: comma-separated */
    const char *expected, *chapter_title, *chapter_text, *format;
    int rating;
    unsigned warnings, categories;
    int restricted;
    struct strlist pseuds;
    /* readers' fields (see the readers' block below): series title and position, gift
     * recipients, co-creators to invite, the inspiring work's address, as typed */
    const char *series, *series_position, *gift_to, *co_creators, *inspired_by;
    /* ---- feedback (issue #11): who may comment, hold comments for approval ---- */
    int feedback_given; /* the form carried the feedback block (else the stored values stay) */
    int comment_policy; /* enum comment_policy */
    int moderate_comments;
    /* ---- end of feedback ---- */
};

struct errs {
    const char *v[MAX_ERRS];
    size_t n;
};

static void err_add(struct errs *e, const char *msg)
{
    if (e->n < MAX_ERRS)
        e->v[e->n++] = msg;
}

static const char *const tag_field[4] = {"fandoms", "relationships", "characters", "freeforms"};
static const char *const tag_label[4] = {"Fandoms", "Relationships", "Characters",
                                         "Additional Tags"};
static const enum tag_type tag_types[4] = {TAG_FANDOM, TAG_RELATIONSHIP, TAG_CHARACTER,
                                           TAG_FREEFORM};

static struct strlist *work_tags(struct work *w, int i)
{
    struct strlist *l[4] = {&w->fandoms, &w->relationships, &w->characters, &w->freeforms};
    return l[i];
}

static const char *field_or(struct web_req *r, const char *key, const char *def)
{
    const char *v = web_field(r, key);
    return v ? v : def;
}

/* ---- feedback (issue #11): the work form's comment settings ---- */
static void feedback_fields(struct web_req *r, const struct post_form *f)
{
    struct buf *b = &r->out;
    static const char *const value[] = {"everyone", "registered", "nobody"};
    static const char *const label[] = {"Everyone, including guests", "Registered users only",
                                        "Nobody (comments off)"};
    int policy = f->feedback_given && f->comment_policy >= 0 ? f->comment_policy : 0;
    html_lit(b, "<fieldset id=\"feedback-fields\">\n<legend>Comments</legend>\n"
                "<input type=\"hidden\" name=\"feedback_fields\" value=\"1\">\n"
                "<fieldset id=\"comment-policy\">\n<legend>Who may comment</legend>\n");
    for (int i = 0; i < 3; i++) {
        html_lit(b, "<label><input type=\"radio\" name=\"comment_policy\" value=\"");
        html_attr(b, value[i]);
        html_lit(b, "\" id=\"comment_policy_");
        html_attr(b, value[i]);
        html_lit(b, "\"");
        if (policy == i)
            html_lit(b, " checked");
        html_lit(b, "> ");
        html_text(b, label[i]);
        html_lit(b, "</label>\n");
    }
    html_lit(b, "</fieldset>\n<p class=\"field\"><label><input type=\"checkbox\" "
                "name=\"moderate_comments\" id=\"moderate_comments\" value=\"1\"");
    if (f->feedback_given && f->moderate_comments)
        html_lit(b, " checked");
    html_lit(b, "> Hold comments for my approval before they appear</label></p>\n"
                "</fieldset>\n");
}
/* ---- end of feedback ---- */

/* Reads the work form from the request. */
/* ---- readers' work-form fields (series; the readers engineer's block) ---- */

static void readers_form_from_request(struct web_req *r, struct post_form *f)
{
    f->series = field_or(r, "series", "");
    f->series_position = field_or(r, "series_position", "");
    f->gift_to = field_or(r, "gift_to", "");
    f->co_creators = field_or(r, "co_creators", "");
    f->inspired_by = field_or(r, "inspired_by", "");
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
        err_add(e, assoc);
    const char *t = f->series ? f->series : "";
    while (*t == ' ' || *t == '\t')
        t++;
    if (strlen(t) > 255)
        err_add(e, "The series title can be at most 255 characters.");
    int pos = 0;
    const char *p = f->series_position ? f->series_position : "";
    if (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (*end || v < 1 || v > 10000)
            err_add(e, "The part number in the series must be a whole number from 1 to 10000.");
        else
            pos = (int)v;
    }
    free(w->series);
    w->series = *t ? strdup(t) : NULL;
    w->series_position = *t ? pos : 0;
    return *t && !w->series ? -1 : 0;
}

static int readers_series_option(const struct series *se, void *ctx)
{
    struct web_req *r = ctx;
    html_lit(&r->out, "<option value=\"");
    html_attr(&r->out, se->title);
    html_lit(&r->out, "\"></option>");
    return 0;
}

static void readers_form_fields(struct web_req *r, const struct post_form *f)
{
    struct buf *b = &r->out;
    html_lit(b, "<fieldset id=\"series-fields\">\n<legend>Series</legend>\n");
    html_lit(b, "<p class=\"field\"><label for=\"series\">Series</label> <input type=\"text\" "
                "name=\"series\" id=\"series\" list=\"series-options\" "
                "aria-describedby=\"series-hint\" value=\"");
    html_attr(b, f->series);
    html_lit(b, "\"> <small class=\"hint\" id=\"series-hint\">One of your series, or a new "
                "title to start one; blank for none.</small></p>\n<datalist "
                "id=\"series-options\">");
    /* the choices are a convenience: without them the field still takes any title */
    if (r->user.id > 0)
        if (store_series_list_user(r->store, r->user.id, readers_series_option, r) != 0)
            html_lit(b, "<!-- your series could not be listed -->");
    html_lit(b, "</datalist>\n");
    page_input(r, "text", "series_position", "Part number", f->series_position,
               "Blank: after the last part.");
    html_lit(b, "</fieldset>\n<fieldset id=\"association-fields\">\n<legend>Associations"
                "</legend>\n");
    page_input(r, "text", "gift_to", "Gift this work to", f->gift_to,
               "Archive user names and/or other recipients, separated by commas.");
    page_input(r, "text", "co_creators", "Invite co-creators", f->co_creators,
               "Archive user names, separated by commas: each is credited once they accept.");
    page_input(r, "text", "inspired_by", "Inspired by", f->inspired_by,
               "The address of a work on this archive; its creator approves the link.");
    html_lit(b, "</fieldset>\n");
}

/* After a work was stored: the associations that need its id (gifts, invitations, the
 * inspired-by link). */
static void readers_form_saved(struct web_req *r, const struct post_form *f, int64_t work_id,
                               int was_posted)
{
    readers_work_saved(r, work_id, f->gift_to, f->co_creators, f->inspired_by, was_posted);
}

/* ---- end of the readers' block ---- */

static void form_from_request(struct web_req *r, struct post_form *f)
{
    memset(f, 0, sizeof(*f));
    strlist_init(&f->pseuds);
    f->title = field_or(r, "title", "");
    f->summary = field_or(r, "summary", "");
    f->notes_begin = field_or(r, "notes_begin", "");
    f->notes_end = field_or(r, "notes_end", "");
    f->language = field_or(r, "language", "English");
    for (int i = 0; i < 4; i++)
        f->tags[i] = field_or(r, tag_field[i], "");
    f->expected = field_or(r, "expected_chapters", "");
    f->chapter_title = field_or(r, "chapter_title", "");
    f->chapter_text = field_or(r, "chapter_text", "");
    f->format = field_or(r, "format", "html");
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
    const char *cp = field_or(r, "comment_policy", "everyone");
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

/* Joins a list with ", " into an arena string. */
static const char *join(struct web_req *r, const struct strlist *l)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, l->v[i]);
    }
    const char *s = web_strdup(r, buf_str(&b));
    buf_free(&b);
    return s;
}

/* Fills the form from a stored work (its first chapter's text, as HTML). */
static void form_from_work(struct web_req *r, const struct work *w, struct post_form *f)
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
        f->tags[i] = join(r, work_tags(mw, i));
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
                err_add(e, web_sprintf(r, "%s: each tag can be at most %d characters.", label,
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
static int set_body(struct chapter *c, const char *text, const char *format)
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

static int is_blank(const char *s)
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

static int replace(char **dst, const char *s)
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
        err_add(e, "Choose at least one pseud to post as.");
        return;
    }
    struct strlist mine;
    strlist_init(&mine);
    if (store_pseud_list(r->store, r->user.id, &mine)) {
        err_add(e, "Your pseuds could not be read.");
        return;
    }
    for (size_t i = 0; i < f->pseuds.n; i++)
        if (!strlist_contains(&mine, f->pseuds.v[i]) &&
            !(old && strlist_contains(&old->creators, f->pseuds.v[i])))
            err_add(e, web_sprintf(r, "You cannot post as \"%s\".", f->pseuds.v[i]));
    strlist_free(&mine);
}

/* Validates the form and writes its values into w (metadata and chapter 1, which is created
 * when w has none). Problems are added to e; w is only meaningful when e->n == 0. */
static void form_to_work(struct web_req *r, const struct post_form *f, struct work *w,
                         const struct work *old, struct errs *e)
{
    size_t tl = strlen(f->title);
    if (is_blank(f->title))
        err_add(e, "Give your work a title.");
    else if (tl > TITLE_MAX)
        err_add(e, "The title can be at most 255 characters.");
    check_pseuds(r, f, old, e);
    if (strlen(f->summary) > SUMMARY_MAX)
        err_add(e, "The summary can be at most 1250 characters.");
    if (strlen(f->notes_begin) > NOTES_MAX || strlen(f->notes_end) > NOTES_MAX)
        err_add(e, "Notes can be at most 5000 characters each.");
    if (strlen(f->language) > 50)
        err_add(e, "The language can be at most 50 characters.");
    if (f->rating < 0)
        err_add(e, "Choose a rating.");
    if (!f->warnings)
        err_add(e, "Choose at least one archive warning (or \"Creator Chose Not To Use Archive "
                   "Warnings\").");
    struct strlist tags[4];
    size_t ntags = 0;
    for (int i = 0; i < 4; i++) {
        strlist_init(&tags[i]);
        parse_tags(f->tags[i], &tags[i], tag_label[i], r, e);
        ntags += tags[i].n;
    }
    if (!tags[0].n)
        err_add(e, "Add at least one fandom.");
    if (ntags > TAGS_MAX)
        err_add(e, "A work can have at most 75 fandom, relationship, character and additional "
                   "tags together.");
    int expected = 0;
    if (*f->expected && strcmp(f->expected, "?") != 0) {
        char *end;
        long v = strtol(f->expected, &end, 10);
        size_t have = old ? old->nchapters : 1;
        if (*end || v < 1 || v > 5000)
            err_add(e, "Chapters expected must be a number from 1 to 5000, or ? when unknown.");
        else if ((size_t)v < have)
            err_add(e, "Chapters expected cannot be fewer than the chapters posted.");
        else
            expected = (int)v;
    }
    if (strcmp(f->format, "html") != 0 && strcmp(f->format, "markdown") != 0)
        err_add(e, "Choose HTML or Markdown as the text format.");
    if (is_blank(f->chapter_text))
        err_add(e, "The work needs some text.");
    /* ---- feedback (issue #11) ---- */
    if (f->feedback_given && f->comment_policy < 0)
        err_add(e, "Choose who may comment: everyone, registered users only, or nobody.");
    /* ---- end of feedback ---- */
    if (strlen(f->chapter_title) > TITLE_MAX)
        err_add(e, "The chapter title can be at most 255 characters.");
    if (e->n) {
        for (int i = 0; i < 4; i++)
            strlist_free(&tags[i]);
        return;
    }
    int rc = replace(&w->title, f->title);
    rc |= replace(&w->summary, f->summary);
    rc |= replace(&w->notes_begin, f->notes_begin);
    rc |= replace(&w->notes_end, f->notes_end);
    rc |= replace(&w->language, *f->language ? f->language : "English");
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
        rc |= replace(&c->title, f->chapter_title);
        rc |= set_body(c, f->chapter_text, f->format);
        if (!rc && c->words == 0 && is_blank(c->html))
            err_add(e, "The work needs some text (nothing was left after removing disallowed "
                       "HTML).");
    }
    if (rc)
        err_add(e, "Out of memory.");
}

/* ---- the work form ---- */

static void datalist(struct web_req *r, const char *id, enum tag_type type);

static void tag_input(struct web_req *r, int i, const char *value)
{
    struct buf *b = &r->out;
    const char *name = tag_field[i];
    html_lit(b, "<p class=\"field\"><label for=\"");
    html_attr(b, name);
    html_lit(b, "\">");
    html_text(b, tag_label[i]);
    html_lit(b, "</label> <input type=\"text\" name=\"");
    html_attr(b, name);
    html_lit(b, "\" id=\"");
    html_attr(b, name);
    html_lit(b, "\" value=\"");
    html_attr(b, value);
    html_lit(b, "\" list=\"");
    html_attr(b, name);
    html_lit(b, "-list\" data-autocomplete=\"");
    html_attr(b, tag_type_name(tag_types[i]));
    html_lit(b, "\" autocomplete=\"off\" aria-describedby=\"");
    html_attr(b, name);
    html_lit(b, "-hint\"> <small class=\"hint\" id=\"");
    html_attr(b, name);
    html_lit(b, "-hint\">Separate tags with commas.</small></p>\n");
    datalist(r, web_sprintf(r, "%s-list", name), tag_types[i]);
}

struct dl_ctx {
    struct web_req *r;
};

static int datalist_cb(const struct tag *t, void *ctx)
{
    struct buf *b = &((struct dl_ctx *)ctx)->r->out;
    html_lit(b, "<option value=\"");
    html_attr(b, t->name);
    html_lit(b, "\"></option>");
    return 0;
}

/* The most used tags of a type, for browsers to suggest without the script. */
static void datalist(struct web_req *r, const char *id, enum tag_type type)
{
    struct buf *b = &r->out;
    struct dl_ctx c = {r};
    html_lit(b, "<datalist id=\"");
    html_attr(b, id);
    html_lit(b, "\">");
    if (store_tag_list(r->store, (int)type, NULL, 30, datalist_cb, &c))
        fprintf(stderr, "ficd: tag list: %s\n", store_errmsg(r->store));
    html_lit(b, "</datalist>\n");
}

static void checkboxes(struct web_req *r, const char *legend, const char *name, int count,
                       const char *(*label)(unsigned), unsigned chosen)
{
    struct buf *b = &r->out;
    html_lit(b, "<fieldset id=\"");
    html_attr(b, name);
    html_lit(b, "s\">\n<legend>");
    html_text(b, legend);
    html_lit(b, "</legend>\n");
    for (int i = 0; i < count; i++) {
        unsigned bit = 1u << i;
        html_lit(b, "<label><input type=\"checkbox\" name=\"");
        html_attr(b, name);
        html_lit(b, "\" value=\"");
        html_int(b, bit);
        html_lit(b, "\" id=\"");
        html_attr(b, name);
        html_lit(b, "_");
        html_int(b, bit);
        html_lit(b, "\"");
        if (chosen & bit)
            html_lit(b, " checked");
        html_lit(b, "> ");
        html_text(b, label(bit));
        html_lit(b, "</label>\n");
    }
    html_lit(b, "</fieldset>\n");
}

static void format_radios(struct web_req *r, const char *format)
{
    struct buf *b = &r->out;
    int md = !strcmp(format, "markdown");
    html_lit(b, "<fieldset id=\"text-format\">\n<legend>Text format</legend>\n"
                "<label><input type=\"radio\" name=\"format\" value=\"html\" id=\"format_html\"");
    if (!md)
        html_lit(b, " checked");
    html_lit(b, "> HTML</label>\n<label><input type=\"radio\" name=\"format\" value=\"markdown\" "
                "id=\"format_markdown\"");
    if (md)
        html_lit(b, " checked");
    html_lit(b, "> Markdown</label>\n</fieldset>\n");
}

/* Importer suggestions, apart from the declared tags, each with an Add button for the
 * script (hidden without it). */
static void suggestions(struct web_req *r, const struct work *w)
{
    const struct strlist *l[3] = {&w->sugg_fandoms, &w->sugg_relationships, &w->sugg_characters};
    const char *field[3] = {"fandoms", "relationships", "characters"};
    const char *label[3] = {"Fandoms", "Relationships", "Characters"};
    if (!l[0]->n && !l[1]->n && !l[2]->n)
        return;
    struct buf *b = &r->out;
    html_lit(b, "<section class=\"suggested\" id=\"suggested\" aria-labelledby=\"sugg-heading\">"
                "\n<h2 id=\"sugg-heading\">Suggested</h2>\n<p>Found in your manuscript. They are "
                "not added unless you add them.</p>\n");
    for (int k = 0; k < 3; k++) {
        if (!l[k]->n)
            continue;
        html_lit(b, "<h3>");
        html_text(b, label[k]);
        html_lit(b, "</h3>\n<ul>\n");
        for (size_t i = 0; i < l[k]->n; i++) {
            html_lit(b, "<li>");
            html_text(b, l[k]->v[i]);
            html_lit(b, " <button type=\"button\" hidden data-field=\"");
            html_attr(b, field[k]);
            html_lit(b, "\" data-add-tag=\"");
            html_attr(b, l[k]->v[i]);
            html_lit(b, "\">Add</button></li>\n");
        }
        html_lit(b, "</ul>\n");
    }
    html_lit(b, "</section>\n");
}

enum form_mode { FORM_NEW, FORM_EDIT_DRAFT, FORM_EDIT_POSTED };

/* Below the chapter-1 fields of a stored work with several chapters: says that the form
 * edits chapter 1 only and links to the edit form of every other chapter. */
static void other_chapters(struct web_req *r, const struct work *w)
{
    struct buf *b = &r->out;
    html_lit(b, "<p id=\"other-chapters-note\">This form changes the work's details and "
                "chapter 1. Edit the other chapters on their own pages:</p>\n"
                "<ul id=\"other-chapters\">\n");
    for (size_t i = 1; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        html_lit(b, "<li><a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/edit\">Edit chapter ");
        html_int(b, (long long)i + 1);
        if (c->title && *c->title) {
            html_lit(b, ": ");
            html_text(b, c->title);
        }
        html_lit(b, "</a></li>\n");
    }
    html_lit(b, "</ul>\n");
}

/* The whole work form. action is the POST target; stored is the work being edited (NULL
 * for a new one): when it has several chapters, the text fields are labelled as chapter 1's
 * and the other chapters are linked. */
static void work_form(struct web_req *r, const char *action, enum form_mode mode,
                      const struct post_form *f, const struct work *stored)
{
    int several = stored && stored->nchapters > 1;
    struct buf *b = &r->out;
    struct strlist mine;
    strlist_init(&mine);
    if (store_pseud_list(r->store, r->user.id, &mine))
        fprintf(stderr, "ficd: pseuds: %s\n", store_errmsg(r->store));
    for (size_t i = 0; i < f->pseuds.n; i++)
        if (strlist_add_unique(&mine, f->pseuds.v[i]))
            b->err = FICD_ENOMEM;
    html_lit(b, "<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"work-form\" class=\"post work\">\n");
    page_csrf_field(r);
    html_lit(b, "<fieldset>\n<legend>Tags</legend>\n<p class=\"field\"><label for=\"rating\">"
                "Rating</label> <select name=\"rating\" id=\"rating\">\n");
    for (int i = 0; i < RATING__COUNT; i++) {
        html_lit(b, "<option value=\"");
        html_int(b, i);
        html_lit(b, "\"");
        if (i == f->rating || (f->rating < 0 && i == 0))
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, rating_name((enum rating)i));
        html_lit(b, "</option>\n");
    }
    html_lit(b, "</select></p>\n");
    checkboxes(r, "Archive Warnings", "warning", WARN__COUNT, warning_name, f->warnings);
    checkboxes(r, "Categories", "category", CAT__COUNT, category_name, f->categories);
    for (int i = 0; i < 4; i++)
        tag_input(r, i, f->tags[i]);
    html_lit(b, "</fieldset>\n<fieldset>\n<legend>Preface</legend>\n");
    page_input(r, "text", "title", "Work Title", f->title, NULL);
    html_lit(b, "<p class=\"field\"><label for=\"pseud\">Creator/Pseud(s)</label> "
                "<select name=\"pseud\" id=\"pseud\" multiple size=\"");
    html_int(b, mine.n < 2 ? 2 : mine.n > 6 ? 6 : (long long)mine.n);
    html_lit(b, "\">\n");
    for (size_t i = 0; i < mine.n; i++) {
        html_lit(b, "<option value=\"");
        html_attr(b, mine.v[i]);
        html_lit(b, "\"");
        if (strlist_contains(&f->pseuds, mine.v[i]) ||
            (!f->pseuds.n && r->user.name && !strcmp(mine.v[i], r->user.name)))
            html_lit(b, " selected");
        html_lit(b, ">");
        html_text(b, mine.v[i]);
        html_lit(b, "</option>\n");
    }
    html_lit(b, "</select></p>\n");
    strlist_free(&mine);
    page_textarea(r, "summary", "Summary", f->summary, 5, "Plain text, at most 1250 characters.");
    page_textarea(r, "notes_begin", "Notes at the beginning", f->notes_begin, 4, NULL);
    page_textarea(r, "notes_end", "Notes at the end", f->notes_end, 4, NULL);
    page_input(r, "text", "language", "Language", f->language, NULL);
    html_lit(b, "<p class=\"field\"><label><input type=\"checkbox\" name=\"restricted\" "
                "id=\"restricted\" value=\"1\"");
    if (f->restricted)
        html_lit(b, " checked");
    html_lit(b, "> Only show this work to registered users</label></p>\n");
    page_input(r, "text", "expected_chapters", "Chapters expected", f->expected,
               "A number, or leave blank (or ?) when you don't know yet.");
    html_lit(b, "</fieldset>\n");
    readers_form_fields(r, f);
    html_lit(b, "<fieldset id=\"chapter-1-fields\">\n<legend>Chapter 1</legend>\n");
    page_input(r, "text", "chapter_title", several ? "Chapter 1 title" : "Chapter title",
               f->chapter_title, "Optional.");
    format_radios(r, f->format);
    page_textarea(r, "chapter_text", several ? "Chapter 1 text" : "Work text", f->chapter_text, 20,
                  "HTML (limited to safe tags) or Markdown, as chosen above.");
    if (several)
        other_chapters(r, stored);
    html_lit(b, "</fieldset>\n");
    feedback_fields(r, f);
    html_lit(b, "<p class=\"actions\">"
                "<button type=\"submit\" name=\"commit\" value=\"preview\" id=\"preview-button\">"
                "Preview</button>\n");
    if (mode != FORM_EDIT_POSTED)
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"draft\" id=\"draft-button\">"
                    "Save Draft</button>\n");
    if (mode == FORM_EDIT_POSTED)
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"post\" id=\"post-button\">"
                    "Update</button>\n");
    else
        html_lit(b, "<button type=\"submit\" name=\"commit\" value=\"post\" id=\"post-button\">"
                    "Post</button>\n");
    html_lit(b, "</p>\n</form>\n");
}

/* A full page: heading, errors, optional preview, the form. */
static int work_form_page(struct web_req *r, int status, const char *title, const char *action,
                          enum form_mode mode, const struct post_form *f, const struct errs *e,
                          const struct work *preview, const struct work *sugg, const char *notice,
                          const struct work *stored)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, title);
    if (!preview) { /* a preview's work title is the page's h1 */
        html_lit(b, "<h1>");
        html_text(b, title);
        html_lit(b, "</h1>\n");
    }
    if (notice) {
        html_lit(b, "<p class=\"notice\" role=\"status\" id=\"notice\">");
        html_text(b, notice);
        html_lit(b, "</p>\n");
    }
    if (e)
        page_errors(r, e->v, e->n);
    if (preview) {
        html_lit(b, "<section class=\"preview\" id=\"preview\" aria-label=\"Preview\">\n");
        page_work_body(r, preview, -1, 1);
        html_lit(b, "</section>\n");
    }
    if (sugg)
        suggestions(r, sugg);
    work_form(r, action, mode, f, stored);
    page_end(r);
    return status;
}

static const char *commit_of(struct web_req *r)
{
    const char *c = web_field(r, "commit");
    if (c && (!strcmp(c, "preview") || !strcmp(c, "draft")))
        return c;
    return "post";
}

int ui_work_new(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct post_form f;
    memset(&f, 0, sizeof(f));
    f.title = f.summary = f.notes_begin = f.notes_end = f.expected = f.chapter_title = "";
    f.chapter_text = "";
    f.language = "English";
    f.format = "html";
    f.rating = 0;
    for (int i = 0; i < 4; i++)
        f.tags[i] = "";
    strlist_init(&f.pseuds);
    work_form_page(r, 200, "Post New Work", "/works", FORM_NEW, &f, NULL, NULL, NULL,
                   "You can also import a manuscript file instead.", NULL);
    return 200;
}

int ui_work_create(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    struct post_form f;
    form_from_request(r, &f);
    struct errs e = {{0}, 0};
    struct work w;
    work_init(&w);
    form_to_work(r, &f, &w, NULL, &e);
    const char *commit = commit_of(r);
    int status;
    if (e.n) {
        status = work_form_page(r, 422, "Post New Work", "/works", FORM_NEW, &f, &e, NULL, NULL,
                                NULL, NULL);
    } else if (!strcmp(commit, "preview")) {
        status = work_form_page(r, 200, "Preview Work", "/works", FORM_NEW, &f, NULL, &w, NULL,
                                NULL, NULL);
    } else {
        w.draft = !strcmp(commit, "draft");
        w.user_id = r->user.id;
        if (store_work_insert(r->store, &w))
            status = ui_error(r, 500, "The work could not be saved.");
        else {
            readers_form_saved(r, &f, w.id, 0); /* readers: gifts, co-creators, inspired by */
            if (!w.draft)
                readers_notify_work_posted(r, w.id); /* readers: subscribers' inboxes */
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
        }
    }
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}

int ui_work_edit(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    struct post_form f;
    form_from_work(r, &w, &f);
    status = work_form_page(r, 200, web_sprintf(r, "Edit %s", w.title ? w.title : "Work"),
                            web_sprintf(r, "/works/%lld/edit", (long long)w.id),
                            w.draft ? FORM_EDIT_DRAFT : FORM_EDIT_POSTED, &f, NULL, NULL, NULL,
                            NULL, &w);
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}

int ui_work_update(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    struct work old;
    if (work_copy(&old, &w)) {
        work_free(&w);
        return ui_error(r, 500, "Out of memory.");
    }
    struct post_form f;
    form_from_request(r, &f);
    struct errs e = {{0}, 0};
    form_to_work(r, &f, &w, &old, &e);
    const char *commit = commit_of(r);
    const char *action = web_sprintf(r, "/works/%lld/edit", (long long)w.id);
    const char *title = web_sprintf(r, "Edit %s", old.title ? old.title : "Work");
    enum form_mode mode = old.draft ? FORM_EDIT_DRAFT : FORM_EDIT_POSTED;
    if (e.n) {
        status = work_form_page(r, 422, title, action, mode, &f, &e, NULL, NULL, NULL, &old);
    } else if (!strcmp(commit, "preview")) {
        status = work_form_page(r, 200, title, action, mode, &f, NULL, &w, NULL, NULL, &old);
    } else {
        int rc = store_work_update(r->store, &w);
        if (!rc)
            readers_form_saved(r, &f, w.id, !old.draft); /* readers: gifts, co-creators, ... */
        if (!rc && old.draft && !strcmp(commit, "post")) {
            rc = store_work_publish(r->store, w.id);
            if (!rc)
                readers_notify_work_posted(r, w.id); /* readers: subscribers' inboxes */
        }
        if (rc)
            status = ui_error(r, 500, "The work could not be saved.");
        else
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    }
    strlist_free(&f.pseuds);
    work_free(&old);
    work_free(&w);
    return status;
}

int ui_work_publish(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int64_t id = w.id;
    int draft = w.draft;
    work_free(&w);
    if (draft && store_work_publish(r->store, id))
        return ui_error(r, 500, "The work could not be posted.");
    if (draft)
        readers_notify_work_posted(r, id); /* readers: subscribers' inboxes */
    return web_redirect(r, web_sprintf(r, "/works/%lld", (long long)id));
}

/* A confirmation page with one POST button. */
static int confirm_page(struct web_req *r, const char *title, const char *question,
                        const char *action, const char *button, const char *cancel)
{
    struct buf *b = &r->out;
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p>");
    html_text(b, question);
    html_lit(b, "</p>\n<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"confirm-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" id=\"confirm-button\">");
    html_text(b, button);
    html_lit(b, "</button> <a href=\"");
    html_attr(b, cancel);
    html_lit(b, "\">Cancel</a></p>\n</form>\n");
    page_end(r);
    return 200;
}

int ui_work_delete_confirm(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = confirm_page(
        r, "Delete Work",
        web_sprintf(r, "Are you sure you want to delete \"%s\"? This cannot be undone.",
                    w.title ? w.title : "Untitled"),
        web_sprintf(r, "/works/%lld/delete", (long long)w.id), "Yes, Delete Work",
        web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

int ui_work_delete(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int64_t id = w.id;
    work_free(&w);
    if (store_work_delete(r->store, id))
        return ui_error(r, 500, "The work could not be deleted.");
    return web_redirect(r, "/dashboard");
}

/* ---- import ---- */

static void import_page(struct web_req *r, const char *error)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Import a Manuscript");
    html_lit(b, "<h1>Import a Manuscript</h1>\n");
    if (error)
        page_errors(r, &error, 1);
    html_lit(b, "<p>Upload a plain-text, Markdown or HTML manuscript, an EPUB, or a work "
                "downloaded from AO3 (HTML or EPUB). Its title, tags, notes and chapters are "
                "read from the file; you review them before posting.</p>\n"
                "<form method=\"post\" action=\"/works/import\" enctype=\"multipart/form-data\" "
                "id=\"import-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<p class=\"field\"><label for=\"manuscript\">Manuscript file</label> "
                "<input type=\"file\" name=\"manuscript\" id=\"manuscript\" "
                "accept=\".txt,.md,.markdown,.html,.htm,.epub,text/plain,text/markdown,text/html,"
                "application/epub+zip\">"
                "</p>\n<p class=\"actions\"><button type=\"submit\" id=\"import-button\">Import"
                "</button></p>\n</form>\n");
    page_end(r);
}

int ui_work_import_form(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    import_page(r, NULL);
    return 200;
}

int ui_work_import(struct web_req *r)
{
    if (r->user.id <= 0)
        return ui_login_required(r);
    const struct web_kv *file = kvs_find(&r->form, "manuscript");
    if (!file || !file->filename || !file->vlen) {
        import_page(r, "Choose a manuscript file to upload.");
        return 422;
    }
    /* the archive's wrangled tags: suggestions in canonical form, fandoms from parents */
    struct ms_known *known = import_known_load(r->store);
    if (!known)
        fprintf(stderr, "ficd: tag list: %s\n", store_errmsg(r->store));
    struct ms_opts o;
    memset(&o, 0, sizeof(o));
    o.filename = file->filename;
    o.max_bytes = r->cfg->max_body;
    o.known = known;
    struct work w;
    struct text_err te;
    memset(&te, 0, sizeof(te));
    /* by content: an EPUB, an AO3 download or a manuscript (text/import.h) */
    int rc = import_bytes((const unsigned char *)file->value, file->vlen, &o, &w, NULL, &te);
    ms_known_free(known);
    if (rc) {
        import_page(r, te.line ? web_sprintf(r, "%s, line %d: %s", file->filename, te.line, te.msg)
                               : web_sprintf(r, "%s: %s", file->filename,
                                             te.msg[0] ? te.msg : ficd_strerror(rc)));
        return 422;
    }
    int64_t existing = 0;
    /* only the importer's own works: another account's copy must not reveal its id */
    if (w.content_hash[0] &&
        store_work_find_hash_user(r->store, w.content_hash, r->user.id, &existing) == 0 &&
        existing > 0) {
        work_free(&w);
        import_page(
            r, web_sprintf(r, "This file was already imported as work %lld.", (long long)existing));
        return 422;
    }
    /* the work is posted under the importer's own name; the file's byline is not trusted */
    strlist_free(&w.creators);
    if (strlist_add(&w.creators, r->user.name)) {
        work_free(&w);
        return ui_error(r, 500, "Out of memory.");
    }
    w.user_id = r->user.id;
    w.draft = 1;
    if (!w.language)
        w.language = strdup("English");
    if (store_work_insert(r->store, &w)) {
        work_free(&w);
        return ui_error(r, 500, "The imported work could not be saved.");
    }
    struct post_form f;
    form_from_work(r, &w, &f);
    int status = work_form_page(
        r, 200, "Review Imported Work", web_sprintf(r, "/works/%lld/edit", (long long)w.id),
        FORM_EDIT_DRAFT, &f, NULL, NULL, &w,
        web_sprintf(r,
                    "Your manuscript was saved as a draft with %zu chapter%s. Check the details "
                    "and post it when ready.",
                    w.nchapters, w.nchapters == 1 ? "" : "s"),
        &w);
    strlist_free(&f.pseuds);
    work_free(&w);
    return status;
}

/* ---- chapters ---- */

/* The chapter form (title, summary, notes, text, format), values as typed. */
static int chapter_form_page(struct web_req *r, int status, const struct work *w, const char *title,
                             const char *action, const struct errs *e,
                             const struct chapter *preview, int preview_pos)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, title);
    html_lit(b, "<h1>");
    html_text(b, title);
    html_lit(b, "</h1>\n<p>Work: <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title);
    html_lit(b, "</a></p>\n");
    if (e)
        page_errors(r, e->v, e->n);
    if (preview) {
        html_lit(b, "<section class=\"preview\" id=\"preview\" aria-label=\"Preview\">\n"
                    "<p class=\"notice\" id=\"preview-notice\">Preview: not saved yet.</p>\n"
                    "<h2 class=\"title heading\">Chapter ");
        html_int(b, preview_pos);
        if (preview->title && *preview->title) {
            html_lit(b, ": ");
            html_text(b, preview->title);
        }
        html_lit(b, "</h2>\n<div class=\"userstuff\">\n");
        html_safe_put(b, html_sanitized(preview->html));
        html_lit(b, "\n</div>\n</section>\n");
    }
    html_lit(b, "<form method=\"post\" action=\"");
    html_attr(b, action);
    html_lit(b, "\" id=\"chapter-form\">\n");
    page_csrf_field(r);
    page_input(r, "text", "chapter_title", "Chapter title", field_or(r, "chapter_title", ""),
               "Optional.");
    page_textarea(r, "chapter_summary", "Chapter summary", field_or(r, "chapter_summary", ""), 3,
                  NULL);
    page_textarea(r, "chapter_notes_begin", "Notes at the beginning",
                  field_or(r, "chapter_notes_begin", ""), 3, NULL);
    page_textarea(r, "chapter_notes_end", "Notes at the end", field_or(r, "chapter_notes_end", ""),
                  3, NULL);
    format_radios(r, field_or(r, "format", "html"));
    page_textarea(r, "chapter_text", "Chapter text", field_or(r, "chapter_text", ""), 20,
                  "HTML (limited to safe tags) or Markdown, as chosen above.");
    html_lit(b, "<p class=\"actions\"><button type=\"submit\" name=\"commit\" value=\"preview\" "
                "id=\"preview-button\">Preview</button>\n<button type=\"submit\" name=\"commit\" "
                "value=\"post\" id=\"post-button\">Post</button></p>\n</form>\n");
    page_end(r);
    return status;
}

/* Reads the chapter form into c; problems into e. */
static void chapter_from_request(struct web_req *r, struct chapter *c, struct errs *e)
{
    const char *title = field_or(r, "chapter_title", "");
    const char *text = field_or(r, "chapter_text", "");
    const char *format = field_or(r, "format", "html");
    const char *sum = field_or(r, "chapter_summary", "");
    const char *nb = field_or(r, "chapter_notes_begin", "");
    const char *ne = field_or(r, "chapter_notes_end", "");
    if (strlen(title) > TITLE_MAX)
        err_add(e, "The chapter title can be at most 255 characters.");
    if (strlen(sum) > SUMMARY_MAX)
        err_add(e, "The chapter summary can be at most 1250 characters.");
    if (strlen(nb) > NOTES_MAX || strlen(ne) > NOTES_MAX)
        err_add(e, "Notes can be at most 5000 characters each.");
    if (strcmp(format, "html") != 0 && strcmp(format, "markdown") != 0)
        err_add(e, "Choose HTML or Markdown as the text format.");
    if (is_blank(text))
        err_add(e, "The chapter needs some text.");
    if (e->n)
        return;
    int rc = replace(&c->title, title) | replace(&c->summary, sum) | replace(&c->notes_begin, nb) |
             replace(&c->notes_end, ne) | set_body(c, text, format);
    if (rc)
        err_add(e, "Out of memory.");
    else if (is_blank(c->html))
        err_add(e, "The chapter needs some text (nothing was left after removing disallowed "
                   "HTML).");
}

static void chapter_clear(struct chapter *c)
{
    free(c->title);
    free(c->summary);
    free(c->notes_begin);
    free(c->notes_end);
    free(c->html);
    memset(c, 0, sizeof(*c));
}

int ui_chapter_new(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = chapter_form_page(r, 200, &w, "Add Chapter",
                               web_sprintf(r, "/works/%lld/chapters/new", (long long)w.id), NULL,
                               NULL, 0);
    work_free(&w);
    return status;
}

int ui_chapter_create(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    struct chapter c;
    memset(&c, 0, sizeof(c));
    struct errs e = {{0}, 0};
    chapter_from_request(r, &c, &e);
    const char *action = web_sprintf(r, "/works/%lld/chapters/new", (long long)w.id);
    if (e.n) {
        status = chapter_form_page(r, 422, &w, "Add Chapter", action, &e, NULL, 0);
    } else if (!strcmp(commit_of(r), "preview")) {
        status =
            chapter_form_page(r, 200, &w, "Add Chapter", action, NULL, &c, (int)w.nchapters + 1);
    } else {
        int rc = store_chapter_add(r->store, w.id, &c);
        if (!rc && w.expected_chapters > 0 && (size_t)w.expected_chapters < w.nchapters + 1) {
            /* more chapters than announced: the announced count grows with them */
            struct work fresh;
            rc = store_work_get(r->store, w.id, 1, &fresh);
            if (!rc) {
                fresh.expected_chapters = (int)fresh.nchapters;
                rc = store_work_update(r->store, &fresh);
                work_free(&fresh);
            }
        }
        if (!rc)
            readers_notify_chapter_posted(r, w.id, c.id); /* readers: subscribers' inboxes */
        if (rc)
            status = ui_error(r, 500, "The chapter could not be saved.");
        else
            status = web_redirect(
                r, web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, (long long)c.id));
    }
    chapter_clear(&c);
    work_free(&w);
    return status;
}

/* Puts a stored chapter's values into the form fields (for the edit form's first view). */
static void chapter_to_fields(struct web_req *r, const struct chapter *c)
{
    if (kvs_add(&r->form, "chapter_title", c->title ? c->title : "",
                c->title ? strlen(c->title) : 0) ||
        kvs_add(&r->form, "chapter_summary", c->summary ? c->summary : "",
                c->summary ? strlen(c->summary) : 0) ||
        kvs_add(&r->form, "chapter_notes_begin", c->notes_begin ? c->notes_begin : "",
                c->notes_begin ? strlen(c->notes_begin) : 0) ||
        kvs_add(&r->form, "chapter_notes_end", c->notes_end ? c->notes_end : "",
                c->notes_end ? strlen(c->notes_end) : 0) ||
        kvs_add(&r->form, "chapter_text", c->html ? c->html : "", c->html ? strlen(c->html) : 0) ||
        kvs_add(&r->form, "format", "html", 4))
        r->out.err = FICD_ENOMEM;
}

int ui_chapter_edit(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0) {
        work_free(&w);
        return ui_error(r, 404, "The work has no such chapter.");
    }
    chapter_to_fields(r, &w.chapters[ci]);
    status = chapter_form_page(r, 200, &w, web_sprintf(r, "Edit Chapter %d", ci + 1),
                               web_sprintf(r, "/works/%lld/chapters/%lld/edit", (long long)w.id,
                                           (long long)w.chapters[ci].id),
                               NULL, NULL, 0);
    work_free(&w);
    return status;
}

int ui_chapter_update(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 1, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0) {
        work_free(&w);
        return ui_error(r, 404, "The work has no such chapter.");
    }
    struct chapter *c = &w.chapters[ci];
    struct errs e = {{0}, 0};
    chapter_from_request(r, c, &e);
    const char *title = web_sprintf(r, "Edit Chapter %d", ci + 1);
    const char *action =
        web_sprintf(r, "/works/%lld/chapters/%lld/edit", (long long)w.id, (long long)c->id);
    if (e.n)
        status = chapter_form_page(r, 422, &w, title, action, &e, NULL, 0);
    else if (!strcmp(commit_of(r), "preview"))
        status = chapter_form_page(r, 200, &w, title, action, NULL, c, ci + 1);
    else if (store_chapter_update(r->store, w.id, c))
        status = ui_error(r, 500, "The chapter could not be saved.");
    else
        status = web_redirect(
            r, web_sprintf(r, "/works/%lld/chapters/%lld", (long long)w.id, (long long)c->id));
    work_free(&w);
    return status;
}

int ui_chapter_delete_confirm(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0)
        status = ui_error(r, 404, "The work has no such chapter.");
    else if (w.nchapters <= 1)
        status = ui_error(r, 422, "A work needs at least one chapter: delete the work instead.");
    else
        status = confirm_page(
            r, "Delete Chapter",
            web_sprintf(r,
                        "Are you sure you want to delete chapter %d of \"%s\"? This cannot be "
                        "undone.",
                        ci + 1, w.title ? w.title : "Untitled"),
            web_sprintf(r, "/works/%lld/chapters/%lld/delete", (long long)w.id,
                        (long long)w.chapters[ci].id),
            "Yes, Delete Chapter", web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

int ui_chapter_delete(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    int ci = work_chapter_index(&w, web_param_id(r, 1));
    if (ci < 0)
        status = ui_error(r, 404, "The work has no such chapter.");
    else if (w.nchapters <= 1)
        status = ui_error(r, 422, "A work needs at least one chapter: delete the work instead.");
    else if (store_chapter_delete(r->store, w.id, w.chapters[ci].id))
        status = ui_error(r, 500, "The chapter could not be deleted.");
    else
        status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    work_free(&w);
    return status;
}

static int manage_page(struct web_req *r, int status, const struct work *w, const char *error)
{
    struct buf *b = &r->out;
    buf_reset(b);
    page_begin(r, "Manage Chapters");
    html_lit(b, "<h1>Manage Chapters</h1>\n<p>Work: <a href=\"/works/");
    html_int(b, w->id);
    html_lit(b, "\">");
    html_text(b, w->title);
    html_lit(b, "</a></p>\n");
    if (error)
        page_errors(r, &error, 1);
    html_lit(b, "<p>Give each chapter its new position and save.</p>\n<form method=\"post\" "
                "action=\"/works/");
    html_int(b, w->id);
    html_lit(b, "/chapters/manage\" id=\"manage-form\">\n");
    page_csrf_field(r);
    html_lit(b, "<ol class=\"chapters\">\n");
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        const char *name = web_sprintf(r, "position_%lld", (long long)c->id);
        html_lit(b, "<li><label for=\"");
        html_attr(b, name);
        html_lit(b, "\">");
        html_text(b, c->title && *c->title ? c->title : web_sprintf(r, "Chapter %zu", i + 1));
        html_lit(b, "</label> <input type=\"number\" min=\"1\" name=\"");
        html_attr(b, name);
        html_lit(b, "\" id=\"");
        html_attr(b, name);
        html_lit(b, "\" value=\"");
        html_int(b, (long long)i + 1);
        html_lit(b, "\"> <a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/edit\">Edit</a> <a href=\"/works/");
        html_int(b, w->id);
        html_lit(b, "/chapters/");
        html_int(b, c->id);
        html_lit(b, "/delete\">Delete</a></li>\n");
    }
    html_lit(b, "</ol>\n<p class=\"actions\"><button type=\"submit\" id=\"reorder-button\">"
                "Update Positions</button></p>\n</form>\n");
    page_end(r);
    return status;
}

int ui_chapters_manage(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    status = manage_page(r, 200, &w, NULL);
    work_free(&w);
    return status;
}

struct slot {
    long pos;
    size_t old;
    int64_t id;
};

static int slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->old < y->old ? -1 : x->old > y->old;
}

int ui_chapters_reorder(struct web_req *r)
{
    struct work w;
    int status = web_load_work(r, 0, 1, &w);
    if (status)
        return status;
    struct slot *s = web_alloc(r, (w.nchapters + 1) * sizeof(*s));
    int64_t *ids = web_alloc(r, (w.nchapters + 1) * sizeof(*ids));
    const char *error = NULL;
    for (size_t i = 0; i < w.nchapters && !error; i++) {
        const char *v = web_field(r, web_sprintf(r, "position_%lld", (long long)w.chapters[i].id));
        char *end;
        long p = v ? strtol(v, &end, 10) : 0;
        if (!v || !*v || *end || p < 1 || p > 100000)
            error = "Every chapter needs a position: a whole number from 1 up.";
        s[i].pos = p;
        s[i].old = i;
        s[i].id = w.chapters[i].id;
    }
    if (error) {
        status = manage_page(r, 422, &w, error);
    } else {
        qsort(s, w.nchapters, sizeof(*s), slot_cmp);
        for (size_t i = 0; i < w.nchapters; i++)
            ids[i] = s[i].id;
        if (store_chapter_reorder(r->store, w.id, ids, w.nchapters))
            status = ui_error(r, 500, "The chapters could not be reordered.");
        else
            status = web_redirect(r, web_sprintf(r, "/works/%lld", (long long)w.id));
    }
    work_free(&w);
    return status;
}
