/* pg_schema.h: the PostgreSQL schema, private to the store (pg_schema.c). A new database
 * gets pg_schema_sql, the whole schema at version pg_schema_version (the SQLite archive's
 * version after the same migrations); later versions are pg_migrations[0..pg_nmigrations),
 * version pg_schema_version + i + 1 being pg_migrations[i]. */
#ifndef FICD_STORE_PG_SCHEMA_H
#define FICD_STORE_PG_SCHEMA_H

#include <stddef.h>

extern const char *const pg_schema_sql;
extern const int pg_schema_version;
extern const char *const pg_migrations[];
extern const size_t pg_nmigrations;

#endif
