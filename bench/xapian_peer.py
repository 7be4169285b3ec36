#!/usr/bin/python3
"""xapian_peer.py: the Xapian peer of bench/fulltext.c.

Run by bench_fulltext --xapian (or by hand) with Debian's python3, which has python3-xapian:

    /usr/bin/python3 bench/xapian_peer.py CORPUS.tsv QUERIES.txt DBDIR

CORPUS.tsv: one work per line, tab-separated: id, rating number, fandoms ('|'-separated),
title, summary, tags ('; '-separated), body HTML (no tabs or newlines; bench_fulltext writes
it from the same generator as its own index). QUERIES.txt: one query per line, tab-separated:
the query in Xapian's syntax and the match count ficd's index found.

Indexes every work with the English stemmer (STEM_SOME: unstemmed terms plus Z-prefixed
stems, positions for phrases), fields weighted like bench_fulltext's FTS5 table (title x3,
summary x2, tags x2, body x1; HTML tags stripped), and boolean filter terms XR<rating> and
XF<fandom>. Then runs every query once: top 20 by BM25 (Xapian's default BM25Weight) plus the
exact match count (get_mset(0, 20, doccount): checking every match makes
get_matches_estimated() exact). Prints human-readable lines and one machine-readable line:

    XAPIAN_RESULT n p50 p90 p99 max build_s size_mb mean_matches agree

(times in ms; agree = queries whose count equals ficd's).
"""
import os
import re
import shutil
import sys
import time

import xapian

TAG_RE = re.compile(r"<[^>]*>")


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def build(corpus, dbdir):
    shutil.rmtree(dbdir, ignore_errors=True)
    t0 = time.perf_counter()
    db = xapian.WritableDatabase(dbdir, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    n = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            wid, rating, fandoms, title, summary, tags, body = line.rstrip("\n").split("\t")
            doc = xapian.Document()
            tg.set_document(doc)
            tg.index_text(title, 3)
            tg.increase_termpos()
            tg.index_text(TAG_RE.sub(" ", summary), 2)
            tg.increase_termpos()
            tg.index_text(tags, 2)
            tg.increase_termpos()
            tg.index_text(TAG_RE.sub(" ", body), 1)
            doc.add_boolean_term("XR" + rating)
            for fd in fandoms.split("|"):
                if fd:
                    doc.add_boolean_term("XF" + fd.lower())
            doc.add_boolean_term("Q" + wid)
            db.replace_document("Q" + wid, doc)
            n += 1
    db.commit()
    db.close()
    return n, time.perf_counter() - t0


def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p))]


def run(dbdir, queries):
    db = xapian.Database(dbdir)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_AND)
    qp.set_database(db)
    flags = (xapian.QueryParser.FLAG_PHRASE | xapian.QueryParser.FLAG_BOOLEAN
             | xapian.QueryParser.FLAG_WILDCARD | xapian.QueryParser.FLAG_LOVEHATE)
    enq = xapian.Enquire(db)
    total = db.get_doccount()
    times, matches, agree = [], 0, 0
    for text, expect in queries:
        t0 = time.perf_counter()
        enq.set_query(qp.parse_query(text, flags))
        mset = enq.get_mset(0, 20, total)
        ids = [m.docid for m in mset]
        count = mset.get_matches_estimated()
        times.append((time.perf_counter() - t0) * 1e3)
        matches += count
        agree += count == expect
        if count != expect and len(times) - agree <= 5:
            sys.stderr.write("xapian   count differs: [%s] xapian %d, ficd %d\n"
                             % (text, count, expect))
        del ids
    return times, matches, agree


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: xapian_peer.py CORPUS.tsv QUERIES.txt DBDIR\n")
        return 2
    corpus, qfile, dbdir = sys.argv[1:]
    queries = []
    with open(qfile, encoding="utf-8") as f:
        for line in f:
            text, expect = line.rstrip("\n").split("\t")
            queries.append((text, int(expect)))
    n, build_s = build(corpus, dbdir)
    size = du(dbdir)
    print("xapian   %d docs indexed in %.1f s; database %.0f MB (Xapian %s, glass, not compacted)"
          % (n, build_s, size / 1e6, xapian.version_string()), flush=True)
    times, matches, agree = run(dbdir, queries)
    v = sorted(times)
    print("xapian   n=%-5d p50 %9.3f ms  p90 %9.3f ms  p99 %9.3f ms  max %9.3f ms"
          % (len(v), pct(v, 0.5), pct(v, 0.9), pct(v, 0.99), v[-1]))
    print("xapian   mean %.0f matches; %d of %d counts equal to ficd's"
          % (matches / len(v), agree, len(v)))
    print("XAPIAN_RESULT %d %.4f %.4f %.4f %.4f %.2f %.1f %.1f %d"
          % (len(v), pct(v, 0.5), pct(v, 0.9), pct(v, 0.99), v[-1], build_s, size / 1e6,
             matches / len(v), agree), flush=True)
    shutil.rmtree(dbdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
