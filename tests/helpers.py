import re
from datetime import datetime

from freezegun import freeze_time

from inspect_loop.clock import LOCAL_TZ
from inspect_loop.letters import issuing, render


def at(day: str, hour: int = 10, minute: int = 0):
    """freeze_time at a local (Asia/Shanghai) wall-clock time on ``day`` (YYYY-MM-DD)."""
    year, month, date_ = (int(part) for part in day.split("-"))
    return freeze_time(datetime(year, month, date_, hour, minute, tzinfo=LOCAL_TZ))


def csrf_token_of(response) -> str:
    """The CSRF token of the form on a page."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def strict_login(strict_app, username: str, password: str = "correct-horse-battery"):
    """A client of the CSRF-protected app logged in as ``username`` (with the login form's token)."""
    client = strict_app.test_client()
    token = csrf_token_of(client.get("/login"))
    assert client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}).status_code == 302
    return client


def phone_rows(html: str) -> list[str]:
    """The text of each list row as a phone shows it (the ``m.phone_row`` cell), its tags stripped."""
    cells = re.findall(r'<td class="phone-row"[^>]*>(.*?)</td>', html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def one_pdf_for_every_notice(monkeypatch) -> None:
    """Every notice issued gets one small PDF rendered once: for data built for what it holds, not for its
    papers (rendering is most of a demo county's build)."""
    pdf = render.html_to_pdf("<p>通知书</p>")
    monkeypatch.setattr(issuing, "render_letter", lambda kind, data: pdf)
    monkeypatch.setattr(issuing, "_pdfs", lambda letters: [pdf for _letter in letters])
