#!/usr/bin/python3
"""xapian_peer.py: the Xapian peer of bench/fulltext.c.

Run by bench_fulltext --xapian (or by hand) with Debian's python3, which has python3-xapian:

    /usr/bin/python3 bench/xapian_peer.py CORPUS.tsv QUERIES.tsv DBDIR [--key KEY]
                     [--repeat N] [--english-only] [--stem-some] [--show N]

CORPUS.tsv: one work per line, tab-separated: id, rating number, language, fandoms,
title, creators, tags, summary, body HTML ('|' separates list items; no tabs or newlines;
bench_fulltext writes it from the same generator as its own index). QUERIES.tsv: one query
per line, tab-separated: kind, the query (ficd's syntax, which is also Xapian's here), the
ratings (comma-separated numbers), the fandom ('' for none), ficd's match count, ficd's top
20 work ids, and optionally ficd's full match set (work ids; for listing the differences).

The database is built like ficd's index (src/index/fts.c), as far as Xapian allows:
- the same fields in the same order and weights: title x3, creators x1, each tag x2 (fandoms,
  relationships, characters, freeforms), summary x2 (plain text, indexed as is, like ficd),
  body x1 (HTML tags replaced by spaces); a position gap between values and fields, so
  phrases never span two;
- stemmed with the Snowball stemmer of the work's language (English, or Spanish for the
  works labelled Español), STEM_ALL: every term is stored stemmed with its positions, as ficd
  does, so phrases match on stems and wildcards on stems (with STEM_SOME, Xapian's default in
  the examples, phrases use the unstemmed words and the stems carry no positions).
  --english-only stems every work with the English stemmer instead, and --stem-some indexes
  and queries with STEM_SOME (both only to show where the differences came from);
- document id = work id; boolean terms XR<rating number> and XF<fandom, lower-cased>.
The database is reused when DBDIR/ficd-stamp matches KEY and this script's INDEX_VERSION;
otherwise it is rebuilt from CORPUS.tsv (XAPIAN_FLUSH_THRESHOLD, default 50000 here, sets
how many documents are buffered between flushes).

Queries: QueryParser with the English stemmer, STEM_ALL, default operator AND, FLAG_BOOLEAN |
FLAG_PHRASE | FLAG_LOVEHATE, so "a AND NOT b" is OP_AND_NOT and "a b" is a phrase; the
rating and fandom filters are OP_FILTER with OP_OR of the XR terms (AND the XF term).
Weighting: BM25Weight(k1=1.2, k2=0, k3=1, b=0.75, min_normlen=0), ficd's k1 and b (Xapian's
idf is log((N-n+0.5)/(n+0.5)), ficd's log(1+(N-n+0.5)/(n+0.5)), so multi-term rankings can
differ). Each query: get_mset(0, 20, db.get_doccount()); with check_at_least at least the
number of documents Xapian counts every match, and the count used is
get_matches_lower_bound(), checked equal to get_matches_upper_bound() (exact). Every query
runs --repeat times (the whole list each time); the figures are the first run and the best
per query.

Prints human-readable lines and one machine-readable line:

    XAPIAN_RESULT n first_p50 first_p90 first_p99 best_p50 best_p90 best_p99 build_s size_mb
                  mean_matches equal_counts equal_top20_sets

(times in ms; build_s and size_mb of the build that made the database, possibly cached).
"""
import json
import os
import re
import shutil
import sys
import time
import unicodedata

INDEX_VERSION = "3"  # bump when the way documents are indexed changes

os.environ.setdefault("XAPIAN_FLUSH_THRESHOLD", "50000")
import xapian  # noqa: E402  (reads XAPIAN_FLUSH_THRESHOLD when a database is opened)

TAG_RE = re.compile(r"<[^>]*>")

# tok_stemmer_for() in src/index/tokenize.c: native names to Snowball algorithm names.
LANG_ALIAS = {
    "francais": "french", "deutsch": "german", "espanol": "spanish", "castellano": "spanish",
    "italiano": "italian", "portugues": "portuguese", "portugues brasileiro": "portuguese",
    "nederlands": "dutch", "svenska": "swedish", "norsk": "norwegian", "dansk": "danish",
    "suomi": "finnish", "magyar": "hungarian", "turkce": "turkish", "romana": "romanian",
    "русскии": "russian", "русский": "russian", "ελληνικα": "greek",
    "bahasa indonesia": "indonesian", "gaeilge": "irish", "catala": "catalan",
    "lietuviu": "lithuanian", "српски": "serbian", "euskara": "basque",
}


def fold(s):
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


_stemmers = {}


def stemmer_for(language, english_only):
    """The stemmer ficd uses for a work's language (English when unknown; none when Snowball
    has no stemmer for it)."""
    key = "english" if english_only or not language else fold(language)
    if key not in _stemmers:
        st = None
        for name in (key, LANG_ALIAS.get(key)):
            if not name:
                continue
            try:
                st = xapian.Stem(name)
                break
            except xapian.InvalidArgumentError:
                pass
        _stemmers[key] = st or xapian.Stem("none")
    return _stemmers[key]


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return -1.0


def build(corpus, dbdir, english_only, stem_some):
    shutil.rmtree(dbdir, ignore_errors=True)
    t0 = time.perf_counter()
    db = xapian.WritableDatabase(dbdir, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME if stem_some
                             else xapian.TermGenerator.STEM_ALL)
    n, langs = 0, {}
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            (wid, rating, lang, fandoms, title, creators, tags, summary,
             body) = line.rstrip("\n").split("\t")
            doc = xapian.Document()
            tg.set_document(doc)
            tg.set_stemmer(stemmer_for(lang, english_only))
            langs[lang] = langs.get(lang, 0) + 1
            tg.index_text(title, 3)
            tg.increase_termpos()
            for c in creators.split("|"):
                tg.index_text(c, 1)
                tg.increase_termpos()
            for t in tags.split("|"):
                tg.index_text(t, 2)
                tg.increase_termpos()
            tg.index_text(summary, 2)
            tg.increase_termpos()
            tg.index_text(TAG_RE.sub(" ", body), 1)
            doc.add_boolean_term("XR" + rating)
            for fd in fandoms.split("|"):
                if fd:
                    doc.add_boolean_term("XF" + fd.lower())
            doc.add_value(0, lang)
            db.replace_document(int(wid), doc)
            n += 1
            if n % 10000 == 0:
                sys.stderr.write("xapian   %d docs indexed, %.0f s\r" % (n, time.perf_counter() - t0))
    db.commit()
    db.close()
    sys.stderr.write("\n")
    return n, time.perf_counter() - t0, langs


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p))]


def make_query(qp, flags, text, ratings, fandom):
    q = qp.parse_query(text, flags)
    filt = xapian.Query(xapian.Query.OP_OR, [xapian.Query("XR%d" % r) for r in ratings])
    if fandom:
        filt = xapian.Query(xapian.Query.OP_AND, filt, xapian.Query("XF" + fandom.lower()))
    return xapian.Query(xapian.Query.OP_FILTER, q, filt)


def run(dbdir, queries, repeat, show, stem_some):
    db = xapian.Database(dbdir)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME if stem_some
                             else xapian.QueryParser.STEM_ALL)
    qp.set_default_op(xapian.Query.OP_AND)
    qp.set_database(db)
    flags = (xapian.QueryParser.FLAG_PHRASE | xapian.QueryParser.FLAG_BOOLEAN
             | xapian.QueryParser.FLAG_LOVEHATE)
    enq = xapian.Enquire(db)
    enq.set_weighting_scheme(xapian.BM25Weight(1.2, 0, 1, 0.75, 0))
    total = db.get_doccount()
    n = len(queries)
    first, best = [0.0] * n, [0.0] * n
    counts, tops = [0] * n, [None] * n
    for rep in range(repeat):
        for i, (kind, text, ratings, fandom, _, _, _) in enumerate(queries):
            t0 = time.perf_counter()
            enq.set_query(make_query(qp, flags, text, ratings, fandom))
            mset = enq.get_mset(0, 20, total)
            ids = [m.docid for m in mset]
            count = mset.get_matches_lower_bound()
            t = (time.perf_counter() - t0) * 1e3
            if count != mset.get_matches_upper_bound():
                raise SystemExit("xapian   count not exact for [%s]" % text)
            if rep == 0:
                first[i] = best[i] = t
                counts[i], tops[i] = count, ids
            else:
                best[i] = min(best[i], t)

    # Agreement with ficd, per kind.
    agree, agree_top, shown = 0, 0, 0
    per = {}
    for i, (kind, text, ratings, fandom, expect, etop, eall) in enumerate(queries):
        eq = counts[i] == expect
        teq = set(tops[i]) == set(etop)
        agree += eq
        agree_top += teq
        k = per.setdefault(kind, [0, 0, 0, 0.0])
        k[0] += 1
        k[1] += eq
        k[2] += teq
        k[3] += (len(set(tops[i]) & set(etop)) / max(len(etop), len(tops[i]))
                 if etop or tops[i] else 1.0)
        if not eq and shown < show:
            shown += 1
            line = "xapian   count differs: [%s] ratings %s%s: xapian %d, ficd %d" % (
                text, ",".join(map(str, ratings)), " fandom '%s'" % fandom if fandom else "",
                counts[i], expect)
            if eall is not None:
                enq.set_query(make_query(qp, flags, text, ratings, fandom))
                mine = set(m.docid for m in enq.get_mset(0, total, total))
                only_x, only_f = sorted(mine - eall), sorted(eall - mine)

                def langs(ids):
                    c = {}
                    for d in ids:
                        lang = db.get_document(d).get_value(0).decode() or "?"
                        c[lang] = c.get(lang, 0) + 1
                    return c
                line += "; only xapian: %d %s e.g. %s; only ficd: %d %s e.g. %s" % (
                    len(only_x), langs(only_x), only_x[:5], len(only_f), langs(only_f),
                    only_f[:5])
            print(line)
    for kind in ("word", "and", "and-not", "phrase"):
        if kind in per:
            k = per[kind]
            print("xapian   %-8s n=%-4d counts equal %4d, top-20 sets equal %4d, mean top-20 "
                  "overlap %.1f %%" % (kind, k[0], k[1], k[2], 100 * k[3] / k[0]))
    return first, best, counts, agree, agree_top


def main():
    args = sys.argv[1:]
    opts = {"--key": "", "--repeat": "1", "--show": "8"}
    flags = {"--english-only": False, "--stem-some": False}
    pos = []
    i = 0
    while i < len(args):
        if args[i] in opts and i + 1 < len(args):
            opts[args[i]] = args[i + 1]
            i += 2
        elif args[i] in flags:
            flags[args[i]] = True
            i += 1
        else:
            pos.append(args[i])
            i += 1
    if len(pos) != 3:
        sys.stderr.write("usage: xapian_peer.py CORPUS.tsv QUERIES.tsv DBDIR [--key KEY] "
                         "[--repeat N] [--english-only] [--stem-some] [--show N]\n")
        return 2
    corpus, qfile, dbdir = pos
    english_only = flags["--english-only"]
    stem_some = flags["--stem-some"]
    queries = []
    with open(qfile, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            kind, text, ratings, fandom, expect, top = p[:6]
            full = set(int(x) for x in p[6].split(",") if x) if len(p) > 6 and p[6] else None
            queries.append((kind, text, [int(r) for r in ratings.split(",") if r], fandom,
                            int(expect), [int(x) for x in top.split(",") if x], full))

    stampfile = os.path.join(dbdir, "ficd-stamp")
    want = {"key": opts["--key"], "version": INDEX_VERSION, "english_only": english_only,
            "stem_some": stem_some}
    stamp = None
    try:
        with open(stampfile) as f:
            stamp = json.load(f)
    except (OSError, ValueError):
        pass
    if stamp and all(stamp.get(k) == v for k, v in want.items()) and opts["--key"]:
        print("xapian   database reused from %s (built %s in %.1f s at load average %.2f -> "
              "%.2f)" % (dbdir, stamp["date"], stamp["build_s"], stamp["load_before"],
                         stamp["load_after"]), flush=True)
    else:
        load0 = loadavg()
        n, build_s, langs = build(corpus, dbdir, english_only, stem_some)
        stamp = dict(want, date=time.strftime("%Y-%m-%d %H:%M"), build_s=build_s, docs=n,
                     size_mb=du(dbdir) / 1e6, load_before=load0, load_after=loadavg(),
                     languages=langs, flush_threshold=os.environ["XAPIAN_FLUSH_THRESHOLD"])
        with open(stampfile, "w") as f:
            json.dump(stamp, f)
        print("xapian   %d docs indexed in %.1f s (load average %.2f -> %.2f; languages %s)"
              % (n, build_s, load0, stamp["load_after"], langs), flush=True)
    size = stamp["size_mb"]
    print("xapian   database %.0f MB (Xapian %s, glass, not compacted%s%s)"
          % (size, xapian.version_string(), ", English stemmer only" if english_only else "",
             ", STEM_SOME" if stem_some else ""), flush=True)
    repeat = max(1, int(opts["--repeat"]))
    first, best, counts, agree, agree_top = run(dbdir, queries, repeat, int(opts["--show"]),
                                                stem_some)
    f, b = sorted(first), sorted(best)
    print("xapian   n=%-5d first run: p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms"
          % (len(f), pct(f, 0.5), pct(f, 0.9), pct(f, 0.99), f[-1]))
    if repeat > 1:
        print("xapian   n=%-5d best of %d: p50 %8.3f ms  p90 %8.3f ms  p99 %8.3f ms  max %8.3f ms"
              % (len(b), repeat, pct(b, 0.5), pct(b, 0.9), pct(b, 0.99), b[-1]))
    print("xapian   load average %.2f" % loadavg())
    print("xapian   mean %.0f matches; %d of %d counts equal to ficd's; top-20 sets equal on %d"
          % (sum(counts) / len(counts), agree, len(counts), agree_top))
    print("XAPIAN_RESULT %d %.4f %.4f %.4f %.4f %.4f %.4f %.2f %.1f %.1f %d %d"
          % (len(f), pct(f, 0.5), pct(f, 0.9), pct(f, 0.99), pct(b, 0.5), pct(b, 0.9),
             pct(b, 0.99), stamp["build_s"], size, sum(counts) / len(counts), agree, agree_top),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
