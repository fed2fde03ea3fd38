"""Web page tests: a logged-in test client per user of the small test county; a live server and Debian's
Chromium for the browser tests."""

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

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


CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium as root in a sandbox without network: no sandbox, no GPU, no background connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture
def live_server(app, database):
    """The pages served over http by a thread, from an app on the test database with CSRF on (as in
    production); its BASE_URL is the server's own address, so the QR codes it prints point back to it."""
    served = create_app({**{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY",
                                                              "UPLOAD_FOLDER")},
                         "BASE_URL": "http://127.0.0.1", "TESTING": True, "WTF_CSRF_ENABLED": True,
                         "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    served.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served.config["BASE_URL"]
    server.shutdown()
    thread.join()
    with served.app_context():
        db.engine.dispose()
