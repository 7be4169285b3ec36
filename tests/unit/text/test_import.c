/* test_import.c: the importers from elsewhere. AO3 downloads (HTML and EPUB), calibre's and
 * FanFicFare's EPUBs and ficd's own exports are read from fixtures written for these tests
 * (tests/fixtures/ao3, tests/fixtures/epub: EPUB trees zipped here), and every field is
 * checked: each test counts the fields that land right and fails below 100 %. Hostile
 * archives (zip bombs declared and lying, unsafe paths, missing files, 10,000 spine items,
 * malformed XML, XML entities, zips that are not EPUBs) are refused with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/work.h"
#include "text/export.h"
#include "text/import.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#define FIX FICD_SOURCE_DIR "/tests/fixtures/"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *d = malloc((size_t)len + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)len, f), (size_t)len);
    d[len] = '\0';
    fclose(f);
    *n = (size_t)len;
    return d;
}

/* ---- building archives ---- */

struct entry {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
    int store;  /* stored, not deflated */
};

static char tmpzip[256];

static unsigned char *zip_entries(const struct entry *e, size_t n, size_t *outlen)
{
    snprintf(tmpzip, sizeof(tmpzip), "%s/test_import_%d.zip", FICD_BINARY_DIR, (int)getpid());
    unlink(tmpzip);
    int ze = 0;
    zip_t *z = zip_open(tmpzip, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t len = e[i].len ? e[i].len : strlen(e[i].data);
        zip_source_t *s = zip_source_buffer(z, e[i].data, len, 0);
        assert_non_null(s);
        zip_int64_t idx = zip_file_add(z, e[i].name, s, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        assert_true(idx >= 0);
        zip_set_file_compression(z, (zip_uint64_t)idx, e[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                 0);
    }
    assert_int_equal(zip_close(z), 0);
    unsigned char *d = (unsigned char *)slurp(tmpzip, outlen);
    unlink(tmpzip);
    return d;
}

struct tree {
    struct entry e[64];
    char *bufs[64];
    char names[64][256];
    size_t n;
};

static void tree_walk(struct tree *t, const char *root, const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *de;
    char *names[64];
    size_t k = 0;
    while ((de = readdir(d)) && k < 64)
        if (de->d_name[0] != '.')
            names[k++] = strdup(de->d_name);
    closedir(d);
    for (size_t i = 0; i < k; i++) {
        char r[256], p[768];
        snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(p, sizeof(p), "%s/%s", root, r);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            tree_walk(t, root, r);
        } else if (strcmp(r, "mimetype")) {
            assert_true(t->n < 64);
            size_t len;
            t->bufs[t->n] = slurp(p, &len);
            snprintf(t->names[t->n], sizeof(t->names[0]), "%s", r);
            t->e[t->n] = (struct entry){t->names[t->n], t->bufs[t->n], len ? len : 1, 0};
            t->n++;
        }
        free(names[i]);
    }
}

/* Zips a fixture tree, mimetype first and stored as the EPUB container wants. */
static unsigned char *zip_tree(const char *name, size_t *len)
{
    static struct tree t;
    memset(&t, 0, sizeof(t));
    t.e[0] = (struct entry){"mimetype", "application/epub+zip", 0, 1};
    t.n = 1;
    char root[512];
    snprintf(root, sizeof(root), FIX "epub/%s", name);
    tree_walk(&t, root, "");
    unsigned char *z = zip_entries(t.e, t.n, len);
    for (size_t i = 1; i < t.n; i++)
        free(t.bufs[i]);
    return z;
}

/* ---- field fidelity ---- */

struct fid {
    const char *name;
    int ok, total;
};

static void field(struct fid *f, const char *what, int ok)
{
    f->total++;
    f->ok += ok != 0;
    if (!ok)
        fprintf(stderr, "%s: field '%s' wrong\n", f->name, what);
}

static int eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static int list_is(const struct strlist *l, const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    if (l->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(l->v[i], v[i]))
            return 0;
    return 1;
}

static void fid_done(struct fid *f)
{
    fprintf(stderr, "fidelity %s: %d of %d fields (%.0f %%)\n", f->name, f->ok, f->total,
            100.0 * f->ok / f->total);
    assert_int_equal(f->ok, f->total);
}

static int has(const char *html, const char *s)
{
    return html && strstr(html, s) != NULL;
}

/* ---- AO3 ---- */

static void check_lighthouse(const struct work *w, const char *name)
{
    struct fid f = {name, 0, 0};
    field(&f, "title", eq(w->title, "The Lighthouse Keeper's Ledger"));
    field(&f, "creators", list_is(&w->creators, (const char *[]){"Saltmarsh_Writes", "Kelp", 0}));
    field(&f, "rating", w->rating == RATING_TEEN && w->rating_declared);
    field(&f, "warnings", w->warnings == (WARN_VIOLENCE | WARN_MCD));
    field(&f, "categories", w->categories == (CAT_FM | CAT_GEN));
    field(&f, "fandoms", list_is(&w->fandoms, (const char *[]){"Brinewood Saga", 0}));
    field(&f, "relationships",
          list_is(&w->relationships, (const char *[]){"Tamsin Holloway/Edric Vane", 0}));
    field(&f, "characters",
          list_is(&w->characters,
                  (const char *[]){"Tamsin Holloway", "Edric Vane", "Old Mother Gull", 0}));
    field(&f, "freeforms",
          list_is(&w->freeforms,
                  (const char *[]){"Slow Burn", "Storms", "Found Family (Sort Of)", 0}));
    field(&f, "language", eq(w->language, "English"));
    field(&f, "series", eq(w->series, "Tales of the Grey Coast"));
    field(&f, "series_position", w->series_position == 2);
    field(&f, "published", w->published == import_parse_date("2019-03-04"));
    field(&f, "expected_chapters", w->expected_chapters == 3);
    field(&f, "summary",
          eq(w->summary, "Tamsin keeps the light on Gull Rock and a ledger of "
                         "every ship that passes.\n\nOne night a ship passes "
                         "that is not in any register."));
    field(&f, "notes_begin", eq(w->notes_begin, "Written for the Winter Tides exchange."));
    field(&f, "notes_end", eq(w->notes_end, "Thanks to everyone who left kudos on part one."));
    field(&f, "chapters", w->nchapters == 3);
    if (w->nchapters == 3) {
        const struct chapter *c = w->chapters;
        field(&f, "ch1.title", eq(c[0].title, "The First Entry"));
        field(&f, "ch1.summary", eq(c[0].summary, "The ledger opens."));
        field(&f, "ch1.notes", eq(c[0].notes_begin, "This one is short, sorry."));
        field(&f, "ch1.end_notes", eq(c[0].notes_end, "Next chapter: the ship."));
        field(&f, "ch1.text",
              has(c[0].html, "<p>The lamp room smelled of paraffin") &&
                  has(c[0].html, "but the beam.</p>") && !has(c[0].html, "Chapter End Notes"));
        field(&f, "ch1.words", c[0].words == 83);
        field(&f, "ch2.title", c[1].title == NULL);
        field(&f, "ch2.notes", !c[1].summary && !c[1].notes_begin && !c[1].notes_end);
        field(&f, "ch2.text",
              has(c[1].html, "<blockquote><p>\"You look like") &&
                  has(c[1].html, "gap in the ledger"));
        field(&f, "ch3.title", eq(c[2].title, "Old Mother Gull"));
        field(&f, "ch3.notes", eq(c[2].notes_begin, "The last one. Thank you for reading!"));
        field(&f, "ch3.end_notes", eq(c[2].notes_end, "The Patience will be back in part three."));
        field(&f, "ch3.text",
              has(c[2].html, "<em>Patience</em>") && !has(c[2].html, "drop by the Archive"));
    }
    fid_done(&f);
}

static void ao3_html(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp(FIX "ao3/lighthouse.html", &n);
    assert_int_equal(import_detect((unsigned char *)d, n, "x.html"), IMPORT_AO3_HTML);
    /* by content, whatever the name says */
    assert_int_equal(import_detect((unsigned char *)d, n, "x.txt"), IMPORT_AO3_HTML);
    struct work w;
    struct text_err te = {0, ""};
    enum import_kind k;
    assert_int_equal(import_bytes((unsigned char *)d, n, NULL, &w, &k, &te), 0);
    assert_int_equal(k, IMPORT_AO3_HTML);
    assert_int_equal(strlen(w.content_hash), 64);
    assert_int_equal(w.draft, 1);
    check_lighthouse(&w, "AO3 HTML");
    work_free(&w);
    free(d);
}

static void check_ferry(const struct work *w, const char *name)
{
    struct fid f = {name, 0, 0};
    field(&f, "title", eq(w->title, "Ferry Crossings"));
    field(&f, "creators", list_is(&w->creators, (const char *[]){"Ink and Oar", 0}));
    field(&f, "rating", w->rating == RATING_GENERAL && w->rating_declared);
    field(&f, "warnings", w->warnings == WARN_NONE);
    field(&f, "categories", w->categories == CAT_GEN);
    field(&f, "fandoms", list_is(&w->fandoms, (const char *[]){"Riverlands (Imaginary Town)", 0}));
    field(&f, "relationships", w->relationships.n == 0);
    field(&f, "characters", list_is(&w->characters, (const char *[]){"Mara Quint", 0}));
    field(&f, "freeforms", list_is(&w->freeforms, (const char *[]){"Fluff", 0}));
    field(&f, "language", eq(w->language, "English"));
    field(&f, "series", w->series == NULL && w->series_position == 0);
    field(&f, "published", w->published == import_parse_date("2021-07-01"));
    field(&f, "expected_chapters", w->expected_chapters == 0);
    field(&f, "summary", eq(w->summary, "Mara runs the last ferry of the night."));
    field(&f, "notes", !w->notes_begin && !w->notes_end);
    field(&f, "chapters", w->nchapters == 2);
    if (w->nchapters == 2) {
        field(&f, "ch1.title", eq(w->chapters[0].title, "Low Water"));
        field(&f, "ch1.notes",
              eq(w->chapters[0].notes_begin, "Set the summer before the bridge was built."));
        field(&f, "ch1.text",
              has(w->chapters[0].html, "black teeth in the brown water") &&
                  !has(w->chapters[0].html, "Chapter Notes"));
        field(&f, "ch2.title", eq(w->chapters[1].title, "High Water"));
        field(&f, "ch2.end_notes", eq(w->chapters[1].notes_end, "More soon, I promise."));
        field(&f, "ch2.text", has(w->chapters[1].html, "hold the rail."));
    }
    fid_done(&f);
}

static void ao3_epub(void **state)
{
    (void)state;
    size_t n;
    unsigned char *z = zip_tree("ao3-epub", &n);
    assert_int_equal(import_detect(z, n, "download.bin"), IMPORT_EPUB);
    struct work w;
    struct text_err te = {0, ""};
    enum import_kind k;
    int rc = import_bytes(z, n, NULL, &w, &k, &te);
    if (rc)
        fprintf(stderr, "%s\n", te.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(k, IMPORT_EPUB);
    check_ferry(&w, "AO3 EPUB");
    work_free(&w);
    free(z);
    /* the same with every class renamed (calibre's CSS flattening) */
    z = zip_tree("ao3-flattened", &n);
    memset(&te, 0, sizeof(te));
    rc = import_bytes(z, n, NULL, &w, &k, &te);
    if (rc)
        fprintf(stderr, "%s\n", te.msg);
    assert_int_equal(rc, 0);
    check_ferry(&w, "AO3 EPUB, classes renamed");
    work_free(&w);
    free(z);
}

static void calibre_epub(void **state)
{
    (void)state;
    size_t n;
    unsigned char *z = zip_tree("calibre", &n);
    struct work w;
    struct text_err te = {0, ""};
    int rc = import_bytes(z, n, NULL, &w, NULL, &te);
    if (rc)
        fprintf(stderr, "%s\n", te.msg);
    assert_int_equal(rc, 0);
    struct fid f = {"calibre EPUB 2", 0, 0};
    field(&f, "title", eq(w.title, "Salt and Cinders"));
    field(&f, "creators", list_is(&w.creators, (const char *[]){"Wren Penhallow", "J. Marsh", 0}));
    field(&f, "language", eq(w.language, "Français"));
    field(
        &f, "freeforms",
        list_is(&w.freeforms, (const char *[]){"Apprenticeship", "Blacksmithing", "Slow Burn", 0}));
    field(&f, "summary",
          eq(w.summary, "A forge-town story about a smith's apprentice.\n\n"
                        "Second paragraph of the blurb."));
    field(&f, "series", eq(w.series, "Forge Town Stories") && w.series_position == 3);
    field(&f, "published", w.published == import_parse_date("2018-11-20"));
    field(&f, "no rating", !w.rating_declared && w.fandoms.n == 0);
    field(&f, "chapters", w.nchapters == 3);
    if (w.nchapters == 3) {
        field(&f, "ch1.title", eq(w.chapters[0].title, "The Bellows"));
        field(&f, "ch1.text",
              has(w.chapters[0].html, "<p>Ysolde learned the bellows") &&
                  !has(w.chapters[0].html, "Chapter 1"));
        field(&f, "ch2.title", eq(w.chapters[1].title, "The Quench"));
        field(&f, "ch2.text",
              has(w.chapters[1].html, "Never oil for that steel") &&
                  !has(w.chapters[1].html, "<h2"));
        field(&f, "ch3.title", eq(w.chapters[2].title, "Midwinter"));
        field(&f, "ch3.text", has(w.chapters[2].html, "Somebody had let her."));
    }
    fid_done(&f);
    work_free(&w);
    free(z);
}

static void fanficfare_epub(void **state)
{
    (void)state;
    size_t n;
    unsigned char *z = zip_tree("fanficfare", &n);
    struct work w;
    struct text_err te = {0, ""};
    int rc = import_bytes(z, n, NULL, &w, NULL, &te);
    if (rc)
        fprintf(stderr, "%s\n", te.msg);
    assert_int_equal(rc, 0);
    struct fid f = {"FanFicFare EPUB", 0, 0};
    field(&f, "title", eq(w.title, "The Orchard Wall"));
    field(&f, "creators", list_is(&w.creators, (const char *[]){"bramblebee", 0}));
    field(&f, "fandoms", list_is(&w.fandoms, (const char *[]){"Hedgerow Tales", 0}));
    field(&f, "rating", w.rating == RATING_MATURE && w.rating_declared);
    field(&f, "warnings", w.warnings == WARN_VIOLENCE);
    field(&f, "relationships", list_is(&w.relationships, (const char *[]){"Pell/Orrin", 0}));
    field(&f, "characters",
          list_is(&w.characters, (const char *[]){"Pell", "Orrin", "The Pear Tree", 0}));
    field(&f, "freeforms", list_is(&w.freeforms, (const char *[]){"Humor", "Romance", 0}));
    field(&f, "status", w.expected_chapters == 2);
    field(&f, "series", eq(w.series, "Hedgerow Seasons") && w.series_position == 4);
    field(&f, "published", w.published == import_parse_date("2015-04-09"));
    field(&f, "summary",
          eq(w.summary, "Two neighbours, one wall, and a pear tree that will not pick a side."));
    field(&f, "language", eq(w.language, "English"));
    field(&f, "chapters", w.nchapters == 2);
    if (w.nchapters == 2) {
        field(&f, "ch1.title", eq(w.chapters[0].title, "Spring"));
        field(&f, "ch1.text",
              has(w.chapters[0].html, "The pear tree grew") &&
                  !has(w.chapters[0].html, "1. Spring"));
        field(&f, "ch2.title", eq(w.chapters[1].title, "The Harvest Quarrel"));
        field(&f, "ch2.text", has(w.chapters[1].html, "settled it over a pie"));
    }
    fid_done(&f);
    work_free(&w);
    free(z);
}

/* ficd's own EPUB and HTML exports come back as they went out. */
static void own_exports(void **state)
{
    (void)state;
    size_t n;
    char *d = slurp(FIX "ao3/lighthouse.html", &n);
    struct work w;
    struct text_err te = {0, ""};
    assert_int_equal(import_bytes((unsigned char *)d, n, NULL, &w, NULL, &te), 0);
    free(d);
    const enum export_format fmts[] = {EXPORT_EPUB, EXPORT_HTML};
    const char *names[] = {"ficd EPUB", "ficd HTML"};
    for (int i = 0; i < 2; i++) {
        struct buf b = BUF_INIT;
        assert_int_equal(export_work(&w, fmts[i], &b), 0);
        struct work back;
        memset(&te, 0, sizeof(te));
        int rc = import_bytes((unsigned char *)b.data, b.len, NULL, &back, NULL, &te);
        if (rc)
            fprintf(stderr, "%s: %s\n", names[i], te.msg);
        assert_int_equal(rc, 0);
        check_lighthouse(&back, names[i]);
        work_free(&back);
        buf_free(&b);
    }
    work_free(&w);
}

/* ---- hostile archives ---- */

static const char container_xml[] =
    "<?xml version=\"1.0\"?><container version=\"1.0\" "
    "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile "
    "full-path=\"content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles>"
    "</container>";

static const char opf_one[] =
    "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\">"
    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>T</dc:title></metadata>"
    "<manifest><item id=\"c1\" href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/>"
    "</manifest><spine><itemref idref=\"c1\"/></spine></package>";

static const char chapter_xhtml[] = "<html><body><p>Some text here.</p></body></html>";

static void refused(const unsigned char *z, size_t n, const char *needle)
{
    struct work w;
    struct text_err te = {0, ""};
    int rc = import_bytes(z, n, NULL, &w, NULL, &te);
    if (!rc || !strstr(te.msg, needle))
        fprintf(stderr, "expected a refusal with '%s', got rc %d: '%s'\n", needle, rc, te.msg);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(te.msg, needle));
    assert_null(w.title);
    assert_int_equal(w.nchapters, 0);
    work_free(&w);
}

static void hostile_baseline(void **state)
{
    (void)state;
    /* the minimal archive the hostile ones are variations of imports fine */
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf_one, 0, 0},
                        {"c1.xhtml", chapter_xhtml, 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    struct work w;
    struct text_err te = {0, ""};
    assert_int_equal(import_bytes(z, n, NULL, &w, NULL, &te), 0);
    assert_string_equal(w.title, "T");
    assert_int_equal(w.nchapters, 1);
    work_free(&w);
    free(z);
}

static void hostile_bomb_declared(void **state)
{
    (void)state;
    /* 70 MB of zeros deflate to ~70 kB: over the 64 MiB per-file cap before inflating */
    size_t big = (size_t)70 << 20;
    char *zeros = calloc(1, big);
    assert_non_null(zeros);
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf_one, 0, 0},
                        {"c1.xhtml", zeros, big, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    free(zeros);
    assert_true(n < 1000000);
    refused(z, n, "inflates to");
    free(z);
}

/* Finds the sizes of the entry named name in the local and central headers and sets its
 * uncompressed size to v in both (a bomb that lies about its size). */
static void patch_size(unsigned char *z, size_t n, const char *name, uint32_t v)
{
    size_t nl = strlen(name);
    int patched = 0;
    for (size_t i = 0; i + 46 + nl < n; i++) {
        if (!memcmp(z + i, "PK\x03\x04", 4) && z[i + 26] == nl && !memcmp(z + i + 30, name, nl)) {
            memcpy(z + i + 22, &v, 4);
            patched++;
        }
        if (!memcmp(z + i, "PK\x01\x02", 4) && z[i + 28] == nl && !memcmp(z + i + 46, name, nl)) {
            memcpy(z + i + 24, &v, 4);
            patched++;
        }
    }
    assert_int_equal(patched, 2);
}

static void hostile_bomb_lying(void **state)
{
    (void)state;
    size_t big = (size_t)8 << 20;
    char *spaces = malloc(big);
    assert_non_null(spaces);
    memset(spaces, ' ', big);
    memcpy(spaces, "<html><body><p>", 15);
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf_one, 0, 0},
                        {"c1.xhtml", spaces, big, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    free(spaces);
    patch_size(z, n, "c1.xhtml", 100);
    struct work w;
    struct text_err te = {0, ""};
    int rc = import_bytes(z, n, NULL, &w, NULL, &te);
    assert_int_not_equal(rc, 0);
    /* refused either by libzip's consistency check or by the read stopping at 100 bytes */
    assert_true(strstr(te.msg, "beyond its declared size") || strstr(te.msg, "corrupt") ||
                strstr(te.msg, "not a readable zip"));
    work_free(&w);
    free(z);
}

static void hostile_traversal(void **state)
{
    (void)state;
    const char *bad[] = {"../evil.xhtml", "OEBPS/../../evil.xhtml", "/etc/passwd",
                         "C:\\evil.xhtml"};
    for (size_t i = 0; i < 4; i++) {
        struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                            {"META-INF/container.xml", container_xml, 0, 0},
                            {"content.opf", opf_one, 0, 0},
                            {"c1.xhtml", chapter_xhtml, 0, 0},
                            {bad[i], "x", 0, 0}};
        size_t n;
        unsigned char *z = zip_entries(e, 5, &n);
        refused(z, n, "unsafe file name");
        free(z);
    }
    /* a manifest href climbing out of the archive */
    const char *opf = "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
                      "version=\"2.0\"><metadata/><manifest><item id=\"c1\" "
                      "href=\"../../c1.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
                      "<spine><itemref idref=\"c1\"/></spine></package>";
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf, 0, 0},
                        {"c1.xhtml", chapter_xhtml, 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    refused(z, n, "leaves the archive");
    free(z);
}

static void hostile_missing(void **state)
{
    (void)state;
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf_one, 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 3, &n);
    refused(z, n, "'c1.xhtml', which is not in the archive");
    free(z);
    /* no package document at all */
    z = zip_entries(e, 2, &n);
    refused(z, n, "'content.opf' is referenced but not in the archive");
    free(z);
}

static void hostile_spine(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" "
                 "version=\"2.0\"><metadata/><manifest><item id=\"c1\" href=\"c1.xhtml\" "
                 "media-type=\"application/xhtml+xml\"/></manifest><spine>");
    for (int i = 0; i < 10000; i++)
        buf_puts(&b, "<itemref idref=\"c1\"/>");
    buf_puts(&b, "</spine></package>");
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", b.data, b.len, 0},
                        {"c1.xhtml", chapter_xhtml, 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    refused(z, n, "the spine lists 10000 documents; the limit is 2000");
    free(z);
    buf_free(&b);
}

static void hostile_xml(void **state)
{
    (void)state;
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", "<container><rootfiles><rootfile", 0, 0},
                        {"content.opf", opf_one, 0, 0},
                        {"c1.xhtml", chapter_xhtml, 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    refused(z, n, "META-INF/container.xml: malformed XML at line 1");
    free(z);
    /* a billion laughs in the package document */
    const char *laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE package [<!ENTITY a \"lol\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"2.0\"><metadata "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>&c;</dc:title></metadata>"
        "<manifest><item id=\"c1\" href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/>"
        "</manifest><spine><itemref idref=\"c1\"/></spine></package>";
    e[1].data = container_xml;
    e[2].data = laughs;
    z = zip_entries(e, 4, &n);
    refused(z, n, "entit"); /* "declares XML entities" or libxml2's own loop detection */
    free(z);
    /* an external entity (file or network) */
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE package [<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]><package xmlns=\"http://www.idpf.org/2007/opf\">"
                      "<metadata><title>&x;</title></metadata></package>";
    e[2].data = xxe;
    z = zip_entries(e, 4, &n);
    refused(z, n, "declares XML entities");
    free(z);
}

static void not_epub(void **state)
{
    (void)state;
    struct entry e[] = {{"notes.txt", "hello", 0, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 1, &n);
    assert_int_equal(import_detect(z, n, "notes.zip"), IMPORT_ZIP);
    refused(z, n, "not an EPUB");
    /* named .epub: read as one, and refused for what is missing */
    assert_int_equal(import_detect(z, n, "book.epub"), IMPORT_EPUB);
    free(z);
    /* truncated archive */
    size_t m;
    unsigned char *ok = zip_tree("calibre", &m);
    struct work w;
    struct text_err te = {0, ""};
    assert_int_not_equal(import_bytes(ok, m / 2, NULL, &w, NULL, &te), 0);
    assert_true(te.msg[0] != '\0');
    work_free(&w);
    free(ok);
}

/* A chapter opening with "Label: value" lines is still a chapter (only short pages are read
 * as a title page). */
static void header_lines_in_a_chapter(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    buf_puts(&b, "<html><body><p>Rating: Teen<br/>Fandom: Canal District</p>");
    for (int i = 0; i < 120; i++)
        buf_puts(&b, "<p>The barges went by one after another, slow and low.</p>");
    buf_puts(&b, "</body></html>");
    struct entry e[] = {{"mimetype", "application/epub+zip", 0, 1},
                        {"META-INF/container.xml", container_xml, 0, 0},
                        {"content.opf", opf_one, 0, 0},
                        {"c1.xhtml", b.data, b.len, 0}};
    size_t n;
    unsigned char *z = zip_entries(e, 4, &n);
    struct work w;
    struct text_err te = {0, ""};
    assert_int_equal(import_bytes(z, n, NULL, &w, NULL, &te), 0);
    assert_int_equal(w.nchapters, 1);
    assert_true(w.chapters[0].words > 600);
    assert_non_null(strstr(w.chapters[0].html, "The barges went by"));
    work_free(&w);
    free(z);
    buf_free(&b);
}

static void helpers(void **state)
{
    (void)state;
    assert_true(import_parse_date("2019-03-04") == 1551657600LL);
    assert_true(import_parse_date("2018-11-20T00:00:00+00:00") == 1542672000LL);
    assert_true(import_parse_date("0101-01-01") == 0);
    assert_true(import_parse_date("soon") == 0);
    assert_string_equal(import_kind_name(IMPORT_AO3_HTML), "ao3-html");
    assert_string_equal(import_kind_name(IMPORT_EPUB), "epub");
    /* a manuscript stays a manuscript */
    const char *txt = "Title: Plain\n\nJust a story with a <dl class=\"tags\"> mention.\n";
    assert_int_equal(import_detect((const unsigned char *)txt, strlen(txt), "a.txt"),
                     IMPORT_MANUSCRIPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(helpers),
        cmocka_unit_test(ao3_html),
        cmocka_unit_test(ao3_epub),
        cmocka_unit_test(calibre_epub),
        cmocka_unit_test(fanficfare_epub),
        cmocka_unit_test(own_exports),
        cmocka_unit_test(hostile_baseline),
        cmocka_unit_test(hostile_bomb_declared),
        cmocka_unit_test(hostile_bomb_lying),
        cmocka_unit_test(hostile_traversal),
        cmocka_unit_test(hostile_missing),
        cmocka_unit_test(hostile_spine),
        cmocka_unit_test(hostile_xml),
        cmocka_unit_test(not_epub),
        cmocka_unit_test(header_lines_in_a_chapter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
