"""Test fixtures: a real database (SQLite, or PostgreSQL when INSPECT_LOOP_TEST_DATABASE_URI points at one),
migrated once per session and emptied between tests; a small county built through the domain's own code."""

import os

import psycopg
import pytest
from argon2 import PasswordHasher, profiles
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import make_url, text

from inspect_loop import PROJECT_ROOT, create_app
from inspect_loop.db import db
from inspect_loop.extensions import limiter
from inspect_loop.users import passwords

POSTGRES_URI = os.environ.get("INSPECT_LOOP_TEST_DATABASE_URI", "")

# argon2id at production cost takes ~0.1 s per hash; tests create many users, so they hash cheaply.
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


# The process id keeps two test runs on one machine (two checkouts, a helper's run) out of each other's
# PostgreSQL databases.
WORKER = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _postgres_admin(url) -> str:
    return url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def fresh_database_uri(label: str, tmp_path_factory) -> str:
    """A new empty database for this test worker: a SQLite file, or a PostgreSQL database made anew."""
    if not POSTGRES_URI:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"{label}.sqlite")
    url = make_url(POSTGRES_URI)
    name = f"{url.database}_{label}"
    with psycopg.connect(_postgres_admin(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(uri: str) -> None:
    if not POSTGRES_URI:
        return
    url = make_url(uri)
    with psycopg.connect(_postgres_admin(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with empty request globals.

    Tests keep an app context open (the ``database`` fixture) and Flask reuses an open context of the same
    app for each request, so ``g`` (Flask-Login's current user) and Flask-Babel's locale would carry over
    from one user's request to the next. The database session stays shared, as the tests expect."""

    def open(self, *args, **kwargs):
        context = _cv_app.get(None)
        if context is not None and context.app is self.application:
            context.g.__dict__.clear()
            for name in ("babel_locale", "babel_tzinfo", "babel_translations"):
                context.__dict__.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def translations(tmp_path_factory):
    """The catalogues of translations/ compiled for this test session, for every app the tests create: the
    .mo files are build output (``make`` compiles them), and Flask-Babel caches translations per process, not
    per app, so all apps must read the same directory."""
    source = PROJECT_ROOT / "translations"
    compiled = tmp_path_factory.mktemp("translations")
    for po_file in source.glob("*/LC_MESSAGES/*.po"):
        mo_file = compiled / po_file.relative_to(source).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with po_file.open("rb") as po, mo_file.open("wb") as mo:
            write_mo(mo, read_po(po, locale=po_file.parts[-3]))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSPECT_LOOP_BABEL_TRANSLATION_DIRECTORIES", str(compiled))
        yield compiled


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory):
    """``fresh_database(label)``: the URI of a new empty database, dropped when the test session ends."""
    made = []

    def make(label: str) -> str:
        made.append(fresh_database_uri(f"{label}_{WORKER}", tmp_path_factory))
        return made[-1]

    yield make
    for uri in made:
        drop_database(uri)


@pytest.fixture(scope="session")
def app(fresh_database, tmp_path_factory):
    uri = fresh_database("app")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "https://pingan.example.gov.cn",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    })
    app.test_client_class = FreshRequestClient
    with app.app_context():
        # The schema comes from the models here; tests/test_migrations.py proves the migrations build
        # the same schema.
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def database(app):
    """An app context over an empty database; every table is emptied after the test."""
    with app.app_context():
        yield db
        db.session.rollback()
        db.session.remove()
        tables = [table.name for table in db.metadata.sorted_tables]
        # DELETE beats TRUNCATE on PostgreSQL for a handful of rows per table.
        with db.engine.begin() as connection:
            for name in reversed(tables):
                connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture
def county(database):
    from tests.factories import build_county
    from tests.kept import kept

    return kept("county", build_county)


@pytest.fixture
def client(app, database):
    return app.test_client()


@pytest.fixture
def limited_app_with(app):
    """``limited_app_with(**config)``: an app on the test database with the rate limits on (the shared app
    has them off). The limiter is one object shared by every app of the test session, so it is switched back
    off, its counters cleared and any application-wide limit a test set dropped afterwards (Flask-Limiter keeps
    the first ``RATELIMIT_APPLICATION`` it is given for every later app)."""
    was_enabled = limiter.enabled
    shared = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "UPLOAD_FOLDER")

    def make(**extra):
        limited = create_app({**{key: app.config[key] for key in shared},
                              "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True,
                              "RATELIMIT_STORAGE_URI": "memory://", **extra})
        limiter.reset()
        return limited

    yield make
    limiter.reset()
    limiter.limit_manager.set_application_limits([])
    limiter.enabled = was_enabled


@pytest.fixture
def limited_app(limited_app_with):
    return limited_app_with()
