/* req.c: the request object: its arena, name/value lists, URL decoding, response headers. */
#include "web/server.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct web_arena_chunk {
    struct web_arena_chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK 16384

void *web_alloc(struct web_req *r, size_t n)
{
    struct web_arena *a = &r->arena;
    n = (n + 15) & ~(size_t)15;
    struct web_arena_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (!c) {
            fprintf(stderr, "ficd: out of memory\n");
            abort();
        }
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *web_strndup(struct web_req *r, const char *s, size_t n)
{
    char *d = web_alloc(r, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *web_strdup(struct web_req *r, const char *s)
{
    return web_strndup(r, s ? s : "", s ? strlen(s) : 0);
}

char *web_sprintf(struct web_req *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return web_strdup(r, "");
    char *d = web_alloc(r, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

const char *web_join(struct web_req *r, const struct strlist *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += (i ? 2 : 0) + strlen(l->v[i]);
    char *d = web_alloc(r, n + 1), *p = d;
    for (size_t i = 0; i < l->n; i++) {
        if (i) {
            memcpy(p, ", ", 2);
            p += 2;
        }
        size_t k = strlen(l->v[i]);
        memcpy(p, l->v[i], k);
        p += k;
    }
    *p = 0;
    return d;
}

void web_arena_free(struct web_arena *a)
{
    struct web_arena_chunk *c = a->head;
    while (c) {
        struct web_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void web_req_init(struct web_req *r, const struct web_config *cfg, struct web_site *site)
{
    memset(r, 0, sizeof(*r));
    r->cfg = cfg;
    r->site = site;
    r->method = "GET";
    r->status = 200;
    buf_init(&r->out, (size_t)256 << 20);
    web_request_id(r->request_id);
}

/* Request ids: a random prefix per process (so ids differ across restarts) and a counter. */
static pthread_once_t rid_once = PTHREAD_ONCE_INIT;
static uint32_t rid_prefix;
static _Atomic uint64_t rid_counter;

static void rid_init(void)
{
    rid_prefix = randombytes_random();
}

void web_request_id(char out[20])
{
    pthread_once(&rid_once, rid_init);
    uint64_t n = atomic_fetch_add(&rid_counter, 1) + 1;
    snprintf(out, 20, "%08x-%llx", rid_prefix, (unsigned long long)(n & 0xffffffffffULL));
}

void web_req_free(struct web_req *r)
{
    kvs_free(&r->args);
    kvs_free(&r->form);
    kvs_free(&r->headers);
    buf_free(&r->out);
    user_free(&r->user);
    memset(&r->user, 0, sizeof(r->user));
    web_arena_free(&r->arena);
}

int kvs_add(struct web_kvs *l, const char *key, const char *value, size_t n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct web_kv *v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return FICD_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    struct web_kv *kv = &l->v[l->n];
    memset(kv, 0, sizeof(*kv));
    kv->key = strdup(key);
    kv->value = malloc(n + 1);
    if (!kv->key || !kv->value) {
        free(kv->key);
        free(kv->value);
        return FICD_ENOMEM;
    }
    memcpy(kv->value, value, n);
    kv->value[n] = 0;
    kv->vlen = n;
    l->n++;
    return 0;
}

void kvs_free(struct web_kvs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
        free(l->v[i].filename);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

const struct web_kv *kvs_find(const struct web_kvs *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].key, key))
            return &l->v[i];
    return NULL;
}

const char *kvs_get(const struct web_kvs *l, const char *key)
{
    const struct web_kv *kv = kvs_find(l, key);
    return kv ? kv->value : NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes into dst (at least n + 1 bytes); returns the length or -1 on a bad escape/NUL. */
static long decode_into(char *dst, const char *s, size_t n, int plus_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int h, l;
            if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
                return -1;
            c = (char)(h * 16 + l);
            i += 2;
            if (!c)
                return -1;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        dst[o++] = c;
    }
    dst[o] = 0;
    return (long)o;
}

char *web_url_decode(struct web_req *r, const char *s, size_t n, int plus_space)
{
    char *d = web_alloc(r, n + 1);
    return decode_into(d, s, n, plus_space) < 0 ? NULL : d;
}

int web_parse_urlencoded(struct web_kvs *l, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '&' && s[j] != ';')
            j++;
        if (j > i) {
            const char *eq = memchr(s + i, '=', j - i);
            size_t kn = eq ? (size_t)(eq - (s + i)) : j - i;
            const char *v = eq ? eq + 1 : s + j;
            size_t vn = eq ? (size_t)(s + j - v) : 0;
            char *k = malloc(kn + 1), *val = malloc(vn + 1);
            if (!k || !val) {
                free(k);
                free(val);
                return FICD_ENOMEM;
            }
            long kl = decode_into(k, s + i, kn, 1);
            long vl = decode_into(val, v, vn, 1);
            int rc = 0;
            if (kl < 0 || vl < 0)
                rc = FICD_EINVAL;
            else if (kl > 0)
                rc = kvs_add(l, k, val, (size_t)vl);
            free(k);
            free(val);
            if (rc)
                return rc;
        }
        i = j + 1;
    }
    return 0;
}

const char *web_arg(const struct web_req *r, const char *key)
{
    return kvs_get(&r->args, key);
}

const char *web_field(const struct web_req *r, const char *key)
{
    return kvs_get(&r->form, key);
}

void web_header(struct web_req *r, const char *name, const char *value)
{
    if (kvs_add(&r->headers, name, value, strlen(value)))
        r->out.err = FICD_ENOMEM;
}

int web_redirect(struct web_req *r, const char *location)
{
    web_header(r, "Location", location);
    r->status = 303;
    return 303;
}
