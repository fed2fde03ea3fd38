"""Every GET page of the web app, as every role, with hostile query parameters: no answer is a server error.

The pages are walked on a small demo county of their own database (built once per test worker, its notices'
PDFs stubbed with one real PDF: the walk tests the pages, not the rendering). Which query parameters a page
reads is learnt by recording what it asks ``request.args`` for; each is then sent the values below one at a
time, with the page's other parameters left out (and once more beside ``format=xlsx`` where the page has a
download). Path parameters are ids of real rows, the first one the role may open, and absurd ids.

The JSON API is walked by schemathesis (``tests/api/test_schemathesis.py``); its statistics get the cases
below that once answered 500.
"""

import pytest
from flask import Flask, Request
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from inspect_loop import create_app
from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.demo import DEMO_PASSWORD, build_demo
from inspect_loop.exposures.models import Exposure
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import Photo
from inspect_loop.interviews.models import InterviewRound, TrainingSession
from inspect_loop.letters.models import Document
from inspect_loop.letters.tokens import make_token
from inspect_loop.regions.models import Department, Region
from inspect_loop.stats.definitions import BREAKDOWNS
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.operations import issue_api_token
from inspect_loop.web.office_queries import SWEEP_SECTIONS
from tests.helpers import one_pdf_for_every_notice
from tests.web.test_uploads import jpeg_bytes, upload

# The demo's login of each role; None is a visitor who has not logged in.
ROLE_LOGINS = {"admin": "admin", "safety_office": "office", "township_office": "township",
               "regulator": "regulator", "inspector": "inspector", "viewer": "leader", "anonymous": None}

HOSTILE_VALUES = ["99999999999999999999", str(2 ** 63), "-1", "0", "", "x", "0001-01", "9999-12-31", "0000-00-00",
                  "2026-02-30", "\x00", "长" * 5000, "%", "_", "\u202e", "xlsx"]
ABSURD_IDS = [0, -1, 2 ** 63, 99999999999999999999]
# Names no page reads but the links that keep a page's query string pass on to ``url_for``: its own keywords
# (and, per route, the names of its path parameters).
LINK_NAMES = ["endpoint", "_external", "_scheme", "_anchor", "_method"]
# Read before every view, the same way on every page: walked on each role's home page only.
READ_BY_EVERY_PAGE = {"lang"}

# The rows behind each id of a path.
ID_MODELS = {"assignment_id": Assignment, "case_id": Case, "department_id": Department, "document_id": Document,
             "exposure_id": Exposure, "extension_id": ExtensionRequest, "hazard_id": HazardType, "photo_id": Photo, "region_id": Region,
             "round_id": InterviewRound, "session_id": TrainingSession, "unit_id": Unit, "user_id": User}
# How many rows of a table are tried before a role is taken not to reach any of them.
IDS_TRIED = 30


class RecordingArgs(ImmutableMultiDict):
    """A query string that notes every parameter a view asks for by name."""

    asked: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002  (MultiDict's own signature)
        self.asked.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):  # noqa: A002
        self.asked.add(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingArgs


def get_routes(app: Flask) -> list[tuple[str, str]]:
    """(rule, endpoint) of every GET route of the pages."""
    return sorted((rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.endpoint != "static" and not rule.rule.startswith("/api/"))


def routes_of_the_app() -> list[tuple[str, str]]:
    return get_routes(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "walk"}))


@pytest.fixture(scope="session")
def walked_app(app, fresh_database):
    """An app on its own database holding a small demo county (every stage, rounds, 交办单, exposures, notices)
    and one photo, recording the query parameters its views ask for."""
    shared = ("SECRET_KEY", "BASE_URL", "UPLOAD_FOLDER")
    walked = create_app({**{key: app.config[key] for key in shared}, "SQLALCHEMY_DATABASE_URI": fresh_database("walk"),
                         "TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    walked.request_class = RecordingRequest
    with walked.app_context(), pytest.MonkeyPatch.context() as patch:
        db.create_all()
        one_pdf_for_every_notice(patch)
        build_demo(units=12, days=30, progress=lambda line: None)
        db.session.commit()
    photographer = logged_in(walked, ROLE_LOGINS["inspector"])
    uploaded = upload(photographer, jpeg_bytes())
    assert uploaded.status_code < 300, uploaded.get_data(as_text=True)
    yield walked
    with walked.app_context():
        db.engine.dispose()


def logged_in(app: Flask, username: str | None):
    client = app.test_client()
    if username is not None:
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"login of {username} failed"
    return client


@pytest.fixture(scope="session")
def clients(walked_app):
    return {role: logged_in(walked_app, username) for role, username in ROLE_LOGINS.items()}


@pytest.fixture(scope="session")
def path_values(walked_app) -> dict[str, list]:
    """Real values of every path parameter, in the order they are tried."""
    with walked_app.app_context():
        values = {name: list(db.session.scalars(select(model.id).order_by(model.id).limit(IDS_TRIED)))
                  for name, model in ID_MODELS.items()}
        document = db.session.scalar(select(Document).order_by(Document.id))
        values["token"] = [make_token(walked_app.config["SECRET_KEY"], document.id, document.nonce)]
    values["table"] = ["summary", *BREAKDOWNS]
    values["section"] = list(SWEEP_SECTIONS)
    return values


class Walk:
    """The requests of one route as one role, and every one that answered a server error."""

    def __init__(self, client):
        self.client = client
        self.failures: list[str] = []

    def get(self, path: str, query: dict[str, str] | None = None, follow_redirects: bool = False):
        """The response (None when the view raised) and the query parameters the view asked for."""
        RecordingArgs.asked = set()
        try:
            response = self.client.get(path, query_string=query, follow_redirects=follow_redirects)
        except Exception as error:  # noqa: BLE001  (the walk reports every failure, not the first)
            self.failures.append(f"{path} {describe(query)}: {type(error).__name__}: {str(error)[:200]}")
            return None, set(RecordingArgs.asked)
        if response.status_code >= 500:
            self.failures.append(f"{path} {describe(query)}: {response.status_code}")
        return response, set(RecordingArgs.asked)


def describe(query: dict[str, str] | None) -> str:
    if not query:
        return "(no query)"
    return " ".join(f"{name}={value[:20]!r}{'…' if len(value) > 20 else ''}" for name, value in query.items())


def reached(response) -> bool:
    """The role got the page itself (not refused, not sent to log in)."""
    return (response is not None and response.status_code < 400
            and "/login" not in response.headers.get("Location", ""))


def path_fillings(rule, values: dict[str, list]) -> list[dict]:
    """The path's parameter (no page has two) with each of its real values."""
    if not rule.arguments:
        return [{}]
    name = next(iter(rule.arguments))
    return [{name: value} for value in values[name]]


def walk_parameters(walk: Walk, path: str, asked: set[str]) -> None:
    """Send each parameter the page asked for every hostile value, alone and beside ``format=xlsx``."""
    contexts = [{}, {"format": "xlsx"}] if "format" in asked else [{}]
    for context in contexts:
        sent = {*context, *READ_BY_EVERY_PAGE}
        pending = sorted(asked - sent)
        while pending:
            name = pending.pop()
            sent.add(name)
            for value in HOSTILE_VALUES:
                _response, more = walk.get(path, {**context, name: value})
                pending.extend(sorted(more - sent - set(pending)))


ROUTES = routes_of_the_app()


@pytest.mark.parametrize("role", ROLE_LOGINS)
@pytest.mark.parametrize(("rule", "endpoint"), ROUTES, ids=[rule for rule, _endpoint in ROUTES])
def test_no_get_route_answers_a_server_error(walked_app, clients, path_values, rule, endpoint, role):
    url_rule = next(item for item in walked_app.url_map.iter_rules(endpoint) if item.rule == rule)
    walk = Walk(clients[role])
    adapter = walked_app.url_map.bind("localhost")
    paths = [adapter.build(endpoint, filling) for filling in path_fillings(url_rule, path_values)]
    for path in paths:
        response, asked = walk.get(path)
        if reached(response):
            walk_parameters(walk, path, asked)
            for name in [*LINK_NAMES, *url_rule.arguments]:
                walk.get(path, {name: "x"})
            break
    int_arguments = [name for name in url_rule.arguments if name in ID_MODELS]
    for absurd in ABSURD_IDS if int_arguments else []:
        walk.get(rule.replace(f"<int:{int_arguments[0]}>", str(absurd)))
    if walk.failures:
        pytest.fail(f"{rule} as {role}:\n" + "\n".join(walk.failures), pytrace=False)


@pytest.mark.parametrize("role", ROLE_LOGINS)
def test_no_home_page_answers_a_server_error_whatever_its_language(clients, role):
    walk = Walk(clients[role])
    for name in READ_BY_EVERY_PAGE:
        for value in HOSTILE_VALUES:
            walk.get("/", {name: value}, follow_redirects=True)
    if walk.failures:
        pytest.fail(f"/ as {role}:\n" + "\n".join(walk.failures), pytrace=False)


STATS_CASES = ["/stats/townships?month=0001-01", "/stats/townships?month=9999-12", "/stats/summary?to=9999-12-31",
               "/stats/summary?from=0001-01-01", "/stats/trend?from=2000-01-01&to=2099-12-31", "/stats/risk?region=%00",
               "/stats/overdue?limit=99999999999999999999", "/stats/summary?format=x"]


@pytest.mark.parametrize("path", STATS_CASES)
def test_statistics_api_refuses_what_it_cannot_count(walked_app, path):
    with walked_app.app_context():
        token = issue_api_token(db.session.scalar(select(User).where(User.username == ROLE_LOGINS["viewer"])))
        db.session.commit()
    response = walked_app.test_client().get("/api/v1" + path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:500]
