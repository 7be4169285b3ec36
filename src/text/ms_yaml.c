/* ms_yaml.c: the YAML front matter of Markdown manuscripts, parsed by libyaml: every scalar
 * style, flow and block sequences, comments, anchors and aliases. Writers' front matter is
 * not always valid YAML ("title: Part 1: The Start"), so when the block as a whole does not
 * parse, each top-level "key: value" entry is parsed alone, and an entry that still does not
 * parse gives its text as written. JSON-style surrogate pairs ("\ud83c\udf27", which libyaml
 * refuses) are read as the one character they stand for. */
#include "text/ms_int.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* ficd's own export writes these keys; front matter with any of them is "structured". */
static const char *const export_keys[] = {
    "creators",   "fandoms",     "relationships", "characters", "freeforms", "warnings",
    "categories", "notes_begin", "notes_end",     "beta",       "chapters",  "series_position",
    NULL};

static int is_export_key(const char *k, size_t n)
{
    for (int e = 0; export_keys[e]; e++)
        if (strlen(export_keys[e]) == n && !memcmp(export_keys[e], k, n))
            return 1;
    return 0;
}

/* Applies one value: list items one by one; a scalar of a ficd export as is, a writer's
 * scalar through the same rules as a header line. */
static void apply_value(struct ms_ctx *c, const char *key, const char *val, int list_item,
                        int structured)
{
    char k[48];
    size_t j = 0;
    for (const char *p = key; *p && j + 1 < sizeof(k); p++)
        k[j++] = *p == '_' ? ' ' : *p;
    k[j] = '\0';
    int id = ms_key_lookup(k);
    if (id == K_NONE || id == K_IGNORE || (id == K_SERIES_POS && !*val))
        return;
    ms_apply_key(c, id, key, val, list_item || structured);
}

/* A scalar node's text as a new string: a plain null ("~", "null") is empty, and block
 * scalars lose their final line breaks. */
static char *scalar_text(const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        ((len == 1 && v[0] == '~') || (len == 4 && !strncasecmp(v, "null", 4))))
        len = 0;
    if (n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
        n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE)
        while (len > 0 && v[len - 1] == '\n')
            len--;
    return strndup(v, len);
}

/* Applies a parsed key/value pair (the value a scalar or a sequence of scalars; anything
 * else is ignored). */
static void apply_node(struct ms_ctx *c, yaml_document_t *d, const yaml_node_t *k,
                       const yaml_node_t *v, int structured)
{
    if (!k || !v || k->type != YAML_SCALAR_NODE)
        return;
    char key[48];
    size_t kl = k->data.scalar.length;
    if (kl == 0 || kl >= sizeof(key))
        return;
    memcpy(key, k->data.scalar.value, kl);
    key[kl] = '\0';
    if (v->type == YAML_SCALAR_NODE) {
        char *s = scalar_text(v);
        if (s)
            apply_value(c, key, s, 0, structured);
        free(s);
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            const yaml_node_t *in = yaml_document_get_node(d, *it);
            if (!in || in->type != YAML_SCALAR_NODE)
                continue;
            char *s = scalar_text(in);
            if (s && *s)
                apply_value(c, key, s, 1, structured);
            free(s);
        }
    }
}

/* Parses s (n bytes) as one YAML document whose root is a mapping; 0 and *d filled (the
 * caller deletes it) on success. */
static int load_mapping(const char *s, size_t n, yaml_document_t *d)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return -1;
    yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
    int ok = yaml_parser_load(&p, d);
    yaml_parser_delete(&p);
    if (!ok)
        return -1;
    const yaml_node_t *root = yaml_document_get_root_node(d);
    if (!root || root->type != YAML_MAPPING_NODE) {
        yaml_document_delete(d);
        return -1;
    }
    return 0;
}

/* Applies every pair of a loaded mapping; with structured < 0, only finds out whether one
 * of the keys is an export key (returns 1 then). */
static int apply_mapping(struct ms_ctx *c, yaml_document_t *d, int structured)
{
    const yaml_node_t *root = yaml_document_get_root_node(d);
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(d, pr->key);
        if (structured < 0) {
            if (k && k->type == YAML_SCALAR_NODE &&
                is_export_key((const char *)k->data.scalar.value, k->data.scalar.length))
                return 1;
        } else {
            apply_node(c, d, k, yaml_document_get_node(d, pr->value), structured);
        }
    }
    return 0;
}

/* s (n bytes) with each JSON-style escaped surrogate pair "\uD83C\uDF27" written as YAML's
 * "\U0001F327" (libyaml refuses escaped surrogates). */
static void join_surrogates(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned hi, lo;
        size_t bs = 0; /* backslashes just before i */
        while (bs < i && s[i - 1 - bs] == '\\')
            bs++;
        if (i + 12 <= n && s[i] == '\\' && s[i + 1] == 'u' && !(bs & 1) && s[i + 6] == '\\' &&
            s[i + 7] == 'u' && sscanf(s + i + 2, "%4x", &hi) == 1 &&
            sscanf(s + i + 8, "%4x", &lo) == 1 && hi >= 0xD800 && hi <= 0xDBFF && lo >= 0xDC00 &&
            lo <= 0xDFFF && strspn(s + i + 2, "0123456789abcdefABCDEF") >= 4 &&
            strspn(s + i + 8, "0123456789abcdefABCDEF") >= 4) {
            buf_printf(out, "\\U%08X", 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
            i += 12;
            continue;
        }
        buf_putc(out, s[i]);
        i++;
    }
}

/* Whether the line at l (n bytes) starts a top-level entry: "key:" at column 0, the colon
 * followed by a blank or the end of the line. */
static int entry_start(const char *l, size_t n)
{
    if (!n || l[0] == ' ' || l[0] == '\t' || l[0] == '#' || l[0] == '-')
        return 0;
    const char *colon = memchr(l, ':', n);
    return colon && (colon + 1 == l + n || colon[1] == ' ' || colon[1] == '\t');
}

/* The lenient reading of a block that is not valid YAML as a whole: entry by entry. */
static void apply_entries(struct ms_ctx *c, const char *s, size_t n, int *structured)
{
    /* first the keys, so every value is applied knowing whether this is an export */
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        if (entry_start(s + i, e - i)) {
            size_t kl = (size_t)((const char *)memchr(s + i, ':', e - i) - (s + i));
            if (is_export_key(s + i, kl))
                *structured = 1;
        }
        i = e + 1;
    }
    for (size_t i = 0; i < n;) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n;
        if (!entry_start(s + i, e - i)) {
            i = e + 1;
            continue;
        }
        /* the entry: this line and the following ones that start no entry */
        size_t st = i;
        i = e + 1;
        while (i < n) {
            const char *nl2 = memchr(s + i, '\n', n - i);
            size_t e2 = nl2 ? (size_t)(nl2 - s) : n;
            if (entry_start(s + i, e2 - i))
                break;
            i = e2 + 1;
        }
        size_t en = i < n ? i : n;
        yaml_document_t d;
        if (!load_mapping(s + st, en - st, &d)) {
            apply_mapping(c, &d, *structured);
            yaml_document_delete(&d);
            continue;
        }
        /* not YAML even alone: the key, and the text after it with its lines joined */
        size_t kl = (size_t)((const char *)memchr(s + st, ':', e - st) - (s + st));
        char key[48];
        if (kl == 0 || kl >= sizeof(key))
            continue;
        memcpy(key, s + st, kl);
        key[kl] = '\0';
        struct buf raw = BUF_INIT;
        ms_collapse_ws(&raw, s + st + kl + 1, en - st - kl - 1);
        if (raw.data)
            apply_value(c, key, raw.data, 0, *structured);
        buf_free(&raw);
    }
}

size_t ms_front_matter(struct ms_ctx *c, const char *s, size_t n, int *structured, int *end_line)
{
    *structured = 0;
    *end_line = 1;
    if (n < 4 || strncmp(s, "---", 3) != 0 || (s[3] != '\n' && s[3] != ' '))
        return 0;
    /* the block: from the line after the opening "---" to a "---" or "..." line */
    const char *first_nl = memchr(s, '\n', n);
    size_t start = first_nl ? (size_t)(first_nl - s) + 1 : n, i = start, stop = 0, end = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n, tl = e - i;
        while (tl > 0 && (s[i + tl - 1] == ' ' || s[i + tl - 1] == '\t'))
            tl--;
        if (tl == 3 && (!strncmp(s + i, "---", 3) || !strncmp(s + i, "...", 3))) {
            stop = i;
            end = nl ? e + 1 : n;
            break;
        }
        i = e + 1;
    }
    if (!end)
        return 0;
    struct buf y = BUF_INIT;
    join_surrogates(&y, s + start, stop - start);
    if (y.err) {
        buf_free(&y);
        return 0;
    }
    yaml_document_t d;
    if (!load_mapping(y.data ? y.data : "", y.len, &d)) {
        *structured = apply_mapping(c, &d, -1);
        apply_mapping(c, &d, *structured);
        yaml_document_delete(&d);
    } else {
        apply_entries(c, y.data ? y.data : "", y.len, structured);
    }
    buf_free(&y);
    int line = 1;
    for (size_t q = 0; q < end; q++)
        if (s[q] == '\n')
            line++;
    *end_line = line;
    return end;
}
