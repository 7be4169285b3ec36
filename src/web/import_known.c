/* import_known.c: the archive's wrangled tags for the importer's suggestions, read from the
 * store: every fandom, relationship and character tag that is canonical or a synonym, and
 * every parent-fandom edge (a few queries, whatever the size of the archive). */
#include "web/import_known.h"
#include "store/store.h"
#include "text/manuscript.h"

static int tag_cb(const struct tag *t, void *ctx)
{
    return ms_known_tag(ctx, t->id, t->type, t->name, t->canonical, t->synonym_of) ? 1 : 0;
}

static int rel_cb(const struct tag_rel *r, void *ctx)
{
    if (r->kind != TAG_REL_PARENT)
        return 0;
    return ms_known_parent(ctx, r->from, r->to) ? 1 : 0;
}

struct ms_known *import_known_load(struct store *s)
{
    struct ms_known *k = ms_known_new();
    if (!k)
        return NULL;
    static const enum tag_type types[] = {TAG_CHARACTER, TAG_RELATIONSHIP, TAG_FANDOM};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (store_tag_list(s, types[i], NULL, 0, tag_cb, k)) {
            ms_known_free(k);
            return NULL;
        }
    if (store_tag_relations(s, rel_cb, k)) {
        ms_known_free(k);
        return NULL;
    }
    return k;
}
