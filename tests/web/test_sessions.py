"""Sessions end: after logging out, changing one's password or an administrator's reset, no earlier session
cookie of that user (a copy kept by a thief, a second device) and none of the user's API tokens work any
more; re-enabling a disabled user does not bring its old sessions back."""

from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.users.models import ApiToken
from inspect_loop.users.operations import issue_api_token
from tests.factories import PASSWORD

SESSION_COOKIE = "__Host-session"  # the test app's BASE_URL is https
NEW_PASSWORD = "Lanxi-field-2026"


def copy_of_session(app, client):
    """Another client carrying the very same session cookie, as someone who copied it would."""
    thief = app.test_client()
    thief.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
    return thief


def signed_in(client) -> bool:
    response = client.get("/units")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def token_of(user) -> str:
    token = issue_api_token(user)
    db.session.commit()
    return token


def token_works(client, token: str) -> bool:
    status = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code
    assert status in (200, 401), status
    return status == 200


def events(action: str, user) -> int:
    return len(db.session.scalars(select(Event).where(Event.action == action, Event.subject_id == user.id)).all())


def test_logging_out_ends_every_session_and_token_of_the_user(app, login, county):
    device = login("inspector")
    other_device = login("inspector")
    copied = copy_of_session(app, device)
    token = token_of(county.users.inspector)
    colleague_token = token_of(county.users.inspector2)
    assert signed_in(copied) and signed_in(other_device) and token_works(copied, token)

    assert device.post("/logout").headers["Location"] == "/login"

    assert not signed_in(device)
    assert copied.get("/units").headers["Location"].startswith("/login")
    assert not signed_in(other_device)
    assert not token_works(copied, token)
    assert token_works(copied, colleague_token)  # another user's token is not touched
    db.session.expire_all()
    assert events("user.signed_out", county.users.inspector) == 1
    assert events("user.tokens_revoked", county.users.inspector) == 1
    assert signed_in(login("inspector"))  # logging in again works


def test_changing_ones_password_ends_every_other_session_and_token_and_keeps_this_one(app, login, county):
    device = login("inspector")
    other_device = login("inspector")
    copied = copy_of_session(app, device)
    token = token_of(county.users.inspector)

    changed = device.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD,
                                                     "repeat": NEW_PASSWORD})
    assert changed.status_code == 302

    assert signed_in(device)  # the one who changed it goes on, in a fresh session
    assert device.get_cookie(SESSION_COOKIE).value != copied.get_cookie(SESSION_COOKIE).value
    assert not signed_in(copied)
    assert not signed_in(other_device)
    assert not token_works(device, token)
    db.session.expire_all()
    assert events("user.password_changed", county.users.inspector) == 1


def test_a_refused_password_change_ends_nothing(app, login, county):
    device = login("inspector")
    copied = copy_of_session(app, device)
    token = token_of(county.users.inspector)
    refused = device.post("/account/password", data={"current": "not-the-password", "new": NEW_PASSWORD,
                                                     "repeat": NEW_PASSWORD})
    assert refused.status_code == 200 and "当前密码不正确" in refused.get_data(as_text=True)
    assert signed_in(copied) and token_works(copied, token)


def test_an_administrators_reset_ends_every_session_and_token_of_the_user(app, login, county):
    admin = login("root")
    device = login("fire")
    copied = copy_of_session(app, device)
    token = token_of(county.users.fire)

    reset = admin.post(f"/admin/users/{county.users.fire.id}/password",
                       data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert reset.status_code == 302

    assert not signed_in(device) and not signed_in(copied)
    assert not token_works(copied, token)
    assert signed_in(admin)  # the administrator's own session goes on
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == county.users.fire.id))
    assert events("user.password_reset", county.users.fire) == 1


def test_re_enabling_a_disabled_user_does_not_bring_its_old_sessions_back(app, login, county):
    admin = login("root")
    device = login("viewer")
    copied = copy_of_session(app, device)
    path = f"/admin/users/{county.users.viewer.id}/active"
    assert admin.post(path, data={"active": "0"}).status_code == 302
    assert not signed_in(copied)
    assert admin.post(path, data={"active": "1"}).status_code == 302
    assert not signed_in(copied) and not signed_in(device)
    assert signed_in(login("viewer"))


def test_a_session_from_before_sessions_carried_their_generation_is_refused(app, login, county):
    """A cookie made before this rule held only the user's id: it no longer signs anyone in."""
    device = login("office")
    with device.session_transaction() as session:
        session["_user_id"] = str(county.users.office.id)
    assert not signed_in(device)
