/* query.c: the full-text query language: words, "phrases", prefix*, AND / OR / NOT and
 * -word, parentheses, field qualifiers (title:, summary:, creator:, tag:), implicit AND.
 * Parses into a tree of qnodes whose leaves hold normalised (folded, stemmed) terms; every
 * malformed input is reported as FICD_ESYNTAX with a message naming the problem. */
#include "core/utf8.h"
#include "index/index_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_DEPTH 64

enum ltok { L_EOF, L_LP, L_RP, L_AND, L_OR, L_NOT, L_NEG, L_PHRASE, L_WORD };

struct pstate {
    const char *s;
    size_t n, pos;
    struct sb_stemmer *stem;
    char *err;
    size_t errsz;
    int failed;
    size_t nterms;
    int depth;
    unsigned fields;
    /* the current token */
    enum ltok tk;
    size_t tstart, tlen; /* token text (phrase: inside the quotes) */
    size_t tat;          /* where the token starts, for messages */
};

static void fail(struct pstate *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct pstate *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->errsz, fmt, ap);
    va_end(ap);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the next token into ps->tk. */
static void lex(struct pstate *ps)
{
    while (ps->pos < ps->n && is_space(ps->s[ps->pos]))
        ps->pos++;
    ps->tat = ps->pos;
    if (ps->pos >= ps->n) {
        ps->tk = L_EOF;
        return;
    }
    char c = ps->s[ps->pos];
    if (c == '(' || c == ')') {
        ps->tk = c == '(' ? L_LP : L_RP;
        ps->pos++;
        return;
    }
    if (c == '"') {
        const char *q = memchr(ps->s + ps->pos + 1, '"', ps->n - ps->pos - 1);
        if (!q) {
            fail(ps, "unbalanced quotes: the \" at position %zu is never closed", ps->pos + 1);
            ps->tk = L_EOF;
            return;
        }
        ps->tk = L_PHRASE;
        ps->tstart = ps->pos + 1;
        ps->tlen = (size_t)(q - (ps->s + ps->tstart));
        ps->pos = (size_t)(q - ps->s) + 1;
        return;
    }
    if (c == '-' && ps->pos + 1 < ps->n && !is_space(ps->s[ps->pos + 1]) &&
        ps->s[ps->pos + 1] != ')' && ps->s[ps->pos + 1] != '-') {
        ps->tk = L_NEG;
        ps->pos++;
        return;
    }
    size_t start = ps->pos;
    while (ps->pos < ps->n && !is_space(ps->s[ps->pos]) && ps->s[ps->pos] != '(' &&
           ps->s[ps->pos] != ')' && ps->s[ps->pos] != '"') {
        /* A qualifier ends the word: title:"a b" and title:(a b) */
        if (ps->s[ps->pos] == ':' && ps->pos + 1 < ps->n &&
            (ps->s[ps->pos + 1] == '"' || ps->s[ps->pos + 1] == '(')) {
            ps->pos++;
            break;
        }
        ps->pos++;
    }
    ps->tstart = start;
    ps->tlen = ps->pos - start;
    const char *w = ps->s + start;
    if (ps->tlen == 3 && !memcmp(w, "AND", 3))
        ps->tk = L_AND;
    else if (ps->tlen == 2 && !memcmp(w, "OR", 2))
        ps->tk = L_OR;
    else if (ps->tlen == 3 && !memcmp(w, "NOT", 3))
        ps->tk = L_NOT;
    else if (ps->tlen == 2 && (!memcmp(w, "&&", 2) || !memcmp(w, "||", 2)))
        ps->tk = w[0] == '&' ? L_AND : L_OR;
    else
        ps->tk = L_WORD;
}

static struct qnode *node_new(enum qnode_kind k)
{
    struct qnode *n = calloc(1, sizeof(*n));
    if (n)
        n->kind = k;
    return n;
}

void qnode_free(struct qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nwords; i++)
        free(n->words[i]);
    free(n->words);
    for (size_t i = 0; i < n->nkids; i++)
        qnode_free(n->kids[i]);
    free(n->kids);
    free(n);
}

static int node_add_kid(struct qnode *n, struct qnode *k)
{
    struct qnode **nk = realloc(n->kids, (n->nkids + 1) * sizeof(*nk));
    if (!nk)
        return FICD_ENOMEM;
    n->kids = nk;
    n->kids[n->nkids++] = k;
    return 0;
}

static int node_add_word(struct pstate *ps, struct qnode *n, const char *w, size_t len)
{
    if (++ps->nterms > IDX_MAX_TERMS) {
        fail(ps, "too many terms: at most %d are allowed", IDX_MAX_TERMS);
        return FICD_ESYNTAX;
    }
    char **nw = realloc(n->words, (n->nwords + 1) * sizeof(*nw));
    if (!nw)
        return FICD_ENOMEM;
    n->words = nw;
    if (!(n->words[n->nwords] = strndup(w, len)))
        return FICD_ENOMEM;
    n->nwords++;
    return 0;
}

static void oom(struct pstate *ps)
{
    fail(ps, "out of memory");
}

/* Turns text into a term (one token), a phrase (several) or NULL (no word characters). */
static struct qnode *text_leaf(struct pstate *ps, const char *s, size_t n)
{
    struct tokenizer tz;
    struct tok tk;
    struct qnode *q = node_new(Q_PHRASE);
    if (!q) {
        oom(ps);
        return NULL;
    }
    q->fields = ps->fields;
    tok_init(&tz, s, n, ps->stem);
    while (tok_next(&tz, &tk))
        if (node_add_word(ps, q, tk.norm, tk.nlen)) {
            if (!ps->failed)
                oom(ps);
            qnode_free(q);
            return NULL;
        }
    if (!q->nwords) {
        qnode_free(q);
        return NULL;
    }
    if (q->nwords == 1)
        q->kind = Q_TERM;
    return q;
}

/* word* : the last token is a prefix (folded, not stemmed); earlier tokens are terms. */
static struct qnode *prefix_leaf(struct pstate *ps, const char *s, size_t n)
{
    struct tokenizer tz;
    struct tok tk, last;
    int have = 0;
    struct qnode *and = node_new(Q_AND);
    if (!and) {
        oom(ps);
        return NULL;
    }
    tok_init(&tz, s, n, NULL);
    while (tok_next(&tz, &tk)) {
        if (have) {
            struct qnode *t = text_leaf(ps, s + last.off, last.len);
            if (t && node_add_kid(and, t)) {
                qnode_free(t);
                oom(ps);
            }
        }
        last = tk;
        have = 1;
    }
    if (!have) {
        fail(ps, "a prefix search at position %zu needs letters before the *", ps->tat + 1);
        qnode_free(and);
        return NULL;
    }
    struct qnode *p = node_new(Q_PREFIX);
    if (!p || node_add_kid(and, p)) {
        free(p);
        oom(ps);
        qnode_free(and);
        return NULL;
    }
    p->fields = ps->fields;
    if (node_add_word(ps, p, last.norm, last.nlen) && !ps->failed)
        oom(ps);
    if (ps->failed) {
        qnode_free(and);
        return NULL;
    }
    if (and->nkids == 1) {
        and->nkids = 0;
        qnode_free(and);
        return p;
    }
    return and;
}

static const struct {
    const char *name;
    unsigned fields;
} qualifiers[] = {
    {"title", 1u << F_TITLE},    {"summary", 1u << F_SUMMARY}, {"creator", 1u << F_CREATOR},
    {"author", 1u << F_CREATOR}, {"by", 1u << F_CREATOR},      {"tag", 1u << F_TAG},
    {"tags", 1u << F_TAG},       {"notes", 1u << F_NOTES},     {"body", 1u << F_BODY}};

static struct qnode *parse_or(struct pstate *ps);

static int starts_operand(enum ltok t)
{
    return t == L_LP || t == L_PHRASE || t == L_WORD || t == L_NOT || t == L_NEG;
}

static struct qnode *parse_primary(struct pstate *ps)
{
    if (ps->tk == L_LP) {
        size_t at = ps->tat;
        if (++ps->depth > MAX_DEPTH) {
            fail(ps, "parentheses nested too deeply (at most %d levels)", MAX_DEPTH);
            return NULL;
        }
        lex(ps);
        struct qnode *in = parse_or(ps);
        ps->depth--;
        if (ps->failed) {
            qnode_free(in);
            return NULL;
        }
        if (ps->tk != L_RP) {
            fail(ps, "unbalanced parentheses: the ( at position %zu is never closed", at + 1);
            qnode_free(in);
            return NULL;
        }
        lex(ps);
        return in;
    }
    if (ps->tk == L_PHRASE) {
        struct qnode *q = text_leaf(ps, ps->s + ps->tstart, ps->tlen);
        lex(ps);
        return q;
    }
    /* L_WORD */
    const char *w = ps->s + ps->tstart;
    size_t len = ps->tlen;
    const char *colon = memchr(w, ':', len);
    if (colon) {
        for (size_t i = 0; i < sizeof(qualifiers) / sizeof(qualifiers[0]); i++) {
            size_t ql = strlen(qualifiers[i].name);
            if ((size_t)(colon - w) != ql || strncasecmp(w, qualifiers[i].name, ql))
                continue;
            unsigned saved = ps->fields;
            ps->fields = qualifiers[i].fields;
            struct qnode *q = NULL;
            if (colon + 1 < w + len) { /* title:word */
                ps->tstart += ql + 1;
                ps->tlen -= ql + 1;
                q = parse_primary(ps);
            } else {
                size_t at = ps->tat;
                lex(ps);
                if (ps->tk == L_LP || ps->tk == L_PHRASE || ps->tk == L_WORD)
                    q = parse_primary(ps);
                else
                    fail(ps, "the qualifier %s: at position %zu has nothing to apply to",
                         qualifiers[i].name, at + 1);
            }
            ps->fields = saved;
            return q;
        }
    }
    struct qnode *q;
    if (len > 1 && w[len - 1] == '*')
        q = prefix_leaf(ps, w, len - 1);
    else if (len == 1 && w[0] == '*') {
        fail(ps, "a prefix search at position %zu needs letters before the *", ps->tat + 1);
        q = NULL;
    } else
        q = text_leaf(ps, w, len);
    lex(ps);
    return q;
}

static struct qnode *parse_unary(struct pstate *ps)
{
    if (ps->tk == L_NOT || ps->tk == L_NEG) {
        size_t at = ps->tat;
        int word = ps->tk == L_NOT;
        lex(ps);
        if (ps->failed)
            return NULL;
        if (!starts_operand(ps->tk)) {
            fail(ps, "%s at position %zu has nothing to negate", word ? "NOT" : "-", at + 1);
            return NULL;
        }
        struct qnode *k = parse_unary(ps);
        if (!k)
            return NULL;
        struct qnode *n = node_new(Q_NOT);
        if (!n || node_add_kid(n, k)) {
            free(n);
            qnode_free(k);
            oom(ps);
            return NULL;
        }
        return n;
    }
    return parse_primary(ps);
}

static struct qnode *parse_and(struct pstate *ps)
{
    struct qnode *and = node_new(Q_AND);
    if (!and) {
        oom(ps);
        return NULL;
    }
    int first = 1;
    while (!ps->failed && ps->tk != L_EOF && ps->tk != L_RP && ps->tk != L_OR) {
        if (ps->tk == L_AND) {
            size_t at = ps->tat;
            lex(ps);
            if (first || !starts_operand(ps->tk)) {
                fail(ps, "AND at position %zu needs a term on each side", at + 1);
                break;
            }
        }
        first = 0;
        struct qnode *k = parse_unary(ps);
        if (k && node_add_kid(and, k)) {
            qnode_free(k);
            oom(ps);
        }
    }
    if (ps->failed || !and->nkids) {
        qnode_free(and);
        return NULL;
    }
    if (and->nkids == 1) {
        struct qnode *k = and->kids[0];
        and->nkids = 0;
        qnode_free(and);
        return k;
    }
    return and;
}

static struct qnode *parse_or(struct pstate *ps)
{
    if (ps->tk == L_OR) {
        fail(ps, "OR at position %zu needs a term on each side", ps->tat + 1);
        return NULL;
    }
    struct qnode *left = parse_and(ps);
    struct qnode * or = NULL;
    while (!ps->failed && ps->tk == L_OR) {
        size_t at = ps->tat;
        lex(ps);
        if (!starts_operand(ps->tk)) {
            fail(ps, "OR at position %zu needs a term on each side", at + 1);
            break;
        }
        struct qnode *right = parse_and(ps);
        if (! or) {
            if (!(or = node_new(Q_OR))) {
                oom(ps);
                qnode_free(right);
                break;
            }
            if (left && node_add_kid(or, left)) {
                qnode_free(left);
                oom(ps);
            }
            left = NULL;
        }
        if (right && node_add_kid(or, right)) {
            qnode_free(right);
            oom(ps);
        }
    }
    if (ps->failed) {
        qnode_free(left);
        qnode_free(or);
        return NULL;
    }
    if (! or)
        return left;
    if (! or->nkids) {
        qnode_free(or);
        return NULL;
    }
    if (or->nkids == 1) {
        struct qnode *k = or->kids[0];
        or->nkids = 0;
        qnode_free(or);
        return k;
    }
    return or ;
}

int query_parse(const char *text, struct sb_stemmer *stem, struct qnode **out, char *err,
                size_t errsz)
{
    *out = NULL;
    err[0] = 0;
    size_t n = strlen(text);
    if (n > IDX_MAX_QUERY_LEN) {
        snprintf(err, errsz, "query too long: at most %d bytes", IDX_MAX_QUERY_LEN);
        return FICD_ESYNTAX;
    }
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && !is_space((char)c)) || c == 0x7f) {
            snprintf(err, errsz, "control character (0x%02x) at position %zu", c, i + 1);
            return FICD_ESYNTAX;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_decode(text + i, n - i, &cp);
        if (!k) {
            snprintf(err, errsz, "invalid UTF-8 at position %zu", i + 1);
            return FICD_ESYNTAX;
        }
        if ((cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
            snprintf(err, errsz, "control character (U+%04X) at position %zu", (unsigned)cp, i + 1);
            return FICD_ESYNTAX;
        }
        i += (size_t)k;
    }
    struct pstate ps = {
        .s = text, .n = n, .stem = stem, .err = err, .errsz = errsz, .fields = FIELD_ALL};
    lex(&ps);
    struct qnode *q = ps.failed ? NULL : parse_or(&ps);
    if (!ps.failed && ps.tk == L_RP)
        fail(&ps, "unbalanced parentheses: the ) at position %zu has no matching (", ps.tat + 1);
    if (ps.failed) {
        qnode_free(q);
        return strcmp(err, "out of memory") ? FICD_ESYNTAX : FICD_ENOMEM;
    }
    *out = q;
    return 0;
}
