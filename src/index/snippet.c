/* snippet.c: search-result snippets: about 30 words of a hit's text around the first match
 * of the query's terms, HTML-escaped, with the matched words wrapped in <mark>. */
#include "index/index_int.h"
#include "core/html.h"
#include "store/store.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#define SNIPPET_WORDS  30
#define SNIPPET_BEFORE 10

struct stok {
    size_t off, len;
    int match;
};

static int token_matches(const struct idx_result *r, const char *text, const struct tok *tk)
{
    char fold[256];
    size_t fl = 0;
    int folded = 0;
    for (size_t i = 0; i < r->nterms; i++) {
        if (!r->term_prefix[i]) {
            if (!strcmp(tk->norm, r->terms[i]))
                return 1;
            continue;
        }
        if (!folded) {
            fl = tok_fold(text + tk->off, tk->len, fold, sizeof(fold));
            folded = 1;
        }
        size_t pl = strlen(r->terms[i]);
        if (pl <= fl && !memcmp(fold, r->terms[i], pl))
            return 1;
    }
    return 0;
}

/* Emits the text between two words with runs of white space as one space. */
static void put_gap(struct buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
            buf_putc(out, ' ');
            while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r'))
                i++;
            continue;
        }
        size_t j = i;
        while (j < n && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r')
            j++;
        html_textn(out, s + i, j - i);
        i = j;
    }
}

/* Emits the snippet of text (plain) when a term matches in it; returns 1 when emitted. */
static int snippet_of(const struct idx_result *r, struct sb_stemmer *stem, const char *text,
                      size_t n, struct buf *out)
{
    struct tokenizer tz;
    struct tok tk;
    struct stok *v = NULL;
    size_t nv = 0, cap = 0, first = (size_t)-1;
    tok_init(&tz, text, n, stem);
    while (tok_next(&tz, &tk)) {
        if (nv == cap) {
            size_t nc = cap ? cap * 2 : 256;
            struct stok *nvv = realloc(v, nc * sizeof(*nvv));
            if (!nvv) {
                free(v);
                return -1;
            }
            v = nvv;
            cap = nc;
        }
        int m = token_matches(r, text, &tk);
        v[nv++] = (struct stok){tk.off, tk.len, m};
        if (m && first == (size_t)-1)
            first = nv - 1;
        /* Enough tokens past the first match to fill the window. */
        if (first != (size_t)-1 && nv >= first + SNIPPET_WORDS)
            break;
    }
    if (first == (size_t)-1) {
        free(v);
        return 0;
    }
    size_t start = first > SNIPPET_BEFORE ? first - SNIPPET_BEFORE : 0;
    size_t end = start + SNIPPET_WORDS < nv ? start + SNIPPET_WORDS : nv;
    if (start > 0)
        html_lit(out, "\xe2\x80\xa6 ");
    size_t at = v[start].off;
    for (size_t i = start; i < end; i++) {
        put_gap(out, text + at, v[i].off - at);
        if (v[i].match)
            html_lit(out, "<mark>");
        html_textn(out, text + v[i].off, v[i].len);
        if (v[i].match)
            html_lit(out, "</mark>");
        at = v[i].off + v[i].len;
    }
    /* Punctuation right after the last word (up to the next space) ends the snippet. */
    size_t tail = at;
    while (tail < n && text[tail] != ' ' && text[tail] != '\n' && text[tail] != '\t')
        tail++;
    html_textn(out, text + at, tail - at);
    int more = end < nv || tz.pos < n;
    if (more)
        html_lit(out, " \xe2\x80\xa6");
    free(v);
    return 1;
}

int idx_snippet(const struct idx_result *r, const struct work *w, struct buf *out)
{
    if (!r->nterms)
        return 0;
    struct sb_stemmer *stem = tok_stemmer_for(w->language);
    struct buf text = BUF_INIT;
    int done = 0;
    for (size_t i = 0; !done && i < w->nchapters; i++) {
        if (!w->chapters[i].html)
            continue;
        buf_reset(&text);
        html_strip(w->chapters[i].html, &text);
        if (text.err) {
            done = -1;
            break;
        }
        done = snippet_of(r, stem, buf_str(&text), text.len, out);
    }
    if (!done && w->summary)
        done = snippet_of(r, stem, w->summary, strlen(w->summary), out);
    buf_free(&text);
    if (stem)
        sb_stemmer_delete(stem);
    if (done < 0 || out->err)
        return out->err ? out->err : FICD_ENOMEM;
    return 0;
}

int idx_result_snippets(struct idx_result *r, struct store *s)
{
    if (!r->nterms)
        return 0;
    struct buf b = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; !rc && i < r->nhits; i++) {
        struct work w;
        rc = store_work_get(s, r->hits[i].id, 1, &w);
        if (rc == FICD_ENOTFOUND) { /* deleted since the search: no snippet */
            rc = 0;
            continue;
        }
        if (rc)
            break;
        buf_reset(&b);
        rc = idx_snippet(r, &w, &b);
        if (!rc && b.len && !(r->hits[i].snippet = buf_take(&b)))
            rc = FICD_ENOMEM;
        work_free(&w);
    }
    buf_free(&b);
    return rc;
}
