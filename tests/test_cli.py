"""The flask commands of SPEC section 6, run as a user would."""

from sqlalchemy import func, select

from inspect_loop import create_app
from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.users.models import ApiToken, Role, User
from inspect_loop.users.operations import token_digest, user_for_token
from tests.factories import inspect
from tests.helpers import at


def test_users_create_and_token(app, county, database):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "zhang", "--role", "township_office", "--department", "LJ-PAB",
                                 "--password", "a-long-enough-password"])
    assert result.exit_code == 0, result.output
    user = database.session.scalar(select(User).where(User.username == "zhang"))
    assert user.role == Role.township_office and user.department.code == "LJ-PAB"

    result = runner.invoke(args=["users", "token", "zhang"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert user_for_token(token).username == "zhang"
    stored = database.session.scalar(select(ApiToken.token_hash))
    assert stored == token_digest(token) and token not in stored


def test_users_revoke_tokens_ends_every_token_of_the_user(app, county, database):
    runner = app.test_cli_runner()
    tokens = [runner.invoke(args=["users", "token", "fire"]).output.strip().splitlines()[-1] for _ in range(2)]
    result = runner.invoke(args=["users", "revoke-tokens", "fire"])
    assert result.exit_code == 0 and "2" in result.output
    assert [user_for_token(token) for token in tokens] == [None, None]
    events = database.session.execute(select(Event.action, Event.data).where(Event.action.like("user.token%"))
                                      .order_by(Event.id)).all()
    assert [action for action, _ in events] == ["user.token_issued", "user.token_issued", "user.tokens_revoked"]
    assert events[-1].data["count"] == 2
    assert runner.invoke(args=["users", "revoke-tokens", "nobody"]).exit_code != 0


def test_users_create_refuses_bad_input_and_changes_nothing(app, county, database):
    runner = app.test_cli_runner()
    before = database.session.scalar(select(func.count(User.id)))
    for args in (["users", "create", "x1", "--role", "regulator"],  # a regulator needs its department
                 ["users", "create", "x2", "--role", "regulator", "--department", "LJ-PAB"],  # not a regulator
                 ["users", "create", "x3", "--role", "inspector", "--password", "123456"],  # too short
                 ["users", "create", "office", "--role", "inspector"],  # exists
                 ["users", "create", "x4", "--role", "inspector", "--department", "NOPE"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "Error" in result.output, args
    assert database.session.scalar(select(func.count(User.id))) == before
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code != 0


def test_users_create_generates_a_password_when_none_is_given(app, county, database):
    result = app.test_cli_runner().invoke(args=["users", "create", "li", "--role", "viewer"])
    assert result.exit_code == 0 and "初始密码" in result.output


def test_a_generated_password_never_contains_the_username(app, county, database, monkeypatch):
    """One random password in seventy contained a two-letter username and the command failed."""
    drawn = iter(["xxLIxxxxxxxxxxxx", "Q7rT2vN9kP4sW8zB"])
    monkeypatch.setattr("inspect_loop.cli.secrets.token_urlsafe", lambda length: next(drawn))
    result = app.test_cli_runner().invoke(args=["users", "create", "li", "--role", "viewer"])
    assert result.exit_code == 0 and "初始密码: Q7rT2vN9kP4sW8zB" in result.output


def test_sweep_lists_what_is_due(app, county, database):
    with at("2026-03-02"):
        overdue = inspect(county, county.units.shop, "YD-01")
        inspect(county, county.units.market, "XF-02")
    database.session.commit()
    with at("2026-03-09"):
        result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "待复查: 1" in lines  # the shop's 5-day deadline has passed; the market's 10 days have not
    assert "逾期未整改问题: 1" in lines
    assert any(f"问题{overdue.findings[0].id}" in line for line in lines)


def test_init_db_and_a_small_demo_county(fresh_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "BASE_URL": "http://127.0.0.1:5000",
                      "SQLALCHEMY_DATABASE_URI": fresh_database("cli")})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        from inspect_loop.demo import build_demo

        logins = build_demo(units=30, days=60, progress=lambda line: None)
        db.session.commit()
        assert {role for _, role, _ in logins} == {role.value for role in Role}
        stages = set(db.session.execute(select(Case.stage).where(Case.status == CaseStatus.open)).scalars())
        assert Stage.enforcement in stages
        result = runner.invoke(args=["demo"])  # a second run keeps the county and prints the logins
        assert result.exit_code == 0 and "office" in result.output
        assert db.session.scalar(select(func.count(User.id).filter(User.username == "office"))) == 1
        db.engine.dispose()
