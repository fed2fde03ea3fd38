"""Web page tests: a logged-in test client per user of the small test county."""

import pytest

from inspect_loop import create_app
from inspect_loop.db import db
from inspect_loop.users.passwords import hash_password
from tests.factories import PASSWORD


@pytest.fixture
def login(app, county):
    """``login("office")`` → a test client logged in as that user of the test county; any number of users can
    act in one test (CSRF is off in the shared app; tests of CSRF itself build their own app)."""
    county.users.admin.password_hash = hash_password(PASSWORD)  # the factory's admin has no password
    db.session.commit()

    def log_in(username: str):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
        return client

    return log_in


@pytest.fixture
def anonymous(app, county):
    return app.test_client()


@pytest.fixture
def strict_app(app):
    """The same database behind an app with CSRF protection on, as in production."""
    shared = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "UPLOAD_FOLDER")
    return create_app({**{key: app.config[key] for key in shared},
                       "TESTING": True, "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False})
