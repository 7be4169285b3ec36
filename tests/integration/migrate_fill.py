#!/usr/bin/env python3
"""migrate_fill.py DB: gives every table of a SQLite archive rows, for tests/integration/migrate.sh.
What the CLI made (imports, accounts, tags) stays; each table still empty gets a few rows of
plain SQL with the awkward values a copy must keep (tabs, newlines, backslashes, a literal
\\N, control characters, non-ASCII, '' beside NULL, ids far apart), and tags and comments get
references to later rows of their own table. Fails when a table stays empty (a table added
by a later migration needs rows here) or a foreign key is broken."""
import sqlite3
import sys

AWKWARD = ['tab\there', 'line\nbreak\r\n', 'back\\slash \\N \\.', '\x01\x07\x08\x0b\x0c\x1b\x7f',
           'ünïcödé — 🦊 日本語', '', ' trailing ']

db = sqlite3.connect(sys.argv[1])
db.execute('PRAGMA foreign_keys = OFF')  # forward references inside a table, set below
ids = lambda sql: [r[0] for r in db.execute(sql)]
users = ids('SELECT id FROM users ORDER BY id')
works = ids('SELECT id FROM works ORDER BY id')
chapters = ids('SELECT id FROM chapters ORDER BY id')
tags = ids('SELECT id FROM tags ORDER BY id')
assert len(users) >= 3 and len(works) >= 10 and len(tags) >= 4, (users, len(works), len(tags))
u1, u2, u3 = users[:3]
T = 1796500000


def empty(t):
    return db.execute(f'SELECT count(*) FROM {t}').fetchone()[0] == 0


def fill(t, rows):
    if empty(t):
        n = len(rows[0])
        db.executemany(f'INSERT INTO {t} VALUES ({", ".join("?" * n)})', rows)


# a tag whose synonym_of points at a later tag, and one at an earlier tag
db.execute('UPDATE tags SET synonym_of = ? WHERE id = ?', (tags[-1], tags[0]))
db.execute('UPDATE tags SET synonym_of = ? WHERE id = ?', (tags[0], tags[-2]))
db.execute('UPDATE users SET email = ? WHERE id = ?', ('', u2))
db.execute("UPDATE works SET summary = ?, notes_end = ? WHERE id = ?", (AWKWARD[0] + AWKWARD[2], AWKWARD[3], works[0]))
db.execute("UPDATE chapters SET title = ?, notes_begin = ? WHERE id = ?", (AWKWARD[1], AWKWARD[4], chapters[0]))

fill('sessions', [('h' * 64, u1, T + 86400, T), ('a\tb\\c', u2, T + 1, T)])
fill('invites', [('invite-1', u1, T, None), ('invite-2', None, T, T + 5)])
fill('work_beta', [(works[0], 0, 'Beta Reader'), (works[0], 1, AWKWARD[4])])
fill('work_suggestions', [(works[1], 2, 0, 'Suggested Character'), (works[1], 2, 1, AWKWARD[0])])
fill('tag_parents', [(tags[1], tags[2])])
fill('tag_meta', [(tags[2], tags[3])])
fill('kudos', [(1, works[0], u1, None, None, T), (2, works[0], None, None, '192.0.2.1', T),
               (900, works[1], None, 'Guest Name', '192.0.2.2', T)])
# comment 5 replies to comment 40, which comes later
fill('comments', [(5, works[0], chapters[0], 40, u2, 'quill', None, '192.0.2.9', '<p>' + AWKWARD[1] + '</p>',
                   T + 10, 0, 0, 0, 0),
                  (40, works[0], None, None, None, 'guest', 'g@example.org', '192.0.2.3', '<p>first</p>', T, T + 3, 1,
                   1, 0),
                  (41, works[0], chapters[0], 40, u1, 'me', None, None, AWKWARD[2], T + 20, 0, 0, 0, 1)])
fill('inbox', [(1, u1, 1, AWKWARD[0], '/works/1#comment_5', T, 0, 1), (2, u1, 2, 'read', None, T, 1, 3)])
fill('reports', [(1, 1, works[0], u2, '192.0.2.4', AWKWARD[1], T, 0, None, None),
                 (2, 2, 40, None, None, 'spam', T, T + 1, u1, 'removed')])
fill('mod_log', [(1, u1, 'admin', 'hide', 'work 1', AWKWARD[3], T), (2, None, 'system', 'ban', 'user x', None, T)])
fill('password_resets', [('r' * 64, u3, T + 3600)])
fill('series', [(1, u1, 'A Series', AWKWARD[1], None, 0, T, T), (7, None, 'Orphan series', None, 'n', 1, T, T)])
fill('series_works', [(works[0], 1, 1), (works[1], 1, 2), (works[2], 7, 1)])
fill('bookmarks', [(1, u2, works[0], AWKWARD[2], 0, 1, T, T), (3, u2, works[1], None, 1, 0, T, T + 9)])
fill('bookmark_tags', [(1, 0, 'Fluff'), (1, 1, AWKWARD[4]), (3, 0, 'angst')])
fill('mutes', [(u2, u1, T)])
fill('blocked_tags', [(u2, 'Major Character Death'), (u2, 'ABC'), (u3, 'abc')])
fill('subscriptions', [(1, u2, 1, works[0], T), (2, u2, 2, u1, T), (3, u3, 3, 1, T)])
fill('readings', [(u2, works[0], T, 3, chapters[0], 0), (u2, works[1], T + 5, 1, 0, 1)])
fill('reader_prefs', [(u2, 1, 'feedtoken-2'), (u3, 0, None)])
fill('work_hits_daily', [(works[0], 20793, 12), (works[0], 20794, 3)])
fill('gifts', [(1, works[0], 'quill', u2, 0, T), (2, works[1], 'Someone Else', None, 1, T)])
fill('creator_invites', [(works[0], u3, u1, T)])
fill('inspirations', [(works[1], works[0], 1, T), (works[2], works[0], 0, T)])
fill('rate_limits', [('login:ip:192.0.2.5', 3, T + 300), ('post:user:' + AWKWARD[0], 1, T + 3600)])
fill('hit_visits', [(20793, 1234567890123), (20794, -42)])
fill('import_map', [('efiction:https://old.example.org', 'story', 17, works[0], T),
                    ('efiction:https://old.example.org', 'author', 3, u1, T)])
db.commit()

bad = db.execute('PRAGMA foreign_key_check').fetchall()
tables = ids("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
still = [t for t in tables if empty(t)]
if bad or still:
    print(f'migrate_fill: broken foreign keys {bad}; tables without rows {still}', file=sys.stderr)
    sys.exit(1)
print(f'{len(tables)} tables hold rows')
