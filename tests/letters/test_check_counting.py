"""A notice's verification count means people checking it: one check per client address, document and day,
whichever of the page and the API they use; the public routes are rate-limited per address with
``Retry-After``. Behind a reverse proxy the client is the address the proxy reports (``PROXY_COUNT``), and
without one a client cannot pose as others by sending ``X-Forwarded-For``."""

from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document, DocumentCheck
from inspect_loop.letters.verification import VERIFY_RATE_LIMIT
from tests.factories import inspect
from tests.helpers import at

PER_MINUTE = int(VERIFY_RATE_LIMIT.split("/")[0])


def reminder_token(county) -> tuple[int, str]:
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    db.session.commit()
    document = db.session.scalar(select(Document).where(Document.case_id == case.id))
    return document.id, issuing.verify_url(document).rsplit("/", 1)[1]


def checks_of(document_id: int) -> list[tuple[str]]:
    db.session.expire_all()
    return db.session.execute(select(DocumentCheck.channel).where(DocumentCheck.document_id == document_id)
                              .order_by(DocumentCheck.id)).all()


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_reloading_the_page_or_calling_the_api_again_the_same_day_counts_once(county, client):
    document_id, token = reminder_token(county)
    with at("2026-03-05", 9):
        for _ in range(20):
            assert client.get(f"/v/{token}", **from_address("203.0.113.7")).status_code == 200
            assert client.get(f"/api/v1/verify/{token}", **from_address("203.0.113.7")).status_code == 200
    assert checks_of(document_id) == [("page",)]
    with at("2026-03-05", 23, 59):
        client.get(f"/api/v1/verify/{token}", **from_address("203.0.113.7"))
        client.get(f"/api/v1/verify/{token}", **from_address("203.0.113.8"))  # someone else
    with at("2026-03-06", 0, 1):  # a new local day
        client.get(f"/v/{token}", **from_address("203.0.113.7"))
    assert checks_of(document_id) == [("page",), ("api",), ("page",)]
    assert db.session.scalar(select(func.count()).where(DocumentCheck.visitor.like("%203.0.113%"))) == 0


def test_the_page_and_the_api_share_one_rate_limit_per_address_answered_with_retry_after(limited_app, county):
    _document_id, token = reminder_token(county)
    client = limited_app.test_client()
    for number in range(PER_MINUTE):
        path = f"/v/{token}" if number % 2 else f"/api/v1/verify/{token}"
        assert client.get(path, **from_address("198.51.100.4")).status_code == 200
    page = client.get(f"/v/{token}", **from_address("198.51.100.4"))
    assert page.status_code == 429
    assert "尝试次数过多" in page.get_data(as_text=True)
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    api = client.get(f"/api/v1/verify/{token}", **from_address("198.51.100.4"))
    assert api.status_code == 429
    assert api.get_json()["error"]["message"] == "请求过于频繁，请稍后再试"
    assert 1 <= int(api.headers["Retry-After"]) <= 60
    assert client.get(f"/v/{token}", **from_address("198.51.100.5")).status_code == 200  # another client


def test_behind_a_proxy_each_forwarded_client_counts_and_without_one_the_header_is_ignored(limited_app_with, county):
    document_id, token = reminder_token(county)
    proxied = limited_app_with(PROXY_COUNT=1).test_client()
    for client_address in ("203.0.113.21", "203.0.113.22", "203.0.113.22"):
        proxied.get(f"/v/{token}", headers={"X-Forwarded-For": client_address}, **from_address("10.0.0.1"))
    assert len(checks_of(document_id)) == 2

    direct = limited_app_with().test_client()
    for posed_as in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        direct.get(f"/v/{token}", headers={"X-Forwarded-For": posed_as}, **from_address("192.0.2.9"))
    assert len(checks_of(document_id)) == 3
    for _ in range(PER_MINUTE):
        direct.get(f"/v/{token}", headers={"X-Forwarded-For": "198.51.100.99"}, **from_address("192.0.2.9"))
    assert direct.get(f"/v/{token}", **from_address("192.0.2.9")).status_code == 429
