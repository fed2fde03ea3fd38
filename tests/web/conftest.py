"""Web page tests: a logged-in test client per demo role of the small test county."""

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def login(app, county):
    """``login("office")`` → a test client logged in as that user of the test county (CSRF is off in the
    shared app; tests of CSRF itself build their own app)."""

    def log_in(username: str):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
        return client

    return log_in
