"""A bearer-token client for the JSON API, with a token for each user of the test county."""

import pytest

from inspect_loop.users.models import Role
from inspect_loop.users.operations import issue_api_token
from tests.api.client import Api

# The user of the test county (tests/factories.py) who acts for each role.
ROLE_USERS = {
    Role.admin: "admin",
    Role.safety_office: "office",
    Role.township_office: "east",
    Role.inspector: "inspector",
    Role.regulator: "fire",
    Role.viewer: "viewer",
}
USERS = ("admin", "office", "head", "east", "west", "inspector", "inspector2", "fire", "market", "emergency", "viewer")


@pytest.fixture
def tokens(county, database):
    issued = {name: issue_api_token(getattr(county.users, name)) for name in USERS}
    database.session.commit()
    return issued


@pytest.fixture
def api(client, tokens):
    return Api(client, tokens)
