"""One version number of the catalog, bumped by the database itself in the same
transaction as every write to a catalog table, whatever wrote it: a model's save, a
queryset's update() or delete(), bulk_create, a link added, raw SQL. The page cache
(kb/pagecache.py) keys its pages by it; no clock is involved.

SQLite rebuilds a table to alter it and drops that table's triggers: a later migration
that alters one of these tables on SQLite must create its triggers again
(tests/test_catalog_version.py checks that every catalog table has them).
"""

from django.db import migrations

# Every table whose rows a public page shows: rows, categories, FAQ articles, causes,
# aliases and the link tables.
CATALOG_TABLES = [
    "kb_category",
    "kb_errorentry",
    "kb_erroralias",
    "kb_faqarticle",
    "kb_faqarticle_entries",
    "kb_cause",
    "kb_cause_entries",
]

TABLE = [
    # A single row; `number` only grows.
    "CREATE TABLE kb_catalogversion (id integer PRIMARY KEY, number bigint NOT NULL)",
    "INSERT INTO kb_catalogversion (id, number) VALUES (1, 1)",
]


def sqlite_statements(table):
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_version_{event.lower()}
        AFTER {event} ON {table} BEGIN
            UPDATE kb_catalogversion SET number = number + 1 WHERE id = 1;
        END"""
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION kb_bump_catalog_version() RETURNS trigger AS $$
BEGIN
    UPDATE kb_catalogversion SET number = number + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql"""


def postgresql_statements(table):
    # Once per statement: a bulk update of a thousand rows is one bump. TRUNCATE too.
    return [
        f"""CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON {table} FOR EACH STATEMENT EXECUTE FUNCTION kb_bump_catalog_version()"""
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for table in CATALOG_TABLES for s in sqlite_statements(table)]
    elif vendor == "postgresql":
        statements = [POSTGRESQL_FUNCTION]
        statements += [s for table in CATALOG_TABLES for s in postgresql_statements(table)]
    else:
        raise NotImplementedError(f"catalog version triggers for {vendor}")
    for statement in TABLE + statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in CATALOG_TABLES:
        if vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kb_bump_catalog_version()")
    schema_editor.execute("DROP TABLE IF EXISTS kb_catalogversion")


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0011_row_identity"),
    ]

    operations = [migrations.RunPython(create, drop)]
