#!/usr/bin/env python3
"""pg_schema.py: the PostgreSQL schema (src/store/pg_schema.c) against SQLite's after all its
migrations: the same tables; per table the same columns in the same order with the same
type class, NOT NULL, default and primary key; the same foreign keys (columns, target,
ON DELETE); as many CHECK constraints; for every SQLite index (the implicit ones of UNIQUE
and WITHOUT ROWID primary keys included) an equivalent PostgreSQL index (same uniqueness,
partial or not, same keys in order, a NOCASE column is CITEXT in PostgreSQL, DESC kept); every
trigger on the same table and event; every INTEGER PRIMARY KEY id an identity column.
Usage: pg_schema.py SQLITE_DB POSTGRES_URL"""
import re
import sqlite3
import subprocess
import sys

fails = []


def check(cond, msg):
    if not cond:
        fails.append(msg)


def psql(url, sql):
    out = subprocess.run(['psql', url, '-X', '-At', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1', '-c', sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split('\x1f') for line in out.splitlines() if line]


def split_top(s):
    """Splits s at the commas outside parentheses."""
    parts, depth, cur = [], 0, ''
    for ch in s:
        if ch == '(':
            depth += 1
        elif ch == ')':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def pg_index_keys(indexdef):
    """(keys, partial) of a pg_indexes.indexdef: the items between the parentheses after
    USING btree, and whether a WHERE follows."""
    m = re.search(r' USING \w+ \(', indexdef)
    i, depth = m.end(), 1
    j = i
    while depth:
        if indexdef[j] == '(':
            depth += 1
        elif indexdef[j] == ')':
            depth -= 1
        j += 1
    return [k.replace('"', '') for k in split_top(indexdef[i:j - 1])], ' WHERE ' in indexdef[j:]


def norm_default(v):
    if v is None:
        return None
    v = re.sub(r'::[a-z ]+$', '', v.strip())
    while v.startswith('(') and v.endswith(')'):
        v = v[1:-1]
    return v


def main():
    sq = sqlite3.connect(sys.argv[1])
    url = sys.argv[2]
    sq_tables = [r[0] for r in sq.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    pg_tables = [r[0] for r in psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                         "ORDER BY tablename COLLATE \"C\"")]
    check(sq_tables == pg_tables, f'tables differ: only in SQLite {sorted(set(sq_tables) - set(pg_tables))}, '
                                  f'only in PostgreSQL {sorted(set(pg_tables) - set(sq_tables))}')

    pg_cols = {}
    for t, name, typ, nullable, default, ident in psql(
            url, "SELECT table_name, column_name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name "
                 "ELSE data_type END, is_nullable, column_default, is_identity "
                 "FROM information_schema.columns WHERE table_schema = 'public' "
                 "ORDER BY table_name, ordinal_position"):
        pg_cols.setdefault(t, []).append(dict(name=name, type=typ, notnull=nullable == 'NO',
                                              default=default or None, identity=ident == 'YES'))
    pg_pk = {}
    for t, col in psql(url, "SELECT tc.table_name, k.column_name FROM information_schema.table_constraints tc "
                            "JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name) "
                            "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' "
                            "ORDER BY tc.table_name, k.ordinal_position"):
        pg_pk.setdefault(t, []).append(col)
    pg_fk, pg_checks = {}, {}
    for t, kind, definition in psql(url, "SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid) "
                                         "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                                         "AND contype IN ('f', 'c')"):
        if kind == 'c':
            pg_checks[t] = pg_checks.get(t, 0) + 1
            continue
        m = re.match(r'FOREIGN KEY \(([^)]*)\) REFERENCES (\w+)\(([^)]*)\)(?: ON DELETE (SET NULL|CASCADE))?',
                     definition)
        check(m, f'{t}: foreign key not understood: {definition}')
        if m:
            pg_fk.setdefault(t, set()).add((m.group(1), m.group(2), m.group(3), m.group(4) or 'NO ACTION'))
    pg_idx = {}
    for t, name, definition in psql(url, "SELECT tablename, indexname, indexdef FROM pg_indexes "
                                         "WHERE schemaname = 'public'"):
        keys, partial = pg_index_keys(definition)
        pg_idx.setdefault(t, []).append(dict(name=name, unique=definition.startswith('CREATE UNIQUE'),
                                             keys=keys, partial=partial))
    pg_trig = {(t, name, ev) for name, t, ev in psql(
        url, "SELECT trigger_name, event_object_table, event_manipulation FROM information_schema.triggers "
             "WHERE trigger_schema = 'public'")}

    type_class = {'INTEGER': ('integer', 'bigint'), 'TEXT': ('text',), 'BLOB': ('bytea',),
                  'REAL': ('double precision',)}
    for t in sq_tables:
        if t not in pg_cols:
            continue
        info = sq.execute(f'PRAGMA table_info("{t}")').fetchall()
        names = [r[1] for r in info]
        pnames = [c['name'] for c in pg_cols[t]]
        check(names == pnames, f'{t}: columns {names} in SQLite, {pnames} in PostgreSQL')
        if names != pnames:
            continue
        pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        check(pk == pg_pk.get(t, []), f'{t}: primary key {pk} in SQLite, {pg_pk.get(t)} in PostgreSQL')
        fk_cols = {r[3] for r in sq.execute(f'PRAGMA foreign_key_list("{t}")')}
        table_sql = sq.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()[0]
        for (cid, name, typ, notnull, default, pkpos), pc in zip(info, pg_cols[t]):
            where = f'{t}.{name}'
            nocase = bool(re.search(r'COLLATE\s+NOCASE', column_sql(table_sql, name) or '', re.I))
            want = ('citext',) if nocase else type_class.get(typ.upper(), ())
            check(pc['type'] in want, f'{where}: {typ}{" NOCASE" if nocase else ""} in SQLite, {pc["type"]}')
            # an INTEGER PRIMARY KEY is NOT NULL in SQLite too (it is the rowid)
            sq_notnull = bool(notnull) or bool(pkpos)
            check(sq_notnull == pc['notnull'], f'{where}: NOT NULL {sq_notnull} in SQLite, {pc["notnull"]}')
            check(norm_default(default) == norm_default(pc['default']),
                  f'{where}: default {default} in SQLite, {pc["default"]} in PostgreSQL')
            rowid_id = pk == [name] and typ.upper() == 'INTEGER' and name not in fk_cols and t != 'schema_migrations'
            check(pc['identity'] == rowid_id, f'{where}: identity {pc["identity"]}, expected {rowid_id}')

        fks = {(r[3], r[2], r[4], r[6]) for r in sq.execute(f'PRAGMA foreign_key_list("{t}")')}
        check(fks == pg_fk.get(t, set()), f'{t}: foreign keys {sorted(fks)} in SQLite, '
                                          f'{sorted(pg_fk.get(t, set()))} in PostgreSQL')
        sql = sq.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)).fetchone()[0]
        nchecks = len(re.findall(r'\bCHECK\s*\(', sql, re.I))
        check(nchecks == pg_checks.get(t, 0), f'{t}: {nchecks} CHECK constraints in SQLite, '
                                              f'{pg_checks.get(t, 0)} in PostgreSQL')

        for seq, iname, unique, origin, partial in sq.execute(f'PRAGMA index_list("{t}")'):
            want = []
            for row in sq.execute(f'PRAGMA index_xinfo("{iname}")'):
                _, cid, col, desc, coll, key = row
                if not key:
                    continue
                if cid == -2:
                    item = '<expr>'
                else:
                    item = col  # a NOCASE column is citext: its index is on the column itself
                want.append(item + (' DESC' if desc else ''))
            found = [i for i in pg_idx.get(t, []) if i['unique'] == bool(unique) and i['partial'] == bool(partial)
                     and len(i['keys']) == len(want)
                     and all(w == k or (w == '<expr>' and '(' in k) for w, k in zip(want, i['keys']))]
            check(found, f'{t}: no PostgreSQL index like SQLite\'s {iname} '
                         f'({"unique " if unique else ""}{", ".join(want)}{" partial" if partial else ""}); '
                         f'PostgreSQL has {[(i["name"], i["keys"]) for i in pg_idx.get(t, [])]}')

    for name, t, sql in sq.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
        m = re.search(r'\b(INSERT|UPDATE|DELETE)\b', sql[:sql.upper().find(' ON ')])
        check(m and (t, name, m.group(1)) in pg_trig, f'trigger {name} ({t}) missing in PostgreSQL: {pg_trig}')

    for f in fails:
        print('FAIL:', f, file=sys.stderr)
    print(f'{len(sq_tables)} tables compared, {len(fails)} differences')
    return 1 if fails else 0


def column_sql(table_sql, col):
    """The definition of column col in a CREATE TABLE statement, or None."""
    body = table_sql[table_sql.index('(') + 1:table_sql.rindex(')')]
    for part in split_top(body):
        if part.split()[0].strip('"') == col:
            return part
    return None


if __name__ == '__main__':
    sys.exit(main())
