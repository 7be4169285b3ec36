/* fuzz_fixture.h: a small archive for the search fuzz targets: a temporary store with a few
 * works (tags of every type, chapters with text, a draft and a restricted work) and a
 * full-text index built from it. Header-only, included by one target each. */
#ifndef FICD_FUZZ_FIXTURE_H
#define FICD_FUZZ_FIXTURE_H

#include "index/index.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *fx_store;
static struct idx *fx_idx;
static char fx_dir[64];

static void fx_cleanup(void)
{
    idx_free(fx_idx);
    store_close(fx_store);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", fx_dir);
}

static void fx_die(const char *what)
{
    fprintf(stderr, "fixture: %s: %s\n", what, fx_store ? store_errmsg(fx_store) : "");
    abort();
}

static void fx_work(const char *title, const char *fandom, const char *character, const char *text,
                    int draft, int restricted, int rating)
{
    struct work w;
    work_init(&w);
    w.title = strdup(title);
    w.summary = strdup("Summary words: tea, rain, letters.");
    w.language = strdup("English");
    w.draft = draft;
    w.restricted = restricted;
    w.rating = rating;
    w.warnings = 1u << 3;
    w.kudos = 3;
    if (strlist_add(&w.creators, "writer") || strlist_add(&w.fandoms, fandom) ||
        strlist_add(&w.characters, character) || strlist_add(&w.relationships, "Ann/Bo") ||
        strlist_add(&w.freeforms, "Alternate Universe - Coffee Shop"))
        fx_die("work");
    struct chapter *c = work_add_chapter(&w);
    if (!c)
        fx_die("chapter");
    c->title = strdup("One");
    c->html = strdup(text);
    c->words = 12;
    if (store_work_insert(fx_store, &w))
        fx_die("insert");
    work_free(&w);
}

static void fx_init(void)
{
    snprintf(fx_dir, sizeof(fx_dir), "/tmp/ficd-fuzz-idx.XXXXXX");
    if (!mkdtemp(fx_dir) || store_open(fx_dir, &fx_store))
        fx_die("store");
    atexit(fx_cleanup);
    fx_work("Rain Letters", "Naruto", "Haruno Sakura",
            "<p>The rain wrote letters on the window; she answered them with tea.</p>", 0, 0, 1);
    fx_work("Coffee & Stars", "Star Wars", "Rey",
            "<p>Stars over the coffee shop, running late.</p>", 0, 0, 2);
    fx_work("Hidden Draft", "Naruto", "Gaara", "<p>Secret words nobody may find.</p>", 1, 0, 3);
    fx_work("Members Only", "Star Wars", "Finn", "<p>Restricted running letters.</p>", 0, 1, 4);
    if (idx_new(1, &fx_idx) || idx_build(fx_idx, fx_store, 0))
        fx_die("index");
}

#endif
