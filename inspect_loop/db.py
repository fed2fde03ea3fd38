"""The SQLAlchemy extension and the declarative base every model derives from."""

import enum

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, Enum, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints make migrations reproducible on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


# Python's sqlite3 driver begins a transaction only before its first INSERT/UPDATE/DELETE, so a SAVEPOINT
# taken before that (begin_nested) ran outside any transaction and its RELEASE committed on its own: a
# request refused later left a half-recorded inspection. A savepoint therefore begins the transaction first.
# (SQLAlchemy's other remedy, beginning every transaction itself, would also hold SQLite's lock across
# every read and make concurrent requests fail with "database is locked".)
@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, _name):
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN")


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A string enum stored by value with a named CHECK constraint, never a native PostgreSQL type."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
