"""A pooled connection that died while idle (a database restarted, a connection dropped by the network) is
replaced when it is next checked out, instead of failing the request that gets it (``db.py``)."""

import importlib

import psycopg
import pytest
from sqlalchemy.exc import OperationalError, PendingRollbackError

from inspect_loop.db import db
from tests.conftest import POSTGRES_URI

# The module, not the SQLAlchemy object the package exports under the same name.
database_module = importlib.import_module("inspect_loop.db")

pytestmark = pytest.mark.skipif(not POSTGRES_URI, reason="only a server's connection can die under the pool")


def backend_of_the_pooled_connection() -> int:
    with db.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def kill(pid: int) -> None:
    """From a connection of its own, outside the pool."""
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_killed_while_idle_is_replaced_not_failed(app, monkeypatch):
    with app.app_context():
        db.engine.dispose()
        dead = backend_of_the_pooled_connection()
        kill(dead)
        monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert backend_of_the_pooled_connection() != dead


def test_without_the_ping_the_dead_connection_would_fail_the_request(app, monkeypatch):
    """The same death with the ping turned off: what the ping spares the request (and proof the test above
    kills the connection it thinks it kills)."""
    with app.app_context():
        db.engine.dispose()
        dead = backend_of_the_pooled_connection()
        kill(dead)
        monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", float("inf"))
        with pytest.raises((OperationalError, PendingRollbackError)):
            backend_of_the_pooled_connection()
