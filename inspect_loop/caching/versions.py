"""Raising the data version in every transaction that writes, and reading it.

The raise is the last statement before the commit, in the same transaction: a reader that sees the new
version sees the writes too, and a reader that reads the version first and the data after can only find the
data newer than its version, never older. On PostgreSQL the row lock is held only from that last statement
to the commit, so writers wait for each other only for the commit itself.

Writes are seen where they reach the database: the INSERT, UPDATE and DELETE statements of the session's
connection that changed a row (flushes, bulk statements and ``session.execute`` alike). Every write of the product goes through
``db.session`` (commit once per request or CLI command).
"""

from flask import g, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from inspect_loop.caching.models import THE_ROW, DataVersion, new_epoch
from inspect_loop.db import db, insert_or_nothing

WROTE = "inspect_loop.wrote"
# Tables that only note the use of something, written by requests that otherwise read: a public check of a
# notice (one row per visitor and day) and an API token's last use (once a minute). A write to them alone
# raises nothing, or every scan of a QR code would make every office's pages anew. What shows them (the
# unit page's check counts) may lag by ``PAGE_CACHE_SECONDS`` at most.
USE_NOTES = frozenset({"document_check", "api_token"})
CONNECTIONS = "inspect_loop.connections"
WRITING_STATEMENTS = ("INSERT", "UPDATE", "DELETE")


@event.listens_for(Engine, "after_cursor_execute")
def _note_writes(connection, cursor, statement, _parameters, context, _executemany):
    # A statement that changed no row (an INSERT … ON CONFLICT DO NOTHING that found its row) changed
    # nothing a page shows; a count the driver does not know (-1) is taken as a change.
    if (cursor.rowcount != 0 and statement.lstrip()[:6].upper() in WRITING_STATEMENTS
            and _table_written(context) not in USE_NOTES):
        connection.info[WROTE] = True


def _table_written(context) -> str | None:
    table = getattr(getattr(getattr(context, "compiled", None), "statement", None), "table", None)
    return getattr(table, "name", None)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(connection):
    connection.info.pop(WROTE, None)


@event.listens_for(Session, "after_begin")
def _remember_connection(session: Session, _transaction, connection) -> None:
    session.info.setdefault(CONNECTIONS, []).append(connection)


@event.listens_for(Session, "after_transaction_end")
def _forget_connections(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CONNECTIONS, None)


@event.listens_for(Session, "before_commit")
def _raise_version_of_a_writing_transaction(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()
    for connection in session.info.get(CONNECTIONS, ()):
        if connection.info.get(WROTE):
            raise_version(connection)


def raise_version(connection) -> None:
    updated = connection.execute(update(DataVersion).where(DataVersion.id == THE_ROW)
                                 .values(version=DataVersion.version + 1))
    if updated.rowcount == 0:
        # Only where the row was deleted (tests empty every table): made anew with a new epoch.
        insert_or_nothing(connection, DataVersion, id=THE_ROW, epoch=new_epoch(), version=1)


# Plain SQL, the same on SQLite and PostgreSQL: read on every request, it skips the statement compiler.
READ_VERSION = f"SELECT epoch, version FROM data_version WHERE id = {THE_ROW}"


# One statement needs no transaction: without one, the read is one round trip to the database, with no
# BEGIN before it nor ROLLBACK when the connection goes back to the pool.
NO_TRANSACTION = "AUTOCOMMIT"


def version_columns():
    """The data version as two columns another statement reads along with its own (one round trip for both);
    hand what it read to ``remember_version``."""
    return (select(DataVersion.epoch).where(DataVersion.id == THE_ROW).scalar_subquery().label("version_epoch"),
            select(DataVersion.version).where(DataVersion.id == THE_ROW).scalar_subquery().label("version"))


def remember_version(epoch: str | None, version: int | None) -> None:
    """This request's data version, read by a statement of the caller's (``version_columns``)."""
    g.data_version = None if epoch is None else f"{epoch}.{version}"


def current_version(connection=None) -> str | None:
    """The data version this request sees, read once per request, before any data the page shows; None
    when there is no row yet (nothing is cached then). Read outside the request's session, on ``connection``
    or one of its own: a page served from the cache then opens no session at all, and a page computed
    afterwards reads data at least as new as this version (each statement sees every commit made before it
    began)."""
    if not has_app_context():
        return None
    if "data_version" not in g:
        if connection is None:
            with db.engine.connect() as own:
                row = own.execution_options(isolation_level=NO_TRANSACTION).exec_driver_sql(READ_VERSION).first()
        else:
            row = connection.exec_driver_sql(READ_VERSION).first()
        g.data_version = None if row is None else f"{row.epoch}.{row.version}"
    return g.data_version
