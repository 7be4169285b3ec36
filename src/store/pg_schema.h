/* pg_schema.h: the PostgreSQL schema, created in one go on an empty database (pg_schema.c). */
#ifndef FICD_PG_SCHEMA_H
#define FICD_PG_SCHEMA_H

#include <stddef.h>

/* SQL creating every table, index and trigger of schema version pg_schema_version, and the
 * rows 1..pg_schema_version of schema_migrations. Run once, in one transaction, on a database
 * without a schema_migrations table. Migrations after it are appended for both backends. */
extern const char *const pg_schema_sql;
extern const int pg_schema_version;
/* The migrations after it, one SQL script per version: pg_migrations[i] is version
 * pg_schema_version + 1 + i (the same versions as SQLite's migrations.c). */
extern const char *const pg_migrations[];
extern const size_t pg_nmigrations;

#endif
