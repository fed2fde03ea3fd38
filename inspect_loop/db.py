"""The SQLAlchemy extension and the declarative base every model derives from."""

import enum
import time

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, Enum, MetaData, event, exc, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import Pool

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

# The largest id: primary keys are PostgreSQL ``integer``. A larger number names no row, and handed to a query it
# fails in the driver (SQLite stops at 2**63, PostgreSQL compares it as numeric), so it is never sent.
MAX_ID = 2_147_483_647


def _begin_sqlite_write_transaction(connection) -> None:
    """Python's sqlite3 driver begins a transaction only before its first INSERT/UPDATE/DELETE. Beginning it
    IMMEDIATE takes SQLite's write lock at once: what is read from here on cannot change before the commit.
    (SQLAlchemy's other remedy, beginning every transaction itself, would hold SQLite's lock across every
    read, also of requests that only read, and make concurrent requests fail with "database is locked".)"""
    driver = connection.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


# A SAVEPOINT taken before the first write (begin_nested) would run outside any transaction and its RELEASE
# commit on its own: a request refused later left a half-recorded inspection. A savepoint is taken only to
# write, so it begins the write transaction first.
@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, _name):
    if connection.dialect.name == "sqlite":
        _begin_sqlite_write_transaction(connection)


# A pooled connection left idle this long is tried before it is handed out; one in steady use is not. A
# database restarted or a connection dropped by the network is seen by the try, and the pool connects anew
# instead of failing the request. (SQLAlchemy's pool_pre_ping tries every checkout: a second round trip on
# every request, as dear as the query of a page served from the cache.)
PING_AFTER_IDLE_SECONDS = 5.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_after_idle(dbapi_connection, record, _proxy) -> None:
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()
    except Exception as error:  # whatever the driver raises for a dead connection
        raise exc.DisconnectionError("idle connection no longer answers") from error


def insert_or_nothing(connection, model, **values):
    """``INSERT … ON CONFLICT DO NOTHING`` for ``connection``'s database (both dialects spell it alike, from
    different modules): a row another transaction may have written first is then simply there."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return connection.execute(insert(model).values(**values).on_conflict_do_nothing())


def lock(*rows) -> None:
    """Take the write lock of ``rows`` for the rest of the transaction, then forget everything the session
    has read, so that every check made from here on reads the state as it is under the lock.

    PostgreSQL locks the rows (``SELECT … FOR UPDATE``, in id order per table so that two requests locking
    the same rows never wait for each other crosswise); SQLite has one lock for the whole database and takes
    it by beginning an immediate write transaction. A rival request holding the lock is waited for; when it
    commits, the state it left is what the caller checks — it loses with a clear refusal, not a duplicate.
    Callers lock in one order: department (numbering of rounds), interview round, unit, then document or
    exposure."""
    session = db.session
    session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _begin_sqlite_write_transaction(connection)
    else:
        by_model: dict[type, set[int]] = {}
        for row in rows:
            by_model.setdefault(type(row), set()).add(row.id)
        for model, ids in by_model.items():
            session.execute(select(model.id).where(model.id.in_(sorted(ids))).order_by(model.id).with_for_update())
    session.expire_all()


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
