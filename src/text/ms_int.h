/* ms_int.h: private to the manuscript importer (manuscript.c and ms_*.c): the block model the
 * format readers produce and the detectors share, and the helpers between the files. */
#ifndef FICD_MS_INT_H
#define FICD_MS_INT_H

#include "core/buf.h"
#include "core/utf8.h"
#include "core/work.h"
#include "text/manuscript.h"

#include <stddef.h>

/* One block of the manuscript: a paragraph of plain text (blank-line separated), a Markdown
 * block, or a block-level HTML element. Detection works on text; rendering uses raw for
 * Markdown (the source lines) and HTML (the serialised element), text otherwise. */
enum msb_kind {
    MSB_PARA = 0, /* prose or anything the detectors may look at */
    MSB_BREAK,    /* scene break */
    MSB_OPAQUE,   /* HTML list/table/pre, Markdown code fence: body only, never metadata */
};

/* What the detectors decided a block is. */
enum msb_role {
    MSR_BODY = 0,
    MSR_DROP,    /* consumed: title line, header lines, rules around them, end markers */
    MSR_HEADING, /* a chapter heading */
};

struct ms_block {
    char *text; /* lines trimmed, inner whitespace collapsed, joined with '\n' */
    char *raw;  /* Markdown source / serialised HTML element; NULL for plain text */
    int line;   /* first line, 1-based (0 for HTML) */
    int nlines; /* lines in text */
    int hlevel; /* heading level (Markdown '#', HTML h1..h6), 0 otherwise */
    enum msb_kind kind;
    enum msb_role role;
    char *chtitle; /* chapter heading: the chapter's title (may be NULL) */
};

struct ms_doc {
    struct ms_block *b;
    size_t n, cap;
    enum ms_format fmt;
    int wrapped; /* plain text hard-wrapped at ~70-80 columns: join lines of a paragraph */
};

/* Declared completion, from headers or markers. */
enum ms_status { MS_STATUS_UNKNOWN = -1, MS_STATUS_WIP = -2, MS_STATUS_COMPLETE = -3 };

/* The parse in progress. */
struct ms_ctx {
    struct work *w;
    const struct ms_opts *o;
    struct text_err *err;
    int status; /* enum ms_status, or the declared expected chapter count (> 0) */
    int title_from_key;
    struct strlist title_sides; /* characters named in a "Title - A/B" pairing */
    struct strlist disclaimed;  /* what a disclaimer says the writer does not own */
};

/* ms_util.c */
char *ms_strndup_trim(const char *s, size_t n);
int ms_starts_ci(const char *s, const char *prefix);         /* ASCII case-insensitive prefix */
const char *ms_find_ci(const char *hay, const char *needle); /* strcasestr, C locale */
/* A list of phrases looked for case-insensitively in one pass over a text (instead of one
 * ms_find_ci per phrase): the phrases bucketed by their folded first byte. */
#define MS_PHRASES_MAX 64
struct ms_phrases {
    const char *const *list;
    size_t n;
    unsigned short start[257];
    unsigned char idx[MS_PHRASES_MAX];
};
/* Builds ps over list (NULL-terminated, at most MS_PHRASES_MAX phrases, each non-empty). */
void ms_phrases_build(struct ms_phrases *ps, const char *const *list);
/* True when one of the phrases occurs in s, ASCII case-insensitively (as ms_find_ci). */
int ms_phrases_in(const char *s, const struct ms_phrases *ps);
int ms_words(const char *s);
size_t ms_chars(const char *s, size_t n); /* code points */
int ms_is_quote_start(const char *s);
int ms_ends_sentence(const char *s);
int ms_is_rule_line(const char *s); /* scene-break / separator line */
void ms_title_case(char *s);        /* AO3-style title case, in place */
char *ms_title_from_filename(const char *path);
int ms_split_add(struct strlist *l, const char *v, const char *seps, int split_and);
void ms_note_add(char **dst, const char *text);
int ms_utf8_next(const char *s, size_t n, size_t *i);
/* ms_utf8_next for the scanning loops, inline */
static inline int ms_utf8_step(const char *s, size_t n, size_t *i)
{
    uint32_t cp = (unsigned char)s[*i]; /* a byte that starts no character stands for itself */
    size_t len = utf8_decode(s + *i, n - *i, &cp);
    *i += len ? len : 1;
    return (int)cp;
}
void ms_collapse_ws(struct buf *out, const char *s, size_t n);
/* ms_collapse_ws into dst (room for n bytes, not NUL-terminated); returns the length. */
size_t ms_collapse_into(char *dst, const char *s, size_t n);

/* ms_blocks.c */
void ms_doc_free(struct ms_doc *d);
struct ms_block *ms_doc_add(struct ms_doc *d);
int ms_blocks_text(struct ms_doc *d, const char *s, size_t n);
int ms_blocks_markdown(struct ms_doc *d, const char *s, size_t n, int first_line);
int ms_chapter_heading(const char *line, char **title);
int ms_end_marker(const char *s); /* 1 = The End / Fin, 2 = To be continued / TBC */
void ms_render_text_block(struct buf *out, const struct ms_block *b, int wrapped);
void ms_inline(struct buf *out, const char *s, size_t n);

/* ms_html.c */
int ms_blocks_html(struct ms_doc *d, const char *s, size_t n, char **title);

/* ms_html_fast.c: the tree of a plain, well-formed HTML document (n bytes at s) built from
 * gumbo's node structs without gumbo, exactly as gumbo would build it; the root (<html>), or
 * NULL when the document is not of the kind it takes. *mem owns the tree: free it with
 * ms_html_fast_free. */
struct GumboInternalNode;
struct ms_hfast;
struct GumboInternalNode *ms_html_fast(const char *s, size_t n, struct ms_hfast **mem);
void ms_html_fast_free(struct ms_hfast *mem);

/* ms_yaml.c: front matter at the very top ("---" line ... "---" or "..." line). Returns the
 * byte length of the front matter (0 when there is none) and applies the keys to ctx;
 * *structured is set when the keys are those of ficd's own export. */
size_t ms_front_matter(struct ms_ctx *c, const char *s, size_t n, int *structured, int *end_line);

/* the keys (ms_keys.c) */
enum ms_key {
    K_NONE = 0,
    K_TITLE,
    K_AUTHOR,
    K_FANDOM,
    K_SERIES,
    K_SERIES_POS,
    K_PAIRING,
    K_CHARACTERS,
    K_RATING,
    K_WARNINGS,
    K_CATEGORY,
    K_GENRE,
    K_LANGUAGE,
    K_STATUS,
    K_COMPLETE,
    K_CHAPTERS,
    K_SUMMARY,
    K_DISCLAIMER,
    K_TAGS,
    K_BETA,
    K_NOTES,
    K_NOTES_END,
    K_SONG,
    K_PROMPT,
    K_IGNORE,
};
/* ms_keys.c */
int ms_key_lookup(const char *key);
int ms_key_line(const char *line, const char **val); /* K_*, or -1 when not "Key: value" */
/* Adds the pairings in v ("A/B, C & D") to the work, each side's names also to sides. */
int ms_add_pairings(struct ms_ctx *c, const char *v, struct strlist *sides);
int ms_parse_rating(const char *v); /* RATING_*, -1 when v names none */
/* Appends text to *dst (a malloc'd string or NULL), after sep when *dst is not empty. */
void ms_append_text(char **dst, const char *text, const char *sep);
int ms_apply_key(struct ms_ctx *c, int key, const char *keyname, const char *val, int from_yaml);
void ms_apply_warnings(struct ms_ctx *c, const char *text);
void ms_parse_status(struct ms_ctx *c, const char *val);
/* ms_meta.c: title lines and the header at the top */
int ms_title_line(const char *line);
void ms_set_title(struct ms_ctx *c, const char *line);
void ms_scan_header(struct ms_ctx *c, struct ms_doc *d, size_t *pos);
/* ms_notes.c */
int ms_note_label(const char *s, const char **rest); /* A/N:, Author's Note: ... */
int ms_notey(const char *s, int at_end);
/* The writer speaking about the writing (a request filled, how long it sat, other stories,
 * thanks, reviews) rather than the story: an author's note without a label. */
int ms_meta_voice(const char *s);
/* The same for a short paragraph a scene break sets apart from the story at the top or the
 * bottom: one word about the writing in the writer's voice is enough. */
int ms_meta_voice_apart(const char *s);
/* Index of the block that closes a bracket opened at block i, -1 when none (12 at most). */
long ms_bracket_end(struct ms_doc *d, size_t i, size_t to);
void ms_extract_beta(struct ms_ctx *c, const char *notes);
void ms_note_scan(struct ms_ctx *c, const char *text);
size_t ms_trailing_notes(struct ms_doc *d, size_t from, size_t to, int *ended);
size_t ms_leading_notes(struct ms_doc *d, size_t from, size_t to);
void ms_collect_notes(struct ms_ctx *c, struct ms_doc *d, size_t from, size_t to, char **dst);

/* ms_known.c: the archive's tags as lists (MS_K_CHAR, MS_K_REL, MS_K_FANDOM): canonical
 * names, synonyms (syn_to: the index of each one's canonical name), and per canonical name
 * its parent fandoms (characters and relationships; empty for fandoms). */
enum { MS_K_CHAR = 0, MS_K_REL, MS_K_FANDOM };
struct ms_kent {
    uint64_t hash;   /* of the key, lower-cased */
    const char *key; /* a whole name, or one word of it (klen bytes) */
    size_t klen;
    const char *tag; /* the name (canonical or synonym) the key is from */
    size_t idx;      /* the canonical name's index */
};
struct ms_klist {
    struct strlist names, syn;
    size_t *syn_to;
    struct strlist *parents;
    /* sorted by hash: every name and synonym whole (full), every word of them (words) */
    struct ms_kent *full, *words;
    size_t nfull, nwords;
};
/* Builds l's lookup tables (after names, syn and syn_to are filled). 0 or -1. */
int ms_klist_index(struct ms_klist *l);
/* Calls cb for each name or synonym of l having the word w (up to the disambiguation in
 * parentheses), with its canonical index; stops when cb returns non-zero. */
void ms_klist_words(const struct ms_klist *l, const char *w,
                    int (*cb)(const char *tag, size_t idx, void *ctx), void *ctx);
struct ms_kview {
    struct ms_klist l[3];
};
/* The lists of k, built on first use (NULL without memory or without k). */
const struct ms_kview *ms_known_view(const struct ms_known *k);
void ms_klist_free(struct ms_klist *l);
/* The index of the canonical name that name is (or is a synonym of), case-insensitively;
 * -1 when none. */
long ms_klist_find(const struct ms_klist *l, const char *name);

/* ms_suggest.c, ms_lang.c, ms_names.c; scanner internals in ms_scan.h */
char *ms_detect_language(const char *text, size_t n);
/* Suggestions into c->w; with language set, also the language (as ms_detect_language finds
 * it, in the same pass over the text). */
int ms_suggest(struct ms_ctx *c, const char *text, size_t n, int language);
/* For tests: ms_suggest keeping every recurring capitalised name (places, clans, titles and
 * family names too), as the suggestions were before people were told from places. */
int ms_suggest_plain(struct ms_ctx *c, const char *text, size_t n, int language);
/* For tests: the counts the language is decided on (letters in Latin, Cyrillic, kana, Han
 * and Hangul script, words, then the stopwords found of each of the six languages) for text
 * (n bytes), from ms_detect_language's own scan or (fused set) from the pass ms_suggest makes
 * over a text of at most 4 MiB. */
void ms_lang_counts(const char *text, size_t n, int fused, size_t counts[12]);

#endif
