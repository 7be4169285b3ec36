/* imp_epub_pkg.c: the EPUB reader's container side (see imp_epub.c for the whole): the
 * archive, opened in memory with libzip and checked before anything is inflated (entry
 * count, names: no absolute paths, no "..", no backslashes; declared sizes against per-file
 * and total caps; reading stops at the caps whatever the headers declared); XML (container,
 * OPF, NCX) through libxml2 without network access, DTD loading or entity substitution, a
 * document declaring entities refused; the package document (metadata, manifest, spine) and
 * the navigation (EPUB 3 nav document or EPUB 2 NCX). */
#include "core/err.h"
#include "text/imp_epub_int.h"

#include <ctype.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

int epubr_fail(struct epub *e, int rc, const char *fmt, ...)
{
    if (!e->err->msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err->msg, sizeof(e->err->msg), fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- the archive ---- */

static int unsafe_name(const char *s)
{
    if (!*s || s[0] == '/' || strchr(s, '\\') || (isalpha((unsigned char)s[0]) && s[1] == ':'))
        return 1;
    for (const char *p = s; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20)
            return 1;
    return 0;
}

int epubr_check_archive(struct epub *e)
{
    zip_int64_t n = zip_get_num_entries(e->za, 0);
    if (n <= 0)
        return epubr_fail(e, FICD_EINVAL, "an empty zip archive, not an EPUB");
    if (n > IMPORT_EPUB_MAX_ENTRIES)
        return epubr_fail(e, FICD_ETOOBIG, "the archive holds %lld files; the limit is %d",
                          (long long)n, IMPORT_EPUB_MAX_ENTRIES);
    unsigned long long declared = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(e->za, (zip_uint64_t)i, 0, &st) || !(st.valid & ZIP_STAT_NAME))
            return epubr_fail(e, FICD_EINVAL, "unreadable entry %lld in the archive", (long long)i);
        if (unsafe_name(st.name))
            return epubr_fail(e, FICD_EINVAL, "unsafe file name in the archive: '%.120s'", st.name);
        if (st.valid & ZIP_STAT_SIZE) {
            if (st.size > IMPORT_EPUB_MAX_ENTRY)
                return epubr_fail(e, FICD_ETOOBIG,
                                  "'%.120s' inflates to %.1f MB; the limit is %zu MB per file",
                                  st.name, (double)st.size / 1e6, IMPORT_EPUB_MAX_ENTRY >> 20);
            declared += st.size;
        }
    }
    if (declared > IMPORT_EPUB_MAX_TOTAL)
        return epubr_fail(e, FICD_ETOOBIG, "the archive inflates to %.1f MB; the limit is %zu MB",
                          (double)declared / 1e6, IMPORT_EPUB_MAX_TOTAL >> 20);
    return 0;
}

/* Inflates one file (NUL-terminated), refusing it past its declared size or the caps. */
int epubr_read_entry(struct epub *e, const char *name, char **out, size_t *outlen)
{
    zip_int64_t idx = zip_name_locate(e->za, name, 0);
    if (idx < 0)
        return epubr_fail(e, FICD_EINVAL, "'%.120s' is referenced but not in the archive", name);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(e->za, (zip_uint64_t)idx, 0, &st))
        return epubr_fail(e, FICD_EINVAL, "unreadable entry '%.120s'", name);
    size_t cap = IMPORT_EPUB_MAX_ENTRY;
    if ((st.valid & ZIP_STAT_SIZE) && st.size < cap)
        cap = (size_t)st.size;
    if (e->total + cap > IMPORT_EPUB_MAX_TOTAL)
        return epubr_fail(e, FICD_ETOOBIG, "the archive inflates past %zu MB",
                          IMPORT_EPUB_MAX_TOTAL >> 20);
    zip_file_t *f = zip_fopen_index(e->za, (zip_uint64_t)idx, 0);
    if (!f)
        return epubr_fail(e, FICD_EINVAL, "'%.120s' cannot be read: %s", name, zip_strerror(e->za));
    char *p = malloc(cap + 2);
    if (!p) {
        zip_fclose(f);
        return FICD_ENOMEM;
    }
    size_t got = 0;
    for (;;) {
        zip_int64_t r = zip_fread(f, p + got, cap + 1 - got);
        if (r < 0) {
            const char *why = zip_file_strerror(f);
            free(p);
            zip_fclose(f);
            return epubr_fail(e, FICD_EINVAL, "'%.120s' is corrupt: %s", name, why);
        }
        if (r == 0)
            break;
        got += (size_t)r;
        if (got > cap) {
            free(p);
            zip_fclose(f);
            return epubr_fail(e, FICD_ETOOBIG,
                              "'%.120s' inflates beyond its declared size (a zip bomb?); refused",
                              name);
        }
    }
    zip_fclose(f);
    p[got] = '\0';
    e->total += got;
    *out = p;
    *outlen = got;
    return 0;
}

/* ---- XML ---- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

static void xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int xml_parse(struct epub *e, const char *name, const char *data, size_t n, xmlDocPtr *out)
{
    pthread_once(&xml_once, xml_init);
    xmlParserCtxtPtr ctx = xmlNewParserCtxt();
    if (!ctx)
        return FICD_ENOMEM;
    xmlSetGenericErrorFunc(NULL, xml_silent);
    /* no XML_PARSE_NOENT (no substitution), no DTD loading, no network */
    xmlDocPtr doc = xmlCtxtReadMemory(ctx, data, (int)n, name, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    if (!doc || !ctx->wellFormed) {
        const xmlError *x = xmlCtxtGetLastError(ctx);
        char why[160] = "not well-formed";
        int line = x ? x->line : 0;
        if (x && x->message) {
            snprintf(why, sizeof(why), "%s", x->message);
            imp_trim(why);
        }
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctx);
        return epubr_fail(e, FICD_EINVAL, "%.120s: malformed XML at line %d: %s", name, line, why);
    }
    xmlFreeParserCtxt(ctx);
    if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
        xmlFreeDoc(doc);
        return epubr_fail(e, FICD_EINVAL, "%.120s declares XML entities; refused", name);
    }
    *out = doc;
    return 0;
}

static int name_is(xmlNodePtr n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

static char *xml_text(xmlNodePtr n)
{
    xmlChar *c = xmlNodeGetContent(n);
    if (!c)
        return NULL;
    char *s = strdup((const char *)c);
    xmlFree(c);
    if (s && !*imp_trim(s)) {
        free(s);
        return NULL;
    }
    return s;
}

static char *xml_prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v) {
        /* namespaced attributes (opf:role, opf:event) */
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            if (!strcmp((const char *)a->name, name)) {
                v = xmlNodeGetContent((xmlNodePtr)a);
                break;
            }
    }
    if (!v)
        return NULL;
    char *s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

static xmlNodePtr child(xmlNodePtr n, const char *local)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (name_is(c, local))
            return c;
    return NULL;
}

/* ---- paths ---- */

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* dir + href (percent-decoded, fragment dropped, "." and ".." resolved); NULL when the path
 * climbs out of the archive. */
static char *resolve(const char *dir, const char *href)
{
    size_t n = strlen(dir) + strlen(href) + 2;
    char *raw = malloc(n), *out = malloc(n);
    if (!raw || !out) {
        free(raw);
        free(out);
        return NULL;
    }
    char *r = raw;
    if (href[0] != '/') {
        r = stpcpy(r, dir);
    } else {
        href++;
    }
    for (const char *p = href; *p && *p != '#' && *p != '?'; p++) {
        if (*p == '%' && hexval((unsigned char)p[1]) >= 0 && hexval((unsigned char)p[2]) >= 0) {
            *r++ = (char)(hexval((unsigned char)p[1]) * 16 + hexval((unsigned char)p[2]));
            p += 2;
        } else {
            *r++ = *p;
        }
    }
    *r = '\0';
    /* normalise segments */
    size_t olen = 0;
    const char *p = raw;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* skip */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (!olen) {
                free(raw);
                free(out);
                return NULL;
            }
            while (olen && out[olen - 1] != '/')
                olen--;
            if (olen)
                olen--;
        } else {
            if (olen)
                out[olen++] = '/';
            memcpy(out + olen, p, len);
            olen += len;
        }
        if (!e)
            break;
        p = e + 1;
    }
    out[olen] = '\0';
    free(raw);
    return out;
}

/* ---- container and package ---- */

static int read_xml(struct epub *e, const char *name, xmlDocPtr *doc)
{
    char *data;
    size_t n;
    int rc = epubr_read_entry(e, name, &data, &n);
    if (rc)
        return rc;
    rc = xml_parse(e, name, data, n, doc);
    free(data);
    return rc;
}

int epubr_container(struct epub *e)
{
    if (zip_name_locate(e->za, "mimetype", 0) >= 0) {
        char *m;
        size_t n;
        int rc = epubr_read_entry(e, "mimetype", &m, &n);
        if (rc)
            return rc;
        int ok = !strcmp(imp_trim(m), "application/epub+zip");
        free(m);
        if (!ok)
            return epubr_fail(e, FICD_EINVAL,
                              "the mimetype file does not say application/epub+zip");
    }
    xmlDocPtr doc;
    int rc = read_xml(e, "META-INF/container.xml", &doc);
    if (rc)
        return rc;
    xmlNodePtr root = xmlDocGetRootElement(doc), rf = child(child(root, "rootfiles"), "rootfile");
    char *full = NULL;
    for (; rf; rf = rf->next) {
        if (!name_is(rf, "rootfile"))
            continue;
        char *type = xml_prop(rf, "media-type");
        int opf = !type || !strcmp(type, "application/oebps-package+xml");
        free(type);
        if (opf) {
            full = xml_prop(rf, "full-path");
            break;
        }
    }
    xmlFreeDoc(doc);
    if (!full)
        return epubr_fail(e, FICD_EINVAL, "META-INF/container.xml names no package document");
    e->opf_path = resolve("", full);
    free(full);
    if (!e->opf_path)
        return epubr_fail(e, FICD_EINVAL, "the package document's path leaves the archive");
    const char *slash = strrchr(e->opf_path, '/');
    size_t dl = slash ? (size_t)(slash - e->opf_path) + 1 : 0;
    e->opf_dir = strndup(e->opf_path, dl);
    return e->opf_dir ? 0 : FICD_ENOMEM;
}

static const struct item *item_by_id(const struct epub *e, const char *id)
{
    for (size_t i = 0; id && i < e->nitems; i++)
        if (e->items[i].id && !strcmp(e->items[i].id, id))
            return &e->items[i];
    return NULL;
}

static const char *lang_name(const char *code)
{
    static const struct {
        const char *code, *name;
    } langs[] = {{"en", "English"},          {"es", "Español"},    {"fr", "Français"},
                 {"de", "Deutsch"},          {"ja", "日本語"},     {"it", "Italiano"},
                 {"pt", "Português"},        {"ru", "Русский"},    {"zh", "中文-普通话 國語"},
                 {"pl", "Polski"},           {"nl", "Nederlands"}, {"ko", "한국어"},
                 {"sv", "Svenska"},          {"fi", "Suomi"},      {"tr", "Türkçe"},
                 {"id", "Bahasa Indonesia"}, {"vi", "Tiếng Việt"}, {"uk", "Українська"}};
    for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
        size_t n = strlen(langs[i].code);
        if (!strncasecmp(code, langs[i].code, n) &&
            (code[n] == '\0' || code[n] == '-' || code[n] == '_'))
            return langs[i].name;
    }
    return code;
}

static void metadata(struct epub *e, xmlNodePtr md, struct work *w)
{
    for (xmlNodePtr n = md ? md->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *nm = (const char *)n->name;
        if (!strcmp(nm, "title") && !w->title) {
            w->title = xml_text(n);
        } else if (!strcmp(nm, "creator")) {
            char *role = xml_prop(n, "role"), *t = xml_text(n);
            if (t && (!role || !strcmp(role, "aut")))
                strlist_add_unique(&w->creators, t);
            free(role);
            free(t);
        } else if (!strcmp(nm, "language") && !w->language) {
            char *t = xml_text(n);
            if (t) {
                imp_set(&w->language, lang_name(t));
                free(t);
            }
        } else if (!strcmp(nm, "subject")) {
            char *t = xml_text(n);
            if (t)
                imp_split(&e->subjects, t);
            free(t);
        } else if (!strcmp(nm, "description") && !w->summary) {
            char *t = xml_text(n);
            if (t && strchr(t, '<')) {
                /* calibre and AO3 put HTML in the description */
                GumboOutput *g = gumbo_parse(t);
                if (g) {
                    free(t);
                    t = imp_text_dup(g->root);
                    gumbo_destroy_output(&kGumboDefaultOptions, g);
                }
            }
            w->summary = t;
        } else if (!strcmp(nm, "date")) {
            char *ev = xml_prop(n, "event"), *t = xml_text(n);
            if (t && (!ev || !strcmp(ev, "publication") || !strcmp(ev, "original-publication")) &&
                !w->published)
                w->published = import_parse_date(t);
            free(ev);
            free(t);
        } else if (!strcmp(nm, "meta")) {
            char *name = xml_prop(n, "name"), *content = xml_prop(n, "content"),
                 *prop = xml_prop(n, "property"), *refines = xml_prop(n, "refines"),
                 *id = xml_prop(n, "id");
            if (name && content && !strcmp(name, "calibre:series") && !w->series) {
                imp_set(&w->series, content);
                if (w->series && !w->series_position)
                    w->series_position = 1;
            } else if (name && content && !strcmp(name, "calibre:series_index")) {
                int pos = atoi(content);
                if (pos > 0)
                    w->series_position = pos;
            } else if (prop && !strcmp(prop, "belongs-to-collection") && !w->series) {
                char *t = xml_text(n);
                w->series = t;
                if (t && !w->series_position)
                    w->series_position = 1;
                if (id) {
                    free(e->series_id);
                    e->series_id = id;
                    id = NULL;
                }
            } else if (prop && refines && !strcmp(prop, "group-position") && e->series_id &&
                       refines[0] == '#' && !strcmp(refines + 1, e->series_id)) {
                char *t = xml_text(n);
                if (t && atoi(t) > 0)
                    w->series_position = atoi(t);
                free(t);
            }
            free(name);
            free(content);
            free(prop);
            free(refines);
            free(id);
        }
    }
}

int epubr_package(struct epub *e, struct work *w, char **ncx_path, char **nav_path)
{
    xmlDocPtr doc;
    int rc = read_xml(e, e->opf_path, &doc);
    if (rc)
        return rc;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!name_is(root, "package")) {
        xmlFreeDoc(doc);
        return epubr_fail(e, FICD_EINVAL, "%.120s is not an OPF package document", e->opf_path);
    }
    metadata(e, child(root, "metadata"), w);
    for (xmlNodePtr it = child(child(root, "manifest"), "item"); it && !rc; it = it->next) {
        if (!name_is(it, "item"))
            continue;
        if (e->nitems >= IMPORT_EPUB_MAX_ENTRIES) {
            rc = epubr_fail(e, FICD_ETOOBIG, "the manifest lists more than %d items",
                            IMPORT_EPUB_MAX_ENTRIES);
            break;
        }
        if (e->nitems == e->items_cap) {
            size_t cap = e->items_cap ? e->items_cap * 2 : 32;
            struct item *p = realloc(e->items, cap * sizeof(*p));
            if (!p) {
                rc = FICD_ENOMEM;
                break;
            }
            e->items = p;
            e->items_cap = cap;
        }
        struct item *x = &e->items[e->nitems++];
        x->id = xml_prop(it, "id");
        x->type = xml_prop(it, "media-type");
        x->props = xml_prop(it, "properties");
        char *href = xml_prop(it, "href");
        x->path = href ? resolve(e->opf_dir, href) : NULL;
        if (href && !x->path)
            rc = epubr_fail(e, FICD_EINVAL, "the manifest's '%.120s' leaves the archive", href);
        free(href);
    }
    xmlNodePtr spine = child(root, "spine");
    char *toc_id = spine ? xml_prop(spine, "toc") : NULL;
    const struct item *toc = item_by_id(e, toc_id);
    free(toc_id);
    if (toc && toc->path)
        *ncx_path = strdup(toc->path);
    for (size_t i = 0; i < e->nitems; i++) {
        if (!*ncx_path && e->items[i].type &&
            !strcmp(e->items[i].type, "application/x-dtbncx+xml") && e->items[i].path)
            *ncx_path = strdup(e->items[i].path);
        if (!*nav_path && e->items[i].props && strstr(e->items[i].props, "nav") && e->items[i].path)
            *nav_path = strdup(e->items[i].path);
    }
    for (xmlNodePtr ir = spine ? spine->children : NULL; ir && !rc; ir = ir->next) {
        if (!name_is(ir, "itemref"))
            continue;
        if (e->nspine >= IMPORT_EPUB_MAX_SPINE) {
            size_t count = e->nspine;
            for (xmlNodePtr r2 = ir; r2; r2 = r2->next)
                count += name_is(r2, "itemref");
            rc = epubr_fail(e, FICD_ETOOBIG, "the spine lists %zu documents; the limit is %d",
                            count, IMPORT_EPUB_MAX_SPINE);
            break;
        }
        char *idref = xml_prop(ir, "idref");
        const struct item *x = item_by_id(e, idref);
        if (!x || !x->path) {
            rc = epubr_fail(e, FICD_EINVAL,
                            "the spine names '%.120s', which the manifest does not list",
                            idref ? idref : "");
            free(idref);
            break;
        }
        free(idref);
        if (zip_name_locate(e->za, x->path, 0) < 0) {
            rc = epubr_fail(e, FICD_EINVAL,
                            "the package lists '%.120s', which is not in the archive", x->path);
            break;
        }
        if (e->nspine == e->spine_cap) {
            size_t cap = e->spine_cap ? e->spine_cap * 2 : 32;
            size_t *p = realloc(e->spine, cap * sizeof(*p));
            if (!p) {
                rc = FICD_ENOMEM;
                break;
            }
            e->spine = p;
            e->spine_cap = cap;
        }
        e->spine[e->nspine++] = (size_t)(x - e->items);
    }
    xmlFreeDoc(doc);
    if (!rc && !e->nspine)
        rc = epubr_fail(e, FICD_EINVAL, "the package's spine lists no documents");
    return rc;
}

/* ---- navigation ---- */

static void toc_add(struct epub *e, const char *dir, const char *href, char *title)
{
    char *path = href ? resolve(dir, href) : NULL;
    if (!path || !title || e->ntoc >= IMPORT_EPUB_MAX_SPINE * 4) {
        free(path);
        free(title);
        return;
    }
    for (size_t i = 0; i < e->ntoc; i++)
        if (!strcmp(e->toc[i].path, path)) { /* the first entry pointing at a file names it */
            free(path);
            free(title);
            return;
        }
    if (e->ntoc == e->toc_cap) {
        size_t cap = e->toc_cap ? e->toc_cap * 2 : 32;
        struct toc_entry *p = realloc(e->toc, cap * sizeof(*p));
        if (!p) {
            free(path);
            free(title);
            return;
        }
        e->toc = p;
        e->toc_cap = cap;
    }
    e->toc[e->ntoc].path = path;
    e->toc[e->ntoc].title = title;
    e->ntoc++;
}

static void ncx_points(struct epub *e, const char *dir, xmlNodePtr n, int depth)
{
    if (depth > 20)
        return;
    for (xmlNodePtr p = n ? n->children : NULL; p; p = p->next) {
        if (!name_is(p, "navPoint"))
            continue;
        xmlNodePtr content = child(p, "content");
        char *src = content ? xml_prop(content, "src") : NULL;
        toc_add(e, dir, src, xml_text(child(child(p, "navLabel"), "text")));
        free(src);
        ncx_points(e, dir, p, depth + 1);
    }
}

int epubr_ncx(struct epub *e, const char *path)
{
    xmlDocPtr doc;
    int rc = read_xml(e, path, &doc);
    if (rc)
        return rc;
    const char *slash = strrchr(path, '/');
    char *dir = strndup(path, slash ? (size_t)(slash - path) + 1 : 0);
    if (dir)
        ncx_points(e, dir, child(xmlDocGetRootElement(doc), "navMap"), 0);
    free(dir);
    xmlFreeDoc(doc);
    return 0;
}

static void nav_links(struct epub *e, const char *dir, const GumboNode *n, int depth)
{
    if (depth > 60 || n->type != GUMBO_NODE_ELEMENT)
        return;
    if (imp_is(n, GUMBO_TAG_A)) {
        toc_add(e, dir, imp_attr(n, "href"), imp_text_dup(n));
        return;
    }
    const GumboVector *ch = &n->v.element.children;
    for (unsigned i = 0; i < ch->length; i++)
        nav_links(e, dir, ch->data[i], depth + 1);
}

int epubr_nav(struct epub *e, const char *path)
{
    char *data;
    size_t n;
    int rc = epubr_read_entry(e, path, &data, &n);
    if (rc)
        return rc;
    GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, data, n);
    const char *slash = strrchr(path, '/');
    char *dir = strndup(path, slash ? (size_t)(slash - path) + 1 : 0);
    if (g && dir) {
        /* the nav element whose epub:type is toc (the first nav otherwise) */
        const GumboNode *found = NULL;
        const GumboNode *stack[256];
        size_t sp = 0;
        stack[sp++] = g->root;
        while (sp && !found) {
            const GumboNode *x = stack[--sp];
            if (x->type != GUMBO_NODE_ELEMENT)
                continue;
            if (imp_is(x, GUMBO_TAG_NAV)) {
                const char *t = imp_attr(x, "epub:type");
                if (t && strstr(t, "toc")) {
                    found = x;
                    break;
                }
                continue;
            }
            const GumboVector *ch = &x->v.element.children;
            for (unsigned i = ch->length; i > 0 && sp < 256; i--)
                stack[sp++] = ch->data[i - 1];
        }
        if (!found)
            found = imp_find(g->root, GUMBO_TAG_NAV);
        if (found)
            nav_links(e, dir, found, 0);
    }
    free(dir);
    if (g)
        gumbo_destroy_output(&kGumboDefaultOptions, g);
    free(data);
    return 0;
}

const char *epubr_toc_title(const struct epub *e, const char *path)
{
    for (size_t i = 0; i < e->ntoc; i++)
        if (!strcmp(e->toc[i].path, path))
            return e->toc[i].title;
    return NULL;
}
