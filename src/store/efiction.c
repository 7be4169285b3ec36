/* efiction.c: the eFiction 3.x database reader over libmariadb: prepared statements whose
 * results are read column by column as strings (sized after mysql_stmt_store_result), the
 * connection URL parsed here, the table prefix checked to be an identifier. */
#include "store/efiction.h"

#include <ctype.h>
#include <mysql.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EF_MAX_COLS 24

struct ef_db {
    MYSQL *my;
    char prefix[64];
    char source[512];
};

static int errf(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int hexv(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

/* Copies n bytes of s percent-decoded. */
static char *pct_dup(const char *s, size_t n)
{
    char *o = malloc(n + 1), *p = o;
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv((unsigned char)s[i + 1]) >= 0 &&
            hexv((unsigned char)s[i + 2]) >= 0) {
            *p++ = (char)(hexv((unsigned char)s[i + 1]) * 16 + hexv((unsigned char)s[i + 2]));
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return o;
}

int ef_open(const char *url, const char *prefix, struct ef_db **out, char *err, size_t errsz)
{
    *out = NULL;
    if (!prefix)
        prefix = "fanfiction_";
    if (strlen(prefix) >= 60)
        return errf(err, errsz, "the table prefix is too long");
    for (const char *p = prefix; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return errf(err, errsz, "the table prefix '%s' may hold only letters, digits and _",
                        prefix);
    if (strncmp(url, "mysql://", 8) && strncmp(url, "mariadb://", 10))
        return errf(err, errsz, "--mysql wants mysql://user:password@host[:port]/database");
    const char *p = strstr(url, "://") + 3;
    const char *at = strrchr(p, '@');
    const char *hoststart = at ? at + 1 : p;
    const char *slash = strchr(hoststart, '/');
    if (!slash || !slash[1])
        return errf(err, errsz, "the URL names no database (mysql://user:password@host/database)");
    char *user = NULL, *pass = NULL, *host = NULL, *dbname = NULL, *sock = NULL;
    unsigned port = 0;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        user = pct_dup(p, colon ? (size_t)(colon - p) : (size_t)(at - p));
        if (colon)
            pass = pct_dup(colon + 1, (size_t)(at - colon - 1));
    }
    const char *hostend = slash;
    const char *pc = memchr(hoststart, ':', (size_t)(slash - hoststart));
    if (pc) {
        port = (unsigned)atoi(pc + 1);
        hostend = pc;
    }
    host = pct_dup(hoststart, (size_t)(hostend - hoststart));
    const char *q = strchr(slash + 1, '?');
    dbname = pct_dup(slash + 1, q ? (size_t)(q - slash - 1) : strlen(slash + 1));
    if (q && !strncmp(q + 1, "socket=", 7))
        sock = pct_dup(q + 8, strlen(q + 8));
    struct ef_db *db = calloc(1, sizeof(*db));
    int rc = 0;
    if (!db || !user || (at && !pass && memchr(p, ':', (size_t)(at - p))) || !host || !dbname) {
        rc = errf(err, errsz, "out of memory");
    } else if (!(db->my = mysql_init(NULL))) {
        rc = errf(err, errsz, "cannot initialise the MySQL client");
    } else {
        mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        unsigned timeout = 10;
        mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
        if (!mysql_real_connect(db->my, *host ? host : NULL, user, pass, dbname, port, sock, 0))
            rc = errf(err, errsz, "cannot connect to %s/%s: %s", *host ? host : "localhost", dbname,
                      mysql_error(db->my));
    }
    if (!rc) {
        snprintf(db->prefix, sizeof(db->prefix), "%s", prefix);
        snprintf(db->source, sizeof(db->source), "efiction:%s/%s/%s", *host ? host : "localhost",
                 dbname, prefix);
        *out = db;
    } else if (db) {
        if (db->my)
            mysql_close(db->my);
        free(db);
    }
    free(user);
    free(pass);
    free(host);
    free(dbname);
    free(sock);
    return rc;
}

void ef_close(struct ef_db *db)
{
    if (!db)
        return;
    mysql_close(db->my);
    free(db);
}

const char *ef_source(const struct ef_db *db)
{
    return db->source;
}

/* Runs sql ("%s" stands for the prefix, once per table) with an optional int64 parameter;
 * each row's columns come as NUL-terminated strings (NULL for SQL NULL) to row(). */
typedef int (*row_fn)(char **cols, void *ctx);

static int query(struct ef_db *db, const char *sqlfmt, int nprefix, const int64_t *param,
                 row_fn row, void *ctx, char *err, size_t errsz)
{
    char sql[2048];
    if (nprefix == 1)
        snprintf(sql, sizeof(sql), sqlfmt, db->prefix);
    else if (nprefix == 2)
        snprintf(sql, sizeof(sql), sqlfmt, db->prefix, db->prefix);
    else
        snprintf(sql, sizeof(sql), "%s", sqlfmt);
    MYSQL_STMT *st = mysql_stmt_init(db->my);
    if (!st)
        return errf(err, errsz, "out of memory");
    int rc = 0;
    if (mysql_stmt_prepare(st, sql, strlen(sql))) {
        rc = errf(err, errsz, "%s (in: %.200s)", mysql_stmt_error(st), sql);
        mysql_stmt_close(st);
        return rc;
    }
    MYSQL_BIND pb;
    long long pv = param ? (long long)*param : 0;
    if (param) {
        memset(&pb, 0, sizeof(pb));
        pb.buffer_type = MYSQL_TYPE_LONGLONG;
        pb.buffer = &pv;
        if (mysql_stmt_bind_param(st, &pb)) {
            rc = errf(err, errsz, "%s", mysql_stmt_error(st));
            mysql_stmt_close(st);
            return rc;
        }
    }
    my_bool on = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    MYSQL_RES *meta = NULL;
    if (mysql_stmt_execute(st) || mysql_stmt_store_result(st) ||
        !(meta = mysql_stmt_result_metadata(st))) {
        rc = errf(err, errsz, "%s (in: %.200s)", mysql_stmt_error(st), sql);
        mysql_stmt_close(st);
        return rc;
    }
    unsigned ncols = mysql_num_fields(meta);
    if (ncols > EF_MAX_COLS)
        ncols = EF_MAX_COLS;
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND rb[EF_MAX_COLS];
    char *bufs[EF_MAX_COLS], *cols[EF_MAX_COLS];
    unsigned long lens[EF_MAX_COLS];
    my_bool nulls[EF_MAX_COLS];
    memset(rb, 0, sizeof(rb));
    for (unsigned i = 0; i < ncols; i++) {
        size_t cap = (size_t)f[i].max_length + 1;
        if (cap < 32)
            cap = 32;
        bufs[i] = malloc(cap);
        if (!bufs[i]) {
            for (unsigned k = 0; k < i; k++)
                free(bufs[k]);
            mysql_free_result(meta);
            mysql_stmt_close(st);
            return errf(err, errsz, "out of memory");
        }
        rb[i].buffer_type = MYSQL_TYPE_STRING;
        rb[i].buffer = bufs[i];
        rb[i].buffer_length = cap;
        rb[i].length = &lens[i];
        rb[i].is_null = &nulls[i];
    }
    if (mysql_stmt_bind_result(st, rb))
        rc = errf(err, errsz, "%s", mysql_stmt_error(st));
    while (!rc) {
        int fr = mysql_stmt_fetch(st);
        if (fr == MYSQL_NO_DATA)
            break;
        if (fr == 1) {
            rc = errf(err, errsz, "%s", mysql_stmt_error(st));
            break;
        }
        for (unsigned i = 0; i < ncols; i++) {
            if (nulls[i]) {
                cols[i] = NULL;
                continue;
            }
            size_t l = lens[i] < rb[i].buffer_length ? lens[i] : rb[i].buffer_length - 1;
            bufs[i][l] = '\0';
            cols[i] = bufs[i];
        }
        if (row(cols, ctx))
            rc = errf(err, errsz, "out of memory");
    }
    for (unsigned i = 0; i < ncols; i++)
        free(bufs[i]);
    mysql_free_result(meta);
    mysql_stmt_close(st);
    return rc;
}

static char *dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int64_t num(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

/* Growable arrays: each loader appends to one. */
#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc = (cap) ? (cap)*2 : 16;                                                      \
            void *np = realloc((arr), nc * sizeof(*(arr)));                                        \
            if (!np)                                                                               \
                return -1;                                                                         \
            (arr) = np;                                                                            \
            (cap) = nc;                                                                            \
        }                                                                                          \
    } while (0)

struct named_ctx {
    struct ef_named **v;
    size_t *n, cap;
};

static int named_row(char **c, void *ctx)
{
    struct named_ctx *x = ctx;
    GROW(*x->v, *x->n, x->cap);
    struct ef_named *e = &(*x->v)[(*x->n)++];
    e->id = num(c[0]);
    e->parent = num(c[1]);
    e->name = dup(c[2]);
    e->title = dup(c[3]);
    return 0;
}

static int load_named(struct ef_db *db, const char *sql, struct ef_named **v, size_t *n, char *err,
                      size_t errsz)
{
    struct named_ctx x = {v, n, 0};
    return query(db, sql, 1, NULL, named_row, &x, err, errsz);
}

struct author_ctx {
    struct ef_archive *a;
    size_t cap;
};

static int author_row(char **c, void *ctx)
{
    struct author_ctx *x = ctx;
    GROW(x->a->authors, x->a->nauthors, x->cap);
    struct ef_author *e = &x->a->authors[x->a->nauthors++];
    e->uid = num(c[0]);
    e->penname = dup(c[1]);
    e->realname = dup(c[2]);
    e->email = dup(c[3]);
    e->bio = dup(c[4]);
    e->date = dup(c[5]);
    return 0;
}

struct series_ctx {
    struct ef_archive *a;
    size_t cap;
};

static int series_row(char **c, void *ctx)
{
    struct series_ctx *x = ctx;
    GROW(x->a->series, x->a->nseries, x->cap);
    struct ef_series *e = &x->a->series[x->a->nseries++];
    e->id = num(c[0]);
    e->title = dup(c[1]);
    e->summary = dup(c[2]);
    e->uid = num(c[3]);
    return 0;
}

static int inseries_row(char **c, void *ctx)
{
    struct series_ctx *x = ctx;
    GROW(x->a->inseries, x->a->ninseries, x->cap);
    struct ef_inseries *e = &x->a->inseries[x->a->ninseries++];
    e->seriesid = num(c[0]);
    e->sid = num(c[1]);
    e->inorder = (int)num(c[2]);
    return 0;
}

static int story_row(char **c, void *ctx)
{
    struct series_ctx *x = ctx;
    GROW(x->a->stories, x->a->nstories, x->cap);
    struct ef_story *e = &x->a->stories[x->a->nstories++];
    memset(e, 0, sizeof(*e));
    e->sid = num(c[0]);
    e->title = dup(c[1]);
    e->summary = dup(c[2]);
    e->storynotes = dup(c[3]);
    e->catid = dup(c[4]);
    e->classes = dup(c[5]);
    e->charid = dup(c[6]);
    e->rid = dup(c[7]);
    e->date = dup(c[8]);
    e->updated = dup(c[9]);
    e->uid = num(c[10]);
    e->validated = c[11] && c[11][0] == '1';
    e->completed = c[12] && c[12][0] == '1';
    return 0;
}

static int coauthor_row(char **c, void *ctx)
{
    struct ef_archive *a = ctx;
    int64_t sid = num(c[0]), uid = num(c[1]);
    for (size_t i = 0; i < a->nstories; i++)
        if (a->stories[i].sid == sid) {
            struct ef_story *s = &a->stories[i];
            int64_t *p = realloc(s->coauthors, (s->ncoauthors + 1) * sizeof(*p));
            if (!p)
                return -1;
            s->coauthors = p;
            s->coauthors[s->ncoauthors++] = uid;
            break;
        }
    return 0;
}

int ef_load(struct ef_db *db, struct ef_archive *a, char *err, size_t errsz)
{
    memset(a, 0, sizeof(*a));
    struct author_ctx ac = {a, 0};
    struct series_ctx sc = {a, 0}, ic = {a, 0}, stc = {a, 0};
    int rc = query(db,
                   "SELECT uid, penname, realname, email, bio, CAST(date AS CHAR) FROM %sauthors "
                   "ORDER BY uid",
                   1, NULL, author_row, &ac, err, errsz);
    if (!rc)
        rc = load_named(db,
                        "SELECT catid, parentcatid, category, description FROM %scategories "
                        "ORDER BY catid",
                        &a->categories, &a->ncategories, err, errsz);
    if (!rc)
        rc =
            load_named(db, "SELECT charid, catid, charname, NULL FROM %scharacters ORDER BY charid",
                       &a->characters, &a->ncharacters, err, errsz);
    if (!rc)
        rc = load_named(db,
                        "SELECT class_id, class_type, class_name, NULL FROM %sclasses "
                        "ORDER BY class_id",
                        &a->classes, &a->nclasses, err, errsz);
    if (!rc)
        rc = load_named(db,
                        "SELECT classtype_id, 0, classtype_name, classtype_title FROM "
                        "%sclasstypes ORDER BY classtype_id",
                        &a->classtypes, &a->nclasstypes, err, errsz);
    if (!rc)
        rc = load_named(db, "SELECT rid, 0, rating, NULL FROM %sratings ORDER BY rid", &a->ratings,
                        &a->nratings, err, errsz);
    if (!rc)
        rc = query(db, "SELECT seriesid, title, summary, uid FROM %sseries ORDER BY seriesid", 1,
                   NULL, series_row, &sc, err, errsz);
    if (!rc)
        rc = query(db,
                   "SELECT seriesid, sid, inorder FROM %sinseries WHERE sid > 0 "
                   "ORDER BY seriesid, inorder",
                   1, NULL, inseries_row, &ic, err, errsz);
    if (!rc)
        rc = query(db,
                   "SELECT sid, title, summary, storynotes, catid, classes, charid, rid, "
                   "CAST(date AS CHAR), CAST(updated AS CHAR), uid, validated, completed "
                   "FROM %sstories ORDER BY sid",
                   1, NULL, story_row, &stc, err, errsz);
    if (!rc)
        rc = query(db, "SELECT sid, uid FROM %scoauthors ORDER BY sid, uid", 1, NULL, coauthor_row,
                   a, err, errsz);
    if (rc)
        ef_archive_free(a);
    return rc;
}

static void named_free(struct ef_named *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].title);
    }
    free(v);
}

void ef_archive_free(struct ef_archive *a)
{
    for (size_t i = 0; i < a->nauthors; i++) {
        free(a->authors[i].penname);
        free(a->authors[i].realname);
        free(a->authors[i].email);
        free(a->authors[i].bio);
        free(a->authors[i].date);
    }
    free(a->authors);
    named_free(a->categories, a->ncategories);
    named_free(a->characters, a->ncharacters);
    named_free(a->classes, a->nclasses);
    named_free(a->classtypes, a->nclasstypes);
    named_free(a->ratings, a->nratings);
    for (size_t i = 0; i < a->nseries; i++) {
        free(a->series[i].title);
        free(a->series[i].summary);
    }
    free(a->series);
    free(a->inseries);
    for (size_t i = 0; i < a->nstories; i++) {
        struct ef_story *s = &a->stories[i];
        free(s->title);
        free(s->summary);
        free(s->storynotes);
        free(s->catid);
        free(s->classes);
        free(s->charid);
        free(s->rid);
        free(s->date);
        free(s->updated);
        free(s->coauthors);
    }
    free(a->stories);
    memset(a, 0, sizeof(*a));
}

struct chap_ctx {
    struct ef_chapter *v;
    size_t n, cap;
};

static int chapter_row(char **c, void *ctx)
{
    struct chap_ctx *x = ctx;
    GROW(x->v, x->n, x->cap);
    struct ef_chapter *e = &x->v[x->n++];
    e->chapid = num(c[0]);
    e->title = dup(c[1]);
    e->inorder = (int)num(c[2]);
    e->notes = dup(c[3]);
    e->storytext = dup(c[4]);
    e->endnotes = dup(c[5]);
    e->validated = c[6] && c[6][0] == '1';
    e->uid = num(c[7]);
    return 0;
}

int ef_chapters(struct ef_db *db, int64_t sid, struct ef_chapter **out, size_t *n, char *err,
                size_t errsz)
{
    struct chap_ctx x = {NULL, 0, 0};
    int rc = query(db,
                   "SELECT chapid, title, inorder, notes, storytext, endnotes, validated, uid "
                   "FROM %schapters WHERE sid = ? ORDER BY inorder, chapid",
                   1, &sid, chapter_row, &x, err, errsz);
    if (rc) {
        ef_chapters_free(x.v, x.n);
        return rc;
    }
    *out = x.v;
    *n = x.n;
    return 0;
}

void ef_chapters_free(struct ef_chapter *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].title);
        free(c[i].notes);
        free(c[i].storytext);
        free(c[i].endnotes);
    }
    free(c);
}

struct rev_ctx {
    struct ef_review *v;
    size_t n, cap;
};

static int review_row(char **c, void *ctx)
{
    struct rev_ctx *x = ctx;
    GROW(x->v, x->n, x->cap);
    struct ef_review *e = &x->v[x->n++];
    e->id = num(c[0]);
    e->item = num(c[1]);
    e->chapid = num(c[2]);
    e->reviewer = dup(c[3]);
    e->uid = num(c[4]);
    e->review = dup(c[5]);
    e->date = dup(c[6]);
    e->type = dup(c[7]);
    return 0;
}

int ef_reviews(struct ef_db *db, int64_t sid, struct ef_review **out, size_t *n, char *err,
               size_t errsz)
{
    struct rev_ctx x = {NULL, 0, 0};
    int rc = query(db,
                   "SELECT reviewid, item, chapid, reviewer, uid, review, CAST(date AS CHAR), type "
                   "FROM %sreviews WHERE item = ? AND type = 'ST' ORDER BY date, reviewid",
                   1, &sid, review_row, &x, err, errsz);
    if (rc) {
        ef_reviews_free(x.v, x.n);
        return rc;
    }
    *out = x.v;
    *n = x.n;
    return 0;
}

void ef_reviews_free(struct ef_review *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].reviewer);
        free(r[i].review);
        free(r[i].date);
        free(r[i].type);
    }
    free(r);
}
