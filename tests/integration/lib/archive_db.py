#!/usr/bin/env python3
"""archive_db.py: direct SQL on a test archive, whichever backend the tests run on.
connect(DATA_DIR) is sqlite3.connect(DATA_DIR/ficd.db), or, when tests/pg/with_db.sh runs the
test (FICD_TEST_PG set), a small connection to the data directory's PostgreSQL database (the one
tests/pg/ficd.sh gives it) through psql, with the sqlite3 calls the tests use: execute(sql,
params) with ? placeholders, then fetchone()/fetchall()/iteration; rows come back typed (JSON).
As a command: archive_db.py DATA_DIR SQL [PARAM...] prints the first column of each row."""
import hashlib
import json
import os
import sqlite3
import subprocess
import sys


def database_url(data_dir):
    """The URL of data_dir's PostgreSQL database (tests/pg/ficd.sh's naming), or None on SQLite."""
    if not os.environ.get('FICD_TEST_PG'):
        return None
    digest = hashlib.md5((os.path.realpath(data_dir) + '\n').encode()).hexdigest()[:12]
    return f"{os.environ['FICD_TEST_PG_URL']}{os.environ['FICD_TEST_PG_PREFIX']}__{digest}"


def _literal(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return '1' if v else '0'
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _inline(sql, params):
    """sql with each ? outside quotes replaced by the next parameter as a literal."""
    out, it, quote = [], iter(params), None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in ("'", '"'):
            quote = ch
        elif ch == '?':
            out.append(_literal(next(it)))
            continue
        out.append(ch)
    return ''.join(out)


class _Cursor:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows.pop(0) if self.rows else None

    def fetchall(self):
        rows, self.rows = self.rows, []
        return rows

    def __iter__(self):
        return iter(self.fetchall())


class PgArchive:
    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=()):
        sql = _inline(sql, params).strip().rstrip(';')
        reads = sql.split(None, 1)[0].upper() in ('SELECT', 'WITH', 'VALUES')
        if reads:
            sql = f'SELECT coalesce(json_agg(q), \'[]\') FROM ({sql}) q'
        out = subprocess.run(['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', self.url, '-c', sql],
                             check=True, capture_output=True, text=True).stdout
        if not reads:
            return _Cursor([])
        return _Cursor(json.loads(out, object_pairs_hook=lambda pairs: tuple(v for _, v in pairs)))

    def commit(self):
        pass

    def close(self):
        pass


def connect(data_dir):
    url = database_url(data_dir)
    return PgArchive(url) if url else sqlite3.connect(os.path.join(data_dir, 'ficd.db'))


if __name__ == '__main__':
    db = connect(sys.argv[1])
    for row in db.execute(sys.argv[2], sys.argv[3:]):
        print(row[0])
    db.commit()
