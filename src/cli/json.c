/* json.c: the importer's JSON form of a work (import --dry-run, show and list), built from
 * the shared pieces in web/json_works.h. */
#include "cli/cli.h"
#include "core/work.h"
#include "web/json_works.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* Joins a list with ", " (NULL when empty); the caller frees. */
static char *join(const struct strlist *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += strlen(l->v[i]) + 2;
    if (!n)
        return NULL;
    char *s = malloc(n + 1), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < l->n; i++)
        p = stpcpy(stpcpy(p, i ? ", " : ""), l->v[i]);
    return s;
}

json_t *cli_work_json(const struct work *w)
{
    json_t *o = json_object();
    if (w->id)
        json_object_set_new(o, "id", json_integer(w->id));
    json_object_set_new(o, "title", str_or_null(w->title));
    json_object_set_new(o, "creators", works_json_strlist(&w->creators));
    json_object_set_new(o, "fandoms", works_json_strlist(&w->fandoms));
    json_object_set_new(o, "rating",
                        w->rating_declared || w->rating != RATING_NOT_RATED
                            ? json_string(rating_name(w->rating))
                            : json_null());
    json_object_set_new(o, "warnings", works_json_bits(w->warnings, WARN__COUNT, warning_name));
    json_object_set_new(o, "categories", works_json_bits(w->categories, CAT__COUNT, category_name));
    json_object_set_new(o, "relationships", works_json_strlist(&w->relationships));
    json_object_set_new(o, "characters", works_json_strlist(&w->characters));
    json_object_set_new(o, "freeforms", works_json_strlist(&w->freeforms));
    json_object_set_new(o, "summary", str_or_null(w->summary));
    json_object_set_new(o, "notes_begin", str_or_null(w->notes_begin));
    json_object_set_new(o, "notes_end", str_or_null(w->notes_end));
    char *beta = join(&w->beta);
    json_object_set_new(o, "beta", str_or_null(beta));
    free(beta);
    json_object_set_new(o, "language", str_or_null(w->language));
    json_object_set_new(o, "words", json_integer(work_words(w)));
    if (w->series && *w->series) {
        json_t *sj = json_object();
        json_object_set_new(sj, "title", json_string(w->series));
        json_object_set_new(sj, "position",
                            w->series_position > 0 ? json_integer(w->series_position)
                                                   : json_null());
        json_object_set_new(o, "series", sj);
    } else {
        json_object_set_new(o, "series", json_null());
    }
    json_object_set_new(o, "expected_chapters",
                        w->expected_chapters > 0 ? json_integer(w->expected_chapters)
                                                 : json_null());
    char day[16];
    time_t pt = (time_t)w->published;
    struct tm tm;
    if (w->published > 0 && gmtime_r(&pt, &tm) && strftime(day, sizeof(day), "%Y-%m-%d", &tm))
        json_object_set_new(o, "published", json_string(day));
    else
        json_object_set_new(o, "published", json_null());
    json_t *chs = json_array();
    for (size_t i = 0; i < w->nchapters; i++) {
        const struct chapter *c = &w->chapters[i];
        json_t *cj = json_object();
        json_object_set_new(cj, "title", str_or_null(c->title));
        json_object_set_new(cj, "words", json_integer(c->words));
        json_object_set_new(cj, "summary", str_or_null(c->summary));
        json_object_set_new(cj, "notes_begin", str_or_null(c->notes_begin));
        json_object_set_new(cj, "notes_end", str_or_null(c->notes_end));
        json_object_set_new(cj, "html", json_string(c->html ? c->html : ""));
        json_array_append_new(chs, cj);
    }
    json_object_set_new(o, "chapters", chs);
    json_t *sg = json_object();
    json_object_set_new(sg, "characters", works_json_strlist(&w->sugg_characters));
    json_object_set_new(sg, "relationships", works_json_strlist(&w->sugg_relationships));
    json_object_set_new(sg, "fandoms", works_json_strlist(&w->sugg_fandoms));
    json_object_set_new(o, "suggestions", sg);
    return o;
}

void cli_print_json(FILE *f, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) {
        fputs(s, f);
        fputc('\n', f);
        free(s);
    }
}
