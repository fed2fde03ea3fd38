"""Logging in and out, the password policy, CSRF, the login rate limit, security headers and cookie flags,
and the role × action matrix on every page of the field and inbox screens."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, abort
from freezegun import freeze_time
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.inspections.models import Inspection
from inspect_loop.users.models import User
from inspect_loop.users.operations import issue_api_token
from inspect_loop.users.passwords import check_password
from inspect_loop.web.security import configure_cookies
from tests.factories import PASSWORD
from tests.helpers import csrf_token_of, strict_login


def inspection_count() -> int:
    return db.session.scalar(select(func.count(Inspection.id)))


# -- logging in and out --------------------------------------------------------------------------------

def test_the_login_page_is_in_chinese(anonymous):
    page = anonymous.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "用户名" in page and "密码" in page


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(anonymous):
    for username in ("inspector", "nobody"):
        response = anonymous.post("/login", data={"username": username, "password": "wrong-password-1"})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)
    assert anonymous.get("/today").status_code == 302


def test_login_lands_on_the_role_start_page_and_ignores_a_foreign_next(anonymous):
    response = anonymous.post("/login?next=//evil.example.com/x",
                              data={"username": "inspector", "password": PASSWORD})
    assert response.headers["Location"] == "/today"


def test_login_follows_a_local_next(anonymous, county):
    response = anonymous.post(f"/login?next=/units/{county.units.shop.id}",
                              data={"username": "east", "password": PASSWORD})
    assert response.headers["Location"] == f"/units/{county.units.shop.id}"


def test_a_disabled_account_cannot_log_in(anonymous, county):
    county.users.inspector.active = False
    db.session.commit()
    response = anonymous.post("/login", data={"username": "inspector", "password": PASSWORD})
    assert "已停用" in response.get_data(as_text=True)
    assert anonymous.get("/today").status_code == 302


def test_logout_is_a_post_and_ends_the_session(login):
    client = login("inspector")
    assert client.get("/logout").status_code == 405
    assert client.get("/today").status_code == 200
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/today").headers["Location"].startswith("/login")


def test_a_weak_new_password_is_refused_and_a_good_one_saved(login, county):
    client = login("inspector")
    weak = client.post("/account/password",
                       data={"current": PASSWORD, "new": "1234567890", "repeat": "1234567890"})
    assert weak.status_code == 200 and "密码过于常见" in weak.get_data(as_text=True)
    short = client.post("/account/password", data={"current": PASSWORD, "new": "short", "repeat": "short"})
    assert "密码至少10位" in short.get_data(as_text=True)
    wrong = client.post("/account/password", data={"current": "not-it-at-all", "new": "Lanxi-field-2026",
                                                    "repeat": "Lanxi-field-2026"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    assert client.post("/account/password", data={"current": PASSWORD, "new": "Lanxi-field-2026",
                                                  "repeat": "Lanxi-field-2026"}).status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "inspector"))
    assert user.password_hash.startswith("$argon2id$")
    assert check_password(user.password_hash, "Lanxi-field-2026")


# -- headers and cookies -------------------------------------------------------------------------------

def test_every_page_carries_the_security_headers(login, anonymous, county):
    inspection_form = login("inspector").get(f"/units/{county.units.shop.id}/inspect")
    for response in (anonymous.get("/login"), inspection_form):
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(login, county):
    client = login("inspector")
    for path in ("/today", f"/units/{county.units.shop.id}", f"/units/{county.units.shop.id}/inspect"):
        page = client.get(path).get_data(as_text=True)
        assert re.search(r"<script(?![^>]*\bsrc=)", page) is None, path
        assert " style=" not in page and " onclick=" not in page, path


def test_the_session_cookie_is_host_only_secure_httponly_and_lax_behind_https(anonymous):
    response = anonymous.post("/login", data={"username": "inspector", "password": PASSWORD})
    cookie = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith("__Host-session="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "SameSite=Lax" in cookie and "Path=/" in cookie


def test_over_plain_http_the_cookie_is_httponly_and_lax_but_not_secure():
    app = Flask(__name__)
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    configure_cookies(app)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config.get("SESSION_COOKIE_SECURE")
    assert app.config.get("SESSION_COOKIE_NAME", "session") == "session"


def test_request_bodies_are_limited(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 32 * 1024 * 1024


# -- CSRF ----------------------------------------------------------------------------------------------

def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(strict_app, county):
    client = strict_login(strict_app, "inspector")
    path = f"/units/{county.units.shop.id}/inspect"
    hazard = county.hazards["XF-01"]
    form = {"kind": "unannounced", "hazard": str(hazard.id)}
    refused = client.post(path, data=form)
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    assert inspection_count() == 0
    forged = client.post(path, data={**form, "csrf_token": "forged-token"})
    assert forged.status_code == 400
    assert inspection_count() == 0
    accepted = client.post(path, data={**form, "csrf_token": csrf_token_of(client.get(path))})
    assert accepted.status_code == 302
    assert inspection_count() == 1


def test_login_and_logout_need_the_csrf_token(strict_app, county):
    client = strict_app.test_client()
    assert client.post("/login", data={"username": "inspector", "password": PASSWORD}).status_code == 400
    client = strict_login(strict_app, "inspector")
    assert client.post("/logout").status_code == 400
    assert client.get("/today").status_code == 200


def test_a_photo_upload_without_the_csrf_header_is_refused_in_json(strict_app, county):
    client = strict_login(strict_app, "inspector")
    response = client.post("/photos", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]


# -- the login rate limit ------------------------------------------------------------------------------

def test_login_attempts_are_rate_limited_per_address(limited_app, county):
    client = limited_app.test_client()
    for _attempt in range(10):
        wrong = client.post("/login", data={"username": "inspector", "password": "wrong-guess-00"})
        assert wrong.status_code == 200
    blocked = client.post("/login", data={"username": "inspector", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only attempts count, not reading the page


def test_behind_a_reverse_proxy_the_login_limit_counts_each_client_not_the_proxy(limited_app_with, county):
    client = limited_app_with(PROXY_COUNT=1).test_client()
    guesser, colleague = {"X-Forwarded-For": "203.0.113.5"}, {"X-Forwarded-For": "203.0.113.6"}
    for attempt in range(10):  # one guess per account: only the address limit counts them all
        client.post("/login", data={"username": f"guess{attempt}", "password": "wrong-guess-00"}, headers=guesser)
    assert client.post("/login", data={"username": "inspector", "password": PASSWORD},
                       headers=guesser).status_code == 429
    assert client.post("/login", data={"username": "inspector", "password": PASSWORD},
                       headers=colleague).status_code == 302


def address(number: int) -> dict[str, str]:
    """The header a reverse proxy adds for client number ``number``."""
    return {"X-Forwarded-For": f"198.51.100.{number}"}


def retry_after(response) -> int:
    seconds = int(response.headers["Retry-After"])
    assert seconds > 0
    return seconds


def test_guessing_one_accounts_password_from_many_addresses_is_stopped(limited_app_with, county):
    client = limited_app_with(PROXY_COUNT=1).test_client()
    for number in range(10):
        wrong = client.post("/login", data={"username": "Inspector ", "password": "wrong-guess-00"},
                            headers=address(number))
        assert wrong.status_code == 200
    blocked = client.post("/login", data={"username": "inspector", "password": PASSWORD}, headers=address(50))
    assert blocked.status_code == 429
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    assert retry_after(blocked) <= 60
    # the address itself may go on with another account
    assert client.post("/login", data={"username": "east", "password": PASSWORD},
                       headers=address(50)).status_code == 302


def test_the_account_limit_counts_failures_per_hour_and_says_when_to_come_back(limited_app_with, county):
    client = limited_app_with(PROXY_COUNT=1).test_client()
    # Frozen at the real time: the limiter's memory storage also expires counters from a thread of its own,
    # which freezegun leaves on the real clock.
    with freeze_time(datetime.now(UTC)) as frozen:
        for number in range(30):
            if number and number % 5 == 0:
                frozen.tick(delta=timedelta(minutes=2))  # slowly: under the minute limit
            client.post("/login", data={"username": "fire", "password": "wrong-guess-00"}, headers=address(number))
        frozen.tick(delta=timedelta(minutes=2))
        blocked = client.post("/login", data={"username": "fire", "password": PASSWORD}, headers=address(99))
        assert blocked.status_code == 429
        assert 60 < retry_after(blocked) <= 3600
        minutes = -(-retry_after(blocked) // 60)
        assert f"请 {minutes} 分钟后再试" in blocked.get_data(as_text=True)
        frozen.tick(delta=timedelta(hours=1))
        assert client.post("/login", data={"username": "fire", "password": PASSWORD},
                           headers=address(99)).status_code == 302


def test_successful_logins_do_not_count_against_the_account(limited_app_with, county):
    client = limited_app_with(PROXY_COUNT=1).test_client()
    for number in range(15):
        signed_in = client.post("/login", data={"username": "inspector", "password": PASSWORD},
                                headers=address(number))
        assert signed_in.status_code == 302
        client.post("/logout", headers=address(number))


def test_the_address_limit_answers_with_retry_after(limited_app, county):
    client = limited_app.test_client()
    for _attempt in range(10):
        client.post("/login", data={"username": f"nobody{_attempt}", "password": "wrong-guess-00"})
    blocked = client.post("/login", data={"username": "inspector", "password": PASSWORD})
    assert blocked.status_code == 429 and retry_after(blocked) <= 60


def test_a_limited_api_answers_429_in_json_with_retry_after(limited_app_with, county):
    client = limited_app_with(RATELIMIT_APPLICATION="2/minute").test_client()
    token = issue_api_token(county.users.office)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert [client.get("/api/v1/me", headers=headers).status_code for _ in range(2)] == [200, 200]
    blocked = client.get("/api/v1/me", headers=headers)
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    assert "请求过于频繁" in blocked.get_json()["error"]["message"]
    assert retry_after(blocked) <= 60


def test_a_429_from_elsewhere_than_the_limiter_still_says_when_to_retry(limited_app):
    def busy():
        abort(429)

    limited_app.add_url_rule("/busy", view_func=busy)
    response = limited_app.test_client().get("/busy")
    assert response.status_code == 429 and retry_after(response) == 60


# -- the role × action matrix on every page ------------------------------------------------------------

USERS = ("root", "office", "east", "west", "inspector", "fire", "viewer")


def page_paths(county) -> dict[str, tuple[str, set[str]]]:
    """path → the users allowed (everyone else gets 403); the shop is in 兰江街道 (east)."""
    shop = county.units.shop.id
    return {
        "today": ("/today", {"root", "office", "east", "west", "inspector", "fire"}),
        "units": ("/units", set(USERS)),
        "units.xlsx": ("/units.xlsx", set(USERS)),
        "unit": (f"/units/{shop}", set(USERS) - {"west"}),
        "inspect": (f"/units/{shop}/inspect", {"root", "office", "east", "inspector", "fire"}),
        "verify": (f"/units/{shop}/verify", {"root", "office", "inspector"}),
        "new unit": ("/units/new", {"root", "office", "east", "west"}),
        "inbox": ("/inbox", {"east", "west", "fire"}),
        "password": ("/account/password", set(USERS)),
    }


@pytest.mark.parametrize("page", ["today", "units", "units.xlsx", "unit", "inspect", "verify", "new unit",
                                  "inbox", "password"])
def test_each_page_admits_exactly_the_roles_of_the_matrix(login, anonymous, county, page):
    path, allowed = page_paths(county)[page]
    for username in USERS:
        status = login(username).get(path).status_code
        # the verification form sends a unit without an open case back to the unit page
        expected = (200, 302) if username in allowed else (403,)
        assert status in expected, f"{username} on {path}: {status}"
    assert anonymous.get(path).headers["Location"].startswith("/login")


def test_a_refused_page_says_why_in_chinese(login, county):
    response = login("viewer").get(f"/units/{county.units.shop.id}/inspect")
    assert response.status_code == 403
    assert "无权访问" in response.get_data(as_text=True)
    missing = login("viewer").get("/units/999999")
    assert missing.status_code == 404 and "不存在" in missing.get_data(as_text=True)


def test_a_nul_character_in_a_search_or_a_form_is_refused_not_a_server_error(login, county):
    # PostgreSQL cannot compare text with NUL: this search was a 500 there.
    client = login("office")
    assert client.get("/units?q=a%00b").status_code == 400
    assert client.get("/office?q=%00").status_code == 400
    refused = client.post(f"/units/{county.units.shop.id}/inspect", data={"kind": "unannounced", "notes": "a\x00b"})
    assert refused.status_code == 400 and inspection_count() == 0
    assert client.get("/units?q=振兴路").status_code == 200
