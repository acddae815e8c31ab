"""Models' tables for the few statements written as SQL: those on the path of many
requests, where the ORM's compiling a statement afresh at every call costs more than the
statement (0.2-0.5 ms of CPU against 0.03 ms for the unknown-error queue's, which run at
every unsure search), and upserts the ORM cannot write (the Insight counts'). The names
and the values' database forms still come from the models, so a renamed column or a
changed field type follows.
"""

import functools

from django.db import DEFAULT_DB_ALIAS, connections, models


def default_db():
    """The default database's connection of this thread. Looked up once for a statement:
    every attribute read through `django.db.connection` looks it up again."""
    return connections[DEFAULT_DB_ALIAS]


class Table:
    """A model's table and columns, quoted for one database, and its values as that
    database stores them. `Table.of()` keeps one per model and database."""

    def __init__(self, model: type[models.Model], db):
        self.opts = model._meta
        quote = db.ops.quote_name
        self.name = quote(self.opts.db_table)
        # What an INSERT writes: every stored field but the key the database gives.
        self.fields = [field for field in self.opts.concrete_fields if not field.primary_key]
        self.columns = {field.name: quote(field.column) for field in self.opts.concrete_fields}

    @staticmethod
    @functools.cache
    def of(model: type[models.Model], alias: str = DEFAULT_DB_ALIAS) -> "Table":
        return Table(model, connections[alias])

    def value(self, name: str, value, db):
        """`value` of the field `name` as the database `db` stores it (a time, say)."""
        return self.opts.get_field(name).get_db_prep_value(value, db)


def insert_new(row: models.Model, *unique: str) -> bool:
    """Insert `row` unless a row with the same `unique` fields is stored (`INSERT ... ON
    CONFLICT DO NOTHING`, on SQLite and PostgreSQL alike); whether it was inserted. What
    `bulk_create(ignore_conflicts=True)` does, saying which; `row` is not given its key."""
    db = default_db()
    table = Table.of(type(row), db.alias)
    columns = ", ".join(table.columns[field.name] for field in table.fields)
    conflict = ", ".join(table.columns[name] for name in unique)
    sql = (
        f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join(['%s'] * len(table.fields))}) "
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )
    values = [field.get_db_prep_save(field.pre_save(row, True), db) for field in table.fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount == 1
